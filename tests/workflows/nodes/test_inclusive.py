"""inclusive + join: only the branches whose condition holds start, the join waits for
exactly those; none holds → the default branch."""

from __future__ import annotations

from typing import Any

import pytest

from tests.workflows.nodes.conftest import (
    START,
    Case,
    arrow,
    build,
    end,
    findings_of,
    logged,
    step,
    task,
    workflow_document,
)
from workflows.definition import WorkflowDef
from workflows.effects import CreateTask
from workflows.errors import WorkflowRuntimeError

FIRE = {"==": [{"var": "flag"}, True]}
BUILD = {">": [{"var": "amount"}, 100]}
ROAD = {"==": [{"var": "category"}, "pothole"]}


def permits() -> WorkflowDef:
    """checks: fire check if flag, building check if amount > 100, road check if pothole,
    else a general check; all close at ``gather`` → sign → issued."""
    return build(
        [
            START,
            step("checks", "inclusive"),
            task("fire"),
            task("building"),
            task("road"),
            task("general"),
            step("gather", "join"),
            task("sign"),
            end("issued"),
        ],
        [
            arrow("start", "checks"),
            arrow("checks", "fire", condition=FIRE),
            arrow("checks", "building", condition=BUILD),
            arrow("checks", "road", condition=ROAD),
            arrow("checks", "general", default=True),
            arrow("fire", "gather", action="done"),
            arrow("building", "gather", action="done"),
            arrow("road", "gather", action="done"),
            arrow("general", "gather", action="done"),
            arrow("gather", "sign"),
            arrow("sign", "issued", action="done"),
        ],
    )


def test_only_the_branches_whose_condition_holds_start() -> None:
    case = Case(permits(), {"flag": True, "amount": 500, "category": "garbage"})
    assert [e.node for e in case.last(CreateTask)] == ["fire", "building"]
    assert case.waiting() == ["building", "fire"]
    [log] = logged(case.effects, "branches_started")
    assert log.detail == {"targets": ["fire", "building"]}
    [fork] = case.state["forks"].values()
    assert (fork["node"], fork["expected"], fork["arrived"]) == ("checks", 2, [])


def test_the_join_waits_for_exactly_the_started_branches() -> None:
    case = Case(permits(), {"flag": True, "amount": 500})
    case.complete("building", "done")
    assert case.waiting() == ["fire", "gather"]
    [waiting] = [t for t in case.state["tokens"] if t["node"] == "gather"]
    assert waiting["wait"]["kind"] == "join"
    case.complete("fire", "done")
    assert case.waiting() == ["sign"]
    assert case.state["forks"] == {}
    assert case.state["tokens"][0]["forks"] == []
    assert logged(case.effects, "branches_joined") != []
    case.complete("sign", "done")
    assert case.outcome == "issued"


def test_one_branch_goes_through_the_join_at_once() -> None:
    case = Case(permits(), {"category": "pothole"})
    assert case.waiting() == ["road"]
    case.complete("road", "done")
    assert case.waiting() == ["sign"]


def test_no_condition_holds_starts_the_default_branch_only() -> None:
    case = Case(permits(), {"amount": 5})
    assert [e.node for e in case.last(CreateTask)] == ["general"]
    case.complete("general", "done")
    assert case.waiting() == ["sign"]


def test_the_default_does_not_start_when_a_condition_holds() -> None:
    case = Case(permits(), {"flag": True, "amount": 500, "category": "pothole"})
    assert case.waiting() == ["building", "fire", "road"]
    assert case.open_tasks("general") == []


def test_nested_parallel_inside_an_inclusive_branch() -> None:
    definition = build(
        [
            START,
            step("checks", "inclusive"),
            step("both", "parallel"),
            task("survey"),
            task("design"),
            step("both_done", "join"),
            task("fire"),
            task("general"),
            step("gather", "join"),
            end("issued"),
        ],
        [
            arrow("start", "checks"),
            arrow("checks", "both", condition=BUILD),
            arrow("checks", "fire", condition=FIRE),
            arrow("checks", "general", default=True),
            arrow("both", "survey"),
            arrow("both", "design"),
            arrow("survey", "both_done", action="done"),
            arrow("design", "both_done", action="done"),
            arrow("both_done", "gather"),
            arrow("fire", "gather", action="done"),
            arrow("general", "gather", action="done"),
            arrow("gather", "issued"),
        ],
    )
    case = Case(definition, {"amount": 500, "flag": True})
    assert case.waiting() == ["design", "fire", "survey"]
    survey_token = next(t for t in case.state["tokens"] if t["node"] == "survey")
    assert len(survey_token["forks"]) == 2
    case.complete("survey", "done")
    case.complete("fire", "done")
    assert case.waiting() == ["both_done", "design", "gather"]
    case.complete("design", "done")
    assert (case.status, case.outcome, case.state["forks"]) == ("completed", "issued", {})

    only_building = Case(definition, {"amount": 500})
    only_building.complete("design", "done")
    only_building.complete("survey", "done")
    assert only_building.outcome == "issued"


def test_a_failing_condition_is_a_runtime_error() -> None:
    definition = build(
        [START, step("checks", "inclusive"), task("a"), task("b"), step("j", "join"), end("x")],
        [
            arrow("start", "checks"),
            arrow("checks", "a", condition={">": [{"/": [1, {"var": "amount"}]}, 0]}),
            arrow("checks", "b", default=True),
            arrow("a", "j", action="done"),
            arrow("b", "j", action="done"),
            arrow("j", "x"),
        ],
    )
    with pytest.raises(WorkflowRuntimeError) as caught:
        Case(definition, {"amount": 0})
    assert (caught.value.code, caught.value.params["node"]) == ("rule_failed", "checks")


@pytest.mark.parametrize(
    ("transitions", "code"),
    [
        (
            [arrow("checks", "a", condition=FIRE), arrow("checks", "b", condition=BUILD)],
            "decision_default",
        ),
        ([arrow("checks", "a", condition=FIRE), arrow("checks", "b")], "decision_condition"),
    ],
)
def test_invalid_inclusive_splits_are_found(transitions: list[dict[str, Any]], code: str) -> None:
    document = workflow_document(
        [START, step("checks", "inclusive"), task("a"), task("b"), step("j", "join"), end("x")],
        [
            arrow("start", "checks"),
            *transitions,
            arrow("a", "j", action="done"),
            arrow("b", "j", action="done"),
            arrow("j", "x"),
        ],
    )
    assert code in {f["code"] for f in findings_of(document)}
