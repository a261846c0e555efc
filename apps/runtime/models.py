"""Process instances (pinned to the version they started on), tasks, and the append-only
event log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import PublicId, TimeStamped


class ProcessInstance(PublicId, TimeStamped):
    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    record = models.OneToOneField(
        "records.Record",
        verbose_name=_("record"),
        on_delete=models.CASCADE,
        related_name="instance",
    )
    app_version = models.ForeignKey(
        "builder.AppVersion",
        verbose_name=_("app version"),
        on_delete=models.PROTECT,
        related_name="instances",
    )
    workflow_key = models.SlugField(_("workflow"), max_length=63)
    state = models.JSONField(_("state"), default=dict)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RUNNING
    )
    outcome = models.CharField(_("outcome"), max_length=63, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("process instance")
        verbose_name_plural = _("process instances")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.workflow_key} · {self.record_id}"


class Task(PublicId, TimeStamped):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    instance = models.ForeignKey(
        ProcessInstance, verbose_name=_("case"), on_delete=models.CASCADE, related_name="tasks"
    )
    task_key = models.CharField(_("task key"), max_length=32)
    node_id = models.SlugField(_("node"), max_length=63)
    label = models.JSONField(_("name"), default=dict)
    agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="tasks"
    )
    role = models.ForeignKey(
        "accounts.Role", verbose_name=_("role"), on_delete=models.PROTECT, related_name="tasks"
    )
    actions = models.JSONField(_("actions"), default=list)
    fields = models.JSONField(_("editable fields"), default=list)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    action = models.CharField(_("action taken"), max_length=63, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("completed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["instance", "task_key"], name="unique_task_key")
        ]
        indexes = [models.Index(fields=["agency", "role", "status"])]

    def __str__(self) -> str:
        from apps.core.models import translated

        return translated(self.label) or self.node_id


class AppendOnlyError(Exception):
    pass


class Event(PublicId):
    """One line of a case's audit trail. Rows are never updated or deleted."""

    record = models.ForeignKey(
        "records.Record", verbose_name=_("record"), on_delete=models.PROTECT, related_name="events"
    )
    instance = models.ForeignKey(
        ProcessInstance,
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="events",
        null=True,
        blank=True,
    )
    app_version = models.ForeignKey(
        "builder.AppVersion",
        verbose_name=_("app version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=63, db_index=True)
    node_id = models.CharField(_("node"), max_length=63, blank=True)
    label = models.JSONField(_("description"), default=dict)
    public = models.BooleanField(_("shown to the citizen"), default=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_kind = models.CharField(_("actor kind"), max_length=20)
    actor_name = models.CharField(_("actor name"), max_length=200, blank=True)
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), db_index=True)
    data = models.JSONField(_("details"), default=dict)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("events are append-only")
