"""The program's charter: its purpose, leadership's WHY, guidelines, targets, agenda and roadmap.

Every write here changes the charter or something it shows (the organization's cadence and
mix targets, the agenda, the roadmap, the goals) and keeps what changed as a numbered
CharterVersion with an audit entry, in the write's transaction. The charter row is locked
first, so versions are numbered in the order the changes were made.

A version's `changes` maps a field to [before, after], values as JSON keeps them: choices by
their value, people by the name they had, dates as YYYY-MM-DD, decimals as strings, the agenda
as its list of topic names. `describe_changes` turns them back into words for the history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from advocacy.linkedin.models import Connection
from advocacy.tenancy.models import Membership, Organization, Role
from advocacy.tenancy.services import record_audit_entry
from content.models import Topic

from .models import AgendaTopic, Charter, CharterVersion, Goal, Milestone

if TYPE_CHECKING:
    from advocacy.accounts.models import User

# Who may be named as having said the WHY: leadership, and the admins who often are it.
WHY_BY_ROLES = (Role.LEADER, Role.ADMIN)
TARGET_FIELDS = ("posts_per_week_target", "company_content_target_pct")
TOPIC_NAME_LENGTH = Topic._meta.get_field("name").max_length or 80

Change = list[Any]  # [before, after]


@dataclass(frozen=True)
class CharterDetails:
    """The editable fields of the charter, and the organization's targets it sets."""

    purpose: str = Charter.Purpose.BRAND
    purpose_why: str = ""
    why_statement: str = ""
    why_by: Membership | None = None
    tone: str = ""
    dos: str = ""
    donts: str = ""
    never_share: str = ""
    posts_per_week_target: Decimal = Decimal("1.0")
    company_content_target_pct: int = 20

    @classmethod
    def charter_fields(cls) -> list[str]:
        return [field.name for field in fields(cls) if field.name not in TARGET_FIELDS]


CHARTER_FIELDS = CharterDetails.charter_fields()


@dataclass(frozen=True)
class MilestoneDetails:
    title: str
    due_on: dt.date
    owner: Membership | None = None
    status: str = Milestone.Status.PLANNED
    notes: str = ""


@dataclass(frozen=True)
class ChangeLine:
    """One changed field of a version, in words."""

    field: str
    label: str
    before: str
    after: str


# Reads -------------------------------------------------------------------------------------


def charter_of(organization: Organization) -> Charter:
    """The organization's charter, or an unsaved one with the defaults before the first edit."""
    charter: Charter | None = (
        Charter.objects.for_org(organization).select_related("why_by__user").first()
    )
    return charter or Charter(organization=organization)


def members_of(organization: Organization) -> QuerySet[Membership]:
    """The organization's active members: who may own a milestone."""
    return Membership.objects.for_org(organization).filter(is_active=True, user__is_active=True)


def why_by_choices(organization: Organization) -> QuerySet[Membership]:
    """The members who may be named as having said the WHY: active leaders and admins."""
    return (
        members_of(organization)
        .filter(role__in=WHY_BY_ROLES)
        .select_related("user")
        .order_by("user__name", "user__email")
    )


def agenda_of(organization: Organization) -> QuerySet[AgendaTopic]:
    return (
        AgendaTopic.objects.for_org(organization).select_related("topic").order_by("position", "id")
    )


def agenda_names(organization: Organization) -> list[str]:
    return [entry.topic.name for entry in agenda_of(organization)]


def roadmap_of(organization: Organization) -> QuerySet[Milestone]:
    return (
        Milestone.objects.for_org(organization)
        .select_related("owner__user")
        .order_by("due_on", "id")
    )


# The words of the history ------------------------------------------------------------------

FIELD_LABELS: dict[str, Any] = {
    **{
        name: getattr(Charter._meta.get_field(name), "verbose_name", name)
        for name in CHARTER_FIELDS
    },
    **{
        name: getattr(Organization._meta.get_field(name), "verbose_name", name)
        for name in TARGET_FIELDS
    },
    "agenda": gettext_lazy("agenda"),
    "milestone.title": gettext_lazy("milestone"),
    "milestone.due_on": gettext_lazy("milestone's due date"),
    "milestone.owner": gettext_lazy("milestone's owner"),
    "milestone.status": gettext_lazy("milestone's status"),
    "milestone.notes": gettext_lazy("milestone's notes"),
    "goal.title": gettext_lazy("goal"),
    "goal.metric": gettext_lazy("goal measured by"),
    "goal.target": gettext_lazy("goal's target"),
    "goal.starts_on": gettext_lazy("goal's start"),
    "goal.deadline": gettext_lazy("goal's deadline"),
}
CHOICE_LABELS: dict[str, dict[str, Any]] = {
    "purpose": dict(Charter.Purpose.choices),
    "milestone.status": dict(Milestone.Status.choices),
    "goal.metric": dict(Goal.Metric.choices),
}


def _in_words(field: str, value: Any) -> str:
    if value is None or value == "" or value == []:
        return "\N{EN DASH}"
    if isinstance(value, list):
        return ", ".join(str(part) for part in value)
    if field in CHOICE_LABELS:
        return str(CHOICE_LABELS[field].get(value, value))
    return str(value)


def describe_changes(changes: dict[str, Change]) -> list[ChangeLine]:
    """A version's changes as label, before and after, in the order they were recorded."""
    return [
        ChangeLine(
            field=field,
            label=str(FIELD_LABELS.get(field, field)),
            before=_in_words(field, before),
            after=_in_words(field, after),
        )
        for field, (before, after) in changes.items()
    ]


def stored_value(value: Any) -> Any:
    """A field's value as a version keeps it (JSON)."""
    if isinstance(value, Membership):
        return value.display_name
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# Versions ----------------------------------------------------------------------------------


def lock_charter(organization: Organization) -> Charter:
    """The organization's charter, created if need be, locked until the transaction ends.

    Every versioned write takes this lock first, so two changes at the same moment are
    numbered one after the other, and the "before" each one records is what the other left.
    """
    charter, _created = (
        Charter.objects.for_org(organization)
        .select_for_update()
        .get_or_create(organization=organization)
    )
    return charter


def record_charter_change(
    *,
    organization: Organization,
    actor: User | None,
    action: str,
    summary: str,
    changes: dict[str, Change],
    data: dict[str, Any] | None = None,
) -> CharterVersion:
    """Write the next CharterVersion and an audit entry (inside a transaction that holds
    `lock_charter`)."""
    last = CharterVersion.objects.for_org(organization).aggregate(last=Max("number"))["last"] or 0
    version: CharterVersion = CharterVersion.objects.for_org(organization).create(
        organization=organization,
        number=last + 1,
        changed_by=actor,
        summary=summary[:300],
        changes=changes,
    )
    record_audit_entry(
        organization=organization,
        actor=actor,
        action=action,
        summary=summary,
        data={"version": version.number, "changes": changes, **(data or {})},
    )
    return version


def _same(before: Any, after: Any) -> bool:
    # People by who they are, not by a name two of them may share; decimals by their value;
    # nothing and an empty text alike.
    if before in (None, "") and after in (None, ""):
        return True
    if isinstance(before, Membership) or isinstance(after, Membership):
        return getattr(before, "pk", None) == getattr(after, "pk", None)
    return bool(before == after)


def charter_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Change]:
    """The fields whose value differs, as [before, after] the way a version keeps them."""
    return {
        field: [stored_value(before.get(field)), stored_value(value)]
        for field, value in after.items()
        if not _same(before.get(field), value)
    }


def labels_of(changes: Iterable[str]) -> str:
    return ", ".join(str(FIELD_LABELS.get(field, field)) for field in changes)


# The charter itself ------------------------------------------------------------------------


def _check_details(organization: Organization, details: CharterDetails) -> None:
    errors: dict[str, list[str]] = {}
    if (
        details.why_by is not None
        and not why_by_choices(organization).filter(pk=details.why_by.pk).exists()
    ):
        errors["why_by"] = [_("Choose one of this organization's leaders or admins.")]
    if details.purpose not in Charter.Purpose.values:
        errors["purpose"] = [_("Choose a purpose from the list.")]
    # The organization's own limits, whichever form or command sent the values.
    for name in TARGET_FIELDS:
        try:
            Organization._meta.get_field(name).run_validators(  # type: ignore[union-attr]
                getattr(details, name)
            )
        except ValidationError as exc:
            errors[name] = exc.messages
    if errors:
        raise ValidationError(errors)


def update_charter(
    *, organization: Organization, actor: User | None, details: CharterDetails
) -> CharterVersion | None:
    """Save the charter and the organization's cadence and mix targets; returns the version
    written, or None when nothing changed.

    The WHY is said by one of the organization's active leaders or admins, or by nobody named.
    """
    _check_details(organization, details)
    with transaction.atomic():
        charter = lock_charter(organization)
        stored = Organization.objects.select_for_update().get(pk=organization.pk)
        before = {
            **{name: getattr(charter, name) for name in CHARTER_FIELDS},
            **{name: getattr(stored, name) for name in TARGET_FIELDS},
        }
        wanted = {name: getattr(details, name) for name in before}
        wanted["posts_per_week_target"] = Decimal(details.posts_per_week_target).quantize(
            Decimal("0.1")
        )
        changes = charter_changes(before, wanted)
        if not changes:
            return None
        charter_changed = [name for name in changes if name not in TARGET_FIELDS]
        targets_changed = [name for name in changes if name in TARGET_FIELDS]
        for name in charter_changed:
            setattr(charter, name, wanted[name])
        if charter_changed:
            charter.save(update_fields=[*charter_changed, "updated_at"])
        for name in targets_changed:
            setattr(stored, name, wanted[name])
            # The caller's instance (request.organization) shows the new targets at once.
            setattr(organization, name, wanted[name])
        if targets_changed:
            stored.save(update_fields=targets_changed)
        return record_charter_change(
            organization=organization,
            actor=actor,
            action="charter.updated",
            summary=_("Changed the charter: %(fields)s") % {"fields": labels_of(changes)},
            changes=changes,
        )


# The agenda --------------------------------------------------------------------------------


def topic_named(organization: Organization, name: str) -> tuple[Topic, bool]:
    """The organization's topic of that name whatever its case, created when there is none;
    returns it and whether it was created."""
    name = " ".join(name.split())
    # Compared in Python: a database's lower() may know only ASCII (SQLite's does).
    for topic in Topic.objects.for_org(organization).order_by():
        if topic.name.casefold() == name.casefold():
            return topic, False
    try:
        with transaction.atomic():
            return Topic.objects.for_org(organization).create(
                organization=organization, name=name
            ), True
    except IntegrityError:
        # Added by someone else a moment ago.
        return Topic.objects.for_org(organization).get(name__iexact=name), False


def place_on_agenda(organization: Organization, topic: Topic) -> tuple[AgendaTopic, bool]:
    """Put a topic at the end of the agenda (inside a versioned write); returns the entry and
    whether it is new."""
    existing: AgendaTopic | None = (
        AgendaTopic.objects.for_org(organization).filter(topic=topic).first()
    )
    if existing is not None:
        return existing, False
    last = AgendaTopic.objects.for_org(organization).aggregate(last=Max("position"))["last"]
    entry: AgendaTopic = AgendaTopic.objects.for_org(organization).create(
        organization=organization, topic=topic, position=0 if last is None else last + 1
    )
    return entry, True


def add_to_agenda(*, organization: Organization, actor: User | None, name: str) -> AgendaTopic:
    """Put a topic on the agenda by its name: the library's topic of that name, or a new one."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Give the topic a name.")})
    if len(name) > TOPIC_NAME_LENGTH:
        raise ValidationError(
            {"name": _("A topic's name has at most %(n)d characters.") % {"n": TOPIC_NAME_LENGTH}}
        )
    with transaction.atomic():
        lock_charter(organization)
        before = agenda_names(organization)
        topic, _created = topic_named(organization, name)
        entry, added = place_on_agenda(organization, topic)
        if not added:
            raise ValidationError(
                {"name": _("“%(name)s” is on the agenda already.") % {"name": topic.name}}
            )
        record_charter_change(
            organization=organization,
            actor=actor,
            action="charter.agenda_added",
            summary=_("Put “%(topic)s” on the agenda") % {"topic": topic.name},
            changes={"agenda": [before, [*before, topic.name]]},
        )
    return entry


def remove_from_agenda(
    *, organization: Organization, actor: User | None, entry: AgendaTopic
) -> bool:
    """Take a topic off the agenda (the library keeps the topic); False if it was gone."""
    with transaction.atomic():
        lock_charter(organization)
        before = agenda_names(organization)
        deleted, _rows = AgendaTopic.objects.for_org(organization).filter(pk=entry.pk).delete()
        if not deleted:
            return False
        name = entry.topic.name
        record_charter_change(
            organization=organization,
            actor=actor,
            action="charter.agenda_removed",
            summary=_("Took “%(topic)s” off the agenda") % {"topic": name},
            changes={"agenda": [before, [n for n in before if n != name]]},
        )
    return True


# The roadmap -------------------------------------------------------------------------------

MILESTONE_FIELDS = ("title", "due_on", "owner", "status", "notes")


def _check_milestone(organization: Organization, details: MilestoneDetails) -> None:
    errors: dict[str, str] = {}
    if not details.title.strip():
        errors["title"] = _("Give the milestone a title.")
    if details.status not in Milestone.Status.values:
        errors["status"] = _("Choose a status from the list.")
    if details.owner is not None and (
        details.owner.organization_id != organization.pk
        or not members_of(organization).filter(pk=details.owner.pk).exists()
    ):
        errors["owner"] = _("Choose one of this organization's members.")
    if errors:
        raise ValidationError(errors)


def _milestone_state(milestone: Milestone | None) -> dict[str, Any]:
    if milestone is None:
        return {}
    return {f"milestone.{name}": getattr(milestone, name) for name in MILESTONE_FIELDS}


def create_milestone(
    *, organization: Organization, actor: User | None, details: MilestoneDetails
) -> Milestone:
    """Add a dated step to the roadmap, with its owner among the members."""
    _check_milestone(organization, details)
    with transaction.atomic():
        lock_charter(organization)
        milestone: Milestone = Milestone.objects.for_org(organization).create(
            organization=organization,
            title=details.title.strip(),
            due_on=details.due_on,
            owner=details.owner,
            status=details.status,
            notes=details.notes,
        )
        record_charter_change(
            organization=organization,
            actor=actor,
            action="charter.milestone_added",
            summary=_("Added the milestone “%(title)s” to the roadmap")
            % {"title": milestone.title},
            changes=charter_changes({}, _milestone_state(milestone)),
            data={"milestone": str(milestone.public_id)},
        )
    return milestone


def update_milestone(
    *,
    organization: Organization,
    actor: User | None,
    milestone: Milestone,
    details: MilestoneDetails,
) -> bool:
    """Change a milestone's title, date, owner, status or notes; False when nothing changed."""
    _check_milestone(organization, details)
    wanted = {name: getattr(details, name) for name in MILESTONE_FIELDS}
    wanted["title"] = details.title.strip()
    return _save_milestone(organization=organization, actor=actor, milestone=milestone, **wanted)


def set_milestone_status(
    *, organization: Organization, actor: User | None, milestone: Milestone, status: str
) -> bool:
    """Move a milestone to another status; False when it had it already."""
    if status not in Milestone.Status.values:
        raise ValidationError({"status": _("Choose a status from the list.")})
    return _save_milestone(
        organization=organization, actor=actor, milestone=milestone, status=status
    )


def _save_milestone(
    *, organization: Organization, actor: User | None, milestone: Milestone, **wanted: Any
) -> bool:
    with transaction.atomic():
        lock_charter(organization)
        # Re-read under the lock: only the fields asked for change, whatever the caller holds.
        stored: Milestone = (
            Milestone.objects.for_org(organization)
            .select_related("owner__user")
            .select_for_update(of=("self",))
            .get(pk=milestone.pk)
        )
        before = _milestone_state(stored)
        for name, value in wanted.items():
            setattr(stored, name, value)
        changes = charter_changes(before, _milestone_state(stored))
        if not changes:
            return False
        stored.save(update_fields=list(wanted))
        record_charter_change(
            organization=organization,
            actor=actor,
            action="charter.milestone_changed",
            summary=_("Changed the milestone “%(title)s”: %(fields)s")
            % {"title": stored.title, "fields": labels_of(changes)},
            changes=changes,
            data={"milestone": str(stored.public_id)},
        )
    return True


# Who said the WHY --------------------------------------------------------------------------


@dataclass(frozen=True)
class Speaker:
    """The leader named with the WHY: their name, title and LinkedIn photo (or initials)."""

    name: str
    title: str
    picture_url: str
    initials: str


def initials_of(name: str) -> str:
    words = [word for word in name.replace("@", " ").split() if word[:1].isalnum()]
    if not words:
        return "?"
    first, last = words[0], words[-1]
    return (first[0] + (last[0] if len(words) > 1 else "")).upper()


def speaker_of(charter: Charter) -> Speaker | None:
    """Who said the charter's WHY, with the photo of their connected LinkedIn account."""
    membership = charter.why_by
    if membership is None:
        return None
    picture = (
        Connection.objects.filter(user_id=membership.user_id)
        .values_list("picture_url", flat=True)
        .first()
    )
    return Speaker(
        name=membership.display_name,
        title=membership.title or str(membership.get_role_display()),
        picture_url=picture or "",
        initials=initials_of(membership.display_name),
    )
