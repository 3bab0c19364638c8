"""Rule suggestions ("Suggest rules"): products and numbers for a campaign from the shop's data.

Steps, one per pipeline step: :func:`shop_signals` (collect: recent views, carts and sales per
product, customer segments), :func:`candidates` (ground: the products that fit the campaign's
theme and have room for a discount), :func:`propose` (generate: the numbers, with reasons),
:func:`proposal_problems` (verify: the proposal passes the full validation) and
:func:`apply_suggestion` (save). :func:`suggest_rules` runs ground and generate at once.

Thresholds are ``ECOM_AI["CAMPAIGN_SUGGESTIONS"]`` (documented in ``ecom_ai.conf``). A campaign's
theme comes from its name: a category of the shop it names (手机节), or a theme of
:data:`DEFAULT_THEMES` (周末零食秒杀 → snacks) or of the setting's ``themes``; a campaign with a
theme is offered only products that fit it, and is told so when the shop has none.
"""
from __future__ import annotations

import copy as _copy
import math
import re
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _, ngettext

from ecom_ai.campaigns.copy_checks import recheck_copies
from ecom_ai.campaigns.limits import (
    CampaignError, banned_terms, contains_banned, fmt, get_limits, load_products, max_discount, normalize_product_ids,
    price_floor,
)
from ecom_ai.campaigns.models import Campaign
from ecom_ai.campaigns.rules import flat_errors, normalize_campaign, validate_campaign
from ecom_ai.conf import ecom_ai_settings
from ecom_ai.llm.checks import normalize

#: Themes a campaign's name may carry: words that name the theme (in the campaign's name) and that
#: mark a product as fitting it (in its category, name or English name). A shop adds or replaces
#: themes with ECOM_AI["CAMPAIGN_SUGGESTIONS"]["themes"].
DEFAULT_THEMES = {
    "snacks": {"label": _("snacks"), "words": [
        "零食", "小吃", "休闲食品", "坚果", "饼干", "薯片", "糖果", "巧克力", "果干", "肉干", "牛肉干", "辣条", "蜜饯", "糕点",
        "膨化", "海苔", "瓜子", "果冻", "snack", "snacks", "nuts", "cookies", "biscuits", "crisps", "chips", "candy",
        "chocolate", "jerky"]},
    "digital": {"label": _("digital goods"), "words": [
        "数码", "电子产品", "手机", "平板", "电脑", "计算机", "笔记本", "耳机", "相机", "智能手表", "手环", "音箱", "充电宝",
        "键盘", "鼠标", "显示器", "digital", "electronics", "gadget", "gadgets", "phone", "phones", "smartphone", "tablet",
        "tablets", "laptop", "laptops", "computer", "computers", "headphones", "earbuds", "camera", "smartwatch"]},
    "fruit": {"label": _("fruit"), "words": [
        "水果", "鲜果", "生鲜", "葡萄", "橙子", "芒果", "车厘子", "樱桃", "榴莲", "猕猴桃", "草莓", "fruit", "fruits"]},
    "dairy": {"label": _("dairy"), "words": [
        "牛奶", "乳品", "乳制品", "酸奶", "奶粉", "蒙牛", "伊利", "dairy", "milk", "yogurt", "yoghurt"]},
    "drinks": {"label": _("drinks"), "words": [
        "饮料", "饮品", "茶叶", "奶茶", "咖啡", "果汁", "白酒", "红酒", "啤酒", "葡萄酒", "drinks", "beverages", "tea",
        "coffee", "juice", "wine", "beer"]},
    "beauty": {"label": _("beauty and personal care"), "words": [
        "美妆", "护肤", "化妆品", "彩妆", "面膜", "口红", "洗发", "护发", "洗护", "沐浴", "个护", "beauty", "skincare",
        "makeup", "cosmetics", "shampoo"]},
    "clothing": {"label": _("clothing"), "words": [
        "服装", "服饰", "衣服", "女装", "男装", "童装", "裤子", "长裤", "短裤", "牛仔裤", "休闲裤", "裙", "外套", "T恤", "衬衫",
        "卫衣", "羽绒服", "毛衣", "鞋子", "运动鞋", "clothing", "clothes", "apparel", "fashion", "shirt", "trousers",
        "pants", "jeans", "dress", "jacket", "shoes"]},
    "books": {"label": _("books"), "words": [
        "图书", "书籍", "读书", "好书", "童书", "绘本", "小说", "教材", "book", "books", "reading", "novel", "novels"]},
    "appliances": {"label": _("home appliances"), "words": [
        "家电", "电器", "热水器", "空调", "冰箱", "洗衣机", "电视", "厨电", "appliance", "appliances", "heater", "fridge"]},
    "home": {"label": _("home and bedding"), "words": [
        "家居", "家纺", "床品", "枕头", "记忆枕", "四件套", "餐具", "收纳", "bedding", "pillow", "homeware"]},
    "baby": {"label": _("mother and baby"), "words": [
        "母婴", "婴儿", "宝宝", "儿童", "玩具", "baby", "kids", "toys"]},
    "sports": {"label": _("sports and outdoors"), "words": [
        "户外", "健身", "跑步", "骑行", "登山", "运动装备", "sports", "outdoor", "fitness", "running"]},
    "pets": {"label": _("pet supplies"), "words": [
        "宠物", "猫粮", "狗粮", "猫砂", "pet", "pets"]},
    "travel": {"label": _("hotels and travel"), "words": [
        "酒店", "旅行", "旅游", "度假", "住宿", "hotel", "hotels", "travel", "trip"]},
}


def suggestion_settings() -> dict:
    """ECOM_AI["CAMPAIGN_SUGGESTIONS"] (defaults in ecom_ai.conf) with the themes merged over DEFAULT_THEMES."""
    conf = dict(ecom_ai_settings.CAMPAIGN_SUGGESTIONS)
    conf["themes"] = {**DEFAULT_THEMES, **(conf.get("themes") or {})}
    return conf


# --------------------------------------------------------------------------- signals (collect)

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
        by_margin = 1 - price_floor(Decimal(self.product.cost), limits) / price
        return max(Decimal(0), min(by_margin, max_discount(limits) / 100))


@dataclass
class ShopSignals:
    products: dict                       # id -> ProductSignal (active products)
    window_days: int
    reference: datetime | None
    segments: dict                       # name -> {"customers": n, "avg_order_value": Decimal}
    avg_order_value: Decimal


SEGMENT_NAMES = {"champions": _("champions"), "at_risk": _("at-risk customers"), "new": _("new customers"),
                 "hibernating": _("hibernating customers"), "regular": _("regular customers")}


def _segment(recency_days: float, frequency: int, conf: dict) -> str:
    recent, lapsed, hibernating = conf["segment_recent_days"], conf["segment_lapsed_days"], conf["segment_hibernating_days"]
    if frequency >= conf["segment_loyal_orders"] and recency_days <= recent:
        return "champions"
    if frequency >= 2 and recency_days > lapsed:
        return "at_risk"
    if frequency == 1 and recency_days <= recent:
        return "new"
    if recency_days > hibernating:
        return "hibernating"
    return "regular"


def shop_signals(*, window_days: int | None = None, now: datetime | None = None, limits: dict | None = None) -> ShopSignals:
    """One pass over the shop's products and interactions: recent views, carts and sales per product
    (the window ends at the latest interaction, so stale demo data still has a "recent"), and customer
    segments by recency, frequency and spend (RFM)."""
    from ecom_ai.adapters import get_adapter

    limits = limits or get_limits()
    conf = suggestion_settings()
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
    totals: dict[str, list] = defaultdict(lambda: [0, Decimal(0), 0])
    all_spend, all_orders = Decimal(0), 0
    for cid, at in last.items():
        f = len(order_times[cid])
        t = totals[_segment((reference - at).total_seconds() / 86400 if reference else 0, f, conf)]
        t[0] += 1
        t[1] += spend[cid]
        t[2] += f
        all_spend += spend[cid]
        all_orders += f
    segments = {seg: {"customers": n, "avg_order_value": (money / orders).quantize(Decimal("0.01")) if orders else Decimal(0)}
                for seg, (n, money, orders) in totals.items()}
    aov = (all_spend / all_orders).quantize(Decimal("0.01")) if all_orders else Decimal(0)
    return ShopSignals(products, window.days, reference, segments, aov)


# --------------------------------------------------------------------------- themes and candidates (ground)

_CJK = "\u3400-\u9fff"


def _contains_word(text: str, word: str) -> bool:
    """``word`` in normalised ``text``: a Latin word only as a whole word (not inside "星Book"), a Chinese
    one not as a flavour ("草莓味" is not strawberries)."""
    w = normalize(word)
    if not w:
        return False
    if re.search(r"[a-z0-9]", w):
        return re.search(rf"(?<![a-z0-9{_CJK}]){re.escape(w)}(?![a-z0-9{_CJK}])", text) is not None
    return re.search(rf"{re.escape(w)}(?!味)", text) is not None


@dataclass
class Theme:
    key: str
    label: str
    words: list[str]


def campaign_themes(name: str, categories, conf: dict | None = None) -> list[Theme]:
    """The themes ``name`` carries: each shop category it names, and each configured theme one of whose words it contains."""
    conf = conf or suggestion_settings()
    text = normalize(name or "")
    themes = [Theme(f"category:{c}", c, [c]) for c in sorted(set(categories), key=len, reverse=True)
              if len(normalize(c)) >= 2 and _contains_word(text, c)]
    for key, theme in conf["themes"].items():
        words = list(theme.get("words") or ())
        if any(_contains_word(text, w) for w in words):
            themes.append(Theme(key, str(theme.get("label") or key), words))
    return themes


def fits(product, themes: list[Theme]) -> bool:
    """The product's category, name or English name carries a word of one of the themes."""
    text = normalize(" ".join(x for x in (product.category, product.name, getattr(product, "name_en", "")) if x))
    return any(_contains_word(text, w) for theme in themes for w in theme.words)


def _theme_labels(themes: list[Theme]) -> str:
    return ", ".join(dict.fromkeys(t.label for t in themes))


@dataclass
class Candidates:
    picked: list                           # ProductSignal, in order of preference
    reasons: list[str]
    themes: list = field(default_factory=list)


def _cover_days(s: ProductSignal, window_days: int) -> float:
    daily = s.sold / max(1, window_days)
    return s.product.stock / daily if daily else float("inf")


def _slow_score(s: ProductSignal, window_days: int, limits) -> float:
    cover = min(_cover_days(s, window_days), 3650.0)
    return cover * float(s.room(limits)) * math.log(2 + s.product.stock)


def _eligible(pool, limits, terms, conf) -> list[ProductSignal]:
    min_room = Decimal(str(conf["min_room"]))
    return [s for s in pool if s.product.stock > 0 and s.room(limits) >= min_room
            and not contains_banned(s.product.name, terms, limits=limits)]  # a banned term would be in every copy


def candidates(campaign: Campaign, signals: ShopSignals, *, limits: dict | None = None, keep_products: bool = True,
               products: dict | None = None, terms: list | None = None) -> Candidates:
    """The products the suggestion is about, with the reasons they were chosen.

    Products already on the campaign are kept when ``keep_products`` (looked up in ``products``,
    default: the adapter). Otherwise the pool is the active products with stock, room for a discount
    and a name free of banned terms (``terms``, default: every language's), narrowed to the campaign's
    theme; flash sales and coupons take slow-moving stock, group buys products many view and few buy.
    """
    limits = limits or get_limits()
    conf = suggestion_settings()
    window = signals.window_days
    try:
        chosen_ids = normalize_product_ids(campaign.product_ids) if keep_products else []
    except ValueError as exc:
        raise CampaignError(str(exc)) from exc
    if chosen_ids:
        known = load_products(chosen_ids) if products is None else {pid: products[pid] for pid in chosen_ids if pid in products}
        missing = [pid for pid in chosen_ids if pid not in known]
        if missing:
            raise CampaignError(ngettext("Product %(ids)s is no longer in the shop.", "Products %(ids)s are no longer in the shop.",
                                         len(missing)) % {"ids": ", ".join(map(str, missing))})
        picked = [signals.products.get(pid) or ProductSignal(known[pid]) for pid in chosen_ids]
        return Candidates(picked, [ngettext("Kept the %(n)d product already chosen.", "Kept the %(n)d products already chosen.",
                                            len(picked)) % {"n": len(picked)}])
    if terms is None:
        terms = banned_terms(limits=limits)
    themes = campaign_themes(campaign.name, {s.product.category for s in signals.products.values()}, conf)
    pool = list(signals.products.values())
    if themes:
        pool = [s for s in pool if fits(s.product, themes)]
        if not pool:
            raise CampaignError(gettext("No product in the shop fits the campaign's theme (%(themes)s). Choose products "
                                        "by hand, or rename the campaign.") % {"themes": _theme_labels(themes)})
        reasons = [ngettext("Theme from the campaign's name: %(themes)s; %(n)d product of the shop fits it.",
                            "Theme from the campaign's name: %(themes)s; %(n)d products of the shop fit it.", len(pool))
                   % {"themes": _theme_labels(themes), "n": len(pool)}]
    else:
        reasons = [gettext("The campaign's name names no category or theme, so every product was considered.")]
    pool = _eligible(pool, limits, terms, conf)
    if not pool:
        if themes:
            raise CampaignError(gettext("The products that fit the campaign's theme (%(themes)s) have no stock, no margin to "
                                        "spare, or a banned term in their name.") % {"themes": _theme_labels(themes)})
        raise CampaignError(gettext("The shop has no product with stock, margin to spare and a name free of banned terms."))
    if campaign.kind == Campaign.Kind.GROUP_BUY:
        pool.sort(key=lambda s: ((s.views + s.carts) / (1 + s.orders)) * float(s.room(limits)), reverse=True)
        picked = pool[:1]
    else:
        pool.sort(key=lambda s: _slow_score(s, window, limits), reverse=True)
        picked = pool[:1] if campaign.kind == Campaign.Kind.FLASH_SALE else pool[: int(limits.get("coupon_products") or 5)]
    for s in picked:
        p, cover = s.product, _cover_days(s, window)
        cover_text = gettext("no recent sales") if cover == float("inf") else \
            gettext("%(days)s days of cover at the recent rate") % {"days": f"{cover:.0f}"}
        reasons.append(gettext("“%(product)s”: stock %(stock)s; in the last %(days)s days sold %(sold)s (%(cover)s), views "
                               "%(views)s, orders %(orders)s; price %(price)s, cost %(cost)s; room for up to %(room)s%% off.") % {
            "product": p.name, "stock": p.stock, "sold": f"{s.sold:g}", "days": window, "cover": cover_text,
            "views": s.views, "orders": s.orders, "price": fmt(p.price), "cost": fmt(p.cost),
            "room": f"{float(s.room(limits)) * 100:.0f}"})
    return Candidates(picked, reasons, themes)


# --------------------------------------------------------------------------- numbers (generate)

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


def _default_dates(campaign: Campaign, kind: str, conf: dict, now=None) -> tuple[datetime, datetime]:
    if campaign.starts_at and campaign.ends_at and campaign.ends_at > campaign.starts_at:
        return campaign.starts_at, campaign.ends_at
    now = timezone.localtime(now or timezone.now())
    start = (now + timedelta(days=1)).replace(hour=int(conf["start_hour"]), minute=0, second=0, microsecond=0)
    length = {"flash_sale": timedelta(hours=conf["flash_hours"]), "group_buy": timedelta(days=conf["group_days"]),
              "coupon": timedelta(days=conf["coupon_days"])}[kind]
    return start, start + length


def _price_rule(kind: str, picked: list, limits: dict, conf: dict) -> tuple[dict, str]:
    """A flash-sale or group price (and its cap or group size) for the picked products, with the reason."""
    chosen = [s.product for s in picked]
    max_off = max_discount(limits)
    min_price = min(Decimal(p.price) for p in chosen)
    room = min(s.room(limits) for s in picked)  # the deepest common discount
    floor = max(price_floor(Decimal(p.cost), limits) for p in chosen)
    floor = max(floor, max(Decimal(p.price) for p in chosen) * (1 - max_off / 100))
    depth = Decimal(str(conf["flash_depth"] if kind == Campaign.Kind.FLASH_SALE else conf["group_depth"]))
    price = _nice_price(max(min_price * (1 - room * depth), floor), floor, min_price)
    if price is None:
        raise CampaignError(gettext("No price keeps the margin floor and the maximum discount for every product."))
    off = f"{(1 - price / min_price) * 100:.0f}"
    if kind == Campaign.Kind.FLASH_SALE:
        stock = min(p.stock for p in chosen)
        share = float(conf["flash_stock_share"])
        cap = max(1, min(stock, math.ceil(stock * share)))
        fields = {"sale_price": price, "stock_cap": cap,
                  "per_customer_limit": 1 if price >= Decimal(str(conf["single_unit_price"])) else min(2, cap)}
        return fields, gettext("Flash price %(price)s (about %(off)s%% off), above cost plus the %(floor)s%% margin floor and "
                               "within the maximum discount of %(max)s%%; capped at %(cap)s units (%(share)s%% of the "
                               "stock).") % {"price": fmt(price), "off": off, "floor": f"{float(limits['margin_floor']) * 100:g}",
                                             "max": fmt(max_off), "cap": cap, "share": f"{share * 100:g}"}
    s0 = picked[0]
    many = s0.views >= conf["group_of_three_ratio"] * max(1, s0.orders) and s0.views >= conf["group_of_three_views"]
    size, hours = 3 if many else 2, int(conf["group_fill_hours"])
    fields = {"group_price": price, "group_size": size, "fill_hours": hours, "per_customer_limit": None}
    return fields, gettext("Group price %(price)s (about %(off)s%% off), groups of %(size)s within %(hours)s hours: many views "
                           "and few orders suit a group buy.") % {"price": fmt(price), "off": off, "size": size, "hours": hours}


def _coupon_rule(picked: list, signals: ShopSignals, limits: dict, conf: dict) -> tuple[dict, list[str]]:
    """满减 (or a percent off) aimed at the segment most worth winning back, with the reasons."""
    min_price = min(Decimal(s.product.price) for s in picked)
    room = min(s.room(limits) for s in picked)
    segs = signals.segments
    target = next((k for k in ("at_risk", "hibernating", "regular", "champions", "new") if segs.get(k, {}).get("customers")), None)
    aov = segs[target]["avg_order_value"] if target else signals.avg_order_value
    # the threshold follows the customers' average order, but no further than a few of these very products
    basket = sum(Decimal(s.product.price) for s in picked) / len(picked) * int(conf["coupon_basket_items"])
    capped = bool(aov) and aov > basket
    base = max(min(aov, basket) if aov else min_price, min_price)
    step = 100 if base >= 300 else (50 if base >= 100 else 10)
    threshold = _round_up(base * Decimal(str(conf["coupon_threshold_lift"])), step)
    rate = min(room, Decimal(str(conf["coupon_max_rate"])))
    amount_step = 10 if threshold * rate >= 50 else (5 if threshold * rate >= 10 else 1)
    amount = _round_down(threshold * rate, amount_step)
    if amount >= 1:
        fields = {"threshold": threshold, "amount": amount, "percent_off": None}
        offer = gettext("%(amount)s off orders over %(threshold)s") % {"amount": fmt(amount), "threshold": fmt(threshold)}
    else:
        pct = _round_down(room * 100, 1)
        if pct < 1:
            raise CampaignError(gettext("The chosen products leave no room for a discount."))
        fields = {"percent_off": pct, "threshold": None, "amount": None}
        offer = gettext("%(percent)s%% off") % {"percent": fmt(pct)}
    minimum = int(conf["coupons_min_issued"])
    if target:
        seg = segs[target]
        values = {"segment": SEGMENT_NAMES[target], "customers": seg["customers"], "aov": fmt(seg["avg_order_value"]),
                  "offer": offer, "items": int(conf["coupon_basket_items"])}
        if capped:
            reason = gettext("Aimed at %(segment)s (%(customers)s customers, average order %(aov)s): %(offer)s, the threshold "
                             "set from about %(items)s of these products, as their average order is far above them.") % values
        else:
            reason = gettext("Aimed at %(segment)s (%(customers)s customers, average order %(aov)s): %(offer)s, the threshold "
                             "above the average order to lift basket size.") % values
        fields["total_issued"] = max(minimum, seg["customers"])
    else:
        reason = gettext("No purchases yet, threshold from the prices: %(offer)s.") % {"offer": offer}
        fields["total_issued"] = minimum
    fields["per_customer_limit"] = 1
    return fields, [reason]


def propose(campaign: Campaign, found: Candidates, signals: ShopSignals, *, limits: dict | None = None, now=None) -> Proposal:
    """Numbers for the candidates, within the shop's limits, with the reasons."""
    limits = limits or get_limits()
    conf = suggestion_settings()
    kind = campaign.kind
    reasons = list(found.reasons)
    if kind in (Campaign.Kind.FLASH_SALE, Campaign.Kind.GROUP_BUY):
        fields, reason = _price_rule(kind, found.picked, limits, conf)
        reasons.append(reason)
    else:
        fields, more = _coupon_rule(found.picked, signals, limits, conf)
        reasons += more
    start, end = _default_dates(campaign, kind, conf, now)
    fields.update(starts_at=start, ends_at=end)
    if signals.segments:
        reasons.append(gettext("Customer segments (RFM): %(segments)s.") % {"segments": ", ".join(
            f"{SEGMENT_NAMES[k]} {v['customers']}" for k, v in sorted(signals.segments.items()))})
    chosen = [s.product for s in found.picked]
    return Proposal(fields=fields, product_ids=[p.id for p in chosen], reasons=reasons, products={p.id: p for p in chosen})


def suggest_rules(campaign: Campaign, signals: ShopSignals | None = None, *, limits: dict | None = None,
                  keep_products: bool = True, now=None, products: dict | None = None,
                  terms: list | None = None) -> Proposal:
    """Products and numbers for the campaign, within the shop's limits and its theme, with the reasons."""
    limits = limits or get_limits()
    signals = signals or shop_signals(limits=limits, now=now)
    found = candidates(campaign, signals, limits=limits, keep_products=keep_products, products=products, terms=terms)
    return propose(campaign, found, signals, limits=limits, now=now)


# --------------------------------------------------------------------------- verify and save

_RULE_FIELDS = ("threshold", "amount", "percent_off", "total_issued", "sale_price", "stock_cap", "group_size",
                "group_price", "fill_hours", "per_customer_limit")


def _write(campaign: Campaign, proposal: Proposal) -> None:
    for name in _RULE_FIELDS:
        if name in proposal.fields:
            setattr(campaign, name, proposal.fields[name])
    campaign.starts_at, campaign.ends_at = proposal.fields["starts_at"], proposal.fields["ends_at"]
    campaign.product_ids = list(proposal.product_ids)


def published_error(campaign: Campaign) -> str:
    """Why a campaign's rules may not be rewritten now ("" when they may)."""
    if campaign.status == Campaign.Status.PUBLISHED:
        return gettext("A published campaign's rules are not changed; pause it first.")
    return ""


def proposal_problems(campaign: Campaign, proposal: Proposal, *, products: dict | None = None,
                      terms: list | None = None) -> dict[str, list[str]]:
    """The full validation of the campaign as the proposal would make it (the campaign itself is not changed)."""
    trial = _copy.copy(campaign)
    _write(trial, proposal)
    return validate_campaign(trial, complete=True, products=products or proposal.products or None, terms=terms)


def apply_suggestion(campaign: Campaign, proposal: Proposal, *, products: dict | None = None,
                     terms: list | None = None) -> Campaign:
    """Write a proposal onto a campaign that is not published; it must pass the full validation.

    ``products`` (ProductInfo by id) default to the ones the proposal was made from; ``terms`` (the banned
    terms of every language) to all of them.
    """
    refused = published_error(campaign)
    if refused:
        raise CampaignError(refused)
    products = products or proposal.products or None
    errors = proposal_problems(campaign, proposal, products=products, terms=terms)
    if errors:  # a bug if it happens: suggestions never break the limits
        raise CampaignError(gettext("The suggested rule failed validation: %(errors)s") % {"errors": flat_errors(errors)})
    _write(campaign, proposal)
    normalize_campaign(campaign, products)
    campaign.rule_reasons = list(proposal.reasons)
    campaign.suggested_at = timezone.now()
    campaign.save()
    recheck_copies(campaign, banned=terms)
    return campaign
