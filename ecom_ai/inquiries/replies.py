"""Writing the reply: the backend request built from the facts, and the check every draft must pass."""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext

from ecom_ai.inquiries import intent as intent_rules
from ecom_ai.inquiries.grounding import Grounding
from ecom_ai.kinds import Feature
from ecom_ai.llm.base import GenerationRequest
from ecom_ai.llm.checks import check_output, injection_findings
from ecom_ai.conf import ecom_ai_settings
from ecom_ai.inquiries.writer import write_reply, writing_problems
from ecom_ai.nlp.text import language_of, normalize

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
    """The backend request for a grounded inquiry: the facts that answer it (with the product and order they belong to)."""
    context = ("name", "item_name", "order_id", "order_date", "latest_note", "latest_update", "policy_notes")
    answer = [f for f in g.facts if f.key in g.answer_keys or f.key in context]
    request = reply_request(question=g.question, facts=answer, language=g.language, intent=g.intent,
                            answer_keys=g.answer_keys, seed=seed)
    request.params["plan"] = {**g.plan, "tone": str(ecom_ai_settings.INQUIRY_TONE)}
    return request


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


def verify_text(text: str, facts, product_names=None, *, language: str | None = None) -> Verdict:
    """check_output against the facts, plus injection signs and card numbers echoed back.

    ``product_names`` are the catalogue's names, so a reply naming another product is caught
    (default: the shop index's names).
    """
    if product_names is None:
        product_names = _catalogue_names()
    check = check_output(text, facts, product_names=product_names)
    reasons = list(check.reasons) + injection_findings(text, facts)
    if intent_rules.card_numbers(text):
        reasons.append(gettext("The reply contains a card number."))
    if not normalize(text):
        reasons.append(gettext("The reply is empty."))
    reasons += writing_problems(text, language or language_of(text), facts)
    return Verdict(not reasons, reasons)
