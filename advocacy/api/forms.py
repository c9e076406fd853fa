from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from advocacy.tenancy.models import Membership

LIFETIMES = [
    (30, _("30 days")),
    (90, _("90 days")),
    (180, _("180 days")),
    (365, _("One year")),
]


class TokenForm(forms.Form):
    """A new personal API token: which organization, what it is for, how long it lives."""

    membership = forms.ChoiceField(label=_("Organization"))
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “Intranet feed” or “Power BI”."),
    )
    lifetime = forms.TypedChoiceField(
        label=_("Expires after"), choices=LIFETIMES, coerce=int, initial=90
    )

    def __init__(self, *args: Any, memberships: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.memberships = {str(m.public_id): m for m in memberships}
        self.fields["membership"].choices = [  # type: ignore[attr-defined]
            (key, f"{m.organization.name} ({m.get_role_display()})")
            for key, m in self.memberships.items()
        ]

    def clean_membership(self) -> Membership:
        return self.memberships[self.cleaned_data["membership"]]
