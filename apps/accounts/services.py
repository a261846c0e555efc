"""Writes of agencies, roles, users and memberships."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from .models import Agency, Membership, Role, User

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
