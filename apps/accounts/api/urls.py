from django.urls import path

from . import views

app_name = "accounts_api"

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("agencies/", views.AgencyListView.as_view(), name="agencies"),
    path("agencies/<uuid:agency_id>/", views.AgencyDetailView.as_view(), name="agency"),
    path("roles/", views.RoleListView.as_view(), name="roles"),
    path("memberships/", views.MembershipListView.as_view(), name="memberships"),
    path(
        "memberships/<uuid:membership_id>/",
        views.MembershipDetailView.as_view(),
        name="membership",
    ),
    path("delegations/", views.DelegationListView.as_view(), name="delegations"),
    path(
        "delegations/<uuid:delegation_id>/",
        views.DelegationDetailView.as_view(),
        name="delegation",
    ),
]
