"""Request types for views behind a login."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from .models import User


class AuthenticatedRequest(HttpRequest):
    """A request behind login_required."""

    user: User
