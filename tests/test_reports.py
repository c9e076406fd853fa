"""The reports overview: participation and the content mix, for leadership and staff."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from advocacy.tenancy.models import Membership
from analytics.reports import percent, program_overview

from .conftest import Cast
from .factories import CampaignFactory, ContentItemFactory, MembershipFactory, TeamFactory

REPORTS = reverse("analytics:overview", args=["acme"])


def opt_in(cast: Cast, *users) -> None:
    Membership.objects.for_org(cast.acme).filter(user__in=users).update(opted_in_at=timezone.now())


@pytest.mark.parametrize("persona", ["alice", "carol", "fay", "leo"])
def test_report_roles_see_the_overview(cast: Cast, client_for, persona: str):
    assert client_for(getattr(cast, persona)).get(REPORTS).status_code == 200


def test_employee_cannot_see_reports(cast: Cast, client_for):
    assert client_for(cast.emma).get(REPORTS).status_code == 403


def test_leader_sees_reports_but_content_pages_are_closed(cast: Cast, client_for):
    leo = client_for(cast.leo)
    page = leo.get(REPORTS).content.decode()
    assert reverse("content:library", args=["acme"]) not in page
    assert leo.get(reverse("content:library", args=["acme"])).status_code == 403
    assert leo.get(reverse("content:item_new", args=["acme"])).status_code == 403


def test_overview_counts_members_participants_and_the_content_mix(cast: Cast, client_for):
    # Acme: alice, carol, leo, emma and fay; a deactivated member does not count.
    MembershipFactory(organization=cast.acme, is_active=False, opted_in_at=timezone.now())
    opt_in(cast, cast.emma, cast.leo)
    for title in ("Tip", "Article", "Another article"):
        ContentItemFactory(organization=cast.acme, title=title, is_company_content=False)
    ContentItemFactory(organization=cast.acme, is_company_content=True)
    ContentItemFactory(organization=cast.acme, is_company_content=True, status="draft")
    ContentItemFactory(organization=cast.acme, is_company_content=True, status="archived")
    CampaignFactory(organization=cast.acme, status="live")
    CampaignFactory(organization=cast.acme, status="draft")
    # Globex's rows count for Globex only.
    ContentItemFactory(organization=cast.globex, is_company_content=True)
    CampaignFactory(organization=cast.globex, status="live")

    response = client_for(cast.leo).get(REPORTS)
    overview = response.context["overview"]
    assert (overview.members, overview.participants, overview.participation_percent) == (5, 2, 40)
    assert (overview.library_items, overview.company_items) == (4, 1)
    assert overview.company_share_percent == 25
    assert overview.company_share_within_guideline
    assert overview.draft_items == 1
    assert overview.live_campaigns == 1
    page = response.content.decode()
    assert "40 %" in page
    assert "25 % of the library is about the company" in page
    assert "once LinkedIn is connected" in page


def test_participation_by_team(cast: Cast, client_for):
    engineering = TeamFactory(organization=cast.acme, name="Engineering")
    MembershipFactory(organization=cast.acme, team=engineering, opted_in_at=timezone.now())
    MembershipFactory(organization=cast.acme, team=engineering)
    opt_in(cast, cast.emma)
    teams = program_overview(cast.acme).teams
    rows = [(t.team, t.members, t.participants, t.participation_percent) for t in teams]
    # Emma is in Sales; the rest of the cast has no team, listed last.
    assert rows == [
        ("Engineering", 2, 1, 50),
        ("Sales", 1, 1, 100),
        (None, 4, 0, 0),
    ]


def test_a_library_mostly_about_the_company_is_flagged(cast: Cast, client_for):
    ContentItemFactory(organization=cast.acme, is_company_content=True)
    ContentItemFactory(organization=cast.acme, is_company_content=False)
    page = client_for(cast.carol).get(REPORTS).content.decode()
    assert "Too much about the company" in page
    assert "50 % of the library is about the company" in page


def test_empty_organization_shows_no_made_up_percentages(cast: Cast, client_for):
    overview = program_overview(cast.globex)
    assert overview.company_share_percent is None
    page = client_for(cast.greta).get(reverse("analytics:overview", args=["globex"]))
    assert "The library is empty" in page.content.decode()


def test_percent():
    assert percent(1, 3) == 33
    assert percent(2, 3) == 67
    assert percent(0, 0) is None


def test_reports_query_count_does_not_grow(cast: Cast, client_for, django_assert_num_queries):
    client = client_for(cast.leo)
    client.get(REPORTS)
    with CaptureQueriesContext(connection) as baseline:
        client.get(REPORTS)
    for number in range(5):
        team = TeamFactory(organization=cast.acme, name=f"Team {number}")
        MembershipFactory(organization=cast.acme, team=team)
        ContentItemFactory(organization=cast.acme)
        CampaignFactory(organization=cast.acme, status="live")
    with django_assert_num_queries(len(baseline.captured_queries)):
        client.get(REPORTS)
