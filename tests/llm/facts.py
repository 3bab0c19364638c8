"""Shared fact sets for the generation tests."""
from ecom_ai.llm.base import Fact

CATALOGUE = ["星河 X1 手机", "星河 X2 手机", "星河 蓝牙耳机", "Nova Watch"]

PRODUCT = [
    Fact("name", "星河 X1 手机", "product:42"),
    Fact("battery_capacity", "5000mAh", "product:42", label="电池容量"),
    Fact("screen_size", "6.7英寸", "product:42", label="屏幕尺寸"),
    Fact("price", "1999", "product:42", label="价格"),
    Fact("warranty", "12个月", "product:42", label="保修期"),
    Fact("highlight", "IP68防水", "product:42"),
]

CAMPAIGN = [
    Fact("name", "星河 X1 手机", "product:42"),
    Fact("campaign_name", "双十二大促", "campaign:7"),
    Fact("kind", "flash_sale", "campaign:7"),
    Fact("price", "1799", "campaign:7"),
    Fact("original_price", "1999", "product:42"),
    Fact("threshold", "200", "campaign:7"),
    Fact("amount", "30", "campaign:7"),
    Fact("percent", "20", "campaign:7"),
    Fact("starts_at", "2026-11-29 10:00", "campaign:7"),
    Fact("ends_at", "2026-12-01", "campaign:7"),
    Fact("stock", "100", "campaign:7"),
]

GROUP_BUY = [
    Fact("name", "Nova Watch", "product:9"),
    Fact("kind", "group_buy", "campaign:8"),
    Fact("price", "299", "campaign:8"),
    Fact("group_size", "3", "campaign:8"),
    Fact("ends_at", "2026-12-12 23:59", "campaign:8"),
]

FEEDBACK = [
    Fact("name", "星河 X1 手机", "product:42"),
    Fact("review_count", "48", "product:42"),
    Fact("positive_count", "40", "product:42"),
    Fact("negative_count", "5", "product:42"),
    Fact("theme:battery", "12", "product:42", label="续航"),
    Fact("theme:battery:share", "25%", "product:42"),
    Fact("theme:battery:sentiment", "positive", "product:42"),
    Fact("theme:battery:reviews", "123, 456", "review"),
    Fact("theme:screen", "6", "product:42", label="屏幕"),
    Fact("theme:screen:sentiment", "mixed", "product:42"),
    Fact("theme:screen:reviews", "789", "review"),
]
