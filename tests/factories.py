"""Factories for every model, in one place."""

from __future__ import annotations

from typing import Any

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from advocacy.accounts.models import User
from advocacy.linkedin import crypto
from advocacy.program.models import Goal
from advocacy.tenancy.models import Invitation, Membership, Organization, Team
from advocacy.webhooks.models import Event, WebhookEndpoint
from analytics.models import MemberFollowers, PostMetrics, Source
from campaigns.models import Campaign
from content.models import (
    Caption,
    Click,
    ContentItem,
    FeedSource,
    Post,
    Topic,
    TrackedLink,
)

PASSWORD = "correct-horse-battery-staple"


class TenantFactory(factory.django.DjangoModelFactory):
    """Creates tenant rows through `all_tenants`, since tests run outside a tenant scope."""

    class Meta:
        abstract = True

    @classmethod
    def _get_manager(cls, model_class: Any) -> Any:
        return model_class.all_tenants


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified_email(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Company {n}")
    slug = factory.Sequence(lambda n: f"company-{n}")


class TeamFactory(TenantFactory):
    class Meta:
        model = Team

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class MembershipFactory(TenantFactory):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.EMPLOYEE


class InvitationFactory(TenantFactory):
    class Meta:
        model = Invitation

    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = Membership.Role.EMPLOYEE
    expires_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=14))


class CampaignFactory(TenantFactory):
    class Meta:
        model = Campaign

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Campaign {n}")
    status = Campaign.Status.LIVE


class ContentItemFactory(TenantFactory):
    class Meta:
        model = ContentItem

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Article {n}")
    url = factory.Sequence(lambda n: f"https://example.com/articles/{n}")
    kind = ContentItem.Kind.ARTICLE


class CaptionFactory(TenantFactory):
    class Meta:
        model = Caption

    organization = factory.SelfAttribute("content_item.organization")
    content_item = factory.SubFactory(ContentItemFactory)
    text = factory.Faker("sentence")


class TopicFactory(TenantFactory):
    class Meta:
        model = Topic

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Topic {n}")


class FeedSourceFactory(TenantFactory):
    class Meta:
        model = FeedSource

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Feed {n}")
    url = factory.Sequence(lambda n: f"https://example.com/feeds/{n}.xml")


class PostFactory(TenantFactory):
    """A published share of a library item, unless told otherwise."""

    class Meta:
        model = Post

    organization = factory.SelfAttribute("author.organization")
    author = factory.SubFactory(MembershipFactory)
    content_item = factory.SubFactory(
        ContentItemFactory, organization=factory.SelfAttribute("..organization")
    )
    text = factory.Sequence(lambda n: f"My take on this, number {n}")
    status = Post.Status.PUBLISHED
    linkedin_urn = factory.Sequence(lambda n: f"urn:li:share:{7_300_000 + n}")
    published_at = factory.LazyFunction(timezone.now)


class TrackedLinkFactory(TenantFactory):
    class Meta:
        model = TrackedLink

    organization = factory.SelfAttribute("post.organization")
    post = factory.SubFactory(PostFactory)
    code = factory.Sequence(lambda n: f"code{n:08d}")
    destination = factory.Sequence(
        lambda n: f"https://example.com/articles/{n}?utm_source=linkedin"
    )


class ClickFactory(TenantFactory):
    class Meta:
        model = Click

    organization = factory.SelfAttribute("link.organization")
    link = factory.SubFactory(TrackedLinkFactory)
    post = factory.SelfAttribute("link.post")
    clicked_at = factory.LazyFunction(timezone.now)
    visitor_hash = factory.Sequence(lambda n: f"{n:032x}")


class MemberFollowersFactory(TenantFactory):
    """A member's follower count of a day, imported from LinkedIn's export unless told."""

    class Meta:
        model = MemberFollowers

    organization = factory.SelfAttribute("membership.organization")
    membership = factory.SubFactory(MembershipFactory)
    day = factory.Sequence(lambda n: timezone.localdate() - timezone.timedelta(days=n + 1))
    followers = 500
    source = Source.IMPORTED


class PostMetricsFactory(TenantFactory):
    """A post's figures of a day, imported from LinkedIn's export unless told."""

    class Meta:
        model = PostMetrics

    organization = factory.SelfAttribute("post.organization")
    post = factory.SubFactory(PostFactory)
    day = factory.LazyFunction(timezone.localdate)
    impressions = 1000
    source = Source.IMPORTED


class GoalFactory(TenantFactory):
    class Meta:
        model = Goal

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Goal {n}")
    metric = Goal.Metric.IMPRESSIONS
    target = 10_000
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timezone.timedelta(days=30))
    deadline = factory.LazyFunction(lambda: timezone.localdate() + timezone.timedelta(days=60))


class WebhookEndpointFactory(TenantFactory):
    """An endpoint with the secret `whsec_test` unless told."""

    class Meta:
        model = WebhookEndpoint

    organization = factory.SubFactory(OrganizationFactory)
    url = factory.Sequence(lambda n: f"https://hooks.example.com/{n}")
    events = factory.LazyFunction(lambda: [Event.POST_PUBLISHED.value])
    secret_encrypted = factory.LazyFunction(lambda: crypto.encrypt("whsec_test"))
