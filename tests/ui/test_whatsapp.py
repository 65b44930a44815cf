"""The shared WhatsApp message dialog: edit, Salin (clipboard), Buka WhatsApp (wa.me link)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication

from sipelayanan.ui.whatsapp import (
    link_number,
    link_text,
    relink,
    show_whatsapp_message,
    wa_me_link,
)


@dataclass(frozen=True)
class Msg:
    text: str
    wa_link: str


class _UrlCatcher(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def handle(self, url: QUrl) -> None:
        self.urls.append(url)


@pytest.fixture
def https_catcher(qapp: object) -> Iterator[_UrlCatcher]:
    """Qt's own hook for opening URLs: the browser/WhatsApp (the outside world) is not started."""
    catcher = _UrlCatcher()
    QDesktopServices.setUrlHandler("https", catcher, "handle")
    yield catcher
    QDesktopServices.unsetUrlHandler("https")


TEXT = "Yth. Bapak/Ibu,\nberkas KK Anda diterima dengan kode ABCD-EFGH3 & akan diproses 100%."


def test_link_helpers_round_trip() -> None:
    link = wa_me_link("+628117961501", TEXT)
    assert link.startswith("https://wa.me/628117961501?text=")
    assert " " not in link and "\n" not in link
    assert link_number(link) == "628117961501"
    assert link_text(link) == TEXT
    edited = relink(link, "Terima kasih + salam")
    assert link_number(edited) == "628117961501"
    assert link_text(edited) == "Terima kasih + salam"


def test_copy_puts_the_shown_text_on_the_clipboard(qtbot) -> None:
    dialog = show_whatsapp_message(None, Msg(TEXT, wa_me_link("628117961501", TEXT)))
    qtbot.addWidget(dialog)
    assert dialog.isVisible()
    assert dialog.text() == TEXT
    assert "+62 811-7961-501" in dialog.recipient.text()
    QGuiApplication.clipboard().clear()
    with qtbot.waitSignal(dialog.copied):
        qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == TEXT
    assert "disalin" in dialog.feedback.text()


def test_open_whatsapp_sends_the_edited_text(qtbot, https_catcher: _UrlCatcher) -> None:
    dialog = show_whatsapp_message(None, Msg(TEXT, wa_me_link("628117961501", TEXT)))
    qtbot.addWidget(dialog)
    dialog.editor.selectAll()
    qtbot.keyClicks(dialog.editor, "Dokumen siap diambil")
    with qtbot.waitSignal(dialog.opened):
        qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert len(https_catcher.urls) == 1
    url = https_catcher.urls[0].toString(QUrl.ComponentFormattingOption.FullyEncoded)
    assert link_number(url) == "628117961501"
    assert link_text(url) == "Dokumen siap diambil"
    # the keyboard shortcut does the same
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    with qtbot.waitSignal(dialog.opened):
        qtbot.keyClick(dialog.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert len(https_catcher.urls) == 2


def test_open_failure_tells_the_clerk_to_paste(qtbot) -> None:
    dialog = show_whatsapp_message(
        None, Msg(TEXT, wa_me_link("628117961501", TEXT)), opener=lambda url: False
    )
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert "tidak dapat dibuka" in dialog.feedback.text()


def test_link_without_number_cannot_be_opened(qtbot) -> None:
    dialog = show_whatsapp_message(None, Msg(TEXT, "https://wa.me/?text=x"))
    qtbot.addWidget(dialog)
    assert not dialog.open_button.isEnabled()
    assert "pilih kontak" in dialog.recipient.text()


def test_very_long_message_warns_to_paste(qtbot) -> None:
    long_text = "Kekurangan berkas: " + "foto KK buram; " * 200
    dialog = show_whatsapp_message(None, Msg(long_text, wa_me_link("628117961501", long_text)))
    qtbot.addWidget(dialog)
    assert "Pesan panjang" in dialog.feedback.text()
    dialog.editor.setPlainText("pendek")
    assert dialog.feedback.text() == ""
