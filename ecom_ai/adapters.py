"""The host-shop interface: how ecom_ai reads a shop's catalogue, customers, orders and reviews.

ecom_ai never imports the host shop. ``ECOM_AI["SHOP_ADAPTER"]`` names a subclass of
:class:`ShopAdapter`; each method returns plain dataclasses below, so pipelines and tests see the
same shapes whatever the host's models look like. A shop whose models differ from the demo shop's
writes one small subclass (see README, "Plugging in your shop").

Every method that takes a ``customer_id`` returns only that customer's rows: grounding relies on
it to never show one customer another's orders.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Iterable, Iterator, Sequence

from django.core.signals import setting_changed
from django.utils.module_loading import import_string

from ecom_ai.conf import ecom_ai_settings


@dataclass(frozen=True)
class ProductInfo:
    id: int
    name: str
    category: str
    description: str = ""
    price: Decimal = Decimal("0")
    cost: Decimal = Decimal("0")
    stock: int = 0
    status: str = "active"                       # active | inactive
    attributes: dict = field(default_factory=dict)  # e.g. {"battery_capacity": "5000mAh"}
    consumable: bool = False                      # may be recommended again after purchase
    name_en: str = ""                             # English name, where the shop has one (English copy uses it)
    aliases: tuple = ()                           # the shop's other names for it (an English name...): matched in questions


@dataclass(frozen=True)
class OrderLineInfo:
    product_id: int
    product_name: str
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class ShipmentEvent:
    status: str
    at: datetime
    note: str = ""


@dataclass(frozen=True)
class ShipmentInfo:
    id: int
    order_id: int
    carrier: str
    tracking_number: str
    status: str                                   # pending | shipped | in_transit | out_for_delivery | delivered | returned
    events: tuple[ShipmentEvent, ...] = ()


@dataclass(frozen=True)
class OrderInfo:
    id: int
    customer_id: int
    created_at: datetime
    status: str
    total: Decimal
    lines: tuple[OrderLineInfo, ...] = ()
    shipments: tuple[ShipmentInfo, ...] = ()


@dataclass(frozen=True)
class CustomerInfo:
    id: int
    user_id: int | None
    name: str
    joined_at: datetime | None = None


@dataclass(frozen=True)
class ReviewInfo:
    id: int
    product_id: int
    customer_id: int | None
    rating: int                                   # 1..5
    text: str
    created_at: datetime
    verified_purchase: bool = False


@dataclass(frozen=True)
class Interaction:
    customer_id: int
    product_id: int
    kind: str                                     # purchase | cart | view
    at: datetime
    weight: float = 1.0


@dataclass(frozen=True)
class PolicyInfo:
    id: int
    name: str
    category: str | None                          # None: the shop-wide default
    return_window_days: int
    exchange_window_days: int
    warranty_months: int
    shipping_fee: Decimal
    free_shipping_over: Decimal | None = None
    notes: str = ""


class ShopAdapter:
    """Read-only access to the host shop. Subclass and implement every method."""

    #: "app_label.ModelName" of the shop's product and customer models: the targets of the
    #: admin actions on them ("Summarise feedback", "Compute recommendations")
    product_model: str = ""
    customer_model: str = ""

    # catalogue
    def get_products(self, ids: Iterable[int]) -> dict[int, ProductInfo]:
        raise NotImplementedError

    def iter_products(self, *, only_active: bool = False, batch_size: int = 2000) -> Iterator[ProductInfo]:
        raise NotImplementedError

    def categories(self) -> list[str]:
        raise NotImplementedError

    # customers
    def get_customer(self, customer_id: int) -> CustomerInfo | None:
        raise NotImplementedError

    def customer_for_user(self, user) -> CustomerInfo | None:
        raise NotImplementedError

    def iter_customer_ids(self) -> Iterator[int]:
        raise NotImplementedError

    # orders: always scoped to one customer
    def get_orders(self, customer_id: int, *, limit: int = 20) -> list[OrderInfo]:
        """The customer's orders, newest first, with lines and shipments."""
        raise NotImplementedError

    def get_order(self, customer_id: int, order_id: int) -> OrderInfo | None:
        """The order if it belongs to this customer, else None."""
        raise NotImplementedError

    # reviews
    def get_reviews(self, product_ids: Sequence[int]) -> Iterator[ReviewInfo]:
        raise NotImplementedError

    # interactions for recommendations
    def iter_interactions(self, *, since: datetime | None = None, batch_size: int = 50000) -> Iterator[Interaction]:
        raise NotImplementedError

    # after-sales
    def get_policy(self, category: str | None = None) -> PolicyInfo | None:
        """The policy for a category, falling back to the shop-wide one."""
        raise NotImplementedError


_adapter_cache: dict[str, ShopAdapter] = {}


def get_adapter() -> ShopAdapter:
    """The configured adapter, built once per process."""
    path = ecom_ai_settings.SHOP_ADAPTER
    if path not in _adapter_cache:
        _adapter_cache[path] = import_string(path)()
    return _adapter_cache[path]


def _settings_changed(*, setting, **kwargs):
    if setting == "ECOM_AI":
        _adapter_cache.clear()


setting_changed.connect(_settings_changed)
