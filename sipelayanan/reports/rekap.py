"""Rekap dan laporan jumlah penerbitan: counts per service, per day (or month) and per
kecamatan of Way Kanan, with bar charts and the Kepala Dinas signature block."""

from __future__ import annotations

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer
from sqlalchemy.orm import Session

from . import text as fmt
from . import xlsx
from .common import Context, Progress, audit_anchor, service_label, service_short
from .data import Period, RekapCounts, RekapData, rekap_data
from .fonts import SANS, SANS_BOLD
from .pdf import build_pdf, esc, frame_width, grid_table, signature_block, signature_width
from .pdf import styles as pdf_styles

TITLE = "REKAP DAN LAPORAN JUMLAH PENERBITAN"
COLOR_RECEIVED = colors.HexColor("#7f9cbf")
COLOR_FINISHED = colors.HexColor("#1f4e79")
COLOR_CANCELLED = colors.HexColor("#c0504d")

NOTES = (
    "Diterima: permohonan yang masuk dalam periode. Selesai: permohonan yang selesai "
    "(dokumen terbit/diserahkan, pengaduan dijawab) dalam periode; tepat waktu bila selesai "
    "paling lambat 1 hari kerja sejak diterima, tidak termasuk waktu menunggu kelengkapan dari "
    "pemohon. Dikembalikan: permohonan yang dikembalikan ke pemohon karena berkas kurang dalam "
    "periode. Dibatalkan: dibatalkan dalam periode. Dalam proses: belum selesai pada akhir "
    "periode; lewat batas waktu: di antaranya yang sudah melewati batas 1 hari kerja pada akhir "
    "periode (atau saat dicetak, bila periode belum berakhir). % tepat waktu: selesai tepat "
    "waktu dibanding semua yang selesai dalam periode ditambah yang masih dalam proses tetapi "
    "sudah lewat batas waktu — permohonan yang terlambat dihitung terlambat meskipun belum "
    "selesai."
)

ANCHOR_NOTE = (
    "Gunanya: memastikan log audit tidak diubah sesudah rekap ini ditandatangani — jalankan "
    "sipelayanan audit verify --jangkar diikuti jangkar di atas."
)

HEADERS = (
    "Layanan",
    "Diterima",
    "Selesai / terbit",
    "Tepat waktu (≤ 1 hari kerja)",
    "% tepat waktu",
    "Dikembalikan ke pemohon",
    "Dibatalkan",
    "Dalam proses akhir periode",
    "Dalam proses, lewat batas waktu",
)


def _row(label: str, c: RekapCounts) -> list[str]:
    return [
        label,
        fmt.angka(c.diterima),
        fmt.angka(c.selesai),
        fmt.angka(c.tepat_waktu),
        fmt.persen(*c.tepat_share),
        fmt.angka(c.dikembalikan),
        fmt.angka(c.dibatalkan),
        fmt.angka(c.dalam_proses),
        fmt.angka(c.lewat_batas),
    ]


def _bucket_label(data: RekapData, index: int, *, short: bool) -> str:
    d = data.buckets[index][0]
    if data.monthly:
        return f"{fmt.MONTHS[d.month - 1][:3]} {d.year % 100:02d}" if short else fmt.bulan_tahun(d)
    if short:
        return str(d.day)
    return f"{fmt.nama_hari(d)}, {fmt.tanggal(d)}"


def _bar_chart(
    categories: list[str],
    series: list[tuple[str, list[int], colors.Color]],
    width: float,
    height: float,
    title: str,
    *,
    value_max: int | None = None,
    suffix: str = "",
) -> Drawing:
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x = 34
    chart.y = 30
    chart.width = width - 44
    chart.height = height - 62
    chart.data = [values for _name, values, _c in series]
    chart.categoryAxis.categoryNames = categories
    chart.categoryAxis.labels.fontName = SANS
    chart.categoryAxis.labels.fontSize = 6.5 if len(categories) > 15 else 7.5
    chart.categoryAxis.labels.boxAnchor = "n"
    chart.categoryAxis.labels.dy = -2
    chart.valueAxis.labels.fontName = SANS
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    top = max([max(values, default=0) for _n, values, _c in series] + [0])
    chart.valueAxis.valueMax = value_max or max(4, int(top * 1.15) + 1)
    chart.valueAxis.valueStep = max(1, _nice_step(chart.valueAxis.valueMax))
    chart.valueAxis.labelTextFormat = lambda v: fmt.angka(v) + suffix
    chart.valueAxis.gridStrokeColor = colors.HexColor("#dddddd")
    chart.valueAxis.visibleGrid = True
    chart.barSpacing = 1
    chart.groupSpacing = 6 if len(categories) <= 15 else 2
    for i, (_name, _values, color) in enumerate(series):
        chart.bars[i].fillColor = color
        chart.bars[i].strokeColor = None
    if len(categories) <= 12:
        chart.barLabelFormat = lambda v: fmt.angka(v) + suffix if v else ""
        chart.barLabels.fontName = SANS
        chart.barLabels.fontSize = 6.5
        chart.barLabels.nudge = 6
    drawing.add(chart)
    legend = Legend()
    legend.x = width - 8
    legend.y = height - 8
    legend.boxAnchor = "ne"
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.fontName = SANS
    legend.fontSize = 7.5
    legend.dxTextSpace = 4
    legend.deltax = 70
    legend.colorNamePairs = [(color, name) for name, _v, color in series]
    drawing.add(legend)
    drawing.add(String(34, height - 14, title, fontName=SANS_BOLD, fontSize=8.5))
    return drawing


def _nice_step(top: int) -> int:
    raw = top / 5
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if step >= raw:
            return step
    return int(raw)


def render_pdf(
    session: Session, ctx: Context, period: Period, service: str | None, progress: Progress
) -> tuple[bytes, int]:
    data = rekap_data(session, period, service, now=ctx.printed_at)
    anchor = audit_anchor(session)
    progress.to(40)
    st = pdf_styles()
    width = frame_width(False)
    story: list[Flowable] = []

    # A. per service
    story.append(Paragraph("A. Jumlah per layanan", st["h2"]))
    head = [Paragraph(esc(h), st["head"]) for h in HEADERS]
    rows = [_row(service_label(code), data.per_service[code]) for code in data.services]
    if len(data.services) > 1:
        rows.append(_row("Jumlah", data.total))
    story.append(
        grid_table(
            [head, *rows],
            [92] + [(width - 92) / 8] * 8,
            total_row=len(data.services) > 1,
        )
    )
    story.append(Spacer(1, 8))
    story.append(
        _bar_chart(
            [service_short(c) for c in data.services],
            [
                ("Diterima", [data.per_service[c].diterima for c in data.services], COLOR_RECEIVED),
                ("Selesai", [data.per_service[c].selesai for c in data.services], COLOR_FINISHED),
            ],
            width,
            190,
            "Diterima dan selesai per layanan",
        )
    )

    # B. per day / month
    label = "bulan" if data.monthly else "hari"
    part_b: list[Flowable] = [Paragraph(f"B. Jumlah per {label}", st["h2"])]
    part_b.append(
        _bar_chart(
            [_bucket_label(data, i, short=True) for i in range(len(data.buckets))],
            [
                ("Diterima", [b[1] for b in data.buckets], COLOR_RECEIVED),
                ("Selesai", [b[2] for b in data.buckets], COLOR_FINISHED),
            ],
            width,
            170,
            f"Diterima dan selesai per {label}",
        )
    )
    story.append(KeepTogether(part_b))
    day_head = [
        Paragraph(esc(h), st["head"])
        for h in ("Bulan" if data.monthly else "Hari, tanggal", "Diterima", "Selesai", "Dibatalkan")
    ]
    day_rows = [
        [_bucket_label(data, i, short=False), fmt.angka(b[1]), fmt.angka(b[2]), fmt.angka(b[3])]
        for i, b in enumerate(data.buckets)
    ]
    day_rows.append(
        [
            "Jumlah",
            fmt.angka(sum(b[1] for b in data.buckets)),
            fmt.angka(sum(b[2] for b in data.buckets)),
            fmt.angka(sum(b[3] for b in data.buckets)),
        ]
    )
    story.append(Spacer(1, 4))
    story.append(
        grid_table([day_head, *day_rows], [width - 3 * 100, 100, 100, 100], total_row=True)
    )
    progress.to(60)

    # C. per kecamatan
    story.append(Paragraph("C. Permohonan diterima per kecamatan", st["h2"]))
    kec_head = [Paragraph("Kecamatan", st["head"])] + [
        Paragraph(esc(service_short(c)), st["head"]) for c in data.services
    ]
    if len(data.services) > 1:
        kec_head.append(Paragraph("Jumlah", st["head"]))
    kec_rows = []
    for code, name in data.kecamatan:
        counts = data.per_kecamatan[code]
        row = [name] + [fmt.angka(counts[s]) for s in data.services]
        if len(data.services) > 1:
            row.append(fmt.angka(sum(counts.values())))
        kec_rows.append(row)
    totals = [sum(data.per_kecamatan[k][s] for k, _n in data.kecamatan) for s in data.services]
    total_row = ["Jumlah"] + [fmt.angka(t) for t in totals]
    if len(data.services) > 1:
        total_row.append(fmt.angka(sum(totals)))
    kec_rows.append(total_row)
    ncols = len(kec_head)
    story.append(
        grid_table(
            [kec_head, *kec_rows],
            [112] + [(width - 112) / (ncols - 1)] * (ncols - 1),
            total_row=True,
        )
    )
    story.append(Spacer(1, 6))
    story.append(Paragraph(esc(NOTES), st["note"]))
    story.append(
        signature_block(
            ctx.profile,
            ctx.place,
            ctx.printed_at,
            width,
            beside=_anchor_block(anchor, width - signature_width(width) - 12),
        )
    )
    progress.to(70)
    scope = service_label(service) if service else "Semua layanan"
    meta = ctx.doc_meta(
        TITLE,
        f"{scope} · Periode {fmt.periode(period.date_from, period.date_to)}",
    )
    return build_pdf(meta, story), data.total.diterima


def _anchor_block(anchor: str | None, width: float) -> list[Flowable]:
    """The audit log's anchor beside the Kepala Dinas signature: paper that pins the log. The
    anchor is one unbroken line (sized to fit), so it can be typed back exactly."""
    st = pdf_styles()
    if anchor is None:
        return [Paragraph("Log audit masih kosong saat rekap ini dicetak.", st["note"])]
    size = min(8.0, 0.97 * width / max(1.0, stringWidth(anchor, SANS_BOLD, 1)))
    line = ParagraphStyle("anchor", parent=st["cell_bold"], fontSize=size, leading=size * 1.3)
    return [
        Paragraph("Jangkar log audit saat rekap ini dicetak:", st["cell"]),
        Paragraph(esc(anchor), line),
        Paragraph(esc(ANCHOR_NOTE), st["note"]),
    ]


def render_xlsx(
    session: Session, ctx: Context, period: Period, service: str | None, progress: Progress
) -> tuple[bytes, int]:
    data = rekap_data(session, period, service, now=ctx.printed_at)
    anchor = audit_anchor(session)
    progress.to(50)
    wb = xlsx.new_workbook()
    scope = service_label(service) if service else "Semua layanan"
    lines = [f"{scope} · Periode {fmt.periode(period.date_from, period.date_to)}"]
    columns = [xlsx.XColumn(h, 14) for h in HEADERS]
    columns[0] = xlsx.XColumn("Layanan", 24)
    columns[4] = xlsx.XColumn("% tepat waktu", 12, "0.0%")

    def values(label: str, c: RekapCounts) -> list[object]:
        on_time, out_of = c.tepat_share
        share = on_time / out_of if out_of else None
        return [
            label,
            c.diterima,
            c.selesai,
            c.tepat_waktu,
            share,
            c.dikembalikan,
            c.dibatalkan,
            c.dalam_proses,
            c.lewat_batas,
        ]

    xlsx.add_sheet(
        wb,
        "Per layanan",
        heading=TITLE,
        lines=[
            *lines,
            NOTES,
            f"Jangkar log audit saat dibuat: {anchor}" if anchor else "Log audit masih kosong.",
        ],
        profile=ctx.profile,
        columns=columns,
        rows=[values(service_label(s), data.per_service[s]) for s in data.services],
        total=values("Jumlah", data.total) if len(data.services) > 1 else None,
    )
    label = "Per bulan" if data.monthly else "Per hari"
    xlsx.add_sheet(
        wb,
        label,
        heading=f"{TITLE} — {label.lower()}",
        lines=lines,
        profile=ctx.profile,
        columns=[
            xlsx.XColumn(
                "Bulan" if data.monthly else "Tanggal",
                14,
                "MMMM YYYY" if data.monthly else xlsx.DATE_FORMAT,
            ),
            xlsx.XColumn("Hari", 10),
            xlsx.XColumn("Diterima", 11),
            xlsx.XColumn("Selesai", 11),
            xlsx.XColumn("Dibatalkan", 11),
        ],
        rows=[
            [b[0], "" if data.monthly else fmt.nama_hari(b[0]), b[1], b[2], b[3]]
            for b in data.buckets
        ],
        total=[
            "Jumlah",
            "",
            sum(b[1] for b in data.buckets),
            sum(b[2] for b in data.buckets),
            sum(b[3] for b in data.buckets),
        ],
    )
    kec_cols = [xlsx.XColumn("Kecamatan", 20), xlsx.XColumn("Kode", 10)] + [
        xlsx.XColumn(service_label(s), 12) for s in data.services
    ]
    kec_cols.append(xlsx.XColumn("Jumlah", 10))
    xlsx.add_sheet(
        wb,
        "Per kecamatan",
        heading=f"{TITLE} — diterima per kecamatan",
        lines=lines,
        profile=ctx.profile,
        columns=kec_cols,
        rows=[
            [
                name,
                code or None,
                *[data.per_kecamatan[code][s] for s in data.services],
                sum(data.per_kecamatan[code].values()),
            ]
            for code, name in data.kecamatan
        ],
        total=[
            "Jumlah",
            None,
            *[sum(data.per_kecamatan[k][s] for k, _n in data.kecamatan) for s in data.services],
            data.total.diterima,
        ],
    )
    progress.to(90)
    return xlsx.save(wb), data.total.diterima
