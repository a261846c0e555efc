"""The only place that decides who may do what (and the only caller of django-guardian).

Officials act on tasks of the agency and role they hold; builders hold object
permissions on the apps they build; citizens see their own records only.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from guardian.shortcuts import assign_perm, get_objects_for_user

from .models import Agency, Delegation, Membership

if TYPE_CHECKING:
    from apps.builder.models import App
    from apps.records.models import Record
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
        return bool(task.assignee_id == user.pk) or acts_for_delegator(user, task)
    if task.for_submitter:
        return bool(task.instance.record.submitted_by_id == user.pk)
    if task.agency_id is None or task.role_id is None:
        return False
    if holds_role(user, agency_id=task.agency_id, role_id=task.role_id):
        return True
    return acts_for_delegator(user, task)


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
    delegated = delegated_tasks_filter(user)
    allowed = Q(mine) if delegated is None else Q(mine) | delegated
    # The JSON text holds actor uuids; a uuid never occurs inside another one.
    return tasks.filter(allowed).exclude(excluded_actors__icontains=str(user.uuid))


def is_official(user: Any) -> bool:
    return _is_authenticated(user) and Membership.objects.filter(user=user).exists()


def official_records_filter(user: Any) -> Q:
    """Records an official sees in the workspace: cases that have or had a task for one of
    their agencies, or that the workflow let their agency see (never through having
    submitted one as a citizen)."""
    if not _is_authenticated(user):
        return Q(pk__in=[])
    agencies = Membership.objects.filter(user=user).values("agency_id")
    return Q(instance__tasks__agency_id__in=agencies) | Q(accesses__agency_id__in=agencies)


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


# --------------------------------------------------------------------------- delegations


def active_delegations(user: Any, now: datetime | None = None) -> QuerySet[Delegation]:
    """Delegations ``user`` receives that are in force at ``now``: not revoked, within their
    period, from an active colleague, while ``user`` still belongs to the agency."""
    if not _is_authenticated(user):
        return Delegation.objects.none()
    now = now or timezone.now()
    still_member = Membership.objects.filter(user=user, agency_id=OuterRef("agency_id"))
    return Delegation.objects.filter(
        Exists(still_member),
        delegate=user,
        revoked_at__isnull=True,
        starts_at__lte=now,
        ends_at__gt=now,
        delegator__is_active=True,
    )


def acts_for_delegator(user: Any, task: Task) -> bool:
    """Whether ``user`` may act on ``task`` for a colleague who delegated their tasks in the
    task's agency to them (and who may act on it themselves). Not transitive: a delegate's
    own delegations do not pass on what was delegated to them."""
    if task.for_submitter or not _is_authenticated(user):
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


def can_delegate(user: Any, *, delegator: Any) -> bool:
    """Officials delegate their own tasks; platform admins may record it for anyone."""
    return _is_authenticated(user) and (user.pk == delegator.pk or is_platform_admin(user))


def shares_agency(user: Any, other: Any, agency_id: int) -> bool:
    """Both hold a role in the agency (a delegation stays between colleagues)."""
    return (
        Membership.objects.filter(agency_id=agency_id, user_id__in=[user.pk, other.pk])
        .values("user_id")
        .distinct()
        .count()
        == 2
    )


# --------------------------------------------------------------------------- administration


ADMIN_ROLE = "admin"
BUILDER_ROLE = "builder"
DELIVER_MESSAGE = "runtime.deliver_message"


def is_platform_admin(user: Any) -> bool:
    """Superusers, and holders of the admin role in a root agency (the city)."""
    if not _is_authenticated(user):
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(
        user=user, role__key=ADMIN_ROLE, agency__parent__isnull=True
    ).exists()


def can_manage_accounts(user: Any) -> bool:
    """Agencies, roles and memberships are managed by platform admins only."""
    return is_platform_admin(user)


def can_create_app(user: Any) -> bool:
    """Platform admins, and officials holding the builder role in any agency."""
    if not _is_authenticated(user):
        return False
    return (
        is_platform_admin(user)
        or Membership.objects.filter(user=user, role__key=BUILDER_ROLE).exists()
    )


def can_deliver_messages(user: Any) -> bool:
    """Other systems (integration accounts with the ``runtime.deliver_message`` permission)
    and staff deliver messages that waiting cases correlate."""
    return _is_authenticated(user) and (
        user.is_staff or user.is_superuser or user.has_perm(DELIVER_MESSAGE)
    )


def grant_message_delivery(user: Any) -> None:
    from django.contrib.auth.models import Permission

    app_label, codename = DELIVER_MESSAGE.split(".")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
    )


# --------------------------------------------------------------------------- cases


def _agency_tree() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for pk, parent_id in Agency.objects.values_list("pk", "parent_id"):
        if parent_id is not None:
            children.setdefault(parent_id, []).append(pk)
    return children


def _with_descendants(roots: set[int]) -> set[int]:
    if not roots:
        return set()
    children = _agency_tree()
    found = set(roots)
    stack = list(roots)
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def led_agency_ids(user: Any) -> set[int]:
    """The agencies ``user`` leads (leader or admin role) and every agency under them."""
    if not _is_authenticated(user):
        return set()
    led = set(
        Membership.objects.filter(user=user, role__key__in=LEADING_ROLES).values_list(
            "agency_id", flat=True
        )
    )
    return _with_descendants(led)


def official_agency_ids(user: Any) -> set[int]:
    """The agencies whose cases ``user`` works on or oversees: those they belong to, and,
    for leaders, every agency under the one they lead."""
    if not _is_authenticated(user):
        return set()
    held = list(Membership.objects.filter(user=user).values_list("agency_id", "role__key"))
    led = {agency_id for agency_id, role in held if role in LEADING_ROLES}
    return {agency_id for agency_id, _role in held} | _with_descendants(led)


def readable_records_filter(user: Any) -> Q:
    """Records a signed-in user may read: platform admins all; everyone their own
    submissions; officials the cases that have or had a task for one of their agencies or
    that the workflow let their agency see; leaders also those of the agencies under
    theirs."""
    if not _is_authenticated(user):
        return Q(pk__in=[])
    if is_platform_admin(user):
        return Q()
    agencies = official_agency_ids(user)
    own = Q(submitted_by=user)
    if not agencies:
        return own
    from apps.records.models import RecordAccess
    from apps.runtime.models import Task

    involved = Task.objects.filter(instance__record_id=OuterRef("pk"), agency_id__in=agencies)
    granted = RecordAccess.objects.filter(record_id=OuterRef("pk"), agency_id__in=agencies)
    return own | Q(Exists(involved)) | Q(Exists(granted))


def case_agency_ids(record: Record) -> set[int]:
    """The agencies that have or had a task on the case, or that the workflow let see it."""
    involved = Q(tasks__instance__record=record) | Q(record_accesses__record=record)
    return set(Agency.objects.filter(involved).values_list("pk", flat=True).distinct())


def is_official_of_case(user: Any, record: Record) -> bool:
    """Platform admins, and officials of (or leaders over) an agency involved in the case:
    they read its internal timeline and notes and retry its failed automatic steps."""
    if is_platform_admin(user):
        return True
    return bool(official_agency_ids(user) & case_agency_ids(record))


def can_steer_case(user: Any, record: Record) -> bool:
    """Cancel, pause or resume a case: platform admins, and leaders (or admins) of an agency
    involved in it or of an agency above one."""
    if is_platform_admin(user):
        return True
    return bool(led_agency_ids(user) & case_agency_ids(record))


def can_comment_on_case(user: Any, record: Record, *, internal: bool) -> bool:
    """Officials of the case comment and write internal notes; the citizen who submitted
    it may comment (never internally)."""
    if not _is_authenticated(user):
        return False
    if is_official_of_case(user, record):
        return True
    return not internal and record.submitted_by_id == user.pk


def can_release_task(user: Any, task: Task) -> bool:
    """The official who claimed a task releases it; leaders over its agency and platform
    admins may release anyone's claim."""
    if not _is_authenticated(user):
        return False
    return task.claimed_by_id == user.pk or can_reassign_task(user, task) or is_platform_admin(user)


def can_citizen_act_on_task_by_secret(task: Task, *, record: Record, secret: str) -> bool:
    """Anyone holding a case's tracking code and secret may do the work given back to its
    citizen (a task for the submitter, named for nobody) on that very case."""
    from apps.records.services import secret_matches

    return bool(
        task.for_submitter
        and task.assignee_id is None
        and task.instance.record_id == record.pk
        and secret
        and secret_matches(record, secret)
    )
