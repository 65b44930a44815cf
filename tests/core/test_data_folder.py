"""One database per PC: the machine-wide data folder and the one-time move of a per-user file.

Real SQLite files throughout; the machine folder is pointed at a temporary folder with
SIPELAYANAN_DATA_DIR and the per-user folder with XDG_DATA_HOME (platformdirs on Linux).
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sipelayanan import data_folder
from sipelayanan.data_folder import (
    DB_FILENAME,
    ENV_DATA_DIR,
    MOVED_SUFFIX,
    NOTICE_SUFFIX,
    default_database,
    machine_folder,
    move_user_database,
    take_notice,
)
from sipelayanan.db import ENV_DB, Database, default_url
from sipelayanan.machine_config import ENV_MACHINE_CONFIG
from sipelayanan.models import Case, User


@pytest.fixture
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """(the PC's data folder, the user's own old database path); nothing configured else."""
    machine = tmp_path / "ProgramData" / "SiPelayanan" / "data"
    monkeypatch.setenv(ENV_DATA_DIR, str(machine))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home-data"))
    monkeypatch.setenv(ENV_MACHINE_CONFIG, str(tmp_path / "tidak-ada.ini"))
    monkeypatch.delenv(ENV_DB, raising=False)
    monkeypatch.setattr(data_folder, "_pending_notice", None)
    old = tmp_path / "home-data" / "SiPelayanan" / DB_FILENAME
    return machine, old


def make_old_database(path: Path, cases: int = 0) -> dict[str, int]:
    """A database in WAL mode as the app leaves it, with demo staff and ``cases`` requests;
    returns its row counts."""
    from sipelayanan.demo import load_demo

    path.parent.mkdir(parents=True, exist_ok=True)
    db = Database(f"sqlite:///{path}")
    try:
        db.upgrade()
        load_demo(db, count=cases)
    finally:
        db.dispose()
    conn = sqlite3.connect(path)
    counts = data_folder._counts(conn)
    conn.close()
    return counts


def test_windows_folder_is_under_programdata(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_DATA_DIR, raising=False)
    monkeypatch.setenv("PROGRAMDATA", "D:/ProgramData")
    monkeypatch.setattr(sys, "platform", "win32")
    assert machine_folder() == Path("D:/ProgramData") / "SiPelayanan" / "data"


def test_linux_without_a_prepared_folder_uses_the_users(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(ENV_DATA_DIR, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(data_folder, "LINUX_MACHINE_DIR", tmp_path / "var-lib-sipelayanan")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home-data"))
    assert machine_folder() is None
    assert data_folder.data_folder() == tmp_path / "home-data" / "SiPelayanan"
    (tmp_path / "var-lib-sipelayanan").mkdir()  # an administrator prepared it
    assert machine_folder() == tmp_path / "var-lib-sipelayanan"


def test_fresh_pc_uses_the_machine_folder(folders: tuple[Path, Path]) -> None:
    machine, old = folders
    assert default_url() == f"sqlite:///{machine / DB_FILENAME}"
    assert not old.exists() and take_notice() is None


def test_old_database_is_moved_once_and_kept(folders: tuple[Path, Path]) -> None:
    machine, old = folders
    counts = make_old_database(old, cases=5)
    assert counts["cases"] == 5

    url = default_url()

    target = machine / DB_FILENAME
    assert url == f"sqlite:///{target}"
    assert not old.exists()
    kept = Path(f"{old}{MOVED_SUFFIX}")
    assert kept.exists()  # renamed, never deleted
    conn = sqlite3.connect(f"file:{kept}?mode=ro", uri=True)
    assert data_folder._counts(conn) == counts  # the old file is intact
    conn.close()
    assert not list(machine.glob(".pindah-*"))  # no temporary copy left behind
    db = Database(url)
    try:
        with db.read() as session:
            assert session.execute(select(func.count(Case.id))).scalar_one() == 5
            assert session.execute(select(func.count(User.id))).scalar_one() == counts["users"]
        db.upgrade()  # the moved database is a normal, usable one
    finally:
        db.dispose()
    # next start: nothing to move, nothing to tell
    assert default_database().path == target and default_database().moved_from is None
    assert take_notice() is None


def test_both_exist_nothing_merged_user_told_once(folders: tuple[Path, Path]) -> None:
    machine, old = folders
    make_old_database(machine / DB_FILENAME)
    make_old_database(old, cases=3)
    before_machine = (machine / DB_FILENAME).read_bytes()
    before_old = old.read_bytes()

    result = default_database()
    assert result.path == machine / DB_FILENAME and result.conflict == old
    notice = take_notice()
    assert notice is not None
    assert str(old) in notice and str(machine / DB_FILENAME) in notice
    assert "3 permohonan" in notice and "tidak digabungkan" in notice
    assert Path(f"{old}{NOTICE_SUFFIX}").exists()
    # once only
    assert default_database().conflict == old
    assert take_notice() is None
    assert (machine / DB_FILENAME).read_bytes() == before_machine
    assert old.read_bytes() == before_old


def test_a_failed_copy_keeps_using_the_old_file(
    folders: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copy that does not verify is thrown away; the old file stays where it was."""
    machine, old = folders
    make_old_database(old, cases=2)
    real_counts = data_folder._counts
    calls = {"n": 0}

    def lossy_counts(conn: sqlite3.Connection) -> dict[str, int]:
        calls["n"] += 1
        counts = real_counts(conn)
        if calls["n"] == 2:  # the copy's counts: pretend a row went missing
            counts["cases"] -= 1
        return counts

    monkeypatch.setattr(data_folder, "_counts", lossy_counts)
    result = default_database()
    assert result.path == old and "row counts" in result.failed
    assert old.exists() and not Path(f"{old}{MOVED_SUFFIX}").exists()
    assert not (machine / DB_FILENAME).exists()
    assert not list(machine.glob(".pindah-*"))


def test_a_machine_database_appearing_meanwhile_is_never_replaced(
    folders: tuple[Path, Path],
) -> None:
    """Two first starts at once: the second mover finds the PC's database and backs off."""
    machine, old = folders
    make_old_database(old, cases=1)
    target = machine / DB_FILENAME
    machine.mkdir(parents=True)
    real_place = data_folder._place

    def racing_place(tmp: Path, dest: Path) -> None:
        dest.write_bytes(b"placed by another process")
        real_place(tmp, dest)

    data_folder._place = racing_place  # type: ignore[assignment]
    try:
        result = move_user_database(old, target)
    finally:
        data_folder._place = real_place  # type: ignore[assignment]
    assert result.path == target and result.moved_from is None  # the other process's file
    assert target.read_bytes() == b"placed by another process"  # never replaced
    assert old.exists() and not Path(f"{old}{MOVED_SUFFIX}").exists()  # ours back in place
    assert default_database().conflict == old  # and the user will be told once


def test_cli_moves_the_old_database_on_first_use(
    folders: tuple[Path, Path], tmp_path: Path
) -> None:
    """End to end in a real process: no --db, the old per-user data shows up via the PC's file."""
    import os

    machine, old = folders
    make_old_database(old, cases=2)
    conn = sqlite3.connect(old)
    code = conn.execute("SELECT code FROM cases ORDER BY id LIMIT 1").fetchone()[0]
    conn.close()
    out = subprocess.run(
        [sys.executable, "-m", "sipelayanan", "status", code],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Status ") and "tidak terdaftar" not in out.stdout  # found
    assert (machine / DB_FILENAME).exists() and Path(f"{old}{MOVED_SUFFIX}").exists()


def test_installer_makes_the_same_folder_writable_for_users() -> None:
    """The .iss grants Users modify on exactly the folder the app uses on Windows, and not on
    the folder of the machine config (which stays for administrators)."""
    import re

    iss = (Path(__file__).parents[2] / "installer" / "sipelayanan.iss").read_text(encoding="utf-8")
    dirs = iss.split("[Dirs]", 1)[1].split("\n[", 1)[0]
    entries = {
        m[1]: m[2] or ""
        for m in re.finditer(r'^Name: "([^"]+)";(?:.*Permissions: ([\w-]+))?', dirs, re.M)
    }
    assert entries["{commonappdata}\\{#AppName}\\data"] == "users-modify"
    assert entries["{commonappdata}\\{#AppName}"] == ""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(ENV_DATA_DIR, raising=False)
        mp.setattr(sys, "platform", "win32")
        mp.setenv("PROGRAMDATA", "C:\\ProgramData")
        assert machine_folder() == Path("C:\\ProgramData") / "SiPelayanan" / "data"


def test_move_from_a_folder_with_uri_characters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Windows user name may hold '#', '%' or spaces: the read-only URI must still find it."""
    home = tmp_path / "Pak Budi #2 %41"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    machine = tmp_path / "pc-data"
    monkeypatch.setenv(ENV_DATA_DIR, str(machine))
    old = home / "SiPelayanan" / DB_FILENAME
    counts = make_old_database(old, cases=1)
    result = default_database()
    assert result.moved_from == old and not result.failed
    conn = sqlite3.connect(machine / DB_FILENAME)
    assert data_folder._counts(conn) == counts
    conn.close()


MOVER = """
import sys
from sipelayanan.data_folder import default_database
sys.stdout.write("ready\\n"); sys.stdout.flush()
sys.stdin.readline()
r = default_database()
print(r.path, bool(r.moved_from), r.failed or "-")
"""


def test_two_processes_moving_at_once(folders: tuple[Path, Path]) -> None:
    """The desktop app and a scheduled backup start together after an upgrade: both end on the
    PC's database, which holds everything; the old file is kept once; nothing is left over."""
    import os

    machine, old = folders
    counts = make_old_database(old, cases=40)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", MOVER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=dict(os.environ),
        )
        for _ in range(2)
    ]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline() == "ready\n"
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    outs = [p.communicate(timeout=120)[0].split() for p in procs]
    target = machine / DB_FILENAME
    assert [o[0] for o in outs] == [str(target)] * 2, outs
    assert "True" in [o[1] for o in outs]  # one of them moved it
    conn = sqlite3.connect(target)
    assert data_folder._counts(conn) == counts
    conn.close()
    assert not old.exists()
    kept = {p.name for p in old.parent.glob("*.dipindahkan*")}
    base = f"{DB_FILENAME}{MOVED_SUFFIX}"
    assert base in kept and kept <= {base, f"{base}-wal", f"{base}-shm"}  # kept once
    assert not list(machine.glob(".pindah-*"))
