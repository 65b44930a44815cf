"""Backups that cannot lie: every format carries digests that ``restore`` checks before writing
anything and compares with what it wrote; malformed or hostile files end in exit 2 with a clear
message; temporary copies never outlive the backup; files are written 0600."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import struct
import subprocess
import sys
import threading
import tracemalloc
import uuid
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text

from sipelayanan import cli
from sipelayanan.backup import (
    FORMAT_PGDUMP,
    FORMAT_PORTABLE,
    FORMAT_SQLITE,
    BackupError,
    backup,
    dump_tables,
    is_empty,
    restore,
)
from sipelayanan.backup.tools import WORKDIR_PREFIX
from sipelayanan.db import Database
from tests.backup.test_backup import _fill, _same

SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
ROOT = Path(__file__).resolve().parents[2]


def _restore_cli(url: str, path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    rc = cli.main(["--db", url, "restore", str(path)])
    captured = capsys.readouterr()
    return rc, captured.err + captured.out


def _no_tables(url: str) -> bool:
    db = Database(url)
    try:
        return inspect(db.engine).get_table_names() == []
    finally:
        db.dispose()


# --------------------------------------------------------------------------- SQLite format


@SQLITE_ONLY
def test_flipped_bytes_in_a_sqlite_backup_are_refused(
    db: Database, actors: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A byte flipped inside row data keeps the SQLite file well-formed (integrity_check
    passes) but changes a row: the digests catch it. Flips anywhere else either make the file
    unreadable (refused) or hit unused space (restored identical) — never different rows."""
    _fill(db, actors)
    good = tmp_path / "cadangan.sqlite3"
    backup(db, good, fmt=FORMAT_SQLITE)
    source = dump_tables(db)
    data = good.read_bytes()
    # row data of sop_snapshots (the SOP definition JSON) and deliveries (the recipient)
    targets = [data.index(b'"steps"') + 2, data.index(b"diambilSiti Aminah") + 9]
    targets += list(range(100, len(data), max(1, len(data) // 40)))  # and all over the file
    refused = 0
    for i, offset in enumerate(targets):
        bad = tmp_path / f"rusak-{i}.sqlite3"
        flipped = bytearray(data)
        flipped[offset] ^= 0x01
        bad.write_bytes(bytes(flipped))
        url = f"sqlite:///{tmp_path / f'pulih-{i}.sqlite3'}"
        rc, out = _restore_cli(url, bad, capsys)
        assert "tak terduga" not in out
        target = Database(url)
        if rc == 0:
            _same(source, dump_tables(target))
        else:
            assert rc == 2, out
            assert "rusak" in out or "tidak cocok" in out or "bukan cadangan" in out, out
            assert is_empty(target)
            refused += 1
        target.dispose()
        if i < 2:  # the two flips inside row data must be refused, by the digests
            assert rc == 2 and "tidak cocok dengan manifest" in out, (offset, out)
    assert refused >= 2


@SQLITE_ONLY
def test_a_changed_manifest_inside_a_sqlite_backup_is_refused(
    db: Database, actors: dict[str, Any], tmp_path: Path
) -> None:
    _fill(db, actors)
    out = tmp_path / "cadangan.sqlite3"
    backup(db, out)
    raw = sqlite3.connect(out)
    raw.execute("UPDATE deliveries SET recipient = 'Orang Lain'")
    raw.execute(  # the attacker also updates the table's digest: the whole digest disagrees
        "UPDATE sipelayanan_backup_manifest SET sha256 = ? WHERE name = 'deliveries'",
        ("0" * 64,),
    )
    raw.commit()
    raw.close()
    target = Database(f"sqlite:///{tmp_path / 'pulih.sqlite3'}")
    with pytest.raises(BackupError, match="sidik keseluruhannya tidak cocok"):
        restore(target, out)
    assert is_empty(target)
    target.dispose()


def test_restore_compares_what_it_wrote(
    db: Database, actors: dict[str, Any], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """A target that alters rows as they are written (here a trigger; in life a faulty disk
    or driver) is caught by reading back before the commit: nothing stays."""
    _fill(db, actors)
    out = tmp_path / "cadangan.zip"
    backup(db, out, fmt=FORMAT_PORTABLE)
    with db.read() as s:
        revision = s.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    if db.dialect == "sqlite":
        target = Database(f"sqlite:///{tmp_path / 'pulih.sqlite3'}")
        target.upgrade()
        with target.engine.begin() as conn:
            conn.exec_driver_sql(
                "CREATE TRIGGER ubah AFTER INSERT ON deliveries BEGIN "
                "UPDATE deliveries SET recipient = 'X' WHERE id = NEW.id; END"
            )
    else:
        target = Database(request.getfixturevalue("empty_pg"))
        target.upgrade()
        with target.engine.begin() as conn:
            conn.exec_driver_sql(
                "CREATE FUNCTION ubah() RETURNS trigger AS $$ BEGIN NEW.recipient := 'X'; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            conn.exec_driver_sql(
                "CREATE TRIGGER ubah BEFORE INSERT ON deliveries FOR EACH ROW EXECUTE "
                "FUNCTION ubah()"
            )
    assert revision
    with pytest.raises(BackupError, match=r"tabel deliveries yang tertulis .* berbeda"):
        restore(target, out)
    assert is_empty(target)
    target.dispose()


# --------------------------------------------------------------------------- pg_dump format


def test_pg_dump_backup_carries_digests(
    db: Database, actors: dict[str, Any], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if db.dialect != "postgresql":
        pytest.skip("pg_dump is for PostgreSQL")
    _fill(db, actors)
    good = tmp_path / "cadangan.dump"
    assert backup(db, good, fmt=FORMAT_PGDUMP).format == FORMAT_PGDUMP
    assert b'"archive_sha256"' in good.read_bytes()[-20000:]
    data = bytearray(good.read_bytes())
    data[len(data) // 3] ^= 0x01
    bad = tmp_path / "rusak.dump"
    bad.write_bytes(bytes(data))
    url = request.getfixturevalue("empty_pg")
    target = Database(url)
    with pytest.raises(BackupError, match="sidik SHA-256 arsipnya tidak cocok"):
        restore(target, bad)
    assert inspect(target.engine).get_table_names() == []
    source = dump_tables(db)
    assert restore(target, good).audit_ok
    _same(source, dump_tables(target))
    target.dispose()


# --------------------------------------------------------------------------- portable format


def _rewrite(good: Path, out: Path, member: str, change: Any) -> Path:
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == member:
                data = change(data)
            dst.writestr(item.filename, data)
    return out


def _manifest_edit(edit: Any) -> Any:
    def change(data: bytes) -> bytes:
        return json.dumps(edit(json.loads(data))).encode()

    return change


def _drop(key: str) -> Any:
    def edit(m: dict[str, Any]) -> dict[str, Any]:
        m.pop(key)
        return m

    return edit


def _table_edit(key: str, value: Any, drop: bool = False) -> Any:
    def edit(m: dict[str, Any]) -> dict[str, Any]:
        m.pop("sha256", None)  # as a hand-made manifest would lack the whole digest
        for t in m["tables"]:
            if t["name"] == "cases":
                if drop:
                    t.pop(key)
                else:
                    t[key] = value
        return m

    return edit


def _set(key: str, value: Any) -> Any:
    def edit(m: dict[str, Any]) -> dict[str, Any]:
        m[key] = value
        return m

    return edit


MALFORMED: list[tuple[str, str, Any, str]] = [
    ("tanpa-tables", "manifest.json", _manifest_edit(_drop("tables")), "'tables' tidak ada"),
    (
        "tanpa-sha256",
        "manifest.json",
        _manifest_edit(_table_edit("sha256", None, drop=True)),
        "sidik SHA-256 tabel cases tidak ada",
    ),
    (
        "versi-abc",
        "manifest.json",
        _manifest_edit(_set("format_version", "abc")),
        "format_version harus bilangan bulat",
    ),
    (
        "daftar-json",
        "manifest.json",
        lambda d: json.dumps([json.loads(d)]).encode(),
        "bukan objek JSON",
    ),
    (
        "rows-many",
        "manifest.json",
        _manifest_edit(_table_edit("rows", "many")),
        "jumlah baris ('rows') tabel cases bukan bilangan bulat",
    ),
    (
        "revisi-null",
        "manifest.json",
        _manifest_edit(_set("schema_revision", None)),
        "schema_revision (revisi skema) kosong",
    ),
    (
        "whole-digest",
        "manifest.json",
        _manifest_edit(_set("sha256", "0" * 64)),
        "sidik keseluruhannya tidak cocok",
    ),
    (
        "isi-diubah",
        "tables/deliveries.jsonl",
        lambda d: d.replace(b"Siti Aminah", b"Siti Aminax"),
        "tidak cocok dengan manifest",
    ),
    (
        "nilai-salah-jenis",
        "tables/users.jsonl",
        lambda d: d,  # replaced below: a value of the wrong type with a matching digest
        "baris yang tidak sah",
    ),
]


def _wrong_type_member(good: Path, out: Path) -> Path:
    """A users line whose id is a string, with the manifest's digest updated to match."""
    import hashlib

    with zipfile.ZipFile(good) as src:
        manifest = json.loads(src.read("manifest.json"))
        lines = src.read("tables/users.jsonl").splitlines(keepends=True)
        row = json.loads(lines[0])
        row[0] = "satu"
        lines[0] = json.dumps(row, separators=(",", ":")).encode() + b"\n"
        data = b"".join(lines)
        manifest.pop("sha256")
        for t in manifest["tables"]:
            if t["name"] == "users":
                t["sha256"] = hashlib.sha256(data).hexdigest()
                t["bytes"] = len(data)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for item in src.infolist():
                content = src.read(item)
                if item.filename == "manifest.json":
                    content = json.dumps(manifest).encode()
                elif item.filename == "tables/users.jsonl":
                    content = data
                dst.writestr(item.filename, content)
    return out


@pytest.mark.parametrize("target_kind", ["sqlite", "postgres"])
@SQLITE_ONLY
def test_malformed_portable_backups_are_refused_before_writing(
    db: Database,
    actors: dict[str, Any],
    tmp_path: Path,
    request: pytest.FixtureRequest,
    capsys: pytest.CaptureFixture[str],
    target_kind: str,
) -> None:
    _fill(db, actors)
    good = tmp_path / "cadangan.zip"
    backup(db, good, fmt=FORMAT_PORTABLE)
    for name, member, change, message in MALFORMED:
        bad = tmp_path / f"{name}.zip"
        if name == "nilai-salah-jenis":
            _wrong_type_member(good, bad)
        else:
            _rewrite(good, bad, member, change)
        if target_kind == "sqlite":
            url = f"sqlite:///{tmp_path / f'pulih-{name}.sqlite3'}"
        else:
            url = request.getfixturevalue("empty_pg")
        rc, out = _restore_cli(url, bad, capsys)
        assert rc == 2, (name, out)
        assert message in out, (name, out)
        assert "tak terduga" not in out and "Traceback" not in out
        assert _no_tables(url), name  # refused before anything was written
    # flipped bytes inside a stored member: the ZIP's own CRC or our digest
    stored = tmp_path / "tersimpan.zip"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, src.read(item))
    raw = bytearray(stored.read_bytes())
    raw[raw.index(b"Siti Aminah") + 2] ^= 0x20
    flipped = tmp_path / "terbalik.zip"
    flipped.write_bytes(bytes(raw))
    url = f"sqlite:///{tmp_path / 'pulih-terbalik.sqlite3'}"
    rc, out = _restore_cli(url, flipped, capsys)
    assert rc == 2 and ("rusak" in out or "tidak cocok" in out), out
    assert _no_tables(url)


def test_flipped_bytes_inside_a_compressed_member_are_refused_wherever_they_land(
    db: Database, actors: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A flipped byte in a deflated member can break the deflate stream itself (``zlib.error``,
    which is neither OSError nor ValueError): refused like any damage, never "tak terduga"."""
    _fill(db, actors)
    good = tmp_path / "cadangan.zip"
    backup(db, good, fmt=FORMAT_PORTABLE)
    with zipfile.ZipFile(good) as zf:
        biggest = max(zf.infolist(), key=lambda i: i.compress_size)
        assert biggest.compress_type == zipfile.ZIP_DEFLATED
    raw = good.read_bytes()
    at = biggest.header_offset  # the local header's own name and extra lengths (bytes 26-29)
    name_len, extra_len = struct.unpack("<HH", raw[at + 26 : at + 30])
    start = at + 30 + name_len + extra_len
    for i, where in enumerate(range(start + 8, start + biggest.compress_size - 8, 37)):
        flipped = bytearray(raw)
        flipped[where] ^= 0xFF
        bad = tmp_path / "terbalik.zip"
        bad.write_bytes(bytes(flipped))
        url = f"sqlite:///{tmp_path / f'pulih-{i}.sqlite3'}"
        rc, out = _restore_cli(url, bad, capsys)
        assert rc == 2 and "tak terduga" not in out and "Traceback" not in out, (where, out)
        assert _no_tables(url), where
        if i >= 40:
            break


# --------------------------------------------------------------------------- hostile ZIPs


def _spaces_deflate(mib: int, tail: bytes = b"") -> tuple[bytes, int, int]:
    """A raw deflate stream of ``mib`` MiB of spaces followed by ``tail``, built without
    compressing them all: after a full flush each MiB compresses to the same bytes."""
    chunk = b" " * (1 << 20)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    assert again == c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    end = c.compress(tail) + c.flush()
    stream = first + again * (mib - 1) + end
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    return stream, crc, mib * len(chunk) + len(tail)


def _zip(path: Path, members: list[tuple[str, bytes, int, int]]) -> None:
    """A ZIP written by hand: (name, deflate stream, crc, uncompressed size) per member."""
    local = bytearray()
    central = bytearray()
    for name, stream, crc, size in members:
        fname = name.encode()
        offset = len(local)
        local += struct.pack(
            "<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(stream), size, len(fname), 0
        )
        local += fname + stream
        central += struct.pack(
            "<4s6H3L5H2L",
            b"PK\x01\x02",
            20,
            20,
            0,
            8,
            0,
            0x21,
            crc,
            len(stream),
            size,
            len(fname),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        central += fname
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(local), 0
    )
    path.write_bytes(bytes(local + central + end))


def _members(good: Path) -> list[tuple[str, bytes, int, int]]:
    out = []
    with zipfile.ZipFile(good) as zf:
        for item in zf.infolist():
            data = zf.read(item)
            c = zlib.compressobj(6, zlib.DEFLATED, -15)
            out.append((item.filename, c.compress(data) + c.flush(), zlib.crc32(data), len(data)))
    return out


@SQLITE_ONLY
def test_a_4_gib_member_of_spaces_is_refused_at_once(
    db: Database, actors: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill(db, actors)
    good = tmp_path / "cadangan.zip"
    backup(db, good, fmt=FORMAT_PORTABLE)
    with zipfile.ZipFile(good) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    old_style = dict(manifest)  # as written before members' sizes were recorded
    old_style.pop("sha256")
    old_style["tables"] = [{k: v for k, v in t.items() if k != "bytes"} for t in manifest["tables"]]
    huge = _spaces_deflate(4095)  # 4 GiB less 1 MiB: no ZIP64 needed, a few MB on disk
    members = [m for m in _members(good) if m[0] not in ("tables/cases.jsonl", "manifest.json")]
    for name, meta, message in (
        ("spasi", manifest, "byte, seharusnya"),
        ("spasi-lama", old_style, "mengembang tidak wajar"),
    ):
        body = json.dumps(meta).encode()
        c = zlib.compressobj(6, zlib.DEFLATED, -15)
        entry = ("manifest.json", c.compress(body) + c.flush(), zlib.crc32(body), len(body))
        bomb = tmp_path / f"{name}.zip"
        _zip(bomb, [entry, *members, ("tables/cases.jsonl", *huge)])
        assert bomb.stat().st_size < 8 * 1024 * 1024
        with zipfile.ZipFile(bomb) as zf:
            assert zf.getinfo("tables/cases.jsonl").file_size > 4_000_000_000
        url = f"sqlite:///{tmp_path / f'pulih-{name}.sqlite3'}"
        tracemalloc.start()
        rc, out = _restore_cli(url, bomb, capsys)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert rc == 2 and message in out and "tak terduga" not in out, out
        assert peak < 64 * 1024 * 1024
        assert _no_tables(url)


@SQLITE_ONLY
def test_a_small_zip_whose_manifest_expands_to_1_gib_is_refused_with_little_memory(
    db: Database, actors: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill(db, actors)
    good = tmp_path / "cadangan.zip"
    backup(db, good, fmt=FORMAT_PORTABLE)
    members = [m for m in _members(good) if m[0] != "manifest.json"]
    with zipfile.ZipFile(good) as zf:
        manifest = zf.read("manifest.json")
    bomb = tmp_path / "manifest-bom.zip"
    _zip(bomb, [("manifest.json", *_spaces_deflate(1024, manifest)), *members])
    assert bomb.stat().st_size < 2 * 1024 * 1024
    # and one whose directory lies about the size (declares the real manifest's length)
    stream, crc, _ = _spaces_deflate(1024, manifest)
    liar = tmp_path / "manifest-bohong.zip"
    _zip(liar, [("manifest.json", stream, crc, len(manifest)), *members])
    for path, message in ((bomb, "terlalu besar"), (liar, "manifest")):
        url = f"sqlite:///{tmp_path / f'pulih-{path.stem}.sqlite3'}"
        tracemalloc.start()
        rc, out = _restore_cli(url, path, capsys)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert rc == 2 and message in out and "tak terduga" not in out, out
        assert peak < 64 * 1024 * 1024, peak
        assert _no_tables(url)


# --------------------------------------------------------------------------- PostgreSQL targets


@SQLITE_ONLY
def test_nul_in_a_text_value_is_refused_before_writing_to_postgresql(
    db: Database,
    actors: dict[str, Any],
    tmp_path: Path,
    request: pytest.FixtureRequest,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _fill(db, actors)
    path = db.sqlite_file
    assert path is not None
    raw = sqlite3.connect(path)
    raw.execute("UPDATE cases SET uraian = ? WHERE service = 'PENGADUAN'", ("NIK\x00ganda",))
    raw.commit()
    raw.close()
    for fmt in (FORMAT_PORTABLE, FORMAT_SQLITE):
        out = tmp_path / f"nul-{fmt}.bin"
        backup(db, out, fmt=fmt)
        url = request.getfixturevalue("empty_pg") if fmt == FORMAT_PORTABLE else None
        if url is None:  # a second empty PostgreSQL database
            server = request.getfixturevalue("pg_server")
            name = f"kosong_{uuid.uuid4().hex[:10]}"
            server.psql(f"CREATE DATABASE {name}")
            url = server.url(name)
        rc, printed = _restore_cli(url, out, capsys)
        assert rc == 2 and "karakter NUL" in printed and "uraian" in printed, printed
        assert "NIK" not in printed.replace("NUL", "")  # the value itself is never echoed
        assert _no_tables(url)
    # into SQLite the same backup restores, NUL and all
    target = Database(f"sqlite:///{tmp_path / 'pulih.sqlite3'}")
    restore(target, tmp_path / "nul-portabel.bin")
    with target.read() as s:
        found = s.execute(text("SELECT uraian FROM cases WHERE service = 'PENGADUAN'")).scalar()
    assert found == "NIK\x00ganda"
    target.dispose()


# --------------------------------------------------------------------------- not a file


@SQLITE_ONLY
def test_restoring_from_a_fifo_is_refused_without_hanging(db: Database, tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    fifo = tmp_path / "cadangan.zip"
    os.mkfifo(fifo)
    url = f"sqlite:///{tmp_path / 'pulih.sqlite3'}"
    done = subprocess.run(
        [sys.executable, "-m", "sipelayanan", "--db", url, "restore", str(fifo)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 2, done.stderr
    assert "bukan file biasa" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


# --------------------------------------------------------------------------- temporary copies


@pytest.mark.parametrize("fmt", [None, FORMAT_PORTABLE])
def test_backups_are_written_owner_only(db: Database, tmp_path: Path, fmt: str | None) -> None:
    if sys.platform == "win32":
        pytest.skip("POSIX modes")
    old = os.umask(0o022)
    try:
        out = tmp_path / "cadangan.bin"
        backup(db, out, fmt=fmt)
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_failing_backup_leaves_no_temporary_copy(
    db: Database, actors: dict[str, Any], tmp_path: Path
) -> None:
    _fill(db, actors)
    with db.write() as s:  # enough rows for a progress report mid-way
        for i in range(1200):
            s.execute(text("INSERT INTO closures (day, reason) VALUES (:d, 'uji')"), {"d": _day(i)})
    folder = tmp_path / "cadangan"
    folder.mkdir()

    def fail(table: str, done: int) -> None:
        raise OSError(28, "No space left on device")

    for fmt in (None, FORMAT_PORTABLE):
        with pytest.raises(BackupError, match="tidak dapat ditulis"):
            backup(db, folder / "harian.bin", fmt=fmt, progress=fail)
        assert list(folder.iterdir()) == []


def _day(i: int) -> str:
    from datetime import date, timedelta

    return (date(2000, 1, 1) + timedelta(days=i)).isoformat()


_KILLED = """
import sys, time
from pathlib import Path
from sipelayanan.backup import backup
from sipelayanan.db import Database

def stop(table, done):
    print("MID", flush=True)
    time.sleep(600)

db = Database(sys.argv[1])
backup(db, Path(sys.argv[2]), fmt=sys.argv[3] or None, progress=stop)
"""


@pytest.mark.parametrize("fmt", ["", FORMAT_PORTABLE])
def test_a_backup_killed_mid_way_leaves_nothing_readable_and_is_cleaned_next_time(
    db: Database, tmp_path: Path, fmt: str
) -> None:
    with db.write() as s:
        for i in range(1200):
            s.execute(text("INSERT INTO closures (day, reason) VALUES (:d, 'uji')"), {"d": _day(i)})
    folder = tmp_path / "usb"
    folder.mkdir()
    dead = _dead_pid()
    legacy = folder / f".lama.sqlite3.{dead}.tmp"  # what older versions left behind
    legacy.write_bytes(b"SQLite format 3\x00 data pribadi")
    (folder / f".lama.sqlite3.{dead}.tmp-journal").write_bytes(b"\xd9\xd5\x05\xf9 jurnal")
    other = folder / f".catatan.{dead}.tmp"  # another program's hidden file: left alone
    other.write_bytes(b"bukan milik SiPelayanan")
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLED, db.url, str(folder / "harian.bin"), fmt],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        line = _readline(proc, 120)
        assert line.strip() == "MID"
        work = [p for p in folder.iterdir() if p.name.startswith(WORKDIR_PREFIX)]
        assert len(work) == 1 and any(work[0].iterdir())  # the copy is being written now
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    # the killed run's copy sits in a folder only its owner can enter; no backup file appeared
    assert not (folder / "harian.bin").exists()
    if sys.platform != "win32":
        assert stat.S_IMODE(work[0].stat().st_mode) == 0o700
        for f in work[0].iterdir():
            assert stat.S_IMODE(f.stat().st_mode) == 0o600
    # the next backup into the folder removes what the killed one (and older versions) left
    backup(db, folder / "harian.bin", fmt=fmt or None)
    assert sorted(p.name for p in folder.iterdir()) == [other.name, "harian.bin"]


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _readline(proc: subprocess.Popen[str], timeout: float) -> str:
    out: list[str] = []
    reader = threading.Thread(target=lambda: out.append(proc.stdout.readline()))  # type: ignore[union-attr]
    reader.start()
    reader.join(timeout)
    if not out:
        proc.kill()
        pytest.fail("the backup subprocess never reached its mid-way point")
    return out[0]
