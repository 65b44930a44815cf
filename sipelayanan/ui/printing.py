"""Cetak…: print a document the app makes as a PDF (the tanda terima, every report), with a
print preview, on the printer this PC used last.

pyside6-essentials has no QtPdf, so the PDF's pages are rendered with pypdfium2 (as the berkas
thumbnails are) at the printer's resolution and painted onto the ``QPrinter``, each page fitted
to the paper and centred. The page's text is laid over the picture in a transparent pen, the way
scanned documents are made searchable: it prints nothing, but a "print to PDF" printer (and
the test) keeps the document's words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import QMarginsF, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo, QPrintPreviewDialog
from PySide6.QtWidgets import QWidget
from sqlalchemy.orm import Session

from ..errors import SipelayananError
from ..i18n import tr
from .widgets.berkas import _PDFIUM_LOCK

#: the highest resolution a page is rendered at (dots per inch): sharp text on any office
#: printer, a bounded picture (an A4 page at 300 dpi is about 35 MB while it is painted)
MAX_DPI = 300


class PrinterMemory(Protocol):
    """Where the last printer is kept (``ui/settings.Settings``: per PC)."""

    def last_printer(self) -> str: ...

    def set_last_printer(self, value: str) -> None: ...


@dataclass(frozen=True)
class Glyph:
    """One character of a page's text: where its baseline starts (points from the page's top
    left), its size in points, and the character."""

    x: float
    y: float
    size: float
    char: str
    bold: bool = False


@dataclass(frozen=True)
class PdfPage:
    """One rendered page: its size in points, its picture, and its text."""

    size: QSizeF
    image: QImage
    glyphs: tuple[Glyph, ...]


def page_sizes(pdf: bytes) -> list[QSizeF]:
    """The size of every page in points (1/72 inch)."""
    import pypdfium2 as pdfium

    with _PDFIUM_LOCK:
        doc = pdfium.PdfDocument(pdf)
        try:
            return [QSizeF(*doc[i].get_size()) for i in range(len(doc))]
        finally:
            doc.close()


def render_pages(pdf: bytes, dpi: int) -> list[PdfPage]:
    """Every page of ``pdf`` as a picture at ``dpi`` with its text runs."""
    import pypdfium2 as pdfium

    pages: list[PdfPage] = []
    with _PDFIUM_LOCK:
        doc = pdfium.PdfDocument(pdf)
        try:
            for i in range(len(doc)):
                page = doc[i]
                width, height = page.get_size()
                bitmap = page.render(scale=dpi / 72.0, rev_byteorder=True, prefer_bgrx=True)
                image = QImage(
                    bytes(bitmap.buffer),
                    bitmap.width,
                    bitmap.height,
                    bitmap.stride,
                    QImage.Format.Format_RGBX8888,
                ).copy()
                bitmap.close()
                text = page.get_textpage()
                glyphs = _glyphs(text, height)
                text.close()
                page.close()
                pages.append(PdfPage(QSizeF(width, height), image, glyphs))
        finally:
            doc.close()
    return pages


def _glyphs(text: Any, height: float) -> tuple[Glyph, ...]:
    """The characters of a PDFium text page where they stand (the characters PDFium only
    infers, such as the space between two words, are left to be inferred again)."""
    import ctypes

    import pypdfium2.raw as raw

    out: list[Glyph] = []
    x, y = ctypes.c_double(), ctypes.c_double()
    for i in range(text.count_chars()):
        if raw.FPDFText_IsGenerated(text.raw, i) == 1:
            continue
        code = raw.FPDFText_GetUnicode(text.raw, i)
        if code < 32 or not raw.FPDFText_GetCharOrigin(text.raw, i, x, y):
            continue
        size = raw.FPDFText_GetFontSize(text.raw, i) or 10.0
        bold = raw.FPDFText_GetFontWeight(text.raw, i) >= 600
        out.append(Glyph(x.value, height - y.value, size, chr(code), bold))
    return tuple(out)


def _runs(glyphs: tuple[Glyph, ...], advance: Callable[[Glyph], float]) -> list[list[Glyph]]:
    """Consecutive glyphs on one baseline in one font size and weight, left to right, each
    starting about where its left neighbour ends (``advance``: a glyph's width in points). A
    wider gap, such as between a table's columns or after a list number, starts a new run."""
    runs: list[list[Glyph]] = []
    for glyph in glyphs:
        run = runs[-1] if runs else None
        prev = run[-1] if run else None
        if (
            run is not None
            and prev is not None
            and abs(prev.y - glyph.y) < 0.5
            and prev.size == glyph.size
            and prev.bold == glyph.bold
            and prev.x <= glyph.x <= prev.x + advance(prev) + 0.3 * glyph.size
        ):
            run.append(glyph)
        else:
            runs.append([glyph])
    return runs


def match_paper(printer: QPrinter, pdf: bytes) -> None:
    """Set the printer's paper to the document's first page (A5 receipt, A4 landscape
    report, …) so the preview shows it as it is meant; the pages are fitted to whatever paper
    the clerk then chooses."""
    sizes = page_sizes(pdf)
    if not sizes:
        return
    first = sizes[0]
    portrait = QSizeF(min(first.width(), first.height()), max(first.width(), first.height()))
    size = QPageSize(portrait, QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch)
    orientation = (
        QPageLayout.Orientation.Landscape
        if first.width() > first.height()
        else QPageLayout.Orientation.Portrait
    )
    printer.setPageLayout(
        QPageLayout(size, orientation, QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Point)
    )
    printer.setFullPage(True)


def print_pdf(pdf: bytes, printer: QPrinter, *, max_dpi: int = MAX_DPI) -> int:
    """Paint every page of ``pdf`` onto ``printer`` (each fitted to the paper, centred);
    returns the number of pages. Works for a real printer, the preview and PDF output."""
    dpi = max(72, min(max_dpi, printer.resolution()))
    pages = render_pages(pdf, dpi)
    if not pages:
        return 0
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError(tr("Printer tidak dapat dipakai."))
    try:
        for n, page in enumerate(pages):
            if n:
                printer.newPage()
            _paint_page(painter, printer, page)
    finally:
        painter.end()
    return len(pages)


def _paint_page(painter: QPainter, printer: QPrinter, page: PdfPage) -> None:
    area = printer.pageLayout().paintRectPixels(printer.resolution()).toRectF()
    area.moveTo(0, 0)
    scale = min(area.width() / page.size.width(), area.height() / page.size.height())
    target = QRectF(
        (area.width() - page.size.width() * scale) / 2,
        (area.height() - page.size.height() * scale) / 2,
        page.size.width() * scale,
        page.size.height() * scale,
    )
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
    painter.drawImage(target, page.image)
    painter.translate(target.topLeft())
    painter.scale(scale, scale)  # from here on: the page's points
    painter.setPen(QColor(0, 0, 0, 0))  # the text layer prints nothing
    font = QFont("Liberation Sans")  # the family the documents are set in
    # a point size is turned into device pixels by the device's resolution, and the painter
    # already scales points to the device: undo the one so a glyph is its size in points
    per_point = 72.0 / max(1, printer.logicalDpiY())
    metrics: dict[tuple[float, bool], QFontMetricsF] = {}

    def use(size: float, bold: bool) -> QFontMetricsF:
        found = metrics.get((size, bold))
        if found is None:
            font.setPointSizeF(size * per_point)
            font.setBold(bold)
            found = metrics[(size, bold)] = QFontMetricsF(font, printer)
        return found

    def advance(glyph: Glyph) -> float:
        return use(glyph.size, glyph.bold).horizontalAdvance(glyph.char)

    for run in _runs(page.glyphs, advance):
        first, last = run[0], run[-1]
        font.setPointSizeF(first.size * per_point)
        font.setBold(first.bold)
        painter.setFont(font)
        text = "".join(g.char for g in run)
        # stretched so each character starts about where it stood: the gaps between words
        # stay the gaps the document has, whatever font this PC substitutes
        drawn = use(first.size, first.bold).horizontalAdvance(text[:-1]) if len(run) > 1 else 0.0
        stretch = (last.x - first.x) / drawn if drawn > 0 else 1.0
        painter.save()
        painter.translate(first.x, first.y)
        painter.scale(stretch, 1.0)
        painter.drawText(QPointF(0, 0), text)
        painter.restore()
    painter.restore()


def printer_to_use(memory: PrinterMemory | None, installed: list[str]) -> str:
    """The printer this PC printed to last when it is still installed, else "" (the
    system's default printer)."""
    last = memory.last_printer() if memory is not None else ""
    return last if last and last in installed else ""


def new_printer(memory: PrinterMemory | None) -> QPrinter:
    """A printer set to the one this PC printed to last, when it is still installed."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    name = printer_to_use(memory, QPrinterInfo.availablePrinterNames())
    if name:
        printer.setPrinterName(name)
    return printer


class PrinterLike(Protocol):
    def printerName(self) -> str: ...

    def outputFormat(self) -> QPrinter.OutputFormat: ...


def remember(memory: PrinterMemory | None, printer: PrinterLike) -> bool:
    """Keep the printer just printed on for next time (not a "print to file" choice)."""
    name = printer.printerName()
    if memory is None or not name:
        return False
    if printer.outputFormat() != QPrinter.OutputFormat.NativeFormat:
        return False
    memory.set_last_printer(name)
    return True


class PrintPreview(QPrintPreviewDialog):
    """The print preview of one PDF document; its print button prints (and remembers the
    printer). ``printed`` pages are counted for the caller."""

    def __init__(
        self,
        pdf: bytes,
        title: str,
        memory: PrinterMemory | None,
        parent: QWidget | None = None,
        *,
        printer: QPrinter | None = None,
    ) -> None:
        self._printer = printer or new_printer(memory)
        self._printer.setDocName(title)
        match_paper(self._printer, pdf)
        super().__init__(self._printer, parent)
        self.setWindowTitle(tr("Cetak — {judul}", judul=title))
        self._pdf = pdf
        self._memory = memory
        self.painted = 0  # pages painted by the last paint (preview or print)
        self.error = ""
        self.paintRequested.connect(self._paint)
        self.finished.connect(self._finished)
        fit_to_screen(self)

    def _paint(self, printer: QPrinter) -> None:
        try:
            self.painted = print_pdf(self._pdf, printer)
        except Exception as exc:  # a broken printer driver: said, never a traceback
            self.error = str(exc) or tr("Dokumen tidak dapat dicetak.")

    def _finished(self, result: int) -> None:
        if result == int(QPrintPreviewDialog.DialogCode.Accepted):
            remember(self._memory, self._printer)


def fit_to_screen(window: QWidget, share: float = 0.9) -> None:
    """Size ``window`` to at most ``share`` of the available screen, centred in it."""
    screen = window.screen()
    if screen is None:
        return
    avail = screen.availableGeometry()
    width = min(max(window.sizeHint().width(), 900), int(avail.width() * share))
    height = int(avail.height() * share)
    window.resize(width, height)
    window.move(
        avail.left() + (avail.width() - width) // 2, avail.top() + (avail.height() - height) // 2
    )


def open_preview(
    parent: QWidget | None, pdf: bytes, title: str, memory: PrinterMemory | None
) -> PrintPreview:
    """Show the print preview of ``pdf`` (window-modal, deleted when closed)."""
    dialog = PrintPreview(pdf, title, memory, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.show()
    return dialog


def make_and_print(
    ctx: Any,
    parent: QWidget,
    make: Callable[[Session], bytes],
    title: str,
    report: Callable[[str, str], None],
    on_preview: Callable[[PrintPreview], None] | None = None,
) -> None:
    """Make a PDF on the long-job worker (``make(session)``, in a write unit: making a
    document is audited) and open its print preview. ``report(text, level)`` tells the
    owning window how it went; ``on_preview`` gets the preview window."""
    report(tr("Menyiapkan dokumen untuk dicetak…"), "info")

    def done(pdf: bytes) -> None:
        preview = open_preview(parent, pdf, title, getattr(ctx, "settings", None))
        report(tr("Pratinjau cetak dibuka: {judul}", judul=title), "info")
        if on_preview is not None:
            on_preview(preview)

    def failed(error: SipelayananError) -> None:
        report(str(error), "error")

    ctx.ops.run(make, write=True, long=True, on_done=done, on_error=failed, parent=parent)
