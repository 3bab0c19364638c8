"""Small inline SVG line charts for the Impact page, built with ``format_html`` (every label escaped)."""
from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

__all__ = ["line_chart"]

COLOURS = ("#417690", "#e07b39", "#3a9d5d", "#b0413e", "#7b5ea7", "#8c8c8c")
W, H, PAD_L, PAD_B, PAD_T, PAD_R = 640, 200, 48, 28, 12, 12


def _fmt(value: float, percent: bool) -> str:
    return f"{value:.1%}" if percent else (f"{value:,.0f}" if value >= 10 else f"{value:,.2g}")


def line_chart(title: str, series: dict[str, dict[str, float | None]], *, percent: bool = False):
    """An SVG chart of ``series`` (label -> {day (ISO) -> value}); days without a value leave a gap."""
    days = sorted({d for points in series.values() for d in points})
    values = [v for points in series.values() for v in points.values() if v is not None]
    if not days or not values:
        return format_html('<p class="help">{}: {}</p>', title, gettext("no data in this period"))
    top = max(values) or 1.0
    step = (W - PAD_L - PAD_R) / max(1, len(days) - 1)

    def xy(i, v):
        return PAD_L + i * step, PAD_T + (H - PAD_T - PAD_B) * (1 - v / top)

    lines = []
    for n, (label, points) in enumerate(series.items()):
        coords = [xy(i, points[d]) for i, d in enumerate(days) if points.get(d) is not None]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        colour = COLOURS[n % len(COLOURS)]
        dots = format_html_join("", '<circle cx="{}" cy="{}" r="2.5" fill="{}"></circle>',
                                ((f"{x:.1f}", f"{y:.1f}", colour) for x, y in coords))
        lines.append(format_html('<polyline fill="none" stroke="{}" stroke-width="2" points="{}"></polyline>{}',
                                 colour, path, dots))
    legend = format_html_join(" ", '<span style="color:{}">&#9632; {}</span>',
                              ((COLOURS[n % len(COLOURS)], label) for n, label in enumerate(series)))
    axis = format_html(
        '<line x1="{l}" y1="{b}" x2="{r}" y2="{b}" stroke="#999"></line><line x1="{l}" y1="{t}" x2="{l}" y2="{b}" stroke="#999"></line>'
        '<text x="{tx}" y="{ty}" font-size="10" text-anchor="end">{top}</text><text x="{tx}" y="{b}" font-size="10" text-anchor="end">0</text>'
        '<text x="{l}" y="{dy}" font-size="10">{first}</text><text x="{r}" y="{dy}" font-size="10" text-anchor="end">{last}</text>',
        l=PAD_L, r=W - PAD_R, t=PAD_T, b=H - PAD_B, tx=PAD_L - 4, ty=PAD_T + 8, top=_fmt(top, percent), dy=H - 8,
        first=days[0], last=days[-1])
    return format_html('<figure class="ecom-ai-chart"><figcaption><strong>{}</strong> {}</figcaption>'
                       '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" role="img" '
                       'aria-label="{}">{}{}</svg></figure>',
                       title, legend, W, H, W, H, title, axis, format_html_join("", "{}", ((x,) for x in lines)))
