"""Campaign validation: the model's own checks in clean(), the shop's limits in the validators (services and admin form)."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from ecom_ai.campaigns.models import BannedTerm, Campaign
from ecom_ai.campaigns import services as svc


def _campaign(shop, **kw):
    start = timezone.now() + timedelta(days=1)
    fields = {"name": "测试活动", "kind": "flash_sale", "starts_at": start, "ends_at": start + timedelta(days=1),
              "product_ids": [shop["phone"].pk], "sale_price": Decimal("1799"), "stock_cap": 50, "status": "published"}
    fields.update(kw)
    return Campaign(**fields)


def _errors(campaign):
    """The model's checks and the shop's, as saving the campaign applies them; saving refuses the campaign."""
    errors = svc.campaign_errors(campaign)
    assert errors
    with pytest.raises(ValidationError) as exc:
        svc.save_campaign(campaign)
    assert exc.value.message_dict == errors and campaign.pk is None
    return errors


def _ok(campaign):
    assert svc.campaign_errors(campaign) == {}


def test_a_valid_flash_sale_passes_and_saving_snapshots_its_products(shop):
    c = _campaign(shop)
    _ok(c)
    assert c.products_snapshot == []  # validating changes nothing
    svc.save_campaign(c)
    c.refresh_from_db()
    assert c.products_snapshot == [{"id": shop["phone"].pk, "name": "星河 X1 手机", "price": "1999", "cost": "1200",
                                    "stock": 200, "status": "active"}]
    typed = _campaign(shop, product_ids=f"{shop['phone'].pk}，{shop['phone'].pk}")  # ids as a person types them
    svc.save_campaign(typed)
    assert typed.product_ids == [shop["phone"].pk]


def test_the_model_checks_only_what_the_campaign_says_about_itself(shop):
    # clean() reads neither the shop nor the settings: a price under cost passes it, the validators refuse it
    c = _campaign(shop, sale_price=Decimal("1"), product_ids=[987654])
    c.full_clean()
    start = timezone.now()
    with pytest.raises(ValidationError) as exc:
        _campaign(shop, starts_at=start, ends_at=start, sale_price=Decimal("-1"), group_size=1, product_ids=["x"]).full_clean()
    assert set(exc.value.message_dict) == {"ends_at", "sale_price", "group_size", "product_ids"}


def test_price_under_cost_plus_margin_floor_is_refused(shop):
    # cost 1200 × 1.05 = 1260: 1259 is under the floor, 1260 is allowed
    assert "sale_price" in _errors(_campaign(shop, sale_price=Decimal("1259")))
    _ok(_campaign(shop, sale_price=Decimal("1260")))


def test_discount_over_the_maximum_is_refused(shop):
    # pillow: price 199, cost 80 → the margin allows 99.5 but the 50% maximum stops at 99.5 too; 60% off is refused
    errors = _errors(_campaign(shop, product_ids=[shop["pillow"].pk], sale_price=Decimal("90"), stock_cap=10))
    assert any("maximum discount" in m for m in errors["sale_price"])
    with override_settings(ECOM_AI={"CAMPAIGN_LIMITS": {"max_discount_percent": 20}}):
        errors = _errors(_campaign(shop, product_ids=[shop["pillow"].pk], sale_price=Decimal("149"), stock_cap=10))
        assert any("20%" in m for m in errors["sale_price"])


def test_margin_floor_is_a_setting(shop):
    with override_settings(ECOM_AI={"CAMPAIGN_LIMITS": {"margin_floor": 0.5}}):
        assert "sale_price" in _errors(_campaign(shop, sale_price=Decimal("1799")))  # 1200 × 1.5 = 1800


def test_coupon_rate_keeps_every_product_above_the_floor(shop):
    ok = _campaign(shop, kind="coupon", sale_price=None, stock_cap=None, threshold=Decimal("300"), amount=Decimal("30"))
    _ok(ok)
    # 40% off the phone (1999 → 1199.4) is under 1260
    errors = _errors(_campaign(shop, kind="coupon", sale_price=None, stock_cap=None, percent_off=Decimal("40")))
    assert "percent_off" in errors
    errors = _errors(_campaign(shop, kind="coupon", sale_price=None, stock_cap=None, threshold=Decimal("100"),
                               amount=Decimal("60")))
    assert any("maximum discount" in m for m in errors["amount"])
    errors = _errors(_campaign(shop, kind="coupon", sale_price=None, stock_cap=None, threshold=Decimal("100"),
                               amount=Decimal("20"), percent_off=Decimal("10")))
    assert "percent_off" in errors
    assert "threshold" in _errors(_campaign(shop, kind="coupon", sale_price=None, stock_cap=None))


def test_dates_stock_group_size_and_positive_numbers(shop):
    start = timezone.now()
    errors = _errors(_campaign(shop, starts_at=start, ends_at=start - timedelta(hours=1)))
    assert "ends_at" in errors
    assert "ends_at" in _errors(_campaign(shop, starts_at=start, ends_at=start))
    assert "stock_cap" in _errors(_campaign(shop, stock_cap=201))
    _ok(_campaign(shop, stock_cap=200))
    assert "stock_cap" in _errors(_campaign(shop, stock_cap=0))
    assert "sale_price" in _errors(_campaign(shop, sale_price=Decimal("-5")))
    errors = _errors(_campaign(shop, kind="group_buy", sale_price=None, group_price=Decimal("1799"), group_size=1))
    assert "group_size" in errors
    _ok(_campaign(shop, kind="group_buy", sale_price=None, group_price=Decimal("1799"), group_size=2))
    assert "per_customer_limit" in _errors(_campaign(shop, per_customer_limit=51))


def test_no_products_vanished_and_inactive_products(shop):
    assert "product_ids" in _errors(_campaign(shop, product_ids=[]))
    # a draft may wait for "Suggest rules" to choose products and numbers
    _ok(_campaign(shop, product_ids=[], sale_price=None, stock_cap=None, status="draft"))
    errors = _errors(_campaign(shop, product_ids=[shop["phone"].pk, 987654]))
    assert any("987654" in m for m in errors["product_ids"])
    assert any("not on sale" in m for m in _errors(_campaign(shop, product_ids=[shop["old"].pk], sale_price=Decimal("60"),
                                                              stock_cap=5))["product_ids"])
    assert "product_ids" in _errors(_campaign(shop, product_ids=["x"]))


def test_price_not_below_the_regular_price_is_refused(shop):
    assert any("not below" in m for m in _errors(_campaign(shop, sale_price=Decimal("1999")))["sale_price"])


def test_banned_terms_in_the_name_are_refused_and_shops_extend_the_list(shop):
    assert "name" in _errors(_campaign(shop, name="史上最低价"))
    _ok(_campaign(shop, name="爆款专场"))
    BannedTerm.objects.create(term="爆款")
    assert "name" in _errors(_campaign(shop, name="爆款专场"))
    with override_settings(ECOM_AI={"CAMPAIGN_LIMITS": {"banned_terms": ["专场"]}}):
        assert "name" in _errors(_campaign(shop, name="周末专场"))


def test_limits_merge_over_defaults():
    with override_settings(ECOM_AI={"CAMPAIGN_LIMITS": {"max_discount_percent": 30, "channel_limits": {"zh": {"title": 20}}}}):
        limits = svc.get_limits()
    assert limits["max_discount_percent"] == 30 and limits["margin_floor"] == 0.05
    assert limits["channel_limits"]["zh"]["title"] == 20 and limits["channel_limits"]["zh"]["sms"] == 70


def test_banned_term_matching_is_whole_word_for_latin_terms(db):
    assert svc.contains_banned("The BEST price") == ["best"]
    assert svc.contains_banned("bestseller hoodie") == []
    assert svc.contains_banned("Ｎｏ．１ choice") == ["no.1"]
    assert "最" in svc.contains_banned("最低价")
