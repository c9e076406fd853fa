from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from advocacy.tenancy.audience import audience_q
from advocacy.tenancy.querysets import TenantManager, TenantQuerySet

if TYPE_CHECKING:
    from advocacy.tenancy.models import Membership, Team

    from .models import Topic


class ContentItemQuerySet(TenantQuerySet[Any]):
    def available(self, now: datetime) -> ContentItemQuerySet:
        """Published items inside their availability window."""
        return self.filter(
            Q(available_from__isnull=True) | Q(available_from__lte=now),
            Q(available_until__isnull=True) | Q(available_until__gt=now),
            status="published",
        )

    def not_archived(self) -> ContentItemQuerySet:
        return self.exclude(status="archived")

    def search(self, text: str) -> ContentItemQuerySet:
        """Items whose title or description contains `text`, whatever its case."""
        text = text.strip()
        if not text:
            return self
        return self.filter(Q(title__icontains=text) | Q(description__icontains=text))

    def about(self, topic: Topic) -> ContentItemQuerySet:
        """Items tagged with the topic."""
        links = apps.get_model("content", "ItemTopic").all_tenants.filter(
            organization_id=topic.organization_id, content_item=OuterRef("pk"), topic_id=topic.pk
        )
        return self.filter(Exists(links))

    def for_team(self, team: Team) -> ContentItemQuerySet:
        """Items the team's members are among the audience of, as far as teams go: those
        naming the team, and those naming no team at all (for every team)."""
        links = apps.get_model("content", "ItemAudienceTeam").all_tenants.filter(
            organization_id=team.organization_id, content_item=OuterRef("pk")
        )
        return self.filter(~Exists(links) | Exists(links.filter(team_id=team.pk)))

    def with_caption_count(self) -> ContentItemQuerySet:
        """`caption_count`: the item's suggested captions.

        A correlated subquery, not a join and a group: a page of 25 counts the captions of
        those 25, and a campaign filter's join cannot multiply the count.
        """
        captions = (
            apps.get_model("content", "Caption")
            .all_tenants.filter(
                organization_id=OuterRef("organization_id"), content_item=OuterRef("pk")
            )
            .order_by()
            .values("content_item")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(
            caption_count=Coalesce(Subquery(captions, output_field=IntegerField()), 0)
        )

    def for_member(
        self, membership: Membership, *, live_campaign_ids: Iterable[int] | None = None
    ) -> ContentItemQuerySet:
        """Items whose audience includes the member.

        An item's own audience must include them; and an item in live campaigns is for those
        campaigns' audiences only (a campaign for Aarhus keeps its content in Aarhus), unless
        one of those campaigns is for everyone or for them.

        A caller that has already read the live campaigns for the member (the dashboard shows
        them) passes their ids as `live_campaign_ids`: the same rows come back from a query
        without the campaigns' audience inside it, which Django takes a long time to build.
        """
        item_teams = apps.get_model("content", "ItemAudienceTeam")
        campaign_items = apps.get_model("content", "CampaignItem")
        live_links = campaign_items.all_tenants.filter(
            organization_id=membership.organization_id,
            content_item=OuterRef("pk"),
            campaign__status="live",
        )
        if live_campaign_ids is None:
            campaign_teams = apps.get_model("campaigns", "CampaignAudienceTeam")
            theirs = live_links.filter(
                audience_q(
                    membership,
                    team_links=campaign_teams,
                    link_field="campaign",
                    prefix="campaign__",
                )
            )
        else:
            theirs = live_links.filter(campaign_id__in=list(live_campaign_ids))
        return self.filter(
            audience_q(membership, team_links=item_teams, link_field="content_item"),
            ~Exists(live_links) | Exists(theirs),
        )

    def with_share_counts(self, membership: Membership) -> ContentItemQuerySet:
        """`colleague_shares`: colleagues who published it; `shared_by_me`: whether the member's
        post of it is out or on its way (a draft, a failed or a deleted post is not a share).

        Correlated subqueries, not a join: a page of 24 items counts the posts of those 24
        only, whatever the size of the library and of its posts' history.
        """
        posts = apps.get_model("content", "Post").all_tenants.filter(
            organization_id=membership.organization_id, content_item=OuterRef("pk")
        )
        colleagues = (
            posts.filter(status="published")
            .exclude(author=membership)
            .order_by()
            .values("content_item")
            .annotate(n=Count("author", distinct=True))
            .values("n")
        )
        return self.annotate(
            colleague_shares=Coalesce(Subquery(colleagues, output_field=IntegerField()), 0),
            shared_by_me=Exists(
                posts.filter(author=membership, status__in=["scheduled", "publishing", "published"])
            ),
        )

    def for_dashboard(self) -> ContentItemQuerySet:
        """Featured items first, then items in a live campaign, then the newest."""
        live_links = apps.get_model("content", "CampaignItem").all_tenants.filter(
            organization_id=OuterRef("organization_id"),
            content_item=OuterRef("pk"),
            campaign__status="live",
        )
        return self.alias(in_live_campaign=Exists(live_links)).order_by(
            "-featured",
            Case(When(in_live_campaign=True, then=Value(0)), default=Value(1)),
            "-created_at",
            "-id",
        )


class PostQuerySet(TenantQuerySet[Any]):
    def with_click_counts(self) -> PostQuerySet:
        """`click_count`: people's clicks on the post's tracked link (bots are left out).

        A correlated subquery through the link's index, so a page of posts counts the clicks
        of its own posts only.
        """
        clicks = (
            apps.get_model("content", "Click")
            .all_tenants.filter(
                organization_id=OuterRef("organization_id"),
                link__post=OuterRef("pk"),
                is_bot=False,
            )
            .order_by()
            .values("link")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(click_count=Coalesce(Subquery(clicks, output_field=IntegerField()), 0))

    def published(self) -> PostQuerySet:
        return self.filter(status="published")

    def counted(self) -> PostQuerySet:
        """Posts that count in figures: published and not deleted since."""
        return self.filter(status="published", published_at__isnull=False)

    def search(self, text: str) -> PostQuerySet:
        text = text.strip()
        if not text:
            return self
        return self.filter(
            Q(text__icontains=text)
            | Q(author__user__name__icontains=text)
            | Q(author__user__email__icontains=text)
        )


ContentItemManager = TenantManager.from_queryset(ContentItemQuerySet)
PostManager = TenantManager.from_queryset(PostQuerySet)
