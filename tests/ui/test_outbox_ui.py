"""Admin ▸ WhatsApp Business (settings, token in a fake keyring backend, Uji kirim against the
fake Cloud API, the outbox's Kirim ulang / Tandai terkirim), the consent box at intake, the
app's sender on its timer, and "Kirim semua yang siap" walking two notices one click each."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend
from PySide6.QtCore import Qt, QUrl
from pytestqt.qtbot import QtBot
from sqlalchemy import select, update

from sipelayanan.db import Database
from sipelayanan.models import Notice, NoticeConsent
from sipelayanan.services import wa_cloud
from sipelayanan.services.outbox import State
from sipelayanan.ui.admin import AdminPage
from sipelayanan.ui.admin.whatsapp_api import WhatsAppApiTab
from sipelayanan.ui.context import UiContext
from sipelayanan.ui.intake import IntakePage
from sipelayanan.ui.notice_sender import NoticeSender
from sipelayanan.ui.notices_walk import NoticeWalkDialog
from tests.fake_cloud_api import FakeCloudApi

from .conftest import NIK, NO_KK, WA, new_case

WAIT = 30_000


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    monkeypatch.delenv(wa_cloud.TOKEN_ENV, raising=False)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def api() -> Iterator[FakeCloudApi]:
    fake = FakeCloudApi().start()
    yield fake
    fake.stop()


def _notices(db: Database) -> list[Notice]:
    with db.read() as s:
        rows = list(s.execute(select(Notice).order_by(Notice.id)).scalars())
        s.expunge_all()
    return rows


def _tab(qtbot: QtBot, ctx_for: Callable[..., UiContext]) -> WhatsAppApiTab:
    tab = WhatsAppApiTab(ctx_for("admin"))
    qtbot.addWidget(tab)
    tab.show()
    tab.refresh()
    qtbot.waitUntil(lambda: tab.base_url.text() != "", timeout=WAIT)
    return tab


def test_admin_page_saves_settings_and_the_token_in_the_keyring(
    qtbot: QtBot,
    ctx_for: Callable[..., UiContext],
    db: Database,
    memory_keyring: MemoryKeyring,
    api: FakeCloudApi,
) -> None:
    page = AdminPage(ctx_for("admin"))
    qtbot.addWidget(page)
    titles = [page.tabs.tabText(i) for i in range(page.tabs.count())]
    assert "&WhatsApp Business" in titles
    tab = _tab(qtbot, ctx_for)
    assert tab.base_url.text() == wa_cloud.DEFAULT_BASE_URL
    qtbot.keyClicks(tab.phone_id, "10987x")  # a typo
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert tab.message.level == "error" and "hanya berisi angka" in tab.message.text()
    tab.phone_id.clear()
    qtbot.keyClicks(tab.phone_id, "109876543210")
    qtbot.keyClicks(tab.token, "RAHASIA-TOKEN")
    tab.base_url.setText(api.base_url)
    qtbot.keyClicks(tab.templates["berkas_diterima"], "sip_berkas_diterima")
    qtbot.keyClicks(tab.templates["dikirim_pos"], "sip_dikirim_pos")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.message.level == "success", timeout=WAIT)
    assert tab.token.text() == ""  # never kept on screen
    assert memory_keyring.store == {
        ("SiPelayanan", "whatsapp-cloud-api:109876543210"): "RAHASIA-TOKEN"
    }
    with db.read() as s:
        config = wa_cloud.load_config(s)
    assert config.phone_number_id == "109876543210" and config.base_url == api.base_url
    assert dict(config.templates) == {
        "berkas_diterima": "sip_berkas_diterima",
        "dikirim_pos": "sip_dikirim_pos",
    }
    assert "RAHASIA" not in str(config.to_dict())  # the token is not in the database
    # a fresh tab shows what was saved
    again = _tab(qtbot, ctx_for)
    qtbot.waitUntil(lambda: again.phone_id.text() == "109876543210", timeout=WAIT)
    assert again.templates["dikirim_pos"].text() == "sip_dikirim_pos"

    # Uji kirim with the stored token reaches the fake Cloud API
    qtbot.keyClicks(again.test_to, "0812-9999-0000")
    qtbot.mouseClick(again.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: again.message.level in ("success", "error"), timeout=WAIT)
    assert again.message.level == "error"  # the fake API expects its own token
    assert "Token akses" in again.message.text()
    api.token = "RAHASIA-TOKEN"
    again.message.clear()
    again.message.level = ""
    qtbot.mouseClick(again.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: again.message.level in ("success", "error"), timeout=WAIT)
    assert again.message.level == "success", again.message.text()
    last = api.requests[-1]
    assert last.auth == "Bearer RAHASIA-TOKEN" and last.body["to"] == "6281299990000"
    assert last.body["template"]["name"] == "sip_berkas_diterima"


def test_outbox_list_resend_and_mark_sent(
    qtbot: QtBot, ctx_for: Callable[..., UiContext], db: Database, actors: dict[str, Any]
) -> None:
    new_case(db, actors)
    new_case(db, actors, nama="Budi Santoso")
    first, second = _notices(db)
    with db.write() as s:
        s.execute(update(Notice).values(state=State.UNCERTAIN, error="terputus"))
    tab = _tab(qtbot, ctx_for)
    qtbot.waitUntil(lambda: tab.table.rowCount() == 2, timeout=WAIT)
    assert "Mungkin terkirim: 2" in tab.counts.text()
    assert "0 pesan" in tab.monthly.text()
    assert not tab.resend_button.isEnabled()
    tab.table.selectRow(1)  # oldest last: the first notice
    assert tab.selected().id == first.id  # type: ignore[union-attr]
    assert tab.resend_button.isEnabled() and tab.mark_button.isEnabled()
    qtbot.mouseClick(tab.resend_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Belum terkirim (manual)" in tab.counts.text(), timeout=WAIT)
    tab.table.selectRow(0)
    assert tab.selected().id == second.id  # type: ignore[union-attr]
    qtbot.mouseClick(tab.mark_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Terkirim: 1" in tab.counts.text(), timeout=WAIT)
    states = {n.id: n.state for n in _notices(db)}
    assert states == {first.id: State.MANUAL, second.id: State.SENT}  # no Cloud API: manual
    assert "1 pesan" in tab.monthly.text()  # the API sent it after all: billed


def test_kirim_semua_yang_siap_walks_two_notices(
    qtbot: QtBot, ctx_for: Callable[..., UiContext], db: Database, actors: dict[str, Any]
) -> None:
    new_case(db, actors)
    new_case(db, actors, nama="Budi Santoso")
    new_case(db, actors, nama="Rina Wati")  # already sent from the action's own window
    opened: list[str] = []

    def opener(url: QUrl) -> bool:
        opened.append(url.toString())
        return True

    dialog = NoticeWalkDialog(ctx_for("online"), opener=opener)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.load()
    qtbot.waitUntil(lambda: dialog.progress.text() == "Pesan 1 dari 3", timeout=WAIT)
    assert "Siti Aminah" in dialog.text.toPlainText()
    assert "Berkas diterima" in dialog.header.text() and "+62 812-3456-7890" in dialog.header.text()
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.progress.text() == "Pesan 2 dari 3", timeout=WAIT)
    assert "Budi Santoso" in dialog.text.toPlainText()
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.progress.text() == "Pesan 3 dari 3", timeout=WAIT)
    assert "Rina Wati" in dialog.text.toPlainText()
    qtbot.mouseClick(dialog.already_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.progress.text().startswith("Selesai: 3"), timeout=WAIT)
    assert not dialog.send_button.isEnabled()
    assert len(opened) == 2 and all(
        u.startswith("https://wa.me/6281234567890?text=") for u in opened
    )
    assert "Siti" in QUrl(opened[0]).query(QUrl.ComponentFormattingOption.FullyDecoded)
    assert [n.state for n in _notices(db)] == [State.MANUAL_SENT] * 3
    again = NoticeWalkDialog(ctx_for("online"), opener=opener)
    qtbot.addWidget(again)
    again.load()
    qtbot.waitUntil(lambda: "Tidak ada" in again.progress.text(), timeout=WAIT)


def test_intake_records_consent_and_the_app_sender_sends(
    qtbot: QtBot,
    ctx_for: Callable[..., UiContext],
    db: Database,
    actors: dict[str, Any],
    api: FakeCloudApi,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = wa_cloud.validate_config(
        phone_number_id="109876543210",
        base_url=api.base_url,
        templates={"berkas_diterima": "sip_berkas_diterima"},
    )
    with db.write() as s:
        wa_cloud.save_config(s, config, actor=actors["admin"])
    page = IntakePage(ctx_for("online"), ask_files=lambda _parent: [])
    qtbot.addWidget(page)
    page.resize(1100, 760)
    page.show()
    page.refresh()
    page.set_service("KK")
    qtbot.waitUntil(page.accept_button.isEnabled, timeout=WAIT)
    qtbot.keyClicks(page.nama, "Siti Aminah")
    qtbot.keyClicks(page.nik.edit, NIK)
    qtbot.keyClicks(page.no_kk.edit, NO_KK)
    qtbot.keyClicks(page.wa.edit, WA)
    assert not page.setuju_wa.isChecked()
    qtbot.keyClick(page.setuju_wa, Qt.Key.Key_Space)
    assert page.setuju_wa.isChecked()
    for key in ("formulir_f102", "buku_nikah"):
        qtbot.keyClick(page.checklist.box(key), Qt.Key.Key_Space)
    with qtbot.waitSignal(page.created, timeout=WAIT, raising=False) as created:
        qtbot.mouseClick(page.accept_button, Qt.MouseButton.LeftButton)
    assert created.signal_triggered, page.message.text()
    assert not page.setuju_wa.isChecked()  # the next pemohon decides anew
    with db.read() as s:
        assert s.execute(select(NoticeConsent.consent)).scalar_one() is True
    (notice,) = _notices(db)
    assert notice.state == State.QUEUED

    monkeypatch.setenv(wa_cloud.TOKEN_ENV, api.token)
    sender = NoticeSender(ctx_for("online"), interval_ms=0)
    qtbot.addWidget(sender)
    with qtbot.waitSignal(sender.reported, timeout=WAIT) as got:
        sender.send_now()
    assert got.args[0].sent == 1
    assert [n.state for n in _notices(db)] == [State.SENT]
    assert not sender.isVisible()
    # an expired token: the notice falls back to click-to-chat, the bar says so, and the timer
    # waits for a new token instead of failing one notice per round
    api.token = "ANOTHER"
    new_case(db, actors, setuju_wa=True)
    with qtbot.waitSignal(sender.reported, timeout=WAIT) as got:
        sender.send_now()
    assert got.args[0].halted == "token" and sender.halted_token
    assert sender.text() == "WhatsApp: 1 belum terkirim"
    assert "Token akses" in (_notices(db)[-1].error or "")
    before = len(api.requests)
    new_case(db, actors, setuju_wa=True)
    with qtbot.waitSignal(sender.reported, timeout=WAIT):
        sender.send_now()
    assert len(api.requests) == before  # halted: nothing tried
    sender.shutdown()


def test_opening_whatsapp_from_intake_records_the_notice_sent(
    qtbot: QtBot, ctx_for: Callable[..., UiContext], db: Database
) -> None:
    page = IntakePage(ctx_for("online"), ask_files=lambda _parent: [])
    qtbot.addWidget(page)
    page.resize(1100, 760)
    page.show()
    page.refresh()
    page.set_service("KK")
    qtbot.waitUntil(page.accept_button.isEnabled, timeout=WAIT)
    qtbot.keyClicks(page.nama, "Siti Aminah")
    qtbot.keyClicks(page.nik.edit, NIK)
    qtbot.keyClicks(page.wa.edit, WA)
    for key in ("formulir_f102", "buku_nikah"):
        qtbot.keyClick(page.checklist.box(key), Qt.Key.Key_Space)
    with qtbot.waitSignal(page.created, timeout=WAIT):
        qtbot.mouseClick(page.accept_button, Qt.MouseButton.LeftButton)
    assert [n.state for n in _notices(db)] == [State.MANUAL]
    qtbot.mouseClick(page.wa_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.message_dialog is not None, timeout=WAIT)
    dialog = page.message_dialog
    dialog._opener = lambda _url: True  # the browser is the outside world
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _notices(db)[0].state == State.MANUAL_SENT, timeout=WAIT)


def test_opening_whatsapp_from_the_request_window_records_the_notice_sent(
    qtbot: QtBot, ctx_for: Callable[..., UiContext], db: Database, actors: dict[str, Any]
) -> None:
    """Not only intake: a notice opened in WhatsApp from a request's own window is recorded as
    sent by hand, so "Kirim semua yang siap" does not offer it a second time."""
    from sipelayanan.services import cases as svc
    from sipelayanan.ui.case import CaseWindow

    code = new_case(db, actors)
    with db.write() as s:
        svc.return_to_pemohon(s, actors["online"], code, missing=["formulir_f102"])
    waiting = [n for n in _notices(db) if n.kind == "berkas_kurang"]
    assert [n.state for n in waiting] == [State.MANUAL]
    window = CaseWindow(ctx_for("online"), code)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.view is not None, timeout=WAIT)
    qtbot.mouseClick(window.wa_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(window, "message_dialog", None) is not None, timeout=WAIT)
    dialog = window.message_dialog
    dialog._opener = lambda _url: True  # the browser is the outside world
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: [n.state for n in _notices(db) if n.kind == "berkas_kurang"] == [State.MANUAL_SENT],
        timeout=WAIT,
    )
