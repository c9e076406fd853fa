"""The program's goals and their progress, read-only (the program's pages change them)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins

from advocacy.api.viewsets import TenantViewSet

from ..models import Goal
from .serializers import GoalFilters, GoalSerializer


@extend_schema_view(
    list=extend_schema(
        summary="The program's goals",
        description="Each goal with its progress, computed as the growth report computes "
        "its figure.",
        tags=["goals"],
    ),
    retrieve=extend_schema(summary="A goal and its progress", tags=["goals"]),
)
class GoalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    model = Goal
    lookup_url_kwarg = "goal_id"
    serializer_class = GoalSerializer
    filter_class = GoalFilters
    ordering_fields = {"deadline": "deadline", "starts_on": "starts_on", "created_at": "created_at"}
    default_ordering = "deadline"
    # Each goal's progress is a growth report of its own: pages stay small.
    page_size = 20
    max_page_size = 50
