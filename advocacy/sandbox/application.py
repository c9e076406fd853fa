"""The simulated developer application: the scopes it may hold, and the sandbox's clock."""

from __future__ import annotations

from django.utils import timezone

from .models import App

# Every scope of linkedin-api.md section 2 that LinkedIn still grants: an application with
# every product approved. A scenario's `app.scopes` narrows it (e.g. to the self-serve set).
DEFAULT_SCOPES: tuple[str, ...] = (
    "openid",
    "profile",
    "email",
    "w_member_social",
    "r_member_social",
    "r_member_postAnalytics",
    "r_member_profileAnalytics",
    "r_basicprofile",
    "r_1st_connections_size",
    "w_organization_social",
    "r_organization_social",
    "rw_organization_admin",
    "r_organization_followers",
    "r_organization_social_feed",
    "w_organization_social_feed",
    "r_member_social_feed",
    "w_member_social_feed",
)
# Retired with the old Sign In (2023-08-01): known, never granted.
RETIRED_SCOPES: tuple[str, ...] = ("r_liteprofile", "r_emailaddress")
KNOWN_SCOPES = frozenset(DEFAULT_SCOPES + RETIRED_SCOPES)

ACCESS_TOKEN_SECONDS = 60 * 24 * 3600 - 1  # LinkedIn answers 5183999
REFRESH_TOKEN_SECONDS = 365 * 24 * 3600 - 1  # and 31535999
CODE_SECONDS = 30 * 60


def current_app() -> App:
    """The application row; a sandbox nobody loaded a scenario into gets the defaults."""
    app = App.objects.filter(pk=1).first()
    if app is None:
        now = timezone.now()
        app, _ = App.objects.get_or_create(
            pk=1,
            defaults={
                "today": now.date(),
                "scopes": list(DEFAULT_SCOPES),
                "refresh_tokens": True,
                "seed": 0,
                "loaded_at": now,
            },
        )
    return app
