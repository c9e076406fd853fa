from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Case, Count, Q, Value, When

from advocacy.tenancy.querysets import TenantManager, TenantQuerySet


class ContentItemQuerySet(TenantQuerySet[Any]):
    def available(self, now: datetime) -> ContentItemQuerySet:
        """Published items inside their availability window."""
        return self.filter(
            Q(available_from__isnull=True) | Q(available_from__lte=now),
            Q(available_until__isnull=True) | Q(available_until__gt=now),
            status="published",
        )

    def not_archived(self) -> ContentItemQuerySet:
        return self.exclude(status="archived")

    def search(self, text: str) -> ContentItemQuerySet:
        """Items whose title or description contains `text`, whatever its case."""
        text = text.strip()
        if not text:
            return self
        return self.filter(Q(title__icontains=text) | Q(description__icontains=text))

    def with_caption_count(self) -> ContentItemQuerySet:
        # distinct: a campaign filter joins another table, which must not multiply the count.
        return self.annotate(caption_count=Count("captions", distinct=True))

    def for_dashboard(self) -> ContentItemQuerySet:
        """Featured items first, then items in a live campaign, then the newest."""
        return self.alias(
            live_campaigns=Count("campaigns", filter=Q(campaigns__status="live"), distinct=True)
        ).order_by(
            "-featured",
            Case(When(live_campaigns__gt=0, then=Value(0)), default=Value(1)),
            "-created_at",
            "-id",
        )


ContentItemManager = TenantManager.from_queryset(ContentItemQuerySet)
