"""What the webhooks app does when the apps below it send their signals: queue a task that
builds the event and its deliveries (only ids travel; the request that committed the change
waits for nothing). An organization without an active endpoint costs one indexed read."""

from __future__ import annotations

from typing import Any

from .models import Event, WebhookEndpoint


def _queue(organization_id: int, event: str, object_ids: list[int]) -> None:
    from .tasks import queue_event

    # Across the table on purpose: only the organization's id travels with the signal.
    if WebhookEndpoint.all_tenants.filter(organization_id=organization_id, is_active=True).exists():
        queue_event.delay(organization_id, event, object_ids)


def on_post_published(sender: Any, *, organization_id: int, post_id: int, **kwargs: Any) -> None:
    _queue(organization_id, Event.POST_PUBLISHED.value, [post_id])


def on_post_failed(sender: Any, *, organization_id: int, post_id: int, **kwargs: Any) -> None:
    _queue(organization_id, Event.POST_FAILED.value, [post_id])


def on_content_created(
    sender: Any, *, organization_id: int, item_ids: list[int], **kwargs: Any
) -> None:
    _queue(organization_id, Event.CONTENT_CREATED.value, list(item_ids))


def on_campaign_started(
    sender: Any, *, organization_id: int, campaign_ids: list[int], **kwargs: Any
) -> None:
    _queue(organization_id, Event.CAMPAIGN_STARTED.value, list(campaign_ids))
