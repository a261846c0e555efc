"""One event through the engine: the case locked, the engine run at a given clock, the
event remembered for replay, the effects applied — all in the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from apps.builder.models import AppVersion
from apps.builder.selectors import version_app_def
from apps.core import clock
from apps.core.errors import NotFound, from_workflow_error
from apps.records.models import Record
from workflows import engine
from workflows import events as ev
from workflows.definition import EntityDef, WorkflowDef
from workflows.effects import Effect
from workflows.errors import WorkflowError
from workflows.state import new_state

from ..models import EngineEvent, ProcessInstance, Task
from .effects import Applying, apply

CITIZEN = "citizen"
USER = "user"
SYSTEM = "system"
#: The engine-log marker of a case whose workflow started again (replay starts after it).
RESTART = "lcnc.restart"


def actor_of(user: Any, *, kind: str | None = None) -> dict[str, Any]:
    """The engine's view of who acts."""
    if user is not None and getattr(user, "is_authenticated", False):
        return {"kind": kind or USER, "id": str(user.uuid), "name": user.display_name()}
    if kind == CITIZEN:
        # No name is stored for an anonymous citizen; pages say "Citizen" in their language.
        return {"kind": CITIZEN, "id": None, "name": ""}
    return dict(ev.SYSTEM_ACTOR)


def workflow_of(version: AppVersion, key: str) -> tuple[WorkflowDef, EntityDef]:
    app_def = version_app_def(version)
    workflow = app_def.workflows.get(key)
    if workflow is None:
        raise NotFound(_("This workflow does not exist."), code="workflow_not_found")
    return workflow, app_def.entities[workflow.entity]


def locked(instance_id: int, *, record: bool = False) -> ProcessInstance:
    """The case, its row locked until the transaction ends (always taken first). Only the
    case's row: locking its app version too would queue every case of that version behind
    one row (and deadlock PostgreSQL under load). With ``record``, its record's row is
    locked and read in the same statement (``instance.record``), as every event that goes
    through the engine needs it."""
    cases = ProcessInstance.objects.select_related("app_version")
    if record:
        cases = cases.select_related("record").select_for_update(of=("self", "record"))
    else:
        cases = cases.select_for_update(of=("self",))
    return cases.get(pk=instance_id)


def handle(
    instance: ProcessInstance,
    event: dict[str, Any],
    *,
    user: Any = None,
    now: datetime | None = None,
    record: Record | None = None,
    tasks: list[Task] | None = None,
) -> list[Effect]:
    """Run one event through the engine at ``now`` and apply the result. The caller holds
    the case's lock, and the record's when it passes ``record`` (else it is locked here);
    ``tasks`` are rows of the case the caller already read (they are updated in place)."""
    workflow, _entity = workflow_of(instance.app_version, instance.workflow_key)
    now = now or clock.now()
    try:
        state, effects = engine.handle(workflow, instance.state, event, now)
    except WorkflowError as error:
        raise from_workflow_error(error) from error
    remember(instance, event, now)
    apply(
        Applying(
            instance=instance,
            user=user,
            actor=event.get("actor") or ev.SYSTEM_ACTOR,
            now=now,
            start=instance_start,
            locked_record=record,
            known_tasks=tasks,
        ),
        state,
        effects,
    )
    return effects


def remember(instance: ProcessInstance, event: dict[str, Any], now: datetime) -> None:
    """Log the event for replay, numbered after the case's previous ones (the case row
    counts them: ``engine_seq``, saved with the case by the caller)."""
    instance.engine_seq += 1
    EngineEvent.objects.create(instance=instance, seq=instance.engine_seq, event=event, at=now)


@transaction.atomic(savepoint=False)
def instance_start(
    *,
    record: Record,
    workflow_key: str,
    user: Any = None,
    actor: dict[str, Any] | None = None,
    parent: ProcessInstance | None = None,
    parent_child_key: str = "",
    parent_waits: bool = False,
    now: datetime | None = None,
    new_record: bool = False,
) -> ProcessInstance:
    """Start ``record``'s workflow on the record's version: the case and its first steps.
    ``new_record``: the record was created in this transaction (nobody else can see it, so
    it is used as it is instead of being locked and read again; it is updated in place).

    The engine runs first, so the case's row is written once, with its first state."""
    actor = actor or actor_of(user)
    workflow, _entity = workflow_of(record.app_version, workflow_key)
    now = now or clock.now()
    event = ev.start(actor)
    try:
        state, effects = engine.handle(workflow, new_state(record.data), event, now)
    except WorkflowError as error:
        raise from_workflow_error(error) from error
    instance = ProcessInstance.objects.create(
        record=record,
        app_version=record.app_version,
        workflow_key=workflow_key,
        state=state,
        status=state["status"],
        initial_data=record.data,
        parent=parent,
        parent_child_key=parent_child_key,
        parent_waits=parent_waits,
        engine_seq=1,
    )
    EngineEvent.objects.create(instance=instance, seq=1, event=event, at=now)
    apply(
        Applying(
            instance=instance,
            user=user,
            actor=event.get("actor") or ev.SYSTEM_ACTOR,
            now=now,
            start=instance_start,
            locked_record=record if new_record else None,
            new_instance=True,
        ),
        state,
        effects,
    )
    return instance


def instance_replay(instance: ProcessInstance) -> dict[str, Any]:
    """The state obtained by replaying the case's engine events from its start."""
    workflow, _entity = workflow_of(instance.app_version, instance.workflow_key)
    state = new_state(instance.initial_data)
    logged_events = list(instance.engine_events.order_by("seq"))
    restarts = [i for i, logged in enumerate(logged_events) if logged.event.get("type") == RESTART]
    if restarts:  # a reopened case: its workflow ran again from the start at the last restart
        logged_events = logged_events[restarts[-1] + 1 :]
    for logged in logged_events:
        state, _effects = engine.handle(workflow, state, logged.event, logged.at)
    return state
