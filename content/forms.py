from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from advocacy.tenancy.models import Organization
from advocacy.tenancy.querysets import TenantQuerySet
from campaigns.models import Campaign

from .models import (
    MAX_CAPTIONS,
    MAX_COMMENTARY_LENGTH,
    CampaignItem,
    Caption,
    ContentItem,
    FeedSource,
)
from .querysets import ContentItemQuerySet
from .services import (
    BulkAction,
    FeedBulkAction,
    FeedDetails,
    ItemDetails,
    duplicate_feed_message,
)

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
# Kinds that are nothing without the page they point at.
KINDS_NEEDING_A_LINK: frozenset[str] = frozenset({ContentItem.Kind.ARTICLE, ContentItem.Kind.JOB})


class LinkField(forms.URLField):
    """A web address; one typed without a scheme gets https://, as Django 6 will do."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(assume_scheme="https", **kwargs)


def caption_field_name(position: int) -> str:
    return f"caption_{position + 1}"


class ContentItemForm(forms.ModelForm):
    """An item of the library, its campaigns (this organization's only) and its captions."""

    class Meta:
        model = ContentItem
        fields = ItemDetails.field_names()
        field_classes = {"url": LinkField}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "available_from": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format=DATETIME_LOCAL
            ),
            "available_until": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format=DATETIME_LOCAL
            ),
        }
        help_texts = {
            "available_from": _("Leave empty to make it available at once."),
            "available_until": _("Leave empty to keep it available until you archive it."),
            "featured": _("Featured items come first on every employee's dashboard."),
        }

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        # Built here, not on the class, so the choices are this organization's from the start.
        self.fields["campaigns"] = forms.ModelMultipleChoiceField(
            label=_("Campaigns"),
            queryset=Campaign.objects.for_org(organization).order_by("name"),
            to_field_name="public_id",
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text=_("Employees see items of live campaigns near the top of their dashboard."),
        )
        for position in range(MAX_CAPTIONS):
            self.fields[caption_field_name(position)] = forms.CharField(
                label=_("Suggested caption %(number)d") % {"number": position + 1},
                max_length=MAX_COMMENTARY_LENGTH,
                required=False,
                strip=True,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=_(
                    "Up to %(limit)s characters, LinkedIn's limit. Write it so people can "
                    "make it their own."
                )
                % {"limit": f"{MAX_COMMENTARY_LENGTH:,}"},
            )
        if self.instance.pk:
            self.initial["campaigns"] = list(
                CampaignItem.objects.for_org(organization)
                .filter(content_item=self.instance)
                .values_list("campaign__public_id", flat=True)
            )
            texts = (
                Caption.objects.for_org(organization)
                .filter(content_item=self.instance)
                .order_by("position")
                .values_list("text", flat=True)
            )
            for position, text in enumerate(texts[:MAX_CAPTIONS]):
                self.initial[caption_field_name(position)] = text

    def caption_fields(self) -> list[forms.BoundField]:
        return [self[caption_field_name(position)] for position in range(MAX_CAPTIONS)]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        starts, ends = cleaned.get("available_from"), cleaned.get("available_until")
        if starts and ends and ends <= starts:
            self.add_error(
                "available_until",
                _("“Available until” must be later than “available from”."),
            )
        if cleaned.get("kind") in KINDS_NEEDING_A_LINK and not cleaned.get("url"):
            self.add_error("url", _("Add the link for an article or a job opening."))
        return cleaned

    def details(self) -> ItemDetails:
        return ItemDetails(**{name: self.cleaned_data[name] for name in ItemDetails.field_names()})

    def captions(self) -> list[str]:
        """The filled-in captions, in order; empty boxes are skipped."""
        texts = (self.cleaned_data.get(caption_field_name(p), "") for p in range(MAX_CAPTIONS))
        return [text for text in texts if text]


class LibraryFilterForm(forms.Form):
    ABOUT_COMPANY = "company"
    ABOUT_OTHER = "other"
    FROM_ANY_FEED = "feeds"
    ADDED_BY_HAND = "hand"

    q = forms.CharField(label=_("Search"), required=False, widget=forms.SearchInput)
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("Any kind")), *ContentItem.Kind.choices],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Draft or in the library")), *ContentItem.Status.choices],
    )
    about = forms.ChoiceField(
        label=_("Company or other"),
        required=False,
        choices=[
            ("", _("Both")),
            (ABOUT_COMPANY, _("About the company")),
            (ABOUT_OTHER, _("Other: industry, tips, personal")),
        ],
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"] = forms.ModelChoiceField(
            label=_("Campaign"),
            queryset=Campaign.objects.for_org(organization).order_by("name"),
            to_field_name="public_id",
            required=False,
            empty_label=_("Any campaign"),
        )
        # Choices rather than a model field: "any feed" and "by hand" sit beside the feeds.
        feeds = (
            FeedSource.objects.for_org(organization)
            .order_by("name")
            .values_list("public_id", "name")
        )
        self.fields["source"] = forms.ChoiceField(
            label=_("Source"),
            required=False,
            choices=[
                ("", _("Any source")),
                (self.FROM_ANY_FEED, _("From a feed")),
                (self.ADDED_BY_HAND, _("Added by hand")),
                *[(str(pk), _("From “%(name)s”") % {"name": name}) for pk, name in feeds],
            ],
        )

    def apply(self, items: ContentItemQuerySet) -> ContentItemQuerySet:
        """Narrow `items` by the valid filters; an invalid one is shown as an error instead."""
        self.is_valid()
        data = self.cleaned_data
        items = items.search(data.get("q", ""))
        if data.get("kind"):
            items = items.filter(kind=data["kind"])
        status = data.get("status")
        items = items.filter(status=status) if status else items.not_archived()
        if data.get("about") == self.ABOUT_COMPANY:
            items = items.filter(is_company_content=True)
        elif data.get("about") == self.ABOUT_OTHER:
            items = items.filter(is_company_content=False)
        if data.get("campaign"):
            items = items.filter(campaigns=data["campaign"])
        source = data.get("source")
        if source == self.FROM_ANY_FEED:
            items = items.filter(source_feed__isnull=False)
        elif source == self.ADDED_BY_HAND:
            items = items.filter(source_feed__isnull=True)
        elif source:
            items = items.filter(source_feed__public_id=source)
        return items


class PublicIdsField(forms.Field):
    """A list of public ids from repeated form values (checkboxes named alike)."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Select at least one item."),
        "invalid": _("The selection could not be read. Reload the page and try again."),
    }

    def to_python(self, value: Any) -> list[uuid.UUID]:
        if not value:
            return []
        try:
            return [uuid.UUID(str(raw)) for raw in value]
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class BulkActionForm(forms.Form):
    action = forms.ChoiceField(label=_("With the selected items"), choices=BulkAction.choices)
    items = PublicIdsField()


# Feeds -----------------------------------------------------------------------------------


class FeedForm(forms.ModelForm):
    """A feed of the organization: its address must be the web's and not read by another."""

    class Meta:
        model = FeedSource
        fields = FeedDetails.field_names()
        field_classes = {"url": LinkField}
        labels = {"is_active": _("Check it for new entries")}
        help_texts = {
            "name": _("How comms know it here, e.g. “Company blog” or “Job board”."),
            "url": _("The address of the RSS or Atom feed itself, not of the page that shows it."),
            "default_kind": _("New entries become drafts of this kind."),
            "is_active": _("Checked every half hour; pause it to stop new drafts."),
        }

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"]
        if urlsplit(url).scheme.lower() not in {"http", "https"}:
            raise ValidationError(
                _("Use an http:// or https:// address: feeds are read over the web."),
                code="scheme",
            )
        existing = (
            FeedSource.objects.for_org(self.organization)
            .filter(url=url)
            .exclude(pk=self.instance.pk)
            .first()
        )
        if existing is not None:
            raise ValidationError(duplicate_feed_message(existing), code="duplicate")
        return url

    def details(self) -> FeedDetails:
        return FeedDetails(**{name: self.cleaned_data[name] for name in FeedDetails.field_names()})


class FeedFilterForm(forms.Form):
    POLLED = "polled"
    PAUSED = "paused"

    q = forms.CharField(label=_("Search"), required=False, widget=forms.SearchInput)
    state = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Polled or paused")), (POLLED, _("Polled")), (PAUSED, _("Paused"))],
    )
    kind = forms.ChoiceField(
        label=_("New items are"),
        required=False,
        choices=[("", _("Any kind")), *(FeedSource._meta.get_field("default_kind").choices or ())],
    )

    def apply(self, feeds: TenantQuerySet[Any]) -> TenantQuerySet[Any]:
        """Narrow `feeds` by the valid filters; the search looks in names and addresses."""
        self.is_valid()
        data = self.cleaned_data
        text = data.get("q", "").strip()
        if text:
            feeds = feeds.filter(Q(name__icontains=text) | Q(url__icontains=text))
        if data.get("state") == self.POLLED:
            feeds = feeds.filter(is_active=True)
        elif data.get("state") == self.PAUSED:
            feeds = feeds.filter(is_active=False)
        if data.get("kind"):
            feeds = feeds.filter(default_kind=data["kind"])
        return feeds


class FeedBulkActionForm(forms.Form):
    action = forms.ChoiceField(label=_("With the selected feeds"), choices=FeedBulkAction.choices)
    feeds = PublicIdsField(error_messages={"required": _("Select at least one feed.")})
