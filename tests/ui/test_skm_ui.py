"""Survei Kepuasan on screen: the status page's form in a real headless Chromium produces the
WhatsApp message whose answer string the clerk's "Balas status" tool recognises and records;
the paper-form page by keyboard alone; who sees the page; the Laporan dialog offers the report.
On SQLite and PostgreSQL."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from PySide6.QtCore import Qt
from sqlalchemy import select

from sipelayanan import skm
from sipelayanan.db import Database
from sipelayanan.models import Case, SkmAnswer
from sipelayanan.skm.store import code_key, stored_answers
from sipelayanan.statussite.build import SiteSettings, build_site, save_site_settings
from sipelayanan.ui.context import UiContext
from sipelayanan.ui.main_window import pages_for
from sipelayanan.ui.skm import SkmPage
from sipelayanan.ui.status_reply import StatusReplyDialog
from tests.reports.test_reports_data import intake, run
from tests.statussite.test_status_site import Served, browser, wait_for  # noqa: F401 (fixture)

NAME = "Hendrawan Wulandari"


def finished(db: Database, actors: dict[str, Any], service: str) -> str:
    at = datetime.now(UTC) - timedelta(days=2)
    code = intake(db, actors, service, at, nama=NAME)
    run(db, actors, code, at)
    return code


def test_status_page_form_to_the_paste_tool(
    db: Database,
    actors: dict[str, Any],
    ctx_for: Callable[..., UiContext],
    qtbot: Any,
    browser: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    code = finished(db, actors, "KIA")
    open_code = intake(db, actors, "KK", datetime.now(UTC) - timedelta(hours=1), nama=NAME)
    with db.write() as s:
        settings = save_site_settings(s, SiteSettings(iterations=2_000), actor=None)
    folder = tmp_path / "situs"
    with db.read() as s:
        build_site(s, folder, settings)
        names = dict(s.execute(select(Case.code, Case.pemohon_nama)).all())
    assert (folder / "skm.js").exists()
    served = Served(folder)
    try:
        # an open request: no survey form
        browser.get(served.url + "#" + open_code)
        wait_for(browser, "hasil")
        assert browser.execute_script("return document.getElementById('skm') === null")

        browser.get(served.url + "#" + code)
        text = wait_for(browser, "hasil")
        assert "Survei Kepuasan Masyarakat" in text
        assert "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif" in text
        assert "Dikelola dengan baik" in text
        assert NAME not in text
        # the published IKM of the last full quarter (none answered then: said so)
        ikm = browser.find_element("id", "ikm").text
        assert ikm.startswith("Indeks Kepuasan Masyarakat Triwulan ")
        assert "Belum ada jawaban survei" in ikm
        browser.execute_script("SiPelayananSkm.go = function (url) { window.__skmUrl = url; };")
        # "Kirim" before all nine are answered: a clear message, nothing opened
        browser.find_element("id", "skm_u1_4").click()
        browser.find_element("id", "skm_kirim").click()
        assert "Jawab pertanyaan nomor 2" in browser.find_element("id", "skm_pesan").text
        assert browser.execute_script("return window.__skmUrl || null") is None
        nilai = (4, 3, 3, 4, 3, 4, 4, 2, 3)
        for i, v in enumerate(nilai, start=1):
            browser.find_element("id", f"skm_u{i}_{v}").click()
        browser.find_element("id", "skm_umur").send_keys("41")
        browser.execute_script(
            "document.getElementById('skm_jk').value = 'P';"
            "document.getElementById('skm_pendidikan').value = '5';"
            "document.getElementById('skm_pekerjaan').value = '4';"
        )
        browser.find_element("id", "skm_saran").send_keys("Ruang tunggu  lebih sejuk")
        assert browser.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth"
        )
        browser.find_element("id", "skm_kirim").click()
        url = browser.execute_script("return window.__skmUrl")
        # the check value in JavaScript equals Python's on many payloads
        rng = random.Random(7)
        payloads = [
            "".join(rng.choice("23456789ABCDEFGHJKLMNPQRSTUVWXY0LPX") for _ in range(23))
            for _ in range(300)
        ]
        js = browser.execute_script(
            "return arguments[0].map(function (p) { return SiPelayananSkm.checkValue(p); })",
            payloads,
        )
        assert js == [skm.check_value(p) for p in payloads]
    finally:
        served.close()

    parsed = urlparse(url)
    with db.read() as s:
        from sipelayanan.services.office import get_profile

        number = get_profile(s).wa_number("KIA")
    assert parsed.netloc == "wa.me"
    digits = "".join(c for c in number if c.isdigit())  # "0811-7961-600" in the SOP file
    assert parsed.path.strip("/") == "62" + digits.removeprefix("62").removeprefix("0")
    message = parse_qs(parsed.query)["text"][0]
    assert f"SKM-{code}-" in message and NAME not in message

    # the clerk pastes the message into "Balas status"
    dialog = StatusReplyDialog(ctx_for("online"))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.incoming.setPlainText(message)
    qtbot.waitUntil(lambda: dialog.skm_button.isVisible(), timeout=5000)
    assert f"{code[:4]}-{code[4:]}" in dialog.skm_note.text()
    qtbot.mouseClick(dialog.skm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "dicatat" in dialog.skm_note.text(), timeout=10000)
    assert dialog.reply.toPlainText().startswith("Terima kasih")
    today = datetime.now(UTC).astimezone(skm.store.WIB).date()
    with db.read() as s:
        rows = stored_answers(s, today, today)
        key = s.execute(select(SkmAnswer.code_key)).scalar_one()
    assert rows == [("KIA", today, *nilai, 41, "P", 5, 4, "Ruang tunggu lebih sejuk", "wa")]
    assert key == code_key(code)
    # the same message again: refused, one answer per code
    dialog.incoming.setPlainText(message + " ")
    qtbot.waitUntil(lambda: dialog.skm_button.isVisible(), timeout=5000)
    qtbot.mouseClick(dialog.skm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "sudah tercatat" in dialog.skm_note.text(), timeout=10000)
    # a damaged string: named as such, no button
    damaged = message.replace(f"SKM-{code}-432", f"SKM-{code}-442", 1)
    damaged = message.replace("-43", "-44", 1) if damaged == message else damaged
    dialog.incoming.setPlainText(damaged)
    qtbot.waitUntil(lambda: "rusak" in dialog.skm_note.text(), timeout=5000)
    assert not dialog.skm_button.isVisible()
    # the site never carries a name
    for path in folder.rglob("*"):
        if path.is_file():
            body = path.read_text(encoding="utf-8")
            for name in names.values():
                assert name not in body, path


def test_paper_forms_by_keyboard(
    db: Database, actors: dict[str, Any], ctx_for: Callable[..., UiContext], qtbot: Any
) -> None:
    code = finished(db, actors, "AKTA_LAHIR")
    page = SkmPage(ctx_for("online"))
    qtbot.addWidget(page)
    page.show()
    assert page.follow_up.isHidden()  # the rencana tindak lanjut is the admin's
    page.service.setCurrentIndex(page.service.findData("KK"))
    page.nilai.setFocus()
    qtbot.keyClicks(page.nilai, "44343434")
    assert page.meaning[7].text() == "4 — Dikelola dengan baik"
    assert page.meaning[6].text() == "3 — Sopan dan ramah"
    qtbot.keyClick(page.nilai, Qt.Key.Key_Return)  # eight answers only
    qtbot.waitUntil(lambda: page.message.isVisible(), timeout=3000)
    assert "sembilan angka" in page.message.text()
    qtbot.keyClicks(page.nilai, "9")  # refused by the field
    assert page.nilai.text() == "44343434"
    qtbot.keyClicks(page.nilai, "3")
    qtbot.keyClicks(page.umur, "35")
    page.jk.setFocus()
    qtbot.keyClicks(page.jk, "L")
    qtbot.keyClicks(page.pendidikan, "3")
    qtbot.keyClicks(page.pekerjaan, "5")
    qtbot.keyClicks(page.saran, "Sudah bagus")
    qtbot.keyClick(page.saran, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.recorded == 1, timeout=10000)
    assert page.nilai.text() == "" and page.code.hasFocus()
    # the next sheet carries a code, typed with a hyphen; the service follows the request
    qtbot.keyClicks(page.code, f"{code[:4]}-{code[4:]}")
    qtbot.keyClicks(page.nilai, "333333333")
    qtbot.keyClick(page.nilai, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Kode" in page.message.text() or page.recorded == 2, timeout=10000)
    # the service picked (KK) does not match the request: refused with the reason
    assert page.recorded == 1 and "bukan KK" in page.message.text()
    page.service.setCurrentIndex(page.service.findData("AKTA_LAHIR"))
    qtbot.keyClick(page.nilai, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.recorded == 2, timeout=10000)
    qtbot.keyClicks(page.code, code)
    qtbot.keyClicks(page.nilai, "222222222")
    qtbot.keyClick(page.nilai, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "sudah tercatat" in page.message.text(), timeout=10000)
    assert page.recorded == 2
    today = datetime.now(UTC).astimezone(skm.store.WIB).date()
    with db.read() as s:
        rows = stored_answers(s, today, today)
    assert rows == [
        ("KK", today, 4, 4, 3, 4, 3, 4, 3, 4, 3, 35, "L", 3, 5, "Sudah bagus", "kertas"),
        ("AKTA_LAHIR", today, *([3] * 9), None, None, None, None, None, "kertas"),
    ]
    qtbot.waitUntil(lambda: "2 responden" in page.figures.text(), timeout=10000)


def test_csv_import_from_the_page_keeps_the_bad_rows(
    db: Database, ctx_for: Callable[..., UiContext], qtbot: Any, tmp_path: Path
) -> None:
    from sipelayanan.skm.store import CSV_FIELDS

    today = datetime.now(UTC).astimezone(skm.store.WIB).date().isoformat()
    path = tmp_path / "google-form.csv"
    path.write_text(
        ",".join(CSV_FIELDS)
        + f"\n{today},KIA,,4,4,4,4,4,4,4,4,4,30,P,S1,PNS,\n{today},KIA,,4,4,4,4,4,4,4,4,,,,,,\n",
        encoding="utf-8",
    )
    page = SkmPage(ctx_for("online"))
    qtbot.addWidget(page)
    page.show()
    page.import_csv(str(path))
    qtbot.waitUntil(lambda: "1 jawaban dicatat" in page.message.text(), timeout=10000)
    assert "Baris 3: kolom u9 kosong." in page.message.text()
    rejected = (tmp_path / "google-form.ditolak.csv").read_text(encoding="utf-8-sig")
    assert (
        rejected.splitlines()[1] == f"{today},KIA,,4,4,4,4,4,4,4,4,,,,,,,baris 3: kolom u9 kosong."
    )
    with db.read() as s:
        assert len(s.execute(select(SkmAnswer.id)).all()) == 1


def test_admin_writes_the_follow_up_plan(
    db: Database, ctx_for: Callable[..., UiContext], qtbot: Any
) -> None:
    from sipelayanan.skm.store import get_follow_up, quarter_of, today_wib

    page = SkmPage(ctx_for("admin"))
    qtbot.addWidget(page)
    page.show()
    assert not page.follow_up.isHidden()
    page.follow_up.setPlainText("Menambah loket\n\nMemperjelas papan alur")
    page.follow_up_save.click()
    qtbot.waitUntil(lambda: "disimpan" in page.message.text(), timeout=10000)
    with db.read() as s:
        assert get_follow_up(s, *quarter_of(today_wib())) == [
            "Menambah loket",
            "Memperjelas papan alur",
        ]


def test_who_sees_the_page_and_the_report() -> None:
    assert "skm" in [p.key for p in pages_for(("operator_online",))]
    assert "skm" in [p.key for p in pages_for(("admin",))]
    assert "skm" not in [p.key for p in pages_for(("kasi", "operator"))]
    from sipelayanan.reports import REPORT_FORMATS, REPORT_KINDS

    assert "skm" in REPORT_KINDS and REPORT_FORMATS["skm"] == ("pdf", "xlsx")


def test_reports_dialog_offers_the_survey(ctx_for: Callable[..., UiContext], qtbot: Any) -> None:
    from sipelayanan.ui.reports_dialog import ReportsDialog

    dialog = ReportsDialog(ctx_for("kadis"))
    qtbot.addWidget(dialog)
    index = dialog.kind.findData("skm")
    assert index >= 0
    dialog.kind.setCurrentIndex(index)
    formats = [dialog.format.itemData(i) for i in range(dialog.format.count())]
    assert formats == ["pdf", "xlsx"]
    time.sleep(0)
