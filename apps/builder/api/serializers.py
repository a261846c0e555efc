"""What the builder API reads and sends."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.builder.models import AppVersion, Definition
from apps.core.api import EnumField, LabelSerializer, TranslatedField
from apps.core.models import translated


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
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    versions = AppVersionSerializer(
        many=True,
        read_only=True,
        help_text="The draft first, then published versions, newest first.",
    )


class AppCreateSerializer(serializers.Serializer[Any]):
    key = serializers.SlugField(max_length=63, help_text="Letters, digits, _ and -.")
    label = LabelSerializer()  # type: ignore[assignment]
    description = LabelSerializer(required=False)


class DefinitionSummarySerializer(serializers.Serializer[Any]):
    kind = EnumField(Definition.Kind.choices, enum_name="DefinitionKindEnum")
    key = serializers.CharField(read_only=True)
    label = serializers.SerializerMethodField()  # type: ignore[assignment]
    content_hash = serializers.CharField(read_only=True)

    def get_label(self, definition: Any) -> str:
        """The definition's name in the request's language."""
        label = definition.document.get("label") if isinstance(definition.document, dict) else None
        return translated(label if isinstance(label, dict) else None) or definition.key


class DefinitionSerializer(DefinitionSummarySerializer):
    document = serializers.JSONField(read_only=True, help_text="The definition (JSON).")


class DraftSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="uuid", read_only=True)
    revision = serializers.SerializerMethodField(
        help_text="Send it back (If-Match or `revision`) with every change of the draft."
    )
    label = TranslatedField()  # type: ignore[assignment]
    updated_at = serializers.DateTimeField(read_only=True)
    definitions = DefinitionSummarySerializer(many=True, read_only=True)

    def get_revision(self, draft: Any) -> str:
        return str(self.context["revision"])


class AppDetailSerializer(AppSerializer):
    draft = serializers.SerializerMethodField()
    can_publish = serializers.SerializerMethodField(help_text="The user may publish the app.")

    @extend_schema_field(DraftSerializer)
    def get_draft(self, app: Any) -> dict[str, Any]:
        return dict(DraftSerializer(self.context["draft"], context=self.context).data)

    def get_can_publish(self, app: Any) -> bool:
        return bool(self.context["can_publish"])


class DefinitionListSerializer(serializers.Serializer[Any]):
    revision = serializers.CharField(read_only=True)
    definitions = DefinitionSummarySerializer(many=True, read_only=True)


class DefinitionDetailSerializer(DefinitionSerializer):
    revision = serializers.SerializerMethodField(help_text="The draft's revision.")

    def get_revision(self, definition: Any) -> str:
        return str(self.context["revision"])


class DefinitionPutSerializer(serializers.Serializer[Any]):
    document = serializers.DictField(
        child=serializers.JSONField(allow_null=True),
        help_text="The whole definition; its `key` (when given) must be the one in the path.",
    )
    revision = serializers.CharField(
        max_length=64, required=False, help_text="Or send the If-Match header."
    )


class FindingSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(read_only=True)
    message = serializers.CharField(read_only=True)
    path = serializers.CharField(read_only=True)
    severity = serializers.CharField(read_only=True, help_text="error or warning.")
    params = serializers.JSONField(read_only=True)


class ValidationResultSerializer(serializers.Serializer[Any]):
    revision = serializers.CharField(read_only=True)
    valid = serializers.BooleanField(
        read_only=True, help_text="No finding is an error: the draft can be published."
    )
    findings = FindingSerializer(many=True, read_only=True)


class PublishSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(
        max_length=2000, required=False, default="", allow_blank=True, help_text="Change note."
    )
    revision = serializers.CharField(
        max_length=64,
        required=False,
        help_text="When given, publish only if the draft is still this revision.",
    )


class VersionDetailSerializer(AppVersionSerializer):
    content_hash = serializers.CharField(read_only=True)
    definitions = DefinitionSerializer(many=True, read_only=True)


class PathValueSerializer(serializers.Serializer[Any]):
    path = serializers.CharField(read_only=True)
    value = serializers.JSONField(read_only=True)


class PathChangeSerializer(serializers.Serializer[Any]):
    path = serializers.CharField(read_only=True)
    before = serializers.JSONField(read_only=True)
    after = serializers.JSONField(read_only=True)


class DocumentDiffSerializer(serializers.Serializer[Any]):
    added = PathValueSerializer(many=True, read_only=True)
    removed = PathValueSerializer(many=True, read_only=True)
    changed = PathChangeSerializer(many=True, read_only=True)


class DefinitionRefSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(read_only=True)
    key = serializers.CharField(read_only=True)


class DefinitionChangeSerializer(DocumentDiffSerializer):
    kind = serializers.CharField(read_only=True)
    key = serializers.CharField(read_only=True)


class DiffSerializer(serializers.Serializer[Any]):
    from_version = serializers.CharField(read_only=True, help_text="A number, or draft.")
    to_version = serializers.CharField(read_only=True, help_text="A number, or draft.")
    app = DocumentDiffSerializer(read_only=True, help_text="The app's name and description.")
    added = DefinitionRefSerializer(many=True, read_only=True)
    removed = DefinitionRefSerializer(many=True, read_only=True)
    changed = DefinitionChangeSerializer(many=True, read_only=True)


class ImportResultSerializer(serializers.Serializer[Any]):
    app = AppSerializer(read_only=True)
    version = AppVersionSerializer(
        read_only=True, allow_null=True, help_text="The published version (null: draft only)."
    )
    changed = serializers.BooleanField(
        read_only=True, help_text="False when the bundle equals the latest version."
    )
