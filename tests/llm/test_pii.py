import pytest

from ecom_ai.llm.base import GenerationRequest, build_prompt
from ecom_ai.llm.pii import luhn_ok, redact


@pytest.mark.parametrize("text,tag", [
    ("我的手机号是13812345678", "[电话]"),
    ("call +86 138-1234-5678 please", "[PHONE]"),
    ("电话 +86 139 1234 5678", "[电话]"),
    ("座机 010-87654321", "[电话]"),
    ("座机（0755）12345678", "[电话]"),
    ("邮箱 zhang.san+shop@example.com.cn", "[邮箱]"),
    ("身份证号11010519491231002X", "[身份证]"),
    ("身份证号 440308199901011234", "[身份证]"),
    ("卡号 6222 0200 0000 0000 009", None),
    ("card 4111 1111 1111 1111", "[CARD]"),
    ("卡号4111111111111111", "[银行卡]"),
    ("请寄到广东省深圳市南山区科技园路18号3栋501室，谢谢", "[地址]"),
    ("北京市朝阳区建国路88号", "[地址]"),
    ("住在阳光小区3栋2单元501室", "[地址]"),
    ("ship to 221 Baker Street, Apt 4 please", "[ADDRESS]"),
    ("1600 Pennsylvania Ave NW", "[ADDRESS]"),
])
def test_each_kind_redacted(text, tag):
    out = redact(text)
    if tag is None:  # 19 digits failing the Luhn check are not a card number
        assert out == text or "[银行卡]" not in out
        return
    assert tag in out
    for secret in ("13812345678", "1234-5678", "87654321", "example.com", "1949123", "199901011234", "4111", "科技园路", "建国路", "501室", "Baker", "Pennsylvania"):
        assert secret not in out


@pytest.mark.parametrize("text", [
    "电池容量5000mAh，屏幕6.7英寸，售价1999元",
    "订单 12345 已发货，运单号 SF1234567890",
    "order 2026112900012 shipped on 2026-11-29",
    "满200减30，8折，限量100件",
    "Battery 5000 mAh, 6.7 inch screen, 3 years warranty",
])
def test_ordinary_text_untouched(text):
    assert redact(text) == text


def test_luhn():
    assert luhn_ok("4111111111111111")
    assert not luhn_ok("4111111111111112")


def test_prompt_redacts_only_when_asked():
    req = GenerationRequest(task="inquiry_reply", untrusted={"question": "我的电话13812345678，地址北京市朝阳区建国路88号"})
    redacted = build_prompt(req, pii_filter=True)[1]["content"]
    assert "13812345678" not in redacted and "建国路" not in redacted and "[电话]" in redacted
    plain = build_prompt(req, pii_filter=False)[1]["content"]
    assert "13812345678" in plain


def test_zero_width_cannot_hide_a_phone():
    req = GenerationRequest(task="inquiry_reply", untrusted={"question": "电话138\u200b1234\u200b5678"})
    assert "[电话]" in build_prompt(req, pii_filter=True)[1]["content"]
