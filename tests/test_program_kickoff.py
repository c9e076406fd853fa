"""The kick-off: members propose topics and vote once each, comms or the facilitator promote
the agreed ones onto the agenda, and the survey is only ever seen in aggregate."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advocacy.program.kickoff import survey_summary
from advocacy.program.models import (
    AgendaTopic,
    CharterVersion,
    SurveyResponse,
    TopicProposal,
    TopicVote,
)
from advocacy.tenancy.models import AuditEntry, Membership
from content.models import Topic

from .conftest import Cast
from .factories import (
    AgendaTopicFactory,
    MembershipFactory,
    SurveyResponseFactory,
    TopicFactory,
    TopicProposalFactory,
    TopicVoteFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def url(name: str, org: str = "acme", **kwargs: Any) -> str:
    return reverse(f"program:{name}", kwargs={"org_slug": org, **kwargs})


def votes_of(proposal: TopicProposal) -> int:
    return TopicVote.all_tenants.filter(proposal=proposal).count()


def survey_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "comfort": "4",
        "worries": "",
        "preferred_topics": "",
        "minutes_per_week": "30",
    }
    data.update(overrides)
    return data


# Proposals ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["emma", "leo", "carol"])
def test_any_member_proposes_a_topic(cast: Cast, client_for, persona: str):
    response = client_for(getattr(cast, persona)).post(
        url("kickoff"), {"name": "  A day in  the workshop ", "description": "Show the craft."}
    )
    assert response.status_code == 302
    proposal = TopicProposal.all_tenants.get(organization=cast.acme)
    assert proposal.name == "A day in the workshop"
    assert proposal.proposed_by == cast.membership(getattr(cast, persona), cast.acme)
    assert proposal.status == TopicProposal.Status.OPEN
    page = client_for(cast.emma).get(url("kickoff")).content.decode()
    assert "A day in the workshop" in page
    assert "Show the craft." in page


def test_a_second_open_proposal_of_the_same_name_is_refused(cast: Cast, client_for):
    TopicProposalFactory(organization=cast.acme, name="Hiring")
    response = client_for(cast.emma).post(url("kickoff"), {"name": "HIRING"})
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "There is an open proposal “Hiring” already: vote for it instead."
    ]
    assert TopicProposal.all_tenants.count() == 1


def test_a_topic_already_on_the_agenda_is_not_proposed_again(cast: Cast, client_for):
    AgendaTopicFactory(topic=TopicFactory(organization=cast.acme, name="Hiring"))
    response = client_for(cast.emma).post(url("kickoff"), {"name": "hiring"})
    assert response.context["form"].errors["name"] == ["“hiring” is on the agenda already."]
    assert not TopicProposal.all_tenants.exists()


def test_the_same_name_may_be_proposed_in_another_organization(cast: Cast, client_for):
    TopicProposalFactory(organization=cast.acme, name="Hiring")
    response = client_for(cast.gus).post(url("kickoff", org="globex"), {"name": "Hiring"})
    assert response.status_code == 302
    assert TopicProposal.all_tenants.filter(organization=cast.globex, name="Hiring").exists()


# Votes -------------------------------------------------------------------------------------


def test_a_member_votes_once(cast: Cast, client_for):
    proposal = TopicProposalFactory(organization=cast.acme, name="Hiring")
    emma = client_for(cast.emma)
    emma.post(url("proposal_vote", proposal_id=proposal.public_id))
    assert votes_of(proposal) == 1
    response = emma.post(url("proposal_vote", proposal_id=proposal.public_id), follow=True)
    page = response.content.decode()
    assert "You have voted for “Hiring” already: one vote per person." in page
    assert votes_of(proposal) == 1
    assert "1 vote" in page
    assert "You voted for this" in page


def test_a_vote_may_be_withdrawn(cast: Cast, client_for):
    proposal = TopicProposalFactory(organization=cast.acme, name="Hiring")
    TopicVoteFactory(proposal=proposal, membership=cast.membership(cast.emma, cast.acme))
    TopicVoteFactory(proposal=proposal, membership=cast.membership(cast.leo, cast.acme))
    emma = client_for(cast.emma)
    emma.post(url("proposal_unvote", proposal_id=proposal.public_id))
    assert list(TopicVote.all_tenants.values_list("membership__user__name", flat=True)) == ["Leo"]
    response = emma.post(url("proposal_unvote", proposal_id=proposal.public_id), follow=True)
    assert "You had not voted for “Hiring”." in response.content.decode()
    assert votes_of(proposal) == 1


def test_a_decided_proposal_takes_no_votes(cast: Cast, client_for):
    proposal = TopicProposalFactory(organization=cast.acme, name="Hiring", status="declined")
    response = client_for(cast.emma).post(
        url("proposal_vote", proposal_id=proposal.public_id), follow=True
    )
    assert "Voting on “Hiring” has closed." in response.content.decode()
    assert votes_of(proposal) == 0


def test_proposals_list_most_voted_first_with_constant_queries(
    cast: Cast, client_for, django_assert_num_queries
):
    quiet = TopicProposalFactory(organization=cast.acme, name="Quiet")
    client = client_for(cast.emma)
    client.get(url("kickoff"))
    with CaptureQueriesContext(connection) as baseline:
        client.get(url("kickoff"))
    baseline_count = len(baseline.captured_queries)
    popular = TopicProposalFactory(organization=cast.acme, name="Popular")
    for _ in range(3):
        TopicVoteFactory(proposal=popular)
    TopicProposalFactory(organization=cast.acme, name="Done", status="promoted")
    for n in range(4):
        TopicVoteFactory(proposal=TopicProposalFactory(organization=cast.acme, name=f"P{n}"))
    with django_assert_num_queries(baseline_count):
        response = client.get(url("kickoff"))
    names = [proposal.name for proposal in response.context["proposals"]]
    assert names[0] == "Popular"
    assert names.index("Quiet") < names.index("Done")
    assert names[-1] == "Done"
    assert quiet.name in names


# Promotion ---------------------------------------------------------------------------------


def test_promoting_puts_the_proposal_on_the_agenda_and_versions_the_charter(cast: Cast, client_for):
    proposal = TopicProposalFactory(organization=cast.acme, name="A day in the workshop")
    TopicVoteFactory(proposal=proposal, membership=cast.membership(cast.emma, cast.acme))
    TopicVoteFactory(proposal=proposal, membership=cast.membership(cast.leo, cast.acme))
    client_for(cast.fay).post(url("proposal_promote", proposal_id=proposal.public_id))
    proposal.refresh_from_db()
    topic = Topic.all_tenants.get(organization=cast.acme, name="A day in the workshop")
    assert (proposal.status, proposal.topic) == (TopicProposal.Status.PROMOTED, topic)
    assert AgendaTopic.all_tenants.filter(organization=cast.acme, topic=topic).exists()
    [version] = CharterVersion.all_tenants.filter(organization=cast.acme)
    assert version.changed_by == cast.fay
    assert version.changes == {"agenda": [[], ["A day in the workshop"]]}
    assert "2 votes" in version.summary
    assert AuditEntry.all_tenants.filter(
        organization=cast.acme, action="charter.proposal_promoted", actor=cast.fay
    ).exists()
    page = client_for(cast.emma).get(url("charter")).content.decode()
    assert "A day in the workshop" in page


def test_promoting_reuses_the_library_topic_of_that_name(cast: Cast, client_for):
    hiring = TopicFactory(organization=cast.acme, name="Hiring")
    proposal = TopicProposalFactory(organization=cast.acme, name="hiring")
    client_for(cast.carol).post(url("proposal_promote", proposal_id=proposal.public_id))
    proposal.refresh_from_db()
    assert proposal.topic == hiring
    assert Topic.all_tenants.filter(organization=cast.acme).count() == 1
    assert [e.topic for e in AgendaTopic.all_tenants.filter(organization=cast.acme)] == [hiring]


def test_promoting_twice_changes_nothing_more(cast: Cast, client_for):
    proposal = TopicProposalFactory(organization=cast.acme, name="Hiring")
    client = client_for(cast.carol)
    client.post(url("proposal_promote", proposal_id=proposal.public_id))
    response = client.post(url("proposal_promote", proposal_id=proposal.public_id), follow=True)
    assert "“Hiring” was already decided: On the agenda." in response.content.decode()
    assert AgendaTopic.all_tenants.filter(organization=cast.acme).count() == 1
    assert CharterVersion.all_tenants.filter(organization=cast.acme).count() == 1


def test_declining_closes_the_proposal_without_touching_the_agenda(cast: Cast, client_for):
    proposal = TopicProposalFactory(organization=cast.acme, name="Our lunch")
    client_for(cast.alice).post(url("proposal_decline", proposal_id=proposal.public_id))
    proposal.refresh_from_db()
    assert proposal.status == TopicProposal.Status.DECLINED
    assert not AgendaTopic.all_tenants.exists()
    assert not CharterVersion.all_tenants.exists()
    assert AuditEntry.all_tenants.filter(action="kickoff.proposal_declined").exists()


@pytest.mark.parametrize("persona", ["emma", "leo"])
def test_only_comms_admins_and_the_facilitator_decide(cast: Cast, client_for, persona: str):
    proposal = TopicProposalFactory(organization=cast.acme, name="Hiring")
    client = client_for(getattr(cast, persona))
    for name in ("proposal_promote", "proposal_decline"):
        assert client.post(url(name, proposal_id=proposal.public_id)).status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == TopicProposal.Status.OPEN
    assert not AgendaTopic.all_tenants.exists()
    page = client.get(url("kickoff")).content.decode()
    assert "Put on the agenda" not in page


def test_cannot_vote_or_promote_other_org_proposal(cast: Cast, client_for):
    proposal = TopicProposalFactory(organization=cast.acme, name="Hiring")
    fay, gus = client_for(cast.fay), client_for(cast.gus)
    for name in ("proposal_vote", "proposal_unvote", "proposal_promote", "proposal_decline"):
        target = url(name, org="globex", proposal_id=proposal.public_id)
        assert fay.post(target).status_code == 404, name
    for name in ("proposal_vote", "proposal_unvote"):
        target = url(name, org="globex", proposal_id=proposal.public_id)
        assert gus.post(target).status_code == 404, name
    assert gus.post(url("proposal_vote", proposal_id=proposal.public_id)).status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == TopicProposal.Status.OPEN
    assert not TopicVote.all_tenants.exists()
    # Fay sees each organization's proposals on their own.
    assert "Hiring" in fay.get(url("kickoff")).content.decode()
    assert "Hiring" not in fay.get(url("kickoff", org="globex")).content.decode()


# The survey --------------------------------------------------------------------------------


def test_a_member_answers_once_and_may_update(cast: Cast, client_for):
    emma = client_for(cast.emma)
    emma.post(url("survey"), survey_form(worries="Doing too much."))
    response = emma.post(url("survey"), survey_form(comfort="2", minutes_per_week="15"))
    assert response.status_code == 302
    [answer] = SurveyResponse.all_tenants.filter(organization=cast.acme)
    assert (answer.comfort, answer.minutes_per_week, answer.worries) == (2, 15, "")
    # Her own answer is hers to see again, and to change.
    form = emma.get(url("survey")).context["form"]
    assert (form.initial["comfort"], form.initial["minutes_per_week"]) == (2, 15)


def test_a_survey_answer_out_of_range_is_refused(cast: Cast, client_for):
    response = client_for(cast.emma).post(
        url("survey"), survey_form(comfort="6", minutes_per_week="601")
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"comfort", "minutes_per_week"}
    assert not SurveyResponse.all_tenants.exists()


def test_below_three_answers_only_the_count_is_shown(cast: Cast, client_for):
    for user, worry in ((cast.emma, "Mixing work and private life."), (cast.leo, "Too much")):
        client_for(user).post(url("survey"), survey_form(comfort="1", worries=worry))
    response = client_for(cast.carol).get(url("survey_results"))
    assert response.status_code == 200
    summary = response.context["summary"]
    assert summary.answers == 2
    assert (summary.comfort_average, summary.minutes_median, summary.worries) == (None, None, [])
    assert summary.comfort_distribution == []
    page = response.content.decode()
    assert "Mixing work and private life." not in page
    assert "1 more answer is needed" in page
    assert "at least 3 people" in page


def test_the_aggregate_never_shows_an_answer_with_a_name(cast: Cast, client_for):
    zed = MembershipFactory(organization=cast.acme, user=UserFactory(name="Zed Zimmer"))
    answers = [
        (cast.emma, "2", "Mixing work and private life.", "The workshop", "10"),
        (cast.leo, "4", "", "Hiring", "60"),
        (cast.alice, "5", "Saying something wrong.", "", "30"),
    ]
    for user, comfort, worries, topics, minutes in answers:
        client_for(user).post(
            url("survey"),
            survey_form(
                comfort=comfort, worries=worries, preferred_topics=topics, minutes_per_week=minutes
            ),
        )
    SurveyResponseFactory(membership=zed, comfort=1, worries="Being seen as a show-off.")
    response = client_for(cast.fay).get(url("survey_results"))
    summary = response.context["summary"]
    assert summary.answers == 4
    assert summary.comfort_average == 3.0
    assert summary.comfort_distribution == [(1, 1), (2, 1), (3, 0), (4, 1), (5, 1)]
    assert summary.minutes_median == 30.0
    # Alphabetical: the order says nothing of who wrote what, or when.
    assert summary.worries == [
        "Being seen as a show-off.",
        "Mixing work and private life.",
        "Saying something wrong.",
    ]
    assert summary.preferred_topics == ["Hiring", "The workshop"]
    page = response.content.decode()
    assert "Mixing work and private life." in page
    for name in ("Emma", "Leo", "Alice", "Zed", "emma@", "leo@", "alice@"):
        assert name not in page, name
    assert "Emma" not in repr(summary)


def test_leaders_and_employees_see_nothing_of_the_survey(cast: Cast, client_for):
    SurveyResponseFactory(membership=cast.membership(cast.emma, cast.acme), worries="Secret")
    for user in (cast.leo, cast.emma):
        client = client_for(user)
        assert client.get(url("survey_results")).status_code == 403
        for page in ("kickoff", "charter", "history"):
            assert "Secret" not in client.get(url(page)).content.decode()
    # Nor does the kick-off page show anyone's answer to comms.
    assert "Secret" not in client_for(cast.carol).get(url("kickoff")).content.decode()


def test_each_organizations_survey_is_its_own(cast: Cast, client_for):
    for user in (cast.alice, cast.carol, cast.emma):
        SurveyResponseFactory(membership=cast.membership(user, cast.acme), worries="Acme worry")
    SurveyResponseFactory(membership=cast.membership(cast.gus, cast.globex), worries="Globex")
    fay = client_for(cast.fay)
    acme = fay.get(url("survey_results")).context["summary"]
    globex = fay.get(url("survey_results", org="globex"))
    assert (acme.answers, acme.worries) == (3, ["Acme worry"] * 3)
    assert globex.context["summary"].answers == 1
    assert "Acme worry" not in globex.content.decode()


def test_someone_who_left_is_not_in_the_aggregate(cast: Cast):
    for user in (cast.alice, cast.carol, cast.emma):
        SurveyResponseFactory(membership=cast.membership(user, cast.acme))
    Membership.all_tenants.filter(organization=cast.acme, user=cast.emma).update(is_active=False)
    assert survey_summary(cast.acme).answers == 2
