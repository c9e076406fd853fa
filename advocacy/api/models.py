"""Personal API tokens: a member's credential for one organization's API.

Only the SHA-256 of a token's secret is stored. The token is shown once, when it is made;
the short prefix in it finds the row without revealing anything. A token acts as its member,
with the member's role as it is at each request, and stops working at once when it expires,
is revoked, or its member or user is deactivated.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from advocacy.tenancy.models import Membership, TenantModel
from advocacy.tenancy.querysets import TenantManager, TenantQuerySet


class ApiTokenQuerySet(TenantQuerySet[Any]):
    def usable(self, now: datetime) -> ApiTokenQuerySet:
        """Tokens neither revoked nor expired (whether their member is active is checked
        when one is used)."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


ApiTokenManager = TenantManager.from_queryset(ApiTokenQuerySet)


class ApiToken(TenantModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    # The member the token acts as; always the same user's membership of the organization.
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    # Found by this alone, before the organization is known (like a tracked link's code).
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects: ClassVar[ApiTokenManager] = ApiTokenManager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")), name="apitoken_expires_later"
            ),
        ]
        indexes = [models.Index(fields=["organization", "user"], name="apitoken_org_user")]

    def __str__(self) -> str:
        return self.name

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now
