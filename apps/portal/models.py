"""What the portal stores of its own: the keys of Open311 clients, and which records came in
through Open311 (with the media address the client sent)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.models import PublicId

#: A rate limit: requests per second, minute, hour or day (``100/hour``).
RATE_RE = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour|day|s|m|h|d)\s*$")
#: Seconds in each period a rate may name (by its first letter).
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"100/hour"`` -> (100, 3600). Raises ValueError when ``rate`` is not like that."""
    match = RATE_RE.match(rate or "")
    if match is None:
        raise ValueError(f"not a rate: {rate!r}")
    return int(match.group(1)), PERIODS[match.group(2)[0]]


def validate_rate(value: str) -> None:
    if value and not RATE_RE.match(value):
        raise ValidationError(
            _("Write a rate such as 100/hour (per second, minute, hour or day)."), code="rate"
        )


class Open311ApiKey(PublicId):
    """A key an Open311 client (a city app, a FixMyStreet-style tool) sends as ``api_key``
    to create service requests. Only a hash of the key is stored; the key itself is shown
    once, when it is made (``open311.services.api_key_create``)."""

    name = models.CharField(_("name"), max_length=200, help_text=_("Who uses the key."))
    prefix = models.CharField(_("key prefix"), max_length=8, db_index=True, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, editable=False)
    active = models.BooleanField(_("active"), default=True)
    rate = models.CharField(
        _("rate limit"),
        max_length=20,
        blank=True,
        validators=[validate_rate],
        help_text=_("Requests allowed, e.g. 100/hour; empty: the OPEN311_RATE setting."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    #: The throttle's counter: requests counted since ``window_started_at``.
    window_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    window_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Open311Request(models.Model):
    """A record created through Open311: the service and the key it came with, and the
    ``media_url`` the client sent (kept as given; remote media is never fetched)."""

    record = models.OneToOneField(
        "records.Record",
        verbose_name=_("record"),
        on_delete=models.CASCADE,
        related_name="open311",
    )
    api_key = models.ForeignKey(
        Open311ApiKey,
        verbose_name=_("Open311 API key"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
    )
    service_code = models.CharField(_("service code"), max_length=64)
    media_url = models.URLField(_("media URL"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("Open311 request")
        verbose_name_plural = _("Open311 requests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.service_code} · {self.record}"


def _draft_expiry() -> Any:
    return timezone.now() + timedelta(days=DRAFT_DAYS)


#: How long a saved draft of a form can be resumed, in days.
DRAFT_DAYS = 30


class SubmissionDraft(PublicId):
    """The answers so far of a citizen filling in a form step by step. Whoever holds the
    link (``?draft=<uuid>``) may resume it, with the files chosen so far."""

    app_key = models.SlugField(_("app"), max_length=63)
    form_key = models.SlugField(_("form"), max_length=63)
    data = models.JSONField(_("answers"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    expires_at = models.DateTimeField(_("expires at"), default=_draft_expiry, db_index=True)
    #: Files chosen before the draft was saved: stored (content type sniffed, size checked)
    #: but not part of any record until the form is sent.
    attachments = models.ManyToManyField(
        "records.Attachment", verbose_name=_("files"), blank=True, related_name="drafts"
    )

    class Meta:
        verbose_name = _("form draft")
        verbose_name_plural = _("form drafts")
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"{self.app_key}/{self.form_key} · {self.uuid}"


class CaseRating(models.Model):
    """How the citizen rated the outcome of their closed case: once per case."""

    record = models.OneToOneField(
        "records.Record",
        verbose_name=_("record"),
        on_delete=models.CASCADE,
        related_name="rating",
    )
    stars = models.PositiveSmallIntegerField(
        _("stars"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("case rating")
        verbose_name_plural = _("case ratings")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stars__gte=1, stars__lte=5), name="case_rating_stars_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.record} · {self.stars}/5"
