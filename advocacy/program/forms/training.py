"""Forms of the training pages: authoring courses, lessons and quiz questions, and a quiz.

They validate input; advocacy/program/training.py does the writing and checks again. No
form carries whose progress is written: that is always the member signed in.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from advocacy.tenancy.models import Membership

from ..models import Course, Lesson, QuizQuestion
from ..training import (
    MAX_CHOICES,
    MIN_CHOICES,
    VIDEO_SCHEMES,
    CourseDetails,
    Direction,
    LessonDetails,
    QuestionDetails,
    check_question,
)

# Names a forged form might use to act for someone else. None of the training forms has
# such a field; a request that carries one naming anyone but the member is refused whole.
IDENTITY_FIELDS = ("membership", "membership_id", "member", "member_id", "user", "user_id")


def names_someone_else(data: QueryDict, membership: Membership) -> bool:
    """Whether a POST names a member other than the one signed in."""
    own = str(membership.public_id)
    return any(
        value.strip() != own
        for name in IDENTITY_FIELDS
        if name in data
        for value in data.getlist(name)
    )


class VideoLinkField(forms.URLField):
    """A video's web address: http or https only (no javascript:, data: or file:)."""

    default_validators = [URLValidator(schemes=sorted(VIDEO_SCHEMES))]
    default_error_messages = {"invalid": _("Use an http:// or https:// address for the video.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("assume_scheme", None)
        super().__init__(assume_scheme="https", **kwargs)


class CourseForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = CourseDetails.field_names()
        help_texts = {
            "summary": _("What a member learns, in a sentence or two. Plain text."),
            "is_published": _("Members see published courses only."),
            "pass_mark": _("The share of the quiz's questions to get right to complete it."),
        }

    def details(self) -> CourseDetails:
        return CourseDetails(
            **{name: self.cleaned_data[name] for name in CourseDetails.field_names()}
        )


class LessonForm(forms.ModelForm):
    class Meta:
        model = Lesson
        fields = LessonDetails.field_names()
        field_classes = {"video_url": VideoLinkField}
        widgets = {
            "body": forms.Textarea(attrs={"rows": 12}),
            "checklist": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "body": _(
                "Plain text: a blank line starts a new paragraph, and web addresses become "
                "links. No HTML."
            ),
            "video_url": _("Optional: an http:// or https:// link to a video. It opens there."),
            "checklist": _("Optional: one item per line, e.g. “Update your LinkedIn headline”."),
        }

    def details(self) -> LessonDetails:
        return LessonDetails(
            **{name: self.cleaned_data[name] for name in LessonDetails.field_names()}
        )


def choice_field_name(position: int) -> str:
    return f"choice_{position + 1}"


class QuestionForm(forms.Form):
    """A quiz question with two to six answers, one of them right."""

    text = forms.CharField(label=_("Question"), max_length=300)
    answer = forms.TypedChoiceField(
        label=_("The right answer"),
        coerce=int,
        choices=[(n, _("Answer %(n)d") % {"n": n + 1}) for n in range(MAX_CHOICES)],
    )

    def __init__(self, *args: Any, question: QuizQuestion | None = None, **kwargs: Any) -> None:
        if question is not None and "initial" not in kwargs:
            initial: dict[str, Any] = {"text": question.text, "answer": question.answer}
            for position, choice in enumerate(question.choices):
                initial[choice_field_name(position)] = choice
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for position in range(MAX_CHOICES):
            self.fields[choice_field_name(position)] = forms.CharField(
                label=_("Answer %(n)d") % {"n": position + 1},
                max_length=200,
                required=position < MIN_CHOICES,
            )
        # Keep the answers between the question and the right-answer choice.
        self.order_fields(["text", *self.choice_names(), "answer"])

    @staticmethod
    def choice_names() -> list[str]:
        return [choice_field_name(position) for position in range(MAX_CHOICES)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        given = [(n, str(data.get(choice_field_name(n), "")).strip()) for n in range(MAX_CHOICES)]
        filled = [(n, text) for n, text in given if text]
        right = data.get("answer")
        positions = [n for n, _text in filled]
        if right not in positions:
            raise ValidationError({"answer": _("The right answer must be one you wrote.")})
        details = QuestionDetails(
            text=data["text"],
            choices=[text for _n, text in filled],
            answer=positions.index(right),
        )
        check_question(details)
        self.question_details = details
        return data

    def details(self) -> QuestionDetails:
        return self.question_details


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=Direction.choices)


def quiz_field_name(question: QuizQuestion) -> str:
    return f"q_{question.public_id.hex}"


class QuizForm(forms.Form):
    """One radio group per question; the choices are offered in the author's order."""

    def __init__(self, *args: Any, questions: Iterable[QuizQuestion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[quiz_field_name(question)] = forms.TypedChoiceField(
                label=question.text,
                coerce=int,
                widget=forms.RadioSelect,
                choices=list(enumerate(question.choices)),
                error_messages={"required": _("Choose an answer.")},
            )

    def answers(self) -> dict[int, int]:
        """{question id: index of the chosen answer}"""
        return {
            question.pk: self.cleaned_data[quiz_field_name(question)] for question in self.questions
        }
