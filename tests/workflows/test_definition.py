"""The definition format: schemas, cross-checks and parsing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.workflows.conftest import FIXTURES
from workflows import nodes
from workflows import schema as schemas
from workflows.definition import (
    content_hash,
    ensure_valid_bundle,
    parse_bundle,
    validate_bundle,
    validate_document,
)
from workflows.errors import DefinitionInvalid


def _codes(findings: list[Any]) -> set[str]:
    return {f.code for f in findings}


@pytest.mark.parametrize("path", sorted((FIXTURES / "apps").glob("*.json")), ids=lambda p: p.name)
def test_every_sample_app_bundle_is_valid(path: Path) -> None:
    bundle = json.loads(path.read_text("utf-8"))
    assert validate_bundle(bundle) == []
    app = ensure_valid_bundle(bundle)
    assert app.workflows and app.forms and app.entities


def test_demo_agencies_and_users_are_consistent() -> None:
    agencies = json.loads((FIXTURES / "demo" / "agencies.json").read_text("utf-8"))
    users = json.loads((FIXTURES / "demo" / "users.json").read_text("utf-8"))
    codes = [a["code"] for a in agencies["agencies"]]
    assert len(codes) == len(set(codes))
    for agency in agencies["agencies"]:
        assert agency["parent"] is None or agency["parent"] in codes
        assert agency["name"]["vi"] and agency["name"]["en"]
    for user in users["users"]:
        for agency_code, _role in user["memberships"]:
            assert agency_code in codes


def test_sample_workflows_assign_only_to_demo_agencies(bundle: dict[str, Any]) -> None:
    agencies = json.loads((FIXTURES / "demo" / "agencies.json").read_text("utf-8"))
    codes = {a["code"] for a in agencies["agencies"]}
    for workflow in bundle["workflows"]:
        for node in workflow["nodes"]:
            agency = node.get("assignment", {}).get("agency")
            assert agency is None or agency in codes, node["id"]


def test_every_schema_file_is_a_valid_json_schema() -> None:
    from jsonschema import Draft202012Validator

    for name in schemas.KINDS:
        Draft202012Validator.check_schema(schemas.load(name))
    for node_type in nodes.registry().values():
        Draft202012Validator.check_schema(node_type.config_schema)


def test_documents_carry_their_schema_version(bundle: dict[str, Any]) -> None:
    entity = bundle["entities"][0]
    entity["schema_version"] = 2
    findings = validate_document("entity", entity)
    assert findings and "schema_version" in findings[0].path
    del entity["schema_version"]
    assert (
        "missing required key(s): schema_version" in validate_document("entity", entity)[0].message
    )


def test_label_needs_vietnamese(bundle: dict[str, Any]) -> None:
    bundle["entities"][0]["label"] = {"en": "Field report"}
    findings = validate_bundle(bundle)
    assert findings and findings[0].path == "entities/0/label"
    assert "vi" in findings[0].message


@pytest.mark.parametrize(
    ("field", "code_fragment"),
    [
        ({"key": "x", "type": "choice", "label": {"vi": "X"}}, "options"),
        ({"key": "x", "type": "colour", "label": {"vi": "X"}}, "colour"),
        ({"key": "X y", "type": "text", "label": {"vi": "X"}}, "not a valid name"),
        (
            {"key": "x", "type": "text", "label": {"vi": "X"}, "options": []},
            "options is not allowed",
        ),
    ],
)
def test_bad_entity_fields_are_refused_readably(field: dict[str, Any], code_fragment: str) -> None:
    entity = {"schema_version": 1, "key": "e", "label": {"vi": "E"}, "fields": [field]}
    findings = validate_document("entity", entity)
    assert findings
    assert any(code_fragment in f.message or code_fragment in f.path for f in findings)


def test_every_field_type_is_accepted() -> None:
    kinds = ["text", "long_text", "number", "date", "choice", "multi_choice", "boolean",
             "file", "photo", "location", "agency"]  # fmt: skip
    fields = []
    for kind in kinds:
        field: dict[str, Any] = {"key": f"f_{kind}", "type": kind, "label": {"vi": kind}}
        if kind in {"choice", "multi_choice"}:
            field["options"] = [{"value": "a", "label": {"vi": "A"}}]
        fields.append(field)
    entity = {"schema_version": 1, "key": "e", "label": {"vi": "E"}, "fields": fields}
    assert validate_document("entity", entity) == []


def _workflow(bundle: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = bundle["workflows"][0]
    return result


def _node(bundle: dict[str, Any], node_id: str) -> dict[str, Any]:
    return next(n for n in _workflow(bundle)["nodes"] if n["id"] == node_id)


def test_unknown_node_type_is_named(bundle: dict[str, Any]) -> None:
    _workflow(bundle)["nodes"].append({"id": "mystery", "type": "teleport"})
    findings = validate_bundle(bundle)
    assert _codes(findings) == {"unknown_node_type"}
    assert findings[0].path.endswith("nodes/mystery")
    assert "human_task" in findings[0].message


def test_transition_to_missing_node_is_refused(bundle: dict[str, Any]) -> None:
    _workflow(bundle)["transitions"].append({"from": "triage", "to": "nowhere", "action": "reject"})
    findings = validate_bundle(bundle)
    assert "unknown_node" in _codes(findings)
    assert any("nowhere" in f.message for f in findings)


def test_decision_without_default_is_refused(bundle: dict[str, Any]) -> None:
    workflow = _workflow(bundle)
    workflow["transitions"] = [t for t in workflow["transitions"] if not t.get("default")]
    findings = validate_bundle(bundle)
    assert "decision_default" in _codes(findings)
    assert any(f.params.get("node") == "route" for f in findings)


def test_action_without_transition_is_refused(bundle: dict[str, Any]) -> None:
    _node(bundle, "triage")["actions"].append({"key": "ask", "label": {"vi": "Hỏi thêm"}})
    findings = validate_bundle(bundle)
    assert _codes(findings) == {"action_without_transition"}


def test_transition_with_unknown_action_is_refused(bundle: dict[str, Any]) -> None:
    _workflow(bundle)["transitions"].append({"from": "triage", "to": "rejected", "action": "ask"})
    assert "unknown_action" in _codes(validate_bundle(bundle))


def test_human_task_needs_an_assignment(bundle: dict[str, Any]) -> None:
    del _node(bundle, "triage")["assignment"]
    findings = validate_bundle(bundle)
    assert findings and "assignment" in findings[0].message


def test_assignment_cannot_name_both_agency_and_rule(bundle: dict[str, Any]) -> None:
    _node(bundle, "triage")["assignment"]["agency_rule"] = {"var": "district"}
    assert validate_bundle(bundle)


def test_node_without_way_out_is_refused(bundle: dict[str, Any]) -> None:
    workflow = _workflow(bundle)
    workflow["transitions"] = [
        t for t in workflow["transitions"] if t["from"] != "handle_transport"
    ]
    findings = validate_bundle(bundle)
    assert "dead_end" in _codes(findings)


def test_end_node_cannot_lead_anywhere(bundle: dict[str, Any]) -> None:
    _workflow(bundle)["transitions"].append({"from": "resolved", "to": "triage"})
    assert "transition_from_end" in _codes(validate_bundle(bundle))


def test_exactly_one_start(bundle: dict[str, Any]) -> None:
    _workflow(bundle)["nodes"].append({"id": "start2", "type": "start"})
    _workflow(bundle)["transitions"].append({"from": "start2", "to": "triage"})
    assert "start_count" in _codes(validate_bundle(bundle))


def test_rules_must_be_valid_json_logic(bundle: dict[str, Any]) -> None:
    transition = next(t for t in _workflow(bundle)["transitions"] if "condition" in t)
    transition["condition"] = {"frobnicate": [1, 2]}
    findings = validate_bundle(bundle)
    assert _codes(findings) == {"rule_invalid"}
    assert "frobnicate" in findings[0].message


def test_rules_must_read_fields_of_the_entity(bundle: dict[str, Any]) -> None:
    form_field = bundle["forms"][0]["steps"][0]["fields"][1]
    form_field["visible_if"] = {"==": [{"var": "categroy"}, "other"]}
    findings = validate_bundle(bundle)
    assert _codes(findings) == {"unknown_field"}
    assert "categroy" in findings[0].message


def test_form_fields_must_exist_in_the_entity(bundle: dict[str, Any]) -> None:
    bundle["forms"][0]["steps"][0]["fields"].append({"field": "colour"})
    findings = validate_bundle(bundle)
    assert _codes(findings) == {"unknown_field"}
    assert findings[0].path == "forms/citizen_report/steps/problem/colour"


def test_task_may_only_edit_fields_of_the_entity(bundle: dict[str, Any]) -> None:
    _node(bundle, "triage")["form"]["fields"].append("priority")
    assert _codes(validate_bundle(bundle)) == {"unknown_field"}


def test_form_must_start_an_existing_workflow(bundle: dict[str, Any]) -> None:
    bundle["forms"][0]["workflow"] = "missing_flow"
    assert _codes(validate_bundle(bundle)) == {"unknown_workflow"}


def test_duplicate_keys_are_refused(bundle: dict[str, Any]) -> None:
    bundle["entities"][0]["fields"].append(dict(bundle["entities"][0]["fields"][0]))
    assert "duplicate_key" in _codes(validate_bundle(bundle))


def test_bundle_with_wrong_format_version_is_refused(bundle: dict[str, Any]) -> None:
    bundle["format_version"] = 99
    assert validate_bundle(bundle)[0].path == "format_version"


def test_ensure_valid_bundle_lists_every_finding(bundle: dict[str, Any]) -> None:
    _node(bundle, "triage")["actions"].append({"key": "ask", "label": {"vi": "Hỏi"}})
    _node(bundle, "handle_drainage")["form"]["fields"].append("nope")
    with pytest.raises(DefinitionInvalid) as caught:
        ensure_valid_bundle(bundle)
    assert {f.code for f in caught.value.findings} == {"action_without_transition", "unknown_field"}
    assert "triage" in str(caught.value)


def test_parsing_keeps_order_and_labels(bundle: dict[str, Any]) -> None:
    app = parse_bundle(bundle)
    form = app.forms["citizen_report"]
    assert [s.key for s in form.steps] == ["problem", "place", "contact"]
    assert form.form_fields()[0].field == "category"
    workflow = app.workflows["field_report_flow"]
    route = [t.target for t in workflow.outgoing("route")]
    assert route == ["handle_drainage", "handle_transport", "handle_environment", "handle_district"]
    assert workflow.nodes["triage"].label["en"] == "Triage the report"
    entity = app.entities["field_report"]
    category = entity.field("category")
    assert category is not None and category.option_values()[0] == "flooding"


def test_content_hash_ignores_key_order_and_spacing() -> None:
    assert content_hash({"a": 1, "b": [1, 2]}) == content_hash({"b": [1, 2], "a": 1})
    assert content_hash({"a": 1}) != content_hash({"a": 2})


def test_node_registry_describes_every_type() -> None:
    described = {n.describe()["type"] for n in nodes.registry().values()}
    assert described >= {"start", "human_task", "decision", "end"}
    assert nodes.names() == sorted(described)
