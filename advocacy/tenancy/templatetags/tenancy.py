from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def orgurl(context: template.Context, view_name: str, *args: Any, **kwargs: Any) -> str:
    """`{% orgurl "content:library" %}`: a URL inside the current organization."""
    organization = context["request"].organization
    return reverse(view_name, args=args, kwargs={"org_slug": organization.slug, **kwargs})
