"""Tasks and cases API: an official's inbox and their agency's queue, one task, claiming,
completing, returning to the citizen and reassigning it; a case's timeline, comments,
cancelling, pausing and resuming it, its failed automatic steps; messages from other
systems."""

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

from apps.accounts import selectors as accounts
from apps.builder.selectors import version_app_def
from apps.core.api import (
    AUTH_ERRORS,
    PARSER_CLASSES,
    error_response,
    json_object,
    validated,
)
from apps.core.errors import (
    Conflict,
    InvalidInput,
    NotAllowed,
    keys_with_nul,
    nul_message,
    refuse_nul,
)
from apps.records.api.serializers import EventSerializer
from apps.records.models import Record
from apps.records.policies import is_official_of_case
from apps.records.selectors import case_comments, record_for_user
from apps.records.services import comment_add
from apps.runtime.models import ProcessInstance, Task
from apps.runtime.selectors import (
    case_events,
    effect_of_case,
    failed_effects,
    inbox_tasks_for,
    queue_tasks_for,
    task_for_user,
    task_to_act_on,
    task_visible_to,
)
from apps.runtime.services import (
    case_cancel,
    case_pause,
    case_resume,
    effect_retry,
    message_receive,
    task_claim,
    task_complete,
    task_reassign,
    task_release,
    task_return,
)

from .serializers import (
    CaseActionSerializer,
    CaseSerializer,
    CommentCreateSerializer,
    CommentSerializer,
    EffectSerializer,
    MessageResultSerializer,
    MessageSerializer,
    TaskCompleteSerializer,
    TaskDetailSerializer,
    TaskReassignSerializer,
    TaskReturnSerializer,
    TaskSerializer,
)

TASK_ID = OpenApiParameter("task_id", OpenApiTypes.UUID, OpenApiParameter.PATH)
CASE_ID = OpenApiParameter(
    "case_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The record's id."
)
EFFECT_ID = OpenApiParameter("effect_id", OpenApiTypes.UUID, OpenApiParameter.PATH)
NO_TASK = error_response("No such task, or not one of the user's.")
NO_CASE = error_response("No such case, or the user may not read it.")
CLAIMED = error_response(
    "The task is no longer open, or a colleague claimed it (`details.claimed_by`)."
)


def _detail(task: Task) -> dict[str, Any]:
    record = task.instance.record
    entity = version_app_def(task.instance.app_version).entities[record.entity_key]
    return dict(TaskDetailSerializer(task, context={"entity": entity}).data)


def _refuse_nul_fields(data: dict[str, Any]) -> None:
    if refused := keys_with_nul(data):
        raise InvalidInput(
            _("Some fields are not valid."),
            code="invalid_fields",
            details={key: [nul_message()] for key in refused},
        )


# --------------------------------------------------------------------------- task lists


class TaskListView(ListAPIView[Task]):
    serializer_class = TaskSerializer

    @extend_schema(
        operation_id="task_list",
        summary="My open tasks",
        description="The open tasks the user may act on (their agencies and roles, tasks "
        "named for them, tasks colleagues delegated to them), oldest first, except those "
        "a colleague has claimed.",
        responses={200: TaskSerializer(many=True), **AUTH_ERRORS},
        tags=["tasks"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Task]:
        return inbox_tasks_for(self.request.user)


class TaskQueueView(ListAPIView[Task]):
    serializer_class = TaskSerializer

    @extend_schema(
        operation_id="task_queue",
        summary="My agency's queue",
        description="The open tasks of the agencies and roles the user holds, oldest first, "
        "including those claimed by colleagues (`claimed_by`).",
        responses={200: TaskSerializer(many=True), **AUTH_ERRORS},
        tags=["tasks"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Task]:
        return queue_tasks_for(self.request.user)


# --------------------------------------------------------------------------- one task


class TaskDetailView(APIView):
    @extend_schema(
        operation_id="task_retrieve",
        summary="One task",
        description="A task the user may act on, or a completed one of their agency and "
        "role, with the record's data.",
        parameters=[TASK_ID],
        responses={200: TaskDetailSerializer, **AUTH_ERRORS, 404: NO_TASK},
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
        "the record's new status. Refused while a colleague has claimed the task.",
        parameters=[TASK_ID],
        request=TaskCompleteSerializer,
        responses={
            200: TaskDetailSerializer,
            400: error_response(
                "Unknown action, or invalid field values (`details` maps each field key "
                "to its messages)."
            ),
            **AUTH_ERRORS,
            404: NO_TASK,
            409: CLAIMED,
        },
        tags=["tasks"],
    )
    def post(self, request: Request, task_id: uuid.UUID) -> Response:
        task = task_to_act_on(request.user, task_uuid=task_id)
        body = validated(TaskCompleteSerializer, json_object(request.data))
        _refuse_nul_fields(body["data"])
        completed = task_complete(
            task=task, user=request.user, action=body["action"], data=body["data"]
        )
        return Response(_detail(task_for_user(request.user, task_uuid=completed.uuid)))


class TaskClaimView(APIView):
    parser_classes = PARSER_CLASSES

    @extend_schema(
        operation_id="task_claim",
        summary="Claim a task",
        description="Take an open task of the user's agency and role to work on it; "
        "colleagues cannot complete it until it is released. Claiming it again is harmless.",
        parameters=[TASK_ID],
        request=None,
        responses={200: TaskDetailSerializer, **AUTH_ERRORS, 404: NO_TASK, 409: CLAIMED},
        tags=["tasks"],
    )
    def post(self, request: Request, task_id: uuid.UUID) -> Response:
        task = task_claim(task=task_to_act_on(request.user, task_uuid=task_id), user=request.user)
        return Response(_detail(task_for_user(request.user, task_uuid=task.uuid)))


class TaskReleaseView(APIView):
    parser_classes = PARSER_CLASSES

    @extend_schema(
        operation_id="task_release",
        summary="Release a claimed task",
        description="Put the task back in the agency's queue: the official who claimed it, "
        "or a leader over its agency.",
        parameters=[TASK_ID],
        request=None,
        responses={
            200: TaskSerializer,
            **AUTH_ERRORS,
            404: NO_TASK,
            409: error_response("Someone else claimed the task."),
        },
        tags=["tasks"],
    )
    def post(self, request: Request, task_id: uuid.UUID) -> Response:
        task = task_release(
            task=task_visible_to(request.user, task_uuid=task_id), user=request.user
        )
        return Response(TaskSerializer(task).data)


class TaskReturnView(APIView):
    parser_classes = PARSER_CLASSES

    @extend_schema(
        operation_id="task_return",
        summary="Return the case to the citizen",
        description="Give the case back to the citizen who submitted it (e.g. to complete "
        "the application): takes the task's action that leads to a step of the citizen. "
        "Refused (400) when the task's workflow has no such step.",
        parameters=[TASK_ID],
        request=TaskReturnSerializer,
        responses={
            200: TaskDetailSerializer,
            400: error_response("The task cannot return the case, or invalid fields."),
            **AUTH_ERRORS,
            404: NO_TASK,
            409: CLAIMED,
        },
        tags=["tasks"],
    )
    def post(self, request: Request, task_id: uuid.UUID) -> Response:
        task = task_for_user(request.user, task_uuid=task_id)
        body = validated(TaskReturnSerializer, json_object(request.data) if request.data else {})
        _refuse_nul_fields(body["data"])
        returned = task_return(task=task, user=request.user, data=body["data"])
        return Response(_detail(task_for_user(request.user, task_uuid=returned.uuid)))


class TaskReassignView(APIView):
    parser_classes = PARSER_CLASSES

    @extend_schema(
        operation_id="task_reassign",
        summary="Reassign a task",
        description="Give an open task to an official (`assignee`), or to an agency and a "
        "role (leaders over the task's agency, administrators). A claim on it ends.",
        parameters=[TASK_ID],
        request=TaskReassignSerializer,
        responses={
            200: TaskSerializer,
            400: error_response("Unknown agency, role or user."),
            **AUTH_ERRORS,
            404: NO_TASK,
            409: error_response("The task is no longer open."),
        },
        tags=["tasks"],
    )
    def post(self, request: Request, task_id: uuid.UUID) -> Response:
        task = task_visible_to(request.user, task_uuid=task_id)
        body = validated(TaskReassignSerializer, json_object(request.data))
        refuse_nul(body)
        task = task_reassign(
            task=task,
            user=request.user,
            agency=accounts.agency_by_code(body["agency"]) if body.get("agency") else None,
            role=accounts.role_by_key(body["role"]) if body.get("role") else None,
            assignee=(
                accounts.user_by_username(body["assignee"], field="assignee")
                if body.get("assignee")
                else None
            ),
            reason=body["reason"],
        )
        task = Task.objects.select_related("instance__record", "agency", "role", "claimed_by").get(
            pk=task.pk
        )
        return Response(TaskSerializer(task).data)


# --------------------------------------------------------------------------- cases


def _instance(record: Record) -> ProcessInstance:
    instance = ProcessInstance.objects.filter(record=record).first()
    if instance is None:
        raise Conflict(_("This record has no workflow."), code="no_workflow")
    return instance


def _case_body(instance: ProcessInstance) -> dict[str, Any]:
    instance = ProcessInstance.objects.select_related("record").get(pk=instance.pk)
    return dict(CaseSerializer(instance).data)


class CaseTimelineView(APIView):
    @extend_schema(
        operation_id="case_timeline",
        summary="A case's timeline",
        description="The case's events, oldest first: every event for its officials; for "
        "the citizen who submitted it, the public ones without officials' names.",
        parameters=[CASE_ID],
        responses={200: EventSerializer(many=True), **AUTH_ERRORS, 404: NO_CASE},
        tags=["cases"],
    )
    def get(self, request: Request, case_id: uuid.UUID) -> Response:
        record = record_for_user(request.user, record_uuid=case_id)
        internal = is_official_of_case(request.user, record)
        events = case_events(record, internal=internal)
        context = {"hide_officials": not internal}
        return Response(EventSerializer(events, many=True, context=context).data)


class _CaseChangeView(APIView):
    parser_classes = PARSER_CLASSES

    def _reason(self, request: Request) -> str:
        body = validated(CaseActionSerializer, json_object(request.data) if request.data else {})
        refuse_nul(body)
        return str(body["reason"])


STEERING_ERRORS = {
    400: error_response("The reason is not valid text."),
    **AUTH_ERRORS,
    403: error_response("Not a leader of an agency working on the case."),
    404: NO_CASE,
}


class CaseCancelView(_CaseChangeView):
    @extend_schema(
        operation_id="case_cancel",
        summary="Cancel a case",
        description="Stop the case for good (leaders of an agency working on it, or of an "
        "agency above one; administrators). Its open tasks are cancelled.",
        parameters=[CASE_ID],
        request=CaseActionSerializer,
        responses={
            200: CaseSerializer,
            **STEERING_ERRORS,
            409: error_response("The case is closed."),
        },
        tags=["cases"],
    )
    def post(self, request: Request, case_id: uuid.UUID) -> Response:
        record = record_for_user(request.user, record_uuid=case_id)
        reason = self._reason(request)
        instance = case_cancel(instance=_instance(record), user=request.user, reason=reason)
        return Response(_case_body(instance))


class CasePauseView(_CaseChangeView):
    @extend_schema(
        operation_id="case_pause",
        summary="Pause a case's deadline clock",
        description="Stop the legal clock (e.g. while waiting for another body); deadlines "
        "move by the time paused. Same people as cancelling.",
        parameters=[CASE_ID],
        request=CaseActionSerializer,
        responses={
            200: CaseSerializer,
            **STEERING_ERRORS,
            409: error_response("The case is closed or already paused."),
        },
        tags=["cases"],
    )
    def post(self, request: Request, case_id: uuid.UUID) -> Response:
        record = record_for_user(request.user, record_uuid=case_id)
        reason = self._reason(request)
        instance = case_pause(instance=_instance(record), user=request.user, reason=reason)
        return Response(_case_body(instance))


class CaseResumeView(_CaseChangeView):
    @extend_schema(
        operation_id="case_resume",
        summary="Resume a paused case",
        parameters=[CASE_ID],
        request=None,
        responses={
            200: CaseSerializer,
            **STEERING_ERRORS,
            409: error_response("The case is closed or not paused."),
        },
        tags=["cases"],
    )
    def post(self, request: Request, case_id: uuid.UUID) -> Response:
        record = record_for_user(request.user, record_uuid=case_id)
        instance = case_resume(instance=_instance(record), user=request.user)
        return Response(_case_body(instance))


def _officials_only(user: Any, record: Record) -> None:
    if not is_official_of_case(user, record):
        raise NotAllowed(
            _("Only officials of an agency working on this case may do this."),
            code="not_allowed",
        )


OFFICIALS_ERRORS = {
    **AUTH_ERRORS,
    403: error_response("Not an official of an agency working on the case."),
}


class CaseEffectListView(APIView):
    @extend_schema(
        operation_id="case_effect_list",
        summary="A case's failed automatic steps",
        description="Notifications, webhooks and hand-off reports of the case that failed "
        "after every retry (officials of an agency working on the case).",
        parameters=[CASE_ID],
        responses={200: EffectSerializer(many=True), **OFFICIALS_ERRORS, 404: NO_CASE},
        tags=["cases"],
    )
    def get(self, request: Request, case_id: uuid.UUID) -> Response:
        record = record_for_user(request.user, record_uuid=case_id)
        _officials_only(request.user, record)
        return Response(EffectSerializer(failed_effects(record), many=True).data)


class CaseEffectRetryView(APIView):
    parser_classes = PARSER_CLASSES

    @extend_schema(
        operation_id="case_effect_retry",
        summary="Retry a failed automatic step",
        description="Put a failed step back in the outbox with a fresh count of attempts; "
        "it is delivered at once, in the background.",
        parameters=[CASE_ID, EFFECT_ID],
        request=None,
        responses={
            200: EffectSerializer,
            **OFFICIALS_ERRORS,
            404: error_response("No such case or step."),
            409: error_response("The step has not failed."),
        },
        tags=["cases"],
    )
    def post(self, request: Request, case_id: uuid.UUID, effect_id: uuid.UUID) -> Response:
        record = record_for_user(request.user, record_uuid=case_id)
        _officials_only(request.user, record)
        entry = effect_retry(entry=effect_of_case(record, effect_uuid=effect_id), user=request.user)
        return Response(EffectSerializer(entry).data)


class CaseCommentListView(APIView):
    parser_classes = PARSER_CLASSES

    @extend_schema(
        operation_id="case_comment_list",
        summary="Comments on a case",
        description="Comments, oldest first; internal notes too for the case's officials. "
        "The citizen sees comments (the status lookup shows them too), never notes, and "
        "never officials' names.",
        parameters=[CASE_ID],
        responses={200: CommentSerializer(many=True), **AUTH_ERRORS, 404: NO_CASE},
        tags=["cases"],
    )
    def get(self, request: Request, case_id: uuid.UUID) -> Response:
        record = record_for_user(request.user, record_uuid=case_id)
        internal = is_official_of_case(request.user, record)
        comments = case_comments(record, internal=internal)
        context = {"internal": internal, "reader": request.user, "record": record}
        return Response(CommentSerializer(comments, many=True, context=context).data)

    @extend_schema(
        operation_id="case_comment_create",
        summary="Comment on a case",
        description="Officials of the case write comments (shown to the citizen) and "
        "internal notes (`internal: true`); the citizen who submitted it may comment.",
        parameters=[CASE_ID],
        request=CommentCreateSerializer,
        responses={
            201: CommentSerializer,
            400: error_response("Empty or too long."),
            **AUTH_ERRORS,
            404: NO_CASE,
        },
        tags=["cases"],
    )
    def post(self, request: Request, case_id: uuid.UUID) -> Response:
        record = record_for_user(request.user, record_uuid=case_id)
        body = validated(CommentCreateSerializer, json_object(request.data))
        refuse_nul(body)
        comment = comment_add(
            record=record, user=request.user, body=body["body"], internal=body["internal"]
        )
        internal = is_official_of_case(request.user, record)
        context = {"internal": internal, "reader": request.user, "record": record}
        return Response(CommentSerializer(comment, context=context).data, status=201)


# --------------------------------------------------------------------------- messages


class MessageView(APIView):
    parser_classes = PARSER_CLASSES

    @extend_schema(
        operation_id="message_deliver",
        summary="Deliver a message to waiting cases",
        description="For other systems (e.g. the payment gateway's `fee_paid`): every "
        "running case with a step waiting for message `name` with correlation `key` takes "
        "it and moves on. Integration accounts need the `runtime.deliver_message` "
        "permission (staff may too); they authenticate with their API token.",
        request=MessageSerializer,
        responses={
            200: MessageResultSerializer,
            400: error_response("Invalid fields."),
            **AUTH_ERRORS,
        },
        tags=["integrations"],
    )
    def post(self, request: Request) -> Response:
        body = validated(MessageSerializer, json_object(request.data))
        refuse_nul(body)
        delivered = message_receive(
            user=request.user, name=body["name"], key=body["key"], data=body["data"]
        )
        return Response(MessageResultSerializer({"delivered": delivered}).data)
