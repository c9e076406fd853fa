"""The dashboard every member starts on: live campaigns and content ready to share."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advocacy.tenancy.models import Membership
from campaigns.models import CampaignAudienceTeam
from content.models import CampaignItem, ContentItem, ItemAudienceTeam

from .conftest import Cast
from .factories import (
    CampaignFactory,
    CaptionFactory,
    ContentItemFactory,
    PostFactory,
    TeamFactory,
)

NOW = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.UTC)
DASHBOARD = reverse("content:dashboard", args=["acme"])


def titles(response) -> list[str]:
    return [item.title for item in response.context["items"]]


@pytest.mark.parametrize("persona", ["alice", "carol", "leo", "emma", "fay"])
def test_every_member_sees_the_dashboard(cast: Cast, client_for, persona: str):
    item = ContentItemFactory(organization=cast.acme, title="Ready to go")
    CaptionFactory(content_item=item, position=0, text="Say it your way")
    response = client_for(getattr(cast, persona)).get(DASHBOARD)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Welcome," in page
    assert "Ready to go" in page


@time_machine.travel(NOW, tick=False)
def test_only_items_available_now_are_shown(cast: Cast, client_for):
    day = datetime.timedelta(days=1)
    ContentItemFactory(organization=cast.acme, title="Open")
    ContentItemFactory(organization=cast.acme, title="Window open", available_from=NOW - day)
    ContentItemFactory(organization=cast.acme, title="Until tomorrow", available_until=NOW + day)
    ContentItemFactory(organization=cast.acme, title="Not yet", available_from=NOW + day)
    ContentItemFactory(organization=cast.acme, title="Expired", available_until=NOW)
    ContentItemFactory(organization=cast.acme, title="Draft", status="draft")
    ContentItemFactory(organization=cast.acme, title="Archived", status="archived")
    ContentItemFactory(organization=cast.globex, title="Globex's")
    response = client_for(cast.emma).get(DASHBOARD)
    assert set(titles(response)) == {"Open", "Window open", "Until tomorrow"}
    page = response.content.decode()
    for hidden in ("Not yet", "Expired", "Draft", "Archived", "Globex&#x27;s"):
        assert hidden not in page


def test_featured_first_then_live_campaigns_then_newest(cast: Cast, client_for):
    live = CampaignFactory(organization=cast.acme, name="Trust week", status="live")
    draft = CampaignFactory(organization=cast.acme, name="Later", status="draft")
    with time_machine.travel(NOW, tick=False) as traveller:
        for title in ("Oldest", "In live campaign", "In draft campaign", "Featured", "Newest"):
            item = ContentItemFactory(
                organization=cast.acme, title=title, featured=title == "Featured"
            )
            campaign = {"In live campaign": live, "In draft campaign": draft}.get(title)
            if campaign:
                CampaignItem.all_tenants.create(
                    organization=cast.acme, campaign=campaign, content_item=item
                )
            traveller.shift(datetime.timedelta(minutes=1))
    response = client_for(cast.emma).get(DASHBOARD)
    assert titles(response) == [
        "Featured",
        "In live campaign",
        "Newest",
        "In draft campaign",
        "Oldest",
    ]
    assert [campaign.name for campaign in response.context["campaigns"]] == ["Trust week"]
    page = response.content.decode()
    assert "Live campaigns" in page
    assert "Later" not in page


def test_items_show_link_kind_and_copy_ready_captions(cast: Cast, client_for):
    item = ContentItemFactory(
        organization=cast.acme,
        title="We are hiring",
        kind="job",
        description="A data engineer for our Copenhagen team.",
        url="https://example.com/jobs/42",
    )
    first = CaptionFactory(
        content_item=item, position=0, text="Know a data engineer? <b>We</b> hire"
    )
    CaptionFactory(content_item=item, position=1, text="Second idea")
    page = client_for(cast.emma).get(DASHBOARD).content.decode()
    assert "A data engineer for our Copenhagen team." in page
    assert 'href="https://example.com/jobs/42"' in page
    assert "Job opening" in page
    # Suggested captions are escaped and each starts the composer with it.
    assert "<blockquote>Know a data engineer? &lt;b&gt;We&lt;/b&gt; hire</blockquote>" in page
    share = reverse("content:share_item", args=["acme", item.public_id])
    assert f'href="{share}?caption={first.public_id}"' in page
    assert "2 suggested captions" in page
    assert f'href="{share}"' in page
    assert "coming soon" not in page.lower()


def test_participation_is_said_in_plain_words(cast: Cast, client_for):
    client = client_for(cast.emma)
    page = client.get(DASHBOARD).content.decode()
    assert "You have not joined the advocacy program" in page
    assert "voluntary" in page
    Membership.objects.for_org(cast.acme).filter(user=cast.emma).update(opted_in_at=NOW)
    page = client.get(DASHBOARD).content.decode()
    assert "You joined the advocacy program on 1 Dec 2026." in page


def test_navigation_follows_the_role(cast: Cast, client_for):
    library = reverse("content:library", args=["acme"])
    published = reverse("content:published_posts", args=["acme"])
    reports = reverse("analytics:overview", args=["acme"])
    members = reverse("tenancy:members", args=["acme"])
    my_posts = reverse("content:my_posts", args=["acme"])

    def navigation(persona: str) -> str:
        page = client_for(getattr(cast, persona)).get(DASHBOARD).content.decode()
        return page.split('class="site-nav"')[1].split("</nav>")[0]

    carol, leo, emma, alice = (navigation(p) for p in ("carol", "leo", "emma", "alice"))
    assert (library in carol, published in carol, reports in carol, members in carol) == (
        True,
        True,
        True,
        False,
    )
    assert (library in leo, reports in leo) == (False, True)
    assert (library in emma, published in emma, reports in emma) == (False, False, False)
    assert all(my_posts in nav for nav in (carol, leo, emma, alice))
    assert members in alice


def test_empty_dashboard_says_so(cast: Cast, client_for):
    page = client_for(cast.emma).get(DASHBOARD).content.decode()
    assert "Nothing to share right now." in page


def test_dashboard_query_count_does_not_grow_with_items(
    cast: Cast, client_for, django_assert_num_queries
):
    live = CampaignFactory(organization=cast.acme, status="live")

    def add_item() -> None:
        item = ContentItemFactory(organization=cast.acme)
        CaptionFactory(content_item=item, position=0)
        CaptionFactory(content_item=item, position=1)
        CampaignItem.all_tenants.create(organization=cast.acme, campaign=live, content_item=item)

    add_item()
    client = client_for(cast.emma)
    client.get(DASHBOARD)
    # Both requests render a card that is not in the cache yet (that costs a query for the
    # captions and one for the topics, for all missing cards together).
    add_item()
    with CaptureQueriesContext(connection) as baseline:
        client.get(DASHBOARD)
    for _ in range(6):
        add_item()
    CampaignFactory(organization=cast.acme, status="live")
    with django_assert_num_queries(len(baseline.captured_queries)):
        client.get(DASHBOARD)


def test_cannot_get_other_org_dashboard(cast: Cast, client_for):
    ContentItemFactory(organization=cast.acme, title="Acme internal")
    response = client_for(cast.gus).get(DASHBOARD)
    assert response.status_code == 404
    own = client_for(cast.gus).get(reverse("content:dashboard", args=["globex"]))
    assert "Acme internal" not in own.content.decode()


# The feed for each member's audience --------------------------------------------------------


def audience_items(cast: Cast) -> dict[str, ContentItem]:
    """Items for some audiences; Emma is in Sales, in Aarhus, and reads Danish."""
    support = TeamFactory(organization=cast.acme, name="Support")
    items = {
        name: ContentItemFactory(organization=cast.acme, title=name, **fields)
        for name, fields in {
            "For everyone": {},
            "For Sales": {},
            "For Support": {},
            "For Aarhus": {"audience_locations": "\nOdense\nAarhus\n"},
            "For Odense": {"audience_locations": "\nOdense\n"},
            "In Danish": {"audience_languages": "\nda\n"},
            "In German": {"audience_languages": "\nde\n"},
            "In a Support campaign": {},
            "In a Support and an open campaign": {},
            "In a draft Support campaign": {},
        }.items()
    }
    for name, team in (("For Sales", cast.acme_sales), ("For Support", support)):
        ItemAudienceTeam.all_tenants.create(
            organization=cast.acme, content_item=items[name], team=team
        )
    support_campaign = CampaignFactory(organization=cast.acme, status="live")
    draft_campaign = CampaignFactory(organization=cast.acme, status="draft")
    for campaign in (support_campaign, draft_campaign):
        CampaignAudienceTeam.all_tenants.create(
            organization=cast.acme, campaign=campaign, team=support
        )
    open_campaign = CampaignFactory(organization=cast.acme, status="live")
    for name, campaign in (
        ("In a Support campaign", support_campaign),
        ("In a Support and an open campaign", support_campaign),
        ("In a Support and an open campaign", open_campaign),
        ("In a draft Support campaign", draft_campaign),
    ):
        CampaignItem.all_tenants.create(
            organization=cast.acme, campaign=campaign, content_item=items[name]
        )
    return items


def test_the_feed_is_narrowed_to_the_members_audiences(cast: Cast, client_for):
    audience_items(cast)
    Membership.objects.for_org(cast.acme).filter(user=cast.emma).update(
        location="Aarhus", language="da"
    )
    assert set(titles(client_for(cast.emma).get(DASHBOARD))) == {
        "For everyone",
        "For Sales",
        "For Aarhus",
        "In Danish",
        "In a Support and an open campaign",
        "In a draft Support campaign",
    }
    # Leo has no team, no location and reads English: only what is for everyone.
    assert set(titles(client_for(cast.leo).get(DASHBOARD))) == {
        "For everyone",
        "In a Support and an open campaign",
        "In a draft Support campaign",
    }


def test_colleagues_shares_are_counted_once_each_and_only_when_published(cast: Cast, client_for):
    item = ContentItemFactory(organization=cast.acme, title="Shared a lot")
    quiet = ContentItemFactory(organization=cast.acme, title="Not shared")
    carol, leo, alice, fay = (
        cast.membership(p, cast.acme) for p in (cast.carol, cast.leo, cast.alice, cast.fay)
    )
    PostFactory(author=carol, content_item=item)
    PostFactory(author=carol, content_item=item)  # twice, still one colleague
    PostFactory(author=leo, content_item=item)
    PostFactory(author=alice, content_item=item, status="draft", linkedin_urn="", published_at=None)
    PostFactory(author=fay, content_item=item, status="deleted")
    PostFactory(author=fay, content_item=quiet, status="failed", linkedin_urn="", published_at=None)
    PostFactory(author=cast.membership(cast.emma, cast.acme), content_item=item)  # herself
    response = client_for(cast.emma).get(DASHBOARD)
    shares = {i.title: i.colleague_shares for i in response.context["items"]}
    assert shares == {"Shared a lot": 2, "Not shared": 0}
    page = response.content.decode()
    assert "Shared by 2 colleagues" in page
    assert "No colleague has shared it yet" in page
    # Carol sees Emma and Leo; her own two posts are not colleagues' shares.
    assert "Shared by 2 colleagues" in client_for(cast.carol).get(DASHBOARD).content.decode()


def test_what_the_member_shared_is_marked(cast: Cast, client_for):
    emma = cast.membership(cast.emma, cast.acme)
    statuses = {
        "Published": {"status": "published"},
        "Scheduled": {
            "status": "scheduled",
            "scheduled_for": NOW,
            "linkedin_urn": "",
            "published_at": None,
        },
        "Only a draft": {"status": "draft", "linkedin_urn": "", "published_at": None},
        "Deleted again": {"status": "deleted"},
        "Failed": {"status": "failed", "linkedin_urn": "", "published_at": None},
        "Not touched": None,
    }
    for title, fields in statuses.items():
        item = ContentItemFactory(organization=cast.acme, title=title)
        if fields is not None:
            PostFactory(author=emma, content_item=item, **fields)
    PostFactory(
        author=cast.membership(cast.carol, cast.acme),
        content_item=ContentItemFactory(organization=cast.acme, title="Carol's"),
    )
    response = client_for(cast.emma).get(DASHBOARD)
    marked = {item.title for item in response.context["items"] if item.shared_by_me}
    assert marked == {"Published", "Scheduled"}
    page = response.content.decode()
    assert page.count("You shared this") == 2


def test_feed_query_count_does_not_grow_with_items_and_posts(
    cast: Cast, client_for, django_assert_num_queries
):
    live = CampaignFactory(organization=cast.acme, status="live")
    colleagues = [cast.membership(p, cast.acme) for p in (cast.carol, cast.leo, cast.emma)]

    def add_item() -> None:
        item = ContentItemFactory(organization=cast.acme, featured=True)
        CaptionFactory(content_item=item, position=0)
        CampaignItem.all_tenants.create(organization=cast.acme, campaign=live, content_item=item)
        ItemAudienceTeam.all_tenants.create(
            organization=cast.acme, content_item=item, team=cast.acme_sales
        )
        for member in colleagues:
            PostFactory(author=member, content_item=item)

    add_item()
    client = client_for(cast.emma)
    client.get(DASHBOARD)
    add_item()  # a card to render in both measured requests
    with CaptureQueriesContext(connection) as baseline:
        client.get(DASHBOARD)
    for _ in range(4):
        add_item()
    with django_assert_num_queries(len(baseline.captured_queries)):
        response = client.get(DASHBOARD)
    assert [item.colleague_shares for item in response.context["items"]] == [2] * 6
    assert all(item.shared_by_me for item in response.context["items"])
