"""Laporan dialog: documents made on the worker with progress, saved where the clerk chose,
read back (PDF text, Excel cells, the receipt's QR decoded), and errors that lose nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from sqlalchemy import func, select

from sipelayanan.models import AuditEntry
from sipelayanan.services import cases as svc
from sipelayanan.services.users import get_user
from sipelayanan.ui.reports_dialog import RECEIPT, ReportsDialog

from .support_b import UiKit


@pytest.fixture
def kit(db_url: str, tmp_path: Path, db, ops, settings, ctx_for, opened) -> UiKit:
    return UiKit(db_url, tmp_path, ops, settings, db, ctx_for, opened)


T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 09:00 WIB


class _Chooser:
    """Stands in for the file dialog (a modal OS window): returns a path and records calls."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.calls: list[str] = []

    def __call__(self, parent: object, suggested: str, file_filter: str) -> str | None:
        self.calls.append(suggested)
        return str(self.path) if self.path is not None else None


class _UrlCatcher(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def handle(self, url: QUrl) -> None:
        self.urls.append(url)


def _audit_count(db, action: str) -> int:
    with db.read() as session:
        return int(
            session.execute(
                select(func.count(AuditEntry.id)).where(AuditEntry.action == action)
            ).scalar_one()
        )


def _dialog(kit: UiKit, qtbot, chooser: _Chooser, **kwargs) -> ReportsDialog:
    dialog = ReportsDialog(kit.ctx("kasi"), choose_path=chooser, **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _make(dialog: ReportsDialog, qtbot) -> None:
    qtbot.mouseClick(dialog.make_button, Qt.MouseButton.LeftButton)
    assert dialog.running
    qtbot.waitUntil(lambda: not dialog.running, timeout=60000)
    assert dialog.message.level == "success", dialog.message.text()


def test_rekap_pdf_is_saved_with_progress_and_audited(kit: UiKit, qtbot, db, tmp_path) -> None:
    from pypdf import PdfReader

    kit.intake("KK", now=T0)
    kit.intake(
        "KTP_EL",
        nama="Siti Aminah",
        nik="1808024506900002",
        wa="0812-3456-7890",
        now=T0 + timedelta(hours=2),
    )
    chooser = _Chooser(tmp_path / "out" / "rekap maret")  # no extension typed
    (tmp_path / "out").mkdir()
    dialog = _dialog(kit, qtbot, chooser)
    dialog.kind.setCurrentIndex(dialog.kind.findData("rekap"))
    dialog.set_period(date(2026, 3, 1), date(2026, 3, 31))
    dialog.set_format("pdf")
    seen: list[tuple[int, int]] = []
    dialog.progress.valueChanged.connect(lambda v: seen.append((v, dialog.progress.maximum())))
    _make(dialog, qtbot)

    assert chooser.calls and chooser.calls[0].endswith("rekap_2026-03-01_2026-03-31.pdf")
    saved = tmp_path / "out" / "rekap maret.pdf"
    assert dialog.last_saved is not None and Path(dialog.last_saved.path) == saved
    text = "\n".join(page.extract_text() for page in PdfReader(saved).pages)
    assert "Rekap" in text or "REKAP" in text
    assert "Maret 2026" in text
    assert seen and seen[-1][0] == seen[-1][1]  # the bar reached its end
    assert dialog.progress.value() == dialog.progress.maximum()
    assert _audit_count(db, "report.rekap") == 1
    assert not dialog.running and dialog.make_button.isEnabled()
    assert kit.settings.export_dir() == str(tmp_path / "out")
    assert any(str(saved) in s for s in kit.statuses)


def test_pengaduan_xlsx_lists_the_complaint(kit: UiKit, qtbot, db, tmp_path) -> None:
    from openpyxl import load_workbook

    ref = kit.intake(
        "PENGADUAN",
        nama="Pelapor Satu",
        nik=None,
        wa="0812-3456-7890",
        uraian="KK belum diperbarui",
        now=T0,
    )
    with db.read() as session:
        aduan = get_user(session, "aduan").actor()
    with db.write() as session:
        svc.advance(session, aduan, ref.code, now=T0 + timedelta(minutes=5))
        svc.advance(session, aduan, ref.code, now=T0 + timedelta(minutes=10))
        svc.close_simple(
            session,
            aduan,
            ref.code,
            solusi="Data diperbaiki di SIAK.",
            now=T0 + timedelta(minutes=20),
        )
    chooser = _Chooser(tmp_path / "pengaduan.xlsx")
    dialog = _dialog(kit, qtbot, chooser, kind="pengaduan")
    assert dialog.service.currentData() == "PENGADUAN" and not dialog.service.isEnabled()
    dialog.set_period(date(2026, 3, 1), date(2026, 3, 31))
    dialog.set_format("xlsx")
    _make(dialog, qtbot)
    workbook = load_workbook(tmp_path / "pengaduan.xlsx", read_only=True)
    cells = {
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    }
    assert any(ref.code in c or f"{ref.code[:4]}-{ref.code[4:]}" in c for c in cells)
    assert any("Data diperbaiki di SIAK." in c for c in cells)


def test_receipt_png_from_a_code_decodes_back(kit: UiKit, qtbot, db, tmp_path) -> None:
    import zxingcpp
    from PIL import Image

    from sipelayanan.reports import qr_content

    ref = kit.intake("KK")
    chooser = _Chooser(tmp_path / "tt.png")
    dialog = _dialog(kit, qtbot, chooser, code=f"{ref.code[:4]}-{ref.code[4:]}".lower())
    assert dialog.current_kind() == RECEIPT
    assert "✓" in dialog.code_reason.text()
    dialog.set_format("png")
    _make(dialog, qtbot)
    decoded = zxingcpp.read_barcodes(Image.open(tmp_path / "tt.png").convert("RGB"))
    with db.read() as session:
        expected = qr_content(session, ref.code)
    assert [d.text for d in decoded] == [expected]
    assert _audit_count(db, "report.receipt") == 1


def test_bad_code_and_cancelled_file_dialog_make_nothing(kit: UiKit, qtbot, db, tmp_path) -> None:
    chooser = _Chooser(None)  # the clerk presses Cancel in the file dialog
    dialog = _dialog(kit, qtbot, chooser, kind=RECEIPT)
    qtbot.keyClicks(dialog.code, "ABCD-EFGH4")  # wrong check symbol
    assert "salah ketik" in dialog.code_reason.text()
    qtbot.mouseClick(dialog.make_button, Qt.MouseButton.LeftButton)
    assert dialog.message.level == "error"
    assert chooser.calls == []  # refused before asking where to save

    ref = kit.intake("KK")
    dialog.code.setText(ref.code)
    qtbot.mouseClick(dialog.make_button, Qt.MouseButton.LeftButton)
    assert len(chooser.calls) == 1
    assert not dialog.running
    assert _audit_count(db, "report.receipt") == 0


def test_unwritable_place_is_reported_and_nothing_recorded(kit: UiKit, qtbot, db, tmp_path) -> None:
    chooser = _Chooser(tmp_path / "no-such-folder" / "sop.pdf")
    dialog = _dialog(kit, qtbot, chooser, kind="sop")
    assert not dialog.form.isRowVisible(dialog.period_row)  # the SOP chart has no period
    qtbot.mouseClick(dialog.make_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message.level == "error", timeout=60000)
    assert "tidak dapat disimpan" in dialog.message.text()
    assert "tidak ada yang dicatat" in dialog.message.text()
    assert _audit_count(db, "report.sop") == 0
    assert dialog.make_button.isEnabled()

    # a good place: the same dialog, choices kept, works
    chooser.path = tmp_path / "sop.pdf"
    _make(dialog, qtbot)
    assert (tmp_path / "sop.pdf").read_bytes().startswith(b"%PDF-")
    assert _audit_count(db, "report.sop") == 1


@pytest.fixture
def file_catcher(qapp: object):
    catcher = _UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "handle")
    yield catcher
    QDesktopServices.unsetUrlHandler("file")


def test_open_buttons_hand_the_file_to_the_system(
    kit: UiKit, qtbot, tmp_path, file_catcher
) -> None:
    chooser = _Chooser(tmp_path / "bagan.pdf")
    dialog = _dialog(kit, qtbot, chooser, kind="sop")
    dialog.service.setCurrentIndex(dialog.service.findData("KK"))
    _make(dialog, qtbot)
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.folder_button, Qt.MouseButton.LeftButton)
    assert [u.toLocalFile() for u in file_catcher.urls] == [
        str(tmp_path / "bagan.pdf"),
        str(tmp_path),
    ]


def test_quick_periods(kit: UiKit, qtbot) -> None:
    dialog = _dialog(kit, qtbot, _Chooser(None), kind="register")
    today = date.today()
    qtbot.mouseClick(dialog.quick["last_month"], Qt.MouseButton.LeftButton)
    start = dialog.date_from.date().toPython()
    end = dialog.date_to.date().toPython()
    assert start.day == 1 and end == today.replace(day=1) - timedelta(days=1)
    assert start.month == end.month
    qtbot.mouseClick(dialog.quick["year"], Qt.MouseButton.LeftButton)
    assert dialog.date_from.date().toPython() == date(today.year, 1, 1)
    assert dialog.date_to.date().toPython() == today


def test_closing_while_making_still_saves_and_tells_the_status_bar(
    kit: UiKit, qtbot, tmp_path
) -> None:
    chooser = _Chooser(tmp_path / "kinerja.xlsx")
    dialog = _dialog(kit, qtbot, chooser, kind="kinerja")
    dialog.set_format("xlsx")
    qtbot.mouseClick(dialog.make_button, Qt.MouseButton.LeftButton)
    assert dialog.running
    dialog.close()  # the clerk closes the window at once
    assert not dialog.isVisible()
    assert any("masih dibuat" in s for s in kit.statuses)
    qtbot.waitUntil(lambda: not dialog.running, timeout=60000)
    assert (tmp_path / "kinerja.xlsx").read_bytes().startswith(b"PK")
    assert any(str(tmp_path / "kinerja.xlsx") in s for s in kit.statuses)
