"""The shop's limits for campaigns, its banned terms, and its products as campaigns see them.

The shop's limits are ``ECOM_AI["CAMPAIGN_LIMITS"]`` merged over :data:`DEFAULT_LIMITS`; the
banned terms are :data:`DEFAULT_BANNED_TERMS` plus the setting's and the shop's ``BannedTerm`` rows.
Every other campaigns module reads them from here.
"""
from __future__ import annotations

import re
from copy import deepcopy
from decimal import ROUND_CEILING, Decimal, InvalidOperation

from django.utils.translation import gettext

from ecom_ai.campaigns.models import BannedTerm, CampaignCopy
from ecom_ai.conf import ecom_ai_settings
from ecom_ai.llm.checks import normalize
from ecom_ai.llm.facts import format_number as fmt  # 99.00 → "99", 99.50 → "99.5"

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


def dec(value) -> Decimal | None:
    """A Decimal, or None for a blank or unreadable value."""
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def price_floor(cost: Decimal, limits: dict) -> Decimal:
    """The lowest price that keeps cost plus the margin floor, rounded up to the cent."""
    return (cost * (Decimal(1) + Decimal(str(limits["margin_floor"])))).quantize(Decimal("0.01"), ROUND_CEILING)


def max_discount(limits: dict) -> Decimal:
    return Decimal(str(limits["max_discount_percent"]))


# --------------------------------------------------------------------------- products

def normalize_product_ids(raw) -> list[int]:
    """The campaign's product ids as a list of distinct positive ints; ValueError on anything else."""
    if raw in (None, ""):
        return []
    if isinstance(raw, str):
        raw = [p for p in re.split(r"[\s,，;；]+", raw.strip()) if p]
    if not isinstance(raw, (list, tuple)):
        raise ValueError(gettext("Product ids must be a list of numbers."))
    out = []
    for value in raw:
        try:
            pid = int(str(value).strip())
        except (TypeError, ValueError):
            raise ValueError(gettext("%(value)s is not a product id.") % {"value": repr(value)}) from None
        if pid <= 0:
            raise ValueError(gettext("%(value)s is not a product id.") % {"value": repr(value)})
        if pid not in out:
            out.append(pid)
    return out


def load_products(ids) -> dict:
    """ProductInfo by id through the shop adapter (missing ids are simply absent)."""
    from ecom_ai.adapters import get_adapter

    ids = list(ids)
    return get_adapter().get_products(ids) if ids else {}


def english_name(product) -> str:
    """The product's English name where the shop has one ("" otherwise)."""
    return (getattr(product, "name_en", "") or "").strip()


def snapshot(products: dict, ids: list[int]) -> list[dict]:
    """What the campaign's products looked like: id, name (and English name), price, cost, stock, status."""
    rows = []
    for pid in ids:
        p = products.get(pid)
        if p is None:
            continue
        row = {"id": pid, "name": p.name, "price": fmt(p.price), "cost": fmt(p.cost), "stock": p.stock, "status": p.status}
        if english_name(p):
            row["name_en"] = english_name(p)
        rows.append(row)
    return rows


# --------------------------------------------------------------------------- banned terms

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
