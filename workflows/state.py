"""Instance state: a versioned JSON document. Version 3::

{"schema_version": 3,
 "status": "running" | "completed" | "cancelled",
 "data": {...},                     # the record's data as the process sees it
 "tokens": [                        # where the case waits
    {"id": "t2", "node": "review", "forks": ["f1"], "wait": {"kind": "task"}}],
 "forks": {"f1": {"node": "split", "expected": 3, "arrived": ["t4"]}},
 "tasks": {"t3": {"token": "t2", "node": "review", "status": "open", "item": null,
                  "action": null, "actor": null, "due": "2026-03-05T17:00:00+07:00"}},
 "timers": {"t5": {"purpose": "task_deadline", "due": "...", "token": "t2",
                   "task": "t3", "working": true, "held_since": null}},
 "children": {"t6": {"token": "t2", "workflow": "...", "status": "running"}},
 "paused": null | {"since": "...", "reason": "..."},
 "actors": {"submitter": "...", "by_node": {"approve": ["u-7"]}},
 "outcome": null | "resolved",
 "path": ["start", "triage", ...],  # nodes entered, in order
 "seq": 6}                          # last id handed out (ids are deterministic)

``held_since`` is null while a timer runs; while the paused deadline clock holds it, it is
the moment it stopped (when the clock paused, or when the timer was made while it was
paused). When the clock runs again the timer's ``due`` moves later by the (office) time that
passed since then, so nothing is lost to rounding. Version 2 kept instead the whole seconds
the timer had left, in ``paused_remaining``.
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any

STATE_VERSION = 3
RUNNING = "running"
COMPLETED = "completed"
CANCELLED = "cancelled"

State = dict[str, Any]


def new_state(data: dict[str, Any]) -> State:
    return {
        "schema_version": STATE_VERSION,
        "status": RUNNING,
        "data": copy.deepcopy(data),
        "tokens": [],
        "forks": {},
        "tasks": {},
        "timers": {},
        "children": {},
        "paused": None,
        "actors": {"submitter": None, "by_node": {}},
        "outcome": None,
        "path": [],
        "seq": 0,
    }


def _v1_to_v2(state: State) -> State:
    """v1 kept only tokens parked at human tasks, the task id being the token id."""
    upgraded = new_state(state.get("data", {}))
    upgraded.update({k: state[k] for k in ("status", "outcome", "path", "seq") if k in state})
    for token in state.get("tokens", []):
        upgraded["tokens"].append(
            {"id": token["id"], "node": token["node"], "forks": [], "wait": {"kind": "task"}}
        )
        upgraded["tasks"][token["id"]] = {
            "token": token["id"],
            "node": token["node"],
            "status": "open",
            "item": None,
            "action": None,
            "actor": None,
            "due": None,
        }
    upgraded["schema_version"] = 2
    return upgraded


def _v2_to_v3(state: State) -> State:
    """v2 kept, in ``paused_remaining``, the whole seconds a held timer had left; v3 keeps
    ``held_since``, the moment it stopped.

    A timer in calendar time stopped at ``due`` minus what it had left. One in office time
    is taken as held since the clock paused (the upgrade does not know the calendar): that
    is exact for every timer held since then, and a deadline made later, while the clock
    was already paused, ends up that much later when it resumes — never earlier.
    """
    upgraded = dict(state)
    paused = state.get("paused")
    paused_since = paused.get("since") if isinstance(paused, dict) else None
    upgraded["timers"] = {}
    for timer_id, old in state.get("timers", {}).items():
        timer = {k: v for k, v in old.items() if k != "paused_remaining"}
        left = old.get("paused_remaining")
        timer["held_since"] = None
        if left is not None:
            stopped = datetime.fromisoformat(old["due"]) - timedelta(seconds=left)
            if old.get("working") and paused_since:
                timer["held_since"] = paused_since
            else:
                timer["held_since"] = stopped.isoformat()
        upgraded["timers"][timer_id] = timer
    upgraded["schema_version"] = 3
    return upgraded


UPGRADES = {1: _v1_to_v2, 2: _v2_to_v3}


def upgrade(state: State) -> State:
    """Bring a stored state document to the current version, step by step."""
    version = state.get("schema_version")
    while version != STATE_VERSION:
        step = UPGRADES.get(version) if isinstance(version, int) else None
        if step is None:
            raise ValueError(f"unknown instance state version {version!r}")
        state = step(state)
        version = state["schema_version"]
    return state
