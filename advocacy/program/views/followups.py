"""Follow-up rounds: comms, the facilitator and admins open rounds, read check-ins and take
notes; every participant checks in to the rounds that are open."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.forms.models import model_to_dict
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from advocacy.tenancy.http import OrgRequest
from advocacy.tenancy.models import MANAGE_ROLES, Membership
from advocacy.tenancy.permissions import role_required
from analytics.rollups import today_of

from .. import followups
from ..followup_forms import CheckInForm, RoundForm, RoundNotesForm
from ..models import CheckIn, FollowUpRound


def _get_round(request: OrgRequest, round_id: UUID) -> FollowUpRound:
    round: FollowUpRound = get_object_or_404(
        FollowUpRound.objects.for_org(request.organization).select_related("organization"),
        public_id=round_id,
    )
    return round


# Comms, the facilitator and admins ------------------------------------------------------------


@role_required(MANAGE_ROLES)
def rounds(request: OrgRequest) -> HttpResponse:
    """Every round with its number of check-ins, and the form to open one."""
    organization = request.organization
    today = today_of(organization)
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            round = followups.create_round(
                organization=organization, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("The round “%(title)s” was opened.") % {"title": round.title}
            )
            return redirect(
                "program:followup_round", org_slug=organization.slug, round_id=round.public_id
            )
    all_rounds = (
        FollowUpRound.objects.for_org(organization)
        .annotate(checkin_count=Count("checkins"))
        .order_by("-opens_on", "id")
    )
    participants = Membership.objects.filter(organization=organization).participants().count()
    return render(
        request,
        "program/followups/rounds.html",
        {"rounds": all_rounds, "form": form, "today": today, "participants": participants},
    )


@role_required(MANAGE_ROLES)
def round_detail(request: OrgRequest, round_id: UUID) -> HttpResponse:
    """A round's check-ins by name, who has not checked in, the goals' results, and notes."""
    organization = request.organization
    round = _get_round(request, round_id)
    today = today_of(organization)
    form = RoundNotesForm(request.POST or None, initial={"notes": round.notes})
    if request.method == "POST" and form.is_valid():
        if followups.save_round_notes(
            round=round, actor=request.user, notes=form.cleaned_data["notes"]
        ):
            messages.success(request, _("The notes were saved."))
        else:
            messages.info(request, _("Nothing was changed."))
        return redirect("program:followup_round", org_slug=organization.slug, round_id=round_id)
    checkins = list(
        CheckIn.objects.for_org(organization)
        .filter(round=round)
        .select_related("membership__user", "membership__team")
        .order_by("membership__user__name", "membership__user__email")
    )
    answered = {checkin.membership_id for checkin in checkins}
    waiting = [
        membership
        for membership in Membership.objects.filter(organization=organization)
        .participants()
        .select_related("user")
        .order_by("user__name", "user__email")
        if membership.pk not in answered
    ]
    return render(
        request,
        "program/followups/round.html",
        {
            "round": round,
            "checkins": checkins,
            "waiting": waiting,
            "results": followups.results_for(round, today=today),
            "form": form,
            "is_open": followups.is_open(round, today),
            "today": today,
        },
    )


# Participants ------------------------------------------------------------------------------


@role_required()
def checkins(request: OrgRequest) -> HttpResponse:
    """The rounds open today and the member's own check-ins of every round."""
    organization = request.organization
    membership = request.membership
    today = today_of(organization)
    mine = CheckIn.objects.for_org(organization).filter(membership=membership)
    open_rounds = list(
        followups.open_rounds(organization, today)
        .prefetch_related(Prefetch("checkins", queryset=mine, to_attr="my_checkins"))
        .order_by("closes_on", "id")
    )
    past = (
        mine.filter(round__closes_on__lt=today).select_related("round").order_by("-round__opens_on")
    )
    return render(
        request,
        "program/followups/checkins.html",
        {
            "open_rounds": open_rounds,
            "past_checkins": past,
            "is_participant": followups.is_participant(membership),
        },
    )


@role_required()
def checkin(request: OrgRequest, round_id: UUID) -> HttpResponse:
    """The member's check-in for one round: the short form while it is open, their answers
    after."""
    organization = request.organization
    membership = request.membership
    round = _get_round(request, round_id)
    today = today_of(organization)
    existing = (
        CheckIn.objects.for_org(organization).filter(round=round, membership=membership).first()
    )
    is_participant = followups.is_participant(membership)
    is_open = followups.is_open(round, today)
    # Not bound to `existing`: a refused POST must not change the answers shown beside it.
    form = CheckInForm(
        request.POST or None,
        initial=model_to_dict(existing, fields=CheckInForm.Meta.fields) if existing else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            followups.submit_checkin(
                round=round, membership=membership, today=today, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Thank you: your check-in was saved."))
            return redirect("program:checkins", org_slug=organization.slug)
    return render(
        request,
        "program/followups/checkin.html",
        {
            "round": round,
            "form": form,
            "checkin": existing,
            "is_participant": is_participant,
            "is_open": is_open,
            "today": today,
        },
    )
