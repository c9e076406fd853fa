"""The program's mail about buddies and coaching, as the tasks send it.

Each function re-reads its row and sends nothing when the row is gone or no longer says what
the mail would (an invitation accepted, a read taken back, a flag withdrawn), or when the
person it is for can no longer sign in.
"""

from __future__ import annotations

from django.utils.text import Truncator

from advocacy.tenancy.models import Membership, Organization
from content.models import Post

from .member_mail import absolute_url, send_member_mail
from .models import BrandRiskFlag, BuddyPair, Feedback, ReadRequest


def _reachable(membership: Membership) -> bool:
    return membership.is_active and membership.user.is_active


def excerpt(post: Post) -> str:
    """The start of a post's text, for a mail that names it."""
    return Truncator(" ".join(post.text.split())).chars(80)


def buddy_invitation(organization: Organization, pair_id: int) -> None:
    pair = (
        BuddyPair.objects.for_org(organization)
        .select_related("first__user", "second__user", "organization")
        .filter(pk=pair_id, status=BuddyPair.Status.INVITED)
        .first()
    )
    if pair is None or not _reachable(pair.second):
        return
    send_member_mail(
        membership=pair.second,
        template="buddy_invitation",
        context={"inviter": pair.first, "url": absolute_url("program:buddy", pair.second)},
    )


def pairing(organization: Organization, pair_id: int) -> None:
    pair = (
        BuddyPair.objects.for_org(organization)
        .select_related("first__user", "second__user", "paired_by", "organization")
        .filter(pk=pair_id, status=BuddyPair.Status.ACTIVE)
        .first()
    )
    if pair is None:
        return
    for member, buddy in ((pair.first, pair.second), (pair.second, pair.first)):
        if not _reachable(member):
            continue
        by_staff = pair.paired_by_id not in (pair.first.user_id, pair.second.user_id)
        send_member_mail(
            membership=member,
            template="buddy_paired",
            context={
                "buddy": buddy,
                "paired_by": (pair.paired_by.get_full_name() or pair.paired_by.email)
                if by_staff and pair.paired_by
                else "",
                "url": absolute_url("program:pair", member, pair_id=pair.public_id),
            },
        )


def read_request(organization: Organization, read_id: int) -> None:
    read = (
        ReadRequest.objects.for_org(organization)
        .select_related("post__author__user", "reader__user", "reader__organization")
        .filter(pk=read_id)
        .first()
    )
    if read is None or not _reachable(read.reader):
        return
    send_member_mail(
        membership=read.reader,
        template="read_request",
        context={
            "author": read.post.author,
            "note": read.message,
            "url": absolute_url("program:read", read.reader, read_id=read.public_id),
        },
    )


def feedback(organization: Organization, feedback_id: int) -> None:
    note = (
        Feedback.objects.for_org(organization)
        .select_related("post__author__user", "post__author__organization", "author__user")
        .filter(pk=feedback_id)
        .first()
    )
    if note is None or not _reachable(note.post.author):
        return
    author = note.post.author
    send_member_mail(
        membership=author,
        template="feedback",
        context={
            "feedback": note,
            "writer": note.author,
            "post": note.post,
            "excerpt": excerpt(note.post),
            "url": absolute_url("program:post_reads", author, post_id=note.post.public_id),
        },
    )


def brand_risk(organization: Organization, flag_id: int) -> None:
    flag = (
        BrandRiskFlag.objects.for_org(organization)
        .select_related("post__author__user", "post__author__organization", "raised_by__user")
        .filter(pk=flag_id, status=BrandRiskFlag.Status.OPEN)
        .exclude(post__status=Post.Status.DELETED)
        .first()
    )
    if flag is None or not _reachable(flag.post.author):
        return
    author = flag.post.author
    send_member_mail(
        membership=author,
        template="brand_risk",
        context={
            "flag": flag,
            "post": flag.post,
            "excerpt": excerpt(flag.post),
            "raised_by": flag.raised_by,
            "url": absolute_url("content:post_detail", author, post_id=flag.post.public_id),
        },
    )
