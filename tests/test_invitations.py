"""Inviting people, the invitation email, and accepting an invitation end to end."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advocacy.accounts.models import User
from advocacy.tenancy import invitations, services, tasks
from advocacy.tenancy.models import AuditEntry, Invitation, Membership, Organization

from .conftest import besides_kept_pages
from .factories import PASSWORD, InvitationFactory, TeamFactory, UserFactory

Role = Membership.Role
NEW_PASSWORD = "a-long-and-unusual-passphrase-42"


def members_url(org: str = "acme") -> str:
    return reverse("tenancy:members", kwargs={"org_slug": org})


def audit(org: Organization, action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.for_org(org).filter(action=action))


def open_invitations(org: Organization) -> list[Invitation]:
    return list(
        Invitation.objects.for_org(org).filter(accepted_at__isnull=True, revoked_at__isnull=True)
    )


def invite(client: Client, capture, **data: object):
    with capture(execute=True):
        return client.post(members_url(), {"role": "employee", **data})


def link_in(mail) -> str:
    match = re.search(r"https?://\S+/invitations/\S+/", mail.body)
    assert match, mail.body
    return match.group(0)


def opens(link: str, invitation: Invitation) -> bool:
    """Whether a mailed link opens this invitation (tokens carry a timestamp: compare what
    they open, not their characters)."""
    token = link.rstrip("/").rsplit("/", 1)[-1]
    return invitations.invitation_from_token(token) == invitation


def accept_path(invitation: Invitation) -> str:
    return reverse("accept_invitation", args=[invitations.invitation_token(invitation)])


def membership_of(user: User, org: Organization) -> Membership | None:
    return Membership.objects.for_org(org).filter(user=user).first()


# Inviting ------------------------------------------------------------------------------------


def test_invite_creates_an_invitation_and_mails_the_link(
    cast, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    response = invite(
        client_for(cast.alice),
        django_capture_on_commit_callbacks,
        email="  Nina@Example.COM ",
        role="comms",
        team=cast.acme_sales.public_id,
    )
    assert response.status_code == 302
    [invitation] = open_invitations(cast.acme)
    assert invitation.email == "nina@example.com"
    assert (invitation.role, invitation.team, invitation.invited_by) == (
        Role.COMMS,
        cast.acme_sales,
        cast.alice,
    )
    expected_expiry = timezone.now() + dt.timedelta(days=django_settings.INVITATION_MAX_AGE_DAYS)
    assert abs(invitation.expires_at - expected_expiry) < dt.timedelta(minutes=1)

    [mail] = mailoutbox
    assert mail.to == ["nina@example.com"]
    assert "Acme A/S" in mail.subject
    assert "Alice" in mail.body
    link = link_in(mail)
    assert link.startswith(django_settings.SITE_URL + "/invitations/")
    assert opens(link, invitation)
    [entry] = audit(cast.acme, "invitation.sent")
    assert entry.actor == cast.alice
    assert entry.data["email"] == "nina@example.com"


def test_invitation_mail_is_sent_only_after_commit(
    cast, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client_for(cast.alice).post(
            members_url(), {"email": "nina@example.com", "role": "employee"}
        )
    assert mailoutbox == []
    assert len(besides_kept_pages(callbacks)) == 1


def test_invitations_are_listed_with_resend_and_revoke(cast, client_for):
    invitation = InvitationFactory(organization=cast.acme, email="nina@example.com")
    InvitationFactory(organization=cast.globex, email="globex-only@example.com")
    InvitationFactory(organization=cast.acme, email="gone@example.com", revoked_at=timezone.now())
    response = client_for(cast.alice).get(members_url())
    html = response.content.decode()
    assert "nina@example.com" in html
    assert "globex-only@example.com" not in html
    assert "gone@example.com" not in html
    kwargs = {"org_slug": "acme", "invitation_id": invitation.public_id}
    assert reverse("tenancy:invitation_resend", kwargs=kwargs) in html
    assert reverse("tenancy:invitation_revoke", kwargs=kwargs) in html


def test_inviting_an_existing_member_is_refused_whatever_the_case(
    cast, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    response = invite(
        client_for(cast.alice), django_capture_on_commit_callbacks, email="EMMA@Acme.Example"
    )
    assert response.status_code == 200
    assert "already a member" in str(response.context["invite_form"].errors["email"])
    assert open_invitations(cast.acme) == []
    assert audit(cast.acme, "invitation.sent") == []
    assert mailoutbox == []


def test_a_deactivated_member_can_be_invited_back(
    cast, client_for, django_capture_on_commit_callbacks
):
    Membership.all_tenants.filter(pk=cast.membership(cast.emma, cast.acme).pk).update(
        is_active=False
    )
    response = invite(
        client_for(cast.alice), django_capture_on_commit_callbacks, email="emma@acme.example"
    )
    assert response.status_code == 302
    assert len(open_invitations(cast.acme)) == 1


def test_a_member_of_another_org_can_be_invited(
    cast, client_for, django_capture_on_commit_callbacks
):
    response = invite(
        client_for(cast.alice), django_capture_on_commit_callbacks, email="gus@globex.example"
    )
    assert response.status_code == 302


def test_foreign_team_in_the_invite_form_is_an_error(
    cast, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    response = invite(
        client_for(cast.alice),
        django_capture_on_commit_callbacks,
        email="nina@example.com",
        team=cast.globex_ops.public_id,
    )
    assert response.status_code == 200
    assert "team" in response.context["invite_form"].errors
    assert open_invitations(cast.acme) == []
    assert mailoutbox == []


def test_invite_form_offers_only_the_orgs_teams(cast, client_for):
    response = client_for(cast.alice).get(members_url())
    choices = [label for _value, label in response.context["invite_form"].fields["team"].choices]
    assert "Sales" in choices
    assert "Operations" not in choices


def test_inviting_again_replaces_the_open_invitation(
    cast, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for(cast.alice)
    invite(client, django_capture_on_commit_callbacks, email="nina@example.com")
    [first] = open_invitations(cast.acme)
    invite(client, django_capture_on_commit_callbacks, email="NINA@example.com", role="leader")
    [second] = open_invitations(cast.acme)
    assert second.pk != first.pk
    assert second.role == Role.LEADER
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert len(mailoutbox) == 2
    assert opens(link_in(mailoutbox[1]), second)
    assert Client().get(accept_path(first)).status_code == 410


def test_resend_sends_a_fresh_link(
    cast, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    with time_machine.travel(timezone.now() - dt.timedelta(days=30)):
        old = InvitationFactory(
            organization=cast.acme, email="nina@example.com", role=Role.LEADER, team=cast.acme_sales
        )
    url = reverse(
        "tenancy:invitation_resend", kwargs={"org_slug": "acme", "invitation_id": old.public_id}
    )
    client = client_for(cast.alice)
    assert client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    [fresh] = open_invitations(cast.acme)
    assert (fresh.email, fresh.role, fresh.team) == (
        "nina@example.com",
        Role.LEADER,
        cast.acme_sales,
    )
    assert fresh.expires_at > timezone.now()
    old.refresh_from_db()
    assert old.revoked_at is not None
    [mail] = mailoutbox
    assert opens(link_in(mail), fresh)
    [entry] = audit(cast.acme, "invitation.sent")
    assert entry.data["replaces"] == [str(old.public_id)]


def test_revoke_withdraws_the_invitation(cast, client_for):
    invitation = InvitationFactory(organization=cast.acme, email="nina@example.com")
    url = reverse(
        "tenancy:invitation_revoke",
        kwargs={"org_slug": "acme", "invitation_id": invitation.public_id},
    )
    response = client_for(cast.alice).post(url)
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    [entry] = audit(cast.acme, "invitation.revoked")
    assert entry.data["email"] == "nina@example.com"
    client_for(cast.alice).post(url)
    assert len(audit(cast.acme, "invitation.revoked")) == 1


@pytest.mark.parametrize("persona", ["carol", "leo", "emma", "fay"])
def test_only_admins_invite(cast, client_for, persona):
    invitation = InvitationFactory(organization=cast.acme)
    client = client_for(getattr(cast, persona))
    assert (
        client.post(members_url(), {"email": "x@example.com", "role": "admin"}).status_code == 403
    )
    for name in ("invitation_resend", "invitation_revoke"):
        url = reverse(
            f"tenancy:{name}", kwargs={"org_slug": "acme", "invitation_id": invitation.public_id}
        )
        assert client.post(url).status_code == 403
    assert Invitation.objects.for_org(cast.acme).count() == 1
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_cannot_get_other_org_invitation_revoke(cast, client_for):
    invitation = InvitationFactory(organization=cast.globex, email="nina@example.com")
    url = reverse(
        "tenancy:invitation_revoke",
        kwargs={"org_slug": "acme", "invitation_id": invitation.public_id},
    )
    assert client_for(cast.alice).post(url).status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_cannot_get_other_org_invitation_resend(
    cast, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    invitation = InvitationFactory(organization=cast.globex, email="nina@example.com")
    url = reverse(
        "tenancy:invitation_resend",
        kwargs={"org_slug": "acme", "invitation_id": invitation.public_id},
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for(cast.alice).post(url).status_code == 404
    assert Invitation.all_tenants.count() == 1
    assert mailoutbox == []


# The invitation email task -------------------------------------------------------------------


def test_task_returns_quietly_when_the_invitation_is_gone_or_withdrawn(cast, mailoutbox):
    invitation = InvitationFactory(organization=cast.acme, revoked_at=timezone.now())
    tasks.send_invitation_email(cast.acme.pk, invitation.pk)
    tasks.send_invitation_email(cast.acme.pk, invitation.pk + 1000)
    tasks.send_invitation_email(cast.globex.pk, invitation.pk)
    tasks.send_invitation_email(cast.globex.pk + 1000, invitation.pk)
    assert mailoutbox == []


def test_task_sends_the_link_in_the_organizations_time_zone(cast, mailoutbox):
    Organization.objects.filter(pk=cast.acme.pk).update(time_zone="America/New_York")
    invitation = InvitationFactory(
        organization=cast.acme,
        invited_by=cast.alice,
        expires_at=dt.datetime(2030, 1, 15, 12, 0, tzinfo=dt.UTC),
    )
    tasks.send_invitation_email(cast.acme.pk, invitation.pk)
    [mail] = mailoutbox
    assert opens(link_in(mail), invitation)
    assert "15 Jan 2030, 07:00 (EST)" in mail.body


# Accepting -----------------------------------------------------------------------------------


def test_new_person_signs_up_through_the_link_and_joins(
    cast, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    invite(
        client_for(cast.alice),
        django_capture_on_commit_callbacks,
        email="Nina@Example.com",
        role="comms",
        team=cast.acme_sales.public_id,
    )
    link = link_in(mailoutbox[0])
    path = urlsplit(link).path
    visitor = Client()

    page = visitor.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Acme A/S" in html
    assert "Alice" in html
    assert "Communications" in html
    signup_url = page.context["signup_url"]
    query = parse_qs(urlsplit(signup_url).query)
    assert query == {"email": ["nina@example.com"], "next": [path]}

    form = visitor.get(signup_url)
    assert form.status_code == 200
    assert form.context["form"]["email"].value() == "nina@example.com"

    with django_capture_on_commit_callbacks(execute=True):
        signed_up = visitor.post(
            signup_url,
            {
                "name": "Nina Nielsen",
                "email": "nina@example.com",
                "password1": NEW_PASSWORD,
                "password2": NEW_PASSWORD,
            },
        )
    assert signed_up.status_code == 302
    assert signed_up["Location"] == path
    # The link proved the address: no confirmation mail, and the address counts as verified.
    assert len(mailoutbox) == 1
    nina = User.objects.get(email="nina@example.com")
    assert nina.emailaddress_set.get().verified

    confirm = visitor.get(path)
    assert confirm.status_code == 200
    assert 'method="post"' in confirm.content.decode()
    assert membership_of(nina, cast.acme) is None

    accepted = visitor.post(path)
    assert accepted.status_code == 302
    assert accepted["Location"] == reverse("content:dashboard", args=["acme"])
    membership = membership_of(nina, cast.acme)
    assert (membership.role, membership.team, membership.is_active) == (
        Role.COMMS,
        cast.acme_sales,
        True,
    )
    invitation = Invitation.objects.for_org(cast.acme).get()
    assert invitation.accepted_by == nina
    assert invitation.accepted_at is not None
    [entry] = audit(cast.acme, "invitation.accepted")
    assert entry.actor == nina
    assert visitor.get(accepted["Location"]).status_code == 200


def test_signup_with_another_address_verifies_only_the_invited_one(cast, client):
    invitation = InvitationFactory(organization=cast.acme, email="nina@example.com")
    page = client.get(accept_path(invitation))
    client.post(
        page.context["signup_url"],
        {
            "name": "Someone Else",
            "email": "someone@example.com",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    # allauth keeps the address the link proved as the primary one; the typed one stays
    # unverified until its owner confirms it.
    user = User.objects.get(emailaddress__email="someone@example.com")
    assert user.email == "nina@example.com"
    assert dict(user.emailaddress_set.values_list("email", "verified")) == {
        "nina@example.com": True,
        "someone@example.com": False,
    }


def test_link_opens_sign_up_even_when_open_sign_up_is_off(cast, client, settings):
    settings.ACCOUNT_ALLOW_SIGNUPS = False
    assert "Sign Up Closed" in client.get(reverse("account_signup")).content.decode()
    invitation = InvitationFactory(organization=cast.acme, email="nina@example.com")
    page = client.get(accept_path(invitation))
    form = client.get(page.context["signup_url"])
    assert "form" in form.context


def test_existing_user_signs_in_through_the_link_and_joins(cast, client):
    nina = UserFactory(email="nina@example.com")
    invitation = InvitationFactory(
        organization=cast.acme, email="nina@example.com", role=Role.LEADER, invited_by=cast.alice
    )
    path = accept_path(invitation)
    page = client.get(path)
    assert page.status_code == 200
    assert "signup_url" not in page.context
    login_url = page.context["login_url"]
    assert parse_qs(urlsplit(login_url).query) == {"next": [path]}
    # No stashed address: only the mailbox owner's own sign-in proves who they are.
    assert not client.session.get("account_verified_email")

    signed_in = client.post(login_url, {"login": "Nina@Example.com", "password": PASSWORD})
    assert signed_in.status_code == 302
    assert signed_in["Location"] == path
    accepted = client.post(path)
    assert accepted["Location"] == reverse("content:dashboard", args=["acme"])
    assert membership_of(nina, cast.acme).role == Role.LEADER


def test_signed_in_member_of_another_org_accepts(cast, client_for):
    invitation = InvitationFactory(organization=cast.acme, email="gus@globex.example")
    client = client_for(cast.gus)
    response = client.post(accept_path(invitation))
    assert response.status_code == 302
    assert membership_of(cast.gus, cast.acme).role == Role.EMPLOYEE
    assert membership_of(cast.gus, cast.globex).role == Role.EMPLOYEE


def test_email_case_differences_count_as_the_same_person(cast, client_for):
    gus = cast.gus
    invitation = InvitationFactory.build(organization=cast.acme, email="GUS@Globex.Example")
    # Stored as an admin tool or an old row might have it, not as the service normalises it.
    Invitation.all_tenants.bulk_create([invitation])
    invitation = Invitation.all_tenants.get(email="GUS@Globex.Example")
    client = client_for(gus)
    page = client.get(accept_path(invitation))
    assert page.status_code == 200
    assert client.post(accept_path(invitation)).status_code == 302
    assert membership_of(gus, cast.acme) is not None


def test_accepting_twice_creates_one_membership(cast, client_for):
    invitation = InvitationFactory(organization=cast.acme, email="gus@globex.example")
    client = client_for(cast.gus)
    first = client.post(accept_path(invitation))
    second = client.post(accept_path(invitation))
    assert first["Location"] == second["Location"] == reverse("content:dashboard", args=["acme"])
    assert Membership.objects.for_org(cast.acme).filter(user=cast.gus).count() == 1
    assert len(audit(cast.acme, "invitation.accepted")) == 1


def test_service_is_idempotent_for_the_same_user(cast):
    invitation = InvitationFactory(organization=cast.acme, email="gus@globex.example")
    first = services.accept_invitation(invitation=invitation, user=cast.gus)
    stale = Invitation.all_tenants.get(pk=invitation.pk)
    second = services.accept_invitation(invitation=stale, user=cast.gus)
    assert first.pk == second.pk


def test_accepting_reactivates_a_former_member_with_the_invited_role(cast, client_for):
    emma = cast.membership(cast.emma, cast.acme)
    Membership.all_tenants.filter(pk=emma.pk).update(is_active=False, deactivated_at=timezone.now())
    support = TeamFactory(organization=cast.acme, name="Support")
    invitation = InvitationFactory(
        organization=cast.acme, email="emma@acme.example", role=Role.COMMS, team=support
    )
    client = client_for(cast.emma)
    assert client.get(reverse("content:dashboard", args=["acme"])).status_code == 404
    assert client.post(accept_path(invitation)).status_code == 302
    emma.refresh_from_db()
    assert (emma.is_active, emma.deactivated_at, emma.role, emma.team) == (
        True,
        None,
        Role.COMMS,
        support,
    )
    assert Membership.objects.for_org(cast.acme).filter(user=cast.emma).count() == 1
    assert client.get(reverse("content:dashboard", args=["acme"])).status_code == 200


def test_anonymous_post_is_sent_to_sign_in(cast, client):
    invitation = InvitationFactory(organization=cast.acme, email="nina@example.com")
    response = client.post(accept_path(invitation))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Invitation.objects.for_org(cast.acme).get().accepted_at


def test_signed_in_as_someone_else_gets_told_whom_it_is_for(cast, client_for):
    invitation = InvitationFactory(organization=cast.acme, email="nina@example.com")
    client = client_for(cast.gus)
    for response in (client.get(accept_path(invitation)), client.post(accept_path(invitation))):
        assert response.status_code == 403
        html = response.content.decode()
        assert "nina@example.com" in html
        assert reverse("account_logout") in html
    assert membership_of(cast.gus, cast.acme) is None
    assert Invitation.objects.for_org(cast.acme).get().accepted_at is None


def test_service_refuses_someone_else(cast):
    invitation = InvitationFactory(organization=cast.acme, email="nina@example.com")
    with pytest.raises(invitations.InvitationForSomeoneElse):
        services.accept_invitation(invitation=invitation, user=cast.gus)
    assert membership_of(cast.gus, cast.acme) is None


# Links that no longer work -------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [None, "00000000-0000-0000-0000-000000000000", "not-a-uuid", ["a", "list"]],
    ids=["not-signed", "unknown-invitation", "not-a-uuid", "not-a-string"],
)
def test_bad_links_are_not_valid(cast, client_for, value):
    # Signed inside the test: a signature holds a timestamp, and parameters must be the same
    # in every test process.
    token = (
        "not-a-token"
        if value is None
        else signing.dumps(value, salt=invitations.INVITATION_LINK_SALT)
    )
    for client in (Client(), client_for(cast.gus)):
        for method in (client.get, client.post):
            response = method(reverse("accept_invitation", args=[token]))
            assert response.status_code == 404
            assert "This invitation link is not valid" in response.content.decode()


def test_tampered_token_is_not_valid_and_creates_nothing(cast, client_for):
    invitation = InvitationFactory(organization=cast.acme, email="gus@globex.example")
    token = invitations.invitation_token(invitation)
    other = InvitationFactory(organization=cast.acme, email="someone@example.com")
    payload, signature = token.rsplit(":", 1)
    other_payload = invitations.invitation_token(other).rsplit(":", 1)[0]
    tampered = [f"{other_payload}:{signature}", f"{payload}:{signature[:-2]}xx", token[:-1]]
    # Signed with another salt (a password reset token, say) does not count either.
    tampered.append(signing.dumps(str(invitation.public_id), salt="something.else"))
    client = client_for(cast.gus)
    for bad in tampered:
        for method in (client.get, client.post):
            assert method(reverse("accept_invitation", args=[bad])).status_code == 404
    assert membership_of(cast.gus, cast.acme) is None


def test_expired_invitation_cannot_be_accepted(cast, client_for):
    invitation = InvitationFactory(organization=cast.acme, email="gus@globex.example")
    client = client_for(cast.gus)
    later = timezone.now() + dt.timedelta(days=django_settings.INVITATION_MAX_AGE_DAYS, hours=1)
    with time_machine.travel(later):
        for response in (client.get(accept_path(invitation)), client.post(accept_path(invitation))):
            assert response.status_code == 410
            assert "expired" in response.content.decode()
        assert Client().get(accept_path(invitation)).status_code == 410
    assert membership_of(cast.gus, cast.acme) is None
    assert Invitation.objects.for_org(cast.acme).get().accepted_at is None


def test_invitation_still_works_just_before_it_expires(cast, client_for):
    invitation = InvitationFactory(organization=cast.acme, email="gus@globex.example")
    with time_machine.travel(invitation.expires_at - dt.timedelta(minutes=1)):
        assert client_for(cast.gus).post(accept_path(invitation)).status_code == 302


def test_used_invitation_shows_already_used_to_others(cast, client_for, client):
    invitation = InvitationFactory(organization=cast.acme, email="gus@globex.example")
    services.accept_invitation(invitation=invitation, user=cast.gus)
    response = client.get(accept_path(invitation))
    assert response.status_code == 410
    html = response.content.decode()
    assert "already used" in html
    assert reverse("account_login") in html
    # The same link in another signed-in browser does nothing either.
    assert client_for(cast.greta).post(accept_path(invitation)).status_code == 410
    assert membership_of(cast.greta, cast.acme) is None


def test_used_invitation_cannot_reactivate_a_deactivated_member(cast, client):
    invitation = InvitationFactory(organization=cast.acme, email="nina@example.com")
    nina = UserFactory(email="nina@example.com")
    services.accept_invitation(invitation=invitation, user=nina)
    Membership.all_tenants.filter(user=nina).update(is_active=False)
    client.force_login(nina)
    assert client.post(accept_path(invitation)).status_code == 410
    assert not membership_of(nina, cast.acme).is_active


def test_revoked_invitation_is_withdrawn(cast, client_for, client):
    invitation = InvitationFactory(organization=cast.acme, email="gus@globex.example")
    services.revoke_invitation(invitation=invitation, actor=cast.alice)
    response = client.get(accept_path(invitation))
    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()
    assert client_for(cast.gus).post(accept_path(invitation)).status_code == 410
    assert membership_of(cast.gus, cast.acme) is None
    assert not client.session.get("account_verified_email")


def test_unavailable_links_do_not_stash_a_verified_address(cast, client):
    invitation = InvitationFactory(
        organization=cast.acme, email="nina@example.com", revoked_at=timezone.now()
    )
    client.get(accept_path(invitation))
    assert not client.session.get("account_verified_email")
