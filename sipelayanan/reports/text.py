"""Indonesian formatting of dates, times, numbers and durations for printed and sent text.

Pure functions, no I/O: the status replies and WhatsApp messages use them too. Every datetime is
shown in WIB ("pukul 08.00 WIB"); naive datetimes are refused.
"""

from __future__ import annotations

from datetime import date, datetime

from ..calendar import DAY_NAMES, WIB

MONTHS: tuple[str, ...] = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def _wib(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime")
    return value.astimezone(WIB)


def _day(value: date | datetime) -> date:
    return _wib(value).date() if isinstance(value, datetime) else value


def nama_bulan(month: int) -> str:
    return MONTHS[month - 1]


def nama_hari(value: date | datetime) -> str:
    """``"Senin"`` .. ``"Minggu"``."""
    return DAY_NAMES[_day(value).isoweekday()]


def tanggal(value: date | datetime) -> str:
    """``"17 November 2026"``."""
    d = _day(value)
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def hari_tanggal(value: date | datetime) -> str:
    """``"Selasa, 17 November 2026"``."""
    return f"{nama_hari(value)}, {tanggal(value)}"


def jam(value: datetime) -> str:
    """``"08.00"`` (Indonesian style: a period between hours and minutes)."""
    t = _wib(value)
    return f"{t.hour:02d}.{t.minute:02d}"


def waktu(value: datetime, *, hari: bool = True) -> str:
    """``"Selasa, 17 November 2026 pukul 08.00 WIB"`` (without the day name if ``hari`` is
    false)."""
    day = hari_tanggal(value) if hari else tanggal(value)
    return f"{day} pukul {jam(value)} WIB"


def tanggal_angka(value: date | datetime) -> str:
    """``"17-11-2026"`` for dense tables."""
    d = _day(value)
    return f"{d.day:02d}-{d.month:02d}-{d.year}"


def tanggal_jam_angka(value: datetime) -> str:
    """``"17-11-2026 08.00"``."""
    return f"{tanggal_angka(value)} {jam(value)}"


def bulan_tahun(value: date | datetime) -> str:
    """``"November 2026"``."""
    d = _day(value)
    return f"{MONTHS[d.month - 1]} {d.year}"


def periode(date_from: date, date_to: date) -> str:
    """A period in words: ``"17 November 2026"``, ``"1–30 November 2026"``,
    ``"1 Oktober – 30 November 2026"``, ``"1 Desember 2025 – 31 Januari 2026"``."""
    if date_from == date_to:
        return tanggal(date_from)
    if (date_from.year, date_from.month) == (date_to.year, date_to.month):
        return f"{date_from.day}–{date_to.day} {MONTHS[date_to.month - 1]} {date_to.year}"
    if date_from.year == date_to.year:
        return (
            f"{date_from.day} {MONTHS[date_from.month - 1]} – "
            f"{date_to.day} {MONTHS[date_to.month - 1]} {date_to.year}"
        )
    return f"{tanggal(date_from)} – {tanggal(date_to)}"


def angka(value: int | float, decimals: int = 0) -> str:
    """``1234567`` -> ``"1.234.567"``; ``12.5, 1`` -> ``"12,5"`` (Indonesian separators)."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def persen(part: int | float, whole: int | float, decimals: int = 1) -> str:
    """``"95,5%"``; ``"–"`` when ``whole`` is 0 (no share of nothing)."""
    if not whole:
        return "–"
    return f"{angka(100.0 * part / whole, decimals)}%"


def durasi_menit(minutes: float) -> str:
    """Working minutes in words: ``"45 menit"``, ``"2 jam 5 menit"``."""
    total = max(0, round(minutes))
    hours, rest = divmod(total, 60)
    if hours == 0:
        return f"{rest} menit"
    if rest == 0:
        return f"{hours} jam"
    return f"{hours} jam {rest} menit"
