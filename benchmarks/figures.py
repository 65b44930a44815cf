"""The figures: each function measures one part of the issue's list on a generated database and
returns :class:`Figure` rows (ours beside the bare engine) plus the query plans it saw."""

from __future__ import annotations

import random
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from types import SimpleNamespace
from typing import Any

from sqlalchemy import func, select, text

from sipelayanan.calendar import WIB
from sipelayanan.db import Database
from sipelayanan.models import Case, RegisterEntry, User
from sipelayanan.services import audit, cases, queries
from sipelayanan.services.context import Actor
from sipelayanan.services.office import work_calendar
from sipelayanan.sop import services

from . import bare_docs
from .measure import Bare, Capture, Figure, Statement, clock, paired

INBOX_ROLES = (
    "operator_online",
    "operator",
    "kasi",
    "kabid",
    "kadis",
    "petugas_penyerahan",
    "petugas_aduan",
    "pejabat_aduan",
)
INBOX_PAGE = 100  # ui/inbox.py PAGE_SIZE
SEARCH_PAGE = 200  # ui/search.py PAGE_SIZE


@dataclass
class Bench:
    db: Database
    bare: Bare
    capture: Capture
    rng: random.Random
    repeats: int
    say: Callable[[str], None]
    plans: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def dialect(self) -> str:
        return self.db.dialect

    def actor(self, username: str) -> Actor:
        with self.db.read() as s:
            uid = s.execute(select(User.id).where(User.username == username)).scalar_one()
        return Actor(int(uid), username)

    def sample(self, sql: str, n: int) -> list[Any]:
        """``n`` random rows of a one-column query over random case ids (fast on any size)."""
        with self.db.read() as s:
            top = int(s.execute(select(func.max(Case.id))).scalar_one())
            out: list[Any] = []
            tries = 0
            while len(out) < n and tries < n * 20:
                tries += 1
                cid = self.rng.randint(1, top)
                value = s.execute(text(sql), {"id": cid}).scalar()
                if value is not None:
                    out.append(value)
        return out


def _lookup(
    b: Bench,
    key: str,
    label: str,
    inputs: Sequence[Any],
    fn: Callable[[Any, Any], Any],
    *,
    target: float | None,
    note: str = "",
    plan_of: int | None = 0,
    session: bool = False,
) -> Figure:
    """Time ``fn(unit, x)`` in the unit the app runs it in — the read unit ``Database.read()``,
    as the windows' ``ops.run`` and the reports do — against the same SQL replayed bare
    (``session`` is kept for the callers that ask for it: the unit is the same)."""
    unit = b.db.read
    captured: list[list[Statement]] = []
    for x in inputs:
        with b.capture.recording() as statements, unit() as s:
            fn(s, x)
        captured.append(list(statements))

    def ours(x: Any) -> None:
        with unit() as s:
            fn(s, x)

    def bare(x: Any) -> None:
        b.bare.run(captured[index[id(x)]])

    boxed = [_Box(x) for x in inputs]
    index = {id(x): i for i, x in enumerate(boxed)}
    a, r = paired(boxed, lambda bx: ours(bx.value), bare)
    if plan_of is not None and captured and captured[0]:
        sql, params = captured[0][min(plan_of, len(captured[0]) - 1)]
        b.plans[key] = [" ".join(sql.split()), *b.bare.explain(sql, params)]
    return Figure(key, label, a, r, target=target, note=note)


@dataclass
class _Box:
    value: Any


# --------------------------------------------------------------------------- 1. inbox


def inbox_figures(b: Bench) -> list[Figure]:
    out = []
    with b.db.read() as s:
        counts = dict(
            s.execute(
                select(Case.current_role, func.count())
                .where(Case.status == "proses")
                .group_by(Case.current_role)
            ).all()
        )
    for role in INBOX_ROLES:
        n = b.repeats
        fig = _lookup(
            b,
            f"inbox.{role}",
            f"1. inbox of {role}: first page ({counts.get(role, 0)} waiting)",
            [role] * n,
            lambda s, r: queries.inbox(s, [r], limit=INBOX_PAGE + 1),
            target=0.050,
        )
        out.append(fig)
    several = ("kasi", "kabid", "kadis")
    out.append(
        _lookup(
            b,
            "inbox.pimpinan",
            "1. inbox of one account holding kasi+kabid+kadis: first page",
            [several] * b.repeats,
            lambda s, r: queries.inbox(s, r, limit=INBOX_PAGE + 1),
            target=0.050,
        )
    )
    out.append(
        _lookup(
            b,
            "inbox.counts",
            "1. inbox counts per service (badge)",
            [("operator",)] * b.repeats,
            lambda s, r: queries.inbox_counts(s, r),
            target=0.050,
        )
    )
    out.append(
        _lookup(
            b,
            "change_token",
            "1. change check (polled every 3 s)",
            [None] * b.repeats,
            lambda s, _x: audit.change_token(s),
            target=0.005,
        )
    )
    return out


# --------------------------------------------------------------------------- 2. lookups


def _wa_typed(e164: str) -> str:
    local = "0" + e164[3:]
    return f"{local[:4]}-{local[4:8]}-{local[8:]}"


def lookup_figures(b: Bench) -> list[Figure]:
    n = max(b.repeats, 20)
    codes = b.sample("SELECT code FROM cases WHERE id = :id", n)
    niks = b.sample("SELECT nik FROM cases WHERE id = :id", n)
    was = [_wa_typed(w) for w in b.sample("SELECT wa FROM cases WHERE id = :id", n)]
    names = b.sample("SELECT name_key FROM cases WHERE id = :id", 3 * n)
    kasi = ("kasi",)
    out = [
        _lookup(
            b,
            "code.search",
            "2. search by tracking code (typed or scanned QR)",
            codes,
            lambda s, c: queries.search(s, c, limit=SEARCH_PAGE),
            target=0.005,
        ),
        _lookup(
            b,
            "code.open",
            "2. open a request by code (case window: full history)",
            codes,
            lambda s, c: (queries.case_view(s, c, roles=kasi), work_calendar(s)),
            target=0.005,
            plan_of=None,
            note="case_view + work_calendar, as ui/case/window.py loads it",
        ),
        _lookup(
            b,
            "nik.search",
            "2. search by NIK",
            niks,
            lambda s, x: queries.search(s, x, limit=SEARCH_PAGE),
            target=0.010,
        ),
        _lookup(
            b,
            "wa.search",
            "2. search by WhatsApp number (typed 08xx-xxxx-xxxx)",
            was,
            lambda s, x: queries.search(s, x, limit=SEARCH_PAGE),
            target=0.010,
        ),
    ]
    first = [nm.split()[0] for nm in names[:n]]
    two = [
        f"{nm.split()[0]} {nm.split()[1][:2]}" if len(nm.split()) > 1 else nm
        for nm in names[n : 2 * n]
    ]
    full = names[2 * n :]
    prefixes = [p for trio in zip(first, two, full, strict=False) for p in trio]
    fig = _lookup(
        b,
        "name.search",
        "2. search by name prefix (first name / + 2 letters / full name)",
        prefixes,
        lambda s, x: queries.search(s, x, limit=SEARCH_PAGE),
        target=0.050,
    )
    out.append(fig)
    typed = [nm[:3] for nm in first]
    out.append(
        _lookup(
            b,
            "name.typed3",
            "2. search as you type: first 3 letters of a name",
            typed,
            lambda s, x: queries.search(s, x, limit=SEARCH_PAGE),
            target=0.050,
            note="the search page searches after 3 letters (ui/search.py MIN_TYPED)",
        )
    )
    return out


def scroll_core_figure(b: Bench, pages: int = 200) -> Figure:
    """Keyset paging through every request newest first: ``queries.search('', after=…)``."""
    statements: list[list[Statement]] = []
    times: list[float] = []
    after = None
    depth = 0
    for _ in range(pages):
        with b.capture.recording() as st:
            t = time.perf_counter()
            with b.db.read() as s:
                rows = queries.search(s, "", limit=SEARCH_PAGE, after=after)
            times.append(time.perf_counter() - t)
        statements.append(list(st))
        depth += len(rows)
        if len(rows) < SEARCH_PAGE:
            break
        after = (rows[-1].received_at, rows[-1].id)
    bare_times = [clock(partial(b.bare.run, st)) for st in statements]
    sql, params = statements[-1][0]
    b.plans["scroll.core"] = [" ".join(sql.split()), *b.bare.explain(sql, params)]
    return Figure(
        "scroll.core",
        f"9. keyset page of all requests, newest first: per page of "
        f"{SEARCH_PAGE} rows, {len(times)} pages ({depth:,} rows)",
        times,
        bare_times,
        target=0.050,
        note="queries.search(after=…), keyset",
    )


# --------------------------------------------------------------------------- 3-6. documents


def busiest_register_month(b: Bench, rows: int = 10_000) -> tuple[date, date, int]:
    """The whole month whose register count is closest to ``rows``."""
    with b.db.read() as s:
        found = s.execute(select(RegisterEntry.assigned_at)).scalars()
        per: Counter[tuple[int, int]] = Counter()
        for at in found:
            w = at.astimezone(WIB)
            per[(w.year, w.month)] += 1
    today = datetime.now(WIB).date()
    whole = {k: v for k, v in per.items() if (k[0], k[1]) != (today.year, today.month)}
    (y, m), count = min(whole.items(), key=lambda kv: (abs(kv[1] - rows), -kv[0][0], -kv[0][1]))
    first = date(y, m, 1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return first, last, count


def last_whole_month() -> tuple[date, date]:
    today = datetime.now(WIB).date()
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def _report(b: Bench, kind: str, d0: date, d1: date, fmt: str = "pdf") -> bytes:
    from sipelayanan.reports import report

    with b.db.write() as s:
        return report(s, kind, d0, d1, fmt=fmt)  # type: ignore[arg-type]


def _captured_report_sql(b: Bench, kind: str, d0: date, d1: date) -> list[Statement]:
    with b.capture.recording() as st:
        _report(b, kind, d0, d1)
    return [x for x in st if x[0].lstrip().upper().startswith("SELECT")]


def _repeat(n: int, fn: Callable[[], Any]) -> list[float]:
    fn()  # warm-up
    return [clock(fn) for _ in range(n)]


def document_figures(b: Bench, doc_repeats: int = 5) -> list[Figure]:
    from sipelayanan.reports.data import check_period, rekap_data

    out: list[Figure] = []
    m0, m1 = last_whole_month()
    period = check_period(m0, m1)
    out.append(
        _lookup(
            b,
            "rekap.query",
            f"3. monthly rekap: the queries ({m0:%m/%Y})",
            [period] * b.repeats,
            lambda s, p: rekap_data(s, p, None),
            target=None,
            plan_of=None,
            session=True,
        )
    )
    b.plans.update(_plans_of(b, "rekap.query", lambda s: rekap_data(s, period, None)))
    rekap_sql = _captured_report_sql(b, "rekap", m0, m1)

    def bare_rekap() -> bytes:
        rows = _biggest(b, rekap_sql)
        per = Counter(r[0] for r in rows)
        table = [(svc, per.get(svc, 0)) for svc in services()]
        return bare_docs.table_pdf("REKAP", ["Layanan", "Diterima"], table, [200.0, 100.0])

    ours = _repeat(doc_repeats, lambda: _report(b, "rekap", m0, m1))
    bare = _repeat(doc_repeats, bare_rekap)
    out.append(
        Figure(
            "rekap.pdf",
            f"3. monthly rekap PDF ({m0:%m/%Y})",
            ours,
            bare,
            target=2.0,
            unit="s",
            bare_label="same SQL + canvas",
        )
    )

    r0, r1, count = busiest_register_month(b)
    reg_sql = _captured_report_sql(b, "register", r0, r1)
    b.plans.update(_plans_from(b, "register.pdf", reg_sql))

    def bare_register() -> bytes:
        rows = _biggest(b, reg_sql)
        widths = [70.0, 60.0, 60.0, 150.0, 90.0, 110.0, 100.0, 130.0]
        return bare_docs.table_pdf(
            "BUKU REGISTER",
            ["No.", "Tanggal", "Kode", "Nama", "Kecamatan", "No. dokumen", "Petugas", "Penyerahan"],
            (
                (r[2], str(r[3])[:10], r[4], r[5], r[6] or "-", r[7] or "-", r[8], r[10] or "-")
                for r in rows
            ),
            widths,
        )

    ours = _repeat(doc_repeats, lambda: _report(b, "register", r0, r1))
    bare = _repeat(doc_repeats, bare_register)
    out.append(
        Figure(
            "register.pdf",
            f"4. register PDF of a busy month ({r0:%m/%Y}, {count:,} rows)",
            ours,
            bare,
            target=5.0,
            unit="s",
            bare_label="same SQL + canvas",
        )
    )

    y0, y1 = date(m0.year - 1, 1, 1), date(m0.year - 1, 12, 31)
    kin_sql = _captured_report_sql(b, "kinerja", y0, y1)
    b.plans.update(_plans_from(b, "kinerja.pdf", kin_sql))

    def bare_kinerja() -> bytes:
        visits = _biggest(b, kin_sql)
        by_step: dict[tuple[Any, Any], list[float]] = defaultdict(list)
        for r in visits:
            if len(r) >= 5:
                by_step[(r[0], r[2])].append(float(r[4] or 0))
        table = [
            (svc, no, len(v), f"{statistics.median(v):.1f}")
            for (svc, no), v in sorted(by_step.items(), key=lambda kv: str(kv[0]))
        ]
        return bare_docs.table_pdf(
            "LAPORAN KINERJA",
            ["Layanan", "Langkah", "Selesai", "Median"],
            table,
            [150.0, 60.0, 80.0, 80.0],
        )

    ours = _repeat(max(3, doc_repeats // 2), lambda: _report(b, "kinerja", y0, y1))
    bare = _repeat(max(3, doc_repeats // 2), bare_kinerja)
    out.append(
        Figure(
            "kinerja.pdf",
            f"5. laporan kinerja PDF for a year ({y0.year})",
            ours,
            bare,
            target=None,
            unit="s",
            bare_label="same SQL + canvas",
        )
    )
    out.extend(receipt_figures(b))
    return out


def receipt_figures(b: Bench) -> list[Figure]:
    from sipelayanan.reports import qr_content, receipt

    codes = b.sample("SELECT code FROM cases WHERE id = :id", max(10, b.repeats // 2))
    with b.db.read() as s:
        qr_texts = {c: qr_content(s, c) for c in codes}
    out = []
    for fmt in ("pdf", "png"):

        def ours(code: str, fmt: str = fmt) -> bytes:
            with b.db.write() as s:
                return receipt(s, code, fmt)  # type: ignore[arg-type]

        def bare(code: str, fmt: str = fmt) -> bytes:
            row = _fetch(b, *_receipt_sql(b, code))[0]
            qr = qr_texts[code]
            lines = [
                f"Kode: {row[0]}",
                f"Layanan: {row[1]}",
                f"Nama: {row[2]}",
                f"Diterima: {row[3]}",
                f"Batas: {row[4]}",
            ] + ["[x] persyaratan"] * 6
            return (bare_docs.receipt_pdf if fmt == "pdf" else bare_docs.receipt_png)(lines, qr)

        boxed = [_Box(c) for c in codes]
        a, r = paired(boxed, lambda bx: ours(bx.value), lambda bx: bare(bx.value))
        out.append(
            Figure(
                f"receipt.{fmt}",
                f"6. tanda terima {fmt.upper()} with QR",
                a,
                r,
                target=0.100,
                bare_label="SQL + canvas/Pillow + QR",
            )
        )
    return out


def _receipt_sql(b: Bench, code: str) -> Statement:
    if b.dialect == "sqlite":
        return (
            "SELECT code, service, pemohon_nama, received_at, due_at FROM cases WHERE code = ?",
            (code,),
        )
    return (
        "SELECT code, service, pemohon_nama, received_at, due_at FROM cases WHERE code = %(c)s",
        {"c": code},
    )


def _biggest(b: Bench, statements: list[Statement]) -> list[Any]:
    """Run every statement our code ran (as it did) and keep the biggest result to draw."""
    results = [_fetch(b, sql, params) for sql, params in statements]
    return max(results, key=len) if results else []


def _fetch(b: Bench, sql: str, params: Any) -> list[Any]:
    conn = b.bare.conn
    if b.dialect == "sqlite":
        return list(conn.execute(sql, params).fetchall())
    with conn.cursor() as cur:
        cur.execute(sql, params)
        rows = list(cur.fetchall())
    conn.rollback()
    return rows


def _plans_from(b: Bench, key: str, statements: list[Statement]) -> dict[str, list[str]]:
    out = {}
    for i, (sql, params) in enumerate(statements):
        out[f"{key}#{i + 1}"] = [" ".join(sql.split()), *b.bare.explain(sql, params)]
    return out


def _plans_of(b: Bench, key: str, fn: Callable[[Any], Any]) -> dict[str, list[str]]:
    with b.capture.recording() as st, b.db.read() as s:
        fn(s)
    return _plans_from(b, key, list(st))


# --------------------------------------------------------------------------- 7. intake


class _WriteCapture:
    """Every statement of a write unit, executemany included, with RETURNING results."""

    def __init__(self, b: Bench) -> None:
        self.b = b
        self.statements: list[tuple[str, Any, bool]] = []
        self.on = False
        from sqlalchemy import event

        event.listen(b.db.engine, "before_cursor_execute", self._hook)

    def _hook(self, _c: Any, _cur: Any, sql: str, params: Any, _ctx: Any, many: bool) -> None:
        if self.on:
            self.statements.append((sql, params, many))

    def close(self) -> None:
        from sqlalchemy import event

        event.remove(self.b.db.engine, "before_cursor_execute", self._hook)


def _subst(value: Any, table: dict[Any, Any]) -> Any:
    if isinstance(value, dict):
        return {k: _subst(v, table) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_subst(v, table) for v in value)
    if isinstance(value, str | int) and not isinstance(value, bool) and value in table:
        return table[value]
    return value


def _replay_write(
    b: Bench, units: list[list[tuple[str, Any, bool]]], old: dict[str, Any], new_code: str
) -> None:
    """Replay the captured units of work (one transaction each) through the bare driver for a
    fresh request: its code, case id, register number and audit chain links are substituted."""
    conn = b.bare.conn
    table: dict[Any, Any] = {old["code"]: new_code}
    numbers: dict[Any, Any] = {}
    pg = b.dialect == "postgresql"
    for unit in units:
        cur = conn.cursor()
        head: tuple[int, str] | None = None
        try:
            for sql, params, many in unit:
                head_sql = sql.lstrip()[:30].upper()
                if head_sql.startswith(("BEGIN", "COMMIT", "ROLLBACK")):
                    if not pg:
                        cur.execute(sql)
                    continue
                p = _subst(params, table)
                if head_sql.startswith("INSERT INTO REGISTER_ENTRIES"):
                    p = _subst(p, numbers)
                if head_sql.startswith("INSERT INTO AUDIT_LOG") and head is not None:
                    old_hash = p["hash"] if isinstance(p, dict) else p[10]
                    p = _rehash(p, head)
                    table[old_hash] = p["hash"] if isinstance(p, dict) else p[10]
                if many:
                    cur.executemany(sql, p)
                    continue
                cur.execute(sql, p)
                if "RETURNING" in sql.upper():
                    got = cur.fetchone()
                    if head_sql.startswith("UPDATE AUDIT_HEAD"):
                        head = (int(got[0]), str(got[1]))
                    elif head_sql.startswith("INSERT INTO CASES"):
                        table[old["case_id"]] = int(got[0])
                    elif "REGISTER_COUNTERS" in head_sql and old.get("number") is not None:
                        numbers[old["number"]] = int(got[0])
                elif head_sql.startswith("INSERT INTO CASES"):
                    table[old["case_id"]] = int(cur.lastrowid)
                elif head_sql.startswith("SELECT"):
                    cur.fetchall()
            conn.commit()  # (the app's COMMIT goes through the DBAPI, not a statement)
        finally:
            cur.close()


def _rehash(params: Any, head: tuple[int, str]) -> Any:
    """The audit entry linked to the chain head the bare transaction got, hashed as the app
    hashes it (so the chain still verifies after the benchmark)."""
    seq, prev = head
    names = (
        "seq",
        "at",
        "user_id",
        "username",
        "workstation",
        "action",
        "entity",
        "entity_id",
        "detail",
        "prev_hash",
        "hash",
    )
    values = dict(params) if isinstance(params, dict) else dict(zip(names, params, strict=True))
    at = values["at"]
    if isinstance(at, str):  # SQLite: the stored text, naive UTC
        at = datetime.fromisoformat(at).replace(tzinfo=UTC)
    values.update(seq=seq, prev_hash=prev)
    digest = audit._hash_of(SimpleNamespace(**{**values, "at": at}))
    values["hash"] = digest
    if isinstance(params, dict):
        return values
    return tuple(values[n] for n in names)


def _intake_data(b: Bench, i: int) -> cases.IntakeData:
    from sipelayanan.identity import kecamatan_way_kanan

    from .generate import make_person

    p = make_person(b.rng, [k for k, _n in kecamatan_way_kanan()], date.today())
    return cases.IntakeData(
        service="KK",
        nama=p.name,
        nik=p.nik,
        no_kk=p.no_kk,
        wa=_wa_typed(p.wa),
        kecamatan=p.kecamatan,
    )


def intake_figures(b: Bench, n: int = 60) -> list[Figure]:
    online = b.actor("online")
    by_role = {
        "operator_online": online,
        "operator": b.actor("operator"),
        "kasi": b.actor("kasi"),
        "kabid": b.actor("kabid"),
        "kadis": b.actor("kadis"),
        "petugas_penyerahan": b.actor("penyerahan"),
    }
    kk = services()["KK"]
    cap = _WriteCapture(b)
    try:
        # one request carried through by our layers, recorded for the bare replay
        cap.on = True
        with b.db.write() as s:
            ref = cases.intake(s, online, _intake_data(b, 0))
        intake_unit = list(cap.statements)
        cap.statements = []
        units: list[list[tuple[str, Any, bool]]] = [intake_unit]
        for step in kk.steps:
            kwargs: dict[str, Any] = {}
            if "nomor_dokumen" in step.records:
                kwargs["nomor_dokumen"] = "1808011203850001"
            if "penyerahan" in step.records:
                kwargs["penerima"] = "Pemohon"
            with b.db.write() as s:
                cases.advance(s, by_role[step.role], ref.code, **kwargs)
            units.append(list(cap.statements))
            cap.statements = []
        cap.on = False
        with b.db.read() as s:
            number = s.execute(
                select(RegisterEntry.number).where(RegisterEntry.case_id == ref.id)
            ).scalar()
        old = {"code": ref.code, "case_id": ref.id, "number": number}
    finally:
        cap.close()

    from sipelayanan.identity import new_tracking_code

    def ours_intake() -> None:
        with b.db.write() as s:
            cases.intake(s, online, _intake_data(b, 0))

    def bare_intake() -> None:
        _replay_write(b, [intake_unit], old, new_tracking_code(b.rng))

    def ours_full() -> None:
        with b.db.write() as s:
            r = cases.intake(s, online, _intake_data(b, 0))
        for step in kk.steps:
            kwargs: dict[str, Any] = {}
            if "nomor_dokumen" in step.records:
                kwargs["nomor_dokumen"] = "1808011203850001"
            if "penyerahan" in step.records:
                kwargs["penerima"] = "Pemohon"
            with b.db.write() as s:
                cases.advance(s, by_role[step.role], r.code, **kwargs)

    def bare_full() -> None:
        _replay_write(b, units, old, new_tracking_code(b.rng))

    def rate(fn: Callable[[], None], count: int) -> list[float]:
        out = []
        for _ in range(3):
            t = time.perf_counter()
            for _ in range(count):
                fn()
            out.append(count / (time.perf_counter() - t))
        return out

    figures = []
    a, r = rate(ours_intake, n), rate(bare_intake, n)
    figures.append(
        Figure(
            "intake.rate",
            "7. intake: new requests (one transaction each)",
            a,
            r,
            unit="/s",
            value_override=statistics.median(a),
            bare_label="same SQL via driver",
        )
    )
    m = max(5, n // 6)
    a, r = rate(ours_full, m), rate(bare_full, m)
    figures.append(
        Figure(
            "intake.full",
            f"7. a KK request carried through its {len(kk.steps) + 1} "
            "SOP transactions (register number included)",
            a,
            r,
            unit="/s",
            value_override=statistics.median(a),
            bare_label="same SQL via driver",
        )
    )
    return figures
