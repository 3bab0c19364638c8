"""Resolving what a question points at: the products it names (over the catalogue's names, brands, models
and category words) and the order it means among the asker's own orders.

Everything here reads orders only through ``adapter.get_order(customer_id, …)`` / ``get_orders(customer_id)``:
an order number that is not the asker's is reported as *foreign* and never replaced by another order.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils import timezone

from ecom_ai.inquiries.glossary import BRANDS, CATEGORY_WORDS, english_aliases
from ecom_ai.inquiries.understanding import order_numbers, order_reference, relative_dates, tracking_numbers
from ecom_ai.nlp.text import normalize, tokenize

#: orders still on their way: what "where is my order" means when it names none
OPEN_STATUSES = ("paid", "shipped")
ORDERS_LOOKED_AT = 50


# --------------------------------------------------------------------------- products named in the question

#: everyday words inside model names ("星Book", "Pro"): a word of the name, not a model that names it
_COMMON_WORDS = frozenset("book pro max plus air lite mini ultra slim note pad phone watch go se neo edition".split())
_STOP = frozenset("the and for with men's women's ed. edition pack".split())


@dataclass
class _Entry:
    product: object
    brand: str
    brand_aliases: tuple
    models: tuple          # latin/digit chunks of the name: "mate", "60", "150l", "x1"
    words: tuple           # other name words (two characters or more)
    kind_words: tuple      # category words and their English aliases


class Catalogue:
    """The shop's products prepared for matching mentions: brand, model chunks, words, category words."""

    def __init__(self, products):
        self.entries = [self._entry(p) for p in products]
        self.by_id = {e.product.id: e for e in self.entries}

    @staticmethod
    def _entry(p) -> _Entry:
        name = normalize(p.name).lower()
        chunks = name.split()
        brand = chunks[0] if chunks and not re.search(r"\d", chunks[0]) else ""
        brand_aliases = tuple(a for a in (english_aliases(brand) if brand else ()) if a)
        for zh, en in BRANDS.items():
            if zh.lower() in name and en.lower() not in brand_aliases:
                brand_aliases += (en.lower(),)
        chunks_found = re.findall(r"[a-z0-9][a-z0-9.+\-]*", name)
        models = tuple(dict.fromkeys(c for c in chunks_found if c not in _COMMON_WORDS and (
            re.search(r"[a-z]", c) and len(c) > 1 or re.fullmatch(r"\d{2,}[a-z]*", c))))
        words = tuple(dict.fromkeys([t for t in tokenize(p.name) if len(t) > 1 and not re.fullmatch(r"[a-z0-9.+\-]+", t)
                                     and t != brand] + [c for c in chunks_found if c in _COMMON_WORDS]))
        kinds = [p.category] if p.category else []
        for word, aliases in CATEGORY_WORDS.items():
            if word in (p.category or "") or word in p.name:
                kinds += [word, *aliases]
        for alias in getattr(p, "aliases", ()) or ():  # the shop's other names for it (an English name)
            alias = normalize(alias).lower()
            first = alias.split()[0] if alias.split() else ""
            if first and not re.search(r"\d", first) and first not in brand_aliases:
                brand_aliases += (first,)
            words += tuple(w for w in re.findall(r"[a-z][a-z\-']{2,}", alias) if w != first and w not in _STOP)
        return _Entry(p, brand, brand_aliases, models, tuple(dict.fromkeys(words)),
                      tuple(dict.fromkeys(k.lower() for k in kinds if k)))

    def score(self, entry: _Entry, norm: str) -> tuple[float, bool]:
        """(score, named): named when the text has the brand or a model chunk and one more word of the name."""
        if normalize(entry.product.name).lower() in norm:
            return 100.0, True
        brand = bool(entry.brand and entry.brand in norm) or any(_word_in(a, norm) for a in entry.brand_aliases)
        models = sum(1 for m in entry.models if _word_in(m, norm))
        words = sum(1 for w in entry.words if w in norm)
        kind = any(_word_in(k, norm) for k in entry.kind_words)
        score = 2.0 * brand + 2.0 * models + 1.0 * words + 0.5 * kind
        chunks = normalize(entry.product.name).lower().split()
        if brand and len(chunks) > 1 and _word_in(" ".join(chunks[:2]), norm):  # "真我 c": brand and series, one letter or not
            models += 1
            score += 2.0
        named = (brand or models > 0) and (brand + models + words + kind) >= 2
        return score, named

    def mentioned(self, text: str, *, best_only: bool = True) -> list:
        """The products the question names, best first (ties kept: "海尔 150L 热水器" may fit two listings);
        with ``best_only=False`` every product it names at all."""
        norm = normalize(text).lower()
        scored = [(s, e.product) for e in self.entries for s, named in [self.score(e, norm)] if named]
        if not scored:
            return []
        best = max(s for s, _ in scored)
        return [p for s, p in sorted(scored, key=lambda sp: -sp[0]) if s >= best or not best_only]

    def kind_of(self, text: str, products) -> list:
        """Among ``products``, those whose category word the question uses ("the phone I bought")."""
        norm = normalize(text).lower()
        out = []
        for p in products:
            entry = self.by_id.get(p.id) or self._entry(p)
            if any(_word_in(k, norm) for k in entry.kind_words):
                out.append(p)
        return out


def _word_in(word: str, norm: str) -> bool:
    if not word:
        return False
    if re.search(r"[a-z0-9]", word):
        return re.search(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])", norm) is not None
    return word in norm


_catalogues: dict = {}


def catalogue(adapter, index=None) -> Catalogue:
    """The catalogue prepared for matching, built once per catalogue index (which is rebuilt when the shop changes)."""
    if index is None:
        from ecom_ai.nlp.search import shop_index

        index = shop_index()
    key = (id(index), getattr(index, "built_at", None))
    if key not in _catalogues:
        products = adapter.get_products([int(i) for i in index.ids])
        _catalogues.clear()
        _catalogues[key] = Catalogue(products.values())
    return _catalogues[key]


# --------------------------------------------------------------------------- the order meant

@dataclass
class OrderChoice:
    order: object = None             # OrderInfo or None
    how: str = ""                    # number | tracking | page | product | date | newest | oldest | open | only | latest
    foreign: bool = False            # the question names an order (or tracking number) that is not the asker's
    fitting: int = 0                 # how many of the asker's orders fitted what the question says
    has_orders: bool = False
    unmatched: str = ""              # "product" / "date": the question narrowed to nothing among the asker's orders
    others: list = field(default_factory=list)


def choose_order(adapter, customer_id, text, *, page_order_id=None, products=(), intent="", now=None) -> OrderChoice:
    """The asker's order the question means.

    A typed order or tracking number decides (a foreign one stops here: no other order takes its place);
    then the order the question was asked from; then the orders that hold a named product (or one of the
    named kind), narrowed by a relative date and "newest/oldest"; among several, the newest still on its
    way for a shipping question, else the newest.
    """
    numbers = order_numbers(text)
    for n in numbers:
        order = adapter.get_order(customer_id, n)
        if order is None:
            return OrderChoice(foreign=True, how="number")
    if numbers:
        return OrderChoice(order=adapter.get_order(customer_id, numbers[0]), how="number", fitting=1, has_orders=True)
    orders = adapter.get_orders(customer_id, limit=ORDERS_LOOKED_AT)
    tracking = tracking_numbers(text)
    if tracking:
        for t in tracking:
            hit = next((o for o in orders if any(s.tracking_number.upper() == t for s in o.shipments)), None)
            if hit is None:
                return OrderChoice(foreign=True, how="tracking", has_orders=bool(orders))
        hit = next(o for o in orders if any(s.tracking_number.upper() == tracking[0] for s in o.shipments))
        return OrderChoice(order=hit, how="tracking", fitting=1, has_orders=True)
    page = adapter.get_order(customer_id, page_order_id) if page_order_id else None
    named_ids = {p.id for p in products}
    if page is not None and (not named_ids or named_ids & {ln.product_id for ln in page.lines}):
        return OrderChoice(order=page, how="page", fitting=1, has_orders=True)
    if not orders:
        return OrderChoice(has_orders=False)
    candidates, how, unmatched = list(orders), "", ""
    if named_ids:
        with_product = [o for o in candidates if named_ids & {ln.product_id for ln in o.lines}]
        if with_product:
            candidates, how = with_product, "product"
        else:
            unmatched = "product"
    elif intent != "product":
        cat = catalogue(adapter) if _mentions_kind(text) else None
        if cat is not None:
            bought = adapter.get_products(list({ln.product_id for o in candidates for ln in o.lines}))
            kinds = {p.id for p in cat.kind_of(text, bought.values())}
            with_kind = [o for o in candidates if kinds & {ln.product_id for ln in o.lines}]
            if with_kind:
                candidates, how = with_kind, "product"
    span = relative_dates(text, now)
    if span is not None:
        dated = [o for o in candidates if _within(o, span)]
        if dated:
            candidates, how = dated, "date"
        elif len(candidates) > 1 and not unmatched:
            unmatched = "date"  # "昨天买的" and no order of yesterday among several: ask which one is meant
    ref = order_reference(text)
    if ref == "newest":
        return OrderChoice(order=candidates[0], how="newest", fitting=len(candidates), has_orders=True, unmatched=unmatched)
    if ref == "oldest":
        return OrderChoice(order=candidates[-1], how="oldest", fitting=len(candidates), has_orders=True, unmatched=unmatched)
    if len(candidates) == 1:
        return OrderChoice(order=candidates[0], how=how or "only", fitting=1, has_orders=True, unmatched=unmatched)
    if intent == "logistics":
        moving = [o for o in candidates if o.status in OPEN_STATUSES or any(s.status not in ("delivered", "returned") for s in o.shipments)]
        if moving:
            return OrderChoice(order=moving[0], how=how or "open", fitting=len(moving), has_orders=True,
                               unmatched=unmatched, others=moving[1:])
        shipped = [o for o in candidates if o.shipments]  # nothing on its way: the latest parcel
        if shipped:
            return OrderChoice(order=shipped[0], how=how or "latest", fitting=len(candidates), has_orders=True,
                               unmatched=unmatched, others=shipped[1:])
    return OrderChoice(order=candidates[0], how=how or "latest", fitting=len(candidates), has_orders=True,
                       unmatched=unmatched, others=candidates[1:])


_KIND_HINT = re.compile(r"买的|下的|拍的|订的|收到的|到的|那个|那款|这个|\b(?:bought|ordered|purchased|got|received)\b", re.I)


def _mentions_kind(text: str) -> bool:
    return bool(_KIND_HINT.search(normalize(text)))


def _within(order, span) -> bool:
    first, last = span
    dates = [timezone.localtime(order.created_at).date()]
    dates += [timezone.localtime(e.at).date() for s in order.shipments for e in s.events]
    return any(first <= d <= last for d in dates)


# --------------------------------------------------------------------------- what the description says

_FEATURE_VERB = re.compile(r"支持|可以|可|带|含|免费|配|兼容|适用")
_QUESTION_NOISE = re.compile(r"请问|你好|您好|亲亲|亲|客服|在吗|这个|这款|那个|能不能|可不可以|能否|是否|支持|支持吗|可以|能|吗|么|嘛|不|呢|啊|呀|"
                             r"[?？!！。，,.~～\s]|\b(?:hi|hello|hey|does|do|can|it|this|one|support(?:ed|s)?|pls|please|thx|the|a|an)\b", re.I)
#: topic → words that say it in a description
TOPIC_FEATURE_WORDS = {"invoice": ("发票", "开票"), "region_delivery": ("配送范围",)}


def feature_clause(text: str, product, *, topic: str = "", min_chars: int = 3) -> str:
    """The clause of the product's description that answers a "does it support X" question ("支持手机App预约加热"),
    or "" when the description does not say. The product's own name is taken out of the question first."""
    description = normalize(getattr(product, "description", "") or "")
    if not description:
        return ""
    clauses = [c.strip() for c in re.split(r"[,，。；;！!]", description) if c.strip() and _FEATURE_VERB.search(c)]
    for word in TOPIC_FEATURE_WORDS.get(topic, ()):
        hit = next((c for c in clauses if word in c), "")
        if hit:
            return hit
    question = normalize(text).lower()
    for part in sorted(normalize(product.name).lower().split(), key=len, reverse=True):
        question = question.replace(part, " ")
    question = _QUESTION_NOISE.sub(" ", question)
    best, best_len = "", 0
    for clause in clauses:
        n = _longest_common(question, clause.lower())
        if n > best_len:
            best, best_len = clause, n
    return best if best_len >= min_chars else ""


def _longest_common(a: str, b: str) -> int:
    best = 0
    prev = [0] * (len(b) + 1)
    for ca in a:
        cur = [0] * (len(b) + 1)
        for j, cb in enumerate(b, 1):
            if ca == cb and not ca.isspace():
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    return best
