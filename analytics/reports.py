"""Figures for the leadership reports, computed in the database with aggregate queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q

from advocacy.tenancy.models import Membership, Organization
from advocacy.tenancy.scope import tenant_scope
from campaigns.models import Campaign
from content.models import ContentItem

# Dell's rule of thumb: about 20 % of what people share is about the company itself.
COMPANY_SHARE_GUIDELINE = 20
# "About" 20 %: a library a few points over is fine, well over it reads like an ad channel.
COMPANY_SHARE_TOLERANCE = 5


def percent(part: int, whole: int) -> int | None:
    """`part` of `whole` as a whole percentage, or None when there is no whole."""
    if not whole:
        return None
    return round(100 * part / whole)


@dataclass(frozen=True)
class TeamParticipation:
    team: str | None
    members: int
    participants: int

    @property
    def participation_percent(self) -> int | None:
        return percent(self.participants, self.members)


@dataclass(frozen=True)
class ProgramOverview:
    members: int
    participants: int
    library_items: int
    company_items: int
    draft_items: int
    live_campaigns: int
    teams: list[TeamParticipation]

    @property
    def participation_percent(self) -> int | None:
        return percent(self.participants, self.members)

    @property
    def company_share_percent(self) -> int | None:
        return percent(self.company_items, self.library_items)

    @property
    def other_share_percent(self) -> int | None:
        share = self.company_share_percent
        return None if share is None else 100 - share

    @property
    def company_share_within_guideline(self) -> bool | None:
        share = self.company_share_percent
        if share is None:
            return None
        return share <= COMPANY_SHARE_GUIDELINE + COMPANY_SHARE_TOLERANCE


def program_overview(organization: Organization) -> ProgramOverview:
    """Participation, the library's content mix and live campaigns of one organization."""
    with tenant_scope(organization):
        members = Membership.objects.active()
        participants = Membership.objects.participants().count()
        by_team = (
            members.values("team__name")
            .annotate(
                member_count=Count("pk"),
                participant_count=Count("pk", filter=Q(opted_in_at__isnull=False)),
            )
            .order_by(F("team__name").asc(nulls_last=True))
        )
        teams = [
            TeamParticipation(
                team=row["team__name"],
                members=row["member_count"],
                participants=row["participant_count"],
            )
            for row in by_team
        ]
        library = ContentItem.objects.aggregate(
            library_items=Count("pk", filter=Q(status=ContentItem.Status.PUBLISHED)),
            company_items=Count(
                "pk", filter=Q(status=ContentItem.Status.PUBLISHED, is_company_content=True)
            ),
            draft_items=Count("pk", filter=Q(status=ContentItem.Status.DRAFT)),
        )
        live_campaigns = Campaign.objects.live().count()
    return ProgramOverview(
        members=sum(team.members for team in teams),
        participants=participants,
        library_items=library["library_items"],
        company_items=library["company_items"],
        draft_items=library["draft_items"],
        live_campaigns=live_campaigns,
        teams=teams,
    )
