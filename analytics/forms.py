from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .imports import MAX_FOLLOWERS, ImportRefused, ParsedExport, read_export

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
