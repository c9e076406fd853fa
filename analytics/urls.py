"""Mounted at /o/<slug>/: the leadership report under reports/, each member's own under me/."""

from django.urls import include, path

from . import views

app_name = "analytics"

# The reports, under /o/<slug>/reports/.
report_patterns = [
    path("", views.overview, name="overview"),
    path("pdf/", views.overview_pdf, name="overview_pdf"),
]

# A member's own results, under /o/<slug>/me/results/.
result_patterns = [
    path("", views.my_results_page, name="my_results"),
    path("leaderboard/", views.my_results_leaderboard, name="my_results_leaderboard"),
]

# A member's own figures, under /o/<slug>/me/figures/.
figure_patterns = [
    path("", views.my_figures, name="my_figures"),
    path("import/", views.my_figures_import, name="my_figures_import"),
    path("enter/", views.my_figures_enter, name="my_figures_enter"),
    path("<uuid:figure_id>/delete/", views.my_figure_delete, name="my_figure_delete"),
]

urlpatterns = [
    path("reports/", include(report_patterns)),
    path("me/results/", include(result_patterns)),
    path("me/figures/", include(figure_patterns)),
]
