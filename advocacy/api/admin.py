from django.contrib import admin

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Platform staff see who holds tokens and may revoke one; the secret is never stored."""

    list_display = ["name", "user", "organization", "prefix", "expires_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__email", "organization__name", "prefix"]
    readonly_fields = [
        "public_id",
        "organization",
        "user",
        "membership",
        "prefix",
        "created_at",
        "last_used_at",
    ]
    exclude = ["secret_hash"]
