"""The light read path (``Database.lookup()``) answers exactly as an ORM session does, on both
engines: every inbox, search shape, keyset page, request view and the calendar — because a
prepared statement that bound one parameter wrongly would quietly show a clerk the wrong page.
Also: it sees other connections' commits, refuses anything but SELECT, and survives errors."""

# ruff: noqa: B023 - each lambda is called at once, inside its own loop iteration
from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text, update

from sipelayanan.calendar import OfficeHours
from sipelayanan.db import Database
from sipelayanan.demo import load_demo
from sipelayanan.errors import InputError, NotFound
from sipelayanan.lookup import Lookup
from sipelayanan.models import Case
from sipelayanan.services import audit, office
from sipelayanan.services import cases as svc
from sipelayanan.services.berkas import BerkasFile
from sipelayanan.services.queries import (
    SearchFilters,
    case_view,
    inbox,
    inbox_counts,
    search,
    search_rows_by_ids,
)
from sipelayanan.sop import ROLES

NOW = datetime(2026, 11, 17, 3, 0, tzinfo=UTC)  # Tuesday 10:00 WIB


def pdf_bytes() -> bytes:
    """A real one-page PDF (ReportLab)."""
    from io import BytesIO

    from reportlab.pdfgen import canvas

    buf = BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, "Formulir F-1.02")
    c.showPage()
    c.save()
    return buf.getvalue()


@pytest.fixture
def office_db(db: Database, actors: dict[str, Any]) -> Database:
    """A small office: demo requests in every state, one with berkas, one office closure."""
    load_demo(db, count=40, now=NOW)
    with db.write() as s:
        svc.intake(
            s,
            actors["online"],
            svc.IntakeData(
                service="KK",
                nama="Dewi Lestari",
                nik="1808015708900003",
                no_kk="1808011203100007",
                wa="0812-3456-7890",
                berkas=[BerkasFile("f102.pdf", pdf_bytes())],
            ),
            now=NOW,
        )
        office.add_closure(s, date(2026, 11, 20), "Rapat kerja", actor=None, now=NOW)
    return db


def both(db: Database, fn: Any) -> tuple[Any, Any]:
    with db.read() as session:
        through_session = fn(session)
    with db.lookup() as look:
        assert isinstance(look, Lookup)
        through_lookup = fn(look)
    return through_session, through_lookup


def utc(value: datetime) -> bool:
    return value.tzinfo is not None and value.utcoffset() == timedelta(0)


def test_inboxes_and_their_pages_are_the_same(office_db: Database) -> None:
    seen = 0
    for roles in [[r] for r in ROLES] + [["kasi", "kabid", "kadis"]]:
        for service in (None, "KK", "AKTA_LAHIR"):
            a, b = both(office_db, lambda s: inbox(s, roles, service=service, limit=3))
            assert a == b
            seen += len(a)
            while len(a) == 3:  # keyset pages: the (due_at, id) of the last row is bound
                after = (a[-1].due_at, a[-1].id)
                a, b = both(
                    office_db, lambda s: inbox(s, roles, service=service, limit=3, after=after)
                )
                assert a == b
                seen += len(a)
        counts = both(office_db, lambda s: inbox_counts(s, roles))
        assert counts[0] == counts[1]
    assert seen > 0
    rows = both(office_db, lambda s: inbox(s, ROLES, limit=500))[1]
    assert rows and all(utc(r.due_at) and utc(r.received_at) for r in rows)


def test_every_search_shape_and_page_is_the_same(office_db: Database) -> None:
    with office_db.read() as s:
        sample = s.execute(
            select(Case.code, Case.nik, Case.no_kk, Case.wa, Case.pemohon_nama).limit(6)
        ).all()
    texts = ["", "zz", "Dew", "dewi les", "1808011203100007"]
    for code, nik, no_kk, wa, nama in sample:
        texts += [code, f"{code[:4]}-{code[4:]}", f"https://wa.me/62?text=STATUS%20{code}"]
        texts += [nik or "", no_kk or "", "0" + wa[3:], nama.split()[0][:3]]
    filters = [
        None,
        SearchFilters(service="KK"),
        SearchFilters(status="proses"),
        SearchFilters(status="selesai"),
        SearchFilters(date_from=date(2026, 10, 20), date_to=date(2026, 11, 10)),
        SearchFilters(service="AKTA_LAHIR", status="selesai", date_from=date(2026, 10, 1)),
    ]
    found = 0
    for query in texts:
        for f in filters:
            a, b = both(office_db, lambda s: search(s, query, f, limit=4))
            assert a == b, (query, f)
            found += len(a)
            if len(a) == 4:
                after = (a[-1].received_at, a[-1].id)
                a, b = both(office_db, lambda s: search(s, query, f, limit=4, after=after))
                assert a == b, (query, f, "page 2")
    assert found > 100
    everything = both(office_db, lambda s: search(s, "", limit=1000))[1]
    ids = [r.id for r in everything]
    by_id = both(office_db, lambda s: search_rows_by_ids(s, ids[::3]))
    assert sorted(by_id[0]) == sorted(by_id[1]) == sorted(everything[::3])


def test_every_request_view_and_the_calendar_are_the_same(office_db: Database) -> None:
    with office_db.read() as s:
        codes = s.execute(select(Case.code)).scalars().all()
    kinds: set[str] = set()
    for code in codes:
        a, b = both(office_db, lambda s: case_view(s, code, roles=("kasi", "operator")))
        assert a == b
        kinds |= {h.action for h in b.history}
        assert all(utc(h.started_at) and utc(h.ended_at) for h in b.history)
    # the demo office covers the shapes a view can take
    assert {"selesai", "kembali", "kembali_pemohon"} <= kinds
    with_berkas = [
        v for v in (both(office_db, lambda s: case_view(s, c))[1] for c in codes) if v.attachments
    ]
    assert with_berkas and with_berkas[0].attachments[0].filename == "f102.pdf"
    calendars = both(office_db, office.work_calendar)
    assert calendars[1].closures == calendars[0].closures == {date(2026, 11, 20)}
    assert calendars[1].hours == calendars[0].hours == OfficeHours.default()
    tokens = both(office_db, audit.change_token)
    assert tokens[0] == tokens[1] > 0


def test_wrong_input_gives_the_same_errors(office_db: Database) -> None:
    for fn, error in (
        (lambda s: case_view(s, "ABCD-EFGH"), InputError),  # the check symbol is wrong
        (lambda s: case_view(s, "ABCDEFGH3"), NotFound),
    ):
        with pytest.raises(error), office_db.read() as s:
            fn(s)
        with pytest.raises(error), office_db.lookup() as look:
            fn(look)
    with office_db.lookup() as look:  # the next unit is unaffected
        assert audit.change_token(look) > 0


def test_a_lookup_sees_what_other_connections_commit(office_db: Database, db_url: str) -> None:
    other = Database(db_url)  # another PC
    try:
        with office_db.lookup() as look:
            before = audit.change_token(look)
        with other.write() as s:
            office.add_closure(s, date(2026, 12, 24), "Cuti bersama", actor=None)
        with office_db.lookup() as look:  # the same (held) connection on SQLite
            assert audit.change_token(look) > before
            assert date(2026, 12, 24) in office.work_calendar(look).closures
    finally:
        other.dispose()


def test_a_lookup_runs_select_only(office_db: Database) -> None:
    with office_db.read() as s:
        before = s.execute(select(Case.pemohon_nama).where(Case.id == 1)).scalar_one()
    for stmt in (
        update(Case).where(Case.id == 1).values(pemohon_nama="X"),
        text("UPDATE cases SET pemohon_nama = 'X' WHERE id = 1"),
        text("DELETE FROM audit_log"),
    ):
        with pytest.raises(TypeError, match="SELECT"), office_db.lookup() as look:
            look.rows(stmt)
    with office_db.read() as s:
        assert s.execute(select(Case.pemohon_nama).where(Case.id == 1)).scalar_one() == before
        assert audit.verify(s).ok


def test_sqlite_stored_timestamps_read_back_as_aware_utc(tmp_path: Any) -> None:
    """Whatever form a timestamp was stored in, both paths read the same aware UTC instant."""
    from sipelayanan.models import AuditEntry

    path = tmp_path / "ts.sqlite3"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    try:
        conn = sqlite3.connect(path)
        for seq, at in enumerate(
            (
                "2026-11-24 01:40:56.123456",  # what the app writes
                "2026-11-24 01:40:56",
                "2026-11-24T01:40:56",
                "2026-11-24 08:40:56+07:00",
            ),
            start=901,
        ):
            conn.execute(
                "INSERT INTO audit_log (seq, at, workstation, action, entity, detail, "
                "prev_hash, hash) VALUES (?, ?, 'w', 'a', 'e', '{}', 'p', 'h')",
                (seq, at),
            )
        conn.commit()
        conn.close()
        stmt = select(AuditEntry.at).where(AuditEntry.seq > 900).order_by(AuditEntry.seq)
        with db.read() as s:
            through_session = list(s.execute(stmt).scalars())
        with db.lookup() as look:
            through_lookup = [r[0] for r in look.rows(stmt)]
        want = datetime(2026, 11, 24, 1, 40, 56, tzinfo=UTC)
        assert through_session == through_lookup
        assert through_lookup == [want.replace(microsecond=123456), want, want, want]
        assert all(utc(v) for v in through_session + through_lookup)
    finally:
        db.dispose()


def test_writes_after_lookups_stay_all_or_nothing(office_db: Database, actors: Any) -> None:
    """A lookup may run its connection in autocommit (PostgreSQL); the connection a write
    session gets back from the pool must be transactional again, after a lookup that succeeded
    and after one that failed."""
    with office_db.lookup() as look:
        code = search(look, "", limit=1)[0].code
    with pytest.raises(NotFound), office_db.lookup() as look:
        case_view(look, "ABCDEFGH3")
    with office_db.read() as s:
        before = s.execute(select(Case.id)).scalars().all()
    with pytest.raises(RuntimeError), office_db.write() as s:
        dbapi = s.connection().connection.dbapi_connection
        assert dbapi is not None and not getattr(dbapi, "autocommit", False)
        svc.intake(
            s,
            actors["online"],
            svc.IntakeData(
                service="KTP_EL", nama="Setengah Jalan", nik="1808015708900003", wa="0812-3456-7890"
            ),
        )
        s.flush()
        raise RuntimeError("the PC fails before the commit")
    with office_db.lookup() as look:
        assert case_view(look, code).code == code
    with office_db.read() as s:
        assert s.execute(select(Case.id)).scalars().all() == before


def test_values_rendered_into_the_sql_are_bound_per_call(office_db: Database) -> None:
    """A parameter SQLAlchemy renders into the SQL text (literal_execute) and an IN list of
    each length: the prepared statement must not reuse the SQL of an earlier call."""
    from sqlalchemy import bindparam

    stmt = (
        select(Case.id, Case.received_at)
        .where(
            Case.id >= bindparam("low", literal_execute=True),
            Case.id.in_(bindparam("ids", expanding=True)),
        )
        .order_by(Case.id)
    )
    for low, ids in ((1, [1, 2, 3]), (2, [1, 2, 3]), (1, [3]), (3, [1, 2, 3, 4, 5]), (1, [])):
        with office_db.read() as s:
            want = [tuple(r) for r in s.execute(stmt, {"low": low, "ids": ids})]
        with office_db.lookup() as look:
            assert [tuple(r) for r in look.rows(stmt, {"low": low, "ids": ids})] == want
        assert want == [(i, want[n][1]) for n, i in enumerate(x for x in sorted(ids) if x >= low)]
