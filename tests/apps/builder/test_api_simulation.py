"""Simulation, saved tests and the publishing gate, through the builder API on the real
database: the three demo apps run in memory through the real engine (nothing is written),
with their paths, assignees (named) and working-day deadlines."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

import pytest
from django.test import Client

from apps.builder.models import App, AppVersion, Definition
from apps.builder.selectors import draft_of, draft_revision
from apps.records.models import Record
from apps.runtime.models import EngineEvent, OutboxEntry, ProcessInstance, Task
from tests.apps.api.conftest import call, error_of, signed_in

#: A Friday morning in Can Tho (no public holiday near it).
FRIDAY = "2026-03-06T10:00:00+07:00"


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (Record, ProcessInstance, Task, OutboxEntry, EngineEvent, AppVersion)
    )


@pytest.fixture
def builder(demo: None) -> Client:
    return signed_in("xaydungapp")


def simulate(client: Client, app: str, body: Any) -> Any:
    return call(client, "post", f"/api/v1/apps/{app}/simulate/", body)


def _path(result: dict[str, Any]) -> list[str]:
    return [entry["node"] for entry in result["path"]]


def test_field_report_flooding_goes_to_the_drainage_company_and_writes_nothing(builder):
    before = _counts()
    body = {
        "workflow": "field_report_flow",
        "data": {"category": "flooding", "district": "ninh_kieu"},
        "steps": [
            {"node": "triage", "action": "accept"},
            {"node": "handle_drainage", "action": "resolve"},
        ],
        "expect": {"status": "completed", "end": "resolved", "visits": ["route"]},
        "now": FRIDAY,
    }
    response = simulate(builder, "field_reports", body)
    assert response.status_code == 200, response.content
    result = response.json()
    assert result["ok"] is True
    assert result["status"] == "completed"
    assert _path(result) == ["start", "triage", "route", "handle_drainage", "resolved"]
    assert result["path"][1] == {
        "node": "triage",
        "type": "human_task",
        "label": "Triage the report",
    }
    triage, drainage = result["tasks"]
    assert triage["assignee"] == {
        "kind": "agency_role",
        "agency": "ioc",
        "agency_name": triage["assignee"]["agency_name"],
        "role": "dispatcher",
        "role_name": triage["assignee"]["role_name"],
        "user": None,
    }
    assert triage["assignee"]["agency_name"] and triage["assignee"]["role_name"]
    assert (triage["action"], triage["actions"]) == ("accept", ["accept", "reject"])
    assert drainage["assignee"]["agency"] == "ctn_cantho"
    assert drainage["action"] == "resolve"
    assert result["waiting"] == [] and result["errors"] == []
    assert [e["ok"] for e in result["expectations"]] == [True, True, True]
    assert _counts() == before


def test_a_district_rule_assigns_the_district_computed_from_the_data(builder):
    body = {
        "workflow": "field_report_flow",
        "data": {"category": "other", "district": "ninh_kieu"},
        "steps": [{"node": "triage", "action": "accept"}],
    }
    result = simulate(builder, "field_reports", body).json()
    assert result["status"] == "running"
    assert result["waiting"] == ["handle_district"]
    district = result["tasks"][-1]
    assert district["node"] == "handle_district"
    assert district["assignee"]["agency"] == "ninh_kieu"
    assert district["assignee"]["agency_name"]
    assert district["action"] is None


def test_permit_deadlines_count_working_days_and_the_applicant_gets_the_return(builder):
    body = {
        "workflow": "permit_flow",
        "data": {"district": "ninh_kieu"},
        "steps": [
            {"node": "check", "action": "incomplete"},
            {"node": "return_to_applicant", "action": "resubmit"},
            {"node": "check", "action": "complete"},
            {"node": "approve", "action": "approve"},
        ],
        "expect": {"status": "running", "visits": ["number_permit", "announce"]},
        "now": FRIDAY,
    }
    result = simulate(builder, "one_stop_permit", body).json()
    assert result["ok"] is True, result
    assert result["waiting"] == ["await_fee"]
    nodes = [task["node"] for task in result["tasks"]]
    assert nodes == ["check", "return_to_applicant", "check", "approve"]
    check, give_back, _again, approve = result["tasks"]
    # Received Friday 10:00: P1D in working days ends with Monday's office hours, P2D
    # with Tuesday's (the weekend does not count).
    assert _at(check["due"]) == _at("2026-03-09T17:00:00+07:00")
    assert _at(approve["due"]) == _at("2026-03-10T17:00:00+07:00")
    assert give_back["assignee"]["kind"] == "submitter"
    assert give_back["due"] is None
    assert approve["assignee"]["agency"] == "sxd" and approve["assignee"]["role"] == "leader"
    kinds = sorted(effect["kind"] for effect in result["effects"])
    assert kinds == ["notify", "start_workflow", "webhook"]


def test_coordination_hands_traffic_order_to_transport_and_closes(builder):
    body = {
        "workflow": "violation_flow",
        "data": {"kind": "traffic_order", "district": "ninh_kieu"},
        "steps": [
            {"node": "assess", "action": "hand_off"},
            {"node": "conclude", "action": "close"},
        ],
        "expect": {"status": "completed", "end": "closed"},
    }
    result = simulate(builder, "coordination", body).json()
    assert result["ok"] is True, result
    assert _path(result) == [
        "start",
        "assess",
        "who_acts",
        "inform_transport",
        "gather",
        "conclude",
        "closed",
    ]
    assert [effect["kind"] for effect in result["effects"]] == ["notify"]
    assert all(task["assignee"]["agency"] == "stnmt" for task in result["tasks"])


def test_coordination_waits_for_the_district_sub_process(builder):
    body = {
        "workflow": "violation_flow",
        "data": {"kind": "land", "district": "ninh_kieu"},
        "steps": [{"node": "assess", "action": "hand_off"}],
        "expect": {"status": "completed"},
    }
    result = simulate(builder, "coordination", body).json()
    assert result["status"] == "running"
    assert result["waiting"] == ["district_handling"]
    assert result["ok"] is False
    assert result["expectations"] == [
        {"what": "status", "expected": "completed", "actual": "running", "ok": False}
    ]


def test_a_step_at_a_task_that_is_not_open_stops_with_an_error(builder):
    body = {
        "workflow": "field_report_flow",
        "data": {"category": "flooding"},
        "steps": [
            {"node": "handle_drainage", "action": "resolve"},
            {"node": "triage", "action": "accept"},
        ],
    }
    result = simulate(builder, "field_reports", body).json()
    assert result["ok"] is False and result["status"] == "failed"
    assert [(e["code"], e["step"]) for e in result["errors"]] == [("task_not_open", 0)]
    assert result["errors"][0]["message"]
    assert result["tasks"][0]["action"] is None  # the second step never ran


def test_an_action_the_task_does_not_have_is_an_error(builder):
    body = {
        "workflow": "field_report_flow",
        "data": {"category": "flooding"},
        "steps": [{"node": "triage", "action": "approve"}],
    }
    result = simulate(builder, "field_reports", body).json()
    assert [(e["code"], e["step"]) for e in result["errors"]] == [("unknown_action", 0)]


def test_a_field_the_task_may_not_change_is_refused_by_the_engine(builder):
    body = {
        "workflow": "field_report_flow",
        "data": {"category": "flooding"},
        "steps": [{"node": "triage", "action": "accept", "data": {"reporter_name": "X"}}],
    }
    result = simulate(builder, "field_reports", body).json()
    assert [e["code"] for e in result["errors"]] == ["field_not_editable"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"workflow": "field_report_flow", "steps": "triage"}, 400, "invalid_test"),
        ({"workflow": "field_report_flow", "steps": [], "data": [1]}, 400, "invalid_test"),
        ({"workflow": "field_report_flow", "steps": [{"node": "triage"}]}, 400, "invalid_test"),
        ({"workflow": "no_such_flow", "steps": []}, 400, "invalid_test"),
        ({"workflow": "field_report_flow", "steps": [], "extra": 1}, 400, "invalid_test"),
        ({"workflow": "field_report_flow", "steps": [], "now": "yesterday"}, 400, None),
        ({"workflow": "field_report_flow", "steps": [], "now": 10**400}, 400, None),
        ({"workflow": "field_report_flow", "steps": [], "data": {"x": "a\x00b"}}, 400, None),
        ({"test": 5}, 400, None),
        ({"test": "no_such_test"}, 404, "test_not_found"),
        ({"test": "x", "workflow": "field_report_flow"}, 400, None),
    ],
)
def test_bad_bodies_get_a_clear_400_or_404(builder, body, status, code):
    error_of(simulate(builder, "field_reports", body), status, code)


def test_huge_numbers_in_the_data_do_not_break_the_run(builder):
    body = {
        "workflow": "field_report_flow",
        "data": {"category": "flooding", "flood_depth_cm": 10**400},
        "steps": [],
    }
    response = simulate(builder, "field_reports", body)
    assert response.status_code == 200, response.content
    assert response.json()["waiting"] == ["triage"]


def test_body_that_is_not_an_object_is_refused(builder):
    error_of(call(builder, "post", "/api/v1/apps/field_reports/simulate/", [1, 2]), 400)


def test_others_get_404_and_anonymous_401(demo):
    body = {"workflow": "field_report_flow", "steps": []}
    error_of(simulate(signed_in("thoatnuoc"), "field_reports", body), 404, "app_not_found")
    error_of(simulate(signed_in("xaydungapp"), "no_such_app", body), 404, "app_not_found")
    error_of(simulate(Client(), "field_reports", body), 401)


def test_an_invalid_draft_is_refused_with_the_findings(builder):
    app = App.objects.get(key="field_reports")
    definition = draft_of(app).definitions.get(kind="workflow")
    document = copy.deepcopy(definition.document)
    document["transitions"] = [t for t in document["transitions"] if t.get("action") != "reject"]
    Definition.objects.filter(pk=definition.pk).update(document=document)
    body = {"workflow": "field_report_flow", "steps": []}
    error = error_of(simulate(builder, "field_reports", body), 400, "definition_invalid")
    assert any(finding["severity"] == "error" for finding in error["details"])


# --------------------------------------------------------------------------- saved tests

PASSING = {
    "schema_version": 1,
    "label": {"vi": "Ngập nước", "en": "Flooding"},
    "workflow": "field_report_flow",
    "data": {"category": "flooding", "district": "ninh_kieu"},
    "steps": [
        {"node": "triage", "action": "accept"},
        {"node": "handle_drainage", "action": "resolve"},
    ],
    "expect": {"status": "completed", "end": "resolved"},
}


def _revision() -> str:
    return draft_revision(draft_of(App.objects.get(key="field_reports")))


def save_test(client: Client, key: str, document: dict[str, Any]) -> Any:
    url = f"/api/v1/apps/field_reports/definitions/test/{key}/"
    return call(client, "put", url, {"document": document, "revision": _revision()})


def test_a_saved_test_is_a_definition_with_revisions(builder):
    response = save_test(builder, "flooding", PASSING)
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "test"
    listed = call(builder, "get", "/api/v1/apps/field_reports/definitions/").json()
    assert ("test", "flooding") in {(d["kind"], d["key"]) for d in listed["definitions"]}
    got = call(builder, "get", "/api/v1/apps/field_reports/definitions/test/flooding/")
    assert got.json()["document"]["steps"] == PASSING["steps"]
    result = simulate(builder, "field_reports", {"test": "flooding"}).json()
    assert result["ok"] is True and result["status"] == "completed"


def test_a_test_document_is_checked_against_its_schema(builder):
    response = save_test(builder, "broken", {**PASSING, "steps": [{"node": "triage"}]})
    error = error_of(response, 400)
    assert error["details"]
    response = save_test(builder, "broken", {**PASSING, "unknown": True})
    error_of(response, 400)


def test_run_all_tests_and_validate_report_the_failing_one(builder):
    save_test(builder, "flooding", PASSING)
    failing = {**PASSING, "label": {"vi": "Sai", "en": "Wrong"}, "expect": {"end": "rejected"}}
    assert save_test(builder, "wrong_end", failing).status_code == 201
    run = call(builder, "post", "/api/v1/apps/field_reports/tests/run/")
    assert run.status_code == 200, run.content
    body = run.json()
    assert body["passed"] is False
    by_key = {r["key"]: r for r in body["results"]}
    assert by_key["flooding"]["ok"] is True and by_key["flooding"]["label"] == "Flooding"
    assert by_key["wrong_end"]["ok"] is False
    assert by_key["wrong_end"]["result"]["expectations"][0]["actual"] == "resolved"
    validation = call(builder, "post", "/api/v1/apps/field_reports/validate/").json()
    assert validation["valid"] is False
    failed = [f for f in validation["findings"] if f["code"] == "test_failed"]
    assert failed == [
        {
            "code": "test_failed",
            "severity": "error",
            "message": failed[0]["message"],
            "path": "tests[wrong_end]",
            "params": {"test": "wrong_end"},
        }
    ]
    assert "Wrong" in failed[0]["message"]


def test_publishing_is_refused_while_a_test_fails_and_allowed_when_it_passes(builder):
    app = App.objects.get(key="field_reports")
    versions = app.versions.count()
    failing = {**PASSING, "expect": {"end": "rejected"}}
    save_test(builder, "flooding", failing)
    publish = call(builder, "post", "/api/v1/apps/field_reports/publish/", {"note": "x"})
    error = error_of(publish, 400, "tests_failed")
    assert [f["path"] for f in error["details"]] == ["tests[flooding]"]
    assert error["details"][0]["params"] == {"test": "flooding"}
    assert app.versions.count() == versions
    save_test(builder, "flooding", PASSING)
    publish = call(builder, "post", "/api/v1/apps/field_reports/publish/", {"note": "x"})
    assert publish.status_code == 201, publish.content
    version = app.versions.get(number=publish.json()["number"])
    assert version.definitions.filter(kind="test", key="flooding").exists()


def test_a_test_naming_an_unknown_node_is_a_finding_with_its_step(builder):
    steps = [{"node": "triage", "action": "accept"}, {"node": "nowhere", "action": "x"}]
    bad = {**PASSING, "steps": steps}
    save_test(builder, "bad_node", bad)
    findings = call(builder, "post", "/api/v1/apps/field_reports/validate/").json()["findings"]
    assert [(f["code"], f["path"]) for f in findings if f["path"].startswith("tests")] == [
        ("unknown_node", "tests[bad_node].steps[1]")
    ]
    run = call(builder, "post", "/api/v1/apps/field_reports/tests/run/").json()
    assert run["passed"] is False
    # The sample app's own saved tests come first and pass.
    bad_node = next(r for r in run["results"] if r["key"] == "bad_node")
    assert [r["key"] for r in run["results"] if not r["ok"]] == ["bad_node"]
    assert bad_node["result"]["errors"][0]["code"] == "unknown_node"
    assert bad_node["result"]["errors"][0]["step"] == 1


def test_running_tests_on_an_app_without_tests_passes(builder):
    # The sample app has saved tests; take them out of its draft.
    draft_of(App.objects.get(key="coordination")).definitions.filter(kind="test").delete()
    body = call(builder, "post", "/api/v1/apps/coordination/tests/run/").json()
    assert body == {"passed": True, "results": []}


def test_run_tests_refused_to_others(demo):
    error_of(call(signed_in("congdan"), "post", "/api/v1/apps/field_reports/tests/run/"), 404)
