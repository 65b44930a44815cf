"""Working time of the office in Asia/Jakarta (WIB): office hours, national holidays, cuti bersama
and office closures, and the "1 hari kerja" due-time rule.

All datetimes passed in must be timezone-aware (any zone; they are converted to WIB). Naive
datetimes are rejected with ``ValueError``. Every datetime returned is in WIB. WIB has no daylight
saving time, so wall-clock arithmetic in WIB is exact.
"""

from __future__ import annotations

import bisect
import importlib.util
import json
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

__all__ = [
    "WIB",
    "DayHours",
    "OfficeHours",
    "WorkCalendar",
    "national_holidays",
    "set_holiday_cache",
]

WIB = ZoneInfo("Asia/Jakarta")

# (open, close, lunch_start, lunch_end); lunch_start/lunch_end both None when there is no break.
DayHours = tuple[time, time, time | None, time | None]

DAY_NAMES: Mapping[int, str] = MappingProxyType(
    {1: "Senin", 2: "Selasa", 3: "Rabu", 4: "Kamis", 5: "Jumat", 6: "Sabtu", 7: "Minggu"}
)
CLOSURE_NAME = "Kantor tutup"

_ONE_DAY = timedelta(days=1)
_ONE_MINUTE = timedelta(minutes=1)
# next_opening gives up after this many days without a single working day.
_MAX_SEARCH_DAYS = 3700


# --------------------------------------------------------------------------------------------
# National holidays
# --------------------------------------------------------------------------------------------


#: Folder where computed holiday tables are kept between starts (None: no cache). The desktop
#: app sets it: loading the ``holidays`` package imports every country's module (~0.15 s of a
#: cold start) to answer for one country whose table for a year is a few hundred bytes.
_cache_dir: Path | None = None


def set_holiday_cache(folder: Path | None) -> None:
    """Keep computed holiday tables in ``folder`` (created on first write), or stop caching."""
    global _cache_dir
    _cache_dir = folder


def _holidays_release() -> str | None:
    """The installed ``holidays`` release, e.g. "holidays-0.109", from its metadata folder's name
    — found without importing the package (a frozen build ships the same folder, which the
    package itself reads for its version). None when it cannot be told: then nothing is cached."""
    spec = importlib.util.find_spec("holidays")  # locates the package, does not run it
    if spec is None or spec.origin is None:
        return None
    try:
        found = sorted(Path(spec.origin).parent.parent.glob("holidays-*.dist-info"))
    except OSError:
        return None
    return found[-1].name.removesuffix(".dist-info") if len(found) == 1 else None


def _cached(year: int, release: str) -> dict[date, str] | None:
    assert _cache_dir is not None
    try:
        data = json.loads((_cache_dir / f"hari-libur-ID-{year}.json").read_text("utf-8"))
        if data.get("release") != release or data.get("year") != year:
            return None
        days = {date.fromisoformat(d): str(n) for d, n in data["days"].items()}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None  # absent, unreadable or from another version: compute it again
    return days if all(d.year == year for d in days) else None


def _store(year: int, release: str, days: Mapping[date, str]) -> None:
    assert _cache_dir is not None
    payload = {
        "release": release,
        "year": year,
        "days": {d.isoformat(): n for d, n in days.items()},
    }
    target = _cache_dir / f"hari-libur-ID-{year}.json"
    try:
        _cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(payload, ensure_ascii=False, sort_keys=True), "utf-8")
        os.replace(tmp, target)
    except OSError:
        pass  # a read-only folder only costs the next start the computation


@cache
def national_holidays(year: int) -> Mapping[date, str]:
    """Indonesian public holidays and cuti bersama of one year, names in Bahasa Indonesia.

    From the ``holidays`` package (categories "public" and "government"; the latter holds cuti
    bersama). Future Islamic/lunar dates may carry the suffix "(perkiraan)". With a cache folder
    set (:func:`set_holiday_cache`), a year computed by the same ``holidays`` release is read
    back from there instead.
    """
    release = _holidays_release() if _cache_dir is not None else None
    if release is not None:
        days = _cached(year, release)
        if days is not None:
            return MappingProxyType(days)
    import holidays  # on first use: a status answer or --help never needs the holiday tables

    table = holidays.country_holidays(
        "ID", categories=("public", "government"), years=year, language="id"
    )
    computed = {d: str(name) for d, name in table.items() if d.year == year}
    if release is not None:
        _store(year, release, computed)
    return MappingProxyType(computed)


# --------------------------------------------------------------------------------------------
# Office hours
# --------------------------------------------------------------------------------------------


def _minute_of_day(t: time) -> float:
    return t.hour * 60 + t.minute + t.second / 60 + t.microsecond / 60_000_000


def _validate_day(weekday: int, entry: object) -> DayHours | None:
    name = DAY_NAMES[weekday]
    if entry is None:
        return None
    if not isinstance(entry, tuple | list) or len(entry) != 4:
        raise ValueError(
            f"Jam kerja hari {name} harus berisi jam buka, jam tutup, mulai istirahat dan "
            "selesai istirahat."
        )
    opening, closing, lunch_start, lunch_end = entry
    if not isinstance(opening, time) or not isinstance(closing, time):
        raise ValueError(f"Jam buka dan jam tutup hari {name} wajib diisi.")
    for value in (opening, closing, lunch_start, lunch_end):
        if value is not None and (not isinstance(value, time) or value.tzinfo is not None):
            raise ValueError(f"Jam kerja hari {name} harus berupa jam tanpa zona waktu.")
    if not opening < closing:
        raise ValueError(
            f"Jam buka hari {name} ({opening:%H:%M}) harus sebelum jam tutup ({closing:%H:%M})."
        )
    if (lunch_start is None) != (lunch_end is None):
        raise ValueError(
            f"Jam istirahat hari {name} harus diisi lengkap (mulai dan selesai) atau dikosongkan."
        )
    if lunch_start is not None and lunch_end is not None:
        if not lunch_start < lunch_end:
            raise ValueError(
                f"Mulai istirahat hari {name} ({lunch_start:%H:%M}) harus sebelum selesai "
                f"istirahat ({lunch_end:%H:%M})."
            )
        if lunch_start < opening or lunch_end > closing:
            raise ValueError(
                f"Jam istirahat hari {name} ({lunch_start:%H:%M}–{lunch_end:%H:%M}) harus di "
                f"dalam jam kerja ({opening:%H:%M}–{closing:%H:%M})."
            )
    return (opening, closing, lunch_start, lunch_end)


def _time_to_json(t: time | None) -> str | None:
    if t is None:
        return None
    return t.strftime("%H:%M") if t.second == 0 and t.microsecond == 0 else t.isoformat()


def _time_from_json(value: object, weekday: int, what: str) -> time | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            parsed = time.fromisoformat(value.strip())
        except ValueError:
            pass
        else:
            if parsed.tzinfo is None:
                return parsed
    raise ValueError(
        f'{what} hari {DAY_NAMES[weekday]} tidak sah: {value!r} (tulis seperti "07:30").'
    )


@dataclass(frozen=True)
class OfficeHours:
    """Office hours per ISO weekday (1 = Senin .. 7 = Minggu); ``None`` means closed all day.

    Missing weekdays count as closed. At least one day must be open.
    """

    days: Mapping[int, DayHours | None]

    def __post_init__(self) -> None:
        for key in self.days:
            if not isinstance(key, int) or isinstance(key, bool) or key not in DAY_NAMES:
                raise ValueError(f"Hari {key!r} tidak dikenal; gunakan angka 1 (Senin) s.d. 7.")
        normalized = {wd: _validate_day(wd, self.days.get(wd)) for wd in DAY_NAMES}
        if all(entry is None for entry in normalized.values()):
            raise ValueError("Jam kerja tidak sah: minimal satu hari dalam seminggu harus buka.")
        object.__setattr__(self, "days", MappingProxyType(normalized))

    def __hash__(self) -> int:
        return hash(tuple(self.days.items()))

    @classmethod
    def default(cls) -> OfficeHours:
        """Senin–Kamis 07:30–16:00 (istirahat 12:00–13:00), Jumat 07:30–16:30 (istirahat
        11:30–13:00), Sabtu dan Minggu tutup."""
        mon_thu: DayHours = (time(7, 30), time(16, 0), time(12, 0), time(13, 0))
        fri: DayHours = (time(7, 30), time(16, 30), time(11, 30), time(13, 0))
        return cls({1: mon_thu, 2: mon_thu, 3: mon_thu, 4: mon_thu, 5: fri, 6: None, 7: None})

    def to_json(self) -> dict[str, Any]:
        days: dict[str, Any] = {}
        for weekday, entry in self.days.items():
            if entry is None:
                days[str(weekday)] = None
            else:
                opening, closing, lunch_start, lunch_end = entry
                days[str(weekday)] = {
                    "open": _time_to_json(opening),
                    "close": _time_to_json(closing),
                    "lunch_start": _time_to_json(lunch_start),
                    "lunch_end": _time_to_json(lunch_end),
                }
        return {"days": days}

    @classmethod
    def from_json(cls, data: Any) -> OfficeHours:
        """Inverse of :meth:`to_json`; raises ``ValueError`` (Bahasa Indonesia) on bad data."""
        if not isinstance(data, Mapping) or not isinstance(data.get("days"), Mapping):
            raise ValueError("Data jam kerja tidak sah: bagian 'days' tidak ditemukan.")
        days: dict[int, DayHours | None] = {}
        for key, entry in data["days"].items():
            try:
                weekday = int(key)
            except (TypeError, ValueError):
                weekday = 0
            if weekday not in DAY_NAMES or isinstance(key, bool):
                raise ValueError(f"Hari {key!r} tidak dikenal; gunakan angka 1 (Senin) s.d. 7.")
            if entry is None:
                days[weekday] = None
                continue
            if not isinstance(entry, Mapping):
                raise ValueError(f"Jam kerja hari {DAY_NAMES[weekday]} tidak sah.")
            opening = _time_from_json(entry.get("open"), weekday, "Jam buka")
            closing = _time_from_json(entry.get("close"), weekday, "Jam tutup")
            if opening is None or closing is None:
                raise ValueError(f"Jam buka dan jam tutup hari {DAY_NAMES[weekday]} wajib diisi.")
            days[weekday] = (
                opening,
                closing,
                _time_from_json(entry.get("lunch_start"), weekday, "Mulai istirahat"),
                _time_from_json(entry.get("lunch_end"), weekday, "Selesai istirahat"),
            )
        return cls(days)


# --------------------------------------------------------------------------------------------
# Working calendar
# --------------------------------------------------------------------------------------------


def _to_wib(t: datetime) -> datetime:
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError("Waktu harus menyertakan zona waktu (misalnya WIB); waktu naif ditolak.")
    return t.astimezone(WIB)


def _minutes(delta: timedelta) -> float:
    return delta / _ONE_MINUTE


class WorkCalendar:
    """Working days and minutes of the office: office hours minus national holidays, cuti
    bersama (when ``holidays_enabled``) and office closures (``closures``)."""

    def __init__(
        self,
        hours: OfficeHours | None = None,
        closures: Iterable[date] = (),
        *,
        holidays_enabled: bool = True,
    ) -> None:
        self.hours = hours if hours is not None else OfficeHours.default()
        self.closures: frozenset[date] = frozenset(
            c.date() if isinstance(c, datetime) else c for c in closures
        )
        self.holidays_enabled = holidays_enabled
        self._sorted_closures = sorted(self.closures)
        # Working spans per ISO weekday as minute-of-day offsets, and their total.
        self._spans: dict[int, tuple[tuple[time, time], ...]] = {}
        self._base_minutes: dict[int, float] = {}
        for weekday, entry in self.hours.days.items():
            spans: list[tuple[time, time]] = []
            if entry is not None:
                opening, closing, lunch_start, lunch_end = entry
                if lunch_start is not None and lunch_end is not None:
                    spans = [(opening, lunch_start), (lunch_end, closing)]
                else:
                    spans = [(opening, closing)]
            spans = [(s, e) for s, e in spans if s < e]
            self._spans[weekday] = tuple(spans)
            self._base_minutes[weekday] = sum(
                _minute_of_day(e) - _minute_of_day(s) for s, e in spans
            )
        self._week_minutes = sum(self._base_minutes.values())

    def __repr__(self) -> str:
        return (
            f"WorkCalendar(hours={self.hours!r}, closures={len(self.closures)} tanggal, "
            f"holidays_enabled={self.holidays_enabled})"
        )

    # -- days ---------------------------------------------------------------------------------

    def _national_holiday(self, d: date) -> str | None:
        if not self.holidays_enabled:
            return None
        return national_holidays(d.year).get(d)

    def holiday_name(self, d: date) -> str | None:
        """National holiday / cuti bersama name, "Kantor tutup" for an office closure, else None."""
        name = self._national_holiday(d)
        if name is not None:
            return name
        if d in self.closures:
            return CLOSURE_NAME
        return None

    def is_working_day(self, d: date) -> bool:
        return (
            self._base_minutes[d.isoweekday()] > 0
            and d not in self.closures
            and self._national_holiday(d) is None
        )

    def day_minutes(self, d: date) -> float:
        """Working minutes of that day (0 on closed days, holidays and closures)."""
        return self._base_minutes[d.isoweekday()] if self.is_working_day(d) else 0.0

    def intervals(self, d: date) -> list[tuple[datetime, datetime]]:
        """The WIB working intervals of that day, lunch break excluded; empty when closed."""
        if not self.is_working_day(d):
            return []
        return [
            (datetime.combine(d, s, tzinfo=WIB), datetime.combine(d, e, tzinfo=WIB))
            for s, e in self._spans[d.isoweekday()]
        ]

    def _whole_days_minutes(self, first: date, stop: date) -> float:
        """Working minutes of the whole days ``first <= d < stop``, without visiting each day."""
        n = (stop - first).days
        if n <= 0:
            return 0.0
        weeks, rest = divmod(n, 7)
        total = weeks * self._week_minutes
        for k in range(rest):
            total += self._base_minutes[(first + timedelta(days=k)).isoweekday()]
        lost: set[date] = set()
        if self.holidays_enabled:
            for year in range(first.year, stop.year + 1):
                lost.update(d for d in national_holidays(year) if first <= d < stop)
        lo = bisect.bisect_left(self._sorted_closures, first)
        hi = bisect.bisect_left(self._sorted_closures, stop)
        lost.update(self._sorted_closures[lo:hi])
        total -= sum(self._base_minutes[d.isoweekday()] for d in lost)
        return total

    # -- moments ------------------------------------------------------------------------------

    def next_opening(self, t: datetime) -> datetime:
        """``t`` (in WIB) if it lies in working time, else the next moment work starts."""
        t = _to_wib(t)
        d = t.date()
        for start, end in self.intervals(d):
            if t < end:
                return max(start, t)
        for _ in range(_MAX_SEARCH_DAYS):
            d += _ONE_DAY
            spans = self.intervals(d)
            if spans:
                return spans[0][0]
        raise ValueError(
            f"Tidak ada hari kerja dalam {_MAX_SEARCH_DAYS} hari setelah {t:%d-%m-%Y}; "
            "periksa daftar hari kantor tutup."
        )

    def working_minutes(self, start: datetime, end: datetime) -> float:
        """Working minutes between two aware datetimes; 0 when ``end <= start``."""
        start, end = _to_wib(start), _to_wib(end)
        if end <= start:
            return 0.0
        first, last = start.date(), end.date()
        if first == last:
            return self._partial(first, start, end)
        return (
            self._partial(first, start, None)
            + self._whole_days_minutes(first + _ONE_DAY, last)
            + self._partial(last, None, end)
        )

    def _partial(self, d: date, lo: datetime | None, hi: datetime | None) -> float:
        total = 0.0
        for start, end in self.intervals(d):
            s = start if lo is None else max(start, lo)
            e = end if hi is None else min(end, hi)
            if e > s:
                total += _minutes(e - s)
        return total

    def add_working_minutes(self, t: datetime, minutes: float) -> datetime:
        """The moment at which ``minutes`` working minutes have passed since ``t``.

        When the count runs out exactly at the start of the lunch break, the end of the break is
        returned (13:00 rather than 12:00); when it runs out exactly at closing time, the closing
        time is returned (16:00 rather than the next morning). ``minutes`` of 0 returns ``t``
        (in WIB) unchanged.
        """
        t = _to_wib(t)
        if not math.isfinite(minutes) or minutes < 0:
            raise ValueError("Jumlah menit kerja harus berupa angka 0 atau lebih.")
        if minutes == 0:
            return t
        remaining = float(minutes)
        try:
            found, remaining = self._walk_day(t.date(), t, remaining)
            if found is not None:
                return found
            d = t.date() + _ONE_DAY
            # Jump over whole weeks while far from the target; never overshoots because a
            # week of k weeks holds at most k * week_minutes.
            while remaining > 3 * self._week_minutes:
                stop = d + timedelta(weeks=int(remaining // self._week_minutes) - 1)
                remaining -= self._whole_days_minutes(d, stop)
                d = stop
            while True:
                day = self.day_minutes(d)
                if day > 0 and remaining <= day:
                    found, remaining = self._walk_day(d, None, remaining)
                    if found is not None:
                        return found
                else:
                    remaining -= day
                d += _ONE_DAY
        except OverflowError as exc:
            raise ValueError("Hasil perhitungan waktu kerja melewati batas kalender.") from exc

    def _walk_day(
        self, d: date, after: datetime | None, remaining: float
    ) -> tuple[datetime | None, float]:
        """Spend ``remaining`` minutes in day ``d`` from ``after`` on; (moment or None, rest)."""
        spans = self.intervals(d)
        for index, (start, end) in enumerate(spans):
            if after is not None and end <= after:
                continue
            s = start if after is None else max(start, after)
            available = _minutes(end - s)
            if remaining < available:
                return s + timedelta(minutes=remaining), 0.0
            if remaining == available and index == len(spans) - 1:
                return end, 0.0
            # Ending exactly at the lunch break: continue so the result is when work resumes.
            remaining -= available
        return None, remaining

    def due_time(self, received: datetime) -> datetime:
        """Due moment for "1 hari kerja": one full working day of that start day's length,
        counted from the first working moment at or after ``received``."""
        start = self.next_opening(received)
        return self.add_working_minutes(start, self.day_minutes(start.date()))
