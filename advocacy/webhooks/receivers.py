"""What the webhooks app does when the apps below it send their signals: queue a task that
builds the event and its deliveries (only ids travel; the request that committed the change
waits for nothing)."""

from __future__ import annotations

from typing import Any

from .models import Event


def on_post_published(sender: Any, *, organization_id: int, post_id: int, **kwargs: Any) -> None:
    from .tasks import queue_event

    queue_event.delay(organization_id, Event.POST_PUBLISHED.value, [post_id])


def on_post_failed(sender: Any, *, organization_id: int, post_id: int, **kwargs: Any) -> None:
    from .tasks import queue_event

    queue_event.delay(organization_id, Event.POST_FAILED.value, [post_id])


def on_content_created(
    sender: Any, *, organization_id: int, item_ids: list[int], **kwargs: Any
) -> None:
    from .tasks import queue_event

    queue_event.delay(organization_id, Event.CONTENT_CREATED.value, list(item_ids))


def on_campaign_started(
    sender: Any, *, organization_id: int, campaign_ids: list[int], **kwargs: Any
) -> None:
    from .tasks import queue_event

    queue_event.delay(organization_id, Event.CAMPAIGN_STARTED.value, list(campaign_ids))
