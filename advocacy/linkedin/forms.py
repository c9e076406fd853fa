from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .services import normalize_page_urn


class PageChoiceForm(forms.Form):
    """Which company page the signed-in page administrator connects."""

    page = forms.CharField(
        label=_("Company page"),
        max_length=300,
        help_text=_(
            "The page's number, as in the address of its admin view "
            "(linkedin.com/company/2414183/admin/), or its URN, urn:li:organization:2414183."
        ),
    )

    def clean_page(self) -> str:
        try:
            return normalize_page_urn(self.cleaned_data["page"])
        except ValidationError as exc:
            raise ValidationError(exc.messages, code="invalid_page") from None
