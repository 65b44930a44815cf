"""Balas status: paste whatever a resident sent ("STATUS ABCD-EFGH3", the bare code, a link, a
sentence holding it) and get the reply that is safe to send to anyone holding the code
(:func:`sipelayanan.services.status.answer_status`), ready to copy or to open in WhatsApp.
The pasted text is never stored or logged (residents type their NIK into such messages)."""

from __future__ import annotations

from urllib.parse import quote

from PySide6.QtCore import QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..i18n import tr
from .context import UiContext


class StatusReplyDialog(QDialog):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None, *, text: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Balas status"))
        self.setObjectName("status_reply")
        self.resize(520, 520)
        self.ctx = ctx
        self.found = False
        self._asked = ""

        self.incoming = QPlainTextEdit(self)
        self.incoming.setObjectName("status_incoming")
        self.incoming.setPlaceholderText(
            tr("Tempel pesan pemohon di sini, mis. STATUS ABCD-EFGH3, kodenya saja, atau tautan")
        )
        self.incoming.setMaximumHeight(90)
        self.reply = QPlainTextEdit(self)
        self.reply.setObjectName("status_reply_text")
        self.reply.setReadOnly(True)
        self.note = QLabel(
            tr(
                "Jawaban ini tanpa nama, NIK atau nomor: aman dikirim ke siapa pun yang "
                "memegang kode."
            ),
            self,
        )
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #5f6368;")
        self.copy_button = QPushButton(tr("&Salin jawaban"), self)
        self.copy_button.setObjectName("status_copy")
        self.copy_button.clicked.connect(self.copy)
        self.wa_button = QPushButton(tr("Buka di &WhatsApp"), self)
        self.wa_button.setObjectName("status_wa")
        self.wa_button.clicked.connect(self.open_whatsapp)
        row = QHBoxLayout()
        row.addWidget(self.copy_button)
        row.addWidget(self.wa_button)
        row.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("Pesan yang masuk:"), self))
        layout.addWidget(self.incoming)
        layout.addWidget(QLabel(tr("Jawaban:"), self))
        layout.addWidget(self.reply, 1)
        layout.addWidget(self.note)
        layout.addLayout(row)
        layout.addWidget(close)

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(250)
        self.timer.timeout.connect(self.answer)
        self.incoming.textChanged.connect(self.timer.start)
        self._enable(False)
        if text:
            self.incoming.setPlainText(text)
            self.answer()

    def _enable(self, on: bool) -> None:
        self.copy_button.setEnabled(on)
        self.wa_button.setEnabled(on)

    def answer(self) -> None:
        from ..services.status import answer_status

        asked = self.incoming.toPlainText()
        self._asked = asked
        if not asked.strip():
            self.reply.clear()
            self._enable(False)
            return
        self.ctx.ops.run(
            lambda s: answer_status(s, asked),
            on_done=lambda result: self._answered(asked, result),
            parent=self,
        )

    def _answered(self, asked: str, result: object) -> None:
        if asked != self._asked:
            return  # a newer paste is on its way
        text = getattr(result, "text", "")
        self.found = bool(getattr(result, "found", False))
        self.reply.setPlainText(text)
        self._enable(bool(text))

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.reply.toPlainText())
        self.ctx.show_status(tr("Jawaban status disalin; tempel di WhatsApp."))

    def whatsapp_url(self) -> str:
        """WhatsApp with the text filled in; the resident's number is chosen there."""
        return "https://wa.me/?text=" + quote(self.reply.toPlainText())

    def open_whatsapp(self) -> None:
        QDesktopServices.openUrl(QUrl(self.whatsapp_url()))
