"""timer: wait for a duration or until a moment read from the record."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.workflows.nodes.conftest import (
    NOW,
    START,
    Case,
    arrow,
    at,
    build,
    end,
    findings_of,
    logged,
    step,
    task,
    workflow_document,
)
from workflows import events as ev
from workflows.definition import WorkflowDef
from workflows.effects import CancelTimer, ScheduleTimer
from workflows.errors import InvalidEvent, WorkflowRuntimeError


def waiting(calendar: str = "none", **config: Any) -> WorkflowDef:
    """start → wait (timer) → check (task) → finished."""
    return build(
        [START, step("wait", "timer", **config), task("check"), end("finished")],
        [arrow("start", "wait"), arrow("wait", "check"), arrow("check", "finished", action="done")],
        calendar=calendar,
    )


def test_duration_schedules_a_timer_and_waits() -> None:
    case = Case(waiting(duration="P2D"))
    timer_id = case.timer("timer")
    due = (NOW + timedelta(days=2)).isoformat()
    assert case.last(ScheduleTimer) == [
        ScheduleTimer(timer=timer_id, due=due, purpose="timer", task=None)
    ]
    [token] = case.state["tokens"]
    assert (token["node"], token["wait"]) == ("wait", {"kind": "timer", "timer": timer_id})
    assert case.state["timers"][timer_id]["token"] == token["id"]
    assert logged(case.effects, "timer_started")[0].detail == {"timer": timer_id, "due": due}


def test_duration_in_working_days_on_the_vietnamese_calendar() -> None:
    case = Case(waiting("vn", duration="P1D", working_days=True))
    assert case.due(case.timer("timer")) == at("2026-03-03T10:00:00+00:00")
    assert case.state["timers"][case.timer("timer")]["working"] is True


def test_calendar_days_on_the_vietnamese_calendar_are_plain_days() -> None:
    case = Case(waiting("vn", duration="P2D"))
    assert case.due(case.timer("timer")) == NOW + timedelta(days=2)


def test_timer_fired_moves_on() -> None:
    case = Case(waiting(duration="PT1H"))
    timer_id = case.timer("timer")
    effects = case.fire("timer")
    assert case.waiting() == ["check"]
    assert case.state["timers"] == {}
    assert logged(effects, "timer_fired")[0].detail == {"timer": timer_id}
    assert case.last(CancelTimer) == []


@pytest.mark.parametrize(
    ("value", "calendar", "due"),
    [
        ("2026-03-10T09:00:00+07:00", "none", "2026-03-10T02:00:00+00:00"),
        ("2026-05-01", "none", "2026-05-01T00:00:00+00:00"),
        ("2026-05-01", "vn", "2026-04-30T17:00:00+00:00"),
        ("2026-05-01T09:00:00", "vn", "2026-05-01T02:00:00+00:00"),
    ],
)
def test_until_a_moment_from_the_record(value: str, calendar: str, due: str) -> None:
    case = Case(waiting(calendar, until={"var": "visit_at"}), {"visit_at": value})
    assert case.due(case.timer("timer")) == at(due)
    case.fire("timer")
    assert case.waiting() == ["check"]


def test_until_a_computed_moment() -> None:
    rule = {"cat": [{"var": "visit_date"}, "T08:00:00+07:00"]}
    case = Case(waiting(until=rule), {"visit_date": "2026-04-02"})
    assert case.due(case.timer("timer")) == at("2026-04-02T01:00:00+00:00")


@pytest.mark.parametrize("value", ["next week", 20260501, None, "2026-13-45"])
def test_until_something_that_is_not_a_date_fails(value: Any) -> None:
    data = {} if value is None else {"visit_at": value}
    with pytest.raises(WorkflowRuntimeError) as caught:
        Case(waiting(until={"var": "visit_at"}), data)
    assert (caught.value.code, caught.value.params["node"]) == ("invalid_moment", "wait")


def test_an_unknown_timer_is_not_active() -> None:
    case = Case(waiting(duration="P1D"))
    with pytest.raises(InvalidEvent) as caught:
        case.send(ev.timer_fired("t999"))
    assert caught.value.code == "timer_not_active"


def test_a_timer_that_already_fired_is_not_active() -> None:
    case = Case(waiting(duration="P1D"))
    timer_id = case.timer("timer")
    case.fire("timer")
    with pytest.raises(InvalidEvent) as caught:
        case.send(ev.timer_fired(timer_id))
    assert caught.value.code == "timer_not_active"


def test_a_timer_cancelled_with_its_branch_is_not_active() -> None:
    definition = build(
        [
            START,
            step("split", "parallel"),
            step("wait", "timer", duration="P5D"),
            task("decide", "stop"),
            step("stop", "terminate", outcome="stopped"),
            end("late"),
        ],
        [
            arrow("start", "split"),
            arrow("split", "wait"),
            arrow("split", "decide"),
            arrow("wait", "late"),
            arrow("decide", "stop", action="stop"),
        ],
    )
    case = Case(definition)
    timer_id = case.timer("timer")
    case.complete("decide", "stop")
    assert CancelTimer(timer=timer_id) in case.effects
    assert case.state["timers"] == {}
    with pytest.raises(InvalidEvent):
        case.send(ev.timer_fired(timer_id))


def test_a_plain_timer_keeps_running_while_the_deadline_clock_is_paused() -> None:
    case = Case(waiting(duration="P1D"))
    case.send(ev.pause("chờ"))
    assert case.last(CancelTimer) == []
    assert case.left(case.timer("timer")) is None
    case.fire("timer")
    assert case.waiting() == ["check"]


@pytest.mark.parametrize(
    "config", [{}, {"duration": "P1D", "until": {"var": "visit_at"}}, {"duration": "P1M"}]
)
def test_invalid_timers_are_found(config: dict[str, Any]) -> None:
    document = workflow_document(
        [START, step("wait", "timer", **config), end("finished")],
        [arrow("start", "wait"), arrow("wait", "finished")],
    )
    assert "schema" in {f["code"] for f in findings_of(document)}
