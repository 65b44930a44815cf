"""Read-side: plain dataclasses for windows, the CLI and reports. No ORM object leaves here.

Every read function takes the unit of work it runs in — the read unit ``Database.read()`` in the
windows and the CLI, or a service's write unit — and runs SQLAlchemy Core statements on it with
``session.execute``, reading the columns by name. The statements are built once per shape
(``lru_cache``), so SQLAlchemy's compiled cache finds them at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from types import SimpleNamespace
from typing import Any, NamedTuple, Protocol

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import Session

from ..calendar import WIB
from ..errors import InputError, NotFound
from ..identity import (
    ValidationError,
    extract_tracking_code,
    mask_nik,
    normalize_nik,
    normalize_tracking_code,
    wa_search_key,
)
from ..models import (
    Attachment,
    Case,
    CaseDocument,
    CaseStatus,
    CaseStep,
    ChecklistItem,
    Delivery,
    RegisterEntry,
    SopSnapshot,
    User,
)
from ..sop import OVERSEER_ROLES, ROLES, ServiceDef
from ..sop.checklist import applies
from .cases import Action, _definition_from_json
from .pelapor import (
    HIDDEN,
    complaint_codes,
    confidential_ids,
    hidden_in_list,
    hidden_in_view,
)
from .queue import QUEUE_KIND
from .reading import columns, connection, select_rows
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
    queue_number: str | None = None  # nomor antrian (a step with assigns_queue; services/queue)

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


def case_view(session: Session, code: str, *, roles: Iterable[str] = ()) -> CaseView:
    try:
        norm = normalize_tracking_code(code)
    except ValidationError as exc:
        raise InputError(str(exc), "kode") from exc
    found = _case_head(session, "code", norm)
    if found is None:
        raise NotFound(f"Permohonan dengan kode {norm} tidak ditemukan.")
    return _pelapor_shown(_view(session, found, set(roles)), set(roles))


def case_view_by_id(session: Session, case_id: int, *, roles: Iterable[str] = ()) -> CaseView:
    found = _case_head(session, "id", case_id)
    if found is None:
        raise NotFound("Permohonan tidak ditemukan.")
    return _pelapor_shown(_view(session, found, set(roles)), set(roles))


def _pelapor_shown(view: CaseView, roles: set[str]) -> CaseView:
    """A complaint's pelapor is seen only by the complaint roles (``services.pelapor``)."""
    if not hidden_in_view(view.service, roles):
        return view
    return replace(view, pemohon_nama=HIDDEN, nik=None, nik_masked=None, no_kk=None, wa="")


@dataclass(frozen=True)
class _Head:
    """One request's row with its SOP snapshot, register entry and hand-over (one query)."""

    case: Any  # the cases row (attribute access like the model)
    definition: str
    register: tuple[str, int, int] | None  # (service, year, number)
    delivery: dict[str, Any] | None
    ticked: frozenset[str]  # the checklist items marked present

    @property
    def id(self) -> int:
        return int(self.case.id)


@lru_cache(maxsize=2)
def _case_head_stmt(key: str) -> Any:
    reg, dl = RegisterEntry, Delivery
    # SOP item keys are [a-z0-9_]: a comma-joined list in the same row saves a round trip
    ticked = (
        select(func.aggregate_strings(ChecklistItem.item_key, ","))
        .where(ChecklistItem.case_id == Case.id, ChecklistItem.present.is_(True))
        .scalar_subquery()
    )
    return (
        select(
            *Case.__table__.c,
            ticked.label("x_ticked"),
            SopSnapshot.definition.label("x_definition"),
            reg.service.label("x_reg_service"),
            reg.year.label("x_reg_year"),
            reg.number.label("x_reg_number"),
            dl.method.label("x_dl_method"),
            dl.recipient.label("x_dl_recipient"),
            dl.resi.label("x_dl_resi"),
            dl.delivered_at.label("x_dl_at"),
        )
        .join(SopSnapshot, SopSnapshot.id == Case.sop_snapshot_id)
        .outerjoin(reg, reg.case_id == Case.id)
        .outerjoin(dl, dl.case_id == Case.id)
        .where(Case.__table__.c[key] == bindparam("key"))
    )


@lru_cache(maxsize=1)
def _case_detail_stmts() -> tuple[Any, Any, Any]:
    """History (with who), SIAK numbers and berkas of one case: built once."""
    case_id: Any = bindparam("case_id")
    history = (
        select(
            CaseStep.step_no,
            CaseStep.action,
            CaseStep.to_step,
            CaseStep.started_at,
            CaseStep.ended_at,
            CaseStep.working_minutes,
            CaseStep.note,
            User.username,
            User.full_name,
        )
        .outerjoin(User, User.id == CaseStep.user_id)
        .where(CaseStep.case_id == case_id)
        .order_by(CaseStep.id)
    )
    docs = (
        select(CaseDocument.kind, CaseDocument.number)
        .where(CaseDocument.case_id == case_id)
        .order_by(CaseDocument.id)
    )
    atts = (
        select(
            Attachment.id,
            Attachment.filename,
            Attachment.mime,
            Attachment.size,
            Attachment.sha256,
            Attachment.uploaded_at,
        )
        .where(Attachment.case_id == case_id)
        .order_by(Attachment.id)
    )
    return history, docs, atts


_CASE_KEYS = tuple(c.key for c in Case.__table__.c)


def _case_head(session: Session, key: str, value: object) -> _Head | None:
    row = select_rows(session, _case_head_stmt(key), {"key": value}).mappings().first()
    if row is None:
        return None
    case = SimpleNamespace(**{name: row[name] for name in _CASE_KEYS})
    return _Head(
        case,
        row["x_definition"],
        None
        if row["x_reg_service"] is None
        else (row["x_reg_service"], row["x_reg_year"], row["x_reg_number"]),
        None
        if row["x_dl_method"] is None
        else {
            "method": row["x_dl_method"],
            "recipient": row["x_dl_recipient"],
            "resi": row["x_dl_resi"],
            "delivered_at": row["x_dl_at"],
        },
        frozenset(k for k in (row["x_ticked"] or "").split(",") if k),
    )


def _view(session: Session, head: _Head, roles: set[str]) -> CaseView:
    case = head.case
    sdef = _definition_from_json(head.definition)
    q_history, q_docs, q_atts = _case_detail_stmts()
    params = {"case_id": case.id}
    conn = connection(session)
    history = conn.execute(q_history, params).all()
    docs = conn.execute(q_docs, params).all()
    atts = conn.execute(q_atts, params).all()
    present = head.ticked
    reg = head.register
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
        register_number=format_number(*reg) if reg else None,
        documents=tuple((d.kind, d.number) for d in docs if d.kind != QUEUE_KIND),
        queue_number=next((d.number for d in docs if d.kind == QUEUE_KIND), None),
        delivery=head.delivery,
        steps=steps,
        history=tuple(
            StepHistoryView(
                step_no=h.step_no,
                activity=_activity(sdef, h.step_no),
                action=h.action,
                action_label=Action.LABELS.get(h.action, h.action),
                to_step=h.to_step,
                username=h.username or "?",
                full_name=h.full_name or "?",
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
                applies=applies(r, conds),
            )
            for r in sdef.requirements
        ),
        attachments=tuple(
            AttachmentView(
                id=a.id,
                filename=a.filename,
                mime=a.mime,
                size=a.size,
                sha256=a.sha256,
                uploaded_at=a.uploaded_at,
            )
            for a in atts
        ),
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


class CaseState(Protocol):
    """What :func:`allowed_actions` reads of a request (a ``Case`` or a fetched row)."""

    status: str
    current_step: int


def allowed_actions(sdef: ServiceDef, case: CaseState, roles: set[str]) -> dict[str, Any]:
    """What a user with these roles may do now (the windows show only these)."""
    step = sdef.step(case.current_step)
    mine = step.role in roles
    out: dict[str, Any] = {}
    if case.status == CaseStatus.PROSES and mine:
        out["notifies"] = step.notifies  # finishing tells the resident; hand-over comes after
        out["hand_over_default"] = sdef.hand_over_default
        out["advance"] = step.allows("next")
        out["back_to"] = list(step.back_targets())
        out["return_pemohon"] = step.allows("return_pemohon")
        out["close"] = step.allows("close")
        out["records"] = list(step.records)
        out["assigns_register"] = step.assigns_register
    if case.status == CaseStatus.MENUNGGU_PEMOHON and mine:
        out["resubmit"] = True
    if case.status in CaseStatus.OPEN and (mine or roles & OVERSEER_ROLES):
        out["cancel"] = True
    return out


def attachment_content(session: Session, attachment_id: int) -> tuple[str, str, bytes]:
    row = session.execute(
        select(Attachment.filename, Attachment.mime, Attachment.content).where(
            Attachment.id == attachment_id
        )
    ).one()
    return row.filename, row.mime, row.content


# --------------------------------------------------------------------------- inbox


class InboxRow(NamedTuple):
    """One inbox line (a named tuple: a page holds hundreds and is built in a worker thread)."""

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
    #: sent back to this step with a koreksi (its last move): the clerk reads the koreksi first
    returned: bool = False


#: Whether the request came to its current step by a move back with a koreksi: the step visit
#: that ended when the current step started was a return (served by ix_case_steps_case_id).
_RETURNED = (
    select(CaseStep.id)
    .where(
        CaseStep.case_id == Case.id,
        CaseStep.action == Action.KEMBALI,
        CaseStep.to_step == Case.current_step,
        CaseStep.ended_at == Case.step_started_at,
    )
    .exists()
    .label("returned")
)

_INBOX_COLUMNS = (
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
    _RETURNED,
)


@lru_cache(maxsize=8)
def _inbox_page_stmt(with_service: bool, with_after: bool) -> Any:
    """The inbox page query, built once per shape (the values are bound parameters).

    Served by ix_cases_inbox (status, current_role, due_at, id): one index range per role,
    already in due order for a single role. The keyset condition is written as
    ``due_at >= :due AND (due_at > :due OR id > :id)`` so both engines seek to the page start
    instead of scanning from the first row.
    """
    stmt = select(*_INBOX_COLUMNS).where(
        Case.status == CaseStatus.PROSES,
        Case.current_role.in_(bindparam("roles", expanding=True)),
    )
    if with_service:
        stmt = stmt.where(Case.service == bindparam("service"))
    if with_after:
        due = bindparam("due", type_=Case.__table__.c.due_at.type)
        stmt = stmt.where(
            Case.due_at >= due, or_(Case.due_at > due, Case.id > bindparam("last_id"))
        )
    return stmt.order_by(Case.due_at, Case.id).limit(bindparam("limit"))


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
    params: dict[str, Any] = {"roles": role_list, "limit": limit}
    if service:
        params["service"] = service
    if after is not None:
        params["due"], params["last_id"] = after
    stmt = _inbox_page_stmt(bool(service), after is not None)
    result = select_rows(session, stmt, params)
    pick = columns(result, _INBOX_NAMES)
    return [_inbox_row(*pick(r)) for r in result.all()]


#: the columns an inbox row is read from, by name, in InboxRow's order (the NIK is masked)
_INBOX_NAMES = tuple(c.key for c in _INBOX_COLUMNS)


def _inbox_row(
    id: int,
    code: str,
    service: str,
    pemohon_nama: str,
    nik: str | None,
    *rest: Any,
) -> InboxRow:
    return InboxRow(id, code, service, pemohon_nama, mask_nik(nik) if nik else None, *rest)


@lru_cache(maxsize=1)
def _inbox_counts_stmt() -> Any:
    return (
        select(Case.service, func.count(Case.id).label("n"))
        .where(
            Case.status == CaseStatus.PROSES,
            Case.current_role.in_(bindparam("roles", expanding=True)),
        )
        .group_by(Case.service)
    )


def inbox_counts(session: Session, roles: Iterable[str]) -> dict[str, int]:
    role_list = sorted(set(roles) & set(ROLES))
    if not role_list:
        return {}
    rows = select_rows(session, _inbox_counts_stmt(), {"roles": role_list})
    return {r.service: int(r.n) for r in rows}


# --------------------------------------------------------------------------- search


class SearchRow(NamedTuple):
    """One search result (a named tuple, like :class:`InboxRow`)."""

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


#: the columns a search row is read from, in SearchRow's order (the NIK is masked on reading)
_SEARCH_COLUMNS = (
    "id",
    "code",
    "service",
    "pemohon_nama",
    "nik",
    "wa",
    "status",
    "current_step",
    "received_at",
    "due_at",
)


def _search_rows(result: Any) -> list[SearchRow]:
    """The rows of a search result, read by the names in ``_SEARCH_COLUMNS``."""
    pick = columns(result, _SEARCH_COLUMNS)
    out = []
    for r in result.all():
        id_, code, service, nama, nik, *rest = pick(r)
        out.append(SearchRow(id_, code, service, nama, mask_nik(nik) if nik else None, *rest))
    return out


def _day_start(d: date) -> datetime:
    return datetime.combine(d, time(0), WIB)


def search(
    session: Session,
    text: str,
    filters: SearchFilters | None = None,
    *,
    limit: int = 200,
    after: tuple[datetime, int] | None = None,
    roles: Iterable[str] | None = None,
) -> list[SearchRow]:
    """Find by tracking code (or a scanned QR link), NIK or No. KK, WhatsApp number or name
    prefix; with no text, every request (the filters still apply).

    Newest first; keyset paging by (received_at, id) of the last row seen. The page's ids are
    found first (on the index that fits the text: code, NIK/KK, WhatsApp, name prefix, or
    received_at when there is no text) and only those rows are read, so a page costs the same
    at the millionth row as at the first.
    """
    f = filters or SearchFilters()
    params: dict[str, Any] = {"limit": limit}
    kinds: tuple[str, ...] = ()
    text = text.strip()
    if text:
        kinds = _text_params(text, params)
        if not kinds:
            return []
    if f.service:
        params["service"] = f.service
    if f.status:
        params["status"] = f.status
    if f.date_from:
        params["date_from"] = _day_start(f.date_from)
    if f.date_to:
        params["date_to"] = _day_start(f.date_to + timedelta(days=1))
    if after is not None:
        params["rec"], params["last_id"] = after
    status = None if not f.status else "open" if f.status in CaseStatus.OPEN else "closed"
    stmt = _search_stmt(
        kinds,
        session.get_bind().dialect.name == "postgresql",
        bool(f.service),
        status,
        bool(f.date_from),
        bool(f.date_to),
        after is not None,
    )
    return _hide_pelapor(session, _search_rows(select_rows(session, stmt, params)), roles)


def _hide_pelapor(
    session: Session, rows: list[SearchRow], roles: Iterable[str] | None
) -> list[SearchRow]:
    """Complaints' pelapor hidden unless ``roles`` hold a complaint role and the pelapor did not
    ask to stay anonymous (no roles given: hidden)."""
    complaints = [r.id for r in rows if r.service in complaint_codes()]
    if not complaints:
        return rows
    secret = confidential_ids(session, complaints)
    return [
        r._replace(pemohon_nama=HIDDEN, nik_masked=None, wa="")
        if hidden_in_list(r.service, roles, r.id in secret)
        else r
        for r in rows
    ]


def _text_params(text: str, params: dict[str, Any]) -> tuple[str, ...]:
    """What the typed or scanned text can mean (``code``, ``nik``, ``wa``, ``name``), with
    the values put in ``params``; empty when it can match nothing."""
    kinds: list[str] = []
    code = extract_tracking_code(text)
    digits = "".join(c for c in text if c.isdigit())
    if code:
        kinds.append("code")
        params["code"] = code
    if len(digits) == 16:
        try:
            params["nik"] = normalize_nik(digits)
        except ValidationError:
            params["nik"] = digits
        params["no_kk"] = digits
        kinds.append("nik")
    if 9 <= len(digits) <= 15 and (wa := wa_search_key(text)) is not None:
        params["wa"] = wa
        kinds.append("wa")
    if any(c.isalpha() for c in text) and not code:
        prefix = " ".join(text.upper().split())
        params["name_like"] = _like_prefix(prefix)
        params["name_lo"] = prefix
        params["name_hi"] = _successor(prefix)
        kinds.append("name")
    return tuple(kinds)


@lru_cache(maxsize=256)
def _search_stmt(
    kinds: tuple[str, ...],
    postgres: bool,
    service: bool,
    status: str | None,
    date_from: bool,
    date_to: bool,
    after: bool,
) -> Any:
    """The search query of one shape, built once (values are bound parameters)."""
    where: list[Any] = []
    conds: list[Any] = []
    for kind in kinds:
        if kind == "code":
            conds.append(Case.code == bindparam("code"))
        elif kind == "nik":
            conds.append(Case.nik == bindparam("nik"))
            conds.append(Case.no_kk == bindparam("no_kk"))
        elif kind == "wa":
            conds.append(Case.wa == bindparam("wa"))
        elif kind == "name":
            conds.append(_name_prefix(postgres))
    if conds:
        where.append(or_(*conds) if len(conds) > 1 else conds[0])
    if service:
        where.append(Case.service == bindparam("service"))
    if status == "open":  # few rows: an index on status finds them
        where.append(Case.status == bindparam("status"))
    elif status == "closed":  # most rows: walk received_at newest first and filter instead
        where.append(_not_indexed(Case.status) == bindparam("status"))
    if date_from:
        where.append(Case.received_at >= bindparam("date_from"))
    if date_to:
        where.append(Case.received_at < bindparam("date_to"))
    if after:
        rec: Any = bindparam("rec")
        where.append(Case.received_at <= rec)
        where.append(or_(Case.received_at < rec, Case.id < bindparam("last_id")))
    page = (
        select(Case.id)
        .where(*where)
        .order_by(Case.received_at.desc(), Case.id.desc())
        .limit(bindparam("limit"))
    )
    c = Case.__table__.alias("hit")
    return (
        select(*(c.c[name] for name in _SEARCH_COLUMNS))
        .where(c.c.id.in_(page))
        .order_by(c.c.received_at.desc(), c.c.id.desc())
    )


def _not_indexed(column: Any) -> Any:
    """``column || ''``: the same value, but the planner cannot pick an index on it (for a
    condition that matches most rows, where that index would mean sorting them all)."""
    return column.concat("")


def _name_prefix(postgres: bool) -> Any:
    """``name_key`` starts with the upper-cased text (spaces collapsed).

    PostgreSQL: ``LIKE 'X%'`` on the text_pattern_ops index (right under any collation). The
    pattern is written into the SQL as a literal (``literal_execute``), never sent as a
    parameter: psycopg prepares a statement on the server after its fifth run on a connection,
    and PostgreSQL may then keep one generic plan for every value, in which ``LIKE $1`` cannot
    use the index and the search walks the whole table (958 ms at a million requests). With
    the literal each prefix is planned for itself; the other shapes (equalities on indexed
    columns) keep their cached plans, which a global ``plan_cache_mode=force_custom_plan``
    would throw away (+2 ms on opening a request, measured).
    SQLite: the range ``name_key >= 'X' AND name_key < 'Y'`` (Y: X with its last character
    incremented), which is exactly the prefix under SQLite's binary collation and, unlike LIKE
    (case-insensitive there), can use the index.
    """
    if postgres:
        return Case.name_key.like(bindparam("name_like", literal_execute=True), escape="\\")
    return and_(Case.name_key >= bindparam("name_lo"), Case.name_key < bindparam("name_hi"))


def _successor(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix``."""
    for i in range(len(prefix) - 1, -1, -1):
        point = ord(prefix[i]) + 1
        if point <= 0x10FFFF:
            if 0xD800 <= point <= 0xDFFF:  # surrogates are not characters: skip past them
                point = 0xE000
            return prefix[:i] + chr(point)
    return prefix + "\U0010ffff"  # pragma: no cover - a prefix of U+10FFFF only


def _like_prefix(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return " ".join(escaped.split()) + "%"


@lru_cache(maxsize=1)
def _rows_by_ids_stmt() -> Any:
    columns = (Case.__table__.c[name] for name in _SEARCH_COLUMNS)
    return select(*columns).where(Case.id.in_(bindparam("ids", expanding=True)))


def search_rows_by_ids(
    session: Session, ids: Sequence[int], *, roles: Iterable[str] | None = None
) -> list[SearchRow]:
    """The search rows of these ids (in any order): a table model refetches the rows it evicted
    from its bounded cache with this, by primary key. A complaint's pelapor is hidden as in
    :func:`search` (unless ``roles`` hold a complaint role and the pelapor did not ask)."""
    if not ids:
        return []
    rows = _search_rows(select_rows(session, _rows_by_ids_stmt(), {"ids": list(ids)}))
    return _hide_pelapor(session, rows, roles)
