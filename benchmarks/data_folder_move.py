"""The one-time move of a per-user SQLite database to the PC's data folder, timed by phase.

    python -m benchmarks.data_folder_move --db office-1m.sqlite3 [--work DIR]

Copies ``--db`` (a generated database: ``python -m benchmarks.generate``) into a scratch
"user folder" under ``--work`` (plain file copy, not timed as part of the move), then runs
``sipelayanan.data_folder.move_user_database`` to a scratch "PC data folder" and prints the time
of each phase — the online backup, ``PRAGMA integrity_check`` of the copy, the row counts — and
the whole move, with the file size. The scratch folder is deleted afterwards.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sipelayanan import data_folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="move-", dir=args.work))
    try:
        old = work / "user" / data_folder.DB_FILENAME
        old.parent.mkdir(parents=True)
        src = sqlite3.connect(args.db)  # a consistent copy even if the source is in WAL mode
        dst = sqlite3.connect(old)
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = WAL")
        dst.close()
        src.close()
        size = old.stat().st_size
        phases: dict[str, float] = {}

        def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
            def wrapper(*a: Any, **kw: Any) -> Any:
                t = time.perf_counter()
                try:
                    return fn(*a, **kw)
                finally:
                    phases[name] = phases.get(name, 0.0) + time.perf_counter() - t

            return wrapper

        real_counts = data_folder._counts
        data_folder._counts = timed("row counts (both)", real_counts)  # type: ignore[assignment]
        started = time.perf_counter()
        result = data_folder.move_user_database(old, work / "pc" / data_folder.DB_FILENAME)
        total = time.perf_counter() - started
        data_folder._counts = real_counts  # type: ignore[assignment]
        assert result.moved_from == old and not result.failed, result
        t = time.perf_counter()
        conn = sqlite3.connect(work / "pc" / data_folder.DB_FILENAME)
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        conn.close()
        phases["integrity_check (measured again, alone)"] = time.perf_counter() - t
        assert check == "ok"
        print(f"database: {size / 1e6:,.0f} MB ({args.db.name})")
        print(f"whole move: {total:.1f} s")
        for name, seconds in phases.items():
            print(f"  {name}: {seconds:.1f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
