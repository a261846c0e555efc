"""Work on tasks: complete, claim, release, reassign, give back to the citizen. Each checks
who may do it through ``apps.runtime.policies`` with the case locked, and writes the audit
log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from apps.accounts.models import Agency, Role, User
from apps.core import clock
from apps.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from apps.records.models import Record
from apps.records.validation import errors_by_field
from workflows import events as ev
from workflows.definition import EntityDef
from workflows.forms import FieldError, InvalidValue, clean_value

from .. import live, policies
from ..models import Event, ProcessInstance, Task
from ..selectors import task_return_action
from .handling import CITIZEN, SYSTEM, actor_of, handle, locked, workflow_of


def _clean_task_data(task: Task, entity: EntityDef, data: dict[str, Any]) -> dict[str, Any]:
    errors: list[FieldError] = []
    clean: dict[str, Any] = {}
    for key, value in data.items():
        spec = entity.field(key)
        if key not in task.fields or spec is None:
            errors.append(FieldError(key, "not_editable"))
            continue
        if value is None or value == "":
            clean[key] = None
            continue
        try:
            clean[key] = clean_value(spec, value)
        except InvalidValue as invalid:
            errors.append(FieldError(key, invalid.code, invalid.params))
    if errors:
        raise InvalidInput(
            _("Some fields are not valid."), code="invalid_fields", details=errors_by_field(errors)
        )
    return clean


def _claimed_by_other(task: Task, user: Any) -> Conflict:
    name = task.claimed_by.display_name() if task.claimed_by else ""
    return Conflict(
        _("%(name)s is already working on this task.") % {"name": name},
        code="task_claimed",
        details={"claimed_by": name},
    )


def _locked_task(task: Task, *, record: bool = False) -> tuple[ProcessInstance, Task]:
    """The case locked (always first, as every event does; with its record for an event
    through the engine), then the task read afresh."""
    instance = locked(task.instance_id, record=record)
    # The case row just locked (with its record) is the one the event updates in place.
    task = Task.objects.get(pk=task.pk)
    task.instance = instance
    return instance, task


def _open_with_action(task: Task, action: str) -> None:
    if task.status != Task.Status.OPEN:
        raise Conflict(
            _("This task is no longer open; someone may have completed it."), code="task_not_open"
        )
    if action not in {a["key"] for a in task.actions}:
        raise InvalidInput(_("This action is not available for this task."), code="unknown_action")


def log_event(
    instance: ProcessInstance,
    kind: str,
    *,
    user: Any,
    label: dict[str, str],
    task: Task | None = None,
    data: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> Event:
    """An internal line in the case's audit log for something outside the engine."""
    actor = actor_of(user)
    detail = dict(data or {})
    if task is not None:
        detail["task"] = task.task_key
    return Event.objects.create(
        record_id=instance.record_id,
        instance=instance,
        app_version=instance.app_version,
        kind=kind,
        node_id=task.node_id if task is not None else "",
        label=label,
        public=False,
        actor=user if getattr(user, "is_authenticated", False) else None,
        actor_kind=actor.get("kind") or SYSTEM,
        actor_name=str(actor.get("name") or ""),
        agency_id=task.agency_id if task is not None else None,
        at=now or clock.now(),
        data=detail,
    )


@transaction.atomic
def task_complete(
    *,
    task: Task,
    user: Any,
    action: str,
    data: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> Task:
    """Complete ``task`` with ``action``; ``data`` may change the task's editable fields."""
    instance, task = _locked_task(task, record=True)
    if not policies.can_act_on_task(user, task):
        raise NotAllowed(_("This task belongs to another agency or role."), code="not_your_task")
    if task.status == Task.Status.OPEN and task.claimed_by_id not in (None, user.pk):
        raise _claimed_by_other(task, user)
    _open_with_action(task, action)
    _workflow_def, entity = workflow_of(instance.app_version, instance.workflow_key)
    clean = _clean_task_data(task, entity, data or {})
    event = ev.complete_task(task.task_key, action, clean, actor_of(user))
    handle(instance, event, user=user, now=now, record=instance.record, tasks=[task])
    return task


@transaction.atomic
def task_complete_by_citizen(
    *,
    task: Task,
    record: Record,
    secret: str,
    action: str,
    data: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> Task:
    """``task_complete`` for a citizen without an account: the work given back to the
    submitter of ``record`` (e.g. completing an application), allowed by the case's secret.
    ``data`` may change only the task's editable fields."""
    instance, task = _locked_task(task, record=True)
    if not policies.can_citizen_act_on_task_by_secret(task, record=record, secret=secret):
        raise NotFound(_("This task does not exist."), code="task_not_found")
    _open_with_action(task, action)
    _workflow_def, entity = workflow_of(instance.app_version, instance.workflow_key)
    clean = _clean_task_data(task, entity, data or {})
    actor = actor_of(None, kind=CITIZEN)
    event = ev.complete_task(task.task_key, action, clean, actor)
    handle(instance, event, user=None, now=now, record=instance.record, tasks=[task])
    return task


@transaction.atomic
def task_reassign(
    *, task: Task, user: Any, agency: Agency | None = None, role: Role | None = None,
    assignee: User | None = None, reason: str = "", now: datetime | None = None,
) -> Task:  # fmt: skip
    """Give an open task to another agency/role or a named official (leaders and admins);
    a claim on it ends."""
    if agency is None and role is None and assignee is None:
        raise InvalidInput(
            _("Name the agency, the role or the official who should take the task."),
            code="no_reassignment",
        )
    instance, task = _locked_task(task)
    if not policies.can_reassign_task(user, task):
        raise NotAllowed(_("You may not reassign this task."), code="not_allowed")
    if task.status != Task.Status.OPEN:
        raise Conflict(_("This task is no longer open."), code="task_not_open")
    event = ev.reassign_task(
        task.task_key,
        agency=agency.code if agency else None,
        role=role.key if role else None,
        user=assignee.username if assignee else None,
        reason=reason,
        actor=actor_of(user),
    )
    handle(instance, event, user=user, now=now)
    task.refresh_from_db()
    return task


@transaction.atomic
def task_claim(*, task: Task, user: Any, now: datetime | None = None) -> Task:
    """Take an open task of one's agency and role to work on it: colleagues then cannot
    complete it until it is released. Claiming one's own claim again changes nothing."""
    instance, task = _locked_task(task)
    if not policies.can_act_on_task(user, task):
        raise NotAllowed(_("This task belongs to another agency or role."), code="not_your_task")
    if task.status != Task.Status.OPEN:
        raise Conflict(_("This task is no longer open."), code="task_not_open")
    if task.claimed_by_id is not None and task.claimed_by_id != user.pk:
        raise _claimed_by_other(task, user)
    if task.claimed_by_id is None:
        now = now or clock.now()
        task.claimed_by = user
        task.claimed_at = now
        task.save(update_fields=["claimed_by", "claimed_at", "updated_at"])
        log_event(
            instance,
            "task_claimed",
            user=user,
            task=task,
            label={"vi": "Nhận xử lý công việc", "en": "Task claimed"},
            now=now,
        )
        live.case_changed(task.instance.record, kind="task_claimed", tasks=[str(task.uuid)])
    return task


@transaction.atomic
def task_release(*, task: Task, user: Any, now: datetime | None = None) -> Task:
    """Give a claimed task back to the agency's queue: the official who claimed it, or a
    leader over its agency. Releasing a task nobody claimed changes nothing."""
    instance, task = _locked_task(task)
    if task.claimed_by_id is None:
        return task
    if not policies.can_release_task(user, task):
        raise _claimed_by_other(task, user)
    previous = task.claimed_by.display_name() if task.claimed_by else ""
    task.claimed_by = None
    task.claimed_at = None
    task.save(update_fields=["claimed_by", "claimed_at", "updated_at"])
    log_event(
        instance,
        "task_released",
        user=user,
        task=task,
        label={"vi": "Trả công việc về hàng chờ", "en": "Task released"},
        data={"claimed_by": previous},
        now=now,
    )
    live.case_changed(task.instance.record, kind="task_released", tasks=[str(task.uuid)])
    return task


@transaction.atomic
def task_return(
    *, task: Task, user: Any, data: dict[str, Any] | None = None, now: datetime | None = None
) -> Task:
    """Give the case back to the citizen who submitted it (e.g. to complete a file): the
    task's action that leads to a task for the submitter. 400 when it has none."""
    action = task_return_action(task)
    if action is None:
        raise InvalidInput(
            _("This task cannot return the case to the citizen: its workflow has no step "
              "where the citizen completes the application."),
            code="no_return_action",
        )  # fmt: skip
    return task_complete(task=task, user=user, action=action, data=data, now=now)
