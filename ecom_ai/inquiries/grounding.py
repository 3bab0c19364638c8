"""Grounding: typed facts that answer an inquiry, from its product, the asker's own orders and the shop's policy.

Grounding reads the shop only through the adapter and only with the inquiry's own ``customer_id``,
so a draft can never show one customer another's orders.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from ecom_ai.adapters import get_adapter
from ecom_ai.inquiries import intent as intent_rules
from ecom_ai.inquiries.models import Inquiry
from ecom_ai.inquiries.understanding import _products_of_order, analyse, attributes_beside_name, find_product
from ecom_ai.llm.base import Fact
from ecom_ai.llm.facts import format_local, format_number

log = logging.getLogger(__name__)

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
