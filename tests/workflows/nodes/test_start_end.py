"""start, end and terminate."""

from __future__ import annotations

from typing import Any

import pytest

from tests.workflows.nodes.conftest import (
    CITIZEN,
    NOW,
    START,
    Case,
    arrow,
    build,
    end,
    findings_of,
    logged,
    step,
    task,
    terminate,
    workflow_document,
)
from workflows import engine
from workflows import events as ev
from workflows.definition import WorkflowDef
from workflows.effects import (
    CancelSubprocess,
    CancelTask,
    CancelTimer,
    CloseCase,
    CreateTask,
    SetCaseDeadline,
)
from workflows.errors import InvalidEvent
from workflows.state import new_state

# ----------------------------------------------------------------------------- start


def test_start_logs_the_receipt_and_remembers_the_submitter() -> None:
    case = Case(
        build(
            [START, task("check"), end("x")],
            [arrow("start", "check"), arrow("check", "x", action="done")],
        ),
        actor=CITIZEN,
    )
    [log] = logged(case.effects, "case_started")
    assert (log.node, log.public) == ("start", True)
    assert case.state["actors"]["submitter"] == "c-1"
    assert case.state["path"] == ["start", "check"]


def test_start_twice_is_refused() -> None:
    definition = build(
        [START, task("check"), end("x")],
        [arrow("start", "check"), arrow("check", "x", action="done")],
    )
    case = Case(definition)
    with pytest.raises(InvalidEvent) as caught:
        case.send(ev.start())
    assert caught.value.code == "already_started"


def test_start_through_handle_on_a_new_state() -> None:
    definition = build([START, end("x")], [arrow("start", "x")])
    state, _ = engine.handle(definition, new_state({"a": 1}), ev.start(CITIZEN), NOW)
    assert (state["status"], state["outcome"], state["data"]) == ("completed", "x", {"a": 1})


@pytest.mark.parametrize(
    ("nodes", "transitions", "code"),
    [
        (
            [START, step("s2", "start"), end("x")],
            [arrow("start", "x"), arrow("s2", "x")],
            "start_count",
        ),
        ([step("begin", "decision"), end("x")], [arrow("begin", "x", default=True)], "start_count"),
        ([START, end("x"), end("y")], [arrow("start", "x"), arrow("start", "y")], "start_branches"),
        (
            [START, end("x"), end("y")],
            [arrow("start", "x"), arrow("x", "y")],
            "transition_from_end",
        ),
        ([START, task("check"), end("x")], [arrow("start", "check")], "dead_end"),
        ([START, end("x")], [arrow("start", "nowhere")], "unknown_node"),
    ],
)
def test_invalid_starts_and_ends_are_found(
    nodes: list[dict[str, Any]], transitions: list[dict[str, Any]], code: str
) -> None:
    assert code in {f["code"] for f in findings_of(workflow_document(nodes, transitions))}


def test_an_end_needs_an_outcome() -> None:
    document = workflow_document([START, step("x", "end")], [arrow("start", "x")])
    assert "schema" in {f["code"] for f in findings_of(document)}


# ----------------------------------------------------------------------------- end


def test_end_closes_the_case_with_its_outcome() -> None:
    definition = build(
        [START, task("check", "ok", "no"), end("good", "resolved"), end("bad", "rejected")],
        [
            arrow("start", "check"),
            arrow("check", "good", action="ok"),
            arrow("check", "bad", action="no"),
        ],
    )
    case = Case(definition)
    effects = case.complete("check", "no")
    assert (case.status, case.outcome, case.state["tokens"]) == ("completed", "rejected", [])
    [close] = case.last(CloseCase)
    assert close.outcome == "rejected"
    [log] = logged(effects, "case_closed")
    assert (log.node, log.public, log.detail) == ("bad", True, {"outcome": "rejected"})
    assert case.last(SetCaseDeadline) == []  # no case deadline to clear


def test_end_clears_the_case_deadline() -> None:
    definition = build(
        [START, task("check"), end("x")],
        [arrow("start", "check"), arrow("check", "x", action="done")],
        deadline={"duration": "P10D"},
    )
    case = Case(definition)
    deadline = case.timer("case_deadline")
    case.complete("check", "done")
    assert SetCaseDeadline(due=None) in case.effects
    assert CancelTimer(timer=deadline) in case.effects
    assert case.state["timers"] == {}


def test_a_case_that_ends_at_once_is_completed_by_start() -> None:
    case = Case(build([START, end("x", "nothing_to_do")], [arrow("start", "x")]))
    assert (case.status, case.outcome) == ("completed", "nothing_to_do")


def test_a_closed_case_accepts_no_more_events() -> None:
    case = Case(build([START, end("x")], [arrow("start", "x")]))
    for event in (ev.cancel(), ev.pause(), ev.timer_fired("t1"), ev.message("m", 1)):
        with pytest.raises(InvalidEvent) as caught:
            case.send(event)
        assert caught.value.code == "case_closed"


# ----------------------------------------------------------------------------- terminate


def everything_running() -> WorkflowDef:
    """Five branches: a task with a deadline, a timer, a sub-process, a message with a
    timeout, and the task whose "stop" action terminates the case."""
    return build(
        [
            START,
            step("split", "parallel"),
            task("review", deadline={"duration": "P3D", "reminders": ["P1D"]}),
            step("wait", "timer", duration="P7D"),
            step("partner", "subprocess", workflow="other"),
            step("pay", "receive", message="paid", correlation="k", timeout={"duration": "P2D"}),
            task("control", "stop", "carry_on"),
            step("join", "join"),
            terminate("stop", "withdrawn"),
            end("finished"),
            end("late"),
        ],
        [
            arrow("start", "split"),
            arrow("split", "review"),
            arrow("split", "wait"),
            arrow("split", "partner"),
            arrow("split", "pay"),
            arrow("split", "control"),
            arrow("review", "join", action="done"),
            arrow("wait", "join"),
            arrow("partner", "join"),
            arrow("pay", "join"),
            arrow("pay", "late", timeout=True),
            arrow("control", "stop", action="stop"),
            arrow("control", "join", action="carry_on"),
            arrow("join", "finished"),
        ],
        deadline={"duration": "P20D"},
    )


def test_terminate_cancels_every_task_timer_and_child() -> None:
    case = Case(everything_running())
    review = case.task("review")
    timers = case.timers()
    [child] = case.state["children"]
    assert len(timers) == 5  # case deadline, task deadline + reminder, timer, receive timeout
    effects = case.complete("control", "stop")
    assert (case.status, case.outcome) == ("completed", "withdrawn")
    assert case.last(CancelTask) == [CancelTask(task=review)]
    assert sorted(e.timer for e in case.last(CancelTimer)) == sorted(timers)
    assert case.last(CancelSubprocess) == [CancelSubprocess(child=child)]
    assert (case.state["tokens"], case.state["forks"], case.state["timers"]) == ([], {}, {})
    assert case.state["children"][child]["status"] == "cancelled"
    assert case.open_tasks() == []
    assert [e.outcome for e in case.last(CloseCase)] == ["withdrawn"]
    assert SetCaseDeadline(due=None) in effects
    assert logged(effects, "case_closed")[0].node == "stop"


def test_terminate_while_the_clock_is_paused_clears_the_pause() -> None:
    case = Case(everything_running())
    case.send(ev.pause("chờ"))
    case.complete("control", "stop")
    assert case.state["paused"] is None and case.state["timers"] == {}


def test_terminate_in_one_branch_stops_the_other_branches_before_they_start() -> None:
    definition = build(
        [
            START,
            step("split", "parallel"),
            terminate("stop"),
            task("never"),
            step("j", "join"),
            end("x"),
        ],
        [
            arrow("start", "split"),
            arrow("split", "stop"),
            arrow("split", "never"),
            arrow("never", "j", action="done"),
            arrow("j", "x"),
        ],
    )
    case = Case(definition)
    assert (case.status, case.outcome) == ("completed", "stop")
    assert case.last(CreateTask) == [] and case.open_tasks() == []


def test_terminate_after_a_started_branch_cancels_its_task() -> None:
    definition = build(
        [
            START,
            step("split", "parallel"),
            task("first"),
            terminate("stop"),
            step("j", "join"),
            end("x"),
        ],
        [
            arrow("start", "split"),
            arrow("split", "first"),
            arrow("split", "stop"),
            arrow("first", "j", action="done"),
            arrow("j", "x"),
        ],
    )
    case = Case(definition)
    [created] = case.last(CreateTask)
    assert CancelTask(task=created.task) in case.effects
    assert (case.outcome, case.open_tasks()) == ("stop", [])


def test_terminate_cannot_lead_anywhere() -> None:
    document = workflow_document(
        [START, terminate("stop"), end("x")], [arrow("start", "stop"), arrow("stop", "x")]
    )
    assert "transition_from_end" in {f["code"] for f in findings_of(document)}
