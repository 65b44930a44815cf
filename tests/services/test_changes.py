"""What changed, read back from the audit log: the requests a write moved, whether queues,
users or office settings changed — and nothing at all for entries that change no state (a
tanda terima printed, a report made, a record that staff viewed a request)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sipelayanan import reports
from sipelayanan.db import Database
from sipelayanan.services import cases as svc
from sipelayanan.services.audit import change_token
from sipelayanan.services.changes import (
    EVERYTHING,
    MAX_ENTRIES,
    NOTHING,
    Changes,
    changes_of,
    changes_since,
)
from sipelayanan.services.users import authenticate

NIK = "1808015708900003"


def _intake(db: Database, actors: dict[str, Any], nama: str) -> str:
    data = svc.IntakeData(service="KK", nama=nama, nik=NIK, wa="0812-3456-7890")
    with db.write() as s:
        return svc.intake(s, actors["online"], data).code


def _head(db: Database) -> int:
    with db.read() as s:
        return change_token(s)


def _since(db: Database, after: int | None) -> tuple[int, Changes]:
    with db.read() as s:
        return changes_since(s, after)


def test_a_move_names_its_request_and_a_print_names_nothing(
    db: Database, actors: dict[str, Any]
) -> None:
    code = _intake(db, actors, "Budi Hartono")
    other = _intake(db, actors, "Siti Aminah")
    start = _head(db)
    assert _since(db, start) == (start, NOTHING)
    assert _since(db, None) == (start, NOTHING)  # a first check only learns the position

    with db.write() as s:
        svc.advance(s, actors["online"], code)
        moved_at = change_token(s)
    head, changes = _since(db, start)
    assert head == moved_at and changes
    assert changes.queues and dict(changes.cases) == {code: moved_at}
    assert not (changes.users or changes.office or changes.everything)
    assert changes.case_changed_after(code, start)
    assert not changes.case_changed_after(code, moved_at)  # a window showing that state
    assert not changes.case_changed_after(other, 0)

    # documents and reads change no state: the log grows, nothing is reported
    with db.write() as s:
        reports.receipt(s, code, "pdf", actor=actors["online"])
        today = date.today()
        reports.report(s, "rekap", today.replace(day=1), today, actor=actors["kasi"])
    later, quiet = _since(db, head)
    assert later == head + 2 and not quiet and quiet == NOTHING

    # a view of personal data and a WhatsApp notice marked sent change no window either
    from sipelayanan.services import outbox
    from sipelayanan.services.access import view_case

    with db.write() as s:
        view_case(s, actors["kasi"], code, channel="cli")
        marked = outbox.mark_sent_for_case(s, actors["online"], code, "berkas_diterima")
        assert marked, "the intake queued a 'berkas diterima' notice to mark"
    after_views, quiet = _since(db, later)
    assert after_views > later and quiet == NOTHING
    later = after_views

    # a login concerns the user list only
    with db.write() as s:
        authenticate(s, "kasi", "rahasia123")
    _, login = _since(db, later)
    assert login.users and not (login.queues or login.cases or login.everything)


def test_unknown_kinds_gaps_and_long_absences_say_everything(
    db: Database, actors: dict[str, Any]
) -> None:
    assert changes_of([(5, "something.new", "thing", "1")]) == EVERYTHING
    assert changes_of([(6, "office.hours", "office", "hours")]).office
    merged = changes_of([(7, "case.advance", "case", "A")]) | changes_of(
        [(9, "case.advance", "case", "A"), (8, "user.create", "user", "3")]
    )
    assert dict(merged.cases) == {"A": 9} and merged.users and merged.queues

    _intake(db, actors, "Budi Hartono")
    head = _head(db)
    assert _since(db, head + 3) == (head, EVERYTHING)  # the log went back: a restore
    assert _since(db, head - MAX_ENTRIES - 1) == (head, EVERYTHING)  # too much to read
    assert _since(db, head - 1)[1] != EVERYTHING
