from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "workspace"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="workspace/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("tasks/<uuid:task_uuid>/", views.task_detail, name="task"),
    path("tasks/<uuid:task_uuid>/claim/", views.task_claim_page, name="task-claim"),
    path("cases/<uuid:record_uuid>/", views.case_detail, name="case"),
]
