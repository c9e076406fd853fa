"""Background work for LinkedIn connections: keeping tokens alive and their owners informed."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(
    name="linkedin.update_token_statuses",
    soft_time_limit=300,
    time_limit=360,
    ignore_result=True,
)
def update_token_statuses() -> dict[str, int]:
    """Refresh what can be refreshed, then move statuses as tokens age, then tell owners.

    In that order, so a connection a refresh has just extended is never reported expiring.
    Periodic (settings.CELERY_BEAT_SCHEDULE); every step is idempotent, so an overlapping or
    repeated run sends no second email and refreshes nothing twice.
    """
    now = timezone.now()
    counts = services.refresh_expiring_tokens(now)
    counts.update(services.update_token_statuses(now))
    counts["notified"] = services.notify_expiring(now)
    return counts
