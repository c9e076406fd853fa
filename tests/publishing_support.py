"""A live LinkedIn sandbox with Acme's people connected to it, for the publishing tests.

Emma and Carol of tests/conftest.py get LinkedIn connections with real sandbox tokens (as if
they had been through the consent screen); the client talks to the sandbox over real HTTP
(pytest-django's live server). What reached "LinkedIn" is read from the sandbox's own tables.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from django.conf import settings as django_settings
from django.db.models import Q
from django.utils import timezone

from advocacy.accounts.models import User
from advocacy.linkedin.models import Connection
from advocacy.linkedin.services import connect_member
from advocacy.sandbox import models as sandbox
from advocacy.sandbox.scenario import load_scenario, parse_scenario
from advocacy.sandbox.services import mint_tokens
from advocacy.tenancy.scope import tenant_scope
from content import publishing
from content.models import Post

if TYPE_CHECKING:
    from .conftest import Cast

MEMBER_SCOPES = ["openid", "profile", "email", "w_member_social", "r_member_postAnalytics"]
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


@dataclass
class LinkedIn:
    """The sandbox as the publishing tests see it."""

    cast: Cast

    def connect(self, user: User, sub: str, scopes: list[str] | None = None) -> Connection:
        member = sandbox.Member.objects.get(sub=sub)
        tokens = mint_tokens(
            member=member,
            scopes=scopes or MEMBER_SCOPES,
            client_id=django_settings.LINKEDIN_CLIENT_ID,
            now=timezone.now(),
            with_refresh=False,
        )
        return connect_member(
            user=user,
            sub=sub,
            name=member.name,
            scopes=tokens.access.scopes,
            access_token=tokens.access.token,
            expires_in=5_183_999,
        )

    def fault(self, endpoint: str, **fields: Any) -> sandbox.Fault:
        position = sandbox.Fault.objects.count()
        return sandbox.Fault.objects.create(position=position, endpoint=endpoint, **fields)

    def clear_faults(self) -> None:
        sandbox.Fault.objects.all().delete()

    def posts(self, sub: str = "m-emma") -> list[sandbox.Post]:
        """Posts made through the API by the member (the scenario's own are left out)."""
        return list(
            sandbox.Post.objects.filter(member__sub=sub, origin=sandbox.Post.Origin.API).order_by(
                "created_at", "pk"
            )
        )

    def live_posts(self, sub: str = "m-emma") -> list[sandbox.Post]:
        return [post for post in self.posts(sub) if post.deleted_at is None]

    def calls(self, endpoint: str) -> int:
        counters = sandbox.CallCounter.objects.filter(endpoint=endpoint)
        return sum(counter.count for counter in counters)


def scenario_data() -> dict[str, Any]:
    today = timezone.now().date().isoformat()
    members = [
        {
            "sub": sub,
            "given_name": given,
            "family_name": "Acme",
            "email": f"{sub}@acme.example",
            "followers": {today: 400},
        }
        for sub, given in (("m-emma", "Emma"), ("m-carol", "Carol"), ("m-alice", "Alice"))
    ]
    return {"today": today, "seed": 11, "members": members, "pages": [], "posts": []}


def use_live_sandbox(live_server: Any, settings: Any) -> None:
    """Point the LinkedIn client at the sandbox of the live server, with quick retries, no
    waiting for budgets, and budgets of this test's own, all of the day's there from its
    first minute: a test's calls must not depend on the hour it runs at (early in the UTC
    day the paced budget allows a member a few dozen calls; tests/test_ratelimit.py has the
    pacing)."""
    base = f"{live_server.url}/{settings.LINKEDIN_SANDBOX_PREFIX}"
    settings.LINKEDIN_API_URL = base
    settings.LINKEDIN_WWW_URL = base
    settings.SITE_URL = live_server.url
    settings.LINKEDIN_RETRY_ATTEMPTS = 1
    settings.LINKEDIN_RETRY_BASE_SECONDS = 0.01
    settings.LINKEDIN_REVOKED_RETRY_SECONDS = 0.01
    settings.LINKEDIN_QUOTA_MAX_WAIT_SECONDS = 0
    settings.LINKEDIN_RATE_LIMIT_KEY_PREFIX = f"linkedin:ratelimit:test-{uuid.uuid4().hex}"
    settings.LINKEDIN_RATE_LIMIT_AHEAD_SECONDS = 86_400


@pytest.fixture
def linkedin(live_server: Any, settings: Any, cast: Cast) -> LinkedIn:
    """The sandbox on the live server, Emma connected as m-emma, fast and private budgets."""
    use_live_sandbox(live_server, settings)
    load_scenario(parse_scenario(scenario_data()))
    linkedin = LinkedIn(cast)
    linkedin.connect(cast.emma, "m-emma")
    return linkedin


def due_now(post: Post) -> None:
    """Make a scheduled post due at once (its retry time passed)."""
    Post.all_tenants.filter(pk=post.pk).update(next_attempt_at=timezone.now())


def run_publisher(organization: Any, *, now: Any = None) -> list[str]:
    """One pass of the periodic publisher, in the foreground: claim what is due, publish it."""
    outcomes = []
    for claim in publishing.claim_due_posts(now or timezone.now()):
        with tenant_scope(organization):
            outcomes.append(
                publishing.publish_claimed(
                    organization=organization, post_id=claim.post_id, claim_id=claim.claim_id
                )
            )
    return outcomes


def reload(post: Post) -> Post:
    return Post.all_tenants.get(pk=post.pk)


def published(cast: Cast) -> Any:
    return Post.all_tenants.filter(organization=cast.acme).filter(~Q(linkedin_urn=""))
