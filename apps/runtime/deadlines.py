"""Where a task or a case stands against its deadline, in the words officials use.

Open work is *not yet due* (Chưa đến hạn), *due soon* (Sắp đến hạn: within
``DEADLINE_DUE_SOON_HOURS`` working hours of its deadline) or *overdue* (Quá hạn); closed
work was done *on time* (Đúng hạn) or *late* (Trễ hạn); while the clock is paused (the
dossier is back with the citizen) it says so. Remaining time is working time, by the
workflow's calendar (Vietnamese office hours and holidays unless it says otherwise).

Everything takes ``now``: deadlines are data, and so is the moment they are read at.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from workflows.calendar import UnknownCalendar, WorkingCalendar, calendar_named


class Standing(StrEnum):
    NONE = "none"
    NOT_DUE = "not_due"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    ON_TIME = "on_time"
    LATE = "late"
    PAUSED = "paused"


LABELS: dict[Standing, Promise] = {
    Standing.NONE: _("No deadline"),
    Standing.NOT_DUE: _("Not yet due"),
    Standing.DUE_SOON: _("Due soon"),
    Standing.OVERDUE: _("Overdue"),
    Standing.ON_TIME: _("Done on time"),
    Standing.LATE: _("Done late"),
    Standing.PAUSED: _("Paused — waiting for the citizen"),
}

OPEN_STANDINGS = (Standing.NOT_DUE, Standing.DUE_SOON, Standing.OVERDUE, Standing.PAUSED)


@lru_cache(maxsize=8)
def calendar_of(name: str) -> WorkingCalendar:
    """A workflow's calendar by name; an unknown name counts in calendar time."""
    try:
        return calendar_named(name or "vn")
    except UnknownCalendar:
        return calendar_named("calendar")


def due_soon_margin() -> timedelta:
    return timedelta(hours=float(getattr(settings, "DEADLINE_DUE_SOON_HOURS", 8)))


def due_soon_before(now: datetime, *, calendar: str = "vn") -> datetime:
    """Open work due at or before this moment (and not yet overdue) is *due soon*: the
    moment ``DEADLINE_DUE_SOON_HOURS`` working hours after ``now``. Filters in SQL use it:
    ``now <= due <= due_soon_before(now)``."""
    return calendar_of(calendar).add_working_time(now, due_soon_margin())


@dataclass(frozen=True)
class Deadline:
    standing: Standing
    due: datetime | None
    #: Working time left before the deadline (negative: working time past it); None when
    #: there is no deadline or the work is done.
    remaining: timedelta | None

    @property
    def label(self) -> str:
        return str(LABELS[self.standing])

    @property
    def is_open(self) -> bool:
        return self.standing in OPEN_STANDINGS


def deadline_of(
    *,
    due: datetime | None,
    now: datetime,
    done_at: datetime | None = None,
    paused: bool = False,
    calendar: str = "vn",
) -> Deadline:
    """Where work due at ``due`` stands at ``now``: done at ``done_at`` (None while open),
    its clock ``paused`` or not, counted in ``calendar``."""
    if due is None:
        return Deadline(Standing.NONE, None, None)
    if done_at is not None:
        return Deadline(Standing.ON_TIME if done_at <= due else Standing.LATE, due, None)
    working = calendar_of(calendar)
    if now <= due:
        remaining = working.working_time_between(now, due)
    else:
        remaining = -working.working_time_between(due, now)
    if paused:
        return Deadline(Standing.PAUSED, due, remaining)
    if now > due:
        return Deadline(Standing.OVERDUE, due, remaining)
    if remaining <= due_soon_margin():
        return Deadline(Standing.DUE_SOON, due, remaining)
    return Deadline(Standing.NOT_DUE, due, remaining)
