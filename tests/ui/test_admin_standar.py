"""Admin ▸ Standar pelayanan: the admin's components loaded, edited, refused when empty, saved
for every PC, and printed in the standar pelayanan; the tab fits a 1366x768 screen at 125 %."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt

from sipelayanan.reports import report
from sipelayanan.services.standar import ADMIN_FIELDS, StandarSettings, get_standar
from sipelayanan.ui.admin import AdminPage

from .support_b import UiKit


@pytest.fixture
def kit(db_url: str, tmp_path: Path, db, ops, settings, ctx_for, opened) -> UiKit:
    return UiKit(db_url, tmp_path, ops, settings, db, ctx_for, opened)


def _wait_message(qtbot, bar, level: str = "success") -> None:
    qtbot.waitUntil(lambda: bar.level in (level, "error"), timeout=10000)
    assert bar.level == level, bar.text()


def test_standar_tab_edits_saves_and_prints(kit: UiKit, qtbot) -> None:
    page = AdminPage(kit.ctx("admin"))
    qtbot.addWidget(page)
    page.resize(1000, 560)
    page.show()
    tab = page.standar
    page.show_tab(tab)
    defaults = StandarSettings()
    qtbot.waitUntil(lambda: tab.current_key() == "dasar_hukum", timeout=10000)
    assert tab.editor.toPlainText() == defaults.dasar_hukum
    assert tab.list.count() == len(ADMIN_FIELDS)

    # an empty required component is refused, named, and the typing is kept
    tab.select_key("biaya")
    assert tab.editor.toPlainText() == defaults.biaya
    tab.editor.selectAll()
    qtbot.keyClick(tab.editor, Qt.Key.Key_Delete)
    tab.select_key("sarana")
    tab.editor.moveCursor(tab.editor.textCursor().MoveOperation.End)
    qtbot.keyClick(tab.editor, Qt.Key.Key_Return)
    qtbot.keyClicks(tab.editor, "Antrean ramah disabilitas (uji)")
    assert tab.list.item(tab.keys.index("sarana")).text().endswith("•")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    _wait_message(qtbot, tab.message, "error")
    assert "Biaya" in tab.message.text() and tab.current_key() == "biaya"
    with kit.db.read() as session:
        assert get_standar(session) == defaults  # nothing half-saved

    qtbot.keyClicks(tab.editor, "Tidak dipungut biaya (uji tab)")
    tab.set_text("tanggal_penetapan", "2026-02-03")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    _wait_message(qtbot, tab.message)
    assert not tab.dirty
    with kit.db.read() as session:
        stored = get_standar(session)
    assert stored.biaya == "Tidak dipungut biaya (uji tab)"
    assert stored.sarana.endswith("Antrean ramah disabilitas (uji)")
    assert stored.penetapan() == date(2026, 2, 3)

    with kit.db.write() as session:
        data = report(session, "standar", date.today(), date.today(), service="KTP_EL")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())
    assert "Tidak dipungut biaya (uji tab)" in text
    assert "Antrean ramah disabilitas (uji)" in text and "3 Februari 2026" in text

    tab.restore_default()
    assert tab.editor.toPlainText() == ""  # tanggal_penetapan's default: empty


def test_standar_tab_fits_1366x768_at_125_percent(kit: UiKit, qtbot) -> None:
    """At 125 % a 1366x768 screen is 1093x614 device-independent pixels; the main window's
    sidebar, title bar and tab bar take about 300 x 180 of that."""
    page = AdminPage(kit.ctx("admin"))
    qtbot.addWidget(page)
    hint = page.standar.minimumSizeHint()
    assert hint.width() <= 1093 - 300 and hint.height() <= 614 - 180, hint


def test_laporan_dialog_makes_the_standar_without_a_period(kit: UiKit, qtbot, tmp_path) -> None:
    from sipelayanan.ui.reports_dialog import ReportsDialog

    chosen: list[str] = []

    def chooser(_parent, suggested: str, _filter: str) -> str:
        chosen.append(suggested)
        return str(tmp_path / "standar-kia.pdf")

    dialog = ReportsDialog(kit.ctx("kasi"), choose_path=chooser)
    qtbot.addWidget(dialog)
    dialog.show()
    for kind in ("standar", "poster", "maklumat"):
        dialog.kind.setCurrentIndex(dialog.kind.findData(kind))
        assert not dialog.period_row.isVisible(), kind
    dialog.kind.setCurrentIndex(dialog.kind.findData("standar"))
    dialog.service.setCurrentIndex(dialog.service.findData("KIA"))
    qtbot.mouseClick(dialog.make_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.running and dialog.message.level != "", timeout=60000)
    assert dialog.message.level == "success", dialog.message.text()
    assert chosen and chosen[0].endswith("standar_KIA.pdf")
    text = " ".join(p.extract_text() for p in PdfReader(tmp_path / "standar-kia.pdf").pages)
    assert "STANDAR PELAYANAN" in text and "Kartu Identitas Anak" in text
