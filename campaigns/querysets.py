from __future__ import annotations

from typing import Any

from django.db.models import Q

from advocacy.tenancy.querysets import TenantManager, TenantQuerySet


class CampaignQuerySet(TenantQuerySet[Any]):
    def live(self) -> CampaignQuerySet:
        return self.filter(status="live")

    def search(self, text: str) -> CampaignQuerySet:
        """Campaigns whose name, purpose or hashtags contain `text`, whatever its case."""
        text = text.strip()
        if not text:
            return self
        return self.filter(
            Q(name__icontains=text) | Q(purpose__icontains=text) | Q(hashtags__icontains=text)
        )


CampaignManager = TenantManager.from_queryset(CampaignQuerySet)
