"""Offline evaluation with a temporal hold-out: precision@k, recall@k, NDCG@k and catalogue coverage,
for the model and for popularity side by side.

Protocol: the last ``test_share`` of time is held out. A user is evaluated when they have history
before the cut-off and touch at least one *new* item after it (items they already had are filtered
from the recommendations, so they cannot count as hits). Held-out items the model never saw (cold
items) stay in the denominator: a model is not excused for missing them.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ecom_ai.recommendations.data import (
    DEFAULT_HALF_LIFE_DAYS,
    Index,
    InteractionLog,
    basket_matrix,
    user_item_matrix,
)
from ecom_ai.recommendations.algorithms.base import TrainSet


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
    train: InteractionLog       # the interactions before the cut-off
    data: TrainSet              # what the models fit on


def train_set(log: InteractionLog, users: Index, items: Index, *, half_life_days=DEFAULT_HALF_LIFE_DAYS,
              user_items=None) -> TrainSet:
    """The models' view of ``log``: the decayed users × items matrix, interactions as numbers, baskets."""
    ui = user_item_matrix(log, users, items, half_life_days=half_life_days) if user_items is None else user_items
    rows, cols = users.lookup(log.users), items.lookup(log.items)
    ok = (rows >= 0) & (cols >= 0)
    baskets = basket_matrix(log, items) if log.purchase.any() else None
    return TrainSet(ui, rows[ok], cols[ok], log.ts[ok], baskets)


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
    return HoldOut(users, items, ui, rows, [seen[r] for r in rows.tolist()], cutoff, len(train), len(test), train,
                   train_set(train, users, items, user_items=ui))


def per_user(recs: np.ndarray, relevant: list[set], k: int = 10) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision, recall and NDCG at ``k`` of each user's list."""
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    p, r, nd = (np.zeros(len(relevant)) for _ in range(3))
    for n, (row, rel) in enumerate(zip(recs, relevant)):
        hits = np.array([1.0 if i >= 0 and int(i) in rel else 0.0 for i in row[:k]])
        n_hit = hits.sum()
        p[n] = n_hit / k
        r[n] = n_hit / len(rel)
        nd[n] = float((hits * discounts[:len(hits)]).sum() / discounts[:min(len(rel), k)].sum())
    return p, r, nd


def metrics_at_k(recs: np.ndarray, relevant: list[set], n_items: int, k: int = 10, *, with_users: bool = False) -> dict:
    p, r, nd = per_user(recs, relevant, k)
    n = max(1, len(relevant))
    shown = recs[:, :k]
    coverage = len(np.unique(shown[shown >= 0])) / max(1, n_items)
    out = {f"precision@{k}": p.sum() / n, f"recall@{k}": r.sum() / n, f"ndcg@{k}": nd.sum() / n, "coverage": coverage}
    if with_users:
        out["ndcg_per_user"] = nd
    return out


