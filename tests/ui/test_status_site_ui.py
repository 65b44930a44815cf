"""Admin ▸ Situs status, the background publisher in the status bar, and Balas status — real
widgets (pytest-qt, offscreen) on the real test databases; the publish target is a folder."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from sipelayanan.db import Database
from sipelayanan.services.office import get_profile
from sipelayanan.statussite.build import SiteSettings, get_site_settings, save_site_settings
from sipelayanan.ui.admin.status_site import StatusSiteTab
from sipelayanan.ui.context import UiContext
from sipelayanan.ui.status_reply import StatusReplyDialog
from sipelayanan.ui.status_site_watch import StatusSiteWatch

from .conftest import NIK, new_case

NAME = "Siti Aminah"


def tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


def test_admin_saves_settings_and_publishes_now(
    qtbot: QtBot,
    db: Database,
    actors: dict[str, Any],
    ctx_for: Callable[..., UiContext],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sipelayanan.ui.status_site_watch as watch_module

    monkeypatch.setattr(watch_module, "NAMES_PER_ROUND", 1)  # a big office: rounds
    code = new_case(db, actors)
    others = [new_case(db, actors, "KIA"), new_case(db, actors, "KTP_EL")]
    build, web = tmp_path / "situs", tmp_path / "web"
    web.mkdir()
    tab = StatusSiteTab(ctx_for("admin"), folder=build)
    qtbot.addWidget(tab)
    tab.refresh()
    qtbot.waitUntil(lambda: tab.settings is not None, timeout=10000)

    # "Terbitkan sekarang" before a target is set: a clear warning, nothing written
    qtbot.mouseClick(tab.publish_button, qtbot_left())
    qtbot.waitUntil(lambda: not tab.running, timeout=10000)
    assert "tujuan penerbitan" in tab.message.text()

    # a bad target is refused on the form
    tab.target.setText("ftp://server/status")
    tab.save_button.click()
    assert "sftp://" in tab.message.text()

    tab.public_url.setText("https://disdukcapil.example/status")
    tab.target.setText(str(web))
    tab.days.setValue(10)
    tab.auto.setChecked(False)
    tab.save_button.click()
    qtbot.waitUntil(lambda: "disimpan" in tab.message.text(), timeout=10000)
    with db.read() as s:
        saved = get_site_settings(s)
        template = get_profile(s).status_url_template
    assert (saved.target, saved.days, saved.auto_publish) == (str(web), 10, False)
    assert len(saved.salt) == 32
    assert template == "https://disdukcapil.example/status/#{code}"

    # saving again keeps the salt (the published names stay valid)
    tab.days.setValue(12)
    tab.save_button.click()
    qtbot.waitUntil(lambda: tab.settings.days == 12, timeout=10000)
    with db.read() as s:
        assert get_site_settings(s).salt == saved.salt

    tab.publish_button.click()
    qtbot.waitUntil(lambda: not tab.running, timeout=60000)
    assert "diterbitkan" in tab.message.text(), tab.message.text()
    assert (web / "index.html").is_file() and (web / "config.json").is_file()
    assert tree(web) == tree(build)
    assert len(list((web / "s").iterdir())) == 3  # in three rounds of one new name each
    assert f"Situs status diterbitkan ke folder {web}" in tab.message.text()
    assert "Situs status diterbitkan" in tab.status.text()
    assert tab.publish_button.isEnabled()
    for path in web.rglob("*"):
        if path.is_file():
            body = path.read_text(encoding="utf-8")
            for secret in (NIK, NAME, code, *others):
                assert secret not in body


def qtbot_left() -> Any:
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def test_background_publisher_debounces_and_retries(
    qtbot: QtBot,
    db: Database,
    actors: dict[str, Any],
    ctx_for: Callable[..., UiContext],
    tmp_path: Path,
) -> None:
    web = tmp_path / "web"
    with db.write() as s:
        save_site_settings(s, SiteSettings(iterations=2000, target=str(web)), actor=None)
    new_case(db, actors)
    watch = StatusSiteWatch(
        ctx_for("online"), folder=tmp_path / "situs", debounce_ms=50, first_ms=0
    )
    qtbot.addWidget(watch)
    # offline (the target folder is not there): queued, a visible warning, a retry planned
    watch.on_changed()
    qtbot.waitUntil(lambda: watch.failures == 1, timeout=30000)
    assert "belum terbit" in watch.text() and watch.retry.isActive()
    assert "tidak ada" in watch.toolTip()
    # back online: the retry publishes
    web.mkdir()
    watch.retry.start(10)
    qtbot.waitUntil(lambda: "Situs status diterbitkan" in watch.text(), timeout=30000)
    assert watch.failures == 0 and not watch.retry.isActive()
    assert tree(web) == tree(tmp_path / "situs")
    # a change later: published again after the pause
    new_case(db, actors, "KIA")
    watch.on_changed()
    qtbot.waitUntil(lambda: len(list((web / "s").iterdir())) == 2, timeout=30000)


def test_balas_status_turns_a_pasted_sentence_into_the_reply(
    qtbot: QtBot,
    db: Database,
    actors: dict[str, Any],
    ctx_for: Callable[..., UiContext],
) -> None:
    code = new_case(db, actors)
    shown = f"{code[:4]}-{code[4:]}"
    dialog = StatusReplyDialog(ctx_for("online"))
    qtbot.addWidget(dialog)
    assert not dialog.copy_button.isEnabled()
    dialog.incoming.setPlainText(
        f"Selamat pagi pak, saya {NAME} NIK {NIK}, mau tanya status {shown.lower()} ya. "
        "Terima kasih"
    )
    qtbot.waitUntil(lambda: dialog.reply.toPlainText().startswith("Status"), timeout=10000)
    reply = dialog.reply.toPlainText()
    assert reply.startswith(f"Status permohonan {shown}")
    assert "Layanan: Penerbitan Kartu Keluarga (KK) Baru" in reply
    assert NAME not in reply and NIK not in reply
    assert dialog.found and dialog.copy_button.isEnabled()
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == reply
    assert dialog.whatsapp_url().startswith("https://wa.me/?text=Status%20permohonan%20")

    # a typo: the reply says so (ready to send back), and it is not "found"
    bad = code[:8] + ("2" if code[8] != "2" else "3")
    dialog.incoming.setPlainText(f"STATUS {bad}")
    qtbot.waitUntil(lambda: "salah ketik" in dialog.reply.toPlainText(), timeout=10000)
    assert not dialog.found


def test_search_offers_balas_status_for_the_found_request(
    qtbot: QtBot,
    db: Database,
    actors: dict[str, Any],
    ctx_for: Callable[..., UiContext],
) -> None:
    from sipelayanan.ui.search import SearchPage

    code = new_case(db, actors)
    page = SearchPage(ctx_for("online"))
    qtbot.addWidget(page)
    page.show()
    page.box.setText(code)
    page.submit()
    qtbot.waitUntil(lambda: page.model.rowCount() >= 1, timeout=10000)
    page.table.setCurrentIndex(page.model.index(0, 0))
    assert page.reply_button.isEnabled()
    page.reply_button.click()
    dialog = page.findChild(StatusReplyDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.reply.toPlainText().startswith("Status"), timeout=10000)
    assert f"{code[:4]}-{code[4:]}" in dialog.reply.toPlainText()
