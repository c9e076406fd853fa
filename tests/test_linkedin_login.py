"""Sign in with LinkedIn: allauth's OpenID Connect provider "linkedin", against the sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from allauth.socialaccount.models import SocialAccount

from advocacy.accounts.models import User

from .linkedin_browser import (
    Sandbox,
    consent,
    query,
    serve_sandbox,
    text_of,
)


@pytest.fixture
def linkedin_sandbox(live_server, settings, cast, tmp_path) -> Iterator[Sandbox]:
    yield from serve_sandbox(live_server, settings, cast, tmp_path)


LOGIN_URL = "/accounts/oidc/linkedin/login/"


def linkedin_provider(www_url: str) -> dict[str, Any]:
    return {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": False,
            "APPS": [
                {
                    "provider_id": "linkedin",
                    "name": "LinkedIn",
                    "client_id": "sandbox-client",
                    "secret": "sandbox-client-secret",
                    "settings": {
                        "server_url": f"{www_url}/oauth",
                        "token_auth_method": "client_secret_post",
                        "scope": ["openid", "profile", "email"],
                    },
                }
            ],
        }
    }


@pytest.fixture
def linkedin_login(linkedin_sandbox: Sandbox, settings: Any) -> Sandbox:
    settings.SOCIALACCOUNT_PROVIDERS = linkedin_provider(settings.LINKEDIN_WWW_URL)
    return linkedin_sandbox


def test_the_sign_in_page_offers_linkedin_as_a_form_that_posts(client, db):
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with LinkedIn" in page
    assert f'<form method="post" action="{LOGIN_URL}?process=login">' in page
    assert 'class="btn btn-linkedin"' in page


def test_the_sign_in_page_keeps_where_to_go_next(client, db):
    page = client.get("/accounts/login/?next=/o/acme/").content.decode()
    assert f"{LOGIN_URL}?process=login&amp;next=%2Fo%2Facme%2F" in page


def sign_in_with_linkedin(browser, sub: str):
    """Press the button, choose the member on LinkedIn's consent screen, come back."""
    browser.get("/accounts/login/")
    to_linkedin = browser.post(f"{LOGIN_URL}?process=login")
    assert to_linkedin.status_code == 302, text_of(to_linkedin)[:500]
    authorize_url = to_linkedin.headers["Location"]
    asked = query(authorize_url)
    assert set(asked["scope"].split(" ")) == {"openid", "profile", "email"}
    assert "code_challenge" not in asked
    # The sandbox's consent screen belongs to a signed-in platform user; for signing in, it
    # is shown to whoever the browser is (the sandbox decides who may see it).
    granted = consent(browser, authorize_url, sub)
    return browser.get(granted.callback_url)


@pytest.mark.django_db(transaction=True)
def test_a_new_person_signs_in_with_linkedin(linkedin_login: Sandbox):
    browser = linkedin_login.browser(None)
    back = sign_in_with_linkedin(browser, "m-new")
    assert back.status_code == 302, text_of(back)[:500]
    user = User.objects.get(email="nina@newcomer.example")
    assert SocialAccount.objects.get(user=user).uid == "m-new"
    profile = browser.get("/accounts/profile/")
    assert profile.status_code == 200
    assert "nina@newcomer.example" in profile.text


@pytest.mark.django_db(transaction=True)
def test_a_linked_user_signs_in_as_themselves(linkedin_login: Sandbox):
    emma = linkedin_login.cast.emma
    SocialAccount.objects.create(user=emma, provider="linkedin", uid="m-ann")
    browser = linkedin_login.browser(None)
    back = sign_in_with_linkedin(browser, "m-ann")
    assert back.status_code == 302
    assert "emma@acme.example" in browser.get("/accounts/profile/").text


@pytest.mark.django_db(transaction=True)
def test_a_matching_email_alone_does_not_sign_anyone_in(linkedin_login: Sandbox):
    # Ann's LinkedIn address belongs to an existing user who never linked LinkedIn.
    User.objects.filter(pk=linkedin_login.cast.emma.pk).update(email="ann@acme.example")
    browser = linkedin_login.browser(None)
    sign_in_with_linkedin(browser, "m-ann")
    profile = browser.get("/accounts/profile/")
    assert profile.status_code == 302
    assert not SocialAccount.objects.exists()
