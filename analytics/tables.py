"""The tables of the leadership report, defined once for the page, the CSV export and the PDF.

A table is rows of cells; each cell keeps its raw value and its kind, so the page and the PDF
write "n/a", thousands separators and units, and the CSV writes the plain value (empty where
a figure is missing).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .growth import pct
from .reports import (
    DATE,
    DECIMAL,
    EMPLOYEES_ON_PAGE,
    INT,
    MONEY,
    PCT,
    TEXT,
    TOP_CONTENT,
    ContentRow,
    EmployeeRow,
    GroupRow,
    LeadershipReport,
)


@dataclass(frozen=True)
class Cell:
    value: Any
    kind: str = TEXT
    # Changes are written with their sign, and percentages' changes in points.
    signed: bool = False


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    # The page shows this many rows; the CSV and the PDF have them all.
    page_limit: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def rows_on_page(self) -> list[list[Cell]]:
        return self.rows[: self.page_limit] if self.page_limit else self.rows

    @property
    def is_cut(self) -> bool:
        return self.page_limit is not None and len(self.rows) > self.page_limit


def format_value(value: Any, kind: str = TEXT, *, signed: bool = False) -> str:
    """A figure as people read it; None is "n/a", never 0."""
    if value is None:
        return _("n/a")
    if kind == INT:
        text = number_format(value, force_grouping=True)
    elif kind == PCT and signed:
        text = _("%(value)s points") % {"value": number_format(value, 1)}
    elif kind == PCT:
        text = f"{number_format(value, 1)} %"
    elif kind == DECIMAL:
        text = number_format(value, 1, force_grouping=True)
    elif kind == MONEY:
        text = number_format(Decimal(value), 2, force_grouping=True)
    elif kind == DATE:
        text = date_format(value, "DATE_FORMAT")
    elif isinstance(value, bool):
        text = _("yes") if value else _("no")
    else:
        text = str(value)
    if signed and isinstance(value, int | float | Decimal) and value > 0:
        return f"+{text}"
    return text


def format_relative(value: float) -> str:
    """A relative change: "+8.3 %"."""
    text = f"{number_format(value, 1)} %"
    return f"+{text}" if value > 0 else text


def csv_value(value: Any) -> Any:
    """A cell of the CSV: plain numbers, ISO dates, an empty cell for a missing figure."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def period_label(start: dt.date, end: dt.date, granularity: str) -> str:
    if granularity == "month":
        return date_format(start, "YEAR_MONTH_FORMAT")
    if granularity == "week":
        return _("Week of %(day)s") % {"day": date_format(start, "DATE_FORMAT")}
    return date_format(start, "DATE_FORMAT")


def short_period_label(start: dt.date, granularity: str) -> str:
    """For a chart's axis."""
    if granularity == "month":
        return date_format(start, "M Y")
    return date_format(start, "j M")


def granularity_heading(granularity: str) -> str:
    return {"day": _("Day"), "week": _("Week"), "month": _("Month")}[granularity]


def _summary(report: LeadershipReport) -> Table:
    rows = [
        [
            Cell(figure.label),
            Cell(figure.value, figure.kind),
            Cell(figure.previous, figure.kind),
            Cell(figure.change, figure.kind, signed=True),
        ]
        for figure in report.figures
    ]
    cadence = report.cadence
    rows.append(
        [
            Cell(_("Posts per participant per week")),
            Cell(cadence.value, DECIMAL),
            Cell(cadence.previous, DECIMAL),
            Cell(
                None
                if cadence.value is None or cadence.previous is None
                else round(cadence.value - cadence.previous, 1),
                DECIMAL,
                signed=True,
            ),
        ]
    )
    return Table(
        name="summary",
        title=_("Headline figures"),
        columns=[_("Figure"), _("This period"), _("Previous period"), _("Change")],
        rows=rows,
    )


def _followers(report: LeadershipReport) -> Table:
    return Table(
        name="followers",
        title=_("Followers over time"),
        columns=[granularity_heading(report.granularity), _("Company page"), _("Employees")],
        rows=[
            [
                Cell(period_label(period.start, period.end, report.granularity)),
                Cell(period.company_followers, INT),
                Cell(period.employee_followers, INT),
            ]
            for period in report.periods
        ],
    )


def _reach(report: LeadershipReport) -> Table:
    return Table(
        name="reach",
        title=_("Reach over time"),
        columns=[
            granularity_heading(report.granularity),
            _("Posts"),
            _("Impressions"),
            _("Link clicks"),
        ],
        rows=[
            [
                Cell(period_label(period.start, period.end, report.granularity)),
                Cell(period.posts, INT),
                Cell(period.impressions, INT),
                Cell(period.clicks, INT),
            ]
            for period in report.periods
        ],
    )


def _days(report: LeadershipReport) -> Table:
    return Table(
        name="days",
        title=_("Every day"),
        columns=[
            _("Day"),
            _("Company page followers"),
            _("Employee followers"),
            _("Employees with a follower figure"),
            _("Posts"),
            _("Impressions"),
            _("Link clicks"),
        ],
        rows=[
            [
                Cell(point.day, DATE),
                Cell(point.company_followers, INT),
                Cell(point.employee_followers, INT),
                Cell(point.employees_with_followers, INT),
                Cell(point.posts, INT),
                Cell(point.impressions, INT),
                Cell(point.clicks, INT),
            ]
            for point in report.days
        ],
    )


def _reach_cells(row: GroupRow) -> list[Cell]:
    return [
        Cell(row.sums.impressions, INT),
        Cell(row.sums.members_reached, INT),
        Cell(row.sums.engagements, INT),
        Cell(row.sums.engagement_rate_pct, PCT),
        Cell(row.sums.clicks, INT),
        Cell(row.sums.unique_clicks, INT),
    ]


def _reach_columns() -> list[str]:
    return [
        _("Impressions"),
        _("Members reached"),
        _("Engagements"),
        _("Engagement rate"),
        _("Link clicks"),
        _("Unique visitors"),
    ]


def _teams(report: LeadershipReport) -> Table:
    notes = []
    if report.teams_left_out:
        notes.append(
            _(
                "Teams with fewer than three participants are not shown on their own; their "
                "figures are in the organization's totals."
            )
        )
    elif any(row.merged for row in report.teams):
        notes.append(_("“Other teams” puts together the teams with fewer than three participants."))
    return Table(
        name="teams",
        title=_("Teams"),
        columns=[
            _("Team"),
            _("Participants"),
            _("Posting"),
            _("Participation"),
            _("Posts"),
            _("Posts per participant per week"),
            _("About the company"),
            *_reach_columns(),
        ],
        rows=[
            [
                Cell(row.name),
                Cell(row.participants, INT),
                Cell(row.authors, INT),
                Cell(row.participation_pct, PCT),
                Cell(row.sums.posts, INT),
                Cell(row.posts_per_week, DECIMAL),
                Cell(row.sums.company_content_pct, PCT),
                *_reach_cells(row),
            ]
            for row in report.teams
        ],
        notes=notes,
    )


def _campaigns(report: LeadershipReport) -> Table:
    return Table(
        name="campaigns",
        title=_("Campaigns"),
        columns=[_("Campaign"), _("Shares"), _("About the company"), *_reach_columns()],
        rows=[
            [
                Cell(row.name),
                Cell(row.sums.posts, INT),
                Cell(row.sums.company_content_pct, PCT),
                *_reach_cells(row),
            ]
            for row in report.campaigns
        ],
    )


def _mix(report: LeadershipReport) -> Table:
    rows = [
        [
            Cell(row.name),
            Cell(row.sums.posts, INT),
            Cell(row.sums.company_posts, INT),
            Cell(row.sums.company_content_pct, PCT),
            Cell(_rest(row.sums.posts, row.sums.company_posts), PCT),
        ]
        for row in report.mix_rows
    ]
    rows.extend(
        [
            Cell(row.name),
            Cell(row.posts, INT),
            Cell(row.company_posts, INT),
            Cell(row.company_content_pct, PCT),
            Cell(_rest(row.posts, row.company_posts), PCT),
        ]
        for row in _named(report)
    )
    return Table(
        name="mix",
        title=_("The 80/20 mix"),
        columns=[
            _("Who"),
            _("Posts"),
            _("About the company"),
            _("About the company (%)"),
            _("Everything else (%)"),
        ],
        rows=rows,
        notes=[
            _("The program aims for about %(target)s %% about the company.")
            % {"target": report.mix_target_pct}
        ],
    )


def _rest(posts: int, company_posts: int) -> float | None:
    return pct(posts - company_posts, posts)


def _content_table(name: str, title: str, first: str, rows: list[ContentRow]) -> Table:
    return Table(
        name=name,
        title=title,
        columns=[
            first,
            _("Kind"),
            _("About the company"),
            _("Shares"),
            _("Impressions"),
            _("Engagements"),
            _("Link clicks"),
        ],
        rows=[
            [
                Cell(row.title),
                Cell(row.kind_label),
                Cell(row.is_company_content),
                Cell(row.shares, INT),
                Cell(row.impressions, INT),
                Cell(row.engagements, INT),
                Cell(row.clicks, INT),
            ]
            for row in rows
        ],
        page_limit=TOP_CONTENT,
    )


def _named(report: LeadershipReport) -> list[EmployeeRow]:
    return [*report.employees, *([report.unnamed] if report.unnamed else [])]


def _employees(report: LeadershipReport) -> Table:
    notes = []
    if not report.shows_every_name:
        notes.append(
            _(
                "Only participants who chose to show their figures to leaders are named; the "
                "others are in the totals."
            )
        )
    return Table(
        name="employees",
        title=_("Employees"),
        columns=[
            _("Name"),
            _("Team"),
            _("Posts"),
            _("Posts per week"),
            _("About the company"),
            _("Followers on the first day"),
            _("Followers on the last day"),
            _("Follower growth"),
            _("New followers"),
            _("Impressions"),
            _("Members reached"),
            _("Engagements"),
            _("Link clicks"),
            _("Unique visitors"),
        ],
        rows=[
            [
                Cell(row.name),
                Cell(row.team),
                Cell(row.posts, INT),
                Cell(row.posts_per_week, DECIMAL),
                Cell(row.company_content_pct, PCT),
                Cell(row.followers_start, INT),
                Cell(row.followers_end, INT),
                Cell(row.follower_growth_pct, PCT),
                Cell(row.new_followers, INT),
                Cell(row.impressions, INT),
                Cell(row.members_reached, INT),
                Cell(row.engagements, INT),
                Cell(row.clicks, INT),
                Cell(row.unique_clicks, INT),
            ]
            for row in _named(report)
        ],
        page_limit=EMPLOYEES_ON_PAGE,
        notes=notes,
    )


def report_tables(report: LeadershipReport) -> dict[str, Table]:
    """Every table of the report by name (the name is the CSV export's)."""
    tables = [
        _summary(report),
        _followers(report),
        _reach(report),
        _days(report),
        _teams(report),
        _campaigns(report),
        _mix(report),
        _content_table("content", _("Top content"), _("Item"), report.content),
        _content_table("recruitment", _("Job openings"), _("Job opening"), report.recruitment.jobs),
        _employees(report),
    ]
    return {table.name: table for table in tables}


def emv_formula(report: LeadershipReport) -> str | None:
    """The earned media value's formula with this period's numbers; None without a CPM."""
    organization = report.organization
    if organization.cpm is None:
        return None
    values = {
        "cpm": format_value(organization.cpm, MONEY),
        "currency": organization.currency,
        "impressions": format_value(report.current.impressions, INT),
        "emv": format_value(report.current.emv, MONEY),
    }
    if report.current.impressions is None:
        return (
            _(
                "Earned media value = impressions / 1,000 × CPM (%(cpm)s %(currency)s). No "  # noqa: RUF001
                "impressions were collected in this period, so there is no value to show."
            )
            % values
        )
    return (
        _(
            "Earned media value = impressions / 1,000 × CPM = %(impressions)s / 1,000 × "  # noqa: RUF001
            "%(cpm)s %(currency)s = %(emv)s %(currency)s."
        )
        % values
    )


def source_notes(report: LeadershipReport) -> list[str]:
    """Where figures of the period were imported or entered by hand rather than measured."""
    return [
        ngettext(
            "%(rows)s row of %(subject)s in this period: %(source)s.",
            "%(rows)s rows of %(subject)s in this period: %(source)s.",
            note.rows,
        )
        % {"rows": format_value(note.rows, INT), "subject": note.subject, "source": note.source}
        for note in report.sources
    ]
