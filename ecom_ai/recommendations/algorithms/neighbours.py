"""Item-to-item models: co-purchase ("bought together")."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ecom_ai.recommendations.algorithms.base import topk


class CoPurchase:
    """"Bought together": item × item cosine of order co-occurrence (``Bᵀ·B``), top ``keep`` per item."""

    name = "cooc"

    def __init__(self, keep: int = 50):
        self.keep = keep

    def fit(self, baskets: sp.csr_matrix) -> "CoPurchase":
        n_items = baskets.shape[1]
        co = (baskets.T @ baskets).tocsr().astype(np.float32)
        co.setdiag(0)
        co.eliminate_zeros()
        counts = np.asarray(baskets.sum(axis=0)).ravel().astype(np.float32)
        norm = np.sqrt(np.maximum(counts, 1.0))
        co = sp.diags(1.0 / norm) @ co @ sp.diags(1.0 / norm)
        self.matrix = _top_per_row(co.tocsr(), self.keep, n_items)
        return self

    def related(self, item: int, n: int) -> list[tuple[int, float]]:
        m = self.matrix
        idx, val = m.indices[m.indptr[item]:m.indptr[item + 1]], m.data[m.indptr[item]:m.indptr[item + 1]]
        order = np.argsort(-val, kind="stable")[:n]
        return [(int(idx[j]), float(val[j])) for j in order]

    def scores_for(self, items: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        n = self.matrix.shape[0]
        if not len(items):
            return np.zeros(n, dtype=np.float32)
        w = np.ones(len(items), dtype=np.float32) if weights is None else weights.astype(np.float32)
        v = sp.csr_matrix((w, (np.zeros(len(items), dtype=np.int64), items)), shape=(1, n))
        return np.asarray((v @ self.matrix).todense()).ravel()

    def recommend(self, user_rows, user_items: sp.csr_matrix, n: int, filter_liked: bool = True):
        scores = (user_items[user_rows] @ self.matrix).toarray() if len(user_rows) else np.zeros((0, user_items.shape[1]))
        out = np.full((len(user_rows), n), -1, dtype=np.int64)
        for r, u in enumerate(user_rows):
            s = scores[r]
            if filter_liked:
                s[user_items.indices[user_items.indptr[u]:user_items.indptr[u + 1]]] = -np.inf
            picked = [i for i in topk(s, n) if np.isfinite(s[i]) and s[i] > 0]
            out[r, :len(picked)] = picked
        return out


def _top_per_row(m: sp.csr_matrix, keep: int, n_cols: int) -> sp.csr_matrix:
    rows, cols, vals = [], [], []
    for r in range(m.shape[0]):
        a, b = m.indptr[r], m.indptr[r + 1]
        if a == b:
            continue
        idx, val = m.indices[a:b], m.data[a:b]
        if b - a > keep:
            sel = np.argpartition(-val, keep - 1)[:keep]
            idx, val = idx[sel], val[sel]
        rows.append(np.full(len(idx), r))
        cols.append(idx)
        vals.append(val)
    if not rows:
        return sp.csr_matrix(m.shape, dtype=np.float32)
    return sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(m.shape[0], n_cols),
                         dtype=np.float32)
