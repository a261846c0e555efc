"""The builder's form preview, drawn by the portal: every step on one page with the
portal's own templates and script (so its rules run live), filled in with sample answers.
It cannot be sent. Registered with ``apps.builder.preview`` when Django starts."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from workflows.definition import EntityDef, FormDef

from .rendering import form_view
from .selectors import agency_options


def render_preview(
    form: FormDef, entity: EntityDef, values: dict[str, Any], app_label: str, request: HttpRequest
) -> str:
    view = form_view(form, entity, values=values, agency_options=agency_options)
    context = {"form": view, "app_label": app_label}
    return render_to_string("portal/preview.html", context, request=request)
