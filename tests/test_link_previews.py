"""Link previews: reading a page's card, keeping its image, and storing both safely.

Pages come from real web servers on loopback addresses (tests/http_servers.py). Loopback is
not public, so most tests let 127.0.0.1 through with FETCH_ALLOWED_NETWORKS; the ones about
refusals leave it closed.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from PIL import Image, features

from advocacy.tenancy.models import AuditEntry
from content import previews, tasks
from content.models import ContentItem, Post, PreviewStatus
from content.previews import PreviewUnavailable, extract_preview, fetch_preview

from .conftest import Cast, besides_kept_pages
from .factories import ContentItemFactory, PostFactory
from .http_servers import Servers, page, redirect, servers


@pytest.fixture
def net() -> Iterator[Servers]:
    with servers() as opened:
        yield opened


@pytest.fixture
def allow_loopback(settings: Any) -> None:
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def picture(image_format: str, *, size: tuple[int, int] = (64, 48), mode: str = "RGB") -> bytes:
    colors: dict[str, Any] = {"RGBA": (200, 40, 40, 128), "RGB": (200, 40, 40), "1": 0}
    color = colors[mode]
    output = io.BytesIO()
    Image.new(mode, size, color).save(output, format=image_format)
    return output.getvalue()


def stored_files(media: Path) -> list[Path]:
    return sorted(path for path in media.rglob("*") if path.is_file())


OG_PAGE = """<!doctype html>
<html><head>
  <title>The plain title</title>
  <meta property="og:title" content="  Our   new
      office &amp; lab ">
  <meta property="og:description" content="Open Graph description">
  <meta property="og:site_name" content="Acme News">
  <meta property="og:image" content="/images/office.png">
  <meta name="twitter:title" content="Twitter title">
  <meta name="description" content="Plain description">
</head><body><h1>Hello</h1></body></html>"""


# --- Reading the page -----------------------------------------------------------------------


def test_open_graph_comes_first():
    preview = extract_preview(
        OG_PAGE.encode(), url="https://news.example/2026/office", charset="utf-8"
    )
    assert preview.title == "Our new office & lab"
    assert preview.description == "Open Graph description"
    assert preview.site_name == "Acme News"
    assert preview.image_url == "https://news.example/images/office.png"


def test_twitter_card_when_there_is_no_open_graph():
    html = b"""<html><head><title>Plain</title>
      <meta name="twitter:card" content="summary_large_image">
      <meta name="twitter:title" content="Card title">
      <meta name="twitter:description" content="Card description">
      <meta name="twitter:image" content="https://cdn.example/card.jpg">
      <meta name="description" content="Plain description"></head></html>"""
    preview = extract_preview(html, url="https://blog.example/post", charset=None)
    assert (preview.title, preview.description, preview.image_url) == (
        "Card title",
        "Card description",
        "https://cdn.example/card.jpg",
    )
    assert preview.site_name == ""


def test_plain_title_description_and_image_src():
    html = b"""<html><head><TITLE>
        Just a   title</TITLE>
      <META NAME="Description" CONTENT="What the page is about.">
      <link rel="image_src" href="thumb.gif"></head><body></body></html>"""
    preview = extract_preview(html, url="https://plain.example/dir/page.html", charset=None)
    assert preview.title == "Just a title"
    assert preview.description == "What the page is about."
    assert preview.image_url == "https://plain.example/dir/thumb.gif"


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ('<meta property="og:image" content="../img/a.png">', "https://site.example/img/a.png"),
        ('<meta property="og:image" content="//cdn.example/a.png">', "https://cdn.example/a.png"),
        (
            '<base href="https://static.example/assets/">'
            '<meta property="og:image" content="a.png">',
            "https://static.example/assets/a.png",
        ),
        (
            '<meta property="og:image" content="http://site.example/a.png">'
            '<meta property="og:image:secure_url" content="https://site.example/a.png">',
            "https://site.example/a.png",
        ),
        ('<meta property="og:image:url" content="/b.png">', "https://site.example/b.png"),
        (
            '<meta property="og:image" content="data:image/png;base64,AAAA">'
            '<meta name="twitter:image" content="/fallback.png">',
            "https://site.example/fallback.png",
        ),
        ('<meta property="og:image" content="javascript:alert(1)">', ""),
    ],
    ids=["relative", "scheme-relative", "base", "secure url", "og:image:url", "data", "script"],
)
def test_image_addresses_are_resolved_against_the_final_url(markup: str, expected: str):
    html = f"<html><head>{markup}</head></html>".encode()
    preview = extract_preview(html, url="https://site.example/news/item", charset=None)
    assert preview.image_url == expected


def test_charset_from_the_page_when_the_server_names_none():
    html = '<html><head><meta charset="windows-1252"><title>Café — menu</title></head></html>'
    preview = extract_preview(html.encode("cp1252"), url="https://cafe.example/", charset=None)
    assert preview.title == "Café — menu"


def test_charset_from_the_server_goes_first():
    html = '<html><head><meta charset="utf-8"><title>Señor</title></head></html>'
    preview = extract_preview(html.encode("latin-1"), url="https://es.example/", charset="latin-1")
    assert preview.title == "Señor"


def test_an_unknown_charset_is_not_fatal():
    html = "<html><head><title>Grüße</title></head></html>".encode()
    preview = extract_preview(html, url="https://de.example/", charset="no-such-charset")
    assert preview.title == "Grüße"


def test_long_texts_are_cut_to_the_fields():
    long_words = " ".join(["word"] * 400)
    html = (
        f'<meta property="og:title" content="{long_words}">'
        f'<meta property="og:description" content="{long_words}">'
        f'<meta property="og:site_name" content="{long_words}">'
    ).encode()
    preview = extract_preview(html, url="https://long.example/", charset=None)
    assert len(preview.title) == previews.TITLE_LENGTH
    assert len(preview.description) <= previews.DESCRIPTION_LENGTH
    assert len(preview.site_name) == previews.SITE_NAME_LENGTH
    assert preview.title.endswith("…")


def test_lengths_fit_the_model_fields():
    item_field = ContentItem._meta.get_field
    assert item_field("preview_title").max_length == previews.TITLE_LENGTH
    assert item_field("preview_site_name").max_length == previews.SITE_NAME_LENGTH
    assert item_field("preview_error").max_length == previews.ERROR_LENGTH
    assert Post._meta.get_field("link_title").max_length == previews.TITLE_LENGTH


def test_a_page_without_any_of_it_gives_an_empty_preview():
    preview = extract_preview(b"<p>no head at all</p>", url="https://bare.example/", charset=None)
    assert preview == previews.Preview()


# --- Fetching the page and its image ----------------------------------------------------------


def test_fetch_preview_reads_the_page_and_keeps_a_png_as_it_is(net: Servers, allow_loopback: None):
    site = net.site()
    png = picture("PNG")
    site.routes["/start"] = redirect("/2026/office")
    site.routes["/2026/office"] = page(OG_PAGE)
    site.routes["/images/office.png"] = page(png, content_type="image/png")

    fetched = fetch_preview(site.url("/start"))

    assert fetched.url == site.url("/2026/office")
    assert fetched.preview.title == "Our new office & lab"
    assert fetched.preview.image_url == site.url("/images/office.png")
    assert fetched.image is not None
    assert (fetched.image.extension, fetched.image.content) == ("png", png)
    assert (fetched.image.width, fetched.image.height) == (64, 48)
    assert fetched.image_problem == ""
    assert "text/html" in site.request_headers[0]["Accept"]


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/pdf", b"%PDF-1.7 ..."),
        ("application/json", b'{"title": "not a page"}'),
        ("text/plain", b"<title>plain text is not parsed</title>"),
    ],
)
def test_an_answer_that_is_not_html_has_no_preview(
    net: Servers, allow_loopback: None, content_type: str, body: bytes
):
    site = net.site()
    site.routes["/file"] = page(body, content_type=content_type)
    with pytest.raises(PreviewUnavailable) as unavailable:
        fetch_preview(site.url("/file"))
    assert content_type in str(unavailable.value)


def test_an_error_page_has_no_preview(net: Servers, allow_loopback: None):
    site = net.site()
    site.routes["/gone"] = page("<title>Not found</title>", status=404)
    with pytest.raises(PreviewUnavailable) as unavailable:
        fetch_preview(site.url("/gone"))
    assert "404" in str(unavailable.value)


def test_a_link_to_an_image_is_its_own_preview(net: Servers, allow_loopback: None):
    site = net.site()
    gif = picture("GIF")
    site.routes["/poster.gif"] = page(gif, content_type="image/gif")
    fetched = fetch_preview(site.url("/poster.gif"))
    assert fetched.image is not None
    assert (fetched.image.extension, fetched.image.content) == ("gif", gif)
    assert fetched.preview.title == ""


@pytest.mark.skipif(not features.check("webp"), reason="this Pillow was built without WebP")
@pytest.mark.parametrize(("mode", "expected"), [("RGB", "JPEG"), ("RGBA", "PNG")])
def test_webp_becomes_jpeg_or_png(net: Servers, allow_loopback: None, mode: str, expected: str):
    site = net.site()
    site.routes["/"] = page('<meta property="og:image" content="/card.webp">')
    site.routes["/card.webp"] = page(picture("WEBP", mode=mode), content_type="image/webp")
    fetched = fetch_preview(site.url("/"))
    assert fetched.image is not None
    with Image.open(io.BytesIO(fetched.image.content)) as converted:
        assert converted.format == expected
        assert converted.size == (64, 48)
    assert fetched.image.extension == {"JPEG": "jpg", "PNG": "png"}[expected]


def test_too_many_pixels_are_refused(net: Servers, allow_loopback: None):
    site = net.site()
    # A one-bit PNG compresses to almost nothing, however large the canvas it claims.
    huge = picture("PNG", size=(6100, 6000), mode="1")
    site.routes["/"] = page('<title>Big</title><meta property="og:image" content="/huge.png">')
    site.routes["/huge.png"] = page(huge, content_type="image/png")
    fetched = fetch_preview(site.url("/"))
    assert fetched.image is None
    assert "6100 by 6000" in fetched.image_problem
    assert fetched.preview.title == "Big"


@pytest.mark.parametrize(
    ("content_type", "body"),
    [("image/png", b"<html>not a picture</html>"), ("image/gif", b"GIF89a\x01\x00broken")],
)
def test_an_image_that_is_not_a_picture_is_refused_readably(
    net: Servers, allow_loopback: None, content_type: str, body: bytes
):
    site = net.site()
    site.routes["/"] = page('<title>Text stays</title><meta property="og:image" content="/i">')
    site.routes["/i"] = page(body, content_type=content_type)
    fetched = fetch_preview(site.url("/"))
    assert fetched.image is None
    assert fetched.image_problem == "The preview image is not a picture the platform can read."
    assert fetched.preview.title == "Text stays"


def test_an_image_on_a_private_address_is_not_fetched(net: Servers, allow_loopback: None):
    inside = net.site("127.0.0.2")
    inside.routes["/secret.png"] = page(picture("PNG"), content_type="image/png")
    site = net.site()
    site.routes["/"] = page(f'<meta property="og:image" content="{inside.url("/secret.png")}">')
    fetched = fetch_preview(site.url("/"))
    assert fetched.image is None
    assert "private or reserved" in fetched.image_problem
    assert inside.connections == 0


def test_an_image_over_its_limit_is_refused(net: Servers, allow_loopback: None):
    site = net.site()
    site.routes["/"] = page('<meta property="og:image" content="/big.jpg">')
    site.routes["/big.jpg"] = page(
        b"\xff" * (previews.IMAGE_MAX_BYTES + 1), content_type="image/jpeg"
    )
    fetched = fetch_preview(site.url("/"))
    assert fetched.image is None
    assert "larger" in fetched.image_problem


# --- Storing an item's preview ----------------------------------------------------------------


def og_site(net: Servers, image: bytes | None = None, content_type: str = "image/png") -> Any:
    site = net.site()
    site.routes["/2026/office"] = page(OG_PAGE)
    site.routes["/images/office.png"] = page(image or picture("PNG"), content_type=content_type)
    return site


def test_refresh_stores_the_preview_and_its_image_locally(
    cast: Cast, net: Servers, allow_loopback: None, media: Path
):
    png = picture("PNG")
    site = og_site(net, png)
    item = ContentItemFactory(organization=cast.acme, url=site.url("/2026/office"))

    stored = previews.refresh_item_preview(organization=cast.acme, item_id=item.pk)

    assert stored is not None
    assert stored.preview_status == PreviewStatus.FETCHED
    assert stored.preview_title == "Our new office & lab"
    assert stored.preview_description == "Open Graph description"
    assert stored.preview_site_name == "Acme News"
    assert stored.preview_error == ""
    assert stored.preview_fetched_at is not None
    assert stored.preview_image.name.startswith(f"orgs/{cast.acme.public_id}/previews/")
    assert stored.preview_image.name.endswith(".png")
    path = media / stored.preview_image.name
    assert path.read_bytes() == png
    assert stored_files(media) == [path]
    assert stored.card_title == "Our new office & lab"
    # Fetching is not editing: the item's "last changed" stays as comms left it.
    assert stored.updated_at == item.updated_at


@pytest.mark.skipif(not features.check("webp"), reason="this Pillow was built without WebP")
def test_refresh_stores_a_webp_image_as_jpeg(
    cast: Cast, net: Servers, allow_loopback: None, media: Path
):
    site = og_site(net, picture("WEBP"), content_type="image/webp")
    item = ContentItemFactory(organization=cast.acme, url=site.url("/2026/office"))
    stored = previews.refresh_item_preview(organization=cast.acme, item_id=item.pk)
    assert stored is not None
    assert stored.preview_image.name.endswith(".jpg")
    with Image.open(media / stored.preview_image.name) as image:
        assert image.format == "JPEG"


def test_a_bad_image_is_named_and_the_text_still_saved(
    cast: Cast, net: Servers, allow_loopback: None, media: Path
):
    site = og_site(net, b"this is no image", content_type="image/png")
    item = ContentItemFactory(organization=cast.acme, url=site.url("/2026/office"))
    stored = previews.refresh_item_preview(organization=cast.acme, item_id=item.pk)
    assert stored is not None
    assert stored.preview_status == PreviewStatus.FETCHED
    assert stored.preview_title == "Our new office & lab"
    assert stored.preview_error == "The preview image is not a picture the platform can read."
    assert not stored.preview_image
    assert stored_files(media) == []


def test_a_private_link_fails_with_the_reason_and_no_connection(
    cast: Cast, net: Servers, media: Path, django_capture_on_commit_callbacks: Any
):
    wire = net.tripwire()
    old = media / "orgs" / "old.png"
    old.parent.mkdir(parents=True)
    old.write_bytes(picture("PNG"))
    item = ContentItemFactory(
        organization=cast.acme,
        url=f"http://127.0.0.1:{wire.port}/admin",
        preview_status=PreviewStatus.FETCHED,
        preview_title="From an earlier link",
        preview_image="orgs/old.png",
    )
    with django_capture_on_commit_callbacks(execute=True):
        stored = previews.refresh_item_preview(organization=cast.acme, item_id=item.pk)
    assert stored is not None
    assert stored.preview_status == PreviewStatus.FAILED
    assert "private or reserved network address (127.0.0.1)" in stored.preview_error
    assert (stored.preview_title, stored.preview_image.name) == ("", "")
    assert not old.exists()
    assert not wire.touched


def test_a_hand_written_preview_is_kept_unless_forced(
    cast: Cast, net: Servers, allow_loopback: None, media: Path
):
    site = og_site(net)
    item = ContentItemFactory(
        organization=cast.acme,
        url=site.url("/2026/office"),
        preview_status=PreviewStatus.EDITED,
        preview_title="Written by comms",
    )
    kept = previews.refresh_item_preview(organization=cast.acme, item_id=item.pk)
    assert kept is not None
    assert (kept.preview_status, kept.preview_title) == (PreviewStatus.EDITED, "Written by comms")
    assert site.paths == []  # not even fetched

    forced = previews.refresh_item_preview(organization=cast.acme, item_id=item.pk, force=True)
    assert forced is not None
    assert (forced.preview_status, forced.preview_title) == (
        PreviewStatus.FETCHED,
        "Our new office & lab",
    )


def test_a_forced_fetch_that_fails_keeps_the_hand_written_preview(
    cast: Cast, net: Servers, allow_loopback: None, media: Path
):
    site = net.site()
    site.routes["/down"] = page("<title>Oops</title>", status=503)
    item = ContentItemFactory(
        organization=cast.acme,
        url=site.url("/down"),
        preview_status=PreviewStatus.EDITED,
        preview_title="Written by comms",
    )
    stored = previews.refresh_item_preview(organization=cast.acme, item_id=item.pk, force=True)
    assert stored is not None
    assert (stored.preview_status, stored.preview_title) == (
        PreviewStatus.EDITED,
        "Written by comms",
    )
    assert "503" in stored.preview_error


def test_a_link_changed_during_the_fetch_keeps_its_own_preview(
    cast: Cast, net: Servers, allow_loopback: None, media: Path
):
    site = og_site(net)
    item = ContentItemFactory(organization=cast.acme, url=site.url("/2026/office"))
    fetched = fetch_preview(item.url)
    # Meanwhile comms point the item elsewhere, and that link's preview arrives first.
    ContentItem.objects.for_org(cast.acme).filter(pk=item.pk).update(
        url="https://elsewhere.example/",
        preview_status=PreviewStatus.FETCHED,
        preview_title="The new link's title",
    )

    written = previews.store_item_preview(
        organization=cast.acme, item_id=item.pk, url=site.url("/2026/office"), fetched=fetched
    )

    assert written is False
    item.refresh_from_db()
    assert (item.url, item.preview_title) == ("https://elsewhere.example/", "The new link's title")
    assert not item.preview_image
    assert stored_files(media) == []  # the image stored for the stale fetch is gone again


def test_a_preview_written_by_hand_during_the_fetch_is_kept(
    cast: Cast, net: Servers, allow_loopback: None, media: Path
):
    site = og_site(net)
    item = ContentItemFactory(organization=cast.acme, url=site.url("/2026/office"))
    fetched = fetch_preview(item.url)
    ContentItem.objects.for_org(cast.acme).filter(pk=item.pk).update(
        preview_status=PreviewStatus.EDITED, preview_title="Typed while it loaded"
    )
    assert not previews.store_item_preview(
        organization=cast.acme, item_id=item.pk, url=item.url, fetched=fetched
    )
    item.refresh_from_db()
    assert item.preview_title == "Typed while it loaded"
    assert stored_files(media) == []


def test_a_new_image_replaces_the_old_file(
    cast: Cast,
    net: Servers,
    allow_loopback: None,
    media: Path,
    django_capture_on_commit_callbacks: Any,
):
    site = og_site(net)
    item = ContentItemFactory(organization=cast.acme, url=site.url("/2026/office"))
    with django_capture_on_commit_callbacks(execute=True):
        first = previews.refresh_item_preview(organization=cast.acme, item_id=item.pk)
        second = previews.refresh_item_preview(organization=cast.acme, item_id=item.pk)
    assert first is not None
    assert second is not None
    assert first.preview_image.name != second.preview_image.name
    assert stored_files(media) == [media / second.preview_image.name]


def test_another_organization_cannot_refresh_the_item(
    cast: Cast, net: Servers, allow_loopback: None, media: Path
):
    site = og_site(net)
    item = ContentItemFactory(organization=cast.acme, url=site.url("/2026/office"))
    assert previews.refresh_item_preview(organization=cast.globex, item_id=item.pk) is None
    assert site.paths == []


# --- Asking for a preview ---------------------------------------------------------------------


def test_request_marks_pending_and_fetches_after_commit(
    cast: Cast,
    net: Servers,
    allow_loopback: None,
    media: Path,
    django_capture_on_commit_callbacks: Any,
):
    site = og_site(net)
    item = ContentItemFactory(organization=cast.acme, url=site.url("/2026/office"))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert previews.request_item_preview(organization=cast.acme, item=item)
    assert item.preview_status == PreviewStatus.PENDING
    assert site.paths == []  # nothing is fetched before the transaction commits
    assert len(besides_kept_pages(callbacks)) == 1

    besides_kept_pages(callbacks)[0]()  # the commit: the task runs (eagerly, in tests)
    item.refresh_from_db()
    assert item.preview_status == PreviewStatus.FETCHED
    assert site.paths == ["/2026/office", "/images/office.png"]


def test_request_for_an_item_without_a_link_clears_its_preview(
    cast: Cast, media: Path, django_capture_on_commit_callbacks: Any
):
    item = ContentItemFactory(
        organization=cast.acme,
        url="",
        preview_status=PreviewStatus.FETCHED,
        preview_title="Of a link that was removed",
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert not previews.request_item_preview(organization=cast.acme, item=item)
    assert besides_kept_pages(callbacks) == []
    assert (item.preview_status, item.preview_title) == (PreviewStatus.NONE, "")


def test_request_leaves_a_hand_written_preview_alone_unless_forced(
    cast: Cast, django_capture_on_commit_callbacks: Any
):
    item = ContentItemFactory(
        organization=cast.acme, preview_status=PreviewStatus.EDITED, preview_title="Mine"
    )
    with django_capture_on_commit_callbacks() as callbacks:
        assert not previews.request_item_preview(organization=cast.acme, item=item)
    assert besides_kept_pages(callbacks) == []
    with django_capture_on_commit_callbacks() as callbacks:
        assert previews.request_item_preview(
            organization=cast.acme, item=item, force=True, actor=cast.carol
        )
    assert len(besides_kept_pages(callbacks)) == 1
    # Still the hand-written one until a fetch really replaces it.
    assert (item.preview_status, item.preview_title) == (PreviewStatus.EDITED, "Mine")
    entry = AuditEntry.objects.for_org(cast.acme).get(action="content_item.preview_requested")
    assert entry.actor == cast.carol
    assert entry.data["item"] == str(item.public_id)


def test_tasks_return_quietly_when_rows_are_gone(cast: Cast, net: Servers):
    item = ContentItemFactory(organization=cast.acme)
    tasks.fetch_item_preview.delay(cast.acme.pk + cast.globex.pk + 1, item.pk)
    tasks.fetch_item_preview.delay(cast.acme.pk, item.pk + 1000)
    tasks.fetch_post_preview.delay(cast.acme.pk, 123456)
    item.refresh_from_db()
    assert item.preview_status == PreviewStatus.NONE


def test_tasks_are_named_and_bounded():
    for task in (tasks.fetch_item_preview, tasks.fetch_post_preview):
        assert task.name.startswith("content.fetch_")
        assert 0 < task.soft_time_limit < task.time_limit


# --- Employees' own posts ---------------------------------------------------------------------


def draft_post(cast: Cast, **fields: Any) -> Post:
    defaults: dict[str, Any] = {
        "author": cast.membership(cast.emma, cast.acme),
        "content_item": None,
        "status": Post.Status.DRAFT,
        "linkedin_urn": "",
        "published_at": None,
    }
    post: Post = PostFactory(**{**defaults, **fields})
    return post


def test_post_preview_fills_only_what_the_author_left_empty(
    cast: Cast, net: Servers, allow_loopback: None, media: Path
):
    site = og_site(net)
    post = draft_post(cast, link_url=site.url("/2026/office"), link_title="My own words")
    stored = previews.refresh_post_preview(organization=cast.acme, post_id=post.pk)
    assert stored is not None
    assert stored.link_title == "My own words"
    assert stored.link_description == "Open Graph description"
    assert stored.link_image.name.startswith(f"orgs/{cast.acme.public_id}/posts/")
    assert (media / stored.link_image.name).read_bytes() == picture("PNG")


def test_a_published_post_is_not_touched(
    cast: Cast, net: Servers, allow_loopback: None, media: Path
):
    site = og_site(net)
    post = PostFactory(
        author=cast.membership(cast.emma, cast.acme),
        content_item=None,
        link_url=site.url("/2026/office"),
    )
    assert post.status == Post.Status.PUBLISHED
    stored = previews.refresh_post_preview(organization=cast.acme, post_id=post.pk)
    assert stored is not None
    assert (stored.link_title, stored.link_description) == ("", "")
    assert site.paths == []


def test_request_post_preview_fetches_after_commit(
    cast: Cast,
    net: Servers,
    allow_loopback: None,
    media: Path,
    django_capture_on_commit_callbacks: Any,
):
    site = og_site(net)
    post = draft_post(cast, link_url=site.url("/2026/office"))
    with django_capture_on_commit_callbacks(execute=True):
        assert previews.request_post_preview(organization=cast.acme, post=post)
    post.refresh_from_db()
    assert post.link_title == "Our new office & lab"

    without_link = draft_post(cast, link_url="")
    assert not previews.request_post_preview(organization=cast.acme, post=without_link)
    assert not previews.request_post_preview(organization=cast.globex, post=post)


# --- The comms action -------------------------------------------------------------------------


def preview_url(item: ContentItem, org_slug: str = "acme") -> str:
    return reverse("content:item_preview", kwargs={"org_slug": org_slug, "item_id": item.public_id})


@pytest.mark.parametrize("persona", ["carol", "alice", "fay"])
def test_comms_fetch_the_preview_again(
    persona: str,
    cast: Cast,
    client_for: Any,
    net: Servers,
    allow_loopback: None,
    media: Path,
    django_capture_on_commit_callbacks: Any,
):
    site = og_site(net)
    item = ContentItemFactory(
        organization=cast.acme,
        url=site.url("/2026/office"),
        preview_status=PreviewStatus.EDITED,
        preview_title="Old hand-written title",
    )
    client = client_for(getattr(cast, persona))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(preview_url(item))
    edit_url = reverse("content:item_edit", kwargs={"org_slug": "acme", "item_id": item.public_id})
    assert response.status_code == 302
    assert response["Location"] == edit_url
    item.refresh_from_db()
    assert (item.preview_status, item.preview_title) == (
        PreviewStatus.FETCHED,
        "Our new office & lab",
    )
    assert (
        AuditEntry.objects.for_org(cast.acme)
        .filter(action="content_item.preview_requested")
        .exists()
    )

    page_after = client.get(edit_url)
    assert "is being fetched again" in page_after.content.decode()
    assert "Our new office &amp; lab" in page_after.content.decode()


def test_employees_cannot_fetch_previews(
    cast: Cast, client_for: Any, net: Servers, allow_loopback: None
):
    site = og_site(net)
    item = ContentItemFactory(organization=cast.acme, url=site.url("/2026/office"))
    assert client_for(cast.emma).post(preview_url(item)).status_code == 403
    item.refresh_from_db()
    assert item.preview_status == PreviewStatus.NONE
    assert site.paths == []


def test_cannot_fetch_preview_of_other_org_item(cast: Cast, client_for: Any):
    theirs = ContentItemFactory(organization=cast.globex)
    alice = client_for(cast.alice)
    assert alice.post(preview_url(theirs)).status_code == 404
    assert alice.get(preview_url(theirs)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.preview_status == PreviewStatus.NONE


def test_preview_action_answers_only_post(cast: Cast, client_for: Any):
    item = ContentItemFactory(organization=cast.acme)
    assert client_for(cast.carol).get(preview_url(item)).status_code == 405


def test_an_item_without_a_link_has_nothing_to_fetch(cast: Cast, client_for: Any):
    item = ContentItemFactory(organization=cast.acme, url="", kind=ContentItem.Kind.TIP)
    response = client_for(cast.carol).post(preview_url(item), follow=True)
    assert "has no link" in response.content.decode()


def test_the_edit_page_shows_the_preview_and_its_own_form(cast: Cast, client_for: Any):
    item = ContentItemFactory(
        organization=cast.acme,
        preview_status=PreviewStatus.FETCHED,
        preview_title="Fetched title",
        preview_description="Fetched description",
        preview_site_name="Example News",
        preview_error="The preview image is not a picture the platform can read.",
    )
    edit_url = reverse("content:item_edit", kwargs={"org_slug": "acme", "item_id": item.public_id})
    html = client_for(cast.carol).get(edit_url).content.decode()
    for text in ("Fetched title", "Fetched description", "Example News", "Fetch the preview again"):
        assert text in html
    assert "not a picture the platform can read" in html
    # The button's form is not inside the item's form (nested forms do not exist in HTML).
    item_form_end = html.index("</form>")
    assert html.index(f'action="{preview_url(item)}"') > item_form_end
