"""The dashboard every member starts on: live campaigns and content ready to share."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advocacy.tenancy.models import Membership
from content.models import CampaignItem

from .conftest import Cast
from .factories import CampaignFactory, CaptionFactory, ContentItemFactory

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
