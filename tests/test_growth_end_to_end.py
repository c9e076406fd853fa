"""Every figure of the growth report, end to end: a sandbox scenario, the real collection,
real clicks through the tracked-link redirect, then the report against figures computed by
hand from the scenario (METRICS.md).

Nothing here writes a snapshot row: the collection reads the sandbox over real HTTP.

The scenario (today Monday 23 November 2026; the report covers 9 to 23 November):
- the company page: 1000 followers on 1 November, 10 more a day: 1080 on the 9th, 1220 today;
- Emma: 400 on 1 November, 2 more a day: 416 on the 9th, 444 today (+6.73 %);
- Carol: 300 on the 9th, 330 today (+10 %);
- Alice takes part but has not connected LinkedIn; Leo is connected but does not take part;
- posts: Emma's on the 10th (company content, with a link) and the 15th, Carol's on the
  20th; Emma's of 20 October (before the range) and Leo's of the 12th count in nothing.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from advocacy.sandbox import models as sandbox
from advocacy.tenancy.models import Membership, Organization
from analytics import collection, tasks
from analytics.growth import growth_report
from content import links
from content.models import Post

from .conftest import Cast
from .test_collection import ANALYTICS, Sandbox, member, setup_sandbox

pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
START, END = date(2026, 11, 9), date(2026, 11, 23)


def metrics(impressions: int, reached: int, reactions: int, comments: int, reshares: int):
    return {
        "2026-11-22": {
            "impressions": impressions,
            "members_reached": reached,
            "reactions": reactions,
            "comments": comments,
            "reshares": reshares,
        }
    }


def post(number: str, author: str, published: str, text: str, **extra: Any) -> dict[str, Any]:
    return {"id": number, "author": author, "published": published, "commentary": text, **extra}


SCENARIO: dict[str, Any] = {
    "name": "growth end to end",
    "today": "2026-11-23",
    "seed": 5,
    "pages": [
        {
            "id": "2414183",
            "name": "Acme A/S",
            "admins": ["m-alice"],
            "followers": {"2026-11-01": 1000, "2026-11-23": 1220},
        }
    ],
    "members": [
        member("m-alice", "alice@acme.example", {"2026-11-23": 2000}),
        member("m-emma", "emma@acme.example", {"2026-11-01": 400, "2026-11-23": 444}),
        member("m-carol", "carol@acme.example", {"2026-11-09": 300, "2026-11-23": 330}),
        member("m-leo", "leo@acme.example", {"2026-11-01": 900, "2026-11-23": 990}),
        member("m-gus", "gus@globex.example", {"2026-11-23": 70}),
    ],
    "posts": [
        post("8101", "m-emma", "2026-11-10T09:00:00Z", "Fair recap",
             company_content=True, article_url="https://acme.example/fair",
             metrics=metrics(1000, 700, 40, 6, 4)),
        post("8102", "m-emma", "2026-11-15T09:00:00Z", "A tip that helped me",
             metrics=metrics(500, 400, 10, 0, 0)),
        post("8103", "m-carol", "2026-11-20T09:00:00Z", "What I learned this week",
             metrics=metrics(300, 250, 6, 2, 2)),
        post("8104", "m-emma", "2026-10-20T09:00:00Z", "Before the range",
             metrics={"2026-10-22": {"impressions": 5000}}),
        post("8105", "m-leo", "2026-11-12T09:00:00Z", "Leo does not take part",
             metrics=metrics(900, 800, 90, 9, 9)),
    ],
}  # fmt: skip

EXPECTED = {
    "organization": "acme",
    "start": "2026-11-09",
    "end": "2026-11-23",
    "company_followers_start": 1080,
    "company_followers_end": 1220,
    "company_follower_growth_pct": 13.0,  # 140 / 1080
    "employees_counted": 2,  # Emma and Carol; Alice has no LinkedIn connection
    "employee_follower_growth_pct_avg": 8.4,  # (28/416 + 30/300) / 2 = (6.73 + 10) / 2
    "employee_new_followers": 58,
    "posts": 3,
    "new_followers_per_post": 19.3,  # 58 / 3
    "impressions": 1800,
    "members_reached": 1350,
    "reactions": 56,
    "comments": 8,
    "reshares": 6,
    "engagements": 70,
    "engagement_rate_pct": 3.9,  # 70 / 1800
    "clicks": 3,  # the bot's is not one
    "unique_clicks": 2,
    "emv": "180.00",  # 1800 / 1000 * 100.00
    "participants": 3,  # Emma, Carol, Alice
    "participation_pct": 66.7,  # Emma and Carol posted
    "company_content_pct": 33.3,  # 1 of 3
}


@pytest.fixture
def program(live_server: Any, settings: Any, cast: Cast) -> Sandbox:
    with time_machine.travel(NOW, tick=True):
        linkedin = setup_sandbox(live_server, settings, cast, SCENARIO, ANALYTICS)
        linkedin.opt_in(cast.alice)
        Organization.objects.filter(pk=cast.acme.pk).update(cpm=Decimal("100.00"))
        cast.acme.refresh_from_db()
        recorded = record(linkedin)
        # Clicks through Emma's tracked link, as visitors make them.
        fair = recorded["Fair recap"]
        fair.link_url = "https://acme.example/fair"
        fair.save(update_fields=["link_url"])
        link = links.sync_tracked_link(fair)
        assert link is not None
        visitors = [
            ("198.51.100.7", "Mozilla/5.0 (Macintosh) Firefox/140.0"),
            ("198.51.100.7", "Mozilla/5.0 (Macintosh) Firefox/140.0"),
            ("203.0.113.9", "Mozilla/5.0 (iPhone) Safari/605.1"),
            ("192.0.2.1", "LinkedInBot/1.0 (compatible; Mozilla/5.0)"),
        ]
        for address, agent in visitors:
            response = Client().get(f"/l/{link.code}", REMOTE_ADDR=address, HTTP_USER_AGENT=agent)
            assert response.status_code == 302
        # The collection, as the Celery workers run it, then the quarter-hourly rollups.
        report = collection.collect_organization(organization=cast.acme)
        assert not report.failed(), report.failed()
        assert not report.unavailable(), report.unavailable()
        tasks.refresh_recent_rollups()
    return linkedin


def record(linkedin: Sandbox) -> dict[str, Post]:
    """The cast's scenario posts as posts published through the platform (as sandbox_load
    --create-members does), with the scenario's company/other mark."""
    users = {
        "m-emma": linkedin.cast.emma,
        "m-carol": linkedin.cast.carol,
        "m-leo": linkedin.cast.leo,
    }
    from content.sharing import record_published_post

    recorded = {}
    for made in sandbox.Post.objects.filter(member__sub__in=users).select_related("member"):
        membership = linkedin.membership(users[made.member.sub])
        recorded[made.commentary], _created = record_published_post(
            organization=membership.organization,
            author=membership,
            linkedin_urn=made.urn,
            text=made.commentary,
            published_at=made.created_at,
            is_company_content=made.company_content,
            link_url=made.article_url,
        )
    return recorded


def test_every_figure_from_the_sandbox_through_the_collection(cast: Cast, program: Sandbox):
    with time_machine.travel(NOW + timedelta(minutes=5), tick=True):
        assert growth_report(cast.acme, START, END).as_json() == EXPECTED


def test_the_command_and_the_api_answer_the_same(cast: Cast, program: Sandbox, client_for):
    with time_machine.travel(NOW + timedelta(minutes=5), tick=True):
        out = StringIO()
        call_command(
            "report", "growth", "--organization", "acme", "--start", "2026-11-09",
            "--end", "2026-11-23", "--json", stdout=out,
        )  # fmt: skip
        assert json.loads(out.getvalue()) == EXPECTED
        response = client_for(cast.leo).get(
            "/api/v1/reports/growth",
            {"start": "2026-11-09", "end": "2026-11-23", "organization": "acme"},
        )
        assert response.json() == EXPECTED


def test_leaving_the_program_takes_a_person_out_of_every_figure(cast: Cast, program: Sandbox):
    with time_machine.travel(NOW + timedelta(minutes=5), tick=True):
        Membership.all_tenants.filter(pk=program.membership(cast.carol).pk).update(opted_in_at=None)
        collection.collect_organization(organization=cast.acme)
        tasks.refresh_recent_rollups()
        from analytics.rollups import recompute_range

        recompute_range(organization=cast.acme, start=START, end=END)
        report = growth_report(cast.acme, START, END).as_json()
    assert report["participants"] == 2
    assert report["employees_counted"] == 1
    assert report["employee_follower_growth_pct_avg"] == 6.7  # Emma alone: 28 / 416
    assert (report["posts"], report["impressions"]) == (2, 1500)
    assert report["participation_pct"] == 50.0
    assert timezone.now() > NOW  # the clock moved on in the test, the figures did not
