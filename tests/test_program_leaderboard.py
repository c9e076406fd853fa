"""The leaderboard: points per outcome within a season, teams compared per member, and only
those who chose to be on it by name."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advocacy.program import leaderboard as board
from advocacy.program.models import Season
from advocacy.tenancy.models import AuditEntry, Membership

from .conftest import Cast
from .factories import (
    ClickFactory,
    MemberFollowersFactory,
    MembershipFactory,
    PostFactory,
    SeasonFactory,
    TeamFactory,
    TrackedLinkFactory,
    UserFactory,
)

UTC = dt.UTC
# Acme's day is Copenhagen's (UTC+2 in May): the second quarter runs 1 April to 30 June.
NOW = dt.datetime(2026, 5, 15, 10, 0, tzinfo=UTC)
LEADERBOARD = reverse("program:leaderboard", args=["acme"])
CHOICE = reverse("program:leaderboard_choice", args=["acme"])
SEASONS = reverse("program:seasons", args=["acme"])


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def at(year: int, month: int, day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=UTC)


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def participant(cast: Cast, name: str, *, team=None, show: bool = True) -> Membership:
    membership: Membership = MembershipFactory(
        organization=cast.acme,
        user=UserFactory(name=name),
        team=team,
        opted_in_at=at(2026, 1, 5),
        show_on_leaderboard=show,
    )
    return membership


def join(membership: Membership, *, show: bool = True) -> Membership:
    Membership.all_tenants.filter(pk=membership.pk).update(
        opted_in_at=at(2026, 1, 5), show_on_leaderboard=show
    )
    membership.refresh_from_db()
    return membership


def posts(author: Membership, count: int, *, when: dt.datetime | None = None, **extra) -> list:
    return [
        PostFactory(author=author, published_at=when or at(2026, 5, 1), **extra)
        for _ in range(count)
    ]


def clicks(post, count: int, *, when: dt.datetime | None = None, is_bot: bool = False) -> None:
    link = getattr(post, "tracked_link", None) or TrackedLinkFactory(post=post)
    for _ in range(count):
        ClickFactory(link=link, clicked_at=when or at(2026, 5, 2), is_bot=is_bot)


def points_of(result: board.Leaderboard) -> dict[str, int]:
    return {s.membership.display_name: s.points for s in result.standings}


def current(cast: Cast, viewer: Membership | None = None) -> board.Leaderboard:
    return board.leaderboard(cast.acme, board.current_season(cast.acme), viewer=viewer)


# Points ------------------------------------------------------------------------------------


def test_points_per_outcome_as_counted_by_hand(cast: Cast):
    emma = join(cast.membership(cast.emma, cast.acme))
    # Two posts in the season, one with 4 comments; a draft and a deleted post do not count.
    first, _second = posts(emma, 2)
    first.comments = 4
    first.save()
    PostFactory(author=emma, status="draft", linkedin_urn="", published_at=None)
    PostFactory(author=emma, status="deleted", published_at=at(2026, 5, 3), comments=50)
    # A post from last quarter: its 10 comments belong to last season, but a click on it in
    # this season counts in this one.
    [old] = posts(emma, 1, when=at(2026, 3, 10), comments=10)
    clicks(first, 3)
    clicks(first, 2, is_bot=True)
    clicks(old, 1)
    clicks(old, 5, when=at(2026, 3, 20))
    # Followers: 100 before the season, 110 and then 125 within it: 25 new.
    for day, followers in [((2026, 3, 30), 100), ((2026, 4, 10), 110), ((2026, 5, 10), 125)]:
        MemberFollowersFactory(membership=emma, day=dt.date(*day), followers=followers)

    [standing] = current(cast).standings
    assert (standing.posts, standing.clicks, standing.new_followers, standing.comments) == (
        2,
        4,
        25,
        4,
    )
    # 2 posts * 10 + 4 clicks * 1 + 25 new followers * 2 + 4 comments * 3
    assert standing.points == 20 + 4 + 50 + 12 == 86
    assert standing.rank == 1


def test_the_weights_are_the_documented_ones(cast: Cast, client_for):
    assert (
        board.POINTS_PER_POST,
        board.POINTS_PER_CLICK,
        board.POINTS_PER_NEW_FOLLOWER,
        board.POINTS_PER_COMMENT,
    ) == (10, 1, 2, 3)
    join(cast.membership(cast.emma, cast.acme))
    page = client_for(cast.emma).get(LEADERBOARD).content.decode()
    assert "10 points for each post published in the season" in page
    assert "1 point for each click through your links in the season" in page
    assert "2 points for each new follower" in page
    assert "3 points for each comment on your posts published in the season" in page


def test_new_followers_without_a_figure_before_the_season_start_from_the_first(cast: Cast):
    emma = join(cast.membership(cast.emma, cast.acme))
    MemberFollowersFactory(membership=emma, day=dt.date(2026, 4, 20), followers=300)
    MemberFollowersFactory(membership=emma, day=dt.date(2026, 5, 14), followers=312)
    [standing] = current(cast).standings
    assert (standing.new_followers, standing.points) == (12, 24)


def test_losing_followers_costs_no_points(cast: Cast):
    emma = join(cast.membership(cast.emma, cast.acme))
    MemberFollowersFactory(membership=emma, day=dt.date(2026, 3, 1), followers=300)
    MemberFollowersFactory(membership=emma, day=dt.date(2026, 5, 1), followers=280)
    [standing] = current(cast).standings
    assert (standing.new_followers, standing.points) == (0, 0)


def test_a_post_counts_on_the_organizations_day(cast: Cast):
    emma = join(cast.membership(cast.emma, cast.acme))
    # 22:30 UTC on 31 March is half past midnight on 1 April in Copenhagen: this season.
    posts(emma, 1, when=dt.datetime(2026, 3, 31, 22, 30, tzinfo=UTC))
    # 21:30 UTC on 31 March is still 31 March there: last season.
    posts(emma, 1, when=dt.datetime(2026, 3, 31, 21, 30, tzinfo=UTC))
    assert current(cast).standings[0].posts == 1


def test_ties_share_a_rank(cast: Cast):
    a, b, c = (participant(cast, name) for name in ("Ann", "Bea", "Cai"))
    posts(a, 2)
    posts(b, 2)
    posts(c, 1)
    result = current(cast)
    assert [(s.membership.display_name, s.rank) for s in result.standings] == [
        ("Ann", 1),
        ("Bea", 1),
        ("Cai", 3),
    ]


# Teams -------------------------------------------------------------------------------------


def test_teams_are_compared_per_member_so_a_small_team_can_win(cast: Cast):
    small, large = TeamFactory(organization=cast.acme, name="Small"), cast.acme_sales
    solo = participant(cast, "Solo", team=small)
    posts(solo, 3)  # 30 points
    crowd = [participant(cast, f"Crowd {n}", team=large) for n in range(3)]
    for member in crowd:
        posts(member, 2)  # 20 points each, 60 for the team
    result = current(cast)
    assert [
        (t.team.name, t.size, t.points, str(t.points_per_member), t.rank) for t in result.teams
    ] == [
        ("Small", 1, 30, "30.0", 1),
        ("Sales", 3, 60, "20.0", 2),
    ]
    # Individual points are not adjusted.
    assert points_of(result) == {"Solo": 30, "Crowd 0": 20, "Crowd 1": 20, "Crowd 2": 20}


def test_points_per_member_are_rounded_to_one_place(cast: Cast):
    team = cast.acme_sales
    a, b, c = (participant(cast, name, team=team) for name in ("A", "B", "C"))
    posts(a, 1)
    clicks(posts(b, 1)[0], 1)
    [sales] = current(cast).teams
    # (10 + 11 + 0) / 3
    assert (sales.points, str(sales.points_per_member)) == (21, "7.0")
    clicks(posts(c, 1)[0], 1)
    [sales] = current(cast).teams
    # (10 + 11 + 11) / 3 = 10.67
    assert (sales.points, str(sales.points_per_member)) == (32, "10.7")


def test_team_totals_count_only_members_on_the_board(cast: Cast):
    team = cast.acme_sales
    shown = participant(cast, "Shown", team=team)
    hidden = participant(cast, "Hidden", team=team, show=False)
    posts(shown, 1)
    posts(hidden, 5)
    [sales] = current(cast).teams
    assert (sales.size, sales.points, str(sales.points_per_member)) == (1, 10, "10.0")


# Who is on it ------------------------------------------------------------------------------


def test_only_those_who_chose_it_are_listed(cast: Cast, client_for):
    shown = participant(cast, "Shown Person", team=cast.acme_sales)
    hidden = participant(cast, "Hidden Person", team=cast.acme_sales, show=False)
    gone = participant(cast, "Gone Person", team=cast.acme_sales)
    Membership.all_tenants.filter(pk=gone.pk).update(opted_in_at=None)
    deactivated = participant(cast, "Deactivated Person", team=cast.acme_sales)
    Membership.all_tenants.filter(pk=deactivated.pk).update(is_active=False)
    for member in (shown, hidden, gone, deactivated):
        posts(member, 3)
    result = current(cast)
    assert [s.membership.pk for s in result.standings] == [shown.pk]
    assert result.teams[0].points == 30

    page = client_for(cast.leo).get(LEADERBOARD).content.decode()
    assert "Shown Person" in page
    for name in ("Hidden Person", "Gone Person", "Deactivated Person"):
        assert name not in page


def test_a_member_off_the_board_sees_their_own_points_alone(cast: Cast, client_for):
    emma = join(cast.membership(cast.emma, cast.acme), show=False)
    posts(emma, 2)
    response = client_for(cast.emma).get(LEADERBOARD)
    result = response.context["board"]
    assert result.standings == []
    assert (result.mine.points, result.mine.rank, result.on_board) == (20, None, False)
    assert "Only you see this: you are not on the board." in response.content.decode()
    # Nobody else sees them.
    assert client_for(cast.carol).get(LEADERBOARD).context["board"].mine is None


def test_a_member_steps_on_and_off_the_board(cast: Cast, client_for):
    emma = join(cast.membership(cast.emma, cast.acme), show=False)
    posts(emma, 1)
    client = client_for(cast.emma)
    response = client.post(CHOICE, {"show": "1"})
    assert response["Location"] == LEADERBOARD
    emma.refresh_from_db()
    assert emma.show_on_leaderboard
    assert [s.membership.pk for s in current(cast).standings] == [emma.pk]

    client.post(CHOICE, {"show": "0"})
    emma.refresh_from_db()
    assert not emma.show_on_leaderboard
    assert current(cast).standings == []
    assert "Emma" not in client_for(cast.leo).get(LEADERBOARD).content.decode().split("People")[1]


def test_a_member_cannot_choose_for_someone_else(cast: Cast, client_for):
    emma = join(cast.membership(cast.emma, cast.acme), show=False)
    carol = join(cast.membership(cast.carol, cast.acme), show=True)
    response = client_for(cast.emma).post(CHOICE, {"show": "0", "membership": str(carol.public_id)})
    assert texts(response) == [
        "You can only do this for yourself: the form named someone else, so nothing was saved."
    ]
    carol.refresh_from_db()
    emma.refresh_from_db()
    assert (carol.show_on_leaderboard, emma.show_on_leaderboard) == (True, False)


def test_someone_outside_the_program_cannot_step_on_the_board(cast: Cast, client_for):
    response = client_for(cast.emma).post(CHOICE, {"show": "1"})
    assert texts(response) == ["Join the program first: the leaderboard shows participants only."]
    assert not cast.membership(cast.emma, cast.acme).show_on_leaderboard
    page = client_for(cast.emma).get(LEADERBOARD).content.decode()
    assert "You are not in the advocacy program" in page


def test_someone_who_left_the_program_can_still_step_off(cast: Cast, client_for):
    emma = join(cast.membership(cast.emma, cast.acme), show=True)
    Membership.all_tenants.filter(pk=emma.pk).update(opted_in_at=None)
    client = client_for(cast.emma)
    assert "Take me off the leaderboard" in client.get(LEADERBOARD).content.decode()
    client.post(CHOICE, {"show": "0"})
    emma.refresh_from_db()
    assert not emma.show_on_leaderboard


def test_the_choice_is_a_post(cast: Cast, client_for):
    join(cast.membership(cast.emma, cast.acme), show=False)
    assert client_for(cast.emma).get(CHOICE).status_code == 405
    assert not cast.membership(cast.emma, cast.acme).show_on_leaderboard


# Seasons -----------------------------------------------------------------------------------


def test_without_seasons_the_calendar_quarter_is_the_season(cast: Cast, client_for):
    season = board.current_season(cast.acme)
    assert (season.name, season.starts_on, season.ends_on, season.is_quarter) == (
        "Q2 2026",
        dt.date(2026, 4, 1),
        dt.date(2026, 6, 30),
        True,
    )
    page = client_for(cast.emma).get(LEADERBOARD).content.decode()
    assert "Leaderboard: Q2 2026" in page
    assert "the calendar quarter is the season" in page


@pytest.mark.parametrize(
    ("day", "name", "start", "end"),
    [
        (dt.date(2026, 1, 1), "Q1 2026", dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        (dt.date(2026, 9, 30), "Q3 2026", dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
        (dt.date(2026, 12, 31), "Q4 2026", dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
    ],
)
def test_quarters(day, name, start, end):
    quarter = board.quarter_of(day)
    assert (quarter.name, quarter.starts_on, quarter.ends_on) == (name, start, end)


def test_points_count_only_within_the_season(cast: Cast, client_for):
    spring = SeasonFactory(
        organization=cast.acme,
        name="Spring",
        starts_on=dt.date(2026, 3, 1),
        ends_on=dt.date(2026, 4, 30),
    )
    may = SeasonFactory(
        organization=cast.acme,
        name="May",
        starts_on=dt.date(2026, 5, 1),
        ends_on=dt.date(2026, 5, 31),
    )
    emma = join(cast.membership(cast.emma, cast.acme))
    posts(emma, 2, when=at(2026, 4, 20))
    posts(emma, 1, when=at(2026, 5, 2))
    # May started afresh: one post so far.
    assert board.current_season(cast.acme).season == may
    assert points_of(current(cast)) == {"Emma": 10}
    # Spring is still there to look back on.
    response = client_for(cast.emma).get(LEADERBOARD, {"season": str(spring.public_id)})
    assert response.context["board"].season.season == spring
    assert points_of(response.context["board"]) == {"Emma": 20}
    # A season that has not begun, or another organization's, is not offered.
    later = SeasonFactory(
        organization=cast.acme, starts_on=dt.date(2026, 6, 1), ends_on=dt.date(2026, 6, 30)
    )
    theirs = SeasonFactory(organization=cast.globex)
    for season in (later, theirs):
        response = client_for(cast.emma).get(LEADERBOARD, {"season": str(season.public_id)})
        assert response.context["board"].season.season == may
    assert client_for(cast.emma).get(LEADERBOARD, {"season": "nonsense"}).status_code == 200


def test_staff_create_a_season(cast: Cast, client_for):
    response = client_for(cast.carol).post(
        SEASONS, {"name": "Summer", "starts_on": "2026-05-01", "ends_on": "2026-08-31"}
    )
    assert response.status_code == 302
    season = Season.objects.for_org(cast.acme).get()
    assert (season.name, season.starts_on, season.ends_on) == (
        "Summer",
        dt.date(2026, 5, 1),
        dt.date(2026, 8, 31),
    )
    assert AuditEntry.objects.for_org(cast.acme).get(action="season.created").actor == cast.carol
    assert board.current_season(cast.acme).season == season


@pytest.mark.parametrize("persona", ["emma", "leo"])
def test_members_cannot_manage_seasons(cast: Cast, client_for, persona):
    season = SeasonFactory(organization=cast.acme)
    client = client_for(getattr(cast, persona))
    form = {"name": "Mine", "starts_on": "2026-05-01", "ends_on": "2026-05-31"}
    assert client.get(SEASONS).status_code == 403
    assert client.post(SEASONS, form).status_code == 403
    edit = reverse("program:season_edit", args=["acme", season.public_id])
    assert client.post(edit, form).status_code == 403
    delete = reverse("program:season_delete", args=["acme", season.public_id])
    assert client.post(delete).status_code == 403
    assert list(Season.objects.for_org(cast.acme)) == [season]


def test_seasons_may_not_overlap_or_run_backwards(cast: Cast, client_for):
    SeasonFactory(
        organization=cast.acme,
        name="May",
        starts_on=dt.date(2026, 5, 1),
        ends_on=dt.date(2026, 5, 31),
    )
    carol = client_for(cast.carol)
    overlap = carol.post(
        SEASONS, {"name": "Late May", "starts_on": "2026-05-20", "ends_on": "2026-06-20"}
    )
    assert overlap.status_code == 200
    assert overlap.context["form"].non_field_errors() == [
        "The days overlap with the season “May”: a day counts in one season."
    ]
    backwards = carol.post(
        SEASONS, {"name": "Odd", "starts_on": "2026-07-10", "ends_on": "2026-07-01"}
    )
    assert backwards.context["form"].errors["ends_on"] == ["A season ends after the day it starts."]
    assert Season.objects.for_org(cast.acme).count() == 1


def test_a_season_is_edited_and_removed(cast: Cast, client_for):
    season = SeasonFactory(
        organization=cast.acme,
        name="May",
        starts_on=dt.date(2026, 5, 1),
        ends_on=dt.date(2026, 5, 31),
    )
    carol = client_for(cast.carol)
    edit = reverse("program:season_edit", args=["acme", season.public_id])
    response = carol.post(
        edit, {"name": "May and June", "starts_on": "2026-05-01", "ends_on": "2026-06-30"}
    )
    assert response.status_code == 302
    season.refresh_from_db()
    assert (season.name, season.ends_on) == ("May and June", dt.date(2026, 6, 30))
    delete = reverse("program:season_delete", args=["acme", season.public_id])
    assert carol.get(delete).status_code == 405
    assert carol.post(delete).status_code == 302
    assert not Season.objects.for_org(cast.acme).exists()
    assert board.current_season(cast.acme).is_quarter


# Other organizations -----------------------------------------------------------------------


def test_cannot_get_other_org_season(cast: Cast, client_for):
    theirs = SeasonFactory(organization=cast.globex)
    carol = client_for(cast.carol)
    edit = reverse("program:season_edit", args=["acme", theirs.public_id])
    delete = reverse("program:season_delete", args=["acme", theirs.public_id])
    assert carol.get(edit).status_code == 404
    assert (
        carol.post(
            edit, {"name": "x", "starts_on": "2026-01-01", "ends_on": "2026-02-01"}
        ).status_code
        == 404
    )
    assert carol.post(delete).status_code == 404
    assert Season.all_tenants.filter(pk=theirs.pk, name=theirs.name).exists()


def test_other_organizations_people_are_never_on_the_board(cast: Cast, client_for):
    gus = cast.membership(cast.gus, cast.globex)
    Membership.all_tenants.filter(pk=gus.pk).update(
        opted_in_at=at(2026, 1, 5), show_on_leaderboard=True
    )
    posts(gus, 4)
    assert current(cast).standings == []
    assert "Gus" not in client_for(cast.alice).get(LEADERBOARD).content.decode().split("People")[1]
    assert client_for(cast.greta).get(LEADERBOARD).status_code == 404
    assert client_for(cast.greta).post(CHOICE, {"show": "0"}).status_code == 404


# Query counts ------------------------------------------------------------------------------


def test_the_leaderboard_makes_a_fixed_number_of_queries(
    cast: Cast, client_for, django_assert_num_queries
):
    teams = [cast.acme_sales, TeamFactory(organization=cast.acme)]

    def grow(how_many: int) -> None:
        for n in range(how_many):
            member = participant(cast, f"Person {n}", team=teams[n % 2], show=n % 3 != 0)
            [post] = posts(member, 1, comments=2)
            clicks(post, 2)
            MemberFollowersFactory(membership=member, day=dt.date(2026, 3, 1), followers=50)
            MemberFollowersFactory(membership=member, day=dt.date(2026, 5, 1), followers=60)

    grow(2)
    SeasonFactory(organization=cast.acme)
    client = client_for(cast.emma)
    client.get(LEADERBOARD)
    with CaptureQueriesContext(connection) as baseline:
        client.get(LEADERBOARD)
    grow(9)
    SeasonFactory(organization=cast.acme)
    with django_assert_num_queries(len(baseline.captured_queries)):
        response = client.get(LEADERBOARD)
    # Every third person keeps off the board: one of the first two, six of the next nine.
    assert len(response.context["board"].standings) == 1 + 6
