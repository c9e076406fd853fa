"""Writes and rules for organizations, members, teams and invitations.

Every function here runs in one transaction, records what staff did in the audit trail, and
queues mail only once the transaction has committed. Rule violations raise `ValidationError`
(a dict keyed by form field where one field is to blame), so a form can show them as they are.
"""

from __future__ import annotations

import zoneinfo
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from advocacy.accounts.models import User, normalize_email

from . import tasks
from .invitations import (
    InvitationForSomeoneElse,
    InvitationState,
    InvitationUnavailable,
    invitation_state,
    is_invited_user,
)
from .models import (
    ADMIN_ROLES,
    AuditEntry,
    Invitation,
    Membership,
    Organization,
    Role,
    Team,
)

ORGANIZATION_SETTINGS = (
    "name",
    "time_zone",
    "language",
    "currency",
    "linkedin_page_urn",
    "cpm",
    "posts_per_week_target",
    "company_content_target_pct",
)


def record_audit_entry(
    *,
    organization: Organization,
    actor: User | None,
    action: str,
    summary: str,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add a line to the organization's audit trail (call it inside the write's transaction)."""
    entry: AuditEntry = AuditEntry.objects.for_org(organization).create(
        organization=organization,
        actor=actor,
        action=action,
        summary=summary[:300],
        data=data or {},
    )
    return entry


def _field_label(model: type[Model], name: str) -> str:
    return str(getattr(model._meta.get_field(name), "verbose_name", name))


def _ensure_team_belongs(team: Team | None, organization: Organization) -> None:
    if team is not None and team.organization_id != organization.pk:
        raise ValidationError({"team": _("Choose one of this organization's teams.")})


# Organization settings ---------------------------------------------------------------------


def update_organization(
    *,
    organization: Organization,
    actor: User,
    name: str,
    time_zone: str,
    language: str,
    currency: str,
    linkedin_page_urn: str,
    cpm: Decimal | None,
    posts_per_week_target: Decimal,
    company_content_target_pct: int,
) -> list[str]:
    """Save the organization's settings and return the names of the fields that changed.

    The slug is not among them: it is in every link people have bookmarked or been sent.
    The CPM and the targets are what the reports measure against (docs/metrics.md).
    """
    # Every tenant page activates this zone: an unknown name would break them all.
    if time_zone not in zoneinfo.available_timezones():
        raise ValidationError({"time_zone": _("Choose a time zone from the list.")})
    wanted = {
        "name": name,
        "time_zone": time_zone,
        "language": language,
        "currency": currency,
        "linkedin_page_urn": linkedin_page_urn,
        "cpm": cpm,
        "posts_per_week_target": posts_per_week_target,
        "company_content_target_pct": company_content_target_pct,
    }
    # The model's validators (currency code, page URN), whatever form or API sent the values.
    candidate = Organization(**wanted)
    candidate.clean_fields(
        exclude={field.name for field in Organization._meta.fields} - set(wanted)
    )
    changes = {
        field: [getattr(organization, field), value]
        for field, value in wanted.items()
        if getattr(organization, field) != value
    }
    if not changes:
        return []
    with transaction.atomic():
        for field, (_before, value) in changes.items():
            setattr(organization, field, value)
        organization.save(update_fields=list(changes))
        labels = ", ".join(_field_label(Organization, field) for field in changes)
        record_audit_entry(
            organization=organization,
            actor=actor,
            action="organization.updated",
            summary=_("Changed the organization's settings: %(fields)s") % {"fields": labels},
            data={"changes": _jsonable(changes)},
        )
    return list(changes)


def _jsonable(changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
    # The audit trail is JSON: amounts are kept as their decimal strings.
    return {
        field: [str(value) if isinstance(value, Decimal) else value for value in pair]
        for field, pair in changes.items()
    }


# Members -----------------------------------------------------------------------------------


def _ensure_an_admin_remains(*, membership: Membership, actor: User, doing: str) -> None:
    """Refuse a change that would leave the organization without an active admin.

    The active admins are locked in one statement, in a fixed order, so two admins demoting
    each other at the same moment are serialized and the second one is refused.
    """
    admin_ids = list(
        Membership.objects.for_org(membership.organization)
        .filter(role__in=ADMIN_ROLES, is_active=True, user__is_active=True)
        .select_for_update(of=("self",))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if admin_ids != [membership.pk]:
        return
    if membership.user_id == actor.pk:
        if doing == "deactivate":
            message = _(
                "You are the only active admin of this organization, so you cannot deactivate "
                "yourself. Make another member an admin first."
            )
        else:
            message = _(
                "You are the only active admin of this organization, so you cannot change your "
                "own role. Make another member an admin first."
            )
    else:
        message = _(
            "%(name)s is the only active admin of this organization. Make another member an "
            "admin first."
        ) % {"name": membership.display_name}
    raise ValidationError(message, code="last_admin")


def update_member(
    *,
    membership: Membership,
    actor: User,
    role: str,
    team: Team | None,
    title: str,
    location: str,
) -> list[str]:
    """Change a member's role, team, title and location; returns the fields that changed."""
    organization = membership.organization
    _ensure_team_belongs(team, organization)
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a role from the list.")})
    wanted: dict[str, Any] = {"role": role, "team": team, "title": title, "location": location}
    changed = [field for field, value in wanted.items() if getattr(membership, field) != value]
    if not changed:
        return []
    with transaction.atomic():
        if membership.role in ADMIN_ROLES and role not in ADMIN_ROLES:
            _ensure_an_admin_remains(membership=membership, actor=actor, doing="demote")
        before = {
            "role": membership.role,
            "team": membership.team.name if membership.team else None,
            "title": membership.title,
            "location": membership.location,
        }
        for field, value in wanted.items():
            setattr(membership, field, value)
        membership.save(update_fields=changed)
        after = {
            "role": membership.role,
            "team": team.name if team else None,
            "title": membership.title,
            "location": membership.location,
        }
        record_audit_entry(
            organization=organization,
            actor=actor,
            action="member.updated",
            summary=_("Changed %(member)s: %(fields)s")
            % {
                "member": membership.display_name,
                "fields": ", ".join(_field_label(Membership, field) for field in changed),
            },
            data={
                "member": str(membership.public_id),
                "changes": {field: [before[field], after[field]] for field in changed},
            },
        )
    return changed


def deactivate_member(*, membership: Membership, actor: User) -> bool:
    """Take away a member's access at once (their rows stay). False if already deactivated."""
    organization = membership.organization
    with transaction.atomic():
        if membership.role in ADMIN_ROLES:
            _ensure_an_admin_remains(membership=membership, actor=actor, doing="deactivate")
        now = timezone.now()
        updated = (
            Membership.objects.for_org(organization)
            .filter(pk=membership.pk, is_active=True)
            .update(is_active=False, deactivated_at=now)
        )
        if not updated:
            return False
        membership.is_active, membership.deactivated_at = False, now
        record_audit_entry(
            organization=organization,
            actor=actor,
            action="member.deactivated",
            summary=_("Deactivated %(member)s") % {"member": membership.display_name},
            data={"member": str(membership.public_id)},
        )
    return True


def reactivate_member(*, membership: Membership, actor: User) -> bool:
    """Give a deactivated member their access back. False if they were active already."""
    organization = membership.organization
    with transaction.atomic():
        updated = (
            Membership.objects.for_org(organization)
            .filter(pk=membership.pk, is_active=False)
            .update(is_active=True, deactivated_at=None)
        )
        if not updated:
            return False
        membership.is_active, membership.deactivated_at = True, None
        record_audit_entry(
            organization=organization,
            actor=actor,
            action="member.reactivated",
            summary=_("Reactivated %(member)s") % {"member": membership.display_name},
            data={"member": str(membership.public_id)},
        )
    return True


def set_leaderboard_choice(*, membership: Membership, show: bool) -> bool:
    """The member's own choice whether leaders see their name beside their figures.

    Returns False when it was already so. The trail keeps the choice, so admins can answer
    "who could see my figures, and since when?".
    """
    organization = membership.organization
    with transaction.atomic():
        updated = (
            Membership.objects.for_org(organization)
            .filter(pk=membership.pk, is_active=True)
            .exclude(show_on_leaderboard=show)
            .update(show_on_leaderboard=show)
        )
        if not updated:
            return False
        membership.show_on_leaderboard = show
        summary = _("%(member)s chose to show their figures to leaders")
        if not show:
            summary = _("%(member)s chose to keep their figures from leaders")
        record_audit_entry(
            organization=organization,
            actor=membership.user,
            action="member.leaderboard_choice",
            summary=summary % {"member": membership.display_name},
            data={"member": str(membership.public_id), "show_on_leaderboard": show},
        )
    return True


# Teams -------------------------------------------------------------------------------------


def _ensure_team_name_free(organization: Organization, name: str, team: Team | None) -> None:
    taken = Team.objects.for_org(organization).filter(name__iexact=name)
    if team is not None:
        taken = taken.exclude(pk=team.pk)
    if taken.exists():
        raise ValidationError(
            {"name": _("There is already a team called “%(name)s”.") % {"name": name}}
        )


def _save_team(team: Team, **kwargs: Any) -> None:
    try:
        # A savepoint, so a concurrent duplicate leaves the outer transaction usable.
        with transaction.atomic():
            team.save(**kwargs)
    except IntegrityError:
        raise ValidationError(
            {"name": _("There is already a team called “%(name)s”.") % {"name": team.name}}
        ) from None


def create_team(*, organization: Organization, name: str, actor: User) -> Team:
    """Add a team; names are unique per organization whatever their case."""
    name = name.strip()
    with transaction.atomic():
        _ensure_team_name_free(organization, name, None)
        team = Team(organization=organization, name=name)
        _save_team(team)
        record_audit_entry(
            organization=organization,
            actor=actor,
            action="team.created",
            summary=_("Created the team %(team)s") % {"team": name},
            data={"team": str(team.public_id)},
        )
    return team


def rename_team(*, team: Team, name: str, actor: User) -> bool:
    """Rename a team; False when the name did not change."""
    name = name.strip()
    if name == team.name:
        return False
    organization = team.organization
    with transaction.atomic():
        _ensure_team_name_free(organization, name, team)
        before, team.name = team.name, name
        _save_team(team, update_fields=["name"])
        record_audit_entry(
            organization=organization,
            actor=actor,
            action="team.renamed",
            summary=_("Renamed the team %(before)s to %(after)s")
            % {"before": before, "after": name},
            data={"team": str(team.public_id), "changes": {"name": [before, name]}},
        )
    return True


def delete_team(*, team: Team, actor: User) -> None:
    """Delete a team. Its members stay in the organization, without a team."""
    organization = team.organization
    with transaction.atomic():
        record_audit_entry(
            organization=organization,
            actor=actor,
            action="team.deleted",
            summary=_("Deleted the team %(team)s") % {"team": team.name},
            data={"team": str(team.public_id)},
        )
        # Memberships and invitations point at the team with SET_NULL.
        team.delete()


# Invitations -------------------------------------------------------------------------------


def invite_member(
    *,
    organization: Organization,
    email: str,
    role: str,
    team: Team | None,
    invited_by: User,
) -> Invitation:
    """Invite an email address into the organization with a role, and mail the link.

    An open invitation to the same address is withdrawn and replaced, which is also how an
    invitation is sent again. An address that already belongs to an active member is refused.
    """
    email = normalize_email(email)
    _ensure_team_belongs(team, organization)
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a role from the list.")})
    with transaction.atomic():
        if (
            Membership.objects.for_org(organization)
            .filter(user__email=email, is_active=True)
            .exists()
        ):
            raise ValidationError(
                {
                    "email": _("%(email)s is already a member of this organization.")
                    % {"email": email}
                }
            )
        now = timezone.now()
        replaced = list(
            Invitation.objects.for_org(organization)
            .select_for_update()
            .filter(email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True)
            .values_list("pk", "public_id")
        )
        if replaced:
            Invitation.objects.for_org(organization).filter(
                pk__in=[pk for pk, _public_id in replaced]
            ).update(revoked_at=now)
        invitation = Invitation(
            organization=organization,
            email=email,
            role=role,
            team=team,
            invited_by=invited_by,
            expires_at=now + timedelta(days=settings.INVITATION_MAX_AGE_DAYS),
        )
        try:
            with transaction.atomic():
                invitation.save()
        except IntegrityError:
            # Another admin invited the same address a moment ago.
            raise ValidationError(
                {"email": _("An invitation to %(email)s was just sent.") % {"email": email}}
            ) from None
        summary = _("Sent a new invitation to %(email)s as %(role)s")
        if not replaced:
            summary = _("Invited %(email)s as %(role)s")
        record_audit_entry(
            organization=organization,
            actor=invited_by,
            action="invitation.sent",
            summary=summary % {"email": email, "role": Role(role).label},
            data={
                "invitation": str(invitation.public_id),
                "email": email,
                "role": role,
                "team": team.name if team else None,
                "replaces": [str(public_id) for _pk, public_id in replaced],
            },
        )
        tasks.send_invitation_email.delay_on_commit(organization.pk, invitation.pk)
    return invitation


def resend_invitation(*, invitation: Invitation, actor: User) -> Invitation:
    """Replace an open invitation (expired or not) with a fresh one, and mail the new link."""
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise ValidationError(
            _("This invitation was already accepted or withdrawn."), code="not_open"
        )
    return invite_member(
        organization=invitation.organization,
        email=invitation.email,
        role=invitation.role,
        team=invitation.team,
        invited_by=actor,
    )


def revoke_invitation(*, invitation: Invitation, actor: User) -> bool:
    """Withdraw an open invitation so its link stops working. False if it was not open."""
    organization = invitation.organization
    with transaction.atomic():
        now = timezone.now()
        updated = (
            Invitation.objects.for_org(organization)
            .filter(pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True)
            .update(revoked_at=now)
        )
        if not updated:
            return False
        invitation.revoked_at = now
        record_audit_entry(
            organization=organization,
            actor=actor,
            action="invitation.revoked",
            summary=_("Withdrew the invitation to %(email)s") % {"email": invitation.email},
            data={"invitation": str(invitation.public_id), "email": invitation.email},
        )
    return True


def accept_invitation(*, invitation: Invitation, user: User) -> Membership:
    """Make the invited user a member with the invited role and team.

    The invitation row is locked and its state checked again, so a double submit or two tabs
    create one membership: a second call by the same user returns the membership it made. An
    earlier, deactivated membership is reactivated with the invited role and team.
    """
    organization = invitation.organization
    if not is_invited_user(invitation, user):
        raise InvitationForSomeoneElse(invitation.email)
    with transaction.atomic():
        locked: Invitation = (
            Invitation.objects.for_org(organization).select_for_update().get(pk=invitation.pk)
        )
        now = timezone.now()
        state = invitation_state(locked, now=now)
        memberships = (
            Membership.objects.for_org(organization).select_for_update(of=("self",)).order_by("pk")
        )
        if state is InvitationState.USED and locked.accepted_by_id == user.pk:
            existing: Membership | None = memberships.filter(user=user, is_active=True).first()
            if existing is not None:
                return existing
        if state is not InvitationState.OPEN:
            raise InvitationUnavailable(state)

        membership: Membership | None = memberships.filter(user=user).first()
        if membership is None:
            membership = Membership(
                organization=organization, user=user, role=locked.role, team_id=locked.team_id
            )
            membership.save()
        elif not membership.is_active:
            membership.role, membership.team_id = locked.role, locked.team_id
            membership.is_active, membership.deactivated_at = True, None
            membership.save(update_fields=["role", "team", "is_active", "deactivated_at"])
        # An active member keeps the role they have: only an admin changes roles.

        locked.accepted_at, locked.accepted_by = now, user
        locked.save(update_fields=["accepted_at", "accepted_by"])
        invitation.accepted_at, invitation.accepted_by = now, user
        record_audit_entry(
            organization=organization,
            actor=user,
            action="invitation.accepted",
            summary=_("%(email)s accepted the invitation and joined as %(role)s")
            % {"email": user.email, "role": membership.get_role_display()},
            data={"invitation": str(locked.public_id), "member": str(membership.public_id)},
        )
    return membership
