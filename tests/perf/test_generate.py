"""The benchmark's office-history generator writes data the app accepts as its own: valid
identities, step histories timed with the office calendar, gapless register numbers, an audit
chain that verifies, and open requests the real services carry on — on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, text

from benchmarks.generate import WorkAxis, generate
from sipelayanan.calendar import WIB, WorkCalendar
from sipelayanan.db import Database
from sipelayanan.demo import DEMO_USER_FOR_ROLE
from sipelayanan.identity import normalize_nik, normalize_tracking_code, normalize_wa
from sipelayanan.models import (
    Case,
    CaseDocument,
    CaseStatus,
    CaseStep,
    Delivery,
    RegisterCounter,
    RegisterEntry,
)
from sipelayanan.reports.data import check_period, rekap_data
from sipelayanan.services import audit
from sipelayanan.services import cases as svc
from sipelayanan.services.office import work_calendar
from sipelayanan.services.queries import case_view, inbox, search
from sipelayanan.sop import services

END = datetime(2026, 11, 18, 3, 30, tzinfo=UTC)  # Wednesday 10:30 WIB: requests still open
ROLE_USER = DEMO_USER_FOR_ROLE  # who acts for each role


def test_work_axis_agrees_with_the_office_calendar() -> None:
    cal = WorkCalendar()
    first = datetime(2025, 12, 20, tzinfo=WIB)
    axis = WorkAxis(cal, first.date(), first.date() + timedelta(days=60))
    rng = random.Random(3)
    for _ in range(400):
        t = first + timedelta(minutes=rng.uniform(0, 40 * 24 * 60))
        minutes = rng.choice([rng.uniform(0.5, 600), 30.0, 450.0])
        w = axis.to_work(t.timestamp())
        expected = cal.add_working_minutes(cal.next_opening(t), minutes)
        assert abs(axis.from_work(w + minutes) - expected.timestamp()) < 1e-3, (t, minutes)
        assert abs(axis.from_work(axis.due(w)) - cal.due_time(t).timestamp()) < 1e-3, t
        u = t + timedelta(minutes=rng.uniform(0, 5000))
        assert abs((axis.to_work(u.timestamp()) - w) - cal.working_minutes(t, u)) < 1e-6


def test_generated_history_is_the_apps_own(db: Database, actors: Any) -> None:
    summary = generate(db, requests=1500, years=2, end=END, seed=11, audit_days=20)
    assert summary.requests == 1500 and summary.open > 0 and summary.complaints > 0
    with db.read() as s:
        cal = work_calendar(s)
        rows = s.execute(select(Case)).scalars().all()
        assert len(rows) == 1500
        codes = set()
        for c in rows:
            assert normalize_tracking_code(c.code) == c.code
            codes.add(c.code)
            if c.nik:
                assert normalize_nik(c.nik) == c.nik
            assert normalize_wa(c.wa) == c.wa
            assert c.name_key == c.pemohon_nama.upper()
            sdef = services()[c.service]
            if c.status == CaseStatus.PROSES:
                assert c.current_role == sdef.step(c.current_step).role
                assert c.finished_at is None
            else:
                assert c.current_role is None
            assert (c.finished_at is None) == (c.status in CaseStatus.OPEN)
            if c.status == CaseStatus.MENUNGGU_PEMOHON:
                assert c.paused_at is not None and c.missing_items
            if c.returned_count == 0:  # no waiting for the pemohon: due is 1 working day
                assert abs((c.due_at - cal.due_time(c.received_at)).total_seconds()) < 0.01
        assert len(codes) == 1500

        for st in s.execute(select(CaseStep).limit(3000)).scalars():
            assert st.ended_at >= st.started_at
            assert abs(cal.working_minutes(st.started_at, st.ended_at) - st.working_minutes) < 0.02

        # register numbers: 1..n without a gap per service and year, in assignment order,
        # and the counters the next request continues from
        per: dict[tuple[str, int], list[tuple[datetime, int]]] = defaultdict(list)
        for e in s.execute(select(RegisterEntry)).scalars():
            assert e.year == e.assigned_at.astimezone(WIB).year
            per[(e.service, e.year)].append((e.assigned_at, e.number))
        counters = {
            (r.service, r.year): r.last_number for r in s.execute(select(RegisterCounter)).scalars()
        }
        assert set(counters) == set(per)
        for key, entries in per.items():
            entries.sort()
            assert [n for _at, n in entries] == list(range(1, len(entries) + 1)), key
            assert counters[key] == len(entries)
        finished = s.execute(
            select(func.count()).where(Case.status == CaseStatus.SELESAI, Case.service == "KK")
        ).scalar_one()
        kk_delivered = s.execute(
            select(func.count())
            .select_from(Delivery)
            .join(Case, Case.id == Delivery.case_id)
            .where(Case.service == "KK")
        ).scalar_one()
        assert kk_delivered == finished
        assert s.execute(select(func.count(CaseDocument.id))).scalar_one() > 0

        assert audit.verify(s).ok
        assert audit.change_token(s) == s.execute(text("SELECT max(seq) FROM audit_log")).scalar()

        # the rekap's "open at the end of the period", split for speed into two indexed
        # queries, equals the plain definition on ten-year-like data (both halves occur)
        for month in (date(2025, 7, 1), date(2026, 10, 1), date(2026, 11, 1)):
            period = check_period(
                month, (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            )
            data = rekap_data(s, period, None)
            plain = dict(
                s.execute(
                    select(Case.service, func.count())
                    .where(
                        Case.received_at < period.end,
                        or_(Case.finished_at.is_(None), Case.finished_at >= period.end),
                    )
                    .group_by(Case.service)
                ).all()
            )
            assert sum(plain.values()) > 0
            assert {k: v.dalam_proses for k, v in data.per_service.items() if v.dalam_proses} == (
                plain
            )

    # the real services take over where the history stops
    with db.read() as s:
        open_case = s.execute(
            select(Case.code, Case.current_role, Case.version)
            .where(Case.status == CaseStatus.PROSES, Case.current_role.in_(list(ROLE_USER)))
            .order_by(Case.received_at.desc())
        ).first()
        assert open_case is not None
        waiting = inbox(s, [open_case.current_role], limit=500)
        assert open_case.code in {r.code for r in waiting}
        view = case_view(s, open_case.code, roles=[open_case.current_role])
        assert view.allowed["advance"] is True
        some = s.execute(select(Case.nik, Case.pemohon_nama).where(Case.nik.is_not(None))).first()
        assert some is not None
        assert some.pemohon_nama in {r.pemohon_nama for r in search(s, some.nik)}
    actor = actors[ROLE_USER[open_case.current_role]]
    kwargs: dict[str, str] = {}
    step = services()[view.service].step(view.current_step)
    if "nomor_dokumen" in step.records:
        kwargs["nomor_dokumen"] = "1808-0001"
    if "penyerahan" in step.records:
        kwargs["resi"] = "P26111800001"
    with db.write() as s:
        svc.advance(
            s,
            actor,
            open_case.code,
            expected_version=open_case.version,
            now=END + timedelta(minutes=30),
            **kwargs,
        )
    with db.read() as s:
        assert audit.verify(s).ok
        assert case_view(s, open_case.code).version == open_case.version + 1
