"""Kept member pages: served again while nothing they show changed, dropped when it did."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.apps import apps
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from advocacy.tenancy import pagecache
from advocacy.tenancy.models import Membership
from content.models import Post

from .conftest import Cast
from .factories import CampaignFactory, ContentItemFactory, PostFactory, TeamFactory
from .publishing_support import LinkedIn, due_now, run_publisher

Status = Post.Status
PAGES = {
    "dashboard": reverse("content:dashboard", args=["acme"]),
    "my posts": reverse("content:my_posts", args=["acme"]),
    "library": reverse("content:library", args=["acme"]),
}


@pytest.fixture(autouse=True)
def kept(settings: Any) -> None:
    settings.PAGE_CACHE_SECONDS = 60


def queries_of(client: Client, path: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def emmas_post(cast: Cast, **fields: Any) -> Post:
    return PostFactory(author=cast.membership(cast.emma, cast.acme), **fields)


def emmas_scheduled(cast: Cast, text: str, due_in: datetime.timedelta) -> Post:
    due = timezone.now() + due_in
    return emmas_post(
        cast,
        text=text,
        status=Status.SCHEDULED,
        scheduled_for=due,
        next_attempt_at=due,
        linkedin_urn="",
        published_at=None,
    )


def listed(client: Client, status: str) -> str:
    """My posts with one status, as the page shows it."""
    return client.get(PAGES["my posts"], {"status": status}).content.decode()


@pytest.mark.parametrize("page", PAGES)
def test_a_page_seen_again_is_served_kept_with_the_same_body(cast: Cast, client_for, page: str):
    ContentItemFactory(organization=cast.acme, title="Ready to go")
    emmas_post(cast, text="Out there")
    client = client_for(cast.carol if page == "library" else cast.emma)
    first, body = queries_of(client, PAGES[page])
    again, kept_body = queries_of(client, PAGES[page])
    # Session, user and membership: the page itself costs no query.
    assert again == 3 < first
    assert kept_body == body


def test_each_member_is_served_their_own_page(cast: Cast, client_for):
    emmas_post(cast, text="Emma's own words")
    PostFactory(author=cast.membership(cast.carol, cast.acme), text="Carol's own words")
    emma, carol = client_for(cast.emma), client_for(cast.carol)
    for _ in range(2):
        emmas_page = emma.get(PAGES["my posts"]).content.decode()
        carols_page = carol.get(PAGES["my posts"]).content.decode()
        assert "Emma&#x27;s own words" in emmas_page
        assert "Carol" not in emmas_page
        assert "Carol&#x27;s own words" in carols_page
        assert "Emma&#x27;s" not in carols_page


def test_each_address_is_kept_on_its_own(cast: Cast, client_for):
    emmas_post(cast, text="Out there")
    emmas_post(cast, text="Still a draft", status=Status.DRAFT, linkedin_urn="")
    client = client_for(cast.emma)
    everything = client.get(PAGES["my posts"]).content.decode()
    drafts = listed(client, "draft")
    assert "Out there" in everything
    assert "Still a draft" in everything
    assert "Still a draft" in drafts
    assert "Out there" not in drafts


def test_content_the_comms_team_adds_shows_at_once(cast: Cast, client_for):
    client = client_for(cast.emma)
    assert "Fresh from comms" not in client.get(PAGES["dashboard"]).content.decode()
    ContentItemFactory(organization=cast.acme, title="Fresh from comms")
    assert "Fresh from comms" in client.get(PAGES["dashboard"]).content.decode()
    campaign = CampaignFactory(organization=cast.acme, name="Trust week", status="live")
    assert "Trust week" in client.get(PAGES["dashboard"]).content.decode()
    campaign.name = "Trust month"
    campaign.save()
    page = client.get(PAGES["dashboard"]).content.decode()
    assert "Trust month" in page
    assert "Trust week" not in page


def test_another_organizations_changes_keep_the_page(cast: Cast, client_for):
    client = client_for(cast.emma)
    first, _body = queries_of(client, PAGES["dashboard"])
    ContentItemFactory(organization=cast.globex, title="Globex news")
    TeamFactory(organization=cast.globex, name="Globex team")
    again, body = queries_of(client, PAGES["dashboard"])
    assert again == 3 < first
    assert "Globex news" not in body


def test_what_the_member_sends_shows_on_their_next_page(cast: Cast, client_for):
    scheduled = emmas_scheduled(cast, "Going out tomorrow", datetime.timedelta(days=1))
    client = client_for(cast.emma)
    assert "Going out tomorrow" in listed(client, "scheduled")
    # A bulk action is one UPDATE, no row signal: its queryset and the request drop the pages.
    response = client.post(
        reverse("content:my_posts_bulk", args=["acme"]),
        {"action": "cancel", "posts": [str(scheduled.public_id)]},
    )
    assert response.status_code == 302
    client.get(PAGES["my posts"])  # shows (and reads) the message: not kept
    page = listed(client, "scheduled")
    assert "Going out tomorrow" not in page


def with_message(client: Client, text: str) -> None:
    """A message waiting for the member's next page, as a view leaves it."""
    storage = CookieStorage(RequestFactory().get("/"))
    storage.add(constants.SUCCESS, text)
    response = HttpResponse()
    storage.update(response)
    client.cookies["messages"] = response.cookies["messages"].value


def test_a_page_with_messages_waiting_is_not_kept(cast: Cast, client_for):
    client = client_for(cast.emma)
    client.get(PAGES["my posts"])
    with_message(client, "Saved, thank you.")
    assert "Saved, thank you." in client.get(PAGES["my posts"]).content.decode()
    # Shown once; the page kept before it is served again, and the one with it was not kept.
    again, body = queries_of(client, PAGES["my posts"])
    assert again == 3
    assert "Saved, thank you." not in body


def test_a_new_csrf_secret_renders_the_page_again(cast: Cast, client_for):
    client = client_for(cast.emma)
    first, _body = queries_of(client, PAGES["dashboard"])
    again, _body = queries_of(client, PAGES["dashboard"])
    assert again < first
    del client.cookies["csrftoken"]
    fresh, _body = queries_of(client, PAGES["dashboard"])
    assert fresh > again


def test_the_members_language_is_part_of_the_address(cast: Cast, client_for):
    client = client_for(cast.emma)
    assert 'lang="en"' in client.get(PAGES["dashboard"]).content.decode()
    membership = cast.membership(cast.emma, cast.acme)
    membership.language = "da"
    membership.save()
    assert 'lang="da"' in client.get(PAGES["dashboard"]).content.decode()


def test_a_post_the_workers_publish_shows_published(
    cast: Cast, client_for, linkedin: LinkedIn, settings: Any
):
    settings.PAGE_CACHE_SECONDS = 60  # the live sandbox fixture reset the settings first
    post = emmas_scheduled(cast, "Out in a minute", datetime.timedelta(minutes=1))
    client = client_for(cast.emma)
    assert "Out in a minute" in listed(client, "scheduled")
    due_now(post)  # one UPDATE, as a worker would: the page stays as it was
    assert run_publisher(cast.acme) == ["published"]
    post.refresh_from_db()
    assert post.status == Status.PUBLISHED
    assert "Out in a minute" not in listed(client, "scheduled")
    assert "Out in a minute" in listed(client, "published")


def test_off_at_zero(cast: Cast, client_for, settings: Any):
    settings.PAGE_CACHE_SECONDS = 0
    client = client_for(cast.emma)
    client.get(PAGES["dashboard"])  # the first visit also starts what later ones find
    first, _body = queries_of(client, PAGES["dashboard"])
    again, _body = queries_of(client, PAGES["dashboard"])
    assert again == first > 3


def test_every_listed_model_exists():
    labels = {model._meta.label for model in apps.get_models()}
    assert set(pagecache.ROW_SCOPES) <= labels
    for label, scope in pagecache.ROW_SCOPES.items():
        if scope is not None:
            model = apps.get_model(label)
            attribute = scope[1]
            assert attribute == "pk" or attribute in {f.attname for f in model._meta.fields}


# Before the session is read --------------------------------------------------------------


def settled(client: Client, path: str) -> None:
    """Visits until the page is kept for the session (cookies set, address known)."""
    for _ in range(2):
        assert client.get(path).status_code == 200


def test_a_session_is_served_its_kept_page_without_a_query(cast: Cast, client_for):
    emmas_post(cast, text="Out there")
    client = client_for(cast.emma)
    settled(client, PAGES["my posts"])
    hits, body = queries_of(client, PAGES["my posts"])
    assert hits == 0
    assert "Out there" in body
    response = client.get(PAGES["my posts"])
    assert response["Content-Language"] == "en"
    assert response["X-Frame-Options"] == "DENY"


def test_another_session_of_the_same_member_is_not_served_it(cast: Cast, client_for):
    first, second = client_for(cast.emma), client_for(cast.emma)
    settled(first, PAGES["dashboard"])
    second.get(PAGES["dashboard"])
    count, _body = queries_of(second, PAGES["dashboard"])
    assert count > 0  # its own session, read and checked


def test_signing_out_ends_the_kept_page_of_that_session(cast: Cast, client_for):
    client = client_for(cast.emma)
    settled(client, PAGES["dashboard"])
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    client.post(reverse("account_logout"))
    replay = Client()
    for name, value in cookies.items():
        replay.cookies[name] = value
    response = replay.get(PAGES["dashboard"])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("how", ["save", "update"])
def test_a_member_who_leaves_is_not_served_their_kept_page(cast: Cast, client_for, how: str):
    client = client_for(cast.emma)
    settled(client, PAGES["dashboard"])
    membership = cast.membership(cast.emma, cast.acme)
    if how == "save":
        membership.is_active = False
        membership.save()
    else:
        Membership.all_tenants.filter(pk=membership.pk).update(is_active=False)
    assert client.get(PAGES["dashboard"]).status_code == 404


def test_a_user_switched_off_is_not_served_their_kept_page(cast: Cast, client_for):
    client = client_for(cast.emma)
    settled(client, PAGES["dashboard"])
    cast.emma.is_active = False
    cast.emma.save()
    assert client.get(PAGES["dashboard"]).status_code in {302, 404}


def test_a_role_taken_away_ends_the_kept_library(cast: Cast, client_for):
    client = client_for(cast.carol)
    settled(client, PAGES["library"])
    membership = cast.membership(cast.carol, cast.acme)
    membership.role = Membership.Role.EMPLOYEE
    membership.save()
    assert client.get(PAGES["library"]).status_code == 403


def test_each_language_asked_for_is_kept_on_its_own(cast: Cast, client_for):
    client = client_for(cast.emma)
    settled(client, PAGES["dashboard"])
    assert 'lang="en"' in client.get(PAGES["dashboard"]).content.decode()
    danish = client.get(PAGES["dashboard"], headers={"accept-language": "da"})
    assert 'lang="da"' in danish.content.decode()


def test_a_locked_update_drops_the_pages_too(cast: Cast, client_for):
    client = client_for(cast.emma)
    settled(client, PAGES["dashboard"])
    with transaction.atomic():
        locked = Membership.objects.for_org(cast.acme).select_for_update(of=("self",))
        assert locked.filter(user=cast.emma).update(is_active=False) == 1
    assert client.get(PAGES["dashboard"]).status_code == 404
