"""Audiences: which members a piece of content or a campaign is for.

An audience is up to three lists: teams, locations and languages. An empty list means
everyone; a member is in the audience when each non-empty list names their team, location
or language. Teams are a many-to-many relation each model declares with a through table of
its own (every tenant table carries its organization); locations and languages are short
lists of words, stored one per line between newlines so that a plain, portable `icontains`
matches a whole entry and never a part of one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from .models import Membership, Organization, Team

SEPARATOR = "\n"


def pack(values: Iterable[str]) -> str:
    """Values as stored: trimmed, de-duplicated whatever their case, one per line."""
    kept: list[str] = []
    for value in values:
        value = " ".join(str(value).split())
        if value and value.casefold() not in {existing.casefold() for existing in kept}:
            kept.append(value)
    return f"{SEPARATOR}{SEPARATOR.join(kept)}{SEPARATOR}" if kept else ""


def unpack(stored: str) -> list[str]:
    return [value for value in stored.split(SEPARATOR) if value]


class AudienceFields(models.Model):
    """Locations and languages of an audience (teams are declared by each model)."""

    audience_locations = models.TextField(_("locations"), blank=True, default="", editable=False)
    audience_languages = models.TextField(_("languages"), blank=True, default="", editable=False)

    class Meta:
        abstract = True

    @property
    def locations(self) -> list[str]:
        return unpack(self.audience_locations)

    @locations.setter
    def locations(self, values: Iterable[str]) -> None:
        self.audience_locations = pack(values)

    @property
    def languages(self) -> list[str]:
        return unpack(self.audience_languages)

    @languages.setter
    def languages(self, values: Iterable[str]) -> None:
        self.audience_languages = pack(values)


def check_audience(
    organization: Organization, *, teams: Iterable[Team], languages: Iterable[str]
) -> None:
    """Refuse (ValueError) another organization's teams and languages the platform does not
    speak: a form offers neither, so reaching a service with them is a programming error."""
    if any(team.organization_id != organization.pk for team in teams):
        raise ValueError("Teams of another organization cannot be in this audience.")
    known = {code for code, _name in settings.LANGUAGES}
    if any(language not in known for language in languages):
        raise ValueError(f"An audience's languages are among {sorted(known)}.")


def describe_audience(
    teams: Iterable[str], locations: Iterable[str], languages: Iterable[str]
) -> str:
    """An audience in a few words for a list: "Sales · Aarhus, Malmö · Dansk", or "Everyone".

    `languages` are codes; they are shown by the names the platform gives them.
    """
    names = dict(settings.LANGUAGES)
    parts = [
        ", ".join(str(value) for value in values)
        for values in (
            list(teams),
            list(locations),
            [str(names.get(code, code)) for code in languages],
        )
        if values
    ]
    return " · ".join(parts) if parts else gettext("Everyone")


def _entry(value: str) -> str:
    return f"{SEPARATOR}{' '.join(value.split())}{SEPARATOR}"


def audience_q(membership: Membership, *, team_links: Any, link_field: str, prefix: str = "") -> Q:
    """The condition "this row's audience includes `membership`".

    `team_links` is the through model of the row's audience teams and `link_field` its foreign
    key to the row; `prefix` reaches the row through a relation (`"campaign__"`).
    """
    organization_id = membership.organization_id
    links = team_links.all_tenants.filter(
        organization_id=organization_id, **{link_field: OuterRef(f"{prefix}pk")}
    )
    teams = Q(~Exists(links))
    if membership.team_id is not None:
        teams |= Q(Exists(links.filter(team_id=membership.team_id)))
    locations = Q(**{f"{prefix}audience_locations": ""})
    if membership.location.strip():
        locations |= Q(**{f"{prefix}audience_locations__icontains": _entry(membership.location)})
    languages = Q(**{f"{prefix}audience_languages": ""})
    language = membership.language or membership.user.language or membership.organization.language
    if language:
        languages |= Q(**{f"{prefix}audience_languages__icontains": _entry(language)})
    return teams & locations & languages
