"""Server-side validation of a form submission, shared by the portal and the API.

``clean_submission`` coerces raw values (strings from an HTML form or JSON values from
the API) to the entity's field types, evaluates ``visible_if`` / ``required_if`` /
``validations`` with the same JSON Logic the browser uses, drops hidden fields, and
returns the clean data and every error. Errors carry a stable ``code`` and ``params``;
the edges translate them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date
from typing import Any

from . import rules
from .definition import EntityDef, FieldDef, FormDef, FormFieldDef

TRUE_STRINGS = {"true", "on", "1", "yes"}
FALSE_STRINGS = {"false", "off", "0", "no"}
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: Larger integers lose precision in JavaScript (the browser's rules) and in JSON columns.
MAX_INTEGER = 2**53
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif")


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    params: dict[str, Any] = dataclass_field(default_factory=dict)
    #: For rule failures: the definition's own translatable message.
    message: dict[str, str] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "code": self.code, "params": self.params}


class InvalidValue(Exception):
    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params


def _text(spec: FieldDef, value: Any) -> str:
    if not isinstance(value, str) or "\x00" in value:
        raise InvalidValue("invalid_text")
    text: str = value.strip()
    min_length = spec.config.get("min_length")
    max_length = spec.config.get("max_length", 5000 if spec.type == "long_text" else 500)
    if min_length is not None and len(text) < min_length:
        raise InvalidValue("too_short", min_length=min_length)
    if len(text) > max_length:
        raise InvalidValue("too_long", max_length=max_length)
    return text


def _number(spec: FieldDef, value: Any) -> int | float:
    if isinstance(value, bool):
        raise InvalidValue("invalid_number")
    if isinstance(value, str):
        try:
            value = float(value.strip().replace(",", "."))
        except ValueError:
            raise InvalidValue("invalid_number") from None
    if not isinstance(value, int | float):
        raise InvalidValue("invalid_number")
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        raise InvalidValue("invalid_number")
    if isinstance(value, int) and abs(value) > MAX_INTEGER:
        raise InvalidValue("invalid_number")
    if spec.config.get("integer"):
        if float(value) != int(value):
            raise InvalidValue("invalid_integer")
        value = int(value)
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    minimum, maximum = spec.config.get("min"), spec.config.get("max")
    if minimum is not None and value < minimum:
        raise InvalidValue("too_small", min=minimum)
    if maximum is not None and value > maximum:
        raise InvalidValue("too_large", max=maximum)
    number: int | float = value
    return number


def _date(spec: FieldDef, value: Any) -> str:
    if not isinstance(value, str) or not DATE_RE.match(value.strip()):
        raise InvalidValue("invalid_date")
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise InvalidValue("invalid_date") from None


def _choice(spec: FieldDef, value: Any) -> str:
    if not isinstance(value, str) or value not in spec.option_values():
        raise InvalidValue("not_an_option", value=str(value)[:100])
    return value


def _multi_choice(spec: FieldDef, value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise InvalidValue("invalid_list")
    allowed = spec.option_values()
    for item in value:
        if item not in allowed:
            raise InvalidValue("not_an_option", value=str(item)[:100])
    return [option for option in allowed if option in value]


def _boolean(spec: FieldDef, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE_STRINGS | FALSE_STRINGS:
        return value.strip().lower() in TRUE_STRINGS
    raise InvalidValue("invalid_boolean")


def _files(spec: FieldDef, value: Any) -> list[dict[str, Any]]:
    """File fields hold a list of stored-file descriptors the edge made from uploads."""
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list) or not all(
        isinstance(item, dict) and {"id", "name", "content_type", "size"} <= set(item)
        for item in value
    ):
        raise InvalidValue("invalid_file")
    max_files = spec.config.get("max_files", 1)
    if len(value) > max_files:
        raise InvalidValue("too_many_files", max_files=max_files)
    accept = spec.config.get("accept") or (list(IMAGE_TYPES) if spec.type == "photo" else [])
    max_bytes = int(float(spec.config.get("max_size_mb", 10)) * 1024 * 1024)
    for item in value:
        if accept and not _type_accepted(str(item["content_type"]), accept):
            raise InvalidValue("file_type", name=item["name"], accept=", ".join(accept))
        if int(item["size"]) > max_bytes:
            raise InvalidValue("file_size", name=item["name"], max_size_mb=max_bytes // 1048576)
    return value


def _type_accepted(content_type: str, accept: list[str]) -> bool:
    for pattern in accept:
        if pattern.endswith("/*") and content_type.startswith(pattern[:-1]):
            return True
        if content_type == pattern:
            return True
    return False


def _location(spec: FieldDef, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidValue("invalid_location")
    try:
        lat = float(str(value.get("lat", "")).strip().replace(",", "."))
        lng = float(str(value.get("lng", "")).strip().replace(",", "."))
    except ValueError:
        raise InvalidValue("invalid_location") from None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise InvalidValue("invalid_location")
    result: dict[str, Any] = {"lat": lat, "lng": lng}
    address = str(value.get("address") or "").strip()
    if len(address) > 500:
        raise InvalidValue("too_long", max_length=500)
    if address:
        result["address"] = address
    return result


CLEANERS: dict[str, Callable[[FieldDef, Any], Any]] = {
    "text": _text,
    "long_text": _text,
    "number": _number,
    "date": _date,
    "choice": _choice,
    "multi_choice": _multi_choice,
    "boolean": _boolean,
    "file": _files,
    "photo": _files,
    "location": _location,
    "agency": _text,
}


def clean_value(spec: FieldDef, value: Any) -> Any:
    """One value coerced to ``spec``'s type; raises :class:`InvalidValue` with a code.

    A group is cleaned by :func:`clean_group`, which reports one error per row field.
    """
    if spec.type == "group":
        rows, errors = clean_group(spec, value)
        if errors:
            raise InvalidValue(errors[0].code, **errors[0].params)
        return rows
    return CLEANERS[spec.type](spec, value)


def row_error_key(group: str, index: int, sub_key: str) -> str:
    """The error key of one sub-field of one row: ``co_applicants.0.full_name``."""
    return f"{group}.{index}.{sub_key}"


def clean_group(
    spec: FieldDef,
    value: Any,
    *,
    agency_exists: Callable[[str, str | None], bool] | None = None,
) -> tuple[list[dict[str, Any]], list[FieldError]]:
    """The rows of a ``group`` field, cleaned, and every error.

    ``value`` is a list of objects ``{sub_key: value}``. Rows whose sub-fields are all
    blank are dropped; the others are checked like top-level fields (required, lengths,
    ranges, options). Row errors are keyed ``<group>.<index>.<sub_key>``, the index being
    the row's position in ``value``; errors about the rows as a whole (too many, too few,
    not a list) are keyed by the group. Blank sub-fields are left out of a row.
    """
    key = spec.key
    if not isinstance(value, list | tuple) or not all(isinstance(row, Mapping) for row in value):
        return [], [FieldError(key, "invalid_group")]
    filled = [
        (index, row)
        for index, row in enumerate(value)
        if not all(_is_blank(row.get(sub.key)) for sub in spec.fields)
    ]
    if len(filled) > spec.max_items:
        return [], [FieldError(key, "too_many_rows", {"max_items": spec.max_items})]
    rows: list[dict[str, Any]] = []
    errors: list[FieldError] = []
    for index, row in filled:
        clean: dict[str, Any] = {}
        for sub in spec.fields:
            where = row_error_key(key, index, sub.key)
            raw = row.get(sub.key)
            if _is_blank(raw):
                if sub.required:
                    errors.append(FieldError(where, "required"))
                continue
            try:
                clean[sub.key] = CLEANERS[sub.type](sub, raw)
            except InvalidValue as invalid:
                errors.append(FieldError(where, invalid.code, invalid.params))
                continue
            if (
                sub.type == "agency"
                and agency_exists is not None
                and not agency_exists(clean[sub.key], sub.config.get("agency_kind"))
            ):
                errors.append(FieldError(where, "unknown_agency", {"value": clean[sub.key]}))
                del clean[sub.key]
        rows.append(clean)
    if not errors and rows and len(rows) < spec.min_items:
        errors.append(FieldError(key, "too_few_rows", {"min_items": spec.min_items}))
    return rows, errors


def field_of_error(key: str) -> str:
    """The top-level field an error key belongs to (``co_applicants.0.x`` -> ``co_applicants``)."""
    return key.split(".", 1)[0]


def _is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | dict):
        if isinstance(value, dict) and set(value) <= {"lat", "lng", "address"}:
            return not str(value.get("lat", "")).strip() and not str(value.get("lng", "")).strip()
        return not value
    return False


def _visible(form_field: FormFieldDef, data: dict[str, Any]) -> bool:
    if form_field.visible_if is None:
        return True
    return rules.compile(form_field.visible_if).truthy(data, trusted=True)


def clean_submission(
    form: FormDef,
    entity: EntityDef,
    raw: Mapping[str, Any],
    *,
    agency_exists: Callable[[str, str | None], bool] | None = None,
) -> tuple[dict[str, Any], list[FieldError]]:
    """Validate ``raw`` against ``form``; return (clean data, errors).

    Only fields of the form are read; unknown keys are ignored. Hidden fields are not
    stored. ``agency_exists(code, kind)`` checks agency references when given.
    """
    errors: list[FieldError] = []
    data: dict[str, Any] = {}
    form_fields = form.form_fields()
    specs = {ff.field: entity.field(ff.field) for ff in form_fields}
    for form_field in form_fields:
        spec = specs[form_field.field]
        if spec is None:
            continue
        value = raw.get(form_field.field)
        if _is_blank(value):
            continue
        if spec.type == "group":
            rows, row_errors = clean_group(spec, value, agency_exists=agency_exists)
            if row_errors:
                errors.extend(row_errors)
            elif rows:
                data[spec.key] = rows
            continue
        try:
            data[spec.key] = clean_value(spec, value)
        except InvalidValue as invalid:
            errors.append(FieldError(spec.key, invalid.code, invalid.params))
            continue
        if (
            spec.type == "agency"
            and agency_exists is not None
            and not agency_exists(data[spec.key], spec.config.get("agency_kind"))
        ):
            errors.append(FieldError(spec.key, "unknown_agency", {"value": data[spec.key]}))
            del data[spec.key]
    # Hidden fields are cleared; repeat because visibility may depend on a hidden field.
    visible = {ff.field for ff in form_fields}
    for _ in range(len(form_fields) + 1):
        view = {k: v for k, v in data.items() if k in visible}
        now_visible = {ff.field for ff in form_fields if _visible(ff, view)}
        if now_visible == visible:
            break
        visible = now_visible
    data = {k: v for k, v in data.items() if k in visible}
    errors = [e for e in errors if field_of_error(e.field) in visible]
    failed = {field_of_error(e.field) for e in errors}
    for form_field in form_fields:
        spec = specs[form_field.field]
        if spec is None or spec.key not in visible or spec.key in failed:
            continue
        required = form_field.required if form_field.required is not None else spec.required
        if form_field.required_if is not None:
            required = required or rules.compile(form_field.required_if).truthy(data, trusted=True)
        if spec.key not in data:
            if required:
                errors.append(FieldError(spec.key, "required"))
            elif spec.type == "group" and spec.min_items > 0:
                errors.append(FieldError(spec.key, "too_few_rows", {"min_items": spec.min_items}))
            continue
        for validation in form_field.validations:
            if not rules.compile(validation.rule).truthy(data, trusted=True):
                errors.append(FieldError(spec.key, "rule", message=validation.message))
                break
    return data, errors
