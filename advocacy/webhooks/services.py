"""Writes for webhooks: endpoints and their secrets, and the deliveries events become.

Endpoint addresses pass the link previews' SSRF rules (content/fetching.py) when saved, and
again at every delivery: https:// only, public addresses only, except the networks an
operator allows in FETCH_ALLOWED_NETWORKS (where plain http:// is allowed too).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from advocacy.accounts.models import User
from advocacy.linkedin import crypto
from advocacy.tenancy.models import Organization
from advocacy.tenancy.services import record_audit_entry
from content.fetching import FetchError, check_destination

from . import signing
from .models import PING, Event, WebhookDelivery, WebhookEndpoint

MAX_ENDPOINTS = 20
# After a rotation the old secret signs beside the new one this long.
ROTATION_GRACE = timedelta(hours=24)


def check_url(url: str) -> None:
    """Refuse (ValidationError on "url") an address deliveries may not go to."""
    try:
        check_destination(url, require_https=True)
    except FetchError as problem:
        raise ValidationError({"url": str(problem)}) from None


def _check_events(events: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(events))
    if not chosen:
        raise ValidationError({"events": _("Choose at least one event.")})
    if any(event not in Event.values for event in chosen):
        raise ValidationError({"events": _("Choose events from the list.")})
    return chosen


def create_endpoint(
    *,
    organization: Organization,
    actor: User | None,
    url: str,
    events: Sequence[str],
    description: str = "",
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it and its secret, which is shown once."""
    events = _check_events(events)
    check_url(url)
    secret = signing.new_secret()
    with transaction.atomic():
        if WebhookEndpoint.objects.for_org(organization).count() >= MAX_ENDPOINTS:
            raise ValidationError(
                _("An organization has at most %(count)d webhook endpoints.")
                % {"count": MAX_ENDPOINTS}
            )
        endpoint = WebhookEndpoint(
            organization=organization,
            url=url,
            description=description,
            events=events,
            secret_encrypted=crypto.encrypt(secret),
            created_by=actor,
        )
        endpoint.save()
        record_audit_entry(
            organization=organization,
            actor=actor,
            action="webhook.created",
            summary=_("Added the webhook endpoint %(url)s") % {"url": url},
            data={"endpoint": str(endpoint.public_id), "url": url, "events": events},
        )
    return endpoint, secret


def update_endpoint(
    *,
    endpoint: WebhookEndpoint,
    actor: User | None,
    url: str,
    events: Sequence[str],
    description: str,
    is_active: bool,
) -> list[str]:
    """Change an endpoint; switching it back on forgets its failures. Returns what changed."""
    events = _check_events(events)
    if url != endpoint.url or (is_active and not endpoint.is_active):
        check_url(url)
    organization = endpoint.organization
    wanted: dict[str, Any] = {
        "url": url,
        "events": events,
        "description": description,
        "is_active": is_active,
    }
    with transaction.atomic():
        current = (
            WebhookEndpoint.objects.for_org(organization).select_for_update().get(pk=endpoint.pk)
        )
        changed = [name for name, value in wanted.items() if getattr(current, name) != value]
        if not changed:
            return []
        for name in changed:
            setattr(current, name, wanted[name])
        fields = [*changed, "updated_at"]
        if "is_active" in changed and is_active:
            current.consecutive_failures, current.disabled_at, current.disabled_reason = 0, None, ""
            fields += ["consecutive_failures", "disabled_at", "disabled_reason"]
        current.save(update_fields=fields)
        if "is_active" in changed and not is_active:
            cancel_waiting_deliveries(current)
        record_audit_entry(
            organization=organization,
            actor=actor,
            action="webhook.updated",
            summary=_("Changed the webhook endpoint %(url)s") % {"url": current.url},
            data={"endpoint": str(current.public_id), "changed": changed},
        )
    return changed


def rotate_secret(
    *, endpoint: WebhookEndpoint, actor: User | None, now: datetime | None = None
) -> str:
    """Give the endpoint a new secret (returned, shown once). For ROTATION_GRACE the old one
    signs too, so the receiver can switch without losing a delivery."""
    now = now or timezone.now()
    secret = signing.new_secret()
    organization = endpoint.organization
    with transaction.atomic():
        current = (
            WebhookEndpoint.objects.for_org(organization).select_for_update().get(pk=endpoint.pk)
        )
        current.previous_secret_encrypted = current.secret_encrypted
        current.previous_secret_expires_at = now + ROTATION_GRACE
        current.secret_encrypted = crypto.encrypt(secret)
        current.save(
            update_fields=[
                "previous_secret_encrypted",
                "previous_secret_expires_at",
                "secret_encrypted",
                "updated_at",
            ]
        )
        record_audit_entry(
            organization=organization,
            actor=actor,
            action="webhook.secret_rotated",
            summary=_("Gave the webhook endpoint %(url)s a new secret") % {"url": current.url},
            data={"endpoint": str(current.public_id)},
        )
    return secret


def delete_endpoint(*, endpoint: WebhookEndpoint, actor: User | None) -> None:
    """Remove an endpoint with its delivery log."""
    organization = endpoint.organization
    with transaction.atomic():
        record_audit_entry(
            organization=organization,
            actor=actor,
            action="webhook.deleted",
            summary=_("Removed the webhook endpoint %(url)s") % {"url": endpoint.url},
            data={"endpoint": str(endpoint.public_id)},
        )
        WebhookEndpoint.objects.for_org(organization).filter(pk=endpoint.pk).delete()


def signing_secrets(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """The secrets a delivery is signed with now: the current one, and for a while after a
    rotation the previous one."""
    found = [crypto.decrypt(endpoint.secret_encrypted)]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret_encrypted and expires is not None and expires > now:
        found.append(crypto.decrypt(endpoint.previous_secret_encrypted))
    return found


def endpoints_for(organization: Organization, event: str) -> list[WebhookEndpoint]:
    """The organization's active endpoints that asked for the event."""
    return [
        endpoint
        for endpoint in WebhookEndpoint.objects.for_org(organization).filter(is_active=True)
        if endpoint.wants(event)
    ]


def event_body(
    *, organization: Organization, event: str, event_id: uuid.UUID, data: dict[str, Any]
) -> str:
    """The JSON every endpoint gets for the event, the same on every try."""
    envelope = {
        "id": str(event_id),
        "type": event,
        "created_at": timezone.now().isoformat(),
        "organization": {"id": str(organization.public_id), "slug": organization.slug},
        "data": data,
    }
    return json.dumps(envelope, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))


def queue_event(
    *,
    organization: Organization,
    event: str,
    data: dict[str, Any],
    endpoints: Iterable[WebhookEndpoint],
    event_id: uuid.UUID | None = None,
) -> list[WebhookDelivery]:
    """One delivery of the event per endpoint, each sent by a task after commit.

    With a given `event_id` it is idempotent: an endpoint that already has a delivery of
    the event gets no second one.
    """
    from . import tasks

    event_id = event_id or uuid.uuid4()
    body = event_body(organization=organization, event=event, event_id=event_id, data=data)
    made: list[WebhookDelivery] = []
    for endpoint in endpoints:
        try:
            with transaction.atomic():
                delivery = WebhookDelivery(
                    organization=organization,
                    endpoint=endpoint,
                    event=event,
                    event_id=event_id,
                    body=body,
                )
                delivery.save()
                tasks.deliver_webhook.delay_on_commit(organization.pk, delivery.pk)
        except IntegrityError:
            continue  # already delivered (a weekly report queued twice)
        made.append(delivery)
    return made


def send_test(*, endpoint: WebhookEndpoint, actor: User | None) -> WebhookDelivery:
    """A `ping` to one endpoint, to check the receiver and its signature check."""
    data = {"message": _("A test from the employee advocacy platform.")}
    if actor is not None:
        data["sent_by"] = actor.email
    (delivery,) = queue_event(
        organization=endpoint.organization, event=PING, data=data, endpoints=[endpoint]
    )
    return delivery


def cancel_waiting_deliveries(endpoint: WebhookEndpoint) -> int:
    """Deliveries of the endpoint not yet sent will not be (it was switched off)."""
    Status = WebhookDelivery.Status
    return (
        WebhookDelivery.objects.for_org(endpoint.organization)
        .filter(endpoint=endpoint, status__in=[Status.PENDING, Status.RETRYING])
        .update(status=Status.CANCELLED, next_attempt_at=None)
    )
