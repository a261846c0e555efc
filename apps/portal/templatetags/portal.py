"""Template helpers of the citizen pages."""

from __future__ import annotations

from django import template

from apps.core.models import translated as pick_language

register = template.Library()


@register.filter
def translated(label: dict[str, str] | None) -> str:
    """``{{ form.label|translated }}``: a bilingual label in the active language."""
    return pick_language(label)
