"""Reading RSS and Atom feeds into draft content items.

A feed is fetched with a conditional GET (the server's ETag and Last-Modified from last time),
parsed with feedparser (RSS 2.0, RSS 1.0, Atom), and each entry not seen before becomes a
draft in the library for comms to approve. An entry is known by the SHA-256 of its GUID, or of
its link when it has none, so an edited title never makes a second draft.

The network is used outside any transaction; everything written for one answer is written in
one. A problem (the site is down, the answer is no feed) is kept on the feed in words for the
comms person who reads the feed list, and nothing is created.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.parsers.expat import errors as expat_errors
from xml.sax import SAXParseException

import feedparser
from bs4 import BeautifulSoup, NavigableString
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from advocacy.tenancy.models import Organization
from advocacy.tenancy.services import record_audit_entry

from . import signals
from .fetching import FetchError, FetchResponse, fetch
from .models import ContentItem, FeedEntry, FeedSource

# Feeds carrying whole articles run to a few megabytes; more than this is not a feed to poll.
MAX_FEED_BYTES = 5 * 1024 * 1024
FEED_TIMEOUT_SECONDS = 15.0
# Entries read per answer, from the top (feeds list the newest first). A job board dumping
# thousands of rows at once still polls in bounded time; older rows were seen before anyway.
MAX_ENTRIES = 200
# Enough to tell what the entry is about; the full text is one click away.
DESCRIPTION_LENGTH = 1000
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5"
)
# Tags after which text reads as a new sentence, not as the same word.
BLOCK_TAGS = [
    *("address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt"),
    *("figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr"),
    *("li", "main", "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul"),
]

_link_validator = URLValidator(schemes=["http", "https"])
_title_length = ContentItem._meta.get_field("title").max_length or 300
_url_length = ContentItem._meta.get_field("url").max_length or 2000


@dataclass(frozen=True)
class PollResult:
    """What one check of a feed did.

    `new`: drafts created; `seen`: entries known from earlier checks; `skipped`: new entries
    that made no draft (no web link, or the link is already in the library); `not_modified`:
    the server said nothing changed; `error`: the problem, in words, when there was one.
    """

    new: int = 0
    seen: int = 0
    skipped: int = 0
    not_modified: bool = False
    error: str = ""


class FeedUnreadable(Exception):
    """The answer is not a feed the platform can read; `str()` says so for comms."""


@dataclass(frozen=True)
class _Entry:
    key: str
    guid: str
    url: str  # "" when the entry has no usable web link
    title: str
    description: str


def poll_feed(*, organization: Organization, feed_id: int) -> PollResult:
    """Check one feed of the organization and turn its new entries into drafts.

    Raises FeedSource.DoesNotExist when the feed is not the organization's. Works whether the
    feed is polled or paused: the caller decides (the periodic task skips paused feeds).
    """
    feed = FeedSource.objects.for_org(organization).get(pk=feed_id)
    # Problems and audit lines are read by the organization's people, in its language.
    with translation.override(organization.language or settings.LANGUAGE_CODE):
        headers = {"Accept": FEED_ACCEPT}
        if feed.etag:
            headers["If-None-Match"] = feed.etag
        if feed.last_modified:
            headers["If-Modified-Since"] = feed.last_modified
        try:
            response = fetch(
                feed.url, headers=headers, max_bytes=MAX_FEED_BYTES, timeout=FEED_TIMEOUT_SECONDS
            )
        except FetchError as exc:
            return _record_problem(organization, feed, str(exc))
        if response.status == 304:
            # The server answered and has nothing new; any earlier problem is over.
            FeedSource.objects.for_org(organization).filter(pk=feed.pk).update(
                last_polled_at=timezone.now(), last_error=""
            )
            return PollResult(not_modified=True)
        if not 200 <= response.status < 300:
            return _record_problem(organization, feed, _status_problem(response.status))
        try:
            entries, language = read_feed(response)
        except FeedUnreadable as exc:
            return _record_problem(organization, feed, str(exc))
        return _save_entries(organization, feed, response, entries, language)


def read_feed(response: FetchResponse) -> tuple[list[_Entry], str]:
    """The entries of a feed document (de-duplicated by key, in document order) and its
    language, when it is one of the platform's. Raises FeedUnreadable."""
    parsed = feedparser.parse(
        # A stream, never bytes: feedparser opens bytes that name a file on this machine, and
        # the body is whatever the remote site chose to send.
        io.BytesIO(response.body),
        # The address makes relative links absolute; the type header carries the charset.
        response_headers={
            "content-location": response.url,
            "content-type": response.headers.get("content-type", ""),
        },
    )
    problem = parsed.get("bozo_exception")
    if isinstance(problem, SAXParseException) and (
        problem.getMessage() != expat_errors.XML_ERROR_UNDEFINED_ENTITY
    ):
        # A broken document read loosely gives half entries (a title cut off, no link).
        # An HTML entity such as &nbsp; is the one slip that is common and harmless.
        raise FeedUnreadable(
            _(
                "The feed is not valid XML (%(problem)s on line %(line)s), so it was not read. "
                "Whoever runs the site can check it with a feed validator."
            )
            % {"problem": problem.getMessage(), "line": problem.getLineNumber()}
        )
    if not parsed.get("version"):
        raise FeedUnreadable(
            _(
                "The address does not give an RSS or Atom feed (perhaps it is a web page). "
                "Use the address of the feed itself; it often ends in /feed, /rss or .xml."
            )
        )
    entries: list[_Entry] = []
    keys: set[str] = set()
    for raw in parsed.entries[:MAX_ENTRIES]:
        entry = _entry(raw)
        if entry is not None and entry.key not in keys:
            keys.add(entry.key)
            entries.append(entry)
    return entries, _language(parsed.feed.get("language", ""))


def plain_text(value: str, content_type: str = "text/html") -> str:
    """Text of an HTML fragment (or of plain text) on one line, whitespace collapsed."""
    if "html" in content_type:
        soup = BeautifulSoup(value, "html.parser")
        for tag in soup.find_all(BLOCK_TAGS):
            tag.insert_after(NavigableString(" "))
        value = soup.get_text()
    return " ".join(value.split())


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, at a word boundary where there is one."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-") + "…"


def _after_new_items(organization: Organization, items: Sequence[ContentItem]) -> None:
    """Called once the drafts of a check are committed: each draft with a link gets its
    preview fetched (a task per item), so it shows the page's own title and image by the
    time comms look at it."""
    from .previews import request_item_preview  # previews' tasks import this module

    for item in items:
        if item.url:
            request_item_preview(organization=organization, item=item)


def _entry(raw: Any) -> _Entry | None:
    guid = (raw.get("id") or "").strip()
    link = (raw.get("link") or "").strip()
    identity = guid or link
    if not identity:
        return None  # nothing to know it by next time; a draft every check would follow
    url = link if _is_web_link(link) else ""
    title_detail = raw.get("title_detail") or {}
    title = plain_text(raw.get("title") or "", title_detail.get("type", "text/plain"))
    return _Entry(
        key=hashlib.sha256(identity.encode()).hexdigest(),
        guid=guid,
        url=url,
        title=shorten(title or url, _title_length),
        description=shorten(_description(raw), DESCRIPTION_LENGTH),
    )


def _description(raw: Any) -> str:
    if raw.get("summary"):
        detail = raw.get("summary_detail") or {}
        return plain_text(raw["summary"], detail.get("type", "text/html"))
    for content in raw.get("content") or []:
        if content.get("value"):
            return plain_text(content["value"], content.get("type", "text/html"))
    return ""


def _is_web_link(link: str) -> bool:
    if not link or len(link) > _url_length:
        return False
    try:
        _link_validator(link)
    except ValidationError:
        return False
    return True


def _language(tag: str) -> str:
    primary = tag.strip().lower().replace("_", "-").split("-", 1)[0]
    return primary if primary in {code for code, _name in settings.LANGUAGES} else ""


def _status_problem(status: int) -> str:
    if status in {404, 410}:
        return _(
            "There is no feed at this address any more (the site answered %(status)d). "
            "Check the address, or pause the feed."
        ) % {"status": status}
    if status in {401, 403}:
        return _(
            "The site does not let the platform read the feed (it answered %(status)d). "
            "A feed behind a login cannot be used."
        ) % {"status": status}
    if status == 429:
        return _("The site asked the platform to slow down (429). It is tried again later.")
    if status >= 500:
        return _(
            "The site had a problem of its own (it answered %(status)d). It is tried again at "
            "the next check."
        ) % {"status": status}
    return _("The site gave an unexpected answer (%(status)d) instead of the feed.") % {
        "status": status
    }


def _record_problem(organization: Organization, feed: FeedSource, problem: str) -> PollResult:
    max_length = FeedSource._meta.get_field("last_error").max_length or 500
    FeedSource.objects.for_org(organization).filter(pk=feed.pk).update(
        last_polled_at=timezone.now(), last_error=shorten(problem, max_length)
    )
    return PollResult(error=problem)


def _save_entries(
    organization: Organization,
    feed: FeedSource,
    response: FetchResponse,
    entries: Sequence[_Entry],
    language: str,
) -> PollResult:
    now = timezone.now()
    etag_length = FeedSource._meta.get_field("etag").max_length or 500
    modified_length = FeedSource._meta.get_field("last_modified").max_length or 100
    etag = response.headers.get("etag", "")
    last_modified = response.headers.get("last-modified", "")
    with transaction.atomic():
        # The lock makes two checks of one feed (beat and "check now") take turns, so the
        # second sees the first one's entries and adds nothing twice.
        locked = FeedSource.objects.for_org(organization).select_for_update().filter(pk=feed.pk)
        current: FeedSource | None = locked.first()
        if current is None:
            return PollResult()  # removed while it was being fetched
        feed = current
        known = set(
            FeedEntry.objects.for_org(organization)
            .filter(feed=feed, key__in=[entry.key for entry in entries])
            .values_list("key", flat=True)
        )
        fresh = [entry for entry in entries if entry.key not in known]
        in_library: dict[str, ContentItem | int] = dict(
            ContentItem.objects.for_org(organization)
            .exclude(status=ContentItem.Status.ARCHIVED)
            .filter(url__in={entry.url for entry in fresh if entry.url})
            .values_list("url", "pk")
        )
        items: list[ContentItem] = []
        rows: list[tuple[_Entry, ContentItem | int | None]] = []
        for entry in fresh:
            made: ContentItem | int | None = in_library.get(entry.url) if entry.url else None
            if entry.url and made is None:
                made = ContentItem(
                    organization=organization,
                    kind=feed.default_kind,
                    status=ContentItem.Status.DRAFT,
                    title=entry.title,
                    description=entry.description,
                    url=entry.url,
                    is_company_content=feed.is_company_content,
                    language=language,
                    source_feed=feed,
                    created_by=None,
                )
                items.append(made)
                in_library[entry.url] = made
            rows.append((entry, made))
        # Oldest first, so the newest entry gets the highest id and leads the library.
        items.reverse()
        ContentItem.objects.for_org(organization).bulk_create(items)
        FeedEntry.objects.for_org(organization).bulk_create(
            [
                FeedEntry(
                    organization=organization,
                    feed=feed,
                    key=entry.key,
                    guid=entry.guid,
                    url=entry.url,
                    # An entry whose link was in the library already points at that item.
                    content_item_id=made.pk if isinstance(made, ContentItem) else made,
                )
                for entry, made in rows
            ]
        )
        feed.etag = etag[:etag_length]
        feed.last_modified = last_modified[:modified_length]
        feed.last_polled_at = now
        feed.last_success_at = now
        feed.last_error = ""
        feed.save(
            update_fields=[
                *("etag", "last_modified", "last_polled_at", "last_success_at", "last_error")
            ]
        )
        if items:
            record_audit_entry(
                organization=organization,
                actor=None,
                action="feed.drafts_added",
                summary=ngettext(
                    "%(count)d new draft from “%(feed)s”",
                    "%(count)d new drafts from “%(feed)s”",
                    len(items),
                )
                % {"count": len(items), "feed": feed.name},
                data={
                    "feed": str(feed.public_id),
                    "items": [str(item.public_id) for item in items],
                },
            )
            transaction.on_commit(lambda: _after_new_items(organization, items))
            signals.announce_content_created(
                organization.pk, [item.pk for item in items], source="feed"
            )
    return PollResult(new=len(items), seen=len(known), skipped=len(fresh) - len(items))
