"""The report's exports: a CSV of every table and the PDF, with the page's privacy rules."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from analytics.rollups import recompute_range
from analytics.tables import report_tables

from .conftest import Cast
from .factories import CampaignFactory, PostFactory
from .report_support import QUERY, Program, build_program, noon, pdf_pages, pdf_text

pytestmark = pytest.mark.django_db
REPORTS = reverse("analytics:overview", args=["acme"])
PDF = reverse("analytics:overview_pdf", args=["acme"])
TABLES = [
    "summary", "followers", "reach", "days", "teams", "campaigns", "mix", "content",
    "recruitment", "employees",
]  # fmt: skip


@pytest.fixture
def program(cast: Cast) -> Program:
    return build_program(cast)


def export(client, table: str, query: dict[str, str] = QUERY) -> list[list[str]]:
    response = client.get(REPORTS, {**query, "export": table})
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_every_table_of_the_report_exports(cast: Cast, client_for, program):
    client = client_for(cast.carol)
    report = client.get(REPORTS, QUERY).context["report"]
    tables = report_tables(report)
    assert list(tables) == TABLES
    for name in TABLES:
        response = client.get(REPORTS, {**QUERY, "export": name})
        assert response["Content-Disposition"] == (
            f'attachment; filename="acme-as-{name}-2026-10-01-to-2026-10-31.csv"'
        )
        rows = export(client, name)
        assert rows[0] == tables[name].columns, name
        assert len(rows) - 1 == len(tables[name].rows), name


def test_the_page_links_each_table_to_its_export(cast: Cast, client_for, program):
    page = client_for(cast.carol).get(REPORTS, QUERY).content.decode()
    for name in TABLES:
        assert f"?start=2026-10-01&amp;end=2026-10-31&amp;export={name}" in page, name


def test_the_summary_holds_the_plain_figures(cast: Cast, client_for, program):
    rows = {row[0]: row[1:] for row in export(client_for(cast.leo), "summary")[1:]}
    assert rows["Company page follower growth"] == ["14.0", "5.3", "8.7"]
    assert rows["Impressions"] == ["2700", "1000", "1700"]
    assert rows["Earned media value"] == ["230.85", "85.50", "145.35"]
    assert rows["Posts per participant per week"] == ["0.2", "0.1", "0.1"]


def test_missing_days_are_empty_cells_not_zeros(cast: Cast, client_for, program):
    rows = export(client_for(cast.leo), "days", {"start": "2026-11-04", "end": "2026-11-07"})
    assert rows[0] == [
        "Day", "Company page followers", "Employee followers",
        "Employees with a follower figure", "Posts", "Impressions", "Link clicks",
    ]  # fmt: skip
    assert rows[1:] == [
        ["2026-11-04", "1140", "800", "3", "0", "", "0"],
        ["2026-11-05", "1140", "800", "3", "0", "", "0"],
        ["2026-11-06", "", "", "", "", "", ""],
        ["2026-11-07", "", "", "", "", "", ""],
    ]


def test_the_employee_export_keeps_the_privacy_rules(cast: Cast, client_for, program):
    coach = export(client_for(cast.carol), "employees")
    assert {row[0] for row in coach[1:]} == {"Emma", "Sam", "Sara", "Dana", "Dan", "Carol", "Leo"}
    emma = next(row for row in coach if row[0] == "Emma")
    assert emma[:9] == ["Emma", "Sales", "2", "0.5", "50.0", "200", "250", "25.0", "50"]
    leader = export(client_for(cast.leo), "employees")
    assert [row[0] for row in leader[1:]] == ["Emma", "Dana", "Participants not named (5)"]
    leader_teams = export(client_for(cast.leo), "teams")
    assert [row[0] for row in leader_teams[1:]] == ["Sales", "Other teams"]
    leader_mix = export(client_for(cast.leo), "mix")
    assert {row[0] for row in leader_mix[1:]} == {
        "Acme A/S", "Sales", "Other teams", "Emma", "Dana", "Participants not named (5)",
    }  # fmt: skip


def test_an_unknown_table_is_a_clear_error(cast: Cast, client_for, program):
    response = client_for(cast.carol).get(REPORTS, {**QUERY, "export": "salaries"})
    assert response.status_code == 400
    assert "There is no table called “salaries” to export." in response.content.decode()


def test_a_cell_a_spreadsheet_would_run_is_written_as_text(cast: Cast, client_for, program):
    campaign = CampaignFactory(organization=cast.acme, name='=HYPERLINK("http://evil")')
    day = date(2026, 10, 25)
    PostFactory(author=program.people["emma"], campaign=campaign, published_at=noon(day))
    recompute_range(organization=cast.acme, start=day, end=day)
    rows = export(client_for(cast.carol), "campaigns")
    assert '\'=HYPERLINK("http://evil")' in [row[0] for row in rows]


def test_the_pdf_is_a_real_pdf_with_the_figures_and_charts(cast: Cast, client_for, program):
    response = client_for(cast.carol).get(PDF, QUERY)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="acme-as-report-2026-10-01-to-2026-10-31.pdf"'
    )
    data = response.content
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    assert b"startxref" in data
    assert pdf_pages(data) >= 2
    # The charts are drawn, not pasted in as pictures.
    assert b"/Subtype /Image" not in data
    text = pdf_text(data)
    for expected in (
        "Leadership report: Acme A/S",
        "1 Oct 2026 to 31 Oct 2026",
        "31 Aug 2026 to 30 Sep 2026",
        "Company page follower growth 14.0 % 5.3 % +8.7 points",
        "Impressions 2,700 1,000 +1,700",
        "2,700 / 1,000 × 85.50 DKK = 230.85 DKK",  # noqa: RUF001
        # Chart titles and labels, drawn with reportlab's graphics.
        "Followers over time",
        "1,140 Company page",
        "Posts per team",
        "Shares per campaign",
        "Target: 20 % about the company",
        "Sam",
    ):
        assert expected in text, expected


def test_the_leaders_pdf_names_only_those_who_opted_in(cast: Cast, client_for, program):
    text = pdf_text(client_for(cast.leo).get(PDF, QUERY).content)
    assert "Emma" in text
    assert "Participants not named (5)" in text
    for hidden in ("Sam", "Sara"):
        assert hidden not in text, hidden
    # Design (two participants) is no team row; it appears only beside Dana, who opted in.
    assert text.count("Design") == 1
    assert "Dana Design" in text
