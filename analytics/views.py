"""Analytics pages: the leadership report (page, CSV, PDF), and each member's own results and
figures."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from advocacy.linkedin import scopes
from advocacy.linkedin.models import Connection
from advocacy.tenancy import services as tenancy_services
from advocacy.tenancy.http import OrgRequest
from advocacy.tenancy.models import REPORT_ROLES
from advocacy.tenancy.permissions import role_required

from .exports import csv_response, file_name
from .forms import ExportImportForm, FollowerEntryForm, LeaderboardForm, ReportRangeForm
from .imports import (
    ImportRefused,
    ImportResult,
    delete_figure,
    enter_followers,
    import_export,
    own_figure,
)
from .models import MemberFollowers, PostMetrics, Source
from .pdf import report_pdf
from .personal import my_results
from .ranges import PRESETS
from .report_charts import my_followers_chart, report_charts
from .reports import leadership_report
from .rollups import today_of
from .tables import emv_formula, granularity_heading, report_tables, source_notes

FIGURES_PAGE_SIZE = 30
# Rows of the export left out, named one by one in messages; the rest are counted.
LEFT_OUT_NAMED = 10


def _range_form(request: OrgRequest) -> ReportRangeForm:
    return ReportRangeForm(request.GET, today=today_of(request.organization))


def _refused(form: ReportRangeForm) -> HttpResponse:
    """A download asked for a range that cannot be reported: the reason, in words."""
    reasons = [str(message) for errors in form.errors.values() for message in errors]
    return HttpResponseBadRequest(" ".join(reasons), content_type="text/plain; charset=utf-8")


@role_required(REPORT_ROLES)
def overview(request: OrgRequest) -> HttpResponse:
    """The leadership report for a range, beside the previous period; ?export=<table> is that
    table as CSV."""
    organization = request.organization
    form = _range_form(request)
    export = request.GET.get("export")
    if not form.is_valid():
        if export:
            return _refused(form)
        context = {"form": form, "report": None, "presets": PRESETS}
        return render(request, "analytics/report.html", context, status=400)
    start, end = form.range
    report = leadership_report(organization, start, end, viewer=request.membership)
    tables = report_tables(report)
    if export:
        table = tables.get(export)
        if table is None:
            return HttpResponseBadRequest(
                _("There is no table called “%(name)s” to export.") % {"name": export},
                content_type="text/plain; charset=utf-8",
            )
        return csv_response(table, filename=file_name(organization, table.name, start, end, "csv"))
    charts = {name: chart.svg(f"chart-{name}") for name, chart in report_charts(report).items()}
    return render(
        request,
        "analytics/report.html",
        {
            "form": form,
            "presets": PRESETS,
            "report": report,
            "tables": tables,
            "charts": charts,
            "emv_formula": emv_formula(report),
            "source_notes": source_notes(report),
        },
    )


@role_required(REPORT_ROLES)
def overview_pdf(request: OrgRequest) -> HttpResponse:
    """The leadership report as a PDF: /reports/pdf/?start=YYYY-MM-DD&end=YYYY-MM-DD."""
    organization = request.organization
    form = _range_form(request)
    if not form.is_valid():
        return _refused(form)
    start, end = form.range
    report = leadership_report(organization, start, end, viewer=request.membership)
    pdf = report_pdf(
        report,
        tables=report_tables(report),
        charts=report_charts(report),
        emv_formula=emv_formula(report),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = file_name(organization, "report", start, end, "pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@role_required(None)
def my_results_page(request: OrgRequest) -> HttpResponse:
    """The member's own audience, reach, clicks and mix: nobody else's figures."""
    membership = request.membership
    form = _range_form(request)
    leaderboard = LeaderboardForm(initial={"show_on_leaderboard": membership.show_on_leaderboard})
    context: dict[str, object] = {"form": form, "presets": PRESETS, "leaderboard": leaderboard}
    if not form.is_valid():
        context["results"] = None
        return render(request, "analytics/my_results.html", context, status=400)
    results = my_results(membership, *form.range)
    chart = my_followers_chart(results)
    return render(
        request,
        "analytics/my_results.html",
        {
            **context,
            "results": results,
            "chart": chart.svg("chart-my-followers"),
            "granularity_heading": granularity_heading(results.granularity),
        },
    )


@role_required(None)
def my_results_leaderboard(request: OrgRequest) -> HttpResponse:
    """The member's choice whether leaders see their name beside their figures (POST)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = LeaderboardForm(request.POST)
    form.is_valid()
    show = bool(form.cleaned_data.get("show_on_leaderboard"))
    if tenancy_services.set_leaderboard_choice(membership=request.membership, show=show):
        if show:
            messages.success(request, _("Leaders now see your name beside your figures."))
        else:
            messages.success(
                request, _("Leaders no longer see your name; your figures stay in the totals.")
            )
    else:
        messages.info(request, _("Nothing was changed."))
    return redirect("analytics:my_results", org_slug=request.organization.slug)


# A member's own figures ---------------------------------------------------------------------


@dataclass
class Availability:
    """Which of a member's figures the platform collects through LinkedIn, and which not."""

    connection: Connection | None
    collected: list[str] = field(default_factory=list)
    unavailable: list[scopes.Unavailable] = field(default_factory=list)


def _availability(connection: Connection | None) -> Availability:
    availability = Availability(connection)
    if connection is None:
        return availability
    if connection.has_scope(scopes.PROFILE_ANALYTICS):
        availability.collected.append(_("Your follower count and its growth"))
    if connection.has_scope(scopes.POST_ANALYTICS):
        availability.collected.append(
            _("Impressions, people reached, reactions, comments and reshares of your posts")
        )
    availability.unavailable = connection.unavailable_figures()
    return availability


def _figures_page(
    request: OrgRequest,
    *,
    import_form: ExportImportForm | None = None,
    entry_form: FollowerEntryForm | None = None,
) -> HttpResponse:
    organization, membership = request.organization, request.membership
    followers = (
        MemberFollowers.objects.filter(organization=organization, membership=membership)
        .exclude(source=Source.API)
        .order_by("-day", "-pk")
    )
    posts = (
        PostMetrics.objects.filter(organization=organization, post__author=membership)
        .exclude(source=Source.API)
        .select_related("post")
        .order_by("-day", "-pk")
    )
    return render(
        request,
        "analytics/my_figures.html",
        {
            "availability": _availability(Connection.objects.filter(user=request.user).first()),
            "import_form": import_form or ExportImportForm(),
            "entry_form": entry_form or FollowerEntryForm(),
            "followers_page": Paginator(followers, FIGURES_PAGE_SIZE).get_page(
                request.GET.get("followers_page")
            ),
            "posts_page": Paginator(posts, FIGURES_PAGE_SIZE).get_page(
                request.GET.get("posts_page")
            ),
        },
    )


@role_required()
def my_figures(request: OrgRequest) -> HttpResponse:
    """The member's own figures: what LinkedIn gives the platform, and what they imported or
    entered themselves."""
    return _figures_page(request)


@role_required()
def my_figures_import(request: OrgRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = ExportImportForm(request.POST, request.FILES)
    if form.is_valid() and form.parsed is not None:
        try:
            result = import_export(membership=request.membership, parsed=form.parsed)
        except ImportRefused as refused:
            form.add_error("file", refused.message)
        else:
            _report(request, result)
            return redirect("analytics:my_figures", org_slug=request.organization.slug)
    return _figures_page(request, import_form=form)


def _report(request: OrgRequest, result: ImportResult) -> None:
    if result.changed:
        messages.success(
            request,
            _("Imported from LinkedIn's export: %(days)s and the impressions of %(posts)s.")
            % {
                "days": ngettext(
                    "%(count)d day of follower counts",
                    "%(count)d days of follower counts",
                    result.followers_written,
                )
                % {"count": result.followers_written},
                "posts": ngettext("%(count)d post", "%(count)d posts", result.posts_written)
                % {"count": result.posts_written},
            },
        )
    else:
        messages.info(request, _("Nothing new: every figure of this export is here already."))
    kept = len(result.followers_kept) + result.posts_kept
    if kept:
        messages.info(
            request,
            ngettext(
                "%(count)d figure was already measured through LinkedIn's API and stays as it is.",
                "%(count)d figures were already measured through LinkedIn's API and stay as "
                "they are.",
                kept,
            )
            % {"count": kept},
        )
    if result.missing_days:
        first, last = result.missing_days[0], result.missing_days[-1]
        messages.warning(
            request,
            ngettext(
                "LinkedIn's export leaves out the new followers of a day, so the follower count "
                "of %(count)d day (%(first)s) is missing, not zero.",
                "LinkedIn's export leaves out the new followers of a day, so the follower counts "
                "of %(count)d days (%(first)s to %(last)s) are missing, not zero.",
                len(result.missing_days),
            )
            % {
                "count": len(result.missing_days),
                "first": date_format(first, "SHORT_DATE_FORMAT"),
                "last": date_format(last, "SHORT_DATE_FORMAT"),
            },
        )
    for exported, reason in result.posts_left_out[:LEFT_OUT_NAMED]:
        messages.warning(
            request,
            _("Not imported: the post %(url)s of %(day)s, because %(reason)s.")
            % {
                "url": exported.url,
                "day": date_format(exported.published_on, "SHORT_DATE_FORMAT"),
                "reason": reason,
            },
        )
    more = len(result.posts_left_out) - LEFT_OUT_NAMED
    if more > 0:
        messages.warning(
            request,
            ngettext(
                "%(count)d more post of the export was not imported.",
                "%(count)d more posts of the export were not imported.",
                more,
            )
            % {"count": more},
        )


@role_required()
def my_figures_enter(request: OrgRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = FollowerEntryForm(request.POST)
    if form.is_valid():
        try:
            enter_followers(
                membership=request.membership,
                day=form.cleaned_data["day"],
                followers=form.cleaned_data["followers"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your follower count was saved."))
            return redirect("analytics:my_figures", org_slug=request.organization.slug)
    return _figures_page(request, entry_form=form)


@role_required()
def my_figure_delete(request: OrgRequest, figure_id: uuid.UUID) -> HttpResponse:
    # Anyone else's figure, or one measured through the API, is a 404 like a missing one.
    figure = own_figure(request.membership, figure_id)
    if figure is None:
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    delete_figure(membership=request.membership, figure=figure)
    messages.success(request, _("Deleted."))
    return redirect("analytics:my_figures", org_slug=request.organization.slug)
