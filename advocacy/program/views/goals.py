"""The charter's goals: comms, admins and the facilitator add, change and delete them; their
progress is on the charter, the dashboard and the report."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from advocacy.tenancy.http import OrgRequest
from advocacy.tenancy.models import MANAGE_ROLES
from advocacy.tenancy.permissions import role_required

from .. import goals as services
from ..forms.charter import GoalForm
from ..models import Goal


def _get_goal(request: OrgRequest, goal_id: uuid.UUID) -> Goal:
    goal: Goal = get_object_or_404(
        Goal.objects.filter(organization=request.organization), public_id=goal_id
    )
    return goal


@role_required(MANAGE_ROLES)
def goal_new(request: OrgRequest) -> HttpResponse:
    organization = request.organization
    form = GoalForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            goal = services.create_goal(
                organization=organization, actor=request.user, details=form.details()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The goal “%(title)s” was added.") % {"title": goal.title})
            return redirect("program:charter", org_slug=organization.slug)
    return render(request, "program/goal_form.html", {"form": form, "goal": None})


@role_required(MANAGE_ROLES)
def goal_edit(request: OrgRequest, goal_id: uuid.UUID) -> HttpResponse:
    organization = request.organization
    goal = _get_goal(request, goal_id)
    form = GoalForm(
        request.POST if request.method == "POST" else None, initial=GoalForm.initial_of(goal)
    )
    if form.is_valid():
        try:
            changed = services.update_goal(
                organization=organization, actor=request.user, goal=goal, details=form.details()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if changed:
                messages.success(request, _("The goal was saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("program:charter", org_slug=organization.slug)
    return render(request, "program/goal_form.html", {"form": form, "goal": goal})


@role_required(MANAGE_ROLES)
def goal_delete(request: OrgRequest, goal_id: uuid.UUID) -> HttpResponse:
    organization = request.organization
    goal = _get_goal(request, goal_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if services.delete_goal(organization=organization, actor=request.user, goal=goal):
        messages.success(request, _("The goal “%(title)s” was deleted.") % {"title": goal.title})
    return redirect("program:charter", org_slug=organization.slug)
