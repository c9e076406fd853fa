"""The organization's settings pages, mounted at /o/<slug>/settings/ (admins only)."""

from django.urls import path

from . import views

app_name = "tenancy"

urlpatterns = [
    path("", views.organization_settings, name="settings"),
    path("members/", views.members, name="members"),
    path("members/<uuid:member_id>/", views.member, name="member"),
    path(
        "members/<uuid:member_id>/deactivate/",
        views.member_deactivate,
        name="member_deactivate",
    ),
    path(
        "members/<uuid:member_id>/reactivate/",
        views.member_reactivate,
        name="member_reactivate",
    ),
    path(
        "invitations/<uuid:invitation_id>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "invitations/<uuid:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("teams/", views.teams, name="teams"),
    path("teams/<uuid:team_id>/", views.team, name="team"),
    path("teams/<uuid:team_id>/delete/", views.team_delete, name="team_delete"),
    path("activity/", views.activity, name="activity"),
]
