"""Campaigns: a named push with a purpose, a period, hashtags and targets."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from advocacy.tenancy.audience import AudienceFields
from advocacy.tenancy.models import Team, TenantModel

from .querysets import CampaignManager


class Campaign(AudienceFields, TenantModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        LIVE = "live", _("Live")
        ENDED = "ended", _("Ended")

    name = models.CharField(_("name"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True, help_text=_("Why this campaign runs."))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    hashtags = models.CharField(
        _("hashtags"),
        max_length=300,
        blank=True,
        help_text=_("Separated by spaces, for example #hiring #nordiclife."),
    )
    target_shares = models.PositiveIntegerField(_("target: shares"), null=True, blank=True)
    target_reach = models.PositiveIntegerField(_("target: reach"), null=True, blank=True)
    target_clicks = models.PositiveIntegerField(_("target: clicks"), null=True, blank=True)
    audience_teams = models.ManyToManyField(
        Team,
        through="CampaignAudienceTeam",
        verbose_name=_("teams"),
        related_name="+",
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[CampaignManager] = CampaignManager()

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.UniqueConstraint(fields=["organization", "id"], name="campaign_org_id"),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(starts_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["organization", "status"], name="campaign_org_status")]

    def __str__(self) -> str:
        return self.name

    @property
    def hashtag_list(self) -> list[str]:
        return self.hashtags.split()

    @property
    def has_targets(self) -> bool:
        return any(
            target is not None
            for target in (self.target_shares, self.target_reach, self.target_clicks)
        )


class CampaignAudienceTeam(TenantModel):
    """A team a campaign is for (a campaign with none is for everyone)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("campaign audience team")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "campaign", "team"], name="campaign_audience_team_unique"
            )
        ]
        indexes = [
            models.Index(fields=["organization", "campaign"], name="campaign_audience_org_camp")
        ]
