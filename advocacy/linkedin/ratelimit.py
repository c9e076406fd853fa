"""LinkedIn's daily call budgets, kept in the shared cache so every worker sees the same count.

LinkedIn limits each endpoint per day twice: for the whole application and for each member's
token, resetting at 00:00 UTC, and answers 429 past either (linkedin-api.md section 9). It
publishes neither number, so settings.LINKEDIN_APP_DAILY_QUOTA and LINKEDIN_MEMBER_DAILY_QUOTA
give them, per endpoint. A quota of 0 or less turns that bucket off.

The bucket: each (application, endpoint) and (member, endpoint) has a counter for the UTC day,
created with `cache.add` and counted with `cache.incr`, which Redis does atomically (LocMem
under a lock, within its one process). A call may go ahead when its number is within what the
day allows *so far*: the quota refills evenly over the day, and one hour's share
(LINKEDIN_RATE_LIMIT_AHEAD_SECONDS) plus one call may be used ahead of that pace. So a backfill
at 00:05 cannot spend the day's budget that publishing needs at 17:00, yet after a quiet
morning the saved-up allowance is there. A call over the allowance gives its count back and
learns how long until it is allowed; workers sleep that long when it fits their `max_wait`,
anything else gets RateLimited with `retry_after` and can be rescheduled.

When LinkedIn answers 429 anyway (its quota is lower than ours, or it protects itself), the
client reports it. After LINKEDIN_RATE_LIMIT_PAUSE_AFTER 429s in a day for one member and
endpoint, that member's endpoint pauses until 00:00 UTC; when that many different members (or
calls without a member) got 429 on an endpoint, the application's budget is evidently spent
and the endpoint pauses for everyone. One member at their limit does not stop the others.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import threading
import time
from typing import Any

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache
from django.utils.translation import gettext as _

from .errors import RateLimited

SECONDS_PER_DAY = 86_400
# Counters outlive their day by this much so that a clock a little behind still finds them.
_KEY_GRACE_SECONDS = 3_600

# The endpoint names the client uses (one per operation), the same as the sandbox's faults.
OAUTH_TOKEN = "oauth.token"  # noqa: S105 (an endpoint name, not a secret)
USERINFO = "userinfo"
POSTS_CREATE = "posts.create"
POSTS_GET = "posts.get"
POSTS_DELETE = "posts.delete"
IMAGES_INITIALIZE = "images.initialize"
IMAGES_UPLOAD = "images.upload"
MEMBER_FOLLOWERS = "member.followers"
MEMBER_POST_ANALYTICS = "member.postAnalytics"
PAGE_NETWORK_SIZE = "page.networkSize"
PAGE_FOLLOWER_STATISTICS = "page.followerStatistics"
PAGE_SHARE_STATISTICS = "page.shareStatistics"
ENDPOINTS = (
    OAUTH_TOKEN,
    USERINFO,
    POSTS_CREATE,
    POSTS_GET,
    POSTS_DELETE,
    IMAGES_INITIALIZE,
    IMAGES_UPLOAD,
    MEMBER_FOLLOWERS,
    MEMBER_POST_ANALYTICS,
    PAGE_NETWORK_SIZE,
    PAGE_FOLLOWER_STATISTICS,
    PAGE_SHARE_STATISTICS,
)


def _app_quota() -> int:
    return int(settings.LINKEDIN_APP_DAILY_QUOTA)


def _member_quota() -> int:
    return int(settings.LINKEDIN_MEMBER_DAILY_QUOTA)


def _ahead_seconds() -> float:
    return float(settings.LINKEDIN_RATE_LIMIT_AHEAD_SECONDS)


def _pause_after() -> int:
    return int(settings.LINKEDIN_RATE_LIMIT_PAUSE_AFTER)


class _Clock:
    """Where "now" falls in its UTC day. Wall-clock time, so that time_machine can move it."""

    def __init__(self) -> None:
        now = time.time()
        self.day = dt.datetime.fromtimestamp(now, dt.UTC).date().isoformat()
        self.into_day = now % SECONDS_PER_DAY  # Unix time has no leap seconds: days are equal
        self.to_reset = SECONDS_PER_DAY - self.into_day

    @property
    def key_ttl(self) -> int:
        return math.ceil(self.to_reset) + _KEY_GRACE_SECONDS


def _scope(member_key: str) -> str:
    # Hashed: a member key need not be cache-key safe, and keys should not carry identities.
    if not member_key:
        return "app"
    return "member:" + hashlib.sha256(member_key.encode()).hexdigest()[:24]


def _key(kind: str, scope: str, endpoint: str, day: str) -> str:
    # The prefix is a setting so that tests sharing one Redis (xdist workers) count apart.
    prefix = getattr(settings, "LINKEDIN_RATE_LIMIT_KEY_PREFIX", "linkedin:ratelimit")
    return f"{prefix}:{kind}:{scope}:{endpoint}:{day}"


def allowance(quota: int, seconds_into_day: float, ahead_seconds: float) -> int:
    """How many calls the day allows so far: an even refill, `ahead_seconds` of it early."""
    paced = math.floor(quota * (seconds_into_day + ahead_seconds) / SECONDS_PER_DAY)
    return min(quota, 1 + paced)


def _seconds_until_allowed(number: int, quota: int, clock: _Clock) -> float:
    """How long until call `number` of today is within the allowance (past the quota: reset)."""
    if number > quota:
        return clock.to_reset
    # allowance() >= number  <=>  into_day >= (number - 1) * day / quota - ahead
    allowed_at = (number - 1) * SECONDS_PER_DAY / quota - _ahead_seconds()
    # A millisecond more so that the floor() in allowance() has certainly moved on.
    return max(0.0, allowed_at - clock.into_day) + 0.001


_shared_clients: dict[str, Any] = {}
_sharing = threading.Lock()


def _redis(backend: RedisCache) -> Any:
    """The backend's Redis client for writes, shared by every thread of the process.

    Django makes a cache backend, and with it a connection pool, per thread (and per context),
    and the threads that send calls side by side come and go with their tasks: each would
    open a connection of its own for its first call. Redis' clients and pools are safe to
    share between threads, and a pool starts afresh in a forked process.
    """
    key = repr((getattr(backend, "_servers", None), getattr(backend, "_options", None)))
    client = _shared_clients.get(key)
    if client is None:
        with _sharing:
            client = _shared_clients.get(key)
            if client is None:
                # Writes always go to the first server, whatever the key.
                client = _shared_clients[key] = backend._cache.get_client(write=True)
    return client


def _count_calls(keys: list[str], ttl: int, *, unless: list[str]) -> list[int] | None:
    """Count one call in each of `keys` (created at 0 for the day when missing) and return
    the numbers; None, counting nothing, when any of the `unless` keys is set (a pause).

    On Redis this is one round trip: GET of every `unless` key, then SET NX with the day's
    expiry and INCR for every counter, in one pipeline (Django's get_many(), add() and incr()
    take a round trip each). A pause is rare: then what was counted is given back. Django's
    Redis cache stores integers unpickled, so get(), incr() and decr() read the same counters.
    """
    backend = caches[DEFAULT_CACHE_ALIAS]  # `cache` is a proxy of it
    if isinstance(backend, RedisCache):
        checked = [backend.make_and_validate_key(key) for key in unless]
        names = [backend.make_and_validate_key(key) for key in keys]
        pipeline = _redis(backend).pipeline(transaction=False)
        for name in checked:
            pipeline.get(name)
        for name in names:
            pipeline.set(name, 0, ex=ttl, nx=True)
            pipeline.incr(name)
        answers = pipeline.execute()
        if any(answer is not None for answer in answers[: len(checked)]):
            for key in keys:
                cache.decr(key)
            return None
        return [int(number) for number in answers[len(checked) + 1 :: 2]]
    if any(value is not None for value in cache.get_many(unless).values()):
        return None
    numbers = []
    for key in keys:
        cache.add(key, 0, ttl)
        numbers.append(cache.incr(key))
    return numbers


def _take(endpoint: str, member_key: str, clock: _Clock) -> float | None:
    """Count one call in each bucket; None when allowed, else seconds to wait (nothing taken)."""
    pauses = [
        _key("paused", scope, endpoint, clock.day) for scope in {_scope(""), _scope(member_key)}
    ]
    buckets = [(_scope(""), _app_quota())]
    if member_key:
        buckets.append((_scope(member_key), _member_quota()))
    counted = [
        (_key("calls", scope, endpoint, clock.day), quota) for scope, quota in buckets if quota > 0
    ]
    if not counted:
        return clock.to_reset if any(cache.get_many(pauses).values()) else None
    numbers = _count_calls([key for key, _quota in counted], clock.key_ttl, unless=pauses)
    if numbers is None:
        return clock.to_reset
    ahead = _ahead_seconds()
    for (_counter, quota), number in zip(counted, numbers, strict=True):
        if number > allowance(quota, clock.into_day, ahead):
            # Give back what this attempt counted, so a refused call costs nothing.
            for key, _quota in counted:
                cache.decr(key)
            return _seconds_until_allowed(number, quota, clock)
    return None


def acquire(endpoint: str, member_key: str = "", *, wait: bool, max_wait: float = 0.0) -> None:
    """Take one call of `endpoint` from the application's budget and the member's.

    With `wait`, sleep until the budgets allow the call when that is at most `max_wait`
    seconds away (workers: better late than a burnt quota). Otherwise, or when it is further
    away, raise RateLimited with `retry_after` in seconds.
    """
    deadline = time.monotonic() + max_wait  # monotonic: budgets of real time, even under tests
    while True:
        clock = _Clock()
        delay = _take(endpoint, member_key, clock)
        if delay is None:
            return
        if not wait or delay > deadline - time.monotonic():
            raise RateLimited(
                _("The daily LinkedIn budget for %(endpoint)s is used up for now.")
                % {"endpoint": endpoint},
                retry_after=delay,
                code="LOCAL_QUOTA",
            )
        time.sleep(delay)


def pause_until_reset(endpoint: str, member_key: str = "") -> None:
    """Stop calling `endpoint` (for one member, or for everyone) until 00:00 UTC."""
    clock = _Clock()
    cache.set(_key("paused", _scope(member_key), endpoint, clock.day), True, clock.key_ttl)


def is_paused(endpoint: str, member_key: str = "") -> bool:
    """Whether `endpoint` is paused for the application or, given a key, for that member."""
    clock = _Clock()
    scopes = {_scope(""), _scope(member_key)}
    return any(cache.get(_key("paused", scope, endpoint, clock.day)) for scope in scopes)


def _count(kind: str, scope: str, endpoint: str, clock: _Clock) -> int:
    key = _key(kind, scope, endpoint, clock.day)
    cache.add(key, 0, clock.key_ttl)
    return int(cache.incr(key))


def report_rate_limited(endpoint: str, member_key: str = "") -> None:
    """Note a 429 from LinkedIn; pause the endpoint when they repeat (see the module docstring)."""
    clock = _Clock()
    threshold = _pause_after()
    # The application's count moves once per member (and for every call without one), so it
    # measures how widespread the 429s are rather than how unlucky one member is.
    app_count_moves = True
    if member_key:
        member_429s = _count("429s", _scope(member_key), endpoint, clock)
        app_count_moves = member_429s == 1
        if member_429s >= threshold:
            pause_until_reset(endpoint, member_key)
    if app_count_moves and _count("429s", _scope(""), endpoint, clock) >= threshold:
        pause_until_reset(endpoint)


def reset(endpoint: str, member_key: str = "") -> None:
    """Forget today's counts, 429s and pause of `endpoint` (for one member, or the application).

    For an administrator who raised LinkedIn's quota, and for tests.
    """
    clock = _Clock()
    scope = _scope(member_key)
    cache.delete_many(
        [_key(kind, scope, endpoint, clock.day) for kind in ("calls", "429s", "paused")]
    )
