"""The leadership report page: its figures against the growth report, the previous period,
the ranges, who sees which names, and a query count that does not grow."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from advocacy.accounts.models import User
from advocacy.tenancy.models import Membership, Organization
from analytics.growth import growth_report
from analytics.models import MemberFollowers, OrganizationDay
from analytics.reports import HEADLINES, leadership_report
from analytics.rollups import recompute_range
from analytics.tables import format_value

from .conftest import Cast
from .factories import ClickFactory, ContentItemFactory, PostFactory, TrackedLinkFactory
from .report_support import (
    END,
    QUERY,
    START,
    Program,
    build_program,
    noon,
    page_table,
    participant,
)

pytestmark = pytest.mark.django_db
REPORTS = reverse("analytics:overview", args=["acme"])
PDF = reverse("analytics:overview_pdf", args=["acme"])
EMV_FORMULA = "2,700 / 1,000 × 85.50 DKK = 230.85 DKK"  # noqa: RUF001
EVERYONE = {"Emma", "Sam", "Sara", "Dana", "Dan", "Carol", "Leo"}


@pytest.fixture
def program(cast: Cast) -> Program:
    return build_program(cast)


def names_in(rows: list[list[str]]) -> set[str]:
    return {row[0] for row in rows[1:]}


# Who may open it ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "carol", "fay", "leo"])
def test_report_roles_see_the_report(cast: Cast, client_for, persona: str):
    response = client_for(getattr(cast, persona)).get(REPORTS)
    assert response.status_code == 200
    assert response.context["report"] is not None


def test_an_employee_is_refused_the_report_its_exports_and_pdf(cast: Cast, client_for, program):
    emma = client_for(cast.emma)
    assert emma.get(REPORTS, QUERY).status_code == 403
    assert emma.get(REPORTS, {**QUERY, "export": "employees"}).status_code == 403
    assert emma.get(PDF, QUERY).status_code == 403


def test_cannot_get_other_org_report(cast: Cast, client_for, program):
    greta = client_for(cast.greta)
    assert greta.get(REPORTS, QUERY).status_code == 404
    assert greta.get(PDF, QUERY).status_code == 404
    own = greta.get(reverse("analytics:overview", args=["globex"]), QUERY)
    assert own.status_code == 200
    assert own.context["report"].current.posts == 0
    assert "Emma" not in own.content.decode()


# The figures -------------------------------------------------------------------------------


def test_every_headline_figure_is_the_growth_reports(cast: Cast, client_for, program):
    response = client_for(cast.carol).get(REPORTS, QUERY)
    report = response.context["report"]
    current = growth_report(cast.acme, START, END)
    previous = growth_report(cast.acme, date(2026, 8, 31), date(2026, 9, 30))
    assert [figure.key for figure in report.figures] == [key for key, _label, _kind in HEADLINES]
    for figure in report.figures:
        assert figure.value == getattr(current, figure.key), figure.key
        assert figure.previous == getattr(previous, figure.key), figure.key
    # And the page writes each of them, beside the previous period.
    rows = {row[0]: row[1:] for row in page_table(response.content.decode(), "summary")[1:]}
    for figure in report.figures:
        assert rows[figure.label][:2] == [
            format_value(figure.value, figure.kind),
            format_value(figure.previous, figure.kind),
        ], figure.key


def test_the_figures_of_the_program(cast: Cast, client_for, program):
    report = client_for(cast.carol).get(REPORTS, QUERY).context["report"]
    figure = report.figure
    assert (figure["company_followers_start"].value, figure["company_followers_end"].value) == (
        1000,
        1140,
    )
    assert figure["company_follower_growth_pct"].value == 14.0
    # Emma +25 %, Carol +5 %, Sam +30 %.
    assert figure["employee_follower_growth_pct_avg"].value == 20.0
    assert figure["employees_counted"].value == 3
    assert figure["posts"].value == 6
    assert figure["impressions"].value == 2700
    assert (figure["clicks"].value, figure["unique_clicks"].value) == (4, 3)
    assert figure["emv"].value == "230.85"
    # Six of seven participants posted in October.
    assert figure["participation_pct"].value == 71.4
    assert figure["company_content_pct"].value == 33.3


def test_the_previous_period_is_as_long_and_ends_the_day_before(cast: Cast, client_for, program):
    report = client_for(cast.carol).get(REPORTS, QUERY).context["report"]
    assert (report.previous_start, report.previous_end) == (date(2026, 8, 31), date(2026, 9, 30))
    figure = report.figure
    assert (figure["posts"].previous, figure["impressions"].previous) == (2, 1000)
    assert (figure["company_followers_start"].previous, figure["clicks"].previous) == (950, 2)
    assert figure["posts"].change == 4
    assert figure["posts"].change_pct == 200.0
    assert figure["company_follower_growth_pct"].change == 8.7  # 14.0 against 5.3 points
    assert figure["emv"].change == Decimal("145.35")
    page = client_for(cast.carol).get(REPORTS, QUERY).content.decode()
    assert "31 Aug 2026 to 30 Sep 2026" in page
    assert "+4 (+200.0 %)" in page
    assert "+8.7 points" in page


def test_missing_figures_are_na_never_zero(cast: Cast, client_for):
    page = client_for(cast.carol).get(REPORTS, QUERY).content.decode()
    summary = {row[0]: row[1:] for row in page_table(page, "summary")[1:]}
    assert summary["Impressions"] == ["n/a", "n/a", "n/a"]
    assert summary["Company page follower growth"][0] == "n/a"
    assert summary["Posts"] == ["0", "0", "0"]


def test_days_without_a_rollup_are_missing(cast: Cast, client_for, program):
    # The rollups stop on 5 November: the days after it have no row.
    response = client_for(cast.carol).get(REPORTS, {"start": "2026-11-01", "end": "2026-11-10"})
    report = response.context["report"]
    by_day = {point.day: point for point in report.days}
    assert by_day[date(2026, 11, 5)].company_followers == 1140
    assert by_day[date(2026, 11, 5)].posts == 0
    for day in (date(2026, 11, 6), date(2026, 11, 10)):
        point = by_day[day]
        assert (point.company_followers, point.posts, point.impressions) == (None, None, None)
    followers = page_table(response.content.decode(), "followers")
    assert followers[-1] == ["10 Nov 2026", "n/a", "n/a"]
    reach = page_table(response.content.decode(), "reach")
    # 2 November: Carol's post, with its figures; 3 November: no post, so no reach.
    assert reach[2] == ["2 Nov 2026", "1", "9,999", "0"]
    assert reach[3] == ["3 Nov 2026", "0", "n/a", "0"]


def test_teams_campaigns_content_and_recruitment(cast: Cast, client_for, program):
    report = client_for(cast.carol).get(REPORTS, QUERY).context["report"]
    teams = {row.name: row for row in report.teams}
    assert set(teams) == {"Design", "Sales", "No team"}
    sales = teams["Sales"]
    assert (sales.participants, sales.authors, sales.sums.posts) == (3, 3, 4)
    assert (sales.sums.impressions, sales.sums.clicks, sales.sums.company_content_pct) == (
        1800,
        4,
        50.0,
    )
    assert (teams["No team"].participants, teams["No team"].sums.posts) == (2, 1)
    campaigns = [(row.name, row.sums.posts, row.sums.impressions) for row in report.campaigns]
    assert campaigns == [("Hiring week", 2, 1300), ("Autumn launch", 2, 1200)]
    content = [(row.title, row.shares, row.impressions, row.clicks) for row in report.content]
    assert content == [
        ("Five tips for remote teams", 3, 1200, 1),
        ("Backend developer", 2, 1300, 3),
    ]
    assert report.own_posts == 1  # Dana's
    recruitment = report.recruitment
    assert (recruitment.shares, recruitment.clicks, recruitment.impressions) == (2, 3, 1300)
    assert (recruitment.previous_shares, recruitment.previous_clicks) == (1, 2)
    assert [job.title for job in recruitment.jobs] == ["Backend developer"]
    assert report.live_campaigns == 1


def test_cadence_against_the_target(cast: Cast, client_for, program):
    Organization.objects.filter(pk=cast.acme.pk).update(posts_per_week_target=Decimal("0.5"))
    response = client_for(cast.carol).get(REPORTS, QUERY)
    cadence = response.context["report"].cadence
    # Six posts by seven participants over 31 days: 6 * 7 / (7 * 31) = 0.194 a week.
    assert (cadence.value, cadence.previous, cadence.target) == (0.2, 0.1, Decimal("0.5"))
    assert cadence.pct_of_target == 38.7
    assert "The program's target is 0.5 a week: 38.7 % of it." in response.content.decode()


def test_the_mix_per_organization_team_and_employee(cast: Cast, client_for, program):
    page = client_for(cast.carol).get(REPORTS, QUERY).content.decode()
    rows = {row[0]: row[1:] for row in page_table(page, "mix")[1:]}
    assert rows["Acme A/S"] == ["6", "2", "33.3 %", "66.7 %"]
    assert rows["Sales"] == ["4", "2", "50.0 %", "50.0 %"]
    assert rows["Sara"] == ["1", "1", "100.0 %", "0.0 %"]
    assert rows["Carol"] == ["0", "0", "n/a", "n/a"]
    assert "Target: 20 % about the company" in page


def test_the_emv_formula_with_the_cpm_and_currency(cast: Cast, client_for, program):
    page = client_for(cast.leo).get(REPORTS, QUERY).content.decode()
    assert EMV_FORMULA in page


def test_without_a_cpm_the_page_says_where_to_set_it(cast: Cast, client_for, program):
    Organization.objects.filter(pk=cast.acme.pk).update(cpm=None)
    settings_link = reverse("tenancy:settings", args=["acme"])
    admin_page = client_for(cast.alice).get(REPORTS, QUERY).content.decode()
    assert "No CPM is set for this organization" in admin_page
    assert f'href="{settings_link}#id_cpm"' in admin_page
    leader_page = client_for(cast.leo).get(REPORTS, QUERY).content.decode()
    assert "An admin can set it in the organization" in leader_page
    assert settings_link not in leader_page


def test_notes_say_which_figures_were_imported_or_entered(cast: Cast, client_for, program):
    page = client_for(cast.carol).get(REPORTS, QUERY).content.decode()
    assert "1 row of company page followers in this period: Entered by hand." in page
    assert "1 row of employee follower figures in this period: Imported" in page
    assert "1 row of post figures in this period: Imported" in page
    september = client_for(cast.carol).get(REPORTS, {"start": "2026-09-01", "end": "2026-09-30"})
    assert "Not every figure was measured" not in september.content.decode()


# Ranges ------------------------------------------------------------------------------------

# 10:00 in Copenhagen on Sunday 15 November 2026.
TODAY = datetime(2026, 11, 15, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("preset", "start", "end"),
    [
        ("last_30", date(2026, 10, 17), date(2026, 11, 15)),
        ("last_90", date(2026, 8, 18), date(2026, 11, 15)),
        ("this_quarter", date(2026, 10, 1), date(2026, 11, 15)),
        ("last_quarter", date(2026, 7, 1), date(2026, 9, 30)),
        ("year_to_date", date(2026, 1, 1), date(2026, 11, 15)),
    ],
)
def test_presets(cast: Cast, client_for, preset: str, start: date, end: date):
    with time_machine.travel(TODAY, tick=False):
        response = client_for(cast.leo).get(REPORTS, {"preset": preset})
    report = response.context["report"]
    assert (report.start, report.end) == (start, end)
    assert f'href="?preset={preset}" aria-current="true"' in response.content.decode()


def test_no_range_is_the_last_30_days_of_the_organizations_time_zone(cast: Cast, client_for):
    # 23:30 UTC on the 15th is already the 16th in Copenhagen.
    with time_machine.travel(datetime(2026, 11, 15, 23, 30, tzinfo=UTC), tick=False):
        report = client_for(cast.leo).get(REPORTS).context["report"]
    assert (report.start, report.end) == (date(2026, 10, 18), date(2026, 11, 16))


def test_custom_dates(cast: Cast, client_for):
    response = client_for(cast.leo).get(REPORTS, {"preset": "custom", **QUERY})
    assert (response.context["report"].start, response.context["report"].end) == (START, END)
    assert 'value="2026-10-01"' in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2026-10-31", "end": "2026-10-01"}, "is before the start"),
        ({"start": "2020-01-01", "end": "2026-10-01"}, "at most five years"),
        ({"start": "2026-13-01", "end": "2026-10-31"}, "is not a date of the form YYYY-MM-DD"),
        ({"start": "yesterday", "end": "2026-10-31"}, "is not a date"),
        ({"start": "2026-10-01"}, "Give a end date"),
        ({"preset": "last_century"}, "Select a valid choice"),
    ],
)
def test_bad_ranges_are_shown_at_the_form(cast: Cast, client_for, query, message):
    client = client_for(cast.leo)
    response = client.get(REPORTS, query)
    assert response.status_code == 400
    assert response.context["report"] is None
    assert message in response.content.decode()
    for url, extra in ((REPORTS, {"export": "summary"}), (PDF, {})):
        download = client.get(url, {**query, **extra})
        assert download.status_code == 400
        assert download["Content-Type"].startswith("text/plain")
        assert message in download.content.decode()


# Privacy -----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "carol", "fay"])
def test_coaches_see_every_participant_by_name(cast: Cast, client_for, program, persona: str):
    page = client_for(getattr(cast, persona)).get(REPORTS, QUERY).content.decode()
    assert names_in(page_table(page, "employees")) == EVERYONE
    assert names_in(page_table(page, "teams")) == {"Design", "Sales", "No team"}


def test_a_leader_sees_only_participants_who_opted_in(cast: Cast, client_for, program):
    response = client_for(cast.leo).get(REPORTS, QUERY)
    page = response.content.decode()
    employees = page_table(page, "employees")
    assert names_in(employees) == {"Emma", "Dana", "Participants not named (5)"}
    unnamed = employees[-1]
    # Leo, Sam, Sara, Carol and Dan: three posts between them.
    assert unnamed[:3] == ["Participants not named (5)", "", "3"]
    for hidden in ("Sam", "Sara", "Dan<", ">Dan", "Carol<"):
        assert hidden not in page.replace("Dana", ""), hidden
    assert "Only participants who chose to show their figures to leaders are named" in page


def test_a_team_of_two_is_not_shown_to_a_leader(cast: Cast, client_for, program):
    page = client_for(cast.leo).get(REPORTS, QUERY).content.decode()
    teams = page_table(page, "teams")
    # Design (2) and the two without a team together: four participants.
    assert names_in(teams) == {"Sales", "Other teams"}
    other = next(row for row in teams if row[0] == "Other teams")
    assert other[1:6] == ["4", "2", "50.0 %", "2", "0.1"]
    mix = names_in(page_table(page, "mix"))
    assert "Design" not in mix
    assert "No team" not in mix


def test_a_lone_small_team_is_left_out_for_a_leader(cast: Cast, client_for, program):
    # Carol and Leo join Sales: Design is the only small group, and too small on its own.
    Membership.all_tenants.filter(organization=cast.acme, user__in=[cast.carol, cast.leo]).update(
        team=cast.acme_sales
    )
    recompute_range(organization=cast.acme, start=START, end=END)
    page = client_for(cast.leo).get(REPORTS, QUERY).content.decode()
    assert names_in(page_table(page, "teams")) == {"Sales"}
    assert "Teams with fewer than three participants are not shown on their own" in page
    coach = client_for(cast.carol).get(REPORTS, QUERY).content.decode()
    assert names_in(page_table(coach, "teams")) == {"Design", "Sales"}


def test_a_leader_sees_a_participant_once_they_opt_in(cast: Cast, client_for, program):
    client = client_for(cast.leo)
    before = names_in(page_table(client.get(REPORTS, QUERY).content.decode(), "employees"))
    assert "Sam" not in before
    Membership.all_tenants.filter(pk=program.people["sam"].pk).update(show_on_leaderboard=True)
    after = names_in(page_table(client.get(REPORTS, QUERY).content.decode(), "employees"))
    assert {"Emma", "Dana", "Sam"} <= after


def test_a_participant_who_left_is_in_no_figure_and_no_row(cast: Cast, client_for, program):
    Membership.all_tenants.filter(pk=program.people["sam"].pk).update(opted_in_at=None)
    recompute_range(organization=cast.acme, start=START, end=END)
    page = client_for(cast.carol).get(REPORTS, QUERY).content.decode()
    assert "Sam" not in names_in(page_table(page, "employees"))
    assert page_table(page, "teams")[2][:2] == ["Sales", "2"]


# Queries -----------------------------------------------------------------------------------


def grow_the_program(cast: Cast, members: int) -> None:
    """More participants with teams, followers, posts and clicks, rolled up."""
    item = ContentItemFactory(organization=cast.acme)
    for number in range(members):
        person = participant(cast.acme, f"Person {number}", cast.acme_sales, show=bool(number % 2))
        MemberFollowers.all_tenants.create(
            organization=cast.acme, membership=person, day=START, followers=50 + number
        )
        post = PostFactory(
            author=person, content_item=item, published_at=noon(START + timedelta(days=number))
        )
        ClickFactory(link=TrackedLinkFactory(post=post), clicked_at=noon(END))
    recompute_range(organization=cast.acme, start=date(2025, 11, 1), end=END)


def queries_of(client, query) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(REPORTS, query).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("persona", ["carol", "leo"])
def test_the_page_makes_as_many_queries_for_a_year_and_more_members(
    cast: Cast, client_for, program, persona: str
):
    client = client_for(getattr(cast, persona))
    year = {"start": "2025-11-01", "end": "2026-10-31"}
    client.get(REPORTS, QUERY)
    month = queries_of(client, QUERY)
    assert queries_of(client, year) == month
    grow_the_program(cast, 25)
    assert queries_of(client, QUERY) == month
    assert queries_of(client, year) == month


def test_a_year_for_two_thousand_members_reads_the_rollups(cast: Cast, django_assert_num_queries):
    """Time series, teams and campaigns come from the day rollups; per-member figures from
    one grouped query each, never a query per day or per member."""
    users = User.objects.bulk_create(
        User(email=f"member{number}@acme.example", name=f"Member {number}")
        for number in range(2000)
    )
    members = Membership.all_tenants.bulk_create(
        Membership(
            organization=cast.acme, user=user, team=cast.acme_sales, opted_in_at=timezone.now()
        )
        for user in users
    )
    MemberFollowers.all_tenants.bulk_create(
        MemberFollowers(organization=cast.acme, membership=member, day=day, followers=100 + n)
        for n, member in enumerate(members)
        for day in (date(2025, 11, 1), END)
    )
    OrganizationDay.all_tenants.bulk_create(
        OrganizationDay(organization=cast.acme, day=date(2025, 11, 1) + timedelta(days=n), posts=1)
        for n in range(365)
    )
    viewer = cast.membership(cast.carol, cast.acme)
    start, end = date(2025, 11, 1), END
    with CaptureQueriesContext(connection) as context:
        report = leadership_report(cast.acme, start, end, viewer=viewer)
    assert len(report.employees) == 2000
    assert sum(point.posts or 0 for point in report.days) == 365
    with django_assert_num_queries(len(context.captured_queries)):
        leadership_report(cast.acme, START, END, viewer=viewer)
    tables = {
        table
        for query in context.captured_queries
        for table in ("analytics_organizationday", "analytics_teamday", "analytics_campaignday")
        if table in query["sql"]
    }
    assert tables == {
        "analytics_organizationday",
        "analytics_teamday",
        "analytics_campaignday",
    }
    per_day = [query for query in context.captured_queries if "2025-11-02" in query["sql"]]
    assert not per_day, "a query per day"
