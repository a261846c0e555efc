"""What wakes a waiting case from outside a task: a due timer, a message from another
system, a sub-process that ended."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from apps.accounts.permissions import can_deliver_messages
from apps.core import clock
from apps.core.errors import NotAllowed, ServiceError
from apps.records.models import Record
from workflows import events as ev

from ..models import ProcessInstance, Timer
from .handling import handle, locked


@transaction.atomic
def timer_fire(*, timer_id: int, now: datetime | None = None) -> bool:
    """Fire one due timer at ``now`` (idempotent: a fired or cancelled timer does
    nothing)."""
    timer = Timer.objects.filter(pk=timer_id).first()
    if timer is None:
        return False
    instance = locked(timer.instance_id)
    timer = Timer.objects.select_for_update().get(pk=timer_id)
    now = now or clock.now()
    if timer.status != Timer.Status.SCHEDULED or timer.due > now:
        return False
    timer.status = Timer.Status.FIRED
    timer.fired_at = now
    timer.save(update_fields=["status", "fired_at"])
    try:
        handle(instance, ev.timer_fired(timer.timer_key), now=now)
    except ServiceError as error:
        if error.code != "timer_not_active":
            raise
        timer.status = Timer.Status.CANCELLED
        timer.save(update_fields=["status"])
    return True


def due_timers(now: datetime | None = None, limit: int = 200) -> list[int]:
    now = now or clock.now()
    return list(
        Timer.objects.filter(status=Timer.Status.SCHEDULED, due__lte=now)
        .order_by("due")
        .values_list("pk", flat=True)[:limit]
    )


def message_deliver(
    *, name: str, key: Any, data: dict[str, Any] | None = None, now: datetime | None = None
) -> int:
    """Deliver an external message to every running case waiting for ``name`` with ``key``.
    Returns how many cases took it."""
    delivered = 0
    candidates = ProcessInstance.objects.filter(status=ProcessInstance.Status.RUNNING)
    for instance_id in candidates.values_list("pk", flat=True):
        with transaction.atomic():
            instance = locked(instance_id)
            waiting = any(
                (t.get("wait") or {}).get("kind") == "message"
                and t["wait"].get("name") == name
                and t["wait"].get("key") == key
                for t in instance.state.get("tokens", [])
            )
            if waiting:
                handle(instance, ev.message(name, key, data), now=now)
                delivered += 1
    return delivered


def message_receive(*, user: Any, name: str, key: Any, data: dict[str, Any] | None = None) -> int:
    """``message_deliver`` for another system (integration accounts, staff)."""
    if not can_deliver_messages(user):
        raise NotAllowed(_("You may not deliver messages to cases."), code="not_allowed")
    return message_deliver(name=name, key=key, data=data)


def subprocess_report(*, child: ProcessInstance, now: datetime | None = None) -> bool:
    """Tell a waiting parent case that ``child`` ended (idempotent)."""
    if child.parent_id is None or not child.parent_waits:
        return False
    with transaction.atomic():
        parent = locked(child.parent_id)
        record = Record.objects.get(pk=child.record_id)
        running = parent.state.get("children", {}).get(child.parent_child_key, {})
        if running.get("status") != "running" or parent.status != ProcessInstance.Status.RUNNING:
            return False
        event = ev.subprocess_completed(child.parent_child_key, child.outcome, record.data)
        handle(parent, event, now=now)
    return True
