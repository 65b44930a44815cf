"""Balas status: paste whatever a resident sent ("STATUS ABCD-EFGH3", the bare code, a link, a
sentence holding it) and get the reply that is safe to send to anyone holding the code
(:func:`sipelayanan.services.status.answer_status`), ready to copy or to open in WhatsApp.
The pasted text is never stored or logged (residents type their NIK into such messages).

A pasted survey answer (``SKM-…`` from the status page's form, :mod:`sipelayanan.skm`) is
recognised: **Catat jawaban survei** records it, anonymously, once per tracking code."""

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
        self.skm_note = QLabel(self)
        self.skm_note.setObjectName("skm_note")
        self.skm_note.setWordWrap(True)
        self.skm_note.hide()
        self.skm_button = QPushButton(tr("Catat &jawaban survei"), self)
        self.skm_button.setObjectName("skm_record")
        self.skm_button.clicked.connect(self.record_survey)
        self.skm_button.hide()
        self._survey: object | None = None
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
        layout.addWidget(self.skm_note)
        layout.addWidget(self.skm_button)
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
        self._check_survey(asked)
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

    def _check_survey(self, text: str) -> None:
        """Show whether the pasted text holds a survey answer, and whether it is intact."""
        from .. import skm
        from ..errors import InputError

        self._survey = None
        if not skm.find_answer_string(text):
            self.skm_note.hide()
            self.skm_button.hide()
            return
        try:
            answer = skm.decode_answer(text)
        except InputError as exc:
            self.skm_note.setText(str(exc))
            self.skm_note.setStyleSheet("color: #a4262c;")
            self.skm_button.hide()
        else:
            self._survey = answer
            self.skm_note.setText(
                tr(
                    "Pesan ini berisi jawaban Survei Kepuasan Masyarakat untuk kode {code} "
                    "(jawaban tanpa nama).",
                    code=f"{answer.code[:4]}-{answer.code[4:]}" if answer.code else "",
                )
            )
            self.skm_note.setStyleSheet("")
            self.skm_button.show()
            self.skm_button.setEnabled(True)
        self.skm_note.show()

    def record_survey(self) -> None:
        """Record the pasted survey answer (admin / Operator Pelayanan Online)."""
        from ..errors import SipelayananError
        from ..skm import Answer
        from ..skm.store import record_answer

        answer = self._survey
        if not isinstance(answer, Answer):
            return
        actor = self.ctx.actor
        self.skm_button.setEnabled(False)

        def failed(error: SipelayananError) -> None:
            self.skm_note.setText(str(error))
            self.skm_note.setStyleSheet("color: #a4262c;")

        def done(_result: object) -> None:
            shown = f"{answer.code[:4]}-{answer.code[4:]}" if answer.code else ""
            self.skm_note.setText(tr("Jawaban survei dicatat. Terima kasih."))
            self.skm_note.setStyleSheet("color: #137333;")
            self.skm_button.hide()
            self.reply.setPlainText(
                tr(
                    "Terima kasih, jawaban Survei Kepuasan Masyarakat untuk kode {code} sudah "
                    "kami terima. Masukan Anda kami pakai untuk memperbaiki pelayanan.",
                    code=shown,
                )
            )
            self._enable(True)
            self.ctx.show_status(tr("Jawaban survei dicatat."))

        self.ctx.ops.run(
            lambda s: record_answer(s, actor, answer, source="wa"),
            write=True,
            on_done=done,
            on_error=failed,
            parent=self,
        )

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.reply.toPlainText())
        self.ctx.show_status(tr("Jawaban status disalin; tempel di WhatsApp."))

    def whatsapp_url(self) -> str:
        """WhatsApp with the text filled in; the resident's number is chosen there."""
        return "https://wa.me/?text=" + quote(self.reply.toPlainText())

    def open_whatsapp(self) -> None:
        QDesktopServices.openUrl(QUrl(self.whatsapp_url()))
