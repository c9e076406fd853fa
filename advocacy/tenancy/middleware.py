"""Resolve the organization of /o/<slug>/ once per request and scope everything to it."""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable
from contextlib import ExitStack

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone, translation

from . import pagecache
from .models import Membership
from .scope import tenant_scope, unscoped

TENANT_PATH = re.compile(r"^/o/(?P<slug>[-a-zA-Z0-9_]+)/")
ADMIN_PATH = "/admin/"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class TenantMiddleware:
    """Sets `request.organization` and `request.membership` for tenant pages.

    Anonymous visitors are sent to sign in; a signed-in user who is not an active member of
    the organization (or names one that does not exist) gets the same 404 either way. The
    tenant scope, the organization's time zone and the member's language stay active while
    the response renders.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self._respond(request)
        if request.method not in SAFE_METHODS:
            # Whatever the form changed, the sender's kept pages show it next time.
            pagecache.request_changed(request)
        return response

    def _respond(self, request: HttpRequest) -> HttpResponse:
        request.organization = None  # type: ignore[attr-defined]
        request.membership = None  # type: ignore[attr-defined]
        match = TENANT_PATH.match(request.path_info)
        if match is None:
            if request.path_info.startswith(ADMIN_PATH) and request.user.is_staff:
                # The stock admin is for platform staff, who look across organizations.
                with unscoped():
                    return self.get_response(request)
            return self.get_response(request)

        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        membership = (
            Membership.all_tenants.select_related("organization", "team", "user")
            .filter(organization__slug=match["slug"], user=request.user, is_active=True)
            .first()
        )
        if membership is None:
            raise Http404("No such organization.")
        organization = membership.organization
        request.organization = organization  # type: ignore[attr-defined]
        request.membership = membership  # type: ignore[attr-defined]
        if request.session.get("last_organization") != organization.slug:
            request.session["last_organization"] = organization.slug
        with ExitStack() as stack:
            stack.enter_context(tenant_scope(organization))
            stack.enter_context(timezone.override(zoneinfo.ZoneInfo(organization.time_zone)))
            language = membership.language or request.user.language or ""
            if language:
                stack.enter_context(translation.override(language))
                request.LANGUAGE_CODE = language
            response = self.get_response(request)
            # LocaleMiddleware labels the response after this override has ended.
            response.headers["Content-Language"] = translation.get_language()
            return response
