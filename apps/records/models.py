"""Records of user-defined entities: one table, data in a JSON column, plus the indexed
columns every record has (app, entity, status, current agency, tracking code, dates,
location)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import PublicId, TimeStamped


class Record(PublicId, TimeStamped):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        CLOSED = "closed", _("Closed")

    app = models.ForeignKey(
        "builder.App", verbose_name=_("app"), on_delete=models.PROTECT, related_name="records"
    )
    app_version = models.ForeignKey(
        "builder.AppVersion",
        verbose_name=_("app version"),
        on_delete=models.PROTECT,
        related_name="records",
    )
    entity_key = models.SlugField(_("entity"), max_length=63)
    form_key = models.SlugField(_("form"), max_length=63, blank=True)
    data = models.JSONField(_("data"), default=dict)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.IN_PROGRESS
    )
    outcome = models.CharField(_("outcome"), max_length=63, blank=True)
    tracking_code = models.CharField(_("tracking code"), max_length=16, unique=True)
    secret_hash = models.CharField(_("secret (hashed)"), max_length=64)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="records",
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    current_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("current agency"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="current_records",
    )
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)

    class Meta:
        verbose_name = _("record")
        verbose_name_plural = _("records")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["app", "entity_key", "status"]),
            models.Index(fields=["current_agency", "status"]),
            models.Index(fields=["deadline"]),
        ]

    def __str__(self) -> str:
        return self.tracking_code


class Attachment(PublicId):
    record = models.ForeignKey(
        Record,
        verbose_name=_("record"),
        on_delete=models.CASCADE,
        related_name="attachments",
        null=True,
        blank=True,
    )
    field_key = models.SlugField(_("field"), max_length=63)
    file = models.FileField(_("file"), upload_to="attachments/%Y/%m/")
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name

    def descriptor(self) -> dict[str, object]:
        """How a file field refers to this attachment in a record's data."""
        return {
            "id": str(self.uuid),
            "name": self.name,
            "content_type": self.content_type,
            "size": self.size,
        }


class Comment(PublicId):
    """A comment on a case: shown to the citizen, or (``internal``) an officials' note."""

    record = models.ForeignKey(
        Record, verbose_name=_("record"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("agency"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The agency the official wrote for; empty for the citizen."),
    )
    body = models.TextField(_("text"))
    internal = models.BooleanField(
        _("internal note"), default=False, help_text=_("Internal notes are for officials only.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.record} · {self.created_at:%Y-%m-%d %H:%M}"


class RecordAccess(models.Model):
    """An agency the workflow let see the case without a task of its own (e.g. one that is
    only informed under a coordination rule)."""

    record = models.ForeignKey(
        Record, verbose_name=_("record"), on_delete=models.CASCADE, related_name="accesses"
    )
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("agency"),
        on_delete=models.CASCADE,
        related_name="record_accesses",
    )
    reason = models.CharField(_("reason"), max_length=40, default="informed")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("record access")
        verbose_name_plural = _("record accesses")
        constraints = [
            models.UniqueConstraint(fields=["record", "agency"], name="unique_record_access")
        ]

    def __str__(self) -> str:
        return f"{self.record} · {self.agency}"
