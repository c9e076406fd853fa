"""Forms of the analytics pages: a member's own figures (import, entry), the range above every
report, and the member's leaderboard choice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .growth import RangeError, parse_range
from .imports import MAX_FOLLOWERS, ImportRefused, ParsedExport, read_export
from .ranges import CUSTOM, DEFAULT_PRESET, PRESETS, preset_range

XLSX_TYPES = ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExportImportForm(forms.Form):
    """LinkedIn's analytics export, read (and refused, saying why) as the form is cleaned."""

    file = forms.FileField(
        label=_("LinkedIn's analytics export"),
        help_text=_("The .xlsx file LinkedIn gives you, unchanged (at most 5 MB)."),
        widget=forms.FileInput(attrs={"accept": XLSX_TYPES}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parsed: ParsedExport | None = None

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        try:
            self.parsed = read_export(upload)
        except ImportRefused as refused:
            raise ValidationError(refused.message, code="not_the_export") from None
        finally:
            upload.seek(0)
        return upload


class FollowerEntryForm(forms.Form):
    day = forms.DateField(
        label=_("Day"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Within the last year."),
    )
    followers = forms.IntegerField(
        label=_("Your followers on LinkedIn that day"),
        min_value=0,
        max_value=MAX_FOLLOWERS,
        help_text=_("LinkedIn shows it on your profile and under Analytics → Followers."),
    )


class ReportRangeForm(forms.Form):
    """A preset, or a start and an end. With no input at all it is the default preset.

    The dates are plain text fields read by `growth.parse_range`, so a bad range gets the same
    message here as in the API and the command.
    """

    preset = forms.ChoiceField(label=_("Period"), choices=PRESETS, required=False)
    start = forms.CharField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("For custom dates: the first day, YYYY-MM-DD."),
    )
    end = forms.CharField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The last day, included."),
    )

    def __init__(self, data: Any = None, *, today: dt.date) -> None:
        # A request with only other parameters (?export=teams) still means the default.
        fields = {"preset", "start", "end"}
        if data is not None and not fields & {key for key, value in data.items() if value}:
            data = None
        super().__init__(data)
        self.today = today
        self.range: tuple[dt.date, dt.date] = preset_range(DEFAULT_PRESET, today)

    def is_valid(self) -> bool:
        return not self.is_bound or super().is_valid()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "preset" in self.errors:
            return data
        preset = data.get("preset") or ""
        start, end = data.get("start") or None, data.get("end") or None
        try:
            if preset and preset != CUSTOM:
                self.range = preset_range(preset, self.today)
            else:
                self.range = parse_range(start, end)
        except RangeError as problem:
            raise forms.ValidationError(str(problem), code="invalid_range") from None
        return data

    @property
    def active_preset(self) -> str:
        if not self.is_bound:
            return DEFAULT_PRESET
        preset = (getattr(self, "cleaned_data", None) or {}).get("preset")
        return preset or CUSTOM

    @property
    def dates_shown(self) -> tuple[str, str]:
        """What the date fields show: the range reported, or what was typed if it was wrong."""
        if self.is_bound and self.errors:
            return str(self.data.get("start", "")), str(self.data.get("end", ""))
        return self.range[0].isoformat(), self.range[1].isoformat()

    @property
    def query(self) -> str:
        """The range as a query string, for the export and PDF links."""
        start, end = self.range
        return f"start={start.isoformat()}&end={end.isoformat()}"


class LeaderboardForm(forms.Form):
    show_on_leaderboard = forms.BooleanField(
        label=_("Show my name and figures to leaders"),
        required=False,
        help_text=_(
            "Communications staff, admins and the facilitator always see each participant's "
            "figures, to coach. Leaders see your name beside your figures only if you tick "
            "this; otherwise you are part of the totals. You can change it at any time."
        ),
    )
