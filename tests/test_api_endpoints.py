"""Every API endpoint, for every role, and what each answers.

The role matrix calls each route with each persona's own token: the roles allowed get their
2xx, the others a 403 in the envelope. The tests after it pin what the answers hold.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from advocacy.accounts.models import User
from advocacy.tenancy.models import ADMIN_ROLES, MANAGE_ROLES, REPORT_ROLES, Membership, Role
from analytics.models import CampaignDay, OrganizationDay, TeamDay
from campaigns.models import Campaign
from content.models import Post

from .api_support import ApiClient, api_for, error_of
from .conftest import Cast
from .factories import (
    CampaignFactory,
    CaptionFactory,
    ClickFactory,
    ContentItemFactory,
    GoalFactory,
    MembershipFactory,
    PostFactory,
    TeamFactory,
    TrackedLinkFactory,
)

pytestmark = pytest.mark.django_db

EVERYONE = frozenset(Role.values)
STAFF_AND_LEADERS = MANAGE_ROLES | REPORT_ROLES
PERSONAS = ("alice", "carol", "leo", "emma", "fay")
RANGE = {"start": "2026-10-01", "end": "2026-10-31"}


def own_post(cast: Cast, user: User, **fields: Any) -> Post:
    fields.setdefault("status", Post.Status.DRAFT)
    fields.setdefault("linkedin_urn", "")
    fields.setdefault("published_at", None)
    return PostFactory(author=cast.membership(user, cast.acme), content_item=None, **fields)


def scheduled_post(cast: Cast, user: User) -> Post:
    return own_post(
        cast,
        user,
        status=Post.Status.SCHEDULED,
        scheduled_for=timezone.now() + dt.timedelta(days=2),
    )


def spare_member(cast: Cast, active: bool = True) -> Membership:
    membership: Membership = MembershipFactory(organization=cast.acme, is_active=active)
    return membership


@dataclass(frozen=True)
class Call:
    method: str
    route: str  # the URL name, for the registry test
    make: Callable[[Cast, User], tuple[str, Any]]
    roles: frozenset[str]

    def __str__(self) -> str:
        return f"{self.method} {self.make.__name__}"


def _item(cast: Cast, user: User) -> Any:
    return ContentItemFactory(organization=cast.acme)


def me(cast, user):
    return "me", None


def organizations(cast, user):
    return "organizations", None


def members(cast, user):
    return "members", None


def member(cast, user):
    return f"members/{cast.membership(cast.emma, cast.acme).public_id}", None


def member_change(cast, user):
    return f"members/{cast.membership(cast.emma, cast.acme).public_id}", {"title": "Engineer"}


def member_deactivate(cast, user):
    return f"members/{spare_member(cast).public_id}/deactivate", None


def member_reactivate(cast, user):
    return f"members/{spare_member(cast, active=False).public_id}/reactivate", None


def teams(cast, user):
    return "teams", None


def team(cast, user):
    return f"teams/{cast.acme_sales.public_id}", None


def team_new(cast, user):
    return "teams", {"name": f"New team of {user.name}"}


def team_rename(cast, user):
    return f"teams/{TeamFactory(organization=cast.acme).public_id}", {
        "name": f"Renamed {user.name}"
    }


def team_delete(cast, user):
    return f"teams/{TeamFactory(organization=cast.acme).public_id}", None


def items(cast, user):
    return "content-items", None


def item(cast, user):
    return f"content-items/{_item(cast, user).public_id}", None


def item_new(cast, user):
    return "content-items", {"title": "A new article", "url": "https://example.com/new"}


def item_change(cast, user):
    return f"content-items/{_item(cast, user).public_id}", {"featured": True}


def item_archive(cast, user):
    return f"content-items/{_item(cast, user).public_id}/archive", None


def campaigns(cast, user):
    return "campaigns", None


def campaign(cast, user):
    return f"campaigns/{CampaignFactory(organization=cast.acme).public_id}", None


def campaign_new(cast, user):
    return "campaigns", {"name": "Autumn hiring"}


def campaign_change(cast, user):
    return f"campaigns/{CampaignFactory(organization=cast.acme).public_id}", {"purpose": "More"}


def campaign_progress(cast, user):
    return f"campaigns/{CampaignFactory(organization=cast.acme).public_id}/progress", None


def posts(cast, user):
    return "posts", None


def post(cast, user):
    return f"posts/{own_post(cast, user).public_id}", None


def post_new(cast, user):
    return "posts", {"text": "My own words about my work."}


def post_change(cast, user):
    return f"posts/{own_post(cast, user).public_id}", {"text": "Better words."}


def post_schedule(cast, user):
    later = (timezone.now() + dt.timedelta(days=1)).isoformat()
    return f"posts/{own_post(cast, user).public_id}/schedule", {"scheduled_for": later}


def post_cancel(cast, user):
    return f"posts/{scheduled_post(cast, user).public_id}/cancel", None


def post_delete(cast, user):
    return f"posts/{own_post(cast, user).public_id}", None


def link_clicks(cast, user):
    return "link-clicks", None


def report(name: str) -> Callable[[Cast, User], tuple[str, Any]]:
    def make(cast: Cast, user: User) -> tuple[str, Any]:
        return f"reports/{name}?start={RANGE['start']}&end={RANGE['end']}", None

    make.__name__ = f"report_{name}"
    return make


def goals(cast, user):
    return "goals", None


def goal(cast, user):
    return f"goals/{GoalFactory(organization=cast.acme).public_id}", None


CALLS = [
    Call("GET", "api:me", me, EVERYONE),
    Call("GET", "api:organization-list", organizations, EVERYONE),
    Call("GET", "api:member-list", members, ADMIN_ROLES),
    Call("GET", "api:member-detail", member, ADMIN_ROLES),
    Call("PATCH", "api:member-detail", member_change, ADMIN_ROLES),
    Call("POST", "api:member-deactivate", member_deactivate, ADMIN_ROLES),
    Call("POST", "api:member-reactivate", member_reactivate, ADMIN_ROLES),
    Call("GET", "api:team-list", teams, STAFF_AND_LEADERS),
    Call("GET", "api:team-detail", team, STAFF_AND_LEADERS),
    Call("POST", "api:team-list", team_new, ADMIN_ROLES),
    Call("PATCH", "api:team-detail", team_rename, ADMIN_ROLES),
    Call("DELETE", "api:team-detail", team_delete, ADMIN_ROLES),
    Call("GET", "api:content_item-list", items, EVERYONE),
    Call("GET", "api:content_item-detail", item, EVERYONE),
    Call("POST", "api:content_item-list", item_new, MANAGE_ROLES),
    Call("PATCH", "api:content_item-detail", item_change, MANAGE_ROLES),
    Call("POST", "api:content_item-archive", item_archive, MANAGE_ROLES),
    Call("GET", "api:campaign-list", campaigns, EVERYONE),
    Call("GET", "api:campaign-detail", campaign, EVERYONE),
    Call("POST", "api:campaign-list", campaign_new, MANAGE_ROLES),
    Call("PATCH", "api:campaign-detail", campaign_change, MANAGE_ROLES),
    Call("GET", "api:campaign-progress", campaign_progress, MANAGE_ROLES),
    Call("GET", "api:post-list", posts, EVERYONE),
    Call("GET", "api:post-detail", post, EVERYONE),
    Call("POST", "api:post-list", post_new, EVERYONE),
    Call("PATCH", "api:post-detail", post_change, EVERYONE),
    Call("POST", "api:post-schedule", post_schedule, EVERYONE),
    Call("POST", "api:post-cancel", post_cancel, EVERYONE),
    Call("DELETE", "api:post-detail", post_delete, EVERYONE),
    Call("GET", "api:link_clicks-list", link_clicks, EVERYONE),
    *(Call("GET", f"api:report_{name}", report(name), REPORT_ROLES)
      for name in ("growth", "timeseries", "mix", "teams", "campaigns")),
    Call("GET", "api:goal-list", goals, EVERYONE),
    Call("GET", "api:goal-detail", goal, EVERYONE),
]  # fmt: skip


def _send(api: ApiClient, method: str, path: str, body: Any) -> Any:
    if method == "GET":
        return api.get(path)
    if method == "DELETE":
        return api.delete(path)
    return getattr(api, method.lower())(path, body)


@pytest.mark.parametrize("call", CALLS, ids=str)
def test_role_matrix(call: Call, cast: Cast):
    for persona in PERSONAS:
        user = getattr(cast, persona)
        role = cast.membership(user, cast.acme).role
        path, body = call.make(cast, user)
        response = _send(api_for(user, cast.acme), call.method, path, body)
        if role in call.roles:
            assert response.status_code in {200, 201, 202, 204}, (
                f"{persona} ({role}) got {response.status_code} on {call}: {response.content[:300]}"
            )
        else:
            assert response.status_code == 403, (
                f"{persona} ({role}) got {response.status_code} on {call}"
            )
            assert error_of(response)["code"] == "permission_denied"


def test_every_api_route_and_method_is_in_the_role_matrix():
    from .test_api_isolation import API_ROUTES, methods_of

    offered = {(method, route.name) for route in API_ROUTES for method in methods_of(route)}
    called = {(call.method, call.route) for call in CALLS}
    missing = sorted(offered - called)
    assert not missing, f"add these to CALLS, with the roles that may call them: {missing}"
    assert not called - offered, f"CALLS names routes that do not exist: {called - offered}"


# The caller ------------------------------------------------------------------------------


def test_me_and_my_organizations_with_a_session(cast: Cast, client_for):
    fay = ApiClient(client=client_for(cast.fay))
    # Two organizations and none named yet: the API asks which.
    ambiguous = fay.get("me")
    assert ambiguous.status_code == 400
    assert error_of(ambiguous)["code"] == "organization_required"
    assert fay.get("me", {"organization": "globex"}).json()["organization"]["slug"] == "globex"
    listed = fay.get("organizations").json()
    assert [row["organization"]["slug"] for row in listed["results"]] == ["acme", "globex"]
    assert {row["role"] for row in listed["results"]} == {"facilitator"}
    assert listed["results"][0]["membership"] == str(cast.membership(cast.fay, cast.acme).public_id)
    assert fay.get("organizations", {"role": "admin"}).json()["results"] == []
    backwards = fay.get("organizations", {"ordering": "-name"}).json()["results"]
    assert [row["organization"]["slug"] for row in backwards] == ["globex", "acme"]


# Content items ---------------------------------------------------------------------------


def test_comms_add_an_item_with_captions_topics_campaigns_and_audience(cast: Cast):
    campaign = CampaignFactory(organization=cast.acme)
    carol = api_for(cast.carol, cast.acme)
    response = carol.post(
        "content-items",
        {
            "kind": "job",
            "title": "Data engineer in Aarhus",
            "url": "https://jobs.example.com/data",
            "topics": ["Hiring", "hiring", "Data"],
            "campaigns": [str(campaign.public_id)],
            "audience": {"teams": [str(cast.acme_sales.public_id)], "languages": ["da"]},
            "captions": ["We are hiring!", "Come and work with me."],
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["kind"] == "job"
    assert sorted(body["topics"]) == ["Data", "Hiring"]
    assert body["campaigns"] == [str(campaign.public_id)]
    assert body["audience"] == {
        "teams": [str(cast.acme_sales.public_id)],
        "locations": [],
        "languages": ["da"],
    }
    assert [caption["text"] for caption in body["captions"]] == [
        "We are hiring!",
        "Come and work with me.",
    ]
    from content.models import ContentItem

    item = ContentItem.all_tenants.get(public_id=body["id"])
    assert item.created_by == cast.carol
    assert list(item.campaigns.through.all_tenants.values_list("campaign", flat=True)) == [
        campaign.pk
    ]

    # A change names what it changes; the captions it sends replace the item's.
    changed = carol.patch(f"content-items/{item.public_id}", {"captions": ["Only this one."]})
    assert changed.status_code == 200
    assert [caption["text"] for caption in changed.json()["captions"]] == ["Only this one."]
    assert changed.json()["topics"] == body["topics"]
    assert changed.json()["campaigns"] == [str(campaign.public_id)]


def test_employees_see_the_items_they_may_share_and_comms_the_whole_library(cast: Cast):
    mine = ContentItemFactory(organization=cast.acme, title="For everyone")
    draft = ContentItemFactory(organization=cast.acme, title="A draft", status="draft")
    elsewhere = ContentItemFactory(organization=cast.acme, title="For Aarhus")
    elsewhere.locations = ["Aarhus"]
    elsewhere.save()
    emma = api_for(cast.emma, cast.acme)
    titles = [row["title"] for row in emma.get("content-items").json()["results"]]
    assert titles == ["For everyone"]
    assert emma.get(f"content-items/{draft.public_id}").status_code == 404
    carol = api_for(cast.carol, cast.acme)
    every = {row["title"] for row in carol.get("content-items").json()["results"]}
    assert every == {"For everyone", "A draft", "For Aarhus"}
    archived = carol.post(f"content-items/{mine.public_id}/archive")
    assert archived.json()["status"] == "archived"
    assert emma.get(f"content-items/{mine.public_id}").status_code == 404


def test_item_filters_and_orderings(cast: Cast):
    campaign = CampaignFactory(organization=cast.acme)
    job = ContentItemFactory(organization=cast.acme, title="Beta job", kind="job")
    ContentItemFactory(organization=cast.acme, title="Alpha news", is_company_content=False)
    job.campaigns.through.all_tenants.create(
        organization=cast.acme, campaign=campaign, content_item=job
    )
    carol = api_for(cast.carol, cast.acme)

    def titles(**params: Any) -> list[str]:
        response = carol.get("content-items", params)
        assert response.status_code == 200, response.json()
        return [row["title"] for row in response.json()["results"]]

    assert titles(kind="job") == ["Beta job"]
    assert titles(company="false") == ["Alpha news"]
    assert titles(campaign=str(campaign.public_id)) == ["Beta job"]
    assert titles(q="alpha") == ["Alpha news"]
    assert titles(ordering="title") == ["Alpha news", "Beta job"]
    assert titles(ordering="-title") == ["Beta job", "Alpha news"]
    assert titles(topic="Nothing like it") == []


def test_the_item_list_reads_a_fixed_number_of_queries(cast: Cast, django_assert_num_queries):
    carol = api_for(cast.carol, cast.acme)
    carol.get("content-items")  # the token's first use writes last_used_at

    def add(count: int) -> None:
        for _ in range(count):
            item = ContentItemFactory(organization=cast.acme)
            CaptionFactory(content_item=item)

    add(2)
    # The token; the page; its captions, topics, campaigns and audience teams.
    with django_assert_num_queries(6) as first:
        assert len(carol.get("content-items").json()["results"]) == 2
    add(5)
    with django_assert_num_queries(len(first.captured_queries)):
        assert len(carol.get("content-items").json()["results"]) == 7


# Posts -----------------------------------------------------------------------------------


def test_the_post_list_reads_a_fixed_number_of_queries(cast: Cast, django_assert_num_queries):
    carol = api_for(cast.carol, cast.acme)
    carol.get("posts")  # the token's first use writes last_used_at
    campaign = CampaignFactory(organization=cast.acme)

    def add(count: int) -> None:
        for _ in range(count):
            PostFactory(author=cast.membership(cast.emma, cast.acme), campaign=campaign)

    add(2)
    # The token; the page with its authors, items, captions and campaigns.
    with django_assert_num_queries(2):
        assert len(carol.get("posts").json()["results"]) == 2
    add(6)
    with django_assert_num_queries(2):
        assert len(carol.get("posts").json()["results"]) == 8


def test_an_employee_shares_an_item_in_her_own_words(cast: Cast):
    campaign = CampaignFactory(organization=cast.acme)
    item = ContentItemFactory(organization=cast.acme)
    item.campaigns.through.all_tenants.create(
        organization=cast.acme, campaign=campaign, content_item=item
    )
    caption = CaptionFactory(content_item=item, text="Their words")
    emma = api_for(cast.emma, cast.acme)
    response = emma.post(
        "posts",
        {
            "content_item": str(item.public_id),
            "caption": str(caption.public_id),
            "text": "My words, not theirs.",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert body["author"]["id"] == str(cast.membership(cast.emma, cast.acme).public_id)
    assert (body["content_item"], body["caption"], body["campaign"]) == (
        str(item.public_id),
        str(caption.public_id),
        str(campaign.public_id),
    )
    assert body["link_url"] == item.url

    later = timezone.now() + dt.timedelta(days=1)
    scheduled = emma.post(f"posts/{body['id']}/schedule", {"scheduled_for": later.isoformat()})
    assert scheduled.status_code == 200, scheduled.json()
    assert scheduled.json()["status"] == "scheduled"
    assert dt.datetime.fromisoformat(scheduled.json()["scheduled_for"]) == later
    # Changing its words keeps it scheduled.
    edited = emma.patch(f"posts/{body['id']}", {"text": "My words, better."})
    assert (edited.json()["status"], edited.json()["text"]) == ("scheduled", "My words, better.")
    cancelled = emma.post(f"posts/{body['id']}/cancel")
    assert cancelled.json()["status"] == "draft"
    again = emma.post(f"posts/{body['id']}/cancel")
    assert again.status_code == 409
    assert error_of(again)["code"] == "not_cancellable"
    assert emma.delete(f"posts/{body['id']}").status_code == 204
    assert not Post.all_tenants.filter(public_id=body["id"]).exists()


def test_the_same_idempotency_key_makes_one_post(cast: Cast):
    emma = api_for(cast.emma, cast.acme)
    body = {"text": "Only once, please.", "idempotency_key": "8a6c1f4e-3f0e-4b7e-9a55-2d8f1b7e6c90"}
    first = emma.post("posts", body)
    second = emma.post("posts", body)
    assert first.json()["id"] == second.json()["id"]
    assert Post.all_tenants.filter(organization=cast.acme).count() == 1


def test_comms_read_published_posts_and_never_change_them(cast: Cast):
    emma_published = PostFactory(author=cast.membership(cast.emma, cast.acme))
    emma_draft = own_post(cast, cast.emma, text="Not ready")
    carol = api_for(cast.carol, cast.acme)
    seen = {row["id"] for row in carol.get("posts").json()["results"]}
    assert seen == {str(emma_published.public_id)}
    assert carol.get(f"posts/{emma_draft.public_id}").status_code == 404
    refused = carol.patch(f"posts/{emma_published.public_id}", {"text": "Corrected by comms"})
    assert refused.status_code == 403
    assert error_of(refused) == {
        "code": "permission_denied",
        "message": "Only the author can change this post.",
    }
    for action in ("cancel", "schedule"):
        assert (
            carol.post(
                f"posts/{emma_published.public_id}/{action}",
                {"scheduled_for": timezone.now().isoformat()} if action == "schedule" else None,
            ).status_code
            == 403
        )
    assert carol.delete(f"posts/{emma_published.public_id}").status_code == 403
    emma_published.refresh_from_db()
    assert emma_published.text.startswith("My take on this")
    assert emma_published.status == Post.Status.PUBLISHED
    # Leaders and employees see their own posts only.
    assert api_for(cast.leo, cast.acme).get("posts").json()["results"] == []
    mine = api_for(cast.emma, cast.acme).get("posts", {"mine": "true"}).json()["results"]
    assert {row["id"] for row in mine} == {str(emma_published.public_id), str(emma_draft.public_id)}


def test_a_share_needs_an_item_the_member_may_share_and_one_of_its_captions(cast: Cast):
    aarhus = ContentItemFactory(organization=cast.acme)
    aarhus.locations = ["Aarhus"]
    aarhus.save()
    item = ContentItemFactory(organization=cast.acme)
    other_caption = CaptionFactory(content_item=ContentItemFactory(organization=cast.acme))
    emma = api_for(cast.emma, cast.acme)
    cases = [
        ({"content_item": str(aarhus.public_id)}, "content_item"),
        ({"content_item": str(item.public_id), "caption": str(other_caption.public_id)}, "caption"),
        ({"content_item": str(item.public_id), "link_url": "https://example.com/x"}, "link_url"),
        ({"scheduled_for": "2020-01-01T10:00:00Z", "intent": "schedule"}, "scheduled_for"),
        ({"text": "   "}, "text"),
    ]
    for extra, field in cases:
        response = emma.post("posts", {"text": "Words", **extra})
        assert response.status_code == 400, (extra, response.json())
        assert field in error_of(response)["fields"], (extra, response.json())
    assert not Post.all_tenants.exists()


# Campaigns -------------------------------------------------------------------------------


def test_comms_run_a_campaign_and_follow_its_progress(cast: Cast):
    carol = api_for(cast.carol, cast.acme)
    created = carol.post(
        "campaigns",
        {
            "name": "Autumn hiring",
            "status": "live",
            "starts_on": "2026-10-01",
            "ends_on": "2026-11-30",
            "hashtags": ["hiring", "#nordiclife"],
            "targets": {"shares": 4, "clicks": 10},
            "audience": {"locations": ["Aarhus"]},
        },
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["hashtags"] == ["#hiring", "#nordiclife"]
    assert body["targets"] == {"shares": 4, "reach": None, "clicks": 10}
    campaign = Campaign.all_tenants.get(public_id=body["id"])
    item = ContentItemFactory(organization=cast.acme, title="The job")
    PostFactory(
        author=cast.membership(cast.emma, cast.acme),
        content_item=item,
        campaign=campaign,
        impressions=300,
    )
    link = TrackedLinkFactory(
        post=PostFactory(
            author=cast.membership(cast.carol, cast.acme), content_item=item, campaign=campaign
        )
    )
    ClickFactory(link=link)
    ClickFactory(link=link, is_bot=True)
    progress = carol.get(f"campaigns/{campaign.public_id}/progress").json()
    assert progress["shares"] == {"value": 2, "target": 4, "percent": 50.0}
    assert progress["clicks"] == {"value": 1, "target": 10, "percent": 10.0}
    assert progress["reach"]["value"] == 300
    assert {row["name"] for row in progress["participants"]} == {"Emma", "Carol"}
    # Employees outside the audience do not see it; inside, they do.
    emma = api_for(cast.emma, cast.acme)
    assert emma.get(f"campaigns/{campaign.public_id}").status_code == 404
    Membership.all_tenants.filter(organization=cast.acme, user=cast.emma).update(location="Aarhus")
    assert emma.get(f"campaigns/{campaign.public_id}").status_code == 200
    changed = carol.patch(f"campaigns/{campaign.public_id}", {"status": "ended"})
    assert changed.json()["status"] == "ended"
    assert changed.json()["audience"]["locations"] == ["Aarhus"]


# Members and teams -----------------------------------------------------------------------


def test_admins_change_members_and_the_last_admin_stays(cast: Cast):
    alice = api_for(cast.alice, cast.acme)
    emma_id = cast.membership(cast.emma, cast.acme).public_id
    changed = alice.patch(f"members/{emma_id}", {"role": "comms", "team": None, "title": "Writer"})
    assert changed.status_code == 200
    assert (changed.json()["role"], changed.json()["team"], changed.json()["title"]) == (
        "comms",
        None,
        "Writer",
    )
    listed = alice.get("members", {"role": "admin"}).json()["results"]
    assert [row["user"]["email"] for row in listed] == [cast.alice.email]
    alice_id = cast.membership(cast.alice, cast.acme).public_id
    refused = alice.patch(f"members/{alice_id}", {"role": "employee"})
    assert refused.status_code == 400
    assert error_of(refused)["code"] == "last_admin"
    assert cast.membership(cast.alice, cast.acme).role == "admin"
    deactivated = alice.post(f"members/{emma_id}/deactivate")
    assert deactivated.json()["is_active"] is False
    assert alice.get("members", {"active": "false"}).json()["results"][0]["id"] == str(emma_id)


def test_team_names_are_unique_whatever_their_case(cast: Cast):
    alice = api_for(cast.alice, cast.acme)
    refused = alice.post("teams", {"name": "SALES"})
    assert refused.status_code == 400
    assert "name" in error_of(refused)["fields"]
    created = alice.post("teams", {"name": "Marketing"})
    assert created.status_code == 201
    assert created.json()["member_count"] == 0
    sales = alice.get(f"teams/{cast.acme_sales.public_id}").json()
    assert sales == {
        "id": str(cast.acme_sales.public_id),
        "name": "Sales",
        "member_count": 1,
        "created_at": sales["created_at"],
    }


# Reports, goals and clicks ---------------------------------------------------------------


def test_reports_read_the_rollups(cast: Cast):
    from analytics.growth import growth_report

    days = [dt.date(2026, 10, 1), dt.date(2026, 10, 2)]
    for number, day in enumerate(days):
        OrganizationDay.all_tenants.create(
            organization=cast.acme, day=day, company_followers=1000 + number,
            employee_followers=500, employees_with_followers=2, posts=2, company_posts=1,
            impressions=100, reactions=4, comments=1, posts_with_figures=2, clicks=3,
            unique_clicks=2,
        )  # fmt: skip
        TeamDay.all_tenants.create(
            organization=cast.acme, team=cast.acme_sales, day=day, posts=1, impressions=40,
            posts_with_figures=1, clicks=1, unique_clicks=1,
        )  # fmt: skip
    campaign = CampaignFactory(organization=cast.acme, target_shares=10)
    CampaignDay.all_tenants.create(organization=cast.acme, campaign=campaign, day=days[0], posts=3)
    leo = api_for(cast.leo, cast.acme)

    growth = leo.get("reports/growth", RANGE)
    assert (
        growth.json()
        == growth_report(cast.acme, dt.date(2026, 10, 1), dt.date(2026, 10, 31)).as_json()
    )
    series = leo.get("reports/timeseries", RANGE).json()
    assert [row["day"] for row in series["days"]] == ["2026-10-01", "2026-10-02"]
    assert series["days"][1] == {
        "day": "2026-10-02", "company_followers": 1001, "employee_followers": 500,
        "employees_with_followers": 2, "posts": 2, "company_posts": 1, "impressions": 100,
        "members_reached": 0, "engagements": 5, "clicks": 3, "unique_clicks": 2,
    }  # fmt: skip
    mix = leo.get("reports/mix", RANGE).json()
    assert (mix["posts"], mix["company_posts"], mix["company_content_pct"], mix["target_pct"]) == (
        4,
        2,
        50.0,
        20,
    )
    teams_report = leo.get("reports/teams", RANGE).json()["teams"]
    assert teams_report == [
        {"id": str(cast.acme_sales.public_id), "name": "Sales", "posts": 2, "company_posts": 0,
         "impressions": 80, "members_reached": 0, "engagements": 0, "clicks": 2,
         "unique_clicks": 2},
    ]  # fmt: skip
    campaigns_report = leo.get("reports/campaigns", RANGE).json()["campaigns"]
    assert [
        (row["name"], row["posts"], row["impressions"], row["target_shares"])
        for row in campaigns_report
    ] == [(campaign.name, 3, None, 10)]


def test_goals_come_with_their_progress(cast: Cast):
    from advocacy.program.goals import progress_of

    goal = GoalFactory(organization=cast.acme, metric="clicks", target=10)
    body = api_for(cast.emma, cast.acme).get(f"goals/{goal.public_id}").json()
    expected = progress_of(goal, cast.acme)
    assert body["metric"] == "clicks"
    assert body["target"] == "10.0"
    assert body["progress"]["value"] == expected.value
    assert body["progress"]["elapsed_pct"] == expected.elapsed_pct
    assert body["progress"]["through"] == expected.through.isoformat()
    listed = api_for(cast.emma, cast.acme).get("goals", {"finished": "false"}).json()["results"]
    assert [row["id"] for row in listed] == [str(goal.public_id)]


def test_link_clicks_count_people_not_bots(cast: Cast):
    emma_link = TrackedLinkFactory(post=PostFactory(author=cast.membership(cast.emma, cast.acme)))
    carol_link = TrackedLinkFactory(post=PostFactory(author=cast.membership(cast.carol, cast.acme)))
    now = timezone.now()
    for visitor in ("a", "a", "b"):
        ClickFactory(link=emma_link, visitor_hash=visitor * 32, clicked_at=now)
    ClickFactory(link=emma_link, is_bot=True, clicked_at=now)
    ClickFactory(link=emma_link, clicked_at=now - dt.timedelta(days=40))
    ClickFactory(link=carol_link, clicked_at=now)
    emma = api_for(cast.emma, cast.acme)
    since = (timezone.localdate() - dt.timedelta(days=7)).isoformat()
    rows = emma.get("link-clicks", {"since": since}).json()["results"]
    assert [(row["post"], row["clicks"], row["unique_clicks"]) for row in rows] == [
        (str(emma_link.post.public_id), 3, 2)
    ]
    assert emma.get("link-clicks").json()["results"][0]["clicks"] == 4
    carol = api_for(cast.carol, cast.acme)
    everyone = carol.get("link-clicks", {"since": since}).json()["results"]
    assert [row["clicks"] for row in everyone] == [3, 1]


def test_pages_follow_each_other_without_gaps_or_repeats(cast: Cast):
    for number in range(7):
        TeamFactory(organization=cast.acme, name=f"Team {number:02d}")
    alice = api_for(cast.alice, cast.acme)
    names: list[str] = []
    page = alice.get("teams", {"page_size": 3}).json()
    while True:
        names += [row["name"] for row in page["results"]]
        if not page["next"]:
            break
        page = alice.client.get(page["next"]).json()
    assert names == ["Sales", *(f"Team {number:02d}" for number in range(7))]
    back = alice.client.get(page["previous"]).json()
    assert [row["name"] for row in back["results"]] == ["Team 02", "Team 03", "Team 04"]
