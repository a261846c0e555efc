"""Who may act on a task and who may steer a case.

Officials act on tasks of the agency and role they hold, on tasks named for them, and on
those of colleagues who delegated their work to them; citizens act on the work given back
to them (by account, or with the case's tracking code and secret). A task's guards (e.g.
"not the one who checked it") exclude some people even then. Leaders steer the cases of
their agencies and of the agencies under them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from apps.accounts.models import Membership
from apps.accounts.permissions import (
    active_delegations,
    holds_role,
    is_platform_admin,
    leads_agency,
)
from apps.records.models import Record
from apps.records.policies import leads_case
from apps.records.services import secret_matches

from .models import Task


def _signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def _excluded(user: Any, task: Task) -> bool:
    return str(user.uuid) in (task.excluded_actors or [])


def can_act_on_task(user: Any, task: Task) -> bool:
    """The task's named assignee; else the citizen who submitted, for tasks given back to
    them; else officials holding the task's role in the task's agency; and delegates of
    any of those officials. Guards exclude some people even then."""
    if not _signed_in(user) or _excluded(user, task):
        return False
    if task.assignee_id is not None:
        return bool(task.assignee_id == user.pk) or acts_for_delegator(user, task)
    if task.for_submitter:
        return bool(task.instance.record.submitted_by_id == user.pk)
    if task.agency_id is None or task.role_id is None:
        return False
    if holds_role(user, agency_id=task.agency_id, role_id=task.role_id):
        return True
    return acts_for_delegator(user, task)


def acts_for_delegator(user: Any, task: Task) -> bool:
    """Whether ``user`` may act on ``task`` for a colleague who delegated their tasks in the
    task's agency to them (and who may act on it themselves). Not transitive: a delegate's
    own delegations do not pass on what was delegated to them."""
    if task.for_submitter or not _signed_in(user):
        return False
    for delegation in active_delegations(user).select_related("delegator"):
        delegator = delegation.delegator
        if _excluded(delegator, task):
            continue
        if task.assignee_id is not None:
            if task.assignee_id == delegator.pk and task.agency_id in (None, delegation.agency_id):
                return True
        elif (
            task.agency_id == delegation.agency_id
            and task.role_id is not None
            and holds_role(delegator, agency_id=task.agency_id, role_id=task.role_id)
        ):
            return True
    return False


def delegated_tasks_filter(user: Any) -> Q | None:
    """Tasks ``user`` may act on through delegations in force (see ``acts_for_delegator``),
    as a filter on tasks; None when no delegation is in force."""
    rows = list(
        active_delegations(user).values_list("delegator_id", "delegator__uuid", "agency_id")
    )
    if not rows:
        return None
    clause = Q(pk__in=[])
    for delegator_id, delegator_uuid, agency_id in rows:
        roles = Membership.objects.filter(user_id=delegator_id, agency_id=agency_id).values(
            "role_id"
        )
        named = Q(assignee_id=delegator_id) & (Q(agency__isnull=True) | Q(agency_id=agency_id))
        pooled = Q(
            assignee__isnull=True, for_submitter=False, agency_id=agency_id, role_id__in=roles
        )
        clause |= (named | pooled) & ~Q(excluded_actors__icontains=str(delegator_uuid))
    return clause


def actionable_tasks(user: Any, tasks: QuerySet[Task]) -> QuerySet[Task]:
    """``tasks`` narrowed to those ``user`` may act on."""
    if not _signed_in(user):
        return tasks.none()
    held = Membership.objects.filter(
        user=user, agency_id=OuterRef("agency_id"), role_id=OuterRef("role_id")
    )
    mine = (
        Q(assignee=user)
        | Q(assignee__isnull=True, for_submitter=True, instance__record__submitted_by=user)
        | Q(assignee__isnull=True, for_submitter=False) & Exists(held)
    )
    delegated = delegated_tasks_filter(user)
    allowed = Q(mine) if delegated is None else Q(mine) | delegated
    # The JSON text holds actor uuids; a uuid never occurs inside another one.
    return tasks.filter(allowed).exclude(excluded_actors__icontains=str(user.uuid))


def can_reassign_task(user: Any, task: Task) -> bool:
    """Leaders of the task's agency or of an agency above it, and superusers."""
    return _signed_in(user) and (user.is_superuser or leads_agency(user, task.agency_id))


def can_release_task(user: Any, task: Task) -> bool:
    """The official who claimed a task releases it; leaders over its agency and platform
    admins may release anyone's claim."""
    if not _signed_in(user):
        return False
    return task.claimed_by_id == user.pk or can_reassign_task(user, task) or is_platform_admin(user)


def can_citizen_act_on_task_by_secret(task: Task, *, record: Record, secret: str) -> bool:
    """Anyone holding a case's tracking code and secret may do the work given back to its
    citizen (a task for the submitter, named for nobody) on that very case."""
    return bool(
        task.for_submitter
        and task.assignee_id is None
        and task.instance.record_id == record.pk
        and secret
        and secret_matches(record, secret)
    )


def can_steer_case(user: Any, record: Record) -> bool:
    """Cancel, pause or resume a case: platform admins, and leaders (or admins) of an agency
    of the case or of an agency above one."""
    return leads_case(user, record)
