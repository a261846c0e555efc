"""A draft form drawn as citizens see it, for the builder's preview. Nothing is stored or
sent.

The builder checks the documents; drawing them is the citizen portal's job, with its own
templates and script. The portal registers its drawing function here when Django starts
(``set_renderer``), so the builder never imports the layer above it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from apps.core.errors import InvalidInput, refuse_nul
from apps.core.models import translated
from workflows.definition import (
    EntityDef,
    FormDef,
    _entity_findings,
    _form_findings,
    parse_entity,
    parse_form,
    validate_document,
)
from workflows.errors import Finding

from .models import App
from .selectors import draft_of

#: ``renderer(form, entity, values, app_label, request)``: the page's HTML.
Renderer = Callable[[FormDef, EntityDef, dict[str, Any], str, HttpRequest], str]
_renderer: Renderer | None = None


def set_renderer(renderer: Renderer | None) -> None:
    """Who draws previews (the citizen portal, when it is installed)."""
    global _renderer
    _renderer = renderer


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
    if _renderer is None:
        raise InvalidInput(
            _("Previews are not available: the citizen portal is not installed."),
            code="preview_unavailable",
        )
    form_def, entity_def = parse_form(form), parse_entity(entity)
    values = {k: v for k, v in data.items() if entity_def.field(str(k)) is not None}
    return _renderer(form_def, entity_def, values, translated(draft_of(app).label), request)
