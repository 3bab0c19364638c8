"""Redacting personal data (phones, e-mail, ID cards, bank cards, street addresses) from text sent off the machine."""
from __future__ import annotations

import re

_TAGS = {
    "zh": {"phone": "[电话]", "email": "[邮箱]", "id_card": "[身份证]", "bank_card": "[银行卡]", "address": "[地址]"},
    "en": {"phone": "[PHONE]", "email": "[EMAIL]", "id_card": "[ID]", "bank_card": "[CARD]", "address": "[ADDRESS]"},
}
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")

EMAIL_RE = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
# 18-digit resident ID: 6-digit region, birth date, 3-digit sequence, check digit (0-9 or X).
ID_CARD_RE = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx](?![0-9A-Za-z])"
)
# Mainland mobile: 1[3-9]x xxxx xxxx, optional +86 / 0086, spaces or dashes between groups.
MOBILE_RE = re.compile(r"(?<![\d+])(?:(?:\+|00)?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)")
# Landline: area code starting with 0 in brackets or followed by a dash/space, 7-8 digit number, optional extension.
LANDLINE_RE = re.compile(r"(?<![\d])(?:(?:\+|00)?86[\s-]?)?(?:\(0\d{2,3}\)|（0\d{2,3}）|0\d{2,3}[\s-])\s?\d{7,8}(?:[-转]\d{1,5})?(?!\d)")
# Candidate card numbers: 16-19 digits, optionally grouped; kept only when the Luhn check passes.
CARD_CANDIDATE_RE = re.compile(r"(?<![\d])\d(?:[ -]?\d){15,18}(?![\d])")

_CN = r"[\u4e00-\u9fff]"
_CN_NUM = r"[0-9一二三四五六七八九十百零〇]"
ZH_ADDRESS_RE = re.compile(
    rf"(?:{_CN}{{2,7}}(?:省|自治区))?(?:{_CN}{{2,7}}市)?(?:{_CN}{{1,7}}(?:区|县|旗))?(?:{_CN}{{1,7}}(?:镇|乡|街道))?"
    rf"(?:"
    rf"{_CN}[{_CN[1:-1]}0-9]{{0,11}}(?:路|街|大街|大道|道|巷|弄|胡同|里){_CN_NUM}+号(?:院)?"
    rf"|{_CN}{{2,10}}(?:小区|花园|公寓|大厦|新村|家园|苑)"
    rf")"
    rf"(?:\s?[0-9A-Za-z一二三四五六七八九十]+(?:号楼|栋|幢|座|楼|单元|层|号|室))*"
)
EN_ADDRESS_RE = re.compile(
    r"\b\d{1,5}[A-Za-z]?\s+(?:[A-Z][A-Za-z'.-]*\s+){1,4}"
    r"(?:St|Street|Rd|Road|Ave|Avenue|Blvd|Boulevard|Ln|Lane|Dr|Drive|Way|Ct|Court|Pl|Place|Terrace|Hwy|Highway)\b\.?"
    r"(?:,?\s*(?:Apt|Apartment|Suite|Ste|Unit|Room|#)\.?\s*[A-Za-z0-9-]+)?"
)


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _language(text: str, language: str | None) -> str:
    if language in _TAGS:
        return language
    return "zh" if _CJK_RE.search(text) else "en"


def redact(text: str, *, language: str | None = None) -> str:
    """Replace personal data in ``text`` with tags such as [电话]/[PHONE]; other text is left alone.

    Order matters: e-mail first (its digits must not look like phones), then ID cards (18 digits
    would also pass as a card), cards (Luhn-checked), phones, addresses.
    """
    if not text:
        return text
    tags = _TAGS[_language(text, language)]
    text = EMAIL_RE.sub(tags["email"], text)
    text = ID_CARD_RE.sub(tags["id_card"], text)

    def _card(match: re.Match) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        if 16 <= len(digits) <= 19 and luhn_ok(digits):
            return tags["bank_card"]
        return match.group(0)

    text = CARD_CANDIDATE_RE.sub(_card, text)
    text = MOBILE_RE.sub(tags["phone"], text)
    text = LANDLINE_RE.sub(tags["phone"], text)
    text = ZH_ADDRESS_RE.sub(tags["address"], text)
    text = EN_ADDRESS_RE.sub(tags["address"], text)
    return text
