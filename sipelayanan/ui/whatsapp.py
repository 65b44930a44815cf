"""Show a composed WhatsApp message: the clerk may edit it, copy it ("Salin") or open it in
WhatsApp on this PC ("Buka WhatsApp", a ``https://wa.me/<number>?text=…`` link).

Shared by intake, the request window and the complaint forms. The dialog is not modal: the
clerk can keep it beside WhatsApp Web while working on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol
from urllib.parse import parse_qs, quote, urlsplit

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFont, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..i18n import tr

#: Browsers and WhatsApp cut very long ``wa.me`` links; past this the clerk is told to paste.
LONG_LINK = 2000


class ComposedMessage(Protocol):
    """What ``services.messages.render_message`` returns (``Message``)."""

    @property
    def text(self) -> str: ...

    @property
    def wa_link(self) -> str: ...


def wa_me_link(number: str, text: str) -> str:
    """``https://wa.me/<digits>?text=<text, percent-encoded>`` for an E.164 or digits number."""
    digits = "".join(c for c in number if c.isdigit())
    return f"https://wa.me/{digits}?text={quote(text, safe='')}"


def link_number(link: str) -> str:
    """The recipient's digits in a ``wa.me`` link ('' when the link names nobody)."""
    path = urlsplit(link).path.strip("/")
    return path if path.isdigit() else ""


def relink(link: str, text: str) -> str:
    """The same ``wa.me`` link with ``text`` as the message (after the clerk edited it)."""
    number = link_number(link)
    if number:
        return wa_me_link(number, text)
    parts = urlsplit(link)
    base = f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.scheme else "https://wa.me/"
    return f"{base}?text={quote(text, safe='')}"


def link_text(link: str) -> str:
    """The message text carried in a ``wa.me`` link."""
    values = parse_qs(urlsplit(link).query).get("text", [""])
    return values[0]


def pretty_number(digits: str) -> str:
    """``628117961501`` -> ``+62 811-7961-501`` (for the 'Kepada' line)."""
    if digits.startswith("62") and len(digits) >= 10:
        rest = digits[2:]
        groups = [rest[:3], rest[3:7], rest[7:]]
        return "+62 " + "-".join(g for g in groups if g)
    return "+" + digits if digits else ""


def local_number(e164: str) -> str:
    """``+628117961501`` -> ``0811-7961-501``, the way the office writes numbers."""
    if e164.startswith("+62") and len(e164) > 6:
        rest = e164[3:]
        return f"0{rest[:3]}-{rest[3:7]}-{rest[7:]}".rstrip("-")
    return e164


Opener = Callable[[QUrl], bool]


class WhatsAppDialog(QDialog):
    """The composed message, editable, with Salin / Buka WhatsApp / Tutup."""

    copied = Signal(str)
    opened = Signal(str)

    def __init__(
        self,
        message: ComposedMessage,
        parent: QWidget | None = None,
        *,
        title: str | None = None,
        opener: Opener | None = None,
    ) -> None:
        super().__init__(parent)
        self._base_link = message.wa_link
        self._opener: Opener = opener or QDesktopServices.openUrl
        self.setWindowTitle(title or tr("Pesan WhatsApp"))
        self.setModal(False)
        self.resize(520, 420)

        number = link_number(message.wa_link)
        self.recipient = QLabel(
            tr("Kepada: {nomor}", nomor=pretty_number(number))
            if number
            else tr("Kepada: (pilih kontak di WhatsApp)")
        )
        self.recipient.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.editor = QPlainTextEdit(message.text)
        self.editor.setTabChangesFocus(True)
        font = QFont(self.editor.font())
        font.setPointSizeF(max(font.pointSizeF(), 10.5))
        self.editor.setFont(font)
        self.editor.setAccessibleName(tr("Isi pesan"))
        hint = QLabel(tr("Pesan dapat diubah sebelum disalin atau dikirim."))
        hint.setStyleSheet("color: palette(mid);")
        self.feedback = QLabel("")
        self.feedback.setWordWrap(True)

        self.copy_button = QPushButton(tr("&Salin"))
        self.copy_button.setToolTip(tr("Salin pesan ke papan klip (Ctrl+Shift+C)"))
        self.open_button = QPushButton(tr("&Buka WhatsApp"))
        self.open_button.setToolTip(tr("Buka WhatsApp di PC ini dengan pesan terisi (Ctrl+Enter)"))
        self.open_button.setEnabled(bool(number))
        self.close_button = QPushButton(tr("&Tutup"))
        self.copy_button.setDefault(True)

        self.copy_button.clicked.connect(self.copy)
        self.open_button.clicked.connect(self.open_whatsapp)
        self.close_button.clicked.connect(self.close)
        self.editor.textChanged.connect(self._edited)
        QShortcut(QKeySequence("Ctrl+Shift+C"), self, self.copy)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.open_whatsapp)
        QShortcut(QKeySequence("Ctrl+Enter"), self, self.open_whatsapp)

        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.recipient)
        layout.addWidget(self.editor, 1)
        layout.addWidget(hint)
        layout.addWidget(self.feedback)
        layout.addLayout(buttons)
        self.setTabOrder(self.editor, self.copy_button)
        self.setTabOrder(self.copy_button, self.open_button)
        self.setTabOrder(self.open_button, self.close_button)
        self._edited()

    # ------------------------------------------------------------------ API

    def text(self) -> str:
        return self.editor.toPlainText()

    def link(self) -> str:
        """The wa.me link for the text as it is now (edits included)."""
        return relink(self._base_link, self.text())

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text())
        self.feedback.setText(tr("Pesan disalin. Tempel (Ctrl+V) di percakapan WhatsApp pemohon."))
        self.copied.emit(self.text())

    def open_whatsapp(self) -> None:
        if not self.open_button.isEnabled():
            return
        link = self.link()
        if self._opener(QUrl(link)):
            self.feedback.setText(tr("WhatsApp dibuka; periksa pesan lalu tekan kirim di sana."))
            self.opened.emit(link)
        else:
            self.feedback.setText(
                tr(
                    "WhatsApp atau peramban tidak dapat dibuka di PC ini. Gunakan Salin, lalu "
                    "tempel di WhatsApp."
                )
            )

    # ------------------------------------------------------------------ internals

    def _edited(self) -> None:
        if len(self.link()) > LONG_LINK:
            self.feedback.setText(
                tr(
                    "Pesan panjang: bila WhatsApp tidak memuat seluruh teks, gunakan Salin lalu "
                    "tempel."
                )
            )
        elif self.feedback.text().startswith(tr("Pesan panjang")):
            self.feedback.setText("")


def show_whatsapp_message(
    parent: QWidget | None,
    message: ComposedMessage,
    *,
    title: str | None = None,
    opener: Opener | None = None,
) -> WhatsAppDialog:
    """Show the message beside the current window (non-modal) and return the dialog."""
    dialog = WhatsAppDialog(message, parent, title=title, opener=opener)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    dialog.editor.setFocus()
    return dialog
