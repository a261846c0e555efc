"""Builder API: creating apps, editing the draft with optimistic concurrency, validating,
publishing, versions, diffs, export and import. Refusals change nothing."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from guardian.shortcuts import assign_perm

from apps.accounts.models import User
from apps.accounts.permissions import BUILD_APP
from apps.builder.models import App, AppVersion, Definition
from apps.builder.selectors import draft_of, draft_revision
from apps.builder.services import bundle_export

from .conftest import call, error_of, signed_in

APP = "/api/v1/apps/field_reports/"
FORM = APP + "definitions/form/citizen_report/"


def _counts() -> tuple[int, ...]:
    return (App.objects.count(), AppVersion.objects.count(), Definition.objects.count())


@pytest.fixture
def builder(demo: None) -> Client:
    return signed_in("xaydungapp")


def _draft(client: Client) -> dict[str, Any]:
    response = call(client, "get", APP)
    assert response.status_code == 200, response.content
    assert response["ETag"] == f'"{response.json()["draft"]["revision"]}"'
    return dict(response.json())


def _form(client: Client) -> tuple[dict[str, Any], str]:
    response = call(client, "get", FORM)
    assert response.status_code == 200, response.content
    return response.json()["document"], response.json()["revision"]


# --------------------------------------------------------------------------- apps


def test_a_builder_creates_an_app_and_may_then_build_it(builder: Client) -> None:
    body = {"key": "cap_phep_quang_cao", "label": {"vi": "Cấp phép quảng cáo", "en": "Ads"}}
    response = call(builder, "post", "/api/v1/apps/", body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["key"] == "cap_phep_quang_cao"
    assert [v["status"] for v in created["versions"]] == ["draft"]
    detail = call(builder, "get", "/api/v1/apps/cap_phep_quang_cao/").json()
    assert detail["draft"]["definitions"] == []
    assert detail["can_publish"] is True
    keys = [app["key"] for app in call(builder, "get", "/api/v1/apps/").json()["results"]]
    assert "cap_phep_quang_cao" in keys


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"key": "field_reports", "label": {"vi": "Trùng"}}, 409, "app_exists"),
        ({"key": "import", "label": {"vi": "Nhập"}}, 400, "reserved_key"),
        ({"key": "có dấu", "label": {"vi": "X"}}, 400, "invalid_input"),
        ({"key": "no_label"}, 400, "invalid_input"),
        ({"key": "x", "label": "not an object"}, 400, "invalid_input"),
        (["key"], 400, "invalid_body"),
    ],
)
def test_invalid_or_duplicate_apps_are_refused(
    builder: Client, body: Any, status: int, code: str
) -> None:
    before = _counts()
    error_of(call(builder, "post", "/api/v1/apps/", body), status, code)
    assert _counts() == before


@pytest.mark.parametrize("username", ["thoatnuoc", "congdan", "lanhdao_sxd"])
def test_people_who_are_not_builders_cannot_create_apps(demo: None, username: str) -> None:
    before = _counts()
    body = {"key": "new_app", "label": {"vi": "Mới"}}
    error_of(call(signed_in(username), "post", "/api/v1/apps/", body), 403)
    assert _counts() == before


def test_an_app_shows_its_draft_definitions_and_versions(builder: Client) -> None:
    detail = _draft(builder)
    assert detail["key"] == "field_reports"
    kinds = {(d["kind"], d["key"]) for d in detail["draft"]["definitions"]}
    assert kinds == {
        ("entity", "field_report"),
        ("form", "citizen_report"),
        ("workflow", "field_report_flow"),
        # The sample app's saved test cases.
        ("test", "flooding_goes_to_drainage"),
        ("test", "district_problem_goes_to_district"),
        ("test", "triage_corrects_the_category"),
        ("test", "report_rejected"),
    }
    assert [v["status"] for v in detail["versions"]] == ["draft", "published"]
    listing = call(builder, "get", APP + "definitions/").json()
    assert listing["revision"] == detail["draft"]["revision"]
    assert {(d["kind"], d["key"]) for d in listing["definitions"]} == kinds


# --------------------------------------------------------------------------- the draft


def test_saving_a_definition_with_the_current_revision_gives_a_new_revision(
    builder: Client,
) -> None:
    document, revision = _form(builder)
    document["label"] = {"vi": "Gửi phản ánh", "en": "Send a report"}
    response = call(builder, "put", FORM, {"document": document, "revision": revision})
    assert response.status_code == 200, response.content
    assert response.json()["document"]["label"]["en"] == "Send a report"
    new_revision = response.json()["revision"]
    assert new_revision != revision
    assert response["ETag"] == f'"{new_revision}"'
    assert draft_revision(draft_of(App.objects.get(key="field_reports"))) == new_revision
    # The published version is untouched.
    published = App.objects.get(key="field_reports").versions.get(number=1)
    form = published.definitions.get(kind="form", key="citizen_report")
    assert form.document["label"]["en"] != "Send a report"


def test_a_save_from_a_stale_revision_is_refused_and_changes_nothing(builder: Client) -> None:
    document, revision = _form(builder)
    first = {**document, "label": {"vi": "Người thứ nhất"}}
    assert call(builder, "put", FORM, {"document": first, "revision": revision}).status_code == 200
    second = {**document, "label": {"vi": "Người thứ hai"}}
    error = error_of(
        call(builder, "put", FORM, {"document": second, "revision": revision}),
        409,
        "stale_revision",
    )
    assert error["message"].startswith("The draft has changed since you loaded it")
    current, current_revision = _form(builder)
    assert current["label"] == {"vi": "Người thứ nhất"}
    assert error["details"] == {"revision": current_revision}


def test_the_revision_may_come_in_the_if_match_header(builder: Client) -> None:
    document, revision = _form(builder)
    document["label"] = {"vi": "Theo ETag"}
    response = call(builder, "put", FORM, {"document": document}, HTTP_IF_MATCH=f'"{revision}"')
    assert response.status_code == 200, response.content
    stale = call(builder, "put", FORM, {"document": document}, HTTP_IF_MATCH=f'"{revision}"')
    error_of(stale, 409, "stale_revision")


def test_a_save_without_a_revision_is_refused(builder: Client) -> None:
    document, _revision = _form(builder)
    before = _counts()
    error_of(call(builder, "put", FORM, {"document": document}), 428, "revision_required")
    assert _counts() == before


def test_a_new_definition_is_created_with_201(builder: Client) -> None:
    document, revision = _form(builder)
    document = {**document, "key": "staff_report", "audience": "staff"}
    url = APP + "definitions/form/staff_report/"
    response = call(builder, "put", url, {"document": document, "revision": revision})
    assert response.status_code == 201, response.content
    assert call(builder, "get", url).json()["document"]["audience"] == "staff"


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"key": "another_key"}, 400, "key_mismatch"),
        ({"entity": 42}, 400, "definition_invalid"),
        ({"steps": "none"}, 400, "definition_invalid"),
    ],
)
def test_invalid_definitions_are_refused_with_their_findings(
    builder: Client, change: dict[str, Any], status: int, code: str
) -> None:
    document, revision = _form(builder)
    before = _counts()
    response = call(
        builder, "put", FORM, {"document": {**document, **change}, "revision": revision}
    )
    error = error_of(response, status, code)
    if code == "definition_invalid":
        assert error["details"] and all("path" in finding for finding in error["details"])
    assert _form(builder) == (document, revision)
    assert _counts() == before


def test_deleting_a_definition_needs_the_revision(builder: Client) -> None:
    revision = _draft(builder)["draft"]["revision"]
    error_of(call(builder, "delete", FORM), 428, "revision_required")
    error_of(call(builder, "delete", FORM + "?revision=stale"), 409, "stale_revision")
    response = call(builder, "delete", FORM + f"?revision={revision}")
    assert response.status_code == 200, response.content
    assert "citizen_report" not in {d["key"] for d in response.json()["definitions"]}
    error_of(call(builder, "get", FORM), 404, "definition_not_found")
    error_of(
        call(builder, "delete", FORM, HTTP_IF_MATCH=response.json()["revision"]),
        404,
        "definition_not_found",
    )


def test_unknown_kinds_and_keys_are_not_found(builder: Client) -> None:
    error_of(call(builder, "get", APP + "definitions/report/citizen_report/"), 404, "not_found")
    error_of(call(builder, "get", APP + "definitions/form/nothing/"), 404, "definition_not_found")
    error_of(call(builder, "get", "/api/v1/apps/nothing/"), 404, "app_not_found")


# --------------------------------------------------------------------------- validate, publish


def _break_the_workflow(client: Client) -> str:
    """Point the triage's routing at a node that does not exist; returns the revision."""
    url = APP + "definitions/workflow/field_report_flow/"
    body = call(client, "get", url).json()
    document = copy.deepcopy(body["document"])
    document["nodes"] = [n for n in document["nodes"] if n["id"] != "rejected"]
    response = call(client, "put", url, {"document": document, "revision": body["revision"]})
    if response.status_code == 200:
        return str(response.json()["revision"])
    # The schema check refused it already: break it across definitions instead.
    document = copy.deepcopy(body["document"])
    document["entity"] = "no_such_entity"
    response = call(client, "put", url, {"document": document, "revision": body["revision"]})
    assert response.status_code == 200, response.content
    return str(response.json()["revision"])


def test_validate_returns_every_finding_and_publish_refuses_errors(builder: Client) -> None:
    clean = call(builder, "post", APP + "validate/")
    assert clean.status_code == 200, clean.content
    assert clean.json()["valid"] is True
    assert not [f for f in clean.json()["findings"] if f["severity"] == "error"]

    revision = _break_the_workflow(builder)
    result = call(builder, "post", APP + "validate/").json()
    assert result["valid"] is False
    assert result["revision"] == revision
    assert any(f["severity"] == "error" for f in result["findings"])

    before = _counts()
    error = error_of(call(builder, "post", APP + "publish/", {"note": "x"}), 400)
    assert error["details"] and all(f["severity"] == "error" for f in error["details"])
    assert _counts() == before


def test_publishing_freezes_the_draft_as_the_next_version(builder: Client) -> None:
    document, revision = _form(builder)
    document["label"] = {"vi": "Phiên bản 2"}
    revision = call(builder, "put", FORM, {"document": document, "revision": revision}).json()[
        "revision"
    ]
    error_of(
        call(builder, "post", APP + "publish/", {"note": "x", "revision": "stale"}),
        409,
        "stale_revision",
    )
    response = call(builder, "post", APP + "publish/", {"note": "Đổi nhãn", "revision": revision})
    assert response.status_code == 201, response.content
    assert response.json()["number"] == 2
    assert response.json()["note"] == "Đổi nhãn"
    versions = call(builder, "get", APP + "versions/").json()["results"]
    assert [v["number"] for v in versions] == [2, 1]
    v2 = call(builder, "get", APP + "versions/2/").json()
    form = next(d for d in v2["definitions"] if d["key"] == "citizen_report")
    assert form["document"]["label"] == {"vi": "Phiên bản 2"}
    error_of(call(builder, "get", APP + "versions/9/"), 404, "version_not_found")


def test_a_builder_without_the_publish_permission_cannot_publish(demo: None) -> None:
    editor = User.objects.create_user(username="bientap", password="x")
    assign_perm(BUILD_APP, editor, App.objects.get(key="field_reports"))
    client = signed_in("bientap")
    assert call(client, "get", APP).json()["can_publish"] is False
    before = _counts()
    error_of(call(client, "post", APP + "publish/", {"note": "x"}), 403)
    assert _counts() == before


# --------------------------------------------------------------------------- diff


def test_the_diff_names_changed_definitions_and_keys(builder: Client) -> None:
    document, revision = _form(builder)
    document["label"] = {**document["label"], "en": "Report a problem now"}
    call(builder, "put", FORM, {"document": document, "revision": revision})
    diff = call(builder, "get", APP + "diff/", {"from": "1", "to": "draft"}).json()
    assert diff["from_version"] == "1" and diff["to_version"] == "draft"
    assert diff["added"] == diff["removed"] == []
    [changed] = diff["changed"]
    assert (changed["kind"], changed["key"]) == ("form", "citizen_report")
    assert [c["path"] for c in changed["changed"]] == ["label.en"]
    assert changed["changed"][0]["after"] == "Report a problem now"
    same = call(builder, "get", APP + "diff/", {"from": "1", "to": "1"}).json()
    assert same["changed"] == []


@pytest.mark.parametrize(
    ("query", "status"),
    [({"to": "draft"}, 400), ({"from": "abc", "to": "1"}, 400), ({"from": "7", "to": "1"}, 404)],
)
def test_a_diff_needs_two_versions(builder: Client, query: dict[str, str], status: int) -> None:
    error_of(call(builder, "get", APP + "diff/", query), status)


# --------------------------------------------------------------------------- export, import


def test_export_gives_the_bundle_as_a_file(builder: Client) -> None:
    response = call(builder, "get", APP + "export/")
    assert response.status_code == 200, response.content
    assert response["Content-Disposition"] == 'attachment; filename="field_reports-v1.json"'
    bundle = response.json()
    assert bundle["app"]["key"] == "field_reports"
    assert bundle["source"]["version"] == 1
    draft = call(builder, "get", APP + "export/", {"version": "draft"})
    assert draft["Content-Disposition"] == 'attachment; filename="field_reports-draft.json"'
    error_of(call(builder, "get", APP + "export/", {"version": "x"}), 400)


def _exported(label: str | None = None) -> dict[str, Any]:
    bundle = bundle_export(app=App.objects.get(key="field_reports"))
    if label:
        bundle["app"]["label"] = {"vi": label}
    return bundle


def test_importing_the_same_bundle_changes_nothing(builder: Client) -> None:
    before = _counts()
    response = call(builder, "post", "/api/v1/apps/import/", _exported())
    assert response.status_code == 200, response.content
    assert response.json()["changed"] is False
    assert response.json()["version"]["number"] == 1
    assert _counts() == before


def test_importing_a_changed_bundle_file_publishes_it(builder: Client) -> None:
    upload = SimpleUploadedFile(
        "field_reports.json",
        json.dumps(_exported("Phản ánh (nhập)"), ensure_ascii=False).encode(),
        content_type="application/json",
    )
    response = builder.post(
        "/api/v1/apps/import/",
        {"file": upload, "note": "Từ máy chủ thử"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 201, response.content
    assert response.json()["changed"] is True
    assert response.json()["version"]["number"] == 2
    assert AppVersion.objects.get(app__key="field_reports", number=2).note == "Từ máy chủ thử"


def test_importing_into_the_draft_only(builder: Client) -> None:
    response = call(builder, "post", "/api/v1/apps/import/?publish=false", _exported("Bản nháp"))
    assert response.status_code == 201, response.content
    assert response.json()["version"] is None
    assert draft_of(App.objects.get(key="field_reports")).label == {"vi": "Bản nháp"}


@pytest.mark.parametrize(
    ("make", "status"),
    [
        (lambda: {**_exported(), "entities": "none"}, 400),
        (lambda: {**_exported(), "app": {"key": "field_reports"}}, 400),
        (lambda: [1, 2], 400),
    ],
    ids=["entities-not-a-list", "no-label", "not-an-object"],
)
def test_invalid_bundles_are_refused_and_change_nothing(
    builder: Client, make: Any, status: int
) -> None:
    before = _counts()
    error_of(call(builder, "post", "/api/v1/apps/import/", make()), status)
    assert _counts() == before


def test_an_import_file_that_is_not_json_is_refused(builder: Client) -> None:
    before = _counts()
    upload = SimpleUploadedFile("x.json", b"{not json", content_type="application/json")
    response = builder.post("/api/v1/apps/import/", {"file": upload}, HTTP_ACCEPT_LANGUAGE="en")
    error_of(response, 400, "parse_error")
    missing = builder.post("/api/v1/apps/import/", {"note": "x"}, HTTP_ACCEPT_LANGUAGE="en")
    error_of(missing, 400, "invalid_input")
    assert _counts() == before


def test_only_builders_of_an_app_import_into_it(demo: None, other_builder: User) -> None:
    before = _counts()
    error_of(
        call(signed_in("xaydung_cayxanh"), "post", "/api/v1/apps/import/", _exported("X")), 403
    )
    error_of(call(signed_in("congdan"), "post", "/api/v1/apps/import/", _exported("X")), 403)
    assert _counts() == before
