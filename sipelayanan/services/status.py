"""The status reply anyone holding a tracking code may receive: service, where the request is
in plain words, when it was received, the estimate or the finishing time — and nothing
personal (no name, NIK, number, address, document number or resi: UU 27/2022)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..identity import ValidationError, extract_tracking_code, normalize_tracking_code
from ..models import Case, CaseStatus, Delivery
from ..reports import text as fmt
from ..sop import ServiceDef
from .cases import definition_for
from .context import resolve_now
from .office import get_profile

EXAMPLE = "STATUS ABCD-EFGH3"
_KEYWORD = re.compile(r"^\s*(?:#|/)?\s*(?:cek\s+)?status\b[\s:=#-]*", re.IGNORECASE)
_PHONE_IN_TEXT = re.compile(r"\s*\((?:0|\+62)[0-9 \-]{7,}\)")

_HOW = f"Kirim STATUS diikuti kode pelacakan yang tertulis pada tanda terima, contoh: {EXAMPLE}."


def _shown(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def _first_sentence(activity: str) -> str:
    text = _PHONE_IN_TEXT.sub("", activity).strip()
    head = re.split(r"(?<=[a-z0-9)])\.\s+", text, maxsplit=1)[0].rstrip(".")
    return head[:1].upper() + head[1:]


def step_in_words(sdef: ServiceDef, step_no: int) -> str:
    """Where a request is, said plainly: ``"langkah 3 dari 7 — Memberikan koreksi Kartu
    Keluarga (Kasi)"``."""
    step = sdef.step(step_no)
    if step_no == 1:
        what = (
            "pengaduan diterima dan sedang dicatat petugas"
            if sdef.code == "PENGADUAN"
            else "berkas diterima dan sedang diperiksa kelengkapannya"
        )
    else:
        what = f"{_first_sentence(step.activity)} ({step.actor_label})"
    return f"langkah {step_no} dari {sdef.last_step} — {what}"


def public_missing_items(sdef: ServiceDef, items: list[str]) -> tuple[list[str], int]:
    """What a status reply may say about missing berkas: the SOP's own requirement labels only.

    Anything else was typed by staff (it may hold a name or NIK: "KTP a.n. …"), so it is only
    counted, never echoed — the clerk's full list went to the pemohon's own WhatsApp number."""
    known = {r.label.casefold(): r.label for r in sdef.requirements}
    labels: list[str] = []
    other = 0
    for item in items:
        label = known.get(str(item).strip().casefold())
        if label is None:
            other += 1
        elif label not in labels:
            labels.append(label)
    return labels, other


@dataclass(frozen=True)
class StatusAnswer:
    text: str
    found: bool  # False: no code in the message, a mistyped code or an unknown one


def status_reply(session: Session, text: str, *, now: datetime | None = None) -> str:
    """Answer a status question. ``text`` may be the code (any case, with or without the
    hyphen), ``STATUS <code>`` or a scanned link holding it. Never raises for bad input."""
    return answer_status(session, text, now=now).text


def answer_status(session: Session, text: str, *, now: datetime | None = None) -> StatusAnswer:
    """:func:`status_reply` with whether a request was found (the CLI exits 2 when not)."""
    return _reply(session, text, now)


def _reply(session: Session, text: str, now: datetime | None) -> StatusAnswer:
    at = resolve_now(now)
    raw = (text or "").strip()
    rest = _KEYWORD.sub("", raw, count=1).strip()
    if not rest:
        return StatusAnswer(f"Kode pelacakan belum diisi. {_HOW}", found=False)
    code = extract_tracking_code(rest) or extract_tracking_code(raw)
    if code is None:
        try:
            normalize_tracking_code(rest)
        except ValidationError as exc:
            reason = str(exc)
        else:  # pragma: no cover - extract would have found it
            reason = "Kode pelacakan tidak dikenal"
        if len(rest) > 40 or " " in rest.strip():
            reason = "Kode pelacakan tidak ditemukan dalam pesan"
        return StatusAnswer(f"{reason.rstrip('.')}. {_HOW}", found=False)
    case = session.execute(select(Case).where(Case.code == code)).scalar()
    if case is None:
        return StatusAnswer(
            f"Kode {_shown(code)} tidak terdaftar. Periksa kembali kode pada tanda terima; "
            "bila sudah benar, balas pesan ini agar petugas memeriksanya.",
            found=False,
        )
    sdef = definition_for(session, case)
    office = get_profile(session).name
    complaint = case.service == "PENGADUAN"
    noun = "pengaduan" if complaint else "permohonan"
    lines = [
        f"Status {noun} {_shown(case.code)}",
        f"Layanan: {sdef.name}",
        f"Diterima: {fmt.waktu(case.received_at)}",
    ]
    if case.status == CaseStatus.PROSES:
        lines.append(f"Posisi: {step_in_words(sdef, case.current_step)}")
        if at > case.due_at:
            lines.append(
                f"Perkiraan selesai: {fmt.waktu(case.due_at)} — sudah lewat; mohon maaf atas "
                "keterlambatannya, permohonan masih kami proses."
            )
        else:
            lines.append(f"Perkiraan selesai: {fmt.waktu(case.due_at)}")
    elif case.status == CaseStatus.MENUNGGU_PEMOHON:
        lines.append(
            "Posisi: berkas belum lengkap, menunggu kekurangan dikirim melalui WhatsApp "
            "layanan ini."
        )
        import json

        items = json.loads(case.missing_items) if case.missing_items else []
        labels, other = public_missing_items(sdef, items)
        if labels or other:
            lines.append("Yang perlu dikirim:")
            lines += [f"- {label}" for label in labels]
            if other:
                lines.append(
                    f"- {other} butir lain, sebagaimana disampaikan petugas melalui WhatsApp"
                )
        lines.append("Perkiraan selesai dihitung kembali setelah berkas lengkap diterima.")
    elif case.status == CaseStatus.SELESAI:
        finished = case.finished_at or at
        if complaint:
            lines.append(f"Status: selesai, pengaduan sudah dijawab pada {fmt.waktu(finished)}.")
        else:
            lines.append(f"Status: selesai pada {fmt.waktu(finished)}.")
            delivery = session.execute(
                select(Delivery.method, Delivery.delivered_at).where(Delivery.case_id == case.id)
            ).first()
            if delivery is not None and delivery[0] == "pos":
                lines.append(
                    f"Dokumen dikirim melalui PT POS pada {fmt.hari_tanggal(delivery[1])}; nomor "
                    "resi sudah dikirim ke nomor WhatsApp pemohon."
                )
            elif delivery is not None:
                lines.append(f"Dokumen sudah diserahkan pada {fmt.hari_tanggal(delivery[1])}.")
            else:
                lines.append("Dokumen dapat diambil di kantor dengan menunjukkan tanda terima.")
    else:
        when = f" pada {fmt.waktu(case.finished_at)}" if case.finished_at else ""
        lines.append(
            f"Status: {noun} dibatalkan{when}. Untuk keterangan, balas pesan ini agar petugas "
            "menghubungi Anda."
        )
    lines.append("")
    lines.append(office)
    return StatusAnswer("\n".join(lines), found=True)
