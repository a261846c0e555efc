from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.builder.views import builder_page

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("apps.core.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("builder/", builder_page, name="builder"),
    re_path(r"^builder/(?P<rest>.+)$", builder_page, name="builder-page"),
    path("workspace/", include("apps.workspace.urls")),
    path("files/", include("apps.records.urls")),
    path("", include("apps.portal.urls")),
]
