"""Server-side validation of submissions (shared by the portal and the API)."""

from __future__ import annotations

from typing import Any

import pytest

from workflows.definition import AppDef, EntityDef, FormDef, parse_entity, parse_form
from workflows.forms import clean_submission

VALID = {
    "category": "flooding",
    "description": "Nước ngập tới đầu gối trên đường Mậu Thân.",
    "location": {"lat": "10.03", "lng": "105.77", "address": " Mậu Thân "},
    "district": "ninh_kieu",
}


def _clean(
    app_def: AppDef, raw: dict[str, Any], **kwargs: Any
) -> tuple[dict[str, Any], dict[str, str]]:
    form = app_def.forms["citizen_report"]
    data, errors = clean_submission(form, app_def.entities[form.entity], raw, **kwargs)
    return data, {e.field: e.code for e in errors}


def test_valid_report_is_coerced_to_field_types(app_def: AppDef) -> None:
    data, errors = _clean(app_def, {**VALID, "flood_depth_cm": "35", "wants_updates": "on",
                                    "reporter_email": "mai@example.vn"})  # fmt: skip
    assert errors == {}
    assert data["flood_depth_cm"] == 35
    assert data["location"] == {"lat": 10.03, "lng": 105.77, "address": "Mậu Thân"}
    assert data["wants_updates"] is True


def test_missing_required_fields_are_all_reported(app_def: AppDef) -> None:
    _, errors = _clean(app_def, {})
    assert errors == {
        "category": "required",
        "description": "required",
        "location": "required",
        "district": "required",
    }


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("category", "volcano", "not_an_option"),
        ("description", "ngắn", "too_short"),
        ("description", "x" * 3001, "too_long"),
        ("flood_depth_cm", "sâu", "invalid_number"),
        ("flood_depth_cm", "12.5", "invalid_integer"),
        ("flood_depth_cm", "-1", "too_small"),
        ("flood_depth_cm", 301, "too_large"),
        ("flood_depth_cm", True, "invalid_number"),
        ("location", {"lat": "95", "lng": "105"}, "invalid_location"),
        ("location", {"lat": "north", "lng": "105"}, "invalid_location"),
        ("location", "10,105", "invalid_location"),
        ("description", 42, "invalid_text"),
        ("photos", [{"id": "1", "name": "x.pdf", "content_type": "application/pdf", "size": 10}],
         "file_type"),
        ("photos", [{"id": str(i), "name": "a.png", "content_type": "image/png", "size": 1}
                    for i in range(4)], "too_many_files"),
        ("photos", [{"id": "1", "name": "big.jpg", "content_type": "image/jpeg",
                     "size": 6 * 1024 * 1024}], "file_size"),
        ("photos", "photo.jpg", "invalid_file"),
    ],
)  # fmt: skip
def test_wrong_values_get_a_specific_code(
    app_def: AppDef, field: str, value: Any, code: str
) -> None:
    raw = {**VALID, field: value}
    if field == "flood_depth_cm":
        raw["category"] = "flooding"
    data, errors = _clean(app_def, raw)
    assert errors == {field: code}
    assert field not in data


def test_hidden_fields_are_cleared_and_not_required(app_def: AppDef) -> None:
    data, errors = _clean(app_def, {**VALID, "category": "pothole", "other_category": "x",
                                    "flood_depth_cm": "20"})  # fmt: skip
    assert errors == {}
    assert "other_category" not in data
    assert "flood_depth_cm" not in data


def test_required_if_applies_when_the_condition_holds(app_def: AppDef) -> None:
    _, errors = _clean(app_def, {**VALID, "category": "other"})
    assert errors == {"other_category": "required"}
    data, errors = _clean(app_def, {**VALID, "category": "other", "other_category": "Cây đổ"})
    assert errors == {} and data["other_category"] == "Cây đổ"


def test_validation_rules_give_the_definitions_message(app_def: AppDef) -> None:
    form = app_def.forms["citizen_report"]
    _, errors = clean_submission(
        form, app_def.entities["field_report"], {**VALID, "reporter_phone": "901234567"}
    )
    [error] = errors
    assert error.field == "reporter_phone" and error.code == "rule"
    assert error.message is not None and "0" in error.message["vi"]


def test_visibility_depending_on_a_hidden_field_is_cleared_too() -> None:
    entity: EntityDef = parse_entity(
        {
            "key": "e",
            "label": {"vi": "E"},
            "fields": [
                {"key": "a", "type": "boolean", "label": {"vi": "A"}},
                {"key": "b", "type": "text", "label": {"vi": "B"}},
                {"key": "c", "type": "text", "label": {"vi": "C"}},
            ],
        }
    )
    form: FormDef = parse_form(
        {
            "key": "f",
            "entity": "e",
            "label": {"vi": "F"},
            "steps": [
                {
                    "key": "s",
                    "label": {"vi": "S"},
                    "fields": [
                        {"field": "a"},
                        {"field": "b", "visible_if": {"var": "a"}},
                        {"field": "c", "visible_if": {"!!": [{"var": "b"}]}, "required": True},
                    ],
                }
            ],
        }
    )
    data, errors = clean_submission(form, entity, {"a": "false", "b": "x", "c": "y"})
    assert data == {"a": False}
    assert errors == []


def test_unknown_agency_is_refused(app_def: AppDef) -> None:
    known = {("ninh_kieu", "district")}
    _, errors = _clean(
        app_def,
        {**VALID, "district": "atlantis"},
        agency_exists=lambda code, kind: (code, kind) in known,
    )
    assert errors == {"district": "unknown_agency"}


def test_unknown_keys_are_ignored(app_def: AppDef) -> None:
    data, errors = _clean(app_def, {**VALID, "is_admin": True, "severity": 5})
    assert errors == {}
    assert "is_admin" not in data and "severity" not in data
