"""Database engines and units of work.

SQLite (the embedded default) is for one PC on a local disk: WAL, a busy timeout, and write
transactions that ``BEGIN IMMEDIATE`` so two writers queue instead of failing mid-way.
PostgreSQL serves several PCs on the office LAN. The caller owns every transaction:
``with db.write() as session: service(..., session=session)``.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from .errors import ConflictError, DatabaseUnavailable, SipelayananError

APP_NAME = "SiPelayanan"
APP_AUTHOR = "Disdukcapil Way Kanan"
ENV_DB = "SIPELAYANAN_DB"


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, APP_AUTHOR))


def default_url() -> str:
    env = os.environ.get(ENV_DB)
    if env:
        return env
    path = default_data_dir() / "sipelayanan.sqlite3"
    return f"sqlite:///{path}"


def sqlite_path(url: str) -> Path | None:
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database)


def is_network_path(path: Path) -> bool:
    """True for a UNC path or a mapped network drive (SQLite's WAL needs a local disk)."""
    text = str(path)
    if text.startswith(("\\\\", "//")):
        return True
    if os.name == "nt":  # pragma: no cover - Windows only
        import ctypes

        drive = os.path.splitdrive(os.path.abspath(text))[0]
        if drive:
            DRIVE_REMOTE = 4
            kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
            return bool(kernel32.GetDriveTypeW(drive + "\\") == DRIVE_REMOTE)
    return False


NETWORK_SQLITE_MESSAGE = (
    "File basis data SQLite tidak boleh berada di folder jaringan ({path}). SQLite (mode WAL) "
    "hanya aman di disk lokal satu PC; bila beberapa PC harus memakai data yang sama, pasang "
    "PostgreSQL di server kantor dan arahkan semua PC ke sana (lihat README: 'Beberapa PC')."
)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # let the begin hook issue BEGIN itself
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout = 30000")
        cur.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        readonly = conn.get_execution_options().get("sipelayanan_readonly", False)
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


def make_engine(url: str, *, check_network: bool = True, **kwargs: Any) -> Engine:
    path = sqlite_path(url)
    if path is not None:
        if check_network and is_network_path(path):
            raise DatabaseUnavailable(NETWORK_SQLITE_MESSAGE.format(path=path))
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    if make_url(url).get_backend_name() == "postgresql":
        kwargs.setdefault("pool_pre_ping", True)
        kwargs.setdefault("connect_args", {"connect_timeout": 5})
        if make_url(url).drivername == "postgresql":
            url = str(make_url(url).set(drivername="postgresql+psycopg"))
    return create_engine(url, **kwargs)


def describe_db_error(exc: BaseException) -> str:
    """A clerk-facing message for a low-level database failure."""
    text = str(getattr(exc, "orig", exc)).lower()
    if "readonly" in text or "read-only" in text or "read only" in text:
        return (
            "Basis data hanya-baca: perubahan tidak dapat disimpan. Periksa izin file basis data "
            "atau hubungi admin."
        )
    if ("disk" in text and ("full" in text or "space" in text)) or "no space" in text:
        return "Disk penuh: perubahan tidak disimpan. Kosongkan ruang disk lalu coba lagi."
    if "locked" in text or "busy" in text:
        return "Basis data sedang dipakai proses lain terlalu lama. Coba lagi sebentar lagi."
    if "unable to open" in text:
        return "File basis data tidak dapat dibuka. Periksa lokasi dan izin foldernya."
    return (
        "Server basis data tidak dapat dihubungi atau memutus koneksi. Tidak ada yang tersimpan "
        "setengah jalan; periksa jaringan/server lalu coba lagi."
    )


class Database:
    """One engine plus units of work. Create one per process; pass it around explicitly."""

    def __init__(self, url: str | None = None, **engine_kwargs: Any) -> None:
        self.url = url or default_url()
        self.engine = make_engine(self.url, **engine_kwargs)
        self._write = sessionmaker(self.engine, expire_on_commit=False)
        self._read = sessionmaker(
            self.engine.execution_options(sipelayanan_readonly=True), expire_on_commit=False
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction: committed on success, rolled back on any error."""
        with self._translate(), self._write.begin() as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._translate(), self._read.begin() as session:
            yield session

    @contextmanager
    def _translate(self) -> Iterator[None]:
        try:
            yield
        except SipelayananError:
            raise
        except StaleDataError as exc:
            raise ConflictError(
                "Permohonan ini baru saja diubah oleh petugas lain; tidak ada yang disimpan. "
                "Data dimuat ulang, periksa lalu ulangi bila masih perlu."
            ) from exc
        except DBAPIError as exc:
            if isinstance(exc, OperationalError) or exc.connection_invalidated or _is_io(exc):
                raise DatabaseUnavailable(describe_db_error(exc)) from exc
            raise

    def upgrade(self) -> None:
        from .migrate import upgrade

        with self._translate():
            upgrade(self.engine)

    def is_empty(self) -> bool:
        return "cases" not in inspect(self.engine).get_table_names()

    def dispose(self) -> None:
        self.engine.dispose()


def _is_io(exc: DBAPIError) -> bool:
    text = str(exc.orig).lower()
    return any(w in text for w in ("readonly", "read-only", "disk", "no space", "server closed"))
