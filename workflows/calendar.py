"""Deadlines in calendar time or in working time.

Vietnamese administrative procedures have legal deadlines in working days ("15 ngày làm
việc"). The engine computes due dates, reminders before them, and pauses the clock while a
case waits on the citizen; this module is the arithmetic. It is pure: the clock is passed in
and every datetime must be timezone-aware. Results come back in the ``tzinfo`` of the datetime
that was passed in; internally everything is computed in UTC and in the calendar's own zone.

Durations are ISO 8601 (:class:`Duration`): ``P3D``, ``PT4H``, ``P1DT12H``, ``PT30M``, ``P2W``.
Months and years are refused (their length varies; write days).

Working time (``working=True``) follows these rules, for the default Vietnamese calendar
(weekdays, 07:30-11:30 and 13:00-17:00, public holidays off):

* **Receipt.** A start inside office hours is taken as it is. A start outside them (evening,
  lunch break, weekend, holiday) is taken as received at the start of the next working
  period. The *receipt day* is the local date of that moment. A start at exactly 17:00 is
  after closing, so it is received the next working morning.
* **Whole days** (``day_rule="end_of_day"``, the default): N days end at the *close of the
  Nth working day after the receipt day*; the receipt day itself is not counted, whatever the
  time of receipt. A file received Monday 10:00 (or Sunday, or Monday 06:00) with "P3D" is due
  Thursday 17:00; received Monday 18:00, it is due Friday 17:00. This is the reading of the
  Civil Code 2015 art. 147-148 (the first day of a period is not counted; a period in days
  ends at the end of its last day) with office hours as the day. Calendars with
  ``day_rule="same_time"`` instead land at the same working-time position of the Nth working
  day after (Monday 10:00 + P3D = Thursday 10:00); the 24-hour "calendar" calendar uses it, so
  that its working time equals calendar time.
* **Hours, minutes, seconds** count office time only: PT4H from Monday 10:00 is Monday 15:30
  (the lunch break is skipped), from Monday 16:00 it is Tuesday 10:30. A count that ends
  exactly at a closing time ends then (11:30, 17:00), not at the next opening.
* **Mixed** ("P1DT4H"): the days first, then the hours from that moment.
* **Exact working time.** :meth:`WorkingCalendar.working_time_between` and
  :meth:`WorkingCalendar.add_working_time` count office time as a ``timedelta``, to the
  microsecond, and are inverse to each other: adding the office time between two moments
  to the first gives the second (or, if the second is outside office hours, the last
  closing time before it). Going forward, an amount that ends exactly at a closing time ends
  then, never at the next opening. The engine moves a paused deadline later by the office
  time that passed while it was held with them (see ``engine.resume_clock``), so that it
  keeps the time it had left; :meth:`WorkingCalendar.working_seconds_between` rounds down
  to whole seconds and is for display only.
* :meth:`WorkingCalendar.subtract` (reminders) goes backwards: the hours first, then the days,
  which keep the same working-time position on the Nth working day before (a deadline on
  Thursday 17:00 minus P1D is Wednesday 17:00; Thursday 10:00 minus P1D is Wednesday 10:00).
  It is not an exact inverse of ``add``: whole-day deadlines forget the time of receipt.

Calendar time (``working=False``): days are calendar days in the calendar's timezone (the same
local clock time N days later), hours/minutes/seconds are elapsed time. For Asia/Ho_Chi_Minh,
which has no daylight saving time, that is exactly ``start + timedelta(...)``.

The Vietnamese public holidays come from ``data/holidays_vn.json`` (Labour Code 2019 art.
111-112; Tết breaks, adjacent National Day days and day swaps as announced, later years
projected by the rules and marked provisional). Deadlines past its last year ignore holidays:
:func:`vietnam_years` tells which years it covers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from datetime import timezone as dt_timezone
from functools import cache
from importlib import resources
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "CalendarError",
    "DayRule",
    "Duration",
    "DurationError",
    "Holiday",
    "UnknownCalendar",
    "WorkingCalendar",
    "calendar_named",
    "parse_calendar",
    "vietnam",
    "vietnam_holidays",
    "vietnam_years",
]

DayRule = Literal["end_of_day", "same_time"]
DAY_RULES: tuple[DayRule, ...] = ("end_of_day", "same_time")

#: Office hours of Vietnamese state agencies: 8 working hours a day.
VN_HOURS: tuple[tuple[time, time], ...] = ((time(7, 30), time(11, 30)), (time(13, 0), time(17, 0)))
#: An interval ending at 00:00 ends at midnight, i.e. 24:00 of its day.
MIDNIGHT = time(0, 0)

_DAY = timedelta(days=1)
_SECOND = timedelta(seconds=1)
#: A calendar with no working day within this many days is treated as broken.
_MAX_IDLE_DAYS = 3660
#: The longest duration accepted (about 100 years), to keep datetimes in range.
_MAX_DAYS = 36600


# --------------------------------------------------------------------------- durations


class DurationError(ValueError):
    """An ISO 8601 duration that LCNC cannot use. ``str()`` names the text and the reason."""

    code = "duration_invalid"

    def __init__(self, text: object, reason: str) -> None:
        super().__init__(f"invalid duration {text!r}: {reason}")
        self.text = text
        self.reason = reason


_DURATION_RE = re.compile(
    r"P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?"
)
_EXAMPLES = "e.g. 'P3D', 'PT4H', 'P1DT12H', 'PT30M', 'P2W'"


@dataclass(frozen=True)
class Duration:
    """A non-negative duration in days and time (weeks are read as 7 days).

    Days and hours stay separate on purpose: in working time "P1D" is a working day and
    "PT24H" is 24 office hours (three Vietnamese working days).
    """

    days: int = 0
    hours: int = 0
    minutes: int = 0
    seconds: int = 0

    def __post_init__(self) -> None:
        for name in ("days", "hours", "minutes", "seconds"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise DurationError(self._repr_args(), f"{name} must be a whole number")
            if value < 0:
                raise DurationError(self._repr_args(), "negative durations are not allowed")
        if self.total_seconds() > _MAX_DAYS * 86400:
            raise DurationError(str(self), f"longer than {_MAX_DAYS} days")

    def _repr_args(self) -> str:
        return (
            f"Duration(days={self.days!r}, hours={self.hours!r}, "
            f"minutes={self.minutes!r}, seconds={self.seconds!r})"
        )

    @classmethod
    def parse(cls, text: str) -> Duration:
        """Read an ISO 8601 duration ("P3D", "PT4H", "P1DT12H", "PT30M", "P2W").

        Refused with :class:`DurationError`: years and months (ambiguous: use days), negative
        or fractional amounts, an empty "P" or "PT", and anything that is not ISO 8601.
        Lower-case letters and surrounding blanks are tolerated.
        """
        if not isinstance(text, str):
            raise DurationError(text, f"expected a string such as {_EXAMPLES}")
        value = text.strip().upper()
        if not value:
            raise DurationError(text, f"empty; expected {_EXAMPLES}")
        if "-" in value:
            raise DurationError(text, "negative durations are not allowed")
        if not value.startswith("P"):
            raise DurationError(text, f"an ISO 8601 duration starts with 'P' ({_EXAMPLES})")
        date_part = value[1:].split("T", 1)[0]
        if "Y" in date_part or "M" in date_part:
            raise DurationError(
                text,
                "years and months have no fixed length, so a deadline cannot use them; "
                "write it in days instead (e.g. 'P30D' rather than 'P1M')",
            )
        if "." in value or "," in value:
            raise DurationError(
                text, "fractions are not supported; use a smaller unit (e.g. 'PT1H30M')"
            )
        match = _DURATION_RE.fullmatch(value)
        if match is None:
            raise DurationError(text, f"not an ISO 8601 duration ({_EXAMPLES})")
        if value.endswith("T"):
            raise DurationError(text, "nothing follows 'T'; write e.g. 'PT4H'")
        parts = {k: int(v) for k, v in match.groupdict().items() if v is not None}
        if not parts:
            raise DurationError(text, f"'P' alone has no amount ({_EXAMPLES})")
        days = parts.get("weeks", 0) * 7 + parts.get("days", 0)
        if days > _MAX_DAYS:
            raise DurationError(text, f"longer than {_MAX_DAYS} days")
        return cls(
            days=days,
            hours=parts.get("hours", 0),
            minutes=parts.get("minutes", 0),
            seconds=parts.get("seconds", 0),
        )

    def total_seconds(self) -> int:
        """All of it in seconds, a day counted as 24 hours (calendar time)."""
        return self.days * 86400 + self.time_seconds()

    def time_seconds(self) -> int:
        """The hours, minutes and seconds part, in seconds."""
        return self.hours * 3600 + self.minutes * 60 + self.seconds

    def __str__(self) -> str:
        clock = "".join(
            f"{amount}{unit}"
            for amount, unit in ((self.hours, "H"), (self.minutes, "M"), (self.seconds, "S"))
            if amount
        )
        if not self.days and not clock:
            return "PT0S"
        return "P" + (f"{self.days}D" if self.days else "") + (f"T{clock}" if clock else "")


# --------------------------------------------------------------------------- calendars


#: Used when the system has no tz database (no tzdata): these zones have had a fixed offset
#: since 1975 (Vietnam) or always (UTC).
_FIXED_ZONES: dict[str, tzinfo] = {
    "Asia/Ho_Chi_Minh": dt_timezone(timedelta(hours=7), "ICT"),
    "Asia/Saigon": dt_timezone(timedelta(hours=7), "ICT"),
    "UTC": UTC,
}


@cache
def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as error:
        if name in _FIXED_ZONES:
            return _FIXED_ZONES[name]
        raise ValueError(
            f"unknown timezone {name!r} (expected an IANA name such as 'Asia/Ho_Chi_Minh')"
        ) from error


def _check_aware(moment: datetime, what: str) -> None:
    if not isinstance(moment, datetime):
        raise TypeError(f"{what} must be a datetime, not {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware (got {moment.isoformat()})")


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days and office hours in one timezone.

    ``hours`` are local-time intervals, sorted and not overlapping; an interval ending at
    00:00 ends at midnight (24:00), which lets a calendar work round the clock.
    ``extra_working_days`` are days worked although they fall on the weekend (make-up
    Saturdays, "làm bù"). ``day_rule`` says how whole days are counted (see the module
    docstring). Invalid values raise ``ValueError`` when the calendar is built.
    """

    name: str
    timezone: str = "Asia/Ho_Chi_Minh"
    holidays: frozenset[date] = frozenset()
    weekend: frozenset[int] = frozenset({5, 6})
    hours: tuple[tuple[time, time], ...] = VN_HOURS
    extra_working_days: frozenset[date] = frozenset()
    day_rule: DayRule = "end_of_day"
    _tz: tzinfo = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        # Accept any iterable for the set-like fields, store them frozen.
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "weekend", frozenset(self.weekend))
        object.__setattr__(self, "extra_working_days", frozenset(self.extra_working_days))
        object.__setattr__(self, "hours", tuple((s, e) for s, e in self.hours))
        object.__setattr__(self, "_tz", _zone(self.timezone))
        problems = _calendar_problems(self)
        if problems:
            raise CalendarError(problems)

    # ----------------------------------------------------------------- days and periods

    def is_working_day(self, day: date) -> bool:
        """True if ``day`` (a local date) has office hours."""
        if day in self.extra_working_days:
            return True
        return day.weekday() not in self.weekend and day not in self.holidays

    def _periods(self, day: date) -> list[tuple[datetime, datetime]]:
        """The office periods of ``day`` as UTC instants (empty on a day off)."""
        if not self.is_working_day(day):
            return []
        result = []
        for start, end in self.hours:
            opens = datetime.combine(day, start, tzinfo=self._tz).astimezone(UTC)
            closes_on = day + _DAY if end == MIDNIGHT else day
            closes = datetime.combine(closes_on, end, tzinfo=self._tz).astimezone(UTC)
            if closes > opens:  # a period swallowed by a DST change is skipped
                result.append((opens, closes))
        return result

    def _local_date(self, moment: datetime) -> date:
        return moment.astimezone(self._tz).date()

    def _forward(self, moment: datetime) -> Iterator[tuple[date, datetime, datetime]]:
        """Office time from ``moment`` on: (working day, from, to) UTC pieces in order.

        The first piece starts at ``moment`` if ``moment`` is inside a period.
        """
        day = self._local_date(moment) - _DAY
        idle = 0
        while True:
            periods = self._periods(day)
            idle = 0 if periods else idle + 1
            if idle > _MAX_IDLE_DAYS:
                raise ValueError(f"calendar {self.name!r} has no working day after {day}")
            for opens, closes in periods:
                if closes > moment:
                    yield day, max(opens, moment), closes
            day += _DAY

    def _backward(self, moment: datetime) -> Iterator[tuple[date, datetime, datetime]]:
        """Office time before ``moment``: (working day, from, to) UTC pieces, latest first."""
        day = self._local_date(moment) + _DAY
        idle = 0
        while True:
            periods = self._periods(day)
            idle = 0 if periods else idle + 1
            if idle > _MAX_IDLE_DAYS:
                raise ValueError(f"calendar {self.name!r} has no working day before {day}")
            for opens, closes in reversed(periods):
                if opens < moment:
                    yield day, opens, min(closes, moment)
            day -= _DAY

    def _shift_working_days(self, day: date, count: int) -> date:
        """The ``count``-th working day after ``day`` (before it if ``count`` < 0)."""
        step = _DAY if count > 0 else -_DAY
        remaining = abs(count)
        idle = 0
        while remaining:
            day += step
            if self._periods(day):
                remaining -= 1
                idle = 0
            else:
                idle += 1
                if idle > _MAX_IDLE_DAYS:
                    raise ValueError(f"calendar {self.name!r} has no working day near {day}")
        return day

    def _offset_in_day(self, day: date, moment: datetime) -> timedelta:
        """Office time on working day ``day`` before ``moment``."""
        total = timedelta(0)
        for opens, closes in self._periods(day):
            if opens >= moment:
                break
            total += min(closes, moment) - opens
        return total

    def _at_offset(self, day: date, offset: timedelta) -> datetime:
        """The moment ``offset`` of office time into working day ``day`` (a closing time if
        the offset ends a period)."""
        periods = self._periods(day)
        remaining = offset
        for opens, closes in periods:
            if remaining <= closes - opens:
                return opens + remaining
            remaining -= closes - opens
        return periods[-1][1]

    # ----------------------------------------------------------------- working time

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Office time between two moments, exact to the microsecond (zero if ``end`` <=
        ``start``).

        This is what a deadline has left when its clock stops; with
        :meth:`add_working_time` it resumes the clock without losing any of it.
        """
        _check_aware(start, "start")
        _check_aware(end, "end")
        begin, finish = start.astimezone(UTC), end.astimezone(UTC)
        total = timedelta(0)
        if finish <= begin:
            return total
        for _, opens, closes in self._forward(begin):
            if opens >= finish:
                break
            total += min(closes, finish) - opens
        return total

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """The moment ``amount`` of office time after ``start`` (before it if negative),
        exact to the microsecond.

        Inverse of :meth:`working_time_between`:
        ``working_time_between(s, add_working_time(s, t)) == t`` for every ``t`` >= 0. Going
        forward the result is the *earliest* moment at that much office time: a count that
        ends exactly at a closing time returns the closing time (11:30, 17:00), not the next
        opening; going backward it returns the opening time. A zero ``amount`` returns
        ``start`` unchanged, even outside office hours.
        """
        _check_aware(start, "start")
        if not isinstance(amount, timedelta):
            raise TypeError(f"amount must be a timedelta, not {type(amount).__name__}")
        if not amount:
            return start
        moment = start.astimezone(UTC)
        remaining = abs(amount)
        if amount > timedelta(0):
            for _, opens, closes in self._forward(moment):
                if remaining <= closes - opens:
                    return (opens + remaining).astimezone(start.tzinfo)
                remaining -= closes - opens
        else:
            for _, opens, closes in self._backward(moment):
                if remaining <= closes - opens:
                    return (closes - remaining).astimezone(start.tzinfo)
                remaining -= closes - opens
        raise AssertionError("unreachable: the period iterators never end")  # pragma: no cover

    def working_seconds_between(self, start: datetime, end: datetime) -> int:
        """:meth:`working_time_between` in whole seconds, *rounded down*.

        For display and statistics only: anything that must add the time back (pausing a
        deadline) uses :meth:`working_time_between`, which keeps the microseconds.
        """
        return self.working_time_between(start, end) // _SECOND

    def add_working_seconds(self, start: datetime, seconds: int) -> datetime:
        """:meth:`add_working_time` with a whole number of seconds (negative: backward)."""
        if isinstance(seconds, bool) or not isinstance(seconds, int):
            raise TypeError(f"seconds must be an int, not {type(seconds).__name__}")
        return self.add_working_time(start, timedelta(seconds=seconds))

    # ----------------------------------------------------------------- durations

    def add(self, start: datetime, duration: Duration, *, working: bool) -> datetime:
        """``start`` plus ``duration``, in calendar time or in working time.

        See the module docstring for the exact rules; the result is in ``start``'s tzinfo.
        """
        _check_aware(start, "start")
        if not working:
            return self._calendar_shift(start, duration, +1)
        moment = start.astimezone(UTC)
        if duration.days:
            receipt_day, received, _ = next(self._forward(moment))
            target = self._shift_working_days(receipt_day, duration.days)
            if self.day_rule == "end_of_day":
                moment = self._periods(target)[-1][1]
            else:
                moment = self._at_offset(target, self._offset_in_day(receipt_day, received))
        if duration.time_seconds():
            moment = self.add_working_seconds(moment, duration.time_seconds())
        return moment.astimezone(start.tzinfo)

    def subtract(self, due: datetime, duration: Duration, *, working: bool) -> datetime:
        """``due`` minus ``duration``: when to remind "P1D before the deadline".

        In working time the hours go back first; then the days keep the same working-time
        position on the Nth working day before (a ``due`` outside office hours counts as the
        last closing time before it: Saturday reads as Friday 17:00).
        """
        _check_aware(due, "due")
        if not working:
            return self._calendar_shift(due, duration, -1)
        moment = due.astimezone(UTC)
        if duration.time_seconds():
            moment = self.add_working_seconds(moment, -duration.time_seconds())
        if duration.days:
            day, _, last = next(self._backward(moment))
            offset = self._offset_in_day(day, last)
            moment = self._at_offset(self._shift_working_days(day, -duration.days), offset)
        return moment.astimezone(due.tzinfo)

    def _calendar_shift(self, moment: datetime, duration: Duration, sign: int) -> datetime:
        result = moment.astimezone(self._tz)
        if duration.days:
            wall = result.replace(tzinfo=None) + sign * duration.days * _DAY
            result = wall.replace(tzinfo=self._tz)
        shifted = result.astimezone(UTC) + sign * timedelta(seconds=duration.time_seconds())
        return shifted.astimezone(moment.tzinfo)

    # ----------------------------------------------------------------- serialisation

    def to_dict(self) -> dict[str, Any]:
        """The JSON form read by :func:`parse_calendar`."""
        return {
            "name": self.name,
            "timezone": self.timezone,
            "holidays": sorted(d.isoformat() for d in self.holidays),
            "weekend": sorted(self.weekend),
            "hours": [[_format_time(s, False), _format_time(e, True)] for s, e in self.hours],
            "working_days": sorted(d.isoformat() for d in self.extra_working_days),
            "day_rule": self.day_rule,
        }


class CalendarError(ValueError):
    """An invalid calendar; ``problems`` lists every problem found, ``str()`` joins them."""

    code = "calendar_invalid"

    def __init__(self, problems: list[str] | tuple[str, ...]) -> None:
        self.problems = tuple(problems)
        super().__init__("invalid calendar: " + "; ".join(self.problems))


def _calendar_problems(calendar: WorkingCalendar) -> list[str]:
    problems: list[str] = []
    if not isinstance(calendar.name, str) or not calendar.name.strip():
        problems.append("name must be a non-empty string")
    for weekday in sorted(calendar.weekend, key=repr):
        if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
            problems.append(f"weekend: {weekday!r} is not a weekday number 0-6 (Monday=0)")
    if len(calendar.weekend) >= 7:
        problems.append("weekend: every day of the week is a day off")
    for label, days in (
        ("holidays", calendar.holidays),
        ("working_days", calendar.extra_working_days),
    ):
        for day in days:
            if not isinstance(day, date) or isinstance(day, datetime):
                problems.append(f"{label}: {day!r} is not a date")
    both = calendar.holidays & calendar.extra_working_days
    if both:
        listed = ", ".join(sorted(str(d) for d in both))
        problems.append(f"{listed} is both a holiday and a working day")
    if calendar.day_rule not in DAY_RULES:
        problems.append(
            f"day_rule must be one of {', '.join(DAY_RULES)}, not {calendar.day_rule!r}"
        )
    problems.extend(_hours_problems(calendar.hours))
    return problems


def _hours_problems(hours: tuple[tuple[time, time], ...]) -> list[str]:
    if not hours:
        return ["hours: at least one working period is needed"]
    problems: list[str] = []
    previous_end: time | None = None
    for index, period in enumerate(hours):
        if (
            len(period) != 2
            or not all(isinstance(t, time) for t in period)
            or any(t.tzinfo is not None for t in period)
        ):
            problems.append(f"hours[{index}]: expected a pair of local times")
            continue
        start, end = period
        ends_at_midnight = end == MIDNIGHT
        if ends_at_midnight and index != len(hours) - 1:
            problems.append(f"hours[{index}]: only the last period may end at 24:00")
        if not ends_at_midnight and end <= start:
            problems.append(
                f"hours[{index}]: {_format_time(start, False)}-{_format_time(end, True)} "
                "ends before it starts"
            )
        if previous_end is not None and (previous_end == MIDNIGHT or start < previous_end):
            problems.append(f"hours[{index}]: overlaps or comes before the previous period")
        previous_end = end
    return problems


def _format_time(value: time, is_end: bool) -> str:
    if is_end and value == MIDNIGHT:
        return "24:00"
    text = value.strftime("%H:%M")
    return text + (f":{value.second:02d}" if value.second else "")


# --------------------------------------------------------------------------- parsing

_CALENDAR_KEYS = ("name", "timezone", "holidays", "weekend", "hours", "working_days", "day_rule")
_TIME_RE = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _parse_date(value: object, where: str, problems: list[str]) -> date | None:
    if isinstance(value, Mapping):  # the holiday data file's {"date": ..., "name": ...}
        value = value.get("date")
    if isinstance(value, str) and _DATE_RE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    problems.append(f"{where}: {value!r} is not a date (YYYY-MM-DD)")
    return None


def _parse_time(value: object, where: str, problems: list[str], *, is_end: bool) -> time | None:
    match = _TIME_RE.fullmatch(value) if isinstance(value, str) else None
    if match is not None:
        hour, minute, second = (int(g) if g else 0 for g in match.groups())
        if (hour, minute, second) == (24, 0, 0) and is_end:
            return MIDNIGHT
        if hour < 24 and minute < 60 and second < 60:
            return time(hour, minute, second)
    allowed = "HH:MM, or 24:00 for an end" if is_end else "HH:MM"
    problems.append(f"{where}: {value!r} is not a time ({allowed})")
    return None


def parse_calendar(data: Mapping[str, Any]) -> WorkingCalendar:
    """A calendar from its JSON form::

        {"name": "hcm-district-1", "timezone": "Asia/Ho_Chi_Minh",
         "holidays": ["2026-02-16", ...], "weekend": [5, 6],
         "hours": [["07:30", "11:30"], ["13:00", "17:00"]],
         "working_days": ["2026-01-10"], "day_rule": "end_of_day"}

    Only "name" is required; the rest default to the Vietnamese office calendar without
    holidays. Raises :class:`CalendarError` (a ``ValueError``) listing every problem.
    """
    if not isinstance(data, Mapping):
        raise CalendarError([f"a calendar must be a JSON object, not {type(data).__name__}"])
    problems: list[str] = []
    unknown = sorted(str(k) for k in data if k not in _CALENDAR_KEYS)
    if unknown:
        problems.append(f"unknown keys {', '.join(unknown)} (allowed: {', '.join(_CALENDAR_KEYS)})")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append("name: a non-empty string is required")
    timezone = data.get("timezone", "Asia/Ho_Chi_Minh")
    if not isinstance(timezone, str):
        problems.append(f"timezone: {timezone!r} is not a string")
    else:
        try:
            _zone(timezone)
        except ValueError as error:
            problems.append(f"timezone: {error}")

    def dates(key: str) -> frozenset[date]:
        raw = data.get(key, [])
        if not isinstance(raw, list):
            problems.append(f"{key}: expected a list of dates")
            return frozenset()
        seen: set[date] = set()
        for index, item in enumerate(raw):
            parsed = _parse_date(item, f"{key}[{index}]", problems)
            if parsed is not None:
                if parsed in seen:
                    problems.append(f"{key}[{index}]: {parsed} is listed twice")
                seen.add(parsed)
        return frozenset(seen)

    holidays = dates("holidays")
    working_days = dates("working_days")

    weekend_raw = data.get("weekend", [5, 6])
    weekend: set[int] = set()
    if not isinstance(weekend_raw, list):
        problems.append("weekend: expected a list of weekday numbers (Monday=0 ... Sunday=6)")
    else:
        for index, item in enumerate(weekend_raw):
            if isinstance(item, bool) or not isinstance(item, int) or not 0 <= item <= 6:
                problems.append(
                    f"weekend[{index}]: {item!r} is not a weekday number (Monday=0 ... Sunday=6)"
                )
            elif item in weekend:
                problems.append(f"weekend[{index}]: {item} is listed twice")
            else:
                weekend.add(item)

    hours_raw = data.get("hours", [["07:30", "11:30"], ["13:00", "17:00"]])
    hours: list[tuple[time, time]] = []
    if not isinstance(hours_raw, list) or not hours_raw:
        problems.append('hours: expected a non-empty list of ["HH:MM", "HH:MM"] pairs')
    else:
        for index, pair in enumerate(hours_raw):
            if not isinstance(pair, list) or len(pair) != 2:
                problems.append(f'hours[{index}]: expected a pair ["HH:MM", "HH:MM"]')
                continue
            start = _parse_time(pair[0], f"hours[{index}][0]", problems, is_end=False)
            end = _parse_time(pair[1], f"hours[{index}][1]", problems, is_end=True)
            if start is not None and end is not None:
                hours.append((start, end))

    if isinstance(hours_raw, list) and hours and len(hours) == len(hours_raw):
        problems.extend(_hours_problems(tuple(hours)))
    if len(weekend) == 7:
        problems.append("weekend: every day of the week is a day off")
    for day in sorted(holidays & working_days):
        problems.append(f"{day} is both in holidays and in working_days")

    day_rule = data.get("day_rule", "end_of_day")
    if day_rule not in DAY_RULES:
        problems.append(f"day_rule: expected one of {', '.join(DAY_RULES)}, not {day_rule!r}")

    if problems:
        raise CalendarError(problems)
    return WorkingCalendar(
        name=str(name),
        timezone=str(timezone),
        holidays=holidays,
        weekend=frozenset(weekend),
        hours=tuple(hours),
        extra_working_days=working_days,
        day_rule=day_rule,
    )


# --------------------------------------------------------------------------- Vietnam


@dataclass(frozen=True)
class Holiday:
    """One entry of the holiday data file."""

    day: date
    name_vi: str
    name_en: str
    kind: str  # "holiday", "compensatory", "swap" (a day off), or "makeup" (a working day)
    provisional: bool = False


_HOLIDAY_KINDS = ("holiday", "compensatory", "swap")


@cache
def _vn_data() -> tuple[tuple[Holiday, ...], tuple[Holiday, ...], str, range]:
    source = resources.files("workflows").joinpath("data", "holidays_vn.json")
    document = json.loads(source.read_text(encoding="utf-8"))
    if document.get("schema_version") != 1:
        raise ValueError("holidays_vn.json: unsupported schema_version")
    first, last = document["years"]

    def entries(key: str, kinds: tuple[str, ...]) -> tuple[Holiday, ...]:
        result = []
        for item in document[key]:
            if item["kind"] not in kinds:
                raise ValueError(f"holidays_vn.json: unknown kind {item['kind']!r}")
            result.append(
                Holiday(
                    day=date.fromisoformat(item["date"]),
                    name_vi=item["name"]["vi"],
                    name_en=item["name"]["en"],
                    kind=item["kind"],
                    provisional=bool(item.get("provisional", False)),
                )
            )
        return tuple(sorted(result, key=lambda h: h.day))

    days_off = entries("holidays", _HOLIDAY_KINDS)
    workdays = entries("working_days", ("makeup",))
    return days_off, workdays, str(document["timezone"]), range(first, last + 1)


def vietnam_holidays() -> tuple[Holiday, ...]:
    """Every day off in the Vietnamese data (holidays, compensatory and swapped days)."""
    return _vn_data()[0]


@cache
def vietnam(years: range | None = None) -> WorkingCalendar:
    """The Vietnamese public-service calendar: weekdays 07:30-11:30 and 13:00-17:00,
    public holidays, compensatory days and announced day swaps from ``holidays_vn.json``.

    ``years`` restricts the holidays to those years and raises ``ValueError`` if the data
    does not cover one of them (:func:`vietnam_years` tells which years it covers).
    """
    days_off, workdays, timezone, covered = _vn_data()
    if years is not None:
        missing = [y for y in years if y not in covered]
        if missing:
            raise ValueError(
                f"no Vietnamese holiday data for {', '.join(map(str, missing))} "
                f"(the data covers {covered.start}-{covered.stop - 1})"
            )

    def wanted(day: date) -> bool:
        return years is None or day.year in years

    return WorkingCalendar(
        name="vn",
        timezone=timezone,
        holidays=frozenset(h.day for h in days_off if wanted(h.day)),
        extra_working_days=frozenset(h.day for h in workdays if wanted(h.day)),
    )


def vietnam_years() -> range:
    """The years the Vietnamese holiday data covers."""
    return _vn_data()[3]


@cache
def _round_the_clock() -> WorkingCalendar:
    return WorkingCalendar(
        name="calendar",
        timezone="UTC",
        weekend=frozenset(),
        hours=((MIDNIGHT, MIDNIGHT),),
        day_rule="same_time",
    )


class UnknownCalendar(KeyError):
    """``calendar_named`` was given a name it does not know."""

    def __str__(self) -> str:
        return str(self.args[0])


_NAMED = {"vn": vietnam, "calendar": _round_the_clock, "none": _round_the_clock}


def calendar_named(name: str) -> WorkingCalendar:
    """A built-in calendar: "vn" (Vietnamese public service), or "calendar" / "none"
    (every day, round the clock, no holidays: working time equals calendar time).

    Raises :class:`UnknownCalendar` (a ``KeyError``) for any other name.
    """
    key = name.strip().lower() if isinstance(name, str) else name
    factory = _NAMED.get(key) if isinstance(key, str) else None
    if factory is None:
        raise UnknownCalendar(
            f"unknown calendar {name!r}; the built-in calendars are 'vn' (Vietnamese public "
            "service hours and holidays) and 'calendar' (alias 'none': every day, round the "
            "clock)"
        )
    return factory()
