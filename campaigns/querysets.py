from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db.models import Q

from advocacy.tenancy.audience import audience_q
from advocacy.tenancy.querysets import TenantManager, TenantQuerySet

if TYPE_CHECKING:
    from advocacy.tenancy.models import Membership


class CampaignQuerySet(TenantQuerySet[Any]):
    def live(self) -> CampaignQuerySet:
        return self.filter(status="live")

    def for_member(self, membership: Membership) -> CampaignQuerySet:
        """Campaigns whose audience includes the member (no audience: everyone)."""
        teams = apps.get_model("campaigns", "CampaignAudienceTeam")
        return self.filter(audience_q(membership, team_links=teams, link_field="campaign"))

    def search(self, text: str) -> CampaignQuerySet:
        """Campaigns whose name, purpose or hashtags contain `text`, whatever its case."""
        text = text.strip()
        if not text:
            return self
        return self.filter(
            Q(name__icontains=text) | Q(purpose__icontains=text) | Q(hashtags__icontains=text)
        )


CampaignManager = TenantManager.from_queryset(CampaignQuerySet)
