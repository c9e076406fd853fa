"""Writes to campaigns."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from advocacy.tenancy.audience import check_audience, pack
from advocacy.tenancy.models import Organization, Team
from advocacy.tenancy.services import record_audit_entry
from advocacy.tenancy.signals import send_after_commit

from . import signals
from .models import Campaign, CampaignAudienceTeam

if TYPE_CHECKING:
    from advocacy.accounts.models import User

# Set apart from the campaign's own columns: teams are rows of a link table, locations and
# languages are packed into two columns.
AUDIENCE_FIELDS = ("teams", "locations", "languages")


@dataclass(frozen=True)
class CampaignDetails:
    """The editable fields of a campaign and its audience, as a form or the seed supplies them.

    An empty audience list means everyone: no teams, every team; and so on.
    """

    name: str
    purpose: str = ""
    status: str = Campaign.Status.DRAFT
    starts_on: date | None = None
    ends_on: date | None = None
    hashtags: str = ""
    target_shares: int | None = None
    target_reach: int | None = None
    target_clicks: int | None = None
    teams: tuple[Team, ...] = ()
    locations: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()

    @classmethod
    def field_names(cls) -> list[str]:
        """The campaign's own columns (the audience is not among them)."""
        return [field.name for field in fields(cls) if field.name not in AUDIENCE_FIELDS]

    def columns(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.field_names()}


class CampaignBulkAction(models.TextChoices):
    GO_LIVE = "go_live", _("Go live")
    END = "end", _("End")
    BACK_TO_DRAFT = "back_to_draft", _("Back to draft")


BULK_STATUSES: dict[str, str] = {
    CampaignBulkAction.GO_LIVE: Campaign.Status.LIVE,
    CampaignBulkAction.END: Campaign.Status.ENDED,
    CampaignBulkAction.BACK_TO_DRAFT: Campaign.Status.DRAFT,
}

BULK_AUDIT_ACTIONS: dict[str, str] = {
    CampaignBulkAction.GO_LIVE: "campaign.bulk_live",
    CampaignBulkAction.END: "campaign.bulk_ended",
    CampaignBulkAction.BACK_TO_DRAFT: "campaign.bulk_draft",
}


def create_campaign(
    *, organization: Organization, actor: User | None, details: CampaignDetails
) -> Campaign:
    """Start a campaign for the organization, with its audience."""
    check_audience(organization, teams=details.teams, languages=details.languages)
    with transaction.atomic():
        campaign = Campaign(organization=organization, created_by=actor, **details.columns())
        campaign.locations = details.locations
        campaign.languages = details.languages
        campaign.save()
        _link_teams(organization=organization, campaign=campaign, teams=details.teams)
        record_audit_entry(
            organization=organization,
            actor=actor,
            action="campaign.created",
            summary=gettext("Created the campaign “%(name)s”") % {"name": campaign.name},
            data={"campaign": str(campaign.public_id), "status": campaign.status},
        )
        if campaign.status == Campaign.Status.LIVE:
            _announce_started(organization, [campaign.pk])
    return campaign


def update_campaign(
    *,
    organization: Organization,
    campaign: Campaign,
    actor: User | None,
    details: CampaignDetails,
) -> Campaign:
    """Change a campaign's purpose, status, period, hashtags, targets or audience."""
    check_audience(organization, teams=details.teams, languages=details.languages)
    with transaction.atomic():
        # Re-read under a lock: the caller's instance may already carry the form's changes.
        campaign = Campaign.objects.for_org(organization).select_for_update().get(pk=campaign.pk)
        changed = [
            name for name, value in details.columns().items() if getattr(campaign, name) != value
        ]
        before_status = campaign.status
        for name in changed:
            setattr(campaign, name, getattr(details, name))
        packed = {
            "audience_locations": pack(details.locations),
            "audience_languages": pack(details.languages),
        }
        audience_columns = [
            name for name, value in packed.items() if getattr(campaign, name) != value
        ]
        for name in audience_columns:
            setattr(campaign, name, packed[name])
        if changed or audience_columns:
            campaign.save(update_fields=[*changed, *audience_columns, "updated_at"])
        teams_changed = _link_teams(
            organization=organization, campaign=campaign, teams=details.teams
        )
        if audience_columns or teams_changed:
            changed.append("audience")
        if not changed:
            return campaign
        data: dict[str, Any] = {"campaign": str(campaign.public_id), "changed": changed}
        if "status" in changed:
            data["status"] = [before_status, campaign.status]
            if campaign.status == Campaign.Status.LIVE:
                _announce_started(organization, [campaign.pk])
        record_audit_entry(
            organization=organization,
            actor=actor,
            action="campaign.updated",
            summary=gettext("Edited the campaign “%(name)s”") % {"name": campaign.name},
            data=data,
        )
    return campaign


def bulk_action_summary(action: str, count: int) -> str:
    """What a bulk action did, in words, for the audit trail and the confirmation message."""
    if action == CampaignBulkAction.GO_LIVE:
        text = ngettext("%(count)d campaign went live", "%(count)d campaigns went live", count)
    elif action == CampaignBulkAction.END:
        text = ngettext("Ended %(count)d campaign", "Ended %(count)d campaigns", count)
    else:
        text = ngettext(
            "Put %(count)d campaign back to draft", "Put %(count)d campaigns back to draft", count
        )
    return text % {"count": count}


def apply_campaign_bulk_action(
    *,
    organization: Organization,
    actor: User | None,
    action: str,
    public_ids: Iterable[uuid.UUID],
) -> int:
    """Set the status the action names on the named campaigns; returns how many changed.

    Whatever a campaign's status was, the action sets its own: predictable from the list.
    Campaigns already in that status are left alone and not counted; ids of other
    organizations' campaigns, or of campaigns that are gone, match no row and are ignored.
    """
    status = BULK_STATUSES[action]
    with transaction.atomic():
        targets = list(
            Campaign.objects.for_org(organization)
            .filter(public_id__in=list(public_ids))
            .exclude(status=status)
            .select_for_update()
            .values_list("pk", "public_id")
        )
        if not targets:
            return 0
        count = (
            Campaign.objects.for_org(organization)
            .filter(pk__in=[pk for pk, _public_id in targets])
            .update(status=status, updated_at=timezone.now())
        )
        record_audit_entry(
            organization=organization,
            actor=actor,
            action=BULK_AUDIT_ACTIONS[action],
            summary=bulk_action_summary(action, count),
            data={"campaigns": [str(public_id) for _pk, public_id in targets], "status": status},
        )
        if status == Campaign.Status.LIVE:
            _announce_started(organization, [pk for pk, _public_id in targets])
    return count


def _announce_started(organization: Organization, campaign_ids: list[int]) -> None:
    """Tell the apps above that campaigns went live, once the change has committed."""
    send_after_commit(
        signals.campaign_started, organization_id=organization.pk, campaign_ids=campaign_ids
    )


def _link_teams(*, organization: Organization, campaign: Campaign, teams: Iterable[Team]) -> bool:
    """Make the campaign's audience teams exactly `teams`; says whether anything changed."""
    wanted = {team.pk for team in teams}
    links = CampaignAudienceTeam.objects.for_org(organization).filter(campaign=campaign)
    removed, _ = links.exclude(team_id__in=wanted).delete()
    present = set(links.values_list("team_id", flat=True))
    added = [
        CampaignAudienceTeam(organization=organization, campaign=campaign, team_id=pk)
        for pk in sorted(wanted - present)
    ]
    CampaignAudienceTeam.objects.for_org(organization).bulk_create(added)
    return bool(removed or added)
