"""The machine-wide database choice written by the Windows installer.

At install time the installer asks whether this PC keeps its own SQLite database or uses the
office PostgreSQL server, and writes the answer where every Windows account of the PC reads it::

    %PROGRAMDATA%\\SiPelayanan\\sipelayanan.ini     (Windows)
    /etc/sipelayanan/sipelayanan.ini              (elsewhere)

    [database]
    mode = postgresql
    url = postgresql://petugas@192.168.1.10:5432/sipelayanan

The password is never in that file (the app keeps it in the OS keyring). ``mode = sqlite`` or an
empty ``url`` means the PC's own SQLite file in its machine-wide data folder (see
:mod:`sipelayanan.data_folder`), shared by every Windows account of the PC.
``db.default_url()`` consults this after the ``SIPELAYANAN_DB`` environment variable;
``SIPELAYANAN_MACHINE_CONFIG`` names another file.

A file that exists but cannot be read or holds a bad URL is an error, never silently ignored: a
PC that quietly fell back to a local database would split the office's records in two.
"""

from __future__ import annotations

import configparser
import os
import sys
from pathlib import Path

from .errors import DatabaseUnavailable

ENV_MACHINE_CONFIG = "SIPELAYANAN_MACHINE_CONFIG"
SECTION = "database"
SUPPORTED_BACKENDS = ("sqlite", "postgresql")


def machine_config_path() -> Path:
    override = os.environ.get(ENV_MACHINE_CONFIG)
    if override:
        return Path(override)
    if sys.platform == "win32":
        from .data_folder import programdata_folder

        return programdata_folder() / "sipelayanan.ini"
    return Path("/etc/sipelayanan/sipelayanan.ini")


def _decode(raw: bytes) -> str:
    """Inno Setup writes INI files through the Windows API: ANSI, or UTF-16 with a BOM."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _problem(path: Path, detail: str) -> DatabaseUnavailable:
    return DatabaseUnavailable(
        f"Pengaturan basis data PC ini ({path}) {detail} Perbaiki file itu (atau pasang ulang "
        "SiPelayanan dan pilih basis data lagi), atau minta bantuan admin."
    )


def _read_parser(path: Path) -> configparser.ConfigParser | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise _problem(path, "berupa folder, bukan file.") from None
    except OSError as exc:
        raise _problem(path, f"tidak dapat dibaca ({exc.strerror or exc}).") from exc
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(_decode(raw), source=str(path))
    except configparser.Error as exc:
        raise _problem(path, f"tidak dapat dipahami: {exc.message}.") from exc
    return parser


def machine_db_url(path: Path | None = None) -> str | None:
    """The database URL chosen for this PC at install time, or None when there is none."""
    path = path or machine_config_path()
    parser = _read_parser(path)
    if parser is None or not parser.has_section(SECTION):
        return None
    mode = parser.get(SECTION, "mode", fallback="").strip().lower()
    url = parser.get(SECTION, "url", fallback="").strip()
    if mode == "sqlite" or not url:
        return None
    try:
        from sqlalchemy.engine import make_url  # only when the installer chose a database
        from sqlalchemy.exc import ArgumentError

        parsed = make_url(url)
    except ArgumentError:
        raise _problem(path, "berisi alamat basis data (url) yang tidak sah.") from None
    if parsed.get_backend_name() not in SUPPORTED_BACKENDS:
        raise _problem(
            path,
            f"memakai jenis basis data '{parsed.get_backend_name()}'; yang didukung hanya "
            "SQLite dan PostgreSQL.",
        )
    if parsed.get_backend_name() == "postgresql" and not (parsed.host and parsed.database):
        raise _problem(path, "tidak menyebut server (host) dan nama basis data PostgreSQL.")
    return url


# --------------------------------------------------------------------------- SOP folder

SOP_SECTION = "sop"
SOP_KEY = "folder"


def machine_sop_folder(path: Path | None = None) -> str | None:
    """The SOP folder the admin chose for this PC (``[sop] folder = …``), or None."""
    parser = _read_parser(path or machine_config_path())
    if parser is None or not parser.has_section(SOP_SECTION):
        return None
    return parser.get(SOP_SECTION, SOP_KEY, fallback="").strip() or None


def set_machine_sop_folder(folder: str | None, path: Path | None = None) -> Path:
    """Write (or with None remove) this PC's SOP folder, keeping the file's other settings.

    Written UTF-8 to a temporary file then renamed over the old one. Raises ``OSError`` when
    the file cannot be written (e.g. no rights to the machine-wide folder)."""
    path = path or machine_config_path()
    parser = _read_parser(path) or configparser.ConfigParser(interpolation=None)
    if folder:
        if not parser.has_section(SOP_SECTION):
            parser.add_section(SOP_SECTION)
        parser.set(SOP_SECTION, SOP_KEY, folder)
    elif parser.has_section(SOP_SECTION):
        parser.remove_option(SOP_SECTION, SOP_KEY)
        if not parser.items(SOP_SECTION):
            parser.remove_section(SOP_SECTION)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        parser.write(handle)
    os.replace(tmp, path)
    return path
