"""Services of the campaigns feature (营销活动): rule validation, rule suggestions, copy generation and copy checks.

Everything the admin, the API, the jobs and the evaluation do with campaigns goes through here:

* :func:`validate_campaign` — the shop's limits (margin floor, maximum discount, dates, stock);
* :func:`suggest_rules` / :func:`apply_suggestion` — products and numbers from the shop's data;
* :func:`rule_facts`, :func:`build_copy_requests` — what a copy may say, as typed facts;
* :func:`check_copy` — numbers equal the rule, no banned absolute terms, channel length limits;
* :func:`choose_copy`, :func:`edit_copy`, :func:`recheck_copies` — the human side;
* :func:`active_campaigns` — what the frontend sees;
* :func:`evaluate` — ``manage.py ecom_ai evaluate campaigns``.

The shop's limits are ``ECOM_AI["CAMPAIGN_LIMITS"]`` merged over :data:`DEFAULT_LIMITS`.
"""
from __future__ import annotations

import hashlib
import json
import math
import random
import re
import time
from collections import Counter, defaultdict, deque
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ecom_ai.conf import ecom_ai_settings
from ecom_ai.llm.base import Fact, GenerationRequest
from ecom_ai.llm.facts import facts_to_json, format_local
from ecom_ai.llm.facts import format_number as _fmt# 99.00 → "99", 99.50 → "99.5"
from ecom_ai.llm.fence import looks_like_instructions
from ecom_ai.llm.checks import check_output, extract_claims, injection_findings, normalize
from ecom_ai.campaigns.models import BannedTerm, Campaign, CampaignCopy
from ecom_ai.kinds import Feature

# --------------------------------------------------------------------------- limits

DEFAULT_LIMITS = {
    "margin_floor": 0.05,             # price under the rule >= cost × (1 + margin_floor)
    "max_discount_percent": 50,       # no rule takes more than this off a product's price
    "sms_signature": "【演示商城】",    # Chinese SMS must carry the shop's signature
    "sms_signature_en": "[Demo Shop] ",
    "sms_max_chars": 70,              # one SMS, signature included
    "channel_limits": {               # characters per channel and language
        "zh": {"title": 60, "banner": 80, "push": 100, "sms": 70, "email_subject": 60, "email_body": 1000},
        "en": {"title": 120, "banner": 180, "push": 200, "sms": 70, "email_subject": 120, "email_body": 2000},
    },
    "variants": 3,                    # copy variants per channel and language
    "banned_terms": [],               # the shop's own additions to DEFAULT_BANNED_TERMS
    "allowed_phrases": [],            # phrases exempt from the banned-term scan, e.g. a registered brand
    "suggest_window_days": 30,        # "recent" for slow-moving stock and views against orders
    "coupon_products": 5,             # products a suggested coupon covers
}

CHANNELS = [c for c, _ in CampaignCopy.Channel.choices]
LANGUAGES = ("zh", "en")

#: Absolute terms banned in advertising by China's Advertising Law (广告法 第九条) and their English
#: equivalents. A shop extends this list with BannedTerm rows or CAMPAIGN_LIMITS["banned_terms"].
DEFAULT_BANNED_TERMS = {
    "zh": ["最", "第一", "顶级", "国家级", "极品", "绝对", "首个", "唯一", "全网最低", "史上", "万能", "永久",
           "顶尖", "首选", "极致", "独一无二", "世界级", "全球首发", "王牌", "冠军", "至尊", "巅峰", "无敌",
           "独家", "第1", "100%", "百分百", "100％"],
    "en": ["best", "no.1", "no. 1", "number one", "#1", "top-rated", "top rated", "guaranteed", "100%", "cheapest",
           "lowest price", "lowest prices", "ultimate", "world-class", "world class", "unbeatable", "forever",
           "permanent", "absolutely", "first-ever", "first ever", "greatest", "perfect"],
}


class CampaignError(Exception):
    """A campaign cannot be handled as asked; the message says why (shown to staff / API clients)."""


def get_limits() -> dict:
    """DEFAULT_LIMITS with ECOM_AI["CAMPAIGN_LIMITS"] merged over them (nested dicts merged too)."""
    user = ecom_ai_settings.CAMPAIGN_LIMITS or {}
    merged = deepcopy(DEFAULT_LIMITS)
    for key, value in user.items():
        if key == "channel_limits" and isinstance(value, dict):
            for lang, per in value.items():
                merged["channel_limits"].setdefault(lang, {}).update(per or {})
        else:
            merged[key] = value
    return merged


def _dec(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _price_floor(cost: Decimal, limits: dict) -> Decimal:
    return (cost * (Decimal(1) + Decimal(str(limits["margin_floor"])))).quantize(Decimal("0.01"), ROUND_CEILING)


# --------------------------------------------------------------------------- products

def normalize_product_ids(raw) -> list[int]:
    """The campaign's product ids as a list of distinct positive ints; ValueError on anything else."""
    if raw in (None, ""):
        return []
    if isinstance(raw, str):
        raw = [p for p in re.split(r"[\s,，;；]+", raw.strip()) if p]
    if not isinstance(raw, (list, tuple)):
        raise ValueError("product ids must be a list of numbers")
    out = []
    for value in raw:
        try:
            pid = int(str(value).strip())
        except (TypeError, ValueError):
            raise ValueError(f"{value!r} is not a product id") from None
        if pid <= 0:
            raise ValueError(f"{value!r} is not a product id")
        if pid not in out:
            out.append(pid)
    return out


def load_products(ids) -> dict:
    """ProductInfo by id through the shop adapter (missing ids are simply absent)."""
    from ecom_ai.adapters import get_adapter

    ids = list(ids)
    return get_adapter().get_products(ids) if ids else {}


def snapshot(products: dict, ids: list[int]) -> list[dict]:
    return [{"id": pid, "name": p.name, "price": _fmt(p.price), "cost": _fmt(p.cost), "stock": p.stock,
             "status": p.status} for pid in ids if (p := products.get(pid)) is not None]


def contains_banned(text: str, terms=None, *, language: str | None = None, limits: dict | None = None) -> list[str]:
    """The banned terms found in ``text`` (NFKC-normalised, case-folded; Latin terms as whole words)."""
    limits = limits or get_limits()
    terms = terms if terms is not None else banned_terms(language, limits=limits)
    norm = normalize(text)
    for phrase in limits.get("allowed_phrases") or ():
        p = normalize(phrase)
        if p:
            norm = norm.replace(p, " " * len(p))
    found = []
    for term in terms:
        t = normalize(term)
        if not t:
            continue
        if re.search(r"[a-z0-9]", t):
            pattern = rf"(?<![a-z0-9]){re.escape(t)}(?![a-z0-9])" if re.match(r"[a-z0-9]", t[-1]) \
                else rf"(?<![a-z0-9]){re.escape(t)}"
            if re.search(pattern, norm):
                found.append(term)
        elif t in norm:
            found.append(term)
    return list(dict.fromkeys(found))


def banned_terms(language: str | None = None, *, limits: dict | None = None) -> list[str]:
    """Built-in terms + the setting's + the shop's active BannedTerm rows, for one language (None: all)."""
    limits = limits or get_limits()
    langs = LANGUAGES if language is None else (language,)
    terms = [t for lang in langs for t in DEFAULT_BANNED_TERMS.get(lang, [])]
    terms += list(limits.get("banned_terms") or [])
    rows = BannedTerm.objects.filter(is_active=True)
    if language is not None:
        rows = rows.filter(language__in=("any", language))
    terms += list(rows.values_list("term", flat=True))
    return list(dict.fromkeys(terms))


# --------------------------------------------------------------------------- validation

def _add(errors: dict, field_name: str, message: str) -> None:
    errors.setdefault(field_name, []).append(message)


def validate_campaign(campaign: Campaign, *, complete: bool = True, products: dict | None = None,
                      limits: dict | None = None, terms: list | None = None,
                      raise_error: bool = False) -> dict[str, list[str]]:
    """Check a campaign's rule against the shop's limits; returns {field: [messages]} (empty when valid).

    ``complete`` asks for everything a campaign needs to run or get copy (products, dates, the
    kind's numbers); a draft may leave them blank. ``products`` (ProductInfo by id) defaults to
    the shop's current catalogue through the adapter; ``terms`` (the banned terms of every language)
    defaults to :func:`banned_terms`. Refreshes ``campaign.products_snapshot``.
    """
    limits = limits or get_limits()
    errors: dict[str, list[str]] = {}
    max_off = Decimal(str(limits["max_discount_percent"]))

    if campaign.kind not in Campaign.Kind.values:
        _add(errors, "kind", f"未知的活动类型 / unknown kind {campaign.kind!r}")
    if campaign.name:
        bad = contains_banned(campaign.name, terms, limits=limits)
        if bad:
            _add(errors, "name", f"名称含广告法禁用词：{'、'.join(bad)} / the name contains banned terms: {', '.join(bad)}")

    # dates
    if campaign.starts_at and campaign.ends_at and campaign.ends_at <= campaign.starts_at:
        _add(errors, "ends_at", "结束时间必须晚于开始时间 / the end must be after the start")
    if complete:
        for name in ("starts_at", "ends_at"):
            if getattr(campaign, name) is None:
                _add(errors, name, "必填 / required")

    # products
    try:
        ids = normalize_product_ids(campaign.product_ids)
        campaign.product_ids = ids
    except ValueError as exc:
        _add(errors, "product_ids", str(exc))
        ids = []
    if complete and not ids and "product_ids" not in errors:
        _add(errors, "product_ids", "请至少选择一个商品 / choose at least one product")
    if products is None:
        products = load_products(ids)
    else:
        products = {pid: products[pid] for pid in ids if pid in products}
    missing = [pid for pid in ids if pid not in products]
    if missing:
        _add(errors, "product_ids", f"商品已不存在：{', '.join(map(str, missing))} / "
                                    f"no longer in the shop: {', '.join(map(str, missing))}")
    if complete:
        inactive = [pid for pid in ids if pid in products and products[pid].status != "active"]
        if inactive:
            _add(errors, "product_ids", f"商品已下架：{', '.join(map(str, inactive))} / not on sale: {', '.join(map(str, inactive))}")
    present = [products[pid] for pid in ids if pid in products]
    campaign.products_snapshot = snapshot(products, ids)

    def positive(name, value):
        if value is None:
            return False
        if value <= 0:
            _add(errors, name, "必须大于 0 / must be positive")
            return False
        return True

    def required(name):
        if complete and getattr(campaign, name) in (None, ""):
            _add(errors, name, "此类活动必填 / required for this kind of campaign")

    def check_price(name, price):
        for p in present:
            floor = _price_floor(Decimal(p.cost), limits)
            if price < floor:
                _add(errors, name, f"{_fmt(price)} 低于「{p.name}」的成本加最低毛利（{_fmt(floor)}）/ "
                                   f"{_fmt(price)} is under cost plus the margin floor for product {p.id} ({_fmt(floor)})")
            if price >= Decimal(p.price):
                _add(errors, name, f"{_fmt(price)} 不低于「{p.name}」的原价 {_fmt(p.price)} / "
                                   f"{_fmt(price)} is not below product {p.id}'s price {_fmt(p.price)}")
            elif Decimal(p.price) > 0 and (1 - price / Decimal(p.price)) * 100 > max_off:
                _add(errors, name, f"相对「{p.name}」的折扣超过上限 {_fmt(max_off)}% / "
                                   f"more than the maximum discount of {_fmt(max_off)}% off product {p.id}")

    kind = campaign.kind
    threshold, amount, percent = _dec(campaign.threshold), _dec(campaign.amount), _dec(campaign.percent_off)
    if kind == Campaign.Kind.COUPON:
        reduction = threshold is not None or amount is not None
        if reduction and percent is not None:
            _add(errors, "percent_off", "满减与折扣只能选一种 / use either threshold and amount, or percent off")
        if reduction:
            ok_t, ok_a = positive("threshold", threshold), positive("amount", amount)
            if threshold is None:
                _add(errors, "threshold", "满减需要门槛 / a threshold is needed with an amount")
            if amount is None:
                _add(errors, "amount", "满减需要减免金额 / an amount is needed with a threshold")
            if ok_t and ok_a:
                if amount >= threshold:
                    _add(errors, "amount", "减免金额必须小于门槛 / the amount must be below the threshold")
                rate = amount / threshold
                if rate * 100 > max_off:
                    _add(errors, "amount", f"折扣超过上限 {_fmt(max_off)}% / more than the maximum discount of {_fmt(max_off)}%")
                _check_rate("amount", rate, present, limits, errors)
        elif percent is not None:
            if positive("percent_off", percent):
                if percent > max_off:
                    _add(errors, "percent_off", f"折扣超过上限 {_fmt(max_off)}% / more than the maximum discount of {_fmt(max_off)}%")
                elif percent < 100:
                    _check_rate("percent_off", percent / 100, present, limits, errors)
        elif complete:
            _add(errors, "threshold", "优惠券需要满减或折扣 / a coupon needs threshold and amount, or percent off")
        if campaign.total_issued is not None:
            positive("total_issued", campaign.total_issued)
    elif kind == Campaign.Kind.FLASH_SALE:
        required("sale_price")
        required("stock_cap")
        price = _dec(campaign.sale_price)
        if positive("sale_price", price):
            check_price("sale_price", price)
        if positive("stock_cap", campaign.stock_cap):
            for p in present:
                if campaign.stock_cap > p.stock:
                    _add(errors, "stock_cap", f"限量 {campaign.stock_cap} 超过「{p.name}」的库存 {p.stock} / "
                                              f"the cap {campaign.stock_cap} is over product {p.id}'s stock {p.stock}")
            if campaign.per_customer_limit and campaign.per_customer_limit > campaign.stock_cap:
                _add(errors, "per_customer_limit", "每人限购不能超过限量 / the limit per customer is over the stock cap")
    elif kind == Campaign.Kind.GROUP_BUY:
        required("group_size")
        required("group_price")
        if campaign.group_size is not None and campaign.group_size < 2:
            _add(errors, "group_size", "成团人数至少 2 人 / a group needs at least 2 people")
        price = _dec(campaign.group_price)
        if positive("group_price", price):
            check_price("group_price", price)
        if campaign.fill_hours is not None:
            positive("fill_hours", campaign.fill_hours)
    if campaign.per_customer_limit is not None:
        positive("per_customer_limit", campaign.per_customer_limit)

    if raise_error and errors:
        raise ValidationError(errors)
    return errors


def _check_rate(field_name, rate: Decimal, present, limits, errors) -> None:
    """A discount rate (0.2 = 20% off) keeps every product above cost plus the margin floor.

    For 满减 the deepest rate a customer can get is amount / threshold (an order exactly at the
    threshold), so that is the rate checked.
    """
    for p in present:
        after = Decimal(p.price) * (1 - rate)
        floor = _price_floor(Decimal(p.cost), limits)
        if after < floor:
            _add(errors, field_name, f"「{p.name}」优惠后 {_fmt(after.quantize(Decimal('0.01')))} 低于成本加最低毛利 {_fmt(floor)} / "
                                     f"product {p.id} would sell at {_fmt(after.quantize(Decimal('0.01')))}, under cost plus the margin floor ({_fmt(floor)})")


def flat_errors(errors: dict[str, list[str]]) -> str:
    return "; ".join(f"{k}: {m}" for k, msgs in errors.items() for m in msgs)


# --------------------------------------------------------------------------- facts

def rule_facts(campaign: Campaign, *, source: str | None = None) -> list[Fact]:
    """The campaign's rule as typed facts (keys ecom_ai.llm.grounded reads for promo copy)."""
    src = source or f"campaign:{campaign.pk}"
    snap = list(campaign.products_snapshot or [])
    facts = [Fact("campaign_name", campaign.name, src, "活动名称"), Fact("kind", campaign.kind, src, "活动类型")]
    if len(snap) == 1:
        facts.append(Fact("name", snap[0]["name"], f"product:{snap[0]['id']}", "商品"))
    price = campaign.price
    prices = {Decimal(str(p["price"])) for p in snap}
    if price is not None:
        facts.append(Fact("price", _fmt(price), src, "活动价"))
        if len(prices) == 1:
            facts.append(Fact("original_price", _fmt(next(iter(prices))), f"product:{snap[0]['id']}", "原价"))
    if campaign.kind == Campaign.Kind.COUPON:
        if campaign.threshold is not None and campaign.amount is not None:
            facts += [Fact("threshold", _fmt(campaign.threshold), src, "满"), Fact("amount", _fmt(campaign.amount), src, "减")]
        elif campaign.percent_off is not None:
            facts.append(Fact("percent", _fmt(campaign.percent_off), src, "折扣（百分比）"))
        if campaign.total_issued:
            facts.append(Fact("coupons_issued", str(campaign.total_issued), src, "发放张数"))
    if campaign.kind == Campaign.Kind.FLASH_SALE and campaign.stock_cap:
        facts.append(Fact("stock", str(campaign.stock_cap), src, "限量"))
    if campaign.kind == Campaign.Kind.GROUP_BUY:
        if campaign.group_size:
            facts.append(Fact("group_size", str(campaign.group_size), src, "成团人数"))
        if campaign.fill_hours:
            facts.append(Fact("fill_hours", str(campaign.fill_hours), src, "成团时限（小时）"))
    if campaign.starts_at:
        facts.append(Fact("starts_at", format_local(campaign.starts_at), src, "开始时间"))
    if campaign.ends_at:
        facts.append(Fact("ends_at", format_local(campaign.ends_at), src, "结束时间"))
    if campaign.per_customer_limit:
        facts.append(Fact("per_customer_limit", str(campaign.per_customer_limit), src, "每人限购"))
    return facts


def fingerprint(facts) -> str:
    payload = json.dumps(sorted((f.key, f.value) for f in facts), ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


# --------------------------------------------------------------------------- copy checks

@dataclass
class CopyCheck:
    ok: bool
    reasons: list[str] = field(default_factory=list)

    def __bool__(self):
        return self.ok


_N = r"(\d+(?:\.\d+)?)"
_CUR = r"(?:[¥$]|rmb|cny)?\s*"
_LABELLED = [
    # (fact key, pattern, label zh, label en); group 1 is the number
    ("price", re.compile(r"(?:秒杀价|拼团价|团购价|活动价|特价|到手价|惊爆价|flash[- ]sale price|flash price|group price|"
                         r"sale price|deal price|team price)\s*[:：]?\s*(?:是|为|仅|只要|只需)?\s*" + _CUR + _N),
     "活动价", "price"),
    ("original_price", re.compile(r"(?:原价|日常价|划线价|\bwas|originally|original price|regular price|usual price)\s*[:：]?\s*"
                                  + _CUR + _N), "原价", "original price"),
    ("group_size", re.compile(r"(\d+)\s*人(?:成团|团|拼团|拼)"), "成团人数", "group size"),
    ("group_size", re.compile(r"(?:groups? of|teams? of|team up with)\s*(\d+)"), "成团人数", "group size"),
    ("group_size", re.compile(r"(\d+)[- ]?(?:person|people|member)s?\s*(?:group|team)"), "成团人数", "group size"),
    ("stock", re.compile(r"(?:限量|仅剩|仅限|只有|库存(?:还有|仅|只有)?|还剩|剩余)\s*[:：]?\s*(\d+)\s*(?:件|份|台|个|套)?"), "限量", "stock"),
    ("stock", re.compile(r"only\s*(\d+)\s*(?:available|left|units?|items?|pieces?|in stock)"), "限量", "stock"),
    ("per_customer_limit", re.compile(r"(?:每人限购|限购|每人限)\s*(\d+)"), "每人限购", "limit per customer"),
    ("per_customer_limit", re.compile(r"(?:limit(?:ed to)?\s*(\d+)\s*per (?:customer|person))"), "每人限购", "limit per customer"),
    ("fill_hours", re.compile(r"(\d+)\s*(?:小时|h|hours?)\s*(?:内)?\s*(?:成团|to fill)"), "成团时限", "hours to fill"),
]
_REDUCTION = [
    (re.compile(r"满\s*" + _N + r"\s*元?\s*减\s*" + _N), ("threshold", "amount")),
    (re.compile(_CUR + _N + r"\s*(?:yuan\s*)?off\s+(?:(?:any|your|all)\s+)?(?:orders?|purchases?|spend(?:ing)?)?\s*"
                r"(?:over|above|of|from)\s*" + _CUR + _N), ("amount", "threshold")),
    (re.compile(r"spend\s*" + _CUR + _N + r"\s*,?\s*(?:get|save)\s*" + _CUR + _N), ("threshold", "amount")),
]
_DATE = re.compile(r"(?:(\d{4})\s?[-/.年]\s?)?(\d{1,2})\s?[月/-]\s?(\d{1,2})\s?[日号]?"
                   r"|(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s(\d{1,2})(?!\d)")
_MONTHS = {m: i + 1 for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}
_START_AFTER = re.compile(r"\s*(?:\d{1,2}:\d{2})?\s*(?:开抢|开始|开启|开团|起)")
_END_AFTER = re.compile(r"\s*(?:\d{1,2}:\d{2})?\s*(?:截止|结束|止)")
_START_BEFORE = re.compile(r"(?:starts?|starting|from|begins?|opens?)\s*(?:on\s*)?$")
_END_BEFORE = re.compile(r"(?:ends?|ending|until|till|through|by|closes?)\s*(?:on\s*)?$")
_CUT_NUMBER = re.compile(r"\d(?:[.,]\d*)?[^\s\d…]?\s*(?:…|\.\.\.)")  # "16.…", "13…", "12.4英…"
_MARKUP = re.compile(r"<\s*/?\s*[a-z!]|javascript:|on[a-z]+\s*=", re.I)


def _md(value: str) -> tuple[int, int] | None:
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", value or "")
    return (int(m.group(2)), int(m.group(3))) if m else None


def _num_eq(text_value: str, fact_value: str) -> bool:
    a, b = _dec(text_value), _dec(fact_value)
    return a is not None and b is not None and a == b


def strict_number_reasons(text: str, facts) -> list[str]:
    """Numbers whose label says what they are (秒杀价, 原价, 满X减Y, N人成团, 限量N, dates that start or
    end the campaign, discounts, money) must equal that very rule value, not merely some fact."""
    fv = {}
    for f in facts:
        fv.setdefault(f.key, f.value)
    norm = normalize(text)
    for key in ("name", "campaign_name"):  # digits inside names are not claims
        n = normalize(fv.get(key, ""))
        if n:
            norm = norm.replace(n, " " * len(n))
    reasons = []

    def mismatch(zh, en, found, expected):
        exp = expected if expected not in (None, "") else "—"
        reasons.append(f"{zh} {found} 与活动规则不符（应为 {exp}）/ {en} {found} does not match the rule ({exp})")

    for key, pattern, zh, en in _LABELLED:
        for m in pattern.finditer(norm):
            if not _num_eq(m.group(1), fv.get(key)):
                mismatch(zh, en, m.group(0).strip(), fv.get(key))
    for pattern, keys in _REDUCTION:
        for m in pattern.finditer(norm):
            for value, key in zip(m.groups(), keys):
                if not _num_eq(value, fv.get(key)):
                    mismatch("满减", "threshold/amount", m.group(0).strip(), f"{fv.get('threshold', '—')}/{fv.get('amount', '—')}")
                    break
    # every amount of money is one of the rule's prices or amounts
    money_ok = {_dec(fv[k]) for k in ("price", "original_price", "threshold", "amount") if fv.get(k)}
    for claim in extract_claims(norm):
        if claim.kind == "money" and not any(v in money_ok for v in claim.bare_values):
            mismatch("金额", "amount of money", claim.text, "/".join(_fmt(v) for v in sorted(money_ok)) or None)
        elif claim.kind in ("discount", "pct"):
            pct = _dec(fv.get("percent"))
            if pct is None or not ({("off", pct.normalize()), ("pct", pct.normalize())} & claim.forms):
                mismatch("折扣", "discount", claim.text, (fv.get("percent") + "%") if fv.get("percent") else None)
    # dates: one that starts the campaign is its start, one that ends it is its end
    start, end = _md(fv.get("starts_at", "")), _md(fv.get("ends_at", ""))
    for m in _DATE.finditer(norm):
        if m.group(4):
            md = (_MONTHS[m.group(4)], int(m.group(5)))
        else:
            md = (int(m.group(2)), int(m.group(3)))
            if not (1 <= md[0] <= 12 and 1 <= md[1] <= 31):
                continue
        after, before = norm[m.end():m.end() + 12], norm[max(0, m.start() - 14):m.start()]
        if _START_AFTER.match(after) or _START_BEFORE.search(before):
            if md != start:
                mismatch("开始日期", "start date", m.group(0).strip(), fv.get("starts_at"))
        elif _END_AFTER.match(after) or _END_BEFORE.search(before):
            if md != end:
                mismatch("结束日期", "end date", m.group(0).strip(), fv.get("ends_at"))
    return list(dict.fromkeys(reasons))


def check_copy(text: str, *, channel: str, language: str, facts, limits: dict | None = None, banned=None,
               catalogue_names=()) -> CopyCheck:
    """Every check a copy passes before it is ready; the reasons list every failure.

    * numbers, prices, discounts, dates and names are grounded in the rule's facts
      (:func:`ecom_ai.llm.checks.check_output`) and labelled numbers equal their rule value
      (:func:`strict_number_reasons`);
    * no banned absolute term (:func:`banned_terms`) appears;
    * the channel's length limit holds; an SMS carries the shop's signature; no markup;
    * no sign of an obeyed injection (a leaked prompt, a role change, a claimed change to the shop).
    """
    limits = limits or get_limits()
    reasons: list[str] = []
    text = text or ""
    if not text.strip():
        return CopyCheck(False, ["文案为空 / the copy is empty"])
    result = check_output(text, facts, product_names=catalogue_names)
    reasons += result.reasons
    reasons += strict_number_reasons(text, facts)
    reasons += injection_findings(text, facts, offers=False)
    for fact in facts:  # a name pasted from a supplier may talk to the model: a person reads it first
        if str(getattr(fact, "key", "")).endswith("name") and looks_like_instructions(str(fact.value)):
            reasons.append(f"{fact.label or fact.key}含疑似给 AI 的指令 / the {fact.key} reads like instructions to the AI")
    # Every term in every language: a Chinese absolute in English copy (or "No.1" in Chinese) is just as banned.
    bad = contains_banned(text, banned if banned is not None else banned_terms(limits=limits), limits=limits)
    if bad:
        reasons.append(f"含广告法禁用词：{'、'.join(bad)} / banned absolute terms: {', '.join(bad)}")
    limit = (limits.get("channel_limits", {}).get(language) or {}).get(channel)
    if channel == "sms":
        limit = min(limit or 10 ** 6, int(limits.get("sms_max_chars", 70)))
    if limit and len(text) > limit:
        reasons.append(f"长度 {len(text)} 超过 {channel} 上限 {limit} 字 / {len(text)} characters, over the {channel} limit of {limit}")
    if channel == "sms":
        signature = (limits["sms_signature"] if language == "zh" else limits.get("sms_signature_en") or limits["sms_signature"]).strip()
        if signature and signature not in text:
            reasons.append(f"短信缺少签名 {signature} / the SMS lacks the signature {signature}")
    if _CUT_NUMBER.search(text):
        reasons.append("截断处切断了数字 / a number is cut off where the text was shortened")
    if _MARKUP.search(text):
        reasons.append("文案含 HTML 或脚本 / the copy contains markup or script")
    return CopyCheck(not reasons, list(dict.fromkeys(reasons)))


# --------------------------------------------------------------------------- generation

def copy_languages(campaign: Campaign, override=None) -> list[str]:
    if override:
        langs = [override] if isinstance(override, str) else list(override)
        langs = ["zh", "en"] if "both" in langs else langs
    else:
        langs = ["zh", "en"] if campaign.language == Campaign.Language.BOTH else [campaign.language]
    bad = [lang for lang in langs if lang not in LANGUAGES]
    if bad:
        raise CampaignError(f"unknown language(s): {', '.join(map(str, bad))}")
    return langs


def build_copy_requests(campaign: Campaign, *, facts=None, channels=None, languages=None, variants=None,
                        limits: dict | None = None) -> list[tuple[str, str, int, GenerationRequest]]:
    """One promo_copy request per channel × language × variant (params channel/variant/signature)."""
    limits = limits or get_limits()
    facts = facts if facts is not None else rule_facts(campaign)
    channels = list(channels or CHANNELS)
    unknown = [c for c in channels if c not in CHANNELS]
    if unknown:
        raise CampaignError(f"unknown channel(s): {', '.join(map(str, unknown))}")
    n = int(variants or limits.get("variants") or 3)
    if not 1 <= n <= 10:
        raise CampaignError("variants must be between 1 and 10")
    out = []
    for language in copy_languages(campaign, languages):
        signature = limits["sms_signature"] if language == "zh" else (limits.get("sms_signature_en") or limits["sms_signature"])
        lang_limits = limits.get("channel_limits", {}).get(language, {})
        for channel in channels:
            max_chars = min(lang_limits.get(channel) or 10 ** 6, int(limits["sms_max_chars"]) if channel == "sms" else 10 ** 6)
            for variant in range(n):
                params = {"channel": channel, "variant": variant, "signature": signature, "max_chars": max_chars}
                out.append((channel, language, variant, GenerationRequest(
                    Feature.PROMO_COPY, language, facts=list(facts), params=params,
                    max_new_tokens=400 if channel == "email_body" else 120, temperature=0.8)))
    return out


def prepare_copy(campaign: Campaign, *, params: dict | None = None, products: dict | None = None,
                 limits: dict | None = None, terms: list | None = None):
    """Validate the campaign as complete (fresh products) and return (facts, requests). Raises CampaignError.

    ``products`` and ``terms`` are passed to :func:`validate_campaign`.
    """
    params = params or {}
    limits = limits or get_limits()
    errors = validate_campaign(campaign, complete=True, products=products, limits=limits, terms=terms)
    if errors:
        raise CampaignError("活动规则无效，未生成文案 / the rule is not valid, no copy written: " + flat_errors(errors))
    facts = rule_facts(campaign)
    requests = build_copy_requests(campaign, facts=facts, channels=params.get("channels"),
                                   languages=params.get("languages"), variants=params.get("variants"), limits=limits)
    return facts, requests


@dataclass
class CopyDraft:
    channel: str
    language: str
    variant: int
    text: str
    check: CopyCheck
    model_id: str = ""
    tokens_in: int = 0
    tokens_out: int = 0


def check_results(requests, results, facts, *, limits=None, catalogue_names=(),
                  banned: list | None = None) -> list[CopyDraft]:
    """Check each result of :func:`build_copy_requests`'s requests. ``banned``: the banned terms of every
    language (default :func:`banned_terms`), which every copy is checked against whatever its language."""
    limits = limits or get_limits()
    if banned is None:
        banned = banned_terms(limits=limits)
    drafts = []
    for (channel, language, variant, _req), result in zip(requests, results):
        if result.finish_reason == "error":
            check = CopyCheck(False, [f"生成失败 / the backend failed: {result.error or 'error'}"])
            text = ""
        else:
            text = (result.text or "").strip()
            check = check_copy(text, channel=channel, language=language, facts=facts, limits=limits,
                               banned=banned, catalogue_names=catalogue_names)
            if result.finish_reason == "length":
                check = CopyCheck(False, check.reasons + ["生成被截断 / the output was cut off"])
        drafts.append(CopyDraft(channel, language, variant, text, check, result.model_id,
                                result.tokens_in or 0, result.tokens_out or 0))
    return drafts


def save_copies(campaign: Campaign, drafts: list[CopyDraft], facts, *, job=None, backend: str = "") -> list[CampaignCopy]:
    """Replace the campaign's unchosen copies with these drafts (chosen copies stay) and store the snapshot."""
    fp = fingerprint(facts)
    Campaign.objects.filter(pk=campaign.pk).update(products_snapshot=campaign.products_snapshot)
    campaign.copies.exclude(status=CampaignCopy.Status.CHOSEN).delete()
    rows = [CampaignCopy(
        campaign=campaign, channel=d.channel, language=d.language, variant=d.variant, text=d.text,
        status=CampaignCopy.Status.READY if d.check.ok else CampaignCopy.Status.NEEDS_REVIEW,
        check_ok=d.check.ok, reasons=d.check.reasons, facts=facts_to_json(facts), rule_fingerprint=fp,
        backend=backend, model_id=d.model_id[:200], job=job, tokens_in=d.tokens_in, tokens_out=d.tokens_out,
    ) for d in drafts]
    return CampaignCopy.objects.bulk_create(rows)


def catalogue_names(limit: int = 20000) -> list[str]:
    """The shop's product names, so a copy naming another product is caught."""
    from ecom_ai.adapters import get_adapter

    names = []
    for p in get_adapter().iter_products():
        names.append(p.name)
        if len(names) >= limit:
            break
    return names


# --------------------------------------------------------------------------- human side

def _check_existing(copy: CampaignCopy, facts, limits=None, banned=None) -> CopyCheck:
    return check_copy(copy.current_text, channel=copy.channel, language=copy.language, facts=facts, limits=limits,
                      banned=banned)


def choose_copy(copy: CampaignCopy, *, user=None) -> CampaignCopy:
    """Make this copy the one shown for its channel and language (checked again first)."""
    campaign = copy.campaign
    facts = rule_facts(campaign)
    check = _check_existing(copy, facts)
    with transaction.atomic():
        if not check.ok:
            CampaignCopy.objects.filter(pk=copy.pk).update(status=CampaignCopy.Status.NEEDS_REVIEW, check_ok=False,
                                                           reasons=check.reasons)
            raise CampaignError("这条文案未通过检查，不能选用 / this copy fails its checks and cannot be chosen: "
                                + "; ".join(check.reasons))
        CampaignCopy.objects.filter(campaign=campaign, channel=copy.channel, language=copy.language,
                                    status=CampaignCopy.Status.CHOSEN).exclude(pk=copy.pk).update(status=CampaignCopy.Status.READY)
        copy.status, copy.check_ok, copy.reasons = CampaignCopy.Status.CHOSEN, True, []
        copy.rule_fingerprint, copy.facts = fingerprint(facts), facts_to_json(facts)
        copy.save(update_fields=["status", "check_ok", "reasons", "rule_fingerprint", "facts", "updated_at"])
    return copy


def edit_copy(copy: CampaignCopy, text: str, *, user=None) -> CopyCheck:
    """Store a person's edit and check it again: ready (or still chosen) if it passes, else needs review."""
    facts = rule_facts(copy.campaign)
    copy.edited_text = "" if (text or "").strip() == copy.text.strip() else (text or "").strip()
    check = _check_existing(copy, facts)
    _apply_check(copy, check, facts)
    if user is not None and getattr(user, "is_authenticated", False):
        copy.edited_by = user
    copy.save()
    return check


def _apply_check(copy: CampaignCopy, check: CopyCheck, facts) -> None:
    copy.check_ok, copy.reasons = check.ok, check.reasons
    copy.rule_fingerprint, copy.facts = fingerprint(facts), facts_to_json(facts)
    if not check.ok:
        copy.status = CampaignCopy.Status.NEEDS_REVIEW
    elif copy.status != CampaignCopy.Status.CHOSEN:
        copy.status = CampaignCopy.Status.READY


def recheck_copies(campaign: Campaign, *, banned: list | None = None) -> dict[str, int]:
    """Check every copy of the campaign against its current rule (after the rule changed).

    ``banned``: the banned terms of every language (default :func:`banned_terms`).
    """
    facts = rule_facts(campaign)
    limits = get_limits()
    copies = list(campaign.copies.all())
    if not copies:
        return {}
    if banned is None:
        banned = banned_terms(limits=limits)
    now = timezone.now()  # bulk_update skips auto_now
    for copy in copies:
        _apply_check(copy, _check_existing(copy, facts, limits, banned), facts)
        copy.updated_at = now
    CampaignCopy.objects.bulk_update(copies, ["status", "check_ok", "reasons", "rule_fingerprint", "facts",
                                              "updated_at"])
    return dict(Counter(copy.status for copy in copies))


def save_campaign(campaign: Campaign, *, user=None, clean: bool = True) -> Campaign:
    """Validate, save, and re-check the campaign's copies against the (possibly changed) rule.

    ``clean=False`` skips ``full_clean`` for a campaign already validated (the admin's form did it).
    """
    if clean:
        campaign.full_clean()
    if campaign.pk is None and user is not None and getattr(user, "is_authenticated", False):
        campaign.created_by = user
    with transaction.atomic():
        campaign.save()
        recheck_copies(campaign)
    return campaign


def active_campaigns(now=None):
    """Published campaigns running now, each with its chosen copies (``chosen_copies`` prefetched)."""
    from django.db.models import Prefetch

    now = now or timezone.now()
    return (Campaign.objects.filter(status=Campaign.Status.PUBLISHED, starts_at__lte=now, ends_at__gt=now)
            .order_by("ends_at", "id")
            .prefetch_related(Prefetch("copies", queryset=CampaignCopy.objects.filter(status=CampaignCopy.Status.CHOSEN)
                                       .order_by("language", "channel"), to_attr="chosen_copies")))


def current_chosen(campaign: Campaign) -> list[CampaignCopy]:
    """The chosen copies still checked against the campaign's current rule (a changed rule hides stale copy)."""
    fp = fingerprint(rule_facts(campaign))
    copies = getattr(campaign, "chosen_copies", None)
    if copies is None:
        copies = list(campaign.copies.filter(status=CampaignCopy.Status.CHOSEN))
    return [c for c in copies if c.rule_fingerprint == fp and c.check_ok]


# --------------------------------------------------------------------------- rule suggestions

@dataclass
class ProductSignal:
    product: object
    views: int = 0
    carts: int = 0
    sold: float = 0.0
    orders: int = 0

    @property
    def price(self) -> Decimal:
        return Decimal(self.product.price)

    def room(self, limits) -> Decimal:
        """The deepest discount (0..1) the margin floor and the maximum discount allow."""
        price = self.price
        if price <= 0:
            return Decimal(0)
        by_margin = 1 - _price_floor(Decimal(self.product.cost), limits) / price
        return max(Decimal(0), min(by_margin, Decimal(str(limits["max_discount_percent"])) / 100))


@dataclass
class ShopSignals:
    products: dict                       # id -> ProductSignal (active products)
    window_days: int
    reference: datetime | None
    segments: dict                       # name -> {"customers": n, "avg_order_value": Decimal}
    avg_order_value: Decimal


def _segment(recency_days: float, frequency: int) -> str:
    if frequency >= 3 and recency_days <= 30:
        return "champions"
    if frequency >= 2 and recency_days > 60:
        return "at_risk"
    if frequency == 1 and recency_days <= 30:
        return "new"
    if recency_days > 90:
        return "hibernating"
    return "regular"


SEGMENT_NAMES = {"champions": ("高价值活跃客户", "champions"), "at_risk": ("流失风险客户", "at-risk customers"),
                 "new": ("新客户", "new customers"), "hibernating": ("沉睡客户", "hibernating customers"),
                 "regular": ("普通客户", "regular customers")}


def shop_signals(*, window_days: int | None = None, now: datetime | None = None, limits: dict | None = None) -> ShopSignals:
    """One pass over the shop's products and interactions: recent views, carts and sales per product
    (the window ends at the latest interaction, so stale demo data still has a "recent"), and customer
    segments by recency, frequency and spend (RFM)."""
    from ecom_ai.adapters import get_adapter

    limits = limits or get_limits()
    window = timedelta(days=int(window_days or limits["suggest_window_days"]))
    adapter = get_adapter()
    products = {p.id: ProductSignal(p) for p in adapter.iter_products(only_active=True)}
    prices = {pid: s.price for pid, s in products.items()}
    recent: deque = deque()
    last: dict[int, datetime] = {}
    order_times: dict[int, set] = defaultdict(set)
    spend: dict[int, Decimal] = defaultdict(Decimal)
    reference = None
    for it in adapter.iter_interactions():
        reference = it.at
        recent.append(it)
        while recent and recent[0].at < it.at - window:
            recent.popleft()
        if it.kind == "purchase":
            last[it.customer_id] = it.at
            order_times[it.customer_id].add(it.at)
            spend[it.customer_id] += prices.get(it.product_id, Decimal(0)) * Decimal(str(it.weight))
    if now is not None and reference is not None:
        reference = min(reference, now)
    for it in recent:
        s = products.get(it.product_id)
        if s is None:
            continue
        if it.kind == "view":
            s.views += 1
        elif it.kind == "cart":
            s.carts += 1
        elif it.kind == "purchase":
            s.sold += it.weight
            s.orders += 1
    segments: dict[str, dict] = {}
    totals: dict[str, list] = defaultdict(lambda: [0, Decimal(0), 0])
    all_spend, all_orders = Decimal(0), 0
    for cid, at in last.items():
        f = len(order_times[cid])
        seg = _segment((reference - at).total_seconds() / 86400 if reference else 0, f)
        t = totals[seg]
        t[0] += 1
        t[1] += spend[cid]
        t[2] += f
        all_spend += spend[cid]
        all_orders += f
    for seg, (n, money, orders) in totals.items():
        segments[seg] = {"customers": n, "avg_order_value": (money / orders).quantize(Decimal("0.01")) if orders else Decimal(0)}
    aov = (all_spend / all_orders).quantize(Decimal("0.01")) if all_orders else Decimal(0)
    return ShopSignals(products, window.days, reference, segments, aov)


def _nice_price(target: Decimal, minimum: Decimal, below: Decimal) -> Decimal | None:
    """A price near ``target``, ending in 9 where it can, never under ``minimum`` and strictly below ``below``."""
    minimum = minimum.quantize(Decimal("0.01"), ROUND_CEILING)
    p = target.quantize(Decimal(1), ROUND_FLOOR)
    if p >= 20:
        nine = p - ((p + 1) % 10)
        if nine >= minimum and nine < below:
            return nine
    if minimum <= p < below:
        return p
    up = minimum.quantize(Decimal(1), ROUND_CEILING)
    if up < below:
        return up
    return minimum if minimum < below else None


def _round_down(value: Decimal, step: int) -> Decimal:
    return (value / step).quantize(Decimal(1), ROUND_FLOOR) * step


def _round_up(value: Decimal, step: int) -> Decimal:
    return (value / step).quantize(Decimal(1), ROUND_CEILING) * step


@dataclass
class Proposal:
    fields: dict
    product_ids: list[int]
    reasons: list[str]
    products: dict = field(default_factory=dict)  # ProductInfo by id, as the proposal saw them


def _eligible(signals: ShopSignals, limits, terms) -> list[ProductSignal]:
    out = []
    for s in signals.products.values():
        if s.product.stock <= 0 or s.room(limits) < Decimal("0.05"):
            continue
        if contains_banned(s.product.name, terms, limits=limits):
            continue  # its name would put a banned term into every copy
        out.append(s)
    return out


def _cover_days(s: ProductSignal, window_days: int) -> float:
    daily = s.sold / max(1, window_days)
    return s.product.stock / daily if daily else float("inf")


def _slow_score(s: ProductSignal, window_days: int, limits) -> float:
    cover = min(_cover_days(s, window_days), 3650.0)
    return cover * float(s.room(limits)) * math.log(2 + s.product.stock)


def _default_dates(campaign: Campaign, kind: str, now=None) -> tuple[datetime, datetime]:
    if campaign.starts_at and campaign.ends_at and campaign.ends_at > campaign.starts_at:
        return campaign.starts_at, campaign.ends_at
    now = timezone.localtime(now or timezone.now())
    start = (now + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
    length = {"flash_sale": timedelta(hours=24), "group_buy": timedelta(days=3), "coupon": timedelta(days=7)}[kind]
    return start, start + length


def suggest_rules(campaign: Campaign, signals: ShopSignals | None = None, *, limits: dict | None = None,
                  keep_products: bool = True, now=None, products: dict | None = None,
                  terms: list | None = None) -> Proposal:
    """Products and numbers for the campaign, within the shop's limits, with the reasons.

    Flash sales go to slow-moving stock with margin to spare; group buys to products many people view
    but few buy; coupons to slow movers, with the threshold set from the customers' average order
    value (RFM segments). Products already on the campaign are kept when ``keep_products``.

    ``products`` (ProductInfo by id) are where kept products are looked up (default: the adapter);
    ``terms`` are the banned terms of every language (default: :func:`banned_terms`).
    """
    limits = limits or get_limits()
    signals = signals or shop_signals(limits=limits, now=now)
    max_off = Decimal(str(limits["max_discount_percent"]))
    window = signals.window_days
    kind = campaign.kind
    reasons: list[str] = []

    chosen_ids = normalize_product_ids(campaign.product_ids) if keep_products else []
    if chosen_ids:
        if products is None:
            known = load_products(chosen_ids)
        else:
            known = {pid: products[pid] for pid in chosen_ids if pid in products}
        missing = [pid for pid in chosen_ids if pid not in known]
        if missing:
            raise CampaignError(f"商品已不存在：{', '.join(map(str, missing))} / no longer in the shop: {', '.join(map(str, missing))}")
        picked = [signals.products.get(pid) or ProductSignal(known[pid]) for pid in chosen_ids]
        reasons.append(f"沿用已选的 {len(picked)} 个商品 / kept the {len(picked)} product(s) already chosen")
    else:
        if terms is None:
            terms = banned_terms(limits=limits)
        pool = _eligible(signals, limits, terms)
        if not pool:
            raise CampaignError("没有可做活动的商品（有库存、有毛利空间、名称无禁用词）/ "
                                "no product has stock, margin to spare and a name free of banned terms")
        if kind == Campaign.Kind.GROUP_BUY:
            pool.sort(key=lambda s: ((s.views + s.carts) / (1 + s.orders)) * float(s.room(limits)), reverse=True)
            picked = pool[:1]
        elif kind == Campaign.Kind.FLASH_SALE:
            pool.sort(key=lambda s: _slow_score(s, window, limits), reverse=True)
            picked = pool[:1]
        else:
            pool.sort(key=lambda s: _slow_score(s, window, limits), reverse=True)
            picked = pool[: int(limits.get("coupon_products") or 5)]
    for s in picked:
        p = s.product
        cover = _cover_days(s, window)
        cover_text = "近期无销量" if cover == float("inf") else f"按近期销量可卖 {cover:.0f} 天"
        cover_en = "no recent sales" if cover == float("inf") else f"{cover:.0f} days of cover at the recent rate"
        reasons.append(
            f"「{p.name}」库存 {p.stock} 件，近 {window} 天售出 {s.sold:g} 件（{cover_text}），浏览 {s.views} 次、下单 {s.orders} 次，"
            f"价格 {_fmt(p.price)} 元、成本 {_fmt(p.cost)} 元，最多可让利 {float(s.room(limits)) * 100:.0f}% / "
            f"product {p.id}: stock {p.stock}, {s.sold:g} sold in {window} days ({cover_en}), {s.views} views against "
            f"{s.orders} orders, price {_fmt(p.price)}, cost {_fmt(p.cost)}, room for up to {float(s.room(limits)) * 100:.0f}% off")

    fields: dict = {}
    chosen = [s.product for s in picked]
    min_price = min(Decimal(p.price) for p in chosen)
    # the deepest common discount: every product keeps its margin floor, none goes over the maximum
    room = min(s.room(limits) for s in picked)
    if kind in (Campaign.Kind.FLASH_SALE, Campaign.Kind.GROUP_BUY):
        floor = max(_price_floor(Decimal(p.cost), limits) for p in chosen)
        floor = max(floor, max(Decimal(p.price) for p in chosen) * (1 - max_off / 100))
        depth = Decimal("0.8") if kind == Campaign.Kind.FLASH_SALE else Decimal("0.6")
        target = min_price * (1 - room * depth)
        price = _nice_price(max(target, floor), floor, min_price)
        if price is None:
            raise CampaignError("没有同时满足最低毛利和最大折扣的价格 / no price keeps the margin floor and the maximum "
                                "discount for every product")
        off = (1 - price / min_price) * 100
        if kind == Campaign.Kind.FLASH_SALE:
            stock = min(p.stock for p in chosen)
            cap = max(1, min(stock, math.ceil(stock * 0.2)))
            fields.update(sale_price=price, stock_cap=cap, per_customer_limit=1 if price >= 200 else min(2, cap))
            reasons.append(f"秒杀价 {_fmt(price)} 元（约减 {off:.0f}%），不低于成本加 {float(limits['margin_floor']) * 100:g}% 毛利，"
                           f"不超过最大折扣 {_fmt(max_off)}%；限量 {cap} 件（库存的两成）/ flash price {_fmt(price)} "
                           f"(about {off:.0f}% off), above cost plus the margin floor and within the maximum discount; "
                           f"capped at {cap} units (a fifth of the stock)")
        else:
            s0 = picked[0]
            size = 3 if s0.views >= 3 * max(1, s0.orders) and s0.views >= 20 else 2
            fields.update(group_price=price, group_size=size, fill_hours=24, per_customer_limit=None)
            reasons.append(f"拼团价 {_fmt(price)} 元（约减 {off:.0f}%），{size} 人成团、24 小时内成团：浏览多、下单少的商品"
                           f"适合以拼团带动转化 / group price {_fmt(price)} (about {off:.0f}% off), groups of {size} "
                           f"within 24 hours: many views and few orders suit a group buy")
    else:
        segs = signals.segments
        target_seg = next((k for k in ("at_risk", "hibernating", "regular", "champions", "new") if segs.get(k, {}).get("customers")), None)
        aov = segs[target_seg]["avg_order_value"] if target_seg else signals.avg_order_value
        base = max(aov, min_price) if aov else min_price
        step = 100 if base >= 300 else (50 if base >= 100 else 10)
        threshold = _round_up(base * Decimal("1.2"), step)
        rate = min(room, Decimal("0.2"))
        amount_step = 10 if threshold * rate >= 50 else (5 if threshold * rate >= 10 else 1)
        amount = _round_down(threshold * rate, amount_step)
        if amount >= 1:
            fields.update(threshold=threshold, amount=amount, percent_off=None)
            offer = f"满 {_fmt(threshold)} 减 {_fmt(amount)} / {_fmt(amount)} off orders over {_fmt(threshold)}"
        else:
            pct = _round_down(room * 100, 1)
            if pct < 1:
                raise CampaignError("所选商品没有折扣空间 / the chosen products leave no room for a discount")
            fields.update(percent_off=pct, threshold=None, amount=None)
            offer = f"{_fmt(pct)}% off"
        if target_seg:
            seg = segs[target_seg]
            zh, en = SEGMENT_NAMES[target_seg]
            reasons.append(f"面向{zh}（{seg['customers']} 人，平均客单价 {_fmt(seg['avg_order_value'])} 元）：{offer}；"
                           f"门槛高于客单价以提升客单 / aimed at {en} ({seg['customers']} customers, average order "
                           f"{_fmt(seg['avg_order_value'])}): {offer}, the threshold above the average order to lift basket size")
            fields["total_issued"] = max(100, seg["customers"])
        else:
            reasons.append(f"暂无购买记录，按商品价格设门槛：{offer} / no purchases yet, threshold from the prices: {offer}")
            fields["total_issued"] = 100
        fields["per_customer_limit"] = 1
    start, end = _default_dates(campaign, kind, now)
    fields.update(starts_at=start, ends_at=end)
    if signals.segments:
        seg_text = "，".join(f"{SEGMENT_NAMES[k][0]} {v['customers']}" for k, v in sorted(signals.segments.items()))
        reasons.append(f"客户分层（RFM）：{seg_text} / customer segments (RFM): "
                       + ", ".join(f"{SEGMENT_NAMES[k][1]} {v['customers']}" for k, v in sorted(signals.segments.items())))
    return Proposal(fields=fields, product_ids=[p.id for p in chosen], reasons=reasons,
                    products={p.id: p for p in chosen})


def apply_suggestion(campaign: Campaign, proposal: Proposal, *, products: dict | None = None,
                     terms: list | None = None) -> Campaign:
    """Write a proposal onto a campaign that is not published; it must pass the full validation.

    ``products`` (ProductInfo by id) default to the ones the proposal was made from; ``terms`` (the banned
    terms of every language) to :func:`banned_terms`.
    """
    if campaign.status == Campaign.Status.PUBLISHED:
        raise CampaignError("已发布的活动不改规则，请先暂停 / a published campaign's rules are not changed; pause it first")
    for name in ("threshold", "amount", "percent_off", "total_issued", "sale_price", "stock_cap", "group_size",
                 "group_price", "fill_hours", "per_customer_limit"):
        if name in proposal.fields:
            setattr(campaign, name, proposal.fields[name])
    campaign.starts_at, campaign.ends_at = proposal.fields["starts_at"], proposal.fields["ends_at"]
    campaign.product_ids = list(proposal.product_ids)
    if products is None:
        products = proposal.products or None
    errors = validate_campaign(campaign, complete=True, products=products, terms=terms)
    if errors:  # a bug if it happens: suggestions never break the limits
        raise CampaignError("建议的规则未通过校验 / the suggested rule failed validation: " + flat_errors(errors))
    campaign.rule_reasons = list(proposal.reasons)
    campaign.suggested_at = timezone.now()
    campaign.save()
    recheck_copies(campaign, banned=terms)
    return campaign


# --------------------------------------------------------------------------- evaluation

def _synthetic_products(rng: random.Random, n: int) -> list:
    from ecom_ai.adapters import ProductInfo

    names = ["云朵记忆枕", "轻薄羽绒服", "不锈钢保温杯", "无线降噪耳机", "有机燕麦片", "真丝睡衣套装", "智能体脂秤", "纯棉四件套",
             "手冲咖啡壶", "儿童绘本礼盒", "户外登山包", "陶瓷餐具套装"]
    out = []
    for i in range(n):
        price = Decimal(rng.choice([39, 59, 89, 129, 199, 299, 459, 899, 1299]))
        cost = (price * Decimal(str(rng.uniform(0.35, 0.7)))).quantize(Decimal("0.01"))
        out.append(ProductInfo(id=900000 + i, name=f"{names[i % len(names)]}", category="synthetic", price=price,
                               cost=cost, stock=rng.randint(30, 800)))
    return out


def _eval_campaigns(products: list, rng: random.Random, n: int, limits: dict, now: datetime) -> list[tuple[Campaign, dict]]:
    """``n`` valid unsaved campaigns, kinds in turn, numbers drawn within the limits."""
    out = []
    kinds = [Campaign.Kind.COUPON, Campaign.Kind.FLASH_SALE, Campaign.Kind.GROUP_BUY]
    pool = list(products)
    rng.shuffle(pool)
    attempts = 0
    while len(out) < n and attempts < n * 20 and pool:
        attempts += 1
        kind = kinds[len(out) % 3]
        p = pool[attempts % len(pool)]
        s = ProductSignal(p)
        room = s.room(limits)
        if room < Decimal("0.05") or p.stock < 2:
            continue
        start = timezone.localtime(now).replace(minute=0, second=0, microsecond=0) + timedelta(days=rng.randint(1, 40), hours=rng.randint(0, 12))
        end = start + timedelta(hours=rng.choice([12, 24, 48, 72, 168]))
        c = Campaign(id=-(len(out) + 1), name=rng.choice(["双十二大促", "周末狂欢", "会员日", "年货节", "开学季", "春季焕新"]),
                     kind=kind, language="both", starts_at=start, ends_at=end, product_ids=[p.id], status="draft")
        price = Decimal(p.price)
        floor = max(_price_floor(Decimal(p.cost), limits), price * (1 - Decimal(str(limits["max_discount_percent"])) / 100))
        if kind == Campaign.Kind.COUPON:
            if rng.random() < 0.6:
                threshold = _round_up(price * Decimal(str(rng.uniform(0.8, 1.5))), 10)
                amount = _round_down(threshold * room * Decimal(str(rng.uniform(0.3, 0.95))), 5)
                if amount < 5:
                    continue
                c.threshold, c.amount = threshold, amount
            else:
                c.percent_off = max(Decimal(5), _round_down(room * 100 * Decimal(str(rng.uniform(0.3, 0.95))), 5))
            c.total_issued, c.per_customer_limit = rng.choice([100, 500, 2000]), 1
        else:
            target = price * (1 - room * Decimal(str(rng.uniform(0.2, 0.95))))
            sale = _nice_price(max(target, floor), floor, price)
            if sale is None:
                continue
            if kind == Campaign.Kind.FLASH_SALE:
                c.sale_price, c.stock_cap = sale, rng.randint(1, min(p.stock, 300))
                c.per_customer_limit = min(c.stock_cap, rng.choice([1, 2]))
            else:
                c.group_price, c.group_size, c.fill_hours = sale, rng.randint(2, 6), rng.choice([12, 24, 48])
        if validate_campaign(c, complete=True, products={p.id: p}, limits=limits):
            continue
        out.append((c, {p.id: p}))
    return out


def audit_copy(text: str, campaign: Campaign, *, terms) -> tuple[list[str], list[str]]:
    """An independent audit for the evaluation: every number claim in the text against the rule itself
    (not its facts), and every banned term. Returns (mismatches, banned)."""
    snap = campaign.products_snapshot or []
    norm = normalize(text)
    # Names are masked; a name cut short for a channel ("小米 19 Pro 8GB+…") keeps only its own numbers.
    name_forms: set = set()
    for name in [campaign.name] + [p["name"] for p in snap]:
        n = normalize(name)
        if n:
            norm = norm.replace(n, " " * len(n))
            name_forms |= {form for claim in extract_claims(n) for form in claim.forms}
    money = {Decimal(str(v)).normalize() for v in (campaign.price, campaign.threshold, campaign.amount) if v is not None}
    money |= {Decimal(str(p["price"])).normalize() for p in snap}
    counts = {Decimal(v) for v in (campaign.group_size, campaign.stock_cap, campaign.per_customer_limit,
                                   campaign.fill_hours, campaign.total_issued) if v}
    pct = Decimal(str(campaign.percent_off)).normalize() if campaign.percent_off is not None else None
    dates, times = set(), set()
    for dt in (campaign.starts_at, campaign.ends_at):
        local = timezone.localtime(dt)
        dates |= {("md", local.month, local.day), ("ymd", local.year, local.month, local.day)}
        times.add(("time", local.hour, local.minute))
        counts.add(Decimal(local.year))
    mismatches = []
    for claim in extract_claims(norm):
        forms = claim.forms
        if claim.kind == "money":
            ok = bool(claim.bare_values & money)
        elif claim.kind in ("discount", "pct"):
            ok = pct is not None and (("off", pct) in forms or ("pct", pct) in forms)
        elif claim.kind == "date":
            ok = bool(forms & dates)
        elif claim.kind == "time":
            ok = bool(forms & times)
        elif claim.kind in ("unit", "number") and forms & name_forms:
            ok = True
        elif claim.kind == "unit":
            ok = bool(claim.bare_values & (counts | money))
        elif claim.kind == "number":
            v = next(iter(claim.bare_values))
            ok = v in counts or v in money or (v == v.to_integral_value() and 0 <= v <= 10)
        else:
            ok = False
        if not ok:
            mismatches.append(claim.text)
    return mismatches, contains_banned(text, terms)


def evaluate(*, out, csv=None, model=None, limit=None, seed=0) -> dict:
    """Generate copy for a set of evaluation campaigns and report number mismatches and banned terms
    among the copies marked ready (target 0 and 0), and how many went to review.

    The campaigns are built in memory (never saved), on products from the shop's catalogue through
    the adapter, or on synthetic product snapshots when the catalogue is empty; nothing is left in
    the shop's data. ``model`` names a backend alias from ECOM_AI["BACKENDS"] (default: the promo_copy one);
    ``limit`` is the number of campaigns (at least enough for 100 copies).
    """
    from ecom_ai.adapters import get_adapter
    from ecom_ai.conf import ecom_ai_settings
    from ecom_ai.llm.registry import backend_for, get_backend

    if csv:
        raise ValueError("the campaigns evaluation builds its own campaigns; --csv is not supported")
    if model and model not in (ecom_ai_settings.BACKENDS or {}):
        raise LookupError(f"no backend alias {model!r} in ECOM_AI['BACKENDS']")
    limits = get_limits()
    rng = random.Random(seed)
    variants = int(limits.get("variants") or 3)
    per_campaign = len(CHANNELS) * 2 * variants
    n = max(int(limit or 12), math.ceil(100 / per_campaign))
    catalogue = [p for p in get_adapter().iter_products(only_active=True)]
    source = "catalogue"
    campaigns = _eval_campaigns(catalogue, rng, n, limits, timezone.now()) if catalogue else []
    if len(campaigns) < n:
        source = "catalogue+synthetic" if campaigns else "synthetic"
        campaigns += _eval_campaigns(_synthetic_products(rng, 12), rng, n - len(campaigns), limits, timezone.now())
    backend = get_backend(model) if model else backend_for(Feature.PROMO_COPY)
    names = [p.name for p in catalogue][:20000]
    all_terms = banned_terms(limits=limits)

    started = time.perf_counter()
    jobs = []
    for c, products in campaigns:
        facts, requests = prepare_copy(c, params={"variants": variants, "languages": "both"}, products=products, limits=limits,
                                       terms=all_terms)
        jobs.append((c, facts, requests))
    flat = [r for _, _, reqs in jobs for (_, _, _, r) in reqs]
    results = backend.generate(flat) if flat else []
    gen_s = time.perf_counter() - started
    i = 0
    stats = Counter()
    per_channel: dict = defaultdict(Counter)
    review_reasons = Counter()
    ready_mismatch_examples, sms_max = [], 0
    for c, facts, requests in jobs:
        chunk = results[i:i + len(requests)]
        i += len(requests)
        drafts = check_results(requests, chunk, facts, limits=limits, catalogue_names=names, banned=all_terms)
        for d in drafts:
            stats["copies"] += 1
            key = f"{d.channel}/{d.language}"
            if d.channel == "sms":
                sms_max = max(sms_max, len(d.text))
            if d.check.ok:
                stats["ready"] += 1
                per_channel[key]["ready"] += 1
                mismatches, banned = audit_copy(d.text, c, terms=all_terms)
                if mismatches:
                    stats["ready_number_mismatches"] += 1
                    ready_mismatch_examples.append((d.text, mismatches))
                if banned:
                    stats["ready_banned"] += 1
                    ready_mismatch_examples.append((d.text, banned))
                if d.channel == "sms" and len(d.text) > int(limits["sms_max_chars"]):
                    stats["ready_sms_over_limit"] += 1
            else:
                stats["needs_review"] += 1
                per_channel[key]["needs_review"] += 1
                for r in d.check.reasons:
                    review_reasons[re.sub(r"\d+(?:\.\d+)?", "N", r.split(" / ")[-1])[:90]] += 1
    metrics = {
        "campaigns": len(campaigns), "product_source": source, "backend": getattr(backend, "alias", ""),
        "model_id": backend.model_id, "copies": stats["copies"], "ready": stats["ready"],
        "needs_review": stats["needs_review"], "ready_number_mismatches": stats["ready_number_mismatches"],
        "ready_banned_terms": stats["ready_banned"], "ready_sms_over_limit": stats["ready_sms_over_limit"],
        "sms_max_chars": sms_max, "generate_seconds": round(gen_s, 3),
    }
    w = out.write
    w(f"campaigns evaluation: {metrics['campaigns']} campaigns (products: {source}), backend "
      f"{metrics['backend']} ({metrics['model_id']}), seed {seed}\n")
    w(f"copies generated: {metrics['copies']}; ready: {metrics['ready']}; needs review: {metrics['needs_review']}\n")
    w(f"number mismatches among ready: {metrics['ready_number_mismatches']}\n")
    w(f"banned terms among ready: {metrics['ready_banned_terms']}\n")
    w(f"SMS over {limits['sms_max_chars']} characters among ready: {metrics['ready_sms_over_limit']}; longest SMS: {sms_max}\n")
    w(f"generation time: {gen_s:.2f}s for {metrics['copies']} copies\n")
    for key in sorted(per_channel):
        w(f"  {key:<20} ready {per_channel[key]['ready']:>4}  needs review {per_channel[key]['needs_review']:>4}\n")
    if review_reasons:
        w("most common review reasons:\n")
        for reason, count in review_reasons.most_common(5):
            w(f"  {count:>4} × {reason}\n")
    for text, what in ready_mismatch_examples[:5]:
        w(f"  READY BUT WRONG: {text!r}: {what}\n")
    return metrics


__all__ = [
    "DEFAULT_LIMITS", "DEFAULT_BANNED_TERMS", "CHANNELS", "CampaignError", "get_limits", "validate_campaign",
    "rule_facts", "fingerprint", "check_copy", "strict_number_reasons", "contains_banned", "banned_terms",
    "build_copy_requests", "prepare_copy", "check_results", "save_copies", "choose_copy", "edit_copy",
    "recheck_copies", "save_campaign", "active_campaigns", "current_chosen", "shop_signals", "suggest_rules",
    "apply_suggestion", "evaluate", "audit_copy", "normalize_product_ids",
]
