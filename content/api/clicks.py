"""Tracked links with their clicks counted, for the API's link-click aggregates."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.db.models import CharField, Count, Max, Q, QuerySet
from django.db.models.functions import Cast, Concat, TruncDate

from advocacy.tenancy.models import Organization


def with_click_counts(
    links: QuerySet[Any], organization: Organization, since: dt.date | None, until: dt.date | None
) -> QuerySet[Any]:
    """Each link with `clicks`, `unique_clicks` (distinct visitors per day, summed over the
    days) and `last_clicked_at`, over the days from `since` to `until` in the organization's
    time zone (either open). Bots count in none of them."""
    zone = zoneinfo.ZoneInfo(organization.time_zone)
    human = Q(clicks__is_bot=False)
    if since is not None:
        human &= Q(clicks__clicked_at__gte=dt.datetime.combine(since, dt.time.min, tzinfo=zone))
    if until is not None:
        end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        human &= Q(clicks__clicked_at__lt=end)
    # The day salts the visitor hash, so a visitor is one per link per day.
    visit = Concat(
        "clicks__visitor_hash",
        Cast(TruncDate("clicks__clicked_at", tzinfo=zone), CharField()),
        output_field=CharField(),
    )
    return links.annotate(
        clicks_in_range=Count("clicks", filter=human),
        unique_clicks=Count(visit, filter=human, distinct=True),
        last_clicked_at=Max("clicks__clicked_at", filter=human),
    )
