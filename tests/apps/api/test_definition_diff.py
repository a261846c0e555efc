"""``definition_diff``: a readable structural diff between two bundles (pure, no database)."""

from __future__ import annotations

import copy
from typing import Any

from apps.builder.selectors import definition_diff, document_diff

WORKFLOW: dict[str, Any] = {
    "key": "flow",
    "entity": "report",
    "label": {"vi": "Quy trình", "en": "Flow"},
    "nodes": [
        {"id": "start", "type": "start"},
        {"id": "triage", "type": "human_task", "assignment": {"agency": "ioc", "role": "x"}},
        {"id": "done", "type": "end"},
    ],
    "transitions": [
        {"from": "start", "to": "triage"},
        {"from": "triage", "to": "done", "action": "accept"},
    ],
}
ENTITY: dict[str, Any] = {
    "key": "report",
    "label": {"vi": "Phản ánh"},
    "fields": [{"key": "title", "type": "text"}, {"key": "note", "type": "long_text"}],
}


def _bundle(*, workflows: list[Any], entities: list[Any], label: str = "App") -> dict[str, Any]:
    return {
        "format_version": 1,
        "app": {"key": "app", "label": {"vi": label}},
        "entities": entities,
        "forms": [],
        "workflows": workflows,
    }


def test_identical_bundles_have_no_differences() -> None:
    bundle = _bundle(workflows=[WORKFLOW], entities=[ENTITY])
    assert definition_diff(bundle, copy.deepcopy(bundle)) == {
        "app": {"added": [], "removed": [], "changed": []},
        "added": [],
        "removed": [],
        "changed": [],
    }


def test_added_and_removed_definitions_are_named_by_kind_and_key() -> None:
    form = {"key": "ask", "entity": "report"}
    before = _bundle(workflows=[WORKFLOW], entities=[ENTITY])
    after = {**_bundle(workflows=[], entities=[ENTITY]), "forms": [form]}
    diff = definition_diff(before, after)
    assert diff["added"] == [{"kind": "form", "key": "ask"}]
    assert diff["removed"] == [{"kind": "workflow", "key": "flow"}]
    assert diff["changed"] == []


def test_changed_keys_are_given_by_path_with_list_items_named_by_their_id() -> None:
    changed = copy.deepcopy(WORKFLOW)
    changed["nodes"][1]["assignment"]["agency"] = "ctn_cantho"
    changed["nodes"][1]["label"] = {"vi": "Phân loại"}
    del changed["label"]["en"]
    changed["nodes"].insert(2, {"id": "review", "type": "human_task"})
    changed["transitions"][1]["to"] = "review"
    diff = definition_diff(
        _bundle(workflows=[WORKFLOW], entities=[ENTITY]),
        _bundle(workflows=[changed], entities=[ENTITY], label="App 2"),
    )
    assert diff["app"]["changed"] == [{"path": "label.vi", "before": "App", "after": "App 2"}]
    [workflow] = diff["changed"]
    assert (workflow["kind"], workflow["key"]) == ("workflow", "flow")
    assert workflow["removed"] == [
        {"path": "label.en", "value": "Flow"},
        {"path": "transitions[triage->done:accept]", "value": WORKFLOW["transitions"][1]},
    ]
    assert workflow["added"] == [
        {"path": "nodes[triage].label", "value": {"vi": "Phân loại"}},
        {"path": "nodes[review]", "value": {"id": "review", "type": "human_task"}},
        {"path": "transitions[triage->review:accept]", "value": changed["transitions"][1]},
    ]
    assert workflow["changed"] == [
        {"path": "nodes[triage].assignment.agency", "before": "ioc", "after": "ctn_cantho"}
    ]


def test_reordered_items_and_type_changes_are_reported() -> None:
    before = {"fields": [{"key": "a"}, {"key": "b"}], "max": 1, "tags": ["x", "y"]}
    after = {"fields": [{"key": "b"}, {"key": "a"}], "max": 1.0, "tags": ["x", "z", "w"]}
    diff = document_diff(before, after)
    assert diff["changed"] == [
        {"path": "fields(order)", "before": ["a", "b"], "after": ["b", "a"]},
        {"path": "max", "before": 1, "after": 1.0},
        {"path": "tags[1]", "before": "y", "after": "z"},
    ]
    assert diff["added"] == [{"path": "tags[2]", "value": "w"}]
    assert diff["removed"] == []


def test_a_document_replaced_by_another_type_is_one_change() -> None:
    assert document_diff({"a": [1]}, {"a": {"b": 1}}) == {
        "added": [],
        "removed": [],
        "changed": [{"path": "a", "before": [1], "after": {"b": 1}}],
    }
