"""Automatic daily backups: when one is due, writing it, proving it restores, rotating the folder.

No Qt here: the desktop app asks :func:`due` on a cheap timer and runs :func:`run` on its worker
thread; Task Scheduler runs ``sipelayanan backup otomatis``, which calls the same :func:`run`.
Every function takes the time from an injectable clock, so tests drive weeks and months.

Where things are kept: the settings (folder, on/off, time of day, how many to keep) and the
state (last verified backup, last error, who is making one now) live in the office settings
table of the shared database — one schedule per office, the same on every PC, visible to every
admin, and a claim there keeps two PCs of a PostgreSQL office from backing up at once. The folder
is therefore a path every PC that may run the backup can reach (for SQLite that is the one PC;
for PostgreSQL a network share such as ``\\\\server\\cadangan`` or a disk of the PC that
runs the scheduled task).

Formats: SQLite databases are copied with the online backup API (format ``sqlite``);
PostgreSQL databases are exported in the portable format, because a backup counts only once it
has been restored somewhere and a portable backup restores into a temporary SQLite file on any
PC, without rights to create PostgreSQL databases (``pg_dump`` stays the default of
``sipelayanan backup -o``).

Verification: the new file is restored into a temporary SQLite database (which checks every
digest before and after writing), then its row counts are compared with what the backup
recorded and its audit chain is verified. A file that fails is deleted and the failure is
recorded; the previous backups stay untouched.

Rotation keeps the newest backup of each of the last 7 days, 4 ISO weeks and 12 months that
have one, and removes only files named as this module names them.
"""

from __future__ import annotations

import re
import shutil
import socket
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from ..calendar import WIB
from ..db import Database
from ..errors import InputError, SipelayananError
from ..services.context import Actor
from . import (
    FORMAT_PORTABLE,
    FORMAT_SQLITE,
    SUFFIXES,
    BackupError,
    BackupResult,
    backup,
    restore,
)
from .formats import Progress

SETTINGS_KEY = "backup.auto"
STATE_KEY = "backup.state"
#: the admin is warned when the last verified backup is older than this
STALE_AFTER = timedelta(days=2)
#: a PC that claimed the backup and never reported back is presumed gone after this
CLAIM_FOR = timedelta(hours=2)
#: a failed automatic backup is tried again after this
RETRY_AFTER = timedelta(hours=1)
NAME = re.compile(r"^sipelayanan-(\d{8})-(\d{6})(?:-\d+)?\.(?:sqlite3|dump|zip)$")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class AutoSettings:
    folder: str = ""
    enabled: bool = False
    at: str = "16:00"  # time of day, WIB
    keep_daily: int = 7
    keep_weekly: int = 4
    keep_monthly: int = 12

    def time_of_day(self) -> time:
        m = _TIME.match(self.at)
        if m is None:
            raise InputError("Jam cadangan harus berbentuk JJ:MM, mis. 16:00.", "at")
        return time(int(m.group(1)), int(m.group(2)))

    def check(self) -> None:
        self.time_of_day()
        if self.enabled and not self.folder.strip():
            raise InputError(
                "Pilih folder cadangan sebelum menyalakan cadangan otomatis.", "folder"
            )
        for name in ("keep_daily", "keep_weekly", "keep_monthly"):
            value = getattr(self, name)
            if not isinstance(value, int) or not 0 <= value <= 1000:
                raise InputError("Jumlah cadangan yang disimpan harus 0 sampai 1000.", name)
        if self.keep_daily < 1:
            raise InputError("Simpan sedikitnya satu cadangan harian.", "keep_daily")


@dataclass
class AutoState:
    last_ok_at: str | None = None  # ISO UTC: when the last verified backup was made
    last_ok_file: str | None = None
    last_ok_rows: int | None = None
    last_attempt_at: str | None = None
    last_error: str | None = None
    claimed_at: str | None = None
    claimed_by: str | None = None
    removed: list[str] = field(default_factory=list)  # what the last rotation removed

    def ok_at(self) -> datetime | None:
        return _parse(self.last_ok_at)


def _parse(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        found = datetime.fromisoformat(value)
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def _known(cls: type, data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        return {}
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}


def load(session: Session) -> tuple[AutoSettings, AutoState]:
    from ..services.office import get_setting

    settings = AutoSettings(**_known(AutoSettings, get_setting(session, SETTINGS_KEY, {})))
    state = AutoState(**_known(AutoState, get_setting(session, STATE_KEY, {})))
    return settings, state


def save_settings(
    session: Session, settings: AutoSettings, *, actor: Actor | None, now: datetime | None = None
) -> None:
    from ..services.office import set_setting

    settings.folder = settings.folder.strip()
    settings.check()
    set_setting(session, SETTINGS_KEY, asdict(settings), actor=actor, now=now)


def _save_state(session: Session, state: AutoState, now: datetime) -> None:
    from ..services.office import set_setting

    set_setting(session, STATE_KEY, asdict(state), actor=None, now=now)


# --------------------------------------------------------------------------- when


def last_slot(settings: AutoSettings, now: datetime) -> datetime:
    """The most recent scheduled moment at or before ``now`` (UTC)."""
    local = now.astimezone(WIB)
    slot = datetime.combine(local.date(), settings.time_of_day(), WIB)
    if slot > local:
        slot -= timedelta(days=1)
    return slot.astimezone(UTC)


def due(settings: AutoSettings, state: AutoState, now: datetime) -> bool:
    """Is an automatic backup due? (Missed slots are caught up at the next chance.)"""
    if not settings.enabled or not settings.folder:
        return False
    slot = last_slot(settings, now)
    ok = state.ok_at()
    if ok is not None and ok >= slot:
        return False
    attempt = _parse(state.last_attempt_at)
    return not (attempt is not None and attempt >= slot and now - attempt < RETRY_AFTER)


def stale(state: AutoState, now: datetime) -> bool:
    ok = state.ok_at()
    return ok is None or now - ok > STALE_AFTER


def fmt_local(moment: datetime) -> str:
    return moment.astimezone(WIB).strftime("%d-%m-%Y %H:%M WIB")


def status_text(state: AutoState, now: datetime) -> tuple[str, bool]:
    """One line for the admin and whether it is a warning (no verified backup in two days)."""
    ok = state.ok_at()
    if ok is None:
        text = "Belum ada cadangan terverifikasi."
    else:
        text = f"Cadangan terakhir terverifikasi {fmt_local(ok)} ({state.last_ok_file})."
    warn = stale(state, now)
    if warn and ok is not None:
        days = (now - ok).days
        text = f"PERINGATAN: cadangan terverifikasi terakhir {days} hari lalu ({fmt_local(ok)})."
    elif warn:
        text = "PERINGATAN: belum ada cadangan terverifikasi; buat cadangan di Admin ▸ Cadangan."
    if state.last_error and (ok is None or (_parse(state.last_attempt_at) or ok) > ok):
        text += f" Percobaan terakhir gagal: {state.last_error}"
        warn = True
    return text, warn


# --------------------------------------------------------------------------- files


def backup_name(now: datetime, fmt: str) -> str:
    return f"sipelayanan-{now.astimezone(WIB):%Y%m%d-%H%M%S}{SUFFIXES[fmt]}"


def _stamp(path: Path) -> datetime | None:
    m = NAME.match(path.name)
    if m is None:
        return None
    try:
        return datetime.strptime(m.group(1) + m.group(2), "%Y%m%d%H%M%S").replace(tzinfo=WIB)
    except ValueError:
        return None


def rotate(
    folder: Path, keep_daily: int = 7, keep_weekly: int = 4, keep_monthly: int = 12
) -> list[Path]:
    """Keep the newest backup of each of the last ``keep_daily`` days, ``keep_weekly`` ISO
    weeks and ``keep_monthly`` months that have one; remove the rest. Returns what was
    removed. Files not named by :func:`backup_name` are never touched."""
    found = sorted(
        ((s, p) for p in folder.iterdir() if p.is_file() and (s := _stamp(p)) is not None),
        reverse=True,
    )
    keep: set[Path] = set()
    periods: tuple[tuple[Callable[[datetime], object], int], ...] = (
        (lambda s: s.date(), keep_daily),
        (lambda s: s.isocalendar()[:2], keep_weekly),
        (lambda s: (s.year, s.month), keep_monthly),
    )
    for period, count in periods:
        seen: set[object] = set()
        for stamp, path in found:
            key = period(stamp)
            if key in seen:
                continue
            if len(seen) >= count:
                break
            seen.add(key)
            keep.add(path)
    removed = []
    for _, path in found:
        if path not in keep:
            try:
                path.unlink()
            except OSError:
                continue
            removed.append(path)
    return removed


# --------------------------------------------------------------------------- verification


@dataclass(frozen=True)
class Verification:
    ok: bool
    problem: str | None
    audit_entries: int
    rows: dict[str, int]


_BOOKKEEPING = ("audit_log", "audit_head", "office_settings")


def verify(path: Path, made: BackupResult) -> Verification:
    """Restore ``path`` into a temporary SQLite database (digests checked before and after
    writing), compare its row counts with the backup's, verify its audit chain."""
    work = Path(tempfile.mkdtemp(prefix="sipelayanan-uji-"))
    target = Database(f"sqlite:///{work / 'uji.sqlite3'}")
    try:
        try:
            restored = restore(target, path, retention=False)  # a trial: as it is
        except SipelayananError as exc:
            return Verification(False, str(exc), 0, {})
        for name, count in made.rows.items():
            if name in _BOOKKEEPING:
                continue
            if restored.rows.get(name) != count:
                return Verification(
                    False,
                    f"tabel {name}: {restored.rows.get(name)} baris dipulihkan, cadangan "
                    f"mencatat {count}",
                    restored.audit_entries,
                    restored.rows,
                )
        if not restored.audit_ok:
            return Verification(
                False, "rantai log audit hasil pemulihan tidak utuh", 0, restored.rows
            )
        expected = made.rows.get("audit_log", 0) + 1  # the restore's own entry
        if restored.audit_entries != expected:
            return Verification(
                False,
                f"log audit hasil pemulihan {restored.audit_entries} entri, seharusnya {expected}",
                restored.audit_entries,
                restored.rows,
            )
        return Verification(True, None, restored.audit_entries, restored.rows)
    finally:
        target.dispose()
        shutil.rmtree(work, ignore_errors=True)


# --------------------------------------------------------------------------- run


@dataclass(frozen=True)
class Outcome:
    done: bool  # a verified backup was made now
    message: str  # one line for the admin / the scheduled task's log
    path: Path | None = None
    verified_at: datetime | None = None
    removed: tuple[Path, ...] = ()


def auto_format(db: Database) -> str:
    return FORMAT_SQLITE if db.dialect == "sqlite" else FORMAT_PORTABLE


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:300]


def run(
    db: Database,
    *,
    clock: Clock = system_clock,
    force: bool = False,
    actor: Actor | None = None,
    progress: Progress | None = None,
    host: str | None = None,
) -> Outcome:
    """Make, verify and rotate a backup when one is due (or at once with ``force``).

    Raises InputError when the folder is not set or not reachable, BackupError when the backup
    or its verification fails (both recorded in the state the admin sees)."""
    from ..models import OfficeSetting

    host = host or socket.gethostname()
    now = clock()
    with db.write() as session:
        session.get(OfficeSetting, STATE_KEY, with_for_update=True)  # one PC at a time
        settings, state = load(session)
        if not force and not settings.enabled:
            text, _ = status_text(state, now)
            return Outcome(False, f"Cadangan otomatis tidak dinyalakan (Admin ▸ Cadangan). {text}")
        if not force and not due(settings, state, now):
            text, _ = status_text(state, now)
            return Outcome(False, f"Belum waktunya mencadangkan. {text}")
        if not settings.folder:
            raise InputError(
                "Folder cadangan belum diatur: pilih di Admin ▸ Cadangan (folder di disk lain, "
                "USB atau folder jaringan).",
                "folder",
            )
        claimed = _parse(state.claimed_at)
        if claimed is not None and state.claimed_by != host and now - claimed < CLAIM_FOR:
            return Outcome(
                False,
                f"Cadangan sedang dibuat oleh PC {state.claimed_by} sejak {fmt_local(claimed)}.",
            )
        state.claimed_at, state.claimed_by = now.isoformat(), host
        state.last_attempt_at = now.isoformat()
        _save_state(session, state, now)
    try:
        folder = Path(settings.folder)
        if not folder.is_dir():
            raise InputError(
                f"Folder cadangan {folder} tidak ada atau tidak terjangkau (USB dicabut? folder "
                "jaringan putus?). Periksa lalu ulangi.",
                "folder",
            )
        fmt = auto_format(db)
        out = folder / backup_name(now, fmt)
        n = 1
        while out.exists():
            n += 1
            out = folder / backup_name(now, fmt).replace(SUFFIXES[fmt], f"-{n}{SUFFIXES[fmt]}")
        made = backup(db, out, fmt=fmt, actor=actor, progress=progress)
        check = verify(out, made)
        if not check.ok:
            out.unlink(missing_ok=True)
            raise BackupError(
                f"Cadangan {out.name} gagal diverifikasi ({check.problem}); file itu dihapus, "
                "cadangan sebelumnya tetap ada."
            )
        removed = rotate(folder, settings.keep_daily, settings.keep_weekly, settings.keep_monthly)
    except Exception as exc:
        _finish(db, now, error=_short(exc) if isinstance(exc, SipelayananError) else None)
        raise
    verified = clock()
    _finish(
        db,
        verified,
        ok_at=now,
        ok_file=out.name,
        ok_rows=sum(made.rows.values()),
        removed=[p.name for p in removed],
    )
    return Outcome(
        True,
        f"Cadangan {out} dibuat dan terverifikasi ({sum(made.rows.values())} baris, "
        f"{check.audit_entries - 1} entri log audit utuh); {len(removed)} cadangan lama dihapus."
        + _retention(db, clock),
        out,
        now,
        tuple(removed),
    )


def _retention(db: Database, clock: Clock) -> str:
    """The scheduled berkas purge, when the office turned it on: right after a verified
    backup, once a day (UU 27/2022 Pasal 43; services/retention)."""
    from ..services.retention import run_if_due

    try:
        done = run_if_due(db, clock=clock)
    except SipelayananError as exc:
        return f" Retensi berkas tidak dijalankan: {_short(exc)}"
    if done is None:
        return ""
    return f" Retensi berkas: {done.files} berkas melewati masa simpan dihapus isinya."


def _finish(
    db: Database,
    now: datetime,
    *,
    error: str | None = None,
    ok_at: datetime | None = None,
    ok_file: str | None = None,
    ok_rows: int | None = None,
    removed: list[str] | None = None,
) -> None:
    from ..errors import DatabaseUnavailable

    try:
        with db.write() as session:
            _, state = load(session)
            state.claimed_at = state.claimed_by = None
            if ok_at is not None:
                state.last_ok_at, state.last_ok_file = ok_at.isoformat(), ok_file
                state.last_ok_rows, state.last_error = ok_rows, None
                state.removed = removed or []
            else:
                state.last_error = error or "kesalahan tak terduga (lihat log aplikasi)"
            _save_state(session, state, now)
    except DatabaseUnavailable:
        pass  # the claim expires by itself (CLAIM_FOR)


__all__ = [
    "SETTINGS_KEY",
    "STALE_AFTER",
    "STATE_KEY",
    "AutoSettings",
    "AutoState",
    "Clock",
    "Outcome",
    "Verification",
    "backup_name",
    "due",
    "last_slot",
    "load",
    "rotate",
    "run",
    "save_settings",
    "stale",
    "status_text",
    "system_clock",
    "verify",
]
