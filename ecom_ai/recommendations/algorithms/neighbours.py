"""Item-to-item models: co-purchase ("bought together"), item-kNN (implicit's cosine and BM25
neighbours) and EASE (a closed-form linear item-to-item model).

EASE: ``B = I - P · diag(1 / diag(P))`` with ``P = (XᵀX + λI)⁻¹`` (Steck, 2019). The inverse is dense,
so on a large catalogue it covers the ``max_items`` items most customers touched; the rest score
below them (the blend and popularity still reach them).
"""
from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp

from ecom_ai.recommendations.algorithms.base import Candidate, TrainSet, _threads, confidence


class CoPurchase(Candidate):
    """"Bought together": item × item cosine of order co-occurrence (``Bᵀ·B``), top ``keep`` per item."""

    name = "cooc"

    def __init__(self, keep: int = 50):
        self.keep = keep
        self.params = {}

    def fit(self, data: TrainSet | sp.csr_matrix) -> "CoPurchase":
        baskets = data.baskets if isinstance(data, TrainSet) else data
        if baskets is None:  # no orders: a customer's purchases stand in for one basket
            baskets = data.binary
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

    def scores(self, rows, history) -> np.ndarray:
        return (history @ self.matrix).toarray()

    def similar(self, item: int) -> np.ndarray:
        return self.matrix[item].toarray().ravel()


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


class ItemKNN(Candidate):
    """Item-to-item neighbours from implicit (``CosineRecommender`` or ``BM25Recommender``), ``K`` per item;
    a customer's score for an item is the sum of its similarities to what they have."""

    def __init__(self, kind: str = "cosine", K: int = 100, num_threads: int | None = None):
        if kind not in ("cosine", "bm25"):
            raise ValueError(f"Unknown item-kNN kind {kind!r} (cosine or bm25)")
        self.name = "itemknn" if kind == "cosine" else "bm25"
        self.kind = kind
        self.params = {"K": int(K)}
        self.num_threads = num_threads

    def fit(self, data: TrainSet | sp.csr_matrix) -> "ItemKNN":
        from implicit.nearest_neighbours import BM25Recommender, CosineRecommender
        from implicit.utils import ParameterWarning

        ui = data.user_items if isinstance(data, TrainSet) else data
        cls = CosineRecommender if self.kind == "cosine" else BM25Recommender
        model = cls(K=self.params["K"], num_threads=self.num_threads or _threads())
        with warnings.catch_warnings():  # implicit's cosine converts its own normalised copy (a harmless notice)
            warnings.simplefilter("ignore", ParameterWarning)
            model.fit(confidence(ui).tocsr(), show_progress=False)
        self.matrix = model.similarity.tocsr().astype(np.float32)
        self.matrix.setdiag(0)
        self.matrix.eliminate_zeros()
        return self

    def scores(self, rows, history) -> np.ndarray:
        return (confidence(history) @ self.matrix).toarray()

    def similar(self, item: int) -> np.ndarray:
        return self.matrix[item].toarray().ravel()


class EASE(Candidate):
    """Embarrassingly shallow autoencoder on the binary customer × item matrix."""

    name = "ease"

    def __init__(self, lam: float = 300.0, max_items: int = 4000):
        self.params = {"lam": float(lam)}
        self.max_items = int(max_items)

    def fit(self, data: TrainSet | sp.csr_matrix) -> "EASE":
        ui = data.user_items if isinstance(data, TrainSet) else data
        x = ui.copy().astype(np.float32)
        x.data = np.ones_like(x.data)
        counts = np.asarray(x.sum(axis=0)).ravel()
        keep = np.sort(np.argsort(-counts, kind="stable")[: self.max_items])
        keep = keep[counts[keep] > 0]
        self.n_items = ui.shape[1]
        self.items = keep
        xk = x[:, keep].tocsc()
        g = (xk.T @ xk).toarray().astype(np.float32)  # single precision: only the ranking is used, twice as fast
        g[np.diag_indices_from(g)] += self.params["lam"]
        p = np.linalg.inv(g)
        b = p / (-np.diag(p))
        b[np.diag_indices_from(b)] = 0.0
        self.B = b.astype(np.float32)
        return self

    def scores(self, rows, history) -> np.ndarray:
        h = history[:, self.items]
        h.data = np.ones_like(h.data)
        part = np.asarray(h @ self.B)
        floor = (part.min(axis=1, keepdims=True) if part.size else np.zeros((len(part), 1))) - 1e-3
        out = np.repeat(floor.astype(np.float32), self.n_items, axis=1)
        out[:, self.items] = part
        return out

    def similar(self, item: int) -> np.ndarray:
        out = np.zeros(self.n_items, dtype=np.float32)
        pos = np.searchsorted(self.items, item)
        if pos < len(self.items) and self.items[pos] == item:
            out[self.items] = self.B[pos]
        return out


__all__ = ["CoPurchase", "EASE", "ItemKNN"]
