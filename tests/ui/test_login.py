"""Login: a wrong password gets one clear message (and is counted), the right one logs in; the
main window shows who is logged in, their roles and only the pages those roles fit."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from sipelayanan.db import Database
from sipelayanan.demo import DEMO_PASSWORD
from sipelayanan.models import AuditEntry, User
from sipelayanan.ui.context import UiContext
from sipelayanan.ui.login import LoginDialog
from sipelayanan.ui.main_window import MainWindow
from sipelayanan.ui.ops import Ops
from sipelayanan.ui.settings import Settings

from .conftest import user_info


def _failed_logins(db: Database, username: str) -> int:
    with db.read() as s:
        return s.execute(select(User.failed_logins).where(User.username == username)).scalar_one()


def test_wrong_password_then_right(
    qtbot: QtBot, db: Database, ops: Ops, settings: Settings
) -> None:
    dialog = LoginDialog(ops, settings)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.username, "online")
    qtbot.keyClicks(dialog.password, "salah-sekali")
    qtbot.mouseClick(dialog.login_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message.level == "error" and dialog.login_button.isEnabled())
    assert dialog.message.text() == "Nama pengguna atau kata sandi salah."
    assert dialog.isVisible() and dialog.user is None
    # the failed attempt was committed even though it "failed"
    assert _failed_logins(db, "online") == 1

    dialog.password.clear()
    qtbot.keyClicks(dialog.password, DEMO_PASSWORD)
    with qtbot.waitSignal(dialog.logged_in, timeout=10000) as got:
        qtbot.keyPress(dialog.password, Qt.Key.Key_Return)
    user = got.args[0]
    assert user.username == "online" and user.roles == ("operator_online",)
    assert not dialog.isVisible()
    assert settings.last_username() == "online"
    assert _failed_logins(db, "online") == 0
    with db.read() as s:
        actions = (
            s.execute(
                select(AuditEntry.action)
                .where(AuditEntry.username == "online")
                .order_by(AuditEntry.seq)
            )
            .scalars()
            .all()
        )
    assert actions[-2:] == ["login.failed", "login"]


def test_empty_fields_are_refused_without_a_query(
    qtbot: QtBot, ops: Ops, settings: Settings
) -> None:
    dialog = LoginDialog(ops, settings)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.login_button, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == "Isi nama pengguna dan kata sandi."
    assert dialog.user is None


def test_last_username_is_prefilled(qtbot: QtBot, ops: Ops, settings: Settings) -> None:
    settings.set_last_username("kabid")
    dialog = LoginDialog(ops, settings)
    qtbot.addWidget(dialog)
    with qtbot.waitExposed(dialog):
        dialog.show()
    assert dialog.username.text() == "kabid"
    assert dialog.focusWidget() is dialog.password


def test_main_window_shows_user_roles_and_fitting_pages(
    qtbot: QtBot, db: Database, ops: Ops, settings: Settings
) -> None:
    kasi = MainWindow(ops, user_info(db, "kasi"), settings)
    qtbot.addWidget(kasi)
    kasi.show()
    assert kasi.user_label.text() == "Hendra Saputra, S.Kom. (kasi)"
    assert kasi.roles_label.text() == "Kasi"
    assert "review" in kasi.pages and "inbox" in kasi.pages
    assert "intake" not in kasi.pages and "admin" not in kasi.pages
    assert "pengaduan" not in kasi.pages
    kasi.close()

    online = MainWindow(ops, user_info(db, "online"), settings)
    qtbot.addWidget(online)
    assert "intake" in online.pages and "review" not in online.pages
    assert online.roles_label.text() == "Operator Pelayanan Online"
    # Ctrl+2 goes to the second page the user has
    with qtbot.waitActive(online):
        online.show()
        online.activateWindow()
    qtbot.keyClick(online, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert online.current_page_key() == "intake"
    assert settings.last_page() == "intake"


def test_logout_remembers_size_and_asks_for_login(
    qtbot: QtBot, db: Database, ops: Ops, settings: Settings, ctx_for: Callable[..., UiContext]
) -> None:
    window = MainWindow(ops, user_info(db, "operator"), settings)
    qtbot.addWidget(window)
    window.show()
    window.resize(733, 521)
    size = window.size()
    with qtbot.waitSignal(window.logout_requested):
        qtbot.mouseClick(window.logout_button, Qt.MouseButton.LeftButton)
    assert not window.isVisible()
    assert settings.window_geometry() is not None
    again = MainWindow(ops, user_info(db, "operator"), settings)
    qtbot.addWidget(again)
    assert again.size() == size and (size.width(), size.height()) == (733, 521)
