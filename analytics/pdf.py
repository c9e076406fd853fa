"""The leadership report as a PDF: the headline figures beside the previous period, the charts
drawn with reportlab's own graphics (the same layout as the page's SVG), and every table."""

from __future__ import annotations

from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.graphics.shapes import Circle, Drawing, Group, Polygon, PolyLine, String
from reportlab.graphics.shapes import Line as RLLine
from reportlab.graphics.shapes import Rect as RLRect
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as RLTable

from .charts import Chart, Line, Marker, Polyline, Rect, Text, diamond_points
from .reports import LeadershipReport
from .tables import Table, format_value, source_notes

PAGE = landscape(A4)
MARGIN = 14 * mm
CHART_WIDTH = 540.0
HEADER_BACKGROUND = colors.HexColor("#e7effb")
RULE = colors.HexColor("#d5dbe3")


def _colour(value: str | None) -> Any:
    return colors.HexColor(value) if value else None


def drawing_of(chart: Chart, width: float = CHART_WIDTH) -> Drawing:
    """A chart as reportlab vector graphics, scaled to `width` points."""
    scale = width / chart.width
    height = chart.height

    def flip(y: float) -> float:
        return height - y

    group = Group(transform=(scale, 0, 0, scale, 0, 0))
    group.add(RLRect(0, 0, chart.width, height, fillColor=colors.white, strokeColor=None))
    for shape in chart.shapes:
        if isinstance(shape, Text):
            group.add(
                String(
                    shape.x,
                    flip(shape.y),
                    shape.text,
                    fontName="Helvetica-Bold" if shape.bold else "Helvetica",
                    fontSize=shape.size,
                    fillColor=_colour(shape.fill),
                    textAnchor=shape.anchor,
                )
            )
        elif isinstance(shape, Line):
            group.add(
                RLLine(
                    shape.x1,
                    flip(shape.y1),
                    shape.x2,
                    flip(shape.y2),
                    strokeColor=_colour(shape.stroke),
                    strokeWidth=shape.width,
                    strokeDashArray=list(shape.dash) or None,
                )
            )
        elif isinstance(shape, Polyline):
            points = [coordinate for x, y in shape.points for coordinate in (x, flip(y))]
            group.add(
                PolyLine(
                    points,
                    strokeColor=_colour(shape.stroke),
                    strokeWidth=shape.width,
                    strokeDashArray=list(shape.dash) or None,
                    strokeLineJoin=1,
                )
            )
        elif isinstance(shape, Rect):
            group.add(
                RLRect(
                    shape.x,
                    flip(shape.y) - shape.height,
                    shape.width,
                    shape.height,
                    fillColor=_colour(shape.fill),
                    strokeColor=_colour(shape.stroke),
                    strokeWidth=1,
                )
            )
        elif isinstance(shape, Marker):
            group.add(_marker(shape, flip(shape.y)))
    drawing = Drawing(width, height * scale)
    drawing.add(group)
    return drawing


def _marker(marker: Marker, y: float) -> Any:
    fill, size = _colour(marker.fill), marker.size
    if marker.shape == "square":
        return RLRect(
            marker.x - size, y - size, 2 * size, 2 * size, fillColor=fill, strokeColor=colors.white
        )
    if marker.shape == "diamond":
        points = [c for px, py in diamond_points(marker.x, y, size + 1) for c in (px, py)]
        return Polygon(points, fillColor=fill, strokeColor=colors.white)
    return Circle(marker.x, y, size, fillColor=fill, strokeColor=colors.white)


def _styles() -> dict[str, ParagraphStyle]:
    sheet = getSampleStyleSheet()
    cell = ParagraphStyle("cell", parent=sheet["BodyText"], fontSize=7.5, leading=9)
    return {
        "title": sheet["Title"],
        "h2": sheet["Heading2"],
        "body": sheet["BodyText"],
        "note": ParagraphStyle("note", parent=sheet["BodyText"], fontSize=8.5, leading=11),
        "cell": cell,
        "head": ParagraphStyle("head", parent=cell, fontName="Helvetica-Bold"),
    }


def _paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def table_flowable(table: Table, styles: dict[str, ParagraphStyle]) -> RLTable:
    """A table as reportlab draws it: the header repeated on each page, figures aligned right."""
    data = [[_paragraph(column, styles["head"]) for column in table.columns]]
    for row in table.rows:
        data.append(
            [
                _paragraph(format_value(cell.value, cell.kind, signed=cell.signed), styles["cell"])
                for cell in row
            ]
        )
    usable = PAGE[0] - 2 * MARGIN
    first = min(usable * 0.28, 200)
    rest = (usable - first) / max(len(table.columns) - 1, 1)
    flowable = RLTable(data, colWidths=[first] + [rest] * (len(table.columns) - 1), repeatRows=1)
    flowable.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_BACKGROUND),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return flowable


def report_pdf(
    report: LeadershipReport,
    *,
    tables: dict[str, Table],
    charts: dict[str, Chart],
    emv_formula: str | None,
    compress: bool = True,
) -> bytes:
    """The leadership report as PDF bytes."""
    styles = _styles()
    organization = report.organization
    period = _("%(start)s to %(end)s") % {
        "start": format_value(report.start, "date"),
        "end": format_value(report.end, "date"),
    }
    previous = _("%(start)s to %(end)s") % {
        "start": format_value(report.previous_start, "date"),
        "end": format_value(report.previous_end, "date"),
    }
    story: list[Any] = [
        _paragraph(_("Leadership report: %(name)s") % {"name": organization.name}, styles["title"]),
        _paragraph(
            _("%(period)s, beside the previous period (%(previous)s).")
            % {"period": period, "previous": previous},
            styles["body"],
        ),
        Spacer(1, 4 * mm),
        _paragraph(tables["summary"].title, styles["h2"]),
        table_flowable(tables["summary"], styles),
        Spacer(1, 2 * mm),
    ]
    if emv_formula:
        story.append(_paragraph(emv_formula, styles["note"]))
    for note in source_notes(report):
        story.append(_paragraph(note, styles["note"]))
    sections = [
        ("followers", ["followers"]),
        ("reach", ["reach"]),
        ("teams", ["teams"]),
        ("campaigns", ["campaigns"]),
        ("mix", ["mix"]),
        (None, ["content", "recruitment", "employees"]),
    ]
    for chart_name, table_names in sections:
        if chart_name:
            story.append(CondPageBreak(90 * mm))
            story.append(KeepTogether([Spacer(1, 4 * mm), drawing_of(charts[chart_name])]))
        for name in table_names:
            table = tables[name]
            story.append(Spacer(1, 3 * mm))
            story.append(_paragraph(table.title, styles["h2"]))
            if table.rows:
                story.append(table_flowable(table, styles))
            else:
                story.append(_paragraph(_("Nothing in this period."), styles["note"]))
            for note in table.notes:
                story.append(_paragraph(note, styles["note"]))

    def footer(canvas: Canvas, document: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(colors.HexColor("#556070"))
        canvas.drawString(MARGIN, 8 * mm, f"{organization.name} · {period}")
        canvas.drawRightString(
            PAGE[0] - MARGIN, 8 * mm, _("Page %(number)s") % {"number": document.page}
        )
        canvas.restoreState()

    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=16 * mm,
        title=_("Leadership report: %(name)s, %(period)s")
        % {"name": organization.name, "period": period},
        author=organization.name,
        pageCompression=1 if compress else 0,
    )
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
