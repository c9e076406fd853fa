from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, Value, When
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from advocacy.tenancy.http import OrgRequest
from advocacy.tenancy.lists import back_to_list, report_errors
from advocacy.tenancy.models import MANAGE_ROLES
from advocacy.tenancy.permissions import role_required

from .forms import CampaignBulkActionForm, CampaignFilterForm, CampaignForm
from .models import Campaign, CampaignAudienceTeam
from .progress import campaign_progress
from .services import (
    apply_campaign_bulk_action,
    bulk_action_summary,
    create_campaign,
    update_campaign,
)

PAGE_SIZE = 25
# Live first, then what is coming, then drafts; ended campaigns last.
STATUS_ORDER = Case(
    When(status=Campaign.Status.LIVE, then=Value(0)),
    When(status=Campaign.Status.SCHEDULED, then=Value(1)),
    When(status=Campaign.Status.DRAFT, then=Value(2)),
    default=Value(3),
)


@role_required(MANAGE_ROLES)
def campaign_list(request: OrgRequest) -> HttpResponse:
    filters = CampaignFilterForm(request.GET, organization=request.organization)
    campaigns = (
        filters.apply(Campaign.objects.filter(organization=request.organization))
        # content_items and posts are the reverse sides of content's relations: counted by
        # name, so this app needs no import of content.
        .annotate(item_count=Count("content_items", distinct=True))
        .with_share_count()
        .order_by(STATUS_ORDER, F("starts_on").desc(nulls_last=True), "name", "id")
    )
    page = Paginator(campaigns, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "campaigns/list.html",
        {"filters": filters, "page": page, "bulk_form": CampaignBulkActionForm()},
    )


@role_required(MANAGE_ROLES)
def campaign_bulk(request: OrgRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = CampaignBulkActionForm(request.POST)
    if form.is_valid():
        action = form.cleaned_data["action"]
        count = apply_campaign_bulk_action(
            organization=request.organization,
            actor=request.user,
            action=action,
            public_ids=form.cleaned_data["campaigns"],
        )
        if count:
            messages.success(request, bulk_action_summary(action, count))
        else:
            messages.info(request, _("Nothing needed changing."))
    else:
        report_errors(request, form)
    return back_to_list(request, "campaigns:list", org_slug=request.organization.slug)


@role_required(MANAGE_ROLES)
def campaign_new(request: OrgRequest) -> HttpResponse:
    form = CampaignForm(
        request.POST if request.method == "POST" else None, organization=request.organization
    )
    if form.is_valid():
        campaign = create_campaign(
            organization=request.organization, actor=request.user, details=form.details()
        )
        messages.success(
            request, _("The campaign “%(name)s” was created.") % {"name": campaign.name}
        )
        return redirect(
            "campaigns:detail", org_slug=request.organization.slug, campaign_id=campaign.public_id
        )
    return render(request, "campaigns/form.html", {"form": form, "campaign": None})


@role_required(MANAGE_ROLES)
def campaign_detail(request: OrgRequest, campaign_id: uuid.UUID) -> HttpResponse:
    organization = request.organization
    campaign = _get_campaign(request, campaign_id)
    teams = [
        link.team
        for link in CampaignAudienceTeam.objects.for_org(organization)
        .filter(campaign=campaign)
        .select_related("team")
        .order_by("team__name")
    ]
    language_names = dict(settings.LANGUAGES)
    return render(
        request,
        "campaigns/detail.html",
        {
            "campaign": campaign,
            "audience_teams": teams,
            "audience_languages": [language_names.get(code, code) for code in campaign.languages],
            "progress": campaign_progress(organization=organization, campaign=campaign),
        },
    )


@role_required(MANAGE_ROLES)
def campaign_edit(request: OrgRequest, campaign_id: uuid.UUID) -> HttpResponse:
    campaign = _get_campaign(request, campaign_id)
    form = CampaignForm(
        request.POST if request.method == "POST" else None,
        instance=campaign,
        organization=request.organization,
    )
    if form.is_valid():
        campaign = update_campaign(
            organization=request.organization,
            campaign=campaign,
            actor=request.user,
            details=form.details(),
        )
        messages.success(request, _("The campaign “%(name)s” was saved.") % {"name": campaign.name})
        return redirect(
            "campaigns:detail", org_slug=request.organization.slug, campaign_id=campaign.public_id
        )
    # A rejected form has applied its input to `campaign`; the heading shows what is stored.
    stored = _get_campaign(request, campaign_id) if form.is_bound else campaign
    return render(request, "campaigns/form.html", {"form": form, "campaign": stored})


def _get_campaign(request: OrgRequest, campaign_id: uuid.UUID) -> Campaign:
    return get_object_or_404(
        Campaign.objects.filter(organization=request.organization), public_id=campaign_id
    )
