"""Scenario faults over HTTP: every-n-th and random statuses, Retry-After, latency, revocation
after some calls, and daily counters that restart at 00:00 UTC."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from advocacy.sandbox.faults import count_call
from advocacy.sandbox.models import CallCounter

from .test_sandbox_support import (
    CLIENT_ID,
    CLIENT_SECRET,
    Sandbox,
    frozen_clock,
    sandbox,
    scenario,
)

__all__ = ["frozen_clock", "sandbox"]

pytestmark = pytest.mark.django_db(transaction=True)

FOLLOWERS = "rest/memberFollowersCount?q=me"


def with_faults(sandbox: Sandbox, *faults: dict[str, Any]) -> None:
    sandbox.load(scenario(faults=list(faults)))


def statuses(sandbox: Sandbox, token: str, calls: int, path: str = FOLLOWERS) -> list[int]:
    return [sandbox.get(path, token).status_code for _ in range(calls)]


def test_every_nth_call_fails_with_429_without_retry_after(sandbox: Sandbox):
    with_faults(sandbox, {"endpoint": "member.followers", "status": 429, "every": 3})
    token = sandbox.token()
    answers = [sandbox.get(FOLLOWERS, token) for _ in range(6)]
    assert [a.status_code for a in answers] == [200, 200, 429, 200, 200, 429]
    throttled = answers[2]
    assert "Retry-After" not in throttled.headers
    assert throttled.headers["x-restli-error-response"] == "true"
    assert throttled.json()["code"] == "TOO_MANY_REQUESTS"
    assert throttled.json()["status"] == 429
    # Other operations are not affected.
    assert sandbox.get("v2/userinfo", token, version=None).status_code == 200


def test_retry_after_only_when_the_scenario_asks(sandbox: Sandbox):
    with_faults(sandbox, {"endpoint": "posts.create", "status": 429, "every": 1, "retry_after": 2})
    answer = sandbox.post("rest/posts", sandbox.token(), json={})
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "2"


def test_a_rate_draws_from_the_seeded_rng_reproducibly(sandbox: Sandbox):
    fault = {"endpoint": "member.followers", "status": 500, "rate": 0.4}
    with_faults(sandbox, fault)
    token = sandbox.token()
    first = statuses(sandbox, token, 30)
    assert set(first) == {200, 500}
    assert 3 <= first.count(500) <= 20
    with_faults(sandbox, fault)
    assert statuses(sandbox, token, 30) == first
    with_faults(sandbox, {**fault, "rate": 0})
    assert set(statuses(sandbox, token, 10)) == {200}


def test_latency_delays_every_matching_answer(sandbox: Sandbox):
    with_faults(sandbox, {"endpoint": "*", "latency_ms": 40})
    token = sandbox.token()
    started = time.perf_counter()
    assert sandbox.get("v2/userinfo", token, version=None).status_code == 200
    assert time.perf_counter() - started >= 0.04


def test_a_member_revokes_after_some_calls(sandbox: Sandbox):
    with_faults(sandbox, {"endpoint": "*", "revoke_token_of": "m-ann", "after_calls": 3})
    ann, bo = sandbox.token(), sandbox.token("m-bo")
    assert statuses(sandbox, ann, 2) == [200, 200]
    assert sandbox.get(FOLLOWERS, bo).status_code == 200  # the third call, by anyone
    revoked = sandbox.get(FOLLOWERS, ann)
    assert revoked.status_code == 401
    assert revoked.json()["serviceErrorCode"] == 65601
    assert sandbox.get(FOLLOWERS, bo).status_code == 200
    # A token Ann gets afterwards works: the revocation happened once.
    assert sandbox.get(FOLLOWERS, sandbox.token()).status_code == 200


def test_a_401_fault_is_the_65601_flake_on_a_live_token(sandbox: Sandbox):
    with_faults(sandbox, {"endpoint": "userinfo", "status": 401, "every": 2})
    token = sandbox.token()
    answers = [sandbox.get("v2/userinfo", token, version=None) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 401, 200]
    assert answers[1].json()["code"] == "REVOKED_ACCESS_TOKEN"


def test_faults_on_the_token_endpoint_answer_in_oauth_form(sandbox: Sandbox):
    with_faults(sandbox, {"endpoint": "oauth.token", "status": 503})
    answer = sandbox.oauth(
        "accessToken",
        {
            "grant_type": "authorization_code",
            "code": "x",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uri": "https://x.example/cb",
        },
    )
    assert answer.status_code == 503
    assert answer.json()["error"] == "temporarily_unavailable"


def test_server_errors_use_the_envelope(sandbox: Sandbox):
    with_faults(sandbox, {"endpoint": "page.networkSize", "status": 502})
    answer = sandbox.get(
        "rest/networkSizes/urn%3Ali%3Aorganization%3A2414183?edgeType=COMPANY_FOLLOWED_BY_MEMBER",
        sandbox.token(),
    )
    assert answer.status_code == 502
    assert answer.json()["status"] == 502
    assert answer.headers["x-restli-error-response"] == "true"


def test_daily_counters_restart_at_midnight_utc(sandbox: Sandbox, frozen_clock: Any):
    with_faults(sandbox, {"endpoint": "member.followers", "status": 429, "every": 2})
    token = sandbox.token()
    assert statuses(sandbox, token, 3) == [200, 429, 200]
    frozen_clock.shift(timedelta(hours=13, minutes=59))  # 23:59 UTC, same day
    assert statuses(sandbox, token, 1) == [429]
    frozen_clock.shift(timedelta(minutes=2))  # 00:01 UTC the next day
    assert statuses(sandbox, token, 2) == [200, 429]
    days = sorted(
        CallCounter.objects.filter(endpoint="member.followers").values_list("count", flat=True)
    )
    assert days == [2, 4]


def test_every_call_is_counted_under_its_operation_and_star(sandbox: Sandbox):
    token = sandbox.token()
    sandbox.get(FOLLOWERS, token)
    sandbox.get("v2/userinfo", token, version=None)
    counts = dict(CallCounter.objects.values_list("endpoint", "count"))
    assert counts == {"member.followers": 1, "userinfo": 1, "*": 2}


def test_a_call_is_counted_in_one_statement(db: None, django_assert_num_queries):
    now = timezone.now()
    with django_assert_num_queries(1):
        assert count_call("posts.create", now) == {"posts.create": 1, "*": 1}
    assert count_call("posts.create", now) == {"posts.create": 2, "*": 2}
    assert count_call("me", now) == {"me": 1, "*": 3}
    tomorrow = now + timedelta(days=1)
    assert count_call("me", tomorrow) == {"me": 1, "*": 1}
    assert CallCounter.objects.filter(day=now.date(), endpoint="*").get().count == 3
