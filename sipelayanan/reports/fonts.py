"""The TrueType fonts shipped in ``resources/fonts`` (Liberation, SIL OFL 1.1), registered once
for ReportLab and opened for Pillow. Documents never use a system font, so a PDF or PNG is the
same on every PC."""

from __future__ import annotations

from functools import cache
from typing import Literal

from ..errors import SipelayananError
from ..resources import resource_path

SANS = "SiPSans"
SANS_BOLD = "SiPSans-Bold"
SANS_ITALIC = "SiPSans-Italic"
SANS_BOLD_ITALIC = "SiPSans-BoldItalic"
SERIF_BOLD = "SiPSerif-Bold"

Style = Literal["regular", "bold", "italic", "bold_italic", "serif_bold"]

_FILES: dict[Style, tuple[str, str]] = {
    "regular": (SANS, "LiberationSans-Regular.ttf"),
    "bold": (SANS_BOLD, "LiberationSans-Bold.ttf"),
    "italic": (SANS_ITALIC, "LiberationSans-Italic.ttf"),
    "bold_italic": (SANS_BOLD_ITALIC, "LiberationSans-BoldItalic.ttf"),
    "serif_bold": (SERIF_BOLD, "LiberationSerif-Bold.ttf"),
}


class FontMissing(SipelayananError):
    pass


def font_file(style: Style) -> str:
    path = resource_path("fonts", _FILES[style][1])
    if not path.is_file():
        raise FontMissing(
            f"Huruf cetak {path.name} tidak ditemukan di folder aplikasi; instalasi tidak "
            "lengkap. Pasang ulang SiPelayanan."
        )
    return str(path)


@cache
def register_fonts() -> None:
    """Register the fonts with ReportLab (idempotent) and make ``SiPSans`` a family so that
    ``<b>``/``<i>`` in paragraphs pick the right face. Also sets ReportLab to write binary
    streams (see below)."""
    from reportlab import rl_config
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    # Binary (Flate only) page streams: ASCII85 on top only serves 7-bit mail transport, makes
    # files a quarter larger and costs a pure-Python pass over every page of a long register.
    rl_config.useA85 = 0

    for style, (name, _file) in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, font_file(style)))
    addMapping(SANS, 0, 0, SANS)
    addMapping(SANS, 1, 0, SANS_BOLD)
    addMapping(SANS, 0, 1, SANS_ITALIC)
    addMapping(SANS, 1, 1, SANS_BOLD_ITALIC)
    pdfmetrics.registerFontFamily(
        SANS, normal=SANS, bold=SANS_BOLD, italic=SANS_ITALIC, boldItalic=SANS_BOLD_ITALIC
    )


@cache
def pil_font(style: Style, size: int) -> object:
    """A Pillow ``FreeTypeFont`` of the shipped font at ``size`` pixels."""
    from PIL import ImageFont

    return ImageFont.truetype(font_file(style), size)
