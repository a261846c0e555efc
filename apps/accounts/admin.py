"""Admin pages of users, agencies, roles and memberships: the everyday work of IT staff."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import Agency, Membership, Role, User


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    """The user's roles in agencies, edited on the user's page."""

    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ("agency", "role")

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("agency", "role")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):  # type: ignore[type-arg]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("full_name", "first_name", "last_name", "email")}),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ),
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
        (_("Public id"), {"fields": ("uuid",)}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "full_name",
                    "email",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    readonly_fields = ("uuid", "last_login", "date_joined")
    list_display = ("username", "full_name", "email", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "memberships__role")
    search_fields = ("username", "full_name", "email", "first_name", "last_name")
    ordering = ("username",)
    inlines = (MembershipInline,)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name_vi", "name_en", "kind", "parent", "is_active")
    list_filter = ("kind", "is_active")
    list_select_related = ("parent",)
    search_fields = ("code", "name_vi", "name_en")
    autocomplete_fields = ("parent",)
    fields = ("code", "name_vi", "name_en", "kind", "parent", "is_active", "uuid")
    readonly_fields = ("uuid",)


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("key", "name_vi", "name_en")
    search_fields = ("key", "name_vi", "name_en")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "agency", "role")
    list_filter = ("role", "agency__kind")
    list_select_related = ("user", "agency", "role")
    search_fields = ("user__username", "user__full_name", "agency__code", "agency__name_vi")
    autocomplete_fields = ("user", "agency", "role")
