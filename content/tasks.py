"""Background work for the content library."""

from __future__ import annotations

from dataclasses import asdict

from celery import shared_task

from advocacy.tenancy.models import Organization

from . import feeds
from .models import FeedSource

# Feeds -----------------------------------------------------------------------------------


@shared_task(name="content.poll_feeds", soft_time_limit=60, time_limit=90, ignore_result=True)
def poll_feeds() -> int:
    """Queue a check of every polled feed of every organization; returns how many.

    Periodic (settings.CELERY_BEAT_SCHEDULE). Only ids travel: each check re-reads its feed,
    so a feed paused or removed since is left alone.
    """
    targets = list(
        FeedSource.all_tenants.filter(is_active=True)
        .order_by("organization_id", "pk")
        .values_list("organization_id", "pk")
    )
    for organization_id, feed_id in targets:
        poll_feed.delay(organization_id, feed_id)
    return len(targets)


@shared_task(name="content.poll_feed", soft_time_limit=60, time_limit=90, ignore_result=True)
def poll_feed(organization_id: int, feed_id: int) -> dict[str, object] | None:
    """Check one feed and add its new entries to the library as drafts.

    Returns quietly when the organization or the feed is gone, or the feed is paused. Not
    retried: a problem is kept on the feed for comms to see, and the next periodic check is
    the retry.
    """
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return None
    polled = FeedSource.objects.for_org(organization).filter(pk=feed_id, is_active=True)
    if not polled.exists():
        return None
    try:
        result = feeds.poll_feed(organization=organization, feed_id=feed_id)
    except FeedSource.DoesNotExist:
        return None  # removed in between
    return asdict(result)
