"""Link previews: the title, description, site name and thumbnail a shared link shows.

LinkedIn builds no card for a link a post carries; the post brings its own. So the platform
reads the page once (through content/fetching.py, which refuses private addresses), takes
its Open Graph, Twitter card or plain HTML tags, keeps the image as a local file in a format
LinkedIn accepts, and comms can correct what was read. Network calls happen outside any
transaction; the writes afterwards check that the link is still the one that was read.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, SoupStrainer, Tag
from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from advocacy.tenancy.models import Organization
from advocacy.tenancy.services import record_audit_entry

from . import fetching, tasks
from .models import ContentItem, Post, PreviewStatus

if TYPE_CHECKING:
    from advocacy.accounts.models import User

logger = logging.getLogger(__name__)

# The model fields' lengths; a description longer than this is not read on a card anyway.
TITLE_LENGTH = 300
SITE_NAME_LENGTH = 200
DESCRIPTION_LENGTH = 1000
ERROR_LENGTH = 300
IMAGE_URL_LENGTH = 2000

PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})
PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,image/*;q=0.5,*/*;q=0.1"
IMAGE_MAX_BYTES = 5 * 1024 * 1024
# LinkedIn takes JPG, PNG and GIF images of fewer than 36,152,320 pixels.
KEPT_FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif"}
MAX_IMAGE_PIXELS = 36_152_320

# Where an image may be named, best first: a secure URL is what the page means for https.
IMAGE_KEYS = (
    "og:image:secure_url",
    "og:image",
    "og:image:url",
    "twitter:image",
    "twitter:image:src",
)
# Posts whose link may still change: nothing has been sent to LinkedIn for them.
UNPUBLISHED_POST_STATUSES = (Post.Status.DRAFT, Post.Status.SCHEDULED, Post.Status.FAILED)


class PreviewUnavailable(fetching.FetchError):
    """The page was read but is not one a preview can be made of (an error page, a PDF)."""


@dataclass(frozen=True)
class Preview:
    title: str = ""
    description: str = ""
    site_name: str = ""
    image_url: str = ""


@dataclass(frozen=True)
class PreviewImage:
    """An image ready to store: JPEG, PNG or GIF, within LinkedIn's pixel limit."""

    content: bytes
    extension: str  # jpg, png or gif
    width: int
    height: int


@dataclass(frozen=True)
class FetchedPreview:
    url: str  # the page's address after redirects
    preview: Preview
    image: PreviewImage | None = None
    image_problem: str = ""  # why there is no image although the page names one


def extract_preview(html: bytes, *, url: str, charset: str | None) -> Preview:
    """Read a page's preview: Open Graph first, then the Twitter card, then plain HTML.

    `url` is the page's address after redirects (relative image addresses are resolved
    against it, or against the page's <base>); `charset` the one the server declared, which
    goes before the page's own <meta charset> as in browsers.
    """
    soup = BeautifulSoup(
        html,
        "html.parser",
        from_encoding=charset or None,
        # The rest of the page says nothing a card shows; skipping it keeps big pages cheap.
        parse_only=SoupStrainer(["meta", "title", "link", "base"]),
    )
    meta: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        if not isinstance(tag, Tag):
            continue
        content = tag.get("content")
        if not isinstance(content, str) or not content.strip():
            continue
        for attribute in ("property", "name"):
            key = tag.get(attribute)
            if isinstance(key, str) and key.strip():
                meta.setdefault(key.strip().lower(), content)
    title_tag = soup.find("title")
    page_title = title_tag.get_text() if isinstance(title_tag, Tag) else ""
    return Preview(
        title=_cut(
            _first(meta.get("og:title"), meta.get("twitter:title"), page_title), TITLE_LENGTH
        ),
        description=_cut(
            _first(
                meta.get("og:description"),
                meta.get("twitter:description"),
                meta.get("description"),
            ),
            DESCRIPTION_LENGTH,
        ),
        site_name=_cut(
            _first(meta.get("og:site_name"), meta.get("application-name")), SITE_NAME_LENGTH
        ),
        image_url=_image_url(soup, meta, _base_url(soup, url)),
    )


def _first(*values: str | None) -> str:
    for value in values:
        cleaned = " ".join((value or "").split())
        if cleaned:
            return cleaned
    return ""


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def _is_web_address(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def _base_url(soup: BeautifulSoup, url: str) -> str:
    base = soup.find("base")
    href = base.get("href") if isinstance(base, Tag) else None
    if isinstance(href, str) and href.strip():
        candidate = urljoin(url, href.strip())
        if _is_web_address(candidate):
            return candidate
    return url


def _image_url(soup: BeautifulSoup, meta: dict[str, str], base_url: str) -> str:
    candidates = [meta.get(key, "") for key in IMAGE_KEYS]
    for link in soup.find_all("link"):
        if not isinstance(link, Tag):
            continue
        rel = link.get("rel")
        rels = [rel] if isinstance(rel, str) else list(rel or [])
        href = link.get("href")
        if "image_src" in {value.lower() for value in rels} and isinstance(href, str):
            candidates.append(href)
    for candidate in candidates:
        candidate = candidate.strip()
        if not candidate:
            continue
        resolved = urljoin(base_url, candidate)
        # data: and javascript: images are not fetched; an absurd address is not either.
        if _is_web_address(resolved) and len(resolved) <= IMAGE_URL_LENGTH:
            return resolved
    return ""


def _looks_like_html(body: bytes) -> bool:
    start = body[:512].lstrip().lower()
    return start.startswith((b"<!doctype html", b"<html"))


def fetch_preview(url: str) -> FetchedPreview:
    """Fetch the page at `url` and its preview image.

    Raises fetching.FetchError (FetchRefused, FetchFailed, PreviewUnavailable), whose text
    says in words why there is no preview. A page whose image cannot be used still gives
    its text, with the reason in `image_problem`. A link straight to an image gives that
    image as the preview (within the page's size limit, since it is read as the page).
    """
    response = fetching.fetch(url, headers={"Accept": PAGE_ACCEPT})
    if not 200 <= response.status < 300:
        raise PreviewUnavailable(
            _("The page answered with an error (HTTP %(status)d).") % {"status": response.status}
        )
    content_type = response.content_type
    if content_type in PAGE_TYPES or (not content_type and _looks_like_html(response.body)):
        preview = extract_preview(response.body, url=response.url, charset=response.charset)
        if not preview.image_url:
            return FetchedPreview(url=response.url, preview=preview)
        image, problem = _fetch_image(preview.image_url)
        return FetchedPreview(url=response.url, preview=preview, image=image, image_problem=problem)
    if content_type.startswith("image/"):
        image, problem = prepare_image(response.body)
        if image is None:
            raise PreviewUnavailable(problem)
        return FetchedPreview(
            url=response.url, preview=Preview(image_url=response.url), image=image
        )
    raise PreviewUnavailable(
        _("The link leads to a file of type %(type)s, not a web page, so it has no preview.")
        % {"type": content_type or _("unknown")}
    )


def _fetch_image(url: str) -> tuple[PreviewImage | None, str]:
    try:
        response = fetching.fetch(url, headers={"Accept": "image/*"}, max_bytes=IMAGE_MAX_BYTES)
    except fetching.FetchError as error:
        return None, _("The preview image could not be fetched: %(reason)s") % {"reason": error}
    if not 200 <= response.status < 300:
        return None, _("The preview image could not be fetched (HTTP %(status)d).") % {
            "status": response.status
        }
    return prepare_image(response.body)


def prepare_image(content: bytes) -> tuple[PreviewImage | None, str]:
    """The image ready to store, or None and why not.

    Whatever the server called it, the bytes must decode as a picture. JPEG, PNG and GIF are
    kept byte for byte; other formats (WebP, AVIF, BMP...) become PNG when they have
    transparency and JPEG otherwise, since LinkedIn takes only those three.
    """
    unreadable = _("The preview image is not a picture the platform can read.")
    try:
        with Image.open(io.BytesIO(content)) as image:
            width, height = image.size
            # Checked before decoding: a small file can claim a huge canvas.
            if width * height >= MAX_IMAGE_PIXELS:
                return None, _too_many_pixels(width, height)
            image.load()
            extension = KEPT_FORMATS.get(image.format or "")
            if extension is not None:
                return PreviewImage(content, extension, width, height), ""
            return _converted(image), ""
    except Image.DecompressionBombError:
        return None, _("The preview image has more pixels than LinkedIn takes.")
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        return None, unreadable


def _too_many_pixels(width: int, height: int) -> str:
    return _(
        "The preview image is %(width)d by %(height)d pixels; LinkedIn takes images of fewer "
        "than 36 million pixels."
    ) % {"width": width, "height": height}


def _converted(image: Image.Image) -> PreviewImage:
    transparent = image.mode in {"RGBA", "LA", "PA", "La", "RGBa"} or "transparency" in image.info
    output = io.BytesIO()
    if transparent:
        image.convert("RGBA").save(output, format="PNG", optimize=True)
        extension = "png"
    else:
        image.convert("RGB").save(output, format="JPEG", quality=88, optimize=True)
        extension = "jpg"
    return PreviewImage(output.getvalue(), extension, image.width, image.height)


# --- Content items ------------------------------------------------------------------------

ITEM_PREVIEW_CLEARED: dict[str, Any] = {
    "preview_title": "",
    "preview_description": "",
    "preview_site_name": "",
    "preview_image": "",
    "preview_fetched_at": None,
}


def request_item_preview(
    *,
    organization: Organization,
    item: ContentItem,
    force: bool = False,
    actor: User | None = None,
) -> bool:
    """Mark the item's preview as on its way and fetch it in a task after commit.

    An item without a link gets status "none" and loses what was fetched for an earlier link.
    A preview comms wrote by hand is kept unless `force` (then the fetch may replace it, and
    it stays marked "edited" until it does). With `actor`, the request is in the audit trail.
    Returns whether a fetch was queued. Call it in the transaction that changed the link:
    the task runs after commit and reads the committed link.
    """
    queued = False
    with transaction.atomic():
        current = (
            ContentItem.objects.for_org(organization).select_for_update().filter(pk=item.pk).first()
        )
        if current is None:
            return False
        row = ContentItem.objects.for_org(organization).filter(pk=current.pk)
        edited = current.preview_status == PreviewStatus.EDITED
        if not current.url and not edited:
            row.update(preview_status=PreviewStatus.NONE, preview_error="", **ITEM_PREVIEW_CLEARED)
            _delete_on_commit(current.preview_image.storage, current.preview_image.name)
        elif current.url and (force or not edited):
            # A hand-written preview stays marked so until a fetch really replaces it.
            status = PreviewStatus.EDITED if edited else PreviewStatus.PENDING
            row.update(preview_status=status, preview_error="")
            tasks.fetch_item_preview.delay_on_commit(organization.pk, current.pk, force)
            queued = True
        if queued and actor is not None:
            record_audit_entry(
                organization=organization,
                actor=actor,
                action="content_item.preview_requested",
                summary=_("Asked for the link preview of “%(title)s” again")
                % {"title": current.title},
                data={"item": str(current.public_id), "url": current.url, "force": force},
            )
    item.refresh_from_db(fields=["preview_status", "preview_error", *ITEM_PREVIEW_CLEARED])
    return queued


def refresh_item_preview(
    *, organization: Organization, item_id: int, force: bool = False
) -> ContentItem | None:
    """Fetch the item's link preview and store it: the work of the fetch_item_preview task.

    Status "fetched" with the page's title, description, site name and image (and the
    image's problem, if any, in `preview_error`), or "failed" with the reason in words and no
    stale preview left. A preview comms wrote by hand is not replaced unless `force`; nothing
    is written when the item's link changed while its page was being read. Call it outside a
    transaction: it waits for other sites. Returns the item as stored, None when it is gone.
    """
    item = ContentItem.objects.for_org(organization).filter(pk=item_id).first()
    if item is None:
        return None
    if not item.url:
        ContentItem.objects.for_org(organization).filter(
            pk=item.pk, url="", preview_status=PreviewStatus.PENDING
        ).update(preview_status=PreviewStatus.NONE)
    elif item.preview_status != PreviewStatus.EDITED or force:
        try:
            fetched = fetch_preview(item.url)
        except fetching.FetchError as error:
            _store_item_failure(
                organization=organization,
                item_id=item.pk,
                url=item.url,
                reason=str(error),
                force=force,
            )
        except SoftTimeLimitExceeded:
            _store_item_failure(
                organization=organization,
                item_id=item.pk,
                url=item.url,
                reason=_("Reading the page took too long."),
                force=force,
            )
            raise
        else:
            store_item_preview(
                organization=organization,
                item_id=item.pk,
                url=item.url,
                fetched=fetched,
                force=force,
            )
    return ContentItem.objects.for_org(organization).filter(pk=item_id).first()


def store_item_preview(
    *,
    organization: Organization,
    item_id: int,
    url: str,
    fetched: FetchedPreview,
    force: bool = False,
) -> bool:
    """Write a fetched preview to the item, if its link is still `url`.

    Compare and swap: an item whose link changed meanwhile, or (without `force`) whose
    preview comms wrote by hand meanwhile, keeps what it has, and the image stored for this
    preview is deleted again. Returns whether the preview was written.
    """
    item = ContentItem.objects.for_org(organization).filter(pk=item_id, url=url).first()
    if item is None or (item.preview_status == PreviewStatus.EDITED and not force):
        return False
    storage = item.preview_image.storage
    image_name = ""
    if fetched.image is not None:
        # Stored before the transaction: a file system or bucket is no place to hold a lock.
        item.organization = organization
        item.preview_image.save(
            f"preview.{fetched.image.extension}", ContentFile(fetched.image.content), save=False
        )
        image_name = item.preview_image.name or ""
    written = False
    try:
        with transaction.atomic():
            current = _locked_item(organization, item_id, url=url, force=force)
            if current is not None:
                ContentItem.objects.for_org(organization).filter(pk=item_id).update(
                    preview_status=PreviewStatus.FETCHED,
                    preview_title=fetched.preview.title,
                    preview_description=fetched.preview.description,
                    preview_site_name=fetched.preview.site_name,
                    preview_image=image_name,
                    preview_error=_cut(fetched.image_problem, ERROR_LENGTH),
                    preview_fetched_at=timezone.now(),
                )
                if current.preview_image.name != image_name:
                    _delete_on_commit(storage, current.preview_image.name)
        written = current is not None
    finally:
        if image_name and not written:
            storage.delete(image_name)
    return written


def _store_item_failure(
    *, organization: Organization, item_id: int, url: str, reason: str, force: bool
) -> None:
    with transaction.atomic():
        current = _locked_item(organization, item_id, url=url, force=force)
        if current is None:
            return
        row = ContentItem.objects.for_org(organization).filter(pk=item_id)
        if current.preview_status == PreviewStatus.EDITED:
            # Asked to fetch again, and it failed: the hand-written preview is still the best.
            row.update(preview_error=_cut(reason, ERROR_LENGTH))
            return
        # What an earlier fetch found may belong to an earlier link; a card without it falls
        # back to the item's own title, description and image, which is never wrong.
        row.update(
            preview_status=PreviewStatus.FAILED,
            preview_error=_cut(reason, ERROR_LENGTH),
            **ITEM_PREVIEW_CLEARED,
        )
        _delete_on_commit(current.preview_image.storage, current.preview_image.name)


def _locked_item(
    organization: Organization, item_id: int, *, url: str, force: bool
) -> ContentItem | None:
    """The item, locked, if its link is still `url` and (unless forced) not edited by hand."""
    queryset = (
        ContentItem.objects.for_org(organization).select_for_update().filter(pk=item_id, url=url)
    )
    if not force:
        queryset = queryset.exclude(preview_status=PreviewStatus.EDITED)
    return queryset.only("pk", "preview_status", "preview_image").first()


def _delete_on_commit(storage: Storage, name: str | None) -> None:
    if name:
        transaction.on_commit(lambda: storage.delete(name))


# --- Employees' own posts -------------------------------------------------------------------


def _post_wants_preview(post: Post) -> bool:
    return bool(
        post.link_url
        and post.status in UNPUBLISHED_POST_STATUSES
        and post.sent_at is None
        and not (post.link_title and post.link_description and post.link_image)
    )


def request_post_preview(*, organization: Organization, post: Post) -> bool:
    """Fetch the preview of a post's link in a task after commit, if it is worth it.

    Only for a post with a link that is not published yet and whose link title, description
    or image the author left empty. Returns whether a fetch was queued.
    """
    if post.organization_id != organization.pk or not _post_wants_preview(post):
        return False
    tasks.fetch_post_preview.delay_on_commit(organization.pk, post.pk)
    return True


def refresh_post_preview(*, organization: Organization, post_id: int) -> Post | None:
    """Fill in the link title, description and image of a post from its link's page.

    Only what the author left empty, and only while the post is unpublished and its link is
    still the one that was read; a page that cannot be read leaves the post as it is (the
    author sees an empty card and can write one). Call it outside a transaction. Returns the
    post as stored, None when it is gone.
    """
    post = Post.objects.for_org(organization).filter(pk=post_id).first()
    if post is None:
        return None
    if not _post_wants_preview(post):
        return post
    url = post.link_url
    try:
        fetched = fetch_preview(url)
    except fetching.FetchError as error:
        logger.info("No link preview for post %s: %s", post.public_id, error)
        return post
    storage = post.link_image.storage
    image_name = ""
    if fetched.image is not None and not post.link_image:
        post.organization = organization
        post.link_image.save(
            f"link.{fetched.image.extension}", ContentFile(fetched.image.content), save=False
        )
        image_name = post.link_image.name or ""
    image_written = False
    try:
        with transaction.atomic():
            current = (
                Post.objects.for_org(organization)
                .select_for_update()
                .filter(
                    pk=post_id,
                    link_url=url,
                    status__in=UNPUBLISHED_POST_STATUSES,
                    sent_at__isnull=True,
                )
                .first()
            )
            changes: dict[str, str] = {}
            if current is not None:
                if not current.link_title and fetched.preview.title:
                    changes["link_title"] = fetched.preview.title
                if not current.link_description and fetched.preview.description:
                    changes["link_description"] = fetched.preview.description
                if not current.link_image and image_name:
                    changes["link_image"] = image_name
            if changes:
                Post.objects.for_org(organization).filter(pk=post_id).update(**changes)
        image_written = "link_image" in changes
    finally:
        if image_name and not image_written:
            storage.delete(image_name)
    return Post.objects.for_org(organization).filter(pk=post_id).first()
