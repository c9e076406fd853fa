"""The member table, a member's page, and the rules for roles and deactivation."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from advocacy.tenancy.models import AuditEntry, Membership, Organization

from .factories import MembershipFactory, TeamFactory

Role = Membership.Role


def settings_url(name: str, org: str = "acme", **kwargs: object) -> str:
    return reverse(f"tenancy:{name}", kwargs={"org_slug": org, **kwargs})


def member_url(membership: Membership, name: str = "member") -> str:
    return settings_url(name, org=membership.organization.slug, member_id=membership.public_id)


def audit(org: Organization, action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.for_org(org).filter(action=action))


def listed_emails(response) -> list[str]:
    return [m.user.email for m in response.context["page"].object_list]


# Access --------------------------------------------------------------------------------------


def test_members_page_renders_for_admin(cast, client_for):
    response = client_for(cast.alice).get(settings_url("members"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "emma@acme.example" in html
    assert "gus@globex.example" not in html


def test_member_page_renders_for_admin(cast, client_for):
    emma = cast.membership(cast.emma, cast.acme)
    response = client_for(cast.alice).get(member_url(emma))
    assert response.status_code == 200
    assert response.context["form"].initial["team"] == cast.acme_sales


@pytest.mark.parametrize("persona", ["carol", "leo", "emma", "fay"])
def test_member_pages_are_forbidden_for_other_roles(cast, client_for, persona):
    client = client_for(getattr(cast, persona))
    emma = cast.membership(cast.emma, cast.acme)
    assert client.get(settings_url("members")).status_code == 403
    assert client.get(member_url(emma)).status_code == 403
    assert client.post(member_url(emma), {"role": "admin"}).status_code == 403
    assert client.post(member_url(emma, "member_deactivate")).status_code == 403
    assert client.post(member_url(emma, "member_reactivate")).status_code == 403
    emma.refresh_from_db()
    assert (emma.role, emma.is_active) == (Role.EMPLOYEE, True)


# The table -----------------------------------------------------------------------------------


def test_members_table_shows_every_column(cast, client_for):
    Membership.all_tenants.filter(pk=cast.membership(cast.emma, cast.acme).pk).update(
        title="Account manager", location="Aarhus", opted_in_at=timezone.now()
    )
    response = client_for(cast.alice).get(settings_url("members"))
    html = response.content.decode()
    for text in ("Emma", "emma@acme.example", "Employee", "Sales", "Account manager", "Aarhus"):
        assert text in html
    assert set(listed_emails(response)) == {
        "alice@acme.example",
        "carol@acme.example",
        "leo@acme.example",
        "emma@acme.example",
        "fay@facilitators.example",
    }


def test_search_by_name_or_email(cast, client_for):
    client = client_for(cast.alice)
    assert listed_emails(client.get(settings_url("members") + "?q=emm")) == ["emma@acme.example"]
    assert listed_emails(client.get(settings_url("members") + "?q=FACILITATORS")) == [
        "fay@facilitators.example"
    ]
    assert listed_emails(client.get(settings_url("members") + "?q=gus")) == []


def test_filter_by_role_team_and_status(cast, client_for):
    Membership.all_tenants.filter(pk=cast.membership(cast.carol, cast.acme).pk).update(
        is_active=False, deactivated_at=timezone.now()
    )
    client = client_for(cast.alice)
    url = settings_url("members")
    assert listed_emails(client.get(url + "?role=leader")) == ["leo@acme.example"]
    sales = f"?team={cast.acme_sales.public_id}"
    assert listed_emails(client.get(url + sales)) == ["emma@acme.example"]
    assert "emma@acme.example" not in listed_emails(client.get(url + "?team=none"))
    assert listed_emails(client.get(url + "?status=deactivated")) == ["carol@acme.example"]
    assert "carol@acme.example" not in listed_emails(client.get(url + "?status=active"))
    combined = client.get(url + f"?status=active&role=employee&team={cast.acme_sales.public_id}")
    assert listed_emails(combined) == ["emma@acme.example"]


def test_a_foreign_team_in_the_filter_shows_nobody_from_the_other_org(cast, client_for):
    response = client_for(cast.alice).get(
        settings_url("members") + f"?team={cast.globex_ops.public_id}"
    )
    assert response.status_code == 200
    assert "gus@globex.example" not in listed_emails(response)


def test_members_page_query_count_does_not_grow_with_members(
    cast, client_for, django_assert_num_queries
):
    client = client_for(cast.alice)
    client.get(settings_url("members"))  # warm the session and content types

    def add_members(count: int) -> None:
        for _number in range(count):
            team = TeamFactory(organization=cast.acme)
            MembershipFactory(organization=cast.acme, team=team, opted_in_at=timezone.now())

    add_members(3)
    with django_assert_num_queries(9):
        client.get(settings_url("members"))
    add_members(20)
    with django_assert_num_queries(9):
        response = client.get(settings_url("members"))
    assert len(response.context["page"].object_list) == 28


# Editing a member ----------------------------------------------------------------------------


def test_admin_changes_role_team_title_and_location(cast, client_for):
    support = TeamFactory(organization=cast.acme, name="Support")
    emma = cast.membership(cast.emma, cast.acme)
    response = client_for(cast.alice).post(
        member_url(emma),
        {"role": "comms", "team": support.public_id, "title": "Editor", "location": "Odense"},
    )
    assert response.status_code == 302
    emma.refresh_from_db()
    assert (emma.role, emma.team, emma.title, emma.location) == (
        Role.COMMS,
        support,
        "Editor",
        "Odense",
    )
    [entry] = audit(cast.acme, "member.updated")
    assert entry.actor == cast.alice
    assert entry.data["changes"]["role"] == ["employee", "comms"]
    assert entry.data["changes"]["team"] == ["Sales", "Support"]


def test_member_can_be_taken_out_of_their_team(cast, client_for):
    emma = cast.membership(cast.emma, cast.acme)
    client_for(cast.alice).post(member_url(emma), {"role": "employee", "team": ""})
    emma.refresh_from_db()
    assert emma.team is None


def test_foreign_team_in_member_form_is_an_error(cast, client_for):
    emma = cast.membership(cast.emma, cast.acme)
    response = client_for(cast.alice).post(
        member_url(emma), {"role": "comms", "team": cast.globex_ops.public_id, "title": "X"}
    )
    assert response.status_code == 200
    assert "team" in response.context["form"].errors
    emma.refresh_from_db()
    assert (emma.role, emma.team, emma.title) == (Role.EMPLOYEE, cast.acme_sales, "")
    assert audit(cast.acme, "member.updated") == []


def test_unknown_role_is_an_error(cast, client_for):
    emma = cast.membership(cast.emma, cast.acme)
    response = client_for(cast.alice).post(member_url(emma), {"role": "owner"})
    assert "role" in response.context["form"].errors
    emma.refresh_from_db()
    assert emma.role == Role.EMPLOYEE


def test_last_admin_cannot_demote_themself(cast, client_for):
    alice = cast.membership(cast.alice, cast.acme)
    response = client_for(cast.alice).post(member_url(alice), {"role": "employee"})
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert "only active admin" in str(errors)
    alice.refresh_from_db()
    assert alice.role == Role.ADMIN
    assert audit(cast.acme, "member.updated") == []


def test_last_admin_can_still_edit_their_title(cast, client_for):
    alice = cast.membership(cast.alice, cast.acme)
    response = client_for(cast.alice).post(member_url(alice), {"role": "admin", "title": "CEO"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.role, alice.title) == (Role.ADMIN, "CEO")


def test_an_admin_may_step_down_when_another_admin_remains(cast, client_for):
    carol = cast.membership(cast.carol, cast.acme)
    Membership.all_tenants.filter(pk=carol.pk).update(role=Role.ADMIN)
    alice = cast.membership(cast.alice, cast.acme)
    client = client_for(cast.alice)
    response = client.post(member_url(alice), {"role": "comms"})
    assert response.status_code == 302
    assert response["Location"] == reverse("content:dashboard", args=["acme"])
    alice.refresh_from_db()
    assert alice.role == Role.COMMS
    assert client.get(settings_url("members")).status_code == 403


def test_a_deactivated_admin_does_not_count_as_the_other_admin(cast, client_for):
    carol = cast.membership(cast.carol, cast.acme)
    Membership.all_tenants.filter(pk=carol.pk).update(role=Role.ADMIN, is_active=False)
    alice = cast.membership(cast.alice, cast.acme)
    client_for(cast.alice).post(member_url(alice, "member_deactivate"))
    alice.refresh_from_db()
    assert alice.is_active


# Deactivation --------------------------------------------------------------------------------


def test_deactivated_member_loses_access_at_once(cast, client_for):
    emma_client = client_for(cast.emma)
    assert emma_client.get(reverse("content:dashboard", args=["acme"])).status_code == 200
    emma = cast.membership(cast.emma, cast.acme)
    client = client_for(cast.alice)
    assert client.get(member_url(emma, "member_deactivate")).status_code == 405
    response = client.post(member_url(emma, "member_deactivate"))
    assert response.status_code == 302
    emma.refresh_from_db()
    assert not emma.is_active
    assert emma.deactivated_at is not None
    assert emma_client.get(reverse("content:dashboard", args=["acme"])).status_code == 404
    [entry] = audit(cast.acme, "member.deactivated")
    assert entry.data["member"] == str(emma.public_id)


def test_deactivating_twice_records_it_once(cast, client_for):
    emma = cast.membership(cast.emma, cast.acme)
    client = client_for(cast.alice)
    client.post(member_url(emma, "member_deactivate"))
    client.post(member_url(emma, "member_deactivate"))
    assert len(audit(cast.acme, "member.deactivated")) == 1


def test_reactivated_member_gets_access_back(cast, client_for):
    emma = cast.membership(cast.emma, cast.acme)
    client = client_for(cast.alice)
    client.post(member_url(emma, "member_deactivate"))
    response = client.post(member_url(emma, "member_reactivate"))
    assert response.status_code == 302
    emma.refresh_from_db()
    assert emma.is_active
    assert emma.deactivated_at is None
    assert client_for(cast.emma).get(reverse("content:dashboard", args=["acme"])).status_code == 200
    assert len(audit(cast.acme, "member.reactivated")) == 1


def test_last_admin_cannot_deactivate_themself(cast, client_for):
    alice = cast.membership(cast.alice, cast.acme)
    client = client_for(cast.alice)
    response = client.post(member_url(alice, "member_deactivate"), follow=True)
    assert "only active admin" in response.content.decode()
    alice.refresh_from_db()
    assert alice.is_active
    assert alice.deactivated_at is None
    assert audit(cast.acme, "member.deactivated") == []
    assert client.get(settings_url("members")).status_code == 200


def test_admin_may_deactivate_themself_when_another_admin_remains(cast, client_for):
    Membership.all_tenants.filter(pk=cast.membership(cast.carol, cast.acme).pk).update(
        role=Role.ADMIN
    )
    alice = cast.membership(cast.alice, cast.acme)
    client = client_for(cast.alice)
    response = client.post(member_url(alice, "member_deactivate"))
    assert response["Location"] == reverse("home")
    alice.refresh_from_db()
    assert not alice.is_active
    assert client.get(settings_url("members")).status_code == 404


def test_deactivation_in_one_org_leaves_the_other(cast, client_for):
    fay = cast.membership(cast.fay, cast.acme)
    client_for(cast.alice).post(member_url(fay, "member_deactivate"))
    assert not cast.membership(cast.fay, cast.acme).is_active
    assert cast.membership(cast.fay, cast.globex).is_active
    assert (
        client_for(cast.fay).get(reverse("content:dashboard", args=["globex"])).status_code == 200
    )


# Other organizations -------------------------------------------------------------------------


def test_cannot_get_other_org_member(cast, client_for):
    gus = cast.membership(cast.gus, cast.globex)
    client = client_for(cast.alice)
    url = settings_url("member", member_id=gus.public_id)
    assert client.get(url).status_code == 404
    assert client.post(url, {"role": "admin"}).status_code == 404
    gus.refresh_from_db()
    assert gus.role == Role.EMPLOYEE


def test_cannot_get_other_org_member_deactivate(cast, client_for):
    gus = cast.membership(cast.gus, cast.globex)
    client = client_for(cast.alice)
    assert (
        client.post(settings_url("member_deactivate", member_id=gus.public_id)).status_code == 404
    )
    gus.refresh_from_db()
    assert gus.is_active


def test_cannot_get_other_org_member_reactivate(cast, client_for):
    gus = cast.membership(cast.gus, cast.globex)
    Membership.all_tenants.filter(pk=gus.pk).update(is_active=False)
    client = client_for(cast.alice)
    assert (
        client.post(settings_url("member_reactivate", member_id=gus.public_id)).status_code == 404
    )
    gus.refresh_from_db()
    assert not gus.is_active


def test_cannot_get_other_org_member_through_a_shared_user(cast, client_for):
    # Fay is in both organizations: her Globex membership id is still Globex's.
    fay_globex = cast.membership(cast.fay, cast.globex)
    client = client_for(cast.alice)
    assert (
        client.post(
            settings_url("member", member_id=fay_globex.public_id), {"role": "employee"}
        ).status_code
        == 404
    )
    assert cast.membership(cast.fay, cast.globex).role == Role.FACILITATOR


def test_unknown_member_id_is_404(cast, client_for):
    response = client_for(cast.alice).get(
        settings_url("member", member_id="00000000-0000-0000-0000-000000000000")
    )
    assert response.status_code == 404
