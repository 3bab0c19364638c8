"""GroundedBackend: no model; writes zh/en text from the facts by rule, so it always passes the output check.

A feature may hand its own rule-based writer over in ``GenerationRequest.writer`` (inquiry replies
do); a task without a writer of its own gets its facts as plain "label: value" statements.
Fact conventions of the writers kept here:

* product: ``name``; attributes under any key, with ``label`` as their human name; ``highlight`` /
  ``feature`` values are written as they are.
* recommendation: ``anchor_name`` (the product the customer bought or viewed).
* campaign: ``kind`` (coupon / flash_sale / group_buy), ``campaign_name``, ``price``,
  ``original_price``, ``threshold``, ``amount``, ``percent`` (percent off), ``starts_at``,
  ``ends_at`` (ISO dates, optional " HH:MM"), ``group_size``, ``stock``.
* feedback: ``review_count``, ``positive_count``, ``negative_count``; per theme ``theme:<slug>``
  (count, label = theme name), ``theme:<slug>:share``, ``theme:<slug>:sentiment``
  (positive / negative / mixed), ``theme:<slug>:reviews`` (cited review ids, comma separated).

Templates contain no digits of their own: every number in the output comes from a fact.
"""
from __future__ import annotations

import hashlib
import json
import random
import re
import time
from datetime import datetime

from ecom_ai.llm.base import BaseBackend, GenerationRequest, GenerationResult, approx_tokens

MODEL_ID = "grounded-rules-v1"
SMS_MAX_CHARS = 70

_LABELS = {
    "price": ("价格", "price"), "original_price": ("原价", "original price"), "battery_capacity": ("电池容量", "battery capacity"),
    "screen_size": ("屏幕尺寸", "screen size"), "weight": ("重量", "weight"), "storage": ("存储容量", "storage"),
    "memory": ("运行内存", "memory"), "color": ("颜色", "colour"), "colors": ("颜色", "colours"), "material": ("材质", "material"),
    "warranty": ("保修期", "warranty"), "stock": ("库存", "stock"), "brand": ("品牌", "brand"), "capacity": ("容量", "capacity"),
    "power": ("功率", "power"), "size": ("尺寸", "size"), "waterproof": ("防水等级", "water resistance"),
    "status": ("物流状态", "shipping status"), "carrier": ("承运快递", "carrier"), "tracking_no": ("运单号", "tracking number"),
    "eta": ("预计送达", "estimated delivery"), "shipped_at": ("发货时间", "shipped on"), "location": ("当前位置", "current location"),
    "order_status": ("订单状态", "order status"), "return_window": ("退货期限", "return window"),
    "refund_status": ("退款进度", "refund status"), "policy": ("售后政策", "after-sales policy"),
}
_MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_PLAIN_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _label(fact, zh: bool) -> str:
    if fact.label:
        return fact.label
    pair = _LABELS.get(fact.key)
    if pair:
        return pair[0] if zh else pair[1]
    return fact.key.replace("_", " ")


def _money(value: str, zh: bool) -> str:
    value = value.strip()
    if _PLAIN_NUMBER.fullmatch(value):
        return f"{value}元" if zh else f"¥{value}"
    return value


def _number(value: str) -> str:
    m = _PLAIN_NUMBER.search(value or "")
    return m.group(0) if m else ""


def _date(value: str, zh: bool) -> str:
    value = (value or "").strip()
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            dt = datetime.strptime(value[: len(datetime(2000, 1, 1).strftime(fmt))] if "T" not in fmt else value[:19], fmt)
            break
        except ValueError:
            dt = None
    if dt is None:
        return value
    has_time = len(value) > 10
    if zh:
        return f"{dt.month}月{dt.day}日" + (f" {dt:%H:%M}" if has_time else "")
    return f"{_MONTH_NAMES[dt.month - 1]} {dt.day}" + (f", {dt:%H:%M}" if has_time else "")


_ENDS_IN_NUMBER = re.compile(r"\d(?:[.,]\d*)?[^\s\d]?$")  # "61", "13L", '14.0"': cut after them, they read as numbers


def _shorten(name: str, width: int) -> str:
    """``name`` cut to at most ``width`` characters, at a word boundary where it has words, and never just
    after a number (a cut "61…" or "13L…" reads as a wrong number)."""
    cut = name[:width]
    if " " in name and len(name) > width:
        words = name[: width + 1].split(" ")[:-1] if name[width:width + 1] != " " else cut.split(" ")
        while words and _ENDS_IN_NUMBER.search(words[-1]):
            words.pop()
        if words and len(" ".join(words)) >= 2:
            return " ".join(words)
    while cut and _ENDS_IN_NUMBER.search(cut):
        cut = cut[:-1]
    return cut.rstrip() or name[:width]


def _seed_for(request: GenerationRequest) -> int:
    if request.seed is not None:
        return int(request.seed)
    payload = json.dumps(
        [request.task, request.language, [(f.key, f.value, f.source) for f in request.facts],
         sorted((str(k), str(v)) for k, v in (request.params or {}).items()), sorted((request.untrusted or {}).items())],
        ensure_ascii=False, default=str,
    )
    return int.from_bytes(hashlib.sha256(payload.encode()).digest()[:8], "big")


class _Facts:
    def __init__(self, facts):
        self.all = list(facts)
        self.by_key = {}
        for f in self.all:
            self.by_key.setdefault(f.key, f)

    def get(self, key: str, default: str = "") -> str:
        f = self.by_key.get(key)
        return f.value.strip() if f and f.value is not None else default


class GroundedBackend(BaseBackend):
    """Rule-based writer for every task kind; the same seed gives the same text."""

    sends_off_machine = False

    @property
    def model_id(self) -> str:
        return MODEL_ID

    def generate(self, requests: list[GenerationRequest]) -> list[GenerationResult]:
        results = []
        for request in requests:
            start = time.perf_counter()
            rng = random.Random(_seed_for(request) + int((request.params or {}).get("variant", 0) or 0) * 7919)
            zh = request.language == "zh"
            if request.writer is not None:  # the feature's own rule-based writer
                text = request.writer(request, rng).strip()
            else:
                writer = getattr(self, f"_write_{request.task}", None)
                if writer is None and request.facts:
                    writer = self._write_statements
                if writer is None:
                    results.append(GenerationResult("", 0, 0, 0.0, MODEL_ID, "error", error=f"unknown task {request.task!r}"))
                    continue
                text = writer(request, _Facts(request.facts), rng, zh).strip()
            prompt_text = " ".join([request.system, *(f"{f.key} {f.value}" for f in request.facts), *map(str, (request.untrusted or {}).values())])
            results.append(GenerationResult(
                text=text, tokens_in=approx_tokens(prompt_text), tokens_out=approx_tokens(text),
                latency_ms=(time.perf_counter() - start) * 1000.0, model_id=MODEL_ID, finish_reason="stop",
            ))
        return results

    def _write_statements(self, request, facts: _Facts, rng, zh: bool) -> str:
        """Any other task: its facts as plain "label: value" statements."""
        sep = "；" if zh else "; "
        body = sep.join(f"{_label(f, zh)}{'：' if zh else ': '}{_money(f.value, zh) if 'price' in f.key else f.value}" for f in facts.all)
        return body + ("。" if zh else ".")

    # -- recommendation reasons ------------------------------------------------------------
    def _highlights(self, facts: _Facts, zh: bool, limit: int = 2) -> list[str]:
        skip = {"name", "product_name", "anchor_name", "price", "original_price", "stock"}
        picked = [f for f in facts.all if f.key not in skip and not f.key.startswith("theme:")]
        out = []
        for f in picked[:limit]:
            if f.key in ("highlight", "feature", "features", "selling_point"):
                out.append(f.value)
            else:
                out.append(f"{_label(f, zh)}{'' if zh else ' '}{f.value}")
        return out

    def _write_recommendation_reason(self, request, facts: _Facts, rng, zh: bool) -> str:
        name = facts.get("name") or facts.get("product_name")
        anchor = facts.get("anchor_name")
        hl = self._highlights(facts, zh)
        if zh:
            hl_text = "，".join(hl)
            if anchor:
                options = [f"因为您购买了{anchor}，" + (f"{hl_text}的{name}也许正合适" if hl else f"{name}也许正合适"),
                           f"买过{anchor}的顾客也常买{name}" + (f"：{hl_text}" if hl else "")]
            else:
                options = [f"{hl_text}，{name}值得一看" if hl else f"{name}值得一看",
                           f"为您推荐{name}" + (f"：{hl_text}" if hl else "")]
            return rng.choice(options)
        hl_text = ", ".join(hl)
        if anchor:
            options = [f"Because you bought {anchor}: {name}" + (f" with {hl_text}" if hl else ""),
                       f"Customers who bought {anchor} also choose {name}" + (f": {hl_text}" if hl else "")]
        else:
            options = [f"{name}: {hl_text}" if hl else f"{name} is worth a look",
                       f"Picked for you: {name}" + (f", {hl_text}" if hl else "")]
        return rng.choice(options)

    # -- promo copy ------------------------------------------------------------------------
    def _offer(self, facts: _Facts, zh: bool) -> str:
        return ("，" if zh else ", ").join(self._offer_parts(facts, zh))

    def _offer_parts(self, facts: _Facts, zh: bool) -> list[str]:
        kind = facts.get("kind", "coupon")
        price, orig = facts.get("price"), facts.get("original_price")
        threshold, amount, percent = facts.get("threshold"), facts.get("amount"), facts.get("percent")
        group_size = _number(facts.get("group_size"))
        parts = []
        if kind == "group_buy":
            if group_size:
                parts.append(f"{group_size}人成团" if zh else f"team up in groups of {group_size}")
            if price:
                parts.append(f"拼团价{_money(price, zh)}" if zh else f"group price {_money(price, zh)}")
        elif kind == "flash_sale":
            if price:
                parts.append(f"秒杀价{_money(price, zh)}" if zh else f"flash price {_money(price, zh)}")
        if orig and price:
            parts.append(f"原价{_money(orig, zh)}" if zh else f"was {_money(orig, zh)}")
        if threshold and amount:
            t, a = _number(threshold), _number(amount)
            parts.append(f"满{t}减{a}" if zh else f"¥{a} off orders over ¥{t}")
        elif amount:
            parts.append(f"立减{_money(amount, zh)}" if zh else f"{_money(amount, zh)} off")
        if percent:
            p = _number(percent)
            zhe = (100 - float(p)) / 10 if p else None
            if zh and zhe is not None and zhe > 0 and round(zhe, 1) == zhe:
                parts.append(f"{zhe:g}折")
            elif p:
                parts.append(f"立享{p}%优惠" if zh else f"{p}% off")
        return parts

    def _when(self, facts: _Facts, zh: bool) -> str:
        start, end = facts.get("starts_at"), facts.get("ends_at")
        if zh:
            bits = ([f"{_date(start, True)}开抢"] if start else []) + ([f"{_date(end, True)}截止"] if end else [])
            return "，".join(bits)
        bits = ([f"starts {_date(start, False)}"] if start else []) + ([f"ends {_date(end, False)}"] if end else [])
        return ", ".join(bits)

    @staticmethod
    def _variant_base(request) -> int:
        """A number shared by every variant of one copy (same facts, channel, language): variant ``v`` takes
        option ``(base + v) % n`` of each list, so the variants of one campaign differ by construction."""
        if request.seed is not None:
            return int(request.seed)
        params = {k: v for k, v in (request.params or {}).items() if k != "variant"}
        return _seed_for(GenerationRequest(request.task, request.language, facts=request.facts, params=params)) % 9973

    def _write_promo_copy(self, request, facts: _Facts, rng, zh: bool) -> str:
        params = request.params or {}
        channel = params.get("channel", "title")
        variant = int(params.get("variant", 0) or 0)
        base = self._variant_base(request)
        name = facts.get("name") or facts.get("product_name") or facts.get("campaign_name")
        campaign = facts.get("campaign_name")
        campaign = "" if campaign == name else campaign
        offer, when = self._offer(facts, zh), self._when(facts, zh)
        stock = _number(facts.get("stock"))
        stock_text = (f"限量{stock}件" if zh else f"only {stock} available") if stock else ""
        sep = "，" if zh else ", "
        if zh:
            hooks = ["好价来袭", "限时福利", "手慢无", "心动价", "专属福利"]
            ctas = ["立即抢购", "马上下单", "速来围观", "点击查看"]
        else:
            hooks = ["Deal alert", "Limited-time offer", "Don't miss out", "Special price", "Just for you"]
            ctas = ["Shop now", "Grab it now", "Tap to see", "Order today"]
        hook, cta = hooks[(base + variant) % len(hooks)], ctas[(base + variant) % len(ctas)]
        form = variant % 2  # two shapes per channel; with the hook (five) every variant up to ten differs
        join = lambda *xs: sep.join(x for x in xs if x)  # noqa: E731

        max_chars = int(params.get("max_chars") or 10 ** 6)

        def fit(*options):
            """The first option that fits the channel's length, else the last (the variant's shortest form)."""
            return next((o for o in options if len(o) <= max_chars), options[-1])

        # the shortest forms still differ from variant to variant (order and separator)
        short = ([f"{name} {offer}", f"{offer}｜{name}", f"{name}：{offer}"] if zh else
                 [f"{name}: {offer}", f"{offer} | {name}", f"{name} - {offer}"])[variant % 3]
        if channel == "title":
            if zh:
                return fit([f"【{hook}】{name} {offer}", f"{name}｜{offer}｜{hook}"][form], short)
            return fit([f"{hook}: {name}, {offer}", f"{name} | {offer} | {hook}"][form], short)
        if channel == "banner":
            return fit([join(f"{name}{offer}" if zh else f"{name}: {offer}", when, hook), join(offer, when, cta)][form],
                       join(short, hook), join(offer, cta), short)
        if channel == "push":
            return fit([join(f"{hook}！{name}{offer}" if zh else f"{hook}! {name}: {offer}", when),
                        join(name, offer, stock_text, cta)][form], join(name, offer, cta), short)
        if channel == "email_subject":
            if zh:
                return fit([f"{hook}：{name}{offer}", f"{campaign or name}｜{offer}｜{hook}"][form], short)
            return fit([f"{hook}: {name}, {offer}", f"{campaign or name} | {offer} | {hook}"][form], short)
        if channel == "email_body":
            if zh:
                lines = [["亲爱的顾客，您好！", "您好！"][form],
                         f"{campaign + '来啦！' if campaign else ''}{hook}！{name}{offer}。",
                         f"活动时间：{when}。" if when else "", f"本次活动{stock_text}，先到先得。" if stock_text else "",
                         f"{cta}，祝您购物愉快！"]
            else:
                lines = [["Dear customer,", "Hello,"][form],
                         f"{campaign + ' is here! ' if campaign else ''}{hook}! {name}: {offer}.",
                         f"When: {when}." if when else "", f"{stock_text[0].upper() + stock_text[1:]}, first come, first served." if stock_text else "",
                         f"{cta}. Happy shopping!"]
            return "\n".join(x for x in lines if x)
        if channel == "sms":
            return self._sms(params, name, self._offer_parts(facts, zh), when, stock_text, cta, hook, variant, zh)
        return join(name, offer, when)

    def _sms(self, params, name, offer, when, stock_text, cta, hook, variant, zh) -> str:
        signature = str(params.get("signature", "") or "")
        opt_out = str(params.get("opt_out", "回T退订" if zh else "Reply STOP to opt out"))
        sep = "，" if zh else ", "
        first = offer[:1]
        shape = variant % 4

        # The core is the name and the first offer part, in one of four shapes chosen by the variant (the
        # third leads with the variant's hook where it fits); the other offer parts, the call to action
        # and the extras follow while they fit.
        def core(nm, lead=True):
            if shape == 1:
                return first + [nm]
            if shape == 2:
                joined = (f"{nm}：" if zh else f"{nm}: ") + (first[0] if first else "")
                return ([hook] if lead else []) + [joined]
            if shape == 3 and first:
                return [(f"{first[0]}：" if zh else f"{first[0]}: ") + nm]
            return [nm] + first

        def render(parts):
            body = sep.join(p for p in parts if p)
            return f"{signature}{body}{'，' if zh else '. '}{opt_out}" if opt_out else f"{signature}{body}"

        optional = list(dict.fromkeys([p for p in (offer[1:] + [cta, stock_text, when]) if p]))
        base = core(name)
        if len(render(base)) > SMS_MAX_CHARS:
            base = core(name, lead=False)
        parts = base + optional
        while len(render(parts)) > SMS_MAX_CHARS and len(parts) > len(base):
            parts.pop()
        text = render(parts)
        if len(text) > SMS_MAX_CHARS:  # name alone too long: shorten the name, never the numbers
            over = len(text) - SMS_MAX_CHARS
            text = render(core(_shorten(name, max(1, len(name) - over - 1)) + "…", lead=False))
        if len(text) > SMS_MAX_CHARS:
            text = render(offer[:1]) if len(render(offer[:1])) <= SMS_MAX_CHARS else text[:SMS_MAX_CHARS]
        return text

    # -- feedback summaries ----------------------------------------------------------------
    def _write_feedback_summary(self, request, facts: _Facts, rng, zh: bool) -> str:
        name = facts.get("name") or facts.get("product_name")
        total, pos, neg = facts.get("review_count"), facts.get("positive_count"), facts.get("negative_count")
        themes = []
        for f in facts.all:
            if f.key.startswith("theme:") and f.key.count(":") == 1:
                slug = f.key.split(":", 1)[1]
                ids = re.findall(r"\d+", facts.get(f"theme:{slug}:reviews"))
                themes.append({"label": f.label or slug, "count": f.value, "share": facts.get(f"theme:{slug}:share"),
                               "sentiment": facts.get(f"theme:{slug}:sentiment"), "cites": "".join(f"[#{i}]" for i in ids[:3])})
        if zh:
            feel = {"positive": "大多是称赞", "negative": "多为抱怨", "mixed": "评价不一"}
            head = ""
            if total:
                head = rng.choice([f"{name}共收到{total}条评价" if name else f"共收到{total}条评价", f"在{total}条关于{name or '该商品'}的评价中"])
                if pos or neg:
                    head += "，" + "、".join(x for x in ((f"好评{pos}条" if pos else ""), (f"差评{neg}条" if neg else "")) if x)
                head += "。"
            sentences = []
            for i, t in enumerate(themes):
                lead = ["客户最常提到的是", "其次是", "另外还有"][min(i, 2)] if i or rng.random() < 0.5 else rng.choice(["顾客说得最多的是", "客户最常提到的是"])
                detail = "，".join(x for x in (f"{t['count']}条" if t["count"] else "", f"占{t['share']}" if t["share"] else "") if x)
                s = f"{lead}{t['label']}" + (f"（{detail}）" if detail else "") + t["cites"]
                if feel.get(t["sentiment"]):
                    s += "，" + feel[t["sentiment"]]
                sentences.append(s)
            body = "；".join(sentences) + "。" if sentences else "暂时没有足够的评价可供总结。"
            return head + body
        feel = {"positive": "mostly with praise", "negative": "mostly as a complaint", "mixed": "with mixed views"}
        head = ""
        if total:
            head = rng.choice([f"{name} has {total} reviews" if name else f"There are {total} reviews", f"Across {total} reviews" + (f" of {name}" if name else "")])
            if pos or neg:
                head += " (" + ", ".join(x for x in ((f"{pos} positive" if pos else ""), (f"{neg} negative" if neg else "")) if x) + ")"
            head += ". "
        sentences = []
        for i, t in enumerate(themes):
            lead = ["customers most often mention", "next comes", "others raise"][min(i, 2)] if i else rng.choice(["Customers most often mention", "The top theme is"])
            detail = ", ".join(x for x in (f"{t['count']} reviews" if t["count"] else "", t["share"]) if x)
            s = f"{lead} {t['label']}" + (f" ({detail})" if detail else "") + (f" {t['cites']}" if t["cites"] else "")
            if feel.get(t["sentiment"]):
                s += ", " + feel[t["sentiment"]]
            sentences.append(s)
        body = "; ".join(sentences) + "." if sentences else "There are not enough reviews to summarise yet."
        return head + body
