"""Time and peak memory of the period reports on a generated office (1M requests), each report
in a fresh process so its peak resident memory is its own. Not part of the test suite:

    .venv/bin/python -m benchmarks.generate --db /tmp/bench/office-1m.sqlite3      # once
    cp /tmp/bench/office-1m.sqlite3 /tmp/bench/reports.sqlite3                      # a copy
    .venv/bin/python -m benchmarks.bench_reports_1m --db /tmp/bench/reports.sqlite3
    .venv/bin/python -m benchmarks.bench_reports_1m --postgres postgresql://…/office

    # a throw-away PostgreSQL server loaded with 1M requests, left running for the runs above
    .venv/bin/python -m benchmarks.bench_reports_1m --serve-postgres /tmp/bench/pg \
        --generate 1000000
    .venv/bin/python -m benchmarks.bench_reports_1m --stop-postgres /tmp/bench/pg

``--code DIR`` runs the reports of another checkout (e.g. ``git archive`` of an older commit,
to measure "before"). Each report runs in a write transaction as the app does, so it appends
one audit entry: run it on a copy, never on an office's database. Peak memory is the whole
process's maximum resident set (``getrusage``), imports included; "base" is the resident set
after the imports and the connection, before the report. "cpu" is this process's CPU time
(on SQLite that includes the engine's work; a PostgreSQL server's work is not in it): on a
shared, loaded machine it says more than the wall-clock seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: (label, kind, format, first day, last day)
RUNS: tuple[tuple[str, str, str, date, date], ...] = (
    ("kinerja, a year", "kinerja", "pdf", date(2025, 1, 1), date(2025, 12, 31)),
    ("kinerja, a year", "kinerja", "xlsx", date(2025, 1, 1), date(2025, 12, 31)),
    ("rekap, a month", "rekap", "pdf", date(2026, 10, 1), date(2026, 10, 31)),
    ("rekap, a year", "rekap", "pdf", date(2025, 1, 1), date(2025, 12, 31)),
    ("pengaduan, a year", "pengaduan", "pdf", date(2025, 1, 1), date(2025, 12, 31)),
    ("pengaduan, a year", "pengaduan", "xlsx", date(2025, 1, 1), date(2025, 12, 31)),
    ("register, a month", "register", "pdf", date(2026, 10, 1), date(2026, 10, 31)),
    ("register, a year", "register", "pdf", date(2025, 1, 1), date(2025, 12, 31)),
    ("register, a year", "register", "xlsx", date(2025, 1, 1), date(2025, 12, 31)),
)


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def one(url: str, kind: str, fmt: str, d0: date, d1: date) -> dict[str, object]:
    """Run one report in this process; return seconds, peak and base memory, size."""
    from sipelayanan.db import Database
    from sipelayanan.reports import report

    db = Database(url)
    with db.read() as s:  # connect (and warm the engine) before the baseline
        s.execute(__import__("sqlalchemy").text("SELECT 1"))
    import openpyxl  # noqa: F401  (both libraries are loaded by the app before any report)
    import reportlab.platypus  # noqa: F401

    base = _rss_mb()
    t = time.perf_counter()
    c = time.process_time()
    with db.write() as s:
        data = report(s, kind, d0, d1, fmt=fmt)  # type: ignore[arg-type]
    took = time.perf_counter() - t
    cpu = time.process_time() - c
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    pages: object = ""
    if fmt == "pdf":
        import io

        from pypdf import PdfReader

        pages = len(PdfReader(io.BytesIO(data)).pages)
    db.dispose()
    import sipelayanan

    return {
        "seconds": round(took, 2),
        "cpu_s": round(cpu, 2),
        "peak_mb": round(peak, 1),
        "base_mb": round(base, 1),
        "kib": len(data) // 1024,
        "pages": pages,
        "code": str(Path(sipelayanan.__file__).parent.parent),
    }


def _child(url: str, code: Path | None, kind: str, fmt: str, d0: date, d1: date) -> dict:
    env = dict(os.environ)
    path = [str(code)] if code else []
    env["PYTHONPATH"] = os.pathsep.join([*path, str(ROOT)])
    cmd = [
        sys.executable,
        "-c",
        "import sys, json; sys.path[:0] = sys.argv[1:2] if sys.argv[1] else []; "
        "from benchmarks.bench_reports_1m import one; from datetime import date; "
        "print(json.dumps(one(sys.argv[2], sys.argv[3], sys.argv[4], "
        "date.fromisoformat(sys.argv[5]), date.fromisoformat(sys.argv[6]))))",
        str(code or ""),
        url,
        kind,
        fmt,
        d0.isoformat(),
        d1.isoformat(),
    ]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr else "failed"}
    result: dict = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def serve_postgres(folder: Path, requests: int) -> None:
    from benchmarks.generate import generate
    from benchmarks.pgserver import start_bench_server
    from sipelayanan.db import Database

    server, collation = start_bench_server()
    url = server.url("office")
    t = time.perf_counter()
    generate(Database(url), requests=requests, progress=lambda m: print(m, flush=True))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "url").write_text(url)
    (folder / "datadir").write_text(str(server.datadir))
    (folder / "server.json").write_text(
        json.dumps(
            {
                "bindir": str(server.bindir),
                "datadir": str(server.datadir),
                "port": server.port,
                "run_as": server.run_as,
            }
        )
    )
    print(f"{url} ({collation}), {requests:,} requests in {time.perf_counter() - t:.0f} s")


def stop_postgres(folder: Path) -> None:
    from benchmarks.pgserver import destroy
    from tests.pgserver import PgServer

    info = json.loads((folder / "server.json").read_text())
    server = PgServer(Path(info["bindir"]), Path(info["datadir"]), info["port"], info["run_as"])
    destroy(server)
    print("stopped")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--db", type=Path, help="a generated SQLite file (a copy)")
    target.add_argument("--postgres", metavar="URL", help="a generated PostgreSQL database")
    target.add_argument("--serve-postgres", type=Path, metavar="DIR")
    target.add_argument("--stop-postgres", type=Path, metavar="DIR")
    parser.add_argument("--generate", type=int, default=1_000_000)
    parser.add_argument("--code", type=Path, help="the checkout whose reports to run")
    parser.add_argument("--only", help="comma-separated kinds")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    if args.serve_postgres:
        serve_postgres(args.serve_postgres, args.generate)
        return 0
    if args.stop_postgres:
        stop_postgres(args.stop_postgres)
        return 0
    url = args.postgres or f"sqlite:///{args.db.resolve()}"
    engine = "PostgreSQL" if args.postgres else "SQLite"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{engine} · code {args.code or ROOT} · {os.cpu_count()} cores, load {load:.1f}")
    print(
        f"{'report':<22}{'fmt':<6}{'seconds':>9}{'peak MB':>9}{'base MB':>9}{'KiB':>8}{'pages':>7}"
    )
    results = []
    for label, kind, fmt, d0, d1 in RUNS:
        if args.only and kind not in args.only.split(","):
            continue
        r = _child(url, args.code, kind, fmt, d0, d1)
        results.append({"label": label, "kind": kind, "fmt": fmt, **r})
        if "error" in r:
            print(f"{label:<22}{fmt:<6} error: {r['error']}", flush=True)
            continue
        print(
            f"{label:<22}{fmt:<6}{r['seconds']:>9.2f}{r.get('cpu_s', float('nan')):>7.2f}"
            f"{r['peak_mb']:>9.0f}{r['base_mb']:>9.0f}"
            f"{r['kib']:>8}{r['pages']!s:>7}",
            flush=True,
        )
    if args.json:
        args.json.write_text(json.dumps({"engine": engine, "load": load, "runs": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
