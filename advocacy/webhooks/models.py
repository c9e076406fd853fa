"""Webhooks: HTTPS endpoints of an organization's own systems, told when things happen.

An admin registers an endpoint and the events it wants. Each event becomes one delivery per
endpoint: the same JSON body on every try, signed with the endpoint's secret (signing.py),
tried again with backoff while the receiver is down, and logged with the answers it got.
After too many failed tries in a row the endpoint is switched off and the admins are mailed.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from advocacy.tenancy.models import TenantModel


class Event(models.TextChoices):
    POST_PUBLISHED = "post.published", _("A post was published on LinkedIn")
    POST_FAILED = "post.failed", _("A post could not be published")
    CONTENT_CREATED = "content.created", _("An item was added to the library")
    CAMPAIGN_STARTED = "campaign.started", _("A campaign went live")
    REPORT_WEEKLY = "report.weekly", _("Last week's growth report, on Mondays")


# Not subscribable: sent to one endpoint when an admin asks for a test.
PING = "ping"


class WebhookEndpoint(TenantModel):
    url = models.URLField(_("address"), max_length=2000)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(_("events"), default=list)
    # Fernet ciphertext (settings.TOKEN_ENCRYPTION_KEYS): the secret must be read to sign.
    secret_encrypted = models.TextField(editable=False)
    # After a rotation the old secret still signs, beside the new one, until this time.
    previous_secret_encrypted = models.TextField(blank=True, default="", editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_reason = models.CharField(max_length=300, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        constraints = [
            models.UniqueConstraint(fields=["organization", "id"], name="webhookendpoint_org_id"),
        ]
        indexes = [
            models.Index(fields=["organization", "is_active"], name="webhookendpoint_org_active")
        ]

    def __str__(self) -> str:
        return self.url

    def wants(self, event: str) -> bool:
        return event == PING or event in (self.events or [])

    @property
    def event_labels(self) -> list[str]:
        labels = dict(Event.choices)
        return [str(labels.get(event, event)) for event in self.events or []]


class WebhookDelivery(TenantModel):
    """One event for one endpoint, with every try at delivering it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        RETRYING = "retrying", _("Will try again")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Not sent (endpoint switched off)")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=40)
    # The same for every endpoint the event went to: receivers use it to drop duplicates.
    event_id = models.UUIDField()
    body = models.TextField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    # One entry per try: {"at", "status", "ms", "error"}.
    attempt_log: Any = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "endpoint", "event_id"], name="webhookdelivery_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=["organization", "endpoint", "-created_at"], name="webhookdelivery_log"
            ),
            models.Index(
                fields=["organization", "status", "next_attempt_at"], name="webhookdelivery_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id}"
