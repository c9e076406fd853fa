"""Daily rollups: what the reports read, recomputed for the days that changed.

A day is a day of the organization's time zone. Its figures count the posts published that
day by current participants (docs/metrics.md: someone who left is in no figure), with the posts'
latest collected values, and the non-bot clicks made that day through their tracked links;
unique clicks are distinct visitors per link per day. The organization's day also carries the
page's followers and the sum of the participants' followers, each the last known on or before
the day.

`recompute_days` is idempotent: it replaces the rows of the given days with what the
snapshots and posts say now, in one transaction, with a fixed handful of aggregate queries and
bulk writes, whatever the number of days, posts or members.
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import CharField, Count, Max, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Concat, TruncDate
from django.utils import timezone

from advocacy.tenancy.models import Membership, Organization
from content.models import Click, ContentItem, Post

from .models import (
    CampaignDay,
    MemberFollowers,
    OrganizationDay,
    PageFollowers,
    PendingRollupDay,
    TeamDay,
)

POST_FIGURES = ("impressions", "members_reached", "reactions", "comments", "reshares")


def zone_of(organization: Organization) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(organization.time_zone)


def today_of(organization: Organization) -> date:
    return timezone.localtime(timezone.now(), zone_of(organization)).date()


def participants(organization: Organization) -> QuerySet[Membership]:
    """The program's participants: active members of active users who opted in."""
    return Membership.objects.for_org(organization).filter(
        is_active=True, user__is_active=True, opted_in_at__isnull=False
    )


def participant_ids(organization: Organization) -> QuerySet[Any]:
    return participants(organization).values("pk")


def counted_posts(organization: Organization) -> QuerySet[Any]:
    """Posts that count in figures: published by current participants."""
    return Post.objects.for_org(organization).filter(
        status=Post.Status.PUBLISHED,
        published_at__isnull=False,
        author__in=participant_ids(organization),
    )


def _post_figures() -> dict[str, Any]:
    job = Q(content_item__kind=ContentItem.Kind.JOB)
    figures: dict[str, Any] = {
        "posts": Count("pk"),
        "company_posts": Count("pk", filter=Q(is_company_content=True)),
        "job_posts": Count("pk", filter=job),
        "authors": Count("author", distinct=True),
        "posts_with_figures": Count("pk", filter=Q(impressions__isnull=False)),
        "job_impressions": Coalesce(Sum("impressions", filter=job), 0),
    }
    for name in POST_FIGURES:
        figures[name] = Coalesce(Sum(name), 0)
    return figures


def _click_figures() -> dict[str, Any]:
    return {
        "clicks": Count("pk"),
        "unique_clicks": Count(
            Concat("link_id", Value(":"), "visitor_hash", output_field=CharField()),
            distinct=True,
        ),
        "job_clicks": Count("pk", filter=Q(post__content_item__kind=ContentItem.Kind.JOB)),
    }


def _grouped(
    queryset: QuerySet[Any], key: str | None, figures: dict[str, Any]
) -> dict[tuple[date, int], dict[str, Any]]:
    """Figures by (day, key); without a key, the key is 0."""
    fields = ["local_day", key] if key else ["local_day"]
    rows: dict[tuple[date, int], dict[str, Any]] = {}
    for row in queryset.values(*fields).order_by().annotate(**figures):
        rows[(row["local_day"], row[key] if key else 0)] = row
    return rows


def _followers_by_day(organization: Organization, days: list[date]) -> dict[date, dict[str, Any]]:
    """The page's followers and the participants' summed followers on each day (the last
    figure on or before it), with how many participants have one."""
    first, last = days[0], days[-1]
    page_rows = list(
        PageFollowers.objects.for_org(organization)
        .filter(day__lte=last)
        .filter(Q(day__gte=first) | Q(day=_latest_before(PageFollowers, organization, first)))
        .order_by("day")
        .values_list("day", "followers")
    )
    members = MemberFollowers.objects.for_org(organization).filter(
        membership__in=participant_ids(organization)
    )
    # Per member: the last figure before the first day (it counts from the first day), then
    # every figure within the days. Each figure changes the sum by its difference from the
    # member's previous one; streamed in member order, so memory holds days, not members'
    # figures (a year of 5,000 members is 1.8 M rows).
    before = members.filter(day__lt=first).values("membership_id").annotate(last=Max("day"))
    starts = {row["membership_id"]: row["last"] for row in before}
    carried = members.filter(
        Q(day__gte=first, day__lte=last)
        | Q(day__in=set(starts.values()), membership_id__in=list(starts))
    ).order_by("membership_id", "day")
    change: dict[date, int] = defaultdict(int)
    joined: dict[date, int] = defaultdict(int)
    member: int | None = None
    previous: int | None = None
    for membership_id, day, followers in carried.values_list(
        "membership_id", "day", "followers"
    ).iterator(chunk_size=10_000):
        if day < first:
            if starts.get(membership_id) != day:
                continue
            day = first
        if membership_id != member:
            member, previous = membership_id, None
        if previous is None:
            joined[day] += 1
            change[day] += followers
        else:
            change[day] += followers - previous
        previous = followers
    result: dict[date, dict[str, Any]] = {}
    page_index = 0
    page_value: int | None = None
    total = counted = 0
    for day in _every_day(first, last):
        while page_index < len(page_rows) and page_rows[page_index][0] <= day:
            page_value = page_rows[page_index][1]
            page_index += 1
        total += change.get(day, 0)
        counted += joined.get(day, 0)
        result[day] = {
            "company_followers": page_value,
            "employee_followers": total if counted else None,
            "employees_with_followers": counted,
        }
    return result


def _latest_before(model: Any, organization: Organization, day: date) -> Any:
    return (
        model.objects.for_org(organization).filter(day__lt=day).order_by("-day").values("day")[:1]
    )


def _every_day(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def recompute_days(*, organization: Organization, days: Iterable[date]) -> int:
    """Replace the rollup rows of `days` with what the snapshots and posts say now.

    Returns how many days were recomputed. Cheap to call with days that did not change.
    """
    wanted = sorted(set(days))
    if not wanted:
        return 0
    zone = zone_of(organization)
    # The instants around the days first, so that the indexes on the times narrow the rows
    # down before each one's local day is worked out.
    since = datetime.combine(wanted[0], time.min, tzinfo=zone)
    until = datetime.combine(wanted[-1] + timedelta(days=1), time.min, tzinfo=zone)
    posts = (
        counted_posts(organization)
        .filter(published_at__gte=since, published_at__lt=until)
        .annotate(local_day=TruncDate("published_at", tzinfo=zone))
        .filter(local_day__in=wanted)
    )
    clicks = (
        Click.objects.for_org(organization)
        .filter(clicked_at__gte=since, clicked_at__lt=until)
        .filter(is_bot=False, post__in=counted_posts(organization))
        .annotate(local_day=TruncDate("clicked_at", tzinfo=zone))
        .filter(local_day__in=wanted)
    )
    post_figures, click_figures = _post_figures(), _click_figures()
    by_org = _grouped(posts, None, post_figures)
    clicks_by_org = _grouped(clicks, None, click_figures)
    by_team = _grouped(posts.filter(author__team__isnull=False), "author__team", post_figures)
    clicks_by_team = _grouped(
        clicks.filter(post__author__team__isnull=False), "post__author__team", click_figures
    )
    by_campaign = _grouped(posts.filter(campaign__isnull=False), "campaign", post_figures)
    clicks_by_campaign = _grouped(
        clicks.filter(post__campaign__isnull=False), "post__campaign", click_figures
    )
    audiences = _followers_by_day(organization, wanted)

    def figures(posts_row: dict[str, Any] | None, clicks_row: dict[str, Any] | None) -> dict:
        values = {name: (posts_row or {}).get(name, 0) for name in post_figures}
        values.update({name: (clicks_row or {}).get(name, 0) for name in click_figures})
        return values

    organization_rows = [
        OrganizationDay(
            organization=organization,
            day=day,
            **figures(by_org.get((day, 0)), clicks_by_org.get((day, 0))),
            **{key: audiences[day][key] for key in audiences[day]} if day in audiences else {},
        )
        for day in wanted
    ]
    team_rows = [
        TeamDay(
            organization=organization,
            day=day,
            team_id=team_id,
            **figures(by_team.get((day, team_id)), clicks_by_team.get((day, team_id))),
        )
        for day, team_id in sorted(set(by_team) | set(clicks_by_team))
    ]
    campaign_rows = [
        CampaignDay(
            organization=organization,
            day=day,
            campaign_id=campaign_id,
            **figures(
                by_campaign.get((day, campaign_id)), clicks_by_campaign.get((day, campaign_id))
            ),
        )
        for day, campaign_id in sorted(set(by_campaign) | set(clicks_by_campaign))
    ]
    with transaction.atomic():
        for model in (OrganizationDay, TeamDay, CampaignDay):
            model.objects.for_org(organization).filter(day__in=wanted).delete()
        OrganizationDay.objects.for_org(organization).bulk_create(organization_rows)
        TeamDay.objects.for_org(organization).bulk_create(team_rows)
        CampaignDay.objects.for_org(organization).bulk_create(campaign_rows)
    return len(wanted)


def days_of_posts(organization: Organization, post_ids: Iterable[int]) -> set[date]:
    """The local days the given posts were published on (to recompute after their figures
    changed)."""
    zone = zone_of(organization)
    return set(
        Post.objects.for_org(organization)
        .filter(pk__in=list(post_ids), published_at__isnull=False)
        .annotate(local_day=TruncDate("published_at", tzinfo=zone))
        .values_list("local_day", flat=True)
        .distinct()
    )


def recompute_range(*, organization: Organization, start: date, end: date) -> int:
    """Every day from `start` to `end` (both included)."""
    return recompute_days(organization=organization, days=_every_day(start, end))


# Days marked for later ----------------------------------------------------------------------


def mark_pending(*, organization: Organization, days: Iterable[date]) -> None:
    """Note days whose rollups must be recomputed (recompute_pending does it, once for all
    the collections that marked them)."""
    PendingRollupDay.objects.for_org(organization).bulk_create(
        [PendingRollupDay(organization=organization, day=day) for day in set(days)],
        ignore_conflicts=True,
    )


def recompute_pending(organization: Organization) -> int:
    """Recompute the marked days of the organization and clear their marks; returns how many.

    Under a lock on the organization's row, as every recompute: two workers replacing the
    same day's rows at once would collide on its unique constraint. A day marked again while
    this runs keeps its new mark (the mark waits for this transaction) and is done next time.
    """
    with transaction.atomic():
        list(Organization.objects.select_for_update().filter(pk=organization.pk).values("pk"))
        marks = PendingRollupDay.objects.for_org(organization)
        days = sorted(set(marks.values_list("day", flat=True)))
        if not days:
            return 0
        marks.filter(day__in=days).delete()
        return recompute_days(organization=organization, days=days)
