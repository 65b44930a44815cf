"""One app per session: a second start brings the running window to the front and exits 0.

The first instance runs in this process (real widgets, offscreen); the second is a real
``python -m sipelayanan`` process on the same data folder.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QLockFile, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from pytestqt.qtbot import QtBot

from sipelayanan.data_folder import ENV_DATA_DIR
from sipelayanan.db import Database
from sipelayanan.ui.app import AppController
from sipelayanan.ui.main_window import MainWindow
from sipelayanan.ui.ops import Ops
from sipelayanan.ui.settings import Settings
from sipelayanan.ui.single_instance import SingleInstance

from .conftest import user_info


def _env(data: Path, tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env[ENV_DATA_DIR] = str(data)
    env["XDG_STATE_HOME"] = str(tmp_path / "state")  # the log folder (platformdirs, Linux)
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")  # QSettings
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.pop("SIPELAYANAN_DB", None)
    return env


def test_second_start_shows_the_first_and_exits(
    qtbot: QtBot, tmp_path: Path, settings: Settings
) -> None:
    data = tmp_path / "data"
    first = SingleInstance(data)
    assert first.acquire()
    controller = AppController("sqlite:///tidak-dipakai.sqlite3", settings)
    shown: list[bool] = []
    first.activated.connect(controller.bring_to_front)
    first.activated.connect(lambda: shown.append(True))
    window = controller.startup
    qtbot.addWidget(window)
    window.show()
    window.setWindowState(Qt.WindowState.WindowMinimized)
    assert window.isMinimized()
    try:
        started = time.monotonic()
        second = subprocess.Popen(
            [sys.executable, "-m", "sipelayanan"],
            env=_env(data, tmp_path),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        qtbot.waitUntil(lambda: second.poll() is not None, timeout=60_000)
        elapsed = time.monotonic() - started
        out, err = second.communicate()
        assert second.returncode == 0, err
        assert "Traceback" not in out + err
        qtbot.waitUntil(lambda: bool(shown), timeout=5_000)
        assert shown == [True]  # exactly one "show" reached the first instance
        assert not window.isMinimized() and window.isVisible()
        # the second start opened no database of its own
        assert not (data / "sipelayanan.sqlite3").exists()
        print(f"second start exited in {elapsed:.2f} s")
    finally:
        first.release()
        controller.shutdown()


LOCK_AND_DIE = """
import os, signal, sys
from pathlib import Path
from PySide6.QtCore import QCoreApplication
from sipelayanan.ui.single_instance import SingleInstance
app = QCoreApplication([])
inst = SingleInstance(Path(sys.argv[1]))
assert inst.acquire()
print("locked", flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # a crash: no unlock, socket file left behind
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX kill")
def test_lock_of_a_crashed_app_is_taken_over(qtbot: QtBot, tmp_path: Path) -> None:
    data = tmp_path / "data"
    dead = subprocess.run(
        [sys.executable, "-c", LOCK_AND_DIE, str(data)],
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(data, tmp_path),
    )
    assert dead.stdout.strip() == "locked" and dead.returncode == -signal.SIGKILL
    inst = SingleInstance(data)
    assert inst.lock_path.exists()  # left behind by the crashed process
    try:
        assert inst.acquire()  # taken over, and the server listens again
        got: list[bool] = []
        inst.activated.connect(lambda: got.append(True))
        asker = subprocess.Popen(
            [sys.executable, "-m", "sipelayanan"],
            env=_env(data, tmp_path),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        qtbot.waitUntil(lambda: asker.poll() is not None, timeout=60_000)
        assert asker.returncode == 0
        qtbot.waitUntil(lambda: bool(got), timeout=5_000)
    finally:
        inst.release()


def test_a_holder_that_does_not_answer(qtbot: QtBot, tmp_path: Path) -> None:
    """The lock is held but nobody listens: the second start gives up (and would say so)."""
    data = tmp_path / "data"
    second = SingleInstance(data)
    holder = QLockFile(str(second.lock_path))
    data.mkdir(parents=True)
    assert holder.tryLock(0)
    try:
        assert not second.acquire()
        started = time.monotonic()
        assert not second.notify_running(timeout_s=1.0)
        assert time.monotonic() - started < 10
    finally:
        holder.unlock()
    assert second.acquire()  # free again
    second.release()


def test_each_user_session_and_folder_has_its_own_name(tmp_path: Path) -> None:
    a, b = SingleInstance(tmp_path / "a"), SingleInstance(tmp_path / "b")
    assert a.server_name != b.server_name and a.lock_path.name != b.lock_path.name
    assert SingleInstance(tmp_path / "a").server_name == a.server_name


@pytest.mark.parametrize("opens", [True, False])
def test_help_menu_opens_the_log_folder(
    qtbot: QtBot,
    db: Database,
    ops: Ops,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    opens: bool,
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    from sipelayanan.logs import log_dir

    asked: list[QUrl] = []

    def open_url(url: QUrl) -> bool:  # the desktop's file manager: outside world
        asked.append(url)
        return opens

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(open_url))
    window = MainWindow(ops, user_info(db, "online"), settings)
    qtbot.addWidget(window)
    window.show()
    action = window.shortcut_actions["log_folder"]
    help_menu = next(
        a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "Bantuan"
    )
    assert action in help_menu.actions()
    assert action.text().replace("&", "") == "Buka folder log"
    action.trigger()
    assert [Path(u.toLocalFile()) for u in asked] == [log_dir()]
    assert log_dir().is_dir()
    from PySide6.QtWidgets import QMessageBox

    boxes = [w for w in window.findChildren(QMessageBox) if w.isVisible()]
    if opens:
        assert boxes == []
    else:  # the clerk is told where it is instead
        assert len(boxes) == 1 and str(log_dir()) in boxes[0].text()
    window.close()


def test_two_real_app_processes(tmp_path: Path) -> None:
    """Both starts are the real desktop app: the first opens (a new office: first-start setup),
    the second hands over and exits 0; the first logs that it was asked to the front, and its
    crash file (faulthandler) is armed in the log folder."""
    import tempfile

    data = tmp_path / "data"
    env = _env(data, tmp_path)
    env["SIPELAYANAN_DB"] = f"sqlite:///{tmp_path / 'kantor.sqlite3'}"
    first = subprocess.Popen(
        [sys.executable, "-m", "sipelayanan"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    socket_file = Path(tempfile.gettempdir()) / SingleInstance(data).server_name
    log_folder = tmp_path / "state" / "SiPelayanan" / "log"
    try:
        deadline = time.monotonic() + 90
        while not socket_file.exists():  # the first is listening
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline, "the first instance never listened"
            time.sleep(0.1)
        started = time.monotonic()
        second = subprocess.run(
            [sys.executable, "-m", "sipelayanan"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        elapsed = time.monotonic() - started
        assert second.returncode == 0, second.stderr
        assert "Traceback" not in second.stdout + second.stderr
        deadline = time.monotonic() + 30
        while True:
            text = "".join(
                f.read_text(encoding="utf-8") for f in log_folder.glob("sipelayanan-2*.log")
            )
            if "a second start asked for the running window" in text:
                break
            assert time.monotonic() < deadline, text
            time.sleep(0.1)
        crash = (log_folder / "sipelayanan-crash.log").read_text(encoding="utf-8")
        assert f"pid {first.pid} mulai" in crash
        assert first.poll() is None  # still running, now in front
        print(f"second start of the real app exited in {elapsed:.2f} s")
    finally:
        first.terminate()
        try:
            first.wait(timeout=20)
        except subprocess.TimeoutExpired:
            first.kill()
            first.wait()
        socket_file.unlink(missing_ok=True)  # terminated without closing its server


def test_the_old_database_notice_is_shown_once(
    qtbot: QtBot, tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QApplication, QMessageBox

    from sipelayanan import data_folder

    marker = tmp_path / "sipelayanan.sqlite3.diberitahukan"
    monkeypatch.setattr(data_folder, "_pending_notice", ("Di akun Windows ini masih ada …", marker))
    controller = AppController("sqlite:///tidak-dipakai.sqlite3", settings)
    text = "Di akun Windows ini masih ada …"

    def shown() -> list[QMessageBox]:  # (other tests' boxes may still be about)
        return [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.isVisible() and w.text() == text
        ]

    try:
        controller._tell_data_folder_notice()
        boxes = shown()
        assert len(boxes) == 1 and marker.exists()
        boxes[0].close()
        qtbot.waitUntil(lambda: not shown())
        controller._tell_data_folder_notice()  # nothing pending any more
        assert not shown()
    finally:
        controller.shutdown()


def test_the_one_time_move_shows_a_window_meanwhile(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A per-user database of an earlier version is moved on the first desktop start, with a
    window saying so (a million requests take about two minutes), then the URL is the PC's."""
    import sqlite3
    import threading

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QLabel

    from sipelayanan.data_folder import DB_FILENAME, MOVED_SUFFIX
    from sipelayanan.db import default_url
    from sipelayanan.machine_config import ENV_MACHINE_CONFIG
    from sipelayanan.ui.app import default_url_shown

    machine = tmp_path / "pc-data"
    monkeypatch.setenv(ENV_DATA_DIR, str(machine))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv(ENV_MACHINE_CONFIG, str(tmp_path / "tidak-ada.ini"))
    monkeypatch.delenv("SIPELAYANAN_DB", raising=False)
    old = tmp_path / "home" / "SiPelayanan" / DB_FILENAME
    old.parent.mkdir(parents=True)
    Database(f"sqlite:///{old}").upgrade()

    seen: list[str] = []
    looked = threading.Event()

    def look() -> None:  # runs inside the wait, on the UI thread
        for w in QApplication.topLevelWidgets():
            if w.isVisible():
                seen.extend(lbl.text() for lbl in w.findChildren(QLabel))
        looked.set()

    def moving_url() -> str:  # the move itself, once the window has been looked at
        assert looked.wait(30)
        return default_url()

    QTimer.singleShot(0, look)
    url = default_url_shown(moving_url)
    assert url == f"sqlite:///{machine / DB_FILENAME}"
    assert any("Memindahkan basis data ke folder data PC" in t for t in seen)
    assert Path(f"{old}{MOVED_SUFFIX}").exists()
    conn = sqlite3.connect(machine / DB_FILENAME)
    assert conn.execute("SELECT count(*) FROM alembic_version").fetchone()[0] == 1
    conn.close()
    # nothing to move any more: no window
    seen.clear()
    QTimer.singleShot(0, look)
    assert default_url_shown(default_url) == url
    qtbot.wait(10)
    assert not any("Memindahkan" in t for t in seen)


QUICK = """
import sys
from pathlib import Path
from sipelayanan.instance import quick_hand_over
print(quick_hand_over(Path(sys.argv[1])), any(m.startswith("PySide6") for m in sys.modules))
"""


def test_quick_hand_over_needs_no_qt(qtbot: QtBot, tmp_path: Path) -> None:
    """The second start's first try is a plain socket: no Qt, no app modules."""
    data = tmp_path / "data"
    first = SingleInstance(data)
    assert first.acquire()
    got: list[bool] = []
    first.activated.connect(lambda: got.append(True))
    try:
        asker = subprocess.Popen(
            [sys.executable, "-c", QUICK, str(data)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(data, tmp_path),
        )
        qtbot.waitUntil(lambda: asker.poll() is not None, timeout=60_000)
        out, err = asker.communicate()
        assert out.split() == ["True", "False"], err
        assert got == [True]
    finally:
        first.release()
    # nobody listening any more: False at once, and the start goes on to the Qt path
    from sipelayanan.instance import quick_hand_over

    started = time.monotonic()
    assert quick_hand_over(data) is False
    assert time.monotonic() - started < 2
