"""Apps and their versioned definitions.

An app has one editable draft and any number of published versions. Publishing copies
the draft's definitions into a new, frozen version; a running case stays on the version it
started on.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import PublicId, TimeStamped, translated


class App(PublicId, TimeStamped):
    key = models.SlugField(_("key"), max_length=63, unique=True)
    label = models.JSONField(_("name"), default=dict)
    description = models.JSONField(_("description"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("app")
        verbose_name_plural = _("apps")
        ordering = ["key"]
        permissions = [
            ("build_app", _("Can edit the app's definitions")),
            ("publish_app", _("Can publish the app")),
        ]

    def __str__(self) -> str:
        return translated(self.label) or self.key


class AppVersion(PublicId, TimeStamped):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    app = models.ForeignKey(
        App, verbose_name=_("app"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version number"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    label = models.JSONField(_("name"), default=dict)
    description = models.JSONField(_("description"), default=dict, blank=True)
    #: App-level settings of the bundle's ``app`` object besides key, label and description
    #: (e.g. ``open311``): imported, published and exported with the definitions.
    app_settings = models.JSONField(_("app settings"), default=dict, blank=True)
    content_hash = models.CharField(_("content hash"), max_length=64, blank=True, db_index=True)
    note = models.TextField(_("change note"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("app version")
        verbose_name_plural = _("app versions")
        ordering = ["app", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["app", "number"], name="unique_app_version_number"),
            models.UniqueConstraint(
                fields=["app"], condition=models.Q(status="draft"), name="one_draft_per_app"
            ),
        ]

    def __str__(self) -> str:
        if self.status == self.Status.DRAFT:
            return f"{self.app.key} · {_('draft')}"
        return f"{self.app.key} · v{self.number}"


class Definition(models.Model):
    class Kind(models.TextChoices):
        ENTITY = "entity", _("Entity")
        FORM = "form", _("Form")
        WORKFLOW = "workflow", _("Workflow")
        TEST = "test", _("Test case")

    version = models.ForeignKey(
        AppVersion,
        verbose_name=_("app version"),
        on_delete=models.CASCADE,
        related_name="definitions",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    key = models.SlugField(_("key"), max_length=63)
    position = models.PositiveIntegerField(_("position"), default=0)
    document = models.JSONField(_("document"))
    content_hash = models.CharField(_("content hash"), max_length=64, db_index=True)

    class Meta:
        verbose_name = _("definition")
        verbose_name_plural = _("definitions")
        ordering = ["version", "kind", "position", "key"]
        constraints = [
            models.UniqueConstraint(fields=["version", "kind", "key"], name="unique_definition")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key}"
