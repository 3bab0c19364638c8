"""Ranking one customer's list: the rules as data, the customer's history, the model's scores blended
with a stated preference, the anchor (the bought product that explains a pick) and the final rules."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ecom_ai.adapters import ProductInfo, get_adapter
from ecom_ai.llm.base import GenerationResult
from ecom_ai.recommendations.algorithms import RecommenderBundle, product_text
from ecom_ai.recommendations.config import conf
from ecom_ai.recommendations.data import KIND_WEIGHTS
from ecom_ai.recommendations.sense import purchase_history
from ecom_ai.recommendations.rules import Rules, StatedPreference, apply_rules, aspect_scores


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


def purchased(customer_id, history: list | None = None) -> dict[int, float]:
    """The customer's bought products (live, from the adapter) -> how many times, newest orders first."""
    out: dict[int, float] = {}
    for line in purchase_history(customer_id) if history is None else history:
        out[line.product_id] = out.get(line.product_id, 0.0) + line.quantity
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
    content profile; Nones when the customer has no history at all.

    The served model (chosen per shop) ranks; content similarity breaks its ties and covers products
    it has not seen. Before any training: co-purchase and content, with a touch of popularity.
    """
    row, history, seen = _history(bundle, customer_id, bought_idx)
    if seen is None or not seen.nnz:
        return None, None, None
    parts: list[tuple[str, np.ndarray, float]] = []
    if bundle.model is not None:
        rows = np.array([-1 if history is not None or row is None else row])
        parts.append((bundle.model.name, _norm(bundle.model.scores(rows, seen)[0]), 1.0))
    elif len(bought_idx):
        co = bundle.cooc.scores(None, _one_hot(bought_idx, bundle.n_items))[0]
        if co.any():
            parts.append(("cooc", _norm(co), 0.4))
    profile = None
    if bundle.content is not None and bundle.content.vectorizer is not None:
        profile = bundle.content.profile(seen.indices, seen.data)
        parts.append(("content", _norm(bundle.content.scores_for_vector(profile)), 0.1 if bundle.model else 1.0))
    if bundle.model is None:
        parts.append(("popular", _norm(bundle.popularity.item_scores), 0.05))
    stack = np.vstack([w * s for _, s, w in parts])
    names = np.array([name for name, _, _ in parts], dtype=object)
    return stack.sum(axis=0), names[np.argmax(stack, axis=0)], profile


def _one_hot(idx: np.ndarray, n: int) -> sp.csr_matrix:
    return sp.csr_matrix((np.ones(len(idx), dtype=np.float32), (np.zeros(len(idx), dtype=np.int64), idx)), shape=(1, n))


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
    pop = _norm(bundle.popularity.item_scores)
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

