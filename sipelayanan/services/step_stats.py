"""Per-day step figures for the laporan kinerja (table ``step_day_stats``).

Every step visit that ends by completing its step or sending the request back adds itself to
the row of its WIB day, service, SOP version and step, in the same transaction that writes its
``case_steps`` row: one upsert whose additions the engine applies under the row's lock, so two
PCs finishing steps at once both count. A year's report then reads a few hundred rows per month
instead of every visit, and computes the very same medians from the very same values.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from itertools import islice
from typing import Any

from sqlalchemy import Connection, case, cast, delete, func, insert, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session, object_session
from sqlalchemy.types import LargeBinary

from ..calendar import WIB
from ..models import Case, CaseStep, FinishDayStat, StepDayStat
from .dialect import upsert_insert

#: Step-history actions that are a visit of a step in the kinerja (the values of
#: ``Action.SELESAI``, ``TUTUP``, ``KEMBALI`` and ``KEMBALI_PEMOHON``), and those that complete it.
VISIT_ACTIONS = ("selesai", "tutup", "kembali", "kembali_pemohon")
DONE_ACTIONS = ("selesai", "tutup")
#: Actions whose working minutes are staff time (a cancellation too; not the pemohon's resubmit).
STAFF_ACTIONS = (*VISIT_ACTIONS, "batal")
#: ``cases.status`` of a finished request.
SELESAI = "selesai"


def staff_minutes(dialect: str) -> Any:
    """A request's staff working minutes, summed by the engine over its history rows in the
    order they were written (as :func:`record_finish` adds them, to the last bit): SQLite sums
    a request's rows in the order of ``ix_case_steps_case_id``, PostgreSQL is told to."""
    staff = case((CaseStep.action.in_(STAFF_ACTIONS), CaseStep.working_minutes), else_=0.0)
    if dialect == "postgresql":
        return func.coalesce(func.sum(aggregate_order_by(staff, CaseStep.id)), 0.0)
    return func.coalesce(func.sum(staff), 0.0)


def pack(values: Iterable[float]) -> bytes:
    """Working minutes as stored: float64, little-endian."""
    packed = array("d", values)
    if sys.byteorder != "little":  # pragma: no cover - every PC the office runs is little-endian
        packed.byteswap()
    return packed.tobytes()


def unpack_into(target: array[float], blob: bytes) -> None:
    """Append the values of a stored ``minutes`` blob to ``target`` (an ``array("d")``)."""
    if sys.byteorder != "little":  # pragma: no cover
        extra = array("d")
        extra.frombytes(blob)
        extra.byteswap()
        target.extend(extra)
    else:
        target.frombytes(blob)


def wib_day(at: datetime) -> date:
    return at.astimezone(WIB).date()


def record_visit(
    session: Session,
    *,
    service: str,
    sop_snapshot_id: int,
    step_no: int,
    action: str,
    ended_at: datetime,
    minutes: float,
) -> None:
    """Count one step-history row written in this transaction (other actions are ignored)."""
    if action not in VISIT_ACTIONS:
        return
    done = action in DONE_ACTIONS
    table = StepDayStat.__table__
    values = {
        "day": wib_day(ended_at),
        "service": service,
        "sop_snapshot_id": sop_snapshot_id,
        "step_no": step_no,
        "visits": 1,
        "done": 1 if done else 0,
        "minutes": pack([minutes] if done else []),
    }
    stmt = upsert_insert(session, table).values(values)
    c = table.c
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[c.day, c.service, c.sop_snapshot_id, c.step_no],
            set_={
                "visits": c.visits + stmt.excluded.visits,
                "done": c.done + stmt.excluded.done,
                "minutes": _joined(session, c.minutes, stmt.excluded.minutes),
            },
        )
    )


def rebuild(connection: Connection, *, chunk: int = 50_000) -> tuple[int, int]:
    """Recompute both tables from ``case_steps`` and ``cases`` (migration 0004, the benchmark
    generator, a history written around the services); return how many rows each got."""
    return _rebuild_steps(connection, chunk), _rebuild_finishes(connection, chunk)


def _rebuild_steps(connection: Connection, chunk: int) -> int:
    connection.execute(delete(StepDayStat))
    # The WIB day in the engine (WIB is UTC+7 all year): parsing millions of timestamps in
    # Python would take longer than the whole rebuild.
    if connection.dialect.name == "postgresql":
        day_of = func.to_char(func.timezone("Asia/Jakarta", CaseStep.ended_at), "YYYY-MM-DD")
    else:
        day_of = func.date(CaseStep.ended_at, "+7 hours")
    visits = (
        select(
            day_of,
            Case.service,
            Case.sop_snapshot_id,
            CaseStep.step_no,
            CaseStep.action,
            CaseStep.working_minutes,
        )
        .join(Case, Case.id == CaseStep.case_id)
        .where(CaseStep.action.in_(VISIT_ACTIONS))
    )
    acc: dict[tuple[date, str, int, int], tuple[list[int], array[float]]] = {}
    days: dict[str, date] = {}
    # per statement: Connection.execution_options() would change the connection itself
    result = connection.execute(visits.execution_options(stream_results=True, yield_per=chunk))
    for part in result.partitions():
        for day_text, service, snap_id, step_no, action, minutes in part:
            day = days.get(day_text)
            if day is None:
                day = days[day_text] = date.fromisoformat(day_text)
            key = (day, service, snap_id, step_no)
            entry = acc.get(key)
            if entry is None:
                entry = acc[key] = ([0, 0], array("d"))
            entry[0][0] += 1
            if action in DONE_ACTIONS:
                entry[0][1] += 1
                entry[1].append(minutes)
    rows = (
        {
            "day": k[0],
            "service": k[1],
            "sop_snapshot_id": k[2],
            "step_no": k[3],
            "visits": n[0],
            "done": n[1],
            "minutes": pack(values),
        }
        for k, (n, values) in acc.items()
    )
    return _insert_all(connection, StepDayStat, rows, chunk)


def _insert_all(
    connection: Connection, model: Any, rows: Iterator[dict[str, Any]], chunk: int
) -> int:
    written = 0
    while batch := list(islice(rows, chunk)):
        connection.execute(insert(model), batch)
        written += len(batch)
    return written


def _rebuild_finishes(connection: Connection, chunk: int) -> int:
    connection.execute(delete(FinishDayStat))
    per_case = (
        select(Case.service, Case.finished_at, Case.due_at, staff_minutes(connection.dialect.name))
        .join(CaseStep, CaseStep.case_id == Case.id)
        .where(Case.status == SELESAI)
        .group_by(Case.id, Case.service, Case.finished_at, Case.due_at)
    )
    acc: dict[tuple[date, str], tuple[list[int], array[float]]] = {}
    result = connection.execute(per_case.execution_options(stream_results=True, yield_per=chunk))
    for part in result.partitions():
        for service, finished_at, due_at, minutes in part:
            key = (wib_day(finished_at), service)
            entry = acc.get(key)
            if entry is None:
                entry = acc[key] = ([0, 0], array("d"))
            entry[0][0] += 1
            entry[0][1] += 1 if finished_at <= due_at else 0
            entry[1].append(minutes)
    rows = (
        {
            "day": k[0],
            "service": k[1],
            "finished": n[0],
            "on_time": n[1],
            "minutes": pack(values),
        }
        for k, (n, values) in acc.items()
    )
    return _insert_all(connection, FinishDayStat, rows, chunk)


def record_finish(case: Case, at: datetime) -> None:
    """Count a request finished at ``at`` (``_finish``), in its transaction. Its staff minutes
    are added up here in history order (the order the engine sums them in), the visit that
    finished it included though not yet written; nothing is flushed, so the request's own row
    is still written once, with one version step."""
    session = object_session(case)
    assert session is not None
    with session.no_autoflush:
        written = session.execute(
            select(CaseStep.working_minutes)
            .where(CaseStep.case_id == case.id, CaseStep.action.in_(STAFF_ACTIONS))
            .order_by(CaseStep.id)
        ).scalars()
        minutes = 0.0
        for m in written:
            minutes += m
    pending = sorted(
        (o for o in session.new if isinstance(o, CaseStep) and o.case_id == case.id),
        key=lambda o: o.ended_at,
    )
    for step in pending:
        if step.action in STAFF_ACTIONS:
            minutes += step.working_minutes
    table = FinishDayStat.__table__
    stmt = upsert_insert(session, table).values(
        day=wib_day(at),
        service=case.service,
        finished=1,
        on_time=1 if at <= case.due_at else 0,
        minutes=pack([minutes]),
    )
    c = table.c
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[c.day, c.service],
            set_={
                "finished": c.finished + stmt.excluded.finished,
                "on_time": c.on_time + stmt.excluded.on_time,
                "minutes": _joined(session, c.minutes, stmt.excluded.minutes),
            },
        )
    )


def _joined(session: Session, stored: Any, added: Any) -> Any:
    """``stored || added`` for blobs; SQLite's || yields text, cast back (bytes unchanged)."""
    joined: Any = stored.concat(added)
    if session.get_bind().dialect.name != "postgresql":
        joined = cast(joined, LargeBinary())
    return joined


def stats_rows(
    session: Session, first: date, last: date, codes: Iterable[str]
) -> list[tuple[str, int, int, int, int, bytes]]:
    """(service, SOP snapshot, step, visits, completed, minutes blob) of the days first..last."""
    t = StepDayStat
    return [
        (str(r[0]), int(r[1]), int(r[2]), int(r[3]), int(r[4]), bytes(r[5]))
        for r in session.execute(
            select(t.service, t.sop_snapshot_id, t.step_no, t.visits, t.done, t.minutes).where(
                t.day >= first, t.day <= last, t.service.in_(list(codes))
            )
        )
    ]


def finish_rows(
    session: Session, first: date, last: date, codes: Iterable[str]
) -> list[tuple[str, int, int, bytes]]:
    """(service, finished, on time, minutes blob) of the days first..last."""
    t = FinishDayStat
    return [
        (str(r[0]), int(r[1]), int(r[2]), bytes(r[3]))
        for r in session.execute(
            select(t.service, t.finished, t.on_time, t.minutes).where(
                t.day >= first, t.day <= last, t.service.in_(list(codes))
            )
        )
    ]
