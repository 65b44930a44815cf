"""How long the documents take at office scale. Not part of the test suite; run on demand:

    .venv/bin/python benchmarks/bench_reports.py [--rows 10000] [--keep]

Builds a temporary SQLite database with ``--rows`` finished requests spread over one year
(bulk inserts straight into the tables: register entries, SIAK numbers, hand-overs and the
full step history), then times every report kind in every format and a tanda terima, printing
seconds, size and pages.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select

from sipelayanan.db import Database
from sipelayanan.demo import ensure_demo_users
from sipelayanan.identity import new_tracking_code
from sipelayanan.models import (
    Case,
    CaseDocument,
    CaseStep,
    ChecklistItem,
    Delivery,
    RegisterCounter,
    RegisterEntry,
)
from sipelayanan.services import step_stats
from sipelayanan.services.cases import snapshot_for
from sipelayanan.services.office import work_calendar
from sipelayanan.sop import services

FIRST = ["Ahmad", "Siti", "Muhammad", "Nur", "Dedi", "Rini", "Joko", "Wati", "Agus", "Lina"]
LAST = ["Saputra", "Sari", "Hidayat", "Wijaya", "Lestari", "Pratama", "Susanti", "Gunawan"]
WEIGHTS = {
    "KK": 30,
    "SKPWNI": 12,
    "KTP_EL": 20,
    "KIA": 12,
    "AKTA_LAHIR": 16,
    "AKTA_MATI": 6,
    "PENGADUAN": 4,
}


def populate(db: Database, rows: int, year: int, seed: int = 7) -> None:
    """Insert ``rows`` finished requests of ``year`` with bulk INSERTs (no ORM objects)."""
    rng = random.Random(seed)
    actors, _ = ensure_demo_users(db)
    uid = {name: a.user_id for name, a in actors.items()}
    role_user = {
        "operator_online": uid["online"],
        "operator": uid["operator"],
        "kasi": uid["kasi"],
        "kabid": uid["kabid"],
        "kadis": uid["kadis"],
        "petugas_penyerahan": uid["penyerahan"],
        "petugas_aduan": uid["aduan"],
        "pejabat_aduan": uid["pejabat"],
        "tim_aduan": uid["tim"],
    }
    start = datetime(year, 1, 2, 1, 0, tzinfo=UTC)
    with db.read() as session:
        cal = work_calendar(session)
    codes = list(WEIGHTS)
    weights = list(WEIGHTS.values())
    used: set[str] = set()
    with db.write() as session:
        snaps = {c: snapshot_for(session, services()[c], start).id for c in codes}
        session.flush()
        cases, steps, regs, docs, dels, checks = [], [], [], [], [], []
        counters: dict[str, int] = {}
        times = sorted(
            cal.next_opening(start + timedelta(minutes=rng.random() * 360 * 24 * 60))
            for _ in range(rows)
        )
        for i, received in enumerate(times):
            svc = rng.choices(codes, weights)[0]
            sdef = services()[svc]
            code = new_tracking_code(rng)
            while code in used:
                code = new_tracking_code(rng)
            used.add(code)
            t = received
            history = []
            reg_at = None
            for s in sdef.steps:
                minutes = max(1.0, rng.lognormvariate(0, 0.5) * s.minutes)
                end = cal.add_working_minutes(t, minutes)
                history.append((s.no, t, end, minutes))
                if s.assigns_register:
                    reg_at = end
                t = end
            case_id = i + 1
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            cases.append(
                {
                    "id": case_id,
                    "code": code,
                    "service": svc,
                    "sop_snapshot_id": snaps[svc],
                    "sop_version": sdef.version,
                    "pemohon_nama": name,
                    "name_key": name.upper(),
                    "nik": None,
                    "no_kk": None,
                    "wa": "+6281234567890",
                    "kecamatan": f"18.08.{rng.randint(1, 15):02d}",
                    "conditions": "",
                    "status": "selesai",
                    "current_step": sdef.last_step,
                    "current_role": None,
                    "step_started_at": history[-1][1],
                    "received_at": received,
                    "due_at": cal.due_time(received),
                    "finished_at": t,
                    "returned_count": 0,
                    "closed_path": "eskalasi" if svc == "PENGADUAN" else None,
                    "solusi": "Data diperbaiki di SIAK." if svc == "PENGADUAN" else None,
                    "uraian": "Data KK tidak sesuai." if svc == "PENGADUAN" else None,
                    "created_by": uid["online"],
                    "version": 1,
                }
            )
            for no, s_at, e_at, minutes in history:
                steps.append(
                    {
                        "case_id": case_id,
                        "step_no": no,
                        "action": "selesai",
                        "to_step": None,
                        "user_id": role_user[sdef.step(no).role],
                        "started_at": s_at,
                        "ended_at": e_at,
                        "working_minutes": round(minutes, 2),
                        "note": None,
                    }
                )
            for r in sdef.requirements:
                checks.append({"case_id": case_id, "item_key": r.key, "present": True})
            if reg_at is not None:
                counters[svc] = counters.get(svc, 0) + 1
                regs.append(
                    {
                        "case_id": case_id,
                        "service": svc,
                        "year": year,
                        "number": counters[svc],
                        "assigned_at": reg_at,
                        "assigned_by": uid["operator"],
                    }
                )
            if sdef.document_kind and any("nomor_dokumen" in s.records for s in sdef.steps):
                docs.append(
                    {
                        "case_id": case_id,
                        "kind": sdef.document_kind,
                        "number": f"1808-{rng.randint(10**9, 10**10 - 1)}",
                        "recorded_at": t,
                        "recorded_by": uid["operator"],
                    }
                )
            if any("penyerahan" in s.records for s in sdef.steps):
                pos = rng.random() < 0.4
                dels.append(
                    {
                        "case_id": case_id,
                        "method": "pos" if pos else "diambil",
                        "recipient": None if pos else name,
                        "resi": f"P{rng.randint(10**11, 10**12 - 1)}" if pos else None,
                        "delivered_at": t,
                        "user_id": uid["penyerahan"],
                    }
                )
        session.execute(insert(Case), cases)
        session.execute(insert(CaseStep), steps)
        session.execute(insert(ChecklistItem), checks)
        session.execute(insert(RegisterEntry), regs)
        session.execute(insert(CaseDocument), docs)
        session.execute(insert(Delivery), dels)
        session.execute(
            insert(RegisterCounter),
            [{"service": s, "year": year, "last_number": n} for s, n in counters.items()],
        )
        step_stats.rebuild(session.connection())  # the kinerja's per-day figures


def pages(pdf: bytes) -> int | str:
    try:
        from pypdf import PdfReader
    except ImportError:
        return "?"
    return len(PdfReader(io.BytesIO(pdf)).pages)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the database and the files")
    parser.add_argument("--only", help="comma-separated kinds to time (default: all)")
    args = parser.parse_args()

    from sipelayanan.reports import REPORT_FORMATS, receipt, report

    folder = Path(tempfile.mkdtemp(prefix="bench_reports_"))
    db = Database(f"sqlite:///{folder / 'bench.sqlite3'}")
    db.upgrade()
    t0 = time.perf_counter()
    populate(db, args.rows, args.year)
    print(
        f"data: {args.rows} finished requests of {args.year} inserted in "
        f"{time.perf_counter() - t0:.1f} s ({folder})"
    )
    if hasattr(os, "getloadavg"):
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    d0, d1 = date(args.year, 1, 1), date(args.year, 12, 31)
    kinds = args.only.split(",") if args.only else list(REPORT_FORMATS)
    print(f"{'report':<28}{'seconds':>9}{'size KiB':>10}{'pages':>7}")
    for kind in kinds:
        for fmt in REPORT_FORMATS[kind]:
            with db.write() as session:
                t = time.perf_counter()
                data = report(session, kind, d0, d1, fmt=fmt)  # type: ignore[arg-type]
                took = time.perf_counter() - t
            n = pages(data) if fmt == "pdf" else ""
            print(
                f"{kind + ' ' + fmt + ' (all services)':<28}{took:>9.2f}{len(data) / 1024:>10.0f}"
                f"{n!s:>7}"
            )
            if args.keep:
                (folder / f"{kind}.{fmt}").write_bytes(data)
    if not args.only or "register" in kinds:
        with db.write() as session:
            t = time.perf_counter()
            data = report(session, "register", d0, d1, service="KK", fmt="pdf")
            took = time.perf_counter() - t
        print(
            f"{'register pdf (KK only)':<28}{took:>9.2f}{len(data) / 1024:>10.0f}{pages(data)!s:>7}"
        )
    with db.read() as session:
        code = session.execute(select(Case.code).limit(1)).scalar_one()
    for fmt in ("pdf", "png"):
        with db.write() as session:
            t = time.perf_counter()
            data = receipt(session, code, fmt)  # type: ignore[arg-type]
            took = time.perf_counter() - t
        print(f"{'tanda terima ' + fmt:<28}{took:>9.2f}{len(data) / 1024:>10.0f}")
    db.dispose()
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
