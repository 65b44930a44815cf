"""The bare-engine side of the document figures: the same rows drawn straight onto a ReportLab
canvas (one ``drawString`` per cell, same embedded fonts, same page size), and a receipt as
canvas text plus a QR code, or Pillow text plus ``qrcode`` for the PNG. No platypus, no layout
engine, no wrapping: the floor any PDF of that content costs on this machine."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from reportlab.lib.pagesizes import A4, A5, landscape
from reportlab.pdfgen.canvas import Canvas

from sipelayanan.reports.fonts import SANS, SANS_BOLD, register_fonts

ROW_H = 11.0
MARGIN = 36.0


def table_pdf(
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    widths: Sequence[float],
    *,
    wide: bool = True,
) -> bytes:
    """Rows as a plain grid of text, a header on every page, page numbers at the foot."""
    register_fonts()
    size = landscape(A4) if wide else A4
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=size)
    page = 1
    top = size[1] - MARGIN

    def head() -> float:
        c.setFont(SANS_BOLD, 11)
        c.drawString(MARGIN, top, title)
        c.setFont(SANS_BOLD, 7.5)
        x = MARGIN
        for text, w in zip(header, widths, strict=True):
            c.drawString(x, top - 18, text)
            x += w
        c.line(MARGIN, top - 21, size[0] - MARGIN, top - 21)
        c.setFont(SANS, 7.5)
        return float(top - 32)

    y = head()
    for row in rows:
        if y < MARGIN + 14:
            c.setFont(SANS, 7)
            c.drawRightString(size[0] - MARGIN, MARGIN - 12, f"Halaman {page}")
            c.showPage()
            page += 1
            y = head()
        x = MARGIN
        for value, w in zip(row, widths, strict=True):
            c.drawString(x, y, str(value)[: int(w / 3.6)])
            x += w
        y -= ROW_H
    c.setFont(SANS, 7)
    c.drawRightString(size[0] - MARGIN, MARGIN - 12, f"Halaman {page}")
    c.showPage()
    c.save()
    return buf.getvalue()


def receipt_pdf(lines: Sequence[str], qr_text: str) -> bytes:
    """An A5 receipt: a title, text lines and a vector QR code."""
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing

    register_fonts()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A5)
    y = A5[1] - MARGIN
    c.setFont(SANS_BOLD, 13)
    c.drawString(MARGIN, y, "TANDA TERIMA PERMOHONAN")
    y -= 22
    c.setFont(SANS, 9)
    for line in lines:
        c.drawString(MARGIN, y, line)
        y -= 13
    widget = QrCodeWidget(qr_text)
    x0, y0, x1, y1 = widget.getBounds()
    side = 110.0
    drawing = Drawing(side, side, transform=[side / (x1 - x0), 0, 0, side / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, c, A5[0] - MARGIN - side, MARGIN)
    c.showPage()
    c.save()
    return buf.getvalue()


def receipt_png(lines: Sequence[str], qr_text: str) -> bytes:
    """The WhatsApp receipt: 1080 pixels wide, text lines and a QR code, PNG."""
    import qrcode
    from PIL import Image, ImageDraw, ImageFont

    from sipelayanan.reports.fonts import font_file

    width, height = 1080, 160 + 46 * len(lines) + 520
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    bold = ImageFont.truetype(font_file("bold"), 48)
    regular = ImageFont.truetype(font_file("regular"), 34)
    draw.text((60, 50), "TANDA TERIMA PERMOHONAN", font=bold, fill="black")
    y = 140
    for line in lines:
        draw.text((60, y), line, font=regular, fill="black")
        y += 46
    qr = qrcode.QRCode(border=2, box_size=12)
    qr.add_data(qr_text)
    qr.make(fit=True)
    code_img = qr.make_image().get_image().convert("RGB")
    img.paste(code_img, ((width - code_img.width) // 2, y + 20))
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=3)  # as the app's receipt
    return buf.getvalue()
