"""The profile page's API token section (the accounts app does not import this one)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from ..models import ApiToken

register = template.Library()


@register.simple_tag
def api_tokens_of(user: Any) -> list[ApiToken]:
    """The user's tokens that are not revoked, newest first, each with `expired`."""
    if not getattr(user, "is_authenticated", False):
        return []
    now = timezone.now()
    # The user's own tokens, in every organization they belong to.
    found = list(
        ApiToken.all_tenants.filter(user=user, revoked_at__isnull=True)
        .select_related("organization")
        .order_by("-created_at")
    )
    for token in found:
        token.expired = token.expires_at <= now
    return found
