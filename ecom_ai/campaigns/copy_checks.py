"""Checks of campaign copy against the rule's facts and the shop's limits, and re-checks after a change.

* :func:`check_copy` — numbers equal the rule, no banned absolute terms, channel length limits,
  the SMS signature, no markup, no sign of an obeyed injection;
* :func:`strict_number_reasons` — a labelled number (秒杀价, 原价, 满X减Y, N人成团 …) equals that very
  rule value, not merely some fact;
* :func:`check_results` — the verify step of copy generation;
* :func:`recheck_copies` — every copy of a campaign against its current rule.

Reasons are staff-facing messages, in the language active when the check runs.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _, ngettext

from ecom_ai.campaigns.copy import fingerprint, rule_facts
from ecom_ai.campaigns.limits import banned_terms, contains_banned, dec, fmt, get_limits
from ecom_ai.campaigns.models import Campaign, CampaignCopy
from ecom_ai.llm.checks import check_output, extract_claims, injection_findings, normalize
from ecom_ai.llm.facts import facts_to_json
from ecom_ai.llm.fence import looks_like_instructions


@dataclass
class CopyCheck:
    ok: bool
    reasons: list[str] = field(default_factory=list)

    def __bool__(self):
        return self.ok


_N = r"(\d+(?:\.\d+)?)"
_CUR = r"(?:[¥$]|rmb|cny)?\s*"
_LABELLED = [
    # (fact key, pattern, label); group 1 is the number
    ("price", re.compile(r"(?:秒杀价|拼团价|团购价|活动价|特价|到手价|惊爆价|flash[- ]sale price|flash price|group price|"
                         r"sale price|deal price|team price)\s*[:：]?\s*(?:是|为|仅|只要|只需)?\s*" + _CUR + _N), _("price")),
    ("original_price", re.compile(r"(?:原价|日常价|划线价|\bwas|originally|original price|regular price|usual price)\s*[:：]?\s*"
                                  + _CUR + _N), _("original price")),
    ("group_size", re.compile(r"(\d+)\s*人(?:成团|团|拼团|拼)"), _("group size")),
    ("group_size", re.compile(r"(?:groups? of|teams? of|team up with)\s*(\d+)"), _("group size")),
    ("group_size", re.compile(r"(\d+)[- ]?(?:person|people|member)s?\s*(?:group|team)"), _("group size")),
    ("stock", re.compile(r"(?:限量|仅剩|仅限|只有|库存(?:还有|仅|只有)?|还剩|剩余)\s*[:：]?\s*(\d+)\s*(?:件|份|台|个|套)?"), _("stock")),
    ("stock", re.compile(r"only\s*(\d+)\s*(?:available|left|units?|items?|pieces?|in stock)"), _("stock")),
    ("per_customer_limit", re.compile(r"(?:每人限购|限购|每人限)\s*(\d+)"), _("limit per customer")),
    ("per_customer_limit", re.compile(r"(?:limit(?:ed to)?\s*(\d+)\s*per (?:customer|person))"), _("limit per customer")),
    ("fill_hours", re.compile(r"(\d+)\s*(?:小时|h|hours?)\s*(?:内)?\s*(?:成团|to fill)"), _("hours to fill")),
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
#: fact keys whose values are names: their digits are not claims
_NAME_KEYS = ("name", "english_name", "campaign_name")


def _md(value: str) -> tuple[int, int] | None:
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", value or "")
    return (int(m.group(2)), int(m.group(3))) if m else None


def _num_eq(text_value: str, fact_value: str) -> bool:
    a, b = dec(text_value), dec(fact_value)
    return a is not None and b is not None and a == b


def strict_number_reasons(text: str, facts) -> list[str]:
    """Numbers whose label says what they are (秒杀价, 原价, 满X减Y, N人成团, 限量N, dates that start or
    end the campaign, discounts, money) must equal that very rule value, not merely some fact."""
    fv = {}
    for f in facts:
        fv.setdefault(f.key, f.value)
    norm = normalize(text)
    for key in _NAME_KEYS:
        n = normalize(fv.get(key, ""))
        if n:
            norm = norm.replace(n, " " * len(n))
    reasons = []

    def mismatch(label, found, expected):
        reasons.append(gettext("%(label)s %(found)s does not match the rule (%(expected)s).") % {
            "label": label, "found": found, "expected": expected if expected not in (None, "") else "—"})

    for key, pattern, label in _LABELLED:
        for m in pattern.finditer(norm):
            if not _num_eq(m.group(1), fv.get(key)):
                mismatch(label, m.group(0).strip(), fv.get(key))
    for pattern, keys in _REDUCTION:
        for m in pattern.finditer(norm):
            for value, key in zip(m.groups(), keys):
                if not _num_eq(value, fv.get(key)):
                    mismatch(gettext("threshold/amount"), m.group(0).strip(),
                             f"{fv.get('threshold', '—')}/{fv.get('amount', '—')}")
                    break
    # every amount of money is one of the rule's prices or amounts
    money_ok = {dec(fv[k]) for k in ("price", "original_price", "threshold", "amount") if fv.get(k)}
    for claim in extract_claims(norm):
        if claim.kind == "money" and not any(v in money_ok for v in claim.bare_values):
            mismatch(gettext("amount of money"), claim.text, "/".join(fmt(v) for v in sorted(money_ok)) or None)
        elif claim.kind in ("discount", "pct"):
            pct = dec(fv.get("percent"))
            if pct is None or not ({("off", pct.normalize()), ("pct", pct.normalize())} & claim.forms):
                mismatch(gettext("discount"), claim.text, (fv.get("percent") + "%") if fv.get("percent") else None)
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
                mismatch(gettext("start date"), m.group(0).strip(), fv.get("starts_at"))
        elif _END_AFTER.match(after) or _END_BEFORE.search(before):
            if md != end:
                mismatch(gettext("end date"), m.group(0).strip(), fv.get("ends_at"))
    return list(dict.fromkeys(reasons))


def _channel_label(channel: str) -> str:
    return str(CampaignCopy.Channel(channel).label) if channel in CampaignCopy.Channel.values else channel


def check_copy(text: str, *, channel: str, language: str, facts, limits: dict | None = None, banned=None,
               catalogue_names=()) -> CopyCheck:
    """Every check a copy passes before it is ready; the reasons list every failure.

    * numbers, prices, discounts, dates and names are grounded in the rule's facts
      (:func:`ecom_ai.llm.checks.check_output`) and labelled numbers equal their rule value
      (:func:`strict_number_reasons`);
    * no banned absolute term (:func:`~ecom_ai.campaigns.limits.banned_terms`) appears;
    * the channel's length limit holds; an SMS carries the shop's signature; no markup;
    * no sign of an obeyed injection (a leaked prompt, a role change, a claimed change to the shop).
    """
    limits = limits or get_limits()
    reasons: list[str] = []
    text = text or ""
    if not text.strip():
        return CopyCheck(False, [gettext("The copy is empty.")])
    result = check_output(text, facts, product_names=catalogue_names)
    reasons += result.reasons
    reasons += strict_number_reasons(text, facts)
    reasons += injection_findings(text, facts, offers=False)
    for fact in facts:  # a name pasted from a supplier may talk to the model: a person reads it first
        if str(getattr(fact, "key", "")).endswith("name") and looks_like_instructions(str(fact.value)):
            reasons.append(gettext("The fact “%(fact)s” reads like instructions to the AI.")
                           % {"fact": fact.label or fact.key})
    # Every term in every language: a Chinese absolute in English copy (or "No.1" in Chinese) is just as banned.
    bad = contains_banned(text, banned if banned is not None else banned_terms(limits=limits), limits=limits)
    if bad:
        reasons.append(gettext("Contains banned absolute terms: %(terms)s.") % {"terms": ", ".join(bad)})
    limit = (limits.get("channel_limits", {}).get(language) or {}).get(channel)
    if channel == "sms":
        limit = min(limit or 10 ** 6, int(limits.get("sms_max_chars", 70)))
    if limit and len(text) > limit:
        reasons.append(ngettext("%(n)d character, over the %(channel)s limit of %(limit)d.",
                                "%(n)d characters, over the %(channel)s limit of %(limit)d.", len(text))
                       % {"n": len(text), "channel": _channel_label(channel), "limit": limit})
    if channel == "sms":
        signature = (limits["sms_signature"] if language == "zh" else limits.get("sms_signature_en") or limits["sms_signature"]).strip()
        if signature and signature not in text:
            reasons.append(gettext("The SMS lacks the signature %(signature)s.") % {"signature": signature})
    if _CUT_NUMBER.search(text):
        reasons.append(gettext("A number is cut off where the text was shortened."))
    if _MARKUP.search(text):
        reasons.append(gettext("The copy contains markup or script."))
    return CopyCheck(not reasons, list(dict.fromkeys(reasons)))


# --------------------------------------------------------------------------- verify step of generation

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
    """Check each result of :func:`~ecom_ai.campaigns.copy.build_copy_requests`'s requests. ``banned``: the
    banned terms of every language (default: all of them), which every copy is checked against whatever its language."""
    limits = limits or get_limits()
    if banned is None:
        banned = banned_terms(limits=limits)
    drafts = []
    for (channel, language, variant, _req), result in zip(requests, results):
        if result.finish_reason == "error":
            check = CopyCheck(False, [gettext("The backend failed: %(error)s") % {"error": result.error or "error"}])
            text = ""
        else:
            text = (result.text or "").strip()
            check = check_copy(text, channel=channel, language=language, facts=facts, limits=limits,
                               banned=banned, catalogue_names=catalogue_names)
            if result.finish_reason == "length":
                check = CopyCheck(False, check.reasons + [gettext("The output was cut off.")])
        drafts.append(CopyDraft(channel, language, variant, text, check, result.model_id,
                                result.tokens_in or 0, result.tokens_out or 0))
    return drafts


# --------------------------------------------------------------------------- checks after a change

def check_existing(copy: CampaignCopy, facts, limits=None, banned=None) -> CopyCheck:
    """A stored copy (its edit, if any) against the given facts."""
    return check_copy(copy.current_text, channel=copy.channel, language=copy.language, facts=facts, limits=limits,
                      banned=banned)


def apply_check(copy: CampaignCopy, check: CopyCheck, facts) -> None:
    """Record a check on a copy (not saved): ready, still chosen, or back to review."""
    copy.check_ok, copy.reasons = check.ok, check.reasons
    copy.rule_fingerprint, copy.facts = fingerprint(facts), facts_to_json(facts)
    if not check.ok:
        copy.status = CampaignCopy.Status.NEEDS_REVIEW
    elif copy.status != CampaignCopy.Status.CHOSEN:
        copy.status = CampaignCopy.Status.READY


def recheck_copies(campaign: Campaign, *, banned: list | None = None) -> dict[str, int]:
    """Check every copy of the campaign against its current rule (after the rule changed).

    ``banned``: the banned terms of every language (default: all of them).
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
        apply_check(copy, check_existing(copy, facts, limits, banned), facts)
        copy.updated_at = now
    CampaignCopy.objects.bulk_update(copies, ["status", "check_ok", "reasons", "rule_fingerprint", "facts",
                                              "updated_at"])
    return dict(Counter(copy.status for copy in copies))
