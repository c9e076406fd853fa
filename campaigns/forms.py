from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from advocacy.tenancy.audience_form import AudienceFormMixin
from advocacy.tenancy.lists import PublicIdsField, choice_of
from advocacy.tenancy.models import Organization, Team

from .models import Campaign, CampaignAudienceTeam
from .querysets import CampaignQuerySet
from .services import CampaignBulkAction, CampaignDetails

HASHTAG = re.compile(r"^#\w+$")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CampaignForm(AudienceFormMixin, forms.ModelForm):
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

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.add_audience_fields(organization)
            return
        teams = (
            CampaignAudienceTeam.objects.for_org(organization)
            .filter(campaign=self.instance)
            .values_list("team__public_id", flat=True)
        )
        self.add_audience_fields(
            organization,
            teams=teams,
            locations=self.instance.locations,
            languages=self.instance.languages,
        )

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

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The campaign cannot end before it starts."))
        return cleaned

    def details(self) -> CampaignDetails:
        cleaned = self.cleaned_data
        return CampaignDetails(
            **{name: cleaned[name] for name in CampaignDetails.field_names()},
            **self.cleaned_audience(),
        )


class CampaignFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, widget=forms.SearchInput)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Campaign.Status.choices]
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"] = choice_of(
            Team.objects.for_org(organization).order_by("name"),
            label=_("For team"),
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


class CampaignBulkActionForm(forms.Form):
    action = forms.ChoiceField(
        label=_("With the selected campaigns"), choices=CampaignBulkAction.choices
    )
    campaigns = PublicIdsField(error_messages={"required": _("Select at least one campaign.")})
