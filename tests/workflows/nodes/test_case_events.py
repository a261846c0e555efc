"""Events addressed to the whole case: cancel, reassign_task, pause/resume, and the
case-level deadline clock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.workflows.nodes.conftest import (
    CITIZEN,
    CLERK,
    NOW,
    START,
    Case,
    arrow,
    build,
    end,
    logged,
    step,
    task,
)
from workflows import events as ev
from workflows.definition import WorkflowDef
from workflows.effects import (
    CancelTask,
    CancelTimer,
    CloseCase,
    CreateTask,
    Notify,
    ReassignTask,
    ScheduleTimer,
    SetCaseDeadline,
    SetTaskDue,
)
from workflows.errors import InvalidEvent


def two_tasks(**deadline: Any) -> WorkflowDef:
    """review (3-day deadline, 1-day reminder) → sign; case deadline P10D."""
    return build(
        [
            START,
            task("review", deadline={"duration": "P3D", "reminders": ["P1D"]}),
            step("wait", "timer", duration="P1D"),
            task("sign"),
            end("finished"),
        ],
        [
            arrow("start", "review"),
            arrow("review", "wait", action="done"),
            arrow("wait", "sign"),
            arrow("sign", "finished", action="done"),
        ],
        deadline={"duration": "P10D", **deadline},
    )


# ----------------------------------------------------------------------------- cancel


def test_cancel_closes_the_case_and_cancels_what_is_open() -> None:
    case = Case(two_tasks())
    review = case.task("review")
    timers = case.timers()
    effects = case.send(ev.cancel("trùng hồ sơ", CLERK))
    assert (case.status, case.outcome) == ("cancelled", "cancelled")
    assert case.last(CancelTask) == [CancelTask(task=review)]
    assert sorted(e.timer for e in case.last(CancelTimer)) == sorted(timers)
    assert (case.state["tokens"], case.state["timers"], case.state["forks"]) == ([], {}, {})
    assert case.state["tasks"][review]["status"] == "cancelled"
    assert [e.outcome for e in case.last(CloseCase)] == ["cancelled"]
    [log] = logged(effects, "case_cancelled")
    assert (log.public, log.detail) == (True, {"reason": "trùng hồ sơ"})


def test_nothing_is_accepted_after_cancel() -> None:
    case = Case(two_tasks())
    review = case.task("review")
    case.send(ev.cancel())
    for event in (ev.complete_task(review, "done"), ev.cancel(), ev.resume()):
        with pytest.raises(InvalidEvent) as caught:
            case.send(event)
        assert caught.value.code == "case_closed"


def test_cancel_clears_the_case_deadline() -> None:
    case = Case(two_tasks())
    case.send(ev.cancel())
    deadlines = case.last(SetCaseDeadline)
    assert deadlines and deadlines[-1] == SetCaseDeadline(due=None)


# ----------------------------------------------------------------------------- reassign


def test_reassign_to_a_user() -> None:
    case = Case(two_tasks())
    review = case.task("review")
    effects = case.send(ev.reassign_task(review, user="le.thi.lanh", reason="nghỉ phép"))
    assert case.last(ReassignTask) == [
        ReassignTask(task=review, agency=None, role=None, user="le.thi.lanh", reason="nghỉ phép")
    ]
    stored = case.state["tasks"][review]
    assert (stored["agency"], stored["role"], stored["user"]) == (None, None, "le.thi.lanh")
    assert logged(effects, "task_reassigned")[0].detail["user"] == "le.thi.lanh"
    assert stored["status"] == "open"


def test_reassign_to_another_agency_and_role() -> None:
    case = Case(two_tasks())
    review = case.task("review")
    case.send(ev.reassign_task(review, agency="sxd", role="leader"))
    stored = case.state["tasks"][review]
    assert (stored["agency"], stored["role"], stored["user"]) == ("sxd", "leader", None)
    case.complete("review", "done")
    assert case.waiting() == ["wait"]


@pytest.mark.parametrize(
    "target", [{}, {"agency": "sxd"}, {"role": "leader"}, {"agency": "", "role": "x"}]
)
def test_reassign_needs_a_user_or_an_agency_and_role(target: dict[str, str]) -> None:
    case = Case(two_tasks())
    with pytest.raises(InvalidEvent) as caught:
        case.send(ev.reassign_task(case.task("review"), **target))
    assert caught.value.code == "invalid_assignment"


def test_reassign_of_a_task_that_is_not_open_is_refused() -> None:
    case = Case(two_tasks())
    review = case.task("review")
    case.complete("review", "done")
    for task_id in (review, "t999"):
        with pytest.raises(InvalidEvent) as caught:
            case.send(ev.reassign_task(task_id, user="x"))
        assert caught.value.code == "task_not_open"


# ----------------------------------------------------------------------------- pause / resume


def test_pause_stops_the_deadline_clock_but_not_plain_timers() -> None:
    case = Case(two_tasks())
    clock = case.timers()
    effects = case.later(days=1).send(ev.pause("chờ ý kiến", CLERK))
    paused = case.state["paused"]
    assert (paused["since"], paused["reason"]) == (case.now.isoformat(), "chờ ý kiến")
    assert sorted(e.timer for e in case.last(CancelTimer)) == sorted(clock)
    assert {case.left(t) for t in clock} == {
        timedelta(days=9),  # case deadline
        timedelta(days=2),  # task deadline
        timedelta(days=1),  # its reminder
    }
    assert logged(effects, "clock_paused")[0].detail["reason"] == "chờ ý kiến"
    for timer_id in clock:
        with pytest.raises(InvalidEvent) as caught:
            case.send(ev.timer_fired(timer_id))
        assert caught.value.code == "timer_not_active"


def test_pausing_twice_is_refused() -> None:
    case = Case(two_tasks())
    case.send(ev.pause())
    with pytest.raises(InvalidEvent) as caught:
        case.send(ev.pause())
    assert caught.value.code == "already_paused"


def test_resume_without_pause_is_refused() -> None:
    case = Case(two_tasks())
    with pytest.raises(InvalidEvent) as caught:
        case.send(ev.resume())
    assert caught.value.code == "not_paused"


def test_resume_moves_every_deadline_later_by_the_pause() -> None:
    case = Case(two_tasks())
    review = case.task("review")
    case_deadline = case.timer("case_deadline")
    task_deadline = case.timer("task_deadline")
    reminder = case.timer("task_reminder")
    case.later(hours=12).send(ev.pause())
    effects = case.later(days=4).send(ev.resume())
    shift = timedelta(days=4)
    assert case.state["paused"] is None
    assert case.due(case_deadline) == NOW + timedelta(days=10) + shift
    assert case.due(task_deadline) == NOW + timedelta(days=3) + shift
    assert case.due(reminder) == NOW + timedelta(days=2) + shift
    assert {e.timer for e in case.last(ScheduleTimer)} == {case_deadline, task_deadline, reminder}
    new_task_due = (NOW + timedelta(days=7)).isoformat()
    assert case.last(SetTaskDue) == [SetTaskDue(task=review, due=new_task_due)]
    assert case.state["tasks"][review]["due"] == new_task_due
    assert case.last(SetCaseDeadline) == [
        SetCaseDeadline(due=(NOW + timedelta(days=14)).isoformat())
    ]
    assert logged(effects, "clock_resumed") != []


def test_an_overdue_timer_paused_stays_overdue_by_as_much_and_is_due_at_once() -> None:
    definition = build(
        [START, task("review", deadline={"duration": "PT1H"}), end("x")],
        [arrow("start", "review"), arrow("review", "x", action="done")],
    )
    case = Case(definition)
    deadline = case.timer("task_deadline")
    case.later(hours=2).send(ev.pause())  # an hour late, and the tick has not fired it yet
    assert case.left(deadline) == timedelta(0)
    case.later(days=1).send(ev.resume())
    assert case.due(deadline) == NOW + timedelta(hours=1, days=1) == case.now - timedelta(hours=1)
    assert [e.due for e in case.last(ScheduleTimer)] == [case.due(deadline).isoformat()]


def test_a_task_opened_while_paused_gets_a_paused_deadline() -> None:
    case = Case(two_tasks())
    case.complete("review", "done")
    case.send(ev.pause())
    case.fire("timer")  # plain timers keep running
    sign = case.task("sign")
    assert case.last(CreateTask)[0].task == sign
    assert case.state["paused"] is not None


def test_a_paused_task_deadline_is_created_paused_and_resumed_later() -> None:
    definition = build(
        [
            START,
            step("wait", "timer", duration="PT1H"),
            task("review", deadline={"duration": "P2D"}),
            end("x"),
        ],
        [arrow("start", "wait"), arrow("wait", "review"), arrow("review", "x", action="done")],
    )
    case = Case(definition)
    case.send(ev.pause())
    case.fire("timer")
    review = case.task("review")
    deadline = case.timer("task_deadline", task=review)
    assert case.left(deadline) == timedelta(days=2)
    assert [e for e in case.last(ScheduleTimer) if e.timer == deadline] == []
    case.later(days=1).send(ev.resume())
    assert case.due(deadline) == case.now + timedelta(days=2)


def held_by_a_task() -> Case:
    definition = build(
        [
            START,
            task("supply", assignment={"submitter": True}, pauses_clock=True),
            task("check"),
            end("x"),
        ],
        [
            arrow("start", "supply"),
            arrow("supply", "check", action="done"),
            arrow("check", "x", action="done"),
        ],
        deadline={"duration": "P10D"},
    )
    case = Case(definition)
    assert case.state["paused"]["reason"] == f"task:{case.task('supply')}"
    return case


def test_resume_does_not_release_a_clock_held_by_a_pausing_task() -> None:
    case = held_by_a_task()
    with pytest.raises(InvalidEvent) as caught:
        case.send(ev.resume())
    assert caught.value.code == "not_paused"
    assert case.state["paused"] is not None


def test_a_manual_pause_over_a_pausing_task_holds_the_clock_until_resumed() -> None:
    case = held_by_a_task()
    deadline = case.timer("case_deadline")
    case.later(days=1).send(ev.pause("thanh tra"))
    with pytest.raises(InvalidEvent) as caught:
        case.send(ev.pause())
    assert caught.value.code == "already_paused"
    case.later(days=1).complete("supply", "done", actor=CITIZEN)
    assert case.state["paused"] is not None
    assert case.left(deadline) == timedelta(days=10)
    case.later(days=1).send(ev.resume())
    assert case.state["paused"] is None
    assert case.due(deadline) == case.now + timedelta(days=10)


# ----------------------------------------------------------------------------- case deadline


def test_the_case_deadline_is_set_at_start() -> None:
    case = Case(two_tasks())
    deadline = case.timer("case_deadline")
    due = (NOW + timedelta(days=10)).isoformat()
    assert SetCaseDeadline(due=due) in case.effects
    assert ScheduleTimer(timer=deadline, due=due, purpose="case_deadline") in case.effects
    assert case.state["timers"][deadline]["token"] is None


def test_case_deadline_in_working_days() -> None:
    definition = build(
        [START, task("review"), end("x")],
        [arrow("start", "review"), arrow("review", "x", action="done")],
        calendar="vn",
        deadline={"duration": "P3D", "working_days": True},
    )
    case = Case(definition)
    # Monday afternoon + 3 working days: Thursday 17:00 in Việt Nam.
    assert case.due(case.timer("case_deadline")).isoformat() == "2026-03-05T10:00:00+00:00"


def test_case_reminder_logs_and_notifies() -> None:
    case = Case(
        two_tasks(
            reminders=["P2D"],
            reminder_notify={"to": {"submitter": True}, "body": {"vi": "Sắp hạn"}},
        )
    )
    assert case.due(case.timer("case_reminder")) == NOW + timedelta(days=8)
    case.fire("case_reminder")
    assert logged(case.effects, "case_deadline_near") != []
    [notify] = case.last(Notify)
    assert (notify.to, notify.body) == ({"submitter": True}, {"vi": "Sắp hạn"})
    assert case.status == "running"


def test_case_reminder_without_notification_only_logs() -> None:
    case = Case(two_tasks(reminders=["P2D"]))
    case.fire("case_reminder")
    assert case.last(Notify) == []
    assert logged(case.effects, "case_deadline_near") != []


def test_case_deadline_logs_overdue_and_escalates_by_notification() -> None:
    escalation = {
        "notify": {
            "channel": "email",
            "to": {"agency": "ioc", "role": "leader"},
            "body": {"vi": "Quá hạn"},
        }
    }
    case = Case(two_tasks(escalation=escalation))
    case.fire("case_deadline")
    [log] = logged(case.effects, "case_overdue")
    assert log.public is True
    [notify] = case.last(Notify)
    assert notify.to == {"agency": "ioc", "role": "leader"}
    assert case.status == "running" and case.open_tasks("review") != []


def test_a_case_that_ends_while_paused_is_no_longer_paused() -> None:
    case = Case(two_tasks())
    case.send(ev.pause("chờ"))
    case.complete("review", "done")
    case.fire("timer")
    case.complete("sign", "done")
    assert case.status == "completed"
    assert case.state["paused"] is None


def test_cancelling_a_case_held_by_a_pausing_task_does_not_resume_its_clock() -> None:
    case = held_by_a_task()
    case.later(days=1).send(ev.cancel("trùng"))
    assert logged(case.effects, "clock_resumed") == []
    assert case.last(ScheduleTimer) == []
    assert case.last(SetCaseDeadline) == [SetCaseDeadline(due=None)]
