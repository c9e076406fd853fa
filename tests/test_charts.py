"""Charts drawn on the server: valid SVG, readable without hovering, gaps for missing values,
and the same picture in the PDF's reportlab graphics."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from reportlab.graphics.shapes import Drawing, Group, PolyLine, String

from analytics.charts import (
    MixRow,
    Polyline,
    Series,
    Text,
    bar_chart,
    line_chart,
    mix_chart,
    nice_ticks,
)
from analytics.pdf import drawing_of

SVG = "{http://www.w3.org/2000/svg}"
DAYS = ["1 Oct", "2 Oct", "3 Oct", "4 Oct", "5 Oct"]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (the module's own output)


def texts(root: ET.Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def followers(values_a, values_b=None):
    series = [Series("Company page", values_a)]
    if values_b is not None:
        series.append(Series("Employees", values_b))
    return line_chart(
        title="Followers over time",
        description="Followers of the page & the employees.",
        x_labels=DAYS,
        series=series,
        y_label="Followers",
        x_label="Day",
    )


def test_a_line_chart_is_valid_svg_with_its_title_description_and_labels():
    root = parse(followers([100, 110, 120, 130, 140], [50, 52, 54, 56, 58]).svg("followers"))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "followers-title followers-desc"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None
    assert title.get("id") == "followers-title"
    assert title.text == "Followers over time"
    assert desc is not None
    assert desc.text == "Followers of the page & the employees."
    words = texts(root)
    # The visible title, both axes, every day, the legend and the values at the line ends.
    for label in ("Followers over time", "Followers", "Day", *DAYS, "Company page", "Employees"):
        assert label in words, label
    assert "140 Company page" in words
    assert "58 Employees" in words
    # Two lines, each drawn once, in different dash patterns.
    lines = root.findall(f"{SVG}polyline")
    assert len(lines) == 2
    assert lines[0].get("stroke-dasharray") != lines[1].get("stroke-dasharray")
    # Markers tell the series apart without colour: circles for one, squares for the other
    # (at each of the five points, and one in the legend).
    assert len(root.findall(f"{SVG}circle")) == 6
    assert len([r for r in root.findall(f"{SVG}rect") if r.get("width") == "9"]) == 6


def test_a_missing_value_is_a_gap_not_a_zero():
    root = parse(followers([100, 110, None, 130, 140]).svg("gap"))
    lines = root.findall(f"{SVG}polyline")
    assert len(lines) == 2, "the line breaks at the missing day"
    points = [line.get("points", "").split() for line in lines]
    assert [len(part) for part in points] == [2, 2]
    # Nothing is drawn at the missing day: no point lies on the x of 3 Oct.
    x_of_third = float(points[0][1].split(",")[0]) * 2 - float(points[0][0].split(",")[0])
    assert all(abs(float(p.split(",")[0]) - x_of_third) > 1 for part in points for p in part)
    assert "A gap in a line: no data for those days" in texts(root)


def test_a_value_between_two_gaps_is_a_lone_marker():
    root = parse(followers([100, None, 120, None, 140]).svg("lone"))
    assert root.findall(f"{SVG}polyline") == []
    assert len(root.findall(f"{SVG}circle")) == 3 + 1  # and the legend's


def test_a_chart_without_data_says_so():
    root = parse(followers([None] * 5, [None] * 5).svg("empty"))
    assert "No data for this period" in texts(root)
    assert root.findall(f"{SVG}polyline") == []
    assert "0" not in texts(root)


def test_a_single_short_series_has_its_values_written_at_the_points():
    chart = line_chart(
        title="Reach over time",
        description="Impressions.",
        x_labels=DAYS,
        series=[Series("Impressions", [1000, None, 500, 300, None])],
        y_label="Impressions",
        x_label="Day",
        from_zero=True,
    )
    words = texts(parse(chart.svg("reach")))
    for value in ("1,000", "500", "300"):
        assert value in words
    assert "0" in words  # the axis starts at zero


def test_text_is_escaped_and_the_svg_stays_valid():
    chart = bar_chart(
        title="Posts per team <script>",
        description='Teams & "quotes"',
        bars=[("R&D <b>", 3), ("Sales", 1)],
        value_label="Posts",
    )
    svg = chart.svg("teams")
    assert "<script>" not in svg
    root = parse(svg)
    assert "R&D <b>" in texts(root)
    assert root.find(f"{SVG}title").text == "Posts per team <script>"


def test_bars_are_proportional_with_their_values_written():
    chart = bar_chart(
        title="Shares per campaign",
        description="Shares.",
        bars=[("Autumn launch", 4), ("Hiring week", 2), ("Not measured", None)],
        value_label="Shares",
    )
    root = parse(chart.svg("campaigns"))
    bars = [rect for rect in root.findall(f"{SVG}rect") if rect.get("fill") == "#1f5fbf"]
    widths = [float(rect.get("width", 0)) for rect in bars]
    assert widths[0] == 2 * widths[1]
    words = texts(root)
    for label in ("Autumn launch", "Hiring week", "4", "2", "n/a", "Shares"):
        assert label in words, label


def test_a_long_label_is_shortened_on_the_chart():
    chart = bar_chart(
        title="T", description="D", bars=[("A campaign with a very long name indeed", 1)],
        value_label="Shares",
    )  # fmt: skip
    assert "A campaign with a very long n…" in texts(parse(chart.svg("long")))


def test_the_mix_writes_its_percentages_and_the_target():
    chart = mix_chart(
        title="The 80/20 mix",
        description="Company share.",
        rows=[
            MixRow("Acme A/S", 6, 2, 33.3, 66.7),
            MixRow("Sales", 4, 1, 25.0, 75.0),
            MixRow("Design", 0, 0, None, None),
        ],
        target_pct=20,
    )
    root = parse(chart.svg("mix"))
    words = texts(root)
    for label in (
        "33.3 % company, 66.7 % else (6 posts)",
        "25 % company, 75 % else (4 posts)",
        "No posts",
        "Target: 20 % about the company",
        "About the company",
        "Everything else",
    ):
        assert label in words, label
    dashed = [line for line in root.findall(f"{SVG}line") if line.get("stroke-dasharray")]
    assert len(dashed) == 2  # the target line and its legend sample


def test_nice_ticks_are_round_and_cover_the_values():
    assert nice_ticks(1000, 1140, from_zero=False) == [1000, 1050, 1100, 1150]
    assert nice_ticks(0, 9999, from_zero=True) == [0, 2500, 5000, 7500, 10000]
    assert nice_ticks(5, 5, from_zero=True)[0] == 0


def _strings(node) -> list[str]:
    found = []
    for child in getattr(node, "contents", []):
        if isinstance(child, String):
            found.append(child.text)
        elif isinstance(child, Group):
            found.extend(_strings(child))
    return found


def test_the_pdf_draws_the_same_chart_with_reportlab_graphics():
    chart = followers([100, 110, None, 130, 140], [50, 52, 54, 56, 58])
    drawing = drawing_of(chart, width=360)
    assert isinstance(drawing, Drawing)
    assert drawing.width == 360
    assert drawing.height == chart.height / 2
    svg_texts = [shape.text for shape in chart.shapes if isinstance(shape, Text)]
    assert _strings(drawing) == svg_texts
    group = drawing.contents[0]
    lines = [node for node in group.contents if isinstance(node, PolyLine)]
    assert len(lines) == len([s for s in chart.shapes if isinstance(s, Polyline)]) == 3
