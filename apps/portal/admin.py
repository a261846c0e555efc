"""Admin pages of the portal: Open311 API keys (made here; the key is shown once) and the
requests that came in through Open311 (read only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext as _

from apps.builder.admin import ViewOnlyAdmin

from .models import Open311ApiKey, Open311Request
from .open311.services import api_key_assign


@admin.register(Open311ApiKey)
class Open311ApiKeyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """IT staff add a key for each client and switch it off when it leaks or is no longer
    used. Only a hash is stored: the key is shown once, after saving a new one."""

    list_display = ("name", "prefix", "active", "rate", "created_at", "last_used_at")
    list_filter = ("active",)
    search_fields = ("name", "prefix")
    fields = ("name", "active", "rate", "prefix", "created_at", "last_used_at")
    readonly_fields = ("prefix", "created_at", "last_used_at")

    def save_model(self, request: HttpRequest, obj: Open311ApiKey, form: Any, change: bool) -> None:
        secret = None if change else api_key_assign(obj)
        super().save_model(request, obj, form, change)
        if secret is not None:
            messages.warning(
                request,
                _("The new API key is %(key)s — copy it now: it is not shown again.")
                % {"key": secret},
            )


@admin.register(Open311Request)
class Open311RequestAdmin(ViewOnlyAdmin):
    list_display = ("record", "service_code", "api_key", "created_at")
    list_filter = ("service_code", "api_key")
    list_select_related = ("record", "api_key")
    search_fields = ("record__tracking_code", "service_code")
    fields = ("record", "service_code", "api_key", "media_url", "created_at")
    readonly_fields = fields
