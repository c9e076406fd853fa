"""The 80/20 mix: how much of what a member posts is about the company itself.

Dell's rule of thumb (PRODUCT.md): about 80 % informative, helpful or personal, about 20 %
about the company. The employee's composer shows their own mix of the last 30 days beside
this target.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q

from advocacy.tenancy.models import Membership

from .models import Post

# The default target; each organization sets its own (Organization.company_content_target_pct).
COMPANY_CONTENT_TARGET_PCT = 20
MIX_WINDOW = timedelta(days=30)


def percent(part: int, whole: int) -> float | None:
    """`part` of `whole` in percent, one decimal; None when there is no whole."""
    if not whole:
        return None
    return round(100 * part / whole, 1)


@dataclass(frozen=True)
class Mix:
    posts: int
    company_posts: int
    target_pct: int = COMPANY_CONTENT_TARGET_PCT

    @property
    def company_pct(self) -> float | None:
        return percent(self.company_posts, self.posts)

    def with_one_more(self, *, company: bool) -> Mix:
        return Mix(self.posts + 1, self.company_posts + int(company), self.target_pct)

    @property
    def over_target(self) -> bool:
        pct = self.company_pct
        return pct is not None and pct > self.target_pct


def recent_mix(membership: Membership, now: datetime, *, exclude_post_id: int | None = None) -> Mix:
    """The member's posts of the last 30 days that are out or on their way (published,
    scheduled or being published), and how many of them are about the company."""
    since = now - MIX_WINDOW
    posts = (
        Post.objects.for_org(membership.organization)
        .filter(author=membership)
        .filter(
            Q(status=Post.Status.PUBLISHED, published_at__gte=since)
            | Q(
                status__in=[Post.Status.SCHEDULED, Post.Status.PUBLISHING], scheduled_for__gte=since
            )
        )
    )
    if exclude_post_id is not None:
        posts = posts.exclude(pk=exclude_post_id)
    counts = posts.aggregate(
        total=Count("pk"), company=Count("pk", filter=Q(is_company_content=True))
    )
    return Mix(
        posts=counts["total"],
        company_posts=counts["company"],
        target_pct=membership.organization.company_content_target_pct,
    )
