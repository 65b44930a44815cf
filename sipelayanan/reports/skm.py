"""Laporan Survei Kepuasan Masyarakat (PermenPANRB 14/2017): the regulation's tables (NRR per
element, NRR tertimbang, IKM and its conversion, mutu pelayanan and kinerja), the minimum sample
against the period's population, the figures per service, the respondent profile, the weakest
elements, the admin's "rencana tindak lanjut", the suggestions — signed by the Kepala Dinas;
the same as an xlsx workbook; and a one-page summary for publishing.

Anonymous: the answers come from :func:`sipelayanan.skm.store.survey`, which reads neither
tracking codes nor requests; nothing here names a pemohon, a NIK, a number or a code."""

from __future__ import annotations

from typing import Any

from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer
from sqlalchemy.orm import Session

from .. import skm
from ..skm.store import Survey, get_follow_up, survey, surveyed_services
from . import text as fmt
from . import xlsx
from .common import Context, Progress
from .data import Period
from .pdf import build_pdf, esc, frame_width, grid_table, signature_block
from .pdf import styles as pdf_styles

TITLE = "LAPORAN SURVEI KEPUASAN MASYARAKAT"
SUMMARY_TITLE = "INDEKS KEPUASAN MASYARAKAT"
BASIS = "Peraturan Menteri PANRB Nomor 14 Tahun 2017"


def _num(value: Any, decimals: int) -> str:
    return "–" if value is None else fmt.angka(float(value), decimals)


def _subtitle(period: Period) -> str:
    label = skm.period_label(period.date_from, period.date_to)
    words = fmt.periode(period.date_from, period.date_to)
    return f"{label} ({words})" if not label[0].isdigit() else words


def _mutu_text(data: Any) -> str:
    idx = data.index
    if idx.mutu is None:
        return "belum ada responden"
    return f"{_num(idx.ikm, 2)} — mutu {idx.mutu.code} ({idx.mutu.kinerja})"


def _sample_text(f: Any) -> str:
    reached = "tercapai" if f.tercapai else "belum tercapai"
    return (
        f"{fmt.angka(f.responden)} responden dari populasi {fmt.angka(f.populasi)} permohonan "
        f"selesai; sampel minimum (Krejcie–Morgan) {fmt.angka(f.sampel_minimum)} — {reached}"
    )


def _element_table(data: Survey, width: float) -> Flowable:
    st = pdf_styles()
    idx = data.office.index
    head = [
        Paragraph(esc(h), st["head"])
        for h in (
            "No.",
            "Unsur pelayanan",
            "1",
            "2",
            "3",
            "4",
            "NRR",
            "NRR tertimbang",
            "IKM unsur",
        )
    ]
    rows: list[list[Any]] = [head]
    nrr = idx.nrr_rounded() if idx.responden else [None] * 9
    tert = idx.nrr_tertimbang() if idx.responden else [None] * 9
    per = idx.ikm_unsur() if idx.responden else [None] * 9
    for u in skm.UNSUR:
        dist = data.distribusi[u.no - 1] if data.distribusi else [0, 0, 0, 0]
        rows.append(
            [
                f"U{u.no}",
                Paragraph(esc(u.name), st["cell"]),
                *(fmt.angka(n) for n in dist),
                _num(nrr[u.no - 1], 3),
                _num(tert[u.no - 1], 3),
                _num(per[u.no - 1], 2),
            ]
        )
    rows.append(
        [
            "",
            "IKM = 25 × (1/9) × Σ NRR",
            "",
            "",
            "",
            "",
            "",
            "",
            _num(idx.ikm, 2),
        ]
    )
    fixed: list[float] = [26, 0, 34, 34, 34, 34, 44, 56, 52]
    fixed[1] = width - sum(fixed)
    return grid_table(rows, fixed, total_row=True, align_numbers_from=2)


def _mutu_table(width: float) -> Flowable:
    st = pdf_styles()
    head = [
        Paragraph(esc(h), st["head"])
        for h in (
            "Nilai persepsi",
            "Nilai interval (NI)",
            "Nilai interval konversi (IKM)",
            "Mutu pelayanan",
            "Kinerja unit pelayanan",
        )
    ]
    intervals = ("1,00 – 2,5996", "2,60 – 3,064", "3,0644 – 3,532", "3,5324 – 4,00")
    rows: list[list[Any]] = [head]
    for i, band in enumerate(reversed(skm.MUTU), start=1):
        rows.append(
            [
                str(i),
                intervals[i - 1],
                f"{fmt.angka(float(band.low), 2)} – {fmt.angka(float(band.high), 2)}",
                band.code,
                band.kinerja,
            ]
        )
    w = width / 5
    return grid_table(rows, [w] * 5, align_numbers_from=5)


def _service_table(data: Survey, width: float) -> Flowable:
    st = pdf_styles()
    names = surveyed_services()
    head = [
        Paragraph(esc(h), st["head"])
        for h in ("Layanan", "Responden", "Populasi", "Sampel minimum", "Tercapai", "IKM", "Mutu")
    ]
    rows: list[list[Any]] = [head]
    for code, f in data.per_layanan.items():
        idx = f.index
        rows.append(
            [
                Paragraph(esc(names.get(code, code)), st["cell"]),
                fmt.angka(f.responden),
                fmt.angka(f.populasi),
                fmt.angka(f.sampel_minimum),
                "Ya" if f.tercapai else "Belum",
                _num(idx.ikm, 2),
                f"{idx.mutu.code} ({idx.mutu.kinerja})" if idx.mutu else "–",
            ]
        )
    o = data.office
    rows.append(
        [
            "Seluruh layanan",
            fmt.angka(o.responden),
            fmt.angka(o.populasi),
            fmt.angka(o.sampel_minimum),
            "Ya" if o.tercapai else "Belum",
            _num(o.index.ikm, 2),
            f"{o.index.mutu.code} ({o.index.mutu.kinerja})" if o.index.mutu else "–",
        ]
    )
    fixed: list[float] = [0, 52, 52, 56, 48, 48, 84]
    fixed[0] = width - sum(fixed)
    return grid_table(rows, fixed, total_row=True)


def _profile_tables(data: Survey, width: float) -> list[Flowable]:
    st = pdf_styles()
    out: list[Flowable] = []
    total = data.office.responden
    for title, rows in (
        ("Umur", data.umur),
        ("Jenis kelamin", data.jenis_kelamin),
        ("Pendidikan", data.pendidikan),
        ("Pekerjaan", data.pekerjaan),
    ):
        head = [Paragraph(esc(h), st["head"]) for h in (title, "Jumlah", "Persentase")]
        body = [[label, fmt.angka(n), fmt.persen(n, total)] for label, n in rows]
        out.append(grid_table([head, *body], [width - 140, 60, 80]))
        out.append(Spacer(1, 4))
    return out


def _weakest(data: Survey) -> list[tuple[int, str, str]]:
    idx = data.office.index
    if not idx.responden:
        return []
    nrr = idx.nrr_rounded()
    return [(n, skm.UNSUR[n - 1].name, _num(nrr[n - 1], 3)) for n in idx.weakest(3)]


def check_surveyed(service: str | None) -> None:
    """A complaint service is not surveyed: refuse it with a clear message."""
    from ..errors import InputError

    if service is not None and service not in surveyed_services():
        raise InputError(
            "Survei kepuasan menilai permohonan layanan, bukan pengaduan; pilih layanan lain "
            "atau semua layanan.",
            "service",
        )


def grouped_saran(data: Survey) -> list[tuple[str, int, str]]:
    """(suggestion, how many gave it, the services' short names), most frequent first;
    the same text in another case or spacing counts as the same suggestion."""
    from .common import service_short

    groups: dict[str, tuple[str, int, set[str]]] = {}
    for service, _day, text in data.saran:
        key = " ".join(text.split()).casefold()
        shown, n, where = groups.get(key, (text, 0, set()))
        where.add(service)
        groups[key] = (shown, n + 1, where)
    order = sorted(groups.values(), key=lambda g: (-g[1], g[0].casefold()))
    return [(t, n, ", ".join(service_short(c) for c in sorted(w))) for t, n, w in order]


def render_pdf(
    session: Session, ctx: Context, period: Period, service: str | None, progress: Progress
) -> tuple[bytes, int]:
    check_surveyed(service)
    data = survey(session, period.date_from, period.date_to, service)
    follow_up = get_follow_up(session, period.date_from, period.date_to)
    progress.to(40)
    st = pdf_styles()
    width = frame_width(False)
    o = data.office
    story: list[Flowable] = [
        Paragraph(
            esc(
                f"Survei kepuasan masyarakat menurut {BASIS}: sembilan unsur pelayanan, skala "
                "1–4, IKM = 25 × (1/9) × Σ NRR. Jawaban responden tanpa nama dan tanpa kode."
            ),
            st["note"],
        ),
        Paragraph("A. Hasil", st["h2"]),
        Paragraph(esc(f"Indeks Kepuasan Masyarakat: {_mutu_text(o)}."), st["body"]),
        Paragraph(esc(f"Sampel: {_sample_text(o)}."), st["body"]),
        Paragraph("B. Nilai rata-rata per unsur (NRR)", st["h2"]),
        _element_table(data, width),
        Paragraph(
            esc(
                "Kolom 1–4: jumlah responden yang memilih jawaban itu. NRR tertimbang = NRR × 1/9 "
                "(tiga desimal, untuk lembar kerja); IKM dihitung dari nilai pasti lalu "
                "dibulatkan dua desimal."
            ),
            st["note"],
        ),
        Paragraph("C. Nilai persepsi, interval, mutu pelayanan dan kinerja", st["h2"]),
        _mutu_table(width),
        Paragraph("D. IKM per layanan", st["h2"]),
        _service_table(data, width),
        Paragraph("E. Profil responden", st["h2"]),
        *_profile_tables(data, width),
        Paragraph("F. Saran dan masukan responden", st["h2"]),
    ]
    if data.saran:
        head = [Paragraph(esc(h), st["head"]) for h in ("Saran", "Jumlah", "Layanan")]
        body = [
            [Paragraph(esc(text), st["cell"]), fmt.angka(n), Paragraph(esc(where), st["cell"])]
            for text, n, where in grouped_saran(data)
        ]
        story.append(grid_table([head, *body], [width - 196, 46, 150], align_numbers_from=1))
        story.append(
            Paragraph(
                esc(
                    "Saran yang sama dari beberapa responden dihitung sekali; semua saran ada "
                    "di lembar Jawaban pada file Excel."
                ),
                st["note"],
            )
        )
    else:
        story.append(Paragraph("Tidak ada saran pada periode ini.", st["body"]))
    # the conclusions stay on the page the Kepala Dinas signs
    closing: list[Flowable] = [Paragraph("G. Unsur dengan nilai terendah", st["h2"])]
    weakest = _weakest(data)
    if weakest:
        head = [Paragraph(esc(h), st["head"]) for h in ("Unsur", "Nama unsur", "NRR")]
        body = [[f"U{n}", name, v] for n, name, v in weakest]
        closing.append(grid_table([head, *body], [40, width - 100, 60], align_numbers_from=2))
    else:
        closing.append(Paragraph("Belum ada responden pada periode ini.", st["body"]))
    closing.append(Paragraph("H. Rencana tindak lanjut", st["h2"]))
    head = [Paragraph(esc(h), st["head"]) for h in ("No.", "Rencana tindak lanjut")]
    lines = follow_up or ["", "", ""]
    closing.append(
        grid_table(
            [
                head,
                *[
                    [str(i), Paragraph(esc(t) or "&nbsp;", st["cell"])]
                    for i, t in enumerate(lines, 1)
                ],
            ],
            [30, width - 30],
            align_numbers_from=2,
        )
    )
    if not follow_up:
        closing.append(
            Paragraph(
                esc("Belum diisi admin (Survei Kepuasan ▸ Rencana tindak lanjut)."), st["note"]
            )
        )
    closing.append(signature_block(ctx.profile, ctx.place, ctx.printed_at, width))
    story.append(KeepTogether(closing))
    progress.to(80)
    meta = ctx.doc_meta(TITLE, _subtitle(period))
    return build_pdf(meta, story), o.responden


def render_summary_pdf(
    session: Session, ctx: Context, period: Period, service: str | None = None
) -> bytes:
    """One page for publishing (notice board, website): IKM, mutu, respondents, the nine
    NRR, per service, and the follow-up plan — no suggestion texts, nothing personal."""
    check_surveyed(service)
    data = survey(session, period.date_from, period.date_to, service)
    follow_up = get_follow_up(session, period.date_from, period.date_to)
    st = pdf_styles()
    width = frame_width(False)
    o = data.office
    big = st["title"].clone("big", fontSize=26, leading=32)
    story: list[Flowable] = [
        Paragraph(esc(_num(o.index.ikm, 2)), big),
        Paragraph(
            esc(
                f"Mutu pelayanan {o.index.mutu.code} — {o.index.mutu.kinerja}"
                if o.index.mutu
                else "Belum ada responden"
            ),
            st["subtitle"],
        ),
        Spacer(1, 6),
        Paragraph(esc(f"{_sample_text(o)}."), st["body"]),
        Paragraph("Nilai rata-rata per unsur", st["h2"]),
        _element_table(data, width),
        Paragraph("IKM per layanan", st["h2"]),
        _service_table(data, width),
    ]
    if follow_up:
        story.append(Paragraph("Rencana tindak lanjut", st["h2"]))
        for i, t in enumerate(follow_up, 1):
            story.append(Paragraph(esc(f"{i}. {t}"), st["body"]))
    story.append(signature_block(ctx.profile, ctx.place, ctx.printed_at, width))
    meta = ctx.doc_meta(SUMMARY_TITLE, _subtitle(period))
    return build_pdf(meta, story)


def render_xlsx(
    session: Session, ctx: Context, period: Period, service: str | None, progress: Progress
) -> tuple[bytes, int]:
    from ..skm.store import stored_answers

    check_surveyed(service)
    data = survey(session, period.date_from, period.date_to, service)
    progress.to(40)
    wb = xlsx.new_workbook()
    o = data.office
    lines = [
        f"Periode {_subtitle(period)}",
        f"IKM {_mutu_text(o)}",
        f"Sampel: {_sample_text(o)}",
    ]
    idx = o.index
    nrr: list[Any] = idx.nrr_rounded() if idx.responden else [None] * 9
    xlsx.add_sheet(
        wb,
        "IKM",
        heading=TITLE,
        lines=lines,
        profile=ctx.profile,
        columns=[
            xlsx.XColumn("Unsur", 8),
            xlsx.XColumn("Nama unsur", 40),
            xlsx.XColumn("Jawaban 1", 10),
            xlsx.XColumn("Jawaban 2", 10),
            xlsx.XColumn("Jawaban 3", 10),
            xlsx.XColumn("Jawaban 4", 10),
            xlsx.XColumn("NRR", 10, "0.000"),
        ],
        rows=[
            [
                f"U{u.no}",
                u.name,
                *data.distribusi[u.no - 1],
                float(nrr[u.no - 1]) if nrr[u.no - 1] is not None else None,
            ]
            for u in skm.UNSUR
        ],
        total=[
            "IKM",
            "25 × (1/9) × Σ NRR",
            None,
            None,
            None,
            None,
            float(idx.ikm) if idx.ikm is not None else None,
        ],
    )
    names = surveyed_services()
    xlsx.add_sheet(
        wb,
        "Per layanan",
        heading=f"{TITLE} — per layanan",
        lines=lines,
        profile=ctx.profile,
        columns=[
            xlsx.XColumn("Kode layanan", 14),
            xlsx.XColumn("Layanan", 40),
            xlsx.XColumn("Responden", 11),
            xlsx.XColumn("Populasi", 11),
            xlsx.XColumn("Sampel minimum", 11),
            xlsx.XColumn("Tercapai", 10),
            xlsx.XColumn("IKM", 10, "0.00"),
            xlsx.XColumn("Mutu", 8),
            *(xlsx.XColumn(f"NRR U{i}", 9, "0.000") for i in range(1, 10)),
        ],
        rows=[
            [
                code,
                names.get(code, code),
                f.responden,
                f.populasi,
                f.sampel_minimum,
                "Ya" if f.tercapai else "Belum",
                float(f.index.ikm) if f.index.ikm is not None else None,
                f.index.mutu.code if f.index.mutu else None,
                *([float(v) for v in f.index.nrr_rounded()] if f.index.responden else [None] * 9),
            ]
            for code, f in data.per_layanan.items()
        ],
    )
    profile_rows: list[list[Any]] = []
    for title, rows in (
        ("Umur", data.umur),
        ("Jenis kelamin", data.jenis_kelamin),
        ("Pendidikan", data.pendidikan),
        ("Pekerjaan", data.pekerjaan),
        ("Cara pengisian", data.sumber),
    ):
        profile_rows += [[title, label, n] for label, n in rows]
    xlsx.add_sheet(
        wb,
        "Profil responden",
        heading=f"{TITLE} — profil responden",
        lines=lines,
        profile=ctx.profile,
        columns=[
            xlsx.XColumn("Profil", 18),
            xlsx.XColumn("Kategori", 24),
            xlsx.XColumn("Jumlah", 10),
        ],
        rows=profile_rows,
    )
    answers = stored_answers(session, period.date_from, period.date_to)
    if service is not None:
        answers = [a for a in answers if a[0] == service]
    xlsx.add_sheet(
        wb,
        "Jawaban",
        heading=f"{TITLE} — jawaban responden (tanpa nama dan tanpa kode)",
        lines=lines,
        profile=ctx.profile,
        columns=[
            xlsx.XColumn("Layanan", 14),
            xlsx.XColumn("Tanggal", 12),
            *(xlsx.XColumn(f"U{i}", 5) for i in range(1, 10)),
            xlsx.XColumn("Umur", 7),
            xlsx.XColumn("Jenis kelamin", 10),
            xlsx.XColumn("Pendidikan", 14),
            xlsx.XColumn("Pekerjaan", 14),
            xlsx.XColumn("Saran", 50),
        ],
        rows=[
            [
                a[0],
                a[1],
                *a[2:11],
                a[11],
                skm.JENIS_KELAMIN.get(a[12]) if a[12] else None,
                skm.PENDIDIKAN.get(a[13]) if a[13] else None,
                skm.PEKERJAAN.get(a[14]) if a[14] else None,
                a[15],
            ]
            for a in answers
        ],
    )
    progress.to(90)
    return xlsx.save(wb), o.responden
