"""Draw the SiPelayanan app icon and write ``resources/icons/app.ico`` and ``app.png``.

The icon: a blue rounded square (the office), a white berkas (document) and a green badge with a
check mark (the request finished within the SOP). Drawn large and scaled down per size, with a
simpler drawing for 16-24 px where text lines would turn to mud.

Run from the repository root: ``python installer/make_icon.py`` (Pillow only). The output is
committed; rerun after changing the drawing.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
ICON_DIR = ROOT / "resources" / "icons"

ICO_SIZES = (16, 20, 24, 32, 40, 48, 64, 96, 128, 256)
PNG_SIZE = 512
CANVAS = 1024  # drawing size; every output is a high-quality downscale of it

BLUE_TOP = (30, 118, 214)
BLUE_BOTTOM = (12, 62, 140)
PAPER = (255, 255, 255)
PAPER_SHADE = (214, 226, 242)
INK = (128, 152, 186)
GREEN = (22, 163, 74)
GREEN_DARK = (16, 124, 56)


def _gradient(size: int, top: tuple[int, int, int], bottom: tuple[int, int, int]) -> Image.Image:
    column = Image.new("RGB", (1, size))
    for y in range(size):
        t = y / (size - 1)
        column.putpixel(
            (0, y), tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        )
    return column.resize((size, size), Image.Resampling.NEAREST)


def draw(simple: bool) -> Image.Image:
    """The icon at CANVAS px, RGBA. ``simple`` drops the text lines for the smallest sizes."""
    s = CANVAS
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))

    # Background: rounded square with a vertical gradient.
    margin = round(s * 0.03)
    mask = Image.new("L", (s, s), 0)
    ImageDraw.Draw(mask).rounded_rectangle(
        (margin, margin, s - margin, s - margin), radius=round(s * 0.2), fill=255
    )
    img.paste(_gradient(s, BLUE_TOP, BLUE_BOTTOM), (0, 0), mask)
    d = ImageDraw.Draw(img)

    # The berkas: a sheet with a folded corner, slightly left of centre.
    left, top, right, bottom = 0.22 * s, 0.15 * s, 0.70 * s, 0.82 * s
    fold = 0.14 * s
    d.polygon(
        [(left, top), (right - fold, top), (right, top + fold), (right, bottom), (left, bottom)],
        fill=PAPER,
    )
    corner = [(right - fold, top), (right, top + fold), (right - fold, top + fold)]
    d.polygon(corner, fill=PAPER_SHADE)

    # Text lines (a form being filled in), omitted at tiny sizes.
    x0 = left + 0.06 * s
    if simple:
        rows = [(0.31, 0.30), (0.45, 0.22)]
        thickness = 0.07 * s
    else:
        rows = [(0.27, 0.22), (0.36, 0.34), (0.45, 0.34), (0.54, 0.26), (0.63, 0.18)]
        thickness = 0.04 * s
    for y, length in rows:
        d.rounded_rectangle(
            (x0, y * s, x0 + length * s, y * s + thickness), radius=thickness / 2, fill=INK
        )

    # The badge: a green disc with a white check mark, bottom right, overlapping the sheet.
    cx, cy, r = 0.69 * s, 0.70 * s, 0.23 * s
    ring = 0.035 * s
    d.ellipse((cx - r - ring, cy - r - ring, cx + r + ring, cy + r + ring), fill=BLUE_BOTTOM)
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=GREEN)
    d.ellipse(
        (cx - r * 0.86, cy - r * 0.86, cx + r * 0.86, cy + r * 0.86),
        outline=GREEN_DARK,
        width=max(1, round(0.012 * s)),
    )
    check = [
        (cx - 0.48 * r, cy + 0.02 * r),
        (cx - 0.12 * r, cy + 0.38 * r),
        (cx + 0.52 * r, cy - 0.36 * r),
    ]
    d.line(check, fill=PAPER, width=round(0.2 * r), joint="curve")
    for px, py in (check[0], check[-1]):  # round caps
        w = 0.1 * r
        d.ellipse((px - w, py - w, px + w, py + w), fill=PAPER)
    return img


def render(size: int) -> Image.Image:
    return draw(simple=size <= 24).resize((size, size), Image.Resampling.LANCZOS)


def write_icons(out_dir: Path = ICON_DIR) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    images = [render(size) for size in ICO_SIZES]
    ico = out_dir / "app.ico"
    largest = images[-1]
    largest.save(ico, format="ICO", sizes=[(n, n) for n in ICO_SIZES], append_images=images[:-1])
    png = out_dir / "app.png"
    render(PNG_SIZE).save(png, format="PNG", optimize=True)
    return ico, png


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ICON_DIR, help="output folder")
    args = parser.parse_args()
    for path in write_icons(args.out):
        print(path)


if __name__ == "__main__":
    main()
