from django.urls import path

from . import views

app_name = "builder_api"

urlpatterns = [
    path("apps/", views.AppListView.as_view(), name="apps"),
]
