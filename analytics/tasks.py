"""Background collection of figures from LinkedIn (collection.py, docs/analytics.md).

Two periodic fan-outs (settings.CELERY_BEAT_SCHEDULE) queue small tasks, with ids only: the
daily follower counts (each company page; participants ANALYTICS_COLLECT_BATCH a task) and,
every few hours, the figures of each participant's due posts. Each task re-reads its rows
and returns quietly when the organization is gone or the member no longer takes part; it is
idempotent (snapshots are upserted), so a retry or a duplicate message does no harm.

A passing failure (429, 5xx, no answer) is retried later: after LinkedIn's Retry-After or the
local budget's wait when known, else with exponential backoff and jitter. The rate limiter
refuses locally while a budget is spent, so a retry costs no call of LinkedIn's quota.
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from advocacy.tenancy.models import Membership, Organization
from advocacy.tenancy.scope import tenant_scope
from content.models import Click, Post

from . import collection
from .models import PendingRollupDay
from .rollups import recompute_days, recompute_pending, today_of

logger = logging.getLogger(__name__)

MAX_RETRIES = 5
RETRY_BASE_SECONDS = 60
# Below Redis' visibility timeout (an hour, settings.CELERY_BROKER_TRANSPORT_OPTIONS): a
# message waiting longer would be handed to a second worker.
MAX_COUNTDOWN_SECONDS = 45 * 60
_jitter = random.SystemRandom()


def retry_countdown(stop: collection.Interrupted, retries: int) -> float:
    """Seconds until the next attempt: what LinkedIn (or the local budget) asked for, else
    exponential backoff; with jitter, so that retrying workers spread out."""
    wait = stop.retry_after
    if wait is None:
        wait = RETRY_BASE_SECONDS * 2**retries
    return min(wait + _jitter.uniform(0, RETRY_BASE_SECONDS / 2), MAX_COUNTDOWN_SECONDS)


def _collect(
    task: Any,
    organization: Organization,
    describe: str,
    run: Callable[[], collection.Collected],
) -> str:
    """Run one unit for `organization`; retry what may pass, log the rest, never raise it."""
    try:
        with tenant_scope(organization):
            collected = run()
    except collection.Interrupted as stop:
        if stop.collected.days:
            schedule_pending_rollups(organization.pk)
        if stop.retryable and task.request.retries < task.max_retries:
            countdown = retry_countdown(stop, task.request.retries)
            logger.info("Collecting %s: %s; retrying in %.0fs", describe, stop.cause, countdown)
            raise task.retry(countdown=countdown) from None
        if stop.retryable:
            logger.warning("Collecting %s: %s; left to the next run", describe, stop.cause)
            return "gave up"
        if isinstance(stop.cause, SoftTimeLimitExceeded):
            # What was read is written; the next run goes on from there.
            logger.warning("Collecting %s took too long and was cut short", describe)
            return "cut short"
        logger.error("Collecting %s failed: %s", describe, stop.cause, exc_info=stop.cause)
        return "failed"
    if collected.days:
        schedule_pending_rollups(organization.pk)
    logger.info("Collected %s: %s", describe, collected.summary())
    return collected.summary()


def schedule_pending_rollups(organization_id: int) -> None:
    """One recompute of the organization's marked days, ANALYTICS_ROLLUP_DELAY_SECONDS from
    the first mark: the members collected meanwhile are in it too. (A day marked as that
    task runs waits for the next one, or for refresh_recent_rollups.)"""
    delay = int(settings.ANALYTICS_ROLLUP_DELAY_SECONDS)
    if delay <= 0:
        return
    if cache.add(f"analytics:rollups-scheduled:{organization_id}", True, timeout=delay):
        recompute_pending_rollups.apply_async((organization_id,), countdown=delay)


@shared_task(
    name="analytics.recompute_pending_rollups",
    soft_time_limit=240,
    time_limit=300,
    ignore_result=True,
)
def recompute_pending_rollups(organization_id: int) -> int:
    """Recompute the days the collection marked in one organization; how many there were."""
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return 0
    with tenant_scope(organization):
        return recompute_pending(organization)


@shared_task(
    name="analytics.collect_followers", soft_time_limit=120, time_limit=180, ignore_result=True
)
def collect_followers() -> int:
    """Queue today's follower collection of every company page and every participant whose
    connection may read it (daily); returns how many tasks were queued."""
    pages = collection.page_targets()
    batches = follower_batches(collection.member_follower_targets())
    for organization_id in pages:
        collect_page_followers.delay(organization_id)
    for organization_id, membership_ids in batches:
        collect_members_followers.delay(organization_id, membership_ids)
    return len(pages) + len(batches)


def follower_batches(targets: list[tuple[int, int]]) -> list[tuple[int, list[int]]]:
    """(organization id, membership ids) of at most ANALYTICS_COLLECT_BATCH participants
    each, from member_follower_targets()."""
    size = int(settings.ANALYTICS_COLLECT_BATCH)
    by_organization: dict[int, list[int]] = {}
    for organization_id, membership_id in targets:
        by_organization.setdefault(organization_id, []).append(membership_id)
    return [
        (organization_id, members[start : start + size])
        for organization_id, members in by_organization.items()
        for start in range(0, len(members), size)
    ]


@shared_task(
    name="analytics.collect_post_metrics", soft_time_limit=120, time_limit=180, ignore_result=True
)
def collect_post_metrics() -> int:
    """Queue the post figures of every participant with posts due now (every few hours);
    returns how many tasks were queued."""
    targets = collection.post_targets(timezone.now())
    for organization_id, membership_id in targets:
        collect_member_posts.delay(organization_id, membership_id)
    return len(targets)


@shared_task(
    name="analytics.collect_member_followers",
    bind=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=120,
    time_limit=150,
    ignore_result=True,
)
def collect_member_followers(self: Any, organization_id: int, membership_id: int) -> str:
    """Collect one participant's followers today (and their history the first time).

    Returns quietly when the organization is gone; collection.py skips a member who is gone
    or no longer takes part.
    """
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return "gone"
    return _collect(
        self,
        organization,
        f"member followers of membership {membership_id}",
        lambda: collection.collect_member_followers(
            organization=organization, membership_id=membership_id
        ),
    )


@shared_task(
    name="analytics.collect_members_followers",
    soft_time_limit=240,
    time_limit=300,
    ignore_result=True,
)
def collect_members_followers(organization_id: int, membership_ids: list[int]) -> dict[str, int]:
    """Collect several participants' followers today (and the history of those collected for
    the first time); returns how many units had each outcome.

    A member whose calls failed for a passing reason (429, 5xx, no answer) is handed to
    collect_member_followers alone, which retries them with backoff; the others are written
    all the same. Returns quietly when the organization is gone.
    """
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return {"gone": len(membership_ids)}
    with tenant_scope(organization):
        units = collection.collect_members_followers(
            organization=organization, membership_ids=membership_ids
        )
    outcomes: Counter[str] = Counter()
    for membership_id, collected, interruption in units:
        if interruption is None:
            outcomes["skipped" if collected.skipped else "collected"] += 1
            continue
        stop = collection.Interrupted(interruption, collected)
        if stop.retryable:
            countdown = retry_countdown(stop, 0)
            logger.info(
                "Collecting member followers of membership %s: %s; retrying in %.0fs",
                membership_id,
                interruption,
                countdown,
            )
            collect_member_followers.apply_async(
                (organization_id, membership_id), countdown=countdown
            )
            outcomes["retrying"] += 1
        else:
            logger.error(
                "Collecting member followers of membership %s failed: %s",
                membership_id,
                interruption,
                exc_info=interruption,
            )
            outcomes["failed"] += 1
    if any(collected.days for _membership_id, collected, _interruption in units):
        schedule_pending_rollups(organization_id)
    logger.info("Collected member followers of %s members: %s", len(units), outcomes)
    return dict(outcomes)


@shared_task(
    name="analytics.collect_page_followers",
    bind=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=120,
    time_limit=150,
    ignore_result=True,
)
def collect_page_followers(self: Any, organization_id: int) -> str:
    """Collect the company page's followers today (and its history the first time).

    Returns quietly when the organization is gone or has no page connected.
    """
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return "gone"
    return _collect(
        self,
        organization,
        f"page followers of organization {organization_id}",
        lambda: collection.collect_page_followers(organization=organization),
    )


@shared_task(
    name="analytics.collect_member_posts",
    bind=True,
    max_retries=MAX_RETRIES,
    # Five calls per post (ten the first time), each of which may wait for the budget.
    soft_time_limit=600,
    time_limit=660,
    ignore_result=True,
)
def collect_member_posts(self: Any, organization_id: int, membership_id: int) -> str:
    """Collect the figures of one participant's due posts (collection.due_posts).

    Returns quietly when the organization is gone; collection.py skips a member who is gone
    or no longer takes part. Cut short by its time limit, it keeps what it read: those posts
    are not due again until later.
    """
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return "gone"
    return _collect(
        self,
        organization,
        f"post figures of membership {membership_id}",
        lambda: collection.collect_member_posts(
            organization=organization, membership_id=membership_id
        ),
    )


# A new connection, and the rollups of today ------------------------------------------------


def on_member_connected(sender: Any, *, connection: Any, user: Any, **kwargs: Any) -> None:
    """The receiver of LinkedIn's `member_connected`: queue the member's collection at once,
    so that their history is filled in on first connection (the collection backfills a
    membership with no figures from LinkedIn yet), in every organization they take part in."""
    targets = list(
        Membership.all_tenants.filter(
            user=user, is_active=True, user__is_active=True, opted_in_at__isnull=False
        ).values_list("organization_id", "pk")
    )
    for organization_id, membership_id in targets:
        collect_member_followers.delay(organization_id, membership_id)
        collect_member_posts.delay(organization_id, membership_id)


@shared_task(
    name="analytics.refresh_recent_rollups", soft_time_limit=240, time_limit=300, ignore_result=True
)
def refresh_recent_rollups() -> int:
    """Recompute today's and yesterday's rollups of every organization with a post or a click
    since yesterday (a few times an hour): clicks and new posts reach the reports soon,
    between the collections that recompute the days they touch."""
    since = timezone.now() - timedelta(days=2)
    active = set(
        Post.all_tenants.filter(published_at__gte=since).values_list("organization_id", flat=True)
    ) | set(
        Click.all_tenants.filter(clicked_at__gte=since).values_list("organization_id", flat=True)
    )
    marked = set(PendingRollupDay.all_tenants.values_list("organization_id", flat=True))
    for organization in Organization.objects.filter(pk__in=active | marked):
        today = today_of(organization)
        with tenant_scope(organization):
            if organization.pk in marked:
                recompute_pending(organization)
            if organization.pk in active:
                recompute_days(organization=organization, days=[today - timedelta(days=1), today])
    return len(active | marked)
