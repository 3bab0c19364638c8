"""The rule-based reply writer (what GroundedBackend writes with) and the writing check every draft passes.

The writer knows what kind of value each fact holds (a status, a yes/no, a "none") and writes whole
sentences a good 客服 writes, in the shop's tone ("warm": 亲 style; "plain"), in the question's language.
An upset customer reads an apology first; a hand-over says honestly why a colleague takes over.
Templates hold no digits: every number comes from a fact.
"""
from __future__ import annotations

import random
import re

from ecom_ai.inquiries.glossary import has_chinese

# --------------------------------------------------------------------------- phrases

_SHIP = {  # shipment status → what the parcel is doing
    "pending": ("正在等待快递揽收", "is packed and waiting for the courier"),
    "shipped": ("已经被快递揽收", "has been picked up by the courier"),
    "in_transit": ("正在运输途中", "is in transit"),
    "out_for_delivery": ("正在派送中，请保持电话畅通", "is out for delivery today"),
    "delivered": ("已经签收", "has been delivered"),
    "returned": ("已经退回", "has been returned"),
}
_ORDER = {  # order status → what the order is doing (no shipment on record)
    "paid": ("已付款，目前还没有发货", "has been paid but has not shipped yet"),
    "shipped": ("已经发货", "has shipped"),
    "delivered": ("已经送达", "has been delivered"),
    "completed": ("已经完成", "is completed"),
    "refunded": ("已经退款", "has been refunded"),
    "cancelled": ("已经取消", "was cancelled"),
}
_HANDOVER = {
    "future": ("以后的价格、活动或补货时间我这边没法提前确定，已经请同事跟进，有确切消息会第一时间告诉您",
               "I can't tell in advance how prices, sales or restocks will go, so I've asked a colleague to follow up "
               "and we'll let you know as soon as we hear"),
    "address_change": ("修改收货地址需要同事帮您操作，我已经转给同事，会尽快为您处理",
                       "a colleague needs to change the delivery address for you; I've passed it on and they will sort it out soon"),
    "cancel": ("取消订单需要同事帮您操作，我已经转给同事，会尽快为您处理",
               "a colleague needs to cancel the order for you; I've passed it on and they will handle it soon"),
    "invoice": ("开发票的事我已经转给负责的同事，会尽快帮您处理",
                "I've passed the invoice request to the colleague who issues them, and they will get back to you soon"),
    "price_protection": ("保价和差价的申请需要同事核实，我已经帮您转交，会尽快给您答复",
                         "price protection has to be checked by a colleague; I've passed it on and they will reply soon"),
    "coupon": ("这项优惠能不能用需要同事帮您核实，我已经转交，会尽快回复您",
               "a colleague will check that offer for you and get back to you soon"),
    "dispatch_date": ("我已经请同事帮您确认具体的发货时间，会尽快回复您",
                      "I've asked a colleague to confirm the dispatch date, and they will get back to you soon"),
    "region_delivery": ("能不能配送到您所在的地区，需要同事帮您确认，我已经转交，会尽快回复您",
                        "a colleague will confirm whether we deliver to your area and get back to you soon"),
    "compatibility": ("这款商品的适配和兼容信息我这边没有查到，已经请同事核实后回复您",
                      "I can't find compatibility details for this product, so a colleague will check and get back to you"),
    "recommend": ("想帮您挑到真正合适的商品，我已经请同事根据您的需求为您推荐，稍后回复您",
                  "I've asked a colleague to pick a few products that suit what you need, and they will get back to you shortly"),
    "size_advice": ("具体穿哪个码还要结合您的身材来看，我已经请同事帮您推荐合适的尺码",
                    "the right size depends on your measurements, so I've asked a colleague to recommend one for you"),
    "which_product": ("同名的商品有好几款，方便告诉我具体是哪一款吗？也可以从商品页直接咨询",
                      "several products go by that name; could you tell me which one you mean, or ask from its product page?"),
    "injection": ("这个请求我这边无法处理，已经转给同事查看", "I can't help with that request here, so I've passed it to a colleague"),
    "grievance": ("您遇到的情况我已经转给专人优先处理，会尽快联系您，给您一个满意的答复",
                  "I've passed this to a colleague to handle first; they will contact you soon to put it right"),
    "person": ("已经为您转接人工客服，请稍等", "I've passed you to a colleague, who will be with you shortly"),
    "legal": ("您的问题我已经转给专人处理，会尽快和您联系", "I've passed this to a colleague, who will contact you soon"),
    "anger": ("您的问题我已经转给专人优先处理，会尽快和您联系", "I've passed this to a colleague to handle first, and they will contact you soon"),
    "complaint": ("您的反馈我已经转给专人处理，会尽快和您联系", "I've passed your feedback to a colleague, who will contact you soon"),
    "card": ("为了您的资金安全，请不要在对话里发送银行卡号，已经请同事跟进",
             "for your safety, please don't send card numbers here; a colleague will follow up"),
}
_HANDOVER_DEFAULT = ("这个问题我这边暂时没有查到确切的信息，已经转交同事核实，稍后会有专人回复您",
                     "I don't have the details you asked about at hand, so I've passed your question to a colleague "
                     "who will get back to you shortly")


def _tone(plan, zh):
    warm = plan.get("tone", "warm") != "plain"
    if zh:
        return ("亲，您好～", "还有其他问题随时找我哦～") if warm else ("您好，", "如有其他问题，欢迎随时联系我们。")
    return ("Hi there!", "Happy to help with anything else!") if warm else ("Hello.", "Let us know if there is anything else we can help with.")


class _Facts:
    def __init__(self, facts):
        self.by_key = {}
        self.items = []
        for f in facts:
            self.by_key.setdefault(f.key, f)
            if f.key == "item_name":
                self.items.append(f.value)

    def __contains__(self, key):
        return key in self.by_key

    def get(self, key: str, default: str = "") -> str:
        f = self.by_key.get(key)
        return f.value.strip() if f and f.value is not None else default

    def label(self, key):
        f = self.by_key.get(key)
        return (f.label or key.replace("_", " ")) if f else key


# --------------------------------------------------------------------------- the writer

def write_reply(request, rng: random.Random) -> str:
    """The rule-based reply for an inquiry request (``GenerationRequest.writer``)."""
    zh = request.language == "zh"
    params = request.params or {}
    plan = dict(params.get("plan") or {})
    facts = _Facts(request.facts)
    keys = [k for k in (params.get("answer_keys") or []) if k in facts]
    greeting, closing = _tone(plan, zh)
    parts = [greeting]
    if plan.get("negative"):
        parts.append("非常抱歉给您带来不好的体验。" if zh else "I'm really sorry about this.")
    if plan.get("foreign"):
        parts.append("我这边只能查看您账户下的订单，您提供的单号没有在您的账户里找到。麻烦您核对一下，或者告诉我是您账户里的哪一笔订单，我马上帮您查。"
                     if zh else "I can only see the orders on your account, and the number you gave isn't one of them. "
                     "Could you double-check it, or tell me which of your orders you mean? I'll look it up right away.")
        return _tidy(" ".join(parts + [closing]) if not zh else "".join(parts + [closing]), zh)
    body = _body(facts, keys, plan, zh)
    if body:
        parts.append(body)
    if plan.get("ask"):
        parts.append("您账户里有好几笔订单，我不太确定您问的是哪一笔，方便告诉我订单号吗？" if zh else
                     "I see several orders on your account and I'm not sure which one you mean. Could you tell me the order number?")
    codes = [c for c in plan.get("codes") or [] if c != "which_order" or not plan.get("ask")]
    if codes:
        line = next((_HANDOVER[c] for c in codes if c in _HANDOVER), _HANDOVER_DEFAULT)[0 if zh else 1]
        if plan.get("ask") and not [c for c in codes if c in _HANDOVER]:
            line = ""
        if line:
            parts.append((line + "。") if zh else (line[0].upper() + line[1:] + "."))
    elif not body:
        parts.append(_HANDOVER_DEFAULT[0] + "。" if zh else _HANDOVER_DEFAULT[1][0].upper() + _HANDOVER_DEFAULT[1][1:] + ".")
    parts.append(closing)
    return _tidy(("".join(parts)) if zh else " ".join(parts), zh)


def _tidy(text: str, zh: bool) -> str:
    text = re.sub(r"([。！？!?.，,；;])\1+", r"\1", text)
    text = re.sub(r"[，,；;]([。.！!？?])", r"\1", text)
    text = re.sub(r"。([！？!?])", r"\1", text)
    return re.sub(r"\s{2,}", " ", text).strip()


def _sentence(s: str, zh: bool) -> str:
    s = s.strip().rstrip("。.，,；; ")
    if not s:
        return ""
    return s + "。" if zh else s[0].upper() + s[1:] + "."


def _body(f: _Facts, keys: list, plan: dict, zh: bool) -> str:
    name = f.get("name")
    sentences = []
    done = set()
    if "order_id" in f and ({"carrier", "tracking_no", "order_status"} & set(keys) or plan.get("order_id")):
        sentences += _order_sentences(f, keys, plan, zh)
        done |= {"order_id", "order_date", "order_status", "item_name", "carrier", "tracking_no", "shipment_status",
                 "latest_update", "latest_note"}
    sentences += _policy_sentences(f, keys, plan, zh, name)
    done |= {"return_window", "return_deadline", "exchange_window", "exchange_deadline", "warranty", "warranty_months",
             "warranty_until", "policy_notes", "shipping_fee", "free_shipping_over"}
    if "feature" in keys:
        sentences.append(f"是的，{name or '这款商品'}{f.get('feature')}" if zh else
                         f"yes, according to its product description, {name or 'this item'} supports that")
        done.add("feature")
    attrs = [k for k in keys if k not in done and k != "name"]
    sentences += _attribute_sentences(f, attrs, plan, zh, name)
    return "".join(_sentence(s, zh) for s in sentences) if zh else " ".join(_sentence(s, zh) for s in sentences)


def _order_intro(f: _Facts, plan: dict, zh: bool) -> str:
    oid, date = f.get("order_id"), f.get("order_date")
    items = ("、" if zh else ", ").join(f.items)
    how, fitting = plan.get("order_how", ""), int(plan.get("fitting") or 0)
    detail_zh = "，".join(x for x in (f"{date}下单" if date else "", items) if x)
    detail_en = ", ".join(x for x in (f"placed on {date}" if date else "", items) if x)
    if how in ("number", "tracking", "page"):
        return (f"您的订单#{oid}" + (f"（{detail_zh}）" if detail_zh else "")) if zh else \
            (f"your order #{oid}" + (f" ({detail_en})" if detail_en else ""))
    if fitting > 1 and how in ("latest", "open", "product", "date"):
        return (f"您有{fitting}笔相关的订单，我先帮您查了最近的一笔#{oid}（{detail_zh}）：这笔订单") if zh else \
            (f"you have {fitting} matching orders, so I checked the most recent one, #{oid} ({detail_en}): it")
    if how == "newest":
        return f"您最新的一笔订单#{oid}（{detail_zh}）" if zh else f"your most recent order #{oid} ({detail_en})"
    return f"您的订单#{oid}（{detail_zh}）" if zh else f"your order #{oid} ({detail_en})"


def _order_sentences(f: _Facts, keys, plan, zh) -> list[str]:
    intro = _order_intro(f, plan, zh)
    ship = plan.get("shipment_status")
    topic = plan.get("topic", "")
    out = []
    if "carrier" in f and ship:
        carrier, no = f.get("carrier"), f.get("tracking_no")
        if zh:
            out.append(f"{intro}由{carrier}配送，运单号{no}，包裹{_SHIP.get(ship, (f.get('shipment_status'),))[0]}")
        else:
            out.append(f"{intro} is with {carrier}, tracking number {no}, and the parcel {_SHIP.get(ship, ('', f.get('shipment_status')))[1]}")
        when, note = f.get("latest_update"), f.get("latest_note")
        if when:
            if zh:
                out.append(f"最新动态（{when}）：{note}" if note else f"最近一次更新在{when}")
            else:
                out.append(f"latest update ({when}): {note}" if note else f"the last update was at {when}")
    elif plan.get("order_status") or "order_status" in f:
        status = plan.get("order_status", "")
        phrase = _ORDER.get(status, (f.get("order_status"), f.get("order_status")))[0 if zh else 1]
        out.append(f"{intro}{phrase}" if zh else f"{intro} {phrase}")
        if status == "paid" and plan.get("asks_when"):
            out.append("具体的发货时间我这边还查不到，发货后订单里会显示运单号，您可以随时查看" if zh else
                       "I can't see an exact dispatch date yet; the tracking number will appear in your order as soon as it ships")
    return out


def _policy_sentences(f: _Facts, keys, plan, zh, name) -> list[str]:
    subject = name or ("这款商品" if zh else "this item")
    if plan.get("shop_wide"):
        subject = "本店商品一般" if zh else "items from our shop"
    out = []
    for prefix, verb_zh, verb_en in (("return", "退货", "returned"), ("exchange", "换货", "exchanged")):
        window = f.get(f"{prefix}_window")
        if not window or f"{prefix}_window" not in keys:
            continue
        days = int(plan.get("window_days") or 0)
        if days <= 0:
            out.append(f"{subject}不支持无理由退换" if zh else f"{subject} can't be {verb_en} without a fault")
            notes = f.get("policy_notes")
            if notes:
                out.append(f"售后说明：{notes}" if zh else notes)
            continue
        out.append(f"{subject}支持{window}无理由{verb_zh}" if zh else f"{subject} can be {verb_en} within {window}")
        deadline, oid = f.get(f"{prefix}_deadline"), f.get("order_id")
        if deadline and oid:
            if plan.get("within"):
                out.append(f"您的订单#{oid}在{deadline}前都可以申请{verb_zh}" if zh else
                           f"for your order #{oid} you can apply until {deadline}")
            else:
                out.append(f"您的订单#{oid}的{verb_zh}期已经在{deadline}结束了" if zh else
                           f"the {prefix} window for your order #{oid} closed on {deadline}")
    if "warranty" in keys:
        out.append(f"{subject}的保修是{f.get('warranty')}" if zh else f"{subject} comes with a warranty of {f.get('warranty')}")
    elif "warranty_months" in keys:
        if int(plan.get("warranty_months") or 0) > 0:
            out.append(f"{subject}保修{f.get('warranty_months')}" if zh else f"{subject} has a warranty of {f.get('warranty_months')}")
            if "warranty_until" in f and f.get("order_id"):
                out.append(f"您的订单#{f.get('order_id')}保修到{f.get('warranty_until')}" if zh else
                           f"for your order #{f.get('order_id')} it runs until {f.get('warranty_until')}")
        else:
            out.append(f"{subject}不提供保修" if zh else f"{subject} has no warranty")
    if out and plan.get("shop_wide"):
        out.append("个别品类另有规定，具体以商品页的售后说明为准" if zh else
                   "some categories have their own rules, so please check the after-sales note on the product page")
    if "order_total" in keys:
        out.append(f"您的订单#{f.get('order_id')}实付{f.get('order_total')}" if zh else
                   f"you paid {f.get('order_total')} for order #{f.get('order_id')}")
    if "shipping_fee" in keys:
        fee, over = f.get("shipping_fee"), f.get("free_shipping_over")
        zero = re.fullmatch(r"0(?:\.0+)?\s*(?:元|yuan)?", fee) is not None
        if zh:
            out.append("我们是包邮的" if zero else f"运费是{fee}" + (f"，订单满{over}包邮" if over else ""))
        else:
            out.append("shipping is free" if zero else f"shipping costs {fee}" + (f", and it is free on orders over {over}" if over else ""))
    if "order_status" in keys and plan.get("order_status") == "refunded" and "carrier" not in f and not out:
        oid = f.get("order_id")
        out.append(f"您的订单#{oid}已经退款" if zh else f"your order #{oid} has been refunded")
    return out


_NONE_ZH = re.compile(r"^(?:无|没有)$")


def _attribute_sentences(f: _Facts, attrs, plan, zh, name) -> list[str]:
    subject = name or ("这款商品" if zh else "this item")
    out = []
    for key in attrs:
        value, label = f.get(key), f.label(key)
        if key == "stock":
            state = plan.get("stock_state")
            if state == "inactive":
                out.append(f"{subject}已经下架了" if zh else f"{subject} is no longer sold")
            elif state == "out":
                out.append(f"{subject}目前暂时缺货" if zh else f"{subject} is out of stock at the moment")
            else:
                out.append(f"{subject}目前有货，还有{value}" if zh else f"{subject} is in stock ({value} left)")
        elif key == "price":
            out.append(f"{subject}的价格是{value}" if zh else f"{subject} is priced at {value}")
        elif zh:
            if _NONE_ZH.match(value):
                out.append(f"{subject}没有{label}")
            elif value.startswith(("不", "无")):
                out.append(f"{subject}{value}")
            else:
                out.append(f"{subject}的{label}是{value}")
        else:
            if value.lower() in ("none", "no"):
                out.append(f"{subject} has no {label}")
            elif value.lower().startswith("no "):
                out.append(f"{subject} comes with {value}")
            else:
                verb = "are" if label.endswith("s") and not label.endswith("ss") else "is"
                out.append(f"the {label} of {subject} {verb} {value}")
    return out


# --------------------------------------------------------------------------- the writing check

_STATUS_WORDS = r"(?:缺货|有货|签收|发货|送达|完成|退款|取消|下架|揽收|运输中|派送中|支持|提供|超过|过期|可以|不可以|是|否|无)"
_X_IS_STATUS = re.compile(r"(?<![因作认成以称])为(?![您你此了])(?:已|未|暂时|暂|不|待|无)?[\u4e00-\u9fff]{0,2}?" + _STATUS_WORDS)
_DOUBLED = re.compile(r"([。，、；：！？!?,;:])\1|[，、；：,;:][。！？!?.]|。[，,。]|(?<!\.)\.\.(?!\.)")


def writing_problems(text: str, language: str, facts=()) -> list[str]:
    """Reasons a draft reads like a form: "X为Y" with a status word as Y, doubled punctuation, Chinese in an
    English draft other than product names (and the other names the facts hold: authors, publishers)."""
    from django.utils.translation import gettext

    problems = []
    m = _X_IS_STATUS.search(text or "")
    if m:
        problems.append(gettext("The reply reads like a form: “%(text)s”.") % {"text": m.group(0)})
    m = _DOUBLED.search(text or "")
    if m:
        problems.append(gettext("Doubled punctuation: “%(text)s”.") % {"text": m.group(0)})
    if language != "zh":
        rest = text or ""
        names = [getattr(f, "value", "") for f in facts or () if getattr(f, "key", "") in ("name", "author", "publisher", "item_name")]
        for name in sorted((n for n in names if n), key=len, reverse=True):
            for part in [name, *re.split(r"[,、]\s*", name)]:
                rest = rest.replace(part, " ")
        if has_chinese(rest):
            problems.append(gettext("Chinese text in an English reply."))
    return problems
