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
    running_cases = serializers.SerializerMethodField(
        help_text="Cases started on this version that have not ended (0 for the draft)."
    )

    def get_running_cases(self, version: Any) -> int:
        if version.status != AppVersion.Status.PUBLISHED:
            return 0
        counted = getattr(version, "running_count", None)
        if counted is None:  # a single version, not from an annotated list
            counted = version.instances.filter(status="running").count()
        return int(counted)


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


# --------------------------------------------------------------------------- palette


class BilingualSerializer(serializers.Serializer[Any]):
    vi = serializers.CharField(read_only=True)
    en = serializers.CharField(read_only=True, required=False)


class NodeTypeSerializer(serializers.Serializer[Any]):
    type = serializers.CharField(read_only=True, help_text="The node type's name.")
    label = BilingualSerializer(read_only=True)  # type: ignore[assignment]
    description = BilingualSerializer(read_only=True, help_text="Empty when not described.")
    group = serializers.CharField(read_only=True, help_text="flow, task, automatic or event.")
    config_schema = serializers.JSONField(
        read_only=True, help_text="JSON Schema of the node's own keys (besides id, type, label)."
    )
    transition_keys = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Keys its ways out may carry: action, condition, timeout.",
    )
    terminal = serializers.BooleanField(read_only=True, help_text="It has no way out.")


# --------------------------------------------------------------------------- simulation


class SimulationStepSerializer(serializers.Serializer[Any]):
    node = serializers.CharField(help_text="A task node of the workflow.")
    action = serializers.CharField(help_text="One of the task's actions.")
    data = serializers.DictField(  # type: ignore[assignment]
        child=serializers.JSONField(allow_null=True),
        required=False,
        help_text="Fields the task changes (they must be in its form).",
    )


class ExpectSerializer(serializers.Serializer[Any]):
    status = serializers.CharField(required=False, help_text="running, completed or terminated.")
    end = serializers.CharField(required=False, help_text="The end node reached.")
    visits = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Nodes on the path."
    )


class SimulationRequestSerializer(serializers.Serializer[Any]):
    """Documents the body; it is checked against the test schema (test.schema.json)."""

    test = serializers.CharField(
        required=False, help_text="A saved test's key (then send nothing else but `now`)."
    )
    workflow = serializers.CharField(required=False, help_text="The workflow to run.")
    data = serializers.DictField(  # type: ignore[assignment]
        child=serializers.JSONField(allow_null=True),
        required=False,
        help_text="The record's data at the start.",
    )
    steps = SimulationStepSerializer(many=True, required=False)
    expect = ExpectSerializer(required=False)
    now = serializers.DateTimeField(
        required=False, help_text="When the case starts (default: now); deadlines count from it."
    )


class SimulatedNodeSerializer(serializers.Serializer[Any]):
    node = serializers.CharField(read_only=True)
    type = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]


class AssigneeSerializer(serializers.Serializer[Any]):
    kind = EnumField(
        [("agency_role", "agency_role"), ("user", "user"), ("submitter", "submitter")],
        enum_name="AssigneeKindEnum",
    )
    agency = serializers.CharField(read_only=True, allow_null=True)
    agency_name = serializers.CharField(read_only=True, allow_null=True)
    role = serializers.CharField(read_only=True, allow_null=True)
    role_name = serializers.CharField(read_only=True, allow_null=True)
    user = serializers.CharField(read_only=True, allow_null=True)


class SimulatedTaskSerializer(serializers.Serializer[Any]):
    node = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]
    assignee = AssigneeSerializer(read_only=True)
    due = serializers.CharField(
        read_only=True, allow_null=True, help_text="ISO 8601 date and time (working days)."
    )
    action = serializers.CharField(
        read_only=True, allow_null=True, help_text="The action taken (null: still open)."
    )
    actions = serializers.ListField(child=serializers.CharField(), read_only=True)


class SimulatedEffectSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(
        read_only=True, help_text="notify, webhook, create_record, start_workflow."
    )
    summary = serializers.CharField(read_only=True)


class SimulationErrorSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(read_only=True)
    message = serializers.CharField(read_only=True)
    step = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Index of the step (null: at the start)."
    )


class ExpectationSerializer(serializers.Serializer[Any]):
    what = EnumField(
        [("status", "status"), ("end", "end"), ("visits", "visits")], enum_name="ExpectationEnum"
    )
    expected = serializers.JSONField(read_only=True)
    actual = serializers.JSONField(read_only=True)
    ok = serializers.BooleanField(read_only=True)


class SimulationResultSerializer(serializers.Serializer[Any]):
    ok = serializers.BooleanField(read_only=True, help_text="No error and every expectation met.")
    status = EnumField(
        [
            ("running", "running"),
            ("completed", "completed"),
            ("terminated", "terminated"),
            ("failed", "failed"),
        ],
        enum_name="SimulationStatusEnum",
    )
    path = SimulatedNodeSerializer(many=True, read_only=True, help_text="Nodes entered.")
    tasks = SimulatedTaskSerializer(many=True, read_only=True)
    waiting = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Nodes still waiting."
    )
    effects = SimulatedEffectSerializer(
        many=True, read_only=True, help_text="What would have been sent (nothing was)."
    )
    errors = SimulationErrorSerializer(many=True, read_only=True)  # type: ignore[assignment]
    expectations = ExpectationSerializer(many=True, read_only=True)


class TestResultSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]
    ok = serializers.BooleanField(read_only=True)
    result = SimulationResultSerializer(read_only=True)


class TestRunSerializer(serializers.Serializer[Any]):
    passed = serializers.BooleanField(read_only=True, help_text="Every saved test passed.")
    results = TestResultSerializer(many=True, read_only=True)


# --------------------------------------------------------------------------- other tools


class RestoreSerializer(serializers.Serializer[Any]):
    revision = serializers.CharField(
        max_length=64, required=False, help_text="Or send the If-Match header."
    )


class UsageQuerySerializer(serializers.Serializer[Any]):
    entity = serializers.RegexField(r"^[a-z][a-z0-9_]{0,62}$", help_text="An entity's key.")
    field = serializers.RegexField(r"^[a-z][a-z0-9_]{0,62}$", help_text="A field's key.")


class UsageSerializer(serializers.Serializer[Any]):
    kind = EnumField(
        [
            ("entity", "entity"),
            ("form", "form"),
            ("workflow", "workflow"),
            ("test", "test"),
            ("app", "app"),
        ],
        enum_name="UsageKindEnum",
    )
    key = serializers.CharField(read_only=True, help_text="The definition's (or app's) key.")
    path = serializers.CharField(
        read_only=True, help_text="Where, e.g. steps[problem].fields[category]."
    )


class PreviewSerializer(serializers.Serializer[Any]):
    form = serializers.DictField(
        child=serializers.JSONField(allow_null=True), help_text="A form document."
    )
    entity = serializers.DictField(
        child=serializers.JSONField(allow_null=True),
        required=False,
        help_text="An entity document (default: the draft's entity the form names).",
    )
    data = serializers.DictField(  # type: ignore[assignment]
        child=serializers.JSONField(allow_null=True),
        required=False,
        help_text="Sample answers: field key to value.",
    )
