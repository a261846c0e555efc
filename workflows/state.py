"""Instance state: a versioned JSON document.

::

    {"schema_version": 1, "status": "running" | "completed" | "cancelled",
     "tokens": [{"id": "t2", "node": "triage"}],  # where the case is waiting
     "data": {...},                                # the record's data as the process sees it
     "outcome": null | "resolved",
     "path": ["start", "triage", ...],            # nodes entered, in order
     "seq": 2}                                    # last id handed out (ids are deterministic)
"""

from __future__ import annotations

import copy
from typing import Any

STATE_VERSION = 1
RUNNING = "running"
COMPLETED = "completed"
CANCELLED = "cancelled"

State = dict[str, Any]


def new_state(data: dict[str, Any]) -> State:
    return {
        "schema_version": STATE_VERSION,
        "status": RUNNING,
        "tokens": [],
        "data": copy.deepcopy(data),
        "outcome": None,
        "path": [],
        "seq": 0,
    }


def upgrade(state: State) -> State:
    """Bring a stored state document to the current version (v1 is the first)."""
    version = state.get("schema_version")
    if version != STATE_VERSION:
        raise ValueError(f"unknown instance state version {version!r}")
    return state
