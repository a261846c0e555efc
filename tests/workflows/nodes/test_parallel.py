"""parallel + join: every branch starts; the join waits for all of them, except those that
ended on the way."""

from __future__ import annotations

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
from workflows.effects import CloseCase, CreateTask


def three_checks() -> WorkflowDef:
    return build(
        [
            START,
            step("split", "parallel"),
            task("a"),
            task("b"),
            task("c"),
            step("join", "join"),
            task("sign"),
            end("issued"),
        ],
        [
            arrow("start", "split"),
            arrow("split", "a"),
            arrow("split", "b"),
            arrow("split", "c"),
            arrow("a", "join", action="done"),
            arrow("b", "join", action="done"),
            arrow("c", "join", action="done"),
            arrow("join", "sign"),
            arrow("sign", "issued", action="done"),
        ],
    )


def test_every_branch_starts() -> None:
    case = Case(three_checks())
    assert [e.node for e in case.last(CreateTask)] == ["a", "b", "c"]
    [(fork_id, fork)] = case.state["forks"].items()
    assert fork == {"node": "split", "expected": 3, "arrived": []}
    assert {tuple(t["forks"]) for t in case.state["tokens"]} == {(fork_id,)}
    assert len({t["id"] for t in case.state["tokens"]}) == 3
    assert logged(case.effects, "branches_started")[0].detail == {"targets": ["a", "b", "c"]}


@pytest.mark.parametrize("order", [("a", "b", "c"), ("c", "a", "b"), ("b", "c", "a")])
def test_the_join_waits_for_every_branch_in_any_order(order: tuple[str, str, str]) -> None:
    case = Case(three_checks())
    first, second, third = order
    case.complete(first, "done")
    assert case.waiting() == sorted(["join", second, third])
    case.complete(second, "done")
    assert case.waiting() == sorted(["join", "join", third])
    fork = next(iter(case.state["forks"].values()))
    assert len(fork["arrived"]) == 2
    case.complete(third, "done")
    assert case.waiting() == ["sign"]
    assert case.state["forks"] == {}
    [token] = case.state["tokens"]
    assert token["forks"] == []
    case.complete("sign", "done")
    assert case.outcome == "issued"


def with_an_ending_branch() -> WorkflowDef:
    """split → a → join → sign → issued; split → b → b_done (end "noted")."""
    return build(
        [
            START,
            step("split", "parallel"),
            task("a"),
            task("b"),
            end("b_done", "noted"),
            step("join", "join"),
            task("sign"),
            end("issued"),
        ],
        [
            arrow("start", "split"),
            arrow("split", "a"),
            arrow("split", "b"),
            arrow("a", "join", action="done"),
            arrow("b", "b_done", action="done"),
            arrow("join", "sign"),
            arrow("sign", "issued", action="done"),
        ],
    )


def test_a_branch_that_ends_is_not_waited_for_when_it_ends_first() -> None:
    case = Case(with_an_ending_branch())
    case.complete("b", "done")
    assert case.status == "running" and case.waiting() == ["a"]
    assert next(iter(case.state["forks"].values()))["expected"] == 1
    case.complete("a", "done")
    assert case.waiting() == ["sign"]
    case.complete("sign", "done")
    assert case.outcome == "issued"
    assert [e.outcome for e in case.all_effects if isinstance(e, CloseCase)] == ["issued"]


def test_a_branch_that_ends_releases_the_join_when_it_ends_last() -> None:
    case = Case(with_an_ending_branch())
    case.complete("a", "done")
    assert case.waiting() == ["b", "join"]
    case.complete("b", "done")
    assert case.waiting() == ["sign"]
    assert case.state["forks"] == {}
    case.complete("sign", "done")
    assert (case.status, case.outcome) == ("completed", "issued")


def test_the_outcome_is_that_of_the_last_end_reached() -> None:
    definition = build(
        [
            START,
            step("split", "parallel"),
            task("a"),
            task("b"),
            end("a_end", "first"),
            end("b_end", "second"),
        ],
        [
            arrow("start", "split"),
            arrow("split", "a"),
            arrow("split", "b"),
            arrow("a", "a_end", action="done"),
            arrow("b", "b_end", action="done"),
        ],
    )
    case = Case(definition)
    case.complete("b", "done")
    assert case.status == "running"
    case.complete("a", "done")
    assert (case.status, case.outcome) == ("completed", "first")


def test_two_fork_joins_in_sequence() -> None:
    definition = build(
        [
            START,
            step("split1", "parallel"),
            task("a"),
            task("b"),
            step("join1", "join"),
            step("split2", "parallel"),
            task("c"),
            task("d"),
            step("join2", "join"),
            end("finished"),
        ],
        [
            arrow("start", "split1"),
            arrow("split1", "a"),
            arrow("split1", "b"),
            arrow("a", "join1", action="done"),
            arrow("b", "join1", action="done"),
            arrow("join1", "split2"),
            arrow("split2", "c"),
            arrow("split2", "d"),
            arrow("c", "join2", action="done"),
            arrow("d", "join2", action="done"),
            arrow("join2", "finished"),
        ],
    )
    case = Case(definition)
    first_fork = set(case.state["forks"])
    case.complete("a", "done")
    case.complete("b", "done")
    assert case.waiting() == ["c", "d"]
    second_fork = set(case.state["forks"])
    assert len(second_fork) == 1 and second_fork != first_fork
    assert {tuple(t["forks"]) for t in case.state["tokens"]} == {tuple(second_fork)}
    case.complete("d", "done")
    case.complete("c", "done")
    assert (case.outcome, case.state["forks"], case.state["tokens"]) == ("finished", {}, [])
    assert case.state["path"].count("join1") == 2 and case.state["path"].count("join2") == 2


def test_branches_of_automatic_steps_join_at_once() -> None:
    definition = build(
        [
            START,
            step("split", "parallel"),
            step("x", "set_fields", set={"note": "x"}),
            step("y", "set_fields", set={"amount": 1}),
            step("join", "join"),
            end("finished"),
        ],
        [
            arrow("start", "split"),
            arrow("split", "x"),
            arrow("split", "y"),
            arrow("x", "join"),
            arrow("y", "join"),
            arrow("join", "finished"),
        ],
    )
    case = Case(definition)
    assert (case.outcome, case.data) == ("finished", {"note": "x", "amount": 1})


def test_a_join_outside_any_split_lets_the_token_through() -> None:
    definition = build(
        [START, step("join", "join"), end("finished")],
        [arrow("start", "join"), arrow("join", "finished")],
    )
    assert Case(definition).outcome == "finished"


def test_a_parallel_split_needs_two_branches_and_a_join_one_way_out() -> None:
    document = workflow_document(
        [START, step("split", "parallel"), step("join", "join"), end("x"), end("y")],
        [
            arrow("start", "split"),
            arrow("split", "join"),
            arrow("join", "x"),
            arrow("join", "y"),
        ],
    )
    codes = {f["code"] for f in findings_of(document)}
    assert {"split_branches", "join_branches"} <= codes


def nested_ending_inner_split() -> WorkflowDef:
    """outer: a → outer_join; inner split whose two branches both end."""
    return build(
        [
            START,
            step("outer", "parallel"),
            task("a"),
            step("inner", "parallel"),
            task("b1"),
            task("b2"),
            end("b1_end", "noted"),
            end("b2_end", "noted"),
            step("outer_join", "join"),
            task("after"),
            end("finished"),
        ],
        [
            arrow("start", "outer"),
            arrow("outer", "a"),
            arrow("outer", "inner"),
            arrow("a", "outer_join", action="done"),
            arrow("inner", "b1"),
            arrow("inner", "b2"),
            arrow("b1", "b1_end", action="done"),
            arrow("b2", "b2_end", action="done"),
            arrow("outer_join", "after"),
            arrow("after", "finished", action="done"),
        ],
    )


def test_an_inner_split_whose_branches_all_end_is_not_waited_for_by_the_outer_join() -> None:
    case = Case(nested_ending_inner_split())
    case.complete("a", "done")
    case.complete("b1", "done")
    case.complete("b2", "done")
    assert case.waiting() == ["after"]


def test_a_split_whose_branches_all_end_leaves_no_fork_behind() -> None:
    definition = build(
        [START, step("split", "parallel"), task("a"), task("b"), end("x"), end("y")],
        [
            arrow("start", "split"),
            arrow("split", "a"),
            arrow("split", "b"),
            arrow("a", "x", action="done"),
            arrow("b", "y", action="done"),
        ],
    )
    case = Case(definition)
    case.complete("a", "done")
    case.complete("b", "done")
    assert case.status == "completed"
    assert case.state["forks"] == {}
