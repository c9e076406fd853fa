"""Coaching on published posts, and the brand-risk flags with their review."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from advocacy.tenancy.http import OrgRequest
from advocacy.tenancy.models import MANAGE_ROLES
from advocacy.tenancy.permissions import role_required
from content.models import Post

from .. import coaching
from ..models import BrandRiskFlag
from ..taking_part_forms import FeedbackForm, FlagFilterForm, FlagForm, WithdrawFlagForm
from .form_errors import show_refusal

FLAGS_PAGE_SIZE = 50


def _published_post(request: OrgRequest, post_id: uuid.UUID) -> Post:
    """A post of the organization that went out (and may since have been deleted). Drafts
    and scheduled posts are the author's own: a 404 here, like a missing post."""
    post: Post = get_object_or_404(
        Post.objects.filter(
            organization=request.organization,
            status__in=[Post.Status.PUBLISHED, Post.Status.DELETED],
            published_at__isnull=False,
        ).select_related("author__user", "content_item", "campaign"),
        public_id=post_id,
    )
    return post


@role_required(MANAGE_ROLES)
def coach_post(request: OrgRequest, published_post_id: uuid.UUID) -> HttpResponse:
    """A published post, read-only, with the coaching notes on it and its brand-risk flags."""
    organization, membership = request.organization, request.membership
    post = _published_post(request, published_post_id)
    kinds = coaching.feedback_kinds_for(membership, post)
    form = FeedbackForm(
        request.POST if request.method == "POST" and kinds else None,
        kinds=kinds,
        initial={"kind": kinds[0]} if kinds else None,
    )
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
                _("Sent privately to %(name)s, who is told by mail.")
                % {"name": post.author.display_name},
            )
            return redirect(
                "program:coach_post", org_slug=organization.slug, published_post_id=post.public_id
            )
    flags = list(
        BrandRiskFlag.objects.filter(organization=organization, post=post)
        .select_related("raised_by__user")
        .order_by("-created_at", "-id")
    )
    for flag in flags:
        flag.post = post
    return render(
        request,
        "program/coach_post.html",
        {
            "post": post,
            "form": form if kinds else None,
            "feedback": coaching.visible_feedback(post, membership),
            "flags": [(flag, coaching.effective_status(flag)) for flag in flags],
            "can_flag": post.status == Post.Status.PUBLISHED
            and not any(flag.status == BrandRiskFlag.Status.OPEN for flag in flags),
            "flag_form": FlagForm(),
            "withdraw_form": WithdrawFlagForm(),
            "own_post": post.author_id == membership.pk,
        },
    )


@role_required(MANAGE_ROLES)
def flag_post(request: OrgRequest, published_post_id: uuid.UUID) -> HttpResponse:
    post = _published_post(request, published_post_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = FlagForm(request.POST)
    back = redirect(
        "program:coach_post",
        org_slug=request.organization.slug,
        published_post_id=post.public_id,
    )
    if not form.is_valid():
        messages.error(request, _("Say what the risk is: the author needs the reason."))
        return back
    try:
        coaching.raise_flag(
            post=post, raised_by=request.membership, reason=form.cleaned_data["reason"]
        )
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
    else:
        messages.success(
            request,
            _("Flagged. %(name)s is asked by mail to delete the post, with your reason.")
            % {"name": post.author.display_name},
        )
    return back


@role_required(MANAGE_ROLES)
def flags(request: OrgRequest) -> HttpResponse:
    """Every brand-risk flag of the organization, for review: who raised it, when, why, and
    what became of it."""
    filters = FlagFilterForm(request.GET)
    status = filters.cleaned_data["status"] if filters.is_valid() else ""
    page = Paginator(coaching.review_flags(request.organization, status), FLAGS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "program/flags.html",
        {
            "filters": filters,
            "page": page,
            "rows": [(flag, coaching.effective_status(flag)) for flag in page],
        },
    )


@role_required(MANAGE_ROLES)
def flag_withdraw(request: OrgRequest, flag_id: uuid.UUID) -> HttpResponse:
    # Looked up before the method check, so a foreign id is a 404 either way.
    flag = get_object_or_404(
        BrandRiskFlag.objects.filter(organization=request.organization).select_related(
            "post__author__user"
        ),
        public_id=flag_id,
    )
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = WithdrawFlagForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    if coaching.withdraw_flag(flag=flag, actor=request.membership, note=note):
        messages.success(request, _("The flag was withdrawn."))
    else:
        messages.info(request, _("That flag was no longer open."))
    if request.POST.get("back") == "post":
        return redirect(
            "program:coach_post",
            org_slug=request.organization.slug,
            published_post_id=flag.post.public_id,
        )
    return redirect("program:flags", org_slug=request.organization.slug)
