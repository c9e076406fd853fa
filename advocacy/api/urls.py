"""The REST API, version 1 (/api/v1/). docs/api.md describes it; /api/schema/ is its schema."""

from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from advocacy.program.api.views import GoalViewSet
from advocacy.tenancy.api.views import MemberViewSet, MeView, OrganizationViewSet, TeamViewSet
from analytics.api.views import (
    CampaignsReportView,
    GrowthReportView,
    MixView,
    TeamsReportView,
    TimeSeriesView,
)
from campaigns.api.views import CampaignViewSet
from content.api.views import ContentItemViewSet, LinkClickViewSet, PostViewSet

from .views import unknown_route

app_name = "api"

router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("members", MemberViewSet, basename="member")
router.register("teams", TeamViewSet, basename="team")
router.register("content-items", ContentItemViewSet, basename="content_item")
router.register("posts", PostViewSet, basename="post")
router.register("link-clicks", LinkClickViewSet, basename="link_clicks")
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("goals", GoalViewSet, basename="goal")

urlpatterns = [
    path("me", MeView.as_view(), name="me"),
    path("reports/growth", GrowthReportView.as_view(), name="report_growth"),
    path("reports/timeseries", TimeSeriesView.as_view(), name="report_timeseries"),
    path("reports/mix", MixView.as_view(), name="report_mix"),
    path("reports/teams", TeamsReportView.as_view(), name="report_teams"),
    path("reports/campaigns", CampaignsReportView.as_view(), name="report_campaigns"),
    *router.urls,
    # Last: every other path under /api/v1/ answers the envelope's 404.
    re_path(r"^.*$", unknown_route, name="unknown"),
]
