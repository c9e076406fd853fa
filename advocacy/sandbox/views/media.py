"""Profile pictures for scenario members without one of their own: initials on a colour."""

from __future__ import annotations

import hashlib
from html import escape

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import cache_control

from ..models import Member

COLOURS = ("#0a66c2", "#057642", "#915907", "#b24020", "#5f3dc4", "#0e7490")


@cache_control(max_age=3600)
def avatar(request: HttpRequest, sub: str) -> HttpResponse:
    member = Member.objects.filter(sub=sub).first()
    if member is None:
        raise Http404("No such member")
    initials = escape((member.given_name[:1] + member.family_name[:1]).upper())
    colour = COLOURS[hashlib.sha256(sub.encode()).digest()[0] % len(COLOURS)]
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200" viewBox="0 0 200 200">'
        f'<rect width="200" height="200" fill="{colour}"/>'
        '<text x="100" y="100" dy=".35em" text-anchor="middle" font-family="sans-serif" '
        f'font-size="80" fill="#fff">{initials}</text></svg>'
    )
    return HttpResponse(svg, content_type="image/svg+xml")
