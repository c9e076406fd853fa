from __future__ import annotations

import re
import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from advocacy.tenancy.audience import pack, unpack
from advocacy.tenancy.models import Membership, Organization, Team

from .models import Campaign, CampaignAudienceTeam
from .querysets import CampaignQuerySet
from .services import CampaignBulkAction, CampaignDetails

HASHTAG = re.compile(r"^#\w+$")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
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


class CampaignForm(forms.ModelForm):
    """A campaign and its audience: this organization's teams, its members' locations (or
    others typed in) and the languages the platform speaks."""

    class Meta:
        model = Campaign
        fields = CampaignDetails.field_names()
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 4}),
            "starts_on": DATE_INPUT,
            "ends_on": DATE_INPUT,
        }
        help_texts = {
            "purpose": _(
                "Why this campaign runs: more applicants, a stronger brand, sales? Employees "
                "can only tell the story if they know the why."
            ),
            "target_shares": _("How many shares would make this a success?"),
        }

    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=settings.LANGUAGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: members of every language."),
    )
    other_locations = forms.CharField(
        label=_("Other locations"),
        required=False,
        help_text=_("Separated by commas, for example Aarhus, Malmö."),
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
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
        if self.instance.pk:
            self.initial["teams"] = list(
                CampaignAudienceTeam.objects.for_org(organization)
                .filter(campaign=self.instance)
                .values_list("team__public_id", flat=True)
            )
            by_key = {location.casefold(): location for location in known}
            stored = self.instance.locations
            self.initial["locations"] = [
                by_key[value.casefold()] for value in stored if value.casefold() in by_key
            ]
            self.initial["other_locations"] = ", ".join(
                value for value in stored if value.casefold() not in by_key
            )
            self.initial["languages"] = self.instance.languages

    def clean_hashtags(self) -> str:
        tags: list[str] = []
        for word in self.cleaned_data["hashtags"].replace(",", " ").split():
            tag = word if word.startswith("#") else f"#{word}"
            if not HASHTAG.match(tag):
                raise forms.ValidationError(
                    _("“%(tag)s” is not a hashtag: use only letters, digits and _ after the #."),
                    code="invalid_hashtag",
                    params={"tag": word},
                )
            if tag.lower() not in {existing.lower() for existing in tags}:
                tags.append(tag)
        return " ".join(tags)

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

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The campaign cannot end before it starts."))
        return cleaned

    def audience_fields(self) -> list[forms.BoundField]:
        """The audience's fields the page shows: a list with nothing to tick is left out."""
        shown = ["teams", "locations", "other_locations", "languages"]
        if not self.fields["teams"].queryset.exists():  # type: ignore[attr-defined]
            shown.remove("teams")
        if not self.fields["locations"].choices:  # type: ignore[attr-defined]
            shown.remove("locations")
        return [self[name] for name in shown]

    def details(self) -> CampaignDetails:
        cleaned = self.cleaned_data
        return CampaignDetails(
            **{name: cleaned[name] for name in CampaignDetails.field_names()},
            teams=tuple(cleaned["teams"]),
            locations=tuple(unpack(pack([*cleaned["locations"], *cleaned["other_locations"]]))),
            languages=tuple(cleaned["languages"]),
        )


class CampaignFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, widget=forms.SearchInput)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Campaign.Status.choices]
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"] = forms.ModelChoiceField(
            label=_("For team"),
            queryset=Team.objects.for_org(organization).order_by("name"),
            to_field_name="public_id",
            required=False,
            empty_label=_("Any team"),
        )

    def apply(self, campaigns: CampaignQuerySet) -> CampaignQuerySet:
        """Narrow `campaigns` by the valid filters; an invalid one is shown as an error instead."""
        self.is_valid()
        campaigns = campaigns.search(self.cleaned_data.get("q", ""))
        if self.cleaned_data.get("status"):
            campaigns = campaigns.filter(status=self.cleaned_data["status"])
        if self.cleaned_data.get("team"):
            campaigns = campaigns.for_team(self.cleaned_data["team"])
        return campaigns


class PublicIdsField(forms.Field):
    """A list of public ids from repeated form values (checkboxes named alike)."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Select at least one campaign."),
        "invalid": _("The selection could not be read. Reload the page and try again."),
    }

    def to_python(self, value: Any) -> list[uuid.UUID]:
        if not value:
            return []
        try:
            return [uuid.UUID(str(raw)) for raw in value]
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class CampaignBulkActionForm(forms.Form):
    action = forms.ChoiceField(
        label=_("With the selected campaigns"), choices=CampaignBulkAction.choices
    )
    campaigns = PublicIdsField()
