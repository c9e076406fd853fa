"""A member's own results ("My results"): their audience, reach, clicks and mix for a range,
beside the period before it. Only the member's own rows are read; nobody else's figure is in it.

The definitions are docs/metrics.md's, applied to one person: followers on a day are the last figure
on or before it; reach is the latest collected figures of the posts they published within the
range; clicks are the non-bot visits through their tracked links within the range.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, Count, IntegerField, Q, Subquery, Sum, Value
from django.db.models.functions import Cast, Concat, TruncDate
from django.utils.translation import gettext_lazy

from advocacy.linkedin.models import Connection
from advocacy.tenancy.models import Membership
from content.models import Click, Post

from .growth import growth_pct, pct
from .models import MemberFollowers, PostMetrics, Source
from .ranges import days_of, previous_period
from .reports import INT, PCT, Figure, granularity_of, last_known, period_key
from .rollups import zone_of

MY_POSTS_ON_PAGE = 20


@dataclass(frozen=True)
class MyFigures:
    followers_start: int | None
    followers_end: int | None
    posts: int
    company_posts: int
    impressions: int | None
    members_reached: int | None
    engagements: int | None
    clicks: int
    unique_clicks: int

    @property
    def follower_growth_pct(self) -> float | None:
        return growth_pct(self.followers_start, self.followers_end)

    @property
    def new_followers(self) -> int | None:
        if self.followers_start is None or self.followers_end is None:
            return None
        return self.followers_end - self.followers_start

    @property
    def engagement_rate_pct(self) -> float | None:
        return pct(self.engagements, self.impressions)

    @property
    def company_content_pct(self) -> float | None:
        return pct(self.company_posts, self.posts)


MY_FIGURES: list[tuple[str, Any, str]] = [
    ("followers_start", gettext_lazy("Followers on the first day"), INT),
    ("followers_end", gettext_lazy("Followers on the last day"), INT),
    ("new_followers", gettext_lazy("New followers"), INT),
    ("follower_growth_pct", gettext_lazy("Follower growth"), PCT),
    ("posts", gettext_lazy("Posts"), INT),
    ("impressions", gettext_lazy("Impressions"), INT),
    ("members_reached", gettext_lazy("Members reached"), INT),
    ("engagements", gettext_lazy("Engagements"), INT),
    ("engagement_rate_pct", gettext_lazy("Engagement rate"), PCT),
    ("clicks", gettext_lazy("Link clicks"), INT),
    ("unique_clicks", gettext_lazy("Unique visitors"), INT),
    ("company_content_pct", gettext_lazy("About the company"), PCT),
]


@dataclass(frozen=True)
class MyPost:
    public_id: Any
    text: str
    title: str
    published_at: dt.datetime
    is_company_content: bool
    impressions: int | None
    engagements: int | None
    clicks: int


@dataclass(frozen=True)
class MyPeriod:
    start: dt.date
    end: dt.date
    followers: int | None


@dataclass(frozen=True)
class MyResults:
    membership: Membership
    start: dt.date
    end: dt.date
    previous_start: dt.date
    previous_end: dt.date
    current: MyFigures
    previous: MyFigures
    granularity: str
    periods: list[MyPeriod]
    posts: list[MyPost]
    connected: bool
    not_measured: dict[str, int]

    @property
    def figures(self) -> list[Figure]:
        return [
            Figure(
                key,
                str(label),
                kind,
                getattr(self.current, key),
                getattr(self.previous, key),
            )
            for key, label, kind in MY_FIGURES
        ]

    @property
    def figure(self) -> dict[str, Figure]:
        return {figure.key: figure for figure in self.figures}

    @property
    def target_pct(self) -> int:
        return self.membership.organization.company_content_target_pct


def _followers_by_day(
    membership: Membership, first: dt.date, last: dt.date
) -> dict[dt.date, int | None]:
    """The member's followers on each day from `first` to `last`: the last figure on or
    before the day (docs/metrics.md), None before their first figure."""
    organization = membership.organization
    mine = MemberFollowers.objects.for_org(organization).filter(membership=membership)
    before = mine.filter(day__lt=first).order_by("-day").values("day")[:1]
    rows = list(
        mine.filter(day__lte=last)
        .filter(Q(day__gte=first) | Q(day=Subquery(before)))
        .order_by("day")
        .values_list("day", "followers")
    )
    values: dict[dt.date, int | None] = {}
    index, current = 0, None
    for day in days_of(first, last):
        while index < len(rows) and rows[index][0] <= day:
            current = rows[index][1]
            index += 1
        values[day] = current
    return values


def _window(membership: Membership, start: dt.date, end: dt.date, field: str) -> Q:
    zone = zone_of(membership.organization)
    since = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return Q(**{f"{field}__gte": since, f"{field}__lt": until})


def _post_sums(membership: Membership, ranges: dict[str, tuple[dt.date, dt.date]]) -> dict:
    figures: dict[str, Any] = {}
    for name, (start, end) in ranges.items():
        within = _window(membership, start, end, "published_at")
        figures |= {
            f"{name}_posts": Count("pk", filter=within),
            f"{name}_company": Count("pk", filter=within & Q(is_company_content=True)),
            f"{name}_measured": Count("pk", filter=within & Q(impressions__isnull=False)),
        }
        for field in ("impressions", "members_reached", "reactions", "comments", "reshares"):
            figures[f"{name}_{field}"] = Sum(field, filter=within)
    return (
        Post.objects.for_org(membership.organization)
        .filter(author=membership, status=Post.Status.PUBLISHED, published_at__isnull=False)
        .aggregate(**figures)
    )


def _click_sums(membership: Membership, ranges: dict[str, tuple[dt.date, dt.date]]) -> dict:
    zone = zone_of(membership.organization)
    local_day = Cast(TruncDate("clicked_at", tzinfo=zone), CharField())
    visit = Concat("link_id", Value(":"), "visitor_hash", Value(":"), local_day)
    figures: dict[str, Any] = {}
    for name, (start, end) in ranges.items():
        within = _window(membership, start, end, "clicked_at")
        figures[f"{name}_clicks"] = Count("pk", filter=within)
        figures[f"{name}_unique"] = Count(
            visit, filter=within, distinct=True, output_field=IntegerField()
        )
    return (
        Click.objects.for_org(membership.organization)
        .filter(post__author=membership, is_bot=False)
        .aggregate(**figures)
    )


def _figures(
    name: str,
    posts: dict[str, Any],
    clicks: dict[str, Any],
    followers: tuple[int | None, int | None],
) -> MyFigures:
    measured = bool(posts[f"{name}_measured"])

    def reach(field: str) -> int | None:
        return (posts[f"{name}_{field}"] or 0) if measured else None

    engagements = None
    if measured:
        engagements = sum(
            posts[f"{name}_{field}"] or 0 for field in ("reactions", "comments", "reshares")
        )
    return MyFigures(
        followers_start=followers[0],
        followers_end=followers[1],
        posts=posts[f"{name}_posts"],
        company_posts=posts[f"{name}_company"],
        impressions=reach("impressions"),
        members_reached=reach("members_reached"),
        engagements=engagements,
        clicks=clicks[f"{name}_clicks"] or 0,
        unique_clicks=clicks[f"{name}_unique"] or 0,
    )


def _my_posts(membership: Membership, start: dt.date, end: dt.date) -> list[MyPost]:
    clicks_within = _window(membership, start, end, "tracked_link__clicks__clicked_at")
    rows = (
        Post.objects.for_org(membership.organization)
        .filter(author=membership, status=Post.Status.PUBLISHED)
        .filter(_window(membership, start, end, "published_at"))
        .annotate(
            click_count=Count(
                "tracked_link__clicks",
                filter=clicks_within & Q(tracked_link__clicks__is_bot=False),
            )
        )
        .values(
            "public_id",
            "text",
            "content_item__title",
            "published_at",
            "is_company_content",
            "impressions",
            "reactions",
            "comments",
            "reshares",
            "click_count",
        )
        .order_by("-published_at")[:MY_POSTS_ON_PAGE]
    )
    return [
        MyPost(
            public_id=row["public_id"],
            text=row["text"],
            title=row["content_item__title"] or "",
            published_at=row["published_at"],
            is_company_content=row["is_company_content"],
            impressions=row["impressions"],
            engagements=None
            if row["impressions"] is None
            else sum(row[field] or 0 for field in ("reactions", "comments", "reshares")),
            clicks=row["click_count"],
        )
        for row in rows
    ]


def _not_measured(membership: Membership, start: dt.date, end: dt.date) -> dict[str, int]:
    """How many of the member's figures in the range were imported or entered by hand."""
    organization = membership.organization
    counts: dict[str, int] = defaultdict(int)
    for model, owner in ((MemberFollowers, "membership"), (PostMetrics, "post__author")):
        rows = (
            model.objects.for_org(organization)
            .filter(**{owner: membership}, day__gte=start, day__lte=end)
            .exclude(source=Source.API)
            .values("source")
            .order_by()
            .annotate(n=Count("pk"))
        )
        for row in rows:
            counts[str(Source(row["source"]).label)] += row["n"]
    return dict(counts)


def my_results(membership: Membership, start: dt.date, end: dt.date) -> MyResults:
    """The member's own figures for the days from `start` to `end`, and the period before."""
    previous_start, previous_end = previous_period(start, end)
    ranges = {"current": (start, end), "previous": (previous_start, previous_end)}
    followers = _followers_by_day(membership, previous_start, end)
    posts = _post_sums(membership, ranges)
    clicks = _click_sums(membership, ranges)
    granularity = granularity_of((end - start).days + 1)
    grouped: dict[dt.date, list[dt.date]] = defaultdict(list)
    for day in days_of(start, end):
        grouped[period_key(day, granularity)].append(day)
    periods = [
        MyPeriod(days[0], days[-1], last_known(followers[day] for day in days))
        for days in grouped.values()
    ]
    return MyResults(
        membership=membership,
        start=start,
        end=end,
        previous_start=previous_start,
        previous_end=previous_end,
        current=_figures("current", posts, clicks, (followers[start], followers[end])),
        previous=_figures(
            "previous", posts, clicks, (followers[previous_start], followers[previous_end])
        ),
        granularity=granularity,
        periods=periods,
        posts=_my_posts(membership, start, end),
        connected=Connection.objects.filter(user_id=membership.user_id).exists(),
        not_measured=_not_measured(membership, start, end),
    )
