"""Invitation links and states: reads shared by the services, the views and the mail task."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse

from advocacy.accounts.models import User, normalize_email

from .models import Invitation

INVITATION_LINK_SALT = "advocacy.invitation"


class InvitationState(enum.StrEnum):
    """Where an invitation stands; only an open one can be accepted."""

    OPEN = "open"
    EXPIRED = "expired"
    USED = "used"
    REVOKED = "revoked"


class InvitationUnavailable(Exception):
    """The invitation can no longer be accepted; `state` says why."""

    def __init__(self, state: InvitationState) -> None:
        super().__init__(state.value)
        self.state = state


class InvitationForSomeoneElse(Exception):
    """The signed-in user is not the person the invitation was sent to."""


def invitation_state(invitation: Invitation, *, now: datetime) -> InvitationState:
    """Used beats withdrawn beats expired: the page then names the most useful reason."""
    if invitation.accepted_at is not None:
        return InvitationState.USED
    if invitation.revoked_at is not None:
        return InvitationState.REVOKED
    if invitation.expires_at <= now:
        return InvitationState.EXPIRED
    return InvitationState.OPEN


def invitation_token(invitation: Invitation) -> str:
    """The signed token in an invitation link: tampering with it breaks the signature."""
    return signing.dumps(str(invitation.public_id), salt=INVITATION_LINK_SALT)


def invitation_url(invitation: Invitation) -> str:
    """The absolute link mailed to the invited person."""
    return settings.SITE_URL + reverse("accept_invitation", args=[invitation_token(invitation)])


def invitation_from_token(token: str) -> Invitation | None:
    """The invitation a link names, in whichever organization, or None for a bad link."""
    try:
        value = signing.loads(token, salt=INVITATION_LINK_SALT)
        public_id = uuid.UUID(value) if isinstance(value, str) else None
    except (signing.BadSignature, ValueError):
        return None
    if public_id is None:
        return None
    # Deliberately across tenants: the link itself says which organization it is for.
    invitation: Invitation | None = (
        Invitation.all_tenants.select_related("organization", "team", "invited_by")
        .filter(public_id=public_id)
        .first()
    )
    return invitation


def is_invited_user(invitation: Invitation, user: User) -> bool:
    """Whether the user is the addressee; addresses differing only in case are one person."""
    return normalize_email(invitation.email) == normalize_email(user.email)
