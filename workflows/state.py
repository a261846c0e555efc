"""Instance state: a versioned JSON document. Version 2::

{"schema_version": 2,
 "status": "running" | "completed" | "cancelled",
 "data": {...},                     # the record's data as the process sees it
 "tokens": [                        # where the case waits
    {"id": "t2", "node": "review", "forks": ["f1"], "wait": {"kind": "task"}}],
 "forks": {"f1": {"node": "split", "expected": 3, "arrived": ["t4"]}},
 "tasks": {"t3": {"token": "t2", "node": "review", "status": "open", "item": null,
                  "action": null, "actor": null, "due": "2026-03-05T17:00:00+07:00"}},
 "timers": {"t5": {"purpose": "task_deadline", "due": "...", "token": "t2",
                   "task": "t3", "working": true, "paused_remaining": null}},
 "children": {"t6": {"token": "t2", "workflow": "...", "status": "running"}},
 "paused": null | {"since": "...", "reason": "..."},
 "actors": {"submitter": "...", "by_node": {"approve": ["u-7"]}},
 "outcome": null | "resolved",
 "path": ["start", "triage", ...],  # nodes entered, in order
 "seq": 6}                          # last id handed out (ids are deterministic)
"""

from __future__ import annotations

import copy
from typing import Any

STATE_VERSION = 2
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
    upgraded["schema_version"] = STATE_VERSION
    return upgraded


UPGRADES = {1: _v1_to_v2}


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
