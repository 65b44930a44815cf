"""Faults a real office meets: the PostgreSQL server stopped mid-session, a PC killed in the
middle of a save, a full disk, a read-only database file. Each gives a clear message in Bahasa
Indonesia, never half a change, and the app carries on once the cause is gone."""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from sipelayanan.db import SERVER_MESSAGE, Database
from sipelayanan.errors import ConflictError, DatabaseUnavailable
from sipelayanan.models import (
    Attachment,
    AuditEntry,
    Case,
    CaseStep,
    ChecklistItem,
    Delivery,
    RegisterCounter,
    RegisterEntry,
)
from sipelayanan.services import audit
from sipelayanan.services import cases as svc
from sipelayanan.services.queries import case_view
from tests import proc_worker as pw

ROOT = Path(__file__).resolve().parents[2]
NIK = "1808015708900003"
SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def _data(**kw: Any) -> svc.IntakeData:
    return svc.IntakeData(service="KK", nama="Siti Aminah", nik=NIK, wa="081234567890", **kw)


def _counts(db: Database) -> dict[str, int]:
    models = {
        "cases": Case,
        "steps": CaseStep,
        "checklist": ChecklistItem,
        "attachments": Attachment,
        "audit": AuditEntry,
        "register": RegisterEntry,
        "deliveries": Delivery,
    }
    with db.read() as s:
        return {
            name: int(s.execute(select(func.count()).select_from(m)).scalar_one())
            for name, m in models.items()
        }


# --------------------------------------------------------------------------- PostgreSQL down


@pytest.fixture
def private_pg() -> Any:
    """A PostgreSQL server of this test's own, since it will be stopped and started."""
    from tests.pgserver import destroy, start_server

    try:
        server = start_server()
    except (FileNotFoundError, OSError) as exc:
        if os.environ.get("SIPELAYANAN_REQUIRE_PG") == "1":
            pytest.fail(f"PostgreSQL is required but: {exc}")
        pytest.skip(f"PostgreSQL not installed: {exc}")
    try:
        yield server
    finally:
        destroy(server)


@pytest.mark.slow
def test_postgres_stopped_mid_session_then_started(private_pg: Any) -> None:
    from sipelayanan.demo import ensure_demo_users

    private_pg.psql("CREATE DATABASE kantor")
    db = Database(private_pg.url("kantor"))  # one app session for the whole test
    db.upgrade()
    actors, _ = ensure_demo_users(db)
    with db.write() as s:
        first = svc.intake(s, actors["online"], _data()).code
    with db.read() as s:  # a pooled connection of the read unit, alive
        assert case_view(s, first).code == first
    before = _counts(db)

    # the server stops while a clerk's save is on its way: nothing half-written
    with pytest.raises(DatabaseUnavailable) as err, db.write() as s:
        svc.intake(s, actors["online"], _data(uraian="sedang disimpan"))
        private_pg.stop("fast")
    assert str(err.value) == SERVER_MESSAGE
    # while it is down every operation fails fast with the same clear message
    started = time.monotonic()
    with pytest.raises(DatabaseUnavailable, match="tidak dapat dihubungi"), db.read() as s:
        case_view(s, first)
    with pytest.raises(DatabaseUnavailable, match="tidak dapat dihubungi"), db.read() as s:
        audit.change_token(s)  # the inbox's change check, on the next pooled connection
    assert time.monotonic() - started < 15
    with pytest.raises(DatabaseUnavailable), db.write() as s:
        svc.advance(s, actors["online"], first)

    private_pg.start()
    # the same operations succeed, same Database object, no restart of the app
    with db.write() as s:
        second = svc.intake(s, actors["online"], _data(uraian="sedang disimpan")).code
    with db.write() as s:
        svc.advance(s, actors["online"], first)
    after = _counts(db)
    assert after["cases"] == before["cases"] + 1  # the interrupted intake left nothing
    assert after["audit"] == before["audit"] + 2
    with db.read() as s:
        assert case_view(s, second).uraian == "sedang disimpan"
        assert case_view(s, first).current_step == 2
        assert audit.verify(s).ok
    with db.read() as s:
        assert audit.change_token(s) > 0
    db.dispose()


def test_unreachable_server_is_a_clear_message_and_exit_3(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here once closed
    url = f"postgresql://sipelayanan:rahasia@127.0.0.1:{port}/kantor"
    db = Database(url)
    with pytest.raises(DatabaseUnavailable, match="tidak dapat dihubungi"), db.read() as s:
        s.execute(text("SELECT 1"))
    db.dispose()
    done = subprocess.run(
        # the public status reply: a read that needs no login
        [sys.executable, "-m", "sipelayanan", "--db", url, "status", "ABCDEFGH2"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 3
    assert "tidak dapat dihubungi" in done.stderr
    assert "Traceback" not in done.stderr and "rahasia" not in done.stderr


# --------------------------------------------------------------------------- SIGKILL


@pytest.mark.slow
@pytest.mark.parametrize("point", ["flushed", "committed"])
def test_killed_during_intake_leaves_all_or_nothing(
    db: Database, tmp_path: Path, point: str
) -> None:
    before = _counts(db)
    proc = pw.start("hang", url=db.url, user="online", kind="intake", point=point, berkas=2)
    code = pw.expect_line(proc, "CODE ") if point == "committed" else None
    pw.expect_line(proc, "MID")
    pw.kill(proc)
    after = _counts(db)
    if point == "flushed":  # rows were written inside the transaction, never committed
        assert after == before
    else:
        assert after["cases"] == before["cases"] + 1
        assert after["attachments"] == before["attachments"] + 2
        assert after["audit"] == before["audit"] + 1
        assert after["checklist"] > before["checklist"]
        assert code is not None
    # the dead process holds no lock: the next save goes through at once
    with db.write() as s:
        audit.record(s, None, "test.after_kill", "test", None, username="(uji)")
    with db.read() as s:
        assert audit.verify(s).ok


@pytest.mark.slow
def test_killed_during_a_step_changes_nothing(db: Database, actors: dict[str, Any]) -> None:
    with db.write() as s:
        code = svc.intake(
            s,
            actors["online"],
            svc.IntakeData(
                service="KTP_EL",
                nama="Budi Santoso",
                nik=NIK,
                wa="081234567890",
                present=["fotokopi_kk", "ktp_el_lama"],
            ),
        ).code
    for user in ("online", "online", "operator"):
        with db.write() as s:
            svc.advance(s, actors[user], code)
    with db.read() as s:
        seen = case_view(s, code)
    before = _counts(db)
    # step 4 takes a register number and records the hand-over: all of it or none of it
    proc = pw.start(
        "hang", url=db.url, user="penyerahan", kind="advance", code=code, point="flushed"
    )
    pw.expect_line(proc, "MID")
    pw.kill(proc)
    assert _counts(db) == before
    with db.read() as s:
        now = case_view(s, code)
        counter = s.execute(select(func.count()).select_from(RegisterCounter)).scalar_one()
    assert (now.current_step, now.version, now.status) == (4, seen.version, seen.status)
    assert counter == 0
    with db.write() as s:  # and the step can be done now, taking number 1
        svc.advance(s, actors["penyerahan"], code, resi="P123")
    with db.read() as s:
        assert case_view(s, code).register_number.startswith("00001/")


@pytest.mark.slow
def test_killed_at_a_random_moment_while_saving(db: Database) -> None:
    """A PC records requests with berkas and moves them on; it is killed at a random moment.
    Every request in the database is whole: its checklist, berkas, history and audit entries."""
    rng = random.Random(int(time.time()))
    before = _counts(db)
    proc = pw.start("intake_loop", url=db.url, berkas=1, advance=True)
    pw.expect_line(proc, "READY")
    pw.expect_line(proc, "DONE")
    time.sleep(rng.uniform(0.05, 0.6))
    pw.kill(proc)
    with db.read() as s:
        codes = s.execute(select(Case.code)).scalars().all()
        assert audit.verify(s).ok
        for code in codes:
            view = case_view(s, code)
            assert len(view.attachments) == 1
            assert [h.step_no for h in view.history] == [1]
            actions = s.execute(
                select(AuditEntry.action).where(AuditEntry.entity_id == code)
            ).scalars()
            assert sorted(actions) == ["case.advance", "case.intake"]
    after = _counts(db)
    n = after["cases"] - before["cases"]
    assert n >= 1
    assert after["attachments"] - before["attachments"] == n
    assert after["audit"] - before["audit"] == 2 * n


# --------------------------------------------------------------------------- disk full


@SQLITE_ONLY  # simulated with SQLite's page limit; PostgreSQL's disk is the server's
def test_full_disk_is_a_clear_message_and_nothing_is_half_written(
    db: Database, actors: dict[str, Any]
) -> None:
    before = _counts(db)
    big = pw._pdf("besar", 3_000_000)
    with pytest.raises(DatabaseUnavailable, match="Disk penuh") as err, db.write() as s:
        pages = s.execute(text("PRAGMA page_count")).scalar_one()
        s.execute(text(f"PRAGMA max_page_count = {pages + 20}"))
        svc.intake(s, actors["online"], _data(berkas=[svc.BerkasFile("kk.pdf", big)]))
    assert "tetap utuh" in str(err.value)
    assert _counts(db) == before
    db.dispose()  # a fresh connection has no page limit: the same save now succeeds
    with db.write() as s:
        svc.intake(s, actors["online"], _data(berkas=[svc.BerkasFile("kk.pdf", big)]))
    assert _counts(db)["attachments"] == before["attachments"] + 1


@SQLITE_ONLY
def test_database_opened_read_only_is_a_clear_message(db: Database, actors: dict[str, Any]) -> None:
    """Runs everywhere (SQLite's own read-only mode); the test below uses a real read-only
    mount where the machine allows it."""
    with db.write() as s:
        code = svc.intake(s, actors["online"], _data()).code
    before = _counts(db)
    ro = Database(f"sqlite:///file:{db.sqlite_file}?mode=ro&uri=true")
    with ro.read() as s:
        assert case_view(s, code).code == code  # reading still works
    with pytest.raises(DatabaseUnavailable, match="hanya-baca") as err, ro.write() as s:
        svc.advance(s, actors["online"], code)
    assert str(db.sqlite_file) in str(err.value)
    ro.dispose()
    assert _counts(db) == before


def _userns() -> bool:
    if shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-Urm", "true"], capture_output=True).returncode == 0


def _in_namespace(mount: str, *argv: str) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` in a private mount namespace after the shell command ``mount``."""
    return subprocess.run(
        ["unshare", "-Urm", "sh", "-c", f'{mount} && exec "$@"', "sh", *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )


def _result(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    import json

    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])  # type: ignore[no-any-return]
    raise AssertionError(f"no result: {done.stdout[-2000:]} {done.stderr[-3000:]}")


def _copy_sqlite(db: Database, target: Path) -> None:
    path = db.sqlite_file
    assert path is not None
    db.dispose()
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(path, target)


@pytest.mark.slow
@pytest.mark.skipif(not _userns(), reason="needs user namespaces (unshare -Urm) to mount")
@SQLITE_ONLY
def test_real_full_disk_on_a_tiny_file_system(db: Database, tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    seed = tmp_path / "seed.sqlite3"
    _copy_sqlite(db, seed)
    size_kb = seed.stat().st_size // 1024 + 3000  # room for a handful of requests
    done = _in_namespace(
        f"mount -t tmpfs -o size={size_kb}k tmpfs {disk} && cp {seed} {disk}/db.sqlite3",
        sys.executable,
        "-m",
        "tests.proc_faults",
        "disk_full",
        f"{disk}/db.sqlite3",
    )
    out = _result(done)
    assert "Disk penuh" in out["message"] and "tetap utuh" in out["message"]
    assert out["saved"], "some requests fit before the disk filled up"
    assert out["cases"] == sorted(out["saved"])  # every save that said OK is there, whole
    assert out["attachments"] == len(out["saved"])
    assert out["audit_ok"] and out["integrity"] == "ok"


@pytest.mark.slow
@pytest.mark.skipif(not _userns(), reason="needs user namespaces (unshare -Urm) to mount")
@SQLITE_ONLY
def test_read_only_database_is_a_clear_message(db: Database, actors: dict[str, Any]) -> None:
    with db.write() as s:
        code = svc.intake(s, actors["online"], _data()).code
    path = db.sqlite_file
    assert path is not None
    _copy_sqlite(db, path.with_name("ro.sqlite3"))
    target = path.with_name("ro.sqlite3")
    folder = path.parent
    ro = f"mount --bind {folder} {folder} && mount -o remount,ro,bind {folder}"
    out = _result(
        _in_namespace(ro, sys.executable, "-m", "tests.proc_faults", "read_only", str(target), code)
    )
    assert "hanya-baca" in out.get("read_error", "hanya-baca")
    assert "write" not in out
    assert out["write_error"].startswith("DatabaseUnavailable:")
    assert "hanya-baca" in out["write_error"]
    # the command line: exit status 3, one clear line, no traceback
    done = _in_namespace(
        ro,
        sys.executable,
        "-m",
        "sipelayanan",
        "--db",
        f"sqlite:///{target}",
        "status",  # a read that needs no login
        code,
    )
    assert done.returncode == 3, done.stderr
    assert "hanya-baca" in done.stderr and "Traceback" not in done.stderr
    # the file itself is untouched
    assert sqlite3.connect(target).execute("PRAGMA integrity_check").fetchone() == ("ok",)


# --------------------------------------------------------------------------- personal data in logs

LEAK_NIK = "1808014406920005"
LEAK_WA = "0813-6677-2288"
LEAK_NAMA = "Rahmawati Kusumadewi"


def _leaky(**kw: Any) -> svc.IntakeData:
    values: dict[str, Any] = {"nama": LEAK_NAMA, "nik": LEAK_NIK, "wa": LEAK_WA, **kw}
    return svc.IntakeData(service="KK", **values)


@pytest.fixture
def app_log(tmp_path: Path) -> Any:
    """The app's own logging setup (sipelayanan.logs) writing into a folder of this test."""
    import logging

    from sipelayanan.logs import setup_logging

    root = logging.getLogger("sipelayanan")
    saved = root.handlers[:]
    root.handlers.clear()
    folder = tmp_path / "log"
    try:
        assert setup_logging(directory=folder) is not None
        yield folder
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers[:] = saved


def test_failing_statements_write_no_personal_data_to_the_log(
    db: Database, actors: dict[str, Any], app_log: Path
) -> None:
    """A statement that fails in the database carries a NIK, a WhatsApp number and a name in
    its parameters, and PostgreSQL echoes row and key values in its DETAIL line. The log file
    the app writes must hold the failures (an admin needs them) but none of those values."""
    import logging

    with db.write() as s:
        svc.intake(s, actors["online"], _leaky())
    with db.write() as s:  # the office's own rules, as an admin might add them
        s.execute(text("CREATE UNIQUE INDEX ux_test_nik ON cases (nik)"))
        if db.dialect == "postgresql":
            s.execute(
                text(
                    "ALTER TABLE cases ADD CONSTRAINT ck_test_uraian "
                    "CHECK (uraian IS NULL OR uraian NOT LIKE '%tolak%')"
                )
            )
        else:
            s.execute(
                text(
                    "CREATE TRIGGER tr_test_uraian BEFORE INSERT ON cases "
                    "WHEN NEW.uraian LIKE '%tolak%' BEGIN SELECT RAISE(ABORT, 'ditolak'); END"
                )
            )
    # 1. the same NIK again: a unique violation, a clear conflict for the clerk
    with pytest.raises(ConflictError), db.write() as s:
        svc.intake(s, actors["online"], _leaky())
    # 2. a row the database refuses: an unexpected error, logged with its traceback as the
    #    windows and the CLI log it
    try:
        with db.write() as s:
            svc.intake(s, actors["online"], _leaky(nik=NIK, uraian="mohon tolak"))
    except Exception:
        logging.getLogger("sipelayanan.ui.ops").exception("operation failed")
    else:
        pytest.fail("the refused row was stored")
    for handler in logging.getLogger("sipelayanan").handlers:
        handler.flush()
    text_logged = "".join(p.read_text(encoding="utf-8") for p in app_log.iterdir())
    assert "database error" in text_logged and "operation failed" in text_logged
    assert "Traceback" in text_logged
    if db.dialect == "postgresql":
        assert "23505" in text_logged and "ck_test_uraian" in text_logged
    digits = "".join(c for c in text_logged if c.isdigit() or c == "\n")
    for value in (LEAK_NIK, NIK, "81366772288", "6677", "2288"):
        assert value not in text_logged, value
    assert LEAK_NIK not in digits and "81366772288" not in digits
    for word in LEAK_NAMA.split():
        assert word.lower() not in text_logged.lower(), word
