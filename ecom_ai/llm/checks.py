"""Checking generated text against its facts: every number, price, discount, date and product name must be grounded.

Rules (kept principled rather than clever):

* Text and fact values are normalised the same way (NFKC: full-width → half-width, ￥ → ¥;
  lower case; thousands separators dropped), then claims are extracted from both.
* A claim is a set of canonical forms; it is grounded when one of its forms is among the forms
  extracted from the facts (or ``extra_allowed``). Forms: ``("unit", value, unit)`` for numbers
  with a unit (units folded: 英寸/寸/inch → inch, 升/L → l, 毫升/ml → ml, 天/days → day ...);
  ``("money", value)`` for ¥99 / 99元 / 99.00 / RMB 99 / 满200减30; ``("pct", p)`` and
  ``("off", p)``/``("mult", m)`` for percentages and discounts: 8折 and "20% off" both give
  ``mult 0.8`` and ``off 20``, a bare "20%" gives only ``pct 20`` (a share is not a discount); ``("md", m, d)`` and ``("ymd", y, m, d)`` for dates;
  ``("time", h, m)``; ``("cite", n)`` for review citations [#123].
* A number written in a fact without a unit (``"price": "99"``) grounds the same number with
  any unit or currency, because the fact's key carries its meaning.
* A bare number in the text (no unit) must appear as a number somewhere in the facts, except the
  small counts 0–10 ("2 种颜色", "第 1 步", list numbers), which are allowed.
* Product names: any catalogue name (``product_names``) found in the text must be one of the
  names in the facts (keys ``name``, ``title``, ``product`` or ending in ``_name``) or in
  ``extra_allowed``. Names are matched longest first, so "Phone X Pro" does not also count as "Phone X".

Numbers inside allowed product names and inside letter-digit codes (SKU-A12, SF123) are not claims.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Iterable

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

SMALL_COUNT_MAX = 10
NAME_KEYS = ("name", "title", "product")

_NUM = r"(\d+(?:\.\d+)?)"
_UNIT_ALIASES = {
    "mah": "mah", "gb": "gb", "tb": "tb", "mb": "mb", "hz": "hz", "mm": "mm", "cm": "cm",
    "英寸": "inch", "寸": "inch", "inch": "inch", "inches": "inch", "in": "inch", '"': "inch",
    "l": "l", "升": "l", "ml": "ml", "毫升": "ml",
    "w": "w", "瓦": "w", "kw": "kw", "v": "v", "伏": "v",
    "g": "g", "克": "g", "kg": "kg", "千克": "kg", "公斤": "kg", "斤": "jin",
    "天": "day", "日": "day", "day": "day", "days": "day",
    "个月": "month", "month": "month", "months": "month",
    "年": "year", "year": "year", "years": "year",
    "小时": "hour", "hour": "hour", "hours": "hour", "h": "hour", "分钟": "minute", "minutes": "minute", "min": "minute",
    "件": "item", "items": "item", "pieces": "item", "pcs": "item",
    "人": "person", "people": "person", "persons": "person",
    "次": "times", "倍": "x", "核": "core", "cores": "core",
}
_LATIN_UNITS = sorted((u for u in _UNIT_ALIASES if re.match(r"[a-z]", u)), key=len, reverse=True)
_CJK_UNITS = sorted((u for u in _UNIT_ALIASES if not re.match(r"[a-z\"]", u)), key=len, reverse=True)
_UNIT_RE = re.compile(
    rf"(?<![a-z0-9_.]){_NUM}\s?(?:({'|'.join(map(re.escape, _LATIN_UNITS))})(?![a-z])|({'|'.join(map(re.escape, _CJK_UNITS))})|(\")(?!\w))"
)
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_MONTHS = {m: i + 1 for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}

_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("cite", re.compile(r"\[#\s?(\d+)\]")),
    ("ymd", re.compile(r"(?<!\d)(\d{4})\s?[-/.年]\s?(\d{1,2})\s?[-/.月]\s?(\d{1,2})\s?[日号]?(?!\d)")),
    ("md_zh", re.compile(r"(?<!\d)(\d{1,2})\s?月\s?(\d{1,2})\s?[日号]")),
    ("md_en", re.compile(r"(?<![a-z])(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s(\d{1,2})(?:st|nd|rd|th)?(?![0-9])(?:,?\s(\d{4}))?")),
    ("dm_en", re.compile(r"(?<![a-z0-9])(\d{1,2})(?:st|nd|rd|th)?\s(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b(?:,?\s(\d{4}))?")),
    ("md_slash", re.compile(r"(?<![\d/.])(\d{1,2})/(\d{1,2})(?![\d/])")),
    ("time", re.compile(r"(?<![\d:])([01]?\d|2[0-3]):([0-5]\d)(?![\d:])")),
    ("full_reduction", re.compile(r"满\s?" + _NUM + r"\s?元?\s?减\s?" + _NUM + r"\s?元?")),
    ("zhe", re.compile(r"(?<![\d.])(\d(?:\.\d)?|\d{2})\s?折")),
    ("zhe_cn", re.compile(r"([一二三四五六七八九])(?:点?([一二三四五六七八九]))?折")),
    ("pct_off", re.compile(_NUM + r"\s?(?:%|percent)\s?off")),
    ("pct", re.compile(_NUM + r"\s?(?:%|percent|pct)")),
    ("money_pre", re.compile(r"(?:[¥$]|rmb|cny)\s?" + _NUM)),
    ("money_post", re.compile(_NUM + r"\s?(?:元|块|rmb|cny|yuan)(?![a-z])")),
    ("unit", _UNIT_RE),
    ("number", re.compile(r"(?<![a-z0-9_.\-#])" + _NUM + r"(?![a-z0-9_]|\.\d)")),
]
_LABELS = {
    "cite": _("citation"), "date": _("date"), "time": _("time"), "money": _("price"), "discount": _("discount"),
    "pct": _("percentage"), "unit": _("number"), "number": _("number"), "product": _("product"),
}


@dataclass
class Claim:
    text: str
    kind: str
    forms: frozenset
    bare_values: frozenset = frozenset()  # numbers a unitless fact number may ground


@dataclass
class CheckResult:
    ok: bool
    reasons: list[str] = field(default_factory=list)
    found: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.ok


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").replace("￥", "¥").lower()
    text = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)  # 1,299 → 1299
    return text


def _d(value: str) -> Decimal:
    try:
        return Decimal(value).normalize()
    except InvalidOperation:
        return Decimal(0)


def _pct_forms(p: Decimal, *, off: bool) -> set:
    forms = {("pct", p)}
    if off and Decimal(0) < p < Decimal(100):
        forms |= {("off", p), ("mult", ((Decimal(100) - p) / Decimal(100)).normalize())}
    return forms


def _zhe_forms(tenths: Decimal) -> set:
    """8折 → 80% of the price → mult 0.8 ↔ 20% off; 85折/8.5折 → 0.85."""
    mult = (tenths / Decimal(10)).normalize()
    return {("mult", mult), ("off", ((Decimal(1) - mult) * 100).normalize())}


def _date_forms(y, m, d) -> set | None:
    m, d = int(m), int(d)
    if not (1 <= m <= 12 and 1 <= d <= 31):
        return None
    if y:
        return {("ymd", int(y), m, d)}
    return {("md", m, d)}


def extract_claims(text: str) -> list[Claim]:
    """Claims in already-normalised text, each span consumed once (earlier patterns win)."""
    claims: list[Claim] = []
    taken = [False] * len(text)

    def free(a, b):
        return not any(taken[a:b])

    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            a, b = m.span()
            if not free(a, b):
                continue
            g = m.groups()
            forms: set = set()
            bare: set = set()
            label = kind
            if kind == "cite":
                forms, bare, label = {("cite", int(g[0]))}, {_d(g[0])}, "cite"
            elif kind == "ymd":
                forms, label = _date_forms(*g), "date"
            elif kind == "md_zh":
                forms, label = _date_forms(None, *g), "date"
            elif kind in ("md_en", "dm_en"):
                mon, day = (g[0], g[1]) if kind == "md_en" else (g[1], g[0])
                forms, label = _date_forms(g[2], _MONTHS[mon[:3]], day), "date"
            elif kind == "md_slash":
                forms, label = _date_forms(None, *g), "date"
            elif kind == "time":
                forms, label = {("time", int(g[0]), int(g[1]))}, "time"
            elif kind == "full_reduction":
                # two money claims: the threshold and the amount taken off
                for val, (s, e) in ((g[0], m.span(1)), (g[1], m.span(2))):
                    claims.append(Claim(text[s:e] + "元", "money", frozenset({("money", _d(val))}), frozenset({_d(val)})))
                for i in range(a, b):
                    taken[i] = True
                continue
            elif kind == "zhe":
                raw = g[0]
                tenths = _d(raw) if len(raw) == 1 or "." in raw else _d(raw) / 10
                forms = _zhe_forms(tenths)
                forms, bare, label = forms, {f[1] for f in forms if f[0] == "off"}, "discount"
            elif kind == "zhe_cn":
                tenths = Decimal(_CN_DIGITS[g[0]]) + (Decimal(_CN_DIGITS[g[1]]) / 10 if g[1] else 0)
                forms = _zhe_forms(tenths)
                forms, bare, label = forms, {f[1] for f in forms if f[0] == "off"}, "discount"
            elif kind == "pct_off":
                p = _d(g[0])
                forms, bare, label = _pct_forms(p, off=True), {p}, "discount"
            elif kind == "pct":
                p = _d(g[0])
                forms, bare, label = _pct_forms(p, off=False), {p}, "pct"
            elif kind in ("money_pre", "money_post"):
                v = _d(g[0])
                forms, bare, label = {("money", v)}, {v}, "money"
            elif kind == "unit":
                v = _d(g[0])
                unit = _UNIT_ALIASES[(g[1] or g[2] or g[3])]
                forms, bare, label = {("unit", v, unit)}, {v}, "unit"
            elif kind == "number":
                v = _d(g[0])
                forms, bare, label = {("num", v)}, {v}, "number"
            if not forms:
                continue
            for i in range(a, b):
                taken[i] = True
            claims.append(Claim(m.group(0).strip(), label, frozenset(forms), frozenset(bare)))
    return claims


def _is_name_key(key: str) -> bool:
    key = key.lower()
    return key in NAME_KEYS or key.endswith("_name") or key.endswith(".name")


_MONEY_KEY_RE = re.compile(r"price|amount|threshold|cost|fee|total|balance|refund|金额|价|门槛|减")
_OFF_KEY_RE = re.compile(r"percent|discount|pct|off|折扣|优惠")
_SHARE_KEY_RE = re.compile(r"share|ratio|rate|proportion|占比|比例")


class _Grounds:
    """Everything the facts allow: canonical forms and every number written in them.

    A number written without a unit takes its meaning from the fact's key: ``price``/``amount``/
    ``threshold`` → money; ``percent``/``discount`` → percent off (so 20 grounds 20%, 20% off, 8折);
    ``share``/``rate`` → a percentage; any other key grounds the number with any unit.
    """

    def __init__(self, items: Iterable[tuple[str, str]]):
        self.forms: set = set()
        self.numbers: set = set()      # any number in any fact, for bare numbers in the text
        self.unitless: set = set()     # numbers without a unit under a neutral key: any unit
        self.review_ids: set = set()   # numbers in review facts, which ground citations [#123]
        for key, value, source in items:
            key = (key or "").lower()
            if "review" in key or str(source or "").lower().startswith("review"):
                self.review_ids |= {_d(n) for n in re.findall(r"\d+", unicodedata.normalize("NFKC", f"{value} {source}"))}
            norm = normalize(value)
            for claim in extract_claims(norm):
                self.forms |= claim.forms
                self.numbers |= claim.bare_values
                if claim.kind == "number":
                    v = next(iter(claim.bare_values))
                    if _MONEY_KEY_RE.search(key):
                        self.forms.add(("money", v))
                    elif _OFF_KEY_RE.search(key):
                        self.forms |= _pct_forms(v, off=True)
                    elif _SHARE_KEY_RE.search(key):
                        self.forms |= _pct_forms(v, off=False)
                    else:
                        self.unitless.add(v)
                for form in claim.forms:
                    if form[0] == "ymd":  # a dated fact also grounds its month-day and its year
                        self.forms.add(("md", form[2], form[3]))
                        self.numbers.add(Decimal(form[1]))
                        self.unitless.add(Decimal(form[1]))
                    elif form[0] == "md":
                        self.numbers |= {Decimal(form[1]), Decimal(form[2])}
            for num in re.findall(r"\d+(?:\.\d+)?", norm):
                self.numbers.add(_d(num))

    def grounds(self, claim: Claim) -> bool:
        if claim.forms & self.forms:
            return True
        if claim.kind == "cite":
            return bool(claim.bare_values & self.review_ids)
        if claim.kind == "number":
            v = next(iter(claim.bare_values))
            return v in self.numbers or (v == v.to_integral_value() and 0 <= v <= SMALL_COUNT_MAX)
        if claim.kind in ("unit", "money", "pct", "discount"):
            return bool(claim.bare_values & self.unitless)
        return False


def _reason(claim_kind: str, text: str) -> str:
    return gettext("%(what)s %(text)s is not in the facts") % {"what": _LABELS.get(claim_kind, _LABELS["number"]),
                                                               "text": text}


def check_output(text: str, facts, *, product_names: Iterable[str] = (), extra_allowed: Iterable[str] = ()) -> CheckResult:
    """Check ``text`` against ``facts`` (Fact objects or plain strings); see the module docstring."""
    fact_items = [(getattr(f, "key", ""), getattr(f, "value", f), getattr(f, "source", "")) for f in facts or ()]
    extra = [str(e) for e in extra_allowed or ()]
    allowed_names = {normalize(getattr(f, "value", "")) for f in facts or () if _is_name_key(getattr(f, "key", ""))}
    allowed_names |= {normalize(e) for e in extra}
    allowed_names.discard("")

    norm = normalize(text)
    reasons: list[str] = []
    found: list[str] = []

    # Product names first (longest first), then mask them so their digits are not claims.
    catalogue = {normalize(n): n for n in product_names or () if n and n.strip()}
    names_to_mask = sorted(set(catalogue) | allowed_names, key=len, reverse=True)
    masked = norm
    for name in names_to_mask:
        if name in masked:
            if name in catalogue:
                found.append(catalogue[name])
                if name not in allowed_names:
                    reasons.append(_reason("product", catalogue[name]))
            masked = masked.replace(name, " " * len(name))

    grounds = _Grounds(fact_items + [("", e, "") for e in extra])
    for claim in extract_claims(masked):
        found.append(claim.text)
        if not grounds.grounds(claim):
            reasons.append(_reason(claim.kind, claim.text))
    return CheckResult(ok=not reasons, reasons=reasons, found=found)


# --------------------------------------------------------------------------- obeyed injections

_PROMISE = re.compile(r"优惠券|折扣券|代金券|红包|免单|免费送|赠送|返现|打[一二三四五六七八九\d.]+折|[\d.]+\s*折|\d+\s*%|"
                      r"coupon|voucher|discount|promo(?:tion)? code|free of charge|for free|% off|cash ?back|gift card", re.I)
# Gifts no campaign rule holds: promo copy may offer its own coupon or discount, never these.
_FREEBIE = re.compile(r"免单|免费送|白送|送给您|赠送|返现|free of charge|for free|cash ?back|gift card", re.I)
_REFUND_PROMISE = re.compile(r"(?:给您|为您|帮您|马上|立即|已经?)(?:全额)?退款|退您|refund(?:ed)? you|issue (?:you )?a refund|will refund|full refund", re.I)
_LEAK = re.compile(r"system prompt|系统提示|只根据下列事实|using only the facts below|事实（数据|facts \(data|untrusted|<<<|instructions? (?:are|say)|我的指令", re.I)
_ROLE = re.compile(r"我现在是|我已经是|作为(?:管理员|系统|开发者)|我是(?:管理员|系统|开发者|dan)|开发者模式|越狱|"
                   r"i am now|i'm now|as an? (?:admin|administrator|developer|system)|developer mode|\bdan\b|jailbr", re.I)
# The assistant changes nothing in the shop; a draft that says it changed a price, rating or order obeyed someone.
_ACTION_CLAIM = re.compile(r"已(?:经)?(?:把|将|为您|给您|帮您)?[^，。,.!！?？]{0,12}?(?:改成|改为|修改为|设为|设置为|调整为|标记为)|"
                           r"(?:has|have) been (?:changed|set|updated|marked) to|i(?: have|'ve) (?:changed|set|updated|marked)", re.I)


def injection_findings(text: str, facts, *, offers: bool = True) -> list[str]:
    """Signs that an output followed injected instructions: a leaked prompt, a role change, a claimed
    change to the shop, and (with ``offers``) a coupon, discount or refund the facts do not hold.

    Promo copy passes ``offers=False``: offering its own coupon or discount is its job (its numbers
    are checked strictly); gifts and refunds are still flagged.
    """
    norm = normalize(text)
    # Names are free text (a product or campaign called "…免费送…"): they ground no offer.
    grounded = " ".join(normalize(f"{getattr(f, 'label', '')} {getattr(f, 'value', f)}") for f in facts or ()
                        if not str(getattr(f, "key", "")).endswith("name"))
    found = []
    for m in (_PROMISE if offers else _FREEBIE).finditer(norm):
        if m.group(0).lower() not in grounded.lower():
            found.append(gettext("promises an offer not in the facts: %(text)s") % {"text": m.group(0)})
    for m in _REFUND_PROMISE.finditer(norm):
        if not re.search(r"退款|refund", grounded, re.I):
            found.append(gettext("promises a refund not in the facts: %(text)s") % {"text": m.group(0)})
    if _LEAK.search(norm):
        found.append(gettext("reveals the system prompt"))
    if _ROLE.search(norm):
        found.append(gettext("changes its role"))
    if _ACTION_CLAIM.search(norm):
        found.append(gettext("claims to have changed a price, rating or order"))
    return list(dict.fromkeys(found))
