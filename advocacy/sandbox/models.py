"""LinkedIn's side of the world, as the sandbox simulates it.

None of these tables belongs to an organization: they stand for LinkedIn, which the platform
reaches over HTTP like any other client. A scenario file (docs/sandbox.md) fills them; the
simulated API then reads and writes them.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

from .querysets import AccessTokenManager, PostManager


class App(models.Model):
    """The developer application and the scenario's clock; one row (pk 1)."""

    today = models.DateField(help_text="The scenario's 'now' for what it describes.")
    scopes = models.JSONField(default=list, help_text="Scopes the application holds.")
    refresh_tokens = models.BooleanField(default=True)
    # Redirect URIs registered on the app's Auth tab; empty accepts any http(s) URI.
    redirect_uris = models.JSONField(default=list, blank=True)
    seed = models.BigIntegerField(default=0, help_text="Seeds every simulated random draw.")
    scenario_name = models.CharField(max_length=200, blank=True)
    # The digest of the scenario file as loaded (before any date shift), so a caller such as
    # seed_demo can tell whether the sandbox already holds it.
    scenario_digest = models.CharField(max_length=64, blank=True)
    loaded_at = models.DateTimeField()

    class Meta:
        verbose_name = "sandbox application"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="sandbox_app_single_row")]

    def __str__(self) -> str:
        return self.scenario_name or "sandbox"


class SigningKey(models.Model):
    """The RSA key the sandbox signs id_tokens with; generated once, kept across loads."""

    kid = models.CharField(max_length=64, unique=True)
    private_key_pem = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.kid


class Member(models.Model):
    """A LinkedIn member of the scenario; `sub` is the app-specific id (urn:li:person:<sub>)."""

    sub = models.CharField(max_length=64, unique=True)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    email = models.EmailField()
    locale = models.CharField(max_length=10, default="en_US")
    team = models.CharField(max_length=100, blank=True)
    headline = models.CharField(max_length=220, blank=True)
    vanity_name = models.CharField(max_length=100, blank=True)
    # Without a picture LinkedIn leaves `picture` out; an empty URL means the sandbox's avatar.
    has_picture = models.BooleanField(default=True)
    picture_url = models.URLField(max_length=500, blank=True)
    connections = models.PositiveIntegerField(default=0)
    # {"YYYY-MM-DD": followers}; interpolated between the dates (simulation.Series).
    followers = models.JSONField(default=dict)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "sub"]

    def __str__(self) -> str:
        return f"{self.name} ({self.sub})"

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def urn(self) -> str:
        return f"urn:li:person:{self.sub}"


class Page(models.Model):
    """A LinkedIn company page (urn:li:organization:<page_id>)."""

    page_id = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    vanity_name = models.CharField(max_length=100, blank=True)
    website = models.URLField(max_length=300, blank=True)
    followers = models.JSONField(default=dict)
    admins = models.ManyToManyField(Member, related_name="administered_pages", blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "page_id"]

    def __str__(self) -> str:
        return self.name

    @property
    def urn(self) -> str:
        return f"urn:li:organization:{self.page_id}"


class Post(models.Model):
    """A post by a member or a page, from the scenario or created through the API."""

    class Kind(models.TextChoices):
        SHARE = "share", "urn:li:share"
        UGC_POST = "ugcPost", "urn:li:ugcPost"

    class Origin(models.TextChoices):
        SCENARIO = "scenario"
        API = "api"

    urn = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SHARE)
    number = models.BigIntegerField(unique=True)
    origin = models.CharField(max_length=10, choices=Origin.choices)
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.CASCADE, related_name="posts"
    )
    page = models.ForeignKey(
        Page, null=True, blank=True, on_delete=models.CASCADE, related_name="posts"
    )
    # The text as LinkedIn kept it: cut at the first unescaped reserved character.
    commentary = models.TextField(blank=True)
    submitted_commentary = models.TextField(blank=True)
    visibility = models.CharField(max_length=20, default="PUBLIC")
    lifecycle_state = models.CharField(max_length=20, default="PUBLISHED")
    # The request body's `distribution`, `content`, `reshareContext` and friends, as sent.
    body = models.JSONField(default=dict)
    article_url = models.URLField(max_length=2000, blank=True)
    # The scenario's mark: a post about the company (the platform counts it in the 80/20 mix).
    company_content = models.BooleanField(default=False)
    # The page whose followers the post grows (company content), if any.
    company_page = models.ForeignKey(
        Page, null=True, blank=True, on_delete=models.SET_NULL, related_name="company_posts"
    )
    created_at = models.DateTimeField()
    deleted_at = models.DateTimeField(null=True, blank=True)
    # {"YYYY-MM-DD": {"impressions": n, ...}} for scenario posts; empty means "simulate".
    metrics = models.JSONField(default=dict)

    objects = PostManager()

    class Meta:
        ordering = ["created_at", "number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False, page__isnull=True)
                | Q(member__isnull=True, page__isnull=False),
                name="sandbox_post_one_author",
            )
        ]

    def __str__(self) -> str:
        return self.urn

    @property
    def author_urn(self) -> str:
        if self.member is not None:
            return self.member.urn
        assert self.page is not None
        return self.page.urn


class Image(models.Model):
    """An image registered with initializeUpload, and its bytes once PUT."""

    class Status(models.TextChoices):
        WAITING_UPLOAD = "WAITING_UPLOAD"
        AVAILABLE = "AVAILABLE"
        PROCESSING_FAILED = "PROCESSING_FAILED"

    urn = models.CharField(max_length=100, unique=True)
    owner_urn = models.CharField(max_length=100)
    upload_key = models.CharField(max_length=64, unique=True)
    upload_expires_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.WAITING_UPLOAD)
    media_type = models.CharField(max_length=50, blank=True)
    data = models.BinaryField(blank=True, default=b"")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.urn


class AuthorizationCode(models.Model):
    """A code handed to the redirect URI; single use, bound to its redirect URI."""

    code = models.CharField(max_length=200, unique=True)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    client_id = models.CharField(max_length=200)
    redirect_uri = models.URLField(max_length=2000)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"code for {self.member_id}"


class AccessToken(models.Model):
    """An access or refresh token. Tokens of one consent share a `grant`, revoked together."""

    class Kind(models.TextChoices):
        ACCESS = "access"
        REFRESH = "refresh"

    token = models.CharField(max_length=300, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    grant = models.UUIDField(db_index=True)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="tokens")
    client_id = models.CharField(max_length=200)
    scopes = models.JSONField(default=list)
    authorized_at = models.DateTimeField()
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Minted by `sandbox_load --create-members` for an organization's connection (its slug,
    # and "member" or "page"), not through the consent screen.
    provisioned_for = models.CharField(max_length=60, blank=True)
    provisioned_as = models.CharField(max_length=10, blank=True)

    objects = AccessTokenManager()

    class Meta:
        indexes = [models.Index(fields=["member", "kind"], name="sandbox_token_member_kind")]

    def __str__(self) -> str:
        return f"{self.kind} token of {self.member_id}"


class Fault(models.Model):
    """A scenario fault: an error status, latency or a revocation on matching calls."""

    position = models.PositiveIntegerField()
    endpoint = models.CharField(max_length=50, help_text="An operation name, or * for all.")
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    every = models.PositiveIntegerField(null=True, blank=True)
    rate = models.FloatField(null=True, blank=True)
    retry_after = models.PositiveIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(default=0)
    revoke_token_of = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    after_calls = models.PositiveIntegerField(default=0)
    fired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"fault {self.position} on {self.endpoint}"

    def as_dict(self) -> dict[str, Any]:
        return {
            key: value
            for key, value in {
                "endpoint": self.endpoint,
                "status": self.status,
                "every": self.every,
                "rate": self.rate,
                "retry_after": self.retry_after,
                "latency_ms": self.latency_ms or None,
                "revoke_token_of": self.revoke_token_of.sub if self.revoke_token_of else None,
                "after_calls": self.after_calls or None,
            }.items()
            if value is not None
        }


class CallCounter(models.Model):
    """Calls per operation per UTC day (LinkedIn's quotas reset at 00:00 UTC); '*' counts all."""

    day = models.DateField()
    endpoint = models.CharField(max_length=50)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "endpoint"], name="sandbox_counter_day_endpoint")
        ]

    def __str__(self) -> str:
        return f"{self.endpoint} on {self.day}: {self.count}"
