"""Forms of the charter pages: the charter, its agenda, milestones and goals.

They offer only the organization's own members; the services in charter.py and goals.py check
everything again and do the writing, with the rule violations shown at their fields.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from advocacy.tenancy.models import Membership, Organization

from ..charter import (
    CHARTER_FIELDS,
    TARGET_FIELDS,
    TOPIC_NAME_LENGTH,
    CharterDetails,
    MilestoneDetails,
    members_of,
    why_by_choices,
)
from ..goals import GoalDetails
from ..models import Charter, Goal, Milestone

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MemberChoiceField(forms.ModelChoiceField):
    """A member of the organization, chosen by its public id and shown by name."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        # A placeholder until the form narrows it to its organization's members: the default
        # manager cannot be asked while the form is being built, outside any scope.
        super().__init__(
            queryset=Membership.all_tenants.none(), to_field_name="public_id", **kwargs
        )

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} ({obj.get_role_display()})"


class CharterForm(forms.Form):
    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        charter_fields = fields_for_model(
            Charter, fields=[f for f in CHARTER_FIELDS if f != "why_by"]
        )
        for name in ("purpose_why", "why_statement", "tone", "dos", "donts", "never_share"):
            charter_fields[name].widget.attrs["rows"] = 3
        self.fields.update(charter_fields)
        self.fields["why_by"] = MemberChoiceField(
            label=_("Said by"),
            empty_label=_("Nobody named"),
            help_text=_("One of the organization's leaders or admins, shown with the statement."),
        )
        self.fields["why_by"].queryset = why_by_choices(organization)  # type: ignore[attr-defined]
        self.order_fields(CHARTER_FIELDS)
        # The organization's own fields, with their labels, help texts and limits.
        self.fields.update(fields_for_model(Organization, fields=list(TARGET_FIELDS)))
        self.fields["posts_per_week_target"].help_text = _(
            "A rhythm to aim for, never a quota: taking part stays voluntary."
        )

    def details(self) -> CharterDetails:
        return CharterDetails(
            **{name: self.cleaned_data[name] for name in (*CHARTER_FIELDS, *TARGET_FIELDS)}
        )

    @staticmethod
    def initial_of(charter: Charter, organization: Organization) -> dict[str, Any]:
        """What is stored now, as the form's initial values."""
        initial: dict[str, Any] = {name: getattr(charter, name) for name in CHARTER_FIELDS}
        initial["why_by"] = charter.why_by.public_id if charter.why_by else None
        initial.update({name: getattr(organization, name) for name in TARGET_FIELDS})
        return initial


class AgendaTopicForm(forms.Form):
    name = forms.CharField(
        label=_("Topic"),
        max_length=TOPIC_NAME_LENGTH,
        help_text=_("A topic of the content library, or a new one."),
        widget=forms.TextInput(attrs={"list": "library-topics", "autocomplete": "off"}),
    )


class MilestoneForm(forms.Form):
    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(Milestone, fields=["title", "due_on", "status"]))
        self.fields["due_on"].widget = DATE_INPUT
        self.fields["owner"] = MemberChoiceField(label=_("Owner"), empty_label=_("Nobody yet"))
        self.fields["owner"].queryset = (  # type: ignore[attr-defined]
            members_of(organization).select_related("user").order_by("user__name", "user__email")
        )
        self.fields.update(fields_for_model(Milestone, fields=["notes"]))
        self.fields["notes"].widget.attrs["rows"] = 3

    def details(self) -> MilestoneDetails:
        data = self.cleaned_data
        return MilestoneDetails(
            title=data["title"],
            due_on=data["due_on"],
            owner=data["owner"],
            status=data["status"],
            notes=data["notes"],
        )

    @staticmethod
    def initial_of(milestone: Milestone) -> dict[str, Any]:
        return {
            "title": milestone.title,
            "due_on": milestone.due_on,
            "owner": milestone.owner.public_id if milestone.owner else None,
            "status": milestone.status,
            "notes": milestone.notes,
        }


class MilestoneStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Milestone.Status.choices)


class GoalForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(
            fields_for_model(Goal, fields=["title", "metric", "target", "starts_on", "deadline"])
        )
        self.fields["title"].help_text = _("In words, for example “Company page +15 % by summer”.")
        self.fields["target"].help_text = _(
            "The figure to reach between the two days: a percentage for growth and "
            "participation, a number for the rest."
        )
        self.fields["starts_on"].help_text = _("The figure is counted from this day.")
        # The same words the service uses, whichever of the two notices first.
        required = {
            "title": _("Give the goal a name."),
            "target": _("Set a target: without one the goal cannot be measured."),
            "starts_on": _("Give the day the goal counts from."),
            "deadline": _("Give the goal a deadline."),
        }
        for name, message in required.items():
            self.fields[name].error_messages["required"] = message
        for name in ("starts_on", "deadline"):
            self.fields[name].widget = DATE_INPUT

    def details(self) -> GoalDetails:
        data = self.cleaned_data
        return GoalDetails(
            title=data["title"],
            metric=data["metric"],
            target=data["target"],
            starts_on=data["starts_on"],
            deadline=data["deadline"],
        )

    @staticmethod
    def initial_of(goal: Goal) -> dict[str, Any]:
        return {
            name: getattr(goal, name)
            for name in ("title", "metric", "target", "starts_on", "deadline")
        }
