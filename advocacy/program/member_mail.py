"""Mail from the program to one member: a text and an HTML part, in the member's language.

Templates live under program/mail/: `<name>_subject.txt`, `<name>_body.txt` and
`<name>_body.html`. They are rendered in the member's language (else the organization's) and
the organization's time zone, and the subject carries the platform's prefix, as every mail
the platform sends does.
"""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from advocacy.tenancy.models import Membership


def language_of(membership: Membership) -> str:
    return (
        membership.language
        or membership.user.language
        or membership.organization.language
        or settings.LANGUAGE_CODE
    )


def absolute_url(view_name: str, membership: Membership, **kwargs: Any) -> str:
    """A page of the member's organization, as a link that works from a mail client."""
    path = reverse(view_name, kwargs={"org_slug": membership.organization.slug, **kwargs})
    return f"{settings.SITE_URL}{path}"


def send_member_mail(*, membership: Membership, template: str, context: dict[str, Any]) -> None:
    """Send one mail to the member (call it from a task, after the write has committed)."""
    organization = membership.organization
    context = {"organization": organization, "membership": membership, **context}
    with (
        translation.override(language_of(membership)),
        timezone.override(zoneinfo.ZoneInfo(organization.time_zone)),
    ):
        subject_line = render_to_string(f"program/mail/{template}_subject.txt", context)
        text = render_to_string(f"program/mail/{template}_body.txt", context)
        html = render_to_string(f"program/mail/{template}_body.html", context)
    subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject_line.split())
    message = EmailMultiAlternatives(subject, text, None, [membership.user.email])
    message.attach_alternative(html, "text/html")
    message.send()
