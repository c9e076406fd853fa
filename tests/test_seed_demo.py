"""`manage.py seed_demo`: a demo anyone can sign in to, and running it twice adds nothing."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advocacy.accounts.models import User
from advocacy.demo.seeding import DEFAULT_PASSWORD
from advocacy.tenancy.models import Membership, Organization, Role, TenantModel
from advocacy.tenancy.scope import tenant_scope
from campaigns.models import Campaign
from content.models import ContentItem, Post

DEMO_ROLES = {
    "admin@demo.example": Role.ADMIN,
    "comms@demo.example": Role.COMMS,
    "leader@demo.example": Role.LEADER,
    "employee@demo.example": Role.EMPLOYEE,
    "facilitator@demo.example": Role.FACILITATOR,
}


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row the seed touches; `updated_at` moves on any save and says nothing."""
    models = [User, EmailAddress, Organization] + [
        model for model in apps.get_models() if issubclass(model, TenantModel)
    ]
    manager_of = {model: getattr(model, "all_tenants", model._default_manager) for model in models}
    return {
        model._meta.label: [
            {key: value for key, value in row.items() if key != "updated_at"}
            for row in manager_of[model].order_by("pk").values()
        ]
        for model in models
    }


@pytest.fixture
def demo(db: None) -> str:
    return seed()


def test_running_twice_changes_nothing(demo: str):
    first = snapshot()
    seed()
    assert snapshot() == first


def test_the_demo_has_a_member_for_every_role(demo: str):
    organization = Organization.objects.get(slug="demo")
    assert organization.name == "Nordlys Consulting A/S"
    assert (organization.time_zone, organization.language, organization.currency) == (
        "Europe/Copenhagen",
        "en",
        "DKK",
    )
    members = Membership.objects.for_org(organization).select_related("user")
    roles = {m.user.email: m.role for m in members}
    assert {email: roles[email] for email in DEMO_ROLES} == DEMO_ROLES
    employees = [m for m in members if m.role == Role.EMPLOYEE]
    assert 5 <= len(employees) <= 7
    assert {m.team.name for m in employees if m.team} == {"Sales", "Engineering", "Recruitment"}
    opted_in = [m for m in employees if m.opted_in_at]
    assert 0 < len(opted_in) < len(employees), "some employees take part, not all"
    assert members.get(user__email="employee@demo.example").opted_in_at


def test_the_demo_has_content_and_campaigns(demo: str):
    organization = Organization.objects.get(slug="demo")
    items = ContentItem.objects.for_org(organization)
    assert 8 <= items.count() <= 10
    assert {"article", "job", "tip"} <= set(items.values_list("kind", flat=True))
    assert items.filter(is_company_content=True).exists()
    assert items.filter(is_company_content=False).exists()
    with tenant_scope(organization):
        for item in items.prefetch_related("captions"):
            assert 1 <= len(item.captions.all()) <= 3, item.title
    campaigns = Campaign.objects.for_org(organization)
    assert set(campaigns.values_list("status", flat=True)) == {"live", "scheduled", "draft"}
    for campaign in campaigns:
        assert ContentItem.objects.for_org(organization).filter(campaigns=campaign).exists()


def test_colleagues_have_shares_on_their_way_and_the_employee_a_draft(demo: str):
    organization = Organization.objects.get(slug="demo")
    shares = {
        post.author.user.email: post
        for post in Post.objects.for_org(organization)
        .filter(content_item__isnull=False)
        .select_related("author__user", "content_item")
    }
    assert set(shares) == {"mads@demo.example", "sofie@demo.example", "employee@demo.example"}
    for email in ("mads@demo.example", "sofie@demo.example"):
        post = shares[email]
        # Due within minutes: the worker of `make run` publishes them through the sandbox.
        assert post.status == Post.Status.SCHEDULED
        assert post.scheduled_for <= timezone.now() + timedelta(minutes=5)
    assert shares["employee@demo.example"].status == Post.Status.DRAFT
    # The scenario's own history is there too, as posts published through the platform.
    assert Post.objects.for_org(organization).filter(status=Post.Status.PUBLISHED).count() >= 10


def test_the_demo_runs_a_program(demo: str):
    from advocacy.program.models import Charter, Course, Goal, Milestone

    organization = Organization.objects.get(slug="demo")
    charter = Charter.objects.for_org(organization).select_related("why_by__user").get()
    assert charter.why_statement
    assert charter.why_by.role == Role.LEADER
    assert Goal.objects.for_org(organization).count() == 3
    assert Milestone.objects.for_org(organization).count() == 4
    basics = Course.objects.for_org(organization).get(is_basics=True)
    assert basics.is_published
    assert organization.cpm is not None
    # The dashboard shows leadership's WHY to a participant.
    client = Client()
    client.force_login(User.objects.get(email="employee@demo.example"))
    page = client.get(reverse("content:dashboard", args=["demo"])).content.decode()
    assert "nobody has to" in page


def test_the_facilitator_works_for_two_organizations(demo: str):
    slugs = set(
        Membership.all_tenants.filter(user__email="facilitator@demo.example").values_list(
            "organization__slug", flat=True
        )
    )
    assert slugs == {"demo", "fjord"}
    assert Organization.objects.get(slug="fjord").name == "Fjord Analytics ApS"


def test_every_demo_login_signs_in_and_sees_the_dashboard(demo: str):
    memberships = Membership.all_tenants.select_related("user", "organization")
    assert memberships.count() >= 12
    for membership in memberships:
        email = membership.user.email
        assert EmailAddress.objects.filter(email=email, verified=True, primary=True).exists()
        user = authenticate(email=email, password=DEFAULT_PASSWORD)
        assert user == membership.user, email
        client = Client()
        client.force_login(user)
        dashboard = reverse("content:dashboard", args=[membership.organization.slug])
        response = client.get(dashboard)
        assert response.status_code == 200, (email, membership.organization.slug)


def test_sign_in_through_the_login_page(demo: str):
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": "employee@demo.example", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/o/demo/").status_code == 200


def test_the_output_lists_each_login_and_where_to_go(demo: str, settings):
    for email, role in DEMO_ROLES.items():
        line = next(line for line in demo.splitlines() if email in line)
        assert role in line
        assert DEFAULT_PASSWORD in line
    assert f"{settings.SITE_URL}/o/demo/" in demo


def test_a_chosen_password_replaces_the_default(demo: str):
    output = seed("--password", "another-pass-2026")
    assert "another-pass-2026" in output
    assert authenticate(email="leader@demo.example", password="another-pass-2026")
    assert authenticate(email="leader@demo.example", password=DEFAULT_PASSWORD) is None
