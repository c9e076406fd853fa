"""Rest.li encoding against the exact strings of linkedin-api.md (sections 6 and 7)."""

from __future__ import annotations

import datetime as dt
import enum
from urllib.parse import unquote

import pytest

from advocacy.linkedin.restli import (
    TimeRange,
    build_path,
    build_query,
    date_range,
    day_start,
    encode_path_key,
    encode_value,
    epoch_ms,
    time_intervals,
)


def test_post_analytics_entity_union_for_a_share() -> None:
    query = build_query(
        {
            "q": "entity",
            "entity": {"share": "urn:li:share:7301"},
            "queryType": "IMPRESSION",
            "aggregation": "TOTAL",
        }
    )
    assert query == (
        "q=entity&entity=(share:urn%3Ali%3Ashare%3A7301)&queryType=IMPRESSION&aggregation=TOTAL"
    )


def test_post_analytics_entity_union_for_a_ugc_post() -> None:
    assert build_query({"entity": {"ugc": "urn:li:ugcPost:99"}}) == (
        "entity=(ugc:urn%3Ali%3AugcPost%3A99)"
    )


def test_date_range_of_the_member_statistics() -> None:
    query = build_query(
        {
            "q": "me",
            "queryType": "REACTION",
            "aggregation": "DAILY",
            "dateRange": date_range(dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
        }
    )
    assert query == (
        "q=me&queryType=REACTION&aggregation=DAILY"
        "&dateRange=(start:(day:1,month:3,year:2026),end:(day:31,month:3,year:2026))"
    )


def test_date_range_of_the_follower_counts_is_year_first() -> None:
    query = build_query(
        {
            "q": "dateRange",
            "dateRange": date_range(dt.date(2026, 3, 1), dt.date(2026, 3, 8), year_first=True),
        }
    )
    assert query == (
        "q=dateRange&dateRange=(start:(year:2026,month:3,day:1),end:(year:2026,month:3,day:8))"
    )


def test_time_intervals_in_epoch_milliseconds() -> None:
    query = build_query({"timeIntervals": time_intervals(dt.date(2026, 1, 1), dt.date(2026, 1, 8))})
    assert query == (
        "timeIntervals=(timeRange:(start:1767225600000,end:1767830400000),timeGranularityType:DAY)"
    )


def test_time_intervals_take_other_granularities() -> None:
    value = time_intervals(dt.date(2026, 1, 1), dt.date(2026, 2, 1), "MONTH")
    assert encode_value(value).endswith(",timeGranularityType:MONTH)")


def test_network_size_path_and_query() -> None:
    path = build_path("rest", "networkSizes", key="urn:li:organization:2414183")
    query = build_query({"edgeType": "COMPANY_FOLLOWED_BY_MEMBER"})
    assert f"{path}?{query}" == (
        "/rest/networkSizes/urn%3Ali%3Aorganization%3A2414183?edgeType=COMPANY_FOLLOWED_BY_MEMBER"
    )


def test_organization_urn_as_a_plain_query_value() -> None:
    query = build_query(
        {"q": "organizationalEntity", "organizationalEntity": "urn:li:organization:2414183"}
    )
    assert query == (
        "q=organizationalEntity&organizationalEntity=urn%3Ali%3Aorganization%3A2414183"
    )


def test_share_statistics_lists_of_urns() -> None:
    query = build_query({"shares": ["urn:li:share:1"], "ugcPosts": ["urn:li:ugcPost:2", "x"]})
    assert query == "shares=List(urn%3Ali%3Ashare%3A1)&ugcPosts=List(urn%3Ali%3AugcPost%3A2,x)"


def test_path_urns_are_fully_encoded() -> None:
    assert encode_path_key("urn:li:share:123") == "urn%3Ali%3Ashare%3A123"
    assert (
        build_path("/rest/posts/", key="urn:li:share:123") == "/rest/posts/urn%3Ali%3Ashare%3A123"
    )
    # A slash inside a key must not open a new path segment.
    assert encode_path_key("urn:li:x:a/b") == "urn%3Ali%3Ax%3Aa%2Fb"


def test_path_without_key() -> None:
    assert build_path("rest", "posts") == "/rest/posts"
    assert build_path("v2", "userinfo") == "/v2/userinfo"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("abc123", "abc123"),
        ("", "''"),
        (123, "123"),
        (-4, "-4"),
        (1.5, "1.5"),
        (True, "true"),
        (False, "false"),
        ([1, 2, "foobar"], "List(1,2,foobar)"),
        ([], "List()"),
        ({}, "()"),
        (
            {"k1": "v1", "k2": "urn:li:app:123", "k3": [1, 2], "k4": {"k41": "foobar"}},
            "(k1:v1,k2:urn%3Ali%3Aapp%3A123,k3:List(1,2),k4:(k41:foobar))",
        ),
        ([{"k1": "v1"}, ["v2", " t?':,*!"]], "List((k1:v1),List(v2,%20t%3F%27%3A%2C%2A%21))"),
        ({"a": None, "b": 1}, "(b:1)"),
        (dt.date(2026, 3, 1), "(day:1,month:3,year:2026)"),
    ],
)
def test_values(value: object, expected: str) -> None:
    assert encode_value(value) == expected


def test_structural_characters_in_data_are_encoded() -> None:
    # Data that looks like Rest.li syntax must not be read as syntax.
    assert encode_value("List(a,b)") == "List%28a%2Cb%29"
    assert encode_value({"k": "(x:y)"}) == "(k:%28x%3Ay%29)"


def test_never_double_encoded() -> None:
    for raw in ("urn:li:share:1", "50%", "a b", "æøå", "a+b&c=d", "%3A"):
        encoded = encode_value(raw)
        # Decoding once gives the original back: one layer of encoding, no more.
        assert unquote(encoded) == raw
    assert encode_value("%3A") == "%253A"  # a literal percent sign is data, encoded once
    assert "%25" not in encode_value("urn:li:share:1")


def test_unicode_is_utf8_percent_encoded() -> None:
    assert encode_value("Blåbær") == "Bl%C3%A5b%C3%A6r"


def test_unreserved_characters_stay_raw() -> None:
    assert encode_value("a-b_c.d~e") == "a-b_c.d~e"


def test_keys_are_encoded_too() -> None:
    assert build_query({"a b": {"c:d": 1}}) == "a%20b=(c%3Ad:1)"


def test_none_parameters_are_left_out_and_order_kept() -> None:
    assert build_query({"z": 1, "a": None, "m": "x"}) == "z=1&m=x"


def test_enum_values() -> None:
    class Metric(enum.Enum):
        IMPRESSION = "IMPRESSION"

    class Count(enum.IntEnum):
        TEN = 10

    assert build_query({"queryType": Metric.IMPRESSION, "count": Count.TEN}) == (
        "queryType=IMPRESSION&count=10"
    )


def test_datetimes_are_epoch_milliseconds() -> None:
    moment = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert encode_value(moment) == "1767225600000"
    copenhagen = dt.timezone(dt.timedelta(hours=1))
    assert epoch_ms(dt.datetime(2026, 1, 1, 1, tzinfo=copenhagen)) == 1767225600000
    assert epoch_ms(dt.datetime(2026, 1, 1, 0, 0, 0, 1500, tzinfo=dt.UTC)) == 1767225600001


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        encode_value(dt.datetime(2026, 1, 1))


def test_time_range_record() -> None:
    value = TimeRange(day_start(dt.date(2026, 1, 1)), day_start(dt.date(2026, 1, 8)))
    assert encode_value(value) == "(start:1767225600000,end:1767830400000)"


def test_unknown_types_are_refused() -> None:
    with pytest.raises(TypeError, match=r"No Rest\.li encoding"):
        encode_value(object())
