"""One try at delivering a webhook, and what its answer means.

A try is claimed in the database first (a compare-and-swap on the status), so a task that
runs twice sends once. The body is POSTed through content/fetching.py: the address checked
again, the connection pinned to it, one deadline, no redirect followed. A 2xx delivers;
no answer, 408, 425, 429 and 5xx are passing trouble, tried again with exponential backoff
and jitter; anything else (another 4xx, a redirect, an address refused) fails at once.
Every failed try counts against the endpoint: after WEBHOOK_DISABLE_AFTER_FAILURES in a row
it is switched off and its organization's admins are mailed.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from advocacy.tenancy.models import Organization
from advocacy.tenancy.services import record_audit_entry
from content.fetching import FetchFailed, FetchRefused, post

from . import signing
from .models import WebhookDelivery, WebhookEndpoint
from .services import cancel_waiting_deliveries, signing_secrets

Status = WebhookDelivery.Status
USER_AGENT = "AdvocacyWebhooks/1.0 (+https://github.com/advocacy)"
BACKOFF_BASE_SECONDS = 30.0
BACKOFF_MAX_SECONDS = 30 * 60.0
# A try still "sending" after this long belongs to a worker that died.
STALE_SENDING = timedelta(minutes=10)
RETRY_STATUSES = frozenset({408, 425, 429})
_jitter = random.SystemRandom()


@dataclass(frozen=True)
class Outcome:
    status: str  # the delivery's status after the try ("" when there was nothing to do)
    retry_in: float | None = None  # seconds until the next try, when there is one


def backoff_seconds(attempt: int, retry_after: float | None = None) -> float:
    """The wait after the `attempt`-th failed try: doubling from 30 s up to 30 min, each
    between half and all of its step (so receivers coming back are not hit all at once)."""
    ceiling = min(BACKOFF_BASE_SECONDS * 2 ** max(attempt - 1, 0), BACKOFF_MAX_SECONDS)
    wait = ceiling * _jitter.uniform(0.5, 1.0)
    if retry_after is not None:
        wait = max(wait, min(retry_after, BACKOFF_MAX_SECONDS))
    return wait


def _claim(organization: Organization, delivery_id: int, now: datetime) -> WebhookDelivery | None:
    waiting = Q(status__in=[Status.PENDING, Status.RETRYING]) | Q(
        status=Status.SENDING, last_attempt_at__lt=now - STALE_SENDING
    )
    claimed = (
        WebhookDelivery.objects.for_org(organization)
        .filter(waiting, pk=delivery_id)
        .update(status=Status.SENDING, attempts=F("attempts") + 1, last_attempt_at=now)
    )
    if not claimed:
        return None
    delivery: WebhookDelivery = (
        WebhookDelivery.objects.for_org(organization).select_related("endpoint").get(pk=delivery_id)
    )
    return delivery


def _retry_after(headers: dict[str, str]) -> float | None:
    value = headers.get("retry-after", "").strip()
    return float(value) if value.isdigit() else None


def attempt_delivery(*, organization: Organization, delivery_id: int) -> Outcome:
    """Try to deliver one webhook now (see the module docstring); says what became of it."""
    now = timezone.now()
    delivery = _claim(organization, delivery_id, now)
    if delivery is None:
        return Outcome("")
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        off = {"at": now.isoformat(), "error": _("The endpoint is switched off.")}
        _finish(delivery, status=Status.CANCELLED, entry=off)
        return Outcome(Status.CANCELLED)
    body = delivery.body.encode()
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        signing.EVENT_HEADER: delivery.event,
        signing.DELIVERY_HEADER: str(delivery.public_id),
        signing.SIGNATURE_HEADER: signing.signature_header(
            signing_secrets(endpoint, now), timestamp, body
        ),
    }
    started = time.monotonic()
    status_code: int | None = None
    retry_after: float | None = None
    try:
        response = post(
            endpoint.url,
            body=body,
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
        )
    except FetchRefused as problem:
        error, passing = str(problem), False
    except FetchFailed as problem:
        error, passing = str(problem), True
    else:
        status_code = response.status
        retry_after = _retry_after(dict(response.headers))
        if 200 <= status_code < 300:
            error, passing = "", False
        elif 300 <= status_code < 400:
            error, passing = (
                _("The receiver answered with a redirect, which is not followed."),
                False,
            )
        else:
            error = _("The receiver answered %(status)d.") % {"status": status_code}
            passing = status_code in RETRY_STATUSES or status_code >= 500
    entry: dict[str, Any] = {
        "at": now.isoformat(),
        "status": status_code,
        "ms": round((time.monotonic() - started) * 1000),
        "error": error[:300],
    }
    if not error:
        _finish(delivery, status=Status.DELIVERED, entry=entry, delivered_at=timezone.now())
        _count_success(endpoint)
        return Outcome(Status.DELIVERED)
    disabled = _count_failure(endpoint, now)
    if passing and not disabled and delivery.attempts < settings.WEBHOOK_MAX_ATTEMPTS:
        wait = backoff_seconds(delivery.attempts, retry_after)
        _finish(
            delivery,
            status=Status.RETRYING,
            entry=entry,
            next_attempt_at=now + timedelta(seconds=wait),
        )
        return Outcome(Status.RETRYING, retry_in=wait)
    _finish(delivery, status=Status.FAILED, entry=entry)
    return Outcome(Status.FAILED)


def _finish(
    delivery: WebhookDelivery, *, status: str, entry: dict[str, Any], **fields: Any
) -> None:
    log = [*(delivery.attempt_log or []), entry][-settings.WEBHOOK_MAX_ATTEMPTS - 1 :]
    WebhookDelivery.objects.for_org(delivery.organization).filter(
        pk=delivery.pk, status=Status.SENDING
    ).update(
        status=status,
        response_status=entry.get("status"),
        response_ms=entry.get("ms"),
        error=entry.get("error", ""),
        attempt_log=log,
        next_attempt_at=fields.pop("next_attempt_at", None),
        **fields,
    )


def _count_success(endpoint: WebhookEndpoint) -> None:
    WebhookEndpoint.objects.for_org(endpoint.organization).filter(
        pk=endpoint.pk, consecutive_failures__gt=0
    ).update(consecutive_failures=0)


def _count_failure(endpoint: WebhookEndpoint, now: datetime) -> bool:
    """Count a failed try; switch the endpoint off at the limit. True if this switched it off."""
    from . import tasks

    organization = endpoint.organization
    endpoints = WebhookEndpoint.objects.for_org(organization).filter(pk=endpoint.pk)
    endpoints.update(consecutive_failures=F("consecutive_failures") + 1)
    limit = settings.WEBHOOK_DISABLE_AFTER_FAILURES
    reason = _("Switched off after %(count)d failed deliveries in a row.") % {"count": limit}
    with transaction.atomic():
        # Of two failing tries at the limit, only one switches it off and mails.
        disabled = endpoints.filter(is_active=True, consecutive_failures__gte=limit).update(
            is_active=False, disabled_at=now, disabled_reason=reason
        )
        if not disabled:
            return False
        cancel_waiting_deliveries(endpoint)
        record_audit_entry(
            organization=organization,
            actor=None,
            action="webhook.disabled",
            summary=_("Switched off the webhook endpoint %(url)s after repeated failures")
            % {"url": endpoint.url},
            data={"endpoint": str(endpoint.public_id), "failures": limit},
        )
        tasks.mail_endpoint_disabled.delay_on_commit(organization.pk, endpoint.pk)
    return True
