"""Member and page analytics (linkedin-api.md 6), read from the simulation."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from ..access import access_denied
from ..models import Page, Post
from ..responses import ApiError, json_response
from ..restli import RestliValue
from ..simulation import Simulation, start_of
from .base import (
    Call,
    as_list,
    clamp_days,
    day_from_ms,
    epoch_ms,
    method_not_allowed,
    parse_date_range,
    path_urn,
    run,
    ymd,
)

QUERY_TYPES = {
    "IMPRESSION": "impressions",
    "MEMBERS_REACHED": "members_reached",
    "RESHARE": "reshares",
    "REACTION": "reactions",
    "COMMENT": "comments",
}
WRAPPED_METRIC_TYPE = (
    "com.linkedin.adsexternalapi.memberanalytics.v1.CreatorPostAnalyticsMetricTypeV1"
)
# From this version on, metricType is a plain string (linkedin-api.md 6.1).
PLAIN_METRIC_TYPE_SINCE = (2026, 5)
# Page statistics cover a rolling year; older intervals are left out.
PAGE_STATISTICS_DAYS = 365


def _analytics_answer(elements: list[dict[str, Any]], call: Call) -> HttpResponse:
    start = call.integer("start", 0)
    count = call.integer("count", 0)
    shown = elements[start : start + count] if count else elements[start:]
    return json_response(
        {
            "paging": {"start": start, "count": count or len(shown), "links": []},
            "elements": shown,
        }
    )


def _only_get(call: Call) -> None:
    if call.method != "GET":
        raise method_not_allowed(call.method)


# Member followers --------------------------------------------------------------------------


def _member_followers(call: Call) -> HttpResponse:
    _only_get(call)
    finder = call.scalar("q")
    if finder not in {"me", "dateRange"}:
        raise ApiError(400, f"Unknown finder q={finder}")
    call.require(
        "r_member_profileAnalytics", resource="memberFollowersCount", method=f"FINDER-{finder}"
    )
    simulation = call.simulation()
    member = call.member
    if finder == "me":
        return _analytics_answer(
            [{"memberFollowersCount": simulation.member_followers_now(member)}], call
        )
    start, end = parse_date_range(call.param("dateRange"))
    days = list(clamp_days(start, end, simulation.data_until))
    values = simulation.member_followers_over(member, [start - timedelta(days=1), *days])
    elements = [
        {
            "dateRange": {"start": ymd(day), "end": ymd(day + timedelta(days=1))},
            "memberFollowersCount": value - previous,
        }
        for day, previous, value in zip(days, values, values[1:], strict=False)
    ]
    return _analytics_answer(elements, call)


@csrf_exempt
def member_followers_count(request: HttpRequest) -> HttpResponse:
    """q=me: the total; q=dateRange: one element per day holding that day's gain."""
    return run(request, "member.followers", _member_followers, versioned=True)


# Member post analytics ---------------------------------------------------------------------


def _metric_type(call: Call, query_type: str) -> Any:
    assert call.version is not None
    if (call.version.year, call.version.month) >= PLAIN_METRIC_TYPE_SINCE:
        return query_type
    return {WRAPPED_METRIC_TYPE: query_type}


def _entity(value: RestliValue) -> tuple[str, str]:
    if not isinstance(value, dict) or len(value) != 1:
        raise ApiError(400, "entity must be a union: (share:<urn>) or (ugc:<urn>)")
    ((key, urn),) = value.items()
    expected = {"share": "urn:li:share:", "ugc": "urn:li:ugcPost:"}.get(key)
    if expected is None or not isinstance(urn, str) or not urn.startswith(expected):
        raise ApiError(400, f"entity ({key}:{urn}) is not a share or ugcPost URN of that kind")
    return key, urn


def _post_analytics(call: Call) -> HttpResponse:
    _only_get(call)
    finder = call.scalar("q")
    if finder not in {"entity", "me"}:
        raise ApiError(400, f"Unknown finder q={finder}")
    call.require(
        "r_member_postAnalytics", resource="memberCreatorPostAnalytics", method=f"FINDER-{finder}"
    )
    query_type = call.scalar("queryType")
    if query_type not in QUERY_TYPES:
        raise ApiError(400, f"Invalid queryType {query_type}")
    aggregation = call.scalar("aggregation")
    if aggregation not in {"TOTAL", "DAILY"}:
        raise ApiError(400, f"Invalid aggregation {aggregation}")
    metric = QUERY_TYPES[query_type]
    date_range = parse_date_range(call.params["dateRange"]) if "dateRange" in call.params else None
    simulation = call.simulation()
    metric_type = _metric_type(call, query_type)

    if finder == "entity":
        key, urn = _entity(call.param("entity"))
        found = Post.objects.filter(urn=urn).select_related("member", "page").first()
        if found is not None and found.member_id != call.member.pk:
            raise access_denied("memberCreatorPostAnalytics", "FINDER-entity", call.version_label)
        if found is None or found.deleted_at is not None or found.lifecycle_state != "PUBLISHED":
            return _analytics_answer([], call)
        posts, target = [found], {"targetEntity": {key: urn}}
        if aggregation == "DAILY" and date_range is None:
            date_range = (found.created_at.date(), simulation.data_until + timedelta(days=1))
    else:
        posts = list(Post.objects.published().filter(member=call.member).select_related("member"))
        target = {}
        if aggregation == "DAILY" and date_range is None:
            raise ApiError(400, "dateRange is required for q=me with DAILY aggregation")

    def total_on(day: date) -> int:
        return sum(simulation.post_metric_on(post, metric, day) for post in posts)

    def exists_on(day: date) -> bool:
        return any(simulation.post_exists_on(post, day) for post in posts)

    if aggregation == "TOTAL":
        if date_range is None:
            if not posts:
                return _analytics_answer([], call)
            count = sum(simulation.post_metric_now(post, metric) for post in posts)
            return _analytics_answer(
                [{"count": count, "metricType": metric_type, **target, "dateRange": {}}], call
            )
        start, end = date_range
        days = clamp_days(start, end, simulation.data_until)
        if not days or not exists_on(days[-1]):
            return _analytics_answer([], call)
        count = total_on(days[-1]) - total_on(start - timedelta(days=1))
        return _analytics_answer(
            [
                {
                    "count": count,
                    "metricType": metric_type,
                    **target,
                    "dateRange": {"start": ymd(start), "end": ymd(end)},
                }
            ],
            call,
        )
    assert date_range is not None
    start, end = date_range
    elements = []
    previous = total_on(start - timedelta(days=1))
    for day in clamp_days(start, end, simulation.data_until):
        value = total_on(day)
        if exists_on(day):
            elements.append(
                {
                    "count": value - previous,
                    "metricType": metric_type,
                    **target,
                    "dateRange": {"start": ymd(day), "end": ymd(day + timedelta(days=1))},
                }
            )
        previous = value
    return _analytics_answer(elements, call)


@csrf_exempt
def member_creator_post_analytics(request: HttpRequest) -> HttpResponse:
    """One post (q=entity) or all the member's posts (q=me), one metric per call."""
    return run(request, "member.postAnalytics", _post_analytics, versioned=True)


# Pages -------------------------------------------------------------------------------------


def _page(urn: str) -> Page:
    if not urn.startswith("urn:li:organization:"):
        raise ApiError(400, f"{urn} is not an organization URN")
    page = Page.objects.filter(page_id=urn.removeprefix("urn:li:organization:")).first()
    if page is None:
        raise ApiError(404, f"Organization {urn} not found")
    return page


def _administered_page(call: Call, resource: str, method: str) -> Page:
    call.require("rw_organization_admin", resource=resource, method=method)
    page = _page(call.scalar("organizationalEntity"))
    if not page.admins.filter(pk=call.member.pk).exists():
        raise access_denied(resource, method, call.version_label)
    return page


@csrf_exempt
def network_sizes(request: HttpRequest, urn: str) -> HttpResponse:
    """A page's follower total (edgeType=COMPANY_FOLLOWED_BY_MEMBER)."""

    def handle(call: Call) -> HttpResponse:
        _only_get(call)
        call.require(
            "rw_organization_admin",
            "r_organization_social",
            "r_organization_followers",
            resource="networkSizes",
            method="GET",
        )
        edge_type = call.scalar("edgeType")
        if edge_type not in {"COMPANY_FOLLOWED_BY_MEMBER", "CompanyFollowedByMember"}:
            raise ApiError(400, f"Unsupported edgeType {edge_type}")
        page = _page(path_urn(urn))
        return json_response({"firstDegreeSize": call.simulation().page_followers_now(page)})

    return run(request, "page.networkSize", handle, versioned=True)


def _intervals(call: Call, simulation: Simulation) -> list[tuple[date, date]]:
    """`timeIntervals=(timeRange:(start:ms,end:ms),timeGranularityType:DAY|WEEK|MONTH)` as
    [start, end) day spans with data, oldest first."""
    value = call.param("timeIntervals")
    if not isinstance(value, dict) or not isinstance(value.get("timeRange"), dict):
        raise ApiError(
            400, "timeIntervals must be (timeRange:(start:..,end:..),timeGranularityType:..)"
        )
    time_range = value["timeRange"]
    assert isinstance(time_range, dict)
    if "start" not in time_range:
        raise ApiError(400, "timeIntervals.timeRange.start is required")
    first = day_from_ms(time_range["start"], "timeRange.start")
    last_excluded = (
        day_from_ms(time_range["end"], "timeRange.end")
        if "end" in time_range
        else simulation.data_until + timedelta(days=1)
    )
    granularity = value.get("timeGranularityType", "DAY")
    steps: dict[Any, Callable[[date], date]] = {
        "DAY": lambda day: day + timedelta(days=1),
        "WEEK": lambda day: day + timedelta(days=7),
        "MONTH": _next_month,
    }
    if granularity not in steps:
        raise ApiError(400, f"Invalid timeGranularityType {granularity}")
    oldest = simulation.data_until - timedelta(days=PAGE_STATISTICS_DAYS - 1)
    spans = []
    day = first
    while day < last_excluded:
        following = min(steps[granularity](day), last_excluded)
        if day >= oldest and following <= simulation.data_until + timedelta(days=1):
            spans.append((day, following))
        day = steps[granularity](day)
    return spans


def _next_month(day: date) -> date:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    for candidate in (day.day, 28):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def _time_range(span: tuple[date, date]) -> dict[str, int]:
    return {"start": epoch_ms(start_of(span[0])), "end": epoch_ms(start_of(span[1]))}


# Lifetime follower facets: fixed shares of the total, varied a little by the seed.
FACETS: dict[str, tuple[str, list[str]]] = {
    "followerCountsBySeniority": (
        "seniority",
        [f"urn:li:seniority:{n}" for n in (3, 4, 5, 6, 7, 8)],
    ),
    "followerCountsByFunction": (
        "function",
        [f"urn:li:function:{n}" for n in (4, 8, 13, 15, 18, 25)],
    ),
    "followerCountsByIndustry": (
        "industry",
        [f"urn:li:industry:{n}" for n in (4, 6, 96, 104, 1810)],
    ),
    "followerCountsByStaffCountRange": (
        "staffCountRange",
        [
            "SIZE_2_TO_10",
            "SIZE_11_TO_50",
            "SIZE_51_TO_200",
            "SIZE_201_TO_500",
            "SIZE_10001_OR_MORE",
        ],
    ),
    "followerCountsByGeoCountry": (
        "geo",
        [
            "urn:li:geo:104514075",
            "urn:li:geo:105117694",
            "urn:li:geo:103819153",
            "urn:li:geo:101165590",
        ],
    ),
    "followerCountsByGeo": (
        "geo",
        [
            "urn:li:geo:102194656",
            "urn:li:geo:100817049",
            "urn:li:geo:106148617",
            "urn:li:geo:104853962",
        ],
    ),
}


def _split(total: int, buckets: int, rng: random.Random) -> list[int]:
    weights = [rng.uniform(0.5, 3.0) for _ in range(buckets)]
    shares = [int(total * weight / sum(weights)) for weight in weights]
    shares[0] += total - sum(shares)
    return shares


def _lifetime_followers(page: Page, total: int, seed: int) -> dict[str, Any]:
    rng = random.Random(f"{seed}:{page.page_id}:facets")  # noqa: S311
    element: dict[str, Any] = {
        "followerCountsByAssociationType": [
            {
                "followerCounts": {
                    "organicFollowerCount": min(total, page.admins.count() + rng.randint(10, 40)),
                    "paidFollowerCount": 0,
                },
                "associationType": "EMPLOYEE",
            }
        ],
        "organizationalEntity": page.urn,
    }
    for name, (facet, values) in FACETS.items():
        element[name] = [
            {
                "followerCounts": {"organicFollowerCount": count, "paidFollowerCount": 0},
                facet: value,
            }
            for value, count in zip(values, _split(total, len(values), rng), strict=True)
        ]
    return element


def _follower_statistics(call: Call) -> HttpResponse:
    _only_get(call)
    if call.scalar("q") != "organizationalEntity":
        raise ApiError(400, f"Unknown finder q={call.scalar('q')}")
    resource = "organizationalEntityFollowerStatistics"
    page = _administered_page(call, resource, "FINDER-organizationalEntity")
    simulation = call.simulation()
    if "timeIntervals" not in call.params:
        total = simulation.page_followers_now(page)
        return _analytics_answer([_lifetime_followers(page, total, call.app.seed)], call)
    elements = []
    for span in _intervals(call, simulation):
        gain = simulation.page_followers_on(
            page, span[1] - timedelta(days=1)
        ) - simulation.page_followers_on(page, span[0] - timedelta(days=1))
        elements.append(
            {
                "timeRange": _time_range(span),
                "followerGains": {"organicFollowerGain": gain, "paidFollowerGain": 0},
                "organizationalEntity": page.urn,
            }
        )
    return _analytics_answer(elements, call)


@csrf_exempt
def follower_statistics(request: HttpRequest) -> HttpResponse:
    """Lifetime follower facets, or daily/weekly/monthly gains with timeIntervals."""
    return run(request, "page.followerStatistics", _follower_statistics, versioned=True)


def _share_totals(simulation: Simulation, posts: list[Post], day: date) -> dict[str, int]:
    return {
        metric: sum(simulation.post_metric_on(post, metric, day) for post in posts)
        for metric in (
            "impressions",
            "members_reached",
            "reactions",
            "comments",
            "reshares",
            "clicks",
        )
    }


def _share_statistics_record(values: dict[str, int]) -> dict[str, Any]:
    impressions = values["impressions"]
    engaged = values["reactions"] + values["comments"] + values["reshares"] + values["clicks"]
    return {
        "uniqueImpressionsCount": values["members_reached"],
        "shareCount": values["reshares"],
        "shareMentionsCount": 0,
        "engagement": engaged / impressions if impressions else 0.0,
        "clickCount": values["clicks"],
        "likeCount": values["reactions"],
        "impressionCount": impressions,
        "commentMentionsCount": 0,
        "commentCount": values["comments"],
    }


def _share_statistics(call: Call) -> HttpResponse:
    _only_get(call)
    if call.scalar("q") != "organizationalEntity":
        raise ApiError(400, f"Unknown finder q={call.scalar('q')}")
    resource = "organizationalEntityShareStatistics"
    page = _administered_page(call, resource, "FINDER-organizationalEntity")
    simulation = call.simulation()
    posts = list(Post.objects.published().filter(page=page))
    selected: list[tuple[str, Post]] = []
    for parameter, key in (("shares", "share"), ("ugcPosts", "ugcPost")):
        if parameter in call.params:
            wanted = {str(urn) for urn in as_list(call.params[parameter])}
            selected += [(key, post) for post in posts if post.urn in wanted]
    groups: list[tuple[dict[str, Any], list[Post]]] = (
        [({key: post.urn}, [post]) for key, post in selected]
        if any(p in call.params for p in ("shares", "ugcPosts"))
        else [({}, posts)]
    )
    elements = []
    for label, members in groups:
        if "timeIntervals" not in call.params:
            values = _share_totals(simulation, members, simulation.data_until)
            elements.append(
                {
                    **label,
                    "totalShareStatistics": _share_statistics_record(values),
                    "organizationalEntity": page.urn,
                }
            )
            continue
        for span in _intervals(call, simulation):
            after = _share_totals(simulation, members, span[1] - timedelta(days=1))
            before = _share_totals(simulation, members, span[0] - timedelta(days=1))
            values = {metric: after[metric] - before[metric] for metric in after}
            elements.append(
                {
                    **label,
                    "timeRange": _time_range(span),
                    "totalShareStatistics": _share_statistics_record(values),
                    "organizationalEntity": page.urn,
                }
            )
    return _analytics_answer(elements, call)


@csrf_exempt
def share_statistics(request: HttpRequest) -> HttpResponse:
    """Organic statistics of the page's own posts: lifetime, per interval, or per post."""
    return run(request, "page.shareStatistics", _share_statistics, versioned=True)
