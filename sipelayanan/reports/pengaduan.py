"""Register dan laporan hasil pengaduan: every complaint of the period, its path (simple, closed
by the petugas; or escalated to the Pejabat Pengelola Pengaduan), the solution and the working
time it took; and the rekap pengaduan (Perpres 76/2013, SP4N-LAPOR!): complaints by
classification, channel, service concerned and month, and the time they took to settle against
the 60-day limit (``REKAP``; no personal data at all).

A pelapor who asked to stay anonymous (``rahasia``) is never named here."""

from __future__ import annotations

import statistics
from dataclasses import replace
from types import SimpleNamespace

from reportlab.platypus import Flowable, Paragraph, Spacer
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Case, CaseStatus, ComplaintDetail
from ..services import complaints
from ..services.pelapor import HIDDEN
from ..sop import ServiceDef
from . import text as fmt
from . import xlsx
from .common import Context, Progress, show_code
from .data import PengaduanRow, Period, kecamatan_label, pengaduan_rows
from .pdf import build_pdf, esc, frame_width, grid_table, signature_block
from .pdf import styles as pdf_styles

TITLE = "REGISTER DAN LAPORAN HASIL PENGADUAN"
CHUNK = 25  # rows per table: a long register never re-splits one huge table
TEXT_LIMIT = 420


def path_label(row: PengaduanRow) -> str:
    if row.status == CaseStatus.BATAL:
        return "Dibatalkan"
    if row.status == CaseStatus.SELESAI:
        if row.closed_path == "sederhana":
            return "Sederhana"
        return "Eskalasi"
    if row.status == CaseStatus.MENUNGGU_PEMOHON:
        return "Menunggu pelapor"
    return f"Dalam proses (langkah {row.current_step})"


def on_time(row: PengaduanRow) -> bool | None:
    if row.status != CaseStatus.SELESAI or row.finished_at is None:
        return None
    return row.finished_at <= row.due_at


def _compact_number(number: str | None) -> str:
    """``"00012/PENGADUAN/2026"`` -> ``"00012/2026"`` (the register is the complaints' own)."""
    if not number:
        return "-"
    parts = number.split("/")
    return f"{parts[0]}/{parts[-1]}" if len(parts) == 3 else number


def _clip(text: str | None, limit: int = TEXT_LIMIT) -> str:
    value = " ".join((text or "").split())
    if len(value) <= limit:
        return value or "-"
    return value[: limit - 1].rstrip() + "…"


def _close_step(sdef: ServiceDef) -> int:
    """The step where a simple complaint is closed (the SOP's ``close`` move)."""
    return next((st.no for st in sdef.steps if st.allows("close")), sdef.last_step)


def _rows(session: Session, period: Period) -> list[PengaduanRow]:
    """The period's complaints, a confidential pelapor's name hidden."""
    rows = pengaduan_rows(session, period)
    codes = [r.code for r in rows]
    secret: set[str] = set()
    for start in range(0, len(codes), 500):
        part = codes[start : start + 500]
        secret.update(
            session.execute(
                select(Case.code)
                .join(ComplaintDetail, ComplaintDetail.case_id == Case.id)
                .where(Case.code.in_(part), ComplaintDetail.rahasia.is_(True))
            ).scalars()
        )
    return [replace(r, pelapor=HIDDEN) if r.code in secret else r for r in rows]


def summary(rows: list[PengaduanRow]) -> list[tuple[str, int, int, int, float | None, str]]:
    """(label, count, finished, finished on time, median working minutes, SOP standard)."""
    sdef = complaints.complaint_service()
    simple_standard = sum(s.minutes for s in sdef.steps if s.no <= _close_step(sdef))

    def line(
        label: str, items: list[PengaduanRow], standard: str
    ) -> tuple[str, int, int, int, float | None, str]:
        done = [r for r in items if r.status == CaseStatus.SELESAI]
        minutes = [r.working_minutes for r in done]
        return (
            label,
            len(items),
            len(done),
            sum(1 for r in done if on_time(r)),
            statistics.median(minutes) if minutes else None,
            standard,
        )

    return [
        line(
            "Selesai, jalur sederhana",
            [r for r in rows if r.closed_path == "sederhana"],
            fmt.durasi_menit(simple_standard),
        ),
        line(
            "Selesai, jalur eskalasi",
            [r for r in rows if r.closed_path == "eskalasi"],
            fmt.durasi_menit(sdef.total_minutes),
        ),
        line("Dalam proses", [r for r in rows if r.status in CaseStatus.OPEN], "–"),
        line("Dibatalkan", [r for r in rows if r.status == CaseStatus.BATAL], "–"),
        line("Jumlah pengaduan", rows, "1 hari kerja"),
    ]


def render_pdf(
    session: Session, ctx: Context, period: Period, service: str | None, progress: Progress
) -> tuple[bytes, int]:
    rows = _rows(session, period)
    progress.to(30)
    st = pdf_styles()
    width = frame_width(True)
    story: list[Flowable] = [Paragraph("A. Ringkasan hasil pengaduan", st["h2"])]
    head = [
        Paragraph(esc(h), st["head"])
        for h in (
            "Keadaan",
            "Jumlah",
            "Selesai",
            "% selesai ≤ 1 hari kerja",
            "Median waktu kerja",
            "Mutu baku SOP",
        )
    ]
    lines = [
        [
            label,
            fmt.angka(n),
            fmt.angka(done),
            fmt.persen(ok, done),
            fmt.durasi_menit(median) if median is not None else "–",
            standard,
        ]
        for label, n, done, ok, median, standard in summary(rows)
    ]
    story.append(
        grid_table([head, *lines], [width - 5 * 100, 100, 100, 100, 100, 100], total_row=True)
    )
    story.append(Paragraph("B. Register pengaduan", st["h2"]))
    if not rows:
        story.append(Paragraph("Tidak ada pengaduan pada periode ini.", st["body"]))
    cols = [
        ("No. Register", 56),
        ("Diterima", 52),
        ("Kode", 56),
        ("Pelapor", 80),
        ("Kecamatan", 62),
        ("Permasalahan", 0),
        ("Jalur", 56),
        ("Solusi", 0),
        ("Selesai", 52),
        ("Waktu kerja", 56),
        ("Petugas", 66),
    ]
    fixed = sum(w for _h, w in cols)
    free = (width - fixed) / 2
    widths = [w or free for _h, w in cols]
    header = [Paragraph(esc(h), st["head"]) for h, _w in cols]
    cell = st["cell"]
    span = progress.span(30, 60, len(rows))
    for start in range(0, len(rows), CHUNK):
        part = rows[start : start + CHUNK]
        data: list[list[object]] = [header]
        for r in part:
            data.append(
                [
                    Paragraph(esc(_compact_number(r.register_number)), cell),
                    Paragraph(esc(fmt.tanggal_jam_angka(r.received_at)), cell),
                    show_code(r.code),
                    Paragraph(esc(r.pelapor), cell),
                    Paragraph(esc(kecamatan_label(r.kecamatan)), cell),
                    Paragraph(esc(_clip(r.uraian)), cell),
                    Paragraph(esc(path_label(r)), cell),
                    Paragraph(esc(_clip(r.solusi)), cell),
                    Paragraph(
                        esc(fmt.tanggal_jam_angka(r.finished_at) if r.finished_at else "-"), cell
                    ),
                    Paragraph(
                        esc(fmt.durasi_menit(r.working_minutes) if r.finished_at else "–"), cell
                    ),
                    Paragraph(esc(r.handled_by or "-"), cell),
                ]
            )
        story.append(
            grid_table(
                data,
                widths,
                align_numbers_from=99,
                font_size=7.5,
                extra=[("VALIGN", (0, 1), (-1, -1), "TOP")],
            )
        )
        span(start + len(part))
    story.append(Spacer(1, 4))
    sdef = complaints.complaint_service()
    close_at, last = _close_step(sdef), sdef.last_step
    story.append(
        Paragraph(
            f"Jalur sederhana: diselesaikan Petugas Penerima Aduan pada langkah {close_at} SOP. "
            "Jalur eskalasi: diputuskan Pejabat Pengelola Pengaduan bersama Tim Penjawab Aduan "
            f"(langkah {close_at + 1}–{last}). Waktu kerja: menit kerja kantor sejak pengaduan "
            "diterima, tanpa waktu menunggu kelengkapan dari pelapor.",
            st["note"],
        )
    )
    story.append(signature_block(ctx.profile, ctx.place, ctx.printed_at, width))
    meta = ctx.doc_meta(
        TITLE,
        f"Periode {fmt.periode(period.date_from, period.date_to)} · "
        f"{fmt.angka(len(rows))} pengaduan",
        landscape=True,
    )
    return build_pdf(meta, story), len(rows)


def render_xlsx(
    session: Session, ctx: Context, period: Period, service: str | None, progress: Progress
) -> tuple[bytes, int]:
    rows = _rows(session, period)
    progress.to(40)
    wb = xlsx.new_workbook()
    lines = [
        f"Periode {fmt.periode(period.date_from, period.date_to)}",
        f"{fmt.angka(len(rows))} pengaduan",
    ]
    xlsx.add_sheet(
        wb,
        "Register pengaduan",
        heading=TITLE,
        lines=lines,
        profile=ctx.profile,
        columns=[
            xlsx.XColumn("No. Register", 16),
            xlsx.XColumn("Diterima", 17, xlsx.DATETIME_FORMAT),
            xlsx.XColumn("Kode pelacakan", 14),
            xlsx.XColumn("Pelapor", 26),
            xlsx.XColumn("Kecamatan", 18),
            xlsx.XColumn("Permasalahan", 50),
            xlsx.XColumn("Jalur", 20),
            xlsx.XColumn("Solusi", 50),
            xlsx.XColumn("Selesai", 17, xlsx.DATETIME_FORMAT),
            xlsx.XColumn("Waktu kerja (menit)", 12, "0.0"),
            xlsx.XColumn("Selesai ≤ 1 hari kerja", 12),
            xlsx.XColumn("Petugas", 24),
        ],
        rows=[
            [
                r.register_number,
                r.received_at,
                show_code(r.code),
                r.pelapor,
                kecamatan_label(r.kecamatan) if r.kecamatan else None,
                r.uraian,
                path_label(r),
                r.solusi,
                r.finished_at,
                round(r.working_minutes, 1),
                {True: "Ya", False: "Tidak", None: None}[on_time(r)],
                r.handled_by,
            ]
            for r in rows
        ],
    )
    xlsx.add_sheet(
        wb,
        "Ringkasan",
        heading=f"{TITLE} — ringkasan",
        lines=lines,
        profile=ctx.profile,
        columns=[
            xlsx.XColumn("Keadaan", 28),
            xlsx.XColumn("Jumlah", 10),
            xlsx.XColumn("Selesai", 10),
            xlsx.XColumn("Selesai ≤ 1 hari kerja", 12),
            xlsx.XColumn("% selesai ≤ 1 hari kerja", 14, "0.0%"),
            xlsx.XColumn("Median waktu kerja (menit)", 16, "0.0"),
            xlsx.XColumn("Mutu baku SOP", 16),
        ],
        rows=[
            [label, n, done, ok, ok / done if done else None, median, standard]
            for label, n, done, ok, median, standard in summary(rows)
        ],
    )
    progress.to(90)
    return xlsx.save(wb), len(rows)


# --------------------------------------------------------------------------- rekap pengaduan

REKAP_TITLE = "REKAP PENGADUAN MASYARAKAT"

_LINE_HEADS = (
    "Diterima",
    "Selesai",
    f"Selesai ≤ {complaints.SETTLEMENT_DAYS} hari",
    "% tepat batas",
    "Masih proses",
    f"Proses > {complaints.SETTLEMENT_DAYS} hari",
    "Dibatalkan",
    "Median hari selesai",
)


def _line_cells(line: complaints.RecapLine) -> list[str]:
    return [
        fmt.angka(line.received),
        fmt.angka(line.settled),
        fmt.angka(line.settled_in_limit),
        fmt.persen(line.settled_in_limit, line.settled),
        fmt.angka(line.open),
        fmt.angka(line.open_overdue),
        fmt.angka(line.cancelled),
        fmt.angka(line.median_days, 1) if line.median_days is not None else "–",
    ]


def _line_values(line: complaints.RecapLine) -> list[object]:
    return [
        line.received,
        line.settled,
        line.settled_in_limit,
        line.settled_in_limit / line.settled if line.settled else None,
        line.open,
        line.open_overdue,
        line.cancelled,
        line.median_days,
    ]


def _sections(
    recap: complaints.ComplaintRecap,
) -> list[tuple[str, str, tuple[complaints.RecapLine, ...]]]:
    return [
        ("A", "Menurut klasifikasi", recap.by_class),
        ("B", "Menurut saluran pengaduan", recap.by_channel),
        ("C", "Menurut layanan yang diadukan", recap.by_concerns),
        ("D", "Per bulan", recap.by_month),
    ]


def _rekap(session: Session, ctx: Context, period: Period) -> complaints.ComplaintRecap:
    return complaints.recap(session, period.date_from, period.date_to, now=ctx.printed_at)


def render_rekap_pdf(
    session: Session, ctx: Context, period: Period, service: str | None, progress: Progress
) -> tuple[bytes, int]:
    recap = _rekap(session, ctx, period)
    progress.to(50)
    st = pdf_styles()
    width = frame_width(True)
    first = 150.0
    rest = (width - first) / len(_LINE_HEADS)
    widths = [first, *([rest] * len(_LINE_HEADS))]
    story: list[Flowable] = []
    for letter, title, lines in _sections(recap):
        story.append(Paragraph(f"{letter}. {esc(title)}", st["h2"]))
        head = [
            Paragraph(esc(h), st["head"])
            for h in (title.split(" ", 1)[1].capitalize(), *_LINE_HEADS)
        ]
        body = [[line.label, *_line_cells(line)] for line in lines]  # plain cells: no markup
        total = ["Jumlah", *_line_cells(recap.total)]
        story.append(grid_table([head, *body, total], widths, total_row=True))
    story.append(Paragraph("E. Waktu penyelesaian pengaduan yang selesai", st["h2"]))
    bands = [[label, fmt.angka(n)] for label, n in recap.settle_bands]
    head = [Paragraph(esc(h), st["head"]) for h in ("Lama penyelesaian", "Jumlah")]
    story.append(
        grid_table(
            [head, *bands, ["Jumlah selesai", fmt.angka(recap.total.settled)]],
            [first, rest],
            total_row=True,
        )
    )
    story.append(Spacer(1, 4))
    story.append(
        Paragraph(
            f"Batas penyelesaian: {complaints.SETTLEMENT_DAYS} hari sejak pengaduan diterima "
            "(UU 25/2009 Pasal 50 ayat (5); Perpres 76/2013). Hari dihitung menurut kalender "
            "(WIB) dari hari diterima sampai hari selesai. Waktu kerja tiap langkah SOP ada di "
            "Register dan Laporan Hasil Pengaduan. Rekap ini tidak memuat identitas pelapor.",
            st["note"],
        )
    )
    story.append(signature_block(ctx.profile, ctx.place, ctx.printed_at, width))
    meta = ctx.doc_meta(
        REKAP_TITLE,
        f"Periode {fmt.periode(period.date_from, period.date_to)} · "
        f"{fmt.angka(recap.total.received)} pengaduan",
        landscape=True,
    )
    progress.to(90)
    return build_pdf(meta, story), recap.total.received


def render_rekap_xlsx(
    session: Session, ctx: Context, period: Period, service: str | None, progress: Progress
) -> tuple[bytes, int]:
    recap = _rekap(session, ctx, period)
    progress.to(50)
    wb = xlsx.new_workbook()
    lines = [
        f"Periode {fmt.periode(period.date_from, period.date_to)}",
        f"{fmt.angka(recap.total.received)} pengaduan; batas penyelesaian "
        f"{complaints.SETTLEMENT_DAYS} hari sejak diterima",
    ]
    number_columns = [
        xlsx.XColumn(_LINE_HEADS[0], 10),
        xlsx.XColumn(_LINE_HEADS[1], 10),
        xlsx.XColumn(_LINE_HEADS[2], 14),
        xlsx.XColumn(_LINE_HEADS[3], 12, "0.0%"),
        xlsx.XColumn(_LINE_HEADS[4], 12),
        xlsx.XColumn(_LINE_HEADS[5], 14),
        xlsx.XColumn(_LINE_HEADS[6], 11),
        xlsx.XColumn(_LINE_HEADS[7], 14, "0.0"),
    ]
    for _letter, title, found in _sections(recap):
        xlsx.add_sheet(
            wb,
            title.split(" ", 1)[1].capitalize(),
            heading=f"{REKAP_TITLE} — {title.lower()}",
            lines=lines,
            profile=ctx.profile,
            columns=[xlsx.XColumn(title.split(" ", 1)[1].capitalize(), 28), *number_columns],
            rows=[[line.label, *_line_values(line)] for line in found],
            total=["Jumlah", *_line_values(recap.total)],
        )
    xlsx.add_sheet(
        wb,
        "Waktu penyelesaian",
        heading=f"{REKAP_TITLE} — waktu penyelesaian",
        lines=lines,
        profile=ctx.profile,
        columns=[xlsx.XColumn("Lama penyelesaian", 22), xlsx.XColumn("Jumlah", 10)],
        rows=[[label, n] for label, n in recap.settle_bands],
        total=["Jumlah selesai", recap.total.settled],
    )
    xlsx.add_sheet(
        wb,
        "Data",
        heading=f"{REKAP_TITLE} — data (tanpa identitas pelapor)",
        lines=lines,
        profile=ctx.profile,
        columns=[
            xlsx.XColumn("Kode pelacakan", 14),
            xlsx.XColumn("Diterima", 17, xlsx.DATETIME_FORMAT),
            xlsx.XColumn("Klasifikasi", 20),
            xlsx.XColumn("Saluran", 18),
            xlsx.XColumn("Layanan diadukan", 22),
            xlsx.XColumn("Keadaan", 16),
            xlsx.XColumn("Selesai", 17, xlsx.DATETIME_FORMAT),
            xlsx.XColumn("Hari sampai selesai", 12),
            xlsx.XColumn(f"Lewat {complaints.SETTLEMENT_DAYS} hari", 12),
        ],
        rows=[
            [
                show_code(r.code),
                r.received_at,
                complaints.class_label(r.classification),
                complaints.channel_label(r.channel),
                complaints.concerns_label(r.concerns),
                CaseStatus.LABELS.get(r.status, r.status),
                r.finished_at,
                r.settled_days,
                "Ya" if r.overdue else "Tidak",
            ]
            for r in recap.records
        ],
    )
    progress.to(90)
    return xlsx.save(wb), recap.total.received


#: The rekap as a report module (``reports.report(kind="pengaduan-rekap")``).
REKAP = SimpleNamespace(render_pdf=render_rekap_pdf, render_xlsx=render_rekap_xlsx)
