"""Tests for sipelayanan.calendar: office hours, holidays, working minutes, due times."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sipelayanan.calendar import WIB, OfficeHours, WorkCalendar, national_holidays

CAL = WorkCalendar()
WIT = timezone(timedelta(hours=9), "WIT")


def wib(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=WIB)


# Reference weeks (checked against the holidays table in test_reference_weeks):
# 2026-08-10 Mon .. 2026-08-14 Fri are ordinary working days; 2026-08-17 Mon is Hari Kemerdekaan.
MON = date(2026, 8, 10)
TUE = date(2026, 8, 11)
FRI = date(2026, 8, 14)
SAT = date(2026, 8, 15)
KEMERDEKAAN = date(2026, 8, 17)


def _cuti_bersama(year: int) -> date:
    """The first cuti bersama of ``year`` on a weekday, as listed by the holidays library."""
    return next(
        d
        for d, name in sorted(national_holidays(year).items())
        if name.startswith("Cuti Bersama") and d.isoweekday() <= 5
    )


# --------------------------------------------------------------------------------------------
# Office hours
# --------------------------------------------------------------------------------------------


def test_default_office_hours() -> None:
    hours = OfficeHours.default()
    mon_thu = (time(7, 30), time(16, 0), time(12, 0), time(13, 0))
    for weekday in (1, 2, 3, 4):
        assert hours.days[weekday] == mon_thu
    assert hours.days[5] == (time(7, 30), time(16, 30), time(11, 30), time(13, 0))
    assert hours.days[6] is None
    assert hours.days[7] is None
    assert hash(hours) == hash(OfficeHours.default())
    assert hours == OfficeHours.default()


def test_office_hours_json_roundtrip() -> None:
    hours = OfficeHours.default()
    data = hours.to_json()
    assert data["days"]["1"] == {
        "open": "07:30",
        "close": "16:00",
        "lunch_start": "12:00",
        "lunch_end": "13:00",
    }
    assert data["days"]["6"] is None
    assert OfficeHours.from_json(data) == hours
    no_lunch = OfficeHours({6: (time(8, 0), time(12, 0, 30), None, None)})
    assert OfficeHours.from_json(no_lunch.to_json()) == no_lunch
    assert no_lunch.days[1] is None  # missing days are closed


def _valid_day() -> st.SearchStrategy[tuple[time, time, time | None, time | None] | None]:
    minutes = st.lists(
        st.integers(min_value=0, max_value=24 * 60 - 1), min_size=4, max_size=4, unique=True
    ).map(sorted)

    def build(ms: list[int], lunch: bool) -> tuple[time, time, time | None, time | None]:
        t = [time(m // 60, m % 60) for m in ms]
        if lunch:
            return (t[0], t[3], t[1], t[2])
        return (t[0], t[3], None, None)

    return st.none() | st.builds(build, minutes, st.booleans())


@given(st.fixed_dictionaries({wd: _valid_day() for wd in range(1, 8)}))
def test_office_hours_json_roundtrip_property(days: dict[int, Any]) -> None:
    if all(v is None for v in days.values()):
        with pytest.raises(ValueError, match="minimal satu hari"):
            OfficeHours(days)
        return
    hours = OfficeHours(days)
    assert OfficeHours.from_json(hours.to_json()) == hours


@pytest.mark.parametrize(
    ("data", "pattern"),
    [
        (None, "bagian 'days' tidak ditemukan"),
        ({}, "bagian 'days' tidak ditemukan"),
        ({"days": {"8": None}}, "Hari '8' tidak dikenal"),
        ({"days": {"x": None}}, "Hari 'x' tidak dikenal"),
        ({"days": {str(d): None for d in range(1, 8)}}, "minimal satu hari"),
        (
            {"days": {"1": {"open": "16:00", "close": "07:30"}}},
            r"Jam buka hari Senin \(16:00\) harus sebelum jam tutup \(07:30\)",
        ),
        (
            {"days": {"5": {"open": "07:30", "close": "16:30", "lunch_start": "11:30"}}},
            "Jam istirahat hari Jumat harus diisi lengkap",
        ),
        (
            {
                "days": {
                    "2": {
                        "open": "07:30",
                        "close": "16:00",
                        "lunch_start": "07:00",
                        "lunch_end": "08:00",
                    }
                }
            },
            r"Jam istirahat hari Selasa \(07:00–08:00\) harus di dalam jam kerja",
        ),
        (
            {
                "days": {
                    "3": {
                        "open": "07:30",
                        "close": "16:00",
                        "lunch_start": "13:00",
                        "lunch_end": "12:00",
                    }
                }
            },
            r"Mulai istirahat hari Rabu \(13:00\) harus sebelum selesai istirahat",
        ),
        ({"days": {"4": {"open": "7.30", "close": "16:00"}}}, "Jam buka hari Kamis tidak sah"),
        ({"days": {"4": {"open": "07:30"}}}, "Jam buka dan jam tutup hari Kamis wajib diisi"),
        ({"days": {"4": "07:30-16:00"}}, "Jam kerja hari Kamis tidak sah"),
    ],
)
def test_office_hours_from_json_errors(data: Any, pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        OfficeHours.from_json(data)


def test_office_hours_direct_validation() -> None:
    with pytest.raises(ValueError, match="harus sebelum jam tutup"):
        OfficeHours({1: (time(9), time(9), None, None)})
    with pytest.raises(ValueError, match="Hari 0 tidak dikenal"):
        OfficeHours({0: (time(8), time(9), None, None)})


# --------------------------------------------------------------------------------------------
# Days and holidays
# --------------------------------------------------------------------------------------------


def test_reference_weeks() -> None:
    for offset in range(5):
        assert national_holidays(2026).get(MON + timedelta(days=offset)) is None
    assert MON.isoweekday() == 1
    assert FRI.isoweekday() == 5
    assert KEMERDEKAAN.isoweekday() == 1


def test_weekdays_and_weekend() -> None:
    for offset in range(5):
        assert CAL.is_working_day(MON + timedelta(days=offset))
        assert CAL.holiday_name(MON + timedelta(days=offset)) is None
    assert not CAL.is_working_day(SAT)
    assert not CAL.is_working_day(SAT + timedelta(days=1))
    assert CAL.holiday_name(SAT) is None
    assert CAL.day_minutes(MON) == 450
    assert CAL.day_minutes(FRI) == 450
    assert CAL.day_minutes(SAT) == 0


def test_independence_day_is_a_holiday() -> None:
    assert not CAL.is_working_day(KEMERDEKAAN)
    assert CAL.holiday_name(KEMERDEKAAN) == "Hari Kemerdekaan Republik Indonesia"
    assert CAL.intervals(KEMERDEKAAN) == []
    assert CAL.day_minutes(KEMERDEKAAN) == 0
    assert WorkCalendar(holidays_enabled=False).is_working_day(KEMERDEKAAN)
    assert WorkCalendar(holidays_enabled=False).holiday_name(KEMERDEKAAN) is None


def test_cuti_bersama_from_library_is_not_a_working_day() -> None:
    # 2025-08-18: Cuti Bersama Hari Kemerdekaan, as listed by the holidays library.
    assert national_holidays(2025)[date(2025, 8, 18)].startswith("Cuti Bersama")
    assert not CAL.is_working_day(date(2025, 8, 18))
    for year in (2025, 2026):
        cuti = _cuti_bersama(year)
        name = CAL.holiday_name(cuti)
        assert name is not None
        assert name.startswith("Cuti Bersama")
        assert not CAL.is_working_day(cuti)
        assert WorkCalendar(holidays_enabled=False).is_working_day(cuti)


def test_office_closure() -> None:
    closed = date(2026, 8, 12)
    cal = WorkCalendar(closures=[closed])
    assert not cal.is_working_day(closed)
    assert cal.holiday_name(closed) == "Kantor tutup"
    assert cal.intervals(closed) == []
    assert cal.next_opening(wib(2026, 8, 11, 16, 0)) == wib(2026, 8, 13, 7, 30)
    assert cal.due_time(wib(2026, 8, 11, 10, 0)) == wib(2026, 8, 13, 10, 0)
    # A national holiday keeps its own name even when also listed as a closure.
    assert WorkCalendar(closures=[KEMERDEKAAN]).holiday_name(KEMERDEKAAN) == (
        "Hari Kemerdekaan Republik Indonesia"
    )


def test_intervals() -> None:
    assert CAL.intervals(MON) == [
        (wib(2026, 8, 10, 7, 30), wib(2026, 8, 10, 12, 0)),
        (wib(2026, 8, 10, 13, 0), wib(2026, 8, 10, 16, 0)),
    ]
    assert CAL.intervals(FRI) == [
        (wib(2026, 8, 14, 7, 30), wib(2026, 8, 14, 11, 30)),
        (wib(2026, 8, 14, 13, 0), wib(2026, 8, 14, 16, 30)),
    ]
    assert CAL.intervals(SAT) == []
    for start, end in CAL.intervals(MON):
        assert start.tzinfo is WIB
        assert end.tzinfo is WIB


# --------------------------------------------------------------------------------------------
# Moments
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (wib(2026, 8, 10, 7, 29, 59), wib(2026, 8, 10, 7, 30)),
        (wib(2026, 8, 10, 7, 30), wib(2026, 8, 10, 7, 30)),
        (wib(2026, 8, 10, 10, 0), wib(2026, 8, 10, 10, 0)),
        (wib(2026, 8, 10, 11, 59, 59), wib(2026, 8, 10, 11, 59, 59)),
        (wib(2026, 8, 10, 12, 0), wib(2026, 8, 10, 13, 0)),
        (wib(2026, 8, 10, 12, 30), wib(2026, 8, 10, 13, 0)),
        (wib(2026, 8, 10, 15, 59), wib(2026, 8, 10, 15, 59)),
        (wib(2026, 8, 10, 16, 0), wib(2026, 8, 11, 7, 30)),
        (wib(2026, 8, 10, 23, 59), wib(2026, 8, 11, 7, 30)),
        (wib(2026, 8, 14, 11, 45), wib(2026, 8, 14, 13, 0)),  # Friday lunch from 11:30
        (wib(2026, 8, 14, 16, 15), wib(2026, 8, 14, 16, 15)),  # Friday open until 16:30
        (wib(2026, 8, 14, 16, 30), wib(2026, 8, 18, 7, 30)),  # weekend + Hari Kemerdekaan
        (wib(2026, 8, 15, 9, 0), wib(2026, 8, 18, 7, 30)),
        (datetime(2026, 8, 10, 3, 0, tzinfo=UTC), wib(2026, 8, 10, 10, 0)),
        (datetime(2026, 8, 10, 12, 0, tzinfo=WIT), wib(2026, 8, 10, 10, 0)),
        (datetime(2026, 8, 10, 0, 0, tzinfo=UTC), wib(2026, 8, 10, 7, 30)),  # 07:00 WIB
    ],
)
def test_next_opening(moment: datetime, expected: datetime) -> None:
    result = CAL.next_opening(moment)
    assert result == expected
    assert result.tzinfo is WIB
    assert result.utcoffset() == timedelta(hours=7)


def test_naive_datetimes_are_rejected() -> None:
    naive = datetime(2026, 8, 10, 10, 0)
    aware = wib(2026, 8, 10, 10, 0)
    with pytest.raises(ValueError, match="zona waktu"):
        CAL.next_opening(naive)
    with pytest.raises(ValueError, match="zona waktu"):
        CAL.working_minutes(naive, aware)
    with pytest.raises(ValueError, match="zona waktu"):
        CAL.working_minutes(aware, naive)
    with pytest.raises(ValueError, match="zona waktu"):
        CAL.add_working_minutes(naive, 10)
    with pytest.raises(ValueError, match="zona waktu"):
        CAL.due_time(naive)


@pytest.mark.parametrize(
    ("start", "end", "minutes"),
    [
        (wib(2026, 8, 10, 7, 30), wib(2026, 8, 10, 16, 0), 450),
        (wib(2026, 8, 10, 0, 0), wib(2026, 8, 11, 0, 0), 450),
        (wib(2026, 8, 10, 11, 0), wib(2026, 8, 10, 14, 0), 120),
        (wib(2026, 8, 10, 12, 10), wib(2026, 8, 10, 12, 50), 0),
        (wib(2026, 8, 10, 15, 59, 30), wib(2026, 8, 10, 16, 0), 0.5),
        (wib(2026, 8, 14, 7, 30), wib(2026, 8, 14, 16, 30), 450),
        (wib(2026, 8, 14, 16, 0), wib(2026, 8, 18, 8, 0), 60),  # over weekend + holiday
        (wib(2026, 8, 10, 0, 0), wib(2026, 8, 17, 0, 0), 5 * 450),
        (wib(2026, 8, 10, 0, 0), wib(2026, 8, 24, 0, 0), 9 * 450),
        (wib(2026, 8, 10, 12, 0), wib(2026, 8, 10, 10, 0), 0),
        (wib(2026, 8, 10, 10, 0), wib(2026, 8, 10, 10, 0), 0),
        (datetime(2026, 8, 10, 3, 0, tzinfo=UTC), wib(2026, 8, 10, 11, 0), 60),
    ],
)
def test_working_minutes(start: datetime, end: datetime, minutes: float) -> None:
    assert CAL.working_minutes(start, end) == pytest.approx(minutes)


def _brute_force_minutes(cal: WorkCalendar, first: date, stop: date) -> float:
    total = 0.0
    d = first
    while d < stop:
        total += cal.day_minutes(d)
        d += timedelta(days=1)
    return total


def test_working_minutes_over_years_matches_day_by_day_sum() -> None:
    cal = WorkCalendar(closures=[date(2024, 3, 5), date(2025, 8, 18), date(2026, 1, 3)])
    start, end = wib(2024, 1, 1, 9, 0), wib(2027, 2, 3, 14, 0)
    whole = _brute_force_minutes(cal, date(2024, 1, 2), date(2027, 2, 3))
    expected = (
        cal.working_minutes(start, wib(2024, 1, 2))
        + whole
        + cal.working_minutes(wib(2027, 2, 3), end)
    )
    assert cal.working_minutes(start, end) == pytest.approx(expected)
    assert cal.working_minutes(wib(2024, 1, 1), wib(2027, 1, 1)) == pytest.approx(
        _brute_force_minutes(cal, date(2024, 1, 1), date(2027, 1, 1))
    )


@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [
        (wib(2026, 8, 10, 7, 30), 60, wib(2026, 8, 10, 8, 30)),
        (wib(2026, 8, 10, 11, 0), 90, wib(2026, 8, 10, 13, 30)),
        (wib(2026, 8, 10, 11, 0), 60, wib(2026, 8, 10, 13, 0)),  # not 12:00: work resumes
        (wib(2026, 8, 10, 12, 30), 30, wib(2026, 8, 10, 13, 30)),
        (wib(2026, 8, 10, 15, 0), 60, wib(2026, 8, 10, 16, 0)),  # closing, not next morning
        (wib(2026, 8, 10, 15, 0), 61, wib(2026, 8, 11, 7, 31)),
        (wib(2026, 8, 14, 16, 0), 31, wib(2026, 8, 18, 7, 31)),
        (wib(2026, 8, 15, 10, 0), 0.5, wib(2026, 8, 18, 7, 30, 30)),
        (wib(2026, 8, 10, 9, 0), 5 * 450, wib(2026, 8, 18, 9, 0)),
        (wib(2026, 8, 10, 10, 0), 0, wib(2026, 8, 10, 10, 0)),
        (wib(2026, 8, 15, 10, 0), 0, wib(2026, 8, 15, 10, 0)),
    ],
)
def test_add_working_minutes(start: datetime, minutes: float, expected: datetime) -> None:
    result = CAL.add_working_minutes(start, minutes)
    assert result == expected
    assert result.tzinfo is WIB


def test_add_working_minutes_rejects_bad_counts() -> None:
    for bad in (-1.0, math.nan, math.inf):
        with pytest.raises(ValueError, match="Jumlah menit kerja"):
            CAL.add_working_minutes(wib(2026, 8, 10, 10, 0), bad)


def test_add_working_minutes_large_count() -> None:
    start = wib(2025, 1, 2, 8, 0)
    minutes = 450.0 * 2000  # roughly eight years of working days
    result = CAL.add_working_minutes(start, minutes)
    assert date(2032, 1, 1) < result.date() < date(2035, 1, 1)
    assert CAL.working_minutes(start, result) == pytest.approx(minutes)
    assert _brute_force_minutes(CAL, start.date(), result.date()) + CAL.working_minutes(
        datetime.combine(result.date(), time(), tzinfo=WIB), result
    ) - CAL.working_minutes(datetime.combine(start.date(), time(), tzinfo=WIB), start) == (
        pytest.approx(minutes)
    )


# --------------------------------------------------------------------------------------------
# Due time ("1 hari kerja")
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (wib(2026, 8, 11, 7, 30), wib(2026, 8, 11, 16, 0)),  # Tuesday opening -> closing
        (wib(2026, 8, 10, 10, 0), wib(2026, 8, 11, 10, 0)),  # Monday 10:00 -> Tuesday 10:00
        (wib(2026, 8, 10, 13, 0), wib(2026, 8, 11, 13, 0)),
        (wib(2026, 8, 10, 12, 15), wib(2026, 8, 11, 13, 0)),  # during lunch
        (wib(2026, 8, 10, 6, 0), wib(2026, 8, 10, 16, 0)),  # before opening
        (wib(2026, 8, 10, 16, 0), wib(2026, 8, 11, 16, 0)),  # at closing
        (wib(2026, 8, 13, 10, 0), wib(2026, 8, 14, 10, 0)),  # Thursday -> Friday
        # Friday 16:15 leaves 15 of Friday's 450 minutes; 435 more end Tuesday 15:45.
        (wib(2026, 8, 14, 16, 15), wib(2026, 8, 18, 15, 45)),
        (wib(2026, 8, 14, 17, 0), wib(2026, 8, 18, 16, 0)),  # Friday 17:00: holiday Monday
        (wib(2026, 8, 7, 17, 0), wib(2026, 8, 10, 16, 0)),  # Friday 17:00 -> Monday closing
        (wib(2026, 8, 8, 9, 0), wib(2026, 8, 10, 16, 0)),  # Saturday
        (datetime(2026, 8, 10, 3, 0, tzinfo=UTC), wib(2026, 8, 11, 10, 0)),
    ],
)
def test_due_time(received: datetime, due: datetime) -> None:
    result = CAL.due_time(received)
    assert result == due
    assert result.tzinfo is WIB


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------

PROPERTY_CAL = WorkCalendar(closures=[date(2026, 8, 12), date(2027, 1, 4), date(2025, 12, 29)])
zones = st.sampled_from([WIB, UTC, WIT, timezone(timedelta(hours=-5))])
moments = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31), timezones=zones
)
minute_counts = st.floats(min_value=0, max_value=200_000, allow_nan=False) | st.integers(
    min_value=0, max_value=5_000
).map(float)


@given(moments, minute_counts, st.sampled_from([CAL, PROPERTY_CAL]))
@settings(deadline=None)
def test_add_then_measure_roundtrip(t: datetime, minutes: float, cal: WorkCalendar) -> None:
    result = cal.add_working_minutes(t, minutes)
    assert result >= t
    assert cal.working_minutes(t, result) == pytest.approx(minutes, rel=1e-9, abs=1e-6)


@given(moments, moments, moments)
@settings(deadline=None)
def test_working_minutes_is_additive(a: datetime, b: datetime, c: datetime) -> None:
    a, b, c = sorted((a, b, c))
    total = PROPERTY_CAL.working_minutes(a, c)
    parts = PROPERTY_CAL.working_minutes(a, b) + PROPERTY_CAL.working_minutes(b, c)
    assert total == pytest.approx(parts, rel=1e-9, abs=1e-6)
    assert total >= 0


@given(moments)
@settings(deadline=None)
def test_next_opening_and_due_time_properties(t: datetime) -> None:
    opening = CAL.next_opening(t)
    assert opening >= t
    assert CAL.working_minutes(t, opening) == 0
    assert any(start <= opening < end for start, end in CAL.intervals(opening.date()))
    due = CAL.due_time(t)
    assert CAL.working_minutes(opening, due) == pytest.approx(CAL.day_minutes(opening.date()))


@pytest.fixture
def holiday_cache(tmp_path: Any) -> Any:
    from sipelayanan import calendar

    national_holidays.cache_clear()
    calendar.set_holiday_cache(tmp_path)
    yield tmp_path
    calendar.set_holiday_cache(None)
    national_holidays.cache_clear()


def test_holiday_tables_are_kept_and_read_back(holiday_cache: Any) -> None:
    """A cold start reads a year's holidays from the cache instead of loading every country of
    the ``holidays`` package; the file is keyed by the package's release."""
    import json

    computed = dict(national_holidays(2026))
    kept = holiday_cache / "hari-libur-ID-2026.json"
    data = json.loads(kept.read_text("utf-8"))
    assert data["release"].startswith("holidays-")
    assert {date.fromisoformat(d): n for d, n in data["days"].items()} == computed
    # a later start (a fresh process: the in-memory cache empty) takes the file's table
    data["days"]["2026-03-03"] = "Hari contoh dari cache"
    kept.write_text(json.dumps(data), "utf-8")
    national_holidays.cache_clear()
    assert national_holidays(2026)[date(2026, 3, 3)] == "Hari contoh dari cache"


@pytest.mark.parametrize(
    "spoil",
    [
        lambda d: d.update(release="holidays-0.1"),  # another release: recomputed
        lambda d: d.update(year=2025),
        lambda d: d["days"].update({"2027-01-05": "x"}),  # a day of another year
        lambda d: d.update(days="rusak"),
    ],
)
def test_a_stale_or_damaged_holiday_cache_is_recomputed(holiday_cache: Any, spoil: Any) -> None:
    import json

    computed = dict(national_holidays(2026))
    kept = holiday_cache / "hari-libur-ID-2026.json"
    data = json.loads(kept.read_text("utf-8"))
    data["days"]["2026-03-03"] = "Hari contoh dari cache"
    spoil(data)
    kept.write_text(json.dumps(data), "utf-8")
    national_holidays.cache_clear()
    assert dict(national_holidays(2026)) == computed
    assert json.loads(kept.read_text("utf-8"))["days"] == {
        d.isoformat(): n for d, n in computed.items()
    }  # and written again, correct


def test_a_garbled_holiday_cache_file_is_recomputed(holiday_cache: Any) -> None:
    computed = dict(national_holidays(2026))
    (holiday_cache / "hari-libur-ID-2026.json").write_bytes(b"\xff\x00{")
    national_holidays.cache_clear()
    assert dict(national_holidays(2026)) == computed
