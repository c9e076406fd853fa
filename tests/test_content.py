"""The content library: comms curate items, captions and campaign links; nobody else can."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advocacy.tenancy.models import AuditEntry
from content.models import (
    MAX_COMMENTARY_LENGTH,
    CampaignItem,
    Caption,
    ContentItem,
    ItemAudienceTeam,
    ItemTopic,
)
from content.services import ItemDetails, create_content_item
from content.views import LIBRARY_PAGE_SIZE

from .conftest import Cast
from .factories import (
    CampaignFactory,
    CaptionFactory,
    ContentItemFactory,
    TeamFactory,
    TopicFactory,
)


def url(name: str, org: str = "acme", **kwargs: Any) -> str:
    return reverse(name, kwargs={"org_slug": org, **kwargs})


def item_form(**overrides: Any) -> dict[str, Any]:
    """A valid POST of the item form; a value of None leaves the field out (an unticked box)."""
    data: dict[str, Any] = {
        "kind": "article",
        "status": "published",
        "title": "Why people trust people",
        "description": "Employees are trusted more than brands.",
        "url": "https://example.com/trust",
        "is_company_content": None,
        "language": "en",
        "available_from": "",
        "available_until": "",
        "featured": "on",
        "caption_1": "I trust people more than ads. You?",
        "caption_2": "",
        "caption_3": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def acme_items() -> Any:
    return ContentItem.all_tenants.filter(organization__slug="acme")


def count_queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(path).status_code == 200
    return len(context.captured_queries)


# Who may use the library


@pytest.mark.parametrize("persona", ["alice", "carol", "fay"])
def test_manage_roles_open_every_library_page(cast: Cast, client_for, persona: str):
    item = ContentItemFactory(organization=cast.acme)
    client = client_for(getattr(cast, persona))
    assert client.get(url("content:library")).status_code == 200
    assert client.get(url("content:item_new")).status_code == 200
    assert client.get(url("content:item_edit", item_id=item.public_id)).status_code == 200


@pytest.mark.parametrize("persona", ["emma", "leo"])
def test_employee_and_leader_are_refused_every_library_page(cast: Cast, client_for, persona: str):
    item = ContentItemFactory(organization=cast.acme, title="Untouched")
    client = client_for(getattr(cast, persona))
    assert client.get(url("content:library")).status_code == 403
    assert client.get(url("content:item_new")).status_code == 403
    assert client.get(url("content:item_edit", item_id=item.public_id)).status_code == 403
    assert client.post(url("content:item_new"), item_form()).status_code == 403
    edit = url("content:item_edit", item_id=item.public_id)
    assert client.post(edit, item_form(title="Changed")).status_code == 403
    assert client.post(url("content:item_archive", item_id=item.public_id)).status_code == 403
    bulk = {"action": "archive", "items": [str(item.public_id)]}
    assert client.post(url("content:library_bulk"), bulk).status_code == 403
    item.refresh_from_db()
    assert (item.title, item.status) == ("Untouched", "published")
    assert acme_items().count() == 1
    assert not AuditEntry.all_tenants.exists()


# The list


def test_library_lists_the_organizations_items_with_their_caption_counts(cast: Cast, client_for):
    mine = ContentItemFactory(organization=cast.acme, title="Ours")
    CaptionFactory(content_item=mine, position=0)
    CaptionFactory(content_item=mine, position=1)
    ContentItemFactory(organization=cast.globex, title="Theirs")
    response = client_for(cast.carol).get(url("content:library"))
    items = list(response.context["page"])
    assert [item.title for item in items] == ["Ours"]
    assert items[0].caption_count == 2
    assert "Theirs" not in response.content.decode()


def test_caption_counts_hold_under_a_campaign_filter_and_on_every_page(cast: Cast, client_for):
    spring = CampaignFactory(organization=cast.acme, name="Spring")
    autumn = CampaignFactory(organization=cast.acme, name="Autumn")
    both = ContentItemFactory(organization=cast.acme, title="In both")
    for position in range(3):
        CaptionFactory(content_item=both, position=position)
    for campaign in (spring, autumn):
        CampaignItem.all_tenants.create(
            organization=cast.acme, campaign=campaign, content_item=both
        )
    ContentItemFactory(organization=cast.acme, title="Bare")
    client = client_for(cast.carol)
    listed = client.get(url("content:library"), {"campaign": str(spring.public_id)})
    assert {item.title: item.caption_count for item in listed.context["page"]} == {"In both": 3}
    everything = client.get(url("content:library"))
    counts = {item.title: item.caption_count for item in everything.context["page"]}
    assert counts == {"In both": 3, "Bare": 0}


def test_library_search_matches_title_and_description(cast: Cast, client_for):
    ContentItemFactory(organization=cast.acme, title="Buddy pairs explained")
    ContentItemFactory(organization=cast.acme, title="Other", description="Working with a BUDDY")
    ContentItemFactory(organization=cast.acme, title="Unrelated")
    response = client_for(cast.carol).get(url("content:library"), {"q": "buddy"})
    titles = {item.title for item in response.context["page"]}
    assert titles == {"Buddy pairs explained", "Other"}


def test_library_filters_by_kind_status_company_and_campaign(cast: Cast, client_for):
    campaign = CampaignFactory(organization=cast.acme)
    job = ContentItemFactory(
        organization=cast.acme, title="Job", kind="job", is_company_content=True
    )
    ContentItemFactory(organization=cast.acme, title="Tip", kind="tip", is_company_content=False)
    ContentItemFactory(organization=cast.acme, title="Draft", status="draft")
    ContentItemFactory(organization=cast.acme, title="Archived", status="archived")
    CampaignItem.all_tenants.create(organization=cast.acme, campaign=campaign, content_item=job)
    client = client_for(cast.carol)

    def titles(**params: str) -> set[str]:
        response = client.get(url("content:library"), params)
        return {item.title for item in response.context["page"]}

    assert titles() == {"Job", "Tip", "Draft"}, "archived items stay out unless asked for"
    assert titles(status="archived") == {"Archived"}
    assert titles(status="draft") == {"Draft"}
    assert titles(kind="tip") == {"Tip"}
    assert titles(about="company") == {"Job", "Draft"}
    assert titles(about="other") == {"Tip"}
    assert titles(campaign=str(campaign.public_id)) == {"Job"}


def test_library_filter_by_another_organizations_campaign_is_an_error(cast: Cast, client_for):
    theirs = CampaignFactory(organization=cast.globex)
    ContentItemFactory(organization=cast.acme, title="Ours")
    response = client_for(cast.carol).get(url("content:library"), {"campaign": theirs.public_id})
    assert response.status_code == 200
    assert "campaign" in response.context["filters"].errors
    assert theirs.name not in response.content.decode()


def test_library_pages(cast: Cast, client_for):
    for number in range(LIBRARY_PAGE_SIZE + 1):
        ContentItemFactory(organization=cast.acme, title=f"Item {number}")
    client = client_for(cast.carol)
    first = client.get(url("content:library"))
    assert len(first.context["page"]) == LIBRARY_PAGE_SIZE
    assert "page=2" in first.content.decode()
    second = client.get(url("content:library"), {"page": 2})
    assert len(second.context["page"]) == 1


def test_library_query_count_does_not_grow_with_items(
    cast: Cast, client_for, django_assert_num_queries, settings
):
    settings.PAGE_CACHE_SECONDS = 0  # the page's own queries, not a kept copy's
    campaign = CampaignFactory(organization=cast.acme)

    def add_item() -> None:
        item = ContentItemFactory(organization=cast.acme)
        item.locations = ["Aarhus"]
        item.languages = ["da"]
        item.save()
        CaptionFactory(content_item=item, position=0)
        CampaignItem.all_tenants.create(
            organization=cast.acme, campaign=campaign, content_item=item
        )
        for _ in range(2):
            ItemTopic.all_tenants.create(
                organization=cast.acme,
                content_item=item,
                topic=TopicFactory(organization=cast.acme),
            )
            ItemAudienceTeam.all_tenants.create(
                organization=cast.acme,
                content_item=item,
                team=TeamFactory(organization=cast.acme),
            )

    add_item()
    client = client_for(cast.carol)
    client.get(url("content:library"))  # the session settles on the first visit
    baseline = count_queries(client, url("content:library"))
    for _ in range(8):
        add_item()
    with django_assert_num_queries(baseline):
        client.get(url("content:library"))


# Create, edit, archive


def test_comms_adds_an_item_with_captions_and_campaigns(cast: Cast, client_for):
    campaign = CampaignFactory(organization=cast.acme, name="Trust week")
    response = client_for(cast.carol).post(
        url("content:item_new"),
        item_form(
            campaigns=[str(campaign.public_id)],
            caption_1="First",
            caption_2="",
            caption_3="Third",
            available_from="2026-12-01T09:00",
            available_until="2026-12-31T17:00",
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == url("content:library")
    item = acme_items().get()
    assert (item.title, item.kind, item.featured, item.is_company_content) == (
        "Why people trust people",
        "article",
        True,
        False,
    )
    assert item.created_by == cast.carol
    # Entered in the organization's time zone (Copenhagen, UTC+1 in December).
    assert item.available_from.isoformat() == "2026-12-01T08:00:00+00:00"
    captions = Caption.all_tenants.filter(content_item=item).order_by("position")
    assert [(c.position, c.text) for c in captions] == [(0, "First"), (1, "Third")]
    assert all(c.organization_id == cast.acme.pk for c in captions)
    link = CampaignItem.all_tenants.get(content_item=item)
    assert (link.campaign, link.organization) == (campaign, cast.acme)
    entry = AuditEntry.all_tenants.get()
    assert (entry.organization, entry.actor, entry.action) == (
        cast.acme,
        cast.carol,
        "content_item.created",
    )
    assert entry.data["item"] == str(item.public_id)


def test_a_campaign_page_link_preselects_its_campaign(cast: Cast, client_for):
    campaign = CampaignFactory(organization=cast.acme)
    theirs = CampaignFactory(organization=cast.globex)
    client = client_for(cast.carol)
    form = client.get(url("content:item_new"), {"campaign": campaign.public_id}).context["form"]
    assert form.initial["campaigns"] == [campaign.public_id]
    form = client.get(url("content:item_new"), {"campaign": theirs.public_id}).context["form"]
    assert form.initial["campaigns"] == []


def test_comms_edits_an_item_keeping_captions_in_place(cast: Cast, client_for):
    old_campaign = CampaignFactory(organization=cast.acme)
    new_campaign = CampaignFactory(organization=cast.acme)
    item = ContentItemFactory(organization=cast.acme, title="Before")
    first = CaptionFactory(content_item=item, position=0, text="One")
    CaptionFactory(content_item=item, position=1, text="Two")
    CampaignItem.all_tenants.create(
        organization=cast.acme, campaign=old_campaign, content_item=item
    )
    client = client_for(cast.fay)
    edit = url("content:item_edit", item_id=item.public_id)
    form = client.get(edit).context["form"]
    assert form.initial["caption_1"] == "One"
    assert form.initial["campaigns"] == [old_campaign.public_id]

    response = client.post(
        edit,
        item_form(
            title="After",
            url=item.url,
            caption_1="One, reworded",
            caption_2="",
            campaigns=[str(new_campaign.public_id)],
        ),
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title == "After"
    captions = list(Caption.all_tenants.filter(content_item=item))
    assert [(c.public_id, c.text) for c in captions] == [(first.public_id, "One, reworded")]
    links = CampaignItem.all_tenants.filter(content_item=item)
    assert [link.campaign for link in links] == [new_campaign]
    entry = AuditEntry.all_tenants.get()
    assert (entry.actor, entry.action) == (cast.fay, "content_item.updated")
    assert {"title", "captions", "campaigns"} <= set(entry.data["changed"])


def test_saving_an_unchanged_item_writes_no_audit_entry(cast: Cast, client_for):
    item = ContentItemFactory(organization=cast.acme, title="Same", url="https://example.com/a")
    CaptionFactory(content_item=item, position=0, text="Caption")
    client = client_for(cast.carol)
    edit = url("content:item_edit", item_id=item.public_id)
    response = client.post(
        edit,
        item_form(
            title="Same",
            url="https://example.com/a",
            description="",
            language="",
            featured=None,
            is_company_content="on",
            caption_1="Caption",
        ),
    )
    assert response.status_code == 302
    assert not AuditEntry.all_tenants.exists()


def test_comms_archives_an_item(cast: Cast, client_for):
    item = ContentItemFactory(organization=cast.acme)
    client = client_for(cast.carol)
    archive = url("content:item_archive", item_id=item.public_id)
    assert client.get(archive).status_code == 405
    response = client.post(archive)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "archived"
    entry = AuditEntry.all_tenants.get()
    assert (entry.actor, entry.action) == (cast.carol, "content_item.archived")
    # Archiving twice is no second change.
    client.post(archive)
    assert AuditEntry.all_tenants.count() == 1


# Bad input: an error on the form, nothing written


def test_window_must_end_after_it_starts(cast: Cast, client_for):
    response = client_for(cast.carol).post(
        url("content:item_new"),
        item_form(available_from="2026-12-10T09:00", available_until="2026-12-10T09:00"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["available_until"] == [
        "“Available until” must be later than “available from”."
    ]
    assert not acme_items().exists()
    assert not AuditEntry.all_tenants.exists()


def test_caption_longer_than_linkedin_allows_is_rejected(cast: Cast, client_for):
    client = client_for(cast.carol)
    too_long = "x" * (MAX_COMMENTARY_LENGTH + 1)
    response = client.post(url("content:item_new"), item_form(caption_2=too_long))
    assert response.status_code == 200
    assert "caption_2" in response.context["form"].errors
    assert not acme_items().exists()
    assert not Caption.all_tenants.exists()

    exactly = "x" * MAX_COMMENTARY_LENGTH
    assert client.post(url("content:item_new"), item_form(caption_1=exactly)).status_code == 302
    assert Caption.all_tenants.get().text == exactly


def test_campaign_of_another_organization_in_the_form_is_an_error(cast: Cast, client_for):
    theirs = CampaignFactory(organization=cast.globex)
    response = client_for(cast.carol).post(
        url("content:item_new"), item_form(campaigns=[str(theirs.public_id)])
    )
    assert response.status_code == 200
    assert "campaigns" in response.context["form"].errors
    assert not acme_items().exists()
    assert not CampaignItem.all_tenants.exists()


def test_the_form_offers_only_the_organizations_campaigns(cast: Cast, client_for):
    ours = CampaignFactory(organization=cast.acme)
    CampaignFactory(organization=cast.globex)
    form = client_for(cast.carol).get(url("content:item_new")).context["form"]
    assert list(form.fields["campaigns"].queryset) == [ours]


def test_an_article_needs_a_link(cast: Cast, client_for):
    client = client_for(cast.carol)
    response = client.post(url("content:item_new"), item_form(url=""))
    assert "url" in response.context["form"].errors
    assert not acme_items().exists()
    tip = item_form(kind="tip", url="", title="A tip")
    assert client.post(url("content:item_new"), tip).status_code == 302


def test_rejected_edit_changes_nothing(cast: Cast, client_for):
    item = ContentItemFactory(organization=cast.acme, title="Stored")
    edit = url("content:item_edit", item_id=item.public_id)
    response = client_for(cast.carol).post(
        edit,
        item_form(
            title="Not saved",
            available_from="2026-12-10T09:00",
            available_until="2026-12-01T09:00",
        ),
    )
    assert response.status_code == 200
    assert response.context["item"].title == "Stored"
    item.refresh_from_db()
    assert item.title == "Stored"
    assert not AuditEntry.all_tenants.exists()


# Bulk actions


def test_bulk_archive_and_feature_ignore_other_organizations_items(cast: Cast, client_for):
    first = ContentItemFactory(organization=cast.acme)
    second = ContentItemFactory(organization=cast.acme)
    theirs = ContentItemFactory(organization=cast.globex)
    client = client_for(cast.carol)

    response = client.post(
        url("content:library_bulk"),
        {"action": "archive", "items": [str(first.public_id), str(theirs.public_id)]},
    )
    assert response.status_code == 302
    response = client.post(
        url("content:library_bulk"),
        {"action": "feature", "items": [str(second.public_id), str(theirs.public_id)]},
    )
    assert response.status_code == 302
    for item in (first, second, theirs):
        item.refresh_from_db()
    assert first.status == "archived"
    assert second.featured
    assert (theirs.status, theirs.featured) == ("published", False)
    entries = AuditEntry.all_tenants.order_by("created_at", "id")
    assert [(e.organization, e.action) for e in entries] == [
        (cast.acme, "content_item.bulk_archived"),
        (cast.acme, "content_item.bulk_featured"),
    ]
    assert entries[0].data["items"] == [str(first.public_id)]


def test_bulk_action_keeps_the_filters_it_was_applied_under(cast: Cast, client_for):
    item = ContentItemFactory(organization=cast.acme)
    response = client_for(cast.carol).post(
        url("content:library_bulk"),
        {"action": "feature", "items": [str(item.public_id)], "return_query": "kind=job&page=2"},
    )
    assert response["Location"] == url("content:library") + "?kind=job&page=2"


def test_bulk_action_with_nothing_selected_changes_nothing(cast: Cast, client_for):
    item = ContentItemFactory(organization=cast.acme)
    client = client_for(cast.carol)
    response = client.post(url("content:library_bulk"), {"action": "archive"}, follow=True)
    assert "Select at least one item." in response.content.decode()
    response = client.post(url("content:library_bulk"), {"action": "archive", "items": ["nope"]})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "published"
    assert not AuditEntry.all_tenants.exists()


# Another organization's items


def test_cannot_get_other_org_item_edit_page(cast: Cast, client_for):
    theirs = ContentItemFactory(organization=cast.globex, title="Globex only")
    client = client_for(cast.alice)
    edit = url("content:item_edit", item_id=theirs.public_id)
    assert client.get(edit).status_code == 404
    assert client.post(edit, item_form(title="Hijacked")).status_code == 404
    theirs.refresh_from_db()
    assert theirs.title == "Globex only"
    assert not AuditEntry.all_tenants.exists()


def test_cannot_get_other_org_item_archived(cast: Cast, client_for):
    theirs = ContentItemFactory(organization=cast.globex)
    client = client_for(cast.alice)
    archive = url("content:item_archive", item_id=theirs.public_id)
    assert client.get(archive).status_code == 404
    assert client.post(archive).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "published"


def test_cannot_get_other_org_items_through_a_foreign_slug(cast: Cast, client_for):
    # Fay belongs to both: Globex's item is still not reachable under Acme's address.
    theirs = ContentItemFactory(organization=cast.globex)
    client = client_for(cast.fay)
    assert client.get(url("content:item_edit", item_id=theirs.public_id)).status_code == 404
    assert (
        client.get(url("content:item_edit", org="globex", item_id=theirs.public_id)).status_code
        == 200
    )


def test_services_refuse_foreign_campaigns_and_long_captions_even_without_a_form(cast: Cast):
    theirs = CampaignFactory(organization=cast.globex)
    details = ItemDetails(title="Direct", url="https://example.com/direct")
    with pytest.raises(ValueError, match="another organization"):
        create_content_item(
            organization=cast.acme, actor=cast.carol, details=details, campaigns=[theirs]
        )
    with pytest.raises(ValueError, match="caption"):
        create_content_item(
            organization=cast.acme,
            actor=cast.carol,
            details=details,
            captions=["x" * (MAX_COMMENTARY_LENGTH + 1)],
        )
    assert not acme_items().exists()
    assert not AuditEntry.all_tenants.exists()
