"""decision: the first transition whose condition holds, in the order written, else the
default; a failing rule is a WorkflowRuntimeError."""

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
from workflows.errors import WorkflowRuntimeError

BIG = {">=": [{"var": "amount"}, 100]}
MEDIUM = {">=": [{"var": "amount"}, 10]}


def routing(*, default_first: bool = False) -> WorkflowDef:
    """route: amount >= 100 → big, amount >= 10 → medium, else small."""
    branches = [
        arrow("route", "big", condition=BIG),
        arrow("route", "medium", condition=MEDIUM),
    ]
    default = arrow("route", "small", default=True)
    return build(
        [START, step("route", "decision"), end("big"), end("medium"), end("small")],
        [
            arrow("start", "route"),
            *([default, *branches] if default_first else [*branches, default]),
        ],
    )


@pytest.mark.parametrize(
    ("amount", "outcome"),
    [(500, "big"), (100, "big"), (50, "medium"), (10, "medium"), (3, "small")],
)
def test_first_matching_branch_in_order_is_taken(amount: int, outcome: str) -> None:
    case = Case(routing(), {"amount": amount})
    assert case.outcome == outcome


def test_default_is_taken_only_when_no_condition_holds_wherever_it_is_written() -> None:
    assert Case(routing(default_first=True), {"amount": 500}).outcome == "big"
    assert Case(routing(default_first=True), {"amount": 1}).outcome == "small"


def test_missing_field_takes_the_default() -> None:
    assert Case(routing(), {}).outcome == "small"


def test_the_choice_is_logged_privately() -> None:
    case = Case(routing(), {"amount": 50})
    [log] = logged(case.effects, "decision_taken")
    assert (log.node, log.detail, log.public) == ("route", {"target": "medium"}, False)
    case = Case(routing(), {"amount": 1})
    [log] = logged(case.effects, "decision_taken")
    assert log.detail == {"target": "small", "default": True}


def test_decisions_see_data_written_by_an_earlier_task() -> None:
    definition = build(
        [
            START,
            task("assess", form={"fields": ["amount"]}),
            step("route", "decision"),
            end("big"),
            end("small"),
        ],
        [
            arrow("start", "assess"),
            arrow("assess", "route", action="done"),
            arrow("route", "big", condition=BIG),
            arrow("route", "small", default=True),
        ],
    )
    case = Case(definition, {"amount": 1})
    case.complete("assess", "done", {"amount": 1000})
    assert case.outcome == "big"


def test_chained_decisions() -> None:
    definition = build(
        [
            START,
            step("by_category", "decision"),
            step("by_severity", "decision"),
            end("urgent_flood"),
            end("flood"),
            end("other"),
        ],
        [
            arrow("start", "by_category"),
            arrow(
                "by_category", "by_severity", condition={"==": [{"var": "category"}, "flooding"]}
            ),
            arrow("by_category", "other", default=True),
            arrow("by_severity", "urgent_flood", condition={">": [{"var": "severity"}, 3]}),
            arrow("by_severity", "flood", default=True),
        ],
    )
    assert Case(definition, {"category": "flooding", "severity": 5}).outcome == "urgent_flood"
    assert Case(definition, {"category": "flooding", "severity": 1}).outcome == "flood"
    case = Case(definition, {"category": "pothole", "severity": 5})
    assert case.outcome == "other"
    assert case.state["path"] == ["start", "by_category", "other"]


@pytest.mark.parametrize(
    ("condition", "data"),
    [
        ({">": [{"/": [100, {"var": "amount"}]}, 1]}, {"amount": 0}),
        ({">": [{"+": [1, {"var": "title"}]}, 1]}, {"title": "abc"}),
    ],
)
def test_a_failing_rule_is_a_runtime_error(condition: Any, data: dict[str, Any]) -> None:
    definition = build(
        [START, step("route", "decision"), end("yes"), end("no")],
        [
            arrow("start", "route"),
            arrow("route", "yes", condition=condition),
            arrow("route", "no", default=True),
        ],
    )
    with pytest.raises(WorkflowRuntimeError) as caught:
        Case(definition, data)
    assert caught.value.code == "rule_failed"
    assert caught.value.params["node"] == "route"
    assert caught.value.params["rule_error"]


def test_a_rule_failing_in_a_later_branch_is_not_reached_after_a_match() -> None:
    definition = build(
        [START, step("route", "decision"), end("yes"), end("no"), end("other")],
        [
            arrow("start", "route"),
            arrow("route", "yes", condition={"==": [{"var": "amount"}, 0]}),
            arrow("route", "no", condition={">": [{"/": [1, {"var": "amount"}]}, 0]}),
            arrow("route", "other", default=True),
        ],
    )
    assert Case(definition, {"amount": 0}).outcome == "yes"


def test_no_matching_branch_without_default_is_a_runtime_error() -> None:
    definition = build(
        [START, step("route", "decision"), end("yes")],
        [arrow("start", "route"), arrow("route", "yes", condition=BIG)],
        check=False,
    )
    with pytest.raises(WorkflowRuntimeError) as caught:
        Case(definition, {"amount": 1})
    assert caught.value.code == "no_branch"


@pytest.mark.parametrize(
    ("transitions", "code"),
    [
        (
            [arrow("route", "a", condition=BIG), arrow("route", "b", condition=MEDIUM)],
            "decision_default",
        ),
        (
            [arrow("route", "a", default=True), arrow("route", "b", default=True)],
            "decision_default",
        ),
        ([arrow("route", "a", condition=BIG), arrow("route", "b")], "decision_condition"),
        (
            [arrow("route", "a", condition=BIG), arrow("route", "b", default=True, action="x")],
            "unexpected_action",
        ),
        (
            [
                arrow("route", "a", condition={"==": [{"var": "nope"}, 1]}),
                arrow("route", "b", default=True),
            ],
            "unknown_field",
        ),
    ],
)
def test_invalid_decisions_are_found(transitions: list[dict[str, Any]], code: str) -> None:
    document = workflow_document(
        [START, step("route", "decision"), end("a"), end("b")],
        [arrow("start", "route"), *transitions],
    )
    assert code in {f["code"] for f in findings_of(document)}
