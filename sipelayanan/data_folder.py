"""The PC's own data folder: one SQLite database per PC, not one per Windows account.

Where the default SQLite file lives (when neither ``--db``, ``SIPELAYANAN_DB`` nor the installer's
machine config names a database)::

    %PROGRAMDATA%\\SiPelayanan\\data\\sipelayanan.sqlite3     (Windows: the installer grants the
                                                            PC's Users "modify" on that folder)
    /var/lib/sipelayanan/sipelayanan.sqlite3                (Linux, when an administrator made
                                                            that folder and this user may write)
    the user's data folder (platformdirs)                   (elsewhere, noted once in the log)

``SIPELAYANAN_DATA_DIR`` names another folder (tests, a portable setup).

On Windows the database sits in a ``data`` sub-folder so that the machine config beside it
(``%PROGRAMDATA%\\SiPelayanan\\sipelayanan.ini``) stays writable by administrators only.
On Linux there is no installer: a developer or a pilot PC runs the app from a virtual
environment without root, so the machine folder is used only when it was prepared for it.

A database an earlier version kept in the Windows user's own folder is moved here once, safely:
only when the PC has no database yet; copied with SQLite's online backup API, checked
(``integrity_check`` and the row count of every table), then the old file is renamed to
``*.dipindahkan`` — never deleted. When the PC already has a database and this user still has an
old one of their own, nothing is merged: the log says so and the desktop app tells the user once.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("sipelayanan.data")

#: platformdirs names (the per-user folders); db and logs take them from here (no SQLAlchemy)
APP_NAME = "SiPelayanan"
APP_AUTHOR = "Disdukcapil Way Kanan"
ENV_DATA_DIR = "SIPELAYANAN_DATA_DIR"
DB_FILENAME = "sipelayanan.sqlite3"
MOVED_SUFFIX = ".dipindahkan"
NOTICE_SUFFIX = ".diberitahukan"  # marker beside the old file: the user was told
LINUX_MACHINE_DIR = Path("/var/lib/sipelayanan")

_noted_fallback = False
_pending_notice: tuple[str, Path] | None = None  # (message, marker file)


def programdata_folder() -> Path:
    """``%PROGRAMDATA%\\SiPelayanan`` (Inno Setup's ``{commonappdata}\\SiPelayanan``)."""
    return Path(os.environ.get("PROGRAMDATA") or r"C:\ProgramData") / "SiPelayanan"


def user_folder() -> Path:
    """The Windows user's / Linux user's own data folder (where versions ≤ 0.1 kept the file)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, APP_AUTHOR))


def machine_folder() -> Path | None:
    """The machine-wide data folder, or None where this PC has none (Linux without one)."""
    override = os.environ.get(ENV_DATA_DIR)
    if override:
        return Path(override)
    if sys.platform == "win32":
        return programdata_folder() / "data"
    if LINUX_MACHINE_DIR.is_dir() and os.access(LINUX_MACHINE_DIR, os.W_OK | os.X_OK):
        return LINUX_MACHINE_DIR
    return None


def data_folder() -> Path:
    """Where this PC keeps its default database (and the desktop app's single-instance lock)."""
    global _noted_fallback
    folder = machine_folder()
    if folder is not None:
        return folder
    if not _noted_fallback:
        _noted_fallback = True
        log.info(
            "no machine-wide data folder (%s missing or not writable): using the user's own",
            LINUX_MACHINE_DIR,
        )
    return user_folder()


# --------------------------------------------------------------------------- the one-time move


@dataclass(frozen=True)
class MoveResult:
    """What :func:`default_database` found. ``path``: the file to use."""

    path: Path
    moved_from: Path | None = None  # the old per-user file, now renamed *.dipindahkan
    conflict: Path | None = None  # an old per-user file left alone beside the PC's database
    failed: str = ""  # why a move was not made this time (the old file is used meanwhile)


def default_database() -> MoveResult:
    """The PC's default SQLite file, moving this user's old one there first when needed."""
    folder = machine_folder()
    if folder is None:
        return MoveResult(data_folder() / DB_FILENAME)
    return move_user_database(user_folder() / DB_FILENAME, folder / DB_FILENAME)


def move_pending() -> bool:
    """Whether :func:`default_database` would move a per-user file now (cheap: two stats)."""
    folder = machine_folder()
    if folder is None:
        return False
    old, target = user_folder() / DB_FILENAME, folder / DB_FILENAME
    return old.exists() and not target.exists()


def move_user_database(old: Path, target: Path) -> MoveResult:
    """Move ``old`` (a per-user database) to ``target`` once; see the module docstring."""
    if _same_file(old, target):
        return MoveResult(target)
    if target.exists():
        if old.exists():
            _note_conflict(old, target)
            return MoveResult(target, conflict=old)
        return MoveResult(target)
    if not old.exists():
        return MoveResult(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _move(old, target)
    except (OSError, sqlite3.Error, _NotMoved) as exc:
        if _moved_by_another(old, target):
            log.info("database moved to the PC's data folder by another process")
            return MoveResult(target)
        reason = str(exc) or type(exc).__name__
        log.warning("database not moved to the PC's data folder this time: %s", reason)
        return MoveResult(old, failed=reason)
    log.info("database moved from the user's folder to the PC's data folder")
    return MoveResult(target, moved_from=old)


class _NotMoved(Exception):
    pass


def _moved_by_another(old: Path, target: Path, wait_s: float = 10.0) -> bool:
    """Two processes moved at once (the desktop app and a scheduled backup): the other one
    renamed the old file and places the PC's file within moments."""
    import time

    deadline = time.monotonic() + wait_s
    while not target.exists():
        if old.exists() or time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def _move(old: Path, target: Path) -> None:
    fd, tmp_name = tempfile.mkstemp(prefix=".pindah-", suffix=".sqlite3", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    renamed: Path | None = None
    try:
        src = sqlite3.connect(_read_only_uri(old), uri=True, isolation_level=None)
        try:
            src.execute("BEGIN")  # one snapshot for the copy and the counts
            expected = _counts(src)
            dst = sqlite3.connect(tmp, isolation_level=None)
            try:
                src.backup(dst)
                ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
                copied = _counts(dst)
            finally:
                dst.close()
            src.execute("COMMIT")
        finally:
            src.close()
        if ok != "ok":
            raise _NotMoved(f"the copy failed its integrity check: {ok}")
        if copied != expected:
            raise _NotMoved("the copy's row counts differ from the original's")
        for extra in ("-wal", "-shm"):
            Path(f"{tmp}{extra}").unlink(missing_ok=True)
        # Rename the old file first: if it is still open elsewhere (Windows refuses the rename)
        # nothing has changed and the next start tries again.
        renamed = _free_name(Path(f"{old}{MOVED_SUFFIX}"))
        os.rename(old, renamed)
        try:
            _place(tmp, target)
        except OSError:
            os.rename(renamed, old)  # another process placed the PC's database first
            renamed = None
            raise
        for extra in ("-wal", "-shm"):  # left only when a reader was still open: keep them
            side = Path(f"{old}{extra}")
            if side.exists():
                with contextlib.suppress(OSError):
                    os.rename(side, Path(f"{renamed}{extra}"))
    finally:
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm"), Path(f"{tmp}-journal")):
            with contextlib.suppress(OSError):
                leftover.unlink(missing_ok=True)


def _read_only_uri(path: Path) -> str:
    """``file:///C:/…?mode=ro``: percent-encoded, so a '#', '?' or '%' in a Windows user name
    cannot cut the path short."""
    return Path(os.path.abspath(path)).as_uri() + "?mode=ro"


def _free_name(path: Path) -> Path:
    if not path.exists():
        return path
    n = 2
    while Path(f"{path}.{n}").exists():
        n += 1
    return Path(f"{path}.{n}")


def _place(tmp: Path, target: Path) -> None:
    """Move ``tmp`` to ``target`` without ever replacing an existing ``target``."""
    if os.name == "nt":  # pragma: no cover - Windows: rename refuses an existing target
        os.rename(tmp, target)
        return
    os.link(tmp, target)  # fails with FileExistsError instead of replacing
    tmp.unlink()


# --------------------------------------------------------------------------- telling the user


def _note_conflict(old: Path, target: Path) -> None:
    global _pending_notice
    marker = Path(f"{old}{NOTICE_SUFFIX}")
    if marker.exists():
        return
    log.warning(
        "this user still has an old database of their own beside the PC's: not merged "
        "(the user is told once)"
    )
    _pending_notice = (conflict_message(old, target), marker)


def conflict_message(old: Path, target: Path) -> str:
    count = ""
    with contextlib.suppress(sqlite3.Error):
        conn = sqlite3.connect(_read_only_uri(old), uri=True)
        try:
            n = conn.execute("SELECT count(*) FROM cases").fetchone()[0]
            count = f" (berisi {n} permohonan)"
        finally:
            conn.close()
    command = "sipelayanan-cli.exe" if sys.platform == "win32" else "sipelayanan"
    return (
        f"PC ini memakai basis data bersama untuk semua akun Windows ({target}). Di akun "
        f"Windows ini masih ada basis data lama milik akun ini saja{count}: {old}. File lama itu "
        "tidak diubah dan tidak digabungkan. Beri tahu admin: bila isinya masih diperlukan, admin "
        f"dapat membukanya dengan '{command} --db \"sqlite:///{old}\"' untuk memeriksanya. "
        "Pesan ini hanya ditampilkan sekali."
    )


def take_notice() -> str | None:
    """The once-only message about an old per-user database, if one is due; marks it given."""
    global _pending_notice
    pending, _pending_notice = _pending_notice, None
    if pending is None:
        return None
    notice, marker = pending
    try:
        marker.write_text(notice + "\n", encoding="utf-8")
    except OSError as exc:
        log.warning("could not record that the user was told: %s", exc)
    return notice


#: The database chosen for this run by the environment (``--db`` sets it for the CLI too).
ENV_DB = "SIPELAYANAN_DB"


def default_url() -> str:
    """The database when none is named: ``SIPELAYANAN_DB``, else the installer's choice for this
    PC, else the PC's SQLite file (moving this user's old one there first). No SQLAlchemy here:
    the command line's fast status answer resolves it too."""
    env = os.environ.get(ENV_DB)
    if env:
        return env
    from .machine_config import machine_db_url  # the installer's choice for this PC

    if machine := machine_db_url():
        return machine
    return f"sqlite:///{default_database().path}"
