"""What the builder API sends."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from apps.builder.models import AppVersion
from apps.core.api import EnumField, TranslatedField


class AppVersionSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="uuid", read_only=True)
    number = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Null for the draft."
    )
    status = EnumField(AppVersion.Status.choices, enum_name="AppVersionStatusEnum")
    label = TranslatedField()  # type: ignore[assignment]
    note = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    published_at = serializers.DateTimeField(read_only=True, allow_null=True)


class AppSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="uuid", read_only=True)
    key = serializers.CharField(read_only=True)
    label = TranslatedField()  # type: ignore[assignment]
    description = TranslatedField()
    versions = AppVersionSerializer(
        many=True,
        read_only=True,
        help_text="The draft first, then published versions, newest first.",
    )
