"""The figures the engine computes for the kinerja and the rekap, against a straightforward
computation in Python over every row.

A generated office of a few thousand requests over three months (bulk inserts, on SQLite and
PostgreSQL): step visits with varied working minutes (many ties, zeros, long outliers), visits
sent back, cancellations, a second SOP version of one service with other minutes, a service
with a single finished request, a service with none, steps visited an even and an odd number
of times, once, twice and never; requests open, waiting for the pemohon, finished after the
period, overdue or not. The kinerja's medians and 90th percentiles must equal
``statistics.median`` and the report's own ``percentile`` over all the values *exactly*, and
the textbook linear-interpolation quantile to the last few bits.

Working minutes are multiples of 1/4, so the per-request sums are exact in binary floating
point whatever order the engine adds them in, and equality can be exact everywhere.
"""

from __future__ import annotations

import json
import random
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select

from sipelayanan.db import Database
from sipelayanan.identity import TRACKING_ALPHABET
from sipelayanan.models import Case, CaseStatus, CaseStep, SopSnapshot
from sipelayanan.reports.data import (
    DONE_ACTIONS,
    STAFF_ACTIONS,
    VISIT_ACTIONS,
    Period,
    kinerja_data,
    percentile,
    rekap_data,
)
from sipelayanan.services import step_stats
from sipelayanan.services.cases import Action, snapshot_for
from sipelayanan.sop import ServiceDef, services

PERIOD = Period(date(2026, 11, 1), date(2026, 11, 30))
NOW = datetime(2026, 11, 20, 5, 0, tzinfo=UTC)  # the period is not over yet
FIRST = datetime(2026, 9, 20, 0, 0, tzinfo=UTC)
DAYS = 85  # received from late September to mid December


@dataclass
class Office:
    single: str  # the service with exactly one request (finished in the period)
    empty: str  # the service with none
    versioned: str  # the service whose older requests ran under other minutes


def _minutes(rng: random.Random, standard: int) -> float:
    roll = rng.random()
    if roll < 0.25:
        return float(standard)  # ties at the standard itself
    if roll < 0.30:
        return 0.0
    if roll < 0.33:
        return float(rng.randint(300, 900))  # a step left for hours
    return round(rng.lognormvariate(0, 0.6) * standard * 4) / 4


def build_office(db: Database, actors: dict[str, Any], n: int = 2400, seed: int = 14) -> Office:
    rng = random.Random(seed)
    codes = list(services())
    office = Office(single=codes[-2], empty=codes[-1], versioned=codes[0])
    busy = [c for c in codes if c not in (office.single, office.empty)]
    uid = actors["operator"].user_id
    with db.write() as s:
        snaps: dict[str, list[tuple[int, ServiceDef]]] = {}
        for code in codes:
            sdef = services()[code]
            snaps[code] = [(snapshot_for(s, sdef, FIRST).id, sdef)]
        # an older version of one service: every step twice its minutes, one step 1 minute
        old = services()[office.versioned].to_dict()
        for i, step in enumerate(old["steps"]):
            step["minutes"] = 1 if i == 1 else 2 * step["minutes"]
        old["version"] = "lama"
        old_def = ServiceDef.from_dict(old)
        old_id = s.execute(
            insert(SopSnapshot).returning(SopSnapshot.id),
            {
                "service": office.versioned,
                "version": "lama",
                "fingerprint": "uji-versi-lama",
                "definition": json.dumps(old),
                "first_seen": FIRST,
            },
        ).scalar_one()
        snaps[office.versioned].append((int(old_id), old_def))

        plan: list[tuple[str, datetime]] = [(office.single, datetime(2026, 11, 4, 1, tzinfo=UTC))]
        for _ in range(n - 1):
            plan.append(
                (rng.choice(busy), FIRST + timedelta(minutes=rng.randrange(DAYS * 24 * 60)))
            )
        cases: list[dict[str, Any]] = []
        histories: list[list[dict[str, Any]]] = []
        for i, (code, received) in enumerate(plan):
            snap_id, sdef = rng.choice(snaps[code])
            single = code == office.single
            fate = (
                "selesai"
                if single
                else rng.choices(["selesai", "proses", "menunggu", "batal"], [80, 10, 4, 6])[0]
            )
            steps = sdef.steps
            upto = len(steps) if fate == "selesai" else rng.randint(1, len(steps))
            t = received
            history: list[dict[str, Any]] = []
            for step in steps[:upto]:
                if not single and step.no > 1 and rng.random() < 0.08:
                    back = rng.choice([Action.KEMBALI, Action.KEMBALI_PEMOHON])
                    m = _minutes(rng, step.minutes)
                    end = t + timedelta(minutes=m + rng.randint(1, 90))
                    history.append(_step(step.no, back, t, end, m, uid))
                    t = end
                last_open = fate != "selesai" and step is steps[upto - 1]
                if last_open:
                    if fate == "batal":
                        m = _minutes(rng, step.minutes)
                        end = t + timedelta(minutes=m + 5)
                        history.append(_step(step.no, Action.BATAL, t, end, m, uid))
                        t = end
                    break
                m = _minutes(rng, step.minutes)
                action = (
                    Action.TUTUP if step is steps[-1] and rng.random() < 0.1 else Action.SELESAI
                )
                end = t + timedelta(minutes=m + rng.randint(0, 600))
                history.append(_step(step.no, action, t, end, m, uid))
                t = end
            due = received + timedelta(hours=rng.choice([2, 8, 24, 30, 200]))
            status = {
                "selesai": CaseStatus.SELESAI,
                "batal": CaseStatus.BATAL,
                "proses": CaseStatus.PROSES,
                "menunggu": CaseStatus.MENUNGGU_PEMOHON,
            }[fate]
            finished = t if status in (CaseStatus.SELESAI, CaseStatus.BATAL) else None
            cases.append(
                {
                    "code": "".join(TRACKING_ALPHABET[int(c)] for c in f"{i:09d}"),
                    "service": code,
                    "sop_snapshot_id": snap_id,
                    "sop_version": sdef.version,
                    "pemohon_nama": f"Pemohon {i}",
                    "name_key": f"PEMOHON {i}",
                    "wa": "+628123",
                    "conditions": "",
                    "status": status,
                    "current_step": upto,
                    "step_started_at": t,
                    "received_at": received,
                    "due_at": due,
                    "paused_at": t if fate == "menunggu" else None,
                    "finished_at": finished,
                    "returned_count": 0,
                    "created_by": uid,
                    "version": 1,
                }
            )
            histories.append(history)
        ids = (
            s.execute(insert(Case).returning(Case.id, sort_by_parameter_order=True), cases)
            .scalars()
            .all()
        )
        rows = [
            {**visit, "case_id": case_id}
            for case_id, history in zip(ids, histories, strict=True)
            for visit in history
        ]
        s.execute(insert(CaseStep), rows)
        # history written directly, as the benchmark generator does: the per-day figures too
        step_stats.rebuild(s.connection())
    return office


def _step(
    no: int, action: str, start: datetime, end: datetime, minutes: float, uid: int
) -> dict[str, Any]:
    return {
        "step_no": no,
        "action": action,
        "to_step": None,
        "user_id": uid,
        "started_at": start,
        "ended_at": end,
        "working_minutes": minutes,
        "note": None,
    }


def _everything(db: Database) -> tuple[dict[int, Any], list[Any], dict[int, ServiceDef]]:
    from sipelayanan.services.cases import _definition_from_json

    with db.read() as s:
        cases = {r.id: r for r in s.execute(select(Case.__table__))}
        steps = list(s.execute(select(CaseStep.__table__)))
        snaps = {
            r.id: _definition_from_json(r.definition)
            for r in s.execute(select(SopSnapshot.__table__))
        }
    return cases, steps, snaps


def _inside(at: datetime, period: Period) -> bool:
    return period.start <= at < period.end


def _textbook(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def test_kinerja_figures_equal_a_plain_computation_over_every_row(
    db: Database, actors: dict[str, Any]
) -> None:
    office = build_office(db, actors)
    with db.read() as s:
        data = kinerja_data(s, PERIOD, None)
    cases, steps, snaps_by_id = _everything(db)
    snaps = dict(snaps_by_id)

    # per service: requests finished in the period, their staff minutes over their whole life
    minutes_of: dict[int, float] = defaultdict(float)
    for st in steps:
        if st.action in STAFF_ACTIONS:
            minutes_of[st.case_id] += st.working_minutes
    finished: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    for c in cases.values():
        if c.status == CaseStatus.SELESAI and _inside(c.finished_at, PERIOD):
            finished[c.service].append((minutes_of[c.id], c.finished_at <= c.due_at))
    for code in services():
        got = data.per_service[code]
        values = [m for m, _ok in finished.get(code, [])]
        assert got.selesai == len(values), code
        assert got.tepat_waktu == sum(ok for _m, ok in finished.get(code, [])), code
        if not values:
            assert got.median_minutes is None and got.p90_minutes is None
            continue
        assert got.median_minutes == statistics.median(values), code
        assert got.p90_minutes == percentile(values, 90), code
        if len(values) > 1:
            assert abs(got.p90_minutes - _textbook(values, 90)) < 1e-9 * max(values)
    assert data.per_service[office.single].selesai == 1
    assert data.per_service[office.empty].selesai == 0

    # per step: visits ended in the period, completed or sent back
    done: dict[tuple[str, int], list[float]] = defaultdict(list)
    returned: dict[tuple[str, int], int] = defaultdict(int)
    over: dict[tuple[str, int], int] = defaultdict(int)
    standards: dict[tuple[str, int], set[int]] = defaultdict(set)
    for st in steps:
        if st.action not in VISIT_ACTIONS or not _inside(st.ended_at, PERIOD):
            continue
        c = cases[st.case_id]
        key = (c.service, st.step_no)
        standard = snaps[c.sop_snapshot_id].step(st.step_no).minutes
        standards[key].add(standard)
        if st.action in DONE_ACTIONS:
            done[key].append(st.working_minutes)
            over[key] += st.working_minutes > standard
        else:
            returned[key] += 1
    by_key = {(p.service, p.step_no): p for p in data.steps}
    assert set(by_key) == {(code, s.no) for code, sdef in services().items() for s in sdef.steps}
    sizes = []
    for key, p in by_key.items():
        values = done.get(key, [])
        sizes.append(len(values))
        assert (p.completed, p.returned, p.over_standard) == (
            len(values),
            returned.get(key, 0),
            over.get(key, 0),
        ), key
        assert p.standard_varies == bool(standards.get(key, set()) - {p.standard_minutes}), key
        if not values:
            assert p.median_minutes is None and p.p90_minutes is None, key
            continue
        assert p.median_minutes == statistics.median(values), key
        assert p.p90_minutes == percentile(values, 90), key
        if len(values) > 1:
            assert abs(p.p90_minutes - _textbook(values, 90)) < 1e-9 * max(values), key
    # the office covers what the ranks must get right
    assert 0 in sizes and 1 in sizes
    assert any(n > 2 and n % 2 == 0 for n in sizes) and any(n > 2 and n % 2 for n in sizes)
    assert any(len(v) != len(set(v)) for v in done.values())  # ties
    assert any(p.standard_varies for p in data.steps if p.service == office.versioned)
    assert any(p.returned for p in data.steps)

    # the ranking of the steps most often over their standard, recomputed
    order = {code: i for i, code in enumerate(services())}
    candidates = [p for p in data.steps if p.completed >= 3 and p.over_standard]
    expected = sorted(
        candidates,
        key=lambda p: (
            -p.over_standard / p.completed,
            -p.over_standard,
            order[p.service],
            p.step_no,
        ),
    )[:10]
    assert [(p.service, p.step_no) for p in data.worst] == [
        (p.service, p.step_no) for p in expected
    ]

    # one service only: the same figures for it
    with db.read() as s:
        one = kinerja_data(s, PERIOD, office.versioned)
    assert one.services == (office.versioned,)
    assert one.per_service[office.versioned] == data.per_service[office.versioned]
    assert [p for p in one.steps] == [p for p in data.steps if p.service == office.versioned]


def test_rekap_counts_open_overdue_requests_as_not_on_time(
    db: Database, actors: dict[str, Any]
) -> None:
    build_office(db, actors)
    cases, _steps, _snaps = _everything(db)
    for period, now in (
        (PERIOD, NOW),  # printed before the period ended
        (PERIOD, datetime(2027, 1, 5, tzinfo=UTC)),  # printed long after
        (Period(date(2026, 10, 1), date(2026, 10, 31)), NOW),
    ):
        with db.read() as s:
            data = rekap_data(s, period, None, now=now)
        cutoff = min(period.end, now)
        for code in services():
            open_at_end = [
                c
                for c in cases.values()
                if c.service == code
                and c.received_at < period.end
                and (c.finished_at is None or c.finished_at >= period.end)
            ]
            late = [
                c
                for c in open_at_end
                if c.due_at < cutoff and (c.paused_at is None or c.due_at < c.paused_at)
            ]
            done = [
                c
                for c in cases.values()
                if c.service == code
                and c.status == CaseStatus.SELESAI
                and _inside(c.finished_at, period)
            ]
            on_time = sum(c.finished_at <= c.due_at for c in done)
            got = data.per_service[code]
            assert (got.dalam_proses, got.lewat_batas) == (len(open_at_end), len(late)), code
            assert (got.selesai, got.tepat_waktu) == (len(done), on_time), code
            assert got.tepat_share == (on_time, len(done) + len(late)), code
        total = data.total
        assert total.lewat_batas > 0  # the office has overdue open requests in each case
        assert total.tepat_share[1] > total.selesai


def test_rekap_pdf_prints_the_audit_anchor_beside_the_signature(
    db: Database, actors: dict[str, Any]
) -> None:
    import io
    import re

    from pypdf import PdfReader

    from sipelayanan.models import AuditHead
    from sipelayanan.reports import report
    from sipelayanan.services import audit
    from tests.reports.test_reports_data import NOVEMBER, build_november

    build_november(db, actors)
    with db.read() as s:
        before = s.execute(select(AuditHead.seq, AuditHead.hash)).one()
    with db.write() as s:
        pdf = report(
            s,
            "rekap",
            NOVEMBER.date_from,
            NOVEMBER.date_to,
            actor=actors["kadis"],
            now=datetime(2026, 12, 1, 2, 0, tzinfo=UTC),
        )
    reader = PdfReader(io.BytesIO(pdf))
    last_page = reader.pages[-1].extract_text()
    found = re.findall(r"\b\d+:[0-9a-f]{64}\b", last_page)
    assert len(found) == 1, last_page
    assert f"Jangkar log audit saat rekap ini dicetak:\n{found[0]}" in last_page
    assert "sipelayanan audit verify --jangkar" in " ".join(last_page.split())
    # on the page of the signature, and it is the chain's head as the rekap was printed
    assert "NIP." in last_page
    seq, digest = audit.parse_anchor(found[0])
    assert (seq, digest) == (int(before[0]), str(before[1]))
    with db.read() as s:
        result = audit.verify(s, anchors=((seq, digest),))
        assert result.ok, result.problem
        assert result.head_seq == seq + 1  # the rekap's own entry came after its anchor
        # a log rewritten since then no longer matches the paper
        forged = digest[:-1] + ("0" if digest[-1] != "0" else "1")
        assert not audit.verify(s, anchors=((seq, forged),)).ok


def test_register_streams_every_row_once_in_order_across_pages(
    db: Database, actors: dict[str, Any]
) -> None:
    """The register PDF reads its rows as the pages are laid out: with a heading above a table
    of many pages, every number is printed once, in order, starting on the first page."""
    import io
    import re

    from openpyxl import load_workbook
    from pypdf import PdfReader

    from sipelayanan.reports import report
    from tests.reports.test_reports import _bulk_register

    _bulk_register(db, actors, 260)
    d0, d1 = date(2026, 11, 1), date(2026, 11, 30)
    with db.write() as s:
        pdf = report(s, "register", d0, d1, now=NOW)
        book = report(s, "register", d0, d1, fmt="xlsx", now=NOW)
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]
    numbers = [re.findall(r"\b\d{5}/[A-Z_]+/\d{4}\b", p) for p in pages]
    expected = [f"{100 + i:05d}/KK/2026" for i in range(260)]  # what the helper inserts
    assert [n for page in numbers for n in page] == expected
    assert len(pages) >= 6 and all(numbers)  # rows from the first page on, none empty
    assert "(260 entri)" in " ".join(pages[0].split())
    assert all(f"Halaman {i} dari {len(pages)}" in p for i, p in enumerate(pages, start=1))
    ws = load_workbook(io.BytesIO(book), read_only=True).worksheets[0]
    cells = [r[0] for r in ws.iter_rows(values_only=True) if r and r[0]]
    assert [c for c in cells if re.fullmatch(r"\d{5}/[A-Z_]+/\d{4}", str(c))] == expected
