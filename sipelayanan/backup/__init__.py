"""Backup and restore of the whole database.

Three formats, told apart by their first bytes (see :mod:`.formats` for what each holds):
``sqlite`` (SQLite's online backup API: a consistent copy taken while the app keeps running),
``pg_dump`` (PostgreSQL's own ``pg_dump --format=custom``, restored with ``pg_restore``) and
``portabel`` (a ZIP of JSON lines, written from either engine and restorable into either).

Every backup carries a manifest: each table's row count and SHA-256, and a digest of the whole.
A restore

1. refuses anything that is not a regular file, a manifest that is malformed, a table whose
   digest or count differs, a value that does not fit its column — *before writing anything*;
2. goes only into an *empty* database (it never merges into or overwrites live data);
3. loads the rows in one transaction and, before it commits, reads back what it wrote and
   compares counts and digests with the backup's;
4. brings the schema up to date, continues the audit chain with a ``db.restore`` entry and
   verifies the chain.

Backups are written inside a private temporary folder next to the target and moved into place
with one rename (mode 0600); see :mod:`.tools`. Automatic daily backups, their rotation and
verification are in :mod:`.auto`.
"""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    MetaData,
    Table,
    create_engine,
    func,
    inspect,
    select,
    text,
)

from ..db import Database
from ..errors import DatabaseUnavailable, InputError
from ..services.context import Actor
from .formats import (
    FORMAT_PGDUMP,
    FORMAT_PORTABLE,
    FORMAT_SQLITE,
    FORMATS,
    MANIFEST_TABLE,
    BackupError,
    DbSource,
    Digest,
    Manifest,
    PortableSource,
    Progress,
    Source,
    TableInfo,
    append_trailer,
    check_digests,
    detect_format,
    digest_table,
    encode_line,
    manifest_json,
    model_tables,
    nul_problem,
    ordered,
    read_sqlite_manifest,
    read_trailer,
    refuse_nul,
    revision_of,
    typed_table,
    write_portable,
    write_sqlite_manifest,
)
from .tools import (
    create_private,
    fsync_replace,
    libpq,
    pg_bin,
    private_workdir,
    server_major,
    tool_major,
)

_BATCH_ROWS = 500
_BATCH_BYTES = 32 * 1024 * 1024

SUFFIXES = {FORMAT_SQLITE: ".sqlite3", FORMAT_PGDUMP: ".dump", FORMAT_PORTABLE: ".zip"}


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
    note: str | None = None


# --------------------------------------------------------------------------- helpers


def row_counts(db: Database) -> dict[str, int]:
    """Rows per application table (tables that do not exist yet are left out)."""
    with db.read() as session:
        conn = session.connection()
        present = set(inspect(conn).get_table_names())
        out: dict[str, int] = {}
        for name, table in model_tables().items():
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
            elif conn.execute(_any_row(name)).first() is not None:
                return False
    return True


def _any_row(name: str) -> Any:
    """A query for one row of ``name`` that counts as data (not the schema's own bookkeeping:
    the app version an upgrade notes in office_settings)."""
    from ..migrate import APP_VERSION_KEY

    if name == "office_settings":
        return text("SELECT 1 FROM office_settings WHERE key <> :k LIMIT 1").bindparams(
            k=APP_VERSION_KEY
        )
    return text(f'SELECT 1 FROM "{name}" LIMIT 1')


def _record(db: Database, actor: Actor | None, action: str, detail: dict[str, Any]) -> bool:
    from ..services import audit

    try:
        with db.write() as session:
            audit.record(session, actor, action, "database", None, detail, username="(sistem)")
    except DatabaseUnavailable:
        return False
    return True


def _file_sha256(path: Path, limit: int | None = None) -> str:
    sha = hashlib.sha256()
    left = limit
    with path.open("rb") as f:
        while left is None or left > 0:
            chunk = f.read(1 << 20 if left is None else min(left, 1 << 20))
            if not chunk:
                break
            sha.update(chunk)
            if left is not None:
                left -= len(chunk)
    return sha.hexdigest()


# --------------------------------------------------------------------------- backup


def default_format(db: Database) -> str:
    if db.dialect == "sqlite":
        return FORMAT_SQLITE
    return FORMAT_PGDUMP if pg_bin("pg_dump") else FORMAT_PORTABLE


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
    if out.exists() and out.is_dir():
        raise InputError(f"{out} adalah folder; sebutkan nama file cadangan.")
    if out.exists() and not overwrite:
        raise InputError(f"File {out} sudah ada; pilih nama lain atau izinkan menimpa.")
    if not out.parent.is_dir():
        raise InputError(f"Folder {out.parent} tidak ada.")
    rows = row_counts(db)
    audited = _record(
        db, actor, "db.backup", {"format": fmt, "file": out.name, "rows": sum(rows.values())}
    )
    note = None
    try:
        with private_workdir(out.parent) as work:
            tmp = work / f"cadangan{SUFFIXES[fmt]}"
            create_private(tmp)
            if fmt == FORMAT_SQLITE:
                rows = _backup_sqlite(db, tmp, progress)
            elif fmt == FORMAT_PGDUMP:
                reason = _pgdump_unusable(db)
                if reason is None:
                    try:
                        rows = _backup_pgdump(db, tmp, progress)
                    except BackupError as exc:
                        if not chosen:
                            raise
                        reason = f"{exc} Dipakai format portabel."
                if reason is not None:  # pg_dump was only the default: the portable one works
                    if not chosen:
                        raise BackupError(reason.replace("; dipakai format portabel.", "."))
                    fmt, note = FORMAT_PORTABLE, reason
                    tmp.unlink(missing_ok=True)
                    create_private(tmp)
            if fmt == FORMAT_PORTABLE:
                rows = _backup_portable(db, tmp, progress)
            fsync_replace(tmp, out)
    except OSError as exc:
        raise BackupError(
            f"Cadangan tidak dapat ditulis ke {out}: {exc.strerror or exc}. Periksa ruang disk "
            "dan izin folder."
        ) from exc
    with db.read() as session:
        revision = revision_of(session.connection())
    return BackupResult(
        out, fmt, out.stat().st_size, rows, revision, time.monotonic() - started, audited, note
    )


@contextmanager
def _sqlite_file(path: Path, *, readonly: bool = True) -> Iterator[Connection]:
    uri = path.resolve().as_uri() + ("?mode=ro" if readonly else "")
    engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True, timeout=30))
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def _backup_sqlite(db: Database, tmp: Path, progress: Progress | None) -> dict[str, int]:
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
        dst.commit()
    except sqlite3.Error as exc:
        from ..db import describe_db_error

        raise DatabaseUnavailable(describe_db_error(exc, path)) from exc
    finally:
        dst.close()
        src.close()
    # the digests are taken over the copy itself, then stored inside it
    with _sqlite_file(tmp) as conn:
        source = DbSource(conn, FORMAT_SQLITE)
        tables = source.digests(progress)
        revision = source.revision
    write_sqlite_manifest(tmp, revision, tables)
    return {t.name: t.rows or 0 for t in tables if t.name in model_tables()}


def _pgdump_unusable(db: Database) -> str | None:
    tool = pg_bin("pg_dump")
    if tool is None:
        return "pg_dump tidak terpasang di PC ini; dipakai format portabel."
    major = tool_major(tool)
    server = server_major(db)
    if major is None or major < server:
        return (
            f"pg_dump di PC ini (versi {major}) lebih lama dari server (versi {server}); "
            "dipakai format portabel."
        )
    return None


def _backup_pgdump(db: Database, tmp: Path, progress: Progress | None) -> dict[str, int]:
    """pg_dump and our digests from one exported snapshot, so they describe the same rows."""
    tool = pg_bin("pg_dump")
    assert tool is not None
    args, env = libpq(db)
    with _snapshot(db) as conn:
        snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        cmd = [
            tool,
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--snapshot={snapshot}",
            "--file",
            str(tmp),
            *args,
        ]
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise BackupError(
                "pg_dump gagal: "
                + (done.stderr.strip().splitlines() or ["tanpa pesan"])[-1]
                + ". Periksa koneksi dan izin akun basis data."
            )
        source = DbSource(conn, "db")
        tables = source.digests(progress)
        revision = source.revision
    size = tmp.stat().st_size
    append_trailer(
        tmp,
        manifest_json(
            revision,
            tables,
            source_dialect="postgresql",
            archive_bytes=size,
            archive_sha256=_file_sha256(tmp),
        ),
    )
    return {t.name: t.rows or 0 for t in tables if t.name in model_tables()}


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
    with _snapshot(db) as conn, tmp.open("wb") as f:
        source = DbSource(conn, "db")
        return write_portable(source, f, source_dialect=db.dialect, progress=progress)


# --------------------------------------------------------------------------- restore


def restore(
    db: Database,
    src: Path | str,
    *,
    actor: Actor | None = None,
    progress: Progress | None = None,
    retention: bool = True,
) -> RestoreResult:
    """Check a backup whole, load it into an empty database, compare what was written, bring
    it up to date and verify the audit chain. With ``retention`` (not for a trial restore that
    only verifies a backup) berkas past the retention schedule are purged again."""
    from ..migrate import head_revision

    started = time.monotonic()
    src = Path(src)
    fmt = detect_format(src)
    if not is_empty(db):
        raise BackupError(
            f"Basis data tujuan ({db.describe()}) tidak kosong: pemulihan hanya ke basis data "
            "kosong agar data yang ada tidak tertimpa atau tercampur. Buat basis data baru "
            "(atau file SQLite baru), lalu ulangi."
        )
    note = None
    if fmt == FORMAT_PGDUMP:
        note = _restore_pgdump_checked(db, src)
    elif fmt == FORMAT_SQLITE:
        with _translate_source(src), _sqlite_file(src) as conn:
            found = conn.exec_driver_sql("PRAGMA integrity_check").scalar()
            if found != "ok":
                raise BackupError(
                    f"File cadangan SQLite {src.name} rusak (pemeriksaan keutuhan gagal); tidak "
                    "ada yang dipulihkan. Pakai file cadangan lain."
                )
            source = DbSource(conn, FORMAT_SQLITE)
            manifest = read_sqlite_manifest(conn, f"file {src.name}")
            expected = _check_sqlite_source(db, src, source, manifest)
            if manifest is None:
                note = (
                    "Cadangan ini dibuat versi lama tanpa sidik SHA-256; keutuhannya diperiksa "
                    "dengan integrity_check SQLite saja."
                )
            _load(db, source, progress, expected)
    else:
        portable = PortableSource(src)
        try:
            _known_revision(portable.revision)
            portable.verify(db.dialect, progress)
            _load(db, portable, progress, portable.canonical)
        finally:
            portable.close()
    if head_revision() is not None:
        db.upgrade()
    rows = row_counts(db)
    from ..services import audit

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
    from ..services.retention import after_restore

    # a backup older than a purge brings berkas past retention back: purged again, and said
    purged = after_restore(db) if retention else None
    if purged:
        note = f"{note} {purged}" if note else purged
    with db.read() as session:
        result = audit.verify(session)
        revision = revision_of(session.connection())
    return RestoreResult(
        fmt, rows, revision, time.monotonic() - started, result.entries, result.ok, note
    )


def _check_sqlite_source(
    db: Database, src: Path, source: DbSource, manifest: Manifest | None
) -> dict[str, tuple[int, str]]:
    """Every table of an SQLite-format backup read once against its manifest, before
    anything is written. Returns the digests the load is compared with."""
    where = f"file {src.name}"
    if source.revision is None:
        raise BackupError(
            f"Cadangan {where} tidak mencatat revisi skemanya (tabel alembic_version tidak ada); "
            "tidak ada yang dipulihkan."
        )
    _known_revision(source.revision)
    if manifest is not None and manifest.revision != source.revision:
        raise BackupError(
            f"Revisi skema dalam {where} tidak cocok dengan manifestnya; file cadangan diubah. "
            "Tidak ada yang dipulihkan."
        )
    found: dict[str, tuple[int, str]] = {}
    for info in source.tables():
        digest = Digest()
        for row in source.rows(info):
            if db.dialect == "postgresql":
                column = nul_problem(info, row)
                if column is not None:
                    raise refuse_nul(where, info, digest.rows + 1, column)
            digest.add(encode_line(info.kinds, row))
        found[info.name] = (digest.rows, digest.hex)
    if manifest is not None:
        check_digests(where, manifest, found)
    return found


@contextmanager
def _translate_source(path: Path) -> Iterator[None]:
    try:
        yield
    except sqlite3.DatabaseError as exc:
        raise BackupError(
            f"File cadangan SQLite {path.name} rusak ({exc}); tidak ada yang dipulihkan."
        ) from exc
    except Exception as exc:
        from sqlalchemy.exc import DatabaseError

        if isinstance(exc, DatabaseError) and isinstance(exc.orig, sqlite3.DatabaseError):
            raise BackupError(
                f"File cadangan SQLite {path.name} rusak atau tidak terbaca; tidak ada yang "
                "dipulihkan."
            ) from exc
        raise


def _known_revision(revision: str | None) -> None:
    from ..migrate import KNOWN_REVISIONS

    if revision is None:
        raise BackupError("Cadangan ini tidak mencatat revisi skemanya; tidak ada yang dipulihkan.")
    if revision not in KNOWN_REVISIONS:
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
    from ..migrate import current_revision, upgrade

    _known_revision(revision)
    assert revision is not None
    with db._translate():
        present = set(inspect(db.engine).get_table_names())
        if present and current_revision(db.engine) == revision:
            return  # the admin already created this very schema (keeps its grants)
        if present:
            _clear_empty_schema(db)
        upgrade(db.engine, revision)


def _load(
    db: Database,
    source: Source,
    progress: Progress | None,
    expected: dict[str, tuple[int, str]],
) -> None:
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
        order = ordered(list(by_name), meta)
        for name in order:
            info = by_name[name]
            target = typed_table(name, meta.tables[name])
            unknown = set(info.columns) - set(target.c.keys())
            if unknown:
                raise BackupError(
                    f"Kolom {', '.join(sorted(unknown))} pada tabel {name} tidak dikenal oleh "
                    "skema tujuan."
                )
            if name in ("audit_head", "office_settings"):  # seeded by the migrations
                conn.execute(target.delete())
            _insert_rows(conn, target, info, source.rows(info), progress)
        if db.dialect == "postgresql":
            _reset_sequences(conn, meta)
        # what was written, read back before it commits
        for name in order:
            got = digest_table(conn, typed_table(name, meta.tables[name]), by_name[name])
            want = expected.get(name)
            if got != want:
                raise BackupError(
                    f"Pemulihan dibatalkan: tabel {name} yang tertulis di basis data tujuan "
                    f"berbeda dari cadangan ({got[0]} baris, seharusnya "
                    f"{want[0] if want else '?'}); tidak ada yang disimpan."
                )


def is_populated(conn: Connection, meta: MetaData) -> bool:
    for name in meta.tables:
        if name in ("alembic_version", "audit_head"):
            continue
        if conn.execute(_any_row(name)).first() is not None:
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
    model = table is model_tables().get(table.name)
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


def _restore_pgdump_checked(db: Database, src: Path) -> str | None:
    """pg_dump backups: the archive's digest before pg_restore, the tables' after it (a
    difference empties the database again). Returns a note for a dump without a manifest."""
    if db.dialect != "postgresql":
        raise BackupError(
            "Cadangan pg_dump hanya dapat dipulihkan ke PostgreSQL. Untuk pindah ke SQLite, "
            "buat cadangan dengan format portabel."
        )
    trailer = read_trailer(src)
    note = None
    if trailer is None:
        note = "Cadangan pg_dump ini tidak membawa sidik SHA-256 (dibuat di luar SiPelayanan)."
    else:
        manifest, _archive, sha = trailer
        if manifest.extra is None or sha != manifest.extra.get("archive_sha256"):
            raise BackupError(
                f"Cadangan pg_dump {src.name} rusak atau diubah: sidik SHA-256 arsipnya tidak "
                "cocok. Tidak ada yang dipulihkan; pakai file cadangan lain."
            )
        _known_revision(manifest.revision)
    _clear_empty_schema(db)
    _restore_pgdump(db, src)
    if trailer is not None:
        manifest = trailer[0]
        try:
            with db._translate(), db.engine.connect() as conn:
                meta = MetaData()
                meta.reflect(conn)
                found: dict[str, tuple[int, str]] = {}
                for info in manifest.tables:
                    if info.name in meta.tables:
                        table = typed_table(info.name, meta.tables[info.name])
                        found[info.name] = digest_table(conn, table, info)
                extra = set(meta.tables) - {t.name for t in manifest.tables}
                found |= {name: (0, "") for name in extra - {"alembic_version", MANIFEST_TABLE}}
                check_digests(f"basis data hasil pg_restore dari {src.name}", manifest, found)
        except BackupError:
            _clear_empty_schema(db)
            raise
    return note


def _restore_pgdump(db: Database, src: Path) -> None:
    tool = pg_bin("pg_restore")
    if tool is None:
        raise BackupError(
            "pg_restore tidak terpasang di PC ini; pasang alat klien PostgreSQL (versi yang "
            "sama dengan server) lalu ulangi."
        )
    args, env = libpq(db)
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
            if info.name not in model_tables():
                continue
            out[info.name] = TableDump(info.columns, list(source.rows(info)))
    return out


__all__ = [
    "FORMATS",
    "FORMAT_PGDUMP",
    "FORMAT_PORTABLE",
    "FORMAT_SQLITE",
    "SUFFIXES",
    "BackupError",
    "BackupResult",
    "PortableSource",
    "RestoreResult",
    "backup",
    "default_format",
    "detect_format",
    "dump_tables",
    "is_empty",
    "restore",
    "row_counts",
    "write_portable",
]
