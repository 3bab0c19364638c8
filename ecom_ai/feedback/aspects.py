"""Aspect-based sentiment: which aspects a review judges (quality, delivery, taste…) and how (pos, neg, mixed).

The canonical aspects are ``ecom_ai/data/aspects.json``; their words are in :mod:`ecom_ai.feedback.lexicon`;
a shop adds aspects and synonyms and sets each aspect's team in the admin (``FeedbackAspect``).

How a review is read (:meth:`Detector.detect`):

1. The text is cut into clauses at punctuation and at contrast words (但是, 不过, 就是…): an opinion only
   reaches the aspects of its own clause ("东西很好，就是物流太慢" praises nothing named, blames delivery).
2. In a clause, aspect words are found longest first: *targets* (物流, 价格) need an opinion word in
   the clause; *judging phrases* (好吃, 卡顿, 假货) judge their aspect by themselves.
3. Each opinion word goes to the nearest target before it (else the nearest after it). Its polarity is
   the aspect's own when the aspect has one (价格高 blames, 性价比高 praises), else the general one;
   a negation in front (不, 没有, 不太, 不是很…) turns it over, so 不贵 praises the price and 没有异味
   praises the scent. "A和B都很好" gives both A and B the opinion.
4. An aspect judged both ways in a review is *mixed*, unless one way outweighs the other two to one.

Words whose aspect depends on the product (味道: taste for milk, scent for shampoo) are resolved with
the product's category, or, without one, with the category the review's own words point to.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from ecom_ai.feedback import lexicon as lx

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "aspects.json"
POLARITIES = ("pos", "neg", "mixed")
MIXED_MARGIN = 99

#: the team an aspect's improvement action goes to, unless the shop sets another in the admin
DEFAULT_TEAMS = {
    "quality": "quality", "price": "pricing", "logistics": "logistics", "packaging": "warehouse", "service": "service",
    "authenticity": "quality", "appearance": "product", "performance": "product", "battery": "product",
    "screen": "product", "system": "product", "sound": "product", "heating": "product", "installation": "installation",
    "taste": "quality", "freshness": "warehouse", "size": "product", "fabric": "quality", "effect": "product",
    "scent": "product", "content": "product", "printing": "quality", "room": "housekeeping",
    "cleanliness": "housekeeping", "location": "marketing", "breakfast": "catering", "facilities": "maintenance",
}

#: what to do when customers blame an aspect (zh, en)
ACTIONS = {
    "quality": ("抽检该批次质量，把缺陷反馈给供应商", "spot-check the batch and take the defects to the supplier"),
    "price": ("对比同类商品价格，考虑调价、保价或促销", "compare prices with similar products; consider a price change, price protection or a promotion"),
    "logistics": ("核查承运商时效，跟进延误和压坏的订单", "review the carrier's delivery times and follow up late or damaged parcels"),
    "packaging": ("加固包装并检查仓库打包流程", "strengthen the packaging and check how the warehouse packs orders"),
    "service": ("复盘客服与售后对话，缩短响应时间", "review support and after-sales conversations and answer faster"),
    "authenticity": ("公示进货渠道与防伪信息，核查货源", "publish the supply chain and anti-counterfeit details and audit the source"),
    "appearance": ("核对商品图片与实物外观、颜色是否一致", "make sure the photos match the real look and colour"),
    "performance": ("复测运行性能与发热，在商品页写清配置", "re-test speed and heat and state the configuration on the page"),
    "battery": ("检测电池与充电问题，必要时联系供应商", "test battery life and charging, and raise it with the supplier"),
    "screen": ("抽检屏幕（坏点、漏光、触控）", "spot-check screens for dead pixels, light bleed and touch"),
    "system": ("检查预装系统与驱动，提供安装指引", "check the preinstalled system and drivers and publish a setup guide"),
    "sound": ("检测噪音与音质，在商品页说明", "test noise and sound and describe them on the page"),
    "heating": ("检测加热速度与水温稳定性", "test heating speed and how steady the water temperature is"),
    "installation": ("公示安装收费标准，回访安装服务", "publish the installation fees and follow up each installation"),
    "taste": ("复核批次口味与储存条件", "check the batch's taste and storage conditions"),
    "freshness": ("检查库存日期与冷链，先进先出", "check stock dates and the cold chain; ship first in, first out"),
    "size": ("更新尺码表，在商品页标注偏大偏小", "update the size chart and say whether it runs large or small"),
    "fabric": ("抽检面料（起球、掉色、缩水），与供应商沟通", "spot-check the fabric (pilling, fading, shrinking) with the supplier"),
    "effect": ("收集使用效果反馈，写清适用发质", "collect feedback on the effect and say which hair types it suits"),
    "scent": ("检查气味来源，在商品页说明香型", "check where the smell comes from and describe the scent on the page"),
    "content": ("在商品页补充目录与试读，核对版本", "add the contents and a sample to the page and check the edition"),
    "printing": ("抽检印刷与装订质量", "spot-check printing and binding"),
    "room": ("检查房间隔音、床品与设施", "check the rooms' soundproofing, bedding and furniture"),
    "cleanliness": ("加强客房清洁检查", "tighten the room-cleaning checks"),
    "location": ("在页面写清位置与交通方式", "describe the location and how to get there on the page"),
    "breakfast": ("丰富早餐品种并检查品质", "widen the breakfast choice and check its quality"),
    "facilities": ("安排设施检修与更新", "schedule repairs and upgrades of the facilities"),
}

_CLAUSE_BREAK = re.compile(r"[。！？!?；;，,\n\r\t~～…|/（）()\[\]【】“”\"]+|\.(?=\s|$)"
                           r"|(?=但是|不过|可是|然而|只是|就是(?!快|好|给力|棒|不错|方便|便宜|实惠|好用|爽)|可惜|唯一|美中不足|but |however )")
_DEGREE_TAIL = re.compile(r"(任何|让我|让人|令人|令我|一个|一颗|一点|甚|最|太|很|那么|怎么|特别|非常|十分|太过|算|是|够|大|怎|多|蛮|挺|相当|好|真|给|really |very |too |so |that |)$")
_NEGATION_TAIL = re.compile(r"(不觉得?|不|没有|没|无|未|别|毫不|并非|不是|不像|not ?|no ?|never ?|n't ?)$")
_CONNECTOR = re.compile(r"^(和|与|及|跟|同|、|也|都|还有|还|以及|and| )*$")  # nothing between: "面料做工都不错"
_WISH = re.compile(r"^(希望|要是|如果|若是|假如|建议|期待|但愿|请|if |hope )")
#: after an aspect word, what says it is being judged although no opinion word is known: a degree word or an
#: exclamation ("屏幕太暗淡了", "音质超震撼！"); the review's sentiment then gives the polarity
_FALLBACK_MARK = re.compile(r"(很|太|非常|特别|十分|有点|有些|比较|挺|超|极|真|好|蛮|相当|！|!)")
_BELIEF = re.compile(r"(还|本来|原来|原|本)?以为")
_DOUBT = re.compile(r"吗$|是不是")
_DEGREE_LIKE = frozenset(("好", "真", "超"))
_VERB_BLAME = frozenset(("不支持", "没有送", "没送"))
_COMPARISON = re.compile(r"^(不如|比不上)|比这|比它|比这个|比那")
def _qualifies(slugs: set) -> bool:
    """Two aspect words side by side where one only qualifies the other (宽带收费, 原装铃声)."""
    return bool(slugs & {"price", "authenticity"})


#: a clause that announces what comes next ("唯一不太好的就是…"): it does not go on about the previous clause's aspect
_POINTS_AHEAD = re.compile(r"(唯一|美中不足|缺点|不足之处|不足的是|遗憾的是)")
#: a problem word, and what says none was found before it in the clause ("没发现什么问题", "从未出现故障")
_PROBLEM_WORDS = frozenset(("问题", "毛病", "故障"))
_NOT_FOUND = re.compile(r"(?:并未|未曾|未|没有?|从未|从没|无)(?:发现|出现|遇到|遇见|感觉到|察觉)")
_UNSURE = re.compile(r"不知道?是不是|不知道?是否|不知道?真假")

#: words that contain an opinion word but are not one (好像, 好多, 快乐 …): matched first, worth nothing
NEUTRAL = lx._w("好像 好几 好多 只好 好久 好歹 好友 好处 快乐 小时 小心 小孩 小朋友 高兴 差不多 差点 大家 大概 好不容易 "
                "问题是 一般来说 有问题吗 没想到 不知道 不用 不过 不到 好在 最好 还好吧 高中 大学 不得不 酸奶 酸牛奶 酸菜 "
                "百香果 香港 香蕉 酸酸乳 苦苦 辛苦 痛苦 刻苦 吃苦 苦恼 甜品 甜点 甜蜜 甜食 甜言蜜语 回答问题 解决问题 解答问题 一般是 一般都 一般情况 一般人 一般的人 好奇 大家好 "
                "飞一般 小游戏 值得推荐 值得购买 值得拥有 值得一买 值得入手 便宜没好货 强迫 勉强 强制 坚强 强调 倔强 还没用 没用过 没用完 没用几天 没用多久 没用上 贵宾 贵州 贵阳 宝贵 珍贵 高贵 富贵 贵姓 不错过 名字 签字 数字 打字 大小 高手 不少 不多 快点")

#: words that name the product itself, the shop or the platform: they take the opinions next to them, so
#: "东西很好，物流也快" praises delivery once; they are never a theme
OUTSIDE = lx._w("东西 商品 宝贝 产品 货 货物 京东 平台 商城 购物 机子 机器 手机 电脑 笔记本 平板 热水器 衣服 裤子 水果 苹果 "
                "牛奶 酒店 宾馆 蒙牛 伊利 光明 微客服 整体 总体 整机 印象 心情 朋友 客户 选择 网站 企业 广告 本本")
#: things customers judge that none of the canonical aspects covers (camera, keyboard, signal, weight, gifts…):
#: they take the opinions next to them too ("赠品质量很差" blames no quality) and may be discovered themes
UNCOVERED = lx._w("号码卡 手机卡 sd卡 sim卡 存储卡 内存卡 卡槽 流量卡 上网卡 电话卡 赠品质量 赠品 赠送 礼品 键盘 按键 触摸板 拍照 照相 摄像头 像素 信号 重量 体积 手感 环境 接口 鼠标 光驱 指纹 蓝牙")

_OUTSIDE = frozenset(OUTSIDE) | frozenset(UNCOVERED)
_UNCOVERED = frozenset(UNCOVERED)
_GROUP_CATS = {"elec": ("手机", "平板", "计算机"), "food": ("水果", "蒙牛")}

TRANSFER = frozenset(lx._w("漂亮 好看 美观 精美 大气 上档次 时尚 方便 便利 舒服 舒适 合适 正好 刚好 清晰 高清 实惠 便宜 "
                           "柔软 流畅 结实 耐用 不卡 贵 太贵 简陋 精致 不耐用 模糊 新鲜 很新鲜 坏了 坏掉 故障 毛病 有问题 难看 丑"))


def canonical_aspects() -> dict[str, dict]:
    """The canonical aspects: slug -> {zh, en, categories, about}."""
    return _canonical()


@lru_cache(maxsize=1)
def _canonical() -> dict[str, dict]:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))["aspects"]


@dataclass(frozen=True)
class AspectInfo:
    slug: str
    zh: str
    en: str
    team: str
    action_zh: str
    action_en: str
    custom: bool = False


@dataclass
class Judgement:
    """How one review judges one aspect: its polarity and the words that said so."""

    polarity: str                       # pos | neg | mixed
    terms: list[str] = field(default_factory=list)


def _prepare(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def category_groups(category: str | None) -> tuple[str, ...]:
    """The lexicon's category groups (``food``, ``elec``, ``书籍``…) a shop category belongs to."""
    if not category:
        return ()
    name = _prepare(category)
    return tuple(g for g, words in lx.CATEGORY_GROUPS.items() if g == name or any(w in name for w in words))


def guess_groups(text: str) -> tuple[str, ...]:
    """Without a category: the group the review's own words point to most (none when no clue)."""
    best, hits = None, 0
    for group, clues in lx.CATEGORY_CLUES.items():
        n = sum(1 for c in clues if c in text)
        if n > hits:
            best, hits = group, n
    if best is None:
        return ()
    return category_groups(best) or (best,)


def _alternation(words: Iterable[str]) -> re.Pattern:
    ordered = sorted({w for w in words if w}, key=lambda w: (-len(w), w))
    parts = [rf"(?<![a-z0-9]){re.escape(w)}(?![a-z0-9])" if w.isascii() else re.escape(w) for w in ordered]
    return re.compile("|".join(parts)) if parts else re.compile(r"(?!x)x")


class Detector:
    """The lexicon compiled once (plus the shop's own aspects): :meth:`detect` reads one review."""

    def __init__(self, custom: Iterable[dict] = ()):
        """``custom``: dicts with ``slug``, ``name``, ``name_en``, ``synonyms`` (list), ``team``, ``action``,
        ``enabled`` from the shop's FeedbackAspect rows; a row with a canonical slug edits that aspect."""
        canonical = _canonical()
        rows = {c["slug"]: c for c in custom}
        self.info: dict[str, AspectInfo] = {}
        for slug, a in canonical.items():
            row = rows.get(slug, {})
            action_zh, action_en = ACTIONS.get(slug, ("", ""))
            self.info[slug] = AspectInfo(slug, row.get("name") or a["zh"], row.get("name_en") or a["en"],
                                         row.get("team") or DEFAULT_TEAMS.get(slug, "product"),
                                         row.get("action") or action_zh, row.get("action") or action_en)
        # term -> {slug: kind} (kind: target / praise / blame); by-category words resolved at reading time
        self.terms: dict[str, dict[str, str]] = {}
        for kind, table in (("target", lx.TARGETS), ("praise", lx.PRAISE), ("blame", lx.BLAME)):
            for slug, words in table.items():
                for w in words:
                    self.terms.setdefault(w.lower(), {})[slug] = kind
        for slug, row in rows.items():
            if slug not in self.info:
                self.info[slug] = AspectInfo(slug, row.get("name") or slug, row.get("name_en") or row.get("name") or slug,
                                             row.get("team") or "product", row.get("action") or "", row.get("action") or "",
                                             custom=True)
            for w in row.get("synonyms") or ():
                w = _prepare(w).strip()
                if w:
                    self.terms.setdefault(w, {})[slug] = self.terms.get(w, {}).get(slug, "target")
        self.disabled = {slug for slug, row in rows.items() if row.get("enabled") is False}
        self.opinions: dict[str, int] = {w: 0 for w in NEUTRAL}
        for w in lx.POSITIVE:
            self.opinions[w] = 1
        for w in lx.NEGATIVE:
            self.opinions[w] = -1
        local_words = {w for table in lx.LOCAL.values() for w in table}
        for w in local_words:
            self.opinions.setdefault(w, 0)
        self._term_re = _alternation(list(self.terms) + list(lx.BY_CATEGORY) + list(_OUTSIDE))
        self._opinion_re = _alternation(self.opinions)

    def info_for(self, slug: str, category: str | None = None) -> AspectInfo | None:
        """An aspect's names, team and action as they read for ``category`` (个头 rather than 尺码 for fruit)."""
        info = self.info.get(slug)
        canonical = _canonical().get(slug)
        if info is None or canonical is None or info.zh != canonical["zh"]:
            return info                                   # the shop's own naming wins
        for group in category_groups(category):
            label = lx.CATEGORY_LABELS.get((slug, group))
            if label:
                return AspectInfo(slug, label[0], label[1], info.team, label[2], label[3], info.custom)
        return info

    def names_aspect(self, word: str) -> bool:
        """True when ``word`` is one of the aspect words (so it is no discovered theme)."""
        word = word.lower()
        return word in self.terms or word in lx.BY_CATEGORY

    def term_matches(self, clause: str):
        """The aspect, product and uncovered words of a clause (regex matches, longest first)."""
        return self._term_re.finditer(clause)

    def opinions_in(self, clause: str):
        """``(start, word, sign)`` of each general opinion word in a clause, negation applied."""
        for m in self._opinion_re.finditer(clause):
            sign = self.opinions.get(m.group(), 0)
            if sign:
                yield m.start(), m.group(), -sign if self._negated(clause, m.start()) else sign

    # -- reading one review -------------------------------------------------------------------------
    def _resolve(self, term: str, groups: tuple[str, ...]) -> list[tuple[str, str]]:
        """The aspects a matched word stands for here, with its kind ("" for a word outside the aspects)."""
        slugs = self.terms.get(term, {})
        by = lx.BY_CATEGORY.get(term)
        if by is not None:
            slug = next((by[g] for g in by if g in groups), by.get("*"))
            if slug is None:
                return [("", "target")] if term in _OUTSIDE else []
            return [(slug, slugs.get(slug) or self._kind_of(slug, term))]
        for kind in ("blame", "praise", "target"):
            found = [(slug, kind) for slug, k in slugs.items() if k == kind]
            if found:
                return found if kind != "target" else found[:1]
        return [("", "target")] if term in _OUTSIDE else []

    def _kind_of(self, slug: str, word: str) -> str:
        """A by-category word that is in no list of its aspect: an opinion when it has a polarity there
        (太小 of a hotel room: 小 is the room's blame)."""
        local = lx.LOCAL.get((slug, "*"), {})
        bare = re.sub(r"^(太|很|有点|有些|特别|非常|偏|比较|挺)", "", word)
        sign = local.get(word) or local.get(bare) or self.opinions.get(word, 0)
        return "praise" if sign > 0 else ("blame" if sign < 0 else "target")

    def _negated(self, clause: str, start: int) -> bool:
        before = clause[max(0, start - 6):start]
        for _ in range(3):
            stripped = _DEGREE_TAIL.sub("", before, count=1) if before else before
            if stripped == before:
                break
            before = stripped
        return bool(_NEGATION_TAIL.search(before))

    def _polarity(self, slug: str, target: str, word: str) -> int:
        for key in ((slug, target), (slug, "*")):
            local = lx.LOCAL.get(key)
            if local and word in local:
                return local[word]
        sign = self.opinions.get(word, 0)
        if not sign and len(word) > 1 and word[0] == "不":     # 不大, 不小: the word without 不, turned over
            return -self._polarity(slug, target, word[1:])
        return sign

    @staticmethod
    def _local(slug: str, target: str, word: str) -> bool:
        return word in lx.LOCAL.get((slug, target), {}) or word in lx.LOCAL.get((slug, "*"), {})

    def _allowed(self, slug: str, cats: frozenset) -> bool:
        """A judging phrase of an aspect that belongs to other categories says nothing here (深刻 about a hotel)."""
        info = _canonical().get(slug)
        if not cats or info is None or "*" in info["categories"]:
            return True
        return bool(cats & (set(info["categories"]) | set(lx.EXTRA_CATEGORIES.get(slug, ()))))

    def _clause(self, clause: str, groups: tuple[str, ...], cats: frozenset, carry: tuple | None, fallback: int = 0):
        """Votes ({slug: [+1/-1…]}), the words behind them, and the clause's last target (for the next clause)."""
        votes: dict[str, list[int]] = {}
        terms: dict[str, list[str]] = {}
        targets = []            # (start, end, slug, term); slug "" for a word outside the aspects
        covered = []
        phrases = []            # (start, sign) of each judging phrase that voted
        matches = list(self._term_re.finditer(clause))
        for k, m in enumerate(matches):
            term = m.group()
            for slug, kind in self._resolve(term, groups):
                if slug in self.disabled:
                    continue
                covered.append((m.start(), m.end()))
                nxt = matches[k + 1] if k + 1 < len(matches) else None
                if term in _VERB_BLAME and nxt is not None and nxt.start() - m.end() <= 1:
                    owner = self._resolve(nxt.group(), groups)
                    if owner and owner[0][0] != slug:       # "不支持价格保护" blames what follows, not the system
                        continue
                if kind == "target":
                    known_here = term in lx.BY_CATEGORY or self._allowed(slug, cats) or term == self.info[slug].zh
                    targets.append((m.start(), m.end(), slug if known_here else "", term))
                    continue
                sign = 1 if kind == "praise" else -1
                if self._negated(clause, m.start()):
                    sign = -sign
                before = [t for t in targets if t[1] <= m.start()]
                if term in TRANSFER and before and before[-1][3] in _UNCOVERED:
                    continue                            # "拍照清晰" judges the camera, not the screen
                if term in TRANSFER and before and before[-1][2] and before[-1][2] != slug:
                    slug, term = before[-1][2], f"{before[-1][3]}{term}"    # "包装很漂亮" judges the packaging
                elif term not in lx.BY_CATEGORY and not self._allowed(slug, cats):
                    covered.pop()                       # 太短 of a phone is no size: its 短 may judge the battery
                    continue
                votes.setdefault(slug, []).append(sign)
                terms.setdefault(slug, []).append(term)
                phrases.append((m.start(), sign))
        if not targets and not votes and carry is not None and len(clause) <= 10 and not _POINTS_AHEAD.match(clause):
            targets = [(-1, 0, carry[2], carry[3])]    # "房间很干净，很大": the short clause goes on about the room
        if not targets:
            return votes, terms, None
        found: dict[int, list[int]] = {}
        for m in self._opinion_re.finditer(clause):
            if any(s < m.end() and m.start() < e for s, e in covered):
                continue
            if m.group() in _PROBLEM_WORDS and any(e == m.start() for _s, e in covered):
                continue                        # "卡顿问题": the problem is the judging phrase's own
            if m.group() in _DEGREE_LIKE and self._opinion_re.match(clause, m.end()):
                continue                        # 好小, 真好: 好 and 真 say how much, the next word says what
            before = [i for i, t in enumerate(targets) if t[1] <= m.start()]
            if not before and targets[0][0] - m.end() > 2:
                continue                        # only right before its word ("很好的服务"), an opinion reaches forward
            i = before[-1] if before else 0
            _s, _e, slug, term = targets[i]
            sign = self._polarity(slug, term, m.group())
            if _s < 0 and not (self._local(slug, term, m.group()) or _bare(clause) == _bare(m.group())):
                continue        # a carried-over topic takes its own words (大, 快…) or a clause that is only an opinion
            if not sign:
                continue
            if self._negated(clause, m.start()) or (m.group() in _PROBLEM_WORDS and _NOT_FOUND.search(clause[:m.start()])):
                sign = -sign                    # "并未发现散热和噪音的问题" praises both
            found.setdefault(i, []).append(sign)
        # "A和B都很好": a target with no opinion of its own shares the next one's when only connectors lie between;
        # "服务、性价比高": or the judging phrase right after it
        for i in range(len(targets) - 1, -1, -1):
            if i in found:
                continue
            gap = clause[targets[i][1]:targets[i + 1][0]] if i + 1 < len(targets) else None
            if gap is not None and (i + 1) in found and _CONNECTOR.match(gap) and (gap or not _qualifies({targets[i][2], targets[i + 1][2]})):
                found[i] = found[i + 1]         # but "宽带收费不合理" is the broadband's price, "原装铃声" the ringtones
                continue
            nxt = min((p for p in phrases if p[0] >= targets[i][1]), default=None)
            if nxt is not None and nxt[0] > targets[i][1] and _CONNECTOR.match(clause[targets[i][1]:nxt[0]]):
                found[i] = [nxt[1]]
        if fallback:
            for i, (_s, end, slug, _term) in enumerate(targets):
                nxt = targets[i + 1][0] if i + 1 < len(targets) else len(clause)
                if i not in found and slug and _FALLBACK_MARK.search(clause[end:nxt]):
                    found[i] = [fallback]
        for i, signs in found.items():
            slug = targets[i][2]
            if slug:
                votes.setdefault(slug, []).extend(signs)
                terms.setdefault(slug, []).append(targets[i][3])
        real = [t for t in targets if t[2]]
        return votes, terms, (real[-1] if real else None)

    def detect(self, text: str, category: str | None = None, sentiment: int | None = None) -> dict[str, Judgement]:
        """The aspects ``text`` judges: slug -> Judgement (pos / neg / mixed and the words). ``sentiment`` (1
        positive, 0 negative: the review's rating or classifier label) judges an aspect word that is said with
        emphasis but with no opinion word this lexicon knows ("屏幕太暗淡了")."""
        body = _prepare(text)
        if not body.strip():
            return {}
        groups = category_groups(category) if category else ()
        cats = frozenset(c for g in groups for c in _GROUP_CATS.get(g, (g,)))
        if not groups:
            groups = guess_groups(body)
        votes: dict[str, list[int]] = {}
        terms: dict[str, list[str]] = {}
        carry = None
        for clause in clauses(body):
            if _COMPARISON.search(clause) or _UNSURE.search(clause):   # about another product; not known yet
                carry = None
                continue
            v, t, carry = self._clause(clause, groups, cats, carry, {1: 1, 0: -1}.get(sentiment, 0))
            if _BELIEF.search(clause):           # "还以为多便宜呢": what was expected, and was not so
                v = {slug: [-x for x in signs] for slug, signs in v.items()}
            if _DOUBT.search(clause):           # "是正品吗": a question doubts what it names
                v = {slug: [-1] for slug in v}
            if _WISH.match(clause):             # "希望物流快点" blames delivery; "希望耐用" judges nothing yet
                if not re.search(r"[点些]", clause):
                    continue
                v = {slug: [-1] for slug in v}
            for slug, signs in v.items():
                votes.setdefault(slug, []).extend(signs)
                terms.setdefault(slug, []).extend(t.get(slug, []))
        out = {}
        for slug, signs in votes.items():
            pos, neg = sum(1 for s in signs if s > 0), sum(1 for s in signs if s < 0)
            if pos and neg and max(pos, neg) >= 2 * min(pos, neg):   # one side outweighs the other two to one
                pos, neg = (pos, 0) if pos > neg else (0, neg)
            if pos or neg:
                out[slug] = Judgement("mixed" if pos and neg else ("pos" if pos else "neg"), list(dict.fromkeys(terms[slug])))
        return out


_FILLER_CHARS = re.compile(r"[他她它我们也都还真很太非常特别有点比较挺不没了的啊呀吧呢哦!！~]")


def _bare(text: str) -> str:
    """A clause without pronouns, degree words, negations and particles (他不喜欢 -> 喜欢)."""
    return _FILLER_CHARS.sub("", text)


def clauses(text: str) -> list[str]:
    """The clauses of a review, normalised and lower-cased (where an opinion's reach ends)."""
    return [c.strip() for c in _CLAUSE_BREAK.split(_prepare(text)) if c and c.strip()]


def is_outside(word: str) -> bool:
    """A word that names the product itself, the shop or the platform (never a theme)."""
    return word.lower() in _OUTSIDE and word.lower() not in _UNCOVERED


def uncovered_head(word: str) -> str:
    """The thing an uncovered word names (赠品质量 -> 赠品)."""
    return word[:-2] if word.endswith("质量") and len(word) > 2 else word


def is_uncovered(word: str) -> bool:
    """A word that names something customers judge that no canonical aspect covers (camera, keyboard, gifts…)."""
    return word.lower() in _UNCOVERED


_detectors: dict[tuple, Detector] = {}


def shop_aspect_rows() -> list[dict]:
    """The shop's FeedbackAspect rows as plain dicts (what :class:`Detector` takes)."""
    from ecom_ai.feedback.models import FeedbackAspect

    return [{"slug": a.slug, "name": a.name, "name_en": a.name_en, "synonyms": a.synonym_list(), "team": a.team,
             "action": a.action, "enabled": a.enabled} for a in FeedbackAspect.objects.all()]


def get_detector(rows: list[dict] | None = None) -> Detector:
    """The detector for the shop's current aspects (built once per change of the FeedbackAspect rows)."""
    rows = shop_aspect_rows() if rows is None else rows
    key = json.dumps(rows, sort_keys=True, ensure_ascii=False, default=str)
    detector = _detectors.get(key)
    if detector is None:
        if len(_detectors) > 8:
            _detectors.clear()
        detector = _detectors[key] = Detector(rows)
    return detector


def parse_gold(text: str) -> dict[str, str]:
    """``slug:pos;slug:neg`` -> {slug: polarity}; empty text -> {}. A bad item raises ValueError."""
    out = {}
    for item in (text or "").replace("；", ";").split(";"):
        item = item.strip()
        if not item:
            continue
        slug, sep, polarity = item.partition(":")
        slug, polarity = slug.strip(), polarity.strip().lower()
        if not sep or not slug or polarity not in POLARITIES:
            raise ValueError(f"bad aspect {item!r}: write slug:pos, slug:neg or slug:mixed")
        out[slug] = polarity
    return out


__all__ = ["Detector", "Judgement", "AspectInfo", "get_detector", "canonical_aspects", "parse_gold", "category_groups",
           "DEFAULT_TEAMS", "ACTIONS", "POLARITIES"]
