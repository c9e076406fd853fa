"""Platform staff's view of every organization (/admin/ runs unscoped for staff)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry, Invitation, Membership, Organization, Team, TenantModel


class TenantAdminForm(forms.ModelForm):
    """Refuses a related row (a team, say) that belongs to another organization."""

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        organization = cleaned.get("organization")
        organization_id = organization.pk if organization else self.instance.organization_id
        for name, value in list(cleaned.items()):
            if isinstance(value, TenantModel) and value.organization_id != organization_id:
                self.add_error(name, _("Choose one that belongs to the same organization."))
        return cleaned


class TenantAdmin(admin.ModelAdmin):
    form = TenantAdminForm
    readonly_fields = ["public_id"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        # Platform staff look across organizations on purpose.
        queryset = self.model.all_tenants.get_queryset()
        ordering = self.get_ordering(request)
        if ordering:
            queryset = queryset.order_by(*ordering)
        return queryset


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "time_zone", "language", "currency", "created_at"]
    list_filter = ["language"]
    search_fields = ["name", "slug", "linkedin_page_urn"]
    readonly_fields = ["public_id", "created_at"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Team)
class TeamAdmin(TenantAdmin):
    list_display = ["name", "organization", "created_at"]
    list_select_related = ["organization"]
    search_fields = ["name", "organization__name", "organization__slug"]
    autocomplete_fields = ["organization"]
    readonly_fields = ["public_id", "created_at"]


@admin.register(Membership)
class MembershipAdmin(TenantAdmin):
    list_display = ["user", "organization", "role", "team", "is_active", "opted_in_at", "joined_at"]
    list_select_related = ["user", "organization", "team"]
    list_filter = ["role", "is_active"]
    search_fields = ["user__email", "user__name", "organization__name", "organization__slug"]
    autocomplete_fields = ["organization", "user", "team"]
    readonly_fields = ["public_id", "joined_at", "deactivated_at"]


@admin.register(Invitation)
class InvitationAdmin(TenantAdmin):
    list_display = [
        "email",
        "organization",
        "role",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    list_select_related = ["organization"]
    list_filter = ["role"]
    search_fields = ["email", "organization__name", "organization__slug"]
    autocomplete_fields = ["organization", "team", "invited_by"]
    readonly_fields = ["public_id", "created_at", "accepted_at", "accepted_by"]


@admin.register(AuditEntry)
class AuditEntryAdmin(TenantAdmin):
    """Read-only: the trail is what happened, so nobody edits it after the fact."""

    list_display = ["created_at", "organization", "actor", "action", "summary"]
    list_select_related = ["organization", "actor"]
    list_filter = ["action"]
    search_fields = ["summary", "action", "actor__email", "organization__name"]
    readonly_fields = [
        "public_id",
        "organization",
        "actor",
        "action",
        "summary",
        "data",
        "created_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
