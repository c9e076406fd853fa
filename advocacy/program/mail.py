"""The program's mail to participants: their choices, the unsubscribe link, and one message.

Every program message (digest, reminder, prompt) names a kind; each kind obeys one of the
member's mail choices (NotificationSettings, one row per membership, created with its
defaults the first time it is needed). The unsubscribe link in a message is a signed token
naming the membership and the kind: it works without signing in, and only for that choice.
"""

from __future__ import annotations

import uuid
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from advocacy.tenancy.models import Membership

from .models import NotificationSettings

UNSUBSCRIBE_SALT = "advocacy.program.unsubscribe"


class MailKind(models.TextChoices):
    WEEKLY_DIGEST = "weekly_digest", _("the weekly digest")
    CADENCE_REMINDER = "cadence_reminder", _("gentle reminders about the program's rhythm")
    RECONNECT_REMINDER = "reconnect_reminder", _("reminders to reconnect LinkedIn")
    BUDDY_PROMPT = "buddy_prompt", _("the fortnightly buddy check-in")


# The mail choice (a NotificationSettings field) each kind of message obeys.
CHOICE_OF: dict[str, str] = {
    MailKind.WEEKLY_DIGEST: "weekly_digest",
    MailKind.CADENCE_REMINDER: "cadence_reminders",
    MailKind.RECONNECT_REMINDER: "reconnect_reminders",
    MailKind.BUDDY_PROMPT: "buddy_prompts",
}
CHOICE_FIELDS = tuple(CHOICE_OF.values())


def choices_of(membership: Membership) -> NotificationSettings:
    """The member's mail choices, created with the defaults on first use."""
    choices, _created = NotificationSettings.objects.for_org(membership.organization).get_or_create(
        organization=membership.organization, membership=membership
    )
    return choices


def receives(kind: str) -> Q:
    """A filter on memberships: those whose choices let this kind of message through.

    A member without a settings row has the defaults, which the model declares.
    """
    field = CHOICE_OF[kind]
    allowed = Q(**{f"notification_settings__{field}": True})
    if getattr(NotificationSettings._meta.get_field(field), "default", None) is True:
        allowed |= Q(notification_settings__isnull=True)
    return allowed


def wants(membership: Membership, kind: str) -> bool:
    return bool(getattr(choices_of(membership), CHOICE_OF[kind]))


def update_choices(*, membership: Membership, **choices: bool) -> list[str]:
    """Save the member's own mail choices; returns the names of those that changed."""
    unknown = set(choices) - set(CHOICE_FIELDS)
    if unknown:
        raise ValueError(f"Not a mail choice: {sorted(unknown)}")
    with transaction.atomic():
        current = choices_of(membership)
        changed = [name for name, value in choices.items() if getattr(current, name) != value]
        for name in changed:
            setattr(current, name, choices[name])
        if changed:
            current.save(update_fields=changed)
    return changed


# Unsubscribe links ---------------------------------------------------------------------------


def unsubscribe_token(membership: Membership, kind: str) -> str:
    """A signed token naming the organization, the membership and the kind (no expiry: a
    link in an old message must still work)."""
    signer = signing.Signer(salt=UNSUBSCRIBE_SALT)
    return signer.sign_object(
        {"o": str(membership.organization.public_id), "m": str(membership.public_id), "k": kind}
    )


def unsubscribe_url(membership: Membership, kind: str) -> str:
    return settings.SITE_URL + reverse(
        "program_unsubscribe", args=[unsubscribe_token(membership, kind)]
    )


@dataclass(frozen=True)
class UnsubscribeLink:
    membership: Membership
    kind: str

    @property
    def kind_label(self) -> str:
        return str(MailKind(self.kind).label)

    @property
    def choice(self) -> str:
        return CHOICE_OF[self.kind]

    @property
    def is_subscribed(self) -> bool:
        return wants(self.membership, self.kind)


def read_unsubscribe_token(token: str) -> UnsubscribeLink | None:
    """What an unsubscribe link names, or None for a tampered, foreign or stale one."""
    try:
        value = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError):
        return None
    if not isinstance(value, dict) or value.get("k") not in CHOICE_OF:
        return None
    try:
        organization_id, membership_id = uuid.UUID(value["o"]), uuid.UUID(value["m"])
    except (KeyError, TypeError, ValueError):
        return None
    # Deliberately across tenants: the signed link itself says whose choice it is, and both
    # ids must still belong together.
    membership = (
        Membership.all_tenants.select_related("organization", "user")
        .filter(public_id=membership_id, organization__public_id=organization_id)
        .first()
    )
    if membership is None:
        return None
    return UnsubscribeLink(membership=membership, kind=value["k"])


def unsubscribe(*, membership: Membership, kind: str) -> bool:
    """Turn off the choice this kind obeys (the member's own act, through their link);
    returns whether anything changed."""
    return bool(update_choices(membership=membership, **{CHOICE_OF[kind]: False}))


# Sending -------------------------------------------------------------------------------------


def language_of(membership: Membership) -> str:
    """The member's own language, else their account's, else the organization's."""
    return (
        membership.language
        or membership.user.language
        or membership.organization.language
        or settings.LANGUAGE_CODE
    )


def send_program_mail(
    *, membership: Membership, kind: str, template: str, context: dict[str, Any]
) -> None:
    """Send one program message to the member: text and HTML parts, in their language and
    the organization's time zone, with the unsubscribe link in the footer and in the
    List-Unsubscribe headers (one-click, RFC 8058)."""
    organization = membership.organization
    language = language_of(membership)
    unsubscribe_link = unsubscribe_url(membership, kind)
    context = {
        **context,
        "membership": membership,
        "organization": organization,
        "kind_label": MailKind(kind).label,
        "unsubscribe_url": unsubscribe_link,
        "mail_choices_url": settings.SITE_URL
        + reverse("program:mail_choices", kwargs={"org_slug": organization.slug}),
        "site_url": settings.SITE_URL,
    }
    with (
        translation.override(language),
        timezone.override(zoneinfo.ZoneInfo(organization.time_zone)),
    ):
        subject_line = render_to_string(f"program/mail/{template}_subject.txt", context)
        text = render_to_string(f"program/mail/{template}_body.txt", context)
        html = render_to_string(f"program/mail/{template}_body.html", context)
    message = EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject_line.split()),
        body=text,
        to=[membership.user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
            "Content-Language": language,
        },
    )
    message.attach_alternative(html, "text/html")
    message.send()
