"""The leaderboard page, a member's own choice to be on it, and the seasons (staff)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from advocacy.tenancy.http import OrgRequest
from advocacy.tenancy.models import MANAGE_ROLES
from advocacy.tenancy.permissions import role_required
from analytics.rollups import today_of

from .. import leaderboard as board
from ..forms.leaderboard import LeaderboardChoiceForm, SeasonForm
from ..forms.training import names_someone_else
from ..models import Season
from .training import FOR_SOMEONE_ELSE


def _chosen_season(request: OrgRequest, today: dt.date) -> board.SeasonWindow | None:
    """The season named by ?season=, if it is one of the organization's that has begun."""
    try:
        public_id = uuid.UUID(request.GET.get("season", ""))
    except ValueError:
        return None
    season = (
        Season.objects.for_org(request.organization)
        .filter(public_id=public_id, starts_on__lte=today)
        .first()
    )
    return board.window_of(season) if season is not None else None


@role_required()
def leaderboard(request: OrgRequest) -> HttpResponse:
    """The season's points of those who chose to be on the board, and per team."""
    organization = request.organization
    today = today_of(organization)
    current = board.current_season(organization, today)
    season = _chosen_season(request, today) or current
    standing = board.leaderboard(organization, season, viewer=request.membership, today=today)
    return render(
        request,
        "program/leaderboard/leaderboard.html",
        {
            "board": standing,
            "current": current,
            "seasons": board.seasons_to_choose(organization, today),
            "points": {
                "post": board.POINTS_PER_POST,
                "click": board.POINTS_PER_CLICK,
                "follower": board.POINTS_PER_NEW_FOLLOWER,
                "comment": board.POINTS_PER_COMMENT,
            },
            "is_participant": request.membership.opted_in_at is not None,
        },
    )


@role_required()
def leaderboard_choice(request: OrgRequest) -> HttpResponse:
    """Step on or off the board: the member signed in, for themselves only."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    back = redirect("program:leaderboard", org_slug=request.organization.slug)
    if names_someone_else(request.POST, request.membership):
        messages.error(request, FOR_SOMEONE_ELSE)
        return back
    form = LeaderboardChoiceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to be on the leaderboard."))
        return back
    show = form.cleaned_data["show"]
    try:
        board.set_leaderboard_choice(membership=request.membership, show=show)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return back
    if show:
        messages.success(request, _("You are on the leaderboard. You can step off at any time."))
    else:
        messages.success(
            request, _("You are off the leaderboard. Your points are still yours to see here.")
        )
    return back


@role_required(MANAGE_ROLES)
def seasons(request: OrgRequest) -> HttpResponse:
    """The organization's seasons, and a form for the next one."""
    organization = request.organization
    form = SeasonForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            created = board.create_season(
                organization=organization, actor=request.user, details=form.details()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("The season “%(name)s” was added.") % {"name": created.name}
            )
            return redirect("program:seasons", org_slug=organization.slug)
    today = today_of(organization)
    return render(
        request,
        "program/leaderboard/seasons.html",
        {
            "form": form,
            "seasons": Season.objects.for_org(organization).order_by("-starts_on"),
            "current": board.current_season(organization, today),
        },
    )


def _get_season(request: OrgRequest, season_id: uuid.UUID) -> Season:
    season: Season = get_object_or_404(
        Season.objects.for_org(request.organization), public_id=season_id
    )
    return season


@role_required(MANAGE_ROLES)
def season_edit(request: OrgRequest, season_id: uuid.UUID) -> HttpResponse:
    season = _get_season(request, season_id)
    form = SeasonForm(request.POST if request.method == "POST" else None, instance=season)
    if form.is_valid():
        try:
            changed = board.update_season(
                organization=request.organization,
                season=season,
                actor=request.user,
                details=form.details(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if changed:
                messages.success(request, _("The season was saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("program:seasons", org_slug=request.organization.slug)
    stored = _get_season(request, season_id) if form.is_bound else season
    return render(request, "program/leaderboard/season_form.html", {"form": form, "season": stored})


@role_required(MANAGE_ROLES)
def season_delete(request: OrgRequest, season_id: uuid.UUID) -> HttpResponse:
    season = _get_season(request, season_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    board.delete_season(organization=request.organization, season=season, actor=request.user)
    messages.success(request, _("The season “%(name)s” was removed.") % {"name": season.name})
    return redirect("program:seasons", org_slug=request.organization.slug)
