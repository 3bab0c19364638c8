"""The loss curve of a run as an inline SVG (train and eval loss by step), built with ``format_html``."""
from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

SERIES = (("train_loss", "#417690"), ("eval_loss", "#ba2121"))


def _num(value) -> float | None:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if x == x and abs(x) != float("inf") else None


def loss_curve_svg(history, *, width: int = 640, height: int = 260):
    """An SVG of ``[{step, train_loss, eval_loss}]``; an empty string when there are no points."""
    points = {name: [] for name, _c in SERIES}
    for row in history or []:
        if not isinstance(row, dict):
            continue
        step = _num(row.get("step"))
        if step is None:
            continue
        for name, _c in SERIES:
            y = _num(row.get(name))
            if y is not None:
                points[name].append((step, y))
    every = [p for series in points.values() for p in series]
    if not every:
        return ""
    left, right, top, bottom = 52, 14, 14, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    x_max = max(s for s, _y in every) or 1.0
    y_min, y_max = min(y for _s, y in every), max(y for _s, y in every)
    if y_max - y_min < 1e-9:
        y_min, y_max = y_min - 0.5, y_max + 0.5
    pad = (y_max - y_min) * 0.05
    y_min, y_max = max(0.0, y_min - pad), y_max + pad

    def sx(step):
        return left + plot_w * step / x_max

    def sy(y):
        return top + plot_h * (1 - (y - y_min) / (y_max - y_min))

    lines = []
    for name, colour in SERIES:
        series = sorted(points[name])
        if not series:
            continue
        coords = " ".join(f"{sx(s):.1f},{sy(y):.1f}" for s, y in series)
        dots = format_html_join("", '<circle cx="{}" cy="{}" r="2.5" fill="{}"><title>{} {}: {}</title></circle>',
                                ((f"{sx(s):.1f}", f"{sy(y):.1f}", colour, _("step"), int(s), f"{y:.4f}") for s, y in series))
        lines.append(format_html('<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>{}', colour, coords, dots))
    ticks = []
    for i in range(5):
        y = y_min + (y_max - y_min) * i / 4
        ticks.append((left - 6, f"{sy(y) + 4:.1f}", f"{y:.2f}", left, f"{sy(y):.1f}", left + plot_w, f"{sy(y):.1f}"))
    y_axis = format_html_join("", '<text x="{}" y="{}" text-anchor="end" font-size="11" fill="#666">{}</text>'
                                  '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#eee"/>', ticks)
    x_ticks = format_html_join("", '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="#666">{}</text>',
                               ((f"{sx(x_max * i / 4):.1f}", height - bottom + 16, int(round(x_max * i / 4))) for i in range(5)))
    legend = format_html_join("", '<rect x="{}" y="{}" width="12" height="3" fill="{}"/><text x="{}" y="{}" font-size="11">{}</text>',
                              ((left + 10 + 110 * i, top + 6, colour, left + 26 + 110 * i, top + 10, label)
                               for i, (label, colour) in enumerate(((_("train loss"), SERIES[0][1]),
                                                                    (_("eval loss"), SERIES[1][1])))))
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="ecom-ai-loss-curve" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
        'role="img" aria-label="{label}"><rect x="{l}" y="{t}" width="{pw}" height="{ph}" fill="#fff" stroke="#ccc"/>'
        '{y_axis}{x_ticks}{lines}{legend}<text x="{cx}" y="{by}" text-anchor="middle" font-size="11" fill="#666">{step}</text></svg>',
        w=width, h=height, label=_("Loss by step"), l=left, t=top, pw=plot_w, ph=plot_h, y_axis=y_axis, x_ticks=x_ticks,
        lines=format_html_join("", "{}", ((line,) for line in lines)), legend=legend, cx=f"{left + plot_w / 2:.1f}",
        by=height - 4, step=_("step"))


__all__ = ["loss_curve_svg"]
