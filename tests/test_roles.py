"""Who sees what: every tenant route against every role, and the facilitator's reach."""

from __future__ import annotations

import pytest
from django.urls import reverse

from advocacy.tenancy.models import Membership
from content.models import ContentItem

from .conftest import Cast
from .factories import OrganizationFactory
from .routes import Route, tenant_routes
from .test_isolation import fill

ROUTES = tenant_routes()
PERSONAS = {
    "alice": Membership.Role.ADMIN,
    "carol": Membership.Role.COMMS,
    "leo": Membership.Role.LEADER,
    "emma": Membership.Role.EMPLOYEE,
    "fay": Membership.Role.FACILITATOR,
}


def test_every_tenant_view_declares_its_roles():
    undeclared = [str(route) for route in ROUTES if not hasattr(route.callback, "allowed_roles")]
    assert not undeclared, f"tenant views must use @role_required: {undeclared}"


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_role_matrix(route: Route, cast: Cast, client_for):
    allowed = route.allowed_roles
    for persona, role in PERSONAS.items():
        # Pages of someone's own objects (posts) are filled with that persona's own.
        url = fill(route, cast, cast.acme, owner=getattr(cast, persona))
        status = client_for(getattr(cast, persona)).get(url).status_code
        if allowed is None or role in allowed:
            assert status in {200, 302, 405}, f"{persona} ({role}) got {status} on {route}"
        else:
            assert status == 403, f"{persona} ({role}) got {status}, not 403, on {route}"


def test_employee_cannot_reach_comms_or_admin_pages(cast: Cast, client_for):
    emma = client_for(cast.emma)
    for name in ("content:library", "campaigns:list", "tenancy:members", "tenancy:settings"):
        assert emma.get(reverse(name, args=["acme"])).status_code == 403, name


def test_leader_sees_reports_but_cannot_change_content(cast: Cast, client_for):
    leo = client_for(cast.leo)
    assert leo.get(reverse("analytics:overview", args=["acme"])).status_code == 200
    response = leo.post(
        reverse("content:item_new", args=["acme"]),
        {"kind": "article", "status": "published", "title": "Leader's own item"},
    )
    assert response.status_code == 403
    assert not ContentItem.objects.for_org(cast.acme).exists()


def test_facilitator_sees_only_organizations_they_belong_to(cast: Cast, client_for):
    initech = OrganizationFactory(name="Initech", slug="initech")
    fay = client_for(cast.fay)
    assert fay.get("/o/acme/").status_code == 200
    assert fay.get("/o/globex/").status_code == 200
    assert fay.get(f"/o/{initech.slug}/").status_code == 404

    picker = fay.get(reverse("organization_picker"))
    names = [m.organization.name for m in picker.context["memberships"]]
    assert names == ["Acme A/S", "Globex ApS"]


def test_start_page_sends_users_to_their_organization(cast: Cast, client_for):
    assert client_for(cast.emma).get("/")["Location"] == "/o/acme/"
    # Several organizations and none chosen yet: the picker.
    fay = client_for(cast.fay)
    assert fay.get("/")["Location"] == reverse("organization_picker")
    # Once inside one, that one is where "/" leads.
    fay.get("/o/globex/")
    assert fay.get("/")["Location"] == "/o/globex/"


def test_switcher_lists_the_users_organizations(cast: Cast, client_for):
    page = client_for(cast.fay).get("/o/acme/").content.decode()
    assert 'href="/o/globex/"' in page
    assert "Switch organization" in page
    single = client_for(cast.emma).get("/o/acme/").content.decode()
    assert "Switch organization" not in single
