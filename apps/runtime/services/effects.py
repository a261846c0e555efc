"""Carrying out the engine's effects: one applier per effect type, in a table.

What stays in the database (tasks, timers, data, the audit log, sub-process records) is
written in the caller's transaction; what leaves it goes to the outbox in that same
transaction. Adding an effect type to the engine means adding its applier here; a type
without one is refused before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypeVar

from django.utils.translation import gettext as _

from apps.accounts.models import Agency, Role, User
from apps.builder.models import App, AppVersion
from apps.builder.selectors import latest_published, version_app_def
from apps.core.errors import InvalidInput
from apps.records.models import Record, RecordAccess
from apps.records.services import record_create_internal
from workflows import events as ev
from workflows.effects import (
    CallWebhook,
    CancelSubprocess,
    CancelTask,
    CancelTimer,
    CloseCase,
    CompleteTask,
    CreateRecord,
    CreateTask,
    Effect,
    Notify,
    ReassignTask,
    RecordEvent,
    ScheduleTimer,
    SetCaseDeadline,
    SetTaskDue,
    StartSubprocess,
    UpdateData,
)

from .. import live, outbox
from ..models import Event, ProcessInstance, Task, Timer

SYSTEM = "system"
#: Why an agency may read a case: it has or had a task on it.
ACCESS_TASK = "task"
#: Why an agency may read a case: the workflow informed it.
ACCESS_INFORMED = "informed"


class StartInstance(Protocol):
    def __call__(
        self,
        *,
        record: Record,
        workflow_key: str,
        actor: dict[str, Any] | None = ...,
        parent: ProcessInstance | None = ...,
        parent_child_key: str = ...,
        parent_waits: bool = ...,
        now: datetime | None = ...,
    ) -> ProcessInstance: ...


@dataclass
class Applying:
    """What the appliers of one event share: the case, who acts, the clock, and how to
    start another case (a sub-process or a follow-up record's workflow)."""

    instance: ProcessInstance
    user: Any
    actor: dict[str, Any]
    now: datetime
    start: StartInstance
    record: Record = field(init=False)
    tasks: dict[str, Task] = field(init=False)
    closed: bool = False
    #: Tasks whose state changed (opened, done, cancelled, handed over, deadline moved).
    changed: set[str] = field(default_factory=set)
    #: What happened last, for live updates (the last audit-log kind written).
    last_event: str = "case_changed"

    @property
    def acting(self) -> Any:
        return self.user if getattr(self.user, "is_authenticated", False) else None


E = TypeVar("E", bound=Effect)
Applier = Callable[[Applying, Any], None]
APPLIERS: dict[type[Effect], Applier] = {}


def applies(effect_type: type[E]) -> Callable[[Callable[[Applying, E], None]], Applier]:
    """Register the applier of one effect type."""

    def register(applier: Callable[[Applying, E], None]) -> Applier:
        APPLIERS[effect_type] = applier
        return applier

    return register


def apply(ctx: Applying, state: dict[str, Any], effects: list[Effect]) -> None:
    """Write the new state and carry out the effects, inside the caller's transaction."""
    missing = sorted({effect.kind for effect in effects if type(effect) not in APPLIERS})
    if missing:
        raise NotImplementedError(f"effects not applied by the runtime: {', '.join(missing)}")
    instance = ctx.instance
    ctx.record = Record.objects.select_for_update().get(pk=instance.record_id)
    ctx.tasks = {t.task_key: t for t in instance.tasks.select_related("agency")}
    for effect in effects:
        APPLIERS[type(effect)](ctx, effect)
    instance.state = state
    instance.status = state["status"]
    instance.save(update_fields=["state", "status", "outcome", "ended_at", "updated_at"])
    record = ctx.record
    open_tasks = [
        t for t in ctx.tasks.values() if t.status == Task.Status.OPEN and t.agency_id is not None
    ]
    open_tasks.sort(key=lambda t: (t.created_at or ctx.now, t.pk or 0))
    record.current_agency = open_tasks[0].agency if open_tasks else None
    record.save()
    if ctx.closed:
        _case_closed(ctx)
    changed = [str(ctx.tasks[key].uuid) for key in sorted(ctx.changed) if key in ctx.tasks]
    live.case_changed(record, kind=ctx.last_event, tasks=changed)


def _due(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# ------------------------------------------------------------------------------ tasks


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


def _user(username: str | None) -> User:
    user = User.objects.filter(username=username, is_active=True).first() if username else None
    if user is None:
        raise InvalidInput(
            _("The workflow assigns a task to user %(user)s, who does not exist.")
            % {"user": username},
            code="unknown_user",
        )
    return user


def _assign(task: Task, *, agency: str | None, role: str | None, user: str | None) -> None:
    task.assignee = _user(user) if user else None
    task.agency = _agency(agency) if agency else None
    task.role = _role(role) if role else None


def _grant(record: Record, agency: Agency | None, reason: str) -> None:
    """The agency may read the case from now on (the reason first given stays)."""
    if agency is not None:
        RecordAccess.objects.get_or_create(
            record=record, agency=agency, defaults={"reason": reason}
        )


@applies(CreateTask)
def _create_task(ctx: Applying, effect: CreateTask) -> None:
    task = Task(
        instance=ctx.instance,
        task_key=effect.task,
        node_id=effect.node,
        label=effect.label,
        actions=effect.actions,
        fields=effect.fields,
        for_submitter=effect.submitter,
        due=_due(effect.due),
        item=effect.item,
        excluded_actors=effect.excluded_actors,
    )
    _assign(task, agency=effect.agency, role=effect.role, user=effect.user)
    task.save()
    _grant(ctx.record, task.agency, ACCESS_TASK)
    ctx.tasks[effect.task] = task
    ctx.changed.add(effect.task)


@applies(CompleteTask)
def _complete_task(ctx: Applying, effect: CompleteTask) -> None:
    task = ctx.tasks[effect.task]
    task.status = Task.Status.COMPLETED
    task.action = effect.action
    task.completed_at = ctx.now
    task.completed_by = ctx.acting
    task.save(update_fields=["status", "action", "completed_at", "completed_by", "updated_at"])
    ctx.changed.add(effect.task)


@applies(CancelTask)
def _cancel_task(ctx: Applying, effect: CancelTask) -> None:
    task = ctx.tasks[effect.task]
    task.status = Task.Status.CANCELLED
    task.save(update_fields=["status", "updated_at"])
    ctx.changed.add(effect.task)


@applies(ReassignTask)
def _reassign_task(ctx: Applying, effect: ReassignTask) -> None:
    task = ctx.tasks[effect.task]
    _assign(task, agency=effect.agency, role=effect.role, user=effect.user)
    task.claimed_by = None  # the task changes hands: a claim on it ends
    task.claimed_at = None
    task.save(
        update_fields=["assignee", "agency", "role", "claimed_by", "claimed_at", "updated_at"]
    )
    _grant(ctx.record, task.agency, ACCESS_TASK)
    ctx.changed.add(effect.task)


@applies(SetTaskDue)
def _set_task_due(ctx: Applying, effect: SetTaskDue) -> None:
    task = ctx.tasks[effect.task]
    task.due = _due(effect.due)
    task.save(update_fields=["due", "updated_at"])
    ctx.changed.add(effect.task)


# ------------------------------------------------------------------------------ the case


@applies(SetCaseDeadline)
def _set_case_deadline(ctx: Applying, effect: SetCaseDeadline) -> None:
    ctx.record.deadline = _due(effect.due)


@applies(UpdateData)
def _update_data(ctx: Applying, effect: UpdateData) -> None:
    ctx.record.data = {**ctx.record.data, **effect.changes}


@applies(RecordEvent)
def _record_event(ctx: Applying, effect: RecordEvent) -> None:
    task_key = effect.detail.get("task")
    Event.objects.create(
        record=ctx.record,
        instance=ctx.instance,
        app_version=ctx.instance.app_version,
        kind=effect.event,
        node_id=effect.node or "",
        label=effect.label,
        public=effect.public,
        actor=ctx.acting,
        actor_kind=ctx.actor.get("kind") or SYSTEM,
        actor_name=str(ctx.actor.get("name") or ""),
        agency=ctx.tasks[task_key].agency if task_key in ctx.tasks else None,
        at=ctx.now,
        data=effect.detail,
    )
    ctx.last_event = effect.event


@applies(CloseCase)
def _close_case(ctx: Applying, effect: CloseCase) -> None:
    ctx.closed = True
    ctx.record.status = Record.Status.CLOSED
    ctx.record.outcome = effect.outcome
    ctx.record.closed_at = ctx.now
    ctx.instance.outcome = effect.outcome
    ctx.instance.ended_at = ctx.now


def _case_closed(ctx: Applying) -> None:
    """A waiting parent case hears of it; the citizen gets the closing notice."""
    instance = ctx.instance
    if instance.parent_id is not None and instance.parent_waits:
        outbox.outbox_add(
            record=ctx.record,
            instance=instance,
            key="report-to-parent",
            kind=outbox.REPORT_TO_PARENT,
            payload={},
        )
    if ctx.record.contact_email:
        outbox.outbox_add(
            record=ctx.record,
            instance=instance,
            key="closing-notice",
            kind=outbox.CITIZEN_EMAIL,
            payload={"notice": "closed"},
        )


# ------------------------------------------------------------------------------ timers


@applies(ScheduleTimer)
def _schedule_timer(ctx: Applying, effect: ScheduleTimer) -> None:
    Timer.objects.update_or_create(
        instance=ctx.instance,
        timer_key=effect.timer,
        defaults={
            "purpose": effect.purpose,
            "task_key": effect.task or "",
            "due": datetime.fromisoformat(effect.due),
            "status": Timer.Status.SCHEDULED,
        },
    )


@applies(CancelTimer)
def _cancel_timer(ctx: Applying, effect: CancelTimer) -> None:
    Timer.objects.filter(
        instance=ctx.instance, timer_key=effect.timer, status=Timer.Status.SCHEDULED
    ).update(status=Timer.Status.CANCELLED)


# ------------------------------------------------------------------------------ leaving


@applies(Notify)
def _notify(ctx: Applying, effect: Notify) -> None:
    outbox.outbox_add(
        record=ctx.record,
        instance=ctx.instance,
        key=effect.notification,
        kind=outbox.NOTIFY,
        payload=effect.as_dict(),
    )
    to = effect.to
    informed = Agency.objects.filter(code=to.get("agency")).first() if to.get("agency") else None
    _grant(ctx.record, informed, ACCESS_INFORMED)


@applies(CallWebhook)
def _call_webhook(ctx: Applying, effect: CallWebhook) -> None:
    outbox.outbox_add(
        record=ctx.record,
        instance=ctx.instance,
        key=effect.call,
        kind=outbox.WEBHOOK,
        payload=effect.as_dict(),
    )


# ------------------------------------------------------------------------------ other cases


def _child_record(
    ctx: Applying,
    *,
    app_key: str | None,
    data: dict[str, Any],
    entity_key: str | None = None,
    workflow_key: str | None = None,
) -> Record:
    """A record for a hand-off or a follow-up record, in this app or another one."""
    if app_key is None:
        version: AppVersion | None = ctx.instance.app_version
    else:
        app = App.objects.filter(key=app_key).first()
        version = latest_published(app) if app else None
    if version is None:
        raise InvalidInput(
            _("The workflow refers to app %(app)s, which is not published.") % {"app": app_key},
            code="unknown_app",
        )
    app_def = version_app_def(version)
    if workflow_key is not None:
        workflow = app_def.workflows.get(workflow_key)
        entity_key = workflow.entity if workflow else None
    entity = app_def.entities.get(entity_key or "")
    if entity is None:
        raise InvalidInput(
            _("The workflow refers to %(name)s, which the app does not define.")
            % {"name": workflow_key or entity_key},
            code="unknown_definition",
        )
    return record_create_internal(version=version, entity=entity, data=data, parent=ctx.record)


@applies(CreateRecord)
def _create_record(ctx: Applying, effect: CreateRecord) -> None:
    created = _child_record(ctx, app_key=effect.app, data=effect.data, entity_key=effect.entity)
    if effect.workflow:
        ctx.start(
            record=created,
            workflow_key=effect.workflow,
            actor=dict(ev.SYSTEM_ACTOR),
            now=ctx.now,
        )


@applies(StartSubprocess)
def _start_subprocess(ctx: Applying, effect: StartSubprocess) -> None:
    created = _child_record(ctx, app_key=effect.app, data=effect.data, workflow_key=effect.workflow)
    ctx.start(
        record=created,
        workflow_key=effect.workflow,
        actor=dict(ev.SYSTEM_ACTOR),
        parent=ctx.instance,
        parent_child_key=effect.child,
        parent_waits=effect.wait,
        now=ctx.now,
    )


@applies(CancelSubprocess)
def _cancel_subprocess(ctx: Applying, effect: CancelSubprocess) -> None:
    child = ctx.instance.children.filter(parent_child_key=effect.child).first()
    if child is not None and child.status == ProcessInstance.Status.RUNNING:
        outbox.outbox_add(
            record=ctx.record,
            instance=ctx.instance,
            key=f"cancel-{effect.child}",
            kind=outbox.CANCEL_SUBPROCESS,
            payload={"child": str(child.uuid)},
        )
