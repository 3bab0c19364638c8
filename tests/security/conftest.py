"""Fixtures of the security tests: two customers (alice, bob) with orders, inquiries and jobs of their
own, a small catalogue with reviews, a staff user allowed everything and one who may only look."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.utils import timezone


@pytest.fixture(autouse=True)
def _fresh(fresh_ai_state):
    """Throttle counters live in the cache; artefacts in a folder of the test's own."""


@pytest.fixture
def shop(db):
    from demo_shop.models import AfterSalesPolicy, Category, Customer, Order, OrderLine, Product, Review, Shipment
    from ecom_ai.inquiries.models import Inquiry

    User = get_user_model()
    phones = Category.objects.create(name="手机", slug="phones")
    books = Category.objects.create(name="书籍", slug="books")
    phone = Product.objects.create(category=phones, name="星河X1手机", price=Decimal("1999"), stock=8,
                                   attributes={"battery_capacity": "5000mAh", "screen_size": "6.5英寸"})
    phone2 = Product.objects.create(category=phones, name="晨光S2手机", price=Decimal("999"), stock=3,
                                    attributes={"battery_capacity": "4200mAh"})
    book = Product.objects.create(category=books, name="《Python实战》", price=Decimal("69.90"), stock=40,
                                  attributes={"author": "王伟", "pages": 512})
    AfterSalesPolicy.objects.create(name="默认", category=None, return_window_days=7, exchange_window_days=15,
                                    warranty_months=12, notes="签收后7天无理由退货。")
    alice_user = User.objects.create_user("alice", password="pw-alice-123")
    bob_user = User.objects.create_user("bob", password="pw-bob-123")
    alice = Customer.objects.create(user=alice_user, name="Alice")
    bob = Customer.objects.create(user=bob_user, name="Bob")
    now = timezone.now()
    orders = {}
    for who, product in ((alice, phone), (bob, book)):
        order = Order.objects.create(customer=who, created_at=now - timedelta(days=3), status="shipped", total=product.price)
        OrderLine.objects.create(order=order, product=product, quantity=1, unit_price=product.price)
        Shipment.objects.create(order=order, carrier="顺丰速运", tracking_number=f"SF{order.pk:012d}", status="in_transit")
        orders[who.name] = order
    for i, (rating, text) in enumerate([(5, "电池很耐用，续航一整天"), (1, "物流太慢了"), (4, "屏幕清晰，手感好"),
                                        (2, "快递慢，包装破损"), (5, "性价比很高")]):
        Review.objects.create(product=phone, customer=bob if i % 2 else alice, rating=rating, text=text,
                              created_at=now - timedelta(days=20 - i))
    inq_a = Inquiry.objects.create(user=alice_user, customer_id=alice.pk, text="星河X1手机的电池多大？", product_id=phone.pk)
    inq_b = Inquiry.objects.create(user=bob_user, customer_id=bob.pk, text="我的书到哪了？", order_id=orders["Bob"].pk)
    return {"phone": phone, "phone2": phone2, "book": book, "alice": alice, "bob": bob, "alice_user": alice_user,
            "bob_user": bob_user, "alice_order": orders["Alice"], "bob_order": orders["Bob"], "alice_inquiry": inq_a,
            "bob_inquiry": inq_b}


def _perms(*codenames_or_apps):
    q = Q()
    for c in codenames_or_apps:
        q |= Q(content_type__app_label=c) if "." not in c else Q(content_type__app_label=c.split(".")[0], codename=c.split(".")[1])
    return Permission.objects.filter(q)


@pytest.fixture
def staff(db):
    user = get_user_model().objects.create_user("boss", password="pw-boss-123", is_staff=True)
    user.user_permissions.add(*_perms("ecom_ai", "demo_shop"))
    return user


@pytest.fixture
def viewer(db):
    """Staff who may look at everything but start, retry or reply nothing."""
    user = get_user_model().objects.create_user("viewer", password="pw-viewer-123", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__startswith="view_",
                                                         content_type__app_label__in=["ecom_ai", "demo_shop"]))
    user.user_permissions.add(*_perms("ecom_ai.change_inquiry", "demo_shop.change_customer", "demo_shop.change_product"))
    return user
