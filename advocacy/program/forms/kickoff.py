"""Forms of the kick-off: a topic proposal and the survey."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.models import fields_for_model
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ..charter import TOPIC_NAME_LENGTH
from ..kickoff import MAX_MINUTES_PER_WEEK
from ..models import SurveyResponse, TopicProposal

COMFORT_CHOICES = [
    (1, _("1: not comfortable at all")),
    (2, _("2: rather not")),
    (3, _("3: it depends")),
    (4, _("4: fairly comfortable")),
    (5, _("5: very comfortable")),
]


class ProposalForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(TopicProposal, fields=["name", "description"]))
        self.fields["name"].max_length = TOPIC_NAME_LENGTH  # type: ignore[attr-defined]
        self.fields["name"].help_text = _(
            "Something you would like the program to post about, for example "
            "“a day in the workshop”."
        )
        self.fields["description"].widget.attrs["rows"] = 3


class SurveyForm(forms.Form):
    comfort = forms.TypedChoiceField(
        label=capfirst(SurveyResponse._meta.get_field("comfort").verbose_name),
        choices=COMFORT_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(SurveyResponse, fields=["worries", "preferred_topics"]))
        self.fields["minutes_per_week"] = forms.IntegerField(
            label=capfirst(SurveyResponse._meta.get_field("minutes_per_week").verbose_name),
            min_value=0,
            max_value=MAX_MINUTES_PER_WEEK,
        )
        for name in ("worries", "preferred_topics"):
            self.fields[name].widget.attrs["rows"] = 3
        self.fields["worries"].help_text = _(
            "For example doing too much or too little, mixing work and private life, or "
            "saying something wrong. Nobody sees who wrote what."
        )
        minutes = self.fields["minutes_per_week"]
        minutes.help_text = _("From 0 to %(max)d.") % {"max": MAX_MINUTES_PER_WEEK}
        minutes.widget.attrs["step"] = 5
