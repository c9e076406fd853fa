"""The example requests and responses of linkedin-api.md, as data, each under its section.

The tests cannot read linkedin-api.md (it lives beside the project, not in it), so its examples
are copied here. tests/test_linkedin_contract.py holds every request against the client's
request builder and replays it against the sandbox. Where the sandbox or the client disagreed
with the document, the code was changed, not the examples; the notes say where the document
itself leaves a point unconfirmed and which documented choice (docs/sandbox.md) the code made.

How to read an example:
- URLs are LinkedIn's own (`https://api.linkedin.com`, `https://www.linkedin.com`). Against the
  sandbox its prefix takes the place of both hosts, in requests and in expected values.
- `<name>` stands for a value the test supplies: `<token>` the bearer token, `<version>` the
  configured LinkedIn-Version, `<client_id>`, `<redirect_uri>`, `<member_sub>`, and the URNs a
  replay created (`<created_urn>`). `{name}` in a URL is the document's own placeholder, which
  the replay fills in. The document's elisions (`AQX...`, `urn:li:image:C4E10AQF...`) are
  kept: in an answer they fix only the JSON type, in a request the test fills them by path.
- Request headers name the five the client sets (Authorization, LinkedIn-Version,
  X-Restli-Protocol-Version, X-RestLi-Method, Content-Type): a value, or None for "not sent". A
  header left out is one the document leaves open.
- A response's `json` is its shape: the same keys (all of them, unless the path is listed in
  `open`), the same JSON types at every level (an int is no float, a bool no int), list items
  like the documented first item. `checks` fix the values the document fixes, by path
  (`elements.0.count`; `*` for every item of a list).
- Answers are JSON unless `kind` says otherwise: EMPTY (no body), REDIRECT (the shape is the
  query of the `Location` the browser is sent to), CLAIMS (a decoded id_token, not HTTP).

Left out, because neither the platform nor the sandbox uses them (docs/sandbox.md, "Not
simulated"): comments (5.3), videos and documents (5.4), legacy ugcPosts (5.5), video analytics
(6.1), social actions and metadata (6.4).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# -- values the document fixes ------------------------------------------------------------------


@dataclass(frozen=True)
class Equals:
    value: Any


@dataclass(frozen=True)
class Matches:
    """The whole string matches this regular expression (`<name>` is the live value, escaped)."""

    pattern: str


@dataclass(frozen=True)
class StartsWith:
    prefix: str


@dataclass(frozen=True)
class Between:
    low: float
    high: float


@dataclass(frozen=True)
class Length:
    count: int


@dataclass(frozen=True)
class Contains:
    item: Any


@dataclass(frozen=True)
class ScopeList:
    """LinkedIn's comma-separated scope string (no spaces), holding exactly these scopes."""

    scopes: frozenset[str]


@dataclass(frozen=True)
class Plus:
    """The value of another path of the same answer, plus an amount (`exp` = `iat` + 3600)."""

    path: str
    amount: int


@dataclass(frozen=True)
class Absent:
    """The key is not there (in an object that may carry keys the document does not list)."""


Check = Equals | Matches | StartsWith | Between | Length | Contains | ScopeList | Plus | Absent

# -- shapes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OneOf:
    """Either shape is what the document describes."""

    shapes: tuple[Any, ...]


@dataclass(frozen=True)
class MayLack:
    """A key the answer may leave out; when present, of this shape."""

    shape: Any


# -- requests and responses ---------------------------------------------------------------------


class Kind(enum.Enum):
    JSON = "json"
    EMPTY = "empty"
    REDIRECT = "redirect"
    CLAIMS = "claims"


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    headers: Mapping[str, str | None] = field(default_factory=dict)
    form: Mapping[str, str] | None = None
    json: Any = None
    # The body is the raw bytes of a file (an image upload).
    raw: bool = False


@dataclass(frozen=True)
class Response:
    status: int | None
    json: Any = None
    kind: Kind = Kind.JSON
    headers: Mapping[str, str | Check | None] = field(default_factory=dict)
    checks: Mapping[str, Check] = field(default_factory=dict)
    # Paths of objects that may carry keys the document does not list ("" is the top).
    open: tuple[str, ...] = ()


@dataclass(frozen=True)
class Example:
    id: str
    section: str
    request: Request | None = None
    response: Response | None = None
    notes: tuple[str, ...] = ()
    # Why the client never builds this request (empty: it does, and the test holds it).
    not_built: str = ""
    # Why the sandbox is not asked (empty: it is); such an answer is read by the client instead.
    not_replayed: str = ""


# -- the document's conventions (section 1) -------------------------------------------------------

API = "https://api.linkedin.com"
WWW = "https://www.linkedin.com"
VERSION = "<version>"
BEARER = "Bearer <token>"


def rest_headers(*, restli_method: str | None = None, json: bool = False) -> dict[str, str | None]:
    """What every /rest call sends (1): the token, LinkedIn-Version, the Rest.li protocol."""
    return {
        "Authorization": BEARER,
        "LinkedIn-Version": VERSION,
        "X-Restli-Protocol-Version": "2.0.0",
        "X-RestLi-Method": restli_method,
        "Content-Type": "application/json" if json else None,
    }


def finder_headers() -> dict[str, str | None]:
    # 7: `q=<name>` is a finder, and X-RestLi-Method: FINDER may say so (the client always does).
    return rest_headers(restli_method="FINDER")


def v2_headers() -> dict[str, str | None]:
    """An unversioned /v2 call (1, 10): the token and no LinkedIn-Version. Whether the Rest.li
    protocol header goes along, the document leaves open."""
    return {
        "Authorization": BEARER,
        "LinkedIn-Version": None,
        "X-RestLi-Method": None,
        "Content-Type": None,
    }


def form_headers() -> dict[str, str | None]:
    """An OAuth form (3.2): credentials in the body (client_secret_post), never HTTP Basic."""
    return {
        "Authorization": None,
        "LinkedIn-Version": None,
        "X-Restli-Protocol-Version": None,
        "X-RestLi-Method": None,
        "Content-Type": "application/x-www-form-urlencoded",
    }


ANY = Matches(".+")
# 1: every answer carries these; errors add x-restli-error-response.
ANSWER_HEADERS: dict[str, str | Check | None] = {
    "x-restli-protocol-version": "2.0.0",
    "x-li-uuid": ANY,
    "x-restli-error-response": None,
}
ERROR_HEADERS: dict[str, str | Check | None] = {
    "x-restli-protocol-version": "2.0.0",
    "x-li-uuid": ANY,
    "x-restli-error-response": "true",
}
# 8: the standard error envelope.
ENVELOPE = {"status": 403, "serviceErrorCode": 100, "code": "ACCESS_DENIED", "message": "..."}
# 7: a finder's paging record; `total` is often absent.
PAGING = {"start": 0, "count": 10, "links": [], "total": MayLack(10)}
DATE = {"day": 6, "month": 1, "year": 2026}
DAY_RANGE = {"start": DATE, "end": {"day": 7, "month": 1, "year": 2026}}


def envelope(status: int, code: str, message: Check, **checks: Check) -> Response:
    return Response(
        status=status,
        json=ENVELOPE,
        headers=ERROR_HEADERS,
        checks={"status": Equals(status), "code": Equals(code), "message": message, **checks},
    )


def oauth_error(status: int, error: str, description: str) -> Response:
    return Response(
        status=status,
        json={"error": "invalid_request", "error_description": "..."},
        checks={"error": Equals(error), "error_description": Equals(description)},
    )


SELF_SERVE = frozenset({"openid", "profile", "email", "w_member_social"})
MEMBER_URN = "urn:li:person:kfW51gr4Ja"
ORG = "urn%3Ali%3Aorganization%3A2414183"
CODE_PROBLEM = (
    "Unable to retrieve access token: appid/redirect uri/code verifier does not match "
    "authorization code. Or authorization code expired. Or external member binding exists"
)
TOKEN_FORM = {
    "grant_type": "authorization_code",
    "code": "..",
    "client_id": "..",
    "client_secret": "..",
    "redirect_uri": "..",
}
ARTICLE_POST = {
    "author": MEMBER_URN,
    "commentary": "What we learned at the fair \\(part 1\\) #events",
    "visibility": "PUBLIC",
    "distribution": {
        "feedDistribution": "MAIN_FEED",
        "targetEntities": [],
        "thirdPartyDistributionChannels": [],
    },
    "lifecycleState": "PUBLISHED",
    "isReshareDisabledByAuthor": False,
    "content": {
        "article": {
            "source": "https://acme.example/blog/fair",
            "title": "Fair recap",
            "description": "Five lessons",
            "thumbnail": "urn:li:image:C4E10AQF...",
        }
    },
}
CREATED = Response(
    status=201,
    kind=Kind.EMPTY,
    headers={**ANSWER_HEADERS, "x-restli-id": Matches(r"urn:li:share:\d+")},
)
POST_ANALYTICS_ELEMENT = {
    "count": 1204,
    "metricType": "IMPRESSION",
    "targetEntity": {"share": "urn:li:share:7301"},
    # 6.1: TOTAL may answer `dateRange: {}`.
    "dateRange": OneOf(({}, DAY_RANGE)),
}
WRAPPED_METRIC_TYPE = (
    "com.linkedin.adsexternalapi.memberanalytics.v1.CreatorPostAnalyticsMetricTypeV1"
)
FOLLOWER_COUNTS = {"organicFollowerCount": 32, "paidFollowerCount": 4}


def facet(key: str, value: str) -> list[dict[str, Any]]:
    return [{"followerCounts": FOLLOWER_COUNTS, key: value}]


SHARE_STATISTICS = {
    "uniqueImpressionsCount": 300,
    "shareCount": 1,
    "engagement": 0.05,
    "clickCount": 8,
    "likeCount": 12,
    "impressionCount": 400,
    "commentCount": 2,
}

EXAMPLES: tuple[Example, ...] = (
    # -- 3 OAuth 2.0 ------------------------------------------------------------------------------
    Example(
        "3.1-authorize",
        "3.1",
        request=Request(
            "GET",
            f"{WWW}/oauth/v2/authorization?response_type=code&client_id=ID&redirect_uri=URI"
            "&state=S&scope=openid%20profile%20email%20w_member_social",
        ),
        response=Response(
            status=302,
            kind=Kind.REDIRECT,
            json={"code": "AQ...", "state": "S"},
            headers={"Location": StartsWith("<redirect_uri>?")},
            checks={"code": Matches(r"AQ.+"), "state": Equals("S")},
        ),
        notes=("The browser's request; the answer is the redirect after the member allows.",),
    ),
    Example(
        "3.1-cancelled",
        "3.1",
        response=Response(
            status=302,
            kind=Kind.REDIRECT,
            json={"error": "user_cancelled_authorize", "error_description": "...", "state": "S"},
            headers={"Location": StartsWith("<redirect_uri>?")},
            checks={"error": Equals("user_cancelled_authorize"), "state": Equals("S")},
        ),
        notes=("3.1-authorize's request; the member cancels.",),
    ),
    Example(
        "3.1-unauthorized-scope",
        "3.1",
        response=Response(
            status=302,
            kind=Kind.REDIRECT,
            json={"error": "unauthorized_scope_error", "error_description": "...", "state": "S"},
            headers={"Location": StartsWith("<redirect_uri>?")},
            checks={"error": Equals("unauthorized_scope_error"), "state": Equals("S")},
        ),
        notes=("3.1-authorize's request, asking for a scope the application does not hold.",),
    ),
    Example(
        "3.1-code-verifier-refused",
        "3.1",
        response=oauth_error(401, "invalid_client", "Client authentication failed"),
        notes=("3.2's form with a code_verifier: PKCE on a web app fails the client.",),
    ),
    Example(
        "3.2-token-exchange",
        "3.2",
        request=Request(
            "POST", f"{WWW}/oauth/v2/accessToken", headers=form_headers(), form=TOKEN_FORM
        ),
        response=Response(
            status=200,
            json={
                "access_token": "AQX...",
                "expires_in": 5183999,
                "scope": "email,openid,profile,w_member_social",
                "token_type": "Bearer",
                "id_token": "eyJ...",
                "refresh_token": "AQW...",
                "refresh_token_expires_in": 31535999,
            },
            checks={
                # About 60 days, and 365 for the refresh token (3.3).
                "expires_in": Between(5_183_000, 5_184_000),
                "scope": ScopeList(SELF_SERVE),
                "token_type": Equals("Bearer"),
                "id_token": Matches(r"eyJ[\w-]*\.[\w-]+\.[\w-]+"),
                "refresh_token_expires_in": Between(31_535_000, 31_536_000),
            },
        ),
        notes=(
            "The consent of 3.1-authorize (openid profile email w_member_social), with an app "
            "approved for refresh tokens.",
        ),
    ),
    Example(
        "3.2-code-refused",
        "3.2",
        response=oauth_error(400, "invalid_request", CODE_PROBLEM),
        notes=("3.2-token-exchange's form again: the code is single use.",),
    ),
    Example(
        "3.2-client-refused",
        "3.2",
        response=oauth_error(401, "invalid_client", "Client authentication failed"),
        notes=("3.2-token-exchange's form with a wrong client_secret.",),
    ),
    Example(
        "3.3-refresh",
        "3.3",
        request=Request(
            "POST",
            f"{WWW}/oauth/v2/accessToken",
            headers=form_headers(),
            form={
                "grant_type": "refresh_token",
                "refresh_token": "..",
                "client_id": "..",
                "client_secret": "..",
            },
        ),
        response=Response(
            status=200,
            json={
                "access_token": "AQX...",
                "expires_in": 5183999,
                "refresh_token": "AQW...",
                "refresh_token_expires_in": 31535999,
            },
            checks={
                # A new 60-day token, capped by the refresh token, whose TTL never grows.
                "expires_in": Between(5_183_000, 5_184_000),
                "refresh_token_expires_in": Between(0, 31_536_000),
            },
        ),
    ),
    Example(
        "3.4-introspection",
        "3.4",
        request=Request(
            "POST",
            f"{WWW}/oauth/v2/introspectToken",
            headers=form_headers(),
            form={"client_id": "..", "client_secret": "..", "token": ".."},
        ),
        response=Response(
            status=200,
            json={
                "active": True,
                "client_id": "..",
                "authorized_at": 1493055596,
                "created_at": 1493055596,
                "status": "active",
                "expires_at": 1497497620,
                "scope": "openid,profile,w_member_social",
                "auth_type": "3L",
            },
            checks={
                "active": Equals(True),
                "client_id": Equals("<client_id>"),
                "status": Equals("active"),
                # A member's token from the 3-legged flow; times are epoch seconds, not ms.
                "auth_type": Equals("3L"),
                "authorized_at": Between(1e9, 1e10),
                "created_at": Between(1e9, 1e10),
                "expires_at": Between(1e9, 1e10),
                "scope": ScopeList(SELF_SERVE),
            },
        ),
    ),
    Example(
        "3.4-introspection-unknown-token",
        "3.4",
        response=Response(status=200, json={"active": False}, checks={"active": Equals(False)}),
        notes=(
            "3.4-introspection's form for a token LinkedIn never issued. The inactive body is "
            'unconfirmed; the document assumes {"active": false}, and so does the sandbox '
            "(docs/sandbox.md).",
        ),
    ),
    Example(
        "3.5-revocation",
        "3.5",
        request=Request(
            "POST",
            f"{WWW}/oauth/v2/revoke",
            headers=form_headers(),
            form={"client_id": "..", "client_secret": "..", "token": ".."},
        ),
        response=Response(status=200, kind=Kind.EMPTY),
        notes=(
            "Unconfirmed endpoint: the answer is the sandbox's documented choice (200, empty "
            "body); the client treats any failure as non-fatal.",
        ),
    ),
    Example(
        "3.6-invalid-token",
        "3.6",
        response=envelope(
            401,
            "INVALID_ACCESS_TOKEN",
            Equals("Invalid access token"),
            serviceErrorCode=Equals(65600),
        ),
        notes=(
            "Any API call (here GET /v2/userinfo) with a token LinkedIn does not know. The code "
            "string is unconfirmed; INVALID_ACCESS_TOKEN is the sandbox's choice.",
        ),
    ),
    Example(
        "3.6-revoked-token",
        "3.6",
        response=envelope(
            401,
            "REVOKED_ACCESS_TOKEN",
            Equals("The token used in the request has been revoked by the user"),
            serviceErrorCode=Equals(65601),
        ),
    ),
    Example(
        "3.6-expired-token",
        "3.6",
        response=envelope(
            401,
            "EXPIRED_ACCESS_TOKEN",
            Equals("The token used in the request has expired"),
        ),
        notes=("serviceErrorCode unconfirmed (65602?); the sandbox answers 65602.",),
    ),
    Example(
        "3.6-empty-token",
        "3.6",
        response=Response(
            status=401,
            json=ENVELOPE,
            headers=ERROR_HEADERS,
            checks={"status": Equals(401), "message": Equals("Empty oauth2_access_token")},
        ),
        notes=(
            "An API call without a token. Code and serviceErrorCode are the sandbox's choice "
            "(EMPTY_ACCESS_TOKEN, 65604).",
        ),
    ),
    # -- 4 OpenID Connect -------------------------------------------------------------------------
    Example(
        "4-discovery",
        "4",
        request=Request("GET", f"{WWW}/oauth/.well-known/openid-configuration"),
        response=Response(
            status=200,
            json={
                "issuer": "https://www.linkedin.com/oauth",
                "jwks_uri": "https://www.linkedin.com/oauth/openid/jwks",
                "id_token_signing_alg_values_supported": ["RS256"],
            },
            checks={
                "issuer": Equals("https://www.linkedin.com/oauth"),
                "jwks_uri": Equals("https://www.linkedin.com/oauth/openid/jwks"),
                "id_token_signing_alg_values_supported": Contains("RS256"),
                "token_endpoint_auth_methods_supported": Absent(),
            },
            open=("",),
        ),
        notes=("The document names these facts, not the whole configuration.",),
    ),
    Example(
        "4-jwks",
        "4",
        request=Request("GET", f"{WWW}/oauth/openid/jwks"),
        response=Response(
            status=200,
            json={"keys": [{"kty": "RSA", "kid": "...", "n": "...", "e": "AQAB"}]},
            checks={"keys.*.kty": Equals("RSA"), "keys.*.kid": ANY},
            open=("keys.*",),
        ),
        notes=("RS256 keys with a kid; the document names no more of the key set.",),
        not_built="The client reads the key set from discovery's jwks_uri (4-discovery).",
    ),
    Example(
        "4-id-token",
        "4",
        response=Response(
            status=None,
            kind=Kind.CLAIMS,
            json={
                "header": {"alg": "RS256", "kid": "..."},
                "claims": {
                    "iss": "https://www.linkedin.com/oauth",
                    "aud": "..",
                    "iat": 1767225600,
                    "exp": 1767229200,
                    "sub": "kfW51gr4Ja",
                    "name": "Ann Berg",
                    "given_name": "Ann",
                    "family_name": "Berg",
                    "picture": "https://media.licdn.com/dms/image/...",
                    "email": "ann@acme.example",
                    "email_verified": True,
                    # The document shows no id_token locale; the sandbox puts a string (da_DK).
                    "locale": OneOf(("en-US", {"country": "DK", "language": "da"})),
                },
                "signature_verifies": True,
            },
            checks={
                "header.alg": Equals("RS256"),
                "header.kid": ANY,
                "claims.iss": Equals("https://www.linkedin.com/oauth"),
                "claims.aud": Equals("<client_id>"),
                "claims.exp": Plus("claims.iat", 3600),
                "claims.sub": Equals("<member_sub>"),
                "claims.nonce": Absent(),
                "signature_verifies": Equals(True),
            },
            open=("header",),
        ),
        notes=(
            "The id_token of 3.2-token-exchange, decoded; its signature is checked by the "
            "client against the key set of 4-jwks. No nonce.",
        ),
    ),
    Example(
        "4-userinfo",
        "4",
        request=Request("GET", f"{API}/v2/userinfo", headers=v2_headers()),
        response=Response(
            status=200,
            json={
                "sub": "kfW51gr4Ja",
                "name": "Ann Berg",
                "given_name": "Ann",
                "family_name": "Berg",
                "picture": "https://media.licdn.com/dms/image/...",
                "locale": {"country": "DK", "language": "da"},
                "email": "ann@acme.example",
                "email_verified": True,
            },
            headers=ANSWER_HEADERS,
            checks={"sub": Equals("<member_sub>"), "email_verified": Equals(True)},
        ),
    ),
    Example(
        "4-userinfo-locale-string",
        "4",
        response=Response(
            status=200,
            json={
                "sub": "kfW51gr4Ja",
                "name": "Ann Berg",
                "given_name": "Ann",
                "family_name": "Berg",
                "picture": "https://media.licdn.com/dms/image/...",
                "locale": "en-US",
                "email": "ann@acme.example",
                "email_verified": True,
            },
        ),
        notes=("LinkedIn's docs show locale as a string; live answers give an object.",),
        not_replayed=(
            "The sandbox answers the live form (4-userinfo, docs/sandbox.md); the client must "
            "read this one too."
        ),
    ),
    Example(
        "4-userinfo-without-openid",
        "4",
        response=Response(
            status=403,
            json={
                "status": 403,
                "serviceErrorCode": 100,
                "code": "ACCESS_DENIED",
                "message": "Not enough permissions to access: userinfo.GET.NO_VERSION",
            },
            headers=ERROR_HEADERS,
            checks={
                "status": Equals(403),
                "serviceErrorCode": Equals(100),
                "code": Equals("ACCESS_DENIED"),
                "message": Equals("Not enough permissions to access: userinfo.GET.NO_VERSION"),
            },
        ),
        notes=("4-userinfo's request with a token that lacks openid.",),
    ),
    Example(
        "4-me",
        "4",
        request=Request("GET", f"{API}/v2/me", headers=v2_headers()),
        response=Response(
            status=200,
            json={
                "id": "kfW51gr4Ja",
                "localizedFirstName": "Ann",
                "localizedLastName": "Berg",
                "vanityName": "ann-berg",
                "localizedHeadline": "Sales lead",
            },
            headers=ANSWER_HEADERS,
            checks={"id": Equals("<member_sub>")},
            open=("",),
        ),
        notes=(
            "Needs r_basicprofile. The document names these fields, not the whole answer.",
            "The platform reads identity from userinfo only; the builder is held against it "
            "all the same.",
        ),
    ),
    Example(
        "4-me-oidc-only",
        "4",
        response=envelope(
            403, "ACCESS_DENIED", Equals("Not enough permissions to access: me.GET.NO_VERSION")
        ),
        notes=("4-me's request with an OpenID Connect token (openid profile email).",),
    ),
    # -- 5 Posts ----------------------------------------------------------------------------------
    Example(
        "5.1-create-article",
        "5.1",
        request=Request(
            "POST", f"{API}/rest/posts", headers=rest_headers(json=True), json=ARTICLE_POST
        ),
        response=CREATED,
        notes=(
            "The thumbnail is an image the author uploaded (5.4). The commentary is the plain "
            "text `What we learned at the fair (part 1) #events`, escaped (5.2).",
        ),
    ),
    Example(
        "5.1-reshare",
        "5.1",
        request=Request(
            "POST",
            f"{API}/rest/posts",
            headers=rest_headers(json=True),
            json={
                "author": MEMBER_URN,
                "commentary": "",
                "visibility": "PUBLIC",
                "distribution": ARTICLE_POST["distribution"],
                "lifecycleState": "PUBLISHED",
                "isReshareDisabledByAuthor": False,
                "reshareContext": {"parent": "urn:li:share:..."},
            },
        ),
        response=CREATED,
        notes=(
            "The document abbreviates this body (`author:..`, `distribution:{...}`); the "
            "abbreviations are 5.1's. Its source (Postiz) sends 5.1's isReshareDisabledByAuthor "
            "as well, and so does the client.",
            "The answer of a reshare is a create's (201, x-restli-id).",
        ),
    ),
    Example(
        "5.1-duplicate",
        "5.1",
        response=Response(
            status=422,
            json={
                "errorDetailType": "com.linkedin.common.error.BadRequest",
                "message": "...Content is a duplicate of urn:li:share:714...",
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
            headers=ERROR_HEADERS,
            checks={
                "errorDetailType": Equals("com.linkedin.common.error.BadRequest"),
                "message": Matches(r".*Content is a duplicate of <created_urn>"),
                "errorDetails.inputErrors": Length(1),
                "errorDetails.inputErrors.0.code": Equals("DUPLICATE_POST"),
                "errorDetails.inputErrors.0.description": Equals("Duplicate post is detected"),
                "errorDetails.inputErrors.0.input": Equals({}),
                "status": Equals(422),
            },
        ),
        notes=("5.1-create-article's body again: the message names the post it duplicates.",),
    ),
    Example(
        "5.3-get-post",
        "5.3",
        request=Request("GET", f"{API}/rest/posts/urn%3Ali%3Ashare%3A7301", headers=rest_headers()),
        response=Response(status=200, json={}, headers=ANSWER_HEADERS, open=("",)),
        notes=(
            "Needs r_member_social. The document gives no body.",
            "No obtainable app can read member posts (5.3), so the platform never asks; the "
            "builder is held against it all the same.",
        ),
    ),
    Example(
        "5.3-find-posts",
        "5.3",
        request=Request(
            "GET",
            f"{API}/rest/posts?q=author&author=urn%3Ali%3Aperson%3AkfW51gr4Ja&count=10&start=0",
            headers=finder_headers(),
        ),
        response=Response(
            status=200,
            json={"paging": PAGING, "elements": [{}]},
            headers=ANSWER_HEADERS,
            checks={"paging.start": Equals(0), "paging.count": Equals(10)},
            open=("elements.*",),
        ),
        notes=(
            "Needs r_member_social. The document gives no element body.",
            "No obtainable app can list a member's posts (5.3), so the platform never asks; the "
            "builder is held against it all the same.",
        ),
    ),
    Example(
        "5.3-delete-post",
        "5.3",
        request=Request(
            "DELETE",
            f"{API}/rest/posts/urn%3Ali%3Ashare%3A7301",
            headers=rest_headers(restli_method="DELETE"),
        ),
        response=Response(status=204, kind=Kind.EMPTY, headers=ANSWER_HEADERS),
    ),
    Example(
        "5.3-delete-again",
        "5.3",
        response=Response(status=204, kind=Kind.EMPTY, headers=ANSWER_HEADERS),
        notes=("5.3-delete-post's request once more: DELETE is idempotent.",),
    ),
    Example(
        "5.4-initialize-upload",
        "5.4",
        request=Request(
            "POST",
            f"{API}/rest/images?action=initializeUpload",
            headers=rest_headers(json=True),
            json={"initializeUploadRequest": {"owner": "urn:li:person:ID"}},
        ),
        response=Response(
            status=200,
            json={
                "value": {
                    "uploadUrlExpiresAt": 1770541529250,
                    "uploadUrl": "https://www.linkedin.com/dms-uploads/...",
                    "image": "urn:li:image:D4D10AQH...",
                }
            },
            headers=ANSWER_HEADERS,
            checks={
                "value.uploadUrl": StartsWith("https://www.linkedin.com/dms-uploads/"),
                "value.image": Matches(r"urn:li:image:.+"),
                "value.uploadUrlExpiresAt": Between(1e12, 1e13),
            },
        ),
    ),
    Example(
        "5.4-upload",
        "5.4",
        request=Request(
            "PUT",
            "https://www.linkedin.com/dms-uploads/...",
            headers={"Authorization": BEARER, "LinkedIn-Version": None},
            raw=True,
        ),
        response=Response(status=201, kind=Kind.EMPTY),
        notes=(
            "The uploadUrl of 5.4-initialize-upload. 2xx; 201 is typical but unconfirmed, and "
            "it is the sandbox's answer. The document names no Content-Type for the bytes.",
        ),
    ),
    Example(
        "5.4-get-image",
        "5.4",
        request=Request("GET", f"{API}/rest/images/{{urn}}", headers=rest_headers()),
        response=Response(
            status=200,
            json={
                "id": "urn:li:image:D4D10AQH...",
                "status": "AVAILABLE",
                "downloadUrl": "https://media.licdn.com/dms/image/...",
                "downloadUrlExpiresAt": 1770541529250,
            },
            headers=ANSWER_HEADERS,
            checks={"status": Equals("AVAILABLE"), "id": Equals("<image_urn>")},
            open=("",),
        ),
        notes=(
            "The image of 5.4-initialize-upload once its bytes are in. The platform does not "
            "read images back; the builder is held against it all the same.",
        ),
    ),
    # -- 6 Metrics --------------------------------------------------------------------------------
    Example(
        "6.1-post-analytics-share",
        "6.1",
        request=Request(
            "GET",
            f"{API}/rest/memberCreatorPostAnalytics?q=entity"
            "&entity=(share:urn%3Ali%3Ashare%3A7301)&queryType=IMPRESSION&aggregation=TOTAL",
            headers=finder_headers(),
        ),
        response=Response(
            status=200,
            json={"paging": PAGING, "elements": [POST_ANALYTICS_ELEMENT]},
            headers=ANSWER_HEADERS,
            checks={
                "elements": Length(1),
                "elements.0.metricType": Equals("IMPRESSION"),
                "elements.0.targetEntity": Equals({"share": "urn:li:share:7301"}),
            },
        ),
        notes=("TOTAL: one element. metricType is a plain string from version 202605.",),
    ),
    Example(
        "6.1-post-analytics-ugc",
        "6.1",
        request=Request(
            "GET",
            f"{API}/rest/memberCreatorPostAnalytics?q=entity"
            "&entity=(ugc:urn%3Ali%3AugcPost%3A7302)&queryType=IMPRESSION&aggregation=TOTAL",
            headers=finder_headers(),
        ),
        response=Response(
            status=200,
            json={
                "paging": PAGING,
                "elements": [
                    {**POST_ANALYTICS_ELEMENT, "targetEntity": {"ugc": "urn:li:ugcPost:7302"}}
                ],
            },
            headers=ANSWER_HEADERS,
            checks={
                "elements": Length(1),
                "elements.0.targetEntity": Equals({"ugc": "urn:li:ugcPost:7302"}),
            },
        ),
        notes=("The document elides the ugcPost id (`..`); 7302 is a ugcPost of the member.",),
    ),
    Example(
        "6.1-post-analytics-me-daily",
        "6.1",
        request=Request(
            "GET",
            f"{API}/rest/memberCreatorPostAnalytics?q=me&queryType=REACTION&aggregation=DAILY"
            "&dateRange=(start:(day:1,month:3,year:2026),end:(day:31,month:3,year:2026))",
            headers=finder_headers(),
        ),
        response=Response(
            status=200,
            json={
                "paging": PAGING,
                "elements": [
                    {
                        "count": 3,
                        "metricType": "REACTION",
                        # The document shows an answer of q=entity; one about all the member's
                        # posts names none (the sandbox's reading).
                        "targetEntity": MayLack({"share": "urn:li:share:7301"}),
                        "dateRange": DAY_RANGE,
                    }
                ],
            },
            headers=ANSWER_HEADERS,
            checks={
                # DAILY: one element per day of [1 March, 31 March).
                "elements": Length(30),
                "elements.*.metricType": Equals("REACTION"),
                "elements.0.dateRange": Equals(
                    {
                        "start": {"day": 1, "month": 3, "year": 2026},
                        "end": {"day": 2, "month": 3, "year": 2026},
                    }
                ),
                "elements.29.dateRange.end": Equals({"day": 31, "month": 3, "year": 2026}),
            },
        ),
    ),
    Example(
        "6.1-metric-type-before-202605",
        "6.1",
        response=Response(
            status=200,
            json={
                "paging": PAGING,
                "elements": [
                    {**POST_ANALYTICS_ELEMENT, "metricType": {WRAPPED_METRIC_TYPE: "IMPRESSION"}}
                ],
            },
            headers=ANSWER_HEADERS,
            checks={"elements.0.metricType": Equals({WRAPPED_METRIC_TYPE: "IMPRESSION"})},
        ),
        notes=("6.1-post-analytics-share's request with LinkedIn-Version 202604.",),
    ),
    Example(
        "6.1-no-data",
        "6.1",
        response=Response(
            status=200,
            json={"paging": PAGING, "elements": []},
            headers=ANSWER_HEADERS,
            checks={"elements": Equals([])},
        ),
        notes=(
            "6.1-post-analytics-share's request for a post LinkedIn has no data of: "
            "`elements: []`, which is not a zero.",
        ),
    ),
    Example(
        "6.2-followers-me",
        "6.2",
        request=Request("GET", f"{API}/rest/memberFollowersCount?q=me", headers=finder_headers()),
        response=Response(
            status=200,
            json={"paging": PAGING, "elements": [{"memberFollowersCount": 961}]},
            headers=ANSWER_HEADERS,
            checks={"elements": Length(1)},
        ),
        notes=("The document elides paging (`{..}`): 7's record.",),
    ),
    Example(
        "6.2-followers-date-range",
        "6.2",
        request=Request(
            "GET",
            f"{API}/rest/memberFollowersCount?q=dateRange"
            "&dateRange=(start:(year:2026,month:3,day:1),end:(year:2026,month:3,day:8))",
            headers=finder_headers(),
        ),
        response=Response(
            status=200,
            json={
                "paging": PAGING,
                "elements": [
                    {
                        "dateRange": {
                            "start": {"year": 2026, "month": 3, "day": 1},
                            "end": {"year": 2026, "month": 3, "day": 2},
                        },
                        "memberFollowersCount": 3,
                    }
                ],
            },
            headers=ANSWER_HEADERS,
            checks={
                # One element per day of [1 March, 8 March).
                "elements": Length(7),
                "elements.0.dateRange.start": Equals({"year": 2026, "month": 3, "day": 1}),
                "elements.6.dateRange.end": Equals({"year": 2026, "month": 3, "day": 8}),
            },
        ),
        notes=(
            "This example writes its dates year first, 6.1's day first; the client follows "
            "each. Gains or totals per day: unconfirmed (the sandbox answers gains).",
        ),
    ),
    Example(
        "6.2-connections",
        "6.2",
        request=Request(
            "GET", f"{API}/v2/connections/urn:li:person:kfW51gr4Ja", headers=v2_headers()
        ),
        response=Response(status=200, json={"firstDegreeSize": 500}, headers=ANSWER_HEADERS),
        notes=("The member's own count (r_1st_connections_size).",),
        not_built=(
            "r_1st_connections_size is for partner programs, and the platform does not ask. "
            "The document writes this URN raw, where 7 encodes URNs in paths, which is what the "
            "client's builder does; the sandbox takes both."
        ),
    ),
    Example(
        "6.3-network-size",
        "6.3",
        request=Request(
            "GET",
            f"{API}/rest/networkSizes/{ORG}?edgeType=COMPANY_FOLLOWED_BY_MEMBER",
            headers=rest_headers(),
        ),
        response=Response(status=200, json={"firstDegreeSize": 1140}, headers=ANSWER_HEADERS),
    ),
    Example(
        "6.3-follower-statistics-lifetime",
        "6.3",
        request=Request(
            "GET",
            f"{API}/rest/organizationalEntityFollowerStatistics?q=organizationalEntity"
            f"&organizationalEntity={ORG}",
            headers=finder_headers(),
        ),
        response=Response(
            status=200,
            json={
                "paging": PAGING,
                "elements": [
                    {
                        "followerCountsByAssociationType": facet("associationType", "EMPLOYEE"),
                        "followerCountsBySeniority": facet("seniority", "urn:li:seniority:4"),
                        "followerCountsByIndustry": facet("industry", "urn:li:industry:96"),
                        "followerCountsByFunction": facet("function", "urn:li:function:8"),
                        "followerCountsByStaffCountRange": facet(
                            "staffCountRange", "SIZE_11_TO_50"
                        ),
                        "followerCountsByGeoCountry": facet("geo", "urn:li:geo:104514075"),
                        "followerCountsByGeo": facet("geo", "urn:li:geo:102194656"),
                        "organizationalEntity": "urn:li:organization:2414183",
                    }
                ],
            },
            headers=ANSWER_HEADERS,
            checks={
                "elements": Length(1),
                "elements.0.organizationalEntity": Equals("urn:li:organization:2414183"),
            },
        ),
        notes=(
            "No total (networkSizes gives it). The document shows the facet key of "
            "StaffCountRange only; the others are LinkedIn's (geo for both geo facets).",
            "The platform asks for daily gains only (6.3-follower-statistics-time-bound) and "
            "takes the total from networkSizes; the builder is held against it all the same.",
        ),
    ),
    Example(
        "6.3-follower-statistics-time-bound",
        "6.3",
        request=Request(
            "GET",
            f"{API}/rest/organizationalEntityFollowerStatistics?q=organizationalEntity"
            f"&organizationalEntity={ORG}"
            "&timeIntervals=(timeRange:(start:1767225600000,end:1767830400000),"
            "timeGranularityType:DAY)",
            headers=finder_headers(),
        ),
        response=Response(
            status=200,
            json={
                "paging": PAGING,
                "elements": [
                    {
                        "timeRange": {"start": 1767225600000, "end": 1767312000000},
                        "followerGains": {"organicFollowerGain": 5, "paidFollowerGain": 0},
                        "organizationalEntity": "urn:li:organization:2414183",
                    }
                ],
            },
            headers=ANSWER_HEADERS,
            checks={
                # Seven UTC days from 1 January 2026, in epoch milliseconds.
                "elements": Length(7),
                "elements.0.timeRange": Equals({"start": 1767225600000, "end": 1767312000000}),
                "elements.6.timeRange.end": Equals(1767830400000),
                "elements.*.organizationalEntity": Equals("urn:li:organization:2414183"),
            },
        ),
    ),
    Example(
        "6.3-share-statistics",
        "6.3",
        request=Request(
            "GET",
            f"{API}/rest/organizationalEntityShareStatistics?q=organizationalEntity"
            f"&organizationalEntity={ORG}",
            headers=finder_headers(),
        ),
        response=Response(
            status=200,
            json={"paging": PAGING, "elements": [{"totalShareStatistics": SHARE_STATISTICS}]},
            headers=ANSWER_HEADERS,
            checks={"elements": Length(1)},
            open=("elements.*", "elements.*.totalShareStatistics"),
        ),
        notes=(
            "The document elides the page (`..`): 6.3's. It lists these statistics, not the "
            "whole answer.",
        ),
    ),
    Example(
        "6.3-share-statistics-of-posts",
        "6.3",
        request=Request(
            "GET",
            f"{API}/rest/organizationalEntityShareStatistics?q=organizationalEntity"
            f"&organizationalEntity={ORG}&shares=List(urn%3Ali%3Ashare%3A1)",
            headers=finder_headers(),
        ),
        response=Response(
            status=200,
            json={"paging": PAGING, "elements": [{"totalShareStatistics": SHARE_STATISTICS}]},
            headers=ANSWER_HEADERS,
            checks={"elements": Length(1)},
            open=("elements.*", "elements.*.totalShareStatistics"),
        ),
        notes=(
            "urn:li:share:1 is a post of the page. The platform asks for the page's totals, not "
            "per post; the builder is held against it all the same.",
        ),
    ),
    # -- 7 Rest.li --------------------------------------------------------------------------------
    Example(
        "7-double-encoded-urn",
        "7",
        response=Response(
            status=400, json=ENVELOPE, headers=ERROR_HEADERS, checks={"status": Equals(400)}
        ),
        notes=(
            "6.3-network-size with the URN encoded twice (`%253A`). The document says never "
            "to; refusing it is the sandbox's choice.",
        ),
    ),
    Example(
        "7-raw-colon-in-a-record",
        "7",
        response=Response(
            status=400, json=ENVELOPE, headers=ERROR_HEADERS, checks={"status": Equals(400)}
        ),
        notes=(
            "6.1-post-analytics-share with the URN's `:` raw inside the union. Scalars are "
            "encoded once; refusing a raw `:` is the sandbox's choice.",
        ),
    ),
    Example(
        "7-tunnelled-query",
        "7",
        request=Request(
            "POST",
            f"{API}/rest/memberFollowersCount",
            headers={
                **finder_headers(),
                "X-HTTP-Method-Override": "GET",
                "Content-Type": "application/x-www-form-urlencoded",
            },
            form={"q": "me"},
        ),
        response=Response(
            status=200,
            json={"paging": PAGING, "elements": [{"memberFollowersCount": 961}]},
            headers=ANSWER_HEADERS,
            checks={"elements": Length(1)},
        ),
        notes=("A long query as POST with X-HTTP-Method-Override: GET and a form body.",),
        not_built=(
            "The client does not tunnel: the platform's URLs stay far below the ~4000 "
            "characters that need it."
        ),
    ),
    # -- 8 errors, 10 versions --------------------------------------------------------------------
    Example(
        "8-access-denied",
        "8",
        response=envelope(
            403,
            "ACCESS_DENIED",
            Equals("Not enough permissions to access: memberFollowersCount.FINDER-me.20260901"),
            serviceErrorCode=Equals(100),
        ),
        notes=(
            "6.2-followers-me with a token without r_member_profileAnalytics. The message is "
            "<resource>.<METHOD>.<version> (13); FINDER-me and 20260901 are the sandbox's "
            "spelling of a finder and of version 202609 (docs/sandbox.md).",
        ),
    ),
    Example(
        "8-version-not-active",
        "8",
        response=envelope(
            426, "NONEXISTENT_VERSION", Equals("Requested version 20250401 is not active")
        ),
        notes=("6.2-followers-me with LinkedIn-Version: 20250401, a sunset version.",),
    ),
    Example(
        "10-version-missing",
        "10",
        response=Response(
            status=426, json=ENVELOPE, headers=ERROR_HEADERS, checks={"status": Equals(426)}
        ),
        notes=(
            "6.2-followers-me without LinkedIn-Version: an error whose code is unconfirmed; "
            "the sandbox answers 426 VERSION_MISSING.",
        ),
    ),
    Example(
        "10-version-with-day",
        "10",
        response=Response(
            status=200,
            json={"paging": PAGING, "elements": [{"memberFollowersCount": 961}]},
            headers=ANSWER_HEADERS,
        ),
        notes=("6.2-followers-me with LinkedIn-Version: 20260901, read as 202609.",),
    ),
)

BY_ID: dict[str, Example] = {example.id: example for example in EXAMPLES}
