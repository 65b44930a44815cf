"""A case keeps the SOP it started under: editing a definition never rewrites history."""

from __future__ import annotations

from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

import pytest
from sqlalchemy import func, select

from sipelayanan.db import Database
from sipelayanan.models import SopSnapshot
from sipelayanan.services import cases as svc
from sipelayanan.services.queries import case_view
from sipelayanan.sop import ServiceDef, services

T0 = datetime(2026, 11, 17, 1, 0, tzinfo=UTC)


def _edited_kk() -> ServiceDef:
    data = services()["KK"].to_dict()
    data["version"] = "2027.1"
    data["steps"][1]["minutes"] = 20  # the office lengthens the typing step
    return ServiceDef.from_dict(data)


def _intake(db: Database, actors: dict[str, Any]) -> str:
    data = svc.IntakeData(service="KK", nama="Ani", nik="1808015708900003", wa="081234567890")
    with db.write() as s:
        return svc.intake(s, actors["online"], data, now=T0).code


def test_edited_sop_applies_to_new_cases_only(
    db: Database, actors: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    old_code = _intake(db, actors)
    edited = dict(services())
    edited["KK"] = _edited_kk()
    monkeypatch.setattr(svc, "services", lambda: MappingProxyType(edited))
    new_code = _intake(db, actors)
    with db.read() as s:
        old, new = case_view(s, old_code), case_view(s, new_code)
        snapshots = s.execute(select(func.count(SopSnapshot.id))).scalar_one()
    assert (old.sop_version, old.steps[1].minutes) == ("2022.1", 10)
    assert (new.sop_version, new.steps[1].minutes) == ("2027.1", 20)
    assert snapshots == 2
    # the old case still moves by its own definition
    with db.write() as s:
        svc.advance(s, actors["online"], old_code, now=T0)
    with db.read() as s:
        assert case_view(s, old_code).history[0].standard_minutes == 5


def test_same_definition_shares_one_snapshot(db: Database, actors: dict[str, Any]) -> None:
    _intake(db, actors)
    _intake(db, actors)
    with db.read() as s:
        assert s.execute(select(func.count(SopSnapshot.id))).scalar_one() == 1
