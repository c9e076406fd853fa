"""The content library, posts and link clicks over the API.

Writes go through content/services.py and content/sharing.py: comms curate items; every post
is changed by its author only (sharing.NotAuthor, a 403), so comms read employees' published
posts and never write them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from advocacy.api.tenancy import Problem
from advocacy.api.viewsets import TenantViewSet
from advocacy.tenancy.models import MANAGE_ROLES

from .. import services, sharing
from ..models import ContentItem, Post, TrackedLink
from ..services import ItemDetails, PreviewEdits
from ..sharing import Intent, PostDraft
from .serializers import (
    OWN_POST_FIELDS,
    ContentItemFilters,
    ContentItemSerializer,
    ContentItemWriteSerializer,
    LinkClickFilters,
    LinkClicksSerializer,
    PostCreateSerializer,
    PostFilters,
    PostSerializer,
    PostWriteSerializer,
    ScheduleSerializer,
    shareable_items,
)

ITEM_EXAMPLE = {
    "kind": "job",
    "title": "We are hiring a data engineer in Aarhus",
    "url": "https://jobs.example.com/data-engineer",
    "is_company_content": True,
    "topics": ["Hiring", "Data"],
    "audience": {"locations": ["Aarhus"], "languages": ["da", "en"]},
    "captions": [
        "My team is looking for a data engineer. Come work with us!",
        "Know someone who loves pipelines? We are hiring in Aarhus.",
    ],
}


def _item_details(
    data: dict[str, Any], item: ContentItem | None
) -> tuple[ItemDetails, list[Any], list[str]]:
    """The service's ItemDetails, campaigns and captions: what was sent, over what the item
    has (a change leaves out what it does not name)."""
    current: dict[str, Any] = {}
    campaigns: list[Any] = []
    captions: list[str] = []
    teams: tuple[Any, ...] = ()
    topics: tuple[Any, ...] = ()
    locations: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    if item is not None:
        current = {name: getattr(item, name) for name in ItemDetails.field_names()}
        campaigns = list(item.campaigns.all())
        captions = [caption.text for caption in item.captions.all()]
        teams = tuple(item.audience_teams.all())
        topics = tuple(item.topics.all())
        locations, languages = tuple(item.locations), tuple(item.languages)
    columns: dict[str, Any] = {
        name: data[name] if name in data else current.get(name)
        for name in ItemDetails.field_names()
        if name in data or name in current
    }
    new_topics: tuple[str, ...] = ()
    if "topics" in data:
        topics, new_topics = (), tuple(data["topics"])
    audience = data.get("audience")
    if audience is not None:
        teams = tuple(audience.get("teams", teams))
        locations = tuple(audience.get("locations", locations))
        languages = tuple(audience.get("languages", languages))
    preview = None
    if data.get("preview"):
        edits = data["preview"]
        preview = PreviewEdits(
            title=edits.get("preview_title"),
            description=edits.get("preview_description"),
            site_name=edits.get("preview_site_name"),
        )
    details = ItemDetails(
        **columns,
        topics=topics,
        new_topics=new_topics,
        teams=teams,
        locations=locations,
        languages=languages,
        preview=preview,
    )
    return details, list(data.get("campaigns", campaigns)), list(data.get("captions", captions))


@extend_schema_view(
    list=extend_schema(
        summary="Library items",
        description="Comms, admins and facilitators see the whole library; everyone else the "
        "items they may share now (in the library, available, for their audience).",
        tags=["content"],
    ),
    retrieve=extend_schema(summary="A library item", tags=["content"]),
)
class ContentItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    model = ContentItem
    lookup_url_kwarg = "item_id"
    serializer_class = ContentItemSerializer
    filter_class = ContentItemFilters
    action_roles = {"create": MANAGE_ROLES, "partial_update": MANAGE_ROLES, "archive": MANAGE_ROLES}
    ordering_fields = {"created_at": "created_at", "updated_at": "updated_at", "title": "title"}
    default_ordering = "-created_at"
    http_method_names = ["get", "post", "patch", "head"]

    def narrow(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.membership.role not in MANAGE_ROLES:
            queryset = shareable_items(queryset, self.get_serializer_context())
        return queryset.prefetch_related("captions", "topics", "campaigns", "audience_teams")

    def _answer(self, item: ContentItem, code: int = status.HTTP_200_OK) -> Response:
        found = self.get_queryset().get(pk=item.pk)
        return Response(
            ContentItemSerializer(found, context=self.get_serializer_context()).data, status=code
        )

    @extend_schema(
        summary="Add a library item",
        request=ContentItemWriteSerializer,
        responses={201: ContentItemSerializer},
        examples=[OpenApiExample("A job opening", value=ITEM_EXAMPLE, request_only=True)],
        tags=["content"],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ContentItemWriteSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        details, campaigns, captions = _item_details(dict(serializer.validated_data), None)
        item = services.create_content_item(
            organization=self.organization,
            actor=request.user,
            details=details,
            campaigns=campaigns,
            captions=captions,
        )
        return self._answer(item, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a library item",
        description="Fields left out stay as they are; `captions`, `campaigns`, `topics` and "
        "the audience's lists replace the item's when given.",
        request=ContentItemWriteSerializer,
        responses=ContentItemSerializer,
        tags=["content"],
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        item = self.get_object()
        serializer = ContentItemWriteSerializer(
            item, data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        details, campaigns, captions = _item_details(dict(serializer.validated_data), item)
        item = services.update_content_item(
            organization=self.organization,
            item=item,
            actor=request.user,
            details=details,
            campaigns=campaigns,
            captions=captions,
        )
        return self._answer(item)

    @extend_schema(
        summary="Archive a library item",
        description="Employees stop seeing it; its posts and figures stay.",
        request=None,
        responses=ContentItemSerializer,
        tags=["content"],
    )
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        item = services.archive_content_item(
            organization=self.organization, item=self.get_object(), actor=request.user
        )
        return self._answer(item)


POST_EXAMPLE = {
    "content_item": "7d1c8a4e-52b3-4c7e-9e43-0d7a3f1f8b21",
    "text": "Proud of what my team built this year. We are hiring, come and join us!",
    "intent": "schedule",
    "scheduled_for": "2026-11-03T08:30:00+01:00",
}


@extend_schema_view(
    list=extend_schema(
        summary="Posts",
        description="Everyone sees their own posts; comms, admins and facilitators also see "
        "what others published (read-only: only an author changes a post).",
        tags=["posts"],
    ),
    retrieve=extend_schema(summary="A post", tags=["posts"]),
)
class PostViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    model = Post
    lookup_url_kwarg = "post_id"
    serializer_class = PostSerializer
    filter_class = PostFilters
    ordering_fields = {"created_at": "created_at", "updated_at": "updated_at"}
    default_ordering = "-created_at"
    http_method_names = ["get", "post", "patch", "delete", "head"]

    def narrow(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        visible = Q(author=self.membership)
        if self.membership.role in MANAGE_ROLES:
            visible |= Q(status=Post.Status.PUBLISHED)
        return queryset.filter(visible).select_related(
            "author__user", "content_item", "caption", "campaign"
        )

    def _answer(self, post: Post, code: int = status.HTTP_200_OK) -> Response:
        found = self.get_queryset().get(pk=post.pk)
        return Response(
            PostSerializer(found, context=self.get_serializer_context()).data, status=code
        )

    @extend_schema(
        summary="Write a post",
        description="A share of a library item in your own words, or an own post. "
        "`intent`: `draft` (the default) keeps it, `now` publishes it at once, `schedule` "
        "publishes it at `scheduled_for`.",
        request=PostCreateSerializer,
        responses={201: PostSerializer},
        examples=[OpenApiExample("Schedule a share", value=POST_EXAMPLE, request_only=True)],
        tags=["posts"],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = PostCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        post = sharing.create_post(
            organization=self.organization,
            author=self.membership,
            draft=PostDraft(
                text=data["text"],
                link_url=data.get("link_url", ""),
                link_title=data.get("link_title", ""),
                link_description=data.get("link_description", ""),
                is_company_content=data.get("is_company_content", False),
                visibility=data.get("visibility", Post.Visibility.PUBLIC),
            ),
            intent=data.get("intent", Intent.DRAFT),
            scheduled_for=data.get("scheduled_for"),
            content_item=data.get("content_item"),
            caption=data.get("caption"),
            form_key=data.get("idempotency_key"),
        )
        return self._answer(post, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a post (its author only)",
        description="A draft, a scheduled or a failed post. Fields left out stay as they are; "
        "without `intent` a scheduled post stays scheduled and any other becomes a draft.",
        request=PostWriteSerializer,
        responses=PostSerializer,
        tags=["posts"],
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        post = self.get_object()
        serializer = PostWriteSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if post.content_item_id is not None:
            given = [name for name in OWN_POST_FIELDS if name in data]
            if given:
                raise Problem(
                    "invalid",
                    _("Some fields are not valid."),
                    fields={name: [_("A share links to its library item.")] for name in given},
                )
        scheduled = post.status == Post.Status.SCHEDULED
        intent = data.get("intent", Intent.SCHEDULE if scheduled else Intent.DRAFT)
        when = data.get("scheduled_for", post.scheduled_for if intent == Intent.SCHEDULE else None)
        updated = sharing.update_post(
            post=post,
            actor=self.membership,
            draft=self._draft(post, data),
            intent=intent,
            scheduled_for=when,
        )
        return self._answer(updated)

    @staticmethod
    def _draft(post: Post, data: dict[str, Any]) -> PostDraft:
        return PostDraft(
            text=data.get("text", post.text),
            link_url=data.get("link_url", post.link_url),
            link_title=data.get("link_title", post.link_title),
            link_description=data.get("link_description", post.link_description),
            image_alt_text=post.image_alt_text,
            is_company_content=data.get("is_company_content", post.is_company_content),
            visibility=data.get("visibility", post.visibility),
        )

    @extend_schema(
        summary="Schedule a post (its author only)",
        request=ScheduleSerializer,
        responses=PostSerializer,
        examples=[
            OpenApiExample(
                "Tuesday morning",
                value={"scheduled_for": "2026-11-03T08:30:00+01:00"},
                request_only=True,
            )
        ],
        tags=["posts"],
    )
    @action(detail=True, methods=["post"])
    def schedule(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        post = self.get_object()
        serializer = ScheduleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        updated = sharing.update_post(
            post=post,
            actor=self.membership,
            draft=self._draft(post, {}),
            intent=Intent.SCHEDULE,
            scheduled_for=serializer.validated_data["scheduled_for"],
        )
        return self._answer(updated)

    @extend_schema(
        summary="Cancel a scheduled post (its author only)",
        description="Takes a scheduled or waiting post back to the drafts. 409 when it is "
        "already going out (or is not scheduled).",
        request=None,
        responses={200: PostSerializer, 409: OpenApiResponse(description="Not cancellable.")},
        tags=["posts"],
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        post = self.get_object()
        if not sharing.cancel_post(post=post, actor=self.membership):
            raise Problem(
                "not_cancellable",
                _("Only a scheduled or waiting post can be cancelled; this one is not."),
                status.HTTP_409_CONFLICT,
            )
        return self._answer(post)

    @extend_schema(
        summary="Delete a post (its author only)",
        description="A post never sent is gone (204). A published one is deleted on LinkedIn "
        "too: 202, and its status is `deleted`. 409 while it is being published.",
        responses={
            202: PostSerializer,
            204: OpenApiResponse(description="Discarded."),
            409: OpenApiResponse(description="Being published; try again in a minute."),
        },
        tags=["posts"],
    )
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        post = self.get_object()
        outcome = sharing.delete_post(post=post, actor=self.membership)
        if outcome == "discarded":
            return Response(status=status.HTTP_204_NO_CONTENT)
        if outcome == "refused":
            raise Problem(
                "being_published",
                _("It is being published right now; try again in a minute."),
                status.HTTP_409_CONFLICT,
            )
        return self._answer(post, status.HTTP_202_ACCEPTED)


@extend_schema_view(
    list=extend_schema(
        summary="Clicks on tracked links",
        description="Each tracked link with its clicks in the range (bots left out). Everyone "
        "sees their own posts' links; comms, admins and facilitators every published post's.",
        tags=["link clicks"],
    )
)
class LinkClickViewSet(mixins.ListModelMixin, TenantViewSet):
    model = TrackedLink
    serializer_class = LinkClicksSerializer
    filter_class = LinkClickFilters
    ordering_fields = {"clicks": "clicks_in_range", "created_at": "created_at"}
    default_ordering = "-clicks"

    def narrow(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        visible = Q(post__author=self.membership)
        if self.membership.role in MANAGE_ROLES:
            visible |= Q(post__status=Post.Status.PUBLISHED)
        return queryset.filter(visible).select_related("post")
