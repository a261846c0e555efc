"""The Open311 GeoReport v2 endpoint (wiki.open311.org/GeoReport_v2) under /open311/v2/.

Thin edges: read the arguments, call one selector or service, render XML or JSON (the
format is the path's extension). Every refusal is the specification's error list with a
4xx: 404 for what does not exist, 403 for a missing or wrong ``api_key``, 429 when a key
sends too much, 400 for anything else. Texts are Vietnamese unless ``locale=en``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from apps.core.errors import ServiceError
from apps.records.services import normalize_code

from . import selectors
from .rendering import render, render_errors
from .services import (
    RequestInput,
    Throttled,
    api_key_authenticate,
    api_key_throttle,
    named,
    request_create,
)

View = Callable[..., HttpResponse]
LANGUAGES = ("vi", "en")
STANDARD_ARGUMENTS = (
    "lat",
    "long",
    "address_string",
    "description",
    "email",
    "first_name",
    "last_name",
    "phone",
    "media_url",
)
#: At most this many ids in one ``service_request_id`` search.
MAX_IDS = selectors.MAX_RESULTS


def _locale(request: HttpRequest, *, body: bool) -> str:
    """``locale=en`` (also ``en_US``, ``en-GB``; in the query, or in the POST's ``body``
    when it was readable) for English; Vietnamese otherwise."""
    wanted = request.GET.get("locale") or ""
    if not wanted and body:
        wanted = request.POST.get("locale") or ""
    wanted = wanted.strip().lower().replace("_", "-")
    language = wanted.split("-", 1)[0]
    return language if language in LANGUAGES else settings.LANGUAGE_CODE[:2]


def _readable(request: HttpRequest) -> bool:
    """Whether the form-encoded (or multipart) body can be read (not too large, not too
    many fields, not malformed)."""
    try:
        request.POST  # noqa: B018 - parses the body once
    except (RequestDataTooBig, TooManyFieldsSent, MultiPartParserError):
        return False
    return True


def endpoint(*methods: str) -> Callable[[View], View]:
    """An Open311 view: answers in the request's ``locale``, refuses other methods with 405
    in the error format, and never needs a CSRF token (clients authenticate with a key)."""
    allowed = {*methods, "HEAD"} if "GET" in methods else set(methods)
    any_method = not methods

    def decorate(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, fmt: str = "xml", **kwargs: Any) -> Any:
            readable = request.method == "POST" and _readable(request)
            language = _locale(request, body=readable)
            with translation.override(language):
                if not any_method and request.method not in allowed:
                    response = render_errors(
                        [_("This method is not allowed here.")], fmt, status=405
                    )
                    response["Allow"] = ", ".join(sorted(allowed))
                elif request.method == "POST" and not readable:
                    response = render_errors([_("The request could not be read.")], fmt, status=400)
                else:
                    try:
                        response = view(request, *args, fmt=fmt, **kwargs)
                    except Throttled as throttled:
                        response = render_errors([throttled.message], fmt, status=429)
                        response["Retry-After"] = str(throttled.retry_after)
                    except ServiceError as error:
                        lines = error.details if isinstance(error.details, list) else None
                        response = render_errors(
                            [str(line) for line in lines or [error.message]],
                            fmt,
                            status=error.status,
                        )
            response["Content-Language"] = language
            response["Access-Control-Allow-Origin"] = "*"
            return response

        return wrapped

    return decorate


def _bad_request(message: str) -> ServiceError:
    return ServiceError(message, code="invalid_argument", status=400)


def _argument(params: QueryDict, name: str) -> str:
    """An optional argument: empty is the same as absent (as the specification says)."""
    return (params.get(name) or "").strip()


def _list_argument(params: QueryDict, name: str) -> list[str]:
    """A comma-delimited argument, which may also be declared several times."""
    return [
        item.strip() for value in params.getlist(name) for item in value.split(",") if item.strip()
    ]


def _moment(params: QueryDict, name: str) -> datetime | None:
    """A W3C date-time (``2026-01-31T08:00:00+07:00``, ``…Z``); a date alone is its
    midnight and a time without an offset is in the installation's time zone."""
    text = _argument(params, name)
    if not text:
        return None
    try:
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), datetime.min.time())
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        message = _(
            "Enter a date and time in ISO 8601 format with a time zone, "
            "e.g. 2026-01-31T08:00:00+07:00."
        )
        raise _bad_request(named(name, message)) from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _service(code: str) -> selectors.Service:
    service = selectors.service_by_code(code)
    if service is None:
        raise ServiceError(
            named("service_code", _("This service does not exist.")),
            code="unknown_service",
            status=404,
        )
    return service


# --------------------------------------------------------------------------- views


@endpoint("GET")
def discovery(request: HttpRequest, *, fmt: str) -> HttpResponse:
    document = selectors.discovery_document(
        url=request.build_absolute_uri(
            reverse("portal:open311:services", kwargs={"fmt": "xml"})
        ).removesuffix("/services.xml"),
        contact=getattr(settings, "OPEN311_CONTACT", "")
        or _("Contact the city's IT department about this service."),
        key_service=getattr(settings, "OPEN311_KEY_SERVICE", "")
        or _("API keys to send requests are issued by the city's IT department."),
        test=settings.DEBUG,
    )
    return render("discovery", document, fmt)


@endpoint("GET")
def services(request: HttpRequest, *, fmt: str) -> HttpResponse:
    return render("services", selectors.services_document(), fmt)


@endpoint("GET")
def service_definition(request: HttpRequest, *, code: str, fmt: str) -> HttpResponse:
    document = selectors.service_definition_document(_service(code))
    return render("service_definition", document, fmt)


@endpoint("GET", "POST")
def requests(request: HttpRequest, *, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt=fmt)
    params = request.GET
    ids = tuple(
        dict.fromkeys(normalize_code(i) for i in _list_argument(params, "service_request_id"))
    )
    statuses = tuple(_list_argument(params, "status"))
    wrong = [s for s in statuses if s not in ("open", "closed")]
    if wrong:
        raise _bad_request(named("status", _("Use open or closed (comma-separated).")))
    start, end = _moment(params, "start_date"), _moment(params, "end_date")
    if start and end and (end - start > selectors.DEFAULT_SPAN or end < start):
        message = _("The dates must be in order and no more than 90 days apart.")
        raise _bad_request(named("start_date, end_date", message))
    query = selectors.RequestQuery(
        ids=ids[:MAX_IDS],
        service_codes=tuple(_list_argument(params, "service_code")),
        start=start,
        end=end,
        statuses=statuses,
    )
    return render("service_requests", selectors.requests_document(query), fmt)


def _attributes(data: QueryDict) -> dict[str, list[str]]:
    """``attribute[code]=v`` and, for lists, ``attribute[code][]=v1&attribute[code][]=v2``."""
    attributes: dict[str, list[str]] = {}
    for name in data:
        if not name.startswith("attribute[") or "]" not in name:
            continue
        code = name[len("attribute[") : name.index("]")]
        attributes.setdefault(code, []).extend(data.getlist(name))
    return attributes


def _create(request: HttpRequest, *, fmt: str) -> HttpResponse:
    data = request.POST  # readable: checked by @endpoint
    api_key = api_key_authenticate(data.get("api_key") or request.GET.get("api_key"))
    api_key_throttle(api_key)
    code = _argument(data, "service_code")
    if not code:
        raise _bad_request(named("service_code", _("This field is required.")))
    service = _service(code)
    sent = RequestInput(
        standard={name: data.get(name) or "" for name in STANDARD_ARGUMENTS},
        attributes=_attributes(data),
    )
    submission = request_create(
        service=service,
        sent=sent,
        api_key=api_key,
        site_url=request.build_absolute_uri("/"),
        language=get_language() or settings.LANGUAGE_CODE,
    )
    record = submission.record
    status_url = request.build_absolute_uri(reverse("portal:status"))
    notice = _(
        "Received. Tracking code %(code)s, secret %(secret)s: follow the request at %(url)s "
        "with both."
    ) % {"code": record.tracking_code, "secret": submission.secret, "url": status_url}
    document = [
        {"service_request_id": record.tracking_code, "service_notice": notice, "account_id": None}
    ]
    return render("service_requests", document, fmt)


@endpoint("GET")
def request_detail(request: HttpRequest, *, request_id: str, fmt: str) -> HttpResponse:
    query = selectors.RequestQuery(ids=(normalize_code(request_id),))
    document = selectors.requests_document(query)
    if not document:
        raise ServiceError(
            named("service_request_id", _("This request does not exist.")),
            code="unknown_request",
            status=404,
        )
    return render("service_requests", document, fmt)


@endpoint("GET")
def token(request: HttpRequest, *, token: str, fmt: str) -> HttpResponse:
    """Every service is "realtime": POST answers with the service_request_id, no token is
    ever issued, so every token is unknown."""
    raise ServiceError(
        named("token", _("This token does not exist.")), code="unknown_token", status=404
    )


@endpoint()
def not_found(request: HttpRequest, *, fmt: str) -> HttpResponse:
    """Any other address, including an unknown format (``services.csv``): 404, in JSON when
    the path ends in ``.json`` and in XML (the required format) otherwise."""
    return render_errors([_("This address does not exist.")], fmt, status=404)
