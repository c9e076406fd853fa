"""The caller and their organizations; members and teams (admins change them)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Q, QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from advocacy.api.models import ApiToken
from advocacy.api.tenancy import ORGANIZATION_PARAMETER
from advocacy.api.viewsets import TenantAPIView, TenantViewSet, UserViewSet

from .. import services
from ..models import ADMIN_ROLES, MANAGE_ROLES, REPORT_ROLES, Membership, Team
from .serializers import (
    MemberFilters,
    MemberSerializer,
    MeSerializer,
    MyOrganizationSerializer,
    OrganizationFilters,
    TeamFilters,
    TeamSerializer,
)

STAFF_AND_LEADERS = MANAGE_ROLES | REPORT_ROLES


class MeView(TenantAPIView):
    @extend_schema(
        summary="Who is calling",
        description="The user, and the organization and membership (role, team) the request "
        "acts with: a token's own, or the session's organization.",
        responses=MeSerializer,
        tags=["me"],
    )
    def get(self, request: Request) -> Response:
        token = request.auth if isinstance(request.auth, ApiToken) else None
        caller = {"user": self.membership.user, "membership": self.membership, "token": token}
        return Response(MeSerializer(caller, context=self.get_serializer_context()).data)


@extend_schema_view(
    list=extend_schema(
        summary="My organizations",
        description="The organizations the caller is an active member of, with their role. "
        "A token lists its own organization only.",
        tags=["me"],
    )
)
class OrganizationViewSet(mixins.ListModelMixin, UserViewSet):
    serializer_class = MyOrganizationSerializer
    filter_class = OrganizationFilters
    ordering_fields = {"name": "organization_name", "joined_at": "joined_at"}
    default_ordering = "name"

    def get_queryset(self) -> QuerySet[Any]:
        # The user's own memberships, across organizations on purpose.
        memberships = (
            Membership.all_tenants.filter(user=self.request.user, is_active=True)
            .select_related("organization", "team")
            .annotate(organization_name=F("organization__name"))
        )
        token_membership = getattr(self.request.auth, "membership", None)
        if token_membership is not None:
            memberships = memberships.filter(pk=token_membership.pk)
        return memberships

    def allowed_query_parameters(self) -> set[str]:
        return super().allowed_query_parameters() - {ORGANIZATION_PARAMETER}


class MemberViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, TenantViewSet
):
    """The organization's members, for its admins."""

    model = Membership
    lookup_url_kwarg = "member_id"
    roles = ADMIN_ROLES
    serializer_class = MemberSerializer
    filter_class = MemberFilters
    ordering_fields = {"email": "email", "joined_at": "joined_at"}
    default_ordering = "email"
    http_method_names = ["get", "patch", "post", "head"]

    def narrow(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("user", "team", "organization").annotate(
            email=F("user__email")
        )

    @extend_schema(summary="Change a member's role, team, title or location", tags=["members"])
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        member = self.get_object()
        serializer = MemberSerializer(
            member, data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.update_member(
            membership=member,
            actor=request.user,
            role=data.get("role", member.role),
            team=data.get("team", member.team),
            title=data.get("title", member.title),
            location=data.get("location", member.location),
        )
        return Response(MemberSerializer(self.get_object(), context=serializer.context).data)

    @extend_schema(
        summary="Deactivate a member",
        description="Takes their access away at once: their session and API tokens stop "
        "working. Their posts and figures stay.",
        request=None,
        responses=MemberSerializer,
        tags=["members"],
    )
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        member = self.get_object()
        services.deactivate_member(membership=member, actor=request.user)
        return Response(
            MemberSerializer(self.get_object(), context=self.get_serializer_context()).data
        )

    @extend_schema(
        summary="Reactivate a member", request=None, responses=MemberSerializer, tags=["members"]
    )
    @action(detail=True, methods=["post"])
    def reactivate(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        member = self.get_object()
        services.reactivate_member(membership=member, actor=request.user)
        return Response(
            MemberSerializer(self.get_object(), context=self.get_serializer_context()).data
        )


@extend_schema_view(
    list=extend_schema(summary="Teams", tags=["teams"]),
    retrieve=extend_schema(summary="A team", tags=["teams"]),
    destroy=extend_schema(
        summary="Delete a team",
        description="Its members stay in the organization, without a team.",
        tags=["teams"],
    ),
)
class TeamViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, TenantViewSet
):
    """Teams: staff and leaders read them, admins change them."""

    model = Team
    lookup_url_kwarg = "team_id"
    roles = STAFF_AND_LEADERS
    action_roles = {"create": ADMIN_ROLES, "partial_update": ADMIN_ROLES, "destroy": ADMIN_ROLES}
    serializer_class = TeamSerializer
    filter_class = TeamFilters
    ordering_fields = {"name": "name", "created_at": "created_at"}
    default_ordering = "name"
    http_method_names = ["get", "post", "patch", "delete", "head"]

    def narrow(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.annotate(
            member_count=Count("memberships", filter=Q(memberships__is_active=True))
        )

    @extend_schema(
        summary="Add a team",
        examples=[OpenApiExample("A team", value={"name": "Sales Aarhus"}, request_only=True)],
        tags=["teams"],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = TeamSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        team = services.create_team(
            organization=self.organization,
            name=serializer.validated_data["name"],
            actor=request.user,
        )
        found = self.get_queryset().get(pk=team.pk)
        return Response(TeamSerializer(found).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Rename a team", tags=["teams"])
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        team = self.get_object()
        serializer = TeamSerializer(
            team, data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        if "name" in serializer.validated_data:
            services.rename_team(
                team=team, name=serializer.validated_data["name"], actor=request.user
            )
        return Response(TeamSerializer(self.get_object()).data)

    def perform_destroy(self, instance: Team) -> None:
        services.delete_team(team=instance, actor=self.request.user)
