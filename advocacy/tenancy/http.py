"""The request type of tenant views: what TenantMiddleware and @role_required guarantee."""

from __future__ import annotations

from typing import TYPE_CHECKING

from advocacy.accounts.http import AuthenticatedRequest

if TYPE_CHECKING:
    from .models import Membership, Organization


class OrgRequest(AuthenticatedRequest):
    """A request under /o/<slug>/."""

    organization: Organization
    membership: Membership
