"""Background work of the program: each part of the method keeps its tasks in its own section."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from advocacy.tenancy.models import Membership, Organization
from advocacy.tenancy.scope import tenant_scope
from analytics.rollups import today_of

from . import followups, nudges

# Follow-up rounds, nudges and digests --------------------------------------------------------


@shared_task(
    name="program.open_follow_up_rounds", soft_time_limit=60, time_limit=90, ignore_result=True
)
def open_follow_up_rounds() -> int:
    """Queue a look at every organization with participants: is its next follow-up round due?

    Periodic (daily, settings.CELERY_BEAT_SCHEDULE); returns how many organizations were
    queued. Opening a round is idempotent, so a repeated run opens nothing twice.
    """
    participants = Membership.all_tenants.filter(
        organization=OuterRef("pk"), is_active=True, user__is_active=True, opted_in_at__isnull=False
    )
    organization_ids = list(
        Organization.objects.filter(Exists(participants))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for organization_id in organization_ids:
        open_follow_up_round.delay(organization_id)
    return len(organization_ids)


@shared_task(
    name="program.open_follow_up_round", soft_time_limit=60, time_limit=90, ignore_result=True
)
def open_follow_up_round(organization_id: int) -> str:
    """Open the organization's next follow-up round if the last one is old enough
    (PROGRAM_FOLLOW_UP_EVERY_DAYS). Returns quietly when the organization is gone."""
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return "gone"
    with tenant_scope(organization):
        opened = followups.open_next_round(
            organization=organization,
            today=today_of(organization),
            every_days=settings.PROGRAM_FOLLOW_UP_EVERY_DAYS,
        )
    return "opened" if opened is not None else "not due"


@shared_task(
    name="program.dispatch_nudges", soft_time_limit=120, time_limit=150, ignore_result=True
)
def dispatch_nudges() -> int:
    """Queue the digests and reminders whose morning it is in each organization.

    Periodic (hourly, settings.CELERY_BEAT_SCHEDULE). Only ids travel; each send re-reads
    and claims its message, so a run that overlaps another, or repeats within the morning's
    window, sends nothing twice. Returns how many sends were queued.
    """
    now = timezone.now()
    queued = 0
    for organization in Organization.objects.order_by("pk"):
        with tenant_scope(organization):
            for kind in nudges.due_kinds(organization, now):
                for membership_id in nudges.candidates(organization, kind, now):
                    send_nudge.delay(organization.pk, membership_id, kind)
                    queued += 1
    return queued


@shared_task(
    name="program.send_nudge",
    acks_late=True,  # the message is claimed in the database; a redelivery finds the claim
    soft_time_limit=60,
    time_limit=90,
    ignore_result=True,
)
def send_nudge(organization_id: int, membership_id: int, kind: str) -> str:
    """Send one participant's digest or reminder, once per period (nudges.send_nudge).

    Returns quietly when the organization or the member is gone, or the member no longer
    takes part or wants this kind of mail.
    """
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return "gone"
    with tenant_scope(organization):
        return nudges.send_nudge(
            organization=organization, membership_id=membership_id, kind=kind, now=timezone.now()
        )
