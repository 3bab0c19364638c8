"""Fixtures for the inquiries tests: a small seeded demo shop and a hand-built one with known facts."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.utils import timezone


@pytest.fixture(autouse=True)
def _fresh_catalogue_index(fresh_ai_state):
    """Each test sees its own catalogue (ids are reused after rollbacks) and its own artefact folder."""


@pytest.fixture
def shop(db):
    """Two customers with users; a phone, a book and apples; alice has an order with a shipment; policies."""
    from demo_shop.models import (AfterSalesPolicy, Category, Customer, Order, OrderLine, Product, Shipment,
                                  ShipmentEvent)

    User = get_user_model()
    phones = Category.objects.create(name="手机", slug="phones")
    books = Category.objects.create(name="书籍", slug="books")
    fruit = Category.objects.create(name="水果", slug="fruit")
    phone = Product.objects.create(category=phones, name="华为 Mate 60 运动版 12GB+256GB", price=Decimal("4999"), stock=12,
                                   description="华为Mate 60运动版，6.7英寸屏幕，5500mAh大电池。",
                                   attributes={"battery_capacity": "5500mAh", "screen_size": "6.7英寸", "waterproof": "IP68",
                                               "weight": "212g", "storage": "256GB", "memory": "12GB"})
    other_phone = Product.objects.create(category=phones, name="小米 Civi 30 轻薄版 8GB+128GB", price=Decimal("1999"), stock=3,
                                         attributes={"battery_capacity": "4200mAh", "screen_size": "6.36英寸", "weight": "171g"})
    book = Product.objects.create(category=books, name="《Python实战》", price=Decimal("69.90"), stock=40,
                                  attributes={"author": "王伟", "pages": 512, "publisher": "机械工业出版社"})
    apples = Product.objects.create(category=fruit, name="烟台红富士苹果 特级 5斤装", price=Decimal("89.90"), stock=0,
                                    attributes={"weight": "2.5kg", "origin": "山东烟台", "shelf_life": "15天"})
    AfterSalesPolicy.objects.create(name="默认", category=None, return_window_days=7, exchange_window_days=15, warranty_months=12,
                                    notes="签收后7天无理由退货。")
    AfterSalesPolicy.objects.create(name="手机", category=phones, return_window_days=7, exchange_window_days=15, warranty_months=12,
                                    notes="7天无理由退货，保修12个月。")
    AfterSalesPolicy.objects.create(name="水果", category=fruit, return_window_days=0, exchange_window_days=0, warranty_months=0,
                                    notes="生鲜商品签收后不支持无理由退货")
    alice_user = User.objects.create_user("alice", password="pw-alice-123")
    bob_user = User.objects.create_user("bob", password="pw-bob-123")
    alice = Customer.objects.create(user=alice_user, name="Alice")
    bob = Customer.objects.create(user=bob_user, name="Bob")
    now = timezone.now()
    old = Order.objects.create(customer=alice, created_at=now - timedelta(days=30), status="completed", total=Decimal("69.90"))
    OrderLine.objects.create(order=old, product=book, quantity=1, unit_price=Decimal("69.90"))
    s_old = Shipment.objects.create(order=old, carrier="中通快递", tracking_number="ZT100000000001", status="delivered")
    ShipmentEvent.objects.create(shipment=s_old, status="delivered", at=now - timedelta(days=27), note="已签收，感谢使用")
    recent = Order.objects.create(customer=alice, created_at=now - timedelta(days=2), status="shipped", total=Decimal("4999"))
    OrderLine.objects.create(order=recent, product=phone, quantity=1, unit_price=Decimal("4999"))
    ship = Shipment.objects.create(order=recent, carrier="顺丰速运", tracking_number="SF123456789012", status="in_transit")
    ShipmentEvent.objects.create(shipment=ship, status="shipped", at=now - timedelta(days=1, hours=20), note="快递员已揽件")
    ShipmentEvent.objects.create(shipment=ship, status="in_transit", at=now - timedelta(hours=5), note="快件已到达杭州分拨中心")
    bob_order = Order.objects.create(customer=bob, created_at=now - timedelta(days=1), status="paid", total=Decimal("89.90"))
    OrderLine.objects.create(order=bob_order, product=apples, quantity=1, unit_price=Decimal("89.90"))
    return {"phone": phone, "other_phone": other_phone, "book": book, "apples": apples, "alice": alice, "bob": bob,
            "alice_user": alice_user, "bob_user": bob_user, "old_order": old, "recent_order": recent, "bob_order": bob_order,
            "shipment": ship}


@pytest.fixture
def staff_user(db):
    user = get_user_model().objects.create_user("staffer", password="pw-staff-123", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="ecom_ai"))
    return user


@pytest.fixture
def seeded_shop(db):
    call_command("seed_demo", "--reset", "--seed", "1", "--products", "60", "--customers", "120", verbosity=0)
