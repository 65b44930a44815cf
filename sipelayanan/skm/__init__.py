"""Survei Kepuasan Masyarakat (SKM) as PermenPANRB 14/2017 defines it — the pure part: the nine
elements (unsur) with the regulation's 1–4 wording, the respondent profile and its categories,
the index (IKM = 25 × (1/9) × Σ NRRᵢ) with its mutu pelayanan bands, the Krejcie–Morgan minimum
sample, the survey periods, and the compact answer string the status page sends over WhatsApp.

No database, no Qt. Storage is :mod:`sipelayanan.skm.store`, CSV import
:mod:`sipelayanan.skm.importer`, the status-site part :mod:`sipelayanan.skm.site`.

Answers are anonymous: nothing here or in the other modules ever carries a name, NIK or
number, and the tracking code an answer came with is kept only as a one-way key (one answer
per code), never shown in a report, an export or a log line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from ..errors import InputError


@dataclass(frozen=True)
class Unsur:
    no: int  # 1..9, the regulation's order (u1..u9)
    name: str  # the element, as the regulation names it
    question: str  # the questionnaire's question
    options: tuple[str, str, str, str]  # the wording of answers 1, 2, 3, 4


#: The nine elements in the regulation's order (Lampiran PermenPANRB 14/2017, ruang lingkup
#: and contoh kuesioner), each with its question and the wording of answers 1..4.
UNSUR: tuple[Unsur, ...] = (
    Unsur(
        1,
        "Persyaratan",
        "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis "
        "pelayanannya?",
        ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
    ),
    Unsur(
        2,
        "Sistem, mekanisme dan prosedur",
        "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
        ("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"),
    ),
    Unsur(
        3,
        "Waktu penyelesaian",
        "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
        ("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"),
    ),
    Unsur(
        4,
        "Biaya/tarif",
        "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
        ("Sangat mahal", "Cukup mahal", "Murah", "Gratis"),
    ),
    Unsur(
        5,
        "Produk spesifikasi jenis pelayanan",
        "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum "
        "dalam standar pelayanan dengan hasil yang diberikan?",
        ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
    ),
    Unsur(
        6,
        "Kompetensi pelaksana",
        "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
        ("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"),
    ),
    Unsur(
        7,
        "Perilaku pelaksana",
        "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait "
        "kesopanan dan keramahan?",
        (
            "Tidak sopan dan ramah",
            "Kurang sopan dan ramah",
            "Sopan dan ramah",
            "Sangat sopan dan ramah",
        ),
    ),
    Unsur(
        8,
        "Penanganan pengaduan, saran dan masukan",
        "Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?",
        (
            "Tidak ada",
            "Ada tetapi tidak berfungsi",
            "Berfungsi kurang maksimal",
            "Dikelola dengan baik",
        ),
    ),
    Unsur(
        9,
        "Sarana dan prasarana",
        "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
        ("Buruk", "Cukup", "Baik", "Sangat baik"),
    ),
)

# --------------------------------------------------------------------------- profile

#: Jenis kelamin: code -> label.
JENIS_KELAMIN: dict[str, str] = {"L": "Laki-laki", "P": "Perempuan"}
#: Pendidikan (the questionnaire's categories): code -> label.
PENDIDIKAN: dict[int, str] = {
    1: "SD ke bawah",
    2: "SLTP",
    3: "SLTA",
    4: "D1-D3-D4",
    5: "S1",
    6: "S2 ke atas",
}
#: Pekerjaan (the questionnaire's categories): code -> label.
PEKERJAAN: dict[int, str] = {
    1: "PNS",
    2: "TNI",
    3: "POLRI",
    4: "Swasta",
    5: "Wirausaha",
    6: "Lainnya",
}
#: Umur is asked in years; the report groups it in these bands (label, lowest, highest).
UMUR_KELOMPOK: tuple[tuple[str, int, int], ...] = (
    ("di bawah 20 tahun", 0, 19),
    ("20–29 tahun", 20, 29),
    ("30–39 tahun", 30, 39),
    ("40–49 tahun", 40, 49),
    ("50–59 tahun", 50, 59),
    ("60 tahun ke atas", 60, 150),
)
UMUR_MIN, UMUR_MAX = 10, 99
SARAN_MAX = 500


def umur_kelompok(umur: int | None) -> str:
    if umur is None:
        return "tidak diisi"
    for label, low, high in UMUR_KELOMPOK:
        if low <= umur <= high:
            return label
    return "tidak diisi"


_ALIASES_PENDIDIKAN = {
    "SD": 1,
    "SDKEBAWAH": 1,
    "TIDAKSEKOLAH": 1,
    "SMP": 2,
    "SLTP": 2,
    "MTS": 2,
    "SMA": 3,
    "SMK": 3,
    "SLTA": 3,
    "MA": 3,
    "D1": 4,
    "D2": 4,
    "D3": 4,
    "D4": 4,
    "D1D3D4": 4,
    "DIPLOMA": 4,
    "S1": 5,
    "SARJANA": 5,
    "S2": 6,
    "S3": 6,
    "S2KEATAS": 6,
}
_ALIASES_PEKERJAAN = {
    "PNS": 1,
    "ASN": 1,
    "TNI": 2,
    "POLRI": 3,
    "SWASTA": 4,
    "PEGAWAISWASTA": 4,
    "KARYAWANSWASTA": 4,
    "WIRAUSAHA": 5,
    "WIRASWASTA": 5,
    "LAINNYA": 6,
    "LAIN": 6,
    "LAINLAIN": 6,
}
_ALIASES_JK = {"L": "L", "LAKILAKI": "L", "PRIA": "L", "P": "P", "PEREMPUAN": "P", "WANITA": "P"}


def _key(value: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", value.upper())


def parse_jenis_kelamin(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    found = _ALIASES_JK.get(_key(value))
    if found is None:
        raise InputError(
            f"Jenis kelamin '{value.strip()}' tidak dikenal; isi L (laki-laki) atau P "
            "(perempuan), atau kosongkan.",
            "jenis_kelamin",
        )
    return found


def _parse_category(
    value: str | None, table: dict[int, str], aliases: dict[str, int], what: str
) -> int | None:
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit() and int(text) in table:
        return int(text)
    key = _key(text)
    for code, label in table.items():
        if _key(label) == key:
            return code
    found = aliases.get(key)
    if found is None:
        choices = ", ".join(f"{c} = {label}" for c, label in table.items())
        raise InputError(
            f"{what.capitalize()} '{text}' tidak dikenal; pilihan: {choices} (atau kosongkan).",
            what,
        )
    return found


def parse_pendidikan(value: str | None) -> int | None:
    return _parse_category(value, PENDIDIKAN, _ALIASES_PENDIDIKAN, "pendidikan")


def parse_pekerjaan(value: str | None) -> int | None:
    return _parse_category(value, PEKERJAAN, _ALIASES_PEKERJAAN, "pekerjaan")


def parse_umur(value: str | int | None) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    if text.lower().endswith("tahun"):
        text = text[: -len("tahun")].strip()
    if not text.isdigit() or not UMUR_MIN <= int(text) <= UMUR_MAX:
        raise InputError(
            f"Umur '{str(value).strip()}' tidak dapat dipakai; isi angka tahun {UMUR_MIN}–"
            f"{UMUR_MAX}, atau kosongkan.",
            "umur",
        )
    return int(text)


def parse_nilai(value: str | int, no: int) -> int:
    text = str(value).strip()
    if text in ("1", "2", "3", "4"):
        return int(text)
    # a Google Form may export the option's wording instead of its number
    key = _key(text)
    for i, option in enumerate(UNSUR[no - 1].options, start=1):
        if key and _key(option) == key:
            return i
    raise InputError(
        f"Jawaban unsur {no} ({UNSUR[no - 1].name}) '{text}' tidak dapat dipakai; isi 1, 2, 3 "
        "atau 4.",
        f"u{no}",
    )


_LONG_NUMBER = re.compile(r"\+?\d[\d\s.\-]{8,}\d")


def clean_saran(value: str | None) -> str | None:
    """The free suggestion on one line, at most :data:`SARAN_MAX` characters, with any long
    run of digits (a NIK or a telephone number typed into it) blotted out."""
    if value is None:
        return None
    text = " ".join(value.split())
    text = _LONG_NUMBER.sub("[angka disamarkan]", text)
    if len(text) > SARAN_MAX:
        text = text[: SARAN_MAX - 1].rstrip() + "…"
    return text or None


# --------------------------------------------------------------------------- index


@dataclass(frozen=True)
class Mutu:
    code: str  # A, B, C, D
    kinerja: str  # Sangat Baik, ...
    low: Decimal
    high: Decimal


#: Nilai interval konversi IKM, mutu pelayanan and kinerja unit pelayanan.
MUTU: tuple[Mutu, ...] = (
    Mutu("A", "Sangat Baik", Decimal("88.31"), Decimal("100.00")),
    Mutu("B", "Baik", Decimal("76.61"), Decimal("88.30")),
    Mutu("C", "Kurang Baik", Decimal("65.00"), Decimal("76.60")),
    Mutu("D", "Tidak Baik", Decimal("25.00"), Decimal("64.99")),
)

TWO = Decimal("0.01")
THREE = Decimal("0.001")


def _round(value: Fraction, step: Decimal) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(step, rounding=ROUND_HALF_UP)


def mutu_of(ikm: Decimal) -> Mutu:
    """The band of an IKM already rounded to two decimals."""
    for band in MUTU:
        if band.low <= ikm <= band.high:
            return band
    raise ValueError(f"IKM {ikm} outside 25.00–100.00")


@dataclass(frozen=True)
class Index:
    responden: int
    nrr: tuple[Fraction, ...]  # the nine exact element averages (empty without answers)
    ikm: Decimal | None  # rounded to two decimals, half up
    mutu: Mutu | None

    def nrr_rounded(self, step: Decimal = THREE) -> list[Decimal]:
        return [_round(v, step) for v in self.nrr]

    def nrr_tertimbang(self) -> list[Decimal]:
        """NRR × 1/9 per element, three decimals (the regulation's worksheet column)."""
        return [_round(v / 9, THREE) for v in self.nrr]

    def ikm_unsur(self) -> list[Decimal]:
        """Each element's average on the 25–100 scale (NRR × 25), two decimals."""
        return [_round(v * 25, TWO) for v in self.nrr]

    def weakest(self, count: int = 3) -> list[int]:
        """The element numbers (1..9) with the lowest averages, lowest first."""
        order = sorted(range(len(self.nrr)), key=lambda i: (self.nrr[i], i))
        return [i + 1 for i in order[:count]]


def compute(answers: Sequence[Sequence[int]]) -> Index:
    """IKM = 25 × (1/9) × Σ NRRᵢ over the respondents' nine answers, computed exactly and
    rounded once, to two decimals, half up; the mutu from that rounded value."""
    n = len(answers)
    if n == 0:
        return Index(0, (), None, None)
    sums = [0] * 9
    for row in answers:
        if len(row) != 9:
            raise ValueError("nine answers per respondent")
        for i, v in enumerate(row):
            if v not in (1, 2, 3, 4):
                raise ValueError(f"answer {v!r} outside 1..4")
            sums[i] += v
    return index_from_sums(n, sums)


def index_from_sums(n: int, sums: Sequence[int]) -> Index:
    """As :func:`compute`, from the respondent count and the nine column sums."""
    if n == 0:
        return Index(0, (), None, None)
    nrr = tuple(Fraction(s, n) for s in sums)
    ikm = _round(Fraction(25, 9) * sum(nrr, Fraction(0)), TWO)
    return Index(n, nrr, ikm, mutu_of(ikm))


# --------------------------------------------------------------------------- sample size

KM_CHI_SQUARE = Fraction("3.841")  # χ² for 1 degree of freedom at 95 %
KM_P = Fraction(1, 2)
KM_D = Fraction("0.05")


def krejcie_morgan(population: int) -> int:
    """The minimum sample s = χ²NP(1−P) / (d²(N−1) + χ²P(1−P)) (Krejcie & Morgan 1970, which
    the regulation refers to), rounded to the nearest whole respondent as their table is."""
    if population <= 0:
        return 0
    n = Fraction(population)
    pq = KM_P * (1 - KM_P)
    s = KM_CHI_SQUARE * n * pq / (KM_D**2 * (n - 1) + KM_CHI_SQUARE * pq)
    return int(_round(s, Decimal(1)))


# --------------------------------------------------------------------------- periods

PERIOD_KINDS = ("triwulan", "semester", "tahun")


def period_dates(kind: str, year: int, number: int = 1) -> tuple[date, date]:
    """The first and last day of quarter/semester ``number`` of ``year`` (or the year)."""
    if kind == "triwulan":
        if not 1 <= number <= 4:
            raise InputError("Triwulan harus 1, 2, 3 atau 4.", "periode")
        first_month, months = 3 * (number - 1) + 1, 3
    elif kind == "semester":
        if number not in (1, 2):
            raise InputError("Semester harus 1 atau 2.", "periode")
        first_month, months = 6 * (number - 1) + 1, 6
    elif kind == "tahun":
        first_month, months = 1, 12
    else:
        raise InputError(f"Jenis periode '{kind}' tidak dikenal.", "periode")
    start = date(year, first_month, 1)
    end_month = first_month + months
    end = date(year + 1, 1, 1) if end_month > 12 else date(year, end_month, 1)
    return start, end - timedelta(days=1)


_PERIOD_TEXT = re.compile(r"^\s*(\d{4})(?:\s*-\s*([TtSs])\s*([1-4]))?\s*$")


def parse_period(text: str) -> tuple[date, date]:
    """``2026`` (the year), ``2026-S1`` / ``2026-S2`` (semester), ``2026-T1`` … ``2026-T4``
    (triwulan)."""
    m = _PERIOD_TEXT.match(text)
    if m is None:
        raise InputError(
            f"Periode '{text}' tidak dikenal; tulis 2026 (tahun), 2026-S1 (semester) atau "
            "2026-T3 (triwulan).",
            "periode",
        )
    year = int(m.group(1))
    if m.group(2) is None:
        return period_dates("tahun", year)
    kind = "triwulan" if m.group(2).upper() == "T" else "semester"
    return period_dates(kind, year, int(m.group(3)))


def period_label(date_from: date, date_to: date) -> str:
    """``Triwulan IV 2026``, ``Semester I 2026``, ``Tahun 2026`` or the dates."""
    roman = ("I", "II", "III", "IV")
    year = date_from.year
    for n in range(1, 5):
        if (date_from, date_to) == period_dates("triwulan", year, n):
            return f"Triwulan {roman[n - 1]} {year}"
    for n in (1, 2):
        if (date_from, date_to) == period_dates("semester", year, n):
            return f"Semester {roman[n - 1]} {year}"
    if (date_from, date_to) == period_dates("tahun", year):
        return f"Tahun {year}"
    return f"{date_from:%d-%m-%Y} s.d. {date_to:%d-%m-%Y}"


# --------------------------------------------------------------------------- answer string

#: The alphabet of the check value (the tracking codes' 31 symbols).
CHECK_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXY"
PREFIX = "SKM"


def check_value(payload: str) -> str:
    """Two symbols: Σ (i+1)·ord(cᵢ) mod 961, in base 31. ``skm.js`` computes the same."""
    total = sum((i + 1) * ord(c) for i, c in enumerate(payload)) % (31 * 31)
    return CHECK_ALPHABET[total // 31] + CHECK_ALPHABET[total % 31]


@dataclass(frozen=True)
class Answer:
    """One respondent's answers, as any of the three ways enters them."""

    service: str | None  # a service code; taken from the request when ``code`` is given
    day: date | None  # the day answered (WIB); today when None
    code: str | None  # the tracking code, or None (paper forms and imports may have none)
    nilai: tuple[int, ...]  # u1..u9, each 1..4
    umur: int | None = None
    jenis_kelamin: str | None = None  # "L" / "P"
    pendidikan: int | None = None  # PENDIDIKAN code
    pekerjaan: int | None = None  # PEKERJAAN code
    saran: str | None = None


def payload_of(
    code: str,
    nilai: Sequence[int],
    umur: int | None,
    jk: str | None,
    pendidikan: int | None,
    pekerjaan: int | None,
) -> str:
    return (
        code
        + "".join(str(v) for v in nilai)
        + (f"{umur:02d}" if umur is not None else "00")
        + (jk or "X")
        + str(pendidikan or 0)
        + str(pekerjaan or 0)
    )


def encode_answer(answer: Answer) -> str:
    """``SKM-ABCDEFGH3-443434344-35L54-K7``: prefix, tracking code, the nine answers, umur
    (two digits, ``00`` not given), jenis kelamin (L/P, ``X`` not given), pendidikan and
    pekerjaan codes (``0`` not given), and a two-symbol check value over all of it."""
    if answer.code is None:
        raise ValueError("an answer string needs the tracking code")
    payload = payload_of(
        answer.code,
        answer.nilai,
        answer.umur,
        answer.jenis_kelamin,
        answer.pendidikan,
        answer.pekerjaan,
    )
    profile = payload[18:]
    return f"{PREFIX}-{answer.code}-{payload[9:18]}-{profile}-{check_value(payload)}"


_STRING = re.compile(
    r"SKM[\s\-]*([0-9A-Z]{4})[\s\-]?([0-9A-Z]{5})[\s\-]+([0-9]{9})[\s\-]+"
    r"([0-9]{2})([A-Z])([0-9])([0-9])[\s\-]+([0-9A-Z]{2})(?![0-9A-Z])",
    re.IGNORECASE,
)
_SARAN = re.compile(r"saran\s*:\s*(.*)", re.IGNORECASE | re.DOTALL)


def find_answer_string(text: str) -> bool:
    """Whether ``text`` holds something shaped like an answer string (checked or not)."""
    return _STRING.search(text) is not None


def decode_answer(text: str) -> Answer:
    """The answer in a pasted WhatsApp message (the string anywhere in it, and the text after
    ``Saran:`` as the suggestion). Raises InputError (Indonesian) when the string is damaged."""
    from ..identity import ValidationError, normalize_tracking_code

    m = _STRING.search(text)
    if m is None:
        raise InputError("Pesan ini tidak memuat jawaban survei (SKM-…).", "skm")
    code_raw = (m.group(1) + m.group(2)).upper()
    digits, umur_s, jk, pend, kerja, check = (
        m.group(3),
        m.group(4),
        m.group(5).upper(),
        m.group(6),
        m.group(7),
        m.group(8).upper(),
    )
    payload = code_raw + digits + umur_s + jk + pend + kerja
    if check_value(payload) != check:
        raise InputError(
            "Jawaban survei dalam pesan ini rusak atau diubah (nilai periksa tidak cocok); "
            "minta pemohon mengirim ulang dari halaman status.",
            "skm",
        )
    try:
        code = normalize_tracking_code(code_raw)
    except ValidationError as exc:
        raise InputError(str(exc), "kode") from None
    nilai = tuple(parse_nilai(d, i) for i, d in enumerate(digits, start=1))
    umur = None if umur_s == "00" else parse_umur(umur_s)
    if jk not in ("L", "P", "X"):
        raise InputError(f"Jenis kelamin '{jk}' dalam jawaban survei tidak dikenal.", "skm")
    if int(pend) > 6 or int(kerja) > 6:
        raise InputError("Kode pendidikan/pekerjaan dalam jawaban survei tidak dikenal.", "skm")
    saran_m = _SARAN.search(text[m.end() :])
    return Answer(
        service=None,
        day=None,
        code=code,
        nilai=nilai,
        umur=umur,
        jenis_kelamin=None if jk == "X" else jk,
        pendidikan=int(pend) or None,
        pekerjaan=int(kerja) or None,
        saran=clean_saran(saran_m.group(1)) if saran_m else None,
    )
