"""Search and inbox at scale: exact name-prefix matching, NIK that is a No. KK, keyset paging
that visits every row once (ties included), the status filters, and query plans that use the
indexes the million-request benchmark relies on — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, text

from sipelayanan.db import Database
from sipelayanan.models import CaseStatus
from sipelayanan.services import cases as svc
from sipelayanan.services.queries import (
    SearchFilters,
    _successor,
    case_view,
    case_view_by_id,
    inbox,
    search,
)

T0 = datetime(2026, 11, 17, 1, 0, tzinfo=UTC)  # Tuesday 08:00 WIB
NIK = "1808015708900003"
KK = "1808011203100007"


def _intake(db: Database, actor: Any, nama: str, *, at: datetime = T0, **kw: Any) -> str:
    data = svc.IntakeData(
        service="KTP_EL",
        nama=nama,
        nik=kw.pop("nik", NIK),
        wa=kw.pop("wa", "0812-3456-7890"),
        **kw,
    )
    with db.write() as s:
        return svc.intake(s, actor, data, now=at).code


def _names(db: Database, query: str, **kw: Any) -> list[str]:
    with db.read() as s:
        return [r.pemohon_nama for r in search(s, query, **kw)]


def test_successor_bounds_exactly_the_strings_with_the_prefix() -> None:
    assert _successor("SITI") == "SITJ"
    assert _successor("A ") == "A!"
    assert _successor("X\ud7ff") == "X\ue000"  # never a surrogate (not encodable)
    for word in ("SITI", "SITI AMINAH", "SITIAWAN", "SITI\U0010ffff"):
        assert "SITI" <= word < _successor("SITI")
    for word in ("SITH", "SITJ", "SIT", "SJ"):
        assert not ("SITI" <= word < _successor("SITI"))


def test_name_prefix_matches_exactly_the_typed_prefix(db: Database, actors: Any) -> None:
    names = [
        "Siti Aminah",
        "SITI BADRIAH",
        "Sitiawan",
        "Sita Dewi",
        "Ṣiti Nur",
        "Agus 100% Benar",
        "Agus 100 Benar",
        "Wayan_Putra",
        "Wayan Putra",
        "Made Siti",
    ]
    for i, nama in enumerate(names):
        _intake(db, actors["online"], nama, at=T0 + timedelta(minutes=i))
    assert sorted(_names(db, "siti")) == ["SITI BADRIAH", "Siti Aminah", "Sitiawan"]
    assert _names(db, "  siti   am ") == ["Siti Aminah"]  # spaces collapse like the stored key
    assert _names(db, "ṣiti") == ["Ṣiti Nur"]  # not folded into SITI, and found
    assert _names(db, "agus 100%") == ["Agus 100% Benar"]  # % is a character, not a wildcard
    assert _names(db, "wayan_") == ["Wayan_Putra"]  # _ too
    assert _names(db, "zz") == []
    # newest first
    assert _names(db, "si") == ["Sita Dewi", "Sitiawan", "SITI BADRIAH", "Siti Aminah"]


def test_nik_search_also_finds_the_number_as_no_kk(db: Database, actors: Any) -> None:
    _intake(db, actors["online"], "Pemilik NIK")
    _intake(
        db,
        actors["online"],
        "Anggota KK",
        nik="1808014101950002",
        no_kk=KK,
        at=T0 + timedelta(minutes=1),
    )
    _intake(
        db,
        actors["online"],
        "NIK sama dengan KK",
        nik=KK[:6] + "1203100008",
        at=T0 + timedelta(minutes=2),
    )
    assert _names(db, NIK) == ["Pemilik NIK"]
    assert _names(db, "1808 0112 0310 0007") == ["Anggota KK"]
    with db.read() as s:
        assert [r.nik_masked for r in search(s, NIK)] == ["1808********0003"]


def test_keyset_paging_visits_every_row_once_even_with_ties(db: Database, actors: Any) -> None:
    codes = set()
    for i in range(11):  # groups of requests recorded in the very same microsecond
        codes.add(
            _intake(
                db,
                actors["online"],
                f"Warga {i:02d}",
                at=T0 + timedelta(minutes=i // 4),
                wa=f"0812-3456-78{i:02d}",
            )
        )
    seen: list[str] = []
    after = None
    with db.read() as s:
        while True:
            page = search(s, "", limit=3, after=after)
            seen += [r.code for r in page]
            if len(page) < 3:
                break
            after = (page[-1].received_at, page[-1].id)
        keys = [(r.received_at, r.id) for r in search(s, "", limit=100)]
    assert len(seen) == len(set(seen)) == 11 and set(seen) == codes
    assert keys == sorted(keys, reverse=True)

    inbox_seen: list[str] = []
    after_due = None
    with db.read() as s:
        while True:
            rows = inbox(s, ["operator_online"], limit=4, after=after_due)
            inbox_seen += [r.code for r in rows]
            if len(rows) < 4:
                break
            after_due = (rows[-1].due_at, rows[-1].id)
        due_keys = [(r.due_at, r.id) for r in inbox(s, ["operator_online"], limit=100)]
    assert len(inbox_seen) == len(set(inbox_seen)) == 11 and set(inbox_seen) == codes
    assert due_keys == sorted(due_keys)


def test_status_filters_open_and_closed(db: Database, actors: Any) -> None:
    a = _intake(db, actors["online"], "Masih Proses")
    b = _intake(db, actors["online"], "Dibatalkan Saja", at=T0 + timedelta(minutes=1))
    with db.write() as s:
        svc.cancel(s, actors["kasi"], b, reason="Pemohon membatalkan.", now=T0 + timedelta(hours=1))

    def codes(status: str) -> list[str]:
        with db.read() as s:
            return [r.code for r in search(s, "", SearchFilters(status=status))]

    assert codes(CaseStatus.PROSES) == [a]
    assert codes(CaseStatus.BATAL) == [b]
    assert codes(CaseStatus.SELESAI) == []
    with db.read() as s:
        assert [r.code for r in search(s, "", SearchFilters(service="KK"))] == []


def test_case_view_reads_everything_of_one_request(db: Database, actors: Any) -> None:
    code = _intake(db, actors["online"], "Budi Hartono")
    with db.write() as s:
        svc.advance(s, actors["online"], code, now=T0 + timedelta(minutes=5))
    with db.read() as s:
        view = case_view(s, code.lower(), roles=["operator_online"])
        same = case_view_by_id(s, view.id, roles=["operator_online"])
    assert view == same
    assert view.current_step == 2 and view.history[0].username == "online"
    assert view.history[0].full_name == "Rina Oktaviani"
    assert all(c.present for c in view.checklist if c.required and not c.alternative_group)


# --------------------------------------------------------------------------- query plans


def _plan(db: Database, sql: str, params: Any) -> str:
    with db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        cur = raw.cursor()
        if db.dialect == "sqlite":
            cur.execute("EXPLAIN QUERY PLAN " + sql, params)
            lines = [str(r[3]) for r in cur.fetchall()]
        else:
            cur.execute("SET enable_seqscan = off")  # tiny tables: ask whether an index CAN serve
            cur.execute("EXPLAIN " + sql, params)
            lines = [str(r[0]) for r in cur.fetchall()]
            cur.execute("RESET enable_seqscan")
        cur.close()
    return "\n".join(lines)


def _captured(db: Database, fn: Any) -> tuple[str, Any]:
    seen: list[tuple[str, Any]] = []

    def hook(_c: Any, _cur: Any, sql: str, params: Any, _ctx: Any, _many: bool) -> None:
        if sql.lstrip().upper().startswith("SELECT"):
            seen.append((sql, params))

    # every engine: the read unit of SQLite has an engine of its own
    event.listen(Engine, "before_cursor_execute", hook)
    try:
        with db.read() as s:
            fn(s)
    finally:
        event.remove(Engine, "before_cursor_execute", hook)
    return seen[-1]


@pytest.mark.parametrize(
    ("query", "index"),
    [
        ("ABCD-EFGH3", "code"),
        (NIK, "ix_cases_nik"),
        (NIK, "ix_cases_no_kk"),
        ("0812-3456-7890", "ix_cases_wa"),
        ("siti", "ix_cases_name_key"),
        ("", "ix_cases_received_at"),
    ],
)
def test_search_plans_use_the_index(db: Database, actors: Any, query: str, index: str) -> None:
    _intake(db, actors["online"], "Siti Aminah")
    sql, params = _captured(db, lambda s: search(s, query, limit=200))
    plan = _plan(db, sql, params)
    if index == "code":
        index = "sqlite_autoindex_cases" if db.dialect == "sqlite" else "uq_cases_code"
    assert index in plan, plan
    if db.dialect == "sqlite":
        assert "SCAN cases\n" not in plan + "\n" and "SCAN hit" not in plan, plan


def test_inbox_and_scroll_plans_seek_instead_of_scanning(db: Database, actors: Any) -> None:
    _intake(db, actors["online"], "Siti Aminah")
    sql, params = _captured(db, lambda s: inbox(s, ["kasi"], limit=101, after=(T0, 5)))
    plan = _plan(db, sql, params)
    assert "ix_cases_inbox" in plan, plan
    if db.dialect == "sqlite":
        assert "due_at>" in plan, plan  # the keyset is an index range, not a filter
    sql, params = _captured(db, lambda s: search(s, "", limit=200, after=(T0, 5)))
    plan = _plan(db, sql, params)
    assert "ix_cases_received_at" in plan, plan
    if db.dialect == "sqlite":
        assert "received_at<" in plan, plan
    else:
        assert "Index Cond" in plan and "received_at <=" in plan, plan


def test_closed_status_filter_walks_received_at_order(db: Database, actors: Any) -> None:
    _intake(db, actors["online"], "Siti Aminah")
    sql, params = _captured(
        db, lambda s: search(s, "", SearchFilters(status=CaseStatus.SELESAI), limit=200)
    )
    plan = _plan(db, sql, params)
    if db.dialect == "sqlite":  # never "all finished requests, then sort them"
        assert "ix_cases_received_at" in plan and "ix_cases_inbox" not in plan, plan
    with db.read() as s:
        assert s.execute(text("SELECT count(*) FROM cases")).scalar() == 1
