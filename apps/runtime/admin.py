"""Admin pages of running cases, tasks, timers, the outbox, notifications, the engine's
event log and the audit log, for IT staff.

Cases, tasks and timers move only through the engine (``apps.runtime.services``), the
outbox is worked by its sweeper, and both event logs are append-only, so every page here
is read-only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from apps.builder.admin import ViewOnlyAdmin, ViewOnlyInline, pretty_json
from apps.core.models import translated

from .models import (
    EngineEvent,
    Event,
    Notification,
    OutboxEntry,
    ProcessInstance,
    Task,
    Timer,
)


class TaskInline(ViewOnlyInline):
    model = Task
    fields = ("__str__", "agency", "role", "assignee", "status", "action", "due", "completed_at")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("agency", "role", "assignee")


class TimerInline(ViewOnlyInline):
    model = Timer
    fields = ("timer_key", "purpose", "task_key", "due", "status", "fired_at")
    readonly_fields = fields
    show_change_link = False


class EngineEventInline(ViewOnlyInline):
    model = EngineEvent
    fields = ("seq", "at", "event_type")
    readonly_fields = fields
    ordering = ("seq",)

    @admin.display(description=_("event"))
    def event_type(self, obj: EngineEvent) -> str:
        return str(obj.event.get("type", ""))


@admin.register(ProcessInstance)
class ProcessInstanceAdmin(ViewOnlyAdmin):
    list_display = (
        "__str__",
        "record",
        "workflow_key",
        "app_version",
        "status",
        "outcome",
        "created_at",
    )
    list_filter = ("status", "workflow_key", "app_version__app")
    list_select_related = ("record", "app_version__app")
    search_fields = ("record__tracking_code", "workflow_key")
    date_hierarchy = "created_at"
    fields = (
        "record",
        "uuid",
        "app_version",
        "workflow_key",
        "status",
        "outcome",
        "parent",
        "parent_child_key",
        "parent_waits",
        "created_at",
        "updated_at",
        "ended_at",
        "initial_data_pretty",
        "state_pretty",
    )
    readonly_fields = fields
    inlines = (TaskInline, TimerInline, EngineEventInline)

    @admin.display(description=_("state"))
    def state_pretty(self, obj: ProcessInstance) -> SafeString:
        return pretty_json(obj.state)

    @admin.display(description=_("data at the start"))
    def initial_data_pretty(self, obj: ProcessInstance) -> SafeString:
        return pretty_json(obj.initial_data)


@admin.register(Task)
class TaskAdmin(ViewOnlyAdmin):
    list_display = (
        "__str__",
        "record",
        "agency",
        "role",
        "assignee",
        "status",
        "due",
        "created_at",
    )
    list_filter = ("status", "role", "agency", "for_submitter", "instance__app_version__app")
    list_select_related = ("agency", "role", "assignee", "instance__record")
    search_fields = ("instance__record__tracking_code", "node_id", "task_key")
    date_hierarchy = "created_at"
    fields = (
        "label_pretty",
        "uuid",
        "instance",
        "task_key",
        "node_id",
        "agency",
        "role",
        "assignee",
        "for_submitter",
        "excluded_actors",
        "item",
        "due",
        "status",
        "actions_pretty",
        "fields",
        "action",
        "completed_at",
        "completed_by",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    @admin.display(description=_("record"), ordering="instance__record__tracking_code")
    def record(self, obj: Task) -> str:
        return obj.instance.record.tracking_code

    @admin.display(description=_("name"))
    def label_pretty(self, obj: Task) -> SafeString:
        return pretty_json(obj.label)

    @admin.display(description=_("actions"))
    def actions_pretty(self, obj: Task) -> SafeString:
        return pretty_json(obj.actions)


@admin.register(Event)
class EventAdmin(ViewOnlyAdmin):
    """The audit log: strictly read-only (the model refuses updates and deletes too)."""

    list_display = ("at", "kind", "record", "description", "actor_name", "agency", "public")
    list_filter = ("kind", "public", "actor_kind")
    list_select_related = ("record", "agency")
    search_fields = ("record__tracking_code", "kind", "actor_name")
    date_hierarchy = "at"
    fields = (
        "at",
        "kind",
        "record",
        "instance",
        "app_version",
        "node_id",
        "label_pretty",
        "public",
        "actor_kind",
        "actor_name",
        "actor",
        "agency",
        "data_pretty",
        "uuid",
    )
    readonly_fields = fields

    @admin.display(description=_("description"))
    def description(self, obj: Event) -> str:
        return translated(obj.label)

    @admin.display(description=_("description"))
    def label_pretty(self, obj: Event) -> SafeString:
        return pretty_json(obj.label)

    @admin.display(description=_("details"))
    def data_pretty(self, obj: Event) -> SafeString:
        return pretty_json(obj.data)


@admin.register(Timer)
class TimerAdmin(ViewOnlyAdmin):
    list_display = ("__str__", "record", "purpose", "task_key", "due", "status", "fired_at")
    list_filter = ("status", "purpose")
    list_select_related = ("instance__record",)
    search_fields = ("instance__record__tracking_code", "timer_key", "task_key")
    date_hierarchy = "due"
    fields = ("instance", "timer_key", "purpose", "task_key", "due", "status", "fired_at")
    readonly_fields = fields

    @admin.display(description=_("record"), ordering="instance__record__tracking_code")
    def record(self, obj: Timer) -> str:
        return obj.instance.record.tracking_code


@admin.register(OutboxEntry)
class OutboxEntryAdmin(ViewOnlyAdmin):
    """What leaves the system (notifications, webhooks, hand-offs): failed entries show
    here with their last error."""

    list_display = (
        "kind",
        "record",
        "status",
        "attempts",
        "next_attempt_at",
        "delivered_at",
        "created_at",
    )
    list_filter = ("status", "kind")
    list_select_related = ("record",)
    search_fields = ("key", "record__tracking_code", "last_error")
    date_hierarchy = "created_at"
    fields = (
        "kind",
        "key",
        "uuid",
        "instance",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "delivered_at",
        "created_at",
        "updated_at",
        "payload_pretty",
    )
    readonly_fields = fields

    @admin.display(description=_("record"), ordering="record__tracking_code")
    def record(self, obj: OutboxEntry) -> str:
        return obj.record.tracking_code

    @admin.display(description=_("payload"))
    def payload_pretty(self, obj: OutboxEntry) -> SafeString:
        return pretty_json(obj.payload)


@admin.register(Notification)
class NotificationAdmin(ViewOnlyAdmin):
    list_display = ("subject", "user", "record", "created_at", "read_at")
    list_filter = (("read_at", admin.EmptyFieldListFilter),)
    list_select_related = ("user", "record")
    search_fields = ("subject", "user__username", "user__full_name", "record__tracking_code")
    date_hierarchy = "created_at"
    fields = ("subject", "body", "user", "record", "created_at", "read_at", "uuid")
    readonly_fields = fields


@admin.register(EngineEvent)
class EngineEventAdmin(ViewOnlyAdmin):
    """The events the engine handled, with their clock: replaying them gives the state.
    Append-only, like the audit log."""

    list_display = ("__str__", "record", "seq", "at")
    list_select_related = ("instance__record",)
    search_fields = ("instance__record__tracking_code",)
    date_hierarchy = "at"
    fields = ("instance", "seq", "at", "event_pretty")
    readonly_fields = fields

    @admin.display(description=_("record"), ordering="instance__record__tracking_code")
    def record(self, obj: EngineEvent) -> str:
        return obj.instance.record.tracking_code

    @admin.display(description=_("event"))
    def event_pretty(self, obj: EngineEvent) -> SafeString:
        return pretty_json(obj.event)
