"""A log file per day, shared safely by every SiPelayanan process of the user.

``sipelayanan-2026-11-26.log`` … in the log folder; files older than :data:`KEEP_DAYS` are
deleted. Nothing is ever renamed, which is what breaks ``RotatingFileHandler`` on Windows when
the desktop app and a scheduled ``sipelayanan backup`` write the same log: the process that
rotates cannot rename a file the other holds open, and every later record fails. Here each
process opens the day's file for appending only and writes each record in one call, so records
of several processes interleave whole and none is lost:

- POSIX: ``O_APPEND`` makes the kernel place every write at the end of the file atomically;
- Windows: the file is opened with ``FILE_APPEND_DATA`` only (not ``FILE_WRITE_DATA``), which
  makes every ``WriteFile`` an atomic append, and shared for read, write *and delete*, so
  pruning an old day's file never fails because another process still has it open.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import time
from datetime import date, timedelta
from pathlib import Path

PREFIX = "sipelayanan"
KEEP_DAYS = 60
_DAY_FILE = re.compile(rf"^{PREFIX}-(\d{{4}})-(\d{{2}})-(\d{{2}})\.log$")
#: what RotatingFileHandler left (versions up to 0.1): pruned by age like the day files
_OLD_FILE = re.compile(rf"^{PREFIX}\.log(\.\d+)?$")


def day_file(folder: Path, day: date) -> Path:
    return folder / f"{PREFIX}-{day.isoformat()}.log"


def _open_append(path: Path) -> int:
    """A file descriptor whose every write lands, whole, at the end of ``path``."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        with contextlib.suppress(OSError, AttributeError, ImportError):
            return _open_append_windows(path)
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0)
    return os.open(path, flags, 0o644)


if sys.platform == "win32":  # pragma: no cover - Windows only

    def _open_append_windows(path: Path) -> int:  # pragma: no cover - Windows only
        import ctypes
        import msvcrt
        from ctypes import wintypes

        FILE_APPEND_DATA = 0x0004
        SYNCHRONIZE = 0x00100000
        SHARE_ALL = 0x1 | 0x2 | 0x4  # read, write, delete
        OPEN_ALWAYS = 4
        FILE_ATTRIBUTE_NORMAL = 0x80
        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        create = kernel32.CreateFileW
        create.argtypes = [
            wintypes.LPCWSTR,
            wintypes.DWORD,
            wintypes.DWORD,
            wintypes.LPVOID,
            wintypes.DWORD,
            wintypes.DWORD,
            wintypes.HANDLE,
        ]
        create.restype = wintypes.HANDLE
        handle = create(
            str(path),
            FILE_APPEND_DATA | SYNCHRONIZE,
            SHARE_ALL,
            None,
            OPEN_ALWAYS,
            FILE_ATTRIBUTE_NORMAL,
            None,
        )
        if handle is None or handle == wintypes.HANDLE(-1).value:
            raise ctypes.WinError(ctypes.get_last_error())
        try:
            return msvcrt.open_osfhandle(handle, os.O_APPEND)
        except OSError:
            kernel32.CloseHandle(handle)
            raise


def prune(folder: Path, today: date, keep_days: int = KEEP_DAYS) -> list[Path]:
    """Delete day files older than ``keep_days``; a file that cannot be deleted now is left for
    the next time. Returns the files deleted."""
    oldest = today - timedelta(days=keep_days - 1)
    removed: list[Path] = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        m = _DAY_FILE.match(name)
        try:
            if m:
                day = date(int(m[1]), int(m[2]), int(m[3]))
            elif _OLD_FILE.match(name):
                day = date.fromtimestamp((folder / name).stat().st_mtime)
            else:
                continue
        except (ValueError, OSError):
            continue
        if day < oldest:
            with contextlib.suppress(OSError):
                (folder / name).unlink()
                removed.append(folder / name)
    return removed


class DailyFileHandler(logging.Handler):
    """Writes each record, in one append, to the file of the record's (local) day."""

    def __init__(self, folder: Path, keep_days: int = KEEP_DAYS) -> None:
        super().__init__()
        self.folder = folder
        self.keep_days = keep_days
        self._fd: int | None = None
        self._day: date | None = None
        self._open(date.today())  # fail here (setup) rather than on the first record

    @property
    def path(self) -> Path:
        assert self._day is not None
        return day_file(self.folder, self._day)

    def _open(self, day: date) -> None:
        fd = _open_append(day_file(self.folder, day))
        old, self._fd, self._day = self._fd, fd, day
        if old is not None:
            with contextlib.suppress(OSError):
                os.close(old)
        prune(self.folder, day, self.keep_days)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            data = (self.format(record) + "\n").encode("utf-8", "backslashreplace")
            day = date.fromtimestamp(record.created)
            # Handler.handle() holds self.lock around emit(): one thread writes at a time
            if day != self._day or self._fd is None:
                self._open(day)
            assert self._fd is not None
            view = memoryview(data)
            while view:  # a regular file takes it in one call; loop only to be exact
                view = view[os.write(self._fd, view) :]
        except Exception:
            self.handleError(record)

    def close(self) -> None:
        with self.lock or contextlib.nullcontext():
            if self._fd is not None:
                with contextlib.suppress(OSError):
                    os.close(self._fd)
                self._fd = None
        super().close()


def newest_log(folder: Path) -> Path:
    """Today's file (where the next record goes) — for messages that point the admin to it."""
    return day_file(folder, date.fromtimestamp(time.time()))


CRASH_FILE = "sipelayanan-crash.log"
CRASH_FILE_MAX_BYTES = 1_000_000
_crash_stream: object | None = None  # kept open for faulthandler for the life of the process


def enable_crash_log(folder: Path) -> Path | None:
    """Native crashes (a fault in Qt or a driver) write the Python stacks of every thread to
    ``sipelayanan-crash.log`` in the log folder (``faulthandler``), after a line saying which
    process started when. None when the file cannot be opened (the app runs on regardless)."""
    global _crash_stream
    import faulthandler
    from datetime import datetime

    from . import __version__

    path = folder / CRASH_FILE
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            if path.stat().st_size > CRASH_FILE_MAX_BYTES:
                os.replace(path, folder / (CRASH_FILE + ".1"))
        stream = open(path, "a", encoding="utf-8")  # noqa: SIM115 - open for the process's life
    except OSError:
        return None
    stream.write(
        f"--- SiPelayanan {__version__} pid {os.getpid()} mulai "
        f"{datetime.now().astimezone().isoformat(timespec='seconds')}\n"
    )
    stream.flush()
    faulthandler.enable(file=stream, all_threads=True)
    _crash_stream = stream
    return path
