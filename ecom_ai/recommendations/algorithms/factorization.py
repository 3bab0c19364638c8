"""Matrix factorisation with implicit: ALS (weighted least squares on confidences) and BPR (pairwise
ranking). BLAS is held to one thread while implicit runs its own threads, to avoid oversubscription."""
from __future__ import annotations

from functools import cached_property

import numpy as np
import scipy.sparse as sp

from ecom_ai.recommendations.algorithms.base import Candidate, TrainSet, _threads, confidence

#: the demo shop's defaults (python manage.py ecom_ai evaluate recommendations; see the report)
DEFAULT_ALS = {"factors": 64, "regularization": 1.0, "iterations": 15, "alpha": 2.0}
DEFAULT_BPR = {"factors": 64, "learning_rate": 0.05, "regularization": 0.01, "iterations": 30}


def _one_blas_thread():
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


class _Factors(Candidate):
    model = None

    @property
    def item_factors(self) -> np.ndarray:
        return np.asarray(self.model.item_factors)

    @property
    def user_factors(self) -> np.ndarray:
        return np.asarray(self.model.user_factors)

    @cached_property
    def item_norms(self) -> np.ndarray:
        """The L2 norm of each item's factors (for cosine similarity), computed once per model."""
        return np.linalg.norm(self.item_factors, axis=1)

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.pop("item_norms", None)  # derived: recomputed on first use after loading
        return state

    def similar(self, item: int) -> np.ndarray:
        f = self.item_factors
        return (f @ f[item]) / (self.item_norms * (self.item_norms[item] or 1.0) + 1e-9)

    def user_vector(self, row: int | None, history: sp.csr_matrix | None) -> np.ndarray | None:
        raise NotImplementedError

    def scores(self, rows, history) -> np.ndarray:
        rows = np.asarray(rows, dtype=np.int64)
        known = (rows >= 0) & (rows < self.user_factors.shape[0])
        vecs = np.zeros((len(rows), self.item_factors.shape[1]), dtype=np.float32)
        vecs[known] = self.user_factors[rows[known]]
        for r in np.flatnonzero(~known):
            v = self.user_vector(None, history[r])
            if v is not None:
                vecs[r] = v
        return vecs @ self.item_factors.T


class ALS(_Factors):
    """Implicit-feedback matrix factorisation (``implicit.cpu.als.AlternatingLeastSquares``) on
    confidences ``1 + alpha · log1p(weight)``."""

    name = "als"

    def __init__(self, factors=DEFAULT_ALS["factors"], regularization=DEFAULT_ALS["regularization"],
                 iterations=DEFAULT_ALS["iterations"], alpha=DEFAULT_ALS["alpha"], num_threads: int | None = None,
                 random_state: int = 0):
        self.params = {"factors": int(factors), "regularization": float(regularization),
                       "iterations": int(iterations), "alpha": float(alpha)}
        self.num_threads = num_threads
        self.random_state = random_state

    confidence = staticmethod(confidence)

    def fit(self, data: TrainSet | sp.csr_matrix) -> "ALS":
        import implicit.cpu.als  # noqa: F401  load its BLAS before limiting, or the limit misses it

        ui = data.user_items if isinstance(data, TrainSet) else data
        from implicit.cpu.als import AlternatingLeastSquares

        with _one_blas_thread():
            self.model = AlternatingLeastSquares(factors=self.params["factors"], regularization=self.params["regularization"],
                                                 iterations=self.params["iterations"], alpha=self.params["alpha"],
                                                 num_threads=self.num_threads or _threads(), random_state=self.random_state,
                                                 calculate_training_loss=False)
            self.model.fit(confidence(ui), show_progress=False)
        self.__dict__.pop("item_norms", None)
        return self

    def user_vector(self, row: int | None, history: sp.csr_matrix | None) -> np.ndarray | None:
        """The stored factors of a known customer, or folded in from ``history`` (1 × items)."""
        if history is not None and history.nnz:
            with _one_blas_thread():
                return np.asarray(self.model.recalculate_user(0, confidence(history))).ravel()
        if row is not None and 0 <= row < self.model.user_factors.shape[0]:
            return self.model.user_factors[row]
        return None


class BPR(_Factors):
    """Bayesian personalised ranking (``implicit.cpu.bpr``): learns to rank a customer's items above
    others. A customer it has not seen is the mean of their items' factors."""

    name = "bpr"

    def __init__(self, factors=DEFAULT_BPR["factors"], learning_rate=DEFAULT_BPR["learning_rate"],
                 regularization=DEFAULT_BPR["regularization"], iterations=DEFAULT_BPR["iterations"],
                 num_threads: int | None = None, random_state: int = 0):
        self.params = {"factors": int(factors), "learning_rate": float(learning_rate),
                       "regularization": float(regularization), "iterations": int(iterations)}
        self.num_threads = num_threads
        self.random_state = random_state

    def fit(self, data: TrainSet | sp.csr_matrix) -> "BPR":
        import implicit.cpu.bpr  # noqa: F401

        ui = data.user_items if isinstance(data, TrainSet) else data
        from implicit.cpu.bpr import BayesianPersonalizedRanking

        with _one_blas_thread():
            self.model = BayesianPersonalizedRanking(num_threads=self.num_threads or _threads(),
                                                     random_state=self.random_state, **self.params)
            self.model.fit(confidence(ui), show_progress=False)
        self.__dict__.pop("item_norms", None)
        return self

    def user_vector(self, row: int | None, history: sp.csr_matrix | None) -> np.ndarray | None:
        if history is not None and history.nnz:
            v = self.item_factors[history.indices].mean(axis=0)
            v[-1] = 1.0  # implicit keeps the item bias in the last factor, paired with a user's constant 1
            return v
        if row is not None and 0 <= row < self.user_factors.shape[0]:
            return self.user_factors[row]
        return None


__all__ = ["ALS", "BPR", "DEFAULT_ALS", "DEFAULT_BPR"]
