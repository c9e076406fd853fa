from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from advocacy.tenancy.http import OrgRequest
from advocacy.tenancy.models import MANAGE_ROLES
from advocacy.tenancy.permissions import role_required
from campaigns.models import Campaign

from .forms import BulkActionForm, ContentItemForm, LibraryFilterForm
from .models import ContentItem
from .previews import request_item_preview
from .services import (
    apply_bulk_action,
    archive_content_item,
    bulk_action_summary,
    create_content_item,
    update_content_item,
)

LIBRARY_PAGE_SIZE = 25
DASHBOARD_SIZE = 30


@role_required()
def dashboard(request: OrgRequest) -> HttpResponse:
    """What every member sees first: live campaigns and content ready to share."""
    organization = request.organization
    available = ContentItem.objects.filter(organization=organization).available(timezone.now())
    campaigns = (
        Campaign.objects.filter(organization=organization)
        .live()
        .order_by("ends_on", "name")
        .prefetch_related(
            Prefetch(
                "content_items",
                queryset=available.order_by("-featured", "-created_at"),
                to_attr="available_items",
            )
        )
    )
    items = available.for_dashboard().prefetch_related(
        "captions",
        Prefetch(
            "campaigns",
            queryset=Campaign.objects.filter(organization=organization).live().order_by("name"),
            to_attr="live_campaigns",
        ),
    )[:DASHBOARD_SIZE]
    return render(
        request,
        "content/dashboard.html",
        {
            "campaigns": campaigns,
            "items": items,
            "available_count": available.count(),
            "dashboard_size": DASHBOARD_SIZE,
        },
    )


@role_required(MANAGE_ROLES)
def library(request: OrgRequest) -> HttpResponse:
    """The organization's content for comms: search, filters, pages and bulk actions."""
    organization = request.organization
    filters = LibraryFilterForm(request.GET, organization=organization)
    items = (
        filters.apply(ContentItem.objects.filter(organization=organization))
        .with_caption_count()
        .prefetch_related(
            Prefetch(
                "campaigns",
                queryset=Campaign.objects.filter(organization=organization).order_by("name"),
            )
        )
        .order_by("-featured", "-created_at", "-id")
    )
    page = Paginator(items, LIBRARY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "content/library.html",
        {"filters": filters, "page": page, "bulk_form": BulkActionForm()},
    )


@role_required(MANAGE_ROLES)
def library_bulk(request: OrgRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = BulkActionForm(request.POST)
    if form.is_valid():
        action = form.cleaned_data["action"]
        count = apply_bulk_action(
            organization=request.organization,
            actor=request.user,
            action=action,
            public_ids=form.cleaned_data["items"],
        )
        if count:
            messages.success(request, bulk_action_summary(action, count))
        else:
            messages.info(request, _("Nothing needed changing."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return _back_to_library(request)


@role_required(MANAGE_ROLES)
def item_new(request: OrgRequest) -> HttpResponse:
    organization = request.organization
    form = ContentItemForm(
        request.POST if request.method == "POST" else None,
        organization=organization,
        initial={"campaigns": _campaign_from_query(request)},
    )
    if form.is_valid():
        item = create_content_item(
            organization=organization,
            actor=request.user,
            details=form.details(),
            campaigns=form.cleaned_data["campaigns"],
            captions=form.captions(),
        )
        messages.success(request, _("“%(title)s” was added.") % {"title": item.title})
        return redirect("content:library", org_slug=organization.slug)
    return render(request, "content/item_form.html", {"form": form, "item": None})


@role_required(MANAGE_ROLES)
def item_edit(request: OrgRequest, item_id: uuid.UUID) -> HttpResponse:
    organization = request.organization
    item = _get_item(request, item_id)
    form = ContentItemForm(
        request.POST if request.method == "POST" else None,
        instance=item,
        organization=organization,
    )
    if form.is_valid():
        item = update_content_item(
            organization=organization,
            item=item,
            actor=request.user,
            details=form.details(),
            campaigns=form.cleaned_data["campaigns"],
            captions=form.captions(),
        )
        messages.success(request, _("“%(title)s” was saved.") % {"title": item.title})
        return redirect("content:library", org_slug=organization.slug)
    # A rejected form has applied its input to `item`; the page heading shows what is stored.
    stored = _get_item(request, item_id) if form.is_bound else item
    return render(request, "content/item_form.html", {"form": form, "item": stored})


@role_required(MANAGE_ROLES)
def item_archive(request: OrgRequest, item_id: uuid.UUID) -> HttpResponse:
    # Looked up before the method check, so another organization's id is a 404 either way.
    item = _get_item(request, item_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    archive_content_item(organization=request.organization, item=item, actor=request.user)
    messages.success(
        request, _("“%(title)s” was archived. Employees no longer see it.") % {"title": item.title}
    )
    return redirect("content:library", org_slug=request.organization.slug)


@role_required(MANAGE_ROLES)
def item_preview(request: OrgRequest, item_id: uuid.UUID) -> HttpResponse:
    """Fetch the item's link preview again, replacing one written by hand."""
    # Looked up before the method check, so another organization's id is a 404 either way.
    item = _get_item(request, item_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    queued = request_item_preview(
        organization=request.organization, item=item, force=True, actor=request.user
    )
    if queued:
        messages.success(
            request,
            _("The preview of “%(title)s” is being fetched again; reload the page in a moment.")
            % {"title": item.title},
        )
    else:
        messages.info(
            request, _("“%(title)s” has no link, so it has no preview.") % {"title": item.title}
        )
    return redirect("content:item_edit", org_slug=request.organization.slug, item_id=item.public_id)


def _get_item(request: OrgRequest, item_id: uuid.UUID) -> ContentItem:
    return get_object_or_404(
        ContentItem.objects.filter(organization=request.organization), public_id=item_id
    )


def _campaign_from_query(request: OrgRequest) -> list[uuid.UUID]:
    """`?campaign=<id>` from a campaign's page pre-selects it, if it is this organization's."""
    try:
        public_id = uuid.UUID(request.GET.get("campaign", ""))
    except ValueError:
        return []
    return list(
        Campaign.objects.filter(organization=request.organization, public_id=public_id).values_list(
            "public_id", flat=True
        )
    )


def _back_to_library(request: OrgRequest) -> HttpResponse:
    url = reverse("content:library", kwargs={"org_slug": request.organization.slug})
    # Only a query string is taken from the form, re-encoded, so it cannot lead elsewhere.
    query = QueryDict(request.POST.get("return_query", "")).urlencode()
    return HttpResponseRedirect(f"{url}?{query}" if query else url)
