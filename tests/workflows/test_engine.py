"""The engine: a pure function from (definition, state, event, now) to (state, effects)."""

from __future__ import annotations

import ast
import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from workflows import engine
from workflows import events as ev
from workflows.definition import AppDef, WorkflowDef, ensure_valid_bundle
from workflows.effects import (
    CancelTask,
    CloseCase,
    CompleteTask,
    CreateTask,
    RecordEvent,
    UpdateData,
)
from workflows.errors import InvalidEvent, WorkflowRuntimeError
from workflows.state import STATE_VERSION, upgrade

NOW = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
DISPATCHER = {"kind": "user", "id": "u-1", "name": "Nguyễn Văn Điều"}
OFFICER = {"kind": "user", "id": "u-2", "name": "Trần Thị Nước"}
REPORT = {"category": "flooding", "district": "ninh_kieu", "description": "Ngập sâu"}


@pytest.fixture
def flow(app_def: AppDef) -> WorkflowDef:
    return app_def.workflows["field_report_flow"]


def _kinds(effects: list[Any]) -> list[str]:
    return [e.kind for e in effects]


def _tasks(effects: list[Any]) -> list[CreateTask]:
    return [e for e in effects if isinstance(e, CreateTask)]


def test_start_opens_the_triage_task_for_the_dispatcher(flow: WorkflowDef) -> None:
    state, effects = engine.start(flow, REPORT, NOW)
    assert state["status"] == "running"
    assert state["tokens"] == [
        {"id": "t1", "node": "triage", "forks": [], "wait": {"kind": "task", "task": "t2"}}
    ]
    [task] = _tasks(effects)
    assert (task.task, task.node, task.agency, task.role) == ("t2", "triage", "ioc", "dispatcher")
    assert state["tasks"]["t2"]["status"] == "open"
    assert [a["key"] for a in task.actions] == ["accept", "reject"]
    assert task.fields == ["category", "severity", "triage_note"]
    assert _kinds(effects) == ["record_event", "create_task", "record_event"]


def test_state_and_effects_are_plain_json(flow: WorkflowDef) -> None:
    state, effects = engine.start(flow, REPORT, NOW)
    assert json.loads(json.dumps(state)) == state
    assert state["schema_version"] == STATE_VERSION
    for effect in effects:
        assert json.loads(json.dumps(effect.as_dict())) == effect.as_dict()


def test_handle_never_modifies_its_input(flow: WorkflowDef) -> None:
    state, _ = engine.start(flow, REPORT, NOW)
    frozen = copy.deepcopy(state)
    engine.handle(flow, state, ev.complete_task("t2", "accept", {"severity": 4}, DISPATCHER), NOW)
    assert state == frozen


@pytest.mark.parametrize(
    ("data", "node", "agency"),
    [
        ({"category": "flooding"}, "handle_drainage", "ctn_cantho"),
        ({"category": "pothole"}, "handle_transport", "sgtvt"),
        ({"category": "garbage"}, "handle_environment", "stnmt"),
        ({"category": "streetlight", "district": "cai_rang"}, "handle_district", "cai_rang"),
        ({"category": "other", "district": "binh_thuy"}, "handle_district", "binh_thuy"),
    ],
)
def test_decision_routes_by_category(
    flow: WorkflowDef, data: dict[str, Any], node: str, agency: str
) -> None:
    state, _ = engine.start(flow, {**REPORT, **data}, NOW)
    state, effects = engine.handle(
        flow, state, ev.complete_task("t2", "accept", {}, DISPATCHER), NOW
    )
    [task] = _tasks(effects)
    assert (task.node, task.agency) == (node, agency)
    decision = [e for e in effects if isinstance(e, RecordEvent) and e.event == "decision_taken"]
    assert decision[0].detail["target"] == node
    assert decision[0].public is False


def test_triage_can_change_the_category_before_routing(flow: WorkflowDef) -> None:
    state, _ = engine.start(flow, {**REPORT, "category": "other"}, NOW)
    event = ev.complete_task("t2", "accept", {"category": "pothole", "severity": 3}, DISPATCHER)
    state, effects = engine.handle(flow, state, event, NOW)
    assert state["data"]["category"] == "pothole"
    assert UpdateData(changes={"category": "pothole", "severity": 3}) in effects
    assert _tasks(effects)[0].agency == "sgtvt"


def test_full_case_ends_resolved(flow: WorkflowDef) -> None:
    state, _ = engine.start(flow, REPORT, NOW)
    state, _ = engine.handle(flow, state, ev.complete_task("t2", "accept", {}, DISPATCHER), NOW)
    [token] = state["tokens"]
    task_id = token["wait"]["task"]
    assert task_id != "t2" and state["tasks"]["t2"]["status"] == "completed"
    event = ev.complete_task(task_id, "resolve", {"resolution_note": "Đã bơm"}, OFFICER)
    state, effects = engine.handle(flow, state, event, NOW)
    assert state["status"] == "completed"
    assert state["outcome"] == "resolved"
    assert state["tokens"] == []
    assert CompleteTask(task=task_id, action="resolve") in effects
    closes = [e for e in effects if isinstance(e, CloseCase)]
    assert [c.outcome for c in closes] == ["resolved"]
    assert state["path"] == ["start", "triage", "route", "handle_drainage", "resolved"]


def test_rejected_at_triage(flow: WorkflowDef) -> None:
    state, _ = engine.start(flow, REPORT, NOW)
    state, effects = engine.handle(
        flow, state, ev.complete_task("t2", "reject", {}, DISPATCHER), NOW
    )
    assert (state["status"], state["outcome"]) == ("completed", "rejected")
    assert not _tasks(effects)


def test_completed_task_cannot_be_completed_again(flow: WorkflowDef) -> None:
    state, _ = engine.start(flow, REPORT, NOW)
    state, _ = engine.handle(flow, state, ev.complete_task("t2", "accept", {}, DISPATCHER), NOW)
    with pytest.raises(InvalidEvent) as caught:
        engine.handle(flow, state, ev.complete_task("t2", "accept", {}, DISPATCHER), NOW)
    assert caught.value.code == "task_not_open"


def test_closed_case_accepts_no_events(flow: WorkflowDef) -> None:
    state, _ = engine.start(flow, REPORT, NOW)
    state, _ = engine.handle(flow, state, ev.complete_task("t2", "reject", {}, DISPATCHER), NOW)
    with pytest.raises(InvalidEvent) as caught:
        engine.handle(flow, state, ev.cancel("late", DISPATCHER), NOW)
    assert caught.value.code == "case_closed"


def test_unknown_action_is_refused_with_the_allowed_ones(flow: WorkflowDef) -> None:
    state, _ = engine.start(flow, REPORT, NOW)
    with pytest.raises(InvalidEvent) as caught:
        engine.handle(flow, state, ev.complete_task("t2", "resolve", {}, DISPATCHER), NOW)
    assert caught.value.code == "unknown_action"
    assert caught.value.params["allowed"] == ["accept", "reject"]


def test_task_may_only_change_its_own_fields(flow: WorkflowDef) -> None:
    state, _ = engine.start(flow, REPORT, NOW)
    event = ev.complete_task("t2", "accept", {"description": "sửa"}, DISPATCHER)
    with pytest.raises(InvalidEvent) as caught:
        engine.handle(flow, state, event, NOW)
    assert caught.value.code == "field_not_editable"
    assert caught.value.params["fields"] == ["description"]


def test_unknown_event_type_is_refused(flow: WorkflowDef) -> None:
    state, _ = engine.start(flow, REPORT, NOW)
    with pytest.raises(InvalidEvent) as caught:
        engine.handle(flow, state, {"type": "teleport", "actor": DISPATCHER}, NOW)
    assert caught.value.code == "unknown_event"


def test_start_twice_is_refused(flow: WorkflowDef) -> None:
    state, _ = engine.start(flow, REPORT, NOW)
    with pytest.raises(InvalidEvent):
        engine.handle(flow, state, ev.start(), NOW)


def test_cancel_closes_the_case_and_its_open_tasks(flow: WorkflowDef) -> None:
    state, _ = engine.start(flow, REPORT, NOW)
    state, effects = engine.handle(flow, state, ev.cancel("duplicate", DISPATCHER), NOW)
    assert (state["status"], state["outcome"], state["tokens"]) == ("cancelled", "cancelled", [])
    assert CancelTask(task="t2") in effects
    log = [e for e in effects if isinstance(e, RecordEvent)]
    assert log[-1].event == "case_cancelled" and log[-1].detail["reason"] == "duplicate"


def test_assignment_rule_giving_no_agency_is_a_clear_error(flow: WorkflowDef) -> None:
    state, _ = engine.start(flow, {"category": "other"}, NOW)
    with pytest.raises(WorkflowRuntimeError) as caught:
        engine.handle(flow, state, ev.complete_task("t2", "accept", {}, DISPATCHER), NOW)
    assert caught.value.code == "assignment_failed"


def test_replaying_recorded_events_gives_the_recorded_state(flow: WorkflowDef) -> None:
    recorded = [
        ev.start(DISPATCHER),
        ev.complete_task("t2", "accept", {"severity": 5, "category": "pothole"}, DISPATCHER),
        ev.complete_task("t3", "resolve", {"resolution_note": "Vá xong"}, OFFICER),
    ]
    from workflows.state import new_state

    def replay() -> tuple[dict[str, Any], list[dict[str, Any]]]:
        state = new_state(REPORT)
        all_effects: list[dict[str, Any]] = []
        for event in recorded:
            state, effects = engine.handle(flow, state, event, NOW)
            all_effects += [e.as_dict() for e in effects]
        return state, all_effects

    first, second = replay(), replay()
    assert first == second
    assert first[0]["outcome"] == "resolved"
    assert first[0]["path"] == ["start", "triage", "route", "handle_transport", "resolved"]


def test_a_cycle_without_a_task_is_stopped(app_def: AppDef) -> None:
    from workflows.definition import parse_workflow

    spin = parse_workflow(
        {
            "key": "spin",
            "entity": "field_report",
            "label": {"vi": "Vòng"},
            "nodes": [
                {"id": "start", "type": "start"},
                {"id": "a", "type": "decision"},
                {"id": "b", "type": "decision"},
                {"id": "done", "type": "end", "outcome": "x"},
            ],
            "transitions": [
                {"from": "start", "to": "a"},
                {"from": "a", "to": "b", "default": True},
                {"from": "b", "to": "a", "default": True},
            ],
        }
    )
    with pytest.raises(WorkflowRuntimeError) as caught:
        engine.start(spin, {}, NOW)
    assert caught.value.code == "too_many_steps"


def test_version_1_state_is_upgraded_and_continues(flow: WorkflowDef) -> None:
    v1 = {
        "schema_version": 1,
        "status": "running",
        "tokens": [{"id": "t1", "node": "triage"}],
        "data": dict(REPORT),
        "outcome": None,
        "path": ["start", "triage"],
        "seq": 1,
    }
    assert upgrade(copy.deepcopy(v1))["tasks"]["t1"]["status"] == "open"
    state, effects = engine.handle(flow, v1, ev.complete_task("t1", "accept", {}, DISPATCHER), NOW)
    assert state["schema_version"] == STATE_VERSION
    assert _tasks(effects)[0].node == "handle_drainage"
    assert _tasks(effects)[0].task == "t2"


def test_unknown_state_version_is_refused() -> None:
    with pytest.raises(ValueError, match="version"):
        upgrade({"schema_version": 99})


def test_workflows_package_never_imports_django() -> None:
    root = Path(__file__).resolve().parents[2] / "workflows"
    forbidden = {"django", "apps", "lcnc", "rest_framework", "celery", "channels"}
    offenders = []
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in forbidden]
    assert offenders == []


def test_engine_runs_in_a_fresh_interpreter_without_django() -> None:
    import subprocess
    import sys

    code = (
        "import sys, json, datetime\n"
        "sys.modules['django'] = None\n"
        "from workflows import engine, definition\n"
        "b = json.load(open('fixtures/apps/field_reports.json'))\n"
        "app = definition.ensure_valid_bundle(b)\n"
        "s, e = engine.start(app.workflows['field_report_flow'], {'category': 'flooding'},"
        " datetime.datetime.now(datetime.UTC))\n"
        "print(s['tokens'][0]['node'])\n"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "triage"


def test_fixture_bundle_parses_identically_twice(bundle: dict[str, Any]) -> None:
    assert ensure_valid_bundle(bundle) == ensure_valid_bundle(copy.deepcopy(bundle))
