"""Buku register / agenda per service and period (PDF and Excel)."""

from __future__ import annotations

from itertools import groupby

from reportlab.platypus import Flowable, PageBreak, Paragraph
from sqlalchemy.orm import Session

from ..models import CaseStatus
from ..services.register import format_number
from . import text as fmt
from . import xlsx
from .common import Context, Progress, sdef_of, service_label, show_code
from .data import Period, RegisterRow, kecamatan_label, register_rows
from .pdf import Column, build_pdf, esc, fast_table, frame_width
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
    rows = register_rows(session, period, service)
    progress.to(10)
    st = pdf_styles()
    width = frame_width(True)
    story: list[Flowable] = []
    groups = [(svc, list(items)) for svc, items in groupby(rows, key=lambda r: r.service)]
    if not groups:
        story.append(Paragraph("Tidak ada entri register pada periode ini.", st["body"]))
    laid = 0
    total = max(1, len(rows))
    for index, (svc, items) in enumerate(groups):
        if index:
            story.append(PageBreak())
        sdef = sdef_of(svc)
        columns = _columns(width, [svc])
        delivers = any("penyerahan" in s.records for s in sdef.steps)
        if service is None:
            story.append(
                Paragraph(
                    esc(
                        f"{sdef.register_name} — {sdef.short_name} ({fmt.angka(len(items))} entri)"
                    ),
                    st["h2"],
                )
            )
        fit = progress.span(
            10 + 30 * laid // total, 10 + 30 * (laid + len(items)) // total, len(items)
        )
        draw = progress.span(
            40 + 55 * laid // total, 40 + 55 * (laid + len(items)) // total, len(items)
        )
        story.append(
            fast_table(
                columns,
                (
                    (
                        r.number,
                        fmt.tanggal_angka(r.assigned_at),
                        show_code(r.code),
                        r.pemohon_nama,
                        kecamatan_label(r.kecamatan),
                        r.nomor_dokumen or "-",
                        r.officer,
                        _delivery_text(r) if delivers else "-",
                    )
                    for r in items
                ),
                progress=fit,
                drawn=draw,
            )
        )
        laid += len(items)
    subtitle = f"Periode {fmt.periode(period.date_from, period.date_to)} · "
    subtitle += f"{fmt.angka(len(rows))} entri"
    if service:
        subtitle = f"{service_label(service)} · {subtitle}"
    meta = ctx.doc_meta(
        _title(service),
        subtitle,
        landscape=True,
    )
    data = build_pdf(meta, story)
    return data, len(rows)


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
    rows = register_rows(session, period, service)
    progress.to(20)
    wb = xlsx.new_workbook()
    groups = [(svc, list(items)) for svc, items in groupby(rows, key=lambda r: r.service)]
    if not groups:
        groups = [(service or "Register", [])]
    for svc, items in groups:
        name = sdef_of(svc).register_name if svc in _known() else "Buku Register"
        xlsx.add_sheet(
            wb,
            svc,
            heading=name,
            lines=[
                f"Periode {fmt.periode(period.date_from, period.date_to)}",
                f"{fmt.angka(len(items))} entri",
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
                for r in items
            ),
        )
    progress.to(90)
    return xlsx.save(wb), len(rows)


def _known() -> set[str]:
    from ..sop import services

    return set(services())
