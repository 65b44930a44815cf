"""Laporan kinerja layanan: per service the share finished within one working day; per SOP step
the median and 90th-percentile working minutes against the SOP's mutu baku, and the steps that
most often exceed their standard — where the SOP is not being met."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer
from sqlalchemy.orm import Session

from . import text as fmt
from . import xlsx
from .common import Context, Progress, service_label, service_short
from .data import KinerjaData, Period, StepPerformance, kinerja_data
from .pdf import build_pdf, esc, frame_width, grid_table, signature_block
from .pdf import styles as pdf_styles
from .rekap import COLOR_FINISHED, _bar_chart

TITLE = "LAPORAN KINERJA LAYANAN"
OVER = colors.HexColor("#a4262c")

NOTES = (
    "Waktu dihitung dalam menit kerja kantor (jam kerja WIB, tanpa istirahat, hari libur "
    "nasional, cuti bersama dan hari kantor tutup); waktu menunggu kelengkapan berkas dari "
    "pemohon tidak dihitung. Per layanan: permohonan yang selesai dalam periode, waktu dari "
    "diterima sampai selesai. Per langkah: setiap penyelesaian langkah dalam periode, dari "
    "langkah diterima petugas sampai diteruskan, dibandingkan dengan mutu baku langkah itu "
    "menurut SOP yang berlaku bagi permohonan tersebut. Median: nilai tengah; P90: 90% "
    "penyelesaian tidak lebih lama dari nilai ini."
)


def _m(value: float | None) -> str:
    return "–" if value is None else fmt.angka(value, 1)


def _dur(value: float | None) -> str:
    return "–" if value is None else fmt.durasi_menit(value)


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    first = text.split(". ")[0]
    if len(first) <= limit:
        return first.rstrip(".")
    return first[: limit - 1].rstrip() + "…"


def render_pdf(
    session: Session, ctx: Context, period: Period, service: str | None, progress: Progress
) -> tuple[bytes, int]:
    data = kinerja_data(session, period, service)
    progress.to(40)
    st = pdf_styles()
    width = frame_width(False)
    story: list[Flowable] = []

    story.append(Paragraph("A. Penyelesaian dalam 1 hari kerja per layanan", st["h2"]))
    head = [
        Paragraph(esc(h), st["head"])
        for h in (
            "Layanan",
            "Selesai",
            "Tepat waktu",
            "% tepat waktu",
            "Median waktu kerja",
            "P90 waktu kerja",
            "Total mutu baku SOP",
        )
    ]
    rows: list[list[str]] = []
    extra: list[tuple[object, ...]] = []
    for i, code in enumerate(data.services, start=1):
        p = data.per_service[code]
        rows.append(
            [
                service_label(code),
                fmt.angka(p.selesai),
                fmt.angka(p.tepat_waktu),
                fmt.persen(p.tepat_waktu, p.selesai),
                _dur(p.median_minutes),
                _dur(p.p90_minutes),
                fmt.durasi_menit(p.standard_minutes),
            ]
        )
        if p.selesai and p.tepat_waktu < p.selesai:
            extra.append(("TEXTCOLOR", (3, i), (3, i), OVER))
    total_done = sum(p.selesai for p in data.per_service.values())
    total_ok = sum(p.tepat_waktu for p in data.per_service.values())
    if len(data.services) > 1:
        rows.append(
            [
                "Jumlah",
                fmt.angka(total_done),
                fmt.angka(total_ok),
                fmt.persen(total_ok, total_done),
                "",
                "",
                "",
            ]
        )
    story.append(
        grid_table(
            [head, *rows],
            [118] + [(width - 118) / 6] * 6,
            total_row=len(data.services) > 1,
            extra=extra,
        )
    )
    story.append(Spacer(1, 8))
    story.append(
        _bar_chart(
            [service_short(c) for c in data.services],
            [
                (
                    "% selesai dalam 1 hari kerja",
                    [
                        round(100 * p.tepat_waktu / p.selesai) if p.selesai else 0
                        for p in (data.per_service[c] for c in data.services)
                    ],
                    COLOR_FINISHED,
                )
            ],
            width,
            170,
            "Persentase selesai dalam 1 hari kerja (SOP)",
            value_max=100,
            suffix="%",
        )
    )
    progress.to(50)

    story.append(Paragraph("B. Langkah yang paling sering melebihi mutu baku", st["h2"]))
    if data.worst:
        story.append(_worst_table(data, width))
    else:
        story.append(
            Paragraph(
                "Tidak ada langkah yang melebihi mutu baku pada periode ini."
                if any(s.completed for s in data.steps)
                else "Belum ada langkah yang diselesaikan pada periode ini.",
                st["body"],
            )
        )

    story.append(Paragraph("C. Waktu kerja per langkah SOP", st["h2"]))
    for code in data.services:
        story.append(_steps_table(data, code, width))
        story.append(Spacer(1, 6))
    story.append(Paragraph(esc(NOTES), st["note"]))
    story.append(signature_block(ctx.profile, ctx.place, ctx.printed_at, width))
    progress.to(70)
    scope = service_label(service) if service else "Semua layanan"
    meta = ctx.doc_meta(
        TITLE,
        f"{scope} · Periode {fmt.periode(period.date_from, period.date_to)}",
    )
    return build_pdf(meta, story), total_done


def _worst_table(data: KinerjaData, width: float) -> Flowable:
    st = pdf_styles()
    head = [
        Paragraph(esc(h), st["head"])
        for h in (
            "Layanan",
            "Langkah",
            "Kegiatan",
            "Mutu baku (menit)",
            "Median (menit)",
            "Melebihi mutu baku",
        )
    ]
    rows: list[list[object]] = []
    for s in data.worst:
        rows.append(
            [
                service_label(s.service),
                str(s.step_no),
                Paragraph(esc(_short(s.activity, 150)), st["cell"]),
                fmt.angka(s.standard_minutes),
                _m(s.median_minutes),
                f"{fmt.persen(s.over_standard, s.completed, 0)} "
                f"({fmt.angka(s.over_standard)}/{fmt.angka(s.completed)})",
            ]
        )
    return grid_table(
        [head, *rows],
        [78, 40, width - 78 - 40 - 2 * 58 - 86, 58, 58, 86],
        extra=[("ALIGN", (1, 1), (1, -1), "CENTER"), ("TEXTCOLOR", (5, 1), (5, -1), OVER)],
    )


def _steps_table(data: KinerjaData, code: str, width: float) -> Flowable:
    st = pdf_styles()
    steps = [s for s in data.steps if s.service == code]
    head = [
        Paragraph(esc(h), st["head"])
        for h in (
            "No",
            "Kegiatan",
            "Pelaksana",
            "Mutu baku",
            "Selesai",
            "Median",
            "P90",
            "Melebihi mutu baku",
            "Dikembalikan",
        )
    ]
    rows: list[list[object]] = []
    extra: list[tuple[object, ...]] = []
    for i, s in enumerate(steps, start=1):
        rows.append(
            [
                str(s.step_no),
                Paragraph(esc(_short(s.activity, 120)), st["cell"]),
                Paragraph(esc(s.actor_label), st["cell"]),
                fmt.angka(s.standard_minutes) + ("*" if s.standard_varies else ""),
                fmt.angka(s.completed),
                _m(s.median_minutes),
                _m(s.p90_minutes),
                fmt.persen(s.over_standard, s.completed, 0) if s.completed else "–",
                fmt.angka(s.returned),
            ]
        )
        # red where the printed (rounded) figure is above the standard
        if s.median_minutes is not None and round(s.median_minutes, 1) > s.standard_minutes:
            extra.append(("TEXTCOLOR", (5, i), (5, i), OVER))
        if s.p90_minutes is not None and round(s.p90_minutes, 1) > s.standard_minutes:
            extra.append(("TEXTCOLOR", (6, i), (6, i), OVER))
    title = Paragraph(
        esc(f"{service_label(code)} — menit kerja per langkah"),
        st["cell_bold"],
    )
    fixed = 22 + 80 + 5 * 42 + 60
    table = grid_table(
        [head, *rows],
        [22, width - fixed, 80, 42, 42, 42, 42, 42, 60],
        extra=[("ALIGN", (0, 1), (0, -1), "CENTER"), *extra],
        font_size=7.5,
    )
    return KeepTogether([title, Spacer(1, 2), table])


def _step_values(s: StepPerformance) -> list[object]:
    return [
        service_label(s.service),
        s.step_no,
        " ".join(s.activity.split()),
        s.actor_label,
        s.standard_minutes,
        s.completed,
        None if s.median_minutes is None else round(s.median_minutes, 1),
        None if s.p90_minutes is None else round(s.p90_minutes, 1),
        s.over_standard,
        s.over_share if s.completed else None,
        s.returned,
    ]


def render_xlsx(
    session: Session, ctx: Context, period: Period, service: str | None, progress: Progress
) -> tuple[bytes, int]:
    data = kinerja_data(session, period, service)
    progress.to(50)
    wb = xlsx.new_workbook()
    scope = service_label(service) if service else "Semua layanan"
    lines = [f"{scope} · Periode {fmt.periode(period.date_from, period.date_to)}", NOTES]
    xlsx.add_sheet(
        wb,
        "Per layanan",
        heading=TITLE,
        lines=lines,
        profile=ctx.profile,
        columns=[
            xlsx.XColumn("Layanan", 22),
            xlsx.XColumn("Selesai", 10),
            xlsx.XColumn("Tepat waktu (≤ 1 hari kerja)", 14),
            xlsx.XColumn("% tepat waktu", 12, "0.0%"),
            xlsx.XColumn("Median menit kerja", 12, "0.0"),
            xlsx.XColumn("P90 menit kerja", 12, "0.0"),
            xlsx.XColumn("Total mutu baku SOP (menit)", 14),
        ],
        rows=[
            [
                service_label(c),
                p.selesai,
                p.tepat_waktu,
                p.tepat_waktu / p.selesai if p.selesai else None,
                p.median_minutes,
                p.p90_minutes,
                p.standard_minutes,
            ]
            for c, p in ((c, data.per_service[c]) for c in data.services)
        ],
    )
    step_cols = [
        xlsx.XColumn("Layanan", 18),
        xlsx.XColumn("Langkah", 8),
        xlsx.XColumn("Kegiatan", 60),
        xlsx.XColumn("Pelaksana", 24),
        xlsx.XColumn("Mutu baku (menit)", 10),
        xlsx.XColumn("Selesai", 9),
        xlsx.XColumn("Median (menit)", 10, "0.0"),
        xlsx.XColumn("P90 (menit)", 10, "0.0"),
        xlsx.XColumn("Melebihi mutu baku", 10),
        xlsx.XColumn("% melebihi", 10, "0%"),
        xlsx.XColumn("Dikembalikan", 10),
    ]
    xlsx.add_sheet(
        wb,
        "Per langkah",
        heading=f"{TITLE} — per langkah SOP",
        lines=lines,
        profile=ctx.profile,
        columns=step_cols,
        rows=[_step_values(s) for s in data.steps],
    )
    xlsx.add_sheet(
        wb,
        "Paling sering lewat",
        heading=f"{TITLE} — langkah paling sering melebihi mutu baku",
        lines=lines,
        profile=ctx.profile,
        columns=step_cols,
        rows=[_step_values(s) for s in data.worst],
    )
    progress.to(90)
    return xlsx.save(wb), sum(p.selesai for p in data.per_service.values())
