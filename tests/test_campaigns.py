"""Campaigns: comms give sharing a purpose, a period, hashtags and targets."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advocacy.tenancy.models import AuditEntry
from campaigns.models import Campaign
from content.models import CampaignItem

from .conftest import Cast
from .factories import CampaignFactory, ContentItemFactory


def url(name: str, org: str = "acme", **kwargs: Any) -> str:
    return reverse(name, kwargs={"org_slug": org, **kwargs})


def campaign_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Hiring spring",
        "purpose": "Reach engineers we would not reach through job boards.",
        "status": "scheduled",
        "starts_on": "2027-03-01",
        "ends_on": "2027-04-30",
        "hashtags": "#hiring #copenhagen",
        "target_shares": "60",
        "target_reach": "",
        "target_clicks": "500",
    }
    data.update(overrides)
    return data


def acme_campaigns() -> Any:
    return Campaign.all_tenants.filter(organization__slug="acme")


@pytest.mark.parametrize("persona", ["alice", "carol", "fay"])
def test_manage_roles_open_every_campaign_page(cast: Cast, client_for, persona: str):
    campaign = CampaignFactory(organization=cast.acme)
    client = client_for(getattr(cast, persona))
    assert client.get(url("campaigns:list")).status_code == 200
    assert client.get(url("campaigns:new")).status_code == 200
    assert client.get(url("campaigns:detail", campaign_id=campaign.public_id)).status_code == 200
    assert client.get(url("campaigns:edit", campaign_id=campaign.public_id)).status_code == 200


@pytest.mark.parametrize("persona", ["emma", "leo"])
def test_employee_and_leader_cannot_see_or_change_campaigns(cast: Cast, client_for, persona: str):
    campaign = CampaignFactory(organization=cast.acme, name="Untouched")
    client = client_for(getattr(cast, persona))
    assert client.get(url("campaigns:list")).status_code == 403
    assert client.get(url("campaigns:detail", campaign_id=campaign.public_id)).status_code == 403
    assert client.post(url("campaigns:new"), campaign_form()).status_code == 403
    edit = url("campaigns:edit", campaign_id=campaign.public_id)
    assert client.post(edit, campaign_form(name="Changed")).status_code == 403
    assert list(acme_campaigns().values_list("name", flat=True)) == ["Untouched"]
    assert not AuditEntry.all_tenants.exists()


def test_list_shows_the_organizations_campaigns_with_item_counts(cast: Cast, client_for):
    live = CampaignFactory(organization=cast.acme, name="Trust week", status="live")
    CampaignFactory(organization=cast.acme, name="Kick-off", status="draft")
    CampaignFactory(organization=cast.globex, name="Globex push")
    for _ in range(2):
        item = ContentItemFactory(organization=cast.acme)
        CampaignItem.all_tenants.create(organization=cast.acme, campaign=live, content_item=item)
    response = client_for(cast.carol).get(url("campaigns:list"))
    rows = [(c.name, c.item_count) for c in response.context["page"]]
    assert rows == [("Trust week", 2), ("Kick-off", 0)], "live campaigns come first"
    assert "Globex push" not in response.content.decode()


def test_list_filters_by_status_and_search(cast: Cast, client_for):
    CampaignFactory(organization=cast.acme, name="Trust week", status="live", hashtags="#trust")
    CampaignFactory(organization=cast.acme, name="Hiring", status="draft", purpose="Engineers")
    client = client_for(cast.carol)

    def names(**params: str) -> list[str]:
        return [c.name for c in client.get(url("campaigns:list"), params).context["page"]]

    assert names(status="draft") == ["Hiring"]
    assert names(q="engineers") == ["Hiring"]
    assert names(q="#TRUST") == ["Trust week"]
    assert names(q="nothing like it") == []


def test_list_query_count_does_not_grow_with_campaigns(
    cast: Cast, client_for, django_assert_num_queries
):
    CampaignFactory(organization=cast.acme)
    client = client_for(cast.carol)
    client.get(url("campaigns:list"))
    with CaptureQueriesContext(connection) as baseline:
        client.get(url("campaigns:list"))
    for _ in range(6):
        campaign = CampaignFactory(organization=cast.acme)
        item = ContentItemFactory(organization=cast.acme)
        CampaignItem.all_tenants.create(
            organization=cast.acme, campaign=campaign, content_item=item
        )
    with django_assert_num_queries(len(baseline.captured_queries)):
        client.get(url("campaigns:list"))


def test_comms_creates_a_campaign(cast: Cast, client_for):
    response = client_for(cast.carol).post(
        url("campaigns:new"), campaign_form(hashtags="hiring, #Copenhagen #hiring")
    )
    campaign = acme_campaigns().get()
    assert response.status_code == 302
    assert response["Location"] == url("campaigns:detail", campaign_id=campaign.public_id)
    assert campaign.name == "Hiring spring"
    assert campaign.status == "scheduled"
    assert (campaign.starts_on, campaign.ends_on) == (
        datetime.date(2027, 3, 1),
        datetime.date(2027, 4, 30),
    )
    assert campaign.hashtags == "#hiring #Copenhagen", "normalised, without the repeat"
    assert (campaign.target_shares, campaign.target_reach, campaign.target_clicks) == (
        60,
        None,
        500,
    )
    assert campaign.created_by == cast.carol
    entry = AuditEntry.all_tenants.get()
    assert (entry.organization, entry.actor, entry.action) == (
        cast.acme,
        cast.carol,
        "campaign.created",
    )


def test_comms_edits_a_campaign(cast: Cast, client_for):
    campaign = CampaignFactory(organization=cast.acme, name="Before", status="draft")
    edit = url("campaigns:edit", campaign_id=campaign.public_id)
    response = client_for(cast.fay).post(edit, campaign_form(name="After", status="live"))
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.name, campaign.status) == ("After", "live")
    entry = AuditEntry.all_tenants.get()
    assert (entry.actor, entry.action) == (cast.fay, "campaign.updated")
    assert entry.data["status"] == ["draft", "live"]
    assert {"name", "status", "purpose"} <= set(entry.data["changed"])


def test_saving_an_unchanged_campaign_writes_no_audit_entry(cast: Cast, client_for):
    campaign = CampaignFactory(organization=cast.acme, name="Same", status="live")
    edit = url("campaigns:edit", campaign_id=campaign.public_id)
    unchanged = campaign_form(
        name="Same",
        purpose="",
        status="live",
        starts_on="",
        ends_on="",
        hashtags="",
        target_shares="",
        target_clicks="",
    )
    assert client_for(cast.carol).post(edit, unchanged).status_code == 302
    assert not AuditEntry.all_tenants.exists()


def test_campaign_cannot_end_before_it_starts(cast: Cast, client_for):
    client = client_for(cast.carol)
    response = client.post(
        url("campaigns:new"), campaign_form(starts_on="2027-03-10", ends_on="2027-03-09")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["ends_on"] == [
        "The campaign cannot end before it starts."
    ]
    assert not acme_campaigns().exists()
    # One day is a valid campaign.
    one_day = campaign_form(starts_on="2027-03-10", ends_on="2027-03-10")
    assert client.post(url("campaigns:new"), one_day).status_code == 302


def test_rejected_campaign_edit_changes_nothing(cast: Cast, client_for):
    campaign = CampaignFactory(organization=cast.acme, name="Stored")
    edit = url("campaigns:edit", campaign_id=campaign.public_id)
    response = client_for(cast.carol).post(
        edit, campaign_form(name="Not saved", starts_on="2027-03-10", ends_on="2027-03-01")
    )
    assert response.status_code == 200
    assert response.context["campaign"].name == "Stored"
    campaign.refresh_from_db()
    assert campaign.name == "Stored"
    assert not AuditEntry.all_tenants.exists()


def test_hashtags_must_be_hashtags(cast: Cast, client_for):
    response = client_for(cast.carol).post(
        url("campaigns:new"), campaign_form(hashtags="#ok #no-way")
    )
    assert "hashtags" in response.context["form"].errors
    assert not acme_campaigns().exists()


def test_detail_shows_purpose_targets_and_the_campaigns_content(cast: Cast, client_for):
    campaign = CampaignFactory(
        organization=cast.acme,
        name="Trust week",
        purpose="Why people trust people",
        hashtags="#trust #advocacy",
        target_shares=40,
    )
    other = CampaignFactory(organization=cast.acme)
    inside = ContentItemFactory(organization=cast.acme, title="In the campaign")
    outside = ContentItemFactory(organization=cast.acme, title="In another campaign")
    CampaignItem.all_tenants.create(organization=cast.acme, campaign=campaign, content_item=inside)
    CampaignItem.all_tenants.create(organization=cast.acme, campaign=other, content_item=outside)
    page = (
        client_for(cast.carol)
        .get(url("campaigns:detail", campaign_id=campaign.public_id))
        .content.decode()
    )
    assert "Why people trust people" in page
    assert "#advocacy" in page
    assert "40 shares" in page
    assert "In the campaign" in page
    assert "In another campaign" not in page
    assert url("content:item_edit", item_id=inside.public_id) in page
    assert f"?campaign={campaign.public_id}" in page


def test_cannot_get_other_org_campaign_detail(cast: Cast, client_for):
    theirs = CampaignFactory(organization=cast.globex)
    client = client_for(cast.alice)
    assert client.get(url("campaigns:detail", campaign_id=theirs.public_id)).status_code == 404


def test_cannot_get_other_org_campaign_edit(cast: Cast, client_for):
    theirs = CampaignFactory(organization=cast.globex, name="Globex only")
    client = client_for(cast.alice)
    edit = url("campaigns:edit", campaign_id=theirs.public_id)
    assert client.get(edit).status_code == 404
    assert client.post(edit, campaign_form(name="Hijacked")).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Globex only"
    assert not AuditEntry.all_tenants.exists()
