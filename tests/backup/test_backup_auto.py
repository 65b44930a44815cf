"""Automatic backups: when one is due, made, verified by a restore, rotated — driven by a clock
the test controls; and ``sipelayanan backup otomatis`` for Task Scheduler."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from sipelayanan import cli
from sipelayanan.backup import auto
from sipelayanan.backup.auto import AutoSettings, AutoState
from sipelayanan.calendar import WIB
from sipelayanan.db import Database
from sipelayanan.errors import InputError
from tests.backup.test_backup import _fill

ROOT = Path(__file__).resolve().parents[2]
SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


def _wib(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=WIB).astimezone(UTC)


def _configure(db: Database, folder: Path, admin: Any, **kw: Any) -> AutoSettings:
    settings = AutoSettings(folder=str(folder), enabled=True, at="16:00", **kw)
    with db.write() as s:
        auto.save_settings(s, settings, actor=admin)
    return settings


# --------------------------------------------------------------------------- schedule


def test_due_follows_the_time_of_day_catches_up_and_retries_hourly() -> None:
    settings = AutoSettings(folder="/cadangan", enabled=True, at="16:00")
    state = AutoState()
    monday = _wib(2026, 11, 16, 15, 59)
    assert auto.due(settings, state, monday)  # never backed up: the last slot (yesterday) is due
    state.last_ok_at = _wib(2026, 11, 15, 16, 0).isoformat()
    assert not auto.due(settings, state, monday)  # yesterday's slot is done
    assert auto.due(settings, state, monday + timedelta(minutes=1))  # 16:00 today
    # the PC was off in the evening: the next morning catches up
    assert auto.due(settings, state, _wib(2026, 11, 17, 7, 30))
    # a failed attempt is retried after an hour, not on every timer tick
    state.last_attempt_at = _wib(2026, 11, 16, 16, 0).isoformat()
    state.last_error = "Folder cadangan tidak terjangkau"
    assert not auto.due(settings, state, _wib(2026, 11, 16, 16, 30))
    assert auto.due(settings, state, _wib(2026, 11, 16, 17, 1))
    state.last_ok_at = _wib(2026, 11, 16, 17, 1).isoformat()
    assert not auto.due(settings, state, _wib(2026, 11, 17, 15, 0))
    assert not auto.due(AutoSettings(folder="/x", enabled=False), AutoState(), monday)
    assert not auto.due(AutoSettings(folder="", enabled=True), AutoState(), monday)


def test_the_two_day_warning() -> None:
    now = _wib(2026, 11, 20, 9, 0)
    text, warn = auto.status_text(AutoState(), now)
    assert warn and "belum ada cadangan terverifikasi" in text
    fresh = AutoState(last_ok_at=(now - timedelta(days=1)).isoformat(), last_ok_file="a.zip")
    text, warn = auto.status_text(fresh, now)
    assert not warn and "terverifikasi 19-11-2026 09:00 WIB" in text
    old = AutoState(last_ok_at=(now - timedelta(days=2, minutes=1)).isoformat())
    text, warn = auto.status_text(old, now)
    assert warn and "PERINGATAN" in text and "2 hari lalu" in text
    failed = AutoState(
        last_ok_at=(now - timedelta(hours=20)).isoformat(),
        last_attempt_at=(now - timedelta(hours=1)).isoformat(),
        last_error="Folder X tidak ada",
    )
    text, warn = auto.status_text(failed, now)
    assert warn and "gagal: Folder X tidak ada" in text


def test_settings_are_checked() -> None:
    with pytest.raises(InputError, match="JJ:MM"):
        AutoSettings(folder="/x", at="25:00").check()
    with pytest.raises(InputError, match="Pilih folder"):
        AutoSettings(folder=" ", enabled=True).check()
    with pytest.raises(InputError, match="sedikitnya satu"):
        AutoSettings(folder="/x", keep_daily=0).check()


# --------------------------------------------------------------------------- rotation


def test_rotation_over_fourteen_months_keeps_7_daily_4_weekly_12_monthly(tmp_path: Path) -> None:
    """One backup a day at 16:00 (two on some days, none on Sundays) for 430 days, rotated
    after each as the app does; at the end exactly the newest of each period remain."""
    clock = Clock(_wib(2025, 9, 1, 16, 0))
    mine = tmp_path / "catatan-admin.txt"
    mine.write_text("bukan cadangan")
    made: list[datetime] = []
    for _ in range(430):
        local = clock().astimezone(WIB)
        if local.isoweekday() != 7:
            for extra in (0, 2) if local.day == 10 else (0,):
                moment = clock() + timedelta(hours=extra)
                (tmp_path / auto.backup_name(moment, "sqlite")).write_bytes(b"x")
                made.append(moment)
                auto.rotate(tmp_path)
        clock.advance(days=1)
    kept = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("sipelayanan-"))
    local = [m.astimezone(WIB) for m in made]
    expected: set[str] = set()
    for key, count in (
        (lambda d: d.date(), 7),
        (lambda d: d.isocalendar()[:2], 4),
        (lambda d: (d.year, d.month), 12),
    ):
        newest: dict[object, datetime] = {}
        for d in local:
            newest[key(d)] = max(newest.get(key(d), d), d)
        for d in sorted(newest.values(), reverse=True)[:count]:
            expected.add(auto.backup_name(d, "sqlite"))
    assert kept == sorted(expected)
    assert 7 <= len(kept) <= 23
    assert mine.exists()  # files not named by the backup are never touched
    # the newest backup is always among them, and the oldest kept is about a year old
    assert auto.backup_name(made[-1], "sqlite") in kept
    oldest = min(datetime.strptime(n[12:27], "%Y%m%d-%H%M%S") for n in kept)
    assert (made[-1].astimezone(WIB).replace(tzinfo=None) - oldest).days > 300


# --------------------------------------------------------------------------- run


def test_run_makes_a_verified_backup_once_a_day(
    db: Database, actors: dict[str, Any], tmp_path: Path
) -> None:
    _fill(db, actors)
    folder = tmp_path / "usb"
    folder.mkdir()
    _configure(db, folder, actors["admin"])
    clock = Clock(_wib(2026, 11, 16, 16, 5))
    outcome = auto.run(db, clock=clock)
    assert outcome.done and outcome.path is not None and outcome.path.parent == folder
    assert outcome.path.name == "sipelayanan-20261116-160500" + (
        ".sqlite3" if db.dialect == "sqlite" else ".zip"
    )
    assert "terverifikasi" in outcome.message
    with db.read() as s:
        _, state = auto.load(s)
    assert state.ok_at() == clock() and state.last_ok_file == outcome.path.name
    assert state.claimed_at is None and state.last_error is None
    assert auto.status_text(state, clock())[1] is False
    # not again the same day; the next day at 16:00 again
    clock.advance(hours=3)
    again = auto.run(db, clock=clock)
    assert not again.done and "Belum waktunya" in again.message
    clock.advance(hours=21)
    assert auto.run(db, clock=clock).done
    assert len(list(folder.iterdir())) == 2
    # three days without a backup: the admin is warned
    clock.advance(days=3)
    with db.read() as s:
        _, state = auto.load(s)
    text, warn = auto.status_text(state, clock())
    assert warn and "3 hari lalu" in text


def test_run_records_a_failure_and_another_pc_s_claim(
    db: Database, actors: dict[str, Any], tmp_path: Path
) -> None:
    folder = tmp_path / "usb"
    folder.mkdir()
    _configure(db, folder, actors["admin"])
    folder.rmdir()  # the USB disk was pulled out
    clock = Clock(_wib(2026, 11, 16, 16, 5))
    with pytest.raises(InputError, match="tidak ada atau tidak terjangkau"):
        auto.run(db, clock=clock)
    with db.read() as s:
        _, state = auto.load(s)
    assert state.claimed_at is None and "tidak terjangkau" in (state.last_error or "")
    text, warn = auto.status_text(state, clock())
    assert warn and "gagal" in text
    # another PC of the office is making one right now: this one leaves it alone
    folder.mkdir()
    with db.write() as s:
        _, state = auto.load(s)
        state.claimed_at, state.claimed_by = clock().isoformat(), "PC-LOKET-2"
        auto._save_state(s, state, clock())
    busy = auto.run(db, clock=clock, force=True, host="PC-LOKET-1")
    assert not busy.done and "PC-LOKET-2" in busy.message
    clock.advance(hours=3)  # its claim has expired (it crashed): this PC takes over
    assert auto.run(db, clock=clock, host="PC-LOKET-1").done


def test_a_backup_that_fails_verification_is_deleted_and_reported(
    db: Database, actors: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk the backup went to corrupts what was written (the outside world: simulated
    by damaging the file right after it is written)."""
    from sipelayanan import backup as backup_module

    _fill(db, actors)
    folder = tmp_path / "usb"
    folder.mkdir()
    _configure(db, folder, actors["admin"])
    real = backup_module.backup

    def faulty_disk(*args: Any, **kw: Any) -> Any:
        result = real(*args, **kw)
        data = bytearray(result.path.read_bytes())
        at = data.find(b"Siti Aminah")
        data[at + 1 if at >= 0 else len(data) // 2] ^= 0x01
        result.path.write_bytes(bytes(data))
        return result

    monkeypatch.setattr(auto, "backup", faulty_disk)
    clock = Clock(_wib(2026, 11, 16, 16, 5))
    with pytest.raises(backup_module.BackupError, match="gagal diverifikasi"):
        auto.run(db, clock=clock)
    assert list(folder.iterdir()) == []
    with db.read() as s:
        _, state = auto.load(s)
    assert state.last_ok_at is None and "gagal diverifikasi" in (state.last_error or "")


# --------------------------------------------------------------------------- command


@SQLITE_ONLY
def test_backup_otomatis_command(
    db: Database, actors: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["--db", db.url, "backup", "otomatis"]) == 0  # switched off: nothing made
    assert "tidak dinyalakan" in capsys.readouterr().out
    assert cli.main(["--db", db.url, "backup", "otomatis", "--sekarang"]) == 2
    err = capsys.readouterr().err
    assert "Folder cadangan belum diatur" in err and len(err.strip().splitlines()) == 1
    folder = tmp_path / "cadangan"
    folder.mkdir()
    _configure(db, folder, actors["admin"], keep_daily=1, keep_weekly=0, keep_monthly=0)
    assert cli.main(["--db", db.url, "backup", "otomatis", "--sekarang"]) == 0
    out = capsys.readouterr().out
    assert len(out.strip().splitlines()) == 1 and "terverifikasi" in out
    assert len(list(folder.glob("sipelayanan-*.sqlite3"))) == 1
    assert cli.main(["--db", db.url, "backup"]) == 2
    assert "backup -o FILE" in capsys.readouterr().err


def test_backup_otomatis_without_a_window_and_without_a_database() -> None:
    """As Task Scheduler runs it: a separate process, one line, exit 3 when the server is
    unreachable."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sipelayanan",
            "--db",
            "postgresql://sipelayanan@127.0.0.1:9/tidakada",
            "backup",
            "otomatis",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": "/tmp"},
    )
    assert done.returncode == 3, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
