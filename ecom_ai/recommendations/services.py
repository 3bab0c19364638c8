"""Services of the recommendations feature: train the versioned model, recommend with business rules
and grounded reasons, similar / bought-together lists, stored sets, jobs, and offline evaluation.

Every entry point (admin action, job pipeline, API, ``ecom_ai train|evaluate``, periodic task) calls
a function here. Settings (all optional) live in ``ECOM_AI["RECOMMENDATIONS"]``; see ``DEFAULTS``.
"""
from __future__ import annotations

import hashlib
import json
import logging
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from django.core.cache import cache

from ecom_ai.adapters import ProductInfo, get_adapter
from ecom_ai.conf import ecom_ai_settings
from ecom_ai.llm.base import Fact, GenerationRequest, GenerationResult
from ecom_ai.llm.checks import CheckResult, check_output
from ecom_ai.recommendations.data import DEFAULT_HALF_LIFE_DAYS, KIND_WEIGHTS, InteractionLog, read_csv
from ecom_ai.recommendations.evaluation import evaluate_log, format_table
from ecom_ai.recommendations.algorithms import DEFAULT_ALS, RecommenderBundle, fit_bundle, product_text, topk
from ecom_ai.recommendations.rules import (
    ASPECT_ATTRIBUTE,
    Rules,
    StatedPreference,
    apply_rules,
    aspect_scores,
    parse_preference,
    parse_price_band,
)
from ecom_ai.storage import artifacts
from ecom_ai.kinds import Feature, JobKind

log = logging.getLogger(__name__)

ARTIFACT_NAME = "recommender"
FEATURE = Feature.RECOMMENDATION_REASON
PURCHASE_STATUSES = ("paid", "shipped", "delivered", "completed", "refunded")
MAX_K = 50

DEFAULTS = {
    "CACHE_TTL": 60,               # seconds an API answer is cached (per customer, parameters, model version)
    "CATALOGUE_TTL": 60,           # seconds a process keeps its snapshot of the active catalogue
    "MAX_PER_CATEGORY": 3,         # diversity: at most this many per category unless one is asked for
    "K": 10,                       # list length the job stores
    "STORED_MAX_AGE": 86400,       # a stored set younger than this is served while its model is active
    "HALF_LIFE_DAYS": DEFAULT_HALF_LIFE_DAYS,
    "PINNED": [],                  # product ids, on top of RecommendationRule rows
    "BLOCKED": [],
}


def conf(name: str):
    user = ecom_ai_settings.user_settings.get("RECOMMENDATIONS") or {}
    return user.get(name, DEFAULTS[name]) if isinstance(user, dict) else DEFAULTS[name]


class RecommendationError(ValueError):
    """Bad input from the caller (clear message for a 400 / CommandError)."""


# =============================================================================== data and training

def shop_log() -> InteractionLog:
    """The shop's purchases, cart adds and views, through the adapter."""
    return InteractionLog.from_interactions(get_adapter().iter_interactions())


def train(*, out=None, csv=None, activate: bool = True, **params) -> dict:
    """Fit every model and store them as a new ``recommender`` artefact (active unless told not to).

    ``params``: ALS ``factors``, ``regularization``, ``iterations``, ``alpha``; ``half_life_days``;
    ``num_threads``. With ``csv``, trains on that file (ids as strings) instead of the shop.
    """
    out = out or sys.stdout
    started = time.perf_counter()
    unknown = set(params) - set(DEFAULT_ALS) - {"half_life_days", "num_threads"}
    if unknown:
        raise ValueError(f"Unknown recommender parameter(s): {', '.join(sorted(unknown))}")
    catalogue = [] if csv else list(get_adapter().iter_products())
    data = read_csv(csv) if csv else shop_log()
    if not len(data) and not catalogue:
        raise ValueError("Nothing to train on: the shop has no products and no interactions yet.")
    half_life = float(params.get("half_life_days", conf("HALF_LIFE_DAYS")))
    als_params = {k: params[k] for k in DEFAULT_ALS if k in params}
    bundle = fit_bundle(data, catalogue=catalogue, half_life_days=half_life, als_params=als_params,
                        num_threads=params.get("num_threads"))
    fit_s = time.perf_counter() - started
    meta = {**bundle.params, "source": f"csv:{csv}" if csv else "shop", "fit_seconds": round(fit_s, 2)}
    version = artifacts.save(ARTIFACT_NAME, bundle, meta, activate=activate)
    metrics = {"version": version, "active": activate, "users": len(bundle.users), "items": len(bundle.items),
               "interactions": len(data), "fit_seconds": round(fit_s, 2)}
    out.write(f"recommender {version}: {metrics['users']} customers × {metrics['items']} products from "
              f"{metrics['interactions']} interactions in {fit_s:.1f}s{' (active)' if activate else ''}\n")
    return metrics


_fallback_lock = threading.Lock()
_fallback: dict = {}


def current_model() -> tuple[RecommenderBundle, str]:
    """The active artefact (reloaded when a new version is activated), or, before any training, a
    model-free bundle (popularity, co-purchase, content) rebuilt at most every ten minutes."""
    try:
        art = artifacts.load_active(ARTIFACT_NAME)
        if isinstance(art.obj, RecommenderBundle):
            return art.obj, art.version
        log.warning("The active recommender artefact %s is not a RecommenderBundle; using the fallback", art.version)
    except artifacts.NoArtifact:
        pass
    with _fallback_lock:
        if _fallback.get("bundle") is None or time.monotonic() - _fallback["at"] > 600:
            bundle = fit_bundle(shop_log(), catalogue=list(get_adapter().iter_products()), use_als=False,
                                half_life_days=float(conf("HALF_LIFE_DAYS")))
            _fallback.update(bundle=bundle, at=time.monotonic())
        return _fallback["bundle"], "untrained"


_catalogue_lock = threading.Lock()
_catalogue: dict = {}


def active_catalogue() -> dict[int, ProductInfo]:
    """Active products by id: a per-process snapshot, refreshed every ``CATALOGUE_TTL`` seconds
    (stock is confirmed again for the final picks)."""
    with _catalogue_lock:
        if _catalogue.get("products") is None or time.monotonic() - _catalogue["at"] > conf("CATALOGUE_TTL"):
            _catalogue.update(products={p.id: p for p in get_adapter().iter_products(only_active=True)}, at=time.monotonic())
        return _catalogue["products"]


def clear_caches() -> None:
    """Forget process-level snapshots (tests; after a bulk catalogue change)."""
    with _catalogue_lock:
        _catalogue.clear()
    with _fallback_lock:
        _fallback.clear()


# =============================================================================== rules as data

def rules_for(*, category: str | None = None) -> tuple[list[int], set[int]]:
    """Pinned (in order) and blocked product ids: settings plus active RecommendationRule rows."""
    from ecom_ai.recommendations.models import RecommendationRule

    pinned = [int(x) for x in conf("PINNED") or []]
    blocked = {int(x) for x in conf("BLOCKED") or []}
    rows = RecommendationRule.objects.filter(active=True).order_by("position", "id")
    for pid, action, cat in rows.values_list("product_id", "action", "category"):
        if cat and cat != category:
            continue
        if action == RecommendationRule.Action.BLOCK:
            blocked.add(pid)
        elif pid not in pinned:
            pinned.append(pid)
    return [p for p in pinned if p not in blocked], blocked


# =============================================================================== recommending

@dataclass
class Recommendation:
    product: ProductInfo
    score: float
    source: str
    anchor: ProductInfo | None = None
    facts: list = field(default_factory=list)
    reason: str = ""
    reason_ok: bool = False
    check_reasons: list = field(default_factory=list)
    raw: GenerationResult | None = None

    def as_dict(self, *, public: bool = False) -> dict:
        d = {"product_id": self.product.id, "name": self.product.name, "category": self.product.category,
             "price": str(self.product.price), "score": round(float(self.score), 4), "source": self.source,
             "reason": self.reason if (self.reason_ok or not public) else ""}
        if not public:
            d.update(reason_ok=self.reason_ok, check_reasons=self.check_reasons)
        return d


@dataclass
class RecommendationList:
    customer_id: int | None
    model_version: str
    items: list[Recommendation]
    source: str                      # personal | popular | content | similar | bought_together | stored | empty
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    message: str = ""
    query: dict = field(default_factory=dict)
    language: str = "zh"

    def as_dict(self, *, public: bool = True) -> dict:
        return {"request_id": self.request_id, "model_version": self.model_version, "source": self.source,
                "message": self.message, "query": self.query, "items": [r.as_dict(public=public) for r in self.items]}


def _norm(v: np.ndarray) -> np.ndarray:
    if not len(v):
        return v
    lo, hi = float(np.min(v)), float(np.max(v))
    return np.zeros_like(v, dtype=np.float32) if hi <= lo else ((v - lo) / (hi - lo)).astype(np.float32)


def purchased(customer_id) -> dict[int, float]:
    """The customer's bought products (live, from the adapter) -> how many times, newest orders first."""
    out: dict[int, float] = {}
    try:
        orders = get_adapter().get_orders(customer_id, limit=100)
    except Exception:  # an unknown id shape: no history
        return out
    for order in orders:
        if order.status not in PURCHASE_STATUSES:
            continue
        for line in order.lines:
            out[line.product_id] = out.get(line.product_id, 0.0) + float(line.quantity or 1)
    return out


def _bought_idx(bundle: RecommenderBundle, bought: dict[int, float]) -> np.ndarray:
    """The bundle's item numbers of the bought products (in ``bought``'s order; unknown ones left out)."""
    return np.array([i for i in (bundle.items.get(p) for p in bought) if i is not None], dtype=np.int64)


def _history(bundle: RecommenderBundle, customer_id, bought_idx: np.ndarray):
    """(stored row or None, a 1 × items history with live purchases folded in or None, the history seen)."""
    row = bundle.users.get(customer_id)
    n = bundle.n_items
    stored = bundle.user_items[row] if row is not None else sp.csr_matrix((1, n), dtype=np.float32)
    # bought items the stored row lacks (order kept, so the folded-in history is built as before)
    missing = bought_idx[~np.isin(bought_idx, stored.indices[stored.data != 0])]
    history = None
    if len(missing):
        add = sp.csr_matrix((np.full(len(missing), KIND_WEIGHTS["purchase"], dtype=np.float32),
                             (np.zeros(len(missing), dtype=np.int64), missing)), shape=(1, n))
        history = (stored + add).tocsr()
    return row, history, stored if row is not None else history


def _personal_scores(bundle: RecommenderBundle, customer_id, bought_idx: np.ndarray):
    """Scores over the bundle's items, the source that contributed most to each, and the customer's
    content profile; Nones when the customer has no history at all."""
    row, history, seen = _history(bundle, customer_id, bought_idx)
    if seen is None or not seen.nnz:
        return None, None, None
    parts: list[tuple[str, np.ndarray, float]] = []
    if bundle.als is not None:
        vec = bundle.als.user_vector(row, history)
        if vec is not None:
            parts.append(("als", _norm(bundle.als.item_factors @ vec), 1.0))
    if len(bought_idx):
        co = bundle.cooc.scores_for(bought_idx)
        if co.any():
            parts.append(("cooc", _norm(co), 0.4))
    profile = None
    if bundle.content is not None and bundle.content.vectorizer is not None:
        profile = bundle.content.profile(seen.indices, seen.data)
        parts.append(("content", _norm(bundle.content.scores_for_vector(profile)), 0.3 if parts else 1.0))
    parts.append(("popular", _norm(bundle.popularity.scores), 0.05))
    stack = np.vstack([w * s for _, s, w in parts])
    names = np.array([name for name, _, _ in parts], dtype=object)
    return stack.sum(axis=0), names[np.argmax(stack, axis=0)], profile


def _anchor(bundle: RecommenderBundle, item: int, bought_idx: np.ndarray, catalogue_get, source: str = "") -> ProductInfo | None:
    """The bought product that best explains ``item``: co-purchase, else ALS or content similarity;
    within the same category unless co-purchase itself put the item on the list (so a reason
    never links a hotel to a water heater on a weak signal)."""
    if not len(bought_idx):
        return None
    sims = None
    target = catalogue_get(bundle.items.ids[item])
    same = np.array([getattr(catalogue_get(bundle.items.ids[i]), "category", None) == getattr(target, "category", "")
                     for i in bought_idx.tolist()])
    co = bundle.cooc.matrix[item, bought_idx].toarray().ravel() if bundle.cooc.matrix.shape[0] > item else None
    if co is not None and source != "cooc":
        co = np.where(same, co, 0.0)
    if co is not None and co.max() > 0:
        sims = co
    elif bundle.als is not None:
        f = bundle.als.item_factors
        a, b = f[item], f[bought_idx]
        sims = np.where(same, (b @ a) / (bundle.als.item_norms[bought_idx] * (np.linalg.norm(a) or 1.0) + 1e-9), -1.0)
        if sims.max() <= 0.2:
            sims = None
    if sims is None and bundle.content is not None:
        sims = np.where(same, np.asarray((bundle.content.matrix[bought_idx] @ bundle.content.matrix[item].T).todense()).ravel(), -1.0)
        if sims.max() <= 0.1:
            sims = None
    if sims is None:
        return None
    pid = bundle.items.ids[bought_idx[int(np.argmax(sims))]]
    return catalogue_get(pid)


def recommend(customer_id, *, k: int = 10, query: str | None = None, category: str | None = None,
              price_band=None, with_reasons: bool = True, rules: tuple[list[int], set[int]] | None = None,
              model: tuple[RecommenderBundle, str] | None = None) -> RecommendationList:
    """Ranked products for one customer, after the business rules, with a checked reason each.

    ``query`` is the customer's own words ("我喜欢运动，推荐一款适合我的手机。"): the category it names
    and the aspects it asks for (waterproof, long battery, rugged, lightweight, camera) steer the
    list. Fallbacks, never an exception for bad data: no history -> popular (or the query's
    content match); everything filtered out -> popular without the category / price band; an
    empty catalogue -> an empty list with a message. Raises RecommendationError for bad arguments.

    ``rules``: ``rules_for(category=…)``'s (pinned, blocked) for the category the list ends up in,
    when the caller already has them (a job over many customers, no query or category); ``model``:
    ``current_model()``'s (bundle, version) when the caller already read it.
    """
    try:
        k = int(k)
    except (TypeError, ValueError) as exc:
        raise RecommendationError("k must be a whole number.") from exc
    if not 1 <= k <= MAX_K:
        raise RecommendationError(f"k must be between 1 and {MAX_K}.")
    band = parse_price_band(price_band)
    catalogue = active_catalogue()
    # the category names matter only to check a category asked for and to read one named in the query
    categories = list(get_adapter().categories()) if catalogue and (query or category) else []
    if category and category not in categories:
        raise RecommendationError(f"Unknown category {category!r}.")
    pref = parse_preference(query, categories)
    chosen_category = category or pref.category
    bundle, version = model or current_model()
    lst = RecommendationList(customer_id=customer_id, model_version=version, items=[], source="empty",
                             query={"q": pref.text, "category": chosen_category or "", "aspects": list(pref.aspects),
                                    "price_band": [str(x) if x is not None else None for x in band] if band else None},
                             language=_language(query))
    if not catalogue:
        lst.message = "The catalogue has no active products to recommend."
        return lst
    bought = purchased(customer_id) if customer_id is not None else {}
    bought_idx = _bought_idx(bundle, bought)
    pinned, blocked = rules if rules is not None else rules_for(category=chosen_category)
    rules = Rules(pinned=pinned, blocked=blocked, bought=set(bought), category=chosen_category, price_band=band,
                  max_per_category=int(conf("MAX_PER_CATEGORY")))

    personal, sources, profile = (_personal_scores(bundle, customer_id, bought_idx) if customer_id is not None
                                  else (None, None, None))
    ranked = _rank(bundle, catalogue, rules, personal, sources, pref, profile)
    picked = _finalise(ranked, rules, k)
    lst.source = "personal" if personal is not None else ("content" if pref and not pref.aspects and pref.text else "popular")
    if not picked and (rules.category or rules.price_band):
        relaxed = Rules(pinned=pinned, blocked=blocked, bought=set(bought), max_per_category=rules.max_per_category)
        picked = _finalise(_rank(bundle, catalogue, relaxed, None, None, StatedPreference()), relaxed, k)
        lst.source = "popular"
        lst.message = "Nothing matched the category or price band asked for; showing popular products instead."
    if not picked:
        lst.source = "empty"
        lst.message = lst.message or "No product passes the shop's rules (in stock, not bought yet, not blocked)."
        return lst
    aspect_keys = [ASPECT_ATTRIBUTE[a] for a in pref.aspects]
    for pid, score, source in picked:
        p = catalogue.get(pid)
        idx = bundle.items.get(pid)
        anchor = _anchor(bundle, idx, bought_idx, catalogue.get, source) if idx is not None and source in ("als", "cooc", "content") else None
        lst.items.append(Recommendation(product=p, score=score, source=source, anchor=anchor,
                                        facts=reason_facts(p, anchor, aspect_keys, lst.language)))
    if with_reasons:
        write_reasons([lst])
    return lst


def _language(query: str | None) -> str:
    if not query:
        return "zh"
    from ecom_ai.nlp.text import language_of

    return language_of(query)


def _rank(bundle, catalogue: dict, rules: Rules, personal, sources, pref: StatedPreference,
          profile=None) -> list[tuple[int, float, str]]:
    """Every product that passes the rules, scored: personal (or popularity) blended with the stated preference."""
    cand = [p for p in catalogue.values() if rules.allows(p)]
    pinned_ok = [catalogue.get(pid) for pid in rules.pinned if catalogue.get(pid) is not None]
    if not cand:
        return [(p.id, 0.0, "pinned") for p in pinned_ok]
    idx = np.array([bundle.items.get(p.id, -1) for p in cand], dtype=np.int64)
    known = idx >= 0
    new = np.flatnonzero(~known)
    pop = _norm(bundle.popularity.scores)
    if personal is not None:
        base = np.where(known, personal[np.maximum(idx, 0)], 0.0).astype(np.float32)
        src = np.where(known, sources[np.maximum(idx, 0)], "content").astype(object)
        if len(new) and profile is not None:  # products newer than the model: content similarity only
            base[new] = 0.3 * _new_product_sims(bundle, cand, new, profile)
    else:
        base = np.where(known, pop[np.maximum(idx, 0)] if len(pop) else 0.0, 0.0).astype(np.float32)
        src = np.full(len(cand), "popular", dtype=object)
    if pref:
        text_sim = np.zeros(len(cand), dtype=np.float32)
        if bundle.content is not None and bundle.content.vectorizer is not None:
            qv = bundle.content.transform([pref.text])
            if qv.nnz:
                # the trained rows for products the model knows; only newer products are vectorised
                sims = np.zeros(len(cand), dtype=np.float32)
                sims[known] = bundle.content.scores_for_vector(qv)[idx[known]]
                if len(new):
                    sims[new] = _new_product_sims(bundle, cand, new, qv)
                text_sim = _norm(sims)
        if pref.aspects:
            asp = aspect_scores(cand, pref.aspects)
            score = 0.35 * _norm(base) + 0.5 * asp + 0.15 * text_sim
            src = np.where(asp > 0.5, "preference", src).astype(object)
        elif text_sim.any():
            score = 0.5 * _norm(base) + 0.5 * text_sim
            if personal is None:
                src = np.where(text_sim > 0, "content", src).astype(object)
        else:
            score = base
    else:
        score = base
    order = np.argsort(-score, kind="stable")
    return [(cand[j].id, float(score[j]), str(src[j])) for j in order]


def _new_product_sims(bundle, cand: list, new: np.ndarray, vec) -> np.ndarray:
    """Cosine of ``vec`` (1 × terms) with the text of the candidates at ``new`` (products the model has no row for)."""
    docs = bundle.content.transform([product_text(cand[j]) for j in new])
    return np.asarray((docs @ vec.T).todense()).ravel()


def _finalise(ranked, rules: Rules, k: int) -> list[tuple[int, float, str]]:
    """Apply the rules on fresh rows (stock and status re-read for the front of the list)."""
    if not ranked and not rules.pinned:
        return []
    head = [pid for pid, _, _ in ranked[: max(4 * k, 40)]] + list(rules.pinned)
    fresh = get_adapter().get_products(head)
    picked = apply_rules(ranked, fresh, rules, k)
    if len(picked) < k and len(ranked) > len(head):  # the front was mostly sold out: read further
        fresh.update(get_adapter().get_products([pid for pid, _, _ in ranked[len(head):len(head) + 20 * k]]))
        picked = apply_rules(ranked, fresh, rules, k)
    return picked


# =============================================================================== reasons

#: how attributes read in a reason (zh, en); others keep their key
ATTRIBUTE_LABELS = {
    "waterproof": ("防水", "water resistance"), "battery_capacity": ("电池", "battery"), "weight": ("重量", "weight"),
    "camera": ("摄像头", "camera"), "screen_size": ("屏幕", "screen"), "storage": ("存储", "storage"),
    "memory": ("内存", "memory"), "author": ("作者", "author"), "pages": ("页数", "pages"), "capacity": ("容量", "capacity"),
    "volume": ("容量", "volume"), "hair_type": ("适用", "for"), "room_type": ("房型", "room"), "breakfast": ("早餐", "breakfast"),
    "origin": ("产地", "origin"), "material": ("材质", "material"), "use": ("用途", "use"), "cpu": ("处理器", "CPU"),
    "gpu": ("显卡", "GPU"), "star": ("档次", "class"), "type": ("类型", "type"), "power": ("功率", "power"),
    "size": ("规格", "size"), "style": ("风格", "style"),
}


def reason_facts(p: ProductInfo, anchor: ProductInfo | None, aspect_keys: list[str] = (), language: str = "zh") -> list[Fact]:
    """The facts a reason may use: the product's name, the bought product it follows from, and up to
    two attributes (those the customer asked about first)."""
    src = f"product:{p.id}"
    facts = [Fact("name", p.name, src)]
    if anchor is not None:
        facts.append(Fact("anchor_name", anchor.name, f"product:{anchor.id}"))
    attrs = {k: v for k, v in (p.attributes or {}).items() if isinstance(v, (str, int, float)) and str(v).strip()
             and str(v).strip() not in ("无", "none", "-")}
    labelled = [k for k in attrs if k in ATTRIBUTE_LABELS]
    keys = list(dict.fromkeys([k for k in aspect_keys if k in attrs] + labelled + list(attrs)))[:2]
    zh = language == "zh"
    facts += [Fact(key, str(attrs[key]), src, label=ATTRIBUTE_LABELS[key][0 if zh else 1] if key in ATTRIBUTE_LABELS else "")
              for key in keys]
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


# =============================================================================== product lists

def _product_or_404(product_id) -> ProductInfo:
    try:
        pid = int(product_id)
    except (TypeError, ValueError) as exc:
        raise LookupError(f"No product {product_id!r}") from exc
    p = get_adapter().get_products([pid]).get(pid)
    if p is None:
        raise LookupError(f"No product {product_id!r}")
    return p


def _list_length(k) -> int:
    return max(1, min(int(k), MAX_K))


def similar_products(product_id, *, k: int = 10, model: tuple[RecommenderBundle, str] | None = None) -> RecommendationList:
    """Products like this one: content (TF-IDF cosine) blended with ALS item similarity.
    ``model``: ``current_model()``'s (bundle, version) when the caller already read it."""
    p = _product_or_404(product_id)
    k = _list_length(k)
    bundle, version = model or current_model()
    return _similar(p, bundle, version, active_catalogue(), k)


def _similar(p: ProductInfo, bundle: RecommenderBundle, version: str, catalogue: dict[int, ProductInfo],
             k: int) -> RecommendationList:
    idx = bundle.items.get(p.id)
    n = bundle.n_items
    score = np.zeros(n, dtype=np.float32)
    if bundle.content is not None and bundle.content.vectorizer is not None:
        v = bundle.content.matrix[idx] if idx is not None else bundle.content.transform([product_text(p)])
        score += _norm(bundle.content.scores_for_vector(v))
    if bundle.als is not None and idx is not None:
        f = bundle.als.item_factors
        sims = f @ f[idx] / (bundle.als.item_norms * (np.linalg.norm(f[idx]) or 1.0) + 1e-9)
        score += _norm(sims)
    _, blocked = rules_for(category=p.category)
    rules = Rules(blocked=blocked, exclude={p.id}, category=None, max_per_category=k)
    ranked = [(int(bundle.items.ids[i]), float(score[i]), "similar") for i in topk(score, 10 * k)
              if int(bundle.items.ids[i]) in catalogue] if score.any() else []
    items = [Recommendation(product=catalogue[pid], score=s, source=src) for pid, s, src in _finalise(ranked, rules, k)]
    return RecommendationList(customer_id=None, model_version=version, items=items, source="similar",
                              message="" if items else "No similar product in stock.")


def bought_together(product_id, *, k: int = 10, model: tuple[RecommenderBundle, str] | None = None) -> RecommendationList:
    """Products bought in the same orders as this one (co-occurrence); similar products when none.
    ``model``: ``current_model()``'s (bundle, version) when the caller already read it."""
    p = _product_or_404(product_id)
    k = _list_length(k)
    bundle, version = model or current_model()
    catalogue = active_catalogue()
    idx = bundle.items.get(p.id)
    related = bundle.cooc.related(idx, 10 * k) if idx is not None else []
    _, blocked = rules_for(category=None)
    rules = Rules(blocked=blocked, exclude={p.id}, max_per_category=k)
    ranked = [(int(bundle.items.ids[i]), s, "bought_together") for i, s in related if int(bundle.items.ids[i]) in catalogue]
    picked = _finalise(ranked, rules, k)
    if not picked:
        lst = _similar(p, bundle, version, catalogue, k)
        lst.source, lst.message = "similar", "Not bought together with other products yet; showing similar products."
        return lst
    items = [Recommendation(product=catalogue[pid], score=s, source=src) for pid, s, src in picked]
    return RecommendationList(customer_id=None, model_version=version, items=items, source="bought_together")


# =============================================================================== stored sets, API, jobs

def save_set(customer_id: int, lst: RecommendationList, *, job=None, user_id=None):
    """Write (or replace) the customer's RecommendationSet; any failed reason marks it for review."""
    from ecom_ai.recommendations.models import RecommendationSet

    failed = [r for r in lst.items if not r.reason_ok]
    notes = "\n".join(f"{r.product.id}: {'; '.join(r.check_reasons) or 'no reason'}" for r in failed)
    obj, _ = RecommendationSet.objects.update_or_create(
        customer_id=int(customer_id),
        defaults={"user_id": user_id, "items": [
            {"product_id": r.product.id, "score": round(float(r.score), 4), "reason": r.reason, "source": r.source,
             "reason_ok": r.reason_ok} for r in lst.items],
            "model_version": lst.model_version, "request_id": uuid.UUID(lst.request_id),
            "status": RecommendationSet.Status.NEEDS_REVIEW if failed else RecommendationSet.Status.OK,
            "review_notes": notes or lst.message, "params": lst.query, "job": job},
    )
    return obj


def compute_and_save(customer_id: int, *, k: int | None = None, job=None):
    """Recommend for one customer and store the set (what the job does per customer)."""
    customer = get_adapter().get_customer(customer_id)
    if customer is None:
        raise LookupError(f"No customer {customer_id}")
    lst = recommend(customer.id, k=k or int(conf("K")))
    return save_set(customer.id, lst, job=job, user_id=customer.user_id)


def _stored(customer_id: int, version: str, k: int) -> RecommendationList | None:
    from django.utils import timezone

    from ecom_ai.recommendations.models import RecommendationSet

    s = RecommendationSet.objects.filter(customer_id=customer_id, model_version=version).first()
    if s is None or (timezone.now() - s.created_at).total_seconds() > conf("STORED_MAX_AGE"):
        return None
    fresh = get_adapter().get_products([it["product_id"] for it in s.items])
    _, blocked = rules_for()
    rules = Rules(blocked=blocked, bought=set(purchased(customer_id)))
    items = [Recommendation(product=fresh[it["product_id"]], score=it["score"], source=it["source"], reason=it["reason"],
                            reason_ok=bool(it.get("reason_ok")))
             for it in s.items if rules.allows(fresh.get(it["product_id"]))]
    if len(items) < k:
        return None
    return RecommendationList(customer_id=customer_id, model_version=version, items=items[:k], source="stored")


def recommendations_for_user(user, *, k: int = 10, query: str | None = None, category: str | None = None,
                             price_band=None) -> dict:
    """The API's answer for the requesting user's own customer; cached briefly. Raises LookupError
    when the user has no customer profile, RecommendationError for bad parameters."""
    customer = get_adapter().customer_for_user(user)
    if customer is None:
        raise LookupError("This account has no customer profile in the shop, so there is nothing to personalise.")
    band = parse_price_band(price_band)
    model = current_model()
    version = model[1]
    params = {"k": int(k), "q": (query or "").strip(), "category": category or "",
              "band": [str(x) for x in band] if band else None}
    digest = hashlib.sha1(json.dumps(params, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]
    key = f"ecom_ai:rec:{customer.id}:{version}:{digest}"
    payload = cache.get(key)
    cached = payload is not None
    if payload is None:
        lst = None
        if not params["q"] and not category and not band:
            lst = _stored(customer.id, version, int(k))
        lst = lst or recommend(customer.id, k=k, query=query, category=category, price_band=band, model=model)
        payload = lst.as_dict(public=True)
        cache.set(key, payload, conf("CACHE_TTL"))
    # every answer gets its own request id, so clicks are attributed to the list that was shown
    return {**payload, "request_id": str(uuid.uuid4()), "cached": cached}


def product_list(kind: str, product_id, *, k: int = 10) -> dict:
    fn = similar_products if kind == "similar" else bought_together
    model = current_model()
    key = f"ecom_ai:rec:{kind}:{product_id}:{k}:{model[1]}"
    payload = cache.get(key)
    cached = payload is not None
    if payload is None:
        payload = fn(product_id, k=k, model=model).as_dict(public=True)
        cache.set(key, payload, conf("CACHE_TTL"))
    return {**payload, "request_id": str(uuid.uuid4()), "cached": cached}


def recompute_all(*, retrain: bool = True, user=None, dispatch: bool = True):
    """Retrain (optional), then start one recommendations job over every customer of the shop."""
    from django.apps import apps

    from ecom_ai.jobs.engine import JobError, start_job

    if retrain:
        try:
            train(out=_NullOut())
        except ValueError as exc:  # an empty shop: nothing to learn from yet
            log.info("recommender not retrained: %s", exc)
    model = apps.get_model(get_adapter().customer_model)
    try:
        return start_job(JobKind.RECOMMENDATIONS, model._default_manager.all(), user=user, dispatch=dispatch)
    except JobError:  # no customers yet
        return None


class _NullOut:
    def write(self, *_):
        pass


# =============================================================================== evaluation

def evaluate(*, out=None, csv=None, model=None, limit=None, seed=0, **params) -> dict:
    """Temporal hold-out on the shop's interactions (or a CSV): the model and popularity side by side.

    ``model``: ``als`` (default), ``cooc`` or ``popular``, or a stored recommender version whose ALS
    parameters are used. Writes a table to ``out`` and returns the figures.
    """
    out = out or sys.stdout
    name = model or "als"
    if name not in ("als", "cooc", "popular"):
        try:
            meta = artifacts.read_meta(ARTIFACT_NAME, name)
        except FileNotFoundError as exc:
            raise LookupError(f"No recommender model {name!r} (use als, cooc, popular or a stored version)") from exc
        params = {**(meta.get("als") or {}), "half_life_days": meta.get("half_life_days", DEFAULT_HALF_LIFE_DAYS), **params}
        name = "als"
    if csv:
        data, extra = read_csv(csv), ()
    else:
        data = shop_log()
        extra = [p.id for p in get_adapter().iter_products()]
    if not len(data):
        raise ValueError("No interactions to evaluate on.")
    report = evaluate_log(data, model=name, params=params, limit=limit, seed=seed, extra_items=extra,
                          baselines=("popular",))
    out.write(format_table(report) + "\n")
    skipped = getattr(data, "skipped", 0)
    if skipped:
        out.write(f"({skipped} unreadable CSV rows skipped)\n")
    flat = {"model": name, "users_evaluated": report["users_evaluated"], "ndcg_ratio": round(report["ndcg_ratio"], 3)}
    for m, figures in report["results"].items():
        for key, value in figures.items():
            flat[f"{m}.{key}"] = round(value, 4) if isinstance(value, float) else value
    return flat


__all__ = ["train", "evaluate", "recommend", "similar_products", "bought_together", "recommendations_for_user",
           "product_list", "compute_and_save", "save_set", "write_reasons", "generate_reasons", "check_reasons", "reason_facts", "recompute_all",
           "current_model", "clear_caches", "RecommendationError", "Recommendation", "RecommendationList"]
