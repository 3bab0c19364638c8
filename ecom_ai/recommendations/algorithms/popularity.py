"""Popularity three ways: all-time (time-decayed), recent (the latest tenth of the history) and
trending (recency-weighted with a half-life). The same list for everyone; the fallback and the bar
every personal model must clear."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ecom_ai.recommendations.algorithms.base import Candidate, TrainSet, topk


def _distinct_users(rows: np.ndarray, cols: np.ndarray, weights: np.ndarray, shape) -> np.ndarray:
    """Per item: the sum over users of their strongest (capped at 1) weight for it."""
    m = sp.csr_matrix((weights.astype(np.float32), (rows, cols)), shape=shape)
    m.sum_duplicates()
    m.data = np.minimum(m.data, 1.0)
    return np.asarray(m.sum(axis=0)).ravel().astype(np.float32)


class _SameForEveryone(Candidate):
    item_scores: np.ndarray

    def scores(self, rows, history) -> np.ndarray:
        return np.repeat(self.item_scores[None, :], len(rows), axis=0)

    def recommend(self, user_rows, user_items: sp.csr_matrix, n: int, filter_liked: bool = True, batch_size: int = 0):
        longest = int(user_items.getnnz(axis=1).max()) if filter_liked and user_items.nnz else 0
        order = topk(self.item_scores, n + longest)
        out = np.full((len(user_rows), n), -1, dtype=np.int64)
        for r, u in enumerate(user_rows):
            liked = set(user_items.indices[user_items.indptr[u]:user_items.indptr[u + 1]].tolist()) if filter_liked else ()
            picked = [i for i in order.tolist() if i not in liked][:n]
            out[r, :len(picked)] = picked
        return out


class Popularity(_SameForEveryone):
    """Items by distinct customers, each counted by their (time-decayed) interest, capped at 1."""

    name = "popular"

    def __init__(self):
        self.params = {}

    def fit(self, data: TrainSet | sp.csr_matrix) -> "Popularity":
        ui = data.user_items if isinstance(data, TrainSet) else data
        capped = ui.copy()
        capped.data = np.minimum(capped.data, 1.0)
        self.item_scores = np.asarray(capped.sum(axis=0)).ravel().astype(np.float32)
        return self

    @property
    def item_scoresvector(self) -> np.ndarray:
        return self.item_scores


class RecentPopularity(_SameForEveryone):
    """Distinct customers per item over the latest ``window`` share of the history's time span
    (all-time counts break ties, so the list is always full)."""

    name = "recent_popular"

    def __init__(self, window: float = 0.1):
        self.params = {"window": float(window)}

    def fit(self, data: TrainSet) -> "RecentPopularity":
        since = data.now - self.params["window"] * data.span
        recent = data.ts >= since
        shape = (data.n_users, data.n_items)
        counts = _distinct_users(data.rows[recent], data.cols[recent], np.ones(int(recent.sum())), shape)
        everyone = _distinct_users(data.rows, data.cols, np.ones(len(data.rows)), shape)
        self.item_scores = counts + everyone / (everyone.max() + 1.0) if everyone.size else counts
        return self


class Trending(_SameForEveryone):
    """Recency-weighted popularity: each customer's latest touch of an item counts
    ``0.5 ** (age / half-life)``, the half-life a share of the history's time span."""

    name = "trending"

    def __init__(self, half_life: float = 0.05):
        self.params = {"half_life": float(half_life)}

    def fit(self, data: TrainSet) -> "Trending":
        h = max(self.params["half_life"] * data.span, 3600.0)
        w = np.power(0.5, np.clip(data.now - data.ts, 0, None) / h)
        self.item_scores = _distinct_users(data.rows, data.cols, w, (data.n_users, data.n_items))
        return self


__all__ = ["Popularity", "RecentPopularity", "Trending"]
