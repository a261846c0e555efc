from django.urls import path

from . import views

app_name = "records_api"

urlpatterns = [
    path(
        "forms/<slug:app_key>/<slug:form_key>/submissions/",
        views.SubmissionView.as_view(),
        name="submissions",
    ),
    path("status/<str:tracking_code>/", views.StatusView.as_view(), name="status"),
    path("records/", views.RecordListView.as_view(), name="records"),
    path("records/<uuid:record_id>/", views.RecordDetailView.as_view(), name="record"),
]
