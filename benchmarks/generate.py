"""Write ten years of an office's history into a SiPelayanan database, fast.

    .venv/bin/python -m benchmarks.generate --db /tmp/office.sqlite3            # 1,000,000
    .venv/bin/python -m benchmarks.generate --db /tmp/small.sqlite3 --requests 20000
    .venv/bin/python -m benchmarks.generate --postgres postgresql://user@host/db

Every request runs through the real SOP definitions (``resources/sop``): one step-history row per
action with working minutes near the SOP's mutu baku (measured with the office's working
calendar: office hours, national holidays, cuti bersama), returns to the pemohon and back moves,
cancellations, register numbers (gapless per service and year, in the order they were given, and
the counters that match), SIAK document numbers, hand-overs (in person or PT POS) and a few
thousand complaints. Requests received in the last hours are still open at the step they have
reached, so every inbox has work; a handful of old ones were forgotten and are long overdue.

Rows are written with bulk inserts (``executemany`` on SQLite, ``COPY`` on PostgreSQL) into the
schema the real migrations create (``Database.upgrade()``); secondary indexes are dropped during
the load and rebuilt from their own definitions afterwards.

The audit chain is real but short: one ``benchmark.import`` entry standing for the generated
history, then one entry per action of the last ``--audit-days`` days (default 30), hashed and
linked like the app's own, so ``sipelayanan audit verify`` passes and ``change_token`` works.
Berkas files (attachments) are not generated: ten years of scans would be hundreds of gigabytes.
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import func, select, text

from sipelayanan.calendar import WIB, WorkCalendar, national_holidays
from sipelayanan.db import Database, sqlite_path
from sipelayanan.demo import DEMO_PASSWORD, DEMO_USER_FOR_ROLE, DEMO_USERS
from sipelayanan.identity import kecamatan_way_kanan, new_tracking_code
from sipelayanan.models import AuditHead, Case, User
from sipelayanan.services import audit, step_stats
from sipelayanan.services.cases import Action, snapshot_for
from sipelayanan.services.context import Actor
from sipelayanan.services.office import work_calendar
from sipelayanan.services.users import create_user
from sipelayanan.sop import ServiceDef, services

DEFAULT_REQUESTS = 1_000_000
DEFAULT_YEARS = 10
CHUNK = 25_000
WORKSTATION = "PELAYANAN-01"

#: Share of each service among requests; complaints are a few per thousand.
SERVICE_WEIGHTS: dict[str, float] = {
    "KK": 28.0,
    "SKPWNI": 11.0,
    "KTP_EL": 22.0,
    "KIA": 14.0,
    "AKTA_LAHIR": 17.0,
    "AKTA_MATI": 7.7,
    "PENGADUAN": 0.3,
}
#: Requests per month relative to the average (July: school enrolment needs KIA and akta).
SEASON = (1.1, 1.0, 1.0, 0.95, 0.95, 1.1, 1.3, 1.05, 0.95, 0.95, 1.0, 0.85)
#: Requests per ISO weekday relative to a Tuesday (WhatsApp never closes).
WEEKDAY = (0.0, 1.2, 1.0, 1.0, 1.0, 0.9, 0.3, 0.2)

P_RETURN_PEMOHON = 0.05  # at each step that may return the berkas, until it happened once
P_NEVER_RESUBMIT = 0.03  # the pemohon never sent the missing berkas
P_BACK = 0.05  # a decision step sends the request back for correction
P_CANCEL = 0.01
P_FORGOTTEN = 0.0002  # left open at some step for good (shows as long overdue)
P_CLOSE_SIMPLE = 0.6  # complaints solved at step 3

FIRST_NAMES = (  # noqa: SIM905
    "Ahmad Agus Andi Arif Bambang Budi Dedi Deni Dimas Doni Eko Fajar Hadi Hendra Heri Imam "
    "Indra Irfan Joko Kurniawan Lukman Made Muhammad Nyoman Putu Rahmat Rizki Rudi Sigit Slamet "
    "Suparman Sutrisno Taufik Teguh Wahyu Wayan Yusuf Zainal Adi Bayu Gilang Hasan Ikhsan Ketut "
    "Komang Nanang Rahmad Ridwan Sugeng Syahrial Syamsul Tri Umar Yogi Zulkifli Abdul Aris "
    "Anisa Ani Ayu Dewi Dian Endang Erna Fitri Indah Lestari Lina Marlina Nur Nurul Putri Rina "
    "Rini Ratna Rosita Sari Siti Sri Suharti Susanti Tuti Wati Wulan Yanti Yuli Yuliana Aisyah "
    "Fatimah Halimah Khadijah Maryam Nia Novi Oktavia Puspita Rahma Retno Riska Sulastri Tari "
    "Wahyuni Yeni Zahra Desi Eka Mega Nita Ratih Vina"
).split()
LAST_NAMES = (  # noqa: SIM905
    "Saputra Sari Hidayat Wijaya Lestari Pratama Susanti Gunawan Kurniawan Rahayu Setiawan "
    "Handayani Nugroho Fitriani Siregar Simanjuntak Harahap Sembiring Purba Hasibuan Santoso "
    "Wibowo Hartono Susilo Prasetyo Utami Wulandari Permata Ramadhan Maulana Firmansyah "
    "Hakim Syahputra Anggraini Puspitasari Kusuma Nasution Lubis Tanjung Sinaga Pane Effendi "
    "Iskandar Rusdi Marzuki Suryadi Haryanto Mulyadi Sulistyo Wahyudi Yulianti Apriyani "
    "Novitasari Safitri Kartika Mandala Perdana Anwar Bakri Hamzah Junaidi Rosyid Pangestu "
    "Sanjaya Aditya Saragih Manurung Gultom Batubara Daulay Ritonga Dalimunthe Pohan"
).split()
UMPU = ("Pangeran", "Minak", "Raden", "Dalom", "Batin")  # Lampung adat titles, now and then
WA_PREFIXES = (
    "811",
    "812",
    "813",
    "821",
    "822",
    "823",
    "851",
    "852",
    "853",
    "855",
    "856",
    "857",
    "858",
    "877",
    "878",
    "881",
    "882",
    "895",
    "896",
    "897",
    "898",
)
RETURN_REASONS = (
    "Ejaan nama tidak sesuai berkas, mohon diperbaiki.",
    "Tanggal lahir pada draf berbeda dengan akta, mohon dicek ulang.",
    "Alamat RT/RW belum sesuai formulir.",
    "Hasil cetak kurang jelas, mohon cetak ulang.",
)
PEMOHON_NOTES = ("Foto berkas buram, mohon kirim ulang.", "Berkas terpotong.", None)
CANCEL_REASONS = (
    "Pemohon membatalkan permohonan.",
    "Permohonan ganda, sudah diproses dengan kode lain.",
    "Pemohon datang langsung ke kantor.",
)
COMPLAINTS = (
    "Data pada KK tidak sesuai dengan KTP-el setelah perubahan alamat.",
    "KTP-el yang dikirim lewat PT POS belum sampai setelah dua minggu.",
    "Nama anak pada akta kelahiran salah ketik.",
    "Nomor WhatsApp pelayanan tidak membalas sejak kemarin.",
    "NIK tidak terdaftar saat mendaftar BPJS.",
    "Status perkawinan pada KK belum diperbarui.",
)
SIMPLE_SOLUTIONS = (
    "Data sudah dicek di SIAK dan diperbaiki; mohon cetak ulang.",
    "Pelapor diberi penjelasan prosedur dan nomor resi PT POS.",
)
ESCALATED_SOLUTION = "Tim menyarankan perbaikan data melalui SIAK; pelapor diberi tahu."


# --------------------------------------------------------------------------- working time


class WorkAxis:
    """The office's working time as one number line, for speed.

    ``to_work(t)`` is the working minutes elapsed from the first interval to the epoch second
    ``t`` (flat outside office hours), ``from_work(w)`` its inverse (the moment working minute
    ``w`` is reached; a count ending exactly at the lunch break gives the end of the break, one
    ending at closing time the closing time, as :meth:`WorkCalendar.add_working_minutes`). From
    :meth:`WorkCalendar.intervals`, so holidays, cuti bersama and closures are the app's own.
    """

    def __init__(self, cal: WorkCalendar, first: date, last: date) -> None:
        self.starts: list[float] = []
        self.ends: list[float] = []
        self.cums: list[float] = []
        self.day_total: list[float] = []
        cum = 0.0
        d = first
        while d <= last:
            spans = cal.intervals(d)
            total = sum((e - s).total_seconds() / 60 for s, e in spans)
            for s, e in spans:
                self.starts.append(s.timestamp())
                self.ends.append(e.timestamp())
                self.cums.append(cum)
                self.day_total.append(total)
                cum += (e - s).total_seconds() / 60
            d += timedelta(days=1)
        if not self.starts:
            raise ValueError("no working day in the period")
        day = [datetime.fromtimestamp(t, WIB).date() for t in self.starts]
        self.lunch_after = [a == b for a, b in zip(day, [*day[1:], None], strict=True)]
        self.total = cum

    def to_work(self, t: float) -> float:
        i = bisect.bisect_right(self.starts, t) - 1
        if i < 0:
            return 0.0
        if t < self.ends[i]:
            return self.cums[i] + (t - self.starts[i]) / 60.0
        return self.cums[i] + (self.ends[i] - self.starts[i]) / 60.0

    def from_work(self, w: float) -> float:
        i = bisect.bisect_left(self.cums, w) - 1
        if i < 0:
            return self.starts[0]
        t = self.starts[i] + (w - self.cums[i]) * 60.0
        if t >= self.ends[i] and self.lunch_after[i]:
            return self.starts[i + 1]  # ran out at the lunch break: when work resumes
        return t  # (ran out exactly at closing time: the closing time)

    def due(self, w_received: float) -> float:
        """Working-minute coordinate of the due time: one working day of the opening day's
        length after the first working moment at or after receipt (``WorkCalendar.due_time``)."""
        i = max(0, bisect.bisect_right(self.cums, w_received) - 1)
        return w_received + self.day_total[i]

    def is_working(self, t: float) -> bool:
        i = bisect.bisect_right(self.starts, t) - 1
        return i >= 0 and t < self.ends[i]


# --------------------------------------------------------------------------- output rows

CASE_COLUMNS = (
    "id",
    "code",
    "service",
    "sop_snapshot_id",
    "sop_version",
    "pemohon_nama",
    "name_key",
    "nik",
    "no_kk",
    "wa",
    "kecamatan",
    "conditions",
    "uraian",
    "status",
    "current_step",
    "current_role",
    "step_started_at",
    "received_at",
    "due_at",
    "paused_at",
    "finished_at",
    "returned_count",
    "missing_items",
    "cancel_reason",
    "closed_path",
    "solusi",
    "created_by",
    "version",
)
STEP_COLUMNS = (
    "id",
    "case_id",
    "step_no",
    "action",
    "to_step",
    "user_id",
    "started_at",
    "ended_at",
    "working_minutes",
    "note",
)
CHECK_COLUMNS = ("case_id", "item_key", "present")
DOC_COLUMNS = ("id", "case_id", "kind", "number", "recorded_at", "recorded_by")
DELIVERY_COLUMNS = (
    "id",
    "case_id",
    "method",
    "recipient",
    "resi",
    "delivered_at",
    "user_id",
)
REGISTER_COLUMNS = ("id", "case_id", "service", "year", "number", "assigned_at", "assigned_by")
COUNTER_COLUMNS = ("service", "year", "last_number")
AUDIT_COLUMNS = (
    "id",
    "seq",
    "at",
    "user_id",
    "username",
    "workstation",
    "action",
    "entity",
    "entity_id",
    "detail",
    "prev_hash",
    "hash",
)
LOADED_TABLES = (
    "cases",
    "case_steps",
    "checklist_items",
    "case_documents",
    "deliveries",
    "register_entries",
    "register_counters",
    "audit_log",
)


def _quoted(columns: Sequence[str]) -> str:
    return ",".join(f'"{c}"' for c in columns)  # current_role is a keyword in PostgreSQL


class Loader:
    """Bulk writer for one engine. Timestamps are given as epoch seconds (UTC)."""

    dialect = ""

    def __init__(self) -> None:
        self._minutes: dict[int, str] = {}

    def ts(self, epoch: float | None) -> str | None:
        """The text form the app's UtcDateTime column holds (SQLite) or COPY reads (PostgreSQL),
        to the microsecond, built from a per-minute cache (this is the generator's hot spot)."""
        if epoch is None:
            return None
        minute, micro = divmod(int(epoch * 1_000_000 + 0.5), 60_000_000)
        prefix = self._minutes.get(minute)
        if prefix is None:
            if len(self._minutes) > 500_000:
                self._minutes.clear()
            days, rest = divmod(minute, 1440)
            prefix = (
                f"{date.fromordinal(719_163 + days).isoformat()} {rest // 60:02d}:{rest % 60:02d}:"
            )
            self._minutes[minute] = prefix
        second, micro = divmod(micro, 1_000_000)
        return f"{prefix}{second:02d}.{micro:06d}{self.zone}"

    zone = ""

    def start(self) -> None:
        raise NotImplementedError

    def write(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        raise NotImplementedError

    def commit(self) -> None:
        raise NotImplementedError

    def finish(self, progress: Callable[[str], None]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class SqliteLoader(Loader):
    dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.indexes: list[tuple[str, str]] = []

    def start(self) -> None:
        c = self.conn
        c.execute("PRAGMA synchronous = OFF")
        c.execute("PRAGMA cache_size = -1048576")  # 1 GiB of page cache for the load
        c.execute("PRAGMA temp_store = MEMORY")
        c.execute("PRAGMA foreign_keys = OFF")
        marks = ",".join("?" * len(LOADED_TABLES))
        self.indexes = c.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({marks})",
            LOADED_TABLES,
        ).fetchall()
        for name, _sql in self.indexes:
            c.execute(f'DROP INDEX "{name}"')
        c.execute("BEGIN")

    def write(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if rows:
            marks = ",".join("?" * len(columns))
            self.conn.executemany(
                f"INSERT INTO {table} ({_quoted(columns)}) VALUES ({marks})", rows
            )

    def commit(self) -> None:
        self.conn.execute("COMMIT")
        self.conn.execute("BEGIN")

    def finish(self, progress: Callable[[str], None]) -> None:
        c = self.conn
        c.execute("COMMIT")
        for name, sql in self.indexes:
            progress(f"index {name}")
            c.execute(sql)
        c.execute("PRAGMA foreign_keys = ON")
        bad = c.execute("PRAGMA foreign_key_check").fetchmany(5)
        if bad:
            raise RuntimeError(f"foreign keys broken after the load: {bad}")
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        self.conn.close()


class PostgresLoader(Loader):
    dialect = "postgresql"
    zone = "+00"

    def __init__(self, url: str) -> None:
        super().__init__()
        import psycopg
        from sqlalchemy.engine import make_url

        u = make_url(url).set(drivername="postgresql")
        self.conn = psycopg.connect(u.render_as_string(hide_password=False))
        self.indexes: list[tuple[str, str]] = []
        self.replica = False

    def start(self) -> None:
        c = self.conn
        try:  # skips foreign-key triggers during COPY (needs a superuser; checked at the end)
            c.execute("SET session_replication_role = replica")
            self.replica = True
        except Exception:
            c.rollback()
        self.indexes = c.execute(
            """
            SELECT i.relname, pg_get_indexdef(i.oid)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE n.nspname = current_schema() AND t.relname = ANY(%s)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.oid)
            """,
            (list(LOADED_TABLES),),
        ).fetchall()
        for name, _sql in self.indexes:
            c.execute(f'DROP INDEX "{name}"')

    def write(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        with (
            self.conn.cursor() as cur,
            cur.copy(f"COPY {table} ({_quoted(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)

    def commit(self) -> None:
        self.conn.commit()

    def finish(self, progress: Callable[[str], None]) -> None:
        c = self.conn
        c.commit()
        for name, sql in self.indexes:
            progress(f"index {name}")
            c.execute(sql)
        for table in (
            "cases",
            "case_steps",
            "case_documents",
            "deliveries",
            "register_entries",
            "audit_log",
        ):
            c.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
        if self.replica:
            c.execute("SET session_replication_role = DEFAULT")
            orphans = c.execute(
                "SELECT (SELECT count(*) FROM case_steps s LEFT JOIN cases k ON k.id = s.case_id"
                " WHERE k.id IS NULL) + (SELECT count(*) FROM register_entries r LEFT JOIN"
                " cases k ON k.id = r.case_id WHERE k.id IS NULL)"
            ).fetchone()
            if orphans and orphans[0]:
                raise RuntimeError(f"{orphans[0]} rows without their case after the load")
        c.commit()
        progress("VACUUM ANALYZE (what autovacuum does after a bulk load)")
        c.autocommit = True
        c.execute("VACUUM ANALYZE")

    def close(self) -> None:
        self.conn.close()


# --------------------------------------------------------------------------- people


@dataclass
class Person:
    name: str
    nik: str
    no_kk: str
    wa: str
    kecamatan: str


def _name(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.18:
        return rng.choice(FIRST_NAMES)
    if r < 0.22:
        return f"{rng.choice(UMPU)} {rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    if r < 0.35:
        return f"{rng.choice(FIRST_NAMES)} {rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _nik(rng: random.Random, kec: str, born: date, female: bool) -> str:
    day = born.day + (40 if female else 0)
    region = "1808" + kec[-2:] if rng.random() < 0.93 else f"18{rng.randint(1, 7):02d}01"
    return f"{region}{day:02d}{born.month:02d}{born.year % 100:02d}{rng.randint(1, 9999):04d}"


def _kk(rng: random.Random, kec: str, issued: date) -> str:
    return (
        f"1808{kec[-2:]}{issued.day:02d}{issued.month:02d}{issued.year % 100:02d}"
        f"{rng.randint(1, 9999):04d}"
    )


def _wa(rng: random.Random) -> str:
    return f"+62{rng.choice(WA_PREFIXES)}{rng.randint(0, 99_999_999):08d}"


def _birth(rng: random.Random, lo: int, hi: int) -> date:
    return date(rng.randint(lo, hi), rng.randint(1, 12), rng.randint(1, 28))


def make_person(rng: random.Random, kecs: Sequence[str], today: date) -> Person:
    kec = rng.choice(kecs)
    born = _birth(rng, 1940, min(today.year - 17, 2006))
    issued = _birth(rng, max(born.year + 18, 1990), today.year - 1)
    return Person(
        _name(rng), _nik(rng, kec, born, rng.random() < 0.5), _kk(rng, kec, issued), _wa(rng), kec
    )


# --------------------------------------------------------------------------- generator


@dataclass
class StepPlan:
    no: int
    role: str
    minutes: int
    return_pemohon: bool
    back: tuple[int, ...]
    close: bool
    register: bool
    document: bool
    delivery: bool


@dataclass
class ServicePlan:
    code: str
    sdef: ServiceDef
    snapshot_id: int
    steps: dict[int, StepPlan]
    last: int
    requirement_keys: list[str]
    alternatives: dict[str, list[str]]
    labels: dict[str, str]


@dataclass
class GenerateSummary:
    requests: int
    steps: int
    open: int
    waiting: int
    cancelled: int
    complaints: int
    register_entries: int
    audit_entries: int
    seconds: float
    first: datetime
    last: datetime
    counts: dict[str, int] = field(default_factory=dict)


def _plans(session: Any, at: datetime) -> dict[str, ServicePlan]:
    out: dict[str, ServicePlan] = {}
    for code, sdef in services().items():
        snap = snapshot_for(session, sdef, at)
        steps = {
            s.no: StepPlan(
                s.no,
                s.role,
                s.minutes,
                s.allows("return_pemohon"),
                s.back_targets(),
                s.allows("close"),
                s.assigns_register,
                "nomor_dokumen" in s.records,
                "penyerahan" in s.records,
            )
            for s in sdef.steps
        }
        groups: dict[str, list[str]] = {}
        for r in sdef.requirements:
            if r.alternative_group:
                groups.setdefault(r.alternative_group, []).append(r.key)
        out[code] = ServicePlan(
            code,
            sdef,
            snap.id,
            steps,
            sdef.last_step,
            [r.key for r in sdef.requirements],
            groups,
            {r.key: r.label for r in sdef.requirements},
        )
    return out


def _ensure_users(db: Database, at: datetime) -> tuple[dict[str, int], dict[int, str]]:
    """The demo staff (password ``rahasia123``), created at the start of the history."""
    admin: Actor | None = None  # the first admin, created first, creates the others
    with db.write() as session:
        for username, full_name, roles in DEMO_USERS:
            exists = session.execute(select(User.id).where(User.username == username)).scalar()
            if exists is None:
                info = create_user(
                    session,
                    username=username,
                    full_name=full_name,
                    password=DEMO_PASSWORD,
                    roles=roles,
                    now=at,
                    actor=admin,
                )
                exists = info.id
            if admin is None and "admin" in roles:
                admin = Actor(int(exists), username)
    with db.read() as session:
        rows = session.execute(select(User.username, User.id)).all()
    ids = {name: int(uid) for name, uid in rows}
    by_role = {role: ids[username] for role, username in DEMO_USER_FOR_ROLE.items()}
    return by_role, {uid: name for name, uid in ids.items()}


def _arrivals(
    rng: random.Random, axis: WorkAxis, start: datetime, end: datetime, n: int
) -> Iterator[float]:
    """``n`` receipt moments (epoch seconds, ascending) with growth, seasons and weekdays."""
    first, last = start.astimezone(WIB).date(), end.astimezone(WIB).date()
    days: list[date] = []
    weights: list[float] = []
    span = max(1, (last - first).days)
    d = first
    while d <= last:
        growth = 0.6 + 0.8 * (d - first).days / span
        w = growth * SEASON[d.month - 1] * WEEKDAY[d.isoweekday()]
        if d in national_holidays(d.year):
            w *= 0.3
        days.append(d)
        weights.append(w)
        d += timedelta(days=1)
    total = sum(weights)
    counts = [int(n * w / total) for w in weights]
    short = n - sum(counts)
    cum = list(_accumulate(weights))
    for _ in range(short):
        counts[bisect.bisect_left(cum, rng.random() * total)] += 1
    lo, hi = start.timestamp(), end.timestamp()
    for d, k in zip(days, counts, strict=True):
        if not k:
            continue
        midnight = datetime(d.year, d.month, d.day, tzinfo=WIB).timestamp()
        spans = _spans(axis, midnight, midnight + 86_400)
        day_lo, day_hi = max(lo, midnight), min(hi, midnight + 86_400)
        moments: list[float] = []
        for _ in range(k):
            if spans and rng.random() < 0.85:
                s, e = rng.choice(spans)
                t = s + rng.random() * (e - s)
            else:  # WhatsApp messages recorded early, late or on a closed day
                t = midnight + 6 * 3600 + rng.random() * 16 * 3600
            if not day_lo <= t < day_hi:  # the first and the last day are cut short
                t = day_lo + rng.random() * (day_hi - day_lo)
            moments.append(t)
        moments.sort()
        yield from moments


def _accumulate(values: Sequence[float]) -> Iterator[float]:
    total = 0.0
    for v in values:
        total += v
        yield total


def _spans(axis: WorkAxis, lo: float, hi: float) -> list[tuple[float, float]]:
    """The working intervals (epoch seconds) that start within [lo, hi)."""
    i = bisect.bisect_left(axis.starts, lo)
    out = []
    while i < len(axis.starts) and axis.starts[i] < hi:
        out.append((axis.starts[i], axis.ends[i]))
        i += 1
    return out


def _step_minutes(rng: random.Random, standard: int) -> float:
    """Working minutes a step takes from the moment the request reached it: the work itself
    near the mutu baku, now and then well over it, plus waiting in the officer's queue."""
    m = rng.lognormvariate(0, 0.45) * standard
    if rng.random() < 0.1:
        m *= 2.5
    r = rng.random()
    if r < 0.15:
        m += rng.uniform(10, 90)
    elif r < 0.18:
        m += rng.uniform(90, 420)
    return max(0.5, m)


def _document_number(rng: random.Random, service: str, p: Person, at: float) -> str:
    d = datetime.fromtimestamp(at, WIB)
    if service == "KK":
        return _kk(rng, p.kecamatan, d.date())
    if service == "KIA":
        return p.nik
    if service == "SKPWNI":
        return f"SKPWNI/1808/{d:%d%m%Y}/{rng.randint(1, 9999):04d}"
    kind = "LT" if service == "AKTA_LAHIR" else "KM"
    return f"1808-{kind}-{d:%d%m%Y}-{rng.randint(1, 9999):04d}"


def generate(
    db: Database,
    *,
    requests: int = DEFAULT_REQUESTS,
    years: float = DEFAULT_YEARS,
    end: datetime | None = None,
    seed: int = 2022,
    audit_days: int = 30,
    progress: Callable[[str], None] | None = None,
) -> GenerateSummary:
    """Fill an empty (migrated or not) database with ``requests`` requests over ``years``."""
    say = progress or (lambda _m: None)
    t0 = time.perf_counter()
    rng = random.Random(seed)
    end = (end or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    start = end - timedelta(days=365.25 * years)
    db.upgrade()
    with db.read() as session:
        if session.execute(select(func.count(Case.id))).scalar_one():
            raise SystemExit(f"{db.describe()} already holds requests; use an empty database.")
    role_user, names = _ensure_users(db, start)
    with db.write() as session:
        plans = _plans(session, start)
    with db.read() as session:
        cal = work_calendar(session)
        head = session.execute(select(AuditHead.seq, AuditHead.hash)).one()
        audit_max_id = session.execute(text("SELECT COALESCE(MAX(id), 0) FROM audit_log")).scalar()
    axis = WorkAxis(
        cal,
        start.astimezone(WIB).date() - timedelta(days=1),
        end.astimezone(WIB).date() + timedelta(days=400),
    )
    kecs = [k for k, _name in kecamatan_way_kanan()]
    today = end.astimezone(WIB).date()
    population = max(1000, int(requests * 0.45))
    people: list[Person] = [make_person(rng, kecs, today) for _ in range(population)]
    codes = list(SERVICE_WEIGHTS)
    cum_weights = list(_accumulate(list(SERVICE_WEIGHTS.values())))
    total_weight = cum_weights[-1]
    end_epoch = end.timestamp()
    audit_from = end_epoch - audit_days * 86_400

    loader: Loader
    path = sqlite_path(db.url)
    if db.dialect == "sqlite" and path is not None:
        db.dispose()
        loader = SqliteLoader(path)
    elif db.dialect == "postgresql":
        loader = PostgresLoader(db.url)
    else:
        raise SystemExit("only an SQLite file or PostgreSQL can be generated into")
    ts = loader.ts
    loader.start()

    cases: list[tuple[Any, ...]] = []
    steps: list[tuple[Any, ...]] = []
    checks: list[tuple[Any, ...]] = []
    docs: list[tuple[Any, ...]] = []
    dels: list[tuple[Any, ...]] = []
    registers: list[tuple[str, int, float, int, int]] = []  # service, year, at, case, user
    audited: list[tuple[float, str, int, str, dict[str, Any]]] = []  # at, code, user, action
    register_details: dict[int, dict[str, Any]] = {}
    used_codes: set[str] = set()
    step_id = 0
    doc_id = 0
    del_id = 0
    n_open = n_wait = n_cancel = n_complaints = 0
    per_service: dict[str, int] = dict.fromkeys(codes, 0)

    def flush() -> None:
        loader.write("cases", CASE_COLUMNS, cases)
        loader.write("case_steps", STEP_COLUMNS, steps)
        loader.write("checklist_items", CHECK_COLUMNS, checks)
        loader.write("case_documents", DOC_COLUMNS, docs)
        loader.write("deliveries", DELIVERY_COLUMNS, dels)
        loader.commit()
        for rows in (cases, steps, checks, docs, dels):
            rows.clear()

    case_id = 0
    first_epoch = last_epoch = 0.0
    for received in _arrivals(rng, axis, start, end, requests):
        case_id += 1
        if case_id == 1:
            first_epoch = received
        last_epoch = received
        service = codes[bisect.bisect_left(cum_weights, rng.random() * total_weight)]
        plan = plans[service]
        per_service[service] += 1
        person = people[rng.randrange(population)]
        name = person.name
        nik: str | None = person.nik
        no_kk: str | None = person.no_kk
        wa, kec = person.wa, person.kecamatan
        conditions = ""
        if service == "KIA":  # the child: own name and NIK, the parent's KK and WhatsApp
            rdate = datetime.fromtimestamp(received, WIB).date()
            born = _birth(rng, rdate.year - 16, rdate.year - 1)
            if born >= rdate:
                born = rdate - timedelta(days=200)
            name = f"{rng.choice(FIRST_NAMES)} {person.name.split()[-1]}"
            nik = _nik(rng, kec, born, rng.random() < 0.5)
            if rdate.year - born.year > 5:
                conditions = "anak_lebih_5_tahun"
        elif service == "PENGADUAN":
            n_complaints += 1
            if rng.random() < 0.4:
                nik = None
            no_kk = None
        if rng.random() < 0.3:
            no_kk = None
        code = new_tracking_code(rng)
        while code in used_codes:
            code = new_tracking_code(rng)
        used_codes.add(code)
        present = set(plan.requirement_keys)
        for members in plan.alternatives.values():
            keep = rng.choice(members)
            present -= set(members) - {keep}

        w = axis.to_work(received)
        w_due = axis.due(w)
        t_s = received_s = ts(received)  # when the request reached the current step
        cur = 1
        status = "proses"
        finished: float | None = None
        paused: float | None = None
        missing: str | None = None
        cancel_reason: str | None = None
        closed_path: str | None = None
        solusi: str | None = None
        returned = 0
        backs = 0
        returned_pemohon = False
        history = 0
        registered = False
        documented = False
        forgotten_at = rng.randint(1, plan.last) if rng.random() < P_FORGOTTEN else 0
        cancel_at = rng.randint(2, plan.last) if rng.random() < P_CANCEL else 0
        audit_this = received >= audit_from
        if audit_this:
            audited.append(
                (
                    received,
                    code,
                    role_user[plan.steps[1].role],
                    "case.intake",
                    {"berkas": [], "service": service, "step": 1},
                )
            )
        while True:
            sp = plan.steps[cur]
            if cur == forgotten_at:
                break  # nobody ever finished this step
            user = role_user[sp.role]
            w_end = w + _step_minutes(rng, sp.minutes)
            t_end = axis.from_work(w_end)
            if t_end >= end_epoch:
                break  # still at this step now
            end_s = ts(t_end)
            step_id += 1
            history += 1
            minutes = round(w_end - w, 2)
            if sp.return_pemohon and not returned_pemohon and rng.random() < P_RETURN_PEMOHON:
                returned_pemohon = True
                returned += 1
                gone = rng.choice(sorted(present))
                labels = [plan.labels[gone]]
                present.discard(gone)
                note = rng.choice(PEMOHON_NOTES)
                steps.append(
                    (
                        step_id,
                        case_id,
                        cur,
                        Action.KEMBALI_PEMOHON,
                        None,
                        user,
                        t_s,
                        end_s,
                        minutes,
                        "; ".join(labels) + (f" — {note}" if note else ""),
                    )
                )
                if audit_this:
                    audited.append(
                        (t_end, code, user, "case.return_pemohon", {"items": 1, "step": cur})
                    )
                waited = rng.uniform(30, 900) * (8 if rng.random() < 0.1 else 1)
                w_resume = w_end + waited
                t_resume = axis.from_work(w_resume)
                if t_resume >= end_epoch or rng.random() < P_NEVER_RESUBMIT:
                    status, paused = "menunggu_pemohon", t_end
                    missing = json.dumps(labels, ensure_ascii=False)
                    break
                step_id += 1
                history += 1
                present.add(gone)
                resume_s = ts(t_resume)
                steps.append(
                    (
                        step_id,
                        case_id,
                        cur,
                        Action.KIRIM_ULANG,
                        None,
                        user,
                        end_s,
                        resume_s,
                        round(waited, 2),
                        None,
                    )
                )
                if audit_this:
                    audited.append(
                        (t_resume, code, user, "case.resubmit", {"berkas": [], "step": cur})
                    )
                w_due += waited
                w, t_s = w_resume, resume_s
                continue
            if cur == cancel_at:
                reason = rng.choice(CANCEL_REASONS)
                user = role_user.get("kasi", user)  # a supervisor may cancel at any step
                steps.append(
                    (step_id, case_id, cur, Action.BATAL, None, user, t_s, end_s, minutes, reason)
                )
                if audit_this:
                    audited.append((t_end, code, user, "case.cancel", {"step": cur}))
                status, finished, cancel_reason = "batal", t_end, reason
                break
            if sp.back and backs < 2 and rng.random() < P_BACK:
                backs += 1
                target = sp.back[0]
                steps.append(
                    (
                        step_id,
                        case_id,
                        cur,
                        Action.KEMBALI,
                        target,
                        user,
                        t_s,
                        end_s,
                        minutes,
                        rng.choice(RETURN_REASONS),
                    )
                )
                if audit_this:
                    audited.append((t_end, code, user, "case.return", {"from": cur, "to": target}))
                cur, w, t_s = target, w_end, end_s
                continue
            if sp.close and rng.random() < P_CLOSE_SIMPLE:
                solusi = rng.choice(SIMPLE_SOLUTIONS)
                steps.append(
                    (step_id, case_id, cur, Action.TUTUP, None, user, t_s, end_s, minutes, solusi)
                )
                if audit_this:
                    audited.append((t_end, code, user, "case.close", {"step": cur}))
                status, finished, closed_path = "selesai", t_end, "sederhana"
                break
            detail: dict[str, Any] = {"step": cur}
            if sp.register and not registered:
                registered = True
                year = datetime.fromtimestamp(t_end, WIB).year
                registers.append((service, year, t_end, case_id, user))
                if audit_this:
                    register_details[case_id] = detail  # the number is known after sorting
            if sp.document and not documented:
                documented = True
                doc_id += 1
                docs.append(
                    (
                        doc_id,
                        case_id,
                        plan.sdef.document_kind,
                        _document_number(rng, service, person, t_end),
                        end_s,
                        user,
                    )
                )
                detail["nomor_dokumen"] = True
            if sp.delivery:
                del_id += 1
                pos = service == "KTP_EL" or rng.random() < 0.3
                resi = f"P{datetime.fromtimestamp(t_end, WIB):%y%m%d}{rng.randint(0, 999_999):06d}"
                dels.append(
                    (
                        del_id,
                        case_id,
                        "pos" if pos else "diambil",
                        None if pos else name,
                        resi if pos else None,
                        end_s,
                        user,
                    )
                )
                detail["penyerahan"] = "pos" if pos else "diambil"
            if service == "PENGADUAN" and cur in (6, 7):
                solusi = ESCALATED_SOLUTION
            steps.append(
                (step_id, case_id, cur, Action.SELESAI, None, user, t_s, end_s, minutes, None)
            )
            if audit_this:
                audited.append((t_end, code, user, "case.advance", detail))
            if cur == plan.last:  # finished; step_started_at stays the last step's start
                status, finished = "selesai", t_end
                if service == "PENGADUAN":
                    closed_path = "eskalasi"
                break
            w, t_s = w_end, end_s
            cur += 1

        if status == "proses":
            n_open += 1
        elif status == "menunggu_pemohon":
            n_wait += 1
        elif status == "batal":
            n_cancel += 1
        role = plan.steps[cur].role if status == "proses" else None
        cases.append(
            (
                case_id,
                code,
                service,
                plan.snapshot_id,
                plan.sdef.version,
                name,
                name.upper(),
                nik,
                no_kk,
                wa,
                kec,
                conditions,
                rng.choice(COMPLAINTS) if service == "PENGADUAN" else None,
                status,
                cur,
                role,
                t_s,
                received_s,
                ts(axis.from_work(w_due)),
                ts(paused),
                ts(finished),
                returned,
                missing,
                cancel_reason,
                closed_path,
                solusi,
                role_user[plan.steps[1].role],
                history + 1,
            )
        )
        for key in plan.requirement_keys:
            checks.append((case_id, key, key in present))
        if len(cases) >= CHUNK:
            flush()
            rate = case_id / (time.perf_counter() - t0)
            say(f"{case_id:>9,} requests  ({rate:,.0f}/s)")
    flush()

    # Register numbers: gapless per service and year, in the order they were given.
    registers.sort(key=lambda r: (r[0], r[1], r[2], r[3]))
    reg_rows: list[tuple[Any, ...]] = []
    counters: dict[tuple[str, int], int] = {}
    for i, (service, year, at, cid, user) in enumerate(registers, start=1):
        number = counters.get((service, year), 0) + 1
        counters[(service, year)] = number
        reg_rows.append((i, cid, service, year, number, ts(at), user))
        if cid in register_details:
            register_details[cid]["register"] = number
        if len(reg_rows) >= 100_000:
            loader.write("register_entries", REGISTER_COLUMNS, reg_rows)
            reg_rows.clear()
    loader.write("register_entries", REGISTER_COLUMNS, reg_rows)
    loader.write(
        "register_counters",
        COUNTER_COLUMNS,
        [(s, y, n) for (s, y), n in sorted(counters.items())],
    )
    say(f"register: {len(registers):,} entries, {len(counters)} counters")

    # The audit chain: an import entry, then every action of the last days, linked and hashed.
    audited.sort(key=lambda a: a[0])
    seq, prev = int(head[0]), str(head[1])
    audit_id = int(audit_max_id or 0)
    audit_rows: list[tuple[Any, ...]] = []
    import_at = min(audit_from, end_epoch)
    entries: list[tuple[float, int | None, str | None, str, str, str | None, dict[str, Any]]]
    entries = [
        (
            import_at,
            None,
            "(sistem)",
            "benchmark.import",
            "system",
            None,
            # the requests this entry stands for (audit verify accepts them without entries)
            {"requests": requests, "years": years, "seed": seed, "cases_upto_id": case_id},
        ),
    ]
    for at, code, user, action, detail in audited:
        entries.append((at, user, names.get(user), action, "case", code, detail))
    for at, who, uname, action, entity, entity_id, detail in entries:
        seq += 1
        audit_id += 1
        when = datetime.fromtimestamp(round(at, 6), UTC)
        values = SimpleNamespace(
            seq=seq,
            at=when,
            user_id=who,
            username=uname,
            workstation=WORKSTATION,
            action=action,
            entity=entity,
            entity_id=entity_id,
            detail=json.dumps(detail, sort_keys=True, ensure_ascii=False, default=str),
            prev_hash=prev,
        )
        digest = audit._hash_of(values)
        audit_rows.append(
            (
                audit_id,
                seq,
                ts(when.timestamp()),
                who,
                uname,
                WORKSTATION,
                action,
                entity,
                entity_id,
                values.detail,
                prev,
                digest,
            )
        )
        prev = digest
    loader.write("audit_log", AUDIT_COLUMNS, audit_rows)
    loader.commit()
    say(f"audit: {len(audit_rows):,} entries (chain head {seq})")
    loader.finish(say)
    loader.close()
    with db.write() as session:
        session.execute(
            text("UPDATE audit_head SET seq = :seq, hash = :hash WHERE id = 1"),
            {"seq": seq, "hash": prev},
        )
    # The history was written around the services: derive the kinerja's per-day figures from
    # it, as migration 0004 does for an office's existing history.
    say("kinerja figures per day: rebuilding from the history")
    with db.write() as session:
        step_rows, finish_rows = step_stats.rebuild(session.connection())
    say(f"step_day_stats: {step_rows:,} rows, finish_day_stats: {finish_rows:,} rows")
    return GenerateSummary(
        requests=case_id,
        steps=step_id,
        open=n_open,
        waiting=n_wait,
        cancelled=n_cancel,
        complaints=n_complaints,
        register_entries=len(registers),
        audit_entries=len(audit_rows),
        seconds=time.perf_counter() - t0,
        first=datetime.fromtimestamp(first_epoch, UTC),
        last=datetime.fromtimestamp(last_epoch, UTC),
        counts=per_service,
    )


# --------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.generate",
        description="Write ten years of an office's history into an empty SiPelayanan database.",
    )
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--db", type=Path, help="SQLite file to create (must not hold requests)")
    target.add_argument("--postgres", metavar="URL", help="an empty PostgreSQL database")
    parser.add_argument("--requests", type=int, default=DEFAULT_REQUESTS)
    parser.add_argument("--years", type=float, default=DEFAULT_YEARS)
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--end", help="last moment of the history (ISO, default: now)")
    parser.add_argument("--audit-days", type=int, default=30)
    parser.add_argument("--replace", action="store_true", help="delete the SQLite file first")
    args = parser.parse_args(argv)
    if args.requests < 1:
        parser.error("--requests must be at least 1")
    if args.db is not None:
        path = args.db.resolve()
        if args.replace:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        url = args.postgres
    end = datetime.fromisoformat(args.end) if args.end else None
    if end is not None and end.tzinfo is None:
        end = end.replace(tzinfo=WIB)
    db = Database(url)

    def say(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    s = generate(
        db,
        requests=args.requests,
        years=args.years,
        end=end,
        seed=args.seed,
        audit_days=args.audit_days,
        progress=say,
    )
    db.dispose()
    print(
        f"{s.requests:,} requests ({s.first:%Y-%m-%d} .. {s.last:%Y-%m-%d}), {s.steps:,} step "
        f"records, {s.register_entries:,} register entries, {s.complaints:,} complaints; open "
        f"{s.open:,}, waiting for the pemohon {s.waiting:,}, cancelled {s.cancelled:,}; "
        f"{s.audit_entries:,} audit entries; {s.seconds:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
