"""Reads of agencies, roles, memberships and delegations."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from apps.core.errors import InvalidInput, NotAllowed, NotFound

from . import permissions
from .models import Agency, Delegation, Membership, Role, User


@dataclass(frozen=True)
class AgencyNode:
    """An agency in the tree, with its depth (0 for the city) and its parent's code."""

    agency: Agency
    depth: int
    parent_code: str | None


def _require_admin(user: Any) -> None:
    if not permissions.can_manage_accounts(user):
        raise NotAllowed(_("Only administrators may manage agencies and memberships."))


def _require_directory_reader(user: Any) -> None:
    """Administrators, and app builders (who assign tasks to agencies and roles)."""
    if not (permissions.can_manage_accounts(user) or permissions.can_create_app(user)):
        raise NotAllowed(_("Only administrators and app builders may list agencies and roles."))


def agency_tree(user: Any) -> list[AgencyNode]:
    """Every agency, depth first from the roots, children ordered by code (administrators
    and app builders)."""
    _require_directory_reader(user)
    agencies = list(Agency.objects.order_by("code"))
    by_parent: dict[int | None, list[Agency]] = {}
    codes = {agency.pk: agency.code for agency in agencies}
    for agency in agencies:
        by_parent.setdefault(agency.parent_id, []).append(agency)
    result: list[AgencyNode] = []
    seen: set[int] = set()

    def visit(agency: Agency, depth: int) -> None:
        if agency.pk in seen:
            return
        seen.add(agency.pk)
        parent_code = codes.get(agency.parent_id) if agency.parent_id is not None else None
        result.append(AgencyNode(agency, depth, parent_code))
        for child in by_parent.get(agency.pk, []):
            visit(child, depth + 1)

    for root in by_parent.get(None, []):
        visit(root, 0)
    return result


def agency_by_uuid(user: Any, agency_uuid: uuid.UUID) -> Agency:
    _require_admin(user)
    agency = Agency.objects.filter(uuid=agency_uuid).first()
    if agency is None:
        raise NotFound(_("This agency does not exist."), code="agency_not_found")
    return agency


def _field_error(field: str, message: str) -> InvalidInput:
    return InvalidInput(_("Some fields are not valid."), details={field: [message]})


def agency_by_code(code: str, *, field: str = "agency") -> Agency:
    """The agency with ``code``, or a 400 naming ``field``."""
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise _field_error(field, _("No agency has this code."))
    return agency


def role_by_key(key: str, *, field: str = "role") -> Role:
    role = Role.objects.filter(key=key).first()
    if role is None:
        raise _field_error(field, _("No role has this key."))
    return role


def user_by_username(username: str, *, field: str = "user") -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise _field_error(field, _("No active user has this username."))
    return user


def roles(user: Any) -> QuerySet[Role]:
    """Every role (administrators and app builders)."""
    _require_directory_reader(user)
    return Role.objects.order_by("key")


def memberships(
    acting: Any, *, agency: str | None = None, user: str | None = None
) -> QuerySet[Membership]:
    """Memberships, optionally of one agency (code) or one user (username) (admins)."""
    _require_admin(acting)
    found = Membership.objects.select_related("user", "agency", "role")
    if agency:
        found = found.filter(agency__code=agency)
    if user:
        found = found.filter(user__username=user)
    return found.order_by("agency__code", "user__username", "role__key")


def membership_by_uuid(user: Any, membership_uuid: uuid.UUID) -> Membership:
    _require_admin(user)
    membership = Membership.objects.filter(uuid=membership_uuid).first()
    if membership is None:
        raise NotFound(_("This membership does not exist."), code="membership_not_found")
    return membership


def delegations_of(user: Any) -> QuerySet[Delegation]:
    """The delegations ``user`` gave or received (all of them for platform admins), newest
    first."""
    found = Delegation.objects.select_related("delegator", "delegate", "agency")
    if not permissions.is_platform_admin(user):
        found = found.filter(Q(delegator=user) | Q(delegate=user))
    return found.order_by("-starts_at", "-pk")


def delegation_for_user(user: Any, *, delegation_uuid: uuid.UUID) -> Delegation:
    delegation = delegations_of(user).filter(uuid=delegation_uuid).first()
    if delegation is None:
        raise NotFound(_("This delegation does not exist."), code="delegation_not_found")
    return delegation
