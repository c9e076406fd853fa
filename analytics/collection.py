"""Collecting figures from LinkedIn: the followers of participants and of the company page, and
the reach of participants' posts, as dated snapshots (docs/analytics.md).

Three units of work, each idempotent and each re-reading its rows first:
- a participant's followers (`collect_member_followers`), read with their own connection;
  several participants' at once, side by side and written together
  (`collect_members_followers`), as the daily collection does;
- the company page's followers (`collect_page_followers`), read with the page connection;
- a participant's posts (`collect_member_posts`): the five figures of each post that is due.

Each unit writes one snapshot row per subject per day, by upsert (running it twice changes
nothing), marked `Source.API`; a day someone imported or entered by hand is left as they gave
it. Then the rollups of the days it touched are recomputed. Only participants are collected:
someone who is not (or no longer) opted in is skipped before anything is read.

History ("backfill") is read from LinkedIn's date-range endpoints the first time a subject is
collected (it has no API snapshot yet, as after its first connection) and whenever a `since`
day is given (`collect_metrics --since`), never further back than ANALYTICS_BACKFILL_DAYS.
LinkedIn serves daily changes, not past totals, so past totals are derived backwards from
today's (linkedin-api.md 6.3): `totals_from_changes` is that one rule, for members, the page
and posts alike. LinkedIn's days are UTC days; each is stored on the organization's day of the
same date.

Errors: an expired or revoked token is recorded on its connection and ends that unit; a figure
LinkedIn will not give (403 for a missing scope, or the 404s reported of Development-tier apps)
is noted as unavailable, which is no failure; anything else ends the unit with `Interrupted`,
after what was already read has been written, so that a task can retry it later (429, 5xx, no
answer) or give up (anything LinkedIn will keep refusing).
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar, copy_context
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial
from itertools import repeat
from typing import Any, TypeVar

from celery.exceptions import SoftTimeLimitExceeded
from django import db
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from advocacy.linkedin import errors, scopes
from advocacy.linkedin.client import Aggregation, LinkedInClient, PostMetric
from advocacy.linkedin.models import RECONNECT_STATUSES, Connection, PageConnection
from advocacy.linkedin.services import client_for, record_failure
from advocacy.tenancy.models import Membership, Organization
from content.models import Post

from .models import MemberFollowers, PageFollowers, PostMetrics, Source
from .rollups import (
    POST_FIGURES,
    days_of_posts,
    mark_pending,
    participant_ids,
    recompute_days,
    today_of,
    zone_of,
)

logger = logging.getLogger(__name__)
_Job = TypeVar("_Job")

PAGE_SCOPE = "rw_organization_admin"
# LinkedIn's queryType for each of the post's figures (POST_FIGURES).
POST_QUERY_TYPES = {
    "impressions": PostMetric.IMPRESSION,
    "members_reached": PostMetric.MEMBERS_REACHED,
    "reactions": PostMetric.REACTION,
    "comments": PostMetric.COMMENT,
    "reshares": PostMetric.RESHARE,
}

# What each unit collects, named as its table is.
MEMBER_FOLLOWERS = MemberFollowers._meta.verbose_name_plural
PAGE_FOLLOWERS = PageFollowers._meta.verbose_name_plural
POST_FIGURES_NAME = PostMetrics._meta.verbose_name_plural

NOT_PARTICIPANT = gettext_lazy("not taking part in the program")
NO_CONNECTION = gettext_lazy("no LinkedIn account connected")
NO_PAGE = gettext_lazy("no company page connected")
RECONNECT = gettext_lazy("the LinkedIn connection must be connected again")


# -- settings ---------------------------------------------------------------------------------


def backfill_limit(today: date) -> date:
    """The oldest day history is read for (LinkedIn reportedly serves 12 months)."""
    return today - timedelta(days=int(settings.ANALYTICS_BACKFILL_DAYS))


# -- what a unit did --------------------------------------------------------------------------


@dataclass
class Collected:
    """What one unit of collection did: for a task's log and the command's report.

    `rows` counts snapshot rows written per table; `posts` the posts whose latest figures were
    collected. `skipped` says why nothing was read at all; `unavailable` which figures LinkedIn
    would not give (and why); `stopped` why a connection stopped working part-way; `failed`
    what ended it otherwise (collect_organization fills it in). `days` are the days whose
    follower snapshots were written.
    """

    subject: str
    figure: str
    rows: Counter[str] = field(default_factory=Counter)
    posts: int = 0
    days: set[date] = field(default_factory=set)
    skipped: str = ""
    unavailable: list[str] = field(default_factory=list)
    stopped: str = ""
    failed: str = ""
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line, e.g. "member followers: 31 rows" or "member followers: skipped (...)"."""
        if self.skipped:
            return _("%(figure)s: skipped (%(why)s)") % {"figure": self.figure, "why": self.skipped}
        rows = sum(self.rows.values())
        if self.unavailable and not (rows or self.stopped or self.failed):
            why = "; ".join(self.unavailable)
            return _("%(figure)s: unavailable (%(why)s)") % {"figure": self.figure, "why": why}
        parts = [ngettext("%(count)s row", "%(count)s rows", rows) % {"count": rows}]
        if self.posts:
            parts.append(
                ngettext("%(count)s post", "%(count)s posts", self.posts) % {"count": self.posts}
            )
        parts += [_("unavailable: %(why)s") % {"why": why} for why in self.unavailable]
        if self.stopped:
            parts.append(_("stopped: %(why)s") % {"why": self.stopped})
        if self.failed:
            parts.append(_("failed: %(why)s") % {"why": self.failed})
        parts += self.notes
        return f"{self.figure}: {'; '.join(parts)}"


class Interrupted(Exception):
    """A unit ended part-way for `cause`; `collected` says what was written before it."""

    def __init__(self, cause: Exception, collected: Collected) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.collected = collected

    @property
    def retryable(self) -> bool:
        return isinstance(self.cause, errors.LinkedInError) and self.cause.retryable

    @property
    def retry_after(self) -> float | None:
        return getattr(self.cause, "retry_after", None)


def _missing_scope(scope: str) -> str:
    return _(
        "the LinkedIn connection lacks the permission “%(scope)s”, which LinkedIn grants only "
        "to applications approved for its Community Management API"
    ) % {"scope": scope}


def _refused(error: errors.LinkedInError) -> str:
    if isinstance(error, errors.NotFound):
        # LinkedIn is reported to answer 404 to analytics calls until an app leaves its
        # Development tier (linkedin-api.md 11).
        return _("LinkedIn has no figures for it (HTTP 404; a Development-tier application?)")
    return _("LinkedIn refused to give them (%(error)s)") % {"error": error}


def _can_collect(
    collected: Collected,
    holder: Connection | PageConnection | None,
    scope: str,
    *,
    missing: Any = NO_CONNECTION,
) -> bool:
    """Whether `holder` may be asked for figures needing `scope`; notes why not on `collected`."""
    if holder is None:
        collected.skipped = str(missing)
        return False
    if holder.needs_reconnect:
        collected.skipped = str(RECONNECT)
        return False
    if not holder.has_scope(scope):
        collected.unavailable.append(_missing_scope(scope))
        return False
    return True


def _stop(
    collected: Collected, holder: Connection | PageConnection, error: errors.LinkedInError
) -> None:
    """The token stopped working: say so on the connection (its owner sees it) and here."""
    record_failure(holder, error)
    collected.stopped = str(error.explanation)


# -- deriving daily totals --------------------------------------------------------------------


def totals_from_changes(
    *, today: date, today_total: int, changes: Mapping[date, int], first_day: date
) -> dict[date, int]:
    """Each day's total from `first_day` to today, derived backwards from today's total:
    total(D - 1) = total(D) - change(D) (linkedin-api.md 6.3).

    A day LinkedIn gave no change for counts as unchanged. The derivation stops where a total
    would fall below zero (LinkedIn's figures disagreeing with each other), rather than store
    an impossible figure.
    """
    totals = {today: today_total}
    total, day = today_total, today
    while day > first_day:
        total -= changes.get(day, 0)
        day -= timedelta(days=1)
        if total < 0:
            break
        totals[day] = total
    return totals


def _first_day(start: date, changes: Mapping[date, int], today: date) -> date:
    # Never before the first day LinkedIn answered for: older totals would be invented.
    return max(start, min(changes)) if changes else today


def member_follower_totals(
    *, today: date, today_count: int, daily: Mapping[date, int], start: date
) -> dict[date, int]:
    """A member's daily follower totals from today's count and memberFollowersCount's
    daily figures (`q=dateRange`).

    Whether those daily figures are each day's gain or its total is unconfirmed
    (linkedin-api.md 6.2); settings.LINKEDIN_MEMBER_FOLLOWERS_BY_DAY says which, and this
    is the one place that reads it. The sandbox answers gains, and so does LinkedIn by the
    zeros observed in its answers.
    """
    if settings.LINKEDIN_MEMBER_FOLLOWERS_BY_DAY == "totals":
        totals = {day: value for day, value in daily.items() if start <= day < today}
        totals[today] = today_count
        return totals
    return totals_from_changes(
        today=today,
        today_total=today_count,
        changes=daily,
        first_day=_first_day(start, daily, today),
    )


def _history_start(today: date, since: date | None, has_history: bool) -> date | None:
    """From which day history is read: `since`, or the backfill limit for a subject seen for
    the first time; None when only today's figure is wanted."""
    limit = backfill_limit(today)
    if since is not None:
        return max(since, limit)
    return None if has_history else limit


# -- member followers -------------------------------------------------------------------------


def _participants(organization: Organization, membership_ids: Iterable[int]) -> QuerySet[Any]:
    """The participants among `membership_ids`, with their user and LinkedIn connection read
    in the same query."""
    return (
        Membership.objects.for_org(organization)
        .filter(pk__in=list(membership_ids))
        .filter(pk__in=participant_ids(organization))
        .select_related("user__linkedin_connection")
    )


def _participant(organization: Organization, membership_id: int) -> Membership | None:
    return _participants(organization, [membership_id]).first()


def _connection_of(membership: Membership) -> Connection | None:
    try:
        return membership.user.linkedin_connection  # read with the membership
    except Connection.DoesNotExist:
        return None


@dataclass
class _FollowersReading:
    """One participant's followers as LinkedIn gave them, before they are written."""

    membership_id: int
    collected: Collected
    start: date | None = None
    totals: dict[date, int] = field(default_factory=dict)
    interruption: Exception | None = None


def collect_members_followers(
    *, organization: Organization, membership_ids: Sequence[int], since: date | None = None
) -> list[tuple[int, Collected, Exception | None]]:
    """Today's follower counts of several participants, and the history of those collected
    for the first time (or from `since`): for each member, once and in the order given, what
    their unit did and the LinkedIn error that interrupted it, if any.

    The participants are read in one query; LinkedIn is asked for each with their own token,
    up to ANALYTICS_COLLECT_THREADS side by side (most of the time is the wait for its
    answers); then every count read is written in one upsert and the days touched are marked
    for the rollups once. A member whose calls failed is written nothing and comes back with
    the error, for the caller to retry alone; the others are not held back by it.
    """
    collected_before = MemberFollowers.objects.for_org(organization).filter(
        membership=OuterRef("pk"), source=Source.API
    )
    members = {
        member.pk: member
        for member in _participants(organization, membership_ids).annotate(
            has_history=Exists(collected_before)
        )
    }
    today = today_of(organization)
    readings = [
        _FollowersReading(membership_id, Collected(subject="", figure=str(MEMBER_FOLLOWERS)))
        for membership_id in dict.fromkeys(membership_ids)  # one row a member and day
    ]
    asked: list[tuple[_FollowersReading, Connection]] = []
    for reading in readings:
        membership = members.get(reading.membership_id)
        if membership is None:
            reading.collected.skipped = str(NOT_PARTICIPANT)
            continue
        reading.collected.subject = membership.display_name
        connection = _connection_of(membership)
        if _can_collect(reading.collected, connection, scopes.PROFILE_ANALYTICS):
            assert connection is not None
            reading.start = _history_start(today, since, membership.has_history)
            asked.append((reading, connection))
    _side_by_side(lambda job: _read_followers(*job, today=today), asked)
    _upsert_member_followers(organization, readings, today)
    _recompute(organization, {day for reading in readings for day in reading.collected.days})
    return [
        (reading.membership_id, reading.collected, reading.interruption) for reading in readings
    ]


def collect_member_followers(
    *, organization: Organization, membership_id: int, since: date | None = None
) -> Collected:
    """Today's follower count of a participant, and their history when it is first collected
    or `since` is given; upserted into MemberFollowers, then the rollups of those days.
    Raises Interrupted when LinkedIn's answer failed (nothing is written then)."""
    ((_membership_id, collected, interruption),) = collect_members_followers(
        organization=organization, membership_ids=[membership_id], since=since
    )
    if interruption is not None:
        raise Interrupted(interruption, collected) from interruption
    return collected


def _side_by_side(work: Callable[[_Job], None], jobs: Sequence[_Job]) -> None:
    """`work(job)` for each job, up to ANALYTICS_COLLECT_THREADS at once on PostgreSQL.

    Each thread takes job after job, in a copy of the caller's context (its tenant scope;
    one copy per thread, so that its cache client is made once), with database connections
    of its own, given back when it ends. Those see committed rows only, so inside a
    transaction (and on SQLite, which serves one writer at a time) the jobs run one after
    the other here.
    """
    threads = min(int(settings.ANALYTICS_COLLECT_THREADS), len(jobs))
    if threads <= 1 or db.connection.vendor != "postgresql" or db.connection.in_atomic_block:
        for job in jobs:
            work(job)
        return
    pending = iter(jobs)
    taking = threading.Lock()

    def lane() -> None:
        try:
            while True:
                with taking:
                    job = next(pending, None)
                if job is None:
                    return
                work(job)
        finally:
            db.connections.close_all()  # this thread's own, back to the pool

    with ThreadPoolExecutor(threads, thread_name_prefix="collect") as pool:
        for future in [pool.submit(copy_context().run, lane) for _ in range(threads)]:
            future.result()


def _read_followers(reading: _FollowersReading, connection: Connection, *, today: date) -> None:
    collected, start = reading.collected, reading.start
    try:
        client = client_for(connection)
        count = client.member_followers_count()
        daily: dict[date, int] = {}
        if start is not None:
            daily = _history(collected, partial(_member_gains, client, start, today))
    except (errors.TokenExpired, errors.TokenRevoked) as error:
        _stop(collected, connection, error)
        return
    except (errors.PermissionDenied, errors.NotFound) as error:
        collected.unavailable.append(_refused(error))
        return
    except errors.LinkedInError as error:
        reading.interruption = error
        return
    reading.totals = (
        member_follower_totals(today=today, today_count=count, daily=daily, start=start)
        if start is not None
        else {today: count}
    )


def _member_gains(client: LinkedInClient, start: date, today: date) -> dict[date, int]:
    # Up to and including today: today's change is part of today's count.
    return {
        value.day: value.value
        for value in client.member_followers_by_day(start, today + timedelta(days=1))
    }


def _history(collected: Collected, read: Callable[[], dict[date, int]]) -> dict[date, int]:
    """History LinkedIn will not give is noted, and today's figure is kept all the same."""
    try:
        return read()
    except (errors.PermissionDenied, errors.NotFound) as error:
        collected.unavailable.append(_("history: %(why)s") % {"why": _refused(error)})
        return {}


def _kept_days(queryset: QuerySet[Any], days: Iterable[date], measured: date) -> set[date]:
    """Days of `queryset` whose figure was imported or entered by hand, which history derived
    from LinkedIn's daily changes does not overwrite. The `measured` day (today) is not among
    them: LinkedIn's own count of today replaces whatever was typed or imported for it."""
    days = list(days)
    kept = set(
        queryset.filter(day__gte=min(days), day__lte=max(days))
        .exclude(source=Source.API)
        .values_list("day", flat=True)
    )
    kept.discard(measured)
    return kept


def _upsert_member_followers(
    organization: Organization, readings: Sequence[_FollowersReading], measured: date
) -> None:
    """Write every reading's totals in one statement, noting on each the days written.

    A day someone imported or typed in is left as they gave it, except the `measured` day
    (today): LinkedIn's own count of today replaces it. On PostgreSQL the rows go as three
    arrays in a single INSERT … ON CONFLICT whose update skips those days; elsewhere the
    hand-kept days are read first and the rest upserted with bulk_create.
    """
    read = [reading for reading in readings if reading.totals]
    if not read:
        return
    if db.connection.vendor == "postgresql":
        written = _upsert_member_followers_postgresql(organization, read, measured)
    else:
        written = _upsert_member_followers_portable(organization, read, measured)
    days: dict[int, set[date]] = {reading.membership_id: set() for reading in read}
    for membership_id, day in written:
        days[membership_id].add(day)
    table = str(MEMBER_FOLLOWERS)
    for reading in read:
        reading.collected.rows[table] += len(days[reading.membership_id])
        reading.collected.days.update(days[reading.membership_id])


_FOLLOWERS_UPSERT = """
    INSERT INTO {table}
        (public_id, organization_id, membership_id, day, followers, source, collected_at)
    SELECT gen_random_uuid(), %(organization)s, given.membership_id, given.day, given.followers,
        %(api)s, %(now)s
    FROM unnest(%(members)s::bigint[], %(days)s::date[], %(followers)s::integer[])
        AS given (membership_id, day, followers)
    ON CONFLICT (organization_id, membership_id, day) DO UPDATE
    SET followers = EXCLUDED.followers, source = EXCLUDED.source,
        collected_at = EXCLUDED.collected_at
    WHERE {table}.source = %(api)s OR {table}.day = %(measured)s
    RETURNING membership_id, day
""".strip()


def _upsert_member_followers_postgresql(
    organization: Organization, readings: Sequence[_FollowersReading], measured: date
) -> list[tuple[int, date]]:
    members: list[int] = []
    days: list[date] = []
    followers: list[int] = []
    for reading in readings:
        members.extend(repeat(reading.membership_id, len(reading.totals)))
        days.extend(reading.totals)
        followers.extend(reading.totals.values())
    table = db.connection.ops.quote_name(MemberFollowers._meta.db_table)
    with db.connection.cursor() as cursor:
        cursor.execute(
            _FOLLOWERS_UPSERT.format(table=table),
            {
                "organization": organization.pk,
                "api": Source.API,
                "now": timezone.now(),
                "members": members,
                "days": days,
                "followers": followers,
                "measured": measured,
            },
        )
        return cursor.fetchall()


def _upsert_member_followers_portable(
    organization: Organization, readings: Sequence[_FollowersReading], measured: date
) -> list[tuple[int, date]]:
    rows = MemberFollowers.objects.for_org(organization)
    days = [day for reading in readings for day in reading.totals]
    kept = set(
        rows.filter(
            membership__in=[reading.membership_id for reading in readings],
            day__gte=min(days),
            day__lte=max(days),
        )
        .exclude(source=Source.API)
        .exclude(day=measured)
        .values_list("membership_id", "day")
    )
    new = [
        MemberFollowers(
            organization=organization,
            membership_id=reading.membership_id,
            day=day,
            followers=followers,
            source=Source.API,
        )
        for reading in readings
        for day, followers in sorted(reading.totals.items())
        if (reading.membership_id, day) not in kept
    ]
    rows.bulk_create(
        new,
        update_conflicts=True,
        unique_fields=["organization", "membership", "day"],
        update_fields=["followers", "source", "collected_at"],
    )
    return [(row.membership_id, row.day) for row in new]


# -- company page followers -------------------------------------------------------------------


def collect_page_followers(*, organization: Organization, since: date | None = None) -> Collected:
    """Today's follower total of the organization's company page, and its history when it is
    first collected or `since` is given; upserted into PageFollowers, then the rollups."""
    collected = Collected(subject=str(_("company page")), figure=str(PAGE_FOLLOWERS))
    page = PageConnection.objects.for_org(organization).first()
    if not _can_collect(collected, page, PAGE_SCOPE, missing=NO_PAGE):
        return collected
    assert page is not None
    collected.subject = page.page_name or page.page_urn
    today = today_of(organization)
    has_history = PageFollowers.objects.for_org(organization).filter(source=Source.API).exists()
    start = _history_start(today, since, has_history)
    try:
        client = client_for(page)
        total = client.page_follower_count(page.page_urn)
        gains: dict[date, int] = {}
        if start is not None:
            gains = _history(collected, partial(_page_gains, client, page.page_urn, start, today))
    except (errors.TokenExpired, errors.TokenRevoked) as error:
        _stop(collected, page, error)
        return collected
    except (errors.PermissionDenied, errors.NotFound) as error:
        collected.unavailable.append(_refused(error))
        return collected
    except errors.LinkedInError as error:
        raise Interrupted(error, collected) from error
    totals = (
        totals_from_changes(
            today=today,
            today_total=total,
            changes=gains,
            first_day=_first_day(start, gains, today),
        )
        if start is not None
        else {today: total}
    )
    rows = PageFollowers.objects.for_org(organization)
    kept = _kept_days(rows, totals, today)
    new = [
        PageFollowers(organization=organization, day=day, followers=followers, source=Source.API)
        for day, followers in sorted(totals.items())
        if day not in kept
    ]
    rows.bulk_create(
        new,
        update_conflicts=True,
        unique_fields=["organization", "day"],
        update_fields=["followers", "source", "collected_at"],
    )
    collected.rows[str(PAGE_FOLLOWERS)] += len(new)
    collected.days.update(row.day for row in new)
    _recompute(organization, collected.days)
    return collected


def _page_gains(client: LinkedInClient, page_urn: str, start: date, today: date) -> dict[date, int]:
    return {
        gain.day: gain.organic + gain.paid
        for gain in client.page_follower_gains(page_urn, start, today + timedelta(days=1))
    }


# -- post figures -----------------------------------------------------------------------------


def _published_posts(queryset: QuerySet[Any], now: datetime) -> QuerySet[Any]:
    return queryset.filter(
        status=Post.Status.PUBLISHED, published_at__isnull=False, published_at__lte=now
    ).exclude(linkedin_urn="")


def _due(now: datetime) -> Q:
    """Posts whose figures are due: young ones always, older ones when last collected long
    enough ago, none past the maximum age (their figures have settled)."""
    fresh = now - timedelta(days=int(settings.ANALYTICS_POST_FRESH_DAYS))
    oldest = now - timedelta(days=int(settings.ANALYTICS_POST_MAX_AGE_DAYS))
    stale = now - timedelta(hours=int(settings.ANALYTICS_POST_RECOLLECT_HOURS))
    return Q(published_at__gt=fresh) | (
        Q(published_at__gte=oldest)
        & (Q(metrics_updated_at__isnull=True) | Q(metrics_updated_at__lt=stale))
    )


def _start_of(organization: Organization, day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone_of(organization))


def due_posts(
    *, organization: Organization, membership: Membership, now: datetime, since: date | None = None
) -> QuerySet[Any]:
    """The member's published posts whose figures are due now; with `since`, also every post
    published since that day (its history is filled in), whatever its age."""
    due = _due(now)
    if since is not None:
        due |= Q(published_at__gte=_start_of(organization, since))
    posts = Post.objects.for_org(organization).filter(author=membership)
    # Least recently collected first: when the day's budget runs out part-way, the next run
    # starts with the posts this one did not reach.
    return (
        _published_posts(posts, now)
        .filter(due)
        .order_by(F("metrics_updated_at").asc(nulls_first=True), "published_at", "pk")
    )


@dataclass
class _PostReading:
    post: Post
    totals: dict[str, int | None]
    history: dict[date, dict[str, int | None]] = field(default_factory=dict)


def _read_post(
    client: LinkedInClient, post: Post, *, today: date, history_from: date | None
) -> _PostReading:
    """The post's five figures today (TOTAL) and, from `history_from`, each day's (DAILY,
    turned into totals backwards from today's). A figure LinkedIn has no data for is None."""
    reading = _PostReading(post=post, totals={})
    for name, metric in POST_QUERY_TYPES.items():
        total = client.post_analytics(post.linkedin_urn, metric, Aggregation.TOTAL).total
        reading.totals[name] = total
        if history_from is None or total is None:
            continue
        daily = client.post_analytics(post.linkedin_urn, metric, Aggregation.DAILY)
        changes = {value.day: value.value for value in daily.by_day}
        by_day = totals_from_changes(
            today=today,
            today_total=total,
            changes=changes,
            first_day=_first_day(history_from, changes, today),
        )
        for day, value in by_day.items():
            if day < today:
                reading.history.setdefault(day, dict.fromkeys(POST_FIGURES))[name] = value
    return reading


def collect_member_posts(
    *, organization: Organization, membership_id: int, since: date | None = None
) -> Collected:
    """The figures of a participant's due posts (`due_posts`): today's snapshot of each, its
    history when first collected or `since` is given, and the latest values on the post."""
    collected = Collected(subject="", figure=str(POST_FIGURES_NAME))
    membership = _participant(organization, membership_id)
    if membership is None:
        collected.skipped = str(NOT_PARTICIPANT)
        return collected
    collected.subject = membership.display_name
    connection = _connection_of(membership)
    if not _can_collect(collected, connection, scopes.POST_ANALYTICS):
        return collected
    assert connection is not None
    now, today = timezone.now(), today_of(organization)
    posts = list(due_posts(organization=organization, membership=membership, now=now, since=since))
    if not posts:
        collected.notes.append(_("no posts due"))
        return collected
    seen = set(
        PostMetrics.objects.for_org(organization)
        .filter(post__in=[post.pk for post in posts], source=Source.API)
        .values_list("post_id", flat=True)
        .distinct()
    )
    limit = max(since, backfill_limit(today)) if since is not None else backfill_limit(today)
    zone = zone_of(organization)
    readings: list[_PostReading] = []
    interruption: Exception | None = None
    try:
        client = client_for(connection)
        for post in posts:
            published = timezone.localtime(post.published_at, zone).date()
            wanted = since is not None or post.pk not in seen
            try:
                readings.append(
                    _read_post(
                        client,
                        post,
                        today=today,
                        history_from=max(published, limit) if wanted else None,
                    )
                )
            except errors.NotFound as error:
                collected.notes.append(f"{post.linkedin_urn}: {_refused(error)}")
            except ValueError as error:  # not a URN LinkedIn's analytics know (post_entity)
                collected.notes.append(str(error))
    except (errors.TokenExpired, errors.TokenRevoked) as error:
        _stop(collected, connection, error)
    except errors.PermissionDenied as error:
        collected.unavailable.append(_refused(error))
    except (errors.LinkedInError, SoftTimeLimitExceeded) as error:
        # What was read is written first: the posts done need not be asked for again.
        interruption = error
    changed = _write_post_readings(organization, readings, now=now, today=today, into=collected)
    _recompute(organization, collected.days | days_of_posts(organization, changed))
    if interruption is not None:
        raise Interrupted(interruption, collected) from interruption
    return collected


def _write_post_readings(
    organization: Organization,
    readings: list[_PostReading],
    *,
    now: datetime,
    today: date,
    into: Collected,
) -> set[int]:
    """Upsert the snapshots and set the posts' latest figures; returns the ids of the posts
    whose latest figures changed."""
    if not readings:
        return set()
    snapshots = PostMetrics.objects.for_org(organization)
    days = {today, *(day for reading in readings for day in reading.history)}
    kept = set(
        snapshots.filter(post__in=[reading.post.pk for reading in readings], day__gte=min(days))
        .exclude(source=Source.API)
        .values_list("post_id", "day")
    )
    rows: list[PostMetrics] = []
    changed: set[int] = set()
    for reading in readings:
        post = reading.post
        for day, values in sorted({**reading.history, today: reading.totals}.items()):
            if (post.pk, day) not in kept:
                rows.append(
                    PostMetrics(
                        organization=organization, post=post, day=day, source=Source.API, **values
                    )
                )
        for name, value in reading.totals.items():
            # No data now (`elements: []`) is no reason to forget what was measured before.
            if value is not None and getattr(post, name) != value:
                setattr(post, name, value)
                changed.add(post.pk)
        post.metrics_updated_at = now
    with transaction.atomic():
        snapshots.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["organization", "post", "day"],
            update_fields=[*POST_FIGURES, "source", "collected_at"],
        )
        Post.objects.for_org(organization).bulk_update(
            [reading.post for reading in readings], [*POST_FIGURES, "metrics_updated_at"]
        )
    into.rows[str(POST_FIGURES_NAME)] += len(rows)
    into.posts += len(readings)
    return changed


# -- rollups ----------------------------------------------------------------------------------


# Inside collect_organization: the days touched so far, recomputed once at the end.
_deferred_days: ContextVar[set[date] | None] = ContextVar("deferred_rollup_days", default=None)


def _recompute(organization: Organization, days: set[date]) -> None:
    """The rollups of `days` after a unit of collection.

    Recomputing a day reads every participant's figures, so doing it after each of thousands
    of members would cost the square of the organization's size. In the foreground
    (collect_organization) the days are gathered and done once at the end; on the workers,
    with ANALYTICS_ROLLUP_DELAY_SECONDS, they are marked and one task does them a little
    later (tasks.py); with 0, at once.
    """
    if not days:
        return
    deferred = _deferred_days.get()
    if deferred is not None:
        deferred.update(days)
        return
    if int(settings.ANALYTICS_ROLLUP_DELAY_SECONDS) > 0:
        mark_pending(organization=organization, days=days)
        return
    _recompute_now(organization, days)


def _recompute_now(organization: Organization, days: set[date]) -> None:
    """Recompute the rollups of `days`, one collection at a time per organization: two
    workers replacing the same day's rows at once would collide on its unique constraint."""
    if not days:
        return
    with transaction.atomic():
        list(Organization.objects.select_for_update().filter(pk=organization.pk).values("pk"))
        recompute_days(organization=organization, days=days)


# -- what the periodic tasks fan out to (across organizations) -------------------------------


def _working_connections(user_ids: set[int], scope: str) -> set[int]:
    """The users among `user_ids` whose connection works and holds `scope`."""
    rows = (
        Connection.objects.filter(user_id__in=user_ids)
        .exclude(status__in=RECONNECT_STATUSES)
        .values_list("user_id", "scopes")
    )
    return {user_id for user_id, granted in rows if scope in (granted or [])}


def _participants_across_tenants(prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}is_active": True,
            f"{prefix}user__is_active": True,
            f"{prefix}opted_in_at__isnull": False,
        }
    )


def member_follower_targets() -> list[tuple[int, int]]:
    """(organization id, membership id) of every participant whose connection may read
    their followers."""
    rows = list(
        Membership.all_tenants.filter(_participants_across_tenants())
        .order_by("organization_id", "pk")
        .values_list("organization_id", "pk", "user_id")
    )
    users = _working_connections({row[2] for row in rows}, scopes.PROFILE_ANALYTICS)
    return [(organization_id, pk) for organization_id, pk, user_id in rows if user_id in users]


def page_targets() -> list[int]:
    """Ids of the organizations whose company page connection may read its followers."""
    rows = (
        PageConnection.all_tenants.exclude(status__in=RECONNECT_STATUSES)
        .order_by("organization_id")
        .values_list("organization_id", "scopes")
    )
    return [organization_id for organization_id, granted in rows if PAGE_SCOPE in (granted or [])]


def post_targets(now: datetime) -> list[tuple[int, int]]:
    """(organization id, membership id) of every participant with posts due now whose
    connection may read post analytics."""
    rows = list(
        _published_posts(Post.all_tenants.all(), now)
        .filter(_due(now), _participants_across_tenants("author__"))
        .order_by("organization_id", "author_id")
        .values_list("organization_id", "author_id", "author__user_id")
        .distinct()
    )
    users = _working_connections({row[2] for row in rows}, scopes.POST_ANALYTICS)
    return [(organization_id, pk) for organization_id, pk, user_id in rows if user_id in users]


# -- everything at once, in the foreground (collect_metrics) ----------------------------------


@dataclass
class CollectionReport:
    """What `collect_organization` did, unit by unit."""

    units: list[Collected] = field(default_factory=list)

    @property
    def rows(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for unit in self.units:
            total.update(unit.rows)
        return total

    @property
    def posts(self) -> int:
        return sum(unit.posts for unit in self.units)

    def skipped(self) -> dict[tuple[str, str], list[str]]:
        """(subject, why) → the figures not collected for it: skipped, or stopped part-way
        because its connection stopped working."""
        found: dict[tuple[str, str], list[str]] = {}
        for unit in self.units:
            for why in (unit.skipped, unit.stopped):
                if why:
                    found.setdefault((unit.subject, why), []).append(unit.figure)
        return found

    def unavailable(self) -> dict[tuple[str, str], list[str]]:
        """(figure, why) → the subjects LinkedIn would not give it for."""
        found: dict[tuple[str, str], list[str]] = {}
        for unit in self.units:
            for why in unit.unavailable:
                found.setdefault((unit.figure, why), []).append(unit.subject)
        return found

    def failed(self) -> list[Collected]:
        return [unit for unit in self.units if unit.failed]


def collect_organization(
    *,
    organization: Organization,
    since: date | None = None,
    progress: Callable[[Collected], None] | None = None,
) -> CollectionReport:
    """Everything the workers collect for one organization, in the foreground: the company
    page's followers, the participants' followers (ANALYTICS_COLLECT_BATCH at a time, as the
    workers do), then each participant's posts (`since`: history from that day). A passing
    failure of one unit is reported and the others go on."""
    report = CollectionReport()
    units: list[tuple[str, str, Callable[[], list[Collected]]]] = [
        (
            str(_("company page")),
            str(PAGE_FOLLOWERS),
            _one(partial(collect_page_followers, organization=organization), since=since),
        )
    ]
    participants = list(
        Membership.objects.for_org(organization)
        .filter(pk__in=participant_ids(organization))
        .select_related("user")
        .order_by("user__name", "user__email", "pk")
    )
    size = int(settings.ANALYTICS_COLLECT_BATCH)
    for start in range(0, len(participants), size):
        batch = participants[start : start + size]
        units.append(
            (
                ", ".join(membership.display_name for membership in batch),
                str(MEMBER_FOLLOWERS),
                partial(_followers_units, organization, [m.pk for m in batch], since),
            )
        )
    for membership in participants:
        posts = partial(
            collect_member_posts, organization=organization, membership_id=membership.pk
        )
        units.append((membership.display_name, str(POST_FIGURES_NAME), _one(posts, since=since)))
    touched: set[date] = set()
    deferred = _deferred_days.set(touched)
    try:
        _run_units(units, report, progress)
    finally:
        _deferred_days.reset(deferred)
    _recompute_now(organization, touched)
    return report


def _one(collect: Callable[..., Collected], *, since: date | None) -> Callable[[], list[Collected]]:
    def run() -> list[Collected]:
        return [collect(since=since)]

    return run


def _followers_units(
    organization: Organization, membership_ids: list[int], since: date | None
) -> list[Collected]:
    """collect_members_followers's units, each member's failure noted on their own."""
    units = []
    for _membership_id, collected, interruption in collect_members_followers(
        organization=organization, membership_ids=membership_ids, since=since
    ):
        if interruption is not None:
            collected.failed = _failure_text(interruption)
            logger.warning("Collecting %s failed: %s", collected.subject, interruption)
        units.append(collected)
    return units


def _run_units(
    units: list[tuple[str, str, Callable[[], list[Collected]]]],
    report: CollectionReport,
    progress: Callable[[Collected], None] | None,
) -> None:
    for subject, figure, run in units:
        try:
            done = run()
        except Interrupted as stop:
            collected = stop.collected
            collected.subject = collected.subject or subject
            collected.failed = _failure_text(stop.cause)
            logger.warning("Collecting %s of %s failed: %s", figure, subject, stop.cause)
            done = [collected]
        for collected in done:
            report.units.append(collected)
            if progress is not None:
                progress(collected)


def _failure_text(error: Exception) -> str:
    """What a failed unit's line says: a LinkedIn error's explanation, else the error."""
    return str(getattr(error, "explanation", "") or error)
