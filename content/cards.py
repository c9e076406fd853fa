"""The dashboard's content cards, rendered once per version of their item and shared by every
member who sees it.

A card's title, badges, topics, preview and suggested captions are the same for everyone in
the organization who speaks the same language; rendering thirty of them was most of the
dashboard's time. Only the member's own marks (shared by me, colleagues' shares) are rendered
per request, outside the card.

The key is made of what the card shows, so no write has to remember to invalidate it: the
item's `updated_at` (every edit of its fields, captions, topics or links moves it, see
`services.update_content_item`), its preview's state and time (previews are written by the
worker without touching `updated_at`), the live campaigns it wears as badges with their own
`updated_at`, the language, and `CARD_TEMPLATE_VERSION`, bumped when the card's template
changes shape. A stale key is never read again and expires after `CARD_CACHE_SECONDS`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db.models import Prefetch, prefetch_related_objects
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from .models import Topic

if TYPE_CHECKING:
    from django.http import HttpRequest

    from advocacy.tenancy.models import Organization

    from .models import ContentItem

CARD_TEMPLATE = "content/_dashboard_card.html"
CARD_TEMPLATE_VERSION = 1
CARD_CACHE_SECONDS = 24 * 60 * 60


def card_key(item: ContentItem, organization: Organization, language: str) -> str:
    """The cache key of the item's card: it changes with everything the card shows."""
    campaigns = ",".join(
        f"{campaign.pk}@{campaign.updated_at.isoformat()}"
        for campaign in getattr(item, "live_campaigns", ())
    )
    fetched = item.preview_fetched_at.isoformat() if item.preview_fetched_at else ""
    version = "|".join(
        (
            item.updated_at.isoformat(),
            item.preview_status,
            fetched,
            campaigns,
            language,
            organization.slug,  # the card's links carry it
        )
    )
    digest = hashlib.blake2b(version.encode(), digest_size=12).hexdigest()
    # The public id, not the row id: row ids come again (a restored backup, a test database),
    # random ids do not.
    return f"content:card:v{CARD_TEMPLATE_VERSION}:{item.public_id}:{digest}"


def attach_cards(
    request: HttpRequest, organization: Organization, items: Sequence[ContentItem]
) -> None:
    """Give each item its rendered card as `item.card_html`, and its composer's address as
    `item.share_url`.

    Cards in the cache are taken as they are; the others get their captions and topics in
    one query each (for the missing cards only), are rendered and stored. `items` must carry
    `live_campaigns` (the live campaigns of the member's dashboard, by name).
    """
    language = get_language() or ""
    keys = {item.pk: card_key(item, organization, language) for item in items}
    cached: dict[str, tuple[str, str]] = cache.get_many(list(keys.values())) if keys else {}
    missing = [item for item in items if keys[item.pk] not in cached]
    if missing:
        prefetch_related_objects(
            missing,
            "captions",
            Prefetch("topics", queryset=Topic.objects.for_org(organization).order_by("name")),
        )
        # The request goes in as a variable (the links need its organization), not as the
        # request to render for: the context processors would run again for every card.
        rendered = {
            keys[item.pk]: (
                render_to_string(CARD_TEMPLATE, {"item": item, "request": request}),
                reverse(
                    "content:share_item",
                    kwargs={"org_slug": organization.slug, "item_id": item.public_id},
                ),
            )
            for item in missing
        }
        cache.set_many(rendered, CARD_CACHE_SECONDS)
        cached.update(rendered)
    for item in items:
        html, share_url = cached[keys[item.pk]]
        item.card_html = _safe(html)  # type: ignore[attr-defined]
        item.share_url = share_url  # type: ignore[attr-defined]


def _safe(html: Any) -> SafeString:
    # Rendered by our own template, escaped there; the cache gives back a plain str.
    return mark_safe(str(html))
