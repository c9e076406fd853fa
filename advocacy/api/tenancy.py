"""The organization an API request acts for, and the consistent error envelope.

The API lives under /api/v1/, outside /o/<slug>/, so the organization comes from the
credential: a personal API token names one organization. A signed-in browser session (the web
UI's own calls) acts for the organization given as `?organization=<address>`, else the one the
session used last, else the user's only one. A non-member gets the same 404 as an unknown
organization, never another tenant's rows.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from advocacy.tenancy.models import Membership

ORGANIZATION_PARAMETER = "organization"


class Problem(exceptions.APIException):
    """An error with a code of ours, in the envelope below."""

    def __init__(
        self,
        code: str,
        message: str,
        http_status: int = status.HTTP_400_BAD_REQUEST,
        fields: dict[str, Any] | None = None,
    ):
        super().__init__(detail=message, code=code)
        self.status_code = http_status
        self.problem_code = code
        self.fields = fields


def not_found() -> Problem:
    # One body for a missing object and another organization's: nothing tells them apart.
    return Problem("not_found", _("Not found."), status.HTTP_404_NOT_FOUND)


def membership_for(request: Request) -> Membership:
    """The caller's active membership in the organization the request is for."""
    slug = request.query_params.get(ORGANIZATION_PARAMETER) or ""
    token_membership = getattr(request.auth, "membership", None)
    if token_membership is not None:
        if slug and slug != token_membership.organization.slug:
            raise not_found()  # a token acts for its own organization only
        return token_membership
    memberships = Membership.all_tenants.select_related("organization", "user", "team").filter(
        user=request.user, is_active=True, user__is_active=True
    )
    if not slug:
        slug = request.session.get("last_organization", "") if hasattr(request, "session") else ""
    if slug:
        found = memberships.filter(organization__slug=slug).first()
        if found is None:
            raise not_found()
        return found
    mine = list(memberships[:2])
    if len(mine) == 1:
        return mine[0]
    raise Problem(
        "organization_required",
        _("You belong to several organizations: name one with ?organization=<address>."),
    )


def _as_api_exception(exc: Exception) -> Exception:
    """Django's own exceptions, raised by services and shortcuts, as DRF's."""
    if isinstance(exc, Http404):
        return not_found()
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied(*exc.args)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return exceptions.ValidationError(
                {
                    api_settings.NON_FIELD_ERRORS_KEY if name == "__all__" else name: messages
                    for name, messages in exc.message_dict.items()
                }
            )
        codes = {error.code for error in exc.error_list if error.code}
        problem = Problem(codes.pop() if len(codes) == 1 else "invalid", " ".join(exc.messages))
        return problem
    return exc


def error_envelope(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every error as {"error": {"code", "message", "fields"?}}, with DRF's status."""
    exc = _as_api_exception(exc)
    response = exception_handler(exc, context)
    if response is None:
        return None
    body: dict[str, Any] = {"code": _code_of(exc)}
    detail = response.data
    if isinstance(exc, exceptions.ValidationError):
        body["code"] = "invalid"
        if isinstance(detail, dict):
            body["message"] = _("Some fields are not valid.")
            body["fields"] = detail
        else:
            body["message"] = " ".join(str(item) for item in detail)
    elif isinstance(detail, dict) and "detail" in detail:
        body["message"] = str(detail["detail"])
    else:
        body["message"] = (
            " ".join(str(item) for item in detail) if isinstance(detail, list) else str(detail)
        )
    fields = getattr(exc, "fields", None)
    if fields:
        body["fields"] = fields
    response.data = {"error": body}
    return response


def _code_of(exc: Exception) -> str:
    code = getattr(exc, "problem_code", None)
    if code:
        return str(code)
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        if isinstance(codes, str):
            return codes
        return str(exc.default_code)
    return "error"
