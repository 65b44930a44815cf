"""Whole-process start-up of the ``sipelayanan`` command, beside ``python -c pass``.

    python -m benchmarks.cli_startup [--db URL] [--runs 15]

Runs each command ``--runs`` times, round-robin (so a burst of load on a shared machine hits
every command alike), and prints the median, minimum and 90th percentile wall time of the whole
process: interpreter start, imports, argument parsing, SOP check, opening the database and the
work itself. ``--db`` is a generated database (``python -m benchmarks.generate``); without it
only the commands that need no database are timed.

Commands: ``python -c pass`` (the floor), ``python -c "import sqlalchemy"`` (what any command
touching the database pays), ``sipelayanan --version``, ``sipelayanan status CODE`` and
``sipelayanan case show CODE --user kasi`` (which logs in: an Argon2 verification and an audit
entry, since reading personal data is recorded).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _exe() -> list[str]:
    script = Path(sys.executable).with_name("sipelayanan")
    return [str(script)] if script.exists() else [sys.executable, "-m", "sipelayanan"]


def _some_code(url: str) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        n = conn.execute(text("SELECT max(id) FROM cases")).scalar_one()
        code = conn.execute(
            text("SELECT code FROM cases WHERE id >= :i ORDER BY id LIMIT 1"), {"i": n // 2}
        ).scalar_one()
    engine.dispose()
    return str(code)


def _has_user(url: str, username: str) -> bool:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        found = conn.execute(
            text("SELECT count(*) FROM users WHERE username = :u"), {"u": username}
        ).scalar_one()
    engine.dispose()
    return bool(found)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _load() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cli_startup")
    parser.add_argument("--db", metavar="URL", help="sqlite:///FILE or postgresql://…")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)

    exe = _exe()
    commands: dict[str, tuple[list[str], str | None]] = {
        "python -c pass": ([sys.executable, "-c", "pass"], None),
        'python -c "import sqlalchemy"': ([sys.executable, "-c", "import sqlalchemy"], None),
        "sipelayanan --version": ([*exe, "--version"], None),
    }
    if args.db:
        code = _some_code(args.db)
        commands["sipelayanan status CODE"] = ([*exe, "--db", args.db, "status", code], None)
        if _has_user(args.db, "kasi"):
            commands["sipelayanan case show CODE --user kasi (login + audit entry)"] = (
                [*exe, "--db", args.db, "case", "show", code, "--user", "kasi"],
                "rahasia123\n",
            )
    with tempfile.TemporaryDirectory(prefix="sip-cli-bench-") as home:
        env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=home, XDG_DATA_HOME=home)
        env.pop("SIPELAYANAN_DB", None)
        times: dict[str, list[float]] = {name: [] for name in commands}
        load_before = _load()
        for name, (cmd, stdin) in list(commands.items()):  # one warm-up each (OS file cache)
            out = subprocess.run(cmd, input=stdin, capture_output=True, text=True, env=env)
            if out.returncode != 0 and "--user" in cmd:  # an older version: no login to show
                del commands[name], times[name]
                name, cmd = name.split(" --user")[0] + " (older version: no login)", cmd[:-2]
                commands[name], times[name] = (cmd, None), []
                out = subprocess.run(cmd, capture_output=True, text=True, env=env)
            if out.returncode != 0:
                print(f"{name}: exit {out.returncode}: {out.stderr.strip()}", file=sys.stderr)
                return 1
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, (cmd, stdin) in commands.items():
                c = _children_cpu()
                t = time.perf_counter()
                subprocess.run(cmd, input=stdin, capture_output=True, text=True, env=env)
                times[name].append(time.perf_counter() - t)
                cpu[name].append(_children_cpu() - c)
        load_after = _load()

    print(f"whole-process wall time, {args.runs} runs each, round-robin")
    print(f"database: {args.db or '-'}")
    print(f"load average before {load_before}, after {load_after}; {os.cpu_count()} CPUs")
    print(f"{'command':<62} {'median':>8} {'min':>8} {'p90':>8} {'CPU':>8}")
    for name, ts in times.items():
        ts.sort()
        p90 = ts[min(len(ts) - 1, round(0.9 * (len(ts) - 1)))]
        print(
            f"{name:<62} {statistics.median(ts) * 1000:>6.0f}ms {ts[0] * 1000:>6.0f}ms "
            f"{p90 * 1000:>6.0f}ms {statistics.median(cpu[name]) * 1000:>6.0f}ms"
        )
    print("CPU: median user+system time of the process (less sensitive to a busy machine)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
