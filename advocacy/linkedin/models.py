"""LinkedIn connections: a member's own account, and an organization's company page.

Tokens are stored only as Fernet ciphertext (crypto.py); the `access_token` and
`refresh_token` properties decrypt on use, so a page that merely shows a connection's status
never touches a key.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from advocacy.tenancy.models import Role, TenantModel

from . import crypto, scopes
from .querysets import (
    ConnectionManager,
    PageConnectionAllTenantsManager,
    PageConnectionManager,
)

PAGE_URN_PATTERN = r"^urn:li:organization:\d+$"
# Who may connect and disconnect the organization's company page: its tokens act for the
# whole organization, so not the facilitator from outside.
PAGE_ROLES = frozenset({Role.ADMIN, Role.COMMS})


def member_urn(sub: str) -> str:
    """The member's URN, as LinkedIn expects it in `author` and `owner`."""
    return f"urn:li:person:{sub}"


class ConnectionStatus(models.TextChoices):
    ACTIVE = "active", _("Connected")
    EXPIRING_SOON = "expiring_soon", _("Expiring soon")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Access withdrawn")
    ERROR = "error", _("Needs attention")


# Statuses in which the stored token no longer works: only a new consent helps.
RECONNECT_STATUSES = frozenset({ConnectionStatus.EXPIRED, ConnectionStatus.REVOKED})


class LinkedInTokens(models.Model):
    """An OAuth grant from LinkedIn: encrypted tokens, their lifetimes, scopes and health."""

    Status = ConnectionStatus

    access_token_encrypted = models.TextField(editable=False)
    access_token_expires_at = models.DateTimeField(_("access expires"))
    refresh_token_encrypted = models.TextField(editable=False, blank=True, default="")
    refresh_token_expires_at = models.DateTimeField(
        _("renewal possible until"), null=True, blank=True
    )
    token_issued_at = models.DateTimeField(_("token issued"))
    scopes = models.JSONField(_("permissions"), default=list, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ConnectionStatus.choices,
        default=ConnectionStatus.ACTIVE,
    )
    last_error = models.TextField(_("last problem"), blank=True)
    # Set when the owner was told the connection is about to stop working; cleared when it
    # works again, so each expiry episode sends one email.
    expiry_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    connected_at = models.DateTimeField(_("connected"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    @property
    def access_token(self) -> str:
        return crypto.decrypt(self.access_token_encrypted)

    @access_token.setter
    def access_token(self, value: str) -> None:
        self.access_token_encrypted = crypto.encrypt(value)

    @property
    def refresh_token(self) -> str:
        return crypto.decrypt(self.refresh_token_encrypted)

    @refresh_token.setter
    def refresh_token(self, value: str) -> None:
        self.refresh_token_encrypted = crypto.encrypt(value)

    @property
    def has_refresh_token(self) -> bool:
        return bool(self.refresh_token_encrypted)

    @property
    def usable_until(self) -> datetime:
        """When it stops working unless renewed by a new consent (see querysets)."""
        if (
            self.has_refresh_token
            and self.refresh_token_expires_at is not None
            and self.refresh_token_expires_at > self.access_token_expires_at
        ):
            return self.refresh_token_expires_at
        return self.access_token_expires_at

    @property
    def needs_reconnect(self) -> bool:
        return self.status in RECONNECT_STATUSES

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def scope_descriptions(self) -> list[tuple[str, str]]:
        """(scope, what it lets the platform do) for every granted scope."""
        return [(scope, scopes.describe(scope)) for scope in self.scopes]


class Connection(LinkedInTokens):
    """A user's own LinkedIn account, used in every organization they belong to."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="linkedin_connection"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # LinkedIn's member id for this application (OIDC `sub`); one account, one user here.
    sub = models.CharField(_("LinkedIn member id"), max_length=100, unique=True)
    member_urn = models.CharField(_("member URN"), max_length=130)
    name = models.CharField(_("name on LinkedIn"), max_length=200, blank=True)
    picture_url = models.URLField(_("photo"), max_length=2000, blank=True)
    email = models.EmailField(_("email on LinkedIn"), blank=True)

    objects: ClassVar[Any] = ConnectionManager()

    class Meta:
        verbose_name = _("LinkedIn connection")
        verbose_name_plural = _("LinkedIn connections")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ConnectionStatus.values),
                name="linkedin_connection_status_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "access_token_expires_at"], name="linkedin_conn_status_exp"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name or self.sub} ({self.user})"

    @property
    def can_publish(self) -> bool:
        """Holds the publishing permission and a token that still works."""
        return self.has_scope(scopes.PUBLISH) and not self.needs_reconnect

    @property
    def has_analytics(self) -> bool:
        return any(self.has_scope(scope) for scope in scopes.ANALYTICS)

    def unavailable_figures(self) -> list[scopes.Unavailable]:
        """What this connection cannot publish or collect, and why, in plain words."""
        return scopes.unavailable_for(self.scopes)


class PageConnection(TenantModel, LinkedInTokens):
    """The organization's LinkedIn company page, connected by one of its page administrators."""

    page_urn = models.CharField(
        _("company page"),
        max_length=100,
        validators=[
            RegexValidator(PAGE_URN_PATTERN, _("Use the form urn:li:organization:<number>."))
        ],
    )
    page_name = models.CharField(_("page name"), max_length=200, blank=True)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("connected by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects: ClassVar[Any] = PageConnectionManager()
    all_tenants: ClassVar[Any] = PageConnectionAllTenantsManager()

    class Meta:
        verbose_name = _("LinkedIn company page connection")
        verbose_name_plural = _("LinkedIn company page connections")
        constraints = [
            models.UniqueConstraint(fields=["organization", "id"], name="linkedin_page_org_id"),
            models.UniqueConstraint(fields=["organization"], name="linkedin_page_one_per_org"),
            models.CheckConstraint(
                condition=models.Q(status__in=ConnectionStatus.values),
                name="linkedin_page_status_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["organization", "status", "access_token_expires_at"],
                name="linkedin_page_org_status",
            )
        ]

    def __str__(self) -> str:
        return f"{self.page_name or self.page_urn} ({self.organization_id})"

    @property
    def page_id(self) -> str:
        return self.page_urn.rsplit(":", 1)[-1]
