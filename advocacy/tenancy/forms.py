"""Forms of the organization's settings pages.

They validate input and offer only the organization's own teams; the services in services.py
do the writing. Plain forms rather than model forms, so a form that fails validation never
leaves half-applied values on the organization or membership the page is showing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db import models
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from advocacy.accounts.models import normalize_email

from .models import Organization, Role, Team, time_zone_choices


class OrganizationSettingsForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The model's own labels and help texts (its validators run in the service); the zone
        # list is added here so the model field and its migrations stay free of the IANA list.
        self.fields.update(
            fields_for_model(
                Organization,
                fields=[
                    "name",
                    "time_zone",
                    "language",
                    "currency",
                    "linkedin_page_urn",
                    "cpm",
                    "posts_per_week_target",
                    "company_content_target_pct",
                ],
            )
        )
        self.fields["time_zone"] = forms.ChoiceField(
            label=_("Time zone"),
            choices=time_zone_choices,
            help_text=_("Dates and times on every page are shown in this zone."),
        )
        self.fields["currency"].widget.attrs.update({"size": 3, "autocapitalize": "characters"})
        # The report's figures, with their bounds on the form too (the model's validators run
        # again in the service, whatever sent the values).
        bounds: dict[str, dict[str, Any]] = {
            "cpm": {"min_value": Decimal("0")},
            "posts_per_week_target": {
                "min_value": Decimal("0.1"),
                "max_value": Decimal("50"),
                "help_text": _(
                    "How often the program invites each participant to post; the reports "
                    "show the cadence against it. An invitation, never a quota."
                ),
            },
            "company_content_target_pct": {"min_value": 0, "max_value": 100},
        }
        for name, limits in bounds.items():
            field = Organization._meta.get_field(name)
            assert isinstance(field, models.Field)
            formfield = field.formfield(**limits)
            assert formfield is not None
            self.fields[name] = formfield

    def clean_currency(self) -> str:
        return str(self.cleaned_data["currency"]).strip().upper()


class TeamChoiceField(forms.ModelChoiceField):
    """A team of the organization, chosen by its public id."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Team"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("empty_label", _("No team"))
        # A placeholder until the form narrows it to its organization's teams: the default
        # manager cannot be asked while the form class is being defined, outside any scope.
        super().__init__(queryset=Team.all_tenants.none(), to_field_name="public_id", **kwargs)


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text=_("The invitation link is sent to this address."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.EMPLOYEE)
    team = TeamChoiceField()

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.for_org(organization)  # type: ignore[attr-defined]

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])


class MemberForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    team = TeamChoiceField()
    title = forms.CharField(label=_("Job title"), max_length=150, required=False)
    location = forms.CharField(label=_("Location"), max_length=100, required=False)

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.for_org(organization)  # type: ignore[attr-defined]


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)


class MemberFilterForm(forms.Form):
    """The search and filters above the member table (GET); invalid filters are ignored."""

    NO_TEAM = "none"

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name or email")}),
    )
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("All roles")), *Role.choices]
    )
    team = forms.ChoiceField(label=_("Team"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("active", _("Active")), ("deactivated", _("Deactivated"))],
    )

    def __init__(self, *args: Any, teams: list[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [  # type: ignore[attr-defined]
            ("", _("All teams")),
            (self.NO_TEAM, _("No team")),
            *((str(team.public_id), team.name) for team in teams),
        ]
