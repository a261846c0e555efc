"""Accounts API: API tokens; agencies, roles and memberships (platform admins);
delegations of one's tasks to a colleague."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import selectors, services
from apps.accounts.models import Delegation, Membership, User
from apps.core.api import (
    AUTH_ERRORS,
    PARSER_CLASSES,
    AuthTokenThrottle,
    AuthTokenUsernameThrottle,
    Pagination,
    error_response,
    json_object,
    validated,
)
from apps.core.errors import refuse_nul

from .serializers import (
    AgencyCreateSerializer,
    AgencySerializer,
    AgencyUpdateSerializer,
    DelegationCreateSerializer,
    DelegationSerializer,
    MembershipCreateSerializer,
    MembershipSerializer,
    RoleSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)

ADMIN_ERRORS = {**AUTH_ERRORS, 403: error_response("Not signed in, or not an administrator.")}


class TokenView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [AuthTokenThrottle, AuthTokenUsernameThrottle]
    parser_classes = PARSER_CLASSES

    @extend_schema(
        operation_id="auth_token_create",
        summary="Obtain an API token",
        description="Exchange a username and password for the user's API token (the same "
        "token every time). Throttled per client address and per username "
        "(rate `auth_token`, 10 a minute by default).",
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: error_response("Missing fields, or wrong username or password."),
            429: error_response("Too many attempts; retry later."),
        },
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        body = validated(TokenRequestSerializer, json_object(request.data))
        token = services.token_obtain(
            username=body["username"], password=body["password"], request=request._request
        )
        return Response(TokenSerializer({"token": token}).data)


# --------------------------------------------------------------------------- agencies


def _agency_body(agency: Any) -> dict[str, Any]:
    parent = agency.parent.code if agency.parent_id else None
    depth = 0
    current = agency.parent
    while current is not None and depth < 64:
        depth += 1
        current = current.parent
    node = selectors.AgencyNode(agency=agency, depth=depth, parent_code=parent)
    return dict(AgencySerializer(node).data)


class AgencyListView(APIView):
    parser_classes = PARSER_CLASSES

    @extend_schema(
        operation_id="agency_list",
        summary="Agencies (tree)",
        description="Every agency, depth first from the city, with its parent and depth. "
        "Administrators and app builders (who assign tasks to agencies) may list them.",
        responses={200: AgencySerializer(many=True), **ADMIN_ERRORS},
        tags=["administration"],
    )
    def get(self, request: Request) -> Response:
        return Response(AgencySerializer(selectors.agency_tree(request.user), many=True).data)

    @extend_schema(
        operation_id="agency_create",
        summary="Create an agency",
        request=AgencyCreateSerializer,
        responses={
            201: AgencySerializer,
            400: error_response("Invalid fields, or no agency has the parent's code."),
            **ADMIN_ERRORS,
            409: error_response("An agency with this code exists."),
        },
        tags=["administration"],
    )
    def post(self, request: Request) -> Response:
        body = validated(AgencyCreateSerializer, json_object(request.data))
        refuse_nul(body)
        agency = services.agency_create(
            user=request.user,
            code=body["code"],
            name={"vi": body["name_vi"], "en": body["name_en"]},
            kind=body["kind"],
            parent_code=body["parent"],
        )
        return Response(_agency_body(agency), status=201)


class AgencyDetailView(APIView):
    parser_classes = PARSER_CLASSES

    @extend_schema(
        operation_id="agency_update",
        summary="Change an agency",
        description="Names, kind, parent (a code; null for a root) or whether it is active. "
        "The code never changes: definitions assign tasks by it.",
        parameters=[OpenApiParameter("agency_id", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        request=AgencyUpdateSerializer,
        responses={
            200: AgencySerializer,
            400: error_response("Invalid fields, unknown parent, or a cycle in the tree."),
            **ADMIN_ERRORS,
            404: error_response("No such agency."),
        },
        tags=["administration"],
    )
    def patch(self, request: Request, agency_id: uuid.UUID) -> Response:
        agency = selectors.agency_by_uuid(request.user, agency_id)
        changes = validated(AgencyUpdateSerializer, json_object(request.data))
        refuse_nul(changes)
        agency = services.agency_update(user=request.user, agency=agency, changes=changes)
        return Response(_agency_body(agency))


class RoleListView(APIView):
    @extend_schema(
        operation_id="role_list",
        summary="Roles",
        description="Administrators and app builders (who assign tasks to roles) may list them.",
        responses={200: RoleSerializer(many=True), **ADMIN_ERRORS},
        tags=["administration"],
    )
    def get(self, request: Request) -> Response:
        return Response(RoleSerializer(selectors.roles(request.user), many=True).data)


# --------------------------------------------------------------------------- memberships


class MembershipListView(ListAPIView[Membership]):
    serializer_class = MembershipSerializer
    pagination_class = Pagination
    parser_classes = PARSER_CLASSES

    @extend_schema(
        operation_id="membership_list",
        summary="Memberships",
        description="Who holds which role in which agency.",
        parameters=[
            OpenApiParameter("agency", OpenApiTypes.STR, description="An agency's code."),
            OpenApiParameter("user", OpenApiTypes.STR, description="A username."),
        ],
        responses={200: MembershipSerializer(many=True), **ADMIN_ERRORS},
        tags=["administration"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Membership]:
        params = self.request.query_params
        return selectors.memberships(
            self.request.user, agency=params.get("agency"), user=params.get("user")
        )

    @extend_schema(
        operation_id="membership_create",
        summary="Give someone a role in an agency",
        request=MembershipCreateSerializer,
        responses={
            201: MembershipSerializer,
            400: error_response("Unknown user, agency or role."),
            **ADMIN_ERRORS,
            409: error_response("The membership exists."),
        },
        tags=["administration"],
    )
    def post(self, request: Request) -> Response:
        body = validated(MembershipCreateSerializer, json_object(request.data))
        selectors.roles(request.user)  # administrators only, before naming anyone
        membership = services.membership_create(
            user=request.user,
            member=selectors.user_by_username(body["user"]),
            agency=selectors.agency_by_code(body["agency"]),
            role=selectors.role_by_key(body["role"]),
        )
        return Response(MembershipSerializer(membership).data, status=201)


class MembershipDetailView(APIView):
    @extend_schema(
        operation_id="membership_delete",
        summary="Take a role away",
        parameters=[OpenApiParameter("membership_id", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        responses={204: None, **ADMIN_ERRORS, 404: error_response("No such membership.")},
        tags=["administration"],
    )
    def delete(self, request: Request, membership_id: uuid.UUID) -> Response:
        membership = selectors.membership_by_uuid(request.user, membership_id)
        services.membership_delete(user=request.user, membership=membership)
        return Response(status=204)


# --------------------------------------------------------------------------- delegations


class DelegationListView(ListAPIView[Delegation]):
    serializer_class = DelegationSerializer
    pagination_class = Pagination
    parser_classes = PARSER_CLASSES

    @extend_schema(
        operation_id="delegation_list",
        summary="My delegations",
        description="The delegations the user gave or received (every one for admins).",
        responses={200: DelegationSerializer(many=True), **AUTH_ERRORS},
        tags=["tasks"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Delegation]:
        return selectors.delegations_of(self.request.user)

    @extend_schema(
        operation_id="delegation_create",
        summary="Delegate my tasks for a period",
        description="From `starts_at` (now by default) until `ends_at`, the colleague (who "
        "must hold a role in the same agency) sees and may act on the user's tasks in that "
        "agency, as the user could. Delegations are not passed on further.",
        request=DelegationCreateSerializer,
        responses={
            201: DelegationSerializer,
            400: error_response("Not a colleague of that agency, or an invalid period."),
            **AUTH_ERRORS,
        },
        tags=["tasks"],
    )
    def post(self, request: Request) -> Response:
        body = validated(DelegationCreateSerializer, json_object(request.data))
        refuse_nul(body)
        delegation = services.delegation_create(
            user=request.user,
            delegator=cast(User, request.user),
            delegate=selectors.user_by_username(body["delegate"], field="delegate"),
            agency=selectors.agency_by_code(body["agency"]),
            starts_at=body.get("starts_at") or timezone.now(),
            ends_at=body["ends_at"],
            reason=body["reason"],
        )
        return Response(DelegationSerializer(delegation).data, status=201)


class DelegationDetailView(APIView):
    @extend_schema(
        operation_id="delegation_revoke",
        summary="End a delegation now",
        parameters=[OpenApiParameter("delegation_id", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        responses={
            200: DelegationSerializer,
            **AUTH_ERRORS,
            404: error_response("No such delegation among the user's."),
        },
        tags=["tasks"],
    )
    def delete(self, request: Request, delegation_id: uuid.UUID) -> Response:
        delegation = selectors.delegation_for_user(request.user, delegation_uuid=delegation_id)
        delegation = services.delegation_revoke(user=request.user, delegation=delegation)
        return Response(DelegationSerializer(delegation).data)
