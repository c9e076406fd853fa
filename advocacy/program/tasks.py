"""Background work of the program: each part of the method keeps its tasks in its own section."""

from __future__ import annotations

import smtplib
from datetime import date
from typing import Any

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


# Taking part, buddies and coaching -------------------------------------------------------------

MAIL_RETRY: dict[str, Any] = {
    "soft_time_limit": 30,
    "time_limit": 60,
    "autoretry_for": (ConnectionError, TimeoutError, smtplib.SMTPServerDisconnected),
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 5,
    "ignore_result": True,
}


def _organization(organization_id: int) -> Organization | None:
    organization: Organization | None = Organization.objects.filter(pk=organization_id).first()
    return organization


@shared_task(
    name="program.recompute_member_days", soft_time_limit=240, time_limit=300, ignore_result=True
)
def recompute_member_days(organization_id: int, start: str, end: str) -> int:
    """Recompute the rollups of the days a member's figures touch, after they joined, left or
    had their figures deleted (participants are counted as the figures are made)."""
    from analytics.rollups import recompute_range

    organization = _organization(organization_id)
    if organization is None:
        return 0
    with tenant_scope(organization):
        return recompute_range(
            organization=organization,
            start=date.fromisoformat(start),
            end=date.fromisoformat(end),
        )


@shared_task(name="program.send_buddy_invitation", **MAIL_RETRY)
def send_buddy_invitation(organization_id: int, pair_id: int) -> None:
    """Tell a colleague that a participant asks them to be buddies, while it is still open."""
    from . import notices

    organization = _organization(organization_id)
    if organization is not None:
        with tenant_scope(organization):
            notices.buddy_invitation(organization, pair_id)


@shared_task(name="program.send_pairing_notice", **MAIL_RETRY)
def send_pairing_notice(organization_id: int, pair_id: int) -> None:
    """Tell both members they are buddies now, while the pair is still active."""
    from . import notices

    organization = _organization(organization_id)
    if organization is not None:
        with tenant_scope(organization):
            notices.pairing(organization, pair_id)


@shared_task(name="program.send_read_request", **MAIL_RETRY)
def send_read_request(organization_id: int, read_id: int) -> None:
    """Tell the reader a draft waits for their read, unless it was taken back."""
    from . import notices

    organization = _organization(organization_id)
    if organization is not None:
        with tenant_scope(organization):
            notices.read_request(organization, read_id)


@shared_task(name="program.send_feedback_notice", **MAIL_RETRY)
def send_feedback_notice(organization_id: int, feedback_id: int) -> None:
    """Tell a post's author about new private feedback on it."""
    from . import notices

    organization = _organization(organization_id)
    if organization is not None:
        with tenant_scope(organization):
            notices.feedback(organization, feedback_id)


@shared_task(name="program.send_brand_risk_notice", **MAIL_RETRY)
def send_brand_risk_notice(organization_id: int, flag_id: int) -> None:
    """Ask a post's author to delete a flagged post, with the reason, while the flag is open."""
    from . import notices

    organization = _organization(organization_id)
    if organization is not None:
        with tenant_scope(organization):
            notices.brand_risk(organization, flag_id)


@shared_task(
    name="program.prompt_buddy_pairs", soft_time_limit=540, time_limit=600, ignore_result=True
)
def prompt_buddy_pairs() -> int:
    """The fortnightly check-in: mail both members of every pair that is due (periodic,
    settings.CELERY_BEAT_SCHEDULE). Each pair is claimed before it is mailed, so an
    overlapping or repeated run sends nothing twice."""
    from . import buddies

    return buddies.prompt_pairs(timezone.now())


@shared_task(
    name="program.reconcile_brand_risk_flags",
    soft_time_limit=240,
    time_limit=300,
    ignore_result=True,
)
def reconcile_brand_risk_flags() -> int:
    """Resolve the open brand-risk flags whose post the author has deleted (periodic)."""
    from . import coaching

    return coaching.reconcile_flags(timezone.now())
