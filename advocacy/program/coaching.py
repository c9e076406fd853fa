"""Coaching (PRODUCT.md, "Trust"; "The communications team's new job"): private feedback to a
post's author, and the single exception the method allows, the brand-risk flag.

Feedback is private to the author and its writer (coaching also to the other comms staff):
a comment, a suggestion (a proposed wording, shown to the author, never applied) or coaching.
Buddies and staff give it on drafts shared with them for a read; comms, admins and the
facilitator also coach on any published post of the organization. Nobody but the author ever
changes the text (content.sharing refuses anyone else).

A brand-risk flag asks the author to delete a published post, with a reason; it is logged,
listed for review, withdrawn by staff, or resolved when the author deletes the post.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from advocacy.tenancy.models import MANAGE_ROLES, Membership, Organization
from advocacy.tenancy.services import record_audit_entry
from content.models import MAX_COMMENTARY_LENGTH, Post

from . import tasks
from .models import BrandRiskFlag, Feedback, ReadRequest

Kind = Feedback.Kind
FlagStatus = BrandRiskFlag.Status
MAX_FEEDBACK_LENGTH = MAX_COMMENTARY_LENGTH


def is_staff(membership: Membership) -> bool:
    return membership.role in MANAGE_ROLES


def is_shared_with(post: Post, reader: Membership) -> bool:
    return ReadRequest.objects.for_org(post.organization).filter(post=post, reader=reader).exists()


def feedback_kinds_for(writer: Membership, post: Post) -> list[str]:
    """What the writer may give on the post: nothing, unless it was shared with them, or they
    are staff and it is published. Only staff coach; a published post takes no suggestion (its
    text cannot change on LinkedIn)."""
    if writer.pk == post.author_id or writer.organization_id != post.organization_id:
        return []
    if is_shared_with(post, writer) and post.status != Post.Status.DELETED:
        if is_staff(writer):
            return [Kind.COACHING, Kind.SUGGESTION, Kind.COMMENT]
        return [Kind.COMMENT, Kind.SUGGESTION]
    if is_staff(writer) and post.status == Post.Status.PUBLISHED:
        return [Kind.COACHING]
    return []


def give_feedback(*, post: Post, writer: Membership, kind: str, body: str) -> Feedback:
    """Write private feedback to the post's author, who is told by mail and on the post page.

    It is a note beside the post: nothing here (or anywhere) changes the post's text.
    """
    allowed = feedback_kinds_for(writer, post)
    if not allowed:
        raise PermissionDenied(_("This post was not shared with you."))
    if kind not in allowed:
        raise ValidationError({"kind": _("Choose one of the kinds offered.")})
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write your comment first.")})
    if len(body) > MAX_FEEDBACK_LENGTH:
        raise ValidationError(
            {"body": _("Keep it under %(limit)s characters.") % {"limit": MAX_FEEDBACK_LENGTH}}
        )
    organization = post.organization
    with transaction.atomic():
        feedback: Feedback = Feedback.objects.for_org(organization).create(
            organization=organization, post=post, author=writer, kind=kind, body=body
        )
        if is_staff(writer):
            # What staff do is logged; the words stay private to the author.
            record_audit_entry(
                organization=organization,
                actor=writer.user,
                action="coaching.feedback",
                summary=_("Gave %(kind)s to %(author)s on a post")
                % {"kind": Kind(kind).label.lower(), "author": post.author.display_name},
                data={
                    "post": str(post.public_id),
                    "feedback": str(feedback.public_id),
                    "kind": kind,
                },
            )
        tasks.send_feedback_notice.delay_on_commit(organization.pk, feedback.pk)
    return feedback


def visible_feedback(post: Post, viewer: Membership) -> QuerySet[Feedback]:
    """The feedback on `post` that `viewer` may read: all of it for the author; one's own;
    and, for comms staff, every coaching note on it."""
    feedback = (
        Feedback.objects.for_org(post.organization)
        .filter(post=post)
        .select_related("author__user")
        .order_by("created_at", "id")
    )
    if viewer.pk == post.author_id:
        return feedback
    visible = Q(author=viewer)
    if is_staff(viewer):
        visible |= Q(kind=Kind.COACHING)
    return feedback.filter(visible)


def mark_feedback_seen(*, post: Post, author: Membership) -> int:
    """The author has read the feedback on their post."""
    if post.author_id != author.pk:
        return 0
    return (
        Feedback.objects.for_org(post.organization)
        .filter(post=post, seen_at__isnull=True)
        .update(seen_at=timezone.now())
    )


def unseen_feedback(author: Membership) -> QuerySet[Feedback]:
    return Feedback.objects.for_org(author.organization).filter(
        post__author=author, seen_at__isnull=True
    )


# Brand-risk flags ------------------------------------------------------------------------------


def effective_status(flag: BrandRiskFlag) -> str:
    """A flag whose post the author has deleted is resolved, even before the reconciliation
    has written it down."""
    if flag.status == FlagStatus.OPEN and flag.post.status == Post.Status.DELETED:
        return FlagStatus.RESOLVED
    return flag.status


def open_flags_on(post: Post) -> QuerySet[BrandRiskFlag]:
    return (
        BrandRiskFlag.objects.for_org(post.organization)
        .filter(post=post, status=FlagStatus.OPEN)
        .select_related("raised_by__user")
    )


def open_flags_of(author: Membership) -> QuerySet[BrandRiskFlag]:
    """Flags on the author's posts that still ask something of them."""
    return (
        BrandRiskFlag.objects.for_org(author.organization)
        .filter(post__author=author, status=FlagStatus.OPEN)
        .exclude(post__status=Post.Status.DELETED)
        .select_related("post")
    )


def raise_flag(*, post: Post, raised_by: Membership, reason: str) -> BrandRiskFlag:
    """Ask the author to delete a published post that risks real brand damage, saying why.

    Comms, admins and the facilitator may; the author is told by mail and on the post page,
    and the flag goes into the audit log. It changes nothing on the post: only its author can.
    """
    if not is_staff(raised_by) or raised_by.organization_id != post.organization_id:
        raise PermissionDenied(_("Only comms, admins and the facilitator can flag a post."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say what the risk is: the author needs the reason.")})
    organization = post.organization
    with transaction.atomic():
        # The post's row is the lock: two people flagging at once make one open flag.
        current = Post.objects.for_org(organization).select_for_update().filter(pk=post.pk).first()
        if current is None or current.status != Post.Status.PUBLISHED:
            raise ValidationError(_("Only a published post can be flagged."))
        if (
            BrandRiskFlag.objects.for_org(organization)
            .filter(post=post, status=FlagStatus.OPEN)
            .exists()
        ):
            raise ValidationError(_("This post has an open flag already."))
        flag: BrandRiskFlag = BrandRiskFlag.objects.for_org(organization).create(
            organization=organization, post=post, raised_by=raised_by, reason=reason
        )
        record_audit_entry(
            organization=organization,
            actor=raised_by.user,
            action="coaching.flag_raised",
            summary=_("Flagged a post of %(author)s as a brand risk")
            % {"author": post.author.display_name},
            data={"flag": str(flag.public_id), "post": str(post.public_id), "reason": reason},
        )
        tasks.send_brand_risk_notice.delay_on_commit(organization.pk, flag.pk)
    return flag


def withdraw_flag(*, flag: BrandRiskFlag, actor: Membership, note: str = "") -> bool:
    """Staff take a flag back (a second look, the author explained). False if not open."""
    if not is_staff(actor) or actor.organization_id != flag.organization_id:
        raise PermissionDenied(_("Only comms, admins and the facilitator can withdraw a flag."))
    organization = flag.organization
    note = note.strip()
    with transaction.atomic():
        now = timezone.now()
        withdrawn = (
            BrandRiskFlag.objects.for_org(organization)
            .filter(pk=flag.pk, status=FlagStatus.OPEN)
            .update(status=FlagStatus.WITHDRAWN, resolved_at=now, resolution=note)
        )
        if not withdrawn:
            return False
        flag.status, flag.resolved_at, flag.resolution = FlagStatus.WITHDRAWN, now, note
        record_audit_entry(
            organization=organization,
            actor=actor.user,
            action="coaching.flag_withdrawn",
            summary=_("Withdrew the brand-risk flag on a post of %(author)s")
            % {"author": flag.post.author.display_name},
            data={"flag": str(flag.public_id), "post": str(flag.post.public_id), "note": note},
        )
    return True


def reconcile_flags(now: datetime, *, organization: Organization | None = None) -> int:
    """Write down as resolved the open flags whose post the author has deleted; returns how
    many. The content app knows nothing of flags, so this looks from here, periodically."""
    flags = BrandRiskFlag.all_tenants.filter(
        status=FlagStatus.OPEN, post__status=Post.Status.DELETED
    ).select_related("organization", "post__author__user")
    if organization is not None:
        flags = flags.filter(organization=organization)
    resolved = 0
    for flag in flags.order_by("pk"):
        with transaction.atomic():
            when = flag.post.deleted_at or now
            if not BrandRiskFlag.all_tenants.filter(
                organization_id=flag.organization_id, pk=flag.pk, status=FlagStatus.OPEN
            ).update(status=FlagStatus.RESOLVED, resolved_at=when):
                continue
            record_audit_entry(
                organization=flag.organization,
                actor=None,
                action="coaching.flag_resolved",
                summary=_("%(author)s deleted a flagged post: the flag is resolved")
                % {"author": flag.post.author.display_name},
                data={"flag": str(flag.public_id), "post": str(flag.post.public_id)},
            )
            resolved += 1
    return resolved


def review_flags(organization: Organization, status: str = "") -> QuerySet[BrandRiskFlag]:
    """Flags for review, newest first; `status` filters by what each flag is now."""
    flags = (
        BrandRiskFlag.objects.for_org(organization)
        .select_related("post__author__user", "raised_by__user")
        .order_by("-created_at", "-id")
    )
    deleted = Q(post__status=Post.Status.DELETED)
    if status == FlagStatus.OPEN:
        flags = flags.filter(status=FlagStatus.OPEN).exclude(deleted)
    elif status == FlagStatus.RESOLVED:
        flags = flags.filter(Q(status=FlagStatus.RESOLVED) | Q(status=FlagStatus.OPEN) & deleted)
    elif status == FlagStatus.WITHDRAWN:
        flags = flags.filter(status=FlagStatus.WITHDRAWN)
    return flags
