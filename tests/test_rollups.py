"""Daily rollups: what each day's row holds, and that recomputing is idempotent."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from advocacy.tenancy.models import Membership
from analytics.models import (
    CampaignDay,
    MemberFollowers,
    OrganizationDay,
    PageFollowers,
    Source,
    TeamDay,
)
from analytics.rollups import recompute_days, recompute_range

from .conftest import Cast
from .factories import (
    CampaignFactory,
    ClickFactory,
    ContentItemFactory,
    MembershipFactory,
    PostFactory,
    TrackedLinkFactory,
)

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 10)


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def participants(cast: Cast) -> dict[str, Membership]:
    Membership.all_tenants.filter(organization=cast.acme).update(opted_in_at=timezone.now())
    return {name: cast.membership(getattr(cast, name), cast.acme) for name in ("emma", "carol")}


def day_row(cast: Cast, day: date = DAY) -> OrganizationDay:
    return OrganizationDay.all_tenants.get(organization=cast.acme, day=day)


def test_a_day_counts_participants_posts_with_their_latest_figures(cast: Cast, participants):
    emma, carol = participants["emma"], participants["carol"]
    job = ContentItemFactory(organization=cast.acme, kind="job")
    campaign = CampaignFactory(organization=cast.acme)
    # Europe/Copenhagen: 23:30 UTC on the 9th is the 10th already.
    PostFactory(
        author=emma,
        published_at=at(date(2026, 11, 9), 23).replace(minute=30),
        impressions=100,
        reactions=5,
        comments=1,
        reshares=0,
        is_company_content=True,
        content_item=job,
        campaign=campaign,
    )
    PostFactory(author=carol, published_at=at(DAY, 12), impressions=None)
    PostFactory(author=emma, published_at=at(DAY, 13), status="deleted", impressions=999)
    left = MembershipFactory(organization=cast.acme, opted_in_at=None)
    PostFactory(author=left, published_at=at(DAY, 9), impressions=500)
    PostFactory(author=cast.membership(cast.gus, cast.globex), published_at=at(DAY, 9))
    recompute_days(organization=cast.acme, days=[DAY])
    row = day_row(cast)
    assert (row.posts, row.company_posts, row.job_posts, row.authors) == (2, 1, 1, 2)
    assert (row.impressions, row.reactions, row.comments, row.posts_with_figures) == (100, 5, 1, 1)
    assert row.job_impressions == 100
    [team] = TeamDay.all_tenants.filter(organization=cast.acme, day=DAY)
    assert (team.team_id, team.posts) == (cast.acme_sales.pk, 1)  # emma is in Sales
    [in_campaign] = CampaignDay.all_tenants.filter(organization=cast.acme, day=DAY)
    assert (in_campaign.campaign_id, in_campaign.posts) == (campaign.pk, 1)


def test_clicks_are_counted_on_their_day_without_bots_and_unique_per_link(cast: Cast, participants):
    link = TrackedLinkFactory(
        post=PostFactory(author=participants["emma"], published_at=at(DAY, 8))
    )
    for visitor, hour, bot in (
        ("a", 9, False),
        ("a", 10, False),
        ("b", 11, False),
        ("c", 12, True),
    ):
        ClickFactory(link=link, clicked_at=at(DAY, hour), visitor_hash=visitor * 32, is_bot=bot)
    ClickFactory(link=link, clicked_at=at(date(2026, 11, 11), 9), visitor_hash="a" * 32)
    recompute_range(organization=cast.acme, start=DAY, end=date(2026, 11, 11))
    assert (day_row(cast).clicks, day_row(cast).unique_clicks) == (3, 2)
    next_day = day_row(cast, date(2026, 11, 11))
    assert (next_day.clicks, next_day.unique_clicks, next_day.posts) == (1, 1, 0)


def test_audiences_carry_the_last_figure_forward(cast: Cast, participants):
    emma, carol = participants["emma"], participants["carol"]
    PageFollowers.all_tenants.create(organization=cast.acme, day=date(2026, 11, 1), followers=1000)
    PageFollowers.all_tenants.create(organization=cast.acme, day=date(2026, 11, 11), followers=1010)
    for membership, day, followers in (
        (emma, date(2026, 10, 1), 300),
        (emma, date(2026, 11, 11), 330),
        (carol, date(2026, 11, 10), 200),
    ):
        MemberFollowers.all_tenants.create(
            organization=cast.acme,
            membership=membership,
            day=day,
            followers=followers,
            source=Source.ENTERED,
        )
    recompute_range(organization=cast.acme, start=date(2026, 11, 9), end=date(2026, 11, 11))
    rows = {
        row.day: (row.company_followers, row.employee_followers, row.employees_with_followers)
        for row in OrganizationDay.all_tenants.filter(organization=cast.acme)
    }
    assert rows == {
        date(2026, 11, 9): (1000, 300, 1),
        date(2026, 11, 10): (1000, 500, 2),
        date(2026, 11, 11): (1010, 530, 2),
    }


def test_recomputing_replaces_and_changes_nothing_twice(cast: Cast, participants):
    post = PostFactory(author=participants["emma"], published_at=at(DAY, 12), impressions=10)
    recompute_days(organization=cast.acme, days=[DAY])
    first = list(OrganizationDay.all_tenants.values("day", "posts", "impressions"))
    recompute_days(organization=cast.acme, days=[DAY])
    assert list(OrganizationDay.all_tenants.values("day", "posts", "impressions")) == first
    type(post).all_tenants.filter(pk=post.pk).update(impressions=25)
    recompute_days(organization=cast.acme, days=[DAY])
    assert day_row(cast).impressions == 25
    assert OrganizationDay.all_tenants.filter(organization=cast.acme).count() == 1
