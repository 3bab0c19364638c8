"""Writing the reply: the backend request built from the facts, and the check every draft must pass."""
from __future__ import annotations

import random
import re
from dataclasses import dataclass

from ecom_ai.inquiries import intent as intent_rules
from ecom_ai.inquiries.grounding import Grounding
from ecom_ai.kinds import Feature
from ecom_ai.llm.base import GenerationRequest
from ecom_ai.llm.checks import check_output, injection_findings
from ecom_ai.nlp.text import normalize

KIND = Feature.INQUIRY_REPLY

INSTRUCTIONS = {
    "zh": "你是网店客服。只根据下列事实用简体中文礼貌、简洁地回答客户的问题；事实中没有的信息就说明会由同事跟进，不要编造。",
    "en": "You are a shop's customer service. Answer the customer politely and briefly using only the facts below; "
          "if they do not answer it, say a colleague will follow up. Never invent details.",
}


def reply_request(*, question: str, facts, language: str, intent: str = "", answer_keys=None, seed=None) -> GenerationRequest:
    """The backend request for a reply: the instructions, facts as data, the (card-masked) question fenced as untrusted text."""
    lang = "zh" if language == "zh" else "en"
    params = {"intent": intent or ""}
    if answer_keys is not None:
        params["answer_keys"] = list(answer_keys)
    return GenerationRequest(
        task=KIND, language=lang, system=INSTRUCTIONS[lang], facts=list(facts), params=params,
        untrusted={"question": intent_rules.redact_cards(question)},
        max_new_tokens=200, temperature=0.3, seed=seed, writer=write_reply,
    )


def build_request(g: Grounding, *, seed=None) -> GenerationRequest:
    """The backend request for a grounded inquiry: only the facts that answer it (and the product's name)."""
    answer = [f for f in g.facts if f.key in g.answer_keys or f.key == "name"]
    return reply_request(question=g.question, facts=answer, language=g.language, intent=g.intent,
                         answer_keys=g.answer_keys, seed=seed)


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


# --------------------------------------------------------------------------- the rule-based writer

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


class _Facts:
    def __init__(self, facts):
        self.all = list(facts)
        self.by_key = {}
        for f in self.all:
            self.by_key.setdefault(f.key, f)

    def get(self, key: str, default: str = "") -> str:
        f = self.by_key.get(key)
        return f.value.strip() if f and f.value is not None else default


def write_reply(request: GenerationRequest, rng: random.Random) -> str:
    """The rule-based reply GroundedBackend writes (``GenerationRequest.writer``)."""
    zh = request.language == "zh"
    facts = _Facts(request.facts)
    params = request.params or {}
    intent = params.get("intent", "other")
    keys = params.get("answer_keys")
    answer = [f for f in facts.all if (f.key in keys if keys is not None else True)]
    name = facts.get("name") or facts.get("product_name")
    statements = [f for f in answer if f.key not in ("name", "product_name")] or [f for f in answer if f.key in ("name", "product_name")]
    if not statements:
        if zh:
            return rng.choice([
                "您好！关于您的问题，我这边暂时没有查到确切的信息，已经转交同事核实，稍后会有专人跟进回复您，感谢您的耐心。",
                "亲，您好～这个问题我暂时无法给出准确答复，已请相关同事跟进，核实后会第一时间联系您。",
                "您好，感谢您的咨询。目前我手头没有这方面的信息，同事会尽快跟进并回复您，请您稍候。",
            ])
        return rng.choice([
            "Hello! I don't have that information at hand. I've passed your question to a colleague, who will follow up with you shortly.",
            "Hi, thanks for asking. I can't confirm that right now, so a colleague will look into it and get back to you soon.",
            "Thank you for your message. I don't have the details you asked about; a colleague will follow up with you as soon as possible.",
        ])
    if zh:
        greeting = rng.choice(["您好！", "亲，您好～", "您好，感谢您的咨询。"])
        opener = {
            "product": rng.choice([f"关于{name}，", f"您咨询的{name}，"]) if name else "关于您咨询的商品，",
            "logistics": rng.choice(["帮您查询了订单的物流情况：", "您的订单物流信息如下："]),
            "after_sales": rng.choice(["关于您的售后问题，", "售后方面的信息如下："]),
            "complaint": rng.choice(["非常抱歉给您带来不好的体验。", "很抱歉让您失望了。"]),
        }.get(intent, "")
        verb = rng.choice(["是", "为"])
        body = rng.choice(["，", "；"]).join(f"{_label(f, True)}{verb}{_value(f, True)}" for f in statements) + "。"
        closing = (rng.choice(["我们会认真处理，并尽快给您答复。", "我们已记录您的反馈，会尽快跟进处理。"]) if intent == "complaint"
                   else rng.choice(["如有其他问题，随时联系我们。", "祝您购物愉快！", "还有其他需要请随时告诉我们～"]))
        return greeting + opener + body + closing
    greeting = rng.choice(["Hello!", "Hi there,", "Thank you for reaching out."])
    opener = {
        "product": rng.choice([f"About {name}: ", f"Regarding {name}, "]) if name else "About the product you asked about: ",
        "logistics": rng.choice(["I checked your order's shipping: ", "Here is your delivery information: "]),
        "after_sales": rng.choice(["About your after-sales question: ", "Here is the after-sales information: "]),
        "complaint": rng.choice(["We're very sorry for the trouble. ", "I'm sorry this let you down. "]),
    }.get(intent, "")
    body = "; ".join(f"the {_label(f, False)} is {_value(f, False)}" for f in statements)
    body = body[0].upper() + body[1:] if not opener or opener.endswith(". ") else body
    closing = (rng.choice(["We will look into it and get back to you soon.", "We have noted your feedback and will follow up quickly."])
               if intent == "complaint" else rng.choice(["Let us know if there's anything else.", "Happy shopping!", "Feel free to ask if you have other questions."]))
    return f"{greeting} {opener}{body}. {closing}"

def _value(fact, zh: bool) -> str:
    return _money(fact.value, zh) if fact.key in ("price", "original_price", "amount", "refund_amount") else fact.value
