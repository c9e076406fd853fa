"""Factories for every model, in one place."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from advocacy.accounts.models import User
from advocacy.linkedin import crypto
from advocacy.program.models import (
    AgendaTopic,
    BrandRiskFlag,
    BuddyPair,
    CheckIn,
    Course,
    CourseCompletion,
    Feedback,
    FollowUpRound,
    Goal,
    Lesson,
    LessonCompletion,
    Milestone,
    QuizQuestion,
    ReadRequest,
    Season,
    SentMessage,
    SurveyResponse,
    TopicProposal,
    TopicVote,
)
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


class CourseFactory(TenantFactory):
    """A published course, unless told otherwise."""

    class Meta:
        model = Course

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Course {n}")
    is_published = True
    pass_mark = 80
    position = factory.Sequence(lambda n: n)


class LessonFactory(TenantFactory):
    class Meta:
        model = Lesson

    organization = factory.SelfAttribute("course.organization")
    course = factory.SubFactory(CourseFactory)
    title = factory.Sequence(lambda n: f"Lesson {n}")
    body = "Share what you know, in your own words."
    position = factory.Sequence(lambda n: n)


class QuizQuestionFactory(TenantFactory):
    """A question whose right answer is the first of three."""

    class Meta:
        model = QuizQuestion

    organization = factory.SelfAttribute("course.organization")
    course = factory.SubFactory(CourseFactory)
    text = factory.Sequence(lambda n: f"Question {n}?")
    choices = factory.LazyFunction(lambda: ["Right", "Wrong", "Also wrong"])
    answer = 0
    position = factory.Sequence(lambda n: n)


class LessonCompletionFactory(TenantFactory):
    class Meta:
        model = LessonCompletion

    organization = factory.SelfAttribute("lesson.organization")
    lesson = factory.SubFactory(LessonFactory)
    membership = factory.SubFactory(
        MembershipFactory, organization=factory.SelfAttribute("..organization")
    )


class CourseCompletionFactory(TenantFactory):
    class Meta:
        model = CourseCompletion

    organization = factory.SelfAttribute("course.organization")
    course = factory.SubFactory(CourseFactory)
    membership = factory.SubFactory(
        MembershipFactory, organization=factory.SelfAttribute("..organization")
    )
    score_pct = 100


class SeasonFactory(TenantFactory):
    """Ten-day seasons long ago, one after another, so that they never overlap."""

    class Meta:
        model = Season

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Season {n}")
    starts_on = factory.Sequence(lambda n: dt.date(2000, 1, 1) + dt.timedelta(days=10 * n))
    ends_on = factory.LazyAttribute(lambda season: season.starts_on + dt.timedelta(days=9))


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


# The program: follow-ups and mail ------------------------------------------------------------


class FollowUpRoundFactory(TenantFactory):
    """A round open from today for two weeks, unless told otherwise."""

    class Meta:
        model = FollowUpRound

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Follow-up {n}")
    opens_on = factory.Sequence(lambda n: timezone.localdate() - timezone.timedelta(days=n))
    closes_on = factory.LazyAttribute(
        lambda round: max(round.opens_on, timezone.localdate()) + timezone.timedelta(days=13)
    )


class CheckInFactory(TenantFactory):
    class Meta:
        model = CheckIn

    organization = factory.SelfAttribute("round.organization")
    round = factory.SubFactory(FollowUpRoundFactory)
    membership = factory.SubFactory(
        MembershipFactory, organization=factory.SelfAttribute("..organization")
    )
    went_well = "A post about our new office got many reactions."


# The program ---------------------------------------------------------------------------------


class AgendaTopicFactory(TenantFactory):
    class Meta:
        model = AgendaTopic

    organization = factory.SelfAttribute("topic.organization")
    topic = factory.SubFactory(TopicFactory)
    position = factory.Sequence(lambda n: n)


class MilestoneFactory(TenantFactory):
    class Meta:
        model = Milestone

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    due_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=30))


class GoalFactory(TenantFactory):
    """Company follower growth of 15 % over a quarter that began a month ago."""

    class Meta:
        model = Goal

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Goal {n}")
    metric = Goal.Metric.COMPANY_FOLLOWER_GROWTH
    target = 15
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))
    deadline = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=60))


class SentMessageFactory(TenantFactory):
    class Meta:
        model = SentMessage

    organization = factory.SelfAttribute("membership.organization")
    membership = factory.SubFactory(MembershipFactory)
    kind = "weekly_digest"
    period = "2026-W01"
    sent_at = factory.LazyFunction(timezone.now)
    day = factory.LazyFunction(lambda: timezone.localdate())
    impressions = 1000
    reactions = 10


class DraftFactory(PostFactory):
    """An own post the author has not sent anywhere yet."""

    content_item = None
    status = Post.Status.DRAFT
    linkedin_urn = ""
    published_at = None


class BuddyPairFactory(TenantFactory):
    """Two participants who are buddies, unless told otherwise."""

    class Meta:
        model = BuddyPair

    organization = factory.SelfAttribute("first.organization")
    first = factory.SubFactory(MembershipFactory, opted_in_at=factory.LazyFunction(timezone.now))
    second = factory.SubFactory(
        MembershipFactory,
        organization=factory.SelfAttribute("..organization"),
        opted_in_at=factory.LazyFunction(timezone.now),
    )
    status = BuddyPair.Status.ACTIVE
    accepted_at = factory.LazyFunction(timezone.now)


class ReadRequestFactory(TenantFactory):
    class Meta:
        model = ReadRequest

    organization = factory.SelfAttribute("post.organization")
    post = factory.SubFactory(DraftFactory)
    reader = factory.SubFactory(
        MembershipFactory, organization=factory.SelfAttribute("..organization")
    )


class FeedbackFactory(TenantFactory):
    class Meta:
        model = Feedback

    organization = factory.SelfAttribute("post.organization")
    post = factory.SubFactory(PostFactory)
    author = factory.SubFactory(
        MembershipFactory, organization=factory.SelfAttribute("..organization")
    )
    kind = Feedback.Kind.COMMENT
    body = factory.Faker("sentence")


class BrandRiskFlagFactory(TenantFactory):
    class Meta:
        model = BrandRiskFlag

    organization = factory.SelfAttribute("post.organization")
    post = factory.SubFactory(PostFactory)
    raised_by = factory.SubFactory(
        MembershipFactory,
        organization=factory.SelfAttribute("..organization"),
        role=Membership.Role.COMMS,
    )
    reason = "It names a client who has not agreed to it."


class TopicProposalFactory(TenantFactory):
    class Meta:
        model = TopicProposal

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Proposed topic {n}")
    proposed_by = factory.SubFactory(
        MembershipFactory, organization=factory.SelfAttribute("..organization")
    )


class TopicVoteFactory(TenantFactory):
    class Meta:
        model = TopicVote

    organization = factory.SelfAttribute("proposal.organization")
    proposal = factory.SubFactory(TopicProposalFactory)
    membership = factory.SubFactory(
        MembershipFactory, organization=factory.SelfAttribute("..organization")
    )


class SurveyResponseFactory(TenantFactory):
    class Meta:
        model = SurveyResponse

    organization = factory.SelfAttribute("membership.organization")
    membership = factory.SubFactory(MembershipFactory)
    comfort = 3
    minutes_per_week = 30


class WebhookEndpointFactory(TenantFactory):
    """An endpoint with the secret `whsec_test` unless told."""

    class Meta:
        model = WebhookEndpoint

    organization = factory.SubFactory(OrganizationFactory)
    url = factory.Sequence(lambda n: f"https://hooks.example.com/{n}")
    events = factory.LazyFunction(lambda: [Event.POST_PUBLISHED.value])
    secret_encrypted = factory.LazyFunction(lambda: crypto.encrypt("whsec_test"))
