"""The measurements of `make bench`, each one against a floor measured in the same run.

Every step returns Lines: a figure, the floor it is compared with, the ratio, and whether it
meets its target (docs/performance.md has the targets and why). The steps take what they
measure as arguments (a base URL, an organization, a way to hand tasks to workers), so the
test suite runs each of them in miniature against its live server and eager Celery.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

import requests
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from advocacy.demo.bulk import RowWriter
from advocacy.sandbox import models as sandbox
from advocacy.tenancy.models import Membership, Organization
from analytics.models import MemberFollowers, PageFollowers, PostMetrics
from content.models import Click, Post, TrackedLink

BIN = Path(sys.executable).parent
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
FLOOR_PATH = "/healthz"


@dataclass
class Line:
    """One figure of the table."""

    step: str
    measure: str
    value: float | None
    unit: str
    floor: float | None = None
    ratio: float | None = None
    target: str = ""
    passed: bool | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (0 < fraction <= 1) of a non-empty sample."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


# -- HTTP load through locust ----------------------------------------------------------------


@dataclass
class Load:
    """What one run of the load generator saw."""

    users: int
    requests: int
    failures: int
    rps: float
    p50_ms: float
    p95_ms: float


class LoadFailed(RuntimeError):
    pass


def _histogram_percentile(histogram: dict[str, int], fraction: float) -> float:
    """The nearest-rank percentile of locust's response times (ms, rounded) -> count."""
    ordered = sorted((float(value), count) for value, count in histogram.items())
    total = sum(count for _value, count in ordered)
    rank = max(1, math.ceil(fraction * total))
    seen = 0
    for value, count in ordered:
        seen += count
        if seen >= rank:
            return value
    return ordered[-1][0]


def run_load(
    base_url: str,
    paths: Sequence[str],
    *,
    users: int,
    seconds: float,
    cookie: str = "",
    status: int = 200,
) -> Load:
    """`users` clients requesting `paths` back to back for `seconds` (locust, headless)."""
    environment = {
        **os.environ,
        "BENCH_PATHS": "\n".join(paths),
        "BENCH_COOKIE": cookie,
        "BENCH_STATUS": str(status),
    }
    command = [
        str(BIN / "locust"),
        "--locustfile",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{max(1, round(seconds))}s",
        "--host",
        base_url,
        "--json",
        "--only-summary",
        "--loglevel",
        "ERROR",
        "--stop-timeout",
        "5",
        "--exit-code-on-error",
        "0",
    ]
    finished = subprocess.run(  # noqa: S603 (our own command)
        command, env=environment, capture_output=True, text=True, timeout=seconds + 120
    )
    try:
        [stats] = json.loads(finished.stdout)
    except ValueError:
        raise LoadFailed(f"locust gave no statistics: {finished.stderr[-2000:]}") from None
    answered = int(stats["num_requests"])
    if not answered:
        raise LoadFailed(f"no request to {paths[0]} was answered: {finished.stderr[-2000:]}")
    failures = int(stats["num_failures"])
    if failures:
        raise LoadFailed(
            f"{failures} of {answered} requests to {paths[0]} failed: {finished.stderr[-1000:]}"
        )
    elapsed = float(stats["last_request_timestamp"]) - float(stats["start_time"])
    return Load(
        users=users,
        requests=answered,
        failures=failures,
        rps=answered / elapsed if elapsed > 0 else 0.0,
        p50_ms=_histogram_percentile(stats["response_times"], 0.50),
        p95_ms=_histogram_percentile(stats["response_times"], 0.95),
    )


def measure_floor(base_url: str, concurrencies: Sequence[int], seconds: float) -> dict[int, Load]:
    """The floor: one `SELECT 1` through the same stack (middleware, pool, gunicorn)."""
    return {
        users: run_load(base_url, [FLOOR_PATH], users=users, seconds=seconds)
        for users in concurrencies
    }


# Step 1 ------------------------------------------------------------------------------------

PAGE_RATIO_TARGET = 0.40
PAGE_P95_TARGET_MS = 150.0
REDIRECT_RATIO_TARGET = 0.60


def _throughput(step: str, measure: str, load: Load, floor: Load, target: float | None) -> Line:
    """Requests per second against the floor's at the same concurrency; judged when a
    target (a share of the floor) is given."""
    ratio = load.rps / floor.rps if floor.rps else None
    return Line(
        step,
        measure,
        load.rps,
        "req/s",
        floor=floor.rps,
        ratio=ratio,
        target=f">= {target:.0%} of floor" if target is not None else "",
        passed=(ratio is not None and ratio >= target) if target is not None else None,
    )


def pages(
    base_url: str,
    pages: dict[str, str],
    *,
    cookies: dict[str, str],
    concurrencies: Sequence[int],
    seconds: float,
    floors: dict[int, Load],
    rendered_cookies: dict[str, str] | None = None,
) -> list[Line]:
    """Throughput and latency of each page at each concurrency, against the floor, for a
    member coming back to it (`cookies`: a browser's, its CSRF cookie included). The targets
    hold at the highest concurrency (16 in the full run). With `rendered_cookies` (no CSRF
    cookie: every request a first visit), each page also at the lowest concurrency rendered
    every time, unjudged: what a page costs the first time after a change."""
    lines = []
    top, low = max(concurrencies), min(concurrencies)
    for name, cookie in (rendered_cookies or {}).items():
        load = run_load(base_url, [pages[name]], users=low, seconds=seconds, cookie=cookie)
        measure = f"{name}, rendered every time, {low} clients"
        lines.append(_throughput("pages", f"{measure}: throughput", load, floors[low], None))
        lines.append(
            Line("pages", f"{measure}: latency (p50 {load.p50_ms:.0f} ms)", load.p95_ms, "ms p95")
        )
    for name, path in pages.items():
        for users in concurrencies:
            load = run_load(base_url, [path], users=users, seconds=seconds, cookie=cookies[name])
            judged = users == top
            lines.append(
                _throughput(
                    "pages",
                    f"{name}, {users} clients: throughput",
                    load,
                    floors[users],
                    PAGE_RATIO_TARGET if judged else None,
                )
            )
            lines.append(
                Line(
                    "pages",
                    f"{name}, {users} clients: latency (p50 {load.p50_ms:.0f} ms)",
                    load.p95_ms,
                    "ms p95",
                    target=f"p95 < {PAGE_P95_TARGET_MS:.0f} ms" if judged else "",
                    passed=(load.p95_ms < PAGE_P95_TARGET_MS) if judged else None,
                )
            )
    return lines


# Step 2 ------------------------------------------------------------------------------------

GROWTH_P95_TARGET_MS = 300.0
GROWTH_RAW_FACTOR = 3.0


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def raw_growth_sql(organization: Organization, start: dt.date, end: dt.date) -> tuple[Any, ...]:
    """The growth report's figures straight from the snapshots, in one statement: the page's
    followers, each connected participant's followers on the first and last day, the posts
    of the range with their latest figures, and the clicks. What the report would cost
    without rollups (docs/metrics.md defines the figures)."""
    from advocacy.accounts.models import User
    from advocacy.linkedin.models import Connection
    from analytics.rollups import zone_of

    zone = zone_of(organization)
    since = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    followers, page = _table(MemberFollowers), _table(PageFollowers)
    metrics, posts, clicks = _table(PostMetrics), _table(Post), _table(Click)
    memberships, users, connections = _table(Membership), _table(User), _table(Connection)
    on_day = """
        SELECT f.membership_id, f.followers FROM {followers} f
        JOIN (SELECT membership_id, MAX(day) AS day FROM {followers}
              WHERE organization_id = %(org)s AND day <= %({bound})s
                AND membership_id IN (SELECT id FROM connected)
              GROUP BY membership_id) x
          ON x.membership_id = f.membership_id AND x.day = f.day
        WHERE f.organization_id = %(org)s
    """
    sql = f"""
        WITH participants AS (
            SELECT m.id, m.user_id FROM {memberships} m JOIN {users} u ON u.id = m.user_id
            WHERE m.organization_id = %(org)s AND m.is_active AND u.is_active
              AND m.opted_in_at IS NOT NULL
        ), connected AS (
            SELECT p.id FROM participants p JOIN {connections} c ON c.user_id = p.user_id
        ), first_day AS ({on_day.format(followers=followers, bound="start")}
        ), last_day AS ({on_day.format(followers=followers, bound="end")}
        ), counted AS (
            SELECT id, published_at FROM {posts}
            WHERE organization_id = %(org)s AND status = 'published'
              AND published_at IS NOT NULL AND author_id IN (SELECT id FROM participants)
        ), ranged AS (
            SELECT id FROM counted WHERE published_at >= %(since)s AND published_at < %(until)s
        ), latest AS (
            SELECT m.post_id, m.impressions, m.reactions, m.comments, m.reshares
            FROM {metrics} m
            JOIN (SELECT post_id, MAX(day) AS day FROM {metrics}
                  WHERE organization_id = %(org)s AND post_id IN (SELECT id FROM ranged)
                  GROUP BY post_id) x
              ON x.post_id = m.post_id AND x.day = m.day
            WHERE m.organization_id = %(org)s
        )
        SELECT
            (SELECT followers FROM {page} WHERE organization_id = %(org)s AND day <= %(start)s
             ORDER BY day DESC LIMIT 1),
            (SELECT followers FROM {page} WHERE organization_id = %(org)s AND day <= %(end)s
             ORDER BY day DESC LIMIT 1),
            (SELECT COUNT(*) FROM first_day JOIN last_day USING (membership_id)),
            (SELECT SUM(last_day.followers - first_day.followers)
             FROM first_day JOIN last_day USING (membership_id)),
            (SELECT COUNT(*) FROM ranged),
            (SELECT SUM(impressions) FROM latest),
            (SELECT SUM(reactions) + SUM(comments) + SUM(reshares) FROM latest),
            (SELECT COUNT(*) FROM {clicks} WHERE organization_id = %(org)s AND NOT is_bot
               AND post_id IN (SELECT id FROM counted)
               AND clicked_at >= %(since)s AND clicked_at < %(until)s)
    """  # noqa: S608 (table names from the models, values as parameters)
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {"org": organization.pk, "start": start, "end": end, "since": since, "until": until},
        )
        return tuple(cursor.fetchone() or ())


def growth(
    base_url: str,
    *,
    token: str,
    organization: Organization,
    end: dt.date,
    days: int = 365,
    rounds: int = 30,
) -> list[Line]:
    """The growth report over `days` through the API, one request at a time (the time the
    server takes, on the loopback), against the raw SQL aggregate run in PostgreSQL."""
    start = end - dt.timedelta(days=days - 1)
    url = f"{base_url}/api/v1/reports/growth"
    params = {"start": start.isoformat(), "end": end.isoformat()}
    timings = []
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {token}"
        for round_ in range(rounds + 3):
            began = time.perf_counter()
            response = session.get(url, params=params, timeout=30)
            elapsed = (time.perf_counter() - began) * 1000
            response.raise_for_status()
            if round_ >= 3:  # the first requests warm the caches and the pool
                timings.append(elapsed)
    raw = []
    for round_ in range(rounds + 3):
        began = time.perf_counter()
        raw_growth_sql(organization, start, end)
        if round_ >= 3:
            raw.append((time.perf_counter() - began) * 1000)
    p95, raw_p95 = percentile(timings, 0.95), percentile(raw, 0.95)
    ratio = p95 / raw_p95 if raw_p95 else None
    return [
        Line(
            "growth report",
            f"{days} days, p50 {statistics.median(timings):.1f} ms",
            p95,
            "ms p95",
            target=f"p95 < {GROWTH_P95_TARGET_MS:.0f} ms",
            passed=p95 < GROWTH_P95_TARGET_MS,
        ),
        Line(
            "growth report",
            f"against raw SQL (p50 {statistics.median(raw):.1f} ms)",
            p95,
            "ms p95",
            floor=raw_p95,
            ratio=ratio,
            target=f"<= {GROWTH_RAW_FACTOR:.0f} x raw SQL",
            passed=ratio is not None and ratio <= GROWTH_RAW_FACTOR,
        ),
    ]


# Steps 3 and 4 hand tasks to Celery workers ------------------------------------------------


class Workers(Protocol):
    def submit(self, task: Any, *args: Any) -> None:
        """Queue one task."""

    def wait(self, timeout: float) -> None:
        """Return once every queued task has finished."""


COLLECTION_RATIO_TARGET = 0.25


def _fields(model: Any) -> list[str]:
    """Every column's attribute, the primary key included (the copy keeps the ids)."""
    return [field.attname for field in model._meta.concrete_fields]


def _copy_rate(model: Any, rows: list[tuple[Any, ...]]) -> float:
    """Rows per second of loading `rows` (values of `_fields`) in bulk into an empty copy of
    the model's table, with its indexes, through the generator's writer: COPY on
    PostgreSQL, batched inserts elsewhere."""
    if not rows:
        return 0.0
    table = model._meta.db_table
    scratch = f"bench_copy_{table}_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"CREATE TEMPORARY TABLE {scratch} (LIKE {table} INCLUDING ALL)")
        else:
            cursor.execute(f"CREATE TEMPORARY TABLE {scratch} AS SELECT * FROM {table} WHERE 0")  # noqa: S608
    writer = RowWriter(stamp=timezone.now())
    began = time.perf_counter()
    writer.write(model, _fields(model), rows, table=scratch)
    elapsed = time.perf_counter() - began
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {scratch}")
    return len(rows) / elapsed if elapsed else 0.0


def _against_copy(
    label: str, elapsed: float, stored: list[tuple[Any, list[tuple[Any, ...]]]]
) -> Line:
    """Rows stored per second over `elapsed`, against COPY of the same rows."""
    total = sum(len(rows) for _model, rows in stored)
    rate = total / elapsed if elapsed else 0.0
    copy_seconds = sum(len(rows) / _copy_rate(model, rows) for model, rows in stored if rows)
    copy_rate = total / copy_seconds if copy_seconds else 0.0
    ratio = rate / copy_rate if copy_rate else None
    return Line(
        "collection",
        f"{label} in {elapsed:.1f} s",
        rate,
        "rows/s",
        floor=copy_rate,
        ratio=ratio,
        target=f">= {COLLECTION_RATIO_TARGET:.0%} of COPY",
        passed=ratio is not None and ratio >= COLLECTION_RATIO_TARGET,
    )


def collection(
    organization: Organization,
    workers: Workers,
    *,
    first_connections: int = 500,
    timeout: float = 1800,
) -> list[Line]:
    """The platform's own collection tasks on the workers, through the sandbox, for the
    large tenant; rows stored per second against COPY of the same rows. Two rounds:

    - a day's collection: every connected participant's followers today (one call each) and
      the figures of the posts of the last 7 days (due every few hours; five calls a post);
    - first connections: `first_connections` members without any figure yet, whose history
      is filled in from LinkedIn's date-range answer (a year of days per call).

    The rollups the collection schedules are recomputed within the time measured.
    """
    from analytics import collection as collect
    from analytics import tasks

    now = timezone.now()
    today = timezone.localdate(now, timezone=collect.zone_of(organization))
    members = [
        (org_id, pk)
        for org_id, pk in collect.member_follower_targets()
        if org_id == organization.pk
    ]
    followers = MemberFollowers.objects.for_org(organization)
    followers.filter(day=today).delete()
    # Only the young posts are due (as on any day after the older ones' daily collection).
    Post.objects.for_org(organization).filter(
        status=Post.Status.PUBLISHED, published_at__lte=now - dt.timedelta(days=7)
    ).update(metrics_updated_at=now)
    authors = [pk for org_id, pk in collect.post_targets(now) if org_id == organization.pk]
    began_at, began = timezone.now(), time.perf_counter()
    for organization_id, batch in tasks.follower_batches(members):
        workers.submit(tasks.collect_members_followers, organization_id, batch)
    for membership_id in authors:
        workers.submit(tasks.collect_member_posts, organization.pk, membership_id)
    workers.wait(timeout)
    elapsed = time.perf_counter() - began
    follower_rows = list(followers.filter(day=today).values_list(*_fields(MemberFollowers)))
    metric_rows = list(
        PostMetrics.objects.for_org(organization)
        .filter(collected_at__gte=began_at)
        .values_list(*_fields(PostMetrics))
    )
    lines = [
        _against_copy(
            f"a day: {len(follower_rows)} follower counts, {len(metric_rows)} post figures",
            elapsed,
            [(MemberFollowers, follower_rows), (PostMetrics, metric_rows)],
        )
    ]

    newcomers = members[-first_connections:]
    followers.filter(membership_id__in=[pk for _org_id, pk in newcomers]).delete()
    began_at, began = timezone.now(), time.perf_counter()
    for organization_id, batch in tasks.follower_batches(newcomers):
        workers.submit(tasks.collect_members_followers, organization_id, batch)
    workers.wait(timeout)
    elapsed = time.perf_counter() - began
    history = list(
        followers.filter(
            membership_id__in=[pk for _org_id, pk in newcomers], collected_at__gte=began_at
        ).values_list(*_fields(MemberFollowers))
    )
    lines.append(
        _against_copy(
            f"first connections: {len(newcomers)} members' history, {len(history)} rows",
            elapsed,
            [(MemberFollowers, history)],
        )
    )
    return lines


PUBLISHING_LATENESS_TARGET_S = 60.0
BEAT_SECONDS = 60.0


def publishing(
    organization: Organization,
    workers: Workers,
    *,
    posts: int = 5000,
    timeout: float = 1800,
) -> list[Line]:
    """`posts` posts due at the same moment, published by the workers through the sandbox
    (the periodic publisher handing them out, once a minute as beat does, until none is
    left): time to drain, lateness p95 and duplicates on LinkedIn's side."""
    from content import tasks

    authors = list(
        Membership.objects.for_org(organization)
        .filter(
            is_active=True,
            opted_in_at__isnull=False,
            user__linkedin_connection__status="active",
        )
        .values_list("pk", flat=True)
        .order_by("pk")
    )
    if not authors:
        raise LoadFailed(f"{organization.slug} has no connected participant to publish for")
    marker = f"bench-{uuid.uuid4().hex[:10]}"
    due = timezone.now()
    Post.objects.for_org(organization).bulk_create(
        [
            Post(
                organization=organization,
                author_id=authors[number % len(authors)],
                text=f"What we learned this week, part {number} #{marker}",
                status=Post.Status.SCHEDULED,
                scheduled_for=due,
                next_attempt_at=due,
            )
            for number in range(posts)
        ],
        batch_size=1000,
    )
    batch = Post.objects.for_org(organization).filter(text__endswith=f"#{marker}")
    began = time.perf_counter()
    deadline = began + timeout
    next_beat = began
    while True:
        if time.perf_counter() >= next_beat:
            workers.submit(tasks.publish_due_posts)
            next_beat += BEAT_SECONDS
        if not batch.filter(status__in=[Post.Status.SCHEDULED, Post.Status.PUBLISHING]).exists():
            break
        if time.perf_counter() > deadline:
            raise LoadFailed(f"publishing did not drain in {timeout:.0f}s")
        time.sleep(0.2)
    drained = time.perf_counter() - began
    workers.wait(timeout)
    outcome = dict(batch.values_list("status").annotate(n=Count("pk")).order_by())
    lateness = [
        (published - scheduled).total_seconds()
        for published, scheduled in batch.filter(status=Post.Status.PUBLISHED).values_list(
            "published_at", "scheduled_for"
        )
    ]
    on_linkedin = (
        sandbox.Post.objects.filter(commentary__endswith=f"#{marker}")
        .values("commentary")
        .annotate(copies=Count("pk"))
        .filter(copies__gt=1)
    )
    duplicates = sum(row["copies"] - 1 for row in on_linkedin)
    published = outcome.get(Post.Status.PUBLISHED, 0)
    # Measured: the posts go, on both sides, so the data stays as generated (a later run's
    # collection would otherwise find thousands of young posts more).
    batch.delete()
    sandbox.Post.objects.filter(commentary__endswith=f"#{marker}").delete()
    late = percentile(lateness, 0.95) if lateness else None
    return [
        Line(
            "publishing",
            f"{posts} posts due at once: drained in {drained:.1f} s, {published} published",
            late,
            "s late p95",
            target=f"p95 < {PUBLISHING_LATENESS_TARGET_S:.0f} s, all published",
            passed=late is not None and late < PUBLISHING_LATENESS_TARGET_S and published == posts,
        ),
        Line(
            "publishing",
            "duplicates on LinkedIn",
            float(duplicates),
            "posts",
            target="0",
            passed=duplicates == 0,
        ),
    ]


# Step 5 ------------------------------------------------------------------------------------


def tracked_paths(organization: Organization, limit: int = 2000) -> list[str]:
    codes = (
        TrackedLink.objects.for_org(organization)
        .order_by("pk")
        .values_list("code", flat=True)[:limit]
    )
    return [f"/l/{code}" for code in codes]


def redirect(
    base_url: str,
    paths: Sequence[str],
    *,
    concurrencies: Sequence[int],
    seconds: float,
    floors: dict[int, Load],
) -> list[Line]:
    """Tracked links followed (each a recorded click), against the floor."""
    lines = []
    top = max(concurrencies)
    for users in concurrencies:
        load = run_load(base_url, paths, users=users, seconds=seconds, status=302)
        lines.append(
            _throughput(
                "redirect",
                f"/l/<code>, {users} clients (p95 {load.p95_ms:.0f} ms)",
                load,
                floors[users],
                REDIRECT_RATIO_TARGET if users == top else None,
            )
        )
    return lines


# Step 6 ------------------------------------------------------------------------------------

WEB_RSS_TARGET_MB = 250.0


def memory(rss: dict[str, int]) -> list[Line]:
    """Peak resident memory of one web process and one worker process."""
    lines = []
    if "web" in rss:
        web = rss["web"] / 2**20
        lines.append(
            Line(
                "memory",
                "web process, peak RSS",
                web,
                "MB",
                target=f"< {WEB_RSS_TARGET_MB:.0f} MB",
                passed=web < WEB_RSS_TARGET_MB,
            )
        )
    if "worker" in rss:
        lines.append(Line("memory", "worker process, peak RSS", rss["worker"] / 2**20, "MB"))
    return lines
