"""Call counting and the scenario's faults.

Each call of an operation (the names in OPERATIONS) is counted per UTC day, under its own name
and under "*". A fault matches its operation, or every operation when its endpoint is "*":

- `latency_ms`: the answer waits that long (all matching faults add up).
- `revoke_token_of` + `after_calls`: once more than `after_calls` matching calls were made since
  the scenario was loaded (by anyone), every token of that member is revoked, once.
- `status`: the call is answered with that status instead: on every `every`-th matching call of
  the day, or with probability `rate` drawn from a RNG seeded with the scenario's seed, the
  fault and the call's number (reproducible), or, with neither, on every call. A 429 carries
  `Retry-After` only when `retry_after` is given.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import Sum

from .models import AccessToken, App, CallCounter, Fault

# One name per operation; scenarios use them in `faults[].endpoint`.
OPERATIONS: dict[str, str] = {
    "oauth.token": "POST oauth/v2/accessToken (both grants)",
    "oauth.introspect": "POST oauth/v2/introspectToken",
    "oauth.revoke": "POST oauth/v2/revoke",
    "oidc.discovery": "GET oauth/.well-known/openid-configuration",
    "oidc.jwks": "GET oauth/openid/jwks",
    "userinfo": "GET v2/userinfo",
    "me": "GET v2/me",
    "connections": "GET v2/connections/{person URN}",
    "posts.create": "POST rest/posts",
    "posts.find": "GET rest/posts?q=author",
    "posts.get": "GET rest/posts/{URN}",
    "posts.delete": "DELETE rest/posts/{URN}",
    "images.initialize": "POST rest/images?action=initializeUpload",
    "images.upload": "PUT the upload URL handed out by images.initialize",
    "images.get": "GET rest/images/{URN}",
    "member.followers": "GET rest/memberFollowersCount (q=me, q=dateRange)",
    "member.postAnalytics": "GET rest/memberCreatorPostAnalytics (q=entity, q=me)",
    "page.networkSize": "GET rest/networkSizes/{organization URN}",
    "page.followerStatistics": "GET rest/organizationalEntityFollowerStatistics",
    "page.shareStatistics": "GET rest/organizationalEntityShareStatistics",
}
ALL = "*"


@dataclass(frozen=True)
class Injected:
    """A status the call must be answered with."""

    status: int
    retry_after: int | None


def count_call(operation: str, now: datetime) -> dict[str, int]:
    """Count the call; returns today's counts for the operation and for '*', this one included.

    One upsert of both counters (PostgreSQL and SQLite alike): every call of every client
    comes through here, and reading, creating and bumping each counter apart took six
    statements and about a third of the sandbox's time for a call.
    """
    day = now.date()
    with connection.cursor() as cursor:
        cursor.execute(_COUNT_SQL, [day, operation, day, ALL])
        return dict(cursor.fetchall())


_COUNT_SQL = """
INSERT INTO sandbox_callcounter (day, endpoint, count) VALUES (%s, %s, 1), (%s, %s, 1)
ON CONFLICT (day, endpoint) DO UPDATE SET count = sandbox_callcounter.count + 1
RETURNING endpoint, count
"""


def apply_faults(operation: str, app: App, now: datetime) -> Injected | None:
    """Count the call and play the matching faults; returns the status to inject, if any."""
    counts = count_call(operation, now)
    faults = list(
        Fault.objects.filter(endpoint__in=(operation, ALL)).select_related("revoke_token_of")
    )
    latency = sum(fault.latency_ms for fault in faults)
    if latency:
        time.sleep(latency / 1000)
    injected: Injected | None = None
    for fault in faults:
        if fault.revoke_token_of_id is not None and fault.fired_at is None:
            _maybe_revoke(fault, now)
        if fault.status is None or injected is not None:
            continue
        number = counts[fault.endpoint]
        if fault.every is not None:
            hit = number % fault.every == 0
        elif fault.rate is not None:
            draw = random.Random(f"{app.seed}:{fault.position}:{now.date()}:{number}").random()  # noqa: S311
            hit = draw < fault.rate
        else:
            hit = True
        if hit:
            injected = Injected(fault.status, fault.retry_after)
    return injected


def _maybe_revoke(fault: Fault, now: datetime) -> None:
    # The "*" counter counts every call, so one filter serves both kinds of fault.
    made = CallCounter.objects.filter(endpoint=fault.endpoint).aggregate(total=Sum("count"))
    if (made["total"] or 0) <= fault.after_calls:
        return
    # Claim the fault so that only one call revokes, even when calls race.
    if Fault.objects.filter(pk=fault.pk, fired_at__isnull=True).update(fired_at=now) == 1:
        AccessToken.objects.filter(member=fault.revoke_token_of, revoked_at__isnull=True).update(
            revoked_at=now
        )
