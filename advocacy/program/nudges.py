"""Nudges and digests: the weekly digest, the gentle cadence reminder, the reconnect reminder.

Each goes only to participants (an active membership with an active account, opted in) whose
mail choices allow it, at a morning hour of the organization's time zone. Every message is
claimed before it is sent: one SentMessage row per member, kind and period, unique in the
database, so two runs or two workers send it once. A send that fails gives its claim back for
the next run; a worker that dies between claim and send loses that one message, never doubles
it.

- The weekly digest (Monday morning): what is new in the library for the member's audience
  in the week before, and their own results of that week. Nothing new and nothing done: no
  mail.
- The cadence reminder (Wednesday morning, at most once a fortnight): for a participant of
  two weeks or more whose posts of the last four weeks fall below the program's rhythm. Kind
  in tone, with a few ideas, and never a count of what they did not do.
- The reconnect reminder (any morning): a LinkedIn connection still unusable seven days after
  it stopped. The LinkedIn app has already sent its own notice when it stopped; this is the
  one later reminder, once per stopped grant, in one organization only.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Sum
from django.urls import reverse
from django.utils import timezone

from advocacy.linkedin.models import RECONNECT_STATUSES, Connection, ConnectionStatus
from advocacy.tenancy.models import Membership, Organization
from content.models import Click, ContentItem, Post

from . import followups
from .mail import MailKind, receives, send_program_mail, wants
from .models import CheckIn, SentMessage

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Window:
    """When, in the organization's local time, a kind of message may go out."""

    weekdays: frozenset[int]  # Monday is 0
    from_hour: int
    to_hour: int  # exclusive

    def contains(self, local: dt.datetime) -> bool:
        return local.weekday() in self.weekdays and self.from_hour <= local.hour < self.to_hour


EVERY_DAY = frozenset(range(7))
# Beat runs hourly; a window of a few hours lets a missed run be made up the same morning,
# and the claims keep it to one message.
WINDOWS: dict[str, Window] = {
    MailKind.WEEKLY_DIGEST: Window(frozenset({0}), 8, 12),
    MailKind.CADENCE_REMINDER: Window(frozenset({2}), 10, 12),
    MailKind.RECONNECT_REMINDER: Window(EVERY_DAY, 9, 12),
}
NUDGE_KINDS = tuple(WINDOWS)

# The cadence reminder: the rhythm is judged over this many days, for participants who have
# taken part at least NEWCOMER_DAYS, and not more often than every REMINDER_GAP.
CADENCE_DAYS = 28
NEWCOMER_DAYS = 14
# A reminder goes out in a weekly window; 13 days lets every other week through.
REMINDER_GAP = dt.timedelta(days=13)
# A stopped connection is reminded about this long after it stopped.
RECONNECT_AFTER = dt.timedelta(days=7)
DIGEST_ITEMS = 8
SUGGESTIONS = 3


@dataclass(frozen=True)
class Prepared:
    """A message ready to claim and send."""

    period: str
    template: str
    context: dict[str, Any]


def local_now(organization: Organization, now: dt.datetime) -> dt.datetime:
    return timezone.localtime(now, zoneinfo.ZoneInfo(organization.time_zone))


def iso_week(day: dt.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def digest_week(organization: Organization, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The last full week, Monday 00:00 to Monday 00:00 in the organization's time zone."""
    local = local_now(organization, now)
    monday = local.date() - dt.timedelta(days=local.weekday())
    zone = zoneinfo.ZoneInfo(organization.time_zone)
    end = dt.datetime.combine(monday, dt.time.min, tzinfo=zone)
    return end - dt.timedelta(days=7), end


def due_kinds(organization: Organization, now: dt.datetime) -> list[str]:
    """The kinds of message whose window is open in the organization right now."""
    local = local_now(organization, now)
    return [kind for kind, window in WINDOWS.items() if window.contains(local)]


def _url(name: str, organization: Organization, **kwargs: Any) -> str:
    return settings.SITE_URL + reverse(name, kwargs={"org_slug": organization.slug, **kwargs})


def _participants(organization: Organization) -> Any:
    return Membership.objects.filter(organization=organization).participants()


def candidates(organization: Organization, kind: str, now: dt.datetime) -> list[int]:
    """Ids of the participants who may get this kind of message now (the send re-checks
    everything; this only keeps the queue short)."""
    members = _participants(organization).filter(receives(kind))
    sent = SentMessage.objects.for_org(organization).filter(membership=OuterRef("pk"), kind=kind)
    if kind == MailKind.WEEKLY_DIGEST:
        this_week = iso_week(local_now(organization, now).date())
        members = members.exclude(Exists(sent.filter(period=this_week)))
    elif kind == MailKind.CADENCE_REMINDER:
        members = members.filter(opted_in_at__lte=now - dt.timedelta(days=NEWCOMER_DAYS)).exclude(
            Exists(sent.filter(claimed_at__gt=now - REMINDER_GAP))
        )
    elif kind == MailKind.RECONNECT_REMINDER:
        members = members.filter(user__linkedin_connection__status__in=RECONNECT_STATUSES)
    else:
        raise ValueError(f"Not a nudge: {kind}")
    return list(members.order_by("pk").values_list("pk", flat=True))


def claim(membership: Membership, kind: str, period: str) -> SentMessage | None:
    """Claim the member's message of this kind and period; None when it is already taken."""
    organization = membership.organization
    try:
        with transaction.atomic():
            sent: SentMessage = SentMessage.objects.for_org(organization).create(
                organization=organization, membership=membership, kind=kind, period=period
            )
    except IntegrityError:
        return None
    return sent


def send_nudge(
    *, organization: Organization, membership_id: int, kind: str, now: dt.datetime
) -> str:
    """Prepare, claim and send one member's message of this kind; returns what happened.

    Re-reads everything: someone who left or opted out since, or changed their mind about
    this kind of mail, gets nothing.
    """
    membership = (
        _participants(organization)
        .select_related("user", "team", "organization")
        .filter(pk=membership_id)
        .first()
    )
    if membership is None:
        return "not a participant"
    if not wants(membership, kind):
        return "not wanted"
    prepared = PREPARERS[kind](membership, now)
    if prepared is None:
        return "nothing to send"
    claimed = claim(membership, kind, prepared.period)
    if claimed is None:
        return "already sent"
    try:
        send_program_mail(
            membership=membership, kind=kind, template=prepared.template, context=prepared.context
        )
    except Exception:
        logger.exception("Could not send the %s of %r", kind, membership)
        SentMessage.objects.for_org(organization).filter(pk=claimed.pk).delete()
        return "failed"
    SentMessage.objects.for_org(organization).filter(pk=claimed.pk).update(sent_at=timezone.now())
    return "sent"


# The weekly digest ---------------------------------------------------------------------------


def own_results(
    membership: Membership, start: dt.datetime, end: dt.datetime
) -> dict[str, int | None]:
    """The member's posts published in the week, their impressions so far (None while no
    figure is known), and the clicks through their links in the week: two queries."""
    organization = membership.organization
    posts = (
        Post.objects.filter(organization=organization)
        .counted()
        .filter(author=membership, published_at__gte=start, published_at__lt=end)
        .aggregate(
            posts=Count("pk"),
            with_figures=Count("impressions"),
            impressions=Sum("impressions"),
        )
    )
    clicks = (
        Click.objects.for_org(organization)
        .filter(post__author=membership, is_bot=False, clicked_at__gte=start, clicked_at__lt=end)
        .count()
    )
    return {
        "posts": posts["posts"],
        "impressions": (posts["impressions"] or 0) if posts["with_figures"] else None,
        "clicks": clicks,
    }


def _item_links(organization: Organization, items: list[ContentItem]) -> list[dict[str, Any]]:
    return [
        {
            "title": item.title,
            "description": item.card_description,
            "kind": item.get_kind_display(),
            "url": _url("content:share_item", organization, item_id=item.public_id),
        }
        for item in items
    ]


def _pending_round(membership: Membership, today: dt.date) -> dict[str, Any] | None:
    """An open follow-up round the member has not checked in to yet."""
    organization = membership.organization
    answered = CheckIn.objects.for_org(organization).filter(
        round=OuterRef("pk"), membership=membership
    )
    round = (
        followups.open_rounds(organization, today)
        .exclude(Exists(answered))
        .order_by("closes_on")
        .first()
    )
    if round is None:
        return None
    return {
        "title": round.title,
        "closes_on": round.closes_on,
        "url": _url("program:checkin", organization, round_id=round.public_id),
    }


def prepare_weekly_digest(membership: Membership, now: dt.datetime) -> Prepared | None:
    organization = membership.organization
    start, end = digest_week(organization, now)
    new_items = (
        ContentItem.objects.filter(organization=organization)
        .available(now)
        .for_member(membership)
        .filter(created_at__gte=start, created_at__lt=end)
        .order_by("-featured", "-created_at", "-pk")
    )
    items = list(new_items[: DIGEST_ITEMS + 1])
    results = own_results(membership, start, end)
    pending = _pending_round(membership, local_now(organization, now).date())
    if not items and not results["posts"] and not results["clicks"] and pending is None:
        return None
    return Prepared(
        period=iso_week(end.date()),
        template="weekly_digest",
        context={
            "week_start": start.date(),
            "week_end": (end - dt.timedelta(days=1)).date(),
            "items": _item_links(organization, items[:DIGEST_ITEMS]),
            "more_items": len(items) > DIGEST_ITEMS,
            "results": results,
            "pending_round": pending,
            "dashboard_url": _url("content:dashboard", organization),
            "my_posts_url": _url("content:my_posts", organization),
        },
    )


# The cadence reminder ------------------------------------------------------------------------


def rhythm_of(membership: Membership, now: dt.datetime) -> tuple[int, Decimal] | None:
    """(posts, posts the rhythm asks for) over the last four weeks, or since the member
    joined the program if later; None for a newcomer."""
    opted_in_at = membership.opted_in_at
    if opted_in_at is None or opted_in_at > now - dt.timedelta(days=NEWCOMER_DAYS):
        return None
    since = max(now - dt.timedelta(days=CADENCE_DAYS), opted_in_at)
    weeks = Decimal((now - since).total_seconds()) / Decimal(7 * 24 * 3600)
    posts = (
        Post.objects.filter(organization=membership.organization)
        .counted()
        .filter(author=membership, published_at__gte=since)
        .count()
    )
    return posts, membership.organization.posts_per_week_target * weeks


def prepare_cadence_reminder(membership: Membership, now: dt.datetime) -> Prepared | None:
    organization = membership.organization
    recent = SentMessage.objects.for_org(organization).filter(
        membership=membership,
        kind=MailKind.CADENCE_REMINDER,
        claimed_at__gt=now - REMINDER_GAP,
    )
    if recent.exists():
        return None
    rhythm = rhythm_of(membership, now)
    if rhythm is None or rhythm[0] >= rhythm[1]:
        return None
    target = organization.posts_per_week_target
    suggestions = list(
        ContentItem.objects.filter(organization=organization)
        .available(now)
        .for_member(membership)
        .order_by("-featured", "-created_at", "-pk")[:SUGGESTIONS]
    )
    return Prepared(
        period=iso_week(local_now(organization, now).date()),
        template="cadence_reminder",
        context={
            "target": target,
            # Picks the singular or plural words: "1 post", "1.5 posts", "2 posts".
            "target_count": int(target) if target == int(target) else 2,
            "suggestions": _item_links(organization, suggestions),
            "dashboard_url": _url("content:dashboard", organization),
            "new_post_url": _url("content:post_new", organization),
        },
    )


# The reconnect reminder ----------------------------------------------------------------------


def stopped_since(connection: Any) -> dt.datetime:
    """When the connection stopped working: its token's end (or the moment LinkedIn called it
    expired, if that came sooner), or the last change for one LinkedIn withdrew."""
    if connection.status == ConnectionStatus.EXPIRED:
        return min(connection.works_until, connection.updated_at)
    return connection.updated_at


def prepare_reconnect_reminder(membership: Membership, now: dt.datetime) -> Prepared | None:
    connection = Connection.objects.with_works_until().filter(user=membership.user_id).first()
    if connection is None or connection.status not in RECONNECT_STATUSES:
        return None
    since = stopped_since(connection)
    if since > now - RECONNECT_AFTER:
        return None
    # One grant, one reminder: a new consent (or a refresh) issues a new token and with it a
    # new period.
    period = f"g{int(connection.token_issued_at.timestamp())}"
    # The connection is the user's, not the organization's: someone in two programs is
    # reminded through the first that gets there.
    told = SentMessage.all_tenants.filter(
        membership__user=membership.user_id, kind=MailKind.RECONNECT_REMINDER, period=period
    )
    if told.exists():
        return None
    return Prepared(
        period=period,
        template="reconnect_reminder",
        context={
            "status": connection.status,
            "stopped_on": since,
            "profile_url": settings.SITE_URL + reverse("profile"),
        },
    )


PREPARERS: dict[str, Callable[[Membership, dt.datetime], Prepared | None]] = {
    MailKind.WEEKLY_DIGEST: prepare_weekly_digest,
    MailKind.CADENCE_REMINDER: prepare_cadence_reminder,
    MailKind.RECONNECT_REMINDER: prepare_reconnect_reminder,
}
