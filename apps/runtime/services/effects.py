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

from django.db.models import Subquery, Value
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
        new_record: bool = ...,
    ) -> ProcessInstance: ...


@dataclass
class Applying:
    """What the appliers of one event share: the case, who acts, the clock, and how to
    start another case (a sub-process or a follow-up record's workflow).

    ``locked_record`` is the case's record when the caller already holds it locked (else
    ``apply`` locks and reads it); ``known_tasks`` are task rows the caller already read;
    ``new_instance`` says the case was created in this event, so it has no other tasks."""

    instance: ProcessInstance
    user: Any
    actor: dict[str, Any]
    now: datetime
    start: StartInstance
    locked_record: Record | None = None
    known_tasks: list[Task] | None = None
    new_instance: bool = False
    record: Record = field(init=False)
    tasks: dict[str, Task] = field(init=False)
    closed: bool = False
    #: Audit entries, written together once every effect is applied.
    events: list[Event] = field(init=False, default_factory=list)
    #: Agencies that may read the case from now on, with the first reason given.
    grants: dict[int, str] = field(init=False, default_factory=dict)
    _all_tasks_read: bool = field(init=False, default=False)
    #: Tasks whose state changed (opened, done, cancelled, handed over, deadline moved).
    changed: set[str] = field(init=False, default_factory=set)
    #: What happened last, for live updates (the last audit-log kind written).
    last_event: str = field(init=False, default="case_changed")

    @property
    def acting(self) -> Any:
        return self.user if getattr(self.user, "is_authenticated", False) else None

    def task(self, key: str) -> Task | None:
        """The case's task ``key``: one already at hand, else every task of the case is
        read once (most events only touch the task they complete and the ones they open)."""
        if key not in self.tasks and not self._all_tasks_read:
            self._all_tasks_read = True
            for task in self.instance.tasks.all():
                self.tasks.setdefault(task.task_key, task)
        return self.tasks.get(key)


E = TypeVar("E", bound=Effect)
Applier = Callable[[Applying, Any], None]
APPLIERS: dict[type[Effect], Applier] = {}


def applies(effect_type: type[E]) -> Callable[[Callable[[Applying, E], None]], Applier]:
    """Register the applier of one effect type."""

    def register(applier: Callable[[Applying, E], None]) -> Applier:
        APPLIERS[effect_type] = applier
        return applier

    return register


#: Record columns the appliers may change; only those that did change are written.
RECORD_FIELDS = ("data", "deadline", "status", "outcome", "closed_at", "current_agency_id")


def apply(ctx: Applying, state: dict[str, Any], effects: list[Effect]) -> None:
    """Write the new state and carry out the effects, inside the caller's transaction."""
    missing = sorted({effect.kind for effect in effects if type(effect) not in APPLIERS})
    if missing:
        raise NotImplementedError(f"effects not applied by the runtime: {', '.join(missing)}")
    instance = ctx.instance
    ctx.record = ctx.locked_record or Record.objects.select_for_update().get(pk=instance.record_id)
    record = ctx.record
    before = {name: getattr(record, name) for name in RECORD_FIELDS}
    ctx.tasks = {task.task_key: task for task in ctx.known_tasks or ()}
    ctx._all_tasks_read = ctx.new_instance
    for effect in effects:
        APPLIERS[type(effect)](ctx, effect)
    if ctx.events:
        Event.objects.bulk_create(ctx.events)
    if ctx.grants:
        RecordAccess.objects.bulk_create(
            [
                RecordAccess(record=record, agency_id=agency_id, reason=reason)
                for agency_id, reason in ctx.grants.items()
            ],
            ignore_conflicts=True,  # the reason first given stays
        )
    instance.state = state
    instance.status = state["status"]
    if not ctx.new_instance or ctx.closed:  # a new case was inserted with this state
        instance.save(
            update_fields=["state", "status", "outcome", "ended_at", "engine_seq", "updated_at"]
        )
    record.current_agency_id = _current_agency(ctx, state)
    changed = [name for name in RECORD_FIELDS if getattr(record, name) != before[name]]
    if changed:
        record.save(update_fields=[*changed, "updated_at"])
    if ctx.closed:
        _case_closed(ctx)
    changed_tasks = [str(ctx.tasks[key].uuid) for key in sorted(ctx.changed) if key in ctx.tasks]
    live.case_changed(record, kind=ctx.last_event, tasks=changed_tasks)


def _current_agency(ctx: Applying, state: dict[str, Any]) -> int | None:
    """The agency of the case's oldest open task that has one (what the record shows as
    the agency handling it). The state says which tasks are open: when this event's tasks
    are all of them, no need to ask the database."""
    still_open = {key for key, task in state.get("tasks", {}).items() if task["status"] == "open"}
    if not ctx._all_tasks_read and not still_open <= ctx.tasks.keys():
        return (
            ctx.instance.tasks.filter(status=Task.Status.OPEN, agency__isnull=False)
            .order_by("created_at", "pk")
            .values_list("agency_id", flat=True)
            .first()
        )
    open_tasks = [
        t for t in ctx.tasks.values() if t.status == Task.Status.OPEN and t.agency_id is not None
    ]
    open_tasks.sort(key=lambda t: (t.created_at or ctx.now, t.pk or 0))
    return open_tasks[0].agency_id if open_tasks else None


def _due(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# ------------------------------------------------------------------------------ tasks


def _unknown_agency(code: str | None) -> InvalidInput:
    return InvalidInput(
        _("The workflow assigns a task to agency %(code)s, which does not exist.") % {"code": code},
        code="unknown_agency",
    )


def _unknown_role(key: str | None) -> InvalidInput:
    return InvalidInput(
        _("The workflow assigns a task to role %(role)s, which does not exist.") % {"role": key},
        code="unknown_role",
    )


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
    """Set the task's assignee, agency and role from their user name, code and key (an
    active agency: else ``unknown_agency``; then ``unknown_role``). The agency and its role
    are read in one statement."""
    task.assignee = _user(user) if user else None
    agency_id: int | None = None
    role_id: int | None = None
    if agency:
        roles = Role.objects.filter(key=role).values("pk")[:1] if role else None
        found = (
            Agency.objects.filter(code=agency, is_active=True)
            .annotate(role_pk=Subquery(roles) if roles is not None else Value(None))
            .values_list("pk", "role_pk")
            .first()
        )
        if found is None:
            raise _unknown_agency(agency)
        agency_id, role_id = found
    elif role:
        role_id = Role.objects.filter(key=role).values_list("pk", flat=True).first()
    if role and role_id is None:
        raise _unknown_role(role)
    task.agency_id = agency_id
    task.role_id = role_id


def _grant(ctx: Applying, agency_id: int | None, reason: str) -> None:
    """The agency may read the case from now on (the reason first given stays); written
    once the event's effects are applied."""
    if agency_id is not None:
        ctx.grants.setdefault(agency_id, reason)


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
    _grant(ctx, task.agency_id, ACCESS_TASK)
    ctx.tasks[effect.task] = task
    ctx.changed.add(effect.task)


def _task(ctx: Applying, key: str) -> Task:
    task = ctx.task(key)
    if task is None:
        raise KeyError(key)
    return task


@applies(CompleteTask)
def _complete_task(ctx: Applying, effect: CompleteTask) -> None:
    task = _task(ctx, effect.task)
    task.status = Task.Status.COMPLETED
    task.action = effect.action
    task.completed_at = ctx.now
    task.completed_by = ctx.acting
    task.save(update_fields=["status", "action", "completed_at", "completed_by", "updated_at"])
    ctx.changed.add(effect.task)


@applies(CancelTask)
def _cancel_task(ctx: Applying, effect: CancelTask) -> None:
    task = _task(ctx, effect.task)
    task.status = Task.Status.CANCELLED
    task.save(update_fields=["status", "updated_at"])
    ctx.changed.add(effect.task)


@applies(ReassignTask)
def _reassign_task(ctx: Applying, effect: ReassignTask) -> None:
    task = _task(ctx, effect.task)
    _assign(task, agency=effect.agency, role=effect.role, user=effect.user)
    task.claimed_by = None  # the task changes hands: a claim on it ends
    task.claimed_at = None
    task.save(
        update_fields=["assignee", "agency", "role", "claimed_by", "claimed_at", "updated_at"]
    )
    _grant(ctx, task.agency_id, ACCESS_TASK)
    ctx.changed.add(effect.task)


@applies(SetTaskDue)
def _set_task_due(ctx: Applying, effect: SetTaskDue) -> None:
    task = _task(ctx, effect.task)
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
    task = ctx.task(task_key) if isinstance(task_key, str) else None
    ctx.events.append(
        Event(
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
            agency_id=task.agency_id if task is not None else None,
            at=ctx.now,
            data=effect.detail,
        )
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
    informed = (
        Agency.objects.filter(code=to["agency"]).values_list("pk", flat=True).first()
        if to.get("agency")
        else None
    )
    _grant(ctx, informed, ACCESS_INFORMED)


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
            new_record=True,
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
        new_record=True,
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
