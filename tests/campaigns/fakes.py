"""A fake promo_copy backend that writes wrong numbers, banned terms and over-long text, on purpose.

Each request's mistake is chosen by :func:`mode_for` from its channel and variant, so tests know
what every copy got wrong and which reason must be listed on it.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from ecom_ai.llm.base import BaseBackend, GenerationResult

MODES = ("price", "date", "group", "banned", "too_long", "swap")
CHANNELS = ["title", "banner", "push", "sms", "email_subject", "email_body"]

#: reason substrings that prove the checker saw the mistake (any one of them, besides the wrong value)
EXPECTED = {
    "price": ("not in the facts", "does not match the rule"),
    "date": ("date",),
    "group": ("not in the facts", "does not match the rule"),
    "banned": ("banned absolute terms",),
    "too_long": ("limit of",),
    "swap": ("does not match the rule",),
}


def mode_for(channel: str, variant: int) -> str:
    return MODES[(CHANNELS.index(channel) + variant) % len(MODES)]


def _n(value) -> str:
    return f"{Decimal(value).normalize():f}"


class BadCopyBackend(BaseBackend):
    """Writes plausible copy with exactly one kind of mistake per request (see MODES)."""

    @property
    def model_id(self) -> str:
        return "bad-copy-v1"

    def generate(self, requests):
        return [self._one(r) for r in requests]

    def _one(self, req):
        f = {x.key: x.value for x in req.facts}
        zh = req.language == "zh"
        channel, variant = req.params["channel"], int(req.params["variant"])
        mode = mode_for(channel, variant)
        name = f.get("name") or f.get("campaign_name")
        kind = f["kind"]
        price, orig = f.get("price"), f.get("original_price")
        t, a, pct, g, stock = f.get("threshold"), f.get("amount"), f.get("percent"), f.get("group_size"), f.get("stock")

        def offer(price=price, orig=orig, t=t, a=a, pct=pct, g=g):
            if kind == "flash_sale":
                return f"秒杀价{price}元，原价{orig}元" if zh else f"flash price ¥{price}, was ¥{orig}"
            if kind == "group_buy":
                return f"{g}人成团，拼团价{price}元" if zh else f"groups of {g}, group price ¥{price}"
            if t:
                return f"满{t}减{a}" if zh else f"¥{a} off orders over ¥{t}"
            return f"立享{pct}%优惠" if zh else f"{pct}% off"

        wrong = ""
        if mode == "price":
            if price:
                wrong = _n(Decimal(price) + 100)
                body = offer(price=wrong)
            elif t:
                wrong = _n(Decimal(a) + 10)
                body = offer(a=wrong)
            else:
                wrong = _n(Decimal(pct) + 5)
                body = offer(pct=wrong)
        elif mode == "date":
            start = datetime.strptime(f["starts_at"][:10], "%Y-%m-%d") + timedelta(days=3)
            body = offer() + (f"，{start.month}月{start.day}日开抢" if zh else f", starts {start:%b} {start.day}")
        elif mode == "group":
            if g:
                wrong = str(int(g) + 1)
                body = offer(g=wrong)
            elif stock:
                wrong = str(int(stock) + 7)
                body = offer() + (f"，限量{wrong}件" if zh else f", only {wrong} available")
            elif t:
                wrong = _n(Decimal(t) + 100)
                body = offer(t=wrong)
            else:
                wrong = "100"
                body = "满100减10" if zh else "¥10 off orders over ¥100"
        elif mode == "banned":
            body = ("全网最低！" if zh else "Best deal, guaranteed! ") + offer()
        elif mode == "too_long":
            body = offer() + ("，快来看看吧" * 200 if zh else ", come and have a look" * 120)
        else:  # swap
            if price:
                body = offer(price=orig, orig=price) if kind == "flash_sale" else (
                    f"{g}人成团，拼团价{orig}元，原价{price}元" if zh else f"groups of {g}, group price ¥{orig}, was ¥{price}")
            elif t:
                body = offer(t=a, a=t)
            else:
                body = f"{_n(Decimal(pct) / 10)}折" if zh else f"{_n(100 - Decimal(pct))}% off"
        text = f"{name}，{body}" if zh else f"{name}: {body}"
        if channel == "sms":
            text = req.params.get("signature", "") + text
        return GenerationResult(text=text, tokens_in=10, tokens_out=len(text), latency_ms=0.1, model_id=self.model_id,
                                finish_reason="stop")
