"""Platform staff's view of the content tables (the site admin runs unscoped)."""

from django.contrib import admin
from django.http import HttpRequest

from .models import CampaignItem, Caption, ContentItem


class CaptionInline(admin.TabularInline):
    model = Caption
    fields = ["position", "text"]
    readonly_fields = ["position", "text"]
    extra = 0
    can_delete = False


@admin.register(ContentItem)
class ContentItemAdmin(admin.ModelAdmin):
    list_display = ["title", "organization", "kind", "status", "is_company_content", "featured"]
    list_filter = ["kind", "status", "is_company_content", "featured"]
    list_select_related = ["organization"]
    search_fields = ["title", "organization__name", "public_id"]
    readonly_fields = ["public_id", "organization", "created_by", "created_at", "updated_at"]
    inlines = [CaptionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Content belongs to an organization; its comms team adds it in the product.
        return False


@admin.register(CampaignItem)
class CampaignItemAdmin(admin.ModelAdmin):
    list_display = ["content_item", "campaign", "organization", "added_at"]
    list_select_related = ["content_item", "campaign", "organization"]
    readonly_fields = ["public_id", "organization", "campaign", "content_item", "added_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
