from django.urls import path, register_converter

from . import views


class DefinitionKindConverter:
    regex = "entity|form|workflow|test"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(DefinitionKindConverter, "kind")

app_name = "builder_api"

urlpatterns = [
    path("node-types/", views.NodeTypeListView.as_view(), name="node-types"),
    path("apps/", views.AppListView.as_view(), name="apps"),
    # Before apps/<key>/: "import" is a reserved app key.
    path("apps/import/", views.AppImportView.as_view(), name="app-import"),
    path("apps/<slug:app_key>/", views.AppDetailView.as_view(), name="app"),
    path(
        "apps/<slug:app_key>/definitions/",
        views.DefinitionListView.as_view(),
        name="definitions",
    ),
    path(
        "apps/<slug:app_key>/definitions/<kind:kind>/<slug:key>/",
        views.DefinitionDetailView.as_view(),
        name="definition",
    ),
    path("apps/<slug:app_key>/validate/", views.AppValidateView.as_view(), name="app-validate"),
    path("apps/<slug:app_key>/publish/", views.AppPublishView.as_view(), name="app-publish"),
    path("apps/<slug:app_key>/versions/", views.VersionListView.as_view(), name="versions"),
    path(
        "apps/<slug:app_key>/versions/<int:number>/",
        views.VersionDetailView.as_view(),
        name="version",
    ),
    path(
        "apps/<slug:app_key>/versions/<int:number>/restore/",
        views.VersionRestoreView.as_view(),
        name="version-restore",
    ),
    path("apps/<slug:app_key>/simulate/", views.AppSimulateView.as_view(), name="app-simulate"),
    path("apps/<slug:app_key>/tests/run/", views.AppTestRunView.as_view(), name="app-test-run"),
    path("apps/<slug:app_key>/usages/", views.AppUsagesView.as_view(), name="app-usages"),
    path("apps/<slug:app_key>/preview/", views.AppPreviewView.as_view(), name="app-preview"),
    path("apps/<slug:app_key>/diff/", views.AppDiffView.as_view(), name="app-diff"),
    path("apps/<slug:app_key>/export/", views.AppExportView.as_view(), name="app-export"),
]
