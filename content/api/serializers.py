"""The API's view of the content library, of posts and of tracked-link clicks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from advocacy.api.serializers import (
    PublicIdField,
    StrictSerializer,
    TenantRelatedField,
    organization_of,
)
from advocacy.api.viewsets import Filters
from advocacy.tenancy.models import Team
from campaigns.models import Campaign

from ..models import MAX_CAPTIONS, MAX_COMMENTARY_LENGTH, Caption, ContentItem, Post, Topic
from ..querysets import ContentItemQuerySet
from ..services import TOPIC_NAME_LENGTH
from ..sharing import Intent
from .clicks import with_click_counts

MAX_TOPICS = 20
NULLABLE_URI = {"type": "string", "format": "uri", "nullable": True}
MAX_AUDIENCE_ENTRIES = 20


def _file_url(context: Mapping[str, Any], file: Any) -> str | None:
    if not file:
        return None
    request = context.get("request")
    url: str = file.url
    return request.build_absolute_uri(url) if request is not None else url


def shareable_items(queryset: QuerySet[Any], context: Mapping[str, Any]) -> QuerySet[Any]:
    """Items the member may share: in the library, available now, for their audience."""
    items = cast(ContentItemQuerySet, queryset)
    return items.available(context["now"]).for_member(context["membership"])


# Content items -----------------------------------------------------------------------------


class CaptionSerializer(serializers.Serializer):
    id = PublicIdField()
    text = serializers.CharField(read_only=True)
    position = serializers.IntegerField(read_only=True)


class AudienceSerializer(StrictSerializer):
    """Who an item or a campaign is for; an empty list means everyone."""

    teams = TenantRelatedField(Team, many=True, required=False)
    locations = serializers.ListField(
        child=serializers.CharField(max_length=100), max_length=MAX_AUDIENCE_ENTRIES, required=False
    )
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=settings.LANGUAGES),
        max_length=MAX_AUDIENCE_ENTRIES,
        required=False,
    )


class PreviewSerializer(StrictSerializer):
    """The link card LinkedIn shows for the item's link (fetched, or written by hand)."""

    status = serializers.CharField(source="preview_status", read_only=True)
    title = serializers.CharField(
        source="preview_title", max_length=300, allow_blank=True, required=False
    )
    description = serializers.CharField(
        source="preview_description", allow_blank=True, required=False
    )
    site_name = serializers.CharField(
        source="preview_site_name", max_length=200, allow_blank=True, required=False
    )
    image = serializers.SerializerMethodField()

    @extend_schema_field(NULLABLE_URI)
    def get_image(self, item: ContentItem) -> str | None:
        return _file_url(self.context, item.preview_image)


class ContentItemSerializer(serializers.Serializer):
    id = PublicIdField()
    kind = serializers.ChoiceField(choices=ContentItem.Kind.choices, read_only=True)
    status = serializers.ChoiceField(choices=ContentItem.Status.choices, read_only=True)
    title = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    url = serializers.CharField(read_only=True)
    is_company_content = serializers.BooleanField(read_only=True)
    language = serializers.CharField(read_only=True)
    available_from = serializers.DateTimeField(read_only=True, allow_null=True)
    available_until = serializers.DateTimeField(read_only=True, allow_null=True)
    featured = serializers.BooleanField(read_only=True)
    image = serializers.SerializerMethodField()
    image_alt_text = serializers.CharField(read_only=True)
    topics = serializers.SerializerMethodField()
    campaigns = serializers.SerializerMethodField()
    audience = serializers.SerializerMethodField()
    preview = serializers.SerializerMethodField()
    captions = CaptionSerializer(many=True, read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    @extend_schema_field(NULLABLE_URI)
    def get_image(self, item: ContentItem) -> str | None:
        return _file_url(self.context, item.image)

    def get_topics(self, item: ContentItem) -> list[str]:
        return [topic.name for topic in item.topics.all()]

    @extend_schema_field(serializers.ListField(child=serializers.UUIDField()))
    def get_campaigns(self, item: ContentItem) -> list[str]:
        return [str(campaign.public_id) for campaign in item.campaigns.all()]

    @extend_schema_field(AudienceSerializer)
    def get_audience(self, item: ContentItem) -> dict[str, Any]:
        return {
            "teams": [str(team.public_id) for team in item.audience_teams.all()],
            "locations": item.locations,
            "languages": item.languages,
        }

    @extend_schema_field(PreviewSerializer)
    def get_preview(self, item: ContentItem) -> dict[str, Any]:
        return PreviewSerializer(item, context=self.context).data


class ContentItemWriteSerializer(StrictSerializer):
    """What comms send to add or change a library item (images are uploaded on the web)."""

    kind = serializers.ChoiceField(choices=ContentItem.Kind.choices, required=False)
    status = serializers.ChoiceField(choices=ContentItem.Status.choices, required=False)
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(allow_blank=True, required=False, max_length=10_000)
    url = serializers.URLField(max_length=2000, allow_blank=True, required=False)
    is_company_content = serializers.BooleanField(required=False)
    language = serializers.ChoiceField(
        choices=[("", "any"), *settings.LANGUAGES], allow_blank=True, required=False
    )
    available_from = serializers.DateTimeField(allow_null=True, required=False)
    available_until = serializers.DateTimeField(allow_null=True, required=False)
    featured = serializers.BooleanField(required=False)
    image_alt_text = serializers.CharField(max_length=300, allow_blank=True, required=False)
    topics = serializers.ListField(
        child=serializers.CharField(max_length=TOPIC_NAME_LENGTH),
        max_length=MAX_TOPICS,
        required=False,
        help_text="Topic names; a new name adds the topic.",
    )
    campaigns = TenantRelatedField(Campaign, many=True, required=False)
    audience = AudienceSerializer(required=False)
    captions = serializers.ListField(
        child=serializers.CharField(max_length=MAX_COMMENTARY_LENGTH),
        max_length=MAX_CAPTIONS,
        required=False,
        help_text="Suggested captions, at most three; replaces the item's.",
    )
    preview = PreviewSerializer(required=False, help_text="A link card written by hand.")

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        instance: ContentItem | None = self.instance
        start = data.get("available_from", getattr(instance, "available_from", None))
        end = data.get("available_until", getattr(instance, "available_until", None))
        if start and end and end <= start:
            raise serializers.ValidationError(
                {"available_until": [_("The end of availability comes after its start.")]}
            )
        return data


class ContentItemFilters(Filters):
    status = serializers.ChoiceField(choices=ContentItem.Status.choices, required=False)
    kind = serializers.ChoiceField(choices=ContentItem.Kind.choices, required=False)
    q = serializers.CharField(
        max_length=200, required=False, help_text="Part of the title or description."
    )
    campaign = TenantRelatedField(Campaign, required=False, help_text="A campaign's id.")
    topic = serializers.CharField(
        max_length=TOPIC_NAME_LENGTH, required=False, help_text="A topic's name."
    )
    featured = serializers.BooleanField(required=False)
    company = serializers.BooleanField(required=False, help_text="About the company, or not.")

    def apply(self, queryset: Any, data: Mapping[str, Any]) -> Any:
        for name, column in (
            ("status", "status"),
            ("kind", "kind"),
            ("featured", "featured"),
            ("company", "is_company_content"),
        ):
            if name in data:
                queryset = queryset.filter(**{column: data[name]})
        if data.get("q"):
            queryset = queryset.search(data["q"])
        if "campaign" in data:
            queryset = queryset.filter(campaigns=data["campaign"])
        if data.get("topic"):
            topic = (
                Topic.objects.for_org(organization_of(self.context))
                .filter(name__iexact=data["topic"])
                .first()
            )
            queryset = queryset.about(topic) if topic is not None else queryset.none()
        return queryset


# Posts -------------------------------------------------------------------------------------


class AuthorSerializer(serializers.Serializer):
    id = PublicIdField(help_text="The author's member id.")
    name = serializers.CharField(source="display_name", read_only=True)


class FiguresSerializer(serializers.Serializer):
    """The post's latest collected figures; null where nothing was collected."""

    impressions = serializers.IntegerField(read_only=True, allow_null=True)
    members_reached = serializers.IntegerField(read_only=True, allow_null=True)
    reactions = serializers.IntegerField(read_only=True, allow_null=True)
    comments = serializers.IntegerField(read_only=True, allow_null=True)
    reshares = serializers.IntegerField(read_only=True, allow_null=True)
    engagements = serializers.IntegerField(read_only=True, allow_null=True)
    updated_at = serializers.DateTimeField(
        source="metrics_updated_at", read_only=True, allow_null=True
    )


class PostSerializer(serializers.Serializer):
    id = PublicIdField()
    author = AuthorSerializer(read_only=True)
    content_item = TenantRelatedField(ContentItem, read_only=True, allow_null=True)
    caption = TenantRelatedField(Caption, read_only=True, allow_null=True)
    campaign = TenantRelatedField(Campaign, read_only=True, allow_null=True)
    text = serializers.CharField(read_only=True)
    link_url = serializers.CharField(read_only=True)
    link_title = serializers.CharField(read_only=True)
    link_description = serializers.CharField(read_only=True)
    is_company_content = serializers.BooleanField(read_only=True)
    visibility = serializers.ChoiceField(choices=Post.Visibility.choices, read_only=True)
    status = serializers.ChoiceField(choices=Post.Status.choices, read_only=True)
    scheduled_for = serializers.DateTimeField(read_only=True, allow_null=True)
    published_at = serializers.DateTimeField(read_only=True, allow_null=True)
    linkedin_url = serializers.CharField(source="feed_url", read_only=True)
    waiting_reason = serializers.CharField(read_only=True, help_text="Why it has not gone out yet.")
    failure_reason = serializers.CharField(read_only=True, help_text="Why publishing failed.")
    figures = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    @extend_schema_field(FiguresSerializer)
    def get_figures(self, post: Post) -> dict[str, Any]:
        return FiguresSerializer(post).data


OWN_POST_FIELDS = ("link_url", "link_title", "link_description", "is_company_content")


class PostWriteSerializer(StrictSerializer):
    """The author's words and when they go out. `intent`: draft (default), now, schedule."""

    text = serializers.CharField(max_length=MAX_COMMENTARY_LENGTH, trim_whitespace=False)
    intent = serializers.ChoiceField(choices=Intent.ALL, required=False)
    scheduled_for = serializers.DateTimeField(
        allow_null=True, required=False, help_text="When it goes out, with intent=schedule."
    )
    visibility = serializers.ChoiceField(choices=Post.Visibility.choices, required=False)
    link_url = serializers.URLField(max_length=2000, allow_blank=True, required=False)
    link_title = serializers.CharField(max_length=300, allow_blank=True, required=False)
    link_description = serializers.CharField(max_length=2000, allow_blank=True, required=False)
    is_company_content = serializers.BooleanField(required=False)


class PostCreateSerializer(PostWriteSerializer):
    """A share of a library item in the author's words (`content_item`, optionally the
    `caption` started from), or an own post (with its own link)."""

    content_item = TenantRelatedField(
        ContentItem, narrow=shareable_items, allow_null=True, required=False
    )
    caption = TenantRelatedField(Caption, allow_null=True, required=False)
    idempotency_key = serializers.UUIDField(
        required=False,
        help_text="Sent twice with the same key, the request makes one post (and answers "
        "it again).",
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        item = data.get("content_item")
        caption = data.get("caption")
        if caption is not None and (item is None or caption.content_item_id != item.pk):
            raise serializers.ValidationError(
                {"caption": [_("Choose one of the shared item's captions.")]}
            )
        if item is not None:
            given = [name for name in OWN_POST_FIELDS if name in data]
            if given:
                raise serializers.ValidationError(
                    {name: [_("A share links to its library item.")] for name in given}
                )
        return data


class ScheduleSerializer(StrictSerializer):
    scheduled_for = serializers.DateTimeField(help_text="When it goes out (in the future).")


class PostFilters(Filters):
    status = serializers.ChoiceField(choices=Post.Status.choices, required=False)
    mine = serializers.BooleanField(
        required=False, help_text="Only the caller's own posts (staff also see others')."
    )
    campaign = TenantRelatedField(Campaign, required=False, help_text="A campaign's id.")
    content_item = TenantRelatedField(ContentItem, required=False, help_text="An item's id.")
    q = serializers.CharField(max_length=200, required=False, help_text="Part of the text.")

    def apply(self, queryset: Any, data: Mapping[str, Any]) -> Any:
        if "status" in data:
            queryset = queryset.filter(status=data["status"])
        if data.get("mine"):
            queryset = queryset.filter(author=self.context["membership"])
        elif data.get("mine") is False:
            queryset = queryset.exclude(author=self.context["membership"])
        if "campaign" in data:
            queryset = queryset.filter(campaign=data["campaign"])
        if "content_item" in data:
            queryset = queryset.filter(content_item=data["content_item"])
        if data.get("q"):
            queryset = queryset.filter(text__icontains=data["q"])
        return queryset


# Link clicks -------------------------------------------------------------------------------


class LinkClicksSerializer(serializers.Serializer):
    """A tracked link's clicks (bots left out) within the range asked for."""

    id = PublicIdField(help_text="The tracked link's id.")
    post = TenantRelatedField(Post, read_only=True)
    short_url = serializers.SerializerMethodField()
    destination = serializers.CharField(read_only=True)
    clicks = serializers.IntegerField(source="clicks_in_range", read_only=True)
    unique_clicks = serializers.IntegerField(
        read_only=True, help_text="Distinct visitors per day, summed over the days."
    )
    last_clicked_at = serializers.DateTimeField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)

    @extend_schema_field(OpenApiTypes.URI)
    def get_short_url(self, link: Any) -> str:
        return f"{settings.SITE_URL}/l/{link.code}"


class LinkClickFilters(Filters):
    since = serializers.DateField(required=False, help_text="Clicks on or after this day.")
    until = serializers.DateField(required=False, help_text="Clicks on or before this day.")
    post = TenantRelatedField(Post, required=False, help_text="A post's id.")
    campaign = TenantRelatedField(Campaign, required=False, help_text="A campaign's id.")

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            raise serializers.ValidationError({"until": [_("The end is before the start.")]})
        return data

    def apply(self, queryset: Any, data: Mapping[str, Any]) -> Any:
        if "post" in data:
            queryset = queryset.filter(post=data["post"])
        if "campaign" in data:
            queryset = queryset.filter(post__campaign=data["campaign"])
        return with_click_counts(
            queryset, organization_of(self.context), data.get("since"), data.get("until")
        )
