"""What the tasks API reads and sends."""

from __future__ import annotations

import math
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.api import AgencyRefSerializer, EnumField, TranslatedField, UserRefSerializer
from apps.core.models import translated
from apps.records.models import Record
from apps.runtime.models import OutboxEntry, Task


class TaskActionSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(read_only=True)
    label = TranslatedField()  # type: ignore[assignment]


class TaskRecordSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="uuid", read_only=True)
    tracking_code = serializers.CharField(read_only=True)
    status = EnumField(Record.Status.choices, enum_name="RecordStatusEnum")


class TaskSerializer(serializers.Serializer[Any]):
    """A task in a list: what it is, whose it is, what may be done with it."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    label = TranslatedField()  # type: ignore[assignment]
    node = serializers.CharField(source="node_id", read_only=True)
    status = EnumField(Task.Status.choices, enum_name="TaskStatusEnum")
    agency = AgencyRefSerializer(read_only=True)
    role = serializers.CharField(source="role.key", read_only=True)
    actions = TaskActionSerializer(many=True, read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    due = serializers.DateTimeField(read_only=True, allow_null=True)
    claimed_by = UserRefSerializer(
        read_only=True, allow_null=True, help_text="The official working on it, if any."
    )
    claimed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    record = TaskRecordSerializer(source="instance.record", read_only=True)

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        # "fields" cannot be declared as a class attribute: it is the serializer's own API.
        fields["fields"] = serializers.ListField(
            child=serializers.CharField(),
            read_only=True,
            help_text="Keys of the record fields this task may change.",
        )
        return fields


class OptionSerializer(serializers.Serializer[Any]):
    value = serializers.CharField(read_only=True)
    label = TranslatedField()  # type: ignore[assignment]


class EditableFieldSerializer(serializers.Serializer[Any]):
    """One field the task may change, described so that a client can offer it."""

    key = serializers.CharField(read_only=True)
    type = serializers.CharField(read_only=True)
    label = TranslatedField()  # type: ignore[assignment]
    options = OptionSerializer(many=True, read_only=True)
    value = serializers.JSONField(read_only=True, allow_null=True)


class TaskRecordDetailSerializer(TaskRecordSerializer):
    outcome = serializers.CharField(read_only=True)
    data = serializers.JSONField(read_only=True)  # type: ignore[assignment]


class TaskDetailSerializer(TaskSerializer):
    """One task, with the record's data and the task's outcome once completed."""

    action = serializers.CharField(read_only=True, help_text="The action taken, once completed.")
    completed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    completed_by = serializers.SerializerMethodField()
    form = serializers.SerializerMethodField(help_text="The fields this task may change.")
    record = TaskRecordDetailSerializer(source="instance.record", read_only=True)

    def get_completed_by(self, task: Any) -> str | None:
        """The name of the official who completed the task."""
        user = task.completed_by
        return user.display_name() if user is not None else None

    @extend_schema_field(EditableFieldSerializer(many=True))
    def get_form(self, task: Any) -> list[dict[str, Any]]:
        entity = self.context["entity"]
        data = task.instance.record.data or {}
        result = []
        for key in task.fields:
            spec = entity.field(key)
            if spec is None:
                continue
            result.append(
                {
                    "key": key,
                    "type": spec.type,
                    "label": translated(spec.label) or key,
                    "options": [
                        {"value": o.value, "label": translated(o.label)} for o in spec.options
                    ],
                    "value": data.get(key),
                }
            )
        return result


class TaskCompleteSerializer(serializers.Serializer[Any]):
    action = serializers.CharField(max_length=63, help_text="One of the task's action keys.")
    data = serializers.DictField(  # type: ignore[assignment]
        child=serializers.JSONField(allow_null=True),
        required=False,
        default=dict,
        help_text="New values of fields the task may change, by field key.",
    )


class TaskReturnSerializer(serializers.Serializer[Any]):
    data = serializers.DictField(  # type: ignore[assignment]
        child=serializers.JSONField(allow_null=True),
        required=False,
        default=dict,
        help_text="New values of fields the task may change (e.g. what is missing).",
    )


class TaskReassignSerializer(serializers.Serializer[Any]):
    agency = serializers.SlugField(max_length=63, required=False, help_text="An agency's code.")
    role = serializers.SlugField(max_length=63, required=False, help_text="A role's key.")
    assignee = serializers.CharField(
        max_length=150, required=False, help_text="A username: the task goes to them alone."
    )
    reason = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("assignee") and not (attrs.get("agency") and attrs.get("role")):
            raise serializers.ValidationError(
                {"assignee": [_("Name an official, or an agency and a role, to take the task.")]}
            )
        return attrs


class CaseActionSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class CaseSerializer(serializers.Serializer[Any]):
    """A case after a change of its course."""

    id = serializers.UUIDField(source="record.uuid", read_only=True)
    tracking_code = serializers.CharField(source="record.tracking_code", read_only=True)
    status = EnumField(Record.Status.choices, enum_name="RecordStatusEnum", source="record.status")
    outcome = serializers.CharField(source="record.outcome", read_only=True)
    paused = serializers.SerializerMethodField(help_text="The deadline clock is stopped.")

    def get_paused(self, instance: Any) -> bool:
        return bool((instance.state or {}).get("paused"))


class EffectSerializer(serializers.Serializer[Any]):
    """An automatic step that leaves the case (notification, webhook, hand-off report)."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    kind = serializers.CharField(read_only=True)
    status = EnumField(OutboxEntry.Status.choices, enum_name="EffectStatusEnum")
    attempts = serializers.IntegerField(read_only=True)
    last_error = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    next_attempt_at = serializers.DateTimeField(read_only=True, allow_null=True)
    delivered_at = serializers.DateTimeField(read_only=True, allow_null=True)


class CommentSerializer(serializers.Serializer[Any]):
    """A comment or internal note on a case. The citizen reads comments only, and never
    officials' names."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    at = serializers.DateTimeField(source="created_at", read_only=True)
    body = serializers.CharField(read_only=True)
    internal = serializers.BooleanField(read_only=True, help_text="An officials' note.")
    author_kind = serializers.SerializerMethodField(help_text="citizen or official.")
    author = serializers.SerializerMethodField(help_text="Null when not shown to the reader.")
    agency = AgencyRefSerializer(read_only=True, allow_null=True)

    def _by_citizen(self, comment: Any) -> bool:
        submitter = self.context["record"].submitted_by_id
        return bool(comment.author_id and comment.author_id == submitter)

    def get_author_kind(self, comment: Any) -> str:
        return "citizen" if self._by_citizen(comment) else "official"

    @extend_schema_field(UserRefSerializer(allow_null=True))
    def get_author(self, comment: Any) -> dict[str, Any] | None:
        if comment.author is None:
            return None
        reader = self.context.get("reader")
        if self.context.get("internal") or comment.author_id == getattr(reader, "pk", None):
            return dict(UserRefSerializer(comment.author).data)
        return None


class CommentCreateSerializer(serializers.Serializer[Any]):
    body = serializers.CharField(max_length=5000)
    internal = serializers.BooleanField(
        required=False, default=False, help_text="An internal note, for officials only."
    )


class MessageSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100, help_text="The message's name (e.g. fee_paid).")
    key = serializers.JSONField(
        help_text="The correlation key the waiting cases expect (text or number)."
    )
    data = serializers.DictField(  # type: ignore[assignment]
        child=serializers.JSONField(allow_null=True),
        required=False,
        default=dict,
        help_text="Values the receiving step may store.",
    )

    def validate_key(self, value: Any) -> Any:
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise serializers.ValidationError(_("Send the key as text or a number."))
        if isinstance(value, float) and not math.isfinite(value):
            raise serializers.ValidationError(_("Send the key as text or a number."))
        if isinstance(value, str) and len(value) > 200:
            raise serializers.ValidationError(_("Enter at most 200 characters."))
        return value


class MessageResultSerializer(serializers.Serializer[Any]):
    delivered = serializers.IntegerField(read_only=True, help_text="How many cases took it.")
