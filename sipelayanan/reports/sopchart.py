"""The SOP chart (bagan alur) of each service, drawn from the very definitions the app runs:
actor lanes as columns, steps as rows, the flow between them, and the mutu baku columns
(kelengkapan, waktu, output). The printed SOP and the running software cannot drift apart."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    Flowable,
    KeepInFrame,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from sqlalchemy.orm import Session

from ..services.standar import step_notes
from ..sop import ROLES, ServiceDef, Step, services
from ..sop.identity import IDENTITY_LISTS, SopIdentity, identity_of
from . import text as fmt
from .common import Context, Progress, split_office_name
from .fonts import SANS, SANS_BOLD
from .pdf import (
    ACCENT,
    GRID,
    HEADER_FILL,
    INK,
    MUTED,
    RULE,
    build_pdf,
    esc,
    frame_width,
    logo_reader,
)
from .pdf import styles as pdf_styles

SYMBOL_FILL = colors.HexColor("#dde6f0")
SYMBOL_LINE = colors.HexColor("#1f4e79")
FLOW = colors.HexColor("#333333")
MIN_ROW = 30.0
PAD = 3.0


def lanes(sdef: ServiceDef) -> list[str]:
    """Actor lanes in order of first appearance (the SOP's own actor labels), plus the roles a
    step works with (e.g. the Tim Penjawab Aduan)."""
    out: list[str] = []
    for step in sdef.steps:
        if step.actor_label not in out:
            out.append(step.actor_label)
        for role in step.with_roles:
            label = ROLES.get(role, role)
            if label not in out:
                out.append(label)
    return out


def notes(step: Step) -> list[str]:
    """What the app does at this step besides moving on, in the SOP's words (the standar
    pelayanan prints the same words)."""
    return step_notes(step)


def _shape(sdef: ServiceDef, step: Step) -> str:
    if step is sdef.intake_step or step.no == sdef.last_step:  # where the flow starts and ends
        return "terminator"
    branches = step.allows("return_pemohon") or step.allows("close") or step.back_targets()
    if step.decision or branches:
        return "decision"
    return "process"


@dataclass
class _Row:
    step: Step
    cells: list[Paragraph]  # kegiatan, kelengkapan, output, keterangan
    height: float


class SopChart(Flowable):  # type: ignore[misc]
    """One service's chart; splits between steps when it does not fit a page."""

    def __init__(
        self,
        sdef: ServiceDef,
        width: float,
        rows: list[_Row] | None = None,
        first: bool = True,
        last: bool = True,
    ) -> None:
        super().__init__()
        self.sdef = sdef
        self.width = width
        self.lane_names = lanes(sdef)
        n = len(self.lane_names)
        # columns: No, Kegiatan, lanes..., Kelengkapan, Waktu, Output, Keterangan
        self.fixed = [16.0, 162.0]
        self.tail = [92.0, 34.0, 84.0, 88.0]
        self.lane_w = (width - sum(self.fixed) - sum(self.tail)) / n
        self.xs = [0.0]
        for w in [*self.fixed, *([self.lane_w] * n), *self.tail]:
            self.xs.append(self.xs[-1] + w)
        st = pdf_styles()
        self.cell = ParagraphStyle("sopcell", parent=st["cell"], fontSize=7, leading=8.4)
        self.head = ParagraphStyle("sophead", parent=st["head"], fontSize=7, leading=8.2)
        self.lane_head = [Paragraph(esc(label), style) for label, style in self._lane_labels()]
        self.lane_head_h = max(p.wrap(self.lane_w - 2, 200)[1] for p in self.lane_head) + 2 * PAD
        self.header_h = 14 + self.lane_head_h
        self.rows = rows if rows is not None else self._rows()
        self.first = first
        self.last = last
        self.total_h = 14.0  # the total (last part) or the hand-over to the next page
        self.height = self.header_h + sum(r.height for r in self.rows) + self.total_h

    def _lane_labels(self) -> list[tuple[str, ParagraphStyle]]:
        """Lane titles sized so that no word is cut: the font shrinks to 5.5 pt, and a long
        "A/B" word may break after its slash."""
        room = self.lane_w - 4
        out = []
        for name in self.lane_names:
            size = 7.0
            words = name.replace("/", "/ ").split()
            while size > 5.5 and max(stringWidth(w, SANS_BOLD, size) for w in words) > room:
                size -= 0.25
            text = name if stringWidth(name, SANS_BOLD, size) <= room else name.replace("/", "/ ")
            style = ParagraphStyle(
                f"lane{size}", parent=self.head, fontSize=size, leading=size * 1.15
            )
            out.append((text, style))
        return out

    def _col(self, index: int) -> tuple[float, float]:
        return self.xs[index], self.xs[index + 1]

    def _rows(self) -> list[_Row]:
        out = []
        n = len(self.lane_names)
        widths = [self.fixed[1], self.tail[0], self.tail[2], self.tail[3]]
        for step in self.sdef.steps:
            texts = [
                step.activity,
                step.needs or "-",
                step.output or "-",
                "; ".join(notes(step)) or "-",
            ]
            cells = [Paragraph(esc(t), self.cell) for t in texts]
            h = max(p.wrap(w - 2 * PAD, 1000)[1] for p, w in zip(cells, widths, strict=True))
            out.append(_Row(step, cells, max(MIN_ROW, h + 2 * PAD)))
        del n
        return out

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return self.width, self.height

    def split(self, aw: float, ah: float) -> list[Flowable]:
        room = ah - self.header_h - self.total_h
        used = 0.0
        n = 0
        for r in self.rows:
            if used + r.height > room:
                break
            used += r.height
            n += 1
        if n == 0 or n >= len(self.rows):
            return []
        return [
            SopChart(self.sdef, self.width, self.rows[:n], self.first, False),
            SopChart(self.sdef, self.width, self.rows[n:], False, self.last),
        ]

    # -- drawing ------------------------------------------------------------------------------

    def _lane_x(self, step: Step) -> float:
        i = self.lane_names.index(step.actor_label)
        a, b = self._col(2 + i)
        return (a + b) / 2

    def draw(self) -> None:
        c = self.canv
        n = len(self.lane_names)
        top = self.height
        body_top = top - self.header_h
        c.saveState()
        # header
        c.setFillColor(HEADER_FILL)
        c.rect(0, body_top, self.width, self.header_h, stroke=0, fill=1)
        c.setFillColor(INK)
        c.setFont(SANS_BOLD, 7.5)
        lane_a, lane_b = self.xs[2], self.xs[2 + n]
        tail0 = 2 + n
        spans = [
            ("No", 0, 1, True),
            ("Kegiatan", 1, 2, True),
            ("Pelaksana", 2, 2 + n, False),
            ("Mutu Baku", tail0, tail0 + 3, False),
            ("Keterangan", tail0 + 3, tail0 + 4, True),
        ]
        for label, a, b, full in spans:
            x0, x1 = self.xs[a], self.xs[b]
            y = (body_top + top) / 2 - 3 if full else top - 10
            c.drawCentredString((x0 + x1) / 2, y, label)
        for i, p in enumerate(self.lane_head):
            x0, _x1 = self._col(2 + i)
            _w, h = p.wrap(self.lane_w - 2, 200)
            p.drawOn(c, x0 + 1, body_top + (self.lane_head_h - h) / 2)
        c.setFont(SANS_BOLD, 7)
        for label, idx in (
            ("Kelengkapan", tail0),
            ("Waktu (menit)", tail0 + 1),
            ("Output", tail0 + 2),
        ):
            x0, x1 = self._col(idx)
            if label == "Waktu (menit)":
                c.drawCentredString((x0 + x1) / 2, body_top + self.lane_head_h / 2 + 1, "Waktu")
                c.drawCentredString((x0 + x1) / 2, body_top + self.lane_head_h / 2 - 7, "(menit)")
            else:
                c.drawCentredString((x0 + x1) / 2, body_top + self.lane_head_h / 2 - 3, label)
        # rows: text
        y = body_top
        centres: list[tuple[Step, float, float, float, float]] = []  # step, x, y, top, bottom
        for r in self.rows:
            y_next = y - r.height
            c.setFont(SANS, 7.5)
            c.setFillColor(INK)
            c.drawCentredString(self.xs[1] / 2, y - PAD - 7, str(r.step.no))
            for p, idx in zip(r.cells, (1, tail0, tail0 + 2, tail0 + 3), strict=True):
                x0, x1 = self._col(idx)
                _w, h = p.wrap(x1 - x0 - 2 * PAD, 1000)
                p.drawOn(c, x0 + PAD, y - PAD - h)
            x0, x1 = self._col(tail0 + 1)
            c.setFont(SANS_BOLD, 8)
            c.drawCentredString((x0 + x1) / 2, y - r.height / 2 - 3, str(r.step.minutes))
            cx = self._lane_x(r.step)
            cy = y - r.height / 2
            shape = _shape(self.sdef, r.step)
            half = 9.0 if shape == "decision" else 7.0
            centres.append((r.step, cx, cy, cy + half, cy - half))
            y = y_next
        # grid
        c.setStrokeColor(GRID)
        c.setLineWidth(0.35)
        path = c.beginPath()
        yy = body_top
        for r in self.rows:
            yy -= r.height
            path.moveTo(0, yy)
            path.lineTo(self.width, yy)
        bottom = self.total_h
        for i, x in enumerate(self.xs[1:-1], start=1):
            if 2 < i < 2 + n:  # lane separators: lighter, so the flow reads across
                continue
            path.moveTo(x, bottom)
            # inside the "Mutu Baku" group the separators stop under the group title
            path.lineTo(x, top - 14 if i in (tail0 + 1, tail0 + 2) else top)
        path.moveTo(lane_a, top - 14)
        path.lineTo(lane_b, top - 14)
        path.moveTo(self.xs[tail0], top - 14)
        path.lineTo(self.xs[tail0 + 3], top - 14)
        c.drawPath(path, stroke=1, fill=0)
        c.setDash(1, 2)
        lanes_path = c.beginPath()
        for i in range(3, 2 + n):
            lanes_path.moveTo(self.xs[i], self.total_h)
            lanes_path.lineTo(self.xs[i], body_top)
            lanes_path.moveTo(self.xs[i], body_top)
            lanes_path.lineTo(self.xs[i], top - 14)
        c.drawPath(lanes_path, stroke=1, fill=0)
        c.setDash()
        # flow between steps
        c.setStrokeColor(FLOW)
        c.setFillColor(FLOW)
        c.setLineWidth(0.8)
        for (_s1, x1, _y1, _t1, b1), (_s2, x2, _y2, t2, _b2) in pairwise(centres):
            self._connector(x1, b1, x2, t2)
        if not self.first and centres:
            _s, x, _y, t, _b = centres[0]
            self._arrow_line([(x, body_top), (x, t)])
        if not self.last and centres:
            _s, x, _y, _t, below = centres[-1]
            self._arrow_line([(x, below), (x, 1.5)])
            c.setFont(SANS, 6.5)
            c.setFillColor(MUTED)
            c.drawString(x + 4, 4, f"bersambung ke langkah {centres[-1][0].no + 1}")
            c.setStrokeColor(GRID)
            c.setLineWidth(0.35)
            c.line(0, self.total_h, self.width, self.total_h)
        # the Tim Penjawab Aduan (and the like) working with a step
        for step, x, y_c, _t, _b in centres:
            for role in step.with_roles:
                label = ROLES.get(role, role)
                if label in self.lane_names:
                    left, right = self._col(2 + self.lane_names.index(label))
                    tx = (left + right) / 2
                    c.setDash(2, 2)
                    c.line(x + (7 if tx > x else -7), y_c, tx - (7 if tx > x else -7), y_c)
                    c.setDash()
                    self._symbol("process", tx, y_c, dashed=True)
        for step, x, y_c, _t, _b in centres:
            self._symbol(_shape(self.sdef, step), x, y_c)
        # total
        if self.last:
            c.setFillColor(HEADER_FILL)
            c.rect(0, 0, self.width, self.total_h, stroke=0, fill=1)
            c.setFillColor(INK)
            c.setFont(SANS_BOLD, 7.5)
            x0, x1 = self._col(tail0 + 1)
            c.drawRightString(x0 - 6, 4, "Jumlah waktu penyelesaian (mutu baku)")
            c.drawCentredString((x0 + x1) / 2, 4, str(self.sdef.total_minutes))
            c.setFont(SANS, 7)
            c.drawString(x1 + 4, 4, "menit")
            c.setStrokeColor(GRID)
            c.setLineWidth(0.35)
            c.line(0, self.total_h, self.width, self.total_h)
        c.setStrokeColor(RULE)
        c.setLineWidth(0.8)
        c.rect(0, 0, self.width, top, stroke=1, fill=0)
        c.line(0, body_top, self.width, body_top)
        c.restoreState()

    def _symbol(self, shape: str, x: float, y: float, *, dashed: bool = False) -> None:
        c = self.canv
        w = min(self.lane_w - 8, 40.0)
        c.setFillColor(SYMBOL_FILL)
        c.setStrokeColor(SYMBOL_LINE)
        c.setLineWidth(0.9)
        if dashed:
            c.setDash(2, 1.5)
        if shape == "terminator":
            c.roundRect(x - w / 2, y - 7, w, 14, 7, stroke=1, fill=1)
        elif shape == "decision":
            dw = min(w, 26.0) / 2
            p = c.beginPath()
            p.moveTo(x, y + 9)
            p.lineTo(x + dw, y)
            p.lineTo(x, y - 9)
            p.lineTo(x - dw, y)
            p.close()
            c.drawPath(p, stroke=1, fill=1)
        else:
            c.rect(x - w / 2, y - 7, w, 14, stroke=1, fill=1)
        if dashed:
            c.setDash()

    def _arrow_line(self, points: list[tuple[float, float]]) -> None:
        c = self.canv
        p = c.beginPath()
        p.moveTo(*points[0])
        for pt in points[1:]:
            p.lineTo(*pt)
        c.drawPath(p, stroke=1, fill=0)
        (xa, _ya), (xb, yb) = points[-2], points[-1]
        head = c.beginPath()
        if abs(xb - xa) < 0.01:  # vertical, pointing down
            head.moveTo(xb, yb)
            head.lineTo(xb - 2.6, yb + 4.5)
            head.lineTo(xb + 2.6, yb + 4.5)
        else:
            sign = 1 if xb > xa else -1
            head.moveTo(xb, yb)
            head.lineTo(xb - sign * 4.5, yb + 2.6)
            head.lineTo(xb - sign * 4.5, yb - 2.6)
        head.close()
        c.drawPath(head, stroke=0, fill=1)

    def _connector(self, x1: float, y_from: float, x2: float, y_to: float) -> None:
        if abs(x1 - x2) < 0.01:
            self._arrow_line([(x1, y_from), (x2, y_to)])
            return
        mid = (y_from + y_to) / 2
        self._arrow_line([(x1, y_from), (x1, mid), (x2, mid), (x2, y_to)])


def _service_header(sdef: ServiceDef) -> list[Flowable]:
    st = pdf_styles()
    info = ParagraphStyle("sopinfo", parent=st["small"], textColor=MUTED)
    return [
        Paragraph(
            esc(f"SOP {sdef.name}"),
            ParagraphStyle("soph", parent=st["h2"], textColor=ACCENT, spaceBefore=0),
        ),
        Paragraph(
            esc(
                f"Nomor {sdef.sop_number} · {sdef.sop_title} · WhatsApp "
                f"{sdef.wa_number or 'nomor pengaduan kantor'} · penyelesaian "
                f"{sdef.standard_working_days} hari kerja · {sdef.total_minutes} menit"
            ),
            info,
        ),
        Spacer(1, 5),
    ]


def identity_page(
    sdef: ServiceDef, identity: SopIdentity, ctx: Context, width: float
) -> list[Flowable]:
    """The SOP's identity page as the signed document has it: the office and unit beside the
    number, dates, pengesahan (the Kepala Dinas of the office profile signs) and name; below,
    dasar hukum | kualifikasi pelaksana, keterkaitan | peralatan, peringatan | pencatatan."""
    st = pdf_styles()
    size = 7.6
    body = ParagraphStyle("idbody", parent=st["cell"], fontSize=size, leading=size * 1.22)
    bold = ParagraphStyle("idbold", parent=body, fontName=SANS_BOLD)
    item = ParagraphStyle("iditem", parent=body, leftIndent=10, firstLineIndent=-10)
    centre = ParagraphStyle("idcentre", parent=bold, alignment=TA_CENTER, fontSize=9, leading=11)
    sign = ParagraphStyle("idsign", parent=body, alignment=TA_CENTER)
    head = ParagraphStyle("idhead", parent=bold, alignment=TA_CENTER)

    office = [p for p in (ctx.profile.parent.strip(), ctx.profile.name.strip()) if p]
    lines = [office[0].upper()] if len(office) > 1 else []
    lines += [part.upper() for part in split_office_name(office[-1])] if office else []
    if identity.unit:
        lines.append(identity.unit.upper())
    kop: list[Flowable] = []
    logo = logo_reader(ctx.profile)
    if logo is not None:
        from reportlab.platypus import Image

        iw, ih = logo.getSize()
        kop.append(Image(logo, width=48 * iw / max(ih, 1), height=48))
        kop.append(Spacer(1, 4))
    kop += [Paragraph(esc(line), centre) for line in lines]
    name = ctx.profile.kepala_dinas.strip() or "(" + "." * 40 + ")"
    nip = ctx.profile.kepala_dinas_nip.strip() or "." * 30
    pengesahan = [
        Paragraph(esc(f"{identity.disahkan_oleh},"), sign),
        Spacer(1, 30),
        Paragraph(f"<u><b>{esc(name)}</b></u>", sign),
        Paragraph(esc(f"NIP. {nip}"), sign),
    ]
    half = width / 2
    label_w = 78.0
    rows: list[list[object]] = [
        [kop, Paragraph("Nomor SOP", bold), Paragraph(esc(sdef.sop_number), body)],
        ["", Paragraph("Tgl. Pembuatan", bold), Paragraph(esc(identity.tanggal_pembuatan), body)],
        ["", Paragraph("Tgl. Revisi", bold), Paragraph(esc(identity.tanggal_revisi), body)],
        ["", Paragraph("Tgl. Efektif", bold), Paragraph(esc(identity.tanggal_efektif), body)],
        ["", Paragraph("Disahkan Oleh", bold), pengesahan],
        ["", Paragraph("Nama SOP", bold), Paragraph(esc(sdef.sop_title.upper()), bold)],
    ]
    top = Table(
        rows,
        colWidths=[half, label_w, half - label_w],
        style=TableStyle(
            [
                ("SPAN", (0, 0), (0, -1)),
                ("VALIGN", (0, 0), (0, -1), "MIDDLE"),
                ("VALIGN", (1, 0), (-1, -1), "MIDDLE"),
                ("GRID", (0, 0), (-1, -1), 0.5, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        ),
    )
    grid: list[list[object]] = []
    style: list[tuple[object, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    for i in range(0, len(IDENTITY_LISTS), 2):
        pair = IDENTITY_LISTS[i : i + 2]
        style.append(("BACKGROUND", (0, len(grid)), (-1, len(grid)), HEADER_FILL))
        grid.append([Paragraph(esc(label.upper()), head) for _key, label in pair])
        grid.append(
            [
                [
                    Paragraph(esc(f"{n}. {text}"), item)
                    for n, text in enumerate(identity.items(key), start=1)
                ]
                for key, _label in pair
            ]
        )
    lists = Table(grid, colWidths=[half, half], style=TableStyle(style))
    # one page, whatever the page (the first carries the letterhead): shrunk when needed
    return [KeepInFrame(0, 0, [top, lists], mode="shrink")]


def render_pdf(
    session: Session, ctx: Context, period: object, service: str | None, progress: Progress
) -> tuple[bytes, int]:
    chosen = [services()[service]] if service else list(services().values())
    width = frame_width(True)
    st = pdf_styles()
    story: list[Flowable] = []
    for i, sdef in enumerate(chosen):
        if i:
            story.append(PageBreak())
        story += _service_header(sdef)
        identity = identity_of(sdef.code)
        if identity is not None:
            story += identity_page(sdef, identity, ctx, width)
            story.append(PageBreak())
            story += _service_header(sdef)
        story.append(SopChart(sdef, width))
        story.append(Spacer(1, 4))
        story.append(
            Paragraph(
                esc(
                    "Bagan ini digambar langsung dari definisi SOP yang dijalankan SiPelayanan "
                    f"(versi {sdef.version}, sidik jari {sdef.fingerprint()[:12]}). Simbol: "
                    "elips = mulai/selesai, persegi = kegiatan, belah ketupat = keputusan "
                    "(periksa/verifikasi)."
                ),
                st["note"],
            )
        )
        progress.to(10 + 60 * (i + 1) // len(chosen))
    title = "BAGAN ALUR STANDAR OPERASIONAL PROSEDUR"
    subtitle = chosen[0].name if service else "Pelayanan Online WhatsApp — semua layanan"
    meta = ctx.doc_meta(
        title,
        f"{subtitle} · dicetak {fmt.tanggal(ctx.printed_at)}",
        landscape=True,
    )
    return build_pdf(meta, story), sum(len(s.steps) for s in chosen)
