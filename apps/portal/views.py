"""The citizen pages: the list of public forms, a generated form, the receipt after
sending, and the status lookup by tracking code and secret.

Thin edges: read the request, call one selector or service, draw the page. Everything
works without JavaScript; every refusal is a page with a translated message and a 4xx.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Collection
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.multipartparser import MultiPartParserError
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from apps.builder.models import AppVersion
from apps.builder.selectors import public_forms, published_form, version_app_def
from apps.core.errors import InvalidInput, NotFound, ServiceError
from apps.core.models import translated
from apps.records.models import Record
from apps.records.selectors import record_by_tracking
from apps.records.services import ALPHABET, agency_exists, normalize_code
from apps.records.validation import errors_by_field
from apps.runtime.services import (
    case_open,
    case_reopen_by_citizen,
    form_refused,
    form_usable_by,
)
from workflows import rules
from workflows.definition import AppDef, EntityDef, FormDef, StepDef
from workflows.forms import clean_submission, field_of_error

from .models import SubmissionDraft, parse_rate
from .rendering import (
    FILE_TYPES,
    HONEYPOT,
    form_view,
    group_summary,
    max_upload_bytes,
    raw_from_post,
    row_action,
    uploads_from_files,
)
from .selectors import (
    agency_options,
    case_status,
    citizen_task_of,
    correction_form,
    draft_for,
    open_citizen_task,
    submissions_of,
)
from .services import (
    correction_submit,
    draft_delete,
    draft_files_keep,
    draft_save,
    rating_add,
)

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


# --------------------------------------------------------------------------- throttling


def _over_rate(request: HttpRequest) -> int:
    """Seconds to wait when this anonymous POST is over ``PORTAL_SUBMIT_RATE`` for its
    client address (counted in the cache, per fixed window); 0 when it may go on."""
    if request.method != "POST" or request.user.is_authenticated:
        return 0
    try:
        limit, period = parse_rate(str(getattr(settings, "PORTAL_SUBMIT_RATE", "") or ""))
    except ValueError:
        return 0
    window = int(time.time() // period)
    address = request.META.get("REMOTE_ADDR") or "unknown"
    key = f"portal-rate:{address}:{period}:{window}"
    cache.add(key, 0, timeout=period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=period + 1)
        count = 1
    if count <= limit:
        return 0
    return max(1, (window + 1) * period - int(time.time()))


def throttled(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Refuse an anonymous POST over the rate with a translated 429 page, before the view
    reads or keeps anything."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        wait = _over_rate(request)
        if wait:
            response = render(request, "portal/too_many.html", {"wait_minutes": -(-wait // 60)},
                              status=429)  # fmt: skip
            response["Retry-After"] = str(wait)
            return response
        return view(request, *args, **kwargs)

    return wrapper


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
    action = reverse("portal:form", args=[version.app.key, form.key])
    steps = wizard_steps(form, entity)
    context = {
        "form": view,
        "app_label": translated(version.label),
        "action": action,
        "honeypot": HONEYPOT,
        "wizard_url": f"{action}?{urlencode({STEP: steps[0].key})}" if len(steps) > 1 else None,
    }
    return render(request, "portal/form.html", context, status=status)


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@throttled
@csrf_exempt  # the body is checked and read first; CSRF is enforced by _form_page below
@require_http_methods(["GET", "HEAD", "POST"])
def form_page(request: HttpRequest, app_key: str, form_key: str) -> HttpResponse:
    """A published public form; POST sends it (multipart) and redirects to the receipt."""
    try:
        version, app_def, form = published_form(app_key, form_key)
    except NotFound as missing:
        return _not_found(request, missing.message)
    if not form_usable_by(form, request.user):
        return _not_found(request, form_refused().message)
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
        one_page = request.GET.get(ALL_ON_ONE_PAGE) == "1"
        if STEP in request.GET or DRAFT in request.GET:
            return _wizard_get(request, version, app_def, form)
        if not one_page and len(wizard_steps(form, entity)) > 1:
            # A form of several steps is filled in step by step unless asked otherwise.
            return _wizard_get(request, version, app_def, form)
        return _form_response(request, version, form, entity)
    if WIZARD in request.POST:
        return _wizard_post(request, version, app_def, form)
    raw = raw_from_post(form, entity, request.POST)
    uploads = uploads_from_files(form, entity, request.FILES)
    redrawn = row_action(form, entity, request.POST)
    if redrawn is not None:  # a group's "add another" / "remove": draw again, send nothing
        return _form_response(request, version, form, entity, values=redrawn, reattach=uploads)
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
        submission = case_open(
            version=version,
            app_def=app_def,
            form=form,
            raw=raw,
            files=uploads,
            user=request.user,
            **_door(request),
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
    return _to_receipt(request, submission.record.tracking_code, submission.secret)


def _door(request: HttpRequest) -> dict[str, Any]:
    """How the portal opens a case: the request's site and language for the receipt."""
    return {
        "door": "portal",
        "site_url": request.build_absolute_uri("/"),
        "language": get_language() or settings.LANGUAGE_CODE,
    }


def _to_receipt(request: HttpRequest, code: str, secret: str) -> HttpResponse:
    receipts = dict(request.session.get(RECEIPTS) or {})
    receipts[code] = secret
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
    context["sent"] = request.GET.get("sent", "")
    return render(request, "portal/status.html", context)


# --------------------------------------------------------------------------- the wizard
#
# ``?step=<key>`` (or ``?draft=<uuid>``) draws one step of the form at a time; each POST
# carries the marker ``_wizard``, the step it comes from and the draft, and a ``nav``
# button: next (validate this step's answers, then the next step or the summary), back,
# save (keep the draft and show its link) or submit (from the summary). The answers live
# in a SubmissionDraft. File and photo fields are drawn on the summary page; the files
# chosen there are kept with the draft (saved or refused), listed with a remove box when
# it is resumed, and copied into the record at the final send.

WIZARD = "_wizard"
STEP = "step"
#: ``?all=1``: the whole form on one page (staff, printing, or by choice).
ALL_ON_ONE_PAGE = "all"
DRAFT = "draft"
NAV = "nav"
SUMMARY = "summary"
SAVED = "saved"
FILE_WIDGET = "file"
#: A checkbox on the summary: the UUID of a file kept with the draft to drop.
REMOVE_FILE = "remove_file"


def wizard_steps(form: FormDef, entity: EntityDef) -> list[StepDef]:
    """The steps the wizard walks: those with a field that is not a file."""
    return [
        step
        for step in form.steps
        if any(
            (spec := entity.field(ff.field)) is not None and spec.type not in FILE_TYPES
            for ff in step.fields
        )
    ]


def _file_keys(form: FormDef, entity: EntityDef) -> set[str]:
    return {
        ff.field
        for ff in form.form_fields()
        if (spec := entity.field(ff.field)) is not None and spec.type in FILE_TYPES
    }


def _one_step(form: FormDef, step: StepDef) -> FormDef:
    return FormDef(
        key=form.key,
        entity=form.entity,
        label=form.label,
        steps=(step,),
        audience=form.audience,
        workflow=form.workflow,
        description=form.description,
    )


def _wizard_url(
    version: AppVersion, form: FormDef, draft: SubmissionDraft | None, step: str
) -> str:
    query = {DRAFT: str(draft.uuid)} if draft is not None else {}
    query[STEP] = step
    return f"{reverse('portal:form', args=[version.app.key, form.key])}?{urlencode(query)}"


def _check(
    form: FormDef, entity: EntityDef, answers: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, list[str]], set[str]]:
    """(clean data, errors by field, fields hidden by the answers) of the whole draft;
    files are not part of a draft, so their errors are left out."""
    files = _file_keys(form, entity)
    data, found = clean_submission(form, entity, answers, agency_exists=agency_exists)
    errors = errors_by_field([e for e in found if e.field not in files])
    hidden = set()
    for form_field in form.form_fields():
        key = form_field.field
        if key in files or key in data or key in errors:
            continue
        if form_field.visible_if is not None and not rules.compile(form_field.visible_if).truthy(
            data, trusted=True
        ):
            hidden.add(key)
    return data, errors, hidden


def _load_draft(request: HttpRequest, source: Any, form: FormDef, app_key: str) -> Any:
    """The draft named in ``source`` (None if none is named; False if it is unknown)."""
    named = str(source.get(DRAFT, "")).strip()[:64]
    if not named:
        return None
    return draft_for(named, app_key=app_key, form_key=form.key) or False


def _wizard_get(
    request: HttpRequest, version: AppVersion, app_def: AppDef, form: FormDef
) -> HttpResponse:
    entity = app_def.entities[form.entity]
    draft = _load_draft(request, request.GET, form, version.app.key)
    if draft is False:
        return _not_found(request, _("This draft does not exist or has expired."))
    answers = dict(draft.data) if draft else {}
    step_key = request.GET.get(STEP, "")
    if step_key == SAVED and draft:
        return _draft_saved(request, version, form, draft)
    if step_key == SUMMARY:
        return _wizard_summary(request, version, form, entity, draft, answers)
    steps = wizard_steps(form, entity)
    index = next((i for i, s in enumerate(steps) if s.key == step_key), 0)
    return _wizard_step(request, version, form, entity, draft, answers, index)


def _wizard_step(
    request: HttpRequest,
    version: AppVersion,
    form: FormDef,
    entity: EntityDef,
    draft: SubmissionDraft | None,
    answers: dict[str, Any],
    index: int,
    *,
    errors: dict[str, list[str]] | None = None,
    general_errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    steps = wizard_steps(form, entity)
    step = steps[index]
    view = form_view(
        _one_step(form, step),
        entity,
        values=answers,
        errors=errors,
        general_errors=general_errors,
        agency_options=agency_options,
    )
    shown = [f for f in view.steps[0].fields if f.widget != FILE_WIDGET]
    action = reverse("portal:form", args=[version.app.key, form.key])
    context = {
        "carried": _carried_answers(form, entity, answers, step),
        "one_page_url": f"{action}?{urlencode({ALL_ON_ONE_PAGE: '1'})}",
        "form": view,
        "step": view.steps[0],
        "fields": shown,
        "has_files_later": len(shown) < len(view.steps[0].fields)
        or bool(_file_keys(form, entity) - {ff.field for ff in step.fields}),
        "step_key": step.key,
        "step_number": index + 1,
        "step_count": len(steps),
        "first": index == 0,
        "app_label": translated(version.label),
        "action": reverse("portal:form", args=[version.app.key, form.key]),
        "draft": draft,
        "honeypot": HONEYPOT,
        "wizard": WIZARD,
    }
    return render(request, "portal/wizard_step.html", context, status=status)


#: How a carried answer is drawn for the browser's rules (``frontend/src/portal/rules.js``
#: reads a field's value from its inputs by ``data-widget``).
CARRIED_WIDGETS = {
    "multi_choice": "checkboxes",
    "boolean": "checkbox",
    "number": "number",
    "location": "location",
}


def _carried_answers(
    form: FormDef, entity: EntityDef, answers: dict[str, Any], step: StepDef
) -> list[dict[str, Any]]:
    """The clean answers of the other steps, drawn as hidden inputs on a step's page so
    the browser evaluates a rule that looks at them as the server does (the server reads
    only the current step's fields from the POST, so they change nothing)."""
    data, _errors, _hidden = _check(form, entity, answers)
    here = {ff.field for ff in step.fields}
    carried = []
    for key, value in data.items():
        spec = entity.field(key)
        if key in here or spec is None or spec.type in FILE_TYPES or spec.type == "group":
            continue
        if value in (None, "", []):
            continue
        widget = CARRIED_WIDGETS.get(spec.type, "text")
        if widget == "location" and isinstance(value, dict):
            inputs = [
                {"name": f"{key}.{part}", "value": value.get(part), "type": "hidden"}
                for part in ("lat", "lng", "address")
                if value.get(part) not in (None, "")
            ]
        elif widget == "checkboxes":
            values = value if isinstance(value, list) else [value]
            inputs = [{"name": key, "value": v, "type": "checkbox"} for v in values]
        elif widget == "checkbox":
            if value is not True:
                continue
            inputs = [{"name": key, "value": "true", "type": "checkbox"}]
        else:
            text = str(int(value)) if isinstance(value, float) and value.is_integer() else value
            inputs = [{"name": key, "value": text, "type": "hidden"}]
        carried.append({"key": key, "widget": widget, "inputs": inputs})
    return carried


def _display(spec: Any, value: Any) -> str:
    """An answer as the summary shows it."""
    if spec.type in {"choice", "multi_choice"}:
        labels = {option.value: translated(option.label) for option in spec.options}
        values = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(v, str(v)) for v in values)
    if spec.type == "agency":
        names = dict(agency_options(spec.config.get("agency_kind")))
        return str(names.get(value, value))
    if spec.type == "boolean":
        return _("Yes") if value else _("No")
    if spec.type == "group" and isinstance(value, list):
        return group_summary(spec, value, _display)
    if spec.type == "location" and isinstance(value, dict):
        coords = f"{value.get('lat')}, {value.get('lng')}"
        return f"{value['address']} ({coords})" if value.get("address") else coords
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _wizard_summary(
    request: HttpRequest,
    version: AppVersion,
    form: FormDef,
    entity: EntityDef,
    draft: SubmissionDraft | None,
    answers: dict[str, Any],
    *,
    errors: dict[str, list[str]] | None = None,
    general_errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    data, step_errors, hidden = _check(form, entity, answers)
    if step_errors and status == 200:
        # Something is missing: back to the first step that needs it.
        failing = {field_of_error(key) for key in step_errors}
        for step in wizard_steps(form, entity):
            if any(ff.field in failing for ff in step.fields):
                return HttpResponseSeeOther(_wizard_url(version, form, draft, step.key))
    sections = []
    files = _file_keys(form, entity)
    for step in wizard_steps(form, entity):
        items = []
        for ff in step.fields:
            spec = entity.field(ff.field)
            if spec is None or spec.key in files or spec.key in hidden:
                continue
            value = data.get(spec.key)
            items.append(
                {
                    "label": translated(ff.label or spec.label),
                    "value": _display(spec, value) if value not in (None, "", []) else "",
                }
            )
        sections.append(
            {
                "label": translated(step.label),
                "items": items,
                "change_url": _wizard_url(version, form, draft, step.key),
            }
        )
    visible_files = [
        ff
        for ff in form.form_fields()
        if ff.field in files
        and (ff.visible_if is None or rules.compile(ff.visible_if).truthy(data, trusted=True))
    ]
    file_form = FormDef(
        key=form.key,
        entity=form.entity,
        label=form.label,
        steps=(StepDef(key=SUMMARY, label={}, fields=tuple(visible_files)),),
    )
    file_view = form_view(
        file_form,
        entity,
        values={},
        errors=errors,
        general_errors=general_errors,
        agency_options=agency_options,
    )
    steps = wizard_steps(form, entity)
    labels = {}
    for ff in visible_files:
        spec = entity.field(ff.field)
        labels[ff.field] = translated(ff.label or (spec.label if spec else {}))
    kept_files = [
        {"uuid": str(a.uuid), "name": a.name, "size": a.size, "field": labels[a.field_key]}
        for a in (draft.attachments.order_by("created_at", "pk") if draft is not None else [])
        if a.field_key in labels
    ]
    context = {
        "kept_files": kept_files,
        "remove_file": REMOVE_FILE,
        "form": file_view,
        "form_label": translated(form.label),
        "sections": sections,
        "file_fields": file_view.steps[0].fields,
        "app_label": translated(version.label),
        "action": reverse("portal:form", args=[version.app.key, form.key]),
        "draft": draft,
        "honeypot": HONEYPOT,
        "wizard": WIZARD,
        "summary_key": SUMMARY,
        "back_url": _wizard_url(version, form, draft, steps[-1].key) if steps else None,
    }
    return render(request, "portal/wizard_summary.html", context, status=status)


def _draft_saved(
    request: HttpRequest, version: AppVersion, form: FormDef, draft: SubmissionDraft
) -> HttpResponse:
    path = reverse("portal:form", args=[version.app.key, form.key])
    context = {
        "form_label": translated(form.label),
        "app_label": translated(version.label),
        "resume_url": request.build_absolute_uri(f"{path}?{urlencode({DRAFT: str(draft.uuid)})}"),
        "draft": draft,
    }
    return render(request, "portal/draft_saved.html", context)


def _wizard_post(
    request: HttpRequest, version: AppVersion, app_def: AppDef, form: FormDef
) -> HttpResponse:
    entity = app_def.entities[form.entity]
    app_key = version.app.key
    draft = _load_draft(request, request.POST, form, app_key)
    if draft is False:
        return _not_found(request, _("This draft does not exist or has expired."))
    answers: dict[str, Any] = dict(draft.data) if draft else {}
    steps = wizard_steps(form, entity)
    step_key = request.POST.get("_step", "")
    nav = request.POST.get(NAV, "next")
    if request.POST.get(HONEYPOT, "").strip():
        return _not_found(request, _("Your report could not be sent. Please try again."))
    if step_key == SUMMARY:
        draft = draft_save(draft=draft or None, app_key=app_key, form_key=form.key, data=answers)
        try:
            draft_files_keep(
                draft=draft,
                form=form,
                entity=entity,
                files=uploads_from_files(form, entity, request.FILES),
                remove=request.POST.getlist(REMOVE_FILE),
            )
        except InvalidInput as invalid:
            field_errors = invalid.details if isinstance(invalid.details, dict) else {}
            return _wizard_summary(
                request, version, form, entity, draft, answers, errors=field_errors,
                general_errors=[] if field_errors else [invalid.message], status=invalid.status,
            )  # fmt: skip
        if nav == "save":
            return HttpResponseSeeOther(_wizard_url(version, form, draft, SAVED))
        return _wizard_submit(request, version, app_def, form, draft, answers)
    index = next((i for i, s in enumerate(steps) if s.key == step_key), None)
    if index is None:
        return _not_found(request, _("This page does not exist."))
    step = steps[index]
    step_fields = {ff.field for ff in step.fields} - _file_keys(form, entity)
    posted = raw_from_post(_one_step(form, step), entity, request.POST)
    answers = {k: v for k, v in answers.items() if k not in step_fields}
    answers.update({k: v for k, v in posted.items() if k in step_fields})
    redrawn = row_action(_one_step(form, step), entity, request.POST)
    if redrawn is not None:  # a group's "add another" / "remove": this step again
        shown = {**answers, **{k: v for k, v in redrawn.items() if k in step_fields}}
        return _wizard_step(request, version, form, entity, draft or None, shown, index)
    if nav == "next":
        _data, errors, hidden = _check(form, entity, answers)
        for key in hidden:  # hidden fields are cleared
            answers.pop(key, None)
        here = {k: v for k, v in errors.items() if field_of_error(k) in step_fields}
        draft = draft_save(draft=draft or None, app_key=app_key, form_key=form.key, data=answers)
        if here:
            return _wizard_step(
                request, version, form, entity, draft, answers, index, errors=here, status=400
            )
        target = steps[index + 1].key if index + 1 < len(steps) else SUMMARY
        return HttpResponseSeeOther(_wizard_url(version, form, draft, target))
    draft = draft_save(draft=draft or None, app_key=app_key, form_key=form.key, data=answers)
    if nav == "save":
        return HttpResponseSeeOther(_wizard_url(version, form, draft, SAVED))
    target = steps[max(index - 1, 0)].key  # back
    return HttpResponseSeeOther(_wizard_url(version, form, draft, target))


def _wizard_submit(
    request: HttpRequest,
    version: AppVersion,
    app_def: AppDef,
    form: FormDef,
    draft: SubmissionDraft | None,
    answers: dict[str, Any],
) -> HttpResponse:
    entity = app_def.entities[form.entity]
    kept = []
    uploads: dict[str, list[UploadedFile]] = {}
    stored = list(draft.attachments.order_by("created_at", "pk")) if draft is not None else []
    for attachment in stored:  # the draft's files, copied into the record when it is stored
        try:
            attachment.file.open("rb")
        except OSError:  # gone from the storage: as if it had been removed
            continue
        kept.append(attachment)
        uploads.setdefault(attachment.field_key, []).append(
            UploadedFile(
                file=attachment.file.file,
                name=attachment.name,
                content_type=attachment.content_type,
                size=attachment.size,
            )
        )
    try:
        submission = case_open(
            version=version,
            app_def=app_def,
            form=form,
            raw=answers,
            files=uploads,
            user=request.user,
            **_door(request),
        )
    except InvalidInput as invalid:
        field_errors = invalid.details if isinstance(invalid.details, dict) else {}
        files = _file_keys(form, entity)
        steps = wizard_steps(form, entity)
        for index, step in enumerate(steps):
            mine = {ff.field for ff in step.fields} - files
            here = {k: v for k, v in field_errors.items() if field_of_error(k) in mine}
            if here:
                return _wizard_step(
                    request, version, form, entity, draft, answers, index, errors=here, status=400
                )
        file_errors = {k: v for k, v in field_errors.items() if k in files}
        return _wizard_summary(
            request,
            version,
            form,
            entity,
            draft,
            answers,
            errors=file_errors,
            general_errors=[] if file_errors else [invalid.message],
            status=invalid.status,
        )
    except ServiceError as refused:
        return _wizard_summary(
            request,
            version,
            form,
            entity,
            draft,
            answers,
            general_errors=[refused.message],
            status=refused.status,
        )
    finally:
        for attachment in kept:
            attachment.file.close()
    if draft is not None:
        draft_delete(draft=draft)
    return _to_receipt(request, submission.record.tracking_code, submission.secret)


# --------------------------------------------------------------------------- corrections


def _case_from(source: Any) -> tuple[Any, str, str]:
    code = str(source.get("code", "")).strip()[:MAX_CODE_LENGTH]
    secret = str(source.get("secret", "")).strip()[:MAX_CODE_LENGTH]
    record = record_by_tracking(code, secret) if code and secret else None
    return record, code, secret


def _no_case(request: HttpRequest) -> HttpResponse:
    return _not_found(
        request, _("There is no case with this tracking code and secret. Check both and try again.")
    )


@throttled
@csrf_exempt  # the body is checked and read first; CSRF is enforced by _correction below
@require_http_methods(["GET", "HEAD", "POST"])
def correction(request: HttpRequest) -> HttpResponse:
    """The work given back to the citizen: the fields the officials asked to complete,
    sent with one of the task's actions. Found by tracking code and secret."""
    record, code, secret = _case_from(request.POST if request.method == "POST" else request.GET)
    if record is None:
        return _no_case(request)
    task = open_citizen_task(record)
    if task is None:
        return _not_found(request, _("Nothing is asked of you on this case at the moment."))
    app_def = version_app_def(record.app_version)
    entity = app_def.entities[record.entity_key]
    app_form = app_def.forms.get(record.form_key) if record.form_key else None
    form = correction_form(app_form, entity, task)
    if request.method == "POST":
        limit = max_upload_bytes(form, entity) + (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)
        if _content_length(request) > limit:
            message = _("What you sent is too large. Attach fewer or smaller files.")
            return _correction_page(request, record, secret, task, form, entity,
                                    general_errors=[message], status=413)  # fmt: skip
        try:
            request.POST  # noqa: B018
            request.FILES  # noqa: B018
        except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent, MultiPartParserError):
            message = _("What you sent could not be read: too many or too large answers or files.")
            return _correction_page(request, record, secret, task, form, entity,
                                    general_errors=[message], status=400)  # fmt: skip
    return _correction(request, record, code, secret, task, form, entity)


@csrf_protect
def _correction(
    request: HttpRequest,
    record: Any,
    code: str,
    secret: str,
    task: Any,
    form: FormDef,
    entity: EntityDef,
) -> HttpResponse:
    if request.method != "POST":
        return _correction_page(request, record, secret, task, form, entity)
    raw = raw_from_post(form, entity, request.POST)
    uploads = uploads_from_files(form, entity, request.FILES)
    redrawn = row_action(form, entity, request.POST)
    if redrawn is not None:  # a group's "add another" / "remove": draw again, send nothing
        return _correction_page(request, record, secret, task, form, entity, values=redrawn,
                                reattach=uploads)  # fmt: skip
    action = request.POST.get("action", "")
    try:
        correction_submit(
            task=task,
            record=record,
            secret=secret,
            entity=entity,
            action=action,
            raw=raw,
            files=uploads,
        )
    except NotFound:
        return _no_case(request)
    except InvalidInput as invalid:
        field_errors = invalid.details if isinstance(invalid.details, dict) else {}
        return _correction_page(
            request, record, secret, task, form, entity, values=raw, errors=field_errors,
            general_errors=[] if field_errors else [invalid.message], reattach=uploads,
            status=invalid.status,
        )  # fmt: skip
    except ServiceError as refused:
        return _correction_page(
            request, record, secret, task, form, entity, values=raw,
            general_errors=[refused.message], status=refused.status,
        )  # fmt: skip
    return HttpResponseSeeOther(f"{status_link(record.tracking_code, secret)}&sent=correction")


def _correction_page(
    request: HttpRequest,
    record: Any,
    secret: str,
    task: Any,
    form: FormDef,
    entity: EntityDef,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    general_errors: list[str] | None = None,
    reattach: Collection[str] = (),
    status: int = 200,
) -> HttpResponse:
    current = {k: v for k, v in record.data.items() if k in task.fields}
    view = form_view(
        form,
        entity,
        values={**current, **(values or {})},
        errors=errors,
        general_errors=general_errors,
        agency_options=agency_options,
        reattach=reattach,
    )
    for field in view.steps[0].fields:
        sent = record.data.get(field.key) if field.widget == "file" else None
        names = [str(i.get("name")) for i in sent or [] if isinstance(i, dict)]
        if names:
            message = _("Files sent so far: %(names)s. New files you choose replace them.") % {
                "names": ", ".join(names)
            }
            field.hint = " ".join([field.hint, message]).strip()
    context = {
        "form": view,
        "case": citizen_task_of(record, task, entity),
        "tracking_code": record.tracking_code,
        "secret": secret,
        "status_url": status_link(record.tracking_code, secret),
        "action": reverse("portal:correction"),
    }
    return render(request, "portal/correction.html", context, status=status)


# --------------------------------------------------------------------------- rating


@throttled
@never_cache
@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def rate(request: HttpRequest) -> HttpResponse:
    """The citizen rates their closed case (once), then goes back to its status page."""
    record, _code, secret = _case_from(request.POST if request.method == "POST" else request.GET)
    if record is None:
        return _no_case(request)
    case = case_status(record)
    context: dict[str, Any] = {"case": case, "secret": secret}
    if request.method != "POST":
        if not case.closed or case.rating is not None:
            return HttpResponseSeeOther(status_link(record.tracking_code, secret))
        return render(request, "portal/rate.html", context)
    try:
        rating_add(
            record=record,
            secret=secret,
            stars=request.POST.get("stars", ""),
            comment=request.POST.get("comment", ""),
        )
    except NotFound:
        return _no_case(request)
    except ServiceError as refused:
        details = refused.details if isinstance(refused.details, dict) else None
        context.update(
            rating_errors=details or {},
            rating_general=[] if details else [refused.message],
            rating_values={
                "stars": request.POST.get("stars", ""),
                "comment": request.POST.get("comment", "")[:2000],
            },
        )
        return render(request, "portal/rate.html", context, status=refused.status)
    return HttpResponseSeeOther(f"{status_link(record.tracking_code, secret)}&sent=rating")


# --------------------------------------------------------------------------- reopening


@throttled
@never_cache
@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def reopen(request: HttpRequest) -> HttpResponse:
    """The citizen is not satisfied with their closed case: they say why, and its work
    starts again (within ``PORTAL_REOPEN_DAYS`` of closing, once per closing)."""
    record, _code, secret = _case_from(request.POST if request.method == "POST" else request.GET)
    if record is None:
        return _no_case(request)
    case = case_status(record)
    context: dict[str, Any] = {"case": case, "secret": secret, "reopen_errors": {}}
    if request.method != "POST":
        if case.reopen_until is None:
            return HttpResponseSeeOther(status_link(record.tracking_code, secret))
        return render(request, "portal/reopen.html", context)
    try:
        case_reopen_by_citizen(record=record, secret=secret, reason=request.POST.get("reason", ""))
    except NotFound:
        return _no_case(request)
    except ServiceError as refused:
        details = refused.details if isinstance(refused.details, dict) else None
        context.update(
            reopen_errors=details or {},
            reopen_general=[] if details else [refused.message],
            reason=request.POST.get("reason", "")[:2000],
        )
        return render(request, "portal/reopen.html", context, status=refused.status)
    return HttpResponseSeeOther(f"{status_link(record.tracking_code, secret)}&sent=reopened")


# --------------------------------------------------------------------------- accounts


class CitizenLogin(auth_views.LoginView):
    """Citizens sign in (optional) to find their submissions on "My submissions"."""

    template_name = "portal/login.html"
    redirect_authenticated_user = True
    next_page = "portal:account"

    @method_decorator(throttled)
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return super().dispatch(request, *args, **kwargs)


class CitizenLogout(auth_views.LogoutView):
    next_page = "portal:index"


@never_cache
@require_safe
def account(request: HttpRequest) -> HttpResponse:
    """The signed-in citizen's submissions across the apps, newest first; each links to its
    status page (no secret needed: they are its owner)."""
    if not request.user.is_authenticated:
        return HttpResponseSeeOther(
            f"{reverse('portal:login')}?{urlencode({'next': reverse('portal:account')})}"
        )
    entries = []
    for record in submissions_of(request.user):
        form = version_app_def(record.app_version).forms.get(record.form_key)
        entries.append(
            {
                "code": record.tracking_code,
                "form_label": translated(form.label if form else record.app_version.label),
                "app_label": translated(record.app_version.label),
                "closed": record.status == record.Status.CLOSED,
                "status": record.get_status_display(),
                "created_at": record.created_at,
                "url": reverse("portal:mine", args=[record.tracking_code]),
            }
        )
    return render(request, "portal/account.html", {"submissions": entries})


@never_cache
@require_safe
def my_case(request: HttpRequest, tracking_code: str) -> HttpResponse:
    """The status page of a case the signed-in citizen submitted (no secret asked)."""
    if not request.user.is_authenticated:
        return HttpResponseSeeOther(
            f"{reverse('portal:login')}?{urlencode({'next': request.get_full_path()})}"
        )
    code = normalize_code(tracking_code)[:MAX_CODE_LENGTH]
    record = Record.objects.filter(tracking_code=code, submitted_by=request.user).first()
    if record is None:
        return _not_found(request, _("This page does not exist."))
    context = {"case": case_status(record), "secret": "", "owner": True, "errors": {}}
    return render(request, "portal/status.html", context)
