"""Tracked short links: a shared link becomes the employee's own /l/<code>.

The redirect adds UTM parameters (source, medium, campaign, content) so the company's web
analytics see where visitors came from, and records a click: its time, the share, whether the
visitor looked like a bot, and a hash for counting unique visitors per day. No address is
kept: the hash is salted with a random value of the day, which is deleted after two days, so
afterwards no hash can be traced back to anyone.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import uuid
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import slugify

from .models import Click, Post, TrackedLink, VisitorSalt

CODE_BYTES = 9  # 12 characters, 72 random bits: not guessable, still short
UTM_SOURCE = "linkedin"
UTM_MEDIUM = "employee_advocacy"
SALT_DAYS_KEPT = 2
# Link preview fetchers, crawlers and scripts: recorded, but not counted as visitors.
BOT_USER_AGENT = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|preview|facebookexternalhit|embedly|quora link|"
    r"whatsapp|skypeuripreview|outbrain|pinterest|vkshare|w3c_validator|curl|wget|"
    r"python-requests|python-urllib|httpclient|okhttp|go-http-client|headless|phantomjs|"
    r"monitor|uptime|scan",
    re.IGNORECASE,
)


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or url).removeprefix("www.")


def _utm_values(post: Post) -> dict[str, str]:
    campaign = slugify(post.campaign.name)[:60] if post.campaign_id and post.campaign else ""
    if post.content_item_id and post.content_item:
        content = slugify(post.content_item.title)[:60] or str(post.content_item.public_id)
    else:
        content = "own-post"
    values = {"utm_source": UTM_SOURCE, "utm_medium": UTM_MEDIUM, "utm_content": content}
    if campaign:
        values["utm_campaign"] = campaign
    return values


def destination_for(post: Post) -> str:
    """The post's link with our UTM parameters (replacing any of the same name)."""
    parts = urlsplit(post.link_url)
    ours = _utm_values(post)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True)]
    query = [(key, value) for key, value in query if key not in ours and key != "utm_campaign"]
    query.extend(ours.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def short_url(code: str) -> str:
    return f"{settings.SITE_URL}/l/{code}"


def shared_url(post: Post) -> str:
    """What the post links to on LinkedIn: the tracked short link, or the plain link."""
    link = getattr(post, "tracked_link", None)
    return short_url(link.code) if link is not None else post.link_url


def sync_tracked_link(post: Post) -> TrackedLink | None:
    """Give a post with a link its short link (kept through edits), or drop it without one.

    Called inside the service's transaction; the code never changes once made, so a link
    already posted keeps working.
    """
    links = TrackedLink.objects.for_org(post.organization)
    existing = links.filter(post=post).first()
    if not post.link_url:
        if existing is not None:
            existing.delete()
        return None
    destination = destination_for(post)
    if existing is not None:
        if existing.destination != destination:
            existing.destination = destination
            existing.save(update_fields=["destination"])
        return existing
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return links.create(
                    organization=post.organization,
                    post=post,
                    code=secrets.token_urlsafe(CODE_BYTES),
                    destination=destination,
                )
        except IntegrityError:
            continue  # a code already taken: 72 bits make this all but impossible
    raise RuntimeError("Could not allocate a tracked link code")


# Clicks ---------------------------------------------------------------------------------------

_salts: dict[date, str] = {}
_salts_lock = threading.Lock()


def salt_of(day: date) -> str:
    """The day's salt: one query per process per day, then from memory."""
    salt = _salts.get(day)
    if salt is None:
        with _salts_lock:
            salt = _salts.get(day)
            if salt is None:
                row, _created = VisitorSalt.objects.get_or_create(
                    day=day, defaults={"salt": secrets.token_hex(32)}
                )
                _salts.clear()  # yesterday's is no longer needed here
                _salts[day] = salt = row.salt
    return salt


def forget_old_salts(today: date) -> int:
    """Delete salts older than SALT_DAYS_KEPT days: their hashes become untraceable."""
    deleted, _ = VisitorSalt.objects.filter(day__lt=today - timedelta(days=SALT_DAYS_KEPT)).delete()
    return deleted


def client_address(request: HttpRequest) -> str:
    if settings.BEHIND_PROXY:
        # The last hop is the one our own proxy added; anything before it the client wrote.
        forwarded = request.headers.get("X-Forwarded-For", "")
        if forwarded:
            return forwarded.rsplit(",", 1)[-1].strip()
    return str(request.META.get("REMOTE_ADDR", ""))


def visitor_hash(*, address: str, user_agent: str, day: date) -> str:
    digest = hashlib.sha256(f"{salt_of(day)}|{address}|{user_agent}".encode())
    return digest.hexdigest()[:32]


def looks_like_a_bot(request: HttpRequest) -> bool:
    user_agent = request.headers.get("User-Agent", "")
    return request.method != "GET" or not user_agent or bool(BOT_USER_AGENT.search(user_agent))


def follow(code: str, request: HttpRequest) -> str | None:
    """The destination of the link named by `code`, with the visit recorded as a click;
    None (and nothing recorded) when no link has that code.

    On PostgreSQL it is one statement, and one round trip: the link is read and its click
    inserted together, in the statement's own transaction. The redirect answers every
    visitor of every share, so the round trips and the ORM's own work for a read and an
    insert were most of its time. The insert does not wait for its write-ahead log to reach
    the disk (synchronous_commit off, set by the statement for its own transaction only): a
    crash of the database server could lose the clicks of its last fraction of a second,
    never anything else (docs/performance.md).
    """
    now = timezone.now()
    if connection.vendor != "postgresql":
        link = find_link(code)
        if link is None:
            return None
        _insert_click(link, request, now)
        return str(link["destination"])
    # Inside a caller's transaction the setting would reach the caller's commit: not there.
    on_its_own = connection.get_autocommit() and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute(
            _FOLLOW_SQL_ON_ITS_OWN if on_its_own else _FOLLOW_SQL_IN_A_TRANSACTION,
            {
                "code": code,
                "public_id": uuid.uuid4(),
                "clicked_at": now,
                "visitor_hash": _visitor_hash_of(request, now),
                "is_bot": looks_like_a_bot(request),
            },
        )
        row = cursor.fetchone()
    return str(row[0]) if row is not None else None


# The link (across organizations: the code alone names it) and its click, in one statement.
# Run in autocommit, the statement is its own transaction; set_config(..., true) lasts until
# that transaction's commit, which is where PostgreSQL reads synchronous_commit.
_FOLLOW_SQL = """
WITH link AS (
    SELECT id, organization_id, post_id, destination,
        %(commit)s AS commit_setting
    FROM content_trackedlink
    WHERE code = %%(code)s
), click AS (
    INSERT INTO content_click
        (organization_id, public_id, link_id, post_id, clicked_at, visitor_hash, is_bot)
    SELECT organization_id, %%(public_id)s, id, post_id, %%(clicked_at)s, %%(visitor_hash)s,
        %%(is_bot)s
    FROM link
)
SELECT destination FROM link
"""
_FOLLOW_SQL_ON_ITS_OWN = _FOLLOW_SQL % {"commit": "set_config('synchronous_commit', 'off', true)"}
_FOLLOW_SQL_IN_A_TRANSACTION = _FOLLOW_SQL % {"commit": "NULL"}


def _visitor_hash_of(request: HttpRequest, now: datetime) -> str:
    return visitor_hash(
        address=client_address(request),
        user_agent=request.headers.get("User-Agent", ""),
        day=now.date(),
    )


def _insert_click(link: dict[str, Any], request: HttpRequest, now: datetime) -> None:
    Click.all_tenants.create(
        organization_id=link["organization_id"],
        link_id=link["pk"],
        post_id=link["post_id"],
        clicked_at=now,
        visitor_hash=_visitor_hash_of(request, now),
        is_bot=looks_like_a_bot(request),
    )


def find_link(code: str) -> dict[str, Any] | None:
    """The link of a code, across organizations (the code alone names it), as values."""
    return (
        TrackedLink.all_tenants.filter(code=code)
        .values("pk", "organization_id", "post_id", "destination")
        .first()
    )
