"""Backup and restore: a database with requests, berkas and audit log goes out and comes back
identical, table by table and byte by byte, in every format and across engines; a restore goes
only into an empty database; a backup taken while a PC keeps saving is consistent."""

from __future__ import annotations

import contextlib
import io
import os
import sqlite3
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from sipelayanan import cli
from sipelayanan.backup import (
    FORMAT_PGDUMP,
    FORMAT_PORTABLE,
    FORMAT_SQLITE,
    BackupError,
    backup,
    detect_format,
    dump_tables,
    is_empty,
    restore,
)
from sipelayanan.db import Database
from sipelayanan.errors import AuthError, InputError
from sipelayanan.migrate import APP_VERSION_KEY
from sipelayanan.models import Attachment, AuditEntry, Case
from sipelayanan.services import audit
from sipelayanan.services import cases as svc
from sipelayanan.services.berkas import BerkasFile
from sipelayanan.services.office import add_closure, get_profile, save_profile
from sipelayanan.services.queries import case_view
from sipelayanan.services.users import authenticate, create_user
from tests import proc_worker as pw

NIK = "1808015708900003"
SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
T0 = datetime(2026, 11, 17, 1, 0, tzinfo=UTC)


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.frombytes("RGB", (120, 90), os.urandom(120 * 90 * 3)).save(buf, "PNG")
    return buf.getvalue()


def _fill(db: Database, actors: dict[str, Any]) -> dict[str, str]:
    """Requests of several kinds and states, with berkas, register numbers, documents,
    deliveries, office settings, a new user and a failed login."""
    from sipelayanan.sop import services

    codes: dict[str, str] = {}
    pdf = pw._pdf("kk", 50_000)
    png = _png()
    role_user = {"operator_online": "online", "operator": "operator", "kasi": "kasi"}
    role_user |= {"kabid": "kabid", "kadis": "kadis", "petugas_penyerahan": "penyerahan"}
    t = T0
    with db.write() as s:
        ref = svc.intake(
            s,
            actors["online"],
            svc.IntakeData(
                service="KK",
                nama="Siti Aminah",
                nik=NIK,
                no_kk="1808010101200001",
                wa="081234567890",
                kecamatan="18.08.01",
                berkas=[BerkasFile("kk lama.pdf", pdf), BerkasFile("foto.png", png)],
            ),
            now=t,
        )
        codes["selesai"] = ref.code
        for step in services()["KK"].steps:
            t += timedelta(minutes=step.minutes)
            kw: dict[str, str] = {}
            if "nomor_dokumen" in step.records:
                kw["nomor_dokumen"] = "1808-0001234"
            if "penyerahan" in step.records:
                kw["penerima"] = "Siti Aminah"
            svc.advance(s, actors[role_user[step.role]], ref.code, now=t, note="Lengkap", **kw)
    with db.write() as s:
        ref = svc.intake(
            s,
            actors["online"],
            svc.IntakeData(service="KIA", nama="Budi Santoso", nik=NIK, wa="081298765432"),
            now=t,
        )
        codes["menunggu"] = ref.code
        svc.return_to_pemohon(s, actors["online"], ref.code, missing=["fotokopi_kk"], now=t)
        ref = svc.intake(
            s,
            actors["aduan"],
            svc.IntakeData(
                service="PENGADUAN", nama="Pelapor", wa="081211112222", uraian="NIK ganda"
            ),
            now=t,
        )
        codes["pengaduan"] = ref.code
        svc.advance(s, actors["aduan"], ref.code, now=t)
        svc.advance(s, actors["aduan"], ref.code, now=t)
        svc.close_simple(s, actors["aduan"], ref.code, solusi="Data dipadankan", now=t)
        ref = svc.intake(
            s,
            actors["online"],
            svc.IntakeData(service="AKTA_LAHIR", nama="Bayi Ny. Sari", nik=NIK, wa="081233334444"),
            now=t,
        )
        codes["batal"] = ref.code
        svc.cancel(s, actors["kasi"], ref.code, reason="Pemohon pindah", now=t)
        profile = get_profile(s)
        profile.kepala_dinas = "Drs. Paryanto"
        save_profile(s, profile, actor=actors["admin"], now=t)
        add_closure(s, date(2026, 12, 24), "Cuti bersama", actor=actors["admin"], now=t)
        create_user(
            s,
            username="rina",
            full_name="Rina Oktaviani",
            password="sandi-rina-123",
            roles=["operator", "kasi"],
            actor=actors["admin"],
            now=t,
        )
    with db.write() as s, contextlib.suppress(AuthError):
        authenticate(s, "rina", "salah-sandi", now=t)
    return codes


def _same(source: dict[str, Any], restored: dict[str, Any], extra_audit: int = 1) -> None:
    """Every table identical; the restored log has the restore's own entry at the end."""
    assert set(source) <= set(restored)
    for name in set(restored) - set(source):  # created by later migrations: empty
        assert restored[name].rows == [], name
    for name, table in source.items():
        got = restored[name]
        assert got.columns == table.columns, name
        if name == "audit_log":
            assert got.rows[: len(table.rows)] == table.rows
            assert len(got.rows) == len(table.rows) + extra_audit
            assert [r[table.columns.index("action")] for r in got.rows[len(table.rows) :]] == [
                "db.restore"
            ] * extra_audit
        elif name == "audit_head":
            continue  # moved on by the restore entry; checked by audit.verify
        elif name == "office_settings":  # the upgrade notes its app version (bookkeeping)
            key = table.columns.index("key")
            assert [r for r in got.rows if r[key] != APP_VERSION_KEY] == [
                r for r in table.rows if r[key] != APP_VERSION_KEY
            ]
        else:
            assert got.rows == table.rows, name


def _target(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Database:
    if kind == "sqlite":
        return Database(f"sqlite:///{tmp_path / 'pulih.sqlite3'}")
    return Database(request.getfixturevalue("empty_pg"))


@pytest.mark.parametrize("fmt", [None, FORMAT_PORTABLE])
@pytest.mark.parametrize("target", ["sqlite", "postgres"])
def test_round_trip_every_table(
    db: Database,
    actors: dict[str, Any],
    tmp_path: Path,
    request: pytest.FixtureRequest,
    fmt: str | None,
    target: str,
) -> None:
    codes = _fill(db, actors)
    out = tmp_path / "cadangan.bin"
    result = backup(db, out, fmt=fmt)
    expected_fmt = fmt or (FORMAT_SQLITE if db.dialect == "sqlite" else FORMAT_PGDUMP)
    assert result.format == expected_fmt and detect_format(out) == expected_fmt
    assert result.audited and result.rows["attachments"] == 2
    source = dump_tables(db)
    dest = _target(target, tmp_path, request)
    if expected_fmt == FORMAT_PGDUMP and dest.dialect != "postgresql":
        with pytest.raises(BackupError, match="hanya dapat dipulihkan ke PostgreSQL"):
            restore(dest, out)
        assert is_empty(dest)
        dest.dispose()
        return
    restored = restore(dest, out)
    assert restored.audit_ok and restored.format == expected_fmt
    _same(source, dump_tables(dest))
    with dest.read() as s:
        view = case_view(s, codes["selesai"])
        assert view.register_number and view.documents and view.delivery
        blobs = s.execute(select(Attachment.content).order_by(Attachment.id)).scalars().all()
        assert audit.verify(s).ok
    assert len(blobs) == 2 and blobs[0].startswith(b"%PDF") and blobs[1][:4] == b"\x89PNG"
    # the restored database is fully usable: new ids continue after the restored ones
    with dest.write() as s:
        new = svc.intake(
            s,
            actors["online"],
            svc.IntakeData(service="KK", nama="Baru", nik=NIK, wa="081234567890"),
        )
    with dest.read() as s:
        assert new.id > max(s.execute(select(Case.id).where(Case.code != new.code)).scalars())
    dest.dispose()


def test_restore_refuses_a_database_with_data(
    db: Database, actors: dict[str, Any], tmp_path: Path
) -> None:
    _fill(db, actors)
    out = tmp_path / "cadangan.zip"
    backup(db, out, fmt=FORMAT_PORTABLE)
    before = dump_tables(db)
    with pytest.raises(BackupError, match="tidak kosong"):
        restore(db, out)
    after = dump_tables(db)
    assert before == after


def test_damaged_backup_is_refused_and_leaves_the_target_empty(
    db: Database, actors: dict[str, Any], tmp_path: Path
) -> None:
    _fill(db, actors)
    good = tmp_path / "cadangan.zip"
    backup(db, good, fmt=FORMAT_PORTABLE)
    # one table's rows altered after the backup was made (the digest no longer matches)
    bad = tmp_path / "diubah.zip"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "tables/cases.jsonl":
                data = data.replace(b"Siti Aminah", b"Siti Aminax")
            dst.writestr(item, data)
    truncated = tmp_path / "terpotong.zip"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    junk = tmp_path / "bukan.zip"
    junk.write_bytes(b"ini bukan cadangan")
    target = Database(f"sqlite:///{tmp_path / 'pulih.sqlite3'}")
    with pytest.raises(BackupError, match="tidak cocok dengan manifest"):
        restore(target, bad)
    assert is_empty(target)
    with pytest.raises(BackupError, match="bukan cadangan SiPelayanan yang utuh"):
        restore(target, truncated)
    with pytest.raises(InputError, match="bukan cadangan SiPelayanan"):
        restore(target, junk)
    assert is_empty(target)
    assert restore(target, good).audit_ok  # and the good one still goes in afterwards
    target.dispose()


@pytest.mark.slow
def test_backup_while_a_pc_keeps_saving(db: Database, tmp_path: Path) -> None:
    """SQLite: the online backup API; PostgreSQL: one snapshot (REPEATABLE READ) for the
    portable export. Each backup is a consistent moment: whole requests, an intact chain."""
    proc = pw.start("intake_loop", url=db.url, berkas=1, advance=True, pause=0.05)
    pw.expect_line(proc, "READY")
    pw.expect_line(proc, "DONE")
    try:
        outs = []
        for i in range(3):
            out = tmp_path / f"cadangan-{i}.bin"
            fmt = FORMAT_SQLITE if db.dialect == "sqlite" else FORMAT_PORTABLE
            backup(db, out, fmt=fmt)
            outs.append(out)
            pw.expect_line(proc, "DONE")  # the PC saved more in the meantime
    finally:
        pw.kill(proc)
    sizes = []
    for i, out in enumerate(outs):
        target = Database(f"sqlite:///{tmp_path / f'pulih-{i}.sqlite3'}")
        result = restore(target, out)
        assert result.audit_ok
        with target.read() as s:
            codes = s.execute(select(Case.code)).scalars().all()
            for code in codes:
                view = case_view(s, code)
                assert len(view.attachments) == 1 and len(view.history) == 1
                actions = s.execute(
                    select(AuditEntry.action).where(AuditEntry.entity_id == code)
                ).scalars()
                assert sorted(actions) == ["case.advance", "case.intake"]
        sizes.append(len(codes))
        target.dispose()
    assert sizes == sorted(sizes) and sizes[0] >= 1


def test_backup_and_restore_commands(
    db: Database, actors: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill(db, actors)
    out = tmp_path / "harian.zip"
    assert cli.main(["--db", db.url, "backup", "-o", str(out), "--format", "portabel"]) == 0
    assert "Cadangan dibuat" in capsys.readouterr().out
    assert cli.main(["--db", db.url, "backup", "-o", str(out), "--format", "portabel"]) == 2
    assert "sudah ada" in capsys.readouterr().err
    target = f"sqlite:///{tmp_path / 'pc-baru.sqlite3'}"
    assert cli.main(["--db", target, "restore", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Cadangan dipulihkan" in printed and "Log audit utuh" in printed
    assert cli.main(["--db", target, "restore", str(out)]) == 2
    assert "tidak kosong" in capsys.readouterr().err
    assert cli.main(["--db", target, "audit", "verify"]) == 0
    missing = tmp_path / "tidak-ada.zip"
    assert cli.main(["--db", target, "restore", str(missing)]) == 2
    assert "tidak ditemukan" in capsys.readouterr().err


@SQLITE_ONLY
def test_sqlite_backup_file_opens_on_its_own(
    db: Database, actors: dict[str, Any], tmp_path: Path
) -> None:
    _fill(db, actors)
    out = tmp_path / "salinan.sqlite3"
    backup(db, out)
    raw = sqlite3.connect(out)
    assert raw.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one self-contained file
    assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    raw.close()
    copy = Database(f"sqlite:///{out}")
    with copy.read() as s:
        assert audit.verify(s).ok
        assert s.execute(select(AuditEntry.action).order_by(AuditEntry.seq.desc())).first() == (
            "db.backup",
        )
    copy.dispose()


def test_backup_from_an_older_schema_is_brought_up_to_date(tmp_path: Path) -> None:
    """A backup made before the latest migrations: restored at its own revision, then
    upgraded, with every row kept."""
    from sipelayanan.demo import ensure_demo_users
    from sipelayanan.migrate import current_revision, head_revision, upgrade

    old = Database(f"sqlite:///{tmp_path / 'lama.sqlite3'}")
    upgrade(old.engine, "0001")
    ensure_demo_users(old)
    out = tmp_path / "lama.zip"
    backup(old, out, fmt=FORMAT_PORTABLE)
    source = dump_tables(old)
    old.dispose()
    new = Database(f"sqlite:///{tmp_path / 'baru.sqlite3'}")
    result = restore(new, out)
    assert result.audit_ok
    assert current_revision(new.engine) == head_revision()
    _same(source, dump_tables(new))
    new.dispose()
