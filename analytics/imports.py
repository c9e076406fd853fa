"""Figures without LinkedIn's analytics permissions: LinkedIn's own export, or a number typed in.

A self-serve LinkedIn app may publish but not read figures back (linkedin-api.md 11). A member
can still download their analytics from LinkedIn (an .xlsx workbook) and import it here, or type
their follower count. `read_export` reads the workbook into plain values and refuses anything
that is not LinkedIn's export, saying what was expected; `import_export` writes what it holds
in one transaction; `enter_followers` stores a typed count. docs/analytics.md describes the
format accepted.

Where a figure measured through the API and an imported or entered one fall on the same day for
the same member or post, the API's wins: it is never overwritten here, and a collection that
comes later replaces what was imported.
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import IO, Any
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from advocacy.tenancy.models import Membership, Organization
from content.models import Post

from .models import MemberFollowers, PostMetrics, Source
from .rollups import POST_FIGURES, days_of_posts, recompute_days, today_of, zone_of

MAX_FILE_BYTES = 5 * 1024 * 1024
# A workbook is a zip: what it unpacks to is bounded too, so a small file cannot fill memory.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
# LinkedIn exports at most 365 days; the rest is room for a heading or a leap year.
MAX_FOLLOWER_ROWS = 400
# LinkedIn lists at most 50 posts in each of the two tables of TOP POSTS.
MAX_POST_ROWS = 100
# Headings and the "Total followers" line come before the tables, within these rows.
HEADER_SEARCH_ROWS = 15
MAX_COLUMNS = 30
# A typed count older than this is more likely a slip than a memory.
ENTRY_MAX_AGE = timedelta(days=365)
MAX_FOLLOWERS = 100_000_000
# What the figure columns hold at most (PostgreSQL's integer).
MAX_FIGURE = 2_147_483_647
# LinkedIn's dates are the member's, the organization's day may be behind by up to a day.
FUTURE_TOLERANCE = timedelta(days=1)
EARLIEST_DAY = date(2003, 5, 5)  # LinkedIn's launch

SHEETS_OF_THE_EXPORT = ("DISCOVERY", "ENGAGEMENT", "TOP POSTS", "FOLLOWERS", "DEMOGRAPHICS")
REQUIRED_SHEETS = ("FOLLOWERS", "TOP POSTS")

# Heading spellings seen or plausible, normalized (see _norm) → the column they name.
FOLLOWER_COLUMNS = {
    "date": "date",
    "day": "date",
    "new followers": "new_followers",
    "new follower": "new_followers",
    "followers gained": "new_followers",
}
POST_COLUMNS = {
    "post url": "url",
    "post link": "url",
    "url": "url",
    "post publish date": "published_on",
    "post published date": "published_on",
    "publish date": "published_on",
    "published date": "published_on",
    "post date": "published_on",
    "engagements": "engagements",
    "engagement": "engagements",
    "impressions": "impressions",
    "impression": "impressions",
}
POST_METRICS = ("engagements", "impressions")

URN_IN_URL = re.compile(r"urn:li:(share|ugcPost|activity):(\d+)", re.IGNORECASE)
ACTIVITY_IN_SLUG = re.compile(r"activity-(\d{6,})")
US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
PERIOD = re.compile(r"(\d{1,2}/\d{1,2}/\d{4})\s*[-\u2013\u2014]\s*(\d{1,2}/\d{1,2}/\d{4})")
# "Total followers on 3/31/2026:" with the number in the next cell, or after the colon.
TOTAL_FOLLOWERS = re.compile(r"^total followers on\s+([^\s:]+)\s*(?::\s*(\S.*))?$")


class ImportRefused(Exception):
    """The file is not LinkedIn's analytics export, or holds something it never holds.

    The message says what was expected, in words the member can act on. Nothing was written.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ExportedPost:
    """One post of TOP POSTS, both of its tables merged."""

    url: str
    urn: str  # the URN the URL names, "" when it names none
    published_on: date
    impressions: int | None
    engagements: int | None
    where: str  # the cell it was read from, for messages

    @property
    def names_own_urn(self) -> bool:
        """The URL names the post's share or ugcPost URN (what the platform stores), not the
        activity that carries it."""
        return bool(self.urn) and not self.urn.startswith("urn:li:activity:")


@dataclass(frozen=True)
class ParsedExport:
    """What LinkedIn's export says, as plain values."""

    followers_on: date
    followers_total: int
    new_followers: dict[date, int | None]
    # The followers at the end of each day that can be told from the above: the total, less
    # (or plus) the new followers of the days between. A day whose new followers are missing
    # breaks the chain: the days beyond it are missing, never guessed.
    daily_followers: dict[date, int]
    missing_days: list[date]
    posts: list[ExportedPost]
    period_start: date | None = None
    period_end: date | None = None

    @property
    def as_of(self) -> date:
        """The day the posts' figures stand at: the end of the export's period."""
        return self.period_end or self.followers_on


@dataclass
class ImportResult:
    followers_written: int = 0
    followers_unchanged: int = 0
    # Days on which a figure measured through the API stands.
    followers_kept: list[date] = field(default_factory=list)
    missing_days: list[date] = field(default_factory=list)
    posts_written: int = 0
    posts_unchanged: int = 0
    posts_kept: int = 0
    # Rows of TOP POSTS that were not imported, each with why.
    posts_left_out: list[tuple[ExportedPost, str]] = field(default_factory=list)
    days_recomputed: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.followers_written or self.posts_written)


# Reading ------------------------------------------------------------------------------------


def read_export(file: IO[bytes]) -> ParsedExport:
    """Read LinkedIn's member analytics export (.xlsx) into plain values.

    Raises ImportRefused, saying what was expected, for a file that is not that export: another
    kind of file, a workbook without the FOLLOWERS and TOP POSTS sheets, headings it does not
    know, a date or number it cannot read, a negative number, too many rows, or a damaged file.
    """
    data = file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ImportRefused(
            _("The file is larger than %(limit)s MB; LinkedIn's analytics export is far smaller.")
            % {"limit": MAX_FILE_BYTES // 1024 // 1024}
        )
    if not data.startswith(b"PK\x03\x04"):
        raise ImportRefused(
            _(
                "This is not an Excel workbook (.xlsx). Import the file LinkedIn gives you under "
                "Analytics → Export, as it is; a CSV or a copy saved in another format will not "
                "do."
            )
        )
    _check_unpacked_size(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        # openpyxl raises whatever the damaged part makes its parsers raise.
        raise ImportRefused(
            _(
                "The workbook cannot be read: it may be damaged or not an Excel workbook. "
                "Download the export from LinkedIn again and import it unchanged."
            )
        ) from None
    try:
        sheets = {_norm(name): workbook[name] for name in workbook.sheetnames}
        missing = [name for name in REQUIRED_SHEETS if _norm(name) not in sheets]
        if missing:
            raise ImportRefused(
                _(
                    "This is not LinkedIn's analytics export: it has no sheet %(missing)s. "
                    "LinkedIn's export has the sheets %(expected)s; this file has %(found)s."
                )
                % {
                    "missing": _and(f"“{name}”" for name in missing),
                    "expected": _and(SHEETS_OF_THE_EXPORT),
                    "found": _and(f"“{name}”" for name in workbook.sheetnames),
                }
            )
        period = _read_period(sheets["discovery"]) if "discovery" in sheets else None
        followers_on, total, new_followers = _read_followers(sheets["followers"])
        posts = _read_posts(sheets["top posts"])
    except ImportRefused:
        raise
    except Exception:
        raise ImportRefused(
            _(
                "The workbook cannot be read: it may be damaged. Download the export from "
                "LinkedIn again and import it unchanged."
            )
        ) from None
    finally:
        workbook.close()
    daily, missing_days = daily_totals(followers_on, total, new_followers)
    return ParsedExport(
        followers_on=followers_on,
        followers_total=total,
        new_followers=new_followers,
        daily_followers=daily,
        missing_days=missing_days,
        posts=posts,
        period_start=period[0] if period else None,
        period_end=period[1] if period else None,
    )


def daily_totals(
    on: date, total: int, new_followers: dict[date, int | None]
) -> tuple[dict[date, int], list[date]]:
    """The followers at the end of each day, from the total on `on` and the new followers of
    each day, and the days of the table that cannot be told (a missing day on the way).

    The end of day d-1 is the end of day d less d's new followers; the end of day d+1 is the
    end of day d plus d+1's.
    """
    totals = {on: total}
    if new_followers:
        first, last = min(new_followers), max(new_followers)
        running, day = total, on
        while day > first:
            gained = new_followers.get(day)
            if gained is None:
                break
            running -= gained
            day -= timedelta(days=1)
            if running < 0:
                raise ImportRefused(
                    _(
                        "The sheet FOLLOWERS does not add up: %(total)s followers on %(on)s "
                        "less the new followers of the days before leaves fewer than none on "
                        "%(day)s."
                    )
                    % {"total": total, "on": _us(on), "day": _us(day)}
                )
            totals[day] = running
        running, day = total, on
        while day < last:
            gained = new_followers.get(day + timedelta(days=1))
            if gained is None:
                break
            running += gained
            day += timedelta(days=1)
            totals[day] = running
        missing = sorted(day for day in _days(first, last) if day not in totals)
    else:
        missing = []
    return dict(sorted(totals.items())), missing


def _check_unpacked_size(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ImportRefused(
            _(
                "The file is damaged or not an Excel workbook (.xlsx). Download the export from "
                "LinkedIn again and import it unchanged."
            )
        ) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportRefused(
            _("The workbook unpacks to more than %(limit)s MB; LinkedIn's export is far smaller.")
            % {"limit": MAX_UNPACKED_BYTES // 1024 // 1024}
        )


def _rows(sheet: Any, limit: int) -> list[tuple[int, tuple[Any, ...]]]:
    """The sheet's rows (numbered from 1) up to `limit`; more rows with something in them are
    refused, trailing empty ones ignored."""
    rows: list[tuple[int, tuple[Any, ...]]] = []
    for number, values in enumerate(
        sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1
    ):
        if number > limit:
            if any(_filled(value) for value in values):
                raise ImportRefused(
                    _(
                        "The sheet %(sheet)s has more than %(limit)s rows; LinkedIn's export "
                        "never has that many."
                    )
                    % {"sheet": sheet.title, "limit": limit}
                )
            break
        rows.append((number, tuple(values)))
    return rows


def _read_period(sheet: Any) -> tuple[date, date] | None:
    """The export's period, from DISCOVERY's first lines ("3/1/2026 - 3/31/2026"), if there."""
    for _number, values in _rows(sheet, HEADER_SEARCH_ROWS):
        for value in values:
            if isinstance(value, str) and (found := PERIOD.search(value)):
                start, end = _us_date(found.group(1)), _us_date(found.group(2))
                if start and end and start <= end:
                    return start, end
    return None


def _read_followers(sheet: Any) -> tuple[date, int, dict[date, int | None]]:
    rows = _rows(sheet, HEADER_SEARCH_ROWS + MAX_FOLLOWER_ROWS)
    total_line = _find_total_followers(sheet, rows[:HEADER_SEARCH_ROWS])
    if total_line is None:
        raise ImportRefused(
            _(
                "The sheet FOLLOWERS has no line “Total followers on <M/D/YYYY>:” with the number "
                "of followers beside it, as LinkedIn's export has at its top."
            )
        )
    on, total = total_line
    header_at, columns = _find_header(
        sheet,
        rows[:HEADER_SEARCH_ROWS],
        FOLLOWER_COLUMNS,
        start_with="date",
        expected=_("Date and New followers"),
    )
    if set(columns.values()) != {"date", "new_followers"} or len(columns) != 2:
        raise ImportRefused(
            _(
                "The sheet FOLLOWERS should have the columns Date and New followers; it has "
                "%(found)s."
            )
            % {"found": _and(f"“{heading}”" for heading in _headings(rows, header_at))}
        )
    by_name = {name: index for index, name in columns.items()}
    new_followers: dict[date, int | None] = {}
    for number, values in rows:
        if number <= header_at or not any(_filled(value) for value in values):
            continue
        day_cell = _cell(values, by_name["date"])
        gained_cell = _cell(values, by_name["new_followers"])
        where = _where(sheet, by_name["date"], number)
        if not _filled(day_cell):
            raise ImportRefused(
                _("The row %(row)s of the sheet FOLLOWERS has no date.") % {"row": number}
            )
        day = _date(sheet, by_name["date"], number, day_cell)
        if day in new_followers:
            raise ImportRefused(
                _("The date %(day)s appears twice in the sheet FOLLOWERS (again at %(cell)s).")
                % {"day": _us(day), "cell": where}
            )
        new_followers[day] = _count(sheet, by_name["new_followers"], number, gained_cell)
    return on, total, new_followers


def _find_total_followers(
    sheet: Any, rows: Sequence[tuple[int, tuple[Any, ...]]]
) -> tuple[date, int] | None:
    for number, values in rows:
        for index, value in enumerate(values):
            if not isinstance(value, str):
                continue
            found = TOTAL_FOLLOWERS.match(_norm(value))
            if not found:
                continue
            on = _us_date(found.group(1)) or _iso_date(found.group(1))
            if on is None:
                raise ImportRefused(
                    _(
                        "The cell %(cell)s of the sheet %(sheet)s says “%(value)s”: the date in "
                        "it cannot be read (expected M/D/YYYY, like 3/14/2026)."
                    )
                    % {"cell": _where(sheet, index, number), "sheet": sheet.title, "value": value}
                )
            if found.group(2):
                return on, _required_count(sheet, index, number, found.group(2))
            for later in range(index + 1, len(values)):
                if _filled(values[later]):
                    return on, _required_count(sheet, later, number, values[later])
            raise ImportRefused(
                _("The cell %(cell)s of the sheet %(sheet)s has no number of followers beside it.")
                % {"cell": _where(sheet, index, number), "sheet": sheet.title}
            )
    return None


def _find_header(
    sheet: Any,
    rows: Sequence[tuple[int, tuple[Any, ...]]],
    known: dict[str, str],
    *,
    start_with: str,
    expected: str,
) -> tuple[int, dict[int, str]]:
    """The heading row (the first with a `start_with` column) and its columns by position;
    a heading it does not know is refused."""
    for number, values in rows:
        names = [known.get(_norm(value)) if _filled(value) else None for value in values]
        if start_with not in names:
            continue
        columns: dict[int, str] = {}
        for index, (value, name) in enumerate(zip(values, names, strict=True)):
            if not _filled(value):
                continue
            if name is None:
                raise ImportRefused(
                    _(
                        "The sheet %(sheet)s has a column “%(heading)s” (%(cell)s) that "
                        "LinkedIn's export does not have: expected %(expected)s."
                    )
                    % {
                        "sheet": sheet.title,
                        "heading": str(value).strip(),
                        "cell": _where(sheet, index, number),
                        "expected": expected,
                    }
                )
            columns[index] = name
        return number, columns
    raise ImportRefused(
        _("The sheet %(sheet)s has no row of headings: expected %(expected)s.")
        % {"sheet": sheet.title, "expected": expected}
    )


def _headings(rows: Sequence[tuple[int, tuple[Any, ...]]], at: int) -> list[str]:
    return [
        str(value).strip()
        for number, values in rows
        if number == at
        for value in values
        if _filled(value)
    ]


def _read_posts(sheet: Any) -> list[ExportedPost]:
    rows = _rows(sheet, HEADER_SEARCH_ROWS + MAX_POST_ROWS)
    expected = _(
        "Post URL, Post publish date and Engagements, then Post URL, Post publish date and "
        "Impressions"
    )
    header_at, columns = _find_header(
        sheet, rows[:HEADER_SEARCH_ROWS], POST_COLUMNS, start_with="url", expected=expected
    )
    tables = _split_tables(sheet, header_at, columns, expected)
    merged: dict[str, dict[str, Any]] = {}
    for table in tables:
        seen: set[str] = set()
        for number, values in rows:
            if number <= header_at:
                continue
            cells = {name: _cell(values, index) for name, index in table.items()}
            if not any(_filled(value) for value in cells.values()):
                continue  # the two tables need not be as long as each other
            url_at = table["url"]
            url = _post_url(sheet, url_at, number, cells["url"])
            key = url.rstrip("/").casefold()
            if key in seen:
                raise ImportRefused(
                    _(
                        "The post %(url)s appears twice in one table of TOP POSTS (again at "
                        "%(cell)s)."
                    )
                    % {"url": url, "cell": _where(sheet, url_at, number)}
                )
            seen.add(key)
            date_at = table["published_on"]
            if not _filled(cells["published_on"]):
                raise ImportRefused(
                    _("The cell %(cell)s of the sheet TOP POSTS has no publish date.")
                    % {"cell": _where(sheet, date_at, number)}
                )
            published_on = _date(sheet, date_at, number, cells["published_on"])
            entry = merged.setdefault(
                key,
                {
                    "url": url,
                    "published_on": published_on,
                    "where": _where(sheet, url_at, number),
                    "impressions": None,
                    "engagements": None,
                },
            )
            if entry["published_on"] != published_on:
                raise ImportRefused(
                    _(
                        "The post %(url)s has two publish dates in TOP POSTS: %(one)s and "
                        "%(other)s (%(cell)s)."
                    )
                    % {
                        "url": url,
                        "one": _us(entry["published_on"]),
                        "other": _us(published_on),
                        "cell": _where(sheet, date_at, number),
                    }
                )
            for metric in POST_METRICS:
                if metric in table:
                    entry[metric] = _count(sheet, table[metric], number, cells[metric])
    return [
        ExportedPost(urn=_urn_of(entry["url"]), **entry)
        for entry in sorted(
            merged.values(), key=lambda entry: (entry["published_on"], entry["url"])
        )
    ]


def _split_tables(
    sheet: Any, header_at: int, columns: dict[int, str], expected: str
) -> list[dict[str, int]]:
    """TOP POSTS puts its tables side by side: each begins at a Post URL column."""
    tables: list[dict[str, int]] = []
    for index in sorted(columns):
        name = columns[index]
        if name == "url":
            tables.append({})
        elif not tables:
            break  # a heading before the first Post URL: refused below
        if name in tables[-1]:
            raise ImportRefused(
                _(
                    "The sheet TOP POSTS has the column %(cell)s twice in one table: expected "
                    "%(expected)s."
                )
                % {"cell": _where(sheet, index, header_at), "expected": expected}
            )
        tables[-1][name] = index
    if not tables:
        raise ImportRefused(
            _("The sheet TOP POSTS should begin its tables with Post URL: expected %(expected)s.")
            % {"expected": expected}
        )
    for table in tables:
        if "published_on" not in table or not any(metric in table for metric in POST_METRICS):
            raise ImportRefused(
                _(
                    "A table of the sheet TOP POSTS (from %(cell)s) lacks its publish date or its "
                    "Engagements or Impressions: expected %(expected)s."
                )
                % {"cell": _where(sheet, table["url"], header_at), "expected": expected}
            )
    return tables


def _post_url(sheet: Any, column: int, row: int, value: Any) -> str:
    url = str(value).strip() if _filled(value) else ""
    host = (urlsplit(url).hostname or "").casefold() if url else ""
    if not url.casefold().startswith(("https://", "http://")) or not (
        host == "linkedin.com" or host.endswith(".linkedin.com")
    ):
        raise ImportRefused(
            _(
                "The cell %(cell)s of the sheet %(sheet)s holds “%(value)s”, not the address of a "
                "post on LinkedIn (like https://www.linkedin.com/feed/update/urn:li:activity:…)."
            )
            % {
                "cell": _where(sheet, column, row),
                "sheet": sheet.title,
                "value": _short(value),
            }
        )
    return url


def _urn_of(url: str) -> str:
    decoded = unquote(url)
    found = URN_IN_URL.search(decoded)
    if found:
        kind = {"share": "share", "ugcpost": "ugcPost", "activity": "activity"}[
            found.group(1).casefold()
        ]
        return f"urn:li:{kind}:{found.group(2)}"
    slug = ACTIVITY_IN_SLUG.search(decoded)
    return f"urn:li:activity:{slug.group(1)}" if slug else ""


def _date(sheet: Any, column: int, row: int, value: Any) -> date:
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, str):
        text = value.strip()
        parsed = _us_date(text) if US_DATE.fullmatch(text) else None
        if parsed is None and ISO_DATE.fullmatch(text):
            parsed = _iso_date(text)
        if parsed is None:
            raise _bad_date(sheet, column, row, value)
        day = parsed
    else:
        raise _bad_date(sheet, column, row, value)
    if day < EARLIEST_DAY:
        raise _bad_date(sheet, column, row, value)
    return day


def _bad_date(sheet: Any, column: int, row: int, value: Any) -> ImportRefused:
    return ImportRefused(
        _(
            "The cell %(cell)s of the sheet %(sheet)s holds “%(value)s”, not a date (expected "
            "M/D/YYYY, like 3/14/2026)."
        )
        % {"cell": _where(sheet, column, row), "sheet": sheet.title, "value": _short(value)}
    )


def _us_date(text: str) -> date | None:
    found = US_DATE.fullmatch(text.strip())
    if not found:
        return None
    month, day, year = (int(part) for part in found.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _required_count(sheet: Any, column: int, row: int, value: Any) -> int:
    number = _count(sheet, column, row, value)
    if number is None:
        raise _bad_count(sheet, column, row, value)
    return number


def _count(sheet: Any, column: int, row: int, value: Any) -> int | None:
    """A whole number of zero or more; an empty cell is None (missing), never 0."""
    if not _filled(value):
        return None
    if isinstance(value, bool):
        raise _bad_count(sheet, column, row, value)
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise _bad_count(sheet, column, row, value)
        number = int(value)
    elif isinstance(value, str):
        text = re.sub(r"[\s\u00a0,]", "", value)
        if not re.fullmatch(r"-?\d+", text):
            raise _bad_count(sheet, column, row, value)
        number = int(text)
    else:
        raise _bad_count(sheet, column, row, value)
    if number < 0:
        raise ImportRefused(
            _(
                "The cell %(cell)s of the sheet %(sheet)s holds %(value)s: LinkedIn's figures are "
                "never negative."
            )
            % {"cell": _where(sheet, column, row), "sheet": sheet.title, "value": number}
        )
    if number > MAX_FIGURE:
        raise _bad_count(sheet, column, row, value)
    return number


def _bad_count(sheet: Any, column: int, row: int, value: Any) -> ImportRefused:
    return ImportRefused(
        _(
            "The cell %(cell)s of the sheet %(sheet)s holds “%(value)s”, not a whole number of "
            "zero or more."
        )
        % {"cell": _where(sheet, column, row), "sheet": sheet.title, "value": _short(value)}
    )


def _norm(value: Any) -> str:
    """A heading or sheet name as compared: case, spacing and a trailing colon aside."""
    text = str(value).replace("\u00a0", " ")
    text = re.sub(r"[\s_]+", " ", text).strip().casefold()
    return text.removesuffix(":").strip()


def _filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _cell(values: tuple[Any, ...], index: int) -> Any:
    return values[index] if index < len(values) else None


def _where(sheet: Any, column: int, row: int) -> str:
    return f"{get_column_letter(column + 1)}{row}"


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _us(day: date) -> str:
    return f"{day.month}/{day.day}/{day.year}"


def _and(items: Iterable[str]) -> str:
    return ", ".join(items)


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


# Writing ------------------------------------------------------------------------------------


def import_export(*, membership: Membership, parsed: ParsedExport) -> ImportResult:
    """Write an export's figures as the member's own: followers per day, and the impressions
    of the member's posts that the export's rows can be matched to.

    One transaction: a refusal (ImportRefused) writes nothing. Figures measured through the API
    on the same day stand; a row that is already as the export says is left alone, so
    importing the same file twice changes nothing. Engagements are not written: LinkedIn's
    export does not split them into reactions, comments and reshares. The rollups of the days
    that changed are recomputed after the commit.
    """
    organization = membership.organization
    today = today_of(organization)
    latest = max(
        [
            *parsed.daily_followers,
            *parsed.new_followers,
            *(post.published_on for post in parsed.posts),
        ]
    )
    if latest > today + FUTURE_TOLERANCE:
        raise ImportRefused(
            _("The export has figures for %(day)s, which is still to come.") % {"day": _us(latest)}
        )
    result = ImportResult(missing_days=list(parsed.missing_days))
    now = timezone.now()
    try:
        with transaction.atomic():
            follower_days = _write_followers(membership, parsed, result, now)
            post_ids = _write_posts(membership, parsed, result, now)
            if result.changed:
                # A member's followers carry forward in the rollups until their next figure.
                days = set(follower_days)
                if follower_days:
                    days |= set(_days(min(follower_days), today))
                days |= days_of_posts(organization, post_ids)
                result.days_recomputed = len(days)
                _recompute_after_commit(organization, days)
    except IntegrityError:
        # Most likely LinkedIn's figures of one of these days were being collected at this
        # very moment; the whole import was rolled back.
        raise ImportRefused(
            _("Figures arrived from LinkedIn while the file was imported: import it again.")
        ) from None
    return result


def _write_followers(
    membership: Membership, parsed: ParsedExport, result: ImportResult, now: datetime
) -> list[date]:
    organization = membership.organization
    existing = {
        row.day: row
        for row in MemberFollowers.objects.for_org(organization)
        .select_for_update()
        .filter(membership=membership, day__in=list(parsed.daily_followers))
    }
    created: list[MemberFollowers] = []
    changed: list[MemberFollowers] = []
    for day, followers in parsed.daily_followers.items():
        row = existing.get(day)
        if row is None:
            created.append(
                MemberFollowers(
                    organization=organization,
                    membership=membership,
                    day=day,
                    followers=followers,
                    source=Source.IMPORTED,
                )
            )
        elif row.source == Source.API:
            result.followers_kept.append(day)
        elif row.followers == followers and row.source == Source.IMPORTED:
            result.followers_unchanged += 1
        else:
            row.followers, row.source, row.collected_at = followers, Source.IMPORTED, now
            changed.append(row)
    MemberFollowers.objects.for_org(organization).bulk_create(created)
    MemberFollowers.objects.for_org(organization).bulk_update(
        changed, ["followers", "source", "collected_at"]
    )
    result.followers_written = len(created) + len(changed)
    return sorted([row.day for row in created] + [row.day for row in changed])


def _write_posts(
    membership: Membership, parsed: ParsedExport, result: ImportResult, now: datetime
) -> set[int]:
    """The impressions of matched posts as of the export's last day; returns the posts whose
    figures changed."""
    organization = membership.organization
    day = parsed.as_of
    matched = _match_posts(membership, parsed.posts)
    wanted: dict[int, tuple[Post, int]] = {}
    for exported, post, reason in matched:
        if post is None:
            result.posts_left_out.append((exported, reason))
        elif exported.impressions is None:
            result.posts_left_out.append(
                (exported, _("the export gives its engagements only, not its impressions"))
            )
        elif parsed.period_start and exported.published_on < parsed.period_start:
            result.posts_left_out.append(
                (
                    exported,
                    _(
                        "it was published before the export's period, so its figures would "
                        "cover only part of its life"
                    ),
                )
            )
        elif _local_day(organization, post) > day:
            result.posts_left_out.append(
                (exported, _("it was published after the export's period"))
            )
        else:
            wanted[post.pk] = (post, exported.impressions)
    if not wanted:
        return set()
    existing = {
        row.post_id: row
        for row in PostMetrics.objects.for_org(organization)
        .select_for_update()
        .filter(post_id__in=list(wanted), day=day)
    }
    created: list[PostMetrics] = []
    changed: list[PostMetrics] = []
    standing: dict[int, int] = {}
    for post_id, (_post, impressions) in wanted.items():
        row = existing.get(post_id)
        if row is not None and row.source == Source.API:
            result.posts_kept += 1
            continue
        standing[post_id] = impressions
        if row is None:
            created.append(
                PostMetrics(
                    organization=organization,
                    post_id=post_id,
                    day=day,
                    impressions=impressions,
                    source=Source.IMPORTED,
                )
            )
        elif row.source == Source.IMPORTED and _figures(row) == _imported_figures(impressions):
            result.posts_unchanged += 1
        else:
            for name, value in _imported_figures(impressions).items():
                setattr(row, name, value)
            row.source, row.collected_at = Source.IMPORTED, now
            changed.append(row)
    PostMetrics.objects.for_org(organization).bulk_create(created)
    PostMetrics.objects.for_org(organization).bulk_update(
        changed, [*POST_FIGURES, "source", "collected_at"]
    )
    result.posts_written = len(created) + len(changed)
    # The post's latest values follow the import only where nothing later was collected.
    newer = set(
        PostMetrics.objects.for_org(organization)
        .filter(post_id__in=list(standing), day__gt=day)
        .values_list("post_id", flat=True)
    )
    updated: list[Post] = []
    for post_id, impressions in standing.items():
        post = wanted[post_id][0]
        if post_id not in newer and post.impressions != impressions:
            post.impressions, post.metrics_updated_at = impressions, now
            updated.append(post)
    Post.objects.for_org(organization).bulk_update(updated, ["impressions", "metrics_updated_at"])
    return {row.post_id for row in created} | {row.post_id for row in changed}


def _imported_figures(impressions: int) -> dict[str, int | None]:
    figures: dict[str, int | None] = dict.fromkeys(POST_FIGURES)
    figures["impressions"] = impressions
    return figures


def _figures(row: PostMetrics) -> dict[str, int | None]:
    return {name: getattr(row, name) for name in POST_FIGURES}


def _local_day(organization: Organization, post: Post) -> date:
    assert post.published_at is not None
    return timezone.localtime(post.published_at, zone_of(organization)).date()


def _match_posts(
    membership: Membership, exported: Sequence[ExportedPost]
) -> list[tuple[ExportedPost, Post | None, str]]:
    """Each row of TOP POSTS with the member's post it is, or None and why not.

    By URN when the URL names the post's own share or ugcPost URN. Otherwise (LinkedIn's
    export names the activity, which the platform never learns) by the member's post
    published through the platform on the row's publish date, when exactly one exists and no
    other row of that date claims it. Nothing is guessed.
    """
    organization = membership.organization
    posts = Post.objects.for_org(organization).filter(
        author=membership, status=Post.Status.PUBLISHED, published_at__isnull=False
    )
    urns = [row.urn for row in exported if row.names_own_urn]
    # Any status: a post deleted here is told apart from one the platform never published.
    by_urn = (
        {
            post.linkedin_urn.casefold(): post
            for post in Post.objects.for_org(organization)
            .filter(author=membership, linkedin_urn__in=urns)
            .select_for_update()
        }
        if urns
        else {}
    )
    dated = [row for row in exported if not row.names_own_urn]
    by_day: dict[date, list[Post]] = defaultdict(list)
    if dated:
        days = {row.published_on for row in dated}
        zone = zone_of(organization)
        on_days: Iterable[Any] = (
            posts.annotate(local_day=TruncDate("published_at", tzinfo=zone))
            .filter(local_day__in=days)
            .order_by("published_at")
            .select_for_update()
        )
        for post in on_days:
            by_day[post.local_day].append(post)
    claimed = {post.pk for post in by_urn.values() if post.status == Post.Status.PUBLISHED}
    rows_per_day: dict[date, int] = defaultdict(int)
    for row in dated:
        rows_per_day[row.published_on] += 1
    matches: list[tuple[ExportedPost, Post | None, str]] = []
    for row in exported:
        if row.names_own_urn:
            own: Post | None = by_urn.get(row.urn.casefold())
            if own is None:
                matches.append((row, None, _("it is not a post published through the platform")))
            elif own.status != Post.Status.PUBLISHED:
                matches.append((row, None, _("you deleted it on the platform")))
            else:
                matches.append((row, own, ""))
            continue
        candidates = [post for post in by_day.get(row.published_on, []) if post.pk not in claimed]
        if not candidates:
            reason = _("you published no post through the platform that day")
            matches.append((row, None, reason))
        elif len(candidates) > 1:
            reason = _(
                "you published %(count)s posts through the platform that day, and LinkedIn's "
                "address does not say which this is"
            ) % {"count": len(candidates)}
            matches.append((row, None, reason))
        elif rows_per_day[row.published_on] > 1:
            reason = _(
                "the export lists %(count)s posts of that day and the platform published one: "
                "which it is cannot be told"
            ) % {"count": rows_per_day[row.published_on]}
            matches.append((row, None, reason))
        else:
            matches.append((row, candidates[0], ""))
    return matches


def enter_followers(*, membership: Membership, day: date, followers: int) -> MemberFollowers:
    """Store the member's follower count on `day`, typed in by them.

    Raises ValidationError (keyed "day" or "followers") for a day still to come, one more than
    a year ago, a day on which the count was measured through LinkedIn's API (that stands), or
    a count out of range. An imported or earlier typed count of the day is replaced. The
    rollups from that day on are recomputed after the commit.
    """
    organization = membership.organization
    today = today_of(organization)
    if day > today:
        raise ValidationError({"day": _("That day is still to come.")})
    if day < today - ENTRY_MAX_AGE:
        raise ValidationError(
            {"day": _("That day is more than a year ago: import LinkedIn's export instead.")}
        )
    if not 0 <= followers <= MAX_FOLLOWERS:
        raise ValidationError(
            {"followers": _("Enter a number from 0 to %(max)s.") % {"max": f"{MAX_FOLLOWERS:,}"}}
        )
    with transaction.atomic():
        row = (
            MemberFollowers.objects.for_org(organization)
            .select_for_update()
            .filter(membership=membership, day=day)
            .first()
        )
        if row is not None and row.source == Source.API:
            raise ValidationError(
                {
                    "day": _(
                        "LinkedIn's own figure for that day, %(followers)s, was collected through "
                        "its API and stands."
                    )
                    % {"followers": row.followers}
                }
            )
        if row is None:
            row = MemberFollowers.objects.for_org(organization).create(
                organization=organization,
                membership=membership,
                day=day,
                followers=followers,
                source=Source.ENTERED,
            )
        elif (row.followers, row.source) != (followers, Source.ENTERED):
            row.followers, row.source = followers, Source.ENTERED
            row.save(update_fields=["followers", "source", "collected_at"])
        else:
            return row
        _recompute_after_commit(organization, set(_days(day, today)))
    return row


def own_figure(
    membership: Membership, figure_id: uuid.UUID
) -> MemberFollowers | PostMetrics | None:
    """One of the member's imported or entered figures, by its public id; None for anyone
    else's, one measured through the API, or none."""
    organization = membership.organization
    mine = ~Q(source=Source.API)
    followers = (
        MemberFollowers.objects.for_org(organization)
        .filter(mine, membership=membership, public_id=figure_id)
        .first()
    )
    if followers is not None:
        return followers
    return (
        PostMetrics.objects.for_org(organization)
        .filter(mine, post__author=membership, public_id=figure_id)
        .select_related("post")
        .first()
    )


def delete_figure(*, membership: Membership, figure: MemberFollowers | PostMetrics) -> None:
    """Delete one of the member's own imported or entered figures.

    A post's latest values go back to its latest remaining figures (or none) when the deleted
    one was its latest. The rollups it was in are recomputed after the commit.
    """
    organization = membership.organization
    with transaction.atomic():
        if isinstance(figure, MemberFollowers):
            deleted = (
                MemberFollowers.objects.for_org(organization)
                .filter(pk=figure.pk, membership=membership)
                .exclude(source=Source.API)
                .delete()[0]
            )
            if deleted:
                _recompute_after_commit(
                    organization, set(_days(figure.day, today_of(organization)))
                )
            return
        deleted = (
            PostMetrics.objects.for_org(organization)
            .filter(pk=figure.pk, post__author=membership)
            .exclude(source=Source.API)
            .delete()[0]
        )
        if not deleted:
            return
        post = Post.objects.for_org(organization).select_for_update().get(pk=figure.post_id)
        remaining = (
            PostMetrics.objects.for_org(organization).filter(post=post).order_by("-day").first()
        )
        # Only when the post's values are the deleted figure's: they may come from elsewhere.
        was_latest = remaining is None or remaining.day < figure.day
        if was_latest and post.impressions == figure.impressions:
            for name in POST_FIGURES:
                setattr(post, name, getattr(remaining, name) if remaining else None)
            post.metrics_updated_at = remaining.collected_at if remaining else None
            post.save(update_fields=[*POST_FIGURES, "metrics_updated_at", "updated_at"])
        _recompute_after_commit(organization, days_of_posts(organization, [post.pk]))


def _recompute_after_commit(organization: Organization, days: set[date]) -> None:
    if days:
        transaction.on_commit(lambda: recompute_days(organization=organization, days=days))
