"""SIMULATED customer reactions for the demo's Impact page and its A/B test. Not real behaviour.

The demo shop has no real visitors, so this module plays them: for a sample of customers it runs a
two-week A/B test between the shop's bestsellers (arm ``control``, model version ``popular``) and the
trained recommender (arm ``recommender``), splitting customers with ecom_ai's own stable hash. Each
simulated visit shows six products; a customer clicks a product with a probability that grows with
its relevance to them (the share of their past purchases in the product's category), adds a clicked
product to the cart now and then, and orders some carted products, as a real order of the demo shop,
a day or two later. ecom_ai then attributes those orders the way it attributes real ones.

A second A/B test splits customers between two banner copies of a demo coupon (a campaign named
as simulated); there the variant does not change the click probability, so its readout should show
no difference: what an honest null result looks like.

Every event written here has origin ``simulated``; the orders are ordinary demo-shop orders.
"""
from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

EXPERIMENT = "demo-recommender-vs-bestsellers"
BASE_CLICK, RELEVANCE_CLICK = 0.02, 0.30     # P(click) = 0.02 + 0.30 × relevance
P_CART, P_ORDER = 0.35, 0.5                  # P(cart | click), P(order | cart)
SHOWN = 6
COPY_EXPERIMENT = "demo-coupon-banner-copy"
CAMPAIGN = "演示：满300减30（模拟数据）"
COPY_TEXTS = ("满300减30，精选好物一起带回家", "下单满300元立减30元，先到先得")


def _relevance(customers) -> dict[int, Counter]:
    """customer -> {category: share of their past order lines}."""
    from demo_shop.models import OrderLine

    counts: dict[int, Counter] = defaultdict(Counter)
    for cid, cat in OrderLine.objects.filter(order__customer_id__in=customers).values_list("order__customer_id",
                                                                                           "product__category__name"):
        counts[cid][cat] += 1
    return {cid: Counter({k: v / sum(c.values()) for k, v in c.items()}) for cid, c in counts.items()}


def _bestsellers(k: int = 30) -> list[int]:
    from demo_shop.models import OrderLine

    return [row["product_id"] for row in OrderLine.objects.filter(product__status="active").values("product_id")
            .annotate(n=Count("id")).order_by("-n", "product_id")[:k]]


def _recommended(customer_id: int) -> tuple[list[int], str]:
    from ecom_ai.recommendations import services as recommendations

    lst = recommendations.recommend(customer_id, k=10, with_reasons=False)
    return [r.product.id for r in lst.items], lst.model_version or "recommender"


def _react(rng, events, orders, tag, at, relevance: float, common: dict) -> None:
    """One product shown once: an impression, then perhaps a click, a cart and (later) an order."""
    from ecom_ai.impact.models import ImpactEvent

    common = {**common, "origin": ImpactEvent.Origin.SIMULATED}
    events.append(ImpactEvent(event_id=f"{tag}:i", kind="impression", occurred_at=at, **common))
    if rng.random() >= BASE_CLICK + RELEVANCE_CLICK * relevance:
        return
    events.append(ImpactEvent(event_id=f"{tag}:c", kind="click", occurred_at=at + timedelta(seconds=20), **common))
    if rng.random() < P_CART:
        events.append(ImpactEvent(event_id=f"{tag}:a", kind="add_to_cart", occurred_at=at + timedelta(minutes=2), **common))
        if rng.random() < P_ORDER:
            orders.append((common["customer_id"], common["product_id"], at + timedelta(hours=rng.uniform(1, 48))))


def _copy_test(rng, sample, relevance, products, popular, start, days, events, orders) -> dict:
    """A coupon (left a draft, so no other feature treats it as a running promotion) with two banner
    variants, split by a copy A/B test. The variant does not change the
    simulated click probability (only relevance does), so the readout should find no difference."""
    from ecom_ai.campaigns.models import Campaign, CampaignCopy
    from ecom_ai.impact import experiments
    from ecom_ai.impact.models import Experiment

    Campaign.objects.filter(name=CAMPAIGN).delete()
    campaign = Campaign.objects.create(
        name=CAMPAIGN, kind=Campaign.Kind.COUPON, status=Campaign.Status.DRAFT, language=Campaign.Language.ZH,
        starts_at=start, ends_at=start + timedelta(days=days + 7), product_ids=popular[:8], threshold=Decimal("300"),
        amount=Decimal("30"), per_customer_limit=1)
    copies = [CampaignCopy.objects.create(campaign=campaign, channel=CampaignCopy.Channel.BANNER, language="zh", variant=v,
                                          text=text) for v, text in enumerate(COPY_TEXTS)]
    Experiment.objects.filter(name=COPY_EXPERIMENT).delete()
    exp = Experiment.objects.create(
        name=COPY_EXPERIMENT, kind=Experiment.Kind.COPY, metric=Experiment.Metric.CLICK, starts_at=start,
        ends_at=start + timedelta(days=days), min_per_arm=100, note="SIMULATED by demo_setup: not real customers.",
        arms=[{"name": f"variant {c.variant}", "serves": c.pk, "share": 0.5} for c in copies])
    for cid in sample:
        copy = next(c for c in copies if c.pk == experiments.assign(exp, cid)["serves"])
        rel = relevance.get(cid, Counter())
        for visit in range(rng.randint(1, 3)):
            pid = rng.choice(campaign.product_ids)
            at = start + timedelta(seconds=rng.uniform(0, (days - 2) * 86400))
            _react(rng, events, orders, f"simcopy:{cid}:{visit}:{pid}", at, rel[products[pid].category.name],
                   dict(customer_id=cid, source="campaign", copy_id=copy.pk, campaign_id=campaign.pk, variant=copy.variant,
                        product_id=pid))
    return {"campaign": campaign.pk}


def simulate(*, customers: int = 600, days: int = 14, seed: int = 7, now=None, out=None) -> dict:
    """Run the simulated A/B test; returns the counts written. Replaces an earlier simulation's experiment."""
    from demo_shop.models import Customer, Order, OrderLine, Product

    from ecom_ai.impact import attribution, experiments
    from ecom_ai.impact.models import Experiment, ImpactEvent

    rng = random.Random(seed)
    now = now or timezone.now()
    start = now - timedelta(days=days)
    ids = list(Customer.objects.filter(orders__isnull=False).distinct().order_by("pk").values_list("pk", flat=True))
    sample = sorted(rng.sample(ids, min(customers, len(ids))))
    relevance = _relevance(sample)
    products = {p.pk: p for p in Product.objects.select_related("category").filter(status="active")}
    popular = [p for p in _bestsellers() if p in products]
    lists = {}
    version = "recommender"
    Experiment.objects.filter(name=EXPERIMENT).delete()
    exp = Experiment(name=EXPERIMENT, kind=Experiment.Kind.RECOMMENDER, metric=Experiment.Metric.CLICK, starts_at=start,
                     ends_at=now, min_per_arm=100, note="SIMULATED by demo_setup: not real customers.",
                     arms=[{"name": "control", "serves": "popular", "share": 0.5},
                           {"name": "recommender", "serves": "recommender", "share": 0.5}])
    for cid in sample:
        if experiments.assign(exp, cid)["name"] == "recommender":
            shown, version = _recommended(cid)
            lists[cid] = [p for p in shown if p in products] or popular[:10]
    exp.arms[1]["serves"] = version
    exp.save()
    events, orders = [], []
    for cid in sample:
        arm = experiments.assign(exp, cid)
        shown = lists.get(cid) or popular[:10]
        rel = relevance.get(cid, Counter())
        for visit in range(rng.randint(1, 4)):
            at = start + timedelta(seconds=rng.uniform(0, (days - 2) * 86400))
            offset = (visit * 3) % max(1, len(shown))
            for pid in (shown[offset:] + shown[:offset])[:SHOWN]:
                _react(rng, events, orders, f"sim:{cid}:{visit}:{pid}", at, rel[products[pid].category.name],
                       dict(customer_id=cid, source="recommendation", model_version=arm["serves"], product_id=pid))
    copy_result = _copy_test(rng, sample, relevance, products, popular, start, days, events, orders)
    with transaction.atomic():
        ImpactEvent.objects.filter(origin=ImpactEvent.Origin.SIMULATED).delete()
        ImpactEvent.objects.bulk_create(events, batch_size=2000)
        for cid, pid, at in orders:
            price = products[pid].price or Decimal("0")
            order = Order.objects.create(customer_id=cid, created_at=min(at, now), status="paid", total=price)
            OrderLine.objects.create(order=order, product_id=pid, quantity=1, unit_price=price)
    credited = attribution.attribute_orders(since=start, now=now, customer_ids=sample)
    result = {"customers": len(sample), "events": len(events), "orders": len(orders), "credited": credited, **copy_result}
    if out is not None:
        out.write(f"Simulated {result['events']} events and {result['orders']} orders of {result['customers']} customers "
                  f"(A/B tests {EXPERIMENT} and {COPY_EXPERIMENT}); {credited} order lines attributed.\n")
    return result
