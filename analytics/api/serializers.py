"""The API's reports: the growth report of METRICS.md, time series, the mix, teams, campaigns."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from advocacy.api.serializers import PublicIdField

from ..growth import RangeError, check_range


class RangeQuerySerializer(serializers.Serializer):
    start = serializers.DateField(
        help_text="The first day (YYYY-MM-DD), in the organization's time zone."
    )
    end = serializers.DateField(
        help_text="The last day, included; at most five years after the start."
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        try:
            check_range(data["start"], data["end"])
        except RangeError as problem:
            raise serializers.ValidationError(str(problem)) from None
        return data


def _percent(help_text: str) -> serializers.FloatField:
    return serializers.FloatField(allow_null=True, help_text=help_text)


def _count(help_text: str = "", *, null: bool = True) -> serializers.IntegerField:
    return serializers.IntegerField(allow_null=null, help_text=help_text or None)


class GrowthReportSerializer(serializers.Serializer):
    """METRICS.md's growth report: every figure defined there, null when it cannot be computed."""

    organization = serializers.CharField(help_text="The organization's address.")
    start = serializers.DateField()
    end = serializers.DateField()
    company_followers_start = _count()
    company_followers_end = _count()
    company_follower_growth_pct = _percent("(end - start) / start * 100")
    employees_counted = _count(null=False)
    employee_follower_growth_pct_avg = _percent("The mean of each employee's growth.")
    employee_new_followers = _count()
    posts = _count(null=False)
    new_followers_per_post = serializers.FloatField(allow_null=True)
    impressions = _count()
    members_reached = _count()
    reactions = _count()
    comments = _count()
    reshares = _count()
    engagements = _count()
    engagement_rate_pct = _percent("engagements / impressions * 100")
    clicks = _count(null=False)
    unique_clicks = _count(null=False)
    emv = serializers.CharField(allow_null=True, help_text="A decimal with two places.")
    participants = _count(null=False)
    participation_pct = _percent("Members who published / participants * 100")
    company_content_pct = _percent("Company posts / posts * 100 (about 20 is the aim)")


class DaySerializer(serializers.Serializer):
    day = serializers.DateField()
    company_followers = _count("The company page's followers at the end of the day.")
    employee_followers = _count("The participants' followers, summed.")
    employees_with_followers = _count(null=False)
    posts = _count("Posts published that day.", null=False)
    company_posts = _count(null=False)
    impressions = _count("Of the day's posts, their latest figures.")
    members_reached = _count()
    engagements = _count()
    clicks = _count(null=False)
    unique_clicks = _count(null=False)


class TimeSeriesSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    days = DaySerializer(many=True, help_text="Days with figures, oldest first.")


class MixSerializer(serializers.Serializer):
    """The 80/20 mix: how much of what was published is about the company."""

    start = serializers.DateField()
    end = serializers.DateField()
    posts = _count(null=False)
    company_posts = _count(null=False)
    other_posts = _count(null=False)
    job_posts = _count(null=False)
    company_content_pct = _percent("Company posts / posts * 100")
    target_pct = serializers.IntegerField(help_text="The organization's aim (about 20).")


class FiguresSerializer(serializers.Serializer):
    posts = _count(null=False)
    company_posts = _count(null=False)
    impressions = _count()
    members_reached = _count()
    engagements = _count()
    clicks = _count(null=False)
    unique_clicks = _count(null=False)


class TeamFiguresSerializer(FiguresSerializer):
    id = PublicIdField(source="public_id")
    name = serializers.CharField()


class TeamsReportSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    teams = TeamFiguresSerializer(many=True)


class CampaignFiguresSerializer(FiguresSerializer):
    id = PublicIdField(source="public_id")
    name = serializers.CharField()
    status = serializers.CharField()
    target_shares = _count()
    target_reach = _count()
    target_clicks = _count()


class CampaignsReportSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    campaigns = CampaignFiguresSerializer(
        many=True, help_text="Campaigns with figures in the range."
    )
