"""The pure simulation: a workflow run in memory through the real engine, steps
completing tasks, expectations checked; and the cross-checks of saved test documents."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from workflows.definition import (
    SavedTestStep,
    parse_bundle,
    parse_test,
    validate_bundle,
    validate_document,
)
from workflows.simulation import run_test, simulate

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "apps"
MONDAY = datetime.fromisoformat("2026-03-02T09:00:00+07:00")


def _bundle(name: str) -> dict[str, Any]:
    return dict(json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def reports() -> Any:
    return parse_bundle(_bundle("field_reports"))


def _steps(*pairs: tuple[str, str]) -> list[SavedTestStep]:
    return [SavedTestStep(node=node, action=action) for node, action in pairs]


def test_a_rejected_report_ends_at_rejected(reports):
    workflow = reports.workflows["field_report_flow"]
    result = simulate(
        workflow,
        {"category": "garbage"},
        _steps(("triage", "reject")),
        MONDAY,
        expect={"status": "completed", "end": "rejected", "visits": ["triage"]},
        language="en",
    )
    assert result["ok"] is True
    assert [p["node"] for p in result["path"]] == ["start", "triage", "rejected"]
    assert result["path"][1]["label"] == "Triage the report"
    assert result["tasks"][0]["assignee"]["kind"] == "agency_role"
    assert result["tasks"][0]["action"] == "reject"


def test_unmet_expectations_make_it_fail_and_say_what_happened(reports):
    workflow = reports.workflows["field_report_flow"]
    result = simulate(
        workflow,
        {"category": "garbage"},
        _steps(("triage", "accept")),
        MONDAY,
        expect={"status": "completed", "end": "resolved", "visits": ["handle_drainage"]},
    )
    assert result["ok"] is False
    assert result["status"] == "running"
    assert result["waiting"] == ["handle_environment"]
    assert result["expectations"] == [
        {"what": "status", "expected": "completed", "actual": "running", "ok": False},
        {"what": "end", "expected": "resolved", "actual": None, "ok": False},
        {"what": "visits", "expected": ["handle_drainage"], "actual": [], "ok": False},
    ]


def test_the_input_data_is_not_changed(reports):
    data = {"category": "flooding", "district": "ninh_kieu"}
    before = copy.deepcopy(data)
    simulate(reports.workflows["field_report_flow"], data, _steps(("triage", "accept")), MONDAY)
    assert data == before


def test_a_failing_rule_is_an_error_at_the_start(reports):
    workflow = reports.workflows["field_report_flow"]
    # No district: the district rule gives null, so the task cannot be assigned.
    result = simulate(workflow, {"category": "other"}, _steps(("triage", "accept")), MONDAY)
    assert result["status"] == "failed"
    assert [(e["code"], e["step"]) for e in result["errors"]] == [("assignment_failed", 0)]


def test_a_terminate_node_gives_terminated():
    app = parse_bundle(_bundle("coordination"))
    workflow = app.workflows["partner_handling"]
    result = simulate(
        workflow,
        {"district": "ninh_kieu"},
        _steps(("act", "decline")),
        MONDAY,
        expect={"status": "terminated", "end": "declined"},
    )
    assert result["status"] == "terminated"
    assert result["ok"] is True, result
    # P3D in working days from Monday 09:00: Thursday 17:00 (end of the third day).
    due = datetime.fromisoformat(result["tasks"][0]["due"])
    assert due == datetime.fromisoformat("2026-03-05T17:00:00+07:00")


def test_guards_never_refuse_scripted_steps():
    bundle = _bundle("field_reports")
    workflow = bundle["workflows"][0]
    for node in workflow["nodes"]:
        if node["id"] == "handle_drainage":
            node["guards"] = {"not_submitter": True, "not_actors_of": ["triage"]}
    app = parse_bundle(bundle)
    result = simulate(
        app.workflows["field_report_flow"],
        {"category": "flooding"},
        _steps(("triage", "accept"), ("handle_drainage", "resolve")),
        MONDAY,
    )
    assert result["errors"] == [] and result["status"] == "completed"


def test_run_test_of_an_unknown_workflow_fails(reports):
    test = parse_test(
        {"schema_version": 1, "key": "x", "label": {"vi": "x"}, "workflow": "nope", "steps": []}
    )
    result = run_test(reports, test, MONDAY)
    assert result["ok"] is False and result["errors"][0]["code"] == "unknown_workflow"


# --------------------------------------------------------------------------- documents

VALID_TEST = {
    "schema_version": 1,
    "key": "flooding",
    "label": {"vi": "Ngập", "en": "Flooding"},
    "workflow": "field_report_flow",
    "data": {"category": "flooding"},
    "steps": [{"node": "triage", "action": "accept", "data": {"category": "pothole"}}],
    "expect": {"status": "running", "visits": ["route"]},
}


def test_a_valid_test_document_passes_its_schema_and_the_bundle_checks():
    assert validate_document("test", VALID_TEST) == []
    bundle = {**_bundle("field_reports"), "tests": [VALID_TEST]}
    assert validate_bundle(bundle) == []
    app = parse_bundle(bundle)
    assert app.tests["flooding"].steps[0].data == {"category": "pothole"}
    assert run_test(app, app.tests["flooding"], MONDAY)["ok"] is True


@pytest.mark.parametrize(
    "change",
    [
        {"steps": "triage"},
        {"steps": [{"node": "triage"}]},
        {"data": [1]},
        {"expect": {"status": "finished"}},
        {"extra": True},
        {"key": "Not A Key"},
    ],
)
def test_invalid_test_documents_are_refused_by_the_schema(change):
    assert validate_document("test", {**VALID_TEST, **change})


@pytest.mark.parametrize(
    ("change", "code", "path"),
    [
        ({"workflow": "nope"}, "unknown_workflow", "tests[flooding].workflow"),
        ({"steps": [{"node": "ghost", "action": "x"}]}, "unknown_node", "tests[flooding].steps[0]"),
        ({"steps": [{"node": "route", "action": "x"}]}, "not_a_task", "tests[flooding].steps[0]"),
        (
            {"steps": [{"node": "triage", "action": "accept"}, {"node": "triage", "action": "x"}]},
            "unknown_action",
            "tests[flooding].steps[1].action",
        ),
        ({"data": {"ghost": 1}}, "unknown_field", "tests[flooding].data.ghost"),
    ],
)
def test_cross_checks_of_tests_name_the_step(change, code, path):
    bundle = {**_bundle("field_reports"), "tests": [{**VALID_TEST, **change}]}
    findings = validate_bundle(bundle)
    assert [(f.code, f.path) for f in findings] == [(code, path)]
    assert findings[0].params["test"] == "flooding"


def test_two_tests_with_one_key_are_refused():
    bundle = {**_bundle("field_reports"), "tests": [VALID_TEST, VALID_TEST]}
    assert [f.code for f in validate_bundle(bundle)] == ["duplicate_key"]


def test_a_workflow_layout_is_valid_and_ignored_by_the_engine():
    bundle = _bundle("field_reports")
    bundle["workflows"][0]["layout"] = {"nodes": {"triage": {"x": 10, "y": -20.5}}}
    assert validate_bundle(bundle) == []
    bundle["workflows"][0]["layout"] = {"nodes": {"triage": {"x": "10"}}}
    assert validate_bundle(bundle)


def test_each_step_completes_one_open_task_of_a_multi_instance_node():
    app = parse_bundle(_bundle("one_stop_permit"))
    steps = [
        SavedTestStep("check", "complete", {"reviewing_agencies": ["sxd", "stnmt"]}),
        SavedTestStep("reviews", "agree"),
        SavedTestStep("reviews", "agree"),
        SavedTestStep("approve", "refuse"),
    ]
    result = simulate(
        app.workflows["permit_flow"],
        {"district": "ninh_kieu"},
        steps,
        MONDAY,
        expect={"status": "completed", "end": "refused"},
    )
    assert result["ok"] is True, result
    assert [(t["node"], t["assignee"]["agency"], t["action"]) for t in result["tasks"]] == [
        ("check", "mot_cua", "complete"),
        ("reviews", "sxd", "agree"),
        ("reviews", "stnmt", "agree"),
        ("approve", "sxd", "refuse"),
    ]
    assert [effect["kind"] for effect in result["effects"]] == ["notify"]
    # A third review has no open task left.
    result = simulate(
        app.workflows["permit_flow"],
        {"district": "ninh_kieu"},
        [*steps[:3], SavedTestStep("reviews", "agree")],
        MONDAY,
    )
    assert [(e["code"], e["step"]) for e in result["errors"]] == [("task_not_open", 3)]
