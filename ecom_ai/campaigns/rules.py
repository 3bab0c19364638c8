"""Campaign rules: one pure validator per campaign kind, the checks every kind shares, and the
explicit normalising step.

A validator reads a campaign and the shop's products and returns a list of :class:`Problem`; it
changes nothing (not the campaign, not the database). :func:`validate_campaign` runs the shared
checks and the kind's validator and groups the problems by field. :func:`normalize_campaign` is
the one step that writes: it stores the product ids in their canonical form and the snapshot of
the products as they are now.
"""
from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from django.utils.translation import gettext, ngettext

from ecom_ai.campaigns.limits import (
    contains_banned, dec, fmt, get_limits, load_products, max_discount, normalize_product_ids, price_floor, snapshot,
)
from ecom_ai.campaigns.models import Campaign


class Problem(NamedTuple):
    field: str
    message: str


# --------------------------------------------------------------------------- helpers

def _ids(campaign: Campaign) -> tuple[list[int], str]:
    """The campaign's product ids and, when they cannot be read, why (the campaign is not changed)."""
    try:
        return normalize_product_ids(campaign.product_ids), ""
    except ValueError as exc:
        return [], str(exc)


def _positive(problems: list, name: str, value) -> bool:
    """True when ``value`` is set and above zero; a value at or under zero is a problem."""
    if value is None:
        return False
    if value <= 0:
        problems.append(Problem(name, gettext("Must be greater than 0.")))
        return False
    return True


def _required(problems: list, campaign: Campaign, name: str, complete: bool) -> None:
    if complete and getattr(campaign, name) in (None, ""):
        problems.append(Problem(name, gettext("Required for this kind of campaign.")))


def _check_price(problems: list, name: str, price: Decimal, products: list, limits: dict) -> None:
    """A flash-sale or group price keeps every product above cost plus the margin floor, below its
    regular price, and within the maximum discount."""
    max_off = max_discount(limits)
    for p in products:
        floor = price_floor(Decimal(p.cost), limits)
        if price < floor:
            problems.append(Problem(name, gettext("%(price)s is under cost plus the margin floor for “%(product)s” "
                                                  "(%(floor)s).") % {"price": fmt(price), "product": p.name,
                                                                     "floor": fmt(floor)}))
        if price >= Decimal(p.price):
            problems.append(Problem(name, gettext("%(price)s is not below the regular price of “%(product)s” "
                                                  "(%(regular)s).") % {"price": fmt(price), "product": p.name,
                                                                       "regular": fmt(p.price)}))
        elif Decimal(p.price) > 0 and (1 - price / Decimal(p.price)) * 100 > max_off:
            problems.append(Problem(name, gettext("More than the maximum discount of %(max)s%% off “%(product)s”.")
                                    % {"max": fmt(max_off), "product": p.name}))


def _check_rate(problems: list, name: str, rate: Decimal, products: list, limits: dict) -> None:
    """A discount rate (0.2 = 20% off) keeps every product above cost plus the margin floor.

    For 满减 the deepest rate a customer can get is amount / threshold (an order exactly at the
    threshold), so that is the rate checked.
    """
    for p in products:
        after = (Decimal(p.price) * (1 - rate)).quantize(Decimal("0.01"))
        floor = price_floor(Decimal(p.cost), limits)
        if after < floor:
            problems.append(Problem(name, gettext("“%(product)s” would sell at %(price)s, under cost plus the margin "
                                                  "floor (%(floor)s).") % {"product": p.name, "price": fmt(after),
                                                                           "floor": fmt(floor)}))


# --------------------------------------------------------------------------- one validator per kind

def validate_coupon(campaign: Campaign, *, products: list, limits: dict, complete: bool = True) -> list[Problem]:
    """A coupon: 满减 (threshold and amount) or a percent off, never both, within the limits for every product."""
    problems: list[Problem] = []
    max_off = max_discount(limits)
    threshold, amount, percent = dec(campaign.threshold), dec(campaign.amount), dec(campaign.percent_off)
    reduction = threshold is not None or amount is not None
    if reduction and percent is not None:
        problems.append(Problem("percent_off", gettext("Use either a threshold and an amount, or a percent off.")))
    if reduction:
        ok_t, ok_a = _positive(problems, "threshold", threshold), _positive(problems, "amount", amount)
        if threshold is None:
            problems.append(Problem("threshold", gettext("A threshold is needed with an amount.")))
        if amount is None:
            problems.append(Problem("amount", gettext("An amount is needed with a threshold.")))
        if ok_t and ok_a:
            if amount >= threshold:
                problems.append(Problem("amount", gettext("The amount must be below the threshold.")))
            rate = amount / threshold
            if rate * 100 > max_off:
                problems.append(Problem("amount", gettext("More than the maximum discount of %(max)s%%.")
                                        % {"max": fmt(max_off)}))
            _check_rate(problems, "amount", rate, products, limits)
    elif percent is not None:
        if _positive(problems, "percent_off", percent):
            if percent > max_off:
                problems.append(Problem("percent_off", gettext("More than the maximum discount of %(max)s%%.")
                                        % {"max": fmt(max_off)}))
            elif percent < 100:
                _check_rate(problems, "percent_off", percent / 100, products, limits)
    elif complete:
        problems.append(Problem("threshold", gettext("A coupon needs a threshold and an amount, or a percent off.")))
    if campaign.total_issued is not None:
        _positive(problems, "total_issued", campaign.total_issued)
    return problems


def validate_flash_sale(campaign: Campaign, *, products: list, limits: dict, complete: bool = True) -> list[Problem]:
    """A flash sale (秒杀): a sale price within the limits for every product, a stock cap within every product's stock."""
    problems: list[Problem] = []
    _required(problems, campaign, "sale_price", complete)
    _required(problems, campaign, "stock_cap", complete)
    price = dec(campaign.sale_price)
    if _positive(problems, "sale_price", price):
        _check_price(problems, "sale_price", price, products, limits)
    if _positive(problems, "stock_cap", campaign.stock_cap):
        for p in products:
            if campaign.stock_cap > p.stock:
                problems.append(Problem("stock_cap", gettext("The cap %(cap)s is over the stock of “%(product)s” "
                                                             "(%(stock)s).") % {"cap": campaign.stock_cap,
                                                                                "product": p.name, "stock": p.stock}))
        if campaign.per_customer_limit and campaign.per_customer_limit > campaign.stock_cap:
            problems.append(Problem("per_customer_limit", gettext("The limit per customer is over the stock cap.")))
    return problems


def validate_group_buy(campaign: Campaign, *, products: list, limits: dict, complete: bool = True) -> list[Problem]:
    """A group buy (团购): groups of two or more, a group price within the limits for every product."""
    problems: list[Problem] = []
    _required(problems, campaign, "group_size", complete)
    _required(problems, campaign, "group_price", complete)
    if campaign.group_size is not None and campaign.group_size < 2:
        problems.append(Problem("group_size", gettext("A group needs at least two people.")))
    price = dec(campaign.group_price)
    if _positive(problems, "group_price", price):
        _check_price(problems, "group_price", price, products, limits)
    if campaign.fill_hours is not None:
        _positive(problems, "fill_hours", campaign.fill_hours)
    return problems


VALIDATORS = {
    Campaign.Kind.COUPON: validate_coupon,
    Campaign.Kind.FLASH_SALE: validate_flash_sale,
    Campaign.Kind.GROUP_BUY: validate_group_buy,
}


# --------------------------------------------------------------------------- what every kind shares

def validate_common(campaign: Campaign, *, products: dict, limits: dict, terms=None,
                    complete: bool = True) -> list[Problem]:
    """The kind, the name (no banned term), the dates, the products (present, on sale) and the limit per customer."""
    problems: list[Problem] = []
    if campaign.kind not in Campaign.Kind.values:
        problems.append(Problem("kind", gettext("Unknown campaign kind %(kind)s.") % {"kind": repr(campaign.kind)}))
    if campaign.name:
        bad = contains_banned(campaign.name, terms, limits=limits)
        if bad:
            problems.append(Problem("name", gettext("The name contains banned terms: %(terms)s.")
                                    % {"terms": ", ".join(bad)}))
    if campaign.starts_at and campaign.ends_at and campaign.ends_at <= campaign.starts_at:
        problems.append(Problem("ends_at", gettext("The end must be after the start.")))
    if complete:
        for name in ("starts_at", "ends_at"):
            if getattr(campaign, name) is None:
                problems.append(Problem(name, gettext("This field is required.")))
    ids, unreadable = _ids(campaign)
    if unreadable:
        problems.append(Problem("product_ids", unreadable))
    elif complete and not ids:
        problems.append(Problem("product_ids", gettext("Choose at least one product.")))
    missing = [pid for pid in ids if pid not in products]
    if missing:
        problems.append(Problem("product_ids", ngettext("Product %(ids)s is no longer in the shop.",
                                                         "Products %(ids)s are no longer in the shop.", len(missing))
                                % {"ids": ", ".join(map(str, missing))}))
    if complete:
        inactive = [pid for pid in ids if pid in products and products[pid].status != "active"]
        if inactive:
            problems.append(Problem("product_ids", ngettext("Product %(ids)s is not on sale.",
                                                             "Products %(ids)s are not on sale.", len(inactive))
                                    % {"ids": ", ".join(map(str, inactive))}))
    if campaign.per_customer_limit is not None:
        _positive(problems, "per_customer_limit", campaign.per_customer_limit)
    return problems


def campaign_products(campaign: Campaign, products: dict | None = None) -> dict:
    """ProductInfo by id for the campaign's readable product ids: from ``products`` when given, else the adapter."""
    ids, _ = _ids(campaign)
    if products is None:
        return load_products(ids)
    return {pid: products[pid] for pid in ids if pid in products}


def campaign_problems(campaign: Campaign, *, complete: bool = True, products: dict | None = None,
                      limits: dict | None = None, terms: list | None = None) -> list[Problem]:
    """Every problem of the campaign: the shared checks, then its kind's validator. Changes nothing.

    ``products`` (ProductInfo by id) defaults to the shop's current catalogue through the adapter;
    ``terms`` (the banned terms of every language) to :func:`~ecom_ai.campaigns.limits.banned_terms`.
    """
    limits = limits or get_limits()
    products = campaign_products(campaign, products)
    problems = validate_common(campaign, products=products, limits=limits, terms=terms, complete=complete)
    validator = VALIDATORS.get(campaign.kind)
    if validator is not None:
        ids, _ = _ids(campaign)
        present = [products[pid] for pid in ids if pid in products]
        problems += validator(campaign, products=present, limits=limits, complete=complete)
    return problems


def validate_campaign(campaign: Campaign, *, complete: bool = True, products: dict | None = None,
                      limits: dict | None = None, terms: list | None = None) -> dict[str, list[str]]:
    """The campaign's problems as {field: [messages]} (empty when valid). Changes nothing.

    ``complete`` asks for everything a campaign needs to run or get copy (products, dates, the
    kind's numbers); a draft may leave them blank.
    """
    errors: dict[str, list[str]] = {}
    for problem in campaign_problems(campaign, complete=complete, products=products, limits=limits, terms=terms):
        errors.setdefault(problem.field, []).append(problem.message)
    return errors


def flat_errors(errors: dict[str, list[str]]) -> str:
    return "; ".join(f"{k}: {m}" for k, msgs in errors.items() for m in msgs)


# --------------------------------------------------------------------------- the normalising step

def normalize_campaign(campaign: Campaign, products: dict | None = None) -> Campaign:
    """Store the product ids in canonical form (distinct positive ints) and the products' snapshot.

    The one step that changes the campaign; ids that cannot be read are left as they are, for
    validation to report. ``products`` (ProductInfo by id) defaults to the adapter's.
    """
    ids, unreadable = _ids(campaign)
    if unreadable:
        return campaign
    campaign.product_ids = ids
    campaign.products_snapshot = snapshot(campaign_products(campaign, products), ids)
    return campaign
