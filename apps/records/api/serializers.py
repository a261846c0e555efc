"""What the records API sends: receipts, the citizen's status view, and records with
their event log for officials."""

from __future__ import annotations

from typing import Any, cast

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.api import AgencyRefSerializer, EnumField, TranslatedField
from apps.core.models import translated
from apps.records.models import Record

#: Events that close a case; their label is the outcome people see.
CLOSING_EVENTS = ("case_closed", "case_cancelled")


class RecordSummarySerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="uuid", read_only=True)
    app = serializers.CharField(source="app.key", read_only=True)
    entity = serializers.CharField(source="entity_key", read_only=True)
    form = serializers.CharField(source="form_key", read_only=True)
    status = EnumField(Record.Status.choices, enum_name="RecordStatusEnum")
    outcome = serializers.CharField(
        read_only=True, help_text="How the case ended (e.g. resolved); empty while in progress."
    )
    created_at = serializers.DateTimeField(read_only=True)
    data = serializers.JSONField(  # type: ignore[assignment]
        read_only=True, help_text="The clean, stored field values."
    )


class SubmissionResultSerializer(serializers.Serializer[Any]):
    tracking_code = serializers.CharField(source="record.tracking_code", read_only=True)
    secret = serializers.CharField(
        read_only=True,
        help_text="Shown once, never stored in clear: with the tracking code it opens the "
        "case's status.",
    )
    status_url = serializers.SerializerMethodField(
        help_text="The status lookup of this case (with its secret)."
    )
    record = RecordSummarySerializer(read_only=True)

    @extend_schema_field(OpenApiTypes.URI)
    def get_status_url(self, submission: Any) -> str:
        return str(self.context["status_url"])


class TimelineEntrySerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField(read_only=True)
    kind = serializers.CharField(read_only=True)
    label = TranslatedField(  # type: ignore[assignment]
        help_text="What happened, in the request's language."
    )
    agency = AgencyRefSerializer(read_only=True, allow_null=True)


class PublicCommentSerializer(serializers.Serializer[Any]):
    """A comment as the citizen sees it: who wrote it is the agency, never a name."""

    at = serializers.DateTimeField(source="created_at", read_only=True)
    body = serializers.CharField(read_only=True)
    author = serializers.SerializerMethodField(help_text="citizen or official.")
    agency = AgencyRefSerializer(read_only=True, allow_null=True)

    def get_author(self, comment: Any) -> str:
        record = self.context.get("record")
        submitter = getattr(record, "submitted_by_id", None)
        if submitter is not None and comment.author_id == submitter:
            return "citizen"
        return "official"


class CaseStatusSerializer(serializers.Serializer[Any]):
    """A case as its citizen sees it: never officials' names, internal events or data."""

    tracking_code = serializers.CharField(read_only=True)
    status = EnumField(Record.Status.choices, enum_name="RecordStatusEnum")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    outcome = serializers.CharField(read_only=True)
    outcome_label = serializers.SerializerMethodField()
    current_agency = AgencyRefSerializer(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    timeline = serializers.SerializerMethodField()
    comments = serializers.SerializerMethodField(
        help_text="Comments on the case, oldest first (never officials' internal notes)."
    )

    @extend_schema_field(PublicCommentSerializer(many=True))
    def get_comments(self, record: Any) -> list[dict[str, Any]]:
        comments = PublicCommentSerializer(
            self.context.get("comments", []), many=True, context={"record": record}
        ).data
        return cast(list[dict[str, Any]], comments)

    def get_outcome_label(self, record: Any) -> str:
        """The label of the closing event (e.g. "Resolved"); empty while in progress."""
        if record.status != "closed":
            return ""
        closing = [e for e in self.context["timeline"] if e.kind in CLOSING_EVENTS]
        return translated(closing[-1].label) if closing else ""

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, record: Any) -> list[dict[str, Any]]:
        entries = TimelineEntrySerializer(self.context["timeline"], many=True).data
        return cast(list[dict[str, Any]], entries)


class ActorSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(
        source="actor_kind", read_only=True, help_text="user, citizen or system."
    )
    name = serializers.CharField(source="actor_display", read_only=True)


class EventSerializer(serializers.Serializer[Any]):
    """One event of a case's log. With ``hide_officials`` in the context (what a citizen
    reads), officials' names are left out."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    kind = serializers.CharField(read_only=True)
    at = serializers.DateTimeField(read_only=True)
    node = serializers.CharField(source="node_id", read_only=True)
    label = TranslatedField()  # type: ignore[assignment]
    public = serializers.BooleanField(read_only=True, help_text="Shown to the citizen.")
    actor = serializers.SerializerMethodField()
    agency = AgencyRefSerializer(read_only=True, allow_null=True)
    data = serializers.JSONField(read_only=True)  # type: ignore[assignment]

    @extend_schema_field(ActorSerializer)
    def get_actor(self, event: Any) -> dict[str, Any]:
        actor = dict(ActorSerializer(event).data)
        if self.context.get("hide_officials") and event.actor_kind == "user":
            actor["name"] = ""
        return actor

    def to_representation(self, instance: Any) -> dict[str, Any]:
        body = dict(super().to_representation(instance))
        if self.context.get("hide_officials"):
            body["data"] = {}
        return body


class RecordDetailSerializer(RecordSummarySerializer):
    tracking_code = serializers.CharField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    current_agency = AgencyRefSerializer(read_only=True, allow_null=True)
    updated_at = serializers.DateTimeField(read_only=True)
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    deadline = serializers.DateTimeField(read_only=True, allow_null=True)
    events = serializers.SerializerMethodField(help_text="The full event log, oldest first.")

    @extend_schema_field(EventSerializer(many=True))
    def get_events(self, record: Any) -> list[dict[str, Any]]:
        events = EventSerializer(self.context["events"], many=True, context=self.context).data
        return cast(list[dict[str, Any]], events)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        """The data's file descriptors gain ``url``: where the file opens, for whoever
        may read the record (``GET /files/<id>/``)."""
        body = dict(super().to_representation(instance))
        body["data"] = with_file_urls(instance, body.get("data"))
        return body


def with_file_urls(record: Record, data: Any) -> Any:
    """``data`` with a ``url`` in each descriptor of a file the record holds."""
    if not isinstance(data, dict) or not any(
        isinstance(item, dict) and "id" in item
        for value in data.values()
        if isinstance(value, list)
        for item in value
    ):
        return data
    stored = {str(a.uuid) for a in record.attachments.all()}
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, list):
            value = [
                {**item, "url": reverse("records:attachment", args=[item["id"]])}
                if isinstance(item, dict) and str(item.get("id", "")) in stored
                else item
                for item in value
            ]
        out[key] = value
    return out


class RecordListItemSerializer(RecordSummarySerializer):
    """A record in a list."""

    tracking_code = serializers.CharField(read_only=True)
    current_agency = AgencyRefSerializer(read_only=True, allow_null=True)
    updated_at = serializers.DateTimeField(read_only=True)
    deadline = serializers.DateTimeField(read_only=True, allow_null=True)
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    overdue = serializers.SerializerMethodField(help_text="Still open past its deadline.")

    def get_overdue(self, record: Any) -> bool:
        return bool(
            record.deadline is not None
            and record.status != Record.Status.CLOSED
            and record.deadline < self.context["now"]
        )


class RecordQuerySerializer(serializers.Serializer[Any]):
    app = serializers.SlugField(max_length=63, required=False, help_text="An app's key.")
    status = serializers.ChoiceField(choices=Record.Status.choices, required=False)
    agency = serializers.SlugField(
        max_length=63, required=False, help_text="Code of the agency holding the case now."
    )
    district = serializers.CharField(
        max_length=63, required=False, help_text="The record's `district` field (a code)."
    )
    created_from = serializers.DateField(required=False, help_text="First day (inclusive).")
    created_to = serializers.DateField(required=False, help_text="Last day (inclusive).")
    overdue = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="Open past the deadline."
    )
    q = serializers.CharField(
        max_length=100,
        required=False,
        help_text="Text in the tracking code or in the data (case-insensitive).",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("created_from"), attrs.get("created_to")
        if start and end and start > end:
            raise serializers.ValidationError(
                {"created_to": [_("The last day must not come before the first.")]}
            )
        return attrs
