"""The charter pages: every member reads the charter and its history; comms, admins and the
facilitator edit it, its agenda and its roadmap."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from advocacy.tenancy.http import OrgRequest
from advocacy.tenancy.models import MANAGE_ROLES
from advocacy.tenancy.permissions import role_required
from analytics.rollups import today_of
from content.models import Topic

from .. import charter as services
from ..forms.charter import AgendaTopicForm, CharterForm, MilestoneForm, MilestoneStatusForm
from ..goals import goal_rows, goals_progress
from ..models import AgendaTopic, CharterVersion, Milestone

VERSIONS_PER_PAGE = 25
GUIDELINES = ("tone", "dos", "donts", "never_share")


@role_required()
def charter(request: OrgRequest) -> HttpResponse:
    """The charter as every member reads it: purpose, WHY, guidelines, targets, agenda,
    roadmap and goals with their progress."""
    organization = request.organization
    current = services.charter_of(organization)
    today = today_of(organization)
    latest = CharterVersion.objects.for_org(organization).select_related("changed_by").first()
    return render(
        request,
        "program/charter.html",
        {
            "charter": current,
            "speaker": services.speaker_of(current),
            "guidelines": [
                (capfirst(services.FIELD_LABELS[name]), getattr(current, name))
                for name in GUIDELINES
            ],
            "agenda": services.agenda_of(organization),
            "milestones": services.roadmap_of(organization),
            "goal_rows": goal_rows(goals_progress(organization, today=today), today),
            "today": today,
            "latest_version": latest,
            "status_choices": Milestone.Status.choices,
        },
    )


@role_required(MANAGE_ROLES)
def charter_edit(request: OrgRequest) -> HttpResponse:
    organization = request.organization
    current = services.charter_of(organization)
    form = CharterForm(
        request.POST if request.method == "POST" else None,
        organization=organization,
        initial=CharterForm.initial_of(current, organization),
    )
    if form.is_valid():
        try:
            version = services.update_charter(
                organization=organization, actor=request.user, details=form.details()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if version is None:
                messages.info(request, _("Nothing was changed."))
            else:
                messages.success(
                    request,
                    _("The charter was saved as version %(number)d.") % {"number": version.number},
                )
            return redirect("program:charter", org_slug=organization.slug)
    return render(
        request,
        "program/charter_edit.html",
        {
            "form": form,
            "agenda": services.agenda_of(organization),
            "agenda_form": AgendaTopicForm(),
            "library_topics": Topic.objects.for_org(organization).order_by("name"),
        },
    )


@role_required()
def history(request: OrgRequest) -> HttpResponse:
    """Every change of the charter, its targets, agenda, roadmap and goals: who, when, what."""
    versions = (
        CharterVersion.objects.for_org(request.organization)
        .select_related("changed_by")
        .order_by("-number")
    )
    page = Paginator(versions, VERSIONS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [(version, services.describe_changes(version.changes)) for version in page]
    return render(request, "program/history.html", {"page": page, "rows": rows})


# The agenda --------------------------------------------------------------------------------


@role_required(MANAGE_ROLES)
def agenda_add(request: OrgRequest) -> HttpResponse:
    organization = request.organization
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = AgendaTopicForm(request.POST)
    if form.is_valid():
        try:
            entry = services.add_to_agenda(
                organization=organization, actor=request.user, name=form.cleaned_data["name"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("“%(topic)s” is on the agenda.") % {"topic": entry.topic.name}
            )
    for error in form.errors.get("name", []):
        messages.error(request, str(error))
    return redirect("program:charter_edit", org_slug=organization.slug)


@role_required(MANAGE_ROLES)
def agenda_remove(request: OrgRequest, agenda_topic_id: uuid.UUID) -> HttpResponse:
    organization = request.organization
    entry = get_object_or_404(
        AgendaTopic.objects.filter(organization=organization).select_related("topic"),
        public_id=agenda_topic_id,
    )
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if services.remove_from_agenda(organization=organization, actor=request.user, entry=entry):
        messages.success(
            request, _("“%(topic)s” was taken off the agenda.") % {"topic": entry.topic.name}
        )
    return redirect("program:charter_edit", org_slug=organization.slug)


# The roadmap -------------------------------------------------------------------------------


def _get_milestone(request: OrgRequest, milestone_id: uuid.UUID) -> Milestone:
    milestone: Milestone = get_object_or_404(
        Milestone.objects.filter(organization=request.organization).select_related("owner__user"),
        public_id=milestone_id,
    )
    return milestone


@role_required(MANAGE_ROLES)
def milestone_new(request: OrgRequest) -> HttpResponse:
    organization = request.organization
    form = MilestoneForm(
        request.POST if request.method == "POST" else None, organization=organization
    )
    if form.is_valid():
        try:
            milestone = services.create_milestone(
                organization=organization, actor=request.user, details=form.details()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("“%(title)s” is on the roadmap.") % {"title": milestone.title},
            )
            return redirect("program:charter", org_slug=organization.slug)
    return render(request, "program/milestone_form.html", {"form": form, "milestone": None})


@role_required(MANAGE_ROLES)
def milestone_edit(request: OrgRequest, milestone_id: uuid.UUID) -> HttpResponse:
    organization = request.organization
    milestone = _get_milestone(request, milestone_id)
    form = MilestoneForm(
        request.POST if request.method == "POST" else None,
        organization=organization,
        initial=MilestoneForm.initial_of(milestone),
    )
    if form.is_valid():
        try:
            changed = services.update_milestone(
                organization=organization,
                actor=request.user,
                milestone=milestone,
                details=form.details(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if changed:
                messages.success(request, _("The milestone was saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("program:charter", org_slug=organization.slug)
    return render(request, "program/milestone_form.html", {"form": form, "milestone": milestone})


@role_required(MANAGE_ROLES)
def milestone_status(request: OrgRequest, milestone_id: uuid.UUID) -> HttpResponse:
    organization = request.organization
    milestone = _get_milestone(request, milestone_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = MilestoneStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status from the list."))
    elif services.set_milestone_status(
        organization=organization,
        actor=request.user,
        milestone=milestone,
        status=form.cleaned_data["status"],
    ):
        milestone.status = form.cleaned_data["status"]
        messages.success(
            request,
            _("“%(title)s” is now: %(status)s.")
            % {"title": milestone.title, "status": milestone.get_status_display()},
        )
    return redirect("program:charter", org_slug=organization.slug)
