"""Business rules and stated preferences: what may be shown, in which order, and what a customer's
own words ("我喜欢运动，推荐一款适合我的手机。") ask for.

Rules, applied to every list: active and in stock only; not already bought unless consumable; no
more of a category a recent durable purchase rules out (unless that category was asked for);
blocked products never; pinned products first (when they pass the other rules); a price band; at
most ``max_per_category`` per category unless a category was asked for (relaxed only when the
list would otherwise be short).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import numpy as np

#: words a customer may use -> the product aspects they ask for
ASPECT_WORDS: dict[str, tuple[str, ...]] = {
    "sport": ("运动", "户外", "跑步", "骑行", "健身", "登山", "徒步", "游泳", "爬山", "露营", "sport", "sports", "outdoor",
              "running", "hiking", "cycling", "swimming"),
    "waterproof": ("防水", "ip68", "ip67", "ip69", "waterproof", "water"),
    "long_battery": ("续航", "电池", "大电池", "耐用", "battery", "续航长", "待机"),
    "rugged": ("耐摔", "三防", "坚固", "结实", "抗摔", "rugged", "durable"),
    "lightweight": ("轻", "轻薄", "轻便", "便携", "小巧", "lightweight", "light", "slim", "thin", "portable"),
    "camera": ("拍照", "摄影", "影像", "自拍", "长焦", "camera", "photo", "photos", "photography"),
}
#: sport means: waterproof, long battery and rugged
ASPECT_EXPANSION = {"sport": ("waterproof", "long_battery", "rugged")}
#: the attribute that carries each aspect's evidence (used in reasons)
ASPECT_ATTRIBUTE = {"waterproof": "waterproof", "long_battery": "battery_capacity", "rugged": "waterproof",
                    "lightweight": "weight", "camera": "camera"}
RUGGED_WORDS = ("三防", "耐摔", "抗摔", "户外", "运动", "军规", "rugged")
CAMERA_WORDS = ("长焦", "三摄", "影像", "夜景", "人像", "像素", "camera")

_NUMBER = re.compile(r"(\d+(?:\.\d+)?)")
_IP = re.compile(r"ip\s?([0-9x])([0-9])", re.I)


@dataclass
class StatedPreference:
    text: str = ""
    category: str | None = None
    aspects: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.text.strip())


def parse_preference(text: str | None, categories: list[str]) -> StatedPreference:
    """The category named in the text (longest name wins) and the aspects its words ask for."""
    from ecom_ai.nlp.text import normalize

    text = normalize(text or "")[:500]
    if not text:
        return StatedPreference()
    low = text.lower()
    category = next((c for c in sorted(categories, key=len, reverse=True) if c and c.lower() in low), None)
    words = set(re.findall(r"[a-z0-9]+", low))
    aspects: list[str] = []
    for aspect, cues in ASPECT_WORDS.items():
        hit = any((cue in words) if cue.isascii() else (cue in low) for cue in cues)
        if hit:
            for a in ASPECT_EXPANSION.get(aspect, (aspect,)):
                if a not in aspects:
                    aspects.append(a)
    return StatedPreference(text=text, category=category, aspects=tuple(aspects))


def _number(value) -> float | None:
    m = _NUMBER.search(str(value or ""))
    return float(m.group(1)) if m else None


def _water_level(attrs: dict, text: str) -> float:
    m = _IP.search(str(attrs.get("waterproof", "")) or text)
    if not m:
        return 0.0
    return min(int(m.group(2)), 8) / 8.0


def _minmax(values: list[float | None], invert: bool = False) -> np.ndarray:
    arr = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    ok = ~np.isnan(arr)
    out = np.zeros(len(arr))
    if ok.sum():
        lo, hi = arr[ok].min(), arr[ok].max()
        out[ok] = 1.0 if hi == lo else (arr[ok] - lo) / (hi - lo)
        if invert:
            out[ok] = 1.0 - out[ok] if hi != lo else 1.0
    return out


def aspect_scores(products: list, aspects: tuple[str, ...]) -> np.ndarray:
    """Mean per-aspect score in [0, 1] for each product; numbers are scaled within ``products``."""
    if not aspects or not products:
        return np.zeros(len(products))
    texts = [f"{p.name} {p.description} {' '.join(map(str, (p.attributes or {}).values()))}".lower() for p in products]
    cols = []
    for aspect in aspects:
        if aspect == "waterproof":
            cols.append(np.array([_water_level(p.attributes or {}, t) for p, t in zip(products, texts)]))
        elif aspect == "long_battery":
            cols.append(_minmax([_number((p.attributes or {}).get("battery_capacity")) for p in products]))
        elif aspect == "lightweight":
            weights = [_number((p.attributes or {}).get("weight")) for p in products]
            light_word = np.array([1.0 if ("轻" in t or "slim" in t) else 0.0 for t in texts])
            cols.append(np.maximum(_minmax(weights, invert=True), light_word * 0.5))
        elif aspect == "rugged":
            cols.append(np.array([max(_water_level(p.attributes or {}, t) ** 2,
                                      1.0 if any(w in t for w in RUGGED_WORDS) else 0.0) for p, t in zip(products, texts)]))
        elif aspect == "camera":
            cols.append(np.array([min(1.0, sum(w in t for w in CAMERA_WORDS) / 2.0) for t in texts]))
    return np.mean(cols, axis=0) if cols else np.zeros(len(products))


# ------------------------------------------------------------------------------ price band

def parse_price_band(value) -> tuple[Decimal | None, Decimal | None] | None:
    """``"100-500"``, ``"100-"``, ``"-500"``, ``(100, 500)`` or ``{"min": .., "max": ..}``; ``ValueError`` if unreadable."""
    if value in (None, "", (), []):
        return None
    if isinstance(value, dict):
        lo, hi = value.get("min"), value.get("max")
    elif isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError("A price band has two ends: (min, max).")
        lo, hi = value
    else:
        text = str(value).strip()
        if "-" not in text and "~" not in text:
            raise ValueError(f"A price band looks like 100-500, 100- or -500, not {text!r}.")
        lo, hi = re.split(r"[-~]", text, maxsplit=1)

    def dec(x):
        if x in (None, ""):
            return None
        try:
            d = Decimal(str(x).strip())
        except InvalidOperation as exc:
            raise ValueError(f"Not a price: {x!r}") from exc
        if not d.is_finite() or d < 0:
            raise ValueError(f"Not a price: {x!r}")
        return d

    lo, hi = dec(lo), dec(hi)
    if lo is not None and hi is not None and lo > hi:
        raise ValueError("The price band's minimum is above its maximum.")
    if lo is None and hi is None:
        return None
    return lo, hi


# ------------------------------------------------------------------------------ the rules

@dataclass
class Rules:
    pinned: list[int] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)
    bought: set[int] = field(default_factory=set)
    category: str | None = None
    price_band: tuple[Decimal | None, Decimal | None] | None = None
    max_per_category: int = 3
    exclude: set[int] = field(default_factory=set)   # e.g. the product a "similar" list is for
    held: set[str] = field(default_factory=set)      # categories a recent durable purchase rules out

    def allows(self, p) -> bool:
        if p is None or p.status != "active" or (p.stock or 0) <= 0:
            return False
        if p.id in self.blocked or p.id in self.exclude:
            return False
        if p.id in self.bought and not p.consumable:
            return False
        if self.category and p.category != self.category:
            return False
        if not self.category and p.category in self.held:
            return False
        if self.price_band:
            lo, hi = self.price_band
            price = Decimal(str(p.price))
            if (lo is not None and price < lo) or (hi is not None and price > hi):
                return False
        return True


def apply_rules(ranked: list[tuple[int, float, str]], products: dict, rules: Rules, k: int) -> list[tuple[int, float, str]]:
    """Pinned first, then the ranked candidates that pass, with at most ``max_per_category`` per
    category (unless a category was asked for); the cap is relaxed only to fill a short list."""
    out: list[tuple[int, float, str]] = []
    taken: set[int] = set()
    per_cat: dict[str, int] = {}
    top = max((s for _, s, _ in ranked), default=1.0)
    for pid in rules.pinned:
        p = products.get(pid)
        if len(out) < k and pid not in taken and rules.allows(p):
            out.append((pid, float(top), "pinned"))
            taken.add(pid)
            per_cat[p.category] = per_cat.get(p.category, 0) + 1
    cap = None if rules.category else max(1, rules.max_per_category)
    leftovers = []
    for pid, score, source in ranked:
        if len(out) >= k:
            break
        if pid in taken:
            continue
        p = products.get(pid)
        if not rules.allows(p):
            continue
        if cap is not None and per_cat.get(p.category, 0) >= cap:
            leftovers.append((pid, score, source))
            continue
        out.append((pid, score, source))
        taken.add(pid)
        per_cat[p.category] = per_cat.get(p.category, 0) + 1
    for entry in leftovers:
        if len(out) >= k:
            break
        out.append(entry)
    return out
