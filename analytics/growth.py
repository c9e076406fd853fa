"""The growth report of docs/metrics.md: every figure defined there, computed exactly so.

One function, `growth_report`, serves the report pages, the API and `manage.py report growth`.
It reads a fixed handful of rows whatever the range or the number of members: the page's
followers on two days, each participant's followers on two days, the posts of the range
grouped by author, and the range's daily rollups for reach and clicks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum
from django.utils.translation import gettext as _

from advocacy.linkedin.models import Connection
from advocacy.tenancy.models import Membership, Organization

from .models import MemberFollowers, OrganizationDay, PageFollowers
from .rollups import counted_posts, participants, zone_of

# A report covers at most this many days (five years).
MAX_RANGE_DAYS = 5 * 366
ONE_DECIMAL = Decimal("0.1")
CENTS = Decimal("0.01")


class RangeError(ValueError):
    """A date range a report cannot be made for; the message says why, in words."""


def parse_range(start: str | None, end: str | None) -> tuple[dt.date, dt.date]:
    """Two YYYY-MM-DD dates, checked: a real date each, the end not before the start, at
    most five years apart."""
    days: list[dt.date] = []
    for name, value in (("start", start), ("end", end)):
        if not value:
            raise RangeError(_("Give a %(name)s date as YYYY-MM-DD.") % {"name": name})
        try:
            days.append(dt.date.fromisoformat(value))
        except ValueError:
            raise RangeError(
                _("“%(value)s” is not a date of the form YYYY-MM-DD.") % {"value": value}
            ) from None
    check_range(days[0], days[1])
    return days[0], days[1]


def check_range(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise RangeError(_("The end (%(end)s) is before the start (%(start)s).") % locals())
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise RangeError(_("A report covers at most five years."))


def pct(part: float | int | None, whole: float | int | None) -> float | None:
    """`part` of `whole` in percent, rounded half up to one decimal; None without a whole."""
    if part is None or not whole:
        return None
    return round_one(Decimal(part) * 100 / Decimal(whole))


def round_one(value: Decimal | float) -> float:
    return float(Decimal(str(value)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP))


def growth_pct(start: int | None, end: int | None) -> float | None:
    if start is None or end is None:
        return None
    return pct(end - start, start)


@dataclass(frozen=True)
class GrowthReport:
    """docs/metrics.md's growth report. Missing figures are None (null), never 0."""

    organization: str
    start: dt.date
    end: dt.date
    company_followers_start: int | None
    company_followers_end: int | None
    company_follower_growth_pct: float | None
    employees_counted: int
    employee_follower_growth_pct_avg: float | None
    employee_new_followers: int | None
    posts: int
    new_followers_per_post: float | None
    impressions: int | None
    members_reached: int | None
    reactions: int | None
    comments: int | None
    reshares: int | None
    engagements: int | None
    engagement_rate_pct: float | None
    clicks: int
    unique_clicks: int
    emv: str | None
    participants: int
    participation_pct: float | None
    company_content_pct: float | None

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["start"] = self.start.isoformat()
        data["end"] = self.end.isoformat()
        return data


def _page_followers_on(organization: Organization, day: dt.date) -> int | None:
    return (
        PageFollowers.objects.for_org(organization)
        .filter(day__lte=day)
        .order_by("-day")
        .values_list("followers", flat=True)
        .first()
    )


def _followers_on(day: dt.date, organization: Organization) -> Subquery:
    return Subquery(
        MemberFollowers.objects.for_org(organization)
        .filter(membership=OuterRef("pk"), day__lte=day)
        .order_by("-day")
        .values("followers")[:1],
        output_field=IntegerField(),
    )


def participants_connected(organization: Organization) -> list[tuple[int, bool]]:
    """(membership id, has a LinkedIn connection) of every current participant."""
    return list(
        participants(organization)
        .annotate(connected=Exists(Connection.objects.filter(user=OuterRef("user"))))
        .order_by("pk")
        .values_list("pk", "connected")
    )


def employee_followers(
    organization: Organization,
    start: dt.date,
    end: dt.date,
    everyone: list[tuple[int, bool]] | None = None,
) -> list[tuple[int, int, int]]:
    """(membership id, followers on start, on end) of every participant with a connected
    LinkedIn account and a figure on both days: the employees counted. `everyone` is
    participants_connected(organization), when the caller has read it already.

    A member's figure on a day is their last one on or before it. Members are collected
    daily, so most have a figure on the very day: those are read in one scan of the
    (organization, day) index, and only the members without one are looked up the long way,
    one backward index probe each.
    """
    if everyone is None:
        everyone = participants_connected(organization)
    connected = [pk for pk, has_connection in everyone if has_connection]
    on_day: dict[tuple[int, dt.date], int] = {
        (pk, day): followers
        for pk, day, followers in MemberFollowers.objects.for_org(organization)
        .filter(day__in={start, end})
        .order_by()
        .values_list("membership_id", "day", "followers")
    }
    figures = {pk: (on_day.get((pk, start)), on_day.get((pk, end))) for pk in connected}
    missing = [pk for pk, pair in figures.items() if None in pair]
    if missing:
        for pk, on_start, on_end in (
            Membership.objects.for_org(organization)
            .filter(pk__in=missing)
            .annotate(
                on_start=_followers_on(start, organization),
                on_end=_followers_on(end, organization),
            )
            .order_by()
            .values_list("pk", "on_start", "on_end")
        ):
            first, last = figures[pk]
            figures[pk] = (on_start if first is None else first, on_end if last is None else last)
    return [
        (pk, first, last)
        for pk, (first, last) in figures.items()
        if first is not None and last is not None
    ]


def posts_by_author(
    organization: Organization, start: dt.date, end: dt.date
) -> list[dict[str, Any]]:
    """The range's counted posts per author: posts and company posts."""
    zone = zone_of(organization)
    since = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return list(
        counted_posts(organization)
        .filter(published_at__gte=since, published_at__lt=until)
        .values("author")
        .order_by()
        # Counted on columns the published-posts index carries (not the id): an index-only scan.
        .annotate(
            posts=Count("*"), company=Count("is_company_content", filter=Q(is_company_content=True))
        )
    )


def growth_report(organization: Organization, start: dt.date, end: dt.date) -> GrowthReport:
    """Every figure of docs/metrics.md for the days from `start` to `end`, both included."""
    check_range(start, end)
    followers_start = _page_followers_on(organization, start)
    followers_end = _page_followers_on(organization, end)
    everyone = participants_connected(organization)
    participant_count = len(everyone)
    counted = employee_followers(organization, start, end, everyone)
    # Each one's growth unrounded; the mean is rounded. Someone who started at 0 followers
    # has no growth percentage and stays out of the mean (but in the counts).
    growths = [
        Decimal(last - first) * 100 / Decimal(first) for _pk, first, last in counted if first
    ]
    new_followers = sum(last - first for _pk, first, last in counted) if counted else None
    authors = posts_by_author(organization, start, end)
    posts = sum(row["posts"] for row in authors)
    company_posts = sum(row["company"] for row in authors)
    counted_ids = {pk for pk, _first, _last in counted}
    posts_of_counted = sum(row["posts"] for row in authors if row["author"] in counted_ids)
    sums = (
        OrganizationDay.objects.for_org(organization)
        .filter(day__gte=start, day__lte=end)
        .aggregate(
            impressions=Sum("impressions"),
            members_reached=Sum("members_reached"),
            reactions=Sum("reactions"),
            comments=Sum("comments"),
            reshares=Sum("reshares"),
            with_figures=Sum("posts_with_figures"),
            clicks=Sum("clicks"),
            unique_clicks=Sum("unique_clicks"),
        )
    )
    reach: dict[str, int | None] = {
        name: (sums[name] or 0) if sums["with_figures"] else None
        for name in ("impressions", "members_reached", "reactions", "comments", "reshares")
    }
    engagements = (
        None
        if reach["reactions"] is None
        else (reach["reactions"] or 0) + (reach["comments"] or 0) + (reach["reshares"] or 0)
    )
    emv = None
    if reach["impressions"] is not None and organization.cpm is not None:
        value = Decimal(reach["impressions"]) / 1000 * organization.cpm
        emv = str(value.quantize(CENTS, rounding=ROUND_HALF_UP))
    return GrowthReport(
        organization=organization.slug,
        start=start,
        end=end,
        company_followers_start=followers_start,
        company_followers_end=followers_end,
        company_follower_growth_pct=growth_pct(followers_start, followers_end),
        employees_counted=len(counted),
        employee_follower_growth_pct_avg=round_one(sum(growths) / len(growths))
        if growths
        else None,
        employee_new_followers=new_followers,
        posts=posts,
        new_followers_per_post=(
            round_one(Decimal(new_followers) / posts_of_counted)
            if new_followers is not None and posts_of_counted
            else None
        ),
        engagements=engagements,
        engagement_rate_pct=pct(engagements, reach["impressions"]),
        clicks=sums["clicks"] or 0,
        unique_clicks=sums["unique_clicks"] or 0,
        emv=emv,
        participants=participant_count,
        participation_pct=pct(len(authors), participant_count),
        company_content_pct=pct(company_posts, posts),
        **reach,
    )
