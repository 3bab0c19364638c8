"""The demo's SIMULATED reactions: an A/B test with both arms filled, clicks that follow relevance, and
simulated orders that ecom_ai attributes like real ones."""
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command

from demo_shop.seeding.impact import COPY_EXPERIMENT, EXPERIMENT, simulate
from ecom_ai.impact import experiments
from ecom_ai.impact.models import Experiment, ImpactEvent

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_simulated_reactions_fill_the_ab_test_and_follow_relevance():
    from demo_shop.models import OrderLine

    call_command("seed_demo", "--reset", "--seed", "3", "--products", "60", "--customers", "150", stdout=StringIO())
    call_command("ecom_ai", "train", "recommender", stdout=StringIO())
    result = simulate(customers=120, seed=1)
    assert result["customers"] == 120 and result["events"] > 500
    exp = Experiment.objects.get(name=EXPERIMENT)
    assert exp.arms[0]["serves"] == "popular" and exp.arms[1]["serves"] != "popular"
    ro = experiments.readout(exp)
    assert sum(a["customers"] for a in ro["arms"]) == 120 and min(a["customers"] for a in ro["arms"]) > 30
    assert ro["arms"][0]["served_other"] == ro["arms"][1]["served_other"] == 0
    copy_test = experiments.readout(Experiment.objects.get(name=COPY_EXPERIMENT))
    assert copy_test["kind"] == "copy" and sum(a["customers"] for a in copy_test["arms"]) == 120
    assert ImpactEvent.objects.filter(source="campaign", campaign_id=result["campaign"]).exists()
    assert set(ImpactEvent.objects.exclude(kind="order").values_list("origin", flat=True)) == {"simulated"}
    # clicks follow relevance: products of a category the customer bought before are clicked more often
    past = {}
    for cid, cat in OrderLine.objects.values_list("order__customer_id", "product__category_id"):
        past.setdefault(cid, set()).add(cat)
    from demo_shop.models import Product

    category = dict(Product.objects.values_list("pk", "category_id"))
    seen, clicked = Counter(), Counter()
    for e in ImpactEvent.objects.filter(kind__in=["impression", "click"]).values("customer_id", "product_id", "kind"):
        relevant = category[e["product_id"]] in past.get(e["customer_id"], set())
        (seen if e["kind"] == "impression" else clicked)[relevant] += 1
    assert seen[True] and seen[False]
    assert clicked[True] / seen[True] > 2 * clicked[False] / seen[False]
    orders = ImpactEvent.objects.filter(kind="order")
    assert orders.exists() and set(orders.values_list("origin", flat=True)) == {"attributed"}
    assert orders.count() == len(set(orders.values_list("customer_id", "order_id", "product_id")))
    # running it again replaces the simulation: one experiment, no duplicated impressions
    again = simulate(customers=120, seed=1)
    assert Experiment.objects.filter(name__in=[EXPERIMENT, COPY_EXPERIMENT]).count() == 2
    assert ImpactEvent.objects.filter(origin="simulated").count() == again["events"]
