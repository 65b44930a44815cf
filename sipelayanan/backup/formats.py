"""What a backup file holds and how its integrity is proven.

Every format carries a manifest: per table the row count and the SHA-256 of the table's rows in
one canonical encoding (JSON lines of normalised values, see :func:`encode_line`), and one
digest of the whole manifest. ``restore`` checks all of it *before* writing anything, and after
loading compares what it wrote against the same digests.

``sqlite``
    An SQLite database (the online backup API's copy) with one extra table,
    ``sipelayanan_backup_manifest``: a row per table and a ``*`` row for the whole.
``pg_dump``
    ``pg_dump --format=custom`` followed by a trailer (``pg_restore`` reads the archive by its
    offsets and ignores what follows): the manifest as JSON, its length and a magic marker. The
    manifest holds the archive's own SHA-256 and the tables' digests, computed in the very
    snapshot pg_dump dumped (``--snapshot``).
``portabel``
    A ZIP with ``manifest.json`` and ``tables/NAME.jsonl``. Reading is bounded: the manifest's
    size, each line's length and each member's compression ratio, so a crafted file cannot fill
    memory or disk.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any, TypeGuard

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
    inspect,
    select,
    text,
)

from ..errors import InputError, SipelayananError

FORMAT_SQLITE = "sqlite"
FORMAT_PGDUMP = "pg_dump"
FORMAT_PORTABLE = "portabel"
FORMATS = (FORMAT_SQLITE, FORMAT_PGDUMP, FORMAT_PORTABLE)

MANIFEST = "manifest.json"
MANIFEST_TABLE = "sipelayanan_backup_manifest"
MAGIC = "sipelayanan-backup"
PORTABLE_VERSION = 1
KINDS = ("datetime", "date", "bytes", "bool", "int", "float", "str")

#: Bounds on what a restore reads from a backup file.
MAX_MANIFEST_BYTES = 8 * 1024 * 1024
MAX_LINE_BYTES = 128 * 1024 * 1024
#: A member larger than this may not expand more than MAX_RATIO times its compressed size
#: (real tables compress 2-30x; a file of repeated bytes ~1000x).
RATIO_FLOOR_BYTES = 1024 * 1024
MAX_RATIO = 200

_SQLITE_HEADER = b"SQLite format 3\x00"
_PGDUMP_HEADER = b"PGDMP"
_ZIP_HEADER = b"PK\x03\x04"
_TRAILER_MAGIC = b"SPLYNMF1"
_TRAILER = struct.Struct(">Q8s")
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")

Progress = Callable[[str, int], None]


class BackupError(SipelayananError):
    """A backup or restore that cannot be done; the message says why and what to do."""


# --------------------------------------------------------------------------- value coding


def kind_of(sqltype: Any) -> str:
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


def normal(kind: str, value: Any) -> Any:
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
    if kind == "float":
        return float(value)
    return value


def encode(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "datetime":
        return normal(kind, value).isoformat()
    if kind == "date":
        return value.isoformat()
    if kind == "bytes":
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def decode(kind: str, value: Any) -> Any:
    """A value from a backup line, type-checked (TypeError/ValueError when it is not one)."""
    if value is None:
        return None
    if kind == "datetime":
        if not isinstance(value, str):
            raise TypeError(kind)
        return normal(kind, datetime.fromisoformat(value))
    if kind == "date":
        if not isinstance(value, str):
            raise TypeError(kind)
        return date.fromisoformat(value)
    if kind == "bytes":
        if not isinstance(value, str):
            raise TypeError(kind)
        return base64.b64decode(value, validate=True)
    if kind == "bool":
        if not isinstance(value, bool | int):
            raise TypeError(kind)
        return bool(value)
    if kind == "int":
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(kind)
        return value
    if kind == "float":
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise TypeError(kind)
        return float(value)
    if not isinstance(value, str):
        raise TypeError(kind)
    return value


def encode_line(kinds: Sequence[str], row: Sequence[Any]) -> bytes:
    """One row in the canonical encoding the digests are taken over."""
    values = [encode(k, v) for k, v in zip(kinds, row, strict=True)]
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


class Digest:
    """Row count and SHA-256 of a table's canonical lines."""

    def __init__(self) -> None:
        self._sha = hashlib.sha256()
        self.rows = 0

    def add(self, line: bytes) -> None:
        self._sha.update(line)
        self.rows += 1

    @property
    def hex(self) -> str:
        return self._sha.hexdigest()


# --------------------------------------------------------------------------- manifest


@dataclass(frozen=True)
class TableInfo:
    name: str
    columns: tuple[str, ...]
    kinds: tuple[str, ...]
    rows: int | None = None
    sha256: str | None = None
    size: int | None = None  # portable: the member's uncompressed bytes


@dataclass(frozen=True)
class Manifest:
    revision: str
    tables: tuple[TableInfo, ...]
    created_at: str | None = None
    extra: dict[str, Any] | None = None  # format-specific fields (pg_dump: the archive's digest)

    def table(self, name: str) -> TableInfo | None:
        return next((t for t in self.tables if t.name == name), None)


def whole_digest(revision: str | None, tables: Sequence[TableInfo]) -> str:
    """The digest of the whole backup: the revision and every table's count and digest."""
    body = {
        "schema_revision": revision,
        "tables": [[t.name, list(t.columns), list(t.kinds), t.rows, t.sha256] for t in tables],
    }
    return hashlib.sha256(
        json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


def manifest_json(
    revision: str | None, tables: Sequence[TableInfo], **extra: Any
) -> dict[str, Any]:
    from .. import __version__

    out: dict[str, Any] = {
        "format": MAGIC,
        "format_version": PORTABLE_VERSION,
        "app_version": __version__,
        "created_at": datetime.now(UTC).isoformat(),
        "schema_revision": revision,
        "tables": [
            {
                "name": t.name,
                "columns": list(t.columns),
                "kinds": list(t.kinds),
                "rows": t.rows,
                "sha256": t.sha256,
                **({"bytes": t.size} if t.size is not None else {}),
            }
            for t in tables
        ],
        "sha256": whole_digest(revision, tables),
    }
    out.update(extra)
    return out


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_manifest(data: Any, where: str) -> Manifest:
    """A manifest read from a backup, checked field by field (never trusted as it is)."""

    def bad(detail: str) -> BackupError:
        return BackupError(
            f"Manifest cadangan {where} tidak sah: {detail}. Tidak ada yang dipulihkan; pakai "
            "file cadangan lain."
        )

    if not isinstance(data, dict):
        raise bad("isinya bukan objek JSON")
    if data.get("format") != MAGIC:
        raise BackupError(f"File {where} bukan cadangan SiPelayanan.")
    version = data.get("format_version")
    if not _is_int(version) or version < 1:
        raise bad("format_version harus bilangan bulat positif")
    if version > PORTABLE_VERSION:
        raise BackupError(
            "Cadangan ini dibuat oleh versi SiPelayanan yang lebih baru; perbarui aplikasi "
            "lalu ulangi pemulihan."
        )
    revision = data.get("schema_revision")
    if not isinstance(revision, str) or not revision.strip() or len(revision) > 64:
        raise bad("schema_revision (revisi skema) kosong atau tidak sah")
    raw_tables = data.get("tables")
    if not isinstance(raw_tables, list) or not raw_tables:
        raise bad("daftar 'tables' tidak ada")
    tables: list[TableInfo] = []
    for i, t in enumerate(raw_tables, 1):
        if not isinstance(t, dict):
            raise bad(f"tabel ke-{i} bukan objek")
        name = t.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise bad(f"nama tabel ke-{i} tidak sah")
        columns, kinds = t.get("columns"), t.get("kinds")
        if (
            not isinstance(columns, list)
            or not columns
            or not all(isinstance(c, str) and _NAME.match(c) for c in columns)
            or len(set(columns)) != len(columns)
        ):
            raise bad(f"kolom tabel {name} tidak sah")
        if (
            not isinstance(kinds, list)
            or len(kinds) != len(columns)
            or not all(k in KINDS for k in kinds)
        ):
            raise bad(f"jenis kolom tabel {name} tidak sah")
        rows = t.get("rows")
        if not _is_int(rows) or rows < 0:
            raise bad(f"jumlah baris ('rows') tabel {name} bukan bilangan bulat")
        sha = t.get("sha256")
        if not isinstance(sha, str) or not _HEX64.match(sha):
            raise bad(f"sidik SHA-256 tabel {name} tidak ada atau tidak sah")
        size = t.get("bytes")
        if size is not None and (not _is_int(size) or size < 0):
            raise bad(f"ukuran ('bytes') tabel {name} tidak sah")
        tables.append(TableInfo(name, tuple(columns), tuple(kinds), rows, sha, size))
    if len({t.name for t in tables}) != len(tables):
        raise bad("ada tabel yang tercantum dua kali")
    whole = data.get("sha256")
    if whole is not None:
        if not isinstance(whole, str) or not _HEX64.match(whole):
            raise bad("sidik SHA-256 keseluruhan tidak sah")
        if whole != whole_digest(revision, tables):
            raise BackupError(
                f"Manifest cadangan {where} rusak: sidik keseluruhannya tidak cocok. Tidak ada "
                "yang dipulihkan; pakai file cadangan lain."
            )
    created = data.get("created_at")
    extra = {k: v for k, v in data.items() if k.startswith("archive_")}
    return Manifest(
        revision, tuple(tables), created if isinstance(created, str) else None, extra or None
    )


def mismatch(where: str, name: str, detail: str) -> BackupError:
    return BackupError(
        f"Isi tabel {name} dalam {where} tidak cocok dengan manifest ({detail}); file cadangan "
        "rusak atau diubah. Tidak ada yang dipulihkan; pakai file cadangan lain."
    )


def check_digests(where: str, manifest: Manifest, found: dict[str, tuple[int, str]]) -> None:
    """The tables found in a backup against what its manifest promises."""
    listed = {t.name for t in manifest.tables}
    extra = sorted(set(found) - listed)
    if extra:
        raise BackupError(
            f"{where} memuat tabel yang tidak tercantum di manifest ({', '.join(extra)}); "
            "file cadangan diubah. Tidak ada yang dipulihkan."
        )
    for t in manifest.tables:
        if t.name not in found:
            raise mismatch(where, t.name, "tabel tidak ada")
        rows, sha = found[t.name]
        if rows != t.rows:
            raise mismatch(where, t.name, f"{rows} baris, seharusnya {t.rows}")
        if sha != t.sha256:
            raise mismatch(where, t.name, "sidik SHA-256 berbeda")


# --------------------------------------------------------------------------- sources


class Source:
    """Rows of every table, in dependency order, with normalised Python values."""

    format: str = ""
    revision: str | None = None
    created_at: str | None = None

    def tables(self) -> list[TableInfo]:
        raise NotImplementedError

    def rows(self, table: TableInfo) -> Iterator[tuple[Any, ...]]:
        raise NotImplementedError


def model_tables() -> dict[str, Table]:
    from ..models import Base

    return dict(Base.metadata.tables)


def ordered(names: Sequence[str], metadata: MetaData) -> list[str]:
    order = [t.name for t in metadata.sorted_tables if t.name in names]
    return order + sorted(set(names) - set(order))


def typed_table(name: str, reflected: Table) -> Table:
    """The model's table when it has exactly these columns (its types convert values
    precisely), else the reflected one."""
    model = model_tables().get(name)
    if model is not None and {c.name for c in model.columns} == {c.name for c in reflected.c}:
        return model
    return reflected


def revision_of(conn: Connection) -> str | None:
    if "alembic_version" not in inspect(conn).get_table_names():
        return None
    value = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return None if value is None else str(value)


class DbSource(Source):
    """A live database (or an SQLite backup file) read through one snapshot."""

    def __init__(self, conn: Connection, fmt: str, batch: int = 500) -> None:
        self.conn = conn
        self.format = fmt
        self.batch = batch
        self.revision = revision_of(conn)
        self._meta = MetaData()
        skip = {"alembic_version", MANIFEST_TABLE}
        names = [n for n in inspect(conn).get_table_names() if n not in skip]
        self._meta.reflect(conn, only=names)
        self._names = ordered(names, self._meta)

    def tables(self) -> list[TableInfo]:
        out = []
        for name in self._names:
            table = typed_table(name, self._meta.tables[name])
            cols = tuple(c.name for c in table.columns)
            kinds = tuple(kind_of(c.type) for c in table.columns)
            out.append(TableInfo(name, cols, kinds))
        return out

    def rows(self, table: TableInfo) -> Iterator[tuple[Any, ...]]:
        t = typed_table(table.name, self._meta.tables[table.name])
        pk = list(t.primary_key.columns) or list(t.columns)
        stmt = select(*[t.c[c] for c in table.columns]).order_by(*pk)
        result = self.conn.execution_options(yield_per=self.batch).execute(stmt)
        for row in result:
            yield tuple(normal(k, v) for k, v in zip(table.kinds, row, strict=True))

    def digests(self, progress: Progress | None = None) -> list[TableInfo]:
        """Every table with its row count and canonical digest."""
        out = []
        for info in self.tables():
            d = Digest()
            for row in self.rows(info):
                d.add(encode_line(info.kinds, row))
                if progress is not None and d.rows % 1000 == 0:
                    progress(info.name, d.rows)
            out.append(TableInfo(info.name, info.columns, info.kinds, d.rows, d.hex))
        return out


def digest_table(
    conn: Connection, table: Table, info: TableInfo, batch: int = 500
) -> tuple[int, str]:
    """Rows and canonical digest of ``table`` read back in ``info``'s columns and kinds."""
    pk = list(table.primary_key.columns) or list(table.columns)
    stmt = select(*[table.c[c] for c in info.columns]).order_by(*pk)
    d = Digest()
    for row in conn.execution_options(yield_per=batch).execute(stmt):
        values = tuple(normal(k, v) for k, v in zip(info.kinds, row, strict=True))
        d.add(encode_line(info.kinds, values))
    return d.rows, d.hex


def nul_problem(info: TableInfo, row: Sequence[Any]) -> str | None:
    """PostgreSQL cannot store NUL in text: name the column (never the value)."""
    for col, kind, value in zip(info.columns, info.kinds, row, strict=True):
        if kind == "str" and isinstance(value, str) and "\x00" in value:
            return col
    return None


def refuse_nul(where: str, info: TableInfo, line_no: int, column: str) -> BackupError:
    return BackupError(
        f"Cadangan {where}: kolom {column} pada tabel {info.name} (baris ke-{line_no}) memuat "
        "karakter NUL yang tidak dapat disimpan PostgreSQL. Tidak ada yang dipulihkan; pulihkan "
        "ke SQLite, atau perbaiki data itu di basis data asal lalu cadangkan lagi."
    )


# --------------------------------------------------------------------------- SQLite format


def write_sqlite_manifest(path: Path, revision: str | None, tables: Sequence[TableInfo]) -> None:
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        conn.execute(
            f"CREATE TABLE {MANIFEST_TABLE} (name TEXT PRIMARY KEY, rows INTEGER NOT NULL, "
            "sha256 TEXT NOT NULL, detail TEXT NOT NULL)"
        )
        conn.executemany(
            f"INSERT INTO {MANIFEST_TABLE} VALUES (?, ?, ?, ?)",
            [
                (t.name, t.rows, t.sha256, json.dumps([list(t.columns), list(t.kinds)]))
                for t in tables
            ]
            + [
                (
                    "*",
                    sum(t.rows or 0 for t in tables),
                    whole_digest(revision, tables),
                    json.dumps({"schema_revision": revision, "order": [t.name for t in tables]}),
                )
            ],
        )
        conn.commit()
    finally:
        conn.close()


def read_sqlite_manifest(conn: Connection, where: str) -> Manifest | None:
    """The manifest table of an SQLite-format backup; None for a backup made before it."""
    if MANIFEST_TABLE not in inspect(conn).get_table_names():
        return None
    rows = conn.execute(
        text(f"SELECT name, rows, sha256, detail FROM {MANIFEST_TABLE} ORDER BY name")
    ).all()
    whole = next((r for r in rows if r[0] == "*"), None)
    try:
        if whole is None:
            raise ValueError("no whole row")
        head = json.loads(whole[3])
        revision, order = head.get("schema_revision"), head.get("order")
        details = {r[0]: r for r in rows if r[0] != "*"}
        if not isinstance(order, list) or sorted(order) != sorted(details):
            raise ValueError("order")
        tables = []
        for name in order:
            _, count, sha, detail = details[name]
            columns, kinds = json.loads(detail)
            tables.append(
                {"name": name, "columns": columns, "kinds": kinds, "rows": count, "sha256": sha}
            )
    except (ValueError, TypeError, AttributeError, KeyError):
        raise BackupError(
            f"Manifest dalam cadangan SQLite {where} rusak. Tidak ada yang dipulihkan."
        ) from None
    data = {"format": MAGIC, "format_version": 1, "schema_revision": revision, "tables": tables}
    manifest = parse_manifest(data, where)
    if whole[2] != whole_digest(revision, manifest.tables):
        raise BackupError(
            f"Manifest cadangan SQLite {where} rusak: sidik keseluruhannya tidak cocok. Tidak "
            "ada yang dipulihkan; pakai file cadangan lain."
        )
    return manifest


# --------------------------------------------------------------------------- pg_dump trailer


def append_trailer(path: Path, manifest: dict[str, Any]) -> None:
    body = json.dumps(manifest, ensure_ascii=False, separators=(",", ":")).encode()
    with path.open("ab") as f:
        f.write(b"\n" + body + _TRAILER.pack(len(body), _TRAILER_MAGIC))


def read_trailer(path: Path) -> tuple[Manifest, int, str] | None:
    """(manifest, archive bytes, archive sha256) of a pg_dump backup; None for a plain dump."""
    size = path.stat().st_size
    with path.open("rb") as f:
        if size < _TRAILER.size + 1:
            return None
        f.seek(size - _TRAILER.size)
        length, magic = _TRAILER.unpack(f.read(_TRAILER.size))
        if magic != _TRAILER_MAGIC:
            return None
        where = f"pg_dump {path.name}"
        if length > MAX_MANIFEST_BYTES or length > size - _TRAILER.size - 1:
            raise BackupError(f"Manifest cadangan {where} rusak (ukurannya tidak masuk akal).")
        archive = size - _TRAILER.size - length - 1
        f.seek(archive + 1)
        try:
            data = json.loads(f.read(length))
        except (ValueError, RecursionError):
            raise BackupError(f"Manifest cadangan {where} rusak (bukan JSON).") from None
        manifest = parse_manifest(data, where)
        extra = manifest.extra or {}
        if extra.get("archive_bytes") != archive or not (
            isinstance(extra.get("archive_sha256"), str) and _HEX64.match(extra["archive_sha256"])
        ):
            raise BackupError(
                f"Cadangan {where} rusak atau terpotong (ukuran arsip tidak cocok dengan "
                "manifest). Tidak ada yang dipulihkan."
            )
        f.seek(0)
        sha = hashlib.sha256()
        left = archive
        while left:
            chunk = f.read(min(left, 1 << 20))
            if not chunk:
                break
            sha.update(chunk)
            left -= len(chunk)
        return manifest, archive, sha.hexdigest()


# --------------------------------------------------------------------------- portable format


def _bounded_lines(raw: IO[bytes], where: str, name: str) -> Iterator[bytes]:
    while True:
        line = raw.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_LINE_BYTES:
            raise BackupError(
                f"Tabel {name} dalam {where} memuat baris yang terlalu panjang (lebih dari "
                f"{MAX_LINE_BYTES // (1024 * 1024)} MB); file cadangan rusak. Tidak ada yang "
                "dipulihkan."
            )
        yield line


class PortableSource(Source):
    format = FORMAT_PORTABLE

    def __init__(self, path: Path) -> None:
        self.where = f"file {path.name}"
        try:
            self.zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, zlib.error, OSError, ValueError) as exc:
            raise BackupError(
                f"File {path.name} bukan cadangan SiPelayanan yang utuh (ZIP rusak atau "
                "terpotong; manifest tidak terbaca)."
            ) from exc
        try:
            manifest = self._read_manifest(path)
            self._check_members(manifest)
        except BaseException:
            self.zf.close()
            raise
        self.manifest = manifest
        self.revision = manifest.revision
        self.created_at = manifest.created_at
        #: canonical (rows, digest) per table, filled by :meth:`verify`
        self.canonical: dict[str, tuple[int, str]] = {}

    def _read_manifest(self, path: Path) -> Manifest:
        try:
            info = self.zf.getinfo(MANIFEST)
        except KeyError:
            raise BackupError(
                f"File {path.name} bukan cadangan SiPelayanan yang utuh (manifest tidak ada)."
            ) from None
        if info.file_size > MAX_MANIFEST_BYTES:
            raise BackupError(
                f"Manifest dalam {self.where} terlalu besar ({info.file_size // (1024 * 1024)} "
                "MB); file ini bukan cadangan SiPelayanan yang wajar. Tidak ada yang dipulihkan."
            )
        try:
            with self.zf.open(info) as f:
                raw = f.read(MAX_MANIFEST_BYTES + 1)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
            raise BackupError(
                f"File {path.name} bukan cadangan SiPelayanan yang utuh (manifest tidak terbaca)."
            ) from exc
        if len(raw) > MAX_MANIFEST_BYTES:
            raise BackupError(
                f"Manifest dalam {self.where} terlalu besar; file ini bukan cadangan SiPelayanan "
                "yang wajar. Tidak ada yang dipulihkan."
            )
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            raise BackupError(
                f"File {path.name} bukan cadangan SiPelayanan yang utuh (manifest bukan JSON "
                "yang sah)."
            ) from None
        return parse_manifest(data, self.where)

    def _check_members(self, manifest: Manifest) -> None:
        for t in manifest.tables:
            try:
                info = self.zf.getinfo(f"tables/{t.name}.jsonl")
            except KeyError:
                raise mismatch(self.where, t.name, "isi tabel tidak ada") from None
            if t.size is not None and info.file_size != t.size:
                raise mismatch(
                    self.where, t.name, f"{info.file_size} byte, seharusnya {t.size} byte"
                )
            if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(
                info.compress_size, 1
            ):
                raise BackupError(
                    f"Tabel {t.name} dalam {self.where} mengembang tidak wajar "
                    f"({info.compress_size} byte menjadi {info.file_size} byte); file ini "
                    "bukan cadangan SiPelayanan yang wajar. Tidak ada yang dipulihkan."
                )

    def tables(self) -> list[TableInfo]:
        return list(self.manifest.tables)

    def _lines(self, table: TableInfo) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """Decoded rows; the member's own digest and count are checked at its end."""
        digest = Digest()
        try:
            with self.zf.open(f"tables/{table.name}.jsonl") as raw:
                for line in _bounded_lines(raw, self.where, table.name):
                    digest.add(line)
                    try:
                        values = json.loads(line)
                        if not isinstance(values, list) or len(values) != len(table.columns):
                            raise ValueError("arity")
                        row = tuple(decode(k, v) for k, v in zip(table.kinds, values, strict=True))
                    except (ValueError, TypeError, binascii.Error, RecursionError):
                        raise BackupError(
                            f"Tabel {table.name} dalam {self.where} memuat baris yang tidak sah "
                            f"(baris ke-{digest.rows}); file cadangan rusak. Tidak ada yang "
                            "dipulihkan."
                        ) from None
                    yield digest.rows, row
        except (zipfile.BadZipFile, zlib.error, KeyError, EOFError, OSError, ValueError) as exc:
            raise BackupError(
                f"Tabel {table.name} dalam {self.where} rusak atau terpotong; tidak ada yang "
                "dipulihkan."
            ) from exc
        if digest.rows != table.rows:
            raise mismatch(self.where, table.name, f"{digest.rows} baris, seharusnya {table.rows}")
        if digest.hex != table.sha256:
            raise mismatch(self.where, table.name, "sidik SHA-256 berbeda")

    def verify(self, target_dialect: str, progress: Progress | None = None) -> None:
        """Read every table once, before anything is written: digests, counts, values."""
        for table in self.manifest.tables:
            canon = Digest()
            for n, row in self._lines(table):
                if target_dialect == "postgresql":
                    column = nul_problem(table, row)
                    if column is not None:
                        raise refuse_nul(self.where, table, n, column)
                canon.add(encode_line(table.kinds, row))
                if progress is not None and n % 1000 == 0:
                    progress(table.name, n)
            self.canonical[table.name] = (canon.rows, canon.hex)

    def rows(self, table: TableInfo) -> Iterator[tuple[Any, ...]]:
        for _, row in self._lines(table):
            yield row

    def close(self) -> None:
        self.zf.close()


def write_portable(
    source: Source,
    out: IO[bytes],
    *,
    source_dialect: str,
    progress: Progress | None = None,
) -> dict[str, int]:
    tables: list[TableInfo] = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        for table in source.tables():
            digest = Digest()
            size = 0
            with zf.open(f"tables/{table.name}.jsonl", "w", force_zip64=True) as raw:
                buf = bytearray()
                for row in source.rows(table):
                    line = encode_line(table.kinds, row)
                    digest.add(line)
                    buf += line
                    size += len(line)
                    if len(buf) >= 1 << 20:
                        raw.write(buf)
                        buf.clear()
                    if progress is not None and digest.rows % 1000 == 0:
                        progress(table.name, digest.rows)
                raw.write(buf)
            tables.append(
                TableInfo(table.name, table.columns, table.kinds, digest.rows, digest.hex, size)
            )
        manifest = manifest_json(source.revision, tables, source_dialect=source_dialect)
        zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    return {t.name: t.rows or 0 for t in tables}


# --------------------------------------------------------------------------- detection


def detect_format(path: Path) -> str:
    """The format by the first bytes; only a regular file is opened (a FIFO or device would
    block or never end)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputError(f"File cadangan {path} tidak ditemukan.", "file") from None
    except OSError as exc:
        raise InputError(f"File cadangan {path} tidak dapat dibaca: {exc.strerror}.") from exc
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"{path} adalah folder; sebutkan file cadangannya.", "file")
    if not stat.S_ISREG(st.st_mode):
        raise InputError(
            f"{path} bukan file biasa (mis. pipa atau perangkat); pemulihan hanya dari file "
            "cadangan di disk.",
            "file",
        )
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as f:
            head = f.read(16)
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
