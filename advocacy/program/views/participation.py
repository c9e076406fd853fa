"""Joining the program after a plain explanation, and leaving it in one click."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from advocacy.tenancy.http import OrgRequest
from advocacy.tenancy.models import MANAGE_ROLES, Membership, Role
from advocacy.tenancy.permissions import role_required

from .. import buddies
from .. import participation as taking_part
from ..taking_part_forms import JoinForm, LeaderboardForm


def _back(request: OrgRequest) -> HttpResponse:
    return redirect("program:participation", org_slug=request.organization.slug)


def _who_sees_it(request: OrgRequest) -> dict[str, list[Membership]]:
    """The people who see a participant's figures by name, by role."""
    staff = (
        buddies.members_of(request.organization)
        .active()
        .filter(role__in=MANAGE_ROLES)
        .select_related("user")
        .order_by("user__name", "user__email")
    )
    # Plain strings as keys: the template looks them up by name.
    grouped: dict[str, list[Membership]] = {
        Role.COMMS.value: [],
        Role.ADMIN.value: [],
        Role.FACILITATOR.value: [],
    }
    for member in staff:
        grouped[str(member.role)].append(member)
    return grouped


@role_required()
def join(request: OrgRequest) -> HttpResponse:
    """What taking part means, in plain words, then the member's own explicit choice."""
    membership = request.membership
    form = JoinForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        if taking_part.join_program(
            membership=membership, show_on_leaderboard=form.cleaned_data["show_on_leaderboard"]
        ):
            messages.success(
                request,
                _(
                    "Welcome to the program. You choose what to post and when; you can leave "
                    "with one click at any time."
                ),
            )
        else:
            messages.info(request, _("You are taking part already."))
        return _back(request)
    return render(
        request,
        "program/join.html",
        {"form": form, "who": _who_sees_it(request), "taking_part": membership.opted_in_at},
    )


@role_required()
def participation(request: OrgRequest) -> HttpResponse:
    """The member's own page: taking part or not, the leaderboard choice, the way out, and,
    once out, the offer to delete what was collected."""
    membership = request.membership
    taking = taking_part.is_participant(membership)
    pair = buddies.active_pair_of(membership) if taking else None
    return render(
        request,
        "program/participation.html",
        {
            "taking_part": taking,
            "pair": pair,
            "buddy": buddies.buddy_in(pair, membership) if pair is not None else None,
            "leaderboard_form": LeaderboardForm(
                initial={"show_on_leaderboard": membership.show_on_leaderboard}
            ),
            "has_figures": not taking and taking_part.has_collected_figures(membership),
        },
    )


@role_required()
def leave(request: OrgRequest) -> HttpResponse:
    """One click: out of the program, off the leaderboard, buddy pair ended."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if taking_part.leave_program(membership=request.membership):
        messages.success(
            request,
            _(
                "You have left the program. Nothing more is collected about you, and nobody "
                "sees you in any figure or list from now on."
            ),
        )
    else:
        messages.info(request, _("You were not taking part."))
    return _back(request)


@role_required()
def leaderboard(request: OrgRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = LeaderboardForm(request.POST)
    if form.is_valid():
        show = form.cleaned_data["show_on_leaderboard"]
        try:
            changed = taking_part.set_leaderboard_choice(membership=request.membership, show=show)
        except ValidationError as problem:
            messages.error(request, " ".join(problem.messages))
        else:
            if not changed:
                messages.info(request, _("Nothing was changed."))
            elif show:
                messages.success(request, _("Leaders now see your figures by name."))
            else:
                messages.success(request, _("Leaders now see your figures only in the totals."))
    return _back(request)


@role_required()
def delete_figures(request: OrgRequest) -> HttpResponse:
    """The second, separate choice after leaving: delete the figures collected so far."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        deleted = taking_part.delete_collected_figures(membership=request.membership)
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
    else:
        if deleted.anything:
            messages.success(
                request,
                _("Your collected figures were deleted, and the reports no longer hold them."),
            )
        else:
            messages.info(request, _("There were no figures of yours to delete."))
    return _back(request)
