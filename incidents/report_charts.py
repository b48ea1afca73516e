"""Server-rendered SVG charts of the incident report and its dashboard widget.

They reuse the drawing helpers of the service reports (``service_levels.report_charts``: axes, ticks,
legend, the accessible ``<svg role="img">`` with ``<title>`` and ``<desc>``), so every chart in the
product looks alike; the page shows the numbers in a table next to each chart.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from service_levels import report_charts as charts

from .reports import Day, RequestDay

CREATED_CSS = "var(--bs-primary)"
RESOLVED_CSS = "var(--bs-success)"
SPARK_WIDTH = 280
SPARK_HEIGHT = 56
SPARK_PAD = 4


def _day_label(day: Day) -> str:
    return day.day.strftime("%m-%d")


def count_line_chart(
    *, title: str, description: str, labels: Sequence[str], series: Sequence[charts.Series], testid: str
) -> SafeString:
    """Counts per day as lines with dots, from zero, each dot titled with its day and count."""
    high = float(max([float(v) for s in series for v in s.values if v is not None] + [1.0]))
    ticks = [t for t in charts._ticks(0.0, high) if float(t).is_integer()]  # counts: whole numbers
    high = max(high, ticks[-1]) if ticks else high
    xs = charts._x_positions(len(labels))
    parts = [charts._axes(labels, 0.0, high, ticks, "")]
    for s in series:
        points = [(x, float(v)) for x, v in zip(xs, s.values, strict=True) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{charts._fmt(x)},{charts._fmt(charts._scale(v, 0.0, high))}" for x, v in points)
            parts.append(
                format_html(
                    '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"{}/>',
                    path,
                    s.css,
                    SafeString(' stroke-dasharray="4 3"') if s.dashed else "",
                )
            )
        parts.append(
            format_html_join(
                "",
                '<circle cx="{}" cy="{}" r="3" fill="{}"><title>{}: {}</title></circle>',
                (
                    (
                        charts._fmt(x),
                        charts._fmt(charts._scale(float(v), 0.0, high)),
                        s.css,
                        f"{s.label} {label}",
                        v,
                    )
                    for x, v, label in zip(xs, s.values, labels, strict=True)
                    if v is not None
                ),
            )
        )
    parts.append(charts._legend(series, ()))
    return charts._svg(title, description, SafeString("".join(parts)), testid)


def created_resolved_chart(days: Sequence[Day], *, testid: str = "created-resolved-chart") -> SafeString:
    return count_line_chart(
        title=_("Incidents created and resolved per day"),
        description=_(
            "Incidents logged and resolved on each day of the period; the table gives the numbers."
        ),
        labels=[_day_label(d) for d in days],
        series=[
            charts.Series(_("Created"), [d.created for d in days], CREATED_CSS),
            charts.Series(_("Resolved"), [d.resolved for d in days], RESOLVED_CSS, dashed=True),
        ],
        testid=testid,
    )


def requests_chart(days: Sequence[RequestDay]) -> SafeString:
    return count_line_chart(
        title=_("Service requests created and fulfilled per day"),
        description=_(
            "Service requests made and fulfilled on each day of the period; the table gives the numbers."
        ),
        labels=[d.day.strftime("%m-%d") for d in days],
        series=[
            charts.Series(_("Created"), [d.created for d in days], CREATED_CSS),
            charts.Series(_("Fulfilled"), [d.fulfilled for d in days], RESOLVED_CSS, dashed=True),
        ],
        testid="requests-chart",
    )


def open_by_priority_chart(labels: Sequence[str], values: Sequence[int]) -> SafeString:
    return charts.bar_chart(
        title=_("Open incidents by priority"),
        description=_("Incidents open now, per priority; the table gives the numbers."),
        labels=labels,
        values=values,
        css="var(--bs-danger)",
        testid="open-priority-chart",
    )


def sparkline(days: Sequence[Day], *, testid: str = "widget-sparkline") -> SafeString:
    """Two small lines (created, resolved) without axes for the dashboard widget."""
    high = float(max([d.created for d in days] + [d.resolved for d in days] + [1]))
    step = (SPARK_WIDTH - 2 * SPARK_PAD) / max(len(days) - 1, 1)

    def y(value: int) -> str:
        return charts._fmt(SPARK_HEIGHT - SPARK_PAD - (SPARK_HEIGHT - 2 * SPARK_PAD) * value / high)

    def line(values: list[int], css: str, dashed: bool) -> SafeString:
        points = " ".join(f"{charts._fmt(SPARK_PAD + step * i)},{y(v)}" for i, v in enumerate(values))
        return format_html(
            '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"{}/>',
            points,
            css,
            SafeString(' stroke-dasharray="4 3"') if dashed else "",
        )

    created = sum(d.created for d in days)
    resolved = sum(d.resolved for d in days)
    return format_html(
        '<svg class="w-100 h-auto" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-t" data-testid="{}" '
        'preserveAspectRatio="none" xmlns="http://www.w3.org/2000/svg"><title id="{}-t">{}</title>{}{}</svg>',
        SPARK_WIDTH,
        SPARK_HEIGHT,
        testid,
        testid,
        testid,
        _("%(created)s incidents created and %(resolved)s resolved in the last %(days)s days")
        % {"created": created, "resolved": resolved, "days": len(days)},
        line([d.created for d in days], CREATED_CSS, False),
        line([d.resolved for d in days], RESOLVED_CSS, True),
    )
