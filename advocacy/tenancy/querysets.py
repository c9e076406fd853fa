"""Scoped reads for tenant models."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.db import models

from .pagecache import AnnouncedWrites
from .scope import UNSCOPED, TenantScopeError, current_scope

if TYPE_CHECKING:
    from .models import Organization

M = TypeVar("M", bound=models.Model)


class TenantQuerySet(AnnouncedWrites, models.QuerySet[M], Generic[M]):
    """Tenant rows; writes of many rows at once drop the kept pages that show them."""

    def for_org(self, organization: Organization) -> TenantQuerySet[M]:
        return self.filter(organization=organization)


class TenantManager(models.Manager[M], Generic[M]):
    """Default manager of tenant models: filters by the organization in scope, or raises."""

    _queryset_class = TenantQuerySet

    def get_queryset(self) -> TenantQuerySet[M]:
        queryset: TenantQuerySet[M] = super().get_queryset()  # type: ignore[assignment]
        scope = current_scope()
        if scope is UNSCOPED:
            return queryset
        if scope is None:
            raise TenantScopeError(
                f"{self.model.__name__} was queried outside a tenant scope: use "
                f".objects.for_org(org), tenant_scope(org) or, deliberately, .all_tenants"
            )
        return queryset.filter(organization_id=scope.pk)  # type: ignore[union-attr]

    def for_org(self, organization: Organization) -> TenantQuerySet[M]:
        """Rows of one organization, whatever the scope."""
        queryset: TenantQuerySet[M] = super().get_queryset()  # type: ignore[assignment]
        return queryset.filter(organization=organization)


class MembershipQuerySet(TenantQuerySet[Any]):
    def active(self) -> MembershipQuerySet:
        return self.filter(is_active=True, user__is_active=True)

    def with_role(self, *roles: str) -> MembershipQuerySet:
        return self.filter(role__in=roles)

    def participants(self) -> MembershipQuerySet:
        """Members who opted in to the advocacy program."""
        return self.active().filter(opted_in_at__isnull=False)


class InvitationQuerySet(TenantQuerySet[Any]):
    def pending(self, now: Any) -> InvitationQuerySet:
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)


MembershipManager = TenantManager.from_queryset(MembershipQuerySet)
InvitationManager = TenantManager.from_queryset(InvitationQuerySet)


class AllTenantsManager(models.Manager.from_queryset(TenantQuerySet)):  # type: ignore[misc]
    """`all_tenants`: every organization's rows, unscoped, with the same announced writes."""
