"""Buddy pairs, and drafts sent for a read."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from advocacy.tenancy.http import OrgRequest
from advocacy.tenancy.models import MANAGE_ROLES, Membership
from advocacy.tenancy.permissions import role_required
from content.models import Post

from .. import buddies as pairing
from .. import coaching
from ..models import BuddyPair, ReadRequest
from ..participation import is_participant
from ..taking_part_forms import (
    FeedbackForm,
    InviteForm,
    PairForm,
    ReadRequestForm,
    WithdrawReadForm,
)
from .form_errors import show_refusal

Status = BuddyPair.Status


def _offered_colleagues(request: OrgRequest) -> list[Membership]:
    return [
        member
        for member in pairing.unpaired_participants(request.organization)
        if member.pk != request.membership.pk
    ]


@role_required()
def buddy(request: OrgRequest) -> HttpResponse:
    """A member's buddy page: their pair, invitations both ways, and drafts shared with them."""
    organization, membership = request.organization, request.membership
    taking_part = is_participant(membership)
    pair = pairing.active_pair_of(membership) if taking_part else None
    form = None
    if taking_part and pair is None:
        form = InviteForm(
            request.POST if request.method == "POST" else None,
            organization=organization,
            offered=_offered_colleagues(request),
        )
        if form.is_valid():
            try:
                invited = pairing.invite_buddy(
                    inviter=membership, invitee=form.cleaned_data["colleague"]
                )
            except ValidationError as problem:
                show_refusal(form, problem)
            else:
                messages.success(
                    request,
                    _("%(name)s was invited. They can accept or decline.")
                    % {"name": invited.second.display_name},
                )
                return redirect("program:buddy", org_slug=organization.slug)
    elif request.method == "POST":
        return HttpResponseNotAllowed(["GET"])
    invitations = (
        pairing.pairs_of(membership)
        .filter(status=Status.INVITED)
        .select_related("first__user", "second__user")
        .order_by("-created_at", "-id")
    )
    people = [membership]
    if pair is not None:
        people.append(pairing.buddy_in(pair, membership))
    return render(
        request,
        "program/buddy.html",
        {
            "taking_part": taking_part,
            "pair": pair,
            "cadences": pairing.cadences(organization, people),
            "received": [p for p in invitations if p.second_id == membership.pk],
            "sent": [p for p in invitations if p.first_id == membership.pk],
            "form": form,
            "shared_with_me": pairing.reads_for(membership),
        },
    )


def _pair_for(request: OrgRequest, pair_id: uuid.UUID) -> BuddyPair:
    """A pair the member is in; staff reach every pair of the organization."""
    pairs = BuddyPair.objects.filter(organization=request.organization).select_related(
        "first__user", "second__user", "paired_by"
    )
    membership = request.membership
    if membership.role not in MANAGE_ROLES:
        pairs = pairs.filter(Q(first=membership) | Q(second=membership))
    pair: BuddyPair = get_object_or_404(pairs, public_id=pair_id)
    return pair


@role_required()
def pair(request: OrgRequest, pair_id: uuid.UUID) -> HttpResponse:
    """The pair's page: both cadences; for the two of them, the drafts they shared."""
    organization, membership = request.organization, request.membership
    buddy_pair = _pair_for(request, pair_id)
    in_pair = membership.pk in (buddy_pair.first_id, buddy_pair.second_id)
    shared = ReadRequest.objects.none()
    if in_pair:
        other = pairing.buddy_in(buddy_pair, membership)
        # Only what the two shared with each other: staff see the cadence, never the drafts.
        shared = (
            ReadRequest.objects.filter(organization=organization)
            .filter(
                Q(reader=membership, post__author=other) | Q(reader=other, post__author=membership)
            )
            .exclude(post__status=Post.Status.DELETED)
            .select_related("post__author__user", "reader__user")
            .order_by("-created_at", "-id")
        )
    return render(
        request,
        "program/pair.html",
        {
            "pair": buddy_pair,
            "in_pair": in_pair,
            "cadences": pairing.cadences(organization, [buddy_pair.first, buddy_pair.second]),
            "shared": shared,
            "can_end": buddy_pair.status != Status.ENDED
            and pairing.can_end(buddy_pair, membership),
        },
    )


def _pair_action(request: OrgRequest, pair_id: uuid.UUID) -> tuple[BuddyPair | None, HttpResponse]:
    # Looked up before the method check, so a foreign id is a 404 either way.
    buddy_pair = _pair_for(request, pair_id)
    if request.method != "POST":
        return None, HttpResponseNotAllowed(["POST"])
    return buddy_pair, redirect("program:buddy", org_slug=request.organization.slug)


@role_required()
def pair_accept(request: OrgRequest, pair_id: uuid.UUID) -> HttpResponse:
    buddy_pair, response = _pair_action(request, pair_id)
    if buddy_pair is None:
        return response
    try:
        accepted = pairing.accept_invitation(pair=buddy_pair, member=request.membership)
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
    else:
        if accepted:
            messages.success(
                request,
                _("You and %(name)s are buddies now.") % {"name": buddy_pair.first.display_name},
            )
        else:
            messages.info(request, _("That invitation is no longer open."))
    return response


@role_required()
def pair_decline(request: OrgRequest, pair_id: uuid.UUID) -> HttpResponse:
    buddy_pair, response = _pair_action(request, pair_id)
    if buddy_pair is None:
        return response
    if pairing.decline_invitation(pair=buddy_pair, member=request.membership):
        messages.success(request, _("Declined. Nobody is told more than that."))
    else:
        messages.info(request, _("That invitation is no longer open."))
    return response


@role_required()
def pair_end(request: OrgRequest, pair_id: uuid.UUID) -> HttpResponse:
    buddy_pair, response = _pair_action(request, pair_id)
    if buddy_pair is None:
        return response
    ended = pairing.end_pair(pair=buddy_pair, actor=request.membership)
    if not ended:
        messages.info(request, _("That pair had ended already."))
    elif buddy_pair.accepted_at is None:
        messages.success(request, _("The invitation was withdrawn."))
    else:
        messages.success(request, _("The buddy pair has ended."))
    if request.membership.role in MANAGE_ROLES and request.POST.get("back") == "pairs":
        return redirect("program:pairs", org_slug=request.organization.slug)
    return response


@role_required(MANAGE_ROLES)
def pairs(request: OrgRequest) -> HttpResponse:
    """Comms, admins and the facilitator pair participants and follow the pairs."""
    organization = request.organization
    unpaired = list(pairing.unpaired_participants(organization))
    form = PairForm(
        request.POST if request.method == "POST" else None,
        organization=organization,
        offered=unpaired,
    )
    if form.is_valid():
        try:
            made = pairing.pair_members(
                organization=organization,
                first=form.cleaned_data["first"],
                second=form.cleaned_data["second"],
                actor=request.user,
            )
        except ValidationError as problem:
            show_refusal(form, problem)
        else:
            messages.success(
                request,
                _("%(first)s and %(second)s are buddies now; both were told by mail.")
                % {"first": made.first.display_name, "second": made.second.display_name},
            )
            return redirect("program:pairs", org_slug=organization.slug)
    open_pairs = list(pairing.staff_pairs(organization))
    members = {
        m.pk: m for p in open_pairs if p.status == Status.ACTIVE for m in (p.first, p.second)
    }
    cadence = {c.member.pk: c for c in pairing.cadences(organization, list(members.values()))}
    return render(
        request,
        "program/pairs.html",
        {
            "form": form,
            "active": [
                (p, cadence[p.first_id], cadence[p.second_id])
                for p in open_pairs
                if p.status == Status.ACTIVE
            ],
            "invited": [p for p in open_pairs if p.status == Status.INVITED],
            "unpaired": unpaired,
        },
    )


# Reads -----------------------------------------------------------------------------------------


def _own_post(request: OrgRequest, post_id: uuid.UUID) -> Post:
    """One of the member's own posts; anyone else's is a 404, like a missing one."""
    post: Post = get_object_or_404(
        Post.objects.filter(organization=request.organization, author=request.membership),
        public_id=post_id,
    )
    return post


@role_required()
def post_reads(request: OrgRequest, post_id: uuid.UUID) -> HttpResponse:
    """The author's page of a post's reads: send it for one, and the feedback received."""
    organization, membership = request.organization, request.membership
    post = _own_post(request, post_id)
    readable = post.status in pairing.READABLE_STATUSES
    offered = list(pairing.reader_choices(membership))
    form = ReadRequestForm(
        request.POST if request.method == "POST" and readable else None,
        organization=organization,
        offered=offered,
    )
    if form.is_valid():
        try:
            read = pairing.request_read(
                post=post,
                author=membership,
                reader=form.cleaned_data["reader"],
                message=form.cleaned_data["message"],
            )
        except ValidationError as problem:
            show_refusal(form, problem)
        else:
            messages.success(
                request,
                _("Sent to %(name)s for a read. Only you can change the post.")
                % {"name": read.reader.display_name},
            )
            return redirect("program:post_reads", org_slug=organization.slug, post_id=post_id)
    feedback = list(coaching.visible_feedback(post, membership))
    coaching.mark_feedback_seen(post=post, author=membership)
    return render(
        request,
        "program/post_reads.html",
        {
            "post": post,
            "readable": readable,
            "has_readers": bool(offered),
            "form": form,
            "reads": ReadRequest.objects.filter(organization=organization, post=post)
            .select_related("reader__user")
            .order_by("created_at", "id"),
            "feedback": feedback,
            "flags": coaching.open_flags_on(post),
            "withdraw_form": WithdrawReadForm(),
        },
    )


@role_required()
def withdraw_read(request: OrgRequest, post_id: uuid.UUID) -> HttpResponse:
    post = _own_post(request, post_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = WithdrawReadForm(request.POST)
    read = None
    if form.is_valid():
        read = (
            ReadRequest.objects.filter(organization=request.organization, post=post)
            .select_related("post", "reader__user")
            .filter(public_id=form.cleaned_data["read"])
            .first()
        )
    if read is not None and pairing.withdraw_read(read=read, author=request.membership):
        messages.success(
            request,
            _("%(name)s no longer sees this post.") % {"name": read.reader.display_name},
        )
    else:
        messages.info(request, _("That read had been taken back already."))
    return redirect(
        "program:post_reads", org_slug=request.organization.slug, post_id=post.public_id
    )


@role_required()
def read(request: OrgRequest, read_id: uuid.UUID) -> HttpResponse:
    """The reader's page: the text as it stands, and private comments and suggestions."""
    organization, membership = request.organization, request.membership
    shared = get_object_or_404(
        ReadRequest.objects.filter(organization=organization, reader=membership).select_related(
            "post__author__user", "post__content_item"
        ),
        public_id=read_id,
    )
    post = shared.post
    kinds = coaching.feedback_kinds_for(membership, post)
    form = FeedbackForm(request.POST if request.method == "POST" else None, kinds=kinds)
    if request.method == "POST" and not kinds:
        raise PermissionDenied
    if form.is_valid():
        try:
            coaching.give_feedback(
                post=post,
                writer=membership,
                kind=form.cleaned_data["kind"],
                body=form.cleaned_data["body"],
            )
        except ValidationError as problem:
            show_refusal(form, problem)
        else:
            messages.success(
                request,
                _("Sent to %(name)s. Only they can change the post.")
                % {"name": post.author.display_name},
            )
            return redirect("program:read", org_slug=organization.slug, read_id=read_id)
    pairing.mark_read(shared)
    return render(
        request,
        "program/read.html",
        {
            "shared": shared,
            "post": post,
            "form": form if kinds else None,
            "feedback": coaching.visible_feedback(post, membership),
        },
    )
