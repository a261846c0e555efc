"""A form drawn as citizens see it (the portal's own rendering and templates), for the
builder's preview. Nothing is stored or sent."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from apps.core.errors import InvalidInput, refuse_nul
from apps.core.models import translated
from workflows.definition import (
    _entity_findings,
    _form_findings,
    parse_entity,
    parse_form,
    validate_document,
)
from workflows.errors import Finding

from .models import App
from .selectors import draft_of


def _invalid(findings: list[Finding]) -> InvalidInput:
    return InvalidInput(
        _("The form cannot be shown: correct these problems first."),
        code="definition_invalid",
        details=[f.as_dict() for f in findings],
    )


def _draft_entity(app: App, key: Any) -> dict[str, Any] | None:
    if not isinstance(key, str):
        return None
    definition = draft_of(app).definitions.filter(kind="entity", key=key).first()
    return definition.document if definition is not None else None


def form_preview(*, app: App, body: dict[str, Any], request: HttpRequest) -> str:
    """The HTML page of ``body["form"]`` over ``body["entity"]`` (default: the draft's
    entity the form names), filled in with ``body["data"]``."""
    refuse_nul(body)
    form = body.get("form")
    findings = validate_document("form", form, prefix="form")
    if findings:
        raise _invalid(findings)
    assert isinstance(form, dict)
    entity = body.get("entity")
    if entity is None:
        entity = _draft_entity(app, form["entity"])
        if entity is None:
            message = _("The form fills in an entity the draft does not define.")
            raise InvalidInput(message, code="unknown_entity", details={"entity": [message]})
    else:
        findings = validate_document("entity", entity, prefix="entity")
        if findings:
            raise _invalid(findings)
    assert isinstance(entity, dict)
    data = body.get("data", {})
    if not isinstance(data, dict):
        message = _("Send the sample answers as a JSON object.")
        raise InvalidInput(_("Some fields are not valid."), details={"data": [message]})
    # The form's own checks, against this entity (its workflow need not exist yet).
    workflows = {form["workflow"]} if isinstance(form.get("workflow"), str) else set()
    findings = _entity_findings(entity) + _form_findings(form, {form["entity"]: entity}, workflows)
    if entity["key"] != form["entity"]:
        findings.append(
            Finding(
                code="unknown_entity",
                message=f"the form fills in entity {form['entity']!r}, not {entity['key']!r}",
                path="form/entity",
            )
        )
    if findings:
        raise _invalid(findings)
    from apps.portal.rendering import form_view
    from apps.portal.selectors import agency_options

    form_def, entity_def = parse_form(form), parse_entity(entity)
    values = {k: v for k, v in data.items() if entity_def.field(str(k)) is not None}
    view = form_view(form_def, entity_def, values=values, agency_options=agency_options)
    context = {"form": view, "app_label": translated(draft_of(app).label)}
    return render_to_string("builder/preview.html", context, request=request)
