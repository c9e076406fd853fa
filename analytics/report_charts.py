"""The leadership report's charts, for the page (SVG) and the PDF (reportlab graphics)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .charts import Chart, MixRow, Series, bar_chart, line_chart, mix_chart
from .growth import pct
from .personal import MyResults
from .reports import INT, LeadershipReport
from .tables import format_value, granularity_heading, short_period_label


def _number(value: float) -> str:
    # Axis ticks arrive as floats; whole ones are written without decimals.
    return format_value(int(value) if float(value).is_integer() else value, INT)


def _range_words(report: LeadershipReport) -> str:
    return _("from %(start)s to %(end)s") % {
        "start": format_value(report.start, "date"),
        "end": format_value(report.end, "date"),
    }


def _first_and_last(values: list[int | None]) -> str:
    known = [value for value in values if value is not None]
    if not known:
        return _("no data")
    return _("%(first)s at the start, %(last)s at the end") % {
        "first": _number(known[0]),
        "last": _number(known[-1]),
    }


def _axis_labels(report: LeadershipReport) -> list[str]:
    return [short_period_label(period.start, report.granularity) for period in report.periods]


def followers_chart(report: LeadershipReport) -> Chart:
    company = [period.company_followers for period in report.periods]
    employees = [period.employee_followers for period in report.periods]
    return line_chart(
        title=_("Followers over time"),
        description=_(
            "Followers of the company page and, summed, of the employees, by %(unit)s "
            "%(range)s. Company page: %(company)s. Employees: %(employees)s. The table "
            "below the chart has every value."
        )
        % {
            "unit": granularity_heading(report.granularity).lower(),
            "range": _range_words(report),
            "company": _first_and_last(company),
            "employees": _first_and_last(employees),
        },
        x_labels=[
            short_period_label(period.start, report.granularity) for period in report.periods
        ],
        series=[Series(_("Company page"), company), Series(_("Employees"), employees)],
        y_label=_("Followers"),
        x_label=granularity_heading(report.granularity),
        formatter=_number,
    )


def reach_chart(report: LeadershipReport) -> Chart:
    impressions = [period.impressions for period in report.periods]
    return line_chart(
        title=_("Reach over time"),
        description=_(
            "Impressions of the employees' posts, by the %(unit)s they were published, "
            "%(range)s; %(total)s in all. The table below the chart has every value."
        )
        % {
            "unit": granularity_heading(report.granularity).lower(),
            "range": _range_words(report),
            "total": format_value(report.current.impressions, INT),
        },
        x_labels=[
            short_period_label(period.start, report.granularity) for period in report.periods
        ],
        series=[Series(_("Impressions"), impressions)],
        y_label=_("Impressions"),
        x_label=granularity_heading(report.granularity),
        formatter=_number,
        from_zero=True,
    )


def teams_chart(report: LeadershipReport) -> Chart:
    return bar_chart(
        title=_("Posts per team"),
        description=_("Posts of each team's participants %(range)s: %(values)s.")
        % {
            "range": _range_words(report),
            "values": ", ".join(f"{row.name} {_number(row.sums.posts)}" for row in report.teams)
            or _("none"),
        },
        bars=[(row.name, row.sums.posts) for row in report.teams],
        value_label=_("Posts"),
        formatter=_number,
    )


def campaigns_chart(report: LeadershipReport) -> Chart:
    rows = report.top_campaigns
    return bar_chart(
        title=_("Shares per campaign"),
        description=_("Shares made within each campaign %(range)s, most first: %(values)s.")
        % {
            "range": _range_words(report),
            "values": ", ".join(f"{row.name} {_number(row.sums.posts)}" for row in rows)
            or _("none"),
        },
        bars=[(row.name, row.sums.posts) for row in rows],
        value_label=_("Shares"),
        formatter=_number,
    )


def mix_rows(report: LeadershipReport) -> list[MixRow]:
    return [
        MixRow(
            name=row.name,
            posts=row.sums.posts,
            company_posts=row.sums.company_posts,
            company_pct=row.sums.company_content_pct,
            other_pct=pct(row.sums.posts - row.sums.company_posts, row.sums.posts),
        )
        for row in report.mix_rows
    ]


def mix_of_report(report: LeadershipReport) -> Chart:
    rows = mix_rows(report)
    return mix_chart(
        title=_("The 80/20 mix"),
        description=_(
            "The share of posts about the company, for the organization and each team, "
            "against a target of %(target)s %%: %(values)s."
        )
        % {
            "target": report.mix_target_pct,
            "values": ", ".join(
                f"{row.name} {format_value(row.company_pct, 'pct')}" for row in rows
            ),
        },
        rows=rows,
        target_pct=report.mix_target_pct,
    )


def report_charts(report: LeadershipReport) -> dict[str, Chart]:
    return {
        "followers": followers_chart(report),
        "reach": reach_chart(report),
        "teams": teams_chart(report),
        "campaigns": campaigns_chart(report),
        "mix": mix_of_report(report),
    }


def my_followers_chart(results: MyResults) -> Chart:
    return line_chart(
        title=_("My followers over time"),
        description=_(
            "Your LinkedIn followers by %(unit)s, from %(start)s to %(end)s: %(first)s on the "
            "first day and %(last)s on the last. The table below has every value."
        )
        % {
            "unit": granularity_heading(results.granularity).lower(),
            "start": format_value(results.start, "date"),
            "end": format_value(results.end, "date"),
            "first": format_value(results.current.followers_start, INT),
            "last": format_value(results.current.followers_end, INT),
        },
        x_labels=[short_period_label(p.start, results.granularity) for p in results.periods],
        series=[Series(_("My followers"), [period.followers for period in results.periods])],
        y_label=_("Followers"),
        x_label=granularity_heading(results.granularity),
        formatter=_number,
    )
