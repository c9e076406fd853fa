"""A campaign's page: results against its targets, who took part, and its items' shares."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advocacy.tenancy.models import Membership
from advocacy.tenancy.scope import tenant_scope
from campaigns.models import Campaign
from campaigns.progress import CampaignProgress, Result, campaign_progress
from campaigns.querysets import PUBLISHED_POST
from content.models import CampaignItem, ContentItem, Post

from .conftest import Cast
from .factories import (
    CampaignFactory,
    ClickFactory,
    ContentItemFactory,
    MembershipFactory,
    PostFactory,
    TrackedLinkFactory,
)

# A Tuesday in March: Copenhagen (Acme's zone) is UTC+1.
DAY = datetime.datetime(2027, 3, 2, 10, 0, tzinfo=datetime.UTC)


def detail_url(campaign: Campaign) -> str:
    return reverse(
        "campaigns:detail", kwargs={"org_slug": "acme", "campaign_id": campaign.public_id}
    )


def progress_of(campaign: Campaign) -> CampaignProgress:
    with tenant_scope(campaign.organization):
        return campaign_progress(organization=campaign.organization, campaign=campaign)


def in_campaign(campaign: Campaign, item: ContentItem) -> ContentItem:
    CampaignItem.all_tenants.create(
        organization=campaign.organization, campaign=campaign, content_item=item
    )
    return item


def clicks(post: Post, *visits: tuple[str, datetime.datetime], is_bot: bool = False) -> None:
    link = TrackedLinkFactory(post=post)
    for visitor, at in visits:
        ClickFactory(link=link, visitor_hash=visitor, clicked_at=at, is_bot=is_bot)


@pytest.fixture
def trust_week(cast: Cast) -> dict[str, Any]:
    """Emma shares twice and Carol once; around them, everything that must not count."""
    campaign = CampaignFactory(
        organization=cast.acme,
        name="Trust week",
        target_shares=6,
        target_reach=3000,
        target_clicks=20,
    )
    other = CampaignFactory(organization=cast.acme, name="Other")
    emma = cast.membership(cast.emma, cast.acme)
    carol = cast.membership(cast.carol, cast.acme)
    article = in_campaign(campaign, ContentItemFactory(organization=cast.acme, title="Article"))
    job = in_campaign(campaign, ContentItemFactory(organization=cast.acme, title="Job"))
    in_campaign(campaign, ContentItemFactory(organization=cast.acme, title="Unshared"))

    first = PostFactory(
        author=emma,
        campaign=campaign,
        content_item=article,
        impressions=1000,
        members_reached=700,
        reactions=10,
        comments=2,
        reshares=1,
    )
    # Visitor "a" twice the same day is one visitor; again the next day, another visit.
    clicks(
        first,
        ("a", DAY),
        ("a", DAY + datetime.timedelta(hours=2)),
        ("b", DAY),
        ("a", DAY + datetime.timedelta(days=1)),
    )
    # Bots are no one.
    ClickFactory(link=first.tracked_link, visitor_hash="bot", clicked_at=DAY, is_bot=True)
    # Figures not collected yet: no reach, and none of it is 0.
    second = PostFactory(author=emma, campaign=campaign, content_item=article)
    clicks(second, ("c", DAY))
    PostFactory(author=carol, campaign=campaign, content_item=job, impressions=500)

    # None of these count.
    for status in (Post.Status.DRAFT, Post.Status.FAILED, Post.Status.DELETED):
        post = PostFactory(
            author=emma,
            campaign=campaign,
            content_item=job,
            status=status,
            linkedin_urn="",
            impressions=9999,
        )
        clicks(post, ("x", DAY))
    elsewhere = PostFactory(author=emma, campaign=other, content_item=job, impressions=9999)
    clicks(elsewhere, ("y", DAY))
    PostFactory(author=emma, content_item=job, impressions=9999)
    gus = cast.membership(cast.gus, cast.globex)
    theirs = PostFactory(author=gus, campaign=campaign, impressions=9999)
    clicks(theirs, ("z", DAY))
    return {"campaign": campaign, "other": other}


def test_progress_counts_published_shares_of_this_campaign_only(trust_week: dict[str, Any]):
    progress = progress_of(trust_week["campaign"])
    assert progress.shares == Result(3, 6)
    assert progress.shares.percent == 50.0
    assert progress.reach == Result(1500, 3000)
    assert progress.reach_collected == 2
    assert progress.reach_partly_collected
    assert progress.members_reached == 700
    assert progress.engagements == 13
    assert progress.clicks == Result(5, 20)
    assert progress.clicks.percent == 25.0
    assert progress.unique_visitors == 4


def test_who_took_part_and_each_items_shares(trust_week: dict[str, Any]):
    progress = progress_of(trust_week["campaign"])
    rows = [(p.name, p.shares, p.reach, p.clicks) for p in progress.participants]
    assert rows == [("Emma", 2, 1000, 5), ("Carol", 1, 500, 0)]
    shares = {item.title: item.share_count for item in progress.items}
    assert shares == {"Article": 2, "Job": 1, "Unshared": 0}


def test_campaign_page_shows_progress_and_participants(
    cast: Cast, client_for, trust_week: dict[str, Any]
):
    page = client_for(cast.carol).get(detail_url(trust_week["campaign"])).content.decode()
    assert "50.0 % of the target of 6" in page
    assert '<progress class="progress" max="6" value="3"' in page
    assert "50.0 % of the target of 3,000" in page
    assert "Collected for 2 of 3 shares so far." in page
    assert "25.0 % of the target of 20" in page
    participants = page[page.index('id="participants-heading"') : page.index('id="items-heading"')]
    assert 0 < participants.index("Emma") < participants.index("Carol"), "most shares first"
    assert "Gus" not in page


def test_reach_nobody_collected_is_missing_not_zero(cast: Cast, client_for):
    campaign = CampaignFactory(organization=cast.acme, target_reach=1000)
    PostFactory(author=cast.membership(cast.emma, cast.acme), campaign=campaign)
    progress = progress_of(campaign)
    assert progress.reach == Result(None, 1000)
    assert progress.reach.percent is None
    assert (progress.members_reached, progress.engagements) == (None, None)
    assert [p.reach for p in progress.participants] == [None]

    page = client_for(cast.carol).get(detail_url(campaign)).content.decode()
    reach = page[page.index('id="reach-label"') : page.index('id="clicks-label"')]
    assert "Not collected yet" in reach
    assert "<progress" not in reach
    assert "Target: 1,000" in reach


def test_campaign_without_shares_shows_zeros_and_no_participants(cast: Cast, client_for):
    campaign = CampaignFactory(organization=cast.acme, target_shares=10)
    progress = progress_of(campaign)
    assert progress.shares == Result(0, 10)
    assert progress.clicks == Result(0, None)
    assert (progress.unique_visitors, progress.participants) == (0, [])
    page = client_for(cast.carol).get(detail_url(campaign)).content.decode()
    assert "0.0 % of the target of 10" in page
    assert "Nobody has shared in this campaign yet." in page


def test_a_visitor_is_counted_once_per_day_of_the_organizations_calendar(cast: Cast):
    campaign = CampaignFactory(organization=cast.acme)
    post = PostFactory(author=cast.membership(cast.emma, cast.acme), campaign=campaign)
    # The same UTC day, but 23:30 and 00:30 in Copenhagen: two days there.
    evening = datetime.datetime(2027, 3, 2, 22, 30, tzinfo=datetime.UTC)
    clicks(post, ("a", evening), ("a", evening + datetime.timedelta(hours=1)))
    assert progress_of(campaign).unique_visitors == 2


def test_results_against_targets():
    assert Result(30, 60).percent == 50.0
    assert Result(1, 3).percent == 33.3
    assert Result(90, 60).percent == 150.0
    assert Result(90, 60).bar_value == 60, "a met target is a full bar"
    assert Result(5, 0).percent is None, "no percentage of nothing"
    assert Result(5, None).percent is None
    assert Result(None, 60).percent is None


def test_campaigns_name_for_a_share_is_contents():
    assert PUBLISHED_POST == Post.Status.PUBLISHED


def test_campaign_page_query_count_does_not_grow_with_rows(
    cast: Cast, client_for, django_assert_num_queries
):
    campaign = CampaignFactory(organization=cast.acme, target_shares=10, target_clicks=10)

    def add_rows() -> None:
        author = MembershipFactory(organization=cast.acme, role=Membership.Role.EMPLOYEE)
        item = in_campaign(campaign, ContentItemFactory(organization=cast.acme))
        post = PostFactory(author=author, campaign=campaign, content_item=item, impressions=10)
        clicks(post, ("a", DAY), ("b", DAY))

    add_rows()
    client = client_for(cast.carol)
    client.get(detail_url(campaign))
    with CaptureQueriesContext(connection) as baseline:
        client.get(detail_url(campaign))
    for _ in range(3):
        add_rows()
    with django_assert_num_queries(len(baseline.captured_queries)):
        response = client.get(detail_url(campaign))
    progress = response.context["progress"]
    assert (progress.shares.value, progress.clicks.value, len(progress.participants)) == (4, 8, 4)
    assert len(progress.items) == 4
