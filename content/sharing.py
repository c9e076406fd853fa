"""Writes to employees' posts: compose, schedule, edit, cancel, delete, retry.

The rule the method rests on (PRODUCT.md, "Trust"): nobody but the author changes a post's
text. Every write here names the member acting and refuses anyone but the author with
NotAuthor; comms staff read posts, they never get a way to write them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from advocacy.linkedin.errors import Invalid
from advocacy.linkedin.little_text import validate_commentary
from advocacy.tenancy.models import Membership, Organization
from campaigns.models import Campaign
from campaigns.querysets import CampaignQuerySet

from . import links
from .models import Caption, ContentItem, Post

Status = Post.Status


class NotAuthor(PermissionDenied):
    """Only a post's author may change it."""


class Intent:
    """What the employee asked for with the composer's buttons."""

    DRAFT = "draft"
    NOW = "now"
    SCHEDULE = "schedule"
    ALL = (DRAFT, NOW, SCHEDULE)


@dataclass(frozen=True)
class PostDraft:
    """What the composer collects. `image` is a new upload; `remove_image` drops the old one."""

    text: str
    link_url: str = ""
    link_title: str = ""
    link_description: str = ""
    image: UploadedFile | None = None
    remove_image: bool = False
    image_alt_text: str = ""
    is_company_content: bool = False
    visibility: str = Post.Visibility.PUBLIC
    extra: dict[str, Any] = field(default_factory=dict)


def _check_text(text: str) -> None:
    if not text.strip():
        raise ValidationError({"text": _("Write something: a post needs some text.")})
    try:
        validate_commentary(text)
    except Invalid as problem:
        raise ValidationError({"text": problem.message}) from None


def _check_schedule(intent: str, scheduled_for: datetime | None, now: datetime) -> None:
    if intent not in Intent.ALL:
        raise ValueError(f"Unknown intent {intent!r}")
    if intent == Intent.SCHEDULE:
        if scheduled_for is None:
            raise ValidationError({"scheduled_for": _("Choose when it should be published.")})
        if scheduled_for <= now:
            raise ValidationError(
                {"scheduled_for": _("That time has passed. Choose a time in the future.")}
            )


def _campaign_for(item: ContentItem, author: Membership) -> Campaign | None:
    """The live campaign a share of `item` counts for: the first one meant for the author."""
    campaigns = cast(CampaignQuerySet, Campaign.objects.for_org(item.organization))
    return (
        campaigns.live()
        .for_member(author)
        .filter(content_items=item)
        .order_by("ends_on", "name", "pk")
        .first()
    )


def _apply(
    post: Post, draft: PostDraft, intent: str, scheduled_for: datetime | None, now: datetime
) -> None:
    post.text = draft.text
    post.visibility = draft.visibility
    if post.content_item_id is None:
        # An own post: the author says what it links to and whether it is about the company.
        post.link_url = draft.link_url
        post.link_title = draft.link_title
        post.link_description = draft.link_description
        post.is_company_content = draft.is_company_content
        if draft.remove_image and post.image:
            post.image = None
        if draft.image is not None:
            post.image = draft.image
        post.image_alt_text = draft.image_alt_text
    if intent == Intent.DRAFT:
        post.status = Status.DRAFT
        post.scheduled_for = None
        post.next_attempt_at = None
    else:
        post.status = Status.SCHEDULED
        post.scheduled_for = now if intent == Intent.NOW else scheduled_for
        post.next_attempt_at = post.scheduled_for
    post.waiting_reason = ""
    post.failure_reason = ""
    post.failure_code = ""
    post.attempts = 0


def _after_commit(post: Post, intent: str) -> None:
    # tasks and previews import this module's neighbours; imported late to stay acyclic
    from . import previews, tasks

    organization_id, post_id = post.organization_id, post.pk
    # An own post's link card is read from the page, for what the author left empty (a
    # share's card is the library item's). refresh_post_preview skips a card already whole.
    reads_card = post.content_item_id is None and bool(post.link_url)
    if intent == Intent.NOW:
        publish = tasks.publish_post_now.si(organization_id, post_id)
        if reads_card:
            # The card first, then the post; should reading fail, the beat still publishes it.
            work = tasks.fetch_post_preview.si(organization_id, post_id) | publish
            transaction.on_commit(lambda: work.delay())
        else:
            transaction.on_commit(lambda: publish.delay())
    elif reads_card:
        previews.request_post_preview(organization=post.organization, post=post)


def create_post(
    *,
    organization: Organization,
    author: Membership,
    draft: PostDraft,
    intent: str,
    scheduled_for: datetime | None = None,
    content_item: ContentItem | None = None,
    caption: Caption | None = None,
    form_key: uuid.UUID | None = None,
) -> Post:
    """Compose a post: a share of `content_item` in the author's words, or an own post.

    `form_key` makes it idempotent: the same composer sent twice (a double click) returns the
    post the first one made and changes nothing.
    """
    if author.organization_id != organization.pk:
        raise ValueError("The author is not a member of this organization")
    if content_item is not None and content_item.organization_id != organization.pk:
        raise ValueError("The item belongs to another organization")
    if caption is not None and caption.content_item_id != getattr(content_item, "pk", None):
        raise ValueError("The caption belongs to another item")
    now = timezone.now()
    _check_text(draft.text)
    _check_schedule(intent, scheduled_for, now)
    posts = Post.objects.for_org(organization)
    if form_key is not None:
        existing = posts.filter(author=author, form_key=form_key).first()
        if existing is not None:
            return existing
    post = Post(
        organization=organization,
        author=author,
        content_item=content_item,
        caption=caption,
        form_key=form_key,
    )
    if content_item is not None:
        post.link_url = content_item.url if content_item.kind != ContentItem.Kind.TIP else ""
        if content_item.kind == ContentItem.Kind.IMAGE and content_item.image:
            post.link_url = ""  # an image post shows the picture, not a link card
        post.is_company_content = content_item.is_company_content
        post.campaign = _campaign_for(content_item, author)
    _apply(post, draft, intent, scheduled_for, now)
    try:
        with transaction.atomic():
            post.save()
            links.sync_tracked_link(post)
            _after_commit(post, intent)
    except IntegrityError:
        if form_key is not None:
            existing = posts.filter(author=author, form_key=form_key).first()
            if existing is not None:
                return existing
        raise
    return post


def _own(post: Post, actor: Membership) -> None:
    if post.author_id != actor.pk or post.organization_id != actor.organization_id:
        raise NotAuthor(_("Only the author can change this post."))


def update_post(
    *,
    post: Post,
    actor: Membership,
    draft: PostDraft,
    intent: str,
    scheduled_for: datetime | None = None,
) -> Post:
    """The author edits a draft, a scheduled or a failed post, and says when it goes out."""
    _own(post, actor)
    now = timezone.now()
    _check_text(draft.text)
    _check_schedule(intent, scheduled_for, now)
    with transaction.atomic():
        current = (
            Post.objects.for_org(post.organization).select_for_update().filter(pk=post.pk).first()
        )
        if current is None or not current.is_editable:
            raise ValidationError(
                _("This post is being published or is already out, so it can no longer change.")
            )
        if current.sent_at is not None and draft.text != current.text:
            # LinkedIn may have it already: only the same text can tell (publishing.py).
            raise ValidationError(
                {
                    "text": _(
                        "LinkedIn may already have this post, so its text cannot change now. "
                        "Try again to let us check, or delete it."
                    )
                }
            )
        _apply(current, draft, intent, scheduled_for, now)
        current.save()
        links.sync_tracked_link(current)
        _after_commit(current, intent)
    return current


def cancel_post(*, post: Post, actor: Membership) -> bool:
    """Take a scheduled (or waiting) post back to the drafts; False if it is already going out."""
    _own(post, actor)
    changed = (
        Post.objects.for_org(post.organization)
        .filter(pk=post.pk, status__in=[Status.SCHEDULED, Status.FAILED])
        .update(
            status=Status.DRAFT,
            scheduled_for=None,
            next_attempt_at=None,
            waiting_reason="",
            updated_at=timezone.now(),
        )
    )
    return bool(changed)


def cancel_posts(*, actor: Membership, public_ids: Iterable[uuid.UUID]) -> int:
    """Take the member's chosen scheduled posts back to the drafts; returns how many."""
    return (
        Post.objects.for_org(actor.organization)
        .filter(author=actor, public_id__in=list(public_ids), status=Status.SCHEDULED)
        .update(
            status=Status.DRAFT,
            scheduled_for=None,
            next_attempt_at=None,
            waiting_reason="",
            updated_at=timezone.now(),
        )
    )


def discard_drafts(*, actor: Membership, public_ids: Iterable[uuid.UUID]) -> int:
    """Delete the member's chosen drafts (drafts only); returns how many."""
    _total, per_model = (
        Post.objects.for_org(actor.organization)
        .filter(author=actor, public_id__in=list(public_ids), status=Status.DRAFT)
        .delete()
    )
    return per_model.get(Post._meta.label, 0)


def retry_post(*, post: Post, actor: Membership) -> bool:
    """Send a failed post again now; a post LinkedIn may have is checked first, never doubled."""
    _own(post, actor)
    now = timezone.now()
    with transaction.atomic():
        changed = (
            Post.objects.for_org(post.organization)
            .filter(pk=post.pk, status=Status.FAILED)
            .update(
                status=Status.SCHEDULED,
                scheduled_for=now,
                next_attempt_at=now,
                attempts=0,
                failure_reason="",
                failure_code="",
                waiting_reason="",
                updated_at=now,
            )
        )
        if changed:
            post.status = Status.SCHEDULED
            _after_commit(post, Intent.NOW)
    return bool(changed)


def delete_post(*, post: Post, actor: Membership) -> str:
    """Delete a post: a draft is gone; a published post is deleted on LinkedIn too.

    Returns what happened: "discarded", "deleting" (LinkedIn is being told) or "refused"
    (it is being published right now: try again in a moment).
    """
    from . import tasks

    _own(post, actor)
    now = timezone.now()
    posts = Post.objects.for_org(post.organization).filter(pk=post.pk)
    with transaction.atomic():
        never_sent = Q(
            status__in=[Status.DRAFT, Status.SCHEDULED, Status.FAILED], sent_at__isnull=True
        )
        if posts.filter(never_sent).exists():
            posts.filter(never_sent).delete()
            return "discarded"
        changed = posts.filter(
            Q(status=Status.PUBLISHED) | Q(status__in=[Status.SCHEDULED, Status.FAILED])
        ).update(
            status=Status.DELETED,
            deleted_at=now,
            scheduled_for=None,
            next_attempt_at=None,
            delete_error="",
            updated_at=now,
        )
        if not changed:
            return "refused"
        transaction.on_commit(
            lambda: tasks.delete_from_linkedin.delay(post.organization_id, post.pk)
        )
    return "deleting"


def record_published_post(
    *,
    organization: Organization,
    author: Membership,
    linkedin_urn: str,
    text: str,
    published_at: datetime,
    is_company_content: bool,
    link_url: str = "",
) -> tuple[Post, bool]:
    """Remember a post that LinkedIn already has as published through the platform (a demo's
    or an imported history); found again by its URN, so running it twice adds nothing."""
    return Post.objects.for_org(organization).get_or_create(
        organization=organization,
        linkedin_urn=linkedin_urn,
        defaults={
            "author": author,
            "text": text[: Post._meta.get_field("text").max_length or len(text)],
            "status": Status.PUBLISHED,
            "published_at": published_at,
            "is_company_content": is_company_content,
            "link_url": link_url[:2000],
        },
    )
