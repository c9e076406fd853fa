"""A browser against the live server and the LinkedIn sandbox it serves, for the LinkedIn tests.

Real HTTP all the way: `requests` carries the platform's session cookie through the consent
screen of the sandbox (served by the same live server) and back to the callback. The fixtures
are imported by the test modules that use them.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import requests
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client

from advocacy.accounts.models import User
from advocacy.linkedin import client as linkedin_client
from advocacy.linkedin import oauth

from .conftest import Cast

SIXTY_DAYS = 5_183_999
SELF_SERVE_SCOPES = ["openid", "profile", "email", "w_member_social"]
PAGE_ID = "2414183"
PAGE_URN = f"urn:li:organization:{PAGE_ID}"

MEMBERS = [
    {
        "sub": "m-ann",
        "given_name": "Ann",
        "family_name": "Berg",
        "email": "ann@acme.example",
        "locale": "da_DK",
        "followers": {"2026-01-01": 500},
    },
    {
        "sub": "m-bo",
        "given_name": "Bo",
        "family_name": "Holm",
        "email": "bo@acme.example",
        "locale": "da_DK",
        "followers": {"2026-01-01": 300},
    },
    {
        "sub": "m-new",
        "given_name": "Nina",
        "family_name": "Nyholm",
        "email": "nina@newcomer.example",
        "locale": "en_US",
        "followers": {"2026-01-01": 80},
    },
]


@dataclass
class Sandbox:
    """The live server, the sandbox under it, and the people of tests/conftest.py."""

    url: str
    cast: Cast
    tmp_path: Path
    scenario: dict[str, Any] = field(default_factory=dict)
    browsers: list[Browser] = field(default_factory=list)

    def load(
        self,
        *,
        scopes: list[str] | None = None,
        refresh_tokens: bool = True,
        page_admins: list[str] | None = None,
    ) -> None:
        app: dict[str, Any] = {"refresh_tokens": refresh_tokens}
        if scopes is not None:
            app["scopes"] = scopes
        self.scenario = {
            "today": date.today().isoformat(),
            "app": app,
            "pages": [
                {
                    "id": PAGE_ID,
                    "name": "Acme A/S",
                    "vanity": "acme",
                    "followers": {"2026-01-01": 1000, date.today().isoformat(): 1140},
                    "admins": page_admins if page_admins is not None else ["m-ann"],
                }
            ],
            "members": MEMBERS,
        }
        path = self.tmp_path / "scenario.json"
        path.write_text(json.dumps(self.scenario))
        call_command("sandbox_load", str(path), verbosity=0)

    def browser(self, user: User | None = None) -> Browser:
        """A browser signed in as `user` (anonymous without one)."""
        browser = Browser(self.url, user)
        self.browsers.append(browser)
        return browser


def sandbox_scenario(sandbox: Sandbox, **kwargs: Any) -> None:
    sandbox.load(**kwargs)


def serve_sandbox(live_server: Any, settings: Any, cast: Cast, tmp_path: Path) -> Iterator[Sandbox]:
    """Body of each module's `linkedin_sandbox` fixture: settings point at the live sandbox."""
    base = live_server.url
    settings.SITE_URL = base
    settings.LINKEDIN_WWW_URL = f"{base}/{django_settings.LINKEDIN_SANDBOX_PREFIX}"
    settings.LINKEDIN_API_URL = f"{base}/{django_settings.LINKEDIN_SANDBOX_PREFIX}"
    # Discovery and JWKS are cached, and every test's sandbox makes a new signing key. Only
    # these keys: clearing the whole cache would flush a Redis shared with parallel tests.
    oauth.forget_oidc_configuration()
    sandbox = Sandbox(url=base, cast=cast, tmp_path=tmp_path)
    sandbox.load()
    yield sandbox
    # A server thread still serving a kept-alive connection after the test would close the
    # shared in-memory database connection from the wrong thread: hang up first.
    for browser in sandbox.browsers:
        browser.http.close()
    linkedin_client.get_session().close()  # the REST client's pooled keep-alive connections
    oauth.forget_oidc_configuration()


class Browser:
    """A signed-in browser: cookies kept, redirects followed only when asked."""

    def __init__(self, base_url: str, user: User | None = None) -> None:
        self.base_url = base_url
        self.http = requests.Session()
        if user is not None:
            client = Client()
            client.force_login(user)
            name = django_settings.SESSION_COOKIE_NAME
            self.http.cookies.set(name, client.cookies[name].value)

    def url(self, path_or_url: str) -> str:
        return urljoin(self.base_url + "/", path_or_url)

    def get(self, path_or_url: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("allow_redirects", False)
        return self.http.get(self.url(path_or_url), timeout=30, **kwargs)

    def csrf_token(self) -> str:
        # The sign-in page renders a form for visitors, the profile page for members.
        for page in ("/accounts/login/", "/accounts/profile/"):
            if "csrftoken" in self.http.cookies:
                break
            self.get(page)
        return str(self.http.cookies["csrftoken"])

    def post(
        self, path_or_url: str, data: dict[str, str] | None = None, **kwargs: Any
    ) -> requests.Response:
        kwargs.setdefault("allow_redirects", False)
        form = {"csrfmiddlewaretoken": self.csrf_token(), **(data or {})}
        url = self.url(path_or_url)
        return self.http.post(url, data=form, headers={"Referer": url}, timeout=30, **kwargs)

    def follow(self, response: requests.Response) -> requests.Response:
        """GET redirects until a page answers."""
        while response.is_redirect:
            response = self.get(response.headers["Location"])
        return response


def query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


@dataclass
class Consent:
    """Where LinkedIn's consent screen was, and where it sent the browser back to."""

    authorize_url: str
    callback_url: str


def start(browser: Browser, path: str = "/linkedin/connect/") -> str:
    """POST the connect button; returns the authorization URL it redirects to."""
    response = browser.post(path)
    assert response.status_code == 302, response.text[:500]
    return response.headers["Location"]


def consent(browser: Browser, authorize_url: str, sub: str, *, decision: str = "allow") -> Consent:
    """Show LinkedIn's consent screen, choose a member, allow or cancel."""
    page = browser.get(authorize_url)
    assert not (page.is_redirect and "/accounts/login/" in page.headers["Location"]), (
        "the sandbox's consent screen sent this browser to the platform's sign-in page: "
        "'Sign in with LinkedIn' needs it to serve visitors who are not signed in"
    )
    assert page.status_code == 200, page.text[:500]
    assert re.search(r'name="member"', page.text), "the sandbox's consent page offers members"
    answer = browser.post(authorize_url, {"decision": decision, "member": sub})
    assert answer.status_code == 302, answer.text[:500]
    return Consent(authorize_url=authorize_url, callback_url=answer.headers["Location"])


def connect_through_sandbox(
    browser: Browser, sandbox: Sandbox, sub: str, *, path: str = "/linkedin/connect/"
) -> requests.Response:
    """The whole round trip; returns the callback's answer (a redirect when all went well)."""
    granted = consent(browser, start(browser, path), sub)
    return browser.get(granted.callback_url)


def text_of(page: requests.Response) -> str:
    """The page's text, entities decoded, white space collapsed: what a reader sees."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.text)).split())
