"""Template helpers shared by the portal and the workspace."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils.timesince import timesince
from django.utils.translation import ngettext_lazy

register = template.Library()

#: Django's own Vietnamese catalog lacks these msgids (it still has the older "%d minute"),
#: so they are marked here and translated in the project's catalog.
TIME_STRINGS = {
    "year": ngettext_lazy("%(num)d year", "%(num)d years", "num"),
    "month": ngettext_lazy("%(num)d month", "%(num)d months", "num"),
    "week": ngettext_lazy("%(num)d week", "%(num)d weeks", "num"),
    "day": ngettext_lazy("%(num)d day", "%(num)d days", "num"),
    "hour": ngettext_lazy("%(num)d hour", "%(num)d hours", "num"),
    "minute": ngettext_lazy("%(num)d minute", "%(num)d minutes", "num"),
}


@register.filter
def age(value: datetime | None) -> str:
    """How long ago ``value`` was, in the active language ("5 phút", "2 hours")."""
    if value is None:
        return ""
    return timesince(value, time_strings=TIME_STRINGS)  # type: ignore[arg-type]  # lazy strings
