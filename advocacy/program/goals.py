"""Goals' progress, computed from the same figures as the growth report (docs/metrics.md).

A goal measures one figure from its start day to its deadline. Its progress is the figure
over the days from the start to today (or to the deadline, once it has passed), against the
target; "on track" compares that with the share of the goal's time that has gone by.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from advocacy.tenancy.models import Organization
from analytics.growth import MAX_RANGE_DAYS, GrowthReport, growth_report, round_one
from analytics.rollups import today_of

from .charter import charter_changes, labels_of, lock_charter, record_charter_change
from .models import Goal

if TYPE_CHECKING:
    from advocacy.accounts.models import User

ONE_PLACE = Decimal("0.1")


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


def goals_progress(
    organization: Organization, *, today: dt.date | None = None
) -> list[GoalProgress]:
    """Every goal of the organization with its progress, the nearest deadline first."""
    today = today or today_of(organization)
    return [
        progress_of(goal, organization, today=today)
        for goal in Goal.objects.for_org(organization).order_by("deadline", "id")
    ]


PERCENT_METRICS = frozenset(
    {
        Goal.Metric.COMPANY_FOLLOWER_GROWTH,
        Goal.Metric.EMPLOYEE_FOLLOWER_GROWTH,
        Goal.Metric.PARTICIPATION,
    }
)


@dataclass(frozen=True)
class GoalRow:
    """A goal's progress as a page shows it."""

    progress: GoalProgress
    started: bool

    @property
    def goal(self) -> Goal:
        return self.progress.goal

    @property
    def percent(self) -> bool:
        return self.goal.metric in PERCENT_METRICS

    @property
    def bar(self) -> float:
        """The share of the target reached, kept within the bar's 0 to 100."""
        reached = self.progress.reached_pct
        return 0.0 if reached is None else min(max(reached, 0.0), 100.0)


def goal_rows(progress: list[GoalProgress], today: dt.date) -> list[GoalRow]:
    """Goals' progress with what a page needs to show it."""
    return [GoalRow(progress=p, started=today >= p.goal.starts_on) for p in progress]


# Writes ------------------------------------------------------------------------------------

# Participation is a share of the participants; posts a week beyond this are not a goal.
MAX_PERCENT = Decimal("100")
MAX_POSTS_PER_WEEK = Decimal("50")
GOAL_FIELDS = ("title", "metric", "target", "starts_on", "deadline")


@dataclass(frozen=True)
class GoalDetails:
    title: str
    metric: str
    target: Decimal | None
    starts_on: dt.date | None
    deadline: dt.date | None


def check_goal(
    organization: Organization,
    details: GoalDetails,
    *,
    goal: Goal | None = None,
    today: dt.date | None = None,
) -> None:
    """Refuse a goal that cannot be measured, with a message at the field to blame: no name,
    no target, a target the figure cannot have, no start, a deadline not after the start or
    already past (a goal kept as it was may keep its past deadline), more than five years."""
    today = today or today_of(organization)
    errors: dict[str, str] = {}
    if not details.title.strip():
        errors["title"] = _("Give the goal a name.")
    if details.metric not in Goal.Metric.values:
        errors["metric"] = _("Choose a figure from the list.")
    target = details.target
    if target is None:
        errors["target"] = _("Set a target: without one the goal cannot be measured.")
    elif target <= 0:
        errors["target"] = _("Set a target above zero.")
    elif details.metric == Goal.Metric.PARTICIPATION and target > MAX_PERCENT:
        errors["target"] = _("Participation is the share of participants who post: at most 100 %.")
    elif details.metric == Goal.Metric.POSTS_PER_WEEK and target > MAX_POSTS_PER_WEEK:
        errors["target"] = _("Set at most %(n)s posts a week per participant.") % {
            "n": MAX_POSTS_PER_WEEK
        }
    starts_on, deadline = details.starts_on, details.deadline
    if starts_on is None:
        errors["starts_on"] = _("Give the day the goal counts from.")
    if deadline is None:
        errors["deadline"] = _("Give the goal a deadline.")
    elif starts_on is not None and deadline <= starts_on:
        errors["deadline"] = _("The deadline must come after the start (%(start)s).") % {
            "start": date_format(starts_on, "DATE_FORMAT")
        }
    elif (goal is None or deadline != goal.deadline) and deadline < today:
        errors["deadline"] = _("That day has passed: choose today (%(today)s) or a later day.") % {
            "today": date_format(today, "DATE_FORMAT")
        }
    elif starts_on is not None and (deadline - starts_on).days + 1 > MAX_RANGE_DAYS:
        errors["deadline"] = _("A goal spans at most five years.")
    if errors:
        raise ValidationError(errors)


def _goal_state(goal: Goal | None) -> dict[str, Any]:
    if goal is None:
        return {}
    return {f"goal.{name}": getattr(goal, name) for name in GOAL_FIELDS}


def _goal_columns(details: GoalDetails) -> dict[str, Any]:
    assert details.target is not None  # checked by check_goal
    return {
        "title": details.title.strip(),
        "metric": details.metric,
        "target": Decimal(details.target).quantize(ONE_PLACE),
        "starts_on": details.starts_on,
        "deadline": details.deadline,
    }


def create_goal(*, organization: Organization, actor: User | None, details: GoalDetails) -> Goal:
    """Add a measurable goal to the charter."""
    check_goal(organization, details)
    with transaction.atomic():
        lock_charter(organization)
        goal: Goal = Goal.objects.for_org(organization).create(
            organization=organization, created_by=actor, **_goal_columns(details)
        )
        record_charter_change(
            organization=organization,
            actor=actor,
            action="charter.goal_added",
            summary=_("Added the goal “%(title)s”") % {"title": goal.title},
            changes=charter_changes({}, _goal_state(goal)),
            data={"goal": str(goal.public_id)},
        )
    return goal


def update_goal(
    *, organization: Organization, actor: User | None, goal: Goal, details: GoalDetails
) -> bool:
    """Change a goal's name, figure, target or days; False when nothing changed."""
    with transaction.atomic():
        lock_charter(organization)
        stored: Goal = Goal.objects.for_org(organization).select_for_update().get(pk=goal.pk)
        check_goal(organization, details, goal=stored)
        before = _goal_state(stored)
        for name, value in _goal_columns(details).items():
            setattr(stored, name, value)
        changes = charter_changes(before, _goal_state(stored))
        if not changes:
            return False
        stored.save(update_fields=list(GOAL_FIELDS))
        record_charter_change(
            organization=organization,
            actor=actor,
            action="charter.goal_changed",
            summary=_("Changed the goal “%(title)s”: %(fields)s")
            % {"title": stored.title, "fields": labels_of(changes)},
            changes=changes,
            data={"goal": str(stored.public_id)},
        )
    return True


def delete_goal(*, organization: Organization, actor: User | None, goal: Goal) -> bool:
    """Take a goal off the charter; False if it was gone already."""
    with transaction.atomic():
        lock_charter(organization)
        stored: Goal | None = (
            Goal.objects.for_org(organization).select_for_update().filter(pk=goal.pk).first()
        )
        if stored is None:
            return False
        changes = charter_changes(_goal_state(stored), dict.fromkeys(_goal_state(stored)))
        stored.delete()
        record_charter_change(
            organization=organization,
            actor=actor,
            action="charter.goal_deleted",
            summary=_("Deleted the goal “%(title)s”") % {"title": goal.title},
            changes=changes,
            data={"goal": str(goal.public_id)},
        )
    return True
