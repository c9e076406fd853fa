from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from advocacy.tenancy.audience_form import AudienceFormMixin
from advocacy.tenancy.lists import PublicIdsField, choice_of
from advocacy.tenancy.models import Organization, Team
from advocacy.tenancy.querysets import TenantQuerySet
from campaigns.models import Campaign

from . import previews
from .images import MAX_UPLOAD_BYTES, validate_upload
from .models import (
    MAX_CAPTIONS,
    MAX_COMMENTARY_LENGTH,
    CampaignItem,
    Caption,
    ContentItem,
    FeedSource,
    ItemAudienceTeam,
    ItemTopic,
    Post,
    Topic,
)
from .querysets import ContentItemQuerySet, PostQuerySet
from .services import (
    TOPIC_NAME_LENGTH,
    BulkAction,
    FeedBulkAction,
    FeedDetails,
    ItemDetails,
    PreviewEdits,
    duplicate_feed_message,
)
from .sharing import Intent, PostDraft

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
# Kinds that are nothing without the page they point at.
KINDS_NEEDING_A_LINK: frozenset[str] = frozenset({ContentItem.Kind.ARTICLE, ContentItem.Kind.JOB})


class LinkField(forms.URLField):
    """A web address; one typed without a scheme gets https://, as Django 6 will do."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(assume_scheme="https", **kwargs)


def caption_field_name(position: int) -> str:
    return f"caption_{position + 1}"


class ImageUploadField(forms.FileField):
    """An image for LinkedIn: JPEG, PNG or GIF, within the size limits (content/images.py)."""

    widget = forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/gif"})

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if upload and upload is not initial and hasattr(upload, "size"):
            validate_upload(upload, upload.size)
        return upload


IMAGE_HELP = _("JPEG, PNG or GIF, up to %(limit)s MB.") % {
    "limit": MAX_UPLOAD_BYTES // 1024 // 1024
}
PREVIEW_FIELDS = ("preview_title", "preview_description", "preview_site_name", "preview_image")


class ContentItemForm(AudienceFormMixin, forms.ModelForm):
    """An item of the library with its campaigns, topics and audience (this organization's
    only), its captions, its image and its link preview as comms may correct it."""

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
            "url": _("An http:// or https:// address."),
            "available_from": _("Leave empty to make it available at once."),
            "available_until": _("Leave empty to keep it available until you archive it."),
            "featured": _("Featured items come first on every employee's dashboard."),
        }

    image = ImageUploadField(
        label=_("Image"),
        required=False,
        help_text=_("An image item is this picture; other kinds may have one too. %(formats)s")
        % {"formats": IMAGE_HELP},
    )
    new_topics = forms.CharField(
        label=_("New topics"),
        required=False,
        max_length=1000,
        help_text=_(
            "Separated by commas, for example Hiring, Sustainability. A topic that exists "
            "already is ticked instead."
        ),
    )
    # With their hidden initial values, so a change is judged against what the page showed:
    # a fetch that finished meanwhile is not taken for comms' edit, nor undone by it.
    preview_title = forms.CharField(
        label=_("Preview title"),
        max_length=previews.TITLE_LENGTH,
        required=False,
        show_hidden_initial=True,
    )
    preview_description = forms.CharField(
        label=_("Preview description"),
        max_length=previews.DESCRIPTION_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        show_hidden_initial=True,
    )
    preview_site_name = forms.CharField(
        label=_("Site name"),
        max_length=previews.SITE_NAME_LENGTH,
        required=False,
        show_hidden_initial=True,
    )
    preview_image = ImageUploadField(label=_("Preview image"), required=False, help_text=IMAGE_HELP)

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
        self.fields["topics"] = forms.ModelMultipleChoiceField(
            label=_("Topics"),
            queryset=Topic.objects.for_org(organization).order_by("name"),
            to_field_name="public_id",
            required=False,
            widget=forms.CheckboxSelectMultiple,
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
        stored: ContentItem | None = self.instance if self.instance.pk else None
        if stored is None:
            self.add_audience_fields(organization)
            return
        self.add_audience_fields(
            organization,
            teams=ItemAudienceTeam.objects.for_org(organization)
            .filter(content_item=stored)
            .values_list("team__public_id", flat=True),
            locations=stored.locations,
            languages=stored.languages,
        )
        self.initial["campaigns"] = list(
            CampaignItem.objects.for_org(organization)
            .filter(content_item=stored)
            .values_list("campaign__public_id", flat=True)
        )
        self.initial["topics"] = list(
            ItemTopic.objects.for_org(organization)
            .filter(content_item=stored)
            .values_list("topic__public_id", flat=True)
        )
        texts = (
            Caption.objects.for_org(organization)
            .filter(content_item=stored)
            .order_by("position")
            .values_list("text", flat=True)
        )
        for position, text in enumerate(texts[:MAX_CAPTIONS]):
            self.initial[caption_field_name(position)] = text
        self.initial["image"] = stored.image or None
        self.initial["preview_title"] = stored.preview_title
        self.initial["preview_description"] = stored.preview_description
        self.initial["preview_site_name"] = stored.preview_site_name
        self.initial["preview_image"] = stored.preview_image or None

    def caption_fields(self) -> list[forms.BoundField]:
        return [self[caption_field_name(position)] for position in range(MAX_CAPTIONS)]

    def preview_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in PREVIEW_FIELDS]

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"]
        if url and urlsplit(url).scheme.lower() not in {"http", "https"}:
            raise ValidationError(
                _("Use an http:// or https:// address: employees share pages of the web."),
                code="scheme",
            )
        return url

    def clean_new_topics(self) -> list[str]:
        names: list[str] = []
        for part in self.cleaned_data["new_topics"].split(","):
            name = " ".join(part.split())
            if len(name) > TOPIC_NAME_LENGTH:
                raise ValidationError(
                    _("“%(name)s” is longer than %(limit)d characters."),
                    code="topic_too_long",
                    params={"name": name, "limit": TOPIC_NAME_LENGTH},
                )
            if name and name.casefold() not in {known.casefold() for known in names}:
                names.append(name)
        return names

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        starts, ends = cleaned.get("available_from"), cleaned.get("available_until")
        if starts and ends and ends <= starts:
            self.add_error(
                "available_until",
                _("“Available until” must be later than “available from”."),
            )
        kind = cleaned.get("kind")
        if kind in KINDS_NEEDING_A_LINK and not cleaned.get("url") and "url" not in self.errors:
            self.add_error("url", _("Add the link for an article or a job opening."))
        if (
            kind == ContentItem.Kind.IMAGE
            and not cleaned.get("image")
            and "image" not in self.errors
        ):
            self.add_error("image", _("Add the picture: an image item is shared as its image."))
        if self._preview_written() and not cleaned.get("url") and "url" not in self.errors:
            self.add_error("url", _("Add the link the preview is for."))
        return cleaned

    def _preview_changes(self) -> list[str]:
        return [name for name in PREVIEW_FIELDS if name in self.changed_data]

    def _preview_written(self) -> bool:
        """Whether comms wrote some preview (clearing one needs no link)."""
        return any(self.cleaned_data.get(name) for name in self._preview_changes())

    def preview_edits(self) -> PreviewEdits | None:
        """The parts of the preview comms changed from what the page showed them; a fetch
        that finished meanwhile keeps the parts they left alone."""
        changes = self._preview_changes()
        data = self.cleaned_data
        if not changes or not data.get("url"):
            return None
        image = data.get("preview_image")

        def text(name: str) -> str | None:
            return data[name] if name in changes else None

        return PreviewEdits(
            title=text("preview_title"),
            description=text("preview_description"),
            site_name=text("preview_site_name"),
            image=image if isinstance(image, UploadedFile) else None,
            remove_image=image is False,
        )

    def details(self) -> ItemDetails:
        data = self.cleaned_data
        image = data.get("image")
        return ItemDetails(
            **{name: data[name] for name in ItemDetails.field_names()},
            image=image if isinstance(image, UploadedFile) else None,
            remove_image=image is False,
            topics=tuple(data["topics"]),
            new_topics=tuple(data["new_topics"]),
            preview=self.preview_edits(),
            **self.cleaned_audience(),
        )

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
        self.fields["campaign"] = choice_of(
            Campaign.objects.for_org(organization).order_by("name"),
            label=_("Campaign"),
            empty_label=_("Any campaign"),
        )
        self.fields["topic"] = choice_of(
            Topic.objects.for_org(organization).order_by("name"),
            label=_("Topic"),
            empty_label=_("Any topic"),
        )
        self.fields["team"] = choice_of(
            Team.objects.for_org(organization).order_by("name"),
            label=_("For team"),
            empty_label=_("Any team"),
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
        if data.get("topic"):
            items = items.about(data["topic"])
        if data.get("team"):
            items = items.for_team(data["team"])
        source = data.get("source")
        if source == self.FROM_ANY_FEED:
            items = items.filter(source_feed__isnull=False)
        elif source == self.ADDED_BY_HAND:
            items = items.filter(source_feed__isnull=True)
        elif source:
            items = items.filter(source_feed__public_id=source)
        return items


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


# Employees' posts ------------------------------------------------------------------------------

DUPLICATE_NUDGE = _(
    "A colleague already posted exactly this text from the same item. People listen to your "
    "own words: make it yours, or tick the box below to post it as it is."
)


def normalized(text: str) -> str:
    """Text as the duplicate nudge compares it: case and spacing do not make it different."""
    return " ".join(text.split()).casefold()


class PostForm(forms.Form):
    """The composer: a share of an item in the employee's words, or an own post."""

    ACTIONS = [
        (Intent.NOW, _("Share now")),
        (Intent.SCHEDULE, _("Schedule")),
        (Intent.DRAFT, _("Save as draft")),
    ]

    form_key = forms.UUIDField(widget=forms.HiddenInput, required=False)
    caption = forms.UUIDField(widget=forms.HiddenInput, required=False)
    # No max_length here: clean_text says how far over the limit a text is, with the numbers
    # written as people read them, and the text stays in the box to be shortened.
    text = forms.CharField(
        label=_("What you want to say"),
        widget=forms.Textarea(
            attrs={
                "rows": 10,
                "data-limit": MAX_COMMENTARY_LENGTH,
                "aria-describedby": "text-count",
            }
        ),
        error_messages={"required": _("Write something: a post needs some text.")},
    )
    link_url = LinkField(
        label=_("Link"),
        required=False,
        max_length=2000,
        validators=[
            # A code of its own, so the field's "Enter a valid URL." does not replace it.
            URLValidator(
                schemes=["http", "https"],
                message=_("Use a web address that starts with http:// or https://."),
                code="scheme",
            )
        ],
        help_text=_("Optional. LinkedIn shows it as a card under your text."),
    )
    link_title = forms.CharField(label=_("Link title"), max_length=300, required=False)
    link_description = forms.CharField(
        label=_("Link description"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    image = ImageUploadField(
        label=_("Image"),
        required=False,
        help_text=_("Optional. JPEG, PNG or GIF, up to %(limit)s MB.")
        % {"limit": MAX_UPLOAD_BYTES // 1024 // 1024},
    )
    image_alt_text = forms.CharField(
        label=_("Image description"),
        max_length=300,
        required=False,
        help_text=_("What the image shows, for people who cannot see it."),
    )
    is_company_content = forms.BooleanField(
        label=_("This post is about the company (its news, jobs or products)"), required=False
    )
    visibility = forms.ChoiceField(
        label=_("Who can see it"),
        choices=Post.Visibility.choices,
        initial=Post.Visibility.PUBLIC,
        widget=forms.RadioSelect,
    )
    scheduled_for = forms.DateTimeField(
        label=_("Publish at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=_("In your organization's time zone."),
    )
    action = forms.ChoiceField(choices=ACTIONS, initial=Intent.NOW, widget=forms.HiddenInput)
    confirm_duplicate = forms.BooleanField(label=_("Post it as it is anyway"), required=False)

    OWN_POST_FIELDS = (
        "link_url",
        "link_title",
        "link_description",
        "image",
        "image_alt_text",
        "is_company_content",
    )

    def __init__(
        self,
        *args: Any,
        own_post: bool,
        colleague_texts: frozenset[str] = frozenset(),
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.own_post = own_post
        self.colleague_texts = colleague_texts
        self.duplicate_nudge = False
        if not own_post:
            for name in self.OWN_POST_FIELDS:
                del self.fields[name]

    def clean_text(self) -> str:
        text: str = self.cleaned_data["text"]
        if len(text) > MAX_COMMENTARY_LENGTH:
            raise ValidationError(
                _(
                    "LinkedIn allows at most %(limit)s characters; this text has %(length)s. "
                    "Shorten it by %(over)s."
                )
                % {
                    "limit": number_format(MAX_COMMENTARY_LENGTH, force_grouping=True),
                    "length": number_format(len(text), force_grouping=True),
                    "over": number_format(len(text) - MAX_COMMENTARY_LENGTH, force_grouping=True),
                },
                code="max_length",
            )
        return text

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        scheduling = cleaned.get("action") == Intent.SCHEDULE
        when = cleaned.get("scheduled_for")
        if scheduling and "scheduled_for" not in self.errors:
            if when is None:
                self.add_error("scheduled_for", _("Choose when it should be published."))
            elif when <= timezone.now():
                self.add_error(
                    "scheduled_for", _("That time has passed. Choose a time in the future.")
                )
        text = cleaned.get("text") or ""
        if (
            text
            and normalized(text) in self.colleague_texts
            and not cleaned.get("confirm_duplicate")
        ):
            self.duplicate_nudge = True
            self.add_error("text", DUPLICATE_NUDGE)
        described = cleaned.get("link_title") or cleaned.get("link_description")
        if described and not cleaned.get("link_url") and "link_url" not in self.errors:
            self.add_error("link_url", _("Add the link the title and description are for."))
        return cleaned

    def draft(self) -> PostDraft:
        data = self.cleaned_data
        image = data.get("image")
        return PostDraft(
            text=data["text"],
            link_url=data.get("link_url", ""),
            link_title=data.get("link_title", ""),
            link_description=data.get("link_description", ""),
            image=image or None,
            remove_image=image is False,
            image_alt_text=data.get("image_alt_text", ""),
            is_company_content=bool(data.get("is_company_content")),
            visibility=data["visibility"],
        )


class MyPostsFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, widget=forms.SearchInput)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Post.Status.choices]
    )

    def apply(self, posts: PostQuerySet) -> PostQuerySet:
        self.is_valid()
        data = self.cleaned_data
        text = data.get("q", "").strip()
        if text:
            posts = posts.filter(text__icontains=text)
        if data.get("status"):
            posts = posts.filter(status=data["status"])
        return posts


class MyPostsBulkForm(forms.Form):
    ACTIONS = [
        ("cancel", _("Back to drafts (scheduled posts)")),
        ("discard", _("Discard (drafts)")),
    ]
    action = forms.ChoiceField(label=_("With the selected posts"), choices=ACTIONS)
    posts = PublicIdsField(error_messages={"required": _("Select at least one post.")})


class PublishedPostsFilterForm(forms.Form):
    """The comms view of what employees published: everything scoped to the organization."""

    SHARES = "shares"
    OWN = "own"

    q = forms.CharField(label=_("Search"), required=False, widget=forms.SearchInput)
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[
            ("", _("Shares and own posts")),
            (SHARES, _("Shares of the library")),
            (OWN, _("Own posts")),
        ],
    )
    about = forms.ChoiceField(
        label=_("Company or other"),
        required=False,
        choices=[("", _("Both")), ("company", _("About the company")), ("other", _("Other"))],
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"] = choice_of(
            Team.objects.for_org(organization).order_by("name"),
            label=_("Team"),
            empty_label=_("Any team"),
        )
        self.fields["campaign"] = choice_of(
            Campaign.objects.for_org(organization).order_by("name"),
            label=_("Campaign"),
            empty_label=_("Any campaign"),
        )

    def apply(self, posts: PostQuerySet) -> PostQuerySet:
        self.is_valid()
        data = self.cleaned_data
        posts = posts.search(data.get("q", ""))
        if data.get("kind") == self.SHARES:
            posts = posts.filter(content_item__isnull=False)
        elif data.get("kind") == self.OWN:
            posts = posts.filter(content_item__isnull=True)
        if data.get("about") == "company":
            posts = posts.filter(is_company_content=True)
        elif data.get("about") == "other":
            posts = posts.filter(is_company_content=False)
        if data.get("team"):
            posts = posts.filter(author__team=data["team"])
        if data.get("campaign"):
            posts = posts.filter(campaign=data["campaign"])
        return posts
