"""Rendered member pages, kept per member and dropped as soon as what they show changes.

The dashboard, my posts and the content library are read far more often than anything on
them changes, and building them is most of their cost. `member_page` keeps a page's rendered
body per member, address and language, stamped with the generations of three scopes:

- the organization (`o`): its content, campaigns, teams, topics and settings;
- the membership (`m`): the member's posts, figures, choices and role;
- the user (`u`): the person across organizations: their profile and LinkedIn connection.

A kept body is served only while all three generations are what they were when it was
rendered; `changed()` gives a scope a new generation, so the next request renders afresh.
Generations change:

- when a row is saved or deleted through the ORM (signals below; `ROW_SCOPES` names the
  scope of each model, and any tenant model not listed changes the organization);
- when a signed-in person sends a form (POST and the like): their membership and user, and
  the organization too when they are on its comms team (`TenantMiddleware`), which covers
  the views' bulk updates;
- when a worker moves posts in bulk (publishing calls `changed()` for their authors).

What no event announces is bounded by `PAGE_CACHE_SECONDS` (60 by default; 0 turns the
cache off): figures collected in bulk, clicks, colleagues' shares, and time passing (an item
whose moment comes, a campaign that starts). A page with messages waiting is never kept, and
a body is kept per CSRF secret, so its forms' tokens stay valid.

Generations change both at once and when the transaction commits, so a request that renders
between the two cannot keep what the transaction is about to replace.

A page is kept twice: per member (above, served after the session, the user and the
membership are read and checked) and, once a session has been answered it, for that session
(`KeptPagesMiddleware`, served before anything is read: under a digest of the session and
CSRF cookies, the address and the language asked for, and only while the three generations
are those it was answered with; signing out, a password changed, a member deactivated or a
role changed all change one).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connection, models, transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation

ViewFunc = Callable[..., HttpResponse]

KEY_PREFIX = "page"
GENERATION_PREFIX = "page-gen"
# Generations outlive any body stamped with them by far; losing one only costs a render.
GENERATION_SECONDS = 7 * 24 * 3600

# Where a saved or deleted row is shown: a model label and how to find the scope from the
# row ("m": the membership's id, "u": the user's id), or None for rows no kept page shows
# but as figures within PAGE_CACHE_SECONDS. Any other model with an organization changes the
# organization; models without one, unless listed, change nothing.
ROW_SCOPES: dict[str, tuple[str, str] | None] = {
    "accounts.User": ("u", "pk"),
    "account.EmailAddress": ("u", "user_id"),
    "linkedin.Connection": ("u", "user_id"),
    "tenancy.Membership": ("m", "pk"),
    "api.ApiToken": ("m", "membership_id"),
    "content.Post": ("m", "author_id"),
    "program.TopicVote": ("m", "membership_id"),
    "program.SurveyResponse": ("m", "membership_id"),
    "program.CheckIn": ("m", "membership_id"),
    "program.NotificationSettings": ("m", "membership_id"),
    "program.SentMessage": ("m", "membership_id"),
    "program.LessonCompletion": ("m", "membership_id"),
    "program.CourseCompletion": ("m", "membership_id"),
    # Written by workers and the redirect, shown as figures (or not on these pages at all).
    "tenancy.AuditEntry": None,
    "content.PublishAttempt": None,
    "content.TrackedLink": None,
    "content.Click": None,
    "content.FeedEntry": None,
    "analytics.PostMetrics": None,
    "analytics.MemberFollowers": None,
    "analytics.PageFollowers": None,
    "analytics.OrganizationDay": None,
    "analytics.TeamDay": None,
    "analytics.CampaignDay": None,
    "analytics.PendingRollupDay": None,
    "webhooks.WebhookDelivery": None,
}


def enabled() -> bool:
    return settings.PAGE_CACHE_SECONDS > 0


def _generation_key(scope: str, ident: int) -> str:
    return f"{GENERATION_PREFIX}:{scope}{ident}"


def _set_generations(keys: list[str]) -> None:
    fresh = secrets.token_hex(6)
    cache.set_many(dict.fromkeys(keys, fresh), GENERATION_SECONDS)


def changed(
    *,
    organization_ids: Iterable[int] = (),
    membership_ids: Iterable[int] = (),
    user_ids: Iterable[int] = (),
) -> None:
    """Drop the kept pages of these scopes (now, and again when the transaction commits)."""
    if not enabled():
        return
    keys = [
        *(_generation_key("o", pk) for pk in organization_ids),
        *(_generation_key("m", pk) for pk in membership_ids),
        *(_generation_key("u", pk) for pk in user_ids),
    ]
    if not keys:
        return
    _set_generations(keys)
    if connection.in_atomic_block:
        _after_commit().keys.update(keys)


class AfterCommit:
    """The generations to change again when the transaction commits: one callback each."""

    def __init__(self) -> None:
        self.keys: set[str] = set()

    def __call__(self) -> None:
        _set_generations(sorted(self.keys))


def _after_commit() -> AfterCommit:
    # Found among the transaction's callbacks, not remembered beside them: a rolled-back
    # savepoint takes its callbacks with it.
    for entry in reversed(connection.run_on_commit):
        if isinstance(entry[1], AfterCommit):
            return entry[1]
    callback = AfterCommit()
    transaction.on_commit(callback)
    return callback


def request_changed(request: HttpRequest) -> None:
    """A signed-in person sent a form: what they see, and what their comms team curates."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    membership = getattr(request, "membership", None)
    if membership is None:
        changed(user_ids=[user.pk])
        return
    from .models import MANAGE_ROLES

    changed(
        organization_ids=[membership.organization_id] if membership.role in MANAGE_ROLES else [],
        membership_ids=[membership.pk],
        user_ids=[user.pk],
    )


# Rows ------------------------------------------------------------------------------------


def _row_changed(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    scope = _scope_of(sender)
    if scope is not None:
        _announce(scope[0], [getattr(instance, scope[1], None)])


def _relation_changed(sender: type[Model], instance: Model, action: str, **kwargs: Any) -> None:
    if action in {"post_add", "post_remove", "post_clear"}:
        _row_changed(type(instance), instance)


def connect_signals() -> None:
    user_logged_out.connect(_signed_out, dispatch_uid="pagecache-signed-out")
    post_save.connect(_row_changed, dispatch_uid="pagecache-save")
    m2m_changed.connect(_relation_changed, dispatch_uid="pagecache-m2m")
    # Only where it matters: a post_delete receiver makes Django load the rows it deletes
    # (no fast deletes), which the large tables of figures must be spared.
    for model in apps.get_models():
        if _scope_of(model) is not None:
            post_delete.connect(
                _row_changed, sender=model, dispatch_uid=f"pagecache-delete-{model._meta.label}"
            )


# Writes of many rows at once --------------------------------------------------------------

# Set while a caller announces its own changes (publishing names the author once per post).
_announced_by_caller: ContextVar[bool] = ContextVar("pagecache_announced", default=False)


@contextmanager
def announced_by_caller() -> Iterator[None]:
    """Queryset writes inside announce nothing: the caller calls `changed()` itself."""
    token = _announced_by_caller.set(True)
    try:
        yield
    finally:
        _announced_by_caller.reset(token)


def _scope_of(model: type[Model]) -> tuple[str, str] | None:
    label = model._meta.label
    if label in ROW_SCOPES:
        return ROW_SCOPES[label]
    if label == "tenancy.Organization":
        return ("o", "pk")
    if any(field.name == "organization" for field in model._meta.concrete_fields):
        return ("o", "organization_id")
    return None


def _announce(kind: str, ids: Iterable[Any]) -> None:
    ids = [ident for ident in set(ids) if ident is not None]
    if kind == "o":
        changed(organization_ids=ids)
    elif kind == "m":
        changed(membership_ids=ids)
    else:
        changed(user_ids=ids)


def _rows_changing(queryset: models.QuerySet[Any]) -> Callable[[], None]:
    """Before an update or delete of a queryset: the scopes of its rows (one query), and
    what announces them once the write is done."""
    scope = _scope_of(queryset.model)
    if scope is None or not enabled() or _announced_by_caller.get():
        return lambda: None
    kind, attribute = scope
    scopes = queryset.order_by().values_list(attribute, flat=True).distinct()
    # The rows' locks, if the queryset takes them, are the write's: PostgreSQL refuses FOR
    # UPDATE with DISTINCT.
    scopes.query.select_for_update = False
    ids = list(scopes)
    return lambda: _announce(kind, ids)


def _objects_changed(model: type[Model], objects: Iterable[Model]) -> None:
    scope = _scope_of(model)
    if scope is None or not enabled() or _announced_by_caller.get():
        return
    kind, attribute = scope
    _announce(kind, (getattr(instance, attribute, None) for instance in objects))


class AnnouncedWrites(models.QuerySet[Any]):
    """A queryset whose writes of many rows (no row signals) drop the pages that show them."""

    def update(self, **kwargs: Any) -> int:
        announce = _rows_changing(self)
        rows = super().update(**kwargs)
        if rows:
            announce()
        return rows

    def delete(self) -> tuple[int, dict[str, int]]:
        # Deleting sends each row's post_delete already, but for "fast" deletes.
        announce = _rows_changing(self)
        result = super().delete()
        if result[0]:
            announce()
        return result

    def bulk_create(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> list[Any]:
        created = super().bulk_create(objs, *args, **kwargs)
        _objects_changed(self.model, created)
        return created

    def bulk_update(self, objs: Iterable[Any], fields: Any, *args: Any, **kwargs: Any) -> int:
        objs = list(objs)
        rows = super().bulk_update(objs, fields, *args, **kwargs)
        if rows:
            _objects_changed(self.model, objs)
        return rows


# Pages -----------------------------------------------------------------------------------


def _keys(request: HttpRequest) -> tuple[str, list[str]]:
    membership = request.membership  # type: ignore[attr-defined]
    get_token(request)  # makes sure of the secret every form's token on the page is masked from
    secret = request.META["CSRF_COOKIE"]
    address = hashlib.blake2b(
        f"{request.get_full_path()}|{translation.get_language()}|{secret}".encode(),
        digest_size=12,
    ).hexdigest()
    body = f"{KEY_PREFIX}:{membership.organization_id}:{membership.pk}:{address}"
    generations = [
        _generation_key("o", membership.organization_id),
        _generation_key("m", membership.pk),
        _generation_key("u", membership.user_id),
    ]
    return body, generations


def _has_messages(request: HttpRequest) -> bool:
    # Counting does not mark them read; the page that shows them is not kept.
    return len(get_messages(request)) > 0


def member_page(view: ViewFunc) -> ViewFunc:
    """Keep the view's rendered page per member (see the module's docstring); inside
    `role_required`, so only a member of the organization ever reaches it."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "GET" or not enabled() or _has_messages(request):
            return view(request, *args, **kwargs)
        body_key, generation_keys = _keys(request)
        found = cache.get_many([body_key, *generation_keys])
        generations = [found.get(key) for key in generation_keys]
        if None in generations:
            # First page of a scope (or its generation was evicted): start one, so a body
            # kept now can never match a generation that comes back missing.
            missing = [
                key
                for key, value in zip(generation_keys, generations, strict=True)
                if value is None
            ]
            for key in missing:
                cache.add(key, secrets.token_hex(6), GENERATION_SECONDS)
            current = cache.get_many(missing)
            generations = [found.get(key) or current.get(key) for key in generation_keys]
        kept = found.get(body_key)
        if kept is not None and kept[0] == generations:
            _stamp, content_type, content = kept
            request.kept_page_stamp = (generation_keys, generations)  # type: ignore[attr-defined]
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and None not in generations:
            cache.set(
                body_key,
                (generations, response["Content-Type"], response.content),
                settings.PAGE_CACHE_SECONDS,
            )
            request.kept_page_stamp = (generation_keys, generations)  # type: ignore[attr-defined]
        return response

    return wrapper


# Before the session is read --------------------------------------------------------------

TENANT_PATH = re.compile(r"^/o/[-a-zA-Z0-9_]+/")
# Addresses this process has kept a page of: only those are looked for before the session.
_KEPT_PATHS: set[str] = set()
_KEPT_PATHS_LIMIT = 10_000


def _page_response(headers: list[tuple[str, str]], content: bytes) -> HttpResponse:
    response = HttpResponse(content)
    for name, value in headers:
        response.headers[name] = value
    return response


def _sessions_key(request: HttpRequest) -> str | None:
    """Where the page of this request's session is kept, if it may be looked for at all."""
    if request.method != "GET" or not enabled() or request.path_info not in _KEPT_PATHS:
        return None
    cookies = request.COOKIES
    session = cookies.get(settings.SESSION_COOKIE_NAME)
    secret = cookies.get(settings.CSRF_COOKIE_NAME)
    if not session or not secret or CookieStorage.cookie_name in cookies:
        return None
    language = cookies.get(settings.LANGUAGE_COOKIE_NAME, "")
    accepted = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    digest = hashlib.blake2b(
        f"{session}|{secret}|{request.get_full_path()}|{language}|{accepted}".encode(),
        digest_size=16,
    ).hexdigest()
    return f"{KEY_PREFIX}-session:{digest}"


class KeptPagesMiddleware:
    """Serve a kept page to the session it was rendered for, before the session, the user
    and the membership are read.

    Only what the whole stack answered that session (signed in, an active member, allowed the
    page) is kept, under a digest of its session and CSRF cookies, the address and the
    language asked for: no other browser can name it. It is served while the generations of
    the organization, the membership and the user are those it was rendered with, so what
    changes who may see it (a member or user deactivated, a role changed, a password changed,
    signing out) ends it at once; its lifetime is PAGE_CACHE_SECONDS. A request with
    messages waiting in their cookie goes the whole way.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = _sessions_key(request)
        if key is not None:
            # Plain values, no classes of ours: what an earlier release kept still reads.
            kept = cache.get(key)
            if isinstance(kept, tuple) and len(kept) == 4:
                generation_keys, generations, headers, content = kept
                current = cache.get_many(generation_keys)
                if [current.get(name) for name in generation_keys] == generations:
                    return _page_response(headers, content)
        response = self.get_response(request)
        stamp = getattr(request, "kept_page_stamp", None)
        if stamp is None or response.status_code != 200 or not _same_cookies(request, response):
            return response
        if key is None:
            if len(_KEPT_PATHS) >= _KEPT_PATHS_LIMIT:
                _KEPT_PATHS.clear()
            _KEPT_PATHS.add(request.path_info)
            key = _sessions_key(request)
        if key is not None:
            generation_keys, generations = stamp
            headers = [
                (name, value)
                for name, value in response.headers.items()
                if name.lower() not in {"set-cookie", "content-length"}
            ]
            page = (list(generation_keys), list(generations), headers, response.content)
            cache.set(key, page, settings.PAGE_CACHE_SECONDS)
        return response


def _same_cookies(request: HttpRequest, response: HttpResponse) -> bool:
    """The response leaves the session and CSRF cookies as they were (no sign-in, no new
    secret): the page belongs to the cookies the request came with."""
    for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
        if name in response.cookies and response.cookies[name].value != request.COOKIES.get(name):
            return False
    return True


def _signed_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        changed(user_ids=[user.pk])
