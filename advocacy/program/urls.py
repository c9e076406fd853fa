"""The program's pages, mounted at /o/<slug>/program/. Each part keeps its own block."""

from django.urls import path

from .views import charter, goals, kickoff

app_name = "program"

urlpatterns = [
    # Charter, goals and kick-off
    path("", charter.charter, name="charter"),
    path("edit/", charter.charter_edit, name="charter_edit"),
    path("history/", charter.history, name="history"),
    path("agenda/add/", charter.agenda_add, name="agenda_add"),
    path("agenda/<uuid:agenda_topic_id>/remove/", charter.agenda_remove, name="agenda_remove"),
    path("milestones/new/", charter.milestone_new, name="milestone_new"),
    path("milestones/<uuid:milestone_id>/", charter.milestone_edit, name="milestone_edit"),
    path(
        "milestones/<uuid:milestone_id>/status/",
        charter.milestone_status,
        name="milestone_status",
    ),
    path("goals/new/", goals.goal_new, name="goal_new"),
    path("goals/<uuid:goal_id>/", goals.goal_edit, name="goal_edit"),
    path("goals/<uuid:goal_id>/delete/", goals.goal_delete, name="goal_delete"),
    path("kickoff/", kickoff.kickoff, name="kickoff"),
    path(
        "kickoff/proposals/<uuid:proposal_id>/vote/",
        kickoff.proposal_vote,
        name="proposal_vote",
    ),
    path(
        "kickoff/proposals/<uuid:proposal_id>/unvote/",
        kickoff.proposal_unvote,
        name="proposal_unvote",
    ),
    path(
        "kickoff/proposals/<uuid:proposal_id>/promote/",
        kickoff.proposal_promote,
        name="proposal_promote",
    ),
    path(
        "kickoff/proposals/<uuid:proposal_id>/decline/",
        kickoff.proposal_decline,
        name="proposal_decline",
    ),
    path("kickoff/survey/", kickoff.survey, name="survey"),
    path("kickoff/survey/results/", kickoff.survey_results, name="survey_results"),
]
