from __future__ import annotations

import pytest
from django.urls import reverse

from advocacy.tenancy.models import Membership
from advocacy.tenancy.scope import TenantScopeError, tenant_scope
from content.models import ContentItem

from .factories import ContentItemFactory


def test_member_sees_their_dashboard(cast, client_for):
    response = client_for(cast.emma).get(reverse("content:dashboard", args=["acme"]))
    assert response.status_code == 200
    assert response.context["request"].organization == cast.acme
    assert response.context["request"].membership.user == cast.emma


def test_unknown_slug_is_404(cast, client_for):
    response = client_for(cast.emma).get("/o/no-such-company/")
    assert response.status_code == 404


def test_non_member_gets_404_like_an_unknown_slug(cast, client_for):
    response = client_for(cast.gus).get(reverse("content:dashboard", args=["acme"]))
    assert response.status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(cast, client):
    response = client.get(reverse("content:dashboard", args=["acme"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=/o/acme/" in response["Location"]


def test_deactivated_member_loses_access_at_once(cast, client_for):
    client = client_for(cast.emma)
    assert client.get("/o/acme/").status_code == 200
    Membership.objects.for_org(cast.acme).filter(user=cast.emma).update(is_active=False)
    assert client.get("/o/acme/").status_code == 404


def test_default_manager_fails_closed_outside_a_scope(cast):
    ContentItemFactory(organization=cast.acme)
    with pytest.raises(TenantScopeError):
        list(ContentItem.objects.all())


def test_scope_filters_to_one_organization(cast):
    mine = ContentItemFactory(organization=cast.acme)
    ContentItemFactory(organization=cast.globex)
    with tenant_scope(cast.acme):
        assert list(ContentItem.objects.all()) == [mine]
    assert list(ContentItem.objects.for_org(cast.acme)) == [mine]


def test_pages_show_times_in_the_organizations_time_zone(cast, client_for):
    cast.globex.time_zone = "America/New_York"
    cast.globex.save()
    fay = client_for(cast.fay)
    assert fay.get("/o/acme/").context["TIME_ZONE"] == "Europe/Copenhagen"
    assert fay.get("/o/globex/").context["TIME_ZONE"] == "America/New_York"
    # Outside any organization, and in storage, time stays UTC.
    assert fay.get("/organizations/").context["TIME_ZONE"] == "UTC"


def test_scope_is_reset_after_each_request(cast, client_for):
    client_for(cast.emma).get("/o/acme/")
    with pytest.raises(TenantScopeError):
        ContentItem.objects.count()
