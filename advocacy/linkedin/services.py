"""Writes and rules for LinkedIn connections: connect, disconnect, refresh, expiry.

Calls to LinkedIn are made outside any transaction (a row lock or, on SQLite, the database
write lock must not wait on the network); what they return is then written in one short
transaction, guarded by a compare-and-swap where another worker may have got there first.
"""

from __future__ import annotations

import logging
import re
import zoneinfo
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from advocacy.accounts.models import User
from advocacy.tenancy.models import Organization
from advocacy.tenancy.services import record_audit_entry

from . import banner, crypto, errors, oauth, signals
from .client import LinkedInClient
from .models import (
    PAGE_URN_PATTERN,
    Connection,
    ConnectionStatus,
    LinkedInTokens,
    PageConnection,
    member_urn,
)
from .querysets import EXPIRING_SOON_WITHIN, MIN_REFRESH_GAIN, REFRESH_WITHIN
from .scopes import parse_scopes

logger = logging.getLogger(__name__)

Status = ConnectionStatus
# The statuses that follow from the token's lifetime alone; `revoked` and `error` come from
# what LinkedIn answered, and only a new consent (or a successful call) clears them.
LIFETIME_STATUSES = (Status.ACTIVE, Status.EXPIRING_SOON, Status.EXPIRED)
# At most this many tokens are refreshed per periodic run; the rest wait for the next one.
REFRESH_BATCH = 200


class LinkedInAccountTaken(Exception):
    """The LinkedIn account is already connected to another user of the platform."""


# Helpers -------------------------------------------------------------------------------------


def _after(now: datetime, seconds: int | None) -> datetime | None:
    return None if seconds is None else now + timedelta(seconds=int(seconds))


def _lifetime_status(usable_until: datetime, now: datetime) -> str:
    if usable_until <= now:
        return Status.EXPIRED
    if usable_until <= now + EXPIRING_SOON_WITHIN:
        return Status.EXPIRING_SOON
    return Status.ACTIVE


def _store_grant(
    holder: LinkedInTokens,
    *,
    now: datetime,
    scopes: list[str],
    access_token: str,
    expires_in: int,
    refresh_token: str,
    refresh_token_expires_in: int | None,
) -> None:
    """Put a fresh grant on a connection (not saved): tokens, lifetimes, a clean bill."""
    holder.access_token = access_token
    holder.access_token_expires_at = now + timedelta(seconds=int(expires_in))
    holder.refresh_token = refresh_token
    holder.refresh_token_expires_at = (
        _after(now, refresh_token_expires_in or oauth.DEFAULT_REFRESH_TOKEN_LIFETIME)
        if refresh_token
        else None
    )
    holder.token_issued_at = now
    holder.scopes = scopes
    holder.status = _lifetime_status(holder.usable_until, now)
    holder.last_error = ""
    holder.expiry_notified_at = None


def _rows(holder: LinkedInTokens) -> QuerySet[Any]:
    """The holder's own row, through the manager its model allows."""
    if isinstance(holder, PageConnection):
        return PageConnection.all_tenants.filter(
            organization_id=holder.organization_id, pk=holder.pk
        )
    return Connection.objects.filter(pk=holder.pk)


def _forget_banner(holder: LinkedInTokens) -> None:
    if isinstance(holder, Connection):
        banner.forget([holder.user.public_id])


def normalize_page_urn(value: str) -> str:
    """urn:li:organization:N from a URN, a bare page id, or a company page address."""
    value = value.strip()
    if re.fullmatch(r"\d+", value):
        return f"urn:li:organization:{value}"
    if re.fullmatch(PAGE_URN_PATTERN, value):
        return value
    match = re.search(r"linkedin\.com/company/(\d+)(?:/|$)", value)
    if match:
        return f"urn:li:organization:{match[1]}"
    raise ValidationError(
        _(
            "Enter the company page's number (as in linkedin.com/company/2414183/admin/) or its "
            "URN, urn:li:organization:2414183."
        ),
        code="invalid_page",
    )


# Member connections --------------------------------------------------------------------------


def connect_member(
    *,
    user: User,
    sub: str,
    name: str = "",
    picture_url: str = "",
    email: str = "",
    scopes: Iterable[str] | str,
    access_token: str,
    expires_in: int,
    refresh_token: str = "",
    refresh_token_expires_in: int | None = None,
) -> Connection:
    """Store the user's LinkedIn connection after consent; idempotent per user.

    A user has one connection. Called again, it takes the new grant; called with another
    `sub`, it re-points the user's connection to that LinkedIn account (this explicit call is
    the only way that happens). A LinkedIn account already connected to another user is
    refused with LinkedInAccountTaken, and nothing changes.
    """
    if not sub:
        raise ValueError("A LinkedIn connection needs the member's sub")
    now = timezone.now()
    try:
        with transaction.atomic():
            if Connection.objects.filter(sub=sub).exclude(user=user).exists():
                raise LinkedInAccountTaken(sub)
            connection = Connection.objects.select_for_update().filter(user=user).first()
            new_account = connection is None or connection.sub != sub
            if connection is None:
                connection = Connection(user=user, connected_at=now)
            elif connection.sub != sub:
                connection.connected_at = now
            connection.sub = sub
            connection.member_urn = member_urn(sub)
            connection.name = name[:200]
            # A photo address longer than the column is useless cut short; LinkedIn's are not.
            connection.picture_url = picture_url if len(picture_url) <= 2000 else ""
            connection.email = email
            _store_grant(
                connection,
                now=now,
                scopes=parse_scopes(scopes),
                access_token=access_token,
                expires_in=expires_in,
                refresh_token=refresh_token,
                refresh_token_expires_in=refresh_token_expires_in,
            )
            connection.save()
            if new_account:
                transaction.on_commit(
                    lambda: signals.member_connected.send(
                        sender=Connection, connection=connection, user=user
                    )
                )
    except IntegrityError:
        # Another request connected the same LinkedIn account a moment ago.
        if Connection.objects.filter(sub=sub).exclude(user=user).exists():
            raise LinkedInAccountTaken(sub) from None
        raise
    banner.forget([user.public_id])
    return connection


def linked_to_someone_else(*, sub: str, user: User) -> bool:
    """Whether this LinkedIn account is connected to another user of the platform."""
    return Connection.objects.filter(sub=sub).exclude(user=user).exists()


def _revoke_tokens(holder: LinkedInTokens) -> None:
    try:
        tokens = [holder.access_token, holder.refresh_token]
    except crypto.TokenDecryptionError:
        logger.warning("Not revoking LinkedIn tokens of %r: they cannot be decrypted", holder)
        return
    for token in tokens:
        if token:
            oauth.revoke(token)


def disconnect_member(*, connection: Connection) -> None:
    """Withdraw the platform's access to the user's LinkedIn account.

    The tokens are revoked at LinkedIn where it lets us (failure is logged, not fatal) and the
    connection is deleted, tokens and all: leaving is voluntary and leaves nothing behind, and
    the LinkedIn account is free to be connected again, by this user or another. Publishing,
    scheduled posts and the collection of follower and post figures stop.
    """
    _revoke_tokens(connection)
    Connection.objects.filter(pk=connection.pk).delete()
    banner.forget([connection.user.public_id])


# Company pages -------------------------------------------------------------------------------


def connect_page(
    *,
    organization: Organization,
    page_urn: str,
    connected_by: User | None,
    scopes: Iterable[str] | str,
    access_token: str,
    expires_in: int,
    refresh_token: str = "",
    refresh_token_expires_in: int | None = None,
) -> PageConnection:
    """Connect (or re-connect) the organization's company page; one page per organization.

    The organization's "LinkedIn company page" setting follows the connected page.
    """
    page_urn = normalize_page_urn(page_urn)
    now = timezone.now()
    with transaction.atomic():
        page = PageConnection.objects.for_org(
            organization
        ).select_for_update().first() or PageConnection(organization=organization, connected_at=now)
        previous_urn = page.page_urn if page.pk else ""
        if previous_urn != page_urn:
            page.connected_at = now
            page.page_name = ""
        page.page_urn = page_urn
        page.connected_by = connected_by
        _store_grant(
            page,
            now=now,
            scopes=parse_scopes(scopes),
            access_token=access_token,
            expires_in=expires_in,
            refresh_token=refresh_token,
            refresh_token_expires_in=refresh_token_expires_in,
        )
        page.save()
        if organization.linkedin_page_urn != page_urn:
            Organization.objects.filter(pk=organization.pk).update(linkedin_page_urn=page_urn)
            organization.linkedin_page_urn = page_urn
        record_audit_entry(
            organization=organization,
            actor=connected_by,
            action="linkedin.page_connected",
            summary=_("Connected the LinkedIn company page %(page)s") % {"page": page_urn},
            data={"page_urn": page_urn, "previous_page_urn": previous_urn, "scopes": page.scopes},
        )
    return page


def disconnect_page(*, page_connection: PageConnection, actor: User) -> None:
    """Disconnect the company page: revoke where possible, delete the tokens, note it."""
    _revoke_tokens(page_connection)
    organization = page_connection.organization
    with transaction.atomic():
        PageConnection.objects.for_org(organization).filter(pk=page_connection.pk).delete()
        record_audit_entry(
            organization=organization,
            actor=actor,
            action="linkedin.page_disconnected",
            summary=_("Disconnected the LinkedIn company page %(page)s")
            % {"page": page_connection.page_urn},
            data={"page_urn": page_connection.page_urn},
        )


def set_page_name(*, page_connection: PageConnection, name: str) -> None:
    """Remember the page's name (LinkedIn's, when the client could read it)."""
    page_connection.page_name = name[:200]
    _rows(page_connection).update(page_name=page_connection.page_name)


# Tokens in use -------------------------------------------------------------------------------


def _can_extend(holder: LinkedInTokens, now: datetime) -> bool:
    return (
        holder.has_refresh_token
        and holder.refresh_token_expires_at is not None
        and holder.refresh_token_expires_at > now
        and holder.refresh_token_expires_at > holder.access_token_expires_at + MIN_REFRESH_GAIN
    )


def _refresh(holder: LinkedInTokens, now: datetime) -> None:
    """Trade the refresh token for a new access token and store it (compare-and-swap)."""
    issued_before = holder.token_issued_at
    tokens = oauth.refresh(holder.refresh_token)
    # LinkedIn may leave out what did not change: the refresh token (whose lifetime is fixed
    # at the first consent) and the scopes.
    holder.access_token = tokens.access_token
    holder.access_token_expires_at = now + timedelta(seconds=tokens.expires_in)
    if tokens.refresh_token:
        holder.refresh_token = tokens.refresh_token
        holder.refresh_token_expires_at = _after(now, tokens.refresh_token_expires_in)
    if tokens.scopes:
        holder.scopes = tokens.scopes
    holder.token_issued_at = now
    if holder.status in LIFETIME_STATUSES:
        holder.status = _lifetime_status(holder.usable_until, now)
    if holder.status == Status.ACTIVE:
        holder.expiry_notified_at = None
        holder.last_error = ""
    updated = (
        _rows(holder)
        .filter(token_issued_at=issued_before)
        .update(
            access_token_encrypted=holder.access_token_encrypted,
            access_token_expires_at=holder.access_token_expires_at,
            refresh_token_encrypted=holder.refresh_token_encrypted,
            refresh_token_expires_at=holder.refresh_token_expires_at,
            scopes=holder.scopes,
            token_issued_at=now,
            status=holder.status,
            expiry_notified_at=holder.expiry_notified_at,
            last_error=holder.last_error,
            updated_at=now,
        )
    )
    if not updated:
        # Someone refreshed or reconnected in the meantime: theirs stands.
        holder.refresh_from_db()
    _forget_banner(holder)


def _drop_refresh_token(holder: LinkedInTokens, error: errors.LinkedInError) -> None:
    """LinkedIn refused the refresh token: forget it, so the status follows the access token."""
    # The text, not the exception: a kept log record would keep its response's socket open.
    logger.info("LinkedIn refused the refresh token of %r: %s", holder, str(error))
    holder.refresh_token = ""
    holder.refresh_token_expires_at = None
    _rows(holder).filter(token_issued_at=holder.token_issued_at).update(
        refresh_token_encrypted="", refresh_token_expires_at=None
    )


def fresh_access_token(connection: LinkedInTokens) -> str:
    """The access token to call LinkedIn with, refreshed first when it is about to expire.

    With a refresh token that can still extend it, an access token with less than
    REFRESH_WITHIN left is refreshed. A token that no longer works raises TokenExpired (or
    TokenRevoked), and the connection's status says so.
    """
    now = timezone.now()
    if connection.status == Status.REVOKED:
        raise errors.TokenRevoked(connection.last_error)
    if connection.access_token_expires_at <= now + REFRESH_WITHIN and _can_extend(connection, now):
        try:
            _refresh(connection, now)
        except errors.OAuthError as exc:
            _drop_refresh_token(connection, exc)
        except errors.LinkedInError:
            # Unreachable or overloaded: the current token serves while it lasts.
            if connection.access_token_expires_at <= now:
                raise
    if connection.access_token_expires_at <= now:
        expired = errors.TokenExpired()
        record_failure(connection, expired)
        raise expired
    return connection.access_token


def client_for(holder: Connection | PageConnection) -> LinkedInClient:
    """A client with the connection's working access token (refreshed first if due).

    Raises TokenExpired or TokenRevoked when the connection no longer works; its status then
    says so. Calls count against the connection's own daily budget.
    """
    token = fresh_access_token(holder)
    return LinkedInClient(
        token, member_key=str(holder.public_id), token_issued_at=holder.token_issued_at
    )


def record_failure(connection: LinkedInTokens, error: errors.LinkedInError) -> None:
    """Note on the connection what went wrong, in the words of the error's explanation.

    Expired and revoked tokens set those statuses; a passing problem (network, rate limit,
    LinkedIn's own trouble) only updates `last_error`; anything else needs attention.
    """
    fields: dict[str, Any] = {"last_error": str(error.explanation), "updated_at": timezone.now()}
    if isinstance(error, errors.TokenRevoked):
        fields["status"] = Status.REVOKED
    elif isinstance(error, errors.TokenExpired):
        fields["status"] = Status.EXPIRED
    elif not error.retryable:
        fields["status"] = Status.ERROR
    _rows(connection).update(**fields)
    for name, value in fields.items():
        setattr(connection, name, value)
    _forget_banner(connection)


def refresh_expiring_tokens(now: datetime, *, limit: int = REFRESH_BATCH) -> dict[str, int]:
    """Refresh access tokens that are close to expiry where a refresh token allows it."""
    counts = {"refreshed": 0, "failed": 0}
    candidates: list[LinkedInTokens] = [
        *Connection.objects.refreshable(now)
        .select_related("user")
        .order_by("access_token_expires_at")[:limit],
        *PageConnection.all_tenants.refreshable(now).order_by("access_token_expires_at")[:limit],
    ]
    for holder in candidates[:limit]:
        try:
            _refresh(holder, now)
        except errors.OAuthError as exc:
            _drop_refresh_token(holder, exc)
            counts["failed"] += 1
        except errors.LinkedInError as exc:
            logger.warning("Refreshing the LinkedIn token of %r failed: %s", holder, str(exc))
            counts["failed"] += 1
        else:
            counts["refreshed"] += 1
    return counts


def update_token_statuses(now: datetime) -> dict[str, int]:
    """Move connections between active, expiring soon and expired as their tokens age.

    Expiring soon: it stops working within EXPIRING_SOON_WITHIN (seven days); expired: it
    has stopped. With a refresh token, "stops working" is when the refresh token expires.
    Returns how many connections (member and page) moved into each status.
    """
    counts = {Status.EXPIRED.value: 0, Status.EXPIRING_SOON.value: 0, Status.ACTIVE.value: 0}
    soon = now + EXPIRING_SOON_WITHIN
    expired_message = str(errors.TokenExpired.explanation)
    querysets: list[QuerySet[Any]] = [
        Connection.objects.with_works_until(),
        PageConnection.all_tenants.with_works_until(),
    ]
    for rows in querysets:
        moves: list[tuple[QuerySet[Any], dict[str, Any], str]] = [
            (
                rows.filter(
                    status__in=[Status.ACTIVE, Status.EXPIRING_SOON, Status.ERROR],
                    works_until__lte=now,
                ),
                {"status": Status.EXPIRED, "last_error": expired_message},
                Status.EXPIRED.value,
            ),
            (
                rows.filter(status=Status.ACTIVE, works_until__gt=now, works_until__lte=soon),
                {"status": Status.EXPIRING_SOON},
                Status.EXPIRING_SOON.value,
            ),
            (
                rows.filter(
                    status__in=[Status.EXPIRING_SOON, Status.EXPIRED], works_until__gt=soon
                ),
                {"status": Status.ACTIVE, "last_error": "", "expiry_notified_at": None},
                Status.ACTIVE.value,
            ),
        ]
        for matching, fields, label in moves:
            ids = list(matching.values_list("pk", flat=True))
            if not ids:
                continue
            if rows.model is Connection:
                banner.forget(
                    Connection.objects.filter(pk__in=ids).values_list("user__public_id", flat=True)
                )
            counts[label] += matching.filter(pk__in=ids).update(**fields, updated_at=now)
    return counts


# Expiry notices ------------------------------------------------------------------------------


def _send_expiry_notice(
    *, user: User, context: dict[str, Any], template: str, time_zone: str = ""
) -> None:
    language = user.language or settings.LANGUAGE_CODE
    zone = zoneinfo.ZoneInfo(time_zone or settings.TIME_ZONE)
    with translation.override(language), timezone.override(zone):
        subject_line = render_to_string(f"linkedin/{template}_subject.txt", context)
        body = render_to_string(f"linkedin/{template}_body.txt", context)
    subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject_line.split())
    send_mail(subject, body, None, [user.email])


def notify_expiring(now: datetime) -> int:
    """Email each owner once per expiry episode that their connection is stopping or stopped.

    The notice is claimed in the database first (expiry_notified_at), so two runs send one
    email; a failed send gives the claim back for the next run. The episode ends when the
    connection works again (reconnect, refresh), which clears the mark.
    """
    sent = 0
    due = [Status.EXPIRING_SOON, Status.EXPIRED]
    profile_url = f"{settings.SITE_URL}{reverse('profile')}"
    for connection in Connection.objects.filter(
        status__in=due, expiry_notified_at__isnull=True, user__is_active=True
    ).select_related("user"):
        claimed = Connection.objects.filter(
            pk=connection.pk, expiry_notified_at__isnull=True
        ).update(expiry_notified_at=now)
        if not claimed:
            continue
        try:
            _send_expiry_notice(
                user=connection.user,
                template="expiry_email",
                context={"connection": connection, "url": profile_url, "now": now},
            )
        except Exception:
            logger.exception("Could not send the LinkedIn expiry notice of %r", connection)
            Connection.objects.filter(pk=connection.pk, expiry_notified_at=now).update(
                expiry_notified_at=None
            )
        else:
            sent += 1
    for page in PageConnection.all_tenants.filter(
        status__in=due,
        expiry_notified_at__isnull=True,
        connected_by__isnull=False,
        connected_by__is_active=True,
    ).select_related("organization", "connected_by"):
        claimed = PageConnection.all_tenants.filter(
            organization_id=page.organization_id, pk=page.pk, expiry_notified_at__isnull=True
        ).update(expiry_notified_at=now)
        if not claimed:
            continue
        url = settings.SITE_URL + reverse(
            "linkedin_page:settings", kwargs={"org_slug": page.organization.slug}
        )
        try:
            _send_expiry_notice(
                user=page.connected_by,
                template="page_expiry_email",
                context={"page": page, "organization": page.organization, "url": url, "now": now},
                time_zone=page.organization.time_zone,
            )
        except Exception:
            logger.exception("Could not send the LinkedIn page expiry notice of %r", page)
            PageConnection.all_tenants.filter(pk=page.pk, expiry_notified_at=now).update(
                expiry_notified_at=None
            )
        else:
            sent += 1
    return sent
