"""The citizen pages: the list of public forms, a generated form, the receipt after
sending, and the status lookup by tracking code and secret.

Thin edges: read the request, call one selector or service, draw the page. Everything
works without JavaScript; every refusal is a page with a translated message and a 4xx.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from apps.builder.models import AppVersion
from apps.builder.selectors import public_forms, published_form
from apps.core.errors import InvalidInput, NotFound, ServiceError
from apps.core.models import translated
from apps.records.selectors import record_by_tracking
from apps.records.services import ALPHABET, normalize_code, record_submit
from workflows.definition import AppDef, EntityDef, FormDef

from .rendering import (
    HONEYPOT,
    form_view,
    max_upload_bytes,
    raw_from_post,
    uploads_from_files,
)
from .selectors import agency_options, case_status

#: Session key of {tracking code: secret} for receipts not yet shown.
RECEIPTS = "portal.receipts"
TRACKING_CODE_RE = re.compile(rf"^[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}$")
MAX_CODE_LENGTH = 32
#: Receipts not yet looked at that a session keeps (the newest).
MAX_RECEIPTS = 10


class HttpResponseSeeOther(HttpResponseRedirect):
    """303: after a POST, the browser GETs the next page (no resubmission on reload)."""

    status_code = 303


def _not_found(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "portal/not_found.html", {"message": message}, status=404)


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    entries = [
        {
            "url": reverse("portal:form", args=[version.app.key, form.key]),
            "label": translated(form.label),
            "description": translated(form.description),
            "app_label": translated(version.label),
        }
        for version, form in public_forms()
    ]
    return render(request, "portal/index.html", {"forms": entries})


# --------------------------------------------------------------------------- the form


def _form_response(
    request: HttpRequest,
    version: AppVersion,
    form: FormDef,
    entity: EntityDef,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    general_errors: list[str] | None = None,
    reattach: Collection[str] = (),
    status: int = 200,
) -> HttpResponse:
    view = form_view(
        form,
        entity,
        values=values,
        errors=errors,
        general_errors=general_errors,
        agency_options=agency_options,
        reattach=reattach,
    )
    context = {
        "form": view,
        "app_label": translated(version.label),
        "action": reverse("portal:form", args=[version.app.key, form.key]),
        "honeypot": HONEYPOT,
    }
    return render(request, "portal/form.html", context, status=status)


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@csrf_exempt  # the body is checked and read first; CSRF is enforced by _form_page below
@require_http_methods(["GET", "HEAD", "POST"])
def form_page(request: HttpRequest, app_key: str, form_key: str) -> HttpResponse:
    """A published public form; POST sends it (multipart) and redirects to the receipt."""
    try:
        version, app_def, form = published_form(app_key, form_key)
    except NotFound as missing:
        return _not_found(request, missing.message)
    if form.audience != "public":
        return _not_found(request, _("This form does not exist or is not published."))
    entity = app_def.entities[form.entity]
    if request.method == "POST":
        # Refuse an oversized body before reading it: every file at its limit, plus fields.
        limit = max_upload_bytes(form, entity) + (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)
        if _content_length(request) > limit:
            message = _("What you sent is too large. Attach fewer or smaller files.")
            return _form_response(
                request, version, form, entity, general_errors=[message], status=413
            )
        try:
            request.POST  # noqa: B018 - parse now, under Django's upload limits
            request.FILES  # noqa: B018
        except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent, MultiPartParserError):
            message = _("What you sent could not be read: too many or too large answers or files.")
            return _form_response(
                request, version, form, entity, general_errors=[message], status=400
            )
    return _form_page(request, version, app_def, form)


@csrf_protect
def _form_page(
    request: HttpRequest, version: AppVersion, app_def: AppDef, form: FormDef
) -> HttpResponse:
    entity = app_def.entities[form.entity]
    if request.method != "POST":
        return _form_response(request, version, form, entity)
    raw = raw_from_post(form, entity, request.POST)
    uploads = uploads_from_files(form, entity, request.FILES)
    if request.POST.get(HONEYPOT, "").strip():
        message = _("Your report could not be sent. Please try again.")
        return _form_response(
            request,
            version,
            form,
            entity,
            values=raw,
            general_errors=[message],
            reattach=uploads,
            status=400,
        )
    try:
        submission = record_submit(
            version=version, app_def=app_def, form=form, raw=raw, files=uploads, user=request.user
        )
    except InvalidInput as invalid:
        field_errors = invalid.details if isinstance(invalid.details, dict) else {}
        return _form_response(
            request,
            version,
            form,
            entity,
            values=raw,
            errors=field_errors,
            general_errors=[] if field_errors else [invalid.message],
            reattach=uploads,
            status=invalid.status,
        )
    except ServiceError as refused:
        return _form_response(
            request,
            version,
            form,
            entity,
            values=raw,
            general_errors=[refused.message],
            reattach=uploads,
            status=refused.status,
        )
    code = submission.record.tracking_code
    receipts = dict(request.session.get(RECEIPTS) or {})
    receipts[code] = submission.secret
    request.session[RECEIPTS] = dict(list(receipts.items())[-MAX_RECEIPTS:])
    return HttpResponseSeeOther(reverse("portal:receipt", args=[code]))


# --------------------------------------------------------------------------- receipt


def status_link(code: str, secret: str) -> str:
    """The private link to a case's status page (code and secret prefilled)."""
    return f"{reverse('portal:status')}?{urlencode({'code': code, 'secret': secret})}"


@never_cache
@require_safe
def receipt(request: HttpRequest, tracking_code: str) -> HttpResponse:
    """The tracking code, and the secret once: it is taken out of the session here."""
    code = normalize_code(tracking_code)
    if not TRACKING_CODE_RE.match(code):
        return _not_found(request, _("This page does not exist."))
    receipts = dict(request.session.get(RECEIPTS) or {})
    secret = receipts.pop(code, None)
    if secret is not None:
        request.session[RECEIPTS] = receipts
    context = {
        "code": code,
        "secret": secret,
        "status_url": status_link(code, secret) if secret else None,
        "lookup_url": f"{reverse('portal:status')}?{urlencode({'code': code})}",
    }
    return render(request, "portal/receipt.html", context)


# --------------------------------------------------------------------------- status


@never_cache
@require_safe
def status(request: HttpRequest) -> HttpResponse:
    """The lookup form; with a matching tracking code and secret, the case's public page."""
    code = request.GET.get("code", "").strip()[:MAX_CODE_LENGTH]
    secret = request.GET.get("secret", "").strip()[:MAX_CODE_LENGTH]
    context: dict[str, Any] = {"code": code, "secret": secret, "errors": {}}
    if not code and not secret:
        return render(request, "portal/status_lookup.html", context)
    if not code or not secret:
        if not code:
            context["errors"]["code"] = _("Enter the tracking code.")
        if not secret:
            context["errors"]["secret"] = _("Enter the secret.")
        return render(request, "portal/status_lookup.html", context, status=400)
    record = record_by_tracking(code, secret)
    if record is None:
        context["not_found"] = _(
            "There is no case with this tracking code and secret. Check both and try again."
        )
        return render(request, "portal/status_lookup.html", context, status=404)
    context["case"] = case_status(record)
    return render(request, "portal/status.html", context)
