"""The citizen portal: the public forms, the receipt after sending, the status lookup."""

from django.urls import include, path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.index, name="index"),
    path("f/<slug:app_key>/<slug:form_key>/", views.form_page, name="form"),
    path("receipt/<str:tracking_code>/", views.receipt, name="receipt"),
    path("status/", views.status, name="status"),
    path("status/correct/", views.correction, name="correction"),
    path("status/rate/", views.rate, name="rate"),
    path("status/reopen/", views.reopen, name="reopen"),
    path("account/", views.account, name="account"),
    path("account/login/", views.CitizenLogin.as_view(), name="login"),
    path("account/logout/", views.CitizenLogout.as_view(), name="logout"),
    path("account/case/<str:tracking_code>/", views.my_case, name="mine"),
    path("open311/v2/", include("apps.portal.open311.urls")),
]
