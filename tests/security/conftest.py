"""Fixtures of the security tests: two customers (alice, bob) with orders, inquiries and jobs of their
own, a small catalogue with reviews, a staff user allowed everything and one who may only look."""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q

from tests import factories as f


@pytest.fixture(autouse=True)
def _fresh(fresh_ai_state):
    """Throttle counters live in the cache; artefacts in a folder of the test's own."""


@pytest.fixture
def shop(db):
    from demo_shop.models import Shipment
    from ecom_ai.inquiries.models import Inquiry

    phone = f.product("手机", "星河X1手机", price="1999", stock=8,
                      attributes={"battery_capacity": "5000mAh", "screen_size": "6.5英寸"})
    phone2 = f.product("手机", "晨光S2手机", price="999", stock=3, attributes={"battery_capacity": "4200mAh"})
    book = f.product("书籍", "《Python实战》", price="69.90", stock=40, attributes={"author": "王伟", "pages": 512})
    f.policy(notes="签收后7天无理由退货。")
    alice = f.customer("Alice", username="alice")
    bob = f.customer("Bob", username="bob")
    orders = {}
    for who, product in ((alice, phone), (bob, book)):
        order = f.order(who, [product], days_ago=3, status="shipped")
        Shipment.objects.create(order=order, carrier="顺丰速运", tracking_number=f"SF{order.pk:012d}", status="in_transit")
        orders[who.name] = order
    for i, (rating, text) in enumerate([(5, "电池很耐用，续航一整天"), (1, "物流太慢了"), (4, "屏幕清晰，手感好"),
                                        (2, "快递慢，包装破损"), (5, "性价比很高")]):
        f.review(phone, rating, text, cust=bob if i % 2 else alice, days_ago=20 - i)
    inq_a = Inquiry.objects.create(user=alice.user, customer_id=alice.pk, text="星河X1手机的电池多大？", product_id=phone.pk)
    inq_b = Inquiry.objects.create(user=bob.user, customer_id=bob.pk, text="我的书到哪了？", order_id=orders["Bob"].pk)
    return {"phone": phone, "phone2": phone2, "book": book, "alice": alice, "bob": bob, "alice_user": alice.user,
            "bob_user": bob.user, "alice_order": orders["Alice"], "bob_order": orders["Bob"], "alice_inquiry": inq_a,
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
