"""The unversioned member endpoints: /v2/userinfo, /v2/me, /v2/connections."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from ..access import access_denied
from ..addresses import member_picture
from ..responses import json_response
from .base import Call, effective_method, method_not_allowed, path_urn, run


def _locale(value: str) -> dict[str, str]:
    language, _, country = value.replace("-", "_").partition("_")
    return {"country": country, "language": language}


def _only_get(call: Call) -> None:
    if call.method != "GET":
        raise method_not_allowed(call.method)


def _userinfo(call: Call) -> HttpResponse:
    _only_get(call)
    for scope in ("openid", "profile"):
        call.require(scope, resource="userinfo", method="GET")
    member = call.member
    body: dict[str, object] = {
        "sub": member.sub,
        "name": member.name,
        "given_name": member.given_name,
        "family_name": member.family_name,
        "locale": _locale(member.locale),
    }
    picture = member_picture(member)
    if picture:
        body["picture"] = picture
    if "email" in call.token.scopes:  # type: ignore[union-attr]
        body.update(email=member.email, email_verified=True)
    return json_response(body)


@csrf_exempt
def userinfo(request: HttpRequest) -> HttpResponse:
    """OIDC userinfo (needs openid and profile; email fields only with email)."""
    return run(request, "userinfo", _userinfo, versioned=False)


def _me(call: Call) -> HttpResponse:
    _only_get(call)
    call.require("r_basicprofile", resource="me", method="GET")
    member = call.member
    locale = _locale(member.locale)
    return json_response(
        {
            "id": member.sub,
            "localizedFirstName": member.given_name,
            "localizedLastName": member.family_name,
            "firstName": {
                "localized": {member.locale: member.given_name},
                "preferredLocale": locale,
            },
            "lastName": {
                "localized": {member.locale: member.family_name},
                "preferredLocale": locale,
            },
            "localizedHeadline": member.headline,
            "headline": {"localized": {member.locale: member.headline}, "preferredLocale": locale},
            "vanityName": member.vanity_name,
        }
    )


@csrf_exempt
def me(request: HttpRequest) -> HttpResponse:
    """The lite profile with vanity name and headline (needs r_basicprofile)."""
    return run(request, "me", _me, versioned=False)


@csrf_exempt
def connections(request: HttpRequest, urn: str) -> HttpResponse:
    """The member's own 1st-degree connection count (needs r_1st_connections_size)."""

    def handle(call: Call) -> HttpResponse:
        _only_get(call)
        call.require("r_1st_connections_size", resource="connections", method="GET")
        if path_urn(urn) != call.member.urn:
            raise access_denied("connections", "GET", call.version_label)
        return json_response({"firstDegreeSize": call.member.connections})

    return run(request, "connections", handle, versioned=False, method=effective_method(request))
