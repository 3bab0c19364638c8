"""The pure validators of ecom_ai.campaigns.rules: one per kind (valid, then each problem), the shared
checks, purity (nothing changes, nothing is read or written in the database), and the normalising step."""
import copy
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ecom_ai.adapters import ProductInfo
from ecom_ai.campaigns import rules
from ecom_ai.campaigns.limits import DEFAULT_BANNED_TERMS, get_limits
from ecom_ai.campaigns.models import Campaign

PHONE = ProductInfo(id=1, name="星河 X1 手机", category="手机", price=Decimal("1999"), cost=Decimal("1200"), stock=200)
PILLOW = ProductInfo(id=2, name="云朵记忆枕", category="家居", price=Decimal("199"), cost=Decimal("80"), stock=50,
                     name_en="Cloud Memory Pillow")
OLD = ProductInfo(id=3, name="旧款台灯", category="家居", price=Decimal("99"), cost=Decimal("40"), stock=10, status="inactive")
PRODUCTS = {p.id: p for p in (PHONE, PILLOW, OLD)}
TERMS = [t for terms in DEFAULT_BANNED_TERMS.values() for t in terms]


@pytest.fixture
def limits(db):
    return get_limits()


def _campaign(kind, **kw):
    start = timezone.now() + timedelta(days=1)
    fields = {"name": "测试活动", "kind": kind, "starts_at": start, "ends_at": start + timedelta(days=1), "product_ids": [1]}
    fields.update(kw)
    return Campaign(**fields)


def _fields(problems):
    return [p.field for p in problems]


def _messages(problems, field):
    return [p.message for p in problems if p.field == field]


# -- coupon -------------------------------------------------------------------------------------

def test_coupon_valid(limits):
    assert rules.validate_coupon(_campaign("coupon", threshold=Decimal("300"), amount=Decimal("30"), total_issued=100),
                                 products=[PHONE, PILLOW], limits=limits) == []
    assert rules.validate_coupon(_campaign("coupon", percent_off=Decimal("20")), products=[PHONE, PILLOW], limits=limits) == []
    # a draft may leave the offer blank
    assert rules.validate_coupon(_campaign("coupon"), products=[PHONE], limits=limits, complete=False) == []


@pytest.mark.parametrize("fields, field, marker", [
    ({"threshold": Decimal("300"), "amount": Decimal("30"), "percent_off": Decimal("10")}, "percent_off", "either"),
    ({"amount": Decimal("30")}, "threshold", "threshold is needed"),
    ({"threshold": Decimal("300")}, "amount", "amount is needed"),
    ({"threshold": Decimal("100"), "amount": Decimal("100")}, "amount", "below the threshold"),
    ({"threshold": Decimal("100"), "amount": Decimal("60")}, "amount", "maximum discount of 50%"),
    ({"threshold": Decimal("100"), "amount": Decimal("45")}, "amount", "margin floor"),  # phone: 1999 × 0.55 < 1260
    ({"threshold": Decimal("-1"), "amount": Decimal("30")}, "threshold", "greater than 0"),
    ({"percent_off": Decimal("60")}, "percent_off", "maximum discount"),
    ({"percent_off": Decimal("40")}, "percent_off", "margin floor"),
    ({"percent_off": Decimal("0")}, "percent_off", "greater than 0"),
    ({}, "threshold", "needs a threshold and an amount, or a percent off"),
    ({"percent_off": Decimal("10"), "total_issued": 0}, "total_issued", "greater than 0"),
])
def test_coupon_problems(limits, fields, field, marker):
    problems = rules.validate_coupon(_campaign("coupon", **fields), products=[PHONE], limits=limits)
    assert any(marker in m for m in _messages(problems, field)), problems


# -- flash sale ---------------------------------------------------------------------------------

def test_flash_sale_valid(limits):
    c = _campaign("flash_sale", sale_price=Decimal("1799"), stock_cap=100, per_customer_limit=2)
    assert rules.validate_flash_sale(c, products=[PHONE], limits=limits) == []
    assert rules.validate_flash_sale(_campaign("flash_sale"), products=[PHONE], limits=limits, complete=False) == []


@pytest.mark.parametrize("fields, field, marker", [
    ({"stock_cap": 10}, "sale_price", "Required"),
    ({"sale_price": Decimal("1799")}, "stock_cap", "Required"),
    ({"sale_price": Decimal("-5"), "stock_cap": 10}, "sale_price", "greater than 0"),
    ({"sale_price": Decimal("1259"), "stock_cap": 10}, "sale_price", "margin floor"),
    ({"sale_price": Decimal("1999"), "stock_cap": 10}, "sale_price", "not below the regular price"),
    ({"sale_price": Decimal("1799"), "stock_cap": 201}, "stock_cap", "over the stock"),
    ({"sale_price": Decimal("1799"), "stock_cap": 0}, "stock_cap", "greater than 0"),
    ({"sale_price": Decimal("1799"), "stock_cap": 5, "per_customer_limit": 6}, "per_customer_limit", "over the stock cap"),
])
def test_flash_sale_problems(limits, fields, field, marker):
    problems = rules.validate_flash_sale(_campaign("flash_sale", **fields), products=[PHONE], limits=limits)
    assert any(marker in m for m in _messages(problems, field)), problems


def test_flash_sale_over_the_maximum_discount(limits):
    # pillow: cost 80 allows 84, the 50% maximum stops at 99.5
    problems = rules.validate_flash_sale(_campaign("flash_sale", sale_price=Decimal("90"), stock_cap=5), products=[PILLOW],
                                         limits=limits)
    assert _fields(problems) == ["sale_price"] and "maximum discount of 50% off “云朵记忆枕”" in problems[0].message


# -- group buy ----------------------------------------------------------------------------------

def test_group_buy_valid(limits):
    c = _campaign("group_buy", group_price=Decimal("149"), group_size=3, fill_hours=24)
    assert rules.validate_group_buy(c, products=[PILLOW], limits=limits) == []


@pytest.mark.parametrize("fields, field, marker", [
    ({"group_price": Decimal("149")}, "group_size", "Required"),
    ({"group_size": 3}, "group_price", "Required"),
    ({"group_price": Decimal("149"), "group_size": 1}, "group_size", "at least two"),
    ({"group_price": Decimal("80"), "group_size": 2}, "group_price", "margin floor"),
    ({"group_price": Decimal("199"), "group_size": 2}, "group_price", "not below"),
    ({"group_price": Decimal("149"), "group_size": 2, "fill_hours": 0}, "fill_hours", "greater than 0"),
])
def test_group_buy_problems(limits, fields, field, marker):
    problems = rules.validate_group_buy(_campaign("group_buy", **fields), products=[PILLOW], limits=limits)
    assert any(marker in m for m in _messages(problems, field)), problems


# -- shared checks ------------------------------------------------------------------------------

@pytest.mark.parametrize("fields, field, marker", [
    ({"name": "史上最低价"}, "name", "banned terms: 最, 史上"),
    ({"ends_at": timezone.now()}, "ends_at", "after the start"),
    ({"starts_at": None}, "starts_at", "required"),
    ({"product_ids": []}, "product_ids", "at least one product"),
    ({"product_ids": [1, 987654]}, "product_ids", "987654 is no longer in the shop"),
    ({"product_ids": [3]}, "product_ids", "3 is not on sale"),
    ({"product_ids": ["x"]}, "product_ids", "'x' is not a product id"),
    ({"per_customer_limit": 0}, "per_customer_limit", "greater than 0"),
    ({"kind": "raffle"}, "kind", "Unknown campaign kind"),
])
def test_shared_problems(limits, fields, field, marker):
    fields = {"kind": "flash_sale", **fields}
    problems = rules.validate_common(_campaign(fields.pop("kind"), **fields), products=PRODUCTS, limits=limits, terms=TERMS)
    assert any(marker in m for m in _messages(problems, field)), problems


def test_validate_campaign_groups_problems_by_field(limits):
    c = _campaign("flash_sale", product_ids=[1, 987654], sale_price=Decimal("1000"), stock_cap=500)
    errors = rules.validate_campaign(c, products=PRODUCTS, limits=limits, terms=TERMS)
    assert set(errors) == {"product_ids", "sale_price", "stock_cap"}
    assert rules.validate_campaign(_campaign("flash_sale", sale_price=Decimal("1799"), stock_cap=10), products=PRODUCTS,
                                   limits=limits, terms=TERMS) == {}


# -- purity and the normalising step ------------------------------------------------------------

@pytest.mark.parametrize("kind, fields", [
    ("coupon", {"threshold": Decimal("100"), "amount": Decimal("60")}),
    ("flash_sale", {"sale_price": Decimal("1"), "stock_cap": 999}),
    ("group_buy", {"group_price": Decimal("1"), "group_size": 1}),
])
def test_validators_change_nothing_and_touch_no_database(limits, django_assert_num_queries, kind, fields):
    c = _campaign(kind, product_ids="2, 1, 2", products_snapshot=[{"id": 9, "name": "old"}], **fields)
    before = copy.deepcopy({k: v for k, v in vars(c).items() if k != "_state"})
    with django_assert_num_queries(0):
        errors = rules.validate_campaign(c, products=PRODUCTS, limits=limits, terms=TERMS)
        problems = rules.VALIDATORS[kind](c, products=[PHONE, PILLOW], limits=limits)
    assert errors and problems
    assert {k: v for k, v in vars(c).items() if k != "_state"} == before
    assert c.product_ids == "2, 1, 2" and c.products_snapshot == [{"id": 9, "name": "old"}]


def test_normalising_is_its_own_step(db):
    c = _campaign("flash_sale", product_ids="2, 1, 2")
    rules.normalize_campaign(c, PRODUCTS)
    assert c.product_ids == [2, 1]
    assert c.products_snapshot == [
        {"id": 2, "name": "云朵记忆枕", "price": "199", "cost": "80", "stock": 50, "status": "active", "name_en": "Cloud Memory Pillow"},
        {"id": 1, "name": "星河 X1 手机", "price": "1999", "cost": "1200", "stock": 200, "status": "active"}]
    unreadable = _campaign("flash_sale", product_ids=["x"])
    rules.normalize_campaign(unreadable, PRODUCTS)
    assert unreadable.product_ids == ["x"]  # left for validation to report
