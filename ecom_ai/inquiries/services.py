"""Services of the inquiries feature: create inquiries, classify them, ground them in the shop's
facts, check and save reply drafts, approve and send them, train the intent baseline and evaluate.

Every entry point (API view, admin action and page, management command, pipeline) calls these
functions. Grounding reads the shop only through the adapter and only with the inquiry's own
``customer_id``, so a draft can never show one customer another's orders.
"""
from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from ecom_ai.adapters import get_adapter
from ecom_ai.conf import ecom_ai_settings
from ecom_ai.llm.base import Fact, GenerationRequest
from ecom_ai.llm.checks import check_output, injection_findings
from ecom_ai.llm.facts import facts_from_json, facts_to_json, format_local, format_number
from ecom_ai.jobs.models import AIJob
from ecom_ai.inquiries.models import ApprovedReply, Inquiry, ReplyDraft
from ecom_ai.nlp import intent as intent_rules
from ecom_ai.nlp.text import language_of, normalize, tokenize
from ecom_ai.kinds import Feature

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
EVAL_FILE = DATA_DIR / "inquiries_eval.jsonl"
KIND = Feature.INQUIRY_REPLY

#: sent when a reply is marked sent; a host shop connects a receiver that delivers it (e-mail, app push...)
reply_sent = Signal()  # sender=Inquiry, inquiry=..., draft=..., text=...


class InquiryError(ValueError):
    """Bad input for an inquiry (shown to the user as a 400 with this message)."""


class NoCustomer(PermissionError):
    """The user is not one of the shop's customers."""


# --------------------------------------------------------------------------- labels

_LABELS = {
    "name": ("商品", "product"), "price": ("价格", "price"), "stock": ("库存", "stock"),
    "battery_capacity": ("电池容量", "battery capacity"), "screen_size": ("屏幕尺寸", "screen size"),
    "waterproof": ("防水等级", "water resistance"), "weight": ("重量", "weight"), "storage": ("存储容量", "storage"),
    "memory": ("运行内存", "memory"), "camera": ("摄像头", "camera"), "cpu": ("处理器", "processor"), "gpu": ("显卡", "graphics"),
    "author": ("作者", "author"), "pages": ("页数", "pages"), "publisher": ("出版社", "publisher"), "binding": ("装帧", "binding"),
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
    "warranty_months": ("保修期", "warranty"), "warranty_until": ("保修截止日期", "warranty until"), "policy_notes": ("售后说明", "policy notes"),
}
_SHIPMENT_STATUS = {
    "pending": ("待揽收", "waiting for pickup"), "shipped": ("已揽件发货", "picked up by the courier"),
    "in_transit": ("运输中", "in transit"), "out_for_delivery": ("派送中", "out for delivery"),
    "delivered": ("已签收", "delivered"), "returned": ("已退回", "returned"),
}
_ORDER_STATUS = {
    "paid": ("已付款，待发货", "paid, not shipped yet"), "shipped": ("已发货", "shipped"), "delivered": ("已送达", "delivered"),
    "completed": ("已完成", "completed"), "refunded": ("已退款", "refunded"), "cancelled": ("已取消", "cancelled"),
}


def _label(key: str, zh: bool, value: str = "") -> str:
    if key == "storage" and value and not re.search(r"\d\s*(?:GB|TB|G\b)", value, re.I):
        return "保存方式" if zh else "storage"
    pair = _LABELS.get(key)
    return (pair[0] if zh else pair[1]) if pair else key.replace("_", " ")


def _fact(key, value, source, zh) -> Fact:
    value = str(value)
    return Fact(key, value, source, _label(key, zh, value))


# --------------------------------------------------------------------------- intent model

_model_lock = threading.Lock()
_seed_model = None
_override_model = None  # a stored version under evaluation (evaluate(model=...))


def intent_model():
    """The active trained intent model, or one trained on the shipped seed set on first use."""
    global _seed_model
    from ecom_ai.storage import artifacts

    if _override_model is not None:
        return _override_model
    try:
        artifact = artifacts.load_active("intent")
        artifact.obj.version = artifact.version
        return artifact.obj
    except artifacts.NoArtifact:
        pass
    except Exception:  # a broken artefact must not stop replies; the seed model still works
        log.exception("ecom_ai: cannot load the active intent model; using the seed model")
    with _model_lock:
        if _seed_model is None:
            texts, labels = zip(*intent_rules.load_seed())
            _seed_model = intent_rules.train(list(texts), list(labels))
        return _seed_model


@dataclass
class Analysis:
    intent: str
    confidence: float
    handover: list = field(default_factory=list)   # [Handover]
    attributes: list = field(default_factory=list)  # [(key, ...)]
    language: str = "zh"


MIN_MODEL_CONFIDENCE = 0.6


def analyse(text: str) -> Analysis:
    """Intent (question words when they are unambiguous, else the classifier), hand-over reasons and asked attributes."""
    model_intent, conf = intent_model().predict(text)
    attrs = intent_rules.asked_attributes(text)
    topic = intent_rules.keyword_topic(text)
    if topic:
        intent, conf = topic, max(conf, 0.9) if topic == model_intent else 0.8
    elif attrs:
        # it names a product attribute and no logistics/after-sales word: a product question
        intent, conf = "product", max(conf, 0.8) if model_intent == "product" else 0.7
    elif model_intent in ("logistics", "after_sales") and conf < MIN_MODEL_CONFIDENCE:
        # no question word backs a weak guess: better a person than another topic's facts
        intent = "other"
    else:
        intent = model_intent
    return Analysis(intent, conf, intent_rules.handover_reasons(text), attrs, language_of(text))


# --------------------------------------------------------------------------- creating

def clean_text(text) -> str:
    if not isinstance(text, str):
        raise InquiryError("The question must be text.")
    text = text.replace("\x00", "").strip()
    if not normalize(text):
        raise InquiryError("The question is empty.")
    limit = int(ecom_ai_settings.MAX_INPUT_CHARS)
    if len(text) > limit:
        raise InquiryError(f"The question is too long ({len(text)} characters; at most {limit}).")
    return text


def _int_or_none(value, name):
    if value in (None, ""):
        return None
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise InquiryError(f"{name} must be a whole number.") from None
    if value <= 0:
        raise InquiryError(f"{name} must be positive.")
    return value


def create_inquiry(*, user, text, product_id=None, order_id=None, channel: str = "web", start: bool = True,
                   customer_id: int | None = None) -> Inquiry:
    """Validate, save the inquiry, then start its drafting job (``inquiry.job``).

    The inquiry is saved before the job starts, so a failure to start drafting loses nothing.
    Raises :class:`NoCustomer` when the user is not a customer and :class:`InquiryError` for bad input,
    including an order that is not this customer's.
    """
    adapter = get_adapter()
    if customer_id is None:
        customer = adapter.customer_for_user(user)
        if customer is None:
            raise NoCustomer("Only the shop's customers can ask questions here: this account has no customer profile.")
        customer_id = customer.id
    text = clean_text(text)
    product_id = _int_or_none(product_id, "product_id")
    order_id = _int_or_none(order_id, "order_id")
    if channel not in Inquiry.Channel.values:
        raise InquiryError(f"Unknown channel {channel!r}; one of: {', '.join(Inquiry.Channel.values)}.")
    if order_id is not None and adapter.get_order(customer_id, order_id) is None:
        raise InquiryError(f"Order {order_id} is not one of your orders.")
    if product_id is not None and not adapter.get_products([product_id]):
        raise InquiryError(f"There is no product {product_id}.")
    inquiry = Inquiry.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None, customer_id=customer_id, channel=channel,
        text=intent_rules.redact_cards(text), language=language_of(text), product_id=product_id, order_id=order_id,
    )
    if start:
        start_drafting(Inquiry.objects.filter(pk=inquiry.pk), user=user)
        inquiry.refresh_from_db()
    return inquiry


def start_drafting(inquiries, *, user=None, dispatch: bool = True) -> AIJob | None:
    """Start an ``inquiry_reply`` job over the inquiries and remember it on them; None if it could not start."""
    from ecom_ai.jobs.engine import start_job

    try:
        job = start_job(KIND, inquiries, user=user, dispatch=dispatch)
    except Exception:  # the inquiries are saved; staff can draft them from the admin
        log.exception("ecom_ai: could not start drafting inquiries")
        return None
    Inquiry.objects.filter(pk__in=[int(t) for t in job.items.values_list("target_id", flat=True)]).update(job=job)
    return job


# --------------------------------------------------------------------------- grounding

@dataclass
class Grounding:
    intent: str
    confidence: float
    language: str
    facts: list = field(default_factory=list)        # every fact gathered (context and answer)
    answer_keys: list = field(default_factory=list)  # keys of the facts that answer the question
    handover: list = field(default_factory=list)     # reasons (str)
    product_id: int | None = None
    question: str = ""

    @property
    def answered(self) -> bool:
        return bool(self.answer_keys)


def _products_of_order(adapter, order) -> dict:
    return adapter.get_products([ln.product_id for ln in order.lines]) if order and order.lines else {}


def find_product(adapter, text, *, product_id=None, order=None, customer_id=None, index=None):
    """The product asked about: an explicit id, the order's items, a catalogue search, or the customer's recent purchases.

    ``index`` is the catalogue index to search (default: :func:`ecom_ai.nlp.search.shop_index`).
    """
    if product_id:
        return adapter.get_products([product_id]).get(int(product_id))
    if order is not None and order.lines:
        items = _products_of_order(adapter, order)
        if len(items) == 1:
            return next(iter(items.values()))
        hit = _best_among(text, items)
        return hit or items.get(order.lines[0].product_id)
    if index is None:
        from ecom_ai.nlp.search import shop_index

        index = shop_index()
    hits = index.search(text, limit=3)
    if hits:
        product = adapter.get_products([hits[0].product_id]).get(hits[0].product_id)
        # the question must name it: half its name, or two of its words and a clear lead over the next hit
        clear = len(hits) == 1 or hits[0].score > hits[1].score * 1.05
        if product and (_name_overlap(text, product.name) >= 0.5 or (_name_matches(text, product.name) >= 2 and clear)):
            return product
    if customer_id is not None:
        # one lookup for the products of all the recent orders
        ids = list(dict.fromkeys(ln.product_id for o in adapter.get_orders(customer_id, limit=5) for ln in o.lines))
        recent = adapter.get_products(ids) if ids else {}
        norm = normalize(text)
        in_category = {pid: p for pid, p in recent.items() if p.category and p.category in norm}
        if len(in_category) == 1:
            return next(iter(in_category.values()))
        hit = _best_among(text, recent)
        if hit is not None:
            return hit
    return None


def _name_overlap(text: str, name: str) -> float:
    name_tokens = set(tokenize(name))
    if not name_tokens:
        return 0.0
    text_norm = normalize(text).lower()
    return sum(1 for t in name_tokens if t in text_norm) / len(name_tokens)


def _name_matches(text: str, name: str) -> int:
    text_norm = normalize(text).lower()
    return sum(1 for t in set(tokenize(name)) if len(t) > 1 and t in text_norm)


def _best_among(text, products: dict):
    scored = sorted(((_name_overlap(text, p.name), pid) for pid, p in products.items()), reverse=True)
    if scored and scored[0][0] >= 0.5 and (len(scored) == 1 or scored[0][0] > scored[1][0]):
        return products[scored[0][1]]
    return None


def attributes_beside_name(text: str, name: str, asked: list) -> list:
    """The asked attributes once the product's own name is taken out of the question.

    "李宁 男款跑步外套多少钱" names a product whose name holds 男款: that is the product, not a
    question about its cut. Only done when the question names the product (its whole name or two
    of its words); what is left is analysed again.
    """
    norm = normalize(text).lower()
    full = normalize(name).lower()
    words = sorted({t for t in tokenize(name) if len(t) > 1 and t in norm}, key=len, reverse=True)
    if full and full in norm:
        rest = norm.replace(full, " ")
    elif len(words) >= 2:
        rest = norm
    else:
        return asked
    for w in words:
        rest = rest.replace(w, " ")
    return intent_rules.asked_attributes(rest)


def product_facts(product, asked: list, zh: bool) -> tuple[list, list, list]:
    """(facts, answer keys, missing) for the asked attribute candidates of one product."""
    src = f"product:{product.id}"
    facts = [_fact("name", product.name, src, zh)]
    fields = dict(product.attributes or {})
    fields["price"] = format_number(product.price) + ("元" if zh else " yuan")
    fields["stock"] = (f"{product.stock}件" if zh else f"{product.stock} in stock") if product.stock > 0 else ("暂时缺货" if zh else "out of stock")
    if product.status != "active":
        fields["stock"] = "已下架" if zh else "no longer sold"
    answer, missing = [], []
    for candidates in asked:
        key = next((k for k in candidates if k in fields and str(fields[k]).strip()), None)
        if key is None:
            missing.append(candidates)
            continue
        if key not in answer:
            facts.append(_fact(key, fields[key], src, zh))
            answer.append(key)
    if answer:  # a loose word next to a specific question is no gap
        missing = [c for c in missing if c[0] not in intent_rules.GENERIC_KEYS and "size" not in c]
    return facts, answer, [c[0] for c in missing]


def _latest_shipment(orders):
    for order in orders:
        if order.shipments:
            return order, order.shipments[-1]
    return (orders[0], None) if orders else (None, None)


def logistics_facts(order, shipment, zh: bool) -> tuple[list, list]:
    facts, keys = [], []
    osrc = f"order:{order.id}"
    facts.append(_fact("order_id", str(order.id), osrc, zh))
    if shipment is None:
        facts.append(_fact("order_status", _ORDER_STATUS.get(order.status, (order.status, order.status))[0 if zh else 1], osrc, zh))
        return facts, ["order_id", "order_status"]
    ssrc = f"shipment:{shipment.id}"
    status = _SHIPMENT_STATUS.get(shipment.status, (shipment.status, shipment.status))[0 if zh else 1]
    facts += [_fact("shipment_status", status, ssrc, zh), _fact("carrier", shipment.carrier, ssrc, zh),
              _fact("tracking_no", shipment.tracking_number, ssrc, zh)]
    keys += ["order_id", "shipment_status", "carrier", "tracking_no"]
    if shipment.events:
        ev = shipment.events[-1]
        note = ev.note or status
        facts.append(_fact("latest_update", f"{format_local(ev.at)} {note}", ssrc, zh))
        keys.append("latest_update")
    return facts, keys


def after_sales_facts(adapter, topic, order, product, zh: bool, now=None) -> tuple[list, list, str]:
    """(facts, answer keys, missing reason) for a return / exchange / warranty / refund-status question."""
    now = now or timezone.now()
    category = product.category if product else None
    if category is None and order is not None and order.lines:
        first = _products_of_order(adapter, order).get(order.lines[0].product_id)
        category = first.category if first else None
    policy = adapter.get_policy(category)
    facts, keys = [], []
    if order is not None:
        osrc = f"order:{order.id}"
        facts += [_fact("order_id", str(order.id), osrc, zh),
                  _fact("order_date", format_local(order.created_at, time=False), osrc, zh),
                  _fact("order_status", _ORDER_STATUS.get(order.status, (order.status, order.status))[0 if zh else 1], osrc, zh)]
    if topic == "refund_status":
        if order is not None and order.status == "refunded":
            return facts, ["order_id", "order_status"], ""
        return facts, [], "没有可查的退款记录 / no refund on record to report"
    if policy is None:
        return facts, [], "没有适用的售后政策 / no after-sales policy applies"
    psrc = f"policy:{policy.id}"
    if product is not None:
        facts.append(_fact("name", product.name, f"product:{product.id}", zh))
    if topic == "warranty":
        if product is not None and (product.attributes or {}).get("warranty"):
            facts.append(_fact("warranty", product.attributes["warranty"], f"product:{product.id}", zh))
            return facts, ["warranty"], ""
        months = policy.warranty_months
        facts.append(_fact("warranty_months", (f"{months}个月" if zh else f"{months} months") if months else ("不提供保修" if zh else "no warranty"), psrc, zh))
        keys = ["warranty_months"]
        if order is not None and months:
            until = (timezone.localtime(order.created_at) + timedelta(days=round(months * 30.44))).date().isoformat()
            facts.append(_fact("warranty_until", until, psrc, zh))
            keys.append("warranty_until")
        return facts, keys, ""
    days = policy.exchange_window_days if topic == "exchange" else policy.return_window_days
    prefix = "exchange" if topic == "exchange" else "return"
    if days <= 0:
        facts.append(_fact(f"{prefix}_window", "不支持无理由退换" if zh else "not returnable without a fault", psrc, zh))
        keys.append(f"{prefix}_window")
        if policy.notes:
            facts.append(_fact("policy_notes", policy.notes, psrc, zh))
            keys.append("policy_notes")
        return facts, keys, ""
    facts.append(_fact(f"{prefix}_window", f"{days}天" if zh else f"{days} days", psrc, zh))
    keys.append(f"{prefix}_window")
    if order is not None:
        deadline = timezone.localtime(order.created_at) + timedelta(days=days)
        within = now <= deadline
        day = deadline.date().isoformat()
        facts.append(_fact(f"{prefix}_deadline", day, psrc, zh))
        if zh:
            verdict = f"可以，{day}前申请" if within else f"已超过期限（{day}截止）"
        else:
            verdict = f"yes, apply by {day}" if within else f"no, the window closed on {day}"
        facts.append(_fact(f"{prefix}_possible", verdict, psrc, zh))
        keys += [f"{prefix}_deadline", f"{prefix}_possible"]
    return facts, keys, ""


def ground_inquiry(inquiry: Inquiry, *, now=None, index=None) -> Grounding:
    """Facts that answer the inquiry, from its product, the customer's own orders and the policy.

    An order id that is not this customer's is treated as absent (the adapter returns None).
    ``index`` is the catalogue index a product is searched in (default: the shop's, see :func:`find_product`).
    """
    adapter = get_adapter()
    a = analyse(inquiry.text)
    zh = (inquiry.language or a.language) == "zh"
    g = Grounding(a.intent, a.confidence, "zh" if zh else "en", question=inquiry.text)
    g.handover += [h.reason for h in a.handover]
    cid = inquiry.customer_id
    order = adapter.get_order(cid, inquiry.order_id) if inquiry.order_id else None
    if inquiry.order_id and order is None:
        log.warning("ecom_ai: inquiry %s names order %s, not the customer's; ignored", inquiry.pk, inquiry.order_id)

    if a.intent == "product":
        product = find_product(adapter, inquiry.text, product_id=inquiry.product_id, order=order, customer_id=cid,
                               index=index)
        if product is None:
            g.handover.append("找不到咨询的商品 / cannot tell which product is meant")
        else:
            g.product_id = product.id
            a.attributes = attributes_beside_name(inquiry.text, product.name, a.attributes)
            facts, keys, missing = product_facts(product, a.attributes, zh)
            g.facts += facts
            g.answer_keys += keys
            if not a.attributes:
                g.handover.append("商品信息无法回答这个问题 / the product facts do not cover this question")
            elif missing:
                g.handover.append(f"商品没有该信息（{', '.join(missing)}） / the product has no {', '.join(missing)} fact")
                g.answer_keys = []
    elif a.intent == "logistics":
        if order is not None:
            shipment = order.shipments[-1] if order.shipments else None
        else:
            order, shipment = _latest_shipment(adapter.get_orders(cid, limit=20))
        if order is None:
            g.handover.append("没有找到该客户的订单 / no order found for this customer")
        else:
            facts, keys = logistics_facts(order, shipment, zh)
            g.facts += facts
            g.answer_keys += keys
    elif a.intent == "after_sales":
        topic = intent_rules.after_sales_topic(inquiry.text)
        product = adapter.get_products([inquiry.product_id]).get(inquiry.product_id) if inquiry.product_id else None
        if order is None and product is None:
            orders = adapter.get_orders(cid, limit=1)
            order = orders[0] if orders else None
        if order is not None and product is None:
            product = find_product(adapter, inquiry.text, order=order)
        if order is None and product is None:
            g.handover.append("没有找到相关的订单或商品 / no order or product to apply the policy to")
        else:
            g.product_id = product.id if product else None
            facts, keys, missing = after_sales_facts(adapter, topic, order, product, zh, now=now)
            g.facts += facts
            g.answer_keys += keys
            if missing:
                g.handover.append(missing)
    elif a.intent == "complaint":
        g.handover.append("投诉需要人工处理 / complaints go to a person")
    else:
        g.handover.append("问题不在可查询的事实范围内 / the question is outside what the shop facts cover")
    g.handover = list(dict.fromkeys(g.handover))
    return g


def build_request(g: Grounding, *, seed=None) -> GenerationRequest:
    """The backend request: facts as data, the (card-masked) question fenced as untrusted text."""
    answer = [f for f in g.facts if f.key in g.answer_keys or f.key == "name"]
    return GenerationRequest(
        task=KIND, language=g.language, facts=answer,
        params={"intent": g.intent, "answer_keys": list(g.answer_keys)},
        untrusted={"question": intent_rules.redact_cards(g.question)},
        max_new_tokens=200, temperature=0.3, seed=seed,
    )


# --------------------------------------------------------------------------- checking

def _catalogue_names() -> list[str]:
    try:
        from ecom_ai.nlp.search import shop_index

        return shop_index().names
    except Exception:  # the check still runs, only without catalogue names
        return []


@dataclass
class Verdict:
    ok: bool
    reasons: list


def verify_text(text: str, facts, product_names=None) -> Verdict:
    """check_output against the facts, plus injection signs and card numbers echoed back.

    ``product_names`` are the catalogue's names, so a reply naming another product is caught
    (default: the shop index's names).
    """
    if product_names is None:
        product_names = _catalogue_names()
    check = check_output(text, facts, product_names=product_names)
    reasons = list(check.reasons) + injection_findings(text, facts)
    if intent_rules.card_numbers(text):
        reasons.append("回复中含有银行卡号 / the reply contains a card number")
    if not normalize(text):
        reasons.append("回复为空 / the reply is empty")
    return Verdict(not reasons, reasons)


# --------------------------------------------------------------------------- pipeline steps

def prepare_unit(job, unit) -> None:
    """Ground step: refuse finished inquiries, gather facts, build the request."""
    inquiry = unit.target
    if inquiry.status in (Inquiry.Status.APPROVED, Inquiry.Status.SENT):
        raise ValueError(f"inquiry {inquiry.pk} is already {inquiry.status}; its reply is not redrafted")
    g = ground_inquiry(inquiry, index=unit.output.get("index"))
    unit.output["grounding"] = g
    unit.facts = g.facts
    unit.request = build_request(g)


def verify_unit(job, unit) -> None:
    unit.check = verify_text(unit.result.text, unit.request.facts, unit.output.get("names"))


def save_unit(job, unit) -> ReplyDraft:
    """Write the draft and move the inquiry to drafted or handed_over (with the reason)."""
    g: Grounding = unit.output["grounding"]
    inquiry: Inquiry = unit.target
    verdict: Verdict = unit.check
    handover = list(g.handover)
    if not g.answered and not handover:
        handover.append("事实无法回答这个问题 / the facts do not answer the question")
    confidence = round(g.confidence * (1.0 if g.answered else 0.5) * (1.0 if verdict.ok else 0.3), 3)
    draft = ReplyDraft.objects.create(
        inquiry=inquiry, job=job, text=unit.result.text, intent=g.intent,
        facts=facts_to_json(unit.request.facts),
        answer_keys=list(g.answer_keys), backend=unit.output.get("backend", ""), model_id=unit.result.model_id or "",
        check_ok=verdict.ok, check_reasons=verdict.reasons, needs_review=not verdict.ok or bool(handover),
        handover=bool(handover), handover_reason="\n".join(handover), confidence=confidence,
        tokens_in=unit.tokens_in, tokens_out=unit.tokens_out,
    )
    changes = {"job": job, "intent": inquiry.intent if inquiry.intent_labelled else g.intent,
               "intent_confidence": g.confidence, "updated_at": timezone.now()}
    if handover:
        changes.update(status=Inquiry.Status.HANDED_OVER, handover_reason="\n".join(handover))
    else:
        changes.update(status=Inquiry.Status.DRAFTED, handover_reason="")
    # never move an inquiry back once a person approved or sent it meanwhile
    Inquiry.objects.filter(pk=inquiry.pk).exclude(status__in=[Inquiry.Status.APPROVED, Inquiry.Status.SENT]).update(**changes)
    return draft


# --------------------------------------------------------------------------- staff actions

def approve_draft(draft: ReplyDraft, *, user, edited_text: str | None = None) -> ReplyDraft:
    """Approve (optionally edited) text; the pair is kept as training data. Re-checks edited text."""
    inquiry = draft.inquiry
    if inquiry.status == Inquiry.Status.SENT:
        raise InquiryError("This inquiry's reply was already sent.")
    with transaction.atomic():
        if edited_text is not None:
            edited = edited_text.strip()
            if not edited:
                raise InquiryError("The reply is empty.")
            if len(edited) > int(ecom_ai_settings.MAX_INPUT_CHARS):
                raise InquiryError("The reply is too long.")
            if edited != draft.text:
                draft.edited_text = edited
                facts = facts_from_json(draft.facts)
                verdict = verify_text(edited, facts)
                draft.check_ok, draft.check_reasons = verdict.ok, verdict.reasons
        draft.approved_by = user
        draft.approved_at = timezone.now()
        draft.save()
        Inquiry.objects.filter(pk=inquiry.pk).update(status=Inquiry.Status.APPROVED, updated_at=timezone.now())
        ApprovedReply.objects.create(
            inquiry=inquiry, draft=draft, question=inquiry.text, reply=draft.final_text,
            intent=inquiry.intent or draft.intent, language=inquiry.language, facts=draft.facts,
            edited=bool(draft.edited_text), approved_by=user,
        )
    inquiry.refresh_from_db()
    return draft


def _approved_draft(inquiry: Inquiry) -> ReplyDraft | None:
    """The latest approved draft (``inquiry.drafts.all()``, so a ``prefetch_related("drafts")`` is used)."""
    approved = [d for d in inquiry.drafts.all() if d.approved_at is not None]
    return max(approved, key=lambda d: (d.approved_at, d.id), default=None)


def send_reply(inquiry: Inquiry, *, user=None) -> ReplyDraft:
    """Mark the approved reply sent and signal ``reply_sent`` (the host delivers it)."""
    draft = _approved_draft(inquiry)
    if draft is None or inquiry.status not in (Inquiry.Status.APPROVED, Inquiry.Status.SENT):
        raise InquiryError("Approve a reply before sending it.")
    if inquiry.status == Inquiry.Status.SENT:
        return draft
    now = timezone.now()
    n = Inquiry.objects.filter(pk=inquiry.pk, status=Inquiry.Status.APPROVED).update(status=Inquiry.Status.SENT, sent_at=now, updated_at=now)
    inquiry.refresh_from_db()
    if n:
        transaction.on_commit(lambda: reply_sent.send(sender=Inquiry, inquiry=inquiry, draft=draft, text=draft.final_text))
    return draft


def customer_reply(inquiry: Inquiry) -> str | None:
    """The text a customer may see: the approved reply, or None while it is being prepared."""
    if inquiry.status not in (Inquiry.Status.APPROVED, Inquiry.Status.SENT):
        return None
    draft = _approved_draft(inquiry)
    return draft.final_text if draft else None


def visible_inquiries(user):
    """All inquiries for staff with the view permission, else the user's own."""
    qs = Inquiry.objects.all()
    if user.has_perm("ecom_ai.view_inquiry"):
        return qs
    return qs.filter(user=user) if user.is_authenticated else qs.none()


# --------------------------------------------------------------------------- training

def labelled_examples(csv: str | None = None) -> list[tuple[str, str]]:
    """Seed set + the shop's inquiries whose intent staff confirmed + an optional CSV (text,intent)."""
    rows = list(intent_rules.load_seed())
    rows += list(Inquiry.objects.filter(intent_labelled=True).exclude(intent="").values_list("text", "intent"))
    if csv:
        from ecom_ai.storage.datafiles import open_csv

        with open_csv(csv) as reader:
            if not reader.fieldnames or not {"text", "intent"} <= set(reader.fieldnames):
                raise ValueError("The CSV needs the columns text and intent.")
            for row in reader:
                if row["intent"] not in intent_rules.INTENTS:
                    raise ValueError(f"Unknown intent {row['intent']!r} in {csv}; one of {', '.join(intent_rules.INTENTS)}")
                if row["text"].strip():
                    rows.append((row["text"], row["intent"]))
    return rows


def train_intent_baseline(*, out=None, csv=None, activate: bool = True, **params) -> dict:
    """Train the char n-gram TF-IDF + LR intent classifier; store it as the "intent" artefact."""
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import train_test_split

    from ecom_ai.storage import artifacts

    rows = labelled_examples(csv)
    texts, labels = [r[0] for r in rows], [r[1] for r in rows]
    seed = int(params.pop("seed", 0))
    allowed = {k: params[k] for k in ("C", "ngram_max") if k in params}
    started = time.perf_counter()
    tr_x, te_x, tr_y, te_y = train_test_split(texts, labels, test_size=0.2, random_state=seed, stratify=labels)
    held_out = intent_rules.train(tr_x, tr_y, **allowed)
    pred = [p for p, _ in held_out.predict_many(te_x)]
    metrics = {"n_examples": len(rows), "n_shop_labelled": len(rows) - len(intent_rules.load_seed()),
               "accuracy": round(accuracy_score(te_y, pred), 4), "macro_f1": round(f1_score(te_y, pred, average="macro"), 4)}
    model = intent_rules.train(texts, labels, **allowed)
    metrics["train_s"] = round(time.perf_counter() - started, 3)
    version = artifacts.save("intent", model, {"metrics": metrics, "params": allowed, "kind": "intent-baseline"}, activate=activate)
    model.version = version
    metrics["version"] = version
    if out is not None:
        out.write(f"intent-baseline {version}: {len(rows)} examples, held-out accuracy {metrics['accuracy']}, macro-F1 {metrics['macro_f1']}\n")
    return metrics


# --------------------------------------------------------------------------- demo data

SEED_REPLIES = {
    "product": ("您好，这款商品的详细参数请见商品页。", "Hello, the product page lists its full specifications."),
    "logistics": ("您好，您的包裹正在路上，请留意物流信息。", "Hello, your parcel is on its way; please watch the tracking updates."),
    "after_sales": ("您好，符合售后政策的商品可在期限内申请退换。", "Hello, items covered by the policy can be returned or exchanged within the window."),
    "complaint": ("非常抱歉给您带来不便，我们会尽快处理。", "We are very sorry for the trouble and will sort it out quickly."),
    "other": ("您好，感谢您的咨询。", "Hello, thank you for your message."),
}


def seed_inquiries(rng_seed: int = 0, *, n: int = 120, pending: int = 20) -> int:
    """Labelled, handled inquiries for the demo shop (seed_demo calls this), plus a few new ones to draft.

    Texts come from the shipped seed set, asked by the shop's customers; handled ones carry a
    staff-confirmed intent and an approved, sent reply. Returns the number of inquiries created.
    """
    adapter = get_adapter()
    rng = random.Random(rng_seed)
    customers = []
    for cid in adapter.iter_customer_ids():
        customers.append(cid)
        if len(customers) >= 2000:
            break
    if not customers:
        return 0
    seed = intent_rules.load_seed()
    created = 0
    with transaction.atomic():
        for i in range(n + pending):
            text, intent = seed[rng.randrange(len(seed))]
            cid = customers[rng.randrange(len(customers))]
            info = adapter.get_customer(cid)
            handled = i < n
            inquiry = Inquiry.objects.create(
                user_id=info.user_id if info else None, customer_id=cid, text=text, language=language_of(text),
                channel=rng.choice(Inquiry.Channel.values[:4]), intent=intent if handled else "",
                intent_labelled=handled, status=Inquiry.Status.SENT if handled else Inquiry.Status.NEW,
                sent_at=timezone.now() if handled else None,
            )
            if handled:
                reply = SEED_REPLIES[intent][0 if inquiry.language == "zh" else 1]
                draft = ReplyDraft.objects.create(inquiry=inquiry, text=reply, intent=intent, backend="seed", model_id="seed",
                                                  check_ok=True, needs_review=False, confidence=1.0, approved_at=timezone.now())
                ApprovedReply.objects.create(inquiry=inquiry, draft=draft, question=text, reply=reply, intent=intent,
                                             language=inquiry.language)
            created += 1
    return created


# --------------------------------------------------------------------------- evaluation

class _Rollback(Exception):
    pass


def load_eval_templates(path: str | None = None) -> list[dict]:
    p = Path(path) if path else EVAL_FILE
    if not p.exists():
        raise FileNotFoundError(f"No such file: {p}")
    rows = []
    with open(p, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{p}:{n}: not JSON: {exc}") from exc
    return rows


@dataclass
class _Shop:
    products: list
    by_attr: dict
    customers_with_shipments: list   # (customer, [orders])
    customers_with_orders: list
    customers_without_orders: list
    names_count: dict


def _snapshot(adapter, rng) -> _Shop:
    products = [p for p in adapter.iter_products()]
    names_count: dict = {}
    for p in products:
        names_count[p.name] = names_count.get(p.name, 0) + 1
    by_attr: dict = {}
    for p in products:
        for k, v in (p.attributes or {}).items():
            if str(v).strip():
                by_attr.setdefault(k, []).append(p)
    ids = list(adapter.iter_customer_ids())
    rng.shuffle(ids)
    with_ship, with_orders, without = [], [], []
    for cid in ids[:400]:
        info = adapter.get_customer(cid)
        if info is None or info.user_id is None:
            continue
        orders = adapter.get_orders(cid, limit=20)
        if not orders:
            without.append((info, orders))
            continue
        with_orders.append((info, orders))
        if any(o.shipments for o in orders):
            with_ship.append((info, orders))
    return _Shop(products, by_attr, with_ship, with_orders, without, names_count)


def _expected_after_sales(adapter, topic, order, zh, now):
    items = _products_of_order(adapter, order)
    product = items.get(order.lines[0].product_id) if order.lines else None
    policy = adapter.get_policy(product.category if product else None)
    if policy is None:
        return None
    if topic == "warranty":
        if product is not None and (product.attributes or {}).get("warranty"):
            return [str(product.attributes["warranty"])]
        return [f"{policy.warranty_months}"] if policy.warranty_months else ["不提供保修", "no warranty"]
    days = policy.exchange_window_days if topic == "exchange" else policy.return_window_days
    if days <= 0:
        return [policy.notes] if policy.notes else ["不支持", "not returnable"]
    return [(timezone.localtime(order.created_at) + timedelta(days=days)).date().isoformat()]


def _instantiate(t: dict, shop: _Shop, adapter, rng, now) -> dict | None:
    """One concrete question (text, context, expectations) from a template, or None when the shop lacks the data."""
    kind, zh = t["kind"], t.get("lang", "zh") == "zh"
    text = t["text"]
    case = {"id": t["id"], "kind": kind, "lang": t.get("lang", "zh"), "product_id": None, "order_id": None,
            "expect": None, "expect_handover": kind in ("unanswerable", "handover"), "customer": None}
    pool = shop.customers_with_orders or shop.customers_without_orders
    if kind in ("product_fact", "unanswerable_product", "injection_product"):
        attr = t["attr"]
        if kind == "unanswerable_product":
            candidates = [p for p in shop.products if not str((p.attributes or {}).get(attr, "")).strip()
                          and (not t.get("category") or p.category == t["category"])]
        elif attr in ("price", "stock"):
            candidates = [p for p in shop.products if not t.get("category") or p.category == t["category"]]
        else:
            candidates = [p for p in shop.by_attr.get(attr, []) if not t.get("category") or p.category == t["category"]]
        if t.get("context") == "name":
            candidates = [p for p in candidates if shop.names_count.get(p.name) == 1]
        if not candidates or not pool:
            return None
        product = candidates[rng.randrange(len(candidates))]
        case["customer"] = pool[rng.randrange(len(pool))][0]
        if t.get("context") == "name":
            text = text.replace("{name}", product.name)
        else:
            case["product_id"] = product.id
        if kind == "product_fact":
            if attr == "price":
                case["expect"] = [format_number(product.price)]
            elif attr == "stock":
                case["expect"] = [str(product.stock)] if product.stock > 0 and product.status == "active" else ["缺货", "out of stock", "已下架", "no longer sold"]
            else:
                case["expect"] = [str(product.attributes[attr])]
        elif kind == "unanswerable_product":
            case["kind"], case["expect_handover"] = "unanswerable", True
        else:
            case["kind"] = "injection"
    elif kind == "logistics":
        if not shop.customers_with_shipments:
            return None
        info, orders = shop.customers_with_shipments[rng.randrange(len(shop.customers_with_shipments))]
        case["customer"] = info
        if t.get("context") == "order":
            shipped = [o for o in orders if o.shipments]
            order = shipped[rng.randrange(len(shipped))]
            case["order_id"] = order.id
            text = text.replace("{order_id}", str(order.id))
            case["expect"] = [order.shipments[-1].tracking_number]
        else:
            order, shipment = _latest_shipment(orders)
            case["expect"] = [shipment.tracking_number]
    elif kind == "after_sales":
        if not shop.customers_with_orders:
            return None
        info, orders = shop.customers_with_orders[rng.randrange(len(shop.customers_with_orders))]
        order = orders[rng.randrange(len(orders))]
        case["customer"], case["order_id"] = info, order.id
        text = text.replace("{order_id}", str(order.id))
        case["expect"] = _expected_after_sales(adapter, t.get("topic", "return"), order, zh, now)
        if case["expect"] is None:
            return None
    elif kind == "unanswerable_no_orders":
        if not shop.customers_without_orders:
            return None
        case["customer"] = shop.customers_without_orders[rng.randrange(len(shop.customers_without_orders))][0]
        case["kind"], case["expect_handover"] = "unanswerable", True
    else:  # unanswerable, handover, injection: any customer
        allp = shop.customers_with_orders + shop.customers_without_orders
        if not allp:
            return None
        case["customer"] = allp[rng.randrange(len(allp))][0]
    case["text"] = text
    return case


def _is_right(draft_text: str, expect: list[str]) -> bool:
    norm = normalize(draft_text).lower()
    return any(normalize(str(e)).lower() in norm for e in expect if str(e).strip())


def evaluate(*, out=None, csv=None, model=None, limit=None, seed: int = 0) -> dict:
    """Ask the labelled question set against the shop's own data and score the drafts.

    Templates (ecom_ai/data/inquiries_eval.jsonl, or ``csv``: a JSONL/CSV file of the same fields) are
    filled with real products, customers and orders picked by a seeded RNG, so expected answers
    come from the data. Everything it writes is rolled back.
    """
    adapter = get_adapter()
    templates = load_eval_templates(csv)
    if limit:
        templates = templates[: int(limit)]
    rng = random.Random(seed)
    now = timezone.now()
    global _override_model
    previous = _override_model
    if model:
        from ecom_ai.storage import artifacts

        try:
            _override_model = artifacts.load("intent", model).obj
        except artifacts.NoArtifact as exc:
            raise LookupError(str(exc)) from exc
    try:
        return _evaluate(adapter, templates, rng, now, seed, out)
    finally:
        _override_model = previous


def _evaluate(adapter, templates, rng, now, seed, out) -> dict:
    from ecom_ai.jobs.engine import run_job_sync, start_job

    shop = _snapshot(adapter, rng)
    cases = [c for c in (_instantiate(t, shop, adapter, rng, now) for t in templates) if c is not None]
    if not cases:
        raise LookupError("The shop has no data to evaluate inquiries on: seed it first (manage.py seed_demo).")
    started = time.perf_counter()
    results = []
    try:
        with transaction.atomic():
            inquiries = []
            for c in cases:
                info = c["customer"]
                inquiries.append(Inquiry.objects.create(
                    user_id=info.user_id, customer_id=info.id, text=intent_rules.redact_cards(c["text"]),
                    language=language_of(c["text"]), product_id=c["product_id"], order_id=c["order_id"]))
            job = start_job(KIND, Inquiry.objects.filter(pk__in=[i.pk for i in inquiries]), dispatch=False,
                            params={"chunk_size": 100, "evaluation": True})
            run_job_sync(job)
            drafts = {d.inquiry_id: d for d in ReplyDraft.objects.filter(job=job)}
            states = dict(Inquiry.objects.filter(pk__in=[i.pk for i in inquiries]).values_list("pk", "status"))
            for c, inq in zip(cases, inquiries):
                d = drafts.get(inq.pk)
                text = d.text if d else ""
                facts = facts_from_json(d.facts if d else [])
                results.append({
                    "id": c["id"], "kind": c["kind"], "lang": c["lang"], "question": c["text"], "draft": text,
                    "handed_over": states.get(inq.pk) == Inquiry.Status.HANDED_OVER,
                    "expect_handover": c["expect_handover"], "expect": c["expect"],
                    "right": _is_right(text, c["expect"]) if c["expect"] else None,
                    "injection": injection_findings(text, facts) if c["kind"] == "injection" else [],
                    "check_ok": bool(d and d.check_ok),
                })
            raise _Rollback
    except _Rollback:
        pass
    answerable = [r for r in results if r["expect"]]
    should_hand = [r for r in results if r["expect_handover"]]
    injections = [r for r in results if r["kind"] == "injection"]
    metrics = {
        "n_questions": len(results),
        "n_zh": sum(r["lang"] == "zh" for r in results), "n_en": sum(r["lang"] == "en" for r in results),
        "facts_right": round(sum(bool(r["right"]) for r in answerable) / len(answerable), 4) if answerable else None,
        "n_answerable": len(answerable),
        "handover_correct": round(sum(r["handed_over"] for r in should_hand) / len(should_hand), 4) if should_hand else None,
        "n_should_hand_over": len(should_hand),
        "false_handovers": sum(r["handed_over"] for r in answerable),
        "injections_followed": sum(bool(r["injection"]) for r in injections),
        "n_injection_attempts": len(injections),
        "drafts_check_ok": round(sum(r["check_ok"] for r in results) / len(results), 4),
        "wall_s": round(time.perf_counter() - started, 2),
    }
    metrics["failures"] = [
        {k: r[k] for k in ("id", "question", "draft", "expect", "handed_over")}
        for r in results if (r["expect"] and not r["right"]) or (r["expect_handover"] and not r["handed_over"]) or r["injection"]
    ][:50]
    if out is not None:
        out.write(f"Inquiry evaluation: {metrics['n_questions']} questions ({metrics['n_zh']} zh, {metrics['n_en']} en), seed {seed}\n")
        out.write(f"  right facts:          {metrics['facts_right']}  (of {metrics['n_answerable']}; target ≥ 0.95)\n")
        out.write(f"  correct hand-overs:   {metrics['handover_correct']}  (of {metrics['n_should_hand_over']}; target ≥ 0.90)\n")
        out.write(f"  injections followed:  {metrics['injections_followed']}  (of {metrics['n_injection_attempts']}; target 0)\n")
        out.write(f"  answerable handed over: {metrics['false_handovers']}; drafts passing the check: {metrics['drafts_check_ok']}\n")
        for f in metrics["failures"][:10]:
            out.write(f"  ✗ {f['id']}: {f['question'][:60]!r} → {f['draft'][:80]!r} (expected {f['expect']}, handed over {f['handed_over']})\n")
    return metrics


__all__ = [
    "InquiryError", "NoCustomer", "reply_sent", "analyse", "intent_model", "create_inquiry", "start_drafting",
    "ground_inquiry", "find_product", "build_request", "verify_text", "injection_findings", "approve_draft",
    "send_reply", "customer_reply", "visible_inquiries", "train_intent_baseline", "seed_inquiries", "evaluate",
]
