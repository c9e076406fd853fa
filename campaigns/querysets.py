from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db.models import Count, Exists, F, OuterRef, Q

from advocacy.tenancy.audience import audience_q
from advocacy.tenancy.querysets import TenantManager, TenantQuerySet

if TYPE_CHECKING:
    from advocacy.tenancy.models import Membership, Team

# Content's Post.Status.PUBLISHED: a published post is a share. Spelled out here because this
# app reads posts only through the `posts` relation and never imports content (which imports
# campaigns); a test holds the two equal.
PUBLISHED_POST = "published"


class CampaignQuerySet(TenantQuerySet[Any]):
    def live(self) -> CampaignQuerySet:
        return self.filter(status="live")

    def for_member(self, membership: Membership) -> CampaignQuerySet:
        """Campaigns whose audience includes the member (no audience: everyone)."""
        teams = apps.get_model("campaigns", "CampaignAudienceTeam")
        return self.filter(audience_q(membership, team_links=teams, link_field="campaign"))

    def for_team(self, team: Team) -> CampaignQuerySet:
        """Campaigns the team's members are among the audience of, as far as teams go: those
        naming the team, and those naming no team at all (for every team)."""
        teams = apps.get_model("campaigns", "CampaignAudienceTeam")
        links = teams.all_tenants.filter(
            organization_id=team.organization_id, campaign=OuterRef("pk")
        )
        return self.filter(~Exists(links) | Exists(links.filter(team_id=team.pk)))

    def search(self, text: str) -> CampaignQuerySet:
        """Campaigns whose name, purpose or hashtags contain `text`, whatever its case."""
        text = text.strip()
        if not text:
            return self
        return self.filter(
            Q(name__icontains=text) | Q(purpose__icontains=text) | Q(hashtags__icontains=text)
        )

    def with_share_count(self) -> CampaignQuerySet:
        """Each campaign with `share_count`, its published posts."""
        shares = Q(posts__status=PUBLISHED_POST, posts__organization=F("organization"))
        return self.annotate(share_count=Count("posts", filter=shares, distinct=True))


CampaignManager = TenantManager.from_queryset(CampaignQuerySet)
