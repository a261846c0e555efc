"""DRF glue: every error is ``{"error": {"code", "message", "details"}}`` with a
translated message; nothing a client sends can produce a 500."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from workflows.errors import WorkflowError

from .errors import ServiceError, from_workflow_error


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, WorkflowError):
        exc = from_workflow_error(exc)
    if isinstance(exc, ServiceError):
        return Response(error_body(exc.code, exc.message, exc.details), status=exc.status)
    if isinstance(exc, Http404):
        return Response(
            error_body("not_found", _("Not found.")), status=status.HTTP_404_NOT_FOUND
        )
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        body = error_body("invalid_input", _("Some fields are not valid."), response.data)
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        message = str(detail) if not isinstance(detail, dict | list) else _("Request refused.")
        body = error_body(str(exc.get_codes()) if isinstance(exc.get_codes(), str) else "error", message)
    else:
        body = error_body("error", _("Request refused."))
    response.data = body
    return response
