"""The date ranges a report can be asked for: the presets, and the period before a range.

Dates are days of the organization's time zone (`rollups.today_of`); every range includes both
its first and its last day, as docs/metrics.md says.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

LAST_30, LAST_90 = "last_30", "last_90"
THIS_QUARTER, LAST_QUARTER = "this_quarter", "last_quarter"
YEAR_TO_DATE, CUSTOM = "year_to_date", "custom"
DEFAULT_PRESET = LAST_30

PRESETS = [
    (LAST_30, _("Last 30 days")),
    (LAST_90, _("Last 90 days")),
    (THIS_QUARTER, _("This quarter")),
    (LAST_QUARTER, _("Last quarter")),
    (YEAR_TO_DATE, _("Year to date")),
    (CUSTOM, _("Custom dates")),
]


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def preset_range(preset: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The days a preset names, ending today (or, for the last quarter, its last day)."""
    if preset == LAST_30:
        return today - dt.timedelta(days=29), today
    if preset == LAST_90:
        return today - dt.timedelta(days=89), today
    if preset == THIS_QUARTER:
        return _quarter_start(today), today
    if preset == LAST_QUARTER:
        end = _quarter_start(today) - dt.timedelta(days=1)
        return _quarter_start(end), end
    if preset == YEAR_TO_DATE:
        return dt.date(today.year, 1, 1), today
    raise ValueError(f"no preset called {preset!r}")


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The range of equal length that ends the day before `start`."""
    length = end - start
    previous_end = start - dt.timedelta(days=1)
    return previous_end - length, previous_end


def days_of(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=offset) for offset in range((end - start).days + 1)]
