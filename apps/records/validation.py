"""Translated messages for the field errors of ``workflows.forms``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from apps.core.models import translated
from workflows.forms import FieldError


def field_error_message(error: FieldError) -> str:
    p: dict[str, Any] = error.params
    if error.code == "rule" and error.message:
        return translated(error.message)
    messages = {
        "required": _("This field is required."),
        "invalid_text": _("Enter text."),
        "too_short": _("Enter at least %(min_length)s characters.") % p if p else "",
        "too_long": _("Enter at most %(max_length)s characters.") % p if p else "",
        "invalid_number": _("Enter a number."),
        "invalid_integer": _("Enter a whole number."),
        "too_small": _("Enter a number of at least %(min)s.") % p if p else "",
        "too_large": _("Enter a number of at most %(max)s.") % p if p else "",
        "invalid_date": _("Enter a date as YYYY-MM-DD."),
        "not_an_option": _("Choose one of the options offered."),
        "invalid_list": _("Choose from the options offered."),
        "invalid_boolean": _("Answer yes or no."),
        "invalid_file": _("The file could not be read."),
        "too_many_files": _("Attach at most %(max_files)s files.") % p if p else "",
        "file_type": _("%(name)s is not an accepted type of file (%(accept)s).") % p if p else "",
        "file_size": _("%(name)s is larger than %(max_size_mb)s MB.") % p if p else "",
        "invalid_location": _("Enter a latitude between -90 and 90 and a longitude between -180 and 180."),
        "unknown_agency": _("Choose one of the agencies offered."),
    }
    return messages.get(error.code) or _("This value is not valid.")


def errors_by_field(errors: list[FieldError]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for error in errors:
        result.setdefault(error.field, []).append(field_error_message(error))
    return result
