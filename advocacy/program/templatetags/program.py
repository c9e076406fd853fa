"""Program things on other apps' pages, without those apps importing the program.

`{% load program %}` in a template of content, analytics or tenancy is all they need.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string

from advocacy.tenancy.models import Membership

from ..training import ready_to_share_ids

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
