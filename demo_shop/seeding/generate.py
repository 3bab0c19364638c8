"""Deterministic demo data: catalogue, customers with hidden tastes, orders, shipments, reviews, browsing.

Everything is drawn from ``random.Random(seed)`` and ``numpy.random.default_rng(seed)`` and dated
relative to a fixed anchor, so one seed always yields the same rows (primary keys aside).
"""
from __future__ import annotations

import csv
import gzip
import hashlib
import io
import os
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from ..models import (
    AfterSalesPolicy,
    BrowsingEvent,
    Category,
    Customer,
    Order,
    OrderLine,
    Product,
    Review,
    Shipment,
    ShipmentEvent,
)
from .catalog import CATEGORIES, CITIES, RECOMMENDATION_POLICY, make_product, person_name, search_queries

DEFAULT_ANCHOR = datetime(2026, 10, 1, 20, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
WINDOW_DAYS = 180
DEMO_PASSWORD = "demo-shop-2026"  # every seeded customer's password (for trying the API)
TASTE_SHARE = 0.85  # share of a customer's views/carts/purchases drawn from their hidden tastes
CARRIERS = [("顺丰速运", "SF"), ("中通快递", "ZT"), ("圆通速递", "YT"), ("京东物流", "JD"), ("EMS", "EM")]
SHIPMENT_CHAIN = ["pending", "shipped", "in_transit", "out_for_delivery", "delivered", "returned"]
BATCH = 5000

SAMPLE_REVIEWS = Path(__file__).with_name("reviews_sample.csv.gz")


@dataclass(frozen=True)
class SeedScale:
    products: int
    customers: int
    orders: int
    browsing_events: int
    reviews_per_product: tuple[int, int]

    @classmethod
    def named(cls, size: str, *, products: int | None = None, customers: int | None = None) -> "SeedScale":
        base = {
            "small": cls(300, 2000, 8000, 30000, (10, 30)),
            "large": cls(20000, 100000, 300_000, 1_550_000, (2, 6)),
        }[size]
        p = products or base.products
        c = customers or base.customers
        ratio = c / base.customers
        return cls(p, c, max(1, round(base.orders * ratio)), max(1, round(base.browsing_events * ratio)), base.reviews_per_product)


@dataclass
class Taste:
    """A customer's hidden taste: preferred categories, style (0..2) and price tier (0..2)."""

    categories: tuple[str, ...]
    style: int
    tier: int


@dataclass
class SeedResult:
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    tastes: dict[str, Taste] = field(default_factory=dict)  # by username
    reviews_source: str = ""


def reviews_csv_path() -> Path:
    env = os.environ.get("ECOM_AI_REVIEWS_CSV")
    if env:
        return Path(env)
    return Path(settings.BASE_DIR).parent / "shared" / "data" / "online_shopping_reviews.dev.csv.gz"


def load_reviews(path: Path | None = None) -> tuple[dict[tuple[str, int], list[str]], str]:
    """Review texts by (category, label); the committed sample when the real file is missing."""
    path = path or reviews_csv_path()
    if not path.exists():
        path = SAMPLE_REVIEWS
    opener = gzip.open if path.suffix == ".gz" else open
    pools: dict[tuple[str, int], list[str]] = defaultdict(list)
    with opener(path, "rt", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            text = (row.get("review") or "").strip()
            if text and row.get("label") in ("0", "1"):
                pools[(row["cat"], int(row["label"]))].append(text)
    return pools, str(path)


def is_empty() -> bool:
    return not (Category.objects.exists() or Product.objects.exists() or Customer.objects.exists() or AfterSalesPolicy.objects.exists())


def reset_shop() -> None:
    """Delete all demo data in bulk (children first) and the users the seed created."""
    User = get_user_model()
    user_ids = list(
        Customer.objects.filter(user__username__regex=r"^customer[0-9]+$").values_list("user_id", flat=True)
    )
    with transaction.atomic(), connection.cursor() as cur:
        for model in (ShipmentEvent, Shipment, OrderLine, Review, BrowsingEvent, Order, Customer, AfterSalesPolicy, Product, Category):
            cur.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
        # Users may be referenced by other apps (admin log, ecom_ai jobs): let the ORM cascade.
        for start in range(0, len(user_ids), 5000):
            User.objects.filter(pk__in=user_ids[start : start + 5000]).delete()


def _bulk(model, objs, batch_size=BATCH):
    return model.objects.bulk_create(objs, batch_size=batch_size, ignore_conflicts=False)


class _Pools:
    """Active products grouped for vectorised taste draws: by (category, style, tier) and by category."""

    def __init__(self, cat, style, tier, active, n_cat):
        idx = np.flatnonzero(active)
        gkey = cat[idx] * 9 + style[idx] * 3 + tier[idx]
        order = np.lexsort((idx, gkey))
        self.g_items = idx[order]
        g_sorted = gkey[order]
        self.g_start = np.searchsorted(g_sorted, np.arange(n_cat * 9))
        self.g_size = np.searchsorted(g_sorted, np.arange(n_cat * 9), side="right") - self.g_start
        ckey = cat[idx]
        order = np.lexsort((idx, ckey))
        self.c_items = idx[order]
        c_sorted = ckey[order]
        self.c_start = np.searchsorted(c_sorted, np.arange(n_cat))
        self.c_size = np.searchsorted(c_sorted, np.arange(n_cat), side="right") - self.c_start
        self.all = idx

    def draw(self, rng, cust, pref_cats, n_pref, c_style, c_tier):
        """One product index per entry of ``cust``: ~85% from the customer's tastes, the rest anywhere."""
        n = len(cust)
        out = np.empty(n, dtype=np.int64)
        # popularity skew inside a pool: low positions are the pool's bestsellers
        u = rng.random(n) ** 1.6
        match = rng.random(n) < TASTE_SHARE
        which = (rng.random(n) * n_pref[cust]).astype(np.int64)
        cats = pref_cats[cust, which]
        exact = rng.random(n) < 0.75
        g = cats * 9 + c_style[cust] * 3 + c_tier[cust]
        use_g = match & exact & (self.g_size[g] > 0)
        use_c = match & ~use_g & (self.c_size[cats] > 0)
        rest = ~(use_g | use_c)
        out[use_g] = self.g_items[self.g_start[g[use_g]] + (u[use_g] * self.g_size[g[use_g]]).astype(np.int64)]
        out[use_c] = self.c_items[self.c_start[cats[use_c]] + (u[use_c] * self.c_size[cats[use_c]]).astype(np.int64)]
        out[rest] = self.all[(rng.random(int(rest.sum())) * len(self.all)).astype(np.int64)]
        return out


def _aware_offsets(anchor: datetime, seconds_before: np.ndarray) -> list[datetime]:
    return [anchor - timedelta(seconds=int(s)) for s in seconds_before]


def seed_shop(size: str = "small", seed: int = 42, *, products: int | None = None, customers: int | None = None,
              anchor: datetime = DEFAULT_ANCHOR, stdout=None) -> SeedResult:
    """Fill an empty shop. Returns counts, timings and the customers' hidden tastes."""
    scale = SeedScale.named(size, products=products, customers=customers)
    rnd = random.Random(seed)
    rng = np.random.default_rng(seed)
    result = SeedResult()
    t0 = time.perf_counter()
    phase_start = [t0]

    def lap(name):
        now = time.perf_counter()
        result.timings[name] = round(now - phase_start[0], 2)
        phase_start[0] = now
        if stdout:
            stdout.write(f"  {name}: {result.timings[name]:.2f}s")

    review_pools, result.reviews_source = load_reviews()
    cat_names = [c[0] for c in CATEGORIES]
    n_cat = len(cat_names)

    with transaction.atomic():
        # --- catalogue ----------------------------------------------------
        cats = _bulk(Category, [Category(name=n, slug=s) for n, s, _ in CATEGORIES])
        cat_objs = {c.name: c for c in cats}
        _policies(cat_objs)
        _recommendation_policies()

        P = scale.products
        p_cat = np.arange(P) % n_cat
        rng.shuffle(p_cat)
        p_style = rng.integers(0, 3, P)
        p_tier = rng.integers(0, 3, P)
        p_active = rng.random(P) >= 0.05
        p_stock = np.where(rng.random(P) < 0.06, 0, rng.integers(1, 500, P))
        p_age = rng.integers(WINDOW_DAYS, WINDOW_DAYS + 720, P) * 86400
        prods = []
        for i in range(P):
            f = make_product(rnd, cat_names[p_cat[i]], int(p_style[i]), int(p_tier[i]))
            prods.append(Product(category=cat_objs[cat_names[p_cat[i]]], stock=int(p_stock[i]),
                                 status="active" if p_active[i] else "inactive",
                                 created_at=anchor - timedelta(seconds=int(p_age[i])), **f))
        prods = _bulk(Product, prods, 2000)
        p_pk = np.array([p.pk for p in prods], dtype=np.int64)
        p_price = [p.price for p in prods]
        p_consumable = np.array([p.consumable for p in prods])
        lap("products")

        # --- customers and their hidden tastes ----------------------------
        C = scale.customers
        n_pref = rng.choice([1, 2, 3], size=C, p=[0.35, 0.45, 0.2])
        pref_cats = np.argsort(rng.random((C, n_cat)), axis=1)[:, :3]
        c_style = rng.integers(0, 3, C)
        c_tier = rng.choice([0, 1, 2], size=C, p=[0.45, 0.38, 0.17])
        activity = rng.lognormal(0, 0.8, C)
        activity /= activity.sum()
        joined = rng.integers(WINDOW_DAYS, WINDOW_DAYS + 900, C) * 86400 + rng.integers(0, 86400, C)
        width = max(4, len(str(C)))
        usernames = [f"customer{i + 1:0{width}d}" for i in range(C)]
        password = make_password(DEMO_PASSWORD)  # one hash for all: hashing per user would take hours
        User = get_user_model()
        users = []
        for i in range(C):
            users.append(User(username=usernames[i], email=f"{usernames[i]}@example.com", password=password,
                              date_joined=anchor - timedelta(seconds=int(joined[i]))))
        users = _bulk(User, users)
        names = [person_name(rnd) for _ in range(C)]
        city_idx = rng.integers(0, len(CITIES), C)
        custs = _bulk(Customer, [Customer(user_id=u.pk, name=names[i], city=CITIES[city_idx[i]], joined_at=u.date_joined)
                                 for i, u in enumerate(users)])
        c_pk = np.array([c.pk for c in custs], dtype=np.int64)
        for i in range(C):
            result.tastes[usernames[i]] = Taste(tuple(cat_names[k] for k in pref_cats[i, : n_pref[i]]), int(c_style[i]), int(c_tier[i]))
        del users, custs
        lap("customers")

        pools = _Pools(p_cat, p_style, p_tier, p_active, n_cat)

        # --- orders, lines, shipments -------------------------------------
        O = scale.orders
        o_cust = rng.choice(C, size=O, p=activity)
        o_age = rng.random(O) * WINDOW_DAYS * 86400  # seconds before the anchor
        o_age.sort()
        o_age = o_age[::-1]  # oldest first, so primary keys follow time
        n_lines = rng.choice([1, 2, 3], size=O, p=[0.6, 0.3, 0.1])
        line_order = np.repeat(np.arange(O), n_lines)
        line_prod = pools.draw(rng, o_cust[line_order], pref_cats, n_pref, c_style, c_tier)
        qty = np.where(p_consumable[line_prod], rng.integers(1, 4, len(line_prod)), np.where(rng.random(len(line_prod)) < 0.92, 1, 2))
        days = o_age / 86400
        u = rng.random(O)
        status = np.empty(O, dtype=object)
        status[:] = "completed"
        status[(days >= 10) & (u < 0.06)] = "refunded"
        status[(days >= 10) & (u >= 0.06) & (u < 0.11)] = "cancelled"
        m = (days >= 5) & (days < 10)
        status[m] = np.where(u[m] < 0.6, "delivered", np.where(u[m] < 0.88, "completed", np.where(u[m] < 0.94, "refunded", "cancelled")))
        m = (days >= 2) & (days < 5)
        status[m] = np.where(u[m] < 0.45, "shipped", np.where(u[m] < 0.95, "delivered", "cancelled"))
        m = days < 2
        status[m] = np.where(u[m] < 0.55, "paid", "shipped")

        # totals from the lines
        line_total = [p_price[line_prod[j]] * int(qty[j]) for j in range(len(line_prod))]
        o_total = [Decimal("0")] * O
        for j, o in enumerate(line_order):
            o_total[o] += line_total[j]
        o_created = _aware_offsets(anchor, o_age)
        order_pk = np.empty(O, dtype=np.int64)
        for start in range(0, O, 20000):
            objs = _bulk(Order, [Order(customer_id=int(c_pk[o_cust[o]]), created_at=o_created[o], status=status[o], total=o_total[o])
                                     for o in range(start, min(O, start + 20000))])
            order_pk[start : start + len(objs)] = [x.pk for x in objs]
        lap("orders")
        L = len(line_prod)
        for start in range(0, L, 50000):
            _bulk(OrderLine, [OrderLine(order_id=int(order_pk[line_order[j]]), product_id=int(p_pk[line_prod[j]]),
                                        quantity=int(qty[j]), unit_price=p_price[line_prod[j]]) for j in range(start, min(L, start + 50000))])
        lap("order_lines")
        n_ship, n_events = _shipments(rng, anchor, status, o_age, order_pk)
        lap("shipments")

        # --- reviews ------------------------------------------------------
        buyers = defaultdict(list)  # product index -> [(customer index, seconds before anchor)]
        ok = np.isin(status[line_order], ("completed", "delivered", "refunded"))
        for j in np.flatnonzero(ok):
            o = line_order[j]
            buyers[int(line_prod[j])].append((int(o_cust[o]), float(o_age[o])))
        n_reviews = _reviews(rnd, rng, anchor, scale, cat_names, p_cat, p_pk, c_pk, buyers, review_pools)
        lap("reviews")

        # --- browsing events ----------------------------------------------
        B = scale.browsing_events
        b_cust = rng.choice(C, size=B, p=activity)
        b_age = rng.random(B) * WINDOW_DAYS * 86400
        b_kind_u = rng.random(B)
        b_prod = pools.draw(rng, b_cust, pref_cats, n_pref, c_style, c_tier)
        q_match = rng.random(B) < TASTE_SHARE
        q_pick = rng.integers(0, 4, B)
        q_cat = np.where(q_match, pref_cats[b_cust, (rng.random(B) * n_pref[b_cust]).astype(np.int64)], rng.integers(0, n_cat, B))
        query_cache = {}
        for start in range(0, B, 50000):
            objs = []
            for j in range(start, min(B, start + 50000)):
                k = b_kind_u[j]
                at = anchor - timedelta(seconds=int(b_age[j]))
                cid = int(c_pk[b_cust[j]])
                if k < 0.15:
                    key = (int(q_cat[j]), int(c_style[b_cust[j]]))
                    qs = query_cache.get(key) or query_cache.setdefault(key, search_queries(cat_names[key[0]], key[1]))
                    objs.append(BrowsingEvent(customer_id=cid, kind="search", query=qs[q_pick[j]], at=at))
                else:
                    objs.append(BrowsingEvent(customer_id=cid, product_id=int(p_pk[b_prod[j]]), kind="cart" if k < 0.32 else "view", at=at))
            _bulk(BrowsingEvent, objs)
        lap("browsing_events")

    result.counts = {
        "categories": n_cat, "products": P, "customers": C, "orders": O, "order_lines": L, "shipments": n_ship,
        "shipment_events": n_events, "reviews": n_reviews, "browsing_events": B, "after_sales_policies": AfterSalesPolicy.objects.count(),
    }
    result.timings["total"] = round(time.perf_counter() - t0, 2)
    return result


def _recommendation_policies():
    """Which categories recommendations treat as consumable, durable (and for how long) or standalone."""
    from ecom_ai.recommendations.models import CategoryPolicy

    for name, (consumable, days, standalone) in RECOMMENDATION_POLICY.items():
        CategoryPolicy.objects.update_or_create(category=name, defaults={
            "consumable": consumable, "repurchase_days": days or 365, "standalone": standalone})


def _policies(cat_objs):
    perishable = "生鲜商品签收后不支持无理由退货，质量问题48小时内可申请退款"
    rows = [
        AfterSalesPolicy(name="全店默认售后政策", category=None, return_window_days=7, exchange_window_days=15, warranty_months=12,
                         shipping_fee=Decimal("10"), free_shipping_over=Decimal("99"), notes="签收后7天无理由退货，15天内可换货，商品保修12个月。"),
        AfterSalesPolicy(name="水果售后政策", category=cat_objs["水果"], return_window_days=0, exchange_window_days=0, warranty_months=0,
                         shipping_fee=Decimal("0"), free_shipping_over=None, notes=perishable),
        AfterSalesPolicy(name="蒙牛乳品售后政策", category=cat_objs["蒙牛"], return_window_days=0, exchange_window_days=0, warranty_months=0,
                         shipping_fee=Decimal("10"), free_shipping_over=Decimal("99"), notes=perishable),
        AfterSalesPolicy(name="服装售后政策", category=cat_objs["衣服"], return_window_days=15, exchange_window_days=15, warranty_months=0,
                         shipping_fee=Decimal("10"), free_shipping_over=Decimal("99"), notes="吊牌完好、未洗涤可15天无理由退换。"),
        AfterSalesPolicy(name="计算机售后政策", category=cat_objs["计算机"], return_window_days=7, exchange_window_days=15, warranty_months=24,
                         shipping_fee=Decimal("0"), free_shipping_over=None, notes="7天无理由退货（激活后需包装配件齐全），整机保修24个月。"),
        AfterSalesPolicy(name="手机售后政策", category=cat_objs["手机"], return_window_days=7, exchange_window_days=15, warranty_months=12,
                         shipping_fee=Decimal("0"), free_shipping_over=None, notes="7天无理由退货，15天内性能故障可换货，保修12个月。"),
        AfterSalesPolicy(name="平板售后政策", category=cat_objs["平板"], return_window_days=7, exchange_window_days=15, warranty_months=12,
                         shipping_fee=Decimal("0"), free_shipping_over=None, notes="7天无理由退货，15天内性能故障可换货，保修12个月。"),
        AfterSalesPolicy(name="酒店预订政策", category=cat_objs["酒店"], return_window_days=0, exchange_window_days=0, warranty_months=0,
                         shipping_fee=Decimal("0"), free_shipping_over=None,
                         notes="入住前一天18:00前可免费取消；之后取消或未入住收取首晚房费。可改期一次。"),
    ]
    _bulk(AfterSalesPolicy, rows)


def _shipments(rng, anchor, status, o_age, order_pk):
    """A shipment per shipped order with an event history ending in the shipment's status."""
    O = len(status)
    u = rng.random(O)
    final = np.empty(O, dtype=object)
    final[:] = None
    final[(status == "paid") & (u < 0.5)] = "pending"
    m = status == "shipped"
    final[m] = np.where(u[m] < 0.3, "shipped", np.where(u[m] < 0.75, "in_transit", "out_for_delivery"))
    final[(status == "delivered") | (status == "completed")] = "delivered"
    final[(status == "refunded") & (u < 0.7)] = "returned"
    idx = np.flatnonzero(final != None)  # noqa: E711 (numpy elementwise)
    carrier = rng.integers(0, len(CARRIERS), len(idx))
    digits = rng.integers(10**11, 10**12, len(idx))
    steps = rng.random((len(idx), 6))
    hubs = ["上海转运中心", "广州转运中心", "武汉转运中心", "北京转运中心", "成都转运中心", "杭州分拨中心"]
    hub = rng.integers(0, len(hubs), len(idx))
    # hours after the order for each step of the chain
    gaps = np.stack([0.5 + 3 * steps[:, 0], 4 + 24 * steps[:, 1], 6 + 18 * steps[:, 2], 10 + 30 * steps[:, 3], 2 + 6 * steps[:, 4],
                     48 + 96 * steps[:, 5]], axis=1).cumsum(axis=1)
    notes = {"pending": "订单已打包，等待揽收", "shipped": "快递员已揽件", "out_for_delivery": "快递员正在派送，请保持电话畅通",
             "delivered": "已签收，感谢使用", "returned": "退货已签收，退款处理中"}
    ships = [Shipment(order_id=int(order_pk[o]), carrier=CARRIERS[carrier[k]][0], tracking_number=f"{CARRIERS[carrier[k]][1]}{digits[k]}",
                      status=final[o]) for k, o in enumerate(idx)]
    n_events = 0
    for start in range(0, len(ships), 20000):
        chunk = _bulk(Shipment, ships[start : start + 20000])
        events = []
        for k in range(start, start + len(chunk)):
            o = idx[k]
            last = SHIPMENT_CHAIN.index(final[o])
            chain = SHIPMENT_CHAIN[: last + 1] if final[o] != "returned" else SHIPMENT_CHAIN
            hours = gaps[k, : len(chain)]
            # squeeze into the time between the order and the anchor
            span = o_age[o] / 3600 * 0.95
            if hours[-1] > span:
                hours = hours * (span / hours[-1])
            created = anchor - timedelta(seconds=float(o_age[o]))
            for s, h in zip(chain, hours):
                note = notes.get(s) or f"快件已到达{hubs[hub[k]]}"
                events.append(ShipmentEvent(shipment_id=chunk[k - start].pk, status=s, at=created + timedelta(hours=float(h)), note=note))
        _bulk(ShipmentEvent, events)
        n_events += len(events)
    return len(ships), n_events


def _reviews(rnd, rng, anchor, scale, cat_names, p_cat, p_pk, c_pk, buyers, pools):
    """Real review texts per category; ratings follow the label; most reviewers bought the product."""
    lo, hi = scale.reviews_per_product
    P = len(p_pk)
    counts = rng.integers(lo, hi + 1, P)
    quality = rng.beta(4, 1.6, P)  # hidden share of happy buyers per product
    cursor = {}
    order = {}
    for key, texts in pools.items():
        perm = list(range(len(texts)))
        rnd.shuffle(perm)
        order[key] = perm
        cursor[key] = 0
    objs = []
    n = 0
    C = len(c_pk)
    for p in range(P):
        cat = cat_names[p_cat[p]]
        who = buyers.get(p, [])
        for _ in range(int(counts[p])):
            label = 1 if rnd.random() < quality[p] else 0
            key = (cat, label)
            if not order.get(key):
                key = (cat, 1 - label)
                if not order.get(key):
                    continue
                label = key[1]
            i = cursor[key]
            text = pools[key][order[key][i % len(order[key])]]
            cursor[key] = i + 1
            rating = rnd.choice((4, 5, 5)) if label else rnd.choice((1, 1, 2))
            if who and rnd.random() < 0.9:
                ci, age = who[rnd.randrange(len(who))]
                age = max(60.0, age - rnd.uniform(2, 15) * 86400)
                objs.append(Review(product_id=int(p_pk[p]), customer_id=int(c_pk[ci]), rating=rating, text=text,
                                   created_at=anchor - timedelta(seconds=age), verified_purchase=True))
            else:
                ci = rnd.randrange(C)
                objs.append(Review(product_id=int(p_pk[p]), customer_id=int(c_pk[ci]) if rnd.random() < 0.8 else None, rating=rating,
                                   text=text, created_at=anchor - timedelta(seconds=rnd.uniform(0, WINDOW_DAYS * 86400)),
                                   verified_purchase=False))
        if len(objs) >= 20000:
            _bulk(Review, objs)
            n += len(objs)
            objs = []
    _bulk(Review, objs)
    return n + len(objs)


def shop_digest() -> str:
    """SHA-256 of the seeded content (not primary keys): equal digests mean identical shops."""
    h = hashlib.sha256()

    def feed(rows):
        for row in rows:
            h.update(repr(row).encode())
            h.update(b"\n")

    feed(Product.objects.order_by("id").values_list("category__name", "name", "name_en", "price", "cost", "stock", "status"))
    feed(sorted(str(sorted(a.items())) for a in Product.objects.values_list("attributes", flat=True)))
    feed(Customer.objects.order_by("id").values_list("user__username", "name", "city", "joined_at"))
    feed(Order.objects.order_by("id").values_list("customer__user__username", "created_at", "status", "total"))
    feed(OrderLine.objects.order_by("id").values_list("product__name", "quantity", "unit_price"))
    feed(Shipment.objects.order_by("id").values_list("carrier", "tracking_number", "status"))
    feed(ShipmentEvent.objects.order_by("id").values_list("status", "at", "note"))
    feed(Review.objects.order_by("id").values_list("product__name", "customer__user__username", "rating", "text", "created_at"))
    feed(BrowsingEvent.objects.order_by("id").values_list("customer__user__username", "product__name", "kind", "query", "at"))
    feed(AfterSalesPolicy.objects.order_by("id").values_list("name", "return_window_days", "notes"))
    return h.hexdigest()


def write_reviews_sample(source: Path, dest: Path = SAMPLE_REVIEWS, per_category: int = 200) -> int:
    """Build the committed fallback sample: the first rows per category and label, balanced (deterministic)."""
    pools, _ = load_reviews(source)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["cat", "label", "review"])
    n = 0
    for cat, _slug, _en in CATEGORIES:
        for label in (1, 0):
            for text in pools.get((cat, label), [])[: per_category // 2]:
                w.writerow([cat, label, text[:300]])
                n += 1
    with gzip.GzipFile(dest, "wb", mtime=0) as fh:
        fh.write(buf.getvalue().encode("utf-8"))
    return n
