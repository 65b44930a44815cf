"""WhatsApp messages to the pemohon from editable templates with ``{placeholders}``.

Templates live in the office settings (shared by every PC); a template the office has not
edited falls back to the default here. Rendering fills the placeholders from the request and
returns the text with a ``wa.me`` link to the pemohon's own number, ready to open in WhatsApp.
"""

from __future__ import annotations

import json
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import InputError
from ..identity import ValidationError, wa_digits
from ..models import CaseStatus, CaseStep, Delivery
from ..reports import text as fmt
from ..sop import ServiceDef
from .cases import Action, definition_for, load_case
from .context import Actor, resolve_now
from .office import get_profile, get_setting, set_setting

SETTING_KEY = "message_templates"
MAX_TEMPLATE = 3000  # characters; a wa.me link must stay well under URL length limits

TEMPLATE_KEYS: tuple[str, ...] = (
    "berkas_diterima",
    "berkas_kurang",
    "koreksi",
    "dokumen_selesai",
    "dikirim_pos",
    "dokumen_diambil",
    "pengaduan_dijawab",
)

TEMPLATE_LABELS: dict[str, str] = {
    "berkas_diterima": "Berkas diterima",
    "berkas_kurang": "Berkas belum lengkap",
    "koreksi": "Dikembalikan untuk perbaikan",
    "dokumen_selesai": "Dokumen selesai, siap diambil",
    "dikirim_pos": "Dikirim melalui PT POS",
    "dokumen_diambil": "Dokumen sudah diambil",
    "pengaduan_dijawab": "Pengaduan dijawab",
}

_COMMON = ("nama", "kode", "layanan", "kantor")

TEMPLATE_PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "berkas_diterima": (*_COMMON, "tanggal_terima", "perkiraan_selesai", "cek_status"),
    "berkas_kurang": (*_COMMON, "kekurangan"),
    "koreksi": (*_COMMON, "alasan"),
    "dokumen_selesai": (*_COMMON, "dokumen", "tanggal_selesai", "alamat_kantor"),
    "dikirim_pos": (*_COMMON, "dokumen", "resi", "tanggal_kirim"),
    "dokumen_diambil": (*_COMMON, "dokumen", "penerima", "tanggal_ambil"),
    "pengaduan_dijawab": (*_COMMON, "solusi"),
}

#: What each placeholder stands for (shown beside the template editor).
PLACEHOLDER_LABELS: dict[str, str] = {
    "nama": "nama pemohon/pelapor",
    "kode": "kode pelacakan, mis. ABCD-EFGH3",
    "layanan": "nama layanan",
    "kantor": "nama kantor",
    "tanggal_terima": "hari, tanggal dan jam berkas diterima",
    "perkiraan_selesai": "perkiraan selesai (1 hari kerja)",
    "cek_status": "cara cek status",
    "kekurangan": "daftar berkas yang kurang",
    "alasan": "alasan/koreksi yang harus diperbaiki",
    "dokumen": "jenis dokumen, mis. Kartu Keluarga",
    "tanggal_selesai": "tanggal dokumen selesai",
    "alamat_kantor": "alamat kantor",
    "resi": "nomor resi PT POS",
    "tanggal_kirim": "tanggal dikirim",
    "penerima": "nama yang mengambil dokumen",
    "tanggal_ambil": "tanggal dokumen diambil",
    "solusi": "jawaban/solusi pengaduan",
}

_DEFAULTS: dict[str, str] = {
    "berkas_diterima": (
        "Yth. Bapak/Ibu {nama},\n\n"
        "Berkas permohonan *{layanan}* telah kami terima pada {tanggal_terima}.\n"
        "Kode pelacakan: *{kode}*\n"
        "Perkiraan selesai: {perkiraan_selesai}.\n\n"
        "Untuk cek status, {cek_status}.\n\n"
        "Terima kasih.\n{kantor}"
    ),
    "berkas_kurang": (
        "Yth. Bapak/Ibu {nama},\n\n"
        "Berkas permohonan *{layanan}* (kode {kode}) belum lengkap. Mohon kirimkan kekurangan "
        "berikut melalui WhatsApp ini:\n{kekurangan}\n\n"
        "Permohonan kami proses kembali setelah berkas lengkap diterima.\n\n"
        "Terima kasih.\n{kantor}"
    ),
    "koreksi": (
        "Yth. Bapak/Ibu {nama},\n\n"
        "Permohonan *{layanan}* (kode {kode}) perlu diperbaiki:\n{alasan}\n\n"
        "Mohon kirimkan perbaikan atau berkas yang benar melalui WhatsApp ini.\n\n"
        "Terima kasih.\n{kantor}"
    ),
    "dokumen_selesai": (
        "Yth. Bapak/Ibu {nama},\n\n"
        "{dokumen} Anda (kode {kode}) *sudah selesai* pada {tanggal_selesai} dan dapat diambil "
        "di kantor kami, {alamat_kantor}, pada jam kerja dengan menunjukkan tanda terima.\n\n"
        "Terima kasih.\n{kantor}"
    ),
    "dikirim_pos": (
        "Yth. Bapak/Ibu {nama},\n\n"
        "{dokumen} Anda (kode {kode}) telah dikirim melalui PT POS Indonesia pada "
        "{tanggal_kirim}.\nNomor resi: *{resi}*\n"
        "Kiriman dapat dilacak di layanan PT POS Indonesia dengan nomor resi tersebut.\n\n"
        "Terima kasih.\n{kantor}"
    ),
    "dokumen_diambil": (
        "Yth. Bapak/Ibu {nama},\n\n"
        "{dokumen} Anda (kode {kode}) telah diambil oleh {penerima} pada {tanggal_ambil}. "
        "Simpan dokumen tersebut dengan baik.\n\n"
        "Terima kasih telah menggunakan layanan kami.\n{kantor}"
    ),
    "pengaduan_dijawab": (
        "Yth. Bapak/Ibu {nama},\n\n"
        "Terima kasih atas pengaduan Anda (kode {kode}). Jawaban/solusi dari kami:\n{solusi}\n\n"
        "Bila masih ada kendala, silakan balas pesan ini.\n\n{kantor}"
    ),
}


@dataclass(frozen=True)
class Message:
    text: str
    wa_link: str  # https://wa.me/<pemohon digits>?text=<urlencoded text>


def default_templates() -> dict[str, str]:
    return dict(_DEFAULTS)


def _check_key(key: str) -> None:
    if key not in TEMPLATE_KEYS:
        raise InputError(
            f"Templat pesan '{key}' tidak dikenal. Pilihan: {', '.join(TEMPLATE_KEYS)}.",
            "template",
        )


def validate_template(key: str, text: str) -> str:
    """The template, trimmed, or InputError naming what is wrong (an unknown ``{placeholder}``
    first of all)."""
    _check_key(key)
    label = TEMPLATE_LABELS[key]
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"Templat '{label}' kosong.", key)
    text = text.strip()
    if len(text) > MAX_TEMPLATE:
        raise InputError(
            f"Templat '{label}' terlalu panjang (maksimal {MAX_TEMPLATE} karakter).", key
        )
    allowed = TEMPLATE_PLACEHOLDERS[key]
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        raise InputError(
            f"Templat '{label}' memuat kurung kurawal yang tidak berpasangan. Tulis isian "
            "seperti {nama}; untuk kurung kurawal biasa tulis {{ atau }}.",
            key,
        ) from None
    for _literal, field, spec, conversion in parts:
        if field is None:
            continue
        name = field.strip()
        if not name or name.isdigit():
            raise InputError(
                f"Templat '{label}' memuat {{}} tanpa nama isian. Isian yang tersedia: "
                + ", ".join("{" + p + "}" for p in allowed)
                + ".",
                key,
            )
        if name not in allowed or spec or conversion or name != field:
            shown = "{" + field + (f"!{conversion}" if conversion else "")
            shown += (f":{spec}" if spec else "") + "}"
            raise InputError(
                f"Isian {shown} tidak dikenal dalam templat '{label}'. Isian yang tersedia: "
                + ", ".join("{" + p + "}" for p in allowed)
                + ".",
                key,
            )
    return text


def get_templates(session: Session) -> dict[str, str]:
    """The office's templates, defaults filled in for any it has not edited."""
    stored = get_setting(session, SETTING_KEY, {})
    out = default_templates()
    if isinstance(stored, Mapping):
        for key, value in stored.items():
            if key in out and isinstance(value, str) and value.strip():
                out[key] = value
    return out


def save_templates(
    session: Session,
    templates: dict[str, str],
    *,
    actor: Actor | None,
    now: datetime | None = None,
) -> None:
    """Validate and store templates (any subset of the keys); nothing is stored when one of
    them is invalid."""
    checked = {key: validate_template(key, value) for key, value in templates.items()}
    current = get_templates(session)
    current.update(checked)
    stored = {k: v for k, v in current.items() if v != _DEFAULTS[k]}
    set_setting(session, SETTING_KEY, stored, actor=actor, now=now)


def _bullets(items: list[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def _last_note(session: Session, case_id: int, actions: tuple[str, ...]) -> str | None:
    return session.execute(
        select(CaseStep.note)
        .where(CaseStep.case_id == case_id, CaseStep.action.in_(actions))
        .order_by(CaseStep.id.desc())
        .limit(1)
    ).scalar()


def render_message(
    session: Session, key: str, code: str, *, now: datetime | None = None, **extra: str
) -> Message:
    """Fill template ``key`` for request ``code``. ``extra`` supplies or overrides values
    (e.g. ``alasan`` for ``koreksi``, ``resi`` for ``dikirim_pos``); a value the request does not
    have and ``extra`` does not give raises InputError saying what to fill in."""
    from ..reports.common import show_code
    from ..reports.tanda_terima import qr_text, wa_display

    _check_key(key)
    every = {p for names in TEMPLATE_PLACEHOLDERS.values() for p in names}
    unknown = sorted(set(extra) - every)
    if unknown:
        raise InputError(f"Isian '{unknown[0]}' tidak dikenal untuk pesan WhatsApp.", unknown[0])
    at = resolve_now(now)
    case = load_case(session, code)
    sdef = definition_for(session, case)
    profile = get_profile(session)
    template = validate_template(key, get_templates(session)[key])
    shown = show_code(case.code)

    def cek_status() -> str:
        if profile.status_url_template.strip():
            return f"buka {qr_text(profile, case.code, case.service)}"
        number = (
            wa_display(profile.wa_number(case.service)) if profile.wa_number(case.service) else ""
        )
        where = f" ke {number}" if number else ""
        return f"kirim pesan WhatsApp STATUS {shown}{where}"

    def kekurangan() -> str:
        items = json.loads(case.missing_items) if case.missing_items else []
        if not items:
            raise InputError(
                "Permohonan ini tidak sedang menunggu kelengkapan berkas; tuliskan kekurangannya.",
                "kekurangan",
            )
        return _bullets([str(i) for i in items])

    def alasan() -> str:
        note = _last_note(session, case.id, (Action.KEMBALI,))
        if not note:
            raise InputError("Tuliskan alasan/koreksi yang harus diperbaiki pemohon.", "alasan")
        return note

    def delivery() -> Delivery | None:
        return session.execute(select(Delivery).where(Delivery.case_id == case.id)).scalar()

    def resi() -> str:
        row = delivery()
        if row is None or not row.resi:
            raise InputError(
                "Nomor resi PT POS belum dicatat untuk permohonan ini; isi nomor resinya.", "resi"
            )
        return row.resi

    def tanggal_kirim() -> str:
        row = delivery()
        return fmt.hari_tanggal(row.delivered_at if row is not None else at)

    def penerima() -> str:
        row = delivery()
        if row is None or not row.recipient:
            raise InputError(
                "Pengambilan dokumen belum dicatat untuk permohonan ini; isi nama pengambilnya.",
                "penerima",
            )
        return row.recipient

    def solusi() -> str:
        if not case.solusi:
            raise InputError("Solusi pengaduan belum dicatat; tuliskan solusinya.", "solusi")
        return case.solusi

    def perkiraan() -> str:
        if case.status == CaseStatus.MENUNGGU_PEMOHON:
            return "dihitung setelah berkas lengkap diterima"
        return fmt.waktu(case.due_at)

    producers = {
        "nama": lambda: case.pemohon_nama,
        "kode": lambda: shown,
        "layanan": lambda: sdef.name,
        "kantor": lambda: profile.name,
        "tanggal_terima": lambda: fmt.waktu(case.received_at),
        "perkiraan_selesai": perkiraan,
        "cek_status": cek_status,
        "kekurangan": kekurangan,
        "alasan": alasan,
        "dokumen": lambda: sdef.document_kind or sdef.short_name,
        "tanggal_selesai": lambda: fmt.hari_tanggal(case.finished_at or at),
        "alamat_kantor": lambda: profile.address,
        "resi": resi,
        "tanggal_kirim": tanggal_kirim,
        "penerima": penerima,
        "tanggal_ambil": tanggal_kirim,
        "solusi": solusi,
    }
    used = {f for _l, f, _s, _c in string.Formatter().parse(template) if f}
    values: dict[str, str] = {}
    for name in used:
        given = extra.get(name)
        if given is not None and str(given).strip():
            values[name] = (
                _bullets([str(given).strip()])
                if name == "kekurangan" and "\n" not in given
                else str(given).strip()
            )
        else:
            values[name] = producers[name]()
    text = template.format_map(values)
    try:
        digits = wa_digits(case.wa)
    except ValidationError as exc:
        raise InputError(str(exc), "wa") from exc
    return Message(text=text, wa_link=f"https://wa.me/{digits}?text={quote(text, safe='')}")


def suggested_key(
    sdef: ServiceDef,
    *,
    status: str,
    current_step: int,
    delivery_method: str | None,
) -> str:
    """The message that fits the request's moment, decided from the SOP's declared properties:
    received; berkas missing; ready to collect (at or after the notify step); collected; sent
    by PT POS; a complaint answered."""
    if status == CaseStatus.MENUNGGU_PEMOHON:
        return "berkas_kurang"
    hand_over = sdef.hand_over_step
    if status == CaseStatus.SELESAI:
        if sdef.is_complaint:
            return "pengaduan_dijawab"
        if delivery_method == "pos":
            return "dikirim_pos"
        if delivery_method == "diambil":
            return "dokumen_diambil"
        return "dokumen_selesai"
    if (
        status == CaseStatus.PROSES
        and hand_over is not None
        and hand_over.notifies
        and current_step == hand_over.no
    ):
        return "dokumen_selesai"  # telling the resident is this step's work
    return "berkas_diterima"
