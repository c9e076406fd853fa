"""The leaderboard: points for what sharing brought, season by season, for those who want it.

Taking part is voluntary, and so is being on the board (PRODUCT.md): a participant appears by
name only after choosing "show me on the leaderboard" themselves (`Membership.
show_on_leaderboard`). Everyone else is in no row, no rank and no team total; someone who left
the program is in no figure at all, as in every report (docs/metrics.md).

Points count the outcomes dated within the season, days of the organization's time zone:

- POINTS_PER_POST for each post published in the season (shares and own posts);
- POINTS_PER_CLICK for each click through the member's tracked links in the season, bots
  excluded;
- POINTS_PER_NEW_FOLLOWER for each new follower: the last follower figure within the season
  minus the last one before it (or, with none before it, the first one within it); a loss
  counts as none;
- POINTS_PER_COMMENT for each comment received: the latest collected count of comments on
  the posts published in the season.

A season is a Season row of the organization; on a day no Season covers, the calendar
quarter is the season. A new season starts everyone at zero.

Teams are compared on points per listed member, so that a small team is not outcompeted by a
large one: a team's points (of its members on the board) divided by how many they are.
Individual points are never adjusted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from advocacy.tenancy.models import Membership, Organization, Team
from advocacy.tenancy.services import record_audit_entry
from analytics.models import MemberFollowers
from analytics.rollups import today_of, zone_of
from content.models import Click, Post

from . import participation
from .models import Season

if TYPE_CHECKING:
    from advocacy.accounts.models import User

POINTS_PER_POST = 10
POINTS_PER_CLICK = 1
POINTS_PER_NEW_FOLLOWER = 2
POINTS_PER_COMMENT = 3


# Seasons -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeasonWindow:
    """The days a leaderboard counts: a Season row's, or a calendar quarter's."""

    name: str
    starts_on: dt.date
    ends_on: dt.date  # included
    season: Season | None = None

    @property
    def is_quarter(self) -> bool:
        return self.season is None

    def contains(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on


def quarter_of(day: dt.date) -> SeasonWindow:
    """The calendar quarter around `day`: the season when no Season row covers the day."""
    first_month = (day.month - 1) // 3 * 3 + 1
    starts_on = dt.date(day.year, first_month, 1)
    next_start = (
        dt.date(day.year + 1, 1, 1) if first_month == 10 else dt.date(day.year, first_month + 3, 1)
    )
    name = gettext("Q%(quarter)d %(year)d") % {"quarter": (first_month + 2) // 3, "year": day.year}
    return SeasonWindow(name=name, starts_on=starts_on, ends_on=next_start - dt.timedelta(days=1))


def window_of(season: Season) -> SeasonWindow:
    return SeasonWindow(
        name=season.name, starts_on=season.starts_on, ends_on=season.ends_on, season=season
    )


def current_season(organization: Organization, today: dt.date | None = None) -> SeasonWindow:
    """The season of `today` (the organization's today unless given)."""
    today = today or today_of(organization)
    season = (
        Season.objects.for_org(organization)
        .filter(starts_on__lte=today, ends_on__gte=today)
        .order_by("-starts_on")
        .first()
    )
    return window_of(season) if season is not None else quarter_of(today)


@dataclass(frozen=True)
class SeasonDetails:
    name: str
    starts_on: dt.date
    ends_on: dt.date


def _check_season(
    organization: Organization, details: SeasonDetails, exclude_pk: int | None
) -> None:
    if details.ends_on <= details.starts_on:
        raise ValidationError({"ends_on": gettext("A season ends after the day it starts.")})
    overlapping = (
        Season.objects.for_org(organization)
        .filter(starts_on__lte=details.ends_on, ends_on__gte=details.starts_on)
        .exclude(pk=exclude_pk)
        .first()
    )
    if overlapping is not None:
        raise ValidationError(
            gettext("The days overlap with the season “%(name)s”: a day counts in one season.")
            % {"name": overlapping.name}
        )


def create_season(
    *, organization: Organization, actor: User | None, details: SeasonDetails
) -> Season:
    """Add a leaderboard season. Raises ValidationError when its days are backwards or
    overlap another season's."""
    with transaction.atomic():
        _check_season(organization, details, exclude_pk=None)
        season = Season.objects.for_org(organization).create(
            organization=organization,
            name=details.name,
            starts_on=details.starts_on,
            ends_on=details.ends_on,
        )
        record_audit_entry(
            organization=organization,
            actor=actor,
            action="season.created",
            summary=gettext("Added the leaderboard season “%(name)s”") % {"name": season.name},
            data={
                "season": str(season.public_id),
                "starts_on": season.starts_on.isoformat(),
                "ends_on": season.ends_on.isoformat(),
            },
        )
    return season


def update_season(
    *, organization: Organization, season: Season, actor: User | None, details: SeasonDetails
) -> list[str]:
    """Rename a season or move its days; returns what changed. The points are computed from
    the days, so they follow at once."""
    with transaction.atomic():
        season = Season.objects.for_org(organization).select_for_update().get(pk=season.pk)
        values = {"name": details.name, "starts_on": details.starts_on, "ends_on": details.ends_on}
        changed = [name for name, value in values.items() if getattr(season, name) != value]
        if not changed:
            return []
        _check_season(organization, details, exclude_pk=season.pk)
        for name in changed:
            setattr(season, name, values[name])
        season.save(update_fields=changed)
        record_audit_entry(
            organization=organization,
            actor=actor,
            action="season.updated",
            summary=gettext("Edited the leaderboard season “%(name)s”") % {"name": season.name},
            data={"season": str(season.public_id), "changed": changed},
        )
    return changed


def delete_season(*, organization: Organization, season: Season, actor: User | None) -> None:
    """Remove a season; its days fall back to their calendar quarters. No points are stored,
    so nothing else goes."""
    with transaction.atomic():
        record_audit_entry(
            organization=organization,
            actor=actor,
            action="season.deleted",
            summary=gettext("Removed the leaderboard season “%(name)s”") % {"name": season.name},
            data={"season": str(season.public_id)},
        )
        Season.objects.for_org(organization).filter(pk=season.pk).delete()


# The member's choice -----------------------------------------------------------------------


# One service decides the choice, with its audit entry: the participation module's.
set_leaderboard_choice = participation.set_leaderboard_choice


# Standings ---------------------------------------------------------------------------------


@dataclass
class Standing:
    membership: Membership
    posts: int = 0
    clicks: int = 0
    new_followers: int = 0
    comments: int = 0
    rank: int | None = None

    @property
    def post_points(self) -> int:
        return self.posts * POINTS_PER_POST

    @property
    def click_points(self) -> int:
        return self.clicks * POINTS_PER_CLICK

    @property
    def follower_points(self) -> int:
        return self.new_followers * POINTS_PER_NEW_FOLLOWER

    @property
    def comment_points(self) -> int:
        return self.comments * POINTS_PER_COMMENT

    @property
    def points(self) -> int:
        return self.post_points + self.click_points + self.follower_points + self.comment_points


@dataclass
class TeamStanding:
    team: Team
    members: list[Standing] = field(default_factory=list)
    rank: int | None = None

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def points(self) -> int:
        return sum(member.points for member in self.members)

    @property
    def points_per_member(self) -> Decimal:
        return (Decimal(self.points) / self.size).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Leaderboard:
    season: SeasonWindow
    counted_through: dt.date  # the last day counted so far
    standings: list[Standing]  # those on the board, ranked
    teams: list[TeamStanding]  # teams with someone on the board, ranked per member
    # The viewer's own figures, shown to them alone (None unless they take part).
    mine: Standing | None
    on_board: bool  # whether the viewer is on the board
    unlisted_team: int  # members on the board without a team (in no team row)


def participants(organization: Organization) -> QuerySet[Membership]:
    """The program's participants, as analytics.rollups.participant_ids counts them."""
    return Membership.objects.for_org(organization).filter(
        is_active=True, user__is_active=True, opted_in_at__isnull=False
    )


def _followers(organization: Organization, *, order: str, **day_filter: Any) -> Subquery:
    return Subquery(
        MemberFollowers.objects.for_org(organization)
        .filter(membership=OuterRef("pk"), **day_filter)
        .order_by(order)
        .values("followers")[:1],
        output_field=IntegerField(),
    )


def _new_followers(before: int | None, first: int | None, last: int | None) -> int:
    if last is None:
        return 0
    baseline = before if before is not None else first
    return max(last - (baseline if baseline is not None else last), 0)


def _ranked(items: list[Any], key: Any) -> None:
    """Competition ranking (1, 1, 3) on an already sorted list."""
    previous: Any = object()
    for index, item in enumerate(items, start=1):
        value = key(item)
        if value != previous:
            rank, previous = index, value
        item.rank = rank


def leaderboard(
    organization: Organization,
    season: SeasonWindow,
    *,
    viewer: Membership | None = None,
    today: dt.date | None = None,
) -> Leaderboard:
    """The season's board in three queries, whatever the number of members, posts or clicks."""
    today = today or today_of(organization)
    zone = zone_of(organization)
    since = dt.datetime.combine(season.starts_on, dt.time.min, tzinfo=zone)
    until = dt.datetime.combine(season.ends_on + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    viewer_pk = viewer.pk if viewer is not None else None
    counted = participants(organization).filter(Q(show_on_leaderboard=True) | Q(pk=viewer_pk))
    within = {"day__gte": season.starts_on, "day__lte": season.ends_on}
    members = list(
        counted.select_related("user", "team").annotate(
            followers_before=_followers(organization, order="-day", day__lt=season.starts_on),
            followers_first=_followers(organization, order="day", **within),
            followers_last=_followers(organization, order="-day", **within),
        )
    )
    posts = {
        row["author"]: row
        for row in Post.objects.for_org(organization)
        .filter(
            status=Post.Status.PUBLISHED,
            published_at__gte=since,
            published_at__lt=until,
            author__in=counted.values("pk"),
        )
        .values("author")
        .order_by()
        .annotate(posts=Count("pk"), comments=Coalesce(Sum("comments"), 0))
    }
    clicks = dict(
        Click.objects.for_org(organization)
        .filter(
            is_bot=False,
            clicked_at__gte=since,
            clicked_at__lt=until,
            post__status=Post.Status.PUBLISHED,
            post__author__in=counted.values("pk"),
        )
        .values("post__author")
        .order_by()
        .annotate(n=Count("pk"))
        .values_list("post__author", "n")
    )
    standings: list[Standing] = []
    mine: Standing | None = None
    for member in members:
        row = posts.get(member.pk, {})
        standing = Standing(
            membership=member,
            posts=row.get("posts", 0),
            comments=row.get("comments", 0),
            clicks=clicks.get(member.pk, 0),
            new_followers=_new_followers(
                member.followers_before, member.followers_first, member.followers_last
            ),
        )
        if member.pk == viewer_pk:
            mine = standing
        if member.show_on_leaderboard:
            standings.append(standing)
    standings.sort(key=lambda s: (-s.points, s.membership.display_name.casefold()))
    _ranked(standings, key=lambda s: s.points)

    by_team: dict[int, TeamStanding] = {}
    without_team = 0
    for standing in standings:
        team = standing.membership.team
        if team is None:
            without_team += 1
            continue
        by_team.setdefault(team.pk, TeamStanding(team=team)).members.append(standing)
    teams = sorted(by_team.values(), key=lambda t: (-t.points_per_member, t.team.name.casefold()))
    _ranked(teams, key=lambda t: t.points_per_member)
    on_board = mine is not None and mine.membership.show_on_leaderboard
    return Leaderboard(
        season=season,
        counted_through=min(today, season.ends_on),
        standings=standings,
        teams=teams,
        mine=mine,
        on_board=on_board,
        unlisted_team=without_team,
    )


def seasons_to_choose(organization: Organization, today: dt.date) -> list[SeasonWindow]:
    """The seasons a member can look back on: every Season row that has begun."""
    rows = Season.objects.for_org(organization).filter(starts_on__lte=today).order_by("-starts_on")
    return [window_of(season) for season in rows]
