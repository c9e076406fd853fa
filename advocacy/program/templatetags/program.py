"""`{% load program %}`: the program's parts that pages of other apps show.

The dashboard (content) and the report (analytics) load these tags by name, so neither app
imports the program app.
"""

from __future__ import annotations

from typing import Any

from django import template

from analytics.rollups import today_of

from ..charter import Speaker, charter_of, speaker_of
from ..goals import goal_rows, goals_progress

register = template.Library()


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
