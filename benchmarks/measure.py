"""Timing, SQL capture and the bare-engine replay the figures are built on.

Every lookup is measured twice on the same inputs: through our layers (the unit the app uses for
it — the read unit ``Database.read()`` for reads, ``write()`` for the rest —, the
service function, SQLAlchemy's compiled statements, the dataclasses it returns) and as the very
same SQL statements, captured while our function ran, replayed through the bare driver
(``sqlite3`` or ``psycopg``) on one open connection inside one transaction, rows fetched. The
ratio between the two is the cost of our layers on this machine, whatever its speed.
"""

from __future__ import annotations

import os
import platform
import sqlite3
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

from sipelayanan.db import Database, sqlite_path

Statement = tuple[str, Any]


@dataclass
class Figure:
    """One line of the results table (times in seconds)."""

    key: str
    label: str
    ours: list[float]
    bare: list[float] = field(default_factory=list)
    target: float | None = None  # seconds, or for "per second" figures the minimum rate
    unit: str = "ms"  # "ms", "s", "/s", "MB"
    note: str = ""
    bare_label: str = "same SQL via driver"
    value_override: float | None = None  # a figure that is not a median of times (rates, MB)

    @property
    def median(self) -> float:
        if self.value_override is not None:
            return self.value_override
        return statistics.median(self.ours)

    @property
    def bare_median(self) -> float | None:
        return statistics.median(self.bare) if self.bare else None

    @property
    def ratio(self) -> float | None:
        b = self.bare_median
        if b is None or b <= 0:
            return None
        if self.unit == "/s":  # a rate: bare is also a rate, higher is better
            return b / self.median if self.median else None
        return self.median / b

    @property
    def p90(self) -> float:
        data = sorted(self.ours)
        return data[min(len(data) - 1, round(0.9 * (len(data) - 1)))]

    def meets(self) -> bool | None:
        if self.target is None:
            return None
        if self.unit == "/s":
            return self.median >= self.target
        return self.median <= self.target


class Capture:
    """Records the statements a database sends to its driver while active (SQLAlchemy's
    ``before_cursor_execute`` event on every engine — SQLite reads have an engine of their own
    —, every unit of work alike). The listener is attached only while recording, so the timed
    runs pay no event dispatch; record one database at a time."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.engine: Engine = db.engine
        self.statements: list[Statement] = []
        self.active = False

    def _on_execute(
        self, _conn: Any, _cursor: Any, statement: str, parameters: Any, _ctx: Any, many: bool
    ) -> None:
        if not self.active or many:
            return
        head = statement.lstrip()[:8].upper()
        if head.startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOIN", "RELEASE", "PRAGMA Q")):
            return
        self.statements.append((statement, parameters))

    @contextmanager
    def recording(self) -> Iterator[list[Statement]]:
        self.statements = []
        self.active = True
        event.listen(Engine, "before_cursor_execute", self._on_execute)
        try:
            yield self.statements
        finally:
            self.active = False
            event.remove(Engine, "before_cursor_execute", self._on_execute)

    def close(self) -> None:
        if self.active:
            event.remove(Engine, "before_cursor_execute", self._on_execute)
            self.active = False


class Bare:
    """One bare driver connection to the same database, used like the app uses its pool."""

    def __init__(self, db: Database) -> None:
        self.dialect = db.dialect
        path = sqlite_path(db.url)
        if self.dialect == "sqlite":
            assert path is not None
            self.conn: Any = sqlite3.connect(path, isolation_level=None)
            self.conn.execute("PRAGMA busy_timeout = 30000")
        else:
            import psycopg

            u = db.engine.url.set(drivername="postgresql")
            self.conn = psycopg.connect(u.render_as_string(hide_password=False))

    def run(self, statements: Sequence[Statement]) -> int:
        """Execute and fetch every statement in one read transaction; returns rows fetched."""
        n = 0
        if self.dialect == "sqlite":
            cur = self.conn.cursor()
            cur.execute("BEGIN")
            for sql, params in statements:
                n += len(cur.execute(sql, params).fetchall())
            cur.execute("COMMIT")
            cur.close()
        else:
            with self.conn.cursor() as cur:
                for sql, params in statements:
                    cur.execute(sql, params)
                    if cur.description is not None:
                        n += len(cur.fetchall())
            self.conn.commit()
        return n

    def explain(self, sql: str, params: Any) -> list[str]:
        if self.dialect == "sqlite":
            rows = self.conn.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
            return [str(r[3]) for r in rows]
        with self.conn.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
            lines = [str(r[0]) for r in cur.fetchall()]
        self.conn.rollback()
        return lines

    def close(self) -> None:
        self.conn.close()


def clock(fn: Callable[[], Any]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def paired(
    inputs: Sequence[Any],
    ours: Callable[[Any], Any],
    bare: Callable[[Any], Any] | None,
    *,
    warmup: int = 2,
) -> tuple[list[float], list[float]]:
    """Time ``ours(x)`` and ``bare(x)`` on every input, alternating which goes first so neither
    always runs on a cache the other warmed."""
    for x in inputs[:warmup]:
        ours(x)
        if bare is not None:
            bare(x)
    a: list[float] = []
    b: list[float] = []

    def timed(fn: Callable[[Any], Any], x: Any) -> float:
        t = time.perf_counter()
        fn(x)
        return time.perf_counter() - t

    for i, x in enumerate(inputs):
        if bare is None:
            a.append(timed(ours, x))
            continue
        if i % 2:
            b.append(timed(bare, x))
            a.append(timed(ours, x))
        else:
            a.append(timed(ours, x))
            b.append(timed(bare, x))
    return a, b


# --------------------------------------------------------------------------- the machine


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def ram_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return None


def load() -> str:
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "?"
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def machine(db: Database) -> dict[str, str]:
    import sqlalchemy

    info = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{cpu_model()}, {os.cpu_count()} logical cores",
        "ram": f"{ram_gib():.1f} GiB" if ram_gib() else "?",
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "sqlalchemy": sqlalchemy.__version__,
        "database": db.describe(),
    }
    if db.dialect == "postgresql":
        with db.read() as session:
            from sqlalchemy import text

            info["postgresql"] = str(session.execute(text("SHOW server_version")).scalar())
            info["collation"] = str(
                session.execute(
                    text(
                        "SELECT COALESCE(daticulocale, datcollate) FROM pg_database "
                        "WHERE datname = current_database()"
                    )
                ).scalar()
            )
    path = sqlite_path(db.url)
    if path is not None and path.exists():
        size = path.stat().st_size
        info["file"] = f"{size / 1024**3:.2f} GiB"
    return info
