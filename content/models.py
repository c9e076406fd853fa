"""Curated content employees can share, with suggested captions, grouped into campaigns."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from advocacy.tenancy.models import TenantModel
from campaigns.models import Campaign

from .querysets import ContentItemManager

# LinkedIn's limit for a post's commentary.
MAX_COMMENTARY_LENGTH = 3000
# Enough to offer a choice of tone; more and nobody reads them.
MAX_CAPTIONS = 3


class ContentItem(TenantModel):
    class Kind(models.TextChoices):
        ARTICLE = "article", _("Article or link")
        JOB = "job", _("Job opening")
        IMAGE = "image", _("Image")
        TIP = "tip", _("Tip (text only)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("In the library")
        ARCHIVED = "archived", _("Archived")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ARTICLE)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PUBLISHED
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    url = models.URLField(_("link"), max_length=2000, blank=True)
    is_company_content = models.BooleanField(
        _("about the company"),
        default=True,
        help_text=_(
            "Company news, jobs and products. About 20 % of what people share should be this; "
            "the rest informative, helpful or personal."
        ),
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    available_from = models.DateTimeField(_("available from"), null=True, blank=True)
    available_until = models.DateTimeField(_("available until"), null=True, blank=True)
    featured = models.BooleanField(_("featured"), default=False)
    campaigns = models.ManyToManyField(
        Campaign, through="CampaignItem", related_name="content_items", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[ContentItemManager] = ContentItemManager()

    class Meta:
        ordering = ["-featured", "-created_at"]
        verbose_name = _("content item")
        verbose_name_plural = _("content items")
        constraints = [
            models.UniqueConstraint(fields=["organization", "id"], name="contentitem_org_id"),
            models.CheckConstraint(
                condition=models.Q(available_until__isnull=True)
                | models.Q(available_from__isnull=True)
                | models.Q(available_until__gt=models.F("available_from")),
                name="contentitem_window_order",
            ),
        ]
        indexes = [
            models.Index(
                fields=["organization", "status", "-created_at"], name="contentitem_org_status"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Caption(TenantModel):
    """A suggested caption comms wrote for an item; employees pick one and make it their own."""

    content_item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="captions")
    text = models.TextField(_("caption"), max_length=MAX_COMMENTARY_LENGTH)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("suggested caption")
        verbose_name_plural = _("suggested captions")
        constraints = [
            models.UniqueConstraint(fields=["organization", "id"], name="caption_org_id"),
            models.UniqueConstraint(
                fields=["organization", "content_item", "position"], name="caption_unique_position"
            ),
        ]
        indexes = [models.Index(fields=["organization", "content_item"], name="caption_org_item")]

    def __str__(self) -> str:
        return self.text[:60]


class CampaignItem(TenantModel):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    content_item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("campaign item")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "campaign", "content_item"], name="campaignitem_unique"
            )
        ]
        indexes = [
            models.Index(fields=["organization", "campaign"], name="campaignitem_org_campaign")
        ]
