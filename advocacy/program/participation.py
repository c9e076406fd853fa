"""Taking part in the program: an explicit opt-in, and a one-click way out.

Voluntary (PRODUCT.md, "Rules of the road"): a member joins only by their own choice, after a
plain explanation of what is shared and measured; leaving is one click, stops the collection
of their figures from then on (collection and every figure count participants only), takes
them off the leaderboard and ends their buddy pair. Deleting what was collected so far is a
second, separate choice, offered once they have left.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from advocacy.tenancy.models import Membership
from advocacy.tenancy.services import record_audit_entry
from analytics.models import MemberFollowers, PostMetrics
from analytics.rollups import POST_FIGURES, today_of, zone_of
from content.models import Click, Post

from . import buddies, tasks


def is_participant(membership: Membership) -> bool:
    return membership.opted_in_at is not None and membership.is_active


def days_touched(membership: Membership) -> tuple[date, date] | None:
    """The first and last day whose rollups the member's figures are in (None: none yet).

    From the earliest of their follower figures, published posts and clicks on their links, to
    today: a follower figure counts on every later day until the next one, and a post's clicks
    and latest figures may land on any day after it went out.
    """
    organization = membership.organization
    zone = zone_of(organization)
    firsts = [
        MemberFollowers.objects.for_org(organization)
        .filter(membership=membership)
        .aggregate(first=Min("day"))["first"],
        Post.objects.for_org(organization)
        .filter(author=membership, published_at__isnull=False)
        .aggregate(first=Min(TruncDate("published_at", tzinfo=zone)))["first"],
        Click.objects.for_org(organization)
        .filter(post__author=membership)
        .aggregate(first=Min(TruncDate("clicked_at", tzinfo=zone)))["first"],
    ]
    known = [day for day in firsts if day is not None]
    if not known:
        return None
    today = today_of(organization)
    return min(min(known), today), today


def _recompute_after_commit(membership: Membership, span: tuple[date, date] | None) -> None:
    if span is None:
        return
    tasks.recompute_member_days.delay_on_commit(
        membership.organization_id, span[0].isoformat(), span[1].isoformat()
    )


def join_program(*, membership: Membership, show_on_leaderboard: bool = False) -> bool:
    """The member opts in, by their own choice. False if they take part already.

    Their figures count from now on (docs/metrics.md: participants are counted as the report is
    made), so the days their earlier figures touch are recomputed.
    """
    organization = membership.organization
    with transaction.atomic():
        now = timezone.now()
        joined = (
            Membership.objects.for_org(organization)
            .filter(pk=membership.pk, is_active=True, opted_in_at__isnull=True)
            .update(opted_in_at=now, show_on_leaderboard=show_on_leaderboard)
        )
        if not joined:
            return False
        membership.opted_in_at, membership.show_on_leaderboard = now, show_on_leaderboard
        record_audit_entry(
            organization=organization,
            actor=membership.user,
            action="program.joined",
            summary=_("%(member)s joined the program") % {"member": membership.display_name},
            data={"member": str(membership.public_id), "leaderboard": show_on_leaderboard},
        )
        _recompute_after_commit(membership, days_touched(membership))
    return True


def set_leaderboard_choice(*, membership: Membership, show: bool) -> bool:
    """A participant chooses whether leaders see their figures by name. False if unchanged
    (or not taking part: the leaderboard shows participants only)."""
    if show and not is_participant(membership):
        raise ValidationError(_("Join the program first: the leaderboard shows participants only."))
    organization = membership.organization
    with transaction.atomic():
        changed = (
            Membership.objects.for_org(organization)
            .filter(pk=membership.pk)
            .exclude(show_on_leaderboard=show)
            .update(show_on_leaderboard=show)
        )
        if not changed:
            return False
        membership.show_on_leaderboard = show
        record_audit_entry(
            organization=organization,
            actor=membership.user,
            action="program.leaderboard_choice",
            summary=(
                _("%(member)s chose to be shown on the leaderboard")
                if show
                else _("%(member)s chose not to be shown on the leaderboard")
            )
            % {"member": membership.display_name},
            data={"member": str(membership.public_id), "leaderboard": show},
        )
    return True


def leave_program(*, membership: Membership) -> bool:
    """The member steps out: no more collection, off the leaderboard, buddy pair ended.

    What was collected so far stays until they choose to delete it (delete_collected_figures);
    either way they are in no figure from now on, so the days they touched are recomputed.
    False if they were not taking part.
    """
    organization = membership.organization
    with transaction.atomic():
        left = (
            Membership.objects.for_org(organization)
            .filter(pk=membership.pk, opted_in_at__isnull=False)
            .update(opted_in_at=None, show_on_leaderboard=False)
        )
        if not left:
            return False
        membership.opted_in_at, membership.show_on_leaderboard = None, False
        ended = buddies.end_pairs_of(membership=membership, actor=membership.user)
        record_audit_entry(
            organization=organization,
            actor=membership.user,
            action="program.left",
            summary=_("%(member)s left the program") % {"member": membership.display_name},
            data={"member": str(membership.public_id), "pairs_ended": ended},
        )
        _recompute_after_commit(membership, days_touched(membership))
    return True


@dataclass(frozen=True)
class DeletedFigures:
    follower_figures: int
    post_figures: int
    posts_cleared: int

    @property
    def anything(self) -> bool:
        return bool(self.follower_figures or self.post_figures or self.posts_cleared)


def delete_collected_figures(*, membership: Membership) -> DeletedFigures:
    """Delete what was collected about a member who left: their follower figures, their posts'
    dated figures and the posts' latest figures; then recompute the days those were in.

    Refused while they take part: collection would only start again. The posts themselves stay
    (they are the member's own, on LinkedIn and on their pages), and so do the clicks on their
    links, which hold nothing about the member.
    """
    if membership.opted_in_at is not None:
        raise ValidationError(
            _("You are taking part in the program. Leave it first; then you can delete them.")
        )
    organization = membership.organization
    with transaction.atomic():
        span = days_touched(membership)
        followers, _per_model = (
            MemberFollowers.objects.for_org(organization).filter(membership=membership).delete()
        )
        posts = Post.objects.for_org(organization).filter(author=membership)
        post_figures, _per_model = (
            PostMetrics.objects.for_org(organization).filter(post__in=posts.values("pk")).delete()
        )
        with_figures = posts.exclude(
            impressions__isnull=True,
            members_reached__isnull=True,
            reactions__isnull=True,
            comments__isnull=True,
            reshares__isnull=True,
            metrics_updated_at__isnull=True,
        )
        cleared = with_figures.update(
            **dict.fromkeys(POST_FIGURES), metrics_updated_at=None, updated_at=timezone.now()
        )
        deleted = DeletedFigures(
            follower_figures=followers, post_figures=post_figures, posts_cleared=cleared
        )
        record_audit_entry(
            organization=organization,
            actor=membership.user,
            action="program.figures_deleted",
            summary=_("%(member)s deleted their collected figures")
            % {"member": membership.display_name},
            data={
                "member": str(membership.public_id),
                "follower_figures": followers,
                "post_figures": post_figures,
                "posts_cleared": cleared,
            },
        )
        _recompute_after_commit(membership, span)
    return deleted


def has_collected_figures(membership: Membership) -> bool:
    """Whether anything collected about the member is left to delete."""
    organization = membership.organization
    posts = Post.objects.for_org(organization).filter(author=membership)
    return (
        MemberFollowers.objects.for_org(organization).filter(membership=membership).exists()
        or PostMetrics.objects.for_org(organization).filter(post__in=posts.values("pk")).exists()
        or posts.exclude(metrics_updated_at__isnull=True, impressions__isnull=True).exists()
    )
