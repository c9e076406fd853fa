"""The API's view of users, organizations, members and teams."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from rest_framework import serializers

from advocacy.api.serializers import PublicIdField, StrictSerializer, TenantRelatedField
from advocacy.api.viewsets import Filters

from ..models import Role, Team


class UserSummarySerializer(serializers.Serializer):
    id = PublicIdField()
    email = serializers.EmailField(read_only=True)
    name = serializers.CharField(read_only=True)


class TeamSummarySerializer(serializers.Serializer):
    id = PublicIdField()
    name = serializers.CharField(read_only=True)


class OrganizationSerializer(serializers.Serializer):
    id = PublicIdField()
    slug = serializers.SlugField(read_only=True, help_text="The address in /o/<slug>/.")
    name = serializers.CharField(read_only=True)
    time_zone = serializers.CharField(read_only=True)
    language = serializers.CharField(read_only=True)
    currency = serializers.CharField(read_only=True)


class MyOrganizationSerializer(serializers.Serializer):
    """One of the caller's organizations, with their place in it."""

    organization = OrganizationSerializer(read_only=True)
    membership = PublicIdField(help_text="The caller's membership (a member's id).")
    role = serializers.ChoiceField(choices=Role.choices, read_only=True)
    team = TeamSummarySerializer(read_only=True, allow_null=True)


class MyMembershipSerializer(serializers.Serializer):
    id = PublicIdField()
    role = serializers.ChoiceField(choices=Role.choices, read_only=True)
    team = TeamSummarySerializer(read_only=True, allow_null=True)
    title = serializers.CharField(read_only=True)
    location = serializers.CharField(read_only=True)
    opted_in_at = serializers.DateTimeField(read_only=True, allow_null=True)
    show_on_leaderboard = serializers.BooleanField(read_only=True)


class TokenSummarySerializer(serializers.Serializer):
    id = PublicIdField()
    name = serializers.CharField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)


class MeSerializer(serializers.Serializer):
    """The caller, and the organization and membership this request acts with."""

    id = PublicIdField(source="user.public_id", help_text="The user's id.")
    email = serializers.EmailField(source="user.email", read_only=True)
    name = serializers.CharField(source="user.name", read_only=True)
    language = serializers.CharField(source="user.language", read_only=True)
    organization = OrganizationSerializer(source="membership.organization", read_only=True)
    membership = MyMembershipSerializer(read_only=True)
    token = TokenSummarySerializer(
        read_only=True,
        allow_null=True,
        help_text="The token this request came with; null with a browser session.",
    )


class MemberSerializer(StrictSerializer):
    """A member as an admin sees and changes them (role, team, title, location)."""

    id = PublicIdField()
    user = UserSummarySerializer(read_only=True)
    role = serializers.ChoiceField(choices=Role.choices)
    team = TenantRelatedField(Team, allow_null=True)
    title = serializers.CharField(max_length=150, allow_blank=True)
    location = serializers.CharField(max_length=100, allow_blank=True)
    language = serializers.CharField(
        read_only=True, help_text="A language code, or empty to follow the organization's."
    )
    is_active = serializers.BooleanField(read_only=True)
    joined_at = serializers.DateTimeField(read_only=True)
    opted_in_at = serializers.DateTimeField(read_only=True, allow_null=True)
    deactivated_at = serializers.DateTimeField(read_only=True, allow_null=True)


class MemberFilters(Filters):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    team = TenantRelatedField(Team, required=False, help_text="A team's id.")
    active = serializers.BooleanField(required=False, help_text="Active or deactivated members.")
    q = serializers.CharField(
        required=False, max_length=200, help_text="Part of the name or email address."
    )

    def apply(self, queryset: Any, data: Any) -> Any:
        if "role" in data:
            queryset = queryset.filter(role=data["role"])
        if "team" in data:
            queryset = queryset.filter(team=data["team"])
        if "active" in data:
            queryset = queryset.filter(is_active=data["active"])
        if data.get("q"):
            queryset = queryset.filter(
                Q(user__name__icontains=data["q"]) | Q(user__email__icontains=data["q"])
            )
        return queryset


class TeamSerializer(StrictSerializer):
    id = PublicIdField()
    name = serializers.CharField(max_length=100)
    member_count = serializers.IntegerField(read_only=True, help_text="Active members.")
    created_at = serializers.DateTimeField(read_only=True)

    def validate_name(self, value: str) -> str:
        value = value.strip()
        if not value:
            raise serializers.ValidationError("A team needs a name.")
        return value


class OrganizationFilters(Filters):
    role = serializers.ChoiceField(
        choices=Role.choices, required=False, help_text="Only where the caller has this role."
    )

    def apply(self, queryset: Any, data: Any) -> Any:
        if "role" in data:
            queryset = queryset.filter(role=data["role"])
        return queryset


class TeamFilters(Filters):
    q = serializers.CharField(required=False, max_length=100, help_text="Part of the name.")

    def apply(self, queryset: Any, data: Any) -> Any:
        if data.get("q"):
            queryset = queryset.filter(name__icontains=data["q"])
        return queryset
