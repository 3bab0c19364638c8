"""The demo shop's seed command, its data's promises and the shop adapter."""
import csv
import gzip
from collections import Counter
from datetime import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from demo_shop.adapter import DemoShopAdapter
from demo_shop.models import (
    AfterSalesPolicy,
    BrowsingEvent,
    Customer,
    Order,
    OrderLine,
    Product,
    Review,
    Shipment,
    ShipmentEvent,
)
from demo_shop.seeding.generate import SAMPLE_REVIEWS, reviews_csv_path, seed_shop, shop_digest
from ecom_ai.adapters import CustomerInfo, Interaction, OrderInfo, PolicyInfo, ProductInfo, ReviewInfo, ShipmentInfo

pytestmark = pytest.mark.django_db
TINY = {"products": 60, "customers": 120}


def seed(seed=7, **kw):
    out = StringIO()
    args = ["seed_demo", "--reset", "--seed", str(seed)]
    for k, v in {**TINY, **kw}.items():
        if v is not None:
            args += [f"--{k}", str(v)]
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def shop():
    seed()
    return DemoShopAdapter()


def test_small_seed_uses_real_reviews_and_prints_summary():
    if not reviews_csv_path().exists():
        pytest.skip("the real reviews file is not here")
    out = seed()
    assert str(reviews_csv_path()) in out
    assert "products" in out and "Done in" in out
    assert Product.objects.count() == 60
    assert Customer.objects.count() == 120
    assert Order.objects.exists() and OrderLine.objects.exists() and BrowsingEvent.objects.exists()
    assert Review.objects.count() >= 60 * 10
    assert Product.objects.filter(status="inactive").exists() or Product.objects.filter(stock=0).exists()


def test_refuses_a_non_empty_shop_without_reset():
    seed()
    with pytest.raises(CommandError, match="--reset"):
        call_command("seed_demo", "--products", "60", "--customers", "120", stdout=StringIO())


def test_same_seed_gives_identical_rows_and_another_seed_differs():
    seed(3)
    first = shop_digest()
    seed(3)
    assert shop_digest() == first
    seed(4)
    assert shop_digest() != first


def test_reset_removes_seeded_users():
    from django.contrib.auth import get_user_model

    seed(customers=50)
    seed(customers=30)
    assert get_user_model().objects.filter(username__startswith="customer").count() == 30


def test_default_seed_has_every_shipment_status_and_consistent_histories():
    call_command("seed_demo", "--reset", stdout=StringIO())
    assert Product.objects.count() == 300 and Customer.objects.count() == 2000
    statuses = set(Shipment.objects.values_list("status", flat=True))
    assert statuses == {s for s, _ in Shipment.Status.choices}
    last = {}
    for sid, status in ShipmentEvent.objects.order_by("shipment_id", "at", "id").values_list("shipment_id", "status"):
        last[sid] = status
    assert last == dict(Shipment.objects.values_list("id", "status"))
    # a few orders fall in the last ten days before the anchor, so returns are within window
    assert Order.objects.filter(created_at__gte=datetime.fromisoformat("2026-09-21T20:00+08:00")).count() > 50
    assert set(Product.objects.values_list("category__name", flat=True).distinct()) == {
        "书籍", "平板", "手机", "水果", "洗发水", "热水器", "蒙牛", "衣服", "计算机", "酒店"}


def test_products_carry_category_attributes(shop):
    phone = Product.objects.filter(category__name="手机").first()
    assert phone.attributes["battery_capacity"].endswith("mAh")
    assert {"screen_size", "waterproof", "weight"} <= phone.attributes.keys()
    fruit = Product.objects.filter(category__name="水果").first()
    assert fruit.consumable and "shelf_life" in fruit.attributes
    assert not phone.consumable
    assert all(p.name_en for p in Product.objects.all())


def test_review_ratings_agree_with_labels(shop):
    labels = {}
    path = reviews_csv_path() if reviews_csv_path().exists() else SAMPLE_REVIEWS
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            labels.setdefault((row["cat"], row["review"].strip()), set()).add(int(row["label"]))
    reviews = Review.objects.values_list("product__category__name", "text", "rating", "verified_purchase")
    for cat, text, rating, _ in reviews:
        assert (1 if rating >= 4 else 0) in labels[(cat, text)]
        assert rating != 3
    verified = sum(1 for *_, v in reviews if v)
    assert verified / len(reviews) > 0.6


def test_falls_back_to_the_committed_sample(monkeypatch, tmp_path):
    monkeypatch.setenv("ECOM_AI_REVIEWS_CSV", str(tmp_path / "missing.csv.gz"))
    out = seed()
    assert str(SAMPLE_REVIEWS) in out
    assert Review.objects.count() >= 600
    assert SAMPLE_REVIEWS.stat().st_size < 300_000


def test_hidden_tastes_show_in_purchases():
    result = seed_shop("small", 11, products=120, customers=200)
    bought = Counter()
    inside = Counter()
    for username, cat in OrderLine.objects.values_list("order__customer__user__username", "product__category__name"):
        bought[username] += 1
        inside[username] += cat in result.tastes[username].categories
    share = sum(inside.values()) / sum(bought.values())
    assert share > 0.6


def test_adapter_shapes(shop, django_assert_max_num_queries):
    customer = Customer.objects.filter(orders__shipments__isnull=False).first()
    cinfo = shop.get_customer(customer.pk)
    assert isinstance(cinfo, CustomerInfo) and cinfo.user_id == customer.user_id
    assert shop.customer_for_user(customer.user) == cinfo
    assert shop.get_customer(10**9) is None
    with django_assert_max_num_queries(5):
        orders = shop.get_orders(customer.pk, limit=5)
        assert orders and all(isinstance(o, OrderInfo) and o.lines for o in orders)
        assert [o.created_at for o in orders] == sorted((o.created_at for o in orders), reverse=True)
        assert any(o.shipments for o in orders)
    ship = next(s for o in orders for s in o.shipments)
    assert isinstance(ship, ShipmentInfo) and ship.events and ship.events[-1].status == ship.status
    order = orders[0]
    assert sum(line.unit_price * line.quantity for line in order.lines) == order.total

    ids = list(Product.objects.values_list("id", flat=True)[:5])
    products = shop.get_products(ids + [10**9])
    assert set(products) == set(ids) and all(isinstance(p, ProductInfo) for p in products.values())
    assert isinstance(products[ids[0]].price, Decimal)
    all_products = list(shop.iter_products(batch_size=7))
    assert len(all_products) == 60
    assert all(p.status == "active" for p in shop.iter_products(only_active=True))
    assert len(shop.categories()) == 10
    assert list(shop.iter_customer_ids()) == list(Customer.objects.order_by("id").values_list("id", flat=True))
    reviews = list(shop.get_reviews(ids[:2]))
    assert reviews and all(isinstance(r, ReviewInfo) and r.product_id in ids[:2] for r in reviews)


def test_get_order_refuses_another_customers_order(shop):
    order = Order.objects.first()
    other = Customer.objects.exclude(pk=order.customer_id).first()
    assert shop.get_order(order.customer_id, order.pk).id == order.pk
    assert shop.get_order(other.pk, order.pk) is None
    assert all(o.customer_id == other.pk for o in shop.get_orders(other.pk))
    assert shop.get_order(order.customer_id, "not-a-number") is None


def test_iter_interactions(shop):
    items = list(shop.iter_interactions(batch_size=100))
    assert all(isinstance(i, Interaction) for i in items)
    kinds = Counter(i.kind for i in items)
    assert set(kinds) == {"purchase", "cart", "view"}
    assert kinds["view"] + kinds["cart"] == BrowsingEvent.objects.exclude(kind="search").count()
    purchases = OrderLine.objects.exclude(order__status="cancelled")
    assert kinds["purchase"] == purchases.count()
    assert sum(i.weight for i in items if i.kind == "purchase") == sum(purchases.values_list("quantity", flat=True))
    assert [i.at for i in items] == sorted(i.at for i in items)
    since = items[len(items) // 2].at
    later = list(shop.iter_interactions(since=since))
    assert later and all(i.at >= since for i in later)


def test_get_policy_falls_back_to_shop_wide(shop):
    fruit = shop.get_policy("水果")
    assert isinstance(fruit, PolicyInfo) and fruit.category == "水果" and fruit.return_window_days == 0
    assert "生鲜" in fruit.notes
    default = shop.get_policy("书籍")
    assert default.category is None and default.return_window_days == 7 and default.free_shipping_over == Decimal("99")
    assert shop.get_policy(None) == default
    assert shop.get_policy("不存在的类目") == default
    assert shop.get_policy("计算机").warranty_months == 24
    AfterSalesPolicy.objects.all().delete()
    assert shop.get_policy("水果") is None


def test_admin_changelists_render(shop, admin_client):
    for name in ("category", "product", "customer", "order", "orderline", "shipment", "shipmentevent", "review",
                 "browsingevent", "aftersalespolicy"):
        resp = admin_client.get(reverse(f"admin:demo_shop_{name}_changelist"))
        assert resp.status_code == 200, name
    order = Order.objects.first()
    assert admin_client.get(reverse("admin:demo_shop_order_change", args=[order.pk])).status_code == 200
