"""Pages of the officials' workspace: inbox, task, case. Thin: read through the
selectors, write through ``apps.runtime.services.task_complete``, turn refusals into a
clear page."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.core.errors import InvalidInput, NotAllowed, NotFound, ServiceError
from apps.core.models import translated
from apps.runtime import policies
from apps.runtime.models import Task
from apps.runtime.services import task_claim, task_complete, task_release

from . import forms, selectors


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    page, items = selectors.inbox_page(request.user, page=request.GET.get("page", 1))
    memberships = selectors.memberships_of(request.user)
    return render(
        request,
        "workspace/inbox.html",
        {"page": page, "items": items, "memberships": memberships},
    )


def _task_page(
    request: HttpRequest,
    task: Task,
    *,
    post: Any = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    record = task.instance.record
    entity = selectors.entity_of(record)
    is_open = task.status == Task.Status.OPEN
    claimed_by_other = is_open and task.claimed_by_id not in (None, request.user.pk)
    context = {
        "task": task,
        "claimed_by_me": is_open and task.claimed_by_id == request.user.pk,
        "claimed_by_other": claimed_by_other,
        "can_release": claimed_by_other and policies.can_release_task(request.user, task),
        "record": record,
        "is_open": is_open,
        "details": selectors.record_details(record, entity),
        "timeline": selectors.case_timeline(record, entity),
        "fields": forms.task_fields(task, entity, record.data, post=post, errors=errors)
        if is_open
        else [],
        "actions": [(a["key"], translated(a.get("label")) or a["key"]) for a in task.actions],
        "action_taken": next(
            (translated(a.get("label")) for a in task.actions if a["key"] == task.action),
            task.action,
        ),
    }
    return render(request, "workspace/task.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def task_detail(request: HttpRequest, task_uuid: uuid.UUID) -> HttpResponse:
    try:
        task = selectors.task_for_user(request.user, task_uuid=task_uuid)
    except NotFound as error:
        raise Http404(error.message) from error
    if request.method == "GET":
        return _task_page(request, task)

    record = task.instance.record
    entity = selectors.entity_of(record)
    try:
        task_complete(
            task=task,
            user=request.user,
            action=request.POST.get("action", ""),
            data=forms.task_data(task, entity, request.POST),
        )
    except InvalidInput as error:
        field_errors = error.details if isinstance(error.details, dict) else {}
        shown = {field.key for field in forms.task_fields(task, entity, record.data)}
        general = [error.message]
        for key, field_messages in field_errors.items():
            if key not in shown:  # e.g. a field this page does not edit
                general.extend(field_messages)
        for message in general:
            messages.error(request, message)
        return _task_page(request, task, post=request.POST, errors=field_errors, status=400)
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except NotFound as error:
        raise Http404(error.message) from error
    except ServiceError as error:
        # 409: completed meanwhile (e.g. by a colleague) or the case closed; show the
        # task as it is now, read-only, with the reason.
        messages.error(request, error.message)
        task = selectors.task_for_user(request.user, task_uuid=task_uuid)
        return _task_page(request, task, status=error.status)

    messages.success(
        request,
        _("Done: “%(task)s” for case %(code)s.")
        % {"task": translated(task.label), "code": record.tracking_code},
    )
    return redirect("workspace:inbox")


@login_required
@require_POST
def task_claim_page(request: HttpRequest, task_uuid: uuid.UUID) -> HttpResponse:
    """Claim the task (so colleagues leave it alone), or release a claim."""
    try:
        task = selectors.task_for_user(request.user, task_uuid=task_uuid)
    except NotFound as error:
        raise Http404(error.message) from error
    release = request.POST.get("op") == "release"
    try:
        if release:
            task_release(task=task, user=request.user)
            messages.success(request, _("The task is back in the agency's queue."))
        else:
            task_claim(task=task, user=request.user)
            messages.success(request, _("You have taken this task: colleagues see it as yours."))
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("workspace:task", task_uuid=task_uuid)


@login_required
@require_GET
def case_detail(request: HttpRequest, record_uuid: uuid.UUID) -> HttpResponse:
    try:
        record = selectors.case_for_user(request.user, record_uuid=record_uuid)
    except NotFound as error:
        raise Http404(error.message) from error
    entity = selectors.entity_of(record)
    timeline = selectors.case_timeline(record, entity)
    closing = [e.label for e in timeline if e.event.kind in {"case_closed", "case_cancelled"}]
    context = {
        "record": record,
        "outcome": closing[-1] if closing else record.outcome,
        "entity_label": translated(entity.label),
        "title": selectors.record_title(record, entity),
        "details": selectors.record_details(record, entity),
        "timeline": timeline,
        "my_tasks": selectors.case_open_tasks_for(request.user, record),
    }
    return render(request, "workspace/case.html", context)
