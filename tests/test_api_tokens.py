"""Personal API tokens: made on the profile page, stored hashed, shown once, revocable.

A token acts for its one organization with its member's role as it is at each request, and
stops at once when it expires, is revoked, or its member or user is deactivated.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from advocacy.api.models import ApiToken
from advocacy.api.tokens import MAX_LIFETIME, create_api_token
from advocacy.tenancy.models import AuditEntry, Membership
from advocacy.tenancy.services import deactivate_member, update_member

from .api_support import ApiClient, error_of, make_token
from .conftest import Cast

pytestmark = pytest.mark.django_db


def test_a_token_made_on_the_profile_page_is_shown_once_and_stored_hashed(cast: Cast, client_for):
    emma = client_for(cast.emma)
    membership = cast.membership(cast.emma, cast.acme)
    page = emma.get("/accounts/profile/tokens/new/")
    assert page.status_code == 200
    response = emma.post(
        "/accounts/profile/tokens/new/",
        {"membership": str(membership.public_id), "name": "Intranet feed", "lifetime": "90"},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    raw = response.context["raw"]
    assert raw.startswith("adv_")
    assert raw in response.content.decode()

    token = ApiToken.all_tenants.get()
    assert (token.name, token.organization, token.membership) == (
        "Intranet feed",
        cast.acme,
        membership,
    )
    secret = raw.split("_", 2)[2]
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = " ".join(str(value) for value in ApiToken.all_tenants.values_list().get())
    assert secret not in stored
    assert raw not in stored
    assert timedelta(days=89) < token.expires_at - timezone.now() <= timedelta(days=90)
    assert AuditEntry.all_tenants.filter(
        organization=cast.acme, action="api_token.created"
    ).exists()

    # The profile lists it by name and prefix under its organization; the token itself is
    # never shown again.
    profile = emma.get("/accounts/profile/").content.decode()
    assert profile.index("Acme A/S") < profile.index("Intranet feed")
    assert "Intranet feed" in profile
    assert f"adv_{token.prefix}" in profile
    assert secret not in profile

    me = ApiClient(raw).get("me")
    assert me.status_code == 200
    body = me.json()
    assert body["email"] == cast.emma.email
    assert body["organization"]["slug"] == "acme"
    assert body["membership"]["role"] == "employee"
    assert body["token"]["id"] == str(token.public_id)


def test_the_profile_lists_tokens_per_organization(cast: Cast, client_for):
    make_token(cast.fay, cast.acme, name="Acme reporting")
    make_token(cast.fay, cast.globex, name="Globex reporting")
    page = client_for(cast.fay).get("/accounts/profile/").content.decode()
    acme, globex = page.index('id="api-tokens-acme"'), page.index('id="api-tokens-globex"')
    assert acme < page.index("Acme reporting") < globex < page.index("Globex reporting")
    assert "reporting" not in client_for(cast.emma).get("/accounts/profile/").content.decode()


def test_the_token_form_offers_only_the_users_own_active_memberships(cast: Cast, client_for):
    greta_membership = cast.membership(cast.greta, cast.globex)
    response = client_for(cast.emma).post(
        "/accounts/profile/tokens/new/",
        {"membership": str(greta_membership.public_id), "name": "Theirs", "lifetime": "30"},
    )
    assert response.status_code == 200
    assert "membership" in response.context["form"].errors
    assert not ApiToken.all_tenants.exists()


def test_expiry_is_required_and_at_most_a_year(cast: Cast):
    membership = cast.membership(cast.emma, cast.acme)
    now = timezone.now()
    for expires_at in (now, now - timedelta(days=1), now + MAX_LIFETIME + timedelta(minutes=1)):
        with pytest.raises(ValidationError):
            create_api_token(membership=membership, name="Too long", expires_at=expires_at, now=now)
    assert not ApiToken.all_tenants.exists()


def test_unknown_malformed_and_wrong_tokens_are_401_alike(cast: Cast):
    raw = make_token(cast.emma, cast.acme)
    prefix = raw.split("_")[1]
    wrong_secret = f"adv_{prefix}_{'A' * 43}"
    unknown = f"adv_{'0' * 12}_{'A' * 43}"
    for candidate in (wrong_secret, unknown, "adv_nonsense", "not-a-token"):
        response = ApiClient(candidate).get("me")
        assert response.status_code == 401, candidate
        error = error_of(response)
        assert error["code"] == "invalid_token"
        assert error["message"] == "This API token is not valid."
        assert response["WWW-Authenticate"].startswith("Bearer")
    two_parts = Client(headers={"Authorization": f"Bearer {raw} extra"}).get("/api/v1/me")
    assert two_parts.status_code == 401


def test_a_revoked_token_stops_at_once(cast: Cast, client_for):
    raw = make_token(cast.emma, cast.acme, name="Quarterly dashboard")
    api = ApiClient(raw)
    assert api.get("me").status_code == 200
    token = ApiToken.all_tenants.get()
    # Someone else cannot revoke it: the same 404 as a missing token.
    assert (
        client_for(cast.carol)
        .post(f"/accounts/profile/tokens/{token.public_id}/revoke/")
        .status_code
        == 404
    )
    response = client_for(cast.emma).post(f"/accounts/profile/tokens/{token.public_id}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    refused = api.get("me")
    assert refused.status_code == 401
    assert error_of(refused)["code"] == "token_revoked"
    assert (
        "Quarterly dashboard"
        not in client_for(cast.emma).get("/accounts/profile/").content.decode()
    )


def test_an_expired_token_stops(cast: Cast):
    raw = make_token(cast.emma, cast.acme, days=30)
    with time_machine.travel(timezone.now() + timedelta(days=30, seconds=1)):
        response = ApiClient(raw).get("me")
    assert response.status_code == 401
    assert error_of(response)["code"] == "token_expired"


def test_a_deactivated_member_or_user_stops_their_tokens_at_once(cast: Cast):
    emma_api = ApiClient(make_token(cast.emma, cast.acme))
    deactivate_member(membership=cast.membership(cast.emma, cast.acme), actor=cast.alice)
    response = emma_api.get("me")
    assert response.status_code == 401
    assert error_of(response)["code"] == "member_inactive"

    carol_api = ApiClient(make_token(cast.carol, cast.acme))
    cast.carol.is_active = False
    cast.carol.save(update_fields=["is_active"])
    assert carol_api.get("content-items").status_code == 401


def test_a_token_acts_with_its_members_role_as_it_is_now(cast: Cast):
    carol = ApiClient(make_token(cast.carol, cast.acme))
    item = {"title": "Our new office", "url": "https://example.com/office"}
    assert carol.post("content-items", item).status_code == 201
    update_member(
        membership=cast.membership(cast.carol, cast.acme),
        actor=cast.alice,
        role=Membership.Role.EMPLOYEE,
        team=None,
        title="",
        location="",
    )
    refused = carol.post("content-items", {"title": "Another"})
    assert refused.status_code == 403
    assert error_of(refused)["code"] == "permission_denied"


def test_a_token_acts_for_its_own_organization_only(cast: Cast):
    fay = ApiClient(make_token(cast.fay, cast.acme))
    assert fay.get("me").json()["organization"]["slug"] == "acme"
    response = fay.get("me", {"organization": "globex"})
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    listed = fay.get("organizations").json()["results"]
    assert [row["organization"]["slug"] for row in listed] == ["acme"]


def test_last_used_is_written_at_most_once_a_minute(cast: Cast):
    api = ApiClient(make_token(cast.emma, cast.acme))
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        api.get("me")
        first = ApiToken.all_tenants.get().last_used_at
        assert first == start
        with CaptureQueriesContext(connection) as queries:
            api.get("me")
        assert not any(
            "UPDATE" in q["sql"] and "api_apitoken" in q["sql"] for q in queries.captured_queries
        )
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        api.get("me")
    assert ApiToken.all_tenants.get().last_used_at == start + timedelta(seconds=61)


def test_the_session_keeps_its_csrf_check(cast: Cast):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cast.carol)
    response = browser.post(
        "/api/v1/content-items?organization=acme",
        data={"title": "No token"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "CSRF" in error_of(response)["message"]
    # A bearer token needs no CSRF token: it is no ambient credential.
    raw = make_token(cast.carol, cast.acme)
    token_client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {raw}"})
    created = token_client.post(
        "/api/v1/content-items", data={"title": "With a token"}, content_type="application/json"
    )
    assert created.status_code == 201


def test_a_member_has_at_most_twenty_live_tokens(cast: Cast):
    for number in range(20):
        make_token(cast.emma, cast.acme, name=f"Token {number}")
    with pytest.raises(ValidationError):
        make_token(cast.emma, cast.acme, name="One too many")
    assert ApiToken.all_tenants.count() == 20
