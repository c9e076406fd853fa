"""Buddy pairs (PRODUCT.md, "Use each other"): two participants who read each other's drafts,
take the insecurity out of posting, and keep each other on the roadmap.

Comms, an admin or the facilitator pair two participants; or a participant invites a
colleague, who accepts or declines; either of them (or staff) ends it. A pair is two
different participants of one organization, neither already in an active pair. Buddies see
each other's cadence, and each can send a draft to the other for a read; the reader comments
or suggests (coaching.py), and never edits: only the author changes a post (content.sharing).
Every two weeks both get a check-in prompt by mail.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from advocacy.accounts.models import User
from advocacy.tenancy.models import MANAGE_ROLES, Membership, Organization
from advocacy.tenancy.querysets import MembershipQuerySet
from advocacy.tenancy.scope import tenant_scope
from advocacy.tenancy.services import record_audit_entry
from content.models import Post
from content.querysets import PostQuerySet
from content.sharing import NotAuthor

from . import tasks
from .member_mail import absolute_url, send_member_mail
from .models import BuddyPair, NotificationSettings, ReadRequest

logger = logging.getLogger(__name__)

Status = BuddyPair.Status
OPEN_STATUSES = (Status.INVITED, Status.ACTIVE)
PROMPT_EVERY = timedelta(days=14)
# A draft, or a post scheduled but not out yet, can be sent for a read.
READABLE_STATUSES = (Post.Status.DRAFT, Post.Status.SCHEDULED)


def members_of(organization: Organization) -> MembershipQuerySet:
    return cast(MembershipQuerySet, Membership.objects.for_org(organization))


def _is_participant(membership: Membership) -> bool:
    return membership.opted_in_at is not None and membership.is_active and membership.user.is_active


def pairs_of(membership: Membership) -> QuerySet[BuddyPair]:
    return BuddyPair.objects.for_org(membership.organization).filter(
        Q(first=membership) | Q(second=membership)
    )


def active_pair_of(membership: Membership) -> BuddyPair | None:
    pair: BuddyPair | None = (
        pairs_of(membership)
        .filter(status=Status.ACTIVE)
        .select_related("first__user", "second__user")
        .first()
    )
    return pair


def buddy_in(pair: BuddyPair, membership: Membership) -> Membership:
    """The other member of the pair."""
    return pair.second if pair.first_id == membership.pk else pair.first


def buddy_of(membership: Membership) -> Membership | None:
    pair = active_pair_of(membership)
    return buddy_in(pair, membership) if pair is not None else None


# Pairing rules -------------------------------------------------------------------------------


def _check_pairable(
    organization: Organization,
    members: Iterable[tuple[str, Membership]],
    *,
    acting: Membership | None = None,
) -> None:
    """Refuse a pair that is not two different participants of `organization`, free of any
    other active pair. Errors are keyed by form field; `acting` (the inviter) reads "you".

    The two membership rows are locked first, in a fixed order, so two pairings of the same
    person at the same moment are serialized and the second one sees the first.
    """
    named = list(members)
    (_first_field, first), (second_field, second) = named
    if first.pk == second.pk:
        if acting is not None and acting.pk == second.pk:
            message = _("You cannot be your own buddy: choose a colleague.")
        else:
            message = _("Choose two different people: nobody can be their own buddy.")
        raise ValidationError({second_field: message})
    errors: dict[str, list[str]] = {}
    for field, member in named:
        if member.organization_id != organization.pk:
            errors.setdefault(field, []).append(_("Choose a colleague of this organization."))
    if errors:
        raise ValidationError(errors)
    fresh = {
        member.pk: member
        for member in Membership.objects.for_org(organization)
        .filter(pk__in=[first.pk, second.pk])
        .select_related("user")
        .select_for_update(of=("self",))
        .order_by("pk")
    }
    for field, member in named:
        current = fresh.get(member.pk)
        if current is None or not _is_participant(current):
            if acting is not None and member.pk == acting.pk:
                message = _("Join the program first: buddies are participants.")
            else:
                message = _("%(name)s is not taking part in the program, so cannot be paired.") % {
                    "name": member.display_name
                }
            errors.setdefault(field, []).append(message)
    if errors:
        raise ValidationError(errors)
    busy = BuddyPair.objects.for_org(organization).filter(
        Q(first__in=[first.pk, second.pk]) | Q(second__in=[first.pk, second.pk]),
        status=Status.ACTIVE,
    )
    taken = {pk for pair in busy.values_list("first_id", "second_id") for pk in pair}
    for field, member in named:
        if member.pk in taken:
            if acting is not None and member.pk == acting.pk:
                message = _("You already have a buddy. End that pair first.")
            else:
                message = _("%(name)s already has a buddy.") % {"name": member.display_name}
            errors.setdefault(field, []).append(message)
    if errors:
        raise ValidationError(errors)


def _close_invitations(
    organization: Organization, members: Iterable[Membership], now: datetime
) -> int:
    """Open invitations of people who now have a buddy lapse: one buddy at a time."""
    ids = [member.pk for member in members]
    return (
        BuddyPair.objects.for_org(organization)
        .filter(Q(first__in=ids) | Q(second__in=ids), status=Status.INVITED)
        .update(status=Status.ENDED, ended_at=now)
    )


def _pair_data(pair: BuddyPair) -> dict[str, Any]:
    return {
        "pair": str(pair.public_id),
        "first": str(pair.first.public_id),
        "second": str(pair.second.public_id),
    }


def _names(pair: BuddyPair) -> dict[str, str]:
    return {"first": pair.first.display_name, "second": pair.second.display_name}


def pair_members(
    *, organization: Organization, first: Membership, second: Membership, actor: User
) -> BuddyPair:
    """Comms, an admin or the facilitator pair two participants; both are told by mail."""
    with transaction.atomic():
        _check_pairable(organization, [("first", first), ("second", second)])
        now = timezone.now()
        _close_invitations(organization, [first, second], now)
        pair: BuddyPair = BuddyPair.objects.for_org(organization).create(
            organization=organization,
            first=first,
            second=second,
            status=Status.ACTIVE,
            paired_by=actor,
            accepted_at=now,
        )
        record_audit_entry(
            organization=organization,
            actor=actor,
            action="buddies.paired",
            summary=_("Paired %(first)s and %(second)s as buddies") % _names(pair),
            data=_pair_data(pair),
        )
        tasks.send_pairing_notice.delay_on_commit(organization.pk, pair.pk)
    return pair


def invite_buddy(*, inviter: Membership, invitee: Membership) -> BuddyPair:
    """A participant asks a colleague to be their buddy; the colleague is told by mail."""
    organization = inviter.organization
    with transaction.atomic():
        _check_pairable(
            organization, [(NON_FIELD_ERRORS, inviter), ("colleague", invitee)], acting=inviter
        )
        between = BuddyPair.objects.for_org(organization).filter(
            Q(first=inviter, second=invitee) | Q(first=invitee, second=inviter),
            status=Status.INVITED,
        )
        existing = between.first()
        if existing is not None:
            if existing.first_id == inviter.pk:
                message = _("You have already invited %(name)s.")
            else:
                message = _("%(name)s has already invited you: accept it below.")
            raise ValidationError({"colleague": message % {"name": invitee.display_name}})
        pair: BuddyPair = BuddyPair.objects.for_org(organization).create(
            organization=organization,
            first=inviter,
            second=invitee,
            status=Status.INVITED,
            paired_by=inviter.user,
        )
        record_audit_entry(
            organization=organization,
            actor=inviter.user,
            action="buddies.invited",
            summary=_("%(first)s invited %(second)s to be buddies") % _names(pair),
            data=_pair_data(pair),
        )
        tasks.send_buddy_invitation.delay_on_commit(organization.pk, pair.pk)
    return pair


def _locked(pair: BuddyPair) -> BuddyPair | None:
    locked: BuddyPair | None = (
        BuddyPair.objects.for_org(pair.organization)
        .select_for_update(of=("self",))
        .select_related("first__user", "second__user")
        .filter(pk=pair.pk)
        .first()
    )
    return locked


def accept_invitation(*, pair: BuddyPair, member: Membership) -> bool:
    """The invited colleague accepts; False if the invitation is no longer open."""
    if pair.second_id != member.pk:
        raise PermissionDenied(_("Only the colleague who was invited can accept."))
    organization = pair.organization
    with transaction.atomic():
        current = _locked(pair)
        if current is None or current.status != Status.INVITED:
            return False
        _check_pairable(
            organization,
            [(NON_FIELD_ERRORS, current.first), (NON_FIELD_ERRORS, current.second)],
            acting=member,
        )
        now = timezone.now()
        current.status, current.accepted_at = Status.ACTIVE, now
        current.save(update_fields=["status", "accepted_at"])
        _close_invitations(organization, [current.first, current.second], now)
        pair.status, pair.accepted_at = current.status, now
        record_audit_entry(
            organization=organization,
            actor=member.user,
            action="buddies.accepted",
            summary=_("%(second)s accepted %(first)s's invitation: they are buddies")
            % _names(current),
            data=_pair_data(current),
        )
        tasks.send_pairing_notice.delay_on_commit(organization.pk, current.pk)
    return True


def decline_invitation(*, pair: BuddyPair, member: Membership) -> bool:
    """The invited colleague says no thanks; nobody else is told more than that it lapsed."""
    if pair.second_id != member.pk:
        raise PermissionDenied(_("Only the colleague who was invited can decline."))
    organization = pair.organization
    with transaction.atomic():
        now = timezone.now()
        declined = (
            BuddyPair.objects.for_org(organization)
            .filter(pk=pair.pk, status=Status.INVITED)
            .update(status=Status.ENDED, ended_at=now)
        )
        if not declined:
            return False
        pair.status, pair.ended_at = Status.ENDED, now
        record_audit_entry(
            organization=organization,
            actor=member.user,
            action="buddies.declined",
            summary=_("%(second)s declined %(first)s's invitation") % _names(pair),
            data=_pair_data(pair),
        )
    return True


def _withdraw_buddy_reads(pair: BuddyPair) -> int:
    """Drafts the two had shared with each other go back to being private. A read asked of
    someone as comms or facilitator is not the pair's, and stays."""
    _total, per_model = (
        ReadRequest.objects.for_org(pair.organization)
        .filter(
            Q(reader_id=pair.first_id, post__author_id=pair.second_id)
            | Q(reader_id=pair.second_id, post__author_id=pair.first_id)
        )
        .exclude(reader__role__in=MANAGE_ROLES)
        .delete()
    )
    return per_model.get(ReadRequest._meta.label, 0)


def _end(pair: BuddyPair, actor: User | None, now: datetime) -> bool:
    ended = (
        BuddyPair.objects.for_org(pair.organization)
        .filter(pk=pair.pk, status__in=OPEN_STATUSES)
        .update(status=Status.ENDED, ended_at=now)
    )
    if not ended:
        return False
    was = pair.status
    pair.status, pair.ended_at = Status.ENDED, now
    if was == Status.ACTIVE:
        _withdraw_buddy_reads(pair)
    record_audit_entry(
        organization=pair.organization,
        actor=actor,
        action="buddies.ended",
        summary=(
            _("Ended the buddy pair of %(first)s and %(second)s")
            if was == Status.ACTIVE
            else _("Withdrew %(first)s's invitation to %(second)s")
        )
        % _names(pair),
        data=_pair_data(pair),
    )
    return True


def can_end(pair: BuddyPair, membership: Membership) -> bool:
    return membership.pk in (pair.first_id, pair.second_id) or membership.role in MANAGE_ROLES


def end_pair(*, pair: BuddyPair, actor: Membership) -> bool:
    """Either member, or comms, an admin or the facilitator, ends a pair (or withdraws an
    invitation). False if it had ended already."""
    if not can_end(pair, actor):
        raise PermissionDenied(_("Only the two buddies, or the program's staff, can end a pair."))
    with transaction.atomic():
        return _end(pair, actor.user, timezone.now())


def end_pairs_of(*, membership: Membership, actor: User | None) -> int:
    """End every pair and open invitation of a member (who is leaving the program)."""
    now = timezone.now()
    ended = 0
    with transaction.atomic():
        for pair in (
            pairs_of(membership)
            .filter(status__in=OPEN_STATUSES)
            .select_related("first__user", "second__user")
        ):
            ended += _end(pair, actor, now)
    return ended


def staff_pairs(organization: Organization) -> QuerySet[BuddyPair]:
    """Pairs and open invitations, for comms, admins and the facilitator."""
    return (
        BuddyPair.objects.for_org(organization)
        .filter(status__in=OPEN_STATUSES)
        .select_related("first__user", "second__user", "paired_by")
        .order_by("status", "-created_at", "-id")
    )


def unpaired_participants(organization: Organization) -> QuerySet[Membership]:
    """Participants without an active pair: whom comms can still pair."""
    paired = BuddyPair.objects.for_org(organization).filter(status=Status.ACTIVE)
    return (
        members_of(organization)
        .participants()
        .exclude(pk__in=paired.values("first_id"))
        .exclude(pk__in=paired.values("second_id"))
        .select_related("user", "team")
        .order_by("user__name", "user__email")
    )


# Cadence ---------------------------------------------------------------------------------------


def _per_week(posts: int, weeks: int) -> Decimal:
    return (Decimal(posts) / weeks).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Cadence:
    """Posts published in the last 4 and 12 weeks, and what that makes per week."""

    member: Membership
    posts_4_weeks: int
    posts_12_weeks: int

    @property
    def per_week_4(self) -> Decimal:
        return _per_week(self.posts_4_weeks, 4)

    @property
    def per_week_12(self) -> Decimal:
        return _per_week(self.posts_12_weeks, 12)


def cadences(
    organization: Organization, members: list[Membership], now: datetime | None = None
) -> list[Cadence]:
    """The members' cadences, in the order given, in one query."""
    now = now or timezone.now()
    rows = {
        row["author"]: row
        for row in cast(PostQuerySet, Post.objects.for_org(organization))
        .counted()
        .filter(
            author__in=[member.pk for member in members],
            published_at__gt=now - timedelta(weeks=12),
            published_at__lte=now,
        )
        .values("author")
        .order_by()
        .annotate(
            twelve=Count("pk"),
            four=Count("pk", filter=Q(published_at__gt=now - timedelta(weeks=4))),
        )
    }
    return [
        Cadence(
            member=member,
            posts_4_weeks=rows.get(member.pk, {}).get("four", 0),
            posts_12_weeks=rows.get(member.pk, {}).get("twelve", 0),
        )
        for member in members
    ]


# Reads ---------------------------------------------------------------------------------------


def reader_choices(author: Membership) -> QuerySet[Membership]:
    """Whom a draft can go to for a read: the author's buddy, and comms, admins and the
    facilitator."""
    readers = Q(role__in=MANAGE_ROLES)
    buddy = buddy_of(author)
    if buddy is not None:
        readers |= Q(pk=buddy.pk)
    return (
        members_of(author.organization)
        .active()
        .filter(readers)
        .exclude(pk=author.pk)
        .select_related("user")
        .order_by("user__name", "user__email")
    )


def request_read(
    *, post: Post, author: Membership, reader: Membership, message: str = ""
) -> ReadRequest:
    """The author shares a draft (or a scheduled post) with one reader, who is told by mail.

    The reader sees the text and comments or suggests; they get no way to change it.
    """
    if post.author_id != author.pk or post.organization_id != author.organization_id:
        raise NotAuthor(_("Only the author can share this post for a read."))
    if post.status not in READABLE_STATUSES:
        raise ValidationError(_("Only a draft or a scheduled post can be sent for a read."))
    organization = author.organization
    if not reader_choices(author).filter(pk=reader.pk).exists():
        raise ValidationError(
            {"reader": _("Choose your buddy or someone from the communications team.")}
        )
    try:
        with transaction.atomic():
            read: ReadRequest = ReadRequest.objects.for_org(organization).create(
                organization=organization, post=post, reader=reader, message=message.strip()
            )
            tasks.send_read_request.delay_on_commit(organization.pk, read.pk)
    except IntegrityError:
        raise ValidationError(
            {
                "reader": _("You have already sent this post to %(name)s.")
                % {"name": reader.display_name}
            }
        ) from None
    return read


def withdraw_read(*, read: ReadRequest, author: Membership) -> bool:
    """The author takes a draft back: the reader no longer sees it (their comments stay)."""
    if read.post.author_id != author.pk:
        raise NotAuthor(_("Only the author can take back a read."))
    deleted, _per_model = (
        ReadRequest.objects.for_org(author.organization).filter(pk=read.pk).delete()
    )
    return bool(deleted)


def mark_read(read: ReadRequest) -> None:
    """The reader opened it: the author sees that it was read."""
    if read.read_at is not None:
        return
    now = timezone.now()
    ReadRequest.objects.for_org(read.organization).filter(pk=read.pk, read_at__isnull=True).update(
        read_at=now
    )
    read.read_at = now


def reads_for(reader: Membership) -> QuerySet[ReadRequest]:
    """Drafts shared with the member, newest first."""
    return (
        ReadRequest.objects.for_org(reader.organization)
        .filter(reader=reader)
        .exclude(post__status=Post.Status.DELETED)
        .select_related("post__author__user")
        .order_by("-created_at", "-id")
    )


# The fortnightly check-in ----------------------------------------------------------------------


def wants_buddy_prompts(membership: Membership) -> bool:
    """The member's mail choice, its row made with the defaults the first time it is asked."""
    organization = membership.organization
    try:
        with transaction.atomic():
            choices, _created = NotificationSettings.objects.for_org(organization).get_or_create(
                organization=organization, membership=membership
            )
    except IntegrityError:
        # Made a moment ago by someone else: read theirs.
        choices = NotificationSettings.objects.for_org(organization).get(membership=membership)
    return bool(choices.buddy_prompts)


def _due(now: datetime) -> Q:
    due = now - PROMPT_EVERY
    return Q(last_prompted_at__lte=due) | Q(last_prompted_at__isnull=True, accepted_at__lte=due)


def _send_prompt(pair: BuddyPair, now: datetime) -> tuple[int, int]:
    """Mail both members of a claimed pair; returns (sent, failed)."""
    sent = failed = 0
    organization = pair.organization
    members = [pair.first, pair.second]
    with tenant_scope(organization):
        cadence = {c.member.pk: c for c in cadences(organization, members, now)}
        for member in members:
            if not _is_participant(member) or not wants_buddy_prompts(member):
                continue
            buddy = buddy_in(pair, member)
            try:
                send_member_mail(
                    membership=member,
                    template="buddy_prompt",
                    context={
                        "buddy": buddy,
                        "mine": cadence[member.pk],
                        "theirs": cadence[buddy.pk],
                        "url": absolute_url("program:pair", member, pair_id=pair.public_id),
                    },
                )
            except Exception:
                logger.exception("Could not send the buddy check-in of %r to %r", pair, member)
                failed += 1
            else:
                sent += 1
    return sent, failed


def prompt_pairs(now: datetime) -> int:
    """Mail both members of every active pair whose last check-in prompt is two weeks old (or,
    never prompted, who became buddies two weeks ago). Returns how many mails went out.

    Each pair is claimed first with a compare-and-swap on last_prompted_at, so two runs at
    once send one prompt; a pair whose every mail failed gets its claim back for the next run.
    A member who left the program, or turned the prompt off, gets none.
    """
    sent = 0
    candidates = (
        BuddyPair.all_tenants.filter(_due(now), status=Status.ACTIVE)
        .select_related("organization", "first__user", "second__user")
        .order_by("pk")
    )
    for pair in candidates:
        previous = pair.last_prompted_at
        claim = BuddyPair.all_tenants.filter(
            organization_id=pair.organization_id, pk=pair.pk, status=Status.ACTIVE
        )
        if previous is None:
            claim = claim.filter(last_prompted_at__isnull=True)
        else:
            claim = claim.filter(last_prompted_at=previous)
        if not claim.update(last_prompted_at=now):
            continue
        delivered, failed = _send_prompt(pair, now)
        sent += delivered
        if failed and not delivered:
            BuddyPair.all_tenants.filter(pk=pair.pk, last_prompted_at=now).update(
                last_prompted_at=previous
            )
    return sent
