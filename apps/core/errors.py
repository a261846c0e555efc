"""The project's error type. Services raise these; the edges (API, pages) turn them into
a clear 4xx with a translated message. Engine errors (``workflows.errors``) are mapped
here too, so that every failure a person can cause has a translated explanation."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workflows.errors import DefinitionInvalid, InvalidEvent, WorkflowError


class ServiceError(Exception):
    """A use case refused. ``code`` is stable, ``message`` is translated for people."""

    status = 400
    code = "invalid"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        status: int | None = None,
        details: Any = None,
    ) -> None:
        self.message = str(message or _("The request is not valid."))
        super().__init__(self.message)
        if code:
            self.code = code
        if status:
            self.status = status
        self.details = details


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class NotAllowed(ServiceError):
    status = 403
    code = "not_allowed"


class Conflict(ServiceError):
    status = 409
    code = "conflict"


class InvalidInput(ServiceError):
    status = 400
    code = "invalid_input"


ENGINE_MESSAGES = {
    "task_not_open": gettext_lazy("This task is no longer open; someone may have completed it."),
    "case_closed": gettext_lazy("This case is closed and can no longer change."),
    "unknown_action": gettext_lazy("This action is not available for this task."),
    "field_not_editable": gettext_lazy("This task may not change some of the fields sent."),
    "already_started": gettext_lazy("This case has already started."),
    "unknown_event": gettext_lazy("This kind of event is not known."),
    "no_branch": gettext_lazy("The workflow could not decide where to go next."),
    "assignment_failed": gettext_lazy("The workflow could not find the agency for the next task."),
    "too_many_steps": gettext_lazy("The workflow went round in circles and was stopped."),
    "definition_invalid": gettext_lazy("The definition is not valid."),
}


def from_workflow_error(error: WorkflowError) -> ServiceError:
    """The ServiceError a person should see for an engine error."""
    message = str(ENGINE_MESSAGES.get(error.code, _("The workflow refused this request.")))
    if isinstance(error, DefinitionInvalid):
        return InvalidInput(
            message,
            code=error.code,
            details=[finding.as_dict() for finding in error.findings],
        )
    if isinstance(error, InvalidEvent):
        status = 409 if error.code in {"task_not_open", "case_closed", "already_started"} else 400
        return ServiceError(message, code=error.code, status=status, details=error.params)
    return ServiceError(message, code=error.code, status=422, details=error.params)


# --------------------------------------------------------------------------- NUL characters


def keys_with_nul(values: dict[str, Any]) -> list[str]:
    """The keys of ``values`` whose value holds a NUL character anywhere (in nested lists
    and objects too). PostgreSQL cannot store NUL in text or JSON, so the edges refuse it."""
    found = []
    for key, value in values.items():
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                if "\x00" in item:
                    found.append(key)
                    break
            elif isinstance(item, dict):
                stack.extend(item.keys())
                stack.extend(item.values())
            elif isinstance(item, list | tuple):
                stack.extend(item)
    return found


def nul_message() -> str:
    return _("Remove the invisible control characters (NUL) from this answer.")


def refuse_nul(values: dict[str, Any]) -> None:
    """400 when a value holds a NUL character (PostgreSQL cannot store it)."""
    if refused := keys_with_nul(values):
        raise InvalidInput(
            _("Some fields are not valid."),
            code="invalid_input",
            details={key: [nul_message()] for key in refused},
        )
