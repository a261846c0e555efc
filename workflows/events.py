"""Events the engine accepts. Each is a JSON object with a ``type`` and an ``actor``
(``{"kind": "user"|"citizen"|"system", "id": "...", "name": "..."}``)::

    {"type": "start", "actor": {...}}
    {"type": "complete_task", "task": "t2", "action": "accept", "data": {...}, "actor": {...}}
    {"type": "cancel", "reason": "...", "actor": {...}}
"""

from __future__ import annotations

from typing import Any

START = "start"
COMPLETE_TASK = "complete_task"
CANCEL = "cancel"
TYPES = (START, COMPLETE_TASK, CANCEL)

SYSTEM_ACTOR: dict[str, Any] = {"kind": "system", "id": None, "name": "system"}


def start(actor: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"type": START, "actor": actor or SYSTEM_ACTOR}


def complete_task(
    task: str, action: str, data: dict[str, Any] | None = None, actor: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "type": COMPLETE_TASK,
        "task": task,
        "action": action,
        "data": data or {},
        "actor": actor or SYSTEM_ACTOR,
    }


def cancel(reason: str = "", actor: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"type": CANCEL, "reason": reason, "actor": actor or SYSTEM_ACTOR}
