"""Files of the cases (mounted at ``/files/``)."""

from django.urls import path

from . import views

app_name = "records"

urlpatterns = [
    path("<uuid:attachment_uuid>/", views.attachment_download, name="attachment"),
]
