"""What every recommender model shares: the training set it reads, top-k, and batched recommending.

A model (a *candidate*) has ``fit(data: TrainSet)``, ``scores(rows, history)`` (one dense row of
item scores per user; ``rows`` are user numbers of the training matrix, ``-1`` for a customer the
model has not seen, whose ``history`` row is folded in) and ``similar(item)`` (item-to-item scores,
or ``None``). ``recommend`` is the same for all: score a batch, drop what the user already has, top-k.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp

DAY = 86400.0


def _threads() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS
        return os.cpu_count() or 1


def topk(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest scores, best first (argpartition, not a full sort)."""
    k = min(k, len(scores))
    if k <= 0:
        return np.array([], dtype=np.int64)
    part = np.argpartition(-scores, k - 1)[:k]
    return part[np.argsort(-scores[part], kind="stable")]


def topk_rows(scores: np.ndarray, k: int) -> np.ndarray:
    """Row-wise :func:`topk` of a 2-D array (``-1`` where a score is ``-inf``)."""
    k = min(k, scores.shape[1])
    if k <= 0:
        return np.zeros((scores.shape[0], 0), dtype=np.int64)
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    vals = np.take_along_axis(scores, part, axis=1)
    order = np.argsort(-vals, axis=1, kind="stable")
    out = np.take_along_axis(part, order, axis=1).astype(np.int64)
    out[~np.isfinite(np.take_along_axis(vals, order, axis=1))] = -1
    return out


def minmax_rows(scores: np.ndarray) -> np.ndarray:
    """Each row scaled to [0, 1] (a constant row becomes zeros); ``-inf`` stays below everything."""
    finite = np.where(np.isfinite(scores), scores, np.nan)
    lo = np.nanmin(finite, axis=1, keepdims=True)
    hi = np.nanmax(finite, axis=1, keepdims=True)
    span = np.where(hi > lo, hi - lo, 1.0)
    out = (np.nan_to_num(finite, nan=0.0, copy=False) - np.nan_to_num(lo)) / np.nan_to_num(span, nan=1.0)
    out[np.isnan(finite)] = 0.0
    return np.where(hi > lo, out, 0.0).astype(np.float32)


@dataclass
class TrainSet:
    """What the models learn from: the users × items matrix of (time-decayed) weights, and the raw
    interactions as matrix numbers with their times (the popularity models read those)."""

    user_items: sp.csr_matrix
    rows: np.ndarray               # user number per interaction
    cols: np.ndarray               # item number per interaction
    ts: np.ndarray                 # epoch seconds per interaction
    baskets: sp.csr_matrix | None = None   # orders × items, for co-purchase

    @property
    def n_users(self) -> int:
        return self.user_items.shape[0]

    @property
    def n_items(self) -> int:
        return self.user_items.shape[1]

    @property
    def now(self) -> float:
        return float(self.ts.max()) if len(self.ts) else 0.0

    @property
    def span(self) -> float:
        """Seconds between the first and the last interaction (at least a day)."""
        return max(DAY, float(self.ts.max() - self.ts.min())) if len(self.ts) else DAY

    @cached_property
    def binary(self) -> sp.csr_matrix:
        b = self.user_items.copy()
        b.data = np.ones_like(b.data)
        return b

    @cached_property
    def item_users(self) -> np.ndarray:
        """How many users touched each item."""
        return np.asarray(self.binary.sum(axis=0)).ravel()


def confidence(user_items: sp.csr_matrix) -> sp.csr_matrix:
    """``log1p(weight / median weight)``: a heavy buyer's hundredth unit adds little, and the level of
    the weights (years of time decay, quantities or ratings) does not matter, only their ratios."""
    c = user_items.astype(np.float32, copy=True)
    positive = c.data[c.data > 0]
    scale = float(np.median(positive)) if len(positive) else 1.0
    c.data = np.log1p(c.data / (scale or 1.0))
    return c


class Candidate:
    """Base of every model that can be selected and served."""

    name = "candidate"
    params: dict

    def fit(self, data: TrainSet) -> "Candidate":
        raise NotImplementedError

    def scores(self, rows: np.ndarray, history: sp.csr_matrix) -> np.ndarray:
        raise NotImplementedError

    def similar(self, item: int) -> np.ndarray | None:
        return None

    def label(self) -> str:
        shown = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in (self.params or {}).items())
        return f"{self.name}({shown})" if shown else self.name

    def recommend(self, user_rows: np.ndarray, user_items: sp.csr_matrix, n: int, filter_liked: bool = True,
                  batch_size: int = 1000) -> np.ndarray:
        """Top ``n`` item numbers per user row (``-1`` pads a short list)."""
        user_rows = np.asarray(user_rows, dtype=np.int64)
        out = np.full((len(user_rows), n), -1, dtype=np.int64)
        for start in range(0, len(user_rows), batch_size):
            rows = user_rows[start:start + batch_size]
            hist = user_items[rows]
            s = self.scores(rows, hist).astype(np.float32, copy=False)
            if filter_liked:
                r, c = hist.nonzero()
                s[r, c] = -np.inf
            out[start:start + len(rows)] = topk_rows(s, n)
        return out


__all__ = ["Candidate", "TrainSet", "confidence", "minmax_rows", "topk", "topk_rows", "DAY"]
