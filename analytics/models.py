"""What the platform knows of audiences and reach, by day (docs/metrics.md defines every figure).

Snapshots are what was measured: the company page's followers, each member's followers and
each post's figures, one row per subject per day (written by upsert, so collecting twice
changes nothing). Every figure says where it came from: LinkedIn's API, LinkedIn's own export
imported by the member, or a number entered by hand.

Rollups are what reports read: one row per organization, team and campaign per day, so a
report over a year reads hundreds of rows, not millions. They are recomputed, idempotently,
for the days whose snapshots or posts changed (rollups.py).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from advocacy.tenancy.models import Membership, Team, TenantModel
from campaigns.models import Campaign
from content.models import Post


class Source(models.TextChoices):
    API = "api", _("Measured through LinkedIn")
    IMPORTED = "imported", _("Imported from LinkedIn's export")
    ENTERED = "entered", _("Entered by hand")


class PageFollowers(TenantModel):
    """The company page's followers at the end of a day (the organization's time zone)."""

    day = models.DateField()
    followers = models.PositiveIntegerField()
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.API)
    collected_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("company page followers")
        verbose_name_plural = _("company page followers")
        constraints = [
            models.UniqueConstraint(fields=["organization", "day"], name="pagefollowers_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.followers}"


class MemberFollowers(TenantModel):
    """A participant's LinkedIn followers at the end of a day."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    followers = models.PositiveIntegerField()
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.API)
    collected_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("member followers")
        verbose_name_plural = _("member followers")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "membership", "day"], name="memberfollowers_day"
            ),
        ]
        indexes = [models.Index(fields=["organization", "day"], name="memberfollowers_org_day")]

    def __str__(self) -> str:
        return f"{self.membership_id} {self.day}: {self.followers}"


class PostMetrics(TenantModel):
    """A post's figures as they stood at the end of a day: totals since it was published.

    A figure LinkedIn had no data for is None ("missing"), never 0.
    """

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    impressions = models.PositiveIntegerField(null=True, blank=True)
    members_reached = models.PositiveIntegerField(null=True, blank=True)
    reactions = models.PositiveIntegerField(null=True, blank=True)
    comments = models.PositiveIntegerField(null=True, blank=True)
    reshares = models.PositiveIntegerField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.API)
    collected_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("post figures")
        verbose_name_plural = _("post figures")
        constraints = [
            models.UniqueConstraint(fields=["organization", "post", "day"], name="postmetrics_day"),
        ]

    def __str__(self) -> str:
        return f"{self.post_id} {self.day}"


class DayFigures(models.Model):
    """The figures of one day, summed over the posts published that day (their latest
    values) and the clicks made that day. Bots are in no figure."""

    day = models.DateField()
    posts = models.PositiveIntegerField(default=0)
    company_posts = models.PositiveIntegerField(default=0)
    job_posts = models.PositiveIntegerField(default=0)
    authors = models.PositiveIntegerField(default=0)
    # Sums over the posts that have the figure, and how many do (the rest are missing).
    impressions = models.PositiveBigIntegerField(default=0)
    members_reached = models.PositiveBigIntegerField(default=0)
    reactions = models.PositiveBigIntegerField(default=0)
    comments = models.PositiveBigIntegerField(default=0)
    reshares = models.PositiveBigIntegerField(default=0)
    posts_with_figures = models.PositiveIntegerField(default=0)
    job_impressions = models.PositiveBigIntegerField(default=0)
    clicks = models.PositiveIntegerField(default=0)
    unique_clicks = models.PositiveIntegerField(default=0)
    job_clicks = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.day}"


class OrganizationDay(DayFigures, TenantModel):
    """The organization's day, with its audiences: the page's followers and the sum of the
    participants' followers (last known on or before the day)."""

    company_followers = models.PositiveIntegerField(null=True, blank=True)
    employee_followers = models.PositiveBigIntegerField(null=True, blank=True)
    employees_with_followers = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("organization day")
        constraints = [
            models.UniqueConstraint(fields=["organization", "day"], name="organizationday_day"),
        ]


class TeamDay(DayFigures, TenantModel):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("team day")
        constraints = [
            models.UniqueConstraint(fields=["organization", "team", "day"], name="teamday_day"),
        ]
        indexes = [models.Index(fields=["organization", "day"], name="teamday_org_day")]


class CampaignDay(DayFigures, TenantModel):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("campaign day")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "campaign", "day"], name="campaignday_day"
            ),
        ]
        indexes = [models.Index(fields=["organization", "day"], name="campaignday_org_day")]


class PendingRollupDay(TenantModel):
    """A day whose rollups wait to be recomputed. The workers' collection marks the days it
    touched, and one task a little later recomputes them for every member at once, instead
    of once per member (rollups.recompute_pending, tasks.recompute_pending_rollups)."""

    day = models.DateField()
    marked_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("day waiting for its rollups")
        constraints = [
            models.UniqueConstraint(fields=["organization", "day"], name="pendingrollupday_day"),
        ]
