"""The weekly trend chart of a feedback summary: an inline SVG built with format_html (numbers and dates only)."""
from __future__ import annotations

import math
from typing import Sequence

from django.utils.html import format_html, format_html_join

_SVG_W, _SVG_H, _PAD_L, _PAD_B, _PAD_T = 640, 220, 36, 28, 12
_LINE_COLOURS = ("#1f77b4", "#ff7f0e", "#9467bd")


def trend_svg(trend: list[dict], themes: Sequence[str] = ()) -> str:
    """An inline SVG: stacked weekly bars (positive green, negative red, rest grey) and one line per
    top theme. Built with format_html; only numbers and dates go into the SVG. ``themes``: the
    slugs in the order of the legend (colours follow it)."""
    if not trend:
        return ""
    n_weeks = len(trend)
    top = max(max(row["n"] for row in trend), 1)
    plot_w, plot_h = _SVG_W - _PAD_L - 8, _SVG_H - _PAD_B - _PAD_T
    step = plot_w / n_weeks
    bar_w = max(step * 0.7, 1.0)

    def y(v):
        return round(_PAD_T + plot_h - plot_h * v / top, 1)

    bars = []
    for i, row in enumerate(trend):
        x = round(_PAD_L + i * step + (step - bar_w) / 2, 1)
        neutral = row["n"] - row["positive"] - row["negative"]
        base = row["n"]
        for value, colour in ((neutral, "#bbb"), (row["negative"], "#d62728"), (row["positive"], "#2ca02c")):
            if value > 0:
                bars.append((x, y(base), round(bar_w, 1), round(plot_h * value / top, 1), colour, row["week"], value))
            base -= value
    bar_html = format_html_join("", '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>', bars)
    lines = []
    for k, slug in enumerate(list(themes)[:len(_LINE_COLOURS)]):
        points = " ".join(f"{round(_PAD_L + i * step + step / 2, 1)},{y(int(row['themes'].get(slug, 0)))}" for i, row in enumerate(trend))
        lines.append((points, _LINE_COLOURS[k]))
    line_html = format_html_join("", '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>', lines)
    every = max(1, math.ceil(n_weeks / 8))
    ticks = format_html_join("", '<text x="{}" y="{}" font-size="10" text-anchor="middle">{}</text>',
                             ((round(_PAD_L + i * step + step / 2, 1), _SVG_H - 8, row["week"][5:])
                              for i, row in enumerate(trend) if i % every == 0))
    axis = format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#666"/><text x="4" y="{}" font-size="10">{}</text>'
        '<text x="4" y="{}" font-size="10">0</text>',
        _PAD_L, _PAD_T + plot_h, _SVG_W - 8, _PAD_T + plot_h, _PAD_T + 8, top, _PAD_T + plot_h,
    )
    return format_html(
        '<svg class="ecom-ai-trend" xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" viewBox="0 0 {} {}" '
        'role="img">{}{}{}{}</svg>', _SVG_W, _SVG_H, _SVG_W, _SVG_H, axis, bar_html, line_html, ticks,
    )


def trend_legend_colours(slugs: Sequence[str]) -> list[tuple[str, str]]:
    return list(zip(slugs, _LINE_COLOURS))
