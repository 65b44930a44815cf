"""Report figures against the database: a month of real requests carried through the service
layer (finished, late, returned to the pemohon, corrected, cancelled, still open, complaints on
both paths, requests across the period's edges), then every count the rekap, register, kinerja
and pengaduan reports print is compared with an independent query and with the known story.

The helpers here are shared by the other report test files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import and_, distinct, func, or_, select

from sipelayanan.calendar import WIB
from sipelayanan.db import Database
from sipelayanan.demo import DEMO_USER_FOR_ROLE
from sipelayanan.models import Case, CaseStatus, CaseStep, RegisterEntry
from sipelayanan.reports.data import (
    Period,
    check_period,
    kinerja_data,
    pengaduan_rows,
    register_rows,
    rekap_data,
)
from sipelayanan.services import cases as svc
from sipelayanan.services.office import work_calendar
from sipelayanan.services.register import format_number
from sipelayanan.sop import services

ROLE_USER = DEMO_USER_FOR_ROLE  # who acts for each role
NIK = "1808015708900003"
NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))


def wib(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(date(y, m, d), time(hh, mm), WIB).astimezone(UTC)


def intake(
    db: Database,
    actors: dict[str, Any],
    service: str,
    at: datetime,
    *,
    nama: str = "Siti Aminah",
    kecamatan: str | None = "18.08.01",
    **kw: Any,
) -> str:
    sdef = services()[service]
    data = svc.IntakeData(
        service=service,
        nama=nama,
        nik=NIK if sdef.requires_nik else None,
        wa="0812-3456-7890",
        kecamatan=kecamatan,
        uraian="Data KK tidak sesuai dengan KTP-el." if service == "PENGADUAN" else None,
        **kw,
    )
    with db.write() as s:
        return svc.intake(s, actors[ROLE_USER[sdef.step(1).role]], data, now=at).code


def step_fields(step: Any, resi: str = "P2211000123") -> dict[str, str]:
    kw: dict[str, str] = {}
    if "nomor_dokumen" in step.records:
        kw["nomor_dokumen"] = "1808-0001234"
    if "penyerahan" in step.records:
        kw["resi"] = resi
    return kw


def run(
    db: Database,
    actors: dict[str, Any],
    code: str,
    at: datetime,
    *,
    minutes: Callable[[int, int], float] | None = None,
    until: int | None = None,
    solusi: str | None = None,
) -> datetime:
    """Advance the request step by step (``minutes(step_no, standard)`` working minutes each,
    the SOP's standard by default) until it finishes or reaches step ``until``."""
    with db.read() as s:
        cal = work_calendar(s)
    while True:
        with db.write() as s:  # one transaction per step: look, then act
            case = svc.load_case(s, code)
            if case.status != CaseStatus.PROSES or (
                until is not None and case.current_step >= until
            ):
                return at
            step = svc.definition_for(s, case).step(case.current_step)
            m = minutes(step.no, step.minutes) if minutes else step.minutes
            at = cal.add_working_minutes(cal.next_opening(at), m)
            kw: dict[str, Any] = step_fields(step)
            if solusi and step.no >= 6:
                kw["solusi"] = solusi
            svc.advance(s, actors[ROLE_USER[step.role]], code, now=at, **kw)


@dataclass
class Story:
    codes: dict[str, str]  # letter -> tracking code


def build_november(db: Database, actors: dict[str, Any]) -> Story:
    """The month every report test looks at (see the module docstring)."""
    codes: dict[str, str] = {}
    with db.read() as s:
        cal = work_calendar(s)

    # A: KK, every step at its mutu baku, shipped by PT POS.
    codes["A"] = intake(db, actors, "KK", wib(2026, 11, 17, 8), nama="Ahmad Fauzi")
    run(db, actors, codes["A"], wib(2026, 11, 17, 8))
    # B: KTP-el, every step three times its mutu baku, still within the day.
    codes["B"] = intake(db, actors, "KTP_EL", wib(2026, 11, 17, 9), kecamatan="18.08.02")
    run(db, actors, codes["B"], wib(2026, 11, 17, 9), minutes=lambda _n, m: 3 * m)
    # C: Akta Kelahiran returned to the pemohon at step 2, completed the next day.
    codes["C"] = intake(db, actors, "AKTA_LAHIR", wib(2026, 11, 18, 8), kecamatan="18.08.03")
    at = run(db, actors, codes["C"], wib(2026, 11, 18, 8), until=2)
    at = cal.add_working_minutes(at, 6)
    with db.write() as s:
        svc.return_to_pemohon(
            s, actors["online"], codes["C"], missing=["Fotokopi KK yang terbaca"], now=at
        )
    with db.write() as s:
        svc.resubmit(s, actors["online"], codes["C"], now=wib(2026, 11, 19, 8))
    run(db, actors, codes["C"], wib(2026, 11, 19, 8))
    # D: KIA cancelled at step 3.
    codes["D"] = intake(db, actors, "KIA", wib(2026, 11, 19, 8), kecamatan=None)
    at = run(db, actors, codes["D"], wib(2026, 11, 19, 8), until=3)
    with db.write() as s:
        svc.cancel(
            s,
            actors["kasi"],
            codes["D"],
            reason="Pemohon membatalkan.",
            now=at + timedelta(minutes=3),
        )
    # E: SKPWNI still at step 3 when the month ends.
    codes["E"] = intake(db, actors, "SKPWNI", wib(2026, 11, 20, 8))
    run(db, actors, codes["E"], wib(2026, 11, 20, 8), until=3)
    # F: complaint solved on the simple path.
    codes["F"] = intake(db, actors, "PENGADUAN", wib(2026, 11, 23, 8), nama="Budi Pelapor")
    at = run(db, actors, codes["F"], wib(2026, 11, 23, 8), until=3)
    with db.write() as s:
        svc.close_simple(
            s,
            actors["aduan"],
            codes["F"],
            solusi="Data sudah diperbaiki di SIAK.",
            now=at + timedelta(minutes=9),
        )
    # G: complaint escalated to the Pejabat Pengelola Pengaduan.
    codes["G"] = intake(db, actors, "PENGADUAN", wib(2026, 11, 24, 8), nama="Citra Pelapor")
    run(
        db,
        actors,
        codes["G"],
        wib(2026, 11, 24, 8),
        solusi="Tim menetapkan perbaikan biodata melalui SIAK.",
    )
    # H: KK whose step 2 takes 600 working minutes: finished late.
    codes["H"] = intake(db, actors, "KK", wib(2026, 11, 10, 8), kecamatan="18.08.02")
    run(db, actors, codes["H"], wib(2026, 11, 10, 8), minutes=lambda n, m: 600 if n == 2 else m)
    # I: KK received on Friday 30 October, finished on Monday 2 November.
    codes["I"] = intake(db, actors, "KK", wib(2026, 10, 30, 15))
    run(db, actors, codes["I"], wib(2026, 10, 30, 15), minutes=lambda n, m: 300 if n == 2 else m)
    # J: KTP-el received at 06:00 WIB on 1 December (still 30 November in UTC).
    codes["J"] = intake(db, actors, "KTP_EL", wib(2026, 12, 1, 6))
    # K: KK corrected once by the Kasi (back to step 2), then finished.
    codes["K"] = intake(db, actors, "KK", wib(2026, 11, 25, 8), kecamatan="18.08.05")
    at = run(db, actors, codes["K"], wib(2026, 11, 25, 8), until=3)
    at = cal.add_working_minutes(at, 5)
    with db.write() as s:
        svc.return_to_step(
            s, actors["kasi"], codes["K"], to_step=2, reason="Ejaan nama ibu salah.", now=at
        )
    run(db, actors, codes["K"], at)
    return Story(codes)


def _between(column: Any, period: Period) -> Any:
    return and_(column >= period.start, column < period.end)


# --------------------------------------------------------------------------- tests


def test_period_checks() -> None:
    from sipelayanan.errors import InputError

    assert check_period(date(2026, 11, 1), date(2026, 11, 30)).days == 30
    with pytest.raises(InputError, match="sesudah tanggal akhir"):
        check_period(date(2026, 12, 1), date(2026, 11, 1))
    with pytest.raises(InputError, match="paling panjang"):
        check_period(date(2010, 1, 1), date(2026, 1, 1))
    with pytest.raises(InputError, match="wajib diisi"):
        check_period(None, date(2026, 1, 1))
    # the period is whole WIB days: 1 November 00:00 WIB is 31 October 17:00 UTC
    assert NOVEMBER.start == datetime(2026, 10, 31, 17, 0, tzinfo=UTC)
    assert NOVEMBER.end == datetime(2026, 11, 30, 17, 0, tzinfo=UTC)


def db_counts(s: Any, period: Period) -> dict[str, dict[str, int]]:
    """The rekap's figures per service, each by its own plain query (not the report code)."""

    def per_service(*where: Any, count: Any = None, join: bool = False) -> dict[str, int]:
        stmt = select(Case.service, count if count is not None else func.count())
        if join:
            stmt = stmt.join(CaseStep, CaseStep.case_id == Case.id)
        return dict(s.execute(stmt.where(*where).group_by(Case.service)).all())

    done = (Case.status == CaseStatus.SELESAI, _between(Case.finished_at, period))
    return {
        "diterima": per_service(_between(Case.received_at, period)),
        "selesai": per_service(*done),
        "tepat_waktu": per_service(*done, Case.finished_at <= Case.due_at),
        "dibatalkan": per_service(
            Case.status == CaseStatus.BATAL, _between(Case.finished_at, period)
        ),
        "dikembalikan": per_service(
            CaseStep.action == "kembali_pemohon",
            _between(CaseStep.ended_at, period),
            count=func.count(distinct(Case.id)),
            join=True,
        ),
        "dalam_proses": per_service(
            Case.received_at < period.end,
            or_(Case.finished_at.is_(None), Case.finished_at >= period.end),
        ),
    }


def test_rekap_counts_equal_database_counts(db: Database, actors: dict[str, Any]) -> None:
    build_november(db, actors)
    with db.read() as s:
        data = rekap_data(s, NOVEMBER, None)
        expected = db_counts(s, NOVEMBER)
        by_kecamatan = dict(
            s.execute(
                select(Case.kecamatan, func.count())
                .where(_between(Case.received_at, NOVEMBER))
                .group_by(Case.kecamatan)
            ).all()
        )
    for code in services():
        for name, counts in expected.items():
            assert getattr(data.per_service[code], name) == counts.get(code, 0), (code, name)
    for kec, n in by_kecamatan.items():
        assert sum(data.per_kecamatan[kec or ""].values()) == n
    assert sum(b[1] for b in data.buckets) == data.total.diterima
    assert sum(b[2] for b in data.buckets) == data.total.selesai
    # and the story itself: 9 received in November (I came in October, J in December), ...
    t = data.total
    assert (t.diterima, t.selesai, t.tepat_waktu, t.dikembalikan, t.dibatalkan, t.dalam_proses) == (
        9,
        8,
        7,
        1,
        1,
        1,
    )
    kk = data.per_service["KK"]
    assert (kk.diterima, kk.selesai, kk.tepat_waktu) == (3, 4, 3)
    assert data.per_service["SKPWNI"].dalam_proses == 1
    assert data.per_kecamatan[""]["KIA"] == 1  # D has no kecamatan recorded
    assert len(data.buckets) == 30 and not data.monthly
    assert data.buckets[16][0] == date(2026, 11, 17) and data.buckets[16][1] == 2  # A and B


def test_register_and_pengaduan_rows(db: Database, actors: dict[str, Any]) -> None:
    story = build_november(db, actors)
    with db.read() as s:
        rows = register_rows(s, NOVEMBER, None)
        entries = s.execute(
            select(RegisterEntry.service, RegisterEntry.year, RegisterEntry.number, Case.code)
            .join(Case, Case.id == RegisterEntry.case_id)
            .where(_between(RegisterEntry.assigned_at, NOVEMBER))
        ).all()
        only_kk = register_rows(s, NOVEMBER, "KK")
    assert {(r.number, r.code) for r in rows} == {
        (format_number(e[0], e[1], e[2]), e[3]) for e in entries
    }
    # A, H, I, K (KK), B (KTP-el), C (Akta), F, G (complaints): D was cancelled before its
    # register step, E has not reached it, J came in December.
    letters = {v: k for k, v in story.codes.items()}
    assert sorted(letters[r.code] for r in rows) == list("ABCFGHIK")
    # numbered in the order the register step was done (this test did A first)
    assert [letters[r.code] for r in only_kk] == ["A", "H", "I", "K"]
    assert [r.number for r in only_kk] == [f"0000{i}/KK/2026" for i in (1, 2, 3, 4)]
    a = next(r for r in rows if r.code == story.codes["A"])
    assert a.nomor_dokumen == "1808-0001234" and a.delivery_method == "pos"
    assert a.resi == "P2211000123" and a.officer == "Budi Santoso"

    with db.read() as s:
        complaints = pengaduan_rows(s, NOVEMBER)
    by_code = {r.code: r for r in complaints}
    assert set(by_code) == {story.codes["F"], story.codes["G"]}
    f, g = by_code[story.codes["F"]], by_code[story.codes["G"]]
    assert f.closed_path == "sederhana" and f.solusi == "Data sudah diperbaiki di SIAK."
    assert g.closed_path == "eskalasi"
    assert g.solusi == "Tim menetapkan perbaikan biodata melalui SIAK."
    assert f.register_number == "00001/PENGADUAN/2026"
    assert f.working_minutes == pytest.approx(5 + 5 + 9)
    assert g.working_minutes == pytest.approx(services()["PENGADUAN"].total_minutes)
    assert g.handled_by == "Dewi Lestari"


def test_kinerja_medians_and_standards(db: Database, actors: dict[str, Any]) -> None:
    build_november(db, actors)
    with db.read() as s:
        data = kinerja_data(s, NOVEMBER, None)
    kk = data.per_service["KK"]
    assert (kk.selesai, kk.tepat_waktu) == (4, 3)  # H was late
    steps = {(st.service, st.step_no): st for st in data.steps}
    # KK step 2 was done five times in November: A 10, H 600, I 300 (ended 2 Nov), K 10 + 10
    kk2 = steps[("KK", 2)]
    assert (kk2.completed, kk2.over_standard, kk2.standard_minutes) == (5, 2, 10)
    assert kk2.median_minutes == pytest.approx(10.0)
    assert kk2.p90_minutes == pytest.approx(300 + 0.6 * (600 - 300))
    kk3 = steps[("KK", 3)]
    assert (kk3.completed, kk3.returned) == (4, 1)  # K's first visit went back to step 2
    # every KTP-el step took three times its standard
    for no in (1, 2, 3, 4):
        st = steps[("KTP_EL", no)]
        assert st.completed == 1 and st.over_standard == 1
        assert st.median_minutes == pytest.approx(3 * st.standard_minutes)
    assert data.per_service["KTP_EL"].tepat_waktu == 1
    # the ranking puts steps over their standard first (at least 3 visits), KK step 2 among
    # them; rarely seen steps only count when nothing else qualifies
    assert data.worst and all(w.over_standard for w in data.worst)
    assert ("KK", 2) in {(w.service, w.step_no) for w in data.worst}
    assert all(w.completed >= 3 for w in data.worst)
