"""Tests for sipelayanan.identity: region table, NIK, Nomor KK, WhatsApp, tracking codes."""

from __future__ import annotations

import random
import re
import string
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sipelayanan.identity import (
    TRACKING_ALPHABET,
    WILAYAH_VERSION,
    NikInfo,
    Region,
    ValidationError,
    extract_tracking_code,
    format_tracking_code,
    kecamatan_name,
    kecamatan_way_kanan,
    mask_nik,
    new_tracking_code,
    normalize_nik,
    normalize_no_kk,
    normalize_tracking_code,
    normalize_wa,
    parse_nik,
    region,
    wa_digits,
    wa_search_key,
)
from sipelayanan.resources import resource_path

TODAY = date(2025, 7, 1)


def _regency_codes() -> list[str]:
    lines = resource_path("wilayah", "provinsi_kabupaten.csv").read_text("utf-8").splitlines()
    return [line.split(",")[0] for line in lines[1:] if re.match(r"\d\d\.\d\d,", line)]


REGENCY_CODES = _regency_codes()


def _nik(regency: str, kec: str, day: int, month: int, yy: int, seq: str, *, female: bool) -> str:
    dd = day + 40 if female else day
    return f"{regency.replace('.', '')}{kec}{dd:02d}{month:02d}{yy:02d}{seq}"


# --------------------------------------------------------------------------------------------
# Regions
# --------------------------------------------------------------------------------------------


def test_wilayah_version() -> None:
    assert WILAYAH_VERSION == "2025.1"


def test_region_lookup() -> None:
    assert region("18") == Region("18", "Lampung", "current")
    way_kanan = region("18.08")
    assert way_kanan is not None
    assert way_kanan.nama == "Kabupaten Way Kanan"
    assert way_kanan.status == "current"
    assert region("1808") == way_kanan
    assert region("99") is None
    assert region("18.99") is None
    assert region("") is None
    assert region("garbage") is None


def test_region_old_papua_code_kept() -> None:
    merauke = region("91.01")
    assert merauke is not None
    assert merauke.status != "current"
    assert "MERAUKE" in merauke.nama.upper()


def test_kecamatan_way_kanan() -> None:
    rows = kecamatan_way_kanan()
    assert len(rows) == 15
    assert rows[0] == ("18.08.01", "Blambangan Umpu")
    assert [kode for kode, _ in rows] == [f"18.08.{i:02d}" for i in range(1, 16)]
    rows.clear()  # a copy: the next call is unaffected
    assert len(kecamatan_way_kanan()) == 15


def test_kecamatan_name() -> None:
    assert kecamatan_name("18.08.01") == "Blambangan Umpu"
    assert kecamatan_name("180802") == "Kasui"
    assert kecamatan_name("18.08.15") == "Umpu Semenguk"
    assert kecamatan_name("18.08.16") is None
    assert kecamatan_name("18.07.01") is None
    assert kecamatan_name("") is None


# --------------------------------------------------------------------------------------------
# NIK
# --------------------------------------------------------------------------------------------


def test_parse_nik_female() -> None:
    info = parse_nik("1808014501950001", today=TODAY)
    assert isinstance(info, NikInfo)
    assert info.nik == "1808014501950001"
    assert info.province.kode == "18"
    assert info.regency.kode == "18.08"
    assert info.birth_date == date(1995, 1, 5)
    assert info.sex == "P"
    assert info.kecamatan_code == "18.08.01"


def test_parse_nik_male_with_separators() -> None:
    info = parse_nik(" 18.08.04 - 150603 0012 ", today=TODAY)
    assert info.nik == "1808041506030012"
    assert info.birth_date == date(2003, 6, 15)
    assert info.sex == "L"
    assert info.kecamatan_code == "18.08.04"


def test_parse_nik_century_choice() -> None:
    nik = "1808011506250001"  # 15-06-25
    assert parse_nik(nik, today=date(2025, 7, 1)).birth_date == date(2025, 6, 15)
    assert parse_nik(nik, today=date(2025, 6, 15)).birth_date == date(2025, 6, 15)
    assert parse_nik(nik, today=date(2025, 6, 14)).birth_date == date(1925, 6, 15)
    assert parse_nik("1808012912000001", today=TODAY).birth_date == date(2000, 12, 29)
    assert parse_nik("1808016902000001", today=TODAY).birth_date == date(2000, 2, 29)


def test_parse_nik_future_date() -> None:
    with pytest.raises(
        ValidationError, match=r"^Tanggal lahir pada NIK \(15-06-25\) berada di masa depan\.$"
    ):
        parse_nik("1808011506250001", today=date(1920, 1, 1))


def test_parse_nik_old_papua_code_passes() -> None:
    info = parse_nik("9101011001800001", today=TODAY)
    assert info.regency.kode == "91.01"
    assert info.regency.status != "current"
    assert info.province.kode == "91"


@pytest.mark.parametrize(
    ("value", "pattern"),
    [
        ("", r"^NIK wajib diisi\.$"),
        ("180801450195000", r"^NIK harus 16 digit angka; yang diisi 15 digit\.$"),
        ("18080145019500011", r"16 digit angka; yang diisi 17 digit"),
        ("18080145019500A1", r"^NIK harus 16 digit angka\.$"),
        ("１８０８０１４５０１９５０００１", r"^NIK harus 16 digit angka\.$"),  # full-width
        ("9908014501950001", r"^Kode provinsi 99 pada NIK tidak dikenal\.$"),
        ("1899014501950001", r"^Kode kabupaten/kota 18\.99 pada NIK tidak dikenal\.$"),
        ("1808013102950001", r"^Tanggal lahir pada NIK \(31-02-95\) bukan tanggal yang sah\.$"),
        ("1808017102950001", r"^Tanggal lahir pada NIK \(31-02-95\) bukan tanggal yang sah\.$"),
        ("1808012902950001", r"\(29-02-95\) bukan tanggal yang sah"),
        ("1808013501950001", r"\(35-01-95\) bukan tanggal yang sah"),
        ("1808010001950001", r"\(00-01-95\) bukan tanggal yang sah"),
        ("1808017501950001", r"\(75-01-95\) bukan tanggal yang sah"),
        ("1808011513950001", r"\(15-13-95\) bukan tanggal yang sah"),
        ("1808014501950000", r"^Nomor urut pada NIK \(4 digit terakhir\) tidak boleh 0000\.$"),
    ],
)
def test_parse_nik_errors(value: str, pattern: str) -> None:
    with pytest.raises(ValidationError, match=pattern) as info:
        parse_nik(value, today=TODAY)
    assert info.value.field == "nik"
    assert isinstance(info.value, ValueError)


def test_parse_nik_sex_must_agree() -> None:
    nik = "1808014501950001"  # perempuan
    assert parse_nik(nik, sex="P", today=TODAY).sex == "P"
    assert parse_nik(nik, sex=" Perempuan ", today=TODAY).sex == "P"
    assert parse_nik(nik, sex="PEREMPUAN", today=TODAY).sex == "P"
    with pytest.raises(ValidationError) as err:
        parse_nik(nik, sex="L", today=TODAY)
    assert str(err.value) == (
        "NIK menunjukkan jenis kelamin perempuan, tidak cocok dengan data laki-laki."
    )
    assert err.value.field == "nik"
    male = "1808010501950001"
    assert parse_nik(male, sex="Laki-Laki", today=TODAY).sex == "L"
    assert parse_nik(male, sex="laki-laki", today=TODAY).sex == "L"
    with pytest.raises(
        ValidationError, match="jenis kelamin laki-laki, tidak cocok dengan data perempuan"
    ):
        parse_nik(male, sex="perempuan", today=TODAY)
    with pytest.raises(ValidationError, match="Jenis kelamin 'X' tidak dikenal") as err:
        parse_nik(male, sex="X", today=TODAY)
    assert err.value.field == "jenis_kelamin"


def test_parse_nik_birth_date_must_agree() -> None:
    nik = "1808014501950001"
    assert parse_nik(nik, birth_date=date(1995, 1, 5), today=TODAY).birth_date == date(1995, 1, 5)
    with pytest.raises(
        ValidationError,
        match=r"\(05-01-95\) tidak cocok dengan tanggal lahir "
        r"06-01-1995",
    ):
        parse_nik(nik, birth_date=date(1995, 1, 6), today=TODAY)
    with pytest.raises(ValidationError, match="tidak cocok"):
        parse_nik(nik, birth_date=date(1995, 2, 5), today=TODAY)
    with pytest.raises(ValidationError, match="tidak cocok"):
        parse_nik(nik, birth_date=date(1996, 1, 5), today=TODAY)
    # The 2-digit year is what is compared; the given date settles the century.
    old = parse_nik("1808011506250001", birth_date=date(1925, 6, 15), today=TODAY)
    assert old.birth_date == date(1925, 6, 15)


def test_normalize_nik() -> None:
    assert normalize_nik("1808.0145.0195.0001") == "1808014501950001"
    assert normalize_nik("1808-0145-0195-0001") == "1808014501950001"
    with pytest.raises(ValidationError, match="Kode provinsi 00"):
        normalize_nik("0008014501950001")


@st.composite
def valid_niks(draw: st.DrawFn) -> tuple[str, date, str]:
    regency = draw(st.sampled_from(REGENCY_CODES))
    kec = draw(st.from_regex(r"[0-9]{2}", fullmatch=True))
    birth = draw(st.dates(min_value=date(1926, 1, 1), max_value=TODAY))
    female = draw(st.booleans())
    seq = draw(st.from_regex(r"[0-9]{4}", fullmatch=True).filter(lambda s: s != "0000"))
    nik = _nik(regency, kec, birth.day, birth.month, birth.year % 100, seq, female=female)
    return nik, birth, "P" if female else "L"


@given(valid_niks())
def test_parse_nik_roundtrip(case: tuple[str, date, str]) -> None:
    nik, birth, sex = case
    info = parse_nik(nik, birth_date=birth, sex=sex, today=TODAY)
    assert info.nik == nik
    assert info.birth_date == birth
    assert info.sex == sex
    assert info.regency.kode == f"{nik[:2]}.{nik[2:4]}"
    assert info.province.kode == nik[:2]
    # Without the birth date the century is recovered too (births 1926..today are unambiguous).
    assert parse_nik(nik, today=TODAY).birth_date == birth
    spaced = " ".join([nik[:6], nik[6:12], nik[12:]])
    assert normalize_nik(spaced) == nik


@given(st.text())
@settings(max_examples=300)
def test_identity_functions_only_raise_validation_error(text: str) -> None:
    for func in (normalize_nik, normalize_no_kk, normalize_wa, normalize_tracking_code):
        try:
            result = func(text)
        except ValidationError as exc:
            assert str(exc)
            assert exc.field in ("nik", "no_kk", "wa", "kode")
        else:
            assert isinstance(result, str)
    found = extract_tracking_code(text)
    assert found is None or normalize_tracking_code(found) == found
    assert isinstance(mask_nik(text), str)


@given(st.from_regex(r"[0-9 .\-]{0,24}", fullmatch=True))
def test_nik_and_kk_digit_strings(text: str) -> None:
    for func in (normalize_nik, normalize_no_kk):
        try:
            result = func(text)
        except ValidationError:
            continue
        assert len(result) == 16
        assert result.isdigit()


# --------------------------------------------------------------------------------------------
# Nomor KK
# --------------------------------------------------------------------------------------------


def test_normalize_no_kk() -> None:
    assert normalize_no_kk("1808 0120 0315 0003") == "1808012003150003"
    assert normalize_no_kk("9101012003150003") == "9101012003150003"  # old Papua code
    assert normalize_no_kk("1808012902000003") == "1808012902000003"  # 29-02-2000


@pytest.mark.parametrize(
    ("value", "pattern"),
    [
        ("", r"^Nomor KK wajib diisi\.$"),
        ("180801200315000", r"^Nomor KK harus 16 digit angka; yang diisi 15 digit\.$"),
        ("18080120031500X3", r"^Nomor KK harus 16 digit angka\.$"),
        ("9908012003150003", r"^Kode provinsi 99 pada Nomor KK tidak dikenal\.$"),
        ("1899012003150003", r"^Kode kabupaten/kota 18\.99 pada Nomor KK tidak dikenal\.$"),
        ("1808014501150003", r"^Tanggal pada Nomor KK \(45-01-15\) bukan tanggal yang sah\.$"),
        ("1808013102150003", r"\(31-02-15\) bukan tanggal yang sah"),
        ("1808012003150000", r"^Nomor urut pada Nomor KK \(4 digit terakhir\) tidak boleh 0000\.$"),
    ],
)
def test_normalize_no_kk_errors(value: str, pattern: str) -> None:
    with pytest.raises(ValidationError, match=pattern) as info:
        normalize_no_kk(value)
    assert info.value.field == "no_kk"


# --------------------------------------------------------------------------------------------
# WhatsApp
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "0811-7961-500",
        "+62 811 7961 500",
        "628117961500",
        "08117961500",
        " 0811 7961 500 ",
        "(0811) 7961-500",
        "+62-811-7961-500",
    ],
)
def test_normalize_wa_forms(value: str) -> None:
    assert normalize_wa(value) == "+628117961500"


@pytest.mark.parametrize(
    ("value", "pattern"),
    [
        ("+65 6234 5678", r"^Nomor WhatsApp harus nomor seluler Indonesia \(\+62\)\.$"),
        ("+1 650 253 0000", r"^Nomor WhatsApp harus nomor seluler Indonesia \(\+62\)\.$"),
        ("0721 123456", r"nomor seluler \(HP\), bukan telepon rumah atau kantor"),
        ("+62 21 5550123", r"bukan telepon rumah atau kantor"),
        ("0811", r"tidak valid"),
        ("08117961500123456", r"Nomor WhatsApp"),
        ("", r"^Nomor WhatsApp wajib diisi\.$"),
        ("   ", r"^Nomor WhatsApp wajib diisi\.$"),
        ("abc", r"harus berupa angka"),
        ("++", r"harus berupa angka"),
    ],
)
def test_normalize_wa_errors(value: str, pattern: str) -> None:
    with pytest.raises(ValidationError, match=pattern) as info:
        normalize_wa(value)
    assert info.value.field == "wa"


def _typed(national: str, style: int, seps: list[str]) -> str:
    """A national number (8…) written as a clerk might type it."""
    prefix = ("0", "+62", "62", "+62 ", "(0", "")[style]
    body = "".join(c + (seps[i % len(seps)] if i in (2, 6) else "") for i, c in enumerate(national))
    return (prefix + body.replace("(", "")) if prefix != "(0" else f"(0{body[:3]}) {body[3:]}"


@settings(max_examples=400, deadline=None)
@given(
    national=st.from_regex(r"8[1-9][0-9]{7,10}", fullmatch=True),
    style=st.integers(0, 5),
    seps=st.lists(st.sampled_from(["", " ", "-", "."]), min_size=1, max_size=3),
)
def test_wa_search_key_equals_normalize_wa_for_every_number_it_accepts(
    national: str, style: int, seps: list[str]
) -> None:
    """The search's cheap form of a typed number is exactly the stored form, whenever the
    validating normaliser accepts the number (so a search finds what intake stored)."""
    typed = _typed(national, style, seps)
    try:
        stored = normalize_wa(typed)
    except ValidationError:
        return  # not a valid mobile number: nothing with it was ever stored
    assert wa_search_key(typed) == stored


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="0123456789+-(). 6", min_size=1, max_size=18))
def test_wa_search_key_agrees_on_any_digits_text(text: str) -> None:
    try:
        stored = normalize_wa(text)
    except ValidationError:
        return
    assert wa_search_key(text) == stored


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("0811-7961-500", "+628117961500"),
        ("+62 811 7961 500", "+628117961500"),
        ("628117961500", "+628117961500"),
        ("(0811) 7961-500", "+628117961500"),
        ("+1 650 253 0000", None),
        ("0721 123456", None),
        ("Budi 0811 7961 500", None),
    ],
)
def test_wa_search_key_forms(text: str, key: str | None) -> None:
    assert wa_search_key(text) == key


@given(st.text(alphabet="0123456789+-() .", max_size=30))
def test_normalize_wa_digitish(text: str) -> None:
    try:
        result = normalize_wa(text)
    except ValidationError:
        return
    assert result.startswith("+628")
    assert normalize_wa(result) == result


def test_wa_digits() -> None:
    assert wa_digits("+628117961500") == "628117961500"
    assert wa_digits(normalize_wa("0811-7961-500")) == "628117961500"
    with pytest.raises(ValidationError) as info:
        wa_digits("08117961500")
    assert info.value.field == "wa"


# --------------------------------------------------------------------------------------------
# Masking
# --------------------------------------------------------------------------------------------


def test_mask_nik() -> None:
    assert mask_nik("1808014501950001") == "1808********0001"
    assert mask_nik("1808.0145.0195.0001") == "1808********0001"
    assert mask_nik("") == ""
    assert mask_nik("12345678") == "********"
    assert mask_nik("123456789") == "1234*6789"


@given(st.text())
def test_mask_nik_never_shows_more_than_eight(text: str) -> None:
    masked = mask_nik(text)
    assert sum(ch != "*" for ch in masked) <= 8


# --------------------------------------------------------------------------------------------
# Tracking codes
# --------------------------------------------------------------------------------------------

INDEX = {s: i for i, s in enumerate(TRACKING_ALPHABET)}


def _checksum(code: str) -> int:
    return sum(i * INDEX[s] for i, s in enumerate(code, start=1)) % 31


def test_alphabet() -> None:
    assert TRACKING_ALPHABET == "23456789ABCDEFGHJKLMNPQRSTUVWXY"
    assert len(TRACKING_ALPHABET) == len(set(TRACKING_ALPHABET)) == 31
    assert not set("01OIZ") & set(TRACKING_ALPHABET)


def test_new_tracking_code_default_random() -> None:
    codes = {new_tracking_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 9
        assert set(code) <= set(TRACKING_ALPHABET)
        assert _checksum(code) == 0
        assert normalize_tracking_code(code) == code


def test_new_tracking_code_with_rng_is_reproducible() -> None:
    first = [new_tracking_code(random.Random(42)) for _ in range(3)]
    assert len(set(first)) == 1
    assert new_tracking_code(random.Random(42)) == first[0]
    assert normalize_tracking_code(first[0]) == first[0]


def test_known_code_and_formatting() -> None:
    assert _checksum("ABCDEFGH3") == 0
    assert normalize_tracking_code("abcd-efgh3") == "ABCDEFGH3"
    assert normalize_tracking_code(" ab cd - ef gh 3 ") == "ABCDEFGH3"
    assert format_tracking_code("ABCDEFGH3") == "ABCD-EFGH3"
    assert format_tracking_code("abcd efgh3") == "ABCD-EFGH3"


@pytest.mark.parametrize(
    ("value", "pattern"),
    [
        ("", r"^Kode pelacakan tidak dikenal atau salah ketik: kode masih kosong\.$"),
        ("ABCD-EFGH", r"^Kode pelacakan tidak dikenal atau salah ketik: kode terdiri dari 9"),
        ("ABCD-EFGH33", r"yang diisi 10 karakter"),
        ("ABCD-EFGO3", r"karakter 'O' tidak dipakai"),
        ("ABCD-EFGH4", r"^Kode pelacakan tidak dikenal atau salah ketik: periksa kembali"),
        ("BACD-EFGH3", r"^Kode pelacakan tidak dikenal atau salah ketik"),
    ],
)
def test_normalize_tracking_code_errors(value: str, pattern: str) -> None:
    with pytest.raises(ValidationError, match=pattern) as info:
        normalize_tracking_code(value)
    assert info.value.field == "kode"
    with pytest.raises(ValidationError):
        format_tracking_code(value)


def test_check_weights_detect_every_single_error_and_adjacent_swap() -> None:
    # Exhaustive over the arithmetic: a substitution at position i changes the sum by
    # i * delta, an adjacent swap at i, i+1 changes it by (v_i - v_{i+1}); neither is 0 mod 31.
    for position in range(1, 10):
        for delta in range(1, 31):
            assert (position * delta) % 31 != 0
    for a in range(31):
        for b in range(31):
            if a != b:
                for position in range(1, 9):
                    before = position * a + (position + 1) * b
                    after = position * b + (position + 1) * a
                    assert (before - after) % 31 != 0


tracking_codes = st.builds(new_tracking_code, st.randoms(use_true_random=False))


@given(tracking_codes)
def test_every_single_substitution_is_detected(code: str) -> None:
    assert normalize_tracking_code(code) == code
    for i in range(9):
        for symbol in TRACKING_ALPHABET:
            if symbol == code[i]:
                continue
            typo = code[:i] + symbol + code[i + 1 :]
            with pytest.raises(ValidationError):
                normalize_tracking_code(typo)
            assert extract_tracking_code(typo) is None


@given(tracking_codes)
def test_every_adjacent_transposition_is_detected(code: str) -> None:
    for i in range(8):  # includes swapping the check symbol with position 8
        if code[i] == code[i + 1]:
            continue
        swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
        with pytest.raises(ValidationError):
            normalize_tracking_code(swapped)


def test_extract_tracking_code_examples() -> None:
    code = "ABCDEFGH3"
    assert extract_tracking_code("ABCDEFGH3") == code
    assert extract_tracking_code("abcd-efgh3") == code
    assert extract_tracking_code("  ABCD EFGH3\n") == code
    assert extract_tracking_code("STATUS ABCDEFGH3") == code
    assert extract_tracking_code("STATUS ABCD-EFGH3") == code
    assert extract_tracking_code("https://wa.me/628117961500?text=STATUS%20ABCD-EFGH3") == code
    assert extract_tracking_code("https://wa.me/628117961500?text=STATUS+abcdefgh3") == code
    assert extract_tracking_code("https://wa.me/628117961500?text=status%20abcd%2Defgh3") == code
    assert extract_tracking_code("Kode: ABCD-EFGH3.") == code
    assert extract_tracking_code("STATUS ABCD-EFGH4") is None  # wrong check symbol
    assert extract_tracking_code("STATUS XABCDEFGH3") is None  # part of a longer word
    assert extract_tracking_code("STATUS ABCDEFGH3X") is None
    assert extract_tracking_code("https://wa.me/628117961500?text=STATUS") is None
    assert extract_tracking_code("") is None


@given(tracking_codes, st.text(), st.booleans())
def test_extract_finds_code_after_any_prefix(code: str, prefix: str, grouped: bool) -> None:
    shown = format_tracking_code(code) if grouped else code.lower()
    assert extract_tracking_code(f"{prefix} {shown}") == code


@given(st.text(alphabet=string.ascii_letters + string.digits + " -%/?=&:.+", max_size=60))
def test_extract_result_is_always_valid(text: str) -> None:
    found = extract_tracking_code(text)
    if found is not None:
        assert normalize_tracking_code(found) == found
