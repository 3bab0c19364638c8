"""The "apart" evaluation set builds well-formed, real, deterministic cases on any seed of the demo shop."""
import re

import pytest
from django.core.management import call_command

from demo_shop.models import Order
from ecom_ai.adapters import get_adapter
from ecom_ai.inquiries.evalsets.apart import PLAN, build_cases, score_reply

KINDS = set(PLAN)
MINIMUM = {"order_number": 20, "newest_order": 20, "cross_customer": 20}


def _seed_shop(seed):
    call_command("seed_demo", size="small", seed=seed, customers=300, products=120, verbosity=0)


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
        # every group must be satisfiable without writing a forbidden string
        forbidden = [s.lower() for s in e["none"]]
        assert all(any(not any(f in a.lower() for f in forbidden) for a in g) for g in e["all"]), c
        if c["lang"] == "zh":
            assert re.search(r"[\u4e00-\u9fff]", c["text"]), c


def _check_real(adapter, cases):
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


def _check_cross_customer(adapter, cases):
    """The typed order is someone else's, and its tracking numbers are forbidden in the reply."""
    for c in (c for c in cases if c["kind"] == "cross_customer"):
        assert c["expect"]["handover"] is True
        number = int(re.search(r"\d+", c["text"]).group(0))
        assert adapter.get_order(c["customer"], number) is None, c
        order = adapter.get_order(Order.objects.get(pk=number).customer_id, number)
        tracking = {s.tracking_number for s in order.shipments}
        assert tracking and tracking <= set(c["expect"]["none"]), c


def _check_order_facts(adapter, cases):
    """order_number / newest_order: that order's facts required, the other orders' tracking forbidden."""
    for c in (c for c in cases if c["kind"] in ("order_number", "newest_order")):
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
        required = {a for g in c["expect"]["all"] for a in g}
        assert not (required & others) - mine, c                    # never another order's tracking as the answer


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("shop_seed", [0, 5])
def test_cases_are_well_formed_real_and_grounded_on_any_demo_seed(shop_seed):
    _seed_shop(shop_seed)
    adapter = get_adapter()
    cases = build_cases(adapter, seed=shop_seed)
    _check_well_formed(cases)
    _check_real(adapter, cases)
    _check_cross_customer(adapter, cases)
    _check_order_facts(adapter, cases)

    assert build_cases(adapter, seed=shop_seed) == cases            # same seed, same cases
    other = build_cases(adapter, seed=shop_seed + 1)
    assert other != cases
    _check_well_formed(other)


def test_score_reply_needs_every_group_no_forbidden_string_and_the_right_handover():
    case = {"expect": {"handover": False, "all": [["SF123"], ["运输中", "in transit"]], "none": ["JD999"]}}
    assert score_reply(case, "您的包裹 sf123 运输中", handover=False)["passed"]
    assert score_reply(case, "Your parcel SF123 is IN TRANSIT", handover=False)["passed"]
    missing = score_reply(case, "您的包裹SF123", handover=False)
    assert not missing["passed"] and missing["missing"] == [["运输中", "in transit"]]
    leaked = score_reply(case, "SF123 运输中；另一单 JD999", handover=False)
    assert not leaked["passed"] and leaked["leaked"] == ["JD999"]
    wrong_handover = score_reply(case, "SF123 运输中", handover=True)
    assert not wrong_handover["passed"] and not wrong_handover["handover_ok"]
