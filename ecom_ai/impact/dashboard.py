"""What the admin's Impact page and its CSV export show, built from :func:`ecom_ai.impact.metrics.report`."""
from __future__ import annotations

import csv
import io
from collections import defaultdict

from django.utils.translation import gettext

from ecom_ai.impact.charts import line_chart

__all__ = ["charts", "csv_text", "copy_label", "summary_lines"]


def copy_label(row: dict) -> str:
    return gettext("campaign %(c)s · copy %(id)s (variant %(v)s)") % {"c": row.get("campaign_id"), "id": row.get("copy_id"),
                                                                       "v": row.get("variant")}


def _series(rows, key, value) -> dict[str, dict[str, float | None]]:
    out: dict[str, dict[str, float | None]] = defaultdict(dict)
    for r in rows:
        out[key(r)][r["day"]] = value(r)
    return dict(out)


def charts(report: dict) -> dict:
    """The page's charts, one per figure, each an SVG built with format_html."""
    rec = report["recommendations"]["daily"]
    camp = report["campaigns"]["daily"]
    inq = report["inquiries"]["daily"]
    version = lambda r: r["model_version"] or gettext("(no version)")  # noqa: E731
    return {
        "rec_impressions": line_chart(gettext("Recommendations: impressions per day"), _series(rec, version, lambda r: r["impressions"])),
        "rec_ctr": line_chart(gettext("Recommendations: click-through rate"), _series(rec, version, lambda r: r["ctr"]), percent=True),
        "rec_revenue": line_chart(gettext("Recommendations: attributed revenue"), _series(rec, version, lambda r: float(r["revenue"]))),
        "camp_clicks": line_chart(gettext("Campaign copy: clicks per day"), _series(camp, copy_label, lambda r: r["clicks"])),
        "camp_orders": line_chart(gettext("Campaign copy: orders per day"), _series(camp, copy_label, lambda r: r["orders"])),
        "inq_outcomes": line_chart(gettext("Reply drafts: approved unchanged, edited, handed over"), {
            gettext("unchanged"): {r["day"]: r["unchanged"] for r in inq},
            gettext("edited"): {r["day"]: r["edited"] for r in inq},
            gettext("handed over"): {r["day"]: r["handed_over"] for r in inq}}),
        "inq_minutes": line_chart(gettext("Minutes from inquiry to sent reply (median)"),
                                  {gettext("median"): {r["day"]: r["median_minutes_to_reply"] for r in inq}}),
    }


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text   # no formulas in a spreadsheet


def csv_text(report: dict) -> str:
    """One row per feature, day, version or copy and figure."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["feature", "day", "model_version", "campaign_id", "copy_id", "variant", "metric", "value"])
    funnel = ("impressions", "clicks", "carts", "orders", "revenue", "ctr", "cart_rate", "order_rate")
    for feature, rows in (("recommendations", report["recommendations"]["daily"]), ("campaigns", report["campaigns"]["daily"])):
        for r in rows:
            for metric in funnel:
                w.writerow([_cell(x) for x in (feature, r["day"], r.get("model_version", ""), r.get("campaign_id"),
                                              r.get("copy_id"), r.get("variant"), metric, r[metric])])
    for r in report["inquiries"]["daily"]:
        for metric in ("unchanged", "edited", "handed_over", "mean_edit_distance", "median_minutes_to_reply", "replies_sent"):
            w.writerow([_cell(x) for x in ("inquiries", r["day"], "", "", "", "", metric, r[metric])])
    for a in report["feedback"]["actions"]:
        for metric in ("reviews_before", "share_before", "reviews_after", "share_after", "difference", "p_value"):
            w.writerow([_cell(x) for x in ("feedback", a["done_at"][:10], "", "", "", "", f"{a['aspect']}@{a['target']}:{metric}",
                                          a[metric])])
    for ro in report["experiments"]:
        for arm in ro["arms"]:
            for metric in ("customers", "successes", "rate"):
                w.writerow([_cell(x) for x in (f"experiment:{ro['experiment']}", "", arm["serves"] if ro["kind"] == "recommender" else "",
                                              "", arm["serves"] if ro["kind"] == "copy" else "", "", f"{arm['name']}:{metric}", arm[metric])])
        for c in ro["comparisons"]:
            for metric in ("difference", "ci_low", "ci_high", "p_value"):
                w.writerow([_cell(x) for x in (f"experiment:{ro['experiment']}", "", "", "", "", "", f"{c['arm']}-{c['control']}:{metric}", c[metric])])
    return buf.getvalue()


def _p(value) -> str:
    return "-" if value is None else f"{value:.2%}"


def summary_lines(report: dict) -> list[str]:
    """The report as plain text lines for the command line."""
    lines = [gettext("Impact from %(since)s to %(until)s") % {"since": report["since"][:10], "until": report["until"][:10]},
             gettext("Recommendations (per model version): impressions, click-through, add-to-cart rate, orders, revenue")]
    for r in report["recommendations"]["by_version"]:
        lines.append(f"  {r['model_version'] or '-':<24}{r['impressions']:>8}{_p(r['ctr']):>9}{_p(r['cart_rate']):>9}"
                     f"{r['orders']:>7}{r['revenue']:>12}")
    lines.append(gettext("Campaign copy: impressions, clicks, click-through, orders, revenue"))
    for r in report["campaigns"]["by_copy"]:
        lines.append(f"  {copy_label(r):<40}{r['impressions']:>8}{r['clicks']:>7}{_p(r['ctr']):>9}{r['orders']:>7}{r['revenue']:>12}")
    t = report["inquiries"]["totals"]
    lines.append(gettext("Inquiries: %(u)d approved unchanged, %(e)d edited (median edit %(d)s characters), %(h)d handed over; "
                         "median %(m)s minutes to a sent reply; %(a)d of %(o)d customers who asked about an order asked again within 24 h")
                 % {"u": t["unchanged"], "e": t["edited"], "d": "-" if t["median_edit_distance"] is None else f"{t['median_edit_distance']:.0f}",
                    "h": t["handed_over"], "m": "-" if t["median_minutes_to_reply"] is None else f"{t['median_minutes_to_reply']:.1f}",
                    "a": t["customers_asked_again"], "o": t["customers_about_orders"]})
    if report["feedback"]["note"]:
        lines.append(gettext("Feedback: %(note)s") % {"note": report["feedback"]["note"]})
    else:
        lines.append(gettext("Feedback: share of reviews blaming each aspect before and after its improvement action was done"))
    for a in report["feedback"]["actions"]:
        lines.append(f"  {a['label'] or a['aspect']:<10}{a['target'][:28]:<30}{a['done_at'][:10]:<12}"
                     f"{_p(a['share_before']):>9} ({a['reviews_before']}){_p(a['share_after']):>9} ({a['reviews_after']})  {a['verdict']}")
    for ro in report["experiments"]:
        lines.append(gettext("Experiment %(name)s (%(metric)s): %(verdict)s") % {"name": ro["experiment"], "metric": ro["metric"],
                                                                              "verdict": ro["verdict"]})
        for a in ro["arms"]:
            lines.append(f"  {a['name']:<12}{str(a['serves']):<24}{a['customers']:>7}{a['successes']:>7}{_p(a['rate']):>9}")
        for c in ro["comparisons"]:
            lines.append(f"  {c['arm']} - {c['control']}: {c['difference']:+.2%} [{c['ci_low']:+.2%}, {c['ci_high']:+.2%}] "
                         f"p={c['p_value']:.4f}")
    return lines
