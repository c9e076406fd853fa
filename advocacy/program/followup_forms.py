"""Forms of the follow-up, health and mail pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .health import DEFAULT_QUIET_WEEKS, MAX_QUIET_WEEKS
from .mail import CHOICE_FIELDS
from .models import CheckIn, FollowUpRound, NotificationSettings

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RoundForm(forms.ModelForm):
    class Meta:
        model = FollowUpRound
        fields = ["title", "opens_on", "closes_on"]
        widgets = {"opens_on": DATE_INPUT, "closes_on": DATE_INPUT}
        help_texts = {
            "closes_on": _("Participants can check in, and change their answers, until then.")
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        opens, closes = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", _("A round cannot close before it opens."))
        return cleaned

    def validate_unique(self) -> None:
        # The service says so in words when another round opens the same day.
        pass


class CheckInForm(forms.ModelForm):
    class Meta:
        model = CheckIn
        fields = ["went_well", "held_back", "help_wanted"]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in fields}
        help_texts = {
            "went_well": _("A post you liked writing, a reaction, a new contact..."),
            "held_back": _("Time, doubts, not knowing what to write: all of it is useful."),
            "help_wanted": _("Comms or the facilitator will get back to you personally."),
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if not any((cleaned.get(name) or "").strip() for name in self.Meta.fields):
            raise forms.ValidationError(_("Answer at least one of the questions."), code="empty")
        return cleaned

    def validate_unique(self) -> None:
        # One check-in per round and member: the service updates the existing one.
        pass


class RoundNotesForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "What you heard and what you agreed to do. Only comms, the facilitator and admins "
            "see these notes."
        ),
    )


class HealthFilterForm(forms.Form):
    weeks = forms.IntegerField(
        label=_("Quiet for at least (weeks)"),
        min_value=1,
        max_value=MAX_QUIET_WEEKS,
        initial=DEFAULT_QUIET_WEEKS,
        required=False,
    )

    def weeks_or_default(self) -> int:
        if self.is_bound and self.is_valid() and self.cleaned_data["weeks"] is not None:
            return int(self.cleaned_data["weeks"])
        return DEFAULT_QUIET_WEEKS


class MailChoicesForm(forms.ModelForm):
    class Meta:
        model = NotificationSettings
        fields = list(CHOICE_FIELDS)
