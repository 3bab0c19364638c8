"""Grounding: typed facts that answer an inquiry, from its product, the asker's own orders and the shop's policy.

Grounding reads the shop only through the adapter and only with the inquiry's own ``customer_id``,
so a draft can never show one customer another's orders. The facts of an English reply are written
in English through the glossary; a value that cannot be is left out and the question goes to a person.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from ecom_ai.adapters import get_adapter
from ecom_ai.inquiries import intent as intent_rules
from ecom_ai.inquiries.glossary import policy_notes_english, to_english
from ecom_ai.inquiries.models import Inquiry
from ecom_ai.inquiries.resolution import catalogue, choose_order, feature_clause
from ecom_ai.inquiries.understanding import (_products_of_order, analyse, asks_when, attributes_beside_name, find_product,
                                             asks_amount_paid, grievances, injection_signs, is_abusive, is_negative, order_numbers,
                                             order_reference, personal_size, reply_language, topics_of, tracking_numbers)
from ecom_ai.llm.base import Fact
from ecom_ai.llm.facts import format_local, format_number

log = logging.getLogger(__name__)

#: why a question goes to a person (shown to staff, in their language)
REASONS = {
    "no_answer": _("The facts do not answer the question."),
    "no_product": _("Cannot tell which product is meant."),
    "no_fact": _("The product has no fact for what is asked."),
    "not_covered": _("The product facts do not cover this question."),
    "no_orders": _("No order found for this customer."),
    "foreign_order": _("The order number given is not one of this customer's orders."),
    "which_order": _("Cannot tell which order is meant; the reply asks."),
    "no_policy": _("No after-sales policy applies."),
    "no_refund": _("No refund on record to report."),
    "no_target": _("No order or product to apply the policy to."),
    "complaint": _("Complaints go to a person."),
    "outside": _("The question is outside what the shop facts cover."),
    "address_change": _("Changing a delivery address is done by staff."),
    "invoice": _("Invoices are issued by staff."),
    "price_protection": _("Price protection is decided by staff."),
    "coupon": _("Coupon questions are checked by staff."),
    "cancel": _("Cancelling an order is done by staff."),
    "future": _("The question is about the future, which the data cannot tell."),
    "recommend": _("The customer asks for a recommendation."),
    "region_delivery": _("Delivery areas are not in the shop's data."),
    "compatibility": _("The product facts do not say what it is compatible with."),
    "dispatch_date": _("The dispatch date is not in the data."),
    "untranslated": _("A fact exists only in Chinese and cannot be written in English."),
    "size_advice": _("Recommending a size for the customer's measurements needs a person."),
    "which_product": _("Several products fit the name; the reply asks which."),
    "injection": _("The message tries to give the assistant instructions or asks for data it may not give."),
    "grievance": _("A complaint only a person can settle (not received, damaged, compensation or a long delay)."),
    "legal": _("Legal threat."),
    "person": _("The customer asks for a person."),
    "anger": _("Angry customer."),
    "card": _("Payment-card number (masked)."),
}
#: topics that always need a person, whatever the facts say
STAFF_TOPICS = ("address_change", "invoice", "price_protection", "coupon", "cancel", "future", "region_delivery", "recommend")
ORDER_TOPICS = ("address_change", "cancel", "not_shipped", "invoice")

# --------------------------------------------------------------------------- labels

_LABELS = {
    "name": ("商品", "product"), "price": ("价格", "price"), "stock": ("库存", "stock"),
    "battery_capacity": ("电池容量", "battery capacity"), "screen_size": ("屏幕尺寸", "screen size"),
    "waterproof": ("防水等级", "water resistance"), "weight": ("重量", "weight"), "storage": ("存储容量", "storage"),
    "memory": ("运行内存", "memory"), "camera": ("摄像头", "camera"), "cpu": ("处理器", "processor"), "gpu": ("显卡", "graphics"),
    "author": ("作者", "author"), "pages": ("页数", "page count"), "publisher": ("出版社", "publisher"), "binding": ("装帧", "binding"),
    "genre": ("类别", "genre"), "origin": ("产地", "origin"), "net_content": ("规格", "pack size"), "shelf_life": ("保质期", "shelf life"),
    "volume": ("容量", "volume"), "hair_type": ("适用发质", "hair type"), "effect": ("功效", "effect"), "type": ("类型", "type"),
    "capacity": ("容量", "capacity"), "power": ("功率", "power"), "energy_rating": ("能效等级", "energy rating"),
    "warranty": ("保修", "warranty"), "flavour": ("口味", "flavour"), "material": ("材质", "material"), "sizes": ("尺码", "sizes"),
    "colour": ("颜色", "colour"), "gender": ("款式", "cut"), "fit": ("版型", "fit"), "city": ("城市", "city"),
    "room_type": ("房型", "room type"), "breakfast": ("早餐", "breakfast"), "star": ("档次", "class"),
    "cancellation": ("取消政策", "cancellation"), "use": ("用途", "use"),
    "shipment_status": ("物流状态", "shipping status"), "carrier": ("快递公司", "carrier"), "tracking_no": ("运单号", "tracking number"),
    "latest_update": ("最新动态", "latest update"), "order_status": ("订单状态", "order status"), "order_date": ("下单日期", "order date"),
    "order_id": ("订单号", "order number"),
    "return_window": ("无理由退货期限", "return window"), "return_deadline": ("退货截止日期", "return deadline"),
    "return_possible": ("目前能否退货", "can it be returned now"), "exchange_window": ("换货期限", "exchange window"),
    "exchange_deadline": ("换货截止日期", "exchange deadline"), "exchange_possible": ("目前能否换货", "can it be exchanged now"),
    "latest_note": ("物流动态", "tracking note"), "item_name": ("商品", "item"), "order_total": ("实付金额", "amount paid"), "shipping_fee": ("运费", "shipping fee"),
    "free_shipping_over": ("包邮门槛", "free shipping over"), "wash_care": ("洗涤表现（起球、掉色、缩水）", "wash care (pilling, fading, shrinking)"),
    "warranty_months": ("保修期", "warranty"), "warranty_until": ("保修截止日期", "warranty until"), "policy_notes": ("售后说明", "policy notes"),
}
_SHIPMENT_STATUS = {
    "pending": ("待揽收", "waiting for pickup"), "shipped": ("已揽件发货", "picked up by the courier"),
    "in_transit": ("运输中", "in transit"), "out_for_delivery": ("派送中", "out for delivery"),
    "delivered": ("已签收", "delivered"), "returned": ("已退回", "returned"),
}
_ORDER_STATUS = {
    "paid": ("已付款，还没有发货", "paid, not shipped yet"), "shipped": ("已发货", "shipped"), "delivered": ("已送达", "delivered"),
    "completed": ("已完成", "completed"), "refunded": ("已退款", "refunded"), "cancelled": ("已取消", "cancelled"),
}




def _label(key: str, zh: bool, value: str = "") -> str:
    if key == "storage" and value and not re.search(r"\d\s*(?:GB|TB|G\b)", value, re.I):
        return "保存方式" if zh else "storage"
    pair = _LABELS.get(key)
    return (pair[0] if zh else pair[1]) if pair else key.replace("_", " ")


#: values that are names: kept as the shop wrote them in English replies too
NAME_KEYS = ("name", "author", "publisher", "item_name")


@dataclass
class Grounding:
    intent: str
    confidence: float
    language: str
    facts: list = field(default_factory=list)        # every fact gathered (context and answer)
    answer_keys: list = field(default_factory=list)  # keys of the facts that answer the question
    handover: list = field(default_factory=list)     # reasons (str, in the staff's language)
    product_id: int | None = None
    question: str = ""
    codes: list = field(default_factory=list)        # the hand-over reasons' codes (the writer words them for the customer)
    plan: dict = field(default_factory=dict)         # what the writer needs besides facts: topic, order choice, tone...

    @property
    def answered(self) -> bool:
        return bool(self.answer_keys)

    def hand_over(self, code: str, detail: str = "") -> None:
        if code not in self.codes:
            self.codes.append(code)
            self.handover.append(str(REASONS[code]) + (f" ({detail})" if detail else ""))

    def add(self, key, value, source, *, answer: bool = True) -> bool:
        """Add a fact in the reply's language; False (and nothing added) when it cannot be written in English."""
        zh = self.language == "zh"
        value = str(value)
        if not zh and key not in NAME_KEYS:
            english = to_english(value)
            if english is None:
                return False
            value = english
        self.facts.append(Fact(key, value, source, _label(key, zh, value)))
        if answer and key not in self.answer_keys:
            self.answer_keys.append(key)
        return True


def product_fields(product, zh: bool) -> dict:
    fields = dict(product.attributes or {})
    fields["price"] = format_number(product.price) + ("元" if zh else " yuan")
    if product.status != "active":
        fields["stock"] = "已下架"
    elif product.stock > 0:
        fields["stock"] = f"{product.stock}件"
    else:
        fields["stock"] = "暂时缺货"
    return fields


def add_product_facts(g: Grounding, product, asked: list) -> list:
    """The asked attributes of one product as facts; returns the asked keys it has no (writable) value for."""
    zh = g.language == "zh"
    src = f"product:{product.id}"
    g.add("name", product.name, src, answer=False)
    g.product_id = product.id
    g.plan.setdefault("stock_state", "inactive" if product.status != "active" else ("in" if product.stock > 0 else "out"))
    fields = product_fields(product, zh)
    missing = []
    found_any = False
    for candidates in asked:
        key = next((k for k in candidates if k in fields and str(fields[k]).strip()), None)
        if key is None:
            missing.append(candidates)
            continue
        if key not in g.answer_keys:
            if not g.add(key, fields[key], src):
                g.hand_over("untranslated", key)
                continue
        found_any = True
    if found_any:  # a loose word next to a specific question is no gap
        missing = [c for c in missing if c[0] not in intent_rules.GENERIC_KEYS and "size" not in c]
    return [c[0] for c in missing]


def add_order_facts(g: Grounding, order, adapter, *, shipment: bool = True) -> None:
    osrc = f"order:{order.id}"
    zh = g.language == "zh"
    g.add("order_id", str(order.id), osrc)
    g.add("order_date", format_local(order.created_at, time=False), osrc)
    g.add("order_status", _ORDER_STATUS.get(order.status, (order.status, order.status))[0 if zh else 1], osrc)
    for item in list(dict.fromkeys(ln.product_name for ln in order.lines))[:3]:
        g.add("item_name", item, osrc, answer=False)
    g.plan.update(order_id=order.id, order_status=order.status)
    if shipment and order.shipments:
        s = order.shipments[-1]
        ssrc = f"shipment:{s.id}"
        g.add("carrier", s.carrier, ssrc)
        g.add("tracking_no", s.tracking_number, ssrc)
        g.add("shipment_status", _SHIPMENT_STATUS.get(s.status, (s.status, s.status))[0 if zh else 1], ssrc)
        g.plan["shipment_status"] = s.status
        if s.events:
            ev = s.events[-1]
            g.add("latest_update", format_local(ev.at), ssrc)
            if ev.note:
                g.add("latest_note", ev.note, ssrc)  # an untranslatable note is left out: the status says it


def add_policy_facts(g: Grounding, adapter, topic, order, product, now) -> None:
    """Return / exchange / warranty / refund-status facts for the product (or the order's first item)."""
    category = product.category if product else None
    if category is None and order is not None and order.lines:
        first = _products_of_order(adapter, order).get(order.lines[0].product_id)
        category = first.category if first else None
    if topic == "refund_status":
        if order is not None and order.status == "refunded":
            return
        g.hand_over("no_refund")
        return
    policy = adapter.get_policy(category)
    if policy is None:
        g.hand_over("no_policy")
        return
    psrc = f"policy:{policy.id}"
    g.plan["topic"] = topic
    if topic == "warranty":
        if product is not None and (product.attributes or {}).get("warranty"):
            if not g.add("warranty", product.attributes["warranty"], f"product:{product.id}"):
                g.hand_over("untranslated", "warranty")
            return
        months = policy.warranty_months
        g.add("warranty_months", f"{months}个月" if months else "不提供保修", psrc)
        g.plan["warranty_months"] = months
        if order is not None and months:
            until = (timezone.localtime(order.created_at) + timedelta(days=round(months * 30.44))).date().isoformat()
            g.add("warranty_until", until, psrc)
        return
    prefix = "exchange" if topic == "exchange" else "return"
    days = policy.exchange_window_days if topic == "exchange" else policy.return_window_days
    g.plan["window_days"] = days
    if days <= 0:
        g.add(f"{prefix}_window", "不支持无理由退换", psrc)
        notes = policy.notes if g.language == "zh" else policy_notes_english(policy.notes)
        if notes:
            g.add("policy_notes", notes, psrc)
        return
    g.add(f"{prefix}_window", f"{days}天", psrc)
    if order is not None:
        deadline = timezone.localtime(order.created_at) + timedelta(days=days)
        g.add(f"{prefix}_deadline", deadline.date().isoformat(), psrc)
        g.plan["within"] = (now or timezone.now()) <= deadline




def ground_inquiry(inquiry: Inquiry, *, now=None, index=None) -> Grounding:
    """Facts that answer the inquiry, from the product it names, the asker's own orders and the policy.

    ``index`` is the catalogue index products are searched and matched in (default: the shop's).
    """
    adapter = get_adapter()
    text = inquiry.text
    a = analyse(text)
    cat = catalogue(adapter, index)
    named = cat.mentioned(text)
    names = [n for p in named for n in (p.name, *getattr(p, "aliases", ()))]
    lang = reply_language(text, names)
    g = Grounding(a.intent, a.confidence, lang, question=text)
    g.plan.update(negative=is_negative(text), intent=a.intent)
    for h in a.handover:
        g.hand_over(h.code if h.code in REASONS else "complaint")
    signs = injection_signs(text)
    own_reference = bool(order_numbers(text) or tracking_numbers(text) or inquiry.order_id)
    if signs & {"others", "role"} and not own_reference:  # someone else's data, or new rules: a person looks at it
        g.hand_over("injection")
        return _finish(g)
    if "change" in signs:
        g.hand_over("injection")
    complaint = grievances(text)
    if _REFUND_WORDS.search(text) and _CHASING.search(text):  # a refund the customer is still waiting for
        complaint.append("refund")
    if complaint:
        g.plan["negative"] = True
    refers_to_order_hint = "delay" in complaint  # "等了67天了": about an order, named or not
    topics = [t for t in topics_of(text, names) if not (t == "cancel" and _asks_cancellation_policy(text, named, adapter, inquiry))]
    refers_to_order = bool(order_numbers(text) or order_reference(text) or _names_an_order(text) or refers_to_order_hint)
    intent = a.intent
    if intent == "complaint":  # an angry question still gets its facts: the underlying topic
        intent = intent_rules.keyword_topic(re.sub(r"投诉|差评|垃圾|骗子?|太差|scam|terrible|awful|worst", " ", text, flags=re.I)) or "other"
        if intent == "complaint":
            intent = "other"
    if intent == "other" and refers_to_order:
        intent = "logistics"
    if intent == "product" and order_numbers(text) and not named and not a.attributes:
        intent = "logistics"
    if "not_shipped" in topics or any(t in topics for t in ("address_change", "cancel")):
        intent = "logistics" if intent not in ("after_sales",) else intent
    g.intent = intent if a.intent != "complaint" else "complaint"
    topic = topics[0] if topics else ""
    g.plan["topic"] = topic
    page_product = adapter.get_products([inquiry.product_id]).get(inquiry.product_id) if inquiry.product_id else None
    product = _pick(cat.mentioned(text, best_only=False), named, page_product, adapter, inquiry.customer_id,
                    a.attributes) if named else page_product
    if named and product is None:
        g.hand_over("which_product")
        return _finish(g)

    needs_order = intent in ("logistics", "after_sales") or topic in ORDER_TOPICS or refers_to_order
    choice = None
    if needs_order:
        choice = choose_order(adapter, inquiry.customer_id, text, page_order_id=inquiry.order_id, products=named,
                              intent=intent, now=now)
        g.plan.update(order_how=choice.how, fitting=choice.fitting)
        if choice.foreign:
            g.plan["foreign"] = True
            g.facts, g.answer_keys = [], []
            g.hand_over("foreign_order")  # no data, a polite word, and a person sees who asked for what
            return _finish(g)
    if complaint:
        order = choice.order if choice is not None else None
        moving = order is not None and any(sh.status not in ("pending",) for sh in order.shipments)
        if set(complaint) - {"delay"} or not moving:  # a long wait for a parcel on its way is answered with it
            g.hand_over("grievance")

    if topic in ("invoice", "compatibility", "region_delivery"):  # the product's description may say so
        pool = [product] if product is not None else []
        if not pool and choice is not None and choice.order is not None:
            pool = list(_products_of_order(adapter, choice.order).values())
        for candidate in pool:
            clause = feature_clause(text, candidate, topic=topic)
            if clause:
                g.add("name", candidate.name, f"product:{candidate.id}", answer=False)
                g.product_id = candidate.id
                g.add("feature", clause if lang == "zh" else "yes", f"product:{candidate.id}")
                g.plan["topic"] = "feature"
                if topic == "invoice" and (_ASKS_ACTION.search(text) or order_numbers(text)):  # issuing one (a title, a fix) is for staff
                    g.hand_over("invoice")
                return _finish(g)

    if topic in STAFF_TOPICS:
        if choice is not None and choice.order is not None and topic in ORDER_TOPICS:
            add_order_facts(g, choice.order, adapter, shipment=topic == "address_change")
        elif topic == "future" and product is not None and _ASKS_STOCK.search(text):
            add_product_facts(g, product, [("stock",)])  # what is known today; the date itself is for staff
        g.hand_over(topic)
        return _finish(g)

    if topic == "shipping_fee":
        policy = adapter.get_policy(product.category if product else None)
        if policy is None:
            g.hand_over("no_policy")
        else:
            g.add("shipping_fee", format_number(policy.shipping_fee) + ("元" if lang == "zh" else " yuan"), f"policy:{policy.id}")
            if policy.free_shipping_over:
                g.add("free_shipping_over", format_number(policy.free_shipping_over) + ("元" if lang == "zh" else " yuan"),
                      f"policy:{policy.id}")
        return _finish(g)

    if topic == "compatibility" and intent != "logistics" and not _has_asked(product, intent_rules.lexicon_attributes(text)):
        if product is not None:
            g.add("name", product.name, f"product:{product.id}", answer=False)
        g.hand_over("compatibility")
        return _finish(g)

    if (choice is not None and choice.order is not None and choice.how in ("number", "page", "tracking", "newest")
            and not named and (asks_amount_paid(text) or a.attributes == [("price",)])):  # "how much did I pay for order 6755"
        add_order_facts(g, choice.order, adapter, shipment=False)
        g.add("order_total", format_number(choice.order.total) + ("元" if lang == "zh" else " yuan"), f"order:{choice.order.id}")
        g.answer_keys = ["order_id", "order_total"]
        return _finish(g)

    if intent in ("logistics",) or topic == "not_shipped":
        if choice is None or choice.order is None:
            g.hand_over("no_orders" if choice is None or not choice.has_orders else "which_order")
            return _finish(g)
        if choice.unmatched and choice.how in ("latest", "open", "only"):
            g.plan["ask"] = True
            g.hand_over("which_order")
            return _finish(g)
        add_order_facts(g, choice.order, adapter)
        g.plan["asks_when"] = asks_when(text)
        moving = any(sh.status not in ("pending",) for sh in choice.order.shipments)
        waiting = choice.order.status in ("paid", "shipped") and not moving
        if waiting and ((topic == "not_shipped" and g.plan["asks_when"]) or g.plan.get("negative")):
            g.hand_over("dispatch_date")  # when it ships (or hurrying it) is for a person
        return _finish(g)

    if intent == "after_sales":
        after = intent_rules.after_sales_topic(text)
        order = choice.order if choice is not None else None
        if (product is not None and order is not None and choice.how not in ("number", "tracking", "page")
                and product.id not in {ln.product_id for ln in order.lines}):
            order = None  # the product named (or on the page) wins over the last order's
        if product is None and (order is None or choice.how in ("latest", "open")) and after != "refund_status":
            policy = adapter.get_policy(None)  # nothing names an order or a product: the shop-wide policy answers
            if policy is None:
                g.hand_over("no_target")
                return _finish(g)
            g.facts, g.answer_keys = [], []
            add_policy_facts(g, adapter, after, None, None, now)
            g.plan["shop_wide"] = True
            return _finish(g)
        if product is None and order is not None:
            product = find_product(adapter, text, order=order)
        if order is None and product is None:
            g.hand_over("no_target")
            return _finish(g)
        if order is not None:
            add_order_facts(g, order, adapter, shipment=False)
            g.answer_keys = [k for k in g.answer_keys if k == "order_id"]
            if after == "refund_status":
                g.answer_keys += ["order_status"]
                if g.plan.get("negative") or _CHASING.search(text):  # refunded, yet the customer has not got it
                    g.hand_over("grievance")
        if product is not None:
            g.add("name", product.name, f"product:{product.id}", answer=False)
            g.product_id = product.id
        add_policy_facts(g, adapter, after, order, product, now)
        return _finish(g)

    if intent == "product" or topic == "size_fit" or a.attributes:
        if product is None:
            product = find_product(adapter, text, order=choice.order if choice else None, customer_id=inquiry.customer_id,
                                   index=index)
        if product is None:
            g.hand_over("no_product")
            return _finish(g)
        asked = attributes_beside_name(text, product.name, a.attributes)
        if topic == "size_fit" and not any("sizes" in c or "fit" in c for c in asked):
            asked = asked + [("sizes",), ("fit",)]
        if topic == "size_fit" and personal_size(text):
            g.hand_over("size_advice")
        missing = add_product_facts(g, product, asked)
        if not asked:
            g.hand_over("not_covered")
        elif missing:
            staff_zh = (translation.get_language() or "").startswith("zh")  # the reason is read by staff
            g.hand_over("no_fact", ", ".join(_label(k, staff_zh) for k in missing))
            g.answer_keys = []
        return _finish(g)

    if a.intent != "complaint":
        g.hand_over("outside")
    return _finish(g)


def _finish(g: Grounding) -> Grounding:
    if g.answer_keys and set(g.codes) <= {"anger"} and not is_abusive(g.question):  # upset: the answer, apology first
        g.codes, g.handover = [], []
    if "role" in injection_signs(g.question) and not g.answer_keys:
        g.hand_over("injection")
    g.plan["codes"] = list(g.codes)
    return g


_ORDER_WORD = re.compile(r"订单|这单|那单|单子|包裹|\border\b|\bparcel\b|\bpackage\b", re.I)


def _names_an_order(text: str) -> bool:
    return bool(_ORDER_WORD.search(text))


def _asks_cancellation_policy(text, named, adapter, inquiry) -> bool:
    """"能免费取消吗" about a product with a cancellation policy (a hotel room) asks about the policy, not to cancel an order."""
    products = list(named)
    if inquiry.product_id:
        products += list(adapter.get_products([inquiry.product_id]).values())
    return (any((p.attributes or {}).get("cancellation") for p in products) and not _names_an_order(text)
            and not order_numbers(text))


_ASKS_ACTION = re.compile(r"帮我|给我开|开个|开一张|重开|重新开|补开|抬头|税号|开错|下载|在哪|哪里(?:看|找|拿|下)|没收到|怎么(?:拿|获取|领|要|下)|"
                          r"\b(?:re-?issue|send me|wrong|issue (?:me|an?)|make out|download|where (?:is|can i|do i)|haven'?t (?:got|received))\b", re.I)
_REFUND_WORDS = re.compile(r"退款|退钱|退了.{0,6}钱|钱.{0,4}退|\brefund", re.I)
_CHASING = re.compile(r"还没|没收到|没到账|到底|这么久|好久|still|not (?:yet )?received|haven'?t (?:got|received)|forever|so long|ages", re.I)
#: a question about the future that the current stock still helps with ("when is it back in stock?")
_ASKS_STOCK = re.compile(r"补货|有货|到货|库存|缺货|断货|restock|back in stock|in stock|sold out", re.I)


def _has_asked(product, asked) -> bool:
    fields = (product.attributes or {}) if product is not None else {}
    return any(k in fields for c in asked or () for k in c)


def _pick(candidates, best, page_product, adapter, customer_id, asked):
    """One product among those the question names: the page's, else the one the asker bought, else any of the
    best matches when they give the same answer (same category and the same asked values); None when they differ."""
    if page_product is not None and any(p.id == page_product.id for p in candidates):
        return page_product
    if len(best) == 1:
        return best[0]
    bought = {ln.product_id for o in adapter.get_orders(customer_id, limit=50) for ln in o.lines}
    mine = [p for p in best if p.id in bought] or [p for p in candidates if p.id in bought]
    if mine:
        return mine[0]
    keys = [k for c in asked or () for k in c] + ["warranty"]
    first = best[0]
    same = all(p.category == first.category and all((p.attributes or {}).get(k) == (first.attributes or {}).get(k) for k in keys)
               and ("price" not in keys or p.price == first.price) and ("stock" not in keys or p.stock == first.stock)
               for p in best)
    return first if same else None
