"""Tracked short links: /l/<code> redirects with UTM parameters and records a click, no address.

The redirect is the one page anyone on the internet reaches; it makes one indexed read and
one insert (one statement on PostgreSQL), and keeps nothing that could name a visitor once
the day's salt is gone.
"""

from __future__ import annotations

import datetime
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from content import links
from content.models import CampaignItem, Click, Post, TrackedLink, VisitorSalt
from content.sharing import Intent, PostDraft, create_post, update_post

from .conftest import Cast
from .factories import CampaignFactory, ContentItemFactory

NOW = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.UTC)
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0"
ADDRESS = "203.0.113.77"


def own_post(
    cast: Cast, link_url: str = "https://acme.example/blog?ref=home", **draft: Any
) -> Post:
    return create_post(
        organization=cast.acme,
        author=cast.membership(cast.emma, cast.acme),
        draft=PostDraft(text="Worth a read", link_url=link_url, **draft),
        intent=Intent.DRAFT,
    )


def follow(code: str, *, user_agent: str | None = BROWSER, method: str = "get", **extra: Any):
    headers = {} if user_agent is None else {"User-Agent": user_agent}
    return getattr(Client(), method)(f"/l/{code}", headers=headers, REMOTE_ADDR=ADDRESS, **extra)


@pytest.fixture(autouse=True)
def fresh_salts() -> Any:
    """Each test starts with no salt in memory (the database's are rolled back between tests)."""
    links._salts.clear()
    yield
    links._salts.clear()


def test_a_share_redirects_with_utm_parameters_and_records_a_click(cast: Cast):
    campaign = CampaignFactory(organization=cast.acme, name="Spring Hiring!", status="live")
    item = ContentItemFactory(
        organization=cast.acme, title="We are hiring", url="https://acme.example/jobs/42?ref=site"
    )
    CampaignItem.all_tenants.create(organization=cast.acme, campaign=campaign, content_item=item)
    post = create_post(
        organization=cast.acme,
        author=cast.membership(cast.emma, cast.acme),
        draft=PostDraft(text="Come and work with me"),
        intent=Intent.DRAFT,
        content_item=item,
    )
    code = post.tracked_link.code
    assert reverse("tracked_link", args=[code]) == f"/l/{code}"
    response = follow(code)
    assert response.status_code == 302
    destination = urlsplit(response["Location"])
    assert (destination.scheme, destination.netloc, destination.path) == (
        "https",
        "acme.example",
        "/jobs/42",
    )
    assert parse_qs(destination.query) == {
        "ref": ["site"],
        "utm_source": ["linkedin"],
        "utm_medium": ["employee_advocacy"],
        "utm_campaign": ["spring-hiring"],
        "utm_content": ["we-are-hiring"],
    }
    assert response["Cache-Control"] == "no-store"
    assert response["X-Robots-Tag"] == "noindex"
    [click] = Click.all_tenants.all()
    assert (click.organization, click.link, click.post) == (cast.acme, post.tracked_link, post)
    assert re.fullmatch(r"[0-9a-f]{32}", click.visitor_hash)
    assert not click.is_bot
    assert abs((click.clicked_at - post.created_at).total_seconds()) < 60


def test_an_own_posts_link_says_own_post_and_replaces_foreign_utm_values(cast: Cast):
    post = own_post(cast, "https://acme.example/a?utm_source=newsletter&utm_campaign=x&keep=1")
    query = parse_qs(urlsplit(follow(post.tracked_link.code)["Location"]).query)
    assert query == {
        "keep": ["1"],
        "utm_source": ["linkedin"],
        "utm_medium": ["employee_advocacy"],
        "utm_content": ["own-post"],
    }


def test_no_address_is_kept_in_a_click(cast: Cast):
    post = own_post(cast)
    follow(post.tracked_link.code, HTTP_X_FORWARDED_FOR=f"198.51.100.4, {ADDRESS}")
    [row] = Click.all_tenants.values()
    stored = " ".join(str(value) for value in row.values())
    for address in (ADDRESS, "198.51.100.4", "203.0.113", BROWSER):
        assert address not in stored
    assert set(row) == {
        "id",
        "public_id",
        "organization_id",
        "link_id",
        "post_id",
        "clicked_at",
        "visitor_hash",
        "is_bot",
    }


@pytest.mark.parametrize(
    ("user_agent", "method"),
    [
        (
            "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
            "get",
        ),
        ("curl/8.5.0", "get"),
        ("python-requests/2.32", "get"),
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "get"),
        ("", "get"),
        (None, "get"),
        (BROWSER, "head"),
    ],
)
def test_bots_and_previews_are_flagged(cast: Cast, user_agent: str | None, method: str):
    post = own_post(cast)
    response = follow(post.tracked_link.code, user_agent=user_agent, method=method)
    assert response.status_code == 302
    [click] = Click.all_tenants.all()
    assert click.is_bot


def test_an_unknown_code_is_a_404_and_records_nothing(cast: Cast):
    own_post(cast)
    for code in ("nope", "A" * 12, "code00000001"):
        assert follow(code).status_code == 404
    assert not Click.all_tenants.exists()


def test_a_visitor_has_one_hash_a_day_and_another_the_next_day(cast: Cast):
    code = own_post(cast).tracked_link.code
    with time_machine.travel(NOW, tick=False) as traveller:
        follow(code)
        traveller.shift(datetime.timedelta(hours=3))
        follow(code)
        follow(code, user_agent=BROWSER + " Edg/131.0")
        first_day = VisitorSalt.objects.get(day=NOW.date())
        traveller.shift(datetime.timedelta(days=1))
        follow(code)
    same, later, other_browser, next_day = Click.all_tenants.order_by("clicked_at", "pk")
    assert same.visitor_hash == later.visitor_hash
    assert other_browser.visitor_hash != same.visitor_hash
    assert next_day.visitor_hash != same.visitor_hash
    second_day = VisitorSalt.objects.get(day=NOW.date() + datetime.timedelta(days=1))
    assert second_day.salt != first_day.salt
    assert re.fullmatch(r"[0-9a-f]{64}", first_day.salt)


def test_old_salts_are_forgotten(db: None):
    today = NOW.date()
    for days_ago in range(5):
        VisitorSalt.objects.create(
            day=today - datetime.timedelta(days=days_ago), salt=f"s{days_ago}"
        )
    assert links.forget_old_salts(today) == 2
    kept = sorted(VisitorSalt.objects.values_list("day", flat=True))
    assert kept == [today - datetime.timedelta(days=n) for n in (2, 1, 0)]
    assert links.forget_old_salts(today) == 0


def test_the_redirect_reads_the_link_and_records_the_click_in_one_statement(cast: Cast):
    code = own_post(cast).tracked_link.code
    follow(code)  # the day's salt, read once per process
    with CaptureQueriesContext(connection) as captured:
        response = follow(code)
    assert response.status_code == 302
    queries = [
        query["sql"]
        for query in captured.captured_queries
        # The test's own transaction makes the click's a savepoint.
        if not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]
    if connection.vendor == "postgresql":
        (statement,) = queries
        assert "FROM content_trackedlink" in statement
        assert "INSERT INTO content_click" in statement
        # Inside a transaction (the test's own) it leaves the commit's setting alone.
        assert "synchronous_commit" not in statement
    else:
        select, insert = queries
        assert select.startswith("SELECT")
        assert "content_trackedlink" in select
        assert insert.startswith("INSERT")
        assert "content_click" in insert
    assert Click.all_tenants.count() == 2


@pytest.mark.django_db(transaction=True)
def test_on_its_own_the_redirect_is_one_round_trip_whose_commit_does_not_wait(cast: Cast):
    code = own_post(cast).tracked_link.code
    follow(code)  # the day's salt, read once per process
    with CaptureQueriesContext(connection) as captured:
        response = follow(code)
    assert response.status_code == 302
    assert Click.all_tenants.count() == 2
    if connection.vendor != "postgresql":
        return  # SQLite: a read and an insert, as above
    (statement,) = [query["sql"] for query in captured.captured_queries]
    assert "INSERT INTO content_click" in statement
    assert "set_config('synchronous_commit', 'off', true)" in statement
    # The setting was the statement's transaction's only: the connection is as it was.
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("on",)


def test_a_link_of_any_organization_redirects_without_signing_in(cast: Cast):
    globex_post = create_post(
        organization=cast.globex,
        author=cast.membership(cast.gus, cast.globex),
        draft=PostDraft(text="Globex news", link_url="https://globex.example/news"),
        intent=Intent.DRAFT,
    )
    response = follow(globex_post.tracked_link.code)
    assert response["Location"].startswith("https://globex.example/news?")
    assert Click.all_tenants.get().organization == cast.globex


def test_editing_a_posts_link_keeps_its_code(cast: Cast):
    post = own_post(cast, "https://acme.example/first")
    code = post.tracked_link.code
    post = update_post(
        post=post,
        actor=cast.membership(cast.emma, cast.acme),
        draft=PostDraft(text="Worth a read", link_url="https://acme.example/second"),
        intent=Intent.DRAFT,
    )
    link = TrackedLink.all_tenants.get(post=post)
    assert link.code == code
    assert link.destination.startswith("https://acme.example/second?utm_source=linkedin")
    assert follow(code)["Location"] == link.destination


def test_a_post_without_a_link_has_no_tracked_link(cast: Cast):
    post = create_post(
        organization=cast.acme,
        author=cast.membership(cast.emma, cast.acme),
        draft=PostDraft(text="Just words"),
        intent=Intent.DRAFT,
    )
    assert not TrackedLink.all_tenants.filter(post=post).exists()
    tip = ContentItemFactory(organization=cast.acme, kind="tip", url="")
    shared_tip = create_post(
        organization=cast.acme,
        author=cast.membership(cast.emma, cast.acme),
        draft=PostDraft(text="A tip"),
        intent=Intent.DRAFT,
        content_item=tip,
    )
    assert not TrackedLink.all_tenants.filter(post=shared_tip).exists()
    # Taking the link out of a draft takes its tracked link too.
    linked = own_post(cast)
    update_post(
        post=linked,
        actor=cast.membership(cast.emma, cast.acme),
        draft=PostDraft(text="No link after all"),
        intent=Intent.DRAFT,
    )
    assert not TrackedLink.all_tenants.filter(post=linked).exists()


def test_codes_are_long_and_random(cast: Cast):
    codes = {own_post(cast, f"https://acme.example/{n}").tracked_link.code for n in range(5)}
    assert len(codes) == 5
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{12}", code) for code in codes)


def test_the_post_page_shows_the_short_link_and_its_clicks(cast: Cast, client_for):
    post = own_post(cast)
    Post.all_tenants.filter(pk=post.pk).update(
        status=Post.Status.PUBLISHED, linkedin_urn="urn:li:share:1", published_at=NOW
    )
    code = post.tracked_link.code
    follow(code)
    follow(code)  # the same visitor again
    follow(code, user_agent=BROWSER + " Firefox")
    follow(code, user_agent="LinkedInBot/1.0")
    response = client_for(cast.emma).get(
        reverse("content:post_detail", args=["acme", post.public_id])
    )
    assert response.context["short_url"].endswith(f"/l/{code}")
    assert response.context["clicks"] == {"clicks": 3, "visitors": 2}
