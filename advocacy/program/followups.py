"""Follow-up rounds: participants check in, comms or the facilitator read and take notes.

A round is open from its first to its last day (both included, in the organization's time
zone). Each participant has at most one check-in per round and may change it while the round
is open. Rounds open on a schedule (every PROGRAM_FOLLOW_UP_EVERY_DAYS, monthly by default)
once the last one is that old; comms, the facilitator or an admin may also open one by hand.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import formats, translation
from django.utils.translation import gettext as _

from advocacy.tenancy.models import Membership, Organization
from advocacy.tenancy.services import record_audit_entry
from analytics.rollups import today_of

from .goals import GoalProgress, progress_of
from .models import CheckIn, FollowUpRound, Goal

if TYPE_CHECKING:
    from advocacy.accounts.models import User

# An automatic round stays open this many days (at most until the next one opens).
AUTOMATIC_ROUND_DAYS = 14


def is_participant(membership: Membership) -> bool:
    """Taking part in the program: an active member with an active account who opted in."""
    return membership.is_active and membership.user.is_active and membership.opted_in_at is not None


def is_open(round: FollowUpRound, today: dt.date) -> bool:
    return round.opens_on <= today <= round.closes_on


def open_rounds(organization: Organization, today: dt.date) -> QuerySet[FollowUpRound]:
    return FollowUpRound.objects.for_org(organization).filter(
        opens_on__lte=today, closes_on__gte=today
    )


def create_round(
    *,
    organization: Organization,
    actor: User | None,
    title: str,
    opens_on: dt.date,
    closes_on: dt.date,
) -> FollowUpRound:
    """Open a follow-up round by hand. It may not close before it opens, and two rounds
    cannot open on the same day."""
    if closes_on < opens_on:
        raise ValidationError({"closes_on": _("A round cannot close before it opens.")})
    try:
        with transaction.atomic():
            round = FollowUpRound.objects.for_org(organization).create(
                organization=organization,
                title=title,
                opens_on=opens_on,
                closes_on=closes_on,
                created_by=actor,
            )
            record_audit_entry(
                organization=organization,
                actor=actor,
                action="program.followup_round_created",
                summary=_("Opened the follow-up round “%(title)s”") % {"title": title},
                data={
                    "round": str(round.public_id),
                    "opens_on": opens_on.isoformat(),
                    "closes_on": closes_on.isoformat(),
                },
            )
    except IntegrityError:
        raise ValidationError({"opens_on": _("Another round already opens on that day.")}) from None
    return round


def open_next_round(
    *, organization: Organization, today: dt.date, every_days: int
) -> FollowUpRound | None:
    """The schedule's next round, when the organization has participants and its last round
    opened `every_days` or more ago (or there is none yet); otherwise None.

    Idempotent: a second run the same day finds the round it opened (one round per opening
    day is a database constraint).
    """
    if not Membership.objects.filter(organization=organization).participants().exists():
        return None
    latest = FollowUpRound.objects.for_org(organization).order_by("-opens_on").first()
    if latest is not None and latest.opens_on > today - dt.timedelta(days=every_days):
        return None
    length = max(min(AUTOMATIC_ROUND_DAYS, every_days) - 1, 0)
    with translation.override(organization.language):
        title = _("Follow-up, %(month)s") % {
            "month": formats.date_format(today, "YEAR_MONTH_FORMAT")
        }
        try:
            with transaction.atomic():
                round = FollowUpRound.objects.for_org(organization).create(
                    organization=organization,
                    title=title,
                    opens_on=today,
                    closes_on=today + dt.timedelta(days=length),
                )
                record_audit_entry(
                    organization=organization,
                    actor=None,
                    action="program.followup_round_opened",
                    summary=_("The follow-up round “%(title)s” opened on schedule")
                    % {"title": title},
                    data={"round": str(round.public_id), "every_days": every_days},
                )
        except IntegrityError:
            return None  # another run opened it a moment ago
    return round


def submit_checkin(
    *,
    round: FollowUpRound,
    membership: Membership,
    went_well: str,
    held_back: str,
    help_wanted: str,
    today: dt.date | None = None,
) -> CheckIn:
    """Save the participant's check-in for the round: one per round, changed while it is
    open. Someone not taking part, or a round not open today, is refused."""
    organization = membership.organization
    if round.organization_id != organization.pk:
        raise ValidationError(_("This round belongs to another organization."))
    if not is_participant(membership):
        raise ValidationError(
            _("Check-ins are for participants of the program."), code="not_participant"
        )
    today = today or today_of(organization)
    if today < round.opens_on:
        raise ValidationError(
            _("This round opens on %(day)s.")
            % {"day": formats.date_format(round.opens_on, "DATE_FORMAT")},
            code="not_open_yet",
        )
    if today > round.closes_on:
        raise ValidationError(_("This round is closed for check-ins."), code="closed")
    answers = {"went_well": went_well, "held_back": held_back, "help_wanted": help_wanted}
    if not any(value.strip() for value in answers.values()):
        raise ValidationError(_("Answer at least one of the questions."), code="empty")
    with transaction.atomic():
        checkin, _created = CheckIn.objects.for_org(organization).update_or_create(
            organization=organization, round=round, membership=membership, defaults=answers
        )
    return checkin


def save_round_notes(*, round: FollowUpRound, actor: User, notes: str) -> bool:
    """Write comms' or the facilitator's notes on a round (recorded in the audit trail);
    returns whether they changed."""
    organization = round.organization
    with transaction.atomic():
        current = FollowUpRound.objects.for_org(organization).select_for_update().get(pk=round.pk)
        if current.notes == notes:
            return False
        FollowUpRound.objects.for_org(organization).filter(pk=round.pk).update(notes=notes)
        round.notes = notes
        record_audit_entry(
            organization=organization,
            actor=actor,
            action="program.followup_notes_saved",
            summary=_("Wrote notes on the follow-up round “%(title)s”") % {"title": round.title},
            data={"round": str(round.public_id), "length": len(notes)},
        )
    return True


def results_for(round: FollowUpRound, *, today: dt.date) -> list[GoalProgress]:
    """Every goal's progress as of the round: today while it is open, its last day after."""
    organization = round.organization
    as_of = min(today, round.closes_on)
    goals = Goal.objects.for_org(organization).order_by("deadline", "id")
    return [progress_of(goal, organization, today=as_of) for goal in goals]
