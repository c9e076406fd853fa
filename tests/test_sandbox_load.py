"""`sandbox_load`, `sandbox_state` and the demo scenario: validation that names the problem
and changes nothing, reloads that keep live tokens, --create-members, and seed_demo."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from advocacy.accounts.models import User
from advocacy.linkedin.models import Connection, PageConnection
from advocacy.sandbox.models import AccessToken, App, Member, Page, Post
from advocacy.sandbox.scenario import DEMO_SCENARIO, read_scenario_file
from advocacy.sandbox.simulation import Series
from advocacy.tenancy.models import Membership, Team
from content.models import Post as PlatformPost

from .factories import MembershipFactory, OrganizationFactory, TeamFactory, UserFactory
from .test_sandbox_support import SCENARIO, scenario

pytestmark = pytest.mark.django_db


def write(tmp_path: Path, data: Any, name: str = "scenario.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def load(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("sandbox_load", str(path), *args, stdout=out)
    return out.getvalue()


def test_loading_replaces_the_state(tmp_path: Path):
    output = load(write(tmp_path, SCENARIO))
    assert "Loaded 'test'" in output
    app = App.objects.get()
    assert (app.today, app.seed, app.scenario_name) == (date(2026, 11, 23), 7, "test")
    assert list(Member.objects.values_list("sub", flat=True)) == ["m-ann", "m-bo"]
    assert Page.objects.get().admins.get().sub == "m-ann"
    assert set(Post.objects.values_list("urn", flat=True)) == {
        "urn:li:share:7301",
        "urn:li:ugcPost:7302",
        "urn:li:share:7401",
    }
    smaller = scenario(members=[SCENARIO["members"][0]], posts=[], pages=[])
    load(write(tmp_path, smaller))
    assert list(Member.objects.values_list("sub", flat=True)) == ["m-ann"]
    assert not Post.objects.exists()
    assert not Page.objects.exists()


def test_a_reload_keeps_the_tokens_of_members_who_stay(tmp_path: Path):
    from advocacy.sandbox.services import mint_tokens

    load(write(tmp_path, SCENARIO))
    now = timezone.now()
    for sub in ("m-ann", "m-bo"):
        mint_tokens(
            member=Member.objects.get(sub=sub),
            scopes=["openid"],
            client_id="c",
            now=now,
            with_refresh=False,
        )
    load(write(tmp_path, scenario(members=[SCENARIO["members"][0]], posts=[], pages=[])))
    assert list(AccessToken.objects.values_list("member__sub", flat=True)) == ["m-ann"]


def test_today_moves_every_date(tmp_path: Path):
    load(write(tmp_path, SCENARIO), "--today", "2026-12-03")
    assert App.objects.get().today == date(2026, 12, 3)
    ann = Member.objects.get(sub="m-ann")
    assert ann.followers == {"2026-01-11": 500, "2026-02-11": 540, "2026-04-10": 605}
    post = Post.objects.get(number=7301)
    assert post.created_at.isoformat() == "2026-01-15T09:00:00+00:00"
    assert set(post.metrics) == {"2026-01-16", "2026-01-20"}
    load(write(tmp_path, SCENARIO), "--today", "now")
    assert App.objects.get().today == timezone.now().date()


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"surprise": 1}, "scenario: unknown key 'surprise'"),
        ({"today": "2026-02-30"}, "today: '2026-02-30' is not a date"),
        ({"today": "31/03/2026"}, "today: '31/03/2026' is not a date"),
        ({"seed": "seven"}, "seed: expected a whole number"),
        (
            {"app": {"scopes": ["openid", "w_everything"]}},
            "app.scopes: unknown scope 'w_everything'",
        ),
        ({"app": {"refresh": True}}, "app: unknown key 'refresh'"),
        (
            {"members": [{**SCENARIO["members"][0], "nickname": "A"}]},
            "members[0]: unknown key 'nickname'",
        ),
        (
            {"members": [{**SCENARIO["members"][0], "followers": {"2026-01-01": -5}}]},
            "members[0].followers['2026-01-01']: -5 is negative",
        ),
        (
            {"members": [{**SCENARIO["members"][0], "followers": {"2026-13-01": 5}}]},
            "members[0].followers['2026-13-01']: '2026-13-01' is not a date",
        ),
        ({"members": [{**SCENARIO["members"][0], "followers": {"2027-01-01": 5}}]}, "after today"),
        (
            {"members": [SCENARIO["members"][0], SCENARIO["members"][0]]},
            "members[1].sub: 'm-ann' appears twice",
        ),
        (
            {"members": [{"sub": "x", "given_name": "X", "family_name": "Y"}]},
            "members[0]: 'email' is required",
        ),
        (
            {"pages": [{**SCENARIO["pages"][0], "followers": {"2026-01-01": 1.5}}]},
            "pages[0].followers['2026-01-01']: expected a whole number",
        ),
        (
            {"pages": [{**SCENARIO["pages"][0], "admins": ["m-nobody"]}]},
            "pages[0].admins[0]: no member has sub 'm-nobody'",
        ),
        (
            {"posts": [{**SCENARIO["posts"][0], "author": "m-nobody"}]},
            "posts[0].author: 'm-nobody' is neither",
        ),
        (
            {"posts": [{**SCENARIO["posts"][0], "published": "2026-01-05 09:00"}]},
            "posts[0].published",
        ),
        (
            {"posts": [{**SCENARIO["posts"][0], "metrics": {"2026-01-06": {"impressions": -1}}}]},
            "posts[0].metrics['2026-01-06'].impressions: -1 is negative",
        ),
        (
            {"posts": [{**SCENARIO["posts"][0], "metrics": {"2026-01-06": {"views": 1}}}]},
            "posts[0].metrics['2026-01-06']: unknown key 'views'",
        ),
        (
            {"posts": [{**SCENARIO["posts"][0], "metrics": {"2026-01-01": {"impressions": 1}}}]},
            "outside 2026-01-05..2026-11-23",
        ),
        (
            {"faults": [{"endpoint": "posts.publish", "status": 500}]},
            "faults[0].endpoint: unknown endpoint 'posts.publish'",
        ),
        (
            {"faults": [{"endpoint": "*", "status": 200}]},
            "faults[0].status: 200 is not an HTTP error status",
        ),
        (
            {"faults": [{"endpoint": "*", "status": 429, "every": 2, "rate": 0.5}]},
            "either every or rate",
        ),
        (
            {"faults": [{"endpoint": "*", "status": 500, "rate": 1.5}]},
            "faults[0].rate: 1.5 is not a probability",
        ),
        ({"faults": [{"endpoint": "*", "retry_after": 3}]}, "need a status"),
        ({"faults": [{"endpoint": "*", "latency_ms": -1}]}, "faults[0].latency_ms: -1 is negative"),
        (
            {"faults": [{"endpoint": "*", "revoke_token_of": "m-nobody"}]},
            "no member has sub 'm-nobody'",
        ),
        ({"faults": [{"endpoint": "*"}]}, "a fault needs a status"),
        (
            {"faults": [{"endpoint": "*", "status": 500, "colour": "red"}]},
            "faults[0]: unknown key 'colour'",
        ),
    ],
)
def test_a_bad_scenario_names_the_problem_and_changes_nothing(
    tmp_path: Path, change: dict[str, Any], problem: str
):
    load(write(tmp_path, SCENARIO, "good.json"))
    before = (
        list(App.objects.values()),
        list(Member.objects.values()),
        list(Post.objects.values_list("urn", flat=True)),
    )
    with pytest.raises(CommandError, match="The scenario is not valid") as raised:
        load(write(tmp_path, scenario(**change), "bad.json"))
    assert problem in str(raised.value)
    after = (
        list(App.objects.values()),
        list(Member.objects.values()),
        list(Post.objects.values_list("urn", flat=True)),
    )
    assert after == before


def test_unreadable_files_are_command_errors(tmp_path: Path):
    with pytest.raises(CommandError, match="not valid JSON"):
        load(write(tmp_path, "{not json"))
    with pytest.raises(CommandError, match="cannot read"):
        load(tmp_path / "missing.json")
    with pytest.raises(CommandError, match="needs --organization"):
        load(write(tmp_path, SCENARIO), "--create-members")
    with pytest.raises(CommandError, match="No organization"):
        load(write(tmp_path, SCENARIO), "--organization", "nowhere", "--create-members")


# --create-members ---------------------------------------------------------------------------


def platform_rows(organization: Any) -> dict[str, Any]:
    rows: dict[str, Any] = {
        "users": list(User.objects.order_by("pk").values("pk", "email", "name", "password")),
        "memberships": list(
            Membership.objects.for_org(organization)
            .order_by("pk")
            .values("pk", "user_id", "team_id", "role", "opted_in_at")
        ),
        "teams": list(Team.objects.for_org(organization).order_by("pk").values("pk", "name")),
        "sandbox_tokens": list(AccessToken.objects.order_by("pk").values_list("token", flat=True)),
        "connections": list(
            Connection.objects.order_by("pk").values("pk", "sub", "access_token_encrypted")
        ),
        "pages": list(
            PageConnection.all_tenants.filter(organization=organization).values(
                "pk", "page_urn", "access_token_encrypted"
            )
        ),
        "posts": list(
            PlatformPost.all_tenants.filter(organization=organization)
            .order_by("pk")
            .values("pk", "linkedin_urn", "author_id", "published_at")
        ),
    }
    return rows


def test_create_members_makes_users_memberships_and_teams(tmp_path: Path):
    acme = OrganizationFactory(slug="acme")
    sales = TeamFactory(organization=acme, name="sales")
    ann = UserFactory(email="ann@acme.example", name="Ann B.")
    MembershipFactory(organization=acme, user=ann, opted_in_at=None)
    output = load(write(tmp_path, SCENARIO), "--organization", "acme", "--create-members")
    assert "1 users and 1 memberships created" in output
    memberships = Membership.objects.for_org(acme).select_related("user", "team")
    by_email = {m.user.email: m for m in memberships}
    assert by_email["ann@acme.example"].team == sales  # matched case-insensitively
    assert by_email["ann@acme.example"].opted_in_at is not None
    assert by_email["ann@acme.example"].user.name == "Ann B."  # an existing user keeps their name
    bo = by_email["bo@acme.example"]
    assert (bo.user.name, bo.team.name, bo.role) == (
        "Bo Holm",
        "Engineering",
        Membership.Role.EMPLOYEE,
    )
    assert bo.opted_in_at is not None
    assert not bo.user.has_usable_password()
    assert bo.user.emailaddress_set.get().verified


def test_create_members_twice_changes_nothing(tmp_path: Path):
    acme = OrganizationFactory(slug="acme")
    path = write(tmp_path, SCENARIO)
    load(path, "--organization", "acme", "--create-members")
    first = platform_rows(acme)
    output = load(path, "--organization", "acme", "--create-members")
    assert (
        "0 users and 0 memberships created, 0 LinkedIn connections made, 0 posts recorded."
        in output
    )
    assert platform_rows(acme) == first


def test_create_members_connects_members_and_the_page(tmp_path: Path):

    acme = OrganizationFactory(slug="acme")
    output = load(write(tmp_path, SCENARIO), "--organization", "acme", "--create-members")
    assert (
        "2 LinkedIn connections made, 2 posts recorded, "
        "company page urn:li:organization:2414183 connected"
    ) in output
    for sub in ("m-ann", "m-bo"):
        connection = Connection.objects.get(sub=sub)
        token = AccessToken.objects.get(token=connection.access_token)
        assert token.member.sub == sub
        assert token.revoked_at is None
        assert connection.refresh_token  # the default app has refresh tokens
        assert set(connection.scopes) == {
            "openid",
            "profile",
            "email",
            "w_member_social",
            "r_member_postAnalytics",
            "r_member_profileAnalytics",
        }
    # Ann's scenario posts are hers on the platform too; the page's own post is nobody's.
    posts = {
        post.linkedin_urn: post
        for post in PlatformPost.all_tenants.filter(organization=acme).select_related(
            "author__user"
        )
    }
    assert set(posts) == {"urn:li:share:7301", "urn:li:ugcPost:7302"}
    fair = posts["urn:li:share:7301"]
    assert fair.author.user.email == "ann@acme.example"
    assert (fair.status, fair.text, fair.link_url) == (
        "published",
        "What we learned at the fair",
        "https://acme.example/blog/fair",
    )
    assert fair.published_at == datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    assert fair.is_company_content
    assert not posts["urn:li:ugcPost:7302"].is_company_content
    page = PageConnection.all_tenants.get(organization=acme)
    assert page.page_urn == "urn:li:organization:2414183"
    assert page.connected_by.email == "ann@acme.example"
    assert AccessToken.objects.get(token=page.access_token).scopes == sorted(
        ["openid", "profile", "rw_organization_admin", "r_organization_social"]
    )


def test_create_members_grants_only_what_the_app_holds(tmp_path: Path):

    OrganizationFactory(slug="acme")
    self_serve = scenario(
        app={"scopes": ["openid", "profile", "email", "w_member_social"], "refresh_tokens": False}
    )
    load(write(tmp_path, self_serve), "--organization", "acme", "--create-members")
    connection = Connection.objects.get(sub="m-ann")
    assert set(connection.scopes) == {"openid", "profile", "email", "w_member_social"}
    assert not connection.refresh_token


def test_a_revoked_connection_is_made_again(tmp_path: Path):

    OrganizationFactory(slug="acme")
    path = write(tmp_path, SCENARIO)
    load(path, "--organization", "acme", "--create-members")
    old = Connection.objects.get(sub="m-bo").access_token
    AccessToken.objects.filter(token=old).update(revoked_at=timezone.now())
    output = load(path, "--organization", "acme", "--create-members")
    assert "1 LinkedIn connections made" in output
    assert Connection.objects.get(sub="m-bo").access_token != old


# The demo -----------------------------------------------------------------------------------


def test_the_demo_scenario_is_valid_and_tells_the_source_case():
    demo = read_scenario_file(DEMO_SCENARIO)
    assert demo.pages[0]["name"] == "Nordlys Consulting A/S"
    page = Series.from_json(demo.pages[0]["followers"])
    first_day = min(date.fromisoformat(day) for day in demo.pages[0]["followers"])
    assert demo.today - first_day >= timedelta(days=260)  # about nine months
    page_growth = (page.on(demo.today) - page.on(first_day)) / page.on(first_day) * 100
    assert 13.5 <= page_growth <= 14.5
    growths = []
    for member in demo.members:
        history = Series.from_json(member["followers"])
        growths.append(
            (history.on(demo.today) - history.on(first_day)) / history.on(first_day) * 100
        )
    assert 20 <= sum(growths) / len(growths) <= 22
    assert len(demo.posts) >= 10
    assert any(post["company_content"] for post in demo.posts)
    assert all(post["metrics"] for post in demo.posts)


def test_seed_demo_loads_the_demo_ending_today_and_stays_idempotent():
    call_command("seed_demo", stdout=StringIO())
    app = App.objects.get()
    assert app.scenario_name == "demo"
    assert app.today == timezone.now().date()
    demo_emails = {m.email for m in Member.objects.all()}
    organization = (
        Membership.all_tenants.filter(user__email="leader@demo.example").get().organization
    )
    participants = Membership.objects.for_org(organization).filter(user__email__in=demo_emails)
    assert participants.count() == len(demo_emails) == 6
    assert all(m.opted_in_at for m in participants)
    tokens = list(AccessToken.objects.order_by("pk").values_list("token", flat=True))
    assert AccessToken.objects.access().count() == 7  # six members and the page
    call_command("seed_demo", stdout=StringIO())
    assert list(AccessToken.objects.order_by("pk").values_list("token", flat=True)) == tokens
    assert App.objects.get().loaded_at == app.loaded_at


def test_seed_demo_leaves_a_scenario_loaded_on_purpose_alone(tmp_path: Path):
    load(write(tmp_path, SCENARIO))
    call_command("seed_demo", stdout=StringIO())
    assert App.objects.get().scenario_name == "test"
    assert not AccessToken.objects.exists()


def test_sandbox_state_summarises(tmp_path: Path):
    load(
        write(tmp_path, scenario(faults=[{"endpoint": "posts.create", "status": 429, "every": 5}]))
    )
    out = StringIO()
    call_command("sandbox_state", stdout=out)
    text = out.getvalue()
    assert "Scenario test: today 2026-11-23, seed 7" in text
    assert "m-ann" in text
    assert "Ann Berg" in text
    assert "urn:li:organization:2414183" in text
    assert "'endpoint': 'posts.create'" in text
