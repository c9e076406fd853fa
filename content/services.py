"""Writes to the content library: items with their captions, campaign links, images, topics,
audiences and hand-written link previews, and the feeds whose entries become drafts."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.storage import Storage
from django.db import IntegrityError, models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from advocacy.tenancy.audience import check_audience, pack
from advocacy.tenancy.models import Organization, Team
from advocacy.tenancy.services import record_audit_entry
from campaigns.models import Campaign

from . import signals, tasks
from .models import (
    MAX_CAPTIONS,
    MAX_COMMENTARY_LENGTH,
    CampaignItem,
    Caption,
    ContentItem,
    FeedSource,
    ItemAudienceTeam,
    ItemTopic,
    PreviewStatus,
    Topic,
)
from .previews import request_item_preview

if TYPE_CHECKING:
    from advocacy.accounts.models import User


@dataclass(frozen=True)
class PreviewEdits:
    """What comms wrote over an item's link preview by hand; None leaves a part as it is.

    Any of it marks the preview "edited": later automatic fetches keep it, and only asking
    to fetch it again replaces it. `image` is a new upload, `remove_image` drops the stored
    one.
    """

    title: str | None = None
    description: str | None = None
    site_name: str | None = None
    image: File | None = None
    remove_image: bool = False


TOPIC_NAME_LENGTH = Topic._meta.get_field("name").max_length or 80

# Set apart from the item's own columns: files, link tables and the packed audience.
SET_APART = (
    "image",
    "remove_image",
    "topics",
    "new_topics",
    "teams",
    "locations",
    "languages",
    "preview",
)


@dataclass(frozen=True)
class ItemDetails:
    """The editable fields of a content item, as a form or the seed supplies them.

    `image` is a new upload and `remove_image` drops the stored one (neither: it stays).
    `topics` are the organization's topics, `new_topics` names of topics to add (an existing
    topic of the same name, whatever its case, is taken instead). The audience is `teams`,
    `locations` and `languages`; an empty list means everyone. `preview` is what comms
    changed of the link preview, if anything.
    """

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
    image_alt_text: str = ""
    image: File | None = None
    remove_image: bool = False
    topics: tuple[Topic, ...] = ()
    new_topics: tuple[str, ...] = ()
    teams: tuple[Team, ...] = ()
    locations: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    preview: PreviewEdits | None = None

    @classmethod
    def field_names(cls) -> list[str]:
        """The item's own columns (the model fields of its form)."""
        return [field.name for field in fields(cls) if field.name not in SET_APART]

    def columns(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.field_names()}


class BulkAction(models.TextChoices):
    # First, so the form's default is the action that takes nothing away.
    PUBLISH = "publish", _("Add to the library")
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
    """Add an item to the organization's library with its captions, campaign links, image,
    topics and audience. An item with a link gets its preview fetched after commit, unless
    comms wrote the preview themselves.

    Raises ValueError, writing nothing, for another organization's campaigns, topics or
    teams (its forms offer none) and for captions out of bounds.
    """
    campaigns = _own_campaigns(organization, campaigns)
    _check_captions(captions)
    _check_item(organization, details)
    uploads = _Uploads(organization)
    try:
        image = uploads.store("image", details.image)
        preview_image = uploads.store("preview_image", _preview_upload(details))
        with transaction.atomic():
            item = ContentItem(organization=organization, created_by=actor, **details.columns())
            item.locations = details.locations
            item.languages = details.languages
            if image:
                item.image = image
            preview_changed = _apply_preview(item, details.preview, preview_image)
            item.save()
            _link_campaigns(organization=organization, item=item, campaigns=campaigns)
            topics, created = _topics_of(organization, details)
            _sync_links(ItemTopic, organization, item, "topic", topics)
            _sync_links(ItemAudienceTeam, organization, item, "team", details.teams)
            _save_captions(organization=organization, item=item, texts=captions)
            data: dict[str, Any] = {"item": str(item.public_id), "status": item.status}
            if created:
                data["new_topics"] = created
            record_audit_entry(
                organization=organization,
                actor=actor,
                action="content_item.created",
                summary=gettext("Added “%(title)s” to the content library") % {"title": item.title},
                data=data,
            )
            if item.url and not preview_changed:
                request_item_preview(organization=organization, item=item)
            signals.announce_content_created(organization.pk, [item.pk], source="library")
    except BaseException:
        uploads.discard()
        raise
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
    """Change an item's fields, image, topics and audience, and replace its captions and
    campaign links with the given ones.

    The audit entry names what changed ("image", "topics", "audience", "preview" for the
    parts kept outside the item's columns). A new link gets its preview fetched after commit,
    unless comms wrote the preview themselves in the same change. Raises ValueError, writing
    nothing, for another organization's campaigns, topics or teams and for captions out of
    bounds.
    """
    campaigns = _own_campaigns(organization, campaigns)
    _check_captions(captions)
    _check_item(organization, details)
    uploads = _Uploads(organization)
    try:
        image = uploads.store("image", details.image)
        preview_image = uploads.store("preview_image", _preview_upload(details))
        with transaction.atomic():
            # Re-read under a lock: the caller's instance may already carry the form's changes.
            item = ContentItem.objects.for_org(organization).select_for_update().get(pk=item.pk)
            changed, update_fields = _apply_columns(item, details)
            old_image = item.image.name or ""
            if image or (details.remove_image and old_image):
                item.image = image
                update_fields.append("image")
                changed.append("image")
                _delete_on_commit(item.image.storage, old_image)
            old_preview_image = item.preview_image.name or ""
            preview_changed = _apply_preview(item, details.preview, preview_image)
            if preview_changed:
                update_fields += PREVIEW_COLUMNS
                changed.append("preview")
                if item.preview_image.name != old_preview_image:
                    _delete_on_commit(item.preview_image.storage, old_preview_image)
            if update_fields:
                item.save(update_fields=[*update_fields, "updated_at"])
            if _link_campaigns(organization=organization, item=item, campaigns=campaigns):
                changed.append("campaigns")
            if _save_captions(organization=organization, item=item, texts=captions):
                changed.append("captions")
            topics, created = _topics_of(organization, details)
            if _sync_links(ItemTopic, organization, item, "topic", topics):
                changed.append("topics")
            teams_changed = _sync_links(ItemAudienceTeam, organization, item, "team", details.teams)
            if teams_changed and "audience" not in changed:
                changed.append("audience")
            if changed and not update_fields:
                # Captions, topics or links changed, no column did: the item's version moves
                # all the same (the dashboard's cached card is keyed on it, see cards.py).
                item.save(update_fields=["updated_at"])
            if changed:
                data: dict[str, Any] = {"item": str(item.public_id), "changed": changed}
                if created:
                    data["new_topics"] = created
                record_audit_entry(
                    organization=organization,
                    actor=actor,
                    action="content_item.updated",
                    summary=gettext("Edited “%(title)s”") % {"title": item.title},
                    data=data,
                )
            if "url" in changed and not preview_changed:
                request_item_preview(organization=organization, item=item)
    except BaseException:
        uploads.discard()
        raise
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
    # Approving drafts (from a feed, say): archived items come back only by editing them.
    BulkAction.PUBLISH: (
        ~models.Q(status=ContentItem.Status.DRAFT),
        {"status": ContentItem.Status.PUBLISHED},
    ),
}


BULK_AUDIT_ACTIONS: dict[str, str] = {
    BulkAction.ARCHIVE: "content_item.bulk_archived",
    BulkAction.FEATURE: "content_item.bulk_featured",
    BulkAction.UNFEATURE: "content_item.bulk_unfeatured",
    BulkAction.PUBLISH: "content_item.bulk_published",
}


def bulk_action_summary(action: str, count: int) -> str:
    """What a bulk action did, in words, for the audit trail and the confirmation message."""
    if action == BulkAction.ARCHIVE:
        text = ngettext("Archived %(count)d item", "Archived %(count)d items", count)
    elif action == BulkAction.FEATURE:
        text = ngettext("Featured %(count)d item", "Featured %(count)d items", count)
    elif action == BulkAction.PUBLISH:
        text = ngettext(
            "Added %(count)d draft to the library", "Added %(count)d drafts to the library", count
        )
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
    """Archive, (un)feature or publish the named items of the organization; returns how many
    changed.

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


def _check_item(organization: Organization, details: ItemDetails) -> None:
    if any(topic.organization_id != organization.pk for topic in details.topics):
        raise ValueError("Topics of another organization cannot describe this item.")
    if any(not name.strip() or len(name) > TOPIC_NAME_LENGTH for name in details.new_topics):
        raise ValueError(f"A topic's name holds 1 to {TOPIC_NAME_LENGTH} characters.")
    check_audience(organization, teams=details.teams, languages=details.languages)


# The columns an item's audience is packed into (tenancy/audience.py).
AUDIENCE_COLUMNS = ("audience_locations", "audience_languages")
PREVIEW_COLUMNS = [
    "preview_status",
    "preview_title",
    "preview_description",
    "preview_site_name",
    "preview_image",
    "preview_error",
]


def _apply_columns(item: ContentItem, details: ItemDetails) -> tuple[list[str], list[str]]:
    """Set the changed columns on `item`: what changed in words, and the columns to save."""
    changed = [name for name, value in details.columns().items() if getattr(item, name) != value]
    for name in changed:
        setattr(item, name, getattr(details, name))
    update_fields = list(changed)
    packed = {
        "audience_locations": pack(details.locations),
        "audience_languages": pack(details.languages),
    }
    audience = [name for name in AUDIENCE_COLUMNS if getattr(item, name) != packed[name]]
    for name in audience:
        setattr(item, name, packed[name])
    if audience:
        update_fields += audience
        changed.append("audience")
    return changed, update_fields


def _preview_upload(details: ItemDetails) -> File | None:
    return details.preview.image if details.preview is not None else None


def _apply_preview(item: ContentItem, edits: PreviewEdits | None, image: str) -> bool:
    """Write comms' changes to the preview on `item` and mark it edited; says whether any
    part really changed (a fetch may have written the same words meanwhile)."""
    if edits is None:
        return False
    wanted: dict[str, Any] = {
        "preview_title": edits.title,
        "preview_description": edits.description,
        "preview_site_name": edits.site_name,
    }
    if image:
        wanted["preview_image"] = image
    elif edits.remove_image:
        wanted["preview_image"] = ""
    changed = False
    for name, value in wanted.items():
        if value is not None and (getattr(item, name) or "") != value:
            setattr(item, name, value)
            changed = True
    if changed:
        item.preview_status = PreviewStatus.EDITED
        item.preview_error = ""
    return changed


class _Uploads:
    """New files, stored before the transaction (a file system or bucket is no place to hold
    a row lock) and deleted again when the transaction does not commit."""

    def __init__(self, organization: Organization) -> None:
        self.organization = organization
        self.stored: list[tuple[Storage, str]] = []

    def store(self, field_name: str, upload: File | None) -> str:
        """Save `upload` as the named image field of an item of the organization would;
        returns the stored name, or "" without an upload."""
        if upload is None:
            return ""
        file: FieldFile = getattr(ContentItem(organization=self.organization), field_name)
        file.save(upload.name or "image", upload, save=False)
        name = file.name or ""
        self.stored.append((file.storage, name))
        return name

    def discard(self) -> None:
        for storage, name in self.stored:
            storage.delete(name)


def _delete_on_commit(storage: Storage, name: str) -> None:
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def _topics_of(organization: Organization, details: ItemDetails) -> tuple[list[Topic], list[str]]:
    """The item's topics: the chosen ones and those named, created when no topic of the
    organization has the name whatever its case. Returns them and the names created."""
    chosen = {topic.pk: topic for topic in details.topics}
    if not details.new_topics:
        return list(chosen.values()), []
    # Compared in Python: a database's lower() may know only ASCII (SQLite's does).
    existing = {
        topic.name.casefold(): topic for topic in Topic.objects.for_org(organization).order_by()
    }
    created: list[str] = []
    for name in details.new_topics:
        name = " ".join(name.split())
        topic = existing.get(name.casefold())
        if topic is None:
            topic, made = _create_topic(organization, name)
            existing[name.casefold()] = topic
            if made:
                created.append(topic.name)
        chosen[topic.pk] = topic
    return list(chosen.values()), created


def _create_topic(organization: Organization, name: str) -> tuple[Topic, bool]:
    try:
        with transaction.atomic():
            topic = Topic(organization=organization, name=name)
            topic.save()
            return topic, True
    except IntegrityError:
        # Added by someone else a moment ago.
        return Topic.objects.for_org(organization).get(name__iexact=name), False


LinkModel = type[CampaignItem] | type[ItemTopic] | type[ItemAudienceTeam]


def _sync_links(
    model: LinkModel,
    organization: Organization,
    item: ContentItem,
    target: str,
    rows: Iterable[models.Model],
) -> bool:
    """Make the item's link rows of `model` point at exactly `rows` (by difference: rows
    that stay are not touched); says whether anything changed."""
    wanted = {row.pk for row in rows}
    links = model.objects.for_org(organization).filter(content_item=item)
    removed, _ = links.exclude(**{f"{target}_id__in": wanted}).delete()
    present = set(links.values_list(f"{target}_id", flat=True))
    added = [
        model(organization=organization, content_item=item, **{f"{target}_id": pk})
        for pk in sorted(wanted - present)
    ]
    model.objects.for_org(organization).bulk_create(added)
    return bool(removed or added)


def _link_campaigns(
    *, organization: Organization, item: ContentItem, campaigns: Sequence[Campaign]
) -> bool:
    return _sync_links(CampaignItem, organization, item, "campaign", campaigns)


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


# Feeds -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedDetails:
    """The editable fields of a feed, as its form supplies them."""

    name: str
    url: str
    default_kind: str = ContentItem.Kind.ARTICLE
    is_company_content: bool = True
    is_active: bool = True

    @classmethod
    def field_names(cls) -> list[str]:
        return [field.name for field in fields(cls)]


class FeedBulkAction(models.TextChoices):
    POLL = "poll", _("Check now")
    PAUSE = "pause", _("Pause")
    RESUME = "resume", _("Resume")
    REMOVE = "remove", _("Remove")


def duplicate_feed_message(existing: FeedSource) -> str:
    return gettext("“%(name)s” already reads this address.") % {"name": existing.name}


def create_feed(
    *, organization: Organization, actor: User | None, details: FeedDetails
) -> FeedSource:
    """Add a feed to the organization; a polled one is checked as soon as it is saved.

    Raises ValidationError (keyed "url") when the organization already has a feed at the
    address.
    """
    try:
        with transaction.atomic():
            feed = FeedSource(organization=organization, created_by=actor, **asdict(details))
            feed.save()
            record_audit_entry(
                organization=organization,
                actor=actor,
                action="feed.created",
                summary=gettext("Added the feed “%(name)s”") % {"name": feed.name},
                data={"feed": str(feed.public_id), "url": feed.url},
            )
            if feed.is_active:
                tasks.poll_feed.delay_on_commit(organization.pk, feed.pk)
    except IntegrityError:
        # Two people adding the same address at once: the form's own check came too early.
        _raise_if_duplicate_url(organization, details.url, exclude_pk=None)
        raise
    return feed


def update_feed(
    *, organization: Organization, feed: FeedSource, actor: User | None, details: FeedDetails
) -> FeedSource:
    """Change a feed's name, address, kind of items or whether it is polled.

    A new address forgets what the old server said (ETag, Last-Modified, its problem), and a
    feed that gets a new address or is resumed is checked at once. Raises ValidationError
    (keyed "url") when another feed of the organization reads the new address.
    """
    try:
        with transaction.atomic():
            # Re-read under a lock: the caller's instance may already carry the form's changes.
            feed = FeedSource.objects.for_org(organization).select_for_update().get(pk=feed.pk)
            changed = [
                name for name, value in asdict(details).items() if getattr(feed, name) != value
            ]
            if not changed:
                return feed
            resumed = "is_active" in changed and details.is_active
            for name in changed:
                setattr(feed, name, getattr(details, name))
            update_fields = list(changed)
            if "url" in changed:
                feed.etag = feed.last_modified = feed.last_error = ""
                update_fields += ["etag", "last_modified", "last_error"]
            feed.save(update_fields=update_fields)
            record_audit_entry(
                organization=organization,
                actor=actor,
                action="feed.updated",
                summary=gettext("Edited the feed “%(name)s”") % {"name": feed.name},
                data={"feed": str(feed.public_id), "changed": changed},
            )
            if feed.is_active and ("url" in changed or resumed):
                tasks.poll_feed.delay_on_commit(organization.pk, feed.pk)
    except IntegrityError:
        _raise_if_duplicate_url(organization, details.url, exclude_pk=feed.pk)
        raise
    return feed


FEED_BULK_AUDIT_ACTIONS: dict[str, str] = {
    FeedBulkAction.POLL: "feed.bulk_polled",
    FeedBulkAction.PAUSE: "feed.bulk_paused",
    FeedBulkAction.RESUME: "feed.bulk_resumed",
    FeedBulkAction.REMOVE: "feed.bulk_removed",
}


def feed_bulk_action_summary(action: str, count: int) -> str:
    """What a bulk action on feeds did, for the audit trail and the confirmation message."""
    if action == FeedBulkAction.POLL:
        text = ngettext(
            "Checking %(count)d feed; new entries appear as drafts in the library",
            "Checking %(count)d feeds; new entries appear as drafts in the library",
            count,
        )
    elif action == FeedBulkAction.PAUSE:
        text = ngettext("Paused %(count)d feed", "Paused %(count)d feeds", count)
    elif action == FeedBulkAction.RESUME:
        text = ngettext("Resumed %(count)d feed", "Resumed %(count)d feeds", count)
    else:
        text = ngettext(
            "Removed %(count)d feed; the items it made stay in the library",
            "Removed %(count)d feeds; the items they made stay in the library",
            count,
        )
    return text % {"count": count}


def apply_feed_bulk_action(
    *,
    organization: Organization,
    actor: User | None,
    action: str,
    public_ids: Iterable[uuid.UUID],
) -> int:
    """Check, pause, resume or remove the named feeds of the organization; returns how many.

    Paused feeds are not checked (resume them first). Removing a feed keeps the items it made;
    they only lose the mark of where they came from. Ids of other organizations' feeds match
    no row here and are ignored.
    """
    feeds = FeedSource.objects.for_org(organization).filter(public_id__in=list(public_ids))
    if action in {FeedBulkAction.POLL, FeedBulkAction.PAUSE}:
        feeds = feeds.filter(is_active=True)
    elif action == FeedBulkAction.RESUME:
        feeds = feeds.filter(is_active=False)
    with transaction.atomic():
        targets = list(
            feeds.select_for_update().order_by("name", "pk").values_list("pk", "public_id", "name")
        )
        if not targets:
            return 0
        pks = [pk for pk, _public_id, _name in targets]
        chosen = FeedSource.objects.for_org(organization).filter(pk__in=pks)
        if action == FeedBulkAction.PAUSE:
            chosen.update(is_active=False)
        elif action == FeedBulkAction.RESUME:
            chosen.update(is_active=True)
        elif action == FeedBulkAction.REMOVE:
            chosen.delete()
        if action in {FeedBulkAction.POLL, FeedBulkAction.RESUME}:
            for pk in pks:
                tasks.poll_feed.delay_on_commit(organization.pk, pk)
        record_audit_entry(
            organization=organization,
            actor=actor,
            action=FEED_BULK_AUDIT_ACTIONS[action],
            summary=feed_bulk_action_summary(action, len(targets)),
            data={
                "feeds": [str(public_id) for _pk, public_id, _name in targets],
                "names": [name for _pk, _public_id, name in targets],
            },
        )
    return len(targets)


def _raise_if_duplicate_url(organization: Organization, url: str, exclude_pk: int | None) -> None:
    existing = FeedSource.objects.for_org(organization).filter(url=url).exclude(pk=exclude_pk)
    feed = existing.first()
    if feed is not None:
        raise ValidationError({"url": duplicate_feed_message(feed)})
