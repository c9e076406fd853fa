"""Background work for the content library: reading link previews from other sites."""

from __future__ import annotations

from celery import shared_task
from django.utils import translation

from advocacy.tenancy.models import Organization

from . import previews

# A page and its image are each bounded to about five seconds (content/fetching.py); the
# rest is decoding and converting the image.
PREVIEW_SOFT_TIME_LIMIT = 30
PREVIEW_TIME_LIMIT = 45


@shared_task(
    name="content.fetch_item_preview",
    soft_time_limit=PREVIEW_SOFT_TIME_LIMIT,
    time_limit=PREVIEW_TIME_LIMIT,
    ignore_result=True,
)
def fetch_item_preview(organization_id: int, item_id: int, force: bool = False) -> None:
    """Read the link preview of a library item and store it (previews.refresh_item_preview).

    Not retried: a page that failed is marked so with the reason, and comms can ask again.
    Returns quietly when the organization or the item is gone.
    """
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return
    # The reason a preview failed is stored in words, for this organization's comms to read.
    with translation.override(organization.language):
        previews.refresh_item_preview(organization=organization, item_id=item_id, force=force)


@shared_task(
    name="content.fetch_post_preview",
    soft_time_limit=PREVIEW_SOFT_TIME_LIMIT,
    time_limit=PREVIEW_TIME_LIMIT,
    ignore_result=True,
)
def fetch_post_preview(organization_id: int, post_id: int) -> None:
    """Fill in what the author left empty of a post's link card (previews.refresh_post_preview).

    Returns quietly when the organization or the post is gone, or the post went out first.
    """
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return
    previews.refresh_post_preview(organization=organization, post_id=post_id)
