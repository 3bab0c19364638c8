"""Rule suggestions respect the campaign's theme: a snack sale picks snacks, a digital-goods sale digital
goods, a theme the shop has nothing for says so; the thresholds and the themes are settings."""
from decimal import Decimal

import pytest
from django.test import override_settings

from demo_shop.models import Category, Product
from ecom_ai.campaigns import services as svc
from ecom_ai.campaigns.models import Campaign
from ecom_ai.jobs import engine as jobs
from ecom_ai.jobs.models import AIJob


@pytest.fixture
def themed_shop(db):
    """Snacks, digital goods, and slow-selling trousers with a huge stock that a theme-blind suggestion picks."""
    def product(category, name, price, cost, stock, name_en=""):
        cat, _ = Category.objects.get_or_create(name=category, defaults={"slug": f"cat-{Category.objects.count()}"})
        return Product.objects.create(category=cat, name=name, name_en=name_en, price=Decimal(price), cost=Decimal(cost),
                                      stock=stock)

    return {
        "nuts": product("零食", "三只松鼠 每日坚果 750g", "99", "40", 300, "Three Squirrels Daily Nuts 750g"),
        "cookies": product("零食", "奥利奥 夹心饼干 家庭装", "19.90", "9", 500),
        "earbuds": product("数码", "漫步者 蓝牙耳机", "299", "150", 80, "Edifier Bluetooth Earbuds"),
        "powerbank": product("数码", "小米 充电宝 20000mAh", "149", "70", 120, "Xiaomi Power Bank 20000mAh"),
        "trousers": product("服装", "休闲长裤 男款", "199", "60", 2000),
    }


def _draft(name, kind="flash_sale"):
    return Campaign.objects.create(name=name, kind=kind, status="draft")


def _suggest(campaign):
    return svc.suggest_rules(campaign)


def test_a_campaign_without_a_theme_considers_every_product(themed_shop):
    proposal = _suggest(_draft("双十二大促"))
    assert proposal.product_ids == [themed_shop["trousers"].pk]
    assert "names no category or theme" in proposal.reasons[0]


@pytest.mark.parametrize("name", ["周末零食秒杀", "Weekend snack flash sale"])
def test_a_snack_flash_sale_picks_snacks(themed_shop, name):
    proposal = _suggest(_draft(name))
    assert proposal.product_ids == [themed_shop["cookies"].pk]  # the slowest-moving snack, not the trousers
    assert "snacks" in proposal.reasons[0] and "2 products of the shop fit it" in proposal.reasons[0]


@pytest.mark.parametrize("name", ["数码好物节", "Digital week flash sale", "手机数码秒杀"])
def test_a_digital_goods_sale_picks_digital_goods(themed_shop, name):
    proposal = _suggest(_draft(name))
    assert proposal.product_ids == [themed_shop["powerbank"].pk]
    assert "digital goods" in proposal.reasons[0]


def test_a_themed_coupon_covers_only_fitting_products(themed_shop):
    proposal = _suggest(_draft("零食会员日", kind="coupon"))
    assert set(proposal.product_ids) == {themed_shop["nuts"].pk, themed_shop["cookies"].pk}


def test_a_theme_the_shop_has_nothing_for_says_so(themed_shop):
    with pytest.raises(svc.CampaignError, match=r"No product in the shop fits the campaign's theme \(pet supplies\)"):
        _suggest(_draft("宠物用品节"))


def test_kept_products_are_kept_whatever_the_theme(themed_shop):
    c = _draft("周末零食秒杀")
    c.product_ids = [themed_shop["trousers"].pk]
    assert _suggest(c).product_ids == [themed_shop["trousers"].pk]


def test_through_the_job_the_reasons_say_the_theme_and_none_fit_fails_clearly(themed_shop, django_capture_on_commit_callbacks):
    snack, pets = _draft("周末零食秒杀"), _draft("宠物用品节")
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start_job("campaign_rules", Campaign.objects.filter(pk__in=[snack.pk, pets.pk]))
    job.refresh_from_db()
    snack.refresh_from_db(), pets.refresh_from_db()
    assert snack.product_ids == [themed_shop["cookies"].pk] and snack.sale_price is not None
    assert any("snacks" in r for r in snack.rule_reasons)
    assert svc.validate_campaign(snack) == {}
    assert "pet supplies" in job.items.get(target_id=str(pets.pk)).error
    assert pets.product_ids == [] and pets.sale_price is None  # nothing half-written
    assert job.status == AIJob.Status.PARTIAL and (job.n_done, job.n_failed) == (1, 1)


def test_thresholds_and_themes_are_settings(themed_shop):
    with override_settings(ECOM_AI={"CAMPAIGN_SUGGESTIONS": {"flash_stock_share": 0.5, "start_hour": 9}}):
        proposal = _suggest(_draft("零食秒杀"))
    assert proposal.fields["stock_cap"] == 250 and proposal.fields["starts_at"].hour == 9
    assert "50% of the stock" in proposal.reasons[-1] or any("50% of the stock" in r for r in proposal.reasons)
    picnic = {"picnic": {"label": "picnic food", "words": ["野餐", "坚果"]}}
    with override_settings(ECOM_AI={"CAMPAIGN_SUGGESTIONS": {"themes": picnic}}):
        proposal = _suggest(_draft("春日野餐节"))
    assert proposal.product_ids == [themed_shop["nuts"].pk] and "picnic food" in proposal.reasons[0]


def test_a_themed_coupon_threshold_follows_its_products_not_the_shops_biggest_orders(themed_shop):
    from django.utils import timezone

    from demo_shop.models import Customer, Order, OrderLine

    buyer = Customer.objects.create(name="大客户")
    order = Order.objects.create(customer=buyer, created_at=timezone.now(), status="completed", total=Decimal("5980"))
    OrderLine.objects.create(order=order, product=themed_shop["earbuds"], quantity=20, unit_price=Decimal("299"))
    proposal = _suggest(_draft("零食会员日", kind="coupon"))
    # snacks average 59.45: about three of them, lifted by a fifth, is 250 (not 5980 × 1.2)
    assert (proposal.fields["threshold"], proposal.fields["amount"]) == (Decimal("250"), Decimal("50"))
    assert any("about 3 of these products" in r for r in proposal.reasons)


@pytest.mark.parametrize("name, category, theme, fit", [
    ("三只松鼠 每日坚果", "食品", "snacks", True),
    ("蒙牛 纯甄酸奶 草莓味 200g×10盒", "蒙牛", "fruit", False),  # a flavour, not strawberries
    ("阳光玫瑰葡萄 4斤装", "生鲜", "fruit", True),
    ("惠普 星Book 14.0英寸", "计算机", "books", False),          # a Latin word inside a brand is not the word
    ("Kindle e-book reader", "数码", "books", True),
    ("漫步者 蓝牙耳机", "数码", "digital", True),
])
def test_what_fits_a_theme(db, name, category, theme, fit):
    from ecom_ai.adapters import ProductInfo
    from ecom_ai.campaigns.suggest import Theme, suggestion_settings

    words = suggestion_settings()["themes"][theme]["words"]
    assert svc.fits(ProductInfo(id=1, name=name, category=category), [Theme(theme, theme, words)]) is fit
