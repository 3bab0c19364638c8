"""The feedback feature's sentiment classifier: the active model and training the TF-IDF baseline
(``ecom_ai train sentiment-baseline``)."""
from __future__ import annotations

import random
import time
from collections import defaultdict
from pathlib import Path
from typing import Sequence

from ecom_ai.feedback.corpus import default_csv, read_labelled_csv, shop_labelled_reviews
from ecom_ai.nlp import sentiment as sentiment_nlp
from ecom_ai.storage import artifacts


def active_sentiment():
    """The active sentiment artefact, or None when no classifier has been trained yet."""
    try:
        return sentiment_nlp.active_model()
    except artifacts.NoArtifact:
        return None


def _stratified_split(labels: Sequence[int], test_size: float, seed: int) -> tuple[list[int], list[int]]:
    rng = random.Random(seed)
    train, test = [], []
    by_label = defaultdict(list)
    for i, y in enumerate(labels):
        by_label[y].append(i)
    for idx in by_label.values():
        rng.shuffle(idx)
        k = int(round(len(idx) * test_size))
        test += idx[:k]
        train += idx[k:]
    return sorted(train), sorted(test)


def _metrics(y_true: Sequence[int], y_pred: Sequence[int]) -> dict:
    n = len(y_true)
    correct = sum(1 for a, b in zip(y_true, y_pred) if a == b)
    out = {"n": n, "accuracy": round(correct / n, 4) if n else 0.0}
    for label, name in ((1, "positive"), (0, "negative")):
        tp = sum(1 for a, b in zip(y_true, y_pred) if a == b == label)
        predicted = sum(1 for b in y_pred if b == label)
        actual = sum(1 for a in y_true if a == label)
        out[f"{name}_precision"] = round(tp / predicted, 4) if predicted else 0.0
        out[f"{name}_recall"] = round(tp / actual, 4) if actual else 0.0
        out[f"{name}_n"] = actual
    return out


def train_sentiment_baseline(*, out, csv=None, activate: bool = True, **params) -> dict:
    """Train the TF-IDF (char 1–3 + jieba words 1–2) + linear classifier on the shop's rated reviews
    plus the labelled CSV; report accuracy on a held-out stratified split, then refit on everything
    and store it as a new ``sentiment`` version.

    params: ``C``, ``classifier`` ("svm" | "lr"), ``char_ngrams``, ``word_ngrams`` (list or null),
    ``test_size`` (0.1), ``seed``, ``limit`` (CSV rows), ``shop`` (use the shop's reviews, true),
    ``refit`` (train again on all rows before saving, true).
    """
    seed = int(params.pop("seed", 0))
    test_size = float(params.pop("test_size", 0.1))
    limit = params.pop("limit", None)
    use_shop = bool(params.pop("shop", True))
    refit = bool(params.pop("refit", True))
    word_ngrams = params.pop("word_ngrams", (1, 2))  # given but empty (null): no word features
    model_params = {"C": float(params.pop("C", 0.3)), "classifier": params.pop("classifier", "svm"),
                    "char_ngrams": tuple(params.pop("char_ngrams", (1, 3))),
                    "word_ngrams": tuple(word_ngrams) if word_ngrams else None}
    if params:
        raise ValueError(f"Unknown parameter(s) for sentiment-baseline: {', '.join(sorted(params))}")

    texts, labels, sources = [], [], {}
    if use_shop:
        t, y = shop_labelled_reviews()
        texts += t
        labels += y
        sources["shop_reviews"] = len(t)
    csv_path = Path(csv) if csv else default_csv()
    if csv_path is not None:
        t, y = read_labelled_csv(csv_path, limit=int(limit) if limit else None, seed=seed)
        texts += t
        labels += y
        sources["csv"] = str(csv_path)
        sources["csv_rows"] = len(t)
    if len(texts) < 20 or len(set(labels)) < 2:
        raise ValueError(f"Not enough labelled reviews to train on ({len(texts)} rows, labels {sorted(set(labels))}); "
                         "rate some reviews 1–2 and 4–5 stars or give --csv label,review.")

    train_idx, test_idx = _stratified_split(labels, test_size, seed)
    started = time.perf_counter()
    model = sentiment_nlp.build_pipeline(**model_params)
    model.fit([texts[i] for i in train_idx], [labels[i] for i in train_idx])
    fit_s = time.perf_counter() - started
    held = _metrics([labels[i] for i in test_idx], [int(v) for v in model.predict([texts[i] for i in test_idx])])
    out.write(f"held-out accuracy {held['accuracy']:.4f} on {held['n']} reviews "
              f"(trained on {len(train_idx)} in {fit_s:.1f}s)\n")
    if refit:
        model = sentiment_nlp.build_pipeline(**model_params).fit(texts, labels)
    total_s = time.perf_counter() - started
    meta = {"accuracy": held["accuracy"], "heldout": held, "n_train": len(texts) if refit else len(train_idx),
            "kind": f"sklearn-tfidf-{model_params['classifier']}", "params": {k: list(v) if isinstance(v, tuple) else v for k, v in model_params.items()},
            "sources": sources, "train_time_s": round(total_s, 1)}
    version = artifacts.save(sentiment_nlp.ARTIFACT_NAME, model, meta=meta, activate=activate)
    out.write(f"stored sentiment version {version}{' (active)' if activate else ''}\n")
    return {"version": version, "accuracy": held["accuracy"], "n_train": meta["n_train"], "n_heldout": held["n"],
            "train_time_s": meta["train_time_s"], "active": activate}
