"""Standar pelayanan (an A4 per service), the poster of all services (A3 landscape) and the
maklumat pelayanan (A4), from :mod:`sipelayanan.services.standar` — the SOP the app runs plus
the components the admin filled in — under the shared letterhead, signed by the Kepala Dinas.

The three kinds follow the report module protocol of :mod:`sipelayanan.reports`:
``render_pdf(session, ctx, period, service, progress) -> (pdf, rows)``; :data:`POSTER` and
:data:`MAKLUMAT` carry their own ``render_pdf``.
"""

from __future__ import annotations

import io
from datetime import date
from types import SimpleNamespace

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.pagesizes import A3, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    Flowable,
    Frame,
    KeepInFrame,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from sqlalchemy.orm import Session

from ..services.standar import Component, Item, ServiceStandard, StandardsBook, standards
from . import text as fmt
from .common import Context, Progress
from .fonts import SANS, SANS_BOLD, register_fonts
from .pdf import (
    ACCENT,
    GRID,
    HEADER_FILL,
    INK,
    MUTED,
    RULE,
    ZEBRA,
    build_pdf,
    draw_letterhead,
    esc,
    frame_width,
    signature_block,
)
from .pdf import styles as pdf_styles

TITLE = "STANDAR PELAYANAN"
MAKLUMAT_TITLE = "MAKLUMAT PELAYANAN"


def _day(ctx: Context, book: StandardsBook) -> date:
    return book.settings.penetapan() or ctx.printed_at.date()


def _styles(size: float = 7.8) -> dict[str, ParagraphStyle]:
    st = pdf_styles()
    body = ParagraphStyle("std", parent=st["body"], fontSize=size, leading=size * 1.24)
    return {
        "body": body,
        "bold": ParagraphStyle("stdb", parent=body, fontName=SANS_BOLD),
        "item": ParagraphStyle("stdi", parent=body, leftIndent=11, firstLineIndent=-11),
        "sub": ParagraphStyle("stds", parent=body, leftIndent=22, firstLineIndent=-10),
        "head": ParagraphStyle("stdh", parent=body, fontName=SANS_BOLD, alignment=TA_CENTER),
        "note": st["note"],
        "h2": ParagraphStyle("stdh2", parent=st["h2"], spaceBefore=0),
    }


def item_paragraphs(
    items: tuple[Item, ...], st: dict[str, ParagraphStyle], *, numbered: bool = True
) -> list[Flowable]:
    """Items as paragraphs: "1. …" (a single item unnumbered), alternatives as "a. …"."""
    out: list[Flowable] = []
    for i, item in enumerate(items, start=1):
        mark = f"{i}. " if numbered and len(items) > 1 else ""
        out.append(Paragraph(esc(mark + item.text), st["item"] if mark else st["body"]))
        for j, sub in enumerate(item.sub):
            out.append(Paragraph(esc(f"{chr(ord('a') + j)}. {sub}"), st["sub"]))
    return out or [Paragraph("-", st["body"])]


def _component_rows(std: ServiceStandard, st: dict[str, ParagraphStyle]) -> list[list[object]]:
    rows: list[list[object]] = [
        [
            Paragraph("No", st["head"]),
            Paragraph("Komponen", st["head"]),
            Paragraph("Uraian", st["head"]),
        ]
    ]
    for c in std.components:
        rows.append(
            [
                Paragraph(str(c.no), st["head"]),
                Paragraph(esc(c.title), st["bold"]),
                item_paragraphs(c.items, st),
            ]
        )
    return rows


def component_table(std: ServiceStandard, width: float, size: float = 7.8) -> Table:
    st = _styles(size)
    widths = [22.0, 118.0, width - 140.0]
    return Table(
        _component_rows(std, st),
        colWidths=widths,
        repeatRows=1,
        style=TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("GRID", (0, 0), (-1, -1), 0.35, GRID),
                ("BOX", (0, 0), (-1, -1), 0.8, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LEFTPADDING", (0, 0), (-1, -1), 3.5),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3.5),
                *[
                    ("BACKGROUND", (0, r), (-1, r), ZEBRA)
                    for r in range(2, len(std.components) + 1, 2)
                ],
            ]
        ),
    )


def _fingerprint_note(std: ServiceStandard) -> str:
    return (
        "Komponen persyaratan, prosedur, jangka waktu, produk dan penanganan pengaduan "
        f"dibuat langsung dari SOP yang dijalankan SiPelayanan (SOP nomor {std.sop_number}, "
        f"versi {std.version}, sidik jari {std.fingerprint[:12]})."
    )


# --------------------------------------------------------------------------- A4 per service


def _service_pdf(std: ServiceStandard, book: StandardsBook, ctx: Context) -> bytes:
    """One service's standar: its own letterhead, page count and signature."""
    width = frame_width(False)
    st = _styles()
    contact = f"WhatsApp layanan {std.wa_number} · " if std.wa_number else ""
    story: list[Flowable] = [
        Paragraph(esc(std.name), st["h2"]),
        Paragraph(esc(f"{contact}SOP nomor {std.sop_number}"), st["note"]),
        Spacer(1, 4),
        component_table(std, width),
        Spacer(1, 3),
        Paragraph(esc(_fingerprint_note(std)), st["note"]),
        signature_block(ctx.profile, ctx.place, _day(ctx, book), width),
    ]
    meta = ctx.doc_meta(TITLE, f"{std.name} · ditetapkan {fmt.tanggal(_day(ctx, book))}")
    return build_pdf(meta, story)


def _join(parts: list[bytes]) -> bytes:
    """The PDFs one after another (pypdfium2, already a dependency for rendering pages)."""
    import pypdfium2 as pdfium

    joined = pdfium.PdfDocument.new()
    for part in parts:
        joined.import_pages(pdfium.PdfDocument(part))
    out = io.BytesIO()
    joined.save(out)
    return out.getvalue()


def render_pdf(
    session: Session, ctx: Context, period: object, service: str | None, progress: Progress
) -> tuple[bytes, int]:
    """The standar pelayanan of one service (``service``) or of every service: each its own
    sheet under the letterhead, signed by the Kepala Dinas, so any one can be posted alone."""
    book = standards(session, service)
    progress.to(30)
    parts = []
    for i, std in enumerate(book.standards):
        parts.append(_service_pdf(std, book, ctx))
        progress.to(30 + 60 * (i + 1) // len(book.standards))
    data = parts[0] if len(parts) == 1 else _join(parts)
    return data, len(book.standards)


# --------------------------------------------------------------------------- maklumat


def maklumat_story(book: StandardsBook, ctx: Context, width: float) -> list[Flowable]:
    st = pdf_styles()
    promise = ParagraphStyle(
        "maklumat",
        parent=st["body"],
        fontName=SANS_BOLD,
        fontSize=17,
        leading=25,
        alignment=TA_CENTER,
        textColor=INK,
    )
    box = Table(
        [[Paragraph(esc(book.settings.maklumat), promise)]],
        colWidths=[width - 40],
        style=TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.6, ACCENT),
                ("INNERGRID", (0, 0), (-1, -1), 0, ACCENT),
                ("TOPPADDING", (0, 0), (-1, -1), 28),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 30),
                ("LEFTPADDING", (0, 0), (-1, -1), 24),
                ("RIGHTPADDING", (0, 0), (-1, -1), 24),
            ]
        ),
    )
    services_line = ", ".join(s.name for s in book.standards)
    note = ParagraphStyle(
        "maknote", parent=st["body"], fontSize=9, leading=12, alignment=TA_JUSTIFY
    )
    return [
        Spacer(1, 40),
        box,
        Spacer(1, 18),
        Paragraph(
            esc(
                "Standar pelayanan yang dimaksud berlaku untuk pelayanan online WhatsApp: "
                f"{services_line}. Standar pelayanan tiap layanan dapat dibaca di ruang "
                "pelayanan dan di situs status kantor."
            ),
            note,
        ),
        signature_block(ctx.profile, ctx.place, _day(ctx, book), width),
    ]


def _render_maklumat(
    session: Session, ctx: Context, period: object, service: str | None, progress: Progress
) -> tuple[bytes, int]:
    book = standards(session)
    progress.to(50)
    width = frame_width(False)
    meta = ctx.doc_meta(MAKLUMAT_TITLE, f"{ctx.profile.name} · {fmt.tanggal(_day(ctx, book))}")
    return build_pdf(meta, maklumat_story(book, ctx, width)), 1


# --------------------------------------------------------------------------- poster


POSTER_SIZE = landscape(A3)
_CARD_KEYS = ("persyaratan", "jangka_waktu", "biaya", "produk")


def _card_flow(std: ServiceStandard, size: float) -> list[Flowable]:
    st = _styles(size)
    head = ParagraphStyle(
        "cardhead", parent=st["bold"], fontSize=size * 1.35, leading=size * 1.6, textColor=ACCENT
    )
    label = ParagraphStyle("cardlabel", parent=st["bold"], spaceBefore=size * 0.5, textColor=INK)
    flow: list[Flowable] = [Paragraph(esc(std.name), head)]
    if std.wa_number:
        flow.append(Paragraph(esc(f"WhatsApp {std.wa_number}"), st["bold"]))
    for key in _CARD_KEYS:
        component: Component = std.component(key)
        flow.append(Paragraph(esc(component.title), label))
        items = component.items[:1] if key == "jangka_waktu" else component.items
        flow += item_paragraphs(items, st)
    return flow


def _height(flow: list[Flowable], width: float) -> float:
    total = 0.0
    for f in flow:
        _w, h = f.wrap(width, 10_000)
        total += h + f.getSpaceBefore() + f.getSpaceAfter()
    return total


def card_font_size(book: StandardsBook, width: float, height: float) -> float:
    """The largest font (one size for every card, 11 pt down to 6 pt) at which every service's
    card fits its box."""
    size = 11.0
    while size > 6.0:
        if all(_height(_card_flow(std, size), width) <= height for std in book.standards):
            return size
        size -= 0.25
    return size


def _card(std: ServiceStandard, width: float, height: float, size: float) -> list[Flowable]:
    return [KeepInFrame(width, height, _card_flow(std, size), mode="shrink")]


def _render_poster(
    session: Session, ctx: Context, period: object, service: str | None, progress: Progress
) -> tuple[bytes, int]:
    register_fonts()
    book = standards(session)
    progress.to(30)
    pw, ph = POSTER_SIZE
    margin = 14 * mm
    buf = io.BytesIO()
    c = rl_canvas.Canvas(buf, pagesize=POSTER_SIZE)
    c.setTitle("Standar Pelayanan dan Maklumat Pelayanan")
    c.setAuthor(ctx.profile.name)
    c.setCreator("SiPelayanan")
    width = pw - 2 * margin
    top = ph - margin
    used = draw_letterhead(c, ctx.profile, margin, top, width, scale=1.35)
    y = top - used - 30
    c.setFillColor(INK)
    c.setFont(SANS_BOLD, 24)
    c.drawCentredString(pw / 2, y, "STANDAR PELAYANAN PUBLIK")
    c.setFont(SANS, 12)
    c.setFillColor(MUTED)
    c.drawCentredString(
        pw / 2,
        y - 17,
        "Pelayanan online melalui WhatsApp — UU 25/2009 dan PermenPANRB 15/2014",
    )
    y -= 32
    footer_h = 30.0
    cols = 4
    rows = (len(book.standards) + 1 + cols - 1) // cols  # + the maklumat card
    gap = 8.0
    card_w = (width - gap * (cols - 1)) / cols
    card_h = (y - margin - footer_h - gap * (rows - 1)) / rows
    cells = [*book.standards, None]
    size = card_font_size(book, card_w - 16, card_h - 13)
    for i, std in enumerate(cells):
        col, row = i % cols, i // cols
        x0 = margin + col * (card_w + gap)
        y0 = y - (row + 1) * card_h - row * gap
        c.setStrokeColor(ACCENT if std is None else RULE)
        c.setLineWidth(1.4 if std is None else 0.7)
        c.setFillColor(HEADER_FILL if std is None else ZEBRA)
        c.roundRect(x0, y0, card_w, card_h, 5, stroke=1, fill=1)
        frame = Frame(
            x0,
            y0,
            card_w,
            card_h,
            leftPadding=8,
            rightPadding=8,
            topPadding=7,
            bottomPadding=6,
            showBoundary=0,
        )
        inner_w, inner_h = card_w - 16, card_h - 13
        if std is None:
            frame.addFromList(_maklumat_card(book, ctx, inner_w, inner_h), c)
        else:
            frame.addFromList(_card(std, inner_w, inner_h, size), c)
        progress.to(30 + 60 * (i + 1) // len(cells))
    _poster_footer(c, book, ctx, margin, width, footer_h)
    c.showPage()
    c.save()
    return buf.getvalue(), len(book.standards)


def _maklumat_card(
    book: StandardsBook, ctx: Context, width: float, height: float
) -> list[Flowable]:
    st = _styles(9)
    head = ParagraphStyle(
        "mkhead", parent=st["bold"], fontSize=13, leading=16, alignment=TA_CENTER, textColor=ACCENT
    )
    promise = ParagraphStyle(
        "mkbody", parent=st["bold"], fontSize=11, leading=15, alignment=TA_CENTER
    )
    sign = ParagraphStyle(
        "mksign", parent=st["body"], alignment=TA_CENTER, fontSize=9, leading=11.5
    )
    name = ctx.profile.kepala_dinas.strip() or "(" + "." * 40 + ")"
    nip = ctx.profile.kepala_dinas_nip.strip() or "." * 30
    flow: list[Flowable] = [
        Paragraph(MAKLUMAT_TITLE, head),
        Spacer(1, 6),
        Paragraph(esc(book.settings.maklumat), promise),
        Spacer(1, 10),
        Paragraph(esc(f"{ctx.place}, {fmt.tanggal(_day(ctx, book))}"), sign),
        Paragraph(esc(f"Kepala {ctx.profile.name}"), sign),
        Spacer(1, 30),
        Paragraph(f"<u><b>{esc(name)}</b></u>", sign),
        Paragraph(esc(f"NIP. {nip}"), sign),
    ]
    return [KeepInFrame(width, height, flow, mode="shrink")]


def _poster_footer(
    c: rl_canvas.Canvas, book: StandardsBook, ctx: Context, x: float, width: float, height: float
) -> None:
    """The complaint channels in a band across the bottom, and when it was printed."""
    complaint = book.standards[0].component("pengaduan") if book.standards else None
    # the channels: the complaints WhatsApp number (first item) and the admin's other channels
    channels = [complaint.items[0].text] if complaint and complaint.items else []
    text = "; ".join([*channels, *book.settings.items("pengaduan_lain")])
    bottom = 14 * mm
    c.setFillColor(ACCENT)
    c.roundRect(x, bottom, width, height - 6, 4, stroke=0, fill=1)
    c.setFillColor(HEADER_FILL)
    c.setFont(SANS_BOLD, 10)
    base = bottom + (height - 6) / 2 - 3.5
    c.drawString(x + 10, base, "Pengaduan, saran dan masukan:")
    size = 9.5
    room = width - 190
    while size > 6 and stringWidth(text, SANS, size) > room:
        size -= 0.25
    c.setFont(SANS, size)
    c.drawString(x + 180, base, text)
    c.setFillColor(MUTED)
    c.setFont(SANS, 7)
    c.drawString(x, bottom - 10, "Halaman 1 dari 1")
    c.drawRightString(
        x + width,
        bottom - 10,
        f"Dicetak dengan SiPelayanan dari SOP yang dijalankan aplikasi, "
        f"{fmt.waktu(ctx.printed_at, hari=False)}",
    )


#: The poster and the maklumat as report "modules" (see :func:`sipelayanan.reports._render`).
POSTER = SimpleNamespace(render_pdf=_render_poster)
MAKLUMAT = SimpleNamespace(render_pdf=_render_maklumat)
