"""DRF glue shared by every app's API.

Every error is ``{"error": {"code", "message", "details"}}`` with a stable ``code`` and a
message translated into the request's language; nothing a client sends can produce a 500
(malformed or deeply nested JSON, huge numbers, unsupported media types, oversized
bodies, unknown paths, wrong methods are all answered with a 4xx and that body).
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_field
from rest_framework import exceptions, parsers, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from workflows.errors import WorkflowError

from .errors import (
    InvalidInput,
    ServiceError,
    from_workflow_error,
)
from .models import translated

# Defined in their own module: DRF's views import the parser named in the settings while
# this module is still importing them.
from .parsers import JSONParser, loads

logger = logging.getLogger(__name__)


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}


# --------------------------------------------------------------------------- parsing

#: What the API's views read: JSON, and multipart/urlencoded forms (for file uploads).
PARSER_CLASSES = [JSONParser, parsers.MultiPartParser, parsers.FormParser]


def json_object(data: Any) -> dict[str, Any]:
    """The JSON request body as a dict, or a 400 when the client sent another JSON value
    (an array, a string, ``null``)."""
    if not isinstance(data, dict):
        raise InvalidInput(_("The request body must be a JSON object."), code="invalid_body")
    return data


# --------------------------------------------------------------------------- throttling


class AnonSubmitThrottle(AnonRateThrottle):
    """Anonymous submissions per client address (rate: ``anon_submit``); signed-in users
    are not throttled by it. The rate is read at request time so settings overrides work."""

    scope = "anon_submit"

    def get_rate(self) -> str | None:
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope or "")
        return str(rate) if rate else None


# --------------------------------------------------------------------------- errors


def _messages() -> dict[type[exceptions.APIException], tuple[str, str]]:
    """(code, translated message) for DRF's own exceptions."""
    return {
        exceptions.ParseError: (
            "parse_error",
            _("The request body could not be read; send valid JSON or form data."),
        ),
        exceptions.UnsupportedMediaType: (
            "unsupported_media_type",
            _("This content type is not supported; send application/json."),
        ),
        exceptions.NotAuthenticated: (
            "not_authenticated",
            _("Sign in, or send an API token, to do this."),
        ),
        exceptions.AuthenticationFailed: (
            "authentication_failed",
            _("Your sign-in or API token is not valid."),
        ),
        exceptions.PermissionDenied: ("permission_denied", _("You may not do this.")),
        exceptions.NotFound: ("not_found", _("Not found.")),
        exceptions.MethodNotAllowed: (
            "method_not_allowed",
            _("This method is not allowed here."),
        ),
        exceptions.NotAcceptable: (
            "not_acceptable",
            _("This response format is not available; accept application/json."),
        ),
        exceptions.Throttled: (
            "throttled",
            _("Too many requests; please wait a moment and try again."),
        ),
    }


def _details(exc: exceptions.APIException, request: Any) -> Any:
    if isinstance(exc, exceptions.Throttled):
        wait = getattr(exc, "wait", None)
        return {"wait_seconds": int(wait) if wait is not None else None}
    if isinstance(exc, exceptions.MethodNotAllowed) and request is not None:
        return {"method": request.method}
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return {"media_type": getattr(request, "content_type", None)}
    if isinstance(exc, exceptions.ParseError):
        return str(exc.detail)  # the parser's own (English, technical) explanation
    if isinstance(exc, exceptions.PermissionDenied):
        # e.g. "CSRF Failed: ..." for a session client that sent no CSRF token
        detail = str(exc.detail)
        return None if detail == str(exceptions.PermissionDenied.default_detail) else detail
    return None


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    request = context.get("request")
    if isinstance(exc, WorkflowError):
        exc = from_workflow_error(exc)
    if isinstance(exc, ServiceError):
        set_rollback()
        return Response(error_body(exc.code, exc.message, exc.details), status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        set_rollback()
        return Response(
            error_body("too_large", _("The request is too large.")),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    elif isinstance(exc, SuspiciousOperation):
        logger.warning("suspicious API request: %s", exc)
        set_rollback()
        return Response(
            error_body("bad_request", _("The request could not be understood.")),
            status=status.HTTP_400_BAD_REQUEST,
        )
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(exc, exceptions.ValidationError):
        body = error_body("invalid_input", _("Some fields are not valid."), response.data)
    else:
        known = next((value for cls, value in _messages().items() if isinstance(exc, cls)), None)
        if known is not None:
            code, message = known
            body = error_body(code, message, _details(exc, request))
        else:
            codes = exc.get_codes()
            body = error_body(
                codes if isinstance(codes, str) else "error",
                str(exc.detail) if isinstance(exc.detail, str) else _("Request refused."),
            )
    response.data = body
    return response


def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Unknown paths under the API (including ids that are not UUIDs, and paths missing
    their trailing slash) answer with the error body rather than an HTML page."""
    message = _("Not found.")
    if not request.path.endswith("/"):
        message = _("Not found. API paths end with a slash.")
    return JsonResponse(error_body("not_found", message), status=404)


# --------------------------------------------------------------------------- fields


@extend_schema_field(OpenApiTypes.STR)
class TranslatedField(serializers.Field[str, Any, str, Any]):
    """A ``{"vi": ..., "en": ...}`` label, read as text in the request's language."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str:
        return translated(value if isinstance(value, dict) else None)


class EnumField(serializers.CharField):
    """A read-only text field documented as the named enum ``enum_name`` (one schema
    component per choice set, so that the ``status`` of records, tasks and versions never
    collide)."""

    def __init__(self, choices: Any, *, enum_name: str, **kwargs: Any) -> None:
        self.enum_values = [str(value) for value, _label in choices]
        self.enum_name = enum_name
        kwargs["read_only"] = True
        super().__init__(**kwargs)


class EnumFieldExtension(OpenApiSerializerFieldExtension):  # type: ignore[no-untyped-call]
    target_class = EnumField

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> Any:
        field: EnumField = self.target
        component = ResolvedComponent(  # type: ignore[no-untyped-call]
            name=field.enum_name,
            type=ResolvedComponent.SCHEMA,
            object=field.enum_name,
            schema={"type": "string", "enum": field.enum_values},
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


class AgencyRefSerializer(serializers.Serializer[Any]):
    """An agency as the API names it: its code and its name in the request's language."""

    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


# --------------------------------------------------------------------------- schema


class ErrorDetailSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="Stable, machine-readable error code.")
    message = serializers.CharField(help_text="Explanation in the request's language.")
    details = serializers.JSONField(
        allow_null=True,
        help_text="Optional details; for invalid input, a map of field key to messages.",
    )


class ErrorSerializer(serializers.Serializer[Any]):
    error = ErrorDetailSerializer()


def error_response(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=ErrorSerializer, description=description)


#: Responses every authenticated endpoint may give.
AUTH_ERRORS = {
    401: error_response("Not signed in, or the token is not valid."),
    403: error_response("Not signed in (session authentication), or not allowed."),
}


# --------------------------------------------------------------------------- shared by the v1 API


class UserRefSerializer(serializers.Serializer[Any]):
    """A person as the API names them to officials: public id, username and name."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    username = serializers.CharField(read_only=True)
    name = serializers.CharField(source="display_name", read_only=True)


class LabelSerializer(serializers.Serializer[Any]):
    """A text in Vietnamese and English (``en`` optional)."""

    vi = serializers.CharField(max_length=200)
    en = serializers.CharField(max_length=200, required=False, allow_blank=True)


class Pagination(PageNumberPagination):
    """Pages of ``PAGE_SIZE`` items by default; ``page_size`` asks for up to 200."""

    page_size_query_param = "page_size"
    max_page_size = 200


class AuthTokenThrottle(SimpleRateThrottle):
    """Token requests per client address (rate ``auth_token``, default 10 per minute)."""

    scope = "auth_token"
    default_rate = "10/minute"

    def get_rate(self) -> str | None:
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope or "")
        return str(rate) if rate else self.default_rate

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class AuthTokenUsernameThrottle(AuthTokenThrottle):
    """Token requests per username, wherever they come from (guessing one account's
    password from many addresses)."""

    scope = "auth_token_username"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        data = getattr(request, "data", None)
        username = data.get("username") if isinstance(data, dict) else None
        if not isinstance(username, str) or not username:
            return None
        ident = hashlib.sha256(username.strip().lower().encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}


def revision_from(request: Any, body: Any = None) -> str | None:
    """The draft revision a change is based on: the ``If-Match`` header (an ETag, quoted or
    not) or the ``revision`` field of the body (or of the query, for DELETE)."""
    header = request.headers.get("If-Match", "").strip()
    if header:
        return header.removeprefix("W/").strip('"') or None
    if isinstance(body, dict) and isinstance(body.get("revision"), str):
        return str(body["revision"]) or None
    value = request.query_params.get("revision")
    return str(value) if value else None


REVISION_HEADER = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="The draft revision the change is based on (or send `revision`).",
)


def validated(serializer_class: type[serializers.Serializer[Any]], data: Any) -> dict[str, Any]:
    """``data`` checked by ``serializer_class`` (400 with the field messages otherwise)."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def parse_json_bytes(data: bytes) -> Any:
    """JSON from an uploaded file, read as the hardened parser reads bodies (a 400 for
    anything that is not valid JSON)."""
    try:
        return loads(data.decode("utf-8-sig"))
    except (ValueError, RecursionError) as exc:
        raise exceptions.ParseError(str(exc)[:200]) from exc
