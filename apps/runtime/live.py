"""Live updates: after a change to a case commits, say so on the channel layer.

The message carries ids only — the case, the tasks that changed, the agencies of the case
— never content: each consumer (the officials' inbox, the operations dashboard) checks
what its own user may see and reads it from the database. A message that is lost (a
process restarted, the channel layer unreachable) costs only freshness: consumers catch up
from the audit log (``Event`` ids only grow) when they reconnect. Sending never fails the
request that made the change.

Groups (channel-layer names):

* ``agency.<id>`` — every agency of the case (tasks there, or informed);
* ``cases`` — every change, for dashboards that filter by the leader's subtree.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from apps.core import clock
from apps.records.models import Record, RecordAccess

logger = logging.getLogger(__name__)
T = TypeVar("T")

#: The channel-layer message type consumers handle (``case_changed`` in their class).
CASE_CHANGED = "case.changed"
ALL_CASES = "cases"


def agency_group(agency_id: int) -> str:
    return f"agency.{agency_id}"


def case_changed(record: Record, *, kind: str, tasks: list[str] | None = None) -> None:
    """Announce, once the current transaction commits, that ``record``'s case changed
    (``kind``: what happened, e.g. the audit-log kind; ``tasks``: uuids of tasks whose
    state changed)."""
    agencies = sorted(
        RecordAccess.objects.filter(record_id=record.pk).values_list("agency_id", flat=True)
    )
    message: dict[str, Any] = {
        "type": CASE_CHANGED,
        "record": str(record.uuid),
        "kind": kind,
        "tasks": list(tasks or []),
        "agencies": agencies,
        "at": clock.now().isoformat(),
    }
    groups = [ALL_CASES, *(agency_group(agency_id) for agency_id in agencies)]
    transaction.on_commit(lambda: _send(groups, message), robust=True)


def call_sync(function: Callable[..., Awaitable[T]], *args: Any) -> T:
    """Run a coroutine function from sync code, also where this thread already runs an
    event loop (there ``async_to_sync`` refuses): then in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return async_to_sync(function)(*args)
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = async_to_sync(function)(*args)
        except BaseException as error:  # noqa: BLE001 - re-raised in the caller's thread
            outcome["error"] = error

    worker = threading.Thread(target=run, name="lcnc-live-send")
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]  # type: ignore[no-any-return]


def _send(groups: list[str], message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        for group in groups:
            call_sync(layer.group_send, group, message)
    except Exception as error:  # noqa: BLE001 - freshness only: consumers catch up
        logger.warning("live update not sent (consumers will catch up): %s", error)
