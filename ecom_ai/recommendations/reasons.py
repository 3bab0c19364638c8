"""Reasons: the facts a reason may use, one batched generation for many lists, and the check of each
text against its facts."""
from __future__ import annotations

from ecom_ai.adapters import ProductInfo
from ecom_ai.llm.base import Fact, GenerationRequest, GenerationResult
from ecom_ai.llm.checks import CheckResult, check_output
from ecom_ai.recommendations.config import FEATURE
from ecom_ai.recommendations.ranking import RecommendationList

#: how attributes read in a reason (zh, en); others keep their key
ATTRIBUTE_LABELS = {
    "waterproof": ("防水", "water resistance"), "battery_capacity": ("电池", "battery"), "weight": ("重量", "weight"),
    "camera": ("摄像头", "camera"), "screen_size": ("屏幕", "screen"), "storage": ("存储", "storage"),
    "memory": ("内存", "memory"), "author": ("作者", "author"), "pages": ("页数", "pages"), "capacity": ("容量", "capacity"),
    "volume": ("容量", "volume"), "hair_type": ("适用", "for"), "room_type": ("房型", "room"), "breakfast": ("早餐", "breakfast"),
    "origin": ("产地", "origin"), "material": ("材质", "material"), "use": ("用途", "use"), "cpu": ("处理器", "CPU"),
    "gpu": ("显卡", "GPU"), "star": ("档次", "class"), "type": ("类型", "type"), "power": ("功率", "power"),
    "size": ("规格", "size"), "style": ("风格", "style"), "colour": ("颜色", "colour"), "color": ("颜色", "colour"),
    "sizes": ("尺码", "sizes"), "fit": ("版型", "fit"), "city": ("城市", "city"), "flavour": ("口味", "flavour"),
    "brand": ("品牌", "brand"), "publisher": ("出版社", "publisher"), "cancellation": ("取消政策", "cancellation"),
}


def reason_facts(p: ProductInfo, anchor: ProductInfo | None, aspect_keys: list[str] = (), language: str = "zh") -> list[Fact]:
    """The facts a reason may use: the product's name, the bought product it follows from, and up to
    two attributes (those the customer asked about first)."""
    src = f"product:{p.id}"
    facts = [Fact("name", p.name, src)]
    if anchor is not None and anchor.id != p.id and anchor.name != p.name:
        facts.append(Fact("anchor_name", anchor.name, f"product:{anchor.id}"))
    attrs = {k: v for k, v in (p.attributes or {}).items() if isinstance(v, (str, int, float)) and str(v).strip()
             and str(v).strip() not in ("无", "none", "-")}
    # only attributes with a label people read: a reason never shows a field key ("sizesS/M/L/XL")
    labelled = [k for k in attrs if k in ATTRIBUTE_LABELS]
    keys = list(dict.fromkeys([k for k in aspect_keys if k in labelled] + labelled))[:2]
    zh = language == "zh"
    facts += [Fact(key, str(attrs[key]), src, label=ATTRIBUTE_LABELS[key][0 if zh else 1]) for key in keys]
    return facts


def generate_reasons(lists: list[RecommendationList]) -> list[GenerationResult]:
    """One batched backend call for every item of every list; returns one summary result per list
    (tokens and latency added up) for the job's accounting. Texts are not checked yet."""
    from ecom_ai.llm.registry import backend_for

    todo = [(n, r) for n, lst in enumerate(lists) for r in lst.items]
    summary = [GenerationResult("", 0, 0, 0.0, "", "stop") for _ in lists]
    if not todo:
        return summary
    requests = [GenerationRequest(task=FEATURE, language=lists[n].language, facts=r.facts, max_new_tokens=80,
                                  temperature=0.3, seed=r.product.id) for n, r in todo]
    backend = backend_for(FEATURE)
    results = backend.generate(requests)
    for (n, r), res in zip(todo, results):
        r.raw = res
        s = summary[n]
        s.tokens_in += res.tokens_in or 0
        s.tokens_out += res.tokens_out or 0
        s.latency_ms += res.latency_ms or 0.0
        s.model_id = res.model_id
    return summary


def check_reasons(lst: RecommendationList) -> CheckResult:
    """Check each generated reason against its facts (numbers, names); failures keep ``reason_ok=False``
    with the check's reasons. Returns the list's overall result."""
    names = {r.product.name for r in lst.items} | {r.anchor.name for r in lst.items if r.anchor}
    problems = []
    for r in lst.items:
        res = r.raw
        if res is None or res.finish_reason == "error" or not (res.text or "").strip():
            r.reason, r.reason_ok, r.check_reasons = "", False, [getattr(res, "error", "") or "no text"]
        else:
            check = check_output(res.text, r.facts, product_names=names)
            r.reason, r.reason_ok, r.check_reasons = res.text.strip(), check.ok, list(check.reasons)
        problems += [f"{r.product.id}: {why}" for why in r.check_reasons]
    return CheckResult(ok=not problems, reasons=problems)


def write_reasons(lists: list[RecommendationList]) -> None:
    """Generate and check the reasons of every list (the live path)."""
    generate_reasons(lists)
    for lst in lists:
        check_reasons(lst)

