"""Berkas (attachments): size limit, content sniffing, safe file names."""

from __future__ import annotations

import hashlib
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError

ALLOWED = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WEBP",
}


@dataclass(frozen=True)
class BerkasFile:
    filename: str
    content: bytes


@dataclass(frozen=True)
class CheckedBerkas:
    filename: str
    mime: str
    size: int
    sha256: str
    content: bytes


def sniff(content: bytes) -> str | None:
    """The MIME type by the bytes, whatever the file name says; None when not allowed."""
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


def _complete(mime: str, content: bytes) -> bool:
    tail = content[-2048:]
    if mime == "application/pdf":
        return b"%%EOF" in tail
    if mime == "image/jpeg":
        return b"\xff\xd9" in content[-64:]
    if mime == "image/png":
        return b"IEND" in content[-32:]
    return True


def safe_filename(name: str) -> str:
    """Keep the base name only, without control characters or path separators."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").split("/")[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = name.strip().strip(".") or "berkas"
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:190] + dot + ext[:9]) if dot else name[:200]
    return name


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")
    return f"{max(1, size // 1024)} KB"


def check(berkas: BerkasFile, *, max_bytes: int) -> CheckedBerkas:
    name = safe_filename(berkas.filename)
    size = len(berkas.content)
    if size == 0:
        raise InputError(f"Berkas '{name}' kosong (0 byte).", "berkas")
    if size > max_bytes:
        raise InputError(
            f"Berkas '{name}' terlalu besar ({human_size(size)}); batasnya "
            f"{human_size(max_bytes)}. Minta pemohon mengirim ulang dengan ukuran lebih kecil.",
            "berkas",
        )
    mime = sniff(berkas.content)
    if mime is None:
        raise InputError(
            f"Berkas '{name}' bukan gambar (JPEG/PNG/WEBP) atau PDF menurut isinya; "
            "berkas lain tidak diterima.",
            "berkas",
        )
    if not _complete(mime, berkas.content):
        raise InputError(
            f"Berkas '{name}' ({ALLOWED[mime]}) terpotong atau rusak; "
            "minta pemohon mengirim ulang.",
            "berkas",
        )
    return CheckedBerkas(
        name, mime, size, hashlib.sha256(berkas.content).hexdigest(), berkas.content
    )


def read_file(path: str | os.PathLike[str], *, max_bytes: int) -> BerkasFile:
    """Read a berkas from disk without loading more than the limit allows."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > max_bytes:
            raise InputError(
                f"Berkas '{safe_filename(p.name)}' terlalu besar ({human_size(size)}); batasnya "
                f"{human_size(max_bytes)}.",
                "berkas",
            )
        return BerkasFile(p.name, p.read_bytes())
    except OSError as exc:
        raise InputError(
            f"Berkas '{p.name}' tidak dapat dibaca: {exc.strerror}.", "berkas"
        ) from exc
