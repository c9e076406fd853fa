"""Making, checking and revoking personal API tokens (the model is in models.py).

A token reads `adv_<prefix>_<secret>`: the prefix (12 hex digits) finds the row, the secret
(256 random bits) proves the holder. The database holds the SHA-256 of the secret, compared
in constant time, so a copy of the database opens nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from advocacy.accounts.models import User
from advocacy.tenancy.models import Membership
from advocacy.tenancy.services import record_audit_entry

from .models import ApiToken, ApiTokenQuerySet

TOKEN_PATTERN = re.compile(r"adv_(?P<prefix>[0-9a-f]{12})_(?P<secret>[A-Za-z0-9_-]{43})")
MAX_LIFETIME = timedelta(days=365)
# A member with this many live tokens revokes one before making another.
MAX_LIVE_TOKENS = 20
# last_used_at is written at most this often, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenRejected(Exception):
    """A bearer token that does not authenticate; `code` and `str()` say why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    raw: str  # shown once, never stored


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_token(
    *, membership: Membership, name: str, expires_at: datetime, now: datetime | None = None
) -> NewToken:
    """Make a token for the member's own use of the organization's API.

    Raises ValidationError when the name is empty, the expiry is not within a year from now,
    or the member already has MAX_LIVE_TOKENS live tokens.
    """
    now = now or timezone.now()
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Give the token a name, so you know it again.")})
    if not now < expires_at <= now + MAX_LIFETIME:
        raise ValidationError({"expires_at": _("A token expires within a year from today.")})
    if not (membership.is_active and membership.user.is_active):
        raise ValidationError(_("Only an active member can make API tokens."))
    organization = membership.organization
    tokens = cast(ApiTokenQuerySet, ApiToken.objects.for_org(organization))
    with transaction.atomic():
        # One member's tokens are counted under a lock on the membership row.
        Membership.objects.for_org(organization).select_for_update().filter(
            pk=membership.pk
        ).first()
        if tokens.filter(membership=membership).usable(now).count() >= MAX_LIVE_TOKENS:
            raise ValidationError(
                _("You have %(count)d live tokens: revoke one before making another.")
                % {"count": MAX_LIVE_TOKENS}
            )
        prefix = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        token = ApiToken(
            organization=organization,
            user=membership.user,
            membership=membership,
            name=name[:100],
            prefix=prefix,
            secret_hash=hash_secret(secret),
            expires_at=expires_at,
        )
        token.save()
        record_audit_entry(
            organization=organization,
            actor=membership.user,
            action="api_token.created",
            summary=_("%(member)s made the API token “%(name)s”")
            % {"member": membership.display_name, "name": token.name},
            data={"token": str(token.public_id), "expires_at": expires_at.isoformat()},
        )
    return NewToken(token=token, raw=f"adv_{prefix}_{secret}")


def revoke_api_token(*, token: ApiToken, actor: User) -> bool:
    """Stop a token at once; only its own user may. False if it was revoked already."""
    if token.user_id != actor.pk:
        raise ValidationError(_("Only the token's owner can revoke it."))
    organization = token.organization
    with transaction.atomic():
        now = timezone.now()
        changed = (
            ApiToken.objects.for_org(organization)
            .filter(pk=token.pk, revoked_at__isnull=True)
            .update(revoked_at=now)
        )
        if not changed:
            return False
        token.revoked_at = now
        record_audit_entry(
            organization=organization,
            actor=actor,
            action="api_token.revoked",
            summary=_("%(user)s revoked the API token “%(name)s”")
            % {"user": actor.get_full_name() or actor.email, "name": token.name},
            data={"token": str(token.public_id)},
        )
    return True


def authenticate_token(raw: str, *, now: datetime | None = None) -> ApiToken:
    """The token `raw` stands for, with its member and organization, if it may be used now.

    Raises TokenRejected otherwise. Unknown and wrong secrets read the same; an expired or
    revoked token, or one whose member or user was deactivated, says so.
    """
    now = now or timezone.now()
    match = TOKEN_PATTERN.fullmatch(raw)
    unknown = TokenRejected("invalid_token", _("This API token is not valid."))
    if match is None:
        raise unknown
    # Across organizations on purpose: the token is what names the organization.
    token: ApiToken | None = (
        ApiToken.all_tenants.select_related(
            "membership__organization", "membership__team", "membership__user"
        )
        .filter(prefix=match["prefix"])
        .first()
    )
    if token is None or not hmac.compare_digest(token.secret_hash, hash_secret(match["secret"])):
        raise unknown
    if token.revoked_at is not None:
        raise TokenRejected("token_revoked", _("This API token was revoked."))
    if token.expires_at <= now:
        raise TokenRejected("token_expired", _("This API token has expired."))
    membership = token.membership
    if not (membership.is_active and membership.user.is_active):
        raise TokenRejected(
            "member_inactive", _("The member this API token belongs to is no longer active.")
        )
    if membership.user_id != token.user_id or membership.organization_id != token.organization_id:
        raise unknown  # never made so; a row edited by hand
    _touch(token, now)
    return token


def _touch(token: ApiToken, now: datetime) -> None:
    """Note when the token was last used, at most once a minute."""
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiToken.all_tenants.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)
    token.last_used_at = now
