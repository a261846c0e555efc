"""Who may do what with identities and apps: memberships, leaders over the agency tree,
delegations, app rights (the only caller of django-guardian) and platform administration.

Cases and tasks decide their own permissions one layer up, from these facts:
``apps.records.policies`` (who reads a case) and ``apps.runtime.policies`` (who acts on a
task, who steers a case). A builder's rights are on apps only: holding the builder role in
an agency never lets anyone read that agency's cases.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import Permission
from django.db.models import Exists, OuterRef, QuerySet
from guardian.shortcuts import assign_perm, get_objects_for_user

from apps.core import clock

from .models import Agency, Delegation, Membership

if TYPE_CHECKING:
    from apps.builder.models import App

LEADING_ROLES = ("leader", "admin")
BUILD_APP = "builder.build_app"
PUBLISH_APP = "builder.publish_app"


def _is_authenticated(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


#: Bumped whenever a membership is saved or deleted in this process (``apps.py`` connects
#: it), so that what a user object remembers of its memberships is read again.
_memberships_generation = 0
_HELD = "_lcnc_held_roles"


def memberships_changed(**_kwargs: Any) -> None:
    global _memberships_generation
    _memberships_generation += 1


def held_roles(user: Any) -> tuple[tuple[int, int, str], ...]:
    """``(agency_id, role_id, role_key)`` of every membership of ``user``, read once per
    user object — a request's user — and again after a membership changed in this
    process. The permission checks of one request ask it instead of the database."""
    if not _is_authenticated(user):
        return ()
    cached = getattr(user, _HELD, None)
    if cached is not None and cached[0] == _memberships_generation:
        return cached[1]  # type: ignore[no-any-return]
    generation = _memberships_generation
    held = tuple(
        Membership.objects.filter(user=user).values_list("agency_id", "role_id", "role__key")
    )
    setattr(user, _HELD, (generation, held))
    return held


def holds_role(user: Any, *, agency_id: int, role_id: int) -> bool:
    return any(a == agency_id and r == role_id for a, r, _key in held_roles(user))


def leads_agency(user: Any, agency_id: int | None) -> bool:
    """Leaders see and steer their agency and its sub-agencies."""
    if not _is_authenticated(user) or agency_id is None:
        return False
    led = {a for a, _role, key in held_roles(user) if key in LEADING_ROLES}
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


def official_memberships(user: Any) -> QuerySet[Membership]:
    """The memberships that make ``user`` an official of an agency: every role but the
    builder's, which grants rights on apps only."""
    if not _is_authenticated(user):
        return Membership.objects.none()
    return Membership.objects.filter(user=user).exclude(role__key=BUILDER_ROLE)


def is_official(user: Any) -> bool:
    """Holds an official role (not only the builder's) in some agency."""
    return any(key != BUILDER_ROLE for _a, _r, key in held_roles(user))


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
    now = now or clock.now()
    still_member = Membership.objects.filter(user=user, agency_id=OuterRef("agency_id"))
    return Delegation.objects.filter(
        Exists(still_member),
        delegate=user,
        revoked_at__isnull=True,
        starts_at__lte=now,
        ends_at__gt=now,
        delegator__is_active=True,
    )


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
    led = {a for a, _role, key in held_roles(user) if key in LEADING_ROLES}
    return _with_descendants(led)


def official_agency_ids(user: Any) -> set[int]:
    """The agencies whose cases ``user`` works on or oversees: those they belong to, and,
    for leaders, every agency under the one they lead."""
    if not _is_authenticated(user):
        return set()
    held = [(a, key) for a, _role, key in held_roles(user) if key != BUILDER_ROLE]
    led = {agency_id for agency_id, role in held if role in LEADING_ROLES}
    return {agency_id for agency_id, _role in held} | _with_descendants(led)
