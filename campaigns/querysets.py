from __future__ import annotations

from typing import Any

from advocacy.tenancy.querysets import TenantManager, TenantQuerySet


class CampaignQuerySet(TenantQuerySet[Any]):
    def live(self) -> CampaignQuerySet:
        return self.filter(status="live")


CampaignManager = TenantManager.from_queryset(CampaignQuerySet)
