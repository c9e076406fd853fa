"""The program's pages, under /o/<slug>/program/. Each part of the method keeps its own block."""

from django.urls import path

from .views import buddies, coaching, participation

app_name = "program"

urlpatterns = [
    # Taking part, buddies and coaching ---------------------------------------------------------
    path("join/", participation.join, name="join"),
    path("taking-part/", participation.participation, name="participation"),
    path("taking-part/leave/", participation.leave, name="leave"),
    path("taking-part/leaderboard/", participation.leaderboard, name="leaderboard_choice"),
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
