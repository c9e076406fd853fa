"""The organization an API request acts for, and the consistent error envelope.

The API lives under /api/v1/, outside /o/<slug>/, so the organization comes from the
credential: a personal API token names one organization. A signed-in browser session (the web
UI's own calls) acts for the organization given as `?organization=<address>`, else the one the
session used last, else the user's only one. A non-member gets the same 404 as an unknown
organization, never another tenant's rows.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler

from advocacy.tenancy.models import Membership


class Problem(exceptions.APIException):
    """An error with a code of ours, in the envelope below."""

    def __init__(self, code: str, message: str, http_status: int = status.HTTP_400_BAD_REQUEST):
        super().__init__(detail=message, code=code)
        self.status_code = http_status
        self.problem_code = code


def membership_for(request: Request) -> Membership:
    """The caller's active membership in the organization the request is for."""
    token_membership = getattr(request.auth, "membership", None)
    if token_membership is not None:
        return token_membership
    memberships = Membership.all_tenants.select_related("organization", "user").filter(
        user=request.user, is_active=True, user__is_active=True
    )
    slug = request.query_params.get("organization") or ""
    if not slug:
        slug = request.session.get("last_organization", "") if hasattr(request, "session") else ""
    if slug:
        found = memberships.filter(organization__slug=slug).first()
        if found is None:
            raise Problem("not_found", _("No such organization."), status.HTTP_404_NOT_FOUND)
        return found
    mine = list(memberships[:2])
    if len(mine) == 1:
        return mine[0]
    raise Problem(
        "organization_required",
        _("You belong to several organizations: name one with ?organization=<address>."),
    )


def error_envelope(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every error as {"error": {"code", "message", "fields"?}}, with DRF's status."""
    response = exception_handler(exc, context)
    if response is None:
        return None
    code = getattr(exc, "problem_code", None) or getattr(exc, "default_code", "error")
    detail = response.data
    body: dict[str, Any] = {"code": code}
    if isinstance(detail, dict) and "detail" not in detail:
        body["message"] = _("Some fields are not valid.")
        body["fields"] = detail
    elif isinstance(detail, dict):
        body["message"] = str(detail["detail"])
    else:
        body["message"] = (
            " ".join(str(item) for item in detail) if isinstance(detail, list) else str(detail)
        )
    response.data = {"error": body}
    return response
