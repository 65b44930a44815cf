"""Drawing surfaces shared by the documents, and the one letterhead (kop surat).

A layout is written once against :class:`Painter` (top-down coordinates in points) and painted
on a PDF canvas (:class:`PdfPainter`), a PNG (:class:`PngPainter`) or nowhere, to measure it
(:class:`NullPainter`). :func:`letterhead` draws the office's kop surat on any of them: the tanda
terima (A5 and the WhatsApp PNG) and every A4 report (through ``pdf.draw_letterhead``) use it,
each with its own :class:`LetterheadLook`.
"""

from __future__ import annotations

import base64
import binascii
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ..services.office import OfficeProfile
from .common import split_office_name
from .fonts import Style, pil_font

log = logging.getLogger("sipelayanan.reports")

INK = "#1a1a1a"
RULE = "#333333"

#: A QR code's modules, row by row (True: dark).
Matrix = tuple[tuple[bool, ...], ...]


class Painter(Protocol):
    """Top-down coordinates in points; ``y`` of text is its baseline."""

    def text(
        self,
        x: float,
        y: float,
        s: str,
        style: Style,
        size: float,
        color: str = INK,
        align: str = "left",
    ) -> None: ...

    def rect(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        *,
        fill: str | None = None,
        stroke: str | None = None,
        width: float = 0.5,
        radius: float = 0,
    ) -> None: ...

    def line(
        self, x1: float, y1: float, x2: float, y2: float, color: str, width: float
    ) -> None: ...

    def polyline(self, points: Sequence[tuple[float, float]], color: str, width: float) -> None: ...

    def image(self, raw: bytes, x: float, y: float, w: float, h: float) -> None: ...

    def modules(self, matrix: Matrix, x: float, y: float, size: float) -> None: ...


def text_width(s: str, style: Style, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from .fonts import _FILES

    return float(stringWidth(s, _FILES[style][0], size))


def wrap(s: str, style: Style, size: float, width: float) -> list[str]:
    from reportlab.lib.utils import simpleSplit

    from .fonts import _FILES

    return list(simpleSplit(s, _FILES[style][0], size, width)) or [""]


def runs(row: Sequence[bool]) -> list[tuple[int, int]]:
    """(start, length) of each run of dark modules in a row."""
    out: list[tuple[int, int]] = []
    start = -1
    for i, dark in enumerate([*row, False]):
        if dark and start < 0:
            start = i
        elif not dark and start >= 0:
            out.append((start, i - start))
            start = -1
    return out


class PdfPainter:
    def __init__(self, canvas: Any, page_height: float) -> None:
        from reportlab.lib.colors import HexColor

        self.c = canvas
        self.h = page_height
        self._color = HexColor

    def text(
        self,
        x: float,
        y: float,
        s: str,
        style: Style,
        size: float,
        color: str = INK,
        align: str = "left",
    ) -> None:
        from .fonts import _FILES

        self.c.setFillColor(self._color(color))
        self.c.setFont(_FILES[style][0], size)
        yy = self.h - y
        if align == "center":
            self.c.drawCentredString(x, yy, s)
        elif align == "right":
            self.c.drawRightString(x, yy, s)
        else:
            self.c.drawString(x, yy, s)

    def rect(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        *,
        fill: str | None = None,
        stroke: str | None = None,
        width: float = 0.5,
        radius: float = 0,
    ) -> None:
        if fill:
            self.c.setFillColor(self._color(fill))
        if stroke:
            self.c.setStrokeColor(self._color(stroke))
            self.c.setLineWidth(width)
        if radius:
            self.c.roundRect(
                x, self.h - y - h, w, h, radius, stroke=int(bool(stroke)), fill=int(bool(fill))
            )
        else:
            self.c.rect(x, self.h - y - h, w, h, stroke=int(bool(stroke)), fill=int(bool(fill)))

    def line(self, x1: float, y1: float, x2: float, y2: float, color: str, width: float) -> None:
        self.c.setStrokeColor(self._color(color))
        self.c.setLineWidth(width)
        self.c.line(x1, self.h - y1, x2, self.h - y2)

    def polyline(self, points: Sequence[tuple[float, float]], color: str, width: float) -> None:
        self.c.setStrokeColor(self._color(color))
        self.c.setLineWidth(width)
        self.c.setLineCap(1)
        self.c.setLineJoin(1)
        p = self.c.beginPath()
        p.moveTo(points[0][0], self.h - points[0][1])
        for x, y in points[1:]:
            p.lineTo(x, self.h - y)
        self.c.drawPath(p, stroke=1, fill=0)

    def image(self, raw: bytes, x: float, y: float, w: float, h: float) -> None:
        from reportlab.lib.utils import ImageReader

        self.c.drawImage(ImageReader(io.BytesIO(raw)), x, self.h - y - h, w, h, mask="auto")

    def modules(self, matrix: Matrix, x: float, y: float, size: float) -> None:
        n = len(matrix)
        m = size / n
        self.c.setFillColor(self._color("#000000"))
        p = self.c.beginPath()
        for r, row in enumerate(matrix):
            for start, length in runs(row):
                p.rect(x + start * m, self.h - y - (r + 1) * m, length * m, m)
        self.c.drawPath(p, stroke=0, fill=1)


class PngPainter:
    def __init__(self, width_pt: float, height_pt: float, scale: float) -> None:
        from PIL import Image, ImageDraw

        self.k = scale
        self.img = Image.new("RGB", (round(width_pt * scale), round(height_pt * scale)), "white")
        self.d = ImageDraw.Draw(self.img)

    def _p(self, v: float) -> int:
        return round(v * self.k)

    def text(
        self,
        x: float,
        y: float,
        s: str,
        style: Style,
        size: float,
        color: str = INK,
        align: str = "left",
    ) -> None:
        anchor = {"left": "ls", "center": "ms", "right": "rs"}[align]
        font = pil_font(style, max(1, round(size * self.k)))
        self.d.text((x * self.k, y * self.k), s, font=font, fill=color, anchor=anchor)  # type: ignore[arg-type]

    def rect(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        *,
        fill: str | None = None,
        stroke: str | None = None,
        width: float = 0.5,
        radius: float = 0,
    ) -> None:
        box = (self._p(x), self._p(y), self._p(x + w), self._p(y + h))
        line = max(1, round(width * self.k)) if stroke else 0
        if radius:
            self.d.rounded_rectangle(
                box, radius=self._p(radius), fill=fill, outline=stroke, width=line
            )
        else:
            self.d.rectangle(box, fill=fill, outline=stroke, width=line)

    def line(self, x1: float, y1: float, x2: float, y2: float, color: str, width: float) -> None:
        self.d.line(
            (self._p(x1), self._p(y1), self._p(x2), self._p(y2)),
            fill=color,
            width=max(1, round(width * self.k)),
        )

    def polyline(self, points: Sequence[tuple[float, float]], color: str, width: float) -> None:
        self.d.line(
            [(self._p(x), self._p(y)) for x, y in points],
            fill=color,
            width=max(1, round(width * self.k)),
            joint="curve",
        )

    def image(self, raw: bytes, x: float, y: float, w: float, h: float) -> None:
        from PIL import Image

        logo = Image.open(io.BytesIO(raw)).convert("RGBA")
        logo = logo.resize((max(1, self._p(w)), max(1, self._p(h))))
        self.img.paste(logo, (self._p(x), self._p(y)), logo)

    def modules(self, matrix: Matrix, x: float, y: float, size: float) -> None:
        n = len(matrix)
        # whole pixels per module so every module has the same size: crisp and decodable
        px = max(1, int(size * self.k) // n)
        shift = (round(size * self.k) - px * n) // 2
        x0, y0 = self._p(x) + shift, self._p(y) + shift
        for r, row in enumerate(matrix):
            for start, length in runs(row):
                self.d.rectangle(
                    (
                        x0 + start * px,
                        y0 + r * px,
                        x0 + (start + length) * px - 1,
                        y0 + (r + 1) * px - 1,
                    ),
                    fill="#000000",
                )


class NullPainter:
    """Measures a layout without drawing it."""

    def text(self, *a: Any, **k: Any) -> None: ...
    def rect(self, *a: Any, **k: Any) -> None: ...
    def line(self, *a: Any, **k: Any) -> None: ...
    def polyline(self, *a: Any, **k: Any) -> None: ...
    def image(self, *a: Any, **k: Any) -> None: ...
    def modules(self, *a: Any, **k: Any) -> None: ...


# --------------------------------------------------------------------------- letterhead


@dataclass(frozen=True)
class LetterheadLook:
    """Sizes of one kind of kop surat, in points at scale 1."""

    name_size: float  # the office's name before fitting
    whole_min: float  # the name stays on one line down to this size, then splits
    part_min: float  # the smallest size of a line of a split name (absolute)
    parent_ratio: float  # the parent government's line, relative to the name
    address_size: float
    logo_box: float
    logo_gap: float
    below_text: float  # from the last line to the rules
    rule: float
    rule_thin: float
    rule_gap: float
    rule_color: str


#: The A5 tanda terima and its PNG.
RECEIPT_LOOK = LetterheadLook(11.5, 11.5, 5, 0.87, 7, 40, 6, 4, 1.6, 0.5, 2.2, RULE)
#: The A4 reports, the standar pelayanan and the maklumat.
DOCUMENT_LOOK = LetterheadLook(15, 12, 7, 0.84, 8.5, 56, 8, 5, 2.0, 0.6, 2.6, INK)


def logo_bytes(profile: OfficeProfile) -> tuple[bytes, float] | None:
    """The office logo (base64 PNG/JPEG in the profile) and its width/height ratio, or None when
    absent or unreadable (the letterhead is then printed without it)."""
    if not profile.logo_png.strip():
        return None
    try:
        raw = base64.b64decode(profile.logo_png, validate=False)
        from PIL import Image

        with Image.open(io.BytesIO(raw)) as im:
            w, h = im.size
        return raw, w / max(h, 1)
    except (binascii.Error, ValueError, OSError) as exc:
        log.warning("office logo unreadable, letterhead printed without it: %s", type(exc).__name__)
        return None
    except Exception as exc:  # PIL raises assorted errors on a corrupt image
        log.warning("office logo unreadable, letterhead printed without it: %s", type(exc).__name__)
        return None


def fit_size(s: str, style: Style, size: float, width: float, minimum: float) -> float:
    """The largest size from ``size`` down (by 0.25 pt, not below ``minimum``) at which ``s``
    fits ``width``."""
    while size > minimum and text_width(s, style, size) > width:
        size -= 0.25
    return size


def letterhead(
    p: Painter,
    profile: OfficeProfile,
    x: float,
    y: float,
    w: float,
    look: LetterheadLook,
    k: float = 1.0,
) -> float:
    """Draw the kop surat with its top edge at ``y``: the parent government, the office's name
    (split into lines where it is long), the address, the logo at the left and the double rule.
    Returns the ``y`` just below it."""
    logo = logo_bytes(profile)
    box = look.logo_box * k
    text_w = w - (2 * (box + look.logo_gap * k) if logo else 0)
    cx = x + w / 2
    top = y
    name = profile.name.strip().upper()
    size = fit_size(name, "serif_bold", look.name_size * k, text_w, look.whole_min * k)
    fits = text_width(name, "serif_bold", size) <= text_w
    parts = [name] if fits else split_office_name(name)
    size = min(
        fit_size(part, "serif_bold", look.name_size * k, text_w, look.part_min) for part in parts
    )
    lines: list[tuple[str, Style, float]] = []
    parent = profile.parent.strip().upper()
    if parent:  # the parent government line never outranks the office's own name
        parent_size = fit_size(
            parent, "serif_bold", size * look.parent_ratio, text_w, look.part_min
        )
        lines.append((parent, "serif_bold", parent_size))
    lines += [(part, "serif_bold", size) for part in parts]
    address = [
        line
        for line in wrap(
            " ".join(profile.address.split()), "regular", look.address_size * k, text_w
        )[:2]
        if line
    ]
    if address:
        lines.append(("", "regular", 1.5 * k))
    lines += [(line, "regular", look.address_size * k) for line in address]
    for text, style, sz in lines:
        y += sz * 1.18
        if text:
            p.text(cx, y, text, style, sz, align="center")
    y += look.below_text * k
    if logo:
        raw, ratio = logo
        box = min(box, y - top - look.below_text * k)  # clear of the rules below
        lw, lh = (box * ratio, box) if ratio <= 1 else (box, box / ratio)
        p.image(raw, x, top + (y - top - lh) / 2, lw, lh)
    p.line(x, y, x + w, y, look.rule_color, look.rule * k)
    p.line(
        x, y + look.rule_gap * k, x + w, y + look.rule_gap * k, look.rule_color, look.rule_thin * k
    )
    return y + look.rule_gap * k
