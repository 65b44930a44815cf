"""Berkas (attachments): size limit, content sniffing, safe file names.

Only images (JPEG/PNG/WEBP) and PDFs are accepted, judged by their bytes, whatever the file name
says; empty, truncated and oversized files are refused with the reason. The limit comes from the
office profile (``OfficeProfile.max_attachment_bytes``, default 10 MB): :func:`limit_for`.
A file on disk is measured before it is read and never read past the limit.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

ALLOWED = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WEBP",
}

EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg", ".jpe", ".jfif"),
    "image/png": (".png",),
    "image/webp": (".webp",),
}

# Names Windows reserves for devices: a file saved as "CON.pdf" cannot be opened there.
_WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{i}" for i in range(1, 10)}
    | {f"LPT{i}" for i in range(1, 10)}
)

MAX_FILENAME = 200


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


def limit_for(session: Session) -> int:
    """The office's attachment size limit in bytes (configurable in the office profile)."""
    from .office import get_profile

    return int(get_profile(session).max_attachment_bytes)


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


def what_is_it(content: bytes) -> str | None:
    """A plain-language name for common refused contents, to say why a file was refused."""
    head = content[:512]
    known = (
        (b"MZ", "program Windows (EXE/DLL)"),
        (b"\x7fELF", "program Linux"),
        (b"\xca\xfe\xba\xbe", "program"),
        (b"\xcf\xfa\xed\xfe", "program macOS"),
        (b"#!", "skrip program"),
        (b"PK\x03\x04", "arsip ZIP atau dokumen Office"),
        (b"Rar!", "arsip RAR"),
        (b"7z\xbc\xaf\x27\x1c", "arsip 7-Zip"),
        (b"\x1f\x8b", "arsip GZIP"),
        (b"\xd0\xcf\x11\xe0", "dokumen Office lama (DOC/XLS)"),
        (b"GIF8", "gambar GIF"),
        (b"BM", "gambar BMP"),
        (b"II*\x00", "gambar TIFF"),
        (b"MM\x00*", "gambar TIFF"),
    )
    for magic, name in known:
        if head.startswith(magic):
            return name
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftyphevc"):
        return "foto HEIC (iPhone)"
    if head[4:8] == b"ftyp":
        return "video"
    lowered = head.lstrip().lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<script")):
        return "halaman web (HTML)"
    if lowered.startswith((b"<?xml", b"<svg")):
        return "dokumen XML/SVG"
    return None


def _truncated(mime: str, content: bytes) -> bool:
    if mime == "application/pdf":
        tail = content[-1024:]
        return b"%%EOF" not in tail or b"startxref" not in content[-4096:]
    if mime == "image/jpeg":
        return b"\xff\xd9" not in content[-64:]
    if mime == "image/png":
        return b"IEND" not in content[-32:]
    if mime == "image/webp":
        declared = int.from_bytes(content[4:8], "little") + 8
        return len(content) < declared
    return False


def safe_filename(name: str, mime: str | None = None) -> str:
    """Keep the base name only, without control characters or path separators; a name Windows
    reserves or an extension that does not match the content is made harmless."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").split("/")[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = " ".join(name.split()).strip(" .") or "berkas"
    stem = name.split(".")[0].strip().upper()
    if stem in _WINDOWS_RESERVED:
        name = "_" + name
    if mime is not None:
        suffix = os.path.splitext(name)[1].lower()
        if suffix not in EXTENSIONS[mime]:
            name = name + EXTENSIONS[mime][0]
    if len(name) > MAX_FILENAME:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: MAX_FILENAME - 10] + dot + ext[:9]) if dot else name[:MAX_FILENAME]
    return name


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")
    return f"{max(1, size // 1024)} KB"


def _too_big(name: str, size: int, max_bytes: int) -> InputError:
    return InputError(
        f"Berkas '{name}' terlalu besar ({human_size(size)}); batasnya {human_size(max_bytes)}. "
        "Minta pemohon mengirim ulang dengan ukuran lebih kecil (mis. foto dengan resolusi "
        "lebih rendah).",
        "berkas",
    )


def check(berkas: BerkasFile, *, max_bytes: int) -> CheckedBerkas:
    """Accept an image or PDF by its bytes, or raise InputError saying why not."""
    shown = safe_filename(berkas.filename)
    size = len(berkas.content)
    if size == 0:
        raise InputError(f"Berkas '{shown}' kosong (0 byte).", "berkas")
    if size > max_bytes:
        raise _too_big(shown, size, max_bytes)
    mime = sniff(berkas.content)
    if mime is None:
        actual = what_is_it(berkas.content)
        raise InputError(
            f"Berkas '{shown}' bukan gambar (JPEG/PNG/WEBP) atau PDF menurut isinya"
            + (f" — isinya {actual}" if actual else "")
            + "; berkas lain tidak diterima, apa pun nama filenya.",
            "berkas",
        )
    if _truncated(mime, berkas.content):
        raise InputError(
            f"Berkas '{shown}' ({ALLOWED[mime]}) terpotong atau rusak; "
            "minta pemohon mengirim ulang.",
            "berkas",
        )
    return CheckedBerkas(
        safe_filename(berkas.filename, mime),
        mime,
        size,
        hashlib.sha256(berkas.content).hexdigest(),
        berkas.content,
    )


_OS_REASONS = {
    errno.ENOENT: "file tidak ditemukan",
    errno.EACCES: "tidak ada izin membaca file itu",
    errno.EPERM: "tidak ada izin membaca file itu",
    errno.EISDIR: "itu sebuah folder, bukan file",
    errno.ENAMETOOLONG: "nama/lokasi file terlalu panjang",
    errno.EIO: "disk gagal dibaca",
}


def read_file(path: str | os.PathLike[str], *, max_bytes: int) -> BerkasFile:
    """Read a berkas from disk: measured first, never read past ``max_bytes``.

    A file larger than the limit is refused before any of it is read; a device or pipe is
    refused outright; a file that grows while being read is caught by the bounded read.
    """
    p = Path(path)
    shown = safe_filename(p.name)
    try:
        info = p.stat()
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"'{shown}' adalah folder, bukan file.", "berkas")
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"'{shown}' bukan file biasa (mis. perangkat atau pipa).", "berkas")
        if info.st_size > max_bytes:
            raise _too_big(shown, info.st_size, max_bytes)
        with p.open("rb") as f:
            content = f.read(max_bytes + 1)
        if len(content) > max_bytes:
            raise _too_big(shown, max(len(content), os.path.getsize(p)), max_bytes)
        return BerkasFile(p.name, content)
    except OSError as exc:
        reason = _OS_REASONS.get(exc.errno or 0, "file tidak dapat dibaca")
        raise InputError(f"Berkas '{shown}' tidak dapat dibaca: {reason}.", "berkas") from exc


def read_checked(
    paths: Iterable[str | os.PathLike[str]], *, max_bytes: int
) -> tuple[list[tuple[BerkasFile, CheckedBerkas]], list[str]]:
    """Read and check berkas chosen on this PC: the accepted files, and one clear message per
    refused file (every window that takes berkas uses this, so they refuse alike)."""
    accepted: list[tuple[BerkasFile, CheckedBerkas]] = []
    refused: list[str] = []
    for path in paths:
        try:
            berkas = read_file(path, max_bytes=max_bytes)
            accepted.append((berkas, check(berkas, max_bytes=max_bytes)))
        except InputError as exc:
            refused.append(str(exc))
    return accepted, refused
