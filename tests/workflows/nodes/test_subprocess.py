"""subprocess: start another workflow with mapped input, wait for its outcome, map its
output back and choose the way out over ``_outcome``."""

from __future__ import annotations

import pytest

from tests.workflows.nodes.conftest import (
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
from workflows.effects import CancelSubprocess, StartSubprocess, UpdateData
from workflows.errors import InvalidEvent, WorkflowRuntimeError

HANDOFF = {
    "workflow": "partner_handling",
    "app": "coordination",
    "input": {
        "title": {"var": "title"},
        "severity": {"+": [{"var": "severity"}, 1]},
    },
    "output": {
        "result": {"var": "_outcome"},
        "permit_no": {"var": "_child.number"},
    },
}


def handoff(**config: object) -> WorkflowDef:
    return build(
        [START, step("partner", "subprocess", **{**HANDOFF, **config}), end("done"), end("failed")],
        [
            arrow("start", "partner"),
            arrow("partner", "done", condition={"==": [{"var": "_outcome"}, "handled"]}),
            arrow("partner", "failed", default=True),
        ],
    )


DATA = {"title": "Ngập", "severity": 2}


def child_of(case: Case) -> str:
    [child_id] = case.state["children"]
    return child_id


def test_starts_the_child_with_the_mapped_input_and_waits() -> None:
    case = Case(handoff(), DATA)
    child_id = child_of(case)
    assert case.last(StartSubprocess) == [
        StartSubprocess(
            child=child_id,
            app="coordination",
            workflow="partner_handling",
            data={"title": "Ngập", "severity": 3},
            wait=True,
        )
    ]
    [token] = case.state["tokens"]
    assert token["wait"] == {"kind": "subprocess", "child": child_id}
    assert case.state["children"][child_id] == {
        "token": token["id"],
        "app": "coordination",
        "workflow": "partner_handling",
        "status": "running",
        "outcome": None,
    }
    assert logged(case.effects, "subprocess_started")[0].public is True


def test_completion_maps_the_output_and_chooses_by_outcome() -> None:
    case = Case(handoff(), DATA)
    child_id = child_of(case)
    case.send(ev.subprocess_completed(child_id, "handled", {"number": "GP-7"}))
    assert (case.status, case.outcome) == ("completed", "done")
    assert case.last(UpdateData) == [UpdateData(changes={"result": "handled", "permit_no": "GP-7"})]
    assert case.state["children"][child_id]["status"] == "completed"
    assert case.state["children"][child_id]["outcome"] == "handled"


def test_another_outcome_takes_the_default() -> None:
    case = Case(handoff(), DATA)
    case.send(ev.subprocess_completed(child_of(case), "refused"))
    assert case.outcome == "failed"
    assert case.data["result"] == "refused"


def test_without_app_the_child_is_of_this_app() -> None:
    definition = build(
        [START, step("partner", "subprocess", workflow="other"), end("done")],
        [arrow("start", "partner"), arrow("partner", "done")],
    )
    case = Case(definition)
    [effect] = case.last(StartSubprocess)
    assert (effect.app, effect.data, effect.wait) == (None, {}, True)
    case.send(ev.subprocess_completed(effect.child, "whatever"))
    assert case.outcome == "done"


def test_an_unknown_child_is_refused() -> None:
    case = Case(handoff(), DATA)
    with pytest.raises(InvalidEvent) as caught:
        case.send(ev.subprocess_completed("t999", "handled"))
    assert caught.value.code == "child_not_running"


def test_a_child_cannot_complete_twice() -> None:
    definition = build(
        [START, step("partner", "subprocess", workflow="other"), task("check"), end("done")],
        [
            arrow("start", "partner"),
            arrow("partner", "check"),
            arrow("check", "done", action="done"),
        ],
    )
    case = Case(definition)
    child_id = child_of(case)
    case.send(ev.subprocess_completed(child_id, "ok"))
    with pytest.raises(InvalidEvent) as caught:
        case.send(ev.subprocess_completed(child_id, "ok"))
    assert caught.value.code == "child_not_running"


def test_cancelling_the_parent_cancels_the_child() -> None:
    case = Case(handoff(), DATA)
    child_id = child_of(case)
    case.send(ev.cancel("trùng"))
    assert case.last(CancelSubprocess) == [CancelSubprocess(child=child_id)]
    assert case.state["children"][child_id]["status"] == "cancelled"
    with pytest.raises(InvalidEvent) as caught:
        case.send(ev.subprocess_completed(child_id, "handled"))
    assert caught.value.code == "case_closed"


def test_an_output_rule_that_fails_is_a_runtime_error() -> None:
    case = Case(handoff(output={"severity": {"/": [1, {"var": "_child.zero"}]}}), DATA)
    with pytest.raises(WorkflowRuntimeError) as caught:
        case.send(ev.subprocess_completed(child_of(case), "handled", {"zero": 0}))
    assert (caught.value.code, caught.value.params["node"]) == ("rule_failed", "partner")
