"""Nudges and digests by mail: who gets them, when, once, in what words, and the unsubscribe
link that works without signing in."""

from __future__ import annotations

import datetime as dt
import re
import smtplib
import zoneinfo
from typing import Any

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail, signing
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advocacy.linkedin.models import Connection
from advocacy.linkedin.services import connect_member
from advocacy.program import nudges
from advocacy.program.mail import (
    UNSUBSCRIBE_SALT,
    MailKind,
    choices_of,
    unsubscribe_token,
    unsubscribe_url,
)
from advocacy.program.models import NotificationSettings, SentMessage
from advocacy.program.tasks import dispatch_nudges, send_nudge
from advocacy.tenancy.invitations import invitation_token
from advocacy.tenancy.models import Membership, Organization
from advocacy.tenancy.scope import tenant_scope
from content.models import ContentItem

from .conftest import Cast
from .factories import (
    ClickFactory,
    ContentItemFactory,
    FollowUpRoundFactory,
    InvitationFactory,
    MembershipFactory,
    PostFactory,
    TrackedLinkFactory,
)

pytestmark = pytest.mark.django_db
CPH = zoneinfo.ZoneInfo("Europe/Copenhagen")
# Monday 9 March 2026, 09:23 in Copenhagen: the digest's morning. The week before runs from
# Monday 2 to Sunday 8 March.
MONDAY = dt.datetime(2026, 3, 9, 9, 23, tzinfo=CPH)
LAST_WEEK = dt.datetime(2026, 3, 4, 12, 0, tzinfo=CPH)
WEDNESDAY = dt.datetime(2026, 3, 11, 10, 23, tzinfo=CPH)


def take_part(cast: Cast, user: Any, organization: Organization, *, days: int = 60) -> Membership:
    """The member opts in to the program `days` before the digest's Monday."""
    membership = cast.membership(user, organization)
    Membership.all_tenants.filter(pk=membership.pk).update(
        opted_in_at=MONDAY - dt.timedelta(days=days)
    )
    membership.refresh_from_db()
    return membership


def new_item(organization: Organization, title: str, *, created: dt.datetime = LAST_WEEK) -> Any:
    item = ContentItemFactory(organization=organization, title=title)
    ContentItem.all_tenants.filter(pk=item.pk).update(created_at=created)
    return item


def digests_at(moment: dt.datetime) -> list[mail.EmailMessage]:
    with time_machine.travel(moment, tick=False):
        dispatch_nudges.delay()
    return [m for m in mail.outbox if "Your week at" in m.subject]


def to(message: mail.EmailMessage) -> str:
    [address] = message.to
    return address


def html_of(message: Any) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def link_in(text: str, path_prefix: str) -> str:
    match = re.search(rf"{re.escape(django_settings.SITE_URL)}({re.escape(path_prefix)}\S+/)", text)
    assert match, f"no link to {path_prefix} in {text}"
    return match[1]


@pytest.fixture
def program(cast: Cast) -> Cast:
    """Emma (Acme) and Gus (Globex) take part; Acme has a new item from last week."""
    take_part(cast, cast.emma, cast.acme)
    take_part(cast, cast.gus, cast.globex)
    new_item(cast.acme, "Acme opens an office in Aarhus")
    new_item(cast.globex, "Globex's annual report")
    return cast


# Who gets the digest -------------------------------------------------------------------------


def test_digests_go_only_to_participants(program: Cast):
    cast = program
    # Leo took part but has left the organization; Carol never joined the program.
    take_part(cast, cast.leo, cast.acme)
    Membership.all_tenants.filter(user=cast.leo).update(
        is_active=False, deactivated_at=timezone.now()
    )
    # Alice opted out again.
    Membership.all_tenants.filter(user=cast.alice).update(opted_in_at=None)
    # A participant whose account was closed.
    closed = MembershipFactory(organization=cast.acme, opted_in_at=MONDAY - dt.timedelta(days=30))
    closed.user.is_active = False
    closed.user.save()

    sent = digests_at(MONDAY)

    assert sorted(to(m) for m in sent) == ["emma@acme.example", "gus@globex.example"]
    [emma] = [m for m in sent if to(m) == "emma@acme.example"]
    assert "Acme opens an office in Aarhus" in emma.body
    assert "Globex" not in emma.body
    [gus] = [m for m in sent if to(m) == "gus@globex.example"]
    assert "Globex's annual report" in gus.body
    assert "Aarhus" not in gus.body


def test_digests_honour_unsubscribe(program: Cast):
    cast = program
    emma = cast.membership(cast.emma, cast.acme)
    NotificationSettings.all_tenants.create(
        organization=cast.acme, membership=emma, weekly_digest=False
    )
    sent = digests_at(MONDAY)
    assert [to(m) for m in sent] == ["gus@globex.example"]
    assert not SentMessage.all_tenants.filter(membership=emma).exists()


def test_a_digest_is_sent_once_per_week_however_often_the_task_runs(program: Cast):
    cast = program
    digests_at(MONDAY)
    digests_at(MONDAY)  # beat again, or a second beat
    digests_at(MONDAY + dt.timedelta(hours=1))  # the next run of the morning's window
    assert sorted(to(m) for m in mail.outbox) == ["emma@acme.example", "gus@globex.example"]
    emma = cast.membership(cast.emma, cast.acme)
    [claim] = SentMessage.all_tenants.filter(membership=emma)
    assert (claim.kind, claim.period) == ("weekly_digest", "2026-W11")
    assert claim.sent_at is not None

    new_item(cast.acme, "Next week's news", created=MONDAY + dt.timedelta(days=2))
    digests_at(MONDAY + dt.timedelta(days=7))
    assert [to(m) for m in mail.outbox].count("emma@acme.example") == 2


def test_two_workers_with_the_same_message_send_it_once(program: Cast):
    cast = program
    emma = cast.membership(cast.emma, cast.acme)
    with time_machine.travel(MONDAY, tick=False):
        first = send_nudge.delay(cast.acme.pk, emma.pk, MailKind.WEEKLY_DIGEST).get()
        second = send_nudge.delay(cast.acme.pk, emma.pk, MailKind.WEEKLY_DIGEST).get()
    assert (first, second) == ("sent", "already sent")
    assert len(mail.outbox) == 1


def test_the_digest_waits_for_monday_morning_in_the_organizations_time_zone(program: Cast):
    cast = program
    Organization.objects.filter(pk=cast.globex.pk).update(time_zone="America/New_York")
    assert digests_at(MONDAY.replace(hour=7)) == []  # too early in Copenhagen
    assert digests_at(MONDAY + dt.timedelta(days=1)) == []  # Tuesday
    # 09:23 in Copenhagen is 03:23 in New York: Acme's digest, not Globex's yet.
    assert [to(m) for m in digests_at(MONDAY)] == ["emma@acme.example"]
    later = digests_at(MONDAY.replace(hour=14))  # 08:23 in New York
    assert [to(m) for m in later] == ["emma@acme.example", "gus@globex.example"]


def test_nothing_new_and_nothing_done_sends_no_digest(cast: Cast):
    take_part(cast, cast.emma, cast.acme)
    # Older than last week, and an item not for Emma's team.
    new_item(cast.acme, "Old news", created=MONDAY - dt.timedelta(days=20))
    assert digests_at(MONDAY) == []
    assert not SentMessage.all_tenants.exists()


def test_the_digest_holds_the_weeks_new_content_for_the_members_audience(program: Cast):
    cast = program
    for_aarhus = new_item(cast.acme, "For the Aarhus team only")
    ContentItem.all_tenants.filter(pk=for_aarhus.pk).update(audience_locations="\nAarhus\n")
    new_item(cast.acme, "Too new: added this morning", created=MONDAY - dt.timedelta(hours=1))
    draft = new_item(cast.acme, "Still a draft")
    ContentItem.all_tenants.filter(pk=draft.pk).update(status=ContentItem.Status.DRAFT)

    [digest] = [m for m in digests_at(MONDAY) if to(m) == "emma@acme.example"]
    assert "Acme opens an office in Aarhus" in digest.body
    for missing in ("For the Aarhus team only", "Too new", "Still a draft"):
        assert missing not in digest.body


def test_the_digest_shows_the_members_own_results_of_last_week(program: Cast):
    cast = program
    emma = cast.membership(cast.emma, cast.acme)
    post = PostFactory(author=emma, published_at=LAST_WEEK, impressions=120)
    PostFactory(author=emma, published_at=MONDAY - dt.timedelta(days=10), impressions=999)
    link = TrackedLinkFactory(post=post)
    ClickFactory(link=link, clicked_at=LAST_WEEK + dt.timedelta(hours=2))
    ClickFactory(link=link, clicked_at=LAST_WEEK + dt.timedelta(hours=3))
    ClickFactory(link=link, clicked_at=LAST_WEEK + dt.timedelta(hours=4), is_bot=True)
    # Someone else's post is not Emma's result.
    PostFactory(author=cast.membership(cast.carol, cast.acme), published_at=LAST_WEEK)

    [digest] = [m for m in digests_at(MONDAY) if to(m) == "emma@acme.example"]
    assert "1 post published, seen 120 times so far." in digest.body
    assert "2 clicks on your links." in digest.body
    assert "seen 120 times so far" in html_of(digest)


def test_the_digest_invites_to_an_open_follow_up_round(program: Cast):
    cast = program
    round = FollowUpRoundFactory(
        organization=cast.acme,
        title="Follow-up, March",
        opens_on=dt.date(2026, 3, 2),
        closes_on=dt.date(2026, 3, 15),
    )
    [digest] = [m for m in digests_at(MONDAY) if to(m) == "emma@acme.example"]
    assert "Follow-up, March" in digest.body
    assert link_in(digest.body, "/o/acme/program/check-ins/") == reverse(
        "program:checkin", kwargs={"org_slug": "acme", "round_id": round.public_id}
    )


# The message itself --------------------------------------------------------------------------


def test_mail_has_text_and_html_parts_unsubscribe_headers_and_the_members_language(
    program: Cast,
):
    cast = program
    emma = cast.membership(cast.emma, cast.acme)
    Membership.all_tenants.filter(pk=emma.pk).update(language="da")
    [digest] = [m for m in digests_at(MONDAY) if to(m) == "emma@acme.example"]

    assert digest.subject.startswith(django_settings.ACCOUNT_EMAIL_SUBJECT_PREFIX)
    html = html_of(digest)
    assert '<html lang="da">' in html
    assert digest.extra_headers["Content-Language"] == "da"
    # Django's own Danish: the week's days are named in the member's language.
    assert "2 marts" in digest.body
    assert "2 marts" in html

    link = unsubscribe_url(emma, MailKind.WEEKLY_DIGEST)
    assert digest.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in digest.body
    assert link in html
    # The message as it leaves: multipart with both parts and the headers.
    raw = digest.message().as_string()
    assert "multipart/alternative" in raw
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in raw


def test_mail_defaults_to_the_organizations_language(program: Cast):
    Organization.objects.filter(pk=program.acme.pk).update(language="da")
    [digest] = [m for m in digests_at(MONDAY) if to(m) == "emma@acme.example"]
    assert '<html lang="da">' in html_of(digest)
    [gus] = [m for m in mail.outbox if to(m) == "gus@globex.example"]
    assert '<html lang="en">' in html_of(gus)


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Any) -> int:
        raise smtplib.SMTPServerDisconnected("the mail server went away")


def test_a_failed_send_gives_the_claim_back_for_the_next_run(program: Cast, settings):
    cast = program
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    digests_at(MONDAY)
    assert not SentMessage.all_tenants.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sent = digests_at(MONDAY + dt.timedelta(hours=1))
    assert sorted(to(m) for m in sent) == ["emma@acme.example", "gus@globex.example"]
    emma = cast.membership(cast.emma, cast.acme)
    assert SentMessage.all_tenants.get(membership=emma).sent_at is not None


# The cadence reminder ------------------------------------------------------------------------


def reminders_at(moment: dt.datetime) -> list[mail.EmailMessage]:
    with time_machine.travel(moment, tick=False):
        dispatch_nudges.delay()
    return [m for m in mail.outbox if "A few ideas" in m.subject]


def test_a_gentle_reminder_when_below_the_rhythm_at_most_once_a_fortnight(cast: Cast):
    emma = take_part(cast, cast.emma, cast.acme)
    # One post in four weeks, against the default rhythm of one a week.
    PostFactory(author=emma, published_at=WEDNESDAY - dt.timedelta(days=20))
    ContentItemFactory(organization=cast.acme, title="Ten tips for a good post")

    [reminder] = reminders_at(WEDNESDAY)
    assert to(reminder) == "emma@acme.example"
    assert "completely fine" in reminder.body
    assert "Ten tips for a good post" in reminder.body
    assert "1 post a week" in reminder.body
    # Never a count of what she did not do.
    assert not re.search(r"\b(only|just) \d", reminder.body)
    assert "completely fine" in html_of(reminder)

    assert len(reminders_at(WEDNESDAY + dt.timedelta(hours=1))) == 1
    assert len(reminders_at(WEDNESDAY + dt.timedelta(days=7))) == 1, "not a week later"
    assert len(reminders_at(WEDNESDAY + dt.timedelta(days=14))) == 2, "a fortnight later"


def test_no_reminder_on_the_rhythm_for_newcomers_or_when_turned_off(cast: Cast):
    emma = take_part(cast, cast.emma, cast.acme)
    for weeks_ago in range(4):
        PostFactory(author=emma, published_at=WEDNESDAY - dt.timedelta(days=7 * weeks_ago + 1))
    # Carol joined ten days before that Wednesday: too soon to judge.
    take_part(cast, cast.carol, cast.acme, days=8)
    # Leo has not posted, but does not want these reminders.
    leo = take_part(cast, cast.leo, cast.acme)
    choices = choices_of(leo)
    choices.cadence_reminders = False
    choices.save()
    assert reminders_at(WEDNESDAY) == []


def test_the_rhythm_is_the_organizations_target(cast: Cast):
    emma = take_part(cast, cast.emma, cast.acme)
    for weeks_ago in range(4):
        PostFactory(author=emma, published_at=WEDNESDAY - dt.timedelta(days=7 * weeks_ago + 1))
    Organization.objects.filter(pk=cast.acme.pk).update(posts_per_week_target="2.0")
    [reminder] = reminders_at(WEDNESDAY)
    assert "about 2 posts a week" in reminder.body


# The reconnect reminder ----------------------------------------------------------------------


def connect(user: Any, sub: str) -> Connection:
    return connect_member(
        user=user,
        sub=sub,
        scopes="openid,profile,w_member_social",
        access_token=f"token-{sub}-{timezone.now().timestamp()}",
        expires_in=60 * 86400,
    )


def stop(connection: Connection, *, status: str, days_ago: int, now: dt.datetime) -> None:
    when = now - dt.timedelta(days=days_ago)
    Connection.objects.filter(pk=connection.pk).update(
        status=status, access_token_expires_at=when, updated_at=when, expiry_notified_at=when
    )


def reconnects_at(moment: dt.datetime) -> list[mail.EmailMessage]:
    with time_machine.travel(moment, tick=False):
        dispatch_nudges.delay()
    return [m for m in mail.outbox if "LinkedIn connection is still off" in m.subject]


def test_one_reconnect_reminder_a_week_after_the_connection_stopped(cast: Cast):
    take_part(cast, cast.emma, cast.acme)
    with time_machine.travel(MONDAY - dt.timedelta(days=70), tick=False):
        connection = connect(cast.emma, "m-emma")
    stop(connection, status=Connection.Status.EXPIRED, days_ago=3, now=MONDAY)
    assert reconnects_at(MONDAY) == [], "the LinkedIn app's own notice is enough for now"

    stop(connection, status=Connection.Status.EXPIRED, days_ago=8, now=MONDAY)
    [reminder] = reconnects_at(MONDAY)
    assert to(reminder) == "emma@acme.example"
    assert "expired on 1 March" in reminder.body
    assert link_in(reminder.body, "/accounts/") == reverse("profile")
    assert reconnects_at(MONDAY + dt.timedelta(days=1)) == [reminder], "once, not every day"

    # Reconnected, then stopped again much later: a new episode, a new reminder.
    with time_machine.travel(MONDAY + dt.timedelta(days=2), tick=False):
        connection = connect(cast.emma, "m-emma")
    stop(
        connection, status=Connection.Status.REVOKED, days_ago=8, now=MONDAY + dt.timedelta(days=30)
    )
    again = reconnects_at(MONDAY + dt.timedelta(days=30))
    assert len(again) == 2
    assert "withdrawn on LinkedIn" in again[1].body


def test_no_reconnect_reminder_when_turned_off_or_not_taking_part(cast: Cast):
    emma = take_part(cast, cast.emma, cast.acme)
    choices = choices_of(emma)
    choices.reconnect_reminders = False
    choices.save()
    stop(connect(cast.emma, "m-emma"), status="expired", days_ago=10, now=MONDAY)
    stop(connect(cast.carol, "m-carol"), status="expired", days_ago=10, now=MONDAY)  # not in
    assert reconnects_at(MONDAY) == []


def test_someone_in_two_programs_is_reminded_once(cast: Cast):
    take_part(cast, cast.fay, cast.acme)
    take_part(cast, cast.fay, cast.globex)
    stop(connect(cast.fay, "m-fay"), status="revoked", days_ago=9, now=MONDAY)
    assert [to(m) for m in reconnects_at(MONDAY)] == ["fay@facilitators.example"]
    assert SentMessage.all_tenants.filter(kind=MailKind.RECONNECT_REMINDER).count() == 1


# The unsubscribe link ------------------------------------------------------------------------


def unsubscribe_path(membership: Membership, kind: str = MailKind.WEEKLY_DIGEST) -> str:
    return reverse("program_unsubscribe", args=[unsubscribe_token(membership, kind)])


def digest_on(membership: Membership) -> bool:
    return NotificationSettings.all_tenants.get_or_create(
        organization=membership.organization, membership=membership
    )[0].weekly_digest


def test_the_mailed_link_asks_first_and_unsubscribes_on_post_without_signing_in(
    program: Cast,
):
    cast = program
    emma = cast.membership(cast.emma, cast.acme)
    [digest] = [m for m in digests_at(MONDAY) if to(m) == "emma@acme.example"]
    path = link_in(digest.body, "/mail/unsubscribe/")
    anonymous = Client(enforce_csrf_checks=True)

    page = anonymous.get(path)
    assert page.status_code == 200
    assert "Stop the weekly digest from Acme A/S?" in page.content.decode()
    assert digest_on(emma), "opening the link (a prefetcher, a scanner) changes nothing"

    done = anonymous.post(path)
    assert done.status_code == 200
    assert "You are unsubscribed" in done.content.decode()
    assert not digest_on(emma)
    choices = NotificationSettings.all_tenants.get(membership=emma)
    # This kind only: the other choices stay on.
    assert (choices.cadence_reminders, choices.reconnect_reminders) == (True, True)

    mail.outbox.clear()
    new_item(cast.acme, "Next week's news", created=MONDAY + dt.timedelta(days=2))
    assert "emma@acme.example" not in [to(m) for m in digests_at(MONDAY + dt.timedelta(days=7))]


def test_one_click_unsubscribe_from_the_mail_program(cast: Cast):
    emma = cast.membership(cast.emma, cast.acme)
    # RFC 8058: the mail program POSTs this body to the List-Unsubscribe address, no cookie.
    response = Client(enforce_csrf_checks=True).post(
        unsubscribe_path(emma, MailKind.CADENCE_REMINDER),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    choices = NotificationSettings.all_tenants.get(membership=emma)
    assert not choices.cadence_reminders
    assert choices.weekly_digest


def test_a_tampered_or_foreign_token_is_refused_and_changes_nothing(cast: Cast):
    emma = cast.membership(cast.emma, cast.acme)
    token = unsubscribe_token(emma, MailKind.WEEKLY_DIGEST)
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    invitation = invitation_token(InvitationFactory(organization=cast.acme))
    bad_kind = signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object(
        {"o": str(cast.acme.public_id), "m": str(emma.public_id), "k": "everything"}
    )
    for bad in (tampered, invitation, bad_kind, "not-a-token"):
        for method in ("get", "post"):
            response = getattr(Client(), method)(reverse("program_unsubscribe", args=[bad]))
            assert response.status_code == 404, (bad, method)
            assert "This unsubscribe link does not work" in response.content.decode()
    assert not NotificationSettings.all_tenants.exists()


def test_cannot_unsubscribe_other_org_member_with_a_link(cast: Cast, client_for):
    emma = cast.membership(cast.emma, cast.acme)
    gus = cast.membership(cast.gus, cast.globex)
    # A well-signed token naming Acme with Globex's member: the two must belong together.
    mixed = signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object(
        {"o": str(cast.acme.public_id), "m": str(gus.public_id), "k": "weekly_digest"}
    )
    response = client_for(cast.greta).post(reverse("program_unsubscribe", args=[mixed]))
    assert response.status_code == 404
    assert not NotificationSettings.all_tenants.exists()

    # The link decides whose choice it is, never the session: Greta, signed in, using a link
    # of Emma's changes Emma's choice and nothing of Globex's.
    client_for(cast.greta).post(unsubscribe_path(emma))
    assert not digest_on(emma)
    assert digest_on(gus)
    assert not NotificationSettings.all_tenants.filter(
        organization=cast.globex, weekly_digest=False
    ).exists()


def test_the_unsubscribe_page_speaks_the_members_language(cast: Cast):
    emma = cast.membership(cast.emma, cast.acme)
    Membership.all_tenants.filter(pk=emma.pk).update(language="da")
    emma.refresh_from_db()
    page = Client().get(unsubscribe_path(emma)).content.decode()
    assert '<html lang="da">' in page


# Mail choices on the profile -----------------------------------------------------------------


def test_members_choose_their_mail_per_organization(cast: Cast, client_for):
    fay = client_for(cast.fay)
    profile = fay.get(reverse("profile")).content.decode()
    for slug in ("acme", "globex"):
        assert reverse("program:mail_choices", kwargs={"org_slug": slug}) in profile

    url = reverse("program:mail_choices", kwargs={"org_slug": "acme"})
    page = fay.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial["weekly_digest"] is True
    response = fay.post(url, {"weekly_digest": "on", "reconnect_reminders": "on"})
    assert response.status_code == 302
    acme = NotificationSettings.all_tenants.get(membership__organization=cast.acme)
    assert acme.weekly_digest
    assert acme.reconnect_reminders
    assert not acme.cadence_reminders
    assert not acme.buddy_prompts
    assert not NotificationSettings.all_tenants.filter(organization=cast.globex).exists()


def test_nudge_candidates_leave_out_what_was_already_claimed(program: Cast):
    cast = program
    emma = cast.membership(cast.emma, cast.acme)
    with time_machine.travel(MONDAY, tick=False), tenant_scope(cast.acme):
        now = timezone.now()
        assert nudges.candidates(cast.acme, MailKind.WEEKLY_DIGEST, now) == [emma.pk]
        nudges.claim(emma, MailKind.WEEKLY_DIGEST, nudges.iso_week(MONDAY.date()))
        assert nudges.candidates(cast.acme, MailKind.WEEKLY_DIGEST, now) == []
