"""Request rates per personal API token and per user (settings.API_THROTTLE_RATES).

The counts live in the cache: Redis in production, so that every web process counts the
same requests; the per-process cache without it. A request over the rate is a 429 with
Retry-After. Keys use public ids, which are never reused.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken


class _SettingsRateThrottle(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        # Read on every request rather than once at import, so that the settings in force
        # (an operator's, a test's) are the ones applied.
        rate: str | None = settings.API_THROTTLE_RATES.get(self.scope)
        return rate


class TokenRateThrottle(_SettingsRateThrottle):
    """Requests made with one API token."""

    scope = "api_token"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.public_id}


class UserRateThrottle(_SettingsRateThrottle):
    """Requests made by one user, with any of their tokens or their browser session."""

    scope = "api_user"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not request.user or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.public_id}
