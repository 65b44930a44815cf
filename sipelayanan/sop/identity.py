"""The identity page of a signed SOP (PermenPANRB 35/2012 layout), read from the ``[identity]``
table of ``resources/sop/<CODE>.toml``: the unit, the dates of making, revision and taking
effect, who signs it (the office, not a person: the name and NIP come from the office profile at
print time), and the six lists the signed document prints in two columns — dasar hukum,
kualifikasi pelaksana, keterkaitan, peralatan/perlengkapan, peringatan, pencatatan dan pendataan.

The identity is document metadata, not part of the running definition: it is not in
:class:`~sipelayanan.sop.definitions.ServiceDef` and not in its fingerprint, so correcting a
date or a legal reference does not make a new SOP version for the requests already running.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from sipelayanan.resources import resource_path
from sipelayanan.sop.definitions import SopError
from sipelayanan.sop.loader import services

__all__ = ["IDENTITY_LISTS", "SopIdentity", "identities", "identity_of", "load_identity_file"]

#: The six lists of the identity page, in the signed document's reading order (left column,
#: right column, row by row), with their printed headings.
IDENTITY_LISTS: tuple[tuple[str, str], ...] = (
    ("dasar_hukum", "Dasar Hukum"),
    ("kualifikasi_pelaksana", "Kualifikasi Pelaksana"),
    ("keterkaitan", "Keterkaitan"),
    ("peralatan", "Peralatan / Perlengkapan"),
    ("peringatan", "Peringatan"),
    ("pencatatan", "Pencatatan dan Pendataan"),
)
_TEXTS = ("unit", "tanggal_pembuatan", "tanggal_revisi", "tanggal_efektif", "disahkan_oleh")


@dataclass(frozen=True)
class SopIdentity:
    unit: str  # e.g. "Bidang Pelayanan Pendaftaran Penduduk" ("" when the SOP names none)
    tanggal_pembuatan: str  # as printed: "19 Januari 2022"
    tanggal_revisi: str
    tanggal_efektif: str
    disahkan_oleh: str  # the office that signs: "Kepala Dinas Kependudukan dan ..."
    dasar_hukum: tuple[str, ...]
    kualifikasi_pelaksana: tuple[str, ...]
    keterkaitan: tuple[str, ...]
    peralatan: tuple[str, ...]
    peringatan: tuple[str, ...]
    pencatatan: tuple[str, ...]

    def items(self, key: str) -> tuple[str, ...]:
        """One of the six lists by its key in :data:`IDENTITY_LISTS`."""
        if key not in dict(IDENTITY_LISTS):
            raise KeyError(key)
        value: tuple[str, ...] = getattr(self, key)
        return value


def _line(text: str, key: str) -> int:
    for no, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith(key):
            return no
    return 1


def load_identity_file(path: Path) -> SopIdentity | None:
    """The ``[identity]`` table of one SOP file, or None when the file has none.

    Raises :class:`SopError` (file and line) for an unknown key, a missing one or a wrong type."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SopError(f"File SOP tidak dapat dibaca: {exc}", path) from exc
    raw = data.get("identity")
    if raw is None:
        return None
    where = _line(text, "[identity]")
    if not isinstance(raw, dict):
        raise SopError("'identity' harus berupa tabel [identity]", path, where)
    known = (*_TEXTS, *(k for k, _label in IDENTITY_LISTS))
    for key in raw:
        if key not in known:
            raise SopError(
                f"[identity]: kunci tidak dikenal '{key}' (yang dikenal: {', '.join(known)})",
                path,
                _line(text, key),
            )
    values: dict[str, Any] = {}
    for key in _TEXTS:
        value = raw.get(key, "")
        if not isinstance(value, str):
            raise SopError(f"[identity]: '{key}' harus berupa teks", path, _line(text, key))
        values[key] = " ".join(value.split())
    for key, _label in IDENTITY_LISTS:
        value = raw.get(key)
        if value is None:
            raise SopError(f"[identity]: kunci wajib '{key}' tidak ada", path, where)
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise SopError(
                f"[identity]: '{key}' harus berupa daftar teks yang tidak kosong",
                path,
                _line(text, key),
            )
        values[key] = tuple(" ".join(v.split()) for v in value)
    if not values["disahkan_oleh"]:
        raise SopError("[identity]: 'disahkan_oleh' tidak boleh kosong", path, where)
    return SopIdentity(**values)


def load_identities(folder: Path | None = None) -> Mapping[str, SopIdentity]:
    """The identity of every SOP file in ``folder`` (default: the shipped ``resources/sop``) that
    has one, keyed by service code."""
    folder = folder or resource_path("sop")
    out: dict[str, SopIdentity] = {}
    for path in sorted(folder.glob("*.toml")):
        found = load_identity_file(path)
        if found is not None:
            out[path.stem] = found
    return MappingProxyType(out)


@functools.cache
def identities() -> Mapping[str, SopIdentity]:
    """The shipped SOP identities, loaded once per process."""
    return load_identities()


def identity_of(code: str) -> SopIdentity | None:
    """The identity page of service ``code``'s SOP, or None when its file has no [identity]."""
    if code not in services():
        raise KeyError(code)
    return identities().get(code)
