"""The builder's use cases: editing drafts, publishing, versions, permissions, hashes."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from apps.accounts.models import User
from apps.builder.models import App, AppVersion, Definition
from apps.builder.selectors import draft_of, latest_published, version_bundle
from apps.builder.services import app_create, app_publish, bundle_import, definition_save
from apps.core.errors import InvalidInput, NotAllowed
from apps.runtime.models import Event
from apps.runtime.services import task_complete
from workflows.definition import content_hash

FIELD_REPORTS = Path(settings.BASE_DIR) / "fixtures" / "apps" / "field_reports.json"
V1_TRIAGE = {"vi": "Phân loại phản ánh", "en": "Triage the report"}
V1_DRAINAGE = {"vi": "Xử lý ngập nước", "en": "Handle flooding"}
V2_TRIAGE = {"vi": "Tiếp nhận và phân loại", "en": "Receive and triage"}
V2_DRAINAGE = {"vi": "Bơm thoát nước", "en": "Pump the water away"}


@pytest.fixture
def app(demo: None) -> App:
    return App.objects.get(key="field_reports")


@pytest.fixture
def builder(user: Any) -> User:
    """The demo app builder, who holds build and publish permissions on field_reports."""
    return user("xaydungapp")


def draft_document(app: App, kind: str) -> dict[str, Any]:
    return copy.deepcopy(draft_of(app).definitions.get(kind=kind).document)


def node(workflow: dict[str, Any], node_id: str) -> dict[str, Any]:
    return next(n for n in workflow["nodes"] if n["id"] == node_id)


def stored(version: AppVersion) -> list[tuple[str, str, str]]:
    return list(version.definitions.values_list("kind", "key", "content_hash").order_by("kind"))


def test_publishing_refuses_a_draft_with_an_action_that_leads_nowhere(app, builder):
    published = latest_published(app)
    definitions_before = stored(published)
    workflow = draft_document(app, "workflow")
    workflow["transitions"] = [t for t in workflow["transitions"] if t.get("action") != "reject"]
    definition_save(app=app, kind="workflow", document=workflow, user=builder)

    with pytest.raises(InvalidInput) as refused:
        app_publish(app=app, user=builder, note="drop the reject branch")

    assert refused.value.code == "definition_invalid"
    assert [(f["code"], f["path"], f["message"]) for f in refused.value.details] == [
        (
            "action_without_transition",
            "workflows/field_report_flow/nodes/triage",
            "action 'reject' of task 'triage' leads nowhere",
        )
    ]
    assert list(app.versions.filter(status="published").values_list("number", flat=True)) == [1]
    assert latest_published(app).content_hash == published.content_hash
    assert stored(latest_published(app)) == definitions_before


def test_publishing_a_valid_draft_freezes_it_as_the_next_version(app, builder):
    workflow = draft_document(app, "workflow")
    node(workflow, "triage")["label"] = V2_TRIAGE
    definition_save(app=app, kind="workflow", document=workflow, user=builder)

    version = app_publish(app=app, user=builder, note="new task name")

    assert (version.number, version.status, version.note) == (2, "published", "new task name")
    assert version.published_by == builder
    assert version.content_hash == content_hash(version_bundle(version))
    frozen = version.definitions.get(kind="workflow").document
    assert node(frozen, "triage")["label"] == V2_TRIAGE
    first = app.versions.get(number=1).definitions.get(kind="workflow").document
    assert node(first, "triage")["label"] == V1_TRIAGE


def test_a_running_case_stays_on_the_version_it_started_on(app, builder, user, submit_report):
    first = submit_report()
    workflow = draft_document(app, "workflow")
    node(workflow, "triage")["label"] = V2_TRIAGE
    node(workflow, "handle_drainage")["label"] = V2_DRAINAGE
    definition_save(app=app, kind="workflow", document=workflow, user=builder)
    v2 = app_publish(app=app, user=builder)

    triage = first.record.instance.tasks.get(node_id="triage")
    task_complete(task=triage, user=user("dieuphoi"), action="accept")

    handling = first.record.instance.tasks.get(node_id="handle_drainage")
    assert handling.label == V1_DRAINAGE
    first.record.refresh_from_db()
    assert first.record.app_version.number == 1
    assert first.record.instance.app_version.number == 1
    assert set(Event.objects.filter(record=first.record).values_list("app_version__number")) == {
        (1,)
    }
    second = submit_report()
    assert second.record.app_version == v2
    assert second.record.instance.app_version == v2
    assert second.record.instance.tasks.get(node_id="triage").label == V2_TRIAGE


@pytest.mark.parametrize(
    ("kind", "breakage", "path", "words"),
    [
        (
            "entity",
            lambda doc: doc["fields"][1].update(type="colour"),
            "fields/1/type",
            "'colour' is not one of",
        ),
        (
            "entity",
            lambda doc: doc["fields"][0].pop("options"),
            "fields/0",
            "missing required key(s): options",
        ),
        (
            "form",
            lambda doc: doc["steps"][0]["fields"][0].update(widget="slider"),
            "steps/0/fields/0/widget",
            "'slider' is not one of",
        ),
        (
            "workflow",
            lambda doc: node(doc, "route").update(type="coin_toss"),
            "nodes/route",
            "unknown node type 'coin_toss'",
        ),
        (
            "workflow",
            lambda doc: node(doc, "triage").pop("assignment"),
            "nodes/triage",
            "missing required key(s): assignment",
        ),
    ],
    ids=["field-type", "choice-without-options", "widget", "node-type", "task-without-assignee"],
)
def test_saving_a_schema_invalid_definition_is_refused_with_findings(
    app, builder, kind, breakage, path, words
):
    draft_before = stored(draft_of(app))
    document = draft_document(app, kind)
    breakage(document)

    with pytest.raises(InvalidInput) as refused:
        definition_save(app=app, kind=kind, document=document, user=builder)

    findings = refused.value.details
    # Node findings of a lone document start with "/" (workflows/definition.py _node_findings
    # joins an empty prefix); the path is compared without it.
    assert any(f["path"].lstrip("/") == path and words in f["message"] for f in findings), findings
    assert stored(draft_of(app)) == draft_before


def test_saving_an_unknown_kind_of_definition_is_refused(app, builder):
    with pytest.raises(InvalidInput) as refused:
        definition_save(app=app, kind="report", document={"key": "x"}, user=builder)

    assert refused.value.code == "unknown_kind"


def test_a_user_without_permission_on_the_app_may_not_build_publish_or_import(app):
    stranger = User.objects.create_user(username="khach", password="khach-pass-2026")
    workflow = draft_document(app, "workflow")
    node(workflow, "triage")["label"] = V2_TRIAGE
    bundle = json.loads(FIELD_REPORTS.read_text(encoding="utf-8"))
    bundle["app"]["label"]["en"] = "Street problems"
    definitions_before = list(Definition.objects.values_list("pk", "content_hash"))

    with pytest.raises(NotAllowed):
        definition_save(app=app, kind="workflow", document=workflow, user=stranger)
    with pytest.raises(NotAllowed):
        app_publish(app=app, user=stranger)
    with pytest.raises(NotAllowed):
        bundle_import(bundle=bundle, user=stranger)

    assert list(Definition.objects.values_list("pk", "content_hash")) == definitions_before
    assert app.versions.count() == 2  # the draft and v1


def test_the_builder_of_another_app_may_edit_only_their_own(app):
    other_builder = User.objects.create_user(username="b2", password="b2-pass-2026")
    permits = app_create(key="permits", label={"vi": "Cấp phép"}, user=other_builder)
    entity = draft_document(app, "entity")

    saved = definition_save(app=permits, kind="entity", document=entity, user=other_builder)
    with pytest.raises(NotAllowed):
        definition_save(app=app, kind="entity", document=entity, user=other_builder)

    assert saved.version == draft_of(permits)


def reorder(value: Any) -> Any:
    """The same JSON with every object's keys in reverse order."""
    if isinstance(value, dict):
        return {key: reorder(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [reorder(item) for item in value]
    return value


def test_content_hash_ignores_key_order_but_not_values():
    document = {"key": "x", "label": {"vi": "Một", "en": "One"}, "fields": [{"a": 1, "b": 2}]}

    assert content_hash(reorder(document)) == content_hash(document)
    assert content_hash({**document, "key": "y"}) != content_hash(document)
    assert content_hash({**document, "fields": [{"b": 2, "a": 1}, {}]}) != content_hash(document)


def test_importing_the_same_bundle_with_keys_in_another_order_changes_nothing(app):
    bundle = json.loads(FIELD_REPORTS.read_text(encoding="utf-8"))
    count_before = AppVersion.objects.count()

    _app, version, changed = bundle_import(bundle=reorder(bundle))

    assert changed is False
    assert version == latest_published(app)
    assert AppVersion.objects.count() == count_before
