"""Themes of a set of reviews, with counts anyone can recount.

A theme is either

* an **aspect** (物流, 包装, 口感…; ``ecom_ai.feedback.aspects``): the reviews that *judge* it, each one
  positive, negative or mixed about it, as :meth:`Detector.detect` reads the review; or
* a **discovered** opinion target: a noun that customers judge ("夜景拍照很清晰", "赠品太差") and that no
  aspect covers. Only a word that an opinion word judges in the same clause counts, so what a review merely
  names (牛奶, 喝完, 一瓶) never becomes a theme; nor do the product's own name, brand and category words,
  brand names (光明 for a 蒙牛 milk), function words or measure words.
"""
from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Sequence

from ecom_ai.feedback import aspects as aspects_mod
from ecom_ai.feedback.aspects import Detector
from ecom_ai.nlp.sentiment import preprocess
from ecom_ai.nlp.text import normalize, tokenize

# Words that say how, not what, name the shopping itself or a kind of product: they never make a theme of their own.
FILLER = frozenset(
    "不错 很好 好 满意 喜欢 差 一般 东西 感觉 觉得 真的 有点 京东 商品 产品 宝贝 购买 买 卖家 收到 一次 已经 使用 用 知道 "
    "时候 问题 评价 五星 好评 差评 推荐 值得 失望 垃圾 还是 不过 以后 之前 一下 下次 其他 现在 比较 挺 太 特别 不好 非常 "
    "希望 而且 然后 就是 不是 没有 可以 这个 那个 一个 什么 我们 他们 还有 朋友 第一次 一直 应该 直接 只是 结果 大家 "
    "时间 小时 地方 方面 情况 影响 建议 理由 原因 事情 东东 本人 个人 老婆 老公 孩子 家人 妈妈 爸爸 老妈 老爸 同事 "
    "国产 活动 经济 方法 牛仔裤 裤子 外套 衬衫 t恤 羽绒服 裙子 火龙果 奇异果 猕猴桃 橙子 苹果 橘子 芒果 香蕉 酸奶 纯牛奶 "
    "洗发露 护发素 洗头膏 电脑 笔记本 平板 手机 热水器 酒店 宾馆 书 小说 "
    "good great bad nice ok okay very really product item bought buy".split()
)

#: brand names customers compare with (a competitor is no theme of the product); the shop's own brands come
#: from the product (name, ``attributes["brand"]``)
BRANDS = frozenset(
    "光明 伊利 三元 君乐宝 蒙牛 特仑苏 完达山 新希望 雀巢 安慕希 纯甄 金典 飞鹤 "
    "华为 小米 苹果 三星 诺基亚 摩托罗拉 oppo vivo 荣耀 魅族 联想 戴尔 惠普 华硕 宏碁 神舟 索尼 东芝 苹果 ipad "
    "海尔 美的 万和 万家乐 史密斯 阿里斯顿 林内 能率 "
    "海飞丝 潘婷 飘柔 沙宣 清扬 霸王 舒蕾 欧莱雅 施华蔻 资生堂 "
    "耐克 阿迪 阿迪达斯 李宁 安踏 优衣库 班尼路 美特斯邦威 森马 花花公子 "
    "佳沛 新奇士 都乐 京东 淘宝 天猫 携程 艺龙 当当 亚马逊 卓越".split()
)

#: jieba part-of-speech tags that can name an opinion target (nouns); names of people, places and
#: organisations (nr ns nt), brand-like proper nouns (nz), numerals and measure words (m q) and verbs never do
_NOUN_TAGS = frozenset({"n", "vn", "ng", "an"})
_WORDY = re.compile(r"[A-Za-z\u3400-\u9fff]")


def text_key(text: str) -> str:
    """What two reviews must share to count as the same opinion (spam, copy-paste): normalised text,
    lower case, with whitespace and punctuation dropped."""
    return re.sub(r"[\W_]+", "", normalize(text).lower())


def has_words(text: str) -> bool:
    """False for reviews of only emoji, punctuation or digits."""
    return bool(_WORDY.search(text or ""))


#: the normalised, lower-cased form of a review (the same text the sentiment vectorisers see)
match_text = preprocess


@dataclass
class Theme:
    slug: str
    label: str
    label_en: str
    terms: list[str]
    source: str                      # "aspect" | "found"
    team: str = ""
    review_ids: list[int] = field(default_factory=list)     # every review that judges it
    positive_ids: list[int] = field(default_factory=list)   # ... only positively
    negative_ids: list[int] = field(default_factory=list)   # ... only negatively
    mixed_ids: list[int] = field(default_factory=list)      # ... both ways

    @property
    def count(self) -> int:
        return len(self.review_ids)

    @property
    def positive(self) -> int:
        return len(self.positive_ids)

    @property
    def negative(self) -> int:
        return len(self.negative_ids)

    @property
    def mixed(self) -> int:
        return len(self.mixed_ids)

    @property
    def complaints(self) -> int:
        """Reviews that blame it (negative or mixed)."""
        return self.negative + self.mixed


def _add(theme: Theme, rid: int, polarity: str, term: str = "") -> None:
    theme.review_ids.append(rid)
    {"pos": theme.positive_ids, "neg": theme.negative_ids, "mixed": theme.mixed_ids}[polarity].append(rid)
    if term and term not in theme.terms:
        theme.terms.append(term)


def aspect_themes(judged: dict[int, dict], detector: Detector, category: str | None = None) -> list[Theme]:
    """One theme per aspect that any review judges (``judged``: review id -> {slug: Judgement}), in review order."""
    themes: dict[str, Theme] = {}
    for rid, found in judged.items():
        for slug, j in found.items():
            info = detector.info_for(slug, category)
            theme = themes.get(slug)
            if theme is None:
                theme = themes[slug] = Theme(slug, info.zh if info else slug, info.en if info else slug, [], "aspect",
                                             info.team if info else "product")
            _add(theme, rid, j.polarity)
            for term in j.terms[:3]:
                if term not in theme.terms and len(theme.terms) < 12:
                    theme.terms.append(term)
    return list(themes.values())


def excluded_words(about: Iterable[str]) -> set[str]:
    """What the reviews are about (name, brand, category words): these, and words inside them, make no theme."""
    out = set(BRANDS)
    for text in about:
        text = normalize(text or "").lower()
        if text:
            out.add(text)
            out.update(t for t in tokenize(text) if len(t) > 1)
    return out


def _is_excluded(word: str, excluded: set[str]) -> bool:
    return word in FILLER or any(word in e or (len(e) > 1 and e in word) for e in excluded)


@lru_cache(maxsize=50000)
def _tagged(clause: str) -> tuple[tuple[int, str, str], ...]:
    """(end offset, word, part-of-speech tag) of a clause's jieba words (dictionary only, no HMM: fast)."""
    import jieba
    import jieba.posseg as posseg

    jieba.setLogLevel(logging.WARNING)
    out, pos = [], 0
    for w in posseg.cut(clause, HMM=False):
        pos += len(w.word)
        out.append((pos, w.word, w.flag))
    return tuple(out)


def opinion_targets(text: str, detector: Detector) -> list[tuple[str, int]]:
    """What the opinion words of ``text`` judge when no aspect word takes them: the nearest noun before the
    opinion in its clause (or a word for a thing no aspect covers, such as 拍照), with the opinion's sign:
    "夜景拍照很清晰" -> [("拍照", 1)]. A word of an aspect or of the product itself in between stops the search."""
    out = []
    for clause in aspects_mod.clauses(text):
        opinions = list(detector.opinions_in(clause))
        if not opinions:
            continue
        named = [(m.start(), m.end(), m.group()) for m in detector.term_matches(clause)]
        for start, _word, sign in opinions:
            before = [x for x in named if x[1] <= start]
            if before and start - before[-1][1] <= 3:     # an aspect, product or uncovered word right before it
                if aspects_mod.is_uncovered(before[-1][2]):
                    out.append((aspects_mod.uncovered_head(before[-1][2]), sign))
                continue
            floor = before[-1][1] if before else 0
            for end, word, flag in reversed([x for x in _tagged(clause) if floor < x[0] <= start][-3:]):
                if detector.names_aspect(word) or aspects_mod.is_outside(word):
                    break
                if flag in _NOUN_TAGS and len(word) > 1:
                    out.append((word, sign))
                    break
    return out


def found_themes(docs: Sequence[tuple[int, str]], detector: Detector, *, about: Iterable[str] = (),
                 max_found: int = 3, min_count: int | None = None) -> list[Theme]:
    """Discovered themes of ``docs`` (``(review_id, text)``, distinct reviews): opinion targets judged in at
    least ``min_count`` reviews (2, or 3% of the reviews), the product's own and brand words left out."""
    n = len(docs)
    if not n:
        return []
    min_found = min_count or max(2, math.ceil(0.03 * n))
    excluded = excluded_words(about)
    judged: dict[str, dict[int, set[int]]] = {}
    for rid, text in docs:
        for noun, sign in opinion_targets(text, detector):
            if not _is_excluded(noun, excluded):
                judged.setdefault(noun, {}).setdefault(rid, set()).add(sign)
    ranked = sorted(((len(ids), noun) for noun, ids in judged.items() if len(ids) >= min_found), key=lambda x: (-x[0], x[1]))
    themes = []
    for i, (_count, noun) in enumerate(ranked[:max_found]):
        theme = Theme(f"found-{i + 1}", noun, noun, [noun], "found", "product")
        for rid, signs in judged[noun].items():
            _add(theme, rid, "mixed" if len(signs) > 1 else ("pos" if 1 in signs else "neg"))
        themes.append(theme)
    return themes


__all__ = ["Theme", "aspect_themes", "found_themes", "opinion_targets", "excluded_words", "text_key", "has_words",
           "match_text", "BRANDS", "FILLER"]
