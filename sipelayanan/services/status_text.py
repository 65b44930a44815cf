"""The status answer anyone holding a tracking code may receive, as pure text from plain facts:
service, where the request is in plain words, when it was received, the estimate or the
finishing time — and nothing personal (no name, NIK, number, address, document number, resi or
free text typed by staff: UU 27/2022).

No database and no ORM here: :mod:`.status` reads the facts through the app's read unit, and the
command line's fast path (:mod:`.status_sqlite`) reads them with the standard library's driver,
so ``sipelayanan status`` answers without loading SQLAlchemy.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

from ..case_status import CaseStatus
from ..identity import (
    ValidationError,
    extract_tracking_code,
    normalize_tracking_code,
    show_code,
)
from ..reports import text as fmt
from ..sop import ServiceDef
from ..sop.checklist import known_labels

EXAMPLE = "STATUS ABCD-EFGH3"
_KEYWORD = re.compile(r"^\s*(?:#|/)?\s*(?:cek\s+)?status\b[\s:=#-]*", re.IGNORECASE)
_PHONE_IN_TEXT = re.compile(r"\s*\((?:0|\+62)[0-9 \-]{7,}\)")

_HOW = f"Kirim STATUS diikuti kode pelacakan yang tertulis pada tanda terima, contoh: {EXAMPLE}."


def _first_sentence(activity: str) -> str:
    text = _PHONE_IN_TEXT.sub("", activity).strip()
    head = re.split(r"(?<=[a-z0-9)])\.\s+", text, maxsplit=1)[0].rstrip(".")
    return head[:1].upper() + head[1:]


def step_in_words(sdef: ServiceDef, step_no: int) -> str:
    """Where a request is, said plainly: ``"langkah 3 dari 7 — Memberikan koreksi Kartu
    Keluarga (Kasi)"``."""
    step = sdef.step(step_no)
    # the SOP file's own public wording for the step, else its activity and actor
    what = step.status_text or f"{_first_sentence(step.activity)} ({step.actor_label})"
    return f"langkah {step_no} dari {sdef.last_step} — {what}"


def public_missing_items(sdef: ServiceDef, items: list[str]) -> tuple[list[str], int]:
    """What a status reply may say about missing berkas: the SOP's own labels only (an item, or
    an alternative group as one "Salah satu dari: …" line; ``sop.checklist.known_labels``).

    Anything else was typed by staff (it may hold a name or NIK: "KTP a.n. …"), so it is only
    counted, never echoed — the clerk's full list went to the pemohon's own WhatsApp number."""
    known = known_labels(sdef)
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


@dataclass(frozen=True)
class StatusFacts:
    """What the answer is made of: the request's state and its SOP, never its people."""

    code: str
    sdef: ServiceDef
    status: str
    current_step: int
    received_at: datetime
    due_at: datetime
    finished_at: datetime | None
    missing_items: str | None  # the stored JSON list
    delivery_method: str | None
    delivered_at: datetime | None
    office_name: str
    queue_number: str | None = None  # nomor antrian (not personal: a number of the day)


def parse_code(text: str) -> tuple[str | None, StatusAnswer | None]:
    """The tracking code in a message, or the answer for a message without a usable one."""
    raw = (text or "").strip()
    rest = _KEYWORD.sub("", raw, count=1).strip()
    if not rest:
        return None, StatusAnswer(f"Kode pelacakan belum diisi. {_HOW}", found=False)
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
        return None, StatusAnswer(f"{reason.rstrip('.')}. {_HOW}", found=False)
    return code, None


def unknown(code: str) -> StatusAnswer:
    return StatusAnswer(
        f"Kode {show_code(code)} tidak terdaftar. Periksa kembali kode pada tanda terima; "
        "bila sudah benar, balas pesan ini agar petugas memeriksanya.",
        found=False,
    )


def compose(facts: StatusFacts, at: datetime) -> StatusAnswer:
    """The answer for a request found, as of ``at``."""
    sdef = facts.sdef
    complaint = sdef.is_complaint
    noun = "pengaduan" if complaint else "permohonan"
    lines = [
        f"Status {noun} {show_code(facts.code)}",
        f"Layanan: {sdef.name}",
        f"Diterima: {fmt.waktu(facts.received_at)}",
    ]
    if facts.status == CaseStatus.PROSES:
        lines.append(f"Posisi: {step_in_words(sdef, facts.current_step)}")
        if facts.queue_number:
            lines.append(f"Nomor antrian: {facts.queue_number}")
        if at > facts.due_at:
            lines.append(
                f"Perkiraan selesai: {fmt.waktu(facts.due_at)} — sudah lewat; mohon maaf atas "
                "keterlambatannya, permohonan masih kami proses."
            )
        else:
            lines.append(f"Perkiraan selesai: {fmt.waktu(facts.due_at)}")
    elif facts.status == CaseStatus.MENUNGGU_PEMOHON:
        lines.append(
            "Posisi: berkas belum lengkap, menunggu kekurangan dikirim melalui WhatsApp "
            "layanan ini."
        )
        items = json.loads(facts.missing_items) if facts.missing_items else []
        labels, other = public_missing_items(sdef, items)
        if labels or other:
            lines.append("Yang perlu dikirim:")
            lines += [f"- {label}" for label in labels]
            if other:
                lines.append(
                    f"- {other} butir lain, sebagaimana disampaikan petugas melalui WhatsApp"
                )
        lines.append("Perkiraan selesai dihitung kembali setelah berkas lengkap diterima.")
    elif facts.status == CaseStatus.SELESAI:
        finished = facts.finished_at or at
        if complaint:
            lines.append(f"Status: selesai, pengaduan sudah dijawab pada {fmt.waktu(finished)}.")
        else:
            lines.append(f"Status: selesai pada {fmt.waktu(finished)}.")
            if facts.delivery_method == "pos" and facts.delivered_at is not None:
                lines.append(
                    f"Dokumen dikirim melalui PT POS pada {fmt.hari_tanggal(facts.delivered_at)}; "
                    "nomor resi sudah dikirim ke nomor WhatsApp pemohon."
                )
            elif facts.delivered_at is not None:
                lines.append(
                    f"Dokumen sudah diserahkan pada {fmt.hari_tanggal(facts.delivered_at)}."
                )
            else:
                lines.append("Dokumen dapat diambil di kantor dengan menunjukkan tanda terima.")
    else:
        when = f" pada {fmt.waktu(facts.finished_at)}" if facts.finished_at else ""
        lines.append(
            f"Status: {noun} dibatalkan{when}. Untuk keterangan, balas pesan ini agar petugas "
            "menghubungi Anda."
        )
    lines.append("")
    lines.append(facts.office_name)
    return StatusAnswer("\n".join(lines), found=True)
