"""Charts drawn on the server: a line chart, a bar chart and the 80/20 mix.

Each chart is laid out once as a list of plain shapes (text, lines, rectangles, markers) in a
box of its own size, then written as inline SVG for the page (`Chart.svg`) or as reportlab
graphics for the PDF (pdf.py), so both show the same picture. They are made to be read
without hovering or JavaScript: a visible title, labelled axes, values written at the points
or bars, a legend and direct labels, and line styles and markers that tell the series apart
without colour. A missing value (None) is a gap, never a zero.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# On white, text colours have at least 4.5:1 contrast and lines and bars at least 3:1 (WCAG AA).
INK = "#1d2433"
MUTED = "#556070"
GRID = "#d5dbe3"
BACKGROUND = "#ffffff"
COMPANY = "#1f5fbf"
OTHER = "#dbe6f7"
OTHER_EDGE = "#556070"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"


@dataclass(frozen=True)
class Style:
    colour: str
    dash: tuple[float, ...]
    marker: str


# Colour, dash pattern and marker differ together, so each series reads in greyscale too.
SERIES_STYLES = (
    Style("#1f5fbf", (), "circle"),
    Style("#8a4b00", (7, 4), "square"),
    Style("#1a7f37", (2, 3), "diamond"),
)
BAR_COLOUR = "#1f5fbf"


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    anchor: str = "start"
    size: float = 12
    bold: bool = False
    fill: str = INK


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str = GRID
    width: float = 1
    dash: tuple[float, ...] = ()


@dataclass(frozen=True)
class Polyline:
    points: tuple[tuple[float, float], ...]
    stroke: str
    width: float = 2.5
    dash: tuple[float, ...] = ()


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str
    stroke: str | None = None


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    shape: str
    fill: str
    size: float = 4.5


Shape = Text | Line | Polyline | Rect | Marker


@dataclass(frozen=True)
class Chart:
    """A laid-out chart; y grows downwards, as in SVG."""

    width: float
    height: float
    title: str
    description: str
    shapes: tuple[Shape, ...]

    def svg(self, chart_id: str) -> SafeString:
        """The chart as inline SVG, labelled for screen readers by its title and description."""
        body = "".join(_svg_shape(shape) for shape in self.shapes)
        return format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {w} {h}" '
            'role="img" aria-labelledby="{id}-title {id}-desc" font-family="{font}" '
            'font-size="12"><title id="{id}-title">{title}</title>'
            '<desc id="{id}-desc">{desc}</desc>'
            '<rect width="{w}" height="{h}" fill="{bg}"/>{body}</svg>',
            w=_n(self.width),
            h=_n(self.height),
            id=chart_id,
            font=FONT,
            title=self.title,
            desc=self.description,
            bg=BACKGROUND,
            # Built from escaped text and the module's own numbers and colours only.
            body=mark_safe(body),
        )


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _dash(dash: tuple[float, ...]) -> str:
    return f' stroke-dasharray="{" ".join(_n(d) for d in dash)}"' if dash else ""


def _svg_shape(shape: Shape) -> str:
    if isinstance(shape, Text):
        weight = ' font-weight="bold"' if shape.bold else ""
        return (
            f'<text x="{_n(shape.x)}" y="{_n(shape.y)}" text-anchor="{shape.anchor}" '
            f'font-size="{_n(shape.size)}" fill="{shape.fill}"{weight}>{escape(shape.text)}</text>'
        )
    if isinstance(shape, Line):
        return (
            f'<line x1="{_n(shape.x1)}" y1="{_n(shape.y1)}" x2="{_n(shape.x2)}" '
            f'y2="{_n(shape.y2)}" stroke="{shape.stroke}" stroke-width="{_n(shape.width)}"'
            f"{_dash(shape.dash)}/>"
        )
    if isinstance(shape, Polyline):
        points = " ".join(f"{_n(x)},{_n(y)}" for x, y in shape.points)
        return (
            f'<polyline points={quoteattr(points)} fill="none" stroke="{shape.stroke}" '
            f'stroke-width="{_n(shape.width)}" stroke-linejoin="round"{_dash(shape.dash)}/>'
        )
    if isinstance(shape, Rect):
        stroke = f' stroke="{shape.stroke}"' if shape.stroke else ""
        return (
            f'<rect x="{_n(shape.x)}" y="{_n(shape.y)}" width="{_n(shape.width)}" '
            f'height="{_n(shape.height)}" fill="{shape.fill}"{stroke}/>'
        )
    size, x, y = shape.size, shape.x, shape.y
    if shape.shape == "square":
        return (
            f'<rect x="{_n(x - size)}" y="{_n(y - size)}" width="{_n(2 * size)}" '
            f'height="{_n(2 * size)}" fill="{shape.fill}" stroke="{BACKGROUND}"/>'
        )
    if shape.shape == "diamond":
        points = " ".join(f"{_n(px)},{_n(py)}" for px, py in diamond_points(x, y, size + 1))
        return f'<polygon points="{points}" fill="{shape.fill}" stroke="{BACKGROUND}"/>'
    return (
        f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(size)}" fill="{shape.fill}" '
        f'stroke="{BACKGROUND}"/>'
    )


def diamond_points(x: float, y: float, size: float) -> list[tuple[float, float]]:
    return [(x, y - size), (x + size, y), (x, y + size), (x - size, y)]


# Layout helpers ----------------------------------------------------------------------------

Formatter = Callable[[float], str]


def plain_number(value: float) -> str:
    return f"{value:,.0f}"


def nice_step(span: float, count: int) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) that cuts `span` into about
    `count` parts."""
    raw = span / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def nice_ticks(low: float, high: float, *, from_zero: bool, count: int = 4) -> list[float]:
    """Round tick values from at or below `low` to at or above `high`."""
    if from_zero:
        low = min(low, 0)
    if high == low:
        high, low = high + 1, max(low - 1, 0) if from_zero or low >= 1 else low - 1
    step = nice_step(high - low, count)
    first = math.floor(low / step) * step
    last = math.ceil(high / step) * step
    ticks, value = [], first
    while value <= last + step / 2:
        ticks.append(round(value, 6))
        value += step
    return ticks


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _spread(wanted: list[tuple[float, int]], gap: float, low: float, high: float) -> list[float]:
    """Move labels' y positions apart by at least `gap`, keeping them between low and high."""
    order = sorted(range(len(wanted)), key=lambda index: wanted[index][0])
    placed = [0.0] * len(wanted)
    last = low - gap
    for index in order:
        y = max(wanted[index][0], last + gap)
        placed[index] = y
        last = y
    overflow = last - high
    if overflow > 0:
        placed = [y - overflow for y in placed]
    return placed


def _tick_indexes(count: int, most: int) -> list[int]:
    """Evenly spaced indexes to label, the first and the last among them."""
    if count <= most:
        return list(range(count))
    step = math.ceil(count / most)
    indexes = list(range(0, count, step))
    if indexes[-1] != count - 1:
        if count - 1 - indexes[-1] < step:
            indexes[-1] = count - 1
        else:
            indexes.append(count - 1)
    return indexes


def _heading(title: str, width: float) -> list[Shape]:
    return [Text(12, 24, truncate(title, int(width / 8.5)), size=15, bold=True)]


# Line chart --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]


def line_chart(
    *,
    title: str,
    description: str,
    x_labels: Sequence[str],
    series: Sequence[Series],
    y_label: str,
    x_label: str,
    formatter: Formatter = plain_number,
    from_zero: bool = False,
    width: float = 720,
    height: float = 330,
) -> Chart:
    """Lines over time. Missing values break the line; a lone value is a marker."""
    left, right, top, bottom = 70.0, 170.0, 92.0, 56.0
    plot_width, plot_height = width - left - right, height - top - bottom
    shapes: list[Shape] = _heading(title, width)
    count = len(x_labels)
    gaps = any(value is None for line in series for value in line.values)

    # Legend: a sample of each line with its marker, then what a gap means.
    x = 12.0
    for index, line in enumerate(series):
        style = SERIES_STYLES[index % len(SERIES_STYLES)]
        shapes.append(Line(x, 44, x + 26, 44, stroke=style.colour, width=2.5, dash=style.dash))
        shapes.append(Marker(x + 13, 44, style.marker, style.colour))
        shapes.append(Text(x + 32, 48, line.name))
        x += 44 + 7.2 * len(line.name)
    if gaps:
        shapes.append(Text(x, 48, _("A gap in a line: no data for those days"), fill=MUTED))
    shapes.append(Text(12, 72, y_label, fill=MUTED))

    known = [value for line in series for value in line.values if value is not None]
    bottom_y = top + plot_height
    shapes.append(Line(left, bottom_y, left + plot_width, bottom_y, stroke=MUTED))
    shapes.append(Text(left + plot_width / 2, height - 10, x_label, anchor="middle", fill=MUTED))
    if not known or not count:
        shapes.append(
            Text(
                left + plot_width / 2,
                top + plot_height / 2,
                _("No data for this period"),
                anchor="middle",
                size=14,
                fill=MUTED,
            )
        )
        return Chart(width, height, title, description, tuple(shapes))

    ticks = nice_ticks(min(known), max(known), from_zero=from_zero)
    low, high = ticks[0], ticks[-1]

    def y_of(value: float) -> float:
        return top + plot_height - (value - low) / (high - low) * plot_height

    def x_of(index: int) -> float:
        return left + (index / (count - 1) * plot_width if count > 1 else plot_width / 2)

    for tick in ticks:
        shapes.append(Line(left, y_of(tick), left + plot_width, y_of(tick)))
        shapes.append(Text(left - 8, y_of(tick) + 4, formatter(tick), anchor="end", fill=MUTED))
    for index in _tick_indexes(count, 7):
        shapes.append(Line(x_of(index), bottom_y, x_of(index), bottom_y + 5, stroke=MUTED))
        shapes.append(
            Text(x_of(index), bottom_y + 20, x_labels[index], anchor="middle", fill=MUTED)
        )

    end_labels: list[tuple[float, int]] = []
    end_texts: list[tuple[str, str]] = []
    write_values = len(series) == 1 and sum(v is not None for v in series[0].values) <= 16
    for number, line in enumerate(series):
        style = SERIES_STYLES[number % len(SERIES_STYLES)]
        segment: list[tuple[float, float]] = []
        segments: list[list[tuple[float, float]]] = []
        for index, value in enumerate(line.values):
            if value is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            segment.append((x_of(index), y_of(value)))
        if segment:
            segments.append(segment)
        for part in segments:
            if len(part) > 1:
                shapes.append(Polyline(tuple(part), stroke=style.colour, dash=style.dash))
        many = count > 62
        for part in segments:
            points = [part[0], part[-1]] if many and len(part) > 1 else part
            shapes.extend(Marker(px, py, style.marker, style.colour) for px, py in points)
        if write_values:
            for index, value in enumerate(line.values):
                if value is not None:
                    shapes.append(
                        Text(x_of(index), y_of(value) - 10, formatter(value), anchor="middle")
                    )
        last = next(
            ((i, v) for i, v in reversed(list(enumerate(line.values))) if v is not None), None
        )
        # With every value written at its point, a label at the end would only repeat one.
        if last is not None and not write_values:
            end_labels.append((y_of(last[1]) + 4, number))
            end_texts.append((f"{formatter(last[1])} {line.name}", style.colour))
    for y, (text, colour) in zip(_spread(end_labels, 16, top, bottom_y), end_texts, strict=True):
        shapes.append(Text(left + plot_width + 10, y, truncate(text, 24), fill=INK))
        shapes.append(Line(left + plot_width + 2, y - 4, left + plot_width + 8, y - 4, colour, 2))
    return Chart(width, height, title, description, tuple(shapes))


# Bar chart ---------------------------------------------------------------------------------


def bar_chart(
    *,
    title: str,
    description: str,
    bars: Sequence[tuple[str, float | None]],
    value_label: str,
    formatter: Formatter = plain_number,
    width: float = 720,
) -> Chart:
    """Horizontal bars, one per row, each with its value written at its end."""
    label_width, row_height, top = 220.0, 28.0, 56.0
    left, right = label_width + 12, 96.0
    height = top + max(len(bars), 1) * row_height + 40
    shapes: list[Shape] = _heading(title, width)
    shapes.append(Text(left, height - 12, value_label, fill=MUTED))
    if not bars:
        shapes.append(Text(width / 2, top + 18, _("Nothing in this period"), anchor="middle"))
        return Chart(width, height, title, description, tuple(shapes))
    highest = max((value for _label, value in bars if value is not None), default=0)
    scale = (width - left - right) / highest if highest else 0
    for index, (label, value) in enumerate(bars):
        y = top + index * row_height
        shapes.append(Text(label_width, y + 18, truncate(label, 30), anchor="end"))
        if value is None:
            shapes.append(Text(left + 6, y + 18, _("n/a"), fill=MUTED))
            continue
        length = value * scale
        shapes.append(Rect(left, y + 5, max(length, 1), row_height - 10, fill=BAR_COLOUR))
        shapes.append(Text(left + length + 6, y + 18, formatter(value), bold=True))
    shapes.append(Line(left, top, left, top + len(bars) * row_height, stroke=MUTED))
    return Chart(width, height, title, description, tuple(shapes))


# The 80/20 mix -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MixRow:
    name: str
    posts: int
    company_posts: int
    company_pct: float | None
    other_pct: float | None


def mix_chart(
    *,
    title: str,
    description: str,
    rows: Sequence[MixRow],
    target_pct: float,
    width: float = 720,
) -> Chart:
    """One stacked bar per row: the share about the company, dark, and everything else,
    light; the percentages are written beside each bar, the target is a dashed line."""
    label_width, row_height, top = 190.0, 30.0, 84.0
    left, bar_width = label_width + 12, 260.0
    height = top + max(len(rows), 1) * row_height + 20
    shapes: list[Shape] = _heading(title, width)
    shapes.append(Rect(12, 36, 14, 14, fill=COMPANY))
    shapes.append(Text(32, 48, _("About the company")))
    shapes.append(Rect(170, 36, 14, 14, fill=OTHER, stroke=OTHER_EDGE))
    shapes.append(Text(190, 48, _("Everything else")))
    shapes.append(Line(316, 43, 342, 43, stroke=INK, width=2, dash=(5, 3)))
    target_text = _("Target: %(pct)s %% about the company") % {"pct": _n(target_pct)}
    shapes.append(Text(348, 48, target_text))
    target_x = left + bar_width * target_pct / 100
    for index, row in enumerate(rows):
        y = top + index * row_height
        shapes.append(Text(label_width, y + 19, truncate(row.name, 26), anchor="end"))
        if not row.posts or row.company_pct is None:
            shapes.append(Rect(left, y + 6, bar_width, row_height - 12, BACKGROUND, MUTED))
            shapes.append(Text(left + bar_width + 10, y + 19, _("No posts"), fill=MUTED))
            continue
        company = bar_width * row.company_pct / 100
        shapes.append(Rect(left, y + 6, bar_width, row_height - 12, OTHER, OTHER_EDGE))
        if company:
            shapes.append(Rect(left, y + 6, company, row_height - 12, COMPANY))
        text = ngettext(
            "%(company)s %% company, %(other)s %% else (%(posts)s post)",
            "%(company)s %% company, %(other)s %% else (%(posts)s posts)",
            row.posts,
        ) % {
            "company": _n(row.company_pct),
            "other": _n(row.other_pct or 0),
            "posts": f"{row.posts:,}",
        }
        shapes.append(Text(left + bar_width + 10, y + 19, text))
    bottom = top + len(rows) * row_height
    shapes.append(Line(target_x, top - 6, target_x, bottom, stroke=INK, width=2, dash=(5, 3)))
    return Chart(width, height, title, description, tuple(shapes))
