"""Admin ▸ Cadangan: "Cadangkan sekarang" makes a verified backup into the chosen folder and
shows its time; the two-day warning (in the tab and in the main window's status bar) with a
clock the test controls; the in-app schedule makes the daily backup by itself; "Pulihkan…"
restores into a new SQLite file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow

from sipelayanan.backup import auto
from sipelayanan.calendar import WIB
from sipelayanan.db import Database
from sipelayanan.services import audit
from sipelayanan.ui.admin import AdminPage
from sipelayanan.ui.admin.backup import BackupTab
from sipelayanan.ui.backup_watch import BackupWatch

WAIT = 120_000


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def _wib(y: int, m: int, d: int, hh: int, mm: int) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=WIB).astimezone(UTC)


def test_the_admin_page_has_the_backup_tab(qtbot: Any, ctx_for: Any) -> None:
    page = AdminPage(ctx_for("admin"))
    qtbot.addWidget(page)
    titles = [page.tabs.tabText(i) for i in range(page.tabs.count())]
    assert "C&adangan" in titles
    assert isinstance(page.backup, BackupTab)


def test_backup_now_shows_the_verified_time_and_the_two_day_warning(
    qtbot: Any, ctx_for: Any, db: Database, tmp_path: Path
) -> None:
    folder = tmp_path / "usb"
    folder.mkdir()
    clock = Clock(_wib(2026, 11, 16, 10, 15))
    tab = BackupTab(ctx_for("admin"), clock=clock, ask_folder=lambda parent: str(folder))
    qtbot.addWidget(tab)
    tab.show()
    tab.refresh()
    qtbot.waitUntil(lambda: "belum ada cadangan terverifikasi" in tab.status.text())
    assert tab.warning  # never backed up: the admin is warned at once
    # choose the folder with the button (the dialog is the outside world), then back up
    choose = next(b for b in tab.findChildren(type(tab.save_button)) if "folder" in b.text())
    qtbot.mouseClick(choose, Qt.MouseButton.LeftButton)
    assert tab.folder.text() == str(folder)
    qtbot.mouseClick(tab.backup_button, Qt.MouseButton.LeftButton)
    assert tab.running and not tab.backup_button.isEnabled() and tab.progress.isVisible()
    qtbot.waitUntil(lambda: not tab.running, timeout=WAIT)
    assert tab.message.level == "success", tab.message.text()
    files = list(folder.iterdir())
    assert [f.name for f in files] == [
        "sipelayanan-20261116-101500" + (".sqlite3" if db.dialect == "sqlite" else ".zip")
    ]
    qtbot.waitUntil(lambda: "terverifikasi 16-11-2026 10:15 WIB" in tab.status.text())
    assert not tab.warning and files[0].name in tab.status.text()
    # the folder was saved with the backup; the database records it, and the audit chain holds
    with db.read() as s:
        settings, state = auto.load(s)
        assert settings.folder == str(folder)
        assert state.last_ok_file == files[0].name
        assert audit.verify(s).ok
    # two days and a bit later, with no new backup: a warning
    clock.now += timedelta(days=2, hours=1)
    tab.refresh()
    qtbot.waitUntil(lambda: "PERINGATAN" in tab.status.text())
    assert tab.warning and "2 hari lalu" in tab.status.text()
    assert "a50e0e" in tab.status.styleSheet()


def test_a_failing_backup_is_shown_plainly(qtbot: Any, ctx_for: Any, tmp_path: Path) -> None:
    tab = BackupTab(ctx_for("admin"), clock=Clock(_wib(2026, 11, 16, 10, 15)))
    qtbot.addWidget(tab)
    tab.folder.setText(str(tmp_path / "tidak-ada"))
    qtbot.mouseClick(tab.backup_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.running, timeout=WAIT)
    assert tab.message.level == "error"
    assert "tidak ada atau tidak terjangkau" in tab.message.text()
    assert "tak terduga" not in tab.message.text()
    assert tab.backup_button.isEnabled()


def test_the_status_bar_warns_admins_and_the_schedule_runs_by_itself(
    qtbot: Any, ctx_for: Any, db: Database, tmp_path: Path
) -> None:
    folder = tmp_path / "cadangan"
    folder.mkdir()
    with db.write() as s:
        auto.save_settings(
            s, auto.AutoSettings(folder=str(folder), enabled=True, at="16:00"), actor=None
        )
    window = QMainWindow()
    qtbot.addWidget(window)
    clock = Clock(_wib(2026, 11, 16, 15, 0))  # before today's time: yesterday's slot is due
    clerk = BackupWatch(ctx_for("operator"), window, clock=clock, interval_ms=0)
    admin = BackupWatch(ctx_for("admin"), window, clock=clock, interval_ms=0)
    window.statusBar().addPermanentWidget(admin)
    window.show()
    admin.check()
    # the first check finds the day's backup due and makes it, on the worker thread
    qtbot.waitUntil(lambda: admin.running, timeout=WAIT)
    qtbot.waitUntil(lambda: not admin.running, timeout=WAIT)
    qtbot.waitUntil(lambda: "Cadangan terakhir terverifikasi" in admin.text(), timeout=WAIT)
    assert admin.isVisible() and not admin.warning
    assert len(list(folder.iterdir())) == 1
    # not due again the same day: another check does nothing
    admin.check()
    qtbot.wait(500)
    assert not admin.running and len(list(folder.iterdir())) == 1
    # three days later (the app was not running): the status bar warns; a clerk sees nothing
    clock.now += timedelta(days=3)
    with db.write() as s:
        settings, _ = auto.load(s)
        settings.enabled = False  # so the check does not make a backup at once
        auto.save_settings(s, settings, actor=None)
    admin.check()
    clerk.check()
    qtbot.waitUntil(lambda: "PERINGATAN" in admin.text(), timeout=WAIT)
    assert admin.warning and "3 hari lalu" in admin.text()
    qtbot.waitUntil(lambda: clerk.warning)
    assert not clerk.isVisible() and clerk.text() == ""


def test_restore_into_a_new_sqlite_file(
    qtbot: Any, ctx_for: Any, db: Database, tmp_path: Path
) -> None:
    folder = tmp_path / "usb"
    folder.mkdir()
    clock = Clock(_wib(2026, 11, 16, 10, 15))
    target = tmp_path / "pulih.sqlite3"
    chosen: dict[str, str] = {}
    tab = BackupTab(
        ctx_for("admin"),
        clock=clock,
        ask_backup_file=lambda parent: chosen["file"],
        ask_new_database=lambda parent: str(target),
    )
    qtbot.addWidget(tab)
    tab.folder.setText(str(folder))
    qtbot.mouseClick(tab.backup_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.running, timeout=WAIT)
    chosen["file"] = str(next(folder.iterdir()))
    qtbot.mouseClick(tab.restore_button, Qt.MouseButton.LeftButton)
    assert tab.running
    qtbot.waitUntil(lambda: not tab.running, timeout=WAIT)
    assert tab.message.level == "success", tab.message.text()
    assert "isi cocok dengan sidik cadangan" in tab.message.text()
    restored = Database(f"sqlite:///{target}")
    with restored.read() as s:
        assert audit.verify(s).ok
    restored.dispose()
    # a second restore into the same (now full) file is refused, nothing is touched
    qtbot.mouseClick(tab.restore_button, Qt.MouseButton.LeftButton)
    assert tab.message.level == "error" and "sudah ada" in tab.message.text()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_main_window_shows_the_backup_line_to_admins(
    qtbot: Any, ctx_for: Any, ops: Any, settings: Any, db: Database
) -> None:
    from sipelayanan.ui.main_window import MainWindow

    ctx = ctx_for("admin")
    window = MainWindow(ops, ctx.user, settings)
    qtbot.addWidget(window)
    window.show()
    watch = window.backup_watch
    watch.check()
    qtbot.waitUntil(lambda: watch.isVisible() and "cadangan" in watch.text().lower())
    assert watch.warning  # this database was never backed up
