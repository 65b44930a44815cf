"""SQLite is for one PC on a local disk: WAL, a busy timeout, write transactions that take the
write lock when they begin, and a refusal, with the reason and the way out, of a database file
on a network share (UNC path, mapped drive, network mount)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from sipelayanan import cli
from sipelayanan.db import (
    LOCK_WAIT_SECONDS,
    Database,
    is_network_path,
    network_filesystem,
)
from sipelayanan.errors import DatabaseUnavailable
from sipelayanan.services import audit
from tests import proc_worker as pw

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sdb(tmp_path: Path, sqlite_template: Path) -> Iterator[Database]:
    path = tmp_path / "sipelayanan.sqlite3"
    shutil.copy(sqlite_template, path)
    db = Database(f"sqlite:///{path}")
    yield db
    db.dispose()


def test_wal_busy_timeout_and_foreign_keys(sdb: Database) -> None:
    with sdb.read() as s:
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert s.execute(text("PRAGMA busy_timeout")).scalar() == LOCK_WAIT_SECONDS * 1000
        assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_a_write_transaction_takes_the_lock_when_it_begins(sdb: Database) -> None:
    path = sdb.sqlite_file
    assert path is not None
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        with sdb.write() as s:
            s.execute(text("SELECT 1"))  # nothing written yet, but the lock is already held
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            assert other.execute("SELECT COUNT(*) FROM users").fetchone()[0] > 0  # reads go on
        other.execute("BEGIN IMMEDIATE")  # released at commit
        other.execute("ROLLBACK")
        with sdb.read() as s:  # a read transaction takes no write lock
            s.execute(text("SELECT 1"))
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
    finally:
        other.close()


@pytest.mark.slow
def test_a_second_writer_waits_instead_of_failing(sdb: Database, tmp_path: Path) -> None:
    go = tmp_path / "go"
    proc = pw.start("hold_write", url=sdb.url, seconds=1.5, go=str(go))
    pw.release([proc], go)
    pw.expect_line(proc, "HOLDING")
    with sdb.read() as s:  # reading is not blocked by the other PC's write
        started = time.monotonic()
        assert audit.change_token(s) >= 0
        assert time.monotonic() - started < 1.0
    started = time.monotonic()
    with sdb.write() as s:  # queues behind the other writer, then goes through
        audit.record(s, None, "test.second", "test", None, username="(uji)")
    waited = time.monotonic() - started
    assert pw.result(proc)["held"] == 1.5
    assert waited > 0.5
    with sdb.read() as s:
        assert audit.verify(s).ok


# --------------------------------------------------------------------------- network shares


@pytest.mark.parametrize(
    "path",
    [
        "//server/share/sipelayanan.sqlite3",
        "\\\\server\\share\\sipelayanan.sqlite3",
        "\\\\192.168.1.10\\data\\sipelayanan.sqlite3",
        "\\\\?\\UNC\\server\\share\\sipelayanan.sqlite3",
        "//?/UNC/server/share/sipelayanan.sqlite3",
    ],
)
def test_unc_paths_are_network_paths(path: str) -> None:
    assert is_network_path(path)


def test_local_paths_are_not_network_paths(tmp_path: Path) -> None:
    assert not is_network_path(tmp_path / "sipelayanan.sqlite3")
    assert not is_network_path(tmp_path / "belum" / "ada" / "sipelayanan.sqlite3")
    assert not is_network_path(Path("sipelayanan.sqlite3"))


MOUNTS = """\
/dev/sda1 / ext4 rw,relatime 0 0
proc /proc proc rw 0 0
nas:/volume1/dukcapil /mnt/nas nfs4 rw,relatime,vers=4.1 0 0
/dev/sdb1 /mnt/nas/lokal ext4 rw 0 0
//server/data /media/kantor\\040bersama cifs rw,vers=3.0 0 0
sshfs#admin@server: /home/op/remote fuse.sshfs rw 0 0
"""


@pytest.mark.parametrize(
    ("path", "fstype"),
    [
        ("/mnt/nas/sip/sipelayanan.sqlite3", "nfs4"),
        ("/mnt/nas", "nfs4"),
        ("/mnt/nas/lokal/sipelayanan.sqlite3", None),  # a local disk mounted inside the share
        ("/mnt/nasional/sipelayanan.sqlite3", None),  # a name that only starts the same
        ("/media/kantor bersama/sipelayanan.sqlite3", "cifs"),
        ("/home/op/remote/db.sqlite3", "fuse.sshfs"),
        ("/home/op/sipelayanan.sqlite3", None),
    ],
)
def test_network_mounts_are_recognised(path: str, fstype: str | None) -> None:
    assert network_filesystem(Path(path), MOUNTS) == fstype
    assert is_network_path(path, mounts=MOUNTS) is (fstype is not None)


def test_database_on_a_share_is_refused_with_the_way_out(tmp_path: Path) -> None:
    with pytest.raises(DatabaseUnavailable) as err:
        Database("sqlite://///server/share/sipelayanan.sqlite3")
    message = str(err.value)
    assert "folder jaringan" in message and "PostgreSQL" in message and "disk lokal" in message
    assert not Path("/server").exists()  # nothing was created on the way


def test_the_command_refuses_a_share_with_exit_3() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sipelayanan",
            "--db",
            "sqlite:///\\\\server\\share\\sipelayanan.sqlite3",
            "db",
            "upgrade",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 3
    assert "folder jaringan" in done.stderr and "Traceback" not in done.stderr


def test_db_check_reports_a_healthy_local_database(
    sdb: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["--db", sdb.url, "db", "check"]) == 0
    out = capsys.readouterr().out
    assert "[OK] File di disk lokal PC ini" in out
    assert "[OK] Mode jurnal: wal" in out and "[OK] Log audit utuh" in out
    with sdb.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    assert cli.main(["--db", sdb.url, "db", "check"]) == 4
    assert "[!!] Log audit TIDAK utuh" in capsys.readouterr().out
