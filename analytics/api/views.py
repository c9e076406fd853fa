"""The reports over the API: the growth report (METRICS.md), time series of followers and
reach, the 80/20 mix, and figures per team and per campaign, for a range of days.

GET /api/v1/reports/growth?start=&end= answers exactly the JSON of
`manage.py report growth --json`. The others read the daily rollups (analytics/models.py):
a year is a few hundred rows whatever the number of members, posts or clicks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from advocacy.api.tenancy import Problem
from advocacy.api.viewsets import TenantAPIView
from advocacy.tenancy.models import REPORT_ROLES, Team
from campaigns.models import Campaign

from ..growth import RangeError, growth_report, parse_range, pct
from ..models import CampaignDay, OrganizationDay, TeamDay
from .serializers import (
    CampaignsReportSerializer,
    GrowthReportSerializer,
    MixSerializer,
    RangeQuerySerializer,
    TeamsReportSerializer,
    TimeSeriesSerializer,
)

FIGURES = ("posts", "company_posts", "impressions", "members_reached", "clicks", "unique_clicks")
ENGAGEMENT = ("reactions", "comments", "reshares")

GROWTH_EXAMPLE = {
    "organization": "acme",
    "start": "2026-10-01",
    "end": "2026-10-31",
    "company_followers_start": 1000,
    "company_followers_end": 1140,
    "company_follower_growth_pct": 14.0,
    "employees_counted": 2,
    "employee_follower_growth_pct_avg": 21.0,
    "employee_new_followers": 70,
    "posts": 8,
    "new_followers_per_post": 8.8,
    "impressions": 5400,
    "members_reached": 3900,
    "reactions": 160,
    "comments": 21,
    "reshares": 9,
    "engagements": 190,
    "engagement_rate_pct": 3.5,
    "clicks": 64,
    "unique_clicks": 51,
    "emv": "461.70",
    "participants": 3,
    "participation_pct": 66.7,
    "company_content_pct": 25.0,
}


class ReportView(TenantAPIView):
    """A report over ?start=&end= (both days included, the organization's time zone)."""

    roles = REPORT_ROLES
    permission_message = _(
        "Reports are for leaders, communications staff, admins and facilitators."
    )
    query_serializers = {"get": RangeQuerySerializer}

    def validate_query(self, request: Request) -> dict[str, Any]:
        try:
            return super().validate_query(request)
        except Problem as problem:
            if problem.problem_code != "invalid_parameter":
                raise
            # The words of the growth report's own range check, whatever was wrong.
            try:
                parse_range(request.query_params.get("start"), request.query_params.get("end"))
            except RangeError as error:
                raise Problem("invalid_range", str(error), fields=problem.fields) from None
            raise

    @property
    def start(self) -> dt.date:
        day: dt.date = self.query["start"]
        return day

    @property
    def end(self) -> dt.date:
        day: dt.date = self.query["end"]
        return day

    def days(self, model: Any) -> QuerySet[Any]:
        return model.objects.for_org(self.organization).filter(
            day__gte=self.start, day__lte=self.end
        )


def _figures(row: dict[str, Any]) -> dict[str, Any]:
    """A rollup's sums as the API shows them: reach figures are null where none was collected."""
    collected = bool(row.get("posts_with_figures"))
    figures = {name: row.get(name) or 0 for name in FIGURES}
    for name in ("impressions", "members_reached"):
        figures[name] = figures[name] if collected else None
    figures["engagements"] = sum(row.get(name) or 0 for name in ENGAGEMENT) if collected else None
    return figures


def _sums() -> dict[str, Any]:
    return {name: Sum(name) for name in (*FIGURES, *ENGAGEMENT, "posts_with_figures")}


class GrowthReportView(ReportView):
    @extend_schema(
        summary="The growth report",
        description="Every figure of the growth report for a date range (both days included, "
        "in the organization's time zone). Percentages have one decimal; a figure that cannot "
        "be computed is null.",
        responses=GrowthReportSerializer,
        examples=[OpenApiExample("October", value=GROWTH_EXAMPLE, response_only=True)],
        tags=["reports"],
    )
    def get(self, request: Request) -> Response:
        return Response(growth_report(self.organization, self.start, self.end).as_json())


class TimeSeriesView(ReportView):
    @extend_schema(
        summary="Followers and reach by day",
        description="The company page's and the participants' followers at the end of each "
        "day, and the posts, reach and clicks of the day. Days without figures are left out.",
        responses=TimeSeriesSerializer,
        tags=["reports"],
    )
    def get(self, request: Request) -> Response:
        days = []
        for row in self.days(OrganizationDay).order_by("day"):
            figures = vars(row)
            days.append(
                {
                    "day": row.day,
                    "company_followers": row.company_followers,
                    "employee_followers": row.employee_followers,
                    "employees_with_followers": row.employees_with_followers,
                    **_figures(figures),
                }
            )
        body = {"start": self.start, "end": self.end, "days": days}
        return Response(TimeSeriesSerializer(body).data)


class MixView(ReportView):
    @extend_schema(
        summary="The 80/20 mix",
        description="How much of what participants published in the range was about the "
        "company, against the organization's aim.",
        responses=MixSerializer,
        tags=["reports"],
    )
    def get(self, request: Request) -> Response:
        sums = self.days(OrganizationDay).aggregate(
            posts=Sum("posts"), company=Sum("company_posts"), jobs=Sum("job_posts")
        )
        posts, company = sums["posts"] or 0, sums["company"] or 0
        body = {
            "start": self.start,
            "end": self.end,
            "posts": posts,
            "company_posts": company,
            "other_posts": posts - company,
            "job_posts": sums["jobs"] or 0,
            "company_content_pct": pct(company, posts),
            "target_pct": self.organization.company_content_target_pct,
        }
        return Response(MixSerializer(body).data)


def _grouped(rows: Iterable[dict[str, Any]], key: str) -> dict[int, dict[str, Any]]:
    return {row[key]: row for row in rows}


class TeamsReportView(ReportView):
    @extend_schema(
        summary="Figures per team",
        description="Every team's posts, reach and clicks in the range (by the team of each "
        "post's author).",
        responses=TeamsReportSerializer,
        tags=["reports"],
    )
    def get(self, request: Request) -> Response:
        sums = _grouped(self.days(TeamDay).values("team").order_by().annotate(**_sums()), "team")
        teams = [
            {"public_id": team.public_id, "name": team.name, **_figures(sums.get(team.pk, {}))}
            for team in Team.objects.for_org(self.organization).order_by("name", "pk")
        ]
        body = {"start": self.start, "end": self.end, "teams": teams}
        return Response(TeamsReportSerializer(body).data)


class CampaignsReportView(ReportView):
    @extend_schema(
        summary="Figures per campaign",
        description="Each campaign with posts or clicks in the range, with its targets.",
        responses=CampaignsReportSerializer,
        tags=["reports"],
    )
    def get(self, request: Request) -> Response:
        sums = _grouped(
            self.days(CampaignDay).values("campaign").order_by().annotate(**_sums()), "campaign"
        )
        campaigns = [
            {
                "public_id": campaign.public_id,
                "name": campaign.name,
                "status": campaign.status,
                "target_shares": campaign.target_shares,
                "target_reach": campaign.target_reach,
                "target_clicks": campaign.target_clicks,
                **_figures(sums[campaign.pk]),
            }
            for campaign in Campaign.objects.for_org(self.organization)
            .filter(pk__in=list(sums))
            .order_by("name", "pk")
        ]
        body = {"start": self.start, "end": self.end, "campaigns": campaigns}
        return Response(CampaignsReportSerializer(body).data)
