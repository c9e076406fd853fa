"""The library's item form: image, topics, audience and the editable link preview, and the
preview fetched when a link is saved."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from advocacy.tenancy.models import AuditEntry, Membership
from content import previews
from content.images import MAX_UPLOAD_BYTES
from content.models import ContentItem, ItemAudienceTeam, ItemTopic, PreviewStatus, Topic
from content.services import ItemDetails, create_content_item, update_content_item

from .conftest import Cast, besides_kept_pages
from .factories import (
    ContentItemFactory,
    MembershipFactory,
    TeamFactory,
    TopicFactory,
    UserFactory,
)
from .test_content import acme_items, item_form, url

DASHBOARD = reverse("content:dashboard", args=["acme"])


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def png(name: str = "office.png", size: tuple[int, int] = (40, 30)) -> SimpleUploadedFile:
    output = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(output, format="PNG")
    return SimpleUploadedFile(name, output.getvalue(), content_type="image/png")


def stored_files(media: Path) -> list[Path]:
    return sorted(path for path in media.rglob("*") if path.is_file())


def link_rows() -> dict[str, list[tuple[str, str, str]]]:
    """Every item's topic and team rows, whatever the organization: (org, item, name)."""
    topics = ItemTopic.all_tenants.values_list(
        "organization__slug", "content_item__title", "topic__name"
    )
    teams = ItemAudienceTeam.all_tenants.values_list(
        "organization__slug", "content_item__title", "team__name"
    )
    return {"topics": sorted(topics), "teams": sorted(teams)}


def tip_form(**overrides: Any) -> dict[str, Any]:
    """A valid tip: no link, so saving it fetches no preview."""
    return item_form(**{"kind": "tip", "url": "", "title": "Say why", **overrides})


def member(cast: Cast, **fields: Any) -> Membership:
    return MembershipFactory(organization=cast.acme, user=UserFactory(), **fields)


def dashboard_titles(client: Any) -> set[str]:
    return {item.title for item in client.get(DASHBOARD).context["items"]}


# The image


def test_an_image_item_keeps_its_upload(cast: Cast, client_for, media: Path):
    response = client_for(cast.carol).post(
        url("content:item_new"),
        item_form(
            kind="image", url="", image=png(), image_alt_text="The new office from the garden"
        ),
    )
    assert response.status_code == 302
    item = acme_items().get()
    assert item.image_alt_text == "The new office from the garden"
    assert item.image.name.startswith(f"orgs/{cast.acme.public_id}/images/")
    assert item.image.name.endswith(".png")
    assert "office" not in item.image.name, "the uploader's file name stays out of the path"
    assert stored_files(media) == [media / item.image.name]
    assert Image.open(media / item.image.name).size == (40, 30)


def test_an_image_kind_needs_an_image(cast: Cast, client_for, media: Path):
    response = client_for(cast.carol).post(url("content:item_new"), item_form(kind="image"))
    assert response.status_code == 200
    assert "image" in response.context["form"].errors
    assert not acme_items().exists()


def test_a_text_file_named_png_is_refused_at_the_field(cast: Cast, client_for, media: Path):
    fake = SimpleUploadedFile("photo.png", b"just some words", content_type="image/png")
    response = client_for(cast.carol).post(
        url("content:item_new"), item_form(kind="image", url="", image=fake, new_topics="Hiring")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["image"]
    assert "not an image that can be read" in errors["image"][0]
    assert 'enctype="multipart/form-data"' in response.content.decode()
    assert not acme_items().exists()
    assert not Topic.all_tenants.exists()
    assert stored_files(media) == []
    assert not AuditEntry.all_tenants.exists()


def test_an_image_over_the_size_limit_is_refused(cast: Cast, client_for, media: Path):
    big = SimpleUploadedFile("big.png", b"\x89PNG" + bytes(MAX_UPLOAD_BYTES), "image/png")
    response = client_for(cast.carol).post(
        url("content:item_new"), item_form(kind="image", url="", image=big)
    )
    assert response.status_code == 200
    assert "the limit is 8 MB" in response.context["form"].errors["image"][0]
    assert not acme_items().exists()
    assert stored_files(media) == []


def test_a_new_image_replaces_the_old_one_and_clearing_removes_it(
    cast: Cast, client_for, media: Path, django_capture_on_commit_callbacks
):
    client = client_for(cast.carol)
    client.post(url("content:item_new"), tip_form(image=png()))
    item = acme_items().get()
    first = item.image.name
    edit = url("content:item_edit", item_id=item.public_id)
    assert client.get(edit).context["form"].initial["image"].name == first

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(edit, tip_form(image=png("second.png"))).status_code == 302
    item.refresh_from_db()
    assert item.image.name != first
    assert stored_files(media) == [media / item.image.name], "the old file is deleted"
    entry = AuditEntry.all_tenants.get(action="content_item.updated")
    assert entry.data["changed"] == ["image"]

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(edit, tip_form(**{"image-clear": "on"})).status_code == 302
    item.refresh_from_db()
    assert not item.image
    assert stored_files(media) == []


def test_an_image_item_cannot_lose_its_image(cast: Cast, client_for, media: Path):
    client = client_for(cast.carol)
    client.post(url("content:item_new"), item_form(kind="image", url="", image=png()))
    item = acme_items().get()
    edit = url("content:item_edit", item_id=item.public_id)
    response = client.post(edit, item_form(kind="image", url="", **{"image-clear": "on"}))
    assert response.status_code == 200
    assert "image" in response.context["form"].errors
    item.refresh_from_db()
    assert item.image
    assert len(stored_files(media)) == 1


# The link


@pytest.mark.parametrize("address", ["ftp://example.com/trust.pdf", "javascript:alert(1)"])
def test_a_link_that_is_not_http_is_refused_at_the_field(cast: Cast, client_for, address: str):
    response = client_for(cast.carol).post(url("content:item_new"), item_form(url=address))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["url"]
    assert not acme_items().exists()


# Topics


def test_new_topics_are_created_once_whatever_their_case(cast: Cast, client_for):
    sustainability = TopicFactory(organization=cast.acme, name="Sustainability")
    culture = TopicFactory(organization=cast.acme, name="Culture")
    TopicFactory(organization=cast.globex, name="Hiring")
    client = client_for(cast.carol)
    form = client.get(url("content:item_new")).context["form"]
    assert [topic.name for topic in form.fields["topics"].queryset] == [
        "Culture",
        "Sustainability",
    ]

    response = client.post(
        url("content:item_new"),
        tip_form(
            topics=[str(culture.public_id)],
            new_topics="  Hiring ,hiring,, sustainability , Life   at  Acme",
        ),
    )
    assert response.status_code == 302
    acme_topics = Topic.all_tenants.filter(organization=cast.acme)
    assert sorted(acme_topics.values_list("name", flat=True)) == [
        "Culture",
        "Hiring",
        "Life at Acme",
        "Sustainability",
    ]
    assert link_rows()["topics"] == [
        ("acme", "Say why", "Culture"),
        ("acme", "Say why", "Hiring"),
        ("acme", "Say why", "Life at Acme"),
        ("acme", "Say why", "Sustainability"),
    ]
    assert sustainability.pk in ItemTopic.all_tenants.values_list("topic_id", flat=True)
    entry = AuditEntry.all_tenants.get()
    assert entry.data["new_topics"] == ["Hiring", "Life at Acme"]

    item = acme_items().get()
    edit = url("content:item_edit", item_id=item.public_id)
    initial = client.get(edit).context["form"].initial["topics"]
    assert len(initial) == 4
    assert client.post(edit, tip_form(topics=[str(culture.public_id)])).status_code == 302
    assert link_rows()["topics"] == [("acme", "Say why", "Culture")]
    assert AuditEntry.all_tenants.get(action="content_item.updated").data["changed"] == ["topics"]


def test_a_topic_name_longer_than_allowed_is_refused(cast: Cast, client_for):
    response = client_for(cast.carol).post(
        url("content:item_new"), tip_form(new_topics="Fine, " + "x" * 81)
    )
    assert "new_topics" in response.context["form"].errors
    assert not Topic.all_tenants.exists()
    assert not acme_items().exists()


# The audience


def test_another_orgs_team_or_topic_is_refused_and_nothing_is_written(cast: Cast, client_for):
    theirs = TopicFactory(organization=cast.globex, name="Globex news")
    client = client_for(cast.carol)
    response = client.post(
        url("content:item_new"),
        tip_form(
            teams=[str(cast.globex_ops.public_id)],
            topics=[str(theirs.public_id)],
            new_topics="Would be new",
        ),
    )
    assert response.status_code == 200
    assert {"teams", "topics"} <= set(response.context["form"].errors)
    assert not acme_items().exists()
    assert Topic.all_tenants.count() == 1
    assert link_rows() == {"topics": [], "teams": []}

    item = ContentItemFactory(organization=cast.acme, title="Stored", kind="tip", url="")
    edit = url("content:item_edit", item_id=item.public_id)
    mixed = [str(cast.acme_sales.public_id), str(cast.globex_ops.public_id)]
    response = client.post(edit, tip_form(title="Changed", teams=mixed))
    assert response.status_code == 200
    assert "teams" in response.context["form"].errors
    item.refresh_from_db()
    assert item.title == "Stored"
    assert link_rows() == {"topics": [], "teams": []}
    assert not AuditEntry.all_tenants.exists()


def test_the_services_refuse_another_orgs_team_or_topic(cast: Cast):
    theirs = TopicFactory(organization=cast.globex)
    for details, problem in (
        (ItemDetails(title="Sneaky", teams=(cast.globex_ops,)), "another organization"),
        (ItemDetails(title="Sneaky", topics=(theirs,)), "another organization"),
        (ItemDetails(title="Sneaky", languages=("xx",)), "languages are among"),
    ):
        with pytest.raises(ValueError, match=problem):
            create_content_item(organization=cast.acme, actor=cast.carol, details=details)
    item = ContentItemFactory(organization=cast.acme, title="Stored")
    with pytest.raises(ValueError, match="another organization"):
        update_content_item(
            organization=cast.acme,
            item=item,
            actor=cast.carol,
            details=ItemDetails(title="Changed", topics=(theirs,), new_topics=("New",)),
            campaigns=(),
            captions=(),
        )
    item.refresh_from_db()
    assert item.title == "Stored"
    assert list(acme_items().values_list("title", flat=True)) == ["Stored"]
    assert Topic.all_tenants.count() == 1
    assert link_rows() == {"topics": [], "teams": []}
    assert not AuditEntry.all_tenants.exists()


def test_an_item_for_a_team_reaches_only_that_team(cast: Cast, client_for):
    marketing = TeamFactory(organization=cast.acme, name="Marketing")
    mads = member(cast, team=marketing)
    nina = member(cast)  # in no team
    client = client_for(cast.carol)
    response = client.post(
        url("content:item_new"), tip_form(title="For sales", teams=[str(cast.acme_sales.public_id)])
    )
    assert response.status_code == 302
    client.post(url("content:item_new"), tip_form(title="For everyone"))
    assert link_rows()["teams"] == [("acme", "For sales", "Sales")]

    assert dashboard_titles(client_for(cast.emma)) == {"For sales", "For everyone"}
    assert dashboard_titles(client_for(mads.user)) == {"For everyone"}
    assert dashboard_titles(client_for(nina.user)) == {"For everyone"}
    share = url("content:share_item", item_id=acme_items().get(title="For sales").public_id)
    assert client_for(mads.user).get(share).status_code == 404


def test_an_item_for_a_location_reaches_only_members_there(cast: Cast, client_for):
    emma = cast.membership(cast.emma, cast.acme)
    emma.location = "Aarhus"
    emma.save()
    odense = member(cast, location="Odense")
    nowhere = member(cast)
    client = client_for(cast.carol)
    form = client.get(url("content:item_new")).context["form"]
    assert [value for value, _label in form.fields["locations"].choices] == ["Aarhus", "Odense"]

    client.post(
        url("content:item_new"),
        tip_form(title="Aarhus news", locations=["Aarhus"], other_locations=" Malmö ,"),
    )
    item = acme_items().get()
    assert item.locations == ["Aarhus", "Malmö"]
    assert dashboard_titles(client_for(cast.emma)) == {"Aarhus news"}
    assert dashboard_titles(client_for(odense.user)) == set()
    assert dashboard_titles(client_for(nowhere.user)) == set()

    edit = client.get(url("content:item_edit", item_id=item.public_id)).context["form"]
    assert edit.initial["locations"] == ["Aarhus"]
    assert edit.initial["other_locations"] == "Malmö"


def test_an_item_in_a_language_reaches_only_members_speaking_it(cast: Cast, client_for):
    emma = cast.membership(cast.emma, cast.acme)
    emma.language = "da"
    emma.save()
    english = member(cast, language="en")
    client = client_for(cast.carol)
    client.post(url("content:item_new"), tip_form(title="På dansk", languages=["da"]))
    assert acme_items().get().languages == ["da"]
    assert dashboard_titles(client_for(cast.emma)) == {"På dansk"}
    assert dashboard_titles(client_for(english.user)) == set()


def test_changing_the_audience_is_audited_as_audience(cast: Cast, client_for):
    client = client_for(cast.carol)
    client.post(url("content:item_new"), tip_form())
    item = acme_items().get()
    edit = url("content:item_edit", item_id=item.public_id)
    form = tip_form(teams=[str(cast.acme_sales.public_id)], other_locations="Aarhus")
    assert client.post(edit, form).status_code == 302
    entry = AuditEntry.all_tenants.get(action="content_item.updated")
    assert entry.data["changed"] == ["audience"]
    assert client.post(edit, tip_form()).status_code == 302, "back to everyone"
    assert link_rows()["teams"] == []
    item.refresh_from_db()
    assert (item.locations, item.languages) == ([], [])


# The link preview


def test_editing_the_preview_marks_it_written_by_hand(
    cast: Cast, client_for, media: Path, django_capture_on_commit_callbacks
):
    item = ContentItemFactory(
        organization=cast.acme,
        title="Office",
        url="https://example.com/office",
        preview_status=PreviewStatus.FETCHED,
        preview_title="Fetched title",
        preview_description="Fetched description",
        preview_site_name="Example News",
    )
    client = client_for(cast.carol)
    edit = url("content:item_edit", item_id=item.public_id)
    page = client.get(edit).content.decode()
    assert 'name="initial-preview_title" value="Fetched title"' in page
    posted = item_form(
        title="Office",
        url=item.url,
        preview_title="Our new office",
        preview_description="Fetched description",
        preview_site_name="Example News",
        preview_image=png(),
        **{
            "initial-preview_title": "Fetched title",
            "initial-preview_description": "Fetched description",
            "initial-preview_site_name": "Example News",
        },
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert client.post(edit, posted).status_code == 302
    item.refresh_from_db()
    assert item.preview_status == PreviewStatus.EDITED
    assert (item.preview_title, item.preview_description, item.preview_site_name) == (
        "Our new office",
        "Fetched description",
        "Example News",
    )
    assert item.preview_image.name.startswith(f"orgs/{cast.acme.public_id}/previews/")
    assert besides_kept_pages(callbacks) == [], "nothing is fetched: the link did not change"
    entry = AuditEntry.all_tenants.get(action="content_item.updated")
    assert "preview" in entry.data["changed"]

    # An automatic fetch keeps comms' words; only asking to fetch again replaces them.
    assert not previews.request_item_preview(organization=cast.acme, item=item)
    assert item.preview_title == "Our new office"


def test_a_fetch_that_finished_while_comms_edited_is_kept(cast: Cast, client_for):
    item = ContentItemFactory(
        organization=cast.acme, title="Office", preview_status=PreviewStatus.PENDING
    )
    # The page showed an empty preview; the fetch wrote one before the form came back.
    ContentItem.all_tenants.filter(pk=item.pk).update(
        preview_status=PreviewStatus.FETCHED,
        preview_title="Fetched title",
        preview_site_name="Example News",
    )
    edited = item_form(
        title="Office",
        url=item.url,
        preview_title="",
        preview_description="Written meanwhile",
        preview_site_name="",
        **{
            "initial-preview_title": "",
            "initial-preview_description": "",
            "initial-preview_site_name": "",
        },
    )
    edit = url("content:item_edit", item_id=item.public_id)
    assert client_for(cast.carol).post(edit, edited).status_code == 302
    item.refresh_from_db()
    assert (item.preview_title, item.preview_description, item.preview_site_name) == (
        "Fetched title",
        "Written meanwhile",
        "Example News",
    )
    assert item.preview_status == PreviewStatus.EDITED


def test_a_preview_needs_a_link(cast: Cast, client_for):
    response = client_for(cast.carol).post(
        url("content:item_new"), tip_form(preview_title="A card for nothing")
    )
    assert response.status_code == 200
    assert "url" in response.context["form"].errors
    assert not acme_items().exists()


def test_a_bad_preview_image_is_refused_at_its_field(cast: Cast, client_for, media: Path):
    fake = SimpleUploadedFile("card.gif", b"GIF89a but not really", content_type="image/gif")
    response = client_for(cast.carol).post(url("content:item_new"), item_form(preview_image=fake))
    assert list(response.context["form"].errors) == ["preview_image"]
    assert not acme_items().exists()
    assert stored_files(media) == []


def test_a_new_link_is_fetched_after_commit(
    cast: Cast, client_for, django_capture_on_commit_callbacks
):
    item = ContentItemFactory(
        organization=cast.acme,
        title="Office",
        url="https://example.com/office",
        preview_status=PreviewStatus.FETCHED,
        preview_title="Of the old page",
    )
    client = client_for(cast.carol)
    edit = url("content:item_edit", item_id=item.public_id)
    moved = item_form(
        title="Office",
        url="https://news.acme.invalid/office",
        preview_title="Of the old page",
        **{"initial-preview_title": "Of the old page"},
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client.post(edit, moved).status_code == 302
    item.refresh_from_db()
    assert item.preview_status == PreviewStatus.PENDING
    assert len(besides_kept_pages(callbacks)) == 1

    besides_kept_pages(callbacks)[
        0
    ]()  # the commit: the fetch runs (eagerly, in tests) and cannot find the host
    item.refresh_from_db()
    assert item.preview_status == PreviewStatus.FAILED
    assert item.preview_error == "The host name news.acme.invalid could not be found."
    assert item.preview_title == "", "nothing of the old page is left"


def preview_fetches(callbacks: list[Any]) -> list[Any]:
    """The callbacks run after commit but the announcement of a new item (content.signals)."""
    return [
        c
        for c in besides_kept_pages(callbacks)
        if "send_after_commit" not in getattr(c, "__qualname__", "")
    ]


def test_an_item_added_with_a_link_is_fetched_and_one_without_is_not(
    cast: Cast, client_for, django_capture_on_commit_callbacks
):
    client = client_for(cast.carol)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(url("content:item_new"), item_form(url="https://trust.acme.invalid/"))
    assert len(preview_fetches(callbacks)) == 1
    item = acme_items().get()
    assert item.preview_status == PreviewStatus.FAILED
    assert "could not be found" in item.preview_error

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(url("content:item_new"), tip_form())
    assert preview_fetches(callbacks) == []
    assert acme_items().get(title="Say why").preview_status == PreviewStatus.NONE


def test_no_fetch_when_comms_write_the_preview_with_the_link(
    cast: Cast, client_for, django_capture_on_commit_callbacks
):
    client = client_for(cast.carol)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(
            url("content:item_new"),
            item_form(url="https://trust.acme.invalid/", preview_title="Trust, explained"),
        )
    assert preview_fetches(callbacks) == []
    item = acme_items().get()
    assert (item.preview_status, item.preview_title) == (PreviewStatus.EDITED, "Trust, explained")

    edit = url("content:item_edit", item_id=item.public_id)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(
            edit,
            item_form(
                url="https://elsewhere.acme.invalid/",
                preview_title="Trust, explained again",
                **{"initial-preview_title": "Trust, explained"},
            ),
        )
    assert besides_kept_pages(callbacks) == []
    item.refresh_from_db()
    assert (item.preview_status, item.preview_title) == (
        PreviewStatus.EDITED,
        "Trust, explained again",
    )


def test_the_audit_entry_names_every_kind_of_change(cast: Cast, client_for, media: Path):
    topic = TopicFactory(organization=cast.acme, name="Culture")
    item = ContentItemFactory(organization=cast.acme, title="Office", url="https://example.com/o")
    edited = item_form(
        title="Office",
        url=item.url,
        image=png(),
        topics=[str(topic.public_id)],
        teams=[str(cast.acme_sales.public_id)],
        preview_title="By hand",
    )
    response = client_for(cast.carol).post(url("content:item_edit", item_id=item.public_id), edited)
    assert response.status_code == 302
    entry = AuditEntry.all_tenants.get(action="content_item.updated")
    assert {"image", "topics", "audience", "preview"} <= set(entry.data["changed"])
    assert entry.actor == cast.carol


# The library and the dashboard


def test_library_filters_by_topic_and_team(cast: Cast, client_for):
    marketing = TeamFactory(organization=cast.acme, name="Marketing")
    culture = TopicFactory(organization=cast.acme, name="Culture")
    theirs = TopicFactory(organization=cast.globex, name="Globex topic")
    for_sales = ContentItemFactory(organization=cast.acme, title="For sales")
    ItemAudienceTeam.all_tenants.create(
        organization=cast.acme, content_item=for_sales, team=cast.acme_sales
    )
    for_marketing = ContentItemFactory(organization=cast.acme, title="For marketing")
    ItemAudienceTeam.all_tenants.create(
        organization=cast.acme, content_item=for_marketing, team=marketing
    )
    ItemTopic.all_tenants.create(organization=cast.acme, content_item=for_marketing, topic=culture)
    ContentItemFactory(organization=cast.acme, title="For everyone")
    client = client_for(cast.carol)

    def titles(**params: str) -> set[str]:
        return {item.title for item in client.get(url("content:library"), params).context["page"]}

    assert titles(team=str(cast.acme_sales.public_id)) == {"For sales", "For everyone"}
    assert titles(topic=str(culture.public_id)) == {"For marketing"}
    response = client.get(url("content:library"), {"topic": str(theirs.public_id)})
    assert "topic" in response.context["filters"].errors
    assert "Globex topic" not in response.content.decode()
    response = client.get(url("content:library"), {"team": str(cast.globex_ops.public_id)})
    assert "team" in response.context["filters"].errors


def test_library_rows_show_topics_and_audience(cast: Cast, client_for):
    item = ContentItemFactory(organization=cast.acme, title="Targeted")
    item.locations = ["Aarhus"]
    item.languages = ["da"]
    item.save()
    ItemAudienceTeam.all_tenants.create(
        organization=cast.acme, content_item=item, team=cast.acme_sales
    )
    ItemTopic.all_tenants.create(
        organization=cast.acme,
        content_item=item,
        topic=TopicFactory(organization=cast.acme, name="Culture"),
    )
    ContentItemFactory(organization=cast.acme, title="Open")
    page = client_for(cast.carol).get(url("content:library")).content.decode()
    assert "Sales · Aarhus · Dansk" in page
    assert "Everyone" in page
    assert '<span class="badge badge--muted">Culture</span>' in page


def test_the_dashboard_shows_topics_without_a_query_per_item(
    cast: Cast, client_for, django_assert_num_queries
):
    def add_item(number: int) -> None:
        item = ContentItemFactory(organization=cast.acme, title=f"Item {number}")
        for name in (f"Topic {number}a", f"Topic {number}b"):
            topic = TopicFactory(organization=cast.acme, name=name)
            ItemTopic.all_tenants.create(organization=cast.acme, content_item=item, topic=topic)

    add_item(0)
    client = client_for(cast.emma)
    page = client.get(DASHBOARD).content.decode()
    assert '<span class="badge badge--muted">Topic 0a</span>' in page
    add_item(1)  # a card that is not in the cache yet, in both measured requests
    with CaptureQueriesContext(connection) as baseline:
        client.get(DASHBOARD)
    for number in range(2, 6):
        add_item(number)
    with django_assert_num_queries(len(baseline.captured_queries)):
        page = client.get(DASHBOARD).content.decode()
    assert "Topic 5b" in page
