"""Writes of the simulated LinkedIn: tokens, codes, posts and images."""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction

from .addresses import www_url
from .application import ACCESS_TOKEN_SECONDS, CODE_SECONDS, REFRESH_TOKEN_SECONDS
from .little_text import kept_commentary
from .models import AccessToken, AuthorizationCode, Image, Member, Page, Post
from .responses import ApiError, OAuthError

CODE_PROBLEM = (
    "Unable to retrieve access token: appid/redirect uri/code verifier does not match "
    "authorization code. Or authorization code expired. Or external member binding exists"
)
# API-created posts get LinkedIn-like 19-digit ids above anything a scenario uses.
FIRST_POST_NUMBER = 7_390_000_000_000_000_000


@dataclass(frozen=True)
class TokenSet:
    access: AccessToken
    refresh: AccessToken | None


def _token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(96)


def mint_tokens(
    *,
    member: Member,
    scopes: list[str],
    client_id: str,
    now: datetime,
    with_refresh: bool,
    provisioned_for: str = "",
    provisioned_as: str = "",
) -> TokenSet:
    """A fresh grant: a 60-day access token and, if the app has them, a 365-day refresh token."""
    grant = uuid.uuid4()
    common: dict[str, Any] = {
        "grant": grant,
        "member": member,
        "client_id": client_id,
        "scopes": sorted(scopes),
        "authorized_at": now,
        "created_at": now,
        "provisioned_for": provisioned_for,
        "provisioned_as": provisioned_as,
    }
    with transaction.atomic():
        access = AccessToken.objects.create(
            token=_token("AQX"),
            kind=AccessToken.Kind.ACCESS,
            expires_at=now + timedelta(seconds=ACCESS_TOKEN_SECONDS),
            **common,
        )
        refresh = None
        if with_refresh:
            refresh = AccessToken.objects.create(
                token=_token("AQW"),
                kind=AccessToken.Kind.REFRESH,
                expires_at=now + timedelta(seconds=REFRESH_TOKEN_SECONDS),
                **common,
            )
    return TokenSet(access, refresh)


def issue_code(
    *, member: Member, client_id: str, redirect_uri: str, scopes: list[str], now: datetime
) -> AuthorizationCode:
    """The code the consent screen hands to the redirect URI."""
    return AuthorizationCode.objects.create(
        code="AQ" + secrets.token_urlsafe(64),
        member=member,
        client_id=client_id,
        redirect_uri=redirect_uri,
        scopes=sorted(scopes),
        created_at=now,
        expires_at=now + timedelta(seconds=CODE_SECONDS),
    )


def exchange_code(
    *, code: str, client_id: str, redirect_uri: str, now: datetime, with_refresh: bool
) -> tuple[TokenSet, AuthorizationCode]:
    """Trade a code for tokens, once; any mismatch is LinkedIn's one 400 invalid_request."""
    found = AuthorizationCode.objects.filter(code=code).select_related("member").first()
    if (
        found is None
        or found.used_at is not None
        or found.expires_at <= now
        or found.client_id != client_id
        or found.redirect_uri != redirect_uri
    ):
        raise OAuthError(400, "invalid_request", CODE_PROBLEM)
    # Single use even when two exchanges race: only the one that flips `used_at` wins.
    if AuthorizationCode.objects.filter(pk=found.pk, used_at__isnull=True).update(used_at=now) != 1:
        raise OAuthError(400, "invalid_request", CODE_PROBLEM)
    tokens = mint_tokens(
        member=found.member,
        scopes=found.scopes,
        client_id=client_id,
        now=now,
        with_refresh=with_refresh,
    )
    return tokens, found


def refresh_access(*, refresh_token: str, client_id: str, now: datetime) -> TokenSet:
    """A new 60-day access token, capped by the refresh token, whose own TTL never grows."""
    found = (
        AccessToken.objects.filter(token=refresh_token, kind=AccessToken.Kind.REFRESH)
        .select_related("member")
        .first()
    )
    if (
        found is None
        or found.client_id != client_id
        or found.revoked_at is not None
        or found.expires_at <= now
    ):
        raise OAuthError(400, "invalid_request", "The provided refresh token is invalid")
    access = AccessToken.objects.create(
        token=_token("AQX"),
        kind=AccessToken.Kind.ACCESS,
        grant=found.grant,
        member=found.member,
        client_id=client_id,
        scopes=found.scopes,
        authorized_at=found.authorized_at,
        created_at=now,
        expires_at=min(now + timedelta(seconds=ACCESS_TOKEN_SECONDS), found.expires_at),
        provisioned_for=found.provisioned_for,
        provisioned_as=found.provisioned_as,
    )
    return TokenSet(access, found)


def revoke_token(*, token: str, now: datetime) -> bool:
    """Revoke the grant the token belongs to (its access and refresh tokens); False if unknown."""
    found = AccessToken.objects.filter(token=token).first()
    if found is None:
        return False
    AccessToken.objects.filter(grant=found.grant, revoked_at__isnull=True).update(revoked_at=now)
    return True


# Posts -------------------------------------------------------------------------------------

VISIBILITIES = frozenset({"PUBLIC", "CONNECTIONS", "LOGGED_IN", "CONTAINER"})
FEED_DISTRIBUTIONS = frozenset({"MAIN_FEED", "NONE"})
LIFECYCLE_STATES = frozenset({"PUBLISHED", "DRAFT"})
_MENTIONED_PAGE = re.compile(r"\]\(urn:li:organization:(\d+)\)")


def field_missing(path: str) -> ApiError:
    return ApiError(
        422,
        f"ERROR :: {path} :: field is required but not found and has no default value",
        code="FIELD_MISSING",
    )


def not_an_enum_symbol(path: str, value: Any) -> ApiError:
    return ApiError(
        422, f'ERROR :: {path} :: "{value}" is not an enum symbol', code="INVALID_VALUE"
    )


def wrong_type(path: str, expected: str) -> ApiError:
    return ApiError(422, f"ERROR :: {path} :: expected {expected}", code="INVALID_VALUE")


def duplicate_post(existing: Post) -> ApiError:
    """LinkedIn's 422 for identical commentary, naming the post it duplicates (5.1)."""
    return ApiError(
        422,
        body={
            "errorDetailType": "com.linkedin.common.error.BadRequest",
            "message": f"Content is a duplicate of {existing.urn}",
            "errorDetails": {
                "inputErrors": [
                    {
                        "description": "Duplicate post is detected",
                        "input": {},
                        "code": "DUPLICATE_POST",
                    }
                ]
            },
            "status": 422,
        },
    )


def resolve_author(urn: Any, *, caller: Member | None = None) -> Member | Page:
    """The member or page an author/owner URN names, or 400 (422 if it is not a string).

    `caller`, the member the token belongs to, is the author of most calls: then no read.
    """
    if not isinstance(urn, str):
        raise wrong_type("/author", "a URN string")
    if caller is not None and urn == caller.urn:
        return caller
    if urn.startswith("urn:li:person:"):
        member = Member.objects.filter(sub=urn.removeprefix("urn:li:person:")).first()
        if member is not None:
            return member
    elif urn.startswith("urn:li:organization:"):
        page = Page.objects.filter(page_id=urn.removeprefix("urn:li:organization:")).first()
        if page is not None:
            return page
    raise ApiError(400, f"Invalid author/owner URN: {urn}")


def may_act_as(member: Member, author: Member | Page) -> bool:
    """A member acts as themselves, and as the pages they administer."""
    if isinstance(author, Member):
        return author.pk == member.pk
    return author.admins.filter(pk=member.pk).exists()


def validate_post_body(body: Any) -> dict[str, Any]:
    """Required fields and enums, in LinkedIn's 422 wording; returns the body."""
    if not isinstance(body, dict):
        raise ApiError(400, "Request body must be a JSON object")
    for field in ("author", "visibility", "distribution", "lifecycleState"):
        if field not in body:
            raise field_missing(f"/{field}")
    commentary = body.get("commentary", "")
    if not isinstance(commentary, str):
        raise wrong_type("/commentary", "a string")
    if body["visibility"] not in VISIBILITIES:
        raise not_an_enum_symbol("/visibility", body["visibility"])
    distribution = body["distribution"]
    if not isinstance(distribution, dict):
        raise wrong_type("/distribution", "a record")
    if "feedDistribution" not in distribution:
        raise field_missing("/distribution/feedDistribution")
    if distribution["feedDistribution"] not in FEED_DISTRIBUTIONS:
        raise not_an_enum_symbol("/distribution/feedDistribution", distribution["feedDistribution"])
    if body["lifecycleState"] not in LIFECYCLE_STATES:
        raise not_an_enum_symbol("/lifecycleState", body["lifecycleState"])
    content = body.get("content")
    if content is not None and not isinstance(content, dict):
        raise wrong_type("/content", "a record")
    if not commentary and not content and "reshareContext" not in body:
        raise field_missing("/commentary")
    return body


def check_post_media(body: dict[str, Any], author_urn: str) -> None:
    """Every image the post uses exists, was uploaded, and belongs to the author."""
    content = body.get("content") or {}
    images: list[tuple[str, Any]] = []
    if "article" in content:
        article = content["article"]
        if not isinstance(article, dict):
            raise wrong_type("/content/article", "a record")
        if not article.get("source"):
            raise field_missing("/content/article/source")
        source = urlsplit(str(article["source"]))
        if source.scheme not in {"http", "https"} or not source.hostname:
            raise ApiError(
                422, f"ERROR :: /content/article/source :: invalid URL {article['source']}"
            )
        if article.get("thumbnail"):
            images.append(("/content/article/thumbnail", article["thumbnail"]))
    if "media" in content:
        media = content["media"]
        if not isinstance(media, dict) or not media.get("id"):
            raise field_missing("/content/media/id")
        images.append(("/content/media/id", media["id"]))
    if "multiImage" in content:
        listed = (content["multiImage"] or {}).get("images")
        if not isinstance(listed, list) or not 2 <= len(listed) <= 20:
            raise ApiError(422, "ERROR :: /content/multiImage/images :: needs 2 to 20 images")
        for index, item in enumerate(listed):
            if not isinstance(item, dict) or not item.get("id"):
                raise field_missing(f"/content/multiImage/images/{index}/id")
            images.append((f"/content/multiImage/images/{index}/id", item["id"]))
    for path, urn in images:
        image = Image.objects.filter(urn=urn).first() if isinstance(urn, str) else None
        if image is None:
            raise ApiError(400, f"{path}: unknown media {urn}")
        if image.owner_urn != author_urn:
            raise ApiError(
                400, f"{path}: the owner {image.owner_urn} of {urn} is not the author {author_urn}"
            )
        if image.status != Image.Status.AVAILABLE:
            raise ApiError(400, f"{path}: media {urn} is not available ({image.status})")


def company_page_for(*, commentary: str, article_url: str) -> Page | None:
    """The page a post promotes: one it mentions, or the one whose website the article is on.

    The website match compares hosts without a leading "www."; a page without a website
    matches an article host that contains its vanity name as one label (acme.example).
    """
    mentioned = _MENTIONED_PAGE.findall(commentary)
    if mentioned:
        page = Page.objects.filter(page_id__in=mentioned).first()
        if page is not None:
            return page
    host = (urlsplit(article_url).hostname or "").removeprefix("www.") if article_url else ""
    if not host:
        return None
    for page in Page.objects.all():
        website = (urlsplit(page.website).hostname or "").removeprefix("www.")
        if website and (host == website or host.endswith("." + website)):
            return page
        if not website and page.vanity_name and page.vanity_name.lower() in host.split("."):
            return page
    return None


@transaction.atomic
def create_post(*, author: Member | Page, body: dict[str, Any], now: datetime) -> Post:
    """Store a post as LinkedIn would keep it (cut commentary), or raise the 422 duplicate."""
    submitted = body.get("commentary", "") or ""
    commentary = kept_commentary(submitted)
    author_filter = {"member": author} if isinstance(author, Member) else {"page": author}
    if commentary:
        existing = Post.objects.live().filter(commentary=commentary, **author_filter).first()
        if existing is not None:
            raise duplicate_post(existing)
    content = body.get("content") or {}
    kind = Post.Kind.UGC_POST if {"media", "multiImage"} & set(content) else Post.Kind.SHARE
    article_url = str((content.get("article") or {}).get("source", ""))
    company_page = (
        author
        if isinstance(author, Page)
        else company_page_for(commentary=commentary, article_url=article_url)
    )
    stored_body = {
        key: value
        for key, value in body.items()
        if key not in {"author", "commentary", "visibility", "lifecycleState"}
    }
    for _attempt in range(5):
        number = _next_post_number()
        try:
            with transaction.atomic():
                return Post.objects.create(
                    urn=f"urn:li:{kind}:{number}",
                    kind=kind,
                    number=number,
                    origin=Post.Origin.API,
                    commentary=commentary,
                    submitted_commentary=submitted,
                    visibility=body["visibility"],
                    lifecycle_state=body["lifecycleState"],
                    body=stored_body,
                    article_url=article_url[:2000],
                    company_page=company_page,
                    created_at=now,
                    **author_filter,
                )
        except IntegrityError:
            continue
    raise ApiError(500, "Could not allocate a post id")


def _next_post_number() -> int:
    highest = Post.objects.order_by("-number").values_list("number", flat=True).first() or 0
    return max(highest, FIRST_POST_NUMBER) + secrets.randbelow(9_000_000) + 1


def delete_post(*, post: Post, now: datetime) -> None:
    """Mark the post deleted; deleting it again changes nothing."""
    Post.objects.filter(pk=post.pk, deleted_at__isnull=True).update(deleted_at=now)


# Images ------------------------------------------------------------------------------------

UPLOAD_URL_SECONDS = 24 * 3600
IMAGE_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}


def initialize_image_upload(*, owner_urn: str, now: datetime) -> Image:
    """Register an image and the one-time URL its bytes go to."""
    return Image.objects.create(
        urn="urn:li:image:D4E10AQ" + secrets.token_urlsafe(12).replace("-", "x").replace("_", "y"),
        owner_urn=owner_urn,
        upload_key=secrets.token_urlsafe(24),
        upload_expires_at=now + timedelta(seconds=UPLOAD_URL_SECONDS),
    )


def store_image_upload(*, image: Image, data: bytes) -> Image:
    """Keep the uploaded bytes; anything but a JPEG, PNG or GIF fails processing."""
    media_type = next(
        (kind for signature, kind in IMAGE_SIGNATURES.items() if data.startswith(signature)), ""
    )
    image.data = data
    image.media_type = media_type
    image.status = Image.Status.AVAILABLE if media_type else Image.Status.PROCESSING_FAILED
    image.save(update_fields=["data", "media_type", "status"])
    return image


def upload_url(image: Image) -> str:
    return www_url(f"dms-uploads/{image.upload_key}")


def download_url(image: Image) -> str:
    return www_url(f"dms-downloads/{image.upload_key}")
