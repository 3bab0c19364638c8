"""Copy generation for campaigns: the rule as typed facts, one request per channel × language ×
variant, distinct variants, and saving the drafts.

Copy is content for customers in the campaign's language (not UI): English copy is written from
English facts — a product's English name where the shop has one, else its original name once —
and without a Chinese campaign name in an English sentence where the copy can do without it.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace
from decimal import Decimal

from django.utils.translation import gettext

from ecom_ai.campaigns.limits import CHANNELS, LANGUAGES, CampaignError, fmt, get_limits
from ecom_ai.campaigns.models import Campaign, CampaignCopy
from ecom_ai.campaigns.rules import flat_errors, normalize_campaign, validate_campaign
from ecom_ai.kinds import Feature
from ecom_ai.llm.base import Fact, GenerationRequest
from ecom_ai.llm.checks import normalize
from ecom_ai.llm.facts import facts_to_json, format_local

#: fact key -> (Chinese label, English label): how the model is told what each fact is, in the copy's language
FACT_LABELS = {
    "campaign_name": ("活动名称", "campaign name"), "kind": ("活动类型", "kind of campaign"), "name": ("商品", "product"),
    "english_name": ("英文商品名", "product's English name"), "price": ("活动价", "deal price"),
    "original_price": ("原价", "regular price"), "threshold": ("满", "spend at least"), "amount": ("减", "amount off"),
    "percent": ("折扣（百分比）", "percent off"), "coupons_issued": ("发放张数", "coupons issued"),
    "stock": ("限量", "units available"), "group_size": ("成团人数", "group size"),
    "fill_hours": ("成团时限（小时）", "hours to fill a group"), "starts_at": ("开始时间", "starts"),
    "ends_at": ("结束时间", "ends"), "per_customer_limit": ("每人限购", "limit per customer"),
}
#: what an English copy calls a campaign whose own name is Chinese and which names no single product
ENGLISH_KIND_NAMES = {"coupon": "Coupon", "flash_sale": "Flash sale", "group_buy": "Group buy"}
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _fact(key: str, value: str, source: str) -> Fact:
    return Fact(key, value, source, FACT_LABELS.get(key, ("", ""))[0])


def rule_facts(campaign: Campaign, *, source: str | None = None) -> list[Fact]:
    """The campaign's rule as typed facts (keys ecom_ai.llm.grounded reads for promo copy).

    These are what every copy is checked against, whatever its language; :func:`language_facts`
    makes a language's view of them for the writer.
    """
    src = source or f"campaign:{campaign.pk}"
    snap = list(campaign.products_snapshot or [])
    facts = [_fact("campaign_name", campaign.name, src), _fact("kind", campaign.kind, src)]
    if len(snap) == 1:
        facts.append(_fact("name", snap[0]["name"], f"product:{snap[0]['id']}"))
        if snap[0].get("name_en"):
            facts.append(_fact("english_name", snap[0]["name_en"], f"product:{snap[0]['id']}"))
    price = campaign.price
    prices = {Decimal(str(p["price"])) for p in snap}
    if price is not None:
        facts.append(_fact("price", fmt(price), src))
        if len(prices) == 1:
            facts.append(_fact("original_price", fmt(next(iter(prices))), f"product:{snap[0]['id']}"))
    if campaign.kind == Campaign.Kind.COUPON:
        if campaign.threshold is not None and campaign.amount is not None:
            facts += [_fact("threshold", fmt(campaign.threshold), src), _fact("amount", fmt(campaign.amount), src)]
        elif campaign.percent_off is not None:
            facts.append(_fact("percent", fmt(campaign.percent_off), src))
        if campaign.total_issued:
            facts.append(_fact("coupons_issued", str(campaign.total_issued), src))
    if campaign.kind == Campaign.Kind.FLASH_SALE and campaign.stock_cap:
        facts.append(_fact("stock", str(campaign.stock_cap), src))
    if campaign.kind == Campaign.Kind.GROUP_BUY:
        if campaign.group_size:
            facts.append(_fact("group_size", str(campaign.group_size), src))
        if campaign.fill_hours:
            facts.append(_fact("fill_hours", str(campaign.fill_hours), src))
    if campaign.starts_at:
        facts.append(_fact("starts_at", format_local(campaign.starts_at), src))
    if campaign.ends_at:
        facts.append(_fact("ends_at", format_local(campaign.ends_at), src))
    if campaign.per_customer_limit:
        facts.append(_fact("per_customer_limit", str(campaign.per_customer_limit), src))
    return facts


def language_facts(facts, language: str) -> list[Fact]:
    """The facts a writer gets for one language, labelled in it.

    English: the product's English name replaces its Chinese one; a Chinese campaign name is left
    out when the copy names a product, and otherwise replaced by the kind of campaign in English
    (a shop's English campaign name is kept as it is).
    """
    by_key = {f.key: f for f in facts}
    english = by_key.get("english_name")
    has_name = "name" in by_key
    out = []
    for f in facts:
        if f.key == "english_name":
            continue
        if language == "en":
            if f.key == "name" and english is not None:
                f = replace(f, value=english.value)
            elif f.key == "campaign_name" and _CJK.search(f.value or ""):
                if has_name:
                    continue
                kind = by_key.get("kind")
                f = replace(f, value=ENGLISH_KIND_NAMES.get(kind.value if kind else "", "Special offer"))
        labels = FACT_LABELS.get(f.key)
        if labels:
            f = replace(f, label=labels[0] if language == "zh" else labels[1])
        out.append(f)
    return out


def fingerprint(facts) -> str:
    payload = json.dumps(sorted((f.key, f.value) for f in facts), ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def copy_languages(campaign: Campaign, override=None) -> list[str]:
    if override:
        langs = [override] if isinstance(override, str) else list(override)
        langs = ["zh", "en"] if "both" in langs else langs
    else:
        langs = ["zh", "en"] if campaign.language == Campaign.Language.BOTH else [campaign.language]
    bad = [lang for lang in langs if lang not in LANGUAGES]
    if bad:
        raise CampaignError(gettext("Unknown language(s): %(languages)s.") % {"languages": ", ".join(map(str, bad))})
    return langs


def build_copy_requests(campaign: Campaign, *, facts=None, channels=None, languages=None, variants=None,
                        limits: dict | None = None) -> list[tuple[str, str, int, GenerationRequest]]:
    """One promo_copy request per channel × language × variant (params channel/variant/signature)."""
    limits = limits or get_limits()
    facts = facts if facts is not None else rule_facts(campaign)
    channels = list(channels or CHANNELS)
    unknown = [c for c in channels if c not in CHANNELS]
    if unknown:
        raise CampaignError(gettext("Unknown channel(s): %(channels)s.") % {"channels": ", ".join(map(str, unknown))})
    n = int(variants or limits.get("variants") or 3)
    if not 1 <= n <= 10:
        raise CampaignError(gettext("Variants must be between 1 and 10."))
    out = []
    for language in copy_languages(campaign, languages):
        signature = limits["sms_signature"] if language == "zh" else (limits.get("sms_signature_en") or limits["sms_signature"])
        lang_limits = limits.get("channel_limits", {}).get(language, {})
        mine = language_facts(facts, language)
        for channel in channels:
            max_chars = min(lang_limits.get(channel) or 10 ** 6, int(limits["sms_max_chars"]) if channel == "sms" else 10 ** 6)
            for variant in range(n):
                params = {"channel": channel, "variant": variant, "variants": n, "signature": signature,
                          "max_chars": max_chars}
                out.append((channel, language, variant, GenerationRequest(
                    Feature.PROMO_COPY, language, facts=list(mine), params=params,
                    max_new_tokens=400 if channel == "email_body" else 120, temperature=0.8)))
    return out


def prepare_copy(campaign: Campaign, *, params: dict | None = None, products: dict | None = None,
                 limits: dict | None = None, terms: list | None = None):
    """The ground step: normalise the campaign (fresh product snapshot), validate it as complete, and
    return (facts, requests). Raises CampaignError when the rule is not valid.

    ``products`` (ProductInfo by id) and ``terms`` (banned terms) default to the adapter's and the shop's.
    """
    params = params or {}
    limits = limits or get_limits()
    normalize_campaign(campaign, products)
    errors = validate_campaign(campaign, complete=True, products=products, limits=limits, terms=terms)
    if errors:
        raise CampaignError(gettext("The rule is not valid, no copy written: %(errors)s") % {"errors": flat_errors(errors)})
    facts = rule_facts(campaign)
    requests = build_copy_requests(campaign, facts=facts, channels=params.get("channels"),
                                   languages=params.get("languages"), variants=params.get("variants"), limits=limits)
    return facts, requests


def generate_distinct(backend, requests, *, retries: int = 2) -> list:
    """The backend's results for ``requests`` (as :func:`build_copy_requests` returns them), with a
    variant that repeats an earlier variant of its channel and language asked again with another seed
    (at most ``retries`` times), so staff get variants to choose from rather than copies of one."""
    results = list(backend.generate([req for *_, req in requests])) if requests else []
    for attempt in range(1, retries + 1):
        seen, again = set(), []
        for i, ((channel, language, _variant, _req), result) in enumerate(zip(requests, results)):
            key = (channel, language, tuple((f.key, f.value) for f in _req.facts), normalize(result.text or ""))
            if result.finish_reason != "error" and key in seen:
                again.append(i)
            seen.add(key)
        if not again:
            break
        retried = backend.generate([replace(requests[i][3], seed=_reseed(requests[i][3], attempt)) for i in again])
        for i, result in zip(again, retried):
            if result.finish_reason != "error":
                results[i] = result
    return results


def _reseed(request: GenerationRequest, attempt: int) -> int:
    payload = json.dumps([request.language, request.params.get("channel"), request.params.get("variant"), attempt,
                          [(f.key, f.value) for f in request.facts]], ensure_ascii=False, default=str)
    return int.from_bytes(hashlib.sha256(payload.encode()).digest()[:6], "big")


def save_copies(campaign: Campaign, drafts, facts, *, job=None, backend: str = "") -> list[CampaignCopy]:
    """The save step: replace the campaign's unchosen copies with these drafts (chosen copies stay) and store the snapshot."""
    fp = fingerprint(facts)
    Campaign.objects.filter(pk=campaign.pk).update(products_snapshot=campaign.products_snapshot,
                                                   product_ids=campaign.product_ids)
    campaign.copies.exclude(status=CampaignCopy.Status.CHOSEN).delete()
    rows = [CampaignCopy(
        campaign=campaign, channel=d.channel, language=d.language, variant=d.variant, text=d.text,
        status=CampaignCopy.Status.READY if d.check.ok else CampaignCopy.Status.NEEDS_REVIEW,
        check_ok=d.check.ok, reasons=d.check.reasons, facts=facts_to_json(facts), rule_fingerprint=fp,
        backend=backend, model_id=d.model_id[:200], job=job, tokens_in=d.tokens_in, tokens_out=d.tokens_out,
    ) for d in drafts]
    return CampaignCopy.objects.bulk_create(rows)


def catalogue_names(limit: int = 20000) -> list[str]:
    """The shop's product names (and English names), so a copy naming another product is caught."""
    from ecom_ai.adapters import get_adapter

    names = []
    for p in get_adapter().iter_products():
        names.append(p.name)
        if getattr(p, "name_en", ""):
            names.append(p.name_en)
        if len(names) >= limit:
            break
    return names
