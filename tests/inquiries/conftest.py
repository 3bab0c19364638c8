"""Fixtures for the inquiries tests: a small seeded demo shop and a hand-built one with known facts."""
from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories as f


@pytest.fixture(autouse=True)
def _fresh_catalogue_index(fresh_ai_state):
    """Each test sees its own catalogue (ids are reused after rollbacks) and its own artefact folder."""


@pytest.fixture
def shop(db):
    """Two customers with users; a phone, a book and apples; alice has an order with a shipment; policies."""
    from demo_shop.models import Shipment, ShipmentEvent

    phone = f.product("手机", "华为 Mate 60 运动版 12GB+256GB", price="4999", stock=12,
                      description="华为Mate 60运动版，6.7英寸屏幕，5500mAh大电池。",
                      attributes={"battery_capacity": "5500mAh", "screen_size": "6.7英寸", "waterproof": "IP68",
                                  "weight": "212g", "storage": "256GB", "memory": "12GB"})
    other_phone = f.product("手机", "小米 Civi 30 轻薄版 8GB+128GB", price="1999", stock=3,
                            attributes={"battery_capacity": "4200mAh", "screen_size": "6.36英寸", "weight": "171g"})
    book = f.product("书籍", "《Python实战》", price="69.90", stock=40,
                     attributes={"author": "王伟", "pages": 512, "publisher": "机械工业出版社"})
    apples = f.product("水果", "烟台红富士苹果 特级 5斤装", price="89.90", stock=0,
                       attributes={"weight": "2.5kg", "origin": "山东烟台", "shelf_life": "15天"})
    f.policy(notes="签收后7天无理由退货。")
    f.policy(category=phone.category, notes="7天无理由退货，保修12个月。")
    f.policy(category=apples.category, return_window_days=0, exchange_window_days=0, warranty_months=0,
             notes="生鲜商品签收后不支持无理由退货")
    alice = f.customer("Alice", username="alice")
    bob = f.customer("Bob", username="bob")
    now = timezone.now()
    old = f.order(alice, [book], days_ago=30)
    s_old = Shipment.objects.create(order=old, carrier="中通快递", tracking_number="ZT100000000001", status="delivered")
    ShipmentEvent.objects.create(shipment=s_old, status="delivered", at=now - timedelta(days=27), note="已签收，感谢使用")
    recent = f.order(alice, [phone], days_ago=2, status="shipped")
    ship = Shipment.objects.create(order=recent, carrier="顺丰速运", tracking_number="SF123456789012", status="in_transit")
    ShipmentEvent.objects.create(shipment=ship, status="shipped", at=now - timedelta(days=1, hours=20), note="快递员已揽件")
    ShipmentEvent.objects.create(shipment=ship, status="in_transit", at=now - timedelta(hours=5), note="快件已到达杭州分拨中心")
    bob_order = f.order(bob, [apples], days_ago=1, status="paid")
    return {"phone": phone, "other_phone": other_phone, "book": book, "apples": apples, "alice": alice, "bob": bob,
            "alice_user": alice.user, "bob_user": bob.user, "old_order": old, "recent_order": recent, "bob_order": bob_order,
            "shipment": ship}


@pytest.fixture
def seeded_shop(db):
    f.seeded_demo(seed=1, products=60, customers=120, reset=True)
