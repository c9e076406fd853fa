"""Curated content employees can share, with suggested captions, grouped into campaigns.

Also the employees' posts made from it (or of their own), their publishing attempts, and the
tracked short links in them with their clicks.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from advocacy.tenancy.audience import AudienceFields
from advocacy.tenancy.models import Membership, Team, TenantModel
from campaigns.models import Campaign

from .querysets import ContentItemManager, PostManager

# LinkedIn's limit for a post's commentary.
MAX_COMMENTARY_LENGTH = 3000
# Enough to offer a choice of tone; more and nobody reads them.
MAX_CAPTIONS = 3


def _media_path(folder: str, instance: Any, filename: str) -> str:
    """An unguessable name under the organization's folder; the uploader's file name is kept
    out of the path (it may say more than the image does)."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"orgs/{instance.organization.public_id}/{folder}/{uuid.uuid4().hex}{suffix}"


def item_image_path(instance: Any, filename: str) -> str:
    return _media_path("images", instance, filename)


def preview_image_path(instance: Any, filename: str) -> str:
    return _media_path("previews", instance, filename)


def post_image_path(instance: Any, filename: str) -> str:
    return _media_path("posts", instance, filename)


class Topic(TenantModel):
    """A subject content is about; the program's agenda is made of these."""

    name = models.CharField(_("name"), max_length=80)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        constraints = [
            models.UniqueConstraint(fields=["organization", "id"], name="topic_org_id"),
            models.UniqueConstraint("organization", Lower("name"), name="topic_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class FeedSource(TenantModel):
    """An RSS or Atom feed (the company blog, the job board) whose new entries become drafts."""

    name = models.CharField(_("name"), max_length=200)
    url = models.URLField(_("feed address"), max_length=2000)
    default_kind = models.CharField(
        _("new items are"),
        max_length=20,
        choices=[("article", _("Article or link")), ("job", _("Job opening"))],
        default="article",
    )
    is_company_content = models.BooleanField(
        _("about the company"),
        default=True,
        help_text=_("Whether its entries count as company content in the 80/20 mix."),
    )
    is_active = models.BooleanField(_("polled"), default=True)
    # Conditional GET: what the server said last time.
    etag = models.CharField(max_length=500, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    last_polled_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last read"), null=True, blank=True)
    last_error = models.CharField(_("last problem"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("feed")
        verbose_name_plural = _("feeds")
        constraints = [
            models.UniqueConstraint(fields=["organization", "id"], name="feedsource_org_id"),
            models.UniqueConstraint(fields=["organization", "url"], name="feedsource_unique_url"),
        ]
        indexes = [
            models.Index(fields=["organization", "is_active"], name="feedsource_org_active"),
        ]

    def __str__(self) -> str:
        return self.name


class PreviewStatus(models.TextChoices):
    NONE = "none", _("No link")
    PENDING = "pending", _("Being fetched")
    FETCHED = "fetched", _("Fetched")
    FAILED = "failed", _("Could not be fetched")
    EDITED = "edited", _("Written by hand")


class ContentItem(AudienceFields, TenantModel):
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
    image = models.ImageField(_("image"), upload_to=item_image_path, blank=True)
    image_alt_text = models.CharField(
        _("image description"),
        max_length=300,
        blank=True,
        help_text=_("What the image shows, for people who cannot see it."),
    )
    campaigns = models.ManyToManyField(
        Campaign, through="CampaignItem", related_name="content_items", blank=True
    )
    topics = models.ManyToManyField(
        Topic, through="ItemTopic", related_name="content_items", blank=True
    )
    audience_teams = models.ManyToManyField(
        Team, through="ItemAudienceTeam", verbose_name=_("teams"), related_name="+", blank=True
    )
    # The link preview: fetched from the page (Open Graph, Twitter card, title), editable by
    # comms. LinkedIn builds no preview itself; a shared link carries these.
    preview_status = models.CharField(
        _("preview"), max_length=20, choices=PreviewStatus.choices, default=PreviewStatus.NONE
    )
    preview_title = models.CharField(_("preview title"), max_length=300, blank=True)
    preview_description = models.TextField(_("preview description"), blank=True)
    preview_site_name = models.CharField(_("site name"), max_length=200, blank=True)
    preview_image = models.ImageField(_("preview image"), upload_to=preview_image_path, blank=True)
    preview_error = models.CharField(_("preview problem"), max_length=300, blank=True)
    preview_fetched_at = models.DateTimeField(null=True, blank=True)
    source_feed = models.ForeignKey(
        FeedSource,
        verbose_name=_("from the feed"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="items",
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
            ),
            # The library's order: its first page is read off the index, not sorted from
            # every item of the organization.
            models.Index(
                fields=["organization", "-featured", "-created_at", "-id"],
                name="contentitem_org_library",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def card_title(self) -> str:
        """The title a shared link shows on LinkedIn."""
        return self.preview_title or self.title

    @property
    def card_description(self) -> str:
        return self.preview_description or self.description

    @property
    def card_image(self) -> Any:
        """The thumbnail of a shared link: the fetched or edited preview, else the item's own."""
        return self.preview_image or self.image


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


class ItemTopic(TenantModel):
    content_item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("item topic")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "content_item", "topic"], name="itemtopic_unique"
            )
        ]
        indexes = [models.Index(fields=["organization", "topic"], name="itemtopic_org_topic")]


class ItemAudienceTeam(TenantModel):
    """A team an item is for (an item with none is for everyone)."""

    content_item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("item audience team")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "content_item", "team"], name="itemaudience_unique"
            )
        ]
        indexes = [
            models.Index(fields=["organization", "content_item"], name="itemaudience_org_item")
        ]


class FeedEntry(TenantModel):
    """An entry a feed has shown, so each becomes at most one draft."""

    feed = models.ForeignKey(FeedSource, on_delete=models.CASCADE, related_name="entries")
    # sha256 of the entry's GUID (or, without one, its link): GUIDs can be long.
    key = models.CharField(max_length=64)
    guid = models.TextField(blank=True)
    url = models.URLField(max_length=2000, blank=True)
    content_item = models.ForeignKey(
        ContentItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("feed entry")
        verbose_name_plural = _("feed entries")
        constraints = [
            models.UniqueConstraint(fields=["organization", "feed", "key"], name="feedentry_unique")
        ]


class Post(TenantModel):
    """An employee's LinkedIn post: a share of a library item in their words, or their own.

    Only the author ever changes its text (services.py enforces it). Publishing is at most
    once: `sent_at` is written before the call to LinkedIn and cleared only when LinkedIn
    certainly made nothing, so a post whose outcome is unknown is reconciled, never simply
    sent again (publishing.py).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHING = "publishing", _("Publishing")
        PUBLISHED = "published", _("Published")
        FAILED = "failed", _("Failed")
        DELETED = "deleted", _("Deleted")

    class Visibility(models.TextChoices):
        PUBLIC = "PUBLIC", _("Anyone on or off LinkedIn")
        CONNECTIONS = "CONNECTIONS", _("Your connections only")

    author = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    content_item = models.ForeignKey(
        ContentItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts"
    )
    caption = models.ForeignKey(
        Caption, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Shared within this campaign (the campaign pages count posts by this reverse name).
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts"
    )
    text = models.TextField(_("text"), max_length=MAX_COMMENTARY_LENGTH)
    link_url = models.URLField(_("link"), max_length=2000, blank=True)
    link_title = models.CharField(_("link title"), max_length=300, blank=True)
    link_description = models.TextField(_("link description"), blank=True)
    link_image = models.ImageField(upload_to=post_image_path, blank=True)
    image = models.ImageField(_("image"), upload_to=post_image_path, blank=True)
    image_alt_text = models.CharField(_("image description"), max_length=300, blank=True)
    is_company_content = models.BooleanField(_("about the company"), default=False)
    visibility = models.CharField(
        _("who can see it"), max_length=20, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    scheduled_for = models.DateTimeField(_("publish at"), null=True, blank=True)
    # When the publisher may next try; moves back after a passing failure.
    next_attempt_at = models.DateTimeField(null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    claim_id = models.UUIDField(null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Uploaded to LinkedIn once, reused by a retry.
    image_urn = models.CharField(max_length=200, blank=True, editable=False)
    waiting_reason = models.CharField(max_length=300, blank=True, editable=False)
    failure_reason = models.CharField(max_length=500, blank=True, editable=False)
    failure_code = models.CharField(max_length=60, blank=True, editable=False)
    linkedin_urn = models.CharField(_("LinkedIn post"), max_length=200, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    linkedin_deleted_at = models.DateTimeField(null=True, blank=True)
    delete_error = models.CharField(max_length=500, blank=True)
    # The latest collected figures (dated snapshots are the analytics app's).
    impressions = models.PositiveIntegerField(null=True, blank=True)
    members_reached = models.PositiveIntegerField(null=True, blank=True)
    reactions = models.PositiveIntegerField(null=True, blank=True)
    comments = models.PositiveIntegerField(null=True, blank=True)
    reshares = models.PositiveIntegerField(null=True, blank=True)
    metrics_updated_at = models.DateTimeField(null=True, blank=True)
    # The composer's one-time key: a form sent twice makes one post.
    form_key = models.UUIDField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[PostManager] = PostManager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        constraints = [
            models.UniqueConstraint(fields=["organization", "id"], name="post_org_id"),
            models.UniqueConstraint(
                fields=["organization", "author", "form_key"], name="post_unique_form_key"
            ),
            models.UniqueConstraint(
                fields=["organization", "linkedin_urn"],
                condition=~models.Q(linkedin_urn=""),
                name="post_unique_linkedin_urn",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="scheduled") | models.Q(scheduled_for__isnull=False),
                name="post_scheduled_has_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="published") | ~models.Q(linkedin_urn=""),
                name="post_published_has_urn",
            ),
        ]
        indexes = [
            models.Index(
                fields=["organization", "author", "-created_at"], name="post_org_author_created"
            ),
            models.Index(fields=["organization", "content_item"], name="post_org_item"),
            models.Index(fields=["organization", "campaign"], name="post_org_campaign"),
            # Published posts, newest first; it also carries what the reports count (author,
            # company content), so counting a range's posts reads the index alone
            # (PostgreSQL). Published posts only: with the status as a column, the planner
            # took it for one post's claim checks during a burst (its statistics did not yet
            # know thousands were publishing) and walked every publishing post each time.
            models.Index(
                fields=["organization", "-published_at"],
                include=["author", "is_company_content"],
                condition=models.Q(status="published"),
                name="post_org_published",
            ),
            # Colleagues who shared an item, counted on the dashboard for each of its cards:
            # the published posts of the item with their authors, read from the index alone.
            models.Index(
                fields=["organization", "content_item", "author"],
                condition=models.Q(status="published"),
                name="post_org_item_published",
            ),
            # The publisher's scan: small, since only waiting posts are in it.
            models.Index(
                fields=["organization", "next_attempt_at"],
                condition=models.Q(status__in=["scheduled", "publishing"]),
                name="post_org_due",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def feed_url(self) -> str:
        if not self.linkedin_urn:
            return ""
        return f"https://www.linkedin.com/feed/update/{self.linkedin_urn}"

    @property
    def is_share(self) -> bool:
        return self.content_item_id is not None

    @property
    def is_editable(self) -> bool:
        return self.status in {self.Status.DRAFT, self.Status.SCHEDULED, self.Status.FAILED}

    @property
    def engagements(self) -> int | None:
        figures = (self.reactions, self.comments, self.reshares)
        if all(value is None for value in figures):
            return None
        return sum(value or 0 for value in figures)


class PublishAttempt(TenantModel):
    """One try at publishing a post, written before LinkedIn is called."""

    class Outcome(models.TextChoices):
        SENDING = "sending", _("Sending")
        PUBLISHED = "published", _("Published")
        RECONCILED = "reconciled", _("Found already published")
        NOT_SENT = "not_sent", _("Not published; will try again")
        UNKNOWN = "unknown", _("Outcome unknown; will check")
        FAILED = "failed", _("Failed")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="attempt_log")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    reconciling = models.BooleanField(default=False)
    # The claim the post was sent under; the attempt's outcome is written under it.
    claim_id = models.UUIDField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.SENDING)
    error_code = models.CharField(max_length=60, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    request_id = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = _("publishing attempt")
        indexes = [models.Index(fields=["organization", "post"], name="attempt_org_post")]


class TrackedLink(TenantModel):
    """An employee's own short link to what they shared: /l/<code> redirects and counts."""

    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="tracked_link")
    # Unguessable; the redirect finds the link by it alone, like public_id.
    code = models.CharField(max_length=24, unique=True, editable=False)
    destination = models.URLField(max_length=2500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tracked link")
        constraints = [
            models.UniqueConstraint(fields=["organization", "id"], name="trackedlink_org_id"),
        ]

    def __str__(self) -> str:
        return self.code


class Click(TenantModel):
    """A visit through a tracked link. No address is kept: only a hash, salted per day."""

    link = models.ForeignKey(TrackedLink, on_delete=models.CASCADE, related_name="clicks")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    clicked_at = models.DateTimeField()
    visitor_hash = models.CharField(max_length=32)
    is_bot = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("click")
        verbose_name_plural = _("clicks")
        indexes = [
            models.Index(fields=["organization", "link", "clicked_at"], name="click_org_link"),
            models.Index(fields=["organization", "clicked_at"], name="click_org_time"),
        ]


class VisitorSalt(models.Model):
    """The day's random salt of visitor hashes; deleted after two days, so that no hash can
    later be traced back to an address."""

    day = models.DateField(unique=True)
    salt = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("visitor salt")

    def __str__(self) -> str:
        return str(self.day)
