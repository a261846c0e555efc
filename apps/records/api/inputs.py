"""Turning an API request's body into what ``record_submit`` takes.

JSON: the body is an object of field values (``location`` as ``{lat, lng, address}``);
file and photo fields cannot be sent this way. Multipart (or urlencoded) form data: one
part per field, ``multi_choice`` fields repeated, ``location`` as ``location.lat`` /
``location.lng`` / ``location.address`` parts (or one part holding the JSON object), and
the files of file and photo fields as file parts.
"""

from __future__ import annotations

import json
import os
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from apps.core.api import json_object
from apps.core.errors import InvalidInput, keys_with_nul, nul_message
from workflows.definition import EntityDef, FieldDef, FormDef

FILE_TYPES = {"file", "photo"}
LOCATION_PARTS = ("lat", "lng", "address")


def _form_specs(form: FormDef, entity: EntityDef) -> dict[str, FieldDef]:
    specs = {}
    for form_field in form.form_fields():
        spec = entity.field(form_field.field)
        if spec is not None:
            specs[spec.key] = spec
    return specs


def max_body_bytes(form: FormDef, entity: EntityDef) -> int:
    """The largest body a valid submission of ``form`` can need: every file at its limit,
    plus the other fields."""
    total = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    for spec in _form_specs(form, entity).values():
        if spec.type in FILE_TYPES:
            per_file = float(spec.config.get("max_size_mb", 10)) * 1024 * 1024
            total += int(per_file * int(spec.config.get("max_files", 1)))
    return total


def _is_blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _from_form_data(specs: dict[str, FieldDef], post: QueryDict) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for key, spec in specs.items():
        if spec.type == "multi_choice":
            if key in post:
                raw[key] = post.getlist(key)
        elif spec.type == "location":
            if key in post:
                text = post.get(key, "")
                try:
                    raw[key] = json.loads(text) if text.strip().startswith("{") else text
                except ValueError:
                    raw[key] = text  # refused by the field's validator
            elif any(f"{key}.{part}" in post for part in LOCATION_PARTS):
                raw[key] = {part: post.get(f"{key}.{part}", "") for part in LOCATION_PARTS}
        elif key in post:
            values = post.getlist(key)
            raw[key] = values[0] if len(values) == 1 else values
    return raw


def _safe_name(name: str | None) -> str:
    base = os.path.basename((name or "").replace("\\", "/")).strip().lstrip(".")
    return base[:200] or "file"


def submission_input(
    *, form: FormDef, entity: EntityDef, data: Any, files: MultiValueDict[str, UploadedFile]
) -> tuple[dict[str, Any], dict[str, list[UploadedFile]]]:
    """(raw values, uploads by field) of a submission; InvalidInput when files are sent
    where they cannot be (through JSON, or to a field that takes no files)."""
    specs = _form_specs(form, entity)
    file_keys = {key for key, spec in specs.items() if spec.type in FILE_TYPES}
    errors: dict[str, list[str]] = {}
    if isinstance(data, QueryDict):
        raw = _from_form_data(specs, data)
        text_message = _("Send files for this field as file parts of a multipart form.")
    else:
        raw = json_object(data)
        text_message = _(
            "Files cannot be sent in JSON; send the form as multipart/form-data "
            "with the files as file parts."
        )
    for key in keys_with_nul(raw):
        if key in specs:
            errors[key] = [nul_message()]
    for key in sorted(file_keys):
        if not _is_blank(raw.get(key)):
            errors[key] = [text_message]
    uploads: dict[str, list[UploadedFile]] = {}
    for key in files:
        chosen = [upload for upload in files.getlist(key) if upload.name or upload.size]
        if key not in file_keys:
            errors[key] = [_("This field does not accept files.")]
            continue
        for upload in chosen:
            upload.name = _safe_name(upload.name)
        if chosen:
            uploads[key] = chosen
    if errors:
        raise InvalidInput(
            _("Some answers need your attention."), code="invalid_submission", details=errors
        )
    return {k: v for k, v in raw.items() if k not in file_keys}, uploads
