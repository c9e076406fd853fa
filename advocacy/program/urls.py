"""The program's pages, mounted at /o/<slug>/program/. Each part of the method keeps its own
block of paths."""

from django.urls import path

from .views import followups, health, notifications

app_name = "program"

urlpatterns = [
    # Follow-up, health and mail
    path("follow-ups/", followups.rounds, name="followup_rounds"),
    path("follow-ups/<uuid:round_id>/", followups.round_detail, name="followup_round"),
    path("check-ins/", followups.checkins, name="checkins"),
    path("check-ins/<uuid:round_id>/", followups.checkin, name="checkin"),
    path("health/", health.health, name="health"),
    path("mail/", notifications.mail_choices, name="mail_choices"),
]
