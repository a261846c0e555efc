"""Effects: what the engine asks the outside world to do, as plain data.

``apps.runtime`` applies them in the same transaction as the new state.
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
    """Open a human task. ``agency`` is an agency code, ``role`` a role key."""

    kind = "create_task"
    task: str
    node: str
    label: dict[str, str]
    agency: str | None
    role: str | None
    actions: list[dict[str, Any]] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)


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
class CloseCase(Effect):
    kind = "close_case"
    outcome: str
    label: dict[str, str]
