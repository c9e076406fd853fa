"""Background work of webhooks: building events, delivering them, the weekly report, mail.

Only ids travel; every task re-reads its rows and returns quietly when they are gone.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from advocacy.tenancy.models import ADMIN_ROLES, Membership, Organization
from advocacy.tenancy.scope import tenant_scope

from . import delivery, events, services
from .models import Event, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)
# The delivery log keeps this long.
LOG_DAYS = 30


@shared_task(name="webhooks.queue_event", soft_time_limit=60, time_limit=90, ignore_result=True)
def queue_event(organization_id: int, event: str, object_ids: list[int]) -> int:
    """Turn a signal of a lower app into one event per object and queue its deliveries to
    the endpoints that asked for it; returns how many deliveries were made."""
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return 0
    with tenant_scope(organization):
        endpoints = services.endpoints_for(organization, event)
        if not endpoints:
            return 0  # nobody listens: the objects are not even read
        made = 0
        for data in events.event_data(organization, event, object_ids):
            made += len(
                services.queue_event(
                    organization=organization, event=event, data=data, endpoints=endpoints
                )
            )
    return made


@shared_task(
    name="webhooks.deliver",
    acks_late=True,  # the try is claimed in the database; a redelivery finds it claimed
    soft_time_limit=45,
    time_limit=60,
    ignore_result=True,
)
def deliver_webhook(organization_id: int, delivery_id: int) -> str:
    """Try one delivery now; on passing trouble, queue the next try after the backoff.

    The next try is a new task with a countdown rather than a Celery retry: the delivery
    counts its own tries (WEBHOOK_MAX_ATTEMPTS), and this one has finished its work.
    """
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return "gone"
    with tenant_scope(organization):
        outcome = delivery.attempt_delivery(organization=organization, delivery_id=delivery_id)
    if outcome.retry_in is not None:
        deliver_webhook.apply_async((organization_id, delivery_id), countdown=outcome.retry_in)
    return outcome.status or "not claimed"


@shared_task(
    name="webhooks.requeue_stalled_deliveries",
    soft_time_limit=60,
    time_limit=90,
    ignore_result=True,
)
def requeue_stalled_deliveries() -> int:
    """Queue again deliveries whose task was lost (a worker died, a broker was restarted):
    well past their next try, or claimed long ago and never finished. The claim keeps a
    delivery that is in fact still on its way from being sent twice."""
    now = timezone.now()
    overdue = now - delivery.STALE_SENDING
    Status = WebhookDelivery.Status
    stalled = list(
        WebhookDelivery.all_tenants.filter(
            Q(status=Status.RETRYING, next_attempt_at__lt=overdue)
            | Q(status=Status.PENDING, created_at__lt=overdue)
            | Q(status=Status.SENDING, last_attempt_at__lt=overdue)
        )
        .order_by("pk")
        .values_list("organization_id", "pk")[:1000]
    )
    for organization_id, delivery_id in stalled:
        deliver_webhook.delay(organization_id, delivery_id)
    return len(stalled)


@shared_task(
    name="webhooks.forget_old_deliveries", soft_time_limit=60, time_limit=90, ignore_result=True
)
def forget_old_deliveries() -> int:
    """Delete finished deliveries older than LOG_DAYS (daily)."""
    Status = WebhookDelivery.Status
    deleted, _ = WebhookDelivery.all_tenants.filter(
        created_at__lt=timezone.now() - timedelta(days=LOG_DAYS),
        status__in=[Status.DELIVERED, Status.FAILED, Status.CANCELLED],
    ).delete()
    return deleted


@shared_task(
    name="webhooks.send_weekly_reports", soft_time_limit=60, time_limit=90, ignore_result=True
)
def send_weekly_reports() -> int:
    """Queue last week's report for every organization with an endpoint that wants it
    (Mondays); returns how many organizations."""
    organization_ids = sorted(
        {
            endpoint.organization_id
            for endpoint in WebhookEndpoint.all_tenants.filter(is_active=True).only(
                "organization_id", "events"
            )
            if endpoint.wants(Event.REPORT_WEEKLY)
        }
    )
    for organization_id in organization_ids:
        queue_weekly_report.delay(organization_id)
    return len(organization_ids)


@shared_task(
    name="webhooks.queue_weekly_report", soft_time_limit=60, time_limit=90, ignore_result=True
)
def queue_weekly_report(organization_id: int) -> int:
    """Deliver last week's growth report to the organization's endpoints that want it; a
    second run for the same week delivers nothing more."""
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return 0
    with tenant_scope(organization):
        endpoints = services.endpoints_for(organization, Event.REPORT_WEEKLY)
        if not endpoints:
            return 0
        event_id, data = events.weekly_report(organization)
        return len(
            services.queue_event(
                organization=organization,
                event=Event.REPORT_WEEKLY,
                data=data,
                endpoints=endpoints,
                event_id=event_id,
            )
        )


@shared_task(
    name="webhooks.mail_endpoint_disabled",
    soft_time_limit=30,
    time_limit=60,
    autoretry_for=(ConnectionError, TimeoutError, smtplib.SMTPServerDisconnected),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
    ignore_result=True,
)
def mail_endpoint_disabled(organization_id: int, endpoint_id: int) -> int:
    """Tell the organization's admins that an endpoint was switched off; returns how many
    were mailed."""
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return 0
    endpoint = WebhookEndpoint.objects.for_org(organization).filter(pk=endpoint_id).first()
    if endpoint is None or endpoint.is_active:
        return 0  # removed, or switched on again since
    admins = list(
        Membership.objects.for_org(organization)
        .filter(is_active=True, user__is_active=True, role__in=ADMIN_ROLES)
        .values_list("user__email", flat=True)
    )
    if not admins:
        return 0
    path = reverse(
        "webhooks:endpoint",
        kwargs={"org_slug": organization.slug, "endpoint_id": endpoint.public_id},
    )
    context = {
        "organization": organization,
        "endpoint": endpoint,
        "url": f"{settings.SITE_URL}{path}",
    }
    with translation.override(organization.language):
        subject_line = render_to_string("webhooks/disabled_email_subject.txt", context)
        body = render_to_string("webhooks/disabled_email_body.txt", context)
    subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject_line.split())
    send_mail(subject, body, None, admins)
    return len(admins)
