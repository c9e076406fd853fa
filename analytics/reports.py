"""The leadership report: a range's growth report beside the period before it, with the
series over time, the breakdowns per team, campaign, item and employee, and who may see what.

The headline figures are `growth.growth_report`'s, for both periods; nothing here computes
them again. The rest reads the daily rollups (OrganizationDay, TeamDay, CampaignDay) and one
grouped aggregate per table, so a report makes the same number of queries whatever the range's
length or the number of members.

Privacy (PRODUCT.md: voluntary, no pressure): communications staff, admins and facilitators see
every participant's figures by name, to coach; leaders see names only of participants who chose
`show_on_leaderboard`, and no team of fewer than three participants on its own.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from django.db.models import CharField, Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Concat, TruncDate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from advocacy.tenancy.models import MANAGE_ROLES, Membership, Organization
from campaigns.models import Campaign
from content.models import Click, ContentItem

from .growth import GrowthReport, employee_followers, growth_pct, growth_report, pct, round_one
from .models import (
    CampaignDay,
    MemberFollowers,
    OrganizationDay,
    PageFollowers,
    PostMetrics,
    Source,
    TeamDay,
)
from .ranges import days_of, previous_period
from .rollups import counted_posts, zone_of

# A team needs this many participants before a leader sees its figures apart from the rest.
MIN_TEAM_SIZE_FOR_LEADERS = 3
# The page lists this many employees and items, the chart this many campaigns; the CSV
# export and the PDF have every row.
EMPLOYEES_ON_PAGE = 50
TOP_CONTENT = 10
TOP_CAMPAIGNS = 10
# Up to a month is shown by day, up to half a year by week, longer by month: a chart with
# more points than that cannot have its values written on it.
DAYS_SHOWN_BY_DAY = 31
DAYS_SHOWN_BY_WEEK = 26 * 7

INT, PCT, DECIMAL, MONEY, TEXT, DATE = "int", "pct", "decimal", "money", "text", "date"


# The headline figures ----------------------------------------------------------------------

HEADLINES: list[tuple[str, Any, str]] = [
    ("company_followers_start", gettext_lazy("Company page followers on the first day"), INT),
    ("company_followers_end", gettext_lazy("Company page followers on the last day"), INT),
    ("company_follower_growth_pct", gettext_lazy("Company page follower growth"), PCT),
    ("employees_counted", gettext_lazy("Employees counted"), INT),
    (
        "employee_follower_growth_pct_avg",
        gettext_lazy("Average employee follower growth"),
        PCT,
    ),
    ("employee_new_followers", gettext_lazy("New followers of the employees counted"), INT),
    ("posts", gettext_lazy("Posts"), INT),
    ("new_followers_per_post", gettext_lazy("New followers per post"), DECIMAL),
    ("impressions", gettext_lazy("Impressions"), INT),
    ("members_reached", gettext_lazy("Members reached"), INT),
    ("reactions", gettext_lazy("Reactions"), INT),
    ("comments", gettext_lazy("Comments"), INT),
    ("reshares", gettext_lazy("Reshares"), INT),
    ("engagements", gettext_lazy("Engagements"), INT),
    ("engagement_rate_pct", gettext_lazy("Engagement rate"), PCT),
    ("clicks", gettext_lazy("Link clicks"), INT),
    ("unique_clicks", gettext_lazy("Unique visitors"), INT),
    ("emv", gettext_lazy("Earned media value"), MONEY),
    ("participants", gettext_lazy("Participants"), INT),
    ("participation_pct", gettext_lazy("Participation"), PCT),
    ("company_content_pct", gettext_lazy("About the company"), PCT),
]


@dataclass(frozen=True)
class Figure:
    """One figure of the growth report, this period and the one before."""

    key: str
    label: str
    kind: str
    value: Any
    previous: Any

    @property
    def change(self) -> Any:
        """The difference (percentage points for percentages); None if either is missing."""
        if self.value is None or self.previous is None:
            return None
        if self.kind == MONEY:
            return Decimal(self.value) - Decimal(self.previous)
        if self.kind in (PCT, DECIMAL):
            return round_one(Decimal(str(self.value)) - Decimal(str(self.previous)))
        return self.value - self.previous

    @property
    def change_pct(self) -> float | None:
        """For counts: the change relative to the previous period."""
        if self.kind != INT or self.change is None:
            return None
        return pct(self.change, self.previous)


def figures_of(current: GrowthReport, previous: GrowthReport) -> list[Figure]:
    return [
        Figure(key, str(label), kind, getattr(current, key), getattr(previous, key))
        for key, label, kind in HEADLINES
    ]


# Rollup sums -------------------------------------------------------------------------------

SUMMED = (
    "posts",
    "company_posts",
    "job_posts",
    "impressions",
    "members_reached",
    "reactions",
    "comments",
    "reshares",
    "posts_with_figures",
    "job_impressions",
    "clicks",
    "unique_clicks",
    "job_clicks",
)


def _sum_expressions() -> dict[str, Any]:
    return {name: Sum(name) for name in SUMMED}


@dataclass(frozen=True)
class Sums:
    """Rollup figures summed over days. Reach is None where no post had figures (docs/metrics.md:
    missing, not zero)."""

    posts: int = 0
    company_posts: int = 0
    job_posts: int = 0
    impressions_sum: int = 0
    members_reached_sum: int = 0
    reactions: int = 0
    comments: int = 0
    reshares: int = 0
    posts_with_figures: int = 0
    job_impressions_sum: int = 0
    clicks: int = 0
    unique_clicks: int = 0
    job_clicks: int = 0

    @classmethod
    def of(cls, row: dict[str, Any]) -> Sums:
        renamed = {"impressions": "impressions_sum", "members_reached": "members_reached_sum"}
        renamed["job_impressions"] = "job_impressions_sum"
        return cls(**{renamed.get(name, name): row.get(name) or 0 for name in SUMMED})

    def _combine(self, other: Sums, sign: int) -> Sums:
        return Sums(
            **{
                field.name: max(0, getattr(self, field.name) + sign * getattr(other, field.name))
                for field in fields(self)
            }
        )

    def __add__(self, other: Sums) -> Sums:
        return self._combine(other, 1)

    def __sub__(self, other: Sums) -> Sums:
        return self._combine(other, -1)

    def _measured(self, value: int) -> int | None:
        return value if self.posts_with_figures else None

    @property
    def impressions(self) -> int | None:
        return self._measured(self.impressions_sum)

    @property
    def members_reached(self) -> int | None:
        return self._measured(self.members_reached_sum)

    @property
    def engagements(self) -> int | None:
        return self._measured(self.reactions + self.comments + self.reshares)

    @property
    def job_impressions(self) -> int | None:
        return self._measured(self.job_impressions_sum)

    @property
    def engagement_rate_pct(self) -> float | None:
        return pct(self.engagements, self.impressions)

    @property
    def company_content_pct(self) -> float | None:
        return pct(self.company_posts, self.posts)


def per_week(posts: int, people: int, days: int) -> float | None:
    """Posts per person per week over `days` days."""
    if not people or not days:
        return None
    return round_one(Decimal(posts) * 7 / (Decimal(people) * days))


# The rows of the report --------------------------------------------------------------------


@dataclass(frozen=True)
class DayPoint:
    """One day of the organization. A day without a rollup row is missing: every figure None."""

    day: dt.date
    company_followers: int | None
    employee_followers: int | None
    employees_with_followers: int | None
    impressions: int | None
    posts: int | None
    clicks: int | None


@dataclass(frozen=True)
class Period:
    """Days shown as one point of a chart: followers at its end, reach and posts summed."""

    start: dt.date
    end: dt.date
    company_followers: int | None
    employee_followers: int | None
    impressions: int | None
    posts: int | None
    clicks: int | None


@dataclass(frozen=True)
class GroupRow:
    """A team, a merged group of teams, or a campaign over the range."""

    name: str
    sums: Sums
    participants: int | None = None
    authors: int | None = None
    days: int = 0
    # For leaders: the teams too small to be shown on their own, together.
    merged: bool = False

    @property
    def participation_pct(self) -> float | None:
        return pct(self.authors, self.participants)

    @property
    def posts_per_week(self) -> float | None:
        return per_week(self.sums.posts, self.participants or 0, self.days)


@dataclass(frozen=True)
class EmployeeRow:
    name: str
    team: str
    posts: int
    company_posts: int
    followers_start: int | None
    followers_end: int | None
    impressions: int | None
    members_reached: int | None
    engagements: int | None
    clicks: int
    unique_clicks: int
    days: int
    # More than one for the row of the participants a leader does not see by name.
    people: int = 1

    @property
    def company_content_pct(self) -> float | None:
        return pct(self.company_posts, self.posts)

    @property
    def follower_growth_pct(self) -> float | None:
        return growth_pct(self.followers_start, self.followers_end)

    @property
    def new_followers(self) -> int | None:
        if self.followers_start is None or self.followers_end is None:
            return None
        return self.followers_end - self.followers_start

    @property
    def posts_per_week(self) -> float | None:
        return per_week(self.posts, self.people, self.days)


@dataclass(frozen=True)
class ContentRow:
    """A library item shared within the range: shares and their reach."""

    title: str
    kind: str
    kind_label: str
    is_company_content: bool
    shares: int
    impressions: int | None
    engagements: int | None
    clicks: int


@dataclass(frozen=True)
class Recruitment:
    """Job openings shared within the range (ContentItem.Kind.JOB)."""

    shares: int
    impressions: int | None
    clicks: int
    previous_shares: int
    previous_clicks: int
    jobs: list[ContentRow]


@dataclass(frozen=True)
class Cadence:
    """Posts per participant per week, against the program's target."""

    posts: int
    previous_posts: int
    participants: int
    days: int
    target: Decimal

    @property
    def value(self) -> float | None:
        return per_week(self.posts, self.participants, self.days)

    @property
    def previous(self) -> float | None:
        return per_week(self.previous_posts, self.participants, self.days)

    @property
    def pct_of_target(self) -> float | None:
        if not self.participants or not self.days or not self.target:
            return None
        weekly = Decimal(self.posts) * 7 / (Decimal(self.participants) * self.days)
        return round_one(weekly * 100 / self.target)


@dataclass(frozen=True)
class SourceNote:
    """Snapshot rows of the range that were not measured through LinkedIn's API."""

    subject: str
    source: str
    rows: int


@dataclass(frozen=True)
class LeadershipReport:
    organization: Organization
    start: dt.date
    end: dt.date
    previous_start: dt.date
    previous_end: dt.date
    current: GrowthReport
    previous: GrowthReport
    figures: list[Figure]
    cadence: Cadence
    days: list[DayPoint]
    granularity: str
    periods: list[Period]
    members: int
    teams: list[GroupRow]
    teams_left_out: bool
    campaigns: list[GroupRow]
    live_campaigns: int
    content: list[ContentRow]
    own_posts: int
    recruitment: Recruitment
    mix: GroupRow
    library_items: int
    library_company_items: int
    names_shown: str
    employees: list[EmployeeRow]
    unnamed: EmployeeRow | None
    sources: list[SourceNote]

    @property
    def figure(self) -> dict[str, Figure]:
        return {figure.key: figure for figure in self.figures}

    @property
    def shows_every_name(self) -> bool:
        return self.names_shown == NAMES_ALL

    @property
    def mix_target_pct(self) -> int:
        return self.organization.company_content_target_pct

    @property
    def library_company_pct(self) -> float | None:
        return pct(self.library_company_items, self.library_items)

    @property
    def top_campaigns(self) -> list[GroupRow]:
        return self.campaigns[:TOP_CAMPAIGNS]

    @property
    def mix_rows(self) -> list[GroupRow]:
        """The organization and each team shown, for the 80/20 chart."""
        return [self.mix, *self.teams]


# Who sees names ----------------------------------------------------------------------------

NAMES_ALL, NAMES_OPTED_IN = "all", "opted_in"


def sees_every_name(viewer: Membership) -> bool:
    return viewer.role in MANAGE_ROLES


# Reading -----------------------------------------------------------------------------------


def _bounds(organization: Organization, start: dt.date, end: dt.date) -> tuple[dt.datetime, ...]:
    zone = zone_of(organization)
    since = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return since, until


def _range_posts(organization: Organization, start: dt.date, end: dt.date) -> QuerySet[Any]:
    """The range's posts as docs/metrics.md counts them (the same as growth.posts_by_author)."""
    since, until = _bounds(organization, start, end)
    return counted_posts(organization).filter(published_at__gte=since, published_at__lt=until)


def _range_clicks(organization: Organization, start: dt.date, end: dt.date) -> QuerySet[Any]:
    since, until = _bounds(organization, start, end)
    return Click.objects.for_org(organization).filter(
        is_bot=False,
        post__in=counted_posts(organization),
        clicked_at__gte=since,
        clicked_at__lt=until,
    )


def _click_counts(organization: Organization) -> dict[str, Any]:
    # Unique as in the rollups: distinct visitors per link per day of the organization.
    local_day = Cast(TruncDate("clicked_at", tzinfo=zone_of(organization)), CharField())
    visit = Concat("link_id", Value(":"), "visitor_hash", Value(":"), local_day)
    return {"clicks": Count("pk"), "unique": Count(visit, output_field=CharField(), distinct=True)}


def _reach_counts() -> dict[str, Any]:
    return {
        "posts": Count("pk"),
        "company": Count("pk", filter=Q(is_company_content=True)),
        "with_figures": Count("pk", filter=Q(impressions__isnull=False)),
        "impressions": Sum("impressions"),
        "members_reached": Sum("members_reached"),
        "reactions": Sum("reactions"),
        "comments": Sum("comments"),
        "reshares": Sum("reshares"),
    }


def _measured(row: dict[str, Any], name: str) -> int | None:
    return (row.get(name) or 0) if row.get("with_figures") else None


def _engagements(row: dict[str, Any]) -> int | None:
    if not row.get("with_figures"):
        return None
    return sum(row.get(name) or 0 for name in ("reactions", "comments", "reshares"))


def _day_points(organization: Organization, start: dt.date, end: dt.date) -> list[DayPoint]:
    rows = {
        row["day"]: row
        for row in OrganizationDay.objects.for_org(organization)
        .filter(day__gte=start, day__lte=end)
        .values(
            "day",
            "company_followers",
            "employee_followers",
            "employees_with_followers",
            "posts",
            "posts_with_figures",
            "impressions",
            "clicks",
        )
    }
    points = []
    for day in days_of(start, end):
        row = rows.get(day)
        if row is None:
            points.append(DayPoint(day, None, None, None, None, None, None))
            continue
        points.append(
            DayPoint(
                day=day,
                company_followers=row["company_followers"],
                employee_followers=row["employee_followers"],
                employees_with_followers=row["employees_with_followers"],
                impressions=row["impressions"] if row["posts_with_figures"] else None,
                posts=row["posts"],
                clicks=row["clicks"],
            )
        )
    return points


def granularity_of(length: int) -> str:
    if length <= DAYS_SHOWN_BY_DAY:
        return "day"
    if length <= DAYS_SHOWN_BY_WEEK:
        return "week"
    return "month"


def period_key(day: dt.date, granularity: str) -> dt.date:
    if granularity == "week":
        return day - dt.timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day


def last_known(values: Iterable[int | None]) -> int | None:
    known = [value for value in values if value is not None]
    return known[-1] if known else None


def total_of(values: Iterable[int | None]) -> int | None:
    known = [value for value in values if value is not None]
    return sum(known) if known else None


def periods_of(points: list[DayPoint], granularity: str) -> list[Period]:
    """The days grouped by day, week (from Monday) or month. A period without any data is
    missing, like a day."""
    grouped: dict[dt.date, list[DayPoint]] = defaultdict(list)
    for point in points:
        grouped[period_key(point.day, granularity)].append(point)
    return [
        Period(
            start=days[0].day,
            end=days[-1].day,
            company_followers=last_known(point.company_followers for point in days),
            employee_followers=last_known(point.employee_followers for point in days),
            impressions=total_of(point.impressions for point in days),
            posts=total_of(point.posts for point in days),
            clicks=total_of(point.clicks for point in days),
        )
        for days in grouped.values()
    ]


def _members(organization: Organization) -> list[dict[str, Any]]:
    return list(
        Membership.objects.for_org(organization)
        .filter(is_active=True, user__is_active=True)
        .values(
            "pk",
            "opted_in_at",
            "show_on_leaderboard",
            "team_id",
            "team__name",
            "user__name",
            "user__email",
        )
        .order_by("user__name", "user__email")
    )


def _team_rows(
    organization: Organization,
    start: dt.date,
    end: dt.date,
    *,
    participants: list[dict[str, Any]],
    authors: set[int],
    total: Sums,
    merge_small: bool,
) -> tuple[list[GroupRow], bool]:
    """One row per team (and "No team"); for leaders small teams merge into "Other teams",
    and a merged group still too small is left out (it stays in the organization's totals)."""
    sums = {
        row["team_id"]: (row["team__name"], Sums.of(row))
        for row in TeamDay.objects.for_org(organization)
        .filter(day__gte=start, day__lte=end)
        .values("team_id", "team__name")
        .order_by()
        .annotate(**_sum_expressions())
    }
    people: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
    for member in participants:
        people[member["team_id"]].append(member)
    names = {member["team_id"]: member["team__name"] for member in participants}
    names.update({team_id: name for team_id, (name, _sums) in sums.items()})
    length = (end - start).days + 1
    # Posts by people without a team are in the organization's day but in no team's.
    no_team = total - sum((team_sums for _name, team_sums in sums.values()), Sums())
    rows: list[tuple[int | None, GroupRow]] = []
    for team_id in sorted(names.keys() - {None}, key=lambda key: str(names[key]).lower()):
        members = people.get(team_id, [])
        rows.append(
            (
                team_id,
                GroupRow(
                    name=names[team_id],
                    sums=sums[team_id][1] if team_id in sums else Sums(),
                    participants=len(members),
                    authors=sum(1 for member in members if member["pk"] in authors),
                    days=length,
                ),
            )
        )
    if people.get(None) or no_team.posts or no_team.clicks:
        members = people.get(None, [])
        rows.append(
            (
                None,
                GroupRow(
                    name=_("No team"),
                    sums=no_team,
                    participants=len(members),
                    authors=sum(1 for member in members if member["pk"] in authors),
                    days=length,
                ),
            )
        )
    if not merge_small:
        return [row for _team_id, row in rows], False
    shown = [row for _team_id, row in rows if (row.participants or 0) >= MIN_TEAM_SIZE_FOR_LEADERS]
    small = [row for _team_id, row in rows if (row.participants or 0) < MIN_TEAM_SIZE_FOR_LEADERS]
    if not small:
        return shown, False
    merged = GroupRow(
        name=_("Other teams"),
        sums=sum((row.sums for row in small), Sums()),
        participants=sum(row.participants or 0 for row in small),
        authors=sum(row.authors or 0 for row in small),
        days=length,
        merged=True,
    )
    if (merged.participants or 0) >= MIN_TEAM_SIZE_FOR_LEADERS and len(small) > 1:
        return [*shown, merged], False
    return shown, True


def _campaign_rows(organization: Organization, start: dt.date, end: dt.date) -> list[GroupRow]:
    rows = [
        GroupRow(name=row["campaign__name"], sums=Sums.of(row), days=(end - start).days + 1)
        for row in CampaignDay.objects.for_org(organization)
        .filter(day__gte=start, day__lte=end)
        .values("campaign_id", "campaign__name")
        .order_by()
        .annotate(**_sum_expressions())
    ]
    rows.sort(key=lambda row: (-row.sums.posts, -(row.sums.impressions or 0), row.name.lower()))
    return rows


def _content_rows(
    organization: Organization, start: dt.date, end: dt.date
) -> tuple[list[ContentRow], int]:
    """Every library item shared within the range, most shared first, and the number of the
    employees' own posts (not from the library)."""
    posts = _range_posts(organization, start, end)
    clicks = dict(
        _range_clicks(organization, start, end)
        .filter(post__content_item__isnull=False)
        .values("post__content_item")
        .order_by()
        .annotate(n=Count("pk"))
        .values_list("post__content_item", "n")
    )
    grouped = (
        posts.values(
            "content_item",
            item_title=F("content_item__title"),
            item_kind=F("content_item__kind"),
            item_company=F("content_item__is_company_content"),
        )
        .order_by()
        .annotate(shares=Count("pk"), **_reach_counts())
    )
    kinds = dict(ContentItem.Kind.choices)
    rows, own_posts = [], 0
    for row in grouped:
        if row["content_item"] is None:
            own_posts = row["shares"]
            continue
        rows.append(
            ContentRow(
                title=row["item_title"],
                kind=row["item_kind"],
                kind_label=str(kinds.get(row["item_kind"], row["item_kind"])),
                is_company_content=row["item_company"],
                shares=row["shares"],
                impressions=_measured(row, "impressions"),
                engagements=_engagements(row),
                clicks=clicks.get(row["content_item"], 0),
            )
        )
    rows.sort(key=lambda row: (-row.shares, -(row.impressions or 0), row.title.lower()))
    return rows, own_posts


def _employee_rows(
    organization: Organization,
    start: dt.date,
    end: dt.date,
    *,
    participants: list[dict[str, Any]],
) -> list[tuple[dict[str, Any], EmployeeRow]]:
    """Each participant with their row, in the order of `participants`."""
    reach = {
        row["author"]: row
        for row in _range_posts(organization, start, end)
        .values("author")
        .order_by()
        .annotate(**_reach_counts())
    }
    clicks = {
        row["post__author"]: row
        for row in _range_clicks(organization, start, end)
        .values("post__author")
        .order_by()
        .annotate(**_click_counts(organization))
    }
    audience = {
        pk: (first, last) for pk, first, last in employee_followers(organization, start, end)
    }
    length = (end - start).days + 1
    pairs = []
    for member in participants:
        posted = reach.get(member["pk"], {})
        clicked = clicks.get(member["pk"], {})
        first, last = audience.get(member["pk"], (None, None))
        row = EmployeeRow(
            name=member["user__name"] or member["user__email"],
            team=member["team__name"] or "",
            posts=posted.get("posts", 0),
            company_posts=posted.get("company", 0),
            followers_start=first,
            followers_end=last,
            impressions=_measured(posted, "impressions"),
            members_reached=_measured(posted, "members_reached"),
            engagements=_engagements(posted),
            clicks=clicked.get("clicks", 0),
            unique_clicks=clicked.get("unique", 0),
            days=length,
        )
        pairs.append((member, row))
    return pairs


def _ranked(rows: Iterable[EmployeeRow]) -> list[EmployeeRow]:
    return sorted(rows, key=lambda row: (-row.posts, -(row.impressions or 0), row.name.lower()))


def _unnamed(rows: list[EmployeeRow], length: int) -> EmployeeRow | None:
    """The participants a leader does not see by name, together; only when there are enough
    of them that the total says nothing about one person."""
    if len(rows) < MIN_TEAM_SIZE_FOR_LEADERS:
        return None
    measured = [row for row in rows if row.impressions is not None]
    return EmployeeRow(
        name=_("Participants not named (%(count)s)") % {"count": len(rows)},
        team="",
        posts=sum(row.posts for row in rows),
        company_posts=sum(row.company_posts for row in rows),
        followers_start=None,
        followers_end=None,
        impressions=total_of(row.impressions for row in measured),
        members_reached=total_of(row.members_reached for row in measured),
        engagements=total_of(row.engagements for row in measured),
        clicks=sum(row.clicks for row in rows),
        unique_clicks=sum(row.unique_clicks for row in rows),
        days=length,
        people=len(rows),
    )


def _sources(organization: Organization, start: dt.date, end: dt.date) -> list[SourceNote]:
    subjects = [
        (PageFollowers, _("company page followers")),
        (MemberFollowers, _("employee follower figures")),
        (PostMetrics, _("post figures")),
    ]
    labels = dict(Source.choices)
    notes: list[SourceNote] = []
    for model, subject in subjects:
        counts = (
            model.objects.for_org(organization)
            .filter(day__gte=start, day__lte=end)
            .exclude(source=Source.API)
            .values("source")
            .order_by("source")
            .annotate(n=Count("pk"))
        )
        notes.extend(
            SourceNote(subject=subject, source=str(labels[row["source"]]), rows=row["n"])
            for row in counts
        )
    return notes


def _day_sums(organization: Organization, start: dt.date, end: dt.date) -> Sums:
    return Sums.of(
        OrganizationDay.objects.for_org(organization)
        .filter(day__gte=start, day__lte=end)
        .aggregate(**_sum_expressions())
    )


def leadership_report(
    organization: Organization, start: dt.date, end: dt.date, *, viewer: Membership
) -> LeadershipReport:
    """The report for the days from `start` to `end` as `viewer` may see it."""
    previous_start, previous_end = previous_period(start, end)
    current = growth_report(organization, start, end)
    previous = growth_report(organization, previous_start, previous_end)
    length = (end - start).days + 1
    members = _members(organization)
    participants = [member for member in members if member["opted_in_at"] is not None]
    all_names = sees_every_name(viewer)

    points = _day_points(organization, start, end)
    total = _day_sums(organization, start, end)
    previous_total = _day_sums(organization, previous_start, previous_end)
    granularity = granularity_of(length)

    pairs = _employee_rows(organization, start, end, participants=participants)
    authors = {member["pk"] for member, row in pairs if row.posts}
    teams, teams_left_out = _team_rows(
        organization,
        start,
        end,
        participants=participants,
        authors=authors,
        total=total,
        merge_small=not all_names,
    )
    if all_names:
        named, unnamed = _ranked(row for _member, row in pairs), None
    else:
        named = _ranked(row for member, row in pairs if member["show_on_leaderboard"])
        hidden = [row for member, row in pairs if not member["show_on_leaderboard"]]
        unnamed = _unnamed(hidden, length)
    # The organization's mix from the same posts as the growth report's company_content_pct.
    mix = Sums(
        posts=sum(row.posts for _member, row in pairs),
        company_posts=sum(row.company_posts for _member, row in pairs),
    )

    content, own_posts = _content_rows(organization, start, end)
    library = ContentItem.objects.for_org(organization).aggregate(
        items=Count("pk", filter=Q(status=ContentItem.Status.PUBLISHED)),
        company=Count("pk", filter=Q(status=ContentItem.Status.PUBLISHED, is_company_content=True)),
    )
    return LeadershipReport(
        organization=organization,
        start=start,
        end=end,
        previous_start=previous_start,
        previous_end=previous_end,
        current=current,
        previous=previous,
        figures=figures_of(current, previous),
        cadence=Cadence(
            posts=current.posts,
            previous_posts=previous.posts,
            participants=current.participants,
            days=length,
            target=organization.posts_per_week_target,
        ),
        days=points,
        granularity=granularity,
        periods=periods_of(points, granularity),
        members=len(members),
        teams=teams,
        teams_left_out=teams_left_out,
        campaigns=_campaign_rows(organization, start, end),
        live_campaigns=Campaign.objects.for_org(organization)
        .filter(status=Campaign.Status.LIVE)
        .count(),
        content=content,
        own_posts=own_posts,
        recruitment=Recruitment(
            shares=total.job_posts,
            impressions=total.job_impressions,
            clicks=total.job_clicks,
            previous_shares=previous_total.job_posts,
            previous_clicks=previous_total.job_clicks,
            jobs=[row for row in content if row.kind == ContentItem.Kind.JOB],
        ),
        mix=GroupRow(
            name=organization.name,
            sums=mix,
            participants=current.participants,
            authors=len(authors),
            days=length,
        ),
        library_items=library["items"],
        library_company_items=library["company"],
        names_shown=NAMES_ALL if all_names else NAMES_OPTED_IN,
        employees=named,
        unnamed=unnamed,
        sources=_sources(organization, start, end),
    )
