"""Permohonan ▸ Kirim semua yang siap: the WhatsApp notices not sent yet (no Cloud API
number, no consent, or an API error), one click each — "Buka WhatsApp & tandai terkirim"
opens the ``wa.me`` link with the text and records the notice as sent by hand; "Lewati" leaves
it on the list for later."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from ..errors import SipelayananError
from ..i18n import tr
from ..services import outbox
from .context import UiContext
from .whatsapp import Opener, pretty_number


class NoticeWalkDialog(QDialog):
    def __init__(
        self, ctx: UiContext, parent: QWidget | None = None, *, opener: Opener | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._opener: Opener = opener or QDesktopServices.openUrl
        self.pending: list[outbox.NoticeRow] = []
        self.index = 0
        self.done_count = 0
        self.setWindowTitle(tr("Kirim semua yang siap"))
        self.setModal(False)
        self.resize(560, 460)
        self.progress = QLabel("", self)
        self.progress.setObjectName("walk_progress")
        self.header = QLabel("", self)
        self.header.setObjectName("walk_header")
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reason = QLabel("", self)
        self.reason.setWordWrap(True)
        self.reason.setStyleSheet("color: #8a5a00;")
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setObjectName("walk_text")
        self.feedback = QLabel("", self)
        self.feedback.setWordWrap(True)
        self.send_button = QPushButton(tr("&Buka WhatsApp && tandai terkirim"), self)
        self.send_button.setObjectName("walk_send")
        self.send_button.setDefault(True)
        self.already_button = QPushButton(tr("&Sudah terkirim"), self)
        self.already_button.setObjectName("walk_already")
        self.already_button.setToolTip(
            tr("Pesan ini sudah dikirim dari jendela lain: tandai terkirim tanpa membuka WhatsApp")
        )
        self.skip_button = QPushButton(tr("&Lewati"), self)
        self.skip_button.setObjectName("walk_skip")
        self.close_button = QPushButton(tr("&Tutup"), self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.already_button)
        buttons.addWidget(self.skip_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.progress)
        layout.addWidget(self.header)
        layout.addWidget(self.reason)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.feedback)
        layout.addLayout(buttons)
        self.send_button.clicked.connect(self.send_current)
        self.skip_button.clicked.connect(self.skip)
        self.already_button.clicked.connect(lambda: self.send_current(open_whatsapp=False))
        self.close_button.clicked.connect(self.close)
        self._show_current()

    def load(self) -> None:
        self.ctx.ops.run(outbox.pending_manual, on_done=self._loaded, parent=self)

    def _loaded(self, rows: list[outbox.NoticeRow]) -> None:
        if not isValid(self):
            return
        self.pending = rows
        self.index = 0
        self._show_current()

    def current(self) -> outbox.NoticeRow | None:
        return self.pending[self.index] if self.index < len(self.pending) else None

    def _show_current(self) -> None:
        row = self.current()
        self.send_button.setEnabled(row is not None)
        self.already_button.setEnabled(row is not None)
        self.skip_button.setEnabled(row is not None)
        if row is None:
            self.progress.setText(
                tr("Selesai: {n} pesan ditandai terkirim.", n=self.done_count)
                if self.done_count
                else tr("Tidak ada pemberitahuan yang menunggu dikirim manual.")
            )
            self.header.setText("")
            self.reason.setText("")
            self.text.setPlainText("")
            return
        self.progress.setText(tr("Pesan {i} dari {n}", i=self.index + 1, n=len(self.pending)))
        digits = "".join(c for c in row.to_wa if c.isdigit())
        self.header.setText(
            tr(
                "{jenis} · {kode} · kepada {nomor}",
                jenis=row.kind_label,
                kode=row.code,
                nomor=pretty_number(digits),
            )
        )
        self.reason.setText(row.error or "")
        self.text.setPlainText(row.text)

    def skip(self) -> None:
        if self.current() is None:
            return
        self.index += 1
        self.feedback.setText("")
        self._show_current()

    def send_current(self, *, open_whatsapp: bool = True) -> None:
        row = self.current()
        if row is None:
            return
        if open_whatsapp and not self._opener(QUrl(row.wa_link)):
            self.feedback.setText(
                tr(
                    "WhatsApp atau peramban tidak dapat dibuka di PC ini; pesan belum ditandai "
                    "terkirim."
                )
            )
            return
        actor, notice_id = self.ctx.actor, row.id
        self.send_button.setEnabled(False)
        self.already_button.setEnabled(False)

        def run(session: Any) -> str:
            return outbox.mark_sent(session, actor, notice_id)

        self.ctx.ops.run(run, write=True, on_done=self._marked, on_error=self._failed, parent=self)

    def _marked(self, _state: str) -> None:
        if not isValid(self):
            return
        self.done_count += 1
        self.index += 1
        self.feedback.setText(tr("WhatsApp dibuka; tekan kirim di sana. Pesan ditandai terkirim."))
        self._show_current()

    def _failed(self, error: SipelayananError) -> None:
        if not isValid(self):
            return
        self.feedback.setText(str(error))
        self.index += 1  # already decided elsewhere: move on
        self._show_current()


def open_notice_walk(ctx: UiContext, parent: QWidget | None = None) -> NoticeWalkDialog:
    dialog = NoticeWalkDialog(ctx, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    dialog.show()
    dialog.load()
    return dialog
