"""What waits for a member on their dashboard: buddy invitations, drafts to read, new
feedback, open brand-risk flags, and whether they wear "ready to share".

Counted in one query (a subquery each, for this member only), where the card used to ask
five times, and built once per process; the buddy pair and the flags are read only when
there is one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from advocacy.tenancy.models import Membership, Organization
from advocacy.tenancy.prepared import OnceBuilt

from .buddies import pairs_of
from .coaching import open_flags_of, unseen_feedback
from .models import BuddyPair, CourseCompletion, ReadRequest


@dataclass(frozen=True)
class Waiting:
    invitations: int
    to_read: int
    new_feedback: int
    open_flags: int
    has_active_pair: bool
    ready_to_share: bool


def _count(rows: QuerySet) -> Coalesce:
    grouped = rows.order_by().values("organization_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(grouped, output_field=IntegerField()), 0)


def _waiting_query(*, organization_id: int, membership_id: int) -> QuerySet[Any]:
    organization = Organization(pk=organization_id)
    membership = Membership(pk=membership_id, organization=organization)
    pairs = pairs_of(membership)
    return (
        Membership.objects.for_org(organization)
        .filter(pk=membership.pk)
        .annotate(
            invitations=_count(pairs.filter(status=BuddyPair.Status.INVITED, second=membership)),
            to_read=_count(
                ReadRequest.objects.for_org(organization).filter(
                    reader=membership, read_at__isnull=True
                )
            ),
            new_feedback=_count(unseen_feedback(membership)),
            open_flags=_count(open_flags_of(membership)),
            has_active_pair=Exists(pairs.filter(status=BuddyPair.Status.ACTIVE)),
            ready_to_share=Exists(
                CourseCompletion.objects.for_org(organization).filter(
                    membership=OuterRef("pk"), course__is_basics=True
                )
            ),
        )
        .values(
            "invitations",
            "to_read",
            "new_feedback",
            "open_flags",
            "has_active_pair",
            "ready_to_share",
        )[:1]
    )


# Built once per process: building it took Django longer than running it.
_WAITING = OnceBuilt(_waiting_query, "organization_id", "membership_id")


def waiting_for(membership: Membership) -> Waiting:
    row = _WAITING.first(organization_id=membership.organization_id, membership_id=membership.pk)
    if row is None:
        return Waiting(0, 0, 0, 0, False, False)
    return Waiting(
        invitations=int(row["invitations"]),
        to_read=int(row["to_read"]),
        new_feedback=int(row["new_feedback"]),
        open_flags=int(row["open_flags"]),
        # SQLite answers 0 and 1.
        has_active_pair=bool(row["has_active_pair"]),
        ready_to_share=bool(row["ready_to_share"]),
    )
