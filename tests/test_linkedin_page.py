"""The organization's company page: who may connect it, the flow through the sandbox, isolation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.urls import reverse

from advocacy.linkedin import services
from advocacy.linkedin.models import PageConnection
from advocacy.tenancy.models import AuditEntry, Membership, Organization

from .conftest import Cast
from .linkedin_browser import (
    PAGE_ID,
    PAGE_URN,
    SIXTY_DAYS,
    Sandbox,
    consent,
    query,
    serve_sandbox,
    start,
    text_of,
)


@pytest.fixture
def linkedin_sandbox(live_server, settings, cast, tmp_path) -> Iterator[Sandbox]:
    yield from serve_sandbox(live_server, settings, cast, tmp_path)


PAGE_SETTINGS = "/o/acme/settings/linkedin/"
PAGE_CONNECT = "/o/acme/settings/linkedin/connect/"


def connect_page(organization: Organization, user) -> PageConnection:
    return services.connect_page(
        organization=organization,
        page_urn=PAGE_URN,
        connected_by=user,
        scopes="openid,profile,rw_organization_admin,r_organization_social",
        access_token="AQX-page-token",
        expires_in=SIXTY_DAYS,
    )


# Who may -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("alice", 200), ("carol", 200), ("leo", 403), ("emma", 403), ("fay", 403)],
)
def test_only_admins_and_comms_reach_the_page_settings(
    cast: Cast, client_for, persona: str, status: int
):
    client = client_for(getattr(cast, persona))
    assert client.get(PAGE_SETTINGS).status_code == status
    expected_post = 302 if status == 200 else 403
    assert client.post(PAGE_CONNECT).status_code == expected_post


def test_employee_cannot_disconnect_the_page(cast: Cast, client_for):
    connect_page(cast.acme, cast.alice)
    assert client_for(cast.emma).post(f"{PAGE_SETTINGS}disconnect/").status_code == 403
    assert PageConnection.objects.for_org(cast.acme).exists()


def test_cannot_get_other_org_page_connection(cast: Cast, client_for):
    connect_page(cast.acme, cast.alice)
    greta = client_for(cast.greta)
    for path in (PAGE_SETTINGS, PAGE_CONNECT, f"{PAGE_SETTINGS}disconnect/"):
        assert greta.get(path).status_code == 404
        assert greta.post(path).status_code == 404
    own = greta.get("/o/globex/settings/linkedin/").content.decode()
    assert PAGE_URN not in own
    assert PageConnection.objects.for_org(cast.acme).count() == 1


def test_page_settings_show_the_connection(cast: Cast, client_for):
    connect_page(cast.acme, cast.carol)
    page = client_for(cast.alice).get(PAGE_SETTINGS).content.decode()
    assert PAGE_URN in page
    assert "Carol" in page
    assert "manage the company page and read its follower statistics" in page.lower()


def test_disconnecting_the_page_is_asked_then_done_and_audited(cast: Cast, client_for):
    connect_page(cast.acme, cast.alice)
    carol = client_for(cast.carol)
    question = carol.get(f"{PAGE_SETTINGS}disconnect/").content.decode()
    assert "follower figures are no longer collected" in question
    response = carol.post(f"{PAGE_SETTINGS}disconnect/")
    assert response.status_code == 302
    assert not PageConnection.objects.for_org(cast.acme).exists()
    entry = AuditEntry.objects.for_org(cast.acme).filter(action="linkedin.page_disconnected").get()
    assert entry.actor == cast.carol


def test_connect_page_keeps_one_per_organization_and_follows_the_setting(cast: Cast):
    first = connect_page(cast.acme, cast.alice)
    second = services.connect_page(
        organization=cast.acme,
        page_urn="https://www.linkedin.com/company/777/admin/",
        connected_by=cast.carol,
        scopes=["rw_organization_admin"],
        access_token="AQX-other",
        expires_in=SIXTY_DAYS,
    )
    assert second.pk == first.pk
    assert second.page_urn == "urn:li:organization:777"
    cast.acme.refresh_from_db()
    assert cast.acme.linkedin_page_urn == "urn:li:organization:777"
    assert PageConnection.all_tenants.count() == 1
    actions = list(
        AuditEntry.objects.for_org(cast.acme).values_list("action", flat=True).order_by("pk")
    )
    assert actions == ["linkedin.page_connected", "linkedin.page_connected"]


# Through the sandbox -------------------------------------------------------------------------


def page_consent(browser, sub: str = "m-ann"):
    authorize_url = start(browser, PAGE_CONNECT)
    asked = query(authorize_url)
    assert asked["scope"] == "openid profile rw_organization_admin r_organization_social"
    return consent(browser, authorize_url, sub)


@pytest.mark.django_db(transaction=True)
def test_comms_connects_the_company_page(linkedin_sandbox: Sandbox):
    cast = linkedin_sandbox.cast
    Organization.objects.filter(pk=cast.acme.pk).update(linkedin_page_urn=PAGE_URN)
    browser = linkedin_sandbox.browser(cast.carol)
    granted = page_consent(browser)
    back = browser.get(granted.callback_url)
    assert back.status_code == 302
    assert back.headers["Location"] == PAGE_SETTINGS
    assert not PageConnection.objects.for_org(cast.acme).exists()

    form = browser.get(PAGE_SETTINGS)
    assert "Which company page?" in text_of(form)
    assert f'value="{PAGE_URN}"' in form.text  # pre-filled from the organization's setting

    done = browser.post(PAGE_SETTINGS, {"page": PAGE_ID})
    assert done.status_code == 302, text_of(done)
    page = PageConnection.objects.for_org(cast.acme).get()
    assert page.page_urn == PAGE_URN
    assert page.connected_by == cast.carol
    assert "rw_organization_admin" in page.scopes
    assert page.status == PageConnection.Status.ACTIVE
    assert AuditEntry.objects.for_org(cast.acme).filter(action="linkedin.page_connected").exists()
    shown = text_of(browser.follow(done))
    assert "The company page urn:li:organization:2414183 is connected" in shown
    assert "LinkedIn counts 1140 followers today" in shown
    # The grant was used up: a second submission connects nothing new.
    again = browser.post(PAGE_SETTINGS, {"page": PAGE_ID})
    assert "has expired or was used" in text_of(browser.follow(again))


@pytest.mark.django_db(transaction=True)
def test_a_page_the_account_does_not_administer_is_refused(linkedin_sandbox: Sandbox):
    cast = linkedin_sandbox.cast
    browser = linkedin_sandbox.browser(cast.carol)
    browser.get(page_consent(browser, sub="m-bo").callback_url)  # Bo is no page admin
    answer = browser.post(PAGE_SETTINGS, {"page": PAGE_ID})
    assert answer.status_code == 200
    assert "may not administer this page" in text_of(answer)
    assert not PageConnection.objects.for_org(cast.acme).exists()

    nonsense = browser.post(PAGE_SETTINGS, {"page": "nonsense"})
    assert "Enter the company page's number" in text_of(nonsense)
    unknown = browser.post(PAGE_SETTINGS, {"page": "999"})
    assert "LinkedIn does not know a company page with this number" in text_of(unknown)
    assert not PageConnection.objects.for_org(cast.acme).exists()


@pytest.mark.django_db(transaction=True)
def test_a_member_who_lost_the_role_cannot_finish(linkedin_sandbox: Sandbox):
    cast = linkedin_sandbox.cast
    browser = linkedin_sandbox.browser(cast.carol)
    granted = page_consent(browser)
    Membership.all_tenants.filter(user=cast.carol, organization=cast.acme).update(
        role=Membership.Role.EMPLOYEE
    )
    answer = browser.get(granted.callback_url)
    assert answer.status_code == 403
    assert "nothing was changed" in text_of(answer)
    assert not PageConnection.all_tenants.exists()


@pytest.mark.django_db(transaction=True)
def test_a_page_grant_stays_in_its_organization(linkedin_sandbox: Sandbox):
    cast = linkedin_sandbox.cast
    fay_admin = Membership.all_tenants.get(user=cast.fay, organization=cast.globex)
    Membership.all_tenants.filter(pk=fay_admin.pk).update(role=Membership.Role.ADMIN)
    Membership.all_tenants.filter(user=cast.fay, organization=cast.acme).update(
        role=Membership.Role.COMMS
    )
    browser = linkedin_sandbox.browser(cast.fay)
    browser.get(page_consent(browser).callback_url)  # granted for Acme
    elsewhere = browser.post(reverse("linkedin_page:settings", args=["globex"]), {"page": PAGE_ID})
    assert "has expired or was used" in text_of(browser.follow(elsewhere))
    assert not PageConnection.all_tenants.exists()
