"""Follow-up rounds: opening them (by hand and on schedule), participants' check-ins, and what
comms, the facilitator and admins read and write."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from advocacy.program import followups
from advocacy.program.goals import progress_of
from advocacy.program.models import CheckIn, FollowUpRound, Goal
from advocacy.program.tasks import open_follow_up_rounds
from advocacy.tenancy.models import AuditEntry, Membership, Organization

from .conftest import Cast
from .factories import (
    CheckInFactory,
    FollowUpRoundFactory,
    GoalFactory,
    MembershipFactory,
    PostFactory,
)

pytestmark = pytest.mark.django_db
CPH = zoneinfo.ZoneInfo("Europe/Copenhagen")
TODAY = dt.date(2026, 3, 10)
NOON = dt.datetime(2026, 3, 10, 12, 0, tzinfo=CPH)


@pytest.fixture(autouse=True)
def at_noon():
    with time_machine.travel(NOON, tick=False):
        yield


def take_part(cast: Cast, user: Any, organization: Organization | None = None) -> Membership:
    membership = cast.membership(user, organization or cast.acme)
    Membership.all_tenants.filter(pk=membership.pk).update(
        opted_in_at=timezone.now() - dt.timedelta(days=30)
    )
    membership.refresh_from_db()
    return membership


def open_round(cast: Cast, **fields: Any) -> FollowUpRound:
    values = {"opens_on": TODAY - dt.timedelta(days=2), "closes_on": TODAY + dt.timedelta(days=5)}
    values.update(fields)
    round: FollowUpRound = FollowUpRoundFactory(organization=cast.acme, **values)
    return round


def rounds_url() -> str:
    return reverse("program:followup_rounds", kwargs={"org_slug": "acme"})


def round_url(round: FollowUpRound) -> str:
    return reverse(
        "program:followup_round", kwargs={"org_slug": "acme", "round_id": round.public_id}
    )


def checkin_url(round: FollowUpRound) -> str:
    return reverse("program:checkin", kwargs={"org_slug": "acme", "round_id": round.public_id})


def answers(**fields: str) -> dict[str, str]:
    values = {"went_well": "", "held_back": "", "help_wanted": ""}
    values.update(fields)
    return values


def audit(organization: Organization, action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.for_org(organization).filter(action=action))


# Opening rounds ------------------------------------------------------------------------------


def test_comms_open_a_round_and_it_is_in_the_audit_trail(cast: Cast, client_for):
    response = client_for(cast.carol).post(
        rounds_url(),
        {"title": "March check-in", "opens_on": "2026-03-10", "closes_on": "2026-03-24"},
    )
    [round] = FollowUpRound.objects.for_org(cast.acme)
    assert response.status_code == 302
    assert response["Location"] == round_url(round)
    assert (round.title, round.opens_on, round.closes_on) == (
        "March check-in",
        dt.date(2026, 3, 10),
        dt.date(2026, 3, 24),
    )
    assert round.created_by == cast.carol
    [entry] = audit(cast.acme, "program.followup_round_created")
    assert entry.actor == cast.carol
    assert entry.data["round"] == str(round.public_id)


def test_a_round_cannot_close_before_it_opens(cast: Cast, client_for):
    response = client_for(cast.fay).post(
        rounds_url(), {"title": "Backwards", "opens_on": "2026-03-10", "closes_on": "2026-03-09"}
    )
    assert response.status_code == 200
    assert "A round cannot close before it opens." in response.content.decode()
    with pytest.raises(ValidationError) as refused:
        followups.create_round(
            organization=cast.acme,
            actor=cast.carol,
            title="Backwards",
            opens_on=TODAY,
            closes_on=TODAY - dt.timedelta(days=1),
        )
    assert "closes_on" in refused.value.message_dict
    assert not FollowUpRound.objects.for_org(cast.acme).exists()


def test_two_rounds_cannot_open_on_the_same_day(cast: Cast, client_for):
    open_round(cast, opens_on=TODAY)
    response = client_for(cast.carol).post(
        rounds_url(), {"title": "Again", "opens_on": "2026-03-10", "closes_on": "2026-03-20"}
    )
    assert response.status_code == 200
    assert "Another round already opens on that day." in response.content.decode()
    assert FollowUpRound.objects.for_org(cast.acme).count() == 1


@pytest.mark.parametrize("persona", ["emma", "leo"])
def test_employees_and_leaders_cannot_open_or_read_rounds(persona: str, cast: Cast, client_for):
    round = open_round(cast)
    client = client_for(getattr(cast, persona))
    response = client.post(
        rounds_url(), {"title": "Mine", "opens_on": "2026-03-11", "closes_on": "2026-03-20"}
    )
    assert response.status_code == 403
    assert client.get(round_url(round)).status_code == 403
    assert client.post(round_url(round), {"notes": "Overwritten"}).status_code == 403
    assert FollowUpRound.objects.for_org(cast.acme).count() == 1
    assert FollowUpRound.objects.for_org(cast.acme).get().notes == ""


def test_cannot_get_other_org_round(cast: Cast, client_for):
    round = open_round(cast)
    greta = client_for(cast.greta)
    for url in (
        reverse(
            "program:followup_round", kwargs={"org_slug": "globex", "round_id": round.public_id}
        ),
        reverse("program:checkin", kwargs={"org_slug": "globex", "round_id": round.public_id}),
    ):
        assert greta.get(url).status_code == 404
        assert greta.post(url, answers(went_well="Mine now")).status_code == 404
    assert not CheckIn.all_tenants.exists()


# The schedule --------------------------------------------------------------------------------


def test_a_round_opens_on_schedule_when_the_last_one_is_a_month_old(cast: Cast):
    take_part(cast, cast.emma)
    open_follow_up_rounds.delay()
    [first] = FollowUpRound.objects.for_org(cast.acme)
    assert (first.opens_on, first.closes_on) == (TODAY, TODAY + dt.timedelta(days=13))
    assert first.title == "Follow-up, March 2026"
    assert first.created_by is None
    assert len(audit(cast.acme, "program.followup_round_opened")) == 1
    # Globex has no participant: no round of its own.
    assert not FollowUpRound.objects.for_org(cast.globex).exists()

    open_follow_up_rounds.delay()  # the same day again
    with time_machine.travel(NOON + dt.timedelta(days=29), tick=False):
        open_follow_up_rounds.delay()
    assert FollowUpRound.objects.for_org(cast.acme).count() == 1

    with time_machine.travel(NOON + dt.timedelta(days=30), tick=False):
        open_follow_up_rounds.delay()
    assert [r.opens_on for r in FollowUpRound.objects.for_org(cast.acme)] == [
        TODAY + dt.timedelta(days=30),
        TODAY,
    ]


def test_the_schedule_follows_the_setting_and_a_round_opened_by_hand(cast: Cast, settings):
    settings.PROGRAM_FOLLOW_UP_EVERY_DAYS = 7
    take_part(cast, cast.emma)
    open_round(cast, opens_on=TODAY - dt.timedelta(days=6))
    open_follow_up_rounds.delay()
    assert FollowUpRound.objects.for_org(cast.acme).count() == 1
    with time_machine.travel(NOON + dt.timedelta(days=1), tick=False):
        open_follow_up_rounds.delay()
    latest = FollowUpRound.objects.for_org(cast.acme).order_by("-opens_on").first()
    assert latest.opens_on == TODAY + dt.timedelta(days=1)
    assert latest.closes_on == latest.opens_on + dt.timedelta(days=6), "closes before the next"


def test_the_automatic_round_is_named_in_the_organizations_language(cast: Cast):
    Organization.objects.filter(pk=cast.acme.pk).update(language="da")
    take_part(cast, cast.emma)
    open_follow_up_rounds.delay()
    assert FollowUpRound.objects.for_org(cast.acme).get().title.endswith("marts 2026")


# Check-ins -----------------------------------------------------------------------------------


def test_a_participant_checks_in_once_per_round_and_may_change_it(cast: Cast, client_for):
    emma = take_part(cast, cast.emma)
    round = open_round(cast)
    client = client_for(cast.emma)
    assert client.get(checkin_url(round)).status_code == 200

    first = client.post(checkin_url(round), answers(went_well="Two posts about the fair"))
    assert first.status_code == 302
    assert first["Location"] == reverse("program:checkins", kwargs={"org_slug": "acme"})
    second = client.post(
        checkin_url(round),
        answers(went_well="Two posts about the fair", help_wanted="Ideas for pictures"),
    )
    assert second.status_code == 302

    [checkin] = CheckIn.objects.for_org(cast.acme)
    assert checkin.membership == emma
    assert checkin.round == round
    assert checkin.help_wanted == "Ideas for pictures"
    page = client.get(checkin_url(round)).content.decode()
    assert "Ideas for pictures" in page, "the form shows her answers to change"
    listing = client.get(reverse("program:checkins", kwargs={"org_slug": "acme"}))
    assert "Change your check-in" in listing.content.decode()


def test_only_participants_check_in(cast: Cast, client_for):
    round = open_round(cast)
    # Alice never joined the program.
    response = client_for(cast.alice).post(checkin_url(round), answers(went_well="Hi"))
    assert response.status_code == 200
    assert "Check-ins are for participants of the program." in response.content.decode()
    # Someone who left is refused by the service too.
    emma = take_part(cast, cast.emma)
    Membership.all_tenants.filter(pk=emma.pk).update(is_active=False)
    emma.refresh_from_db()
    with pytest.raises(ValidationError, match="participants"):
        followups.submit_checkin(
            round=round, membership=emma, went_well="Hi", held_back="", help_wanted=""
        )
    assert not CheckIn.all_tenants.exists()


def test_a_closed_round_refuses_check_ins_and_shows_the_answers(cast: Cast, client_for):
    emma = take_part(cast, cast.emma)
    round = open_round(
        cast, opens_on=TODAY - dt.timedelta(days=14), closes_on=TODAY - dt.timedelta(days=1)
    )
    CheckInFactory(round=round, membership=emma, went_well="Before it closed")
    client = client_for(cast.emma)
    response = client.post(checkin_url(round), answers(went_well="Too late"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "This round is closed for check-ins." in page
    assert "Before it closed" in page
    assert CheckIn.objects.for_org(cast.acme).get().went_well == "Before it closed"

    future = open_round(
        cast, opens_on=TODAY + dt.timedelta(days=3), closes_on=TODAY + dt.timedelta(days=9)
    )
    with pytest.raises(ValidationError, match="opens on"):
        followups.submit_checkin(
            round=future, membership=emma, went_well="Early", held_back="", help_wanted=""
        )


def test_an_empty_check_in_is_refused(cast: Cast, client_for):
    take_part(cast, cast.emma)
    round = open_round(cast)
    response = client_for(cast.emma).post(checkin_url(round), answers(went_well="   "))
    assert response.status_code == 200
    assert "Answer at least one of the questions." in response.content.decode()
    assert not CheckIn.all_tenants.exists()


def test_the_round_closes_at_the_end_of_its_last_day_in_the_organizations_time_zone(
    cast: Cast, client_for
):
    take_part(cast, cast.emma)
    round = open_round(cast, closes_on=TODAY)
    # 23:30 in Copenhagen is 22:30 UTC, still the last day.
    with time_machine.travel(dt.datetime(2026, 3, 10, 23, 30, tzinfo=CPH), tick=False):
        ok = client_for(cast.emma).post(checkin_url(round), answers(went_well="Just in time"))
    assert ok.status_code == 302
    with time_machine.travel(dt.datetime(2026, 3, 11, 0, 30, tzinfo=CPH), tick=False):
        late = client_for(cast.emma).post(checkin_url(round), answers(went_well="Changed"))
    assert "closed" in late.content.decode()
    assert CheckIn.objects.for_org(cast.acme).get().went_well == "Just in time"


# What staff see and write --------------------------------------------------------------------


def test_staff_see_check_ins_by_name_who_is_missing_and_results_against_the_goals(
    cast: Cast, client_for
):
    emma = take_part(cast, cast.emma)
    take_part(cast, cast.leo)
    round = open_round(cast)
    CheckInFactory(
        round=round, membership=emma, went_well="The fair", held_back="Time", help_wanted=""
    )
    goal = GoalFactory(
        organization=cast.acme,
        title="Everyone posts weekly",
        metric=Goal.Metric.POSTS_PER_WEEK,
        target=1,
    )
    PostFactory(author=emma, published_at=timezone.now() - dt.timedelta(days=3))
    expected = progress_of(goal, cast.acme)
    assert expected.value is not None

    for persona in ("carol", "fay", "alice"):
        response = client_for(getattr(cast, persona)).get(round_url(round))
        assert response.status_code == 200
        page = response.content.decode()
        assert "Emma" in page
        assert "The fair" in page
        assert "Time" in page
        assert [m.user for m in response.context["waiting"]] == [cast.leo]
        [progress] = response.context["results"]
        assert progress.goal == goal
        assert progress.value == expected.value
        assert "Everyone posts weekly" in page


def test_a_closed_rounds_results_are_as_of_its_last_day(cast: Cast, client_for):
    round = open_round(
        cast, opens_on=TODAY - dt.timedelta(days=20), closes_on=TODAY - dt.timedelta(days=10)
    )
    GoalFactory(organization=cast.acme)
    response = client_for(cast.carol).get(round_url(round))
    [progress] = response.context["results"]
    assert progress.through == TODAY - dt.timedelta(days=10)


def test_comms_and_the_facilitator_write_notes_into_the_audit_trail(cast: Cast, client_for):
    round = open_round(cast)
    response = client_for(cast.fay).post(round_url(round), {"notes": "Emma wants picture ideas."})
    assert response.status_code == 302
    assert FollowUpRound.objects.for_org(cast.acme).get().notes == "Emma wants picture ideas."
    client_for(cast.carol).post(round_url(round), {"notes": "Emma wants picture ideas. Sent."})
    entries = audit(cast.acme, "program.followup_notes_saved")
    assert sorted(entry.actor.email for entry in entries) == [
        "carol@acme.example",
        "fay@facilitators.example",
    ]
    # Saving the same notes again is no change and no entry.
    client_for(cast.carol).post(round_url(round), {"notes": "Emma wants picture ideas. Sent."})
    assert len(audit(cast.acme, "program.followup_notes_saved")) == 2


def test_the_rounds_list_counts_check_ins(cast: Cast, client_for, django_assert_num_queries):
    for weeks in range(3):
        round = open_round(cast, opens_on=TODAY - dt.timedelta(weeks=weeks), closes_on=TODAY)
        for _ in range(weeks + 1):
            CheckInFactory(
                round=round,
                membership=MembershipFactory(organization=cast.acme, opted_in_at=timezone.now()),
            )
    response = client_for(cast.carol).get(rounds_url())
    counts = [(r.opens_on, r.checkin_count) for r in response.context["rounds"]]
    assert counts == [
        (TODAY, 1),
        (TODAY - dt.timedelta(weeks=1), 2),
        (TODAY - dt.timedelta(weeks=2), 3),
    ]
