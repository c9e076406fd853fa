"""`{% load program %}`: the program's parts on the pages of apps below it (the dashboard, the
post page, the published posts, the profile, the reports), which may not import the program app.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.urls import reverse

from advocacy.program.buddies import READABLE_STATUSES, active_pair_of, buddy_in
from advocacy.program.coaching import (
    open_flags_of,
    open_flags_on,
    visible_feedback,
)
from advocacy.program.models import ReadRequest
from advocacy.program.participation import is_participant
from advocacy.tenancy.models import Membership
from analytics.rollups import today_of

from ..charter import Speaker, charter_of, speaker_of
from ..goals import goal_rows, goals_progress
from ..training import ready_to_share_ids
from ..waiting import waiting_for

register = template.Library()

# Training ----------------------------------------------------------------------------------

_READY_CACHE = "_program_ready_to_share"


def _ready_ids(context: template.Context, membership: Membership) -> set[int]:
    # One query per request and organization, however many rows of a list wear the badge.
    request = context.get("request")
    cache: dict[int, set[int]] | None = getattr(request, _READY_CACHE, None)
    if cache is None:
        cache = {}
        if request is not None:
            setattr(request, _READY_CACHE, cache)
    if membership.organization_id not in cache:
        cache[membership.organization_id] = ready_to_share_ids(membership.organization)
    return cache[membership.organization_id]


@register.simple_tag(takes_context=True)
def ready_to_share_badge(context: template.Context, membership: Membership | None) -> Any:
    """`{% ready_to_share_badge membership %}`: the "ready to share" badge of a member who
    completed a basics course; nothing otherwise."""
    if membership is None or membership.pk not in _ready_ids(context, membership):
        return ""
    return render_to_string("program/training/_badge.html", {"membership": membership})


# Taking part, buddies and coaching -------------------------------------------------------------


@register.inclusion_tag("program/_participation_card.html", takes_context=True)
def participation_card(context: template.Context) -> dict[str, Any]:
    """The dashboard's card: taking part or not (no pressure either way), the buddy, what
    waits for the member (an invitation, a draft to read, feedback, a flag)."""
    request = context["request"]
    membership = request.membership
    taking_part = is_participant(membership)
    waiting = waiting_for(membership)
    pair = active_pair_of(membership) if taking_part and waiting.has_active_pair else None
    return {
        "request": request,
        "membership": membership,
        "taking_part": taking_part,
        "ready_to_share": waiting.ready_to_share,
        "buddy": buddy_in(pair, membership) if pair is not None else None,
        "pair": pair,
        "invitations": waiting.invitations,
        "to_read": waiting.to_read,
        "new_feedback": waiting.new_feedback,
        "flags": list(open_flags_of(membership)) if waiting.open_flags else [],
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("program/_post_panel.html", takes_context=True)
def post_program_panel(context: template.Context, post: Any) -> dict[str, Any]:
    """On the author's post page: an open brand-risk flag, the feedback received, and the way
    to ask for a read."""
    request = context["request"]
    membership = request.membership
    if post.author_id != membership.pk:
        return {"show": False}
    return {
        "show": True,
        "request": request,
        "post": post,
        "flags": list(open_flags_on(post)),
        "feedback": list(visible_feedback(post, membership)),
        "reads": ReadRequest.objects.for_org(post.organization).filter(post=post).count(),
        "readable": post.status in READABLE_STATUSES,
    }


@register.simple_tag(takes_context=True)
def coaching_url(context: template.Context, post: Any) -> str:
    """`{% coaching_url post %}`: where comms coach on (or flag) a published post."""
    organization = context["request"].organization
    return reverse(
        "program:coach_post",
        kwargs={"org_slug": organization.slug, "published_post_id": post.public_id},
    )


@register.inclusion_tag("program/_profile_participation.html", takes_context=True)
def profile_participation(context: template.Context, membership: Any) -> dict[str, Any]:
    """On the profile, beside each organization: taking part or not, and the one-click way
    out (or in)."""
    slug = membership.organization.slug
    return {
        "membership": membership,
        "leave_url": reverse("program:leave", kwargs={"org_slug": slug}),
        "join_url": reverse("program:join", kwargs={"org_slug": slug}),
        "csrf_token": context.get("csrf_token"),
    }


# Charter, goals and kick-off ------------------------------------------------------------------


def _organization(context: template.Context) -> Any:
    request = context.get("request")
    return getattr(request, "organization", None)


@register.inclusion_tag("program/_goals.html", takes_context=True)
def program_goals(context: template.Context) -> dict[str, Any]:
    """`{% program_goals %}`: the program's goals with their progress, or nothing when there
    are none."""
    organization = _organization(context)
    if organization is None:
        return {"rows": []}
    today = today_of(organization)
    return {
        "rows": goal_rows(goals_progress(organization, today=today), today),
        "request": context.get("request"),
        "membership": context.get("membership"),
        "organization": organization,
        "manage_links": False,
    }


@register.inclusion_tag("program/_why.html", takes_context=True)
def program_why(context: template.Context) -> dict[str, Any]:
    """`{% program_why %}`: leadership's WHY with the leader's name and photo, or nothing
    when the charter has none yet."""
    organization = _organization(context)
    if organization is None:
        return {"statement": ""}
    charter = charter_of(organization)
    speaker: Speaker | None = speaker_of(charter) if charter.why_statement else None
    return {
        "statement": charter.why_statement,
        "speaker": speaker,
        "request": context.get("request"),
        "organization": organization,
    }
