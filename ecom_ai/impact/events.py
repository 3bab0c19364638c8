"""Ingestion of the events a shop's frontend posts: impressions, clicks, add-to-carts and orders.

A batch is checked whole before anything is stored: one bad row rejects it, and the error names
every bad row. A repeated ``event_id`` (per customer) is stored once, also when two copies of a
batch arrive at the same time: the unique constraint decides, and ``bulk_create(ignore_conflicts=True)``
skips the loser's rows instead of failing.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from ecom_ai.adapters import get_adapter
from ecom_ai.impact import settings as impact_settings
from ecom_ai.impact.models import ImpactEvent

__all__ = ["EventBatchError", "NoCustomer", "NotYourEvents", "requester_customer_id", "check_batch", "ingest",
           "ingest_for_user", "visible_events"]

EVENT_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,64}$")
FIELDS = {"event_id", "kind", "request_id", "copy_id", "model_version", "product_id", "order_id", "value",
          "occurred_at", "customer_id"}
MAX_VALUE = Decimal("9999999999.99")


class EventBatchError(ValueError):
    """A malformed batch: ``rows`` maps a row's index to its problems ({field: message}); ``detail`` is for the whole batch."""

    def __init__(self, detail: str, rows: dict[int, dict[str, str]] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.rows = rows or {}

    def as_dict(self) -> dict:
        return {"detail": self.detail,
                "rows": [{"index": i, "errors": errors} for i, errors in sorted(self.rows.items())]}


class NoCustomer(PermissionError):
    """The signed-in user is not one of the shop's customers."""


class NotYourEvents(PermissionError):
    """A batch names another customer, or a customer asks for another's events."""


def requester_customer_id(user) -> int:
    customer = get_adapter().customer_for_user(user)
    if customer is None:
        raise NoCustomer(gettext("Only the shop's customers can post events: this account is not a customer."))
    return int(customer.id)


def _int(value, name: str, errors: dict, *, required: bool = True) -> int | None:
    if value is None or value == "":
        if required:
            errors[name] = gettext("This field is required.")
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).isdigit() or int(value) < 1 \
            or int(value) > 2 ** 62:
        errors[name] = gettext("Must be a positive whole number.")
        return None
    return int(value)


def _when(value, errors: dict, now: datetime) -> datetime | None:
    at = parse_datetime(value) if isinstance(value, str) else None
    if at is None:
        errors["occurred_at"] = gettext("Must be an ISO 8601 date and time, e.g. 2025-03-01T12:00:00+08:00.")
        return None
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at > now + timedelta(seconds=int(impact_settings.get("FUTURE_SKEW_SECONDS"))):
        errors["occurred_at"] = gettext("Lies in the future.")
    elif at < now - timedelta(days=int(impact_settings.get("MAX_EVENT_AGE_DAYS"))):
        errors["occurred_at"] = gettext("Is older than %(days)d days.") % {"days": int(impact_settings.get("MAX_EVENT_AGE_DAYS"))}
    return at


def _row(raw, customer_id: int, now: datetime) -> tuple[dict | None, dict[str, str]]:
    """One row's clean values, or its problems."""
    if not isinstance(raw, dict):
        return None, {"row": gettext("Each event must be an object.")}
    errors: dict[str, str] = {}
    for name in sorted(set(raw) - FIELDS):
        errors[name] = gettext("Unknown field.")
    event_id = raw.get("event_id")
    if not isinstance(event_id, str) or not EVENT_ID.match(event_id):
        errors["event_id"] = gettext("Must be 1 to 64 letters, digits or . _ : -")
    kind = raw.get("kind")
    if kind not in ImpactEvent.Kind.values:
        errors["kind"] = gettext("Must be one of: %(kinds)s.") % {"kinds": ", ".join(ImpactEvent.Kind.values)}
    if "customer_id" in raw and str(raw["customer_id"]) != str(customer_id):
        raise NotYourEvents(gettext("A batch may hold only the signed-in customer's own events."))
    request_id, copy_id = raw.get("request_id"), raw.get("copy_id")
    if (request_id in (None, "")) == (copy_id in (None, "")):
        errors["source"] = gettext("Give exactly one of request_id (a recommendation list) or copy_id (a campaign copy).")
    if request_id not in (None, ""):
        try:
            request_id = uuid.UUID(str(request_id))
        except ValueError:
            errors["request_id"] = gettext("Must be a UUID.")
    copy_id = _int(copy_id, "copy_id", errors, required=False)
    model_version = raw.get("model_version") or ""
    if not isinstance(model_version, str) or len(model_version) > 64:
        errors["model_version"] = gettext("Must be text of at most 64 characters.")
    product_id = _int(raw.get("product_id"), "product_id", errors)
    order_id = _int(raw.get("order_id"), "order_id", errors, required=kind == ImpactEvent.Kind.ORDER)
    if order_id is not None and kind != ImpactEvent.Kind.ORDER:
        errors["order_id"] = gettext("Only an order event names an order.")
    value = raw.get("value")
    if value not in (None, ""):
        try:
            value = Decimal(str(value)) if not isinstance(value, bool) and isinstance(value, (int, float, str)) else None
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or value < 0 or value > MAX_VALUE:
            errors["value"] = gettext("Must be an amount from 0 to 9999999999.99.")
        else:
            value = value.quantize(Decimal("0.01"))
    else:
        value = None
    occurred_at = _when(raw.get("occurred_at"), errors, now)
    if errors:
        return None, errors
    return {"event_id": event_id, "kind": kind, "request_id": request_id or None, "copy_id": copy_id,
            "model_version": model_version, "product_id": product_id, "order_id": order_id, "value": value,
            "occurred_at": occurred_at}, {}


@dataclass
class _Lookups:
    sets: dict          # request_id -> (model_version, the customer it was served to, or None for a product's list)
    copies: dict        # copy id -> (campaign id, variant)


def _lookups(rows: list[dict]) -> _Lookups:
    request_ids = {r["request_id"] for r in rows if r["request_id"]}
    copy_ids = {r["copy_id"] for r in rows if r["copy_id"]}
    RecommendationSet = apps.get_model("ecom_ai", "RecommendationSet")
    CampaignCopy = apps.get_model("ecom_ai", "CampaignCopy")
    ServedList = apps.get_model("ecom_ai", "ServedList")
    sets = {}
    if request_ids:
        for rid, version, customer in RecommendationSet.objects.filter(request_id__in=request_ids).values_list(
                "request_id", "model_version", "customer_id"):
            sets[rid] = (version, customer)
        for rid, version, customer in ServedList.objects.filter(request_id__in=request_ids).values_list(
                "request_id", "model_version", "customer_id"):
            sets[rid] = (version, customer)
    copies = {pk: (campaign, variant) for pk, campaign, variant in
              CampaignCopy.objects.filter(pk__in=copy_ids).values_list("pk", "campaign_id", "variant")} if copy_ids else {}
    return _Lookups(sets, copies)


def check_batch(rows, customer_id: int, *, now: datetime | None = None) -> list[ImpactEvent]:
    """The batch as unsaved events, or :class:`EventBatchError` naming every bad row (nothing is stored)."""
    now = now or timezone.now()
    limit = int(impact_settings.get("MAX_BATCH"))
    if not isinstance(rows, list) or not rows:
        raise EventBatchError(gettext("Send a non-empty list of events."))
    if len(rows) > limit:
        raise EventBatchError(gettext("At most %(n)d events per batch; this one has %(got)d.") % {"n": limit, "got": len(rows)})
    clean, bad = [], {}
    for i, raw in enumerate(rows):
        row, errors = _row(raw, customer_id, now)
        if errors:
            bad[i] = errors
        else:
            clean.append((i, row))
    found = _lookups([row for _i, row in clean])
    events = []
    for i, row in clean:
        campaign_id = variant = None
        if row["copy_id"]:
            if row["copy_id"] not in found.copies:
                bad[i] = {"copy_id": gettext("No campaign copy has this id.")}
                continue
            campaign_id, variant = found.copies[row["copy_id"]]
        served_version, served_to = found.sets.get(row["request_id"], ("", None))
        if served_to is not None and served_to != customer_id:
            bad[i] = {"request_id": gettext("This list was shown to another customer.")}
            continue
        model_version = row["model_version"] or served_version
        events.append(ImpactEvent(
            customer_id=customer_id, source=ImpactEvent.Source.CAMPAIGN if row["copy_id"] else ImpactEvent.Source.RECOMMENDATION,
            campaign_id=campaign_id, variant=variant, model_version=model_version, origin=ImpactEvent.Origin.CLIENT,
            **{k: v for k, v in row.items() if k != "model_version"}))
    if bad:
        raise EventBatchError(gettext("The batch was not stored: %(n)d of %(of)d events are malformed.")
                              % {"n": len(bad), "of": len(rows)}, bad)
    return events


def ingest(events: list[ImpactEvent]) -> int:
    """Store the events; repeats (same customer and event id, or the same order line) are skipped. Returns the count sent."""
    ImpactEvent.objects.bulk_create(events, batch_size=1000, ignore_conflicts=True)
    return len(events)


def ingest_for_user(user, rows) -> int:
    """Check a batch from a signed-in customer and store it: their own events only."""
    return ingest(check_batch(rows, requester_customer_id(user)))


def can_read_all(user) -> bool:
    return bool(user and user.is_active and user.is_staff and user.has_perm("ecom_ai.view_impactevent"))


def visible_events(user, customer_id: int | None = None):
    """The events ``user`` may read: staff all (or one customer's), a customer only their own."""
    if can_read_all(user):
        qs = ImpactEvent.objects.all()
        return qs.filter(customer_id=customer_id) if customer_id is not None else qs
    own = requester_customer_id(user)
    if customer_id is not None and customer_id != own:
        raise NotYourEvents(gettext("Customers may read only their own events."))
    return ImpactEvent.objects.filter(customer_id=own)
