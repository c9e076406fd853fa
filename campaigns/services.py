"""Writes to campaigns."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext

from advocacy.tenancy.models import Organization
from advocacy.tenancy.services import record_audit_entry

from .models import Campaign

if TYPE_CHECKING:
    from advocacy.accounts.models import User


@dataclass(frozen=True)
class CampaignDetails:
    """The editable fields of a campaign, as a form or the seed supplies them."""

    name: str
    purpose: str = ""
    status: str = Campaign.Status.DRAFT
    starts_on: date | None = None
    ends_on: date | None = None
    hashtags: str = ""
    target_shares: int | None = None
    target_reach: int | None = None
    target_clicks: int | None = None

    @classmethod
    def field_names(cls) -> list[str]:
        return [field.name for field in fields(cls)]


def create_campaign(
    *, organization: Organization, actor: User | None, details: CampaignDetails
) -> Campaign:
    """Start a campaign for the organization."""
    with transaction.atomic():
        campaign = Campaign(organization=organization, created_by=actor, **asdict(details))
        campaign.save()
        record_audit_entry(
            organization=organization,
            actor=actor,
            action="campaign.created",
            summary=gettext("Created the campaign “%(name)s”") % {"name": campaign.name},
            data={"campaign": str(campaign.public_id), "status": campaign.status},
        )
    return campaign


def update_campaign(
    *,
    organization: Organization,
    campaign: Campaign,
    actor: User | None,
    details: CampaignDetails,
) -> Campaign:
    """Change a campaign's purpose, status, period, hashtags or targets."""
    with transaction.atomic():
        # Re-read under a lock: the caller's instance may already carry the form's changes.
        campaign = Campaign.objects.for_org(organization).select_for_update().get(pk=campaign.pk)
        changed = [
            name for name, value in asdict(details).items() if getattr(campaign, name) != value
        ]
        if not changed:
            return campaign
        before_status = campaign.status
        for name in changed:
            setattr(campaign, name, getattr(details, name))
        campaign.save(update_fields=[*changed, "updated_at"])
        data: dict[str, Any] = {"campaign": str(campaign.public_id), "changed": changed}
        if "status" in changed:
            data["status"] = [before_status, campaign.status]
        record_audit_entry(
            organization=organization,
            actor=actor,
            action="campaign.updated",
            summary=gettext("Edited the campaign “%(name)s”") % {"name": campaign.name},
            data=data,
        )
    return campaign
