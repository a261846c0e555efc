"""Static analysis of workflows before publishing (workflows/analysis.py)."""

from __future__ import annotations

import copy
import json
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.workflows.conftest import FIXTURES
from workflows import engine, nodes
from workflows import events as ev
from workflows.analysis import ANALYSIS_CODES, analyze, analyze_app
from workflows.definition import (
    NodeDef,
    WorkflowDef,
    ensure_valid_bundle,
    parse_bundle,
    parse_entity,
    parse_workflow,
    validate_bundle,
)
from workflows.errors import Finding, WorkflowRuntimeError

ENTITY_DOC: dict[str, Any] = {
    "schema_version": 1,
    "key": "report",
    "label": {"vi": "Phản ánh"},
    "fields": [
        {
            "key": "category",
            "type": "choice",
            "label": {"vi": "Loại sự cố"},
            "options": [
                {"value": "flooding", "label": {"vi": "Ngập"}},
                {"value": "pothole", "label": {"vi": "Ổ gà"}},
                {"value": "garbage", "label": {"vi": "Rác"}},
            ],
        },
        {"key": "severity", "type": "number", "label": {"vi": "Mức độ"}},
        {"key": "counter", "type": "number", "label": {"vi": "Đếm"}},
        {"key": "note", "type": "long_text", "label": {"vi": "Ghi chú"}},
        {"key": "urgent", "type": "boolean", "label": {"vi": "Khẩn"}},
        {
            "key": "tags",
            "type": "multi_choice",
            "label": {"vi": "Nhãn"},
            "options": [
                {"value": "road", "label": {"vi": "Đường"}},
                {"value": "water", "label": {"vi": "Nước"}},
            ],
        },
        {"key": "location", "type": "location", "label": {"vi": "Vị trí"}},
        {"key": "photos", "type": "photo", "label": {"vi": "Ảnh"}},
        {"key": "due_on", "type": "date", "label": {"vi": "Hạn"}},
        {"key": "district", "type": "agency", "label": {"vi": "Quận"}},
        {"key": "email", "type": "text", "label": {"vi": "Thư điện tử"}},
        {
            "key": "reviewers",
            "type": "multi_choice",
            "label": {"vi": "Cơ quan"},
            "options": [{"value": "a", "label": {"vi": "A"}}],
        },
    ],
}
ENTITY = parse_entity(ENTITY_DOC)
NOW = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
OFFICER = {"kind": "user", "id": "u-1"}


# --------------------------------------------------------------------------- builders


def task(node_id: str, *actions: str, **config: Any) -> dict[str, Any]:
    return {
        "id": node_id,
        "type": "human_task",
        "label": {"vi": f"Việc {node_id}"},
        "assignment": {"agency": "ioc", "role": "officer"},
        "actions": [{"key": a, "label": {"vi": a}} for a in actions or ("ok",)],
        **config,
    }


def node(node_id: str, node_type: str, **config: Any) -> dict[str, Any]:
    return {"id": node_id, "type": node_type, **config}


def end(node_id: str = "done", outcome: str = "done") -> dict[str, Any]:
    return {"id": node_id, "type": "end", "outcome": outcome}


def go(source: str, target: str, **keys: Any) -> dict[str, Any]:
    return {"from": source, "to": target, **keys}


def ok(source: str, target: str) -> dict[str, Any]:
    return go(source, target, action="ok")


def document(
    nodes: list[dict[str, Any]], transitions: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "key": "w",
        "entity": "report",
        "label": {"vi": "Quy trình"},
        "nodes": nodes,
        "transitions": transitions,
        **extra,
    }


def bundle_of(*workflows: dict[str, Any]) -> dict[str, Any]:
    return {
        "format_version": 1,
        "app": {"key": "test_app", "label": {"vi": "Thử"}},
        "entities": [copy.deepcopy(ENTITY_DOC)],
        "forms": [],
        "workflows": list(workflows),
    }


def workflow(
    nodes: list[dict[str, Any]], transitions: list[dict[str, Any]], **extra: Any
) -> WorkflowDef:
    return parse_workflow(document(nodes, transitions, **extra))


def run(
    nodes: list[dict[str, Any]],
    transitions: list[dict[str, Any]],
    *,
    valid: bool = True,
    extra: dict[str, Any] | None = None,
    **kwargs: Any,
) -> list[Finding]:
    """Analyze the workflow; with ``valid`` first make sure validate_bundle accepts it (the
    analysis must find what the structural checks cannot)."""
    doc = document(nodes, transitions, **(extra or {}))
    if valid:
        assert validate_bundle(bundle_of(doc)) == []
    findings = analyze(parse_workflow(doc), ENTITY, **kwargs)
    _check_shape(findings, "workflows/w")
    return findings


def _check_shape(findings: list[Finding], prefix: str) -> None:
    for finding in findings:
        assert finding.code in ANALYSIS_CODES, finding.code
        assert finding.severity in {"error", "warning"}
        assert finding.path.startswith(prefix)
        assert isinstance(finding.params["nodes"], list)
        assert finding.message and not finding.message[0].islower()
    keys = [(f.path, f.code) for f in findings]
    assert keys == sorted(keys)


def codes(findings: list[Finding], severity: str | None = None) -> set[str]:
    return {f.code for f in findings if severity is None or f.severity == severity}


def only(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]


START = node("start", "start")
DONE = end()


def parallel(
    *branches: list[str], split: str = "split", join: str = "join", kind: str = "parallel"
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """start -> split -> (branch tasks in sequence) -> join -> done."""
    nodes = [START, node(split, kind), node(join, "join"), DONE]
    transitions = [go("start", split), go(join, "done")]
    for number, branch in enumerate(branches):
        keys: dict[str, Any] = {}
        if kind == "inclusive":
            keys = (
                {"default": True}
                if number == 0
                else {"condition": {"==": [{"var": "urgent"}, True]}}
            )
        transitions.append(go(split, branch[0], **keys))
        for index, step in enumerate(branch):
            nodes.append(task(step))
            transitions.append(ok(step, branch[index + 1] if index + 1 < len(branch) else join))
    return nodes, transitions


# --------------------------------------------------------------------------- the samples


@pytest.mark.parametrize("path", sorted((FIXTURES / "apps").glob("*.json")), ids=lambda p: p.name)
def test_sample_apps_have_no_errors(path: Path) -> None:
    app = ensure_valid_bundle(json.loads(path.read_text("utf-8")))
    findings = analyze_app(app)
    assert errors(findings) == []
    _check_shape(findings, "workflows/")


def test_every_code_is_described() -> None:
    assert all(
        isinstance(d, str) and d.endswith(".") and "\n" not in d for d in ANALYSIS_CODES.values()
    )
    assert {
        "unreachable",
        "no_way_to_end",
        "join_deadlock",
        "decision_without_default",
        "task_without_assignment",
        "unknown_field",
        "type_mismatch",
        "unknown_option",
        "invalid_duration",
        "cycle_without_wait",
        "unknown_workflow",
        "unknown_calendar",
    } <= set(ANALYSIS_CODES)


def test_findings_name_the_node_by_label_and_id_and_are_plain_json() -> None:
    findings = run(
        [START, task("a"), task("orphan"), DONE],
        [go("start", "a"), ok("a", "done"), ok("orphan", "done")],
    )
    [finding] = findings
    assert finding.as_dict() == {
        "code": "unreachable",
        "message": finding.message,
        "path": "workflows/w/nodes/orphan",
        "severity": "error",
        "params": {"nodes": ["orphan"]},
    }
    assert "'Việc orphan' (orphan)" in finding.message
    assert json.loads(json.dumps(finding.as_dict())) == finding.as_dict()


# --------------------------------------------------------------------------- 1, 2: paths


def test_a_connected_workflow_has_no_findings() -> None:
    assert run([START, task("a"), DONE], [go("start", "a"), ok("a", "done")]) == []


def test_unreachable_nodes_are_reported_one_by_one() -> None:
    findings = run(
        [START, task("a"), task("b"), task("c"), DONE],
        [go("start", "a"), ok("a", "done"), ok("b", "c"), ok("c", "done")],
    )
    assert [(f.code, f.params["nodes"]) for f in findings] == [
        ("unreachable", ["b"]),
        ("unreachable", ["c"]),
    ]


def test_a_loop_without_a_way_out_has_no_way_to_end() -> None:
    nodes = [START, task("a", "ok", "stop"), task("b", "back"), DONE]
    findings = run(
        nodes,
        [
            go("start", "a"),
            ok("a", "b"),
            go("a", "done", action="stop"),
            go("b", "a", action="back"),
        ],
    )
    assert findings == []
    trapped = [START, task("a", "ok"), task("b", "back"), DONE, task("orphan")]
    findings = run(
        trapped,
        [go("start", "a"), ok("a", "b"), go("b", "a", action="back"), ok("orphan", "done")],
    )
    assert {(f.code, f.params["nodes"][0]) for f in findings} == {
        ("no_way_to_end", "start"),
        ("no_way_to_end", "a"),
        ("no_way_to_end", "b"),
        ("unreachable", "orphan"),
        ("unreachable", "done"),
    }
    assert "never reach an end" in only(findings, "no_way_to_end")[0].message


def test_a_dead_end_in_a_draft_is_named() -> None:
    findings = run([START, task("a"), DONE], [go("start", "a")], valid=False)
    assert {(f.code, f.params["nodes"][0]) for f in findings} >= {("no_way_to_end", "a")}
    assert "has no way out" in only(findings, "no_way_to_end")[0].message
    assert ("unreachable", "done") in {(f.code, f.params["nodes"][0]) for f in findings}


def test_start_count_in_drafts() -> None:
    findings = run([task("a"), DONE], [ok("a", "done")], valid=False)
    assert codes(findings) == {"start_count"}
    two = run(
        [START, node("start2", "start"), DONE],
        [go("start", "done"), go("start2", "done")],
        valid=False,
    )
    assert codes(two) == {"start_count"}


# --------------------------------------------------------------------------- 3: joins


def test_parallel_and_inclusive_splits_joined_properly_are_fine() -> None:
    assert run(*parallel(["a"], ["b", "c"], ["d"])) == []
    assert run(*parallel(["a"], ["b"], kind="inclusive")) == []


def test_a_branch_may_end_on_its_own_through_a_decision() -> None:
    nodes, transitions = parallel(["a"], ["b"])
    nodes += [node("check", "decision"), end("closed", "closed")]
    transitions = [t for t in transitions if t != ok("b", "join")] + [
        ok("b", "check"),
        go("check", "join", condition={"==": [{"var": "urgent"}, True]}),
        go("check", "closed", default=True),
    ]
    assert run(nodes, transitions) == []


def test_a_branch_may_go_straight_to_an_end() -> None:
    nodes, transitions = parallel(["a"], ["b"])
    nodes.append(end("notified", "done"))
    transitions = [t for t in transitions if t != ok("b", "join")] + [ok("b", "notified")]
    assert run(nodes, transitions) == []


def test_nested_splits_with_their_own_joins_are_fine() -> None:
    nodes, transitions = parallel(["a"], ["b"])
    nodes += [node("inner", "parallel"), node("inner_join", "join"), task("x"), task("y")]
    transitions = [t for t in transitions if t != ok("b", "join")] + [
        ok("b", "inner"),
        go("inner", "x"),
        go("inner", "y"),
        ok("x", "inner_join"),
        ok("y", "inner_join"),
        go("inner_join", "join"),
    ]
    assert run(nodes, transitions) == []


def test_looping_back_to_the_split_after_the_join_is_fine() -> None:
    nodes, transitions = parallel(["a"], ["b"])
    nodes.append(task("approve", "yes", "redo"))
    transitions = [t for t in transitions if t != go("join", "done")] + [
        go("join", "approve"),
        go("approve", "done", action="yes"),
        go("approve", "split", action="redo"),
    ]
    assert run(nodes, transitions) == []


def test_rework_loop_inside_a_branch_is_fine() -> None:
    nodes, transitions = parallel(["a"], ["b"])
    nodes.append(task("fix", "done"))
    nodes[[n["id"] for n in nodes].index("b")] = task("b", "ok", "back")
    transitions += [go("b", "fix", action="back"), go("fix", "b", action="done")]
    assert run(nodes, transitions) == []


def test_join_reached_from_outside_the_fork_deadlocks() -> None:
    nodes, transitions = parallel(["a"], ["b"])
    nodes = [START, task("triage", "ok", "skip"), *nodes[1:]]
    transitions = [
        go("start", "triage"),
        ok("triage", "split"),
        go("triage", "join", action="skip"),
        *transitions[1:],
    ]
    findings = run(nodes, transitions)
    [finding] = findings
    assert (finding.code, finding.severity, finding.path) == (
        "join_deadlock",
        "error",
        "workflows/w/nodes/join",
    )
    assert finding.params["reason"] == "unforked_arrival"
    assert finding.params["nodes"][0] == "join"
    assert {"split", "triage"} <= set(finding.params["nodes"])
    assert "'Việc triage' (triage)" in finding.message and "no split started" in finding.message


def test_loop_from_after_the_join_back_into_a_branch_is_reported() -> None:
    nodes, transitions = parallel(["a"], ["b"])
    nodes.append(task("approve", "yes", "redo"))
    transitions = [t for t in transitions if t != go("join", "done")] + [
        go("join", "approve"),
        go("approve", "done", action="yes"),
        go("approve", "a", action="redo"),
    ]
    findings = run(nodes, transitions)
    assert [(f.code, f.params["reason"]) for f in findings] == [
        ("join_deadlock", "unforked_arrival")
    ]


def test_join_reached_by_branches_of_two_splits_deadlocks() -> None:
    # The inner split's branches go straight to the outer join.
    nodes, transitions = parallel(["a"], ["b"])
    nodes += [node("inner", "parallel"), task("x"), task("y")]
    transitions = [t for t in transitions if t != ok("b", "join")] + [
        ok("b", "inner"),
        go("inner", "x"),
        go("inner", "y"),
        ok("x", "join"),
        ok("y", "join"),
    ]
    findings = run(nodes, transitions)
    assert ("join_deadlock", "several_splits") in {(f.code, f.params["reason"]) for f in findings}
    assert all(f.code == "join_deadlock" for f in findings)


def test_branches_of_one_split_meeting_at_different_joins_deadlock() -> None:
    nodes = [
        START,
        node("split", "parallel"),
        task("a"),
        task("b"),
        node("j1", "join"),
        node("j2", "join"),
        DONE,
        end("other", "other"),
    ]
    transitions = [
        go("start", "split"),
        go("split", "a"),
        go("split", "b"),
        ok("a", "j1"),
        ok("b", "j2"),
        go("j1", "done"),
        go("j2", "other"),
    ]
    findings = run(nodes, transitions)
    [finding] = findings
    assert finding.params["reason"] == "several_joins"
    assert finding.path == "workflows/w/nodes/split"
    assert finding.params["nodes"] == ["split", "j1", "j2"]


def test_decision_in_a_branch_leading_to_another_join_deadlocks() -> None:
    nodes, transitions = parallel(["a"], ["b"])
    nodes += [node("check", "decision"), node("j2", "join"), end("other", "other")]
    transitions = [t for t in transitions if t != ok("b", "join")] + [
        ok("b", "check"),
        go("check", "join", condition={"==": [{"var": "urgent"}, True]}),
        go("check", "j2", default=True),
        go("j2", "other"),
    ]
    findings = run(nodes, transitions)
    assert [f.params["reason"] for f in findings] == ["several_joins"]


def test_a_branch_that_loops_forever_deadlocks_the_join() -> None:
    nodes, transitions = parallel(["a"], ["b"])
    nodes[[n["id"] for n in nodes].index("b")] = task("b", "again")
    transitions = [t for t in transitions if t != ok("b", "join")] + [go("b", "b", action="again")]
    findings = run(nodes, transitions)
    deadlock = only(findings, "join_deadlock")
    assert [f.params["reason"] for f in deadlock] == ["branch_never_arrives"]
    assert deadlock[0].path == "workflows/w/nodes/join"
    assert deadlock[0].params["nodes"] == ["join", "split", "b"]
    assert "waits forever" in deadlock[0].message
    assert codes(findings) == {"join_deadlock", "no_way_to_end"}


def nested_ending_split(
    kind: str = "parallel",
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A branch of the outer split forks again; the inner branches end without a join."""
    nodes, transitions = parallel(["a"], ["b"])
    nodes += [node("inner", kind), task("x"), task("y"), end("x_done"), end("y_done")]
    inner = (
        [{"default": True}, {"condition": {"var": "urgent"}}] if kind == "inclusive" else [{}, {}]
    )
    transitions = [t for t in transitions if t != ok("b", "join")] + [
        ok("b", "inner"),
        go("inner", "x", **inner[0]),
        go("inner", "y", **inner[1]),
        ok("x", "x_done"),
        ok("y", "y_done"),
    ]
    return nodes, transitions


def test_a_nested_split_whose_branches_all_end_ends_its_outer_branch() -> None:
    nodes, transitions = nested_ending_split()
    assert run(nodes, transitions) == []
    # ... which is what the engine does: when x and y have ended, the join only waits for a.
    definition = workflow(nodes, transitions)
    state, _ = engine.start(definition, {}, NOW)
    for name in ("b", "x", "y", "a"):
        [task_id] = [
            k for k, t in state["tasks"].items() if t["node"] == name and t["status"] == "open"
        ]
        state, _ = engine.handle(
            definition, state, ev.complete_task(task_id, "ok", {}, OFFICER), NOW
        )
    assert (state["status"], state["outcome"]) == ("completed", "done")
    assert "join" in state["path"]


def test_a_nested_split_with_a_branch_that_never_ends_deadlocks_the_outer_join() -> None:
    nodes, transitions = nested_ending_split()
    nodes[[n["id"] for n in nodes].index("y")] = task("y", "again")
    transitions = [t for t in transitions if t != ok("y", "y_done")] + [
        go("y", "y", action="again")
    ]
    nodes = [n for n in nodes if n["id"] != "y_done"]
    findings = run(nodes, transitions)
    deadlock = only(findings, "join_deadlock")
    assert [(f.path, f.params["reason"]) for f in deadlock] == [
        ("workflows/w/nodes/join", "branch_never_arrives")
    ]
    assert deadlock[0].params["nodes"] == ["join", "split", "b"]
    # An inclusive split may start x alone, which ends: that is fine.
    nodes, transitions = nested_ending_split("inclusive")
    nodes[[n["id"] for n in nodes].index("y")] = task("y", "again")
    transitions = [t for t in transitions if t != ok("y", "y_done")] + [
        go("y", "y", action="again")
    ]
    nodes = [n for n in nodes if n["id"] != "y_done"]
    assert codes(run(nodes, transitions)) == {"no_way_to_end"}


def test_a_nested_split_ending_in_a_terminate_is_fine() -> None:
    nodes, transitions = parallel(["a"], ["b"])
    nodes += [
        node("inner", "parallel"),
        task("x"),
        task("y"),
        end("x_done"),
        node("stop", "terminate", outcome="stopped"),
    ]
    transitions = [t for t in transitions if t != ok("b", "join")] + [
        ok("b", "inner"),
        go("inner", "x"),
        go("inner", "y"),
        ok("x", "x_done"),
        ok("y", "stop"),
    ]
    assert run(nodes, transitions) == []


def test_a_branch_leading_back_to_its_split_is_reported() -> None:
    nodes, transitions = parallel(["a"], ["b"])
    nodes[[n["id"] for n in nodes].index("b")] = task("b", "ok", "again")
    transitions.append(go("b", "split", action="again"))
    findings = run(nodes, transitions)
    [finding] = findings
    assert (finding.code, finding.params["reason"]) == ("join_deadlock", "back_to_split")
    assert finding.params["nodes"] == ["split", "b"]


def test_a_join_without_a_split_is_a_warning() -> None:
    nodes = [START, node("route", "decision"), task("a"), task("b"), node("join", "join"), DONE]
    transitions = [
        go("start", "route"),
        go("route", "a", condition={"==": [{"var": "urgent"}, True]}),
        go("route", "b", default=True),
        ok("a", "join"),
        ok("b", "join"),
        go("join", "done"),
    ]
    findings = run(nodes, transitions)
    [finding] = findings
    assert (finding.code, finding.severity) == ("join_without_split", "warning")


def test_splits_whose_branches_all_end_need_no_join() -> None:
    nodes = [START, node("split", "parallel"), task("a"), task("b"), end("a_done"), DONE]
    transitions = [
        go("start", "split"),
        go("split", "a"),
        go("split", "b"),
        ok("a", "a_done"),
        ok("b", "done"),
    ]
    assert run(nodes, transitions) == []


# --------------------------------------------------------------------------- 4: defaults


def test_decision_without_default() -> None:
    urgent = {"==": [{"var": "urgent"}, True]}
    nodes = [START, node("route", "decision"), task("a"), DONE]
    good = [
        go("start", "route"),
        go("route", "a", condition=urgent),
        go("route", "done", default=True),
        ok("a", "done"),
    ]
    assert run(nodes, good) == []
    bad = [
        go("start", "route"),
        go("route", "a", condition=urgent),
        go("route", "done", condition={"!": urgent}),
        ok("a", "done"),
    ]
    [finding] = run(nodes, bad, valid=False)
    assert (finding.code, finding.path) == ("decision_without_default", "workflows/w/nodes/route")
    assert "no default" in finding.message
    two = [
        go("start", "route"),
        go("route", "a", default=True),
        go("route", "done", default=True),
        ok("a", "done"),
    ]
    [finding] = run(nodes, two, valid=False)
    assert finding.params["defaults"] == 2


def test_multi_task_and_subprocess_with_conditional_branches_need_a_default() -> None:
    review = {
        "id": "review",
        "type": "multi_task",
        "label": {"vi": "Góp ý"},
        "items": {"var": "reviewers"},
        "assignment": {"agency_rule": {"var": "_item"}, "role": "officer"},
        "actions": [{"key": "agree", "label": {"vi": "Đồng ý"}}],
    }
    agreed = {">=": [{"var": "_results.counts.agree"}, 1]}
    assert run([START, review, DONE], [go("start", "review"), go("review", "done")]) == []
    nodes = [START, review, end("no", "no"), DONE]
    assert (
        run(
            nodes,
            [
                go("start", "review"),
                go("review", "done", condition=agreed),
                go("review", "no", default=True),
            ],
        )
        == []
    )
    findings = run(
        nodes,
        [
            go("start", "review"),
            go("review", "done", condition=agreed),
            go("review", "no", condition={"!": agreed}),
        ],
        valid=False,
    )
    assert codes(findings) == {"decision_without_default"}
    sub = node("sub", "subprocess", workflow="w2")
    findings = run(
        [START, sub, DONE, end("no", "no")],
        [
            go("start", "sub"),
            go("sub", "done", condition={"var": "_outcome"}),
            go("sub", "no", condition={"!": {"var": "_outcome"}}),
        ],
        valid=False,
    )
    assert codes(findings) == {"decision_without_default"}


# --------------------------------------------------------------------------- 5: assignment


@pytest.mark.parametrize(
    "assignment",
    [
        {"agency": "ioc", "role": "officer"},
        {"agency_rule": {"var": "district"}, "role": "officer"},
        {"user": "lan"},
        {"user_rule": {"var": "email"}},
        {"submitter": True},
    ],
)
def test_assigned_tasks_are_fine(assignment: dict[str, Any]) -> None:
    assert (
        run([START, task("a", assignment=assignment), DONE], [go("start", "a"), ok("a", "done")])
        == []
    )


@pytest.mark.parametrize(
    ("assignment", "hint"),
    [
        (None, "not assigned"),
        ({}, "not assigned"),
        ({"agency": "", "role": "officer"}, "not assigned"),
        ({"agency": "ioc"}, "no role"),
        ({"submitter": False}, "not assigned"),
        ("ioc", "not assigned"),
    ],
)
def test_tasks_without_assignment(assignment: Any, hint: str) -> None:
    a = task("a")
    if assignment is None:
        del a["assignment"]
    else:
        a["assignment"] = assignment
    [finding] = run([START, a, DONE], [go("start", "a"), ok("a", "done")], valid=False)
    assert finding.code == "task_without_assignment" and hint in finding.message


# --------------------------------------------------------------------------- 6: rules


def route(condition: Any, **extra: Any) -> list[Finding]:
    nodes = [START, node("route", "decision"), task("a"), DONE]
    transitions = [
        go("start", "route"),
        go("route", "a", condition=condition),
        go("route", "done", default=True),
        ok("a", "done"),
    ]
    return run(nodes, transitions, **extra)


@pytest.mark.parametrize(
    "condition",
    [
        {"==": [{"var": "category"}, "flooding"]},
        {"==": ["pothole", {"var": "category"}]},
        {"!=": [{"var": "category"}, None]},
        {">=": [{"var": "severity"}, 3]},
        {"<": [1, {"var": "severity"}, 4]},
        {"===": [{"var": "urgent"}, True]},
        {"in": [{"var": "category"}, ["flooding", "garbage"]]},
        {"in": ["road", {"var": "tags"}]},
        {"in": ["ngập", {"var": "note"}]},
        {"<": [{"var": "due_on"}, "2026-05-01"]},
        {"==": [{"var": "severity"}, {"var": "counter"}]},
        {"==": [{"var": ["severity", 0]}, 2]},
        {"some": [{"var": "tags"}, {"==": [{"var": ""}, "road"]}]},
        {"==": [{"var": "location.lat"}, 10]},
        {"and": [{"var": "urgent"}, {">": [{"var": "severity"}, 2]}]},
    ],
)
def test_well_typed_rules_are_fine(condition: Any) -> None:
    assert route(condition) == []


@pytest.mark.parametrize(
    ("condition", "hint"),
    [
        ({"==": [{"var": "severity"}, "3"]}, "Write 3 without quotes"),
        ({">=": [{"var": "category"}, 3]}, "no meaning"),
        ({"==": [{"var": "urgent"}, "true"]}, "Write true without quotes"),
        ({"==": [{"var": "note"}, 5]}, 'in quotes: "5"'),
        ({"<": [{"var": "due_on"}, "next week"]}, "YYYY-MM-DD"),
        ({"==": [{"var": "tags"}, "road"]}, "use 'in'"),
        ({"==": [{"var": "location"}, "x"]}, "place on the map"),
        ({"in": [{"var": "tags"}, ["road"]]}, "never found"),
        ({"in": [3, {"var": "note"}]}, "text in a text"),
        ({"in": [3, {"var": "severity"}]}, "in a list"),
        ({"==": [{"var": "severity"}, {"var": "category"}]}, "same kind"),
        ({"and": [True, {"!=": [{"var": "category"}, 1]}]}, "options, in quotes"),
    ],
)
def test_comparisons_of_the_wrong_kind_are_warnings(condition: Any, hint: str) -> None:
    [finding] = route(condition)
    assert (finding.code, finding.severity) == ("type_mismatch", "warning")
    assert finding.path == "workflows/w/transitions/1/condition"
    assert finding.params["nodes"] == ["route", "a"]
    assert hint in finding.message, finding.message


def test_a_choice_compared_with_an_unknown_option_is_an_error() -> None:
    [finding] = route({"==": [{"var": "category"}, "flood"]})
    assert (finding.code, finding.severity) == ("unknown_option", "error")
    assert finding.params["options"] == ["flooding", "pothole", "garbage"]
    assert "flooding, pothole, garbage" in finding.message
    assert "'Loại sự cố' (category)" in finding.message
    [finding] = route({"in": [{"var": "category"}, ["flooding", "potholes"]]})
    assert finding.code == "unknown_option" and finding.params["value"] == "potholes"
    [finding] = route({"in": ["roads", {"var": "tags"}]})
    assert finding.code == "unknown_option" and finding.params["options"] == ["road", "water"]


def test_rules_reading_unknown_fields() -> None:
    [finding] = route({"==": [{"var": "colour"}, "red"]}, valid=False)
    assert (finding.code, finding.severity, finding.params["field"]) == (
        "unknown_field",
        "error",
        "colour",
    )
    assert run(
        [START, task("a", assignment={"agency_rule": {"var": "ward"}, "role": "x"}), DONE],
        [go("start", "a"), ok("a", "done")],
        valid=False,
    )[0].params == {"nodes": ["a"], "field": "ward", "rule": "assignment/agency_rule"}


def test_context_variables_and_item_bodies_are_not_unknown_fields() -> None:
    review = {
        "id": "review",
        "type": "multi_task",
        "label": {"vi": "Góp ý"},
        "items": {"filter": [{"var": "reviewers"}, {"!=": [{"var": "colour"}, "x"]}]},
        "assignment": {"agency_rule": {"var": "_item"}, "role": "officer"},
        "actions": [{"key": "agree", "label": {"vi": "Đồng ý"}}],
        "completion": {"rule": {">=": [{"var": "_results.done"}, 2]}},
    }
    assert run([START, review, DONE], [go("start", "review"), go("review", "done")]) == []


def test_broken_rules_in_drafts_are_reported() -> None:
    [finding] = route({"frobnicate": [1]}, valid=False)
    assert finding.code == "rule_invalid" and "Unknown operator" in finding.message


def test_steps_writing_unknown_fields_or_values_of_the_wrong_kind() -> None:
    setter = node(
        "set",
        "set_fields",
        set={"colour": "red", "severity": "high", "category": "flood", "urgent": True},
    )
    findings = run([START, setter, DONE], [go("start", "set"), go("set", "done")], valid=False)
    assert sorted((f.code, f.params["field"]) for f in findings) == [
        ("type_mismatch", "severity"),
        ("unknown_field", "colour"),
        ("unknown_option", "category"),
    ]
    good = node(
        "set",
        "set_fields",
        set={"severity": 3, "category": "garbage", "counter": {"+": [{"var": "counter"}, 1]}},
    )
    assert run([START, good, DONE], [go("start", "set"), go("set", "done")]) == []


def test_notifications_to_unknown_fields() -> None:
    message = {"channel": "email", "body": {"vi": "Xin chào"}}
    bad = node("tell", "notify", to={"email_field": "mail"}, **message)
    [finding] = run([START, bad, DONE], [go("start", "tell"), go("tell", "done")])
    assert (finding.code, finding.params["field"]) == ("unknown_field", "mail")
    wrong = node("tell", "notify", to={"phone_field": "severity"}, **message)
    [finding] = run([START, wrong, DONE], [go("start", "tell"), go("tell", "done")])
    assert (finding.code, finding.severity) == ("type_mismatch", "warning")
    good = node("tell", "notify", to={"email_field": "email"}, **message)
    assert run([START, good, DONE], [go("start", "tell"), go("tell", "done")]) == []


# --------------------------------------------------------------------------- 7: durations


def deadline_task(**deadline: Any) -> list[Finding]:
    return run(
        [START, task("a", deadline=deadline), DONE],
        [go("start", "a"), ok("a", "done")],
        valid=False,
    )


def test_valid_durations_are_fine() -> None:
    assert deadline_task(duration="P3D", working_days=True, reminders=["P1D", "P3D"]) == []
    assert deadline_task(duration="PT8H", reminders=["PT2H"]) == []
    assert deadline_task(duration="P2D", working_days=True, reminders=["PT4H"]) == []
    timer = node("wait", "timer", duration="P1W")
    assert run([START, timer, DONE], [go("start", "wait"), go("wait", "done")]) == []


@pytest.mark.parametrize(
    ("duration", "hint"),
    [
        ("P1M", "years and months"),
        ("P1Y", "years and months"),
        ("3 days", "starts with 'P'"),
        ("P1.5D", "fractions"),
        ("", "empty"),
        (3, "expected a string"),
    ],
)
def test_invalid_durations(duration: Any, hint: str) -> None:
    [finding] = deadline_task(duration=duration)
    assert (finding.code, finding.path) == ("invalid_duration", "workflows/w/nodes/a")
    assert hint in finding.message


def test_durations_everywhere_are_checked() -> None:
    timer = node("wait", "timer", duration="P2M")
    receive = node(
        "pay", "receive", message="paid", correlation={"var": "email"}, timeout={"duration": "P1Y"}
    )
    findings = run(
        [START, timer, receive, DONE, end("late", "late")],
        [
            go("start", "wait"),
            go("wait", "pay"),
            go("pay", "done"),
            go("pay", "late", timeout=True),
        ],
        valid=False,
        extra={"deadline": {"duration": "P1M", "reminders": ["P2M"]}},
    )
    assert sorted((f.path, f.code) for f in findings) == [
        ("workflows/w/deadline", "invalid_duration"),
        ("workflows/w/deadline", "invalid_duration"),
        ("workflows/w/nodes/pay", "invalid_duration"),
        ("workflows/w/nodes/wait", "invalid_duration"),
    ]


def test_reminders_longer_than_the_deadline_are_warnings() -> None:
    [finding] = deadline_task(duration="P3D", working_days=True, reminders=["P5D"])
    assert (finding.code, finding.severity) == ("reminder_too_long", "warning")
    [finding] = deadline_task(duration="PT4H", reminders=["PT4H"])
    assert finding.code == "reminder_too_long"
    [finding] = deadline_task(duration="P1D", reminders=["PT30H"])
    assert finding.code == "reminder_too_long"
    # In working time, days and hours cannot be compared: no finding either way.
    assert deadline_task(duration="P1D", working_days=True, reminders=["PT30H"]) == []
    findings = run(
        [START, task("a"), DONE],
        [go("start", "a"), ok("a", "done")],
        extra={"deadline": {"duration": "P15D", "working_days": True, "reminders": ["P20D"]}},
    )
    assert [(f.code, f.path) for f in findings] == [("reminder_too_long", "workflows/w/deadline")]


def test_zero_durations_are_warnings() -> None:
    [finding] = deadline_task(duration="P0D")
    assert (finding.code, finding.severity) == ("zero_duration", "warning")


# --------------------------------------------------------------------------- 8: cycles


def test_a_loop_of_automatic_steps_spins_forever() -> None:
    notify = node(
        "tell", "notify", channel="in_app", to={"submitter": True}, body={"vi": "Xin chào"}
    )
    nodes = [START, node("check", "decision"), notify, DONE]
    transitions = [
        go("start", "check"),
        go("check", "tell", condition={"var": "urgent"}),
        go("check", "done", default=True),
        go("tell", "check"),
    ]
    [finding] = run(nodes, transitions)
    assert (finding.code, finding.severity) == ("cycle_without_wait", "error")
    assert finding.params["nodes"] == ["check", "tell"]
    assert "goes round forever" in finding.message


def test_a_loop_through_a_task_or_a_timer_is_fine() -> None:
    nodes = [START, node("check", "decision"), node("wait", "timer", duration="P1D"), DONE]
    transitions = [
        go("start", "check"),
        go("check", "wait", condition={"var": "urgent"}),
        go("check", "done", default=True),
        go("wait", "check"),
    ]
    assert run(nodes, transitions) == []


def test_a_counter_loop_is_only_a_warning() -> None:
    bump = node("bump", "set_fields", set={"counter": {"+": [{"var": "counter"}, 1]}})
    nodes = [START, node("check", "decision"), bump, DONE]
    transitions = [
        go("start", "check"),
        go("check", "bump", condition={"<": [{"var": "counter"}, 3]}),
        go("check", "done", default=True),
        go("bump", "check"),
    ]
    [finding] = run(nodes, transitions)
    assert (finding.code, finding.severity) == ("cycle_without_wait", "warning")
    assert "'counter'" in finding.message


def test_a_loop_through_a_join_whose_fork_completes_at_once_spins() -> None:
    # One branch ends at once, the other goes straight to the join: the join is released
    # within the same event and the case goes round forever.
    nodes = [START, node("split", "parallel"), end("e1"), node("join", "join")]
    transitions = [
        go("start", "split"),
        go("split", "join"),
        go("split", "e1"),
        go("join", "split"),
    ]
    [finding] = run(nodes, transitions)
    assert (finding.code, finding.severity) == ("cycle_without_wait", "error")
    assert finding.params["nodes"] == ["split", "join"]
    with pytest.raises(WorkflowRuntimeError):
        engine.start(workflow(nodes, transitions), {}, NOW)
    # With a task in the branch that ends, the join really waits: fine.
    nodes.append(task("a"))
    transitions = [
        go("start", "split"),
        go("split", "join"),
        go("split", "a"),
        ok("a", "e1"),
        go("join", "split"),
    ]
    assert codes(run(nodes, transitions), "error") == set()


def test_a_self_loop_through_a_join_outside_any_fork_spins() -> None:
    nodes = [START, node("join", "join"), node("check", "decision"), DONE]
    transitions = [
        go("start", "join"),
        go("join", "check"),
        go("check", "join", condition={"var": "urgent"}),
        go("check", "done", default=True),
    ]
    assert codes(run(nodes, transitions)) == {"cycle_without_wait", "join_without_split"}


# --------------------------------------------------------------------------- 9: workflows


def starter(node_type: str, **config: Any) -> list[Finding]:
    defaults: dict[str, Any] = {"create_record": {"entity": "report", "data": {}}}
    step = node("go", node_type, **{**defaults.get(node_type, {}), **config})
    return run(
        [START, step, DONE],
        [go("start", "go"), go("go", "done")],
        known_workflows={"w", "other"},
        known_entities={"report"},
        app_key="test_app",
    )


@pytest.mark.parametrize("node_type", ["subprocess", "start_workflow", "create_record"])
def test_started_workflows_must_exist(node_type: str) -> None:
    assert starter(node_type, workflow="other") == []
    [finding] = starter(node_type, workflow="missing")
    assert (finding.code, finding.severity, finding.params["workflow"]) == (
        "unknown_workflow",
        "error",
        "missing",
    )
    assert "other, w" in finding.message
    assert starter(node_type, workflow="other", app="test_app") == []


def test_workflows_of_other_apps() -> None:
    [finding] = starter("subprocess", workflow="permit", app="building")
    assert (finding.code, finding.severity) == ("unverified_workflow", "warning")
    step = node("go", "subprocess", workflow="permit", app="building")
    nodes, transitions = [START, step, DONE], [go("start", "go"), go("go", "done")]
    known = {"building": {"permit"}}
    assert run(nodes, transitions, known_apps=known) == []
    [finding] = run(nodes, transitions, known_apps={"building": {"other"}})
    assert finding.code == "unknown_workflow"
    [finding] = run(nodes, transitions, known_apps={})
    assert finding.code == "unknown_workflow" and "'building'" in finding.message


@pytest.mark.parametrize("node_type", ["subprocess", "start_workflow", "create_record"])
def test_a_workflow_starting_itself_is_a_warning(node_type: str) -> None:
    [finding] = starter(node_type, workflow="w")
    assert (finding.code, finding.severity) == ("starts_itself", "warning")


def test_records_of_unknown_kinds() -> None:
    [finding] = starter("create_record", entity="permit")
    assert (finding.code, finding.params["entity"]) == ("unknown_entity", "permit")


def test_unknown_workflows_are_not_checked_without_known_workflows() -> None:
    step = node("go", "subprocess", workflow="anything")
    assert run([START, step, DONE], [go("start", "go"), go("go", "done")]) == []


# --------------------------------------------------------------------------- 10: calendar


def test_unknown_calendar() -> None:
    nodes, transitions = [START, task("a"), DONE], [go("start", "a"), ok("a", "done")]
    assert run(nodes, transitions, extra={"calendar": "vn"}) == []
    assert run(nodes, transitions, extra={"calendar": "calendar"}) == []
    [finding] = run(nodes, transitions, extra={"calendar": "mars"})
    assert (finding.code, finding.path) == ("unknown_calendar", "workflows/w/calendar")


# --------------------------------------------------------------------------- 11: extras


def test_escalation_taking_an_unknown_action() -> None:
    deadline = {"duration": "P3D", "escalation": {"action": "approve"}}
    findings = run(
        [START, task("a", deadline=deadline), DONE],
        [go("start", "a"), ok("a", "done")],
        valid=False,
    )
    assert codes(findings) == {"escalation_action_unknown"}
    deadline["escalation"] = {"action": "ok"}
    assert (
        run([START, task("a", deadline=deadline), DONE], [go("start", "a"), ok("a", "done")]) == []
    )


def test_guards_must_name_tasks() -> None:
    nodes = [START, task("a"), task("b", guards={"not_actors_of": ["a", "start", "ghost"]}), DONE]
    findings = run(nodes, [go("start", "a"), ok("a", "b"), ok("b", "done")])
    assert sorted(f.params["guard"] for f in findings) == ["ghost", "start"]
    assert codes(findings) == {"guard_unknown_task"}


# --------------------------------------------------------------------------- apps, drafts


def test_analyze_app_checks_every_workflow_against_the_app() -> None:
    first = document(
        [START, node("sub", "subprocess", workflow="second"), DONE],
        [go("start", "sub"), go("sub", "done")],
    )
    second = {
        **document(
            [START, node("sub", "subprocess", workflow="third"), DONE],
            [go("start", "sub"), go("sub", "done")],
        ),
        "key": "second",
    }
    app = parse_bundle(bundle_of(first, second))
    findings = analyze_app(app)
    assert [(f.code, f.path) for f in findings] == [
        ("unknown_workflow", "workflows/second/nodes/sub")
    ]


def test_analyze_app_reports_a_workflow_on_an_unknown_entity() -> None:
    doc = {
        **document([START, task("a"), DONE], [go("start", "a"), ok("a", "done")]),
        "entity": "nothing",
    }
    findings = analyze_app(parse_bundle(bundle_of(doc)))
    assert [(f.code, f.path) for f in findings] == [("unknown_entity", "workflows/w")]


@pytest.mark.parametrize(
    "broken",
    [
        {
            "id": "a",
            "type": "human_task",
            "assignment": 3,
            "actions": "x",
            "form": 1,
            "deadline": "P3D",
            "guards": [1],
        },
        {
            "id": "a",
            "type": "human_task",
            "deadline": {"duration": None, "reminders": "P1D", "escalation": 3},
        },
        {"id": "a", "type": "set_fields"},
        {"id": "a", "type": "receive", "timeout": "P1D"},
        {"id": "a", "type": "notify", "to": {"email_field": 3}},
        {"id": "a", "type": "mystery"},
        {"id": "a", "type": "subprocess", "workflow": 7, "app": ["x"]},
        {"id": "a", "type": "start_workflow", "workflow": "x", "app": ["x"]},
        {"id": "a", "type": "create_record", "entity": {}, "workflow": "x", "app": {}},
        {"id": "a", "type": "multi_task", "completion": {"rule": {"nope": 1}}},
    ],
)
def test_the_analysis_never_raises_on_broken_drafts(broken: dict[str, Any]) -> None:
    findings = run(
        [START, broken, DONE, node("j", "join")],
        [go("start", "a"), go("a", "done"), go("a", "ghost"), go("j", "j")],
        valid=False,
        extra={"calendar": "x", "deadline": {"reminders": [None]}},
    )
    assert findings


# --------------------------------------------------------------------------- size


def big_workflow(segments: int) -> WorkflowDef:
    """start, then ``segments`` times: a task, a parallel split into three tasks (one of
    them with a nested split and join), a join, a decision looping back with a task —
    13 nodes a segment."""
    nodes: list[dict[str, Any]] = [START]
    transitions: list[dict[str, Any]] = []
    previous = "start"
    for i in range(segments):
        s = f"s{i}"
        names = {k: f"{k}{i}" for k in ("t", "p", "a", "b", "q", "x", "y", "r", "j", "d", "fix")}
        nodes += [
            task(names["t"]),
            node(names["p"], "parallel"),
            task(names["a"]),
            task(names["b"]),
            node(names["q"], "parallel"),
            task(names["x"]),
            task(names["y"]),
            node(names["r"], "join"),
            node(names["j"], "join"),
            node(names["d"], "decision"),
            task(names["fix"]),
        ]
        transitions += [
            go(previous, names["t"]),
            ok(names["t"], names["p"]),
            go(names["p"], names["a"]),
            go(names["p"], names["b"]),
            go(names["p"], names["q"]),
            ok(names["a"], names["j"]),
            ok(names["b"], names["j"]),
            go(names["q"], names["x"]),
            go(names["q"], names["y"]),
            ok(names["x"], names["r"]),
            ok(names["y"], names["r"]),
            go(names["r"], names["j"]),
            go(names["j"], names["d"]),
            go(names["d"], names["fix"], condition={">": [{"var": "severity"}, 3]}),
            go(names["d"], f"next{i}", default=True),
        ]
        nodes.append(node(f"next{i}", "set_fields", set={"counter": i}))
        transitions.append(go(f"next{i}", s))
        nodes.append(node(s, "timer", duration="PT1H"))
        previous = s
        transitions.append(ok(names["fix"], names["t"]))
    nodes.append(DONE)
    transitions.append(go(previous, "done"))
    return parse_workflow(document(nodes, transitions))


def test_a_500_node_workflow_is_analyzed() -> None:
    definition = big_workflow(39)
    assert len(definition.nodes) >= 500
    findings = analyze(definition, ENTITY)
    assert findings == []


# --------------------------------------------------------------------------- engine parity


class _RandomWorkflow:
    """Nested blocks of tasks (whose "no" action may end, redo or go on), decisions and
    parallel/inclusive splits with their joins (a branch may end or terminate instead),
    sometimes with one transition redirected at random."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.nodes: list[dict[str, Any]] = [START]
        self.transitions: list[dict[str, Any]] = []

    def new(self, kind: str) -> str:
        node_id = f"{kind[:2]}{len(self.nodes)}"
        if kind == "task":
            self.nodes.append(task(node_id, "ok", "no"))
        elif kind in ("end", "terminate"):
            self.nodes.append(node(node_id, kind, outcome="o"))
        else:
            self.nodes.append(node(node_id, kind))
        return node_id

    def connect(self, exits: list[tuple[str, dict[str, Any]]], target: str) -> None:
        self.transitions += [go(source, target, **keys) for source, keys in exits]

    def block(self, depth: int) -> tuple[str, list[tuple[str, dict[str, Any]]]]:
        roll = self.rng.random()
        if depth > 1 or roll < 0.4:
            step = self.new("task")
            exits: list[tuple[str, dict[str, Any]]] = [(step, {"action": "ok"})]
            other = self.rng.random()
            if other < 0.3:
                self.transitions.append(go(step, self.new("end"), action="no"))
            elif other < 0.5:
                self.transitions.append(go(step, step, action="no"))
            else:
                exits.append((step, {"action": "no"}))
            return step, exits
        if roll < 0.55:
            choice = self.new("decision")
            (first, first_exits), (second, second_exits) = self.seq(depth + 1), self.seq(depth + 1)
            self.transitions += [
                go(choice, first, condition={"var": "urgent"}),
                go(choice, second, default=True),
            ]
            return choice, first_exits + second_exits
        kind = "parallel" if roll < 0.85 else "inclusive"
        split, join = self.new(kind), self.new("join")
        joined = False
        for number in range(self.rng.randint(2, 3)):
            entry, branch_exits = self.seq(depth + 1)
            keys: dict[str, Any] = {}
            if kind == "inclusive":
                keys = {"default": True} if number == 0 else {"condition": {"var": "urgent"}}
            self.transitions.append(go(split, entry, **keys))
            fate = self.rng.random()
            if fate < 0.2:
                self.connect(branch_exits, self.new("end"))
            elif fate < 0.25:
                self.connect(branch_exits, self.new("terminate"))
            else:
                self.connect(branch_exits, join)
                joined = True
        return split, [(join, {})] if joined else []

    def seq(self, depth: int) -> tuple[str, list[tuple[str, dict[str, Any]]]]:
        entry, exits = self.block(depth)
        if exits and self.rng.random() < 0.4:
            following, exits_after = self.block(depth)
            self.connect(exits, following)
            exits = exits_after
        return entry, exits

    def document(self) -> dict[str, Any]:
        entry, exits = self.seq(0)
        self.transitions.append(go("start", entry))
        self.connect(exits, self.new("end"))
        if self.rng.random() < 0.7:  # mostly into a join: that is where mistakes hurt
            index = self.rng.randrange(1, len(self.transitions))
            targets = [n["id"] for n in self.nodes if n["type"] != "start"]
            joins = [n["id"] for n in self.nodes if n["type"] == "join"]
            pool = joins if joins and self.rng.random() < 0.6 else targets
            self.transitions[index] = {**self.transitions[index], "to": self.rng.choice(pool)}
        return document(self.nodes, self.transitions)


class _JoinWatch:
    """Wraps the join and split node types to record, in real engine runs, what rules 1-3
    of the analysis predict: which splits' forks (or no fork) each join closes, at which
    joins each fork's tokens arrive, and splits started again inside their own fork."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.tops: dict[str, set[str | None]] = {}
        self.fork_joins: dict[str, set[str]] = {}
        self.refork = False
        join_type = type(nodes.get("join"))
        join_enter = join_type.enter

        def watched_join(
            node_type: Any, ctx: engine.Context, node: NodeDef, token: engine.Token
        ) -> Any:
            top = token["forks"][-1] if token["forks"] else None
            split = ctx.state["forks"][top]["node"] if top in ctx.state["forks"] else None
            self.tops.setdefault(node.id, set()).add(split)
            if top is not None:  # fork ids repeat across runs: tell them apart by split
                self.fork_joins.setdefault(f"{top} of {split}", set()).add(node.id)
            return join_enter(node_type, ctx, node, token)

        monkeypatch.setattr(join_type, "enter", watched_join)
        for split_name in ("parallel", "inclusive"):
            split_type = type(nodes.get(split_name))
            monkeypatch.setattr(split_type, "enter", self._watch_split(split_type.enter))

    def _watch_split(self, original: Any) -> Any:
        def watched(node_type: Any, ctx: engine.Context, node: NodeDef, token: engine.Token) -> Any:
            forks = ctx.state["forks"]
            if any(forks.get(f, {}).get("node") == node.id for f in token["forks"]):
                self.refork = True
            return original(node_type, ctx, node, token)

        return watched

    def reset(self) -> None:
        self.tops.clear()
        self.fork_joins.clear()
        self.refork = False

    def problems(self) -> list[str]:
        found = [f"{j} closes {sorted(map(str, t))}" for j, t in self.tops.items() if len(t) > 1]
        found += [
            f"fork {f} meets at {sorted(j)}" for f, j in self.fork_joins.items() if len(j) > 1
        ]
        return found + (["a split started again inside its own fork"] if self.refork else [])


def _run_every_way(definition: WorkflowDef, data: dict[str, Any], budget: int = 150) -> bool:
    """Complete the tasks in every order (up to ``budget`` states); whether some order
    leaves the case running with no open task (only joins waiting)."""
    state, _ = engine.start(definition, data, NOW)
    pending, seen = [(state, 0)], set()
    while pending and budget:
        state, depth = pending.pop()
        budget -= 1
        if state["status"] != "running":
            continue
        open_tasks = [k for k, t in state["tasks"].items() if t["status"] == "open"]
        if not open_tasks:
            return True
        key = json.dumps(
            [sorted(t["node"] for t in state["tokens"]), state["forks"]], sort_keys=True
        )
        if depth > 10 or key in seen:
            continue
        seen.add(key)
        for task_id in open_tasks:
            for action in ("ok", "no"):
                event = ev.complete_task(task_id, action, {}, OFFICER)
                pending.append((engine.handle(definition, state, event, NOW)[0], depth + 1))
    return False


def test_the_join_rules_predict_what_the_engine_does(monkeypatch: pytest.MonkeyPatch) -> None:
    """Random workflows: those the analysis accepts never get stuck, and their joins only
    ever close the forks of one split, each fork at one join, in every order the tasks
    can be completed in; and the analysis flags some that do not behave."""
    watch = _JoinWatch(monkeypatch)
    rng = random.Random(20260302)
    graph_errors = {"join_deadlock", "no_way_to_end", "cycle_without_wait", "unreachable"}
    accepted = misbehaving_flagged = 0
    while accepted < 30:
        doc = _RandomWorkflow(rng).document()
        if validate_bundle(bundle_of(doc)):
            continue
        definition = parse_workflow(doc)
        watch.reset()
        if codes(analyze(definition, ENTITY), "error") & graph_errors:
            try:
                stuck = any(_run_every_way(definition, {"urgent": u}) for u in (True, False))
            except (WorkflowRuntimeError, RecursionError):
                stuck = True  # a loop without waiting (RecursionError: see the report)
            misbehaving_flagged += bool(stuck or watch.problems())
            continue
        stuck = any(_run_every_way(definition, {"urgent": u}) for u in (True, False))
        accepted += 1
        assert not stuck, json.dumps(doc)
        assert watch.problems() == [], json.dumps(doc)
    assert misbehaving_flagged
