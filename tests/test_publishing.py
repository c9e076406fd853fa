"""Publishing through the LinkedIn sandbox, at most once (ARCHITECTURE.md, flow 3).

Real HTTP to the sandbox on the live server; LinkedIn's failures come from scenario faults,
and what LinkedIn holds is read from the sandbox's own tables. The crash tests cut the
publisher off between sending and recording, the one place a second post could come from.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, connections
from django.utils import timezone

from advocacy.linkedin.models import Connection
from advocacy.sandbox import models as sandbox
from advocacy.tenancy.scope import tenant_scope
from content import publishing
from content import tasks as content_tasks
from content.models import CampaignItem, ContentItem, Post, PublishAttempt, TrackedLink
from content.sharing import Intent, PostDraft, create_post

from .conftest import Cast
from .factories import CampaignFactory, ContentItemFactory
from .publishing_support import (
    PNG,
    LinkedIn,
    due_now,
    reload,
    run_publisher,
)

live = pytest.mark.django_db(transaction=True)
# Statements of one publish_claimed, the sandbox's own left out (on SQLite its transaction
# statements share the connection and cannot be told apart).
PUBLISH_QUERIES = {"postgresql": 8, "sqlite": 12}
pytestmark = live
Status = Post.Status


def share(
    cast: Cast,
    text: str = "What I learned at the fair",
    *,
    intent: str = Intent.NOW,
    item=None,
    **draft,
):
    """Emma shares (or posts) through the service, as the composer does."""
    when = timezone.now() + timedelta(hours=1) if intent == Intent.SCHEDULE else None
    return create_post(
        organization=cast.acme,
        author=cast.membership(cast.emma, cast.acme),
        draft=PostDraft(text=text, **draft),
        intent=intent,
        scheduled_for=when,
        content_item=item,
    )


def scheduled_due(cast: Cast, text: str = "Scheduled for later", **kwargs) -> Post:
    post = share(cast, text, intent=Intent.SCHEDULE, **kwargs)
    due_now(post)
    return post


# What goes to LinkedIn ------------------------------------------------------------------------


def test_share_now_publishes_a_text_post_once(cast: Cast, linkedin: LinkedIn):
    post = reload(share(cast, "Fair recap (part 1) #events"))
    assert post.status == Status.PUBLISHED
    [made] = linkedin.posts()
    assert post.linkedin_urn == made.urn
    assert post.published_at is not None
    # Escaped as little text, the hashtag kept: LinkedIn cuts nothing.
    assert made.submitted_commentary == "Fair recap \\(part 1\\) #events"
    assert made.commentary == made.submitted_commentary
    assert post.feed_url == f"https://www.linkedin.com/feed/update/{made.urn}"
    [attempt] = PublishAttempt.all_tenants.filter(post=post)
    assert attempt.outcome == PublishAttempt.Outcome.PUBLISHED
    assert not attempt.reconciling


def test_a_shared_link_carries_the_preview_and_the_tracked_link(
    cast: Cast, linkedin: LinkedIn, settings, tmp_path
):
    campaign = CampaignFactory(organization=cast.acme, name="Spring Hiring", status="live")
    item = ContentItemFactory(
        organization=cast.acme,
        title="We are hiring",
        kind="job",
        url="https://acme.example/jobs/42?ref=site",
        preview_title="Data engineer, Copenhagen",
        preview_description="Join the platform team",
        preview_image="orgs/x/previews/card.png",
        is_company_content=True,
    )
    settings.MEDIA_ROOT = str(tmp_path)
    (tmp_path / "orgs/x/previews").mkdir(parents=True)
    (tmp_path / "orgs/x/previews/card.png").write_bytes(PNG)
    CampaignItem.all_tenants.create(organization=cast.acme, campaign=campaign, content_item=item)
    post = reload(share(cast, "We need you!", item=item))
    assert post.status == Status.PUBLISHED
    assert post.campaign == campaign
    assert post.is_company_content
    [made] = linkedin.posts()
    article = made.body["content"]["article"]
    code = post.tracked_link.code
    assert article["source"] == f"{settings.SITE_URL}/l/{code}"
    assert article["title"] == "Data engineer, Copenhagen"
    assert article["description"] == "Join the platform team"
    image = sandbox.Image.objects.get(urn=article["thumbnail"])
    assert image.owner_urn == "urn:li:person:m-emma"
    assert image.status == "AVAILABLE"
    assert bytes(image.data) == PNG
    assert post.tracked_link.destination == (
        "https://acme.example/jobs/42?ref=site&utm_source=linkedin"
        "&utm_medium=employee_advocacy&utm_content=we-are-hiring&utm_campaign=spring-hiring"
    )


def test_an_own_post_with_an_image_is_an_image_post(
    cast: Cast, linkedin: LinkedIn, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = str(tmp_path)
    upload = SimpleUploadedFile("team.png", PNG, content_type="image/png")
    post = reload(share(cast, "Our team today", image=upload, image_alt_text="Five people"))
    assert post.status == Status.PUBLISHED
    [made] = linkedin.posts()
    assert made.kind == sandbox.Post.Kind.UGC_POST
    media = made.body["content"]["media"]
    assert media["altText"] == "Five people"
    assert sandbox.Image.objects.get(urn=media["id"]).owner_urn == "urn:li:person:m-emma"
    assert post.linkedin_urn.startswith("urn:li:ugcPost:")


def test_a_tip_is_a_text_post_without_a_link(cast: Cast, linkedin: LinkedIn):
    tip = ContentItemFactory(organization=cast.acme, kind=ContentItem.Kind.TIP, url="", title="Tip")
    post = reload(share(cast, "One thing I do every Monday", item=tip))
    [made] = linkedin.posts()
    assert "content" not in made.body
    assert post.status == Status.PUBLISHED
    assert not TrackedLink.all_tenants.filter(post=post).exists()


# Failures that leave nothing on LinkedIn -----------------------------------------------------


def test_a_429_is_retried_later_and_sends_once(cast: Cast, linkedin: LinkedIn):
    linkedin.fault("posts.create", status=429, retry_after=30)
    post = reload(share(cast))
    assert post.status == Status.SCHEDULED
    assert post.sent_at is None  # LinkedIn made nothing: no reconciliation needed
    assert post.next_attempt_at > timezone.now() + timedelta(seconds=20)
    assert "slow down" in post.waiting_reason
    assert linkedin.posts() == []
    linkedin.clear_faults()
    assert run_publisher(cast.acme) == []  # not due yet
    due_now(post)
    assert run_publisher(cast.acme) == [PublishAttempt.Outcome.PUBLISHED]
    assert len(linkedin.posts()) == 1
    assert reload(post).status == Status.PUBLISHED


def test_a_server_error_is_reconciled_and_a_post_that_truly_failed_is_sent_once(
    cast: Cast, linkedin: LinkedIn
):
    linkedin.fault("posts.create", status=500)
    post = reload(share(cast))
    # A 500 after a create: LinkedIn may or may not have it. Kept as unknown.
    assert post.status == Status.SCHEDULED
    assert post.sent_at is not None
    assert linkedin.posts() == []  # (the sandbox's 500 came before it stored anything)
    linkedin.clear_faults()
    due_now(post)
    assert run_publisher(cast.acme) == [PublishAttempt.Outcome.PUBLISHED]
    post = reload(post)
    assert post.status == Status.PUBLISHED
    [made] = linkedin.posts()
    assert post.linkedin_urn == made.urn
    outcomes = list(
        PublishAttempt.all_tenants.filter(post=post).values_list("reconciling", "outcome")
    )
    assert outcomes == [(False, "unknown"), (True, "published")]


def test_a_timeout_after_sending_is_reconciled_by_the_duplicate_answer(
    cast: Cast, linkedin: LinkedIn, settings
):
    # LinkedIn takes its time; the client gives up first. The post exists all the same.
    settings.LINKEDIN_TIMEOUT_SECONDS = 0.3
    linkedin.fault("posts.create", latency_ms=900)
    post = reload(share(cast, "Slow day at the office"))
    assert post.status == Status.SCHEDULED
    assert post.sent_at is not None
    time.sleep(1.0)  # the sandbox finishes storing it
    [made] = linkedin.posts()
    linkedin.clear_faults()
    due_now(post)
    assert run_publisher(cast.acme) == [PublishAttempt.Outcome.RECONCILED]
    post = reload(post)
    assert (post.status, post.linkedin_urn) == (Status.PUBLISHED, made.urn)
    assert post.published_at == post.sent_at
    assert len(linkedin.posts()) == 1  # the second send made no second post


def test_a_crash_between_sending_and_recording_makes_no_second_post(
    cast: Cast, linkedin: LinkedIn, settings
):
    """The worker is gone after LinkedIn made the post and before the URN was stored: the
    post is left PUBLISHING with `sent_at`, as a killed process leaves it."""
    post = scheduled_due(cast, "Crash test")
    [claim] = publishing.claim_due_posts(timezone.now())
    with tenant_scope(cast.acme):
        live_post = Post.objects.for_org(cast.acme).get(pk=post.pk)
        send_claim = publishing._begin(live_post, claim.claim_id, timezone.now())
    assert send_claim is not None
    # The call reaches LinkedIn (the same client path a worker takes) ...
    connection_ = Connection.objects.get(user=cast.emma)
    from advocacy.linkedin.services import client_for

    client_for(connection_).create_text_post(connection_.member_urn, "Crash test")
    # ... and the process dies here: nothing more is written.
    assert len(linkedin.posts()) == 1
    assert reload(post).status == Status.PUBLISHING
    # Ten minutes later the claim is stale; the next run reconciles instead of re-posting.
    later = timezone.now() + publishing.STALE_CLAIM + timedelta(seconds=1)
    with time_machine.travel(later, tick=True):
        assert run_publisher(cast.acme, now=later) == [PublishAttempt.Outcome.RECONCILED]
    post = reload(post)
    assert post.status == Status.PUBLISHED
    assert post.linkedin_urn == linkedin.posts()[0].urn
    assert len(linkedin.posts()) == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL only: a killed worker process needs a database another process shares",
)
def test_a_worker_process_killed_mid_call_makes_no_second_post(
    cast: Cast, linkedin: LinkedIn, settings
):
    """A real process, killed with SIGKILL while LinkedIn is still answering its call."""
    linkedin.fault("posts.create", latency_ms=1500)
    post = scheduled_due(cast, "Killed mid-call")
    [claim] = publishing.claim_due_posts(timezone.now())
    connections.close_all()
    child = os.fork()
    if child == 0:  # the worker
        try:
            with tenant_scope(cast.acme):
                publishing.publish_claimed(
                    organization=cast.acme, post_id=post.pk, claim_id=claim.claim_id
                )
        finally:
            os._exit(0)
    try:
        # Killed once the request is with LinkedIn, which is still "thinking" (the latency).
        wait_for(lambda: linkedin.calls("posts.create") >= 1, "the worker never called LinkedIn")
        os.kill(child, signal.SIGKILL)
    finally:
        os.waitpid(child, 0)
    wait_for(lambda: len(linkedin.posts()) == 1, "LinkedIn never stored the post")
    [made] = linkedin.posts()
    attempt = PublishAttempt.all_tenants.get(post=post)
    assert attempt.outcome == PublishAttempt.Outcome.SENDING  # the worker never heard back
    assert reload(post).status == Status.PUBLISHING
    linkedin.clear_faults()
    later = timezone.now() + publishing.STALE_CLAIM + timedelta(seconds=1)
    with time_machine.travel(later, tick=True):
        assert run_publisher(cast.acme, now=later) == [PublishAttempt.Outcome.RECONCILED]
    assert reload(post).linkedin_urn == made.urn
    assert len(linkedin.posts()) == 1


def test_a_due_post_is_claimed_once_and_a_claim_sends_once(cast: Cast, linkedin: LinkedIn):
    posts = [scheduled_due(cast, f"Twice {number}") for number in range(3)]
    first = publishing.claim_due_posts(timezone.now())
    assert sorted(claim.post_id for claim in first) == sorted(post.pk for post in posts)
    assert publishing.claim_due_posts(timezone.now()) == []
    # The same claim delivered twice (a redelivered task): the second finds it spent.
    claim = first[0]
    with tenant_scope(cast.acme):
        outcomes = [
            publishing.publish_claimed(
                organization=cast.acme, post_id=claim.post_id, claim_id=claim.claim_id
            )
            for _ in range(2)
        ]
    assert outcomes == ["published", "not claimed"]
    assert len(linkedin.posts()) == 1


def test_publishing_a_claimed_post_reads_and_writes_a_fixed_handful_of_rows(
    cast: Cast, linkedin: LinkedIn
):
    """The post, its author, their user and their LinkedIn connection in one read; then the
    send claim, the publish, the attempt log and the webhooks: the same few statements for
    every post, whatever the organization's size."""
    from django.test.utils import CaptureQueriesContext

    counts = []
    for number in range(2):
        scheduled_due(cast, f"Counted {number}")
        [claim] = publishing.claim_due_posts(timezone.now())
        with tenant_scope(cast.acme), CaptureQueriesContext(connection) as queries:
            outcome = publishing.publish_claimed(
                organization=cast.acme, post_id=claim.post_id, claim_id=claim.claim_id
            )
        assert outcome == "published"
        # On SQLite the live sandbox shares the connection: its own statements are left out.
        reads = [
            query["sql"] for query in queries.captured_queries if "sandbox_" not in query["sql"]
        ]
        counts.append(len(reads))
        assert not any(sql.startswith('SELECT "linkedin_connection"') for sql in reads)
    assert counts[0] == counts[1] <= PUBLISH_QUERIES[connection.vendor]
    assert len(linkedin.posts()) == 2


def test_the_periodic_publisher_hands_out_batch_after_batch_in_one_run(
    cast: Cast, linkedin: LinkedIn, monkeypatch: pytest.MonkeyPatch
):
    """Thousands due at 09:00 go out in that minute, not one batch a minute."""
    monkeypatch.setattr(publishing, "CLAIM_BATCH", 2)
    posts = [scheduled_due(cast, f"Morning post {number}") for number in range(5)]
    assert content_tasks.publish_due_posts() == 5
    assert {reload(post).status for post in posts} == {Status.PUBLISHED}
    assert len(linkedin.posts()) == 5
    assert content_tasks.publish_due_posts() == 0


def test_a_big_burst_goes_out_several_posts_a_task_and_a_small_one_a_post_a_task():
    def claims(organizations: dict[int, int]) -> list[publishing.Claimed]:
        claim_id = uuid.uuid4()
        return [
            publishing.Claimed(organization_id, organization_id * 10_000 + number, claim_id)
            for organization_id, count in organizations.items()
            for number in range(count)
        ]

    small = content_tasks.publishing_groups(claims({1: 5, 2: 3}))
    assert [len(post_ids) for _org, post_ids, _claim in small] == [1] * 8
    burst = claims({1: 480, 2: 15, 3: 5})
    big = content_tasks.publishing_groups(burst)
    sizes = {org: [len(ids) for o, ids, _claim in big if o == org] for org in (1, 2, 3)}
    assert sizes == {1: [content_tasks.POSTS_PER_TASK] * 48, 2: [10, 5], 3: [5]}
    # Every claimed post in exactly one task, of its own organization, under its claim.
    handed = sorted((org, pk, claim) for org, post_ids, claim in big for pk in post_ids)
    assert handed == sorted((c.organization_id, c.post_id, str(c.claim_id)) for c in burst)
    assert all(pk // 10_000 == org for org, pk, _claim in handed)


def claimed_together(cast: Cast, count: int, text: str) -> tuple[list[Post], list[int], str]:
    posts = [scheduled_due(cast, f"{text} {number}") for number in range(count)]
    claimed = publishing.claim_due_posts(timezone.now())
    assert {claim.post_id for claim in claimed} == {post.pk for post in posts}
    return posts, [claim.post_id for claim in claimed], str(claimed[0].claim_id)


def test_one_task_publishes_its_posts_each_once_and_a_redelivery_sends_nothing(
    cast: Cast, linkedin: LinkedIn
):
    posts, post_ids, claim_id = claimed_together(cast, 3, "Together")
    assert content_tasks.publish_posts(cast.acme.pk, post_ids, claim_id) == {"published": 3}
    assert {reload(post).status for post in posts} == {Status.PUBLISHED}
    assert content_tasks.publish_posts(cast.acme.pk, post_ids, claim_id) == {"not claimed": 3}
    assert sorted(post.commentary for post in linkedin.posts()) == [
        "Together 0",
        "Together 1",
        "Together 2",
    ]


def test_a_task_reads_all_of_its_posts_in_one_query(cast: Cast, linkedin: LinkedIn):
    from django.test.utils import CaptureQueriesContext

    _posts, post_ids, claim_id = claimed_together(cast, 3, "Read once")
    with CaptureQueriesContext(connection) as queries:
        assert content_tasks.publish_posts(cast.acme.pk, post_ids, claim_id) == {"published": 3}
    post_reads = [
        sql
        for sql in (query["sql"] for query in queries.captured_queries)
        if sql.startswith('SELECT "content_post"') and "linkedin_connection" in sql
    ]
    assert len(post_reads) == 1
    assert len(linkedin.posts()) == 3


def test_a_members_posts_in_one_task_share_one_connection(cast: Cast, linkedin: LinkedIn):
    """A token refreshed for the first post is the one the second is sent with."""
    _posts, post_ids, claim_id = claimed_together(cast, 2, "Same author")
    read = publishing.read_claimed(
        organization=cast.acme, post_ids=post_ids, claim_id=uuid.UUID(claim_id)
    )
    first, second = (read[pk] for pk in post_ids)
    assert first.author is second.author
    assert first.author.user.linkedin_connection is second.author.user.linkedin_connection
    assert (
        publishing.read_claimed(organization=cast.acme, post_ids=post_ids, claim_id=uuid.uuid4())
        == {}
    )


def test_different_members_posts_go_side_by_side_and_a_members_own_in_order(
    cast: Cast, linkedin: LinkedIn, monkeypatch: pytest.MonkeyPatch, settings
):
    settings.PUBLISH_THREADS = 4
    linkedin.connect(cast.carol, "m-carol")
    carol = cast.membership(cast.carol, cast.acme)
    emmas = [scheduled_due(cast, f"Emma's {number}") for number in range(2)]
    carols = []
    for number in range(2):
        post = create_post(
            organization=cast.acme,
            author=carol,
            draft=PostDraft(text=f"Carol's {number}"),
            intent=Intent.SCHEDULE,
            scheduled_for=timezone.now() + timedelta(hours=1),
        )
        due_now(post)
        carols.append(post)
    claimed = publishing.claim_due_posts(timezone.now())
    post_ids = [claim.post_id for claim in claimed]
    assert sorted(post_ids) == sorted(post.pk for post in emmas + carols)
    side_by_side = connection.vendor == "postgresql"  # SQLite serves one writer at a time
    # Each member's first post waits at the barrier for the other's: only posts sent at the
    # same time get past it.
    barrier = threading.Barrier(2, timeout=20)
    firsts = {emmas[0].text, carols[0].text}
    send = publishing._send

    def meets_the_other(client, post, author_urn, media_urn):
        if side_by_side and post.text in firsts:
            barrier.wait()
        return send(client, post, author_urn, media_urn)

    monkeypatch.setattr(publishing, "_send", meets_the_other)
    assert content_tasks.publish_posts(cast.acme.pk, post_ids, str(claimed[0].claim_id)) == {
        "published": 4
    }
    assert [post.commentary for post in linkedin.posts("m-emma")] == ["Emma's 0", "Emma's 1"]
    assert [post.commentary for post in linkedin.posts("m-carol")] == ["Carol's 0", "Carol's 1"]
    assert {reload(post).status for post in emmas + carols} == {Status.PUBLISHED}


def test_one_posts_unexpected_error_does_not_hold_back_the_others(
    cast: Cast, linkedin: LinkedIn, monkeypatch: pytest.MonkeyPatch
):
    posts, post_ids, claim_id = claimed_together(cast, 3, "Steady")
    send = publishing._send

    def breaks_on_the_second(client, post, author_urn, media_urn):
        if post.pk == post_ids[1]:
            raise RuntimeError("a bug in the publisher")
        return send(client, post, author_urn, media_urn)

    monkeypatch.setattr(publishing, "_send", breaks_on_the_second)
    assert content_tasks.publish_posts(cast.acme.pk, post_ids, claim_id) == {
        "published": 2,
        "error": 1,
    }
    by_pk = {post.pk: reload(post) for post in posts}
    assert [by_pk[pk].status for pk in post_ids] == [
        Status.PUBLISHED,
        Status.PUBLISHING,  # still claimed: the beat claims it again once the claim is stale
        Status.PUBLISHED,
    ]
    assert by_pk[post_ids[1]].sent_at is not None  # so the next try reconciles first
    assert len(linkedin.posts()) == 2


def test_a_task_past_its_time_hands_the_rest_to_a_new_task(
    cast: Cast, linkedin: LinkedIn, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(content_tasks, "PUBLISH_TASK_SECONDS", -1)
    posts, post_ids, claim_id = claimed_together(cast, 3, "Handed on")
    # Tasks run eagerly here: the new task publishes the rest before this one returns.
    assert content_tasks.publish_posts(cast.acme.pk, post_ids, claim_id) == {
        "published": 1,
        "handed on": 2,
    }
    assert {reload(post).status for post in posts} == {Status.PUBLISHED}
    assert len(linkedin.posts()) == 3


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL only: SQLite's test database cannot serve two writers at once",
)
def test_two_workers_racing_for_a_due_post_publish_it_once(cast: Cast, linkedin: LinkedIn):
    posts = [scheduled_due(cast, f"Race {number}") for number in range(6)]
    claims: list[list[publishing.Claimed]] = []
    barrier = threading.Barrier(2)

    def beat() -> None:
        try:
            barrier.wait()
            claims.append(publishing.claim_due_posts(timezone.now()))
        finally:
            connections.close_all()

    run_together(beat, beat)
    claimed = [claim.post_id for batch in claims for claim in batch]
    assert sorted(claimed) == sorted(post.pk for post in posts)  # each once, none twice
    # Two workers holding the same claim at the same moment: only one sends.
    claim = next(claim for batch in claims for claim in batch)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def worker() -> None:
        try:
            barrier.wait()
            with tenant_scope(cast.acme):
                outcomes.append(
                    publishing.publish_claimed(
                        organization=cast.acme, post_id=claim.post_id, claim_id=claim.claim_id
                    )
                )
        finally:
            connections.close_all()

    run_together(worker, worker)
    assert sorted(outcomes) == ["not claimed", "published"]
    assert len(linkedin.posts()) == 1


def wait_for(condition, message: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, message
        time.sleep(0.05)


def run_together(*targets) -> None:
    errors: list[BaseException] = []

    def guarded(target):
        def run() -> None:
            try:
                target()
            except BaseException as error:  # reported in the test's thread
                errors.append(error)

        return run

    threads = [threading.Thread(target=guarded(target)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors


# Permanent failures and waiting -------------------------------------------------------------


def test_the_same_text_posted_before_fails_with_a_reason(cast: Cast, linkedin: LinkedIn):
    first = reload(share(cast, "Exactly these words"))
    second = reload(share(cast, "Exactly these words"))
    assert first.status == Status.PUBLISHED
    assert second.status == Status.FAILED
    assert second.failure_code == "DUPLICATE_POST"
    assert "already has a post of yours with exactly this text" in second.failure_reason
    assert second.sent_at is None
    assert len(linkedin.posts()) == 1


def test_an_expired_connection_leaves_scheduled_posts_waiting(cast: Cast, linkedin: LinkedIn):
    Connection.objects.filter(user=cast.emma).update(
        status=Connection.Status.EXPIRED, access_token_expires_at=timezone.now()
    )
    post = scheduled_due(cast, "Waiting for me")
    assert run_publisher(cast.acme) == []
    post = reload(post)
    assert post.status == Status.SCHEDULED
    assert "connect your account again" in post.waiting_reason
    assert linkedin.posts() == []
    # Emma reconnects: the next run publishes it.
    linkedin.connect(cast.emma, "m-emma")
    assert run_publisher(cast.acme) == [PublishAttempt.Outcome.PUBLISHED]
    assert reload(post).status == Status.PUBLISHED


def test_a_token_revoked_on_linkedin_makes_the_post_wait(cast: Cast, linkedin: LinkedIn):
    member = sandbox.Member.objects.get(sub="m-emma")
    sandbox.AccessToken.objects.filter(member=member).update(revoked_at=timezone.now())
    Connection.objects.filter(user=cast.emma).update(
        token_issued_at=timezone.now() - timedelta(days=2)
    )
    post = reload(share(cast))
    assert post.status == Status.SCHEDULED
    assert "withdrawn" in post.waiting_reason
    assert Connection.objects.get(user=cast.emma).status == Connection.Status.REVOKED
    assert linkedin.posts() == []


def test_without_the_posting_permission_the_post_fails_with_a_reason(
    cast: Cast, linkedin: LinkedIn
):
    linkedin.connect(cast.emma, "m-emma", scopes=["openid", "profile", "email"])
    post = reload(share(cast))
    assert post.status == Status.FAILED
    assert post.failure_code == "NO_PUBLISH_PERMISSION"
    assert "does not allow posting" in post.failure_reason


def test_a_member_who_left_has_their_scheduled_posts_failed(cast: Cast, linkedin: LinkedIn):
    post = scheduled_due(cast)
    cast.membership(cast.emma, cast.acme).__class__.all_tenants.filter(user=cast.emma).update(
        is_active=False
    )
    assert run_publisher(cast.acme) == []
    post = reload(post)
    assert (post.status, post.failure_code) == (Status.FAILED, "AUTHOR_INACTIVE")
    assert linkedin.posts() == []


def test_one_member_never_posts_with_anothers_connection(cast: Cast, linkedin: LinkedIn):
    # Carol has no connection of her own; Emma's must not be used for her post.
    post = create_post(
        organization=cast.acme,
        author=cast.membership(cast.carol, cast.acme),
        draft=PostDraft(text="Carol's words"),
        intent=Intent.NOW,
    )
    post = reload(post)
    assert post.status == Status.SCHEDULED
    # "Share now" says at once why it waits, without waiting for the beat.
    assert "connect your account again" in post.waiting_reason
    assert linkedin.posts("m-emma") == []
    assert linkedin.posts("m-carol") == []


def test_a_failed_post_retried_after_a_fix_is_published(cast: Cast, linkedin: LinkedIn):
    linkedin.fault("posts.create", status=422)
    post = reload(share(cast))
    assert post.status == Status.FAILED
    assert post.failure_reason
    linkedin.clear_faults()
    from content.sharing import retry_post

    assert retry_post(post=post, actor=cast.membership(cast.emma, cast.acme))
    post = reload(post)
    assert post.status == Status.PUBLISHED
    assert len(linkedin.posts()) == 1


def test_deleting_a_published_post_deletes_it_on_linkedin(cast: Cast, linkedin: LinkedIn):
    from content.sharing import delete_post

    post = reload(share(cast))
    assert delete_post(post=post, actor=cast.membership(cast.emma, cast.acme)) == "deleting"
    post = reload(post)
    assert post.status == Status.DELETED
    assert post.linkedin_deleted_at is not None
    [made] = linkedin.posts()
    assert made.deleted_at is not None
