"""Each event's `data`, in the same shapes the API answers with (its serializers)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, cast

from advocacy.tenancy.models import Organization
from analytics.growth import growth_report
from analytics.rollups import today_of
from campaigns.api.serializers import CampaignSerializer
from campaigns.models import Campaign
from campaigns.querysets import CampaignQuerySet
from content.api.serializers import ContentItemSerializer, PostSerializer
from content.models import ContentItem, Post

from .models import Event

# uuid5 namespace of weekly reports: one event id per organization and week.
WEEKLY_NAMESPACE = uuid.UUID("4f6c3b0e-7a8d-4c1e-9a55-2d8f1b7e6c90")


def _context(organization: Organization) -> dict[str, Any]:
    return {"organization": organization}


def event_data(
    organization: Organization, event: str, object_ids: list[int]
) -> list[dict[str, Any]]:
    """The `data` of one event per object (its row gone since: no event). Call inside the
    organization's tenant scope: the serializers read related rows."""
    context = _context(organization)
    if event in {Event.POST_PUBLISHED, Event.POST_FAILED}:
        posts = (
            Post.objects.for_org(organization)
            .filter(pk__in=object_ids)
            .select_related("author__user", "content_item", "caption", "campaign")
            .order_by("pk")
        )
        return [{"post": PostSerializer(post, context=context).data} for post in posts]
    if event == Event.CONTENT_CREATED:
        items = (
            ContentItem.objects.for_org(organization)
            .filter(pk__in=object_ids)
            .prefetch_related("captions", "topics", "campaigns", "audience_teams")
            .order_by("pk")
        )
        return [
            {"content_item": ContentItemSerializer(item, context=context).data} for item in items
        ]
    if event == Event.CAMPAIGN_STARTED:
        campaigns = (
            cast(CampaignQuerySet, Campaign.objects.for_org(organization))
            .filter(pk__in=object_ids)
            .with_share_count()
            .prefetch_related("audience_teams")
            .order_by("pk")
        )
        return [
            {"campaign": CampaignSerializer(campaign, context=context).data}
            for campaign in campaigns
        ]
    raise ValueError(f"No objects make a {event!r} event")


def last_week(organization: Organization, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """Monday to Sunday of the last whole week, in the organization's time zone."""
    today = today or today_of(organization)
    this_monday = today - dt.timedelta(days=today.weekday())
    return this_monday - dt.timedelta(days=7), this_monday - dt.timedelta(days=1)


def weekly_report(
    organization: Organization, today: dt.date | None = None
) -> tuple[uuid.UUID, dict[str, Any]]:
    """The event id and `data` of the week's report: the growth report of METRICS.md."""
    start, end = last_week(organization, today)
    event_id = uuid.uuid5(WEEKLY_NAMESPACE, f"{organization.public_id}:{start.isoformat()}")
    return event_id, {"report": growth_report(organization, start, end).as_json()}
