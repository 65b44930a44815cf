"""The masked NIK in the request window's header, with one click to reveal and copy it for the
roles the office lets see it (issue 12.5: the SIAK operator types it into SIAK).

Everyone sees ``1808********0001``. A role named in Admin ▸ Data pribadi (the operator by
default) also sees **Lihat NIK**: one click reads the full NIK through ``access.reveal_nik`` —
one recorded ``data.view`` entry (who, when, which request) — shows it and puts it on the
clipboard; **Salin** copies it again without another read. Closing or reloading the window for
another request masks it again.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from ...errors import SipelayananError
from ...i18n import tr
from ...services import access
from ..context import UiContext


class NikReveal(QWidget):
    """``NIK 1808********0001 [Lihat NIK]`` → ``NIK 1808011203850001 [Salin]``."""

    revealed = Signal(str)  # the tracking code whose NIK was revealed
    failed = Signal(str)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("nik_reveal")
        self.ctx = ctx
        self.code: str | None = None
        self.masked: str | None = None
        self.full: str | None = None
        self.allowed = False
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.label = QLabel(self)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reveal_button = QPushButton(tr("Lihat NIK"), self)
        self.reveal_button.setObjectName("reveal_nik")
        self.reveal_button.setToolTip(
            tr("Tampilkan NIK lengkap dan salin ke clipboard (untuk SIAK). Dicatat di log audit.")
        )
        self.reveal_button.clicked.connect(self.reveal)
        self.copy_button = QPushButton(tr("Salin"), self)
        self.copy_button.setObjectName("copy_nik")
        self.copy_button.clicked.connect(self.copy)
        for w in (self.reveal_button, self.copy_button):
            w.setFlat(True)
            w.setCursor(Qt.CursorShape.PointingHandCursor)
            w.setStyleSheet("color: #1a73e8; padding: 0 4px;")
        layout.addWidget(self.label)
        layout.addWidget(self.reveal_button)
        layout.addWidget(self.copy_button)
        layout.addStretch(1)
        self._show()
        ctx.ops.run(
            lambda s: access.may_reveal_nik(s, ctx.user.roles),
            on_done=self._set_allowed,
            on_error=lambda e: None,
            parent=self,
        )

    def set_case(self, code: str, masked: str | None) -> None:
        """The request shown now; a different one masks the NIK again."""
        if code != self.code:
            self.full = None
        self.code, self.masked = code, masked
        self._show()

    def _set_allowed(self, allowed: bool) -> None:
        self.allowed = bool(allowed)
        self._show()

    def _show(self) -> None:
        shown = self.full or self.masked
        self.setVisible(bool(shown))
        self.label.setText(tr("NIK {nik}", nik=shown or ""))
        self.reveal_button.setVisible(self.allowed and self.full is None and bool(self.masked))
        self.copy_button.setVisible(self.full is not None)

    def reveal(self) -> None:
        code, actor = self.code, self.ctx.actor
        if code is None or not self.allowed:
            return
        self.reveal_button.setEnabled(False)
        self.ctx.ops.run(
            lambda s: access.reveal_nik(s, actor, code),
            write=True,
            on_done=lambda nik: self._revealed(code, nik),
            on_error=self._failed,
            parent=self,
        )

    def _revealed(self, code: str, nik: str) -> None:
        self.reveal_button.setEnabled(True)
        if code != self.code:
            return  # the window moved on to another request meanwhile
        self.full = str(nik)
        self._show()
        self.copy()
        self.revealed.emit(code)

    def _failed(self, error: SipelayananError) -> None:
        self.reveal_button.setEnabled(True)
        self.failed.emit(str(error))
        self.ctx.show_status(str(error))

    def copy(self) -> None:
        if self.full:
            QGuiApplication.clipboard().setText(self.full)
            self.ctx.show_status(tr("NIK disalin ke clipboard."))
