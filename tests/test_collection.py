"""Collecting figures from LinkedIn (analytics/collection.py, tasks.py, collect_metrics).

Real HTTP to the sandbox on the live server, with a small scenario whose histories make every
expected figure easy to compute by hand. Time is frozen (ticking) at NOW, a Monday morning in
Copenhagen, so the organization's day and LinkedIn's UTC day are the same date.

- Emma's followers: 500 until 13 November, then 10 more every day: 600 on the 23rd.
- The company page: 1000 until 3 November, then 5 more every day: 1100 on the 23rd.
- Emma's posts: one three days old, one 53 days old, one 145 days old (never collected), and
  one LinkedIn has no figures for.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from celery import signals
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.utils import timezone

from advocacy.linkedin.models import Connection, ConnectionStatus
from advocacy.linkedin.services import connect_page
from advocacy.sandbox import models as sandbox
from advocacy.sandbox.scenario import load_scenario, parse_scenario
from advocacy.sandbox.services import mint_tokens
from advocacy.tenancy.models import Membership
from analytics import collection, tasks
from analytics.models import (
    MemberFollowers,
    OrganizationDay,
    PageFollowers,
    PendingRollupDay,
    PostMetrics,
    Source,
)
from analytics.rollups import mark_pending
from content.models import Post
from content.sharing import record_published_post

from .conftest import Cast
from .publishing_support import LinkedIn, use_live_sandbox

pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)
BACKFILL_DAYS = 30
LIMIT = TODAY - timedelta(days=BACKFILL_DAYS)
PAGE_URN = "urn:li:organization:2414183"
ANALYTICS = [
    "openid",
    "profile",
    "email",
    "w_member_social",
    "r_member_postAnalytics",
    "r_member_profileAnalytics",
]
SELF_SERVE = ["openid", "profile", "email", "w_member_social"]
FIGURES = ("impressions", "members_reached", "reactions", "comments", "reshares")


def member(sub: str, email: str, followers: dict[str, int]) -> dict[str, Any]:
    name = sub.removeprefix("m-").title()
    return {
        "sub": sub,
        "given_name": name,
        "family_name": "Example",
        "email": email,
        "followers": followers,
    }


def figures(impressions: int, reached: int, reactions: int, comments: int, reshares: int) -> dict:
    return {
        "impressions": impressions,
        "members_reached": reached,
        "reactions": reactions,
        "comments": comments,
        "reshares": reshares,
    }


def scenario(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "collection",
        "today": TODAY.isoformat(),
        "seed": 3,
        "pages": [
            {
                "id": "2414183",
                "name": "Acme A/S",
                "admins": ["m-alice"],
                "followers": {"2026-11-03": 1000, "2026-11-23": 1100},
            }
        ],
        "members": [
            member("m-alice", "alice@acme.example", {"2026-11-23": 2000}),
            member("m-emma", "emma@acme.example", {"2026-11-13": 500, "2026-11-23": 600}),
            member("m-carol", "carol@acme.example", {"2026-11-23": 300}),
            member("m-leo", "leo@acme.example", {"2026-11-23": 900}),
            member("m-gus", "gus@globex.example", {"2026-11-23": 70}),
        ],
        "posts": [
            {
                "id": "7301",
                "author": "m-emma",
                "published": "2026-11-20T08:00:00Z",
                "commentary": "Young",
                "metrics": {
                    "2026-11-21": figures(300, 200, 10, 2, 1),
                    "2026-11-23": figures(500, 320, 16, 4, 1),
                },
            },
            {
                "id": "7302",
                "author": "m-emma",
                "published": "2026-10-01T09:00:00Z",
                "commentary": "Older",
                "metrics": {"2026-10-05": figures(1000, 700, 30, 6, 3)},
            },
            {
                "id": "7303",
                "author": "m-emma",
                "published": "2026-07-01T09:00:00Z",
                "commentary": "Settled long ago",
                "metrics": {"2026-07-08": figures(800, 600, 20, 2, 2)},
            },
            {
                "id": "7304",
                "author": "m-leo",
                "published": "2026-11-21T09:00:00Z",
                "commentary": "Leo does not take part",
                "metrics": {"2026-11-22": figures(90, 80, 3, 1, 0)},
            },
            {
                "id": "7305",
                "author": "m-gus",
                "published": "2026-11-21T09:00:00Z",
                "commentary": "Gus is at Globex",
                "metrics": {"2026-11-22": figures(40, 30, 1, 0, 0)},
            },
        ],
    }
    data.update(overrides)
    return data


class Sandbox(LinkedIn):
    """The sandbox with Acme's page, Emma and Carol taking part, Leo connected but not."""

    def membership(self, user: Any) -> Membership:
        organization = self.cast.globex if user == self.cast.gus else self.cast.acme
        return self.cast.membership(user, organization)

    def opt_in(self, *users: Any) -> None:
        pks = [self.membership(user).pk for user in users]
        Membership.all_tenants.filter(pk__in=pks).update(opted_in_at=timezone.now())

    def record_posts(self) -> dict[str, Post]:
        """Each scenario post of a cast member, as published through the platform."""
        users = {"m-emma": self.cast.emma, "m-leo": self.cast.leo, "m-gus": self.cast.gus}
        recorded = {}
        for made in sandbox.Post.objects.filter(member__sub__in=users).select_related("member"):
            membership = self.membership(users[made.member.sub])
            post, _created = record_published_post(
                organization=membership.organization,
                author=membership,
                linkedin_urn=made.urn,
                text=made.commentary,
                published_at=made.created_at,
                is_company_content=False,
            )
            recorded[made.commentary] = post
        return recorded

    def connect_page(self, scopes: list[str] | None = None) -> None:
        tokens = mint_tokens(
            member=sandbox.Member.objects.get(sub="m-alice"),
            scopes=scopes or list(django_settings.LINKEDIN_PAGE_SCOPES),
            client_id=django_settings.LINKEDIN_CLIENT_ID,
            now=timezone.now(),
            with_refresh=False,
        )
        connect_page(
            organization=self.cast.acme,
            page_urn=PAGE_URN,
            connected_by=self.cast.alice,
            scopes=tokens.access.scopes,
            access_token=tokens.access.token,
            expires_in=5_183_999,
        )

    def emma(self) -> Membership:
        return self.membership(self.cast.emma)


def setup_sandbox(
    live_server: Any,
    settings: Any,
    cast: Cast,
    data: dict[str, Any],
    scopes: list[str],
    page_scopes: list[str] | None = None,
) -> Sandbox:
    use_live_sandbox(live_server, settings)
    settings.ANALYTICS_BACKFILL_DAYS = BACKFILL_DAYS
    load_scenario(parse_scenario(data))
    linkedin = Sandbox(cast)
    for user, sub in (
        (cast.emma, "m-emma"),
        (cast.carol, "m-carol"),
        (cast.leo, "m-leo"),
        (cast.gus, "m-gus"),
    ):
        linkedin.connect(user, sub, scopes)
    linkedin.opt_in(cast.emma, cast.carol, cast.gus)
    linkedin.connect_page(page_scopes)
    return linkedin


@pytest.fixture
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def acme(frozen: None, live_server: Any, settings: Any, cast: Cast) -> Sandbox:
    return setup_sandbox(live_server, settings, cast, scenario(), ANALYTICS)


def emma_followers(cast: Cast) -> dict[date, tuple[int, str]]:
    rows = MemberFollowers.all_tenants.filter(
        organization=cast.acme, membership__user=cast.emma
    ).values_list("day", "followers", "source")
    return {day: (followers, source) for day, followers, source in rows}


def expected_emma(day: date) -> int:
    """500 until 13 November, then 10 more a day."""
    return 500 + 10 * max(0, (day - date(2026, 11, 13)).days)


def expected_page(day: date) -> int:
    """1000 until 3 November, then 5 more a day."""
    return 1000 + 5 * max(0, (day - date(2026, 11, 3)).days)


def snapshot(model: Any) -> list[tuple]:
    """Every row of a snapshot table, as (pk, organization, day, values...), to compare runs."""
    fields = ["pk", "organization_id", "day", "source"]
    fields += {
        MemberFollowers: ["membership_id", "followers"],
        PageFollowers: ["followers"],
        PostMetrics: ["post_id", *FIGURES],
    }[model]
    return sorted(model.all_tenants.values_list(*fields))


def collect_acme(cast: Cast, since: date | None = None) -> collection.CollectionReport:
    return collection.collect_organization(organization=cast.acme, since=since)


# Member followers -----------------------------------------------------------------------------


def test_a_first_collection_writes_today_and_derives_history_from_daily_gains(
    cast: Cast, acme: Sandbox
):
    result = collection.collect_member_followers(
        organization=cast.acme, membership_id=acme.emma().pk
    )
    rows = emma_followers(cast)
    assert rows[TODAY] == (600, Source.API)
    # Today's count minus the later days' gains, back to the backfill limit.
    assert sorted(rows) == [LIMIT + timedelta(days=n) for n in range(BACKFILL_DAYS + 1)]
    assert {day: followers for day, (followers, _source) in rows.items()} == {
        day: expected_emma(day) for day in rows
    }
    assert rows[date(2026, 11, 14)] == (510, Source.API)
    assert rows[date(2026, 11, 1)] == (500, Source.API)
    assert result.rows == {"member followers": BACKFILL_DAYS + 1}
    assert not result.skipped
    assert not result.unavailable
    assert not result.stopped


def test_a_later_collection_writes_only_today(cast: Cast, acme: Sandbox):
    emma = acme.emma()
    collection.collect_member_followers(organization=cast.acme, membership_id=emma.pk)
    calls = acme.calls("member.followers")
    with time_machine.travel(NOW + timedelta(days=1), tick=True):
        result = collection.collect_member_followers(organization=cast.acme, membership_id=emma.pk)
    # One call (today's count), no second backfill; the history flat since the 23rd.
    assert acme.calls("member.followers") == calls + 1
    assert result.rows == {"member followers": 1}
    assert emma_followers(cast)[TODAY + timedelta(days=1)] == (600, Source.API)


def test_a_members_collection_reads_the_member_and_their_connection_in_one_query(
    cast: Cast, acme: Sandbox
):
    """The same statements for any member on any day: the participant with their user,
    connection and whether they have history together, the upsert and the days' rollups."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    emma = acme.emma()
    collection.collect_member_followers(organization=cast.acme, membership_id=emma.pk)
    counts = []
    for days in (1, 2):
        with (
            time_machine.travel(NOW + timedelta(days=days), tick=True),
            CaptureQueriesContext(connection) as queries,
        ):
            result = collection.collect_member_followers(
                organization=cast.acme, membership_id=emma.pk
            )
        assert result.rows == {"member followers": 1}
        counts.append(len(queries.captured_queries))
        # On SQLite the live sandbox shares the connection: its own statements are left out.
        reads = [
            query["sql"] for query in queries.captured_queries if "sandbox_" not in query["sql"]
        ]
        assert not any(sql.startswith('SELECT "linkedin_connection"') for sql in reads)
        # Before the upsert: the participant (with user, connection and whether they have
        # history); elsewhere than on PostgreSQL, whose upsert skips them itself, the days
        # typed or imported by hand. The rollups follow.
        upsert = next(n for n, sql in enumerate(reads) if sql.startswith("INSERT"))
        selects = [sql for sql in reads[:upsert] if sql.startswith("SELECT")]
        assert len(selects) == (1 if connection.vendor == "postgresql" else 2)
    assert counts[0] == counts[1]


def test_several_members_are_collected_in_one_unit_each_with_their_own_outcome(
    cast: Cast, acme: Sandbox
):
    emma, carol = acme.emma(), cast.membership(cast.carol, cast.acme)
    leo = cast.membership(cast.leo, cast.acme)  # connected, but not taking part
    units = collection.collect_members_followers(
        organization=cast.acme, membership_ids=[carol.pk, leo.pk, emma.pk]
    )
    assert [membership_id for membership_id, _unit, _stop in units] == [carol.pk, leo.pk, emma.pk]
    (_, carol_unit, carol_stop), (_, leo_unit, leo_stop), (_, emma_unit, emma_stop) = units
    assert carol_stop is leo_stop is emma_stop is None
    assert (carol_unit.subject, emma_unit.subject) == (carol.display_name, emma.display_name)
    assert carol_unit.rows == emma_unit.rows == {"member followers": BACKFILL_DAYS + 1}
    assert leo_unit.skipped == "not taking part in the program"
    assert emma_followers(cast)[date(2026, 11, 14)] == (510, Source.API)
    assert MemberFollowers.all_tenants.get(membership=carol, day=TODAY).followers == 300
    assert not MemberFollowers.all_tenants.filter(membership=leo).exists()
    assert emma_unit.days == carol_unit.days == {LIMIT + timedelta(n) for n in range(31)}


def test_a_members_passing_failure_holds_back_neither_the_others_nor_what_they_read(
    cast: Cast, acme: Sandbox, settings: Any
):
    settings.ANALYTICS_COLLECT_THREADS = 1  # the calls in the batch's order: Emma's two first
    emma, carol = acme.emma(), cast.membership(cast.carol, cast.acme)
    acme.fault("member.followers", status=503, every=3)  # Carol's first call
    units = collection.collect_members_followers(
        organization=cast.acme, membership_ids=[emma.pk, carol.pk]
    )
    (_, emma_unit, emma_stop), (_, carol_unit, carol_stop) = units
    assert emma_stop is None
    assert emma_unit.rows == {"member followers": BACKFILL_DAYS + 1}
    assert carol_stop is not None
    assert collection.Interrupted(carol_stop, carol_unit).retryable
    assert not carol_unit.rows
    assert not MemberFollowers.all_tenants.filter(membership=carol).exists()
    assert emma_followers(cast)[TODAY] == (600, Source.API)


def test_the_batch_task_hands_a_passing_failure_to_a_task_of_its_own(
    cast: Cast, acme: Sandbox, caplog: pytest.LogCaptureFixture
):
    emma, carol = acme.emma(), cast.membership(cast.carol, cast.acme)
    acme.fault("member.followers", status=503)

    def lift_the_fault(sender: Any, **kwargs: Any) -> None:
        acme.clear_faults()  # LinkedIn is fine again by the time the member's own task runs

    signals.task_prerun.connect(lift_the_fault, sender=tasks.collect_member_followers, weak=False)
    try:
        with caplog.at_level("INFO", logger="analytics.tasks"):
            outcome = tasks.collect_members_followers.delay(cast.acme.pk, [emma.pk, carol.pk])
    finally:
        signals.task_prerun.disconnect(lift_the_fault, sender=tasks.collect_member_followers)
    assert outcome.get() == {"retrying": 2}
    waits = [
        record.getMessage() for record in caplog.records if "retrying in" in record.getMessage()
    ]
    assert len(waits) == 2
    # Each member's own task (eager here, so at once) collected them.
    assert emma_followers(cast)[TODAY] == (600, Source.API)
    assert MemberFollowers.all_tenants.get(membership=carol, day=TODAY).followers == 300


def test_a_member_named_twice_in_a_batch_is_collected_once(cast: Cast, acme: Sandbox):
    emma = acme.emma().pk
    assert tasks.collect_members_followers.delay(cast.acme.pk, [emma, emma]).get() == {
        "collected": 1
    }
    assert emma_followers(cast)[TODAY] == (600, Source.API)


def test_the_daily_fan_out_sends_participants_in_batches_per_organization(
    cast: Cast, acme: Sandbox, settings: Any
):
    settings.ANALYTICS_COLLECT_BATCH = 2
    targets = [(1, 10), (1, 11), (1, 12), (2, 20), (1, 13), (1, 14)]
    assert tasks.follower_batches(targets) == [(1, [10, 11]), (1, [12, 13]), (1, [14]), (2, [20])]
    assert tasks.follower_batches([]) == []


def test_a_batchs_statements_do_not_grow_with_its_members(cast: Cast, acme: Sandbox):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    members = [acme.emma().pk, cast.membership(cast.carol, cast.acme).pk]
    collection.collect_members_followers(organization=cast.acme, membership_ids=members)
    counts = []
    for days, batch in ((1, members[:1]), (2, members)):
        with (
            time_machine.travel(NOW + timedelta(days=days), tick=True),
            CaptureQueriesContext(connection) as queries,
        ):
            units = collection.collect_members_followers(
                organization=cast.acme, membership_ids=batch
            )
        assert [unit.rows for _, unit, _stop in units] == [{"member followers": 1}] * len(batch)
        counts.append(
            len([query for query in queries.captured_queries if "sandbox_" not in query["sql"]])
        )
    assert counts[0] == counts[1]


def test_since_fills_history_from_that_day_and_collecting_twice_changes_nothing(
    cast: Cast, acme: Sandbox
):
    # Already collected once (today only, as if her history had been filled before).
    MemberFollowers.all_tenants.create(
        organization=cast.acme, membership=acme.emma(), day=TODAY, followers=1, source=Source.API
    )
    since = date(2026, 11, 10)
    collection.collect_member_followers(
        organization=cast.acme, membership_id=acme.emma().pk, since=since
    )
    rows = emma_followers(cast)
    assert sorted(rows) == [since + timedelta(days=n) for n in range(14)]
    assert all(rows[day] == (expected_emma(day), Source.API) for day in rows)
    before = snapshot(MemberFollowers)
    collection.collect_member_followers(
        organization=cast.acme, membership_id=acme.emma().pk, since=since
    )
    assert snapshot(MemberFollowers) == before


def test_figures_entered_by_hand_are_left_alone_but_todays_count_is_measured(
    cast: Cast, acme: Sandbox
):
    entered = MemberFollowers.all_tenants.create(
        organization=cast.acme,
        membership=acme.emma(),
        day=date(2026, 11, 20),
        followers=777,
        source=Source.ENTERED,
    )
    typed_today = MemberFollowers.all_tenants.create(
        organization=cast.acme,
        membership=acme.emma(),
        day=TODAY,
        followers=1,
        source=Source.ENTERED,
    )
    collection.collect_member_followers(organization=cast.acme, membership_id=acme.emma().pk)
    # History derived from daily changes keeps what was typed ...
    assert emma_followers(cast)[date(2026, 11, 20)] == (777, Source.ENTERED)
    assert emma_followers(cast)[date(2026, 11, 19)] == (560, Source.API)
    assert MemberFollowers.all_tenants.get(pk=entered.pk).followers == 777
    # ... but LinkedIn's own count of today replaces a figure typed for today.
    assert emma_followers(cast)[TODAY] == (600, Source.API)
    assert MemberFollowers.all_tenants.get(pk=typed_today.pk).source == Source.API


def test_daily_totals_can_be_taken_as_given(settings: Any):
    # Should LinkedIn's daily figures turn out to be totals (linkedin-api.md 6.2), one setting
    # switches the derivation.
    settings.LINKEDIN_MEMBER_FOLLOWERS_BY_DAY = "totals"
    daily = {date(2026, 11, 21): 580, date(2026, 11, 22): 590, date(2026, 11, 23): 600}
    totals = collection.member_follower_totals(
        today=TODAY, today_count=601, daily=daily, start=date(2026, 11, 22)
    )
    assert totals == {date(2026, 11, 22): 590, TODAY: 601}
    settings.LINKEDIN_MEMBER_FOLLOWERS_BY_DAY = "gains"
    gains = collection.member_follower_totals(
        today=TODAY, today_count=601, daily=daily, start=date(2026, 11, 22)
    )
    assert gains == {TODAY: 601, date(2026, 11, 22): 1}


# The company page ---------------------------------------------------------------------------


def test_the_pages_history_is_todays_total_minus_later_gains(cast: Cast, acme: Sandbox):
    result = collection.collect_page_followers(organization=cast.acme)
    rows = dict(
        PageFollowers.all_tenants.filter(organization=cast.acme).values_list("day", "followers")
    )
    assert rows[TODAY] == 1100
    assert sorted(rows) == [LIMIT + timedelta(days=n) for n in range(BACKFILL_DAYS + 1)]
    assert rows == {day: expected_page(day) for day in rows}
    assert rows[date(2026, 11, 4)] == 1005
    assert set(PageFollowers.all_tenants.values_list("source", flat=True)) == {Source.API}
    assert result.subject == PAGE_URN
    before = snapshot(PageFollowers)
    collection.collect_page_followers(organization=cast.acme)
    assert snapshot(PageFollowers) == before


def test_a_page_connection_without_the_admin_scope_is_skipped(cast: Cast, acme: Sandbox):
    acme.connect_page(scopes=["openid", "profile", "r_organization_social"])
    result = collection.collect_page_followers(organization=cast.acme)
    assert not PageFollowers.all_tenants.exists()
    assert "rw_organization_admin" in result.unavailable[0]
    assert acme.calls("page.networkSize") == 0


# Posts --------------------------------------------------------------------------------------


def test_post_figures_are_stored_per_day_with_the_latest_on_the_post(cast: Cast, acme: Sandbox):
    posts = acme.record_posts()
    unknown = Post.all_tenants.create(
        organization=cast.acme,
        author=acme.emma(),
        text="LinkedIn has nothing on this one",
        status=Post.Status.PUBLISHED,
        published_at=NOW - timedelta(days=1),
        linkedin_urn="urn:li:share:999999",
    )
    result = collection.collect_member_posts(organization=cast.acme, membership_id=acme.emma().pk)

    young = Post.all_tenants.get(pk=posts["Young"].pk)
    assert [getattr(young, name) for name in FIGURES] == [500, 320, 16, 4, 1]
    assert young.metrics_updated_at is not None
    history = {
        row.day: [getattr(row, name) for name in FIGURES]
        for row in PostMetrics.all_tenants.filter(post=young)
    }
    # From its publication day: interpolated between the scenario's figures, 0 on the day.
    assert history == {
        date(2026, 11, 20): [0, 0, 0, 0, 0],
        date(2026, 11, 21): [300, 200, 10, 2, 1],
        date(2026, 11, 22): [400, 260, 13, 3, 1],
        TODAY: [500, 320, 16, 4, 1],
    }
    older = Post.all_tenants.get(pk=posts["Older"].pk)
    assert older.impressions == 1000
    older_days = PostMetrics.all_tenants.filter(post=older).values_list("day", flat=True)
    assert min(older_days) == LIMIT  # published before the backfill limit

    # No data is None, never 0, on the post and in its snapshot.
    unknown.refresh_from_db()
    assert [getattr(unknown, name) for name in FIGURES] == [None] * 5
    assert unknown.metrics_updated_at is not None
    [empty] = PostMetrics.all_tenants.filter(post=unknown)
    assert (empty.day, empty.impressions, empty.reshares) == (TODAY, None, None)

    settled = Post.all_tenants.get(pk=posts["Settled long ago"].pk)
    assert settled.impressions is None
    assert not PostMetrics.all_tenants.filter(post=settled).exists()
    assert result.posts == 3
    assert set(PostMetrics.all_tenants.values_list("source", flat=True)) == {Source.API}

    before = snapshot(PostMetrics)
    collection.collect_member_posts(organization=cast.acme, membership_id=acme.emma().pk)
    assert snapshot(PostMetrics) == before


def test_young_posts_every_run_older_ones_once_a_day_and_none_past_90_days(
    cast: Cast, acme: Sandbox
):
    posts = acme.record_posts()
    emma = acme.emma().pk
    young, older, settled = (posts[name] for name in ("Young", "Older", "Settled long ago"))

    def updated() -> dict[int, datetime | None]:
        rows = Post.all_tenants.filter(pk__in=[young.pk, older.pk, settled.pk])
        return dict(rows.values_list("pk", "metrics_updated_at"))

    def acme_targets() -> list[tuple[int, int]]:
        return [
            target
            for target in collection.post_targets(timezone.now())
            if target[0] == cast.acme.pk
        ]

    assert acme_targets() == [(cast.acme.pk, emma)]
    collection.collect_member_posts(organization=cast.acme, membership_id=emma)
    first = updated()
    assert first[young.pk] is not None
    assert first[older.pk] is not None
    assert first[settled.pk] is None

    with time_machine.travel(NOW + timedelta(hours=5), tick=True):
        assert acme_targets() == [(cast.acme.pk, emma)]
        collection.collect_member_posts(organization=cast.acme, membership_id=emma)
        later = updated()
        assert later[young.pk] > first[young.pk]
        assert later[older.pk] == first[older.pk]

    with time_machine.travel(NOW + timedelta(hours=21), tick=True):
        collection.collect_member_posts(organization=cast.acme, membership_id=emma)
        next_day = updated()
        assert next_day[older.pk] > first[older.pk]
        assert next_day[settled.pk] is None

    with time_machine.travel(NOW + timedelta(days=8, hours=1), tick=True):
        # The young post is a week old now: recollected only once its figures are a day old.
        Post.all_tenants.filter(pk=older.pk).update(metrics_updated_at=timezone.now())
        Post.all_tenants.filter(pk=young.pk).update(metrics_updated_at=timezone.now())
        assert acme_targets() == []


# Who is collected ---------------------------------------------------------------------------


def test_non_participants_and_other_organizations_are_never_collected(cast: Cast, acme: Sandbox):
    posts = acme.record_posts()
    collect_acme(cast)
    leo, gus = cast.membership(cast.leo, cast.acme), cast.membership(cast.gus, cast.globex)
    assert not MemberFollowers.all_tenants.filter(membership__in=[leo, gus]).exists()
    for name in ("Leo does not take part", "Gus is at Globex"):
        post = Post.all_tenants.get(pk=posts[name].pk)
        assert (post.impressions, post.metrics_updated_at) == (None, None)
    assert not OrganizationDay.all_tenants.filter(organization=cast.globex).exists()
    assert not PageFollowers.all_tenants.filter(organization=cast.globex).exists()
    # Leo is connected but did not opt in: the periodic tasks leave him out too.
    targets = collection.member_follower_targets()
    assert (cast.acme.pk, leo.pk) not in targets
    assert (cast.globex.pk, gus.pk) in targets
    # Someone who left since the task was queued is skipped quietly.
    Membership.all_tenants.filter(pk=acme.emma().pk).update(opted_in_at=None)
    result = collection.collect_member_followers(
        organization=cast.acme, membership_id=acme.emma().pk
    )
    assert result.skipped == "not taking part in the program"


def test_without_analytics_scopes_nothing_fails_and_the_summary_says_what_is_missing(
    frozen: None, live_server: Any, settings: Any, cast: Cast
):
    data = scenario(app={"scopes": SELF_SERVE})
    # What each consent could grant: the page's administrator signs in, and that is all.
    linkedin = setup_sandbox(live_server, settings, cast, data, SELF_SERVE, ["openid", "profile"])
    linkedin.record_posts()
    out = io.StringIO()
    call_command("collect_metrics", "--organization", "acme", stdout=out)
    text = out.getvalue()
    assert not MemberFollowers.all_tenants.exists()
    assert not PostMetrics.all_tenants.exists()
    assert not PageFollowers.all_tenants.exists()
    assert "r_member_profileAnalytics" in text
    assert "r_member_postAnalytics" in text
    assert "rw_organization_admin" in text
    assert "Unavailable (not failed):" in text
    assert "Failed" not in text
    assert linkedin.calls("member.followers") == linkedin.calls("member.postAnalytics") == 0
    assert set(Connection.objects.values_list("status", flat=True)) == {ConnectionStatus.ACTIVE}


def test_a_connection_linkedin_refuses_analytics_is_noted_not_marked(cast: Cast, acme: Sandbox):
    # Emma's token says it may, but the application lost the scopes since: LinkedIn says 403.
    app = sandbox.App.objects.get()
    app.scopes = SELF_SERVE
    app.save()
    result = collection.collect_member_followers(
        organization=cast.acme, membership_id=acme.emma().pk
    )
    assert "403" in result.unavailable[0]
    assert not MemberFollowers.all_tenants.exists()
    assert Connection.objects.get(user=cast.emma).status == ConnectionStatus.ACTIVE


def test_a_revoked_token_marks_the_connection_and_the_others_go_on(cast: Cast, acme: Sandbox):
    acme.fault("*", revoke_token_of=sandbox.Member.objects.get(sub="m-emma"), after_calls=0)
    queued = tasks.collect_followers.delay()  # eager: the fan-out runs each task here
    assert queued.get() == 3  # the page, Emma and Carol together, and (at Globex) Gus
    emma = Connection.objects.get(user=cast.emma)
    assert emma.status == ConnectionStatus.REVOKED
    assert emma.last_error
    assert not emma_followers(cast)
    carol = cast.membership(cast.carol, cast.acme)
    assert MemberFollowers.all_tenants.get(membership=carol, day=TODAY).followers == 300
    assert PageFollowers.all_tenants.get(organization=cast.acme, day=TODAY).followers == 1100
    # Marked, it is left out of the next fan-out.
    assert (cast.acme.pk, acme.emma().pk) not in collection.member_follower_targets()


@pytest.mark.parametrize(
    ("fault", "at_least"),
    [
        ({"status": 429, "retry_after": 120}, 120),  # after LinkedIn's Retry-After
        ({"status": 503}, tasks.RETRY_BASE_SECONDS),  # backoff from the first step
    ],
)
def test_a_passing_failure_retries_the_task_later(
    cast: Cast, acme: Sandbox, fault: dict[str, int], at_least: int
):
    acme.fault("member.followers", **fault)
    countdowns: list[float] = []

    def lift_the_fault(sender: Any, reason: Any, **kwargs: Any) -> None:
        countdowns.append(reason.when)
        acme.clear_faults()  # LinkedIn is fine again by the time the retry runs

    signals.task_retry.connect(lift_the_fault, weak=False)
    try:
        # As a worker runs it: a retry is queued again (eagerly, here), not raised.
        result = tasks.collect_member_followers.apply(
            args=[cast.acme.pk, acme.emma().pk], throw=False
        )
        outcome = result.get()
    finally:
        signals.task_retry.disconnect(lift_the_fault)
    assert len(countdowns) == 1
    assert at_least <= countdowns[0] <= at_least + tasks.RETRY_BASE_SECONDS
    assert f"{BACKFILL_DAYS + 1} rows" in outcome
    assert emma_followers(cast)[TODAY] == (600, Source.API)
    assert Connection.objects.get(user=cast.emma).status == ConnectionStatus.ACTIVE


def test_posts_read_before_a_failure_are_kept_and_not_asked_for_again(cast: Cast, acme: Sandbox):
    posts = acme.record_posts()
    # The older post comes first (never collected, published earlier): five TOTAL and five
    # DAILY calls; the young post's second call fails.
    acme.fault("member.postAnalytics", status=429, every=12)
    with pytest.raises(collection.Interrupted) as stopped:
        collection.collect_member_posts(organization=cast.acme, membership_id=acme.emma().pk)
    assert stopped.value.retryable
    assert stopped.value.collected.posts == 1
    older = Post.all_tenants.get(pk=posts["Older"].pk)
    young = Post.all_tenants.get(pk=posts["Young"].pk)
    assert (older.impressions, young.impressions) == (1000, None)
    assert not PostMetrics.all_tenants.filter(post=young).exists()
    acme.clear_faults()
    calls = acme.calls("member.postAnalytics")
    collection.collect_member_posts(organization=cast.acme, membership_id=acme.emma().pk)
    assert acme.calls("member.postAnalytics") == calls + 10  # the young post only
    assert Post.all_tenants.get(pk=young.pk).impressions == 500


def test_a_task_for_a_gone_organization_returns_quietly(cast: Cast, acme: Sandbox):
    assert tasks.collect_member_posts.delay(cast.globex.pk + 1000, 1).get() == "gone"


# Rollups ------------------------------------------------------------------------------------


def test_the_rollups_of_the_touched_days_are_recomputed(cast: Cast, acme: Sandbox):
    acme.record_posts()
    collect_acme(cast)
    today = OrganizationDay.all_tenants.get(organization=cast.acme, day=TODAY)
    assert today.company_followers == 1100
    assert (today.employee_followers, today.employees_with_followers) == (600 + 300, 2)
    published = OrganizationDay.all_tenants.get(organization=cast.acme, day=date(2026, 11, 20))
    assert (published.posts, published.impressions, published.reactions) == (1, 500, 16)
    earlier = OrganizationDay.all_tenants.get(organization=cast.acme, day=date(2026, 11, 14))
    assert earlier.company_followers == expected_page(date(2026, 11, 14))
    assert earlier.employee_followers == 510 + 300


def test_on_the_workers_the_touched_days_are_marked_and_recomputed_once_a_little_later(
    cast: Cast, acme: Sandbox, settings: Any
):
    settings.ANALYTICS_ROLLUP_DELAY_SECONDS = 30
    scheduled = f"analytics:rollups-scheduled:{cast.acme.pk}"
    cache.delete(scheduled)
    members = [pk for org_id, pk in collection.member_follower_targets() if org_id == cast.acme.pk]
    assert len(members) == 2
    # The first member's marks schedule the recompute (eager here, so at once).
    tasks.collect_member_followers.delay(cast.acme.pk, members[0])
    assert (
        OrganizationDay.all_tenants.get(organization=cast.acme, day=TODAY).employees_with_followers
        == 1
    )
    assert not PendingRollupDay.all_tenants.filter(organization=cast.acme).exists()
    # The second finds a recompute scheduled already: its days wait, marked, for the next.
    tasks.collect_member_followers.delay(cast.acme.pk, members[1])
    assert PendingRollupDay.all_tenants.filter(organization=cast.acme, day=TODAY).exists()
    assert (
        OrganizationDay.all_tenants.get(organization=cast.acme, day=TODAY).employees_with_followers
        == 1
    )
    # The periodic refresh recomputes whatever is marked, so no mark is ever forgotten.
    tasks.refresh_recent_rollups.delay()
    assert not PendingRollupDay.all_tenants.filter(organization=cast.acme).exists()
    today = OrganizationDay.all_tenants.get(organization=cast.acme, day=TODAY)
    assert (today.employee_followers, today.employees_with_followers) == (600 + 300, 2)
    cache.delete(scheduled)


def test_a_recompute_of_marked_days_replaces_their_rollups_and_clears_the_marks(
    cast: Cast, acme: Sandbox
):
    collect_acme(cast)
    OrganizationDay.all_tenants.filter(organization=cast.acme, day=TODAY).delete()
    mark_pending(organization=cast.acme, days=[TODAY, TODAY])
    assert tasks.recompute_pending_rollups.delay(cast.acme.pk).get() == 1
    assert (
        OrganizationDay.all_tenants.get(organization=cast.acme, day=TODAY).company_followers == 1100
    )
    assert tasks.recompute_pending_rollups.delay(cast.acme.pk).get() == 0


def test_collect_metrics_recomputes_the_touched_days_once_at_the_end(
    cast: Cast, acme: Sandbox, settings: Any
):
    settings.ANALYTICS_ROLLUP_DELAY_SECONDS = 30
    acme.record_posts()
    collect_acme(cast)
    assert not PendingRollupDay.all_tenants.filter(organization=cast.acme).exists()
    today = OrganizationDay.all_tenants.get(organization=cast.acme, day=TODAY)
    assert (today.company_followers, today.employee_followers) == (1100, 600 + 300)
    published = OrganizationDay.all_tenants.get(organization=cast.acme, day=date(2026, 11, 20))
    assert (published.posts, published.impressions) == (1, 500)


# collect_metrics ----------------------------------------------------------------------------


def test_collect_metrics_prints_progress_and_a_summary(cast: Cast, acme: Sandbox):
    acme.record_posts()
    acme.opt_in(cast.fay)  # taking part, but with no LinkedIn account connected
    out = io.StringIO()
    call_command("collect_metrics", "--organization", "acme", stdout=out)
    text = out.getvalue()
    assert f"{PAGE_URN}: company page followers: {BACKFILL_DAYS + 1} rows" in text
    assert f"Emma: member followers: {BACKFILL_DAYS + 1} rows" in text
    assert "Emma: post figures:" in text
    assert f"member followers: {2 * (BACKFILL_DAYS + 1)} rows written" in text
    assert "posts collected: 2" in text
    assert "Leo" not in text  # not a participant
    assert "Skipped:\n  Fay: no LinkedIn account connected (member followers, post figures)" in text
    again = io.StringIO()
    before = snapshot(MemberFollowers), snapshot(PageFollowers), snapshot(PostMetrics)
    call_command("collect_metrics", "--organization", "acme", "--since", "2026-11-20", stdout=again)
    assert "with history since 2026-11-20" in again.getvalue()
    assert (snapshot(MemberFollowers), snapshot(PageFollowers), snapshot(PostMetrics)) == before


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--organization", "nope"], "No organization"),
        (["--organization", "acme", "--since", "2026-02-30"], "YYYY-MM-DD"),
        (["--organization", "acme", "--since", "23/11/2026"], "YYYY-MM-DD"),
        (["--organization", "acme", "--since", "2026-11-24"], "in the future"),
        (["--organization", "acme", "--since", "2026-10-23"], "ANALYTICS_BACKFILL_DAYS"),
    ],
)
def test_collect_metrics_refuses_bad_input_before_any_write(
    cast: Cast, acme: Sandbox, arguments: list[str], message: str
):
    with pytest.raises(CommandError, match=message):
        call_command("collect_metrics", *arguments, stdout=io.StringIO())
    assert not MemberFollowers.all_tenants.exists()
    assert acme.calls("*") == 0
