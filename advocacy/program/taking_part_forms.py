"""Forms of the pages on taking part, buddies and coaching.

A member is chosen by public id from the organization's own members, so an id from another
organization is a field error before any service runs. The lists offered are narrower (only
participants, only those without a buddy): nothing lists the people who chose not to take
part. The rules themselves (two different participants, neither already paired) are the
services'; their refusals come back as errors of these forms.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from advocacy.tenancy.models import Membership, Organization

from .buddies import members_of
from .coaching import MAX_FEEDBACK_LENGTH
from .models import BrandRiskFlag, Feedback


class MemberChoiceField(forms.ModelChoiceField):
    """A member of the organization, by public id."""

    default_error_messages = {
        "invalid_choice": _("Choose a colleague of this organization from the list."),
    }

    def __init__(self, **kwargs: Any) -> None:
        # Narrowed to the organization by the form: the default manager cannot be asked while
        # the class is being defined, outside any tenant scope.
        super().__init__(
            queryset=Membership.all_tenants.none(), to_field_name="public_id", **kwargs
        )

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


def _offer(field: forms.Field, organization: Organization, shown: Iterable[Membership]) -> None:
    """Validate against every active member of the organization, but offer only `shown`."""
    choice = cast(MemberChoiceField, field)
    choice.queryset = members_of(organization).active().select_related("user")
    choice.widget.choices = [
        ("", choice.empty_label or ""),
        *((str(member.public_id), member.display_name) for member in shown),
    ]


class JoinForm(forms.Form):
    show_on_leaderboard = forms.BooleanField(
        label=_("Also show my figures to leaders by name, on the leaderboard"),
        required=False,
        help_text=_("Optional. Without it, leaders see totals only. You can change it any time."),
    )


class LeaderboardForm(forms.Form):
    show_on_leaderboard = forms.BooleanField(
        label=_("Show my figures to leaders by name, on the leaderboard"), required=False
    )


class PairForm(forms.Form):
    first = MemberChoiceField(label=_("First participant"), empty_label=_("Choose someone"))
    second = MemberChoiceField(label=_("Second participant"), empty_label=_("Choose someone"))

    def __init__(
        self, *args: Any, organization: Organization, offered: list[Membership], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for name in ("first", "second"):
            _offer(self.fields[name], organization, offered)


class InviteForm(forms.Form):
    colleague = MemberChoiceField(
        label=_("Colleague"),
        empty_label=_("Choose a colleague"),
        help_text=_("Participants without a buddy. They can accept or decline."),
    )

    def __init__(
        self, *args: Any, organization: Organization, offered: list[Membership], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _offer(self.fields["colleague"], organization, offered)


class ReadRequestForm(forms.Form):
    reader = MemberChoiceField(label=_("Who should read it"), empty_label=_("Choose a reader"))
    message = forms.CharField(
        label=_("A note for the reader"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: what you would like them to look at."),
    )

    def __init__(
        self, *args: Any, organization: Organization, offered: list[Membership], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _offer(self.fields["reader"], organization, offered)


class WithdrawReadForm(forms.Form):
    read = forms.UUIDField(widget=forms.HiddenInput)


KIND_HELP = {
    Feedback.Kind.COMMENT: _("A thought for the author."),
    Feedback.Kind.SUGGESTION: _(
        "A wording you would propose. The author sees it and decides; it is never applied."
    ),
    Feedback.Kind.COACHING: _("Advice from the communications team, private to the author."),
}


class FeedbackForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), widget=forms.RadioSelect)
    body = forms.CharField(
        label=_("Your comment"),
        max_length=MAX_FEEDBACK_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Only the author sees it (coaching also the communications team)."),
    )

    def __init__(self, *args: Any, kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["kind"])
        field.choices = [
            (kind, f"{Feedback.Kind(kind).label}: {KIND_HELP[Feedback.Kind(kind)]}")
            for kind in kinds
        ]
        if kinds:
            field.initial = kinds[0]
        if len(kinds) == 1:
            field.widget = forms.HiddenInput()


class FlagForm(forms.Form):
    reason = forms.CharField(
        label=_("What is the risk?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The author reads this. Only for real brand damage: otherwise, coach instead."),
    )


class WithdrawFlagForm(forms.Form):
    note = forms.CharField(
        label=_("Why it is withdrawn"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FlagFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *BrandRiskFlag.Status.choices],
    )
