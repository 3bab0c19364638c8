import pytest
from django.utils import translation

from ecom_ai.llm.base import Fact
from ecom_ai.llm.checks import check_output, extract_claims, normalize

from .facts import CAMPAIGN, CATALOGUE, FEEDBACK, PRODUCT


def test_fact_ref():
    assert Fact("battery_capacity", "5000mAh", "product:42").ref == "product:42#battery_capacity"


@pytest.mark.parametrize("text", [
    "星河 X1 手机电池容量5000 mAh，屏幕6.7英寸，仅售￥1,999，保修12个月，有2种颜色。",
    "星河 X1 手机 has a 5000mAh battery, a 6.7 inch screen and costs ¥1999.00.",
    "价格1999元，IP68防水。",
])
def test_grounded_text_passes(text):
    result = check_output(text, PRODUCT, product_names=CATALOGUE)
    assert result.ok, result.reasons
    assert result.found


@pytest.mark.parametrize("text", [
    "星河 X1 手机秒杀价1799元，原价1999元，满200减30，8折，11月29日 10:00开抢，12月1日截止，限量100件",
    "Flash price ¥1799, 20% off, ¥30 off orders over ¥200, starts Nov 29, 10:00, ends 2026-12-01",
    "八折好价，11/29开抢",
])
def test_campaign_text_passes(text):
    result = check_output(text, CAMPAIGN, product_names=CATALOGUE)
    assert result.ok, result.reasons


@pytest.mark.parametrize("text,fragment", [
    ("星河 X1 手机电池容量6000mAh", "6000mah"),
    ("屏幕7.1英寸", "7.1英寸"),
    ("现价¥1899", "¥1899"),
    ("现价1899元", "1899元"),
    ("全场7折", "7折"),
    ("立减30%", "30%"),
    ("满300减50", "300元"),
    ("12月12日开抢", "12月12日"),
    ("starts 2027-11-29", "2027-11-29"),
    ("Nov 30 only", "nov 30"),
    ("保修24个月", "24个月"),
    ("库存888台", "888"),
])
def test_wrong_claims_fail_with_reasons(text, fragment):
    facts = PRODUCT + CAMPAIGN
    with translation.override("en"):
        result = check_output(text, facts, product_names=CATALOGUE)
    assert not result.ok
    assert any(fragment in r and "is not in the facts" in r for r in result.reasons), result.reasons


def test_other_products_name_fails():
    result = check_output("星河 X2 手机也很不错", PRODUCT, product_names=CATALOGUE)
    assert not result.ok and "星河 X2 手机" in result.reasons[0]
    assert check_output("星河 X1 手机很不错", PRODUCT, product_names=CATALOGUE).ok


def test_longer_name_is_not_two_names():
    facts = [Fact("name", "Nova Watch Pro", "product:1")]
    assert check_output("Nova Watch Pro is here", facts, product_names=["Nova Watch", "Nova Watch Pro"]).ok


def test_discount_equivalence_is_two_way():
    assert check_output("8折", [Fact("discount", "20% off", "c:1")]).ok
    assert check_output("20% off", [Fact("discount", "8折", "c:1")]).ok
    assert check_output("打八五折", [Fact("discount", "85折", "c:1")]).ok
    assert not check_output("8折", [Fact("share", "20%", "c:1")]).ok  # a share is not a discount


def test_full_width_and_spacing_normalised():
    assert check_output("５０００ｍＡｈ", [Fact("battery", "5000 mAh", "p:1")]).ok
    assert normalize("１,２９９元") == "1299元"


def test_bare_numbers():
    facts = [Fact("order_no", "12345", "order:12345")]
    assert check_output("订单12345已发货，分2个包裹", facts).ok  # small counts 0-10 are allowed
    result = check_output("订单12345，另外赠送500积分", facts)
    assert not result.ok and "500" in result.reasons[0]


def test_citations_must_be_cited_reviews():
    assert check_output("续航好评多[#123][#789]", FEEDBACK).ok
    assert not check_output("续航好评多[#124]", FEEDBACK).ok


def test_extra_allowed():
    assert check_output("回复 400 客服", [], extra_allowed=["400"]).ok


def test_codes_are_not_claims():
    claims = extract_claims(normalize("运单号SF1234567890，型号A12"))
    assert claims == []
