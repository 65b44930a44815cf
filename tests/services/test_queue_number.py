"""Akta Kelahiran step 2 "memberikan nomor antrian" (issue 12.12): a step declared
``assigns_queue = true`` gives the request a daily queue number when it is finished, shown with
the request; on real SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sipelayanan.db import Database
from sipelayanan.services import cases as svc
from sipelayanan.services.queries import case_view
from sipelayanan.sop import services
from tests.reports.test_reports_data import ROLE_USER, intake

T0 = datetime(2026, 11, 17, 1, 0, tzinfo=UTC)  # Selasa 08.00 WIB


def _finish_step(db: Database, actors: dict[str, Any], code: str, at: datetime) -> None:
    with db.write() as s:
        case = svc.load_case(s, code)
        step = svc.definition_for(s, case).step(case.current_step)
        svc.advance(s, actors[ROLE_USER[step.role]], code, now=at)


def test_the_queue_step_is_declared_only_where_the_sop_says_so() -> None:
    declared = {(c, s.no) for c, d in services().items() for s in d.steps if s.assigns_queue}
    assert declared == {("AKTA_LAHIR", 2)}
    assert "nomor antrian" in services()["AKTA_LAHIR"].step(2).activity


def test_akta_step_two_gives_a_daily_queue_number(db: Database, actors: dict[str, Any]) -> None:
    sdef = services()["AKTA_LAHIR"]
    queue_step = next(s for s in sdef.steps if s.assigns_queue)
    codes = [intake(db, actors, "AKTA_LAHIR", T0 + timedelta(minutes=i)) for i in range(2)]
    for i, code in enumerate(codes):
        _finish_step(db, actors, code, T0 + timedelta(minutes=10 + i))  # step 1
        with db.read() as s:
            assert svc.load_case(s, code).current_step == queue_step.no
            assert case_view(s, code).queue_number is None  # not before the step is done
        _finish_step(db, actors, code, T0 + timedelta(minutes=20 + i))
    with db.read() as s:
        views = [case_view(s, c) for c in codes]
    assert [v.queue_number for v in views] == ["001", "002"]
    assert all(v.documents == () for v in views)  # not a SIAK document number
    # a new day starts again at 001
    late = intake(db, actors, "AKTA_LAHIR", T0 + timedelta(days=1))
    _finish_step(db, actors, late, T0 + timedelta(days=1, minutes=10))
    _finish_step(db, actors, late, T0 + timedelta(days=1, minutes=20))
    # back from the kasi to step 2 and on again: the request keeps its number
    first = codes[0]
    with db.write() as s:
        case = svc.load_case(s, first)
        kasi = sdef.step(case.current_step)
        assert queue_step.no in kasi.back_targets()
        svc.return_to_step(
            s,
            actors[ROLE_USER[kasi.role]],
            first,
            to_step=queue_step.no,
            reason="Berkas kurang jelas.",
            now=T0 + timedelta(minutes=40),
        )
    _finish_step(db, actors, first, T0 + timedelta(minutes=50))
    with db.read() as s:
        assert case_view(s, late).queue_number == "001"
        assert case_view(s, first).queue_number == "001"
        assert case_view(s, first).current_step == queue_step.no + 1


def test_other_services_get_no_queue_number(db: Database, actors: dict[str, Any]) -> None:
    code = intake(db, actors, "AKTA_MATI", T0)
    _finish_step(db, actors, code, T0 + timedelta(minutes=10))
    _finish_step(db, actors, code, T0 + timedelta(minutes=20))
    with db.read() as s:
        assert case_view(s, code).queue_number is None


def test_the_status_answer_tells_the_queue_number(
    db: Database, actors: dict[str, Any], db_url: str
) -> None:
    from sipelayanan.services.status import status_reply
    from sipelayanan.services.status_sqlite import answer_from_file, sqlite_file_of

    code = intake(db, actors, "AKTA_LAHIR", T0)
    _finish_step(db, actors, code, T0 + timedelta(minutes=10))
    at = T0 + timedelta(minutes=20)
    with db.read() as s:
        before = status_reply(s, f"STATUS {code}", now=at)
    assert "Nomor antrian" not in before
    _finish_step(db, actors, code, at)
    with db.read() as s:
        after = status_reply(s, f"STATUS {code}", now=at)
    assert "Nomor antrian: 001" in after
    path = sqlite_file_of(db_url)
    if path is not None:  # the CLI's fast path on SQLite says the same
        fast = answer_from_file(path, f"STATUS {code}", now=at)
        assert fast is not None and fast.text == after
