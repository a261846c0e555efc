"""Reads for the citizen pages: agency choices, and what a citizen may see of a case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from apps.accounts.models import Agency
from apps.builder.selectors import version_app_def
from apps.records.models import Record
from apps.records.selectors import public_timeline
from workflows.definition import Label

#: Events that close a case; their label is the outcome the citizen sees.
CLOSING_EVENTS = ("case_closed", "case_cancelled")


def agency_options(kind: str | None) -> list[tuple[str, str]]:
    """(code, name in the active language) of the active agencies of ``kind``, by name."""
    agencies = Agency.objects.filter(is_active=True)
    if kind:
        agencies = agencies.filter(kind=kind)
    options = [(agency.code, agency.name) for agency in agencies]
    return sorted(options, key=lambda option: option[1].casefold())


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    label: Label
    agency: Agency | None


@dataclass(frozen=True)
class CaseStatus:
    """A case as its citizen sees it: never officials' names, internal events or data."""

    tracking_code: str
    app_label: Label
    form_label: Label | None
    submitted_at: datetime
    closed: bool
    closed_at: datetime | None
    outcome_label: Label | None
    current_agency: Agency | None
    timeline: list[TimelineEntry]


def case_status(record: Record) -> CaseStatus:
    """The public view of ``record`` (found by tracking code and secret)."""
    version = record.app_version
    form = version_app_def(version).forms.get(record.form_key) if record.form_key else None
    events = public_timeline(record)
    closing = [event for event in events if event.kind in CLOSING_EVENTS]
    closed = record.status == Record.Status.CLOSED
    outcome_label: Label | None = None
    if closed:
        outcome_label = closing[-1].label if closing and closing[-1].label else None
    return CaseStatus(
        tracking_code=record.tracking_code,
        app_label=version.label,
        form_label=form.label if form else None,
        submitted_at=record.created_at,
        closed=closed,
        closed_at=record.closed_at,
        outcome_label=outcome_label,
        current_agency=None if closed else record.current_agency,
        timeline=[
            TimelineEntry(at=event.at, label=event.label, agency=event.agency) for event in events
        ],
    )
