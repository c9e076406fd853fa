"""The employee's sharing pages: the composer, their posts, and comms' view of what is out.

Without the `linkedin` fixture Emma has no LinkedIn connection, so "share now" makes a post
that waits for one; the tests that need LinkedIn itself take the live sandbox.
"""

from __future__ import annotations

import datetime
import io
import uuid
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from advocacy.tenancy.models import Membership
from campaigns.models import CampaignAudienceTeam
from content.images import MAX_UPLOAD_BYTES
from content.models import CampaignItem, ContentItem, ItemAudienceTeam, Post, TrackedLink
from content.sharing import (
    Intent,
    NotAuthor,
    PostDraft,
    cancel_post,
    delete_post,
    retry_post,
    update_post,
)

from .conftest import Cast, besides_kept_pages
from .factories import (
    CampaignFactory,
    CaptionFactory,
    ClickFactory,
    ContentItemFactory,
    PostFactory,
    TeamFactory,
    TrackedLinkFactory,
)
from .http_servers import Servers, page, servers
from .publishing_support import PNG, LinkedIn, reload

NOW = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.UTC)
Status = Post.Status


def url(name: str, *args: Any, org: str = "acme") -> str:
    return reverse(f"content:{name}", args=[org, *args])


def emma_of(cast: Cast) -> Membership:
    return cast.membership(cast.emma, cast.acme)


def composed(**overrides: Any) -> dict[str, Any]:
    """What the composer sends: a fresh form key, public, "share now", unless told otherwise."""
    fields = {
        "form_key": str(uuid.uuid4()),
        "text": "What I took away from the fair, in my own words",
        "visibility": Post.Visibility.PUBLIC,
        "action": Intent.NOW,
    }
    fields.update(overrides)
    return {key: value for key, value in fields.items() if value is not None}


def png(name: str = "team.png", size: tuple[int, int] = (8, 6)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def emmas_post(cast: Cast, **fields: Any) -> Post:
    fields.setdefault("content_item", None)
    return PostFactory(author=emma_of(cast), **fields)


def draft_of(cast: Cast, **fields: Any) -> Post:
    return emmas_post(cast, status=Status.DRAFT, linkedin_urn="", published_at=None, **fields)


def scheduled_of(cast: Cast, when: datetime.datetime | None = None, **fields: Any) -> Post:
    when = when or timezone.now() + datetime.timedelta(days=1)
    return emmas_post(
        cast,
        status=Status.SCHEDULED,
        scheduled_for=when,
        next_attempt_at=when,
        linkedin_urn="",
        published_at=None,
        **fields,
    )


def failed_of(cast: Cast, **fields: Any) -> Post:
    return emmas_post(
        cast,
        status=Status.FAILED,
        failure_code="DUPLICATE_POST",
        failure_reason="LinkedIn already has a post with exactly this text.",
        linkedin_urn="",
        published_at=None,
        **fields,
    )


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def files_in(folder: Any) -> list[str]:
    return [str(path) for path in folder.rglob("*") if path.is_file()]


ARTICLE = """<!doctype html><html><head>
<meta property="og:title" content="How we built the new plant">
<meta property="og:description" content="A year of work in ten pictures">
<meta property="og:image" content="/plant.png">
</head><body></body></html>"""


@pytest.fixture
def article_site(settings: Any) -> Any:
    """A page with an Open Graph card on a loopback server the fetcher may reach."""
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    opened: Servers
    with servers() as opened:
        site = opened.site()
        site.routes["/plant"] = page(ARTICLE)
        site.routes["/plant.png"] = page(PNG, content_type="image/png")
        yield site


# The composer: what it shows ------------------------------------------------------------------


def test_the_composer_shows_the_item_and_its_suggested_captions(cast: Cast, client_for):
    item = ContentItemFactory(
        organization=cast.acme, title="Our new plant", url="https://a.example/p"
    )
    first = CaptionFactory(content_item=item, position=0, text="Proud of the team <3")
    CaptionFactory(content_item=item, position=1, text="A second idea")
    response = client_for(cast.emma).get(url("share_item", item.public_id))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Share “Our new plant”" in page
    assert "Proud of the team &lt;3" in page
    assert "A second idea" in page
    assert f'href="?caption={first.public_id}"' in page
    assert f'data-caption-id="{first.public_id}"' in page
    form = response.context["form"]
    assert form["form_key"].value()
    assert not form["text"].value()
    # A share has no link or image fields: the item says what is shared.
    assert "link_url" not in form.fields
    assert "image" not in form.fields
    assert 'name="link_url"' not in page


def test_a_caption_in_the_query_fills_the_text_and_the_hidden_caption_id(cast: Cast, client_for):
    item = ContentItemFactory(organization=cast.acme)
    caption = CaptionFactory(content_item=item, position=0, text="Start here, then change it")
    other = CaptionFactory(content_item=ContentItemFactory(organization=cast.acme), position=0)
    client = client_for(cast.emma)
    response = client.get(url("share_item", item.public_id), {"caption": caption.public_id})
    form = response.context["form"]
    assert form["text"].value() == "Start here, then change it"
    assert str(form["caption"].value()) == str(caption.public_id)
    page = response.content.decode()
    assert f'name="caption" value="{caption.public_id}"' in page
    assert "Start here, then change it</textarea>" in page
    # Another item's caption (or nonsense) leaves the composer empty.
    for chosen in (other.public_id, "not-a-uuid"):
        form = client.get(url("share_item", item.public_id), {"caption": chosen}).context["form"]
        assert not form["text"].value()
        assert not form["caption"].value()


@pytest.mark.parametrize(
    "unavailable",
    [
        {"status": ContentItem.Status.DRAFT},
        {"status": ContentItem.Status.ARCHIVED},
        {"available_until": NOW - datetime.timedelta(minutes=1)},
        {"available_from": NOW + datetime.timedelta(days=1)},
        {"audience_locations": "\nOdense\n"},
        {"audience_languages": "\nde\n"},
    ],
)
@time_machine.travel(NOW, tick=False)
def test_an_item_that_is_not_for_the_member_now_is_a_404(
    cast: Cast, client_for, unavailable: dict[str, Any]
):
    item = ContentItemFactory(organization=cast.acme, **unavailable)
    client = client_for(cast.emma)
    assert client.get(url("share_item", item.public_id)).status_code == 404
    assert client.post(url("share_item", item.public_id), composed()).status_code == 404
    assert not Post.all_tenants.exists()


def test_an_item_for_another_team_or_campaign_audience_is_a_404(cast: Cast, client_for):
    support = TeamFactory(organization=cast.acme, name="Support")
    for_support = ContentItemFactory(organization=cast.acme)
    ItemAudienceTeam.all_tenants.create(
        organization=cast.acme, content_item=for_support, team=support
    )
    in_support_campaign = ContentItemFactory(organization=cast.acme)
    campaign = CampaignFactory(organization=cast.acme, status="live")
    CampaignAudienceTeam.all_tenants.create(organization=cast.acme, campaign=campaign, team=support)
    CampaignItem.all_tenants.create(
        organization=cast.acme, campaign=campaign, content_item=in_support_campaign
    )
    client = client_for(cast.emma)
    for item in (for_support, in_support_campaign):
        assert client.get(url("share_item", item.public_id)).status_code == 404
    # Emma's own team's items are hers to share.
    for_sales = ContentItemFactory(organization=cast.acme)
    ItemAudienceTeam.all_tenants.create(
        organization=cast.acme, content_item=for_sales, team=cast.acme_sales
    )
    assert client.get(url("share_item", for_sales.public_id)).status_code == 200


def test_cannot_get_other_org_item_composer(cast: Cast, client_for):
    globex_item = ContentItemFactory(organization=cast.globex)
    client = client_for(cast.emma)
    assert client.get(url("share_item", globex_item.public_id)).status_code == 404
    assert client.post(url("share_item", globex_item.public_id), composed()).status_code == 404
    assert not Post.all_tenants.exists()


def test_the_own_post_composer_offers_a_link_and_an_image(cast: Cast, client_for):
    response = client_for(cast.emma).get(url("post_new"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Write your own post" in page
    assert 'aria-describedby="text-count"' in page
    assert 'aria-describedby="id_link_url_helptext"' in page
    assert 'id="id_link_url_helptext"' in page
    assert 'id="id_scheduled_for_helptext"' in page
    for name in ("text", "link_url", "link_title", "image", "image_alt_text", "is_company_content"):
        assert f'name="{name}"' in page
    assert 'enctype="multipart/form-data"' in page
    assert "3,000" in page or "3000" in page
    assert response.context["form"]["form_key"].value()


# The composer: sharing, scheduling, drafts ----------------------------------------------------


def test_share_now_makes_a_post_that_waits_for_a_connection(
    cast: Cast, client_for, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory(organization=cast.acme, name="Spring hiring", status="live")
    item = ContentItemFactory(
        organization=cast.acme,
        kind="job",
        url="https://acme.example/jobs/7",
        is_company_content=True,
    )
    CampaignItem.all_tenants.create(organization=cast.acme, campaign=campaign, content_item=item)
    caption = CaptionFactory(content_item=item, position=0, text="We hire")
    client = client_for(cast.emma)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            url("share_item", item.public_id),
            composed(text="We hire, and I love working here", caption=str(caption.public_id)),
        )
    post = Post.all_tenants.get()
    assert response.status_code == 302
    assert response["Location"] == url("post_detail", post.public_id)
    assert len(besides_kept_pages(callbacks)) == 1  # the publishing task
    assert (post.author, post.content_item, post.caption) == (emma_of(cast), item, caption)
    assert post.text == "We hire, and I love working here"
    assert post.campaign == campaign
    assert post.is_company_content
    assert post.link_url == "https://acme.example/jobs/7"
    assert post.status == Status.SCHEDULED
    assert TrackedLink.all_tenants.filter(post=post).exists()
    page = client.get(response["Location"]).content.decode()
    assert "It goes out as soon as your LinkedIn account is connected" in page


@time_machine.travel(NOW, tick=False)
def test_schedule_for_a_time_in_the_organizations_zone(cast: Cast, client_for):
    item = ContentItemFactory(organization=cast.acme)
    client = client_for(cast.emma)
    response = client.post(
        url("share_item", item.public_id),
        composed(action=Intent.SCHEDULE, scheduled_for="2026-12-02T09:30"),
    )
    post = Post.all_tenants.get()
    assert response.status_code == 302
    assert post.status == Status.SCHEDULED
    # Copenhagen is an hour ahead of UTC in December.
    assert post.scheduled_for == datetime.datetime(2026, 12, 2, 8, 30, tzinfo=datetime.UTC)
    assert post.next_attempt_at == post.scheduled_for
    page = client.get(response["Location"]).content.decode()
    assert "Scheduled for 2 Dec 2026, 09:30. Connect your LinkedIn account before then" in page


def test_save_as_draft(cast: Cast, client_for, django_capture_on_commit_callbacks):
    client = client_for(cast.emma)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            url("post_new"),
            composed(action=Intent.DRAFT, scheduled_for="2020-01-01T00:00"),
        )
    post = Post.all_tenants.get()
    assert response.status_code == 302
    assert besides_kept_pages(callbacks) == []
    assert post.status == Status.DRAFT
    assert post.scheduled_for is None
    assert post.next_attempt_at is None
    assert post.content_item is None
    assert "Saved as a draft" in client.get(response["Location"]).content.decode()


def test_an_own_post_with_a_link_and_an_image(cast: Cast, client_for, media):
    client = client_for(cast.emma)
    response = client.post(
        url("post_new"),
        composed(
            action=Intent.DRAFT,
            text="Our team today",
            link_url="acme.example/blog/team?x=1",
            link_title="The team",
            link_description="Five of us",
            image=png(),
            image_alt_text="Five people in front of the plant",
            is_company_content="on",
            visibility=Post.Visibility.CONNECTIONS,
        ),
    )
    assert response.status_code == 302
    post = Post.all_tenants.get()
    assert post.link_url == "https://acme.example/blog/team?x=1"
    assert (post.link_title, post.link_description) == ("The team", "Five of us")
    assert post.image
    assert post.image.name.endswith(".png")
    assert (media / post.image.name).is_file()
    assert post.image_alt_text == "Five people in front of the plant"
    assert post.is_company_content
    assert post.visibility == Post.Visibility.CONNECTIONS
    assert post.tracked_link.destination.startswith("https://acme.example/blog/team?x=1&utm_")
    page = client.get(response["Location"]).content.decode()
    assert 'alt="Five people in front of the plant"' in page


def test_an_own_posts_link_card_is_read_from_the_page_for_what_was_left_empty(
    cast: Cast, client_for, media, article_site, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.emma).post(
            url("post_new"),
            composed(
                action=Intent.DRAFT,
                link_url=article_site.url("/plant"),
                link_description="My own summary",
            ),
        )
    assert response.status_code == 302
    post = Post.all_tenants.get()
    assert post.link_title == "How we built the new plant"
    assert post.link_description == "My own summary"
    assert (media / post.link_image.name).read_bytes() == PNG
    page = client_for(cast.emma).get(response["Location"]).content.decode()
    assert "How we built the new plant" in page
    assert post.link_image.url in page


def test_a_caption_of_another_item_is_not_recorded(cast: Cast, client_for):
    item = ContentItemFactory(organization=cast.acme)
    stranger = CaptionFactory(content_item=ContentItemFactory(organization=cast.acme), position=0)
    client_for(cast.emma).post(
        url("share_item", item.public_id), composed(caption=str(stranger.public_id))
    )
    post = Post.all_tenants.get()
    assert post.content_item == item
    assert post.caption is None


def test_two_quick_clicks_on_share_make_one_post(cast: Cast, client_for):
    item = ContentItemFactory(organization=cast.acme)
    client = client_for(cast.emma)
    fields = composed()
    first = client.post(url("share_item", item.public_id), fields)
    second = client.post(url("share_item", item.public_id), fields)
    assert Post.all_tenants.count() == 1
    assert first.status_code == second.status_code == 302
    assert (
        first["Location"]
        == second["Location"]
        == url("post_detail", Post.all_tenants.get().public_id)
    )
    # A new composer has a new key, so a second share is a second post.
    client.post(url("share_item", item.public_id), composed())
    assert Post.all_tenants.count() == 2


# The composer: bad input, refused at the field, nothing saved -----------------------------------


BAD_INPUT = {
    "over_long": ({"text": "x" * 3001}, "text", "at most 3,000 characters"),
    "empty": ({"text": "  \n "}, "text", "Write something"),
    "in_the_past": (
        {"action": Intent.SCHEDULE, "scheduled_for": "2026-12-01T12:59"},
        "scheduled_for",
        "That time has passed",
    ),
    "no_time": ({"action": Intent.SCHEDULE}, "scheduled_for", "Choose when"),
    "not_a_time": (
        {"action": Intent.SCHEDULE, "scheduled_for": "tomorrow"},
        "scheduled_for",
        "Enter a valid date/time",
    ),
    "not_an_image": (
        {"image": SimpleUploadedFile("cat.png", b"GIF89a not really", content_type="image/png")},
        "image",
        "not an image",
    ),
    "ftp_link": ({"link_url": "ftp://files.acme.example/report.pdf"}, "link_url", "https://"),
    "title_without_link": ({"link_title": "Read this"}, "link_url", "Add the link"),
    "unknown_visibility": ({"visibility": "EVERYONE"}, "visibility", "Select a valid choice"),
}


@pytest.mark.parametrize("case", BAD_INPUT, ids=list(BAD_INPUT))
@time_machine.travel(NOW, tick=False)
def test_bad_input_is_refused_at_the_field_and_nothing_is_saved(
    cast: Cast, client_for, media, case: str
):
    fields, field, message = BAD_INPUT[case]
    fields = dict(fields.items())
    if "image" in fields:
        fields["image"].seek(0)
    response = client_for(cast.emma).post(url("post_new"), composed(**fields))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert any(message in error for error in errors[field]), errors[field]
    assert message in response.content.decode()
    assert not Post.all_tenants.exists()
    assert not TrackedLink.all_tenants.exists()
    assert files_in(media) == []


def test_an_over_long_text_is_kept_for_trimming_and_the_limit_is_named(cast: Cast, client_for):
    text = "é" * 3001
    response = client_for(cast.emma).post(url("post_new"), composed(text=text))
    assert response.context["form"]["text"].value() == text
    page = response.content.decode()
    assert "3,001 characters: 1 over LinkedIn&#x27;s limit of 3,000" in page
    assert "this text has 3,001. Shorten it by 1." in page
    assert not Post.all_tenants.exists()


def test_an_image_over_the_size_limit_is_refused(cast: Cast, client_for, media):
    big = SimpleUploadedFile(
        "big.png", PNG + b"\0" * (MAX_UPLOAD_BYTES + 1 - len(PNG)), content_type="image/png"
    )
    response = client_for(cast.emma).post(url("post_new"), composed(image=big))
    assert response.status_code == 200
    [error] = response.context["form"].errors["image"]
    assert "the limit is 8 MB" in error
    assert not Post.all_tenants.exists()
    assert files_in(media) == []


def test_a_text_over_the_limit_is_refused_when_editing_too(cast: Cast, client_for):
    post = draft_of(cast, text="Short")
    response = client_for(cast.emma).post(
        url("post_edit", post.public_id), composed(text="y" * 3001, action=Intent.DRAFT)
    )
    assert "text" in response.context["form"].errors
    assert reload(post).text == "Short"


# The duplicate nudge ------------------------------------------------------------------------------


def test_the_same_text_as_a_colleague_is_nudged_until_confirmed(cast: Cast, client_for):
    item = ContentItemFactory(organization=cast.acme)
    PostFactory(
        author=cast.membership(cast.carol, cast.acme),
        content_item=item,
        text="Great news from Acme!",
    )
    client = client_for(cast.emma)
    share = url("share_item", item.public_id)
    response = client.post(share, composed(text="  great news   from ACME!\n"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.duplicate_nudge
    page = response.content.decode()
    assert "make it yours" in page
    assert 'name="confirm_duplicate"' in page
    assert Post.all_tenants.count() == 1
    response = client.post(share, composed(text="great news from ACME!", confirm_duplicate="on"))
    assert response.status_code == 302
    assert Post.all_tenants.filter(author=emma_of(cast)).count() == 1


def test_no_nudge_for_other_words_other_items_drafts_or_ones_own_earlier_post(
    cast: Cast, client_for
):
    item = ContentItemFactory(organization=cast.acme)
    carol = cast.membership(cast.carol, cast.acme)
    PostFactory(author=carol, content_item=ContentItemFactory(organization=cast.acme), text="Same")
    PostFactory(
        author=carol,
        content_item=item,
        text="Draft text",
        status=Status.DRAFT,
        linkedin_urn="",
        published_at=None,
    )
    emmas_post(cast, content_item=item, text="Mine again")
    client = client_for(cast.emma)
    share = url("share_item", item.public_id)
    for text in ("Same", "Draft text", "Mine again", "Words of my own"):
        response = client.post(share, composed(text=text, action=Intent.DRAFT))
        assert response.status_code == 302, text
    page = client.get(share).content.decode()
    assert 'name="confirm_duplicate"' not in page


# The 80/20 panel ---------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_the_mix_panel_counts_the_last_30_days(cast: Cast, client_for):
    day = datetime.timedelta(days=1)
    emmas_post(cast, is_company_content=True, published_at=NOW - 10 * day)
    emmas_post(cast, is_company_content=False, published_at=NOW - 5 * day)
    emmas_post(cast, is_company_content=True, published_at=NOW - 40 * day)  # too long ago
    scheduled_of(cast, NOW + day, is_company_content=True)
    draft_of(cast, is_company_content=True)  # not out, not on its way
    emmas_post(cast, status=Status.DELETED, is_company_content=True, published_at=NOW - day)
    PostFactory(author=cast.membership(cast.carol, cast.acme), published_at=NOW - day)
    client = client_for(cast.emma)

    company_item = ContentItemFactory(organization=cast.acme, is_company_content=True)
    response = client.get(url("share_item", company_item.public_id))
    mix, after = response.context["mix"], response.context["mix_after"]
    assert (mix.posts, mix.company_posts, mix.company_pct) == (3, 2, 66.7)
    assert (after.posts, after.company_pct) == (4, 75.0)
    page = response.content.decode()
    assert "2 of your 3 posts were about the company (66.7 %)" in page
    assert "With this one: 75 % about the company." in page
    assert 'id="mix-over" class="badge badge--warning">Over the 20 % guideline' in page

    own = client.get(url("post_new")).context
    assert own["mix_after"].company_pct == 50.0


@time_machine.travel(NOW, tick=False)
def test_the_mix_panel_for_a_first_post_and_for_an_edit(cast: Cast, client_for):
    client = client_for(cast.emma)
    item = ContentItemFactory(organization=cast.acme, is_company_content=False)
    page = client.get(url("share_item", item.public_id)).content.decode()
    assert "You have not posted in the last 30 days." in page
    assert "With this one: 0 % about the company." in page
    assert 'id="mix-over" class="badge badge--warning hidden"' in page
    # An edited post is not counted twice.
    post = scheduled_of(cast, NOW + datetime.timedelta(hours=2), is_company_content=True)
    context = client.get(url("post_edit", post.public_id)).context
    assert context["mix"].posts == 0
    assert context["mix_after"].posts == 1


# Editing, cancelling, retrying, deleting ---------------------------------------------------------


def test_edit_a_draft_then_schedule_it(cast: Cast, client_for):
    post = draft_of(cast, text="First go", link_url="https://acme.example/a")
    client = client_for(cast.emma)
    response = client.get(url("post_edit", post.public_id))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["text"].value() == "First go"
    assert form["link_url"].value() == "https://acme.example/a"
    assert "Edit your post" in response.content.decode()
    when = timezone.localtime(timezone.now() + datetime.timedelta(days=2))
    response = client.post(
        url("post_edit", post.public_id),
        composed(
            text="Second go",
            link_url="https://acme.example/a",
            action=Intent.SCHEDULE,
            scheduled_for=when.strftime("%Y-%m-%dT%H:%M"),
        ),
    )
    assert response.status_code == 302
    post = reload(post)
    assert post.text == "Second go"
    assert post.status == Status.SCHEDULED
    assert post.scheduled_for is not None
    assert post.scheduled_for > timezone.now()
    assert Post.all_tenants.count() == 1


@time_machine.travel(NOW, tick=False)
def test_edit_a_scheduled_post_shows_its_time_and_moves_it(cast: Cast, client_for):
    item = ContentItemFactory(organization=cast.acme)
    post = scheduled_of(
        cast, datetime.datetime(2026, 12, 3, 7, 0, tzinfo=datetime.UTC), content_item=item
    )
    client = client_for(cast.emma)
    response = client.get(url("post_edit", post.public_id))
    assert 'value="2026-12-03T08:00"' in response.content.decode()  # Copenhagen time
    response = client.post(
        url("post_edit", post.public_id),
        composed(text="Moved", action=Intent.SCHEDULE, scheduled_for="2026-12-04T10:00"),
    )
    assert response.status_code == 302
    post = reload(post)
    assert (post.text, post.status) == ("Moved", Status.SCHEDULED)
    assert post.scheduled_for == datetime.datetime(2026, 12, 4, 9, 0, tzinfo=datetime.UTC)
    assert post.content_item == item


def test_a_published_post_cannot_be_edited(cast: Cast, client_for):
    post = emmas_post(cast, text="Out there")
    client = client_for(cast.emma)
    response = client.get(url("post_edit", post.public_id))
    assert response.status_code == 302
    assert response["Location"] == url("post_detail", post.public_id)
    client.post(url("post_edit", post.public_id), composed(text="Changed"))
    assert reload(post).text == "Out there"


def test_cancel_a_scheduled_post(cast: Cast, client_for):
    post = scheduled_of(cast)
    client = client_for(cast.emma)
    assert client.get(url("post_cancel", post.public_id)).status_code == 405
    response = client.post(url("post_cancel", post.public_id))
    assert response["Location"] == url("post_detail", post.public_id)
    post = reload(post)
    assert post.status == Status.DRAFT
    assert post.scheduled_for is None
    assert post.next_attempt_at is None
    assert "back among your drafts" in client.get(response["Location"]).content.decode()


def test_retry_a_failed_post(cast: Cast, client_for, django_capture_on_commit_callbacks):
    post = failed_of(cast)
    client = client_for(cast.emma)
    page = client.get(url("post_detail", post.public_id)).content.decode()
    assert "LinkedIn already has a post with exactly this text." in page
    assert url("post_retry", post.public_id) in page
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(url("post_retry", post.public_id))
    assert response.status_code == 302
    assert len(besides_kept_pages(callbacks)) == 1
    post = reload(post)
    assert post.status == Status.SCHEDULED
    assert (post.failure_reason, post.failure_code, post.attempts) == ("", "", 0)
    # Only a failed post is tried again.
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(url("post_retry", post.public_id))
    assert besides_kept_pages(callbacks) == []


def test_delete_a_draft_discards_it(cast: Cast, client_for):
    post = draft_of(cast, link_url="https://acme.example/x")
    TrackedLinkFactory(post=post)
    response = client_for(cast.emma).post(url("post_delete", post.public_id))
    assert response["Location"] == url("my_posts")
    assert not Post.all_tenants.exists()
    assert not TrackedLink.all_tenants.exists()


def test_delete_a_published_post_queues_its_deletion_on_linkedin(
    cast: Cast, client_for, django_capture_on_commit_callbacks
):
    post = emmas_post(cast)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_for(cast.emma).post(url("post_delete", post.public_id))
    assert response["Location"] == url("my_posts")
    assert len(besides_kept_pages(callbacks)) == 1
    post = reload(post)
    assert post.status == Status.DELETED
    assert post.deleted_at is not None
    assert post.text  # kept, for the author's own record


@pytest.mark.django_db(transaction=True)
def test_share_then_delete_through_the_pages_on_the_sandbox(
    cast: Cast, client_for, linkedin: LinkedIn
):
    item = ContentItemFactory(organization=cast.acme)
    client = client_for(cast.emma)
    fields = composed(text="Shared through the page")
    client.post(url("share_item", item.public_id), fields)
    client.post(url("share_item", item.public_id), fields)  # a double click
    post = Post.all_tenants.get()
    assert post.status == Status.PUBLISHED
    [made] = linkedin.posts()
    assert made.urn == post.linkedin_urn
    page = client.get(url("my_posts")).content.decode()
    assert f'href="{post.feed_url}"' in page
    response = client.post(url("post_delete", post.public_id))
    assert response.status_code == 302
    post = reload(post)
    assert post.status == Status.DELETED
    assert post.linkedin_deleted_at is not None
    assert linkedin.live_posts() == []


@pytest.mark.django_db(transaction=True)
def test_an_own_post_shared_now_goes_out_with_the_card_of_its_page(
    cast: Cast, client_for, linkedin: LinkedIn, media, article_site
):
    response = client_for(cast.emma).post(
        url("post_new"), composed(text="Read this", link_url=article_site.url("/plant"))
    )
    assert response.status_code == 302
    post = Post.all_tenants.get()
    assert post.status == Status.PUBLISHED
    [made] = linkedin.posts()
    article = made.body["content"]["article"]
    assert article["title"] == "How we built the new plant"
    assert article["description"] == "A year of work in ten pictures"
    assert article["source"].endswith(f"/l/{post.tracked_link.code}")
    assert "thumbnail" in article


# Nobody but the author ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["carol", "alice", "leo", "fay"])
def test_nobody_but_the_author_reaches_a_posts_pages(cast: Cast, client_for, persona: str):
    posts = {
        "draft": draft_of(cast, text="Emma's draft"),
        "scheduled": scheduled_of(cast, text="Emma's scheduled"),
        "failed": failed_of(cast, text="Emma's failed"),
        "published": emmas_post(cast, text="Emma's published"),
    }
    before = {key: (p.text, p.status) for key, p in posts.items()}
    client = client_for(getattr(cast, persona))
    for post in posts.values():
        for name in ("post_detail", "post_edit"):
            assert client.get(url(name, post.public_id)).status_code == 404
        assert (
            client.post(url("post_edit", post.public_id), composed(text="Hijacked")).status_code
            == 404
        )
        for name in ("post_cancel", "post_retry", "post_delete"):
            assert client.post(url(name, post.public_id)).status_code == 404
    client.post(
        url("my_posts_bulk"), {"action": "cancel", "posts": [str(posts["scheduled"].public_id)]}
    )
    client.post(
        url("my_posts_bulk"), {"action": "discard", "posts": [str(posts["draft"].public_id)]}
    )
    after = {key: (reload(p).text, reload(p).status) for key, p in posts.items()}
    assert after == before


def test_the_services_refuse_anyone_but_the_author(cast: Cast):
    post = failed_of(cast, text="Mine")
    others = [
        cast.membership(cast.carol, cast.acme),
        cast.membership(cast.alice, cast.acme),
        cast.membership(cast.fay, cast.acme),
        cast.membership(cast.gus, cast.globex),
    ]
    for other in others:
        with pytest.raises(NotAuthor):
            update_post(
                post=post, actor=other, draft=PostDraft(text="Changed"), intent=Intent.DRAFT
            )
        with pytest.raises(NotAuthor):
            cancel_post(post=post, actor=other)
        with pytest.raises(NotAuthor):
            retry_post(post=post, actor=other)
        with pytest.raises(NotAuthor):
            delete_post(post=post, actor=other)
    post = reload(post)
    assert (post.text, post.status) == ("Mine", Status.FAILED)


def test_the_published_posts_page_offers_no_way_to_change_a_post(cast: Cast, client_for):
    post = PostFactory(author=emma_of(cast), text="Emma's words")
    client = client_for(cast.carol)
    page = client.get(url("published_posts")).content.decode().split('id="main"')[1]
    assert "Emma&#x27;s words" in page
    assert 'method="post"' not in page
    assert "<textarea" not in page
    assert url("post_edit", post.public_id) not in page
    response = client.post(url("published_posts"), {"text": "Corrected by comms"})
    assert response.status_code in (200, 405)
    assert reload(post).text == "Emma's words"


# My posts -----------------------------------------------------------------------------------------


def every_status(cast: Cast) -> dict[str, Post]:
    posts = {
        "draft": draft_of(cast, text="A draft of mine"),
        "scheduled": scheduled_of(cast, text="Going out tomorrow"),
        "publishing": emmas_post(
            cast,
            text="On its way",
            status=Status.PUBLISHING,
            scheduled_for=timezone.now(),
            linkedin_urn="",
            published_at=None,
        ),
        "published": emmas_post(
            cast,
            text="Out there",
            link_url="https://acme.example/out",
            impressions=1234,
            reactions=56,
        ),
        "failed": failed_of(cast, text="This one failed"),
        "deleted": emmas_post(cast, text="Deleted one", status=Status.DELETED),
    }
    link = TrackedLinkFactory(post=posts["published"])
    ClickFactory(link=link)
    ClickFactory(link=link)
    ClickFactory(link=link, is_bot=True)
    return posts


def test_my_posts_lists_every_status_with_what_it_needs(cast: Cast, client_for):
    posts = every_status(cast)
    PostFactory(author=cast.membership(cast.carol, cast.acme), text="Carol's own")
    response = client_for(cast.emma).get(url("my_posts"))
    assert response.status_code == 200
    page = response.content.decode()
    for label in ("Draft", "Scheduled", "Publishing", "Published", "Failed", "Deleted"):
        assert f">{label}<" in page, label
    for post in posts.values():
        assert url("post_detail", post.public_id) in page
    assert "Carol&#x27;s own" not in page
    assert "LinkedIn already has a post with exactly this text." in page
    assert url("post_retry", posts["failed"].public_id) in page
    assert url("post_retry", posts["published"].public_id) not in page
    assert f'href="{posts["published"].feed_url}"' in page
    assert f'href="{posts["deleted"].feed_url}"' not in page
    assert "1,234" in page or "1234" in page
    assert ">56<" in page
    [published] = [p for p in response.context["page"] if p.pk == posts["published"].pk]
    assert published.click_count == 2  # the bot is not counted


def test_my_posts_filters(cast: Cast, client_for):
    every_status(cast)
    client = client_for(cast.emma)

    def texts(query: dict[str, str]) -> set[str]:
        return {post.text for post in client.get(url("my_posts"), query).context["page"]}

    assert texts({"status": "draft"}) == {"A draft of mine"}
    assert texts({"status": "failed"}) == {"This one failed"}
    assert texts({"q": "OUT"}) == {"Out there", "Going out tomorrow"}
    assert texts({"q": "out", "status": "published"}) == {"Out there"}
    response = client.get(url("my_posts"), {"status": "nonsense"})
    assert "status" in response.context["filters"].errors
    assert "Select a valid choice" in response.content.decode()
    page = client.get(url("my_posts"), {"q": "zzz"}).content.decode()
    assert "Nothing matches these filters" in page
    assert "No posts yet" not in page


def test_my_posts_bulk_cancel_and_discard(cast: Cast, client_for):
    scheduled = scheduled_of(cast, text="Scheduled one")
    draft = draft_of(cast, text="Draft one")
    carol = cast.membership(cast.carol, cast.acme)
    carols_scheduled = PostFactory(
        author=carol,
        status=Status.SCHEDULED,
        scheduled_for=timezone.now() + datetime.timedelta(days=1),
        linkedin_urn="",
        published_at=None,
    )
    carols_draft = PostFactory(
        author=carol, status=Status.DRAFT, linkedin_urn="", published_at=None
    )
    client = client_for(cast.emma)
    every = [str(p.public_id) for p in (scheduled, draft, carols_scheduled, carols_draft)]

    response = client.post(url("my_posts_bulk"), {"action": "cancel", "posts": every})
    assert response["Location"] == url("my_posts")
    assert reload(scheduled).status == Status.DRAFT
    assert reload(carols_scheduled).status == Status.SCHEDULED
    assert "1 post changed." in client.get(url("my_posts")).content.decode()

    client.post(url("my_posts_bulk"), {"action": "discard", "posts": every})
    assert not Post.all_tenants.filter(pk__in=[scheduled.pk, draft.pk]).exists()
    assert Post.all_tenants.filter(pk__in=[carols_scheduled.pk, carols_draft.pk]).count() == 2

    response = client.post(url("my_posts_bulk"), {"action": "discard"})
    assert "Select at least one post." in client.get(url("my_posts")).content.decode()
    assert client.get(url("my_posts_bulk")).status_code == 405


def test_my_posts_query_count_does_not_grow_with_posts(
    cast: Cast, client_for, django_assert_num_queries, settings
):
    settings.PAGE_CACHE_SECONDS = 0  # the page's own queries, not a kept copy's
    campaign = CampaignFactory(organization=cast.acme)
    every_status(cast)
    client = client_for(cast.emma)
    client.get(url("my_posts"))
    with CaptureQueriesContext(connection) as baseline:
        client.get(url("my_posts"))
    for _ in range(3):
        every_status(cast)
        emmas_post(cast, content_item=ContentItemFactory(organization=cast.acme), campaign=campaign)
    with django_assert_num_queries(len(baseline.captured_queries)):
        response = client.get(url("my_posts"))
    assert len(response.context["page"].object_list) == 20


def test_cannot_get_other_org_posts(cast: Cast, client_for):
    gus = cast.membership(cast.gus, cast.globex)
    post = PostFactory(author=gus, text="Gus's")
    client = client_for(cast.emma)
    assert client.get(url("post_detail", post.public_id)).status_code == 404
    assert client.get(url("post_detail", post.public_id, org="globex")).status_code == 404
    assert "Gus" not in client.get(url("my_posts")).content.decode()


# Published posts, for comms -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("carol", 200),
        ("alice", 200),
        ("fay", 200),
        ("emma", 403),
        ("leo", 403),
    ],
)
def test_published_posts_is_for_comms_admins_and_facilitators(
    cast: Cast, client_for, persona: str, status: int
):
    assert client_for(getattr(cast, persona)).get(url("published_posts")).status_code == status


def test_published_posts_shows_only_this_orgs_published_posts(cast: Cast, client_for):
    emma = emma_of(cast)
    PostFactory(author=emma, text="Out and about")
    for status in (Status.DRAFT, Status.SCHEDULED, Status.FAILED, Status.PUBLISHING):
        PostFactory(
            author=emma,
            text=f"Not out: {status}",
            status=status,
            linkedin_urn="",
            published_at=None,
            scheduled_for=timezone.now(),
        )
    PostFactory(author=emma, text="Deleted by Emma", status=Status.DELETED)
    PostFactory(author=cast.membership(cast.gus, cast.globex), text="Globex's post")
    response = client_for(cast.carol).get(url("published_posts"))
    assert [post.text for post in response.context["page"]] == ["Out and about"]
    page = response.content.decode()
    assert "Not out" not in page
    assert "Deleted by Emma" not in page
    assert "Globex" not in page
    assert "Emma" in page
    assert "Sales" in page


def test_published_posts_filters(cast: Cast, client_for):
    emma, leo = emma_of(cast), cast.membership(cast.leo, cast.acme)
    campaign = CampaignFactory(organization=cast.acme, name="Trust week")
    item = ContentItemFactory(organization=cast.acme)
    PostFactory(
        author=emma,
        content_item=item,
        campaign=campaign,
        text="Emma shares",
        is_company_content=True,
    )
    PostFactory(author=emma, content_item=None, text="Emma's own thoughts")
    PostFactory(author=leo, content_item=item, text="Leo shares too")
    client = client_for(cast.carol)

    def texts(query: dict[str, str]) -> set[str]:
        response = client.get(url("published_posts"), query)
        assert not response.context["filters"].errors
        return {post.text for post in response.context["page"]}

    assert texts({"q": "thoughts"}) == {"Emma's own thoughts"}
    assert texts({"q": "leo"}) == {"Leo shares too"}  # the author's name
    assert texts({"q": "emma@acme"}) == {"Emma shares", "Emma's own thoughts"}
    assert texts({"team": str(cast.acme_sales.public_id)}) == {"Emma shares", "Emma's own thoughts"}
    assert texts({"campaign": str(campaign.public_id)}) == {"Emma shares"}
    assert texts({"kind": "own"}) == {"Emma's own thoughts"}
    assert texts({"kind": "shares"}) == {"Emma shares", "Leo shares too"}
    assert texts({"about": "company"}) == {"Emma shares"}
    assert texts({"about": "other"}) == {"Emma's own thoughts", "Leo shares too"}


def test_a_foreign_team_or_campaign_in_the_filters_is_a_validation_error(cast: Cast, client_for):
    PostFactory(author=emma_of(cast), text="Acme's post")
    gus = cast.membership(cast.gus, cast.globex)
    globex_campaign = CampaignFactory(organization=cast.globex)
    PostFactory(author=gus, text="Globex's post", campaign=globex_campaign)
    client = client_for(cast.carol)
    for query in (
        {"team": str(cast.globex_ops.public_id)},
        {"campaign": str(globex_campaign.public_id)},
    ):
        response = client.get(url("published_posts"), query)
        assert response.status_code == 200
        assert list(query) == list(response.context["filters"].errors)
        page = response.content.decode()
        assert "Select a valid choice" in page
        assert "Globex" not in page


def test_published_posts_query_count_does_not_grow_with_posts(
    cast: Cast, client_for, django_assert_num_queries
):
    campaign = CampaignFactory(organization=cast.acme)
    members = [emma_of(cast), cast.membership(cast.leo, cast.acme)]

    def add_posts() -> None:
        for member in members:
            post = PostFactory(
                author=member,
                content_item=ContentItemFactory(organization=cast.acme),
                campaign=campaign,
                link_url="https://acme.example/x",
                reactions=3,
            )
            ClickFactory(link=TrackedLinkFactory(post=post))
            PostFactory(author=member, content_item=None)

    add_posts()
    client = client_for(cast.carol)
    client.get(url("published_posts"))
    with CaptureQueriesContext(connection) as baseline:
        client.get(url("published_posts"))
    for _ in range(4):
        add_posts()
    with django_assert_num_queries(len(baseline.captured_queries)):
        response = client.get(url("published_posts"))
    assert len(response.context["page"].object_list) == 20


def test_editing_an_own_post_keeps_or_drops_its_image(cast: Cast, client_for, media):
    client = client_for(cast.emma)
    client.post(
        url("post_new"),
        composed(action=Intent.DRAFT, image=png(), image_alt_text="The plant at dawn"),
    )
    post = Post.all_tenants.get()
    name = post.image.name
    page = client.get(url("post_edit", post.public_id)).content.decode()
    assert 'name="image-clear"' in page
    response = client.post(
        url("post_edit", post.public_id),
        composed(action=Intent.DRAFT, text="New words", image_alt_text="The plant at dawn"),
    )
    assert response.status_code == 302
    post = reload(post)
    assert (post.text, post.image.name) == ("New words", name)
    assert (media / name).is_file()
    client.post(
        url("post_edit", post.public_id),
        composed(action=Intent.DRAFT, text="No picture", **{"image-clear": "on"}),
    )
    assert not reload(post).image
