"""Each clerk action of services/actions.py on both engines: the whole action in one transaction,
what it returns, and the notify step that finishes when the resident is told (issue 12.1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from sipelayanan.calendar import WIB
from sipelayanan.db import Database
from sipelayanan.demo import DEMO_USER_FOR_ROLE
from sipelayanan.errors import ConflictError, DomainError, InputError
from sipelayanan.models import (
    AwaitingCollection,
    Case,
    CaseStatus,
    Delivery,
    FinishDayStat,
    Notice,
)
from sipelayanan.services import actions
from sipelayanan.services.cases import IntakeData
from sipelayanan.services.collection import count_ready, ready_for_collection
from sipelayanan.services.queries import case_view
from sipelayanan.sop import services

T0 = datetime(2026, 11, 17, 1, 0, tzinfo=UTC)  # a Tuesday, 08:00 WIB
NIK = "1808015708900003"


def _actor(actors: dict[str, Any], role: str) -> Any:
    return actors[DEMO_USER_FOR_ROLE[role]]


def _data(service: str, **kw: Any) -> IntakeData:
    return IntakeData(
        service=service,
        nama="Siti Aminah",
        nik=NIK,
        wa="0812-3456-7890",
        kecamatan="18.08.01",
        **kw,
    )


def _receive(db: Database, actors: dict[str, Any], service: str, at: datetime = T0) -> str:
    sdef = services()[service]
    with db.write() as s:
        result = actions.receive(
            s, _actor(actors, sdef.step(1).role), actions.ReceiveInput(_data(service)), now=at
        )
    return result.code


def _carry_to(
    db: Database, actors: dict[str, Any], code: str, service: str, step_no: int
) -> datetime:
    """Finish steps until the request stands at ``step_no``; returns the time reached."""
    sdef = services()[service]
    at = T0
    while True:
        with db.read() as s:
            view = case_view(s, code)
        if view.current_step == step_no or view.status != CaseStatus.PROSES:
            return at
        step = sdef.step(view.current_step)
        at += timedelta(minutes=step.minutes)
        fields: dict[str, Any] = {}
        if "nomor_dokumen" in step.records:
            fields["nomor_dokumen"] = "1808-0001234"
        with db.write() as s:
            actions.complete_step(
                s, _actor(actors, step.role), code, actions.CompleteInput(**fields), now=at
            )


def test_receive_complete_finishes_the_first_step(db: Database, actors: dict[str, Any]) -> None:
    sdef = services()["KK"]
    with db.write() as s:
        result = actions.receive(
            s,
            _actor(actors, sdef.step(1).role),
            actions.ReceiveInput(_data("KK")),
            roles=("operator_online",),
            now=T0,
        )
    assert isinstance(result, actions.ReceiveResult)
    assert (result.status, result.step, result.returned) == (CaseStatus.PROSES, 2, False)
    assert result.message_key == "berkas_diterima" and result.message is not None
    assert "Siti Aminah" in result.message.text
    assert result.view is not None and result.view.current_step == 2
    assert result.seq > 0
    with db.read() as s:
        view = case_view(s, result.code)
    assert [(h.step_no, h.action) for h in view.history] == [(1, "selesai")]


def test_receive_incomplete_returns_in_the_same_transaction(
    db: Database, actors: dict[str, Any]
) -> None:
    sdef = services()["KK"]
    data = _data("KK", present=["formulir_f102"])
    with db.write() as s:
        result = actions.receive(
            s,
            _actor(actors, sdef.step(1).role),
            actions.ReceiveInput(data, return_to_pemohon=True, note="foto buram"),
            now=T0,
        )
    assert result.returned and result.status == CaseStatus.MENUNGGU_PEMOHON
    assert result.message_key == "berkas_kurang" and result.message is not None
    assert "salah satu" in result.message.text or "Buku nikah" in result.message.text
    with db.read() as s:
        kinds = {
            (n.kind, n.state)
            for n in s.execute(select(Notice).join(Case).where(Case.code == result.code)).scalars()
        }
    assert ("berkas_kurang", "manual") in kinds
    assert all(k != "berkas_diterima" or st == "skipped" for k, st in kinds)


def test_receive_incomplete_without_return_writes_nothing(
    db: Database, actors: dict[str, Any]
) -> None:
    with db.read() as s:
        before = s.execute(select(func.count(Case.id))).scalar_one()
    with pytest.raises(DomainError, match="belum lengkap"), db.write() as s:
        actions.receive(
            s,
            _actor(actors, "operator_online"),
            actions.ReceiveInput(_data("KK", present=["formulir_f102"])),
            now=T0,
        )
    with db.read() as s:
        assert s.execute(select(func.count(Case.id))).scalar_one() == before


def test_receive_can_leave_the_first_step_open(db: Database, actors: dict[str, Any]) -> None:
    with db.write() as s:
        result = actions.receive(
            s,
            _actor(actors, "operator_online"),
            actions.ReceiveInput(_data("KK"), finish_first_step=False),
            now=T0,
        )
    assert result.step == 1 and result.status == CaseStatus.PROSES


def test_complete_step_ticks_the_checklist_under_the_expected_version(
    db: Database, actors: dict[str, Any]
) -> None:
    # KIA step 2 is the completeness decision: tick the missing item and finish in one call
    sdef = services()["KIA"]
    with db.write() as s:
        got = actions.receive(
            s,
            _actor(actors, sdef.step(1).role),
            actions.ReceiveInput(
                _data("KIA", present=["fotokopi_kk", "foto_akta_kelahiran"]),
                finish_first_step=False,
            ),
            now=T0,
        )
    step1 = sdef.step(1)
    everything = [r.key for r in sdef.requirements]
    with pytest.raises(ConflictError), db.write() as s:
        actions.complete_step(
            s,
            _actor(actors, step1.role),
            got.code,
            actions.CompleteInput(expected_version=got.version + 5, present=everything),
        )
    with db.write() as s:
        done = actions.complete_step(
            s,
            _actor(actors, step1.role),
            got.code,
            actions.CompleteInput(
                expected_version=got.version, expected_step=1, present=everything
            ),
            roles=(step1.role,),
            now=T0 + timedelta(minutes=2),
        )
    assert done.step == 2 and done.view is not None
    assert all(c.present for c in done.view.checklist if c.applies and c.required)


def test_notify_step_finishes_when_told_and_collection_comes_after(
    db: Database, actors: dict[str, Any]
) -> None:
    sdef = services()["KK"]
    notify = sdef.hand_over_step
    assert notify is not None and notify.notifies
    code = _receive(db, actors, "KK")
    at = _carry_to(db, actors, code, "KK", notify.no)
    # who collected cannot be recorded before the resident was told
    with pytest.raises(DomainError, match="Siap diambil"), db.write() as s:
        actions.record_collection(
            s, _actor(actors, notify.role), code, actions.CollectionInput(penerima="Budi")
        )
    told_at = at + timedelta(minutes=5)
    with db.write() as s:
        done = actions.complete_step(
            s, _actor(actors, notify.role), code, actions.CompleteInput(), now=told_at
        )
    assert done.status == CaseStatus.SELESAI
    assert done.message_key == "dokumen_selesai" and done.message is not None
    assert "sudah selesai" in done.message.text
    with db.read() as s:
        ready = ready_for_collection(s)
        assert [r.code for r in ready] == [code]
        assert ready[0].ready_at == told_at and ready[0].hand_over_default == "diambil"
        assert count_ready(s) == 1
        notice_kinds = [
            n.kind for n in s.execute(select(Notice).join(Case).where(Case.code == code)).scalars()
        ]
    assert "dokumen_selesai" in notice_kinds
    # the resident comes three days later
    with db.write() as s:
        got = actions.record_collection(
            s,
            _actor(actors, notify.role),
            code,
            actions.CollectionInput(penerima="Budi Hartono"),
            now=told_at + timedelta(days=3),
        )
    assert got.message_key == "dokumen_diambil" and got.message is not None
    assert "telah diambil oleh Budi Hartono" in got.message.text
    assert "dapat diambil" not in got.message.text
    with db.read() as s:
        assert ready_for_collection(s) == []
        case = s.execute(select(Case).where(Case.code == code)).scalar_one()
        assert case.finished_at == told_at  # the SOP's clock stopped when the resident was told
        # the kinerja/rekap figures count it on time, on the day it was told
        stat = s.execute(select(FinishDayStat).where(FinishDayStat.service == "KK")).scalar_one()
        assert (stat.day, stat.finished, stat.on_time) == (told_at.astimezone(WIB).date(), 1, 1)
        delivery = s.execute(select(Delivery).where(Delivery.case_id == case.id)).scalar_one()
        assert delivery.recipient == "Budi Hartono" and delivery.method == "diambil"
        assert s.get(AwaitingCollection, case.id) is None


def test_collection_by_pt_pos_with_resi(db: Database, actors: dict[str, Any]) -> None:
    sdef = services()["KIA"]
    notify = sdef.hand_over_step
    assert notify is not None and notify.notifies
    code = _receive(db, actors, "KIA")
    _carry_to(db, actors, code, "KIA", notify.no)
    with db.write() as s:
        actions.complete_step(s, _actor(actors, notify.role), code, actions.CompleteInput())
    with db.write() as s:
        got = actions.record_collection(
            s, _actor(actors, notify.role), code, actions.CollectionInput(resi="P2211000123")
        )
    assert got.message_key == "dikirim_pos" and got.message is not None
    assert "P2211000123" in got.message.text
    with db.read() as s:
        assert ready_for_collection(s) == []


def test_ktp_el_ships_through_pt_pos_at_its_step(db: Database, actors: dict[str, Any]) -> None:
    sdef = services()["KTP_EL"]
    step = sdef.hand_over_step
    assert step is not None and not step.notifies and sdef.hand_over_default == "pos"
    code = _receive(db, actors, "KTP_EL")
    _carry_to(db, actors, code, "KTP_EL", step.no)
    with pytest.raises(InputError, match="resi"), db.write() as s:
        actions.complete_step(s, _actor(actors, step.role), code, actions.CompleteInput())
    with db.write() as s:
        done = actions.complete_step(
            s, _actor(actors, step.role), code, actions.CompleteInput(resi="P2211000999")
        )
    assert done.status == CaseStatus.SELESAI
    assert done.message_key == "dikirim_pos" and done.message is not None
    assert "P2211000999" in done.message.text and "dapat diambil" not in done.message.text
    with db.read() as s:
        assert ready_for_collection(s) == []
        kinds = [
            n.kind for n in s.execute(select(Notice).join(Case).where(Case.code == code)).scalars()
        ]
    assert "dokumen_selesai" not in kinds and "dikirim_pos" in kinds


def test_return_resubmit_and_cancel(db: Database, actors: dict[str, Any]) -> None:
    sdef = services()["KK"]
    code = _receive(db, actors, "KK")
    _carry_to(db, actors, code, "KK", 3)
    kasi = _actor(actors, sdef.step(3).role)
    with db.write() as s:
        back = actions.return_to_step(
            s, kasi, code, actions.ReturnInput(to_step=2, reason="Nama ayah salah ketik")
        )
    assert back.kind == "back" and back.step == 2
    with db.write() as s:
        online = _actor(actors, "operator_online")
        code2 = actions.receive(
            s, online, actions.ReceiveInput(_data("KK"), finish_first_step=False)
        ).code
        ret = actions.return_to_pemohon(
            s, online, code2, actions.ReturnToPemohonInput(missing=["formulir_f102"])
        )
    assert ret.status == CaseStatus.MENUNGGU_PEMOHON and ret.message_key == "berkas_kurang"
    with db.write() as s:
        res = actions.resubmit(
            s, online, code2, actions.ResubmitInput(), roles=("operator_online",)
        )
    assert res.status == CaseStatus.PROSES and res.view is not None
    with pytest.raises(InputError), db.write() as s:
        actions.cancel(s, online, code2, actions.CancelInput(reason=" "))
    with db.write() as s:
        gone = actions.cancel(s, online, code2, actions.CancelInput(reason="Pemohon membatalkan"))
    assert gone.status == CaseStatus.BATAL


def test_close_simple_composes_the_answer(db: Database, actors: dict[str, Any]) -> None:
    sdef = next(d for d in services().values() if any(s.allows("close") for s in d.steps))
    close_at = next(s for s in sdef.steps if s.allows("close"))
    code = _receive(db, actors, sdef.code)
    _carry_to(db, actors, code, sdef.code, close_at.no)
    with db.write() as s:
        done = actions.close_simple(
            s,
            _actor(actors, close_at.role),
            code,
            actions.CloseInput(solusi="Data sudah diperbaiki di SIAK"),
        )
    assert done.status == CaseStatus.SELESAI
    assert done.message is not None and "Data sudah diperbaiki" in done.message.text


def test_the_suggested_message_fits_the_moment() -> None:
    from sipelayanan.services.messages import suggested_key

    kk, ktp = services()["KK"], services()["KTP_EL"]
    complaint = next(d for d in services().values() if d.is_complaint)
    notify = kk.hand_over_step
    assert notify is not None

    def key(sdef: Any, status: str, step: int = 1, method: str | None = None) -> str:
        return suggested_key(sdef, status=status, current_step=step, delivery_method=method)

    assert key(kk, CaseStatus.PROSES, 2) == "berkas_diterima"
    assert key(kk, CaseStatus.MENUNGGU_PEMOHON) == "berkas_kurang"
    assert key(kk, CaseStatus.PROSES, notify.no) == "dokumen_selesai"  # telling is the step
    assert key(kk, CaseStatus.SELESAI, notify.no) == "dokumen_selesai"  # told, not collected
    assert key(kk, CaseStatus.SELESAI, notify.no, "diambil") == "dokumen_diambil"
    assert key(kk, CaseStatus.SELESAI, notify.no, "pos") == "dikirim_pos"
    assert key(ktp, CaseStatus.SELESAI, ktp.last_step, "pos") == "dikirim_pos"
    assert key(ktp, CaseStatus.PROSES, ktp.last_step) == "berkas_diterima"  # no resi yet
    assert key(complaint, CaseStatus.SELESAI, complaint.last_step) == "pengaduan_dijawab"
