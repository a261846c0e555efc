"""Reads of running cases: tasks (an official's inbox, their agency's queue, one task),
what a task may do next, a case's event log and its failed automatic steps."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from apps.accounts.models import Membership
from apps.builder.selectors import version_app_def
from apps.core.errors import NotFound
from apps.records.models import Record
from apps.records.policies import is_official_of_case

from . import policies
from .models import Event, OutboxEntry, Task

RELATED = ("instance__record", "agency", "role", "claimed_by")


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def open_tasks_for(user: Any) -> QuerySet[Task]:
    """The open tasks ``user`` may act on, oldest first."""
    tasks = Task.objects.filter(status=Task.Status.OPEN).select_related(*RELATED)
    return policies.actionable_tasks(user, tasks).order_by("created_at", "pk")


def inbox_tasks_for(user: Any) -> QuerySet[Task]:
    """The user's inbox: the open tasks they may act on, except those a colleague claimed."""
    mine_or_free = Q(claimed_by__isnull=True)
    if _signed_in(user):
        mine_or_free |= Q(claimed_by=user)
    return open_tasks_for(user).filter(mine_or_free)


def queue_tasks_for(user: Any) -> QuerySet[Task]:
    """The open tasks of the agencies and roles ``user`` holds (not those named for one
    person), claimed by a colleague or not, oldest first."""
    if not _signed_in(user):
        return Task.objects.none()
    held = Membership.objects.filter(
        user=user, agency_id=OuterRef("agency_id"), role_id=OuterRef("role_id")
    )
    return (
        Task.objects.filter(
            Exists(held), status=Task.Status.OPEN, assignee__isnull=True, for_submitter=False
        )
        .exclude(excluded_actors__icontains=str(user.uuid))
        .select_related(*RELATED)
        .order_by("created_at", "pk")
    )


def task_for_user(user: Any, *, task_uuid: uuid.UUID) -> Task:
    """An open or completed task ``user`` may act on (their agency and role, their name,
    or a colleague's who delegated it to them); NotFound otherwise (the same answer whether
    the task exists or belongs to someone else)."""
    task = (
        Task.objects.filter(uuid=task_uuid, status__in=[Task.Status.OPEN, Task.Status.COMPLETED])
        .select_related(*RELATED, "instance__app_version", "completed_by")
        .first()
    )
    # One task by its uuid, then the policy in Python (the memberships it needs are read
    # once per request): a query joining the permission rules costs PostgreSQL more to
    # plan than to run.
    if task is None or not policies.can_act_on_task(user, task):
        raise NotFound(_("This task does not exist."), code="task_not_found")
    return task


def task_to_act_on(user: Any, *, task_uuid: uuid.UUID) -> Task:
    """``task_for_user`` for handing the task to a service (which locks the case and reads
    it again): the task's own row only, without the rows a page or an answer shows."""
    task = Task.objects.filter(
        uuid=task_uuid, status__in=[Task.Status.OPEN, Task.Status.COMPLETED]
    ).first()
    if task is None or not policies.can_act_on_task(user, task):
        raise NotFound(_("This task does not exist."), code="task_not_found")
    return task


def task_visible_to(user: Any, *, task_uuid: uuid.UUID) -> Task:
    """A task ``user`` may act on, or one of a case they oversee as an official (leaders
    over its agencies, platform admins), e.g. to reassign it; NotFound otherwise."""
    task = (
        Task.objects.filter(uuid=task_uuid)
        .select_related(*RELATED, "instance__app_version", "completed_by")
        .first()
    )
    if task is None or not (
        policies.can_act_on_task(user, task) or is_official_of_case(user, task.instance.record)
    ):
        raise NotFound(_("This task does not exist."), code="task_not_found")
    return task


def task_return_action(task: Task) -> str | None:
    """The action of ``task`` that gives the case back to the citizen who submitted it (a
    transition to a task assigned to the submitter), or None when it has none."""
    workflow = version_app_def(task.instance.app_version).workflows.get(task.instance.workflow_key)
    if workflow is None:
        return None
    actions = {action["key"] for action in task.actions}
    for transition in workflow.outgoing(task.node_id):
        target = workflow.nodes.get(transition.target)
        if (
            transition.action in actions
            and target is not None
            and target.type == "human_task"
            and (target.config.get("assignment") or {}).get("submitter") is True
        ):
            return transition.action
    return None


def case_events(record: Record, *, internal: bool) -> list[Event]:
    """The case's events, oldest first: all of them for its officials, the public ones
    otherwise."""
    events = record.events.select_related("agency").order_by("at", "id")
    if not internal:
        events = events.filter(public=True)
    return list(events)


def failed_effects(record: Record) -> list[OutboxEntry]:
    """The case's automatic steps (notifications, webhooks, hand-offs) that failed after
    every retry, oldest first."""
    return list(
        OutboxEntry.objects.filter(record=record, status=OutboxEntry.Status.FAILED).order_by(
            "created_at", "pk"
        )
    )


def effect_of_case(record: Record, *, effect_uuid: uuid.UUID) -> OutboxEntry:
    entry = OutboxEntry.objects.filter(record=record, uuid=effect_uuid).first()
    if entry is None:
        raise NotFound(_("This automatic step does not exist."), code="effect_not_found")
    return entry
