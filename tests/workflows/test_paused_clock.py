"""The paused deadline clock across office hours, the lunch break, evenings, weekends and
holidays (issue #10).

The rule (docs/definition-format.md, "Deadlines"): while the clock is paused, every deadline
it holds keeps the time it had left, to the microsecond; when the clock runs again, the
deadline has moved later by exactly the office time that passed while it was held — nothing
at all when the pause lay outside office hours — and it never moves earlier.

Pure: the engine is driven with chosen ``now`` values. The expected values do not come from
``workflows.calendar``: :func:`office_time` reads the Vietnamese calendar day by day from the
local clock and the holiday data file.
"""

from __future__ import annotations

import copy
import json
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.workflows.conftest import load_bundle
from tests.workflows.nodes.conftest import (
    CITIZEN,
    CLERK,
    OFFICER,
    START,
    Case,
    arrow,
    build,
    end,
    step,
    task,
)
from workflows import events as ev
from workflows.definition import WorkflowDef, ensure_valid_bundle
from workflows.effects import SetCaseDeadline, SetTaskDue
from workflows.engine import CLOCK_PURPOSES
from workflows.state import STATE_VERSION, upgrade

VN = ZoneInfo("Asia/Ho_Chi_Minh")
REPO = Path(__file__).resolve().parents[2]
_HOLIDAY_DATA = json.loads((REPO / "workflows" / "data" / "holidays_vn.json").read_text("utf-8"))
DAYS_OFF = frozenset(date.fromisoformat(h["date"]) for h in _HOLIDAY_DATA["holidays"])
MAKEUP_DAYS = frozenset(date.fromisoformat(h["date"]) for h in _HOLIDAY_DATA["working_days"])
OFFICE_HOURS = ((time(7, 30), time(11, 30)), (time(13, 0), time(17, 0)))


def local(*parts: int) -> datetime:
    """A moment in Vietnamese local time: year, month, day[, hour, minute, second, µs]."""
    return datetime(*parts, tzinfo=VN)  # type: ignore[misc]


def is_working_day(day: date) -> bool:
    return day in MAKEUP_DAYS or (day.weekday() < 5 and day not in DAYS_OFF)


def office_time(start: datetime, end: datetime) -> timedelta:
    """Office time between two moments, added up day by day from the local clock."""
    total = timedelta(0)
    day, last = start.astimezone(VN).date(), end.astimezone(VN).date()
    while day <= last:
        if is_working_day(day):
            for opens, closes in OFFICE_HOURS:
                begin = max(start, datetime.combine(day, opens, VN))
                finish = min(end, datetime.combine(day, closes, VN))
                total += max(timedelta(0), finish - begin)
        day += timedelta(days=1)
    return total


def in_office_hours(moment: datetime) -> bool:
    """Inside an office period, or exactly at its close (where a count that ends there
    stops). With :func:`office_time` from a known moment, this pins a moment down."""
    here = moment.astimezone(VN)
    return is_working_day(here.date()) and any(
        opens < here.time() <= closes for opens, closes in OFFICE_HOURS
    )


# ----------------------------------------------------------------------------- the workflow

#: A case with every kind of clock: a 15-working-day legal deadline with a reminder three
#: working days before; a review due in two working days, reminded 8 office hours before
#: (that is, at 07:30 of its last day: a reminder due at an opening time); an inspection
#: due 36 calendar hours after it opens, reminded 12 hours before.
CLOCKED = build(
    [
        START,
        step("split", "parallel"),
        task(
            "review",
            deadline={"duration": "P2D", "working_days": True, "reminders": ["PT8H", "P1D"]},
        ),
        task("inspect", deadline={"duration": "PT36H", "reminders": ["PT12H"]}),
        step("both", "join"),
        end("done"),
    ],
    [
        arrow("start", "split"),
        arrow("split", "review"),
        arrow("split", "inspect"),
        arrow("review", "both", action="done"),
        arrow("inspect", "both", action="done"),
        arrow("both", "done"),
    ],
    calendar="vn",
    deadline={"duration": "P15D", "working_days": True, "reminders": ["P3D"]},
)


def clock_dues(case: Case) -> dict[str, datetime]:
    return {
        timer_id: case.due(timer_id)
        for timer_id, timer in case.state["timers"].items()
        if timer["purpose"] in CLOCK_PURPOSES
    }


def pause_and_resume(
    started: datetime, paused: datetime, resumed: datetime, definition: WorkflowDef = CLOCKED
) -> tuple[Case, dict[str, datetime], dict[str, datetime]]:
    """Start a case, pause its clock by hand, resume it: (case, dues before, dues after)."""
    case = Case(definition, now=started)
    before = clock_dues(case)
    case.now = paused
    case.send(ev.pause("chờ ý kiến", CLERK))
    assert all(case.left(timer_id) is not None for timer_id in before)
    case.now = resumed
    case.send(ev.resume(CLERK))
    assert case.state["paused"] is None
    return case, before, clock_dues(case)


def assert_moved_by_the_office_time_held(
    case: Case,
    before: dict[str, datetime],
    after: dict[str, datetime],
    paused: datetime,
    resumed: datetime,
) -> None:
    held = office_time(paused, resumed)
    assert before.keys() == after.keys()
    for timer_id, original in before.items():
        timer = case.state["timers"][timer_id]
        moved = after[timer_id]
        where = (timer["purpose"], timer["task"], original.isoformat(), moved.isoformat())
        assert moved >= original, where  # never earlier
        if not timer["working"]:  # calendar time: moved by the time held, exactly
            assert moved - original == resumed - paused, where
        elif not held:  # the pause lay outside office hours: nothing changes
            assert moved == original, where
        else:  # exactly that much office time later, and not in a break
            assert office_time(original, moved) == held, where
            assert in_office_hours(moved), where
    # The task and the record see the same moments as the timers.
    for timer in case.state["timers"].values():
        if timer["purpose"] == "task_deadline":
            assert case.state["tasks"][timer["task"]]["due"] == timer["due"]
            assert SetTaskDue(task=timer["task"], due=timer["due"]) in case.effects
        if timer["purpose"] == "case_deadline":
            assert case.last(SetCaseDeadline) == [SetCaseDeadline(due=timer["due"])]


# ----------------------------------------------------------------------------- the sweep

#: Moments the clock is paused at (Vietnamese local time), several with sub-second parts.
PAUSES = {
    "monday-morning": local(2026, 3, 2, 8, 15, 0, 123_456),
    "just-before-lunch": local(2026, 3, 2, 11, 29, 59, 999_999),
    "lunch": local(2026, 3, 2, 12, 5, 0, 530_000),
    "after-lunch-13:05": local(2026, 3, 2, 13, 5, 0, 530_000),
    "at-closing": local(2026, 3, 2, 17, 0, 0),
    "evening": local(2026, 3, 2, 18, 30, 0, 750_000),
    "before-opening": local(2026, 3, 3, 6, 59, 59, 500_000),
    "friday-afternoon": local(2026, 3, 6, 16, 0, 0, 250_000),
    "saturday": local(2026, 3, 7, 10, 0, 0, 1),
    "holiday-eve-afternoon": local(2026, 4, 29, 16, 59, 59, 500_000),  # 30/4, 1/5 off
    "holiday-eve-evening": local(2026, 4, 24, 19, 0, 0, 900_000),  # 25-27/4 off
    "on-a-holiday": local(2026, 4, 30, 9, 0, 0, 400_000),
    "national-day-eve": local(2026, 8, 28, 16, 30, 0, 10),  # 29/8-2/9 off
    "makeup-saturday": local(2026, 8, 22, 10, 0, 0, 600_000),  # worked instead of 31/8
}
#: How long after the pause the clock resumes (calendar time).
RESUMES = {
    "0.27s": timedelta(microseconds=270_000),
    "1us": timedelta(microseconds=1),
    "25min": timedelta(minutes=25),
    "3h": timedelta(hours=3, microseconds=333_333),
    "13h": timedelta(hours=13),
    "1d": timedelta(days=1),
    "3d-over-a-weekend": timedelta(days=3, hours=2, microseconds=50),
    "6d": timedelta(days=6, minutes=1),
    "12d": timedelta(days=12, seconds=59, microseconds=999_999),
}


@pytest.mark.parametrize("resume_after", RESUMES.values(), ids=RESUMES.keys())
@pytest.mark.parametrize("paused", PAUSES.values(), ids=PAUSES.keys())
def test_a_pause_moves_every_deadline_by_the_office_time_it_held(
    paused: datetime, resume_after: timedelta
) -> None:
    started = paused - timedelta(hours=1, microseconds=123_457)
    resumed = paused + resume_after
    case, before, after = pause_and_resume(started, paused, resumed)
    assert len(before) == 7  # the case: deadline, reminder; review: 3; inspection: 2
    assert_moved_by_the_office_time_held(case, before, after, paused, resumed)


#: Pauses that begin and end in the same stretch outside office hours.
OUTSIDE = {
    "lunch": (local(2026, 3, 2, 11, 30, 0), local(2026, 3, 2, 12, 59, 59, 999_999)),
    "lunch-sub-second": (
        local(2026, 3, 2, 12, 5, 0, 530_000),
        local(2026, 3, 2, 12, 5, 0, 800_000),
    ),
    "evening-to-morning": (local(2026, 3, 2, 17, 0, 0), local(2026, 3, 3, 7, 30, 0)),
    "night": (local(2026, 3, 2, 18, 30, 0, 750_000), local(2026, 3, 3, 6, 0, 0, 1)),
    "weekend": (local(2026, 3, 6, 17, 0, 0, 1), local(2026, 3, 9, 7, 29, 59, 999_999)),
    "long-weekend": (local(2026, 4, 24, 17, 30), local(2026, 4, 28, 7, 0)),  # 25-27/4 off
    "reunification-day": (local(2026, 4, 29, 17, 0, 0), local(2026, 5, 4, 7, 30)),
    "tet": (local(2026, 2, 13, 17, 15), local(2026, 2, 23, 7, 15, 0, 999_999)),
}


@pytest.mark.parametrize(("paused", "resumed"), OUTSIDE.values(), ids=OUTSIDE.keys())
def test_a_pause_outside_office_hours_changes_no_deadline(
    paused: datetime, resumed: datetime
) -> None:
    assert office_time(paused, resumed) == timedelta(0)
    for started in (paused - timedelta(minutes=30, microseconds=7), paused):
        case, before, after = pause_and_resume(started, paused, resumed)
        working = {t for t in before if case.state["timers"][t]["working"]}
        assert {t: after[t] for t in working} == {t: before[t] for t in working}
        assert_moved_by_the_office_time_held(case, before, after, paused, resumed)


# ----------------------------------------------------------------------------- worked examples

MONDAY_0900 = local(2026, 3, 2, 9, 0)  # P15D: due Monday 23/3 17:00
THURSDAY_0900 = local(2026, 4, 23, 9, 0)  # P15D over 27/4, 30/4 and 1/5: due Tuesday 19/5


@pytest.mark.parametrize(
    ("started", "paused", "resumed", "deadline"),
    [
        # Issue #10: paused at 13:05:00.53 and resumed 0.27 s later. 0.27 s of office time
        # passed, so the deadline (17:00) moves to 07:30:00.27 the next working day; it was
        # 16:59:59.47 before, the remaining time having been cut to whole seconds.
        (
            MONDAY_0900,
            local(2026, 3, 2, 13, 5, 0, 530_000),
            local(2026, 3, 2, 13, 5, 0, 800_000),
            local(2026, 3, 24, 7, 30, 0, 270_000),
        ),
        # Paused in the lunch break and resumed before 13:00: nothing changes.
        (
            MONDAY_0900,
            local(2026, 3, 2, 12, 5, 0, 530_000),
            local(2026, 3, 2, 12, 55),
            local(2026, 3, 23, 17),
        ),
        # 11:00:00.25-11:30 and 13:00-13:30 count: 59 min 59.75 s.
        (
            MONDAY_0900,
            local(2026, 3, 2, 11, 0, 0, 250_000),
            local(2026, 3, 2, 13, 30),
            local(2026, 3, 24, 8, 29, 59, 750_000),
        ),
        # Friday 16:00 to Monday 08:00: one hour on Friday, half an hour on Monday.
        (MONDAY_0900, local(2026, 3, 6, 16), local(2026, 3, 9, 8), local(2026, 3, 24, 9)),
        # Friday evening to Monday before opening: nothing changes.
        (
            MONDAY_0900,
            local(2026, 3, 6, 17, 30),
            local(2026, 3, 9, 7, 29, 59, 999_999),
            local(2026, 3, 23, 17),
        ),
        # Evening to evening a week later: five whole working days, the deadline too.
        (MONDAY_0900, local(2026, 3, 2, 18), local(2026, 3, 9, 18), local(2026, 3, 30, 17)),
        # Half a second before the long weekend of 25-27/4, half a second after it: 1 s.
        (
            THURSDAY_0900,
            local(2026, 4, 24, 16, 59, 59, 500_000),
            local(2026, 4, 28, 7, 30, 0, 500_000),
            local(2026, 5, 20, 7, 30, 1),
        ),
        # From the eve of 30/4 to Monday 4/5 before opening: nothing changes.
        (THURSDAY_0900, local(2026, 4, 29, 19), local(2026, 5, 4, 7), local(2026, 5, 19, 17)),
    ],
    ids=[
        "13:05-sub-second",
        "lunch",
        "across-lunch",
        "across-a-weekend",
        "over-a-weekend",
        "evening-to-evening",
        "across-a-holiday",
        "over-a-holiday",
    ],
)
def test_the_case_deadline_after_a_pause(
    started: datetime, paused: datetime, resumed: datetime, deadline: datetime
) -> None:
    case, before, after = pause_and_resume(started, paused, resumed)
    timer = case.timer("case_deadline")
    assert before[timer] == (
        local(2026, 3, 23, 17) if started == MONDAY_0900 else local(2026, 5, 19, 17)
    )
    assert after[timer] == deadline
    assert_moved_by_the_office_time_held(case, before, after, paused, resumed)


def test_a_reminder_due_at_an_opening_time_stays_there_after_a_pause_overnight() -> None:
    # Review opened Monday 2/3 09:00: due Wednesday 17:00, reminded Tuesday 17:00 (P1D) and
    # Wednesday 07:30 (PT8H).
    paused, resumed = local(2026, 3, 2, 18), local(2026, 3, 2, 21, 0, 0, 1)
    case, before, after = pause_and_resume(MONDAY_0900, paused, resumed)
    review = case.task("review")
    assert sorted(before[t] for t in case.timers("task_reminder", task=review)) == [
        local(2026, 3, 3, 17),
        local(2026, 3, 4, 7, 30),
    ]
    # Tuesday 17:00 and Wednesday 07:30 are the same office-time position: counting the
    # time left again from 21:00 would have moved the second reminder to Tuesday 17:00.
    working = [t for t in before if case.state["timers"][t]["working"]]
    assert len(working) == 5
    assert {t: after[t] for t in working} == {t: before[t] for t in working}
    assert_moved_by_the_office_time_held(case, before, after, paused, resumed)


@pytest.mark.parametrize(
    ("started", "deadline"),
    [
        (local(2026, 3, 2, 9, 0), local(2026, 3, 23, 17)),
        (local(2026, 3, 2, 13, 5, 0, 530_000), local(2026, 3, 23, 17)),
        (local(2026, 3, 2, 12, 5, 0, 530_000), local(2026, 3, 23, 17)),  # lunch: same day
        (local(2026, 3, 2, 6, 59, 59, 999_999), local(2026, 3, 23, 17)),  # before opening
        (local(2026, 3, 2, 17, 0, 0), local(2026, 3, 24, 17)),  # at closing: next morning
        (local(2026, 3, 2, 18, 30, 0, 750_000), local(2026, 3, 24, 17)),  # evening
        (local(2026, 3, 7, 10, 0, 0, 1), local(2026, 3, 30, 17)),  # Saturday: from Monday
        (local(2026, 4, 24, 19), local(2026, 5, 21, 17)),  # holiday eve: from Tuesday 28/4
    ],
)
def test_a_legal_deadline_counts_from_the_next_working_moment(
    started: datetime, deadline: datetime
) -> None:
    case = Case(CLOCKED, now=started)
    assert case.due(case.timer("case_deadline")) == deadline


# ----------------------------------------------------------------------------- the permit

PERMIT_FLOW = ensure_valid_bundle(load_bundle("one_stop_permit")).workflows["permit_flow"]


def permit_returned_and_resubmitted(submitted: datetime, **later: Any) -> tuple[Case, datetime]:
    """Submit a permit application, return it to the applicant ``returned`` later (the
    legal clock stops), resubmit it ``resubmitted`` later (it runs again)."""
    case = Case(PERMIT_FLOW, now=submitted, actor=CITIZEN)
    first = case.due(case.timer("case_deadline"))
    case.now = submitted + later["returned"]
    case.complete("check", "incomplete", {"completeness_note": "Thiếu bản vẽ"}, OFFICER)
    assert case.state["paused"] is not None and case.left(case.timer("case_deadline"))
    case.now = submitted + later["resubmitted"]
    case.complete("return_to_applicant", "resubmit", {}, CITIZEN)
    assert case.state["paused"] is None
    return case, first


@pytest.mark.parametrize(
    "submitted",
    [
        local(2026, 12, 7, 13, 5, 0, 530_000),  # the moment of issue #10: office hours
        local(2026, 12, 7, 12, 5, 0, 530_000),  # the lunch break
        local(2026, 12, 7, 9, 59, 59, 999_999),
        local(2026, 12, 7, 16, 59, 59, 900_000),  # returned and resubmitted after closing
        local(2026, 12, 7, 20, 5, 0, 530_000),
        local(2026, 12, 12, 13, 5, 0, 530_000),  # a Saturday
    ],
)
def test_a_returned_permit_keeps_its_legal_deadline_when_resubmitted(submitted: datetime) -> None:
    returned, resubmitted = timedelta(milliseconds=120), timedelta(milliseconds=270)
    case, first = permit_returned_and_resubmitted(
        submitted, returned=returned, resubmitted=resubmitted
    )
    deadline = case.due(case.timer("case_deadline"))
    held = office_time(submitted + returned, submitted + resubmitted)
    assert deadline >= first
    if held:
        assert office_time(first, deadline) == held and in_office_hours(deadline)
    else:
        assert deadline == first
    assert case.last(SetCaseDeadline) == [SetCaseDeadline(due=deadline.isoformat())]


def test_the_permit_of_issue_10_is_not_due_earlier_after_resubmission() -> None:
    # Submitted Monday 7/12/2026 at 13:05:00.53 in Vietnam (06:05 UTC): due on Monday 28/12
    # at 17:00 (10:00 UTC). Returned 0.12 s later, resubmitted 0.15 s after that.
    case, first = permit_returned_and_resubmitted(
        local(2026, 12, 7, 13, 5, 0, 530_000),
        returned=timedelta(milliseconds=120),
        resubmitted=timedelta(milliseconds=270),
    )
    assert first == local(2026, 12, 28, 17)
    # 0.15 s of office time passed while it was with the applicant: the case is due that
    # much office time after 17:00 on the 28th — 07:30:00.15 on the 29th — not 16:59:59.47.
    assert case.due(case.timer("case_deadline")) == local(2026, 12, 29, 7, 30, 0, 150_000)


# ----------------------------------------------------------------------------- stored states


def test_a_case_paused_under_state_version_2_resumes_without_losing_time() -> None:
    started, paused, resumed = MONDAY_0900, local(2026, 3, 2, 10), local(2026, 3, 3, 14, 0, 0, 5)
    _, before, after = pause_and_resume(started, paused, resumed)
    # The same case as stored before version 3: whole seconds left instead of held_since.
    case = Case(CLOCKED, now=started)
    case.now = paused
    case.send(ev.pause("chờ ý kiến", CLERK))
    old = copy.deepcopy(case.state)
    old["schema_version"] = 2
    for timer_id, timer in old["timers"].items():
        left = case.left(timer_id)
        del timer["held_since"]
        timer["paused_remaining"] = None if left is None else left // timedelta(seconds=1)
    upgraded = upgrade(copy.deepcopy(old))
    assert upgraded["schema_version"] == STATE_VERSION
    assert {t["held_since"] for t in upgraded["timers"].values()} == {paused.isoformat()}
    case.state, case.now = old, resumed
    case.send(ev.resume(CLERK))
    assert clock_dues(case) == after
    assert_moved_by_the_office_time_held(case, before, after, paused, resumed)
