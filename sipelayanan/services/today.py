"""The office at a glance ("Hari ini", issue 12.10): today's requests received, finished, due and
overdue per service and per step; who holds the overdue work; the requests waiting for the
pemohon and for how many days; the documents ready to be collected.

One read function, :func:`today_figures`, returns one typed result. "Today" is the office's day
in WIB; a request is overdue while it is being worked on (status ``proses``) past its due time —
a request waiting for the pemohon has its clock stopped and is listed with the days it waited
instead. Steps and services are named from the SOP definitions, never from literals here.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from ..calendar import WIB
from ..case_status import CaseStatus
from ..models import Case, CaseStep, User, UserRole
from ..sop import ROLES, services
from .reading import connection
from .step_stats import DONE_ACTIONS

#: The waiting-for-the-pemohon list shows at most this many requests, longest waiting first.
WAITING_LIMIT = 200


@dataclass(frozen=True)
class ServiceFigures:
    """One service today (``service`` is None for the office's total)."""

    service: str | None
    name: str
    received: int  # received today
    finished: int  # finished today
    due_today: int  # being worked on, due today (including those already past due)
    overdue: int  # being worked on, past their due time now
    in_process: int  # being worked on now
    waiting_pemohon: int  # returned to the pemohon, clock stopped


@dataclass(frozen=True)
class StepFigures:
    """One step of one service now: how many wait there, how many are due today or overdue,
    and how many visits of it were completed today."""

    service: str
    service_name: str
    step_no: int
    activity: str
    role: str
    role_label: str
    waiting: int
    due_today: int
    overdue: int
    done_today: int


@dataclass(frozen=True)
class OverdueHolder:
    """A role holding overdue requests, with the active staff who hold that role."""

    role: str
    role_label: str
    people: tuple[str, ...]  # full names of the active users with the role
    overdue: int
    oldest_due: datetime


@dataclass(frozen=True)
class WaitingRow:
    """A request returned to the pemohon for missing berkas."""

    code: str
    service: str
    service_name: str
    pemohon_nama: str
    since: datetime
    days: int  # calendar days waited so far (0: returned today)
    missing: tuple[str, ...]


@dataclass(frozen=True)
class ReadyFigures:
    """The "Siap diambil" list (``services.collection``) as this page shows it."""

    total: int
    rows: tuple[Any, ...]  # collection.ReadyRow, longest waiting first


@dataclass(frozen=True)
class TodayFigures:
    day: date
    now: datetime
    total: ServiceFigures
    services: tuple[ServiceFigures, ...]
    steps: tuple[StepFigures, ...]
    holders: tuple[OverdueHolder, ...]
    waiting: tuple[WaitingRow, ...]
    waiting_total: int
    #: None while the "Siap diambil" list is not part of this build
    ready: ReadyFigures | None


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The start and end (exclusive) of a WIB day, in UTC."""
    start = datetime.combine(day, time(0, 0), tzinfo=WIB).astimezone(UTC)
    return start, start + timedelta(days=1)


def _service_order(codes: Iterable[str]) -> list[str]:
    known = [c for c in services() if c in set(codes)]  # the SOP folder's order
    return known + sorted(set(codes) - set(known))


def _service_name(service: str) -> str:
    sdef = services().get(service)
    return sdef.short_name if sdef is not None else service


def _step_label(service: str, step_no: int) -> tuple[str, str]:
    """(activity, role) of a step by the current definition, ("", "") when it has none."""
    sdef = services().get(service)
    if sdef is None:
        return "", ""
    try:
        step = sdef.step(step_no)
    except KeyError:
        return "", ""
    return step.activity, step.role


def _role_label(role: str) -> str:
    return ROLES.get(role, role)


def today_figures(session: Session, *, now: datetime | None = None) -> TodayFigures:
    """The figures of the WIB day of ``now`` (default: the current time)."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    day = now.astimezone(WIB).date()
    start, end = day_bounds(day)
    conn = connection(session)

    def when(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    # -- per service: one pass over the open requests, one over today's received/finished
    open_rows = conn.execute(
        select(
            Case.service,
            Case.current_step,
            Case.current_role,
            Case.status,
            func.count().label("n"),
            when(and_(Case.due_at >= start, Case.due_at < end)).label("due_today"),
            when(Case.due_at < now).label("overdue"),
            func.min(Case.due_at).label("oldest_due"),
        )
        .where(Case.status.in_(CaseStatus.OPEN))
        .group_by(Case.service, Case.current_step, Case.current_role, Case.status)
    ).all()
    received = dict(
        conn.execute(
            select(Case.service, func.count())
            .where(Case.received_at >= start, Case.received_at < end)
            .group_by(Case.service)
        ).all()
    )
    finished = dict(
        conn.execute(
            select(Case.service, func.count())
            .where(
                Case.status == CaseStatus.SELESAI,
                Case.finished_at >= start,
                Case.finished_at < end,
            )
            .group_by(Case.service)
        ).all()
    )
    done_rows = conn.execute(
        select(Case.service, CaseStep.step_no, func.count())
        .join(Case, Case.id == CaseStep.case_id)
        .where(
            CaseStep.action.in_(DONE_ACTIONS),
            CaseStep.ended_at >= start,
            CaseStep.ended_at < end,
        )
        .group_by(Case.service, CaseStep.step_no)
    ).all()

    per_service: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    per_step: dict[tuple[str, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    per_role: dict[str, list[Any]] = {}
    for service, step_no, role, status, n, due_today, overdue, oldest in open_rows:
        figures = per_service[service]
        if status == CaseStatus.PROSES:
            figures["in_process"] += int(n)
            figures["due_today"] += int(due_today)
            figures["overdue"] += int(overdue)
            step = per_step[(service, int(step_no))]
            step["waiting"] += int(n)
            step["due_today"] += int(due_today)
            step["overdue"] += int(overdue)
            if int(overdue) and role:
                held = per_role.setdefault(role, [0, oldest])
                held[0] += int(overdue)
                held[1] = min(held[1], oldest)
        else:
            figures["waiting_pemohon"] += int(n)
    for service, step_no, n in done_rows:
        per_step[(service, int(step_no))]["done_today"] += int(n)

    codes = _service_order(set(per_service) | set(received) | set(finished))
    service_rows = tuple(
        ServiceFigures(
            service=code,
            name=_service_name(code),
            received=int(received.get(code, 0)),
            finished=int(finished.get(code, 0)),
            due_today=per_service[code]["due_today"],
            overdue=per_service[code]["overdue"],
            in_process=per_service[code]["in_process"],
            waiting_pemohon=per_service[code]["waiting_pemohon"],
        )
        for code in codes
    )
    total = ServiceFigures(
        service=None,
        name="Semua layanan",
        received=sum(r.received for r in service_rows),
        finished=sum(r.finished for r in service_rows),
        due_today=sum(r.due_today for r in service_rows),
        overdue=sum(r.overdue for r in service_rows),
        in_process=sum(r.in_process for r in service_rows),
        waiting_pemohon=sum(r.waiting_pemohon for r in service_rows),
    )

    order = {code: i for i, code in enumerate(codes)}
    step_rows = []
    for (service, step_no), f in sorted(
        per_step.items(), key=lambda kv: (order.get(kv[0][0], len(order)), kv[0][1])
    ):
        activity, role = _step_label(service, step_no)
        step_rows.append(
            StepFigures(
                service=service,
                service_name=_service_name(service),
                step_no=step_no,
                activity=activity,
                role=role,
                role_label=_role_label(role) if role else "",
                waiting=f["waiting"],
                due_today=f["due_today"],
                overdue=f["overdue"],
                done_today=f["done_today"],
            )
        )

    people: dict[str, list[str]] = defaultdict(list)
    if per_role:
        for role, name in conn.execute(
            select(UserRole.role, User.full_name)
            .join(User, User.id == UserRole.user_id)
            .where(User.active.is_(True), UserRole.role.in_(list(per_role)))
            .order_by(User.full_name)
        ).all():
            people[role].append(str(name))
    holders = tuple(
        sorted(
            (
                OverdueHolder(role, _role_label(role), tuple(people[role]), held[0], held[1])
                for role, held in per_role.items()
            ),
            key=lambda h: (-h.overdue, h.oldest_due),
        )
    )

    waiting_rows = conn.execute(
        select(
            Case.code,
            Case.service,
            Case.pemohon_nama,
            Case.paused_at,
            Case.step_started_at,
            Case.missing_items,
        )
        .where(Case.status == CaseStatus.MENUNGGU_PEMOHON)
        .order_by(func.coalesce(Case.paused_at, Case.step_started_at), Case.id)
        .limit(WAITING_LIMIT)
    ).all()
    waiting = tuple(
        WaitingRow(
            code=str(code),
            service=str(service),
            service_name=_service_name(str(service)),
            pemohon_nama=str(nama),
            since=(paused or started),
            days=max(0, (day - (paused or started).astimezone(WIB).date()).days),
            missing=_missing(missing),
        )
        for code, service, nama, paused, started, missing in waiting_rows
    )
    return TodayFigures(
        day=day,
        now=now,
        total=total,
        services=service_rows,
        steps=tuple(step_rows),
        holders=holders,
        waiting=waiting,
        waiting_total=total.waiting_pemohon,
        ready=_ready(session),
    )


def _missing(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    try:
        items = json.loads(value)
    except ValueError:
        return ()
    return tuple(str(i) for i in items) if isinstance(items, list) else ()


def _ready(session: Session) -> ReadyFigures | None:
    """The "Siap diambil" list, when this build has it (``services.collection``)."""
    try:
        from . import collection
    except ImportError:
        return None
    rows = collection.ready_for_collection(session, limit=100)
    return ReadyFigures(total=collection.count_ready(session), rows=tuple(rows))
