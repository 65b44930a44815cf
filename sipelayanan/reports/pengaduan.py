"""Register dan laporan hasil pengaduan: every complaint of the period, its path (simple, closed
by the petugas; or escalated to the Pejabat Pengelola Pengaduan), the solution and the working
time it took."""

from __future__ import annotations

import statistics

from reportlab.platypus import Flowable, Paragraph, Spacer
from sqlalchemy.orm import Session

from ..models import CaseStatus
from ..sop import services
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


def summary(rows: list[PengaduanRow]) -> list[tuple[str, int, int, int, float | None, str]]:
    """(label, count, finished, finished on time, median working minutes, SOP standard)."""
    sdef = services()["PENGADUAN"]
    simple_standard = sum(s.minutes for s in sdef.steps if s.no <= 3)

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
    rows = pengaduan_rows(session, period)
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
    story.append(
        Paragraph(
            "Jalur sederhana: diselesaikan Petugas Penerima Aduan pada langkah 3 SOP. Jalur "
            "eskalasi: diputuskan Pejabat Pengelola Pengaduan bersama Tim Penjawab Aduan "
            "(langkah 4–7). Waktu kerja: menit kerja kantor sejak pengaduan diterima, tanpa waktu "
            "menunggu kelengkapan dari pelapor.",
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
    rows = pengaduan_rows(session, period)
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
