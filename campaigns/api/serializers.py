"""The API's view of campaigns and of their progress against the targets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from advocacy.api.serializers import PublicIdField, StrictSerializer, TenantRelatedField
from advocacy.api.viewsets import Filters
from advocacy.tenancy.models import Team

from ..models import Campaign

MAX_AUDIENCE_ENTRIES = 20


class TargetsSerializer(StrictSerializer):
    shares = serializers.IntegerField(
        min_value=0, max_value=2_000_000_000, allow_null=True, required=False
    )
    reach = serializers.IntegerField(
        min_value=0, max_value=2_000_000_000, allow_null=True, required=False
    )
    clicks = serializers.IntegerField(
        min_value=0, max_value=2_000_000_000, allow_null=True, required=False
    )


class CampaignAudienceSerializer(StrictSerializer):
    """Who the campaign is for; an empty list means everyone."""

    teams = TenantRelatedField(Team, many=True, required=False)
    locations = serializers.ListField(
        child=serializers.CharField(max_length=100), max_length=MAX_AUDIENCE_ENTRIES, required=False
    )
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=settings.LANGUAGES),
        max_length=MAX_AUDIENCE_ENTRIES,
        required=False,
    )


class CampaignSerializer(serializers.Serializer):
    id = PublicIdField()
    name = serializers.CharField(read_only=True)
    purpose = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=Campaign.Status.choices, read_only=True)
    starts_on = serializers.DateField(read_only=True, allow_null=True)
    ends_on = serializers.DateField(read_only=True, allow_null=True)
    hashtags = serializers.SerializerMethodField()
    targets = serializers.SerializerMethodField()
    audience = serializers.SerializerMethodField()
    share_count = serializers.IntegerField(read_only=True, help_text="Published posts.")
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def get_hashtags(self, campaign: Campaign) -> list[str]:
        return campaign.hashtag_list

    @extend_schema_field(TargetsSerializer)
    def get_targets(self, campaign: Campaign) -> dict[str, int | None]:
        return {
            "shares": campaign.target_shares,
            "reach": campaign.target_reach,
            "clicks": campaign.target_clicks,
        }

    @extend_schema_field(CampaignAudienceSerializer)
    def get_audience(self, campaign: Campaign) -> dict[str, Any]:
        return {
            "teams": [str(team.public_id) for team in campaign.audience_teams.all()],
            "locations": campaign.locations,
            "languages": campaign.languages,
        }


class CampaignWriteSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    purpose = serializers.CharField(allow_blank=True, required=False, max_length=10_000)
    status = serializers.ChoiceField(choices=Campaign.Status.choices, required=False)
    starts_on = serializers.DateField(allow_null=True, required=False)
    ends_on = serializers.DateField(allow_null=True, required=False)
    hashtags = serializers.ListField(
        child=serializers.RegexField(r"^#?\w{1,100}$", max_length=101),
        max_length=30,
        required=False,
        help_text="Words with or without their #.",
    )
    targets = TargetsSerializer(required=False)
    audience = CampaignAudienceSerializer(required=False)

    def validate_hashtags(self, value: list[str]) -> list[str]:
        tags = [tag if tag.startswith("#") else f"#{tag}" for tag in value]
        if len(" ".join(tags)) > 300:
            raise serializers.ValidationError(_("At most 300 characters of hashtags."))
        return tags

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        instance: Campaign | None = self.instance
        start = data.get("starts_on", getattr(instance, "starts_on", None))
        end = data.get("ends_on", getattr(instance, "ends_on", None))
        if start and end and end < start:
            raise serializers.ValidationError(
                {"ends_on": [_("A campaign ends on or after its start.")]}
            )
        return data


class CampaignFilters(Filters):
    status = serializers.ChoiceField(choices=Campaign.Status.choices, required=False)
    q = serializers.CharField(
        max_length=200, required=False, help_text="Part of the name, purpose or hashtags."
    )

    def apply(self, queryset: Any, data: Mapping[str, Any]) -> Any:
        if "status" in data:
            queryset = queryset.filter(status=data["status"])
        if data.get("q"):
            queryset = queryset.search(data["q"])
        return queryset


class ResultSerializer(serializers.Serializer):
    value = serializers.IntegerField(allow_null=True)
    target = serializers.IntegerField(allow_null=True)
    percent = serializers.FloatField(allow_null=True, help_text="Of the target, one decimal.")


class ParticipantSerializer(serializers.Serializer):
    name = serializers.CharField()
    shares = serializers.IntegerField()
    reach = serializers.IntegerField(allow_null=True)
    clicks = serializers.IntegerField()


class CampaignItemShareSerializer(serializers.Serializer):
    id = PublicIdField()
    title = serializers.CharField()
    share_count = serializers.IntegerField()


class CampaignProgressSerializer(serializers.Serializer):
    """The campaign's shares, reach and clicks against its targets, and who took part."""

    shares = ResultSerializer()
    reach = ResultSerializer(help_text="Impressions of the shares collected so far.")
    reach_collected = serializers.IntegerField(help_text="Shares with a collected reach.")
    members_reached = serializers.IntegerField(allow_null=True)
    engagements = serializers.IntegerField(allow_null=True)
    clicks = ResultSerializer()
    unique_visitors = serializers.IntegerField()
    participants = ParticipantSerializer(many=True)
    items = CampaignItemShareSerializer(many=True)
