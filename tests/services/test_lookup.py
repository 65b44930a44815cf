"""The read unit (``Database.read()``) answers exactly as a service's write unit does, on both
engines: every inbox, search shape, keyset page, request view and the calendar — the windows
read through the one and the services through the other. Also: it sees other connections'
commits, the database refuses any change made through it, it survives errors and hands the
pool back connections a write can use; and on PostgreSQL a name-prefix search keeps using its
index however often it runs on one pooled connection (no generic plan)."""

# ruff: noqa: B023 - each lambda is called at once, inside its own loop iteration
from __future__ import annotations

import json
import re
import sqlite3
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text, update

from sipelayanan.calendar import OfficeHours
from sipelayanan.db import Database, ReadOnlyUnitError
from sipelayanan.demo import load_demo
from sipelayanan.errors import InputError, NotFound
from sipelayanan.models import Case, ChecklistItem, OfficeSetting
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
    load_demo(db, count=40, now=NOW, actor=actors["admin"])
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
    """``fn`` through a write unit (as a service calls it) and through the read unit."""
    with db.write() as session:
        through_write_unit = fn(session)
    with db.read() as session:
        through_read_unit = fn(session)
    return through_write_unit, through_read_unit


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
    ticked_seen = 0
    for code in codes:
        a, b = both(office_db, lambda s: case_view(s, code, roles=("kasi", "operator")))
        assert a == b
        kinds |= {h.action for h in b.history}
        with office_db.read() as s:  # the ticked items, asked of the table directly
            ticked = set(
                s.execute(
                    select(ChecklistItem.item_key).where(
                        ChecklistItem.case_id == b.id, ChecklistItem.present.is_(True)
                    )
                ).scalars()
            )
        assert {c.key for c in b.checklist if c.present} == ticked & {c.key for c in b.checklist}
        ticked_seen += len(ticked)
        assert all(utc(h.started_at) and utc(h.ended_at) for h in b.history)
    # the demo office covers the shapes a view can take
    assert {"selesai", "kembali", "kembali_pemohon"} <= kinds
    assert ticked_seen > 0
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
        with pytest.raises(error), office_db.write() as s:
            fn(s)
        with pytest.raises(error), office_db.read() as s:
            fn(s)
    with office_db.read() as s:  # the next unit is unaffected
        assert audit.change_token(s) > 0


def test_the_read_unit_sees_what_other_connections_commit(office_db: Database, db_url: str) -> None:
    other = Database(db_url)  # another PC
    try:
        with office_db.read() as s:
            before = audit.change_token(s)
        with other.write() as s:
            office.add_closure(s, date(2026, 12, 24), "Cuti bersama", actor=None)
        with office_db.read() as s:  # the same pooled connection
            assert audit.change_token(s) > before
            assert date(2026, 12, 24) in office.work_calendar(s).closures
    finally:
        other.dispose()


def test_the_database_refuses_changes_through_the_read_unit(office_db: Database) -> None:
    with office_db.read() as s:
        before = s.execute(select(Case.pemohon_nama).where(Case.id == 1)).scalar_one()
        settings = s.execute(select(OfficeSetting.key)).scalars().all()
    for stmt in (
        update(Case).where(Case.id == 1).values(pemohon_nama="X"),
        text("UPDATE cases SET pemohon_nama = 'X' WHERE id = 1"),
        text("DELETE FROM audit_log"),
        text("WITH gone AS (SELECT id FROM cases) DELETE FROM case_steps"),
    ):
        with pytest.raises(ReadOnlyUnitError), office_db.read() as s:
            s.execute(stmt)
    with pytest.raises(ReadOnlyUnitError), office_db.read() as s:  # an ORM flush too
        s.add(OfficeSetting(key="menyusup", value="1", updated_at=NOW))
    with office_db.read() as s:
        assert s.execute(select(Case.pemohon_nama).where(Case.id == 1)).scalar_one() == before
        assert s.execute(select(OfficeSetting.key)).scalars().all() == settings
        assert audit.verify(s).ok
    with office_db.write() as s:  # the pooled connection writes again for a write unit
        office.add_closure(s, date(2026, 12, 31), "Tutup buku", actor=None)
    with office_db.read() as s:
        assert date(2026, 12, 31) in office.work_calendar(s).closures


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
        through_write, through_read = both(db, lambda s: list(s.execute(stmt).scalars()))
        want = datetime(2026, 11, 24, 1, 40, 56, tzinfo=UTC)
        assert through_write == through_read
        assert through_read == [want.replace(microsecond=123456), want, want, want]
        assert all(utc(v) for v in through_write + through_read)
    finally:
        db.dispose()


def test_writes_after_reads_stay_all_or_nothing(office_db: Database, actors: Any) -> None:
    """The read unit makes its connection read-only (PostgreSQL READ ONLY transactions, SQLite
    query_only); the connection a write session gets back from the pool must be writable and
    transactional again, after a read that succeeded and after one that failed."""
    with office_db.read() as s:
        code = search(s, "", limit=1)[0].code
    with pytest.raises(NotFound), office_db.read() as s:
        case_view(s, "ABCDEFGH3")
    with office_db.read() as s:
        before = s.execute(select(Case.id)).scalars().all()
    with pytest.raises(RuntimeError), office_db.write() as s:
        dbapi = s.connection().connection.dbapi_connection
        assert dbapi is not None and not getattr(dbapi, "autocommit", False)
        if office_db.dialect == "sqlite":
            assert s.execute(text("PRAGMA query_only")).scalar() == 0
        else:
            assert s.execute(text("SHOW transaction_read_only")).scalar() == "off"
        svc.intake(
            s,
            actors["online"],
            svc.IntakeData(
                service="KTP_EL", nama="Setengah Jalan", nik="1808015708900003", wa="0812-3456-7890"
            ),
        )
        s.flush()
        raise RuntimeError("the PC fails before the commit")
    with office_db.read() as s:
        assert case_view(s, code).code == code
        assert s.execute(select(Case.id)).scalars().all() == before


def test_values_rendered_into_the_sql_are_bound_per_call(office_db: Database) -> None:
    """A parameter SQLAlchemy renders into the SQL text (literal_execute) and an IN list of
    each length, run again and again on one pooled connection: no cached statement may reuse
    the values of an earlier call."""
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
        got = both(
            office_db, lambda s: [tuple(r) for r in s.execute(stmt, {"low": low, "ids": ids})]
        )
        want = got[1]
        assert got[0] == want
        assert want == [(i, want[n][1]) for n, i in enumerate(x for x in sorted(ids) if x >= low)]


# --------------------------------------------------------------------------- PostgreSQL plans

FIRST = ("BUDI", "SITI", "AGUS", "DEWI", "RINA", "ANDI", "SRI", "EKO", "YUNI", "HENDRA", "WATI")
LAST = ("HARTONO", "LESTARI", "SAPUTRA", "WULANDARI", "SANTOSO", "PRATAMA", "HIDAYAT", "SARI")


def _many_requests(db: Database, actors: dict[str, Any], n: int) -> None:
    """``n`` finished requests with varied names over ten years, written by the server itself
    (copies of one real request), then ANALYZEd so the planner knows the table."""
    with db.write() as s:
        svc.intake(
            s,
            actors["online"],
            svc.IntakeData(
                service="KK", nama="Budi Hartono", nik="1808011203850001", wa="0811-7961-501"
            ),
            now=NOW,
        )
    first = "ARRAY[" + ",".join(f"'{x}'" for x in FIRST) + "]"
    last = "ARRAY[" + ",".join(f"'{x}'" for x in LAST) + "]"
    with db.write() as s:
        s.execute(
            text(
                "INSERT INTO cases (code, service, sop_snapshot_id, sop_version, pemohon_nama, "
                "name_key, wa, conditions, status, current_step, step_started_at, received_at, "
                "due_at, returned_count, created_by, version) "
                "SELECT 'T' || lpad(g::text, 9, '0'), c.service, c.sop_snapshot_id, "
                "c.sop_version, n.name, upper(n.name), c.wa, '', 'selesai', 1, t.at, t.at, "
                "t.at, 0, c.created_by, 1 "
                "FROM generate_series(1, :n) AS g "
                "CROSS JOIN (SELECT * FROM cases ORDER BY id LIMIT 1) AS c "
                f"CROSS JOIN LATERAL (SELECT initcap(({first})[1 + g % {len(FIRST)}] || ' ' || "
                f"({last})[1 + (g / {len(FIRST)}) % {len(LAST)}]) || ' ' || g AS name) AS n "
                "CROSS JOIN LATERAL (SELECT timestamptz '2016-11-01' + g * interval '80 minutes' "
                "AS at) AS t"
            ),
            {"n": n},
        )
    with db.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE cases")


def test_a_name_prefix_keeps_its_index_however_often_it_runs(
    db: Database, actors: dict[str, Any]
) -> None:
    """psycopg prepares a statement on the server after five runs on a connection; PostgreSQL
    may then switch to one generic plan for every value, in which ``name_key LIKE $1`` cannot
    use the prefix index (958 ms at a million requests). Five clerks type names a letter at a
    time, 60 searches on one pooled connection; then no statement prepared on that connection
    may hold the pattern as a parameter (the app writes it as a literal), and the very
    statement the app sends for a typed name, EXPLAINed on that connection, uses the index."""
    if db.dialect != "postgresql":
        pytest.skip("PostgreSQL plans prepared statements; SQLite plans each run")
    from sqlalchemy import event

    _many_requests(db, actors, 100_000)
    names = ("Budi Hartono 1", "Siti Lestari 3", "Agus Saputra 99", "Dewi Sari 7", "Rina H")
    # five clerks type a name each, a letter at a time, in turns: short prefixes come first
    typed = [n[:k] for k in range(1, 16) for n in names if k <= len(n)]
    typed += ["Budi Hartono 1"] * 6  # one name searched again and again: prepared as well
    pids = set()
    for text_typed in typed:  # 66 runs
        with db.read() as s:
            pids.add(s.execute(text("SELECT pg_backend_pid()")).scalar())
            found = search(s, text_typed, limit=200)
            assert found and all(
                r.pemohon_nama.upper().startswith(text_typed.upper().strip()) for r in found
            )
    assert len(pids) == 1  # one pooled connection throughout
    sent: list[tuple[str, Any]] = []

    def record(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _many: bool) -> None:
        if "FROM cases" in statement and "pg_prepared_statements" not in statement:
            sent.append((statement, params))

    # a name as a clerk types it in an office: rare among a hundred thousand. (The generated
    # names are 88 first/last pairs, ~1,100 rows each: for "Budi Hartono 12" the planner may
    # rightly prefer walking the newest rows, whichever way ANALYZE's sample fell.)
    with db.write() as s:
        rare = svc.IntakeData(
            service="KK", nama="Zaskia Purnamasari", nik="1808014506950002", wa="0811-7961-502"
        )
        svc.intake(s, actors["online"], rare, now=NOW)
    with db.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE cases")
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        with db.read() as s:
            search(s, "Zaskia Purnamasari", limit=200)
            prepared = (
                s.execute(
                    text(
                        "SELECT statement, generic_plans, custom_plans "
                        "FROM pg_prepared_statements WHERE statement LIKE '%name_key LIKE%'"
                    )
                )
                .mappings()
                .all()
            )
            assert sent, "the search sent no name statement"
            statement, params = sent[-1]
            plan = json.dumps(
                s.connection()
                .exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, params)
                .scalar()
            )
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert prepared, "no name search was prepared on the server"
    assert sum(p["generic_plans"] + p["custom_plans"] for p in prepared) > 0
    for p in prepared:  # the pattern is part of the statement, never a parameter
        assert re.search(r"name_key\)?(::\w+)? LIKE '", p["statement"]), p["statement"]
        assert not re.search(r"LIKE \$\d", p["statement"]), p["statement"]
    assert "ix_cases_name_key" in plan, plan
