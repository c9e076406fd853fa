"""Forms of the leaderboard pages: seasons, and a member's own choice to be on the board."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..leaderboard import SeasonDetails
from ..models import Season


class SeasonForm(forms.ModelForm):
    class Meta:
        model = Season
        fields = ["name", "starts_on", "ends_on"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {
            "name": _("For example “Spring 2026”."),
            "ends_on": _("The last day that counts. Seasons may not overlap."),
        }

    def clean(self) -> dict:
        data = super().clean() or {}
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on <= starts_on:
            self.add_error("ends_on", _("A season ends after the day it starts."))
        return data

    def details(self) -> SeasonDetails:
        data = self.cleaned_data
        return SeasonDetails(
            name=data["name"], starts_on=data["starts_on"], ends_on=data["ends_on"]
        )


class LeaderboardChoiceForm(forms.Form):
    show = forms.TypedChoiceField(
        coerce=lambda value: value == "1",
        choices=[("1", _("Show me on the leaderboard")), ("0", _("Keep me off it"))],
    )
