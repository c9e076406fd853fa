"""Writes to the content library: items, their suggested captions and campaign links."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from advocacy.tenancy.models import Organization
from advocacy.tenancy.services import record_audit_entry
from campaigns.models import Campaign

from .models import MAX_CAPTIONS, MAX_COMMENTARY_LENGTH, CampaignItem, Caption, ContentItem

if TYPE_CHECKING:
    from advocacy.accounts.models import User


@dataclass(frozen=True)
class ItemDetails:
    """The editable fields of a content item, as a form or the seed supplies them."""

    title: str
    kind: str = ContentItem.Kind.ARTICLE
    status: str = ContentItem.Status.PUBLISHED
    description: str = ""
    url: str = ""
    is_company_content: bool = True
    language: str = ""
    available_from: datetime | None = None
    available_until: datetime | None = None
    featured: bool = False

    @classmethod
    def field_names(cls) -> list[str]:
        return [field.name for field in fields(cls)]


class BulkAction(models.TextChoices):
    ARCHIVE = "archive", _("Archive")
    FEATURE = "feature", _("Feature on the dashboard")
    UNFEATURE = "unfeature", _("Stop featuring")


def create_content_item(
    *,
    organization: Organization,
    actor: User | None,
    details: ItemDetails,
    campaigns: Iterable[Campaign] = (),
    captions: Sequence[str] = (),
) -> ContentItem:
    """Add an item to the organization's library with its captions and campaign links."""
    campaigns = _own_campaigns(organization, campaigns)
    _check_captions(captions)
    with transaction.atomic():
        item = ContentItem(organization=organization, created_by=actor, **asdict(details))
        item.save()
        _link_campaigns(organization=organization, item=item, campaigns=campaigns)
        _save_captions(organization=organization, item=item, texts=captions)
        record_audit_entry(
            organization=organization,
            actor=actor,
            action="content_item.created",
            summary=gettext("Added “%(title)s” to the content library") % {"title": item.title},
            data={"item": str(item.public_id), "status": item.status},
        )
    return item


def update_content_item(
    *,
    organization: Organization,
    item: ContentItem,
    actor: User | None,
    details: ItemDetails,
    campaigns: Iterable[Campaign],
    captions: Sequence[str],
) -> ContentItem:
    """Change an item's fields, and replace its captions and campaign links with the given ones."""
    campaigns = _own_campaigns(organization, campaigns)
    _check_captions(captions)
    with transaction.atomic():
        # Re-read under a lock: the caller's instance may already carry the form's changes.
        item = ContentItem.objects.for_org(organization).select_for_update().get(pk=item.pk)
        changed = [name for name, value in asdict(details).items() if getattr(item, name) != value]
        for name in changed:
            setattr(item, name, getattr(details, name))
        if changed:
            item.save(update_fields=[*changed, "updated_at"])
        links_changed = _link_campaigns(organization=organization, item=item, campaigns=campaigns)
        captions_changed = _save_captions(organization=organization, item=item, texts=captions)
        if links_changed:
            changed.append("campaigns")
        if captions_changed:
            changed.append("captions")
        if changed:
            record_audit_entry(
                organization=organization,
                actor=actor,
                action="content_item.updated",
                summary=gettext("Edited “%(title)s”") % {"title": item.title},
                data={"item": str(item.public_id), "changed": changed},
            )
    return item


def archive_content_item(
    *, organization: Organization, item: ContentItem, actor: User | None
) -> ContentItem:
    """Take an item out of the library; employees stop seeing it, the record stays."""
    with transaction.atomic():
        changed = (
            ContentItem.objects.for_org(organization)
            .filter(pk=item.pk)
            .exclude(status=ContentItem.Status.ARCHIVED)
            .update(status=ContentItem.Status.ARCHIVED, updated_at=timezone.now())
        )
        if changed:
            record_audit_entry(
                organization=organization,
                actor=actor,
                action="content_item.archived",
                summary=gettext("Archived “%(title)s”") % {"title": item.title},
                data={"item": str(item.public_id)},
            )
    item.refresh_from_db(fields=["status", "updated_at"])
    return item


# What each action changes, and which items it skips because they already are so.
BULK_CHANGES: dict[str, tuple[models.Q, dict[str, Any]]] = {
    BulkAction.ARCHIVE: (
        models.Q(status=ContentItem.Status.ARCHIVED),
        {"status": ContentItem.Status.ARCHIVED},
    ),
    BulkAction.FEATURE: (models.Q(featured=True), {"featured": True}),
    BulkAction.UNFEATURE: (models.Q(featured=False), {"featured": False}),
}


BULK_AUDIT_ACTIONS: dict[str, str] = {
    BulkAction.ARCHIVE: "content_item.bulk_archived",
    BulkAction.FEATURE: "content_item.bulk_featured",
    BulkAction.UNFEATURE: "content_item.bulk_unfeatured",
}


def bulk_action_summary(action: str, count: int) -> str:
    """What a bulk action did, in words, for the audit trail and the confirmation message."""
    if action == BulkAction.ARCHIVE:
        text = ngettext("Archived %(count)d item", "Archived %(count)d items", count)
    elif action == BulkAction.FEATURE:
        text = ngettext("Featured %(count)d item", "Featured %(count)d items", count)
    else:
        text = ngettext(
            "Stopped featuring %(count)d item", "Stopped featuring %(count)d items", count
        )
    return text % {"count": count}


def apply_bulk_action(
    *,
    organization: Organization,
    actor: User | None,
    action: str,
    public_ids: Iterable[uuid.UUID],
) -> int:
    """Archive or (un)feature the named items of the organization; returns how many changed.

    Ids of other organizations' items, or of items that are gone, are ignored: they match no
    row in this organization.
    """
    already, changes = BULK_CHANGES[action]
    with transaction.atomic():
        targets = list(
            ContentItem.objects.for_org(organization)
            .filter(public_id__in=list(public_ids))
            .exclude(already)
            .select_for_update()
            .values_list("pk", "public_id")
        )
        if not targets:
            return 0
        count = (
            ContentItem.objects.for_org(organization)
            .filter(pk__in=[pk for pk, _public_id in targets])
            .update(**changes, updated_at=timezone.now())
        )
        record_audit_entry(
            organization=organization,
            actor=actor,
            action=BULK_AUDIT_ACTIONS[action],
            summary=bulk_action_summary(action, count),
            data={"items": [str(public_id) for _pk, public_id in targets]},
        )
    return count


def _own_campaigns(organization: Organization, campaigns: Iterable[Campaign]) -> list[Campaign]:
    campaigns = list(campaigns)
    if any(campaign.organization_id != organization.pk for campaign in campaigns):
        raise ValueError("Campaigns of another organization cannot hold this item.")
    return campaigns


def _check_captions(texts: Sequence[str]) -> None:
    if len(texts) > MAX_CAPTIONS:
        raise ValueError(f"An item has at most {MAX_CAPTIONS} suggested captions.")
    if any(not text.strip() or len(text) > MAX_COMMENTARY_LENGTH for text in texts):
        raise ValueError(f"A caption holds 1 to {MAX_COMMENTARY_LENGTH} characters.")


def _link_campaigns(
    *, organization: Organization, item: ContentItem, campaigns: Sequence[Campaign]
) -> bool:
    wanted = {campaign.pk for campaign in campaigns}
    links = CampaignItem.objects.for_org(organization).filter(content_item=item)
    removed, _ = links.exclude(campaign_id__in=wanted).delete()
    present = set(links.values_list("campaign_id", flat=True))
    added = [
        CampaignItem(organization=organization, campaign_id=pk, content_item=item)
        for pk in sorted(wanted - present)
    ]
    CampaignItem.objects.for_org(organization).bulk_create(added)
    return bool(removed or added)


def _save_captions(*, organization: Organization, item: ContentItem, texts: Sequence[str]) -> bool:
    # Captions keep their rows (and public ids) by position, so later shares can point at them.
    existing = {
        caption.position: caption
        for caption in Caption.objects.for_org(organization).filter(content_item=item)
    }
    changed = False
    for position, text in enumerate(texts):
        caption = existing.pop(position, None)
        if caption is None:
            Caption(
                organization=organization, content_item=item, position=position, text=text
            ).save()
            changed = True
        elif caption.text != text:
            caption.text = text
            caption.save(update_fields=["text"])
            changed = True
    if existing:
        Caption.objects.for_org(organization).filter(
            pk__in=[caption.pk for caption in existing.values()]
        ).delete()
        changed = True
    return changed
