"""Reads over LinkedIn connections: which tokens to refresh, which are about to stop working."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import models
from django.db.models import Case, F, Q, When

from advocacy.tenancy.pagecache import AnnouncedWrites
from advocacy.tenancy.querysets import TenantManager, TenantQuerySet

# A connection whose token stops working within this window is "expiring soon".
EXPIRING_SOON_WITHIN = timedelta(days=7)
# Refresh an access token when it has less than this left (and refreshing would extend it).
REFRESH_WITHIN = timedelta(days=7)
# A refresh that gains less than this is not worth a call: near the end of the refresh
# token's life every new access token is capped by it.
MIN_REFRESH_GAIN = timedelta(days=1)


class TokenQuerySetMixin:
    """Shared by member and page connections (both hold the same token fields)."""

    def with_works_until(self: Any) -> Any:
        """Annotate `works_until`: when it stops working unless someone reconnects.

        (Not `usable_until`, the models' property of the same meaning, which an annotation
        could not be assigned to.)

        With a refresh token that is the refresh token's own expiry (each refresh gives a new
        access token capped by it); without one, the access token's.
        """
        return self.annotate(
            works_until=Case(
                When(
                    Q(refresh_token_encrypted__gt="")
                    & Q(refresh_token_expires_at__gt=F("access_token_expires_at")),
                    then=F("refresh_token_expires_at"),
                ),
                default=F("access_token_expires_at"),
                output_field=models.DateTimeField(),
            )
        )

    def refreshable(self: Any, now: datetime) -> Any:
        """Access tokens close to expiry whose refresh token can still extend them."""
        return (
            self.exclude(status="revoked")
            .filter(
                refresh_token_encrypted__gt="",
                refresh_token_expires_at__gt=now,
                access_token_expires_at__lte=now + REFRESH_WITHIN,
            )
            .filter(refresh_token_expires_at__gt=F("access_token_expires_at") + MIN_REFRESH_GAIN)
        )


class ConnectionQuerySet(TokenQuerySetMixin, AnnouncedWrites):
    """Connections; writes of many rows drop their people's kept pages (the banner)."""


class PageConnectionQuerySet(TokenQuerySetMixin, TenantQuerySet[Any]):
    pass


ConnectionManager = models.Manager.from_queryset(ConnectionQuerySet)
PageConnectionManager = TenantManager.from_queryset(PageConnectionQuerySet)
PageConnectionAllTenantsManager = models.Manager.from_queryset(PageConnectionQuerySet)
