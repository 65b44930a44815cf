"""The standar pelayanan and the maklumat as static pages of the status site (``layanan/``):

    layanan/index.html        every service, with its WhatsApp number and time standard
    layanan/<code>.html       one service's fourteen components
    layanan/maklumat.html     the maklumat pelayanan

Built from :func:`sipelayanan.services.standar.standards`, like the PDFs. No personal data: no
request, no pemohon, and the maklumat names the Kepala Dinas by office only (no name, no NIP).
A page carries no build time, so an unchanged standard is neither rewritten nor re-published.
"""

from __future__ import annotations

import html
from pathlib import Path
from string import Template

from sqlalchemy.orm import Session

from ..resources import resource_path
from ..services.standar import Item, ServiceStandard, StandardsBook, standards

PAGES_DIR = "layanan"
TEMPLATE = "layanan.html"


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def page_name(code: str) -> str:
    return f"{code.lower()}.html"


def _items(items: tuple[Item, ...]) -> str:
    if not items:
        return "-"
    if len(items) == 1 and not items[0].sub:
        return _e(items[0].text)
    out = ["<ol>"]
    for item in items:
        sub = "".join(f"<li>{_e(s)}</li>" for s in item.sub)
        out.append(f"<li>{_e(item.text)}" + (f"<ol>{sub}</ol>" if sub else "") + "</li>")
    out.append("</ol>")
    return "".join(out)


def _render(title: str, office: str, body: str) -> bytes:
    template = Template(resource_path("statussite", TEMPLATE).read_text(encoding="utf-8"))
    return template.substitute(judul=_e(title), kantor=_e(office), isi=body).encode("utf-8")


def service_page(std: ServiceStandard, office: str) -> bytes:
    rows = "".join(
        f'<tr><td class="no">{c.no}</td><td class="komponen">{_e(c.title)}</td>'
        f"<td>{_items(c.items)}</td></tr>"
        for c in std.components
    )
    body = (
        f"<h2>{_e(std.name)}</h2>"
        + (f"<p>WhatsApp layanan <b>{_e(std.wa_number)}</b></p>" if std.wa_number else "")
        + "<table><thead><tr><th>No</th><th>Komponen</th><th>Uraian</th></tr></thead>"
        + f"<tbody>{rows}</tbody></table>"
        + f'<p class="catatan">SOP nomor {_e(std.sop_number)}, versi {_e(std.version)} '
        f"(sidik jari {_e(std.fingerprint[:12])}).</p>"
    )
    return _render(f"Standar Pelayanan — {std.name}", office, body)


def index_page(book: StandardsBook) -> bytes:
    blocks = "".join(
        f'<section class="hasil"><h2><a href="{page_name(s.code)}">{_e(s.name)}</a></h2><dl>'
        + (f"<dt>WhatsApp</dt><dd>{_e(s.wa_number)}</dd>" if s.wa_number else "")
        + f"<dt>Jangka waktu</dt><dd>{_e(s.component('jangka_waktu').items[0].text)}</dd>"
        + f"<dt>Biaya</dt><dd>{_items(s.component('biaya').items)}</dd>"
        + "</dl></section>"
        for s in book.standards
    )
    return _render("Standar Pelayanan", book.office, blocks)


def maklumat_page(book: StandardsBook) -> bytes:
    body = (
        "<h2>Maklumat Pelayanan</h2>"
        f'<p class="maklumat">{_e(book.settings.maklumat)}</p>'
        f'<p class="ttd">Kepala {_e(book.office)}</p>'
    )
    return _render("Maklumat Pelayanan", book.office, body)


def pages(session: Session) -> dict[str, bytes]:
    """Every page by its path relative to the site root."""
    book = standards(session)
    out = {f"{PAGES_DIR}/index.html": index_page(book)}
    out[f"{PAGES_DIR}/maklumat.html"] = maklumat_page(book)
    for std in book.standards:
        out[f"{PAGES_DIR}/{page_name(std.code)}"] = service_page(std, book.office)
    return out


def write_pages(session: Session, folder: Path) -> list[str]:
    """Bring ``folder/layanan/`` up to date; the relative paths written or removed."""
    from .build import atomic_write

    wanted = pages(session)
    target = folder / PAGES_DIR
    target.mkdir(exist_ok=True)
    changed: list[str] = []
    for rel, data in wanted.items():
        path = folder / rel
        try:
            same = path.read_bytes() == data
        except OSError:
            same = False
        if not same:
            atomic_write(path, data)
            changed.append(rel)
    for path in target.iterdir():
        rel = f"{PAGES_DIR}/{path.name}"
        if path.is_file() and rel not in wanted:
            path.unlink()
            changed.append(rel)
    return changed


def page_files(folder: Path) -> list[str]:
    """The pages present in a built tree (for publishing), relative to its root."""
    target = folder / PAGES_DIR
    if not target.is_dir():
        return []
    return sorted(
        f"{PAGES_DIR}/{p.name}"
        for p in target.iterdir()
        if p.is_file() and not p.name.startswith(".")
    )
