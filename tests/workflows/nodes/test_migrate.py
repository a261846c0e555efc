"""migrate(state, old, new, mapping): move a running case to a new version of its workflow."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.workflows.nodes.conftest import (
    LEADER,
    OFFICER,
    START,
    Case,
    arrow,
    build,
    end,
    step,
    task,
)
from workflows import engine
from workflows.definition import WorkflowDef
from workflows.engine import MigrationRefused
from workflows.errors import InvalidEvent, WorkflowRuntimeError
from workflows.state import STATE_VERSION

OLD = build(
    [START, task("check", "ok"), task("approve", "yes"), end("issued")],
    [
        arrow("start", "check"),
        arrow("check", "approve", action="ok"),
        arrow("approve", "issued", action="yes"),
    ],
)


def new_version(approve_id: str = "approve", *, guard: bool = False) -> WorkflowDef:
    """check → approve (maybe renamed) → publish (set_fields) → issued."""
    config: dict[str, Any] = {"guards": {"not_actors_of": ["verify"]}} if guard else {}
    check_id = "verify" if guard else "check"
    return build(
        [
            START,
            task(check_id, "ok"),
            task(approve_id, "yes", **config),
            step("publish", "set_fields", set={"result": "published"}),
            end("issued"),
        ],
        [
            arrow("start", check_id),
            arrow(check_id, approve_id, action="ok"),
            arrow(approve_id, "publish", action="yes"),
            arrow("publish", "issued"),
        ],
    )


def moved(case: Case, new: WorkflowDef, mapping: dict[str, str] | None = None) -> Case:
    case.state = engine.migrate(case.state, case.definition, new, mapping)
    case.definition = new
    return case


def test_positions_with_the_same_id_stay_and_the_case_follows_the_new_version() -> None:
    case = Case(OLD)
    before = copy.deepcopy(case.state)
    moved(case, new_version())
    assert case.state == before
    case.complete("check", "ok")
    case.complete("approve", "yes")
    assert (case.outcome, case.data) == ("issued", {"result": "published"})


def test_migrate_does_not_modify_its_input() -> None:
    case = Case(OLD)
    case.complete("check", "ok")
    frozen = copy.deepcopy(case.state)
    engine.migrate(case.state, OLD, new_version("review"), {"approve": "review"})
    assert case.state == frozen


def test_positions_are_moved_by_the_mapping() -> None:
    case = Case(OLD)
    case.complete("check", "ok")
    open_task = case.task("approve")
    moved(case, new_version("review"), {"approve": "review"})
    assert case.waiting() == ["review"]
    assert case.state["tasks"][open_task]["node"] == "review"
    case.complete("review", "yes")
    assert (case.outcome, case.data["result"]) == ("issued", "published")


def test_completed_tasks_at_removed_nodes_do_not_matter() -> None:
    case = Case(OLD)
    case.complete("check", "ok")
    new = build(
        [START, task("approve", "yes"), end("issued")],
        [arrow("start", "approve"), arrow("approve", "issued", action="yes")],
    )
    moved(case, new)
    case.complete("approve", "yes")
    assert case.outcome == "issued"


def test_a_position_without_counterpart_is_refused_and_named() -> None:
    case = Case(OLD)
    case.complete("check", "ok")
    with pytest.raises(MigrationRefused) as caught:
        engine.migrate(case.state, OLD, new_version("review"))
    assert isinstance(caught.value, WorkflowRuntimeError)
    assert caught.value.code == "migration_refused"
    assert caught.value.params["problems"] == ["'approve' has no counterpart in the new version"]
    assert "approve" in str(caught.value)


def test_a_mapping_to_a_missing_node_is_refused() -> None:
    case = Case(OLD)
    with pytest.raises(MigrationRefused) as caught:
        engine.migrate(case.state, OLD, new_version(), {"check": "nowhere"})
    assert caught.value.params["problems"] == ["'check' has no counterpart in the new version"]


def test_a_position_mapped_to_another_type_is_refused() -> None:
    case = Case(OLD)
    case.complete("check", "ok")
    new = build(
        [START, task("check", "ok"), step("approve", "timer", duration="P1D"), end("issued")],
        [
            arrow("start", "check"),
            arrow("check", "approve", action="ok"),
            arrow("approve", "issued"),
        ],
    )
    with pytest.raises(MigrationRefused) as caught:
        engine.migrate(case.state, OLD, new)
    assert caught.value.params["problems"] == ["'approve' is a human_task but 'approve' is a timer"]


def parallel_version(prefix: str = "") -> WorkflowDef:
    return build(
        [
            START,
            step(f"{prefix}split", "parallel"),
            task(f"{prefix}a"),
            task(f"{prefix}b"),
            step(f"{prefix}join", "join"),
            end("finished"),
        ],
        [
            arrow("start", f"{prefix}split"),
            arrow(f"{prefix}split", f"{prefix}a"),
            arrow(f"{prefix}split", f"{prefix}b"),
            arrow(f"{prefix}a", f"{prefix}join", action="done"),
            arrow(f"{prefix}b", f"{prefix}join", action="done"),
            arrow(f"{prefix}join", "finished"),
        ],
    )


def test_every_missing_position_is_named_at_once() -> None:
    case = Case(parallel_version())
    case.complete("a", "done")
    with pytest.raises(MigrationRefused) as caught:
        engine.migrate(case.state, case.definition, parallel_version("new_"))
    assert caught.value.params["problems"] == [
        "'b' has no counterpart in the new version",
        "'join' has no counterpart in the new version",
        "'split' has no counterpart in the new version",
    ]


def test_tokens_tasks_and_forks_of_a_split_are_all_mapped() -> None:
    case = Case(parallel_version())
    case.complete("a", "done")
    mapping = {"split": "new_split", "a": "new_a", "b": "new_b", "join": "new_join"}
    moved(case, parallel_version("new_"), mapping)
    assert case.waiting() == ["new_b", "new_join"]
    assert [f["node"] for f in case.state["forks"].values()] == ["new_split"]
    case.complete("new_b", "done")
    assert (case.status, case.outcome, case.state["forks"]) == ("completed", "finished", {})


def test_a_version_1_state_is_upgraded_while_migrating() -> None:
    v1 = {
        "schema_version": 1,
        "status": "running",
        "tokens": [{"id": "t1", "node": "approve"}],
        "data": {},
        "outcome": None,
        "path": ["start", "check", "approve"],
        "seq": 1,
    }
    state = engine.migrate(v1, OLD, new_version("review"), {"approve": "review"})
    assert state["schema_version"] == STATE_VERSION
    assert state["tasks"]["t1"]["node"] == "review"
    case = Case(OLD)
    case.state, case.definition = state, new_version("review")
    case.complete("review", "yes")
    assert case.outcome == "issued"


def test_actor_history_follows_the_mapping_so_guards_still_hold() -> None:
    case = Case(OLD)
    case.complete("check", "ok", actor=OFFICER)
    moved(case, new_version(guard=True), {"check": "verify"})
    with pytest.raises(InvalidEvent) as caught:
        case.complete("approve", "yes", actor=OFFICER)
    assert caught.value.code == "guard_previous_actor"
    case.complete("approve", "yes", actor=LEADER)
