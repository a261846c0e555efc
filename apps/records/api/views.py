"""Records API: citizens submit forms and follow their case; officials read a record with
its event log."""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.builder.selectors import published_form
from apps.core.api import (
    AUTH_ERRORS,
    PARSER_CLASSES,
    AnonSubmitThrottle,
    Pagination,
    error_response,
    validated,
)
from apps.core.errors import InvalidInput, NotFound, refuse_nul
from apps.records.models import Record
from apps.records.policies import is_official_of_case
from apps.records.selectors import (
    public_comments,
    public_timeline,
    record_by_tracking,
    record_for_user,
    records_search,
)
from apps.runtime.selectors import case_events
from apps.runtime.services import case_open, form_refused, form_usable_by

from .inputs import max_body_bytes, submission_input
from .serializers import (
    CaseStatusSerializer,
    RecordDetailSerializer,
    RecordListItemSerializer,
    RecordQuerySerializer,
    SubmissionResultSerializer,
)

SUBMISSION_DESCRIPTION = """\
Send a citizen's answers to a published form; the case's workflow starts at once.

**JSON** (`application/json`): an object mapping field keys to values — text as strings,
numbers as numbers (or numeric strings), booleans, dates as `YYYY-MM-DD`, choices as the
option's value, multi-choices as a list of values, agencies as their code, and locations
as `{"lat": 10.03, "lng": 105.77, "address": "..."}`. File and photo fields are **not**
supported through JSON in this version: a value for one is refused with a 400.

**Multipart** (`multipart/form-data`): one part per field (repeat a multi-choice field,
send a location as `location.lat`, `location.lng`, `location.address` parts), and the
files of file and photo fields as file parts.

Anonymous clients are throttled (rate `anon_submit`). The answer holds the tracking code
and the secret that open the case's status; the secret is shown only here.
"""


class SubmissionView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [AnonSubmitThrottle]
    parser_classes = PARSER_CLASSES

    @extend_schema(
        operation_id="submission_create",
        summary="Submit a form",
        description=SUBMISSION_DESCRIPTION,
        request={
            "application/json": OpenApiTypes.OBJECT,
            "multipart/form-data": OpenApiTypes.OBJECT,
        },
        responses={
            201: SubmissionResultSerializer,
            400: error_response("Invalid answers; `details` maps each field key to its messages."),
            404: error_response("No such published form."),
            413: error_response("The body is larger than any valid submission can be."),
            415: error_response("Unsupported content type."),
            429: error_response("Too many anonymous submissions; retry later."),
        },
        tags=["citizens"],
    )
    def post(self, request: Request, app_key: str, form_key: str) -> Response:
        version, app_def, form = published_form(app_key, form_key)
        if not form_usable_by(form, request.user):
            raise form_refused()
        entity = app_def.entities[form.entity]
        if _content_length(request) > max_body_bytes(form, entity):
            raise InvalidInput(
                _("What you sent is too large. Attach fewer or smaller files."),
                code="too_large",
                status=413,
            )
        # A form post's data holds its files too; the fields alone are in request.POST.
        data = request.POST if isinstance(request.data, QueryDict) else request.data
        raw, uploads = submission_input(form=form, entity=entity, data=data, files=request.FILES)
        submission = case_open(
            version=version,
            app_def=app_def,
            form=form,
            raw=raw,
            files=uploads,
            user=request.user,
            door="api",
            site_url=request.build_absolute_uri("/"),
            language=get_language() or settings.LANGUAGE_CODE,
        )
        record = submission.record
        status_path = reverse("records_api:status", kwargs={"tracking_code": record.tracking_code})
        status_url = request.build_absolute_uri(
            f"{status_path}?{urlencode({'secret': submission.secret})}"
        )
        body = SubmissionResultSerializer(submission, context={"status_url": status_url}).data
        return Response(body, status=201)


def _content_length(request: Request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


#: What a tracking code can look like (typed by people: any case, spaces, dashes).
TRACKING_CODE = re.compile(r"[A-Za-z0-9 -]{1,32}")


class StatusQuerySerializer(serializers.Serializer[Any]):
    secret = serializers.CharField(max_length=64, help_text="The secret given with the receipt.")


class StatusView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="case_status",
        summary="Follow a case",
        description="The public status of a case, found by its tracking code and secret. "
        "A wrong code and a wrong secret give the same 404.",
        parameters=[StatusQuerySerializer],
        responses={
            200: CaseStatusSerializer,
            400: error_response("The secret is missing."),
            404: error_response("No case with this tracking code and secret."),
        },
        tags=["citizens"],
    )
    def get(self, request: Request, tracking_code: str) -> Response:
        query = StatusQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        record = None
        if TRACKING_CODE.fullmatch(tracking_code):
            record = record_by_tracking(tracking_code, query.validated_data["secret"])
        if record is None:
            raise NotFound(
                _("No case matches this tracking code and secret."), code="case_not_found"
            )
        context = {"timeline": public_timeline(record), "comments": public_comments(record)}
        body = CaseStatusSerializer(record, context=context).data
        return Response(body)


RECORDS_DESCRIPTION = """\
The records the user may read, newest first: a citizen's own submissions; for officials,
the cases that have or had a task for one of their agencies (for leaders, also for the
agencies under theirs); every record for administrators.

Filters: `app` (key), `status`, `agency` (code of the agency holding the case now),
`district` (the record's `district` field), `created_from`/`created_to` (inclusive days),
`overdue` (open past the deadline). `q` searches the tracking code and the text of the
record's data, ignoring case: a portable `LIKE` over the JSON text on SQLite and
PostgreSQL alike (no full-text index, no accent folding). Pages of 50 (`page_size` up
to 200).
"""


class RecordListView(ListAPIView[Record]):
    serializer_class = RecordListItemSerializer
    pagination_class = Pagination

    @extend_schema(
        operation_id="record_list",
        summary="Records",
        description=RECORDS_DESCRIPTION,
        parameters=[RecordQuerySerializer],
        responses={
            200: RecordListItemSerializer(many=True),
            400: error_response("A filter is not valid (`details` names it)."),
            **AUTH_ERRORS,
        },
        tags=["records"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.filters = validated(RecordQuerySerializer, request.query_params.dict())
        refuse_nul(self.filters)
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Record]:
        filters = getattr(self, "filters", {})
        return records_search(
            self.request.user,
            app=filters.get("app"),
            status=filters.get("status"),
            agency=filters.get("agency"),
            district=filters.get("district"),
            created_from=filters.get("created_from"),
            created_to=filters.get("created_to"),
            overdue=filters.get("overdue"),
            text=filters.get("q"),
        )

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "now": timezone.now()}


class RecordDetailView(APIView):
    @extend_schema(
        operation_id="record_retrieve",
        summary="Read a record",
        description="A record the user may read (see the list of records), with its event "
        "log: every event for the case's officials; for its citizen, the public events "
        "without officials' names.",
        parameters=[OpenApiParameter("record_id", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        responses={
            200: RecordDetailSerializer,
            **AUTH_ERRORS,
            404: error_response("No such record, or the user may not read it."),
        },
        tags=["records"],
    )
    def get(self, request: Request, record_id: uuid.UUID) -> Response:
        record = record_for_user(request.user, record_uuid=record_id)
        internal = is_official_of_case(request.user, record)
        context: dict[str, Any] = {
            "events": case_events(record, internal=internal),
            "hide_officials": not internal,
        }
        return Response(RecordDetailSerializer(record, context=context).data)
