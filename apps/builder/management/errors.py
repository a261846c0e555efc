"""Readable command-line messages for the builder's errors."""

from __future__ import annotations

from typing import Any

from apps.core.errors import ServiceError


def _finding_line(finding: Any) -> str:
    if isinstance(finding, dict):
        path = str(finding.get("path") or "")
        message = str(finding.get("message") or finding.get("code") or finding)
        return f"{path}: {message}" if path else message
    return str(finding)


def service_error_text(error: ServiceError) -> str:
    """The error's message, then one line per finding (``path: message``)."""
    lines = [error.message]
    details = error.details
    if isinstance(details, list):
        lines.extend(f"  - {_finding_line(finding)}" for finding in details)
    elif isinstance(details, dict):
        for key, value in details.items():
            messages = value if isinstance(value, list) else [value]
            lines.extend(f"  - {key}: {message}" for message in messages)
    elif details:
        lines.append(f"  - {details}")
    return "\n".join(lines)
