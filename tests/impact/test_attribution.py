"""The shop's own orders, attributed to what the customer was shown or clicked within the window."""
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from ecom_ai.impact.attribution import attribute_orders
from ecom_ai.impact.models import ImpactEvent


def _exposure(customer, product, kind, at, **extra):
    return ImpactEvent.objects.create(customer_id=customer.pk, event_id=f"{kind}-{product.pk}-{at.timestamp()}", kind=kind,
                                      source=extra.pop("source", "recommendation"), product_id=product.pk, occurred_at=at, **extra)


def _order(customer, at, lines, status="paid"):
    from demo_shop.models import Order, OrderLine

    order = Order.objects.create(customer=customer, created_at=at, status=status, total=Decimal("0"))
    for product, qty in lines:
        OrderLine.objects.create(order=order, product=product, quantity=qty, unit_price=product.price)
    return order


def test_an_order_line_is_counted_once_however_often_attribution_runs(shop):
    now = timezone.now()
    alice, phone, case = shop["alice"], shop["phone"], shop["case"]
    _exposure(alice, phone, "impression", now - timedelta(days=3), model_version="v1")
    _exposure(alice, phone, "click", now - timedelta(days=2), model_version="v2")
    _exposure(alice, phone, "impression", now - timedelta(days=1, hours=12), model_version="v3")
    order = _order(alice, now - timedelta(days=1), [(phone, 1), (phone, 1), (case, 2)])   # the phone on two lines
    assert attribute_orders(now=now) == 1
    assert attribute_orders(now=now) == 1
    orders = list(ImpactEvent.objects.filter(kind="order"))
    assert len(orders) == 1
    o = orders[0]
    assert (o.order_id, o.product_id, o.origin) == (order.pk, phone.pk, "attributed")
    assert o.value == Decimal("9998.00")                  # both lines of the same product
    assert o.model_version == "v2"                         # the click wins over a later impression
    # the frontend posts the same order line too: still one
    ImpactEvent.objects.bulk_create([ImpactEvent(customer_id=alice.pk, event_id="client-order", kind="order",
                                                 source="recommendation", product_id=phone.pk, order_id=order.pk,
                                                 occurred_at=now)], ignore_conflicts=True)
    assert ImpactEvent.objects.filter(kind="order").count() == 1


def test_orders_outside_the_window_cancelled_or_of_another_customer_do_not_count(shop, settings):
    settings.ECOM_AI = {**settings.ECOM_AI, "IMPACT": {"ATTRIBUTION_DAYS": 2}}
    now = timezone.now()
    alice, bob, phone, book = shop["alice"], shop["bob"], shop["phone"], shop["book"]
    _exposure(alice, phone, "impression", now - timedelta(days=10))
    _order(alice, now - timedelta(days=5), [(phone, 1)])                    # 5 days after: outside a 2-day window
    _order(alice, now - timedelta(days=11), [(phone, 1)])                   # before it was shown
    _exposure(alice, book, "impression", now - timedelta(days=1))
    _order(alice, now - timedelta(hours=12), [(book, 1)], status="cancelled")
    _order(bob, now - timedelta(hours=12), [(book, 1)])                     # bob was never shown the book
    assert attribute_orders(now=now) == 0
    assert not ImpactEvent.objects.filter(kind="order").exists()
    _order(alice, now - timedelta(hours=1), [(book, 3)])
    assert attribute_orders(now=now) == 1
    o = ImpactEvent.objects.get(kind="order")
    assert (o.customer_id, o.value) == (alice.pk, Decimal("209.70"))


def test_a_campaign_copy_earns_its_orders(shop):
    now = timezone.now()
    alice, phone, copy = shop["alice"], shop["phone"], shop["copy_b"]
    _exposure(alice, phone, "click", now - timedelta(hours=5), source="campaign", copy_id=copy.pk,
              campaign_id=shop["campaign"].pk, variant=1)
    _order(alice, now - timedelta(hours=1), [(phone, 1)])
    assert attribute_orders(now=now) == 1
    o = ImpactEvent.objects.get(kind="order")
    assert (o.source, o.copy_id, o.variant) == ("campaign", copy.pk, 1)


def test_the_attribution_task_credits_orders(shop):
    from ecom_ai.tasks import attribute_orders_task

    now = timezone.now()
    _exposure(shop["alice"], shop["book"], "impression", now - timedelta(days=1))
    _order(shop["alice"], now - timedelta(hours=2), [(shop["book"], 1)])
    assert attribute_orders_task.delay().get() == 1
    assert ImpactEvent.objects.filter(kind="order", product_id=shop["book"].pk).count() == 1
