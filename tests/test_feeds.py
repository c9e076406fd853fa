"""Feeds: RSS and Atom sources read over real HTTP into draft content items, and their pages.

Every fetch goes to a loopback HTTP server started here (settings.FETCH_ALLOWED_NETWORKS lets
127.0.0.1 through the fetcher's guard); nothing in the fetch or the parse is patched.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from advocacy.tenancy.models import AuditEntry
from content import tasks
from content.feeds import DESCRIPTION_LENGTH, PollResult, poll_feed
from content.models import ContentItem, FeedEntry, FeedSource

from .conftest import Cast
from .factories import ContentItemFactory, FeedSourceFactory

RSS_TYPE = "application/rss+xml; charset=utf-8"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
NOON = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


# A feed server on the loopback interface


@dataclass
class Document:
    body: bytes
    status: int = 200
    content_type: str = RSS_TYPE
    etag: str = ""
    last_modified: str = ""


@dataclass
class FeedServer:
    port: int = 0
    documents: dict[str, Document] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def serve(self, path: str, body: str | bytes, **options: Any) -> str:
        data = body.encode() if isinstance(body, str) else body
        self.documents[path] = Document(body=data, **options)
        return self.url(path)

    def requests_for(self, path: str) -> list[dict[str, str]]:
        return [headers for requested, headers in self.requests if requested == path]


def make_handler(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            headers = {name.lower(): value for name, value in self.headers.items()}
            server.requests.append((self.path, headers))
            document = server.documents.get(self.path)
            if document is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            validators = []
            if document.etag:
                validators.append(("ETag", document.etag))
            if document.last_modified:
                validators.append(("Last-Modified", document.last_modified))
            unchanged = (document.etag and headers.get("if-none-match") == document.etag) or (
                not document.etag
                and document.last_modified
                and headers.get("if-modified-since") == document.last_modified
            )
            if unchanged and document.status == 200:
                self.send_response(304)
                for name, value in validators:
                    self.send_header(name, value)
                self.end_headers()
                return
            self.send_response(document.status)
            self.send_header("Content-Type", document.content_type)
            self.send_header("Content-Length", str(len(document.body)))
            for name, value in validators:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(document.body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep the test output quiet

    return Handler


@pytest.fixture
def feed_server(settings: Any) -> Iterator[FeedServer]:
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    server = FeedServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(server))
    server.port = httpd.server_address[1]
    # A short poll interval: shutdown() waits for the loop to look up.
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


# Feed documents


def rss(*items: str, language: str = "en-gb") -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<rss version="2.0"><channel><title>Acme blog</title>'
        f"<link>https://blog.acme.example/</link><language>{language}</language>"
        f"{''.join(items)}</channel></rss>"
    )


def rss_item(
    title: str, link: str = "", guid: str = "", description: str = "", permalink: bool = False
) -> str:
    parts = [f"<title>{title}</title>"]
    if link:
        parts.append(f"<link>{link}</link>")
    if guid:
        parts.append(f'<guid isPermaLink="{"true" if permalink else "false"}">{guid}</guid>')
    if description:
        parts.append(f"<description>{description}</description>")
    return f"<item>{''.join(parts)}</item>"


def atom(*entries: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>Acme jobs</title>'
        "<id>urn:acme:jobs</id><updated>2026-03-01T09:00:00Z</updated>"
        f"{''.join(entries)}</feed>"
    )


def atom_entry(entry_id: str, title: str, link: str, content: str = "") -> str:
    body = f'<content type="html">{content}</content>' if content else ""
    return (
        f"<entry><id>{entry_id}</id><title>{title}</title>"
        f'<link rel="alternate" href="{link}"/><updated>2026-03-01T09:00:00Z</updated>{body}'
        "</entry>"
    )


TWO_POSTS = rss(
    rss_item(
        "Why we hire juniors",
        link="https://blog.acme.example/juniors",
        guid="acme-post-2",
        description="&lt;p&gt;Our &lt;b&gt;juniors&lt;/b&gt; programme.&lt;/p&gt;",
    ),
    rss_item(
        "A year of buddy pairs",
        link="https://blog.acme.example/buddies",
        guid="acme-post-1",
        description="What we learned.",
    ),
)


def poll(feed: FeedSource) -> PollResult:
    return poll_feed(organization=feed.organization, feed_id=feed.pk)


def drafts_of(feed: FeedSource) -> Any:
    return ContentItem.all_tenants.filter(source_feed=feed).order_by("-id")


def url(name: str, org: str = "acme", **kwargs: Any) -> str:
    return reverse(name, kwargs={"org_slug": org, **kwargs})


def feed_form(**overrides: Any) -> dict[str, Any]:
    """A valid POST of the feed form; None leaves a field out (an unticked box)."""
    data: dict[str, Any] = {
        "name": "Company blog",
        "url": "https://blog.acme.example/feed.xml",
        "default_kind": "article",
        "is_company_content": "on",
        "is_active": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# Polling: what becomes a draft


def test_rss_entries_become_drafts_for_comms_to_approve(cast: Cast, feed_server: FeedServer):
    address = feed_server.serve(
        "/blog.xml", TWO_POSTS, etag='"v1"', last_modified="Mon, 02 Mar 2026 09:00:00 GMT"
    )
    feed = FeedSourceFactory(organization=cast.acme, name="Blog", url=address)
    with time_machine.travel(NOON, tick=False):
        result = poll(feed)
    assert result == PollResult(new=2, seen=0)
    newest, oldest = drafts_of(feed)
    # The feed lists the newest first; so does the library (the highest id leads).
    assert (newest.title, newest.url) == (
        "Why we hire juniors",
        "https://blog.acme.example/juniors",
    )
    assert oldest.title == "A year of buddy pairs"
    for item in (newest, oldest):
        assert item.organization == cast.acme
        assert item.status == ContentItem.Status.DRAFT
        assert (item.kind, item.is_company_content) == ("article", True)
        assert item.created_by is None
        assert item.language == "en"
    assert newest.description == "Our juniors programme."
    entries = FeedEntry.all_tenants.filter(feed=feed)
    assert {(e.guid, e.content_item_id) for e in entries} == {
        ("acme-post-2", newest.pk),
        ("acme-post-1", oldest.pk),
    }
    assert all(e.organization_id == cast.acme.pk and len(e.key) == 64 for e in entries)
    feed.refresh_from_db()
    assert (feed.etag, feed.last_modified) == ('"v1"', "Mon, 02 Mar 2026 09:00:00 GMT")
    assert feed.last_polled_at == feed.last_success_at == NOON
    assert feed.last_error == ""
    entry = AuditEntry.all_tenants.get()
    assert (entry.organization, entry.actor, entry.action) == (cast.acme, None, "feed.drafts_added")
    assert entry.summary == "2 new drafts from “Blog”"
    assert set(entry.data["items"]) == {str(newest.public_id), str(oldest.public_id)}


def test_atom_entries_take_the_feeds_kind_and_mix(cast: Cast, feed_server: FeedServer):
    address = feed_server.serve(
        "/jobs.atom",
        atom(
            atom_entry(
                "urn:job:7",
                "Backend developer",
                "https://jobs.acme.example/7",
                content="&lt;p&gt;Join the &lt;i&gt;platform&lt;/i&gt; team.&lt;/p&gt;",
            )
        ),
        content_type=ATOM_TYPE,
    )
    feed = FeedSourceFactory(
        organization=cast.acme, url=address, default_kind="job", is_company_content=False
    )
    assert poll(feed).new == 1
    job = drafts_of(feed).get()
    assert (job.kind, job.is_company_content, job.status) == ("job", False, "draft")
    assert (job.title, job.url) == ("Backend developer", "https://jobs.acme.example/7")
    assert job.description == "Join the platform team."
    assert FeedEntry.all_tenants.get(feed=feed).guid == "urn:job:7"


def test_rss_1_0_is_read_too(cast: Cast, feed_server: FeedServer):
    address = feed_server.serve(
        "/rdf.xml",
        '<?xml version="1.0"?>'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/">'
        '<channel rdf:about="https://news.example/"><title>News</title>'
        "<link>https://news.example/</link><description>d</description></channel>"
        '<item rdf:about="https://news.example/1"><title>First</title>'
        "<link>https://news.example/1</link><description>One.</description></item>"
        "</rdf:RDF>",
        content_type="application/rdf+xml",
    )
    feed = FeedSourceFactory(organization=cast.acme, url=address)
    assert poll(feed).new == 1
    assert drafts_of(feed).get().url == "https://news.example/1"


def test_the_second_check_is_conditional_and_a_304_changes_nothing_but_the_time(
    cast: Cast, feed_server: FeedServer
):
    modified = "Mon, 02 Mar 2026 09:00:00 GMT"
    address = feed_server.serve("/blog.xml", TWO_POSTS, etag='"v1"', last_modified=modified)
    feed = FeedSourceFactory(organization=cast.acme, url=address)
    with time_machine.travel(NOON, tick=False):
        poll(feed)
    later = NOON + dt.timedelta(minutes=30)
    with time_machine.travel(later, tick=False):
        result = poll(feed)
    assert result == PollResult(not_modified=True)
    first, second = feed_server.requests_for("/blog.xml")
    assert "if-none-match" not in first
    assert second["if-none-match"] == '"v1"'
    assert second["if-modified-since"] == modified
    assert drafts_of(feed).count() == 2
    assert FeedEntry.all_tenants.count() == 2
    assert AuditEntry.all_tenants.count() == 1
    feed.refresh_from_db()
    assert (feed.last_polled_at, feed.last_success_at) == (later, NOON)
    assert (feed.etag, feed.last_modified) == ('"v1"', modified)


def test_last_modified_alone_makes_the_check_conditional(cast: Cast, feed_server: FeedServer):
    modified = "Mon, 02 Mar 2026 09:00:00 GMT"
    address = feed_server.serve("/blog.xml", TWO_POSTS, last_modified=modified)
    feed = FeedSourceFactory(organization=cast.acme, url=address)
    poll(feed)
    assert poll(feed).not_modified
    assert feed_server.requests_for("/blog.xml")[1]["if-modified-since"] == modified
    assert drafts_of(feed).count() == 2


def test_entries_are_known_by_guid_even_when_their_title_changes(
    cast: Cast, feed_server: FeedServer
):
    feed = FeedSourceFactory(
        organization=cast.acme, url=feed_server.serve("/blog.xml", TWO_POSTS, etag='"v1"')
    )
    poll(feed)
    edited = rss(
        rss_item("Juniors (updated)", "https://blog.acme.example/juniors", "acme-post-2"),
        rss_item("A year of buddy pairs", "https://blog.acme.example/buddies", "acme-post-1"),
    )
    feed_server.serve("/blog.xml", edited, etag='"v2"')
    assert poll(feed) == PollResult(new=0, seen=2)
    assert drafts_of(feed).first().title == "Why we hire juniors"
    assert FeedEntry.all_tenants.count() == 2


def test_entries_without_a_guid_are_known_by_their_link(cast: Cast, feed_server: FeedServer):
    document = rss(
        rss_item("One", link="https://blog.acme.example/one"),
        rss_item("Two", link="https://blog.acme.example/two"),
    )
    # No ETag or Last-Modified: every check downloads the whole feed again.
    feed = FeedSourceFactory(organization=cast.acme, url=feed_server.serve("/b.xml", document))
    assert poll(feed).new == 2
    assert poll(feed) == PollResult(new=0, seen=2)
    assert drafts_of(feed).count() == 2
    assert {e.guid for e in FeedEntry.all_tenants.all()} == {""}


def test_the_same_entry_twice_in_one_document_makes_one_draft(cast: Cast, feed_server: FeedServer):
    document = rss(
        rss_item("Twice", link="https://blog.acme.example/twice", guid="dup"),
        rss_item("Twice again", link="https://blog.acme.example/twice-2", guid="dup"),
        # Another GUID, but a link the document already gave: still one item.
        rss_item("Same page", link="https://blog.acme.example/twice", guid="other"),
    )
    feed = FeedSourceFactory(organization=cast.acme, url=feed_server.serve("/b.xml", document))
    result = poll(feed)
    assert (result.new, result.skipped) == (1, 1)
    item = drafts_of(feed).get()
    assert item.title == "Twice"
    assert {(e.guid, e.content_item_id) for e in FeedEntry.all_tenants.all()} == {
        ("dup", item.pk),
        ("other", item.pk),
    }


def test_an_entry_added_later_becomes_one_new_draft(cast: Cast, feed_server: FeedServer):
    feed = FeedSourceFactory(
        organization=cast.acme,
        name="Blog",
        url=feed_server.serve("/blog.xml", TWO_POSTS, etag='"v1"'),
    )
    poll(feed)
    grown = rss(
        rss_item("Fresh news", "https://blog.acme.example/fresh", "acme-post-3"),
        rss_item("Why we hire juniors", "https://blog.acme.example/juniors", "acme-post-2"),
        rss_item("A year of buddy pairs", "https://blog.acme.example/buddies", "acme-post-1"),
    )
    feed_server.serve("/blog.xml", grown, etag='"v2"')
    assert poll(feed) == PollResult(new=1, seen=2)
    assert drafts_of(feed).first().title == "Fresh news"
    assert drafts_of(feed).count() == 3
    latest = AuditEntry.all_tenants.order_by("-id").first()
    assert latest.summary == "1 new draft from “Blog”"
    feed.refresh_from_db()
    assert feed.etag == '"v2"'


def test_html_is_stripped_from_summaries_and_titles_and_long_text_is_cut(
    cast: Cast, feed_server: FeedServer
):
    long_text = " ".join(["advocacy"] * 400)
    document = atom(
        atom_entry(
            "urn:1",
            "Tools &amp;amp; tips",
            "https://blog.acme.example/tools",
            content=(
                "&lt;h2&gt;Intro&lt;/h2&gt;&lt;p&gt;Share in your &lt;em&gt;own&lt;/em&gt;"
                "  words.&lt;/p&gt;&lt;ul&gt;&lt;li&gt;One&lt;/li&gt;&lt;li&gt;Two&lt;/li&gt;"
                "&lt;/ul&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
            ),
        ).replace("<title>", '<title type="html">'),
        atom_entry("urn:2", "Long", "https://blog.acme.example/long", content=long_text),
    )
    feed = FeedSourceFactory(
        organization=cast.acme,
        url=feed_server.serve("/a.xml", document, content_type=ATOM_TYPE),
    )
    poll(feed)
    items = {item.title: item for item in drafts_of(feed)}
    assert set(items) == {"Tools & tips", "Long"}
    assert items["Tools & tips"].description == "Intro Share in your own words. One Two"
    cut = items["Long"].description
    assert len(cut) <= DESCRIPTION_LENGTH
    assert cut.endswith("advocacy…")


def test_an_entry_without_a_web_link_is_recorded_but_makes_no_item(
    cast: Cast, feed_server: FeedServer
):
    document = rss(
        rss_item("No link at all", guid="note-1"),
        rss_item("Script link", link="javascript:alert(1)", guid="note-2"),
    )
    feed = FeedSourceFactory(organization=cast.acme, url=feed_server.serve("/b.xml", document))
    assert poll(feed) == PollResult(new=0, seen=0, skipped=2)
    assert not ContentItem.all_tenants.exists()
    entries = FeedEntry.all_tenants.filter(feed=feed)
    assert {(e.guid, e.url, e.content_item_id) for e in entries} == {
        ("note-1", "", None),
        ("note-2", "", None),
    }
    assert not AuditEntry.all_tenants.exists(), "nothing was added, so nothing to record"
    assert poll(feed) == PollResult(seen=2)


def test_a_link_already_in_the_library_is_not_added_twice(cast: Cast, feed_server: FeedServer):
    curated = ContentItemFactory(organization=cast.acme, url="https://blog.acme.example/juniors")
    ContentItemFactory(
        organization=cast.acme, url="https://blog.acme.example/buddies", status="archived"
    )
    # Another organization's library is not Acme's.
    ContentItemFactory(organization=cast.globex, url="https://blog.acme.example/juniors")
    feed = FeedSourceFactory(organization=cast.acme, url=feed_server.serve("/b.xml", TWO_POSTS))
    assert poll(feed) == PollResult(new=1, skipped=1)
    assert [item.url for item in drafts_of(feed)] == ["https://blog.acme.example/buddies"]
    entry = FeedEntry.all_tenants.get(guid="acme-post-2")
    assert entry.content_item_id == curated.pk


# Polling: problems


@pytest.mark.parametrize(
    ("body", "content_type", "words"),
    [
        (
            rss(rss_item("Broken", "https://blog.acme.example/x", "g"))[:-20],
            RSS_TYPE,
            "not valid XML",
        ),
        (
            "<html><head><title>Blog</title></head><body><p>Hello</p></body></html>",
            "text/html",
            "does not give an RSS or Atom feed",
        ),
    ],
    ids=["malformed-xml", "a-web-page"],
)
def test_an_answer_that_is_no_feed_is_a_readable_problem_and_creates_nothing(
    cast: Cast, feed_server: FeedServer, body: str, content_type: str, words: str
):
    feed = FeedSourceFactory(
        organization=cast.acme,
        url=feed_server.serve("/b.xml", body, content_type=content_type, etag='"bad"'),
    )
    with time_machine.travel(NOON, tick=False):
        result = poll(feed)
    assert words in result.error
    feed.refresh_from_db()
    assert words in feed.last_error
    assert feed.last_polled_at == NOON
    assert feed.last_success_at is None
    assert feed.etag == "", "a broken answer's ETag would hide the fixed feed behind a 304"
    assert not ContentItem.all_tenants.exists()
    assert not FeedEntry.all_tenants.exists()
    assert not AuditEntry.all_tenants.exists()


def test_an_answer_naming_a_local_file_is_not_read_from_this_machine(
    cast: Cast, feed_server: FeedServer, tmp_path: Any
):
    local = tmp_path / "secret-feed.xml"
    local.write_text(rss(rss_item("Local secret", "https://intranet.example/s", "s1")))
    feed = FeedSourceFactory(
        organization=cast.acme,
        url=feed_server.serve("/b.xml", str(local), content_type="text/plain"),
    )
    assert poll(feed).error
    assert not ContentItem.all_tenants.exists()
    assert not FeedEntry.all_tenants.exists()


def test_an_html_entity_does_not_make_a_feed_unreadable(cast: Cast, feed_server: FeedServer):
    document = rss(rss_item("Hello&nbsp;world", "https://blog.acme.example/hello", "g1"))
    feed = FeedSourceFactory(organization=cast.acme, url=feed_server.serve("/b.xml", document))
    assert poll(feed).new == 1
    assert drafts_of(feed).get().title == "Hello world"


@pytest.mark.parametrize(
    ("status", "words"),
    [(500, "problem of its own (it answered 500)"), (404, "no feed at this address")],
)
def test_an_http_error_is_a_readable_problem_and_creates_nothing(
    cast: Cast, feed_server: FeedServer, status: int, words: str
):
    feed = FeedSourceFactory(
        organization=cast.acme, url=feed_server.serve("/b.xml", TWO_POSTS, status=status)
    )
    assert words in poll(feed).error
    feed.refresh_from_db()
    assert words in feed.last_error
    assert not ContentItem.all_tenants.exists()
    assert not FeedEntry.all_tenants.exists()


def test_a_private_address_is_refused_before_anything_is_sent(
    cast: Cast, feed_server: FeedServer, settings: Any
):
    settings.FETCH_ALLOWED_NETWORKS = []
    feed = FeedSourceFactory(organization=cast.acme, url=feed_server.serve("/b.xml", TWO_POSTS))
    result = poll(feed)
    assert "private or reserved network address" in result.error
    feed.refresh_from_db()
    assert "private or reserved network address" in feed.last_error
    assert feed_server.requests == []
    assert not ContentItem.all_tenants.exists()


def test_a_good_answer_clears_the_last_problem(cast: Cast, feed_server: FeedServer):
    feed = FeedSourceFactory(
        organization=cast.acme, url=feed_server.serve("/b.xml", TWO_POSTS, status=500)
    )
    poll(feed)
    feed_server.serve("/b.xml", TWO_POSTS)
    assert poll(feed).new == 2
    feed.refresh_from_db()
    assert feed.last_error == ""


# The tasks


def test_the_periodic_task_checks_only_polled_feeds_of_every_organization(
    cast: Cast, feed_server: FeedServer
):
    acme_feed = FeedSourceFactory(
        organization=cast.acme, url=feed_server.serve("/acme.xml", TWO_POSTS)
    )
    globex_feed = FeedSourceFactory(
        organization=cast.globex,
        url=feed_server.serve(
            "/globex.xml", rss(rss_item("Globex news", "https://globex.example/n", "gx-1"))
        ),
    )
    paused = FeedSourceFactory(
        organization=cast.acme, url=feed_server.serve("/paused.xml", TWO_POSTS), is_active=False
    )
    assert tasks.poll_feeds() == 2
    requested = {path for path, _headers in feed_server.requests}
    assert requested == {"/acme.xml", "/globex.xml"}
    assert drafts_of(acme_feed).count() == 2
    assert [item.organization for item in drafts_of(globex_feed)] == [cast.globex]
    assert not drafts_of(paused).exists()


def test_the_feed_task_returns_quietly_for_a_feed_gone_paused_or_of_another_organization(
    cast: Cast, feed_server: FeedServer
):
    paused = FeedSourceFactory(
        organization=cast.acme, url=feed_server.serve("/p.xml", TWO_POSTS), is_active=False
    )
    theirs = FeedSourceFactory(organization=cast.globex, url=feed_server.serve("/g.xml", TWO_POSTS))
    assert tasks.poll_feed(cast.acme.pk, paused.pk) is None
    assert tasks.poll_feed(cast.acme.pk, theirs.pk) is None
    assert tasks.poll_feed(cast.acme.pk, 999_999) is None
    assert tasks.poll_feed(999_999, theirs.pk) is None
    assert feed_server.requests == []
    assert tasks.poll_feed(cast.globex.pk, theirs.pk) == {
        "new": 2,
        "seen": 0,
        "skipped": 0,
        "not_modified": False,
        "error": "",
    }


# The pages: who may use them


@pytest.mark.parametrize("persona", ["emma", "leo"])
def test_employee_and_leader_are_refused_every_feed_page(
    cast: Cast, client_for, persona: str, feed_server: FeedServer
):
    feed = FeedSourceFactory(
        organization=cast.acme, name="Untouched", url=feed_server.serve("/b.xml", TWO_POSTS)
    )
    client = client_for(getattr(cast, persona))
    edit = url("content:feed_edit", feed_id=feed.public_id)
    assert client.get(url("content:feed_list")).status_code == 403
    assert client.get(url("content:feed_new")).status_code == 403
    assert client.get(edit).status_code == 403
    assert client.post(url("content:feed_new"), feed_form()).status_code == 403
    assert client.post(edit, feed_form(name="Changed")).status_code == 403
    assert client.post(url("content:feed_poll", feed_id=feed.public_id)).status_code == 403
    bulk = {"action": "remove", "feeds": [str(feed.public_id)]}
    assert client.post(url("content:feed_bulk"), bulk).status_code == 403
    feed.refresh_from_db()
    assert (feed.name, feed.is_active) == ("Untouched", True)
    assert FeedSource.all_tenants.count() == 1
    assert feed_server.requests == []
    assert not AuditEntry.all_tenants.exists()


@pytest.mark.parametrize("persona", ["alice", "carol", "fay"])
def test_manage_roles_open_every_feed_page(cast: Cast, client_for, persona: str):
    feed = FeedSourceFactory(organization=cast.acme)
    client = client_for(getattr(cast, persona))
    assert client.get(url("content:feed_list")).status_code == 200
    assert client.get(url("content:feed_new")).status_code == 200
    assert client.get(url("content:feed_edit", feed_id=feed.public_id)).status_code == 200


def test_cannot_get_other_org_feed(cast: Cast, client_for, feed_server: FeedServer):
    theirs = FeedSourceFactory(
        organization=cast.globex, name="Globex only", url=feed_server.serve("/g.xml", TWO_POSTS)
    )
    client = client_for(cast.alice)
    edit = url("content:feed_edit", feed_id=theirs.public_id)
    poll_url = url("content:feed_poll", feed_id=theirs.public_id)
    assert client.get(edit).status_code == 404
    assert client.post(edit, feed_form(name="Hijacked")).status_code == 404
    assert client.get(poll_url).status_code == 404
    assert client.post(poll_url).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Globex only"
    assert feed_server.requests == []


def test_cannot_get_other_org_feeds_changed_in_bulk(cast: Cast, client_for):
    ours = FeedSourceFactory(organization=cast.acme)
    theirs = FeedSourceFactory(organization=cast.globex)
    response = client_for(cast.carol).post(
        url("content:feed_bulk"),
        {"action": "pause", "feeds": [str(ours.public_id), str(theirs.public_id)]},
    )
    assert response.status_code == 302
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert (ours.is_active, theirs.is_active) == (False, True)
    entry = AuditEntry.all_tenants.get()
    assert entry.data["feeds"] == [str(ours.public_id)]


# The list


def test_the_list_shows_each_feeds_checks_problem_and_drafts(cast: Cast, client_for):
    with time_machine.travel(NOON, tick=False):
        blog = FeedSourceFactory(
            organization=cast.acme,
            name="Blog",
            last_polled_at=timezone.now(),
            last_success_at=timezone.now() - dt.timedelta(hours=1),
            last_error="The site had a problem of its own (it answered 500).",
        )
    ContentItemFactory.create_batch(2, organization=cast.acme, source_feed=blog, status="draft")
    ContentItemFactory(organization=cast.acme, source_feed=blog, status="published")
    FeedSourceFactory(organization=cast.globex, name="Globex feed")
    response = client_for(cast.carol).get(url("content:feed_list"))
    [row] = response.context["page"]
    assert (row.name, row.item_count, row.draft_count) == ("Blog", 3, 2)
    page = response.content.decode()
    assert "it answered 500" in page
    assert "Globex feed" not in page
    assert "2 waiting for approval" in page
    assert f"source={blog.public_id}&amp;status=draft" in page


def test_the_list_searches_and_filters(cast: Cast, client_for):
    FeedSourceFactory(organization=cast.acme, name="Company blog", url="https://acme.example/rss")
    FeedSourceFactory(
        organization=cast.acme,
        name="Job board",
        url="https://jobs.example/acme.atom",
        default_kind="job",
        is_active=False,
    )
    FeedSourceFactory(organization=cast.globex, name="Globex blog")
    client = client_for(cast.carol)

    def names(**params: str) -> set[str]:
        return {feed.name for feed in client.get(url("content:feed_list"), params).context["page"]}

    assert names() == {"Company blog", "Job board"}
    assert names(q="BLOG") == {"Company blog"}
    assert names(q="jobs.example") == {"Job board"}
    assert names(state="polled") == {"Company blog"}
    assert names(state="paused") == {"Job board"}
    assert names(kind="job") == {"Job board"}
    assert names(q="nothing like it") == set()


def test_the_feed_list_query_count_does_not_grow_with_feeds(
    cast: Cast, client_for, django_assert_num_queries
):
    def add_feed() -> None:
        feed = FeedSourceFactory(organization=cast.acme, last_error="Down.")
        ContentItemFactory(organization=cast.acme, source_feed=feed, status="draft")

    add_feed()
    client = client_for(cast.carol)
    client.get(url("content:feed_list"))  # the session settles on the first visit
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url("content:feed_list")).status_code == 200
    baseline = len(captured.captured_queries)
    for _ in range(8):
        add_feed()
    with django_assert_num_queries(baseline):
        client.get(url("content:feed_list"))


# Adding and editing


def test_comms_adds_a_feed_and_it_is_checked_at_once(
    cast: Cast, client_for, feed_server: FeedServer, django_capture_on_commit_callbacks
):
    address = feed_server.serve("/blog.xml", TWO_POSTS)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.carol).post(
            url("content:feed_new"), feed_form(url=address, default_kind="job")
        )
    assert response.status_code == 302
    assert response["Location"] == url("content:feed_list")
    feed = FeedSource.all_tenants.get()
    assert (feed.organization, feed.name, feed.default_kind, feed.created_by) == (
        cast.acme,
        "Company blog",
        "job",
        cast.carol,
    )
    assert drafts_of(feed).count() == 2
    actions = list(AuditEntry.all_tenants.order_by("id").values_list("actor", "action"))
    assert actions == [(cast.carol.pk, "feed.created"), (None, "feed.drafts_added")]


def test_a_paused_new_feed_is_not_checked(
    cast: Cast, client_for, feed_server: FeedServer, django_capture_on_commit_callbacks
):
    address = feed_server.serve("/blog.xml", TWO_POSTS)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(cast.carol).post(url("content:feed_new"), feed_form(url=address, is_active=None))
    assert FeedSource.all_tenants.get().is_active is False
    assert feed_server.requests == []


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"url": "ftp://files.acme.example/feed.xml"},
            "url",
            "Use an http:// or https:// address: feeds are read over the web.",
        ),
        ({"url": "not a web address"}, "url", "Enter a valid URL."),
        ({"name": ""}, "name", "This field is required."),
    ],
    ids=["ftp", "garbage", "no-name"],
)
def test_bad_input_is_shown_at_the_field_and_saves_nothing(
    cast: Cast, client_for, overrides: dict[str, str], field: str, message: str
):
    response = client_for(cast.carol).post(url("content:feed_new"), feed_form(**overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not FeedSource.all_tenants.exists()
    assert not AuditEntry.all_tenants.exists()


def test_an_address_the_organization_already_reads_is_refused_at_the_field(cast: Cast, client_for):
    FeedSourceFactory(organization=cast.acme, name="Blog", url="https://blog.acme.example/feed")
    # The same address in another organization is no conflict.
    FeedSourceFactory(organization=cast.globex, url="https://blog.acme.example/other")
    client = client_for(cast.carol)
    response = client.post(url("content:feed_new"), feed_form(url="https://blog.acme.example/feed"))
    assert response.context["form"].errors["url"] == ["“Blog” already reads this address."]
    assert FeedSource.all_tenants.filter(organization=cast.acme).count() == 1
    response = client.post(
        url("content:feed_new"), feed_form(url="https://blog.acme.example/other")
    )
    assert response.status_code == 302
    assert FeedSource.all_tenants.filter(organization=cast.acme).count() == 2


def test_an_address_without_a_scheme_gets_https(cast: Cast, client_for):
    client_for(cast.carol).post(
        url("content:feed_new"), feed_form(url="blog.acme.example/feed", is_active=None)
    )
    assert FeedSource.all_tenants.get().url == "https://blog.acme.example/feed"


def test_editing_the_address_forgets_the_old_servers_validators(
    cast: Cast, client_for, feed_server: FeedServer, django_capture_on_commit_callbacks
):
    feed = FeedSourceFactory(
        organization=cast.acme, name="Blog", etag='"old"', last_modified="x", last_error="Down."
    )
    other = FeedSourceFactory(organization=cast.acme, url="https://elsewhere.example/feed")
    client = client_for(cast.fay)
    edit = url("content:feed_edit", feed_id=feed.public_id)
    response = client.post(edit, feed_form(name="Blog", url=other.url))
    assert response.context["form"].errors["url"] == [f"“{other.name}” already reads this address."]
    assert response.context["feed"].url == feed.url

    address = feed_server.serve("/new.xml", TWO_POSTS)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(edit, feed_form(name="Blog", url=address))
    assert response.status_code == 302
    assert feed_server.requests_for("/new.xml")[0].get("if-none-match") is None
    feed.refresh_from_db()
    assert (feed.url, feed.last_error) == (address, "")
    assert drafts_of(feed).count() == 2
    edited = AuditEntry.all_tenants.get(action="feed.updated")
    assert (edited.actor, edited.data["changed"]) == (cast.fay, ["url"])


def test_saving_an_unchanged_feed_records_nothing(cast: Cast, client_for):
    feed = FeedSourceFactory(organization=cast.acme, name="Blog")
    response = client_for(cast.carol).post(
        url("content:feed_edit", feed_id=feed.public_id), feed_form(name="Blog", url=feed.url)
    )
    assert response.status_code == 302
    assert not AuditEntry.all_tenants.exists()


# Check now


def test_check_now_reads_the_feed(
    cast: Cast, client_for, feed_server: FeedServer, django_capture_on_commit_callbacks
):
    feed = FeedSourceFactory(organization=cast.acme, url=feed_server.serve("/b.xml", TWO_POSTS))
    client = client_for(cast.carol)
    check = url("content:feed_poll", feed_id=feed.public_id)
    assert client.get(check).status_code == 405
    assert feed_server.requests == []
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(check, {"return_query": "state=polled"})
    assert response["Location"] == url("content:feed_list") + "?state=polled"
    assert drafts_of(feed).count() == 2


def test_check_now_leaves_a_paused_feed_alone(
    cast: Cast, client_for, feed_server: FeedServer, django_capture_on_commit_callbacks
):
    feed = FeedSourceFactory(
        organization=cast.acme, name="Blog", url=feed_server.serve("/b.xml", TWO_POSTS)
    )
    FeedSource.all_tenants.filter(pk=feed.pk).update(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.carol).post(
            url("content:feed_poll", feed_id=feed.public_id), follow=True
        )
    assert "“Blog” is paused. Resume it to check it." in response.content.decode()
    assert feed_server.requests == []


# Bulk actions


def test_bulk_pause_resume_and_check(
    cast: Cast, client_for, feed_server: FeedServer, django_capture_on_commit_callbacks
):
    first = FeedSourceFactory(organization=cast.acme, url=feed_server.serve("/1.xml", TWO_POSTS))
    second = FeedSourceFactory(organization=cast.acme, url=feed_server.serve("/2.xml", TWO_POSTS))
    both = [str(first.public_id), str(second.public_id)]
    client = client_for(cast.carol)
    bulk = url("content:feed_bulk")

    response = client.post(bulk, {"action": "pause", "feeds": both}, follow=True)
    assert "Paused 2 feeds" in response.content.decode()
    assert not FeedSource.all_tenants.filter(is_active=True).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(bulk, {"action": "poll", "feeds": both}, follow=True)
    assert "Paused feeds are not checked. Resume them first." in response.content.decode()
    assert feed_server.requests == []

    with django_capture_on_commit_callbacks(execute=True):
        client.post(bulk, {"action": "resume", "feeds": [str(first.public_id)]})
    first.refresh_from_db()
    assert first.is_active
    assert drafts_of(first).count() == 2, "a resumed feed is checked at once"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(bulk, {"action": "poll", "feeds": both}, follow=True)
    assert "Checking 1 feed" in response.content.decode()
    assert [path for path, _headers in feed_server.requests] == ["/1.xml", "/1.xml"]
    assert not drafts_of(second).exists()

    actions = list(AuditEntry.all_tenants.filter(actor=cast.carol).values_list("action", flat=True))
    assert sorted(actions) == ["feed.bulk_paused", "feed.bulk_polled", "feed.bulk_resumed"]


def test_removing_a_feed_keeps_the_items_it_made(cast: Cast, client_for, feed_server: FeedServer):
    feed = FeedSourceFactory(
        organization=cast.acme, name="Blog", url=feed_server.serve("/b.xml", TWO_POSTS)
    )
    poll(feed)
    made = set(drafts_of(feed).values_list("pk", flat=True))
    response = client_for(cast.carol).post(
        url("content:feed_bulk"),
        {"action": "remove", "feeds": [str(feed.public_id)], "return_query": "q=blog"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == url("content:feed_list") + "?q=blog"
    assert "the items it made stay in the library" in response.content.decode()
    assert not FeedSource.all_tenants.exists()
    assert not FeedEntry.all_tenants.exists()
    kept = ContentItem.all_tenants.filter(pk__in=made)
    assert kept.count() == 2
    assert set(kept.values_list("source_feed", "status")) == {(None, "draft")}
    removal = AuditEntry.all_tenants.get(action="feed.bulk_removed")
    assert removal.data["names"] == ["Blog"]


def test_bulk_action_with_nothing_selected_changes_nothing(cast: Cast, client_for):
    feed = FeedSourceFactory(organization=cast.acme)
    response = client_for(cast.carol).post(
        url("content:feed_bulk"), {"action": "remove"}, follow=True
    )
    assert "Select at least one feed." in response.content.decode()
    assert FeedSource.all_tenants.filter(pk=feed.pk).exists()
    assert client_for(cast.carol).get(url("content:feed_bulk")).status_code == 405


# Approving drafts in the library


def test_add_to_the_library_publishes_drafts_only(cast: Cast, client_for):
    feed = FeedSourceFactory(organization=cast.acme)
    draft = ContentItemFactory(organization=cast.acme, status="draft", source_feed=feed)
    other_draft = ContentItemFactory(organization=cast.acme, status="draft")
    archived = ContentItemFactory(organization=cast.acme, status="archived")
    published = ContentItemFactory(organization=cast.acme, status="published")
    theirs = ContentItemFactory(organization=cast.globex, status="draft")
    chosen = [draft, other_draft, archived, published, theirs]
    response = client_for(cast.carol).post(
        url("content:library_bulk"),
        {"action": "publish", "items": [str(item.public_id) for item in chosen]},
        follow=True,
    )
    assert "Added 2 drafts to the library" in response.content.decode()
    for item in chosen:
        item.refresh_from_db()
    assert [item.status for item in chosen] == [
        "published",
        "published",
        "archived",
        "published",
        "draft",
    ]
    entry = AuditEntry.all_tenants.get()
    assert (entry.organization, entry.action) == (cast.acme, "content_item.bulk_published")
    assert set(entry.data["items"]) == {str(draft.public_id), str(other_draft.public_id)}


def test_the_library_marks_and_filters_items_from_feeds(cast: Cast, client_for):
    blog = FeedSourceFactory(organization=cast.acme, name="Company blog")
    jobs = FeedSourceFactory(organization=cast.acme, name="Job board")
    theirs = FeedSourceFactory(organization=cast.globex, name="Globex blog")
    ContentItemFactory(organization=cast.acme, title="From the blog", source_feed=blog)
    ContentItemFactory(organization=cast.acme, title="From the board", source_feed=jobs)
    ContentItemFactory(organization=cast.acme, title="By hand")
    client = client_for(cast.carol)

    def titles(**params: str) -> set[str]:
        return {item.title for item in client.get(url("content:library"), params).context["page"]}

    page = client.get(url("content:library")).content.decode()
    assert "From feed:" in page
    assert url("content:feed_edit", feed_id=blog.public_id) in page
    assert url("content:feed_list") in page
    assert "Globex blog" not in page
    assert titles(source="feeds") == {"From the blog", "From the board"}
    assert titles(source="hand") == {"By hand"}
    assert titles(source=str(blog.public_id)) == {"From the blog"}
    response = client.get(url("content:library"), {"source": str(theirs.public_id)})
    assert "source" in response.context["filters"].errors


def test_new_drafts_get_their_link_previews_read(
    feed_server: FeedServer, cast: Cast, django_capture_on_commit_callbacks
):
    page = (
        "<html><head><title>Plain</title>"
        '<meta property="og:title" content="Juniors at Acme">'
        '<meta property="og:description" content="How we train them"></head></html>'
    )
    article = feed_server.serve("/juniors", page, content_type="text/html; charset=utf-8")
    document = rss(rss_item("Juniors", link=article))
    feed = FeedSourceFactory(organization=cast.acme, url=feed_server.serve("/rss", document))
    with django_capture_on_commit_callbacks(execute=True):
        poll(feed)
    [draft] = drafts_of(feed)
    assert draft.preview_status == "fetched"
    assert (draft.preview_title, draft.preview_description) == (
        "Juniors at Acme",
        "How we train them",
    )
