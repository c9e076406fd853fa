"""Request types for views: what the authentication and tenancy middleware guarantee."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from advocacy.accounts.models import User

    from .models import Membership, Organization


class AuthenticatedRequest(HttpRequest):
    """A request behind login_required."""

    user: User


class OrgRequest(AuthenticatedRequest):
    """A request under /o/<slug>/, after TenantMiddleware and @role_required."""

    organization: Organization
    membership: Membership
