"""The sandbox's OAuth 2.0 / OpenID Connect, end to end over HTTP (linkedin-api.md 3 and 4)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import requests
from django.test import Client

from advocacy.sandbox.models import AccessToken
from tests.factories import UserFactory

from .test_sandbox_support import (
    CLIENT_ID,
    CLIENT_SECRET,
    NOW,
    Sandbox,
    expire,
    frozen_clock,
    sandbox,
    scenario,
)

__all__ = ["frozen_clock", "sandbox"]

pytestmark = pytest.mark.django_db(transaction=True)

REDIRECT_URI = "https://platform.example/linkedin/callback"
SCOPES = "openid profile email w_member_social"


@pytest.fixture
def browser(sandbox: Sandbox) -> requests.Session:
    """A browser signed in to the platform."""
    user = UserFactory(email="ann@acme.example")
    client = Client()
    client.force_login(user)
    session = requests.Session()
    session.cookies.set("sessionid", client.cookies["sessionid"].value)
    return session


def authorize_url(sandbox: Sandbox, **overrides: str) -> str:
    params = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "state": "xyz-state",
        "scope": SCOPES,
        **overrides,
    }
    return f"{sandbox.url}/oauth/v2/authorization?{urlencode(params)}"


def consent(
    browser: requests.Session, sandbox: Sandbox, decision: str, member: str = "m-ann", **params: str
) -> dict[str, list[str]]:
    url = authorize_url(sandbox, **params)
    page = browser.get(url, timeout=10)
    assert page.status_code == 200, page.text
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert csrf
    answer = browser.post(
        url,
        data={"csrfmiddlewaretoken": csrf[1], "decision": decision, "member": member},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text
    location = answer.headers["Location"]
    assert location.startswith(REDIRECT_URI + "?")
    return parse_qs(urlsplit(location).query)


def exchange(sandbox: Sandbox, code: str, **overrides: str) -> requests.Response:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uri": REDIRECT_URI,
        **overrides,
    }
    return sandbox.oauth("accessToken", {k: v for k, v in data.items() if v is not None})


def test_consent_lists_the_scenario_members(sandbox: Sandbox, browser: requests.Session):
    page = browser.get(authorize_url(sandbox), timeout=10)
    assert page.status_code == 200
    assert "Ann Berg" in page.text
    assert "Bo Holm" in page.text
    assert 'value="m-ann" checked' in page.text  # the signed-in user's own member


def test_anonymous_visitors_consent_too_for_sign_in_with_linkedin(sandbox: Sandbox):
    visitor = requests.Session()
    query = consent(visitor, sandbox, "allow", member="m-bo")
    assert exchange(sandbox, query["code"][0]).json()["scope"] == (
        "email,openid,profile,w_member_social"
    )
    token = AccessToken.objects.access().get()
    assert token.member.sub == "m-bo"


def test_the_consent_form_is_csrf_protected(sandbox: Sandbox, browser: requests.Session):
    answer = browser.post(
        authorize_url(sandbox), data={"decision": "allow", "member": "m-ann"}, timeout=10
    )
    assert answer.status_code == 403


def test_authorization_code_flow_end_to_end(sandbox: Sandbox, browser: requests.Session):
    query = consent(browser, sandbox, "allow")
    assert query["state"] == ["xyz-state"]
    code = query["code"][0]

    answer = exchange(sandbox, code)
    assert answer.status_code == 200, answer.text
    assert answer.headers["x-restli-protocol-version"] == "2.0.0"
    assert answer.headers["x-li-uuid"]
    body = answer.json()
    assert set(body) == {
        "access_token",
        "expires_in",
        "scope",
        "token_type",
        "id_token",
        "refresh_token",
        "refresh_token_expires_in",
    }
    assert body["scope"] == "email,openid,profile,w_member_social"  # comma-separated
    assert body["token_type"] == "Bearer"
    assert 5183990 <= body["expires_in"] <= 5183999
    assert 31535990 <= body["refresh_token_expires_in"] <= 31535999

    userinfo = requests.get(
        f"{sandbox.url}/v2/userinfo",
        headers={"Authorization": f"Bearer {body['access_token']}"},
        timeout=10,
    )
    assert userinfo.status_code == 200
    assert userinfo.json() == {
        "sub": "m-ann",
        "name": "Ann Berg",
        "given_name": "Ann",
        "family_name": "Berg",
        "picture": f"{sandbox.url}/media/avatars/m-ann",
        "locale": {"country": "DK", "language": "da"},
        "email": "ann@acme.example",
        "email_verified": True,
    }
    assert requests.get(userinfo.json()["picture"], timeout=10).headers["Content-Type"] == (
        "image/svg+xml"
    )


def test_the_id_token_verifies_against_the_jwks(sandbox: Sandbox, browser: requests.Session):
    code = consent(browser, sandbox, "allow")["code"][0]
    id_token = exchange(sandbox, code).json()["id_token"]
    discovery = requests.get(
        f"{sandbox.url}/oauth/.well-known/openid-configuration", timeout=10
    ).json()
    keys = requests.get(discovery["jwks_uri"], timeout=10).json()["keys"]
    header = jwt.get_unverified_header(id_token)
    assert header["alg"] == "RS256"
    key = next(k for k in keys if k["kid"] == header["kid"])
    claims = jwt.decode(
        id_token,
        jwt.PyJWK(key).key,
        algorithms=["RS256"],
        audience=CLIENT_ID,
        issuer=f"{sandbox.url}/oauth",
    )
    assert claims["iss"] == discovery["issuer"] == f"{sandbox.url}/oauth"
    assert claims["exp"] == claims["iat"] + 3600
    assert abs(claims["iat"] - NOW.timestamp()) < 60
    assert {k: claims[k] for k in ("sub", "name", "given_name", "family_name", "email")} == {
        "sub": "m-ann",
        "name": "Ann Berg",
        "given_name": "Ann",
        "family_name": "Berg",
        "email": "ann@acme.example",
    }
    assert claims["email_verified"] is True
    assert claims["locale"] == "da_DK"
    assert "nonce" not in claims


def test_discovery_is_linkedin_shaped(sandbox: Sandbox):
    answer = requests.get(f"{sandbox.url}/oauth/.well-known/openid-configuration", timeout=10)
    discovery = answer.json()
    assert discovery["authorization_endpoint"] == f"{sandbox.url}/oauth/v2/authorization"
    assert discovery["token_endpoint"] == f"{sandbox.url}/oauth/v2/accessToken"
    assert discovery["userinfo_endpoint"] == f"{sandbox.url}/v2/userinfo"
    assert discovery["id_token_signing_alg_values_supported"] == ["RS256"]
    assert discovery["response_types_supported"] == ["code"]
    assert "token_endpoint_auth_methods_supported" not in discovery


def test_a_code_is_single_use(sandbox: Sandbox, browser: requests.Session):
    code = consent(browser, sandbox, "allow")["code"][0]
    assert exchange(sandbox, code).status_code == 200
    again = exchange(sandbox, code)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_request"
    assert "authorization code" in again.json()["error_description"]


def test_the_redirect_uri_must_be_the_one_used_at_authorize(
    sandbox: Sandbox, browser: requests.Session
):
    code = consent(browser, sandbox, "allow")["code"][0]
    answer = exchange(sandbox, code, redirect_uri="https://elsewhere.example/callback")
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"


def test_a_code_verifier_fails_client_authentication(sandbox: Sandbox, browser: requests.Session):
    code = consent(browser, sandbox, "allow")["code"][0]
    answer = exchange(sandbox, code, code_verifier="abc" * 20)
    assert answer.status_code == 401
    assert answer.json() == {
        "error": "invalid_client",
        "error_description": "Client authentication failed",
    }


@pytest.mark.parametrize(
    "overrides",
    [{"client_secret": "wrong"}, {"client_secret": None}, {"client_id": "someone-else"}],
)
def test_only_client_secret_post_with_the_right_secret_authenticates(
    sandbox: Sandbox, browser: requests.Session, overrides: dict[str, Any]
):
    code = consent(browser, sandbox, "allow")["code"][0]
    answer = exchange(sandbox, code, **overrides)
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"


def test_http_basic_is_not_supported(sandbox: Sandbox, browser: requests.Session):
    code = consent(browser, sandbox, "allow")["code"][0]
    answer = requests.post(
        f"{sandbox.url}/oauth/v2/accessToken",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI},
        auth=(CLIENT_ID, CLIENT_SECRET),
        timeout=10,
    )
    assert answer.status_code == 401


def test_cancel_redirects_with_user_cancelled_authorize(
    sandbox: Sandbox, browser: requests.Session
):
    query = consent(browser, sandbox, "cancel")
    assert query["error"] == ["user_cancelled_authorize"]
    assert query["error_description"][0]
    assert query["state"] == ["xyz-state"]
    assert "code" not in query


def test_a_scope_the_app_lacks_is_refused_at_authorize(sandbox: Sandbox, browser: requests.Session):
    sandbox.load(scenario(app={"scopes": ["openid", "profile", "email", "w_member_social"]}))
    answer = browser.get(
        authorize_url(sandbox, scope="openid r_member_postAnalytics"),
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert query["error"] == ["unauthorized_scope_error"]
    assert query["state"] == ["xyz-state"]


def test_an_unknown_client_gets_an_error_page_not_a_redirect(
    sandbox: Sandbox, browser: requests.Session
):
    answer = browser.get(authorize_url(sandbox, client_id="nobody"), allow_redirects=False)
    assert answer.status_code == 400


def test_without_openid_there_is_no_id_token(sandbox: Sandbox, browser: requests.Session):
    code = consent(browser, sandbox, "allow", scope="w_member_social")["code"][0]
    body = exchange(sandbox, code).json()
    assert "id_token" not in body
    assert body["scope"] == "w_member_social"


def test_refresh_tokens_only_when_the_app_has_them(sandbox: Sandbox, browser: requests.Session):
    sandbox.load(scenario(app={"refresh_tokens": False}))
    code = consent(browser, sandbox, "allow")["code"][0]
    body = exchange(sandbox, code).json()
    assert "refresh_token" not in body
    assert "refresh_token_expires_in" not in body


def test_refresh_gives_a_new_access_token_and_keeps_the_refresh_ttl(
    sandbox: Sandbox, browser: requests.Session, frozen_clock: Any
):
    code = consent(browser, sandbox, "allow")["code"][0]
    first = exchange(sandbox, code).json()
    frozen_clock.shift(59 * 86400)
    refreshed = sandbox.oauth(
        "accessToken",
        {
            "grant_type": "refresh_token",
            "refresh_token": first["refresh_token"],
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    )
    assert refreshed.status_code == 200, refreshed.text
    body = refreshed.json()
    assert set(body) == {"access_token", "expires_in", "refresh_token", "refresh_token_expires_in"}
    assert body["access_token"] != first["access_token"]
    assert body["refresh_token"] == first["refresh_token"]
    assert 306 * 86400 - 60 <= body["refresh_token_expires_in"] <= 306 * 86400
    assert 5183900 <= body["expires_in"] <= 5183999
    userinfo = requests.get(
        f"{sandbox.url}/v2/userinfo",
        headers={"Authorization": f"Bearer {body['access_token']}"},
        timeout=10,
    )
    assert userinfo.status_code == 200


def test_a_dead_refresh_token_is_refused(sandbox: Sandbox):
    answer = sandbox.oauth(
        "accessToken",
        {
            "grant_type": "refresh_token",
            "refresh_token": "AQWnope",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"


def test_introspection_reports_active_expired_revoked_and_unknown(sandbox: Sandbox):
    def introspect(token: str) -> dict[str, Any]:
        answer = sandbox.oauth(
            "introspectToken",
            {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "token": token},
        )
        assert answer.status_code == 200
        return answer.json()

    token = sandbox.token()
    active = introspect(token)
    assert active["active"] is True
    assert active["status"] == "active"
    assert active["auth_type"] == "3L"
    assert active["scope"] == ",".join(
        sorted(
            [
                "openid",
                "profile",
                "email",
                "w_member_social",
                "r_member_postAnalytics",
                "r_member_profileAnalytics",
            ]
        )
    )
    assert active["expires_at"] - active["created_at"] == 5183999
    expire(token)
    assert introspect(token)["status"] == "expired"
    assert introspect(token)["active"] is False
    other = sandbox.token()
    sandbox.oauth(
        "revoke", {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "token": other}
    )
    assert introspect(other)["status"] == "revoked"
    assert introspect("AQXunknown") == {"active": False}


def test_revoke_revokes_the_whole_grant(sandbox: Sandbox):
    access = sandbox.token(refresh=True)
    answer = sandbox.oauth(
        "revoke", {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "token": access}
    )
    assert answer.status_code == 200
    grant = AccessToken.objects.get(token=access).grant
    assert not AccessToken.objects.filter(grant=grant, revoked_at=None).exists()
    assert sandbox.get("v2/userinfo", access, version=None).status_code == 401
