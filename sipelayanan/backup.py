"""Backup and restore of the whole database.

Three formats, told apart by their first bytes:

``sqlite``
    SQLite's online backup API (``sqlite3.Connection.backup``): a consistent copy taken while
    the app keeps running on other PCs/processes. The copy is itself an SQLite database.
``pg_dump``
    PostgreSQL's own ``pg_dump --format=custom`` when the tool is installed and not older than
    the server; restored with ``pg_restore`` into PostgreSQL only.
``portabel``
    A ZIP holding ``manifest.json`` and one JSON-lines file per table (in dependency order,
    bytes in base64, times in UTC) with row counts and SHA-256 digests. Written from either
    engine and restorable into either, so an office moving from one PC (SQLite) to several
    (PostgreSQL) carries everything over, audit chain included.

A restore goes only into an *empty* database (no tables, or the schema without a single row):
it never merges into or overwrites live data. The rows are loaded in one transaction and
checked against the manifest before it commits; then the schema is brought up to date, a
``db.restore`` entry continues the audit chain, and the chain is verified.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import time
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Connection,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    Table,
    TypeDecorator,
    create_engine,
    func,
    inspect,
    select,
    text,
)

from . import __version__
from .db import Database
from .errors import DatabaseUnavailable, InputError, SipelayananError
from .services.context import Actor

FORMAT_SQLITE = "sqlite"
FORMAT_PGDUMP = "pg_dump"
FORMAT_PORTABLE = "portabel"
FORMATS = (FORMAT_SQLITE, FORMAT_PGDUMP, FORMAT_PORTABLE)

MANIFEST = "manifest.json"
MAGIC = "sipelayanan-backup"
PORTABLE_VERSION = 1

_SQLITE_HEADER = b"SQLite format 3\x00"
_PGDUMP_HEADER = b"PGDMP"
_ZIP_HEADER = b"PK\x03\x04"

_BATCH_ROWS = 500
_BATCH_BYTES = 32 * 1024 * 1024

Progress = Callable[[str, int], None]


class BackupError(SipelayananError):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    format: str
    size: int
    rows: dict[str, int]
    revision: str | None
    seconds: float
    audited: bool
    note: str | None = None


@dataclass(frozen=True)
class RestoreResult:
    format: str
    rows: dict[str, int]
    revision: str | None
    seconds: float
    audit_entries: int
    audit_ok: bool


# --------------------------------------------------------------------------- value coding


def _kind(sqltype: Any) -> str:
    """How a column's values travel in the portable format."""
    probe = sqltype.impl if isinstance(sqltype, TypeDecorator) else sqltype
    for cls, kind in (
        (DateTime, "datetime"),
        (Date, "date"),
        (LargeBinary, "bytes"),
        (Boolean, "bool"),
        (Integer, "int"),
        (Float, "float"),
        (Numeric, "float"),
    ):
        if isinstance(probe, cls):
            return kind
    return "str"


def _normal(kind: str, value: Any) -> Any:
    """A value as read from either engine, made comparable: aware UTC datetimes, bytes."""
    if value is None:
        return None
    if kind == "datetime":
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if kind == "date" and isinstance(value, str):
        return date.fromisoformat(value)
    if kind == "bytes":
        return bytes(value)
    if kind == "bool":
        return bool(value)
    return value


def _encode(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "datetime":
        return _normal(kind, value).isoformat()
    if kind == "date":
        return value.isoformat()
    if kind == "bytes":
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _decode(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "datetime":
        return datetime.fromisoformat(value).astimezone(UTC)
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "bytes":
        return base64.b64decode(value, validate=True)
    if kind == "bool":
        return bool(value)
    if kind == "float":
        return float(value)
    return value


# --------------------------------------------------------------------------- sources


@dataclass(frozen=True)
class TableInfo:
    name: str
    columns: tuple[str, ...]
    kinds: tuple[str, ...]
    rows: int | None = None
    sha256: str | None = None


class Source:
    """Rows of every table, in dependency order, with normalised Python values."""

    format: str = ""
    revision: str | None = None
    created_at: str | None = None

    def tables(self) -> list[TableInfo]:
        raise NotImplementedError

    def rows(self, table: TableInfo) -> Iterator[tuple[Any, ...]]:
        raise NotImplementedError


def _model_tables() -> dict[str, Table]:
    from .models import Base

    return dict(Base.metadata.tables)


def _ordered(names: Sequence[str], metadata: MetaData) -> list[str]:
    order = [t.name for t in metadata.sorted_tables if t.name in names]
    return order + sorted(set(names) - set(order))


def _typed_table(name: str, reflected: Table) -> Table:
    """The model's table when it has exactly these columns (its types convert values
    precisely), else the reflected one."""
    model = _model_tables().get(name)
    if model is not None and {c.name for c in model.columns} == {c.name for c in reflected.c}:
        return model
    return reflected


class DbSource(Source):
    """A live database (or an SQLite backup file) read through one snapshot."""

    def __init__(self, conn: Connection, fmt: str) -> None:
        self.conn = conn
        self.format = fmt
        self.revision = _revision(conn)
        self._meta = MetaData()
        names = [n for n in inspect(conn).get_table_names() if n != "alembic_version"]
        self._meta.reflect(conn, only=names)
        self._names = _ordered(names, self._meta)

    def tables(self) -> list[TableInfo]:
        out = []
        for name in self._names:
            table = _typed_table(name, self._meta.tables[name])
            cols = tuple(c.name for c in table.columns)
            kinds = tuple(_kind(c.type) for c in table.columns)
            out.append(TableInfo(name, cols, kinds))
        return out

    def rows(self, table: TableInfo) -> Iterator[tuple[Any, ...]]:
        t = _typed_table(table.name, self._meta.tables[table.name])
        pk = list(t.primary_key.columns) or list(t.columns)
        stmt = select(*[t.c[c] for c in table.columns]).order_by(*pk)
        result = self.conn.execution_options(yield_per=_BATCH_ROWS).execute(stmt)
        for row in result:
            yield tuple(_normal(k, v) for k, v in zip(table.kinds, row, strict=True))


def _revision(conn: Connection) -> str | None:
    if "alembic_version" not in inspect(conn).get_table_names():
        return None
    value = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return None if value is None else str(value)


class PortableSource(Source):
    format = FORMAT_PORTABLE

    def __init__(self, path: Path) -> None:
        try:
            self.zf = zipfile.ZipFile(path)
            manifest = json.loads(self.zf.read(MANIFEST))
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise BackupError(
                f"File {path.name} bukan cadangan SiPelayanan yang utuh (manifest tidak terbaca)."
            ) from exc
        if manifest.get("format") != MAGIC:
            raise BackupError(f"File {path.name} bukan cadangan SiPelayanan.")
        if int(manifest.get("format_version", 0)) > PORTABLE_VERSION:
            raise BackupError(
                "Cadangan ini dibuat oleh versi SiPelayanan yang lebih baru; perbarui aplikasi "
                "lalu ulangi pemulihan."
            )
        self.revision = manifest.get("schema_revision")
        self.created_at = manifest.get("created_at")
        self._tables = [
            TableInfo(
                t["name"], tuple(t["columns"]), tuple(t["kinds"]), int(t["rows"]), t["sha256"]
            )
            for t in manifest["tables"]
        ]

    def tables(self) -> list[TableInfo]:
        return list(self._tables)

    def rows(self, table: TableInfo) -> Iterator[tuple[Any, ...]]:
        digest = hashlib.sha256()
        count = 0
        try:
            with self.zf.open(f"tables/{table.name}.jsonl") as raw:
                for line in raw:
                    digest.update(line)
                    values = json.loads(line)
                    count += 1
                    yield tuple(_decode(k, v) for k, v in zip(table.kinds, values, strict=True))
        except (zipfile.BadZipFile, KeyError, ValueError, EOFError, OSError) as exc:
            raise BackupError(
                f"Tabel {table.name} dalam file cadangan rusak atau terpotong; tidak ada yang "
                "dipulihkan."
            ) from exc
        if count != table.rows or digest.hexdigest() != table.sha256:
            raise BackupError(
                f"Isi tabel {table.name} dalam file cadangan tidak cocok dengan manifest "
                f"({count} baris, seharusnya {table.rows}); tidak ada yang dipulihkan."
            )

    def close(self) -> None:
        self.zf.close()


# --------------------------------------------------------------------------- helpers


def detect_format(path: Path) -> str:
    try:
        with path.open("rb") as f:
            head = f.read(16)
    except FileNotFoundError:
        raise InputError(f"File cadangan {path} tidak ditemukan.", "file") from None
    except OSError as exc:
        raise InputError(f"File cadangan {path} tidak dapat dibaca: {exc.strerror}.") from exc
    if head.startswith(_SQLITE_HEADER):
        return FORMAT_SQLITE
    if head.startswith(_PGDUMP_HEADER):
        return FORMAT_PGDUMP
    if head.startswith(_ZIP_HEADER):
        return FORMAT_PORTABLE
    raise InputError(
        f"File {path.name} bukan cadangan SiPelayanan (bukan SQLite, pg_dump, maupun ZIP "
        "portabel).",
        "file",
    )


def row_counts(db: Database) -> dict[str, int]:
    """Rows per application table (tables that do not exist yet are left out)."""
    with db.read() as session:
        conn = session.connection()
        present = set(inspect(conn).get_table_names())
        out: dict[str, int] = {}
        for name, table in _model_tables().items():
            if name in present:
                out[name] = int(conn.execute(select(func.count()).select_from(table)).scalar_one())
        return out


def is_empty(db: Database) -> bool:
    """No application data at all: no tables, or tables without a single row (the seeded
    audit-chain head at zero counts as empty)."""
    with db.read() as session:
        conn = session.connection()
        names = set(inspect(conn).get_table_names()) - {"alembic_version"}
        for name in sorted(names):
            if name == "audit_head":
                if conn.execute(text("SELECT MAX(seq) FROM audit_head")).scalar():
                    return False
            elif conn.execute(text(f'SELECT 1 FROM "{name}" LIMIT 1')).first() is not None:
                return False
    return True


def _pg_bin(tool: str) -> str | None:
    found = shutil.which(tool)
    if found:
        return found
    patterns = [Path("/usr/lib/postgresql"), Path("C:/Program Files/PostgreSQL")]
    for base in patterns:
        if base.is_dir():
            for version in sorted(base.iterdir(), reverse=True):
                for candidate in (version / "bin" / tool, version / "bin" / f"{tool}.exe"):
                    if candidate.exists():
                        return str(candidate)
    return None


def _tool_major(path: str) -> int | None:
    try:
        out = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(m.group(1)) if m else None


def _server_major(db: Database) -> int:
    with db.read() as session:
        return int(session.execute(text("SHOW server_version_num")).scalar_one()) // 10000


def _libpq(db: Database) -> tuple[list[str], dict[str, str]]:
    """pg_dump/pg_restore connection arguments; the password travels in the environment."""
    u = db.engine.url
    args = ["--no-password"]
    env = dict(os.environ)
    if u.host:
        args += ["--host", u.host]
    if u.port:
        args += ["--port", str(u.port)]
    if u.username:
        args += ["--username", u.username]
    if u.password:
        env["PGPASSWORD"] = str(u.password)
    for key, value in u.query.items():
        if key in ("sslmode", "sslrootcert", "sslcert", "sslkey"):
            env["PG" + key.upper()] = str(value if isinstance(value, str) else value[0])
    env["PGCONNECT_TIMEOUT"] = "10"
    return [*args, "--dbname", str(u.database)], env


def _fsync_replace(tmp: Path, out: Path) -> None:
    with tmp.open("rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, out)


def _record(db: Database, actor: Actor | None, action: str, detail: dict[str, Any]) -> bool:
    from .services import audit

    try:
        with db.write() as session:
            audit.record(session, actor, action, "database", None, detail, username="(sistem)")
    except DatabaseUnavailable:
        return False
    return True


# --------------------------------------------------------------------------- backup


def default_format(db: Database) -> str:
    if db.dialect == "sqlite":
        return FORMAT_SQLITE
    return FORMAT_PGDUMP if _pg_bin("pg_dump") else FORMAT_PORTABLE


def backup(
    db: Database,
    out: Path | str,
    *,
    fmt: str | None = None,
    actor: Actor | None = None,
    overwrite: bool = False,
    progress: Progress | None = None,
) -> BackupResult:
    """Write a consistent backup of ``db`` to ``out`` while other PCs keep working."""
    started = time.monotonic()
    out = Path(out)
    chosen = fmt is None
    fmt = fmt or default_format(db)
    if fmt not in FORMATS:
        raise InputError(f"Format cadangan '{fmt}' tidak dikenal. Pilihan: {', '.join(FORMATS)}.")
    if fmt == FORMAT_SQLITE and db.dialect != "sqlite":
        raise InputError(
            "Format 'sqlite' hanya untuk basis data SQLite; untuk PostgreSQL pakai 'pg_dump' "
            "atau 'portabel'."
        )
    if fmt == FORMAT_PGDUMP and db.dialect != "postgresql":
        raise InputError("Format 'pg_dump' hanya untuk PostgreSQL.")
    source_file = db.sqlite_file
    if source_file is not None and out.resolve() == source_file.resolve():
        raise InputError("File cadangan tidak boleh sama dengan file basis data itu sendiri.")
    if out.exists() and not overwrite:
        raise InputError(f"File {out} sudah ada; pilih nama lain atau izinkan menimpa.")
    if out.exists() and out.is_dir():
        raise InputError(f"{out} adalah folder; sebutkan nama file cadangan.")
    if not out.parent.is_dir():
        raise InputError(f"Folder {out.parent} tidak ada.")
    rows = row_counts(db)
    audited = _record(
        db, actor, "db.backup", {"format": fmt, "file": out.name, "rows": sum(rows.values())}
    )
    note = None
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        if fmt == FORMAT_SQLITE:
            rows = _backup_sqlite(db, tmp)
        elif fmt == FORMAT_PGDUMP:
            reason = _pgdump_unusable(db)
            if reason is None:
                try:
                    _backup_pgdump(db, tmp)
                except BackupError as exc:
                    if not chosen:
                        raise
                    reason = f"{exc} Dipakai format portabel."
            if reason is not None:  # pg_dump was only the default: the portable export works
                if not chosen:
                    raise BackupError(reason.replace("; dipakai format portabel.", "."))
                fmt, note = FORMAT_PORTABLE, reason
        if fmt == FORMAT_PORTABLE:
            rows = _backup_portable(db, tmp, progress)
        _fsync_replace(tmp, out)
    except OSError as exc:
        raise BackupError(
            f"Cadangan tidak dapat ditulis ke {out}: {exc.strerror or exc}. Periksa ruang disk "
            "dan izin folder."
        ) from exc
    finally:
        tmp.unlink(missing_ok=True)
    with db.read() as session:
        revision = _revision(session.connection())
    return BackupResult(
        out, fmt, out.stat().st_size, rows, revision, time.monotonic() - started, audited, note
    )


def _backup_sqlite(db: Database, tmp: Path) -> dict[str, int]:
    path = db.sqlite_file
    assert path is not None
    src = sqlite3.connect(path, timeout=30)
    dst = sqlite3.connect(tmp)
    try:
        # One step (pages=-1): a single read snapshot, so concurrent writers on other
        # connections neither block nor restart the copy (WAL).
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE")
        problem = dst.execute("PRAGMA integrity_check").fetchone()
        if problem is None or problem[0] != "ok":
            raise BackupError(
                "Salinan SQLite gagal diperiksa (integrity_check); basis data sumber mungkin "
                "rusak. Hubungi admin."
            )
        names = [
            r[0]
            for r in dst.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
        ]
        counts = {
            n: int(dst.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0])
            for n in names
            if n in _model_tables()
        }
        dst.commit()
    except sqlite3.Error as exc:
        from .db import describe_db_error

        raise DatabaseUnavailable(describe_db_error(exc, path)) from exc
    finally:
        dst.close()
        src.close()
    return counts


def _pgdump_unusable(db: Database) -> str | None:
    tool = _pg_bin("pg_dump")
    if tool is None:
        return "pg_dump tidak terpasang di PC ini; dipakai format portabel."
    major = _tool_major(tool)
    server = _server_major(db)
    if major is None or major < server:
        return (
            f"pg_dump di PC ini (versi {major}) lebih lama dari server (versi {server}); "
            "dipakai format portabel."
        )
    return None


def _backup_pgdump(db: Database, tmp: Path) -> None:
    tool = _pg_bin("pg_dump")
    assert tool is not None
    args, env = _libpq(db)
    cmd = [tool, "--format=custom", "--no-owner", "--no-privileges", "--file", str(tmp), *args]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(
            "pg_dump gagal: "
            + (done.stderr.strip().splitlines() or ["tanpa pesan"])[-1]
            + ". Periksa koneksi dan izin akun basis data."
        )


@contextmanager
def _snapshot(db: Database) -> Iterator[Connection]:
    """A read-only connection on one consistent snapshot of the whole database."""
    with db._translate():
        if db.dialect == "postgresql":
            conn = db.engine.connect().execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        else:
            conn = db.engine.connect().execution_options(sipelayanan_readonly=True)
        try:
            with conn.begin():
                yield conn
        finally:
            conn.close()


def _backup_portable(db: Database, tmp: Path, progress: Progress | None) -> dict[str, int]:
    with _snapshot(db) as conn:
        source = DbSource(conn, "db")
        return write_portable(source, tmp, source_dialect=db.dialect, progress=progress)


def write_portable(
    source: Source, out: Path, *, source_dialect: str, progress: Progress | None = None
) -> dict[str, int]:
    tables_meta: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        for table in source.tables():
            digest = hashlib.sha256()
            count = 0
            with zf.open(f"tables/{table.name}.jsonl", "w", force_zip64=True) as raw:
                buf = bytearray()
                for row in source.rows(table):
                    line = (
                        json.dumps(
                            [_encode(k, v) for k, v in zip(table.kinds, row, strict=True)],
                            ensure_ascii=False,
                            separators=(",", ":"),
                        ).encode()
                        + b"\n"
                    )
                    digest.update(line)
                    buf += line
                    if len(buf) >= 1 << 20:
                        raw.write(buf)
                        buf.clear()
                    count += 1
                    if progress is not None and count % 1000 == 0:
                        progress(table.name, count)
                raw.write(buf)
            counts[table.name] = count
            tables_meta.append(
                {
                    "name": table.name,
                    "columns": list(table.columns),
                    "kinds": list(table.kinds),
                    "rows": count,
                    "sha256": digest.hexdigest(),
                }
            )
        manifest = {
            "format": MAGIC,
            "format_version": PORTABLE_VERSION,
            "app_version": __version__,
            "created_at": datetime.now(UTC).isoformat(),
            "source_dialect": source_dialect,
            "schema_revision": source.revision,
            "tables": tables_meta,
        }
        zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    return counts


# --------------------------------------------------------------------------- restore


def restore(
    db: Database,
    src: Path | str,
    *,
    actor: Actor | None = None,
    progress: Progress | None = None,
) -> RestoreResult:
    """Load a backup into an empty database, bring it up to date and verify the audit chain."""
    from .migrate import head_revision

    started = time.monotonic()
    src = Path(src)
    fmt = detect_format(src)
    if not is_empty(db):
        raise BackupError(
            f"Basis data tujuan ({db.describe()}) tidak kosong: pemulihan hanya ke basis data "
            "kosong agar data yang ada tidak tertimpa atau tercampur. Buat basis data baru "
            "(atau file SQLite baru), lalu ulangi."
        )
    if fmt == FORMAT_PGDUMP:
        if db.dialect != "postgresql":
            raise BackupError(
                "Cadangan pg_dump hanya dapat dipulihkan ke PostgreSQL. Untuk pindah ke SQLite, "
                "buat cadangan dengan format portabel."
            )
        _clear_empty_schema(db)
        _restore_pgdump(db, src)
    else:
        source: Source
        if fmt == FORMAT_SQLITE:
            uri = src.resolve().as_uri() + "?mode=ro"
            engine = create_engine(
                "sqlite://", creator=lambda: sqlite3.connect(uri, uri=True, timeout=30)
            )
            try:
                with _translate_source(src), engine.connect() as conn:
                    source = DbSource(conn, FORMAT_SQLITE)
                    _load(db, source, progress)
            finally:
                engine.dispose()
        else:
            portable = PortableSource(src)
            try:
                _load(db, portable, progress)
            finally:
                portable.close()
    if head_revision() is not None:
        db.upgrade()
    rows = row_counts(db)
    from .services import audit

    with db.write() as session:
        audit.record(
            session,
            actor,
            "db.restore",
            "database",
            None,
            {"format": fmt, "file": src.name, "rows": sum(rows.values())},
            username="(sistem)",
        )
    with db.read() as session:
        result = audit.verify(session)
        revision = _revision(session.connection())
    return RestoreResult(fmt, rows, revision, time.monotonic() - started, result.entries, result.ok)


@contextmanager
def _translate_source(path: Path) -> Iterator[None]:
    try:
        yield
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"File cadangan SQLite {path.name} rusak: {exc}.") from exc
    except Exception as exc:
        from sqlalchemy.exc import DatabaseError

        if isinstance(exc, DatabaseError):
            raise BackupError(
                f"File cadangan SQLite {path.name} rusak atau tidak terbaca; tidak ada yang "
                "dipulihkan."
            ) from exc
        raise


def _known_revision(revision: str | None) -> None:
    from alembic.util import CommandError

    from .migrate import alembic_config

    if revision is None:
        return
    from alembic.script import ScriptDirectory

    try:
        ScriptDirectory.from_config(alembic_config()).get_revision(revision)
    except CommandError:
        raise BackupError(
            f"Cadangan ini berasal dari versi SiPelayanan yang lebih baru (skema {revision}). "
            "Pasang versi aplikasi terbaru lalu ulangi pemulihan."
        ) from None


def _clear_empty_schema(db: Database) -> None:
    """Drop the (verified empty) tables so the backup's own schema can be created."""
    with db._translate(), db.engine.begin() as conn:
        meta = MetaData()
        meta.reflect(conn)
        meta.drop_all(conn)


def _prepare_schema(db: Database, revision: str | None) -> None:
    from .migrate import current_revision, upgrade

    _known_revision(revision)
    with db._translate():
        present = set(inspect(db.engine).get_table_names())
        if present and current_revision(db.engine) == revision:
            return  # the admin already created this very schema (keeps its grants)
        if present:
            _clear_empty_schema(db)
        if revision is not None:
            upgrade(db.engine, revision)
        else:
            from .models import Base

            with db.engine.begin() as conn:
                Base.metadata.create_all(conn)


def _load(db: Database, source: Source, progress: Progress | None) -> None:
    _prepare_schema(db, source.revision)
    with db._translate(), db.engine.begin() as conn:
        meta = MetaData()
        meta.reflect(conn)
        tables = source.tables()
        missing = [t.name for t in tables if t.name not in meta.tables]
        if missing:
            raise BackupError(
                "Skema basis data tujuan tidak memuat tabel dari cadangan: "
                + ", ".join(missing)
                + "."
            )
        if db.dialect == "sqlite":
            conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        if is_populated(conn, meta):
            raise BackupError("Basis data tujuan berisi data; pemulihan dibatalkan.")
        by_name = {t.name: t for t in tables}
        for name in _ordered(list(by_name), meta):
            info = by_name[name]
            target = _typed_table(name, meta.tables[name])
            unknown = set(info.columns) - set(target.c.keys())
            if unknown:
                raise BackupError(
                    f"Kolom {', '.join(sorted(unknown))} pada tabel {name} tidak dikenal oleh "
                    "skema tujuan."
                )
            if name == "audit_head":
                conn.execute(target.delete())
            _insert_rows(conn, target, info, source.rows(info), progress)
        if db.dialect == "postgresql":
            _reset_sequences(conn, meta)


def is_populated(conn: Connection, meta: MetaData) -> bool:
    for name in meta.tables:
        if name in ("alembic_version", "audit_head"):
            continue
        if conn.execute(text(f'SELECT 1 FROM "{name}" LIMIT 1')).first() is not None:
            return True
    return False


def _insert_rows(
    conn: Connection,
    table: Table,
    info: TableInfo,
    rows: Iterator[tuple[Any, ...]],
    progress: Progress | None,
) -> None:
    is_sqlite = conn.dialect.name == "sqlite"
    model = table is _model_tables().get(table.name)
    batch: list[dict[str, Any]] = []
    size = 0
    done = 0
    for row in rows:
        values = dict(zip(info.columns, row, strict=True))
        if not model and is_sqlite:  # reflected DATETIME on SQLite stores naive UTC
            for key, value in values.items():
                if isinstance(value, datetime):
                    values[key] = value.astimezone(UTC).replace(tzinfo=None)
        batch.append(values)
        size += sum(len(v) for v in values.values() if isinstance(v, bytes | str))
        if len(batch) >= _BATCH_ROWS or size >= _BATCH_BYTES:
            conn.execute(table.insert(), batch)
            done += len(batch)
            batch, size = [], 0
            if progress is not None:
                progress(table.name, done)
    if batch:
        conn.execute(table.insert(), batch)


def _reset_sequences(conn: Connection, meta: MetaData) -> None:
    for table in meta.sorted_tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, Integer):
            continue
        seq = conn.execute(
            text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": pk[0].name}
        ).scalar()
        if seq:
            conn.execute(
                text(
                    f'SELECT setval(:s, COALESCE((SELECT MAX("{pk[0].name}") FROM "{table.name}"),'
                    f' 1), (SELECT MAX("{pk[0].name}") FROM "{table.name}") IS NOT NULL)'
                ),
                {"s": seq},
            )


def _restore_pgdump(db: Database, src: Path) -> None:
    tool = _pg_bin("pg_restore")
    if tool is None:
        raise BackupError(
            "pg_restore tidak terpasang di PC ini; pasang alat klien PostgreSQL (versi yang "
            "sama dengan server) lalu ulangi."
        )
    args, env = _libpq(db)
    cmd = [
        tool,
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        *args,
        str(src),
    ]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["tanpa pesan"])[-1]
        if "permission denied" in last.lower():
            raise BackupError(
                "pg_restore ditolak: akun basis data ini tidak boleh membuat tabel. Pulihkan "
                "dengan akun pemilik basis data."
            )
        raise BackupError(f"pg_restore gagal: {last}. Tidak ada yang dipulihkan.")


# --------------------------------------------------------------------------- comparison


@dataclass
class TableDump:
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]] = field(default_factory=list)


def dump_tables(db: Database) -> dict[str, TableDump]:
    """Every application table's rows, normalised and ordered by primary key (for checks)."""
    out: dict[str, TableDump] = {}
    with _snapshot(db) as conn:
        source = DbSource(conn, "db")
        for info in source.tables():
            if info.name not in _model_tables():
                continue
            out[info.name] = TableDump(info.columns, list(source.rows(info)))
    return out


__all__ = [
    "FORMATS",
    "FORMAT_PGDUMP",
    "FORMAT_PORTABLE",
    "FORMAT_SQLITE",
    "BackupError",
    "BackupResult",
    "RestoreResult",
    "backup",
    "default_format",
    "detect_format",
    "dump_tables",
    "is_empty",
    "restore",
    "row_counts",
]
