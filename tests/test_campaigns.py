"""Campaigns: comms give sharing a purpose, a period, hashtags and targets."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advocacy.tenancy.models import AuditEntry
from campaigns.models import Campaign, CampaignAudienceTeam
from campaigns.services import CampaignDetails, create_campaign
from content.models import CampaignItem, Post

from .conftest import Cast
from .factories import (
    CampaignFactory,
    ContentItemFactory,
    MembershipFactory,
    PostFactory,
    TeamFactory,
    TrackedLinkFactory,
)


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


def audience_links() -> list[tuple[str, str, str]]:
    """Every campaign's audience teams, whatever the organization: (org, campaign, team)."""
    return sorted(
        CampaignAudienceTeam.all_tenants.values_list(
            "organization__slug", "campaign__name", "team__name"
        )
    )


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
        CampaignAudienceTeam.all_tenants.create(
            organization=cast.acme, campaign=campaign, team=TeamFactory(organization=cast.acme)
        )
        for _ in range(2):
            post = PostFactory(author=MembershipFactory(organization=cast.acme), campaign=campaign)
            TrackedLinkFactory(post=post)
    with django_assert_num_queries(len(baseline.captured_queries)):
        response = client.get(url("campaigns:list"))
    assert sorted(c.share_count for c in response.context["page"]) == [0, 2, 2, 2, 2, 2, 2]


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
    # The audience is part of the same form: nothing of it is written either.
    response = client.post(
        url("campaigns:new"),
        campaign_form(
            starts_on="2027-03-10", ends_on="2027-03-09", teams=[str(cast.acme_sales.public_id)]
        ),
    )
    assert "ends_on" in response.context["form"].errors
    assert not acme_campaigns().exists()
    assert audience_links() == []
    assert not AuditEntry.all_tenants.exists()
    # One day is a valid campaign.
    one_day = campaign_form(starts_on="2027-03-10", ends_on="2027-03-10")
    assert client.post(url("campaigns:new"), one_day).status_code == 302


def test_rejected_campaign_edit_changes_nothing(cast: Cast, client_for):
    campaign = CampaignFactory(organization=cast.acme, name="Stored")
    edit = url("campaigns:edit", campaign_id=campaign.public_id)
    response = client_for(cast.carol).post(
        edit,
        campaign_form(
            name="Not saved",
            starts_on="2027-03-10",
            ends_on="2027-03-01",
            teams=[str(cast.acme_sales.public_id)],
            other_locations="Aarhus",
            languages=["da"],
        ),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["ends_on"] == [
        "The campaign cannot end before it starts."
    ]
    assert response.context["campaign"].name == "Stored"
    campaign.refresh_from_db()
    assert (campaign.name, campaign.locations, campaign.languages) == ("Stored", [], [])
    assert audience_links() == []
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
    assert "of the target of 40" in page
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


# The audience


def test_audience_is_saved_and_shown(cast: Cast, client_for):
    emma = cast.membership(cast.emma, cast.acme)
    emma.location = "Copenhagen"
    emma.save()
    MembershipFactory(organization=cast.acme, location="copenhagen ")
    MembershipFactory(organization=cast.acme, location="Odense", is_active=False)
    MembershipFactory(organization=cast.globex, location="Berlin")
    client = client_for(cast.carol)

    form = client.get(url("campaigns:new")).context["form"]
    assert [value for value, _label in form.fields["locations"].choices] == ["Copenhagen"], (
        "active members' locations, each once; nobody else's"
    )
    assert [team.name for team in form.fields["teams"].queryset] == ["Sales"]

    response = client.post(
        url("campaigns:new"),
        campaign_form(
            teams=[str(cast.acme_sales.public_id)],
            locations=["Copenhagen"],
            other_locations=" Aarhus,, Malmö , copenhagen",
            languages=["da"],
        ),
    )
    assert response.status_code == 302
    campaign = acme_campaigns().get()
    assert campaign.locations == ["Copenhagen", "Aarhus", "Malmö"]
    assert campaign.languages == ["da"]
    assert audience_links() == [("acme", "Hiring spring", "Sales")]

    page = client.get(url("campaigns:detail", campaign_id=campaign.public_id)).content.decode()
    assert "Sales" in page
    assert "Copenhagen, Aarhus, Malmö" in page
    assert "Dansk" in page
    assert "Everyone" not in page

    # The edit form starts from what is stored: known locations ticked, the rest typed.
    edit = client.get(url("campaigns:edit", campaign_id=campaign.public_id)).context["form"]
    assert edit.initial["teams"] == [cast.acme_sales.public_id]
    assert edit.initial["locations"] == ["Copenhagen"]
    assert edit.initial["other_locations"] == "Aarhus, Malmö"
    assert edit.initial["languages"] == ["da"]


def test_campaign_without_an_audience_is_for_everyone(cast: Cast, client_for):
    campaign = CampaignFactory(organization=cast.acme)
    page = (
        client_for(cast.carol)
        .get(url("campaigns:detail", campaign_id=campaign.public_id))
        .content.decode()
    )
    assert "Everyone" in page


def test_changing_the_audience_is_audited_as_audience(cast: Cast, client_for):
    marketing = TeamFactory(organization=cast.acme, name="Marketing")
    client = client_for(cast.carol)
    client.post(url("campaigns:new"), campaign_form(teams=[str(cast.acme_sales.public_id)]))
    campaign = acme_campaigns().get()
    edit = url("campaigns:edit", campaign_id=campaign.public_id)

    response = client.post(
        edit, campaign_form(teams=[str(marketing.public_id)], other_locations="Aarhus")
    )
    assert response.status_code == 302
    assert audience_links() == [("acme", "Hiring spring", "Marketing")]
    campaign.refresh_from_db()
    assert campaign.locations == ["Aarhus"]
    entry = AuditEntry.all_tenants.filter(action="campaign.updated").get()
    assert entry.data["changed"] == ["audience"]

    # Back to everyone.
    assert client.post(edit, campaign_form()).status_code == 302
    assert audience_links() == []
    campaign.refresh_from_db()
    assert campaign.locations == []
    assert AuditEntry.all_tenants.filter(action="campaign.updated").count() == 2


def test_cannot_give_a_campaign_another_orgs_team(cast: Cast, client_for):
    client = client_for(cast.carol)
    foreign = [str(cast.globex_ops.public_id)]
    response = client.post(url("campaigns:new"), campaign_form(teams=foreign))
    assert response.status_code == 200
    assert "teams" in response.context["form"].errors
    assert not acme_campaigns().exists()

    campaign = CampaignFactory(organization=cast.acme, name="Stored")
    edit = url("campaigns:edit", campaign_id=campaign.public_id)
    mixed = [str(cast.acme_sales.public_id), *foreign]
    response = client.post(edit, campaign_form(name="Changed", teams=mixed))
    assert response.status_code == 200
    assert "teams" in response.context["form"].errors
    campaign.refresh_from_db()
    assert campaign.name == "Stored"
    assert audience_links() == []
    assert not AuditEntry.all_tenants.exists()


def test_the_service_refuses_another_orgs_team(cast: Cast):
    details = CampaignDetails(name="Sneaky", teams=(cast.globex_ops,))
    with pytest.raises(ValueError, match="another organization"):
        create_campaign(organization=cast.acme, actor=cast.carol, details=details)
    assert not acme_campaigns().exists()
    assert audience_links() == []


# The list: shares, the team filter, bulk actions


def test_list_shows_shares_per_campaign(cast: Cast, client_for):
    campaign = CampaignFactory(organization=cast.acme, name="Shared")
    CampaignFactory(organization=cast.acme, name="Quiet")
    emma = cast.membership(cast.emma, cast.acme)
    for _ in range(2):
        PostFactory(author=emma, campaign=campaign)
    for status in (Post.Status.DRAFT, Post.Status.FAILED, Post.Status.DELETED):
        PostFactory(author=emma, campaign=campaign, status=status, linkedin_urn="")
    item = ContentItemFactory(organization=cast.acme)
    CampaignItem.all_tenants.create(organization=cast.acme, campaign=campaign, content_item=item)
    response = client_for(cast.carol).get(url("campaigns:list"))
    rows = {c.name: (c.share_count, c.item_count) for c in response.context["page"]}
    assert rows == {"Shared": (2, 1), "Quiet": (0, 0)}


def test_list_filters_campaigns_for_a_team(cast: Cast, client_for):
    marketing = TeamFactory(organization=cast.acme, name="Marketing")
    for name, team in (("For sales", cast.acme_sales), ("For marketing", marketing)):
        campaign = CampaignFactory(organization=cast.acme, name=name)
        CampaignAudienceTeam.all_tenants.create(
            organization=cast.acme, campaign=campaign, team=team
        )
    CampaignFactory(organization=cast.acme, name="For everyone")
    client = client_for(cast.carol)

    response = client.get(url("campaigns:list"), {"team": str(cast.acme_sales.public_id)})
    assert {c.name for c in response.context["page"]} == {"For sales", "For everyone"}
    assert [team.name for team in response.context["filters"].fields["team"].queryset] == [
        "Marketing",
        "Sales",
    ]
    # Another organization's team is no choice: the filter says so and narrows nothing.
    response = client.get(url("campaigns:list"), {"team": str(cast.globex_ops.public_id)})
    assert "team" in response.context["filters"].errors
    assert len(response.context["page"]) == 3


@pytest.mark.parametrize("persona", ["alice", "carol", "fay"])
def test_bulk_actions_set_the_status_and_say_how_many_changed(cast: Cast, client_for, persona: str):
    draft = CampaignFactory(organization=cast.acme, name="Draft", status="draft")
    scheduled = CampaignFactory(organization=cast.acme, name="Scheduled", status="scheduled")
    live = CampaignFactory(organization=cast.acme, name="Live", status="live")
    theirs = CampaignFactory(organization=cast.globex, name="Theirs", status="draft")
    client = client_for(getattr(cast, persona))
    selected = [str(c.public_id) for c in (draft, scheduled, live, theirs)]

    response = client.post(
        url("campaigns:bulk"), {"action": "go_live", "campaigns": selected}, follow=True
    )
    assert "2 campaigns went live" in response.content.decode()
    statuses = dict(Campaign.all_tenants.values_list("name", "status"))
    assert statuses == {"Draft": "live", "Scheduled": "live", "Live": "live", "Theirs": "draft"}
    entry = AuditEntry.all_tenants.get()
    assert (entry.organization, entry.actor, entry.action) == (
        cast.acme,
        getattr(cast, persona),
        "campaign.bulk_live",
    )
    assert sorted(entry.data["campaigns"]) == sorted(
        [str(draft.public_id), str(scheduled.public_id)]
    )

    response = client.post(
        url("campaigns:bulk"), {"action": "end", "campaigns": selected[:1]}, follow=True
    )
    assert "Ended 1 campaign" in response.content.decode()
    response = client.post(
        url("campaigns:bulk"), {"action": "back_to_draft", "campaigns": selected}, follow=True
    )
    assert "Put 3 campaigns back to draft" in response.content.decode()
    statuses = dict(Campaign.all_tenants.values_list("name", "status"))
    assert statuses == {"Draft": "draft", "Scheduled": "draft", "Live": "draft", "Theirs": "draft"}
    assert [e.action for e in AuditEntry.all_tenants.order_by("created_at", "id")] == [
        "campaign.bulk_live",
        "campaign.bulk_ended",
        "campaign.bulk_draft",
    ]


@pytest.mark.parametrize("persona", ["emma", "leo"])
def test_employee_and_leader_cannot_use_bulk_actions(cast: Cast, client_for, persona: str):
    campaign = CampaignFactory(organization=cast.acme, status="draft")
    response = client_for(getattr(cast, persona)).post(
        url("campaigns:bulk"), {"action": "go_live", "campaigns": [str(campaign.public_id)]}
    )
    assert response.status_code == 403
    campaign.refresh_from_db()
    assert campaign.status == "draft"
    assert not AuditEntry.all_tenants.exists()


def test_bulk_action_with_nothing_to_change_writes_nothing(cast: Cast, client_for):
    live = CampaignFactory(organization=cast.acme, status="live")
    client = client_for(cast.carol)
    response = client.post(url("campaigns:bulk"), {"action": "go_live"}, follow=True)
    assert "Select at least one campaign." in response.content.decode()
    response = client.post(
        url("campaigns:bulk"),
        {"action": "go_live", "campaigns": [str(live.public_id)]},
        follow=True,
    )
    assert "Nothing needed changing." in response.content.decode()
    response = client.post(url("campaigns:bulk"), {"action": "end", "campaigns": ["nope"]})
    assert response.status_code == 302
    live.refresh_from_db()
    assert live.status == "live"
    assert not AuditEntry.all_tenants.exists()


def test_bulk_action_keeps_the_filters_it_was_applied_under(cast: Cast, client_for):
    campaign = CampaignFactory(organization=cast.acme, status="draft")
    response = client_for(cast.carol).post(
        url("campaigns:bulk"),
        {
            "action": "end",
            "campaigns": [str(campaign.public_id)],
            "return_query": "status=draft&page=2",
        },
    )
    assert response["Location"] == url("campaigns:list") + "?status=draft&page=2"


def test_bulk_page_answers_only_posts(cast: Cast, client_for):
    assert client_for(cast.carol).get(url("campaigns:bulk")).status_code == 405
