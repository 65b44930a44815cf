"""What a typed NIK tells the intake form (issue 12.12): the kecamatan and the conditions its
SOP decides from the holder's age."""

from __future__ import annotations

from datetime import date

from sipelayanan.identity import kecamatan_way_kanan
from sipelayanan.prefill import from_nik
from sipelayanan.sop import services

TODAY = date(2026, 11, 26)


def _nik(kec: str, born: date, female: bool = False) -> str:
    day = born.day + (40 if female else 0)
    return f"{kec}{day:02d}{born.month:02d}{born.year % 100:02d}0001"


def test_kecamatan_from_a_way_kanan_nik() -> None:
    for kode, _nama in kecamatan_way_kanan():
        digits = kode.replace(".", "")
        got = from_nik(services()["KK"], _nik(digits, date(1990, 8, 17), True), today=TODAY)
        assert got is not None and got.kecamatan == kode
    outside = from_nik(services()["KK"], _nik("317101", date(1990, 8, 17)), today=TODAY)
    assert outside is not None and outside.kecamatan is None  # Jakarta: left to the clerk
    assert from_nik(services()["KK"], "1808", today=TODAY) is None  # not a NIK yet


def test_kia_age_condition_from_the_childs_birth_date() -> None:
    kia = services()["KIA"]
    turned_five_today = from_nik(kia, _nik("180801", date(2021, 11, 26)), today=TODAY)
    five_tomorrow = from_nik(kia, _nik("180801", date(2021, 11, 27)), today=TODAY)
    baby = from_nik(kia, _nik("180801", date(2025, 1, 3), True), today=TODAY)
    assert turned_five_today is not None and five_tomorrow is not None and baby is not None
    assert turned_five_today.conditions_hold == {"anak_lebih_5_tahun"}
    assert five_tomorrow.conditions_not_hold == {"anak_lebih_5_tahun"}
    assert baby.conditions_hold == frozenset() and baby.conditions_not_hold == {
        "anak_lebih_5_tahun"
    }
    # services whose conditions do not depend on the age are left alone
    kk = from_nik(services()["KK"], _nik("180801", date(2021, 11, 26)), today=TODAY)
    assert kk is not None and kk.conditions_hold == kk.conditions_not_hold == frozenset()
