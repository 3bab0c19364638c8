"""Popularity: the fallback and the evaluation baseline."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ecom_ai.recommendations.algorithms.base import topk


class Popularity:
    """Items by time-decayed interaction weight: the fallback and the evaluation baseline."""

    name = "popular"

    def fit(self, user_items: sp.csr_matrix) -> "Popularity":
        # distinct customers, each counted by their (decayed) strength of interest, capped at 1
        capped = user_items.copy()
        capped.data = np.minimum(capped.data, 1.0)
        self.scores = np.asarray(capped.sum(axis=0)).ravel().astype(np.float32)
        return self

    def recommend(self, user_rows: np.ndarray, user_items: sp.csr_matrix, n: int, filter_liked: bool = True):
        order = topk(self.scores, n + (int(user_items.getnnz(axis=1).max()) if filter_liked and user_items.nnz else 0))
        out = np.empty((len(user_rows), n), dtype=np.int64)
        for r, u in enumerate(user_rows):
            liked = set(user_items.indices[user_items.indptr[u]:user_items.indptr[u + 1]]) if filter_liked else ()
            picked = [i for i in order if i not in liked][:n]
            out[r, :len(picked)] = picked
            out[r, len(picked):] = -1
        return out
