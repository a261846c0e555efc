"""Where work stands against its deadline, at the edges officials meet: due today at 17:00,
a holiday in between, a paused clock, work closed one minute late."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.test import override_settings
from django.utils import translation

from apps.runtime.deadlines import Standing, deadline_of, due_soon_before

VN = "+07:00"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text + VN)


# Office hours: 07:30-11:30 and 13:00-17:00; due soon = within 8 working hours.
@pytest.mark.parametrize(
    ("now", "due", "standing", "remaining"),
    [
        ("2026-03-02T07:00:00", "2026-03-03T17:00:00", Standing.NOT_DUE, timedelta(hours=16)),
        ("2026-03-02T07:00:00", "2026-03-02T17:00:00", Standing.DUE_SOON, timedelta(hours=8)),
        ("2026-03-02T12:00:00", "2026-03-02T17:00:00", Standing.DUE_SOON, timedelta(hours=4)),
        ("2026-03-02T17:00:00", "2026-03-02T17:00:00", Standing.DUE_SOON, timedelta(0)),
        # After hours: overdue at once, but no working time has passed yet.
        ("2026-03-02T17:01:00", "2026-03-02T17:00:00", Standing.OVERDUE, timedelta(0)),
        ("2026-03-03T08:00:00", "2026-03-02T17:00:00", Standing.OVERDUE, -timedelta(minutes=30)),
    ],
)
def test_a_task_due_today_at_five(
    now: str, due: str, standing: Standing, remaining: timedelta
) -> None:
    found = deadline_of(due=at(due), now=at(now))
    assert (found.standing, found.remaining) == (standing, remaining)
    assert found.is_open


def test_a_holiday_in_between_does_not_count() -> None:
    # 30/4 and 1/5/2026 are public holidays (a Thursday and a Friday).
    found = deadline_of(due=at("2026-05-04T09:30:00"), now=at("2026-04-29T16:30:00"))
    assert found.standing == Standing.DUE_SOON
    assert found.remaining == timedelta(hours=2, minutes=30)  # 16:30-17:00, then Monday


def test_a_paused_clock_says_so() -> None:
    found = deadline_of(due=at("2026-03-02T17:00:00"), now=at("2026-03-03T10:00:00"), paused=True)
    assert found.standing == Standing.PAUSED
    with translation.override("vi"):
        assert found.label == "Tạm dừng — chờ công dân bổ sung"


def test_work_closed_one_minute_late_is_late() -> None:
    due = at("2026-03-02T17:00:00")
    late = deadline_of(due=due, now=at("2026-03-05T09:00:00"), done_at=due + timedelta(minutes=1))
    on_time = deadline_of(due=due, now=at("2026-03-05T09:00:00"), done_at=due)
    assert (late.standing, on_time.standing) == (Standing.LATE, Standing.ON_TIME)
    assert not late.is_open and late.remaining is None
    with translation.override("vi"):
        assert (late.label, on_time.label) == ("Trễ hạn", "Đúng hạn")


def test_no_deadline() -> None:
    assert deadline_of(due=None, now=at("2026-03-02T09:00:00")).standing == Standing.NONE


@override_settings(DEADLINE_DUE_SOON_HOURS=2)
def test_the_due_soon_margin_is_working_time_and_a_setting() -> None:
    # Friday 16:00 + 2 working hours = Monday 08:30 (weekend skipped).
    assert due_soon_before(at("2026-03-06T16:00:00")) == at("2026-03-09T08:30:00")
    friday = at("2026-03-06T16:00:00")
    assert deadline_of(due=at("2026-03-09T08:30:00"), now=friday).standing == Standing.DUE_SOON
    assert deadline_of(due=at("2026-03-09T08:31:00"), now=friday).standing == Standing.NOT_DUE
