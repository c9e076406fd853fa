"""The program's pages, mounted at /o/<slug>/program/ (namespace "program").

Each part of the method keeps its own block of paths below.
"""

from django.urls import path

from .views import (
    buddies,
    charter,
    coaching,
    followups,
    goals,
    health,
    kickoff,
    leaderboard,
    notifications,
    participation,
    training,
)

app_name = "program"

urlpatterns = [
    # Charter, goals and kick-off -------------------------------------------------------------
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
    # Training: the "social media university" ------------------------------------------------
    path("training/", training.courses, name="courses"),
    path("training/<uuid:course_id>/", training.course, name="course"),
    path("training/<uuid:course_id>/quiz/", training.quiz, name="quiz"),
    path("training/lessons/<uuid:lesson_id>/", training.lesson, name="lesson"),
    path("training/lessons/<uuid:lesson_id>/done/", training.lesson_done, name="lesson_done"),
    path("training/manage/", training.course_admin, name="course_admin"),
    path("training/manage/new/", training.course_new, name="course_new"),
    path("training/manage/<uuid:course_id>/", training.course_edit, name="course_edit"),
    path(
        "training/manage/<uuid:course_id>/progress/",
        training.course_progress,
        name="course_progress",
    ),
    path("training/manage/<uuid:course_id>/move/", training.course_move, name="course_move"),
    path("training/manage/<uuid:course_id>/lessons/new/", training.lesson_new, name="lesson_new"),
    path("training/manage/lessons/<uuid:lesson_id>/", training.lesson_edit, name="lesson_edit"),
    path(
        "training/manage/lessons/<uuid:lesson_id>/delete/",
        training.lesson_delete,
        name="lesson_delete",
    ),
    path(
        "training/manage/lessons/<uuid:lesson_id>/move/", training.lesson_move, name="lesson_move"
    ),
    path(
        "training/manage/<uuid:course_id>/questions/new/",
        training.question_new,
        name="question_new",
    ),
    path(
        "training/manage/questions/<uuid:question_id>/",
        training.question_edit,
        name="question_edit",
    ),
    path(
        "training/manage/questions/<uuid:question_id>/delete/",
        training.question_delete,
        name="question_delete",
    ),
    path(
        "training/manage/questions/<uuid:question_id>/move/",
        training.question_move,
        name="question_move",
    ),
    # Leaderboard (opt-in per person) --------------------------------------------------------
    path("leaderboard/", leaderboard.leaderboard, name="leaderboard"),
    path("leaderboard/choice/", leaderboard.leaderboard_choice, name="leaderboard_choice"),
    path("leaderboard/seasons/", leaderboard.seasons, name="seasons"),
    path("leaderboard/seasons/<uuid:season_id>/", leaderboard.season_edit, name="season_edit"),
    path(
        "leaderboard/seasons/<uuid:season_id>/delete/",
        leaderboard.season_delete,
        name="season_delete",
    ),
    # Follow-up, health and mail
    path("follow-ups/", followups.rounds, name="followup_rounds"),
    path("follow-ups/<uuid:round_id>/", followups.round_detail, name="followup_round"),
    path("check-ins/", followups.checkins, name="checkins"),
    path("check-ins/<uuid:round_id>/", followups.checkin, name="checkin"),
    path("health/", health.health, name="health"),
    path("mail/", notifications.mail_choices, name="mail_choices"),
    # Taking part, buddies and coaching ---------------------------------------------------------
    path("join/", participation.join, name="join"),
    path("taking-part/", participation.participation, name="participation"),
    path("taking-part/leave/", participation.leave, name="leave"),
    path(
        "taking-part/leaderboard/",
        participation.leaderboard,
        name="participation_leaderboard",
    ),
    path("taking-part/figures/delete/", participation.delete_figures, name="delete_figures"),
    path("buddy/", buddies.buddy, name="buddy"),
    path("buddy/pairs/", buddies.pairs, name="pairs"),
    path("buddy/pairs/<uuid:pair_id>/", buddies.pair, name="pair"),
    path("buddy/pairs/<uuid:pair_id>/accept/", buddies.pair_accept, name="pair_accept"),
    path("buddy/pairs/<uuid:pair_id>/decline/", buddies.pair_decline, name="pair_decline"),
    path("buddy/pairs/<uuid:pair_id>/end/", buddies.pair_end, name="pair_end"),
    path("posts/<uuid:post_id>/reads/", buddies.post_reads, name="post_reads"),
    path("posts/<uuid:post_id>/reads/withdraw/", buddies.withdraw_read, name="withdraw_read"),
    path("reads/<uuid:read_id>/", buddies.read, name="read"),
    path("coaching/posts/<uuid:published_post_id>/", coaching.coach_post, name="coach_post"),
    path("coaching/posts/<uuid:published_post_id>/flag/", coaching.flag_post, name="flag_post"),
    path("coaching/flags/", coaching.flags, name="flags"),
    path("coaching/flags/<uuid:flag_id>/withdraw/", coaching.flag_withdraw, name="flag_withdraw"),
]
