"""The audience part of a form (audience.py): the organization's teams, the locations its
members give (or others typed in), and the languages the platform speaks.

Campaigns and content items ask the same question the same way; both forms mix this in.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .audience import pack, unpack
from .models import Membership, Organization, Team

# As long as a member's location may be.
MAX_LOCATION_LENGTH = Membership._meta.get_field("location").max_length or 100


def member_locations(organization: Organization) -> list[str]:
    """The locations the organization's active members give, each once whatever its case."""
    values = (
        Membership.objects.filter(organization=organization)
        .active()
        .exclude(location="")
        .order_by("location")
        .values_list("location", flat=True)
        .distinct()
    )
    return unpack(pack(values))


class AudienceFormMixin(forms.BaseForm):
    """Adds `teams`, `locations`, `other_locations` and `languages` to a form.

    Call `add_audience_fields` from `__init__`; `cleaned_audience()` then gives the audience
    as the services take it. Only the organization's teams are choices, so another
    organization's team is a field error and never reaches a service.
    """

    def add_audience_fields(
        self,
        organization: Organization,
        *,
        teams: Iterable[uuid.UUID] = (),
        locations: Iterable[str] = (),
        languages: Iterable[str] = (),
    ) -> None:
        """The audience fields, starting from the stored audience: the teams' public ids and
        the location and language lists."""
        self.fields["teams"] = forms.ModelMultipleChoiceField(
            label=_("Teams"),
            queryset=Team.objects.for_org(organization).order_by("name"),
            to_field_name="public_id",
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text=_("None ticked: every team."),
        )
        known = member_locations(organization)
        self.fields["locations"] = forms.MultipleChoiceField(
            label=_("Locations"),
            choices=[(location, location) for location in known],
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text=_("Where members say they work. None ticked or typed: every location."),
        )
        self.fields["other_locations"] = forms.CharField(
            label=_("Other locations"),
            required=False,
            help_text=_("Separated by commas, for example Aarhus, Malmö."),
        )
        self.fields["languages"] = forms.MultipleChoiceField(
            label=_("Languages"),
            choices=settings.LANGUAGES,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text=_("None ticked: members of every language."),
        )
        # A stored location members no longer give is shown typed in, so it is not lost.
        by_key = {location.casefold(): location for location in known}
        stored = list(locations)
        self.initial["teams"] = list(teams)
        self.initial["locations"] = [
            by_key[value.casefold()] for value in stored if value.casefold() in by_key
        ]
        self.initial["other_locations"] = ", ".join(
            value for value in stored if value.casefold() not in by_key
        )
        self.initial["languages"] = list(languages)

    def clean_other_locations(self) -> list[str]:
        values = [
            " ".join(part.split()) for part in self.cleaned_data["other_locations"].split(",")
        ]
        for value in values:
            if len(value) > MAX_LOCATION_LENGTH:
                raise forms.ValidationError(
                    _("“%(location)s” is longer than %(limit)d characters."),
                    code="location_too_long",
                    params={"location": value, "limit": MAX_LOCATION_LENGTH},
                )
        return [value for value in values if value]

    def audience_fields(self) -> list[forms.BoundField]:
        """The audience's fields the page shows: a list with nothing to tick is left out."""
        shown = ["teams", "locations", "other_locations", "languages"]
        if not self.fields["teams"].queryset.exists():  # type: ignore[attr-defined]
            shown.remove("teams")
        if not self.fields["locations"].choices:  # type: ignore[attr-defined]
            shown.remove("locations")
        return [self[name] for name in shown]

    def cleaned_audience(self) -> dict[str, Any]:
        """`teams`, `locations` and `languages` as tuples (empty: everyone)."""
        cleaned = self.cleaned_data
        return {
            "teams": tuple(cleaned["teams"]),
            "locations": tuple(unpack(pack([*cleaned["locations"], *cleaned["other_locations"]]))),
            "languages": tuple(cleaned["languages"]),
        }
