"""A database migrated by a newer SiPelayanan: named, refused, never written, no traceback.

Both engines: the stored Alembic revision is stamped to one this version does not ship, as a
newer app's ``db upgrade`` would leave it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from sipelayanan import __version__
from sipelayanan.db import Database
from sipelayanan.migrate import (
    APP_VERSION_KEY,
    HEAD_REVISION,
    KNOWN_REVISIONS,
    SchemaTooNew,
    all_revisions,
    recorded_app_version,
    schema_state,
    stored_revision,
)

FUTURE_REVISION = "0099"
FUTURE_VERSION = "9.4.0"


def stamp_future(db: Database, *, with_version: bool = True) -> None:
    """What a newer app leaves behind: an unknown revision and (usually) its version."""
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": FUTURE_REVISION})
        conn.execute(text("DELETE FROM office_settings WHERE key = :k"), {"k": APP_VERSION_KEY})
        if with_version:
            value = json.dumps({"version": FUTURE_VERSION, "revision": FUTURE_REVISION})
            conn.execute(
                text("INSERT INTO office_settings (key, value, updated_at) VALUES (:k, :v, :t)"),
                {"k": APP_VERSION_KEY, "v": value, "t": datetime(2027, 1, 5, tzinfo=UTC)},
            )


def snapshot(db: Database) -> tuple[object, ...]:
    with db.engine.connect() as conn:
        return (
            conn.execute(text("SELECT version_num FROM alembic_version")).all(),
            conn.execute(text("SELECT key, value FROM office_settings ORDER BY key")).all(),
            conn.execute(text("SELECT count(*) FROM audit_log")).scalar(),
            conn.execute(text("SELECT count(*) FROM users")).scalar(),
        )


def test_known_revisions_are_alembics_scripts() -> None:
    """The start-up check knows every shipped revision without importing Alembic."""
    assert list(KNOWN_REVISIONS) == all_revisions()
    assert KNOWN_REVISIONS[-1] == HEAD_REVISION


def test_current_and_empty_and_behind(db: Database, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert schema_state(db.engine) == "current"
    empty = Database(f"sqlite:///{tmp_path / 'kosong.sqlite3'}")
    assert schema_state(empty.engine) == "empty"
    empty.dispose()
    with db.engine.begin() as conn:  # an older shipped revision: this version upgrades it
        conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": KNOWN_REVISIONS[0]})
    assert schema_state(db.engine) == "behind"


def test_newer_database_is_named_and_refused(db: Database) -> None:
    stamp_future(db)
    before = snapshot(db)
    with pytest.raises(SchemaTooNew) as caught:
        db.schema_is_current()
    message = str(caught.value)
    assert FUTURE_REVISION in message and FUTURE_VERSION in message and __version__ in message
    assert "lebih baru" in message and "Pasang versi terbaru di PC ini" in message
    with pytest.raises(SchemaTooNew):
        db.upgrade()  # Alembic is never asked to "upgrade" to a revision it cannot find
    assert snapshot(db) == before


def test_newer_database_without_a_recorded_version(db: Database) -> None:
    stamp_future(db, with_version=False)
    assert recorded_app_version(db.engine) is None
    with pytest.raises(SchemaTooNew, match=f"revisi {FUTURE_REVISION}"):
        schema_state(db.engine)


def test_upgrade_records_the_app_version(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = Database(f"sqlite:///{tmp_path / 'baru.sqlite3'}")
    try:
        assert recorded_app_version(db.engine) is None
        db.upgrade()
        assert recorded_app_version(db.engine) == __version__
        with db.engine.connect() as conn:
            raw = conn.execute(
                text("SELECT value FROM office_settings WHERE key = :k"), {"k": APP_VERSION_KEY}
            ).scalar_one()
        assert json.loads(raw)["revision"] == HEAD_REVISION == stored_revision(db.engine)
    finally:
        db.dispose()


def _cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("SIPELAYANAN_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "sipelayanan", "--db", url, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        input="rahasia123\n",
    )


@pytest.mark.parametrize("command", [("user", "list"), ("db", "upgrade")])
def test_cli_refuses_with_exit_2(db_url: str, command: tuple[str, ...]) -> None:
    db = Database(db_url)
    try:
        stamp_future(db)
        before = snapshot(db)
        result = _cli(db_url, *command)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr + result.stdout
        assert f"revisi {FUTURE_REVISION}" in result.stderr and FUTURE_VERSION in result.stderr
        assert "lebih lama" not in result.stderr  # never claims the schema is older
        assert snapshot(db) == before
    finally:
        db.dispose()


def test_desktop_start_shows_a_final_message(db_url: str) -> None:
    """The start-up check (both engines) returns the message as a failure retrying won't fix."""
    from sipelayanan.ui.app import check_database

    db = Database(db_url)
    try:
        stamp_future(db)
        before = snapshot(db)
        check = check_database(db_url)
        assert not check.ok and check.fatal
        assert FUTURE_VERSION in check.message and FUTURE_REVISION in check.message
        assert "tak terduga" not in check.message and "lebih lama" not in check.message
        assert snapshot(db) == before
    finally:
        db.dispose()
