"""The audit log: every change of state, login, user change and document produced is recorded
with who, when and which PC; the chain is tamper-evident and ``audit verify`` names the first
entry altered or deleted with raw SQL, on both engines."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from sipelayanan import cli
from sipelayanan.db import Database
from sipelayanan.demo import DEMO_PASSWORD
from sipelayanan.errors import AuthError
from sipelayanan.models import AuditEntry, Case
from sipelayanan.services import audit
from sipelayanan.services import cases as svc
from sipelayanan.services.berkas import BerkasFile
from sipelayanan.services.context import Actor
from sipelayanan.services.office import add_closure, get_profile, save_profile
from sipelayanan.services.users import authenticate, create_user, set_password, update_user

NIK = "1808015708900003"
NAME = "Siti Aminah"
T0 = datetime(2026, 11, 17, 1, 0, tzinfo=UTC)  # Tuesday 08:00 WIB
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\nstartxref\n0\n%%EOF\n"


def _at(actors: dict[str, Any], name: str, pc: str) -> Actor:
    a = actors[name]
    return Actor(a.user_id, a.username, workstation=pc)


def _entries(db: Database, after: int = 0) -> list[AuditEntry]:
    with db.read() as s:
        return list(
            s.execute(select(AuditEntry).where(AuditEntry.seq > after).order_by(AuditEntry.seq))
            .scalars()
            .all()
        )


def _head(db: Database) -> int:
    with db.read() as s:
        return audit.change_token(s)


def test_every_change_login_user_change_and_document_is_recorded(
    db: Database, actors: dict[str, Any]
) -> None:
    start = _head(db)
    online = _at(actors, "online", "PC-LOKET-1")
    kasi = _at(actors, "kasi", "PC-KASI")
    admin = _at(actors, "admin", "PC-ADMIN")
    t = T0
    expected: list[tuple[str, str | None, str]] = []  # action, username, workstation

    def step(minutes: int = 1) -> datetime:
        nonlocal t
        t += timedelta(minutes=minutes)
        return t

    with db.write() as s:
        kk = svc.intake(
            s,
            online,
            svc.IntakeData(
                service="KIA",
                nama=NAME,
                nik=NIK,
                wa="081234567890",
                berkas=[BerkasFile("kk.pdf", PDF)],
            ),
            now=step(),
        ).code
    expected.append(("case.intake", "online", "PC-LOKET-1"))
    with db.write() as s:
        svc.return_to_pemohon(s, online, kk, missing=["fotokopi_kk"], now=step())
        svc.resubmit(s, online, kk, berkas=[BerkasFile("kk2.pdf", PDF)], now=step())
        svc.update_checklist(s, online, kk, present=["fotokopi_kk"], now=step())
        svc.add_attachments(s, online, kk, [BerkasFile("akta.pdf", PDF)], now=step())
    expected += [
        ("case.return_pemohon", "online", "PC-LOKET-1"),
        ("case.resubmit", "online", "PC-LOKET-1"),
        ("case.checklist", "online", "PC-LOKET-1"),
        ("case.berkas", "online", "PC-LOKET-1"),
    ]
    with db.write() as s:
        svc.update_checklist(
            s,
            online,
            kk,
            present=["fotokopi_kk", "foto_akta_kelahiran", "fotokopi_ktp_orang_tua"],
            now=step(),
        )
        svc.advance(s, online, kk, now=step())
        svc.advance(s, online, kk, now=step())
        svc.return_to_step(s, kasi, kk, to_step=2, reason="Foto buram", now=step())
        svc.cancel(s, kasi, kk, reason="Pemohon membatalkan", now=step())
    expected += [
        ("case.checklist", "online", "PC-LOKET-1"),
        ("case.advance", "online", "PC-LOKET-1"),
        ("case.advance", "online", "PC-LOKET-1"),
        ("case.return", "kasi", "PC-KASI"),
        ("case.cancel", "kasi", "PC-KASI"),
    ]
    # logins from a PC, failed logins, and user changes by the admin
    with db.write() as s:
        authenticate(s, "online", DEMO_PASSWORD, workstation="PC-LOKET-1", now=step())
    with db.write() as s, pytest.raises(AuthError):
        authenticate(s, "online", "salah-sandi", workstation="PC-LOKET-2", now=step())
    with db.write() as s, pytest.raises(AuthError):
        authenticate(s, "1808015708900003", "x", workstation="PC-LOKET-2", now=step())
    expected += [
        ("login", "online", "PC-LOKET-1"),
        ("login.failed", "online", "PC-LOKET-2"),
        ("login.failed", "(tidak dikenal)", "PC-LOKET-2"),  # the typed name stays out
    ]
    with db.write() as s:
        create_user(
            s,
            username="rina",
            full_name="Rina",
            password="rahasia-rina",
            roles=["operator"],
            actor=admin,
            now=step(),
        )
        update_user(s, "rina", actor=admin, roles=["operator", "kasi"], now=step())
        set_password(s, "rina", "sandi-baru-rina", actor=admin, now=step())
        profile = get_profile(s)
        profile.kepala_dinas = "Drs. Paryanto"
        save_profile(s, profile, actor=admin, now=step())
        add_closure(s, date(2026, 12, 24), "Cuti bersama", actor=admin, now=step())
    expected += [
        ("user.create", "admin", "PC-ADMIN"),
        ("user.update", "admin", "PC-ADMIN"),
        ("user.password", "admin", "PC-ADMIN"),
        ("office.profile", "admin", "PC-ADMIN"),
        ("office.closure.add", "admin", "PC-ADMIN"),
    ]
    try:
        from sipelayanan.reports import receipt, report
    except ImportError:  # pragma: no cover - the documents module is not part of this build
        pass
    else:
        with db.write() as s:
            receipt(s, kk, "pdf", actor=online, now=step())
            report(s, "rekap", date(2026, 11, 1), date(2026, 11, 30), actor=kasi, now=step())
        expected += [
            ("report.receipt", "online", "PC-LOKET-1"),
            ("report.rekap", "kasi", "PC-KASI"),
        ]

    entries = _entries(db, start)
    assert [(e.action, e.username, e.workstation) for e in entries] == expected
    times = [e.at for e in entries]
    assert times == sorted(times) and times[0] > T0 and times[-1] <= t
    assert all(e.user_id is not None for e in entries if e.username != "(tidak dikenal)")
    # never a NIK or a name in the log (UU 27/2022)
    for e in entries:
        blob = json.dumps([e.username, e.entity_id, e.detail, e.workstation])
        assert NIK not in blob and NAME not in blob and not re.search(r"\d{16}", blob)
    with db.read() as s:
        assert audit.verify(s).ok


# --------------------------------------------------------------------------- tampering


def _busy_log(db: Database, actors: dict[str, Any], n: int = 4) -> int:
    for i in range(n):
        with db.write() as s:
            code = svc.intake(
                s,
                actors["online"],
                svc.IntakeData(service="KK", nama=NAME, nik=NIK, wa="081234567890"),
                now=T0 + timedelta(minutes=i),
            ).code
            svc.advance(s, actors["online"], code, now=T0 + timedelta(minutes=i, seconds=30))
    return _head(db)


def _raw(db: Database, sql: str, **params: Any) -> None:
    with db.engine.begin() as conn:  # outside the app: straight SQL on the tables
        conn.execute(text(sql), params)


def _verify(db: Database, *anchors: tuple[int, str]) -> audit.VerifyResult:
    with db.read() as s:
        return audit.verify(s, anchors=anchors)


def test_altered_entry_is_named(db: Database, actors: dict[str, Any]) -> None:
    last = _busy_log(db, actors)
    k = last - 5
    _raw(db, "UPDATE audit_log SET detail = :d WHERE seq = :k", d='{"step": 9}', k=k)
    result = _verify(db)
    assert not result.ok and result.first_bad_seq == k
    assert result.problem == f"isi entri nomor {k} diubah"


def test_altered_time_or_user_is_named(db: Database, actors: dict[str, Any]) -> None:
    last = _busy_log(db, actors)
    _raw(db, "UPDATE audit_log SET username = 'kadis' WHERE seq = :k", k=last - 2)
    assert _verify(db).first_bad_seq == last - 2
    _raw(db, "UPDATE audit_log SET workstation = 'PC-LAIN' WHERE seq = :k", k=last - 6)
    assert _verify(db).first_bad_seq == last - 6


def test_deleted_entry_is_named(db: Database, actors: dict[str, Any]) -> None:
    last = _busy_log(db, actors)
    _raw(db, "DELETE FROM audit_log WHERE seq IN (:a, :b)", a=last - 3, b=last - 4)
    result = _verify(db)
    assert (result.ok, result.first_bad_seq) == (False, last - 4)
    assert result.problem == f"entri nomor {last - 4} sampai {last - 3} hilang (dihapus)"


def test_deleted_last_entry_is_named(db: Database, actors: dict[str, Any]) -> None:
    last = _busy_log(db, actors)
    _raw(db, "DELETE FROM audit_log WHERE seq = :k", k=last)
    result = _verify(db)
    assert (result.ok, result.first_bad_seq) == (False, last)
    assert "terakhir" in (result.problem or "")


def test_entry_rewritten_with_a_recomputed_hash_is_caught(
    db: Database, actors: dict[str, Any]
) -> None:
    last = _busy_log(db, actors)
    k = last - 4
    with db.read() as s:
        entry = s.execute(select(AuditEntry).where(AuditEntry.seq == k)).scalar_one()
        s.expunge(entry)
    entry.detail = '{"step": 7}'
    forged = audit.entry_hash(entry)
    _raw(
        db,
        "UPDATE audit_log SET detail = :d, hash = :h WHERE seq = :k",
        d=entry.detail,
        h=forged,
        k=k,
    )
    result = _verify(db)
    assert (result.ok, result.first_bad_seq) == (False, k)
    assert f"entri nomor {k} atau {k + 1}" in (result.problem or "")


def test_rewriting_the_whole_tail_is_caught_by_an_anchor(
    db: Database, actors: dict[str, Any]
) -> None:
    """Someone with database access rewrites entry k and every later one, hashes and head
    included: the chain is consistent again, but the anchor noted earlier does not match."""
    last = _busy_log(db, actors)
    good = _verify(db)
    assert good.ok and good.head_seq == last
    k = last - 3
    noted = (k, _hash_of(db, k)[:16])  # e.g. printed on yesterday's report
    with db.read() as s:
        rows = s.execute(select(AuditEntry).where(AuditEntry.seq >= k).order_by(AuditEntry.seq))
        tail = list(rows.scalars())
        for e in tail:
            s.expunge(e)
    prev = tail[0].prev_hash
    for e in tail:
        if e.seq == k:
            e.detail = '{"step": 3}'
        e.prev_hash = prev
        e.hash = audit.entry_hash(e)
        prev = e.hash
        _raw(
            db,
            "UPDATE audit_log SET detail = :d, prev_hash = :p, hash = :h WHERE seq = :s",
            d=e.detail,
            p=e.prev_hash,
            h=e.hash,
            s=e.seq,
        )
    _raw(db, "UPDATE audit_head SET hash = :h WHERE id = 1", h=prev)
    assert _verify(db).ok  # without an anchor nothing shows
    result = _verify(db, noted)
    assert (result.ok, result.first_bad_seq) == (False, k)
    assert "jangkar" in (result.problem or "")


def _hash_of(db: Database, seq: int) -> str:
    with db.read() as s:
        return str(s.execute(select(AuditEntry.hash).where(AuditEntry.seq == seq)).scalar_one())


def test_audit_verify_command(
    db: Database, actors: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    last = _busy_log(db, actors, n=2)
    assert cli.main(["--db", db.url, "audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert f"Log audit utuh: {last} entri diperiksa." in out
    anchor = re.search(r"Jangkar \(catat untuk pemeriksaan berikutnya\): (\d+:[0-9a-f]{64})", out)
    assert anchor is not None and anchor.group(1).startswith(f"{last}:")
    assert cli.main(["--db", db.url, "audit", "verify", "--jangkar", anchor.group(1)[:30]]) == 0
    capsys.readouterr()
    _raw(db, "DELETE FROM audit_log WHERE seq = 3")
    assert cli.main(["--db", db.url, "audit", "verify"]) == 4
    out = capsys.readouterr().out
    assert "TIDAK utuh" in out and "nomor 3" in out
    assert cli.main(["--db", db.url, "audit", "verify", "--jangkar", "tiga:xyz"]) == 2
    assert "NOMOR:HASH" in capsys.readouterr().err


def test_an_entry_never_holds_a_nik(db: Database) -> None:
    with db.write() as s:
        entry = audit.record(
            s, None, "test", "case", "1808015708900003", {"nik": NIK}, username=NIK
        )
    assert NIK not in entry.detail and NIK not in (entry.username or "")
    assert entry.entity_id == "1808************"
    with db.read() as s:
        assert audit.verify(s).ok


def _cli(db: Database, *args: str, stdin: str = "") -> tuple[int, str]:
    import contextlib
    import io
    import sys

    err = io.StringIO()
    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            rc = cli.main(["--db", db.url, *args])
    finally:
        sys.stdin = old
    return rc, err.getvalue()


def test_a_deleted_head_row_is_tampering_not_a_conflict(
    db: Database, actors: dict[str, Any]
) -> None:
    """``DELETE FROM audit_head`` went unnoticed by verify and then every write and login failed
    with "Data yang sama baru saja disimpan dari PC lain" (found by an outside test)."""
    code = _intake(db, actors)
    with db.write() as s:
        s.execute(text("DELETE FROM audit_head"))
    with db.read() as s:
        result = audit.verify(s)
    assert not result.ok and "audit_head" in (result.problem or "")
    with pytest.raises(audit.AuditHeadMissing, match="dihapus di luar aplikasi"), db.write() as s:
        svc.advance(s, actors["online"], code)
    rc, err = _cli(db, "audit", "verify")
    assert rc == 4
    # a clerk's login says what happened, not "saved from another PC"
    rc, err = _cli(db, "case", "advance", code, "--user", "online", stdin=DEMO_PASSWORD + "\n")
    assert rc == 2 and "Kepala rantai log audit hilang" in err and "PC lain" not in err
    # only an admin restores it; a wrong password or a non-admin leaves it missing
    rc, err = _cli(db, "audit", "pulihkan-kepala", "--user", "kasi", stdin=DEMO_PASSWORD + "\n")
    assert rc == 2 and "admin" in err
    rc, err = _cli(db, "audit", "pulihkan-kepala", "--user", "admin", stdin="salah\n")
    assert rc == 2
    with db.read() as s:
        assert not audit.verify(s).ok
    rc, err = _cli(db, "audit", "pulihkan-kepala", "--user", "admin", stdin=DEMO_PASSWORD + "\n")
    assert rc == 0, err
    with db.read() as s:
        assert audit.verify(s).ok
    with db.write() as s:
        svc.advance(s, actors["online"], code)
    actions = [e.action for e in _entries(db)][-3:]
    assert actions == ["login", "audit.head_restored", "case.advance"]


def _intake(db: Database, actors: dict[str, Any]) -> str:
    from sipelayanan.services.cases import IntakeData

    with db.write() as s:
        ref = svc.intake(
            s,
            actors["online"],
            IntakeData(service="KK", nama=NAME, nik=NIK, wa="081279615000"),
            now=T0,
        )
    return ref.code


@pytest.mark.parametrize(
    ("sql", "needle"),
    [
        ("UPDATE cases SET status = 'selesai' WHERE code = :code", "diubah di luar aplikasi"),
        (
            "UPDATE cases SET pemohon_nama = 'Orang Lain', version = version + 1 "
            "WHERE code = :code",
            "diubah di luar aplikasi",
        ),
        (
            "DELETE FROM case_steps WHERE case_id = (SELECT id FROM cases WHERE code = :code)",
            "diubah di luar aplikasi",
        ),
    ],
)
def test_a_request_changed_directly_in_the_database_is_named(
    db: Database, actors: dict[str, Any], sql: str, needle: str
) -> None:
    code = _intake(db, actors)
    with db.write() as s:
        svc.advance(s, actors["online"], code, now=T0 + timedelta(minutes=5))
    with db.read() as s:
        assert audit.verify(s).ok
    with db.write() as s:
        s.execute(text(sql), {"code": code})
    with db.read() as s:
        result = audit.verify(s)
    assert not result.ok
    assert needle in (result.problem or "") and code in (result.problem or "")


def test_a_request_deleted_or_inserted_directly_is_named(
    db: Database, actors: dict[str, Any]
) -> None:
    code = _intake(db, actors)
    with db.write() as s:
        case_id = s.execute(text("SELECT id FROM cases WHERE code = :c"), {"c": code}).scalar()
        for table in ("checklist_items", "attachments", "case_steps"):
            s.execute(text(f"DELETE FROM {table} WHERE case_id = :i"), {"i": case_id})
        s.execute(text("DELETE FROM cases WHERE id = :i"), {"i": case_id})
    with db.read() as s:
        result = audit.verify(s)
    assert not result.ok and f"permohonan {code} dihapus" in (result.problem or "")


def test_a_demo_office_verifies_with_every_state_sealed(db: Database) -> None:
    from sipelayanan.demo import load_demo

    with db.read() as s:
        admin = s.execute(text("SELECT id FROM users WHERE username = 'admin'")).scalar()
    load_demo(db, count=60, actor=Actor(int(admin), "admin"))
    with db.read() as s:
        result = audit.verify(s)
        unsealed = [
            e.seq
            for e in s.execute(select(AuditEntry).where(AuditEntry.action.like("case.%")))
            .scalars()
            .all()
            if "state" not in json.loads(e.detail)
        ]
    assert result.ok, result.problem
    assert unsealed == []


def test_a_request_inserted_directly_is_named(db: Database, actors: dict[str, Any]) -> None:
    code = _intake(db, actors)
    columns = [c.key for c in Case.__table__.columns if c.key not in ("id", "code")]
    listed = ", ".join(f'"{c}"' for c in columns)  # current_role is reserved (PostgreSQL)
    with db.write() as s:
        s.execute(
            text(
                f"INSERT INTO cases (code, {listed}) SELECT 'ZZZZZZZZ9', {listed} FROM cases "
                "WHERE code = :code"
            ),
            {"code": code},
        )
    with db.read() as s:
        result = audit.verify(s)
    assert not result.ok
    assert "permohonan ZZZZZZZZ9 tidak tercatat di log audit" in (result.problem or "")
