"""Webhooks against a real HTTP receiver on loopback: signed deliveries, retries with backoff,
no redirects, the SSRF rules, switching off after repeated failures (and the admins' mail),
secret rotation, the weekly report and the admin pages."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from advocacy.tenancy.models import AuditEntry, Membership
from advocacy.webhooks import delivery, services, signing, tasks
from advocacy.webhooks.models import Event, WebhookDelivery, WebhookEndpoint
from analytics.growth import growth_report
from content import fetching
from content.models import Post

from .api_support import api_for
from .conftest import Cast
from .factories import ContentItemFactory, PostFactory
from .http_servers import Site, in_turn, page, redirect, servers
from .publishing_support import LinkedIn, run_publisher

pytestmark = pytest.mark.django_db
DOCS = Path(__file__).resolve().parent.parent / "docs" / "api.md"
Status = WebhookDelivery.Status


def documented_verify() -> Any:
    """The verifier docs/api.md gives receivers, run as it is written there."""
    block = re.search(r"```python\n(.*?)```", DOCS.read_text(), re.DOTALL)
    assert block is not None
    namespace: dict[str, Any] = {}
    exec(block.group(1), namespace)  # noqa: S102 (our own documentation, checked here)
    return namespace["verify"]


@pytest.fixture
def loopback(settings: Any):
    """Receivers on 127.0.0.1, which deliveries may reach (as an operator's intranet)."""
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.WEBHOOK_TIMEOUT_SECONDS = 3
    with servers() as opened:
        yield opened


def receiver(loopback: Any, *answers: Any) -> Site:
    site: Site = loopback.site()
    site.routes["/hook"] = in_turn(*answers) if answers else page("ok", content_type="text/plain")
    return site


def endpoint_for(cast: Cast, site: Site, *events: str) -> tuple[WebhookEndpoint, str]:
    return services.create_endpoint(
        organization=cast.acme,
        actor=cast.alice,
        url=site.url("/hook"),
        events=list(events) or [Event.CONTENT_CREATED],
    )


def deliveries(endpoint: WebhookEndpoint) -> list[WebhookDelivery]:
    return list(WebhookDelivery.all_tenants.filter(endpoint=endpoint).order_by("pk"))


# Signatures ------------------------------------------------------------------------------


def test_a_signature_verifies_only_with_its_secret_body_and_time():
    body = b'{"id": "1", "type": "ping"}'
    now = 1_800_000_000
    header = signing.signature_header(["whsec_one"], now, body)
    assert re.fullmatch(r"t=1800000000,v1=[0-9a-f]{64}", header)
    assert signing.verify(header, body, "whsec_one", now=now + 10)
    assert not signing.verify(header, body, "whsec_two", now=now)
    assert not signing.verify(header, body + b" ", "whsec_one", now=now)
    assert not signing.verify(header, body, "whsec_one", now=now + 301)  # a replay, later
    assert not signing.verify(
        header.replace("t=1800000000", "t=1800000001"), body, "whsec_one", now=now
    )
    assert not signing.verify("v1=abc", body, "whsec_one", now=now)
    two = signing.signature_header(["whsec_new", "whsec_old"], now, body)
    assert signing.verify(two, body, "whsec_old", now=now)
    assert signing.verify(two, body, "whsec_new", now=now)


# Deliveries ------------------------------------------------------------------------------


def test_a_new_item_is_delivered_signed_to_the_receiver(
    cast: Cast, loopback: Any, django_capture_on_commit_callbacks
):
    site = receiver(loopback)
    endpoint, secret = endpoint_for(cast, site)
    with django_capture_on_commit_callbacks(execute=True):
        created = api_for(cast.carol, cast.acme).post(
            "content-items", {"title": "Data engineer in Aarhus", "captions": ["Join us"]}
        )
    assert created.status_code == 201
    [body] = site.bodies
    [headers] = site.request_headers
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Advocacy-Event"] == "content.created"
    assert documented_verify()(secret, headers["X-Advocacy-Signature"], body)
    assert not documented_verify()("whsec_someone_else", headers["X-Advocacy-Signature"], body)
    event = json.loads(body)
    assert event["type"] == "content.created"
    assert event["organization"] == {"id": str(cast.acme.public_id), "slug": "acme"}
    # The same shape as the API's own answer.
    assert event["data"]["content_item"] == created.json()
    [made] = deliveries(endpoint)
    assert (made.status, made.attempts, made.response_status) == (Status.DELIVERED, 1, 200)
    assert headers["X-Advocacy-Delivery"] == str(made.public_id)
    assert str(made.event_id) == event["id"]


def test_passing_trouble_is_tried_again_with_the_same_body(
    cast: Cast, loopback: Any, django_capture_on_commit_callbacks
):
    site = receiver(loopback, page("down", status=503), page("busy", status=429), page("ok"))
    endpoint, secret = endpoint_for(cast, site)
    with django_capture_on_commit_callbacks(execute=True):
        services.queue_event(
            organization=cast.acme, event=Event.CONTENT_CREATED, data={"n": 1}, endpoints=[endpoint]
        )
    assert len(site.bodies) == 3
    assert len(set(site.bodies)) == 1
    assert len({headers["X-Advocacy-Delivery"] for headers in site.request_headers}) == 1
    for headers, body in zip(site.request_headers, site.bodies, strict=True):
        assert signing.verify(headers["X-Advocacy-Signature"], body, secret)
    [made] = deliveries(endpoint)
    assert made.status == Status.DELIVERED
    assert made.attempts == 3
    assert [entry["status"] for entry in made.attempt_log] == [503, 429, 200]
    assert made.delivered_at is not None
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0


def test_the_backoff_doubles_with_jitter_up_to_half_an_hour():
    for attempt, (low, high) in {1: (15, 30), 2: (30, 60), 4: (120, 240), 12: (900, 1800)}.items():
        waits = [delivery.backoff_seconds(attempt) for _ in range(50)]
        assert all(low <= wait <= high for wait in waits), (attempt, min(waits), max(waits))
        assert len(set(waits)) > 1  # jittered
    assert delivery.backoff_seconds(1, retry_after=600) >= 600
    assert delivery.backoff_seconds(1, retry_after=99_999) <= 1800


def test_an_unreachable_receiver_is_tried_again_later(cast: Cast, loopback: Any):
    site = receiver(loopback)
    endpoint, _secret = endpoint_for(cast, site)
    site.close()  # nobody answers there now
    [made] = services.queue_event(
        organization=cast.acme, event=Event.CONTENT_CREATED, data={}, endpoints=[endpoint]
    )
    outcome = delivery.attempt_delivery(organization=cast.acme, delivery_id=made.pk)
    assert outcome.status == Status.RETRYING
    assert 15 <= (outcome.retry_in or 0) <= 30
    made.refresh_from_db()
    assert made.status == Status.RETRYING
    assert made.next_attempt_at is not None
    assert made.attempt_log[0]["status"] is None
    assert made.error


def test_a_client_error_or_a_redirect_fails_at_once_and_is_not_followed(
    cast: Cast, loopback: Any, django_capture_on_commit_callbacks
):
    wire = loopback.tripwire()
    elsewhere = f"http://127.0.0.1:{wire.port}/steal"
    for answer, status in ((page("no", status=410), 410), (redirect(elsewhere, status=307), 307)):
        site = receiver(loopback, answer)
        endpoint, _secret = endpoint_for(cast, site)
        with django_capture_on_commit_callbacks(execute=True):
            services.send_test(endpoint=endpoint, actor=cast.alice)
        [made] = deliveries(endpoint)
        assert (made.status, made.attempts, made.response_status) == (Status.FAILED, 1, status)
        assert len(site.bodies) == 1
    assert not wire.touched


def test_endpoints_keep_to_the_ssrf_rules_at_save_and_at_delivery(
    cast: Cast, loopback: Any, settings
):
    site = receiver(loopback)
    endpoint, _secret = endpoint_for(cast, site)
    settings.FETCH_ALLOWED_NETWORKS = []
    for url in (
        site.url("/hook"),
        "https://10.0.0.7/hook",
        "https://[::1]/hook",
        "http://93.184.216.34/hook",
    ):
        with pytest.raises(ValidationError) as refused:
            services.create_endpoint(
                organization=cast.acme, actor=cast.alice, url=url, events=[Event.CONTENT_CREATED]
            )
        assert "url" in refused.value.message_dict, url
    # Saved while the network was allowed; refused at delivery now, before any connection.
    [made] = services.queue_event(
        organization=cast.acme, event=Event.CONTENT_CREATED, data={}, endpoints=[endpoint]
    )
    outcome = delivery.attempt_delivery(organization=cast.acme, delivery_id=made.pk)
    assert outcome.status == Status.FAILED
    assert site.connections == 0
    made.refresh_from_db()
    assert "private or reserved" in made.error


def test_after_repeated_failures_the_endpoint_is_switched_off_and_admins_are_mailed(
    cast: Cast, loopback: Any, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 3
    site = receiver(loopback, page("broken", status=500))
    endpoint, _secret = endpoint_for(cast, site)
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(3):
            services.queue_event(
                organization=cast.acme,
                event=Event.CONTENT_CREATED,
                data={"n": number},
                endpoints=[endpoint],
            )
    first, second, third = deliveries(endpoint)
    assert (first.status, first.attempts) == (Status.FAILED, 2)
    assert (second.status, second.attempts) == (Status.FAILED, 1)  # the third failure in a row
    assert third.status == Status.CANCELLED
    assert len(site.bodies) == 3
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert endpoint.disabled_reason
    assert (
        AuditEntry.all_tenants.filter(organization=cast.acme, action="webhook.disabled").count()
        == 1
    )
    [message] = mail.outbox
    assert message.to == [cast.alice.email]
    assert endpoint.url in message.body
    assert f"/o/acme/settings/webhooks/{endpoint.public_id}/" in message.body
    # Switched on again, it starts afresh.
    page_response = api_free_admin(cast).post(
        f"/o/acme/settings/webhooks/{endpoint.public_id}/",
        {"url": endpoint.url, "events": endpoint.events, "description": "", "is_active": "on"},
    )
    assert page_response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.consecutive_failures, endpoint.disabled_reason) == (
        True,
        0,
        "",
    )


def api_free_admin(cast: Cast) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(cast.alice)
    return client


def test_a_new_secret_signs_beside_the_old_one_for_a_day(
    cast: Cast, loopback: Any, django_capture_on_commit_callbacks
):
    site = receiver(loopback)
    endpoint, old = endpoint_for(cast, site)
    new = services.rotate_secret(endpoint=endpoint, actor=cast.alice)
    assert new != old
    endpoint.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_test(endpoint=endpoint, actor=cast.alice)
    header, body = site.request_headers[-1]["X-Advocacy-Signature"], site.bodies[-1]
    assert header.count("v1=") == 2
    assert signing.verify(header, body, new)
    assert signing.verify(header, body, old)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=25)):
        with django_capture_on_commit_callbacks(execute=True):
            services.send_test(endpoint=endpoint, actor=cast.alice)
        header, body = site.request_headers[-1]["X-Advocacy-Signature"], site.bodies[-1]
        assert header.count("v1=") == 1
        assert signing.verify(header, body, new)
        assert not signing.verify(header, body, old)


# Events from the apps below --------------------------------------------------------------


def test_a_published_post_is_announced(cast: Cast, linkedin: LinkedIn, settings):
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    with servers() as opened:
        site = receiver(opened)
        endpoint_for(cast, site, Event.POST_PUBLISHED)
        response = api_for(cast.emma, cast.acme).post(
            "posts", {"text": "Out it goes, in my own words.", "intent": "now"}
        )
        assert response.status_code == 201
        post = Post.all_tenants.get(public_id=response.json()["id"])
        assert post.status == Post.Status.PUBLISHED
        [body] = site.bodies
    event = json.loads(body)
    assert event["type"] == "post.published"
    assert event["data"]["post"]["id"] == str(post.public_id)
    assert event["data"]["post"]["linkedin_url"] == post.feed_url


def test_a_failed_post_is_announced(cast: Cast, loopback: Any, django_capture_on_commit_callbacks):
    site = receiver(loopback)
    endpoint_for(cast, site, Event.POST_FAILED, Event.POST_PUBLISHED)
    post = PostFactory(
        author=cast.membership(cast.emma, cast.acme),
        status=Post.Status.SCHEDULED,
        scheduled_for=timezone.now(),
        next_attempt_at=timezone.now(),
        linkedin_urn="",
        published_at=None,
    )
    Membership.all_tenants.filter(pk=post.author_id).update(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        run_publisher(cast.acme)
    [body] = site.bodies
    event = json.loads(body)
    assert event["type"] == "post.failed"
    assert event["data"]["post"]["status"] == "failed"
    assert event["data"]["post"]["failure_reason"]


def test_a_campaign_going_live_is_announced_and_nobody_listening_costs_nothing(
    cast: Cast, loopback: Any, django_capture_on_commit_callbacks
):
    carol = api_for(cast.carol, cast.acme)
    with django_capture_on_commit_callbacks(execute=True):
        assert carol.post("campaigns", {"name": "Unheard", "status": "live"}).status_code == 201
    assert not WebhookDelivery.all_tenants.exists()
    site = receiver(loopback)
    endpoint_for(cast, site, Event.CAMPAIGN_STARTED)
    with django_capture_on_commit_callbacks(execute=True):
        draft = carol.post("campaigns", {"name": "Autumn hiring"}).json()
    assert site.bodies == []  # a draft has not started
    with django_capture_on_commit_callbacks(execute=True):
        carol.patch(f"campaigns/{draft['id']}", {"status": "live"})
    [body] = site.bodies
    assert json.loads(body)["data"]["campaign"]["name"] == "Autumn hiring"


def test_last_weeks_report_goes_out_once(
    cast: Cast, loopback: Any, django_capture_on_commit_callbacks
):
    site = receiver(loopback)
    endpoint, _secret = endpoint_for(cast, site, Event.REPORT_WEEKLY)
    ContentItemFactory(organization=cast.acme)
    with time_machine.travel(dt.datetime(2026, 11, 2, 6, 23, tzinfo=dt.UTC)):  # a Monday
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.send_weekly_reports() == 1
            tasks.send_weekly_reports()  # beat ran twice: nothing more goes out
        expected = growth_report(cast.acme, dt.date(2026, 10, 26), dt.date(2026, 11, 1)).as_json()
    [body] = site.bodies
    event = json.loads(body)
    assert event["type"] == "report.weekly"
    assert event["data"]["report"] == expected
    assert len(deliveries(endpoint)) == 1


# The admin pages -------------------------------------------------------------------------


def test_an_admin_adds_an_endpoint_and_sees_its_secret_once(
    cast: Cast, loopback: Any, client_for, django_capture_on_commit_callbacks
):
    site = receiver(loopback)
    alice = client_for(cast.alice)
    refused = alice.post(
        "/o/acme/settings/webhooks/",
        {"url": "https://192.168.1.20/hook", "events": ["post.published"]},
    )
    assert refused.status_code == 200
    assert "url" in refused.context["form"].errors
    assert not WebhookEndpoint.all_tenants.exists()

    created = alice.post(
        "/o/acme/settings/webhooks/",
        {
            "url": site.url("/hook"),
            "events": ["post.published", "report.weekly"],
            "description": "CRM",
        },
    )
    assert created.status_code == 200
    assert "no-store" in created["Cache-Control"]
    secret = created.context["secret"]
    assert secret.startswith("whsec_")
    endpoint = WebhookEndpoint.all_tenants.get()
    assert secret not in endpoint.secret_encrypted
    assert endpoint.events == ["post.published", "report.weekly"]
    listing = alice.get("/o/acme/settings/webhooks/").content.decode()
    assert site.url("/hook") in listing
    assert secret not in listing

    with django_capture_on_commit_callbacks(execute=True):
        tested = alice.post(f"/o/acme/settings/webhooks/{endpoint.public_id}/test/")
    assert tested.status_code == 302
    detail = alice.get(f"/o/acme/settings/webhooks/{endpoint.public_id}/").content.decode()
    assert secret not in detail
    assert "ping" in detail
    assert "200" in detail
    rotated = alice.post(f"/o/acme/settings/webhooks/{endpoint.public_id}/rotate/")
    assert rotated.context["secret"] not in {secret, ""}
    assert alice.post(f"/o/acme/settings/webhooks/{endpoint.public_id}/delete/").status_code == 302
    assert not WebhookEndpoint.all_tenants.exists()


# The POST behind it (content/fetching.py) ------------------------------------------------


def test_post_sends_the_body_and_follows_no_redirect(loopback: Any):
    site = receiver(loopback, redirect("/elsewhere"))
    site.routes["/elsewhere"] = page("should not be reached")
    answer = fetching.post(site.url("/hook"), body=b'{"a": 1}', headers={"X-Test": "yes"})
    assert answer.status == 302
    assert site.paths == ["/hook"]
    assert site.bodies == [b'{"a": 1}']
    assert site.request_headers[0]["X-Test"] == "yes"


def test_post_reads_only_the_start_of_a_long_answer(loopback: Any):
    site = receiver(loopback, page(b"x" * 100_000))
    answer = fetching.post(site.url("/hook"), body=b"{}", max_bytes=1000)
    assert (answer.status, len(answer.body)) == (200, 1000)


def test_post_refuses_plain_http_outside_the_allowed_networks(loopback: Any, settings):
    wire = loopback.tripwire()
    settings.FETCH_ALLOWED_NETWORKS = []
    for url in (f"http://127.0.0.1:{wire.port}/", "http://93.184.216.34/", "ftp://example.com/"):
        with pytest.raises(fetching.FetchRefused):
            fetching.post(url, body=b"{}")
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    with pytest.raises(fetching.FetchRefused):
        fetching.check_destination("http://93.184.216.34/", require_https=True)
    fetching.check_destination(f"http://127.0.0.1:{wire.port}/", require_https=True)
    fetching.check_destination("https://93.184.216.34/", require_https=True)
    assert not wire.touched


def test_a_receiver_that_fails_never_breaks_the_change(
    cast: Cast, django_capture_on_commit_callbacks, caplog
):
    from content.signals import content_created

    def broken(sender: Any, **kwargs: Any) -> None:
        raise RuntimeError("the broker is down")

    content_created.connect(broken, dispatch_uid="test.broken")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            created = api_for(cast.carol, cast.acme).post("content-items", {"title": "Still here"})
    finally:
        content_created.disconnect(dispatch_uid="test.broken")
    assert created.status_code == 201
    assert "the broker is down" in caplog.text
