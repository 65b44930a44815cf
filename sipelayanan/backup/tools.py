"""The outside tools a backup uses (pg_dump, pg_restore) and where temporary copies live.

A backup is first written inside a private folder next to its target (``mkdtemp``: mode 0700,
files 0600) and moved into place with one rename, so a half-written file is never mistaken for
a backup and no one else on the PC can read the copy. The folder is removed on every normal or
failing exit; a process killed outright (SIGKILL, power cut) leaves it behind, and the next
backup into the same folder removes it once its process is gone.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..db import Database

WORKDIR_PREFIX = ".sipelayanan-sementara-"
#: the temporary name older versions wrote next to the target: ``.NAME.PID.tmp[-journal]``
_LEGACY_TMP = re.compile(r"^\..+\.(\d+)\.tmp(?:-journal|-wal|-shm)?$")
_WORKDIR = re.compile(rf"^{re.escape(WORKDIR_PREFIX)}(\d+)-")
_STALE_SECONDS_WINDOWS = 24 * 3600


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # os.kill would terminate it; judged by age instead
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _looks_like_backup(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            head = f.read(16)
    except OSError:
        return False
    return head.startswith((b"SQLite format 3\x00", b"PK\x03\x04", b"PGDMP"))


def clean_stale(folder: Path) -> list[Path]:
    """Remove temporary copies that backups killed mid-way left in ``folder``."""
    removed: list[Path] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        m = _WORKDIR.match(entry.name) or _LEGACY_TMP.match(entry.name)
        if m is None:
            continue
        try:
            old = now - entry.stat().st_mtime > _STALE_SECONDS_WINDOWS
        except OSError:
            continue
        if _process_alive(int(m.group(1))) and not (sys.platform == "win32" and old):
            continue
        legacy_main = m.re is _LEGACY_TMP and not entry.name.endswith(("-journal", "-wal", "-shm"))
        if legacy_main and not _looks_like_backup(entry):  # someone else's hidden file
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            try:
                entry.unlink()
            except OSError:
                continue
        if not entry.exists():
            removed.append(entry)
    return removed


@contextmanager
def private_workdir(folder: Path) -> Iterator[Path]:
    """A private folder inside ``folder`` (same disk, so the result moves in with a rename),
    removed on exit whatever happens."""
    clean_stale(folder)
    path = Path(tempfile.mkdtemp(prefix=f"{WORKDIR_PREFIX}{os.getpid()}-", dir=folder))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def create_private(path: Path) -> None:
    """An empty file only its owner can read (0600), before any tool writes into it."""
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0), 0o600)
    os.close(fd)


def fsync_replace(tmp: Path, out: Path) -> None:
    os.chmod(tmp, 0o600)
    with tmp.open("rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, out)
    if sys.platform != "win32":
        try:
            fd = os.open(out.parent, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)


# --------------------------------------------------------------------------- PostgreSQL tools


def pg_bin(tool: str) -> str | None:
    found = shutil.which(tool)
    if found:
        return found
    patterns = [Path("/usr/lib/postgresql"), Path("C:/Program Files/PostgreSQL")]
    for base in patterns:
        if base.is_dir():
            for version in sorted(base.iterdir(), reverse=True):
                for candidate in (version / "bin" / tool, version / "bin" / f"{tool}.exe"):
                    if candidate.exists():
                        return str(candidate)
    return None


def tool_major(path: str) -> int | None:
    try:
        out = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(m.group(1)) if m else None


def server_major(db: Database) -> int:
    from sqlalchemy import text

    with db.read() as session:
        return int(session.execute(text("SHOW server_version_num")).scalar_one()) // 10000


def libpq(db: Database) -> tuple[list[str], dict[str, str]]:
    """pg_dump/pg_restore connection arguments; the password travels in the environment."""
    u = db.engine.url
    args = ["--no-password"]
    env = dict(os.environ)
    if u.host:
        args += ["--host", u.host]
    if u.port:
        args += ["--port", str(u.port)]
    if u.username:
        args += ["--username", u.username]
    if u.password:
        env["PGPASSWORD"] = str(u.password)
    for key, value in u.query.items():
        if key in ("sslmode", "sslrootcert", "sslcert", "sslkey"):
            env["PG" + key.upper()] = str(value if isinstance(value, str) else value[0])
    env["PGCONNECT_TIMEOUT"] = "10"
    return [*args, "--dbname", str(u.database)], env
