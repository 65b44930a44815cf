"""Buku register / agenda per service and period (PDF and Excel)."""

from __future__ import annotations

from collections.abc import Iterator

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import CondPageBreak, Flowable, PageBreak, Paragraph
from sqlalchemy.orm import Session

from ..models import CaseStatus
from ..services.register import format_number
from . import text as fmt
from . import xlsx
from .common import Context, Progress, sdef_of, service_label, show_code
from .data import Period, RegisterRow, iter_register_rows, kecamatan_label, register_counts
from .pdf import Column, StreamedRows, build_pdf, esc, frame_width
from .pdf import styles as pdf_styles


def _delivery_text(row: RegisterRow) -> str:
    when = f"{fmt.tanggal_angka(row.delivered_at)} " if row.delivered_at else ""
    if row.delivery_method == "pos":
        return f"{when}PT POS resi {row.resi or '-'}"
    if row.delivery_method == "diambil":
        return f"{when}diambil {row.recipient or ''}".strip()
    if row.status == CaseStatus.BATAL:
        return "Dibatalkan"
    return "Belum diserahkan"


def _title(service: str | None) -> str:
    if service:
        return sdef_of(service).register_name.upper()
    return "BUKU REGISTER PELAYANAN ONLINE"


COLUMNS = (
    Column("No. Register", 0, wrap=False),  # sized to the longest number, see _columns
    Column("Tanggal", 50, "CENTER", wrap=False),
    Column("Kode Pelacakan", 62, "CENTER", wrap=False),
    Column("Nama Pemohon", 140),
    Column("Kecamatan", 72),
    Column("No. Dokumen SIAK", 90),
    Column("Petugas", 92),
    Column("Penyerahan / Resi PT POS", 0),  # takes the rest of the width
)


def _number_width(services: list[str]) -> float:
    """Room for the longest register number of these services ("00001/AKTA_LAHIR/2026")."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from .fonts import SANS, register_fonts

    register_fonts()
    longest = max(stringWidth(format_number(s, 2000, 99999), SANS, 7.5) for s in services)
    return max(62.0, float(longest) + 8)


def _columns(width: float, services: list[str]) -> list[Column]:
    number = Column(COLUMNS[0].header, _number_width(services), wrap=False)
    fixed = number.width + sum(c.width for c in COLUMNS[1:])
    last = COLUMNS[-1]
    return [number, *COLUMNS[1:-1], Column(last.header, width - fixed, last.align, last.wrap)]


def render_pdf(
    session: Session, ctx: Context, period: Period, service: str | None, progress: Progress
) -> tuple[bytes, int]:
    counts = register_counts(session, period, service)
    total_rows = sum(counts.values())
    progress.to(10)
    st = pdf_styles()
    width = frame_width(True)
    story: list[Flowable] = []
    if not counts:
        story.append(Paragraph("Tidak ada entri register pada periode ini.", st["body"]))
    laid = 0
    total = max(1, total_rows)
    for index, (svc, count) in enumerate(counts.items()):
        if index:
            story.append(PageBreak())
        sdef = sdef_of(svc)
        delivers = any("penyerahan" in s.records for s in sdef.steps)
        if service is None:
            # not "keep with next": that would push the heading and a table longer than the
            # rest of the page to a fresh page, leaving the first page empty; a conditional
            # break keeps the heading with at least a few rows instead
            story.append(CondPageBreak(80))
            story.append(
                Paragraph(
                    esc(f"{sdef.register_name} — {sdef.short_name} ({fmt.angka(count)} entri)"),
                    ParagraphStyle("h2_lead", parent=st["h2"], keepWithNext=0),
                )
            )
        # rows are read, fitted and drawn as the pages are laid out: one page of rows at a time
        step = progress.span(
            10 + 85 * laid // total, 10 + 85 * (laid + count) // total, max(1, count)
        )
        story.append(
            StreamedRows(
                _columns(width, [svc]),
                _register_cells(session, period, svc, delivers),
                drawn=step,
            )
        )
        laid += count
    subtitle = f"Periode {fmt.periode(period.date_from, period.date_to)} · "
    subtitle += f"{fmt.angka(total_rows)} entri"
    if service:
        subtitle = f"{service_label(service)} · {subtitle}"
    meta = ctx.doc_meta(
        _title(service),
        subtitle,
        landscape=True,
    )
    data = build_pdf(meta, story)
    return data, total_rows


def _register_cells(
    session: Session, period: Period, service: str, delivers: bool
) -> Iterator[tuple[str, ...]]:
    """The printed cells of one service's register, read as the layout asks for them."""
    for row in iter_register_rows(session, period, service):
        yield _cells(row, delivers)


def _cells(r: RegisterRow, delivers: bool) -> tuple[str, ...]:
    return (
        r.number,
        fmt.tanggal_angka(r.assigned_at),
        show_code(r.code),
        r.pemohon_nama,
        kecamatan_label(r.kecamatan),
        r.nomor_dokumen or "-",
        r.officer,
        _delivery_text(r) if delivers else "-",
    )


XCOLUMNS = (
    xlsx.XColumn("No. Register", 16),
    xlsx.XColumn("Tanggal register", 17, xlsx.DATETIME_FORMAT),
    xlsx.XColumn("Kode pelacakan", 14),
    xlsx.XColumn("Nama pemohon", 30),
    xlsx.XColumn("Kecamatan", 18),
    xlsx.XColumn("No. dokumen SIAK", 22),
    xlsx.XColumn("Petugas", 24),
    xlsx.XColumn("Status", 12),
    xlsx.XColumn("Cara penyerahan", 14),
    xlsx.XColumn("Tanggal penyerahan", 17, xlsx.DATETIME_FORMAT),
    xlsx.XColumn("Resi PT POS", 18),
    xlsx.XColumn("Penerima", 24),
)


def render_xlsx(
    session: Session, ctx: Context, period: Period, service: str | None, progress: Progress
) -> tuple[bytes, int]:
    counts = register_counts(session, period, service)
    progress.to(20)
    wb = xlsx.new_workbook()
    groups = list(counts.items()) or [(service or "Register", 0)]
    for svc, count in groups:
        name = sdef_of(svc).register_name if svc in _known() else "Buku Register"
        xlsx.add_sheet(
            wb,
            svc,
            heading=name,
            lines=[
                f"Periode {fmt.periode(period.date_from, period.date_to)}",
                f"{fmt.angka(count)} entri",
            ],
            profile=ctx.profile,
            columns=XCOLUMNS,
            rows=(
                (
                    r.number,
                    r.assigned_at,
                    r.code,
                    r.pemohon_nama,
                    kecamatan_label(r.kecamatan) if r.kecamatan else None,
                    r.nomor_dokumen,
                    r.officer,
                    "Dibatalkan" if r.status == CaseStatus.BATAL else CaseStatus.LABELS[r.status],
                    {"pos": "PT POS", "diambil": "Diambil"}.get(r.delivery_method or ""),
                    r.delivered_at,
                    r.resi,
                    r.recipient,
                )
                for r in (iter_register_rows(session, period, svc) if count else ())
            ),
        )
    progress.to(90)
    return xlsx.save(wb), sum(counts.values())


def _known() -> set[str]:
    from ..sop import services

    return set(services())
