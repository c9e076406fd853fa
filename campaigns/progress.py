"""A campaign's results against its targets, and who took part.

Posts and clicks belong to the content app, which imports this one; they are read here only
through the relations content declares towards campaigns (`campaign.posts`, and on from a
post to its tracked link's clicks), never by importing content. The figures follow
docs/metrics.md: a share is a published post; reach is the sum of the collected impressions; a
figure nobody has collected is None, never 0.

Everything is a fixed handful of aggregate queries, whatever the number of posts, authors,
clicks and items. Reads through the default managers, so call it inside the organization's
tenant scope (every request under /o/<slug>/ is).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, Count, Q, Sum, Value
from django.db.models.functions import Cast, Concat, TruncDate

from advocacy.tenancy.models import Organization

from .models import Campaign
from .querysets import PUBLISHED_POST

HUMAN_CLICK = Q(tracked_link__clicks__is_bot=False)


@dataclass(frozen=True)
class Result:
    """A figure and the target it is measured against (either may be missing)."""

    value: int | None
    target: int | None

    @property
    def percent(self) -> float | None:
        """Of the target, rounded to one decimal; None without a value or a target above 0."""
        if self.value is None or not self.target:
            return None
        return round(self.value / self.target * 100, 1)

    @property
    def bar_value(self) -> int:
        """What a progress bar shows: a target met is a full bar, never more."""
        return min(self.value or 0, self.target or 0)


@dataclass(frozen=True)
class Participant:
    """An author of shares in the campaign, with what those shares did."""

    name: str
    shares: int
    reach: int | None
    clicks: int


@dataclass(frozen=True)
class CampaignProgress:
    shares: Result
    reach: Result
    # How many of the shares have a collected reach figure.
    reach_collected: int
    members_reached: int | None
    engagements: int | None
    clicks: Result
    unique_visitors: int
    participants: list[Participant]
    # The campaign's content items, each with `share_count`.
    items: list[Any]

    @property
    def reach_partly_collected(self) -> bool:
        return 0 < self.reach_collected < (self.shares.value or 0)


def campaign_progress(*, organization: Organization, campaign: Campaign) -> CampaignProgress:
    """The campaign's shares, reach, engagements and clicks, per author and in total."""
    posts = campaign.posts.filter(organization=organization, status=PUBLISHED_POST)
    by_author = list(
        posts.values("author", "author__user__name", "author__user__email")
        .annotate(
            shares=Count("pk"),
            reach=Sum("impressions"),
            reach_collected=Count("impressions"),
            members_reached=Sum("members_reached"),
            reactions=Sum("reactions"),
            comments=Sum("comments"),
            reshares=Sum("reshares"),
        )
        .order_by()
    )
    # Apart from the figures above: joining clicks would repeat each post once per click.
    # A visitor is counted once per link per day; the day salts the visitor hash.
    visit = Concat(
        Cast("tracked_link__clicks__link", CharField()),
        Value(" "),
        Cast(
            TruncDate(
                "tracked_link__clicks__clicked_at",
                tzinfo=zoneinfo.ZoneInfo(organization.time_zone),
            ),
            CharField(),
        ),
        Value(" "),
        "tracked_link__clicks__visitor_hash",
        output_field=CharField(),
    )
    clicks_by_author = {
        row["author"]: row
        for row in posts.values("author")
        .annotate(
            clicks=Count("tracked_link__clicks", filter=HUMAN_CLICK),
            visitors=Count(visit, filter=HUMAN_CLICK, distinct=True),
        )
        .order_by()
    }
    items = list(
        campaign.content_items.filter(organization=organization)
        .annotate(
            share_count=Count(
                "posts",
                filter=Q(
                    posts__campaign=campaign,
                    posts__organization=organization,
                    posts__status=PUBLISHED_POST,
                ),
            )
        )
        .order_by("-featured", "-created_at", "-id")
    )

    participants = sorted(
        (
            Participant(
                name=row["author__user__name"] or row["author__user__email"],
                shares=row["shares"],
                reach=row["reach"],
                clicks=clicks_by_author.get(row["author"], {}).get("clicks", 0),
            )
            for row in by_author
        ),
        key=lambda participant: (-participant.shares, participant.name.casefold()),
    )
    # Each link is one post's, each post one author's: the totals are sums over the authors.
    return CampaignProgress(
        shares=Result(sum(row["shares"] for row in by_author), campaign.target_shares),
        reach=Result(_sum_collected(row["reach"] for row in by_author), campaign.target_reach),
        reach_collected=sum(row["reach_collected"] for row in by_author),
        members_reached=_sum_collected(row["members_reached"] for row in by_author),
        engagements=_sum_collected(
            row[name] for row in by_author for name in ("reactions", "comments", "reshares")
        ),
        clicks=Result(
            sum(row["clicks"] for row in clicks_by_author.values()), campaign.target_clicks
        ),
        unique_visitors=sum(row["visitors"] for row in clicks_by_author.values()),
        participants=participants,
        items=items,
    )


def _sum_collected(values: Iterable[int | None]) -> int | None:
    """The sum of the figures collected; None when none is."""
    collected = [value for value in values if value is not None]
    return sum(collected) if collected else None
