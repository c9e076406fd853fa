"""The kick-off pages: every member proposes topics and votes, and may answer the survey;
comms, admins and the facilitator decide on proposals and see the survey in aggregate."""

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

from .. import kickoff as services
from ..charter import agenda_of
from ..forms.kickoff import ProposalForm, SurveyForm
from ..models import TopicProposal


@role_required()
def kickoff(request: OrgRequest) -> HttpResponse:
    """The proposals with their votes, and the form to propose one."""
    organization, membership = request.organization, request.membership
    form = ProposalForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            proposal = services.propose_topic(
                organization=organization, membership=membership, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("“%(name)s” is proposed. Colleagues can vote for it now.")
                % {"name": proposal.name},
            )
            return redirect("program:kickoff", org_slug=organization.slug)
    return render(
        request,
        "program/kickoff.html",
        {
            "form": form,
            "proposals": services.proposals_of(organization, membership),
            "agenda": agenda_of(organization),
            "my_answer": services.survey_answer_of(membership),
        },
    )


def _get_proposal(request: OrgRequest, proposal_id: uuid.UUID) -> TopicProposal:
    proposal: TopicProposal = get_object_or_404(
        TopicProposal.objects.filter(organization=request.organization).select_related(
            "organization"
        ),
        public_id=proposal_id,
    )
    return proposal


def _back(request: OrgRequest) -> HttpResponse:
    return redirect("program:kickoff", org_slug=request.organization.slug)


# The POST-only views look their object up before refusing another method, so a foreign or
# unknown id is the same 404 whatever the method.


@role_required()
def proposal_vote(request: OrgRequest, proposal_id: uuid.UUID) -> HttpResponse:
    proposal = _get_proposal(request, proposal_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.vote_for(proposal=proposal, membership=request.membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your vote for “%(name)s” counts.") % {"name": proposal.name})
    return _back(request)


@role_required()
def proposal_unvote(request: OrgRequest, proposal_id: uuid.UUID) -> HttpResponse:
    proposal = _get_proposal(request, proposal_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        withdrawn = services.withdraw_vote(proposal=proposal, membership=request.membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if withdrawn:
            messages.success(
                request, _("Your vote for “%(name)s” was withdrawn.") % {"name": proposal.name}
            )
        else:
            messages.info(request, _("You had not voted for “%(name)s”.") % {"name": proposal.name})
    return _back(request)


@role_required(MANAGE_ROLES)
def proposal_promote(request: OrgRequest, proposal_id: uuid.UUID) -> HttpResponse:
    proposal = _get_proposal(request, proposal_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        entry = services.promote_proposal(proposal=proposal, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("“%(topic)s” is on the agenda now.") % {"topic": entry.topic.name}
        )
    return _back(request)


@role_required(MANAGE_ROLES)
def proposal_decline(request: OrgRequest, proposal_id: uuid.UUID) -> HttpResponse:
    proposal = _get_proposal(request, proposal_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.decline_proposal(proposal=proposal, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("“%(name)s” was not taken up.") % {"name": proposal.name})
    return _back(request)


# The survey --------------------------------------------------------------------------------


@role_required()
def survey(request: OrgRequest) -> HttpResponse:
    """A member's own survey answer: given once, changed as often as they like."""
    organization, membership = request.organization, request.membership
    answer = services.survey_answer_of(membership)
    initial = {}
    if answer is not None:
        initial = {
            "comfort": answer.comfort,
            "worries": answer.worries,
            "preferred_topics": answer.preferred_topics,
            "minutes_per_week": answer.minutes_per_week,
        }
    form = SurveyForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_valid():
        try:
            services.answer_survey(membership=membership, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if answer is None:
                messages.success(request, _("Thank you: your answer was saved."))
            else:
                messages.success(request, _("Your answer was updated."))
            return redirect("program:kickoff", org_slug=organization.slug)
    return render(request, "program/survey.html", {"form": form, "answer": answer})


@role_required(MANAGE_ROLES)
def survey_results(request: OrgRequest) -> HttpResponse:
    """The survey in aggregate, never one person's answer."""
    return render(
        request,
        "program/survey_results.html",
        {
            "summary": services.survey_summary(request.organization),
            "minimum": services.MIN_SURVEY_ANSWERS,
        },
    )
