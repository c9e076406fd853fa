"""Request rates per token and per user, counted in the cache: over the rate is a 429 with
Retry-After, in the envelope."""

from __future__ import annotations

import pytest

from .api_support import ApiClient, error_of, make_token
from .conftest import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiny_rates(settings):
    settings.API_THROTTLE_RATES = {"api_token": "3/min", "api_user": "5/min"}


def test_a_token_over_its_rate_gets_429_with_retry_after(cast: Cast, tiny_rates: None):
    first = ApiClient(make_token(cast.emma, cast.acme))
    for _ in range(3):
        assert first.get("me").status_code == 200
    refused = first.get("me")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    error = error_of(refused)
    assert error["code"] == "throttled"
    assert "seconds" in error["message"]

    # Another token of the same user has its own count, but the user's rate is shared: four
    # requests so far (the refused one counts too), so one more passes.
    second = ApiClient(make_token(cast.emma, cast.acme))
    assert [second.get("me").status_code for _ in range(2)] == [200, 429]
    assert error_of(second.get("me"))["code"] == "throttled"

    # Someone else is not slowed down by Emma.
    assert ApiClient(make_token(cast.carol, cast.acme)).get("me").status_code == 200


def test_a_browser_session_counts_per_user(cast: Cast, client_for, tiny_rates: None):
    session = ApiClient(client=client_for(cast.leo))
    statuses = [session.get("me").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    assert session.get("me").has_header("Retry-After")


def test_a_throttled_write_changes_nothing(cast: Cast, settings):
    settings.API_THROTTLE_RATES = {"api_token": "1/min", "api_user": "100/min"}
    alice = ApiClient(make_token(cast.alice, cast.acme))
    assert alice.post("teams", {"name": "First"}).status_code == 201
    assert alice.post("teams", {"name": "Second"}).status_code == 429
    from advocacy.tenancy.models import Team

    assert not Team.all_tenants.filter(name="Second").exists()
