"""Build the static status site (pure core: no Qt, no network).

The published tree::

    index.html  app.js  style.css      the page (resources/statussite/), no CDN, no tracker
    config.json                        {"salt", "iterations", "diperbarui", "kantor", ...}
    s/<32 hex>.json                    one file per open or recently finished request

A request's file name is ``PBKDF2-SHA256(code, office salt, iterations)`` (16 bytes, hex): the
page computes it with WebCrypto, so the tree cannot be walked back to tracking codes cheaply.
A file holds only what the status reply (:mod:`sipelayanan.services.status`) may say — service,
step in plain words, received / estimated / finished times (WIB), SOP labels of missing items,
delivery method — never a name, NIK, number, address, document number, resi, free text typed by
staff, nor the tracking code itself.

Incremental: a local cache *beside* the build folder (``<DIR>.cache.json``, never published)
keeps code -> derived name and code -> digest of content, so unchanged requests are neither
re-derived nor re-written.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..errors import InputError
from ..models import Case, CaseStatus, Delivery, SopSnapshot
from ..resources import resource_path
from ..services.context import Actor, resolve_now
from ..skm import site as skm_site
from .standar_pages import PAGES_DIR, write_pages

#: PBKDF2-SHA256 iterations. Headless Chromium on the 2-core dev machine derives a name in
#: 60-140 ms at 300 000 iterations (benchmarks/status_site.py); a low-end Android phone is some
#: 8-15x slower, i.e. about a second (docs/documents.md, "Situs status"). Stored per office.
DEFAULT_ITERATIONS = 300_000
DEFAULT_DAYS = 30
SETTING_KEY = "status_site"
ASSETS = ("index.html", "app.js", "style.css", "skm.js")
RECORDS = "s"
FORMAT_VERSION = 1

Progress = Callable[[int, int], None]


# --------------------------------------------------------------------------- settings


@dataclass
class SiteSettings:
    """The office's status-site settings (stored in the shared database; secrets are not)."""

    salt: str = ""  # hex, 16 random bytes, generated once
    iterations: int = DEFAULT_ITERATIONS
    days: int = DEFAULT_DAYS  # finished/cancelled requests stay published this many days
    public_url: str = ""  # "https://dukcapil.example/status/" -> QR holds ".../#CODE"
    target: str = ""  # a folder, sftp://user@host:port/path, or https://host/dav/path
    key_file: str = ""  # SFTP: a private key file on the publishing PC (else the password)
    auto_publish: bool = True

    def salt_bytes(self) -> bytes:
        return bytes.fromhex(self.salt)


def get_site_settings(session: Session) -> SiteSettings:
    from ..services.office import get_setting

    data = get_setting(session, SETTING_KEY, {}) or {}
    known = {k: v for k, v in data.items() if k in SiteSettings.__dataclass_fields__}
    return SiteSettings(**known)


def status_url_template(public_url: str) -> str:
    """``"https://x/status/"`` -> ``"https://x/status/#{code}"`` (the fragment never reaches the
    server); ``""`` -> ``""`` (the QR stays wa.me)."""
    url = public_url.strip()
    if not url:
        return ""
    if not url.lower().startswith(("https://", "http://")):
        raise InputError(
            "Alamat situs status harus diawali https:// (mis. https://disdukcapil.example/status/).",
            "public_url",
        )
    if "#" in url or "{" in url or "}" in url:
        raise InputError("Alamat situs status tidak boleh memuat tanda #, { atau }.", "public_url")
    if not (url.endswith("/") or url.lower().endswith((".html", ".htm"))):
        url += "/"
    return url + "#{code}"


def save_site_settings(
    session: Session,
    settings: SiteSettings,
    *,
    actor: Actor | None,
    now: datetime | None = None,
) -> SiteSettings:
    """Validate and store; also points the tanda terima's QR at the page (``status_url_template``
    of the office profile) or back at wa.me when the address is cleared."""
    from ..services.office import get_profile, save_profile, set_setting

    if not 1 <= settings.days <= 366:
        raise InputError("Lama tampil harus antara 1 dan 366 hari.", "days")
    if not 1_000 <= settings.iterations <= 10_000_000:
        raise InputError("Jumlah iterasi PBKDF2 harus antara 1.000 dan 10.000.000.", "iterations")
    template = status_url_template(settings.public_url)
    if not settings.salt:
        settings.salt = secrets.token_hex(16)
    bytes.fromhex(settings.salt)  # a corrupt salt fails here, not on a phone
    set_setting(session, SETTING_KEY, asdict(settings), actor=actor, now=now)
    profile = get_profile(session)
    if profile.status_url_template != template:
        profile.status_url_template = template
        save_profile(session, profile, actor=actor, now=now)
    return settings


def ensure_salt(session: Session, *, actor: Actor | None = None) -> SiteSettings:
    """The settings with a salt, generating and storing one on first use."""
    settings = get_site_settings(session)
    if not settings.salt:
        settings = save_site_settings(session, settings, actor=actor)
    return settings


# --------------------------------------------------------------------------- names


def derive_name(code: str, salt: bytes, iterations: int) -> str:
    """The record's file stem: PBKDF2-HMAC-SHA256(code, salt, iterations), 16 bytes, hex.

    ``code`` is the normalized 9-symbol code (``ABCDEFGH3``), exactly what app.js feeds
    WebCrypto."""
    return hashlib.pbkdf2_hmac("sha256", code.encode("ascii"), salt, iterations, 16).hex()


def derive_names(
    codes: list[str], salt: bytes, iterations: int, progress: Progress | None = None
) -> dict[str, str]:
    """Names for many codes on every core (PBKDF2 is slow on purpose). hashlib releases the GIL
    while OpenSSL derives, so threads run in parallel — no child processes (which a frozen
    Windows program or a Qt worker thread would make awkward)."""
    from concurrent.futures import ThreadPoolExecutor

    out: dict[str, str] = {}
    workers = max(1, min(os.cpu_count() or 1, 8))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        names = pool.map(lambda code: derive_name(code, salt, iterations), codes)
        for i, (code, name) in enumerate(zip(codes, names, strict=True), 1):
            out[code] = name
            if progress is not None and (i % 50 == 0 or i == len(codes)):
                progress(i, len(codes))
    return out


# --------------------------------------------------------------------------- records


_COLUMNS = (
    Case.code,
    Case.status,
    Case.current_step,
    Case.received_at,
    Case.due_at,
    Case.finished_at,
    Case.missing_items,
    Case.sop_snapshot_id,
    Delivery.method,
    Delivery.delivered_at,
)


def published_rows(session: Session, now: datetime, days: int) -> Iterable[Any]:
    """Open requests and those finished or cancelled in the last ``days`` days."""
    cutoff = now - timedelta(days=days)
    query = (
        select(*_COLUMNS)
        .outerjoin(Delivery, Delivery.case_id == Case.id)
        .where(or_(Case.status.in_(CaseStatus.OPEN), Case.finished_at >= cutoff))
        .order_by(Case.id)
    )
    return session.execute(query)


class _Definitions:
    """The SOP each request started under, loaded once per snapshot."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.cache: dict[int, Any] = {}

    def __call__(self, snapshot_id: int) -> Any:
        sdef = self.cache.get(snapshot_id)
        if sdef is None:
            from ..services.cases import _definition_from_json

            snap = self.session.get(SopSnapshot, snapshot_id)
            assert snap is not None
            sdef = self.cache[snapshot_id] = _definition_from_json(snap.definition)
        return sdef


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def public_record(row: Any, sdef: Any) -> dict[str, Any]:
    """What the page may show for one request: the status reply's facts, nothing else."""
    from ..reports import text as fmt
    from ..services.status import public_missing_items, step_in_words

    complaint = sdef.is_complaint
    record: dict[str, Any] = {
        "v": FORMAT_VERSION,
        "jenis": "pengaduan" if complaint else "permohonan",
        "layanan": sdef.name,
        "keadaan": row.status,
        "diterima": fmt.waktu(row.received_at),
    }
    if row.status == CaseStatus.PROSES:
        record["posisi"] = step_in_words(sdef, row.current_step)
        record["perkiraan"] = fmt.waktu(row.due_at)
        record["perkiraan_utc"] = _utc(row.due_at)
    elif row.status == CaseStatus.MENUNGGU_PEMOHON:
        items = json.loads(row.missing_items) if row.missing_items else []
        labels, other = public_missing_items(sdef, items)
        record["kurang"] = labels
        record["kurang_lain"] = other
    elif row.status == CaseStatus.SELESAI:
        if row.finished_at is not None:
            record["selesai"] = fmt.waktu(row.finished_at)
        if not complaint:
            if row.method is None:
                record["penyerahan"] = "belum"
            else:
                record["penyerahan"] = "pos" if row.method == "pos" else "diserahkan"
                record["penyerahan_tanggal"] = fmt.hari_tanggal(row.delivered_at)
    elif row.finished_at is not None:
        record["selesai"] = fmt.waktu(row.finished_at)
    return record


def encode(record: dict[str, Any]) -> bytes:
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


# --------------------------------------------------------------------------- build


@dataclass
class BuildResult:
    folder: Path
    published: int = 0  # request files in the tree
    written: int = 0  # request files written this time (new or changed)
    removed: int = 0  # expired request files removed
    derived: int = 0  # names derived this time (the rest came from the cache)
    pending: int = 0  # requests left for a later round (``max_new_names``)
    seconds: float = 0.0
    bytes: int = 0  # size of the whole tree
    changed: list[str] = field(default_factory=list)  # relative paths written or removed


def cache_path(folder: Path) -> Path:
    """The local cache beside (never inside) the build folder."""
    folder = folder.resolve()
    return folder.parent / f"{folder.name}.cache.json"


def _load_cache(path: Path, salt: str, iterations: int) -> dict[str, Any]:
    data: dict[str, Any]
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
        data = loaded if isinstance(loaded, dict) else {}
    except (OSError, ValueError):
        data = {}
    if data.get("salt") != salt or data.get("iterations") != iterations:
        data = {}  # another salt or cost: every name changes
    data.setdefault("names", {})
    data.setdefault("digests", {})
    data["salt"], data["iterations"] = salt, iterations
    return data


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file beside it and one rename (0644: these
    are files for the public web server)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_if_changed(path: Path, data: bytes) -> bool:
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    atomic_write(path, data)
    return True


def check_output_folder(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder} bukan folder; pilih folder untuk situs status.", "output")
    if not folder.parent.is_dir():
        raise InputError(f"Folder {folder.parent} tidak ada.", "output")
    if folder.exists():
        strangers = [
            p.name
            for p in folder.iterdir()
            if p.name not in (*ASSETS, "config.json", RECORDS, PAGES_DIR)
            and not p.name.startswith(".")
        ]
        if strangers:
            raise InputError(
                f"Folder {folder} berisi file lain ({strangers[0]}); situs status dibangun di "
                "folder kosong atau folder situs status sebelumnya.",
                "output",
            )


def build_site(
    session: Session,
    folder: Path,
    settings: SiteSettings,
    *,
    now: datetime | None = None,
    progress: Progress | None = None,
    max_new_names: int | None = None,
) -> BuildResult:
    """Write (or bring up to date) the site in ``folder``. Read-only on the database.

    ``max_new_names`` bounds the slow part (PBKDF2 per new request) of one call; requests left
    over are counted in ``BuildResult.pending`` and published by the next call."""
    from ..reports import text as fmt
    from ..services.office import get_profile
    from ..services.privacy import privacy_notice

    started = time.perf_counter()
    at = resolve_now(now)
    if not settings.salt:
        raise InputError("Situs status belum disiapkan (salt kosong).", "salt")
    folder = Path(folder)
    check_output_folder(folder)
    records_dir = folder / RECORDS
    records_dir.mkdir(parents=True, exist_ok=True)
    cpath = cache_path(folder)
    cache = _load_cache(cpath, settings.salt, settings.iterations)
    names: dict[str, str] = cache["names"]
    digests: dict[str, str] = cache["digests"]
    result = BuildResult(folder)

    definitions = _Definitions(session)
    content: dict[str, bytes] = {}
    for row in published_rows(session, at, settings.days):
        content[row.code] = encode(public_record(row, definitions(row.sop_snapshot_id)))
    missing = [code for code in content if code not in names]
    if max_new_names is not None and len(missing) > max_new_names:
        # a bounded round (the app's worker thread): the newest requests first, the rest
        # in the next rounds — they are simply not published yet
        result.pending = len(missing) - max_new_names
        missing = missing[len(missing) - max_new_names :]
    if missing:
        names.update(derive_names(missing, settings.salt_bytes(), settings.iterations, progress))
    result.derived = len(missing)

    wanted: set[str] = set()
    for code, data in content.items():
        name = names.get(code)
        if name is None:
            continue  # pending: named in a later round
        wanted.add(f"{name}.json")
        path = records_dir / f"{name}.json"
        digest = hashlib.sha256(data).hexdigest()
        if digests.get(code) != digest or not path.exists():
            atomic_write(path, data)
            digests[code] = digest
            result.written += 1
            result.changed.append(f"{RECORDS}/{name}.json")
    for path in records_dir.iterdir():
        if path.name not in wanted:
            path.unlink()
            result.removed += 1
            result.changed.append(f"{RECORDS}/{path.name}")
    for code in [c for c in digests if c not in content]:
        del digests[code]  # expired: forget the digest (the name stays cached, it is cheap)
    result.published = len(content) - result.pending

    for asset in ASSETS:
        if _write_if_changed(folder / asset, resource_path("statussite", asset).read_bytes()):
            result.changed.append(asset)
    result.changed += write_pages(session, folder)  # layanan/: standar pelayanan, maklumat
    config = {
        "v": FORMAT_VERSION,
        "salt": settings.salt,
        "iterations": settings.iterations,
        "kantor": get_profile(session).name,
        "privasi": privacy_notice(get_profile(session)),  # UU 27/2022, with the office's DPO
        "hari": settings.days,
        "diperbarui": fmt.waktu(at),
        "diperbarui_utc": _utc(at),
        **skm_site.config_part(session, at),  # the survey form and the published IKM
    }
    _write_if_changed(folder / "config.json", encode(config))
    result.changed.append("config.json")
    atomic_write(cpath, json.dumps(cache, sort_keys=True).encode())
    result.bytes = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    result.seconds = time.perf_counter() - started
    return result
