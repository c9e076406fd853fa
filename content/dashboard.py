"""What the dashboard shows a member: the live campaigns for them, with the content of each
they may share, and the first page of everything they may share, in the dashboard's order.

The member's audience (their team, location and language, and the live campaigns for them) is
worked out once, in one query for every item available to them; the page, the count and each
campaign's list are read off that ranking. Building the audience filter is most of Django's
work for the page, so it is built once, not once per list.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, cast

from django.urls import reverse

from campaigns.models import Campaign
from campaigns.querysets import CampaignQuerySet

from .models import CampaignItem, ContentItem
from .querysets import ContentItemQuerySet

if TYPE_CHECKING:
    from advocacy.tenancy.models import Membership


@dataclass(frozen=True)
class CampaignEntry:
    """An item in a live campaign's list: its card on the page, or its composer."""

    public_id: uuid.UUID
    title: str
    url: str


@dataclass(frozen=True)
class DashboardContent:
    # Live campaigns for the member, ending soonest first, each with `available_items`
    # (CampaignEntry, in the dashboard's order).
    campaigns: list[Campaign]
    # The first `size` items, each with `live_campaigns`, `colleague_shares`, `shared_by_me`.
    items: list[ContentItem]
    # Every item available to the member.
    available_count: int


def _share_url_maker(org_slug: str) -> Callable[[uuid.UUID], str]:
    # One reversal for any number of items: the address differs by the item's id only.
    placeholder = uuid.UUID(int=0)
    pattern = reverse("content:share_item", kwargs={"org_slug": org_slug, "item_id": placeholder})
    return lambda public_id: pattern.replace(str(placeholder), str(public_id))


def dashboard_content(membership: Membership, *, now: datetime, size: int) -> DashboardContent:
    """The member's live campaigns and content ready to share at `now` (five queries)."""
    organization = membership.organization
    library = cast(ContentItemQuerySet, ContentItem.objects.for_org(organization))
    campaigns = list(
        cast(CampaignQuerySet, Campaign.objects.for_org(organization))
        .live()
        .for_member(membership)
        .order_by("ends_on", "name")
    )
    by_id = {campaign.pk: campaign for campaign in campaigns}
    ranked = list(
        library.available(now)
        .for_member(membership, live_campaign_ids=by_id)
        .for_dashboard()
        .values_list("pk", flat=True)
    )
    position = {pk: index for index, pk in enumerate(ranked)}
    campaigns_of: dict[int, list[Campaign]] = defaultdict(list)
    for campaign_id, item_id in (
        CampaignItem.objects.for_org(organization)
        .filter(campaign_id__in=by_id)
        .values_list("campaign_id", "content_item_id")
    ):
        if item_id in position:
            campaigns_of[item_id].append(by_id[campaign_id])

    page = ranked[:size]
    items = sorted(
        library.filter(pk__in=page).with_share_counts(membership),
        key=lambda item: position[item.pk],
    )
    for item in items:
        # Attributes for the template, as a prefetch's `to_attr` would set them.
        item.live_campaigns = sorted(
            campaigns_of.get(item.pk, ()), key=lambda c: (c.name.casefold(), c.pk)
        )

    # A campaign's list names its items beyond the page too, by title, linking to their
    # composer (they have no card on the page to jump to).
    on_page = {item.pk: item for item in items}
    beyond = {
        pk: (public_id, title)
        for pk, public_id, title in library.filter(
            pk__in=set(campaigns_of) - set(on_page)
        ).values_list("pk", "public_id", "title")
    }
    share_url = _share_url_maker(organization.slug)
    available_items: dict[int, list[CampaignEntry]] = {campaign.pk: [] for campaign in campaigns}
    for item_id in sorted(campaigns_of, key=position.__getitem__):
        if item_id in on_page:
            item = on_page[item_id]
            entry = CampaignEntry(item.public_id, item.title, f"#item-{item.public_id}")
        elif item_id in beyond:
            public_id, title = beyond[item_id]
            entry = CampaignEntry(public_id, title, share_url(public_id))
        else:
            continue
        for campaign in campaigns_of[item_id]:
            available_items[campaign.pk].append(entry)
    for campaign in campaigns:
        campaign.available_items = available_items[campaign.pk]
    return DashboardContent(campaigns=campaigns, items=items, available_count=len(ranked))
