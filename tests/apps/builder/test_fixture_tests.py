"""The sample apps' saved test cases (``fixtures/apps/*.json``, ``tests``): they pass on
the demo as loaded, ``load_demo`` publishes them, and a workflow change that breaks a path
they cover makes publishing refuse, naming the test that failed."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command

from apps.builder.models import App, AppVersion
from apps.builder.selectors import draft_of, draft_revision, latest_published, version_bundle
from apps.builder.services import app_publish, draft_definition_put
from apps.builder.simulation import run_draft_tests
from apps.core.errors import InvalidInput
from tests.apps.api.conftest import call, error_of, signed_in

FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "apps"
SAMPLE_APPS = ("field_reports", "one_stop_permit", "coordination")


def fixture_bundle(app_key: str) -> dict[str, Any]:
    return dict(json.loads((FIXTURES / f"{app_key}.json").read_text(encoding="utf-8")))


def fixture_tests(app_key: str) -> list[dict[str, Any]]:
    return list(fixture_bundle(app_key)["tests"])


# --------------------------------------------------------------------------- the fixture files


@pytest.mark.parametrize("app_key", SAMPLE_APPS)
def test_every_sample_app_has_a_few_bilingual_precise_test_cases(app_key: str) -> None:
    tests = fixture_tests(app_key)
    assert 2 <= len(tests) <= 4
    assert len({t["key"] for t in tests}) == len(tests)
    for test in tests:
        for text in ("label", "description"):
            assert test[text]["vi"].strip() and test[text]["en"].strip(), (test["key"], text)
            assert test[text]["vi"] != test[text]["en"], (test["key"], text)
        expect = test["expect"]
        assert expect["status"] in {"running", "completed", "terminated"}
        assert len(expect["visits"]) >= 2, test["key"]
        # A closed case also names the end it must reach.
        assert ("end" in expect) == (expect["status"] != "running"), test["key"]


# --------------------------------------------------------------------------- on the demo


@pytest.mark.parametrize("app_key", SAMPLE_APPS)
def test_every_saved_test_of_the_sample_apps_passes_through_the_run_all_endpoint(
    demo: None, app_key: str
) -> None:
    response = call(signed_in("xaydungapp"), "post", f"/api/v1/apps/{app_key}/tests/run/")
    assert response.status_code == 200, response.content
    body = response.json()
    tests = fixture_tests(app_key)
    assert [r["key"] for r in body["results"]] == [t["key"] for t in tests]
    for result, test in zip(body["results"], tests, strict=True):
        assert result["ok"] is True, result
        assert result["label"] == test["label"]["en"]
        run = result["result"]
        assert run["errors"] == []
        assert run["status"] == test["expect"]["status"]
        assert all(check["ok"] for check in run["expectations"])
        assert {check["what"] for check in run["expectations"]} == set(test["expect"])
        # Every scripted step completed its task with its action.
        done = [(task["node"], task["action"]) for task in run["tasks"] if task["action"]]
        assert done == [(step["node"], step["action"]) for step in test["steps"]]
    assert body["passed"] is True


def _result(app_key: str, test_key: str) -> dict[str, Any]:
    outcome = run_draft_tests(app=App.objects.get(key=app_key))
    assert outcome["passed"] is True, outcome
    return dict(next(r["result"] for r in outcome["results"] if r["key"] == test_key))


def _path(result: dict[str, Any]) -> list[str]:
    return [entry["node"] for entry in result["path"]]


def test_the_flooding_case_reaches_the_drainage_company(demo: None) -> None:
    result = _result("field_reports", "flooding_goes_to_drainage")
    assert _path(result) == ["start", "triage", "route", "handle_drainage", "resolved"]
    drainage = result["tasks"][1]["assignee"]
    assert (drainage["agency"], drainage["role"]) == ("ctn_cantho", "officer")


def test_the_district_case_is_assigned_by_the_district_rule(demo: None) -> None:
    result = _result("field_reports", "district_problem_goes_to_district")
    district = next(task for task in result["tasks"] if task["node"] == "handle_district")
    assert district["assignee"]["agency"] == "cai_rang"
    assert district["assignee"]["agency_name"]


def test_the_approved_permit_waits_for_the_fee_after_every_announcement(demo: None) -> None:
    result = _result("one_stop_permit", "complete_file_reviewed_and_approved")
    assert result["waiting"] == ["await_fee"]
    reviewers = [t["assignee"]["agency"] for t in result["tasks"] if t["node"] == "reviews"]
    assert reviewers == ["sxd", "sgtvt"]
    assert sorted(effect["kind"] for effect in result["effects"]) == [
        "notify",
        "start_workflow",
        "webhook",
    ]


def test_the_returned_permit_goes_back_to_the_applicant(demo: None) -> None:
    result = _result("one_stop_permit", "returned_for_completion_then_approved")
    give_back = next(task for task in result["tasks"] if task["node"] == "return_to_applicant")
    assert give_back["assignee"]["kind"] == "submitter"
    assert [t["node"] for t in result["tasks"]] == [
        "check",
        "return_to_applicant",
        "check",
        "approve",
    ]


def test_the_land_violation_waits_for_the_district_sub_process(demo: None) -> None:
    result = _result("coordination", "land_violation_handed_to_district")
    assert result["waiting"] == ["district_handling"]
    assert [effect["kind"] for effect in result["effects"]] == ["start_workflow"]


def test_the_traffic_case_informs_the_department_of_transport(demo: None) -> None:
    result = _result("coordination", "traffic_order_informs_transport")
    assert [effect["kind"] for effect in result["effects"]] == ["notify"]
    assert "sgtvt" in result["effects"][0]["summary"]


@pytest.mark.parametrize("app_key", SAMPLE_APPS)
def test_load_demo_publishes_the_saved_tests(demo: None, app_key: str) -> None:
    app = App.objects.get(key=app_key)
    published = latest_published(app)
    assert published is not None
    assert version_bundle(published)["tests"] == fixture_tests(app_key)
    assert version_bundle(draft_of(app))["tests"] == fixture_tests(app_key)
    # Loading again changes nothing: the tests are part of the published content.
    versions = AppVersion.objects.count()
    call_command("load_demo", verbosity=0)
    assert AppVersion.objects.count() == versions
    assert latest_published(app) == published


# --------------------------------------------------------------------------- broken workflows


def drainage_resolves_to_rejected(workflow: dict[str, Any]) -> None:
    """A slip in the editor: the drainage company's "resolved" leads to "rejected"."""
    for transition in workflow["transitions"]:
        if transition["from"] == "handle_drainage":
            transition["to"] = "rejected"


def refusal_and_unclaimed_ends_swapped(workflow: dict[str, Any]) -> None:
    """The two ends are swapped: telling the refusal leads to "unclaimed" (fee not paid in
    time) and the fee's timeout to "refused" (every step stays reachable)."""
    for transition in workflow["transitions"]:
        if transition["from"] == "tell_refused":
            transition["to"] = "unclaimed"
        if transition["from"] == "await_fee" and transition.get("timeout"):
            transition["to"] = "refused"


def transport_no_longer_informed(workflow: dict[str, Any]) -> None:
    """Traffic order cases are reported to the city instead of the Department of Transport."""
    for transition in workflow["transitions"]:
        if transition["from"] == "who_acts" and transition["to"] == "inform_transport":
            transition["to"] = "inform_city"
        elif transition["from"] == "who_acts" and transition.get("default"):
            transition["to"] = "inform_transport"


BREAKS: list[tuple[str, str, Callable[[dict[str, Any]], None], str, str]] = [
    (
        "field_reports",
        "field_report_flow",
        drainage_resolves_to_rejected,
        "flooding_goes_to_drainage",
        "expected end resolved, got rejected",
    ),
    (
        "one_stop_permit",
        "permit_flow",
        refusal_and_unclaimed_ends_swapped,
        "refused_after_review",
        "expected end refused, got unclaimed",
    ),
    (
        "coordination",
        "violation_flow",
        transport_no_longer_informed,
        "traffic_order_informs_transport",
        "expected visits",
    ),
]


@pytest.mark.parametrize(
    ("app_key", "workflow_key", "breaking", "test_key", "reason"),
    BREAKS,
    ids=[b[0] for b in BREAKS],
)
def test_a_broken_workflow_makes_publishing_refuse_naming_the_failing_test(
    demo: None,
    app_key: str,
    workflow_key: str,
    breaking: Callable[[dict[str, Any]], None],
    test_key: str,
    reason: str,
) -> None:
    app = App.objects.get(key=app_key)
    builder = signed_in("xaydungapp")
    draft = draft_of(app)
    workflow = copy.deepcopy(draft.definitions.get(kind="workflow", key=workflow_key).document)
    breaking(workflow)
    draft_definition_put(
        app=app,
        kind="workflow",
        key=workflow_key,
        document=workflow,
        user=None,
        revision=draft_revision(draft),
    )
    versions = app.versions.count()

    with pytest.raises(InvalidInput) as refused:
        app_publish(app=app, user=None)
    assert refused.value.code == "tests_failed"
    details = refused.value.details
    assert [(f["path"], f["params"]) for f in details] == [
        (f"tests[{test_key}]", {"test": test_key})
    ]
    label = next(t["label"] for t in fixture_tests(app_key) if t["key"] == test_key)
    assert label["vi"] in details[0]["message"] or label["en"] in details[0]["message"]
    assert app.versions.count() == versions

    # The same through the API, in English, with the reason.
    response = call(builder, "post", f"/api/v1/apps/{app_key}/publish/", {"note": "broken"})
    error = error_of(response, 400, "tests_failed")
    assert [f["path"] for f in error["details"]] == [f"tests[{test_key}]"]
    assert label["en"] in error["details"][0]["message"]
    assert reason in error["details"][0]["message"]
    run = call(builder, "post", f"/api/v1/apps/{app_key}/tests/run/").json()
    assert run["passed"] is False
    assert [r["key"] for r in run["results"] if not r["ok"]] == [test_key]
    assert app.versions.count() == versions
