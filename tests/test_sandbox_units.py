"""The sandbox's pure parts: Rest.li query parsing, the truncation rule, the simulation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from advocacy.sandbox.little_text import MAX_LENGTH, kept_commentary
from advocacy.sandbox.restli import QuerySyntaxError, parse_query_string, parse_value
from advocacy.sandbox.simulation import Series, growth_fraction, post_outcome

# Rest.li -----------------------------------------------------------------------------------


def test_parses_records_unions_and_lists_with_encoded_scalars():
    params = parse_query_string(
        "q=entity&entity=(share:urn%3Ali%3Ashare%3A7301)&queryType=IMPRESSION"
        "&dateRange=(start:(day:1,month:3,year:2026),end:(day:31,month:3,year:2026))"
        "&shares=List(urn%3Ali%3Ashare%3A1,urn%3Ali%3Ashare%3A2)"
    )
    assert params["q"] == "entity"
    assert params["entity"] == {"share": "urn:li:share:7301"}
    assert params["dateRange"] == {
        "start": {"day": "1", "month": "3", "year": "2026"},
        "end": {"day": "31", "month": "3", "year": "2026"},
    }
    assert params["shares"] == ["urn:li:share:1", "urn:li:share:2"]


def test_top_level_scalars_are_decoded_once():
    params = parse_query_string("organizationalEntity=urn%3Ali%3Aorganization%3A2414183&x=a%2520b")
    assert params["organizationalEntity"] == "urn:li:organization:2414183"
    assert params["x"] == "a%20b"  # a double-encoded value stays encoded once: no second pass


def test_nested_time_intervals_and_empty_values():
    value = parse_value(
        "(timeRange:(start:1767225600000,end:1767830400000),timeGranularityType:DAY)"
    )
    assert value == {
        "timeRange": {"start": "1767225600000", "end": "1767830400000"},
        "timeGranularityType": "DAY",
    }
    assert parse_value("List()") == []
    assert parse_value("()") == {}
    assert parse_value("(a:'')") == {"a": ""}


@pytest.mark.parametrize(
    "raw",
    [
        "(share:urn:li:share:1)",  # a raw colon inside a record value
        "(a:1",  # unclosed
        "(a:1))",  # trailing
        "List(a,b",
        "(:1)",
        "(a(b):1)",
    ],
)
def test_rejects_what_linkedin_rejects(raw: str):
    with pytest.raises(QuerySyntaxError):
        parse_value(raw)


# Little text -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("Plain text stays whole.", "Plain text stays whole."),
        ("We met (finally) at the fair", "We met "),
        ("We met \\(finally\\) at the fair", "We met \\(finally\\) at the fair"),
        ("A #hashtag and #another2026 are markup", "A #hashtag and #another2026 are markup"),
        ("#employee_advocacy", "#employee"),  # the tag ends before _; the _ cuts
        ("Price: 5 * 3", "Price: 5 "),
        ("Mail ann@acme.example", "Mail ann"),
        (
            "Thanks @[Acme A/S](urn:li:organization:2414183)!",
            "Thanks @[Acme A/S](urn:li:organization:2414183)!",
        ),
        ("Hi @[Ann Berg](urn:li:person:m-ann) and <b>", "Hi @[Ann Berg](urn:li:person:m-ann) and "),
        ("See https://acme.example/a_b?(x)#frag now", "See https://acme.example/a_b?(x)#frag now"),
        ("www.acme.example/~ann is fine", "www.acme.example/~ann is fine"),
        ("A lone backslash \\ cuts", "A lone backslash "),
        ("Escaped backslash \\\\ stays", "Escaped backslash \\\\ stays"),
        ("Template {hashtag|\\#|events} ok", "Template {hashtag|\\#|events} ok"),
        ("Braces {x} cut", "Braces "),
        ("Tilde ~ and | pipe", "Tilde "),
        ("C# is not a tag", "C"),
    ],
)
def test_commentary_is_cut_at_the_first_unescaped_reserved_character(sent: str, kept: str):
    assert kept_commentary(sent) == kept


def test_commentary_is_cut_after_3000_characters_as_shown():
    assert kept_commentary("a" * 3100) == "a" * MAX_LENGTH
    escaped = "\\(" * 10 + "b" * (MAX_LENGTH - 10) + "tail"
    assert kept_commentary(escaped) == "\\(" * 10 + "b" * (MAX_LENGTH - 10)


# Simulation --------------------------------------------------------------------------------


def test_series_interpolates_linearly_rounds_half_up_and_holds_outside():
    series = Series({date(2026, 1, 1): 500, date(2026, 1, 5): 510, date(2026, 1, 9): 511})
    assert series.on(date(2025, 12, 1)) == 500
    assert series.on(date(2026, 1, 1)) == 500
    assert series.on(date(2026, 1, 2)) == 503  # 502.5 rounds up
    assert series.on(date(2026, 1, 3)) == 505
    assert series.on(date(2026, 1, 7)) == 511  # 510.5
    assert series.on(date(2026, 6, 1)) == 511
    assert Series({}).on(date(2026, 1, 1)) == 0


def test_growth_is_mostly_in_the_first_days_and_done_by_day_seven():
    assert growth_fraction(timedelta(0)) == 0
    assert growth_fraction(timedelta(hours=-1)) == 0
    assert 0.75 < growth_fraction(timedelta(days=2)) < 0.9
    assert 0.9 < growth_fraction(timedelta(days=3)) < 0.97
    assert growth_fraction(timedelta(days=7)) == 1
    assert growth_fraction(timedelta(days=30)) == 1
    steps = [growth_fraction(timedelta(hours=h)) for h in range(0, 24 * 8, 6)]
    assert steps == sorted(steps)


def test_post_outcomes_are_deterministic_in_seed_and_urn():
    first = post_outcome(seed=1, urn="urn:li:share:1", audience=800, company_content=True)
    assert first == post_outcome(seed=1, urn="urn:li:share:1", audience=800, company_content=True)
    assert first != post_outcome(seed=2, urn="urn:li:share:1", audience=800, company_content=True)
    assert first.impressions > first.members_reached > first.reactions >= first.comments
    assert first.author_followers >= 1
    assert first.page_followers >= 1
    other = post_outcome(seed=1, urn="urn:li:share:1", audience=800, company_content=False)
    assert other.page_followers == 0
