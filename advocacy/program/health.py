"""The program's health: who has gone quiet, who has no LinkedIn connection, whose connection
is about to stop or has stopped, so that comms or the facilitator can reach out in person.

One query reads every participant with their last published post and their connection's
state; the lists are cut from it in Python, so the page costs the same whatever its size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import cast

from django.db.models import Count, DateTimeField, OuterRef, Subquery
from django.utils import timezone

from advocacy.linkedin.models import Connection, ConnectionStatus
from advocacy.tenancy.models import Membership, Organization
from analytics.rollups import zone_of
from content.models import Post

from .models import FollowUpRound

DEFAULT_QUIET_WEEKS = 3
MAX_QUIET_WEEKS = 52
# A connection that has stopped working, or that LinkedIn refused for a lasting reason.
STOPPED_STATUSES = frozenset(
    {ConnectionStatus.EXPIRED, ConnectionStatus.REVOKED, ConnectionStatus.ERROR}
)


@dataclass(frozen=True)
class ParticipantHealth:
    membership: Membership
    last_post_at: dt.datetime | None
    connection_status: str | None
    connection_works_until: dt.datetime | None

    @property
    def connection_status_label(self) -> str:
        if self.connection_status is None:
            return ""
        return str(ConnectionStatus(self.connection_status).label)


@dataclass
class ProgramHealth:
    weeks: int
    quiet_since: dt.datetime
    members: int
    participants: int
    quiet: list[ParticipantHealth] = field(default_factory=list)
    not_connected: list[ParticipantHealth] = field(default_factory=list)
    expiring: list[ParticipantHealth] = field(default_factory=list)
    stopped: list[ParticipantHealth] = field(default_factory=list)
    latest_round: FollowUpRound | None = None

    @property
    def connected(self) -> int:
        return self.participants - len(self.not_connected)

    @property
    def to_renew(self) -> int:
        return len(self.expiring) + len(self.stopped)


def program_health(
    organization: Organization, *, now: dt.datetime, weeks: int = DEFAULT_QUIET_WEEKS
) -> ProgramHealth:
    """The lists and totals of the health page, in three queries whatever the numbers."""
    quiet_since = now - dt.timedelta(weeks=weeks)
    last_post = (
        Post.objects.filter(organization=organization)
        .counted()
        .filter(author=OuterRef("pk"))
        .order_by("-published_at")
        .values("published_at")[:1]
    )
    connection = Connection.objects.with_works_until().filter(user=OuterRef("user"))
    participants = list(
        Membership.objects.filter(organization=organization)
        .participants()
        .select_related("user", "team")
        .annotate(
            last_post_at=Subquery(last_post, output_field=DateTimeField()),
            connection_status=Subquery(connection.values("status")[:1]),
            connection_works_until=Subquery(
                connection.values("works_until")[:1], output_field=DateTimeField()
            ),
        )
        .order_by("user__name", "user__email", "pk")
    )
    members = Membership.objects.filter(organization=organization).active().count()
    rounds = (
        FollowUpRound.objects.for_org(organization)
        .filter(opens_on__lte=timezone.localtime(now, zone_of(organization)).date())
        .annotate(checkin_count=Count("checkins"))
        .order_by("-opens_on")
    )
    health = ProgramHealth(
        weeks=weeks,
        quiet_since=quiet_since,
        members=members,
        participants=len(participants),
        # The annotation makes the stubs forget the model.
        latest_round=cast("FollowUpRound | None", rounds.first()),
    )
    for membership in participants:
        row = ParticipantHealth(
            membership=membership,
            last_post_at=membership.last_post_at,
            connection_status=membership.connection_status,
            connection_works_until=membership.connection_works_until,
        )
        # Newcomers have not had N weeks to post: they are new, not quiet.
        settled = membership.opted_in_at <= quiet_since
        if settled and (row.last_post_at is None or row.last_post_at < quiet_since):
            health.quiet.append(row)
        if row.connection_status is None:
            health.not_connected.append(row)
        elif row.connection_status == ConnectionStatus.EXPIRING_SOON:
            health.expiring.append(row)
        elif row.connection_status in STOPPED_STATUSES:
            health.stopped.append(row)
    return health
