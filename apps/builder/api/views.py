"""Builder API (first slice): the apps a user may build, with their versions."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.permissions import buildable_apps
from apps.builder.models import App, AppVersion
from apps.core.api import AUTH_ERRORS

from .serializers import AppSerializer


class AppListView(ListAPIView[App]):
    serializer_class = AppSerializer

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
        # Draft (no number) first, then published versions, newest first.
        versions = AppVersion.objects.order_by("status", "-number")
        return buildable_apps(self.request.user, App.objects.order_by("key")).prefetch_related(
            Prefetch("versions", queryset=versions)
        )
