"""Posts and images (linkedin-api.md 5): create, read, find, delete, upload."""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from .. import services
from ..access import access_denied
from ..models import Image, Member, Page, Post
from ..responses import ApiError, empty_response, json_response, paged
from .base import Call, effective_method, epoch_ms, method_not_allowed, path_urn, run

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def _json_body(call: Call) -> Any:
    try:
        return json.loads(call.request.body or b"null")
    except ValueError:
        raise ApiError(400, "Request body is not valid JSON") from None


def post_json(post: Post) -> dict[str, Any]:
    """A post as GET /rest/posts/{urn} shows it."""
    created = epoch_ms(post.created_at)
    body: dict[str, Any] = {
        "id": post.urn,
        "author": post.author_urn,
        "commentary": post.commentary,
        "visibility": post.visibility,
        "lifecycleState": post.lifecycle_state,
        "distribution": post.body.get(
            "distribution",
            {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
        ),
        "isReshareDisabledByAuthor": bool(post.body.get("isReshareDisabledByAuthor", False)),
        "createdAt": created,
        "lastModifiedAt": created,
        "lifecycleStateInfo": {"isEditedByAuthor": False},
    }
    if post.lifecycle_state == "PUBLISHED":
        body["publishedAt"] = created
    for key in ("content", "reshareContext"):
        if key in post.body:
            body[key] = post.body[key]
    if "content" not in body and post.article_url:
        body["content"] = {"article": {"source": post.article_url}}
    return body


def _author_scopes(author: Member | Page, *, write: bool) -> str:
    if isinstance(author, Page):
        return "w_organization_social" if write else "r_organization_social"
    return "w_member_social" if write else "r_member_social"


def _create(call: Call) -> HttpResponse:
    body = _json_body(call)
    author_urn = body.get("author") if isinstance(body, dict) else None
    writes_as_page = isinstance(author_urn, str) and author_urn.startswith("urn:li:organization:")
    call.require(
        "w_organization_social" if writes_as_page else "w_member_social",
        resource="posts",
        method="CREATE",
    )
    services.validate_post_body(body)
    author = services.resolve_author(body["author"], caller=call.member)
    if not services.may_act_as(call.member, author):
        raise ApiError(
            403,
            f"Not enough permissions to access: posts.CREATE.{call.version_label} "
            f"(author {body['author']} is not the authenticated member {call.member.urn})",
            code="ACCESS_DENIED",
        )
    if "reshareContext" in body:
        parent = (body["reshareContext"] or {}).get("parent")
        if not Post.objects.live().filter(urn=parent).exists():
            raise ApiError(400, f"reshareContext.parent {parent} is not a post")
    services.check_post_media(body, body["author"])
    post = services.create_post(author=author, body=body, now=call.now)
    return empty_response(201, headers={"x-restli-id": post.urn, "x-linkedin-id": post.urn})


def _find(call: Call) -> HttpResponse:
    if call.scalar("q") != "author":
        raise ApiError(400, f"Unknown finder q={call.scalar('q')}")
    call.require(
        "r_member_social", "r_organization_social", resource="posts", method="FINDER-author"
    )
    author = services.resolve_author(call.scalar("author"))
    call.require(_author_scopes(author, write=False), resource="posts", method="FINDER-author")
    if not services.may_act_as(call.member, author):
        raise access_denied("posts", "FINDER-author", call.version_label)
    start, count = call.integer("start", 0), min(call.integer("count", 10), 100)
    posts = (
        Post.objects.live()
        .filter(**({"member": author} if isinstance(author, Member) else {"page": author}))
        .order_by("-created_at", "-number")
    )
    elements = [post_json(post) for post in posts[start : start + count]]
    return json_response(paged(elements, start=start, count=count))


@csrf_exempt
def posts(request: HttpRequest) -> HttpResponse:
    """POST creates a post (201, empty body, x-restli-id); GET ?q=author is the finder."""
    method = effective_method(request)
    if method == "POST":
        return run(request, "posts.create", _create, versioned=True)
    if method == "GET":
        return run(request, "posts.find", _find, versioned=True)
    return run(request, "posts.create", _not_allowed, versioned=True)


def _not_allowed(call: Call) -> HttpResponse:
    raise method_not_allowed(call.method)


def _post_for(urn: str) -> Post | None:
    return Post.objects.filter(urn=path_urn(urn)).select_related("member", "page").first()


@csrf_exempt
def post(request: HttpRequest, urn: str) -> HttpResponse:
    """GET reads a post (needs r_member_social); DELETE deletes it, 204 even when done before."""
    method = request.headers.get("X-RestLi-Method", "").upper() or effective_method(request)

    def read(call: Call) -> HttpResponse:
        found = _post_for(urn)
        author: Member | Page | None = None
        if found is not None:
            author = found.member or found.page
        call.require(
            _author_scopes(author, write=False) if author else "r_member_social",
            resource="posts",
            method="GET",
        )
        if found is None or found.deleted_at is not None:
            raise ApiError(404, f"Post {path_urn(urn)} not found")
        assert author is not None
        if not services.may_act_as(call.member, author):
            raise access_denied("posts", "GET", call.version_label)
        return json_response(post_json(found))

    def delete(call: Call) -> HttpResponse:
        found = _post_for(urn)
        author = (found.member or found.page) if found is not None else None
        call.require(
            _author_scopes(author, write=True) if author else "w_member_social",
            resource="posts",
            method="DELETE",
        )
        if found is None:
            raise ApiError(404, f"Post {path_urn(urn)} not found")
        assert author is not None
        if not services.may_act_as(call.member, author):
            raise access_denied("posts", "DELETE", call.version_label)
        services.delete_post(post=found, now=call.now)
        return empty_response(204)

    if method == "DELETE":
        return run(request, "posts.delete", delete, versioned=True, method="DELETE")
    if method == "GET":
        return run(request, "posts.get", read, versioned=True)
    return run(request, "posts.get", _not_allowed, versioned=True, method=method)


# Images ------------------------------------------------------------------------------------


def image_json(image: Image) -> dict[str, Any]:
    body: dict[str, Any] = {"id": image.urn, "owner": image.owner_urn, "status": image.status}
    if image.status == Image.Status.AVAILABLE:
        body["downloadUrl"] = services.download_url(image)
        body["downloadUrlExpiresAt"] = epoch_ms(timezone.now()) + 24 * 3600 * 1000
        body["mediaType"] = image.media_type
    return body


def _initialize(call: Call) -> HttpResponse:
    if call.method != "POST":
        raise method_not_allowed(call.method)
    if call.params.get("action") != "initializeUpload":
        raise ApiError(400, "Unknown action; use ?action=initializeUpload")
    call.require(
        "w_member_social",
        "w_organization_social",
        resource="images",
        method="ACTION-initializeUpload",
    )
    body = _json_body(call)
    request_body = body.get("initializeUploadRequest") if isinstance(body, dict) else None
    if not isinstance(request_body, dict):
        raise services.field_missing("/initializeUploadRequest")
    if "owner" not in request_body:
        raise services.field_missing("/initializeUploadRequest/owner")
    owner = services.resolve_author(request_body["owner"], caller=call.member)
    call.require(
        _author_scopes(owner, write=True), resource="images", method="ACTION-initializeUpload"
    )
    if not services.may_act_as(call.member, owner):
        raise access_denied("images", "ACTION-initializeUpload", call.version_label)
    image = services.initialize_image_upload(owner_urn=request_body["owner"], now=call.now)
    return json_response(
        {
            "value": {
                "uploadUrlExpiresAt": epoch_ms(image.upload_expires_at),
                "uploadUrl": services.upload_url(image),
                "image": image.urn,
            }
        }
    )


@csrf_exempt
def images(request: HttpRequest) -> HttpResponse:
    """POST ?action=initializeUpload registers an image and hands out its upload URL."""
    return run(request, "images.initialize", _initialize, versioned=True)


@csrf_exempt
def image(request: HttpRequest, urn: str) -> HttpResponse:
    """GET an image's status and download URL (the owner only)."""

    def handle(call: Call) -> HttpResponse:
        if call.method != "GET":
            raise method_not_allowed(call.method)
        call.require("w_member_social", "w_organization_social", resource="images", method="GET")
        found = Image.objects.filter(urn=path_urn(urn)).first()
        if found is None:
            raise ApiError(404, f"Image {path_urn(urn)} not found")
        owner = services.resolve_author(found.owner_urn)
        if not services.may_act_as(call.member, owner):
            raise access_denied("images", "GET", call.version_label)
        return json_response(image_json(found))

    return run(request, "images.get", handle, versioned=True)


@csrf_exempt
def upload(request: HttpRequest, key: str) -> HttpResponse:
    """The upload URL: PUT the raw bytes with the owner's bearer token → 201."""

    def handle(call: Call) -> HttpResponse:
        if call.method not in {"PUT", "POST"}:
            raise method_not_allowed(call.method)
        found = Image.objects.filter(upload_key=key).first()
        if found is None:
            raise ApiError(404, "Unknown upload URL")
        if found.upload_expires_at <= call.now or found.status != Image.Status.WAITING_UPLOAD:
            raise ApiError(400, "The upload URL has expired or was used")
        owner = services.resolve_author(found.owner_urn)
        if not services.may_act_as(call.member, owner):
            raise access_denied("images", "UPLOAD", call.version_label)
        data = call.request.body
        if len(data) > MAX_UPLOAD_BYTES:
            raise ApiError(413, "The upload is too large for the sandbox")
        services.store_image_upload(image=found, data=data)
        return empty_response(201)

    return run(request, "images.upload", handle, versioned=False)


def download(request: HttpRequest, key: str) -> HttpResponse:
    """An uploaded image's bytes (what a downloadUrl points at)."""
    found = Image.objects.filter(upload_key=key, status=Image.Status.AVAILABLE).first()
    if found is None:
        raise Http404("No such image")
    return HttpResponse(bytes(found.data), content_type=found.media_type)
