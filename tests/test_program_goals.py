"""The charter's goals: refused when they cannot be measured, and their progress is the growth
report's figure for the same days, wherever it is shown (charter, dashboard, report)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from advocacy.linkedin.services import connect_member
from advocacy.program.goals import progress_of
from advocacy.program.models import CharterVersion, Goal
from advocacy.tenancy.models import AuditEntry, Membership
from analytics.growth import growth_report
from analytics.models import MemberFollowers, PageFollowers, Source
from analytics.rollups import recompute_range

from .conftest import Cast
from .factories import GoalFactory, PostFactory

pytestmark = pytest.mark.django_db
START, TODAY, DEADLINE = date(2026, 10, 1), date(2026, 10, 16), date(2026, 12, 31)
NOW = datetime(2026, 10, 16, 10, tzinfo=UTC)


def url(name: str, org: str = "acme", **kwargs: Any) -> str:
    return reverse(f"program:{name}", kwargs={"org_slug": org, **kwargs})


def goal_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Company page +15 % by New Year",
        "metric": "company_follower_growth_pct",
        "target": "15",
        "starts_on": "2026-10-01",
        "deadline": "2026-12-31",
    }
    data.update(overrides)
    return data


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


@pytest.fixture
def program(cast: Cast, frozen) -> None:
    """Emma, Carol and Leo take part; the page grew 10 %, Emma 15 % and Carol 5 %; Emma
    posted twice and Leo once."""
    Membership.all_tenants.filter(
        organization=cast.acme, user__in=[cast.emma, cast.carol, cast.leo]
    ).update(opted_in_at=timezone.now())
    people = {
        name: cast.membership(getattr(cast, name), cast.acme) for name in ("emma", "carol", "leo")
    }
    for name in ("emma", "carol"):
        connect_member(
            user=getattr(cast, name),
            sub=f"m-{name}",
            scopes="openid,profile,w_member_social",
            access_token=f"token-{name}",
            expires_in=5_000_000,
        )
    PageFollowers.all_tenants.create(organization=cast.acme, day=date(2026, 9, 28), followers=1000)
    PageFollowers.all_tenants.create(organization=cast.acme, day=date(2026, 10, 15), followers=1100)
    for name, first, last in (("emma", 200, 230), ("carol", 400, 420)):
        for day, count in ((START, first), (date(2026, 10, 15), last)):
            MemberFollowers.all_tenants.create(
                organization=cast.acme,
                membership=people[name],
                day=day,
                followers=count,
                source=Source.API,
            )
    PostFactory(author=people["emma"], published_at=noon(date(2026, 10, 2)), impressions=800)
    PostFactory(author=people["emma"], published_at=noon(date(2026, 10, 9)), impressions=400)
    PostFactory(author=people["leo"], published_at=noon(date(2026, 10, 12)), impressions=300)
    # Before the goal's start: in no figure of it.
    PostFactory(author=people["leo"], published_at=noon(date(2026, 9, 20)), impressions=5000)
    recompute_range(organization=cast.acme, start=date(2026, 9, 1), end=TODAY)


def acme_goals() -> list[Goal]:
    return list(Goal.all_tenants.filter(organization__slug="acme"))


# Progress equals the report ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        (Goal.Metric.COMPANY_FOLLOWER_GROWTH, 10.0),
        (Goal.Metric.EMPLOYEE_FOLLOWER_GROWTH, 10.0),
        (Goal.Metric.PARTICIPATION, 66.7),
        (Goal.Metric.NEW_FOLLOWERS_PER_POST, 25.0),
        (Goal.Metric.IMPRESSIONS, 1500.0),
        (Goal.Metric.CLICKS, 0.0),
    ],
)
def test_a_goals_value_is_the_growth_reports_figure(cast: Cast, program, metric, expected):
    goal = GoalFactory(organization=cast.acme, metric=metric, starts_on=START, deadline=DEADLINE)
    progress = progress_of(goal, cast.acme)
    report = growth_report(cast.acme, START, TODAY)
    assert progress.through == TODAY
    assert progress.value == getattr(report, metric)
    assert progress.value == expected


def test_posts_per_week_are_the_reports_posts_per_participant_and_week(cast: Cast, program):
    goal = GoalFactory(organization=cast.acme, metric="posts_per_week", target=1, starts_on=START)
    report = growth_report(cast.acme, START, TODAY)
    weeks = ((TODAY - START).days + 1) / 7
    assert report.posts == 3
    assert report.participants == 3
    assert progress_of(goal, cast.acme).value == round(
        report.posts / report.participants / weeks, 1
    )


def test_a_finished_goal_counts_to_its_deadline(cast: Cast, program):
    goal = GoalFactory(
        organization=cast.acme,
        metric="impressions",
        starts_on=date(2026, 9, 1),
        deadline=date(2026, 9, 30),
        target=4000,
    )
    progress = progress_of(goal, cast.acme)
    assert progress.through == date(2026, 9, 30)
    assert (
        progress.value == growth_report(cast.acme, date(2026, 9, 1), date(2026, 9, 30)).impressions
    )
    assert progress.value == 5000.0
    assert (progress.finished, progress.met, progress.elapsed_pct) == (True, True, 100.0)


def test_on_track_compares_the_target_reached_with_the_time_gone_by(cast: Cast, program):
    easy = GoalFactory(organization=cast.acme, target=15, starts_on=START, deadline=DEADLINE)
    hard = GoalFactory(organization=cast.acme, target=100, starts_on=START, deadline=DEADLINE)
    # 15 of the 91 days are behind us.
    assert progress_of(easy, cast.acme).elapsed_pct == 16.5
    assert (progress_of(easy, cast.acme).reached_pct, progress_of(easy, cast.acme).on_track) == (
        66.7,
        True,
    )
    assert (progress_of(hard, cast.acme).reached_pct, progress_of(hard, cast.acme).on_track) == (
        10.0,
        False,
    )


def goal_value_shown(page: str, goal: Goal) -> str:
    """The figure shown in a goal's card (the same partial on every page)."""
    card = page[page.index(f'id="goal-{goal.public_id}"') :]
    match = re.search(r'class="goal__value">([^<]*)</span>', card)
    assert match, "the goal's figure is not on the page"
    return match.group(1)


def test_the_charter_dashboard_and_report_show_the_reports_figure(cast: Cast, client_for, program):
    goal = GoalFactory(
        organization=cast.acme, title="Page +15 %", target=15, starts_on=START, deadline=DEADLINE
    )
    participation = GoalFactory(
        organization=cast.acme, title="Most of us post", metric="participation_pct", target=80
    )
    figure = growth_report(cast.acme, START, TODAY).company_follower_growth_pct
    assert figure == 10.0
    pages = {
        "charter": client_for(cast.emma).get(url("charter")),
        "dashboard": client_for(cast.emma).get("/o/acme/"),
        "report": client_for(cast.leo).get(reverse("analytics:overview", args=["acme"])),
    }
    for where, response in pages.items():
        assert response.status_code == 200, where
        page = response.content.decode()
        assert goal_value_shown(page, goal) == "10 %", where
        assert "Page +15 %" in page, where
        assert "On track" in page, where
        assert "66.7 % of the target reached" in page, where
        assert "16.5 % of the time has gone by" in page, where
        shown = progress_of(participation, cast.acme).value
        assert goal_value_shown(page, participation) == f"{shown:g} %", where


def test_a_goal_not_started_yet_says_so(cast: Cast, client_for, frozen):
    GoalFactory(
        organization=cast.acme,
        title="Next year",
        starts_on=date(2027, 1, 1),
        deadline=date(2027, 6, 30),
    )
    page = client_for(cast.emma).get("/o/acme/").content.decode()
    assert "Counting starts on" in page
    assert "Not started" in page


def test_no_goals_no_section_on_the_dashboard(cast: Cast, client_for):
    assert "Program goals" not in client_for(cast.emma).get("/o/acme/").content.decode()


# Writing goals -----------------------------------------------------------------------------


def test_comms_add_a_goal_and_the_charter_keeps_a_version(cast: Cast, client_for, frozen):
    response = client_for(cast.carol).post(url("goal_new"), goal_form())
    assert response.status_code == 302
    [goal] = acme_goals()
    assert (goal.metric, goal.target, goal.created_by) == (
        "company_follower_growth_pct",
        15,
        cast.carol,
    )
    [version] = CharterVersion.all_tenants.filter(organization=cast.acme)
    assert version.changes == {
        "goal.title": [None, "Company page +15 % by New Year"],
        "goal.metric": [None, "company_follower_growth_pct"],
        "goal.target": [None, "15.0"],
        "goal.starts_on": [None, "2026-10-01"],
        "goal.deadline": [None, "2026-12-31"],
    }
    assert AuditEntry.all_tenants.filter(action="charter.goal_added", actor=cast.carol).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"target": ""}, "target", "Set a target: without one the goal cannot be measured."),
        ({"target": "-5"}, "target", "Set a target above zero."),
        ({"target": "0"}, "target", "Set a target above zero."),
        (
            {"metric": "participation_pct", "target": "120"},
            "target",
            "Participation is the share of participants who post: at most 100 %.",
        ),
        (
            {"metric": "posts_per_week", "target": "60"},
            "target",
            "Set at most 50 posts a week per participant.",
        ),
        (
            {"deadline": "2026-09-30"},
            "deadline",
            "The deadline must come after the start (1 Oct 2026).",
        ),
        (
            {"starts_on": "2026-09-01", "deadline": "2026-10-15"},
            "deadline",
            "That day has passed: choose today (16 Oct 2026) or a later day.",
        ),
        ({"deadline": ""}, "deadline", "Give the goal a deadline."),
        ({"starts_on": ""}, "starts_on", "Give the day the goal counts from."),
        ({"deadline": "2032-01-01"}, "deadline", "A goal spans at most five years."),
        ({"title": "  "}, "title", "Give the goal a name."),
    ],
)
def test_a_goal_that_cannot_be_measured_is_refused_at_its_field(
    cast: Cast, client_for, frozen, overrides, field, message
):
    response = client_for(cast.fay).post(url("goal_new"), goal_form(**overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not acme_goals()
    assert not CharterVersion.all_tenants.exists()


def test_a_goal_is_edited_with_before_and_after(cast: Cast, client_for, frozen):
    goal = GoalFactory(organization=cast.acme, target=15, starts_on=START, deadline=DEADLINE)
    client_for(cast.alice).post(
        url("goal_edit", goal_id=goal.public_id),
        goal_form(title=goal.title, target="20"),
    )
    goal.refresh_from_db()
    assert goal.target == 20
    [version] = CharterVersion.all_tenants.filter(organization=cast.acme)
    assert version.changes == {"goal.target": ["15.0", "20.0"]}


def test_a_finished_goal_may_be_renamed_but_not_moved_into_the_past(cast: Cast, client_for, frozen):
    goal = GoalFactory(
        organization=cast.acme, starts_on=date(2026, 7, 1), deadline=date(2026, 9, 30)
    )
    client = client_for(cast.carol)
    kept = goal_form(title="Summer", starts_on="2026-07-01", deadline="2026-09-30")
    assert client.post(url("goal_edit", goal_id=goal.public_id), kept).status_code == 302
    goal.refresh_from_db()
    assert goal.title == "Summer"
    moved = {**kept, "deadline": "2026-09-29"}
    response = client.post(url("goal_edit", goal_id=goal.public_id), moved)
    assert response.context["form"].errors["deadline"]
    goal.refresh_from_db()
    assert goal.deadline == date(2026, 9, 30)


def test_a_goal_is_deleted_and_the_history_keeps_it(cast: Cast, client_for, frozen):
    goal = GoalFactory(organization=cast.acme, title="Gone soon")
    client = client_for(cast.carol)
    assert client.get(url("goal_delete", goal_id=goal.public_id)).status_code == 405
    client.post(url("goal_delete", goal_id=goal.public_id))
    assert not acme_goals()
    [version] = CharterVersion.all_tenants.filter(organization=cast.acme)
    assert version.changes["goal.title"] == ["Gone soon", None]
    assert "Gone soon" in client.get(url("history")).content.decode()


@pytest.mark.parametrize("persona", ["emma", "leo"])
def test_only_comms_admins_and_the_facilitator_set_goals(cast: Cast, client_for, persona):
    goal = GoalFactory(organization=cast.acme, target=15)
    client = client_for(getattr(cast, persona))
    assert client.post(url("goal_new"), goal_form()).status_code == 403
    assert client.post(url("goal_edit", goal_id=goal.public_id), goal_form()).status_code == 403
    assert client.post(url("goal_delete", goal_id=goal.public_id)).status_code == 403
    assert [(g.pk, g.target) for g in acme_goals()] == [(goal.pk, 15)]
    assert not CharterVersion.all_tenants.exists()


def test_cannot_get_other_org_goal(cast: Cast, client_for):
    goal = GoalFactory(organization=cast.acme, title="Acme's own")
    fay = client_for(cast.fay)
    assert fay.get(url("goal_edit", org="globex", goal_id=goal.public_id)).status_code == 404
    assert fay.post(url("goal_delete", org="globex", goal_id=goal.public_id)).status_code == 404
    assert acme_goals() == [goal]
    # Nor is it on Globex's pages, for the facilitator who sees both.
    assert "Acme&#x27;s own" not in fay.get(url("charter", org="globex")).content.decode()
    assert "Acme&#x27;s own" not in fay.get("/o/globex/").content.decode()
    assert "Acme&#x27;s own" in fay.get(url("charter")).content.decode()
