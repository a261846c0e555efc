"""Reads for the officials' workspace: the inbox, one task, one case, and the record data
and timeline shown on them, with labels taken from the case's own definition version."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from apps.accounts.models import Agency, Membership
from apps.accounts.permissions import is_official
from apps.builder.selectors import version_app_def
from apps.core.errors import NotFound
from apps.core.models import translated
from apps.records.models import Attachment, Record
from apps.records.selectors import IMAGE_CONTENT_TYPES, record_attachments, records_for_officials
from apps.runtime import selectors as runtime_selectors
from apps.runtime.models import Event, Task
from apps.runtime.policies import actionable_tasks
from workflows.definition import EntityDef, FieldDef

INBOX_PAGE_SIZE = 50
TITLE_LENGTH = 80
FILE_TYPES = {"file", "photo"}


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Location:
    lat: float
    lng: float
    address: str

    @property
    def map_url(self) -> str:
        return (
            f"https://www.openstreetmap.org/?mlat={self.lat}&mlon={self.lng}"
            f"#map=17/{self.lat}/{self.lng}"
        )


@dataclass(frozen=True)
class Detail:
    """One field of a record as people read it. ``kind`` tells the template how to show
    ``value``: text (str), long_text (str with line breaks), location (Location) or
    files (list of FileItem)."""

    key: str
    label: str
    kind: str
    value: Any


@dataclass(frozen=True)
class FileItem:
    """One file of a record's field: ``url`` opens it (empty when the stored file is not
    found); images are drawn as thumbnails, with ``alt`` as their text."""

    name: str
    size: int | None
    url: str
    content_type: str
    alt: str

    @property
    def is_image(self) -> bool:
        return bool(self.url) and self.content_type in IMAGE_CONTENT_TYPES


def _file_items(label: str, value: list[Any], stored: dict[str, Attachment]) -> list[FileItem]:
    items = []
    for item in value:
        if not isinstance(item, dict):
            continue
        attachment = stored.get(str(item.get("id", "")))
        name = attachment.name if attachment else str(item.get("name", ""))
        items.append(
            FileItem(
                name=name,
                size=attachment.size if attachment else None,
                url=reverse("records:attachment", args=[attachment.uuid]) if attachment else "",
                content_type=attachment.content_type if attachment else "",
                alt=f"{label}: {name}",
            )
        )
    return items


def entity_of(record: Record) -> EntityDef:
    """The record's entity, as defined by the version the case runs on."""
    return version_app_def(record.app_version).entities[record.entity_key]


def _agency_names(entity: EntityDef, data: dict[str, Any]) -> dict[str, str]:
    codes = {
        data[spec.key]
        for spec in entity.fields
        if spec.type == "agency" and isinstance(data.get(spec.key), str)
    }
    if not codes:
        return {}
    return {agency.code: agency.name for agency in Agency.objects.filter(code__in=codes)}


def display_value(spec: FieldDef, value: Any, agency_names: dict[str, str] | None = None) -> str:
    """``value`` of field ``spec`` as one line of text for people."""
    if value is None or value == "" or value == []:
        return ""
    labels = {option.value: translated(option.label) for option in spec.options}
    if spec.type == "choice":
        return labels.get(str(value), str(value))
    if spec.type == "multi_choice" and isinstance(value, list):
        return ", ".join(labels.get(str(item), str(item)) for item in value)
    if spec.type == "boolean":
        return _("Yes") if value else _("No")
    if spec.type == "number":
        return formats.number_format(value)
    if spec.type == "date" and isinstance(value, str):
        try:
            return formats.date_format(date.fromisoformat(value))
        except ValueError:
            return value
    if spec.type == "agency":
        return (agency_names or {}).get(str(value), str(value))
    if spec.type == "location" and isinstance(value, dict):
        point = f"{value.get('lat')}, {value.get('lng')}"
        return f"{point} · {value['address']}" if value.get("address") else point
    if spec.type in FILE_TYPES and isinstance(value, list):
        return ", ".join(str(item.get("name", "")) for item in value if isinstance(item, dict))
    if spec.type == "group" and isinstance(value, list):
        rows = [row for row in value if isinstance(row, dict)]
        return "; ".join(
            ", ".join(display_value(sub, row.get(sub.key), agency_names) for sub in spec.fields)
            for row in rows
        )
    return str(value)


def _detail(
    spec: FieldDef,
    value: Any,
    agency_names: dict[str, str],
    attachments: dict[str, Attachment] | None = None,
) -> Detail:
    label = translated(spec.label) or spec.key
    if spec.type == "location" and isinstance(value, dict):
        location = Location(
            lat=value.get("lat", 0), lng=value.get("lng", 0), address=value.get("address", "")
        )
        return Detail(spec.key, label, "location", location)
    if spec.type in FILE_TYPES and isinstance(value, list):
        return Detail(spec.key, label, "files", _file_items(label, value, attachments or {}))
    if spec.type == "group" and isinstance(value, list):
        # A small table: one column per sub-field, one line per row.
        rows = [row for row in value if isinstance(row, dict)]
        table = {
            "columns": [translated(sub.label) or sub.key for sub in spec.fields],
            "rows": [
                [display_value(sub, row.get(sub.key), agency_names) for sub in spec.fields]
                for row in rows
            ],
        }
        return Detail(spec.key, label, "group", table)
    kind = "long_text" if spec.type == "long_text" else "text"
    return Detail(spec.key, label, kind, display_value(spec, value, agency_names))


def record_details(record: Record, entity: EntityDef | None = None) -> list[Detail]:
    """The record's filled-in fields in the entity's order, labelled and formatted; the
    files of file and photo fields with links to open them (one query for all files, none
    when the caller prefetched the record's ``attachments``)."""
    entity = entity or entity_of(record)
    data = record.data or {}
    names = _agency_names(entity, data)
    filled = [spec for spec in entity.fields if data.get(spec.key) not in (None, "", [])]
    has_files = any(spec.type in FILE_TYPES for spec in filled)
    attachments = record_attachments(record) if has_files else {}
    return [_detail(spec, data[spec.key], names, attachments) for spec in filled]


def record_title(record: Record, entity: EntityDef) -> str:
    """The value of the entity's title field, shortened; the entity's name without one."""
    spec = entity.field(entity.title_field) if entity.title_field else None
    value = display_value(spec, (record.data or {}).get(spec.key)) if spec else ""
    if not value:
        return translated(entity.label)
    return Truncator(" ".join(value.split())).chars(TITLE_LENGTH)


# --------------------------------------------------------------------------- inbox


@dataclass(frozen=True)
class InboxItem:
    task: Task
    record: Record
    title: str


def memberships_of(user: Any) -> list[Membership]:
    return list(
        Membership.objects.filter(user=user)
        .select_related("agency", "role")
        .order_by("agency__code", "role__key")
    )


def open_tasks_for(user: Any) -> QuerySet[Task]:
    """The open tasks ``user`` may act on, newest first, with what the inbox shows."""
    return (
        runtime_selectors.open_tasks_for(user)
        .select_related("instance__record__app_version")
        .order_by("-created_at", "-pk")
    )


def inbox_page(user: Any, *, page: Any = 1) -> tuple[Page[Task], list[InboxItem]]:
    """One page of the user's inbox (invalid page numbers give the nearest page)."""
    paginator = Paginator(open_tasks_for(user), INBOX_PAGE_SIZE)
    current = paginator.get_page(page)
    items = []
    for task in current.object_list:
        record = task.instance.record
        items.append(
            InboxItem(task=task, record=record, title=record_title(record, entity_of(record)))
        )
    return current, items


# --------------------------------------------------------------------------- one task, one case


def task_for_user(user: Any, *, task_uuid: uuid.UUID) -> Task:
    """A task of any status whose agency and role ``user`` holds; NotFound otherwise, so
    that nobody learns whether another agency's task exists."""
    task = (
        actionable_tasks(user, Task.objects.filter(uuid=task_uuid))
        .select_related(
            "instance__record__app_version",
            "instance__record__current_agency",
            "agency",
            "role",
            "completed_by",
        )
        .first()
    )
    if task is None:
        raise NotFound(_("This task does not exist."), code="task_not_found")
    return task


def case_for_user(user: Any, *, record_uuid: uuid.UUID) -> Record:
    """A case an agency of ``user`` has or had a task on; NotFound otherwise."""
    record = None
    if is_official(user):
        record = (
            records_for_officials(user)
            .filter(uuid=record_uuid)
            .select_related("app_version", "current_agency")
            .first()
        )
    if record is None:
        raise NotFound(_("This case does not exist."), code="case_not_found")
    return record


def case_open_tasks_for(user: Any, record: Record) -> list[Task]:
    """The open tasks of ``record`` that ``user`` may act on."""
    tasks = Task.objects.filter(instance__record=record, status=Task.Status.OPEN)
    return list(actionable_tasks(user, tasks).select_related("agency").order_by("created_at"))


# --------------------------------------------------------------------------- timeline


KIND_LABELS = {
    "case_started": lambda: _("Case received"),
    "task_created": lambda: _("New task"),
    "task_completed": lambda: _("Task completed"),
    "task_reassigned": lambda: _("Task reassigned"),
    "task_reminder": lambda: _("Reminder"),
    "task_overdue": lambda: _("Task overdue"),
    "task_escalated": lambda: _("Task escalated"),
    "decision_taken": lambda: _("Decision"),
    "branches_started": lambda: _("Work split in parallel"),
    "branches_joined": lambda: _("Parallel work joined"),
    "clock_paused": lambda: _("Clock paused"),
    "clock_resumed": lambda: _("Clock resumed"),
    "case_deadline_near": lambda: _("Deadline near"),
    "case_overdue": lambda: _("Case overdue"),
    "case_closed": lambda: _("Case closed"),
    "case_cancelled": lambda: _("Case cancelled"),
    "citizen_notified": lambda: _("Citizen notified"),
    "effect_failed": lambda: _("Automatic step failed"),
    "effect_retried": lambda: _("Automatic step retried"),
    "task_claimed": lambda: _("Task claimed"),
    "task_released": lambda: _("Task released"),
}


@dataclass(frozen=True)
class TimelineEntry:
    event: Event
    heading: str
    label: str
    action: str = ""
    changes: list[tuple[str, str]] = field(default_factory=list)


def case_timeline(record: Record, entity: EntityDef | None = None) -> list[TimelineEntry]:
    """Every event of the case, internal ones included, oldest first (for officials)."""
    entity = entity or entity_of(record)
    tasks = {task.task_key: task for task in Task.objects.filter(instance__record=record)}
    events = list(record.events.select_related("agency").order_by("at", "id"))
    changed_values: dict[str, Any] = {}
    for event in events:
        changed_values.update((event.data or {}).get("changes") or {})
    names = _agency_names(entity, changed_values)
    entries = []
    for event in events:
        detail = event.data or {}
        task = tasks.get(str(detail.get("task"))) if detail.get("task") else None
        label = translated(task.label) if task is not None else translated(event.label)
        if event.kind in KIND_LABELS:
            heading = KIND_LABELS[event.kind]()
        else:  # a kind this page does not know: its own description, or its name
            heading, label = label or event.kind.replace("_", " ").capitalize(), ""
        action = ""
        if event.kind == "task_completed" and task is not None:
            action_labels = {a["key"]: translated(a.get("label")) for a in task.actions}
            action = action_labels.get(str(detail.get("action")), str(detail.get("action", "")))
        changes = []
        for key, value in (detail.get("changes") or {}).items():
            spec = entity.field(key)
            if spec is None:
                changes.append((key, str(value)))
            else:
                shown = display_value(spec, value, names) or _("(cleared)")
                changes.append((translated(spec.label) or key, shown))
        entries.append(
            TimelineEntry(event=event, heading=heading, label=label, action=action, changes=changes)
        )
    return entries
