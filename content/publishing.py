"""Publishing posts to LinkedIn, at most once (ARCHITECTURE.md, flow 3).

The life of a post that is due:

1. **Claim.** The periodic `publish_due_posts` (or "share now") moves SCHEDULED posts to
   PUBLISHING under a fresh claim id, with a compare-and-swap on the status (and row locks
   that skip what another beat holds). A post whose claim is older than STALE_CLAIM (a
   worker died holding it) is claimed again. Each task re-reads the post and acts only while
   it still holds the claim.
2. **Record, then send.** `sent_at` and a PublishAttempt are committed before LinkedIn is
   called. From then on the outcome counts as unknown until LinkedIn's answer is stored.
3. **Reconcile before any retry.** LinkedIn lets no ordinary app list a member's posts, but it
   answers identical text from the same author with 422 DUPLICATE_POST naming the existing
   post. So a post with `sent_at` set is sent again with the same text: a 201 proves the
   first try made nothing (it is published now, once), a 422 names the post the first try
   made (checked where the token may read posts, then recorded). `sent_at` is cleared only
   when LinkedIn certainly made nothing (its answer was 4xx or the connection never opened).
4. **Failures.** Passing trouble (429, 5xx, no answer) retries with backoff and jitter; a
   connection that expired or was revoked leaves the post waiting, and the employee sees why;
   anything permanent marks the post failed with a reason the employee can read.
"""

from __future__ import annotations

import logging
import mimetypes
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _

from advocacy.linkedin import errors
from advocacy.linkedin.client import LinkedInClient, PublishedPost
from advocacy.linkedin.models import Connection, ConnectionStatus
from advocacy.linkedin.services import client_for, record_failure
from advocacy.tenancy import pagecache
from advocacy.tenancy.models import Organization

from . import links, signals
from .models import Post, PublishAttempt

logger = logging.getLogger(__name__)

Status = Post.Status
Outcome = PublishAttempt.Outcome

# A claim this old belongs to a worker that died: the task's hard time limit is far shorter.
STALE_CLAIM = timedelta(minutes=10)
# Posts claimed in one go; the periodic publisher claims batch after batch (content.tasks).
CLAIM_BATCH = 500
# Tries before a post is given up as failed (429s do not count: the quota comes back).
MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=1)
# Statuses whose token still works; the rest wait for the employee to reconnect.
PUBLISHABLE_CONNECTION = [
    ConnectionStatus.ACTIVE,
    ConnectionStatus.EXPIRING_SOON,
    ConnectionStatus.ERROR,
]
_jitter = random.SystemRandom()


@dataclass(frozen=True)
class Claimed:
    organization_id: int
    post_id: int
    claim_id: uuid.UUID


def _due(now: datetime) -> Q:
    return Q(status=Status.SCHEDULED, next_attempt_at__lte=now) | Q(
        status=Status.PUBLISHING, claimed_at__lt=now - STALE_CLAIM
    )


def _author_can_publish() -> Q:
    return Q(
        author__is_active=True,
        author__user__is_active=True,
        author__user__linkedin_connection__status__in=PUBLISHABLE_CONNECTION,
    )


def _waiting_message() -> str:
    return _(
        "Waiting for your LinkedIn connection: connect your account again on your profile "
        "page and the post goes out."
    )


def claim_due_posts(now: datetime, *, limit: int = CLAIM_BATCH) -> list[Claimed]:
    """Claim the posts that are due (in every organization) for publishing tasks.

    Posts of authors who left are failed; posts whose author has no working LinkedIn
    connection are marked waiting and left scheduled. Both are single updates.
    """
    gone = Post.all_tenants.filter(_due(now)).filter(
        Q(author__is_active=False) | Q(author__user__is_active=False)
    )
    with transaction.atomic():
        failed = list(
            gone.select_for_update(skip_locked=True, of=("self",)).values_list(
                "organization_id", "pk"
            )
        )
        Post.all_tenants.filter(pk__in=[pk for _organization_id, pk in failed]).update(
            status=Status.FAILED,
            failure_code="AUTHOR_INACTIVE",
            failure_reason=_("The author is no longer a member of the organization."),
            claim_id=None,
            claimed_at=None,
            updated_at=now,
        )
        for organization_id, pk in failed:
            signals.announce_post_failed(organization_id, pk)
    Post.all_tenants.filter(status=Status.SCHEDULED, next_attempt_at__lte=now).exclude(
        _author_can_publish()
    ).exclude(waiting_reason=_waiting_message()).update(
        waiting_reason=_waiting_message(), updated_at=now
    )
    claim_id = uuid.uuid4()
    with transaction.atomic():
        ids = list(
            Post.all_tenants.filter(_due(now))
            .filter(_author_can_publish())
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return []
        # The status condition again: on SQLite there are no row locks, the swap decides.
        Post.all_tenants.filter(pk__in=ids).filter(_due(now)).update(
            status=Status.PUBLISHING,
            claim_id=claim_id,
            claimed_at=now,
            attempts=F("attempts") + 1,
            waiting_reason="",
            updated_at=now,
        )
    # In the order they were due: a member's posts go out in that order (content.tasks).
    return [
        Claimed(organization_id, pk, claim_id)
        for organization_id, pk in Post.all_tenants.filter(claim_id=claim_id)
        .order_by("next_attempt_at", "pk")
        .values_list("organization_id", "pk")
    ]


def claim_post(*, organization: Organization, post_id: int, now: datetime) -> Claimed | None:
    """Claim one post that is due now ("share now", "retry"), or None if it is not."""
    claim_id = uuid.uuid4()
    claimed = (
        Post.objects.for_org(organization)
        .filter(pk=post_id)
        .filter(_due(now))
        .filter(_author_can_publish())
        .update(
            status=Status.PUBLISHING,
            claim_id=claim_id,
            claimed_at=now,
            attempts=F("attempts") + 1,
            waiting_reason="",
            updated_at=now,
        )
    )
    if claimed:
        return Claimed(organization.pk, post_id, claim_id)
    # Not due after all, or due but without a working connection: then say so at once.
    Post.objects.for_org(organization).filter(
        pk=post_id, status=Status.SCHEDULED, next_attempt_at__lte=now
    ).exclude(_author_can_publish()).update(waiting_reason=_waiting_message(), updated_at=now)
    return None


# Sending ------------------------------------------------------------------------------------


def _image_bytes(image: FieldFile) -> tuple[bytes, str]:
    with image.open("rb") as handle:
        data = handle.read()
    content_type = mimetypes.guess_type(image.name or "")[0] or "image/jpeg"
    return data, content_type


def _thumbnail(post: Post) -> FieldFile | None:
    """The picture of a link post: the post's own, else the shared item's preview."""
    for candidate in (post.link_image, post.image):
        if candidate:
            return candidate
    if post.content_item is not None and post.content_item.card_image:
        return post.content_item.card_image
    return None


def _picture(post: Post) -> FieldFile | None:
    """The picture of an image post (no link): the post's own, else the item's image."""
    if post.image:
        return post.image
    item = post.content_item
    if item is not None and item.kind == item.Kind.IMAGE and item.image:
        return item.image
    return None


def _upload_media(client: LinkedInClient, post: Post, author_urn: str) -> str:
    """Upload the post's picture once (a retry reuses it); returns its URN or ""."""
    if post.image_urn:
        return post.image_urn
    picture = _thumbnail(post) if post.link_url else _picture(post)
    if picture is None:
        return ""
    try:
        data, content_type = _image_bytes(picture)
    except OSError:
        logger.warning("The picture of post %s is missing from storage; sent without it", post.pk)
        return ""
    urn = client.upload_image(author_urn, data, content_type)
    Post.objects.for_org(post.organization).filter(pk=post.pk).update(image_urn=urn)
    post.image_urn = urn
    return urn


def _send(client: LinkedInClient, post: Post, author_urn: str, media_urn: str) -> PublishedPost:
    visibility = post.visibility
    if post.link_url:
        item = post.content_item
        title = post.link_title or (item.card_title if item else "") or links.host_of(post.link_url)
        description = post.link_description or (item.card_description if item else "")
        return client.create_article_post(
            author_urn,
            post.text,
            source=links.shared_url(post),
            title=title[:300],
            description=description[:1000],
            thumbnail_urn=media_urn,
            visibility=visibility,
        )
    if media_urn:
        alt_text = post.image_alt_text or (
            post.content_item.image_alt_text if post.content_item else ""
        )
        return client.create_image_post(
            author_urn, post.text, media_urn, alt_text=alt_text, visibility=visibility
        )
    return client.create_text_post(author_urn, post.text, visibility=visibility)


# Recording ----------------------------------------------------------------------------------


def _retry_at(now: datetime, attempts: int, retry_after: float | None = None) -> datetime:
    if retry_after is not None:
        return now + timedelta(seconds=min(max(retry_after, 1.0), 24 * 3600))
    ceiling = min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_MAX)
    # Half to all of the ceiling: retries spread out, yet none comes back too soon.
    return now + ceiling * _jitter.uniform(0.5, 1.0)


def _begin(post: Post, claim_id: uuid.UUID, now: datetime) -> uuid.UUID | None:
    """Commit `sent_at` and the attempt before LinkedIn hears of it.

    The claim is swapped for a new one in the same update, so that of two runs holding the
    same claim (a task delivered twice) only one ever sends. Returns the new claim, or None
    when the claim was lost.
    """
    reconciling = post.sent_at is not None
    send_claim = uuid.uuid4()
    with transaction.atomic():
        fields: dict[str, Any] = {"claim_id": send_claim, "updated_at": now}
        if not reconciling:
            fields["sent_at"] = now
        began = (
            Post.objects.for_org(post.organization)
            .filter(pk=post.pk, status=Status.PUBLISHING, claim_id=claim_id)
            .update(**fields)
        )
        if not began:
            return None
        PublishAttempt.objects.for_org(post.organization).create(
            organization=post.organization,
            post=post,
            started_at=now,
            reconciling=reconciling,
            claim_id=send_claim,
        )
    if not reconciling:
        post.sent_at = now
    return send_claim


def _close(
    post: Post, send_claim: uuid.UUID, outcome: str, error: errors.LinkedInError | None = None
) -> None:
    fields: dict[str, Any] = {"outcome": outcome, "finished_at": timezone.now()}
    if error is not None:
        fields.update(
            error_code=(error.code or type(error).__name__)[:60],
            error_message=str(error)[:500],
            request_id=error.request_id[:100],
        )
    PublishAttempt.objects.for_org(post.organization).filter(post=post, claim_id=send_claim).update(
        **fields
    )


def _published(post: Post, urn: str, *, published_at: datetime) -> None:
    # Recorded whatever became of the claim: LinkedIn has the post, so must we.
    changed = (
        Post.objects.for_org(post.organization)
        .filter(pk=post.pk, status=Status.PUBLISHING, linkedin_urn="")
        .update(
            status=Status.PUBLISHED,
            linkedin_urn=urn,
            published_at=published_at,
            next_attempt_at=None,
            claim_id=None,
            claimed_at=None,
            waiting_reason="",
            failure_reason="",
            failure_code="",
            updated_at=timezone.now(),
        )
    )
    if changed:
        signals.announce_post_published(post.organization_id, post.pk)


def _release(post: Post, claim_id: uuid.UUID, **fields: Any) -> bool:
    """Give the claim up, moving the post on (back to scheduled, or failed)."""
    fields.setdefault("status", Status.SCHEDULED)
    return bool(
        Post.objects.for_org(post.organization)
        .filter(pk=post.pk, status=Status.PUBLISHING, claim_id=claim_id)
        .update(claim_id=None, claimed_at=None, updated_at=timezone.now(), **fields)
    )


def _fail(post: Post, claim_id: uuid.UUID, *, code: str, reason: str, **fields: Any) -> None:
    failed = _release(
        post,
        claim_id,
        status=Status.FAILED,
        failure_code=code[:60],
        failure_reason=reason[:500],
        next_attempt_at=None,
        waiting_reason="",
        **fields,
    )
    if failed:
        signals.announce_post_failed(post.organization_id, post.pk)


def _reason(error: errors.LinkedInError) -> str:
    """What the employee reads: the error's meaning, and LinkedIn's words when it gave any."""
    explanation = str(error.explanation)
    if error.message and error.message != explanation:
        return _("%(explanation)s LinkedIn said: “%(message)s”") % {
            "explanation": explanation,
            "message": error.message,
        }
    return explanation


def _outcome_unknown(error: errors.LinkedInError) -> bool:
    """Whether LinkedIn may have made the post although the call failed."""
    if isinstance(error, errors.TransportError):
        return error.request_sent
    if isinstance(error, errors.ServerError):
        return True
    # An answer the client could not make sense of (no x-restli-id on a 201, a redirect).
    return type(error) is errors.LinkedInError


def _after_error(
    post: Post,
    claim_id: uuid.UUID,
    connection: Connection,
    error: errors.LinkedInError,
    now: datetime,
    *,
    reconciling: bool,
) -> str:
    """Store what a failed call means for the post; returns the attempt's outcome."""
    unknown = reconciling or _outcome_unknown(error)
    # Only LinkedIn's 201 or 422 settles whether the post exists: until one comes, `sent_at`
    # stays, and the next try reconciles.
    sent: dict[str, Any] = {} if unknown else {"sent_at": None}
    code = error.code or type(error).__name__
    if isinstance(error, errors.TokenExpired | errors.TokenRevoked):
        record_failure(connection, error)
        _release(post, claim_id, next_attempt_at=now, waiting_reason=str(error.explanation), **sent)
        return Outcome.UNKNOWN if unknown else Outcome.NOT_SENT
    if isinstance(error, errors.VersionRetired):
        logger.error("LinkedIn retired the API version in LINKEDIN_VERSION: %s", error)
        _release(
            post,
            claim_id,
            next_attempt_at=now + BACKOFF_MAX,
            waiting_reason=str(error.explanation),
            **sent,
        )
        return Outcome.UNKNOWN if unknown else Outcome.NOT_SENT
    if isinstance(error, errors.RateLimited):
        _release(
            post,
            claim_id,
            attempts=F("attempts") - 1,  # the quota comes back; this try does not count
            next_attempt_at=_retry_at(now, post.attempts, error.retry_after),
            waiting_reason=str(error.explanation),
            **sent,
        )
        return Outcome.UNKNOWN if unknown else Outcome.NOT_SENT
    if not (error.retryable or unknown):
        if isinstance(error, errors.PermissionDenied):
            record_failure(connection, error)
        _fail(post, claim_id, code=code, reason=_reason(error), **sent)
        return Outcome.FAILED
    if post.attempts < MAX_ATTEMPTS:
        _release(
            post,
            claim_id,
            next_attempt_at=_retry_at(now, post.attempts),
            waiting_reason=str(error.explanation),
            **sent,
        )
        return Outcome.UNKNOWN if unknown else Outcome.NOT_SENT
    reason = _reason(error)
    if unknown:
        reason = _(
            "LinkedIn did not confirm this post after several tries. Look at your profile on "
            "LinkedIn before trying again: a new try checks first and never posts twice."
        )
    _fail(post, claim_id, code=code, reason=reason, **sent)
    return Outcome.UNKNOWN if unknown else Outcome.FAILED


def _after_duplicate(
    post: Post,
    claim_id: uuid.UUID,
    client: LinkedInClient,
    error: errors.DuplicatePost,
    *,
    reconciling: bool,
) -> str:
    if reconciling and error.existing_urn:
        exists = client.post_exists(error.existing_urn)
        if exists is not False:
            # The first try made it. When it was made exactly is unknown: it was sent then.
            _published(post, error.existing_urn, published_at=post.sent_at or timezone.now())
            return Outcome.RECONCILED
        reason = _(
            "LinkedIn refuses this text because an earlier post with the same words, since "
            "deleted, still counts. Change a few words and try again."
        )
    else:
        reason = _(
            "LinkedIn already has a post of yours with exactly this text. Change a few words "
            "to post it again."
        )
    _fail(post, claim_id, code="DUPLICATE_POST", reason=reason, sent_at=None)
    return Outcome.FAILED


def read_claimed(
    *, organization: Organization, post_ids: list[int], claim_id: uuid.UUID
) -> dict[int, Post]:
    """The posts of `post_ids` still held under `claim_id`, by id, each with what publishing
    it needs (author, user, LinkedIn connection, item, tracked link): one query for all of a
    task's posts.

    What is read here may change before a post's turn comes; nothing here relies on it not
    changing. The send is guarded by the claim's compare-and-swap (`_begin`), every later
    write by the claim or the status, and a member's posts share one author (and so one
    connection) object, so a token refreshed for one of them serves the next.
    """
    posts = (
        Post.objects.for_org(organization)
        .select_related("author__user__linkedin_connection", "content_item", "tracked_link")
        .filter(pk__in=post_ids, status=Status.PUBLISHING, claim_id=claim_id)
    )
    authors: dict[int, Any] = {}
    claimed: dict[int, Post] = {}
    for post in posts:
        post.organization = organization  # the caller's, read once for all of its posts
        post.author = authors.setdefault(post.author_id, post.author)
        claimed[post.pk] = post
    return claimed


def publish_claimed(*, organization: Organization, post_id: int, claim_id: uuid.UUID) -> str:
    """Publish one claimed post (see the module docstring); returns what happened."""
    post = read_claimed(organization=organization, post_ids=[post_id], claim_id=claim_id).get(
        post_id
    )
    if post is None:
        return "not claimed"
    return publish(post, claim_id)


def publish(post: Post, claim_id: uuid.UUID) -> str:
    """Publish a post read by `read_claimed` under `claim_id`; returns what happened."""
    try:
        with pagecache.announced_by_caller():
            return _publish(post, claim_id)
    finally:
        # Whatever became of it, the author's pages show it next time.
        pagecache.changed(membership_ids=[post.author_id])


def _publish(post: Post, claim_id: uuid.UUID) -> str:
    now = timezone.now()
    author = post.author
    if not (author.is_active and author.user.is_active):
        _fail(
            post,
            claim_id,
            code="AUTHOR_INACTIVE",
            reason=_("The author is no longer a member of the organization."),
        )
        return Outcome.FAILED
    # The author's own connection, and no other: nothing lets one user post as another.
    # (Read with the post, through the author's user.)
    try:
        connection: Connection | None = author.user.linkedin_connection
    except Connection.DoesNotExist:
        connection = None
    if connection is None or connection.needs_reconnect:
        _release(post, claim_id, next_attempt_at=now, waiting_reason=_waiting_message())
        return Outcome.NOT_SENT
    if not connection.can_publish:
        _fail(
            post,
            claim_id,
            code="NO_PUBLISH_PERMISSION",
            reason=_(
                "Your LinkedIn connection does not allow posting. Connect your account again "
                "and allow the platform to post for you."
            ),
        )
        return Outcome.FAILED
    reconciling = post.sent_at is not None
    try:
        client = client_for(connection)
        media_urn = _upload_media(client, post, connection.member_urn)
    except errors.LinkedInError as error:
        # Nothing was posted yet: a failed upload or refresh makes no post.
        return _after_error(post, claim_id, connection, error, now, reconciling=reconciling)
    send_claim = _begin(post, claim_id, now)
    if send_claim is None:
        return "not claimed"
    try:
        published = _send(client, post, connection.member_urn, media_urn)
    except errors.DuplicatePost as error:
        outcome = _after_duplicate(post, send_claim, client, error, reconciling=reconciling)
        _close(post, send_claim, outcome, error)
        return outcome
    except errors.LinkedInError as error:
        outcome = _after_error(post, send_claim, connection, error, now, reconciling=reconciling)
        _close(post, send_claim, outcome, error)
        return outcome
    _published(post, published.urn, published_at=now)
    _close(post, send_claim, Outcome.PUBLISHED)
    return Outcome.PUBLISHED
