"""Personal data as UU 27/2022 requires (issue 17, 12.5): every view recorded once in the audit
chain; a resident's export holds every row about their NIK and none about another; a correction
is a recorded action; berkas past retention purged by a controllable clock, registers kept, and
purged again after restoring an older backup. Both engines, real files."""

from __future__ import annotations

import io
import json
import sys
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from sipelayanan.cli import main
from sipelayanan.db import Database
from sipelayanan.demo import DEMO_PASSWORD, DEMO_USER_FOR_ROLE
from sipelayanan.errors import InputError, PermissionDenied
from sipelayanan.models import Attachment, AuditEntry, Case, CaseStep, RegisterEntry
from sipelayanan.services import access, audit, privacy, retention
from sipelayanan.services import cases as svc
from sipelayanan.services.berkas import BerkasFile
from sipelayanan.sop import services

NIK_A = "1808015708900003"
NIK_B = "1808011203850001"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\nstartxref\n0\n%%EOF\n"
T0 = datetime(2019, 3, 4, 2, 0, tzinfo=UTC)  # a Monday, 09:00 WIB


def _intake(
    db: Database,
    actors: dict[str, Any],
    nik: str,
    nama: str,
    *,
    service: str = "KK",
    files: int = 1,
    at: datetime = T0,
) -> str:
    data = svc.IntakeData(
        service=service,
        nama=nama,
        nik=nik,
        wa="0812-3456-7890",
        berkas=[BerkasFile(f"berkas{i}.pdf", PDF + bytes([i]) * (1000 + i)) for i in range(files)],
    )
    with db.write() as s:
        return svc.intake(s, actors["online"], data, now=at).code


def _to_the_end(db: Database, actors: dict[str, Any], code: str, at: datetime) -> datetime:
    """Every step of the request by the role the SOP names, so it is finished with a register
    number (what each step records is given when the step asks for it)."""
    with db.read() as s:
        sdef = svc.definition_for(s, svc.load_case(s, code))
    for step in sdef.steps:
        at += timedelta(minutes=step.minutes)
        kw: dict[str, str] = {}
        if "nomor_dokumen" in step.records:
            kw["nomor_dokumen"] = "1808-0001234"
        if "penyerahan" in step.records:
            kw["penerima"] = "Pemohon"
        actor = actors[DEMO_USER_FOR_ROLE[step.role]]
        with db.write() as s:
            if svc.load_case(s, code).status != "proses":
                break
            try:
                svc.advance(s, actor, code, now=at, **kw)
            except (InputError, TypeError):
                s.rollback()
                svc.advance(s, actor, code, now=at)
    return at


def _views(db: Database) -> list[AuditEntry]:
    with db.read() as s:
        return list(s.execute(select(AuditEntry).where(AuditEntry.action == "data.view")).scalars())


def _detail(entry: AuditEntry) -> dict[str, Any]:
    return json.loads(entry.detail)  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- who saw what


def test_each_reveal_open_search_and_export_is_one_record_in_the_chain(
    db: Database, actors: dict[str, Any]
) -> None:
    code = _intake(db, actors, NIK_A, "Budi Hartono")
    with db.read() as s:
        att_id = s.execute(select(Attachment.id)).scalar_one()

    def one_more(before: int, item: str) -> AuditEntry:
        after = _views(db)
        assert len(after) == before + 1, [e.detail for e in after[before:]]
        entry = after[-1]
        assert _detail(entry)["item"] == item
        assert NIK_A not in entry.detail and "Budi" not in entry.detail
        return entry

    n = len(_views(db))
    with db.write() as s:  # the operator (SIAK) may reveal by default
        assert access.reveal_nik(s, actors["operator"], code) == NIK_A
    entry = one_more(n, "nik")
    assert entry.entity_id == code and entry.username == "operator"

    with db.write() as s, pytest.raises(PermissionDenied, match="tidak diizinkan"):
        access.reveal_nik(s, actors["kasi"], code)
    assert len(_views(db)) == n + 1  # a refused reveal records nothing and shows nothing

    with db.write() as s:
        _name, mime, content = access.open_berkas(s, actors["kasi"], att_id)
    assert content.startswith(b"%PDF") and mime == "application/pdf"
    assert _detail(one_more(n + 1, "berkas"))["berkas"] == att_id

    with db.write() as s:
        access.record_case_open(s, actors["kasi"], code)
    one_more(n + 2, "case")

    with db.write() as s:  # a tracking code, an empty box, no result: no personal data shown
        assert not access.record_search(s, actors["kasi"], code, [code])
        assert not access.record_search(s, actors["kasi"], "", [code])
        assert not access.record_search(s, actors["kasi"], "Budi", [])
    assert len(_views(db)) == n + 3
    with db.write() as s:
        assert access.record_search(s, actors["kasi"], "Budi", [code])
    search = _detail(one_more(n + 3, "search"))
    assert search["kind"] == "nama" and search["codes"] == [code]

    with db.write() as s:
        privacy.export_subject(s, actors["admin"], NIK_A)
    one_more(n + 4, "export")

    # an office setting lets a supervisor reveal too
    with db.write() as s:
        access.set_reveal_roles(s, actors["admin"], ["operator", "kasi"])
    with db.write() as s:
        assert access.reveal_nik(s, actors["kasi"], code) == NIK_A
    one_more(n + 5, "nik")

    with db.read() as s:
        assert audit.verify(s).ok
        seq = _views(db)[0].seq
    # the records are links of the chain: an edited one is found by audit verify
    with db.write() as s:
        s.execute(
            text("UPDATE audit_log SET username = 'orang_lain' WHERE seq = :seq"), {"seq": seq}
        )
    with db.read() as s:
        result = audit.verify(s)
    assert not result.ok and result.first_bad_seq == seq


def test_the_nik_is_revealed_only_to_the_roles_set(db: Database, actors: dict[str, Any]) -> None:
    with db.write() as s, pytest.raises(PermissionDenied):
        access.set_reveal_roles(s, actors["kasi"], ["kasi"])  # admins only
    with db.write() as s, pytest.raises(InputError, match="tidak dikenal"):
        access.set_reveal_roles(s, actors["admin"], ["raja"])
    with db.read() as s:
        assert access.reveal_roles(s) == ("operator",)
        assert access.may_reveal_nik(s, ("operator",)) and not access.may_reveal_nik(s, ("kasi",))


# --------------------------------------------------------------------------- subject export


def _independent(db: Database, nik: str) -> dict[str, set[int]]:
    """Row ids about ``nik``, table by table, by plain SQL written apart from the export."""
    q = {
        "cases": "SELECT id FROM cases WHERE nik = :nik",
        "case_steps": "SELECT s.id FROM case_steps s JOIN cases c ON c.id = s.case_id "
        "WHERE c.nik = :nik",
        "notices": "SELECT n.id FROM notices n JOIN cases c ON c.id = n.case_id WHERE c.nik = :nik",
        "attachments": "SELECT a.id FROM attachments a JOIN cases c ON c.id = a.case_id "
        "WHERE c.nik = :nik",
        "register_entries": "SELECT r.id FROM register_entries r JOIN cases c ON "
        "c.id = r.case_id WHERE c.nik = :nik",
        "case_documents": "SELECT d.id FROM case_documents d JOIN cases c ON c.id = d.case_id "
        "WHERE c.nik = :nik",
    }
    with db.read() as s:
        return {k: {int(r[0]) for r in s.execute(text(v), {"nik": nik})} for k, v in q.items()}


def test_the_export_holds_every_row_about_the_nik_and_none_about_another(
    db: Database, actors: dict[str, Any]
) -> None:
    done = _intake(db, actors, NIK_A, "Siti Aminah", files=2)
    _to_the_end(db, actors, done, T0)
    open_a = _intake(db, actors, NIK_A, "Siti Aminah", service="KTP_EL")
    other = _intake(db, actors, NIK_B, "Budi Hartono", files=1)
    _to_the_end(db, actors, other, T0)
    with db.write() as s:  # accesses to both people
        access.reveal_nik(s, actors["operator"], done)
        access.reveal_nik(s, actors["operator"], other)
        access.record_search(s, actors["kasi"], "Siti", [done, open_a])
        access.record_search(s, actors["kasi"], "Budi", [other])

    from datetime import date

    from sipelayanan import reports

    with db.write() as s:  # a register naming both, one of a month naming neither
        reports.report(s, "register", date(2019, 3, 1), date(2019, 3, 31), actor=actors["kasi"])
        reports.report(s, "register", date(2019, 5, 1), date(2019, 5, 31), actor=actors["kasi"])
    with db.write() as s:
        result = privacy.export_subject(s, actors["admin"], NIK_A)
    zf = zipfile.ZipFile(io.BytesIO(result.content))
    data = json.loads(zf.read("data.json"))
    want = _independent(db, NIK_A)
    assert want["cases"] and want["case_steps"] and want["notices"] and want["register_entries"]
    assert {c["id"] for c in data["permohonan"]} == want["cases"]
    for table in ("case_steps", "notices", "attachments", "register_entries", "case_documents"):
        assert {r["id"] for r in data[table]} == want[table], table
    # every table keyed to a request is in the export, with exactly that NIK's rows
    from sipelayanan.models import Base

    ids = want["cases"]
    for name, table in Base.metadata.tables.items():
        if "case_id" in table.c and name != "cases":
            with db.read() as s:
                n = s.execute(
                    select(func.count()).select_from(table).where(table.c.case_id.in_(ids))
                ).scalar_one()
            assert len(data[name]) == n and {r["case_id"] for r in data[name]} <= ids, name
    others = _independent(db, NIK_B)
    for table, ids in others.items():
        got = data["permohonan"] if table == "cases" else data[table]
        assert not {r["id"] for r in got} & ids, table
    files = [n for n in zf.namelist() if n.startswith("berkas/")]
    assert len(files) == 3 == result.files
    with db.read() as s:
        for name in files:
            att_id = int(name.split("/")[2].split("_")[0])
            stored = s.execute(select(Attachment.content).where(Attachment.id == att_id)).scalar()
            assert zf.read(name) == stored
    # who accessed: both reveals of A's request and the search that showed A, nothing of B
    kinds = sorted((a["kode"], a["butir"]) for a in data["akses"])
    assert (done, "nik") in kinds and (done, "search") in kinds
    assert [k for k in kinds if k[1] == "register"] == [(done, "register")]  # March only
    assert all(a["kode"] in (done, open_a) for a in data["akses"])
    raw = zf.read("data.json").decode()
    assert NIK_B not in raw and other not in raw and "Budi Hartono" not in raw

    from pypdf import PdfReader

    pdf = "".join(p.extract_text() for p in PdfReader(io.BytesIO(zf.read("ringkasan.pdf"))).pages)
    assert "Siti Aminah" in pdf and NIK_A in pdf
    assert "Budi Hartono" not in pdf and NIK_B not in pdf
    assert "membuka" in pdf or "NIK lengkap" in pdf
    with db.read() as s:
        assert audit.verify(s).ok


def test_the_export_is_for_admins_and_a_known_nik(db: Database, actors: dict[str, Any]) -> None:
    _intake(db, actors, NIK_A, "Siti Aminah")
    with db.write() as s, pytest.raises(PermissionDenied):
        privacy.export_subject(s, actors["kasi"], NIK_A)
    from sipelayanan.errors import NotFound

    with db.write() as s, pytest.raises(NotFound):
        privacy.export_subject(s, actors["admin"], NIK_B)
    with db.write() as s, pytest.raises(InputError):
        privacy.export_subject(s, actors["admin"], "123")


def test_a_correction_is_a_recorded_action_that_keeps_the_chain_whole(
    db: Database, actors: dict[str, Any]
) -> None:
    code = _intake(db, actors, NIK_A, "Siti Aminh")
    with db.write() as s:
        changed = privacy.correct_pemohon(
            s, actors["admin"], code, {"nama": "Siti Aminah", "nik": NIK_B}, alasan="Permintaan"
        )
    assert changed == ["nama", "nik"]
    with db.read() as s:
        case = s.execute(select(Case).where(Case.code == code)).scalar_one()
        assert (case.pemohon_nama, case.nik, case.name_key) == ("Siti Aminah", NIK_B, "SITI AMINAH")
        entry = s.execute(
            select(AuditEntry).where(AuditEntry.action == "case.correct")
        ).scalar_one()
        assert "Siti" not in entry.detail and NIK_B not in entry.detail
        assert audit.verify(s).ok
    with db.write() as s, pytest.raises(InputError, match=r"perbaikan"):
        privacy.correct_pemohon(s, actors["admin"], code, {"nama": "X Y"}, alasan=" ")
    with db.write() as s, pytest.raises(PermissionDenied):
        privacy.correct_pemohon(s, actors["kasi"], code, {"nama": "X Y"}, alasan="a")


# --------------------------------------------------------------------------- retention


def _counts(db: Database) -> tuple[int, int, int]:
    with db.read() as s:
        return (
            s.execute(select(func.count(Case.id))).scalar_one(),
            s.execute(select(func.count(CaseStep.id))).scalar_one(),
            s.execute(select(func.count(RegisterEntry.id))).scalar_one(),
        )


def _contents(db: Database) -> dict[int, int]:
    with db.read() as s:
        rows = s.execute(select(Attachment.id, func.length(Attachment.content))).all()
    return {int(r[0]): int(r[1]) for r in rows}


def _office(db: Database, actors: dict[str, Any]) -> dict[str, list[int]]:
    """KK requests finished in 2019 and 2023, a KTP-el finished in 2019 (no schedule), a KK
    still open since 2019; ids of each one's berkas."""
    old = _intake(db, actors, NIK_A, "Lama", files=2)
    _to_the_end(db, actors, old, T0)
    new = _intake(db, actors, NIK_A, "Baru", at=T0.replace(year=2023))
    _to_the_end(db, actors, new, T0.replace(year=2023))
    ktp = _intake(db, actors, NIK_B, "Ktp", service="KTP_EL")
    _to_the_end(db, actors, ktp, T0)
    still = _intake(db, actors, NIK_B, "Terbuka")
    out: dict[str, list[int]] = {}
    with db.read() as s:
        for name, code in (("old", old), ("new", new), ("ktp", ktp), ("open", still)):
            case_id = s.execute(select(Case.id).where(Case.code == code)).scalar_one()
            out[name] = list(
                s.execute(select(Attachment.id).where(Attachment.case_id == case_id)).scalars()
            )
    return out


def test_a_purge_removes_exactly_the_files_past_retention_and_keeps_registers(
    db: Database, actors: dict[str, Any]
) -> None:
    ids = _office(db, actors)
    with db.write() as s:
        retention.save_schedule(s, actors["admin"], retention.Schedule({"KK": 5}))
    before = _counts(db)
    assert before[2] >= 3  # registers to keep
    # the clock: 2024-06 — the 2019 KK is past 5 years, the 2023 one is not
    clock = datetime(2024, 6, 1, tzinfo=UTC)
    with db.read() as s:
        dry = retention.plan(s, clock)
    assert dry.files == 2 and dry.bytes == sum(len(PDF) + 1000 + i for i in range(2))
    assert _contents(db) == {i: n for i, n in _contents(db).items() if n > 0}  # nothing gone
    with db.write() as s:
        done = retention.purge(s, actors["admin"], clock)
    assert (done.files, done.bytes) == (dry.files, dry.bytes)
    contents = _contents(db)
    assert {i for i, n in contents.items() if n == 0} == set(ids["old"])
    assert all(contents[i] > 0 for k in ("new", "ktp", "open") for i in ids[k])
    assert _counts(db) == before  # requests, history, registers all kept
    with db.read() as s:
        entry = s.execute(select(AuditEntry).where(AuditEntry.action == "data.purge")).scalar_one()
        assert _detail(entry)["files"] == 2 and _detail(entry)["services"] == {"KK": 2}
        assert audit.verify(s).ok
        assert retention.purged_count(s) == 2
        # the file's name, size and digest stay in the register of berkas
        sizes = s.execute(select(Attachment.size).where(Attachment.id.in_(ids["old"]))).scalars()
        assert all(n > 0 for n in sizes)
    # a second run finds nothing; a later clock reaches the 2023 request
    with db.read() as s:
        assert retention.plan(s, clock).files == 0
        assert retention.plan(s, datetime(2028, 6, 1, tzinfo=UTC)).files == 1
    with db.write() as s, pytest.raises(PermissionDenied):
        retention.purge(s, actors["kasi"], clock)
    with db.write() as s, pytest.raises(InputError):
        retention.save_schedule(s, actors["admin"], retention.Schedule({"KK": 500}))


def test_the_scheduled_purge_runs_once_a_day_when_turned_on(
    db: Database, actors: dict[str, Any]
) -> None:
    ids = _office(db, actors)
    clock = datetime(2024, 6, 1, 3, tzinfo=UTC)
    with db.write() as s:
        retention.save_schedule(s, actors["admin"], retention.Schedule({"KK": 5}))
    assert retention.run_if_due(db, clock=lambda: clock) is None  # not turned on
    with db.write() as s:
        retention.save_schedule(s, actors["admin"], retention.Schedule({"KK": 5}, True))
    done = retention.run_if_due(db, clock=lambda: clock)
    assert done is not None and done.files == 2
    assert retention.run_if_due(db, clock=lambda: clock + timedelta(hours=2)) is None
    assert {i for i, n in _contents(db).items() if n == 0} == set(ids["old"])


def test_the_automatic_backup_runs_the_scheduled_purge_after_it_verified(
    db: Database, actors: dict[str, Any], tmp_path: Path
) -> None:
    from sipelayanan.backup import auto

    ids = _office(db, actors)
    folder = tmp_path / "cadangan"
    folder.mkdir()
    with db.write() as s:
        retention.save_schedule(s, actors["admin"], retention.Schedule({"KK": 5}, True))
        auto.save_settings(s, auto.AutoSettings(str(folder), True), actor=actors["admin"])
    clock = datetime(2024, 6, 1, 10, tzinfo=UTC)
    outcome = auto.run(db, clock=lambda: clock, force=True)
    assert outcome.done and "Retensi berkas: 2 berkas" in outcome.message
    assert {i for i, n in _contents(db).items() if n == 0} == set(ids["old"])
    # the backup made just before holds them: a restore of it purges them again
    assert outcome.path is not None


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_restored_older_backup_does_not_bring_purged_files_back(
    db: Database, actors: dict[str, Any], tmp_path: Path
) -> None:
    from sipelayanan.backup import backup, restore

    ids = _office(db, actors)
    with db.write() as s:
        retention.save_schedule(s, actors["admin"], retention.Schedule({"KK": 5}))
    older = tmp_path / "sebelum.sqlite3"
    backup(db, older)  # made before the purge: the 2019 files are in it
    with db.write() as s:
        retention.purge(s, actors["admin"])  # the real clock: 2019 is long past 5 years
    target = Database(f"sqlite:///{tmp_path / 'pulih.sqlite3'}")
    try:
        result = restore(target, older)
        assert result.note and "dihapus lagi" in result.note
        assert {i for i, n in _contents(target).items() if n == 0} == set(ids["old"])
        with target.read() as s:
            assert audit.verify(s).ok
            trig = [
                _detail(e)["trigger"]
                for e in s.execute(
                    select(AuditEntry).where(AuditEntry.action == "data.purge")
                ).scalars()
            ]
        assert trig == ["pemulihan"]
    finally:
        target.dispose()


# --------------------------------------------------------------------------- the command


def _run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], url: str, *args: str
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(DEMO_PASSWORD + "\n"))
    rc = main(["--db", url, *args])
    out, err = capsys.readouterr()
    return rc, out, err


def test_the_data_pribadi_commands(
    db: Database,
    db_url: str,
    actors: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ids = _office(db, actors)
    out = tmp_path / "data.zip"
    rc, _o, err = _run(
        monkeypatch, capsys, db_url, "data-pribadi", "ekspor", "--nik", NIK_A, "-o", str(out)
    )
    assert rc == 2 and "--pengguna" in err and not out.exists()
    n = len(_views(db))
    rc, o, err = _run(
        monkeypatch, capsys, db_url, "data-pribadi", "ekspor", "--nik", NIK_A, "-o", str(out),
        "--pengguna", "admin",
    )  # fmt: skip
    assert rc == 0, err
    assert "2 permohonan, 3 berkas" in o and out.stat().st_mode & 0o777 == 0o600
    assert len(_views(db)) == n + 1
    assert "ringkasan.pdf" in zipfile.ZipFile(out).namelist()
    rc, o, err = _run(
        monkeypatch, capsys, db_url, "data-pribadi", "ekspor", "--nik", "12", "-o", str(out),
        "--pengguna", "admin",
    )  # fmt: skip
    assert rc == 2 and "Traceback" not in err

    rc, o, _ = _run(monkeypatch, capsys, db_url, "data-pribadi", "retensi", "--uji")
    assert rc == 0 and "belum diatur" in o
    with db.write() as s:
        retention.save_schedule(s, actors["admin"], retention.Schedule({"KK": 5}))
    before = _contents(db)
    rc, o, _ = _run(monkeypatch, capsys, db_url, "data-pribadi", "retensi", "--uji")
    assert rc == 0 and "2 berkas akan dihapus" in o
    assert _contents(db) == before  # a dry run changes nothing
    rc, o, err = _run(monkeypatch, capsys, db_url, "data-pribadi", "retensi")
    assert rc == 2 and "--pengguna" in err
    rc, o, err = _run(monkeypatch, capsys, db_url, "data-pribadi", "retensi", "--pengguna", "admin")
    assert rc == 0 and "2 berkas dihapus" in o, err
    assert {i for i, n in _contents(db).items() if n == 0} == set(ids["old"])

    with db.read() as s:
        code = s.execute(select(Case.code).where(Case.pemohon_nama == "Terbuka")).scalar_one()
    rc, o, _ = _run(
        monkeypatch, capsys, db_url, "data-pribadi", "nik", code, "--pengguna", "operator"
    )
    assert rc == 0 and o.strip() == NIK_B
    rc, o, err = _run(
        monkeypatch, capsys, db_url, "data-pribadi", "nik", code, "--pengguna", "kasi"
    )
    assert rc == 2 and NIK_B not in o + err
    rc, o, err = _run(
        monkeypatch, capsys, db_url, "data-pribadi", "koreksi", code, "--nama", "Terbuka Benar",
        "--alasan", "Permintaan pemohon", "--pengguna", "admin",
    )  # fmt: skip
    assert rc == 0 and "nama" in o, err
    with db.read() as s:
        assert audit.verify(s).ok


def test_every_service_has_steps_to_drive() -> None:
    assert {"KK", "KTP_EL"} <= set(services())


# --------------------------------------------------------------------------- privacy notice


def test_the_privacy_notice_on_the_receipt_and_the_status_page(
    db: Database, actors: dict[str, Any], tmp_path: Path
) -> None:
    from pypdf import PdfReader

    from sipelayanan import reports
    from sipelayanan.services.office import get_profile, save_profile
    from sipelayanan.statussite.build import build_site, ensure_salt

    code = _intake(db, actors, NIK_A, "Siti Aminah")
    with db.write() as s:
        profile = get_profile(s)
        profile.dpo_name, profile.dpo_contact = "Rudi Hermawan, S.H.", "ppid@waykanankab.go.id"
        save_profile(s, profile, actor=actors["admin"])
    with db.write() as s:
        pdf = reports.receipt(s, code, "pdf", actor=actors["online"])
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) == 1  # the notice still fits the A5 receipt
    printed = " ".join(pages[0].extract_text().split())
    assert "UU No. 27 Tahun 2022" in printed and "Rudi Hermawan" in printed
    with db.write() as s:
        settings = ensure_salt(s)
    with db.read() as s:
        build_site(s, tmp_path / "situs", settings)
    config = json.loads((tmp_path / "situs" / "config.json").read_text())
    assert "UU No. 27 Tahun 2022" in config["privasi"] and "ppid@" in config["privasi"]
    assert "Siti" not in config["privasi"] and NIK_A not in json.dumps(config)
    page = (tmp_path / "situs" / "index.html").read_text()
    assert 'id="privasi"' in page
    assert "config.privasi" in (tmp_path / "situs" / "app.js").read_text()
