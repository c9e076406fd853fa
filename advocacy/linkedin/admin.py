"""Platform staff's read-only view of LinkedIn connections; tokens are never shown."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from advocacy.tenancy.admin import TenantAdmin

from .models import Connection, PageConnection

TOKEN_FIELDS = ["access_token_encrypted", "refresh_token_encrypted"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Connections change only through consent; staff can look, and delete."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Connection)
class ConnectionAdmin(ReadOnlyAdmin):
    list_display = ["name", "user", "status", "access_token_expires_at", "connected_at"]
    list_filter = ["status"]
    list_select_related = ["user"]
    search_fields = ["name", "sub", "email", "user__email"]
    exclude = TOKEN_FIELDS


@admin.register(PageConnection)
class PageConnectionAdmin(ReadOnlyAdmin, TenantAdmin):
    list_display = ["page_urn", "organization", "status", "access_token_expires_at", "connected_at"]
    list_filter = ["status"]
    list_select_related = ["organization"]
    search_fields = ["page_urn", "page_name", "organization__name", "organization__slug"]
    exclude = TOKEN_FIELDS
