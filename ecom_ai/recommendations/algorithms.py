"""Recommendation models built on well-kept libraries: implicit's ALS, scipy sparse co-occurrence,
scikit-learn TF-IDF, and popularity (the fallback and the baseline).

Every model works on dense item numbers (an :class:`~ecom_ai.recommendations.data.Index`); the
:class:`RecommenderBundle` ties them together with the indexes and is what gets stored as the
versioned ``recommender`` artefact.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from ecom_ai.recommendations.data import (
    DEFAULT_HALF_LIFE_DAYS,
    Index,
    InteractionLog,
    basket_matrix,
    user_item_matrix,
)

#: tuned on the demo shop (python manage.py ecom_ai evaluate recommendations; see the report)
DEFAULT_ALS = {"factors": 64, "regularization": 1.0, "iterations": 15, "alpha": 2.0}


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


# ------------------------------------------------------------------------------ popularity

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


# ------------------------------------------------------------------------------ ALS

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


# ------------------------------------------------------------------------------ co-purchase

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


# ------------------------------------------------------------------------------ content

def product_text(p) -> str:
    attrs = " ".join(f"{v}" for v in (p.attributes or {}).values() if isinstance(v, (str, int, float)))
    return " ".join([p.name or "", p.category or "", attrs, p.description or ""])


def _analyzer(text: str) -> list[str]:
    from ecom_ai.nlp.text import tokenize

    return tokenize(text)


class ContentIndex:
    """TF-IDF over product name, category, attribute values and description (jieba tokens);
    rows are L2-normalised, so a sparse dot product is the cosine."""

    name = "content"

    def fit(self, texts: list[str]) -> "ContentIndex":
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer = TfidfVectorizer(analyzer=_analyzer, sublinear_tf=True, min_df=1, dtype=np.float32)
        if any(t.strip() for t in texts):
            try:
                self.matrix = self.vectorizer.fit_transform(texts).tocsr()
                return self
            except ValueError:  # every text was stop words
                pass
        self.vectorizer = None
        self.matrix = sp.csr_matrix((len(texts), 1), dtype=np.float32)
        return self

    def transform(self, texts: list[str]) -> sp.csr_matrix:
        if self.vectorizer is None:
            return sp.csr_matrix((len(texts), self.matrix.shape[1]), dtype=np.float32)
        return self.vectorizer.transform(texts).tocsr()

    def scores_for_vector(self, v: sp.csr_matrix) -> np.ndarray:
        return np.asarray((self.matrix @ v.T).todense()).ravel()

    def profile(self, items: np.ndarray, weights: np.ndarray | None = None) -> sp.csr_matrix:
        """The weighted mean of these items' rows, L2-normalised (a customer's taste in words)."""
        w = np.ones(len(items), dtype=np.float32) if weights is None else np.asarray(weights, dtype=np.float32)
        profile = sp.csr_matrix(w.reshape(1, -1)) @ self.matrix[np.asarray(items, dtype=np.int64)]
        norm = float(np.sqrt(profile.multiply(profile).sum())) or 1.0
        return (profile / norm).tocsr()


# ------------------------------------------------------------------------------ the bundle

@dataclass
class RecommenderBundle:
    """Everything a worker needs to recommend: indexes, models and the training matrix."""

    users: Index
    items: Index
    user_items: sp.csr_matrix
    popularity: Popularity
    als: ALS | None
    cooc: CoPurchase
    content: ContentIndex | None
    params: dict = field(default_factory=dict)

    @property
    def n_items(self) -> int:
        return len(self.items)


def fit_bundle(log: InteractionLog, *, catalogue: list | None = None, half_life_days: float = DEFAULT_HALF_LIFE_DAYS,
               als_params: dict | None = None, use_als: bool = True, num_threads: int | None = None,
               now: float | None = None) -> RecommenderBundle:
    """Fit every model on ``log``; ``catalogue`` (ProductInfo rows) adds items nobody touched yet
    and the text the content model reads."""
    catalogue = list(catalogue or [])
    items = Index([p.id for p in catalogue] + log.items.tolist())
    users = Index(log.users.tolist())
    ui = user_item_matrix(log, users, items, half_life_days=half_life_days, now=now)
    pop = Popularity().fit(ui)
    als = None
    if use_als and ui.nnz:
        als = ALS(**{**DEFAULT_ALS, **(als_params or {})}, num_threads=num_threads).fit(ui)
    cooc = CoPurchase().fit(basket_matrix(log, items))
    content = None
    if catalogue:
        by_id = {p.id: p for p in catalogue}
        texts = [product_text(by_id[i]) if i in by_id else "" for i in items.ids.tolist()]
        content = ContentIndex().fit(texts)
    return RecommenderBundle(users=users, items=items, user_items=ui, popularity=pop, als=als, cooc=cooc, content=content,
                             params={"half_life_days": half_life_days, "als": als.params if als else None,
                                     "n_users": len(users), "n_items": len(items), "n_interactions": int(len(log))})


__all__ = ["ALS", "CoPurchase", "ContentIndex", "Popularity", "RecommenderBundle", "fit_bundle", "topk", "DEFAULT_ALS"]
