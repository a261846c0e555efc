"""Deadlines in calendar time and in working time (workflows.calendar). No Django."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflows.calendar import (
    CalendarError,
    Duration,
    DurationError,
    UnknownCalendar,
    WorkingCalendar,
    calendar_named,
    parse_calendar,
    vietnam,
    vietnam_holidays,
    vietnam_years,
)

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "workflows" / "data" / "holidays_vn.json"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
P = Duration.parse


def at(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    """A moment in Vietnamese local time."""
    return datetime(year, month, day, hour, minute, second, tzinfo=VN)


def add_working(start: datetime, text: str) -> datetime:
    return vietnam().add(start, P(text), working=True)


# --------------------------------------------------------------------------- Duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P3D", Duration(days=3)),
        ("PT4H", Duration(hours=4)),
        ("P1DT12H", Duration(days=1, hours=12)),
        ("PT30M", Duration(minutes=30)),
        ("P2W", Duration(days=14)),
        ("P1W", Duration(days=7)),
        ("P1W2D", Duration(days=9)),
        ("PT1H30M15S", Duration(hours=1, minutes=30, seconds=15)),
        ("PT36H", Duration(hours=36)),
        ("P0D", Duration()),
        ("PT0S", Duration()),
        (" p3dt4h ", Duration(days=3, hours=4)),
    ],
)
def test_duration_parses_iso_8601(text: str, expected: Duration) -> None:
    assert Duration.parse(text) == expected


@pytest.mark.parametrize(
    ("duration", "text"),
    [
        (Duration(days=3), "P3D"),
        (Duration(hours=4), "PT4H"),
        (Duration(days=1, hours=12), "P1DT12H"),
        (Duration(minutes=30), "PT30M"),
        (Duration(days=14), "P14D"),
        (Duration(hours=1, seconds=5), "PT1H5S"),
        (Duration(hours=36), "PT36H"),  # not carried into days: PT36H != P1DT12H in working time
        (Duration(), "PT0S"),
    ],
)
def test_duration_str_is_canonical_and_round_trips(duration: Duration, text: str) -> None:
    assert str(duration) == text
    assert Duration.parse(text) == duration


def test_duration_total_seconds() -> None:
    assert P("P1DT1H1M1S").total_seconds() == 86400 + 3600 + 61
    assert P("P1DT1H1M1S").time_seconds() == 3661
    assert P("P2W").total_seconds() == 14 * 86400


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("P1M", "use them; write it in days"),
        ("P1Y", "years and months"),
        ("P1Y2M3D", "years and months"),
        ("P1MT2H", "years and months"),
        ("-P1D", "negative"),
        ("P-1D", "negative"),
        ("P", "no amount"),
        ("PT", "nothing follows 'T'"),
        ("P1DT", "nothing follows 'T'"),
        ("", "empty"),
        ("   ", "empty"),
        ("garbage", "starts with 'P'"),
        ("3D", "starts with 'P'"),
        ("P1.5D", "fractions"),
        ("PT0,5H", "fractions"),
        ("P3X", "not an ISO 8601 duration"),
        ("P1D2W", "not an ISO 8601 duration"),
        ("PT4H3D", "not an ISO 8601 duration"),
        ("P99999999D", "longer than"),
    ],
)
def test_duration_refusals_are_readable(text: str, fragment: str) -> None:
    with pytest.raises(DurationError, match=fragment) as caught:
        Duration.parse(text)
    assert isinstance(caught.value, ValueError)
    assert repr(text) in str(caught.value)  # the message names the text
    assert caught.value.code == "duration_invalid"


def test_duration_months_refusal_suggests_days() -> None:
    with pytest.raises(DurationError) as caught:
        Duration.parse("P1M")
    assert "P30D" in str(caught.value)


def test_duration_refuses_non_strings_and_bad_fields() -> None:
    with pytest.raises(DurationError):
        Duration.parse(3)  # type: ignore[arg-type]
    with pytest.raises(DurationError, match="negative"):
        Duration(days=-1)
    with pytest.raises(DurationError, match="whole number"):
        Duration(hours=1.5)  # type: ignore[arg-type]
    with pytest.raises(DurationError, match="whole number"):
        Duration(days=True)


# --------------------------------------------------------------------------- working days


def test_is_working_day_knows_weekends_holidays_and_swaps() -> None:
    vn = vietnam()
    assert vn.is_working_day(date(2026, 3, 2))  # Monday
    assert not vn.is_working_day(date(2026, 3, 7))  # Saturday
    assert not vn.is_working_day(date(2026, 3, 8))  # Sunday
    assert not vn.is_working_day(date(2026, 2, 17))  # Tết, mùng 1
    assert not vn.is_working_day(date(2026, 1, 2))  # Friday swapped off...
    assert vn.is_working_day(date(2026, 1, 10))  # ...for this make-up Saturday
    assert not vn.is_working_day(date(2026, 4, 27))  # compensatory for Hùng Kings (a Sunday)


def test_calendar_time_is_plain_arithmetic() -> None:
    vn = vietnam()
    start = at(2026, 3, 2, 10)  # Monday
    assert vn.add(start, P("P3D"), working=False) == at(2026, 3, 5, 10)
    assert vn.add(start, P("PT4H"), working=False) == start + timedelta(hours=4)
    assert vn.add(start, P("P1DT12H"), working=False) == start + timedelta(days=1, hours=12)
    # Calendar time ignores weekends and holidays.
    assert vn.add(at(2026, 2, 13, 9), P("P3D"), working=False) == at(2026, 2, 16, 9)
    assert vn.subtract(at(2026, 3, 5, 10), P("P3D"), working=False) == start


def test_calendar_days_keep_the_local_clock_across_dst() -> None:
    berlin = WorkingCalendar("de", timezone="Europe/Berlin")
    start = datetime(2026, 3, 28, 12, tzinfo=ZoneInfo("Europe/Berlin"))  # DST starts 29/3
    due = berlin.add(start, P("P1D"), working=False)
    assert due == datetime(2026, 3, 29, 12, tzinfo=ZoneInfo("Europe/Berlin"))
    assert due.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=23)
    # Hours are elapsed time.
    later = berlin.add(start, P("PT24H"), working=False)
    assert later.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=24)
    assert later == datetime(2026, 3, 29, 13, tzinfo=ZoneInfo("Europe/Berlin"))


def test_three_working_days_from_monday_morning_end_thursday_at_closing() -> None:
    assert add_working(at(2026, 3, 2, 10), "P3D") == at(2026, 3, 5, 17)


def test_working_days_skip_the_weekend() -> None:
    # Thursday: Friday (1), Monday (2), Tuesday (3).
    assert add_working(at(2026, 3, 5, 10), "P3D") == at(2026, 3, 10, 17)
    assert add_working(at(2026, 3, 6, 16), "P1D") == at(2026, 3, 9, 17)


def test_working_days_skip_tet_2026() -> None:
    # The 2026 Tết break is Saturday 14/2 - Sunday 22/2.
    assert add_working(at(2026, 2, 12, 10), "P3D") == at(2026, 2, 24, 17)
    assert add_working(at(2026, 2, 13, 9), "P1D") == at(2026, 2, 23, 17)
    # Received during Tết: counted from the first working day after it.
    assert add_working(at(2026, 2, 18, 10), "P1D") == at(2026, 2, 24, 17)
    assert add_working(at(2026, 2, 18, 10), "PT1H") == at(2026, 2, 23, 8, 30)


def test_fifteen_working_days_over_the_april_holidays() -> None:
    # Received Mon 20/4/2026: Hùng Kings (Sun 26/4, off Mon 27/4), 30/4 and 1/5 are skipped.
    assert add_working(at(2026, 4, 20, 9), "P15D") == at(2026, 5, 14, 17)


def test_working_hours_skip_lunch_and_night() -> None:
    monday = (2026, 3, 2)
    assert add_working(at(*monday, 10), "PT4H") == at(*monday, 15, 30)  # lunch skipped
    assert add_working(at(*monday, 16), "PT4H") == at(2026, 3, 3, 10, 30)  # overnight
    assert add_working(at(*monday, 11), "PT30M") == at(*monday, 11, 30)  # ends at closing
    assert add_working(at(*monday, 11), "PT31M") == at(*monday, 13, 1)
    assert add_working(at(*monday, 12), "PT1H") == at(*monday, 14)  # starts in the lunch break
    assert add_working(at(*monday, 6), "PT1H") == at(*monday, 8, 30)  # before opening
    assert add_working(at(2026, 3, 6, 16), "PT2H") == at(2026, 3, 9, 8, 30)  # over the weekend
    assert add_working(at(*monday, 10), "PT16H") == at(2026, 3, 4, 10)  # two full days


def test_start_outside_office_hours_begins_at_the_next_working_period() -> None:
    sunday = at(2026, 3, 1, 20)
    assert add_working(sunday, "PT1H") == at(2026, 3, 2, 8, 30)
    assert add_working(sunday, "P3D") == at(2026, 3, 5, 17)
    # Monday evening and Monday 17:00 sharp are received on Tuesday.
    assert add_working(at(2026, 3, 2, 18), "P3D") == at(2026, 3, 6, 17)
    assert add_working(at(2026, 3, 2, 17), "P3D") == at(2026, 3, 6, 17)
    assert add_working(at(2026, 3, 2, 16, 59), "P3D") == at(2026, 3, 5, 17)
    # Before opening on Monday: received on Monday.
    assert add_working(at(2026, 3, 2, 6), "P3D") == at(2026, 3, 5, 17)


def test_start_on_a_holiday() -> None:
    # Monday 27/4/2026 is the compensatory day for Hùng Kings (Sunday 26/4).
    assert add_working(at(2026, 4, 27, 9), "PT1H") == at(2026, 4, 28, 8, 30)
    # Thursday 30/4: then 1/5 (Friday) and the weekend are off.
    assert add_working(at(2026, 4, 30, 9), "P1D") == at(2026, 5, 5, 17)
    assert add_working(at(2026, 4, 29, 9), "P1D") == at(2026, 5, 4, 17)


def test_compensatory_day_when_national_day_falls_on_a_weekend() -> None:
    vn = vietnam()
    # 2/9/2029 is a Sunday: 3/9 (adjacent day) and 4/9 (compensatory) are off.
    assert date(2029, 9, 2).weekday() == 6
    assert not vn.is_working_day(date(2029, 9, 3))
    assert not vn.is_working_day(date(2029, 9, 4))
    assert vn.is_working_day(date(2029, 9, 5))
    assert add_working(at(2029, 8, 31, 10), "P1D") == at(2029, 9, 5, 17)
    # 2/9/2028 is a Saturday: 1/9 (Friday, adjacent) and Monday 4/9 (compensatory) are off.
    assert date(2028, 9, 2).weekday() == 5
    assert not vn.is_working_day(date(2028, 9, 1))
    assert not vn.is_working_day(date(2028, 9, 4))
    assert add_working(at(2028, 8, 31, 10), "P1D") == at(2028, 9, 5, 17)


def test_make_up_saturday_is_a_working_day() -> None:
    # Friday 2/1/2026 was swapped with Saturday 10/1/2026.
    assert add_working(at(2026, 1, 9, 10), "P1D") == at(2026, 1, 10, 17)
    assert add_working(at(2025, 12, 31, 10), "P1D") == at(2026, 1, 5, 17)


def test_mixed_duration_counts_days_then_hours() -> None:
    # P1D -> Tuesday 17:00, then 4 office hours -> Wednesday 11:30.
    assert add_working(at(2026, 3, 2, 10), "P1DT4H") == at(2026, 3, 4, 11, 30)


def test_zero_duration_returns_the_start() -> None:
    start = at(2026, 3, 7, 10)  # a Saturday
    assert vietnam().add(start, Duration(), working=True) == start
    assert vietnam().add(start, Duration(), working=False) == start


def test_whole_day_deadlines_always_end_at_closing_on_a_working_day() -> None:
    vn = vietnam()
    start = at(2026, 1, 1, 0)
    for hour in range(0, 24 * 30, 5):
        due = vn.add(start + timedelta(hours=hour), P("P2D"), working=True)
        assert due.timetz().replace(tzinfo=None) == time(17, 0)
        assert vn.is_working_day(due.date())


# --------------------------------------------------------------------------- reminders


def test_subtract_for_reminders() -> None:
    vn = vietnam()
    # One working day before a Thursday-17:00 deadline is Wednesday 17:00.
    assert vn.subtract(at(2026, 3, 5, 17), P("P1D"), working=True) == at(2026, 3, 4, 17)
    assert vn.subtract(at(2026, 3, 9, 10), P("P1D"), working=True) == at(2026, 3, 6, 10)
    assert vn.subtract(at(2026, 3, 3, 8, 30), P("PT2H"), working=True) == at(2026, 3, 2, 16)
    assert vn.subtract(at(2026, 3, 3, 8, 30), P("PT1H"), working=True) == at(2026, 3, 3, 7, 30)
    assert vn.subtract(at(2026, 3, 2, 15, 30), P("PT4H"), working=True) == at(2026, 3, 2, 10)
    # A deadline on a Saturday reads as Friday's closing.
    assert vn.subtract(at(2026, 3, 7, 12), P("P1D"), working=True) == at(2026, 3, 5, 17)
    # Over Tết: Monday 23/2 (1), Friday 13/2 (2).
    assert vn.subtract(at(2026, 2, 24, 17), P("P2D"), working=True) == at(2026, 2, 13, 17)
    assert vn.subtract(at(2026, 3, 5, 17), P("P1DT2H"), working=True) == at(2026, 3, 4, 15)
    assert vn.subtract(at(2026, 3, 5, 17), P("P1D"), working=False) == at(2026, 3, 4, 17)


def test_reminder_before_a_legal_deadline() -> None:
    vn = vietnam()
    received = at(2026, 4, 20, 9)
    due = vn.add(received, P("P15D"), working=True)
    reminder = vn.subtract(due, P("P2D"), working=True)
    assert reminder == at(2026, 5, 12, 17)
    assert received < reminder < due
    assert vn.working_seconds_between(reminder, due) == 2 * 8 * 3600


# --------------------------------------------------------------------------- working seconds


def test_working_seconds_between() -> None:
    vn = vietnam()
    assert vn.working_seconds_between(at(2026, 3, 2, 10), at(2026, 3, 3, 10)) == 8 * 3600
    assert vn.working_seconds_between(at(2026, 3, 6, 16), at(2026, 3, 9, 8, 30)) == 2 * 3600
    assert vn.working_seconds_between(at(2026, 3, 2, 11), at(2026, 3, 2, 14)) == 90 * 60
    assert vn.working_seconds_between(at(2026, 2, 13, 7, 30), at(2026, 2, 23, 7, 30)) == 8 * 3600
    assert vn.working_seconds_between(at(2026, 3, 7), at(2026, 3, 8)) == 0  # a weekend
    assert vn.working_seconds_between(at(2026, 3, 3), at(2026, 3, 2)) == 0  # end before start
    assert vn.working_seconds_between(at(2026, 3, 3), at(2026, 3, 3)) == 0


def test_pause_and_resume_keeps_the_remaining_working_time() -> None:
    vn = vietnam()
    received = at(2026, 3, 2, 10)
    due = vn.add(received, P("P3D"), working=True)  # Thursday 17:00
    paused = at(2026, 3, 3, 14)  # waits on the citizen from Tuesday 14:00...
    remaining = vn.working_seconds_between(paused, due)
    resumed = at(2026, 3, 10, 9)  # ...until the next Tuesday 09:00
    new_due = vn.add_working_seconds(resumed, remaining)
    assert remaining == (3 + 16) * 3600
    # Tuesday 09:00-17:00 is 6.5 office hours, Wednesday 8, Thursday 07:30-13:30 the rest.
    assert new_due == at(2026, 3, 12, 13, 30)
    assert vn.working_seconds_between(resumed, new_due) == remaining


def test_add_working_seconds_edges() -> None:
    vn = vietnam()
    saturday = at(2026, 3, 7, 10)
    assert vn.add_working_seconds(saturday, 0) == saturday
    assert vn.add_working_seconds(saturday, 1) == at(2026, 3, 9, 7, 30) + timedelta(seconds=1)
    assert vn.add_working_seconds(saturday, -3600) == at(2026, 3, 6, 16)
    assert vn.add_working_seconds(at(2026, 3, 2, 13), -1) == at(2026, 3, 2, 11, 30) - timedelta(
        seconds=1
    )
    with pytest.raises(TypeError):
        vn.add_working_seconds(saturday, 1.5)  # type: ignore[arg-type]


def test_working_time_between_keeps_the_microseconds() -> None:
    vn = vietnam()
    monday = (2026, 3, 2)
    sub_second = timedelta(microseconds=530_000)
    # 13:05:00.53 is afternoon office time: 3h54m59.47s are left until 17:00.
    left = vn.working_time_between(at(*monday, 13, 5) + sub_second, at(*monday, 17))
    assert left == timedelta(hours=3, minutes=55) - sub_second
    assert vn.working_seconds_between(at(*monday, 13, 5) + sub_second, at(*monday, 17)) == (
        3 * 3600 + 54 * 60 + 59  # rounded down: for display only
    )
    # 12:05:00.53 is the lunch break: the count starts at 13:00 sharp.
    assert vn.working_time_between(at(*monday, 12, 5) + sub_second, at(*monday, 17)) == (
        timedelta(hours=4)
    )
    # Both ends outside office hours, with the weekend in between.
    friday_evening = at(2026, 3, 6, 18) + sub_second
    assert vn.working_time_between(friday_evening, at(2026, 3, 9, 7, 29, 59)) == timedelta(0)
    assert vn.working_time_between(friday_evening, at(2026, 3, 9, 7, 30) + sub_second) == (
        sub_second
    )
    assert vn.working_time_between(at(*monday, 17) + sub_second, at(*monday, 10)) == timedelta(0)


def test_add_working_time_keeps_the_microseconds() -> None:
    vn = vietnam()
    monday = (2026, 3, 2)
    half = timedelta(milliseconds=500)
    before_lunch = at(*monday, 11, 29, 59) + half
    assert vn.add_working_time(before_lunch, half) == at(*monday, 11, 30)  # ends at closing
    assert vn.add_working_time(before_lunch, half + timedelta(microseconds=1)) == (
        at(*monday, 13) + timedelta(microseconds=1)
    )
    assert vn.add_working_time(at(*monday, 13) + half, -half) == at(*monday, 13)
    assert vn.add_working_time(at(*monday, 13) + half, -2 * half) == before_lunch
    saturday = at(2026, 3, 7, 10) + half
    assert vn.add_working_time(saturday, timedelta(0)) == saturday  # zero: unchanged
    assert vn.add_working_time(saturday, half) == at(2026, 3, 9, 7, 30) + half
    assert vn.add_working_time(saturday, -half) == at(2026, 3, 6, 17) - half
    with pytest.raises(TypeError):
        vn.add_working_time(saturday, 1)  # type: ignore[arg-type]


_TZS = st.sampled_from([UTC, VN, timezone(timedelta(hours=7)), timezone(timedelta(hours=-5))])
_STARTS = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2030, 12, 31, 23, 59, 59), timezones=_TZS
)
_SECONDS = st.integers(min_value=0, max_value=60 * 8 * 3600)


@settings(max_examples=200, deadline=None)
@given(start=_STARTS, seconds=_SECONDS)
def test_working_seconds_round_trip(start: datetime, seconds: int) -> None:
    vn = vietnam()
    end = vn.add_working_seconds(start, seconds)
    assert end >= start
    assert end.tzinfo is start.tzinfo
    assert vn.working_seconds_between(start, end) == seconds


@settings(max_examples=200, deadline=None)
@given(start=_STARTS, first=_SECONDS, second=_SECONDS)
def test_add_working_seconds_is_monotonic(start: datetime, first: int, second: int) -> None:
    vn = vietnam()
    low, high = sorted((first, second))
    assert vn.add_working_seconds(start, low) <= vn.add_working_seconds(start, high)


@settings(max_examples=200, deadline=None)
@given(start=_STARTS, seconds=_SECONDS)
def test_going_back_returns_to_the_same_working_position(start: datetime, seconds: int) -> None:
    vn = vietnam()
    back = vn.add_working_seconds(vn.add_working_seconds(start, seconds), -seconds)
    low, high = sorted((back, start))
    assert vn.working_seconds_between(low, high) == 0


_AMOUNTS = st.integers(min_value=0, max_value=60 * 8 * 3600 * 10**6).map(
    lambda us: timedelta(microseconds=us)
)


def in_office_hours(moment: datetime) -> bool:
    """Whether ``moment`` is inside (or at the close of) an office period, from the local
    clock: an independent reading of the Vietnamese calendar."""
    local = moment.astimezone(VN)
    if not vietnam().is_working_day(local.date()):
        return False
    clock = local.time()
    return time(7, 30) < clock <= time(11, 30) or time(13) < clock <= time(17)


@settings(max_examples=300, deadline=None)
@given(start=_STARTS, amount=_AMOUNTS)
def test_working_time_round_trip_to_the_microsecond(start: datetime, amount: timedelta) -> None:
    vn = vietnam()
    end = vn.add_working_time(start, amount)
    assert end >= start
    assert end.tzinfo is start.tzinfo
    assert vn.working_time_between(start, end) == amount
    if amount:
        assert in_office_hours(end)  # the earliest moment that far: never in a break


@settings(max_examples=300, deadline=None)
@given(start=_STARTS, gap=_AMOUNTS)
def test_adding_the_working_time_between_two_moments_reaches_the_later(
    start: datetime, gap: timedelta
) -> None:
    vn = vietnam()
    end = start + gap  # calendar time: may end in a break, a night or a holiday
    between = vn.working_time_between(start, end)
    reached = vn.add_working_time(start, between)
    assert reached <= end
    assert vn.working_time_between(reached, end) == timedelta(0)
    if in_office_hours(end) and end > start:
        assert reached == end


@settings(max_examples=200, deadline=None)
@given(start=_STARTS, amount=_AMOUNTS)
def test_going_back_the_same_working_time_returns_to_the_same_position(
    start: datetime, amount: timedelta
) -> None:
    vn = vietnam()
    back = vn.add_working_time(vn.add_working_time(start, amount), -amount)
    low, high = sorted((back, start))
    assert vn.working_time_between(low, high) == timedelta(0)


@settings(max_examples=100, deadline=None)
@given(
    base=st.integers(min_value=0, max_value=5 * 365 * 86400),
    steps=st.lists(st.integers(min_value=0, max_value=20 * 86400), min_size=2, max_size=2),
)
def test_working_seconds_are_additive(base: int, steps: list[int]) -> None:
    vn = vietnam()
    a = datetime(2026, 1, 1, tzinfo=VN) + timedelta(seconds=base)
    b = a + timedelta(seconds=steps[0])
    c = b + timedelta(seconds=steps[1])
    between = vn.working_seconds_between
    assert between(a, c) == between(a, b) + between(b, c)


@settings(max_examples=100, deadline=None)
@given(start=_STARTS, days=st.integers(0, 40), hours=st.integers(0, 30))
def test_results_do_not_depend_on_the_start_timezone(
    start: datetime, days: int, hours: int
) -> None:
    vn = vietnam()
    duration = Duration(days=days, hours=hours)
    for working in (True, False):
        in_utc = vn.add(start.astimezone(UTC), duration, working=working)
        in_vn = vn.add(start.astimezone(VN), duration, working=working)
        assert in_utc == in_vn
        assert in_utc.tzinfo is UTC
        assert vn.subtract(start.astimezone(UTC), duration, working=working) == vn.subtract(
            start.astimezone(VN), duration, working=working
        )


# --------------------------------------------------------------------------- timezones


def test_utc_start_gives_the_same_instant_as_the_local_start() -> None:
    vn = vietnam()
    local = at(2026, 3, 2, 10)
    utc = datetime(2026, 3, 2, 3, tzinfo=UTC)
    offset = datetime(2026, 3, 2, 10, tzinfo=timezone(timedelta(hours=7)))
    assert local == utc == offset
    for text in ("P3D", "PT4H", "P1DT4H"):
        due_utc = vn.add(utc, P(text), working=True)
        assert due_utc == vn.add(local, P(text), working=True)
        assert due_utc == vn.add(offset, P(text), working=True)
        assert due_utc.tzinfo is UTC  # returned in the start's tzinfo
    assert vn.add(utc, P("P3D"), working=True) == datetime(2026, 3, 5, 10, tzinfo=UTC)
    # 23:00 UTC on Sunday is 06:00 Monday in Hanoi: received Monday.
    assert vn.add(datetime(2026, 3, 1, 23, tzinfo=UTC), P("P1D"), working=True) == at(
        2026, 3, 3, 17
    )


def test_naive_datetimes_are_refused() -> None:
    vn = vietnam()
    naive = datetime(2026, 3, 2, 10)
    with pytest.raises(ValueError, match="timezone-aware"):
        vn.add(naive, P("P1D"), working=True)
    with pytest.raises(ValueError, match="timezone-aware"):
        vn.working_seconds_between(naive, at(2026, 3, 3))
    with pytest.raises(ValueError, match="timezone-aware"):
        vn.subtract(naive, P("P1D"), working=False)


# --------------------------------------------------------------------------- named calendars


def test_calendar_named_vn_is_the_cached_vietnamese_calendar() -> None:
    assert calendar_named("vn") is vietnam()
    assert calendar_named(" VN ") is vietnam()
    assert vietnam().timezone == "Asia/Ho_Chi_Minh"
    assert vietnam().name == "vn"


@pytest.mark.parametrize("name", ["none", "calendar"])
def test_round_the_clock_calendar_makes_working_time_calendar_time(name: str) -> None:
    always = calendar_named(name)
    start = at(2026, 2, 14, 22, 15)  # a Saturday during Tết
    for text in ("P3D", "PT30H", "P1DT12H", "PT1S"):
        assert always.add(start, P(text), working=True) == always.add(start, P(text), working=False)
    assert always.add(start, P("PT30H"), working=True) == start + timedelta(hours=30)
    assert always.subtract(start, P("P2DT1H"), working=True) == start - timedelta(days=2, hours=1)
    assert always.working_seconds_between(start, start + timedelta(days=9)) == 9 * 86400


@pytest.mark.parametrize("name", ["mars", "", "VN-HCM", None])
def test_calendar_named_unknown(name: Any) -> None:
    with pytest.raises(KeyError) as caught:
        calendar_named(name)
    assert isinstance(caught.value, UnknownCalendar)
    message = str(caught.value)
    assert repr(name) in message
    assert "'vn'" in message and "'calendar'" in message


# --------------------------------------------------------------------------- parse_calendar


def test_parse_calendar_full() -> None:
    data = {
        "name": "hcm-one-stop",
        "timezone": "Asia/Ho_Chi_Minh",
        "holidays": ["2026-02-16", "2026-02-17"],
        "weekend": [6],
        "hours": [["07:30", "11:30"], ["13:00", "17:00"]],
        "working_days": ["2026-02-22"],
        "day_rule": "end_of_day",
    }
    calendar = parse_calendar(data)
    assert calendar.name == "hcm-one-stop"
    assert calendar.holidays == frozenset({date(2026, 2, 16), date(2026, 2, 17)})
    assert calendar.weekend == frozenset({6})
    assert calendar.hours == ((time(7, 30), time(11, 30)), (time(13, 0), time(17, 0)))
    assert calendar.is_working_day(date(2026, 2, 14))  # Saturdays are worked here
    assert calendar.is_working_day(date(2026, 2, 22))  # a Sunday listed as a working day
    assert not calendar.is_working_day(date(2026, 2, 16))
    assert parse_calendar(calendar.to_dict()) == calendar


def test_parse_calendar_defaults_and_round_the_clock_hours() -> None:
    plain = parse_calendar({"name": "plain"})
    assert plain == WorkingCalendar("plain")
    shifts = parse_calendar(
        {"name": "shifts", "timezone": "UTC", "weekend": [], "hours": [["00:00", "24:00"]]}
    )
    start = datetime(2026, 3, 7, 22, tzinfo=UTC)
    assert shifts.add_working_seconds(start, 7200) == start + timedelta(hours=2)
    assert shifts.to_dict()["hours"] == [["00:00", "24:00"]]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ([], "must be a JSON object"),
        ({}, "name: a non-empty string is required"),
        ({"name": "  "}, "name: a non-empty string is required"),
        ({"name": "x", "holiday": []}, "unknown keys holiday"),
        ({"name": "x", "timezone": "Mars/Olympus"}, "unknown timezone 'Mars/Olympus'"),
        ({"name": "x", "timezone": 7}, "timezone: 7 is not a string"),
        ({"name": "x", "holidays": "2026-01-01"}, "holidays: expected a list of dates"),
        ({"name": "x", "holidays": ["2026-02-30"]}, r"holidays\[0\]: '2026-02-30' is not a date"),
        ({"name": "x", "holidays": ["1/1/2026"]}, "is not a date"),
        ({"name": "x", "holidays": ["20260101"]}, "is not a date"),
        ({"name": "x", "holidays": ["2026-01-01", "2026-01-01"]}, "listed twice"),
        ({"name": "x", "working_days": [20260110]}, r"working_days\[0\]: 20260110 is not a date"),
        ({"name": "x", "weekend": [7]}, r"weekend\[0\]: 7 is not a weekday number"),
        ({"name": "x", "weekend": [True]}, "is not a weekday number"),
        ({"name": "x", "weekend": [5, 5]}, "listed twice"),
        ({"name": "x", "weekend": list(range(7))}, "every day of the week"),
        ({"name": "x", "weekend": "sat"}, "weekend: expected a list"),
        ({"name": "x", "hours": []}, "hours: expected a non-empty list"),
        ({"name": "x", "hours": [["17:00", "07:30"]]}, "ends before it starts"),
        ({"name": "x", "hours": [["07:30", "12:00"], ["11:00", "17:00"]]}, "overlaps"),
        ({"name": "x", "hours": [["13:00", "17:00"], ["07:30", "11:30"]]}, "overlaps"),
        ({"name": "x", "hours": [["7h30", "11:30"]]}, "'7h30' is not a time"),
        ({"name": "x", "hours": [["24:00", "11:30"]]}, "'24:00' is not a time"),
        ({"name": "x", "hours": [["07:30"]]}, "expected a pair"),
        (
            {"name": "x", "holidays": ["2026-01-10"], "working_days": ["2026-01-10"]},
            "both in holidays and in working_days",
        ),
        ({"name": "x", "day_rule": "noon"}, "day_rule: expected one of"),
    ],
)
def test_parse_calendar_validation(data: Any, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment) as caught:
        parse_calendar(data)
    assert isinstance(caught.value, CalendarError)


def test_parse_calendar_reports_every_problem_at_once() -> None:
    with pytest.raises(CalendarError) as caught:
        parse_calendar({"timezone": "Nowhere", "weekend": [9], "hours": [["9", "5"]]})
    assert len(caught.value.problems) == 5
    assert str(caught.value).startswith("invalid calendar: ")


def test_working_calendar_validates_itself() -> None:
    with pytest.raises(ValueError, match="unknown timezone"):
        WorkingCalendar("x", timezone="Nope/Nope")
    with pytest.raises(ValueError, match="at least one working period"):
        WorkingCalendar("x", hours=())
    with pytest.raises(ValueError, match="every day of the week"):
        WorkingCalendar("x", weekend=frozenset(range(7)))
    with pytest.raises(ValueError, match="only the last period may end at 24:00"):
        WorkingCalendar("x", hours=((time(0), time(0)), (time(1), time(2))))
    with pytest.raises(ValueError, match="day_rule"):
        WorkingCalendar("x", day_rule="sometimes")  # type: ignore[arg-type]


def test_same_time_day_rule() -> None:
    calendar = WorkingCalendar("same", day_rule="same_time")
    assert calendar.add(at(2026, 3, 2, 10), P("P3D"), working=True) == at(2026, 3, 5, 10)
    assert calendar.add(at(2026, 3, 2, 14), P("P1D"), working=True) == at(2026, 3, 3, 14)
    # Received in the evening: the position is the start of the next day.
    assert calendar.add(at(2026, 3, 2, 18), P("P1D"), working=True) == at(2026, 3, 4, 7, 30)


# --------------------------------------------------------------------------- holiday data

YEARS = range(2024, 2033)
TET = {  # mùng 1 Tết, Vietnamese calendar (UTC+7); 2030 differs from China (3 Feb)
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
    2030: date(2030, 2, 2),
    2031: date(2031, 1, 23),
    2032: date(2032, 2, 11),
}
HUNG_KINGS = {  # 10th day of the (regular) 3rd lunar month; 2031 has a leap 3rd month
    2024: date(2024, 4, 18),
    2025: date(2025, 4, 7),
    2026: date(2026, 4, 26),
    2027: date(2027, 4, 16),
    2028: date(2028, 4, 4),
    2029: date(2029, 4, 23),
    2030: date(2030, 4, 12),
    2031: date(2031, 4, 1),
    2032: date(2032, 4, 19),
}


def _document() -> dict[str, Any]:
    result: dict[str, Any] = json.loads(DATA.read_text("utf-8"))
    return result


def test_holiday_data_shape() -> None:
    document = _document()
    assert document["schema_version"] == 1
    assert document["name"] == "vn"
    assert document["timezone"] == "Asia/Ho_Chi_Minh"
    assert document["source"]
    assert document["years"] == [YEARS.start, YEARS.stop - 1]
    for entry in document["holidays"] + document["working_days"]:
        assert date.fromisoformat(entry["date"]).year in YEARS
        assert entry["name"]["vi"] and entry["name"]["en"]
    assert {e["kind"] for e in document["holidays"]} == {"holiday", "compensatory", "swap"}
    assert {e["kind"] for e in document["working_days"]} == {"makeup"}
    dates = [e["date"] for e in document["holidays"]]
    assert not [d for d, n in Counter(dates).items() if n > 1], "duplicate dates"
    assert dates == sorted(dates)


def test_every_year_has_the_labour_code_holidays() -> None:
    days = {date.fromisoformat(e["date"]): e for e in _document()["holidays"]}
    for year in YEARS:
        for fixed in (date(year, 1, 1), date(year, 4, 30), date(year, 5, 1), date(year, 9, 2)):
            assert days[fixed]["kind"] == "holiday", fixed
        assert days[HUNG_KINGS[year]]["name"]["vi"] == "Giỗ Tổ Hùng Vương"
        adjacent = [d for d in (date(year, 9, 1), date(year, 9, 3)) if d in days]
        assert len(adjacent) == 1 and days[adjacent[0]]["kind"] == "holiday", year
        tet = [
            d
            for d, e in days.items()
            if d.year == year and e["kind"] == "holiday" and e["name"]["vi"].startswith("Tết N")
        ]
        assert len(tet) >= 5, year
        # The break covers the eve (last day of the lunar year) and days 1-4 of the new year.
        for offset in range(-1, 4):
            assert TET[year] + timedelta(days=offset) in tet, (year, offset)


def test_tet_breaks_as_announced() -> None:
    vn = vietnam()

    def days_off(first: date, last: date) -> list[date]:
        span = (last - first).days + 1
        return [
            first + timedelta(n) for n in range(span) if not vn.is_working_day(first + timedelta(n))
        ]

    assert len(days_off(date(2024, 2, 8), date(2024, 2, 14))) == 7
    assert vn.is_working_day(date(2024, 2, 7)) and vn.is_working_day(date(2024, 2, 15))
    assert len(days_off(date(2025, 1, 25), date(2025, 2, 2))) == 9
    assert vn.is_working_day(date(2025, 1, 24)) and vn.is_working_day(date(2025, 2, 3))
    assert len(days_off(date(2026, 2, 14), date(2026, 2, 22))) == 9
    assert vn.is_working_day(date(2026, 2, 13)) and vn.is_working_day(date(2026, 2, 23))


def test_weekend_holidays_have_compensatory_days() -> None:
    document = _document()
    entries = document["holidays"]
    compensatory = [e for e in entries if e["kind"] == "compensatory"]
    announced_tet_breaks = {2024, 2025, 2026}
    for entry in entries:
        day = date.fromisoformat(entry["date"])
        if entry["kind"] != "holiday" or day.weekday() < 5:
            continue
        if entry["name"]["vi"].startswith("Tết N") and day.year in announced_tet_breaks:
            continue  # the announced break already accounts for its weekend days
        matching = [e for e in compensatory if day.isoformat() in e["name"]["en"]]
        assert len(matching) == 1, entry
        off = date.fromisoformat(matching[0]["date"])
        assert off.weekday() < 5 and timedelta(0) < off - day <= timedelta(days=7)
    assert {date(2026, 4, 27), date(2028, 9, 4), date(2029, 9, 4)} <= {
        date.fromisoformat(e["date"]) for e in compensatory
    }


def test_swapped_days_have_make_up_saturdays() -> None:
    document = _document()
    swaps = [date.fromisoformat(e["date"]) for e in document["holidays"] if e["kind"] == "swap"]
    make_ups = [date.fromisoformat(e["date"]) for e in document["working_days"]]
    assert len(swaps) == len(make_ups) == 4
    assert all(day.weekday() < 5 for day in swaps)
    assert all(day.weekday() == 5 for day in make_ups)
    holidays = {date.fromisoformat(e["date"]) for e in document["holidays"]}
    assert not holidays & set(make_ups)


def test_vietnam_calendar_from_the_data() -> None:
    assert vietnam_years() == YEARS
    assert vietnam() is vietnam()
    everything = vietnam()
    assert everything.holidays == frozenset(h.day for h in vietnam_holidays())
    assert date(2026, 1, 10) in everything.extra_working_days
    only_2026 = vietnam(range(2026, 2027))
    assert date(2026, 2, 17) in only_2026.holidays
    assert date(2025, 1, 29) not in only_2026.holidays
    assert all(day.year == 2026 for day in only_2026.holidays)
    with pytest.raises(ValueError, match="no Vietnamese holiday data for 2022, 2023"):
        vietnam(range(2022, 2026))
    provisional = {h.day.year for h in vietnam_holidays() if h.provisional}
    assert provisional and min(provisional) == 2027


# --------------------------------------------------------------------------- purity


def test_calendar_module_imports_no_django() -> None:
    tree = ast.parse((REPO / "workflows" / "calendar.py").read_text("utf-8"))
    imported: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported.append(node.module)
    assert not [n for n in imported if n.split(".")[0] in {"django", "apps", "lcnc"}]

    code = (
        "import sys, datetime\n"
        "sys.modules['django'] = None\n"
        "from workflows.calendar import calendar_named, Duration\n"
        "start = datetime.datetime(2026, 3, 2, 3, tzinfo=datetime.UTC)\n"
        "print(calendar_named('vn').add(start, Duration.parse('P3D'), working=True).isoformat())\n"
        "bad = sorted(m for m, mod in sys.modules.items()\n"
        "             if mod is not None and m.split('.')[0] in {'django', 'apps', 'lcnc'})\n"
        "assert not bad, bad\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "2026-03-05T10:00:00+00:00"
