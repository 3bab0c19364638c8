"""A/B tests: a stable split of customers between arms, and a readout with a two-proportion z-test.

A customer's arm depends only on the experiment's name and their id: the first 8 bytes of
``sha256("<name>:<customer id>")`` read as a number in [0, 1), walked along the arms' shares. The
same customer always lands in the same arm, on every machine and Python version (unlike ``hash``).

The readout counts customers, not events (events of one customer are not independent trials): of the
customers in an arm who were shown something during the experiment, the share who clicked (metric
``click``) or ordered (metric ``order``). Each arm is compared with the first (the control): the
difference, its 95% confidence interval (unpooled standard error) and a two-sided p-value (pooled
z-test, ``scipy.stats.norm``). Below ``min_per_arm`` exposed customers in any arm the readout says
the sample is still too small.
"""
from __future__ import annotations

import hashlib
import math
from datetime import datetime

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext
from scipy.stats import norm

from ecom_ai.impact.models import Experiment, ImpactEvent

__all__ = ["bucket", "assign", "serves", "two_proportion", "readout", "readouts"]


def bucket(name: str, customer_id: int) -> float:
    """A number in [0, 1) fixed by the experiment's name and the customer's id."""
    digest = hashlib.sha256(f"{name}:{int(customer_id)}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2 ** 64


def assign(experiment: Experiment, customer_id: int) -> dict:
    """The arm (``{"name", "serves", "share"}``) this customer is in."""
    u, edge = bucket(experiment.name, customer_id), 0.0
    for arm in experiment.arms:
        edge += float(arm["share"])
        if u < edge:
            return arm
    return experiment.arms[-1]        # shares that add up to 0.9999999 leave a sliver: the last arm takes it


def serves(name: str, customer_id: int, *, now: datetime | None = None):
    """What the running experiment ``name`` serves this customer (a model version or a copy id), or None."""
    now = now or timezone.now()
    exp = Experiment.objects.filter(name=name, starts_at__lte=now).filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now)).first()
    return assign(exp, customer_id)["serves"] if exp else None


def two_proportion(x_a: int, n_a: int, x_b: int, n_b: int, confidence: float = 0.95) -> dict:
    """B's rate minus A's, its confidence interval (unpooled) and the two-sided p-value (pooled z-test)."""
    if min(n_a, n_b) < 1:
        raise ValueError("each arm needs at least one customer")
    p_a, p_b = x_a / n_a, x_b / n_b
    diff = p_b - p_a
    z_crit = norm.ppf(0.5 + confidence / 2)
    se = math.sqrt(p_a * (1 - p_a) / n_a + p_b * (1 - p_b) / n_b)
    pooled = (x_a + x_b) / (n_a + n_b)
    se0 = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    z = diff / se0 if se0 > 0 else 0.0
    p_value = float(2 * norm.sf(abs(z))) if se0 > 0 else 1.0
    return {"rate_a": p_a, "rate_b": p_b, "difference": diff, "ci_low": diff - z_crit * se, "ci_high": diff + z_crit * se,
            "z": z, "p_value": p_value, "confidence": confidence}


def _events(exp: Experiment, until: datetime):
    qs = ImpactEvent.objects.filter(occurred_at__gte=exp.starts_at, occurred_at__lt=until)
    if exp.kind == Experiment.Kind.COPY:
        return qs.filter(source=ImpactEvent.Source.CAMPAIGN, copy_id__in=[a["serves"] for a in exp.arms])
    return qs.filter(source=ImpactEvent.Source.RECOMMENDATION)


def readout(exp: Experiment, *, now: datetime | None = None) -> dict:
    """Each arm's exposed customers and rate, and each later arm against the first."""
    now = now or timezone.now()
    until = min(exp.ends_at, now) if exp.ends_at else now
    success = ImpactEvent.Kind.CLICK if exp.metric == Experiment.Metric.CLICK else ImpactEvent.Kind.ORDER
    field = "copy_id" if exp.kind == Experiment.Kind.COPY else "model_version"
    per_customer = (_events(exp, until).values("customer_id").annotate(
        shown=Count("id", filter=Q(kind=ImpactEvent.Kind.IMPRESSION)),
        won=Count("id", filter=Q(kind=success)),
    ))
    arms = {a["name"]: {"name": a["name"], "serves": a["serves"], "share": a["share"], "customers": 0, "successes": 0,
                        "served_other": 0} for a in exp.arms}
    served = {}
    for row in _events(exp, until).filter(kind=ImpactEvent.Kind.IMPRESSION).values_list("customer_id", field).distinct():
        served.setdefault(row[0], set()).add(row[1])
    for row in per_customer:
        if not row["shown"]:
            continue
        arm = assign(exp, row["customer_id"])
        out = arms[arm["name"]]
        out["customers"] += 1
        out["successes"] += 1 if row["won"] else 0
        if served.get(row["customer_id"], set()) - {arm["serves"]}:
            out["served_other"] += 1
    for out in arms.values():
        out["rate"] = out["successes"] / out["customers"] if out["customers"] else None
    ordered = [arms[a["name"]] for a in exp.arms]
    smallest = min(a["customers"] for a in ordered)
    enough = smallest >= exp.min_per_arm
    control = ordered[0]
    comparisons = []
    for arm in ordered[1:]:
        if control["customers"] and arm["customers"]:
            test = two_proportion(control["successes"], control["customers"], arm["successes"], arm["customers"])
            comparisons.append({"arm": arm["name"], "control": control["name"], **test,
                                "significant": enough and test["p_value"] < 0.05})
    if not enough:
        verdict = gettext("Sample still too small: %(n)d customers in the smallest arm, %(min)d needed.") % {
            "n": smallest, "min": exp.min_per_arm}
    elif any(c["significant"] for c in comparisons):
        verdict = gettext("A difference at the %(level)d%% level.") % {"level": 5}
    else:
        verdict = gettext("No difference at the %(level)d%% level.") % {"level": 5}
    return {"experiment": exp.name, "kind": exp.kind, "metric": exp.metric, "starts_at": exp.starts_at.isoformat(),
            "ends_at": exp.ends_at.isoformat() if exp.ends_at else None, "min_per_arm": exp.min_per_arm,
            "enough_data": enough, "verdict": verdict, "arms": ordered, "comparisons": comparisons}


def readouts(*, now: datetime | None = None, since: datetime | None = None) -> list[dict]:
    """Readouts of the experiments running at any time after ``since`` (all when None)."""
    qs = Experiment.objects.all()
    if since is not None:
        qs = qs.filter(Q(ends_at__isnull=True) | Q(ends_at__gte=since))
    return [readout(exp, now=now) for exp in qs]
