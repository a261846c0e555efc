"""Errors raised by the engine. Each carries a stable ``code`` and its parameters so
that the edges (API, pages) can show a translated message; ``str()`` is English."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class WorkflowError(Exception):
    """Base class: ``code`` is stable and machine-readable, ``params`` fill the message."""

    code = "workflow_error"

    def __init__(self, message: str, *, code: str | None = None, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.params = params


class InvalidEvent(WorkflowError):
    """The event is not valid in the instance's current state."""

    code = "invalid_event"


class WorkflowRuntimeError(WorkflowError):
    """The definition could not be executed (e.g. a decision with no matching branch)."""

    code = "workflow_runtime_error"


@dataclass(frozen=True)
class Finding:
    """One problem found in a definition, readable by an official.

    ``path`` locates it ("workflows/field_report_flow/nodes/triage"); ``code`` is stable.
    """

    code: str
    message: str
    path: str = ""
    severity: str = "error"
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "path": self.path,
            "severity": self.severity,
            "params": dict(self.params),
        }


class DefinitionInvalid(WorkflowError):
    """A definition failed validation; ``findings`` lists every problem."""

    code = "definition_invalid"

    def __init__(self, findings: list[Finding]) -> None:
        summary = "; ".join(f"{f.path}: {f.message}" if f.path else f.message for f in findings)
        super().__init__(f"The definition is not valid: {summary}")
        self.findings = findings
