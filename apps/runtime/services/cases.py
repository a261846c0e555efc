"""Steering whole cases: cancel, pause and resume the deadline clock (leaders), retry a
failed automatic step (officials of the case), reopen a closed case (its citizen)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from apps.builder.selectors import latest_published, version_app_def
from apps.core import clock
from apps.core.errors import Conflict, InvalidInput, NotAllowed, NotFound, nul_message
from apps.records.models import Record
from apps.records.policies import is_official_of_case
from apps.records.services import secret_matches
from workflows import engine
from workflows import events as ev
from workflows.state import new_state

from .. import outbox, policies
from ..models import Event, OutboxEntry, ProcessInstance, Task, Timer
from .handling import CITIZEN, RESTART, actor_of, handle, locked, remember
from .work import log_event

#: The audit-log kind of a closed case its citizen reopened (public: in their timeline).
REOPENED_BY_CITIZEN = "case_reopened_by_citizen"
#: The longest reason a citizen may give for reopening, in characters.
REOPEN_REASON_MAX = 2000


@transaction.atomic
def instance_cancel(
    *, instance: ProcessInstance, user: Any, reason: str = "", now: datetime | None = None
) -> ProcessInstance:
    instance = locked(instance.pk)
    handle(instance, ev.cancel(reason, actor_of(user)), user=user, now=now)
    return instance


@transaction.atomic
def instance_pause(
    *, instance: ProcessInstance, user: Any, reason: str = "", now: datetime | None = None
) -> ProcessInstance:
    instance = locked(instance.pk)
    handle(instance, ev.pause(reason, actor_of(user)), user=user, now=now)
    return instance


@transaction.atomic
def instance_resume(
    *, instance: ProcessInstance, user: Any, now: datetime | None = None
) -> ProcessInstance:
    instance = locked(instance.pk)
    handle(instance, ev.resume(actor_of(user)), user=user, now=now)
    return instance


def _steered(instance: ProcessInstance, user: Any) -> None:
    record = Record.objects.get(pk=instance.record_id)
    if not policies.can_steer_case(user, record):
        raise NotAllowed(
            _("Only leaders of an agency working on this case may do this."),
            code="not_allowed",
        )
    if instance.status != ProcessInstance.Status.RUNNING:
        raise Conflict(_("This case is closed and can no longer change."), code="case_closed")


@transaction.atomic
def case_cancel(
    *, instance: ProcessInstance, user: Any, reason: str = "", now: datetime | None = None
) -> ProcessInstance:
    """Cancel a running case (leaders of an agency of the case, platform admins)."""
    instance = locked(instance.pk)
    _steered(instance, user)
    return instance_cancel(instance=instance, user=user, reason=reason, now=now)


@transaction.atomic
def case_pause(
    *, instance: ProcessInstance, user: Any, reason: str = "", now: datetime | None = None
) -> ProcessInstance:
    """Stop the case's deadline clock (leaders of an agency of the case, platform admins)."""
    instance = locked(instance.pk)
    _steered(instance, user)
    if engine.manually_paused(instance.state):
        raise Conflict(_("This case is already paused."), code="already_paused")
    return instance_pause(instance=instance, user=user, reason=reason, now=now)


@transaction.atomic
def case_resume(
    *, instance: ProcessInstance, user: Any, now: datetime | None = None
) -> ProcessInstance:
    """Restart the deadline clock of a case paused by hand."""
    instance = locked(instance.pk)
    _steered(instance, user)
    if not engine.manually_paused(instance.state):
        raise Conflict(_("This case is not paused."), code="not_paused")
    return instance_resume(instance=instance, user=user, now=now)


@transaction.atomic
def effect_retry(*, entry: OutboxEntry, user: Any) -> OutboxEntry:
    """Try a failed automatic step again (officials of an agency of the case): it goes back
    to pending with a fresh count of attempts and is delivered after commit."""
    if entry.instance_id is not None:
        locked(entry.instance_id)
    record = Record.objects.get(pk=entry.record_id)
    if not is_official_of_case(user, record):
        raise NotAllowed(
            _("Only officials of an agency working on this case may do this."),
            code="not_allowed",
        )
    entry = OutboxEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status != OutboxEntry.Status.FAILED:
        raise Conflict(
            _("Only a failed automatic step can be tried again."), code="effect_not_failed"
        )
    entry.status = OutboxEntry.Status.PENDING
    entry.attempts = 0
    entry.next_attempt_at = None
    entry.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
    if entry.instance is not None:
        log_event(
            entry.instance,
            "effect_retried",
            user=user,
            label={"vi": "Thực hiện lại bước tự động", "en": "Automatic step retried"},
            data={"outbox": str(entry.uuid), "kind": entry.kind},
        )
    outbox.wake_after_commit()
    return entry


# ------------------------------------------------------------------------------ reopening


def reopen_deadline(record: Record) -> datetime | None:
    """Until when the citizen may reopen ``record`` (None if it is not closed)."""
    if record.status != Record.Status.CLOSED or record.closed_at is None:
        return None
    return record.closed_at + timedelta(days=settings.PORTAL_REOPEN_DAYS)


def _reopen_reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        message = _("Say why you are not satisfied.")
    elif "\x00" in text:
        message = nul_message()
    elif len(text) > REOPEN_REASON_MAX:
        message = _("Enter at most %(limit)s characters.") % {"limit": REOPEN_REASON_MAX}
    else:
        return text
    raise InvalidInput(message, code="invalid_input", details={"reason": [message]})


def _renumber_old_run(instance: ProcessInstance) -> None:
    """The new run numbers its tasks, timers and deliveries from the start again: the old
    run's keep theirs with a suffix (the audit log keeps what they were)."""
    logged = instance.engine_events.values_list("event", flat=True)
    run = 1 + sum(1 for event in logged if event.get("type") == RESTART)
    suffix = f"~{run}"
    for task in instance.tasks.all():
        Task.objects.filter(pk=task.pk).update(task_key=f"{task.task_key[:24]}{suffix}")
    for timer in instance.timers.all():
        Timer.objects.filter(pk=timer.pk).update(
            timer_key=f"{timer.timer_key[:24]}{suffix}",
            task_key=f"{timer.task_key[:24]}{suffix}" if timer.task_key else "",
        )
    for entry in instance.outbox.all():
        OutboxEntry.objects.filter(pk=entry.pk).update(key=f"{entry.key[:110]}{suffix}")


@transaction.atomic
def case_reopen_by_citizen(
    *, record: Record, secret: str, reason: str, now: datetime | None = None
) -> ProcessInstance:
    """The citizen is not satisfied with their closed case: within ``PORTAL_REOPEN_DAYS`` of
    its closing, once per closing, its workflow starts again from the start on the app's
    latest published version, for the same record (back in progress), and the timeline
    says it was reopened and why. Allowed by the case's secret (NotFound otherwise)."""
    now = now or clock.now()
    if not secret_matches(record, secret):
        raise NotFound(_("This case does not exist."), code="record_not_found")
    text = _reopen_reason(reason)
    found = ProcessInstance.objects.filter(record_id=record.pk).values_list("pk", flat=True)
    if not found:
        raise Conflict(_("This case cannot be reopened."), code="case_not_reopenable")
    instance = locked(found[0])
    record = Record.objects.select_for_update().get(pk=record.pk)
    deadline = reopen_deadline(record)
    if deadline is None or instance.status != ProcessInstance.Status.COMPLETED:
        raise Conflict(_("Only a closed case can be reopened."), code="case_not_closed")
    if now > deadline:
        raise Conflict(
            _("The time to reopen this case has passed (%(days)s days after it was closed).")
            % {"days": (deadline - record.closed_at).days if record.closed_at else 0},
            code="reopen_period_over",
        )
    closed_at = record.closed_at.isoformat() if record.closed_at else ""
    if record.events.filter(kind=REOPENED_BY_CITIZEN, data__closed_at=closed_at).exists():
        raise Conflict(_("This case has already been reopened."), code="already_reopened")
    latest = latest_published(record.app)
    version = instance.app_version
    if latest is not None:
        latest_def = version_app_def(latest)
        if instance.workflow_key in latest_def.workflows and record.entity_key in (
            latest_def.entities
        ):
            version = latest
    _renumber_old_run(instance)
    remember(
        instance,
        {
            "type": RESTART,
            "reason": "reopened_by_citizen",
            "previous_version": instance.app_version_id,
            "version": version.pk,
        },
        now,
    )
    instance.app_version = version
    instance.state = new_state(record.data)
    instance.initial_data = record.data
    instance.status = ProcessInstance.Status.RUNNING
    instance.outcome = ""
    instance.ended_at = None
    instance.save()
    record.status = Record.Status.IN_PROGRESS
    record.outcome = ""
    record.closed_at = None
    record.save(update_fields=["status", "outcome", "closed_at", "updated_at"])
    actor = actor_of(None, kind=CITIZEN)
    Event.objects.create(
        record=record,
        instance=instance,
        app_version=version,
        kind=REOPENED_BY_CITIZEN,
        label={
            "vi": f"Người dân mở lại hồ sơ: {text}",
            "en": f"Reopened by the citizen: {text}",
        },
        public=True,
        actor_kind=actor.get("kind") or CITIZEN,
        actor_name=str(actor.get("name") or ""),
        at=now,
        data={"closed_at": closed_at, "reason": text},
    )
    handle(instance, ev.start(actor), user=None, now=now)
    instance.refresh_from_db()
    return instance
