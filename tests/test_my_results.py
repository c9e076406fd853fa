"""My results: a member's own audience, reach, clicks and mix, and their choice whether leaders
see their name."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advocacy.tenancy.models import AuditEntry, Membership
from analytics.personal import my_results

from .conftest import Cast
from .report_support import QUERY, Program, build_program

pytestmark = pytest.mark.django_db
MY_RESULTS = reverse("analytics:my_results", args=["acme"])
LEADERBOARD = reverse("analytics:my_results_leaderboard", args=["acme"])
REPORTS = reverse("analytics:overview", args=["acme"])


@pytest.fixture
def program(cast: Cast) -> Program:
    return build_program(cast)


@pytest.mark.parametrize("persona", ["alice", "carol", "leo", "emma", "fay"])
def test_every_member_has_their_results_page(cast: Cast, client_for, persona: str):
    response = client_for(getattr(cast, persona)).get(MY_RESULTS)
    assert response.status_code == 200
    assert response.context["results"].membership.user == getattr(cast, persona)


def test_the_dashboard_links_to_my_results(cast: Cast, client_for):
    page = client_for(cast.emma).get(reverse("content:dashboard", args=["acme"])).content
    assert f'href="{MY_RESULTS}"'.encode() in page


def test_my_figures_and_the_previous_period(cast: Cast, client_for, program):
    response = client_for(cast.emma).get(MY_RESULTS, QUERY)
    results = response.context["results"]
    now, before = results.current, results.previous
    assert (now.followers_start, now.followers_end, now.new_followers) == (200, 250, 50)
    assert now.follower_growth_pct == 25.0
    # Two posts; one has no figures yet, so reach is the other's.
    assert (now.posts, now.company_posts, now.company_content_pct) == (2, 1, 50.0)
    assert (now.impressions, now.members_reached, now.engagements) == (1000, 800, 40)
    assert now.engagement_rate_pct == 4.0
    # Three visits by two visitors; the bot's is not counted.
    assert (now.clicks, now.unique_clicks) == (3, 2)
    assert (results.previous_start, results.previous_end) == (date(2026, 8, 31), date(2026, 9, 30))
    assert (before.followers_start, before.followers_end, before.follower_growth_pct) == (
        180,
        200,
        11.1,
    )
    assert (before.posts, before.impressions, before.clicks) == (1, 400, 0)
    page = response.content.decode()
    assert "Change: +30 (+150.0 %)" in page  # new followers: 50 against 20
    assert "Five tips for remote teams" in page
    assert "Backend developer" in page


def test_my_results_show_nobody_elses_figures(cast: Cast, client_for, program):
    page = client_for(cast.emma).get(MY_RESULTS, QUERY).content.decode()
    for other in ("Sam", "Sara", "Dana", "Carol", "Leo", "Sales", "2,700", "1,140"):
        assert other not in page, other
    sam = my_results(program.people["sam"], date(2026, 10, 1), date(2026, 10, 31))
    assert (sam.current.posts, sam.current.impressions, sam.current.clicks) == (1, 500, 1)


def test_followers_over_time_with_missing_days(cast: Cast, client_for, program):
    # Sam's first figure is on 1 October: the days before it have none.
    sam = client_for(program.people["sam"].user)
    results = sam.get(MY_RESULTS, {"start": "2026-09-28", "end": "2026-10-02"}).context["results"]
    assert [period.followers for period in results.periods] == [None, None, None, 100, 100]
    sara = client_for(program.people["sara"].user).get(MY_RESULTS, QUERY)
    assert [period.followers for period in sara.context["results"].periods] == [None] * 31
    page = sara.content.decode()
    assert "No data for this period" in page
    assert "Connect your LinkedIn account" in page


def test_figures_not_measured_through_linkedin_are_noted(cast: Cast, client_for, program):
    page = client_for(program.people["carol"].user).get(MY_RESULTS, QUERY).content.decode()
    assert "Imported from LinkedIn&#x27;s export (1)" in page


def test_my_results_make_as_many_queries_for_a_year(cast: Cast, client_for, program):
    client = client_for(cast.emma)
    client.get(MY_RESULTS, QUERY)
    counts = []
    for query in (QUERY, {"start": "2025-11-01", "end": "2026-10-31"}):
        with CaptureQueriesContext(connection) as context:
            client.get(MY_RESULTS, query)
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1]


def test_a_bad_range_is_shown_at_the_form(cast: Cast, client_for):
    response = client_for(cast.emma).get(MY_RESULTS, {"start": "2026-10-31", "end": "2026-10-01"})
    assert response.status_code == 400
    assert "is before the start" in response.content.decode()
    assert response.context["results"] is None


def test_a_member_chooses_to_show_their_figures_to_leaders(cast: Cast, client_for, program):
    sam = program.people["sam"]
    client = client_for(sam.user)
    page = client.get(MY_RESULTS).content.decode()
    assert "Show my name and figures to leaders" in page
    assert "Leaders see your name beside your figures only if you tick" in page
    assert client.get(LEADERBOARD).status_code == 405
    response = client.post(LEADERBOARD, {"show_on_leaderboard": "on"})
    assert response.status_code == 302
    assert Membership.objects.for_org(cast.acme).get(pk=sam.pk).show_on_leaderboard
    [entry] = AuditEntry.objects.for_org(cast.acme).filter(action="member.leaderboard_choice")
    assert entry.actor == sam.user
    assert entry.data == {"member": str(sam.public_id), "show_on_leaderboard": True}
    leader_page = client_for(cast.leo).get(REPORTS, QUERY).content.decode()
    assert ">Sam<" in leader_page

    client.post(LEADERBOARD, {})
    assert not Membership.objects.for_org(cast.acme).get(pk=sam.pk).show_on_leaderboard
    again = client.post(LEADERBOARD, {}, follow=True)
    assert "Nothing was changed." in again.content.decode()
    assert (
        AuditEntry.objects.for_org(cast.acme).filter(action="member.leaderboard_choice").count()
        == 2
    )
    assert ">Sam<" not in client_for(cast.leo).get(REPORTS, QUERY).content.decode()


def test_cannot_get_other_org_my_results(cast: Cast, client_for):
    greta = client_for(cast.greta)
    assert greta.get(MY_RESULTS).status_code == 404
    assert greta.post(LEADERBOARD, {"show_on_leaderboard": "on"}).status_code == 404
    assert not Membership.objects.for_org(cast.acme).filter(show_on_leaderboard=True).exists()
