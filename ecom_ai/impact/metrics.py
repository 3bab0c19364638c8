"""Impact per feature, per day: what recommendations, campaign copy and reply drafts did for the shop.

Recommendations and campaigns are counted from :class:`ImpactEvent`; inquiries from the inquiries
feature's rows, read through the app registry (this package imports no other feature). Rates are
None where their denominator is 0.
"""
from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

from django.apps import apps
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext

from ecom_ai.impact.experiments import readouts, two_proportion
from ecom_ai.impact.models import ImpactEvent

__all__ = ["report", "recommendations", "campaigns", "inquiries", "feedback", "edit_distance", "RECONTACT_HOURS"]

RECONTACT_HOURS = 24
EDIT_DISTANCE_CAP = 2000         # characters of the changed middle compared exactly; longer edits count as their length
K = ImpactEvent.Kind


def _rate(num, den):
    return num / den if den else None


def _counts(qs, *group):
    return (qs.values(*group).annotate(
        impressions=Count("id", filter=Q(kind=K.IMPRESSION)), clicks=Count("id", filter=Q(kind=K.CLICK)),
        carts=Count("id", filter=Q(kind=K.ADD_TO_CART)), orders=Count("id", filter=Q(kind=K.ORDER)),
        revenue=Sum("value", filter=Q(kind=K.ORDER))).order_by(*group))


def _finish(row: dict) -> dict:
    row = dict(row)
    row["revenue"] = str((row.get("revenue") or Decimal("0")).quantize(Decimal("0.01")))
    row["ctr"] = _rate(row["clicks"], row["impressions"])
    row["cart_rate"] = _rate(row["carts"], row["impressions"])
    row["order_rate"] = _rate(row["orders"], row["impressions"])
    if "day" in row:
        row["day"] = row["day"].isoformat()
    return row


def _events(source: str, since: datetime, until: datetime):
    return ImpactEvent.objects.filter(source=source, occurred_at__gte=since, occurred_at__lt=until).annotate(
        day=TruncDate("occurred_at"))


def recommendations(since: datetime, until: datetime) -> dict:
    """Impressions, CTR, add-to-cart rate, attributed orders and revenue, per model version (and per day)."""
    qs = _events(ImpactEvent.Source.RECOMMENDATION, since, until)
    return {"by_version": [_finish(r) for r in _counts(qs, "model_version")],
            "daily": [_finish(r) for r in _counts(qs, "day", "model_version")]}


def campaigns(since: datetime, until: datetime) -> dict:
    """Impressions, clicks, orders (redemptions) and revenue per campaign copy variant (and per day)."""
    qs = _events(ImpactEvent.Source.CAMPAIGN, since, until)
    return {"by_copy": [_finish(r) for r in _counts(qs, "campaign_id", "copy_id", "variant")],
            "daily": [_finish(r) for r in _counts(qs, "day", "campaign_id", "copy_id", "variant")]}


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance in characters (the common start and end are skipped first; a changed
    middle longer than ``EDIT_DISTANCE_CAP`` counts as the longer middle's length)."""
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    a, b = a[start:len(a) - end], b[start:len(b) - end]
    if not a or not b or max(len(a), len(b)) > EDIT_DISTANCE_CAP:
        return max(len(a), len(b))
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _day(at: datetime) -> str:
    return timezone.localtime(at).date().isoformat()


def inquiries(since: datetime, until: datetime) -> dict:
    """Reply drafts approved unchanged or edited (with the edit distance) or handed over to a person;
    time from inquiry to sent reply; the share of customers who, after asking about an order, wrote
    again about the same order within 24 hours (a sign the first answer did not resolve it)."""
    Inquiry = apps.get_model("ecom_ai", "Inquiry")
    ReplyDraft = apps.get_model("ecom_ai", "ReplyDraft")
    daily = defaultdict(lambda: {"unchanged": 0, "edited": 0, "handed_over": 0, "distances": [], "minutes": []})
    for text, edited, approved_at in ReplyDraft.objects.filter(approved_at__gte=since, approved_at__lt=until).values_list(
            "text", "edited_text", "approved_at").iterator(chunk_size=2000):
        d = daily[_day(approved_at)]
        if not edited.strip() or edited.strip() == text.strip():
            d["unchanged"] += 1
        else:
            d["edited"] += 1
            d["distances"].append(edit_distance(text.strip(), edited.strip()))
    for created_at in Inquiry.objects.filter(status=Inquiry.Status.HANDED_OVER, created_at__gte=since, created_at__lt=until).values_list(
            "created_at", flat=True):
        daily[_day(created_at)]["handed_over"] += 1
    for created_at, sent_at in Inquiry.objects.filter(sent_at__gte=since, sent_at__lt=until).values_list("created_at", "sent_at"):
        daily[_day(sent_at)]["minutes"].append(max(0.0, (sent_at - created_at).total_seconds() / 60))
    about_orders = (Inquiry.objects.filter(order_id__isnull=False, created_at__gte=since - timedelta(hours=RECONTACT_HOURS),
                                           created_at__lt=until)
                    .order_by("customer_id", "order_id", "created_at", "id").values_list("customer_id", "order_id", "created_at"))
    threads = defaultdict(list)
    for customer_id, order_id, created_at in about_orders:
        threads[(customer_id, order_id)].append(created_at)
    asked = again = 0
    customers_asked, customers_again = set(), set()
    for (customer_id, _order), times in threads.items():
        for i, at in enumerate(times):
            if at < since:
                continue
            asked += 1
            customers_asked.add(customer_id)
            if i + 1 < len(times) and times[i + 1] - at <= timedelta(hours=RECONTACT_HOURS):
                again += 1
                customers_again.add(customer_id)
    rows, all_distances, all_minutes = [], [], []
    for day in sorted(daily):
        d = daily[day]
        all_distances += d["distances"]
        all_minutes += d["minutes"]
        rows.append({"day": day, "unchanged": d["unchanged"], "edited": d["edited"], "handed_over": d["handed_over"],
                     "mean_edit_distance": statistics.fmean(d["distances"]) if d["distances"] else None,
                     "median_minutes_to_reply": statistics.median(d["minutes"]) if d["minutes"] else None,
                     "replies_sent": len(d["minutes"])})
    unchanged, edited, handed = (sum(r[k] for r in rows) for k in ("unchanged", "edited", "handed_over"))
    return {"totals": {"unchanged": unchanged, "edited": edited, "handed_over": handed,
                       "unchanged_share": _rate(unchanged, unchanged + edited + handed),
                       "mean_edit_distance": statistics.fmean(all_distances) if all_distances else None,
                       "median_edit_distance": statistics.median(all_distances) if all_distances else None,
                       "median_minutes_to_reply": statistics.median(all_minutes) if all_minutes else None,
                       "replies_sent": len(all_minutes), "order_inquiries": asked, "asked_again_24h": again,
                       "customers_about_orders": len(customers_asked), "customers_asked_again": len(customers_again),
                       "asked_again_share": _rate(len(customers_again), len(customers_asked))},
            "daily": rows}


MIN_REVIEWS_PER_SIDE = 20


def _week_start(at: datetime):
    day = timezone.localtime(at).date()
    return day - timedelta(days=day.weekday())


def _before_after(action, summary) -> dict:
    """The share of reviews blaming the action's aspect in the summary's weeks wholly before the week it was
    marked done and in the weeks after it (that week itself is left out), with a two-proportion test."""
    done_week = _week_start(action.done_at)
    sides = {"before": [0, 0], "after": [0, 0]}          # [reviews, of them blaming the aspect]
    for week in (summary.trend if summary else None) or []:
        start = datetime.fromisoformat(week["week"]).date()
        side = "before" if start < done_week else "after" if start > done_week else None
        if side:
            sides[side][0] += int(week.get("n") or 0)
            sides[side][1] += int((week.get("aspects") or {}).get(action.aspect, [0, 0])[1])
    (n_b, x_b), (n_a, x_a) = sides["before"], sides["after"]
    row = {"reviews_before": n_b, "blaming_before": x_b, "share_before": _rate(x_b, n_b),
           "reviews_after": n_a, "blaming_after": x_a, "share_after": _rate(x_a, n_a),
           "difference": None, "ci_low": None, "ci_high": None, "p_value": None,
           "enough_data": min(n_b, n_a) >= MIN_REVIEWS_PER_SIDE}
    if n_b and n_a:
        test = two_proportion(x_b, n_b, x_a, n_a)
        row.update(difference=test["difference"], ci_low=test["ci_low"], ci_high=test["ci_high"], p_value=test["p_value"])
    if summary is None or summary.created_at <= action.done_at:
        row["verdict"] = gettext("Summarise the product's feedback again to see the weeks after.")
    elif not row["enough_data"]:
        row["verdict"] = gettext("Too few reviews yet (at least %(n)d before and after).") % {"n": MIN_REVIEWS_PER_SIDE}
    elif row["p_value"] is not None and row["p_value"] < 0.05:
        row["verdict"] = gettext("Fewer complaints since.") if row["difference"] < 0 else gettext("More complaints since.")
    else:
        row["verdict"] = gettext("No clear change yet.")
    return row


def feedback(since: datetime, until: datetime, *, limit: int = 50) -> dict:
    """For each improvement action marked done before ``until`` (newest first): the share of reviews blaming
    its aspect in the weeks before and after, from the target's latest feedback summary's weekly trend."""
    ImprovementAction = apps.get_model("ecom_ai", "ImprovementAction")
    FeedbackSummary = apps.get_model("ecom_ai", "FeedbackSummary")
    actions = list(ImprovementAction.objects.filter(status="done", done_at__lt=until).order_by("-done_at", "-id")[:limit])
    rows = []
    for action in actions:
        same = FeedbackSummary.objects.filter(scope=action.scope)
        same = same.filter(product_id=action.product_id) if action.scope == "product" else same.filter(category=action.category)
        summary = same.order_by("-created_at", "-id").first()
        rows.append({"id": action.pk, "aspect": action.aspect, "label": action.label, "team": action.team,
                     "target": action.product_name or action.category or str(action.product_id or ""),
                     "done_at": action.done_at.isoformat(), "in_period": action.done_at >= since,
                     **_before_after(action, summary)})
    return {"measured": bool(rows), "actions": rows,
            "note": "" if rows else gettext("No improvement action marked done yet: mark a summary's actions done in "
                                            "the feedback summaries list, then compare complaints before and after here.")}


def report(*, days: int = 30, now: datetime | None = None) -> dict:
    """Every feature's impact over the last ``days`` days, and the A/B readouts."""
    until = now or timezone.now()
    since = until - timedelta(days=days)
    return {"since": since.isoformat(), "until": until.isoformat(), "days": days,
            "recommendations": recommendations(since, until), "campaigns": campaigns(since, until),
            "inquiries": inquiries(since, until), "feedback": feedback(since, until),
            "experiments": readouts(now=until, since=since)}
