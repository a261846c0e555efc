"""Config schema pieces shared by several node types."""

from __future__ import annotations

from typing import Any

RULE: dict[str, Any] = {"$ref": "common.schema.json#/$defs/rule"}
LABEL: dict[str, Any] = {"$ref": "common.schema.json#/$defs/label"}
KEY: dict[str, Any] = {"$ref": "common.schema.json#/$defs/key"}
AGENCY_CODE: dict[str, Any] = {"type": "string", "pattern": "^[a-z0-9][a-z0-9_\\-]{0,62}$"}
DURATION: dict[str, Any] = {
    "type": "string",
    "pattern": "^P(?!$)(\\d+W)?(\\d+D)?(T(?=\\d)(\\d+H)?(\\d+M)?(\\d+S)?)?$",
    "description": "ISO 8601 duration in weeks, days, hours, minutes: P3D, PT4H, P1DT12H.",
}
RECIPIENT: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": {
        "submitter": {"const": True},
        "agency": AGENCY_CODE,
        "role": KEY,
        "user": {"type": "string", "minLength": 1},
        "email": {"type": "string", "minLength": 3},
        "email_field": KEY,
        "phone_field": KEY,
    },
}
NOTIFY: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["body"],
    "properties": {
        "channel": {"enum": ["email", "sms", "in_app"]},
        "to": RECIPIENT,
        "subject": LABEL,
        "body": LABEL,
    },
}
ASSIGNMENT: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "agency": AGENCY_CODE,
        "agency_rule": RULE,
        "role": KEY,
        "user": {"type": "string", "minLength": 1},
        "user_rule": RULE,
        "submitter": {"const": True},
    },
    "oneOf": [
        {"required": ["agency", "role"]},
        {"required": ["agency_rule", "role"]},
        {"required": ["user"]},
        {"required": ["user_rule"]},
        {"required": ["submitter"]},
    ],
}
DEADLINE: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["duration"],
    "properties": {
        "duration": DURATION,
        "working_days": {"type": "boolean"},
        "reminders": {"type": "array", "items": DURATION},
        "reminder_notify": NOTIFY,
        "escalation": {
            "type": "object",
            "additionalProperties": False,
            "minProperties": 1,
            "properties": {
                "reassign_role": KEY,
                "notify": NOTIFY,
                "action": KEY,
            },
        },
    },
}
ACTIONS: dict[str, Any] = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["key", "label"],
        "additionalProperties": False,
        "properties": {"key": KEY, "label": LABEL},
    },
}
TASK_FORM: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"fields": {"type": "array", "items": KEY}},
}
GUARDS: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "not_submitter": {"type": "boolean"},
        "not_actors_of": {"type": "array", "items": KEY},
    },
}
MAPPING: dict[str, Any] = {
    "type": "object",
    "description": "Field key → JSON Logic expression giving its value.",
    "propertyNames": {"pattern": "^[a-z][a-z0-9_]{0,62}$"},
    "additionalProperties": RULE,
}


def task_properties() -> dict[str, Any]:
    """Keys shared by human and multi-instance tasks."""
    return {
        "assignment": ASSIGNMENT,
        "actions": ACTIONS,
        "form": TASK_FORM,
        "guards": GUARDS,
        "deadline": DEADLINE,
        "public_label": LABEL,
        "public": {"type": "boolean"},
        "pauses_clock": {
            "type": "boolean",
            "description": "Stop the deadline clock while this task is open (e.g. the case "
            "is back with the citizen).",
        },
    }


def assignment_rules(node_config: dict[str, Any]) -> list[tuple[str, Any]]:
    assignment = node_config.get("assignment", {})
    return [
        (f"assignment/{key}", assignment[key])
        for key in ("agency_rule", "user_rule")
        if key in assignment
    ]
