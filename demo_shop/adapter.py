"""The demo shop's :class:`~ecom_ai.adapters.ShopAdapter`: reads demo_shop's models into ecom_ai's dataclasses."""
from __future__ import annotations

import heapq
from datetime import datetime
from typing import Iterable, Iterator, Sequence

from django.db.models import Prefetch

from ecom_ai.adapters import (
    CustomerInfo,
    Interaction,
    OrderInfo,
    OrderLineInfo,
    PolicyInfo,
    ProductInfo,
    ReviewInfo,
    ShipmentEvent as ShipmentEventInfo,
    ShipmentInfo,
    ShopAdapter,
)

from .models import AfterSalesPolicy, BrowsingEvent, Category, Customer, Order, OrderLine, Product, Review, Shipment, ShipmentEvent

# Which Order statuses mean the goods were bought (a cancelled order is not a purchase signal).
PURCHASE_STATUSES = ("paid", "shipped", "delivered", "completed", "refunded")
_PRODUCT_FIELDS = ("id", "name", "category__name", "description", "price", "cost", "stock", "status", "attributes", "consumable",
                   "name_en")


def _product_info(row: tuple) -> ProductInfo:
    pid, name, category, description, price, cost, stock, status, attributes, consumable, name_en = row
    return ProductInfo(
        id=pid,
        name=name,
        category=category,
        description=description,
        price=price,
        cost=cost,
        stock=stock,
        status=status,
        attributes=dict(attributes or {}),
        consumable=consumable,
        name_en=name_en or "",
        aliases=(name_en,) if name_en else (),
    )


def _customer_info(c: Customer) -> CustomerInfo:
    return CustomerInfo(id=c.pk, user_id=c.user_id, name=c.name, joined_at=c.joined_at)


def _order_info(order: Order) -> OrderInfo:
    return OrderInfo(
        id=order.pk,
        customer_id=order.customer_id,
        created_at=order.created_at,
        status=order.status,
        total=order.total,
        lines=tuple(
            OrderLineInfo(product_id=ln.product_id, product_name=ln.product.name, quantity=ln.quantity, unit_price=ln.unit_price)
            for ln in order.lines.all()
        ),
        shipments=tuple(
            ShipmentInfo(
                id=s.pk,
                order_id=s.order_id,
                carrier=s.carrier,
                tracking_number=s.tracking_number,
                status=s.status,
                events=tuple(ShipmentEventInfo(status=e.status, at=e.at, note=e.note) for e in s.events.all()),
            )
            for s in order.shipments.all()
        ),
    )


def _policy_info(p: AfterSalesPolicy, category: str | None) -> PolicyInfo:
    return PolicyInfo(
        id=p.pk,
        name=p.name,
        category=category,
        return_window_days=p.return_window_days,
        exchange_window_days=p.exchange_window_days,
        warranty_months=p.warranty_months,
        shipping_fee=p.shipping_fee,
        free_shipping_over=p.free_shipping_over,
        notes=p.notes,
    )


class DemoShopAdapter(ShopAdapter):
    """Read-only view of demo_shop for ecom_ai. Every customer-scoped method filters by customer id in SQL."""

    product_model = "demo_shop.Product"
    customer_model = "demo_shop.Customer"

    # catalogue ---------------------------------------------------------
    def get_products(self, ids: Iterable[int]) -> dict[int, ProductInfo]:
        ids = list({int(i) for i in ids})
        out: dict[int, ProductInfo] = {}
        for start in range(0, len(ids), 900):  # stay under SQLite's bound-parameter limit
            chunk = ids[start : start + 900]
            for row in Product.objects.filter(pk__in=chunk).values_list(*_PRODUCT_FIELDS):
                out[row[0]] = _product_info(row)
        return out

    def iter_products(self, *, only_active: bool = False, batch_size: int = 2000) -> Iterator[ProductInfo]:
        qs = Product.objects.order_by("pk")
        if only_active:
            qs = qs.filter(status=Product.Status.ACTIVE)
        for row in qs.values_list(*_PRODUCT_FIELDS).iterator(chunk_size=batch_size):
            yield _product_info(row)

    def categories(self) -> list[str]:
        return list(Category.objects.order_by("id").values_list("name", flat=True))

    # customers ---------------------------------------------------------
    def get_customer(self, customer_id: int) -> CustomerInfo | None:
        c = Customer.objects.filter(pk=customer_id).first()
        return _customer_info(c) if c else None

    def customer_for_user(self, user) -> CustomerInfo | None:
        if user is None or not getattr(user, "is_authenticated", False):
            return None
        c = Customer.objects.filter(user_id=user.pk).first()
        return _customer_info(c) if c else None

    def iter_customer_ids(self) -> Iterator[int]:
        yield from Customer.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=10000)

    # orders ------------------------------------------------------------
    def _orders(self, customer_id: int):
        return Order.objects.filter(customer_id=customer_id).prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.select_related("product").only(
                "id", "order_id", "product_id", "quantity", "unit_price", "product__name").order_by("id")),
            Prefetch("shipments", queryset=Shipment.objects.order_by("id").prefetch_related(
                Prefetch("events", queryset=ShipmentEvent.objects.order_by("at", "id")))),
        )

    def get_orders(self, customer_id: int, *, limit: int = 20) -> list[OrderInfo]:
        return [_order_info(o) for o in self._orders(customer_id).order_by("-created_at", "-id")[:limit]]

    def get_order(self, customer_id: int, order_id: int) -> OrderInfo | None:
        try:
            order_id = int(order_id)
        except (TypeError, ValueError):
            return None
        order = self._orders(customer_id).filter(pk=order_id).first()
        return _order_info(order) if order else None

    # reviews -----------------------------------------------------------
    def get_reviews(self, product_ids: Sequence[int]) -> Iterator[ReviewInfo]:
        ids = list(dict.fromkeys(int(i) for i in product_ids))
        fields = ("id", "product_id", "customer_id", "rating", "text", "created_at", "verified_purchase")
        for start in range(0, len(ids), 900):
            qs = Review.objects.filter(product_id__in=ids[start : start + 900]).order_by("product_id", "-created_at", "-id")
            for row in qs.values_list(*fields).iterator(chunk_size=2000):
                yield ReviewInfo(*row)

    # interactions ------------------------------------------------------
    def iter_interactions(self, *, since: datetime | None = None, batch_size: int = 50000) -> Iterator[Interaction]:
        """Purchases (weight = quantity), cart adds and views, oldest first; searches are left out."""
        lines = OrderLine.objects.filter(order__status__in=PURCHASE_STATUSES)
        events = BrowsingEvent.objects.filter(kind__in=(BrowsingEvent.Kind.VIEW, BrowsingEvent.Kind.CART), product__isnull=False)
        if since is not None:
            lines = lines.filter(order__created_at__gte=since)
            events = events.filter(at__gte=since)
        purchases = (
            Interaction(customer_id=c, product_id=p, kind="purchase", at=at, weight=float(q))
            for c, p, at, q in lines.order_by("order__created_at", "id")
            .values_list("order__customer_id", "product_id", "order__created_at", "quantity")
            .iterator(chunk_size=batch_size)
        )
        browsing = (
            Interaction(customer_id=c, product_id=p, kind=k, at=at, weight=1.0)
            for c, p, k, at in events.order_by("at", "id").values_list("customer_id", "product_id", "kind", "at").iterator(chunk_size=batch_size)
        )
        yield from heapq.merge(purchases, browsing, key=lambda i: i.at)

    # after-sales -------------------------------------------------------
    def get_policy(self, category: str | None = None) -> PolicyInfo | None:
        if category:
            p = AfterSalesPolicy.objects.filter(category__name=category).first()
            if p is not None:
                return _policy_info(p, category)
        p = AfterSalesPolicy.objects.filter(category__isnull=True).order_by("id").first()
        return _policy_info(p, None) if p else None
