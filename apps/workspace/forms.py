"""The form of a task: one input per editable field, chosen by the field's type, and the
reading of a posted form back into the raw values ``task_complete`` cleans.

Validation is the service's job (``apps.runtime.services.task_complete``); this module
only renders inputs and collects what was sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _

from apps.accounts.models import Agency
from apps.core.models import translated
from apps.runtime.models import Task
from workflows.definition import EntityDef, FieldDef

from .selectors import FILE_TYPES, display_value

#: Field type → widget the template renders.
WIDGETS = {
    "text": "text",
    "long_text": "textarea",
    "number": "number",
    "date": "date",
    "choice": "select",
    "multi_choice": "checkboxes",
    "boolean": "yes_no",
    "location": "location",
    "agency": "select",
    "file": "files",
    "photo": "files",
    "group": "group",
}
LOCATION_PARTS = ("lat", "lng", "address")
PRESENT = "__present"


@dataclass
class TaskField:
    """What the template needs to render one input. ``value`` is a string, except for
    checkboxes (list of strings), location (dict of strings) and files (list of names)."""

    key: str
    label: str
    widget: str
    value: Any
    help: str = ""
    options: list[tuple[str, str]] = field(default_factory=list)
    blank_option: bool = True
    attrs: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def input_id(self) -> str:
        return f"id_{self.key}"

    @property
    def described_by(self) -> str:
        """Ids of the help text and error list, for ``aria-describedby``."""
        ids = []
        if self.help:
            ids.append(f"{self.input_id}_help")
        if self.errors:
            ids.append(f"{self.input_id}_errors")
        return " ".join(ids)


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _initial(spec: FieldDef, value: Any) -> Any:
    """A stored value as the strings the inputs show."""
    if spec.type == "multi_choice":
        return [str(item) for item in value] if isinstance(value, list) else []
    if spec.type == "location":
        value = value if isinstance(value, dict) else {}
        return {part: _as_text(value.get(part)) for part in LOCATION_PARTS}
    if spec.type in FILE_TYPES:
        items = value if isinstance(value, list) else []
        return [str(item.get("name", "")) for item in items if isinstance(item, dict)]
    if spec.type == "group":  # shown, not edited here: one line per row
        rows = value if isinstance(value, list) else []
        return [display_value(spec, [row]) for row in rows if isinstance(row, dict)]
    return _as_text(value)


def _posted(spec: FieldDef, post: QueryDict, fallback: Any) -> Any:
    """The strings the user sent for ``spec`` (to show them again after an error)."""
    if spec.type == "multi_choice":
        return post.getlist(spec.key) if spec.key + PRESENT in post else fallback
    if spec.type == "location":
        return {part: post.get(f"{spec.key}__{part}", "") for part in LOCATION_PARTS}
    if spec.type in FILE_TYPES or spec.type == "group":
        return fallback
    return post.get(spec.key, fallback)


def _agency_options(spec: FieldDef) -> list[tuple[str, str]]:
    agencies = Agency.objects.filter(is_active=True).order_by("name_vi")
    if spec.config.get("agency_kind"):
        agencies = agencies.filter(kind=spec.config["agency_kind"])
    return [(agency.code, agency.name) for agency in agencies]


def _number_attrs(spec: FieldDef) -> dict[str, str]:
    attrs = {"step": "1" if spec.config.get("integer") else "any"}
    for bound in ("min", "max"):
        if spec.config.get(bound) is not None:
            attrs[bound] = str(spec.config[bound])
    return attrs


def task_fields(
    task: Task,
    entity: EntityDef,
    data: Mapping[str, Any],
    *,
    post: QueryDict | None = None,
    errors: Mapping[str, list[str]] | None = None,
) -> list[TaskField]:
    """The inputs of ``task``'s editable fields, filled from the record's ``data`` (or
    from what was posted, after an error), with the errors of each field."""
    result = []
    for key in task.fields:
        spec = entity.field(key)
        if spec is None:
            continue
        value = _initial(spec, data.get(key))
        if post is not None:
            value = _posted(spec, post, value)
        widget = WIDGETS.get(spec.type, "text")
        options = [(option.value, translated(option.label)) for option in spec.options]
        if spec.type == "agency":
            options = _agency_options(spec)
        if spec.type == "boolean":
            options = [("true", _("Yes")), ("false", _("No"))]
        attrs: dict[str, str] = {}
        if spec.type == "number":
            attrs = _number_attrs(spec)
        elif spec.type in {"text", "long_text"} and spec.config.get("max_length"):
            attrs = {"maxlength": str(spec.config["max_length"])}
        result.append(
            TaskField(
                key=key,
                label=translated(spec.label) or key,
                widget=widget,
                value=value,
                help=translated(spec.help),
                options=options,
                # A required choice that holds a value is not offered to be emptied.
                blank_option=not (spec.required and value),
                attrs=attrs,
                errors=list((errors or {}).get(key, [])),
            )
        )
    return result


def task_data(task: Task, entity: EntityDef, post: QueryDict) -> dict[str, Any]:
    """The raw values of the task's editable fields found in ``post``. Fields that were
    not sent are left out (so they keep their value); files are not edited here."""
    data: dict[str, Any] = {}
    for key in task.fields:
        spec = entity.field(key)
        if spec is None or spec.type in FILE_TYPES or spec.type == "group":
            continue
        if spec.type == "multi_choice":
            if key + PRESENT in post:
                data[key] = post.getlist(key)
        elif spec.type == "location":
            parts = {part: post.get(f"{key}__{part}") for part in LOCATION_PARTS}
            if any(value is not None for value in parts.values()):
                sent = {part: (value or "").strip() for part, value in parts.items()}
                data[key] = sent if any(sent.values()) else ""
        elif key in post:
            data[key] = post[key]
    return data
