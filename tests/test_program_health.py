"""The program-health page: who has gone quiet, who has no LinkedIn connection, whose
connection is expiring or has stopped, with a way to reach each one."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
import time_machine
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from advocacy.linkedin.models import Connection
from advocacy.linkedin.services import connect_member
from advocacy.tenancy.models import Membership

from .conftest import Cast
from .factories import CheckInFactory, FollowUpRoundFactory, MembershipFactory, PostFactory

pytestmark = pytest.mark.django_db
CPH = zoneinfo.ZoneInfo("Europe/Copenhagen")
NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=CPH)
URL = reverse("program:health", kwargs={"org_slug": "acme"})
# The page's queries whatever its number of rows: session, user, membership (middleware),
# participants, members, the latest round, and the user's organizations (the header).
HEALTH_QUERIES = 7


@pytest.fixture(autouse=True)
def now():
    with time_machine.travel(NOW, tick=False):
        yield


def participant(cast: Cast, name: str, *, joined_weeks_ago: int = 10, **fields: Any) -> Membership:
    membership: Membership = MembershipFactory(
        organization=cast.acme,
        user__name=name,
        user__email=f"{name.lower()}@acme.example",
        opted_in_at=timezone.now() - dt.timedelta(weeks=joined_weeks_ago),
        **fields,
    )
    return membership


def posted(membership: Membership, weeks_ago: float) -> None:
    PostFactory(author=membership, published_at=timezone.now() - dt.timedelta(weeks=weeks_ago))


def connect(membership: Membership, status: str = Connection.Status.ACTIVE) -> Connection:
    connection = connect_member(
        user=membership.user,
        sub=f"m-{membership.pk}",
        scopes="openid,profile,w_member_social",
        access_token=f"token-{membership.pk}",
        expires_in=60 * 86400,
    )
    Connection.objects.filter(pk=connection.pk).update(status=status)
    return connection


def names(rows: list[Any]) -> list[str]:
    return [row.membership.user.name for row in rows]


@pytest.fixture
def people(cast: Cast) -> dict[str, Membership]:
    """Acme's participants, each in one situation."""
    people = {
        "Anna": participant(cast, "Anna"),  # posted last week, connected
        "Bo": participant(cast, "Bo"),  # posted four weeks ago
        "Cai": participant(cast, "Cai"),  # never posted, never connected
        "Dora": participant(cast, "Dora", joined_weeks_ago=1),  # new, not posted yet
        "Erik": participant(cast, "Erik"),  # connection expiring soon
        "Frej": participant(cast, "Frej"),  # connection expired
        "Gry": participant(cast, "Gry"),  # access withdrawn on LinkedIn
    }
    posted(people["Anna"], 1)
    posted(people["Bo"], 4)
    for name in ("Erik", "Frej", "Gry"):
        posted(people[name], 0.5)
    connect(people["Anna"])
    connect(people["Bo"])
    connect(people["Dora"])
    connect(people["Erik"], Connection.Status.EXPIRING_SOON)
    connect(people["Frej"], Connection.Status.EXPIRED)
    connect(people["Gry"], Connection.Status.REVOKED)
    # Not in any list: someone who left, and someone who does not take part.
    left = participant(cast, "Hans", is_active=False)
    posted(left, 8)
    MembershipFactory(organization=cast.acme, user__name="Ida")
    return people


def test_the_lists_show_whom_to_reach_out_to(people: dict[str, Membership], cast: Cast, client_for):
    response = client_for(cast.carol).get(URL)
    assert response.status_code == 200
    health = response.context["health"]
    assert health.weeks == 3
    assert names(health.quiet) == ["Bo", "Cai"]
    # Carol, Emma and the others of the cast do not take part.
    assert names(health.not_connected) == ["Cai"]
    assert names(health.expiring) == ["Erik"]
    assert names(health.stopped) == ["Frej", "Gry"]
    assert health.participants == 7
    assert health.connected == 6
    assert health.to_renew == 3
    # The cast's five in Acme (Fay included), Ida and the seven; Hans has left.
    assert health.members == 5 + 1 + 7
    page = response.content.decode()
    for heading in ("Gone quiet", "No LinkedIn connection", "expiring soon", "stopped working"):
        assert heading in page


def test_quiet_is_n_weeks_from_the_query(people: dict[str, Membership], cast: Cast, client_for):
    client = client_for(cast.fay)
    assert names(client.get(URL, {"weeks": 5}).context["health"].quiet) == ["Cai"]
    # Anna posted exactly a week ago: not quiet yet. Dora joined a week ago: now she counts.
    assert names(client.get(URL, {"weeks": 1}).context["health"].quiet) == ["Bo", "Cai", "Dora"]
    later = client.get(URL, {"weeks": 12}).context["health"]
    assert names(later.quiet) == [], "nobody has taken part for twelve weeks"
    bad = client.get(URL, {"weeks": "lots"})
    assert bad.status_code == 200
    assert bad.context["health"].weeks == 3
    assert bad.context["form"].errors["weeks"]


def test_time_moves_people_into_the_quiet_list(
    people: dict[str, Membership], cast: Cast, client_for
):
    with time_machine.travel(NOW + dt.timedelta(weeks=3), tick=False):
        quiet = names(client_for(cast.carol).get(URL).context["health"].quiet)
    # Dora has now been in for four weeks without a post; Anna's last post is four weeks old.
    assert quiet == ["Anna", "Bo", "Cai", "Dora", "Erik", "Frej", "Gry"]


def test_every_row_offers_a_way_to_reach_out(people: dict[str, Membership], cast: Cast, client_for):
    cai = people["Cai"]
    member_page = reverse("tenancy:member", kwargs={"org_slug": "acme", "member_id": cai.public_id})
    carol_page = client_for(cast.carol).get(URL).content.decode()
    assert 'href="mailto:cai@acme.example?subject=' in carol_page
    assert member_page not in carol_page, "the member pages are the admins'"
    alice_page = client_for(cast.alice).get(URL).content.decode()
    assert member_page in alice_page
    assert 'href="mailto:cai@acme.example?subject=' in alice_page


def test_the_latest_round_shows_its_check_ins(
    people: dict[str, Membership], cast: Cast, client_for
):
    round = FollowUpRoundFactory(
        organization=cast.acme, opens_on=dt.date(2026, 3, 2), closes_on=dt.date(2026, 3, 16)
    )
    FollowUpRoundFactory(
        organization=cast.acme, opens_on=dt.date(2026, 4, 1), closes_on=dt.date(2026, 4, 14)
    )
    CheckInFactory(round=round, membership=people["Anna"])
    CheckInFactory(round=round, membership=people["Bo"])
    health = client_for(cast.carol).get(URL).context["health"]
    assert health.latest_round == round
    assert health.latest_round.checkin_count == 2


def test_the_page_costs_the_same_queries_with_more_rows(
    cast: Cast, client_for, django_assert_num_queries
):
    participant(cast, "Anna")
    client = client_for(cast.carol)
    client.get(URL)
    with CaptureQueriesContext(db) as baseline:
        client.get(URL)
    assert len(baseline.captured_queries) == HEALTH_QUERIES
    for index in range(6):
        someone = participant(cast, f"Person {index}")
        posted(someone, index)
        if index % 2:
            connect(someone, Connection.Status.EXPIRED)
    FollowUpRoundFactory(organization=cast.acme, opens_on=dt.date(2026, 3, 1))
    with django_assert_num_queries(HEALTH_QUERIES):
        response = client.get(URL)
    assert response.context["health"].participants == 7


@pytest.mark.parametrize("persona", ["emma", "leo"])
def test_employees_and_leaders_do_not_see_the_health_page(persona: str, cast: Cast, client_for):
    assert client_for(getattr(cast, persona)).get(URL).status_code == 403


def test_cannot_get_other_org_health(people: dict[str, Membership], cast: Cast, client_for):
    assert client_for(cast.greta).get(URL).status_code == 404
    own = client_for(cast.greta).get(reverse("program:health", kwargs={"org_slug": "globex"}))
    assert own.context["health"].participants == 0
    assert "Cai" not in own.content.decode()
