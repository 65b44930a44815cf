"""Penerimaan: the SOP's checklist with conditional and alternative items, numbers checked as
they are typed (a bad NIK refused in the field), berkas added and shown, a good request created,
and an incomplete one returned to the pemohon with the WhatsApp reply composed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from sipelayanan.db import Database
from sipelayanan.models import Attachment, Case, CaseStatus
from sipelayanan.services.queries import case_view
from sipelayanan.ui.context import UiContext
from sipelayanan.ui.intake import IntakePage
from sipelayanan.ui.settings import Settings
from sipelayanan.ui.widgets.berkas import THUMB

from .conftest import NIK, NO_KK, WA, Opened, pdf_bytes, png_bytes


def _count(db: Database) -> int:
    with db.read() as s:
        return s.execute(select(func.count(Case.id))).scalar_one()


@pytest.fixture
def page(qtbot: QtBot, ctx_for: Callable[..., UiContext], tmp_path: Path) -> IntakePage:
    files: list[str] = []
    p = IntakePage(ctx_for("online"), ask_files=lambda _parent: list(files))
    p.chosen = files  # type: ignore[attr-defined]
    qtbot.addWidget(p)
    p.resize(1100, 760)
    p.show()
    p.refresh()
    return p


def _fill(qtbot: QtBot, page: IntakePage, *, nik: str = NIK) -> None:
    qtbot.keyClicks(page.nama, "Siti Aminah")
    qtbot.keyClicks(page.nik.edit, nik)
    qtbot.keyClicks(page.no_kk.edit, NO_KK)
    qtbot.keyClicks(page.wa.edit, WA)


def test_checklist_follows_the_sop(qtbot: QtBot, page: IntakePage) -> None:
    page.set_service("KIA")
    checklist = page.checklist
    photo = checklist.box("pas_foto_3x4")
    assert not photo.isEnabled()  # only for a child over 5
    for key in ("fotokopi_kk", "foto_akta_kelahiran", "fotokopi_ktp_orang_tua"):
        qtbot.keyClick(checklist.box(key), Qt.Key.Key_Space)
    assert checklist.missing() == []
    assert "Persyaratan lengkap" in page.missing_label.text()
    qtbot.keyClick(checklist.condition_box("anak_lebih_5_tahun"), Qt.Key.Key_Space)
    assert photo.isEnabled()
    assert [r.key for r in checklist.missing()] == ["pas_foto_3x4"]
    assert "Pas foto anak ukuran 3x4" in page.missing_label.text()
    assert page.return_button.isEnabled()

    page.set_service("KK")  # alternatives: any one of the 'dasar penerbitan' items
    qtbot.keyClick(page.checklist.box("formulir_f102"), Qt.Key.Key_Space)
    missing = [r.key for r in page.checklist.missing()]
    assert missing == ["dasar_penerbitan"]  # the four alternatives are ONE item (issue 12.2)
    text = page.missing_label.text()
    assert "Salah satu dari: Buku nikah" in text and text.count("<li>") == 1
    qtbot.keyClick(page.checklist.box("sptjm_perkawinan"), Qt.Key.Key_Space)
    assert page.checklist.missing() == []  # kk_lama is optional
    assert not page.return_button.isEnabled()


def test_bad_nik_is_refused_in_the_field(qtbot: QtBot, db: Database, page: IntakePage) -> None:
    page.set_service("KK")
    for key in ("formulir_f102", "buku_nikah"):
        qtbot.keyClick(page.checklist.box(key), Qt.Key.Key_Space)
    before = _count(db)
    # 17-08-1990 as a woman is 57; 32 is no valid day for anyone
    _fill(qtbot, page, nik="1808013208900003")
    assert not page.nik.valid
    assert "bukan tanggal yang sah" in page.nik.reason_text()
    qtbot.mouseClick(page.accept_button, Qt.MouseButton.LeftButton)
    assert "Periksa isian yang ditandai merah" in page.message.text()
    assert page.focusWidget() is page.nik.edit
    assert "d93025" in page.nik.edit.styleSheet()  # the field is marked red
    assert _count(db) == before
    # nothing typed was lost
    assert page.nama.text() == "Siti Aminah" and page.wa.text() == WA

    # too short while typing: a grey hint, not yet an error
    page.nik.clear()
    qtbot.keyClicks(page.nik.edit, "18080157")
    assert page.nik.reason_text() == "NIK harus 16 digit angka; yang diisi 8 digit."
    assert "5f6368" in page.nik.reason.styleSheet()
    qtbot.keyClicks(page.nik.edit, "08900003")
    assert page.nik.valid
    assert page.nik.reason_text() == "✓ perempuan, lahir 17-08-1990, Kec. Blambangan Umpu"

    page.wa.clear()
    qtbot.keyClicks(page.wa.edit, "0211234567")  # a Jakarta landline
    page.wa.validate_now()
    assert "nomor seluler" in page.wa.reason_text()


def test_good_request_created_with_berkas(
    qtbot: QtBot, db: Database, page: IntakePage, tmp_path: Path, opened: Opened, settings: Settings
) -> None:
    photo = tmp_path / "kk_lama.png"
    photo.write_bytes(png_bytes(60, 40))
    form = tmp_path / "formulir.pdf"
    form.write_bytes(pdf_bytes())
    page.set_service("KK")
    _fill(qtbot, page)
    for key in ("formulir_f102", "buku_nikah"):
        qtbot.keyClick(page.checklist.box(key), Qt.Key.Key_Space)
    page.chosen.extend([str(photo), str(form)])  # type: ignore[attr-defined]
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    assert page.berkas.count() == 2
    # thumbnails are rendered in the background: the PDF's first page becomes a real picture
    qtbot.waitUntil(
        lambda: all(
            page.berkas.item(i)
            .icon()
            .pixmap(THUMB, THUMB)
            .toImage()
            .pixelColor(THUMB // 2, 8)
            .name()
            != "#f1f3f4"
            for i in range(2)
        )
    )

    with qtbot.waitSignal(page.created, timeout=10000) as got:
        qtbot.keyClick(page.nama, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    code = got.args[0]
    assert page.result_panel.isVisible()
    assert code[:4] in page.result_label.text()
    assert page.nama.text() == "" and page.berkas.count() == 0  # ready for the next one
    with db.read() as s:
        view = case_view(s, code)
        sizes = s.execute(
            select(Attachment.filename, Attachment.size)
            .where(Attachment.case_id == view.id)
            .order_by(Attachment.id)
        ).all()
    assert view.service == "KK" and view.status == CaseStatus.PROSES
    # "Terima" is the SOP's first step: it is finished, not left for a second pass
    assert view.current_step == 2 and view.nik == NIK and view.no_kk == NO_KK
    assert [(h.step_no, h.action) for h in view.history] == [(1, "selesai")]
    assert view.wa == "+6281234567890"
    assert {c.key for c in view.checklist if c.present} == {"formulir_f102", "buku_nikah"}
    assert sizes == [("kk_lama.png", photo.stat().st_size), ("formulir.pdf", form.stat().st_size)]

    # the composed WhatsApp reply names the tracking code, never the NIK
    qtbot.mouseClick(page.wa_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.message_dialog is not None)
    text = page.message_dialog.text()
    assert f"{code[:4]}-{code[4:]}" in text and NIK not in text
    assert "wa.me/6281234567890" in page.message_dialog.link()
    qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
    assert opened.codes == [code]

    # the tanda terima: saved where the clerk chose, then opened; parsed back here
    asked: list[str] = []
    shown: list[str] = []

    def ask(_parent: object, suggested: str, fmt: str) -> str:
        asked.append(suggested)
        return str(tmp_path / f"keluar.{fmt}")

    page.receipts.ask_path = ask
    page.receipts.opener = lambda url: bool(shown.append(url.toLocalFile())) or True
    menu = page.receipt_button.menu()
    menu.actions()[0].trigger()  # "PDF untuk dicetak…"
    qtbot.waitUntil(lambda: bool(shown), timeout=15000)
    assert asked[0].endswith(f"tanda-terima-{code[:4]}-{code[4:]}.pdf")
    assert shown == [str(tmp_path / "keluar.pdf")]
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(tmp_path / "keluar.pdf").pages)
    assert f"{code[:4]}-{code[4:]}" in text
    assert settings.export_dir() == str(tmp_path)
    menu.actions()[1].trigger()  # "Gambar PNG untuk WhatsApp…"
    qtbot.waitUntil(lambda: len(shown) == 2, timeout=15000)
    import zxingcpp
    from PIL import Image

    found = zxingcpp.read_barcodes(Image.open(tmp_path / "keluar.png"))
    from sipelayanan.identity import extract_tracking_code

    assert [extract_tracking_code(r.text) for r in found] == [code]
    assert all(NIK not in r.text and "Siti" not in r.text for r in found)


def test_incomplete_request_returned_to_pemohon(
    qtbot: QtBot, db: Database, page: IntakePage
) -> None:
    page.set_service("SKPWNI")
    _fill(qtbot, page)
    qtbot.keyClick(page.checklist.box("formulir_f103"), Qt.Key.Key_Space)
    qtbot.mouseClick(page.accept_button, Qt.MouseButton.LeftButton)
    assert "Persyaratan belum lengkap" in page.message.text()
    qtbot.keyClicks(page.return_note, "foto KK buram")
    with qtbot.waitSignal(page.created, timeout=10000) as got:
        qtbot.mouseClick(page.return_button, Qt.MouseButton.LeftButton)
    code = got.args[0]
    with db.read() as s:
        view = case_view(s, code)
    assert view.status == CaseStatus.MENUNGGU_PEMOHON
    # KK asli or surat kehilangan: either will do, so ONE item (issue 12.2)
    assert view.missing_items == (
        "Salah satu dari: Kartu Keluarga (KK) asli; Surat keterangan kehilangan KK",
    )
    assert view.history[-1].note is not None and "foto KK buram" in view.history[-1].note
    qtbot.waitUntil(lambda: page.message_dialog is not None)
    text = page.message_dialog.text()
    assert f"{code[:4]}-{code[4:]}" in text
    assert "Surat keterangan kehilangan" in text or "surat keterangan kehilangan" in text.lower()
    assert "Salah satu dari: Kartu Keluarga (KK) asli; Surat keterangan kehilangan KK" in text


def test_dropped_files_are_checked_by_content(
    qtbot: QtBot, page: IntakePage, tmp_path: Path
) -> None:
    fake = tmp_path / "foto.jpg"
    fake.write_bytes(b"this is not a picture at all")
    good = tmp_path / "akta.png"
    good.write_bytes(png_bytes())
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(fake)), QUrl.fromLocalFile(str(good))])
    event = QDropEvent(
        QPoint(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    page.berkas.dropEvent(event)
    assert page.berkas.count() == 1
    assert page.berkas.entries()[0].filename == "akta.png"
    assert "bukan gambar" in page.message.text()
    # Delete removes the selected berkas
    page.berkas.setCurrentRow(0)
    page.berkas.setFocus()
    qtbot.keyClick(page.berkas, Qt.Key.Key_Delete)
    assert page.berkas.count() == 0 and page.files() == []
