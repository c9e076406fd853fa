"""The webhook settings pages: endpoints, their secrets and their delivery logs (admins)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from advocacy.tenancy.http import OrgRequest
from advocacy.tenancy.models import ADMIN_ROLES
from advocacy.tenancy.permissions import role_required

from . import services
from .forms import EndpointEditForm, EndpointForm
from .models import WebhookDelivery, WebhookEndpoint

LOG_ROWS = 50


def _endpoint(request: OrgRequest, endpoint_id: UUID) -> WebhookEndpoint:
    endpoint: WebhookEndpoint = get_object_or_404(
        WebhookEndpoint.objects.filter(organization=request.organization), public_id=endpoint_id
    )
    return endpoint


def _secret_page(request: OrgRequest, endpoint: WebhookEndpoint, secret: str) -> HttpResponse:
    response = render(request, "webhooks/secret.html", {"endpoint": endpoint, "secret": secret})
    response["Cache-Control"] = "no-store"
    return response


@role_required(ADMIN_ROLES)
def endpoints(request: OrgRequest) -> HttpResponse:
    """The organization's endpoints, and a form to add one (its secret is shown once)."""
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = services.create_endpoint(
                organization=request.organization, actor=request.user, **form.cleaned_data
            )
        except ValidationError as problem:
            form.add_error(None, problem)
        else:
            return _secret_page(request, endpoint, secret)
    listed = WebhookEndpoint.objects.filter(organization=request.organization).order_by(
        "created_at", "pk"
    )
    return render(request, "webhooks/endpoints.html", {"form": form, "endpoints": listed})


@role_required(ADMIN_ROLES)
def endpoint(request: OrgRequest, endpoint_id: UUID) -> HttpResponse:
    """One endpoint: its settings and the log of its latest deliveries."""
    found = _endpoint(request, endpoint_id)
    initial = {
        "url": found.url,
        "description": found.description,
        "events": found.events,
        "is_active": found.is_active,
    }
    form = EndpointEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.update_endpoint(
                endpoint=found, actor=request.user, **form.cleaned_data
            )
        except ValidationError as problem:
            form.add_error(None, problem)
        else:
            if changed:
                messages.success(request, _("The endpoint was saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect(
                "webhooks:endpoint", org_slug=request.organization.slug, endpoint_id=endpoint_id
            )
    deliveries = WebhookDelivery.objects.filter(
        organization=request.organization, endpoint=found
    ).order_by("-created_at", "-pk")[:LOG_ROWS]
    return render(
        request,
        "webhooks/endpoint.html",
        {"endpoint": found, "form": form, "deliveries": deliveries},
    )


@role_required(ADMIN_ROLES)
def endpoint_rotate(request: OrgRequest, endpoint_id: UUID) -> HttpResponse:
    found = _endpoint(request, endpoint_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    secret = services.rotate_secret(endpoint=found, actor=request.user)
    return _secret_page(request, found, secret)


@role_required(ADMIN_ROLES)
def endpoint_test(request: OrgRequest, endpoint_id: UUID) -> HttpResponse:
    found = _endpoint(request, endpoint_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    services.send_test(endpoint=found, actor=request.user)
    messages.success(request, _("A test event is on its way; the log below shows the answer."))
    return redirect(
        "webhooks:endpoint", org_slug=request.organization.slug, endpoint_id=endpoint_id
    )


@role_required(ADMIN_ROLES)
def endpoint_delete(request: OrgRequest, endpoint_id: UUID) -> HttpResponse:
    found = _endpoint(request, endpoint_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    services.delete_endpoint(endpoint=found, actor=request.user)
    messages.success(request, _("The endpoint %(url)s was removed.") % {"url": found.url})
    return redirect("webhooks:endpoints", org_slug=request.organization.slug)
