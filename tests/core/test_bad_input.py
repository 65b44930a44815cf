"""Bad input, on both engines: any string in the NIK, No. KK, WhatsApp, name and note fields is
accepted as valid or refused with a message (InputError), never another exception and never a
partial record; berkas are judged by their bytes, measured before they are read, and stored
under safe names."""

from __future__ import annotations

import io
import os
import stat
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from sipelayanan.db import Database
from sipelayanan.errors import InputError
from sipelayanan.models import Attachment, AuditEntry, Case, CaseStep, ChecklistItem
from sipelayanan.services import cases as svc
from sipelayanan.services.berkas import (
    BerkasFile,
    check,
    read_file,
    safe_filename,
)
from sipelayanan.services.office import get_profile, save_profile
from sipelayanan.services.queries import case_view
from sipelayanan.sop import services

MB = 1024 * 1024
NIK = "1808015708900003"

# Every Unicode character, surrogates and NUL included (the command line hands undecodable
# bytes over as lone surrogates), plus the characters that usually break things.
_NASTY = st.sampled_from(list("\x00\ud800\udcff\u202e\ufeff\u200b\t\n\r '\"\\%_;"))
_ANY = st.text(st.one_of(st.characters(exclude_categories=()), _NASTY), max_size=60)
_LONG = st.text(st.one_of(st.characters(exclude_categories=()), _NASTY), max_size=5000)


def _field(valid: list[str]) -> st.SearchStrategy[str | None]:
    return st.one_of(st.none(), st.sampled_from(valid), _ANY)


_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _counts(db: Database) -> tuple[int, ...]:
    with db.read() as s:
        return tuple(
            int(s.execute(select(func.count()).select_from(m)).scalar_one())
            for m in (Case, CaseStep, ChecklistItem, Attachment, AuditEntry)
        )


# --------------------------------------------------------------------------- intake fields


@_SETTINGS
@given(
    nik=_field([NIK, "1808011203850001", " 1808 0157 0890 0003 "]),
    no_kk=_field(["1808010101200001"]),
    wa=_field(["081234567890", "+62 812-3456-7890", "62812345678"]),
    nama=_field(["Siti Aminah", "  Ni Made   Sari ", "I Gusti Ngurah Rai"]),
    uraian=st.one_of(st.none(), _LONG),
)
@example(nik="\x00", no_kk=None, wa="081234567890", nama="Budi\ud800", uraian="\x00")
@example(nik=NIK, no_kk="1808010101200001", wa="081234567890", nama="Siti", uraian="KK\x00 salah")
@example(nik=NIK, no_kk="\udcff" * 16, wa="0812\x003456789", nama="A" * 201, uraian=None)
def test_any_string_in_intake_fields(
    db: Database,
    actors: dict[str, Any],
    nik: str | None,
    no_kk: str | None,
    wa: str | None,
    nama: str | None,
    uraian: str | None,
) -> None:
    before = _counts(db)
    data = svc.IntakeData(
        service="PENGADUAN",  # no NIK required: every field may be empty or not
        nama=nama if nama is not None else "",
        nik=nik,
        no_kk=no_kk,
        wa=wa if wa is not None else "",
        uraian=uraian,
    )
    try:
        with db.write() as s:
            ref = svc.intake(s, actors["aduan"], data)
    except InputError as exc:
        assert str(exc).strip() and exc.field in {"nama", "nik", "no_kk", "wa", "uraian"}
        assert _counts(db) == before  # nothing at all was written
        return
    after = _counts(db)
    n_requirements = len(services()["PENGADUAN"].requirements)
    assert after == (
        before[0] + 1,
        before[1],
        before[2] + n_requirements,
        before[3],
        before[4] + 1,
    )
    with db.read() as s:
        view = case_view(s, ref.code)
    assert view.pemohon_nama.strip() and view.pemohon_nama.isprintable()
    assert view.wa.startswith("+62") and view.wa[1:].isdigit()
    assert view.nik is None or (len(view.nik) == 16 and view.nik.isdigit())
    assert view.no_kk is None or (len(view.no_kk) == 16 and view.no_kk.isdigit())
    assert "\x00" not in (view.uraian or "")


# Each move at a step where the SOP allows it, by the step's officer: only the text can fail.
_FEWER = settings(_SETTINGS, max_examples=35)

_MOVES = {
    "advance": ("PENGADUAN", 3, "aduan"),
    "close": ("PENGADUAN", 3, "aduan"),
    "cancel": ("PENGADUAN", 3, "aduan"),
    "return_step": ("AKTA_LAHIR", 3, "kasi"),
    "return_pemohon": ("KIA", 2, "online"),
}
_BY_ROLE = {"operator_online": "online", "petugas_aduan": "aduan"}


@_FEWER
@given(move=st.sampled_from(sorted(_MOVES)), note=_LONG)
@example(move="return_step", note="\x00\x00")
@example(move="cancel", note=" \t\n ")
@example(move="close", note="x" * 4001)
@example(move="return_pemohon", note="\ud800")
def test_any_note_is_accepted_or_refused_whole(
    db: Database, actors: dict[str, Any], move: str, note: str
) -> None:
    service, step, user = _MOVES[move]
    sdef = services()[service]
    with db.write() as s:
        code = svc.intake(
            s,
            actors[_BY_ROLE[sdef.step(1).role]],
            svc.IntakeData(service=service, nama="Pelapor", nik=NIK, wa="081234567890"),
        ).code
        for no in range(1, step):
            svc.advance(s, actors[_BY_ROLE[sdef.step(no).role]], code)
    before = _counts(db)
    with db.read() as s:
        seen = case_view(s, code)
    actor = actors[user]
    try:
        with db.write() as s:
            if move == "advance":
                svc.advance(s, actor, code, note=note, solusi=note)
            elif move == "return_step":
                svc.return_to_step(s, actor, code, to_step=2, reason=note)
            elif move == "return_pemohon":
                svc.return_to_pemohon(s, actor, code, missing=[note], note=note)
            elif move == "cancel":
                svc.cancel(s, actor, code, reason=note)
            else:
                svc.close_simple(s, actor, code, solusi=note)
    except InputError as exc:
        assert str(exc).strip()
        assert _counts(db) == before
        with db.read() as s:
            assert case_view(s, code).version == seen.version
        return
    after = _counts(db)
    assert after[0] == before[0] and after[1] == before[1] + 1 and after[4] == before[4] + 1
    with db.read() as s:
        view = case_view(s, code)
    assert view.version > seen.version
    assert all("\x00" not in (h.note or "") for h in view.history)
    assert "\x00" not in (view.solusi or "") and "\x00" not in (view.cancel_reason or "")


# --------------------------------------------------------------------------- berkas by bytes


def _pdf(noise: int = 0) -> bytes:
    """A real PDF; with ``noise`` a scanned page of that many random pixels (incompressible)."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, "Fotokopi Kartu Keluarga")
    if noise:
        from PIL import Image

        side = int((noise / 3) ** 0.5) + 1
        scan = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
        c.drawImage(ImageReader(scan), 72, 72, 400, 400)
    c.showPage()
    c.save()
    return buf.getvalue()


def _image(fmt: str) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buf, fmt)
    return buf.getvalue()


REAL = {
    "application/pdf": _pdf,
    "image/jpeg": lambda: _image("JPEG"),
    "image/png": lambda: _image("PNG"),
    "image/webp": lambda: _image("WEBP"),
}


@pytest.mark.parametrize("mime", list(REAL))
def test_real_images_and_pdfs_are_accepted(mime: str) -> None:
    content = REAL[mime]()
    checked = check(BerkasFile("scan", content), max_bytes=10 * MB)
    assert checked.mime == mime and checked.size == len(content)
    assert checked.filename.startswith("scan.")  # the right extension added


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("ktp.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200 + b"This program cannot be run", "EXE"),
        ("foto.jpg", b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "program Linux"),
        ("kk.png", b"<!DOCTYPE html><html><script>alert(1)</script>", "HTML"),
        ("akta.pdf", b"PK\x03\x04" + b"\x00" * 100, "ZIP"),
        ("foto.jpeg", b"\x00\x00\x00\x18ftypheic" + b"\x00" * 100, "HEIC"),
        ("surat.pdf", b"Ini hanya teks biasa, bukan PDF.", "bukan gambar"),
    ],
)
def test_renamed_files_are_refused_by_their_bytes(name: str, content: bytes, reason: str) -> None:
    with pytest.raises(InputError, match="bukan gambar") as err:
        check(BerkasFile(name, content), max_bytes=10 * MB)
    assert reason in str(err.value)
    assert err.value.field == "berkas"


@pytest.mark.parametrize("mime", list(REAL))
def test_truncated_files_are_refused(mime: str) -> None:
    content = REAL[mime]()
    cut = content[: len(content) // 2]
    with pytest.raises(InputError, match="terpotong atau rusak"):
        check(BerkasFile("berkas", cut), max_bytes=10 * MB)


def test_empty_file_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "kosong.pdf"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match=r"kosong \(0 byte\)"):
        check(read_file(empty, max_bytes=10 * MB), max_bytes=10 * MB)


def test_200_mb_file_refused_without_reading_it(tmp_path: Path) -> None:
    huge = tmp_path / "video.pdf"
    with huge.open("wb") as f:  # sparse: 200 MB long, nothing on disk
        f.write(b"%PDF-1.4\n")
        f.truncate(200 * MB)
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match=r"terlalu besar \(200,0 MB\); batasnya 10,0 MB"):
            read_file(huge, max_bytes=10 * MB)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1 * MB  # measured by stat, not read


def test_a_file_growing_while_read_is_never_read_past_the_limit(tmp_path: Path) -> None:
    """A FIFO reports size 0 and could stream forever; a device file too."""
    fifo = tmp_path / "pipa.pdf"
    os.mkfifo(fifo)
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    with pytest.raises(InputError, match="bukan file biasa"):
        read_file(fifo, max_bytes=10 * MB)
    with pytest.raises(InputError, match="bukan file biasa"):
        read_file("/dev/zero", max_bytes=10 * MB)
    with pytest.raises(InputError, match="folder"):
        read_file(tmp_path, max_bytes=10 * MB)
    with pytest.raises(InputError, match="tidak ditemukan"):
        read_file(tmp_path / "tidak-ada.pdf", max_bytes=10 * MB)


def test_size_limit_comes_from_the_office_profile(db: Database, actors: dict[str, Any]) -> None:
    pdf = _pdf()
    big = _pdf(noise=2 * MB)
    assert 2 * MB < len(big) < 3 * MB
    with db.write() as s:
        profile = get_profile(s)
        assert profile.max_attachment_bytes == 10 * MB  # the default
        profile.max_attachment_bytes = 1 * MB
        save_profile(s, profile, actor=actors["admin"])
    before = _counts(db)
    data = svc.IntakeData(
        service="KK",
        nama="Siti Aminah",
        nik=NIK,
        wa="081234567890",
        berkas=[BerkasFile("kk-kecil.pdf", pdf), BerkasFile("kk-besar.pdf", big)],
    )
    with pytest.raises(InputError, match=r"kk-besar\.pdf.*batasnya 1,0 MB"), db.write() as s:
        svc.intake(s, actors["online"], data)
    assert _counts(db) == before  # not even the small one: all or nothing
    with db.write() as s:
        profile = get_profile(s)
        profile.max_attachment_bytes = 10 * MB
        save_profile(s, profile, actor=actors["admin"])
    with db.write() as s:
        code = svc.intake(s, actors["online"], data).code
    with db.read() as s:
        stored = s.execute(
            select(Attachment.filename, Attachment.size, Attachment.content)
            .join(Case)
            .where(Case.code == code)
            .order_by(Attachment.id)
        ).all()
    assert [(n, size) for n, size, _ in stored] == [
        ("kk-kecil.pdf", len(pdf)),
        ("kk-besar.pdf", len(big)),
    ]
    assert stored[1][2] == big


NASTY_NAMES = {
    "..\\..\\Windows\\System32\\kk.pdf": "kk.pdf",
    "../../etc/passwd": "passwd.pdf",
    "/tmp/a/b/akta.pdf": "akta.pdf",
    "foto\x00.pdf\r\n": "foto.pdf",
    "\u202efdp.exe": "fdp.exe.pdf",  # right-to-left override hides ".exe"
    "CON.pdf": "_CON.pdf",
    "lpt1": "_lpt1.pdf",
    "...": "berkas.pdf",
    "": "berkas.pdf",
    "  surat   keterangan  .pdf  ": "surat keterangan .pdf",
}


def test_file_names_are_stored_safely(db: Database, actors: dict[str, Any]) -> None:
    pdf = _pdf()
    names = list(NASTY_NAMES)
    long_name = "a" * 500 + ".pdf"
    data = svc.IntakeData(
        service="KK",
        nama="Siti Aminah",
        nik=NIK,
        wa="081234567890",
        berkas=[BerkasFile(n, pdf) for n in [*names, long_name]],
    )
    with db.write() as s:
        code = svc.intake(s, actors["online"], data).code
    with db.read() as s:
        stored = (
            s.execute(
                select(Attachment.filename)
                .join(Case)
                .where(Case.code == code)
                .order_by(Attachment.id)
            )
            .scalars()
            .all()
        )
    assert stored[:-1] == [NASTY_NAMES[n] for n in names]
    assert len(stored[-1]) <= 200 and stored[-1].endswith(".pdf")
    for name in stored:
        assert "/" not in name and "\\" not in name
        assert name.isprintable() and name == name.strip()


@settings(max_examples=200, deadline=None)
@given(name=_ANY, content=st.binary(max_size=300))
def test_any_bytes_and_name_are_accepted_or_refused(name: str, content: bytes) -> None:
    try:
        checked = check(BerkasFile(name, content), max_bytes=200)
    except InputError as exc:
        assert str(exc).strip()
        return
    assert checked.mime in REAL and checked.size == len(content) <= 200
    assert "/" not in checked.filename and "\\" not in checked.filename
    assert checked.filename.isprintable() and safe_filename(checked.filename) == checked.filename
