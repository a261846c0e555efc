"""Running cases: starting workflows, completing tasks, firing timers, delivering
messages, and applying the engine's effects.

Every event is applied in one transaction with the instance row locked. Effects that stay
in the database (tasks, timers, data, the audit log, sub-process records) are written in
that transaction; effects that leave it (notifications, webhooks, reporting back to a
parent case) go to the outbox in the same transaction and are delivered by Celery after
commit, at least once, with an idempotency key so their consequence happens once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts import permissions
from apps.accounts.models import Agency, Role, User
from apps.builder.models import App, AppVersion
from apps.builder.selectors import latest_published, version_app_def
from apps.core.errors import (
    Conflict,
    InvalidInput,
    NotAllowed,
    NotFound,
    ServiceError,
    from_workflow_error,
    nul_message,
)
from apps.records.models import Record, RecordAccess
from apps.records.validation import errors_by_field
from workflows import engine
from workflows import events as ev
from workflows.definition import EntityDef, WorkflowDef
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
from workflows.errors import InvalidEvent, WorkflowError
from workflows.forms import FieldError, InvalidValue, clean_value
from workflows.state import new_state

from .models import EngineEvent, Event, OutboxEntry, ProcessInstance, Task, Timer
from .selectors import task_return_action

CITIZEN = "citizen"
USER = "user"
SYSTEM = "system"


def actor_of(user: Any, *, kind: str | None = None) -> dict[str, Any]:
    """The engine's view of who acts."""
    if user is not None and getattr(user, "is_authenticated", False):
        return {"kind": kind or USER, "id": str(user.uuid), "name": user.display_name()}
    if kind == CITIZEN:
        # No name is stored for an anonymous citizen; pages say "Citizen" in their language.
        return {"kind": CITIZEN, "id": None, "name": ""}
    return dict(ev.SYSTEM_ACTOR)


def _authenticated(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _workflow(version: AppVersion, key: str) -> tuple[WorkflowDef, EntityDef]:
    app_def = version_app_def(version)
    workflow = app_def.workflows.get(key)
    if workflow is None:
        raise NotFound(_("This workflow does not exist."), code="workflow_not_found")
    return workflow, app_def.entities[workflow.entity]


def _handle(instance: ProcessInstance, event: dict[str, Any], *, user: Any = None) -> list[Effect]:
    """Run one event through the engine and apply the result. The caller holds the lock."""
    workflow, _entity = _workflow(instance.app_version, instance.workflow_key)
    now = timezone.now()
    try:
        state, effects = engine.handle(workflow, instance.state, event, now)
    except WorkflowError as error:
        raise from_workflow_error(error) from error
    _remember(instance, event, now)
    _apply(instance, state, effects, user=user, actor=event.get("actor") or ev.SYSTEM_ACTOR)
    return effects


def _remember(instance: ProcessInstance, event: dict[str, Any], now: datetime) -> None:
    seq = instance.engine_events.count() + 1
    EngineEvent.objects.create(instance=instance, seq=seq, event=event, at=now)


def instance_replay(instance: ProcessInstance) -> dict[str, Any]:
    """The state obtained by replaying the case's engine events from its start."""
    workflow, _entity = _workflow(instance.app_version, instance.workflow_key)
    state = new_state(instance.initial_data)
    logged_events = list(instance.engine_events.order_by("seq"))
    restarts = [i for i, logged in enumerate(logged_events) if logged.event.get("type") == RESTART]
    if restarts:  # a reopened case: its workflow ran again from the start at the last restart
        logged_events = logged_events[restarts[-1] + 1 :]
    for logged in logged_events:
        state, _effects = engine.handle(workflow, state, logged.event, logged.at)
    return state


def _locked(instance_id: int) -> ProcessInstance:
    return (
        ProcessInstance.objects.select_for_update()
        .select_related("app_version")
        .get(pk=instance_id)
    )


# ------------------------------------------------------------------------------ use cases


@transaction.atomic
def instance_start(
    *,
    record: Record,
    workflow_key: str,
    user: Any = None,
    actor: dict[str, Any] | None = None,
    parent: ProcessInstance | None = None,
    parent_child_key: str = "",
    parent_waits: bool = False,
) -> ProcessInstance:
    actor = actor or actor_of(user)
    instance = ProcessInstance.objects.create(
        record=record,
        app_version=record.app_version,
        workflow_key=workflow_key,
        state=new_state(record.data),
        initial_data=record.data,
        parent=parent,
        parent_child_key=parent_child_key,
        parent_waits=parent_waits,
    )
    _handle(instance, ev.start(actor), user=user)
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
    instance = _locked(task.instance_id)
    task = Task.objects.select_related("agency", "role", "instance__record").get(pk=task.pk)
    if not permissions.can_act_on_task(user, task):
        raise NotAllowed(_("This task belongs to another agency or role."), code="not_your_task")
    if task.status != Task.Status.OPEN:
        raise Conflict(
            _("This task is no longer open; someone may have completed it."), code="task_not_open"
        )
    if task.claimed_by_id is not None and task.claimed_by_id != user.pk:
        raise _claimed_by_other(task, user)
    if action not in {a["key"] for a in task.actions}:
        raise InvalidInput(_("This action is not available for this task."), code="unknown_action")
    _workflow_def, entity = _workflow(instance.app_version, instance.workflow_key)
    clean = _clean_task_data(task, entity, data or {})
    _handle(instance, ev.complete_task(task.task_key, action, clean, actor_of(user)), user=user)
    task.refresh_from_db()
    return task


@transaction.atomic
def task_reassign(
    *, task: Task, user: Any, agency: Agency | None = None, role: Role | None = None,
    assignee: User | None = None, reason: str = "",
) -> Task:  # fmt: skip
    """Give an open task to another agency/role or a named official (leaders and admins);
    a claim on it ends."""
    if agency is None and role is None and assignee is None:
        raise InvalidInput(
            _("Name the agency, the role or the official who should take the task."),
            code="no_reassignment",
        )
    instance = _locked(task.instance_id)
    task = Task.objects.select_related("agency").get(pk=task.pk)
    if not permissions.can_reassign_task(user, task):
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
    _handle(instance, event, user=user)
    task.refresh_from_db()
    return task


@transaction.atomic
def instance_cancel(*, instance: ProcessInstance, user: Any, reason: str = "") -> ProcessInstance:
    instance = _locked(instance.pk)
    _handle(instance, ev.cancel(reason, actor_of(user)), user=user)
    return instance


@transaction.atomic
def instance_pause(*, instance: ProcessInstance, user: Any, reason: str = "") -> ProcessInstance:
    instance = _locked(instance.pk)
    _handle(instance, ev.pause(reason, actor_of(user)), user=user)
    return instance


@transaction.atomic
def instance_resume(*, instance: ProcessInstance, user: Any) -> ProcessInstance:
    instance = _locked(instance.pk)
    _handle(instance, ev.resume(actor_of(user)), user=user)
    return instance


def message_deliver(*, name: str, key: Any, data: dict[str, Any] | None = None) -> int:
    """Deliver an external message to every running case waiting for ``name`` with ``key``.
    Returns how many cases took it."""
    delivered = 0
    candidates = ProcessInstance.objects.filter(status=ProcessInstance.Status.RUNNING)
    for instance_id in candidates.values_list("pk", flat=True):
        with transaction.atomic():
            instance = _locked(instance_id)
            waiting = any(
                (t.get("wait") or {}).get("kind") == "message"
                and t["wait"].get("name") == name
                and t["wait"].get("key") == key
                for t in instance.state.get("tokens", [])
            )
            if waiting:
                _handle(instance, ev.message(name, key, data))
                delivered += 1
    return delivered


@transaction.atomic
def timer_fire(*, timer_id: int, now: datetime | None = None) -> bool:
    """Fire one due timer (idempotent: a fired or cancelled timer does nothing)."""
    timer = Timer.objects.filter(pk=timer_id).first()
    if timer is None:
        return False
    instance = _locked(timer.instance_id)
    timer = Timer.objects.select_for_update().get(pk=timer_id)
    now = now or timezone.now()
    if timer.status != Timer.Status.SCHEDULED or timer.due > now:
        return False
    timer.status = Timer.Status.FIRED
    timer.fired_at = now
    timer.save(update_fields=["status", "fired_at"])
    try:
        _handle(instance, ev.timer_fired(timer.timer_key))
    except ServiceError as error:
        if error.code != "timer_not_active":
            raise
        timer.status = Timer.Status.CANCELLED
        timer.save(update_fields=["status"])
    return True


def due_timers(now: datetime | None = None, limit: int = 200) -> list[int]:
    now = now or timezone.now()
    return list(
        Timer.objects.filter(status=Timer.Status.SCHEDULED, due__lte=now)
        .order_by("due")
        .values_list("pk", flat=True)[:limit]
    )


def subprocess_report(*, child: ProcessInstance) -> bool:
    """Tell a waiting parent case that ``child`` ended (idempotent)."""
    if child.parent_id is None or not child.parent_waits:
        return False
    with transaction.atomic():
        parent = _locked(child.parent_id)
        record = Record.objects.get(pk=child.record_id)
        running = parent.state.get("children", {}).get(child.parent_child_key, {})
        if running.get("status") != "running" or parent.status != ProcessInstance.Status.RUNNING:
            return False
        event = ev.subprocess_completed(child.parent_child_key, child.outcome, record.data)
        _handle(parent, event)
    return True


# ------------------------------------------------------------------------------ effects


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


def _grant_informed(record: Record, to: dict[str, Any]) -> None:
    """An agency the workflow informs may see the case (a coordination rule's "informed"
    party), though it has no task on it."""
    agency = Agency.objects.filter(code=to.get("agency")).first() if to.get("agency") else None
    if agency is not None:
        RecordAccess.objects.get_or_create(record=record, agency=agency)


def _outbox(instance: ProcessInstance, key: str, kind: str, payload: dict[str, Any]) -> None:
    entry, created = OutboxEntry.objects.get_or_create(
        key=f"{instance.uuid}:{key}",
        defaults={"instance": instance, "kind": kind, "payload": payload},
    )
    if created:
        from .tasks import deliver_outbox

        entry_id = entry.pk
        transaction.on_commit(lambda: deliver_outbox.delay(entry_id))


def _child_record(
    instance: ProcessInstance,
    record: Record,
    *,
    app_key: str | None,
    data: dict[str, Any],
    entity_key: str | None = None,
    workflow_key: str | None = None,
) -> Record:
    """A record for a hand-off or a follow-up record, in this app or another one."""
    if app_key is None:
        version: AppVersion | None = instance.app_version
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
    from apps.records.services import record_create_internal

    return record_create_internal(version=version, entity=entity, data=data, parent=record)


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
    acting = _authenticated(user)
    closed = False
    for effect in effects:
        if isinstance(effect, CreateTask):
            task = Task(
                instance=instance,
                task_key=effect.task,
                node_id=effect.node,
                label=effect.label,
                actions=effect.actions,
                fields=effect.fields,
                for_submitter=effect.submitter,
                due=datetime.fromisoformat(effect.due) if effect.due else None,
                item=effect.item,
                excluded_actors=effect.excluded_actors,
            )
            _assign(task, agency=effect.agency, role=effect.role, user=effect.user)
            task.save()
            tasks[effect.task] = task
        elif isinstance(effect, CompleteTask):
            task = tasks[effect.task]
            task.status = Task.Status.COMPLETED
            task.action = effect.action
            task.completed_at = now
            task.completed_by = acting
            task.save(
                update_fields=["status", "action", "completed_at", "completed_by", "updated_at"]
            )
        elif isinstance(effect, CancelTask):
            task = tasks[effect.task]
            task.status = Task.Status.CANCELLED
            task.save(update_fields=["status", "updated_at"])
        elif isinstance(effect, ReassignTask):
            task = tasks[effect.task]
            _assign(task, agency=effect.agency, role=effect.role, user=effect.user)
            task.claimed_by = None  # the task changes hands: a claim on it ends
            task.claimed_at = None
            task.save(
                update_fields=[
                    "assignee",
                    "agency",
                    "role",
                    "claimed_by",
                    "claimed_at",
                    "updated_at",
                ]
            )
        elif isinstance(effect, SetTaskDue):
            task = tasks[effect.task]
            task.due = datetime.fromisoformat(effect.due) if effect.due else None
            task.save(update_fields=["due", "updated_at"])
        elif isinstance(effect, SetCaseDeadline):
            record.deadline = datetime.fromisoformat(effect.due) if effect.due else None
        elif isinstance(effect, ScheduleTimer):
            Timer.objects.update_or_create(
                instance=instance,
                timer_key=effect.timer,
                defaults={
                    "purpose": effect.purpose,
                    "task_key": effect.task or "",
                    "due": datetime.fromisoformat(effect.due),
                    "status": Timer.Status.SCHEDULED,
                },
            )
        elif isinstance(effect, CancelTimer):
            Timer.objects.filter(
                instance=instance, timer_key=effect.timer, status=Timer.Status.SCHEDULED
            ).update(status=Timer.Status.CANCELLED)
        elif isinstance(effect, UpdateData):
            record.data = {**record.data, **effect.changes}
        elif isinstance(effect, RecordEvent):
            task_key = effect.detail.get("task")
            Event.objects.create(
                record=record,
                instance=instance,
                app_version=instance.app_version,
                kind=effect.event,
                node_id=effect.node or "",
                label=effect.label,
                public=effect.public,
                actor=acting,
                actor_kind=actor.get("kind") or SYSTEM,
                actor_name=str(actor.get("name") or ""),
                agency=tasks[task_key].agency if task_key in tasks else None,
                at=now,
                data=effect.detail,
            )
        elif isinstance(effect, Notify):
            _outbox(instance, effect.notification, "notify", effect.as_dict())
            _grant_informed(record, effect.to)
        elif isinstance(effect, CallWebhook):
            _outbox(instance, effect.call, "webhook", effect.as_dict())
        elif isinstance(effect, CreateRecord):
            created = _child_record(
                instance, record, app_key=effect.app, data=effect.data, entity_key=effect.entity
            )
            if effect.workflow:
                instance_start(
                    record=created, workflow_key=effect.workflow, actor=dict(ev.SYSTEM_ACTOR)
                )
        elif isinstance(effect, StartSubprocess):
            created = _child_record(
                instance, record, app_key=effect.app, data=effect.data, workflow_key=effect.workflow
            )
            instance_start(
                record=created,
                workflow_key=effect.workflow,
                actor=dict(ev.SYSTEM_ACTOR),
                parent=instance,
                parent_child_key=effect.child,
                parent_waits=effect.wait,
            )
        elif isinstance(effect, CancelSubprocess):
            child = instance.children.filter(parent_child_key=effect.child).first()
            if child is not None and child.status == ProcessInstance.Status.RUNNING:
                _outbox(instance, f"cancel-{effect.child}", "cancel_subprocess",
                        {"child": str(child.uuid)})  # fmt: skip
        elif isinstance(effect, CloseCase):
            closed = True
            record.status = Record.Status.CLOSED
            record.outcome = effect.outcome
            record.closed_at = now
            instance.outcome = effect.outcome
            instance.ended_at = now
        else:  # pragma: no cover - a new effect kind must be handled here
            raise NotImplementedError(f"effect {effect.kind} is not applied by the runtime")
    instance.state = state
    instance.status = state["status"]
    instance.save(update_fields=["state", "status", "outcome", "ended_at", "updated_at"])
    open_task = (
        instance.tasks.filter(status=Task.Status.OPEN, agency__isnull=False)
        .select_related("agency")
        .order_by("created_at")
        .first()
    )
    record.current_agency = open_task.agency if open_task else None
    record.save()
    if closed:
        if instance.parent_id is not None and instance.parent_waits:
            _outbox(instance, "report-to-parent", "report_to_parent", {})
        if record.contact_email:
            from .tasks import notify_citizen

            record_uuid = str(record.uuid)
            transaction.on_commit(lambda: notify_citizen.delay(record_uuid, "closed"))


# ------------------------------------------------------------------------------ API use cases
#
# Claims, returning a case to its citizen, steering a case (cancel, pause, resume), retrying
# a failed automatic step and receiving messages from other systems: each checks who may
# do it through ``apps.accounts.permissions`` and writes its line in the audit log.


def _log_event(
    instance: ProcessInstance,
    kind: str,
    *,
    user: Any,
    label: dict[str, str],
    task: Task | None = None,
    data: dict[str, Any] | None = None,
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
        actor=_authenticated(user),
        actor_kind=actor.get("kind") or SYSTEM,
        actor_name=str(actor.get("name") or ""),
        agency=task.agency if task is not None else None,
        at=timezone.now(),
        data=detail,
    )


def _claimed_by_other(task: Task, user: Any) -> Conflict:
    name = task.claimed_by.display_name() if task.claimed_by else ""
    return Conflict(
        _("%(name)s is already working on this task.") % {"name": name},
        code="task_claimed",
        details={"claimed_by": name},
    )


def _locked_task(task: Task) -> tuple[ProcessInstance, Task]:
    """The case locked (always first, as every event does), then the task read afresh."""
    instance = _locked(task.instance_id)
    task = Task.objects.select_related(
        "agency", "role", "claimed_by", "instance__record", "instance__app_version"
    ).get(pk=task.pk)
    return instance, task


@transaction.atomic
def task_claim(*, task: Task, user: Any) -> Task:
    """Take an open task of one's agency and role to work on it: colleagues then cannot
    complete it until it is released. Claiming one's own claim again changes nothing."""
    instance, task = _locked_task(task)
    if not permissions.can_act_on_task(user, task):
        raise NotAllowed(_("This task belongs to another agency or role."), code="not_your_task")
    if task.status != Task.Status.OPEN:
        raise Conflict(_("This task is no longer open."), code="task_not_open")
    if task.claimed_by_id is not None and task.claimed_by_id != user.pk:
        raise _claimed_by_other(task, user)
    if task.claimed_by_id is None:
        task.claimed_by = user
        task.claimed_at = timezone.now()
        task.save(update_fields=["claimed_by", "claimed_at", "updated_at"])
        _log_event(
            instance,
            "task_claimed",
            user=user,
            task=task,
            label={"vi": "Nhận xử lý công việc", "en": "Task claimed"},
        )
    return task


@transaction.atomic
def task_release(*, task: Task, user: Any) -> Task:
    """Give a claimed task back to the agency's queue: the official who claimed it, or a
    leader over its agency. Releasing a task nobody claimed changes nothing."""
    instance, task = _locked_task(task)
    if task.claimed_by_id is None:
        return task
    if not permissions.can_release_task(user, task):
        raise _claimed_by_other(task, user)
    previous = task.claimed_by.display_name() if task.claimed_by else ""
    task.claimed_by = None
    task.claimed_at = None
    task.save(update_fields=["claimed_by", "claimed_at", "updated_at"])
    _log_event(
        instance,
        "task_released",
        user=user,
        task=task,
        label={"vi": "Trả công việc về hàng chờ", "en": "Task released"},
        data={"claimed_by": previous},
    )
    return task


@transaction.atomic
def task_return(*, task: Task, user: Any, data: dict[str, Any] | None = None) -> Task:
    """Give the case back to the citizen who submitted it (e.g. to complete a file): the
    task's action that leads to a task for the submitter. 400 when it has none."""
    action = task_return_action(task)
    if action is None:
        raise InvalidInput(
            _("This task cannot return the case to the citizen: its workflow has no step "
              "where the citizen completes the application."),
            code="no_return_action",
        )  # fmt: skip
    return task_complete(task=task, user=user, action=action, data=data)


def _steered(instance: ProcessInstance, user: Any) -> None:
    record = Record.objects.get(pk=instance.record_id)
    if not permissions.can_steer_case(user, record):
        raise NotAllowed(
            _("Only leaders of an agency working on this case may do this."),
            code="not_allowed",
        )
    if instance.status != ProcessInstance.Status.RUNNING:
        raise Conflict(_("This case is closed and can no longer change."), code="case_closed")


@transaction.atomic
def case_cancel(*, instance: ProcessInstance, user: Any, reason: str = "") -> ProcessInstance:
    """Cancel a running case (leaders of an agency involved, platform admins)."""
    instance = _locked(instance.pk)
    _steered(instance, user)
    return instance_cancel(instance=instance, user=user, reason=reason)


@transaction.atomic
def case_pause(*, instance: ProcessInstance, user: Any, reason: str = "") -> ProcessInstance:
    """Stop the case's deadline clock (leaders of an agency involved, platform admins)."""
    instance = _locked(instance.pk)
    _steered(instance, user)
    if engine.manually_paused(instance.state):
        raise Conflict(_("This case is already paused."), code="already_paused")
    return instance_pause(instance=instance, user=user, reason=reason)


@transaction.atomic
def case_resume(*, instance: ProcessInstance, user: Any) -> ProcessInstance:
    """Restart the deadline clock of a case paused by hand."""
    instance = _locked(instance.pk)
    _steered(instance, user)
    if not engine.manually_paused(instance.state):
        raise Conflict(_("This case is not paused."), code="not_paused")
    return instance_resume(instance=instance, user=user)


@transaction.atomic
def effect_retry(*, entry: OutboxEntry, user: Any) -> OutboxEntry:
    """Try a failed automatic step again (officials of an agency involved): it goes back to
    pending with a fresh count of attempts and is dispatched after commit."""
    instance = _locked(entry.instance_id)
    record = Record.objects.get(pk=instance.record_id)
    if not permissions.is_official_of_case(user, record):
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
    _log_event(
        instance,
        "effect_retried",
        user=user,
        label={"vi": "Thực hiện lại bước tự động", "en": "Automatic step retried"},
        data={"outbox": str(entry.uuid), "kind": entry.kind},
    )
    from .tasks import deliver_outbox

    entry_id = entry.pk
    transaction.on_commit(lambda: deliver_outbox.delay(entry_id))
    return entry


def message_receive(*, user: Any, name: str, key: Any, data: dict[str, Any] | None = None) -> int:
    """``message_deliver`` for another system (integration accounts, staff)."""
    if not permissions.can_deliver_messages(user):
        raise NotAllowed(_("You may not deliver messages to cases."), code="not_allowed")
    return message_deliver(name=name, key=key, data=data)


__all__ = [
    "CITIZEN",
    "InvalidEvent",
    "actor_of",
    "case_cancel",
    "case_pause",
    "case_resume",
    "effect_retry",
    "instance_cancel",
    "instance_pause",
    "instance_resume",
    "instance_start",
    "message_deliver",
    "message_receive",
    "subprocess_report",
    "task_claim",
    "task_complete",
    "task_reassign",
    "task_release",
    "task_return",
    "timer_fire",
]


@transaction.atomic
def task_complete_by_citizen(
    *, task: Task, record: Record, secret: str, action: str, data: dict[str, Any] | None = None
) -> Task:
    """``task_complete`` for a citizen without an account: the work given back to the
    submitter of ``record`` (e.g. completing an application), allowed by the case's secret.
    ``data`` may change only the task's editable fields."""
    instance = _locked(task.instance_id)
    task = Task.objects.select_related("agency", "role", "instance__record").get(pk=task.pk)
    if not permissions.can_citizen_act_on_task_by_secret(task, record=record, secret=secret):
        raise NotFound(_("This task does not exist."), code="task_not_found")
    if task.status != Task.Status.OPEN:
        raise Conflict(
            _("This task is no longer open; someone may have completed it."), code="task_not_open"
        )
    if action not in {a["key"] for a in task.actions}:
        raise InvalidInput(_("This action is not available for this task."), code="unknown_action")
    _workflow_def, entity = _workflow(instance.app_version, instance.workflow_key)
    clean = _clean_task_data(task, entity, data or {})
    actor = actor_of(None, kind=CITIZEN)
    _handle(instance, ev.complete_task(task.task_key, action, clean, actor), user=None)
    task.refresh_from_db()
    return task


# ------------------------------------------------------------------------------ reopening

#: The engine-log marker of a case whose workflow started again (replay starts after it).
RESTART = "lcnc.restart"
#: The audit-log kind of a closed case its citizen reopened (public: in their timeline).
REOPENED_BY_CITIZEN = "case_reopened_by_citizen"
#: The longest reason a citizen may give for reopening, in characters.
REOPEN_REASON_MAX = 2000


def reopen_deadline(record: Record) -> datetime | None:
    """Until when the citizen may reopen ``record`` (None if it is not closed)."""
    from datetime import timedelta

    from django.conf import settings

    if record.status != Record.Status.CLOSED or record.closed_at is None:
        return None
    return record.closed_at + timedelta(days=settings.PORTAL_REOPEN_DAYS)


@transaction.atomic
def case_reopen_by_citizen(
    *, record: Record, secret: str, reason: str, now: datetime | None = None
) -> ProcessInstance:
    """The citizen is not satisfied with their closed case: within ``PORTAL_REOPEN_DAYS`` of
    its closing, once per closing, its workflow starts again from the start on the app's
    latest published version, for the same record (back in progress), and the timeline
    says it was reopened and why. Allowed by the case's secret (NotFound otherwise)."""
    from apps.records.services import secret_matches

    now = now or timezone.now()
    if not secret_matches(record, secret):
        raise NotFound(_("This case does not exist."), code="record_not_found")
    text = (reason or "").strip()
    if not text or "\x00" in text or len(text) > REOPEN_REASON_MAX:
        if not text:
            message = _("Say why you are not satisfied.")
        elif "\x00" in text:
            message = nul_message()
        else:
            message = _("Enter at most %(limit)s characters.") % {"limit": REOPEN_REASON_MAX}
        raise InvalidInput(message, code="invalid_input", details={"reason": [message]})
    found = ProcessInstance.objects.filter(record_id=record.pk).values_list("pk", flat=True)
    if not found:
        raise Conflict(_("This case cannot be reopened."), code="case_not_reopenable")
    instance = _locked(found[0])
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
    # The new run numbers its tasks, timers and deliveries from the start again: the old
    # run's keep theirs with a suffix (the audit log keeps what they were).
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
    _remember(
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
    _handle(instance, ev.start(actor), user=None)
    instance.refresh_from_db()
    return instance
