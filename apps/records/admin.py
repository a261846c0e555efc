"""Admin pages of records and their attachments, for IT staff.

A record changes only through its workflow, so that every change is in the audit log;
these pages show it (data as JSON, files, the case and its events) and never edit it.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from apps.builder.admin import ViewOnlyAdmin, ViewOnlyInline, pretty_json

from .models import Attachment, Record, RecordAccess


def attachment_link(obj: Attachment) -> SafeString | str:
    """A link that opens the file through the checked download view (MEDIA_URL is not
    served)."""
    if not obj.pk or obj.record_id is None:
        return "—"
    return format_html(
        '<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>',
        reverse("records:attachment", args=[obj.uuid]),
        _("Open the file"),
    )


class AttachmentInline(ViewOnlyInline):
    model = Attachment
    fields = ("name", "field_key", "content_type", "size", "file_link", "created_at")
    readonly_fields = fields

    @admin.display(description=_("file"))
    def file_link(self, obj: Attachment) -> SafeString | str:
        return attachment_link(obj)


@admin.register(Record)
class RecordAdmin(ViewOnlyAdmin):
    list_display = (
        "tracking_code",
        "app",
        "entity_key",
        "status",
        "outcome",
        "current_agency",
        "created_at",
    )
    list_filter = ("status", "app", "current_agency")
    list_select_related = ("app", "current_agency")
    search_fields = ("tracking_code", "contact_email")
    date_hierarchy = "created_at"
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "tracking_code",
                    "uuid",
                    "app",
                    "app_version",
                    "entity_key",
                    "form_key",
                    "status",
                    "outcome",
                    "current_agency",
                    "deadline",
                    "case_links",
                )
            },
        ),
        (_("Data"), {"fields": ("data_pretty",)}),
        (
            _("Submission"),
            {
                "fields": (
                    "submitted_by",
                    "contact_email",
                    "latitude",
                    "longitude",
                    "created_at",
                    "updated_at",
                    "closed_at",
                )
            },
        ),
    )
    readonly_fields = (
        "tracking_code",
        "uuid",
        "app",
        "app_version",
        "entity_key",
        "form_key",
        "status",
        "outcome",
        "current_agency",
        "deadline",
        "case_links",
        "data_pretty",
        "submitted_by",
        "contact_email",
        "latitude",
        "longitude",
        "created_at",
        "updated_at",
        "closed_at",
    )
    inlines = (AttachmentInline,)

    @admin.display(description=_("data"))
    def data_pretty(self, obj: Record) -> SafeString:
        return pretty_json(obj.data)

    @admin.display(description=_("case"))
    def case_links(self, obj: Record) -> SafeString:
        events = reverse("admin:runtime_event_changelist") + f"?record__id__exact={obj.pk}"
        instance = getattr(obj, "instance", None)
        if instance is None:
            return format_html('<a href="{}">{}</a>', events, _("events"))
        case = reverse("admin:runtime_processinstance_change", args=[instance.pk])
        tasks = reverse("admin:runtime_task_changelist") + f"?instance__id__exact={instance.pk}"
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a>',
            case,
            _("process instance"),
            tasks,
            _("tasks"),
            events,
            _("events"),
        )


@admin.register(Attachment)
class AttachmentAdmin(ViewOnlyAdmin):
    list_display = ("name", "record", "field_key", "content_type", "size", "created_at")
    list_filter = ("content_type",)
    list_select_related = ("record",)
    search_fields = ("name", "record__tracking_code")
    fields = (
        "name",
        "uuid",
        "record",
        "field_key",
        "content_type",
        "size",
        "file_link",
        "created_at",
    )
    readonly_fields = fields

    @admin.display(description=_("file"))
    def file_link(self, obj: Attachment) -> SafeString | str:
        return attachment_link(obj)


@admin.register(RecordAccess)
class RecordAccessAdmin(ViewOnlyAdmin):
    list_display = ("record", "agency", "reason", "created_at")
    list_filter = ("reason",)
    search_fields = ("record__tracking_code", "agency__code", "agency__name_vi")
    list_select_related = ("record", "agency")
