"""A run's figures drawn inline, built with ``format_html`` (every value escaped): the loss curve (train and
eval loss by step) and the recommender's model-selection report (a table and a bar chart of its candidates)."""
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


#: the columns of a recommender run's ``metrics["candidates"]`` rows
CANDIDATE_SCORES = ("ndcg@10", "recall@10", "coverage")


def _figure(value, digits: int = 4) -> str:
    x = _num(value)
    return "-" if x is None else f"{x:.{digits}f}"


def candidates_table(rows):
    """The model-selection report as a table: model, NDCG@10, recall@10, coverage, fit time, served."""
    rows = [r for r in rows or [] if isinstance(r, dict)]
    if not rows:
        return ""
    body = format_html_join("", '<tr{}><th>{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>', (
        (format_html(' class="{}"', "ecom-ai-served") if r.get("served") else "", str(r.get("model", "-")),
         _figure(r.get("ndcg@10")), _figure(r.get("recall@10")), _figure(r.get("coverage")), _figure(r.get("fit_s"), 2),
         _("serving") if r.get("served") else "")
        for r in rows))
    return format_html(
        '<table class="ecom-ai-candidates"><thead><tr><th>{}</th><th>NDCG@10</th><th>{}</th><th>{}</th><th>{}</th>'
        "<th>{}</th></tr></thead><tbody>{}</tbody></table>",
        _("model"), _("recall@10"), _("coverage"), _("fit (s)"), _("served"), body)


def candidates_chart_svg(rows, *, width: int = 640, bar: int = 12):
    """Horizontal bars of NDCG@10, recall@10 and coverage per candidate (0–1); the served one in bold."""
    rows = [r for r in rows or [] if isinstance(r, dict)]
    if not rows:
        return ""
    colours = ("#417690", "#ba2121", "#79aec8")
    left, right, top, gap = 170, 60, 22, 10
    plot_w = width - left - right
    height = top + len(rows) * (bar * len(CANDIDATE_SCORES) + gap) + 6
    parts = []
    for i, r in enumerate(rows):
        y0 = top + i * (bar * len(CANDIDATE_SCORES) + gap)
        weight = "bold" if r.get("served") else "normal"
        parts.append(format_html('<text x="{}" y="{}" text-anchor="end" font-size="12" font-weight="{}">{}</text>',
                                 left - 8, y0 + bar * len(CANDIDATE_SCORES) / 2 + 4, weight, str(r.get("model", "-"))))
        for j, (key, colour) in enumerate(zip(CANDIDATE_SCORES, colours)):
            value = min(1.0, max(0.0, _num(r.get(key)) or 0.0))
            y = y0 + j * bar
            parts.append(format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>'
                '<text x="{}" y="{}" font-size="10" fill="#666">{}</text>',
                left, y, f"{plot_w * value:.1f}", bar - 2, colour, key, _figure(r.get(key)),
                f"{left + plot_w * value + 4:.1f}", y + bar - 3, _figure(r.get(key), 3)))
    legend = format_html_join("", '<rect x="{}" y="4" width="12" height="8" fill="{}"/><text x="{}" y="12" font-size="11">{}</text>',
                              ((left + 120 * k, colour, left + 16 + 120 * k, label)
                               for k, (label, colour) in enumerate(zip(("NDCG@10", _("recall@10"), _("coverage")), colours))))
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="ecom-ai-candidates-chart" width="{w}" height="{h}" '
        'viewBox="0 0 {w} {h}" role="img" aria-label="{label}">{legend}{bars}</svg>',
        w=width, h=height, label=_("Models compared"), legend=legend, bars=format_html_join("", "{}", ((p,) for p in parts)))


__all__ = ["loss_curve_svg", "candidates_table", "candidates_chart_svg"]
