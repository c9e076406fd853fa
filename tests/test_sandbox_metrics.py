"""Analytics over HTTP: member followers, post analytics and page statistics (linkedin-api.md
6), as the simulation computes them from the scenario's histories and the API's posts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from advocacy.sandbox.models import App, Member, Post
from advocacy.sandbox.simulation import Series, Simulation, growth_fraction, post_outcome

from .test_sandbox_support import (
    PAGE_SCOPES,
    SCENARIO,
    Sandbox,
    date_range,
    element_days,
    frozen_clock,
    sandbox,
)

__all__ = ["frozen_clock", "sandbox"]

pytestmark = pytest.mark.django_db(transaction=True)

WRAPPED = "com.linkedin.adsexternalapi.memberanalytics.v1.CreatorPostAnalyticsMetricTypeV1"
ORG = "urn%3Ali%3Aorganization%3A2414183"


def analytics(sandbox: Sandbox, token: str, query: str, version: str = "202609") -> dict[str, Any]:
    answer = sandbox.get(f"rest/memberCreatorPostAnalytics?{query}", token, version=version)
    assert answer.status_code == 200, answer.text
    return answer.json()


def followers(sandbox: Sandbox, token: str, query: str) -> dict[str, Any]:
    answer = sandbox.get(f"rest/memberFollowersCount?{query}", token)
    assert answer.status_code == 200, answer.text
    return answer.json()


def ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


# Member followers --------------------------------------------------------------------------


def test_followers_now_is_the_history_at_today(sandbox: Sandbox):
    body = followers(sandbox, sandbox.token(), "q=me")
    assert body == {
        "paging": {"start": 0, "count": 1, "links": []},
        "elements": [{"memberFollowersCount": 605}],
    }


def test_daily_gains_follow_the_interpolated_history(sandbox: Sandbox):
    body = followers(
        sandbox,
        sandbox.token(),
        f"q=dateRange&dateRange={date_range(date(2026, 1, 1), date(2026, 1, 5))}",
    )
    # 500 on 1 Jan, 540 on 1 Feb: 501.3, 502.6, 503.9 round to 501, 503, 504.
    assert [e["memberFollowersCount"] for e in body["elements"]] == [0, 1, 2, 1]
    assert element_days(body["elements"]) == [date(2026, 1, d) for d in range(1, 5)]
    assert body["elements"][0]["dateRange"] == {
        "start": {"day": 1, "month": 1, "year": 2026},
        "end": {"day": 2, "month": 1, "year": 2026},
    }


def test_daily_gains_add_up_to_the_change_over_any_range(sandbox: Sandbox):
    history = Series.from_json(SCENARIO["members"][0]["followers"])
    start, end = date(2026, 1, 20), date(2026, 4, 10)
    body = followers(sandbox, sandbox.token(), f"q=dateRange&dateRange={date_range(start, end)}")
    gains = [e["memberFollowersCount"] for e in body["elements"]]
    assert len(gains) == (end - start).days
    assert sum(gains) == history.on(end - timedelta(days=1)) - history.on(start - timedelta(days=1))
    assert all(gain == 0 for gain in gains[-9:])  # flat after 31 March


def test_no_days_after_today(sandbox: Sandbox):
    body = followers(
        sandbox,
        sandbox.token(),
        f"q=dateRange&dateRange={date_range(date(2026, 11, 20), date(2026, 12, 5))}",
    )
    assert element_days(body["elements"]) == [date(2026, 11, d) for d in (20, 21, 22, 23)]


def test_a_bad_date_range_is_400(sandbox: Sandbox):
    token = sandbox.token()
    backwards = f"q=dateRange&dateRange={date_range(date(2026, 3, 5), date(2026, 3, 1))}"
    assert sandbox.get(f"rest/memberFollowersCount?{backwards}", token).status_code == 400
    missing = sandbox.get("rest/memberFollowersCount?q=dateRange", token)
    assert missing.status_code == 400
    bad = sandbox.get(
        "rest/memberFollowersCount?q=dateRange&dateRange=(start:(day:31,month:2,year:2026),end:(day:1,month:3,year:2026))",
        token,
    )
    assert bad.status_code == 400


def test_a_new_post_brings_followers_and_metrics_over_a_week(sandbox: Sandbox, frozen_clock: Any):
    token = sandbox.token()
    answer = sandbox.post(
        "rest/posts",
        token,
        json={
            "author": "urn:li:person:m-ann",
            "commentary": "Our new office",
            "visibility": "PUBLIC",
            "distribution": {"feedDistribution": "MAIN_FEED"},
            "lifecycleState": "PUBLISHED",
            "content": {
                "article": {"source": "https://www.acme.example/office", "title": "Office"}
            },
        },
    )
    urn = answer.headers["x-restli-id"]
    created = Post.objects.get(urn=urn).created_at
    outcome = post_outcome(seed=7, urn=urn, audience=605, company_content=True)
    page_token = sandbox.token(scopes=PAGE_SCOPES)

    def impressions() -> int:
        body = analytics(
            sandbox,
            token,
            f"q=entity&entity=(share:{urn.replace(':', '%3A')})"
            "&queryType=IMPRESSION&aggregation=TOTAL",
        )
        return body["elements"][0]["count"]

    assert impressions() == 0
    assert followers(sandbox, token, "q=me")["elements"][0]["memberFollowersCount"] == 605

    frozen_clock.shift(timedelta(days=2))
    elapsed = datetime.now(tz=UTC) - created
    two_days = impressions()
    assert abs(two_days - outcome.impressions * growth_fraction(elapsed)) <= 2
    assert 0.75 * outcome.impressions < two_days < outcome.impressions

    frozen_clock.shift(timedelta(days=6))
    assert impressions() == outcome.impressions
    assert (
        followers(sandbox, token, "q=me")["elements"][0]["memberFollowersCount"]
        == 605 + outcome.author_followers
    )
    network = sandbox.get(
        f"rest/networkSizes/{ORG}?edgeType=COMPANY_FOLLOWED_BY_MEMBER", page_token
    )
    assert network.json() == {"firstDegreeSize": 1300 + outcome.page_followers}

    # The gains land on the real days after the post, and add up.
    start = created.date()
    body = followers(
        sandbox, token, f"q=dateRange&dateRange={date_range(start, start + timedelta(days=9))}"
    )
    gains = [e["memberFollowersCount"] for e in body["elements"]]
    assert sum(gains) == outcome.author_followers
    assert gains[0] + gains[1] + gains[2] >= gains[-1]


# Member post analytics ---------------------------------------------------------------------


def test_total_for_one_post_with_the_wrapped_metric_type_before_202605(sandbox: Sandbox):
    body = analytics(
        sandbox,
        sandbox.token(),
        "q=entity&entity=(share:urn%3Ali%3Ashare%3A7301)&queryType=IMPRESSION&aggregation=TOTAL",
        version="202604",
    )
    assert body["elements"] == [
        {
            "count": 2000,
            "metricType": {WRAPPED: "IMPRESSION"},
            "targetEntity": {"share": "urn:li:share:7301"},
            "dateRange": {},
        }
    ]


def test_total_for_one_post_with_a_plain_metric_type_from_202605(sandbox: Sandbox):
    body = analytics(
        sandbox,
        sandbox.token(),
        "q=entity&entity=(share:urn%3Ali%3Ashare%3A7301)&queryType=REACTION&aggregation=TOTAL",
        version="202605",
    )
    assert body["elements"][0]["metricType"] == "REACTION"
    assert body["elements"][0]["count"] == 60


def test_daily_for_one_post_interpolates_its_metrics(sandbox: Sandbox):
    body = analytics(
        sandbox,
        sandbox.token(),
        "q=entity&entity=(share:urn%3Ali%3Ashare%3A7301)&queryType=IMPRESSION&aggregation=DAILY"
        f"&dateRange={date_range(date(2026, 1, 3), date(2026, 1, 12))}",
    )
    # Nothing before publication on 5 January; 1200 on the 6th, 2000 on the 10th, flat after.
    assert element_days(body["elements"]) == [date(2026, 1, d) for d in range(5, 12)]
    assert [e["count"] for e in body["elements"]] == [0, 1200, 200, 200, 200, 200, 0]
    assert all(e["targetEntity"] == {"share": "urn:li:share:7301"} for e in body["elements"])


def test_total_over_a_date_range_is_the_change_within_it(sandbox: Sandbox):
    body = analytics(
        sandbox,
        sandbox.token(),
        "q=entity&entity=(share:urn%3Ali%3Ashare%3A7301)&queryType=COMMENT&aggregation=TOTAL"
        f"&dateRange={date_range(date(2026, 1, 7), date(2026, 1, 11))}",
    )
    # 5 comments at the end of the 6th, 9 at the end of the 10th.
    assert body["elements"][0]["count"] == 9 - 5
    assert body["elements"][0]["dateRange"]["start"] == {"day": 7, "month": 1, "year": 2026}


def test_ugc_posts_are_asked_for_with_the_ugc_union_member(sandbox: Sandbox):
    token = sandbox.token()
    good = analytics(
        sandbox,
        token,
        "q=entity&entity=(ugc:urn%3Ali%3AugcPost%3A7302)&queryType=IMPRESSION&aggregation=TOTAL",
    )
    assert good["elements"][0]["targetEntity"] == {"ugc": "urn:li:ugcPost:7302"}
    assert good["elements"][0]["count"] > 0  # three days of simulated growth
    wrong = sandbox.get(
        "rest/memberCreatorPostAnalytics?q=entity&entity=(share:urn%3Ali%3AugcPost%3A7302)&queryType=IMPRESSION&aggregation=TOTAL",
        token,
    )
    assert wrong.status_code == 400


def test_no_data_is_an_empty_list_not_zero(sandbox: Sandbox):
    token = sandbox.token()
    unknown = analytics(
        sandbox,
        token,
        "q=entity&entity=(share:urn%3Ali%3Ashare%3A999)&queryType=IMPRESSION&aggregation=TOTAL",
    )
    assert unknown["elements"] == []
    bo = sandbox.token("m-bo")
    none = analytics(sandbox, bo, "q=me&queryType=IMPRESSION&aggregation=TOTAL")
    assert none["elements"] == []
    before = analytics(
        sandbox,
        token,
        "q=me&queryType=IMPRESSION&aggregation=DAILY"
        f"&dateRange={date_range(date(2025, 12, 1), date(2025, 12, 5))}",
    )
    assert before["elements"] == []


def test_q_me_sums_the_members_posts(sandbox: Sandbox):
    token = sandbox.token()
    total = analytics(sandbox, token, "q=me&queryType=RESHARE&aggregation=TOTAL")["elements"]
    single = analytics(
        sandbox,
        token,
        "q=entity&entity=(ugc:urn%3Ali%3AugcPost%3A7302)&queryType=RESHARE&aggregation=TOTAL",
    )
    assert total[0]["count"] == 4 + single["elements"][0]["count"]
    assert "targetEntity" not in total[0]
    daily = analytics(
        sandbox,
        token,
        "q=me&queryType=REACTION&aggregation=DAILY"
        f"&dateRange={date_range(date(2026, 1, 1), date(2026, 1, 8))}",
    )["elements"]
    assert element_days(daily) == [date(2026, 1, d) for d in range(5, 8)]
    assert [e["count"] for e in daily] == [0, 40, 5]


def test_another_members_post_is_403_and_bad_parameters_400(sandbox: Sandbox):
    bo = sandbox.token("m-bo")
    other = sandbox.get(
        "rest/memberCreatorPostAnalytics?q=entity&entity=(share:urn%3Ali%3Ashare%3A7301)&queryType=IMPRESSION&aggregation=TOTAL",
        bo,
    )
    assert other.status_code == 403
    token = sandbox.token()
    for query in (
        "q=me&queryType=CLICKS&aggregation=TOTAL",
        "q=me&queryType=IMPRESSION&aggregation=WEEKLY",
        "q=me&queryType=IMPRESSION&aggregation=DAILY",
        "q=me&aggregation=TOTAL",
    ):
        assert sandbox.get(f"rest/memberCreatorPostAnalytics?{query}", token).status_code == 400, (
            query
        )


# Pages -------------------------------------------------------------------------------------


def page_stats(
    sandbox: Sandbox, resource: str, extra: str = "", token: str | None = None
) -> dict[str, Any]:
    answer = sandbox.get(
        f"rest/{resource}?q=organizationalEntity&organizationalEntity={ORG}{extra}",
        token or sandbox.token(scopes=PAGE_SCOPES),
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_lifetime_follower_statistics_break_the_total_down(sandbox: Sandbox):
    elements = page_stats(sandbox, "organizationalEntityFollowerStatistics")["elements"]
    assert len(elements) == 1
    element = elements[0]
    assert element["organizationalEntity"] == "urn:li:organization:2414183"
    for facet in ("Seniority", "Function", "Industry", "StaffCountRange", "GeoCountry", "Geo"):
        rows = element[f"followerCountsBy{facet}"]
        assert sum(row["followerCounts"]["organicFollowerCount"] for row in rows) == 1300
        assert all(row["followerCounts"]["paidFollowerCount"] == 0 for row in rows)
    assert element["followerCountsByAssociationType"][0]["associationType"] == "EMPLOYEE"
    assert "totalFollowerCount" not in element  # LinkedIn gives no total here: networkSizes does


def test_time_bound_follower_gains_per_day_and_week(sandbox: Sandbox):
    history = Series.from_json(SCENARIO["pages"][0]["followers"])
    start, end = date(2026, 3, 25), date(2026, 4, 8)
    intervals = (
        f"&timeIntervals=(timeRange:(start:{ms(start)},end:{ms(end)}),timeGranularityType:DAY)"
    )
    elements = page_stats(sandbox, "organizationalEntityFollowerStatistics", intervals)["elements"]
    assert len(elements) == 14
    assert elements[0]["timeRange"] == {"start": ms(start), "end": ms(start + timedelta(days=1))}
    gains = [e["followerGains"]["organicFollowerGain"] for e in elements]
    assert sum(gains) == history.on(end - timedelta(days=1)) - history.on(start - timedelta(days=1))
    assert gains[0] in (1, 2)
    assert gains[-1] in (0, 1)
    assert all(e["followerGains"]["paidFollowerGain"] == 0 for e in elements)

    weekly = (
        f"&timeIntervals=(timeRange:(start:{ms(start)},end:{ms(end)}),timeGranularityType:WEEK)"
    )
    weeks = page_stats(sandbox, "organizationalEntityFollowerStatistics", weekly)["elements"]
    assert len(weeks) == 2
    assert sum(w["followerGains"]["organicFollowerGain"] for w in weeks) == sum(gains)


def test_page_statistics_need_an_administrator(sandbox: Sandbox):
    bo = sandbox.token("m-bo", scopes=PAGE_SCOPES)
    answer = sandbox.get(
        f"rest/organizationalEntityFollowerStatistics?q=organizationalEntity&organizationalEntity={ORG}",
        bo,
    )
    assert answer.status_code == 403


def test_share_statistics_lifetime_per_interval_and_per_post(sandbox: Sandbox):
    lifetime = page_stats(sandbox, "organizationalEntityShareStatistics")["elements"]
    assert lifetime == [
        {
            "totalShareStatistics": {
                "uniqueImpressionsCount": 300,
                "shareCount": 1,
                "shareMentionsCount": 0,
                "engagement": (12 + 2 + 1 + 8) / 400,
                "clickCount": 8,
                "likeCount": 12,
                "impressionCount": 400,
                "commentMentionsCount": 0,
                "commentCount": 2,
            },
            "organizationalEntity": "urn:li:organization:2414183",
        }
    ]
    start, end = date(2026, 11, 9), date(2026, 11, 13)
    intervals = (
        f"&timeIntervals=(timeRange:(start:{ms(start)},end:{ms(end)}),timeGranularityType:DAY)"
    )
    daily = page_stats(sandbox, "organizationalEntityShareStatistics", intervals)["elements"]
    assert [e["totalShareStatistics"]["impressionCount"] for e in daily] == [0, 0, 400, 0]
    per_post = page_stats(
        sandbox, "organizationalEntityShareStatistics", "&shares=List(urn%3Ali%3Ashare%3A7401)"
    )
    assert per_post["elements"][0]["share"] == "urn:li:share:7401"
    assert per_post["elements"][0]["totalShareStatistics"]["impressionCount"] == 400


def test_a_members_followers_cost_no_query_per_post(sandbox: Sandbox):
    """The followers a member's API posts brought are summed without a query per post."""
    ann = Member.objects.get(sub="m-ann")

    def add_posts(count: int) -> None:
        for number in range(count):
            Post.objects.create(
                urn=f"urn:li:share:{9_000_000 + Post.objects.count() + number}",
                kind=Post.Kind.SHARE,
                number=9_000_000 + Post.objects.count() + number,
                origin=Post.Origin.API,
                commentary=f"Post {Post.objects.count()} {number}",
                visibility="PUBLIC",
                lifecycle_state="PUBLISHED",
                member=ann,
                created_at=timezone.now() - timedelta(days=3),
            )

    def followers_now() -> tuple[int, int]:
        simulation = Simulation(App.objects.get(), timezone.now())
        with CaptureQueriesContext(connection) as queries:
            count = simulation.member_followers_now(ann)
        return count, len(queries.captured_queries)

    add_posts(1)
    one, with_one = followers_now()
    add_posts(5)
    six, with_six = followers_now()
    assert with_six == with_one
    assert six > one  # the posts did bring followers


def test_a_members_followers_over_days_are_each_days_followers(sandbox: Sandbox):
    """The one-pass series a date range is answered from gives each day what the day alone
    gives: posts not yet made, still growing, settled a week on, and deleted while growing."""
    ann = Member.objects.get(sub="m-ann")
    now = timezone.now()
    for number, (age, deleted_after) in enumerate(
        [(20, None), (9, None), (5, None), (2, None), (6, timedelta(days=1)), (30, None)]
    ):
        created = now - timedelta(days=age, hours=number)
        Post.objects.create(
            urn=f"urn:li:share:{8_000_000 + number}",
            kind=Post.Kind.SHARE,
            number=8_000_000 + number,
            origin=Post.Origin.API,
            commentary=f"Post {number}",
            visibility="PUBLIC",
            lifecycle_state="PUBLISHED",
            member=ann,
            created_at=created,
            deleted_at=created + deleted_after if deleted_after else None,
        )
    simulation = Simulation(App.objects.get(), now)
    days = [now.date() - timedelta(days=n) for n in range(40, -1, -1)]
    one_by_one = [simulation.member_followers_on(ann, day) for day in days]
    assert simulation.member_followers_over(ann, days) == one_by_one
    assert len(set(one_by_one)) > 5  # the posts made the days differ
