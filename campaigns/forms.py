from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Campaign
from .querysets import CampaignQuerySet
from .services import CampaignDetails

HASHTAG = re.compile(r"^#\w+$")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CampaignForm(forms.ModelForm):
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
        return CampaignDetails(
            **{name: self.cleaned_data[name] for name in CampaignDetails.field_names()}
        )


class CampaignFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, widget=forms.SearchInput)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Campaign.Status.choices]
    )

    def apply(self, campaigns: CampaignQuerySet) -> CampaignQuerySet:
        """Narrow `campaigns` by the valid filters."""
        self.is_valid()
        campaigns = campaigns.search(self.cleaned_data.get("q", ""))
        if self.cleaned_data.get("status"):
            campaigns = campaigns.filter(status=self.cleaned_data["status"])
        return campaigns
