"""Coaching: private notes to a post's author, and the brand-risk flag, the one exception the
method allows. Nobody but the author ever changes a post."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advocacy.program import coaching
from advocacy.program.models import BrandRiskFlag, Feedback
from advocacy.program.tasks import reconcile_brand_risk_flags
from advocacy.tenancy.models import AuditEntry, Membership, Organization
from content.models import Post
from content.sharing import delete_post

from .conftest import Cast, besides_kept_pages
from .factories import (
    BrandRiskFlagFactory,
    DraftFactory,
    FeedbackFactory,
    PostFactory,
    ReadRequestFactory,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
FlagStatus = BrandRiskFlag.Status
TEXT = "Big news from our client Initech: they picked us, numbers inside."


def url(name: str, org: str = "acme", **kwargs: Any) -> str:
    return reverse(f"program:{name}", kwargs={"org_slug": org, **kwargs})


def member(cast: Cast, name: str, org: Organization | None = None) -> Membership:
    return cast.membership(getattr(cast, name), org or cast.acme)


def post_page(post: Post) -> str:
    return reverse("content:post_detail", args=[post.organization.slug, post.public_id])


def audit(org: Organization, action: str) -> list[AuditEntry]:
    return list(AuditEntry.all_tenants.filter(organization=org, action=action))


def html_of(mail: Any) -> str:
    [(html, mimetype)] = mail.alternatives
    assert mimetype == "text/html"
    return str(html)


@pytest.fixture
def published(cast: Cast) -> Post:
    post: Post = PostFactory(author=member(cast, "emma"), text=TEXT)
    return post


# Coaching --------------------------------------------------------------------------------------


def test_comms_coach_privately_and_the_author_is_told(
    cast: Cast, client_for, published, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.carol).post(
            url("coach_post", published_post_id=published.public_id),
            {"kind": "coaching", "body": "Lovely. Next time, ask Initech before naming them."},
        )
    assert response.status_code == 302
    [note] = Feedback.all_tenants.filter(post=published)
    assert (note.kind, note.author) == ("coaching", member(cast, "carol"))

    [mail] = mailoutbox
    assert mail.to == ["emma@acme.example"]
    assert mail.subject == (
        f"{django_settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}Coaching on your post from Carol"
    )
    assert "Next time, ask Initech before naming them." in mail.body
    assert "Nothing in your post was changed" in mail.body
    html = html_of(mail)
    assert "Next time, ask Initech before naming them." in html
    assert django_settings.SITE_URL + url("post_reads", post_id=published.public_id) in html

    page = client_for(cast.emma).get(post_page(published)).content.decode()
    assert "Next time, ask Initech before naming them." in page
    assert Post.all_tenants.get(pk=published.pk).text == TEXT
    # Logged as something staff did, without the private words.
    [entry] = audit(cast.acme, "coaching.feedback")
    assert entry.actor == cast.carol
    assert "Initech" not in str(entry.data) + entry.summary


def test_the_facilitator_and_admins_coach_too(cast: Cast, client_for, published):
    for persona in (cast.fay, cast.alice):
        client_for(persona).post(
            url("coach_post", published_post_id=published.public_id),
            {"kind": "coaching", "body": "Good one."},
        )
    assert Feedback.all_tenants.filter(post=published, kind="coaching").count() == 2


def test_coaching_is_seen_by_the_author_and_comms_only(cast: Cast, client_for, published):
    carol = member(cast, "carol")
    FeedbackFactory(post=published, author=carol, kind="coaching", body="A coaching note")
    buddy = FeedbackFactory(post=published, author=member(cast, "leo"), body="A buddy note")
    alice_page = client_for(cast.alice).get(
        url("coach_post", published_post_id=published.public_id)
    )
    assert list(alice_page.context["feedback"]) == [Feedback.all_tenants.get(author=carol)]
    assert "A buddy note" not in alice_page.content.decode()
    assert list(coaching.visible_feedback(published, member(cast, "emma"))) == [
        Feedback.all_tenants.get(author=carol),
        buddy,
    ]
    # A leader and an employee do not reach the coaching page at all.
    for persona in (cast.leo, cast.emma):
        response = client_for(persona).get(url("coach_post", published_post_id=published.public_id))
        assert response.status_code == 403


def test_an_employee_cannot_coach(cast: Cast, published):
    leo = member(cast, "leo")
    with pytest.raises(PermissionDenied):
        coaching.give_feedback(post=published, writer=leo, kind="coaching", body="Hm.")
    assert not Feedback.all_tenants.exists()


def test_a_private_draft_cannot_be_coached(cast: Cast, client_for):
    draft = DraftFactory(author=member(cast, "emma"))
    response = client_for(cast.carol).get(url("coach_post", published_post_id=draft.public_id))
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        coaching.give_feedback(
            post=draft, writer=member(cast, "carol"), kind="coaching", body="Let me see."
        )


def test_a_draft_shared_with_comms_takes_coaching_and_suggestions(cast: Cast, client_for):
    draft = DraftFactory(author=member(cast, "emma"), text="Draft text")
    read = ReadRequestFactory(post=draft, reader=member(cast, "carol"))
    page = client_for(cast.carol).get(url("read", read_id=read.public_id))
    kinds = [value for value, _label in page.context["form"].fields["kind"].choices]
    assert kinds == ["coaching", "suggestion", "comment"]
    client_for(cast.carol).post(
        url("read", read_id=read.public_id), {"kind": "suggestion", "body": "Draft text, better"}
    )
    assert Feedback.all_tenants.get(post=draft).kind == "suggestion"
    assert Post.all_tenants.get(pk=draft.pk).text == "Draft text"


def test_feedback_needs_words(cast: Cast, client_for, published):
    response = client_for(cast.carol).post(
        url("coach_post", published_post_id=published.public_id), {"kind": "coaching", "body": " "}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["body"]
    assert not Feedback.all_tenants.exists()


def test_nobody_but_the_author_changes_or_deletes_a_post(cast: Cast, client_for, published):
    draft = DraftFactory(author=member(cast, "emma"), text="Only mine")
    carol = client_for(cast.carol)
    for post in (published, draft):
        edit = reverse("content:post_edit", args=["acme", post.public_id])
        assert carol.post(edit, {"text": "Corrected by comms", "action": "draft"}).status_code == (
            404
        )
        delete = reverse("content:post_delete", args=["acme", post.public_id])
        assert carol.post(delete).status_code == 404
    assert Post.all_tenants.get(pk=published.pk).text == TEXT
    assert Post.all_tenants.get(pk=published.pk).status == Post.Status.PUBLISHED
    assert Post.all_tenants.get(pk=draft.pk).text == "Only mine"


def test_the_feedback_mail_waits_for_the_commit(
    cast: Cast, published, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        coaching.give_feedback(
            post=published, writer=member(cast, "carol"), kind="coaching", body="Nice."
        )
    assert mailoutbox == []
    assert len(besides_kept_pages(callbacks)) == 1


def test_opening_the_reads_page_marks_feedback_seen(cast: Cast, client_for, published):
    note = FeedbackFactory(post=published, author=member(cast, "carol"), kind="coaching")
    dashboard = reverse("content:dashboard", args=["acme"])
    emma = client_for(cast.emma)
    assert "1 new comment on your posts" in emma.get(dashboard).content.decode()
    emma.get(url("post_reads", post_id=published.public_id))
    assert Feedback.all_tenants.get(pk=note.pk).seen_at is not None
    assert "new comment" not in emma.get(dashboard).content.decode()


# Brand-risk flags ------------------------------------------------------------------------------


def test_a_flag_asks_the_author_to_delete_the_post_with_a_reason(
    cast: Cast, client_for, published, mailoutbox, django_capture_on_commit_callbacks
):
    reason = "It names Initech, who have not agreed to be named, and shares their figures."
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.carol).post(
            url("flag_post", published_post_id=published.public_id), {"reason": reason}
        )
    assert response.status_code == 302
    [flag] = BrandRiskFlag.all_tenants.filter(post=published)
    assert (flag.status, flag.raised_by, flag.reason) == (
        FlagStatus.OPEN,
        member(cast, "carol"),
        reason,
    )
    [mail] = mailoutbox
    assert mail.to == ["emma@acme.example"]
    assert "flagged as a brand risk" in mail.subject
    assert reason in mail.body
    assert "Carol flagged your post “Big news from our client Initech" in mail.body
    assert "post a corrected one if you want" in mail.body
    html = html_of(mail)
    assert reason in html
    assert f'href="{django_settings.SITE_URL}{post_page(published)}"' in html

    page = client_for(cast.emma).get(post_page(published)).content.decode()
    assert "This post was flagged as a brand risk." in page
    assert reason in page
    dashboard = client_for(cast.emma).get(reverse("content:dashboard", args=["acme"]))
    assert "A post of yours was flagged as a brand risk" in dashboard.content.decode()
    # Asked, not done: the post is as it was.
    assert Post.all_tenants.get(pk=published.pk).status == Post.Status.PUBLISHED
    [entry] = audit(cast.acme, "coaching.flag_raised")
    assert (entry.actor, entry.data["reason"]) == (cast.carol, reason)


def test_a_flag_without_a_reason_is_refused(
    cast: Cast, client_for, published, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.carol).post(
            url("flag_post", published_post_id=published.public_id), {"reason": "  "}, follow=True
        )
    assert "Say what the risk is" in response.content.decode()
    assert not BrandRiskFlag.all_tenants.exists()
    assert mailoutbox == []
    with pytest.raises(ValidationError):
        coaching.raise_flag(post=published, raised_by=member(cast, "carol"), reason="")


def test_only_a_published_post_is_flagged_and_once(cast: Cast, published):
    carol = member(cast, "carol")
    draft = DraftFactory(author=member(cast, "emma"))
    with pytest.raises(ValidationError):
        coaching.raise_flag(post=draft, raised_by=carol, reason="Risky")
    coaching.raise_flag(post=published, raised_by=carol, reason="Risky")
    with pytest.raises(ValidationError) as refusal:
        coaching.raise_flag(post=published, raised_by=member(cast, "fay"), reason="Also risky")
    assert refusal.value.messages == ["This post has an open flag already."]
    assert BrandRiskFlag.all_tenants.count() == 1


def test_the_facilitator_flags_but_employees_and_leaders_cannot(cast: Cast, client_for, published):
    for persona in (cast.emma, cast.leo):
        response = client_for(persona).post(
            url("flag_post", published_post_id=published.public_id), {"reason": "Risky"}
        )
        assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        coaching.raise_flag(post=published, raised_by=member(cast, "leo"), reason="Risky")
    assert not BrandRiskFlag.all_tenants.exists()
    client_for(cast.fay).post(
        url("flag_post", published_post_id=published.public_id), {"reason": "Risky"}
    )
    assert BrandRiskFlag.all_tenants.get().raised_by == member(cast, "fay")


def test_a_flag_is_withdrawn_with_a_note(cast: Cast, client_for, published):
    flag = BrandRiskFlagFactory(post=published, raised_by=member(cast, "carol"))
    client_for(cast.alice).post(
        url("flag_withdraw", flag_id=flag.public_id), {"note": "Initech agreed after all."}
    )
    flag.refresh_from_db()
    assert (flag.status, flag.resolution) == (FlagStatus.WITHDRAWN, "Initech agreed after all.")
    assert flag.resolved_at is not None
    [entry] = audit(cast.acme, "coaching.flag_withdrawn")
    assert entry.actor == cast.alice
    page = client_for(cast.emma).get(post_page(published)).content.decode()
    assert "flagged as a brand risk" not in page


def test_deleting_the_post_resolves_the_flag(cast: Cast, client_for, published):
    flag = BrandRiskFlagFactory(post=published, raised_by=member(cast, "carol"))
    with time_machine.travel(NOW, tick=False):
        delete_post(post=published, actor=member(cast, "emma"))
    # The review shows it resolved at once, before anything is written down.
    page = client_for(cast.carol).get(url("flags"))
    [(row, status)] = page.context["rows"]
    assert (row, status) == (flag, FlagStatus.RESOLVED)
    assert "Resolved: the author deleted the post" in page.content.decode()
    with time_machine.travel(NOW + dt.timedelta(minutes=30), tick=False):
        assert reconcile_brand_risk_flags() == 1
        assert reconcile_brand_risk_flags() == 0
    flag.refresh_from_db()
    assert (flag.status, flag.resolved_at) == (FlagStatus.RESOLVED, NOW)
    [entry] = audit(cast.acme, "coaching.flag_resolved")
    assert entry.actor is None
    assert entry.data["flag"] == str(flag.public_id)


def test_the_reconciliation_is_scheduled_off_the_hour():
    entry = django_settings.CELERY_BEAT_SCHEDULE["program-reconcile-brand-risk-flags"]
    assert entry["task"] == "program.reconcile_brand_risk_flags"
    assert 0 not in entry["schedule"].minute


def test_flags_are_listed_for_review_by_status(cast: Cast, client_for):
    emma = member(cast, "emma")
    carol = member(cast, "carol")
    open_flag = BrandRiskFlagFactory(post=PostFactory(author=emma), raised_by=carol)
    withdrawn = BrandRiskFlagFactory(
        post=PostFactory(author=emma), raised_by=carol, status=FlagStatus.WITHDRAWN
    )
    deleted_post = PostFactory(author=emma, status=Post.Status.DELETED)
    resolved = BrandRiskFlagFactory(post=deleted_post, raised_by=carol)
    client = client_for(cast.fay)

    def listed(status: str) -> list[BrandRiskFlag]:
        response = client.get(url("flags"), {"status": status})
        return [flag for flag, _status in response.context["rows"]]

    assert listed("open") == [open_flag]
    assert listed("withdrawn") == [withdrawn]
    assert listed("resolved") == [resolved]
    assert set(listed("")) == {open_flag, withdrawn, resolved}
    page = client.get(url("flags")).content.decode()
    assert "It names a client who has not agreed to it." in page
    assert "Carol" in page


def test_flags_page_queries_do_not_grow_with_the_flags(
    cast: Cast, client_for, django_assert_num_queries
):
    client = client_for(cast.carol)

    def add_flag() -> None:
        BrandRiskFlagFactory(
            post=PostFactory(author=member(cast, "emma")), raised_by=member(cast, "carol")
        )

    add_flag()
    client.get(url("flags"))
    with CaptureQueriesContext(connection) as baseline:
        client.get(url("flags"))
    for _ in range(4):
        add_flag()
    with django_assert_num_queries(len(baseline.captured_queries)):
        response = client.get(url("flags"))
    assert len(response.context["rows"]) == 5


def test_cannot_get_other_org_flags_or_posts(cast: Cast, client_for):
    gus_post = PostFactory(author=member(cast, "gus", cast.globex))
    flag = BrandRiskFlagFactory(
        post=gus_post, raised_by=member(cast, "greta", cast.globex), reason="The Globex reason"
    )
    carol = client_for(cast.carol)
    assert carol.get(url("coach_post", published_post_id=gus_post.public_id)).status_code == 404
    response = carol.post(url("flag_withdraw", flag_id=flag.public_id))
    assert response.status_code == 404
    assert BrandRiskFlag.all_tenants.get(pk=flag.pk).status == FlagStatus.OPEN
    assert "The Globex reason" not in carol.get(url("flags")).content.decode()
    # The facilitator, in both, sees each organization's flags only in that organization.
    fay = client_for(cast.fay)
    assert [f for f, _s in fay.get(url("flags", org="globex")).context["rows"]] == [flag]
    assert fay.get(url("flags")).context["rows"] == []
