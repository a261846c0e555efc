from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("apps.core.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "builder/",
        login_required(TemplateView.as_view(template_name="builder/placeholder.html")),
        name="builder",
    ),
    path("workspace/", include("apps.workspace.urls")),
    path("", include("apps.portal.urls")),
]
