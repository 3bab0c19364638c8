"""Matrix factorisation with implicit."""
from __future__ import annotations

from functools import cached_property

import numpy as np
import scipy.sparse as sp

from ecom_ai.recommendations.algorithms.base import _threads

#: tuned on the demo shop (python manage.py ecom_ai evaluate recommendations; see the report)
DEFAULT_ALS = {"factors": 64, "regularization": 1.0, "iterations": 15, "alpha": 2.0}


class ALS:
    """Implicit-feedback matrix factorisation (``implicit.cpu.als.AlternatingLeastSquares``).

    Confidence is ``1 + alpha · log1p(weight)``: a log keeps heavy buyers from drowning the rest.
    BLAS is held to one thread while implicit runs its own threads, to avoid oversubscription.
    """

    name = "als"

    def __init__(self, factors=DEFAULT_ALS["factors"], regularization=DEFAULT_ALS["regularization"],
                 iterations=DEFAULT_ALS["iterations"], alpha=DEFAULT_ALS["alpha"], num_threads: int | None = None,
                 random_state: int = 0):
        self.params = {"factors": int(factors), "regularization": float(regularization),
                       "iterations": int(iterations), "alpha": float(alpha)}
        self.num_threads = num_threads
        self.random_state = random_state
        self.model = None

    @staticmethod
    def confidence(user_items: sp.csr_matrix) -> sp.csr_matrix:
        c = user_items.astype(np.float32, copy=True)
        c.data = np.log1p(c.data)
        return c

    def _new_model(self):
        from implicit.cpu.als import AlternatingLeastSquares

        return AlternatingLeastSquares(factors=self.params["factors"], regularization=self.params["regularization"],
                                       iterations=self.params["iterations"], alpha=self.params["alpha"],
                                       num_threads=self.num_threads or _threads(), random_state=self.random_state,
                                       calculate_training_loss=False)

    def fit(self, user_items: sp.csr_matrix) -> "ALS":
        import implicit.cpu.als  # noqa: F401  load its BLAS before limiting, or the limit misses it
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="blas"):
            self.model = self._new_model()  # implicit checks the BLAS threads when it is built
            self.model.fit(self.confidence(user_items), show_progress=False)
        self.__dict__.pop("item_norms", None)
        return self

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.pop("item_norms", None)  # derived: recomputed on first use after loading
        return state

    @property
    def item_factors(self) -> np.ndarray:
        return self.model.item_factors

    @cached_property
    def item_norms(self) -> np.ndarray:
        """The L2 norm of each item's factors (for cosine similarity), computed once per model."""
        return np.linalg.norm(self.item_factors, axis=1)

    @property
    def user_factors(self) -> np.ndarray:
        return self.model.user_factors

    def recommend(self, user_rows: np.ndarray, user_items: sp.csr_matrix, n: int, filter_liked: bool = True,
                  batch_size: int = 2000):
        """Top ``n`` item numbers per user row, in batches (implicit's batched ``recommend``)."""
        from threadpoolctl import threadpool_limits

        conf = self.confidence(user_items)
        out = np.full((len(user_rows), n), -1, dtype=np.int64)
        with threadpool_limits(limits=1, user_api="blas"):
            for start in range(0, len(user_rows), batch_size):
                rows = np.asarray(user_rows[start:start + batch_size])
                ids, _ = self.model.recommend(rows, conf[rows], N=n, filter_already_liked_items=filter_liked)
                out[start:start + len(rows), :ids.shape[1]] = ids
        return out

    def user_vector(self, row: int | None, history: sp.csr_matrix | None) -> np.ndarray | None:
        """The stored factors of a known customer, or folded in from ``history`` (1 × items)."""
        if history is not None and history.nnz:
            from threadpoolctl import threadpool_limits

            with threadpool_limits(limits=1, user_api="blas"):
                return np.asarray(self.model.recalculate_user(0, self.confidence(history))).ravel()
        if row is not None and 0 <= row < self.model.user_factors.shape[0]:
            return self.model.user_factors[row]
        return None
