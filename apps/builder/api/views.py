"""Builder API: apps, their draft's definitions (edited with optimistic concurrency),
validation, publishing, versions, diffs, export and import of bundles.

Apps are named by their key. Every change of the draft names the draft revision it was
made from (the ``If-Match`` header or a ``revision`` field); a change made from an older
revision is refused with 409 and the current revision, so that two builders never
overwrite each other's work unseen.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import HttpResponse, QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import buildable_apps, can_publish_app
from apps.builder.models import App, AppVersion
from apps.builder.preview import form_preview
from apps.builder.selectors import (
    app_for_builder,
    definition_diff,
    draft_definition,
    draft_of,
    draft_revision,
    version_bundle,
    version_by_number,
    version_findings,
)
from apps.builder.services import (
    app_create_by_user,
    bundle_export,
    bundle_import_by_user,
    draft_definition_delete,
    draft_definition_put,
    draft_publish,
    draft_restore,
)
from apps.builder.simulation import run_draft_tests, simulate_draft
from apps.builder.usages import field_usages
from apps.core.api import (
    AUTH_ERRORS,
    PARSER_CLASSES,
    REVISION_HEADER,
    Pagination,
    error_response,
    json_object,
    parse_json_bytes,
    revision_from,
    validated,
)
from apps.core.errors import InvalidInput, refuse_nul
from workflows import nodes

from .serializers import (
    AppCreateSerializer,
    AppDetailSerializer,
    AppSerializer,
    AppVersionSerializer,
    DefinitionDetailSerializer,
    DefinitionListSerializer,
    DefinitionPutSerializer,
    DiffSerializer,
    ImportResultSerializer,
    NodeTypeSerializer,
    PreviewSerializer,
    PublishSerializer,
    RestoreSerializer,
    SimulationRequestSerializer,
    SimulationResultSerializer,
    TestRunSerializer,
    UsageQuerySerializer,
    UsageSerializer,
    ValidationResultSerializer,
    VersionDetailSerializer,
)

APP_KEY = OpenApiParameter("app_key", OpenApiTypes.STR, OpenApiParameter.PATH)
KIND = OpenApiParameter(
    "kind", OpenApiTypes.STR, OpenApiParameter.PATH, enum=["entity", "form", "workflow", "test"]
)
DEFINITION_KEY = OpenApiParameter("key", OpenApiTypes.STR, OpenApiParameter.PATH)
NO_APP = error_response("No such app, or the user may not build it.")
REVISION_ERRORS = {
    409: error_response("The draft changed since the given revision (`details.revision`)."),
    428: error_response("No revision was sent (If-Match header or `revision`)."),
}
#: The largest bundle file accepted for import.
BUNDLE_MAX_BYTES = 5 * 1024 * 1024


def _running_count() -> Count:
    """Cases of a version that have not ended (``running_cases``), in the same query."""
    return Count("instances", filter=Q(instances__status="running"))


def _versions() -> Prefetch[Any]:
    # Draft (no number) first, then published versions, newest first.
    versions = AppVersion.objects.annotate(running_count=_running_count())
    return Prefetch("versions", queryset=versions.order_by("status", "-number"))


def _with_etag(response: Response, revision: str) -> Response:
    response["ETag"] = f'"{revision}"'
    return response


class AppListView(ListAPIView[App]):
    serializer_class = AppSerializer
    parser_classes = PARSER_CLASSES

    @extend_schema(
        operation_id="app_list",
        summary="Apps I may build",
        description="The apps the user may edit, with their draft and published versions.",
        responses={200: AppSerializer(many=True), **AUTH_ERRORS},
        tags=["builder"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[App]:
        apps = App.objects.order_by("key")
        return buildable_apps(self.request.user, apps).prefetch_related(_versions())

    @extend_schema(
        operation_id="app_create",
        summary="Create an app",
        description="A new app with an empty draft; its creator may build and publish it. "
        "Builders (the `builder` role in any agency) and administrators create apps.",
        request=AppCreateSerializer,
        responses={
            201: AppSerializer,
            400: error_response("Invalid fields, or a reserved key."),
            **AUTH_ERRORS,
            409: error_response("An app with this key exists."),
        },
        tags=["builder"],
    )
    def post(self, request: Request) -> Response:
        body = validated(AppCreateSerializer, json_object(request.data))
        refuse_nul(body)
        app = app_create_by_user(
            user=request.user,
            key=body["key"],
            label=dict(body["label"]),
            description=dict(body["description"]) if body.get("description") else None,
        )
        app = App.objects.prefetch_related(_versions()).get(pk=app.pk)
        return Response(AppSerializer(app).data, status=201)


class AppDetailView(APIView):
    @extend_schema(
        operation_id="app_retrieve",
        summary="One app, with its draft",
        description="The app, its draft (revision and definitions) and its versions. The "
        "ETag header is the draft's revision.",
        parameters=[APP_KEY],
        responses={200: AppDetailSerializer, **AUTH_ERRORS, 404: NO_APP},
        tags=["builder"],
    )
    def get(self, request: Request, app_key: str) -> Response:
        app = app_for_builder(request.user, app_key)
        app = App.objects.prefetch_related(_versions()).get(pk=app.pk)
        draft = draft_of(app)
        revision = draft_revision(draft)
        context = {
            "draft": draft,
            "revision": revision,
            "can_publish": can_publish_app(request.user, app),
        }
        body = AppDetailSerializer(app, context=context).data
        return _with_etag(Response(body), revision)


def _draft_definitions(draft: AppVersion) -> list[Any]:
    return list(draft.definitions.order_by("kind", "position", "key"))


class DefinitionListView(APIView):
    @extend_schema(
        operation_id="definition_list",
        summary="The draft's definitions",
        description="Entities, forms and workflows of the draft (without their documents), "
        "with the draft's revision (also the ETag header).",
        parameters=[APP_KEY],
        responses={200: DefinitionListSerializer, **AUTH_ERRORS, 404: NO_APP},
        tags=["builder"],
    )
    def get(self, request: Request, app_key: str) -> Response:
        draft = draft_of(app_for_builder(request.user, app_key))
        revision = draft_revision(draft)
        body = DefinitionListSerializer(
            {"revision": revision, "definitions": _draft_definitions(draft)}
        ).data
        return _with_etag(Response(body), revision)


class DefinitionDetailView(APIView):
    parser_classes = PARSER_CLASSES

    @extend_schema(
        operation_id="definition_retrieve",
        summary="One definition of the draft",
        parameters=[APP_KEY, KIND, DEFINITION_KEY],
        responses={
            200: DefinitionDetailSerializer,
            **AUTH_ERRORS,
            404: error_response("No such app or definition."),
        },
        tags=["builder"],
    )
    def get(self, request: Request, app_key: str, kind: str, key: str) -> Response:
        draft = draft_of(app_for_builder(request.user, app_key))
        revision = draft_revision(draft)
        definition = draft_definition(draft, kind=kind, key=key)
        body = DefinitionDetailSerializer(definition, context={"revision": revision}).data
        return _with_etag(Response(body), revision)

    @extend_schema(
        operation_id="definition_save",
        summary="Create or replace a definition of the draft",
        description="The document is checked against its JSON Schema (400 with every "
        "finding otherwise); checks across definitions run on validate and publish. Send "
        "the draft revision the change is based on; the answer carries the new one.",
        parameters=[APP_KEY, KIND, DEFINITION_KEY, REVISION_HEADER],
        request=DefinitionPutSerializer,
        responses={
            200: DefinitionDetailSerializer,
            201: DefinitionDetailSerializer,
            400: error_response("Invalid document (`details` lists the findings)."),
            **AUTH_ERRORS,
            404: NO_APP,
            **REVISION_ERRORS,
        },
        tags=["builder"],
    )
    def put(self, request: Request, app_key: str, kind: str, key: str) -> Response:
        app = app_for_builder(request.user, app_key)
        data = json_object(request.data)
        body = validated(DefinitionPutSerializer, data)
        refuse_nul({"document": body["document"]})
        definition, created = draft_definition_put(
            app=app,
            kind=kind,
            key=key,
            document=body["document"],
            user=request.user,
            revision=revision_from(request, data),
        )
        revision = draft_revision(draft_of(app))
        result = DefinitionDetailSerializer(definition, context={"revision": revision}).data
        return _with_etag(Response(result, status=201 if created else 200), revision)

    @extend_schema(
        operation_id="definition_delete",
        summary="Remove a definition from the draft",
        description="Send the draft revision (If-Match header or `?revision=`).",
        parameters=[
            APP_KEY,
            KIND,
            DEFINITION_KEY,
            REVISION_HEADER,
            OpenApiParameter("revision", OpenApiTypes.STR, required=False),
        ],
        responses={
            200: DefinitionListSerializer,
            **AUTH_ERRORS,
            404: error_response("No such app or definition."),
            **REVISION_ERRORS,
        },
        tags=["builder"],
    )
    def delete(self, request: Request, app_key: str, kind: str, key: str) -> Response:
        app = app_for_builder(request.user, app_key)
        draft_definition_delete(
            app=app, kind=kind, key=key, user=request.user, revision=revision_from(request)
        )
        draft = draft_of(app)
        revision = draft_revision(draft)
        body = DefinitionListSerializer(
            {"revision": revision, "definitions": _draft_definitions(draft)}
        ).data
        return _with_etag(Response(body), revision)


class AppValidateView(APIView):
    parser_classes = PARSER_CLASSES

    @extend_schema(
        operation_id="app_validate",
        summary="Check the draft",
        description="Every finding on the draft: JSON Schema and structure first, then "
        "(when those pass) the static analysis publishing runs (unreachable steps, joins "
        "that wait forever, rules on unknown fields...). Errors block publishing; "
        "warnings do not.",
        parameters=[APP_KEY],
        request=None,
        responses={200: ValidationResultSerializer, **AUTH_ERRORS, 404: NO_APP},
        tags=["builder"],
    )
    def post(self, request: Request, app_key: str) -> Response:
        draft = draft_of(app_for_builder(request.user, app_key))
        findings = [finding.as_dict() for finding in version_findings(draft)]
        result = {
            "revision": draft_revision(draft),
            "valid": not any(f["severity"] == "error" for f in findings),
            "findings": findings,
        }
        return Response(ValidationResultSerializer(result).data)


class AppPublishView(APIView):
    parser_classes = PARSER_CLASSES

    @extend_schema(
        operation_id="app_publish",
        summary="Publish the draft",
        description="Freeze the draft as the next version, with a change note. Refused "
        "(400, the findings in `details`) while the draft has errors. New cases start on "
        "the new version; running cases stay on theirs.",
        parameters=[APP_KEY],
        request=PublishSerializer,
        responses={
            201: AppVersionSerializer,
            400: error_response("The draft has errors (`details` lists the findings)."),
            **AUTH_ERRORS,
            404: NO_APP,
            409: error_response("The draft changed since the given revision."),
        },
        tags=["builder"],
    )
    def post(self, request: Request, app_key: str) -> Response:
        app = app_for_builder(request.user, app_key)
        data = json_object(request.data) if request.data else {}
        body = validated(PublishSerializer, data)
        refuse_nul(body)
        version = draft_publish(
            app=app,
            user=request.user,
            note=body["note"],
            revision=body.get("revision") or revision_from(request),
        )
        return Response(AppVersionSerializer(version).data, status=201)


class VersionListView(ListAPIView[AppVersion]):
    serializer_class = AppVersionSerializer
    pagination_class = Pagination

    @extend_schema(
        operation_id="version_list",
        summary="Published versions",
        description="The app's published versions, newest first.",
        parameters=[APP_KEY],
        responses={200: AppVersionSerializer(many=True), **AUTH_ERRORS, 404: NO_APP},
        tags=["builder"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[AppVersion]:
        app = app_for_builder(self.request.user, self.kwargs["app_key"])
        versions = app.versions.filter(status=AppVersion.Status.PUBLISHED)
        return versions.annotate(running_count=_running_count()).order_by("-number")


class VersionDetailView(APIView):
    @extend_schema(
        operation_id="version_retrieve",
        summary="One published version",
        description="The version with every definition it froze.",
        parameters=[
            APP_KEY,
            OpenApiParameter("number", OpenApiTypes.INT, OpenApiParameter.PATH),
        ],
        responses={
            200: VersionDetailSerializer,
            **AUTH_ERRORS,
            404: error_response("No such app or version."),
        },
        tags=["builder"],
    )
    def get(self, request: Request, app_key: str, number: int) -> Response:
        version = version_by_number(app_for_builder(request.user, app_key), number)
        return Response(VersionDetailSerializer(version).data)


def _version_for(app: App, value: str, name: str) -> AppVersion:
    if value == "draft":
        return draft_of(app)
    if not value.isdigit() or len(value) > 9:
        message = _("Give a version number, or draft.")
        raise InvalidInput(_("Some fields are not valid."), details={name: [message]})
    return version_by_number(app, int(value))


class DiffQuerySerializer(serializers.Serializer[Any]):
    # "from" is a Python keyword: declared in get_fields.
    to = serializers.CharField(max_length=16, help_text="A version number, or draft.")

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["from"] = serializers.CharField(
            max_length=16, help_text="A version number, or draft."
        )
        return fields


class AppDiffView(APIView):
    @extend_schema(
        operation_id="app_diff",
        summary="What changed between two versions",
        description="Definitions added, removed and changed between version `from` and "
        "version `to` (a number, or `draft`); for a changed definition, the keys added, "
        "removed and changed, by path (`nodes[triage].assignment.agency`: object keys "
        "joined by dots, items of lists named by their id or key, transitions by "
        "`from->to:action`, other items by position).",
        parameters=[APP_KEY, DiffQuerySerializer],
        responses={
            200: DiffSerializer,
            400: error_response("`from` or `to` is missing or not a version."),
            **AUTH_ERRORS,
            404: error_response("No such app or version."),
        },
        tags=["builder"],
    )
    def get(self, request: Request, app_key: str) -> Response:
        app = app_for_builder(request.user, app_key)
        query = validated(DiffQuerySerializer, request.query_params.dict())
        before = _version_for(app, query["from"], "from")
        after = _version_for(app, query["to"], "to")
        diff = definition_diff(version_bundle(before), version_bundle(after))
        diff |= {"from_version": query["from"], "to_version": query["to"]}
        return Response(DiffSerializer(diff).data)


class AppExportView(APIView):
    @extend_schema(
        operation_id="app_export",
        summary="Export the app as a bundle",
        description="The app's latest published version (or `?version=N`, or its draft "
        "when nothing is published) as one JSON bundle file, to import elsewhere.",
        parameters=[
            APP_KEY,
            OpenApiParameter("version", OpenApiTypes.STR, description="A number, or draft."),
        ],
        responses={
            (200, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="The bundle (format_version, app, entities...)."
            ),
            400: error_response("`version` is not a version."),
            **AUTH_ERRORS,
            404: error_response("No such app or version."),
        },
        tags=["builder"],
    )
    def get(self, request: Request, app_key: str) -> Response:
        app = app_for_builder(request.user, app_key)
        asked = request.query_params.get("version")
        version = _version_for(app, asked, "version") if asked else None
        bundle = bundle_export(app=app, version=version)
        number = bundle["source"]["version"]
        name = f"{app.key}-v{number}.json" if number else f"{app.key}-draft.json"
        response = Response(bundle)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


IMPORT_DESCRIPTION = """\
Load an app bundle (as exported) into the app of the same key — created when it does not
exist — and publish it, after the same checks as publishing. Importing a bundle equal to
the app's latest version changes nothing (`changed: false`).

Send the bundle as the JSON body (options `publish` and `note` in the query), or as the
`file` part of a multipart form (options as form fields). `publish=false` only loads it
into the draft.
"""


class ImportOptionsSerializer(serializers.Serializer[Any]):
    publish = serializers.BooleanField(required=False, default=True)
    note = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


class AppImportView(APIView):
    parser_classes = PARSER_CLASSES

    @extend_schema(
        operation_id="app_import",
        summary="Import an app bundle",
        description=IMPORT_DESCRIPTION,
        parameters=[ImportOptionsSerializer],
        request={
            "application/json": OpenApiTypes.OBJECT,
            "multipart/form-data": {
                "type": "object",
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "publish": {"type": "boolean"},
                    "note": {"type": "string"},
                },
                "required": ["file"],
            },
        },
        responses={
            200: ImportResultSerializer,
            201: ImportResultSerializer,
            400: error_response("Not a valid bundle (`details` lists the findings)."),
            **AUTH_ERRORS,
            413: error_response("The file is too large."),
        },
        tags=["builder"],
    )
    def post(self, request: Request) -> Response:
        if isinstance(request.data, QueryDict):
            upload = request.FILES.get("file")
            if upload is None:
                message = _("Attach the bundle file.")
                raise InvalidInput(message, details={"file": [message]})
            if (upload.size or 0) > BUNDLE_MAX_BYTES:
                raise InvalidInput(_("The file is too large."), code="too_large", status=413)
            bundle = parse_json_bytes(upload.read())
            options = validated(ImportOptionsSerializer, request.POST.dict())
        else:
            bundle = request.data
            options = validated(ImportOptionsSerializer, request.query_params.dict())
        refuse_nul({"bundle": bundle, **options})
        app, version, changed = bundle_import_by_user(
            bundle=bundle, user=request.user, publish=options["publish"], note=options["note"]
        )
        app = App.objects.prefetch_related(_versions()).get(pk=app.pk)
        result = {"app": app, "version": version, "changed": changed}
        return Response(ImportResultSerializer(result).data, status=201 if changed else 200)


# --------------------------------------------------------------------------- builder tools

NUMBER = OpenApiParameter("number", OpenApiTypes.INT, OpenApiParameter.PATH)
DRAFT_INVALID = error_response(
    "Bad body, or the draft has errors (`details` lists the findings, as validate does)."
)


class NodeTypeListView(APIView):
    @extend_schema(
        operation_id="node_type_list",
        summary="Node types (the builder's palette)",
        description="Every node type the engine offers, sorted by group then type: its "
        "name, label and description (Vietnamese and English), palette group, the JSON "
        "Schema of its configuration, the keys its ways out may carry and whether it ends "
        "the case.",
        responses={200: NodeTypeSerializer(many=True), **AUTH_ERRORS},
        tags=["builder"],
    )
    def get(self, request: Request) -> Response:
        described = [node_type.describe() for node_type in nodes.registry().values()]
        described.sort(key=lambda d: (d["group"], d["type"]))
        return Response(NodeTypeSerializer(described, many=True).data)


SIMULATE_DESCRIPTION = """\
Run a test case over the draft's definitions through the real engine, in memory: nothing
is stored and nothing is sent. Send a test case (`workflow`, `data`, `steps`, optional
`expect`, as in a saved test without key and label) or `{"test": <saved test key>}`, and
optionally `now` (default: now). Each step completes the open task of `node` with
`action` (its `data` must be fields of the task's form); a step naming a task that is not
open, or an action it does not have, is an error and stops the run. Timers and deadlines
are not fired: their due times (working days) are shown.
"""


class AppSimulateView(APIView):
    parser_classes = PARSER_CLASSES

    @extend_schema(
        operation_id="app_simulate",
        summary="Simulate a case on the draft",
        description=SIMULATE_DESCRIPTION,
        parameters=[APP_KEY],
        request=SimulationRequestSerializer,
        responses={
            200: SimulationResultSerializer,
            400: DRAFT_INVALID,
            **AUTH_ERRORS,
            404: error_response("No such app, or no such saved test."),
        },
        tags=["builder"],
    )
    def post(self, request: Request, app_key: str) -> Response:
        app = app_for_builder(request.user, app_key)
        result = simulate_draft(app=app, body=json_object(request.data))
        return Response(SimulationResultSerializer(result).data)


class AppTestRunView(APIView):
    parser_classes = PARSER_CLASSES

    @extend_schema(
        operation_id="app_test_run",
        summary="Run every saved test of the draft",
        description="Each saved test (definitions of kind `test`) simulated on the draft, "
        "as `simulate` does; `passed` when all pass. Publishing refuses a draft whose "
        "tests fail.",
        parameters=[APP_KEY],
        request=None,
        responses={200: TestRunSerializer, 400: DRAFT_INVALID, **AUTH_ERRORS, 404: NO_APP},
        tags=["builder"],
    )
    def post(self, request: Request, app_key: str) -> Response:
        app = app_for_builder(request.user, app_key)
        return Response(TestRunSerializer(run_draft_tests(app=app)).data)


class VersionRestoreView(APIView):
    parser_classes = PARSER_CLASSES

    @extend_schema(
        operation_id="version_restore",
        summary="Restore a published version into the draft",
        description="Replace the draft's definitions and app settings with those of "
        "published version `number` (publish the draft then to roll back). Send the draft "
        "revision (If-Match or `revision`). Answers the app, as `app_retrieve` does, with "
        "the new revision.",
        parameters=[APP_KEY, NUMBER, REVISION_HEADER],
        request=RestoreSerializer,
        responses={
            200: AppDetailSerializer,
            400: error_response("Invalid body."),
            **AUTH_ERRORS,
            404: error_response("No such app or version."),
            **REVISION_ERRORS,
        },
        tags=["builder"],
    )
    def post(self, request: Request, app_key: str, number: int) -> Response:
        app = app_for_builder(request.user, app_key)
        data = json_object(request.data) if request.data else {}
        body = validated(RestoreSerializer, data)
        refuse_nul(body)
        draft_restore(
            app=app, number=number, user=request.user, revision=revision_from(request, body)
        )
        return AppDetailView().get(request, app_key)


class AppUsagesView(APIView):
    @extend_schema(
        operation_id="app_usages",
        summary="Where a field is used",
        description="Every place of the draft that reads or writes field `field` of entity "
        '`entity`: the entity\'s title field, form fields, rules (`{"var": ...}`, also '
        "of a part such as `field.sub`), `{{field}}` placeholders in messages, task forms, "
        "set_fields targets, saved tests' data, Open311 field maps. Only forms and "
        "workflows of that entity count.",
        parameters=[APP_KEY, UsageQuerySerializer],
        responses={
            200: UsageSerializer(many=True),
            400: error_response("`entity` or `field` is missing or not a key."),
            **AUTH_ERRORS,
            404: NO_APP,
        },
        tags=["builder"],
    )
    def get(self, request: Request, app_key: str) -> Response:
        draft = draft_of(app_for_builder(request.user, app_key))
        query = validated(UsageQuerySerializer, request.query_params.dict())
        usages = field_usages(version_bundle(draft), query["entity"], query["field"])
        return Response(UsageSerializer(usages, many=True).data)


class AppPreviewView(APIView):
    parser_classes = PARSER_CLASSES

    @extend_schema(
        operation_id="app_preview",
        summary="Preview a form as citizens see it",
        description="The form (its document, not necessarily saved) drawn by the citizen "
        "portal's own templates, every step on one page, with the portal's script so that "
        "its rules run live; it cannot be sent. `entity` defaults to the draft's entity the "
        "form names; `data` fills in sample answers. Static files are linked by absolute "
        "paths, so the page works in an `<iframe srcdoc>`.",
        parameters=[APP_KEY],
        request=PreviewSerializer,
        responses={
            (200, "text/html"): OpenApiResponse(OpenApiTypes.STR, description="The page."),
            400: error_response("Invalid documents (`details` lists the findings)."),
            **AUTH_ERRORS,
            404: NO_APP,
        },
        tags=["builder"],
    )
    def post(self, request: Request, app_key: str) -> HttpResponse:
        app = app_for_builder(request.user, app_key)
        body = validated(PreviewSerializer, json_object(request.data))
        html = form_preview(app=app, body=body, request=request._request)
        return HttpResponse(html, content_type="text/html; charset=utf-8")
