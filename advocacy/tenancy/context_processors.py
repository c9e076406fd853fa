from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .models import Membership


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The current organization and membership, and the user's other organizations."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def memberships() -> list[Membership]:
        return list(
            Membership.all_tenants.filter(user=user, is_active=True)
            .select_related("organization")
            .order_by("organization__name")
        )

    return {
        "organization": getattr(request, "organization", None),
        "membership": getattr(request, "membership", None),
        # Evaluated only by templates that show the switcher.
        "my_memberships": memberships,
    }
