"""The only place that decides who may do what (and the only caller of django-guardian).

Officials act on tasks of the agency and role they hold; builders hold object
permissions on the apps they build; citizens see their own records only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from guardian.shortcuts import assign_perm, get_objects_for_user

from .models import Agency, Membership

if TYPE_CHECKING:
    from apps.builder.models import App
    from apps.runtime.models import Task

LEADING_ROLES = ("leader", "admin")
BUILD_APP = "builder.build_app"
PUBLISH_APP = "builder.publish_app"


def _is_authenticated(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def holds_role(user: Any, *, agency_id: int, role_id: int) -> bool:
    if not _is_authenticated(user):
        return False
    return Membership.objects.filter(user=user, agency_id=agency_id, role_id=role_id).exists()


def _excluded(user: Any, task: Task) -> bool:
    return str(user.uuid) in (task.excluded_actors or [])


def can_act_on_task(user: Any, task: Task) -> bool:
    """The task's named assignee; else the citizen who submitted, for tasks given back to
    them; else officials holding the task's role in the task's agency. Guards (e.g. "not
    the submitter") exclude some people even then."""
    if not _is_authenticated(user) or _excluded(user, task):
        return False
    if task.assignee_id is not None:
        return bool(task.assignee_id == user.pk)
    if task.for_submitter:
        return bool(task.instance.record.submitted_by_id == user.pk)
    if task.agency_id is None or task.role_id is None:
        return False
    return holds_role(user, agency_id=task.agency_id, role_id=task.role_id)


def leads_agency(user: Any, agency_id: int | None) -> bool:
    """Leaders see and steer their agency and its sub-agencies."""
    if not _is_authenticated(user) or agency_id is None:
        return False
    led = set(
        Membership.objects.filter(user=user, role__key__in=LEADING_ROLES).values_list(
            "agency_id", flat=True
        )
    )
    if not led:
        return False
    current: int | None = agency_id
    seen: set[int] = set()
    while current is not None and current not in seen:
        if current in led:
            return True
        seen.add(current)
        current = Agency.objects.filter(pk=current).values_list("parent_id", flat=True).first()
    return False


def can_reassign_task(user: Any, task: Task) -> bool:
    return _is_authenticated(user) and (user.is_superuser or leads_agency(user, task.agency_id))


def actionable_tasks(user: Any, tasks: QuerySet[Task]) -> QuerySet[Task]:
    """``tasks`` narrowed to those ``user`` may act on."""
    if not _is_authenticated(user):
        return tasks.none()
    held = Membership.objects.filter(
        user=user, agency_id=OuterRef("agency_id"), role_id=OuterRef("role_id")
    )
    mine = (
        Q(assignee=user)
        | Q(assignee__isnull=True, for_submitter=True, instance__record__submitted_by=user)
        | Q(assignee__isnull=True, for_submitter=False) & Exists(held)
    )
    # The JSON text holds actor uuids; a uuid never occurs inside another one.
    return tasks.filter(mine).exclude(excluded_actors__icontains=str(user.uuid))


def is_official(user: Any) -> bool:
    return _is_authenticated(user) and Membership.objects.filter(user=user).exists()


def visible_records_filter(user: Any) -> Q:
    """Records a signed-in user may read: their own submissions, and cases that have or
    had a task for one of their agencies."""
    if not _is_authenticated(user):
        return Q(pk__in=[])
    agencies = Membership.objects.filter(user=user).values("agency_id")
    return Q(submitted_by=user) | Q(instance__tasks__agency_id__in=agencies)


def official_records_filter(user: Any) -> Q:
    """Records an official sees in the workspace: cases that have or had a task for one of
    their agencies (never through having submitted one as a citizen)."""
    if not _is_authenticated(user):
        return Q(pk__in=[])
    agencies = Membership.objects.filter(user=user).values("agency_id")
    return Q(instance__tasks__agency_id__in=agencies)


def grant_app_builder(user: Any, app: App) -> None:
    assign_perm(BUILD_APP, user, app)
    assign_perm(PUBLISH_APP, user, app)


def can_build_app(user: Any, app: App) -> bool:
    return _is_authenticated(user) and (user.is_superuser or user.has_perm(BUILD_APP, app))


def can_publish_app(user: Any, app: App) -> bool:
    return _is_authenticated(user) and (user.is_superuser or user.has_perm(PUBLISH_APP, app))


def buildable_apps(user: Any, apps: QuerySet[App]) -> QuerySet[App]:
    if not _is_authenticated(user):
        return apps.none()
    if user.is_superuser:
        return apps
    return get_objects_for_user(user, BUILD_APP, klass=apps, accept_global_perms=False)
