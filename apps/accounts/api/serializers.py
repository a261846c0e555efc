"""What the accounts API reads and sends: tokens, agencies, roles, memberships,
delegations."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import serializers

from apps.accounts.models import Agency
from apps.core.api import AgencyRefSerializer, EnumField, UserRefSerializer


class TokenRequestSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, write_only=True, trim_whitespace=False)


class TokenSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(
        read_only=True, help_text="Send it as `Authorization: Token <token>`."
    )


class AgencySerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="agency.uuid", read_only=True)
    code = serializers.CharField(source="agency.code", read_only=True)
    name = serializers.CharField(source="agency.name", read_only=True)
    name_vi = serializers.CharField(source="agency.name_vi", read_only=True)
    name_en = serializers.CharField(source="agency.name_en", read_only=True)
    kind = EnumField(Agency.Kind.choices, enum_name="AgencyKindEnum", source="agency.kind")
    parent = serializers.CharField(  # type: ignore[assignment]
        source="parent_code", read_only=True, allow_null=True, help_text="The parent's code."
    )
    depth = serializers.IntegerField(read_only=True, help_text="0 for the city.")
    is_active = serializers.BooleanField(source="agency.is_active", read_only=True)


class AgencyCreateSerializer(serializers.Serializer[Any]):
    code = serializers.SlugField(max_length=63)
    name_vi = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    kind = serializers.ChoiceField(choices=Agency.Kind.choices)
    parent = serializers.SlugField(  # type: ignore[assignment]
        max_length=63, required=False, allow_null=True, default=None, help_text="A code."
    )


class AgencyUpdateSerializer(serializers.Serializer[Any]):
    name_vi = serializers.CharField(max_length=200, required=False)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=Agency.Kind.choices, required=False)
    parent = serializers.SlugField(  # type: ignore[assignment]
        max_length=63, required=False, allow_null=True, help_text="A code; null for a root."
    )
    is_active = serializers.BooleanField(required=False)


class RoleSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(read_only=True)
    name = serializers.CharField(source="__str__", read_only=True)
    name_vi = serializers.CharField(read_only=True)
    name_en = serializers.CharField(read_only=True)


class MembershipSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="uuid", read_only=True)
    user = UserRefSerializer(read_only=True)
    agency = AgencyRefSerializer(read_only=True)
    role = serializers.CharField(source="role.key", read_only=True)


class MembershipCreateSerializer(serializers.Serializer[Any]):
    user = serializers.CharField(max_length=150, help_text="A username.")
    agency = serializers.SlugField(max_length=63, help_text="An agency's code.")
    role = serializers.SlugField(max_length=63, help_text="A role's key.")


class DelegationSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="uuid", read_only=True)
    delegator = UserRefSerializer(read_only=True)
    delegate = UserRefSerializer(read_only=True)
    agency = AgencyRefSerializer(read_only=True)
    starts_at = serializers.DateTimeField(read_only=True)
    ends_at = serializers.DateTimeField(read_only=True)
    reason = serializers.CharField(read_only=True)
    revoked_at = serializers.DateTimeField(read_only=True, allow_null=True)
    active = serializers.SerializerMethodField(help_text="In force now.")

    def get_active(self, delegation: Any) -> bool:
        now = timezone.now()
        return bool(
            delegation.revoked_at is None and delegation.starts_at <= now < delegation.ends_at
        )


class DelegationCreateSerializer(serializers.Serializer[Any]):
    delegate = serializers.CharField(max_length=150, help_text="The colleague's username.")
    agency = serializers.SlugField(
        max_length=63, help_text="The code of the agency whose tasks are delegated."
    )
    starts_at = serializers.DateTimeField(required=False, help_text="Now when left out.")
    ends_at = serializers.DateTimeField()
    reason = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)
