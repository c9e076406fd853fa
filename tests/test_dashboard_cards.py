"""The dashboard's content cards come from the cache, and change as soon as what they show
changes; the member's own marks never come from it."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from advocacy.program.models import BuddyPair
from advocacy.program.waiting import Waiting, waiting_for
from advocacy.tenancy.models import Membership
from campaigns.models import Campaign
from content.cards import card_key
from content.dashboard import dashboard_content
from content.models import CampaignItem, ContentItem
from content.previews import FetchedPreview, Preview, store_item_preview
from content.services import ItemDetails, create_content_item, update_content_item
from content.views import DASHBOARD_SIZE

from .conftest import Cast
from .factories import (
    BrandRiskFlagFactory,
    BuddyPairFactory,
    CampaignFactory,
    CaptionFactory,
    ContentItemFactory,
    CourseCompletionFactory,
    CourseFactory,
    DraftFactory,
    FeedbackFactory,
    PostFactory,
    ReadRequestFactory,
)
from .test_dashboard import DASHBOARD, audience_items


def cards(page: str) -> list[str]:
    return re.findall(r"<article class=\"card\".*?</article>", page, flags=re.S)


def test_a_card_is_rendered_once_then_taken_from_the_cache(cast: Cast, client_for):
    item = ContentItemFactory(organization=cast.acme, title="Cached once")
    CaptionFactory(content_item=item, position=0, text="First caption")
    client = client_for(cast.emma)
    with CaptureQueriesContext(connection) as cold:
        first = client.get(DASHBOARD).content.decode()
    with CaptureQueriesContext(connection) as warm:
        second = client.get(DASHBOARD).content.decode()
    assert cards(first) == cards(second)
    assert "First caption" in cards(second)[0]

    def reads(queries: CaptureQueriesContext, table: str) -> int:
        return sum(f'FROM "{table}"' in q["sql"] for q in queries.captured_queries)

    assert reads(cold, "content_caption") == reads(cold, "content_topic") == 1
    assert reads(warm, "content_caption") == reads(warm, "content_topic") == 0


def test_changed_captions_show_at_once(cast: Cast, client_for):
    details = ItemDetails(title="A tip", kind=ContentItem.Kind.TIP, description="Be yourself")
    item = create_content_item(
        organization=cast.acme, actor=cast.carol, details=details, captions=["Before"]
    )
    client = client_for(cast.emma)
    assert "Before" in client.get(DASHBOARD).content.decode()
    update_content_item(
        organization=cast.acme,
        item=item,
        actor=cast.carol,
        details=details,
        campaigns=(),
        captions=["Before", "Added later"],
    )
    page = client.get(DASHBOARD).content.decode()
    assert "Added later" in page
    assert "2 suggested captions" in page


def test_a_preview_fetched_by_the_worker_shows_at_once(cast: Cast, client_for):
    item = ContentItemFactory(organization=cast.acme, title="Own title")
    client = client_for(cast.emma)
    assert "Fetched title" not in client.get(DASHBOARD).content.decode()
    stored = store_item_preview(
        organization=cast.acme,
        item_id=item.pk,
        url=item.url,
        fetched=FetchedPreview(url=item.url, preview=Preview(title="Fetched title")),
    )
    assert stored
    assert "Fetched title" in client.get(DASHBOARD).content.decode()


def test_a_renamed_or_ended_campaign_changes_the_badge(cast: Cast, client_for):
    item = ContentItemFactory(organization=cast.acme, title="In a campaign")
    campaign = CampaignFactory(organization=cast.acme, status="live", name="Spring push")
    CampaignItem.all_tenants.create(organization=cast.acme, campaign=campaign, content_item=item)
    client = client_for(cast.emma)
    assert "Spring push" in cards(client.get(DASHBOARD).content.decode())[0]
    campaign.name = "Summer push"
    campaign.save()
    card = cards(client.get(DASHBOARD).content.decode())[0]
    assert "Summer push" in card
    assert "Spring push" not in card
    Campaign.objects.for_org(cast.acme).filter(pk=campaign.pk).update(status="ended")
    assert "Summer push" not in client.get(DASHBOARD).content.decode()


def test_the_members_own_marks_are_not_cached(cast: Cast, client_for):
    item = ContentItemFactory(organization=cast.acme, title="Shared by Emma")
    PostFactory(author=cast.membership(cast.emma, cast.acme), content_item=item)
    emma_page = client_for(cast.emma).get(DASHBOARD).content.decode()
    carol_page = client_for(cast.carol).get(DASHBOARD).content.decode()
    assert "You shared this" in emma_page
    assert "No colleague has shared it yet" in emma_page
    assert "You shared this" not in carol_page
    assert "Shared by 1 colleague" in carol_page


def test_the_card_key_follows_language_and_version(cast: Cast):
    item = ContentItemFactory(organization=cast.acme)
    key = card_key(item, cast.acme, "en")
    assert card_key(item, cast.acme, "da") != key
    item.updated_at = timezone.now()
    assert card_key(item, cast.acme, "en") != key
    assert str(item.public_id) in key


def test_campaign_lists_link_to_the_card_or_beyond_the_page_to_the_composer(cast: Cast, client_for):
    campaign = CampaignFactory(organization=cast.acme, status="live", name="Big one")
    items = [ContentItemFactory(organization=cast.acme) for _ in range(DASHBOARD_SIZE + 2)]
    for item in items:
        CampaignItem.all_tenants.create(
            organization=cast.acme, campaign=campaign, content_item=item
        )
    response = client_for(cast.emma).get(DASHBOARD)
    shown = {item.public_id for item in response.context["items"]}
    entries = response.context["campaigns"][0].available_items
    assert len(entries) == DASHBOARD_SIZE + 2
    # Newest first, like the cards.
    assert [entry.public_id for entry in entries] == [item.public_id for item in items[::-1]]
    for entry in entries:
        if entry.public_id in shown:
            assert entry.url == f"#item-{entry.public_id}"
        else:
            assert entry.url == reverse("content:share_item", args=["acme", entry.public_id])
    assert len(shown) == DASHBOARD_SIZE
    assert sum(entry.public_id not in shown for entry in entries) == 2


def test_the_dashboards_audience_is_the_members_audience(cast: Cast):
    """The dashboard filters with the live campaigns it already read; that must match the
    full audience rule item for item."""
    audience_items(cast)
    Membership.objects.for_org(cast.acme).filter(user=cast.emma).update(
        location="Aarhus", language="da"
    )
    now = timezone.now()
    for user in (cast.emma, cast.leo, cast.carol):
        membership = Membership.objects.for_org(cast.acme).select_related("user").get(user=user)
        expected = set(
            ContentItem.objects.for_org(cast.acme)
            .available(now)
            .for_member(membership)
            .values_list("title", flat=True)
        )
        content = dashboard_content(membership, now=now, size=DASHBOARD_SIZE)
        assert {item.title for item in content.items} == expected
        assert content.available_count == len(expected)


def test_what_waits_for_a_member_is_counted_in_one_query(cast: Cast, django_assert_num_queries):
    # As the request has it: with its organization.
    emma = Membership.objects.for_org(cast.acme).select_related("organization").get(user=cast.emma)
    carol = cast.membership(cast.carol, cast.acme)
    leo = cast.membership(cast.leo, cast.acme)
    with django_assert_num_queries(1):
        nothing = waiting_for(emma)
    assert nothing == Waiting(0, 0, 0, 0, has_active_pair=False, ready_to_share=False)

    BuddyPairFactory(first=carol, second=emma, status=BuddyPair.Status.INVITED, accepted_at=None)
    BuddyPairFactory(first=leo, second=emma, status=BuddyPair.Status.INVITED, accepted_at=None)
    BuddyPairFactory(first=emma, second=carol, status=BuddyPair.Status.INVITED, accepted_at=None)
    ReadRequestFactory(post=DraftFactory(author=carol), reader=emma)
    ReadRequestFactory(post=DraftFactory(author=carol), reader=emma, read_at=timezone.now())
    mine = PostFactory(author=emma)
    FeedbackFactory(post=mine, author=carol)
    FeedbackFactory(post=mine, author=carol, seen_at=timezone.now())
    BrandRiskFlagFactory(post=mine)
    BrandRiskFlagFactory(post=PostFactory(author=emma, status="deleted"))
    CourseCompletionFactory(
        course=CourseFactory(organization=cast.acme, is_basics=True), membership=emma
    )
    # Another organization's rows and another member's are not Emma's.
    FeedbackFactory(post=PostFactory(author=carol), author=leo)
    with django_assert_num_queries(1):
        waiting = waiting_for(emma)
    assert waiting == Waiting(
        invitations=2,
        to_read=1,
        new_feedback=1,
        open_flags=1,
        has_active_pair=False,
        ready_to_share=True,
    )
