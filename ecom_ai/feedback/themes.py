"""Review themes: what customers talk about, found from the reviews, with counts that can be recounted.

A theme is a set of terms. A review *mentions* a theme when its normalised, lower-cased text
contains one of the theme's terms (:func:`mentions`); every count this module reports is that
rule applied to the review texts, so anyone can recount it from the texts and the stored terms.

Themes come from two places:

* a small seed lexicon (物流, 电池, 屏幕, 尺码, 味道, 客服, 包装, 价格, 质量, 外观, 速度, 服务, 卫生…)
  giving readable labels and improvement actions when the reviews use its terms;
* key terms found in the reviews themselves: jieba words scored by TF-IDF (document frequency in
  the group times a background IDF, from the sentiment model's vocabulary when one is trained),
  then clustered by the overlap of the reviews that use them (Jaccard), so 续航 and 充电 that
  always come together make one theme.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

from ecom_ai.nlp.sentiment import preprocess
from ecom_ai.nlp.text import normalize, tokenize


@dataclass(frozen=True)
class SeedTheme:
    slug: str
    label: str            # zh
    label_en: str
    terms: tuple[str, ...]
    action: str           # zh improvement action, for complaints
    action_en: str


SEED_THEMES: tuple[SeedTheme, ...] = (
    SeedTheme("logistics", "物流", "delivery", ("物流", "快递", "发货", "送货", "配送", "到货", "送达", "邮寄", "运输", "delivery", "shipping"),
              "核查承运商的配送时效并跟进延误订单", "review the carrier's delivery times and follow up late orders"),
    SeedTheme("battery", "电池", "battery", ("电池", "续航", "充电", "待机", "电量", "battery", "charging"),
              "检测电池与充电问题，必要时联系供应商", "test battery life and charging, and raise it with the supplier"),
    SeedTheme("screen", "屏幕", "screen", ("屏幕", "显示屏", "屏", "分辨率", "screen", "display"),
              "抽检屏幕质量并完善商品页的屏幕参数说明", "spot-check screens and make the screen specs on the page clearer"),
    SeedTheme("size", "尺码", "sizing", ("尺码", "尺寸", "码数", "偏大", "偏小", "大小", "size", "fit"),
              "更新尺码表并在商品页标注偏大偏小", "update the size chart and say on the page whether it runs large or small"),
    SeedTheme("taste", "味道", "taste", ("味道", "口感", "口味", "好吃", "难吃", "香味", "气味", "味儿", "taste", "flavour", "flavor", "smell"),
              "复核批次口味与储存条件", "check the batch's taste and storage conditions"),
    SeedTheme("support", "客服", "customer service", ("客服", "售后", "态度", "回复", "support", "customer service"),
              "复盘客服对话并加快售后响应", "review support conversations and answer after-sales requests faster"),
    SeedTheme("packaging", "包装", "packaging", ("包装", "破损", "盒子", "外包装", "packaging", "package", "box"),
              "加固包装并检查仓库打包流程", "strengthen the packaging and check how the warehouse packs orders"),
    SeedTheme("price", "价格", "price", ("价格", "价钱", "性价比", "便宜", "划算", "实惠", "贵", "price", "cheap", "expensive", "value"),
              "对比同类价格并考虑调整定价或促销", "compare prices with similar products and consider the price or a promotion"),
    SeedTheme("quality", "质量", "quality", ("质量", "品质", "做工", "正品", "假货", "质感", "quality", "fake", "build"),
              "抽检批次质量并与供应商复核", "spot-check the batch's quality and review it with the supplier"),
    SeedTheme("appearance", "外观", "look", ("外观", "颜色", "样子", "好看", "漂亮", "款式", "颜值", "look", "colour", "color", "design"),
              "核对商品图片与实物颜色款式是否一致", "make sure the photos match the real colour and style"),
    SeedTheme("speed", "速度", "speed", ("速度", "运行", "卡顿", "反应", "流畅", "开机", "speed", "slow", "lag"),
              "测试运行性能并在商品页说明配置", "test performance and state the configuration on the page"),
    SeedTheme("service", "服务", "service", ("服务", "前台", "服务员", "service", "staff"),
              "培训一线服务人员并跟进投诉", "train front-line staff and follow up the complaints"),
    SeedTheme("hygiene", "卫生", "cleanliness", ("卫生", "干净", "脏", "异味", "clean", "dirty"),
              "加强清洁检查", "tighten cleaning checks"),
)
SEEDS_BY_SLUG = {s.slug: s for s in SEED_THEMES}

# Words that say how, not what: they never make a theme of their own.
FILLER = frozenset(
    "不错 很好 好 满意 喜欢 差 一般 东西 感觉 觉得 真的 有点 京东 商品 产品 宝贝 购买 买 卖家 收到 一次 已经 使用 用 知道 "
    "时候 问题 评价 五星 好评 差评 推荐 值得 失望 垃圾 还是 不过 以后 之前 一下 下次 其他 现在 比较 挺 太 特别 不好 非常 "
    "希望 而且 然后 就是 不是 没有 可以 这个 那个 一个 什么 我们 他们 还有 朋友 第一次 一直 应该 直接 只是 知道 结果 "
    "good great bad nice ok okay very really product item bought buy".split()
)
_WORDY = re.compile(r"[A-Za-z\u3400-\u9fff]")


def text_key(text: str) -> str:
    """What two reviews must share to count as the same opinion (spam, copy-paste): normalised text,
    lower case, with whitespace and punctuation dropped."""
    return re.sub(r"[\W_]+", "", normalize(text).lower())


def has_words(text: str) -> bool:
    """False for reviews of only emoji, punctuation or digits."""
    return bool(_WORDY.search(text or ""))


#: The form of a review text that theme terms are matched against (normalised, lower-cased): the
#: same text the sentiment vectorisers see.
match_text = preprocess


def _match_terms(terms: Iterable[str]) -> list[str]:
    return [term.lower() for term in terms if term]


def _contains_any(matched: str, terms: Sequence[str]) -> bool:
    """:func:`mentions` for a text already in :func:`match_text` form and terms from :func:`_match_terms`."""
    return any(term in matched for term in terms)


def mentions(text: str, terms: Iterable[str]) -> bool:
    """The counting rule: the review mentions the theme when its text contains one of the terms."""
    return _contains_any(match_text(text), _match_terms(terms))


def _mentioning(texts: Sequence[tuple[int, str, int | None]], terms: Iterable[str]) -> tuple[list[int], list[int]]:
    """The ids of the ``(id, matched text, label)`` rows that mention ``terms``, and of those the negative ones."""
    low = _match_terms(terms)
    hits = [(rid, label) for rid, t, label in texts if _contains_any(t, low)]
    return [rid for rid, _ in hits], [rid for rid, label in hits if label == 0]


@dataclass
class Theme:
    slug: str
    label: str
    label_en: str
    terms: list[str]
    source: str                      # "seed" | "found"
    review_ids: list[int] = field(default_factory=list)   # every review that mentions it
    negative_ids: list[int] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.review_ids)

    @property
    def negative(self) -> int:
        return len(self.negative_ids)


def _is_candidate(token: str, seed_terms: Sequence[str]) -> bool:
    if len(token) < 2 or token in FILLER or token.isdigit() or not has_words(token):
        return False
    return not any(s in token or token in s for s in seed_terms)


def find_themes(docs: Sequence[tuple[int, str, int | None]], *, max_themes: int = 8, max_found: int = 4,
                background_idf: Callable[[str], float | None] | None = None, min_count: int | None = None,
                exclude_terms: Iterable[str] = ()) -> list[Theme]:
    """Themes of ``docs`` (``(review_id, text, label)`` with label 1/0/None), most mentioned first.

    ``docs`` should already be the distinct reviews (duplicates dropped) that are to be counted.
    ``background_idf(token)`` gives a term's IDF in the shop's whole corpus (None when unseen), so
    words every review uses score low; without it the IDF is taken within ``docs``.
    ``exclude_terms`` (the product's name and category words) and words in most reviews say what the
    product is, not what customers raise about it: they make no found theme.
    """
    n = len(docs)
    if not n:
        return []
    min_found = min_count or max(2, math.ceil(0.03 * n))
    texts = [(rid, match_text(text), label) for rid, text, label in docs]
    themes: list[Theme] = []

    for seed in SEED_THEMES:
        ids, neg = _mentioning(texts, seed.terms)
        if ids:
            themes.append(Theme(seed.slug, seed.label, seed.label_en, list(seed.terms), "seed", ids, neg))

    # Key terms found in the reviews: TF-IDF (group document frequency x background IDF).
    seed_terms = [t for s in SEED_THEMES for t in s.terms]
    excluded = {t.lower() for t in exclude_terms}
    too_common = n * 0.6 if n >= 10 else n + 1
    doc_sets: dict[str, set[int]] = {}
    for rid, text, _ in docs:
        for token in set(tokenize(text)):
            if _is_candidate(token, seed_terms):
                doc_sets.setdefault(token, set()).add(rid)
    scored = []
    for token, ids in doc_sets.items():
        if len(ids) < min_found or len(ids) > too_common or token in excluded:
            continue
        idf = background_idf(token) if background_idf else None
        if idf is None:
            idf = math.log((n + 1) / (len(ids) + 1)) + 1
        scored.append((len(ids) * idf, token))
    scored.sort(key=lambda x: (-x[0], x[1]))
    candidates = [token for _, token in scored[: max_found * 5]]

    # Cluster the key terms by the reviews they share (greedy single-pass, Jaccard >= 0.5).
    clusters: list[tuple[list[str], set[int]]] = []
    for token in candidates:
        ids = doc_sets[token]
        for terms, members in clusters:
            if len(ids & members) / len(ids | members) >= 0.5 or any(token in t or t in token for t in terms):
                terms.append(token)
                members |= ids
                break
        else:
            clusters.append(([token], set(ids)))
        if len(clusters) > max_found:
            clusters.pop()
            break
    for i, (terms, _) in enumerate(clusters[:max_found]):
        ids, neg = _mentioning(texts, terms)
        themes.append(Theme(f"found-{i + 1}", terms[0], terms[0], terms, "found", ids, neg))

    themes.sort(key=lambda th: (-th.count, th.source != "seed", th.slug))
    return themes[:max_themes]


__all__ = ["SEED_THEMES", "SEEDS_BY_SLUG", "SeedTheme", "Theme", "find_themes", "mentions", "match_text", "text_key", "has_words"]
