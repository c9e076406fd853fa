"""Signals of the content app, for the apps above it (which this app must not import).

Each is sent once the transaction that made the change has committed, so a receiver sees the
row as it is stored and never acts on a change that was rolled back. The webhooks app
listens, to tell the organization's own systems.
"""

from django.dispatch import Signal

from advocacy.tenancy.signals import send_after_commit

# Sent with `organization_id` and `post_id` when a post is out on LinkedIn.
post_published = Signal()
# Sent with `organization_id` and `post_id` when publishing a post failed for good.
post_failed = Signal()
# Sent with `organization_id`, `item_ids` and `source` ("library" or "feed") when library
# items were added (a feed's new entries arrive as drafts, several at once).
content_created = Signal()


def announce_post_published(organization_id: int, post_id: int) -> None:
    send_after_commit(post_published, organization_id=organization_id, post_id=post_id)


def announce_post_failed(organization_id: int, post_id: int) -> None:
    send_after_commit(post_failed, organization_id=organization_id, post_id=post_id)


def announce_content_created(organization_id: int, item_ids: list[int], *, source: str) -> None:
    send_after_commit(
        content_created, organization_id=organization_id, item_ids=item_ids, source=source
    )
