"""Orders attributed from the shop's own orders, through the adapter.

An order line counts for the AI when that customer was shown (impression) or clicked the same
product within the attribution window before the order (``ECOM_AI["IMPACT"]["ATTRIBUTION_DAYS"]``,
7 by default). The latest click wins over the latest impression; the order event carries that
exposure's list or copy, so revenue lands on the model version or copy variant that earned it.

Each (customer, order, product) is counted once: the attributed event's id is derived from the
order and product, and a unique constraint also folds it with an order event the frontend posted.
Cancelled and refunded orders do not count.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from ecom_ai.adapters import get_adapter
from ecom_ai.impact import settings as impact_settings
from ecom_ai.impact.models import ImpactEvent

__all__ = ["attribute_orders", "NOT_COUNTED_STATUSES"]

NOT_COUNTED_STATUSES = {"cancelled", "refunded"}
EXPOSURES = (ImpactEvent.Kind.IMPRESSION, ImpactEvent.Kind.CLICK)
COPIED = ("source", "request_id", "model_version", "copy_id", "campaign_id", "variant")


def _exposures(customer_ids, since: datetime, until: datetime) -> dict[int, dict[int, list[dict]]]:
    """customer -> product -> exposures (oldest first)."""
    out: dict[int, dict[int, list[dict]]] = {}
    qs = (ImpactEvent.objects.filter(kind__in=EXPOSURES, occurred_at__gte=since, occurred_at__lte=until)
          .order_by("occurred_at", "id").values("customer_id", "product_id", "kind", "occurred_at", *COPIED))
    if customer_ids is not None:
        qs = qs.filter(customer_id__in=list(customer_ids))
    for e in qs.iterator(chunk_size=5000):
        out.setdefault(e["customer_id"], {}).setdefault(e["product_id"], []).append(e)
    return out


def _credited(exposures: list[dict], at: datetime, window: timedelta) -> dict | None:
    """The exposure an order at ``at`` is credited to: the latest click in the window, else the latest impression."""
    inside = [e for e in exposures if at - window <= e["occurred_at"] <= at]
    clicks = [e for e in inside if e["kind"] == ImpactEvent.Kind.CLICK]
    return (clicks or inside or [None])[-1]


def attribute_orders(*, since: datetime | None = None, now: datetime | None = None, customer_ids=None,
                     orders_per_customer: int = 200) -> int:
    """Turn the shop's orders placed since ``since`` (default: ``MAX_EVENT_AGE_DAYS`` ago) into order
    events for products the customer was shown or clicked. Safe to run again: returns the number of
    order lines credited in this run, already-stored ones included."""
    now = now or timezone.now()
    since = since or now - timedelta(days=int(impact_settings.get("MAX_EVENT_AGE_DAYS")))
    window = impact_settings.attribution_window()
    exposures = _exposures(customer_ids, since - window, now)
    adapter = get_adapter()
    events: dict[tuple[int, int, int], ImpactEvent] = {}
    for customer_id, by_product in exposures.items():
        for order in adapter.get_orders(customer_id, limit=orders_per_customer):
            if not since <= order.created_at <= now or str(order.status) in NOT_COUNTED_STATUSES:
                continue
            for line in order.lines:
                key = (customer_id, order.id, line.product_id)
                exposure = _credited(by_product.get(line.product_id, []), order.created_at, window)
                if exposure is None:
                    continue
                value = Decimal(line.unit_price) * line.quantity
                if key in events:          # the same product on two lines of one order: one event, both lines' value
                    events[key].value += value
                    continue
                events[key] = ImpactEvent(
                    customer_id=customer_id, event_id=f"order:{order.id}:{line.product_id}", kind=ImpactEvent.Kind.ORDER,
                    product_id=line.product_id, order_id=order.id, value=value, occurred_at=order.created_at,
                    origin=ImpactEvent.Origin.ATTRIBUTED, **{k: exposure[k] for k in COPIED})
    ImpactEvent.objects.bulk_create(list(events.values()), batch_size=1000, ignore_conflicts=True)
    return len(events)
