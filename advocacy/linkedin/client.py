"""The LinkedIn API as a member's (or a page administrator's) token sees it.

One client per token: `LinkedInClient(token, member_key=..., token_issued_at=...)`. It talks
HTTP to settings.LINKEDIN_API_URL (read at each call, so tests can point it at the sandbox),
sends the headers linkedin-api.md section 1 asks for, encodes queries the Rest.li way
(restli.py), counts every call against the daily budgets (ratelimit.py) and turns failures into
the typed errors of errors.py. Operations return small dataclasses, never raw JSON.

Errors, by LinkedIn's answer:
- 401 with serviceErrorCode 65601 / REVOKED_ACCESS_TOKEN → TokenRevoked: the member withdrew
  access, only a new consent helps. LinkedIn sometimes says this of a brand-new token, so for
  a token issued less than an hour ago (`token_issued_at`) the call is tried once more after
  LINKEDIN_REVOKED_RETRY_SECONDS first.
- any other 401 (expired, 65600 "Invalid access token", "Empty oauth2_access_token") →
  TokenExpired: the token no longer works, which a refresh may mend (else a new consent).
- 403 → PermissionDenied; 404 and 410 → NotFound; 426 → VersionRetired; 5xx → ServerError.
- 400/422 → Invalid, or DuplicatePost (with the existing post's URN) for DUPLICATE_POST.
- 429 → RateLimited, `retry_after` from Retry-After when LinkedIn sends one.
- no answer (timeout, refused, broken) → TransportError.

Retries: 429, 5xx and transport errors are retried LINKEDIN_RETRY_ATTEMPTS times in all, with
exponential backoff and full jitter from LINKEDIN_RETRY_BASE_SECONDS, or after Retry-After when
given. A wait longer than LINKEDIN_RETRY_MAX_SECONDS is not slept through: RateLimited goes
to the caller, whose task can be rescheduled. Creating a post or starting an upload is not
idempotent, so those are retried only when LinkedIn certainly did nothing (429, a 401 before
the young-token retry, a connection that never opened); after a 5xx or a timeout their outcome
is unknown and the error goes to the caller, which reconciles (ARCHITECTURE.md, Publish).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import enum
import logging
import os
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NewConnectionError

from . import ratelimit
from .errors import (
    DuplicatePost,
    Invalid,
    LinkedInError,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    TokenExpired,
    TokenRevoked,
    TransportError,
    VersionRetired,
)
from .little_text import escape_commentary, validate_commentary
from .restli import build_path, build_query, date_range, time_intervals

logger = logging.getLogger(__name__)

RESTLI_PROTOCOL_VERSION = "2.0.0"
# LinkedIn's page size is "often 100" at most; asking for more gets an error on some finders.
DEFAULT_PAGE_SIZE = 100
# A bound on paging, in case a server keeps answering full pages forever.
MAX_PAGES = 100
# LinkedIn's "revoked" flake hits tokens in their first minutes (linkedin-api.md 3.6).
YOUNG_TOKEN_SECONDS = 3_600
FEED_URL = "https://www.linkedin.com/feed/update/{urn}"
_DUPLICATE_URN = re.compile(r"duplicate of (urn:li:[A-Za-z]+:[A-Za-z0-9_-]+)", re.IGNORECASE)
_jitter = random.SystemRandom()


# -- settings, read at call time so tests and operators can change them ---------------------


def _retry_attempts() -> int:
    return max(1, int(settings.LINKEDIN_RETRY_ATTEMPTS))


def _retry_base_seconds() -> float:
    return float(settings.LINKEDIN_RETRY_BASE_SECONDS)


def _retry_max_seconds() -> float:
    return float(settings.LINKEDIN_RETRY_MAX_SECONDS)


def _revoked_retry_seconds() -> float:
    return float(settings.LINKEDIN_REVOKED_RETRY_SECONDS)


def _quota_max_wait() -> float:
    return float(settings.LINKEDIN_QUOTA_MAX_WAIT_SECONDS)


# -- the HTTP session -------------------------------------------------------------------------

_session_lock = threading.Lock()
_sessions: dict[int, requests.Session] = {}


def get_session() -> requests.Session:
    """The process's pooled session (keep-alive to LinkedIn's two hosts).

    Keyed by process id: a Celery worker forked from a parent that had already connected must
    not share the parent's sockets.
    """
    pid = os.getpid()
    session = _sessions.get(pid)
    if session is None:
        with _session_lock:
            session = _sessions.get(pid)
            if session is None:
                session = requests.Session()
                # No retries down here: this module retries, with backoff and accounting.
                adapter = HTTPAdapter(pool_connections=4, pool_maxsize=16, max_retries=0)
                session.mount("https://", adapter)
                session.mount("http://", adapter)
                _sessions.clear()
                _sessions[pid] = session
    return session


# -- what the operations return --------------------------------------------------------------


class PostMetric(enum.StrEnum):
    """`queryType` of memberCreatorPostAnalytics (one metric per call)."""

    IMPRESSION = "IMPRESSION"
    MEMBERS_REACHED = "MEMBERS_REACHED"
    RESHARE = "RESHARE"
    REACTION = "REACTION"
    COMMENT = "COMMENT"
    POST_SAVE = "POST_SAVE"


class Aggregation(enum.StrEnum):
    TOTAL = "TOTAL"
    DAILY = "DAILY"


@dataclass(frozen=True)
class PublishedPost:
    """A post LinkedIn created: its URN from `x-restli-id`, and LinkedIn's request id."""

    urn: str
    request_id: str = ""

    @property
    def feed_url(self) -> str:
        return FEED_URL.format(urn=self.urn)


class DailyValue(NamedTuple):
    day: dt.date
    value: int


class DailyFollowerGain(NamedTuple):
    day: dt.date
    organic: int
    paid: int


@dataclass(frozen=True)
class MetricCounts:
    """One metric of member post analytics.

    `total` is None when LinkedIn had no data (`elements: []`), which is not the same as 0.
    `by_day` is filled for DAILY aggregation, by each day's start.
    """

    metric: str
    total: int | None
    by_day: list[DailyValue] = field(default_factory=list)


@dataclass(frozen=True)
class ShareStatistics:
    """A company page's organic share statistics, for one day or (day None) in total."""

    day: dt.date | None
    impression_count: int
    unique_impressions_count: int
    click_count: int
    like_count: int
    comment_count: int
    share_count: int
    engagement: float


@dataclass(frozen=True)
class UserInfo:
    """/v2/userinfo. `locale` as a BCP 47 tag (`da-DK`), whatever shape LinkedIn sent."""

    sub: str
    name: str = ""
    given_name: str = ""
    family_name: str = ""
    picture: str = ""
    email: str = ""
    email_verified: bool = False
    locale: str = ""

    @property
    def member_urn(self) -> str:
        return f"urn:li:person:{self.sub}"


@dataclass(frozen=True)
class _Call:
    """One API call as the retry loop needs it."""

    endpoint: str
    method: str
    url: str
    params: Mapping[str, Any] | None = None
    json: Any = None
    data: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    restli_method: str = ""
    # Whether sending it twice does no harm; see the module docstring.
    idempotent: bool = True


# -- errors -----------------------------------------------------------------------------------


def _retry_after(response: requests.Response) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date."""
    raw = response.headers.get("Retry-After", "").strip()
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def _never_sent(exc: requests.RequestException) -> bool:
    """Whether the request certainly did not reach LinkedIn: the connection never opened."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if isinstance(exc, requests.ConnectionError) and exc.args:
        reason = getattr(exc.args[0], "reason", exc.args[0])
        return isinstance(reason, NewConnectionError)
    return False


def _body(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def error_from_response(response: requests.Response) -> LinkedInError:
    """The typed error for a failed answer (the mapping is in the module docstring)."""
    status = response.status_code
    body = _body(response)
    message = str(body.get("message") or body.get("error_description") or "")
    service_code = body.get("serviceErrorCode")
    details = body.get("errorDetails")
    input_errors = details.get("inputErrors") if isinstance(details, dict) else None
    input_codes = {str(item.get("code")) for item in input_errors or [] if isinstance(item, dict)}
    code = str(body.get("code") or body.get("error") or "")
    context: dict[str, Any] = {
        "status": status,
        "code": code,
        "service_error_code": service_code if isinstance(service_code, int) else None,
        "request_id": response.headers.get("x-li-uuid", ""),
    }
    if status == 401:
        if service_code == 65601 or code == "REVOKED_ACCESS_TOKEN":
            return TokenRevoked(message, **context)
        return TokenExpired(message, **context)
    if status == 403:
        return PermissionDenied(message, **context)
    if status in (404, 410):
        return NotFound(message, **context)
    if status == 426:
        return VersionRetired(message, **context)
    if status == 429:
        return RateLimited(message, retry_after=_retry_after(response), **context)
    if status >= 500:
        return ServerError(message, **context)
    if "DUPLICATE_POST" in input_codes or code == "DUPLICATE_POST":
        match = _DUPLICATE_URN.search(message)
        context["code"] = code or "DUPLICATE_POST"
        return DuplicatePost(message, existing_urn=match.group(1) if match else "", **context)
    if 400 <= status < 500:
        return Invalid(message, **context)
    return LinkedInError(message or f"Unexpected HTTP {status}", **context)


# -- parsing helpers --------------------------------------------------------------------------


def _date(record: Any) -> dt.date | None:
    if not isinstance(record, dict) or not {"year", "month", "day"} <= record.keys():
        return None
    return dt.date(int(record["year"]), int(record["month"]), int(record["day"]))


def _day_of_ms(value: Any) -> dt.date:
    return dt.datetime.fromtimestamp(int(value) / 1000, dt.UTC).date()


def _metric_type(value: Any) -> str:
    # From version 202605 a plain string; before, wrapped in a one-key union object.
    if isinstance(value, dict):
        return str(next(iter(value.values()), ""))
    return str(value or "")


def _locale(value: Any) -> str:
    # Documented as "en-US", served as {"country": "DK", "language": "da"}; "da_DK" seen too.
    if isinstance(value, dict):
        language = str(value.get("language") or "")
        country = str(value.get("country") or "")
        return f"{language}-{country}" if language and country else language
    return str(value or "").replace("_", "-")


def _int(value: Any) -> int:
    return int(value or 0)


def post_entity(post_urn: str) -> dict[str, str]:
    """The `entity` union of post analytics: `share` for shares, `ugc` for ugcPosts."""
    if post_urn.startswith("urn:li:share:"):
        return {"share": post_urn}
    if post_urn.startswith("urn:li:ugcPost:"):
        return {"ugc": post_urn}
    raise ValueError(f"Not a post URN (urn:li:share:… or urn:li:ugcPost:…): {post_urn!r}")


def trusted_upload_url(url: str) -> bool:
    """Whether an upload URL from initializeUpload is LinkedIn's (or the configured hosts')."""
    parts = urlsplit(url)
    configured = {
        urlsplit(base)[:2] for base in (settings.LINKEDIN_API_URL, settings.LINKEDIN_WWW_URL)
    }
    hostname = parts.hostname or ""
    on_linkedin = hostname == "linkedin.com" or hostname.endswith(".linkedin.com")
    return parts[:2] in configured or (parts.scheme == "https" and on_linkedin)


def _check_range(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise ValueError(f"The range ends ({end}) before it starts ({start})")


# -- the client -------------------------------------------------------------------------------


class LinkedInClient:
    """Calls made with one access token.

    `member_key` names the member (or page connection) for the per-member daily budget; any
    stable string, e.g. the connection's public id. `token_issued_at` enables the one retry
    of a young token that LinkedIn calls revoked. `max_quota_wait` bounds how long a call waits
    for the daily budget (0: never wait, raise RateLimited; default from settings). The last
    request sent is kept in `last_request`, for logs and tests.
    """

    def __init__(
        self,
        access_token: str,
        *,
        member_key: str = "",
        token_issued_at: dt.datetime | None = None,
        max_quota_wait: float | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> None:
        self.access_token = access_token
        self.member_key = member_key
        self.token_issued_at = token_issued_at
        self.max_quota_wait = max_quota_wait
        self.page_size = page_size
        self.last_request: requests.PreparedRequest | None = None
        # Injectable for one reason: the sandbox tests count sleeps without patching.
        self.sleep: Callable[[float], None] = time.sleep

    def __repr__(self) -> str:
        # Never the token: reprs end up in logs and error reports.
        return f"<LinkedInClient member_key={self.member_key!r}>"

    # -- building requests --------------------------------------------------------------------

    @staticmethod
    def api_url(path: str) -> str:
        """The absolute URL of an API path (`/rest/...` or `/v2/...`), from settings."""
        return f"{settings.LINKEDIN_API_URL}{path}"

    def build_url(self, path: str, params: Mapping[str, Any] | None = None) -> str:
        """The exact URL sent for `path` and Rest.li-encoded `params`."""
        url = self.api_url(path)
        query = build_query(params or {})
        return f"{url}?{query}" if query else url

    def prepare(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        restli_method: str = "",
    ) -> requests.PreparedRequest:
        """The request as it goes on the wire, without sending it.

        The query string is built here and handed to requests already encoded: requests
        leaves `%3A` and `( ) , :` alone, which is what Rest.li needs.
        """
        query = build_query(params or {})
        full_url = f"{url}?{query}" if query else url
        all_headers: dict[str, str] = {"Accept": "application/json"}
        if self.access_token:
            # No token, no header: LinkedIn then says "Empty oauth2_access_token".
            all_headers["Authorization"] = f"Bearer {self.access_token}"
        if urlsplit(url).path.startswith(urlsplit(settings.LINKEDIN_API_URL).path + "/rest/"):
            all_headers["LinkedIn-Version"] = str(settings.LINKEDIN_VERSION)
            all_headers["X-Restli-Protocol-Version"] = RESTLI_PROTOCOL_VERSION
        if restli_method:
            all_headers["X-RestLi-Method"] = restli_method
        all_headers.update(headers or {})
        # Prepared on its own, not by the shared session: no cookie one member's answer set
        # can ride along on another member's call.
        request = requests.Request(method, full_url, headers=all_headers, json=json, data=data)
        return request.prepare()

    # -- sending ------------------------------------------------------------------------------

    def _wait_for_quota(self, endpoint: str, deadline: float) -> None:
        max_wait = max(0.0, deadline - time.monotonic())
        ratelimit.acquire(endpoint, self.member_key, wait=max_wait > 0, max_wait=max_wait)

    def _token_is_young(self) -> bool:
        issued_at = self.token_issued_at
        if issued_at is None:
            return False
        if issued_at.tzinfo is None:
            issued_at = issued_at.replace(tzinfo=dt.UTC)  # stored times are UTC
        age = (dt.datetime.now(dt.UTC) - issued_at).total_seconds()
        return age < YOUNG_TOKEN_SECONDS

    def _backoff(self, attempt: int) -> float:
        # Full jitter: anywhere up to the exponential ceiling, so retrying workers spread out.
        ceiling = _retry_base_seconds() * 2 ** (attempt - 1)
        return _jitter.uniform(0, min(ceiling, _retry_max_seconds()))

    def _send(self, call: _Call) -> requests.Response:
        attempts = _retry_attempts()
        attempt = 0
        young_token_retried = False
        # One budget for waiting on the daily quota, shared by the attempts of this call, so
        # that a call's longest run stays within what a task's time limit can afford.
        max_wait = _quota_max_wait() if self.max_quota_wait is None else self.max_quota_wait
        quota_deadline = time.monotonic() + max_wait
        while True:
            attempt += 1
            self._wait_for_quota(call.endpoint, quota_deadline)
            prepared = self.prepare(
                call.method,
                call.url,
                params=call.params,
                json=call.json,
                data=call.data,
                headers=call.headers,
                restli_method=call.restli_method,
            )
            self.last_request = prepared
            error: LinkedInError
            session = get_session()
            # Proxies and CA bundle from the environment, as requests.get() would use them.
            environment = session.merge_environment_settings(call.url, {}, None, None, None)
            try:
                response = session.send(
                    prepared,
                    timeout=settings.LINKEDIN_TIMEOUT_SECONDS,
                    allow_redirects=False,
                    **environment,
                )
            except requests.RequestException as exc:
                error = TransportError(
                    f"{call.endpoint}: {exc.__class__.__name__}: {exc}",
                    request_sent=not _never_sent(exc),
                )
                if attempt < attempts and (call.idempotent or not error.request_sent):
                    self._pause(call, error, self._backoff(attempt), attempt)
                    continue
                raise error from exc
            if response.status_code < 300:
                return response  # a redirect is no answer of LinkedIn's API: an error below
            error = error_from_response(response)
            if isinstance(error, RateLimited):
                ratelimit.report_rate_limited(call.endpoint, self.member_key)
            young_flake = isinstance(error, TokenRevoked) and self._token_is_young()
            if young_flake and not young_token_retried:
                young_token_retried = True
                attempt -= 1  # LinkedIn's flake, not a failed attempt
                self._pause(call, error, _revoked_retry_seconds(), attempt)
                continue
            if not error.retryable or attempt >= attempts:
                raise error
            if not call.idempotent and not isinstance(error, RateLimited):
                raise error  # a 5xx after a create: the outcome is unknown, reconcile
            delay = self._backoff(attempt)
            if isinstance(error, RateLimited) and error.retry_after is not None:
                delay = error.retry_after
                if delay > _retry_max_seconds():
                    raise error
            self._pause(call, error, delay, attempt)

    def _pause(self, call: _Call, error: LinkedInError, delay: float, attempt: int) -> None:
        logger.warning(
            "LinkedIn %s failed (%s), attempt %s; retrying in %.2fs",
            call.endpoint,
            error,
            attempt,
            delay,
        )
        self.sleep(delay)

    def _get_json(
        self, endpoint: str, path: str, params: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        restli_method = "FINDER" if params and "q" in params else ""
        response = self._send(
            _Call(endpoint, "GET", self.api_url(path), params=params, restli_method=restli_method)
        )
        return self._json(response)

    @staticmethod
    def _json(response: requests.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise TransportError(
                f"LinkedIn answered HTTP {response.status_code} without a JSON object",
                status=response.status_code,
                request_id=response.headers.get("x-li-uuid", ""),
            )
        return body

    def _elements(
        self, endpoint: str, path: str, params: Mapping[str, Any]
    ) -> list[dict[str, Any]]:
        """All elements of a finder, page by page (`start`/`count`).

        Stops when a page comes back short. A server that ignores paging (it answers another
        `start` than asked, or more than `count`) gave everything in its first answer.
        """
        elements: list[dict[str, Any]] = []
        start = 0
        for _ in range(MAX_PAGES):
            body = self._get_json(
                endpoint, path, {**params, "start": start, "count": self.page_size}
            )
            page = [item for item in body.get("elements") or [] if isinstance(item, dict)]
            elements.extend(page)
            paging = body.get("paging")
            if len(page) < self.page_size or len(page) > self.page_size:
                break
            if isinstance(paging, dict) and paging.get("start", start) != start:
                break
            start += len(page)
        return elements

    # -- posts --------------------------------------------------------------------------------

    def _create_post(self, body: dict[str, Any]) -> PublishedPost:
        response = self._send(
            _Call(
                ratelimit.POSTS_CREATE,
                "POST",
                self.api_url("/rest/posts"),
                json=body,
                idempotent=False,
            )
        )
        urn = response.headers.get("x-restli-id", "")
        request_id = response.headers.get("x-li-uuid", "")
        if not urn:
            # Created, most likely, but unnamed: the caller must treat the outcome as unknown.
            raise LinkedInError(
                f"LinkedIn answered HTTP {response.status_code} without x-restli-id",
                status=response.status_code,
                request_id=request_id,
            )
        return PublishedPost(urn=urn, request_id=request_id)

    @staticmethod
    def _post_body(
        author_urn: str, commentary: str, visibility: str, *, allow_empty: bool = False
    ) -> dict[str, Any]:
        validate_commentary(commentary)
        if not commentary.strip() and not allow_empty:
            raise Invalid("A post needs some text.", code="COMMENTARY_EMPTY")
        return {
            "author": author_urn,
            "commentary": escape_commentary(commentary),
            "visibility": visibility,
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }

    def create_text_post(
        self, author_urn: str, commentary: str, visibility: str = "PUBLIC"
    ) -> PublishedPost:
        """Publish a text post. `commentary` is plain text; it is validated and escaped here.

        Raises DuplicatePost when LinkedIn has the same text from this author already.
        """
        return self._create_post(self._post_body(author_urn, commentary, visibility))

    def create_article_post(
        self,
        author_urn: str,
        commentary: str,
        source: str,
        title: str,
        description: str = "",
        thumbnail_urn: str = "",
        visibility: str = "PUBLIC",
    ) -> PublishedPost:
        """Publish a link. LinkedIn builds no preview: title, description, thumbnail are ours."""
        body = self._post_body(author_urn, commentary, visibility)
        article: dict[str, str] = {"source": source, "title": title}
        if description:
            article["description"] = description
        if thumbnail_urn:
            article["thumbnail"] = thumbnail_urn
        body["content"] = {"article": article}
        return self._create_post(body)

    def create_image_post(
        self,
        author_urn: str,
        commentary: str,
        image_urn: str,
        alt_text: str = "",
        visibility: str = "PUBLIC",
    ) -> PublishedPost:
        """Publish a post with one image uploaded by upload_image()."""
        body = self._post_body(author_urn, commentary, visibility)
        media: dict[str, str] = {"id": image_urn}
        if alt_text:
            media["altText"] = alt_text
        body["content"] = {"media": media}
        return self._create_post(body)

    def create_reshare(
        self, author_urn: str, parent_urn: str, commentary: str = "", visibility: str = "PUBLIC"
    ) -> PublishedPost:
        """Reshare a post (the company's, say), with or without the member's own words."""
        body = self._post_body(author_urn, commentary, visibility, allow_empty=True)
        body["reshareContext"] = {"parent": parent_urn}
        return self._create_post(body)

    def delete_post(self, urn: str) -> None:
        """Delete a post. Idempotent: a post that is already gone counts as deleted."""
        call = _Call(
            ratelimit.POSTS_DELETE,
            "DELETE",
            self.api_url(build_path("rest", "posts", key=urn)),
            restli_method="DELETE",
        )
        with contextlib.suppress(NotFound):
            self._send(call)

    def post_exists(self, urn: str) -> bool | None:
        """Whether LinkedIn still has the post: True, False (gone), or None when this token
        may not read posts (reading members' posts needs r_member_social, which few apps get).

        Used to check the post a DUPLICATE_POST answer names: LinkedIn is reported to name
        posts that were deleted since.
        """
        call = _Call(ratelimit.POSTS_GET, "GET", self.api_url(build_path("rest", "posts", key=urn)))
        try:
            self._send(call)
        except NotFound:
            return False
        except PermissionDenied:
            return None
        return True

    # -- images -------------------------------------------------------------------------------

    def upload_image(self, owner_urn: str, data: bytes, content_type: str) -> str:
        """Upload an image (JPG, PNG or GIF) owned by the post's author; returns its URN."""
        response = self._send(
            _Call(
                ratelimit.IMAGES_INITIALIZE,
                "POST",
                self.api_url("/rest/images"),
                params={"action": "initializeUpload"},
                json={"initializeUploadRequest": {"owner": owner_urn}},
                idempotent=False,
            )
        )
        value = self._json(response).get("value") or {}
        upload_url = str(value.get("uploadUrl") or "")
        image_urn = str(value.get("image") or "")
        if not upload_url or not image_urn:
            raise LinkedInError(
                "LinkedIn's initializeUpload answer lacks uploadUrl or image",
                status=response.status_code,
                request_id=response.headers.get("x-li-uuid", ""),
            )
        if not trusted_upload_url(upload_url):
            # The upload carries the member's bearer token: only ever to LinkedIn's own hosts.
            raise Invalid(f"LinkedIn's upload URL points elsewhere: {urlsplit(upload_url).netloc}")
        self._send(
            _Call(
                ratelimit.IMAGES_UPLOAD,
                "PUT",
                upload_url,
                data=data,
                headers={"Content-Type": content_type},
            )
        )
        return image_urn

    # -- member statistics --------------------------------------------------------------------

    def member_followers_count(self) -> int:
        """The member's follower count today."""
        body = self._get_json(ratelimit.MEMBER_FOLLOWERS, "/rest/memberFollowersCount", {"q": "me"})
        elements = body.get("elements") or []
        if not elements or "memberFollowersCount" not in elements[0]:
            raise NotFound("LinkedIn returned no follower count", code="NO_DATA")
        return _int(elements[0]["memberFollowersCount"])

    def member_followers_by_day(self, start: dt.date, end: dt.date) -> list[DailyValue]:
        """LinkedIn's daily follower figures for the UTC days in [start, end), oldest first.

        Whether LinkedIn's daily figure is the day's gain or its total is unconfirmed
        (linkedin-api.md 6.2); the sandbox answers gains. The values are passed on as given.
        """
        _check_range(start, end)
        elements = self._elements(
            ratelimit.MEMBER_FOLLOWERS,
            "/rest/memberFollowersCount",
            {"q": "dateRange", "dateRange": date_range(start, end, year_first=True)},
        )
        days = []
        for element in elements:
            day = _date((element.get("dateRange") or {}).get("start"))
            if day is not None:
                days.append(DailyValue(day, _int(element.get("memberFollowersCount"))))
        return sorted(days)

    def _metric_counts(
        self, metric: str, aggregation: str, elements: list[dict[str, Any]]
    ) -> MetricCounts:
        if not elements:
            return MetricCounts(metric=metric, total=None)
        by_day: list[DailyValue] = []
        if aggregation == Aggregation.DAILY:
            for element in elements:
                day = _date((element.get("dateRange") or {}).get("start"))
                if day is not None:
                    by_day.append(DailyValue(day, _int(element.get("count"))))
        total = sum(_int(element.get("count")) for element in elements)
        reported = _metric_type(elements[0].get("metricType")) or metric
        return MetricCounts(metric=reported, total=total, by_day=sorted(by_day))

    def post_analytics(
        self,
        post_urn: str,
        metric: PostMetric | str,
        aggregation: Aggregation | str = Aggregation.TOTAL,
    ) -> MetricCounts:
        """One metric of one of the member's posts (share or ugcPost URN)."""
        metric, aggregation = PostMetric(metric), Aggregation(aggregation)
        elements = self._elements(
            ratelimit.MEMBER_POST_ANALYTICS,
            "/rest/memberCreatorPostAnalytics",
            {
                "q": "entity",
                "entity": post_entity(post_urn),
                "queryType": metric,
                "aggregation": aggregation,
            },
        )
        return self._metric_counts(metric, aggregation, elements)

    def all_posts_analytics(
        self,
        metric: PostMetric | str,
        start: dt.date,
        end: dt.date,
        aggregation: Aggregation | str = Aggregation.DAILY,
    ) -> MetricCounts:
        """One metric over all of the member's posts in a date range."""
        _check_range(start, end)
        metric, aggregation = PostMetric(metric), Aggregation(aggregation)
        elements = self._elements(
            ratelimit.MEMBER_POST_ANALYTICS,
            "/rest/memberCreatorPostAnalytics",
            {
                "q": "me",
                "queryType": metric,
                "aggregation": aggregation,
                "dateRange": date_range(start, end),
            },
        )
        return self._metric_counts(metric, aggregation, elements)

    # -- company page statistics --------------------------------------------------------------

    def page_follower_count(self, org_urn: str) -> int:
        """The page's follower total today (networkSizes; the statistics give no total)."""
        body = self._get_json(
            ratelimit.PAGE_NETWORK_SIZE,
            build_path("rest", "networkSizes", key=org_urn),
            {"edgeType": "COMPANY_FOLLOWED_BY_MEMBER"},
        )
        if "firstDegreeSize" not in body:
            raise NotFound("LinkedIn returned no follower count", code="NO_DATA")
        return _int(body["firstDegreeSize"])

    def page_follower_gains(
        self, org_urn: str, start: dt.date, end: dt.date
    ) -> list[DailyFollowerGain]:
        """New followers per UTC day in [start, end), organic and paid, oldest first."""
        _check_range(start, end)
        elements = self._elements(
            ratelimit.PAGE_FOLLOWER_STATISTICS,
            "/rest/organizationalEntityFollowerStatistics",
            {
                "q": "organizationalEntity",
                "organizationalEntity": org_urn,
                "timeIntervals": time_intervals(start, end, "DAY"),
            },
        )
        gains = []
        for element in elements:
            time_range = element.get("timeRange") or {}
            if "start" not in time_range:
                continue
            counts = element.get("followerGains") or {}
            gains.append(
                DailyFollowerGain(
                    _day_of_ms(time_range["start"]),
                    _int(counts.get("organicFollowerGain")),
                    _int(counts.get("paidFollowerGain")),
                )
            )
        return sorted(gains)

    def page_share_statistics(
        self, org_urn: str, start: dt.date | None = None, end: dt.date | None = None
    ) -> list[ShareStatistics]:
        """The page's organic share statistics: one total (LinkedIn: the last 12 months)
        without dates, or one per UTC day in [start, end)."""
        params: dict[str, Any] = {"q": "organizationalEntity", "organizationalEntity": org_urn}
        if (start is None) != (end is None):
            raise ValueError("Give both start and end, or neither")
        if start is not None and end is not None:
            _check_range(start, end)
            params["timeIntervals"] = time_intervals(start, end, "DAY")
        elements = self._elements(
            ratelimit.PAGE_SHARE_STATISTICS,
            "/rest/organizationalEntityShareStatistics",
            params,
        )
        statistics = []
        for element in elements:
            totals = element.get("totalShareStatistics") or {}
            time_range = element.get("timeRange") or {}
            statistics.append(
                ShareStatistics(
                    day=_day_of_ms(time_range["start"]) if "start" in time_range else None,
                    impression_count=_int(totals.get("impressionCount")),
                    unique_impressions_count=_int(totals.get("uniqueImpressionsCount")),
                    click_count=_int(totals.get("clickCount")),
                    like_count=_int(totals.get("likeCount")),
                    comment_count=_int(totals.get("commentCount")),
                    share_count=_int(totals.get("shareCount")),
                    engagement=float(totals.get("engagement") or 0),
                )
            )
        return sorted(statistics, key=lambda item: item.day or dt.date.min)

    # -- identity -----------------------------------------------------------------------------

    def userinfo(self) -> UserInfo:
        """The member behind the token (OpenID Connect userinfo; unversioned)."""
        body = self._get_json(ratelimit.USERINFO, "/v2/userinfo")
        if not body.get("sub"):
            raise LinkedInError("LinkedIn's userinfo answer has no sub", code="NO_SUB")
        return UserInfo(
            sub=str(body["sub"]),
            name=str(body.get("name") or ""),
            given_name=str(body.get("given_name") or ""),
            family_name=str(body.get("family_name") or ""),
            picture=str(body.get("picture") or ""),
            email=str(body.get("email") or ""),
            email_verified=bool(body.get("email_verified")),
            locale=_locale(body.get("locale")),
        )


__all__ = [
    "Aggregation",
    "DailyFollowerGain",
    "DailyValue",
    "LinkedInClient",
    "MetricCounts",
    "PostMetric",
    "PublishedPost",
    "ShareStatistics",
    "UserInfo",
    "error_from_response",
    "get_session",
    "post_entity",
    "trusted_upload_url",
]
