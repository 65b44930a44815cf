"""Read-side: plain dataclasses for windows, the CLI and reports. No ORM object leaves here."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from ..calendar import WIB
from ..identity import (
    ValidationError,
    extract_tracking_code,
    mask_nik,
    normalize_nik,
    normalize_wa,
)
from ..models import (
    Attachment,
    Case,
    CaseDocument,
    CaseStatus,
    CaseStep,
    Delivery,
    RegisterEntry,
    User,
)
from ..sop import ROLES, ServiceDef
from .cases import Action, definition_for, load_case, present_keys
from .context import resolve_now
from .office import work_calendar
from .register import format_number


@dataclass(frozen=True)
class StepHistoryView:
    step_no: int
    activity: str
    action: str
    action_label: str
    to_step: int | None
    username: str
    full_name: str
    started_at: datetime
    ended_at: datetime
    working_minutes: float
    standard_minutes: int
    note: str | None


@dataclass(frozen=True)
class ChecklistView:
    key: str
    label: str
    present: bool
    required: bool
    condition: str | None
    alternative_group: str | None
    applies: bool


@dataclass(frozen=True)
class AttachmentView:
    id: int
    filename: str
    mime: str
    size: int
    sha256: str
    uploaded_at: datetime


@dataclass(frozen=True)
class StepView:
    no: int
    activity: str
    actor_label: str
    role: str
    minutes: int
    state: str  # "selesai", "sekarang", "belum"


@dataclass(frozen=True)
class CaseView:
    id: int
    code: str
    service: str
    service_name: str
    sop_version: str
    status: str
    status_label: str
    current_step: int
    current_activity: str
    current_role: str | None
    pemohon_nama: str
    nik: str | None
    nik_masked: str | None
    no_kk: str | None
    wa: str
    kecamatan: str | None
    conditions: tuple[str, ...]
    uraian: str | None
    solusi: str | None
    closed_path: str | None
    received_at: datetime
    due_at: datetime
    step_started_at: datetime
    finished_at: datetime | None
    returned_count: int
    missing_items: tuple[str, ...]
    cancel_reason: str | None
    version: int
    register_number: str | None
    documents: tuple[tuple[str, str], ...]  # (kind, number)
    delivery: dict[str, Any] | None
    steps: tuple[StepView, ...]
    history: tuple[StepHistoryView, ...]
    checklist: tuple[ChecklistView, ...]
    attachments: tuple[AttachmentView, ...]
    allowed: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        def conv(value: Any) -> Any:
            if isinstance(value, datetime):
                return value.astimezone(WIB).isoformat(timespec="seconds")
            if isinstance(value, dict):
                return {k: conv(v) for k, v in value.items()}
            if isinstance(value, list | tuple):
                return [conv(v) for v in value]
            return value

        data = conv(asdict(self))
        data["current_step"] = self.current_step
        return data  # type: ignore[no-any-return]


def _users(session: Session, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    ids = set(ids)
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.username, User.full_name).where(User.id.in_(ids)))
    return {r[0]: (r[1], r[2]) for r in rows}


def case_view(session: Session, code: str, *, roles: Iterable[str] = ()) -> CaseView:
    case = load_case(session, code)
    return _view(session, case, set(roles))


def case_view_by_id(session: Session, case_id: int, *, roles: Iterable[str] = ()) -> CaseView:
    case = session.get(Case, case_id)
    if case is None:
        from ..errors import NotFound

        raise NotFound("Permohonan tidak ditemukan.")
    return _view(session, case, set(roles))


def _view(session: Session, case: Case, roles: set[str]) -> CaseView:
    sdef = definition_for(session, case)
    history = (
        session.execute(select(CaseStep).where(CaseStep.case_id == case.id).order_by(CaseStep.id))
        .scalars()
        .all()
    )
    users = _users(session, [h.user_id for h in history])
    reg = session.execute(select(RegisterEntry).where(RegisterEntry.case_id == case.id)).scalar()
    docs = session.execute(
        select(CaseDocument.kind, CaseDocument.number)
        .where(CaseDocument.case_id == case.id)
        .order_by(CaseDocument.id)
    ).all()
    delivery = session.execute(select(Delivery).where(Delivery.case_id == case.id)).scalar()
    atts = session.execute(
        select(
            Attachment.id,
            Attachment.filename,
            Attachment.mime,
            Attachment.size,
            Attachment.sha256,
            Attachment.uploaded_at,
        )
        .where(Attachment.case_id == case.id)
        .order_by(Attachment.id)
    ).all()
    present = present_keys(case)
    conds = {c for c in case.conditions.split(",") if c}
    done = {h.step_no for h in history if h.action in (Action.SELESAI, Action.TUTUP)}
    finished = case.status in (CaseStatus.SELESAI, CaseStatus.BATAL)
    steps = tuple(
        StepView(
            s.no,
            s.activity,
            s.actor_label,
            s.role,
            s.minutes,
            "sekarang"
            if (s.no == case.current_step and not finished)
            else (
                "selesai" if (s.no < case.current_step or (finished and s.no in done)) else "belum"
            ),
        )
        for s in sdef.steps
    )
    current = sdef.step(case.current_step)
    return CaseView(
        id=case.id,
        code=case.code,
        service=case.service,
        service_name=sdef.short_name,
        sop_version=case.sop_version,
        status=case.status,
        status_label=CaseStatus.LABELS[case.status],
        current_step=case.current_step,
        current_activity=current.activity,
        current_role=case.current_role,
        pemohon_nama=case.pemohon_nama,
        nik=case.nik,
        nik_masked=mask_nik(case.nik) if case.nik else None,
        no_kk=case.no_kk,
        wa=case.wa,
        kecamatan=case.kecamatan,
        conditions=tuple(sorted(conds)),
        uraian=case.uraian,
        solusi=case.solusi,
        closed_path=case.closed_path,
        received_at=case.received_at,
        due_at=case.due_at,
        step_started_at=case.step_started_at,
        finished_at=case.finished_at,
        returned_count=case.returned_count,
        missing_items=tuple(json.loads(case.missing_items)) if case.missing_items else (),
        cancel_reason=case.cancel_reason,
        version=case.version,
        register_number=format_number(reg.service, reg.year, reg.number) if reg else None,
        documents=tuple((d[0], d[1]) for d in docs),
        delivery=None
        if delivery is None
        else {
            "method": delivery.method,
            "recipient": delivery.recipient,
            "resi": delivery.resi,
            "delivered_at": delivery.delivered_at,
        },
        steps=steps,
        history=tuple(
            StepHistoryView(
                step_no=h.step_no,
                activity=_activity(sdef, h.step_no),
                action=h.action,
                action_label=Action.LABELS.get(h.action, h.action),
                to_step=h.to_step,
                username=users.get(h.user_id, ("?", "?"))[0],
                full_name=users.get(h.user_id, ("?", "?"))[1],
                started_at=h.started_at,
                ended_at=h.ended_at,
                working_minutes=h.working_minutes,
                standard_minutes=_minutes(sdef, h.step_no),
                note=h.note,
            )
            for h in history
        ),
        checklist=tuple(
            ChecklistView(
                key=r.key,
                label=r.label,
                present=r.key in present,
                required=r.required,
                condition=r.condition,
                alternative_group=r.alternative_group,
                applies=r.condition is None or r.condition in conds,
            )
            for r in sdef.requirements
        ),
        attachments=tuple(AttachmentView(*a) for a in atts),
        allowed=allowed_actions(sdef, case, roles) if roles else {},
    )


def _activity(sdef: ServiceDef, no: int) -> str:
    try:
        return sdef.step(no).activity
    except KeyError:
        return f"Langkah {no}"


def _minutes(sdef: ServiceDef, no: int) -> int:
    try:
        return sdef.step(no).minutes
    except KeyError:
        return 0


def allowed_actions(sdef: ServiceDef, case: Case, roles: set[str]) -> dict[str, Any]:
    """What a user with these roles may do now (the windows show only these)."""
    step = sdef.step(case.current_step)
    mine = step.role in roles
    out: dict[str, Any] = {}
    if case.status == CaseStatus.PROSES and mine:
        out["advance"] = step.allows("next")
        out["back_to"] = list(step.back_targets())
        out["return_pemohon"] = step.allows("return_pemohon")
        out["close"] = step.allows("close")
        out["records"] = list(step.records)
        out["assigns_register"] = step.assigns_register
    if case.status == CaseStatus.MENUNGGU_PEMOHON and mine:
        out["resubmit"] = True
    if case.status in CaseStatus.OPEN and (mine or roles & {"kasi", "kabid", "kadis", "admin"}):
        out["cancel"] = True
    return out


def attachment_content(session: Session, attachment_id: int) -> tuple[str, str, bytes]:
    row = session.execute(
        select(Attachment.filename, Attachment.mime, Attachment.content).where(
            Attachment.id == attachment_id
        )
    ).one()
    return row[0], row[1], row[2]


# --------------------------------------------------------------------------- inbox


@dataclass(frozen=True)
class InboxRow:
    id: int
    code: str
    service: str
    pemohon_nama: str
    nik_masked: str | None
    current_step: int
    current_role: str
    step_started_at: datetime
    due_at: datetime
    received_at: datetime
    version: int


def _inbox_stmt(roles: Sequence[str], service: str | None) -> Any:
    stmt = select(
        Case.id,
        Case.code,
        Case.service,
        Case.pemohon_nama,
        Case.nik,
        Case.current_step,
        Case.current_role,
        Case.step_started_at,
        Case.due_at,
        Case.received_at,
        Case.version,
    ).where(Case.status == CaseStatus.PROSES, Case.current_role.in_(list(roles)))
    if service:
        stmt = stmt.where(Case.service == service)
    return stmt


def inbox(
    session: Session,
    roles: Iterable[str],
    *,
    service: str | None = None,
    limit: int = 100,
    after: tuple[datetime, int] | None = None,
) -> list[InboxRow]:
    """Requests waiting at a step of these roles, most urgent (earliest due) first.

    Keyset paging: pass the (due_at, id) of the last row seen as ``after``.
    """
    role_list = sorted(set(roles) & set(ROLES))
    if not role_list:
        return []
    stmt = _inbox_stmt(role_list, service)
    if after is not None:
        due, last_id = after
        stmt = stmt.where(or_(Case.due_at > due, and_(Case.due_at == due, Case.id > last_id)))
    stmt = stmt.order_by(Case.due_at, Case.id).limit(limit)
    return [
        InboxRow(
            r[0],
            r[1],
            r[2],
            r[3],
            mask_nik(r[4]) if r[4] else None,
            r[5],
            r[6],
            r[7],
            r[8],
            r[9],
            r[10],
        )
        for r in session.execute(stmt)
    ]


def inbox_counts(session: Session, roles: Iterable[str]) -> dict[str, int]:
    role_list = sorted(set(roles) & set(ROLES))
    if not role_list:
        return {}
    rows = session.execute(
        select(Case.service, func.count(Case.id))
        .where(Case.status == CaseStatus.PROSES, Case.current_role.in_(role_list))
        .group_by(Case.service)
    )
    return {r[0]: int(r[1]) for r in rows}


# --------------------------------------------------------------------------- search


@dataclass(frozen=True)
class SearchRow:
    id: int
    code: str
    service: str
    pemohon_nama: str
    nik_masked: str | None
    wa: str
    status: str
    current_step: int
    received_at: datetime
    due_at: datetime


@dataclass(frozen=True)
class SearchFilters:
    service: str | None = None
    status: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def _day_start(d: date) -> datetime:
    return datetime.combine(d, time(0), WIB)


def search(
    session: Session,
    text: str,
    filters: SearchFilters | None = None,
    *,
    limit: int = 200,
    after: tuple[datetime, int] | None = None,
) -> list[SearchRow]:
    """Find by tracking code (or a scanned QR link), NIK, WhatsApp number or name prefix.

    Newest first; keyset paging by (received_at, id) of the last row seen.
    """
    f = filters or SearchFilters()
    stmt = select(
        Case.id,
        Case.code,
        Case.service,
        Case.pemohon_nama,
        Case.nik,
        Case.wa,
        Case.status,
        Case.current_step,
        Case.received_at,
        Case.due_at,
    )
    text = text.strip()
    if text:
        code = extract_tracking_code(text)
        digits = "".join(c for c in text if c.isdigit())
        conds = []
        if code:
            conds.append(Case.code == code)
        if len(digits) == 16:
            try:
                conds.append(Case.nik == normalize_nik(digits))
            except ValidationError:
                conds.append(Case.nik == digits)
            conds.append(Case.no_kk == digits)
        if 9 <= len(digits) <= 15:
            with suppress(ValidationError):
                conds.append(Case.wa == normalize_wa(text))
        if any(c.isalpha() for c in text) and not code:
            conds.append(Case.name_key.like(_like_prefix(text.upper()), escape="\\"))
        if not conds:
            return []
        stmt = stmt.where(or_(*conds))
    if f.service:
        stmt = stmt.where(Case.service == f.service)
    if f.status:
        stmt = stmt.where(Case.status == f.status)
    if f.date_from:
        stmt = stmt.where(Case.received_at >= _day_start(f.date_from))
    if f.date_to:
        stmt = stmt.where(Case.received_at < _day_start(f.date_to + timedelta(days=1)))
    if after is not None:
        rec, last_id = after
        stmt = stmt.where(
            or_(Case.received_at < rec, and_(Case.received_at == rec, Case.id < last_id))
        )
    stmt = stmt.order_by(Case.received_at.desc(), Case.id.desc()).limit(limit)
    return [
        SearchRow(
            r[0], r[1], r[2], r[3], mask_nik(r[4]) if r[4] else None, r[5], r[6], r[7], r[8], r[9]
        )
        for r in session.execute(stmt)
    ]


def _like_prefix(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return " ".join(escaped.split()) + "%"


def sla_state(
    due_at: datetime,
    now: datetime | None = None,
    *,
    near_minutes: float = 60,
    session: Session | None = None,
) -> str:
    """'terlambat' past due, 'mendekati' within near_minutes working minutes, else 'tepat'."""
    at = resolve_now(now)
    if at >= due_at:
        return "terlambat"
    if session is not None:
        left = work_calendar(session).working_minutes(at, due_at)
    else:
        left = (due_at - at).total_seconds() / 60
    return "mendekati" if left <= near_minutes else "tepat"
