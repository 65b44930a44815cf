"""The Alembic history and the models agree, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from sipelayanan.db import Database
from sipelayanan.migrate import current_revision, head_revision, is_up_to_date
from sipelayanan.models import Base


def test_models_match_migrations(db: Database) -> None:
    assert is_up_to_date(db.engine)
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_every_table_has_its_migration(db: Database) -> None:
    tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    assert tables == set(Base.metadata.tables)


def test_fresh_database_upgrades_to_head(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = Database(f"sqlite:///{tmp_path / 'new.sqlite3'}")
    assert current_revision(db.engine) is None
    db.upgrade()
    db.upgrade()  # idempotent
    assert current_revision(db.engine) == head_revision()
    db.dispose()


def test_head_constant_is_alembics_head() -> None:
    """Start-up compares with HEAD_REVISION instead of importing Alembic: keep them equal."""
    from sipelayanan.migrate import HEAD_REVISION

    assert head_revision() == HEAD_REVISION


def test_up_to_date_start_does_not_import_alembic(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    Database(url).upgrade()
    code = (
        "import sys\n"
        "from sipelayanan.db import Database\n"
        f"db = Database({url!r})\n"
        "db.upgrade()\n"
        "assert db.schema_is_current()\n"
        "print('alembic' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
