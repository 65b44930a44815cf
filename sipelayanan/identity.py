"""Identity numbers and codes: NIK, Nomor KK, WhatsApp numbers and public tracking codes.

Region codes come from the Kemendagri table shipped in ``resources/wilayah`` (see its README).
Every validation failure raises :class:`ValidationError` whose message is shown to the user as is,
so messages are in Bahasa Indonesia and say exactly what is wrong.
"""

from __future__ import annotations

import csv
import random
import re
import secrets
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Literal
from urllib.parse import unquote_plus
from zoneinfo import ZoneInfo

from .resources import resource_path

__all__ = [
    "TRACKING_ALPHABET",
    "WILAYAH_VERSION",
    "NikInfo",
    "Region",
    "ValidationError",
    "clean_line",
    "extract_tracking_code",
    "format_tracking_code",
    "kecamatan_name",
    "kecamatan_way_kanan",
    "mask_nik",
    "name_key",
    "new_tracking_code",
    "normalize_nik",
    "normalize_no_kk",
    "normalize_tracking_code",
    "normalize_wa",
    "parse_nik",
    "region",
    "show_code",
    "wa_digits",
]

WILAYAH_VERSION: str = "2025.1"

_WIB = ZoneInfo("Asia/Jakarta")
# Separators people type inside NIK / KK numbers: whitespace, dots and any kind of dash.
_NUMBER_SEPARATORS = re.compile(r"[\s.\-\u2010-\u2015\u2212]+")
_SIXTEEN_DIGITS = re.compile(r"[0-9]{16}")


class ValidationError(ValueError):
    """Invalid user input. ``str(error)`` is a Bahasa Indonesia message for the user.

    ``field`` names the input that is wrong: ``"nik"``, ``"no_kk"``, ``"wa"``, ``"kode"``,
    ``"nama"`` or ``"jenis_kelamin"``.
    """

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


# --------------------------------------------------------------------------------------------
# Region codes
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Region:
    """A province ("18") or regency/city ("18.08") from the Kemendagri table.

    ``status`` is ``"current"`` or the last edition a retired code appeared in, for example
    ``"until 2018 edition"`` (old Papua codes, still found on NIKs issued there).
    """

    kode: str
    nama: str
    status: str

    @property
    def is_current(self) -> bool:
        return self.status == "current"


def _read_csv(*parts: str) -> Iterator[dict[str, str]]:
    with resource_path(*parts).open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


@cache
def _regions() -> dict[str, Region]:
    return {
        row["kode"]: Region(kode=row["kode"], nama=row["nama"], status=row["status"])
        for row in _read_csv("wilayah", "provinsi_kabupaten.csv")
    }


@cache
def _kecamatan() -> tuple[tuple[str, str], ...]:
    rows = [
        (row["kode"], row["nama"])
        for row in _read_csv("wilayah", "way_kanan.csv")
        if row["tingkat"] == "kecamatan"
    ]
    return tuple(sorted(rows))


def region(kode: str) -> Region | None:
    """The province (``"18"``) or regency/city (``"18.08"``, also ``"1808"``), any status."""
    kode = kode.strip()
    if re.fullmatch(r"[0-9]{4}", kode):
        kode = f"{kode[:2]}.{kode[2:]}"
    return _regions().get(kode)


def kecamatan_way_kanan() -> list[tuple[str, str]]:
    """The 15 kecamatan of Kabupaten Way Kanan as ``(kode, nama)``, in code order."""
    return list(_kecamatan())


def kecamatan_name(kode: str) -> str | None:
    """Name of a Way Kanan kecamatan (``"18.08.01"`` or ``"180801"``), else None."""
    kode = kode.strip()
    if re.fullmatch(r"[0-9]{6}", kode):
        kode = f"{kode[:2]}.{kode[2:4]}.{kode[4:]}"
    return dict(_kecamatan()).get(kode)


# --------------------------------------------------------------------------------------------
# NIK and Nomor KK
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NikInfo:
    nik: str
    province: Region
    regency: Region
    birth_date: date
    sex: Literal["L", "P"]
    kecamatan_code: str  # "NN.NN.NN"


def _strip_number(value: str) -> str:
    return _NUMBER_SEPARATORS.sub("", value)


def _real_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _check_region(digits: str, label: str, field: str) -> tuple[Region, Region]:
    province = region(digits[:2])
    if province is None:
        raise ValidationError(f"Kode provinsi {digits[:2]} pada {label} tidak dikenal.", field)
    regency = region(digits[:4])
    if regency is None:
        raise ValidationError(
            f"Kode kabupaten/kota {digits[:2]}.{digits[2:4]} pada {label} tidak dikenal.", field
        )
    return province, regency


def _today() -> date:
    return datetime.now(_WIB).date()


def _parse_sex(value: str) -> Literal["L", "P"]:
    key = re.sub(r"[\s\-]+", "", value).lower()
    if key in ("l", "lakilaki", "pria"):
        return "L"
    if key in ("p", "perempuan", "wanita"):
        return "P"
    raise ValidationError(
        f"Jenis kelamin {value.strip()!r} tidak dikenal; isi L (laki-laki) atau P (perempuan).",
        "jenis_kelamin",
    )


_SEX_WORD = {"L": "laki-laki", "P": "perempuan"}


def parse_nik(
    value: str,
    *,
    birth_date: date | None = None,
    sex: str | None = None,
    today: date | None = None,
) -> NikInfo:
    """Validate a NIK and decode region, birth date and sex from it.

    Separators (spaces, dots, dashes) are ignored. When ``birth_date`` or ``sex`` is given, the
    NIK must agree with it; a matching ``birth_date`` is then taken as the full birth date (it
    settles the century). Without it the century is 20YY when that date is not in the future,
    else 19YY.
    """
    digits = _strip_number(value)
    if not digits:
        raise ValidationError("NIK wajib diisi.", "nik")
    if not _SIXTEEN_DIGITS.fullmatch(digits):
        if digits.isascii() and digits.isdigit():
            raise ValidationError(
                f"NIK harus 16 digit angka; yang diisi {len(digits)} digit.", "nik"
            )
        raise ValidationError("NIK harus 16 digit angka.", "nik")

    province, regency = _check_region(digits, "NIK", "nik")

    raw_day, month, yy = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    nik_sex: Literal["L", "P"] = "P" if raw_day > 40 else "L"
    day = raw_day - 40 if raw_day > 40 else raw_day
    shown = f"{day:02d}-{month:02d}-{yy:02d}"
    if raw_day == 0 or 31 < raw_day <= 40 or raw_day > 71:
        raise ValidationError(
            f"Tanggal lahir pada NIK ({digits[6:8]}-{digits[8:10]}-{digits[10:12]}) bukan "
            "tanggal yang sah (tanggal harus 01-31, atau 41-71 untuk perempuan).",
            "nik",
        )
    today = today or _today()
    candidates = [
        d
        for d in (_real_date(2000 + yy, month, day), _real_date(1900 + yy, month, day))
        if d is not None
    ]
    if not candidates:
        raise ValidationError(f"Tanggal lahir pada NIK ({shown}) bukan tanggal yang sah.", "nik")
    past = [d for d in candidates if d <= today]
    if not past:
        raise ValidationError(f"Tanggal lahir pada NIK ({shown}) berada di masa depan.", "nik")
    nik_birth = past[0]

    if digits[12:] == "0000":
        raise ValidationError("Nomor urut pada NIK (4 digit terakhir) tidak boleh 0000.", "nik")

    if sex is not None:
        given_sex = _parse_sex(sex)
        if given_sex != nik_sex:
            raise ValidationError(
                f"NIK menunjukkan jenis kelamin {_SEX_WORD[nik_sex]}, tidak cocok dengan data "
                f"{_SEX_WORD[given_sex]}.",
                "nik",
            )
    if birth_date is not None:
        if (birth_date.day, birth_date.month, birth_date.year % 100) != (day, month, yy):
            raise ValidationError(
                f"Tanggal lahir pada NIK ({shown}) tidak cocok dengan tanggal lahir "
                f"{birth_date:%d-%m-%Y}.",
                "nik",
            )
        nik_birth = birth_date

    return NikInfo(
        nik=digits,
        province=province,
        regency=regency,
        birth_date=nik_birth,
        sex=nik_sex,
        kecamatan_code=f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}",
    )


def normalize_nik(value: str) -> str:
    """The 16 digits of a valid NIK (separators removed); raises :class:`ValidationError`."""
    return parse_nik(value).nik


def normalize_no_kk(value: str) -> str:
    """The 16 digits of a valid Nomor Kartu Keluarga; raises :class:`ValidationError`."""
    digits = _strip_number(value)
    if not digits:
        raise ValidationError("Nomor KK wajib diisi.", "no_kk")
    if not _SIXTEEN_DIGITS.fullmatch(digits):
        if digits.isascii() and digits.isdigit():
            raise ValidationError(
                f"Nomor KK harus 16 digit angka; yang diisi {len(digits)} digit.", "no_kk"
            )
        raise ValidationError("Nomor KK harus 16 digit angka.", "no_kk")
    _check_region(digits, "Nomor KK", "no_kk")
    day, month, yy = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    if _real_date(2000 + yy, month, day) is None and _real_date(1900 + yy, month, day) is None:
        raise ValidationError(
            f"Tanggal pada Nomor KK ({digits[6:8]}-{digits[8:10]}-{digits[10:12]}) bukan "
            "tanggal yang sah.",
            "no_kk",
        )
    if digits[12:] == "0000":
        raise ValidationError(
            "Nomor urut pada Nomor KK (4 digit terakhir) tidak boleh 0000.", "no_kk"
        )
    return digits


def mask_nik(nik: str) -> str:
    """``"1808********0001"``: region prefix and last 4 digits only. Never raises.

    Anything that is not 16 digits is masked too: strings of 8 characters or fewer entirely,
    longer ones keeping the first 4 and last 4 characters.
    """
    if len(nik) == 16 and nik.isdigit():  # the stored form: no separators to strip
        return nik[:4] + "********" + nik[12:]
    digits = _strip_number(nik)
    if len(digits) <= 8:
        return "*" * len(digits)
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]


# --------------------------------------------------------------------------------------------
# WhatsApp numbers
# --------------------------------------------------------------------------------------------


def normalize_wa(value: str) -> str:
    """An Indonesian mobile number in E.164 form (``"+628117961500"``).

    Accepts ``0811-7961-500``, ``+62 811 7961 500``, ``628117961500``, ``08117961500``.
    """
    text = value.strip()
    if not text:
        raise ValidationError("Nomor WhatsApp wajib diisi.", "wa")
    if not re.search(r"[0-9]", text):
        raise ValidationError(
            "Nomor WhatsApp harus berupa angka, misalnya 0811-7961-500 atau +62 811 7961 500.",
            "wa",
        )
    import phonenumbers  # on first use (~0.1 s): reading a tracking code never needs it

    wa_types = (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    try:
        number = phonenumbers.parse(text, "ID")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            "Nomor WhatsApp tidak dapat dibaca; tulis seperti 0811-7961-500 atau +62 811 7961 500.",
            "wa",
        ) from exc
    if number.country_code != 62:
        raise ValidationError("Nomor WhatsApp harus nomor seluler Indonesia (+62).", "wa")
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            "Nomor WhatsApp tidak valid; periksa kembali jumlah dan urutan digitnya.", "wa"
        )
    if phonenumbers.number_type(number) not in wa_types:
        raise ValidationError(
            "Nomor WhatsApp harus nomor seluler (HP), bukan telepon rumah atau kantor.", "wa"
        )
    e164: str = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return e164


_WA_TYPED = re.compile(r"\s*\+?[0-9\s().\-]+")


def wa_search_key(text: str) -> str | None:
    """The stored (E.164) form of a typed Indonesian mobile number, for searching.

    Equal to :func:`normalize_wa` for every number that function accepts, but without its
    validation (a phonenumbers parse, ~50 µs — most of a search's cost): a typed number that is
    not a valid mobile number simply matches nothing stored, since only valid numbers are
    stored. ``None`` when the text cannot be an Indonesian mobile number at all.
    """
    if not _WA_TYPED.fullmatch(text):
        return None
    digits = "".join(c for c in text if c.isdigit())
    if text.lstrip().startswith("+") or digits.startswith("62"):
        if not digits.startswith("62"):
            return None  # another country
        national = digits[2:]
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        national = digits
    if not national.startswith("8") or not 8 <= len(national) <= 12:
        return None  # Indonesian mobile numbers are 8xx…, 9 to 12 digits after the 0
    return "+62" + national


def wa_digits(e164: str) -> str:
    """``"+628117961500"`` -> ``"628117961500"``, the form used in ``wa.me`` links."""
    text = e164.strip()
    if not re.fullmatch(r"\+[1-9][0-9]{6,14}", text):
        raise ValidationError(
            f"Nomor WhatsApp {text!r} belum dalam format internasional (+62...).", "wa"
        )
    return text[1:]


# --------------------------------------------------------------------------------------------
# Tracking codes
# --------------------------------------------------------------------------------------------

# 31 symbols (a prime): no 0/O, 1/I, and no Z (reads like 2).
TRACKING_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXY"
_BASE = len(TRACKING_ALPHABET)
_INDEX = {symbol: i for i, symbol in enumerate(TRACKING_ALPHABET)}
_BODY_LENGTH = 8
_CODE_LENGTH = _BODY_LENGTH + 1
_INVERSE_9 = pow(_CODE_LENGTH, -1, _BASE)  # 9 * 7 = 63 = 2 * 31 + 1
_EXAMPLE = "ABCD-EFGH"  # completed with its check symbol below (ABCD-EFGH3)


def _check_symbol(body: str) -> str:
    """The symbol c with sum(i * index(symbol_i) for i = 1..9) = 0 (mod 31), c at position 9."""
    partial = sum(i * _INDEX[s] for i, s in enumerate(body, start=1))
    return TRACKING_ALPHABET[(-partial * _INVERSE_9) % _BASE]


def _is_valid(code: str) -> bool:
    return (
        len(code) == _CODE_LENGTH
        and all(s in _INDEX for s in code)
        and sum(i * _INDEX[s] for i, s in enumerate(code, start=1)) % _BASE == 0
    )


_EXAMPLE_CODE = _EXAMPLE.replace("-", "") + _check_symbol(_EXAMPLE.replace("-", ""))
_EXAMPLE_SHOWN = f"{_EXAMPLE_CODE[:4]}-{_EXAMPLE_CODE[4:]}"
_BAD_CODE = "Kode pelacakan tidak dikenal atau salah ketik"


def new_tracking_code(rng: random.Random | secrets.SystemRandom | None = None) -> str:
    """A fresh 9-symbol code: 8 random symbols (``secrets`` by default) plus a check symbol.

    Codes are random, never derived from personal data.
    """
    source = rng if rng is not None else secrets.SystemRandom()
    body = "".join(source.choice(TRACKING_ALPHABET) for _ in range(_BODY_LENGTH))
    return body + _check_symbol(body)


def normalize_tracking_code(value: str) -> str:
    """The 9-symbol code in upper case; ignores case, spaces and hyphens; verifies the check."""
    code = re.sub(r"[\s\-\u2010-\u2015\u2212]+", "", value).upper()
    if not code:
        raise ValidationError(f"{_BAD_CODE}: kode masih kosong.", "kode")
    if len(code) != _CODE_LENGTH:
        raise ValidationError(
            f"{_BAD_CODE}: kode terdiri dari 9 karakter (contoh {_EXAMPLE_SHOWN}), yang diisi "
            f"{len(code)} karakter.",
            "kode",
        )
    unused = sorted({s for s in code if s not in _INDEX})
    if unused:
        shown = ", ".join(repr(s) for s in unused)
        raise ValidationError(
            f"{_BAD_CODE}: karakter {shown} tidak dipakai dalam kode pelacakan "
            "(kode tidak memakai huruf O, I, Z maupun angka 0 dan 1).",
            "kode",
        )
    if not _is_valid(code):
        raise ValidationError(
            f"{_BAD_CODE}: periksa kembali setiap karakternya (contoh {_EXAMPLE_SHOWN}).", "kode"
        )
    return code


def show_code(code: str) -> str:
    """A stored tracking code as printed: ``"ABCD-EFGH5"`` (no validation: it is stored)."""
    return f"{code[:4]}-{code[4:]}" if len(code) == 9 else code


def format_tracking_code(code: str) -> str:
    """``"ABCDEFGH5"`` -> ``"ABCD-EFGH5"`` for display (validates the code first)."""
    normalized = normalize_tracking_code(code)
    return f"{normalized[:4]}-{normalized[4:]}"


_TOKEN = re.compile(r"[^\W_]+")
_GROUP_GAP = re.compile(r"[\s\-\u2010-\u2015\u2212]{1,3}")


def extract_tracking_code(text: str) -> str | None:
    """Find a valid tracking code in scanner or pasted input, else None.

    Accepts the bare code (any case, with spaces or hyphens) or any text/URL containing it as a
    separate word, e.g. ``"https://wa.me/628117961500?text=STATUS%20ABCD-EFGH5"``. When several
    valid codes appear, the last one wins (prefixes such as a domain come first).
    """
    try:
        return normalize_tracking_code(text)
    except ValidationError:
        pass
    decoded = unquote_plus(text).upper()
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(decoded)]
    found: str | None = None
    for i, (_start, end, token) in enumerate(tokens):
        if len(token) == _CODE_LENGTH and _is_valid(token):
            found = token
        if len(token) == 4 and i + 1 < len(tokens):
            next_start, _next_end, next_token = tokens[i + 1]
            joined = token + next_token
            if (
                len(next_token) == 5
                and _GROUP_GAP.fullmatch(decoded[end:next_start])
                and _is_valid(joined)
            ):
                found = joined
    return found


# --------------------------------------------------------------------------- names

#: Length of the stored search key (``cases.name_key``).
NAME_KEY_LENGTH = 200


def clean_line(value: str) -> str:
    """A name as one clean line: NFC; every run of white space (CR, LF, TAB included) one
    space; control and format characters (ESC, right-to-left override, zero-width) removed —
    ``"Budi\r\n\tHartono"`` is ``"Budi Hartono"``, not ``"BudiHartono"``."""
    text = unicodedata.normalize("NFC", value)
    text = "".join(" " if c.isspace() else c for c in text)
    text = "".join(c for c in text if unicodedata.category(c)[0] != "C")
    return " ".join(text.split())


def name_key(name: str) -> str:
    """The upper-cased prefix-search key, cut to its column: upper-casing can lengthen a name
    (``ß`` → ``SS``, ``ﬃ`` → ``FFI``), and a prefix search never needs more."""
    return name.upper()[:NAME_KEY_LENGTH]
