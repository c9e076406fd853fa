"""Writing the report's figures on a page: "n/a" for a missing one, separators and units."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from analytics.reports import INT, Figure
from analytics.tables import Cell, format_relative, format_value

register = template.Library()


@register.filter
def figure(value: Any, kind: str = INT) -> str:
    """`{{ report.current.impressions|figure:"int" }}`"""
    return format_value(value, kind)


@register.filter
def cell(value: Cell) -> str:
    return format_value(value.value, value.kind, signed=value.signed)


@register.filter
def change(value: Figure) -> str:
    """The change from the previous period: "+120 (+8.3 %)", "+1.2 points" or "n/a"."""
    if value.change is None:
        return _("n/a")
    text = format_value(value.change, value.kind, signed=True)
    if value.change_pct is not None:
        text += f" ({format_relative(value.change_pct)})"
    return text
