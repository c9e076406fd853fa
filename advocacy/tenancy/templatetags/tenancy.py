from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from advocacy.tenancy.audience import describe_audience

register = template.Library()


@register.simple_tag(takes_context=True)
def orgurl(context: template.Context, view_name: str, *args: Any, **kwargs: Any) -> str:
    """`{% orgurl "content:library" %}`: a URL inside the current organization."""
    organization = context["request"].organization
    return reverse(view_name, args=args, kwargs={"org_slug": organization.slug, **kwargs})


@register.simple_tag
def audience_summary(subject: Any) -> str:
    """`{% audience_summary item %}`: who a campaign or an item is for, in a few words.

    Reads `subject.audience_teams.all()`; a list page prefetches it.
    """
    return describe_audience(
        [team.name for team in subject.audience_teams.all()],
        subject.locations,
        subject.languages,
    )
