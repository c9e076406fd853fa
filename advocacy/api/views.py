"""The API's own pages: personal API tokens on the profile, the schema and its docs."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny

from advocacy.accounts.http import AuthenticatedRequest
from advocacy.tenancy.models import Membership

from . import tokens
from .forms import TokenForm
from .models import ApiToken


def _memberships(request: AuthenticatedRequest) -> list[Membership]:
    return list(
        Membership.all_tenants.filter(user=request.user, is_active=True)
        .select_related("organization", "user")
        .order_by("organization__name")
    )


@never_cache
@login_required
def token_new(request: AuthenticatedRequest) -> HttpResponse:
    """Make a personal API token; the page that answers shows it, once."""
    memberships = _memberships(request)
    form = TokenForm(request.POST or None, memberships=memberships)
    if request.method == "POST" and form.is_valid():
        try:
            made = tokens.create_api_token(
                membership=form.cleaned_data["membership"],
                name=form.cleaned_data["name"],
                expires_at=timezone.now() + timedelta(days=form.cleaned_data["lifetime"]),
            )
        except ValidationError as problem:
            form.add_error(None, problem)
        else:
            response = render(
                request, "api/token_created.html", {"token": made.token, "raw": made.raw}
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "api/token_new.html", {"form": form, "memberships": memberships})


@login_required
@require_POST
def token_revoke(request: AuthenticatedRequest, token_id: uuid.UUID) -> HttpResponse:
    # The user's own tokens only: anyone else's is the same 404 as a missing one.
    token = get_object_or_404(
        ApiToken.all_tenants.select_related("organization"), public_id=token_id, user=request.user
    )
    if tokens.revoke_api_token(token=token, actor=request.user):
        messages.success(request, _("The token “%(name)s” no longer works.") % {"name": token.name})
    else:
        messages.info(request, _("That token was revoked already."))
    return redirect(f"{reverse('profile')}#api-tokens")


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema of /api/v1/, public like this code."""

    permission_classes = [AllowAny]


class DocsView(SpectacularSwaggerView):
    """Readable docs (Swagger UI), its assets served from here, never from a CDN."""

    permission_classes = [AllowAny]
    template_name = "api/docs.html"
    url_name = "api_schema"


@csrf_exempt  # it changes nothing, and answers the envelope even to a cookie-less POST
def unknown_route(request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
    """Any other path under /api/v1/: the envelope's 404, not an HTML page."""
    return JsonResponse({"error": {"code": "not_found", "message": _("Not found.")}}, status=404)
