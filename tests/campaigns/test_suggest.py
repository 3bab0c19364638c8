"""Rule suggestions: products and numbers from the shop's data, always within the limits, with reasons."""
from decimal import Decimal

import pytest
from django.test import override_settings

from ecom_ai.jobs.models import AIJob
from ecom_ai.campaigns.models import Campaign
from ecom_ai.campaigns import services as svc
from ecom_ai.jobs import engine as jobs


def _suggest(queryset, capture, params=None):
    with capture(execute=True):
        job = jobs.start_job("campaign_rules", queryset, params=params or {})
    job.refresh_from_db()
    return job


def test_signals_count_recent_activity_and_segments(shop):
    signals = svc.shop_signals()
    pillow = signals.products[shop["pillow"].pk]
    assert pillow.views == 48 and pillow.orders == 1
    assert signals.products[shop["phone"].pk].sold == 0
    assert shop["old"].pk not in signals.products  # inactive
    assert sum(s["customers"] for s in signals.segments.values()) == 8
    assert signals.segments["at_risk"]["customers"] >= 1


@pytest.mark.parametrize("kind", ["flash_sale", "group_buy", "coupon"])
def test_suggested_rules_are_valid_and_explained(shop, make_campaign, kind, django_capture_on_commit_callbacks):
    c = make_campaign(name="新活动", kind=kind, starts_at=None, ends_at=None, status="draft")
    job = _suggest(Campaign.objects.filter(pk=c.pk), django_capture_on_commit_callbacks)
    assert job.status == AIJob.Status.DONE, job.error_summary
    c.refresh_from_db()
    assert svc.validate_campaign(c, complete=True) == {}
    assert c.rule_reasons and c.suggested_at and c.starts_at < c.ends_at
    assert shop["grapes"].pk not in c.product_ids  # its name carries a banned term
    assert shop["old"].pk not in c.product_ids
    if kind == "flash_sale":
        assert c.product_ids == [shop["phone"].pk]  # slow-moving stock with margin to spare
        assert Decimal("1260") <= c.sale_price < Decimal("1999") and 0 < c.stock_cap <= 200
    elif kind == "group_buy":
        assert c.product_ids == [shop["pillow"].pk]  # many views, few orders
        assert c.group_size >= 2 and Decimal("99.5") <= c.group_price < Decimal("199")
    else:
        assert c.threshold > c.amount > 0 and c.total_issued >= 100
    assert any("RFM" in r for r in c.rule_reasons)


def test_suggestions_keep_chosen_products_and_respect_tighter_limits(shop, make_campaign, django_capture_on_commit_callbacks):
    c = make_campaign(kind="flash_sale", product_ids=[shop["cereal"].pk], status="draft", starts_at=None, ends_at=None)
    with override_settings(ECOM_AI={"CAMPAIGN_LIMITS": {"max_discount_percent": 10, "margin_floor": 0.2}}):
        job = _suggest(Campaign.objects.filter(pk=c.pk), django_capture_on_commit_callbacks)
        assert job.status == AIJob.Status.DONE, job.error_summary
        c.refresh_from_db()
        assert c.product_ids == [shop["cereal"].pk]
        # cereal: price 49, cost 30 → floor 36, and at most 10% off → at least 44.1
        assert Decimal("44.1") <= c.sale_price < Decimal("49")
        assert svc.validate_campaign(c, complete=True) == {}


def test_suggestion_fails_clearly_when_nothing_fits(shop, make_campaign, django_capture_on_commit_callbacks):
    c = make_campaign(kind="flash_sale", product_ids=[shop["cereal"].pk], status="draft")
    with override_settings(ECOM_AI={"CAMPAIGN_LIMITS": {"margin_floor": 1.0}}):  # 49 < 30 × 2: no room
        job = _suggest(Campaign.objects.filter(pk=c.pk), django_capture_on_commit_callbacks)
    assert job.status == AIJob.Status.FAILED and "margin floor" in job.items.get().error
    c.refresh_from_db()
    assert c.sale_price is None  # nothing lost, nothing half-written


def test_published_campaigns_are_not_rewritten(flash_sale, django_capture_on_commit_callbacks):
    Campaign.objects.filter(pk=flash_sale.pk).update(status="published")
    job = _suggest(Campaign.objects.all(), django_capture_on_commit_callbacks)
    assert job.status == AIJob.Status.FAILED and "published" in job.items.get().error
    flash_sale.refresh_from_db()
    assert flash_sale.sale_price == Decimal("1799")


def test_an_empty_shop_gives_a_clear_error(db, make_campaign, django_capture_on_commit_callbacks):
    c = make_campaign(kind="coupon", status="draft")
    job = _suggest(Campaign.objects.filter(pk=c.pk), django_capture_on_commit_callbacks)
    assert job.status == AIJob.Status.FAILED and "no product" in job.items.get().error
