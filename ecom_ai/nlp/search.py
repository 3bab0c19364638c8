"""Catalogue search: jieba-segmented BM25 over names, descriptions and attributes, fused with a
character n-gram TF-IDF cosine ranking (the "embedding": no Chinese sentence model can be
downloaded here, and character n-grams survive segmentation mistakes and mixed scripts).

Both rankings are sparse matrix products, so a query costs one pass over the postings of its
terms, not a scan of the catalogue. :func:`linear_scan` is the plain loop it is measured against
(benchmarks/catalogue_search.py).
"""
from __future__ import annotations

import math
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Iterable

import numpy as np
from scipy import sparse

from ecom_ai.nlp.text import normalize, tokenize

K1, B = 1.5, 0.75
NAME_BOOST = 3  # a product's name counts this many times in its BM25 document


@dataclass(frozen=True)
class Hit:
    product_id: int
    score: float
    bm25: float
    cosine: float


def product_document(product) -> tuple[str, str]:
    """(name, rest) texts of a ProductInfo-like object: the name, then category, description and attributes."""
    attrs = " ".join(f"{k} {v}" for k, v in (getattr(product, "attributes", None) or {}).items())
    rest = " ".join(x for x in (getattr(product, "category", "") or "", getattr(product, "description", "") or "", attrs) if x)
    return product.name, rest


class CatalogueIndex:
    """An in-memory index over products; ``search(query)`` returns :class:`Hit` best first."""

    def __init__(self, products: Iterable, *, char_ngrams: tuple[int, int] = (2, 3)):
        from sklearn.feature_extraction.text import TfidfVectorizer

        ids, names, bm25_docs, char_docs = [], [], [], []
        for p in products:
            name, rest = product_document(p)
            ids.append(int(p.id))
            names.append(name)
            bm25_docs.append(tokenize(name) * NAME_BOOST + tokenize(rest))
            char_docs.append(normalize(f"{name} {name} {rest}").lower())
        self.ids = np.asarray(ids, dtype=np.int64)
        self.names = names
        self.built_at = time.monotonic()
        self._bm25_matrix(bm25_docs)
        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=char_ngrams, sublinear_tf=True, min_df=1,
                                          dtype=np.float32)
        if ids:
            self.char_matrix = self.vectorizer.fit_transform(char_docs).tocsr()
        else:
            self.char_matrix = None

    def __len__(self) -> int:
        return len(self.ids)

    def _bm25_matrix(self, docs: list[list[str]]) -> None:
        vocab: dict[str, int] = {}
        rows, cols, vals = [], [], []
        lengths = np.asarray([len(d) for d in docs], dtype=np.float64)
        avgdl = float(lengths.mean()) if len(docs) else 1.0
        df: Counter = Counter()
        counts = []
        for d in docs:
            c = Counter(d)
            counts.append(c)
            df.update(c.keys())
        n = max(1, len(docs))
        for i, c in enumerate(counts):
            norm = K1 * (1 - B + B * lengths[i] / max(avgdl, 1e-9))
            for term, tf in c.items():
                j = vocab.setdefault(term, len(vocab))
                idf = math.log(1 + (n - df[term] + 0.5) / (df[term] + 0.5))
                rows.append(i)
                cols.append(j)
                vals.append(idf * tf * (K1 + 1) / (tf + norm))
        self.vocab = vocab
        self.bm25 = sparse.csc_matrix((vals, (rows, cols)), shape=(len(docs), max(1, len(vocab))), dtype=np.float32)

    def bm25_scores(self, query: str) -> np.ndarray:
        cols = [self.vocab[t] for t in dict.fromkeys(tokenize(query)) if t in self.vocab]
        if not cols or not len(self.ids):
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self.bm25[:, cols].sum(axis=1)).ravel()

    def cosine_scores(self, query: str) -> np.ndarray:
        if self.char_matrix is None:
            return np.zeros(0, dtype=np.float32)
        q = self.vectorizer.transform([normalize(query).lower()])
        if q.nnz == 0:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray((self.char_matrix @ q.T).todense()).ravel()

    def search(self, query: str, *, limit: int = 10, among: Iterable[int] | None = None,
               alpha: float = 0.5) -> list[Hit]:
        """Best products for ``query``: min-max normalised BM25 and cosine, mixed by ``alpha``."""
        if not len(self.ids) or not normalize(query):
            return []
        bm = self.bm25_scores(query)
        cos = self.cosine_scores(query)
        mask = None
        if among is not None:
            mask = np.isin(self.ids, np.asarray(list(among), dtype=np.int64))
            if not mask.any():
                return []
        bm_max = float(bm[mask].max() if mask is not None else bm.max()) or 1.0
        cos_max = float(cos[mask].max() if mask is not None else cos.max()) or 1.0
        score = alpha * (bm / bm_max) + (1 - alpha) * (cos / cos_max)
        if mask is not None:
            score = np.where(mask, score, -1.0)
        k = min(limit, len(score))
        top = np.argpartition(-score, k - 1)[:k] if k < len(score) else np.arange(len(score))
        top = top[np.argsort(-score[top], kind="stable")]
        return [Hit(int(self.ids[i]), float(score[i]), float(bm[i]), float(cos[i])) for i in top if score[i] > 0]


def linear_scan(products: list, query: str, *, limit: int = 10) -> list[tuple[int, float]]:
    """The baseline: score every product in a Python loop (token overlap weighted like BM25, no index)."""
    terms = set(tokenize(query))
    if not terms:
        return []
    scored = []
    for p in products:
        name, rest = product_document(p)
        tokens = tokenize(name) * NAME_BOOST + tokenize(rest)
        c = Counter(tokens)
        s = sum(c[t] * (K1 + 1) / (c[t] + K1) for t in terms if t in c)
        if s:
            scored.append((int(p.id), s))
    scored.sort(key=lambda x: -x[1])
    return scored[:limit]


# --------------------------------------------------------------------------- the shop's index

_lock = threading.Lock()
_index: CatalogueIndex | None = None
_signature = None
MAX_AGE_S = 300.0


def _shop_signature():
    """A cheap fingerprint of the catalogue (row count, highest id) when the adapter names its model."""
    from django.apps import apps

    from ecom_ai.adapters import get_adapter

    label = getattr(get_adapter(), "product_model", "")
    if not label:
        return None
    from django.db.models import Count, Max

    agg = apps.get_model(label)._default_manager.aggregate(n=Count("pk"), top=Max("pk"))
    return (agg["n"], agg["top"])


def shop_index() -> CatalogueIndex:
    """The index of the shop's catalogue, rebuilt when it changes (count/max id) or is older than MAX_AGE_S."""
    global _index, _signature
    from ecom_ai.adapters import get_adapter

    sig = _shop_signature()
    with _lock:
        fresh = _index is not None and (time.monotonic() - _index.built_at) < MAX_AGE_S
        if _index is None or not fresh or (sig is not None and sig != _signature):
            _index = CatalogueIndex(get_adapter().iter_products())
            _signature = sig
        return _index


def clear_cache() -> None:
    global _index, _signature
    with _lock:
        _index, _signature = None, None
