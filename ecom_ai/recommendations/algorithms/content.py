"""Content: TF-IDF over the product text."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp


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
