"""The REST API v1: every app's ``api/urls.py``, mounted under ``/api/v1/``.

Unknown paths under the API (and ids that are not UUIDs) answer with the API's error body.
"""

from django.urls import include, path, re_path

from .api import api_not_found

urlpatterns = [
    path("", include("apps.records.api.urls")),
    path("", include("apps.runtime.api.urls")),
    path("", include("apps.builder.api.urls")),
    path("", include("apps.accounts.api.urls")),
    re_path(r"^.*$", api_not_found, name="api-not-found"),
]
