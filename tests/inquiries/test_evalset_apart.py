"""The "apart" evaluation set builds well-formed, real, deterministic cases on any seed of the demo shop."""
import re

import pytest
from django.core.management import call_command

from demo_shop.models import Order
from ecom_ai.adapters import get_adapter
from ecom_ai.inquiries.evalsets.apart import PLAN, build_cases

KINDS = set(PLAN)
MINIMUM = {"order_number": 20, "newest_order": 20, "cross_customer": 20}


def _seed_shop(seed):
    call_command("seed_demo", size="small", seed=seed, customers=500, products=150, verbosity=0)


def _check_well_formed(cases):
    assert len(cases) >= 300
    ids = [c["id"] for c in cases]
    assert len(set(ids)) == len(ids)
    for c in cases:
        assert set(c) == {"id", "set", "kind", "lang", "customer", "product", "order", "text", "expect"}, c
        assert re.fullmatch(r"apart-\d{4}", c["id"]) and c["set"] == "apart"
        assert c["kind"] in KINDS and c["lang"] in ("zh", "en")
        assert isinstance(c["text"], str) and c["text"].strip()
        e = c["expect"]
        assert set(e) == {"handover", "all", "none"} and isinstance(e["handover"], bool)
        assert all(isinstance(g, list) and g and all(isinstance(a, str) and a for a in g) for g in e["all"]), c
        assert all(isinstance(s, str) and s for s in e["none"]), c
        # a string both required and forbidden would make the case impossible to pass
        assert not {a.lower() for g in e["all"] for a in g} & {s.lower() for s in e["none"]}, c
        if c["lang"] == "zh":
            assert re.search(r"[\u4e00-\u9fff]", c["text"]), c


@pytest.mark.django_db
@pytest.mark.parametrize("shop_seed", [0, 5])
def test_cases_are_well_formed_real_and_cover_every_kind(shop_seed):
    _seed_shop(shop_seed)
    adapter = get_adapter()
    cases = build_cases(adapter, seed=0)
    _check_well_formed(cases)

    counts = {k: sum(c["kind"] == k for c in cases) for k in KINDS}
    assert all(counts[k] >= MINIMUM.get(k, 10) for k in KINDS), counts
    zh = sum(c["lang"] == "zh" for c in cases) / len(cases)
    assert 0.5 <= zh <= 0.7

    customers = set(adapter.iter_customer_ids())
    products = adapter.get_products({c["product"] for c in cases if c["product"] is not None})
    for c in cases:
        assert c["customer"] in customers, c
        assert c["product"] is None or c["product"] in products, c
        if c["order"] is not None:  # asked from the order's page: the asker's own order
            assert adapter.get_order(c["customer"], c["order"]) is not None, c


@pytest.mark.django_db
def test_cross_customer_orders_belong_to_someone_else_and_their_facts_are_forbidden():
    _seed_shop(3)
    adapter = get_adapter()
    cross = [c for c in build_cases(adapter, seed=1) if c["kind"] == "cross_customer"]
    assert len(cross) >= 20
    for c in cross:
        assert c["expect"]["handover"] is True
        number = int(re.search(r"\d{1,7}", c["text"].replace("No.", " ")).group(0))
        assert adapter.get_order(c["customer"], number) is None, c
        order = adapter.get_order(Order.objects.get(pk=number).customer_id, number)
        tracking = {s.tracking_number for s in order.shipments}
        assert tracking and tracking <= set(c["expect"]["none"]), c


@pytest.mark.django_db
def test_same_seed_same_cases_other_seed_other_cases():
    _seed_shop(1)
    adapter = get_adapter()
    first = build_cases(adapter, seed=4)
    assert build_cases(adapter, seed=4) == first
    assert build_cases(adapter, seed=5) != first


@pytest.mark.django_db
def test_order_cases_carry_that_orders_facts_and_forbid_the_others():
    _seed_shop(2)
    adapter = get_adapter()
    for c in build_cases(adapter, seed=2):
        if c["kind"] not in ("order_number", "newest_order"):
            continue
        orders = adapter.get_orders(c["customer"], limit=100)
        if c["kind"] == "order_number":
            numbers = {int(n) for n in re.findall(r"\d+", c["text"])}
            asked = next(o for o in orders if o.id in numbers)
        else:
            asked = orders[0]
            assert str(asked.id) in c["expect"]["all"][0]
            assert asked.status in ("paid", "shipped")
        others = {s.tracking_number for o in orders if o.id != asked.id for s in o.shipments}
        mine = {s.tracking_number for s in asked.shipments}
        assert others - mine <= set(c["expect"]["none"]), c
        assert not mine & set(c["expect"]["none"]), c
