"""The only place that decides who may do what (and the only caller of django-guardian).

Officials act on tasks of the agency and role they hold; builders hold object
permissions on the apps they build; citizens see their own records only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from guardian.shortcuts import assign_perm, get_objects_for_user

from .models import Membership

if TYPE_CHECKING:
    from apps.builder.models import App
    from apps.runtime.models import Task

BUILD_APP = "builder.build_app"
PUBLISH_APP = "builder.publish_app"


def _is_authenticated(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def holds_role(user: Any, *, agency_id: int, role_id: int) -> bool:
    if not _is_authenticated(user):
        return False
    return Membership.objects.filter(user=user, agency_id=agency_id, role_id=role_id).exists()


def can_act_on_task(user: Any, task: Task) -> bool:
    """Officials holding the task's role in the task's agency may act on it."""
    return holds_role(user, agency_id=task.agency_id, role_id=task.role_id)


def actionable_tasks(user: Any, tasks: QuerySet[Task]) -> QuerySet[Task]:
    """``tasks`` narrowed to those ``user`` may act on."""
    if not _is_authenticated(user):
        return tasks.none()
    held = Membership.objects.filter(
        user=user, agency_id=OuterRef("agency_id"), role_id=OuterRef("role_id")
    )
    return tasks.filter(Exists(held))


def is_official(user: Any) -> bool:
    return _is_authenticated(user) and Membership.objects.filter(user=user).exists()


def visible_records_filter(user: Any) -> Q:
    """Records a signed-in user may read: their own submissions, and cases that have or
    had a task for one of their agencies."""
    if not _is_authenticated(user):
        return Q(pk__in=[])
    agencies = Membership.objects.filter(user=user).values("agency_id")
    return Q(submitted_by=user) | Q(instance__tasks__agency_id__in=agencies)


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
