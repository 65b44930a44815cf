"""Shared PDF building blocks: the office letterhead (kop surat), page header and footer with
"Halaman x dari y", paragraph styles, fast fixed-height tables, the Kepala Dinas signature block.

Large tables are cut into page-sized chunks with fixed row heights and plain-string cells:
ReportLab then never measures cell contents and never re-splits one huge table page after page,
so time grows linearly with the number of rows.
"""

from __future__ import annotations

import base64
import binascii
import io
import logging
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from ..services.office import OfficeProfile
from . import text as fmt
from .fonts import SANS, SANS_BOLD, SANS_ITALIC, register_fonts
from .painter import DOCUMENT_LOOK, NullPainter, PdfPainter, letterhead

log = logging.getLogger(__name__)

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#333333")
HEADER_FILL = colors.HexColor("#dde6f0")
ZEBRA = colors.HexColor("#f4f6f8")
ACCENT = colors.HexColor("#1f4e79")
GRID = colors.HexColor("#8a8a8a")

MARGIN = 14 * mm
RUNNING_HEADER = 16.0


def styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle("base", fontName=SANS, fontSize=9, leading=11.5, textColor=INK)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9.2),
        "cell_bold": ParagraphStyle(
            "cell_bold", parent=base, fontName=SANS_BOLD, fontSize=7.5, leading=9.2
        ),
        "head": ParagraphStyle(
            "head", parent=base, fontName=SANS_BOLD, fontSize=7.5, leading=9, alignment=TA_CENTER
        ),
        "title": ParagraphStyle(
            "title",
            parent=base,
            fontName=SANS_BOLD,
            fontSize=13,
            leading=16,
            alignment=TA_CENTER,
            spaceAfter=1,
        ),
        "subtitle": ParagraphStyle(
            "subtitle", parent=base, fontSize=9.5, leading=12, alignment=TA_CENTER
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=SANS_BOLD,
            fontSize=10.5,
            leading=13,
            spaceBefore=8,
            spaceAfter=4,
            textColor=ACCENT,
            keepWithNext=1,
        ),
        "note": ParagraphStyle(
            "note", parent=base, fontName=SANS_ITALIC, fontSize=7.5, leading=9.5, textColor=MUTED
        ),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
        "left": ParagraphStyle("left", parent=base, alignment=TA_LEFT),
    }


def esc(value: object) -> str:
    """Text made safe for a ReportLab Paragraph (which reads a little XML)."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --------------------------------------------------------------------------- letterhead


def logo_reader(profile: OfficeProfile) -> ImageReader | None:
    """The office logo from the profile (base64 PNG/JPEG), or None when absent or unreadable."""
    if not profile.logo_png.strip():
        return None
    try:
        raw = base64.b64decode(profile.logo_png, validate=False)
        reader = ImageReader(io.BytesIO(raw))
        reader.getSize()
        return reader
    except (binascii.Error, ValueError, OSError) as exc:
        log.warning("office logo unreadable, letterhead printed without it: %s", type(exc).__name__)
        return None
    except Exception as exc:  # PIL raises assorted errors on a corrupt image
        log.warning("office logo unreadable, letterhead printed without it: %s", type(exc).__name__)
        return None


def draw_letterhead(
    c: rl_canvas.Canvas,
    profile: OfficeProfile,
    x: float,
    top: float,
    width: float,
    *,
    scale: float = 1.0,
) -> float:
    """Draw the kop surat with its top edge at ``top``; return the height used. The one
    letterhead of every document (``painter.letterhead``), in the reports' sizes."""
    register_fonts()
    c.saveState()
    try:
        return letterhead(PdfPainter(c, top), profile, x, 0, width, DOCUMENT_LOOK, scale)
    finally:
        c.restoreState()


def letterhead_height(profile: OfficeProfile, width: float) -> float:
    """The height :func:`draw_letterhead` will use (laid out without drawing)."""
    register_fonts()
    return letterhead(NullPainter(), profile, 0, 0, width, DOCUMENT_LOOK)


# --------------------------------------------------------------------------- document


@dataclass(frozen=True)
class DocMeta:
    title: str  # on the first page and in the running header
    subtitle: str
    profile: OfficeProfile
    printed_at: datetime
    printed_by: str | None
    landscape: bool = False


def _numbered_canvas(meta: DocMeta) -> type[rl_canvas.Canvas]:
    printed = f"Dicetak dengan SiPelayanan, {fmt.waktu(meta.printed_at, hari=False)}"
    if meta.printed_by:
        printed += f" oleh {meta.printed_by}"

    class NumberedCanvas(rl_canvas.Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            # The page is kept until the total is known; its content operators are kept as
            # one compressed block, not as thousands of small strings (a register of a year
            # is thousands of pages).
            state = dict(self.__dict__)
            state["_code"] = zlib.compress("\n".join(self._code).encode("utf-8"), 1)
            self._pages.append(state)
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            while self._pages:
                state = self._pages.pop(0)
                state["_code"] = [zlib.decompress(state["_code"]).decode("utf-8")]
                self.__dict__.update(state)
                self._footer(total)
                super().showPage()
            super().save()

        def _footer(self, total: int) -> None:
            w, _h = self._pagesize
            self.saveState()
            self.setFont(SANS, 7)
            self.setFillColor(MUTED)
            self.setStrokeColor(GRID)
            self.setLineWidth(0.4)
            self.line(MARGIN, MARGIN - 4, w - MARGIN, MARGIN - 4)
            self.drawString(MARGIN, MARGIN - 12, printed)
            self.drawRightString(
                w - MARGIN, MARGIN - 12, f"Halaman {self._pageNumber} dari {total}"
            )
            self.restoreState()

    return NumberedCanvas


def build_pdf(
    meta: DocMeta,
    story: list[Flowable],
    *,
    on_page: Callable[[int], None] | None = None,
) -> bytes:
    """Lay out ``story`` under the letterhead (first page) and a running header (later pages)."""
    register_fonts()
    size = landscape(A4) if meta.landscape else A4
    pw, ph = size
    width = pw - 2 * MARGIN
    kop = letterhead_height(meta.profile, width)
    buf = io.BytesIO()

    def first(c: rl_canvas.Canvas, _doc: Any) -> None:
        draw_letterhead(c, meta.profile, MARGIN, ph - MARGIN, width)
        if on_page:
            on_page(c.getPageNumber())

    def later(c: rl_canvas.Canvas, _doc: Any) -> None:
        c.saveState()
        c.setFont(SANS_BOLD, 7.5)
        c.setFillColor(MUTED)
        c.drawString(MARGIN, ph - MARGIN - 8, meta.title)
        c.setFont(SANS, 7.5)
        c.drawRightString(pw - MARGIN, ph - MARGIN - 8, meta.subtitle)
        c.setStrokeColor(GRID)
        c.setLineWidth(0.4)
        c.line(MARGIN, ph - MARGIN - 12, pw - MARGIN, ph - MARGIN - 12)
        c.restoreState()
        if on_page:
            on_page(c.getPageNumber())

    bottom = MARGIN + 4
    first_frame = Frame(
        MARGIN,
        bottom,
        width,
        ph - MARGIN - kop - 6 - bottom,
        id="first",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    later_frame = Frame(
        MARGIN,
        bottom,
        width,
        ph - MARGIN - RUNNING_HEADER - 2 - bottom,
        id="later",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc = BaseDocTemplate(
        buf,
        pagesize=size,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=meta.title,
        subject=meta.subtitle,
        author=meta.profile.name,
        creator="SiPelayanan",
    )
    doc.addPageTemplates(
        [
            PageTemplate(id="first", frames=[first_frame], onPage=first),
            PageTemplate(id="later", frames=[later_frame], onPage=later),
        ]
    )
    st = styles()
    head: list[Flowable] = [
        NextPageTemplate("later"),
        Paragraph(esc(meta.title), st["title"]),
        Paragraph(esc(meta.subtitle), st["subtitle"]),
        Spacer(1, 8),
    ]
    doc.build(head + story, canvasmaker=_numbered_canvas(meta))
    return buf.getvalue()


def frame_width(meta_landscape: bool) -> float:
    pw = landscape(A4)[0] if meta_landscape else A4[0]
    return float(pw - 2 * MARGIN)


# --------------------------------------------------------------------------- tables


@lru_cache(maxsize=16384)
def _width(text: str, font: str, size: float) -> float:
    return float(stringWidth(text, font, size))


@lru_cache(maxsize=65536)
def fit_lines(text: str, font: str, size: float, width: float, max_lines: int = 2) -> str:
    """Wrap ``text`` to at most ``max_lines`` lines of ``width`` points; an ellipsis marks a cut.

    Returns the lines joined by newlines.
    """
    text = " ".join(text.split())
    if not text:
        return ""
    if stringWidth(text, font, size) <= width:
        return text
    lines = simpleSplit(text, font, size, width)
    cut = len(lines) > max_lines
    kept = lines[:max_lines]
    for i, line in enumerate(kept):
        last = i == len(kept) - 1
        if stringWidth(line, font, size) <= width and not (last and cut):
            continue
        # a word longer than the column, or the last line of a cut text: end it with "…"
        while line and stringWidth(line + "…", font, size) > width:
            line = line[:-1]
        kept[i] = line.rstrip() + "…"
    return "\n".join(kept)


@dataclass(frozen=True)
class Column:
    header: str
    width: float  # points
    align: str = "LEFT"  # LEFT / CENTER / RIGHT
    wrap: bool = True  # allow a second line


class RowsTable(Flowable):  # type: ignore[misc]
    """Rows of plain text with fixed heights, drawn straight onto the canvas: one text object
    per page and one line per grid rule. Splits between rows and repeats its header."""

    PAD = 2.0

    def __init__(
        self,
        columns: Sequence[Column],
        header: list[list[str]],
        header_h: float,
        rows: list[list[str]],
        heights: list[float],
        font_size: float,
        zebra: bool,
        first_index: int = 0,
        drawn: Callable[[int], None] | None = None,
    ) -> None:
        super().__init__()
        self.columns = list(columns)
        self.header = header
        self.header_h = header_h
        self.rows = rows
        self.heights = heights
        self.font_size = font_size
        self.zebra = zebra
        self.first_index = first_index  # for zebra striping across splits
        self.drawn = drawn
        self.width = sum(c.width for c in self.columns)
        self.height = header_h + sum(heights)

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return self.width, self.height

    def split(self, aw: float, ah: float) -> list[Flowable]:
        room = ah - self.header_h
        used = 0.0
        n = 0
        for h in self.heights:
            if used + h > room:
                break
            used += h
            n += 1
        if n == 0 or n == len(self.rows):
            return []
        return [self._part(0, n), self._part(n, len(self.rows))]

    def _part(self, a: int, b: int) -> RowsTable:
        return RowsTable(
            self.columns,
            self.header,
            self.header_h,
            self.rows[a:b],
            self.heights[a:b],
            self.font_size,
            self.zebra,
            self.first_index + a,
            self.drawn,
        )

    def draw(self) -> None:
        c = self.canv
        size = self.font_size
        line = size * 1.2
        pad = self.PAD
        top = self.height
        xs = [0.0]
        for col in self.columns:
            xs.append(xs[-1] + col.width)
        c.saveState()
        c.setFillColor(HEADER_FILL)
        c.rect(0, top - self.header_h, self.width, self.header_h, stroke=0, fill=1)
        if self.zebra:
            c.setFillColor(ZEBRA)
            y = top - self.header_h
            for i, h in enumerate(self.heights):
                if (self.first_index + i) % 2 == 1:
                    c.rect(0, y - h, self.width, h, stroke=0, fill=1)
                y -= h
        c.setFillColor(INK)
        # header, bold, centred, vertically centred
        # One text object for the page. Cells are emitted with the text object's own encoder
        # and a plain "Tm" positioning operator: textOut/setTextOrigin would measure every
        # string again and format numbers in pure Python, doubling the time of a long register.
        t = c.beginText()
        code = t._code
        encode = t._formatText

        def put(x: float, y: float, text: str) -> None:
            code.append(f"1 0 0 1 {x:.2f} {y:.2f} Tm")
            code.append(encode(text))

        t.setFont(SANS_BOLD, size, line)
        for lines, x0, x1 in zip(self.header, xs, xs[1:], strict=False):
            block = len(lines) * line
            y = top - (self.header_h - block) / 2 - size
            for text in lines:
                put((x0 + x1 - _width(text, SANS_BOLD, size)) / 2, y, text)
                y -= line
        t.setFont(SANS, size, line)
        y_row = top - self.header_h
        for cells, h in zip(self.rows, self.heights, strict=True):
            for cell, col, x0, x1 in zip(cells, self.columns, xs, xs[1:], strict=False):
                if not cell:
                    continue
                lines = cell.split("\n")
                y = y_row - (h - len(lines) * line) / 2 - size
                for text in lines:
                    if col.align == "LEFT":
                        x = x0 + pad
                    else:
                        w = _width(text, SANS, size)
                        x = x1 - pad - w if col.align == "RIGHT" else (x0 + x1 - w) / 2
                    put(x, y, text)
                    y -= line
            y_row -= h
        c.drawText(t)
        # grid
        c.setStrokeColor(GRID)
        c.setLineWidth(0.35)
        p = c.beginPath()
        y = top - self.header_h
        for h in self.heights[:-1]:
            y -= h
            p.moveTo(0, y)
            p.lineTo(self.width, y)
        for x in xs[1:-1]:
            p.moveTo(x, 0)
            p.lineTo(x, top)
        c.drawPath(p, stroke=1, fill=0)
        c.setStrokeColor(RULE)
        c.setLineWidth(0.7)
        c.rect(0, 0, self.width, top, stroke=1, fill=0)
        c.line(0, top - self.header_h, self.width, top - self.header_h)
        c.restoreState()
        if self.drawn is not None:
            self.drawn(self.first_index + len(self.rows))


class _Fitter:
    """Fits rows of plain values to fixed-height table rows (see :func:`fast_table`)."""

    def __init__(self, columns: Sequence[Column], font_size: float) -> None:
        register_fonts()
        pad = RowsTable.PAD
        line = font_size * 1.2
        self.one = line + 2 * pad
        self.two = 2 * line + 2 * pad
        self.header = [
            simpleSplit(c.header, SANS_BOLD, font_size, c.width - 2 * pad) or [""] for c in columns
        ]
        self.header_h = max(len(h) for h in self.header) * line + 2 * pad + 2
        self.inner = [c.width - 2 * pad - 0.5 for c in columns]
        self.wraps = [2 if c.wrap else 1 for c in columns]
        self.font_size = font_size

    def fit(self, row: Sequence[object]) -> tuple[list[str], float]:
        cells = [
            fit_lines(str(value), SANS, self.font_size, width, lines)
            for value, width, lines in zip(row, self.inner, self.wraps, strict=True)
        ]
        return cells, self.two if any("\n" in cell for cell in cells) else self.one


class StreamedRows(Flowable):  # type: ignore[misc]
    """A table like :func:`fast_table`'s whose rows are read from an iterator as the layout
    reaches them: each page takes the rows it can hold and leaves the rest to a new
    StreamedRows, so only about one page of rows exists at a time, however long the table."""

    def __init__(
        self,
        columns: Sequence[Column],
        rows: Iterator[Sequence[object]],
        *,
        font_size: float = 7.5,
        zebra: bool = True,
        progress: Callable[[int], None] | None = None,
        drawn: Callable[[int], None] | None = None,
        _fitter: _Fitter | None = None,
        _buffer: list[tuple[list[str], float]] | None = None,
        _first_index: int = 0,
        _exhausted: bool = False,
    ) -> None:
        super().__init__()
        self.columns = list(columns)
        self.source = rows
        self.fitter = _fitter or _Fitter(columns, font_size)
        self.buffer = _buffer if _buffer is not None else []
        self.first_index = _first_index
        self.exhausted = _exhausted
        self.zebra = zebra
        self.progress = progress
        self.drawn = drawn
        self.width = sum(c.width for c in self.columns)

    def _fill(self, room: float) -> float:
        """Read rows until they overflow ``room`` points or the source ends; their height."""
        used = sum(h for _c, h in self.buffer)
        while used <= room and not self.exhausted:
            try:
                row = next(self.source)
            except StopIteration:
                self.exhausted = True
                break
            fitted = self.fitter.fit(row)
            self.buffer.append(fitted)
            used += fitted[1]
            if self.progress and (self.first_index + len(self.buffer)) % 250 == 0:
                self.progress(self.first_index + len(self.buffer))
        if self.exhausted and self.progress:
            self.progress(self.first_index + len(self.buffer))
        return used

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        used = self._fill(ah - self.fitter.header_h)
        # Until the source ends the true height is unknown: say "taller than any frame", so
        # the layout splits it where it stands (a heading kept with it does not push it to a
        # fresh page in the hope that it fits there).
        self.height = self.fitter.header_h + used if self.exhausted else 1e9
        return self.width, self.height

    def _table(self, a: int, b: int) -> RowsTable:
        part = self.buffer[a:b]
        return RowsTable(
            self.columns,
            self.fitter.header,
            self.fitter.header_h,
            [cells for cells, _h in part],
            [h for _c, h in part],
            self.fitter.font_size,
            self.zebra,
            self.first_index + a,
            self.drawn,
        )

    def split(self, aw: float, ah: float) -> list[Flowable]:
        room = ah - self.fitter.header_h
        self._fill(room)
        used = 0.0
        n = 0
        for _cells, h in self.buffer:
            if used + h > room:
                break
            used += h
            n += 1
        if n == 0 or (self.exhausted and n == len(self.buffer)):
            return []
        rest = StreamedRows(
            self.columns,
            self.source,
            zebra=self.zebra,
            progress=self.progress,
            drawn=self.drawn,
            _fitter=self.fitter,
            _buffer=self.buffer[n:],
            _first_index=self.first_index + n,
            _exhausted=self.exhausted,
        )
        return [self._table(0, n), rest]

    def draw(self) -> None:
        table = self._table(0, len(self.buffer))
        table.canv = self.canv
        table.draw()


def fast_table(
    columns: Sequence[Column],
    rows: Iterable[Sequence[str]],
    *,
    font_size: float = 7.5,
    progress: Callable[[int], None] | None = None,
    drawn: Callable[[int], None] | None = None,
    zebra: bool = True,
) -> RowsTable:
    """A long table with fixed row heights, split page by page by the layout.

    Each cell is fitted to its column (two lines at most, an ellipsis marks a cut); the header
    repeats on every page. ``progress(n)`` is called with the number of rows fitted so far,
    ``drawn(n)`` with the number of rows drawn so far as pages are laid out.
    """
    register_fonts()
    pad = RowsTable.PAD
    line = font_size * 1.2
    one = line + 2 * pad
    two = 2 * line + 2 * pad
    header = [
        simpleSplit(c.header, SANS_BOLD, font_size, c.width - 2 * pad) or [""] for c in columns
    ]
    header_h = max(len(h) for h in header) * line + 2 * pad + 2
    inner = [c.width - 2 * pad - 0.5 for c in columns]
    wraps = [2 if c.wrap else 1 for c in columns]
    fitted: list[list[str]] = []
    heights: list[float] = []
    for row in rows:
        cells = [
            fit_lines(str(value), SANS, font_size, width, lines)
            for value, width, lines in zip(row, inner, wraps, strict=True)
        ]
        fitted.append(cells)
        heights.append(two if any("\n" in cell for cell in cells) else one)
        if progress and len(fitted) % 250 == 0:
            progress(len(fitted))
    if progress:
        progress(len(fitted))
    return RowsTable(columns, header, header_h, fitted, heights, font_size, zebra, drawn=drawn)


def grid_table(
    data: list[list[Any]],
    widths: Sequence[float],
    *,
    header_rows: int = 1,
    total_row: bool = False,
    align_numbers_from: int = 1,
    font_size: float = 8,
    extra: Sequence[tuple[Any, ...]] = (),
) -> Table:
    """A small summary table (cells may be strings or Paragraphs), numbers right-aligned."""
    register_fonts()
    style: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), SANS, font_size, font_size * 1.2),
        ("FONT", (0, 0), (-1, header_rows - 1), SANS_BOLD, font_size, font_size * 1.2),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (align_numbers_from, header_rows), (-1, -1), "RIGHT"),
        ("ALIGN", (0, 0), (-1, header_rows - 1), "CENTER"),
        ("GRID", (0, 0), (-1, -1), 0.35, GRID),
        ("BOX", (0, 0), (-1, -1), 0.7, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if total_row:
        style += [
            ("FONT", (0, -1), (-1, -1), SANS_BOLD, font_size, font_size * 1.2),
            ("LINEABOVE", (0, -1), (-1, -1), 0.9, RULE),
            ("BACKGROUND", (0, -1), (-1, -1), ZEBRA),
        ]
    style += list(extra)
    return Table(data, colWidths=list(widths), repeatRows=header_rows, style=TableStyle(style))


# --------------------------------------------------------------------------- signature


def signature_width(width: float) -> float:
    """The width of the signature block on a frame ``width`` points wide."""
    return min(260.0, width / 2)


def signature_block(
    profile: OfficeProfile,
    place: str,
    day: date | datetime,
    width: float,
    *,
    beside: list[Flowable] | None = None,
) -> Flowable:
    """The Kepala Dinas signature block (right half of the page), kept on one page;
    ``beside`` goes to its left, at the bottom (e.g. the audit log's anchor)."""
    st = styles()
    body = ParagraphStyle("sig", parent=st["body"], alignment=TA_CENTER, fontSize=9.5, leading=12)
    bold = ParagraphStyle("sigb", parent=body, fontName=SANS_BOLD)
    name = profile.kepala_dinas.strip() or "(" + "." * 48 + ")"
    nip = profile.kepala_dinas_nip.strip() or "." * 30
    office = profile.name.strip()
    cells = [
        Paragraph(esc(f"{place}, {fmt.tanggal(day)}"), body),
        Paragraph(esc(f"Kepala {office}"), body),
        Spacer(1, 46),
        Paragraph(f"<u>{esc(name)}</u>", bold),
        Paragraph(esc(f"NIP. {nip}"), body),
    ]
    block_w = signature_width(width)
    inner = Table(
        [[c] for c in cells],
        colWidths=[block_w],
        style=TableStyle(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        ),
    )
    outer = Table(
        [[beside or "", inner]],
        colWidths=[width - block_w, block_w],
        style=TableStyle(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (0, 0), 12),
                ("RIGHTPADDING", (1, 0), (1, 0), 0),
                ("VALIGN", (0, 0), (0, 0), "BOTTOM"),
            ]
        ),
    )
    return KeepTogether([Spacer(1, 14), outer])
