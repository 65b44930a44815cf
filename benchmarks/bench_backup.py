"""What backups with digests cost: backup, restore and the automatic backup's verification on a
generated office database (run on demand; prints figures).

    .venv/bin/python -m benchmarks.generate --db /tmp/bk/office.sqlite3 --requests 100000
    .venv/bin/python -m benchmarks.bench_backup --db /tmp/bk/office.sqlite3

The given database is copied first (the copy is backed up, so the original is never written).
Per format: seconds, rows per second, file size, and the process's peak memory so far.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sipelayanan.backup import FORMAT_PORTABLE, FORMAT_SQLITE, backup, restore
from sipelayanan.backup.auto import verify
from sipelayanan.db import Database


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, required=True, help="a generated SQLite database")
    ap.add_argument("--formats", default="sqlite,portabel")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="sipelayanan-bench-backup-"))
    try:
        copy = tmp / "office.sqlite3"
        src = sqlite3.connect(args.db)
        dst = sqlite3.connect(copy)
        src.backup(dst)
        dst.close()
        src.close()
        db = Database(f"sqlite:///{copy}")
        print(f"database {args.db} ({copy.stat().st_size / 1e6:,.0f} MB)")
        for fmt in args.formats.split(","):
            assert fmt in (FORMAT_SQLITE, FORMAT_PORTABLE)
            out = tmp / f"cadangan.{fmt}"
            started = time.perf_counter()
            made = backup(db, out, fmt=fmt)
            took = time.perf_counter() - started
            rows = sum(made.rows.values())
            print(
                f"  backup {fmt}: {rows:,} rows in {took:.1f} s ({rows / took:,.0f} rows/s, "
                f"digests included), file {made.size / 1e6:,.0f} MB, peak {_peak_mb():,.0f} MB"
            )
            target = Database(f"sqlite:///{tmp / f'pulih-{fmt}.sqlite3'}")
            started = time.perf_counter()
            restored = restore(target, out)
            took = time.perf_counter() - started
            target.dispose()
            print(
                f"  restore {fmt} into SQLite: {took:.1f} s ({rows / took:,.0f} rows/s; digests "
                f"checked before and after writing), audit ok={restored.audit_ok}, "
                f"peak {_peak_mb():,.0f} MB"
            )
            started = time.perf_counter()
            check = verify(out, made)
            took = time.perf_counter() - started
            print(f"  verification (automatic backups): {took:.1f} s, ok={check.ok}")
            out.unlink()
        db.dispose()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
