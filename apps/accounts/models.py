"""Users, agencies (a tree: city → department → district → ward), roles, memberships."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from apps.core.models import PublicId


class User(AbstractUser, PublicId):
    """An official or a citizen with an account. ``full_name`` is shown everywhere."""

    full_name = models.CharField(_("full name"), max_length=200, blank=True)

    class Meta:
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username


class Agency(PublicId):
    class Kind(models.TextChoices):
        CITY = "city", _("City")
        DEPARTMENT = "department", _("Department")
        DISTRICT = "district", _("District")
        WARD = "ward", _("Ward")
        COMPANY = "company", _("Public company")

    code = models.SlugField(
        _("code"),
        max_length=63,
        unique=True,
        help_text=_("Used by definitions to assign tasks, e.g. ctn_cantho."),
    )
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if (get_language() or "vi").startswith("en") and self.name_en:
            return self.name_en
        return self.name_vi

    def label(self) -> dict[str, str]:
        return {"vi": self.name_vi, "en": self.name_en or self.name_vi}


class Role(models.Model):
    """A role officials hold in an agency; definitions assign tasks by role key."""

    key = models.SlugField(_("key"), max_length=63, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["key"]

    def __str__(self) -> str:
        if (get_language() or "vi").startswith("en") and self.name_en:
            return self.name_en
        return self.name_vi


class Membership(PublicId):
    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.ForeignKey(
        Role, verbose_name=_("role"), on_delete=models.PROTECT, related_name="memberships"
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "agency", "role"], name="unique_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.role} · {self.agency}"


class Delegation(PublicId):
    """An official hands their tasks in one agency to a colleague of that agency for a
    period (leave, a business trip): from ``starts_at`` until ``ends_at`` the delegate sees
    and may act on the tasks the delegator may act on there. Not transitive."""

    delegator = models.ForeignKey(
        User,
        verbose_name=_("delegator"),
        on_delete=models.CASCADE,
        related_name="delegations_given",
    )
    delegate = models.ForeignKey(
        User,
        verbose_name=_("delegate"),
        on_delete=models.CASCADE,
        related_name="delegations_received",
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="delegations"
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["delegate", "ends_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="delegation_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(delegate=F("delegator")), name="delegation_to_someone_else"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delegator} → {self.delegate} · {self.agency}"
