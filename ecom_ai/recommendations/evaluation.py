"""Offline evaluation with a temporal hold-out: precision@k, recall@k, NDCG@k and catalogue coverage,
for the model and for popularity side by side.

Protocol: the last ``test_share`` of time is held out. A user is evaluated when they have history
before the cut-off and touch at least one *new* item after it (items they already had are filtered
from the recommendations, so they cannot count as hits). Held-out items the model never saw (cold
items) stay in the denominator: a model is not excused for missing them.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ecom_ai.recommendations.data import (
    DEFAULT_HALF_LIFE_DAYS,
    Index,
    InteractionLog,
    basket_matrix,
    user_item_matrix,
)
from ecom_ai.recommendations.algorithms import ALS, DEFAULT_ALS, CoPurchase, Popularity


@dataclass
class HoldOut:
    users: Index
    items: Index
    user_items: object          # csr, train
    rows: np.ndarray            # evaluated user rows
    relevant: list[set]         # held-out item numbers (or raw ids for cold items) per evaluated row
    cutoff: float
    n_train: int
    n_test: int
    train: InteractionLog       # the interactions before the cut-off (the co-purchase model reads its baskets)


def make_holdout(log: InteractionLog, *, test_share: float = 0.2, limit: int | None = None, seed: int = 0,
                 half_life_days: float = DEFAULT_HALF_LIFE_DAYS, extra_items=()) -> HoldOut:
    train, test, cutoff = log.time_split(test_share)
    if not len(train) or not len(test):
        raise ValueError("Not enough interactions for a temporal hold-out (need history both before and after the cut-off).")
    users = Index(train.users.tolist())
    items = Index(list(extra_items) + train.items.tolist())
    ui = user_item_matrix(train, users, items, half_life_days=half_life_days)
    seen: dict[int, set] = {}
    t_rows = users.lookup(test.users)
    t_items = items.lookup(test.items)
    coo = ui.tocoo()
    had = np.isin(t_rows * len(items) + t_items, coo.row.astype(np.int64) * len(items) + coo.col) & (t_items >= 0)
    for r, i, raw, old in zip(t_rows.tolist(), t_items.tolist(), test.items.tolist(), had.tolist()):
        if r < 0 or old:
            continue  # no history before the cut-off (nothing to personalise from), or already had it
        seen.setdefault(r, set()).add(i if i >= 0 else ("cold", raw))
    rows = np.array(sorted(seen), dtype=np.int64)
    if limit and len(rows) > limit:
        rows = np.sort(np.random.default_rng(seed).choice(rows, size=limit, replace=False))
    if not len(rows):
        raise ValueError("No user has history before the cut-off and new items after it; nothing to evaluate.")
    return HoldOut(users, items, ui, rows, [seen[r] for r in rows.tolist()], cutoff, len(train), len(test), train)


def metrics_at_k(recs: np.ndarray, relevant: list[set], n_items: int, k: int = 10) -> dict:
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    p = r = nd = 0.0
    for row, rel in zip(recs, relevant):
        hits = np.array([1.0 if i >= 0 and int(i) in rel else 0.0 for i in row[:k]])
        n_hit = hits.sum()
        p += n_hit / k
        r += n_hit / len(rel)
        ideal = discounts[:min(len(rel), k)].sum()
        nd += float((hits * discounts[:len(hits)]).sum() / ideal)
    n = max(1, len(relevant))
    shown = recs[:, :k]
    coverage = len(np.unique(shown[shown >= 0])) / max(1, n_items)
    return {f"precision@{k}": p / n, f"recall@{k}": r / n, f"ndcg@{k}": nd / n,
            "coverage": coverage}


def build_model(name: str, params: dict | None = None):
    params = dict(params or {})
    if name in ("popular", "popularity"):
        return Popularity()
    if name == "als":
        return ALS(**{**DEFAULT_ALS, **{k: v for k, v in params.items() if k in DEFAULT_ALS}},
                   num_threads=params.get("num_threads"))
    if name == "cooc":
        return CoPurchase()
    raise ValueError(f"Unknown recommendation model {name!r} (choose als, cooc or popular)")


def evaluate_log(log: InteractionLog, *, model: str = "als", params: dict | None = None, k: int = 10,
                 test_share: float = 0.2, limit: int | None = None, seed: int = 0, extra_items=(),
                 baselines=("popular",)) -> dict:
    """Fit ``model`` and each baseline on the past, score them on the held-out future."""
    params = dict(params or {})
    half_life = float(params.get("half_life_days", DEFAULT_HALF_LIFE_DAYS))
    ho = make_holdout(log, test_share=test_share, limit=limit, seed=seed, half_life_days=half_life, extra_items=extra_items)
    results = {}
    for name in (model, *[b for b in baselines if b != model]):
        started = time.perf_counter()
        m = build_model(name, params)
        if name == "cooc":
            m.fit(basket_matrix(ho.train, ho.items))
        else:
            m.fit(ho.user_items)
        fit_s = time.perf_counter() - started
        recs = m.recommend(ho.rows, ho.user_items, k, filter_liked=True)
        results[name] = {**metrics_at_k(recs, ho.relevant, len(ho.items), k), "fit_s": round(fit_s, 3),
                         "total_s": round(time.perf_counter() - started, 3)}
    base = results.get("popular") or next(iter(results.values()))
    ratio = (results[model][f"ndcg@{k}"] / base[f"ndcg@{k}"]) if base[f"ndcg@{k}"] else float("inf")
    return {"model": model, "k": k, "users_evaluated": int(len(ho.rows)), "n_users": len(ho.users), "n_items": len(ho.items),
            "n_train": ho.n_train, "n_test": ho.n_test, "results": results, "ndcg_ratio": ratio,
            "params": {**DEFAULT_ALS, **params} if model == "als" else params}


def format_table(report: dict) -> str:
    k = report["k"]
    keys = [f"precision@{k}", f"recall@{k}", f"ndcg@{k}", "coverage"]
    names = list(report["results"])
    lines = [f"Temporal hold-out: {report['n_train']} interactions before the cut-off, {report['n_test']} after; "
             f"{report['users_evaluated']} users evaluated, {report['n_items']} items.",
             f"{'metric':<14}" + "".join(f"{n:>12}" for n in names) + f"{'ratio':>10}"]
    base = report["results"].get("popular")
    model = report["results"][report["model"]]
    for key in keys:
        row = f"{key:<14}" + "".join(f"{report['results'][n][key]:>12.4f}" for n in names)
        if base is not None and report["model"] != "popular":
            row += f"{(model[key] / base[key]) if base[key] else float('inf'):>9.2f}x"
        lines.append(row)
    lines.append(f"{'fit seconds':<14}" + "".join(f"{report['results'][n]['fit_s']:>12.2f}" for n in names))
    return "\n".join(lines)
