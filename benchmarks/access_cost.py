"""The cost of recording who saw what (UU 27/2022 Pasal 31, issue 17) at a million requests.

    cp /tmp/bench/office-1m.sqlite3 /tmp/h6/access-1m.sqlite3   # it writes audit entries: a copy
    .venv/bin/python -m benchmarks.access_cost --db /tmp/h6/access-1m.sqlite3
    .venv/bin/python -m benchmarks.access_cost --postgres postgresql://…/office
    # a server left running by: python -m benchmarks.bench_reports_1m --serve-postgres DIR
    .venv/bin/python -m benchmarks.access_cost --postgres-dir /tmp/bench/pg-h6

What a clerk waits for, with and without the record, on random requests of the database:

- **open a request**: the window's read (``case_view`` + ``work_calendar`` + the change token,
  as ``ui/case_window.load_case_fn``) — then, with recording, the separate write unit that
  appends one ``data.view`` entry (``access.record_case_open``), as the window does beside it;
- **search** by NIK and by a name prefix (the committed search: the text once, not per
  keystroke) — then, with recording, ``access.record_search`` with the codes it showed;
- **reveal a NIK** (``access.reveal_nik``: a write unit) and, once, the **subject export** of one
  NIK (``privacy.export_subject``), whose access lookup reads the ``data.view`` entries.

Medians and p90 in milliseconds; the results go to ``benchmarks/results/access_cost/<engine>.json``
and, by hand, to ``RESULTS.md``. Each recorded view appends one entry to the database's audit
chain: run it on a copy, never on an office's database.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from sipelayanan.db import Database
from sipelayanan.models import AuditEntry, Case, User, UserRole
from sipelayanan.services import access, privacy
from sipelayanan.services.audit import change_token
from sipelayanan.services.context import Actor
from sipelayanan.services.office import work_calendar
from sipelayanan.services.queries import case_view, search

from .measure import load, machine

HERE = Path(__file__).resolve().parent
OUT = HERE / "results" / "access_cost"


def _ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median": round(statistics.median(ordered) * 1000, 2),
        "p90": round(ordered[int(0.9 * (len(ordered) - 1))] * 1000, 2),
        "n": len(ordered),
    }


def _timed(fn: Callable[[], Any]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def _actor(db: Database, role: str) -> Actor:
    with db.read() as s:
        row = s.execute(
            select(User.id, User.username)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == role, User.active.is_(True))
            .order_by(User.id)
            .limit(1)
        ).one()
    return Actor(int(row.id), str(row.username), "bench")


def sample(db: Database, n: int, rng: random.Random) -> list[Any]:
    with db.read() as s:
        low, high = s.execute(select(func.min(Case.id), func.max(Case.id))).one()
        rows: list[Any] = []
        while len(rows) < n:
            ids = [rng.randint(low, high) for _ in range(n)]
            rows += s.execute(
                select(Case.code, Case.nik, Case.pemohon_nama).where(
                    Case.id.in_(ids), Case.nik.is_not(None)
                )
            ).all()
    return rows[:n]


def run(db: Database, n: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    rows = sample(db, n, rng)
    clerk = _actor(db, "kasi")
    operator = _actor(db, "operator")
    admin = _actor(db, "admin")
    roles = ("kasi",)
    out: dict[str, Any] = {}

    def open_read(code: str) -> None:
        with db.read() as s:
            change_token(s)
            case_view(s, code, roles=roles)
            work_calendar(s)

    def open_record(code: str) -> None:
        with db.write() as s:
            access.record_case_open(s, clerk, code)

    for r in rows[:5]:  # warm the caches and the pool
        open_read(r.code)
    plain, recorded, record_only = [], [], []
    for r in rows:
        plain.append(_timed(lambda c=r.code: open_read(c)))
        rec = _timed(lambda c=r.code: open_record(c))
        recorded.append(_timed(lambda c=r.code: open_read(c)) + rec)
        record_only.append(rec)
    out["open a request"] = {
        "without": _ms(plain),
        "with": _ms(recorded),
        "record": _ms(record_only),
    }

    def find(text: str) -> list[str]:
        with db.read() as s:
            return [x.code for x in search(s, text, limit=200)]

    def find_record(text: str, codes: list[str]) -> None:
        with db.write() as s:
            access.record_search(s, clerk, text, codes)

    for label, texts in (
        ("search by NIK", [r.nik for r in rows]),
        ("search by name prefix (first name)", [r.pemohon_nama.split()[0] for r in rows]),
    ):
        plain, recorded, record_only = [], [], []
        for text in texts:
            t = time.perf_counter()
            codes = find(text)
            plain.append(time.perf_counter() - t)
            t = time.perf_counter()
            codes = find(text)
            mid = time.perf_counter()
            find_record(text, codes)
            end = time.perf_counter()
            recorded.append(end - t)
            record_only.append(end - mid)
        out[label] = {
            "without": _ms(plain),
            "with": _ms(recorded),
            "record": _ms(record_only),
        }

    reveal = []
    for r in rows:
        t = time.perf_counter()
        with db.write() as s:  # the whole unit, commit included, as the button runs it
            access.reveal_nik(s, operator, r.code)
        reveal.append(time.perf_counter() - t)
    out["reveal a NIK (write unit, recorded)"] = {"with": _ms(reveal)}

    nik = rows[0].nik
    t = time.perf_counter()
    with db.write() as s:
        result = privacy.export_subject(s, admin, nik, channel="bench")
    out["subject export of one NIK (ZIP + PDF)"] = {
        "with": {"median": round((time.perf_counter() - t) * 1000, 1), "p90": 0, "n": 1},
        "cases": result.cases,
        "accesses": result.accesses,
    }
    with db.read() as s:
        views = s.execute(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == access.VIEW)
        ).scalar_one()
        total = s.execute(select(func.count(Case.id))).scalar_one()
    out["_meta"] = {"requests": int(total), "data.view entries after the run": int(views)}
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--db", type=Path, help="a COPY of a generated SQLite office")
    target.add_argument("--postgres", metavar="URL")
    target.add_argument("--postgres-dir", type=Path, help="folder of bench_reports_1m --serve")
    p.add_argument("-n", type=int, default=200, help="requests sampled (default 200)")
    p.add_argument("--seed", type=int, default=17)
    args = p.parse_args()
    if args.db:
        url = f"sqlite:///{args.db}"
    elif args.postgres:
        url = args.postgres
    else:
        url = (args.postgres_dir / "url").read_text().strip()
    db = Database(url)
    try:
        before = load()
        started = time.perf_counter()
        figures = run(db, args.n, args.seed)
        info = machine(db)
        info["load before"] = before
        info["load after"] = load()
        info["wall time"] = f"{time.perf_counter() - started:.0f} s"
    finally:
        db.dispose()
    OUT.mkdir(parents=True, exist_ok=True)
    engine = "postgresql" if url.startswith("postgresql") else "sqlite"
    (OUT / f"{engine}.json").write_text(
        json.dumps({"machine": info, "figures": figures}, indent=2, ensure_ascii=False)
    )
    print(f"{engine}: {figures['_meta']}  ({info['wall time']}, load {before} → {load()})")
    print("| figure | without (median / p90) | with recording (median / p90) | the record alone |")
    print("|---|---:|---:|---:|")
    for label, f in figures.items():
        if label.startswith("_"):
            continue
        wo = f.get("without")
        w = f["with"]
        rec = f.get("record")
        print(
            f"| {label} | "
            + (f"{wo['median']:.2f} / {wo['p90']:.2f} ms" if wo else "–")
            + f" | {w['median']:.2f} / {w['p90']:.2f} ms | "
            + (f"{rec['median']:.2f} / {rec['p90']:.2f} ms" if rec else "–")
            + " |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
