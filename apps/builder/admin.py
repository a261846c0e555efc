"""Admin pages of apps, versions and definitions, for IT staff.

Definitions change through the builder and ``import_app`` only (both validate and version
what they write), so these pages show them and never edit them. The helpers at the top are
shared with the records and runtime admins.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from .models import App, AppVersion, Definition

# --------------------------------------------------------------------------- shared helpers


def pretty_json(value: Any) -> SafeString:
    """A JSON value as indented, escaped text in a ``<pre>`` block."""
    text = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False, default=str)
    return format_html('<pre style="white-space: pre-wrap; margin: 0">{}</pre>', text)


class ViewOnlyMixin:
    """No add, change or delete: the page shows the object, nothing more."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ViewOnlyAdmin(ViewOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    pass


class ViewOnlyInline(ViewOnlyMixin, admin.TabularInline):  # type: ignore[type-arg]
    extra = 0
    show_change_link = True


# --------------------------------------------------------------------------- apps


class AppVersionInline(ViewOnlyInline):
    model = AppVersion
    fields = ("number", "status", "published_at", "published_by", "short_hash", "note")
    readonly_fields = fields
    ordering = ("-number",)

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("app", "published_by")

    @admin.display(description=_("content hash"))
    def short_hash(self, obj: AppVersion) -> str:
        return obj.content_hash[:12]


@admin.register(App)
class AppAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Apps are created by the builder or ``import_app``; here they are read (and a test app
    without records may be deleted)."""

    list_display = ("key", "label_vi", "label_en", "created_at", "created_by")
    list_select_related = ("created_by",)
    search_fields = ("key", "label__vi", "label__en")
    date_hierarchy = "created_at"
    fields = (
        "key",
        "uuid",
        "label_vi",
        "label_en",
        "description_pretty",
        "created_by",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    inlines = (AppVersionInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    @admin.display(description=_("name (Vietnamese)"))
    def label_vi(self, obj: App) -> str:
        return str(obj.label.get("vi", ""))

    @admin.display(description=_("name (English)"))
    def label_en(self, obj: App) -> str:
        return str(obj.label.get("en", ""))

    @admin.display(description=_("description"))
    def description_pretty(self, obj: App) -> SafeString:
        return pretty_json(obj.description)


# --------------------------------------------------------------------------- versions


class DefinitionInline(ViewOnlyInline):
    model = Definition
    fields = ("kind", "key", "position", "short_hash")
    readonly_fields = fields

    @admin.display(description=_("content hash"))
    def short_hash(self, obj: Definition) -> str:
        return obj.content_hash[:12]


@admin.register(AppVersion)
class AppVersionAdmin(ViewOnlyAdmin):
    list_display = ("__str__", "app", "number", "status", "published_at", "short_hash")
    list_display_links = ("__str__",)
    list_filter = ("status", "app")
    list_select_related = ("app",)
    search_fields = ("app__key", "content_hash", "note")
    date_hierarchy = "published_at"
    fields = (
        "app",
        "number",
        "status",
        "uuid",
        "label_pretty",
        "description_pretty",
        "content_hash",
        "note",
        "published_at",
        "published_by",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    inlines = (DefinitionInline,)

    @admin.display(description=_("content hash"), ordering="content_hash")
    def short_hash(self, obj: AppVersion) -> str:
        return obj.content_hash[:12]

    @admin.display(description=_("name"))
    def label_pretty(self, obj: AppVersion) -> SafeString:
        return pretty_json(obj.label)

    @admin.display(description=_("description"))
    def description_pretty(self, obj: AppVersion) -> SafeString:
        return pretty_json(obj.description)


@admin.register(Definition)
class DefinitionAdmin(ViewOnlyAdmin):
    list_display = ("__str__", "version", "kind", "key", "short_hash")
    list_filter = ("kind", "version__status", "version__app")
    list_select_related = ("version__app",)
    search_fields = ("key", "version__app__key", "content_hash")
    fields = ("version", "kind", "key", "position", "content_hash", "document_pretty")
    readonly_fields = fields

    @admin.display(description=_("content hash"), ordering="content_hash")
    def short_hash(self, obj: Definition) -> str:
        return obj.content_hash[:12]

    @admin.display(description=_("document"))
    def document_pretty(self, obj: Definition) -> SafeString:
        return pretty_json(obj.document)
