"""Translated messages for the field errors of ``workflows.forms``."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core.models import translated
from workflows.forms import FieldError

MESSAGES: dict[str, Promise] = {
    "required": _("This field is required."),
    "invalid_text": _("Enter text."),
    "too_short": _("Enter at least %(min_length)s characters."),
    "too_long": _("Enter at most %(max_length)s characters."),
    "invalid_number": _("Enter a number."),
    "invalid_integer": _("Enter a whole number."),
    "too_small": _("Enter a number of at least %(min)s."),
    "too_large": _("Enter a number of at most %(max)s."),
    "invalid_date": _("Enter a date as YYYY-MM-DD."),
    "not_an_option": _("Choose one of the options offered."),
    "invalid_list": _("Choose from the options offered."),
    "invalid_boolean": _("Answer yes or no."),
    "invalid_file": _("The file could not be read."),
    "too_many_files": _("Attach at most %(max_files)s files."),
    "file_type": _("%(name)s is not an accepted type of file (%(accept)s)."),
    "file_size": _("%(name)s is larger than %(max_size_mb)s MB."),
    "invalid_location": _(
        "Enter a latitude between -90 and 90 and a longitude between -180 and 180."
    ),
    "unknown_agency": _("Choose one of the agencies offered."),
    "not_editable": _("This task may not change this field."),
    "invalid_group": _("Enter the rows of this list."),
    "too_many_rows": _("Enter at most %(max_items)s rows."),
    "too_few_rows": _("Enter at least %(min_items)s rows."),
}


def field_error_message(error: FieldError) -> str:
    if error.code == "rule" and error.message:
        return translated(error.message)
    template = MESSAGES.get(error.code)
    if template is None:
        return gettext("This value is not valid.")
    try:
        return str(template) % error.params if error.params else str(template)
    except (KeyError, TypeError, ValueError):
        return str(template)


def errors_by_field(errors: list[FieldError]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for error in errors:
        result.setdefault(error.field, []).append(field_error_message(error))
    return result
