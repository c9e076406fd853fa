"""The program's goals over the API, read-only, each with its progress (goals.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from advocacy.api.serializers import PublicIdField
from advocacy.api.viewsets import Filters
from analytics.rollups import today_of

from ..goals import progress_of
from ..models import Goal


class GoalProgressSerializer(serializers.Serializer):
    value = serializers.FloatField(
        allow_null=True, help_text="The figure so far; null when it cannot be computed yet."
    )
    through = serializers.DateField(help_text="The last day counted.")
    elapsed_pct = serializers.FloatField(help_text="Of the goal's time, 0 to 100.")
    reached_pct = serializers.FloatField(
        allow_null=True, help_text="Of the target (may exceed 100)."
    )
    met = serializers.BooleanField()
    on_track = serializers.BooleanField(allow_null=True)
    finished = serializers.BooleanField()


class GoalSerializer(serializers.Serializer):
    id = PublicIdField()
    title = serializers.CharField(read_only=True)
    metric = serializers.ChoiceField(choices=Goal.Metric.choices, read_only=True)
    target = serializers.DecimalField(max_digits=12, decimal_places=1, read_only=True)
    starts_on = serializers.DateField(read_only=True)
    deadline = serializers.DateField(read_only=True)
    progress = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)

    @extend_schema_field(GoalProgressSerializer)
    def get_progress(self, goal: Goal) -> dict[str, Any]:
        progress = progress_of(goal, self.context["organization"])
        return {
            "value": progress.value,
            "through": progress.through,
            "elapsed_pct": progress.elapsed_pct,
            "reached_pct": progress.reached_pct,
            "met": progress.met,
            "on_track": progress.on_track,
            "finished": progress.finished,
        }


class GoalFilters(Filters):
    metric = serializers.ChoiceField(choices=Goal.Metric.choices, required=False)
    finished = serializers.BooleanField(
        required=False, help_text="Goals whose deadline has passed, or not."
    )

    def apply(self, queryset: Any, data: Mapping[str, Any]) -> Any:
        if "metric" in data:
            queryset = queryset.filter(metric=data["metric"])
        if "finished" in data:
            today = today_of(self.context["organization"])
            queryset = (
                queryset.filter(deadline__lte=today)
                if data["finished"]
                else queryset.filter(deadline__gt=today)
            )
        return queryset
