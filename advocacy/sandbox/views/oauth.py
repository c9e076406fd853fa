"""OAuth 2.0 and OpenID Connect on the sandbox's www host (linkedin-api.md 3 and 4)."""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from .. import services, signing
from ..addresses import api_url, issuer, member_picture, www_url
from ..application import KNOWN_SCOPES, current_app
from ..faults import apply_faults
from ..models import AccessToken, App, Member
from ..responses import OAuthError, json_response, linkedin_headers, oauth_error_response
from ..services import TokenSet

CANCELLED = "The user cancelled the authorization"


# The consent screen ------------------------------------------------------------------------


class ConsentProblem(Exception):
    """A request LinkedIn would not redirect back for (unknown client, bad redirect URI)."""


def _redirect_with(redirect_uri: str, params: dict[str, str]) -> HttpResponseRedirect:
    separator = "&" if urlsplit(redirect_uri).query else "?"
    return HttpResponseRedirect(redirect_uri + separator + urlencode(params))


def _check_client(request: HttpRequest, app: App) -> str:
    if request.GET.get("client_id") != settings.LINKEDIN_CLIENT_ID:
        raise ConsentProblem("The client_id is not valid.")
    redirect_uri = request.GET.get("redirect_uri", "")
    parts = urlsplit(redirect_uri)
    if parts.scheme not in {"http", "https"} or not parts.netloc or "#" in redirect_uri:
        raise ConsentProblem("The redirect_uri does not match the registered value.")
    if app.redirect_uris and redirect_uri not in app.redirect_uris:
        raise ConsentProblem("The redirect_uri does not match the registered value.")
    return redirect_uri


@never_cache
def authorization(request: HttpRequest) -> HttpResponse:
    """LinkedIn's consent screen: the visitor picks which scenario member to be (LinkedIn's
    own sign-in, simulated), then allows (a code goes to the redirect URI) or cancels.

    No platform login is needed: "Sign in with LinkedIn" comes here before anyone is signed
    in. A signed-in user finds the member with their email address preselected.
    """
    app = current_app()
    try:
        redirect_uri = _check_client(request, app)
    except ConsentProblem as problem:
        return render(request, "sandbox/consent_error.html", {"problem": problem}, status=400)
    state = request.GET.get("state", "")
    echo = {"state": state} if state else {}
    if request.GET.get("response_type") != "code":
        return _redirect_with(
            redirect_uri,
            {"error": "invalid_request", "error_description": "response_type must be code", **echo},
        )
    scopes = [scope for scope in request.GET.get("scope", "").replace(",", " ").split() if scope]
    if not scopes:
        return _redirect_with(
            redirect_uri,
            {"error": "invalid_request", "error_description": "scope is required", **echo},
        )
    refused = [scope for scope in scopes if scope not in app.scopes or scope not in KNOWN_SCOPES]
    if refused:
        return _redirect_with(
            redirect_uri,
            {
                "error": "unauthorized_scope_error",
                "error_description": f'Scope "{refused[0]}" is not authorized for your application',
                **echo,
            },
        )
    members = list(Member.objects.all())
    if request.method == "POST":
        if request.POST.get("decision") == "allow":
            member = next((m for m in members if m.sub == request.POST.get("member")), None)
            if member is not None:
                code = services.issue_code(
                    member=member,
                    client_id=settings.LINKEDIN_CLIENT_ID,
                    redirect_uri=redirect_uri,
                    scopes=scopes,
                    now=timezone.now(),
                )
                return _redirect_with(redirect_uri, {"code": code.code, **echo})
        else:
            return _redirect_with(
                redirect_uri,
                {"error": "user_cancelled_authorize", "error_description": CANCELLED, **echo},
            )
    email = getattr(request.user, "email", "").lower()
    preselected = next(
        (m.sub for m in members if email and m.email.lower() == email),
        members[0].sub if members else "",
    )
    return render(
        request,
        "sandbox/consent.html",
        {
            "members": members,
            "preselected": preselected,
            "scopes": scopes,
            "client_id": settings.LINKEDIN_CLIENT_ID,
            "redirect_host": urlsplit(redirect_uri).netloc,
            "member_error": request.method == "POST",
        },
    )


# Token endpoints ---------------------------------------------------------------------------


def _oauth_endpoint(request: HttpRequest, operation: str) -> tuple[App, datetime]:
    """Faults and client authentication, shared by the form-posting endpoints."""
    now = timezone.now()
    app = current_app()
    injected = apply_faults(operation, app, now)
    if injected is not None:
        error = "temporarily_unavailable" if injected.status in {429, 503} else "server_error"
        if injected.status < 500 and injected.status != 429:
            error = "invalid_request"
        raise OAuthError(injected.status, error, f"Simulated failure ({injected.status})")
    if request.method != "POST":
        raise OAuthError(405, "invalid_request", "Use POST")
    if "code_verifier" in request.POST:
        # PKCE belongs to native apps; on a web app LinkedIn fails the client (3.1).
        raise OAuthError(401, "invalid_client", "Client authentication failed")
    client_id = request.POST.get("client_id", "")
    secret = request.POST.get("client_secret", "")
    if not (
        hmac.compare_digest(client_id, settings.LINKEDIN_CLIENT_ID)
        and hmac.compare_digest(secret, settings.LINKEDIN_CLIENT_SECRET)
        and client_id
    ):
        # HTTP Basic is not supported: only client_secret_post authenticates.
        raise OAuthError(401, "invalid_client", "Client authentication failed")
    return app, now


def _oauth(view: Any) -> Any:
    def wrapped(request: HttpRequest) -> HttpResponse:
        try:
            response: HttpResponse = view(request)
        except OAuthError as error:
            response = oauth_error_response(error)
        response["Cache-Control"] = "no-store"
        return response

    wrapped.__doc__ = view.__doc__
    wrapped.__name__ = view.__name__
    return csrf_exempt(wrapped)


def _seconds_left(token: AccessToken, now: datetime) -> int:
    return max(0, int((token.expires_at - now).total_seconds()))


def id_token_claims(member: Member, scopes: list[str], now: datetime) -> dict[str, Any]:
    """The claims LinkedIn puts in an id_token: profile ones with `profile`, email with `email`."""
    issued = int(now.timestamp())
    claims: dict[str, Any] = {
        "iss": issuer(),
        "aud": settings.LINKEDIN_CLIENT_ID,
        "iat": issued,
        "exp": issued + 3600,
        "sub": member.sub,
    }
    if "profile" in scopes:
        claims.update(
            name=member.name,
            given_name=member.given_name,
            family_name=member.family_name,
            locale=member.locale,
        )
        picture = member_picture(member)
        if picture:
            claims["picture"] = picture
    if "email" in scopes:
        claims.update(email=member.email, email_verified=True)
    return claims


def _token_answer(tokens: TokenSet, now: datetime, *, id_token: bool) -> dict[str, Any]:
    access = tokens.access
    answer: dict[str, Any] = {
        "access_token": access.token,
        "expires_in": _seconds_left(access, now),
        "scope": ",".join(access.scopes),
        "token_type": "Bearer",
    }
    if id_token and "openid" in access.scopes:
        answer["id_token"] = signing.sign_id_token(
            id_token_claims(access.member, access.scopes, now)
        )
    if tokens.refresh is not None:
        answer["refresh_token"] = tokens.refresh.token
        answer["refresh_token_expires_in"] = _seconds_left(tokens.refresh, now)
    return answer


@_oauth
def access_token(request: HttpRequest) -> HttpResponse:
    """The token endpoint: authorization_code and refresh_token grants, client_secret_post."""
    app, now = _oauth_endpoint(request, "oauth.token")
    grant_type = request.POST.get("grant_type", "")
    client_id = request.POST["client_id"]
    if grant_type == "authorization_code":
        for name in ("code", "redirect_uri"):
            if not request.POST.get(name):
                raise OAuthError(
                    400, "invalid_request", f'A required parameter "{name}" is missing'
                )
        tokens, _ = services.exchange_code(
            code=request.POST["code"],
            client_id=client_id,
            redirect_uri=request.POST["redirect_uri"],
            now=now,
            with_refresh=app.refresh_tokens,
        )
        return json_response(_token_answer(tokens, now, id_token=True))
    if grant_type == "refresh_token":
        if not app.refresh_tokens:
            raise OAuthError(
                400, "unauthorized_client", "The application is not allowed to refresh tokens"
            )
        tokens = services.refresh_access(
            refresh_token=request.POST.get("refresh_token", ""), client_id=client_id, now=now
        )
        answer = _token_answer(tokens, now, id_token=False)
        # LinkedIn's refresh answer (3.3) is the two tokens and their lifetimes, nothing else.
        for key in ("scope", "token_type"):
            del answer[key]
        return json_response(answer)
    raise OAuthError(400, "unsupported_grant_type", f"Unsupported grant_type {grant_type!r}")


@_oauth
def introspect_token(request: HttpRequest) -> HttpResponse:
    """Token introspection: status active, expired or revoked; `{"active": false}` if unknown."""
    _, now = _oauth_endpoint(request, "oauth.introspect")
    token = request.POST.get("token", "")
    if not token:
        raise OAuthError(400, "invalid_request", 'A required parameter "token" is missing')
    found = AccessToken.objects.filter(token=token, client_id=request.POST["client_id"]).first()
    if found is None:
        return json_response({"active": False})
    if found.revoked_at is not None:
        status = "revoked"
    elif found.expires_at <= now:
        status = "expired"
    else:
        status = "active"
    return json_response(
        {
            "active": status == "active",
            "client_id": found.client_id,
            "authorized_at": int(found.authorized_at.timestamp()),
            "created_at": int(found.created_at.timestamp()),
            "status": status,
            "expires_at": int(found.expires_at.timestamp()),
            "scope": ",".join(found.scopes),
            "auth_type": "3L",
        }
    )


@_oauth
def revoke(request: HttpRequest) -> HttpResponse:
    """Revoke a token and the rest of its grant; unknown tokens are answered the same way."""
    _, now = _oauth_endpoint(request, "oauth.revoke")
    token = request.POST.get("token", "")
    if not token:
        raise OAuthError(400, "invalid_request", 'A required parameter "token" is missing')
    services.revoke_token(token=token, now=now)
    return linkedin_headers(HttpResponse(status=200, content_type="application/json"))


# OpenID Connect discovery ------------------------------------------------------------------


@csrf_exempt
def openid_configuration(request: HttpRequest) -> HttpResponse:
    """Discovery; like LinkedIn's, it leaves out token_endpoint_auth_methods_supported."""
    try:
        injected = apply_faults("oidc.discovery", current_app(), timezone.now())
        if injected is not None:
            raise OAuthError(injected.status, "server_error", "Simulated failure")
    except OAuthError as error:
        return oauth_error_response(error)
    return json_response(
        {
            "issuer": issuer(),
            "authorization_endpoint": www_url("oauth/v2/authorization"),
            "token_endpoint": www_url("oauth/v2/accessToken"),
            "userinfo_endpoint": api_url("v2/userinfo"),
            "jwks_uri": www_url("oauth/openid/jwks"),
            "response_types_supported": ["code"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile", "email"],
            "claims_supported": [
                "iss",
                "aud",
                "iat",
                "exp",
                "sub",
                "name",
                "given_name",
                "family_name",
                "picture",
                "email",
                "email_verified",
                "locale",
            ],
        }
    )


@csrf_exempt
def jwks(request: HttpRequest) -> HttpResponse:
    """The public key id_tokens are signed with."""
    try:
        injected = apply_faults("oidc.jwks", current_app(), timezone.now())
        if injected is not None:
            raise OAuthError(injected.status, "server_error", "Simulated failure")
    except OAuthError as error:
        return oauth_error_response(error)
    return json_response(signing.jwks())
