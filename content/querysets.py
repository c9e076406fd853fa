from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q

from advocacy.tenancy.querysets import TenantManager, TenantQuerySet


class ContentItemQuerySet(TenantQuerySet[Any]):
    def available(self, now: datetime) -> ContentItemQuerySet:
        """Published items inside their availability window."""
        return self.filter(
            Q(available_from__isnull=True) | Q(available_from__lte=now),
            Q(available_until__isnull=True) | Q(available_until__gt=now),
            status="published",
        )


ContentItemManager = TenantManager.from_queryset(ContentItemQuerySet)
