"""The daily budgets against the real cache (Redis in CI, LocMem locally), across midnight.

Each test counts under a key prefix of its own, so tests share no counters even on a Redis
that parallel test workers share.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from typing import Any

import pytest
import time_machine

from advocacy.linkedin import ratelimit
from advocacy.linkedin.errors import RateLimited
from advocacy.linkedin.ratelimit import (
    SECONDS_PER_DAY,
    acquire,
    allowance,
    is_paused,
    pause_until_reset,
    report_rate_limited,
    reset,
)

MIDNIGHT = dt.datetime(2026, 3, 31, 0, 0, tzinfo=dt.UTC)
NOON = MIDNIGHT + dt.timedelta(hours=12)
LATE = MIDNIGHT + dt.timedelta(hours=23, minutes=59)
NEXT_DAY = MIDNIGHT + dt.timedelta(days=1, seconds=1)


@pytest.fixture(autouse=True)
def own_counters(settings: Any) -> None:
    settings.LINKEDIN_RATE_LIMIT_KEY_PREFIX = f"linkedin:ratelimit:test-{uuid.uuid4().hex}"


@pytest.fixture
def endpoint() -> str:
    return f"test.{uuid.uuid4().hex}"


@pytest.fixture
def quotas(settings: Any) -> Any:
    settings.LINKEDIN_APP_DAILY_QUOTA = 1_000
    settings.LINKEDIN_MEMBER_DAILY_QUOTA = 24
    settings.LINKEDIN_RATE_LIMIT_AHEAD_SECONDS = 3_600
    settings.LINKEDIN_RATE_LIMIT_PAUSE_AFTER = 3
    return settings


def take(endpoint: str, member: str = "m1", times: int = 1) -> None:
    for _ in range(times):
        acquire(endpoint, member, wait=False)


def test_allowance_refills_evenly_with_an_hour_ahead() -> None:
    assert allowance(24, 0, 3_600) == 2
    assert allowance(24, 3_600, 3_600) == 3
    assert allowance(24, 12 * 3_600, 3_600) == 14
    assert allowance(24, SECONDS_PER_DAY - 1, 3_600) == 24  # never more than the quota
    # A small quota still allows one call at midnight.
    assert allowance(5, 0, 0) == 1
    assert allowance(100_000, 0, 3_600) == 4_167


def test_start_of_day_allows_the_early_share_only(quotas: Any, endpoint: str) -> None:
    with time_machine.travel(MIDNIGHT, tick=False):
        take(endpoint, times=2)
        with pytest.raises(RateLimited) as caught:
            take(endpoint)
    # Call 3 of 24 needs two hours' refill, one of which may be taken ahead: 01:00.
    assert caught.value.retry_after == pytest.approx(3_600, abs=1)
    assert caught.value.code == "LOCAL_QUOTA"


def test_allowance_grows_during_the_day(quotas: Any, endpoint: str) -> None:
    with time_machine.travel(NOON, tick=False):
        take(endpoint, times=14)
        with pytest.raises(RateLimited):
            take(endpoint)


def test_quota_is_used_up_then_resets_at_midnight_utc(quotas: Any, endpoint: str) -> None:
    with time_machine.travel(LATE, tick=False) as traveller:
        take(endpoint, times=24)
        with pytest.raises(RateLimited) as caught:
            take(endpoint)
        assert caught.value.retry_after == pytest.approx(60, abs=1)
        traveller.move_to(NEXT_DAY)
        take(endpoint)


def test_a_refused_call_costs_nothing(quotas: Any, endpoint: str) -> None:
    with time_machine.travel(MIDNIGHT, tick=False) as traveller:
        take(endpoint, times=2)
        for _ in range(5):
            with pytest.raises(RateLimited):
                take(endpoint)
        # One hour later the allowance is 3: the refusals above did not use it up.
        traveller.move_to(MIDNIGHT + dt.timedelta(hours=1, seconds=1))
        take(endpoint)
        with pytest.raises(RateLimited):
            take(endpoint)


def test_members_have_their_own_budgets(quotas: Any, endpoint: str) -> None:
    with time_machine.travel(MIDNIGHT, tick=False):
        take(endpoint, "ann", times=2)
        take(endpoint, "bo", times=2)
        with pytest.raises(RateLimited):
            take(endpoint, "ann")


def test_the_application_budget_is_shared(quotas: Any, endpoint: str) -> None:
    quotas.LINKEDIN_APP_DAILY_QUOTA = 48  # allowance 3 at midnight
    with time_machine.travel(MIDNIGHT, tick=False):
        take(endpoint, "ann", times=2)
        take(endpoint, "bo")
        with pytest.raises(RateLimited):
            take(endpoint, "cy")
        with pytest.raises(RateLimited):
            acquire(endpoint, wait=False)  # a call without a member counts for the app only


def test_a_member_refusal_gives_the_application_call_back(quotas: Any, endpoint: str) -> None:
    quotas.LINKEDIN_APP_DAILY_QUOTA = 48  # allowance 3 at midnight
    with time_machine.travel(MIDNIGHT, tick=False):
        take(endpoint, "ann", times=2)
        for _ in range(3):
            with pytest.raises(RateLimited):
                take(endpoint, "ann")  # the member's budget refuses; the app's is not spent
        take(endpoint, "bo")


def test_the_counters_are_the_cache_s_own_and_expire_after_their_day(
    quotas: Any, endpoint: str
) -> None:
    """The day's counters are plain cache integers (Redis counts them in one pipelined round
    trip, LocMem through add and incr), and they expire an hour after the day ends."""
    from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
    from django.core.cache.backends.redis import RedisCache

    with time_machine.travel(NOON, tick=False):
        take(endpoint, "ann", times=3)
        take(endpoint, "bo")
        clock = ratelimit._Clock()
        app = ratelimit._key("calls", ratelimit._scope(""), endpoint, clock.day)
        ann = ratelimit._key("calls", ratelimit._scope("ann"), endpoint, clock.day)
        assert (cache.get(app), cache.get(ann)) == (4, 3)
        backend = caches[DEFAULT_CACHE_ALIAS]
        if isinstance(backend, RedisCache):
            client = backend._cache.get_client(write=True)
            ttl = client.ttl(backend.make_and_validate_key(ann))
            assert clock.key_ttl - 5 <= ttl <= clock.key_ttl  # 12 h to midnight, plus one
            assert 12 * 3600 <= ttl <= 13 * 3600 + 1
        reset(endpoint, "ann")
        assert cache.get(ann) is None
        take(endpoint, "ann")
        assert (cache.get(app), cache.get(ann)) == (5, 1)


def test_quota_zero_turns_a_bucket_off(quotas: Any, endpoint: str) -> None:
    quotas.LINKEDIN_APP_DAILY_QUOTA = 0
    quotas.LINKEDIN_MEMBER_DAILY_QUOTA = 0
    with time_machine.travel(MIDNIGHT, tick=False):
        take(endpoint, times=50)


def test_workers_wait_for_the_next_call(quotas: Any, endpoint: str) -> None:
    quotas.LINKEDIN_APP_DAILY_QUOTA = 0
    quotas.LINKEDIN_MEMBER_DAILY_QUOTA = SECONDS_PER_DAY * 10  # ten calls a second
    quotas.LINKEDIN_RATE_LIMIT_AHEAD_SECONDS = 0
    with time_machine.travel(MIDNIGHT, tick=True):
        started = time.monotonic()
        acquire(endpoint, "m1", wait=True, max_wait=2)
        acquire(endpoint, "m1", wait=True, max_wait=2)
        acquire(endpoint, "m1", wait=True, max_wait=2)
        elapsed = time.monotonic() - started
    assert 0.1 <= elapsed < 2


def test_no_wait_beyond_max_wait(quotas: Any, endpoint: str) -> None:
    with time_machine.travel(MIDNIGHT, tick=False):
        take(endpoint, times=2)
        started = time.monotonic()
        with pytest.raises(RateLimited) as caught:
            acquire(endpoint, "m1", wait=True, max_wait=5)
        assert time.monotonic() - started < 1  # an hour away: refused at once, no sleep
    assert caught.value.retry_after == pytest.approx(3_600, abs=1)


def test_repeated_429s_pause_the_member_until_midnight(quotas: Any, endpoint: str) -> None:
    with time_machine.travel(NOON, tick=False) as traveller:
        report_rate_limited(endpoint, "ann")
        report_rate_limited(endpoint, "ann")
        take(endpoint, "ann")
        report_rate_limited(endpoint, "ann")
        assert is_paused(endpoint, "ann")
        assert not is_paused(endpoint, "bo")
        assert not is_paused(endpoint)
        with pytest.raises(RateLimited) as caught:
            acquire(endpoint, "ann", wait=True, max_wait=60)
        assert caught.value.retry_after == pytest.approx(12 * 3_600, abs=1)
        take(endpoint, "bo")
        traveller.move_to(NEXT_DAY)
        assert not is_paused(endpoint, "ann")
        take(endpoint, "ann")


def test_429s_for_several_members_pause_the_endpoint_for_everyone(
    quotas: Any, endpoint: str
) -> None:
    with time_machine.travel(NOON, tick=False) as traveller:
        for _ in range(5):
            report_rate_limited(endpoint, "ann")  # one unlucky member counts once here
        assert not is_paused(endpoint)
        report_rate_limited(endpoint, "bo")
        report_rate_limited(endpoint)
        assert is_paused(endpoint)
        with pytest.raises(RateLimited):
            take(endpoint, "cy")
        traveller.move_to(NEXT_DAY)
        take(endpoint, "cy")


def test_pause_until_reset(quotas: Any, endpoint: str) -> None:
    with time_machine.travel(LATE, tick=False) as traveller:
        pause_until_reset(endpoint)
        with pytest.raises(RateLimited) as caught:
            acquire(endpoint, wait=False)
        assert caught.value.retry_after == pytest.approx(60, abs=1)
        traveller.move_to(NEXT_DAY)
        acquire(endpoint, wait=False)


def test_a_paused_call_counts_nothing(quotas: Any, endpoint: str) -> None:
    """The pause is read in the same round trip that counts: a refused call gives it back."""
    from django.core.cache import cache

    with time_machine.travel(NOON, tick=False):
        take(endpoint, "ann", times=2)
        clock = ratelimit._Clock()
        app = ratelimit._key("calls", ratelimit._scope(""), endpoint, clock.day)
        ann = ratelimit._key("calls", ratelimit._scope("ann"), endpoint, clock.day)
        pause_until_reset(endpoint, "ann")
        for _ in range(3):
            with pytest.raises(RateLimited) as caught:
                acquire(endpoint, "ann", wait=False)
            assert caught.value.retry_after == pytest.approx(12 * 3_600, abs=1)
        assert (cache.get(app), cache.get(ann)) == (2, 2)
        take(endpoint, "bo")  # only Ann is paused
        assert cache.get(app) == 3


def test_reset_forgets_the_day(quotas: Any, endpoint: str) -> None:
    with time_machine.travel(MIDNIGHT, tick=False):
        take(endpoint, times=2)
        pause_until_reset(endpoint)
        reset(endpoint)
        reset(endpoint, "m1")
        take(endpoint, times=2)


def test_endpoint_names_match_the_sandbox_faults() -> None:
    assert set(ratelimit.ENDPOINTS) == {
        "oauth.token",
        "userinfo",
        "posts.create",
        "posts.get",
        "posts.delete",
        "images.initialize",
        "images.upload",
        "member.followers",
        "member.postAnalytics",
        "page.networkSize",
        "page.followerStatistics",
        "page.shareStatistics",
    }


def test_threads_share_one_redis_connection_pool_per_cache():
    """A backend is made per thread, and its pool with it; the counting shares one per
    process (a pool connects only when a command runs: no server is needed here)."""
    from concurrent.futures import ThreadPoolExecutor

    from django.core.cache.backends.redis import RedisCache

    def pool_in_a_new_backend(location: str) -> Any:
        return ratelimit._redis(RedisCache(location, {})).connection_pool

    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(pool_in_a_new_backend, ["redis://127.0.0.1:6399/7"] * 2)
    elsewhere = pool_in_a_new_backend("redis://127.0.0.1:6399/8")
    assert first is second
    assert elsewhere is not first
