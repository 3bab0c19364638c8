"""Fixtures of the campaigns tests: a small shop built directly with demo_shop models, staff users, campaigns."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone

from demo_shop.models import BrowsingEvent, Category, Customer, Order, OrderLine, Product
from django.utils import translation

from ecom_ai.campaigns import services as svc
from ecom_ai.campaigns.models import Campaign


@pytest.fixture(autouse=True)
def english():
    """Staff-facing messages in English, whatever the project's default language: the tests read them."""
    with translation.override("en"):
        yield


@pytest.fixture
def shop(db):
    """Five products: a slow-moving phone, a much-viewed pillow, a best-selling cereal, a product whose
    name carries a banned term, and an inactive one; customers with orders and views."""
    cat = Category.objects.create(name="家居", slug="home")
    P = lambda **kw: Product.objects.create(category=cat, **kw)  # noqa: E731
    phone = P(name="星河 X1 手机", price=Decimal("1999.00"), cost=Decimal("1200.00"), stock=200)
    pillow = P(name="云朵记忆枕", price=Decimal("199.00"), cost=Decimal("80.00"), stock=50)
    cereal = P(name="有机燕麦片", price=Decimal("49.00"), cost=Decimal("30.00"), stock=500)
    grapes = P(name="阳光玫瑰葡萄 顶级 4斤装", price=Decimal("299.00"), cost=Decimal("100.00"), stock=100)
    old = P(name="旧款台灯", price=Decimal("99.00"), cost=Decimal("40.00"), stock=10, status="inactive")
    now = timezone.now()
    User = get_user_model()
    customers = []
    for i in range(8):
        user = User.objects.create_user(f"cust{i}", password="pw-cust-123")
        customers.append(Customer.objects.create(user=user, name=f"顾客{i}"))
    for i, c in enumerate(customers):
        days = 5 if i < 3 else 80  # three recent customers, five lapsed ones
        for k in range(1 + i % 3):
            o = Order.objects.create(customer=c, created_at=now - timedelta(days=days + k * 10), status="completed",
                                     total=Decimal("147.00"))
            OrderLine.objects.create(order=o, product=cereal, quantity=3, unit_price=Decimal("49.00"))
        for k in range(6):
            BrowsingEvent.objects.create(customer=c, product=pillow, kind="view", at=now - timedelta(days=2, hours=k))
    o = Order.objects.create(customer=customers[0], created_at=now - timedelta(days=3), status="paid", total=Decimal("199"))
    OrderLine.objects.create(order=o, product=pillow, quantity=1, unit_price=Decimal("199.00"))
    return {"phone": phone, "pillow": pillow, "cereal": cereal, "grapes": grapes, "old": old, "customers": customers}


@pytest.fixture
def staff_user(db):
    user = get_user_model().objects.create_user("marketer", password="pw-staff-123", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="ecom_ai"))
    return user


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
