"""Business rules and stated preferences on live recommendations."""
from collections import Counter
from decimal import Decimal

import pytest

from demo_shop.models import OrderLine, Product
from ecom_ai.recommendations.models import RecommendationRule
from ecom_ai.recommendations.rules import parse_preference, parse_price_band
from ecom_ai.recommendations import services as service


def _ids(lst):
    return [r.product.id for r in lst.items]


def test_only_active_in_stock_and_not_already_bought(trained, customer_with_history):
    cid = customer_with_history.pk
    first = service.recommend(cid, k=10)
    assert len(first.items) == 10 and first.source == "personal"
    top = first.items[0].product.id
    Product.objects.filter(pk=top).update(stock=0)
    second_top = first.items[1].product.id
    Product.objects.filter(pk=second_top).update(status="inactive")
    again = _ids(service.recommend(cid, k=10))
    assert top not in again and second_top not in again
    bought = set(OrderLine.objects.filter(order__customer_id=cid, order__status__in=service.PURCHASE_STATUSES,
                                          product__consumable=False).values_list("product_id", flat=True))
    assert bought and not bought & set(again)
    for r in service.recommend(cid, k=20).items:
        assert r.product.status == "active" and r.product.stock > 0


def test_diversity_caps_each_category_unless_one_is_asked_for(trained, customer_with_history):
    lst = service.recommend(customer_with_history.pk, k=10)
    counts = Counter(r.product.category for r in lst.items)
    assert max(counts.values()) <= 3 and len(counts) >= 4
    phones = service.recommend(customer_with_history.pk, k=5, category="手机")
    assert {r.product.category for r in phones.items} == {"手机"} and len(phones.items) == 5


def test_pinned_first_and_blocked_never(trained, customer_with_history):
    cid = customer_with_history.pk
    before = _ids(service.recommend(cid, k=10))
    pin = Product.objects.filter(status="active", stock__gt=0).exclude(pk__in=before).exclude(
        order_lines__order__customer_id=cid).first()
    RecommendationRule.objects.create(product_id=pin.pk, action="pin")
    RecommendationRule.objects.create(product_id=before[0], action="block")
    after = service.recommend(cid, k=10)
    assert after.items[0].product.id == pin.pk and after.items[0].source == "pinned"
    assert before[0] not in _ids(after)


def test_price_band(trained, customer_with_history):
    lst = service.recommend(customer_with_history.pk, k=10, price_band="100-2000")
    assert lst.items
    assert all(Decimal("100") <= r.product.price <= Decimal("2000") for r in lst.items)
    with pytest.raises(ValueError):
        parse_price_band("500-100")
    assert parse_price_band({"min": 5}) == (Decimal(5), None)


def _battery(p):
    return int(p.attributes["battery_capacity"].rstrip("mAh"))


def _phone(name, waterproof, battery, weight):
    from demo_shop.models import Category

    return Product.objects.create(
        category=Category.objects.get(name="手机"), name=name, price=Decimal("1999"), stock=10,
        description=f"{name}，{battery}mAh电池，防水等级{waterproof}，重量约{weight}g。",
        attributes={"battery_capacity": f"{battery}mAh", "waterproof": waterproof, "weight": f"{weight}g"})


def test_stated_preference_steers_phones_to_waterproof_and_long_battery(trained, customer_with_history):
    # new products after training too: the steering must not depend on the model knowing them
    for i in range(3):
        _phone(f"测试 运动手机 {i}", "IP68", 6000 + 100 * i, 215)
        _phone(f"测试 轻薄手机 {i}", "无", 4000, 160 + i)
    service.clear_caches()
    pref = parse_preference("我喜欢运动，推荐一款适合我的手机。", ["手机", "平板"])
    assert pref.category == "手机" and {"waterproof", "long_battery"} <= set(pref.aspects)
    steered = service.recommend(customer_with_history.pk, k=5, query="我喜欢运动，推荐一款适合我的手机。")
    plain = service.recommend(customer_with_history.pk, k=5, category="手机")
    assert {r.product.category for r in steered.items} == {"手机"}
    top = steered.items[:3]
    assert all(r.product.attributes["waterproof"] in ("IP68", "IP69") for r in top)
    mean = lambda lst: sum(_battery(r.product) for r in lst.items) / len(lst.items)  # noqa: E731
    assert mean(steered) > mean(plain)
    assert any("防水" in r.reason or "电池" in r.reason for r in steered.items)
    light = service.recommend(customer_with_history.pk, k=3, query="想要一款轻薄的手机")
    weights = lambda lst: sum(int(r.product.attributes["weight"].rstrip("g")) for r in lst.items) / len(lst.items)  # noqa: E731
    assert weights(light) < weights(steered)
