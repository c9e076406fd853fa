"""The kick-off, made together with the employees: topic proposals and votes, and the survey.

Any member may propose a topic for the agenda and vote for proposals, once each; comms or the
facilitator promote the agreed ones onto the agenda (a charter change, versioned) or decline
them. The survey asks how each person feels about sharing work content; comms and the
facilitator only ever see it in aggregate, and only once enough people answered that no
single answer stands out.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, Exists, OuterRef, QuerySet, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from advocacy.tenancy.models import Membership, Organization
from advocacy.tenancy.services import record_audit_entry
from analytics.growth import round_one

from .charter import (
    TOPIC_NAME_LENGTH,
    agenda_names,
    lock_charter,
    place_on_agenda,
    record_charter_change,
    topic_named,
)
from .models import AgendaTopic, SurveyResponse, TopicProposal, TopicVote

if TYPE_CHECKING:
    from advocacy.accounts.models import User

# Fewer answers than this and the aggregate would point at people: only the count is shown.
MIN_SURVEY_ANSWERS = 3
COMFORT_SCALE = (1, 2, 3, 4, 5)
MAX_MINUTES_PER_WEEK = 600
# Open for votes first, then what made the agenda, then what did not.
STATUS_ORDER = Case(
    When(status=TopicProposal.Status.OPEN, then=Value(0)),
    When(status=TopicProposal.Status.PROMOTED, then=Value(1)),
    default=Value(2),
)


# Proposals and votes -----------------------------------------------------------------------


def proposals_of(organization: Organization, membership: Membership) -> QuerySet[Any]:
    """The proposals, each with its number of votes and whether `membership` voted for it;
    open ones first, the most voted first."""
    return (
        TopicProposal.objects.for_org(organization)
        .select_related("proposed_by__user", "topic")
        .annotate(
            vote_count=Count("votes"),
            voted=Exists(
                TopicVote.objects.for_org(organization).filter(
                    proposal=OuterRef("pk"), membership=membership
                )
            ),
        )
        .order_by(STATUS_ORDER, "-vote_count", "-created_at", "id")
    )


def _refuse_name(name: str) -> ValidationError:
    return ValidationError(
        {
            "name": _("There is an open proposal “%(name)s” already: vote for it instead.")
            % {"name": name}
        },
        code="duplicate",
    )


def propose_topic(
    *, organization: Organization, membership: Membership, name: str, description: str = ""
) -> TopicProposal:
    """A member's proposal of a topic for the agenda, open for votes."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Name the topic you propose.")})
    if len(name) > TOPIC_NAME_LENGTH:
        raise ValidationError(
            {"name": _("A topic's name has at most %(n)d characters.") % {"n": TOPIC_NAME_LENGTH}}
        )
    folded = name.casefold()
    if folded in {agreed.casefold() for agreed in agenda_names(organization)}:
        raise ValidationError({"name": _("“%(name)s” is on the agenda already.") % {"name": name}})
    open_names = TopicProposal.objects.for_org(organization).filter(
        status=TopicProposal.Status.OPEN
    )
    # Compared in Python: a database's lower() may know only ASCII (SQLite's does).
    for existing in open_names.values_list("name", flat=True):
        if existing.casefold() == folded:
            raise _refuse_name(existing)
    try:
        with transaction.atomic():
            proposal: TopicProposal = TopicProposal.objects.for_org(organization).create(
                organization=organization,
                name=name,
                description=description.strip(),
                proposed_by=membership,
            )
    except IntegrityError:
        # Proposed by someone else a moment ago.
        raise _refuse_name(name) from None
    return proposal


def vote_for(*, proposal: TopicProposal, membership: Membership) -> TopicVote:
    """One vote of a member for an open proposal; a second one is refused, nothing changes."""
    organization = proposal.organization
    if proposal.status != TopicProposal.Status.OPEN:
        raise ValidationError(_("Voting on “%(name)s” has closed.") % {"name": proposal.name})
    already = _(
        "You have voted for “%(name)s” already: one vote per person. Your vote still counts."
    ) % {"name": proposal.name}
    votes = TopicVote.objects.for_org(organization)
    if votes.filter(proposal=proposal, membership=membership).exists():
        raise ValidationError(already, code="already_voted")
    try:
        with transaction.atomic():
            vote: TopicVote = votes.create(
                organization=organization, proposal=proposal, membership=membership
            )
    except IntegrityError:
        # The same vote from a second tab or a double click.
        raise ValidationError(already, code="already_voted") from None
    return vote


def withdraw_vote(*, proposal: TopicProposal, membership: Membership) -> bool:
    """Take back a member's vote while the proposal is open; False if there was none."""
    if proposal.status != TopicProposal.Status.OPEN:
        raise ValidationError(_("Voting on “%(name)s” has closed.") % {"name": proposal.name})
    deleted, _rows = (
        TopicVote.objects.for_org(proposal.organization)
        .filter(proposal=proposal, membership=membership)
        .delete()
    )
    return bool(deleted)


def _locked_open_proposal(proposal: TopicProposal) -> TopicProposal:
    locked: TopicProposal = (
        TopicProposal.objects.for_org(proposal.organization).select_for_update().get(pk=proposal.pk)
    )
    if locked.status != TopicProposal.Status.OPEN:
        raise ValidationError(
            _("“%(name)s” was already decided: %(status)s.")
            % {"name": locked.name, "status": locked.get_status_display()},
            code="decided",
        )
    return locked


def promote_proposal(*, proposal: TopicProposal, actor: User | None) -> AgendaTopic:
    """Put a proposal on the agenda: the library's topic of its name (made if there is none)
    joins the agreed topics, and the charter gets a new version."""
    organization = proposal.organization
    with transaction.atomic():
        lock_charter(organization)
        locked = _locked_open_proposal(proposal)
        before = agenda_names(organization)
        topic, _created = topic_named(organization, locked.name)
        entry, added = place_on_agenda(organization, topic)
        locked.status, locked.topic = TopicProposal.Status.PROMOTED, topic
        locked.save(update_fields=["status", "topic"])
        votes = TopicVote.objects.for_org(organization).filter(proposal=locked).count()
        record_charter_change(
            organization=organization,
            actor=actor,
            action="charter.proposal_promoted",
            summary=ngettext(
                "Put “%(topic)s” on the agenda, proposed at the kick-off with %(votes)d vote",
                "Put “%(topic)s” on the agenda, proposed at the kick-off with %(votes)d votes",
                votes,
            )
            % {"topic": topic.name, "votes": votes},
            changes={"agenda": [before, [*before, topic.name] if added else before]},
            data={"proposal": str(locked.public_id), "votes": votes},
        )
    proposal.status, proposal.topic = locked.status, topic
    return entry


def decline_proposal(*, proposal: TopicProposal, actor: User | None) -> None:
    """Close a proposal without putting it on the agenda (it stays listed, as not taken up)."""
    organization = proposal.organization
    with transaction.atomic():
        locked = _locked_open_proposal(proposal)
        locked.status = TopicProposal.Status.DECLINED
        locked.save(update_fields=["status"])
        record_audit_entry(
            organization=organization,
            actor=actor,
            action="kickoff.proposal_declined",
            summary=_("Did not take up the proposal “%(name)s”") % {"name": locked.name},
            data={"proposal": str(locked.public_id)},
        )
    proposal.status = locked.status


# The survey --------------------------------------------------------------------------------


def survey_answer_of(membership: Membership) -> SurveyResponse | None:
    """A member's own answer, for them to see and change."""
    answer: SurveyResponse | None = (
        SurveyResponse.objects.for_org(membership.organization)
        .filter(membership=membership)
        .first()
    )
    return answer


def answer_survey(
    *,
    membership: Membership,
    comfort: int,
    minutes_per_week: int,
    worries: str = "",
    preferred_topics: str = "",
) -> SurveyResponse:
    """Save a member's kick-off survey answer; answering again replaces the earlier one."""
    errors: dict[str, str] = {}
    if comfort not in COMFORT_SCALE:
        errors["comfort"] = _("Choose a number from 1 to 5.")
    if not 0 <= minutes_per_week <= MAX_MINUTES_PER_WEEK:
        errors["minutes_per_week"] = _("Give a number of minutes from 0 to %(max)d.") % {
            "max": MAX_MINUTES_PER_WEEK
        }
    if errors:
        raise ValidationError(errors)
    organization = membership.organization
    values = {
        "comfort": comfort,
        "minutes_per_week": minutes_per_week,
        "worries": worries.strip(),
        "preferred_topics": preferred_topics.strip(),
    }
    with transaction.atomic():
        answer, _created = SurveyResponse.objects.for_org(organization).update_or_create(
            organization=organization, membership=membership, defaults=values
        )
    result: SurveyResponse = answer
    return result


@dataclass(frozen=True)
class SurveySummary:
    """The survey in aggregate. Below MIN_SURVEY_ANSWERS answers only `answers` is filled."""

    answers: int
    comfort_average: float | None = None
    # (comfort, how many chose it) for 1 to 5
    comfort_distribution: list[tuple[int, int]] = field(default_factory=list)
    minutes_median: float | None = None
    worries: list[str] = field(default_factory=list)
    preferred_topics: list[str] = field(default_factory=list)

    @property
    def shown(self) -> bool:
        return self.answers >= MIN_SURVEY_ANSWERS

    @property
    def missing(self) -> int:
        return max(MIN_SURVEY_ANSWERS - self.answers, 0)


def _texts(values: list[str]) -> list[str]:
    """Non-empty texts in alphabetical order, so their order says nothing of who wrote them
    or when."""
    return sorted((value for value in values if value.strip()), key=str.casefold)


def survey_summary(organization: Organization) -> SurveySummary:
    """The kick-off survey of the organization's active members, in aggregate only.

    The query reads the answers without any reference to who gave them; the texts come out
    sorted alphabetically.
    """
    rows = list(
        SurveyResponse.objects.for_org(organization)
        .filter(membership__is_active=True, membership__user__is_active=True)
        .values_list("comfort", "minutes_per_week", "worries", "preferred_topics")
    )
    if len(rows) < MIN_SURVEY_ANSWERS:
        return SurveySummary(answers=len(rows))
    comforts = [comfort for comfort, _minutes, _worries, _topics in rows]
    return SurveySummary(
        answers=len(rows),
        comfort_average=round_one(Decimal(sum(comforts)) / len(comforts)),
        comfort_distribution=[(step, comforts.count(step)) for step in COMFORT_SCALE],
        minutes_median=float(statistics.median(minutes for _c, minutes, _w, _t in rows)),
        worries=_texts([worries for _c, _m, worries, _t in rows]),
        preferred_topics=_texts([topics for _c, _m, _w, topics in rows]),
    )
