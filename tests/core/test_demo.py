"""Demo data: one user per role and realistic requests at every step of every service."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from sipelayanan.db import Database
from sipelayanan.demo import DEMO_USERS, load_demo
from sipelayanan.models import Case, CaseStatus, Delivery
from sipelayanan.services.audit import verify
from sipelayanan.services.collection import ready_for_collection
from sipelayanan.services.office import get_profile
from sipelayanan.services.users import list_users
from sipelayanan.sop import ROLES, services


def test_demo_covers_every_service_role_and_status(db: Database, actors: dict[str, Any]) -> None:
    now = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
    summary = load_demo(db, count=150, seed=7, now=now, actor=actors["admin"])
    assert summary.cases == 150
    with db.read() as s:
        users = list_users(s)
        per_service = dict(
            s.execute(select(Case.service, func.count(Case.id)).group_by(Case.service)).all()
        )
        statuses = {r[0] for r in s.execute(select(Case.status).distinct())}
        open_steps = set(
            s.execute(
                select(Case.service, Case.current_step).where(Case.status == CaseStatus.PROSES)
            ).all()
        )
        chain = verify(s)
        ready = ready_for_collection(s)
        profile = get_profile(s)
        uncollected = s.execute(
            select(func.count(Case.id)).where(
                Case.status == CaseStatus.SELESAI,
                Case.id.not_in(select(Delivery.case_id)),
                Case.service.in_([c for c, d in services().items() if d.hand_over_step]),
            )
        ).scalar_one()
    # some residents told their document is ready have not collected it yet
    assert ready and len(ready) == uncollected
    # every service has a WhatsApp number, so every receipt (the complaint's too) prints
    assert all(profile.wa_number(code) for code in services())
    assert {u.username for u in users} >= {u for u, _, _ in DEMO_USERS}
    assert set().union(*(u.roles for u in users)) == set(ROLES)
    assert set(per_service) == set(services())
    assert statuses >= {CaseStatus.PROSES, CaseStatus.SELESAI, CaseStatus.MENUNGGU_PEMOHON}
    # open requests wait at many different steps, so every inbox has work
    assert {step for _svc, step in open_steps} >= set(range(1, 8))
    assert len(open_steps) >= 15
    assert chain.ok
