"""Complaints as Perpres 76/2013 and SP4N-LAPOR! manage them (services.complaints), on both
engines: registration with its details (the berkas received with it), the step forms declared
in the SOP file, the escalation summary handed on without retyping, the pelapor's identity per
role and when confidential, the 60-day limit, and the recap against independent queries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from sipelayanan.db import Database
from sipelayanan.errors import ConflictError, InputError
from sipelayanan.models import Case, CaseStatus, ComplaintDetail
from sipelayanan.services import cases as svc
from sipelayanan.services import complaints as core
from sipelayanan.services.complaints import ComplaintAction, ComplaintFacts, NewComplaint
from sipelayanan.services.pelapor import HIDDEN, complaint_roles
from sipelayanan.services.queries import case_view, search, search_rows_by_ids
from sipelayanan.sop import SopError, load_service_file, services
from sipelayanan.sop.forms import forms_of

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 09:00 WIB


def _new(
    db: Database,
    actors: dict[str, Any],
    *,
    nama: str = "Pelapor Satu",
    at: datetime = T0,
    berkas: bool = True,
    **facts: Any,
) -> core.Registered:
    with db.write() as s:
        return core.register(
            s,
            actors["aduan"],
            NewComplaint(
                nama=nama,
                wa="0812-3456-7890",
                uraian="KK belum terbit.",
                berkas_present=berkas,
                facts=ComplaintFacts(**facts),
            ),
            now=at,
        )


def _act(db: Database, actors: dict[str, Any], user: str, code: str, at: datetime, **kw: Any):
    with db.read() as s:
        view = case_view(s, code)
    with db.write() as s:
        return core.act(
            s,
            actors[user],
            code,
            ComplaintAction(expected_version=view.version, expected_step=view.current_step, **kw),
            now=at,
        )


def test_register_receives_the_berkas_once_and_keeps_the_details(
    db: Database, actors: dict[str, Any]
) -> None:
    done = _new(db, actors, channel="lapor", lapor_number="#LAP-2026-001", concerns="kk")
    assert done.steps_done == 1 and done.ref.current_step == 2  # Terima berkas: not asked again
    with db.read() as s:
        row = s.get(ComplaintDetail, done.ref.id)
        assert row is not None
        assert (row.channel, row.lapor_number, row.classification, row.concerns, row.rahasia) == (
            "lapor",
            "LAP-2026-001",
            "pengaduan",
            "KK",
            False,
        )
        view = case_view(s, done.ref.code)
    assert [(h.step_no, h.username) for h in view.history] == [(1, "aduan")]

    without = _new(db, actors, berkas=False)  # the berkas follows later: step 1 waits for it
    assert without.steps_done == 0 and without.ref.current_step == 1

    before = _count(db)
    for facts, field in (
        ({"channel": "lapor"}, "lapor_number"),  # from LAPOR! without its number
        ({"channel": "surat", "lapor_number": "12345"}, "lapor_number"),
        ({"channel": "telepon"}, "channel"),
        ({"classification": "keluhan"}, "classification"),
        ({"concerns": "PENGADUAN"}, "concerns"),  # a complaint is not about the complaint SOP
        ({"lapor_number": "x"}, "lapor_number"),
    ):
        with pytest.raises(InputError) as err:
            _new(db, actors, **facts)
        assert err.value.field == field, facts
    assert _count(db) == before  # nothing written by a refused registration


def _count(db: Database) -> int:
    with db.read() as s:
        return int(s.execute(select(func.count()).select_from(Case)).scalar_one())


def test_forms_come_from_the_sop_file(tmp_path: Path) -> None:
    sdef = services()[core.complaint_service().code]
    forms = forms_of(sdef)
    first = forms.at_registration()
    assert first is not None and first.step_no == sdef.steps[0].no
    # every step of the shipped complaint SOP declares its form; escalation records the summary
    assert all(forms.of_step(s.no) for s in sdef.steps)
    escalate = next(f for f in forms.forms.values() if f.key == "escalate")
    assert escalate.records == "ringkasan" and escalate.required
    handed_on = forms.get(escalate.step_no + 1, "next")
    assert handed_on is not None and handed_on.prefill == "ringkasan" and not handed_on.required

    # a broken form stops the load naming file and line
    source = Path(__file__).parents[2] / "resources" / "sop" / f"{sdef.code}.toml"
    text = source.read_text(encoding="utf-8")
    bad = text.replace(
        'records = "ringkasan"\nlabel = "Alasan', 'records = "alasan"\nlabel = "Alasan'
    )
    assert bad != text
    path = tmp_path / source.name
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(SopError) as err:
        load_service_file(path)
    assert str(path) in str(err.value) and "records" in str(err.value)
    lines = bad.splitlines()
    assert err.value.line is not None
    assert lines[err.value.line - 1] == "[steps.forms.next]"  # the escalation form's header
    assert lines[err.value.line] == 'key = "escalate"'


def test_escalation_summary_is_handed_on_not_retyped(db: Database, actors: dict[str, Any]) -> None:
    code = _new(db, actors).ref.code
    t = T0 + timedelta(minutes=5)
    _act(db, actors, "aduan", code, t, move="next", text="Analisa: data ganda.")
    with pytest.raises(InputError, match="wajib diisi"):  # escalation needs its reason
        _act(db, actors, "aduan", code, t, move="next", text="  ")
    _act(db, actors, "aduan", code, t, move="next", text="Perlu keputusan soal data ganda.")
    with db.read() as s:
        loaded = core.load(s, code, ["petugas_aduan"], now=t)
    (report,) = loaded.forms
    assert report.prefill == "Perlu keputusan soal data ganda." and not report.text_required
    assert loaded.info.ringkasan == "Perlu keputusan soal data ganda."
    _act(db, actors, "aduan", code, t, move="next", text=report.prefill)
    with db.read() as s:
        tim = core.load(s, code, ["tim_aduan"], now=t)
        pejabat = core.load(s, code, ["pejabat_aduan"], now=t)
    assert tim.forms == () and tim.with_note and "Tim Penjawab Aduan" in tim.with_note
    assert [f.key for f in pejabat.forms] == ["solusi_tim"]
    assert pejabat.info.ringkasan == "Perlu keputusan soal data ganda."
    notes = [h.note for h in pejabat.view.history]
    assert notes.count("Perlu keputusan soal data ganda.") == 1  # written once, not twice


def test_tick_and_advance_in_one_unit_under_the_version(
    db: Database, actors: dict[str, Any]
) -> None:
    code = _new(db, actors, berkas=False).ref.code
    with db.read() as s:
        view = case_view(s, code)
    with db.write() as s:  # meanwhile another PC writes a note on the same complaint
        svc.update_checklist(s, actors["aduan"], code, present=[], expected_version=view.version)
    stale = ComplaintAction(
        move="next",
        ticked=("berkas_permasalahan",),
        expected_version=view.version,
        expected_step=view.current_step,
    )
    with pytest.raises(ConflictError), db.write() as s:
        core.act(s, actors["aduan"], code, stale)
    with db.read() as s:
        again = case_view(s, code)
    assert again.current_step == view.current_step
    assert [c.present for c in again.checklist] == [False]  # the tick rolled back with the move
    ref = _act(db, actors, "aduan", code, T0, move="next", ticked=("berkas_permasalahan",))
    assert ref.current_step == view.current_step + 1


def test_pelapor_identity_per_role_and_when_confidential(
    db: Database, actors: dict[str, Any]
) -> None:
    open_ = _new(db, actors, nama="Rahmat Terbuka").ref
    secret = _new(db, actors, nama="Rahmat Rahasia", rahasia=True).ref
    kk = svc.IntakeData(
        service="KK", nama="Rahmat Pemohon", wa="0812-1111-2222", nik="1808014506900001"
    )
    with db.write() as s:
        svc.intake(s, actors["online"], kk, now=T0)
    aduan_roles = sorted(complaint_roles())
    assert {"petugas_aduan", "pejabat_aduan", "tim_aduan"} <= set(aduan_roles)
    with db.read() as s:
        for roles, shown in ((["kasi"], False), (["operator"], False), (["tim_aduan"], True)):
            view = case_view(s, open_.code, roles=roles)
            assert (view.pemohon_nama == "Rahmat Terbuka") is shown, roles
            assert (view.pemohon_nama == HIDDEN) is (not shown)
            assert (view.wa == "") is (not shown)
        # search: a KK pemohon is never hidden; complaints only for the complaint roles, and a
        # confidential pelapor for nobody
        names = {r.code: r.pemohon_nama for r in search(s, "rahmat", roles=["kasi"])}
        assert names[open_.code] == HIDDEN and names[secret.code] == HIDDEN
        assert "Rahmat Pemohon" in names.values()
        names = {r.code: r.pemohon_nama for r in search(s, "rahmat", roles=aduan_roles)}
        assert names[open_.code] == "Rahmat Terbuka" and names[secret.code] == HIDDEN
        names = {r.code: r.pemohon_nama for r in search(s, "rahmat")}  # no roles: hidden
        assert names[open_.code] == HIDDEN
        # the rows a list refetches by id (its cache evicted them) hide the same way
        ids = {r.code: r.id for r in search(s, "rahmat", roles=aduan_roles)}
        again = {r.code: r.pemohon_nama for r in search_rows_by_ids(s, list(ids.values()))}
        assert again[open_.code] == HIDDEN and "Rahmat Pemohon" in again.values()
        again = {
            r.code: r.pemohon_nama
            for r in search_rows_by_ids(s, list(ids.values()), roles=aduan_roles)
        }
        assert again[open_.code] == "Rahmat Terbuka" and again[secret.code] == HIDDEN
        rows = {r.code: r for r in core.list_complaints(s, core.SCOPE_OPEN, aduan_roles)}
        assert rows[open_.code].pelapor == "Rahmat Terbuka"
        assert rows[secret.code].pelapor == HIDDEN
        loaded = core.load(s, secret.code, ["petugas_aduan"])  # the one who must answer
        assert loaded.view.pemohon_nama == "Rahmat Rahasia" and loaded.info.rahasia


def test_sixty_day_limit_counted(db: Database, actors: dict[str, Any]) -> None:
    received = datetime(2026, 3, 2, 16, 30, tzinfo=UTC)  # 23:30 WIB on 2 March
    late = _new(db, actors, at=received).ref.code
    quick = _new(db, actors, at=received).ref.code
    limit = date(2026, 3, 2) + timedelta(days=60)  # counted from the WIB day of receipt
    with db.read() as s:
        rows = {r.code: r for r in core.list_complaints(s, core.SCOPE_OPEN, ["petugas_aduan"])}
    assert rows[late].settle_by == limit == date(2026, 5, 1)
    day59 = datetime(2026, 4, 30, 23, 0, tzinfo=UTC)  # 1 May 06:00 WIB: the last day
    day61 = datetime(2026, 5, 1, 17, 30, tzinfo=UTC)  # 2 May 00:30 WIB: one day past
    with db.read() as s:
        assert not any(r.overdue for r in core.list_complaints(s, "terbuka", [], now=day59))
        overdue = {r.code for r in core.list_complaints(s, "terbuka", [], now=day61) if r.overdue}
    assert overdue == {late, quick}
    _act(db, actors, "aduan", quick, received, move="next", text="")
    _act(db, actors, "aduan", quick, day59, move="close", text="Dijelaskan.")
    _act(db, actors, "aduan", late, received, move="next", text="")
    _act(db, actors, "aduan", late, day61, move="close", text="Selesai terlambat.")
    with db.read() as s:
        q = core.load(s, quick, ["petugas_aduan"], now=day61).info
        lt = core.load(s, late, ["petugas_aduan"], now=day61).info
    assert (q.settled_days, q.overdue) == (60, False)
    assert (lt.settled_days, lt.overdue) == (61, True)


def test_recap_equals_independent_queries(db: Database, actors: dict[str, Any]) -> None:
    spec = [
        ("whatsapp", "pengaduan", "KK", 0, True),
        ("lapor", "pengaduan", "KTP_EL", 3, True),
        ("lapor", "aspirasi", None, 70, True),
        ("surat", "informasi", "KK", None, False),
        ("medsos", "pengaduan", "AKTA_LAHIR", 10, False),
        ("langsung", "aspirasi", "KK", None, True),
    ]
    for i, (channel, cls, concerns, settle, _b) in enumerate(spec):
        at = T0 + timedelta(days=i * 9)  # March and April
        ref = _new(
            db,
            actors,
            at=at,
            channel=channel,
            classification=cls,
            concerns=concerns,
            lapor_number=f"LAP-{i:04d}" if channel == "lapor" else None,
        ).ref
        if settle is not None:
            _act(db, actors, "aduan", ref.code, at, move="next", text="")
            done = at + timedelta(days=settle)
            _act(db, actors, "aduan", ref.code, done, move="close", text="Sudah diselesaikan.")
    outside = _new(db, actors, at=T0 - timedelta(days=40)).ref.code  # January: not counted
    now = T0 + timedelta(days=120)
    with db.read() as s:
        recap = core.recap(s, date(2026, 3, 1), date(2026, 4, 30), now=now)
        start = datetime(2026, 2, 28, 17, 0, tzinfo=UTC)
        end = datetime(2026, 4, 30, 17, 0, tzinfo=UTC)
        base = (
            select(func.count())
            .select_from(Case)
            .join(ComplaintDetail, ComplaintDetail.case_id == Case.id)
            .where(Case.received_at >= start, Case.received_at < end)
        )

        def count(*where: Any) -> int:
            return int(s.execute(base.where(*where)).scalar_one())

        assert recap.total.received == count() == 6
        assert outside not in {r.code for r in recap.records}
        for line in recap.by_class:
            assert line.received == count(ComplaintDetail.classification == line.key), line
            assert line.settled == count(
                ComplaintDetail.classification == line.key, Case.status == CaseStatus.SELESAI
            )
        for line in recap.by_channel:
            assert line.received == count(ComplaintDetail.channel == line.key), line
        for line in recap.by_concerns:
            where = (
                ComplaintDetail.concerns == line.key
                if line.key
                else ComplaintDetail.concerns.is_(None)
            )
            assert line.received == count(where), line
        assert sum(line.received for line in recap.by_month) == 6
        finished = s.execute(
            select(Case.received_at, Case.finished_at)
            .join(ComplaintDetail, ComplaintDetail.case_id == Case.id)
            .where(Case.received_at >= start, Case.received_at < end, Case.finished_at.is_not(None))
        ).all()
    days = sorted(core.settle_days(r, f) for r, f in finished)
    assert days == [0, 3, 10, 70]
    assert recap.total.settled == 4 and recap.total.settled_in_limit == 3
    assert dict(recap.settle_bands) == {
        "≤ 1 hari": 1,
        "2–7 hari": 1,
        "8–30 hari": 1,
        "31–60 hari": 0,
        "> 60 hari": 1,
    }
    assert recap.total.open == 2 and recap.total.open_overdue == 2  # 120 days on: both late
    assert [line.label for line in recap.by_month] == ["Maret 2026", "April 2026"]


def test_recap_refuses_a_reversed_period(db: Database) -> None:
    with db.read() as s, pytest.raises(InputError):
        core.recap(s, date(2026, 4, 1), date(2026, 3, 1))


def test_messages_and_receipt_point_to_the_complaints_number(
    db: Database, actors: dict[str, Any]
) -> None:
    from sipelayanan.reports import qr_content
    from sipelayanan.services.messages import render_message
    from sipelayanan.services.office import get_profile, save_profile

    code = _new(db, actors).ref.code
    with db.write() as s:
        profile = get_profile(s)
        profile.wa_numbers = {"KK": "0811-7961-500"}  # only a service line is set
        save_profile(s, profile, actor=actors["admin"])
    with db.read() as s:
        text = render_message(s, "berkas_diterima", code).text
    assert "0811-7961-500" not in text  # never the KK line
    with db.write() as s, pytest.raises(InputError, match="pengaduan belum diatur"):
        qr_content(s, code)
    with db.write() as s:
        profile = get_profile(s)
        profile.wa_numbers = {"KK": "0811-7961-500", code_service(): "0811-7961-900"}
        save_profile(s, profile, actor=actors["admin"])
    with db.read() as s:
        text = render_message(s, "berkas_diterima", code).text
    assert "0811-7961-900" in text and "0811-7961-500" not in text
    with db.write() as s:
        assert qr_content(s, code).startswith("https://wa.me/628117961900?text=STATUS%20")


def code_service() -> str:
    return core.complaint_service().code


def test_summary_of_an_escalation_made_elsewhere_is_read_from_its_note(
    db: Database, actors: dict[str, Any]
) -> None:
    code = _new(db, actors).ref.code
    with db.write() as s:  # the request window / the CLI: plain advances with a note
        svc.advance(s, actors["aduan"], code, note="Analisa.")
        svc.advance(s, actors["aduan"], code, note="Butuh keputusan pejabat.")
    with db.read() as s:
        loaded = core.load(s, code, ["petugas_aduan"])
    assert loaded.info.ringkasan == "Butuh keputusan pejabat."
    assert [f.prefill for f in loaded.forms] == ["Butuh keputusan pejabat."]

    simple = _new(db, actors).ref.code
    with db.write() as s:
        svc.advance(s, actors["aduan"], simple)
        svc.close_simple(s, actors["aduan"], simple, solusi="Dijelaskan langsung.")
    with db.read() as s:
        assert core.load(s, simple, ["petugas_aduan"]).info.ringkasan is None  # not escalated
