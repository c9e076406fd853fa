"""Buddy pairs: pairing and its refusals, invitations, cadence, drafts sent for a read (never
edited by the reader), the fortnightly check-in, and what the facilitator sees."""

from __future__ import annotations

import datetime as dt
from smtplib import SMTPException
from typing import Any

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advocacy.program import buddies
from advocacy.program.models import (
    BuddyPair,
    Feedback,
    NotificationSettings,
    ReadRequest,
)
from advocacy.program.tasks import prompt_buddy_pairs
from advocacy.tenancy.models import AuditEntry, Membership, Organization
from content.models import Post
from content.sharing import Intent, NotAuthor, PostDraft, delete_post, update_post

from .conftest import Cast
from .factories import (
    BuddyPairFactory,
    DraftFactory,
    MembershipFactory,
    OrganizationFactory,
    PostFactory,
    ReadRequestFactory,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
Status = BuddyPair.Status


def url(name: str, org: str = "acme", **kwargs: Any) -> str:
    return reverse(f"program:{name}", kwargs={"org_slug": org, **kwargs})


def member(cast: Cast, name: str, org: Organization | None = None) -> Membership:
    return cast.membership(getattr(cast, name), org or cast.acme)


def opt_in(*memberships: Membership) -> None:
    Membership.all_tenants.filter(pk__in=[m.pk for m in memberships]).update(opted_in_at=NOW)
    for membership in memberships:
        membership.opted_in_at = NOW


def colleague(cast: Cast, name: str, **kwargs: Any) -> Membership:
    """A participant of Acme called `name`."""
    membership: Membership = MembershipFactory(
        organization=cast.acme,
        user__name=name,
        user__email=f"{name.lower()}@acme.example",
        opted_in_at=NOW,
        **kwargs,
    )
    return membership


@pytest.fixture
def emma(cast: Cast) -> Membership:
    membership = member(cast, "emma")
    opt_in(membership)
    return membership


@pytest.fixture
def ben(cast: Cast) -> Membership:
    return colleague(cast, "Ben")


def pairs(org: Organization) -> list[BuddyPair]:
    return list(BuddyPair.all_tenants.filter(organization=org))


def audit(org: Organization, action: str) -> list[AuditEntry]:
    return list(AuditEntry.all_tenants.filter(organization=org, action=action))


def html_of(mail: Any) -> str:
    [(html, mimetype)] = mail.alternatives
    assert mimetype == "text/html"
    return str(html)


# Staff pair two participants ------------------------------------------------------------------


def test_comms_pair_two_participants_and_both_are_told(
    cast: Cast, client_for, emma, ben, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.carol).post(
            url("pairs"), {"first": emma.public_id, "second": ben.public_id}
        )
    assert response.status_code == 302
    [pair] = pairs(cast.acme)
    assert (pair.first, pair.second, pair.status) == (emma, ben, Status.ACTIVE)
    assert (pair.paired_by, pair.accepted_at is not None) == (cast.carol, True)
    [entry] = audit(cast.acme, "buddies.paired")
    assert entry.actor == cast.carol

    assert sorted(mail.to[0] for mail in mailoutbox) == ["ben@acme.example", "emma@acme.example"]
    to_emma = next(mail for mail in mailoutbox if mail.to == ["emma@acme.example"])
    assert (
        to_emma.subject == f"{django_settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}You and Ben are buddies"
    )
    assert "Carol paired you with Ben in Acme A/S's advocacy program." in to_emma.body
    pair_link = django_settings.SITE_URL + url("pair", pair_id=pair.public_id)
    assert pair_link in to_emma.body
    html = html_of(to_emma)
    assert f'href="{pair_link}"' in html
    assert "Carol paired you with Ben" in html
    assert '<html lang="en">' in html


def test_the_facilitator_and_admins_pair_too(cast: Cast, client_for, emma, ben):
    client_for(cast.fay).post(url("pairs"), {"first": emma.public_id, "second": ben.public_id})
    [pair] = pairs(cast.acme)
    assert pair.paired_by == cast.fay


def test_an_employee_cannot_pair_others(cast: Cast, client_for, emma, ben):
    response = client_for(cast.emma).post(
        url("pairs"), {"first": emma.public_id, "second": ben.public_id}
    )
    assert response.status_code == 403
    assert pairs(cast.acme) == []


def refused(client: Any, first: Any, second: Any) -> Any:
    response = client.post(url("pairs"), {"first": first, "second": second})
    assert response.status_code == 200, "a refusal shows the form again"
    return response.context["form"]


def test_pairing_someone_with_themselves_is_refused(cast: Cast, client_for, emma):
    form = refused(client_for(cast.carol), emma.public_id, emma.public_id)
    assert form.errors["second"] == ["Choose two different people: nobody can be their own buddy."]
    assert pairs(cast.acme) == []
    assert audit(cast.acme, "buddies.paired") == []


def test_pairing_with_a_member_of_another_organization_is_a_field_error(
    cast: Cast, client_for, emma, mailoutbox, django_capture_on_commit_callbacks
):
    gus = member(cast, "gus", cast.globex)
    opt_in(gus)
    with django_capture_on_commit_callbacks(execute=True):
        form = refused(client_for(cast.carol), emma.public_id, gus.public_id)
    assert form.errors["second"] == ["Choose a colleague of this organization from the list."]
    assert pairs(cast.acme) == []
    assert pairs(cast.globex) == []
    assert mailoutbox == []


def test_pairing_a_non_participant_is_refused_by_name(cast: Cast, client_for, emma):
    leo = member(cast, "leo")
    form = refused(client_for(cast.carol), emma.public_id, leo.public_id)
    assert form.errors["second"] == ["Leo is not taking part in the program, so cannot be paired."]
    assert pairs(cast.acme) == []


def test_pairing_someone_already_paired_is_refused(cast: Cast, client_for, emma, ben):
    BuddyPairFactory(first=emma, second=colleague(cast, "Cleo"))
    form = refused(client_for(cast.carol), ben.public_id, emma.public_id)
    assert form.errors["second"] == ["Emma already has a buddy."]
    assert len(pairs(cast.acme)) == 1


def test_the_pairing_form_offers_only_unpaired_participants(cast: Cast, client_for, emma, ben):
    cleo = colleague(cast, "Cleo")
    BuddyPairFactory(first=ben, second=cleo)
    form = client_for(cast.carol).get(url("pairs")).context["form"]
    offered = [label for value, label in form.fields["first"].widget.choices if value]
    assert offered == ["Emma"]


def test_pairs_page_queries_do_not_grow_with_the_pairs(
    cast: Cast, client_for, django_assert_num_queries
):
    client = client_for(cast.carol)

    def add_pair() -> None:
        pair = BuddyPairFactory(first=colleague(cast, f"P{len(pairs(cast.acme))}a"))
        PostFactory(author=pair.first)
        colleague(cast, f"Single{len(pairs(cast.acme))}")

    add_pair()
    client.get(url("pairs"))  # warm up the session and caches
    with CaptureQueriesContext(connection) as baseline:
        client.get(url("pairs"))
    for _ in range(4):
        add_pair()
    with django_assert_num_queries(len(baseline.captured_queries)):
        response = client.get(url("pairs"))
    assert len(response.context["active"]) == 5


# Invitations ---------------------------------------------------------------------------------


def test_a_participant_invites_a_colleague_who_accepts(
    cast: Cast, client_for, emma, ben, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(cast.emma).post(url("buddy"), {"colleague": ben.public_id})
    [pair] = pairs(cast.acme)
    assert (pair.first, pair.second, pair.status) == (emma, ben, Status.INVITED)
    [mail] = mailoutbox
    assert mail.to == ["ben@acme.example"]
    assert "Emma asks you to be buddies" in mail.subject
    assert django_settings.SITE_URL + url("buddy") in mail.body
    assert "Declining is fine" in html_of(mail)

    ben_client = client_for(ben.user)
    assert "Emma asks you to be buddies." in ben_client.get(url("buddy")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        ben_client.post(url("pair_accept", pair_id=pair.public_id))
    pair.refresh_from_db()
    assert pair.status == Status.ACTIVE
    assert pair.accepted_at is not None
    # The invitation, then both are told they are buddies.
    told = {mail.to[0]: mail for mail in mailoutbox[1:]}
    assert sorted(told) == ["ben@acme.example", "emma@acme.example"]
    assert (
        "You and Emma are buddies now in Acme A/S's advocacy program."
        in told["ben@acme.example"].body
    )
    assert "paired you" not in told["emma@acme.example"].body


def test_accepting_closes_the_other_invitations_of_both(cast: Cast, client_for, emma, ben):
    cleo = colleague(cast, "Cleo")
    first = buddies.invite_buddy(inviter=emma, invitee=ben)
    other = buddies.invite_buddy(inviter=cleo, invitee=ben)
    buddies.accept_invitation(pair=first, member=ben)
    assert BuddyPair.all_tenants.get(pk=other.pk).status == Status.ENDED
    # Cleo's invitation is gone, so Ben cannot end up with two buddies.
    assert buddies.accept_invitation(pair=other, member=ben) is False


def test_only_the_invited_colleague_accepts(cast: Cast, client_for, emma, ben):
    pair = buddies.invite_buddy(inviter=emma, invitee=ben)
    response = client_for(cast.emma).post(url("pair_accept", pair_id=pair.public_id))
    assert response.status_code == 403
    assert BuddyPair.all_tenants.get(pk=pair.pk).status == Status.INVITED


def test_declining_and_withdrawing(cast: Cast, client_for, emma, ben):
    pair = buddies.invite_buddy(inviter=emma, invitee=ben)
    client_for(ben.user).post(url("pair_decline", pair_id=pair.public_id))
    assert BuddyPair.all_tenants.get(pk=pair.pk).status == Status.ENDED
    again = buddies.invite_buddy(inviter=emma, invitee=ben)
    client_for(cast.emma).post(url("pair_end", pair_id=again.public_id))
    assert BuddyPair.all_tenants.get(pk=again.pk).status == Status.ENDED


def invite_refused(client: Any, colleague_id: Any) -> Any:
    response = client.post(url("buddy"), {"colleague": colleague_id})
    assert response.status_code == 200
    return response.context["form"]


def test_inviting_oneself_is_refused(cast: Cast, client_for, emma):
    form = invite_refused(client_for(cast.emma), emma.public_id)
    assert form.errors["colleague"] == ["You cannot be your own buddy: choose a colleague."]
    assert pairs(cast.acme) == []


def test_inviting_across_organizations_is_refused(cast: Cast, client_for, emma):
    gus = member(cast, "gus", cast.globex)
    opt_in(gus)
    form = invite_refused(client_for(cast.emma), gus.public_id)
    assert form.errors["colleague"] == ["Choose a colleague of this organization from the list."]
    assert pairs(cast.acme) == []
    assert pairs(cast.globex) == []


def test_inviting_someone_with_a_buddy_or_twice_is_refused(cast: Cast, client_for, emma, ben):
    cleo, dan = colleague(cast, "Cleo"), colleague(cast, "Dan")
    BuddyPairFactory(first=cleo, second=dan)
    client = client_for(cast.emma)
    assert invite_refused(client, cleo.public_id).errors["colleague"] == [
        "Cleo already has a buddy."
    ]
    client.post(url("buddy"), {"colleague": ben.public_id})
    assert invite_refused(client, ben.public_id).errors["colleague"] == [
        "You have already invited Ben."
    ]
    assert len(pairs(cast.acme)) == 2


def test_a_non_participant_has_no_buddy_form(cast: Cast, client_for, ben):
    client = client_for(cast.emma)
    page = client.get(url("buddy")).content.decode()
    assert "Buddies take part in the program" in page
    assert client.post(url("buddy"), {"colleague": ben.public_id}).status_code == 405
    assert pairs(cast.acme) == []


def test_the_service_refuses_inviting_while_paired(cast: Cast, emma, ben):
    BuddyPairFactory(first=emma, second=colleague(cast, "Cleo"))
    with pytest.raises(ValidationError) as refusal:
        buddies.invite_buddy(inviter=emma, invitee=ben)
    assert refusal.value.message_dict["__all__"] == [
        "You already have a buddy. End that pair first."
    ]


# The pair's page and cadence --------------------------------------------------------------------


def test_buddies_see_each_others_cadence(cast: Cast, client_for, emma, ben):
    pair = BuddyPairFactory(first=emma, second=ben)
    for days_ago in (1, 8, 20):  # three in the last 4 weeks
        PostFactory(author=ben, published_at=NOW - dt.timedelta(days=days_ago))
    for days_ago in (40, 70, 100):  # two more within 12 weeks, one older
        PostFactory(author=ben, published_at=NOW - dt.timedelta(days=days_ago))
    PostFactory(author=emma, published_at=NOW - dt.timedelta(days=3))
    PostFactory(author=ben, status=Post.Status.DRAFT, linkedin_urn="", published_at=None)
    with time_machine.travel(NOW, tick=False):
        response = client_for(cast.emma).get(url("pair", pair_id=pair.public_id))
    mine, theirs = response.context["cadences"]
    assert (mine.member, mine.posts_4_weeks, mine.posts_12_weeks) == (emma, 1, 1)
    assert (theirs.member, theirs.posts_4_weeks, theirs.posts_12_weeks) == (ben, 3, 5)
    assert (str(theirs.per_week_4), str(theirs.per_week_12)) == ("0.8", "0.4")
    page = response.content.decode()
    assert "Posts per week (the program's rhythm: 1)" in page


def test_someone_outside_the_pair_cannot_open_it(cast: Cast, client_for, emma, ben):
    pair = BuddyPairFactory(first=emma, second=ben)
    assert client_for(cast.leo).get(url("pair", pair_id=pair.public_id)).status_code == 404
    response = client_for(cast.leo).post(url("pair_end", pair_id=pair.public_id))
    assert response.status_code == 404
    assert BuddyPair.all_tenants.get(pk=pair.pk).status == Status.ACTIVE


def test_either_buddy_or_staff_ends_the_pair(cast: Cast, client_for, emma, ben):
    pair = BuddyPairFactory(first=emma, second=ben)
    client_for(ben.user).post(url("pair_end", pair_id=pair.public_id))
    assert BuddyPair.all_tenants.get(pk=pair.pk).status == Status.ENDED
    other = BuddyPairFactory(first=emma, second=colleague(cast, "Cleo"))
    response = client_for(cast.carol).post(
        url("pair_end", pair_id=other.public_id), {"back": "pairs"}
    )
    assert response["Location"] == url("pairs")
    assert BuddyPair.all_tenants.get(pk=other.pk).status == Status.ENDED
    assert len(audit(cast.acme, "buddies.ended")) == 2


# Reads -----------------------------------------------------------------------------------------


def test_a_draft_goes_to_the_buddy_for_a_read_who_comments_and_suggests(
    cast: Cast, client_for, emma, ben, mailoutbox, django_capture_on_commit_callbacks
):
    BuddyPairFactory(first=emma, second=ben)
    draft = DraftFactory(author=emma, text="Our new office opens Monday. Come by!")
    author = client_for(cast.emma)
    post_page = author.get(reverse("content:post_detail", args=["acme", draft.public_id]))
    assert "Ask your buddy for a read" in post_page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        author.post(
            url("post_reads", post_id=draft.public_id),
            {"reader": ben.public_id, "message": "Too salesy?"},
        )
    [read] = ReadRequest.all_tenants.filter(post=draft)
    assert read.reader == ben
    [request_mail] = mailoutbox
    assert request_mail.to == ["ben@acme.example"]
    assert "Emma asks you to read a draft" in request_mail.subject
    assert "Too salesy?" in request_mail.body
    assert "Too salesy?" in html_of(request_mail)
    read_link = django_settings.SITE_URL + url("read", read_id=read.public_id)
    assert read_link in request_mail.body

    reader = client_for(ben.user)
    page = reader.get(url("read", read_id=read.public_id)).content.decode()
    assert "Our new office opens Monday. Come by!" in page
    assert ReadRequest.all_tenants.get(pk=read.pk).read_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        reader.post(url("read", read_id=read.public_id), {"kind": "comment", "body": "Nice!"})
        reader.post(
            url("read", read_id=read.public_id),
            {"kind": "suggestion", "body": "Our new office opens Monday: drop in for coffee."},
        )
    kinds = list(
        Feedback.all_tenants.filter(post=draft).order_by("pk").values_list("kind", "author")
    )
    assert kinds == [("comment", ben.pk), ("suggestion", ben.pk)]
    assert "Ben suggests a wording for your post" in mailoutbox[-1].subject
    assert "It is not applied" in mailoutbox[-1].body

    # The suggestion is shown to the author, never applied.
    assert Post.all_tenants.get(pk=draft.pk).text == "Our new office opens Monday. Come by!"
    post_page = author.get(reverse("content:post_detail", args=["acme", draft.public_id]))
    text = post_page.content.decode()
    assert "Our new office opens Monday: drop in for coffee." in text
    assert "copy it into your post yourself" in text


def test_buddies_cannot_edit(cast: Cast, client_for, emma, ben):
    BuddyPairFactory(first=emma, second=ben)
    draft = DraftFactory(author=emma, text="Mine, in my words.")
    ReadRequestFactory(post=draft, reader=ben)
    reader = client_for(ben.user)
    edit = reverse("content:post_edit", args=["acme", draft.public_id])
    assert reader.get(edit).status_code == 404
    response = reader.post(edit, {"text": "Rewritten by the buddy", "action": "draft"})
    assert response.status_code == 404
    delete = reverse("content:post_delete", args=["acme", draft.public_id])
    assert reader.post(delete).status_code == 404
    with pytest.raises(NotAuthor):
        update_post(post=draft, actor=ben, draft=PostDraft(text="Rewritten"), intent=Intent.DRAFT)
    with pytest.raises(NotAuthor):
        delete_post(post=draft, actor=ben)
    assert Post.all_tenants.get(pk=draft.pk).text == "Mine, in my words."


def test_a_read_goes_only_to_the_buddy_or_staff(cast: Cast, client_for, emma, ben):
    draft = DraftFactory(author=emma)
    leo = member(cast, "leo")
    client = client_for(cast.emma)
    form = client.get(url("post_reads", post_id=draft.public_id)).context["form"]
    offered = [label for value, label in form.fields["reader"].widget.choices if value]
    assert offered == ["Alice", "Carol", "Fay"]  # no buddy yet; never a leader or colleague
    response = client.post(url("post_reads", post_id=draft.public_id), {"reader": leo.public_id})
    assert response.context["form"].errors["reader"] == [
        "Choose your buddy or someone from the communications team."
    ]
    response = client.post(url("post_reads", post_id=draft.public_id), {"reader": ben.public_id})
    assert response.context["form"].errors["reader"]
    assert not ReadRequest.all_tenants.exists()


def test_only_a_draft_or_scheduled_post_is_sent_for_a_read(cast: Cast, client_for, emma):
    published = PostFactory(author=emma)
    carol = member(cast, "carol")
    response = client_for(cast.emma).post(
        url("post_reads", post_id=published.public_id), {"reader": carol.public_id}
    )
    assert "Only a draft or a scheduled post can be sent for a read." in response.content.decode()
    with pytest.raises(ValidationError):
        buddies.request_read(post=published, author=emma, reader=carol)
    assert not ReadRequest.all_tenants.exists()


def test_only_the_author_sends_a_post_for_a_read(cast: Cast, client_for, emma, ben):
    BuddyPairFactory(first=emma, second=ben)
    draft = DraftFactory(author=emma)
    assert client_for(ben.user).get(url("post_reads", post_id=draft.public_id)).status_code == 404
    with pytest.raises(NotAuthor):
        buddies.request_read(post=draft, author=ben, reader=emma)


def test_the_author_takes_a_read_back(cast: Cast, client_for, emma, ben):
    BuddyPairFactory(first=emma, second=ben)
    draft = DraftFactory(author=emma)
    read = ReadRequestFactory(post=draft, reader=ben)
    client_for(cast.emma).post(
        url("withdraw_read", post_id=draft.public_id), {"read": read.public_id}
    )
    assert not ReadRequest.all_tenants.filter(pk=read.pk).exists()
    assert client_for(ben.user).get(url("read", read_id=read.public_id)).status_code == 404


def test_ending_the_pair_makes_shared_drafts_private_again(cast: Cast, emma, ben):
    pair = BuddyPairFactory(first=emma, second=ben)
    to_ben = ReadRequestFactory(post=DraftFactory(author=emma), reader=ben)
    carol = member(cast, "carol")
    to_carol = ReadRequestFactory(post=DraftFactory(author=emma), reader=carol)
    buddies.end_pair(pair=pair, actor=emma)
    assert not ReadRequest.all_tenants.filter(pk=to_ben.pk).exists()
    assert ReadRequest.all_tenants.filter(pk=to_carol.pk).exists()


# The fortnightly check-in -----------------------------------------------------------------------


class FailingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages: Any) -> int:
        raise SMTPException("the mail server is down")


def test_the_check_in_is_scheduled_off_the_hour():
    entry = django_settings.CELERY_BEAT_SCHEDULE["program-prompt-buddy-pairs"]
    assert entry["task"] == "program.prompt_buddy_pairs"
    assert 0 not in entry["schedule"].minute


def test_both_buddies_get_the_check_in_every_two_weeks_once(cast: Cast, emma, ben, mailoutbox):
    with time_machine.travel(NOW, tick=False):
        pair = BuddyPairFactory(first=emma, second=ben)
    PostFactory(author=ben, published_at=NOW + dt.timedelta(days=2))
    with time_machine.travel(NOW + dt.timedelta(days=13, hours=23), tick=False):
        assert prompt_buddy_pairs() == 0
    fortnight = NOW + dt.timedelta(days=14)
    with time_machine.travel(fortnight, tick=False):
        assert prompt_buddy_pairs() == 2
        # A second run (or an overlapping one) finds the pair claimed: nothing twice.
        assert prompt_buddy_pairs() == 0
    assert BuddyPair.all_tenants.get(pk=pair.pk).last_prompted_at == fortnight
    assert sorted(m.to[0] for m in mailoutbox) == ["ben@acme.example", "emma@acme.example"]
    to_emma = next(m for m in mailoutbox if m.to == ["emma@acme.example"])
    assert "Time for a check-in with Ben" in to_emma.subject
    assert "Ben: 1 post in the last 4 weeks (0.3 a week)." in to_emma.body
    assert "You: 0 posts in the last 4 weeks (0 a week)." in to_emma.body
    assert django_settings.SITE_URL + url("pair", pair_id=pair.public_id) in html_of(to_emma)
    with time_machine.travel(fortnight + dt.timedelta(days=13), tick=False):
        assert prompt_buddy_pairs() == 0
    with time_machine.travel(fortnight + dt.timedelta(days=14), tick=False):
        assert prompt_buddy_pairs() == 2


def test_the_check_in_respects_the_mail_choice_and_participation(cast: Cast, emma, ben, mailoutbox):
    cleo, dan = colleague(cast, "Cleo"), colleague(cast, "Dan")
    with time_machine.travel(NOW, tick=False):
        BuddyPairFactory(first=emma, second=ben)
        BuddyPairFactory(first=cleo, second=dan)
    NotificationSettings.all_tenants.create(
        organization=cast.acme, membership=ben, buddy_prompts=False
    )
    # Dan stepped out of the program (his pair is left as it was, to prove the check).
    Membership.all_tenants.filter(pk=dan.pk).update(opted_in_at=None)
    with time_machine.travel(NOW + dt.timedelta(days=14), tick=False):
        assert prompt_buddy_pairs() == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["cleo@acme.example", "emma@acme.example"]
    # Emma had no mail choices yet: they were made with the defaults.
    assert NotificationSettings.all_tenants.get(membership=emma).buddy_prompts is True
    assert not NotificationSettings.all_tenants.filter(membership=dan).exists()


def test_a_check_in_that_could_not_be_sent_is_tried_again(cast: Cast, emma, ben, settings):
    with time_machine.travel(NOW, tick=False):
        pair = BuddyPairFactory(first=emma, second=ben)
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    with time_machine.travel(NOW + dt.timedelta(days=14), tick=False):
        assert prompt_buddy_pairs() == 0
    assert BuddyPair.all_tenants.get(pk=pair.pk).last_prompted_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(NOW + dt.timedelta(days=14, hours=1), tick=False):
        assert prompt_buddy_pairs() == 2


def test_ended_pairs_get_no_check_in(cast: Cast, emma, ben, mailoutbox):
    with time_machine.travel(NOW, tick=False):
        BuddyPairFactory(first=emma, second=ben, status=Status.ENDED)
    with time_machine.travel(NOW + dt.timedelta(days=30), tick=False):
        assert prompt_buddy_pairs() == 0
    assert mailoutbox == []


# The facilitator ---------------------------------------------------------------------------------


def test_the_facilitator_sees_the_pairs_of_each_organization_they_belong_to(
    cast: Cast, client_for, emma, ben
):
    acme_pair = BuddyPairFactory(first=emma, second=ben)
    gus = member(cast, "gus", cast.globex)
    globex_pair = BuddyPairFactory(first=gus, second=MembershipFactory(organization=cast.globex))
    fay = client_for(cast.fay)
    acme_page = fay.get(url("pairs"))
    assert [pair for pair, _a, _b in acme_page.context["active"]] == [acme_pair]
    globex_page = fay.get(url("pairs", org="globex"))
    assert [pair for pair, _a, _b in globex_page.context["active"]] == [globex_pair]
    # Each pair only in its own organization.
    assert fay.get(url("pair", org="acme", pair_id=globex_pair.public_id)).status_code == 404
    assert fay.get(url("pair", org="globex", pair_id=globex_pair.public_id)).status_code == 200


def test_a_facilitator_of_one_organization_sees_nothing_of_another(
    cast: Cast, client_for, emma, ben
):
    initech = OrganizationFactory(name="Initech", slug="initech")
    outsider = MembershipFactory(organization=initech, role=Membership.Role.FACILITATOR).user
    pair = BuddyPairFactory(first=emma, second=ben)
    read = ReadRequestFactory(post=DraftFactory(author=emma), reader=member(cast, "fay"))
    client = client_for(outsider)
    for path in (
        url("pairs"),
        url("pair", pair_id=pair.public_id),
        url("read", read_id=read.public_id),
        url("pair", org="initech", pair_id=pair.public_id),
        url("read", org="initech", read_id=read.public_id),
    ):
        assert client.get(path).status_code == 404, path
    assert client.get(url("pairs", org="initech")).context["active"] == []


def test_the_facilitator_never_sees_a_private_draft_unless_it_is_shared(
    cast: Cast, client_for, emma, ben
):
    pair = BuddyPairFactory(first=emma, second=ben)
    draft = DraftFactory(author=emma, text="A private draft about my weekend.")
    to_ben = ReadRequestFactory(post=draft, reader=ben)
    fay = client_for(cast.fay)
    for path in (
        reverse("content:post_detail", args=["acme", draft.public_id]),
        reverse("content:post_edit", args=["acme", draft.public_id]),
        url("post_reads", post_id=draft.public_id),
        url("coach_post", published_post_id=draft.public_id),
        url("read", read_id=to_ben.public_id),
    ):
        assert fay.get(path).status_code == 404, path
    # The pair's page shows staff the cadence, never the drafts the two shared.
    pair_page = fay.get(url("pair", pair_id=pair.public_id))
    assert pair_page.status_code == 200
    assert "A private draft about my weekend." not in pair_page.content.decode()
    assert "A private draft" not in fay.get(url("buddy")).content.decode()

    # Shared with her, she reads it.
    to_fay = buddies.request_read(post=draft, author=emma, reader=member(cast, "fay"))
    page = fay.get(url("read", read_id=to_fay.public_id)).content.decode()
    assert "A private draft about my weekend." in page
    assert "A private draft about my weekend." in fay.get(url("buddy")).content.decode()
