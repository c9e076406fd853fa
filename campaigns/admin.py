"""Platform staff's view of campaigns (the site admin runs unscoped)."""

from django.contrib import admin
from django.http import HttpRequest

from .models import Campaign


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "status", "starts_on", "ends_on"]
    list_filter = ["status"]
    list_select_related = ["organization"]
    search_fields = ["name", "organization__name", "public_id"]
    readonly_fields = ["public_id", "organization", "created_by", "created_at", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Campaigns belong to an organization; its comms team starts them in the product.
        return False
