"""Tasks API: an official's open tasks, one task, and completing it."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.builder.selectors import version_app_def
from apps.core.api import (
    AUTH_ERRORS,
    PARSER_CLASSES,
    error_response,
    json_object,
    keys_with_nul,
    nul_message,
)
from apps.core.errors import InvalidInput
from apps.runtime.models import Task
from apps.runtime.services import task_complete

from .selectors import open_tasks_for, task_for_user
from .serializers import TaskCompleteSerializer, TaskDetailSerializer, TaskSerializer

TASK_ID = OpenApiParameter("task_id", OpenApiTypes.UUID, OpenApiParameter.PATH)


def _detail(task: Task) -> dict[str, Any]:
    record = task.instance.record
    entity = version_app_def(task.instance.app_version).entities[record.entity_key]
    return dict(TaskDetailSerializer(task, context={"entity": entity}).data)


class TaskListView(ListAPIView[Task]):
    serializer_class = TaskSerializer

    @extend_schema(
        operation_id="task_list",
        summary="My open tasks",
        description="The open tasks the user may act on (their agencies and roles), oldest first.",
        responses={200: TaskSerializer(many=True), **AUTH_ERRORS},
        tags=["tasks"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Task]:
        return open_tasks_for(self.request.user)


class TaskDetailView(APIView):
    @extend_schema(
        operation_id="task_retrieve",
        summary="One task",
        description="A task the user may act on, or a completed one of their agency and "
        "role, with the record's data.",
        parameters=[TASK_ID],
        responses={
            200: TaskDetailSerializer,
            **AUTH_ERRORS,
            404: error_response("No such task, or not one of the user's."),
        },
        tags=["tasks"],
    )
    def get(self, request: Request, task_id: uuid.UUID) -> Response:
        return Response(_detail(task_for_user(request.user, task_uuid=task_id)))


class TaskCompleteView(APIView):
    parser_classes = PARSER_CLASSES

    @extend_schema(
        operation_id="task_complete",
        summary="Complete a task",
        description="Take one of the task's actions, optionally changing the fields the "
        "task may edit. The case moves on at once; the answer is the completed task and "
        "the record's new status.",
        parameters=[TASK_ID],
        request=TaskCompleteSerializer,
        responses={
            200: TaskDetailSerializer,
            400: error_response(
                "Unknown action, or invalid field values (`details` maps each field key "
                "to its messages)."
            ),
            **AUTH_ERRORS,
            404: error_response("No such task, or not one of the user's."),
            409: error_response("The task is no longer open."),
        },
        tags=["tasks"],
    )
    def post(self, request: Request, task_id: uuid.UUID) -> Response:
        task = task_for_user(request.user, task_uuid=task_id)
        body = TaskCompleteSerializer(data=json_object(request.data))
        body.is_valid(raise_exception=True)
        if refused := keys_with_nul(body.validated_data["data"]):
            raise InvalidInput(
                _("Some fields are not valid."),
                code="invalid_fields",
                details={key: [nul_message()] for key in refused},
            )
        completed = task_complete(
            task=task,
            user=request.user,
            action=body.validated_data["action"],
            data=body.validated_data["data"],
        )
        return Response(_detail(task_for_user(request.user, task_uuid=completed.uuid)))
