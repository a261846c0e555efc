"""Repeating groups (``"type": "group"``): definition checks and ``clean_submission``."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from workflows.analysis import analyze
from workflows.definition import (
    parse_entity,
    parse_form,
    parse_workflow,
    validate_bundle,
)
from workflows.forms import clean_submission

RELATIONS = [
    {"value": "spouse", "label": {"vi": "Vợ/chồng", "en": "Spouse"}},
    {"value": "co_owner", "label": {"vi": "Đồng sở hữu", "en": "Co-owner"}},
]
ENTITY: dict[str, Any] = {
    "schema_version": 1,
    "key": "application",
    "label": {"vi": "Hồ sơ"},
    "fields": [
        {"key": "applicant_name", "type": "text", "required": True, "label": {"vi": "Tên"}},
        {
            "key": "co_applicants",
            "type": "group",
            "label": {"vi": "Người cùng đứng đơn", "en": "Co-applicants"},
            "item_label": {"vi": "Người cùng đứng đơn", "en": "Co-applicant"},
            "max_items": 3,
            "fields": [
                {"key": "full_name", "type": "text", "required": True, "max_length": 20,
                 "label": {"vi": "Họ và tên"}},
                {"key": "relation", "type": "choice", "label": {"vi": "Quan hệ"},
                 "options": RELATIONS},
                {"key": "share", "type": "number", "min": 0, "max": 100,
                 "label": {"vi": "Tỉ lệ"}},
                {"key": "owner", "type": "boolean", "label": {"vi": "Chủ sở hữu"}},
            ],
        },
    ],
}  # fmt: skip
AT_MOST_ONE_SPOUSE = {
    "<=": [
        {
            "reduce": [
                {"filter": [{"var": "co_applicants"}, {"==": [{"var": "relation"}, "spouse"]}]},
                {"+": [{"var": "accumulator"}, 1]},
                0,
            ]
        },
        1,
    ]
}
FORM: dict[str, Any] = {
    "schema_version": 1,
    "key": "apply",
    "entity": "application",
    "label": {"vi": "Nộp hồ sơ"},
    "steps": [
        {
            "key": "one",
            "label": {"vi": "Một"},
            "fields": [
                {"field": "applicant_name"},
                {
                    "field": "co_applicants",
                    "validations": [
                        {"rule": AT_MOST_ONE_SPOUSE, "message": {"vi": "Chỉ một vợ/chồng."}}
                    ],
                },
            ],
        }
    ],
}


def _bundle(entity: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "format_version": 1,
        "app": {"key": "groups", "label": {"vi": "Nhóm"}},
        "entities": [entity or ENTITY],
        "forms": [FORM],
        "workflows": [],
    }


def _clean(raw: dict[str, Any], entity: dict[str, Any] | None = None) -> Any:
    return clean_submission(parse_form(FORM), parse_entity(entity or ENTITY), raw)


def _codes(errors: list[Any]) -> dict[str, str]:
    return {e.field: e.code for e in errors}


def _group(entity: dict[str, Any]) -> dict[str, Any]:
    return next(f for f in entity["fields"] if f["key"] == "co_applicants")


# ------------------------------------------------------------------ definitions


def test_a_group_definition_is_valid_and_parsed_with_its_sub_fields() -> None:
    assert validate_bundle(_bundle()) == []
    spec = parse_entity(ENTITY).field("co_applicants")

    assert spec is not None
    assert [sub.key for sub in spec.fields] == ["full_name", "relation", "share", "owner"]
    assert spec.subfield("relation") is not None
    assert spec.subfield("relation").option_values() == ["spouse", "co_owner"]  # type: ignore[union-attr]
    assert (spec.min_items, spec.max_items) == (0, 3)
    assert "fields" not in spec.config


def test_a_required_group_takes_at_least_one_row_and_ten_at_most_by_default() -> None:
    entity = copy.deepcopy(ENTITY)
    group = _group(entity)
    group["required"] = True
    del group["max_items"]

    spec = parse_entity(entity).field("co_applicants")

    assert spec is not None
    assert (spec.min_items, spec.max_items) == (1, 10)


@pytest.mark.parametrize("kind", ["file", "photo", "location", "group"])
def test_a_group_refuses_files_locations_and_nested_groups(kind: str) -> None:
    entity = copy.deepcopy(ENTITY)
    extra: dict[str, Any] = {"key": "extra", "type": kind, "label": {"vi": "Thêm"}}
    if kind == "group":
        extra["fields"] = [{"key": "x", "type": "text", "label": {"vi": "X"}}]
    _group(entity)["fields"].append(extra)

    findings = validate_bundle(_bundle(entity))

    assert any(
        f.code == "schema" and f.path.endswith("fields/4/type") and repr(kind) in f.message
        for f in findings
    ), findings


def test_group_keys_are_refused_on_other_field_types() -> None:
    entity = copy.deepcopy(ENTITY)
    entity["fields"][0]["max_items"] = 3

    findings = validate_bundle(_bundle(entity))

    assert [f.message for f in findings] == ["max_items is not allowed here"]


def test_a_group_without_fields_or_with_too_many_rows_is_refused() -> None:
    entity = copy.deepcopy(ENTITY)
    del _group(entity)["fields"]
    messages = [f.message for f in validate_bundle(_bundle(entity))]
    assert "missing required key(s): fields" in messages

    entity = copy.deepcopy(ENTITY)
    _group(entity)["max_items"] = 51
    assert any("maximum of 50" in f.message for f in validate_bundle(_bundle(entity)))


def test_a_group_with_min_above_max_or_twin_sub_fields_is_refused() -> None:
    entity = copy.deepcopy(ENTITY)
    group = _group(entity)
    group["min_items"] = 4
    group["fields"].append({"key": "full_name", "type": "text", "label": {"vi": "Lặp"}})

    findings = validate_bundle(_bundle(entity))

    assert sorted(f.code for f in findings) == ["duplicate_key", "group_items"]
    assert all(f.path == "entities/application/fields/co_applicants" for f in findings)


# ------------------------------------------------------------------ clean_submission


def test_valid_rows_are_cleaned_and_kept_as_a_list_of_objects() -> None:
    data, errors = _clean(
        {
            "applicant_name": "Nguyễn Văn A",
            "co_applicants": [
                {"full_name": "  Trần Thị B ", "relation": "spouse", "share": "50", "owner": "on"},
                {"full_name": "Lê C", "relation": "", "share": "12,5"},
            ],
        }
    )

    assert errors == []
    assert data["co_applicants"] == [
        {"full_name": "Trần Thị B", "relation": "spouse", "share": 50, "owner": True},
        {"full_name": "Lê C", "share": 12.5},
    ]


def test_a_missing_required_sub_field_is_an_error_keyed_by_row() -> None:
    data, errors = _clean(
        {
            "applicant_name": "A",
            "co_applicants": [{"full_name": "B"}, {"relation": "co_owner"}],
        }
    )

    assert _codes(errors) == {"co_applicants.1.full_name": "required"}
    assert "co_applicants" not in data


def test_blank_rows_are_dropped_and_errors_keep_the_row_position() -> None:
    data, errors = _clean(
        {
            "applicant_name": "A",
            "co_applicants": [{"full_name": " ", "relation": ""}, {}, {"full_name": "B"}],
        }
    )
    assert errors == []
    assert data["co_applicants"] == [{"full_name": "B"}]

    _data, errors = _clean(
        {"applicant_name": "A", "co_applicants": [{}, {"full_name": "B", "share": "200"}]}
    )
    assert _codes(errors) == {"co_applicants.1.share": "too_large"}
    assert errors[0].params == {"max": 100}


def test_only_blank_rows_is_no_answer() -> None:
    data, errors = _clean({"applicant_name": "A", "co_applicants": [{}, {"full_name": ""}]})

    assert errors == []
    assert "co_applicants" not in data


def test_a_required_group_without_rows_is_required() -> None:
    entity = copy.deepcopy(ENTITY)
    _group(entity)["required"] = True

    _data, errors = _clean({"applicant_name": "A", "co_applicants": [{}]}, entity)

    assert _codes(errors) == {"co_applicants": "required"}


def test_fewer_rows_than_min_items_is_refused() -> None:
    entity = copy.deepcopy(ENTITY)
    _group(entity)["min_items"] = 2

    _data, errors = _clean({"applicant_name": "A", "co_applicants": [{"full_name": "B"}]}, entity)
    assert _codes(errors) == {"co_applicants": "too_few_rows"}
    assert errors[0].params == {"min_items": 2}

    _data, errors = _clean({"applicant_name": "A"}, entity)
    assert _codes(errors) == {"co_applicants": "too_few_rows"}


def test_rows_beyond_max_items_are_refused() -> None:
    rows = [{"full_name": f"Người {n}"} for n in range(4)]

    data, errors = _clean({"applicant_name": "A", "co_applicants": [*rows, {}]})

    assert _codes(errors) == {"co_applicants": "too_many_rows"}
    assert errors[0].params == {"max_items": 3}
    assert "co_applicants" not in data


def test_a_bad_option_in_a_row_is_refused() -> None:
    _data, errors = _clean(
        {"applicant_name": "A", "co_applicants": [{"full_name": "B", "relation": "cousin"}]}
    )

    assert _codes(errors) == {"co_applicants.0.relation": "not_an_option"}


@pytest.mark.parametrize("value", ["B", {"full_name": "B"}, ["B"], [["B"]], 3])
def test_a_group_that_is_not_a_list_of_rows_is_refused(value: Any) -> None:
    _data, errors = _clean({"applicant_name": "A", "co_applicants": value})

    assert _codes(errors) == {"co_applicants": "invalid_group"}


def test_a_rule_over_the_list_of_rows_is_checked() -> None:
    spouse = {"relation": "spouse"}
    _data, errors = _clean(
        {
            "applicant_name": "A",
            "co_applicants": [{"full_name": "B", **spouse}, {"full_name": "C", **spouse}],
        }
    )
    assert _codes(errors) == {"co_applicants": "rule"}
    assert errors[0].message == {"vi": "Chỉ một vợ/chồng."}

    data, errors = _clean(
        {
            "applicant_name": "A",
            "co_applicants": [{"full_name": "B", **spouse}, {"full_name": "C"}],
        }
    )
    assert errors == []
    assert len(data["co_applicants"]) == 2


def test_a_hidden_group_is_neither_kept_nor_checked() -> None:
    form = copy.deepcopy(FORM)
    form["steps"][0]["fields"][1]["visible_if"] = {"==": [{"var": "applicant_name"}, "show"]}

    data, errors = clean_submission(
        parse_form(form),
        parse_entity(ENTITY),
        {"applicant_name": "A", "co_applicants": [{"relation": "cousin"}]},
    )

    assert errors == []
    assert "co_applicants" not in data


def test_an_agency_in_a_row_is_checked() -> None:
    entity = copy.deepcopy(ENTITY)
    _group(entity)["fields"].append(
        {"key": "ward", "type": "agency", "agency_kind": "ward", "label": {"vi": "Phường"}}
    )

    _data, errors = clean_submission(
        parse_form(FORM),
        parse_entity(entity),
        {"applicant_name": "A", "co_applicants": [{"full_name": "B", "ward": "nowhere"}]},
        agency_exists=lambda code, kind: code == "an_khanh" and kind == "ward",
    )

    assert _codes(errors) == {"co_applicants.0.ward": "unknown_agency"}


# ------------------------------------------------------------------ static analysis


def _findings(condition: Any) -> list[Any]:
    workflow = parse_workflow(
        {
            "schema_version": 1,
            "key": "w",
            "entity": "application",
            "label": {"vi": "Quy trình"},
            "nodes": [
                {"id": "start", "type": "start"},
                {"id": "check", "type": "decision"},
                {"id": "family", "type": "end", "outcome": "family"},
                {"id": "done", "type": "end", "outcome": "done"},
            ],
            "transitions": [
                {"from": "start", "to": "check"},
                {"from": "check", "to": "family", "condition": condition},
                {"from": "check", "to": "done", "default": True},
            ],
        }
    )
    return analyze(workflow, parse_entity(ENTITY))


def test_analysis_warns_of_a_sub_field_read_without_a_row() -> None:
    findings = _findings({"==": [{"var": "co_applicants.relation"}, "spouse"]})

    [finding] = [f for f in findings if f.code == "group_path"]
    assert finding.severity == "warning"
    assert "co_applicants.0.relation" in finding.message
    assert finding.params["field"] == "co_applicants"


@pytest.mark.parametrize(
    "condition",
    [
        {"some": [{"var": "co_applicants"}, {"==": [{"var": "relation"}, "spouse"]}]},
        {"==": [{"var": "co_applicants.0.relation"}, "spouse"]},
    ],
)
def test_analysis_accepts_rules_over_the_rows(condition: Any) -> None:
    assert [f.code for f in _findings(condition)] == []


def test_analysis_warns_when_a_group_is_compared_with_one_value() -> None:
    findings = _findings({"==": [{"var": "co_applicants"}, "spouse"]})

    [finding] = [f for f in findings if f.code == "type_mismatch"]
    assert "a list of rows" in finding.message.lower()
