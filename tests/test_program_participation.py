"""Taking part: an explicit opt-in after a plain explanation, a one-click way out, and the
separate choice to delete what was collected."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from advocacy.program.models import BuddyPair
from advocacy.program.participation import delete_collected_figures, leave_program
from advocacy.tenancy.models import AuditEntry, Membership, Organization
from analytics.models import MemberFollowers, OrganizationDay, PostMetrics
from analytics.rollups import participant_ids, recompute_range
from content.models import Post

from .conftest import Cast
from .factories import (
    BuddyPairFactory,
    MemberFollowersFactory,
    MembershipFactory,
    PostFactory,
    PostMetricsFactory,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 11, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 12, 1)


def url(name: str, org: str = "acme", **kwargs: Any) -> str:
    return reverse(f"program:{name}", kwargs={"org_slug": org, **kwargs})


def member(cast: Cast, name: str, org: Organization | None = None) -> Membership:
    return cast.membership(getattr(cast, name), org or cast.acme)


def fresh(membership: Membership) -> Membership:
    return Membership.all_tenants.get(pk=membership.pk)


def opt_in(membership: Membership, when: dt.datetime = NOW) -> Membership:
    Membership.all_tenants.filter(pk=membership.pk).update(opted_in_at=when)
    return fresh(membership)


def audit(org: Organization, action: str) -> list[AuditEntry]:
    return list(AuditEntry.all_tenants.filter(organization=org, action=action))


def participants(org: Organization) -> set[int]:
    return {row["pk"] for row in participant_ids(org)}


# Joining -----------------------------------------------------------------------------------


def test_join_page_says_plainly_what_is_shared_measured_and_seen(cast: Cast, client_for):
    page = client_for(cast.emma).get(url("join")).content.decode()
    assert "Nothing is posted for you, ever." in page
    assert "your number of LinkedIn followers, once a day;" in page
    assert "clicks on the links in your posts, counted without keeping who clicked." in page
    # Who sees it: staff by name; leaders only totals.
    assert "The communications team: Carol" in page
    assert "Admins: Alice" in page
    assert "The facilitator: Fay" in page
    assert "Only totals for the whole company and teams" in page
    assert "I want to take part" in page
    # Reading the page is not joining.
    assert fresh(member(cast, "emma")).opted_in_at is None


@time_machine.travel(NOW, tick=False)
def test_joining_is_an_explicit_choice_recorded_in_the_audit(cast: Cast, client_for):
    response = client_for(cast.emma).post(url("join"), {})
    assert response.status_code == 302
    assert response["Location"] == url("participation")
    emma = fresh(member(cast, "emma"))
    assert emma.opted_in_at == NOW
    assert emma.show_on_leaderboard is False  # the leaderboard is a choice of its own
    assert emma.pk in participants(cast.acme)
    [entry] = audit(cast.acme, "program.joined")
    assert entry.actor == cast.emma
    assert entry.data == {"member": str(emma.public_id), "leaderboard": False}


def test_joining_with_the_leaderboard_ticked(cast: Cast, client_for):
    client_for(cast.emma).post(url("join"), {"show_on_leaderboard": "on"})
    assert fresh(member(cast, "emma")).show_on_leaderboard is True


def test_joining_twice_keeps_the_first_date(cast: Cast, client_for):
    emma = opt_in(member(cast, "emma"), NOW - dt.timedelta(days=30))
    response = client_for(cast.emma).post(url("join"), {}, follow=True)
    assert "You are taking part already." in response.content.decode()
    assert fresh(emma).opted_in_at == NOW - dt.timedelta(days=30)
    assert audit(cast.acme, "program.joined") == []


def test_dashboard_points_to_the_join_page_without_pressure(cast: Cast, client_for):
    page = client_for(cast.emma).get(reverse("content:dashboard", args=["acme"])).content.decode()
    assert "taking part is voluntary" in page
    assert f'href="{url("join")}"' in page
    assert "tell your communications team" not in page
    assert url("leave") not in page  # nothing to leave


# Leaving -------------------------------------------------------------------------------------


def test_leaving_is_one_click_from_the_dashboard(cast: Cast, client_for):
    opt_in(member(cast, "emma"))
    client = client_for(cast.emma)
    page = client.get(reverse("content:dashboard", args=["acme"])).content.decode()
    assert f'action="{url("leave")}"' in page
    response = client.post(url("leave"))
    assert response.status_code == 302
    assert response["Location"] == url("participation")
    emma = fresh(member(cast, "emma"))
    assert emma.opted_in_at is None
    [entry] = audit(cast.acme, "program.left")
    assert entry.actor == cast.emma


def test_leaving_is_one_click_from_the_profile(cast: Cast, client_for):
    opt_in(member(cast, "fay"))
    client = client_for(cast.fay)
    page = client.get(reverse("profile")).content.decode()
    assert f'action="{url("leave")}"' in page
    assert f'href="{url("join", org="globex")}"' in page  # not taking part in Globex
    client.post(url("leave"))
    assert fresh(member(cast, "fay")).opted_in_at is None


def test_leave_answers_only_a_post(cast: Cast, client_for):
    opt_in(member(cast, "emma"))
    assert client_for(cast.emma).get(url("leave")).status_code == 405
    assert fresh(member(cast, "emma")).opted_in_at is not None


def test_leaving_stops_collection_hides_from_the_leaderboard_and_ends_the_pair(
    cast: Cast, client_for
):
    emma = opt_in(member(cast, "emma"))
    Membership.all_tenants.filter(pk=emma.pk).update(show_on_leaderboard=True)
    pair = BuddyPairFactory(first=emma)
    assert emma.pk in participants(cast.acme)

    client_for(cast.emma).post(url("leave"))

    emma = fresh(emma)
    assert (emma.opted_in_at, emma.show_on_leaderboard) == (None, False)
    # Collection and every figure count participants only.
    assert emma.pk not in participants(cast.acme)
    assert BuddyPair.all_tenants.get(pk=pair.pk).status == BuddyPair.Status.ENDED
    [entry] = audit(cast.acme, "program.left")
    assert entry.data["pairs_ended"] == 1


@time_machine.travel(NOW, tick=False)
def test_leaving_recomputes_the_days_the_member_was_in(
    cast: Cast, client_for, django_capture_on_commit_callbacks
):
    emma = opt_in(member(cast, "emma"), NOW - dt.timedelta(days=10))
    first_day = TODAY - dt.timedelta(days=5)
    MemberFollowersFactory(membership=emma, day=first_day, followers=400)
    PostFactory(author=emma, published_at=NOW - dt.timedelta(days=2), impressions=900)
    recompute_range(organization=cast.acme, start=first_day, end=TODAY)
    before = OrganizationDay.all_tenants.get(organization=cast.acme, day=TODAY - dt.timedelta(2))
    assert (before.employee_followers, before.impressions) == (400, 900)

    with django_capture_on_commit_callbacks(execute=True):
        client_for(cast.emma).post(url("leave"))

    days = OrganizationDay.all_tenants.filter(organization=cast.acme, day__gte=first_day)
    assert days.count() == 6
    assert all(day.employee_followers is None and day.impressions == 0 for day in days)
    # What was collected stays until she chooses to delete it.
    assert MemberFollowers.all_tenants.filter(membership=emma).exists()


def test_after_leaving_the_figures_can_be_deleted_as_a_second_choice(cast: Cast, client_for):
    emma = opt_in(member(cast, "emma"))
    MemberFollowersFactory(membership=emma)
    client = client_for(cast.emma)
    client.post(url("leave"))
    page = client.get(url("participation")).content.decode()
    assert "Delete my collected figures" in page
    assert f'action="{url("delete_figures")}"' in page
    # Leaving deleted nothing by itself.
    assert MemberFollowers.all_tenants.filter(membership=emma).count() == 1


@time_machine.travel(NOW, tick=False)
def test_deleting_figures_removes_them_and_recomputes_the_days_touched(
    cast: Cast, client_for, django_capture_on_commit_callbacks
):
    emma, carol = opt_in(member(cast, "emma")), opt_in(member(cast, "carol"))
    first_day = TODAY - dt.timedelta(days=3)
    MemberFollowersFactory(membership=emma, day=first_day, followers=400)
    MemberFollowersFactory(membership=emma, day=TODAY, followers=410)
    MemberFollowersFactory(membership=carol, day=first_day, followers=50)
    post = PostFactory(
        author=emma,
        published_at=NOW - dt.timedelta(days=1),
        impressions=900,
        reactions=9,
        metrics_updated_at=NOW,
    )
    PostMetricsFactory(post=post, day=TODAY)
    carols = PostFactory(author=carol, published_at=NOW - dt.timedelta(days=1), impressions=70)
    PostMetricsFactory(post=carols, day=TODAY)
    recompute_range(organization=cast.acme, start=first_day - dt.timedelta(days=1), end=TODAY)
    # She left earlier, and the rollups still hold her (as they would if not yet recomputed).
    Membership.all_tenants.filter(pk=emma.pk).update(opted_in_at=None)
    untouched = OrganizationDay.all_tenants.get(
        organization=cast.acme, day=first_day - dt.timedelta(days=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.emma).post(url("delete_figures"), follow=True)

    assert "Your collected figures were deleted" in response.content.decode()
    assert not MemberFollowers.all_tenants.filter(membership=emma).exists()
    assert not PostMetrics.all_tenants.filter(post=post).exists()
    post = Post.all_tenants.get(pk=post.pk)
    assert (post.impressions, post.reactions, post.metrics_updated_at) == (None, None, None)
    assert post.status == Post.Status.PUBLISHED  # her post itself is hers and stays
    # A colleague's figures are untouched.
    assert MemberFollowers.all_tenants.filter(membership=carol).count() == 1
    assert PostMetrics.all_tenants.filter(post=carols).count() == 1
    # The days she touched are recomputed without her; an earlier day is left alone.
    yesterday = OrganizationDay.all_tenants.get(
        organization=cast.acme, day=TODAY - dt.timedelta(days=1)
    )
    assert (yesterday.employee_followers, yesterday.impressions, yesterday.posts) == (50, 70, 1)
    assert OrganizationDay.all_tenants.get(pk=untouched.pk).computed_at == untouched.computed_at
    [entry] = audit(cast.acme, "program.figures_deleted")
    assert entry.actor == cast.emma
    assert (entry.data["follower_figures"], entry.data["post_figures"]) == (2, 1)
    assert entry.data["posts_cleared"] == 1


def test_deleting_figures_while_taking_part_is_refused(cast: Cast, client_for):
    emma = opt_in(member(cast, "emma"))
    MemberFollowersFactory(membership=emma)
    response = client_for(cast.emma).post(url("delete_figures"), follow=True)
    assert "Leave it first" in response.content.decode()
    assert MemberFollowers.all_tenants.filter(membership=emma).count() == 1
    assert audit(cast.acme, "program.figures_deleted") == []


def test_deleting_figures_when_there_are_none(cast: Cast, client_for):
    response = client_for(cast.emma).post(url("delete_figures"), follow=True)
    assert "There were no figures of yours to delete." in response.content.decode()


def test_deleting_figures_touches_only_the_own_organization(cast: Cast):
    fay_acme = member(cast, "fay")
    fay_globex = opt_in(member(cast, "fay", cast.globex))
    MemberFollowersFactory(membership=fay_acme)
    MemberFollowersFactory(membership=fay_globex)
    deleted = delete_collected_figures(membership=fay_acme)
    assert deleted.follower_figures == 1
    assert MemberFollowers.all_tenants.filter(membership=fay_globex).count() == 1


def test_leaving_when_not_taking_part_changes_nothing(cast: Cast):
    assert leave_program(membership=member(cast, "emma")) is False
    assert audit(cast.acme, "program.left") == []


# The leaderboard choice ----------------------------------------------------------------------


def test_a_participant_chooses_the_leaderboard_and_back(cast: Cast, client_for):
    emma = opt_in(member(cast, "emma"))
    client = client_for(cast.emma)
    client.post(url("participation_leaderboard"), {"show_on_leaderboard": "on"})
    assert fresh(emma).show_on_leaderboard is True
    client.post(url("participation_leaderboard"), {})
    assert fresh(emma).show_on_leaderboard is False
    assert len(audit(cast.acme, "program.leaderboard_choice")) == 2


def test_a_non_participant_cannot_be_put_on_the_leaderboard(cast: Cast, client_for):
    response = client_for(cast.emma).post(
        url("participation_leaderboard"), {"show_on_leaderboard": "on"}, follow=True
    )
    assert "the leaderboard shows participants only" in response.content.decode()
    assert fresh(member(cast, "emma")).show_on_leaderboard is False


# Nobody is shown for not taking part -----------------------------------------------------------


def test_staff_pages_list_participants_only(cast: Cast, client_for):
    opt_in(member(cast, "emma"))
    MembershipFactory(organization=cast.acme, user__name="Quiet Quentin")  # not taking part
    page = client_for(cast.carol).get(url("pairs")).content.decode()
    assert "Emma" in page
    assert "Quiet Quentin" not in page
    invite_page = client_for(cast.emma).get(url("buddy")).content.decode()
    assert "Quiet Quentin" not in invite_page


def test_participation_page_reads_without_pressure_for_a_non_participant(cast: Cast, client_for):
    page = client_for(cast.leo).get(url("participation")).content.decode()
    assert "You are not taking part" in page
    assert "That is fine" in page
    assert "Delete my collected figures" not in page  # nothing was collected


def test_a_participant_with_a_buddy_sees_them_on_the_dashboard_and_pages(cast: Cast, client_for):
    emma = opt_in(member(cast, "emma"))
    ben = MembershipFactory(organization=cast.acme, user__name="Ben", opted_in_at=NOW)
    pair = BuddyPairFactory(first=ben, second=emma)
    client = client_for(cast.emma)
    pair_url = url("pair", pair_id=pair.public_id)
    dashboard = client.get(reverse("content:dashboard", args=["acme"])).content.decode()
    assert f'Your buddy: <a href="{pair_url}">Ben</a>' in dashboard
    page = client.get(url("participation")).content.decode()
    assert "Your buddy is Ben." in page
    assert f'action="{url("leave")}"' in page
    buddy_page = client.get(url("buddy"))
    assert [c.member for c in buddy_page.context["cadences"]] == [emma, ben]
    assert "You and Ben are buddies" in buddy_page.content.decode()
