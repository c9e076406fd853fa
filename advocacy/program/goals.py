"""Goals' progress, computed from the same figures as the growth report (METRICS.md).

A goal measures one figure from its start day to its deadline. Its progress is the figure
over the days from the start to today (or to the deadline, once it has passed), against the
target; "on track" compares that with the share of the goal's time that has gone by.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from advocacy.tenancy.models import Organization
from analytics.growth import GrowthReport, growth_report, round_one
from analytics.rollups import today_of

from .models import Goal


@dataclass(frozen=True)
class GoalProgress:
    goal: Goal
    value: float | None  # the figure so far; None when it cannot be computed yet
    through: dt.date  # the last day counted
    elapsed_pct: float  # of the goal's time, 0-100

    @property
    def target(self) -> float:
        return float(self.goal.target)

    @property
    def reached_pct(self) -> float | None:
        """How much of the target the figure has reached, in percent (may exceed 100)."""
        if self.value is None or not self.goal.target:
            return None
        return round_one(Decimal(str(self.value)) * 100 / self.goal.target)

    @property
    def met(self) -> bool:
        return self.value is not None and Decimal(str(self.value)) >= self.goal.target

    @property
    def on_track(self) -> bool | None:
        """Whether the figure keeps pace with the time gone by (None before there is one)."""
        reached = self.reached_pct
        if reached is None:
            return None
        return self.met or reached >= self.elapsed_pct

    @property
    def finished(self) -> bool:
        return self.through >= self.goal.deadline


def value_of(metric: str, report: GrowthReport) -> float | None:
    """A goal's figure from a growth report over the goal's days so far."""
    if metric == Goal.Metric.POSTS_PER_WEEK:
        weeks = Decimal((report.end - report.start).days + 1) / 7
        if not report.participants or not weeks:
            return None
        return round_one(Decimal(report.posts) / report.participants / weeks)
    value = getattr(report, metric)
    return None if value is None else float(value)


def progress_of(
    goal: Goal, organization: Organization, *, today: dt.date | None = None
) -> GoalProgress:
    """The goal's figure from its start to today (or its deadline), computed as the report
    computes it."""
    today = today or today_of(organization)
    through = min(max(today, goal.starts_on), goal.deadline)
    report = growth_report(organization, goal.starts_on, through)
    total_days = (goal.deadline - goal.starts_on).days or 1
    elapsed = round_one(Decimal((through - goal.starts_on).days) * 100 / total_days)
    return GoalProgress(
        goal=goal, value=value_of(goal.metric, report), through=through, elapsed_pct=elapsed
    )
