"""Campaigns and their progress over the API; writes go through campaigns/services.py."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from advocacy.api.viewsets import TenantViewSet
from advocacy.tenancy.models import MANAGE_ROLES, REPORT_ROLES

from .. import services
from ..models import Campaign
from ..progress import campaign_progress
from ..querysets import CampaignQuerySet
from ..services import CampaignDetails
from .serializers import (
    CampaignFilters,
    CampaignProgressSerializer,
    CampaignSerializer,
    CampaignWriteSerializer,
)

CAMPAIGN_EXAMPLE = {
    "name": "Autumn hiring",
    "purpose": "Fill twelve engineering roles before Christmas.",
    "status": "live",
    "starts_on": "2026-10-01",
    "ends_on": "2026-11-30",
    "hashtags": ["#hiring", "#nordiclife"],
    "targets": {"shares": 150, "reach": 60000, "clicks": 900},
    "audience": {"locations": ["Aarhus", "Copenhagen"]},
}


def _details(data: dict[str, Any], campaign: Campaign | None) -> CampaignDetails:
    current: dict[str, Any] = {}
    if campaign is not None:
        current = {name: getattr(campaign, name) for name in CampaignDetails.field_names()}
        current.update(
            teams=tuple(campaign.audience_teams.all()),
            locations=tuple(campaign.locations),
            languages=tuple(campaign.languages),
        )
    values = dict(current)
    for name in ("name", "purpose", "status", "starts_on", "ends_on"):
        if name in data:
            values[name] = data[name]
    if "hashtags" in data:
        values["hashtags"] = " ".join(data["hashtags"])
    for name, value in data.get("targets", {}).items():
        values[f"target_{name}"] = value
    for name, value in data.get("audience", {}).items():
        values[name] = tuple(value)
    return CampaignDetails(**values)


@extend_schema_view(
    list=extend_schema(
        summary="Campaigns",
        description="Staff and leaders see every campaign; employees the live ones meant for them.",
        tags=["campaigns"],
    ),
    retrieve=extend_schema(summary="A campaign", tags=["campaigns"]),
)
class CampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    model = Campaign
    lookup_url_kwarg = "campaign_id"
    serializer_class = CampaignSerializer
    filter_class = CampaignFilters
    action_roles = {
        "create": MANAGE_ROLES,
        "partial_update": MANAGE_ROLES,
        "progress": MANAGE_ROLES,
    }
    ordering_fields = {"name": "name", "created_at": "created_at", "updated_at": "updated_at"}
    default_ordering = "-created_at"
    http_method_names = ["get", "post", "patch", "head"]

    def narrow(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        campaigns: CampaignQuerySet = queryset  # type: ignore[assignment]
        if self.membership.role not in MANAGE_ROLES | REPORT_ROLES:
            campaigns = campaigns.live().for_member(self.membership)
        return campaigns.with_share_count().prefetch_related("audience_teams")

    def _answer(self, campaign: Campaign, code: int = status.HTTP_200_OK) -> Response:
        found = self.get_queryset().get(pk=campaign.pk)
        return Response(
            CampaignSerializer(found, context=self.get_serializer_context()).data, status=code
        )

    @extend_schema(
        summary="Start a campaign",
        request=CampaignWriteSerializer,
        responses={201: CampaignSerializer},
        examples=[OpenApiExample("A hiring push", value=CAMPAIGN_EXAMPLE, request_only=True)],
        tags=["campaigns"],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = CampaignWriteSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        campaign = services.create_campaign(
            organization=self.organization,
            actor=request.user,
            details=_details(dict(serializer.validated_data), None),
        )
        return self._answer(campaign, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a campaign",
        description="Fields left out stay as they are; `hashtags` and the audience's lists "
        "replace the campaign's when given.",
        request=CampaignWriteSerializer,
        responses=CampaignSerializer,
        tags=["campaigns"],
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        campaign = self.get_object()
        serializer = CampaignWriteSerializer(
            campaign, data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        campaign = services.update_campaign(
            organization=self.organization,
            campaign=campaign,
            actor=request.user,
            details=_details(dict(serializer.validated_data), campaign),
        )
        return self._answer(campaign)

    @extend_schema(
        summary="A campaign's progress",
        description="Shares, reach and clicks against the targets, who took part and how "
        "often each item was shared (comms, admins and facilitators).",
        responses=CampaignProgressSerializer,
        tags=["campaigns"],
    )
    @action(detail=True, methods=["get"])
    def progress(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        campaign = self.get_object()
        progress = campaign_progress(organization=self.organization, campaign=campaign)
        data = {
            **{name: getattr(progress, name) for name in ("reach_collected", "members_reached")},
            "shares": _result(progress.shares),
            "reach": _result(progress.reach),
            "clicks": _result(progress.clicks),
            "engagements": progress.engagements,
            "unique_visitors": progress.unique_visitors,
            "participants": [vars(participant) for participant in progress.participants],
            "items": progress.items,
        }
        return Response(CampaignProgressSerializer(data).data)


def _result(result: Any) -> dict[str, Any]:
    return {"value": result.value, "target": result.target, "percent": result.percent}
