"""Login: username + password, checked off the UI thread; one clear message on failure."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from ..errors import AuthError, SipelayananError
from ..i18n import tr
from ..services.login import attempt_login
from ..services.office import get_profile
from ..services.users import UserInfo
from .ops import Ops
from .settings import Settings
from .widgets.common import MessageBar


def _attempt(username: str, password: str) -> Any:
    """The worker function: the core's login attempt (a failure is returned, so the write
    unit commits the failure counter and its audit entry)."""

    def run(session: Session) -> UserInfo | AuthError:
        return attempt_login(session, username, password)

    return run


class LoginDialog(QDialog):
    logged_in = Signal(object)  # UserInfo

    def __init__(self, ops: Ops, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.settings = settings
        self.user: UserInfo | None = None
        self.setWindowTitle(tr("Masuk — SiPelayanan"))
        self.setMinimumWidth(420)

        title = QLabel(tr("SiPelayanan"), self)
        title.setStyleSheet("font-size: 20px; font-weight: 600;")
        self.office = QLabel(tr("Pelayanan Online WhatsApp Disdukcapil"), self)
        self.office.setWordWrap(True)
        self.office.setStyleSheet("color: #5f6368;")

        self.username = QLineEdit(self)
        self.username.setObjectName("username")
        self.username.setMaxLength(64)
        self.username.setText(settings.last_username())
        self.password = QLineEdit(self)
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMaxLength(256)
        form = QFormLayout()
        form.addRow(tr("Nama &pengguna"), self.username)
        form.addRow(tr("&Kata sandi"), self.password)

        self.message = MessageBar(self)
        self.buttons = QDialogButtonBox(self)
        self.login_button = self.buttons.addButton(
            tr("Masuk"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.login_button.setDefault(True)
        self.buttons.addButton(tr("Keluar"), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.office)
        layout.addSpacing(8)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

        if self.username.text():
            self.password.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.username.setFocus(Qt.FocusReason.OtherFocusReason)
        self._busy = False
        ops.run(
            lambda s: get_profile(s).name,
            on_done=self._show_office,
            on_error=lambda e: None,
            parent=self,
        )

    def _show_office(self, name: str) -> None:
        self.office.setText(name)

    def submit(self) -> None:
        if self._busy:
            return
        username = self.username.text().strip()
        password = self.password.text()
        if not username or not password:
            self.message.error(tr("Isi nama pengguna dan kata sandi."))
            (self.username if not username else self.password).setFocus()
            return
        self._set_busy(True)
        self.message.info(tr("Memeriksa…"))
        self.ops.run(
            _attempt(username, password),
            write=True,
            on_done=self._on_result,
            on_error=self._on_error,
            parent=self,
        )

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.login_button.setEnabled(not busy)

    def _on_result(self, result: UserInfo | AuthError) -> None:
        self._set_busy(False)
        if isinstance(result, AuthError):
            self.message.error(str(result))
            self.password.selectAll()
            self.password.setFocus()
            return
        self.user = result
        self.settings.set_last_username(result.username)
        self.message.clear()
        self.password.clear()
        self.logged_in.emit(result)
        self.accept()

    def _on_error(self, error: SipelayananError) -> None:
        self._set_busy(False)
        self.message.error(str(error))
