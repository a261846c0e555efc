"""Running cases: starting a workflow, completing tasks, applying the engine's effects.

Every event is applied in one transaction with the instance row locked; side effects
that leave the process (email, later webhooks) go to Celery after commit.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts import permissions
from apps.accounts.models import Agency, Role
from apps.builder.selectors import version_app_def
from apps.core.errors import Conflict, InvalidInput, NotAllowed, NotFound, from_workflow_error
from apps.records.models import Record
from apps.records.validation import errors_by_field
from workflows import engine
from workflows import events as ev
from workflows.definition import EntityDef, WorkflowDef
from workflows.effects import (
    CancelTask,
    CloseCase,
    CompleteTask,
    CreateTask,
    Effect,
    RecordEvent,
    UpdateData,
)
from workflows.errors import WorkflowError
from workflows.forms import FieldError, InvalidValue, clean_value

from .models import Event, ProcessInstance, Task

CITIZEN = "citizen"
USER = "user"
SYSTEM = "system"


def actor_of(user: Any, *, kind: str | None = None) -> dict[str, Any]:
    """The engine's view of who acts."""
    if user is not None and getattr(user, "is_authenticated", False):
        return {"kind": kind or USER, "id": str(user.uuid), "name": user.display_name()}
    if kind == CITIZEN:
        return {"kind": CITIZEN, "id": None, "name": _("Citizen")}
    return dict(ev.SYSTEM_ACTOR)


def _workflow(instance_or_version: Any, key: str) -> tuple[WorkflowDef, EntityDef]:
    app_def = version_app_def(instance_or_version)
    workflow = app_def.workflows.get(key)
    if workflow is None:
        raise NotFound(_("This workflow does not exist."), code="workflow_not_found")
    return workflow, app_def.entities[workflow.entity]


@transaction.atomic
def instance_start(
    *, record: Record, workflow_key: str, user: Any = None, actor: dict[str, Any] | None = None
) -> ProcessInstance:
    workflow, _entity = _workflow(record.app_version, workflow_key)
    actor = actor or actor_of(user)
    try:
        state, effects = engine.start(workflow, record.data, timezone.now(), actor)
    except WorkflowError as error:
        raise from_workflow_error(error) from error
    instance = ProcessInstance.objects.create(
        record=record, app_version=record.app_version, workflow_key=workflow_key, state=state
    )
    _apply(instance, state, effects, user=user, actor=actor)
    return instance


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


@transaction.atomic
def task_complete(
    *, task: Task, user: Any, action: str, data: dict[str, Any] | None = None
) -> Task:
    """Complete ``task`` with ``action``; ``data`` may change the task's editable fields."""
    instance = ProcessInstance.objects.select_for_update().get(pk=task.instance_id)
    task = Task.objects.select_related("agency", "role").get(pk=task.pk)
    if not permissions.can_act_on_task(user, task):
        raise NotAllowed(_("This task belongs to another agency or role."), code="not_your_task")
    if task.status != Task.Status.OPEN:
        raise Conflict(
            _("This task is no longer open; someone may have completed it."), code="task_not_open"
        )
    if action not in {a["key"] for a in task.actions}:
        raise InvalidInput(_("This action is not available for this task."), code="unknown_action")
    workflow, entity = _workflow(instance.app_version, instance.workflow_key)
    clean = _clean_task_data(task, entity, data or {})
    actor = actor_of(user)
    event = ev.complete_task(task.task_key, action, clean, actor)
    try:
        state, effects = engine.handle(workflow, instance.state, event, timezone.now())
    except WorkflowError as error:
        raise from_workflow_error(error) from error
    _apply(instance, state, effects, user=user, actor=actor)
    task.refresh_from_db()
    return task


@transaction.atomic
def instance_cancel(*, instance: ProcessInstance, user: Any, reason: str = "") -> ProcessInstance:
    instance = ProcessInstance.objects.select_for_update().get(pk=instance.pk)
    workflow, _entity = _workflow(instance.app_version, instance.workflow_key)
    actor = actor_of(user)
    try:
        state, effects = engine.handle(
            workflow, instance.state, ev.cancel(reason, actor), timezone.now()
        )
    except WorkflowError as error:
        raise from_workflow_error(error) from error
    _apply(instance, state, effects, user=user, actor=actor)
    return instance


def _agency(code: str | None) -> Agency:
    agency = Agency.objects.filter(code=code, is_active=True).first() if code else None
    if agency is None:
        raise InvalidInput(
            _("The workflow assigns a task to agency %(code)s, which does not exist.")
            % {"code": code},
            code="unknown_agency",
        )
    return agency


def _role(key: str | None) -> Role:
    role = Role.objects.filter(key=key).first() if key else None
    if role is None:
        raise InvalidInput(
            _("The workflow assigns a task to role %(role)s, which does not exist.")
            % {"role": key},
            code="unknown_role",
        )
    return role


def _apply(
    instance: ProcessInstance,
    state: dict[str, Any],
    effects: list[Effect],
    *,
    user: Any,
    actor: dict[str, Any],
) -> None:
    """Write the new state and carry out the effects, inside the caller's transaction."""
    now = timezone.now()
    record = Record.objects.select_for_update().get(pk=instance.record_id)
    tasks = {t.task_key: t for t in instance.tasks.all()}
    closed = False
    for effect in effects:
        if isinstance(effect, CreateTask):
            agency = _agency(effect.agency)
            tasks[effect.task] = Task.objects.create(
                instance=instance,
                task_key=effect.task,
                node_id=effect.node,
                label=effect.label,
                agency=agency,
                role=_role(effect.role),
                actions=effect.actions,
                fields=effect.fields,
            )
        elif isinstance(effect, CompleteTask):
            task = tasks[effect.task]
            task.status = Task.Status.COMPLETED
            task.action = effect.action
            task.completed_at = now
            task.completed_by = user if getattr(user, "is_authenticated", False) else None
            task.save(
                update_fields=["status", "action", "completed_at", "completed_by", "updated_at"]
            )
        elif isinstance(effect, CancelTask):
            task = tasks[effect.task]
            task.status = Task.Status.CANCELLED
            task.save(update_fields=["status", "updated_at"])
        elif isinstance(effect, UpdateData):
            record.data = {**record.data, **effect.changes}
        elif isinstance(effect, RecordEvent):
            task_key = effect.detail.get("task")
            event_agency = tasks[task_key].agency if task_key in tasks else None
            Event.objects.create(
                record=record,
                instance=instance,
                app_version=instance.app_version,
                kind=effect.event,
                node_id=effect.node or "",
                label=effect.label,
                public=effect.public,
                actor=user if getattr(user, "is_authenticated", False) else None,
                actor_kind=actor.get("kind") or SYSTEM,
                actor_name=str(actor.get("name") or ""),
                agency=event_agency,
                at=now,
                data=effect.detail,
            )
        elif isinstance(effect, CloseCase):
            closed = True
            record.status = Record.Status.CLOSED
            record.outcome = effect.outcome
            record.closed_at = now
            instance.outcome = effect.outcome
            instance.ended_at = now
    instance.state = state
    instance.status = state["status"]
    instance.save(update_fields=["state", "status", "outcome", "ended_at", "updated_at"])
    open_task = instance.tasks.filter(status=Task.Status.OPEN).order_by("created_at").first()
    record.current_agency = open_task.agency if open_task else None
    record.save()
    if closed and record.contact_email:
        from .tasks import notify_citizen

        record_uuid = str(record.uuid)
        transaction.on_commit(lambda: notify_citizen.delay(record_uuid, "closed"))
