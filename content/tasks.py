"""Background work of the content app: publishing, deleting on LinkedIn, link bookkeeping,
link previews and feeds."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django import db
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from advocacy.linkedin import errors
from advocacy.linkedin.models import Connection
from advocacy.linkedin.services import client_for, record_failure
from advocacy.tenancy import pagecache
from advocacy.tenancy.models import Organization
from advocacy.tenancy.scope import tenant_scope

from . import feeds, links, previews, publishing
from .models import FeedSource, Post

logger = logging.getLogger(__name__)

# How long one run of the periodic publisher goes on claiming batches.
DISPATCH_SECONDS = 30
# Posts handed to one publishing task at most. A morning with thousands due goes out in
# tasks of several posts, so a task's own cost (its message, the organization's read) is
# paid once for several; a burst smaller than TASKS_PER_BURST posts still goes one post a
# task, spread over every worker process.
POSTS_PER_TASK = 10
TASKS_PER_BURST = 32
# A publishing task that has worked this long hands its remaining posts to a new task (with
# the same claim) rather than run into its time limit.
PUBLISH_TASK_SECONDS = 120


def publishing_groups(claimed: list[publishing.Claimed]) -> list[tuple[int, list[int], str]]:
    """The claimed posts as (organization id, post ids, claim id), one publishing task each.

    Posts of one organization and one claim go together, at most POSTS_PER_TASK a task and
    fewer when the batch is small, so that TASKS_PER_BURST tasks share a burst.
    """
    size = max(1, min(POSTS_PER_TASK, len(claimed) // TASKS_PER_BURST))
    together: dict[tuple[int, str], list[int]] = {}
    for claim in claimed:
        together.setdefault((claim.organization_id, str(claim.claim_id)), []).append(claim.post_id)
    return [
        (organization_id, post_ids[start : start + size], claim_id)
        for (organization_id, claim_id), post_ids in together.items()
        for start in range(0, len(post_ids), size)
    ]


@shared_task(
    name="content.publish_due_posts", soft_time_limit=50, time_limit=60, ignore_result=True
)
def publish_due_posts() -> int:
    """Claim every post that is due and hand them to publishing tasks (every minute).

    Batch after batch while a full one comes back, within DISPATCH_SECONDS (well inside the
    time limit): a morning with thousands of posts due at 09:00 goes out in that minute, not
    one batch a minute. Returns how many posts were handed out.
    """
    deadline = time.monotonic() + DISPATCH_SECONDS
    handed_out = 0
    while True:
        claimed = publishing.claim_due_posts(timezone.now(), limit=publishing.CLAIM_BATCH)
        for organization_id, post_ids, claim_id in publishing_groups(claimed):
            publish_posts.delay(organization_id, post_ids, claim_id)
        handed_out += len(claimed)
        if len(claimed) < publishing.CLAIM_BATCH or time.monotonic() > deadline:
            return handed_out


@shared_task(
    name="content.publish_posts",
    acks_late=True,  # the posts are claimed in the database; a redelivery finds spent claims
    soft_time_limit=PUBLISH_TASK_SECONDS + 240,  # the last post may take as long as one alone
    time_limit=PUBLISH_TASK_SECONDS + 300,
    ignore_result=True,
)
def publish_posts(organization_id: int, post_ids: list[int], claim_id: str) -> dict[str, int]:
    """Publish claimed posts of one organization, each only while this task still holds its
    claim. Returns how many posts had each outcome.

    A member's posts go one after the other, in the task's order; different members' posts
    go side by side, up to PUBLISH_THREADS at once, since most of a post's time is the wait
    for LinkedIn's answer. One post's unexpected error is logged and does not hold the others
    back (that post keeps its claim and is claimed again once the claim is stale). Past
    PUBLISH_TASK_SECONDS the posts not yet begun go to a new task.
    """
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return {"gone": len(post_ids)}
    claim = uuid.UUID(claim_id)
    with tenant_scope(organization):
        posts = publishing.read_claimed(
            organization=organization, post_ids=post_ids, claim_id=claim
        )
    batch = _Batch(organization, claim, deadline=time.monotonic() + PUBLISH_TASK_SECONDS)
    if len(posts) < len(post_ids):
        batch.outcomes["not claimed"] += len(post_ids) - len(posts)
    lanes: dict[int, list[Post]] = {}
    for post_id in post_ids:
        if post_id in posts:
            lanes.setdefault(posts[post_id].author_id, []).append(posts[post_id])
    threads = min(int(settings.PUBLISH_THREADS), len(lanes))
    # Threads have connections of their own: they see committed rows only (not those of a
    # caller's open transaction), and SQLite serves one writer at a time anyway.
    if threads > 1 and db.connection.vendor == "postgresql" and not db.connection.in_atomic_block:
        with ThreadPoolExecutor(threads, thread_name_prefix="publish") as pool:
            for future in [pool.submit(batch.run_in_thread, lane) for lane in lanes.values()]:
                future.result()
    else:
        with tenant_scope(organization):
            for lane in lanes.values():
                batch.run(lane)
    if batch.handed_on:
        order = {post_id: index for index, post_id in enumerate(post_ids)}
        rest = sorted(batch.handed_on, key=order.__getitem__)
        publish_posts.delay(organization_id, rest, claim_id)
        batch.outcomes["handed on"] += len(rest)
    return dict(batch.outcomes)


class _Batch:
    """What the lanes of one publishing task share: its outcomes, its deadline and the posts
    it hands on."""

    def __init__(self, organization: Organization, claim: uuid.UUID, *, deadline: float) -> None:
        self.organization = organization
        self.claim = claim
        self.deadline = deadline
        self.outcomes: Counter[str] = Counter()
        self.handed_on: list[int] = []
        self._started = False
        self._lock = threading.Lock()

    def _may_begin(self) -> bool:
        # The task's first post always goes, whatever the time.
        with self._lock:
            if self._started and time.monotonic() > self.deadline:
                return False
            self._started = True
            return True

    def run(self, lane: list[Post]) -> None:
        for index, post in enumerate(lane):
            if not self._may_begin():
                with self._lock:
                    self.handed_on.extend(later.pk for later in lane[index:])
                return
            try:
                outcome = publishing.publish(post, self.claim)
            except SoftTimeLimitExceeded:
                raise
            except Exception:
                logger.exception("Publishing post %s failed unexpectedly", post.pk)
                outcome = "error"
            with self._lock:
                self.outcomes[outcome] += 1

    def run_in_thread(self, lane: list[Post]) -> None:
        try:
            with tenant_scope(self.organization):
                self.run(lane)
        finally:
            db.connections.close_all()  # this thread's own, back to the pool


@shared_task(
    name="content.publish_post",
    acks_late=True,  # the post is claimed in the database; a redelivery finds the claim gone
    soft_time_limit=240,
    time_limit=300,
    ignore_result=True,
)
def publish_post(organization_id: int, post_id: int, claim_id: str) -> str:
    """Publish one claimed post, if this task still holds its claim (the form of the task
    before posts went out several a task; kept for messages queued by an earlier release)."""
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return "gone"
    with tenant_scope(organization):
        return publishing.publish_claimed(
            organization=organization, post_id=post_id, claim_id=uuid.UUID(claim_id)
        )


@shared_task(
    name="content.publish_post_now", soft_time_limit=240, time_limit=300, ignore_result=True
)
def publish_post_now(organization_id: int, post_id: int) -> str:
    """ "Share now" and "try again": claim the post at once instead of waiting for the beat."""
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return "gone"
    with tenant_scope(organization):
        claim = publishing.claim_post(
            organization=organization, post_id=post_id, now=timezone.now()
        )
        if claim is None:
            return "not due"  # already claimed by the beat, or waiting for a connection
        return publishing.publish_claimed(
            organization=organization, post_id=post_id, claim_id=claim.claim_id
        )


@shared_task(
    name="content.delete_from_linkedin",
    bind=True,
    max_retries=8,
    soft_time_limit=120,
    time_limit=150,
    ignore_result=True,
)
def delete_from_linkedin(self: object, organization_id: int, post_id: int) -> str:
    """Delete a post the author deleted here from LinkedIn too (idempotent: LinkedIn answers
    204 for a post already gone)."""
    post = (
        Post.all_tenants.filter(organization_id=organization_id, pk=post_id)
        .select_related("author__user")
        .first()
    )
    if post is None or post.status != Post.Status.DELETED or post.linkedin_deleted_at:
        return "nothing to do"
    try:
        with pagecache.announced_by_caller():
            return _delete_from_linkedin(self, post)
    finally:
        # Whatever became of it, the author's pages show it next time.
        pagecache.changed(membership_ids=[post.author_id])


def _delete_from_linkedin(self: object, post: Post) -> str:
    rows = Post.all_tenants.filter(organization_id=post.organization_id, pk=post.pk)
    if not post.linkedin_urn:
        if post.sent_at is not None:
            rows.update(
                delete_error=_(
                    "We could not tell whether LinkedIn published this post. If it is on your "
                    "profile, delete it there."
                )
            )
        return "not on LinkedIn"
    connection = Connection.objects.filter(user_id=post.author.user_id).first()
    if connection is None or connection.needs_reconnect:
        rows.update(
            delete_error=_(
                "Deleted here. To delete it on LinkedIn too, connect your LinkedIn account "
                "again, or delete it on LinkedIn yourself."
            )
        )
        return "no connection"
    try:
        client_for(connection).delete_post(post.linkedin_urn)
    except errors.LinkedInError as error:
        if isinstance(error, errors.TokenExpired | errors.TokenRevoked | errors.PermissionDenied):
            record_failure(connection, error)
        rows.update(delete_error=str(error.explanation)[:500])
        if error.retryable:
            countdown = getattr(error, "retry_after", None) or 60 * 2**self.request.retries  # type: ignore[attr-defined]
            raise self.retry(countdown=min(countdown, 3600)) from None  # type: ignore[attr-defined]
        return "failed"
    rows.update(linkedin_deleted_at=timezone.now(), delete_error="")
    return "deleted"


@shared_task(
    name="content.forget_visitor_salts", soft_time_limit=30, time_limit=60, ignore_result=True
)
def forget_visitor_salts() -> int:
    """Delete old daily salts, so that no stored visitor hash can be traced back (daily)."""
    return links.forget_old_salts(timezone.now().date())


# Link previews ---------------------------------------------------------------------------

# A page and its image are each bounded to about five seconds (content/fetching.py); the
# rest is decoding and converting the image.
PREVIEW_SOFT_TIME_LIMIT = 30
PREVIEW_TIME_LIMIT = 45


@shared_task(
    name="content.fetch_item_preview",
    soft_time_limit=PREVIEW_SOFT_TIME_LIMIT,
    time_limit=PREVIEW_TIME_LIMIT,
    ignore_result=True,
)
def fetch_item_preview(organization_id: int, item_id: int, force: bool = False) -> None:
    """Read the link preview of a library item and store it (previews.refresh_item_preview).

    Not retried: a page that failed is marked so with the reason, and comms can ask again.
    Returns quietly when the organization or the item is gone.
    """
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return
    # The reason a preview failed is stored in words, for this organization's comms to read.
    with translation.override(organization.language):
        previews.refresh_item_preview(organization=organization, item_id=item_id, force=force)


@shared_task(
    name="content.fetch_post_preview",
    soft_time_limit=PREVIEW_SOFT_TIME_LIMIT,
    time_limit=PREVIEW_TIME_LIMIT,
    ignore_result=True,
)
def fetch_post_preview(organization_id: int, post_id: int) -> None:
    """Fill in what the author left empty of a post's link card (previews.refresh_post_preview).

    Returns quietly when the organization or the post is gone, or the post went out first.
    """
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return
    previews.refresh_post_preview(organization=organization, post_id=post_id)


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
