"""Figures without LinkedIn's analytics permissions: LinkedIn's own export, and typed counts.

The workbooks are real .xlsx files, built here with openpyxl the way LinkedIn lays out its
member analytics export (DISCOVERY, ENGAGEMENT, TOP POSTS, FOLLOWERS, DEMOGRAPHICS).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from openpyxl import Workbook

from advocacy.linkedin.services import connect_member
from advocacy.tenancy.models import Membership
from analytics.imports import (
    ImportRefused,
    ParsedExport,
    enter_followers,
    import_export,
    read_export,
)
from analytics.models import MemberFollowers, OrganizationDay, PostMetrics, Source
from content.models import Post

from .conftest import Cast, besides_kept_pages
from .factories import MemberFollowersFactory, PostFactory, PostMetricsFactory
from .publishing_support import PNG

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 11, tzinfo=UTC)  # noon in Copenhagen, Acme's time zone
TODAY = date(2026, 3, 10)


def d(day: int, month: int = 3) -> date:
    return date(2026, month, day)


def us(day: date) -> str:
    return f"{day.month}/{day.day}/{day.year}"


def activity(n: int) -> str:
    return f"https://www.linkedin.com/feed/update/urn:li:activity:{7_400_000_000_000_000_000 + n}/"


def feed(urn: str) -> str:
    return f"https://www.linkedin.com/feed/update/{urn}/"


# The export, as LinkedIn lays it out ---------------------------------------------------------

NEW_FOLLOWERS = {d(1): 2, d(2): 0, d(3): 5, d(4): 1, d(5): 3, d(6): 4, d(7): 6}
# 1000 on 3/7, and each day before it that total less the new followers of the days after.
EXPECTED_FOLLOWERS = {
    d(1): 981,
    d(2): 981,
    d(3): 986,
    d(4): 987,
    d(5): 990,
    d(6): 994,
    d(7): 1000,
}
TOP_POSTS_HEADINGS = [
    "Post URL",
    "Post publish date",
    "Engagements",
    None,
    "Post URL",
    "Post publish date",
    "Impressions",
]
FOLLOWER_HEADINGS = ["Date", "New followers"]
SHEET_ORDER = ["DISCOVERY", "ENGAGEMENT", "TOP POSTS", "FOLLOWERS", "DEMOGRAPHICS"]


@dataclass(frozen=True)
class Export:
    """LinkedIn's member analytics export, with whatever a test changes in it."""

    period: tuple[date, date] | None = (d(1), d(7))
    total_line: tuple[Any, ...] | None = ("Total followers on 3/7/2026:", 1000)
    new_followers: tuple[tuple[Any, Any], ...] = tuple(NEW_FOLLOWERS.items())
    by_engagements: tuple[tuple[Any, Any, Any], ...] = ()
    by_impressions: tuple[tuple[Any, Any, Any], ...] = ()
    follower_headings: tuple[Any, ...] = tuple(FOLLOWER_HEADINGS)
    post_headings: tuple[Any, ...] = tuple(TOP_POSTS_HEADINGS)
    sheets: tuple[str, ...] = tuple(SHEET_ORDER)
    names: dict[str, str] = field(default_factory=dict)  # a sheet's name as LinkedIn spells it
    excel_dates: bool = False

    def cell(self, value: Any) -> Any:
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day) if self.excel_dates else us(value)
        return value

    def xlsx(self) -> bytes:
        workbook = Workbook()
        workbook.remove(workbook.active)
        for sheet in self.sheets:
            rows = getattr(self, "_" + sheet.lower().replace(" ", "_"), lambda: [])()
            worksheet = workbook.create_sheet(self.names.get(sheet, sheet))
            for row in rows:
                worksheet.append([self.cell(value) for value in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    def _discovery(self) -> list[list[Any]]:
        period = f"{us(self.period[0])} - {us(self.period[1])}" if self.period else ""
        return [["Overall Performance", period], ["Impressions", 5400], ["Members reached", 2100]]

    def _engagement(self) -> list[list[Any]]:
        return [["Date", "Impressions", "Engagements"]] + [
            [day, 700, 12] for day, _value in self.new_followers
        ]

    def _top_posts(self) -> list[list[Any]]:
        rows: list[list[Any]] = [
            ["Maximum of 50 posts available to include in this list"],
            [],
            list(self.post_headings),
        ]
        for index in range(max(len(self.by_engagements), len(self.by_impressions))):
            left = list(self.by_engagements[index]) if index < len(self.by_engagements) else []
            right = list(self.by_impressions[index]) if index < len(self.by_impressions) else []
            rows.append((left or [None, None, None]) + [None] + right)
        return rows

    def _followers(self) -> list[list[Any]]:
        rows: list[list[Any]] = [list(self.total_line)] if self.total_line else []
        rows += [[], list(self.follower_headings)]
        rows += [list(row) for row in self.new_followers]
        return rows

    def _demographics(self) -> list[list[Any]]:
        return [["Top Demographics", "Value", "Percentage"], ["Job titles", "Engineer", 0.12]]


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@dataclass
class Emma:
    membership: Membership
    by_urn: Post  # urn:li:share:7301, 3/3
    by_date: Post  # the only one of 3/5
    same_day: tuple[Post, Post]  # two of 3/6
    ugc: Post  # urn:li:ugcPost:7303, 3/4
    before_period: Post  # 2/20


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def emma(cast: Cast) -> Emma:
    Membership.all_tenants.filter(organization=cast.acme).update(opted_in_at=timezone.now())
    membership = cast.membership(cast.emma, cast.acme)
    carol = cast.membership(cast.carol, cast.acme)
    # A colleague's post on 3/5 and Globex's do not make Emma's 3/5 post ambiguous.
    PostFactory(author=carol, published_at=at(d(5)))
    PostFactory(author=cast.membership(cast.gus, cast.globex), published_at=at(d(5)))
    return Emma(
        membership=membership,
        by_urn=PostFactory(
            author=membership, linkedin_urn="urn:li:share:7301", published_at=at(d(3))
        ),
        by_date=PostFactory(author=membership, published_at=at(d(5))),
        same_day=(
            PostFactory(author=membership, published_at=at(d(6), 8)),
            PostFactory(author=membership, published_at=at(d(6), 15)),
        ),
        ugc=PostFactory(
            author=membership, linkedin_urn="urn:li:ugcPost:7303", published_at=at(d(4))
        ),
        before_period=PostFactory(
            author=membership, linkedin_urn="urn:li:share:7290", published_at=at(d(20, 2))
        ),
    )


def faithful(**changes: Any) -> Export:
    """Emma's export of 3/1 to 3/7: every kind of row TOP POSTS can hold."""
    export = Export(
        by_engagements=(
            (feed("urn:li:share:7301"), d(3), 20),
            (activity(2), d(5), 9),
            (feed("urn:li:ugcPost:7303"), d(4), 4),  # only here: no impressions
        ),
        by_impressions=(
            (feed("urn:li:share:7301"), d(3), 1500),  # her post, by its URN
            (activity(2), d(5), 800),  # her only post of 3/5, by its date
            (feed("urn:li:share:5555"), d(4), 300),  # posted on LinkedIn itself
            (activity(3), d(2), 120),  # no post of hers that day
            (activity(4), d(6), 90),  # she published two that day
            (feed("urn:li:share:7290"), d(20, 2), 50),  # before the period
        ),
    )
    return replace(export, **changes)


def upload(data: bytes, name: str = "Content_2026-03-01_2026-03-07.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def parse(export: Export) -> ParsedExport:
    return read_export(io.BytesIO(export.xlsx()))


def followers_of(membership: Membership) -> dict[date, tuple[int, str]]:
    return {
        row.day: (row.followers, row.source)
        for row in MemberFollowers.all_tenants.filter(membership=membership)
    }


def url(name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"org_slug": "acme", **kwargs})


def reload(post: Post) -> Post:
    return Post.all_tenants.get(pk=post.pk)


# Reading and importing -----------------------------------------------------------------------


def test_a_faithful_export_gives_daily_followers_and_post_figures(
    cast: Cast, emma: Emma, django_capture_on_commit_callbacks
):
    parsed = parse(faithful())
    assert parsed.daily_followers == EXPECTED_FOLLOWERS
    assert (parsed.period_start, parsed.period_end, parsed.as_of) == (d(1), d(7), d(7))
    by_url = {post.url: post for post in parsed.posts}
    assert (by_url[activity(2)].impressions, by_url[activity(2)].engagements) == (800, 9)
    with django_capture_on_commit_callbacks(execute=True):
        result = import_export(membership=emma.membership, parsed=parsed)

    assert followers_of(emma.membership) == {
        day: (followers, Source.IMPORTED) for day, followers in EXPECTED_FOLLOWERS.items()
    }
    figures = {row.post_id: row for row in PostMetrics.all_tenants.filter(organization=cast.acme)}
    assert set(figures) == {emma.by_urn.pk, emma.by_date.pk}
    for post, impressions in ((emma.by_urn, 1500), (emma.by_date, 800)):
        row = figures[post.pk]
        assert (row.day, row.impressions, row.source) == (d(7), impressions, Source.IMPORTED)
        # Engagements are not split into reactions, comments and reshares: none is made up.
        assert (row.members_reached, row.reactions, row.comments, row.reshares) == (None,) * 4
        assert reload(post).impressions == impressions
        assert reload(post).metrics_updated_at == NOW
    assert {post.pk: reload(post).impressions for post in emma.same_day} == dict.fromkeys(
        (post.pk for post in emma.same_day), None
    )

    left_out = {exported.url: reason for exported, reason in result.posts_left_out}
    assert set(left_out) == {
        feed("urn:li:ugcPost:7303"),
        feed("urn:li:share:5555"),
        activity(3),
        activity(4),
        feed("urn:li:share:7290"),
    }
    assert "engagements only" in left_out[feed("urn:li:ugcPost:7303")]
    assert "not a post published through the platform" in left_out[feed("urn:li:share:5555")]
    assert "no post through the platform that day" in left_out[activity(3)]
    assert "2 posts through the platform that day" in left_out[activity(4)]
    assert "before the export's period" in left_out[feed("urn:li:share:7290")]
    assert (result.followers_written, result.posts_written, result.missing_days) == (7, 2, [])


def test_two_rows_of_one_day_are_not_guessed_onto_one_post(cast: Cast, emma: Emma):
    export = faithful(
        by_engagements=(),
        by_impressions=((activity(2), d(5), 800), (activity(5), d(5), 40)),
    )
    result = import_export(membership=emma.membership, parsed=parse(export))
    assert [reason for _exported, reason in result.posts_left_out] == [
        "the export lists 2 posts of that day and the platform published one: which it is "
        "cannot be told"
    ] * 2
    assert not PostMetrics.all_tenants.exists()


def test_a_post_deleted_here_is_not_imported(cast: Cast, emma: Emma):
    Post.all_tenants.filter(pk=emma.by_urn.pk).update(status=Post.Status.DELETED)
    result = import_export(membership=emma.membership, parsed=parse(faithful()))
    left_out = {exported.url: reason for exported, reason in result.posts_left_out}
    assert left_out[feed("urn:li:share:7301")] == "you deleted it on the platform"
    assert not PostMetrics.all_tenants.filter(post=emma.by_urn).exists()


def test_the_urn_is_found_in_every_form_of_address(cast: Cast):
    addresses = {
        "https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A7301": "urn:li:share:7301",
        "https://www.linkedin.com/feed/update/urn:li:ugcpost:7303/": "urn:li:ugcPost:7303",
        "https://www.linkedin.com/posts/emma-acme_trust-activity-7400000000000000009-AbCd": (
            "urn:li:activity:7400000000000000009"
        ),
        "https://linkedin.com/feed/": "",
    }
    parsed = parse(Export(by_impressions=tuple((address, d(5), 1) for address in addresses)))
    assert {post.url: post.urn for post in parsed.posts} == addresses
    assert {post.url: post.engagements for post in parsed.posts} == dict.fromkeys(addresses)


def test_the_rollups_of_the_days_touched_are_recomputed(
    cast: Cast, emma: Emma, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        import_export(membership=emma.membership, parsed=parse(faithful()))
    days = {row.day: row for row in OrganizationDay.all_tenants.filter(organization=cast.acme)}
    # From the first follower figure to today: a member's count carries forward.
    assert set(days) == {d(day) for day in range(1, 11)}
    assert days[d(1)].employee_followers == 981
    assert days[d(7)].employee_followers == 1000
    assert days[d(10)].employee_followers == 1000
    assert (days[d(3)].impressions, days[d(5)].impressions) == (1500, 800)


def test_importing_the_same_file_twice_changes_nothing(
    cast: Cast, emma: Emma, django_capture_on_commit_callbacks
):
    data = faithful().xlsx()
    with django_capture_on_commit_callbacks(execute=True):
        import_export(membership=emma.membership, parsed=read_export(io.BytesIO(data)))

    def state() -> list[Any]:
        return [
            list(MemberFollowers.all_tenants.order_by("pk").values()),
            list(PostMetrics.all_tenants.order_by("pk").values()),
            list(Post.all_tenants.order_by("pk").values("impressions", "metrics_updated_at")),
            list(OrganizationDay.all_tenants.order_by("pk").values()),
        ]

    before = state()
    later = time_machine.travel(NOW.replace(hour=15), tick=False)
    with later, django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = import_export(membership=emma.membership, parsed=read_export(io.BytesIO(data)))
    assert state() == before
    assert not again.changed
    assert (again.followers_unchanged, again.posts_unchanged) == (7, 2)
    assert besides_kept_pages(callbacks) == []  # nothing to recompute


def test_a_figure_measured_through_the_api_on_the_same_day_stands(cast: Cast, emma: Emma):
    MemberFollowersFactory(membership=emma.membership, day=d(5), followers=1234, source=Source.API)
    PostMetricsFactory(post=emma.by_urn, day=d(7), impressions=2000, source=Source.API)
    Post.all_tenants.filter(pk=emma.by_urn.pk).update(impressions=2000)
    # A later API figure for the other post: its latest values stay the API's.
    PostMetricsFactory(post=emma.by_date, day=d(9), impressions=950, source=Source.API)
    Post.all_tenants.filter(pk=emma.by_date.pk).update(impressions=950)

    result = import_export(membership=emma.membership, parsed=parse(faithful()))

    followers = followers_of(emma.membership)
    assert followers[d(5)] == (1234, Source.API)
    assert followers[d(6)] == (994, Source.IMPORTED)
    api_figure = PostMetrics.all_tenants.get(post=emma.by_urn)
    assert (api_figure.impressions, api_figure.source) == (2000, Source.API)
    assert reload(emma.by_urn).impressions == 2000
    imported = PostMetrics.all_tenants.get(post=emma.by_date, day=d(7))
    assert (imported.impressions, imported.source) == (800, Source.IMPORTED)
    assert reload(emma.by_date).impressions == 950
    assert (result.followers_kept, result.posts_kept) == ([d(5)], 1)


def test_a_newer_export_replaces_imported_and_entered_figures(cast: Cast, emma: Emma):
    MemberFollowersFactory(
        membership=emma.membership, day=d(7), followers=10, source=Source.ENTERED
    )
    import_export(membership=emma.membership, parsed=parse(faithful()))
    corrected = faithful(
        total_line=("Total followers on 3/7/2026:", 1010),
        by_impressions=((feed("urn:li:share:7301"), d(3), 1600),),
    )
    result = import_export(membership=emma.membership, parsed=parse(corrected))
    assert followers_of(emma.membership)[d(7)] == (1010, Source.IMPORTED)
    assert followers_of(emma.membership)[d(1)] == (991, Source.IMPORTED)
    assert PostMetrics.all_tenants.get(post=emma.by_urn).impressions == 1600
    assert reload(emma.by_urn).impressions == 1600
    assert (result.followers_written, result.posts_written) == (7, 1)


@pytest.mark.parametrize("gap", ["blank cell", "no row"])
def test_a_missing_day_is_missing_never_zero(cast: Cast, emma: Emma, gap: str):
    rows = [(day, "" if day == d(4) else value) for day, value in NEW_FOLLOWERS.items()]
    if gap == "no row":
        rows = [row for row in rows if row[0] != d(4)]
    parsed = parse(Export(new_followers=tuple(rows)))
    result = import_export(membership=emma.membership, parsed=parsed)
    # 3/4's new followers are unknown: the end of 3/3 cannot be told, nor any day before it.
    assert followers_of(emma.membership) == {
        day: (EXPECTED_FOLLOWERS[day], Source.IMPORTED) for day in (d(4), d(5), d(6), d(7))
    }
    assert result.missing_days == [d(1), d(2), d(3)]


def test_days_after_the_total_count_forward(cast: Cast, emma: Emma):
    parsed = parse(Export(total_line=("Total followers on 3/5/2026:", 990)))
    assert parsed.daily_followers == EXPECTED_FOLLOWERS


def test_spellings_order_extra_sheets_and_excel_dates_are_accepted(cast: Cast, emma: Emma):
    variant = faithful(
        names={"TOP POSTS": "Top_Posts", "FOLLOWERS": " followers "},
        sheets=("FOLLOWERS", "Notes", "TOP POSTS", "DISCOVERY"),
        follower_headings=("DATE ", "new  Followers"),
        post_headings=(
            "post url",
            "Post Publish Date",
            "ENGAGEMENTS",
            None,
            " Post URL",
            "post publish date:",
            "Impressions ",
        ),
        new_followers=tuple((day, str(value)) for day, value in NEW_FOLLOWERS.items()),
        total_line=("Total followers on 3/7/2026:", "1,000"),
        excel_dates=True,
    )
    parsed = parse(variant)
    assert parsed.daily_followers == EXPECTED_FOLLOWERS
    assert parsed.as_of == d(7)
    assert {post.url: post.impressions for post in parsed.posts}[activity(2)] == 800


def test_an_export_without_a_period_stands_on_the_total_followers_day(cast: Cast, emma: Emma):
    parsed = parse(
        faithful(
            sheets=("TOP POSTS", "FOLLOWERS"), total_line=("Total followers on 3/6/2026:", 994)
        )
    )
    assert (parsed.period_start, parsed.as_of) == (None, d(6))
    import_export(membership=emma.membership, parsed=parsed)
    # Without a period, nothing says the post of 2/20 is only partly counted.
    assert PostMetrics.all_tenants.get(post=emma.before_period).day == d(6)


def test_a_failure_while_writing_leaves_nothing_half_imported(cast: Cast, emma: Emma):
    parsed = parse(faithful())
    # A figure the database itself refuses, after the followers are written.
    broken = replace(
        parsed,
        posts=[
            replace(post, impressions=-1) if post.url == feed("urn:li:share:7301") else post
            for post in parsed.posts
        ],
    )
    with pytest.raises(ImportRefused, match="import it again"):
        import_export(membership=emma.membership, parsed=broken)
    assert MemberFollowers.all_tenants.count() == 0
    assert PostMetrics.all_tenants.count() == 0


# Files that are not LinkedIn's export ---------------------------------------------------------


def zipped(name: str, content: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


BAD_FILES: dict[str, tuple[Any, str]] = {
    "a CSV": (lambda: b"Date,New followers\n3/1/2026,2\n", "not an Excel workbook"),
    "an image renamed .xlsx": (lambda: PNG, "not an Excel workbook"),
    "a damaged workbook": (lambda: faithful().xlsx()[:3000], "damaged"),
    "a zip that is no workbook": (lambda: zipped("notes.txt", b"hello"), "cannot be read"),
    "a zip bomb": (
        lambda: zipped("xl/sharedStrings.xml", b"0" * (51 * 1024 * 1024)),
        "unpacks to more than 50 MB",
    ),
    "too large a file": (lambda: b"PK\x03\x04" + b"0" * (5 * 1024 * 1024), "larger than 5 MB"),
    "no FOLLOWERS sheet": (
        lambda: faithful(sheets=("DISCOVERY", "TOP POSTS")).xlsx(),
        "it has no sheet “FOLLOWERS”",
    ),
    "no TOP POSTS sheet": (
        lambda: faithful(sheets=("Sheet1", "FOLLOWERS")).xlsx(),
        "it has no sheet “TOP POSTS”. LinkedIn's export has the sheets DISCOVERY, ENGAGEMENT",
    ),
    "an unexpected followers column": (
        lambda: faithful(follower_headings=("Date", "New followers", "Unfollows")).xlsx(),
        "has a column “Unfollows” (C3) that LinkedIn's export does not have: expected Date and "
        "New followers",
    ),
    "an unexpected posts column": (
        lambda: faithful(post_headings=(*TOP_POSTS_HEADINGS, "Clicks")).xlsx(),
        "has a column “Clicks” (H3)",
    ),
    "no new followers column": (
        lambda: faithful(follower_headings=("Date",)).xlsx(),
        "should have the columns Date and New followers",
    ),
    "a posts table without its metric": (
        lambda: faithful(post_headings=("Post URL", "Post publish date")).xlsx(),
        "lacks its publish date or its Engagements or Impressions",
    ),
    "no total followers line": (
        lambda: faithful(total_line=None).xlsx(),
        "no line “Total followers on <M/D/YYYY>:”",
    ),
    "a date that does not parse": (
        lambda: faithful(new_followers=((d(1), 2), ("31/1/2026", 3))).xlsx(),
        "The cell A5 of the sheet FOLLOWERS holds “31/1/2026”, not a date (expected M/D/YYYY",
    ),
    "a word for a date": (
        lambda: faithful(by_impressions=((activity(2), "yesterday", 800),)).xlsx(),
        "The cell F4 of the sheet TOP POSTS holds “yesterday”, not a date",
    ),
    "a negative number": (
        lambda: faithful(new_followers=((d(1), 2), (d(2), -3))).xlsx(),
        "The cell B5 of the sheet FOLLOWERS holds -3: LinkedIn's figures are never negative",
    ),
    "a fraction": (
        lambda: faithful(by_impressions=((activity(2), d(5), 80.5),)).xlsx(),
        "The cell G4 of the sheet TOP POSTS holds “80.5”, not a whole number",
    ),
    "a word for a number": (
        lambda: faithful(total_line=("Total followers on 3/7/2026:", "many")).xlsx(),
        "holds “many”, not a whole number",
    ),
    "a date twice": (
        lambda: faithful(new_followers=((d(1), 2), (d(1), 3))).xlsx(),
        "The date 3/1/2026 appears twice",
    ),
    "an address that is not LinkedIn's": (
        lambda: faithful(by_impressions=(("https://example.com/post/1", d(5), 800),)).xlsx(),
        "not the address of a post on LinkedIn",
    ),
    "too many rows": (
        lambda: faithful(new_followers=tuple((d(1), 1) for _ in range(420))).xlsx(),
        "The sheet FOLLOWERS has more than 415 rows",
    ),
    "followers that do not add up": (
        lambda: faithful(total_line=("Total followers on 3/7/2026:", 10)).xlsx(),
        "does not add up",
    ),
}


@pytest.mark.parametrize("kind", BAD_FILES, ids=str)
def test_a_file_that_is_not_the_export_is_refused_and_nothing_written(
    kind: str, cast: Cast, emma: Emma, client_for
):
    make, expected = BAD_FILES[kind]
    with pytest.raises(ImportRefused) as refused:
        read_export(io.BytesIO(make()))
    assert expected in refused.value.message

    response = client_for(cast.emma).post(
        url("analytics:my_figures_import"), {"file": upload(make())}
    )
    assert response.status_code == 200
    [error] = response.context["import_form"].errors["file"]
    assert expected in error
    assert escape(expected.split("“")[0]) in response.content.decode()
    assert MemberFollowers.all_tenants.count() == 0
    assert PostMetrics.all_tenants.count() == 0
    assert Post.all_tenants.filter(impressions__isnull=False).count() == 0


def test_an_export_with_days_still_to_come_is_refused(cast: Cast, emma: Emma):
    export = Export(
        period=(d(8), d(12)),
        total_line=("Total followers on 3/12/2026:", 1000),
        new_followers=((d(11), 1), (d(12), 2)),
    )
    with pytest.raises(ImportRefused, match="3/12/2026, which is still to come"):
        import_export(membership=emma.membership, parsed=parse(export))
    assert MemberFollowers.all_tenants.count() == 0


# The pages ------------------------------------------------------------------------------------


def test_importing_through_the_page_reports_what_was_left_out(cast: Cast, emma: Emma, client_for):
    client = client_for(cast.emma)
    response = client.post(
        url("analytics:my_figures_import"), {"file": upload(faithful().xlsx())}, follow=True
    )
    assert response.redirect_chain == [(url("analytics:my_figures"), 302)]
    text = response.content.decode()
    assert (
        "Imported from LinkedIn&#x27;s export: 7 days of follower counts and the impressions "
        "of 2 posts." in text
    )
    assert "Not imported: the post https://www.linkedin.com/feed/update/urn:li:share:5555/" in text
    assert "of 6 Mar 2026, because you published 2 posts through the platform that day" in text
    assert text.count("Imported from LinkedIn") >= 7  # the source of every row is shown
    assert len(followers_of(emma.membership)) == 7


def test_a_member_enters_a_follower_count(
    cast: Cast, emma: Emma, client_for, django_capture_on_commit_callbacks
):
    client = client_for(cast.emma)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("analytics:my_figures_enter"), {"day": "2026-03-08", "followers": "1200"}
        )
    assert response.status_code == 302
    assert followers_of(emma.membership) == {d(8): (1200, Source.ENTERED)}
    rows = OrganizationDay.all_tenants.filter(organization=cast.acme).order_by("day")
    assert [(row.day, row.employee_followers) for row in rows] == [
        (d(8), 1200),
        (d(9), 1200),
        (d(10), 1200),
    ]
    client.post(url("analytics:my_figures_enter"), {"day": "2026-03-08", "followers": "1210"})
    assert followers_of(emma.membership) == {d(8): (1210, Source.ENTERED)}
    assert "Entered by hand" in client.get(url("analytics:my_figures")).content.decode()


def test_a_typed_count_replaces_an_imported_one_but_not_the_apis(cast: Cast, emma: Emma):
    MemberFollowersFactory(membership=emma.membership, day=d(6), followers=990)
    MemberFollowersFactory(membership=emma.membership, day=d(7), followers=1000, source=Source.API)
    enter_followers(membership=emma.membership, day=d(6), followers=995)
    assert followers_of(emma.membership)[d(6)] == (995, Source.ENTERED)
    with pytest.raises(ValidationError, match="collected through its API and stands"):
        enter_followers(membership=emma.membership, day=d(7), followers=1)
    assert followers_of(emma.membership)[d(7)] == (1000, Source.API)


@pytest.mark.parametrize(
    ("day", "followers", "field", "message"),
    [
        ("2026-03-11", "100", "day", "That day is still to come."),
        ("2025-03-09", "100", "day", "more than a year ago"),
        ("2026-03-08", "-5", "followers", "greater than or equal to 0"),
        ("2026-03-08", "many", "followers", "Enter a whole number."),
        ("8 March", "100", "day", "Enter a valid date."),
        ("2026-03-08", "", "followers", "This field is required."),
    ],
)
def test_a_bad_entry_is_refused_at_its_field(
    cast: Cast, emma: Emma, client_for, day: str, followers: str, field: str, message: str
):
    response = client_for(cast.emma).post(
        url("analytics:my_figures_enter"), {"day": day, "followers": followers}
    )
    assert response.status_code == 200
    assert any(message in error for error in response.context["entry_form"].errors[field])
    assert MemberFollowers.all_tenants.count() == 0


def test_a_year_ago_to_the_day_can_still_be_entered(cast: Cast, emma: Emma):
    enter_followers(membership=emma.membership, day=date(2025, 3, 10), followers=700)
    assert followers_of(emma.membership) == {date(2025, 3, 10): (700, Source.ENTERED)}


def test_the_page_lists_only_the_members_own_figures(cast: Cast, emma: Emma, client_for):
    carol = cast.membership(cast.carol, cast.acme)
    MemberFollowersFactory(membership=emma.membership, day=d(1), followers=4321)
    MemberFollowersFactory(membership=emma.membership, day=d(2), followers=4444, source=Source.API)
    MemberFollowersFactory(membership=carol, day=d(1), followers=8765)
    PostMetricsFactory(post=emma.by_urn, day=d(7), impressions=1500)
    PostMetricsFactory(post=PostFactory(author=carol), day=d(7), impressions=9999)
    response = client_for(cast.emma).get(url("analytics:my_figures"))
    # Hers only, and not the one measured through the API: that is not hers to delete.
    assert [row.followers for row in response.context["followers_page"]] == [4321]
    assert [row.impressions for row in response.context["posts_page"]] == [1500]
    text = response.content.decode()
    assert "4321" in text
    assert "1500" in text


def test_cannot_delete_another_members_figure(cast: Cast, emma: Emma, client_for):
    carol = cast.membership(cast.carol, cast.acme)
    theirs = MemberFollowersFactory(membership=carol, day=d(1))
    their_post = PostMetricsFactory(post=PostFactory(author=carol), day=d(7))
    api = MemberFollowersFactory(membership=emma.membership, day=d(2), source=Source.API)
    client = client_for(cast.emma)
    for figure in (theirs, their_post, api):
        delete = url("analytics:my_figure_delete", figure_id=figure.public_id)
        assert client.post(delete).status_code == 404
        assert client.get(delete).status_code == 404
    assert MemberFollowers.all_tenants.count() == 2
    assert PostMetrics.all_tenants.count() == 1


def test_cannot_get_other_org_figures(cast: Cast, client_for):
    gus = cast.membership(cast.gus, cast.globex)
    theirs = MemberFollowersFactory(membership=gus, day=d(1))
    response = client_for(cast.emma).post(
        url("analytics:my_figure_delete", figure_id=theirs.public_id)
    )
    assert response.status_code == 404
    assert MemberFollowers.all_tenants.filter(pk=theirs.pk).exists()


def test_a_member_deletes_their_own_figures(
    cast: Cast, emma: Emma, client_for, django_capture_on_commit_callbacks
):
    client = client_for(cast.emma)
    with django_capture_on_commit_callbacks(execute=True):
        import_export(membership=emma.membership, parsed=parse(faithful()))
    figure = MemberFollowers.all_tenants.get(membership=emma.membership, day=d(7))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("analytics:my_figure_delete", figure_id=figure.public_id))
    assert response.status_code == 302
    assert d(7) not in followers_of(emma.membership)
    # The rollups carry 3/6's count forward now.
    assert (
        OrganizationDay.all_tenants.get(organization=cast.acme, day=d(9)).employee_followers == 994
    )

    post_figure = PostMetrics.all_tenants.get(post=emma.by_urn)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("analytics:my_figure_delete", figure_id=post_figure.public_id))
    assert not PostMetrics.all_tenants.filter(post=emma.by_urn).exists()
    assert (reload(emma.by_urn).impressions, reload(emma.by_urn).metrics_updated_at) == (None, None)
    assert OrganizationDay.all_tenants.get(organization=cast.acme, day=d(3)).impressions == 0
    assert (
        client.get(url("analytics:my_figure_delete", figure_id=figure.public_id)).status_code == 404
    )


def test_deleting_an_imported_figure_gives_the_post_its_previous_one_back(
    cast: Cast, emma: Emma, client_for
):
    PostMetricsFactory(post=emma.by_urn, day=d(5), impressions=700, reactions=3, source=Source.API)
    import_export(membership=emma.membership, parsed=parse(faithful()))
    assert reload(emma.by_urn).impressions == 1500
    imported = PostMetrics.all_tenants.get(post=emma.by_urn, day=d(7))
    client_for(cast.emma).post(url("analytics:my_figure_delete", figure_id=imported.public_id))
    post = reload(emma.by_urn)
    assert (post.impressions, post.reactions) == (700, 3)


@pytest.mark.parametrize("persona", ["alice", "carol", "leo", "emma", "fay"])
def test_every_member_has_the_page(cast: Cast, client_for, persona: str):
    user = getattr(cast, persona)
    MemberFollowersFactory(membership=cast.membership(user, cast.acme), day=d(1), followers=3141)
    response = client_for(user).get(url("analytics:my_figures"))
    assert response.status_code == 200
    assert "3141" in response.content.decode()
    assert client_for(user).get(url("analytics:my_figures_import")).status_code == 405


def test_the_page_says_which_figures_linkedin_gives(cast: Cast, client_for):
    client = client_for(cast.emma)
    assert (
        "Your LinkedIn account is not connected"
        in client.get(url("analytics:my_figures")).content.decode()
    )

    connection = connect_member(
        user=cast.emma,
        sub="m-emma",
        scopes="openid,profile,email,w_member_social",
        access_token="AQX-emma",
        expires_in=5_183_999,
    )
    text = client.get(url("analytics:my_figures")).content.decode()
    assert "Not available through LinkedIn" in text
    assert "Your follower count and its growth" in text
    assert "r_member_profileAnalytics" in text
    assert "Collected through LinkedIn" not in text

    connection.scopes = [*connection.scopes, "r_member_postAnalytics", "r_member_profileAnalytics"]
    connection.save()
    text = client.get(url("analytics:my_figures")).content.decode()
    assert "Collected through LinkedIn" in text
    assert "Not available through LinkedIn" not in text


def test_figures_page_query_count_does_not_grow_with_rows(
    cast: Cast, emma: Emma, client_for, django_assert_num_queries
):
    client = client_for(cast.emma)

    def add(day: int) -> None:
        MemberFollowersFactory(membership=emma.membership, day=date(2026, 1, day))
        PostMetricsFactory(post=PostFactory(author=emma.membership), day=date(2026, 1, day))

    add(1)
    client.get(url("analytics:my_figures"))  # the session settles on the first visit
    with CaptureQueriesContext(db_connection) as baseline:
        client.get(url("analytics:my_figures"))
    for day in range(2, 12):
        add(day)
    with django_assert_num_queries(len(baseline.captured_queries)):
        response = client.get(url("analytics:my_figures"))
    assert len(response.context["followers_page"]) == 11


def test_the_dashboard_and_the_profile_link_to_the_figures(cast: Cast, client_for):
    client = client_for(cast.emma)
    figures = url("analytics:my_figures")
    assert f'href="{figures}"' in client.get(url("content:dashboard")).content.decode()
    profile = client.get(reverse("profile")).content.decode()
    assert f'href="{figures}"' in profile
    assert "Your figures in Acme A/S" in profile
