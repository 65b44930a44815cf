"""What the read path costs against an earlier version of the code, measured side by side.

    git archive 0d3d6c6 | tar -x -C /tmp/old      # the code before (its own read path)
    .venv/bin/python -m benchmarks.read_path_ab --db /tmp/office.sqlite3 --old-tree /tmp/old
    .venv/bin/python -m benchmarks.read_path_ab --postgres URL --old-tree /tmp/old

Two worker processes, one importing this tree's ``sipelayanan`` and one the old tree's, run the
same lookups with the same inputs, strictly alternating (old, new, new, old, …), so a machine
shared with other work loads both alike. Each lookup runs in the unit its version's windows use
(``Database.lookup()`` where the old tree has it, else ``Database.read()``). Printed per
lookup: the median wall time of each side, the difference, and the median CPU time of each
worker process (the client's own cost, which load does not inflate).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import text

from sipelayanan.db import Database

from .measure import load

ROOT = Path(__file__).resolve().parents[1]

WORKER = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from sipelayanan.db import Database
from sipelayanan.services import audit, queries
from sipelayanan.services.office import work_calendar
db = Database(sys.argv[2])
unit = getattr(db, "lookup", None) or db.read
OPS = {
    "inbox": lambda s, x: queries.inbox(s, [x], limit=101),
    "counts": lambda s, x: queries.inbox_counts(s, [x]),
    "change_token": lambda s, x: audit.change_token(s),
    "code": lambda s, x: queries.search(s, x, limit=200),
    "open": lambda s, x: (queries.case_view(s, x, roles=("kasi",)), work_calendar(s)),
    "nik": lambda s, x: queries.search(s, x, limit=200),
    "wa": lambda s, x: queries.search(s, x, limit=200),
    "name3": lambda s, x: queries.search(s, x, limit=200),
    "page": lambda s, x: queries.search(s, "", limit=200),
}
print(json.dumps({"file": queries.__file__}), flush=True)
for line in sys.stdin:
    op, arg = json.loads(line)
    c0, t0 = time.process_time(), time.perf_counter()
    with unit() as s:
        OPS[op](s, arg)
    t1, c1 = time.perf_counter(), time.process_time()
    print(json.dumps([t1 - t0, c1 - c0]), flush=True)
"""

LABELS = {
    "inbox": "inbox first page (operator, 100 rows)",
    "counts": "inbox counts per service",
    "change_token": "change check",
    "code": "search by tracking code",
    "open": "open a request by code (case_view + work_calendar)",
    "nik": "search by NIK",
    "wa": "search by WhatsApp number",
    "name3": "search as you type: 3 letters of a name",
    "page": "first page of all requests (200 rows)",
}


def inputs(db: Database, n: int, rng: random.Random) -> dict[str, list[Any]]:
    with db.read() as s:
        high = int(s.execute(text("SELECT max(id) FROM cases")).scalar_one())
        rows: list[Any] = []
        while len(rows) < n:
            ids = [rng.randint(1, high) for _ in range(n)]
            rows += (
                s.execute(
                    text("SELECT code, nik, wa, name_key FROM cases WHERE id IN :ids").bindparams(
                        __import__("sqlalchemy").bindparam("ids", expanding=True)
                    ),
                    {"ids": ids},
                )
                .mappings()
                .all()
            )
    rows = rows[:n]
    roles = ["operator_online", "operator", "kasi", "kabid", "kadis", "petugas_penyerahan"]
    return {
        "inbox": [roles[i % len(roles)] for i in range(n)],
        "counts": [roles[i % len(roles)] for i in range(n)],
        "change_token": [None] * n,
        "code": [r["code"] for r in rows],
        "open": [r["code"] for r in rows],
        "nik": [r["nik"] or r["code"] for r in rows],
        "wa": ["0" + r["wa"][3:7] + "-" + r["wa"][7:] for r in rows],
        "name3": [r["name_key"][:3] for r in rows],
        "page": [None] * n,
    }


class Worker:
    def __init__(self, tree: Path, url: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", WORKER, str(tree), url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=str(tree),
        )
        assert self.proc.stdout is not None
        self.file = json.loads(self.proc.stdout.readline())["file"]

    def run(self, op: str, arg: Any) -> tuple[float, float]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps([op, arg]) + "\n")
        self.proc.stdin.flush()
        wall, cpu = json.loads(self.proc.stdout.readline())
        return float(wall), float(cpu)

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.read_path_ab", description=__doc__)
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--db", type=Path)
    target.add_argument("--postgres", metavar="URL")
    parser.add_argument("--old-tree", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args(argv)
    url = args.postgres or f"sqlite:///{args.db.resolve()}"
    db = Database(url)
    data = inputs(db, args.rounds, random.Random(11))
    db.dispose()
    old, new = Worker(args.old_tree.resolve(), url), Worker(ROOT, url)
    print(f"old: {old.file}\nnew: {new.file}\nload before: {load()}")
    results: dict[str, dict[str, list[tuple[float, float]]]] = {}
    for op, values in data.items():
        got: dict[str, list[tuple[float, float]]] = {"old": [], "new": []}
        for x in values[:3]:  # warm up both
            old.run(op, x)
            new.run(op, x)
        for i, x in enumerate(values):
            first, second = (("old", old), ("new", new)) if i % 2 else (("new", new), ("old", old))
            got[first[0]].append(first[1].run(op, x))
            got[second[0]].append(second[1].run(op, x))
        results[op] = got
    old.close()
    new.close()
    print(f"load after: {load()}")
    print(f"{'lookup':<52}{'old':>9}{'new':>9}{'new-old':>9}{'old cpu':>9}{'new cpu':>9}")
    for op, got in results.items():
        med = {k: statistics.median(w for w, _ in v) * 1e3 for k, v in got.items()}
        cpu = {k: statistics.median(c for _, c in v) * 1e3 for k, v in got.items()}
        print(
            f"{LABELS[op]:<52}{med['old']:>7.2f}ms{med['new']:>7.2f}ms"
            f"{med['new'] - med['old']:>+7.2f}ms{cpu['old']:>7.2f}ms{cpu['new']:>7.2f}ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
