"""Effects: what the engine asks the outside world to do, as plain data.

``apps.runtime`` applies them in the same transaction as the new state; those that leave
the process (notifications, webhooks) go through an outbox to Celery.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Effect:
    kind = "effect"

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **asdict(self)}


@dataclass(frozen=True)
class CreateTask(Effect):
    """Open a human task for officials of ``agency`` (a code) holding ``role``, or for a
    named ``user``, or for the case's ``submitter``."""

    kind = "create_task"
    task: str
    node: str
    label: dict[str, str]
    agency: str | None
    role: str | None
    actions: list[dict[str, Any]] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    user: str | None = None
    submitter: bool = False
    due: str | None = None
    item: Any = None
    excluded_actors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CompleteTask(Effect):
    kind = "complete_task"
    task: str
    action: str


@dataclass(frozen=True)
class CancelTask(Effect):
    kind = "cancel_task"
    task: str


@dataclass(frozen=True)
class ReassignTask(Effect):
    kind = "reassign_task"
    task: str
    agency: str | None
    role: str | None
    user: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class SetTaskDue(Effect):
    """A task's deadline moved (the clock was paused and resumed)."""

    kind = "set_task_due"
    task: str
    due: str | None


@dataclass(frozen=True)
class UpdateData(Effect):
    """The record's data changed: ``changes`` maps field keys to their new values."""

    kind = "update_data"
    changes: dict[str, Any]


@dataclass(frozen=True)
class RecordEvent(Effect):
    """Append an entry to the case's audit log. ``public`` entries reach the citizen."""

    kind = "record_event"
    event: str
    node: str | None
    label: dict[str, str]
    public: bool = False
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ScheduleTimer(Effect):
    """Deliver ``timer_fired(timer)`` at ``due`` (ISO 8601 with offset)."""

    kind = "schedule_timer"
    timer: str
    due: str
    purpose: str
    task: str | None = None


@dataclass(frozen=True)
class CancelTimer(Effect):
    kind = "cancel_timer"
    timer: str


@dataclass(frozen=True)
class SetCaseDeadline(Effect):
    kind = "set_case_deadline"
    due: str | None


@dataclass(frozen=True)
class Notify(Effect):
    """Send a templated message. ``to`` is one of ``{"submitter": true}``,
    ``{"agency": code, "role": key}``, ``{"user": username}``, ``{"email": address}``,
    ``{"phone": number}``; templates use ``{{field}}`` placeholders filled by the runtime."""

    kind = "notify"
    notification: str
    channel: str
    to: dict[str, Any]
    subject: dict[str, str]
    body: dict[str, str]
    task: str | None = None


@dataclass(frozen=True)
class CallWebhook(Effect):
    kind = "call_webhook"
    call: str
    url: str
    method: str
    payload: dict[str, Any]
    #: A name the installation maps to a URL (settings.WEBHOOK_ENDPOINTS); wins over url.
    endpoint: str | None = None


@dataclass(frozen=True)
class CreateRecord(Effect):
    kind = "create_record"
    request: str
    app: str | None
    entity: str
    data: dict[str, Any]
    workflow: str | None = None


@dataclass(frozen=True)
class StartSubprocess(Effect):
    """Start ``workflow`` (of ``app``, or this app when None) over ``data``; when ``wait``,
    report back with ``subprocess_completed(child, outcome, data)``."""

    kind = "start_subprocess"
    child: str
    app: str | None
    workflow: str
    data: dict[str, Any]
    wait: bool = True


@dataclass(frozen=True)
class CancelSubprocess(Effect):
    kind = "cancel_subprocess"
    child: str


@dataclass(frozen=True)
class CloseCase(Effect):
    kind = "close_case"
    outcome: str
    label: dict[str, str]
