"""Run every figure against a generated database, print a table, write ``RESULTS.md``.

    .venv/bin/python -m benchmarks.generate --db /tmp/office.sqlite3           # once, ~10 min
    .venv/bin/python -m benchmarks.run --db /tmp/office.sqlite3
    .venv/bin/python -m benchmarks.run --postgres auto --generate 1000000       # throw-away server
    .venv/bin/python -m benchmarks.run --postgres postgresql://user@host/db     # generated before

Each figure is the median of repeated runs, beside the same work done by the bare engine (the
very SQL our code sent, replayed through ``sqlite3``/``psycopg``; a plain ReportLab canvas for
documents; a bare PySide6 window for the cold start) and the ratio of the two. Results of each
engine are kept in ``benchmarks/results/<engine>.json``; ``RESULTS.md`` is rebuilt from all of
them, so an SQLite run and a PostgreSQL run end up side by side.

The figures write into the database they measure (intake throughput adds requests, documents add
audit entries), so run them on a generated copy, never on an office's database.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from sipelayanan.db import Database
from sipelayanan.demo import DEMO_PASSWORD
from sipelayanan.models import Case, CaseStep, RegisterEntry

from . import figures as F
from .measure import Bare, Capture, Figure, load, machine

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS_DIR = HERE / "results"
RESULTS_MD = HERE / "RESULTS.md"
GROUPS = ("inbox", "lookups", "scroll", "documents", "coldstart", "ui_scroll", "intake")


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def child_env(config: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["XDG_CONFIG_HOME"] = str(config)  # the app's QSettings file goes here, not to ~
    env["HOME"] = str(config)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def coldstart_figure(url: str, runs: int) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="sip-bench-cfg-") as cfg:
        env = child_env(Path(cfg))

        def once(*extra: str) -> dict[str, Any]:
            t0 = time.time()
            out = subprocess.run(
                [sys.executable, "-m", "benchmarks.ui_coldstart", url, *extra, repr(t0)],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
            if out.returncode != 0 or not lines:
                raise RuntimeError(f"cold start child failed: {out.stderr[-2000:]}")
            return dict(json.loads(lines[-1]))

        once("operator", DEMO_PASSWORD)  # the OS file cache is warm, as on a PC used daily
        ours = [once("operator", DEMO_PASSWORD) for _ in range(runs)]
        bare = [once("--bare", "operator") for _ in range(runs)]
    times = [r["seconds"] for r in ours]
    peak = statistics.median(r["peak_mb"] for r in ours)
    phases = {k: statistics.median(r["phases"][k] for r in ours) for k in ours[0]["phases"]}
    note = ", ".join(f"{k} {v:.2f} s" for k, v in phases.items())
    return [
        Figure(
            "coldstart",
            f"8. cold start to the logged-in inbox (operator, {ours[0]['rows']} rows)",
            times,
            [r["seconds"] for r in bare],
            target=2.0,
            unit="s",
            note=f"phases at: {note}; includes the Argon2 login",
            bare_label="PySide6 window + same rows via driver",
        ),
        Figure(
            "coldstart.memory",
            "8. peak memory at start (VmHWM)",
            [peak],
            [statistics.median(r["peak_mb"] for r in bare)],
            target=250.0,
            unit="MB",
            value_override=peak,
            bare_label="bare PySide6 window",
        ),
    ]


def ui_scroll_figures(url: str, pages: int | None, bare_page: float | None) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="sip-bench-cfg-") as cfg:
        cmd = [sys.executable, "-m", "benchmarks.ui_scroll", url]
        if pages:
            cmd += ["--pages", str(pages)]
        out = subprocess.run(
            cmd,
            env=child_env(Path(cfg)),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=7200,
            check=False,
        )
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode != 0 or not lines:
        raise RuntimeError(f"scroll child failed: {out.stderr[-2000:]}")
    r = json.loads(lines[-1])
    times = r["pages"] or [r["first_page"]]
    mem = r["memory"]
    (rows0, mb0), (rows1, mb1) = mem[0], mem[-1]
    per_100k = (mb1 - mb0) / max(1, rows1 - rows0) * 100_000
    tail = times[-50:]
    return [
        Figure(
            "scroll.ui",
            f"9. scroll the search results through ui/search.py's model: per page, "
            f"{len(times)} pages, {r['rows']:,} rows",
            times,
            [bare_page] if bare_page else [],
            target=0.050,
            note=f"last 50 pages: median {statistics.median(tail) * 1000:.1f} ms",
            bare_label="same SQL via driver (per page)",
        ),
        Figure(
            "scroll.memory",
            f"9. memory after {rows1:,} rows in the search model "
            f"(+{per_100k:.0f} MB per 100,000 rows)",
            [mb1],
            [],
            unit="MB",
            value_override=mb1,
            note=f"{mb0:.0f} MB with the first {rows0:,} rows",
        ),
    ]


def dataset(db: Database) -> dict[str, Any]:
    with db.read() as s:
        first, last, n = s.execute(
            select(func.min(Case.received_at), func.max(Case.received_at), func.count(Case.id))
        ).one()
        by_status = dict(s.execute(select(Case.status, func.count()).group_by(Case.status)).all())
        complaints = s.execute(select(func.count()).where(Case.service == "PENGADUAN")).scalar_one()
        steps = s.execute(select(func.count(CaseStep.id))).scalar_one()
        registers = s.execute(select(func.count(RegisterEntry.id))).scalar_one()
        audit = s.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
    return {
        "requests": int(n),
        "from": f"{first:%Y-%m-%d}",
        "to": f"{last:%Y-%m-%d}",
        "steps": int(steps),
        "register": int(registers),
        "complaints": int(complaints),
        "status": {k: int(v) for k, v in by_status.items()},
        "audit": int(audit),
    }


def fmt_value(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "ms":
        v = value * 1000
        return f"{v:.2f} ms" if v < 10 else f"{v:.1f} ms" if v < 100 else f"{v:.0f} ms"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "/s":
        return f"{value:.1f}/s"
    return f"{value:.0f} {unit}"


def fmt_target(f: dict[str, Any]) -> str:
    t = f["target"]
    if t is None:
        return "–"
    sign = "≥" if f["unit"] == "/s" else "≤"
    return f"{sign} {fmt_value(t, f['unit'])}"


def _thin(values: list[float], keep: int = 60) -> list[float]:
    """At most ``keep`` of the raw timings, evenly spaced (the summary is computed first)."""
    step = max(1, -(-len(values) // keep))
    return values[::step]


def row_of(f: Figure) -> dict[str, Any]:
    d = asdict(f)
    d.update(ours=_thin(f.ours), bare=_thin(f.bare))
    d.update(
        median=f.median,
        bare_median=f.bare_median,
        ratio=f.ratio,
        p90=f.p90 if f.value_override is None else None,
        meets=f.meets(),
        n=len(f.ours),
    )
    return d


def print_table(rows: list[dict[str, Any]]) -> None:
    print(f"{'figure':<72}{'ours':>11}{'bare':>11}{'ratio':>7}  target")
    for r in rows:
        ok = {True: "ok", False: "MISSED", None: ""}[r["meets"]]
        ratio = f"{r['ratio']:.1f}×" if r["ratio"] else "–"
        print(
            f"{r['label'][:71]:<72}{fmt_value(r['median'], r['unit']):>11}"
            f"{fmt_value(r['bare_median'], r['unit']):>11}{ratio:>7}  {fmt_target(r)} {ok}"
        )


def write_markdown() -> None:
    runs = [json.loads(p.read_text()) for p in sorted(RESULTS_DIR.glob("*.json"))]
    out = [
        "# SiPelayanan at a million requests: measured figures",
        "",
        "Generated by `benchmarks/run.py` — do not edit by hand; the analysis (causes, fixes, "
        "what is left) is in `docs/performance.md`. Each figure is the median of repeated runs. "
        "*Bare* is the same work without our layers: the very SQL our code sent, replayed "
        "through the driver (`sqlite3` / `psycopg`) on one connection; a plain ReportLab canvas "
        "(same fonts) for documents; a bare PySide6 window for the cold start. *Ratio* = ours ÷ "
        "bare (for rates: bare ÷ ours), so the cost of our layers shows on any machine.",
        "",
    ]
    for run in runs:
        m = run["machine"]
        d = run["dataset"]
        out += [
            f"## {run['engine']}",
            "",
            f"- command: `{run['command']}`",
            f"- date: {m['date']}; load average (1/5/15 min) before {run['load_before']}, "
            f"after {run['load_after']} — the machine is shared with other engineers' test "
            "runs, so absolute times carry noise; the ratios less so",
            f"- machine: {m['cpu']}, {m['ram']} RAM, {m['os']}",
            f"- software: Python {m['python']}, SQLite {m['sqlite']}, SQLAlchemy "
            f"{m['sqlalchemy']}"
            + (
                f", PostgreSQL {m['postgresql']} (collation {m.get('collation', '?')})"
                if "postgresql" in m
                else ""
            ),
            f"- database: {m['database']}" + (f" ({m['file']})" if "file" in m else ""),
            f"- data: {d['requests']:,} requests received {d['from']} … {d['to']}, "
            f"{d['steps']:,} step records, {d['register']:,} register entries, "
            f"{d['complaints']:,} complaints, {d['audit']:,} audit entries; status "
            + ", ".join(f"{k} {v:,}" for k, v in sorted(d["status"].items())),
            f"- generated with: `{run.get('generated', '?')}`",
            f"- wall time of this run: {run['seconds'] / 60:.1f} min",
            "",
            "| figure | ours (median) | p90 | bare | ratio | target | |",
            "|---|---:|---:|---:|---:|---:|---|",
        ]
        befores = {r["before"]["what"] for r in run["figures"] if r.get("before")}
        if befores:
            out[-2:] = [
                "*Before*: the same figure measured earlier, "
                + "; ".join(sorted(befores))
                + ", beside the median now (see docs/performance.md).",
                "",
                "| figure | ours (median) | p90 | before (median) | bare | ratio | target | |",
                "|---|---:|---:|---:|---:|---:|---:|---|",
            ]
        for r in run["figures"]:
            ok = {True: "✅", False: "❌ missed", None: ""}[r["meets"]]
            ratio = f"{r['ratio']:.1f}×" if r["ratio"] else "–"
            p90 = fmt_value(r["p90"], r["unit"]) if r.get("p90") is not None else "–"
            label = r["label"] + (f" — *{r['note']}*" if r["note"] else "")
            before = ""
            if befores:
                b = r.get("before")
                before = (fmt_value(b["median"], r["unit"]) if b else "–") + " | "
            out.append(
                f"| {label} | {fmt_value(r['median'], r['unit'])} | {p90} | {before}"
                f"{fmt_value(r['bare_median'], r['unit'])} | {ratio} | {fmt_target(r)} | {ok} |"
            )
        out += [
            "",
            "<details><summary>Query plans seen (EXPLAIN QUERY PLAN / EXPLAIN ANALYZE)</summary>",
            "",
        ]
        for key, lines in sorted(run["plans"].items()):
            out += [f"**{key}**", "", "```", lines[0][:600], *lines[1:], "```", ""]
        out += ["</details>", ""]
    out += search_mix_markdown()
    out += kept_sections({line for line in out if line.startswith("## ")})
    RESULTS_MD.write_text("\n".join(out))


def kept_sections(generated: set[str]) -> list[str]:
    """The sections of the present RESULTS.md that this script does not write (figures that
    other benchmarks or people added under their own ``## `` heading), kept in order."""
    if not RESULTS_MD.exists():
        return []
    kept: list[str] = []
    keep = False
    for line in RESULTS_MD.read_text().splitlines():
        if line.startswith("## "):
            keep = line not in generated and not line.startswith(
                ("## PostgreSQL", "## SQLite", "## Search as you type")
            )
        if keep:
            kept.append(line)
    return [*kept, ""] if kept else []


def search_mix_markdown() -> list[str]:
    """The runs of ``benchmarks/search_mix.py`` (search as you type on one pooled connection)."""
    runs = [json.loads(p.read_text()) for p in sorted((RESULTS_DIR / "search_mix").glob("*.json"))]
    if not runs:
        return []
    out = [
        "## Search as you type on one pooled connection (`benchmarks/search_mix.py`)",
        "",
        "Thousands of searches clerks type (codes, NIKs, WhatsApp numbers, names a letter at a "
        "time, several clerks interleaved) through `queries.search` in the read unit, all on one "
        "pooled connection — where psycopg prepares each statement on the server after its "
        "fifth run and a generic plan, had PostgreSQL chosen one, would show as a slow shape.",
        "",
    ]
    for run in runs:
        m = run["machine"]
        prepared = run.get("prepared") or {}
        out += [
            f"### {run['engine']}",
            "",
            f"- command: `{run['command']}`",
            f"- date: {m['date']}; load average before {run['load_before']}, after "
            f"{run['load_after']}; machine: {m['cpu']}",
            f"- {run['requests']:,} requests; {run['queries']:,} queries in "
            f"{run['seconds']:.1f} s"
            + (
                f"; prepared on the server: {prepared['statements']} statements, "
                f"{prepared['custom_plans']:,} custom plans, {prepared['generic_plans']:,} "
                "generic plans"
                if prepared.get("statements")
                else ""
            ),
            "",
            "| shape | queries | p50 | p99 | max |",
            "|---|---:|---:|---:|---:|",
        ]
        for sh in run["shapes"]:
            out.append(
                f"| {sh['shape']} | {sh['n']:,} | {fmt_value(sh['p50'], 'ms')} | "
                f"{fmt_value(sh['p99'], 'ms')} | {fmt_value(sh['max'], 'ms')} |"
            )
        out.append("")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--db", type=Path, help="a generated SQLite file")
    target.add_argument("--postgres", metavar="URL", help="a generated database, or 'auto'")
    parser.add_argument(
        "--generate", type=int, metavar="N", help="with --postgres auto: generate N requests first"
    )
    parser.add_argument("--repeats", type=int, default=21)
    parser.add_argument("--only", help=f"comma-separated groups: {', '.join(GROUPS)}")
    parser.add_argument("--scroll-pages", type=int, default=0, help="0: every page")
    parser.add_argument("--coldstart-runs", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument(
        "--merge",
        action="store_true",
        help="with --only: replace those figures in this engine's saved results",
    )
    parser.add_argument(
        "--before",
        metavar="WHAT",
        help="with --merge: keep each replaced figure beside the new one, labelled WHAT",
    )
    args = parser.parse_args(argv)
    groups = args.only.split(",") if args.only else list(GROUPS)
    started = time.perf_counter()
    load_before = load()
    server = None
    generated = "?"
    if args.postgres == "auto":
        from .pgserver import destroy, start_bench_server

        server, collation = start_bench_server()
        url = server.url("office")
        say(f"PostgreSQL started ({collation}) at {url}")
    elif args.postgres:
        url = args.postgres
    else:
        url = f"sqlite:///{args.db.resolve()}"
    try:
        db = Database(url)
        if args.generate:
            from .generate import generate

            generate(db, requests=args.generate, progress=say)
            generated = f"python -m benchmarks.generate … --requests {args.generate}"
            db = Database(url)
        with db.read() as s:
            if not s.execute(select(func.count(Case.id))).scalar_one():
                raise SystemExit("no requests here: run python -m benchmarks.generate first")
        info = machine(db)
        data = dataset(db)
        say(f"{data['requests']:,} requests in {info['database']}")
        b = F.Bench(db, Bare(db), Capture(db), random.Random(6), args.repeats, say)
        figs: list[Figure] = []

        def group(name: str, fn: Callable[[], list[Figure]]) -> None:
            if name not in groups:
                return
            say(f"{name} …")
            got = fn()
            figs.extend(got)
            print_table([row_of(f) for f in got])

        group("inbox", lambda: F.inbox_figures(b))
        group("lookups", lambda: F.lookup_figures(b))
        scroll: list[Figure] = []

        def scroll_core() -> list[Figure]:
            scroll.append(F.scroll_core_figure(b))
            return scroll

        group("scroll", scroll_core)
        group("documents", lambda: F.document_figures(b))
        group("coldstart", lambda: coldstart_figure(url, args.coldstart_runs))
        bare_page = scroll[0].bare_median if scroll else None
        group("ui_scroll", lambda: ui_scroll_figures(url, args.scroll_pages or None, bare_page))
        group("intake", lambda: F.intake_figures(b))
        b.bare.close()
        db.dispose()
        rows = [row_of(f) for f in figs]
        print()
        print_table(rows)
        engine = "PostgreSQL" if db.dialect == "postgresql" else "SQLite"
        command = "python -m benchmarks.run " + " ".join(argv if argv is not None else sys.argv[1:])
        if args.db is not None:
            generated = f"python -m benchmarks.generate --db {args.db} (see the data line)"
        elif args.postgres != "auto":
            generated = "python -m benchmarks.generate --postgres URL (see the data line)"
        result = {
            "engine": engine,
            "command": command,
            "machine": info,
            "dataset": data,
            "load_before": load_before,
            "load_after": load(),
            "figures": rows,
            "plans": b.plans,
            "seconds": time.perf_counter() - started,
            "generated": generated,
            "finished": datetime.now(UTC).isoformat(),
        }
        saved = RESULTS_DIR / f"{engine.lower()}.json"
        if args.only and args.merge and saved.exists():
            old = json.loads(saved.read_text())
            fresh = {r["key"]: r for r in rows}
            if args.before:  # keep the figure being replaced beside the new one
                for r in old["figures"]:
                    if r["key"] in fresh:
                        fresh[r["key"]]["before"] = {
                            "median": r["median"],
                            "p90": r.get("p90"),
                            "what": args.before,
                        }
            old["figures"] = [fresh.pop(r["key"], r) for r in old["figures"]] + list(fresh.values())
            old["plans"].update(b.plans)
            old["command"] += (
                f" ; then {command} ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load "
                f"{load_before} → {load()})"
            )
            result = old
        if not args.no_write and (not args.only or args.merge):
            RESULTS_DIR.mkdir(exist_ok=True)
            saved.write_text(json.dumps(result, indent=1, default=str))
            write_markdown()
            say(f"wrote {RESULTS_MD}")
    finally:
        if server is not None:
            destroy(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
