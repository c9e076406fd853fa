"""LinkedIn's OAuth 2.0 and OpenID Connect endpoints (linkedin-api.md sections 3 and 4).

Plain `requests`, with the hosts read from settings at call time, so the same code talks to
LinkedIn in production and to the sandbox in development and tests. The client secret goes
in the form body (client_secret_post; LinkedIn supports no HTTP Basic), and there is no PKCE:
on a web application LinkedIn refuses a `code_verifier`. Each form request has a builder that
returns it unsent (`exchange_request`, `refresh_request`, ...), so that what goes on the wire
can be held against linkedin-api.md.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import jwt
import requests
from django.conf import settings
from django.core.cache import cache

from . import errors
from .client import LinkedInClient, UserInfo
from .scopes import parse_scopes

logger = logging.getLogger(__name__)

# LinkedIn documents 365 days for refresh tokens; used when a response omits the lifetime.
DEFAULT_REFRESH_TOKEN_LIFETIME = 365 * 24 * 3600
# Discovery and keys change rarely; a short cache keeps a sign-in to one round trip, and a
# key LinkedIn has just added is picked up by refetching once on an unknown `kid`.
OIDC_CACHE_SECONDS = 600
CLOCK_SKEW_SECONDS = 60


@dataclass(frozen=True)
class TokenSet:
    """What the token endpoint granted. `scopes` is empty when LinkedIn did not say."""

    access_token: str
    expires_in: int
    scopes: list[str]
    refresh_token: str = ""
    refresh_token_expires_in: int | None = None
    id_token: str = ""


@dataclass(frozen=True)
class Introspection:
    active: bool
    status: str = ""
    scopes: tuple[str, ...] = ()
    expires_at: int | None = None
    auth_type: str = ""


def _www(path: str) -> str:
    return f"{settings.LINKEDIN_WWW_URL}{path}"


def _client_credentials() -> dict[str, str]:
    return {
        "client_id": settings.LINKEDIN_CLIENT_ID,
        "client_secret": settings.LINKEDIN_CLIENT_SECRET,
    }


def _send(prepared: requests.PreparedRequest) -> requests.Response:
    with requests.Session() as session:
        # Proxies and CA bundle from the environment, as requests.request() would use them.
        environment = session.merge_environment_settings(prepared.url or "", {}, None, None, None)
        try:
            return session.send(prepared, timeout=settings.LINKEDIN_TIMEOUT_SECONDS, **environment)
        except requests.RequestException as exc:
            raise errors.TransportError(
                f"{prepared.method} {prepared.url}: {exc.__class__.__name__}"
            ) from exc


def _request(method: str, url: str) -> requests.Response:
    return _send(requests.Request(method, url).prepare())


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        if response.status_code >= 500:
            raise errors.ServerError(status=response.status_code)
        raise errors.TransportError(
            f"LinkedIn answered HTTP {response.status_code} without a JSON object",
            status=response.status_code,
        )
    return body


def _form_request(path: str, data: dict[str, str]) -> requests.PreparedRequest:
    return requests.Request(
        "POST",
        _www(path),
        data=data,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    ).prepare()


def exchange_request(code: str, redirect_uri: str) -> requests.PreparedRequest:
    """The token exchange of section 3.2 as it goes on the wire, without sending it."""
    return _form_request(
        "/oauth/v2/accessToken",
        {
            "grant_type": "authorization_code",
            "code": code,
            "client_id": settings.LINKEDIN_CLIENT_ID,
            "client_secret": settings.LINKEDIN_CLIENT_SECRET,
            "redirect_uri": redirect_uri,
        },
    )


def refresh_request(refresh_token: str) -> requests.PreparedRequest:
    """The refresh of section 3.3, without sending it."""
    return _form_request(
        "/oauth/v2/accessToken",
        {"grant_type": "refresh_token", "refresh_token": refresh_token, **_client_credentials()},
    )


def introspection_request(token: str) -> requests.PreparedRequest:
    """The introspection of section 3.4, without sending it."""
    return _form_request("/oauth/v2/introspectToken", {**_client_credentials(), "token": token})


def revocation_request(token: str) -> requests.PreparedRequest:
    """The revocation of section 3.5 (undocumented by LinkedIn), without sending it."""
    return _form_request("/oauth/v2/revoke", {**_client_credentials(), "token": token})


def discovery_url() -> str:
    """Where LinkedIn serves its OpenID configuration (section 4)."""
    return _www("/oauth/.well-known/openid-configuration")


def _oauth_post(prepared: requests.PreparedRequest) -> dict[str, Any]:
    """Send a form to an OAuth endpoint; OAuth's `{error, error_description}` → OAuthError."""
    response = _send(prepared)
    if response.status_code == 429:
        raise errors.RateLimited(status=429)
    body = _json(response)
    if response.status_code >= 400 or "error" in body:
        if "error" in body:
            raise errors.OAuthError(
                str(body["error"]),
                str(body.get("error_description", "")),
                status=response.status_code,
            )
        if response.status_code >= 500:
            raise errors.ServerError(str(body.get("message", "")), status=response.status_code)
        raise errors.OAuthError("invalid_request", str(body), status=response.status_code)
    return body


def _token_set(body: dict[str, Any]) -> TokenSet:
    try:
        access_token = str(body["access_token"])
        expires_in = int(body["expires_in"])
    except (KeyError, TypeError, ValueError):
        raise errors.OAuthError(
            "invalid_response", "The token response lacks access_token or expires_in"
        ) from None
    refresh_token = str(body.get("refresh_token") or "")
    refresh_expires_in: int | None = None
    if refresh_token:
        refresh_expires_in = int(
            body.get("refresh_token_expires_in") or DEFAULT_REFRESH_TOKEN_LIFETIME
        )
    return TokenSet(
        access_token=access_token,
        expires_in=expires_in,
        scopes=parse_scopes(body.get("scope")),
        refresh_token=refresh_token,
        refresh_token_expires_in=refresh_expires_in,
        id_token=str(body.get("id_token") or ""),
    )


def authorization_url(*, state: str, redirect_uri: str, scopes: list[str]) -> str:
    """Where to send the browser to ask the member's consent (section 3.1)."""
    query = urlencode(
        {
            "response_type": "code",
            "client_id": settings.LINKEDIN_CLIENT_ID,
            "redirect_uri": redirect_uri,
            "state": state,
            "scope": " ".join(scopes),
        },
        # Spaces as %20, not "+": LinkedIn's own examples, and what every parser accepts.
        quote_via=quote,
    )
    return f"{_www('/oauth/v2/authorization')}?{query}"


def exchange_code(code: str, redirect_uri: str) -> TokenSet:
    """Trade the authorization code for tokens (section 3.2). The code works once."""
    return _token_set(_oauth_post(exchange_request(code, redirect_uri)))


def refresh(refresh_token: str) -> TokenSet:
    """A new access token from a refresh token (section 3.3); any 4xx means reconnect."""
    return _token_set(_oauth_post(refresh_request(refresh_token)))


def revoke(token: str) -> bool:
    """Ask LinkedIn to revoke a token. Undocumented endpoint: failure is logged, not raised."""
    if not token:
        return False
    try:
        response = _send(revocation_request(token))
    except errors.TransportError as exc:
        logger.warning("LinkedIn token revocation failed: %s", str(exc))
        return False
    if response.status_code >= 400:
        logger.warning("LinkedIn token revocation answered HTTP %s", response.status_code)
        return False
    return True


def introspect(token: str) -> Introspection:
    """What LinkedIn knows about a token: active, status, scopes, expiry (section 3.4)."""
    body = _oauth_post(introspection_request(token))
    expires_at = body.get("expires_at")
    return Introspection(
        active=bool(body.get("active")),
        status=str(body.get("status") or ""),
        scopes=tuple(parse_scopes(body.get("scope"))),
        expires_at=int(expires_at) if expires_at is not None else None,
        auth_type=str(body.get("auth_type") or ""),
    )


def userinfo(access_token: str) -> UserInfo:
    """The member behind a token, from /v2/userinfo, without waiting for the daily budget:
    a person is waiting for the answer."""
    return LinkedInClient(access_token, max_quota_wait=0).userinfo()


# OpenID Connect ----------------------------------------------------------------------------


def discovery() -> dict[str, Any]:
    """LinkedIn's OpenID configuration, cached briefly."""
    url = discovery_url()
    key = f"linkedin:oidc:discovery:{url}"
    config = cache.get(key)
    if config is None:
        response = _request("GET", url)
        if response.status_code >= 400:
            raise errors.OAuthError(
                "discovery_failed", f"HTTP {response.status_code}", status=response.status_code
            )
        config = _json(response)
        cache.set(key, config, OIDC_CACHE_SECONDS)
    return dict(config)


def forget_oidc_configuration() -> None:
    """Drop the cached discovery document and keys of the configured LinkedIn URL."""
    url = discovery_url()
    config = cache.get(f"linkedin:oidc:discovery:{url}")
    keys = [f"linkedin:oidc:discovery:{url}"]
    if config and config.get("jwks_uri"):
        keys.append(f"linkedin:oidc:jwks:{config['jwks_uri']}")
    cache.delete_many(keys)


def _jwks(uri: str, *, refetch: bool = False) -> jwt.PyJWKSet:
    key = f"linkedin:oidc:jwks:{uri}"
    data = None if refetch else cache.get(key)
    if data is None:
        response = _request("GET", uri)
        if response.status_code >= 400:
            raise errors.OAuthError(
                "jwks_failed", f"HTTP {response.status_code}", status=response.status_code
            )
        data = _json(response)
        cache.set(key, data, OIDC_CACHE_SECONDS)
    try:
        return jwt.PyJWKSet.from_dict(data)
    except jwt.PyJWTError as exc:
        raise errors.OAuthError("invalid_jwks", str(exc)) from None


def _signing_key(jwks_uri: str, kid: str | None) -> jwt.PyJWK:
    for refetch in (False, True):
        keys = _jwks(jwks_uri, refetch=refetch).keys
        for candidate in keys:
            if kid is None or candidate.key_id == kid:
                return candidate
    raise errors.OAuthError("invalid_id_token", f"No key {kid!r} in LinkedIn's JWKS")


def verify_id_token(id_token: str) -> dict[str, Any]:
    """Check an id_token's RS256 signature, issuer, audience and expiry; return its claims.

    No nonce: LinkedIn sends none. The token came straight from the token endpoint over TLS,
    but it is verified anyway: it is cheap, and it catches a misconfigured host.
    """
    config = discovery()
    issuer = config.get("issuer")
    jwks_uri = config.get("jwks_uri")
    if not issuer or not jwks_uri:
        raise errors.OAuthError(
            "discovery_failed", "The OpenID configuration lacks issuer/jwks_uri"
        )
    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.PyJWTError as exc:
        raise errors.OAuthError("invalid_id_token", str(exc)) from None
    if header.get("alg") != "RS256":
        raise errors.OAuthError("invalid_id_token", f"Unexpected algorithm {header.get('alg')!r}")
    signing_key = _signing_key(str(jwks_uri), header.get("kid"))
    try:
        claims: dict[str, Any] = jwt.decode(
            id_token,
            key=signing_key.key,
            algorithms=["RS256"],
            audience=settings.LINKEDIN_CLIENT_ID,
            issuer=str(issuer),
            leeway=CLOCK_SKEW_SECONDS,
            options={"require": ["iss", "aud", "exp", "sub"]},
        )
    except jwt.PyJWTError as exc:
        raise errors.OAuthError("invalid_id_token", str(exc)) from None
    return claims
