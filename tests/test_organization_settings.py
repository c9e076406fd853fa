"""Organization settings, teams, the activity trail, and the platform admin for tenancy."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from advocacy.tenancy.models import AuditEntry, Invitation, Membership, Organization, Team

from .factories import InvitationFactory, TeamFactory, UserFactory


def settings_url(name: str, org: str = "acme", **kwargs: object) -> str:
    return reverse(f"tenancy:{name}", kwargs={"org_slug": org, **kwargs})


def audit(org: Organization, action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.for_org(org).filter(action=action))


SETTINGS_POST = {
    "name": "Acme Holding A/S",
    "time_zone": "America/New_York",
    "language": "da",
    "currency": "eur",
    "linkedin_page_urn": "urn:li:organization:2414183",
    "cpm": "85.50",
    "posts_per_week_target": "2.5",
    "company_content_target_pct": "25",
}


# Access --------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["settings", "teams", "activity"])
def test_pages_render_for_admin(cast, client_for, page):
    response = client_for(cast.alice).get(settings_url(page))
    assert response.status_code == 200


@pytest.mark.parametrize("page", ["settings", "teams", "activity"])
@pytest.mark.parametrize("persona", ["carol", "leo", "emma", "fay"])
def test_pages_are_forbidden_for_other_roles(cast, client_for, page, persona):
    response = client_for(getattr(cast, persona)).get(settings_url(page))
    assert response.status_code == 403


def test_team_page_is_forbidden_for_other_roles(cast, client_for):
    url = settings_url("team", team_id=cast.acme_sales.public_id)
    assert client_for(cast.carol).get(url).status_code == 403
    assert client_for(cast.carol).post(url, {"name": "Mine"}).status_code == 403
    delete = settings_url("team_delete", team_id=cast.acme_sales.public_id)
    assert client_for(cast.emma).post(delete).status_code == 403
    assert Team.objects.for_org(cast.acme).get(pk=cast.acme_sales.pk).name == "Sales"


# Settings ------------------------------------------------------------------------------------


def test_settings_page_shows_the_slug_and_links(cast, client_for):
    response = client_for(cast.alice).get(settings_url("settings"))
    html = response.content.decode()
    assert "/o/acme/" in html
    assert 'name="slug"' not in html
    for page in ("members", "teams", "activity"):
        assert settings_url(page) in html
    assert response.context["form"].initial["time_zone"] == "Europe/Copenhagen"


def test_admin_changes_settings(cast, client_for):
    response = client_for(cast.alice).post(settings_url("settings"), SETTINGS_POST)
    assert response.status_code == 302
    acme = Organization.objects.get(pk=cast.acme.pk)
    assert acme.name == "Acme Holding A/S"
    assert acme.time_zone == "America/New_York"
    assert acme.language == "da"
    assert acme.currency == "EUR"
    assert acme.linkedin_page_urn == "urn:li:organization:2414183"
    assert (acme.cpm, acme.posts_per_week_target, acme.company_content_target_pct) == (
        Decimal("85.50"),
        Decimal("2.5"),
        25,
    )
    [entry] = audit(cast.acme, "organization.updated")
    assert entry.actor == cast.alice
    assert entry.data["changes"]["time_zone"] == ["Europe/Copenhagen", "America/New_York"]
    # Amounts are kept in the trail as the decimals they are.
    assert entry.data["changes"]["cpm"] == [None, "85.50"]
    assert entry.data["changes"]["posts_per_week_target"] == ["1.0", "2.5"]


def test_the_report_figures_show_on_the_settings_page(cast, client_for):
    Organization.objects.filter(pk=cast.acme.pk).update(cpm=Decimal("120.00"))
    html = client_for(cast.alice).get(settings_url("settings")).content.decode()
    assert 'name="cpm" value="120.00"' in html
    assert 'name="posts_per_week_target" value="1.0"' in html
    assert "Earned media value = impressions / 1,000 * CPM" in html


def test_an_empty_cpm_means_no_earned_media_value(cast, client_for):
    Organization.objects.filter(pk=cast.acme.pk).update(cpm=Decimal("120.00"))
    client_for(cast.alice).post(settings_url("settings"), {**SETTINGS_POST, "cpm": ""})
    assert Organization.objects.get(pk=cast.acme.pk).cpm is None


def test_slug_cannot_be_changed(cast, client_for):
    client_for(cast.alice).post(settings_url("settings"), {**SETTINGS_POST, "slug": "evil"})
    assert Organization.objects.get(pk=cast.acme.pk).slug == "acme"


def test_saving_unchanged_settings_writes_no_audit_entry(cast, client_for):
    response = client_for(cast.alice).post(
        settings_url("settings"),
        {
            "name": "Acme A/S",
            "time_zone": "Europe/Copenhagen",
            "language": "en",
            "currency": "DKK",
            "posts_per_week_target": "1.0",
            "company_content_target_pct": "20",
        },
    )
    assert response.status_code == 302
    assert audit(cast.acme, "organization.updated") == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("time_zone", "Mars/Olympus_Mons"),
        ("currency", "EURO"),
        ("linkedin_page_urn", "https://linkedin.com/company/acme"),
        ("language", "xx"),
        ("name", ""),
        ("cpm", "-1"),
        ("cpm", "12.345"),
        ("cpm", "lots"),
        ("posts_per_week_target", "0"),
        ("posts_per_week_target", "51"),
        ("posts_per_week_target", "1.25"),
        ("posts_per_week_target", ""),
        ("company_content_target_pct", "101"),
        ("company_content_target_pct", "-5"),
    ],
)
def test_bad_settings_are_form_errors(cast, client_for, field, value):
    response = client_for(cast.alice).post(
        settings_url("settings"), {**SETTINGS_POST, field: value}
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    acme = Organization.objects.get(pk=cast.acme.pk)
    assert (acme.name, acme.time_zone) == ("Acme A/S", "Europe/Copenhagen")
    assert (acme.cpm, acme.posts_per_week_target) == (None, Decimal("1.0"))
    assert audit(cast.acme, "organization.updated") == []


def test_settings_for_another_org_are_not_reachable(cast, client_for):
    response = client_for(cast.alice).post(settings_url("settings", org="globex"), SETTINGS_POST)
    assert response.status_code == 404
    assert Organization.objects.get(pk=cast.globex.pk).name == "Globex ApS"


# Teams ---------------------------------------------------------------------------------------


def test_teams_list_counts_active_members_without_a_query_per_team(
    cast, client_for, django_assert_max_num_queries
):
    support = TeamFactory(organization=cast.acme, name="Support")
    emma = cast.membership(cast.emma, cast.acme)
    Membership.all_tenants.filter(pk=cast.membership(cast.leo, cast.acme).pk).update(
        team=cast.acme_sales, is_active=False
    )
    Membership.all_tenants.filter(pk=cast.membership(cast.carol, cast.acme).pk).update(team=support)
    client = client_for(cast.alice)
    with django_assert_max_num_queries(8):
        response = client.get(settings_url("teams"))
    counts = {team.name: team.member_count for team in response.context["teams"]}
    assert counts == {"Sales": 1, "Support": 1}
    assert emma.team == cast.acme_sales
    assert "Operations" not in response.content.decode()


def test_admin_creates_a_team(cast, client_for):
    response = client_for(cast.alice).post(settings_url("teams"), {"name": "  Marketing "})
    assert response.status_code == 302
    team = Team.objects.for_org(cast.acme).get(name="Marketing")
    [entry] = audit(cast.acme, "team.created")
    assert entry.data["team"] == str(team.public_id)


def test_team_names_are_unique_per_org_whatever_the_case(cast, client_for):
    response = client_for(cast.alice).post(settings_url("teams"), {"name": "sALES"})
    assert response.status_code == 200
    assert "already a team" in str(response.context["form"].errors["name"])
    assert Team.objects.for_org(cast.acme).count() == 1
    assert audit(cast.acme, "team.created") == []


def test_another_org_may_use_the_same_team_name(cast, client_for):
    response = client_for(cast.greta).post(settings_url("teams", org="globex"), {"name": "Sales"})
    assert response.status_code == 302
    assert Team.objects.for_org(cast.globex).filter(name="Sales").exists()


def test_admin_renames_a_team(cast, client_for):
    url = settings_url("team", team_id=cast.acme_sales.public_id)
    client = client_for(cast.alice)
    page = client.get(url)
    assert page.status_code == 200
    assert "Emma" in page.content.decode()
    response = client.post(url, {"name": "Sales & Partners"})
    assert response.status_code == 302
    assert Team.objects.for_org(cast.acme).get(pk=cast.acme_sales.pk).name == "Sales & Partners"
    [entry] = audit(cast.acme, "team.renamed")
    assert entry.data["changes"] == {"name": ["Sales", "Sales & Partners"]}


def test_renaming_to_a_taken_name_is_refused(cast, client_for):
    TeamFactory(organization=cast.acme, name="Support")
    url = settings_url("team", team_id=cast.acme_sales.public_id)
    response = client_for(cast.alice).post(url, {"name": "SUPPORT"})
    assert response.status_code == 200
    assert "already a team" in str(response.context["form"].errors["name"])
    assert Team.objects.for_org(cast.acme).get(pk=cast.acme_sales.pk).name == "Sales"


def test_changing_only_the_case_of_a_team_name_is_allowed(cast, client_for):
    url = settings_url("team", team_id=cast.acme_sales.public_id)
    client_for(cast.alice).post(url, {"name": "SALES"})
    assert Team.objects.for_org(cast.acme).get(pk=cast.acme_sales.pk).name == "SALES"


def test_deleting_a_team_keeps_its_members(cast, client_for):
    invitation = InvitationFactory(organization=cast.acme, team=cast.acme_sales)
    url = settings_url("team_delete", team_id=cast.acme_sales.public_id)
    client = client_for(cast.alice)
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    assert not Team.objects.for_org(cast.acme).exists()
    emma = cast.membership(cast.emma, cast.acme)
    assert emma.is_active
    assert emma.team is None
    assert Invitation.objects.for_org(cast.acme).get(pk=invitation.pk).team is None
    [entry] = audit(cast.acme, "team.deleted")
    assert "Sales" in entry.summary


def test_cannot_get_other_org_team(cast, client_for):
    url = settings_url("team", team_id=cast.globex_ops.public_id)
    client = client_for(cast.alice)
    assert client.get(url).status_code == 404
    assert client.post(url, {"name": "Hijacked"}).status_code == 404
    assert Team.objects.for_org(cast.globex).get(pk=cast.globex_ops.pk).name == "Operations"


def test_cannot_get_other_org_team_delete(cast, client_for):
    url = settings_url("team_delete", team_id=cast.globex_ops.public_id)
    assert client_for(cast.alice).post(url).status_code == 404
    assert Team.objects.for_org(cast.globex).filter(pk=cast.globex_ops.pk).exists()
    assert cast.membership(cast.gus, cast.globex).team == cast.globex_ops


# Activity ------------------------------------------------------------------------------------


def test_activity_is_newest_first_and_paginated(cast, client_for):
    for number in range(60):
        AuditEntry.all_tenants.create(
            organization=cast.acme, actor=cast.alice, action="test", summary=f"Entry {number}"
        )
    AuditEntry.all_tenants.create(
        organization=cast.globex, actor=cast.greta, action="test", summary="Globex secret"
    )
    client = client_for(cast.alice)
    first = client.get(settings_url("activity"))
    entries = list(first.context["page"].object_list)
    assert len(entries) == 50
    assert entries[0].summary == "Entry 59"
    assert "Globex secret" not in first.content.decode()
    second = client.get(settings_url("activity") + "?page=2")
    assert [entry.summary for entry in second.context["page"].object_list][-1] == "Entry 0"
    assert len(second.context["page"].object_list) == 10


def test_activity_shows_what_admins_did(cast, client_for):
    client = client_for(cast.alice)
    client.post(settings_url("teams"), {"name": "Marketing"})
    response = client.get(settings_url("activity"))
    assert "Created the team Marketing" in response.content.decode()


# Platform admin ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model", ["organization", "team", "membership", "invitation", "auditentry"]
)
def test_platform_staff_see_every_organization_in_the_admin(cast, client, model):
    InvitationFactory(organization=cast.globex, email="new@globex.example")
    AuditEntry.all_tenants.create(organization=cast.globex, action="test", summary="Something")
    staff = UserFactory(email="staff@platform.example", is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.get(reverse(f"admin:tenancy_{model}_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


def test_admin_refuses_a_team_of_another_organization(cast, client):
    staff = UserFactory(email="staff@platform.example", is_staff=True, is_superuser=True)
    client.force_login(staff)
    emma = cast.membership(cast.emma, cast.acme)
    url = reverse("admin:tenancy_membership_change", args=[emma.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "organization": cast.acme.pk,
            "user": cast.emma.pk,
            "role": "employee",
            "team": cast.globex_ops.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "team" in response.context["adminform"].form.errors
    assert cast.membership(cast.emma, cast.acme).team == cast.acme_sales
