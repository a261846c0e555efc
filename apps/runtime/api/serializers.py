"""What the tasks API reads and sends."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.api import AgencyRefSerializer, EnumField, TranslatedField
from apps.core.models import translated
from apps.records.models import Record
from apps.runtime.models import Task


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
