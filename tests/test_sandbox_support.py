"""Fixtures for the sandbox tests: a live sandbox, a fixed clock, scenarios and tokens.

The tests talk to the sandbox over real HTTP (pytest-django's live_server) with `requests`,
the way the platform's client does. Time is frozen (ticking) at NOW with time_machine, which
also moves the live server's thread, so version windows and simulated growth are fixed.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import requests
import time_machine

from advocacy.sandbox.models import AccessToken, Member
from advocacy.sandbox.scenario import load_scenario, parse_scenario
from advocacy.sandbox.services import mint_tokens

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
VERSION = "202609"
CLIENT_ID = "sandbox-test-client"
CLIENT_SECRET = "sandbox-test-secret"

SCENARIO: dict[str, Any] = {
    "name": "test",
    "today": "2026-11-23",
    "seed": 7,
    "pages": [
        {
            "id": "2414183",
            "name": "Acme A/S",
            "vanity": "acme",
            "website": "https://www.acme.example",
            "admins": ["m-ann"],
            "followers": {"2026-01-01": 1000, "2026-03-31": 1140, "2026-11-01": 1300},
        }
    ],
    "members": [
        {
            "sub": "m-ann",
            "given_name": "Ann",
            "family_name": "Berg",
            "email": "ann@acme.example",
            "locale": "da_DK",
            "team": "Sales",
            "headline": "Sales lead",
            "vanity": "ann-berg",
            "connections": 812,
            "followers": {"2026-01-01": 500, "2026-02-01": 540, "2026-03-31": 605},
        },
        {
            "sub": "m-bo",
            "given_name": "Bo",
            "family_name": "Holm",
            "email": "bo@acme.example",
            "team": "Engineering",
            "picture": None,
            "followers": {"2026-11-01": 300},
        },
    ],
    "posts": [
        {
            "id": "7301",
            "author": "m-ann",
            "published": "2026-01-05T09:00:00Z",
            "commentary": "What we learned at the fair",
            "article_url": "https://acme.example/blog/fair",
            "company_content": True,
            "metrics": {
                "2026-01-06": {
                    "impressions": 1200,
                    "members_reached": 900,
                    "reactions": 40,
                    "comments": 5,
                    "reshares": 2,
                },
                "2026-01-10": {
                    "impressions": 2000,
                    "members_reached": 1500,
                    "reactions": 60,
                    "comments": 9,
                    "reshares": 4,
                },
            },
        },
        {
            "id": "7302",
            "type": "ugcPost",
            "author": "m-ann",
            "published": "2026-11-20T08:00:00Z",
            "commentary": "A second post",
        },
        {
            "id": "7401",
            "author": "2414183",
            "published": "2026-11-10T09:00:00Z",
            "commentary": "The page's own post",
            "metrics": {
                "2026-11-11": {
                    "impressions": 400,
                    "members_reached": 300,
                    "reactions": 12,
                    "comments": 2,
                    "reshares": 1,
                    "clicks": 8,
                },
            },
        },
    ],
}

MEMBER_SCOPES = [
    "openid",
    "profile",
    "email",
    "w_member_social",
    "r_member_postAnalytics",
    "r_member_profileAnalytics",
]
PAGE_SCOPES = ["openid", "profile", "rw_organization_admin", "r_organization_social"]


def scenario(**changes: Any) -> dict[str, Any]:
    """A copy of SCENARIO with top-level keys replaced."""
    data = copy.deepcopy(SCENARIO)
    data.update(changes)
    return data


@dataclass
class Sandbox:
    """The live sandbox and shortcuts to it."""

    url: str

    def load(self, data: dict[str, Any] | None = None) -> None:
        load_scenario(parse_scenario(data if data is not None else scenario()))

    def token(
        self,
        sub: str = "m-ann",
        scopes: list[str] | None = None,
        *,
        refresh: bool = False,
    ) -> str:
        tokens = mint_tokens(
            member=Member.objects.get(sub=sub),
            scopes=scopes if scopes is not None else MEMBER_SCOPES,
            client_id=CLIENT_ID,
            now=datetime.now(tz=UTC),
            with_refresh=refresh,
        )
        return tokens.access.token

    def headers(self, token: str | None, version: str | None = VERSION) -> dict[str, str]:
        headers = {"X-Restli-Protocol-Version": "2.0.0"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if version is not None:
            headers["LinkedIn-Version"] = version
        return headers

    def get(
        self, path: str, token: str | None, *, version: str | None = VERSION, **kwargs: Any
    ) -> requests.Response:
        return requests.get(
            f"{self.url}/{path}", headers=self.headers(token, version), timeout=10, **kwargs
        )

    def post(
        self, path: str, token: str | None, *, version: str | None = VERSION, **kwargs: Any
    ) -> requests.Response:
        return requests.post(
            f"{self.url}/{path}", headers=self.headers(token, version), timeout=10, **kwargs
        )

    def delete(self, path: str, token: str | None, **kwargs: Any) -> requests.Response:
        headers = {**self.headers(token), "X-RestLi-Method": "DELETE"}
        return requests.delete(f"{self.url}/{path}", headers=headers, timeout=10, **kwargs)

    def oauth(self, path: str, data: dict[str, str], **kwargs: Any) -> requests.Response:
        return requests.post(f"{self.url}/oauth/v2/{path}", data=data, timeout=10, **kwargs)


@pytest.fixture
def frozen_clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def sandbox(live_server: Any, settings: Any, transactional_db: None, frozen_clock: Any) -> Sandbox:
    base = f"{live_server.url}/sandbox/linkedin"
    settings.SITE_URL = live_server.url
    settings.LINKEDIN_WWW_URL = base
    settings.LINKEDIN_API_URL = base
    settings.LINKEDIN_CLIENT_ID = CLIENT_ID
    settings.LINKEDIN_CLIENT_SECRET = CLIENT_SECRET
    box = Sandbox(base)
    box.load()
    return box


def ymd(day: date) -> str:
    return f"(day:{day.day},month:{day.month},year:{day.year})"


def date_range(start: date, end: date) -> str:
    return f"(start:{ymd(start)},end:{ymd(end)})"


def element_days(elements: list[dict[str, Any]]) -> list[date]:
    return [
        date(
            e["dateRange"]["start"]["year"],
            e["dateRange"]["start"]["month"],
            e["dateRange"]["start"]["day"],
        )
        for e in elements
    ]


def expire(token: str) -> None:
    AccessToken.objects.filter(token=token).update(expires_at=NOW - timedelta(seconds=1))
