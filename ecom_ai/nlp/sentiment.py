"""Review sentiment: a scikit-learn classifier (character and jieba-word n-gram TF-IDF + a linear model).

The fitted pipeline is a plain sklearn object, stored and activated through
``ecom_ai.storage.artifacts`` under the name ``sentiment``. ``predict`` loads the active model once
per process (``artifacts.load_active`` reloads when a new version is activated).
"""
from __future__ import annotations

from typing import Iterable, Sequence

from ecom_ai.nlp.text import normalize, tokenize

ARTIFACT_NAME = "sentiment"
POSITIVE, NEGATIVE = 1, 0


def preprocess(text: str) -> str:
    """What both vectorisers see: NFKC-normalised, lower-cased text."""
    return normalize(text).lower()


def word_tokens(text: str) -> list[str]:
    """jieba words, stop words kept: 不/没 carry the sentiment. Module level so the model pickles."""
    return tokenize(text, stopwords=False)


def build_pipeline(*, C: float = 4.0, char_ngrams: Sequence[int] = (1, 3), word_ngrams: Sequence[int] | None = (1, 2),
                   classifier: str = "lr", max_features: int | None = 400_000):
    """Character n-gram TF-IDF (sublinear tf), plus jieba word n-grams unless ``word_ngrams`` is None,
    into logistic regression (``classifier="lr"``) or a linear SVM (``"svm"``)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.svm import LinearSVC

    parts = [("char", TfidfVectorizer(analyzer="char", ngram_range=tuple(char_ngrams), sublinear_tf=True, min_df=2,
                                      max_features=max_features, preprocessor=preprocess, dtype=_float32()))]
    if word_ngrams:
        parts.append(("word", TfidfVectorizer(analyzer="word", tokenizer=word_tokens, token_pattern=None, lowercase=False,
                                              ngram_range=tuple(word_ngrams), sublinear_tf=True, min_df=2,
                                              max_features=max_features, preprocessor=preprocess, dtype=_float32())))
    features = FeatureUnion(parts) if len(parts) > 1 else parts[0][1]
    if classifier == "svm":
        model = LinearSVC(C=C)
    elif classifier == "lr":
        model = LogisticRegression(C=C, max_iter=2000, solver="liblinear")
    else:
        raise ValueError(f"classifier must be 'lr' or 'svm', not {classifier!r}")
    return Pipeline([("features", features), ("clf", model)])


def _float32():
    import numpy as np

    return np.float32


def active_model():
    """The active sentiment artefact (raises ``artifacts.NoArtifact`` when none is trained)."""
    from ecom_ai.storage import artifacts

    return artifacts.load_active(ARTIFACT_NAME)


def predict(texts: Iterable[str], model=None) -> list[int]:
    """1 (positive) or 0 (negative) per text, from ``model`` or the active classifier."""
    texts = [t or "" for t in texts]
    if not texts:
        return []
    model = model if model is not None else active_model().obj
    return [int(p) for p in model.predict(texts)]


def rating_label(rating: int | None) -> int | None:
    """The label a star rating gives: 4–5 → positive, 1–2 → negative, 3 (or none) → no label."""
    if rating is None:
        return None
    if rating >= 4:
        return POSITIVE
    if rating <= 2:
        return NEGATIVE
    return None


__all__ = ["ARTIFACT_NAME", "build_pipeline", "predict", "active_model", "rating_label", "preprocess", "word_tokens"]
