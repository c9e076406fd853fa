"""Pages outside any organization: the front door, the organization picker, the health check."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.static import serve

from advocacy.accounts.http import AuthenticatedRequest
from advocacy.tenancy.models import Membership


def _active_memberships(request: AuthenticatedRequest) -> list[Membership]:
    return list(
        Membership.all_tenants.filter(user=request.user, is_active=True)
        .select_related("organization", "team")
        .order_by("organization__name")
    )


def home(request: HttpRequest) -> HttpResponse:
    """Signed-in users go to their organization (the last one used), or pick one."""
    if not request.user.is_authenticated:
        return render(request, "home.html")
    memberships = _active_memberships(request)  # type: ignore[arg-type]
    last = request.session.get("last_organization")
    for membership in memberships:
        if membership.organization.slug == last:
            return redirect("content:dashboard", org_slug=last)
    if len(memberships) == 1:
        return redirect("content:dashboard", org_slug=memberships[0].organization.slug)
    return redirect("organization_picker")


@login_required
def organization_picker(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request, "organization_picker.html", {"memberships": _active_memberships(request)}
    )


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness and database reachability, for load balancers and container health checks."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_GET
def media(request: HttpRequest, path: str) -> HttpResponseBase:
    """Uploaded and fetched images (MEDIA_ROOT), unless the proxy serves /media/ itself.

    Every stored name is a fresh random one (content/models.py), so a file never changes
    under its name and browsers may keep it for good.
    """
    response = serve(request, path, document_root=str(settings.MEDIA_ROOT))
    if response.status_code == 200:
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
