"""The builder's tools through the API, on the real database: the node palette, where a
field is used, restoring a published version into the draft (and rolling back by
publishing it), running cases per version, the citizen form preview, importing bundles
with saved tests."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.builder.models import App
from apps.builder.selectors import draft_of, draft_revision
from apps.builder.services import bundle_export
from tests.apps.api.conftest import call, error_of, signed_in
from workflows import nodes

APP = "/api/v1/apps/field_reports/"


@pytest.fixture
def builder(demo: None) -> Client:
    return signed_in("xaydungapp")


def _app() -> App:
    return App.objects.get(key="field_reports")


def _revision() -> str:
    return draft_revision(draft_of(_app()))


# --------------------------------------------------------------------------- palette


def test_the_palette_lists_every_registered_node_type_sorted(demo):
    response = call(signed_in("congdan"), "get", "/api/v1/node-types/")
    assert response.status_code == 200, response.content
    palette = response.json()
    assert {entry["type"] for entry in palette} == set(nodes.names())
    assert palette == sorted(palette, key=lambda e: (e["group"], e["type"]))
    task = next(entry for entry in palette if entry["type"] == "human_task")
    assert set(task) == {
        "type",
        "label",
        "description",
        "group",
        "config_schema",
        "transition_keys",
        "terminal",
    }
    assert task["group"] == "task" and task["transition_keys"] == ["action"]
    assert task["description"]["vi"] and task["description"]["en"]
    assert "assignment" in task["config_schema"]["properties"]
    end = next(entry for entry in palette if entry["type"] == "end")
    assert end["terminal"] is True


def test_the_palette_needs_a_sign_in(demo):
    error_of(call(Client(), "get", "/api/v1/node-types/"), 401)


# --------------------------------------------------------------------------- usages


def _usages(client: Client, **query: str) -> Any:
    return call(client, "get", APP + "usages/", query)


def test_usages_find_a_field_in_forms_rules_tasks_and_open311(builder):
    response = _usages(builder, entity="field_report", field="category")
    assert response.status_code == 200, response.content
    found = {(u["kind"], u["key"], u["path"]) for u in response.json()}
    assert ("form", "citizen_report", "steps[problem].fields[category]") in found
    assert ("workflow", "field_report_flow", "nodes[triage].form.fields") in found
    conditions = {p for kind, _key, p in found if kind == "workflow" and "condition" in p}
    assert conditions == {"transitions[3].condition", "transitions[4].condition",
                          "transitions[5].condition"}  # fmt: skip
    location = _usages(builder, entity="field_report", field="location").json()
    assert {"kind": "app", "key": "field_reports",
            "path": "open311.services[field_report].field_map.location"} in location  # fmt: skip


def test_usages_find_a_rule_on_a_part_of_a_field_and_saved_tests(builder):
    workflow = copy.deepcopy(draft_of(_app()).definitions.get(kind="workflow").document)
    transition = next(t for t in workflow["transitions"] if t.get("default"))
    transition.pop("default")
    transition["condition"] = {"!!": [{"var": "location.address"}]}
    workflow["transitions"].append({"from": "route", "to": "handle_district", "default": True})
    url = APP + "definitions/workflow/field_report_flow/"
    saved = call(builder, "put", url, {"document": workflow, "revision": _revision()})
    assert saved.status_code == 200, saved.content
    test = {
        "schema_version": 1,
        "label": {"vi": "Thử"},
        "workflow": "field_report_flow",
        "data": {"location": {"address": "x"}},
        "steps": [{"node": "triage", "action": "accept"}],
    }
    url = APP + "definitions/test/address/"
    assert call(builder, "put", url, {"document": test, "revision": _revision()}).status_code == 201
    found = {(u["kind"], u["key"], u["path"]) for u in
             _usages(builder, entity="field_report", field="location").json()}  # fmt: skip
    assert ("workflow", "field_report_flow", "transitions[6].condition") in found
    assert ("test", "address", "data.location") in found


def test_usages_of_an_unused_field_or_another_entity_are_empty(builder):
    assert _usages(builder, entity="field_report", field="no_such_field").json() == []
    assert _usages(builder, entity="other_entity", field="category").json() == []


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"entity": "field_report"},
        {"entity": "Bad Key", "field": "x"},
        {"entity": "field_report", "field": "a\x00b"},
    ],  # fmt: skip
)
def test_usages_refuse_bad_queries(builder, query):
    error_of(_usages(builder, **query), 400)


def test_usages_are_not_shown_to_others(demo):
    error_of(_usages(signed_in("thoatnuoc"), entity="field_report", field="category"), 404)


# --------------------------------------------------------------------------- restore


def _label_draft(client: Client, label: dict[str, str]) -> None:
    entity = copy.deepcopy(draft_of(_app()).definitions.get(kind="entity").document)
    entity["label"] = label
    url = APP + "definitions/entity/field_report/"
    response = call(client, "put", url, {"document": entity, "revision": _revision()})
    assert response.status_code == 200, response.content


def _publish(client: Client) -> int:
    response = call(client, "post", APP + "publish/", {"note": "next"})
    assert response.status_code == 201, response.content
    return int(response.json()["number"])


def _entity_label(number: int | None = None) -> dict[str, str]:
    app = _app()
    version = draft_of(app) if number is None else app.versions.get(number=number)
    return dict(version.definitions.get(kind="entity").document["label"])


def test_restore_then_publish_rolls_back(builder):
    first = _app().versions.filter(status="published").order_by("number").first()
    assert first is not None
    original = _entity_label(first.number)
    _label_draft(builder, {"vi": "Mới", "en": "New"})
    newer = _publish(builder)
    assert _entity_label(newer) == {"vi": "Mới", "en": "New"}

    url = f"{APP}versions/{first.number}/restore/"
    response = call(builder, "post", url, {"revision": _revision()})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["key"] == "field_reports"
    assert body["draft"]["revision"] == _revision() == response["ETag"].strip('"')
    assert _entity_label() == original
    rolled = _publish(builder)
    assert rolled == newer + 1
    assert _entity_label(rolled) == original
    assert _app().versions.get(number=rolled).content_hash == first.content_hash


def test_restore_needs_the_current_revision(builder):
    url = f"{APP}versions/1/restore/"
    error_of(call(builder, "post", url), 428)
    error_of(call(builder, "post", url, {"revision": "stale"}), 409, "stale_revision")
    response = call(builder, "post", url, HTTP_IF_MATCH=f'"{_revision()}"')
    assert response.status_code == 200, response.content


def test_restore_refuses_unknown_versions_apps_and_other_people(builder):
    body = {"revision": _revision()}
    error_of(call(builder, "post", f"{APP}versions/99/restore/", body), 404, "version_not_found")
    error_of(call(builder, "post", "/api/v1/apps/nope/versions/1/restore/", body), 404)
    error_of(call(signed_in("thoatnuoc"), "post", f"{APP}versions/1/restore/", body), 404)
    error_of(call(builder, "post", f"{APP}versions/1/restore/", {"revision": ["x"]}), 400)
    error_of(call(builder, "post", f"{APP}versions/1/restore/", {"revision": 5}), 409)


# --------------------------------------------------------------------------- running cases


def test_versions_count_their_running_cases_without_a_query_each(builder, submit_report):
    submit_report()
    submit_report(category="pothole")
    listed = call(builder, "get", APP + "versions/").json()["results"]
    latest = listed[0]
    assert latest["running_cases"] == 2
    detail = call(builder, "get", APP).json()
    assert detail["versions"][0]["status"] == "draft"
    assert detail["versions"][0]["running_cases"] == 0
    assert detail["versions"][1]["running_cases"] == 2
    with CaptureQueriesContext(connection) as few:
        call(builder, "get", "/api/v1/apps/")
    _publish(builder)
    _label_draft(builder, {"vi": "Khác"})
    _publish(builder)
    with CaptureQueriesContext(connection) as more:
        listed = call(builder, "get", "/api/v1/apps/").json()
    assert len(more.captured_queries) == len(few.captured_queries)
    apps = listed["results"] if isinstance(listed, dict) else listed
    reports = next(a for a in apps if a["key"] == "field_reports")
    assert [v["running_cases"] for v in reports["versions"]][:2] == [0, 0]
    assert sum(v["running_cases"] for v in reports["versions"]) == 2


# --------------------------------------------------------------------------- preview


def _form_and_entity() -> tuple[dict[str, Any], dict[str, Any]]:
    draft = draft_of(_app())
    form = copy.deepcopy(draft.definitions.get(kind="form").document)
    entity = copy.deepcopy(draft.definitions.get(kind="entity").document)
    return form, entity


def preview(client: Client, body: Any) -> Any:
    return call(client, "post", APP + "preview/", body)


def test_preview_draws_the_portal_form_with_rules_and_no_way_to_send(builder):
    form, entity = _form_and_entity()
    response = preview(builder, {"form": form, "data": {"description": "Nước ngập"}})
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "data-preview-banner" in html
    assert 'data-field="category"' in html and "data-visible-if=" in html
    assert 'src="/static/' in html and 'href="/static/' in html
    assert "Nước ngập" in html
    category = next(f for f in entity["fields"] if f["key"] == "category")
    assert category["label"]["en"] in html  # the request is in English
    assert re.search(r"<button[^>]*type=\"submit\"[^>]*disabled", html)
    assert '<form class="portal-form"' in html
    assert 'method="post" action=' not in html
    for step in form["steps"]:
        assert f'data-step="{step["key"]}"' in html


def test_preview_escapes_html_in_labels(builder):
    form, entity = _form_and_entity()
    entity["fields"][0]["label"] = {"vi": "<b>x</b>", "en": "<script>alert(1)</script>"}
    form["label"] = {"vi": "<img src=x onerror=alert(2)>"}
    response = preview(builder, {"form": form, "entity": entity})
    assert response.status_code == 200, response.content
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)" in html
    assert "<img src=x" not in html


@pytest.mark.parametrize(
    "change",
    ["no_form", "form_list", "bad_form", "unknown_field", "bad_entity", "data_list", "nul"],
)
def test_preview_refuses_invalid_documents(builder, change):
    form, entity = _form_and_entity()
    body: Any = {"form": form}
    if change == "no_form":
        body = {"data": {}}
    elif change == "form_list":
        body = {"form": [1]}
    elif change == "bad_form":
        body = {"form": {**form, "steps": "x"}}
    elif change == "unknown_field":
        form["steps"][0]["fields"].append({"field": "no_such_field"})
    elif change == "bad_entity":
        body["entity"] = {**entity, "fields": 3}
    elif change == "data_list":
        body["data"] = [1]
    elif change == "nul":
        form["label"] = {"vi": "a\x00b"}
    error_of(preview(builder, body), 400)


def test_preview_of_a_form_on_an_unknown_entity_is_refused(builder):
    form, _entity = _form_and_entity()
    error_of(preview(builder, {"form": {**form, "entity": "ghost"}}), 400, "unknown_entity")


def test_preview_is_not_for_others(demo):
    form, _entity = _form_and_entity()
    error_of(preview(signed_in("congdan"), {"form": form}), 404)


# --------------------------------------------------------------------------- import


def test_import_runs_the_saved_tests(builder):
    bundle = bundle_export(app=_app())
    bundle["app"]["label"] = {"vi": "Phản ánh (mới)"}
    test = {
        "schema_version": 1,
        "key": "flooding",
        "label": {"vi": "Ngập"},
        "workflow": "field_report_flow",
        "data": {"category": "flooding"},
        "steps": [{"node": "triage", "action": "accept"}],
        "expect": {"status": "completed"},
    }
    bundle["tests"] = [test]
    refused = call(builder, "post", "/api/v1/apps/import/", bundle)
    error = error_of(refused, 400, "tests_failed")
    assert error["details"][0]["path"] == "tests[flooding]"
    bundle["tests"] = [{**test, "expect": {"status": "running"}}]
    imported = call(builder, "post", "/api/v1/apps/import/", bundle)
    assert imported.status_code == 201, imported.content
    exported = call(builder, "get", APP + "export/").json()
    assert exported["tests"] == bundle["tests"]
