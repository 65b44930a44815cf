"""Hari ini (services/today.py): every figure equals an independent SQL query written here
against the tables, on SQLite and PostgreSQL, over the demo data of a working morning."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from sipelayanan.calendar import WIB
from sipelayanan.db import Database
from sipelayanan.demo import DEMO_USER_FOR_ROLE, load_demo
from sipelayanan.services import cases as svc
from sipelayanan.services.today import day_bounds, today_figures

NOW = datetime(2026, 11, 25, 4, 30, tzinfo=UTC)  # Wednesday 11:30 WIB
NIK = "1808015708900003"


def _bind(db: Database, t: datetime) -> Any:
    """A timestamp as the engine stores it (SQLite: naive UTC text)."""
    if db.engine.dialect.name == "sqlite":
        return t.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    return t


def _pairs(db: Database, sql: str, **params: datetime) -> Counter[Any]:
    with db.engine.connect() as conn:
        rows = conn.execute(text(sql), {k: _bind(db, v) for k, v in params.items()}).all()
    return Counter({tuple(r[:-1]) if len(r) > 2 else r[0]: int(r[-1]) for r in rows})


@pytest.fixture
def demo_db(db: Database, actors: dict[str, Any]) -> Database:
    load_demo(db, count=100, seed=7, now=NOW, actor=actors["admin"])
    for n, service in enumerate(("KK", "KIA", "KK")):  # received this morning
        data = svc.IntakeData(
            service=service, nama=f"Pagi {n}", nik=NIK, wa="0812-3456-7890", kecamatan="18.08.01"
        )
        with db.write() as s:
            code = svc.intake(
                s, actors["online"], data, now=NOW - timedelta(hours=2, minutes=n)
            ).code
        with db.write() as s:  # and its step finished this morning (a step done today)
            case = svc.load_case(s, code)
            role = svc.definition_for(s, case).step(case.current_step).role
            who = DEMO_USER_FOR_ROLE[role]
            svc.advance(s, actors[who], code, now=NOW - timedelta(hours=1, minutes=n))
    return db


def test_figures_equal_independent_queries(demo_db: Database) -> None:
    db = demo_db
    with db.read() as s:
        fig = today_figures(s, now=NOW)
    start, end = day_bounds(NOW.date())
    assert fig.day == NOW.date() and start == datetime(2026, 11, 24, 17, 0, tzinfo=UTC)
    assert end - start == timedelta(days=1)

    received = _pairs(
        db,
        "SELECT service, COUNT(*) FROM cases WHERE received_at >= :a AND received_at < :b "
        "GROUP BY service",
        a=start,
        b=end,
    )
    finished = _pairs(
        db,
        "SELECT service, COUNT(*) FROM cases WHERE status = 'selesai' AND finished_at >= :a "
        "AND finished_at < :b GROUP BY service",
        a=start,
        b=end,
    )
    due = _pairs(
        db,
        "SELECT service, COUNT(*) FROM cases WHERE status = 'proses' AND due_at >= :a "
        "AND due_at < :b GROUP BY service",
        a=start,
        b=end,
    )
    overdue = _pairs(
        db,
        "SELECT service, COUNT(*) FROM cases WHERE status = 'proses' AND due_at < :now "
        "GROUP BY service",
        now=NOW,
    )
    waiting = _pairs(
        db,
        "SELECT service, COUNT(*) FROM cases WHERE status = 'menunggu_pemohon' GROUP BY service",
    )
    got = {f.service: f for f in fig.services}
    assert {k: v.received for k, v in got.items() if v.received} == dict(received)
    assert {k: v.finished for k, v in got.items() if v.finished} == dict(finished)
    assert {k: v.due_today for k, v in got.items() if v.due_today} == dict(due)
    assert {k: v.overdue for k, v in got.items() if v.overdue} == dict(overdue)
    assert {k: v.waiting_pemohon for k, v in got.items() if v.waiting_pemohon} == dict(waiting)
    assert fig.total.received == sum(received.values()) > 0
    assert fig.total.overdue == sum(overdue.values()) > 0
    assert fig.total.due_today == sum(due.values())
    assert fig.total.finished == sum(finished.values())

    # per step
    step_waiting = _pairs(
        db,
        "SELECT service, current_step, COUNT(*) FROM cases WHERE status = 'proses' "
        "GROUP BY service, current_step",
    )
    step_overdue = _pairs(
        db,
        "SELECT service, current_step, COUNT(*) FROM cases WHERE status = 'proses' "
        "AND due_at < :now GROUP BY service, current_step",
        now=NOW,
    )
    step_due = _pairs(
        db,
        "SELECT service, current_step, COUNT(*) FROM cases WHERE status = 'proses' "
        "AND due_at >= :a AND due_at < :b GROUP BY service, current_step",
        a=start,
        b=end,
    )
    step_done = _pairs(
        db,
        "SELECT c.service, s.step_no, COUNT(*) FROM case_steps s JOIN cases c "
        "ON c.id = s.case_id WHERE s.action IN ('selesai', 'tutup') AND s.ended_at >= :a "
        "AND s.ended_at < :b GROUP BY c.service, s.step_no",
        a=start,
        b=end,
    )
    steps = {(f.service, f.step_no): f for f in fig.steps}
    assert {k: v.waiting for k, v in steps.items() if v.waiting} == dict(step_waiting)
    assert {k: v.overdue for k, v in steps.items() if v.overdue} == dict(step_overdue)
    assert {k: v.due_today for k, v in steps.items() if v.due_today} == dict(step_due)
    assert {k: v.done_today for k, v in steps.items() if v.done_today} == dict(step_done)
    assert sum(step_done.values()) > 0
    assert all(f.activity and f.role_label for f in fig.steps if f.waiting)

    # who holds the overdue work: per role, with the active staff of that role
    by_role = _pairs(
        db,
        "SELECT \"current_role\", COUNT(*) FROM cases WHERE status = 'proses' "
        "AND due_at < :now "
        'GROUP BY "current_role"',
        now=NOW,
    )
    assert {h.role: h.overdue for h in fig.holders} == dict(by_role)
    assert [h.overdue for h in fig.holders] == sorted(
        (h.overdue for h in fig.holders), reverse=True
    )
    with db.engine.connect() as conn:
        staff = {
            (r, n)
            for r, n in conn.execute(
                text(
                    "SELECT ur.role, u.full_name FROM user_roles ur JOIN users u "
                    "ON u.id = ur.user_id WHERE u.active"
                )
            ).all()
        }
    for holder in fig.holders:
        assert holder.people and all((holder.role, p) in staff for p in holder.people)

    # waiting for the pemohon: every one, with the days waited
    with db.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT code, paused_at FROM cases WHERE status = 'menunggu_pemohon'")
        ).all()
    assert sorted(w.code for w in fig.waiting) == sorted(r[0] for r in rows)
    assert fig.waiting_total == len(rows) > 0
    for w in fig.waiting:
        assert w.days == (NOW.astimezone(WIB).date() - w.since.astimezone(WIB).date()).days
        assert w.missing
    assert [w.since for w in fig.waiting] == sorted(w.since for w in fig.waiting)

    # the "Siap diambil" list is the collection service's own
    try:
        from sipelayanan.services import collection
    except ImportError:  # not part of this build yet: the page says so
        assert fig.ready is None
        return
    with db.read() as s:
        expected = collection.ready_for_collection(s, limit=100)
        total = collection.count_ready(s)
    assert fig.ready is not None
    assert fig.ready.total == total > 0  # the demo leaves documents waiting to be collected
    assert [r.code for r in fig.ready.rows] == [r.code for r in expected]
