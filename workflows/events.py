"""Events the engine accepts. Each is a JSON object with a ``type`` and an ``actor``
(``{"kind": "user"|"citizen"|"system", "id": "...", "name": "..."}``)::

    {"type": "start", "actor": {...}}
    {"type": "complete_task", "task": "t2", "action": "accept", "data": {...}, "actor": {...}}
    {"type": "timer_fired", "timer": "t7"}
    {"type": "message", "name": "payment_confirmed", "key": "HS-123", "data": {...}}
    {"type": "subprocess_completed", "child": "t9", "outcome": "done", "data": {...}}
    {"type": "reassign_task", "task": "t2", "agency": "...", "role": "...", "user": null}
    {"type": "pause", "reason": "..."} / {"type": "resume"}
    {"type": "cancel", "reason": "..."}
"""

from __future__ import annotations

from typing import Any

START = "start"
COMPLETE_TASK = "complete_task"
TIMER_FIRED = "timer_fired"
MESSAGE = "message"
SUBPROCESS_COMPLETED = "subprocess_completed"
REASSIGN_TASK = "reassign_task"
PAUSE = "pause"
RESUME = "resume"
CANCEL = "cancel"
TYPES = (
    START,
    COMPLETE_TASK,
    TIMER_FIRED,
    MESSAGE,
    SUBPROCESS_COMPLETED,
    REASSIGN_TASK,
    PAUSE,
    RESUME,
    CANCEL,
)

SYSTEM_ACTOR: dict[str, Any] = {"kind": "system", "id": None, "name": "system"}
Event = dict[str, Any]


def start(actor: dict[str, Any] | None = None) -> Event:
    return {"type": START, "actor": actor or SYSTEM_ACTOR}


def complete_task(
    task: str, action: str, data: dict[str, Any] | None = None, actor: dict[str, Any] | None = None
) -> Event:
    return {
        "type": COMPLETE_TASK,
        "task": task,
        "action": action,
        "data": data or {},
        "actor": actor or SYSTEM_ACTOR,
    }


def timer_fired(timer: str) -> Event:
    return {"type": TIMER_FIRED, "timer": timer, "actor": SYSTEM_ACTOR}


def message(
    name: str, key: Any, data: dict[str, Any] | None = None, actor: dict[str, Any] | None = None
) -> Event:
    return {
        "type": MESSAGE,
        "name": name,
        "key": key,
        "data": data or {},
        "actor": actor or SYSTEM_ACTOR,
    }


def subprocess_completed(child: str, outcome: str, data: dict[str, Any] | None = None) -> Event:
    return {
        "type": SUBPROCESS_COMPLETED,
        "child": child,
        "outcome": outcome,
        "data": data or {},
        "actor": SYSTEM_ACTOR,
    }


def reassign_task(
    task: str,
    *,
    agency: str | None = None,
    role: str | None = None,
    user: str | None = None,
    reason: str = "",
    actor: dict[str, Any] | None = None,
) -> Event:
    return {
        "type": REASSIGN_TASK,
        "task": task,
        "agency": agency,
        "role": role,
        "user": user,
        "reason": reason,
        "actor": actor or SYSTEM_ACTOR,
    }


def pause(reason: str = "", actor: dict[str, Any] | None = None) -> Event:
    return {"type": PAUSE, "reason": reason, "actor": actor or SYSTEM_ACTOR}


def resume(actor: dict[str, Any] | None = None) -> Event:
    return {"type": RESUME, "actor": actor or SYSTEM_ACTOR}


def cancel(reason: str = "", actor: dict[str, Any] | None = None) -> Event:
    return {"type": CANCEL, "reason": reason, "actor": actor or SYSTEM_ACTOR}
