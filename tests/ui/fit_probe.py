"""Run in a fresh process by tests/ui/test_fit.py (QT_SCALE_FACTOR needs a new QApplication):
opens every top-level window and dialog on a 1366×768 offscreen screen and prints, as JSON,
where each window and each of its buttons ends up.

    QT_QPA_PLATFORM=offscreen:configfile=SCREEN.json QT_SCALE_FACTOR=1.25 \\
        python -m tests.ui.fit_probe OUT.json
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QMenuBar,
    QPushButton,
    QScrollArea,
    QTableView,
    QToolButton,
    QWidget,
)

#: a Windows title bar, in physical pixels: a window's frame must fit in the available screen
#: with it (the screen the test gives is the available area: 1366×768 less a 40 px taskbar)
DECORATION_PX = 32


def settle(app: QApplication, ms: int = 300) -> None:
    done: list[bool] = []
    QTimer.singleShot(ms, lambda: done.append(True))
    while not done:
        app.processEvents()


def buttons_of(window: QWidget) -> list[dict[str, Any]]:
    from sipelayanan.ui.main_window import PageHolder

    out = []
    for b in window.findChildren(QAbstractButton):
        if not b.isVisibleTo(window) or b.window() is not window:
            continue
        if isinstance(b, QToolButton) and b.autoRaise() and not b.text().strip("✕"):
            continue
        parent = b.parentWidget()
        in_view = False
        nested_scroll = False  # inside a scrolling part of the window (not the page itself)
        while parent is not None and parent is not window:
            if isinstance(parent, (QAbstractItemView, QMenuBar)):
                in_view = True
            if isinstance(parent, QScrollArea) and not isinstance(parent, PageHolder):
                nested_scroll = True
            parent = parent.parentWidget()
        if in_view or not isinstance(b, QPushButton):
            continue
        region = b.visibleRegion().boundingRect()
        top_left = b.mapTo(window, b.rect().topLeft())
        out.append(
            {
                "text": b.text().replace("&", ""),
                "x": top_left.x(),
                "y": top_left.y(),
                "w": b.width(),
                "h": b.height(),
                "shown_w": region.width(),
                "shown_h": region.height(),
                "nested_scroll": nested_scroll,
                "default": b.isDefault(),
            }
        )
    return out


def describe(app: QApplication, name: str, window: QWidget) -> dict[str, Any]:
    settle(app)
    screen = window.screen() or app.primaryScreen()
    avail = screen.availableGeometry()
    room = DECORATION_PX / screen.devicePixelRatio()
    geo = window.frameGeometry()
    return {
        "name": name,
        "x": geo.x(),
        "y": geo.y(),
        "w": geo.width(),
        "h": geo.height(),
        "min_w": window.minimumSizeHint().width(),
        "min_h": window.minimumSizeHint().height(),
        "avail": [avail.x(), avail.y(), avail.width(), avail.height() - round(room)],
        "buttons": buttons_of(window),
        # work lists whose columns do not fit scroll sideways: Status out of sight
        "tables_scrolling_sideways": [
            t.objectName() or t.accessibleName() or type(t).__name__
            for t in window.findChildren(QTableView)
            if t.isVisibleTo(window) and t.horizontalScrollBar().isVisible()
        ],
    }


def main() -> None:
    out_path = Path(sys.argv[1])
    app = QApplication([])
    from sipelayanan.ui.app import setup_application

    setup_application(app)
    from sipelayanan.db import Database
    from sipelayanan.demo import load_demo
    from sipelayanan.services.users import get_user
    from sipelayanan.ui.ops import Ops
    from sipelayanan.ui.settings import Settings

    tmp = Path(tempfile.mkdtemp(prefix="sip-fit-"))
    url = f"sqlite:///{tmp / 'fit.sqlite3'}"
    db = Database(url)
    db.upgrade()
    load_demo(db, count=60, seed=3)
    settings = Settings(QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat))
    ops = Ops(url, poll_ms=0)
    report: list[dict[str, Any]] = []

    def add(name: str, window: QWidget, prepare: Callable[[], None] | None = None) -> None:
        window.show()
        if prepare is not None:
            prepare()
        report.append(describe(app, name, window))

    from sipelayanan.ui.login import LoginDialog

    login = LoginDialog(ops, settings)
    add("login", login)
    login.close()

    from sipelayanan.ui.first_start import FirstStartDialog

    empty = f"sqlite:///{tmp / 'kosong.sqlite3'}"
    Database(empty).upgrade()
    empty_ops = Ops(empty, poll_ms=0)
    first = FirstStartDialog(empty_ops)
    add("first_start", first)
    first.close()
    empty_ops.shutdown()

    from sipelayanan.ui.main_window import MainWindow

    def user(name: str) -> Any:
        with db.read() as s:
            return get_user(s, name)

    users = tuple(sys.argv[2:]) or (
        "online",
        "operator",
        "kasi",
        "aduan",
        "admin",
        "penyerahan",
        "kadis",
    )
    for username in users:
        settings = Settings(  # a PC where this clerk opens the app for the first time
            QSettings(str(tmp / f"settings-{username}.ini"), QSettings.Format.IniFormat)
        )
        window = MainWindow(ops, user(username), settings)
        window.show()
        settle(app, 600)
        for key in list(window.pages):
            window.show_page(key)
            settle(app, 400)
            report.append(describe(app, f"main:{username}:{key}", window))
        # maximised on an office PC: the whole available screen less taskbar and title bar
        screen = window.screen()
        avail = screen.availableGeometry()
        room = round(DECORATION_PX / screen.devicePixelRatio())
        extra_w = window.frameGeometry().width() - window.width()
        extra_h = window.frameGeometry().height() - window.height()
        window.setGeometry(
            avail.x(), avail.y(), avail.width() - extra_w, avail.height() - room - extra_h
        )
        for key in list(window.pages):
            window.show_page(key)
            settle(app, 300)
            report.append(describe(app, f"maximised:{username}:{key}", window))
        if username == "operator":
            code = window.pages["inbox"].codes()[0]  # type: ignore[attr-defined]
            window.open_case(code)
            settle(app, 1200)
            case = window.case_windows()[code]
            report.append(describe(app, "case_window", case))
            case.close()
            from sipelayanan.ui.widgets.berkas import BerkasEntry
            from sipelayanan.ui.widgets.berkas_viewer import BerkasViewer, recorded_fetch
            from tests.ui.conftest import png_bytes

            photo = png_bytes(1200, 1600)  # a tall phone photo
            viewer = BerkasViewer(
                [BerkasEntry("foto", "ktp.png", "image/png", len(photo), content=photo)],
                fetch=recorded_fetch(None),
                parent=window,
            )
            add("berkas_viewer", viewer)
            viewer.close()
            from sipelayanan.reports import receipt
            from sipelayanan.services.context import Actor
            from sipelayanan.ui.printing import PrintPreview

            info = user("operator")
            with db.write() as s:
                pdf = receipt(s, code, "pdf", actor=Actor(info.id, info.username))
            preview = PrintPreview(pdf, "Tanda terima", None, window)
            add("print_preview", preview)
            preview.close()
        if username == "kasi":
            from sipelayanan.ui.reports_dialog import ReportsDialog

            dialog = ReportsDialog(window.ctx, window)
            add("reports_dialog", dialog)
            dialog.close()
            from sipelayanan.ui.about import AboutDialog

            about = AboutDialog(window)
            add("about", about)
            about.close()
            from sipelayanan.ui.status_reply import StatusReplyDialog

            reply = StatusReplyDialog(window.ctx, window)
            add("status_reply", reply)
            reply.close()
            from sipelayanan.ui.main_window import OpenCodeDialog

            opener = OpenCodeDialog(lambda _c: None, window)
            add("open_code", opener)
            opener.close()
        window.close()
        settle(app, 100)
    ops.shutdown()
    out_path.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
