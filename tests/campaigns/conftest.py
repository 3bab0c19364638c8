"""Fixtures of the campaigns tests: a small shop built with tests.factories, and campaigns."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from demo_shop.models import BrowsingEvent
from ecom_ai.campaigns import services as svc
from ecom_ai.campaigns.models import Campaign
from tests import factories as f


@pytest.fixture(autouse=True)
def english():
    """Staff-facing messages in English, whatever the project's default language: the tests read them."""
    with translation.override("en"):
        yield


@pytest.fixture
def shop(db):
    """Five products: a slow-moving phone, a much-viewed pillow, a best-selling cereal, a product whose
    name carries a banned term, and an inactive one; customers with orders and views."""
    P = lambda name, price, cost, stock, **kw: f.product("家居", name, price=price, cost=Decimal(cost),  # noqa: E731
                                                         stock=stock, **kw)
    phone = P("星河 X1 手机", "1999.00", "1200.00", 200)
    pillow = P("云朵记忆枕", "199.00", "80.00", 50)
    cereal = P("有机燕麦片", "49.00", "30.00", 500)
    grapes = P("阳光玫瑰葡萄 顶级 4斤装", "299.00", "100.00", 100)
    old = P("旧款台灯", "99.00", "40.00", 10, status="inactive")
    now = timezone.now()
    customers = [f.customer(f"顾客{i}", username=f"cust{i}") for i in range(8)]
    for i, c in enumerate(customers):
        days = 5 if i < 3 else 80  # three recent customers, five lapsed ones
        for k in range(1 + i % 3):
            f.order(c, [cereal], days_ago=days + k * 10, quantity=3)
        for k in range(6):
            BrowsingEvent.objects.create(customer=c, product=pillow, kind="view", at=now - timedelta(days=2, hours=k))
    f.order(customers[0], [pillow], days_ago=3, status="paid")
    return {"phone": phone, "pillow": pillow, "cereal": cereal, "grapes": grapes, "old": old, "customers": customers}


@pytest.fixture
def make_campaign(db):
    def make(**kw) -> Campaign:
        start = timezone.now() + timedelta(days=1)
        fields = {"name": "双十二大促", "kind": "flash_sale", "starts_at": start, "ends_at": start + timedelta(days=1),
                  "language": "both"}
        fields.update(kw)
        return svc.save_campaign(Campaign(**fields))

    return make


@pytest.fixture
def flash_sale(shop, make_campaign):
    return make_campaign(kind="flash_sale", product_ids=[shop["phone"].pk], sale_price=Decimal("1799"),
                         stock_cap=100, per_customer_limit=1)


@pytest.fixture
def group_buy(shop, make_campaign):
    return make_campaign(name="周末拼团", kind="group_buy", product_ids=[shop["pillow"].pk], group_price=Decimal("149"),
                         group_size=3, fill_hours=24)


@pytest.fixture
def coupon(shop, make_campaign):
    return make_campaign(name="会员日", kind="coupon", product_ids=[shop["phone"].pk, shop["pillow"].pk],
                         threshold=Decimal("300"), amount=Decimal("30"), total_issued=500, per_customer_limit=1)
