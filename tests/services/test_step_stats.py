"""The per-day figures the laporan kinerja reads (``step_day_stats``, ``finish_day_stats``) equal
a recomputation from the history, after a demo office worked through the real services (returns
to the pemohon, back moves, cancellations) and after a rebuild; on SQLite and PostgreSQL."""

from __future__ import annotations

from array import array
from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import select, text

from sipelayanan.calendar import WIB
from sipelayanan.db import Database
from sipelayanan.demo import load_demo
from sipelayanan.models import Case, CaseStatus, CaseStep, FinishDayStat, StepDayStat
from sipelayanan.reports.data import DONE_ACTIONS, STAFF_ACTIONS, VISIT_ACTIONS
from sipelayanan.services import step_stats
from sipelayanan.services.cases import Action
from sipelayanan.services.context import Actor

_Key = tuple[date, str, int, int]


def _stored(db: Database) -> dict[_Key, tuple[int, int, list[float]]]:
    with db.read() as s:
        out = {}
        for r in s.execute(select(StepDayStat)).scalars():
            values = array("d")
            step_stats.unpack_into(values, bytes(r.minutes))
            out[(r.day, r.service, r.sop_snapshot_id, r.step_no)] = (
                r.visits,
                r.done,
                sorted(values),
            )
        return out


def _recomputed(db: Database) -> dict[_Key, tuple[int, int, list[float]]]:
    """Every visit of ``case_steps``, counted the way the kinerja counted it before the table."""
    acc: dict[_Key, list[Any]] = defaultdict(lambda: [0, 0, []])
    with db.read() as s:
        rows = s.execute(
            select(
                CaseStep.ended_at,
                Case.service,
                Case.sop_snapshot_id,
                CaseStep.step_no,
                CaseStep.action,
                CaseStep.working_minutes,
            ).join(Case, Case.id == CaseStep.case_id)
        ).all()
    for ended_at, service, snap_id, step_no, action, minutes in rows:
        if action not in VISIT_ACTIONS:
            continue
        entry = acc[(ended_at.astimezone(WIB).date(), service, snap_id, step_no)]
        entry[0] += 1
        if action in DONE_ACTIONS:
            entry[1] += 1
            entry[2].append(minutes)
    return {k: (v[0], v[1], sorted(v[2])) for k, v in acc.items()}


def _stored_finishes(db: Database) -> dict[tuple[date, str], tuple[int, int, list[float]]]:
    with db.read() as s:
        out = {}
        for r in s.execute(select(FinishDayStat)).scalars():
            values = array("d")
            step_stats.unpack_into(values, bytes(r.minutes))
            out[(r.day, r.service)] = (r.finished, r.on_time, sorted(values))
        return out


def _recomputed_finishes(db: Database) -> dict[tuple[date, str], tuple[int, int, list[float]]]:
    """Every finished request with its staff minutes added up in history order, as the
    kinerja's exactness test adds them."""
    with db.read() as s:
        cases = {r.id: r for r in s.execute(select(Case.__table__))}
        steps = list(s.execute(select(CaseStep.__table__).order_by(CaseStep.id)))
    minutes_of: dict[int, float] = defaultdict(float)
    for st in steps:
        if st.action in STAFF_ACTIONS:
            minutes_of[st.case_id] += st.working_minutes
    acc: dict[tuple[date, str], list[Any]] = defaultdict(lambda: [0, 0, []])
    for c in cases.values():
        if c.status != CaseStatus.SELESAI:
            continue
        entry = acc[(c.finished_at.astimezone(WIB).date(), c.service)]
        entry[0] += 1
        entry[1] += c.finished_at <= c.due_at
        entry[2].append(minutes_of[c.id])
    return {k: (v[0], v[1], sorted(v[2])) for k, v in acc.items()}


def test_the_action_sets_are_the_reports_own() -> None:
    assert set(step_stats.VISIT_ACTIONS) == set(VISIT_ACTIONS)
    assert set(step_stats.DONE_ACTIONS) == set(DONE_ACTIONS)
    assert set(step_stats.STAFF_ACTIONS) == set(STAFF_ACTIONS)
    assert step_stats.SELESAI == CaseStatus.SELESAI


def test_figures_kept_by_every_action_equal_the_history_and_a_rebuild(db: Database) -> None:
    with db.read() as s:
        admin = s.execute(text("SELECT id FROM users WHERE username = 'admin'")).scalar()
    load_demo(db, count=150, actor=Actor(int(admin), "admin"))
    with db.read() as s:
        actions = set(s.execute(select(CaseStep.action).distinct()).scalars())
    # the office went through what moves a visit: completions, returns of both kinds, a cancel
    assert {Action.SELESAI, Action.KEMBALI, Action.KEMBALI_PEMOHON, Action.BATAL} <= actions

    kept = _stored(db)
    expected = _recomputed(db)
    assert kept == expected
    finishes = _recomputed_finishes(db)
    assert _stored_finishes(db) == finishes
    assert sum(v[0] for v in finishes.values()) > 0 and any(v[0] >= 2 for v in finishes.values())
    assert sum(v[0] - v[1] for v in kept.values()) > 0  # returned visits are counted
    assert any(done >= 2 for _visits, done, _m in kept.values())  # added up in one row
    assert len({k[0] for k in kept}) > 1  # several days

    with db.write() as s:  # a rebuild from the history gives the same rows
        s.execute(text("DELETE FROM step_day_stats"))
        s.execute(text("DELETE FROM finish_day_stats"))
        assert step_stats.rebuild(s.connection()) == (len(expected), len(finishes))
    assert _stored(db) == expected
    assert _stored_finishes(db) == finishes
