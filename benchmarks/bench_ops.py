"""Figures for several PCs at once, the audit chain and backups (run on demand).

    .venv/bin/python -m benchmarks.bench_ops                 # SQLite and a throw-away PostgreSQL
    .venv/bin/python -m benchmarks.bench_ops --engine sqlite

Prints, per engine: register numbers taken by 8 processes at once (each a separate PC finishing
KTP-el step 4 through the service layer), ``audit verify`` speed over a long chain, and backup /
restore time and size for a database holding berkas.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select

from sipelayanan.backup import FORMAT_PORTABLE, backup, default_format, restore
from sipelayanan.db import Database
from sipelayanan.demo import ensure_demo_users
from sipelayanan.identity import new_tracking_code
from sipelayanan.models import Attachment, RegisterEntry
from sipelayanan.services import audit
from sipelayanan.services import cases as svc
from sipelayanan.services.berkas import BerkasFile
from tests import proc_worker as pw
from tests.services.test_concurrency import _clone_at_step

NIK = "1808015708900003"


def _fresh(engine: str, tmp: Path, server: Any, name: str) -> Database:
    if engine == "sqlite":
        db = Database(f"sqlite:///{tmp / (name + '.sqlite3')}")
    else:
        server.psql(f"CREATE DATABASE {name}")
        db = Database(server.url(name))
    db.upgrade()
    return db


def registers(db: Database, actors: dict[str, Any], tmp: Path, workers: int, each: int) -> str:
    with db.write() as s:
        code = svc.intake(
            s,
            actors["online"],
            svc.IntakeData(
                service="KTP_EL",
                nama="Budi Santoso",
                nik=NIK,
                wa="081234567890",
                present=["fotokopi_kk", "ktp_el_lama"],
            ),
        ).code
    for user in ("online", "online", "operator"):
        with db.write() as s:
            svc.advance(s, actors[user], code)
    rng = random.Random(1)
    clones = sorted({new_tracking_code(rng) for _ in range(workers * each + 10)} - {code})
    clones = clones[: workers * each - 1]
    _clone_at_step(db, code, clones)
    codes = [code, *clones]
    go = tmp / f"go-{db.dialect}"
    procs = [
        pw.start(
            "advance_many",
            url=db.url,
            user="penyerahan",
            codes=codes[i * each : (i + 1) * each],
            go=str(go),
        )
        for i in range(workers)
    ]
    pw.release(procs, go)
    started = time.perf_counter()
    results = [pw.result(p, timeout=1800) for p in procs]
    wall = time.perf_counter() - started
    with db.read() as s:
        numbers = sorted(s.execute(select(RegisterEntry.number)).scalars())
    ok = numbers == list(range(1, workers * each + 1))
    per = sorted(r["seconds"] for r in results)
    return (
        f"{workers}×{each} register numbers: {wall:.1f} s wall, "
        f"{workers * each / wall:.0f}/s, slowest process {per[-1]:.1f} s, "
        f"gapless 1…{workers * each}: {'yes' if ok else 'NO'}"
    )


def verify_speed(db: Database, entries: int) -> str:
    with db.write() as s:
        for i in range(entries):
            audit.record(s, None, "bench.entry", "bench", i, {"i": i}, username="(bench)")
    with db.read() as s:
        n = audit.change_token(s)
    started = time.perf_counter()
    with db.read() as s:
        result = audit.verify(s)
    took = time.perf_counter() - started
    rate = f"{n / took:,.0f}/s"
    return f"audit verify: {result.entries} entries in {took:.2f} s ({rate}), ok={result.ok}"


def backup_figures(db: Database, actors: dict[str, Any], tmp: Path, mb: int) -> list[str]:
    blob = os.urandom(1024 * 1024 - 64)
    for i in range(mb):
        pdf = b"%PDF-1.4\n%" + blob + f"\n{i}\nstartxref\n0\n%%EOF\n".encode()
        with db.write() as s:
            svc.intake(
                s,
                actors["online"],
                svc.IntakeData(
                    service="KK",
                    nama="Siti Aminah",
                    nik=NIK,
                    wa="081234567890",
                    berkas=[BerkasFile(f"scan-{i}.pdf", pdf)],
                ),
            )
    lines = []
    for fmt in sorted({default_format(db), FORMAT_PORTABLE}):
        out = tmp / f"backup-{db.dialect}-{fmt}.bin"
        r = backup(db, out, fmt=fmt)
        target = Database(f"sqlite:///{tmp / f'restore-{db.dialect}-{fmt}.sqlite3'}")
        if fmt == "pg_dump":
            lines.append(
                f"backup {fmt}: {mb} MB of berkas in {r.seconds:.1f} s, "
                f"file {r.size / 1e6:.1f} MB (restore needs PostgreSQL; not timed here)"
            )
            continue
        started = time.perf_counter()
        rr = restore(target, out)
        took = time.perf_counter() - started
        with target.read() as s:
            count = s.execute(select(func.count()).select_from(Attachment)).scalar_one()
        target.dispose()
        lines.append(
            f"backup {fmt}: {mb} MB of berkas in {r.seconds:.1f} s, file {r.size / 1e6:.1f} MB; "
            f"restore into SQLite {took:.1f} s, {count} berkas, audit ok={rr.audit_ok}"
        )
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--each", type=int, default=200)
    ap.add_argument("--audit-entries", type=int, default=20_000)
    ap.add_argument("--berkas-mb", type=int, default=50)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="sipelayanan-bench-ops-"))
    server = None
    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    try:
        if "postgres" in engines:
            from benchmarks.pgserver import start_bench_server

            server, _collation = start_bench_server()
        for engine in engines:
            print(f"== {engine}")
            db = _fresh(engine, tmp, server, "reg")
            actors, _ = ensure_demo_users(db)
            print("  " + registers(db, actors, tmp, args.workers, args.each))
            db.dispose()
            db = _fresh(engine, tmp, server, "chain")
            print("  " + verify_speed(db, args.audit_entries))
            db.dispose()
            db = _fresh(engine, tmp, server, "files")
            actors, _ = ensure_demo_users(db)
            for line in backup_figures(db, actors, tmp, args.berkas_mb):
                print("  " + line)
            db.dispose()
    finally:
        if server is not None:
            from benchmarks.pgserver import destroy

            destroy(server)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
