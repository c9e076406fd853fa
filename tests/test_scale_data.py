"""The benchmark data set (`manage.py generate_scale_data`, advocacy/demo/scale.py).

A tiny run (3 organizations, 12 members in the large one, 20 days, 60 posts) is checked for
its counts, for every row staying inside its organization, for LinkedIn's side matching the
platform's, for determinism, for refusing a second run, for bad input and for rollups equal
to what analytics.rollups computes. The last tests run the real collection and publishing
against the sandbox on the live server, over HTTP, for the generated members.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import zoneinfo
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import F, Model
from django.utils import timezone

from advocacy.accounts.models import User
from advocacy.linkedin import crypto
from advocacy.linkedin.models import Connection, PageConnection
from advocacy.sandbox import models as sandbox
from advocacy.sandbox.application import current_app
from advocacy.sandbox.simulation import Series, Simulation
from advocacy.tenancy.models import Membership, Organization, Role, Team
from analytics import collection
from analytics.models import (
    CampaignDay,
    MemberFollowers,
    OrganizationDay,
    PageFollowers,
    PostMetrics,
    TeamDay,
)
from analytics.rollups import recompute_range
from campaigns.models import Campaign
from content.models import CampaignItem, Caption, Click, ContentItem, ItemTopic, Post, TrackedLink

from .publishing_support import due_now, run_publisher, use_live_sandbox

TINY = ["--organizations", "3", "--members", "12", "--days", "20", "--posts", "60"]
PASSWORD = "scale-password-2026"
DAYS = 20


def generate(*extra: str) -> str:
    out = io.StringIO()
    call_command("generate_scale_data", *TINY, *extra, stdout=out)
    return out.getvalue()


def table_counts() -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


def today() -> date:
    return timezone.localdate(timezone.now(), zoneinfo.ZoneInfo("Europe/Copenhagen"))


def large() -> Organization:
    return Organization.objects.get(slug="scale-large")


@pytest.fixture
def generated(db: None) -> str:
    return generate()


def test_the_tiny_run_makes_the_promised_shape(generated: str):
    assert sorted(Organization.objects.values_list("slug", flat=True)) == [
        "scale-01",
        "scale-02",
        "scale-large",
    ]
    organization = large()
    assert organization.name == "Nordlys Energi A/S"
    assert organization.time_zone == "Europe/Copenhagen"
    # 12 members in the large tenant, max(3, 12 // 100) = 3 in each small one.
    assert Membership.objects.for_org(organization).count() == 12
    assert Membership.all_tenants.count() == User.objects.count() == 18
    assert EmailAddress.objects.filter(verified=True, primary=True).count() == 18
    assert Post.all_tenants.count() == 60
    # About 80 % of the posts in the large tenant.
    assert Post.objects.for_org(organization).count() == 48
    assert Team.objects.for_org(organization).count() == 2
    assert Team.all_tenants.exclude(organization=organization).count() == 6
    roles = dict(Membership.objects.for_org(organization).values_list("user__email", "role"))
    assert roles["admin@scale-large.example"] == Role.ADMIN
    assert roles["comms@scale-large.example"] == Role.COMMS
    assert roles["employee@scale-large.example"] == Role.EMPLOYEE
    assert "m00011@scale-large.example" in roles
    assert User.objects.filter(email="m0002@scale-02.example").exists()
    # Every opted-in member is connected, on both sides, and nobody else.
    participants = Membership.all_tenants.filter(opted_in_at__isnull=False)
    assert Connection.objects.count() == participants.count() == sandbox.Member.objects.count()
    assert PageConnection.all_tenants.count() == 3
    assert PageFollowers.all_tenants.count() == 3 * DAYS
    assert OrganizationDay.all_tenants.count() == 3 * DAYS
    assert set(ContentItem.all_tenants.values_list("kind", flat=True)) == set(ContentItem.Kind)
    assert Caption.all_tenants.count() == 2 * ContentItem.all_tenants.count()
    assert ItemTopic.all_tenants.exists()
    assert CampaignItem.all_tenants.exists()
    assert Campaign.objects.for_org(organization).filter(status=Campaign.Status.LIVE).exists()
    statuses = set(Post.all_tenants.values_list("status", flat=True))
    assert {Post.Status.PUBLISHED, Post.Status.SCHEDULED, Post.Status.DRAFT} <= statuses
    assert PostMetrics.all_tenants.exists()
    assert Click.all_tenants.exists()
    assert "Scale data: 3 organizations, 18 members, 60 posts" in generated
    assert "employee@scale-large.example" in generated


def test_the_benchmark_employee_has_published_scheduled_and_draft_posts(generated: str):
    employee = Membership.objects.for_org(large()).get(user__email="employee@scale-large.example")
    assert employee.opted_in_at is not None
    assert Connection.objects.filter(user=employee.user).exists()
    posts = Post.objects.for_org(large()).filter(author=employee)
    # 48 posts in the large tenant: 48 // 8 published, a scheduled one and a draft.
    assert posts.filter(status=Post.Status.PUBLISHED).count() == 6
    assert posts.filter(status=Post.Status.SCHEDULED, scheduled_for__gt=timezone.now()).exists()
    assert posts.filter(status=Post.Status.DRAFT).exists()


def _foreign(model: type[Model], relation: str) -> int:
    """Rows of `model` whose `relation` belongs to another organization."""
    manager: Any = model.all_tenants  # type: ignore[attr-defined]
    return int(
        manager.filter(**{f"{relation}__isnull": False})
        .exclude(**{f"{relation}__organization_id": F("organization_id")})
        .count()
    )


@pytest.mark.parametrize(
    ("model", "relation"),
    [
        (Membership, "team"),
        (Caption, "content_item"),
        (ItemTopic, "content_item"),
        (ItemTopic, "topic"),
        (CampaignItem, "campaign"),
        (CampaignItem, "content_item"),
        (Post, "author"),
        (Post, "content_item"),
        (Post, "caption"),
        (Post, "campaign"),
        (TrackedLink, "post"),
        (Click, "link"),
        (Click, "post"),
        (MemberFollowers, "membership"),
        (PostMetrics, "post"),
        (TeamDay, "team"),
        (CampaignDay, "campaign"),
    ],
)
def test_every_row_stays_in_its_organization(generated: str, model: type[Model], relation: str):
    assert _foreign(model, relation) == 0


def test_posts_and_snapshots_agree_with_each_other(generated: str):
    # A caption belongs to the post's item; a click to its post's link.
    assert (
        Post.all_tenants.filter(caption__isnull=False)
        .exclude(caption__content_item=F("content_item"))
        .count()
        == 0
    )
    assert Click.all_tenants.exclude(link__post=F("post")).count() == 0
    # Snapshots are of participants and published posts, never after today.
    assert not MemberFollowers.all_tenants.filter(membership__opted_in_at__isnull=True).exists()
    assert not PostMetrics.all_tenants.exclude(post__published_at__isnull=False).exists()
    assert not MemberFollowers.all_tenants.filter(day__gt=today()).exists()
    assert not Click.all_tenants.filter(clicked_at__gt=timezone.now()).exists()
    # Published posts carry their latest figures; scheduled ones lie ahead.
    for post in Post.all_tenants.filter(status=Post.Status.PUBLISHED):
        latest = PostMetrics.all_tenants.filter(post=post).order_by("-day").first()
        assert latest is not None
        assert post.impressions == latest.impressions
        assert post.published_at is not None
        assert post.published_at < timezone.now()
    assert not Post.all_tenants.filter(
        status=Post.Status.SCHEDULED, scheduled_for__lte=timezone.now()
    ).exists()
    assert not Post.all_tenants.filter(status=Post.Status.FAILED, failure_reason="").exists()
    # A post with a link has a tracked link; the codes are unique.
    assert not Post.all_tenants.exclude(link_url="").filter(tracked_link__isnull=True).exists()
    codes = list(TrackedLink.all_tenants.values_list("code", flat=True))
    assert len(codes) == len(set(codes))
    assert all(len(code) == 12 for code in codes)


def test_every_post_on_linkedin_is_in_the_sandbox(generated: str):
    posts = Post.all_tenants.exclude(linkedin_urn="").select_related("author__user")
    assert posts.filter(status=Post.Status.PUBLISHED).exists()
    for post in posts:
        found = sandbox.Post.objects.select_related("member").get(urn=post.linkedin_urn)
        assert found.origin == sandbox.Post.Origin.API
        assert found.member is not None
        assert found.member.sub == Connection.objects.get(user=post.author.user).sub
        assert found.created_at == post.published_at
        assert found.commentary == post.text
    assert sandbox.Post.objects.count() == posts.count()


def test_every_connection_holds_a_live_sandbox_token_of_its_member(generated: str):
    now = timezone.now()
    for connection in Connection.objects.all():
        token = sandbox.AccessToken.objects.live(now).access().get(token=connection.access_token)
        assert token.member.sub == connection.sub
        assert connection.member_urn == f"urn:li:person:{connection.sub}"
        assert connection.sub.startswith("scale-")
        assert connection.status == Connection.Status.ACTIVE
        assert set(connection.scopes) <= set(token.scopes)
    for page in PageConnection.all_tenants.select_related("organization", "connected_by"):
        token = sandbox.AccessToken.objects.live(now).get(
            token=crypto.decrypt(page.access_token_encrypted)
        )
        assert token.provisioned_as == "page"
        found = sandbox.Page.objects.get(page_id=page.page_id)
        assert page.organization.linkedin_page_urn == page.page_urn
        assert found.admins.filter(pk=token.member_id).exists()
        assert page.connected_by is not None
        assert Connection.objects.get(user=page.connected_by).sub == token.member.sub


@pytest.mark.parametrize(
    "email",
    [
        "admin@scale-large.example",
        "comms@scale-large.example",
        "employee@scale-large.example",
        "m00007@scale-large.example",
        "m0001@scale-01.example",
    ],
)
def test_the_logins_sign_in_with_the_password(generated: str, email: str):
    assert authenticate(username=email, password=PASSWORD) is not None
    assert authenticate(username=email, password="not-the-password") is None


def _digest() -> str:
    rows = [
        *Post.all_tenants.order_by("organization__slug", "created_at", "text").values_list(
            "organization__slug", "text", "status", "published_at", "impressions", "public_id"
        ),
        *MemberFollowers.all_tenants.order_by("membership__user__email", "day").values_list(
            "membership__user__email", "day", "followers"
        ),
        *Click.all_tenants.order_by("clicked_at", "visitor_hash").values_list(
            "clicked_at", "visitor_hash", "is_bot"
        ),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_the_same_seed_gives_the_same_data(generated: str):
    first = _digest()
    generate("--reset")
    assert _digest() == first
    generate("--reset", "--seed", "7")
    assert _digest() != first


def test_a_second_run_refuses_and_changes_nothing(generated: str):
    before = table_counts()
    with pytest.raises(CommandError, match="--reset"):
        generate()
    assert table_counts() == before
    generate("--reset")
    assert table_counts() == before


def test_reset_also_clears_what_a_failed_run_left(generated: str):
    # As if a run had stopped after its first phases: users and sandbox members, no posts.
    Post.all_tenants.all().delete()
    Organization.objects.filter(slug="scale-02").delete()
    generate("--reset")
    assert Post.all_tenants.count() == 60
    assert Organization.objects.count() == 3


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--days", "0"], "--days must be between 1 and 3,650"),
        (["--days", "3651"], "--days must be between 1 and 3,650"),
        (["--organizations", "0"], "--organizations must be between 1 and 1,000"),
        (["--organizations", "1001"], "--organizations must be between 1 and 1,000"),
        (["--members", "2"], "--members must be between 3 and 100,000"),
        (["--members", "100001"], "--members must be between 3 and 100,000"),
        (["--posts", "-1"], "--posts must be between 0 and 5,000,000"),
        (["--posts", "5000001"], "--posts must be between 0 and 5,000,000"),
        (["--days", "many"], "invalid int value"),
        (["--password", ""], "--password must not be empty"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_written(
    db: None, arguments: list[str], message: str
):
    before = table_counts()
    with pytest.raises(CommandError, match=message):
        call_command("generate_scale_data", *TINY, *arguments, stdout=io.StringIO())
    assert table_counts() == before


def test_bad_arguments_are_refused_even_with_reset(generated: str):
    before = table_counts()
    with pytest.raises(CommandError, match="--days"):
        generate("--reset", "--days", "0")
    assert table_counts() == before


def _rollups() -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for model, key in ((OrganizationDay, None), (TeamDay, "team_id"), (CampaignDay, "campaign_id")):
        fields = [
            field.attname
            for field in model._meta.concrete_fields
            if field.attname not in {"id", "public_id", "computed_at"}
        ]
        order = ["organization_id", "day", *([key] if key else [])]
        rows.extend(
            (model.__name__, *values)
            for values in model.all_tenants.order_by(*order).values_list(*fields)
        )
    return rows


def test_the_rollups_equal_what_the_analytics_app_computes(generated: str):
    written = _rollups()
    assert len([row for row in written if row[0] == "OrganizationDay"]) == 3 * DAYS
    assert any(row[0] == "TeamDay" for row in written)
    assert any(row[0] == "CampaignDay" for row in written)
    end = today()
    for organization in Organization.objects.all():
        recompute_range(organization=organization, start=end - timedelta(days=DAYS - 1), end=end)
    assert _rollups() == written


def test_the_output_names_each_table_the_phases_and_the_logins(generated: str):
    for text in ("content_post", "analytics_memberfollowers", "snapshots:", "rollups:", PASSWORD):
        assert text in generated
    quiet = io.StringIO()
    call_command("generate_scale_data", *TINY, "--reset", "--quiet", stdout=quiet)
    assert quiet.getvalue().count("\n") == 1


# -- against the sandbox, over HTTP ---------------------------------------------------------


@pytest.fixture
def on_the_sandbox(live_server: Any, settings: Any) -> Callable[[], None]:
    """The sandbox on the live server, as the publishing and collection tests reach it."""
    use_live_sandbox(live_server, settings)
    return lambda: None


def _before_midnight_utc() -> datetime:
    """Half an hour before midnight UTC: already tomorrow in Copenhagen."""
    return datetime.combine(timezone.now().date(), time(23, 30), tzinfo=UTC)


@pytest.mark.parametrize("clock", [None, _before_midnight_utc], ids=["now", "before-midnight-utc"])
@pytest.mark.django_db(transaction=True)
def test_the_collection_reads_the_generated_members_from_the_sandbox(
    on_the_sandbox: Any, clock: Callable[[], datetime] | None
):
    with time_machine.travel(clock(), tick=True) if clock else contextlib.nullcontext():
        _collect_the_generated_members()


def _collect_the_generated_members() -> None:
    generate()
    organization = large()
    # Today's figures are what the collection has to write itself.
    MemberFollowers.objects.for_org(organization).filter(day=today()).delete()
    PageFollowers.objects.for_org(organization).filter(day=today()).delete()
    participants = Membership.objects.for_org(organization).filter(opted_in_at__isnull=False)
    # LinkedIn answers on its own clock (UTC), the snapshot is the organization's day
    # (Copenhagen): in the hour before midnight UTC they are different days. Histories only
    # grow, so the sandbox's day read before collecting is a floor for what it then answers.
    linkedin_day = Simulation(current_app(), timezone.now()).data_until
    # What the workers do for the organization (collect_organization does it all, but the
    # figures of every post would take a few hundred calls): the page, every participant's
    # followers, and the benchmark employee's posts.
    units = [collection.collect_page_followers(organization=organization)]
    for membership in participants:
        units.append(
            collection.collect_member_followers(
                organization=organization, membership_id=membership.pk
            )
        )
    employee = participants.get(user__email="employee@scale-large.example")
    units.append(
        collection.collect_member_posts(organization=organization, membership_id=employee.pk)
    )
    assert [(unit.subject, unit.figure, unit.failed or unit.skipped) for unit in units if
            unit.failed or unit.skipped or unit.stopped or unit.unavailable] == []  # fmt: skip
    assert sum(units[-1].rows.values()) > 0
    snapshots = MemberFollowers.objects.for_org(organization).filter(day=today())
    assert snapshots.count() == participants.count()
    for snapshot in snapshots.select_related("membership__user"):
        sub = Connection.objects.get(user=snapshot.membership.user).sub
        history = Series.from_json(sandbox.Member.objects.get(sub=sub).followers)
        # The sandbox adds what the member's posts brought to the history.
        assert snapshot.followers >= history.on(linkedin_day)
    page = PageFollowers.objects.for_org(organization).get(day=today())
    page_history = sandbox.Page.objects.get(
        page_id=PageConnection.all_tenants.get(organization=organization).page_id
    ).followers
    assert page.followers >= Series.from_json(page_history).on(linkedin_day)
    assert page.followers <= page_history[today().isoformat()]


@pytest.mark.django_db(transaction=True)
def test_a_generated_scheduled_post_publishes_through_the_sandbox(on_the_sandbox: Any):
    generate()
    organization = large()
    post = (
        Post.objects.for_org(organization)
        .filter(status=Post.Status.SCHEDULED, author__user__email="employee@scale-large.example")
        .first()
    )
    assert post is not None
    Post.all_tenants.filter(pk=post.pk).update(scheduled_for=timezone.now())
    due_now(post)
    run_publisher(organization)
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED, post.failure_reason
    made = sandbox.Post.objects.get(urn=post.linkedin_urn)
    assert made.member is not None
    assert made.member.sub == Connection.objects.get(user=post.author.user).sub
