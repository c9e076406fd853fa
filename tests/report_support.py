"""A program with figures for the report tests: snapshot rows and posts, then the rollups.

Acme, October 2026 (and September, the previous period):
- Sales: Emma, Sam and Sara take part (three: a leader sees the team); Emma shows her figures
  to leaders.
- Design: Dana and Dan take part (two: a leader sees them only within "Other teams", with
  the people who have no team); Dana shows her figures to leaders.
- Carol (comms) and Leo (leader) take part without a team; Alice and Fay do not take part.
- Emma, Carol and Sam are connected to LinkedIn and have follower figures.
"""

from __future__ import annotations

import base64
import html
import re
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from django.utils import timezone

from advocacy.linkedin.services import connect_member
from advocacy.tenancy.models import Membership, Organization, Team
from analytics.models import MemberFollowers, PageFollowers, PostMetrics, Source
from analytics.rollups import recompute_range
from campaigns.models import Campaign
from content.models import ContentItem

from .conftest import Cast
from .factories import (
    CampaignFactory,
    ClickFactory,
    ContentItemFactory,
    MembershipFactory,
    PostFactory,
    TeamFactory,
    TrackedLinkFactory,
    UserFactory,
)

START, END = date(2026, 10, 1), date(2026, 10, 31)
QUERY = {"start": "2026-10-01", "end": "2026-10-31"}


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def followers(membership: Membership, day: date, count: int, source: str = Source.API) -> None:
    MemberFollowers.all_tenants.create(
        organization=membership.organization,
        membership=membership,
        day=day,
        followers=count,
        source=source,
    )


def connect(user, sub: str) -> None:
    connect_member(
        user=user,
        sub=sub,
        scopes="openid,profile,w_member_social",
        access_token=f"token-{sub}",
        expires_in=5_000_000,
    )


def participant(
    organization: Organization, name: str, team: Team | None, *, show: bool = False
) -> Membership:
    user = UserFactory(email=f"{name.lower()}@{organization.slug}.example", name=name)
    membership: Membership = MembershipFactory(
        organization=organization,
        user=user,
        team=team,
        opted_in_at=timezone.now(),
        show_on_leaderboard=show,
    )
    return membership


@dataclass
class Program:
    people: dict[str, Membership]
    sales: Team
    design: Team
    launch: Campaign
    hiring: Campaign
    job: ContentItem
    article: ContentItem


def clicks(post, *visitors: str, day: date, bot: str = "") -> None:
    link = TrackedLinkFactory(post=post)
    for hour, visitor in enumerate(visitors, start=8):
        ClickFactory(link=link, visitor_hash=visitor * 32, clicked_at=noon(day).replace(hour=hour))
    if bot:
        ClickFactory(link=link, visitor_hash=bot * 32, is_bot=True, clicked_at=noon(day))


def build_program(cast: Cast) -> Program:
    acme = cast.acme
    Organization.objects.filter(pk=acme.pk).update(cpm=Decimal("85.50"))
    acme.refresh_from_db()
    Membership.all_tenants.filter(
        organization=acme, user__in=[cast.emma, cast.carol, cast.leo]
    ).update(opted_in_at=timezone.now())
    Membership.all_tenants.filter(organization=acme, user=cast.emma).update(
        show_on_leaderboard=True
    )
    sales, design = cast.acme_sales, TeamFactory(organization=acme, name="Design")
    people = {name: cast.membership(getattr(cast, name), acme) for name in ("emma", "carol", "leo")}
    people["sam"] = participant(acme, "Sam", sales)
    people["sara"] = participant(acme, "Sara", sales)
    people["dana"] = participant(acme, "Dana", design, show=True)
    people["dan"] = participant(acme, "Dan", design)
    for name, sub in (("emma", "m-emma"), ("carol", "m-carol"), ("sam", "m-sam")):
        connect(people[name].user, sub)

    PageFollowers.all_tenants.create(organization=acme, day=date(2026, 8, 31), followers=950)
    PageFollowers.all_tenants.create(organization=acme, day=date(2026, 9, 20), followers=1000)
    PageFollowers.all_tenants.create(
        organization=acme, day=END, followers=1140, source=Source.ENTERED
    )
    followers(people["emma"], date(2026, 8, 1), 180)
    followers(people["emma"], date(2026, 9, 1), 200)
    followers(people["emma"], date(2026, 10, 30), 250)
    followers(people["carol"], date(2026, 8, 30), 390)
    followers(people["carol"], START, 400)
    followers(people["carol"], END, 420, source=Source.IMPORTED)
    followers(people["sam"], START, 100)
    followers(people["sam"], date(2026, 10, 15), 110)
    followers(people["sam"], END, 130)

    launch = CampaignFactory(organization=acme, name="Autumn launch")
    hiring = CampaignFactory(organization=acme, name="Hiring week", status="ended")
    job = ContentItemFactory(
        organization=acme, kind="job", title="Backend developer", is_company_content=True
    )
    article = ContentItemFactory(
        organization=acme, title="Five tips for remote teams", is_company_content=False
    )

    # October.
    first = PostFactory(
        author=people["emma"], content_item=job, campaign=hiring, is_company_content=True,
        published_at=noon(date(2026, 10, 2)),
        impressions=1000, members_reached=800, reactions=30, comments=5, reshares=5,
    )  # fmt: skip
    clicks(first, "a", "a", "b", day=date(2026, 10, 3), bot="z")
    PostFactory(author=people["emma"], content_item=article, published_at=noon(date(2026, 10, 20)),
                impressions=None)  # fmt: skip
    sam_post = PostFactory(
        author=people["sam"], content_item=article, campaign=launch,
        published_at=noon(date(2026, 10, 5)),
        impressions=500, members_reached=400, reactions=10, comments=0, reshares=0,
    )  # fmt: skip
    clicks(sam_post, "c", day=date(2026, 10, 6))
    PostFactory(
        author=people["sara"], content_item=job, campaign=hiring, is_company_content=True,
        published_at=noon(date(2026, 10, 6)),
        impressions=300, members_reached=250, reactions=3, comments=1, reshares=2,
    )  # fmt: skip
    dana_post = PostFactory(
        author=people["dana"], content_item=None, published_at=noon(date(2026, 10, 8)),
        impressions=200, members_reached=150, reactions=4, comments=0, reshares=0,
    )  # fmt: skip
    PostMetrics.all_tenants.create(
        organization=acme, post=dana_post, day=date(2026, 10, 9), impressions=200,
        source=Source.IMPORTED,
    )  # fmt: skip
    PostFactory(
        author=people["leo"], content_item=article, campaign=launch,
        published_at=noon(date(2026, 10, 12)),
        impressions=700, members_reached=600, reactions=20, comments=2, reshares=1,
    )  # fmt: skip
    # Not counted: a failed post, a post of November, and Alice, who does not take part.
    PostFactory(author=people["carol"], published_at=noon(date(2026, 10, 9)), status="failed",
                linkedin_urn="", impressions=None)  # fmt: skip
    PostFactory(author=people["carol"], published_at=noon(date(2026, 11, 2)), impressions=9999)
    PostFactory(author=cast.membership(cast.alice, acme), published_at=noon(date(2026, 10, 3)),
                impressions=5000)  # fmt: skip

    # September: the previous period.
    PostFactory(
        author=people["emma"], content_item=article, published_at=noon(date(2026, 9, 10)),
        impressions=400, members_reached=300, reactions=8, comments=1, reshares=1,
    )  # fmt: skip
    september_job = PostFactory(
        author=people["carol"], content_item=job, is_company_content=True,
        published_at=noon(date(2026, 9, 15)),
        impressions=600, members_reached=500, reactions=12, comments=3, reshares=0,
    )  # fmt: skip
    clicks(september_job, "d", "e", day=date(2026, 9, 16))

    recompute_range(organization=acme, start=date(2026, 8, 1), end=date(2026, 11, 5))
    return Program(
        people=people, sales=sales, design=design, launch=launch, hiring=hiring, job=job,
        article=article,
    )  # fmt: skip


def pdf_text(data: bytes) -> str:
    """The text a PDF shows: the strings of its content streams, decoded where encoded
    (reportlab writes ASCII85 over Flate)."""
    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, re.DOTALL):
        stream = stream.strip()
        if stream.endswith(b"~>"):
            stream = base64.a85decode(stream[:-2])
        try:
            chunks.append(zlib.decompress(stream))
        except zlib.error:
            chunks.append(stream)
    text = []
    for chunk in chunks:
        for raw in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", chunk):
            unescaped = re.sub(
                rb"\\([0-7]{1,3}|.)",
                lambda m: bytes([int(m.group(1), 8)]) if m.group(1)[:1].isdigit() else m.group(1),
                raw,
            )
            text.append(unescaped.decode("cp1252", errors="replace"))
    return " ".join(text)


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", data))


def page_table(page: str, name: str) -> list[list[str]]:
    """The cells of the page's table `name` (header row first), as the reader sees them."""
    match = re.search(rf'<table class="data" id="table-{name}">(.*?)</table>', page, re.DOTALL)
    assert match, f"no table {name} on the page"
    rows = re.findall(r"<tr>(.*?)</tr>", match.group(1), re.DOTALL)
    return [
        [
            html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.DOTALL)
        ]
        for row in rows
    ]
