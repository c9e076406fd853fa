"""Connecting a member's own LinkedIn account, through the sandbox's consent screen.

Real HTTP from end to end: a browser (requests, with the platform's session cookie) posts the
connect button, the sandbox's consent screen picks a member, and the callback exchanges the
code, verifies the id_token and reads userinfo over HTTP from the same live server.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from django.db import connection as db
from django.utils import timezone

from advocacy.linkedin import errors, oauth
from advocacy.linkedin.models import Connection

from .linkedin_browser import (
    SELF_SERVE_SCOPES,
    Sandbox,
    connect_through_sandbox,
    consent,
    query,
    serve_sandbox,
    start,
    text_of,
)


@pytest.fixture
def linkedin_sandbox(live_server, settings, cast, tmp_path) -> Iterator[Sandbox]:
    yield from serve_sandbox(live_server, settings, cast, tmp_path)


pytestmark = pytest.mark.django_db(transaction=True)


def raw_access_token(pk: int) -> str:
    with db.cursor() as cursor:
        cursor.execute("SELECT access_token_encrypted FROM linkedin_connection WHERE id = %s", [pk])
        return str(cursor.fetchone()[0])


def test_member_connects_through_the_consent_screen(linkedin_sandbox: Sandbox):
    cast = linkedin_sandbox.cast
    browser = linkedin_sandbox.browser(cast.emma)
    authorize_url = start(browser)
    assert authorize_url.startswith(
        f"{linkedin_sandbox.url}/sandbox/linkedin/oauth/v2/authorization?"
    )
    asked = query(authorize_url)
    assert asked["response_type"] == "code"
    assert asked["client_id"] == "sandbox-client"
    assert asked["redirect_uri"] == f"{linkedin_sandbox.url}/linkedin/callback/"
    assert asked["scope"].split(" ") == [
        "openid",
        "profile",
        "email",
        "w_member_social",
        "r_member_postAnalytics",
        "r_member_profileAnalytics",
    ]
    assert "%20" in authorize_url
    assert "code_challenge" not in authorize_url

    granted = consent(browser, authorize_url, "m-ann")
    assert query(granted.callback_url)["state"] == asked["state"]
    done = browser.get(granted.callback_url)
    assert done.status_code == 302
    assert done.headers["Location"] == "/accounts/profile/#linkedin"

    connection = Connection.objects.get(user=cast.emma)
    assert connection.sub == "m-ann"
    assert connection.member_urn == "urn:li:person:m-ann"
    assert connection.name == "Ann Berg"
    assert connection.email == "ann@acme.example"
    assert connection.status == Connection.Status.ACTIVE
    assert connection.can_publish
    assert connection.has_analytics
    assert connection.unavailable_figures() == []
    assert (
        timedelta(days=59)
        < connection.access_token_expires_at - timezone.now()
        <= timedelta(days=60)
    )
    # The token works at LinkedIn, and the database holds only its ciphertext.
    token = connection.access_token
    assert oauth.userinfo(token).sub == "m-ann"
    assert token not in raw_access_token(connection.pk)

    profile = text_of(browser.get("/accounts/profile/"))
    assert "Your LinkedIn account Ann Berg is connected" in profile
    assert "publish posts, comments and reactions as you" in profile
    assert "Connected" in profile
    assert "Disconnect" in profile


def test_without_analytics_the_profile_says_which_figures_are_missing_and_why(
    linkedin_sandbox: Sandbox, settings
):
    settings.LINKEDIN_MEMBER_SCOPES = SELF_SERVE_SCOPES
    linkedin_sandbox.load(scopes=SELF_SERVE_SCOPES, refresh_tokens=False)
    browser = linkedin_sandbox.browser(linkedin_sandbox.cast.emma)
    done = connect_through_sandbox(browser, linkedin_sandbox, "m-ann")
    assert done.status_code == 302

    connection = Connection.objects.get(user=linkedin_sandbox.cast.emma)
    assert connection.scopes == sorted(SELF_SERVE_SCOPES)
    assert connection.can_publish
    assert not connection.has_analytics
    page = text_of(browser.get("/accounts/profile/"))
    assert "Not available with this connection" in page
    assert "Your follower count and its growth" in page
    assert "Community Management API" in page
    assert "LinkedIn then asks you to connect again (every 60 days)" in page


def test_an_application_without_the_requested_scopes_is_explained(linkedin_sandbox: Sandbox):
    linkedin_sandbox.load(scopes=SELF_SERVE_SCOPES)
    browser = linkedin_sandbox.browser(linkedin_sandbox.cast.emma)
    back = browser.get(start(browser))  # LinkedIn refuses before showing the consent screen
    assert query(back.headers["Location"])["error"] == "unauthorized_scope_error"
    page = text_of(browser.follow(browser.get(back.headers["Location"])))
    assert "tell an administrator" in page
    assert not Connection.objects.exists()


def test_cancelling_on_linkedin_changes_nothing(linkedin_sandbox: Sandbox):
    browser = linkedin_sandbox.browser(linkedin_sandbox.cast.emma)
    cancelled = consent(browser, start(browser), "m-ann", decision="cancel")
    assert query(cancelled.callback_url)["error"] == "user_cancelled_authorize"
    page = text_of(browser.follow(browser.get(cancelled.callback_url)))
    assert "You cancelled on LinkedIn, so nothing was connected" in page
    assert not Connection.objects.exists()


@pytest.mark.parametrize("state", ["", "forged-state"])
def test_a_missing_or_wrong_state_is_refused_and_changes_nothing(
    linkedin_sandbox: Sandbox, state: str
):
    browser = linkedin_sandbox.browser(linkedin_sandbox.cast.emma)
    granted = consent(browser, start(browser), "m-ann")
    code = query(granted.callback_url)["code"]
    answer = browser.get("/linkedin/callback/", params={"code": code, "state": state})
    assert answer.status_code == 400
    assert "This LinkedIn link is no longer valid" in text_of(answer)
    assert not Connection.objects.exists()


def test_a_state_from_another_session_is_refused(linkedin_sandbox: Sandbox):
    cast = linkedin_sandbox.cast
    emma = linkedin_sandbox.browser(cast.emma)
    granted = consent(emma, start(emma), "m-ann")
    # Someone else opening Emma's callback link (a login CSRF the other way round).
    answer = linkedin_sandbox.browser(cast.leo).get(granted.callback_url)
    assert answer.status_code == 400
    assert not Connection.objects.exists()


def test_an_expired_state_is_refused(linkedin_sandbox: Sandbox):
    browser = linkedin_sandbox.browser(linkedin_sandbox.cast.emma)
    granted = consent(browser, start(browser), "m-ann")
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=True):
        answer = browser.get(granted.callback_url)
    assert answer.status_code == 400
    assert "in the last 15 minutes" in text_of(answer)
    assert not Connection.objects.exists()


def test_a_replayed_callback_or_code_is_refused(linkedin_sandbox: Sandbox):
    browser = linkedin_sandbox.browser(linkedin_sandbox.cast.emma)
    granted = consent(browser, start(browser), "m-ann")
    assert browser.get(granted.callback_url).status_code == 302
    connection = Connection.objects.get()
    issued = connection.token_issued_at

    # The same callback again: its state was used up.
    assert browser.get(granted.callback_url).status_code == 400
    # The used code with a fresh state of this session: LinkedIn refuses the code.
    fresh_state = query(start(browser))["state"]
    code = query(granted.callback_url)["code"]
    answer = browser.get("/linkedin/callback/", params={"code": code, "state": fresh_state})
    assert answer.status_code == 400
    assert "it was already used, or it expired" in text_of(answer)
    connection.refresh_from_db()
    assert connection.token_issued_at == issued


def test_an_account_connected_to_another_user_is_refused(linkedin_sandbox: Sandbox):
    cast = linkedin_sandbox.cast
    assert (
        connect_through_sandbox(
            linkedin_sandbox.browser(cast.emma), linkedin_sandbox, "m-ann"
        ).status_code
        == 302
    )
    emma_connection = Connection.objects.get(user=cast.emma)

    alice = linkedin_sandbox.browser(cast.alice)
    answer = connect_through_sandbox(alice, linkedin_sandbox, "m-ann")
    assert answer.status_code == 409
    assert "already connected to another person on this platform" in text_of(answer)
    assert not Connection.objects.filter(user=cast.alice).exists()
    unchanged = Connection.objects.get(user=cast.emma)
    assert unchanged.token_issued_at == emma_connection.token_issued_at
    assert unchanged.access_token == emma_connection.access_token
    # Emma's token was not revoked on Alice's behalf.
    assert oauth.userinfo(unchanged.access_token).sub == "m-ann"


def test_reconnecting_keeps_one_connection(linkedin_sandbox: Sandbox):
    browser = linkedin_sandbox.browser(linkedin_sandbox.cast.emma)
    connect_through_sandbox(browser, linkedin_sandbox, "m-ann")
    first = Connection.objects.get()
    connect_through_sandbox(browser, linkedin_sandbox, "m-ann")
    again = Connection.objects.get()
    assert again.public_id == first.public_id
    assert again.token_issued_at > first.token_issued_at


def test_disconnect_says_what_stops_then_revokes_and_forgets(linkedin_sandbox: Sandbox):
    browser = linkedin_sandbox.browser(linkedin_sandbox.cast.emma)
    connect_through_sandbox(browser, linkedin_sandbox, "m-ann")
    token = Connection.objects.get().access_token

    question = text_of(browser.get("/linkedin/disconnect/"))
    assert "Scheduled posts that are waiting will not go out" in question
    assert "Publishing" in question
    assert "follower count" in question

    done = browser.post("/linkedin/disconnect/")
    assert done.status_code == 302
    assert not Connection.objects.exists()
    with pytest.raises(errors.TokenRevoked):
        oauth.userinfo(token)
    page = text_of(browser.follow(done))
    assert "Your LinkedIn account is disconnected" in page
    assert "Connect LinkedIn" in page


def test_the_id_token_is_verified_against_the_sandbox_keys(linkedin_sandbox: Sandbox, settings):
    browser = linkedin_sandbox.browser(linkedin_sandbox.cast.emma)
    authorize_url = start(browser)
    granted = consent(browser, authorize_url, "m-ann")
    tokens = oauth.exchange_code(
        query(granted.callback_url)["code"], query(authorize_url)["redirect_uri"]
    )
    assert tokens.scopes == sorted(tokens.scopes)
    assert "openid" in tokens.scopes
    claims = oauth.verify_id_token(tokens.id_token)
    assert claims["sub"] == "m-ann"
    assert claims["iss"] == f"{linkedin_sandbox.url}/sandbox/linkedin/oauth"

    header, payload, signature = tokens.id_token.split(".")
    forged = f"{header}.{payload}.{signature[:-4]}AAAA"
    with pytest.raises(errors.OAuthError):
        oauth.verify_id_token(forged)
    settings.LINKEDIN_CLIENT_ID = "someone-else"
    with pytest.raises(errors.OAuthError):
        oauth.verify_id_token(tokens.id_token)


def test_connect_needs_a_post_and_a_signed_in_user(linkedin_sandbox: Sandbox):
    anonymous = linkedin_sandbox.browser(None)
    assert anonymous.get("/linkedin/connect/").status_code in {302, 405}
    assert anonymous.post("/linkedin/connect/").headers["Location"].startswith("/accounts/login/")
    signed_in = linkedin_sandbox.browser(linkedin_sandbox.cast.emma)
    assert signed_in.get("/linkedin/connect/").status_code == 405
