"""Rest.li 2.0 encoding of URLs: URNs in paths, structured values in query strings.

LinkedIn reads query values in Rest.li's own syntax: records `(k:v,k2:(k3:v3))`, lists
`List(a,b)`, unions as one-key records `(share:urn...)`. The structural characters `( ) , :`
must reach LinkedIn raw, while every scalar inside is percent-encoded exactly once, so a URN's
`:` becomes `%3A` but the record's `:` does not. No URL library does that (they either leave
`:` alone everywhere or escape the parentheses too), hence these functions. They are pure: the
same Python value always gives the same string, which the tests compare to linkedin-api.md.

Python values map as follows:
- `str` → percent-encoded (RFC 3986 unreserved characters stay); `""` → `''` (Rest.li's empty
  string; otherwise `k:` would read as a missing value).
- `bool` → `true`/`false`; `int`/`float` → their decimal form; `Enum` → its value.
- `date` → `(day:D,month:M,year:Y)` (LinkedIn's Date record).
- `datetime` (aware) → epoch milliseconds, as every Rest.li time field.
- `TimeRange` → `(start:ms,end:ms)`.
- `Mapping` → record, keys in insertion order, `None` values left out.
- `list`/`tuple` → `List(...)`.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote


@dataclass(frozen=True)
class TimeRange:
    """A half-open interval of instants, sent as epoch milliseconds."""

    start: dt.datetime
    end: dt.datetime


def epoch_ms(moment: dt.datetime) -> int:
    """Milliseconds since the Unix epoch; a naive datetime is refused rather than guessed."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("Rest.li times need an aware datetime (UTC), not a naive one")
    return int(moment.timestamp() * 1000)


def day_start(day: dt.date) -> dt.datetime:
    """00:00 UTC of a day: LinkedIn's statistics days are UTC days."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def encode_scalar(value: str) -> str:
    """Percent-encode a string once, leaving only RFC 3986's unreserved characters raw."""
    if value == "":
        return "''"
    return quote(value, safe="")


def encode_value(value: Any) -> str:
    """One query value in Rest.li 2.0 syntax (see the module docstring for the mapping)."""
    # bool before int: True is an int in Python, but Rest.li wants `true`.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return encode_value(value.value)
    if isinstance(value, str):
        return encode_scalar(value)
    if isinstance(value, int | float):
        return encode_scalar(str(value))
    if isinstance(value, TimeRange):
        return encode_value({"start": value.start, "end": value.end})
    # datetime before date: a datetime is a date too.
    if isinstance(value, dt.datetime):
        return str(epoch_ms(value))
    if isinstance(value, dt.date):
        return encode_value({"day": value.day, "month": value.month, "year": value.year})
    if isinstance(value, Mapping):
        fields = (
            f"{encode_scalar(str(key))}:{encode_value(item)}"
            for key, item in value.items()
            if item is not None
        )
        return "(" + ",".join(fields) + ")"
    if isinstance(value, list | tuple):
        return "List(" + ",".join(encode_value(item) for item in value) + ")"
    raise TypeError(f"No Rest.li encoding for {type(value).__name__}: {value!r}")


def build_query(params: Mapping[str, Any]) -> str:
    """A query string (without `?`) from Python values; parameters that are `None` are left out.

    Parameter order is kept, so the URL a test expects is the URL that is sent.
    """
    return "&".join(
        f"{encode_scalar(name)}={encode_value(value)}"
        for name, value in params.items()
        if value is not None
    )


def encode_path_key(key: str) -> str:
    """A URN (or any key) as one path segment: fully percent-encoded, `/` and `:` included."""
    return quote(key, safe="")


def build_path(*segments: str, key: str | None = None) -> str:
    """`/rest/posts` plus an optional encoded key: `/rest/posts/urn%3Ali%3Ashare%3A1`.

    The fixed segments are written by this code and stay as given; only `key`, which comes
    from data, is encoded.
    """
    path = "/" + "/".join(segment.strip("/") for segment in segments)
    if key is not None:
        path += "/" + encode_path_key(key)
    return path


def date_range(
    start: dt.date, end: dt.date, *, year_first: bool = False
) -> dict[str, dt.date | dict[str, int]]:
    """The `dateRange` record LinkedIn's member statistics take.

    LinkedIn writes the Date record day first for post analytics and year first for follower
    counts (linkedin-api.md 6.1, 6.2). Rest.li reads either order; each endpoint gets the one
    its documentation shows, so the URL sent is the URL documented.
    """
    if not year_first:
        return {"start": start, "end": end}
    return {
        "start": {"year": start.year, "month": start.month, "day": start.day},
        "end": {"year": end.year, "month": end.month, "day": end.day},
    }


def time_intervals(start: dt.date, end: dt.date, granularity: str = "DAY") -> dict[str, object]:
    """The `timeIntervals` record of the organization statistics: UTC days as epoch ms."""
    return {
        "timeRange": TimeRange(day_start(start), day_start(end)),
        "timeGranularityType": granularity,
    }
