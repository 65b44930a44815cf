"""Database engines and units of work.

SQLite (the embedded default) is for one PC on a local disk: WAL, a busy timeout, and write
transactions that ``BEGIN IMMEDIATE`` so two writers queue instead of failing mid-way. An SQLite
file on a network share is refused (WAL needs shared memory that network file systems do not
provide). PostgreSQL serves several PCs on the office LAN. The caller owns every transaction:
``with db.write() as session: service(..., session=session)``; reads run in
``with db.read() as session: …``, the one read unit (read-only, see :meth:`Database.read`).

No log line and no message carries statement parameters: engines are created with
``hide_parameters=True`` and :mod:`sipelayanan.logs` scrubs what drivers echo of the values.
"""

from __future__ import annotations

import logging
import os
import socket
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from .data_folder import ENV_DB as ENV_DB  # where the environment names the database
from .errors import ConflictError, DatabaseUnavailable, InputError, SipelayananError

log = logging.getLogger("sipelayanan.db")

#: Seconds SQLite waits for another writer, and PostgreSQL for a row lock, before giving up.
LOCK_WAIT_SECONDS = 30
#: PostgreSQL ends a session that sits inside an open transaction this long (a frozen PC must not
#: hold the audit chain's lock for everyone else).
IDLE_IN_TRANSACTION_SECONDS = 300


class ReadOnlyUnitError(RuntimeError):
    """A statement that changes data was sent through the read unit (``Database.read()``): a
    programming error, refused by the database itself before anything changed."""


def default_data_dir() -> Path:
    """The PC's data folder (machine-wide where there is one): see :mod:`.data_folder`."""
    from .data_folder import data_folder

    return data_folder()


def default_url() -> str:
    """``SIPELAYANAN_DB``, else the installer's choice, else the PC's SQLite file."""
    from .data_folder import default_url as resolve

    return resolve()


def sqlite_path(url: str) -> Path | None:
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    database = u.database
    if database.startswith("file:"):  # sqlite:///file:PATH?mode=ro&uri=true
        database = database[5:]
    return Path(database)


# --------------------------------------------------------------------------- network shares

#: File-system types (as in /proc/mounts) that live on another machine.
NETWORK_FS_TYPES = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb3",
        "smbfs",
        "ncpfs",
        "afs",
        "9p",
        "coda",
        "ceph",
        "glusterfs",
        "lustre",
        "gfs2",
        "ocfs2",
        "davfs",
        "fuse.sshfs",
        "fuse.davfs2",
        "fuse.rclone",
        "fuse.glusterfs",
        "fuse.cephfs",
        "fuse.s3fs",
        "fuse.smbnetfs",
    }
)


def _unescape_mount(field: str) -> str:
    """/proc/mounts escapes space, tab, newline and backslash as octal (``\\040``)."""
    out: list[str] = []
    i = 0
    while i < len(field):
        if field[i] == "\\" and i + 4 <= len(field) and field[i + 1 : i + 4].isdigit():
            out.append(chr(int(field[i + 1 : i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def network_filesystem(path: Path, mounts: str | None = None) -> str | None:
    """The network file-system type holding ``path`` (Linux ``/proc/mounts``), else None.

    ``mounts`` is the text of a mounts table; by default the running system's is read.
    """
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    target = _resolve(path)
    best: tuple[int, str] | None = None
    for line in mounts.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        mount_point, fstype = _unescape_mount(parts[1]), parts[2]
        prefix = mount_point.rstrip("/") + "/"
        if (target == mount_point or target.startswith(prefix) or mount_point == "/") and (
            best is None or len(mount_point) > best[0]
        ):
            best = (len(mount_point), fstype)
    if best is None:
        return None
    fstype = best[1]
    return fstype if fstype in NETWORK_FS_TYPES or fstype.startswith("nfs") else None


def _resolve(path: Path) -> str:
    """The absolute path with symlinks resolved as far as it exists (the file may not yet)."""
    p = Path(os.path.abspath(path))
    rest: list[str] = []
    while not p.exists() and p != p.parent:
        rest.insert(0, p.name)
        p = p.parent
    return os.path.join(os.path.realpath(p), *rest)


def _windows_drive_is_remote(drive: str) -> bool:  # pragma: no cover - Windows only
    import ctypes

    DRIVE_REMOTE = 4
    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    return bool(kernel32.GetDriveTypeW(drive.rstrip("\\/") + "\\") == DRIVE_REMOTE)


def is_network_path(path: Path | str, *, mounts: str | None = None) -> bool:
    """True for a UNC path, a mapped network drive (Windows) or a network mount (Linux).

    ``\\\\?\\C:\\…`` (a long local path) is local; ``\\\\?\\UNC\\server\\share`` is not.
    """
    text = str(path)
    if text.startswith(("\\\\?\\", "//?/", "\\\\.\\", "//./")):
        rest = text[4:]
        if rest[:4].upper() == "UNC\\" or rest[:4].upper() == "UNC/":
            return True
        text = rest  # a drive-letter path behind the long-path prefix
    elif text.startswith(("\\\\", "//")):
        return True
    if os.name == "nt":  # pragma: no cover - Windows only
        drive = os.path.splitdrive(os.path.abspath(text))[0]
        if drive.startswith(("\\\\", "//")):
            return True
        return bool(drive) and _windows_drive_is_remote(drive)
    if mounts is not None or os.path.exists("/proc/mounts"):
        return network_filesystem(Path(text), mounts) is not None
    return False


NETWORK_SQLITE_MESSAGE = (
    "File basis data SQLite tidak boleh berada di folder jaringan ({path}). SQLite (mode WAL) "
    "hanya aman di disk lokal satu PC: lewat jaringan, penguncian file tidak dapat diandalkan dan "
    "data bisa rusak bila dua PC menulis bersamaan. Bila beberapa PC harus memakai data yang sama, "
    "pasang PostgreSQL di server kantor dan arahkan semua PC ke sana (lihat panduan 'Beberapa PC: "
    "PostgreSQL'); bila hanya satu PC, simpan file basis data di disk lokal PC itu."
)


# --------------------------------------------------------------------------- engines


def _configure_sqlite(engine: Engine, *, query_only: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # let the begin hook issue BEGIN itself
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {LOCK_WAIT_SECONDS * 1000}")
        cur.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
        if query_only:
            # SQLite itself refuses every change on this connection. Set once for the
            # connection's life: changing it expires every prepared statement.
            cur.execute("PRAGMA query_only = 1")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        readonly = query_only or conn.get_execution_options().get("sipelayanan_readonly", False)
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


def _pg_connect_args(given: dict[str, Any] | None) -> dict[str, Any]:
    args: dict[str, Any] = {
        "connect_timeout": 5,
        # notice a server that vanished from the LAN without closing the connection
        "keepalives": 1,
        "keepalives_idle": 30,
        "keepalives_interval": 10,
        "keepalives_count": 3,
        # which PC holds a connection shows in pg_stat_activity
        "application_name": f"SiPelayanan@{socket.gethostname()[:40]}",
        "options": f"-c lock_timeout={LOCK_WAIT_SECONDS * 1000}"
        f" -c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION_SECONDS * 1000}",
    }
    args.update(given or {})
    return args


URL_EXAMPLE = "sqlite:///C:/Data/sipelayanan.sqlite3 atau postgresql://PENGGUNA@SERVER/NAMA_DB"


def check_url(url: str) -> None:
    """Refuse, with a message saying what to write, a database address the app cannot use."""
    try:
        u = make_url(url)
    except Exception:  # ArgumentError, ValueError: anything that is not a URL
        raise InputError(
            f"Alamat basis data tidak dapat dibaca. Tulis seperti {URL_EXAMPLE}.", "db"
        ) from None
    # by name only: asking SQLAlchemy for the driver would try to import an unknown dialect
    if u.drivername in ("sqlite", "sqlite+pysqlite", "postgresql", "postgresql+psycopg"):
        return
    raise InputError(
        f"Jenis basis data '{u.drivername}' tidak didukung; SiPelayanan memakai SQLite (satu "
        f"PC) atau PostgreSQL (beberapa PC). Tulis seperti {URL_EXAMPLE}.",
        "db",
    )


def make_engine(
    url: str,
    *,
    check_network: bool = True,
    create_folder: bool = True,
    query_only: bool = False,
    **kwargs: Any,
) -> Engine:
    """``create_folder=False`` refuses a SQLite file whose folder does not exist (a mistyped
    ``--db``) instead of creating it; the app's own data folder and ``db upgrade`` create it.
    ``query_only``: SQLite connections that refuse every change (the read unit's)."""
    check_url(url)
    # statement parameters (NIKs, names, phone numbers) never go into an exception's text
    kwargs.setdefault("hide_parameters", True)
    path = sqlite_path(url)
    if path is not None:
        if check_network and is_network_path(path):
            raise DatabaseUnavailable(NETWORK_SQLITE_MESSAGE.format(path=path))
        if not create_folder and not path.parent.is_dir():
            raise InputError(
                f"Folder basis data {path.parent} tidak ada. Periksa alamat basis data (--db "
                "atau SIPELAYANAN_DB); folder baru hanya dibuat oleh 'sipelayanan db upgrade'.",
                "db",
            )
        if path.is_dir():
            raise InputError(f"{path} adalah folder, bukan file basis data SQLite.", "db")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseUnavailable(
                f"Folder basis data {path.parent} tidak dapat dibuat: {exc.strerror}. "
                "Periksa lokasi dan izin foldernya."
            ) from exc
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine, query_only=query_only)
        return engine
    u = make_url(url)
    if u.get_backend_name() == "postgresql":
        kwargs.setdefault("pool_pre_ping", True)
        kwargs["connect_args"] = _pg_connect_args(kwargs.get("connect_args"))
        if u.drivername == "postgresql":
            url = u.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return create_engine(url, **kwargs)


# --------------------------------------------------------------------------- error messages

READONLY_MESSAGE = (
    "Basis data hanya-baca: perubahan tidak dapat disimpan{where}. Periksa izin file dan folder "
    "basis data (atau apakah disknya dikunci hanya-baca), atau hubungi admin."
)
DISK_FULL_MESSAGE = (
    "Disk penuh{where}: perubahan tidak disimpan dan data yang ada tetap utuh. Kosongkan ruang "
    "disk lalu coba lagi."
)
SERVER_MESSAGE = (
    "Server basis data tidak dapat dihubungi atau memutus koneksi. Tidak ada yang tersimpan "
    "setengah jalan; periksa jaringan/server lalu coba lagi."
)
PRIVILEGE_MESSAGE = (
    "Akun basis data yang dipakai aplikasi ini tidak berizin untuk tindakan tersebut. Perubahan "
    "skema (db upgrade) dan pemulihan cadangan dijalankan admin dengan akun pemilik basis data; "
    "bila ini terjadi saat bekerja biasa, minta admin menjalankan 'sipelayanan db grant'."
)


def _sqlstate(exc: BaseException) -> str | None:
    orig = getattr(exc, "orig", exc)
    state = getattr(orig, "sqlstate", None)
    return str(state) if state else None


def describe_db_error(exc: BaseException, path: Path | None = None) -> str:
    """A clerk-facing message for a low-level database failure (``path``: the SQLite file)."""
    text = str(getattr(exc, "orig", exc)).lower()
    state = _sqlstate(exc) or ""
    where = f" ({path})" if path is not None else ""
    if state == "42501" or "permission denied" in text:
        return PRIVILEGE_MESSAGE
    if state in ("40001", "40P01"):
        return (
            "Perubahan ini bertabrakan dengan perubahan dari PC lain dan dibatalkan; tidak ada "
            "yang tersimpan. Muat ulang lalu coba lagi."
        )
    if state == "55P03" or "lock timeout" in text:
        return "Data sedang dipakai PC lain terlalu lama. Tidak ada yang tersimpan; coba lagi."
    if state == "53100" or ("disk" in text and ("full" in text or "space" in text)):
        return DISK_FULL_MESSAGE.format(where=where)
    if "no space" in text:
        return DISK_FULL_MESSAGE.format(where=where)
    if "readonly" in text or "read-only" in text or "read only" in text:
        return READONLY_MESSAGE.format(where=where)
    if path is not None:
        local = _describe_sqlite_file(path)
        if local:
            return local
    if "locked" in text or "busy" in text:
        return "Basis data sedang dipakai proses lain terlalu lama. Coba lagi sebentar lagi."
    if "unable to open" in text:
        return f"File basis data{where} tidak dapat dibuka. Periksa lokasi dan izin foldernya."
    if "malformed" in text or "not a database" in text:
        return (
            f"File basis data{where} rusak atau bukan basis data SiPelayanan. Jangan menulis "
            "apa pun ke file itu; pulihkan dari cadangan terakhir (sipelayanan restore) atau "
            "hubungi admin."
        )
    if "disk i/o" in text:
        return (
            f"Gagal membaca/menulis disk basis data{where}. Tidak ada yang tersimpan setengah "
            "jalan; periksa disk lalu coba lagi."
        )
    return SERVER_MESSAGE


def _describe_sqlite_file(path: Path) -> str | None:
    """Look at the file and its folder for the usual causes an SQLite error hides."""
    folder = path.parent
    try:
        if folder.exists() and not os.access(folder, os.W_OK):
            return READONLY_MESSAGE.format(where=f" (folder {folder} tidak dapat ditulis)")
        if path.exists() and not os.access(path, os.W_OK):
            return READONLY_MESSAGE.format(where=f" ({path})")
        import shutil

        if folder.exists() and shutil.disk_usage(folder).free < 1024 * 1024:
            return DISK_FULL_MESSAGE.format(where=f" ({folder})")
    except OSError:
        return None
    return None


def _is_unavailable(exc: DBAPIError) -> bool:
    if isinstance(exc, OperationalError | InterfaceError) or exc.connection_invalidated:
        return True
    text = str(exc.orig).lower()
    return any(w in text for w in ("readonly", "read-only", "disk", "no space", "server closed"))


def _is_write_refusal(exc: DBAPIError) -> bool:
    """The database refused a change because the transaction is read-only (a read unit)."""
    if _sqlstate(exc) == "25006":  # PostgreSQL: read_only_sql_transaction
        return True
    name = getattr(exc.orig, "sqlite_errorname", "")
    return bool(name == "SQLITE_READONLY" and not _reads_only(exc.statement))


def _reads_only(statement: str | None) -> bool:
    head = (statement or "").lstrip().split(None, 1)
    return bool(head) and head[0].upper() in ("SELECT", "PRAGMA", "EXPLAIN", "VALUES")


def _is_unique_violation(exc: DBAPIError) -> bool:
    if not isinstance(exc, IntegrityError):
        return False
    state = _sqlstate(exc)
    return state == "23505" or "unique constraint failed" in str(exc.orig).lower()


class Database:
    """One engine plus units of work. Create one per process; pass it around explicitly."""

    def __init__(self, url: str | None = None, **engine_kwargs: Any) -> None:
        if url is None:
            engine_kwargs["create_folder"] = True  # the app's own data folder
        self.url = url or default_url()
        self.engine = make_engine(self.url, **engine_kwargs)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # The read unit. SQLite: a pool of its own, of connections that refuse every change
        # (PRAGMA query_only, set once per connection: changing it expires every prepared
        # statement; a second local connection per thread costs nothing). PostgreSQL: the same
        # pool (one server connection per worker), each read transaction begun READ ONLY; the
        # option is set per transaction and reset when the connection returns to the pool.
        # (Autocommit would save BEGIN/COMMIT but breaks server-side cursors, which need a
        # transaction: audit verify and the reports stream their rows through them.)
        self._read_engine = self.engine
        self._readonly: dict[str, Any] = {}
        if self.engine.dialect.name == "sqlite":
            # the write engine above has checked the file's location already
            read_kwargs = {**engine_kwargs, "check_network": False, "query_only": True}
            self._read_engine = make_engine(self.url, **read_kwargs)
        else:
            self._readonly["postgresql_readonly"] = True
        self._reads = sessionmaker(self._read_engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def sqlite_file(self) -> Path | None:
        return sqlite_path(self.url)

    def describe(self) -> str:
        """The database for messages: the SQLite file, or host/database without password."""
        path = self.sqlite_file
        if path is not None:
            return str(path)
        u = self.engine.url
        host = f"{u.host or 'localhost'}:{u.port or 5432}"
        return f"PostgreSQL {u.username or ''}@{host}/{u.database}"

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction: committed on success, rolled back on any error."""
        with self._translate(), self._sessions.begin() as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """The read unit: one read-only transaction, for every read function (the windows'
        inbox pages, searches and change check as much as the CLI and the reports).

        The database itself refuses any change made through it (SQLite ``query_only``,
        PostgreSQL ``BEGIN READ ONLY``); trying one raises :class:`ReadOnlyUnitError`. On
        SQLite its statements share one snapshot; on PostgreSQL (READ COMMITTED) each statement
        sees what was committed when it started.
        """
        with self._translate(), self._refuse_writes(), self._reads.begin() as session:
            if self._readonly:
                session.connection(execution_options=self._readonly)
            yield session

    @contextmanager
    def _refuse_writes(self) -> Iterator[None]:
        try:
            yield
        except DBAPIError as exc:
            if _is_write_refusal(exc):
                raise ReadOnlyUnitError(
                    "Database.read() is read-only: changes go through Database.write()"
                ) from exc
            raise

    @contextmanager
    def _translate(self) -> Iterator[None]:
        """Turn driver failures into clerk-facing errors; the transaction is already rolled back."""
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
            state = _sqlstate(exc)
            # for the admin: the driver's own words (the log filter masks 16-digit numbers)
            log.warning("database error %s: %s", state or type(exc.orig).__name__, exc.orig)
            if state in ("40001", "40P01", "55P03"):
                raise ConflictError(describe_db_error(exc)) from exc
            if _is_unique_violation(exc):
                raise ConflictError(
                    "Data yang sama baru saja disimpan dari PC lain; tidak ada yang tersimpan. "
                    "Muat ulang lalu coba lagi."
                ) from exc
            if state == "42501" or _is_unavailable(exc):
                raise DatabaseUnavailable(describe_db_error(exc, self.sqlite_file)) from exc
            self._refuse_not_a_database(exc.orig)
            raise
        except sqlite3.Error as exc:  # raised outside SQLAlchemy's wrapping (e.g. on connect)
            log.warning("sqlite error: %s", exc)
            self._refuse_not_a_database(exc)
            raise DatabaseUnavailable(describe_db_error(exc, self.sqlite_file)) from exc

    def _refuse_not_a_database(self, error: BaseException | None) -> None:
        """A ``--db`` pointing at a text file, or a damaged file: say so, not "unexpected"."""
        text = str(error).lower()
        if self.sqlite_file is not None and (
            "file is not a database" in text or "malformed" in text
        ):
            raise InputError(
                f"File {self.sqlite_file} bukan basis data SQLite SiPelayanan, atau rusak. "
                "Periksa alamat basis data; bila file basis data rusak, pulihkan dari cadangan "
                "terakhir ('sipelayanan restore').",
                "db",
            ) from None

    def upgrade(self) -> None:
        from .migrate import upgrade

        with self._translate():
            upgrade(self.engine)

    def schema_is_current(self) -> bool:
        """Whether the schema is at the newest migration (connection failures translated);
        raises ``migrate.SchemaTooNew`` for a database a newer app version migrated."""
        from .migrate import is_up_to_date

        with self._translate():
            return is_up_to_date(self.engine)

    def is_empty(self) -> bool:
        with self._translate():
            return "cases" not in inspect(self.engine).get_table_names()

    def dispose(self) -> None:
        if self._read_engine is not self.engine:
            self._read_engine.dispose()
        self.engine.dispose()
