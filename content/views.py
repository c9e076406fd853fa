from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from advocacy.tenancy.http import OrgRequest
from advocacy.tenancy.models import MANAGE_ROLES
from advocacy.tenancy.permissions import role_required
from campaigns.models import Campaign

from .forms import (
    BulkActionForm,
    ContentItemForm,
    FeedBulkActionForm,
    FeedFilterForm,
    FeedForm,
    LibraryFilterForm,
)
from .models import ContentItem, FeedSource
from .services import (
    FeedBulkAction,
    apply_bulk_action,
    apply_feed_bulk_action,
    archive_content_item,
    bulk_action_summary,
    create_content_item,
    create_feed,
    feed_bulk_action_summary,
    update_content_item,
    update_feed,
)

LIBRARY_PAGE_SIZE = 25
FEED_PAGE_SIZE = 25
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
        .select_related("source_feed")
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


# Feeds -----------------------------------------------------------------------------------


@role_required(MANAGE_ROLES)
def feed_list(request: OrgRequest) -> HttpResponse:
    """The organization's feeds: when each was checked, its problem, and the drafts it made."""
    filters = FeedFilterForm(request.GET)
    feeds = (
        filters.apply(FeedSource.objects.for_org(request.organization))
        .annotate(
            item_count=Count("items"),
            draft_count=Count("items", filter=Q(items__status=ContentItem.Status.DRAFT)),
        )
        .order_by("name", "id")
    )
    page = Paginator(feeds, FEED_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "content/feed_list.html",
        {"filters": filters, "page": page, "bulk_form": FeedBulkActionForm()},
    )


@role_required(MANAGE_ROLES)
def feed_new(request: OrgRequest) -> HttpResponse:
    organization = request.organization
    form = FeedForm(request.POST if request.method == "POST" else None, organization=organization)
    if form.is_valid():
        try:
            feed = create_feed(
                organization=organization, actor=request.user, details=form.details()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if feed.is_active:
                text = _("“%(name)s” was added. Its entries appear as drafts in the library.")
            else:
                text = _("“%(name)s” was added, paused.")
            messages.success(request, text % {"name": feed.name})
            return redirect("content:feed_list", org_slug=organization.slug)
    return render(request, "content/feed_form.html", {"form": form, "feed": None})


@role_required(MANAGE_ROLES)
def feed_edit(request: OrgRequest, feed_id: uuid.UUID) -> HttpResponse:
    organization = request.organization
    feed = _get_feed(request, feed_id)
    form = FeedForm(
        request.POST if request.method == "POST" else None,
        instance=feed,
        organization=organization,
    )
    if form.is_valid():
        try:
            feed = update_feed(
                organization=organization, feed=feed, actor=request.user, details=form.details()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("“%(name)s” was saved.") % {"name": feed.name})
            return redirect("content:feed_list", org_slug=organization.slug)
    # A rejected form has applied its input to `feed`; the page shows what is stored.
    stored = _get_feed(request, feed_id) if form.is_bound else feed
    return render(request, "content/feed_form.html", {"form": form, "feed": stored})


@role_required(MANAGE_ROLES)
def feed_poll(request: OrgRequest, feed_id: uuid.UUID) -> HttpResponse:
    # Looked up before the method check, so another organization's id is a 404 either way.
    feed = _get_feed(request, feed_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not feed.is_active:
        messages.info(
            request, _("“%(name)s” is paused. Resume it to check it.") % {"name": feed.name}
        )
    else:
        apply_feed_bulk_action(
            organization=request.organization,
            actor=request.user,
            action=FeedBulkAction.POLL,
            public_ids=[feed.public_id],
        )
        messages.success(
            request,
            _("Checking “%(name)s”. New entries appear as drafts in the library.")
            % {"name": feed.name},
        )
    return _back_to_feeds(request)


@role_required(MANAGE_ROLES)
def feed_bulk(request: OrgRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = FeedBulkActionForm(request.POST)
    if form.is_valid():
        action = form.cleaned_data["action"]
        count = apply_feed_bulk_action(
            organization=request.organization,
            actor=request.user,
            action=action,
            public_ids=form.cleaned_data["feeds"],
        )
        if count:
            messages.success(request, feed_bulk_action_summary(action, count))
        elif action == FeedBulkAction.POLL:
            messages.info(request, _("Paused feeds are not checked. Resume them first."))
        else:
            messages.info(request, _("Nothing needed changing."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return _back_to_feeds(request)


def _get_feed(request: OrgRequest, feed_id: uuid.UUID) -> FeedSource:
    return get_object_or_404(
        FeedSource.objects.filter(organization=request.organization), public_id=feed_id
    )


def _back_to_feeds(request: OrgRequest) -> HttpResponse:
    url = reverse("content:feed_list", kwargs={"org_slug": request.organization.slug})
    # Only a query string is taken from the form, re-encoded, so it cannot lead elsewhere.
    query = QueryDict(request.POST.get("return_query", "")).urlencode()
    return HttpResponseRedirect(f"{url}?{query}" if query else url)
