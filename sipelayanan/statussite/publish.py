"""Send a built status site to its target: a folder (a web server on the LAN or a synced folder),
an SFTP server (paramiko) or a WebDAV / HTTP PUT URL. Only what changed is sent, and expired
request files are removed.

What was sent is remembered per target in ``<DIR>.published.json`` beside the build folder
(path -> SHA-256), written after every file, so an interrupted publish resumes where it stopped
and a publish that failed (offline) is simply tried again later. Request files go first and
``config.json`` last, so a phone never sees a new salt before the files it names.

Passwords live in the OS keyring (``SiPelayanan`` / ``status-site <target>``), never in the
database or a settings file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import posixpath
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ..errors import SipelayananError
from ..keyring_store import SERVICE, load_secret, store_secret
from .build import ASSETS, RECORDS, atomic_write
from .standar_pages import page_files

log = logging.getLogger("sipelayanan.statussite.publish")

KEYRING_SERVICE = SERVICE  # kept for callers and tests
TIMEOUT_S = 30.0

Progress = Callable[[int, int], None]


class PublishError(SipelayananError):
    """The target could not be reached or refused: the message says why, in Indonesian."""


# --------------------------------------------------------------------------- targets


@dataclass(frozen=True)
class TargetSpec:
    kind: str  # "folder", "sftp", "webdav"
    text: str  # as set in Admin (no password)
    path: str = ""  # folder path or remote directory
    host: str = ""
    port: int = 0
    user: str = ""
    url: str = ""  # webdav base URL, ends with "/"

    @property
    def label(self) -> str:
        if self.kind == "folder":
            return f"folder {self.path}"
        if self.kind == "sftp":
            return f"SFTP {self.host}"
        return f"WebDAV {urllib.parse.urlsplit(self.url).hostname}"


def parse_target(text: str) -> TargetSpec:
    """``D:\\web\\status`` / ``/srv/www/status`` (a folder), ``sftp://user@host[:port]/dir`` or
    ``https://[user@]host/dav/status/`` (WebDAV or any server taking HTTP PUT/DELETE)."""
    raw = text.strip()
    if not raw:
        raise PublishError("Tujuan penerbitan situs status belum diatur (Admin ▸ Situs status).")
    lower = raw.lower()
    if lower.startswith("sftp://"):
        parts = urllib.parse.urlsplit(raw)
        if not parts.hostname or not parts.username:
            raise PublishError("Alamat SFTP harus berbentuk sftp://pengguna@server[:port]/folder.")
        if parts.password:
            raise PublishError(
                "Jangan tulis kata sandi di alamat SFTP; isi kolom kata sandi (disimpan di "
                "penyimpanan kredensial Windows)."
            )
        try:
            port = parts.port or 22
        except ValueError as exc:
            raise PublishError("Port pada alamat SFTP tidak sah.") from exc
        path = urllib.parse.unquote(parts.path) or "."
        return TargetSpec(
            "sftp", raw, path=path, host=parts.hostname, port=port, user=parts.username
        )
    if lower.startswith(("https://", "http://")):
        parts = urllib.parse.urlsplit(raw)
        if not parts.hostname:
            raise PublishError("Alamat WebDAV tidak sah.")
        if parts.password:
            raise PublishError("Jangan tulis kata sandi di alamat WebDAV; isi kolom kata sandi.")
        netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
        path = parts.path if parts.path.endswith("/") else parts.path + "/"
        url = urllib.parse.urlunsplit((parts.scheme, netloc, path, "", ""))
        return TargetSpec("webdav", raw, url=url, user=parts.username or "", host=parts.hostname)
    if "://" in raw:
        raise PublishError("Tujuan penerbitan harus folder, sftp://… atau https://… (WebDAV).")
    return TargetSpec("folder", raw, path=raw)


class Target(Protocol):
    def put(self, rel: str, data: bytes) -> None: ...
    def delete(self, rel: str) -> None: ...
    def records(self) -> set[str] | None: ...  # names under s/ (None: cannot list)
    def close(self) -> None: ...


class FolderTarget:
    def __init__(self, root: str) -> None:
        self.root = Path(root)
        if not self.root.is_dir():
            raise PublishError(
                f"Folder tujuan {root} tidak ada atau tidak terjangkau; periksa Admin ▸ Situs "
                "status."
            )

    def put(self, rel: str, data: bytes) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, data)

    def delete(self, rel: str) -> None:
        (self.root / rel).unlink(missing_ok=True)

    def records(self) -> set[str] | None:
        folder = self.root / RECORDS
        return {p.name for p in folder.iterdir() if p.is_file()} if folder.is_dir() else set()

    def close(self) -> None:
        pass


class SftpTarget:
    """paramiko SFTP; the server's host key is trusted on first use and kept in a local
    known_hosts file beside the build folder — a changed key is refused."""

    def __init__(
        self,
        spec: TargetSpec,
        *,
        password: str | None,
        key_file: str = "",
        known_hosts: Path | None = None,
    ) -> None:
        import paramiko  # type: ignore[import-untyped]

        self.spec = spec
        self.client = paramiko.SSHClient()
        if known_hosts is not None:
            known_hosts.touch(exist_ok=True)
            self.client.load_host_keys(str(known_hosts))
        self.client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        try:
            self.client.connect(
                spec.host,
                port=spec.port,
                username=spec.user,
                password=password or None,
                key_filename=key_file or None,
                look_for_keys=not (password or key_file),
                allow_agent=False,
                timeout=TIMEOUT_S,
                banner_timeout=TIMEOUT_S,
                auth_timeout=TIMEOUT_S,
            )
        except paramiko.BadHostKeyException as exc:
            raise PublishError(
                f"Kunci server SFTP {spec.host} berubah sejak penerbitan pertama; penerbitan "
                "dihentikan demi keamanan. Tanyakan pengelola server."
            ) from exc
        except paramiko.AuthenticationException as exc:
            raise PublishError(
                f"Login SFTP ke {spec.host} ditolak: periksa nama pengguna dan kata sandi/kunci."
            ) from exc
        except (OSError, paramiko.SSHException) as exc:
            raise PublishError(
                f"Server SFTP {spec.host}:{spec.port} tidak terjangkau ({type(exc).__name__}); "
                "penerbitan dicoba lagi nanti."
            ) from exc
        self.sftp = self.client.open_sftp()
        self._dirs: set[str] = set()
        self._mkdirs(spec.path)

    def _remote(self, rel: str) -> str:
        return posixpath.join(self.spec.path, rel)

    def _mkdirs(self, path: str) -> None:
        if path in self._dirs or path in ("", ".", "/"):
            return
        try:
            self.sftp.stat(path)
        except FileNotFoundError:
            self._mkdirs(posixpath.dirname(path.rstrip("/")))
            self.sftp.mkdir(path)
        self._dirs.add(path)

    def put(self, rel: str, data: bytes) -> None:
        import io

        remote = self._remote(rel)
        self._mkdirs(posixpath.dirname(remote))
        tmp = posixpath.join(posixpath.dirname(remote), f".{posixpath.basename(remote)}.tmp")
        self.sftp.putfo(io.BytesIO(data), tmp, confirm=True)
        self.sftp.chmod(tmp, 0o644)
        self.sftp.posix_rename(tmp, remote)

    def delete(self, rel: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.sftp.remove(self._remote(rel))

    def records(self) -> set[str] | None:
        try:
            return {
                name
                for name in self.sftp.listdir(self._remote(RECORDS))
                if not name.startswith(".")
            }
        except FileNotFoundError:
            return set()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.sftp.close()
        self.client.close()


class WebDavTarget:
    """HTTP PUT / DELETE (WebDAV adds MKCOL for the s/ folder). Basic auth when a user is set."""

    def __init__(self, spec: TargetSpec, *, password: str | None) -> None:
        self.spec = spec
        self.headers: dict[str, str] = {}
        if spec.user:
            import base64

            token = base64.b64encode(f"{spec.user}:{password or ''}".encode()).decode()
            self.headers["Authorization"] = f"Basic {token}"
        self._made: set[str] = set()

    def _request(self, method: str, rel: str, data: bytes | None = None) -> int:
        url = urllib.parse.urljoin(self.spec.url, urllib.parse.quote(rel))
        headers = dict(self.headers)
        if data is not None:
            headers["Content-Type"] = (
                "application/json" if rel.endswith(".json") else _content_type(rel)
            )
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                return int(response.status)
        except urllib.error.HTTPError as exc:
            if exc.code in (401, 403):
                raise PublishError(
                    f"Server WebDAV {self.spec.host} menolak ({exc.code}): periksa nama pengguna "
                    "dan kata sandi."
                ) from exc
            return int(exc.code)
        except (OSError, urllib.error.URLError) as exc:
            raise PublishError(
                f"Server WebDAV {self.spec.host} tidak terjangkau; penerbitan dicoba lagi nanti."
            ) from exc

    def put(self, rel: str, data: bytes) -> None:
        folder = posixpath.dirname(rel)
        if folder and folder not in self._made:
            self._request("MKCOL", folder + "/")  # 405: exists already; a plain PUT server: 4xx
            self._made.add(folder)
        status = self._request("PUT", rel, data)
        if status not in (200, 201, 204):
            raise PublishError(
                f"Server WebDAV {self.spec.host} menolak file {rel} (HTTP {status})."
            )

    def delete(self, rel: str) -> None:
        status = self._request("DELETE", rel)
        if status not in (200, 202, 204, 404):
            raise PublishError(
                f"Server WebDAV {self.spec.host} menolak menghapus {rel} (HTTP {status})."
            )

    def records(self) -> set[str] | None:
        return None  # PUT-only servers cannot list: the local record of what was sent rules

    def close(self) -> None:
        pass


def _content_type(rel: str) -> str:
    return {
        ".html": "text/html; charset=utf-8",
        ".js": "application/javascript; charset=utf-8",
        ".css": "text/css; charset=utf-8",
    }.get(posixpath.splitext(rel)[1], "application/octet-stream")


# --------------------------------------------------------------------------- credentials


def _account(spec: TargetSpec) -> str:
    return f"status-site {spec.text.strip()}"


def store_password(spec: TargetSpec, password: str) -> bool:
    return store_secret(_account(spec), password)


def load_password(spec: TargetSpec) -> str | None:
    return load_secret(_account(spec))


# --------------------------------------------------------------------------- publish


@dataclass
class PublishResult:
    target: str
    sent: int = 0
    removed: int = 0
    bytes_sent: int = 0
    seconds: float = 0.0
    finished_at: float = 0.0  # time.time() of success
    pending: int = 0  # requests the build left for a later round


def state_path(folder: Path) -> Path:
    folder = Path(folder).resolve()
    return folder.parent / f"{folder.name}.published.json"


def known_hosts_path(folder: Path) -> Path:
    folder = Path(folder).resolve()
    return folder.parent / f"{folder.name}.known_hosts"


def _load_state(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _save_state(path: Path, state: dict[str, Any]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(state, handle, sort_keys=True)
    os.replace(tmp, path)


def last_success(folder: Path) -> tuple[float, str] | None:
    """(time.time(), target) of the last successful publish from this PC, if any."""
    state = _load_state(state_path(folder))
    last = state.get("_last")
    if isinstance(last, dict) and "at" in last:
        return float(last["at"]), str(last.get("target", ""))
    return None


def open_target(
    spec: TargetSpec, folder: Path, *, password: str | None = None, key_file: str = ""
) -> Target:
    if spec.kind == "folder":
        return FolderTarget(spec.path)
    if password is None and not key_file:
        password = load_password(spec)
    if spec.kind == "sftp":
        return SftpTarget(
            spec, password=password, key_file=key_file, known_hosts=known_hosts_path(folder)
        )
    return WebDavTarget(spec, password=password)


def publish(
    folder: Path,
    target: str,
    *,
    password: str | None = None,
    key_file: str = "",
    progress: Progress | None = None,
) -> PublishResult:
    """Bring the target up to date with the built tree in ``folder``."""
    started = time.perf_counter()
    folder = Path(folder)
    if not (folder / "config.json").is_file():
        raise PublishError(f"Folder {folder} belum berisi situs status yang dibangun.")
    spec = parse_target(target)
    spath = state_path(folder)
    state = _load_state(spath)
    sent: dict[str, str] = dict(state.get(spec.text, {}))

    local: dict[str, str] = {}
    records_dir = folder / RECORDS
    record_files = sorted(records_dir.iterdir()) if records_dir.is_dir() else []
    for path in record_files:
        if path.is_file() and not path.name.startswith("."):
            local[f"{RECORDS}/{path.name}"] = _digest(path)
    pages = page_files(folder)  # layanan/: the standar pelayanan pages
    for name in (*pages, *ASSETS, "config.json"):
        local[name] = _digest(folder / name)

    result = PublishResult(spec.label)
    remote = open_target(spec, folder, password=password, key_file=key_file)
    try:
        listed = remote.records()
        if listed is not None:  # the server's own listing: files someone removed come back
            present = {f"{RECORDS}/{name}" for name in listed}
            for rel in [r for r in sent if r.startswith(f"{RECORDS}/") and r not in present]:
                del sent[rel]
            extra = present - set(local)
        else:
            extra = set()
        # request files first, the page and config.json last
        order = [r for r in local if r.startswith(f"{RECORDS}/")] + [
            *pages,
            *ASSETS,
            "config.json",
        ]
        todo = [r for r in order if sent.get(r) != local[r]]
        gone = sorted({r for r in sent if r not in local} | extra)
        total = len(todo) + len(gone)
        done = 0
        for rel in todo:
            data = (folder / rel).read_bytes()
            remote.put(rel, data)
            sent[rel] = local[rel]
            result.sent += 1
            result.bytes_sent += len(data)
            done += 1
            if done % 50 == 0:
                state[spec.text] = sent
                _save_state(spath, state)
            if progress is not None:
                progress(done, total)
        for rel in gone:
            remote.delete(rel)
            sent.pop(rel, None)
            result.removed += 1
            done += 1
            if progress is not None:
                progress(done, total)
    except PublishError:
        raise
    except OSError as exc:
        raise PublishError(
            f"Penerbitan ke {spec.label} terputus ({type(exc).__name__}); dicoba lagi nanti."
        ) from exc
    except Exception as exc:  # paramiko's own errors
        import paramiko

        if isinstance(exc, paramiko.SSHException):
            raise PublishError(f"Penerbitan ke {spec.label} terputus; dicoba lagi nanti.") from exc
        raise
    finally:
        state[spec.text] = sent
        _save_state(spath, state)
        remote.close()
    result.seconds = time.perf_counter() - started
    result.finished_at = time.time()
    state["_last"] = {"at": result.finished_at, "target": spec.label}
    _save_state(spath, state)
    return result


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
