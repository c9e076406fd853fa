"""The growth report of METRICS.md: its formulas, the command, the API and bad input.

The figures here come from rows written directly, to pin each formula down on small numbers;
tests/test_growth_end_to_end.py builds them through the sandbox and the collection tasks.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from advocacy.linkedin.services import connect_member
from advocacy.tenancy.models import Membership, Organization
from analytics.growth import growth_report
from analytics.models import MemberFollowers, PageFollowers, Source
from analytics.rollups import recompute_range

from .conftest import Cast
from .factories import ClickFactory, ContentItemFactory, PostFactory, TrackedLinkFactory

pytestmark = pytest.mark.django_db
START, END = date(2026, 10, 1), date(2026, 10, 31)
KEYS = {
    "organization", "start", "end",
    "company_followers_start", "company_followers_end", "company_follower_growth_pct",
    "employees_counted", "employee_follower_growth_pct_avg", "employee_new_followers",
    "posts", "new_followers_per_post", "impressions", "members_reached", "reactions",
    "comments", "reshares", "engagements", "engagement_rate_pct", "clicks", "unique_clicks",
    "emv", "participants", "participation_pct", "company_content_pct",
}  # fmt: skip


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def followers(membership: Membership, day: date, count: int) -> None:
    MemberFollowers.all_tenants.create(
        organization=membership.organization, membership=membership, day=day, followers=count,
        source=Source.API,
    )  # fmt: skip


def connect(cast: Cast, user, sub: str) -> None:
    connect_member(user=user, sub=sub, scopes="openid,profile,w_member_social",
                   access_token=f"token-{sub}", expires_in=5_000_000)  # fmt: skip


@pytest.fixture
def program(cast: Cast) -> dict[str, Membership]:
    """Emma, Carol and Leo take part; Emma and Carol are connected with follower figures."""
    Membership.all_tenants.filter(
        organization=cast.acme, user__in=[cast.emma, cast.carol, cast.leo]
    ).update(opted_in_at=timezone.now())
    Organization.objects.filter(pk=cast.acme.pk).update(cpm=Decimal("85.50"))
    cast.acme.refresh_from_db()
    people = {
        name: cast.membership(getattr(cast, name), cast.acme) for name in ("emma", "carol", "leo")
    }
    connect(cast, cast.emma, "m-emma")
    connect(cast, cast.carol, "m-carol")
    PageFollowers.all_tenants.create(organization=cast.acme, day=date(2026, 9, 20), followers=1000)
    PageFollowers.all_tenants.create(organization=cast.acme, day=END, followers=1140)
    followers(people["emma"], date(2026, 9, 1), 200)  # last before the start counts
    followers(people["emma"], date(2026, 10, 30), 250)  # last before the end counts
    followers(people["carol"], START, 400)
    followers(people["carol"], END, 420)
    followers(people["leo"], END, 999)  # Leo has no LinkedIn connection: not counted
    job = ContentItemFactory(organization=cast.acme, kind="job")
    first = PostFactory(
        author=people["emma"],
        published_at=noon(date(2026, 10, 2)),
        impressions=1000,
        members_reached=800,
        reactions=30,
        comments=5,
        reshares=5,
        is_company_content=True,
        content_item=job,
    )
    PostFactory(author=people["emma"], published_at=noon(date(2026, 10, 20)), impressions=None)
    PostFactory(
        author=people["leo"],
        published_at=noon(date(2026, 10, 5)),
        impressions=500,
        members_reached=400,
        reactions=10,
        comments=0,
        reshares=0,
    )
    PostFactory(author=people["carol"], published_at=noon(date(2026, 11, 2)), impressions=9999)
    PostFactory(
        author=people["carol"],
        published_at=noon(date(2026, 10, 9)),
        status="failed",
        linkedin_urn="",
        impressions=None,
    )
    link = TrackedLinkFactory(post=first)
    for visitor, hour in (("a", 9), ("a", 10), ("b", 11)):
        ClickFactory(
            link=link,
            visitor_hash=visitor * 32,
            clicked_at=noon(date(2026, 10, 3)).replace(hour=hour),
        )
    ClickFactory(link=link, visitor_hash="c" * 32, is_bot=True, clicked_at=noon(date(2026, 10, 3)))
    recompute_range(organization=cast.acme, start=date(2026, 9, 1), end=date(2026, 11, 5))
    return people


def test_every_figure_of_a_month(cast: Cast, program):
    report = growth_report(cast.acme, START, END).as_json()
    assert set(report) == KEYS
    assert report == {
        "organization": "acme",
        "start": "2026-10-01",
        "end": "2026-10-31",
        "company_followers_start": 1000,
        "company_followers_end": 1140,
        "company_follower_growth_pct": 14.0,
        "employees_counted": 2,
        # Emma +25 %, Carol +5 %: the mean of the two.
        "employee_follower_growth_pct_avg": 15.0,
        "employee_new_followers": 70,
        "posts": 3,
        # 70 new followers over the counted employees' 2 posts (Emma's; Leo is not counted).
        "new_followers_per_post": 35.0,
        "impressions": 1500,
        "members_reached": 1200,
        "reactions": 40,
        "comments": 5,
        "reshares": 5,
        "engagements": 50,
        "engagement_rate_pct": 3.3,
        "clicks": 3,
        "unique_clicks": 2,
        "emv": "128.25",
        "participants": 3,
        "participation_pct": 66.7,
        "company_content_pct": 33.3,
    }


def test_figures_that_cannot_be_computed_are_null_not_zero(cast: Cast):
    report = growth_report(cast.acme, START, END).as_json()
    for key in (
        "company_followers_start", "company_follower_growth_pct",
        "employee_follower_growth_pct_avg", "employee_new_followers", "new_followers_per_post",
        "impressions", "engagements", "engagement_rate_pct", "emv", "participation_pct",
        "company_content_pct",
    ):  # fmt: skip
        assert report[key] is None, key
    assert (report["posts"], report["clicks"], report["employees_counted"]) == (0, 0, 0)


def test_someone_who_left_is_in_no_figure(cast: Cast, program):
    Membership.all_tenants.filter(pk=program["emma"].pk).update(opted_in_at=None)
    recompute_range(organization=cast.acme, start=START, end=END)
    report = growth_report(cast.acme, START, END).as_json()
    assert (report["participants"], report["employees_counted"], report["posts"]) == (2, 1, 1)
    assert (report["impressions"], report["clicks"]) == (500, 0)


def test_the_report_reads_a_fixed_number_of_rows(cast: Cast, program, django_assert_num_queries):
    # Emma has no figure on the first day itself: her last one before it is looked up too.
    with django_assert_num_queries(7):
        growth_report(cast.acme, START, END)
    with django_assert_num_queries(7):
        growth_report(cast.acme, date(2025, 1, 1), END)
    # Everyone counted has a figure on both days: one query fewer.
    followers(program["emma"], START, 210)
    followers(program["emma"], END, 260)
    with django_assert_num_queries(6):
        report = growth_report(cast.acme, START, END)
    assert report.employee_new_followers == 50 + 20


def test_a_figure_on_the_day_itself_and_the_last_one_before_it_count_alike(cast: Cast, program):
    """Each member's figure on a day is their last one on or before it, whether it was taken
    that very day or earlier; a member with no figure on or before the start is left out."""
    carol, emma = program["carol"], program["emma"]
    followers(carol, date(2026, 10, 10), 410)
    report = growth_report(cast.acme, date(2026, 10, 10), date(2026, 10, 30))
    # Carol: 410 on the 10th itself, 410 still on the 30th; Emma: 200 from 1 September,
    # 250 on the 30th itself.
    assert (report.employees_counted, report.employee_new_followers) == (2, 50)
    assert report.employee_follower_growth_pct_avg == 12.5  # (0 % + 25 %) / 2
    one_day = growth_report(cast.acme, date(2026, 10, 30), date(2026, 10, 30))
    assert (one_day.employees_counted, one_day.employee_new_followers) == (2, 0)
    MemberFollowers.all_tenants.filter(membership=emma, day=date(2026, 9, 1)).delete()
    late = growth_report(cast.acme, date(2026, 10, 10), date(2026, 10, 30))
    assert (late.employees_counted, late.employee_new_followers) == (1, 0)


def test_the_command_prints_the_json(cast: Cast, program):
    out = StringIO()
    call_command("report", "growth", "--organization", "acme", "--start", "2026-10-01",
                 "--end", "2026-10-31", "--json", stdout=out)  # fmt: skip
    assert json.loads(out.getvalue()) == growth_report(cast.acme, START, END).as_json()
    table = StringIO()
    call_command("report", "growth", "--organization", "acme", "--start", "2026-10-01",
                 "--end", "2026-10-31", stdout=table)  # fmt: skip
    assert "Earned media value" in table.getvalue()
    assert "128.25 DKK" in table.getvalue()


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-10-31", "2026-10-01", "before the start"),
        ("2020-01-01", "2026-10-01", "at most five years"),
        ("2026-13-01", "2026-10-01", "is not a date"),
        ("yesterday", "2026-10-01", "is not a date"),
    ],
)
def test_the_command_refuses_bad_ranges(cast: Cast, start, end, message):
    with pytest.raises(CommandError, match=message):
        call_command("report", "growth", "--organization", "acme", "--start", start, "--end", end)


def test_the_command_refuses_an_unknown_organization(cast: Cast):
    with pytest.raises(CommandError, match="No organization"):
        call_command("report", "growth", "--organization", "nope", "--start", "2026-10-01",
                     "--end", "2026-10-31")  # fmt: skip


def test_the_api_answers_the_same_json_to_report_roles(cast: Cast, program, client_for):
    expected = growth_report(cast.acme, START, END).as_json()
    for persona in ("alice", "carol", "leo", "fay"):
        client = client_for(getattr(cast, persona))
        response = client.get(
            "/api/v1/reports/growth",
            {"start": "2026-10-01", "end": "2026-10-31", "organization": "acme"},
        )
        assert response.status_code == 200, persona
        assert response.json() == expected
    emma = client_for(cast.emma).get(
        "/api/v1/reports/growth", {"start": "2026-10-01", "end": "2026-10-31"}
    )
    assert emma.status_code == 403
    assert emma.json()["error"]["code"] == "permission_denied"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"start": "2026-10-31", "end": "2026-10-01"}, "invalid_range"),
        ({"start": "2026-10-01"}, "invalid_range"),
        ({"start": "2020-01-01", "end": "2026-10-01"}, "invalid_range"),
        ({"start": "01/10/2026", "end": "2026-10-31"}, "invalid_range"),
    ],
)
def test_the_api_refuses_bad_ranges_with_the_envelope(cast: Cast, client_for, query, code):
    response = client_for(cast.leo).get("/api/v1/reports/growth", query)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]


def test_cannot_get_other_org_growth_report(cast: Cast, client_for):
    response = client_for(cast.greta).get(
        "/api/v1/reports/growth",
        {"start": "2026-10-01", "end": "2026-10-31", "organization": "acme"},
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    anonymous = client_for(cast.greta).__class__().get("/api/v1/reports/growth")
    # No credential at all: 401, naming the scheme the API takes.
    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"].startswith("Bearer")
    assert anonymous.json()["error"]["code"] == "not_authenticated"


def test_a_year_for_two_thousand_members_reads_rollups_not_raw_figures(
    cast: Cast, django_assert_num_queries
):
    """A year's report for a big tenant: a fixed handful of queries over the rollups, the two
    follower figures of each member, and the posts of the range, never the post figures or
    the clicks themselves."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from advocacy.accounts.models import User
    from advocacy.linkedin.models import Connection
    from analytics.models import OrganizationDay

    users = User.objects.bulk_create(
        User(email=f"member{n}@big.example", name=f"Member {n}") for n in range(2000)
    )
    now = timezone.now()
    memberships = Membership.all_tenants.bulk_create(
        Membership(organization=cast.acme, user=user, opted_in_at=now) for user in users
    )
    Connection.objects.bulk_create(
        Connection(
            user=user, sub=f"m-{user.pk}", member_urn=f"urn:li:person:m-{user.pk}",
            access_token_encrypted="x", access_token_expires_at=now, token_issued_at=now,
        )
        for user in users
    )  # fmt: skip
    MemberFollowers.all_tenants.bulk_create(
        MemberFollowers(organization=cast.acme, membership=membership, day=day, followers=count)
        for membership in memberships
        for day, count in ((date(2025, 10, 31), 100), (date(2026, 6, 30), 105), (END, 110))
    )
    OrganizationDay.all_tenants.bulk_create(
        OrganizationDay(organization=cast.acme, day=date(2025, 11, 1) + timedelta(days=n),
                        impressions=10, posts_with_figures=1, clicks=1)
        for n in range(365)
    )  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        report = growth_report(cast.acme, date(2025, 11, 1), date(2026, 10, 31))
    assert len(queries.captured_queries) == 7
    assert report.employees_counted == 2000
    assert report.employee_follower_growth_pct_avg == 10.0  # 100 -> 110 for each
    assert (report.impressions, report.clicks) == (3650, 365)
    read = " ".join(query["sql"] for query in queries.captured_queries)
    assert "analytics_organizationday" in read
    for raw in ("analytics_postmetrics", "content_click", "analytics_teamday"):
        assert raw not in read, raw
