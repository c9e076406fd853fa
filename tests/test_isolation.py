"""Tenant isolation, swept over every route under /o/<slug>/.

Every path parameter is filled with the id of an object that belongs to Acme. Greta, admin of
Globex, then asks for each route (GET and POST) in two ways: inside Acme, where she is no
member, and inside her own Globex with Acme's ids. Both must be 404/403 and leave Acme's rows
exactly as they were. A route with a parameter this module does not know how to fill fails
the sweep, so new routes are covered the day they are added.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.urls import reverse

from advocacy.accounts.models import User
from advocacy.tenancy.models import Organization, TenantModel

from .conftest import Cast
from .factories import (
    AgendaTopicFactory,
    BrandRiskFlagFactory,
    BuddyPairFactory,
    CampaignFactory,
    CaptionFactory,
    ContentItemFactory,
    CourseFactory,
    DraftFactory,
    FeedSourceFactory,
    FollowUpRoundFactory,
    GoalFactory,
    InvitationFactory,
    LessonFactory,
    MemberFollowersFactory,
    MembershipFactory,
    MilestoneFactory,
    PostFactory,
    QuizQuestionFactory,
    ReadRequestFactory,
    SeasonFactory,
    TeamFactory,
    TopicFactory,
    TopicProposalFactory,
    WebhookEndpointFactory,
)
from .routes import Route, tenant_routes

# Path parameter → how to make an object of Acme's that it names.
PARAM_OBJECTS: dict[str, Callable[[Cast], Any]] = {
    "item_id": lambda cast: ContentItemFactory(organization=cast.acme),
    "caption_id": lambda cast: CaptionFactory(
        content_item=ContentItemFactory(organization=cast.acme)
    ),
    "campaign_id": lambda cast: CampaignFactory(organization=cast.acme),
    "member_id": lambda cast: cast.membership(cast.emma, cast.acme),
    "invitation_id": lambda cast: InvitationFactory(organization=cast.acme),
    "team_id": lambda cast: TeamFactory(organization=cast.acme),
    "feed_id": lambda cast: FeedSourceFactory(organization=cast.acme),
    "course_id": lambda cast: CourseFactory(organization=cast.acme),
    "lesson_id": lambda cast: LessonFactory(course=CourseFactory(organization=cast.acme)),
    "question_id": lambda cast: QuizQuestionFactory(course=CourseFactory(organization=cast.acme)),
    "season_id": lambda cast: SeasonFactory(organization=cast.acme),
    "round_id": lambda cast: FollowUpRoundFactory(organization=cast.acme),
    "published_post_id": lambda cast: PostFactory(author=cast.membership(cast.emma, cast.acme)),
    "flag_id": lambda cast: BrandRiskFlagFactory(
        post=PostFactory(author=cast.membership(cast.emma, cast.acme)),
        raised_by=cast.membership(cast.carol, cast.acme),
    ),
    "agenda_topic_id": lambda cast: AgendaTopicFactory(topic=TopicFactory(organization=cast.acme)),
    "milestone_id": lambda cast: MilestoneFactory(organization=cast.acme),
    "goal_id": lambda cast: GoalFactory(organization=cast.acme),
    "proposal_id": lambda cast: TopicProposalFactory(organization=cast.acme),
    "endpoint_id": lambda cast: WebhookEndpointFactory(organization=cast.acme),
}

# Path parameter → how to make an object of Acme's that belongs to one member (their own
# posts): the pages of such objects answer their owner only, anyone else gets a 404.
OWNED_PARAM_OBJECTS: dict[str, Callable[[Cast, User], Any]] = {
    "post_id": lambda cast, owner: PostFactory(author=cast.membership(owner, cast.acme)),
    "figure_id": lambda cast, owner: MemberFollowersFactory(
        membership=cast.membership(owner, cast.acme)
    ),
    # A buddy pair the owner is in, and a draft shared with the owner for a read.
    "pair_id": lambda cast, owner: BuddyPairFactory(first=cast.membership(owner, cast.acme)),
    "read_id": lambda cast, owner: ReadRequestFactory(
        post=DraftFactory(author=MembershipFactory(organization=cast.acme)),
        reader=cast.membership(owner, cast.acme),
    ),
}

ROUTES = tenant_routes()


def fill(route: Route, cast: Cast, org: Organization, owner: User | None = None) -> str:
    """The route's URL in `org`, its parameters naming new objects of Acme's; objects that
    belong to one member belong to `owner` (Acme's admin, alice, unless told)."""
    owner = owner or cast.alice
    kwargs = {
        name: (
            OWNED_PARAM_OBJECTS[name](cast, owner)
            if name in OWNED_PARAM_OBJECTS
            else PARAM_OBJECTS[name](cast)
        ).public_id
        for name in route.params
    }
    return reverse(route.name, kwargs={"org_slug": org.slug, **kwargs})


def tenant_rows(org: Organization) -> dict[str, list[dict[str, Any]]]:
    return {
        model._meta.label: list(model.all_tenants.filter(organization=org).order_by("pk").values())
        for model in apps.get_models()
        if issubclass(model, TenantModel)
    }


def test_sweep_covers_every_tenant_route():
    assert len(ROUTES) >= 10, "the sweep found suspiciously few tenant routes"
    unnamed = [str(route) for route in ROUTES if not route.name]
    assert not unnamed, f"tenant routes need a name so the sweep can reverse them: {unnamed}"
    known = PARAM_OBJECTS.keys() | OWNED_PARAM_OBJECTS.keys()
    unknown = {p for route in ROUTES for p in route.params if p not in known}
    assert not unknown, (
        f"no way to fill path parameter(s) {sorted(unknown)}: add them to PARAM_OBJECTS "
        "so the new routes are covered by the isolation sweep"
    )


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_cannot_reach_other_org_through_any_route(route: Route, cast: Cast, client_for):
    # The filled URL must really work for Acme's own admin, or the sweep proves nothing.
    own_status = client_for(cast.alice).get(fill(route, cast, cast.acme)).status_code
    assert own_status in {200, 302, 405}, f"{route} answers {own_status} to Acme's own admin"

    before = tenant_rows(cast.acme)
    greta = client_for(cast.greta)
    for org in (cast.acme, cast.globex):
        if org == cast.globex and not route.params:
            continue  # Greta's own page with no foreign id in it: nothing to isolate.
        url = fill(route, cast, org)
        for method in (greta.get, greta.post):
            response = method(url)
            assert response.status_code in {403, 404}, (
                f"{method.__name__.upper()} {url} as Globex's admin gave {response.status_code}"
            )
    after = tenant_rows(cast.acme)
    # Objects the fill created for this request appear in both snapshots; nothing else moves.
    for label, rows in before.items():
        assert after[label][: len(rows)] == rows, f"{label} rows of Acme changed"
