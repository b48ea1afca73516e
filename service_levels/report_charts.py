"""Server-rendered SVG charts of the service reports (the same markup serves the page and a PDF).

Every chart is an ``<svg role="img">`` with a ``<title>`` and ``<desc>``; the page shows the numbers in
a table next to it, so nobody depends on reading the drawing. Values are numbers computed by
``service_levels.reports``; a missing value (no clock in that month) leaves a gap, never a zero.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH = 720
HEIGHT = 240
LEFT = 44
RIGHT = 12
TOP = 30
BOTTOM = 30

Number = int | float | Decimal


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[Number | None]
    css: str  # a CSS colour (Bootstrap variables keep light and dark themes readable)
    dashed: bool = False


@dataclass(frozen=True)
class ReferenceLine:
    label: str
    value: Number
    css: str


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def _scale(value: float, low: float, high: float) -> float:
    span = (high - low) or 1.0
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - (value - low) / span)


def _x_positions(count: int) -> list[float]:
    inner = WIDTH - LEFT - RIGHT
    step = inner / max(count, 1)
    return [LEFT + step * (i + 0.5) for i in range(count)]


def _axes(labels: Sequence[str], low: float, high: float, ticks: list[float], suffix: str) -> SafeString:
    xs = _x_positions(len(labels))
    grid = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" class="chart-grid" stroke="var(--bs-border-color)" '
        'stroke-width="1"/><text x="{}" y="{}" text-anchor="end" font-size="11" '
        'fill="var(--bs-secondary-color)">{}{}</text>',
        (
            (
                LEFT,
                WIDTH - RIGHT,
                _fmt(_scale(t, low, high)),
                _fmt(_scale(t, low, high)),
                LEFT - 4,
                _fmt(_scale(t, low, high) + 4),
                _tick_label(t),
                suffix,
            )
            for t in ticks
        ),
    )
    every = max(1, math.ceil(len(labels) / 12))
    x_labels = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="var(--bs-secondary-color)">{}</text>',
        (
            (_fmt(x), HEIGHT - BOTTOM + 16, label)
            for i, (x, label) in enumerate(zip(xs, labels, strict=True))
            if i % every == 0
        ),
    )
    return format_html("{}{}", grid, x_labels)


def _tick_label(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    span = high - low
    if span <= 0:
        return [low]
    raw = span / (count - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.ceil(low / step) * step
    ticks = []
    value = first
    while value <= high + 1e-9:
        ticks.append(round(value, 6))
        value += step
    return ticks


def _svg(title: str, description: str, body: SafeString, testid: str) -> SafeString:
    return format_html(
        '<svg class="report-chart w-100 h-auto" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-t {}-d" '
        'data-testid="{}" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-t">{}</title><desc id="{}-d">{}</desc>{}</svg>',
        WIDTH,
        HEIGHT,
        testid,
        testid,
        testid,
        testid,
        title,
        testid,
        description,
        body,
    )


def percent_line_chart(
    *,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    references: Sequence[ReferenceLine] = (),
    testid: str = "trend-chart",
) -> SafeString:
    """Percentages per period as lines with dots; the axis starts just below the lowest value (or
    reference) so that 95 % and 99 % look different, and says where it starts."""
    values = [float(v) for s in series for v in s.values if v is not None]
    values += [float(r.value) for r in references]
    lowest = min(values) if values else 90.0
    low = max(0.0, math.floor((lowest - 2) / 5) * 5)
    high = 100.0
    xs = _x_positions(len(labels))
    parts = [_axes(labels, low, high, _ticks(low, high), " %")]
    for ref in references:
        y = _fmt(_scale(float(ref.value), low, high))
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1.5" stroke-dasharray="6 4">'
                "<title>{}</title></line>",
                LEFT,
                WIDTH - RIGHT,
                y,
                y,
                ref.css,
                ref.label,
            )
        )
    for s in series:
        points = [(x, v) for x, v in zip(xs, s.values, strict=True)]
        segments: list[list[tuple[float, float]]] = [[]]
        for x, v in points:
            if v is None:
                segments.append([])
            else:
                segments[-1].append((x, _scale(float(v), low, high)))
        for segment in segments:
            if len(segment) > 1:
                path = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in segment)
                parts.append(
                    format_html(
                        '<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5"{}/>',
                        path,
                        s.css,
                        mark_safe(' stroke-dasharray="4 3"') if s.dashed else "",
                    )
                )
        parts.append(
            format_html_join(
                "",
                '<circle cx="{}" cy="{}" r="3.5" fill="{}"><title>{}: {} %</title></circle>',
                (
                    (_fmt(x), _fmt(_scale(float(v), low, high)), s.css, f"{s.label} {label}", v)
                    for (x, v), label in zip(points, labels, strict=True)
                    if v is not None
                ),
            )
        )
    parts.append(_legend(series, references))
    return _svg(title, description, SafeString("".join(parts)), testid)


def _text_width(text: str, size: float = 11) -> float:
    """Rough width of ``text`` in the chart font: wide (CJK) characters count about twice."""
    return sum(size if ord(char) >= 0x2E80 else size * 0.58 for char in text)


def _legend(series: Sequence[Series], references: Sequence[ReferenceLine]) -> SafeString:
    """A row of samples above the plot: each series (solid or dashed) and each reference line."""
    items = [(s.label, s.css, s.dashed, 2.5) for s in series] + [
        (r.label, r.css, True, 1.5) for r in references
    ]
    parts = []
    x = float(LEFT)
    for label, css, dashed, width in items:
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="12" y2="12" stroke="{}" stroke-width="{}"{}/>'
                '<text x="{}" y="16" font-size="11" fill="var(--bs-body-color)">{}</text>',
                _fmt(x),
                _fmt(x + 22),
                css,
                width,
                mark_safe(' stroke-dasharray="5 3"') if dashed else "",
                _fmt(x + 27),
                label,
            )
        )
        x += 27 + _text_width(str(label)) + 18
    return SafeString("".join(parts))


def bar_chart(
    *,
    title: str,
    description: str,
    labels: Sequence[str],
    values: Sequence[Number],
    css: str = "var(--bs-primary)",
    testid: str = "volume-chart",
) -> SafeString:
    """Counts per period as bars from zero, with the count above each bar."""
    high = float(max([*values, 1]))
    ticks = _ticks(0.0, high)
    high = max(high, ticks[-1]) if ticks else high
    xs = _x_positions(len(labels))
    step = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    bar = step * 0.6
    base = _scale(0, 0, high)
    bars = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>'
        '<text x="{}" y="{}" text-anchor="middle" font-size="10" fill="var(--bs-body-color)">{}</text>',
        (
            (
                _fmt(x - bar / 2),
                _fmt(_scale(float(v), 0, high)),
                _fmt(bar),
                _fmt(base - _scale(float(v), 0, high)),
                css,
                label,
                v,
                _fmt(x),
                _fmt(_scale(float(v), 0, high) - 3),
                v,
            )
            for x, v, label in zip(xs, values, labels, strict=True)
        ),
    )
    return _svg(title, description, format_html("{}{}", _axes(labels, 0, high, ticks, ""), bars), testid)
