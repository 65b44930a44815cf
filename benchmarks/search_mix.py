"""Thousands of mixed search-as-you-type queries on one pooled connection: p50/p99 per shape.

    .venv/bin/python -m benchmarks.search_mix --db /tmp/office.sqlite3
    .venv/bin/python -m benchmarks.search_mix --postgres postgresql://user@host/office
    .venv/bin/python -m benchmarks.search_mix --postgres URL --plan-cache-mode force_generic_plan

The queries are what clerks type into the Cari page, taken from real rows of the database:
tracking codes, NIKs, WhatsApp numbers as a pemohon dictates them (``0812-…``) and names typed a
letter at a time (every prefix from one letter to the full name), several clerks interleaved,
each through ``queries.search`` in the read unit, exactly as the search window runs them. They
all run on one ``Database`` whose pool hands the same connection back every time, so psycopg
prepares each statement shape on the server after its fifth run — where a generic plan, if
PostgreSQL chose one, would show as a slow shape (issue 14: 958 ms per name search at 1M).

``--plan-cache-mode`` and ``--prepare-threshold`` change the app's own connection settings
for a comparison (``force_generic_plan`` shows what a generic plan would cost); the results
of a run with the app's settings are kept in
``benchmarks/results/search_mix/<engine>.json`` and shown in ``RESULTS.md``.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from sipelayanan.db import Database, _pg_connect_args
from sipelayanan.models import Case
from sipelayanan.services.queries import search

from .measure import load, machine

HERE = Path(__file__).resolve().parent
OUT = HERE / "results" / "search_mix"
SHAPES = (
    "code",
    "nik",
    "wa",
    "name, 1–2 letters",
    "name, 3–5 letters",
    "name, 6+ letters",
    "name, full",
)


def sample_rows(db: Database, n: int, rng: random.Random) -> list[Any]:
    """``n`` random requests (by id: a million-row ORDER BY random() would take seconds)."""
    with db.read() as s:
        low, high = s.execute(select(func.min(Case.id), func.max(Case.id))).one()
        rows: list[Any] = []
        while len(rows) < n:
            ids = [rng.randint(low, high) for _ in range(n)]
            rows += s.execute(
                select(Case.code, Case.nik, Case.wa, Case.pemohon_nama).where(Case.id.in_(ids))
            ).all()
    return rows[:n]


def typed_wa(e164: str) -> str:
    """``+6281234567890`` as a pemohon dictates it: ``0812-3456-7890``."""
    local = "0" + e164.removeprefix("+62")
    return f"{local[:4]}-{local[4:8]}-{local[8:]}"


def workload(rows: list[Any], rng: random.Random, clerks: int) -> list[tuple[str, str]]:
    """(shape, text) in the order clerks would send them: a name is typed a letter at a time,
    and ``clerks`` clerks type at once, so their keystrokes interleave."""
    streams: list[list[tuple[str, str]]] = []
    for r in rows:
        pick = rng.random()
        if pick < 0.15:
            streams.append([("code", r.code)])
        elif pick < 0.25 and r.nik:
            streams.append([("nik", r.nik)])
        elif pick < 0.35:
            streams.append([("wa", typed_wa(r.wa))])
        else:
            name = r.pemohon_nama
            out = []
            for k in range(1, len(name) + 1):
                prefix = name[:k]
                if prefix.endswith(" "):
                    continue  # the same search as one letter fewer
                shape = (
                    "name, full"
                    if k == len(name)
                    else "name, 1–2 letters"
                    if k <= 2
                    else "name, 3–5 letters"
                    if k <= 5
                    else "name, 6+ letters"
                )
                out.append((shape, prefix))
            streams.append(out)
    queue: list[tuple[str, str]] = []
    active = [streams.pop() for _ in range(min(clerks, len(streams)))]
    while active:
        i = rng.randrange(len(active))
        queue.append(active[i].pop(0))
        if not active[i]:
            active.pop(i)
            if streams:
                active.append(streams.pop())
    return queue


def percentile(values: list[float], q: float) -> float:
    data = sorted(values)
    return data[min(len(data) - 1, round(q * (len(data) - 1)))]


def run(db: Database, queue: list[tuple[str, str]]) -> tuple[dict[str, list[float]], set[int]]:
    times: dict[str, list[float]] = defaultdict(list)
    pids: set[int] = set()
    for i, (shape, typed) in enumerate(queue):
        t = time.perf_counter()
        with db.read() as s:
            search(s, typed, limit=200)
        times[shape].append(time.perf_counter() - t)
        if db.dialect == "postgresql" and i % 200 == 0:
            with db.read() as s:
                pids.add(int(s.execute(text("SELECT pg_backend_pid()")).scalar_one()))
    return times, pids


def prepared_statements(db: Database) -> list[dict[str, Any]]:
    with db.read() as s:
        rows = s.execute(
            text(
                "SELECT generic_plans, custom_plans, left(statement, 200) AS statement "
                "FROM pg_prepared_statements ORDER BY generic_plans DESC, custom_plans DESC"
            )
        ).mappings()
        return [dict(r) for r in rows]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.search_mix", description=__doc__)
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--db", type=Path, help="a generated SQLite file")
    target.add_argument("--postgres", metavar="URL", help="a generated PostgreSQL database")
    parser.add_argument("--requests", type=int, default=400, help="rows the queries come from")
    parser.add_argument("--clerks", type=int, default=4, help="clerks typing at once")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument(
        "--plan-cache-mode", help="PostgreSQL plan_cache_mode (the app leaves it at auto)"
    )
    parser.add_argument(
        "--prepare-threshold", help="psycopg: runs before a statement is prepared ('none': never)"
    )
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    url = args.postgres or f"sqlite:///{args.db.resolve()}"
    kwargs: dict[str, Any] = {}
    settings = "the app's own"
    if args.postgres and (args.plan_cache_mode or args.prepare_threshold):
        connect = _pg_connect_args(None)
        if args.plan_cache_mode:
            connect["options"] += f" -c plan_cache_mode={args.plan_cache_mode}"
        if args.prepare_threshold:
            pt = args.prepare_threshold
            connect["prepare_threshold"] = None if pt == "none" else int(pt)
        kwargs["connect_args"] = connect
        settings = (
            f"plan_cache_mode={args.plan_cache_mode or 'auto'}, "
            f"prepare_threshold={args.prepare_threshold or 5}"
        )
    db = Database(url, **kwargs)
    rng = random.Random(args.seed)
    load_before = load()
    rows = sample_rows(db, args.requests, rng)
    queue = workload(rows, rng, args.clerks)
    started = time.perf_counter()
    times, pids = run(db, queue)
    seconds = time.perf_counter() - started
    with db.read() as s:
        total = int(s.execute(select(func.count(Case.id))).scalar_one())
    engine = "PostgreSQL" if db.dialect == "postgresql" else "SQLite"
    print(f"{engine}, {total:,} requests, {len(queue):,} queries in {seconds:.1f} s, {settings}")
    if pids:
        print(f"server connections used: {len(pids)}")
    print(f"{'shape':<22}{'n':>7}{'p50':>10}{'p99':>10}{'max':>10}")
    shapes = []
    for shape in SHAPES:
        got = times.get(shape)
        if not got:
            continue
        p50, p99 = statistics.median(got), percentile(got, 0.99)
        shapes.append({"shape": shape, "n": len(got), "p50": p50, "p99": p99, "max": max(got)})
        ms = [f"{v * 1e3:>8.2f}ms" for v in (p50, p99, max(got))]
        print(f"{shape:<22}{len(got):>7}{''.join(ms)}")
    prepared: list[dict[str, Any]] = []
    if db.dialect == "postgresql":
        prepared = prepared_statements(db)
        generic = sum(p["generic_plans"] for p in prepared)
        custom = sum(p["custom_plans"] for p in prepared)
        print(
            f"prepared on the server: {len(prepared)} statements, {custom} custom plans, ", end=""
        )
        print(f"{generic} generic plans")
    if not args.no_write and settings == "the app's own":
        OUT.mkdir(parents=True, exist_ok=True)
        result = {
            "engine": engine,
            "command": "python -m benchmarks.search_mix "
            + " ".join(argv if argv is not None else sys.argv[1:]),
            "machine": machine(db),
            "requests": total,
            "queries": len(queue),
            "seconds": seconds,
            "load_before": load_before,
            "load_after": load(),
            "shapes": shapes,
            "prepared": {
                "statements": len(prepared),
                "custom_plans": sum(p["custom_plans"] for p in prepared),
                "generic_plans": sum(p["generic_plans"] for p in prepared),
            },
            "finished": datetime.now(UTC).isoformat(),
        }
        (OUT / f"{engine.lower()}.json").write_text(json.dumps(result, indent=1, default=str))
    db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
