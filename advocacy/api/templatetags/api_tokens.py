"""The profile page's API token section (the accounts app does not import this one)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.utils import timezone

from advocacy.tenancy.models import Membership, Organization

from ..models import ApiToken

register = template.Library()


@dataclass(frozen=True)
class TokenGroup:
    organization: Organization
    membership: Membership
    tokens: list[ApiToken]


@register.simple_tag
def api_tokens_of(user: Any) -> list[TokenGroup]:
    """The user's tokens that are not revoked, per organization they are active in, newest
    first; each token says whether it has `expired`."""
    if not getattr(user, "is_authenticated", False):
        return []
    now = timezone.now()
    # The user's own memberships and tokens, in every organization they belong to.
    memberships = list(
        Membership.all_tenants.filter(user=user, is_active=True)
        .select_related("organization")
        .order_by("organization__name", "pk")
    )
    tokens: dict[int, list[ApiToken]] = {membership.pk: [] for membership in memberships}
    for token in ApiToken.all_tenants.filter(
        user=user, revoked_at__isnull=True, membership__in=list(tokens)
    ).order_by("-created_at", "-pk"):
        token.expired = token.expires_at <= now
        tokens[token.membership_id].append(token)
    return [
        TokenGroup(membership.organization, membership, tokens[membership.pk])
        for membership in memberships
    ]
