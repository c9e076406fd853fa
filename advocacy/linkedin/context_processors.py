from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from . import banner


def connection_banner(request: HttpRequest) -> dict[str, Any]:
    """`linkedin_banner`: the user's connection when it is expiring, expired or revoked.

    A callable, so pages that do not render the banner (mail, API) never look.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"linkedin_banner": lambda: banner.banner_for(user)}
