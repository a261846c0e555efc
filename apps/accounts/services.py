"""Writes of agencies, roles, users and memberships."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from apps.core.errors import Conflict, InvalidInput, NotAllowed

from . import permissions
from .models import Agency, Delegation, Membership, Role, User

#: Roles every installation has; definitions assign tasks by these keys.
STANDARD_ROLES = {
    "officer": ("Chuyên viên", "Officer"),
    "leader": ("Lãnh đạo", "Leader"),
    "dispatcher": ("Điều phối viên", "Dispatcher"),
    "builder": ("Người xây dựng ứng dụng", "App builder"),
    "admin": ("Quản trị", "Administrator"),
}


@transaction.atomic
def roles_ensure() -> list[Role]:
    roles = []
    for key, (name_vi, name_en) in STANDARD_ROLES.items():
        role, _created = Role.objects.update_or_create(
            key=key, defaults={"name_vi": name_vi, "name_en": name_en}
        )
        roles.append(role)
    return roles


@transaction.atomic
def agency_upsert(
    *, code: str, name: dict[str, str], kind: str, parent_code: str | None = None
) -> Agency:
    parent = Agency.objects.get(code=parent_code) if parent_code else None
    agency, _created = Agency.objects.update_or_create(
        code=code,
        defaults={
            "name_vi": name["vi"],
            "name_en": name.get("en", ""),
            "kind": kind,
            "parent": parent,
        },
    )
    return agency


@transaction.atomic
def user_upsert(
    *,
    username: str,
    full_name: str,
    password: str | None = None,
    superuser: bool = False,
    memberships: list[tuple[str, str]] | None = None,
) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"full_name": full_name, "is_staff": superuser, "is_superuser": superuser},
    )
    if created and password:
        user.set_password(password)
        user.save(update_fields=["password"])
    for agency_code, role_key in memberships or []:
        Membership.objects.get_or_create(
            user=user,
            agency=Agency.objects.get(code=agency_code),
            role=Role.objects.get(key=role_key),
        )
    return user


def demo_load(*, agencies: dict[str, Any], users: dict[str, Any]) -> None:
    """Load the demo agencies and users (idempotent; existing passwords are kept)."""
    roles_ensure()
    for entry in agencies["agencies"]:
        agency_upsert(
            code=entry["code"], name=entry["name"], kind=entry["kind"], parent_code=entry["parent"]
        )
    for entry in users["users"]:
        user_upsert(
            username=entry["username"],
            full_name=entry["name"],
            password=users["password"],
            superuser=bool(entry.get("superuser")),
            memberships=[tuple(m) for m in entry["memberships"]],
        )


# --------------------------------------------------------------------------- API use cases


def _require_admin(user: Any) -> None:
    if not permissions.can_manage_accounts(user):
        raise NotAllowed(_("Only administrators may manage agencies and memberships."))


def _parent(code: str | None, *, agency: Agency | None = None) -> Agency | None:
    if not code:
        return None
    parent = Agency.objects.filter(code=code).first()
    if parent is None:
        raise InvalidInput(
            _("No agency has this code."),
            code="unknown_agency",
            details={"parent": [_("No agency has this code.")]},
        )
    if agency is not None:
        current: Agency | None = parent
        while current is not None:
            if current.pk == agency.pk:
                message = _("An agency cannot be placed under itself or one of its sub-agencies.")
                raise InvalidInput(message, code="agency_cycle", details={"parent": [message]})
            current = current.parent
    return parent


@transaction.atomic
def agency_create(
    *,
    user: Any,
    code: str,
    name: dict[str, str],
    kind: str,
    parent_code: str | None = None,
) -> Agency:
    _require_admin(user)
    if Agency.objects.filter(code=code).exists():
        raise Conflict(_("An agency with this code already exists."), code="agency_exists")
    return Agency.objects.create(
        code=code,
        name_vi=name["vi"],
        name_en=name.get("en", ""),
        kind=kind,
        parent=_parent(parent_code),
    )


@transaction.atomic
def agency_update(*, user: Any, agency: Agency, changes: dict[str, Any]) -> Agency:
    """Change an agency's names, kind, parent or whether it is active. Its code never
    changes: definitions assign tasks by it."""
    _require_admin(user)
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    fields = []
    if "name_vi" in changes:
        agency.name_vi = changes["name_vi"]
        fields.append("name_vi")
    if "name_en" in changes:
        agency.name_en = changes["name_en"]
        fields.append("name_en")
    if "kind" in changes:
        agency.kind = changes["kind"]
        fields.append("kind")
    if "is_active" in changes:
        agency.is_active = bool(changes["is_active"])
        fields.append("is_active")
    if "parent" in changes:
        agency.parent = _parent(changes["parent"], agency=agency)
        fields.append("parent")
    if fields:
        agency.save(update_fields=fields)
    return agency


@transaction.atomic
def membership_create(*, user: Any, member: User, agency: Agency, role: Role) -> Membership:
    _require_admin(user)
    if Membership.objects.filter(user=member, agency=agency, role=role).exists():
        raise Conflict(
            _("This person already holds this role in this agency."), code="membership_exists"
        )
    return Membership.objects.create(user=member, agency=agency, role=role)


@transaction.atomic
def membership_delete(*, user: Any, membership: Membership) -> None:
    _require_admin(user)
    membership.delete()


#: The longest delegation, in days.
DELEGATION_MAX_DAYS = 366


@transaction.atomic
def delegation_create(
    *,
    user: Any,
    delegator: User,
    delegate: User,
    agency: Agency,
    starts_at: datetime,
    ends_at: datetime,
    reason: str = "",
) -> Delegation:
    """``delegator`` hands their tasks in ``agency`` to ``delegate``, a colleague of that
    agency, from ``starts_at`` until ``ends_at``."""
    if not permissions.can_delegate(user, delegator=delegator):
        raise NotAllowed(_("You may only delegate your own tasks."))
    if not permissions.is_official(delegator):
        raise NotAllowed(_("Only officials delegate their tasks."))
    errors: dict[str, list[str]] = {}
    if delegate.pk == delegator.pk:
        errors["delegate"] = [_("Choose a colleague other than yourself.")]
    elif not delegate.is_active or not permissions.shares_agency(delegator, delegate, agency.pk):
        errors["delegate"] = [_("Choose a colleague of the same agency.")]
    if ends_at <= starts_at:
        errors["ends_at"] = [_("The end must come after the start.")]
    elif ends_at <= timezone.now():
        errors["ends_at"] = [_("The end must be in the future.")]
    elif ends_at - starts_at > timedelta(days=DELEGATION_MAX_DAYS):
        errors["ends_at"] = [
            _("A delegation lasts at most %(days)s days.") % {"days": DELEGATION_MAX_DAYS}
        ]
    if errors:
        raise InvalidInput(_("Some fields are not valid."), details=errors)
    return Delegation.objects.create(
        delegator=delegator,
        delegate=delegate,
        agency=agency,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
    )


@transaction.atomic
def delegation_revoke(*, user: Any, delegation: Delegation) -> Delegation:
    """End a delegation now (its delegator, or a platform admin); revoking twice changes
    nothing."""
    delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
    if not permissions.can_delegate(user, delegator=delegation.delegator):
        raise NotAllowed(_("You may only revoke your own delegations."))
    if delegation.revoked_at is None:
        delegation.revoked_at = timezone.now()
        delegation.save(update_fields=["revoked_at"])
    return delegation


def token_obtain(*, username: str, password: str, request: Any = None) -> str:
    """The API token of the user with these credentials (created on first use)."""
    user = authenticate(request, username=username, password=password)
    if user is None:
        raise InvalidInput(
            _("The username or password is not correct."), code="invalid_credentials"
        )
    token, _created = Token.objects.get_or_create(user=user)
    return str(token.key)
