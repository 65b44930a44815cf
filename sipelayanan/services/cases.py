"""Carry a request through its SOP. The only code that changes a case's state.

Every function checks that the acting user holds the role the SOP gives the current step and
that the case is at that step, records the step history and writes its audit entry, all in the
caller's transaction. Illegal moves raise DomainError/PermissionDenied with a clear message.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..calendar import WorkCalendar
from ..errors import ConflictError, DomainError, InputError, NotFound, PermissionDenied
from ..identity import (
    ValidationError,
    clean_line,
    kecamatan_name,
    name_key,
    new_tracking_code,
    normalize_nik,
    normalize_no_kk,
    normalize_tracking_code,
    normalize_wa,
)
from ..models import (
    Attachment,
    AwaitingCollection,
    Case,
    CaseDocument,
    CaseStatus,
    CaseStep,
    ChecklistItem,
    Delivery,
    SopSnapshot,
    User,
)
from ..sop import OVERSEER_ROLES, ROLES, ServiceDef, Step, services
from ..sop.checklist import resolve_missing
from . import audit, outbox, queue, register, step_stats
from .berkas import BerkasFile, check, human_size
from .context import Actor, resolve_now
from .dialect import upsert_insert
from .office import get_profile, work_calendar
from .users import actor_user


class Action:
    """Values of CaseStep.action."""

    SELESAI = "selesai"  # step finished, moved on
    KEMBALI = "kembali"  # sent back to an earlier step
    KEMBALI_PEMOHON = "kembali_pemohon"  # returned to the pemohon with missing items
    KIRIM_ULANG = "kirim_ulang"  # the pemohon sent the missing berkas
    TUTUP = "tutup"  # complaint closed at a simple-solution step
    BATAL = "batal"  # cancelled

    LABELS = {
        SELESAI: "Selesai",
        KEMBALI: "Dikembalikan ke langkah sebelumnya",
        KEMBALI_PEMOHON: "Dikembalikan ke pemohon",
        KIRIM_ULANG: "Berkas susulan diterima",
        TUTUP: "Selesai (solusi sederhana)",
        BATAL: "Dibatalkan",
    }


MAX_NAME = 200
MAX_NOTE = 2000


# --------------------------------------------------------------------------- SOP snapshots


@lru_cache(maxsize=64)
def _definition_from_json(text: str) -> ServiceDef:
    return ServiceDef.from_dict(json.loads(text))


def definition_for(session: Session, case: Case) -> ServiceDef:
    """The SOP the case started under (not today's file, if that was edited since)."""
    return snapshot_definition(session, case.sop_snapshot_id)


def snapshot_definition(session: Session, snapshot_id: int) -> ServiceDef:
    """The SOP definition kept as snapshot ``snapshot_id``."""
    snap = session.get(SopSnapshot, snapshot_id)
    assert snap is not None
    return _definition_from_json(snap.definition)


def snapshot_for(session: Session, sdef: ServiceDef, now: datetime) -> SopSnapshot:
    fingerprint = sdef.fingerprint()
    query = select(SopSnapshot).where(
        SopSnapshot.service == sdef.code, SopSnapshot.fingerprint == fingerprint
    )
    snap = session.execute(query).scalar()
    if snap is not None:
        return snap
    table = SopSnapshot.__table__
    stmt = upsert_insert(session, table).values(
        service=sdef.code,
        version=sdef.version,
        fingerprint=fingerprint,
        definition=json.dumps(sdef.to_dict(), ensure_ascii=False, sort_keys=True),
        first_seen=now,
    )
    stmt = stmt.on_conflict_do_nothing(index_elements=[table.c.service, table.c.fingerprint])
    session.execute(stmt)
    return session.execute(query).scalar_one()


def service_def(code: str) -> ServiceDef:
    try:
        return services()[code.upper()]
    except KeyError:
        raise InputError(
            f"Layanan '{code}' tidak dikenal. Pilihan: {', '.join(services())}.", "service"
        ) from None


# --------------------------------------------------------------------------- helpers


def _clean_text(value: str | None, field_name: str, label: str, limit: int) -> str | None:
    if value is None:
        return None
    text = "".join(c for c in value if c.isprintable() or c in "\n\t").strip()
    if len(text) > limit:
        raise InputError(f"{label} terlalu panjang (maksimal {limit} karakter).", field_name)
    return text or None


def clean_name(value: str) -> str:
    name = clean_line(value)
    if not name:
        raise InputError("Nama pemohon wajib diisi.", "nama")
    if len(name) > MAX_NAME:
        raise InputError(f"Nama terlalu panjang (maksimal {MAX_NAME} karakter).", "nama")
    if not any(c.isalpha() for c in name):
        raise InputError("Nama harus berisi huruf.", "nama")
    return name


def _field(fn: object, value: str, field_name: str) -> str:
    try:
        return fn(value)  # type: ignore[operator,no-any-return]
    except ValidationError as exc:
        raise InputError(str(exc), field_name) from exc


def load_case(session: Session, code: str, *, for_update: bool = False) -> Case:
    try:
        norm = normalize_tracking_code(code)
    except ValidationError as exc:
        raise InputError(str(exc), "kode") from exc
    stmt = select(Case).where(Case.code == norm)
    if for_update:
        stmt = stmt.with_for_update()
    case = session.execute(stmt).scalar()
    if case is None:
        raise NotFound(f"Permohonan dengan kode {norm} tidak ditemukan.")
    return case


def _check_version(case: Case, expected_version: int | None) -> None:
    if expected_version is not None and case.version != expected_version:
        raise ConflictError(
            f"Permohonan {case.code} baru saja diubah oleh petugas lain "
            f"(sekarang: langkah {case.current_step}, {CaseStatus.LABELS[case.status]}). "
            "Data dimuat ulang; periksa lalu ulangi bila masih perlu."
        )


#: Refuse a change made against a version the clerk no longer sees (ConflictError).
check_version = _check_version


def _role_label(role: str) -> str:
    return ROLES.get(role, role)


def _require_role(user: User, step: Step, sdef: ServiceDef) -> None:
    if step.role not in user.role_keys:
        raise PermissionDenied(
            f"Langkah {step.no} {sdef.short_name} ('{step.activity}') dikerjakan oleh "
            f"{_role_label(step.role)}; akun {user.username} tidak memiliki peran itu."
        )


def _require_status(case: Case, *allowed: str) -> None:
    if case.status in allowed:
        return
    if case.status == CaseStatus.MENUNGGU_PEMOHON:
        raise DomainError(
            f"Permohonan {case.code} sedang dikembalikan ke pemohon untuk dilengkapi; "
            "catat dulu berkas susulan dari pemohon."
        )
    if case.status == CaseStatus.SELESAI:
        raise DomainError(f"Permohonan {case.code} sudah selesai.")
    if case.status == CaseStatus.BATAL:
        raise DomainError(f"Permohonan {case.code} sudah dibatalkan.")
    raise DomainError(f"Permohonan {case.code} masih diproses, belum menunggu pemohon.")


def _at_step(case: Case, step_no: int | None) -> None:
    if step_no is not None and case.current_step != step_no:
        raise ConflictError(
            f"Permohonan {case.code} sudah berada di langkah {case.current_step}, "
            f"bukan langkah {step_no}. Data dimuat ulang."
        )


@dataclass
class _StepAction:
    case: Case
    user: User
    sdef: ServiceDef
    step: Step


def _open_step(
    session: Session,
    actor: Actor,
    code: str,
    expected_version: int | None,
    statuses: tuple[str, ...] = (CaseStatus.PROSES,),
    *,
    check_role: bool = True,
    expected_step: int | None = None,
) -> _StepAction:
    """Load the case and check, in order: version, status, step, acting user, step role."""
    case = load_case(session, code)
    _check_version(case, expected_version)
    _require_status(case, *statuses)
    _at_step(case, expected_step)  # a stale window is a conflict, not a wrong role
    user = actor_user(session, actor)
    sdef = definition_for(session, case)
    step = sdef.step(case.current_step)
    if check_role:
        _require_role(user, step, sdef)
    return _StepAction(case, user, sdef, step)


def _conditions(case: Case) -> set[str]:
    return {c for c in case.conditions.split(",") if c}


def present_keys(case: Case) -> set[str]:
    return {item.item_key for item in case.checklist if item.present}


def _set_checklist(case: Case, sdef: ServiceDef, present: Iterable[str]) -> None:
    keys = {r.key for r in sdef.requirements}
    wanted = set(present)
    unknown = wanted - keys
    if unknown:
        raise InputError(
            f"Butir persyaratan tidak dikenal untuk {sdef.short_name}: "
            f"{', '.join(sorted(unknown))}.",
            "checklist",
        )
    existing = {item.item_key: item for item in case.checklist}
    for key in sorted(keys):
        if key in existing:
            existing[key].present = key in wanted
        else:
            case.checklist.append(ChecklistItem(item_key=key, present=key in wanted))


def _history(
    session: Session,
    case: Case,
    user: User,
    action: str,
    now: datetime,
    cal: WorkCalendar,
    *,
    to_step: int | None = None,
    note: str | None = None,
    started_at: datetime | None = None,
) -> None:
    start = started_at or case.step_started_at
    minutes = round(cal.working_minutes(start, now), 2) if now > start else 0.0
    session.add(
        CaseStep(
            case_id=case.id,
            step_no=case.current_step,
            action=action,
            to_step=to_step,
            user_id=user.id,
            started_at=start,
            ended_at=now,
            working_minutes=minutes,
            note=note,
        )
    )
    step_stats.record_visit(
        session,
        service=case.service,
        sop_snapshot_id=case.sop_snapshot_id,
        step_no=case.current_step,
        action=action,
        ended_at=now,
        minutes=minutes,
    )


def _enter_step(case: Case, sdef: ServiceDef, step_no: int, now: datetime) -> None:
    case.current_step = step_no
    case.current_role = sdef.step(step_no).role
    case.step_started_at = now


def _finish(case: Case, now: datetime) -> None:
    case.status = CaseStatus.SELESAI
    case.current_role = None
    case.finished_at = now
    step_stats.record_finish(case, now)


#: One request holds at most this many berkas, of at most this many times the per-file limit
#: in all (a WhatsApp request has a handful of photos; 200 MB on one request was accepted).
MAX_FILES_PER_REQUEST = 40
TOTAL_LIMIT_FACTOR = 5


def _check_request_total(
    session: Session, case: Case, checked: Sequence[Any], per_file: int
) -> None:
    held_size, held_count = 0, 0
    if case.id is not None:
        held_size, held_count = session.execute(
            select(func.coalesce(func.sum(Attachment.size), 0), func.count(Attachment.id)).where(
                Attachment.case_id == case.id
            )
        ).one()
    size = int(held_size) + sum(c.size for c in checked)
    count = int(held_count) + len(checked)
    limit = per_file * TOTAL_LIMIT_FACTOR
    if count > MAX_FILES_PER_REQUEST:
        raise InputError(
            f"Satu permohonan paling banyak {MAX_FILES_PER_REQUEST} berkas (menjadi {count}); "
            "lampirkan yang diperlukan saja.",
            "berkas",
        )
    if size > limit:
        raise InputError(
            f"Jumlah ukuran berkas satu permohonan paling banyak {human_size(limit)} (menjadi "
            f"{human_size(size)}); lampirkan yang diperlukan saja atau perkecil fotonya.",
            "berkas",
        )


def _attach(
    session: Session, case: Case, files: Sequence[BerkasFile], user: User, now: datetime
) -> list[str]:
    limit = get_profile(session).max_attachment_bytes
    checked = [check(f, max_bytes=limit) for f in files]  # all checked before anything is added
    _check_request_total(session, case, checked, limit)
    for c in checked:
        case.attachments.append(
            Attachment(
                filename=c.filename,
                mime=c.mime,
                size=c.size,
                sha256=c.sha256,
                content=c.content,
                uploaded_at=now,
                uploaded_by=user.id,
            )
        )
    return [c.sha256[:12] for c in checked]


# --------------------------------------------------------------------------- intake


@dataclass
class IntakeData:
    service: str
    nama: str
    wa: str
    nik: str | None = None
    no_kk: str | None = None
    kecamatan: str | None = None
    present: Iterable[str] | None = None  # None: every requirement item is present
    conditions: Iterable[str] = ()
    uraian: str | None = None
    berkas: Sequence[BerkasFile] = field(default_factory=list)
    setuju_wa: bool = False  # the pemohon agreed to WhatsApp notices from the office's number


@dataclass(frozen=True)
class CaseRef:
    id: int
    code: str
    version: int
    status: str
    current_step: int
    #: the SOP the request runs under, when the move had it at hand (saves a reread)
    sdef: ServiceDef | None = field(default=None, compare=False, repr=False)


def _ref(case: Case, sdef: ServiceDef | None = None) -> CaseRef:
    return CaseRef(case.id, case.code, case.version, case.status, case.current_step, sdef)


def validate_intake(data: IntakeData) -> tuple[ServiceDef, dict[str, object]]:
    """Validate every field; raise InputError naming the first bad one. Writes nothing."""
    sdef = service_def(data.service)
    values: dict[str, object] = {"pemohon_nama": clean_name(data.nama)}
    if data.nik and data.nik.strip():
        values["nik"] = _field(normalize_nik, data.nik, "nik")
    elif sdef.requires_nik:
        raise InputError("NIK pemohon wajib diisi (16 digit).", "nik")
    else:
        values["nik"] = None
    values["no_kk"] = (
        _field(normalize_no_kk, data.no_kk, "no_kk") if data.no_kk and data.no_kk.strip() else None
    )
    values["wa"] = _field(normalize_wa, data.wa, "wa")
    if data.kecamatan:
        if kecamatan_name(data.kecamatan) is None:
            raise InputError(
                f"Kode kecamatan '{data.kecamatan}' bukan kecamatan di Kabupaten Way Kanan.",
                "kecamatan",
            )
        values["kecamatan"] = data.kecamatan
    else:
        values["kecamatan"] = None
    conds = set(data.conditions)
    unknown = conds - {c.key for c in sdef.conditions}
    if unknown:
        raise InputError(f"Kondisi tidak dikenal: {', '.join(sorted(unknown))}.", "conditions")
    values["conditions"] = ",".join(sorted(conds))
    values["uraian"] = _clean_text(data.uraian, "uraian", "Uraian", 4000)
    return sdef, values


def intake(
    session: Session,
    actor: Actor,
    data: IntakeData,
    *,
    now: datetime | None = None,
) -> CaseRef:
    """Record a new request at step 1 (the SOP's 'berkas sent over WhatsApp')."""
    at = resolve_now(now)
    user = actor_user(session, actor)
    sdef, values = validate_intake(data)
    first = sdef.intake_step
    _require_role(user, first, sdef)
    cal = work_calendar(session)
    snap = snapshot_for(session, sdef, at)
    code = _unique_code(session)
    case = Case(
        code=code,
        service=sdef.code,
        sop_snapshot_id=snap.id,
        sop_version=sdef.version,
        name_key=name_key(str(values["pemohon_nama"])),
        status=CaseStatus.PROSES,
        current_step=1,
        current_role=first.role,
        step_started_at=at,
        received_at=at,
        due_at=cal.due_time(at),
        returned_count=0,
        created_by=user.id,
        **values,
    )
    _set_checklist(
        case, sdef, data.present if data.present is not None else [r.key for r in sdef.requirements]
    )
    session.add(case)
    hashes = _attach(session, case, data.berkas, user, at)
    session.flush()
    outbox.on_intake(session, case, sdef, consent=data.setuju_wa, at=at)
    _audit(
        session, actor, "case.intake", case, {"service": sdef.code, "step": 1, "berkas": hashes}, at
    )
    return _ref(case)


def _audit(
    session: Session,
    actor: Actor,
    action: str,
    case: Case,
    detail: Mapping[str, Any],
    at: datetime,
) -> None:
    """Record a change of ``case`` and seal the state it leaves the request in, so that
    ``audit verify`` notices a request changed directly in the database afterwards."""
    sealed = {**detail, "state": audit.case_state(session, case)}
    audit.record(session, actor, action, "case", case.code, sealed, now=at)


def _unique_code(session: Session) -> str:
    for _ in range(20):
        code = new_tracking_code(secrets.SystemRandom())
        if session.execute(select(Case.id).where(Case.code == code)).first() is None:
            return code
    raise DomainError("Gagal membuat kode pelacakan unik; coba lagi.")  # pragma: no cover


# --------------------------------------------------------------------------- moves


def advance(
    session: Session,
    actor: Actor,
    code: str,
    *,
    note: str | None = None,
    nomor_dokumen: str | None = None,
    resi: str | None = None,
    penerima: str | None = None,
    solusi: str | None = None,
    expected_version: int | None = None,
    expected_step: int | None = None,
    now: datetime | None = None,
) -> CaseRef:
    """Finish the current step and move to the next one (or finish the request)."""
    at = resolve_now(now)
    ctx = _open_step(session, actor, code, expected_version, expected_step=expected_step)
    case, user, sdef, step = ctx.case, ctx.user, ctx.sdef, ctx.step
    if not step.allows("next"):
        raise DomainError(f"Langkah {step.no} tidak dapat diteruskan begitu saja.")
    note = _clean_text(note, "note", "Catatan", MAX_NOTE)
    if step.allows("return_pemohon"):
        missing = sdef.missing_requirements(present_keys(case), _conditions(case))
        if missing:
            raise DomainError(
                "Persyaratan belum lengkap: "
                + "; ".join(r.label for r in missing)
                + ". Tandai yang sudah ada, atau kembalikan berkas ke pemohon."
            )
    cal = work_calendar(session)
    detail: dict[str, object] = {"step": step.no}
    if solusi is not None:
        case.solusi = _clean_text(solusi, "solusi", "Solusi", 4000)
    if nomor_dokumen:
        _record_document(session, case, sdef, user, nomor_dokumen, at)
        detail["nomor_dokumen"] = True
    if step.records_hand_over_now and not ((resi or "").strip() or (penerima or "").strip()):
        raise InputError(
            f"Langkah {step.no} menyerahkan dokumen: isi nomor resi PT POS atau nama yang "
            "mengambil dokumen.",
            "resi",
        )
    if resi or penerima:
        _record_delivery(
            session, case, sdef, user, resi=resi, penerima=penerima, at=at, finishing=True
        )
        detail["penyerahan"] = "pos" if resi else "diambil"
    elif step.notifies:
        # Told: the document waits to be collected (or sent), recorded from "Siap diambil".
        session.add(AwaitingCollection(case_id=case.id, service=case.service, ready_at=at))
        detail["siap_diambil"] = True
    _history(session, case, user, Action.SELESAI, at, cal, note=note)
    if step.no == sdef.last_step:
        if sdef.is_complaint:
            case.closed_path = "eskalasi"
        _finish(case, at)
    else:
        _enter_step(case, sdef, step.no + 1, at)
    session.flush()
    if step.assigns_register:
        # Last, just before the audit entry: the counter row stays locked until commit, so
        # take it as late as possible to keep simultaneous registrations short.
        entry = register.assign(
            session, case_id=case.id, service=case.service, user_id=user.id, at=at
        )
        detail["register"] = entry.number
    if step.assigns_queue:  # the SOP's "memberikan nomor antrian" (services/queue.py)
        detail["antrian"] = queue.assign(
            session, case_id=case.id, service=case.service, user_id=user.id, at=at
        )
    outbox.after_action(session, case, sdef, "advance", at=at, resi=resi, left_step=step.no)
    _audit(session, actor, "case.advance", case, detail, at)
    return _ref(case, sdef)


def close_simple(
    session: Session,
    actor: Actor,
    code: str,
    *,
    solusi: str,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> CaseRef:
    """Complaint solved at a step that allows closing (PENGADUAN step 3): closed here."""
    at = resolve_now(now)
    ctx = _open_step(session, actor, code, expected_version)
    case, user, sdef, step = ctx.case, ctx.user, ctx.sdef, ctx.step
    if not step.allows("close"):
        raise DomainError(
            f"Langkah {step.no} {sdef.short_name} tidak dapat ditutup dengan solusi sederhana."
        )
    text = _clean_text(solusi, "solusi", "Solusi", 4000)
    if not text:
        raise InputError("Tuliskan solusi yang diberikan kepada pelapor.", "solusi")
    case.solusi = text
    case.closed_path = "sederhana"
    _history(session, case, user, Action.TUTUP, at, work_calendar(session), note=text)
    _finish(case, at)
    session.flush()
    outbox.after_action(session, case, sdef, "close", at=at)
    _audit(session, actor, "case.close", case, {"step": step.no}, at)
    return _ref(case, sdef)


def return_to_step(
    session: Session,
    actor: Actor,
    code: str,
    *,
    to_step: int,
    reason: str,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> CaseRef:
    """Send the request back to an earlier step the SOP allows, with the koreksi."""
    at = resolve_now(now)
    ctx = _open_step(session, actor, code, expected_version)
    case, user, sdef, step = ctx.case, ctx.user, ctx.sdef, ctx.step
    targets = step.back_targets()
    if to_step not in targets:
        allowed = (
            "langkah " + ", ".join(str(t) for t in targets) if targets else "tidak ada langkah"
        )
        raise DomainError(
            f"Dari langkah {step.no} {sdef.short_name} permohonan hanya dapat dikembalikan ke "
            f"{allowed}, bukan ke langkah {to_step}."
        )
    text = _clean_text(reason, "reason", "Alasan", MAX_NOTE)
    if not text:
        raise InputError("Alasan/koreksi wajib diisi saat mengembalikan permohonan.", "reason")
    _history(
        session, case, user, Action.KEMBALI, at, work_calendar(session), to_step=to_step, note=text
    )
    _enter_step(case, sdef, to_step, at)
    session.flush()
    _audit(session, actor, "case.return", case, {"from": step.no, "to": to_step}, at)
    return _ref(case)


def return_to_pemohon(
    session: Session,
    actor: Actor,
    code: str,
    *,
    missing: Sequence[str],
    note: str | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> CaseRef:
    """Berkas incomplete: back to the pemohon with the list of what is missing.

    ``missing`` holds requirement keys or labels, or free text for anything else. The SLA clock
    stops until the pemohon sends the rest (``resubmit``).
    """
    at = resolve_now(now)
    ctx = _open_step(session, actor, code, expected_version)
    case, user, sdef, step = ctx.case, ctx.user, ctx.sdef, ctx.step
    if not step.allows("return_pemohon"):
        where = [s.no for s in sdef.steps if s.allows("return_pemohon")]
        raise DomainError(
            f"Pada langkah {step.no} {sdef.short_name} berkas tidak dapat dikembalikan ke "
            f"pemohon (hanya pada langkah {', '.join(map(str, where))}); gunakan koreksi ke "
            "langkah sebelumnya."
        )
    labels: list[str] = []
    present = present_keys(case)
    cleaned = [_clean_text(raw, "missing", "Butir kekurangan", 300) or "" for raw in missing]
    # sop/checklist: a requirement or an alternative group (one line) by key or label
    for label, keys in resolve_missing(sdef, cleaned):
        present.difference_update(keys)
        labels.append(label)
    if not labels:
        raise InputError(
            "Sebutkan sedikitnya satu kekurangan berkas yang harus dilengkapi pemohon.", "missing"
        )
    _set_checklist(case, sdef, present)
    text = _clean_text(note, "note", "Catatan", MAX_NOTE)
    _history(
        session,
        case,
        user,
        Action.KEMBALI_PEMOHON,
        at,
        work_calendar(session),
        note="; ".join(labels) + (f" — {text}" if text else ""),
    )
    case.status = CaseStatus.MENUNGGU_PEMOHON
    case.current_role = None
    case.paused_at = at
    case.missing_items = json.dumps(labels, ensure_ascii=False)
    case.returned_count += 1
    session.flush()
    outbox.after_action(session, case, sdef, "return_pemohon", at=at)
    _audit(session, actor, "case.return_pemohon", case, {"step": step.no, "items": len(labels)}, at)
    return _ref(case)


def resubmit(
    session: Session,
    actor: Actor,
    code: str,
    *,
    present: Iterable[str] | None = None,
    berkas: Sequence[BerkasFile] = (),
    note: str | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> CaseRef:
    """The pemohon sent the missing berkas: the request resumes at the same step and the
    due time moves by the working time spent waiting."""
    at = resolve_now(now)
    ctx = _open_step(session, actor, code, expected_version, (CaseStatus.MENUNGGU_PEMOHON,))
    case, user, sdef, step = ctx.case, ctx.user, ctx.sdef, ctx.step
    cal = work_calendar(session)
    paused = case.paused_at or at
    waited = cal.working_minutes(paused, at) if at > paused else 0.0
    case.due_at = cal.add_working_minutes(case.due_at, waited)
    _set_checklist(
        case, sdef, present if present is not None else [r.key for r in sdef.requirements]
    )
    hashes = _attach(session, case, berkas, user, at)
    _history(
        session,
        case,
        user,
        Action.KIRIM_ULANG,
        at,
        cal,
        started_at=paused,
        note=_clean_text(note, "note", "Catatan", MAX_NOTE),
    )
    case.status = CaseStatus.PROSES
    case.paused_at = None
    case.missing_items = None
    _enter_step(case, sdef, case.current_step, at)
    session.flush()
    _audit(session, actor, "case.resubmit", case, {"step": step.no, "berkas": hashes}, at)
    return _ref(case)


CANCEL_ROLES = OVERSEER_ROLES  # who may cancel any open request (sop/definitions.py)


def cancel(
    session: Session,
    actor: Actor,
    code: str,
    *,
    reason: str,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> CaseRef:
    """Cancel an open request with a reason (its current step's officer or a supervisor)."""
    at = resolve_now(now)
    ctx = _open_step(session, actor, code, expected_version, CaseStatus.OPEN, check_role=False)
    case, user, step = ctx.case, ctx.user, ctx.step
    if step.role not in user.role_keys and not (user.role_keys & CANCEL_ROLES):
        raise PermissionDenied(
            "Pembatalan hanya oleh petugas langkah ini, Kasi, Kabid, Kepala Dinas atau admin."
        )
    text = _clean_text(reason, "reason", "Alasan", MAX_NOTE)
    if not text:
        raise InputError("Alasan pembatalan wajib diisi.", "reason")
    _history(
        session,
        case,
        user,
        Action.BATAL,
        at,
        work_calendar(session),
        note=text,
        started_at=case.paused_at or case.step_started_at,
    )
    case.status = CaseStatus.BATAL
    case.current_role = None
    case.cancel_reason = text
    case.finished_at = at
    session.flush()
    _audit(session, actor, "case.cancel", case, {"step": step.no}, at)
    return _ref(case)


def update_checklist(
    session: Session,
    actor: Actor,
    code: str,
    *,
    present: Iterable[str],
    berkas: Sequence[BerkasFile] = (),
    expected_version: int | None = None,
    now: datetime | None = None,
) -> CaseRef:
    """Tick checklist items / add berkas while the request is at its completeness step."""
    at = resolve_now(now)
    ctx = _open_step(session, actor, code, expected_version)
    case, user, sdef, step = ctx.case, ctx.user, ctx.sdef, ctx.step
    _set_checklist(case, sdef, present)
    hashes = _attach(session, case, berkas, user, at)
    _touch(case)  # the checklist lives in another table; bump the case's version explicitly
    session.flush()
    _audit(session, actor, "case.checklist", case, {"step": step.no, "berkas": hashes}, at)
    return _ref(case)


def _touch(case: Case) -> None:
    """Force a version bump on changes that only touch child rows."""
    from sqlalchemy.orm.attributes import flag_modified

    flag_modified(case, "conditions")


# --------------------------------------------------------------------------- step fields


def _step_with(sdef: ServiceDef, record: str) -> Step | None:
    return next((s for s in sdef.steps if record in s.records), None)


def _record_document(
    session: Session, case: Case, sdef: ServiceDef, user: User, number: str, at: datetime
) -> None:
    step = _step_with(sdef, "nomor_dokumen")
    if step is None or sdef.document_kind is None:
        raise DomainError(f"Layanan {sdef.short_name} tidak mencatat nomor dokumen SIAK.")
    if case.status == CaseStatus.PROSES and case.current_step < step.no:
        raise DomainError(f"Nomor dokumen dicatat mulai langkah {step.no} ('{step.activity}').")
    if step.role not in user.role_keys:
        raise PermissionDenied(f"Nomor dokumen SIAK dicatat oleh {_role_label(step.role)}.")
    text = _clean_text(number, "nomor_dokumen", "Nomor dokumen", 64)
    if not text:
        raise InputError("Nomor dokumen kosong.", "nomor_dokumen")
    session.add(
        CaseDocument(
            case_id=case.id,
            kind=sdef.document_kind,
            number=text,
            recorded_at=at,
            recorded_by=user.id,
        )
    )


def _record_delivery(
    session: Session,
    case: Case,
    sdef: ServiceDef,
    user: User,
    *,
    resi: str | None,
    penerima: str | None,
    at: datetime,
    finishing: bool = False,
) -> None:
    step = sdef.hand_over_step
    if step is None:
        raise DomainError(f"Layanan {sdef.short_name} tidak mencatat penyerahan dokumen.")
    if case.status == CaseStatus.PROSES and case.current_step < step.no:
        raise DomainError(f"Penyerahan dicatat pada langkah {step.no} ('{step.activity}').")
    if step.notifies and case.status == CaseStatus.PROSES and not finishing:
        raise DomainError(
            f"Selesaikan dulu langkah {step.no} ('{step.activity}'): pemohon diberi tahu bahwa "
            "dokumennya siap; pengambilan atau resi PT POS dicatat sesudahnya dari daftar "
            "Siap diambil."
        )
    if case.status in (CaseStatus.BATAL, CaseStatus.MENUNGGU_PEMOHON):
        raise DomainError(f"Permohonan {case.code} tidak dalam tahap penyerahan.")
    if step.role not in user.role_keys:
        raise PermissionDenied(f"Penyerahan dokumen dicatat oleh {_role_label(step.role)}.")
    resi_text = _clean_text(resi, "resi", "Nomor resi", 64)
    name = _clean_text(penerima, "penerima", "Nama penerima", MAX_NAME)
    if resi_text and name:
        raise InputError("Isi nomor resi PT POS atau nama pengambil, bukan keduanya.", "resi")
    if not resi_text and not name:
        raise InputError("Isi nomor resi PT POS atau nama yang mengambil dokumen.", "resi")
    existing = session.execute(select(Delivery).where(Delivery.case_id == case.id)).scalar()
    row = existing or Delivery(case_id=case.id)
    row.method = "pos" if resi_text else "diambil"
    row.resi = resi_text
    row.recipient = name
    row.delivered_at = at
    row.user_id = user.id
    if existing is None:
        session.add(row)
    waiting = session.get(AwaitingCollection, case.id)
    if waiting is not None:
        session.delete(waiting)


def record_document(
    session: Session, actor: Actor, code: str, *, number: str, now: datetime | None = None
) -> CaseRef:
    """Record (or correct) the SIAK document number, during or after its step."""
    at = resolve_now(now)
    case = load_case(session, code)
    user = actor_user(session, actor)
    sdef = definition_for(session, case)
    _record_document(session, case, sdef, user, number, at)
    _touch(case)
    session.flush()
    _audit(session, actor, "case.document", case, {}, at)
    return _ref(case)


def record_delivery(
    session: Session,
    actor: Actor,
    code: str,
    *,
    resi: str | None = None,
    penerima: str | None = None,
    now: datetime | None = None,
) -> CaseRef:
    """Record who collected the document, or the PT POS resi (during or after the step)."""
    at = resolve_now(now)
    case = load_case(session, code)
    user = actor_user(session, actor)
    sdef = definition_for(session, case)
    _record_delivery(session, case, sdef, user, resi=resi, penerima=penerima, at=at)
    _touch(case)
    session.flush()
    outbox.after_action(session, case, sdef, "delivery", at=at, resi=resi)
    _audit(session, actor, "case.delivery", case, {"method": "pos" if resi else "diambil"}, at)
    return _ref(case)


def add_attachments(
    session: Session,
    actor: Actor,
    code: str,
    files: Sequence[BerkasFile],
    *,
    now: datetime | None = None,
) -> CaseRef:
    at = resolve_now(now)
    case = load_case(session, code)
    _require_status(case, CaseStatus.PROSES, CaseStatus.MENUNGGU_PEMOHON)
    user = actor_user(session, actor)
    sdef = definition_for(session, case)
    _require_role(user, sdef.step(case.current_step), sdef)
    hashes = _attach(session, case, files, user, at)
    _touch(case)
    session.flush()
    _audit(session, actor, "case.berkas", case, {"berkas": hashes}, at)
    return _ref(case)
