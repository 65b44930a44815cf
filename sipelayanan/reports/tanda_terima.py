"""Tanda terima (receipt) of a request: an A5 PDF for the office printer and a PNG the online
operator sends back over WhatsApp, laid out once and painted on either surface.

The QR code lets the pemohon check the status by scanning it: by default a WhatsApp
click-to-chat link to the service's number with ``STATUS <code>`` (needs no server), or the
office's status-page URL. It never holds personal data. In the PDF it is drawn as vectors.
"""

from __future__ import annotations

import io
import string
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from urllib.parse import quote

import qrcode
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import InputError, NotFound
from ..identity import ValidationError, mask_nik, normalize_tracking_code, normalize_wa, wa_digits
from ..models import Attachment, Case, CaseStatus, User
from ..services.cases import definition_for, present_keys
from ..services.context import resolve_now
from ..services.office import OfficeProfile, get_profile
from ..services.outbox import consent_of
from ..services.privacy import privacy_notice
from ..sop import services
from ..sop.checklist import rows as checklist_rows
from . import text as fmt
from .common import show_code
from .fonts import Style, register_fonts
from .painter import (
    INK,
    RECEIPT_LOOK,
    Matrix,
    NullPainter,
    Painter,
    PdfPainter,
    PngPainter,
    letterhead,
    text_width,
    wrap,
)

MUTED = "#555555"
ACCENT = "#1f4e79"
LIGHT = "#eef3f8"
WARN = "#a4262c"

#: Placeholders a status-page URL template may use.
URL_PLACEHOLDERS = ("code", "kode", "service", "layanan")


# --------------------------------------------------------------------------- QR content


def _office_wa(profile: OfficeProfile, service: str) -> str:
    """The WhatsApp number that answers STATUS for this service: the service's own number,
    else the first number the office has (complaints have none in the SOP)."""
    number = profile.wa_number(service).strip()
    if number:
        return number
    sdef = services().get(service)
    if sdef is not None and sdef.is_complaint:
        return ""  # a complaint is answered on the complaints number, never a service line
    for code in services():
        number = profile.wa_number(code).strip()
        if number:
            return number
    return ""


def wa_display(number: str) -> str:
    """``"+628117961500"`` or ``"0811-7961-500"`` -> ``"0811-7961-500"``."""
    try:
        e164 = normalize_wa(number)
    except ValidationError:
        return number
    local = "0" + e164[3:]
    if len(local) >= 11:
        return f"{local[:4]}-{local[4:8]}-{local[8:]}"
    return local


def status_url(template: str, code: str, service: str) -> str:
    """Fill an office status-page URL template (``https://…/{code}``); InputError when the
    template is not usable."""
    template = template.strip()
    try:
        fields = [
            f for _lit, f, _spec, _conv in string.Formatter().parse(template) if f is not None
        ]
    except ValueError as exc:
        raise InputError(
            f"Templat alamat cek status di profil kantor tidak sah ({exc}); perbaiki di "
            "pengaturan kantor.",
            "status_url_template",
        ) from exc
    unknown = sorted({f for f in fields if f not in URL_PLACEHOLDERS})
    if unknown:
        raise InputError(
            "Templat alamat cek status memakai {" + unknown[0] + "} yang tidak dikenal; gunakan "
            "{code}.",
            "status_url_template",
        )
    if not any(f in ("code", "kode") for f in fields):
        raise InputError(
            "Templat alamat cek status harus memuat {code} (tempat kode pelacakan).",
            "status_url_template",
        )
    if not template.lower().startswith(("https://", "http://")):
        raise InputError("Templat alamat cek status harus diawali https://", "status_url_template")
    return template.format(
        code=quote(code), kode=quote(code), service=quote(service), layanan=quote(service)
    )


def qr_text(profile: OfficeProfile, code: str, service: str) -> str:
    if profile.status_url_template.strip():
        return status_url(profile.status_url_template, code, service)
    number = _office_wa(profile, service)
    if not number and service in services() and services()[service].is_complaint:
        raise InputError(
            "Nomor WhatsApp pengaduan belum diatur di Admin ▸ Profil kantor; QR cek status "
            "pengaduan tidak dapat dibuat.",
            "wa_numbers",
        )
    if not number:
        raise InputError(
            "Nomor WhatsApp layanan belum diatur di profil kantor; QR cek status tidak dapat "
            "dibuat.",
            "wa_numbers",
        )
    try:
        digits = wa_digits(normalize_wa(number))
    except ValidationError as exc:
        raise InputError(
            f"Nomor WhatsApp layanan di profil kantor tidak valid ({exc}).", "wa_numbers"
        ) from exc
    return f"https://wa.me/{digits}?text={quote('STATUS ' + show_code(code))}"


def _find(session: Session, code: str) -> Case:
    try:
        norm = normalize_tracking_code(code)
    except ValidationError as exc:
        raise InputError(str(exc), "kode") from exc
    case = session.execute(select(Case).where(Case.code == norm)).scalar()
    if case is None:
        raise NotFound(f"Permohonan dengan kode {show_code(norm)} tidak ditemukan.")
    return case


def qr_text_for(session: Session, code: str) -> str:
    case = _find(session, code)
    return qr_text(get_profile(session), case.code, case.service)


@lru_cache(maxsize=32)
def qr_matrix(text: str) -> Matrix:
    """QR modules (True = dark), error correction M, without the quiet zone.

    Cached: a receipt is laid out twice (measured, then drawn), and choosing the best of the
    eight mask patterns is most of a QR's ~18 ms."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    qr.add_data(text)
    qr.make(fit=True)
    return tuple(tuple(map(bool, row)) for row in qr.get_matrix())


# --------------------------------------------------------------------------- content


@dataclass(frozen=True)
class ReceiptData:
    code: str
    service: str
    service_name: str
    sop_number: str
    is_complaint: bool
    status: str
    received_at: datetime
    due_at: datetime | None  # None while waiting for the pemohon
    working_days: int
    pemohon_nama: str
    nik_masked: str | None
    checklist: tuple[tuple[str, bool], ...]
    missing: tuple[str, ...]
    berkas_files: int
    operator: str
    wa_number: str  # for "kirim STATUS … ke"
    status_url: str | None  # when the office hosts a status page
    qr: str
    profile: OfficeProfile
    printed_at: datetime
    setuju_wa: bool = False  # consent to automatic WhatsApp notices, recorded at intake
    optional: tuple[str, ...] = ()  # checklist labels not brought and not required either


def build(session: Session, code: str, *, now: datetime | None = None) -> ReceiptData:
    case = _find(session, code)
    sdef = definition_for(session, case)
    profile = get_profile(session)
    present = present_keys(case)
    conds = {c for c in case.conditions.split(",") if c}
    # sop/checklist: an unmet alternative group is one line; an optional item not brought is
    # never printed as missing ("tidak wajib")
    rows = checklist_rows(sdef, present, conds)
    items = [(row.label, row.present) for row in rows]
    optional = tuple(row.label for row in rows if not row.required and not row.present)
    missing: tuple[str, ...] = ()
    if case.status == CaseStatus.MENUNGGU_PEMOHON and case.missing_items:
        import json

        missing = tuple(json.loads(case.missing_items))
    operator = session.execute(select(User.full_name).where(User.id == case.created_by)).scalar()
    files = session.execute(select(Attachment.id).where(Attachment.case_id == case.id)).all()
    qr = qr_text(profile, case.code, case.service)
    url = qr if profile.status_url_template.strip() else None
    return ReceiptData(
        code=case.code,
        service=case.service,
        service_name=sdef.name,
        sop_number=sdef.sop_number,
        is_complaint=sdef.is_complaint,
        status=case.status,
        received_at=case.received_at,
        due_at=None if case.status == CaseStatus.MENUNGGU_PEMOHON else case.due_at,
        working_days=sdef.standard_working_days,
        pemohon_nama=case.pemohon_nama,
        nik_masked=mask_nik(case.nik) if case.nik else None,
        checklist=tuple(items),
        missing=missing,
        optional=optional,
        berkas_files=len(files),
        operator=operator or "-",
        wa_number=wa_display(_office_wa(profile, case.service)),
        status_url=url,
        qr=qr,
        profile=profile,
        printed_at=resolve_now(now),
        setuju_wa=consent_of(session, case.id),
    )


# --------------------------------------------------------------------------- painting


# --------------------------------------------------------------------------- layout


def _fit(s: str, style: Style, size: float, width: float) -> float:
    while size > 5 and text_width(s, style, size) > width:
        size -= 0.25
    return size


def _tick(p: Painter, x: float, y: float, s: float, present: bool) -> None:
    p.rect(x, y, s, s, stroke=INK if present else WARN, width=0.6)
    if present:
        p.polyline(
            [
                (x + s * 0.2, y + s * 0.52),
                (x + s * 0.42, y + s * 0.76),
                (x + s * 0.82, y + s * 0.24),
            ],
            INK,
            s * 0.16,
        )


def layout(p: Painter, d: ReceiptData, width: float, *, compact: bool) -> float:
    """Paint the receipt from the top; return the height used. ``compact``: the narrow
    single-column phone layout of the PNG."""
    register_fonts()  # text is measured with the same font metrics on both surfaces
    k = 1.0
    m = 16.0 if compact else 26.0
    x = m
    w = width - 2 * m
    y = m - 4
    y = letterhead(p, d.profile, x, y, w, RECEIPT_LOOK, k)

    title = "TANDA TERIMA PENGADUAN" if d.is_complaint else "TANDA TERIMA BERKAS PERMOHONAN"
    y += 17
    p.text(x + w / 2, y, title, "bold", 11.5, ACCENT, align="center")
    for part in wrap(d.service_name, "regular", 8.5, w):
        y += 11
        p.text(x + w / 2, y, part, "regular", 8.5, MUTED, align="center")
    y += 8

    # tracking code and QR
    qr_size = 96.0 if compact else 92.0
    matrix = qr_matrix(d.qr)
    code_text = show_code(d.code)
    if compact:
        box_h = 52.0
        p.rect(x, y, w, box_h, fill=LIGHT, stroke=ACCENT, width=0.8, radius=5)
        p.text(x + w / 2, y + 14, "KODE PELACAKAN", "bold", 7.5, MUTED, align="center")
        p.text(
            x + w / 2,
            y + 41,
            code_text,
            "bold",
            _fit(code_text, "bold", 26, w - 16),
            ACCENT,
            align="center",
        )
        y += box_h + 4 * qr_size / len(matrix)  # the QR's quiet zone (the page is white)
        p.modules(matrix, x + (w - qr_size) / 2, y, qr_size)
        y += qr_size + 12
        p.text(
            x + w / 2,
            y,
            "Pindai kode QR ini untuk cek status",
            "regular",
            7.5,
            MUTED,
            align="center",
        )
        y += 6
    else:
        left_w = w - qr_size - 14
        box_h = qr_size
        p.rect(x, y, left_w, box_h, fill=LIGHT, stroke=ACCENT, width=0.8, radius=5)
        p.text(x + left_w / 2, y + 22, "KODE PELACAKAN", "bold", 8, MUTED, align="center")
        p.text(
            x + left_w / 2,
            y + 54,
            code_text,
            "bold",
            _fit(code_text, "bold", 27, left_w - 14),
            ACCENT,
            align="center",
        )
        for i, part in enumerate(
            wrap("Simpan kode ini untuk menanyakan status permohonan.", "regular", 7, left_w - 16)
        ):
            p.text(x + left_w / 2, y + 72 + i * 9, part, "regular", 7, MUTED, align="center")
        p.modules(matrix, x + w - qr_size, y, qr_size)
        y += box_h + 10
        p.text(
            x + w - qr_size / 2, y, "Pindai untuk cek status", "regular", 6.8, MUTED, align="center"
        )
    y += 8

    # details
    rows: list[tuple[str, str, Style]] = [
        ("Layanan", d.service_name, "regular"),
        ("Diterima", fmt.waktu(d.received_at), "regular"),
        ("Pelapor" if d.is_complaint else "Pemohon", d.pemohon_nama, "bold"),
    ]
    if d.nik_masked:
        rows.append(("NIK", d.nik_masked, "regular"))
    if d.due_at is not None and d.status not in (CaseStatus.SELESAI, CaseStatus.BATAL):
        rows.append(
            (
                "Perkiraan selesai",
                f"{fmt.waktu(d.due_at)} ({d.working_days} hari kerja sesuai SOP)",
                "bold",
            )
        )
    elif d.status == CaseStatus.MENUNGGU_PEMOHON:
        rows.append(
            ("Perkiraan selesai", "dihitung setelah berkas yang kurang diterima", "regular")
        )
    rows.append(("Petugas penerima", d.operator, "regular"))
    label_w = 82.0
    for label, value, style in rows:
        lines = wrap(value, style, 8.5, w - label_w)
        y += 11
        p.text(x, y, label, "regular", 8.5, MUTED)
        for i, line in enumerate(lines):
            if i:
                y += 10.5
            p.text(x + label_w, y, line, style, 8.5)
    y += 9
    p.line(x, y, x + w, y, "#bbbbbb", 0.5)

    # checklist
    y += 13
    heading = "Berkas yang diterima"
    if d.berkas_files:
        heading += f" ({d.berkas_files} file terlampir)"
    p.text(x, y, heading, "bold", 8.5, ACCENT)
    box = 7.0
    for label, present in d.checklist:
        optional = not present and label in d.optional  # never "belum ada" in red
        suffix = "" if present else (" (tidak wajib)" if optional else " — belum ada")
        lines = wrap(label + suffix, "regular", 8, w - 14)
        y += 5
        _tick(p, x, y, box, present)
        for i, line in enumerate(lines):
            y += 0 if i == 0 else 9.8
            p.text(x + 12, y + 6.3, line, "regular", 8, INK if present or optional else WARN)
        y += 6.3
    for item in d.missing:
        if any(item == label for label, _ in d.checklist):
            continue
        y += 5
        _tick(p, x, y, box, False)
        p.text(x + 12, y + 6.3, f"{item} — belum ada", "regular", 8, WARN)
        y += 6.3
    y += 9
    p.line(x, y, x + w, y, "#bbbbbb", 0.5)

    # how to check the status
    y += 13
    p.text(x, y, "Cara cek status", "bold", 8.5, ACCENT)
    steps = ["Pindai kode QR dengan kamera ponsel, lalu kirim pesan yang muncul."]
    if d.status_url:
        steps = [f"Pindai kode QR atau buka {d.status_url}"]
    if d.wa_number:
        steps.append(f"Atau kirim pesan WhatsApp: STATUS {code_text} ke {d.wa_number}.")
    for i, step in enumerate(steps, start=1):
        for j, line in enumerate(wrap(step, "regular", 8, w - 12)):
            y += 10.5
            if j == 0:
                p.text(x, y, f"{i}.", "regular", 8)
            p.text(x + 10, y, line, "regular", 8)
    consent = (
        f"{'Pelapor' if d.is_complaint else 'Pemohon'} setuju menerima pemberitahuan "
        "WhatsApp otomatis dari nomor kantor."
        if d.setuju_wa
        else "Pemberitahuan WhatsApp dikirim oleh petugas (tanpa pemberitahuan otomatis)."
    )
    for line in wrap(consent, "regular", 7.5, w):
        y += 10
        p.text(x, y, line, "regular", 7.5, MUTED)

    # the receiving officer signs the printed copy
    if not compact:
        y += 22
        sig_x = x + w - 120
        p.text(sig_x + 60, y, "Petugas penerima,", "regular", 8, align="center")
        y += 34
        p.text(sig_x + 60, y, d.operator, "bold", 8, align="center")
        p.line(
            sig_x + 60 - text_width(d.operator, "bold", 8) / 2,
            y + 1.5,
            sig_x + 60 + text_width(d.operator, "bold", 8) / 2,
            y + 1.5,
            INK,
            0.5,
        )

    # footer
    y += 16
    foot = (
        f"Dicetak {fmt.waktu(d.printed_at, hari=False)} · SOP {d.sop_number}. "
        "Tanda terima ini bukan dokumen kependudukan; simpan sampai dokumen diterima. "
        + privacy_notice(d.profile)  # UU 27/2022: the notice and the office's DPO
    )
    for line in wrap(foot, "italic", 6.5, w):
        p.text(x, y, line, "italic", 6.5, MUTED)
        y += 8
    return y + m - 8


A5 = (419.53, 595.28)


def render_pdf(d: ReceiptData) -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    register_fonts()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A5)
    c.setTitle(f"Tanda terima {show_code(d.code)}")
    c.setAuthor(d.profile.name)
    c.setCreator("SiPelayanan")
    c.setSubject(d.service_name)
    height = layout(NullPainter(), d, A5[0], compact=False)
    if height > A5[1]:  # a very long checklist: shrink to fit the sheet rather than cut it
        c.scale(A5[1] / height, A5[1] / height)
        c.translate((A5[0] * height / A5[1] - A5[0]) / 2, 0)
        layout(PdfPainter(c, height), d, A5[0], compact=False)
    else:
        layout(PdfPainter(c, A5[1]), d, A5[0], compact=False)
    c.showPage()
    c.save()
    return buf.getvalue()


PNG_WIDTH_PT = 320.0
PNG_SCALE = 3.375  # 1080 pixels wide


def render_png(d: ReceiptData) -> bytes:
    height = layout(NullPainter(), d, PNG_WIDTH_PT, compact=True)
    painter = PngPainter(PNG_WIDTH_PT, height, PNG_SCALE)
    layout(painter, d, PNG_WIDTH_PT, compact=True)
    buf = io.BytesIO()
    # zlib level 3: ~35 ms for the 1080-pixel receipt; optimize=True took ~250 ms for 7 % less
    painter.img.save(buf, format="PNG", compress_level=3)
    return buf.getvalue()


def service_number(service: str) -> str:
    return services()[service].wa_number
