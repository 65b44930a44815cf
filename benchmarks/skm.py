"""What the Survei Kepuasan Masyarakat costs (run on demand; prints figures).

    .venv/bin/python -m benchmarks.skm [--jawaban 20000]

On a fresh SQLite file in a temporary folder: a CSV of N answers (a year, every surveyed
service, random profiles) imported through ``import_csv`` (each row checked and recorded in its
own savepoint, as ``sipelayanan skm import`` does); then the year's figures (``survey``), the
report as PDF and as xlsx, and the one-page summary.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jawaban", type=int, default=20_000)
    args = parser.parse_args()

    from sqlalchemy import select

    from sipelayanan.db import Database
    from sipelayanan.demo import ensure_demo_users
    from sipelayanan.models import User
    from sipelayanan.reports import report
    from sipelayanan.reports.common import make_context
    from sipelayanan.reports.data import check_period
    from sipelayanan.reports.skm import render_summary_pdf
    from sipelayanan.services.context import Actor
    from sipelayanan.skm.importer import import_csv
    from sipelayanan.skm.store import CSV_FIELDS, survey, surveyed_services

    rng = random.Random(16)
    services = list(surveyed_services())
    start = date(2025, 1, 1)
    lines = [",".join(CSV_FIELDS)]
    for _ in range(args.jawaban):
        day = start + timedelta(days=rng.randrange(365))
        answers = [str(rng.choice((2, 3, 3, 3, 4, 4))) for _ in range(9)]
        profile = [str(rng.randint(17, 75)), rng.choice("LP"), str(rng.randint(1, 6))]
        saran = rng.choice(("", "", "Antrean lebih tertib"))
        row = [day.isoformat(), rng.choice(services), "", *answers, *profile]
        lines.append(",".join([*row, str(rng.randint(1, 6)), saran]))
    text = "\n".join(lines) + "\n"
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{folder}/skm.sqlite3")
        db.upgrade()
        ensure_demo_users(db)
        with db.read() as s:
            uid = s.execute(select(User.id).where(User.username == "admin")).scalar_one()
        actor = Actor(uid, "admin")
        t = time.perf_counter()
        with db.write() as s:
            result = import_csv(s, actor, text)
        took = time.perf_counter() - t
        print(
            f"import {result.recorded} jawaban ({len(text) / 1e6:.1f} MB CSV): {took:.1f} s, "
            f"{result.recorded / took:.0f} baris/s; ditolak {len(result.errors)}"
        )
        period = check_period(date(2025, 1, 1), date(2025, 12, 31))
        t = time.perf_counter()
        with db.read() as s:
            data = survey(s, period.date_from, period.date_to)
        print(
            f"survey (setahun, {data.office.responden} responden): "
            f"{(time.perf_counter() - t) * 1000:.0f} ms; IKM {data.office.index.ikm} "
            f"mutu {data.office.index.mutu.code if data.office.index.mutu else '-'}"
        )
        for fmt in ("pdf", "xlsx"):
            t = time.perf_counter()
            with db.write() as s:
                content = report(s, "skm", period.date_from, period.date_to, fmt=fmt)  # type: ignore[arg-type]
            took = time.perf_counter() - t
            print(f"laporan skm .{fmt}: {took:.1f} s, {len(content) / 1024:.0f} KiB")
        t = time.perf_counter()
        with db.read() as s:
            content = render_summary_pdf(s, make_context(s, None), period)
        print(f"ringkasan .pdf: {time.perf_counter() - t:.2f} s, {len(content) / 1024:.0f} KiB")
        db.dispose()


if __name__ == "__main__":
    main()
