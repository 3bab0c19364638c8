"""Sense, walked over every customer of a small seeded shop: no more of a durable category just bought,
no reason naming the product itself or a field key, no "because you bought" across categories that
are not bought together (never a hotel room for a purchase of goods); the policy is the shop's to edit."""
import re
from datetime import datetime, timedelta, timezone

import pytest
from django.contrib import admin

from demo_shop.models import Customer, Order, OrderLine, Product
from ecom_ai.adapters import ProductInfo
from ecom_ai.recommendations import services as service
from ecom_ai.recommendations.models import CategoryPolicy, RecommendationSet
from ecom_ai.recommendations.sense import Policy, Purchase, category_pairs, held_categories, pairs_sensibly

FIELD_KEY = re.compile(r"\b(sizes|colour|color|room_type|battery_capacity|screen_size|hair_type|cancellation|city|fit|gender)\b")


def _walk(trained):
    policies = {p.category: p for p in CategoryPolicy.objects.all()}
    now = datetime.now(timezone.utc)
    seen = {"items": 0, "anchored": 0, "held": 0}
    for customer in Customer.objects.order_by("pk"):
        history = service.purchase_history(customer.pk)
        products = service.get_adapter().get_products([h.product_id for h in history])
        recent_durable = {products[h.product_id].category for h in history if h.product_id in products
                          and not policies[products[h.product_id].category].consumable
                          and now - h.at < timedelta(days=policies[products[h.product_id].category].repurchase_days)}
        seen["held"] += bool(recent_durable)
        bought = set(products)
        for r in service.recommend(customer.pk, k=10).items:
            seen["items"] += 1
            yield customer, r, recent_durable, bought, policies, seen


def test_every_demo_customers_list_makes_sense(trained):
    seen = None
    for customer, r, recent_durable, bought, policies, seen in _walk(trained):
        p = r.product
        assert p.category not in recent_durable, f"{customer.pk}: another {p.category} right after buying one"
        assert p.id not in bought or policies[p.category].consumable
        assert r.reason_ok and r.reason
        assert not FIELD_KEY.search(r.reason), r.reason
        if r.anchor is not None:
            seen["anchored"] += 1
            a = r.anchor
            assert a.id != p.id and a.name != p.name and a.id in bought
            assert a.name in r.reason
            if a.category != p.category:  # a cross-category reason: bought together, neither standalone
                assert not policies[a.category].standalone and not policies[p.category].standalone, r.reason
        elif "因为您购买了" in r.reason or "买过" in r.reason:
            pytest.fail(f"a reason claims a purchase with no anchor: {r.reason}")
    assert seen["items"] > 1000 and seen["anchored"] > 20 and seen["held"] > 20


def test_the_hotel_category_is_seeded_standalone_and_durables_hold_back(shop):
    policies = {p.category: p for p in CategoryPolicy.objects.all()}
    assert policies["酒店"].standalone and policies["酒店"].consumable
    assert not policies["手机"].consumable and policies["手机"].repurchase_days >= 180
    assert policies["水果"].consumable and not policies["水果"].standalone


def test_marking_a_category_consumable_lets_it_come_back(trained):
    phone = Product.objects.filter(category__name="手机", status="active", stock__gt=0).order_by("pk").first()
    customer = Customer.objects.create(name="刚买手机的顾客")
    order = Order.objects.create(customer=customer, status="completed", total=phone.price)
    OrderLine.objects.create(order=order, product=phone, quantity=1, unit_price=phone.price)
    service.clear_caches()
    phones = service.recommend(customer.pk, k=50, category=None)
    assert all(r.product.category != "手机" for r in phones.items)
    asked = service.recommend(customer.pk, k=5, category="手机")  # asked for phones: shown
    assert asked.items and all(r.product.category == "手机" for r in asked.items)
    CategoryPolicy.objects.filter(category="手机").update(consumable=True)
    again = service.recommend(customer.pk, k=50)
    assert any(r.product.category == "手机" for r in again.items)


def test_rules_of_sense_on_their_own():
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    phone = ProductInfo(1, "手机A", "手机")
    heater = ProductInfo(2, "热水器A", "热水器")
    fruit = ProductInfo(3, "苹果", "水果", consumable=True)
    hotel = ProductInfo(4, "酒店", "酒店")
    policies = {"手机": Policy(False, 365), "热水器": Policy(False, 1825), "酒店": Policy(True, 365, standalone=True)}
    history = [Purchase(1, 1, now - timedelta(days=400)), Purchase(2, 1, now - timedelta(days=400)), Purchase(3, 1, now)]
    assert held_categories(history, {1: phone, 2: heater, 3: fruit}, policies, now=now) == {"热水器"}
    pairs = {("手机", "酒店"), ("水果", "手机")}
    assert not pairs_sensibly(phone, hotel, pairs, policies)           # standalone, even if the data pairs them
    assert pairs_sensibly(fruit, phone, pairs, policies)
    assert not pairs_sensibly(heater, phone, pairs, policies)          # never bought together
    assert not pairs_sensibly(phone, ProductInfo(9, "手机A", "手机"), pairs, policies)  # the same product by name


def test_category_pairs_need_orders_beyond_chance():
    import numpy as np
    import scipy.sparse as sp

    # items 0,1: category a; 2: b; 3: c. b and c always bought together; a on its own
    orders = [[0], [1], [0], [1], [2, 3], [2, 3], [2, 3], [0, 1]]
    rows = [r for r, o in enumerate(orders) for _ in o]
    cols = [i for o in orders for i in o]
    baskets = sp.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(len(orders), 4))
    assert category_pairs(baskets, ["a", "a", "b", "c"]) == [("b", "c")]


def test_the_admin_shows_names_prices_and_stock_not_ids(trained, customer_with_history):
    service.compute_and_save(customer_with_history.pk)
    obj = RecommendationSet.objects.get(customer_id=customer_with_history.pk)
    html = str(admin.site._registry[RecommendationSet].items_table(obj))
    first = Product.objects.get(pk=obj.items[0]["product_id"])
    assert first.name in html and str(first.price) in html and f"<td>{first.stock}</td>" in html
    # the product column reads its name, linked to the shop's product page, not its id
    assert f'<td>1</td><td><a href="/admin/demo_shop/product/{first.pk}/change/">{first.name}</a></td>' in html
