"""Cetak…: the tanda terima and the reports go to a print preview and print through Qt; the
test prints to Qt's own PDF printer output and parses that PDF back — its text is the
document's text, page for page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot

from sipelayanan.db import Database
from sipelayanan.reports import receipt, report
from sipelayanan.ui.context import UiContext
from sipelayanan.ui.printing import (
    PrintPreview,
    print_pdf,
    printer_to_use,
    remember,
)
from sipelayanan.ui.reports_dialog import ReportsDialog
from sipelayanan.ui.widgets.documents import ReceiptSaver, receipt_menu

from .conftest import new_case


def page_words(pdf: bytes | Path) -> list[list[str]]:
    """The words of every page, as PDFium reads them."""
    doc = pdfium.PdfDocument(pdf)
    try:
        out = []
        for i in range(len(doc)):
            text = doc[i].get_textpage()
            out.append(text.get_text_range().split())
            text.close()
        return out
    finally:
        doc.close()


def pdf_printer(path: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


def test_receipt_printed_through_qt_has_the_documents_text(
    qtbot: QtBot, db: Database, actors: dict[str, Any], tmp_path: Path
) -> None:
    code = new_case(db, actors, nama="Cetak Tanda Terima")
    with db.write() as s:
        original = receipt(s, code, "pdf", actor=actors["online"])
    out = tmp_path / "tercetak.pdf"
    printer = pdf_printer(out)
    assert print_pdf(original, printer) == 1
    printed = page_words(out)
    assert printed == page_words(original)
    assert "Cetak" in printed[0] and "Tanda" in printed[0]
    # the page is the picture of the document: the printed page is not blank
    doc = pdfium.PdfDocument(out)
    image = doc[0].render(scale=0.5).to_pil().convert("L")
    assert image.getextrema()[0] < 100  # dark ink somewhere on the page
    doc.close()


def test_multi_page_report_keeps_every_page(
    qtbot: QtBot, db: Database, actors: dict[str, Any], tmp_path: Path
) -> None:
    today = date.today()
    with db.write() as s:  # the SOP charts: a page per service, landscape
        original = report(s, "sop", today, today, fmt="pdf", actor=actors["kasi"])
    assert len(page_words(original)) > 1
    out = tmp_path / "sop.pdf"
    assert print_pdf(original, pdf_printer(out)) == len(page_words(original))
    assert page_words(out) == page_words(original)


def test_receipt_menu_opens_a_preview_whose_print_is_the_document(
    qtbot: QtBot,
    db: Database,
    actors: dict[str, Any],
    ctx_for: Callable[..., UiContext],
    tmp_path: Path,
) -> None:
    from PySide6.QtWidgets import QPushButton, QWidget

    code = new_case(db, actors, nama="Dari Menu")
    ctx = ctx_for("online")
    host = QWidget()
    qtbot.addWidget(host)
    reported: list[tuple[str, str]] = []
    saver = ReceiptSaver(ctx, host, lambda text, level: reported.append((text, level)))
    button = QPushButton("Tanda terima", host)
    menu = receipt_menu(button, lambda fmt: saver.save(code, fmt))
    labels = [a.text() for a in menu.actions()]
    assert labels == ["Simpan PDF…", "Gambar PNG untuk WhatsApp…", "Cetak…"]
    menu.actions()[2].trigger()
    qtbot.waitUntil(lambda: saver.last_preview is not None, timeout=20000)
    preview = saver.last_preview
    assert isinstance(preview, PrintPreview)
    qtbot.waitUntil(lambda: preview.painted == 1, timeout=20000)  # the preview painted it
    assert preview.windowTitle().endswith(code[:4] + "-" + code[4:])
    out = tmp_path / "dari-pratinjau.pdf"
    preview.paintRequested.emit(pdf_printer(out))  # what the preview's print button does
    words = page_words(out)[0]
    assert "Dari" in words and "Menu" in words
    assert not preview.error
    preview.close()


def test_reports_dialog_cetak_previews_the_chosen_report(
    qtbot: QtBot, db: Database, actors: dict[str, Any], ctx_for: Callable[..., UiContext]
) -> None:
    new_case(db, actors, nama="Untuk Rekap")
    dialog = ReportsDialog(ctx_for("kasi"))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.kind.setCurrentIndex(dialog.kind.findData("rekap"))
    dialog.set_period(date.today(), date.today())
    dialog.set_format("xlsx")  # printing always prints the PDF form
    assert dialog.print_button.isVisible() and dialog.print_button.text() == "&Cetak…"
    dialog.print_button.click()
    qtbot.waitUntil(lambda: dialog.last_preview is not None, timeout=30000)
    preview = dialog.last_preview
    qtbot.waitUntil(lambda: preview.painted >= 1, timeout=20000)
    assert not preview.error
    preview.close()


class _Memory:
    def __init__(self, last: str = "") -> None:
        self.last = last

    def last_printer(self) -> str:
        return self.last

    def set_last_printer(self, value: str) -> None:
        self.last = value


class _Printed:
    """Stands in for the office's printer (the outside world: none is installed here)."""

    def __init__(self, name: str, fmt: QPrinter.OutputFormat) -> None:
        self.name, self.fmt = name, fmt

    def printerName(self) -> str:
        return self.name

    def outputFormat(self) -> QPrinter.OutputFormat:
        return self.fmt


def test_the_last_printer_is_remembered_per_pc(settings: Any) -> None:
    assert settings.last_printer() == ""
    assert remember(settings, _Printed("Epson L3110", QPrinter.OutputFormat.NativeFormat))
    assert settings.last_printer() == "Epson L3110"
    # printing to a file is no printer to remember
    assert not remember(settings, _Printed("", QPrinter.OutputFormat.PdfFormat))
    assert settings.last_printer() == "Epson L3110"
    # chosen next time while it is installed; the system default once it is gone
    assert printer_to_use(settings, ["HP LaserJet", "Epson L3110"]) == "Epson L3110"
    assert printer_to_use(settings, ["HP LaserJet"]) == ""
    assert printer_to_use(_Memory(), ["HP LaserJet"]) == ""
