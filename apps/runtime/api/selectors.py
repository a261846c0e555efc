"""Reads of tasks for the API.

TODO(lead): these belong in ``apps/runtime/selectors.py`` (the workspace has twins in
``apps/workspace/selectors.py``); move them there when that module exists.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from apps.accounts.permissions import actionable_tasks
from apps.core.errors import NotFound
from apps.runtime.models import Task

RELATED = ("instance__record", "agency", "role")


def open_tasks_for(user: Any) -> QuerySet[Task]:
    """The open tasks ``user`` may act on, oldest first."""
    tasks = Task.objects.filter(status=Task.Status.OPEN).select_related(*RELATED)
    return actionable_tasks(user, tasks).order_by("created_at", "pk")


def task_for_user(user: Any, *, task_uuid: uuid.UUID) -> Task:
    """An open or completed task whose agency and role ``user`` holds; NotFound otherwise
    (the same answer whether the task exists or belongs to someone else)."""
    tasks = Task.objects.filter(
        uuid=task_uuid, status__in=[Task.Status.OPEN, Task.Status.COMPLETED]
    ).select_related(*RELATED, "instance__app_version", "completed_by")
    task = actionable_tasks(user, tasks).first()
    if task is None:
        raise NotFound(_("This task does not exist."), code="task_not_found")
    return task
