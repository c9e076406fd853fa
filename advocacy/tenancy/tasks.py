"""Background work for organizations: invitation mail."""

from __future__ import annotations

import smtplib
import zoneinfo

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation

from . import invitations
from .models import Invitation, Organization


@shared_task(
    name="tenancy.send_invitation_email",
    soft_time_limit=30,
    time_limit=60,
    autoretry_for=(ConnectionError, TimeoutError, smtplib.SMTPServerDisconnected),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def send_invitation_email(organization_id: int, invitation_id: int) -> None:
    """Mail the invitation link to the invited address, in the organization's language.

    Returns quietly when the organization or invitation is gone, or the invitation was
    accepted, withdrawn or replaced before the worker got to it: a stale link helps nobody.
    """
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return
    invitation = (
        Invitation.objects.for_org(organization)
        .select_related("team", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None:
        return
    if invitations.invitation_state(invitation, now=timezone.now()) is not (
        invitations.InvitationState.OPEN
    ):
        return
    inviter = invitation.invited_by
    context = {
        "organization": organization,
        "invitation": invitation,
        "inviter_name": (inviter.get_full_name() or inviter.email) if inviter else "",
        "url": invitations.invitation_url(invitation),
    }
    with (
        translation.override(organization.language),
        timezone.override(zoneinfo.ZoneInfo(organization.time_zone)),
    ):
        context["role"] = invitation.get_role_display()
        subject_line = render_to_string("tenancy/invitation_email_subject.txt", context)
        body = render_to_string("tenancy/invitation_email_body.txt", context)
    subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject_line.split())
    send_mail(subject, body, None, [invitation.email])
