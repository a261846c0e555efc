"""Process instances (pinned to the version they started on), tasks, and the append-only
event log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import PublicId, TimeStamped, translated


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
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    parent_child_key = models.CharField(_("key in the parent case"), max_length=32, blank=True)
    parent_waits = models.BooleanField(_("the parent case waits for it"), default=False)
    initial_data = models.JSONField(_("data at the start"), default=dict)
    engine_seq = models.PositiveIntegerField(
        _("engine events"),
        default=0,
        help_text=_("The number of the last engine event logged for this case."),
    )

    class Meta:
        verbose_name = _("process instance")
        verbose_name_plural = _("process instances")
        ordering = ["-created_at"]
        permissions = [
            ("deliver_message", _("Can deliver messages from other systems to waiting cases")),
        ]

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
        "accounts.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="tasks",
        null=True,
        blank=True,
    )
    role = models.ForeignKey(
        "accounts.Role",
        verbose_name=_("role"),
        on_delete=models.PROTECT,
        related_name="tasks",
        null=True,
        blank=True,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_tasks",
    )
    for_submitter = models.BooleanField(_("for the citizen who submitted"), default=False)
    due = models.DateTimeField(_("due"), null=True, blank=True, db_index=True)
    item = models.JSONField(_("item"), null=True, blank=True)
    excluded_actors = models.JSONField(_("excluded actors"), default=list, blank=True)
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
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("claimed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="claimed_tasks",
        help_text=_("The official working on this task; colleagues may not complete it."),
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["instance", "task_key"], name="unique_task_key")
        ]
        indexes = [models.Index(fields=["agency", "role", "status"])]

    def __str__(self) -> str:
        return translated(self.label) or self.node_id


class AppendOnlyError(Exception):
    pass


class AppendOnly(models.Model):
    """Rows of an audit trail: written once, never updated or deleted."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError(f"{self._meta.verbose_name_plural} are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError(f"{self._meta.verbose_name_plural} are append-only")


class Event(AppendOnly, PublicId):
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

    @property
    def actor_display(self) -> str:
        """Who acted, for people: a name, or "Citizen"/"System" in the active language."""
        if self.actor_name and self.actor_kind != "system":
            return self.actor_name
        if self.actor_kind == "citizen":
            return str(_("Citizen"))
        if self.actor_kind == "system":
            return str(_("System"))
        return self.actor_name


class Timer(models.Model):
    """A timer the engine scheduled; fired by Celery beat or the embedded tick."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        FIRED = "fired", _("Fired")
        CANCELLED = "cancelled", _("Cancelled")

    instance = models.ForeignKey(
        ProcessInstance, verbose_name=_("case"), on_delete=models.CASCADE, related_name="timers"
    )
    timer_key = models.CharField(_("timer key"), max_length=32)
    purpose = models.CharField(_("purpose"), max_length=32)
    task_key = models.CharField(_("task key"), max_length=32, blank=True)
    due = models.DateTimeField(_("due"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SCHEDULED
    )
    fired_at = models.DateTimeField(_("fired at"), null=True, blank=True)

    class Meta:
        verbose_name = _("timer")
        verbose_name_plural = _("timers")
        constraints = [
            models.UniqueConstraint(fields=["instance", "timer_key"], name="unique_timer_key")
        ]
        indexes = [models.Index(fields=["status", "due"])]

    def __str__(self) -> str:
        return f"{self.purpose} @ {self.due:%Y-%m-%d %H:%M}"


class OutboxEntry(PublicId, TimeStamped):
    """Everything that leaves the system (a receipt or closing notice to the citizen, a
    notification, a webhook, a hand-off to another case), written in the same transaction
    as the change that causes it and delivered by the outbox tick, at least once; ``key``
    makes its consequence happen once (receivers see it as the message's id)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    record = models.ForeignKey(
        "records.Record",
        verbose_name=_("record"),
        on_delete=models.CASCADE,
        related_name="outbox",
    )
    instance = models.ForeignKey(
        ProcessInstance,
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="outbox",
        null=True,
        blank=True,
    )
    key = models.CharField(_("idempotency key"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=32)
    payload = models.JSONField(_("payload"), default=dict)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox entry")
        verbose_name_plural = _("outbox entries")
        ordering = ["created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


class Notification(PublicId):
    """An in-app notification for an official or a citizen with an account."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    record = models.ForeignKey(
        "records.Record",
        verbose_name=_("record"),
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        blank=True,
    )
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.subject


class EngineEvent(AppendOnly):
    """Every event the engine handled for a case, with the clock it ran at: replaying them
    from the start must give the stored state. Append-only, like the audit log."""

    instance = models.ForeignKey(
        ProcessInstance,
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="engine_events",
    )
    seq = models.PositiveIntegerField(_("sequence"))
    event = models.JSONField(_("event"))
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("engine event")
        verbose_name_plural = _("engine events")
        ordering = ["instance", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["instance", "seq"], name="unique_engine_event_seq")
        ]

    def __str__(self) -> str:
        return f"{self.seq}: {self.event.get('type')}"
