"""The program's pages, mounted at /o/<slug>/program/ (namespace "program").

Each part of the method keeps its own block of paths below.
"""

from django.urls import path

from .views import followups, health, leaderboard, notifications, training

app_name = "program"

urlpatterns = [
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
]
