"""Reads for the citizen pages: agency choices, and what a citizen may see of a case."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone

from apps.accounts.models import Agency
from apps.builder.selectors import version_app_def
from apps.core import clock
from apps.records.models import Record
from apps.records.selectors import public_timeline
from apps.runtime.models import ProcessInstance, Task
from apps.runtime.services import REOPENED_BY_CITIZEN, reopen_deadline
from workflows.definition import EntityDef, FormDef, FormFieldDef, Label, StepDef

from .models import CaseRating, SubmissionDraft

#: Field types an official's note to the citizen may have.
NOTE_TYPES = ("text", "long_text")

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
    #: Work given back to the citizen (e.g. completing the application), if any is open.
    citizen_task: CitizenTask | None = None
    rating: CaseRating | None = None
    #: Until when the citizen may reopen the closed case (None: it cannot be reopened).
    reopen_until: datetime | None = None


@dataclass(frozen=True)
class Note:
    label: Label
    text: str


@dataclass(frozen=True)
class CitizenTask:
    """What the officials asked the citizen to do, and the notes they wrote about it."""

    task: Task
    label: Label
    notes: list[Note] = field(default_factory=list)
    actions: list[dict[str, object]] = field(default_factory=list)


def open_citizen_task(record: Record) -> Task | None:
    """The oldest open task given back to the citizen who submitted ``record``."""
    return (
        Task.objects.filter(
            instance__record=record,
            status=Task.Status.OPEN,
            for_submitter=True,
            assignee__isnull=True,
        )
        .select_related("instance__record", "instance__app_version")
        .order_by("created_at", "pk")
        .first()
    )


def citizen_task_of(record: Record, task: Task, entity: EntityDef) -> CitizenTask:
    """``task`` as its citizen sees it: its label, its actions, and the notes (text
    fields) the official who gave the case back filled in."""
    previous = (
        Task.objects.filter(
            instance__record=record,
            status=Task.Status.COMPLETED,
            for_submitter=False,
            completed_at__lte=task.created_at,
        )
        .order_by("-completed_at", "-pk")
        .first()
    )
    notes: list[Note] = []
    if previous is not None:
        for key in previous.fields:
            spec = entity.field(key)
            value = record.data.get(key)
            if spec is not None and spec.type in NOTE_TYPES and key not in task.fields and value:
                notes.append(Note(label=spec.label, text=str(value)))
    return CitizenTask(task=task, label=task.label, notes=notes, actions=list(task.actions))


def correction_form(app_form: FormDef | None, entity: EntityDef, task: Task) -> FormDef:
    """A one-step form of the task's editable fields, labelled as the citizen's form
    labels them (without its conditions: the official asked for these fields)."""
    from_form = {ff.field: ff for ff in (app_form.form_fields() if app_form else [])}
    fields = []
    for key in task.fields:
        if entity.field(key) is None:
            continue
        original = from_form.get(key)
        fields.append(
            FormFieldDef(
                field=key,
                label=original.label if original else None,
                help=original.help if original else None,
                widget=original.widget if original else None,
            )
        )
    step = StepDef(key="correction", label=task.label or {}, fields=tuple(fields))
    return FormDef(
        key=app_form.key if app_form else "correction",
        entity=entity.key,
        label=task.label or {},
        steps=(step,),
    )


def draft_for(draft_uuid: str, *, app_key: str, form_key: str) -> SubmissionDraft | None:
    """A draft of this form that has not expired, or None."""
    try:
        key = uuid.UUID(str(draft_uuid))
    except ValueError:
        return None
    return SubmissionDraft.objects.filter(
        uuid=key, app_key=app_key, form_key=form_key, expires_at__gt=timezone.now()
    ).first()


def case_status(record: Record) -> CaseStatus:
    """The public view of ``record`` (found by tracking code and secret)."""
    version = record.app_version
    form = version_app_def(version).forms.get(record.form_key) if record.form_key else None
    events = public_timeline(record)
    closing = [event for event in events if event.kind in CLOSING_EVENTS]
    closed = record.status == Record.Status.CLOSED
    outcome_label: Label | None = None
    app_def = version_app_def(version)
    pending = None if closed else open_citizen_task(record)
    citizen_task = (
        citizen_task_of(record, pending, app_def.entities[record.entity_key]) if pending else None
    )
    rating = CaseRating.objects.filter(record=record).first() if closed else None
    if closed:
        outcome_label = closing[-1].label if closing and closing[-1].label else None
    reopen_until = reopen_deadline_of(record) if closed else None
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
        citizen_task=citizen_task,
        rating=rating,
        reopen_until=reopen_until,
    )


def reopen_deadline_of(record: Record) -> datetime | None:
    """Until when the citizen may still reopen their closed case: None when it is not
    closed, has no workflow to run again, the period is over or it was already reopened
    since this closing."""
    deadline = reopen_deadline(record)
    if deadline is None or deadline < clock.now():
        return None
    finished = ProcessInstance.objects.filter(
        record_id=record.pk, status=ProcessInstance.Status.COMPLETED
    ).exists()
    closed_at = record.closed_at.isoformat() if record.closed_at else ""
    if (
        not finished
        or record.events.filter(kind=REOPENED_BY_CITIZEN, data__closed_at=closed_at).exists()
    ):
        return None
    return deadline


def submissions_of(user: Any) -> list[Record]:
    """The records ``user`` submitted while signed in, newest first (any app)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Record.objects.filter(submitted_by=user, form_key__gt="")
        .select_related("app_version")
        .order_by("-created_at")[:200]
    )
